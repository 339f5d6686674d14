// RabbitMQ end to end (docs/events.md "RabbitMQ", docs/archive.md "Job actions"): a real
// broker (Debian's rabbitmq-server, tests/support/rabbitmq.mjs) and npm `amqplib` — the client
// SciCat itself uses — as the consumer, installed into a test-local folder.
//
// Checked: the `rabbitmq` job action publishes the job's JSON to the configured queue/exchange
// with the key, persistent, on create and on update, as upstream does; jobs created while the
// broker is down reach it once it is back, in order, even across a kill -9 of openem; an
// amqp:// webhook puts every change a group may read on an exchange, routed by type, and
// nothing of another group's; the broker's password never shows; a job configuration with the
// action but RabbitMQ not enabled stops openem at start, saying why.
//
//   node tests/events/rabbitmq_test.mjs --binary build/openem
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { finish, step } from "../identity/steps.mjs";
import { freePort } from "../identity/oidc_provider.mjs";
import { ApiClient, startServer } from "../portal/server.mjs";
import { sleep, until } from "../support/until.mjs";
import { startRabbitmq } from "../support/rabbitmq.mjs";

const binary = process.argv[process.argv.indexOf("--binary") + 1];
if (!binary || process.argv.indexOf("--binary") < 0) throw new Error("usage: rabbitmq_test.mjs --binary <openem>");

const AMQPLIB = "amqplib@0.10.9";
const npmDir = process.env.OPENEM_AMQPLIB_DIR ?? join(tmpdir(), "openem-" + AMQPLIB.replace(/[@/]/g, "_"));
if (!existsSync(join(npmDir, "node_modules", "amqplib")))
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", "--prefix", npmDir, AMQPLIB], { stdio: "inherit" });
const amqp = createRequire(join(npmDir, "package.json"))("amqplib");


const work = mkdtempSync(join(tmpdir(), "openem-rabbitmq-test-"));
const jobsFile = join(work, "jobs.json");
const action = { actionType: "rabbitmq", exchange: "jobs.write", queue: "client.jobs.write", key: "jobs.write" };
writeFileSync(jobsFile, JSON.stringify({ configVersion: "rabbitmq-1", jobs: [{
  jobType: "reprocess",
  create: { auth: "#authenticated", actions: [action, { actionType: "log" }] },
  update: { auth: "admin", actions: [action] },
}] }));

let broker = await startRabbitmq();
const amqpPort = broker.port;
const env = {
  JOB_CONFIGURATION_FILE: jobsFile, RABBITMQ_ENABLED: "yes", RABBITMQ_HOSTNAME: "127.0.0.1",
  RABBITMQ_PORT: String(amqpPort), RABBITMQ_USERNAME: "guest", RABBITMQ_PASSWORD: "guest",
  OPENEM_WEBHOOK_POLL_MS: "100", OPENEM_WEBHOOK_RETRY_SECONDS: "1", OPENEM_WEBHOOK_TIMEOUT_SECONDS: "3",
};
const dataDir = join(work, "data");
const port = await freePort();
let server = await startServer(binary, env, { port, dataDir });
const base = server.url;
const admin = await new ApiClient(base).login("admin");
const user1 = await new ApiClient(base).login("user1");
const ingestor = await new ApiClient(base).login("ingestor");

// A consumer of one queue: the messages in arrival order, with their properties.
async function consume(queue, bind) {
  const connection = await amqp.connect(broker.url);
  const channel = await connection.createChannel();
  await channel.assertQueue(queue, { durable: true });
  if (bind) await channel.bindQueue(queue, bind.exchange, bind.key);
  const got = [];
  await channel.consume(queue, (m) => {
    got.push({ json: JSON.parse(m.content.toString()), properties: m.properties, fields: m.fields });
    channel.ack(m);
  });
  return { got, close: async () => { try { await connection.close(); } catch {} } };
}
const newJob = (name) => user1.call("POST", "/api/v4/jobs", { type: "reprocess", ownerGroup: "group1", jobParams: { name } }, 201);

let jobs;
await step("a job's create and update reach the configured queue as upstream publishes them", async () => {
  jobs = await consume("client.jobs.write");
  const job = (await newJob("first")).json;
  await until("the create message", () => jobs.got.length >= 1);
  const m = jobs.got[0];
  assert.equal(m.json.id, job.id);
  assert.equal(m.json.type, "reprocess");
  assert.deepEqual(m.json.jobParams, { name: "first" });
  assert.equal(m.fields.exchange, "jobs.write");
  assert.equal(m.fields.routingKey, "jobs.write");
  assert.equal(m.properties.deliveryMode, 2, "persistent");
  assert.equal(m.properties.contentType, "application/json");
  assert.equal(m.properties.type, "job.create");
  assert.ok(m.properties.messageId);
  await admin.call("PATCH", `/api/v4/jobs/${job.id}`, { statusCode: "inProgress", statusMessage: "started" }, 200);
  await until("the update message", () => jobs.got.length >= 2);
  assert.equal(jobs.got[1].json.statusCode, "inProgress");
  assert.equal(jobs.got[1].properties.type, "job.update");
});

await step("jobs created while the broker is down reach it when it is back, in order, across kill -9", async () => {
  await jobs.close();
  await broker.stop();
  broker.remove();
  const a = (await newJob("while-down-a")).json;  // the API answers: the message waits in the catalog
  const b = (await newJob("while-down-b")).json;
  await sleep(500);
  await server.kill9();
  server = await startServer(binary, env, { port, dataDir });
  broker = await startRabbitmq({ port: amqpPort });
  jobs = await consume("client.jobs.write");
  // At least once: a publish whose confirm came too late (a broker still starting) is sent
  // again, with the same message-id, for consumers to drop; the order holds.
  const distinct = () => [...new Map(jobs.got.map((m) => [m.properties.messageId, m.json.id])).values()];
  await until("both waiting jobs", () => distinct().length >= 2, 40000);
  await sleep(500);
  assert.deepEqual(distinct(), [a.id, b.id]);
});

await step("an amqp:// webhook puts what group1 may read on an exchange, routed by type", async () => {
  const hook = await admin.call("POST", "/api/v3/webhooks", {
    url: `amqp://guest:guest@127.0.0.1:${amqpPort}/?exchange=openem.events&queue=group1.events`,
    accessGroups: ["group1"], filter: { collections: ["Dataset"] },
  }, 201);
  const shown = await admin.call("GET", `/api/v3/webhooks/${hook.json.id}`, undefined, 200);
  assert.ok(!shown.text.includes("guest:guest"), "the broker's password is not shown");
  assert.match(shown.json.url, /^amqp:\/\/guest:\*\*\*@127\.0\.0\.1/);
  const events = await consume("group1.events");
  const ds = (pid, ownerGroup) => ({ pid, ownerGroup, owner: "O", contactEmail: "o@x.org", sourceFolder: `/d/${pid}`,
    creationTime: "2026-01-01T00:00:00Z", type: "raw", principalInvestigator: "pi@x.org", creationLocation: "/EM" });
  await ingestor.call("POST", "/api/v3/Datasets", ds("mq-g1", "group1"), 201);
  await ingestor.call("POST", "/api/v3/Datasets", ds("mq-g2-secret", "group2"), 201);
  await admin.call("PATCH", "/api/v3/Datasets/mq-g1", { keywords: ["k"] }, 200);
  await until("group1's events", () => events.got.length >= 2);
  await sleep(500);
  assert.deepEqual(events.got.map((m) => `${m.fields.routingKey} ${m.json.documentId}`), ["dataset.insert mq-g1", "dataset.update mq-g1"]);
  assert.ok(!JSON.stringify(events.got.map((m) => m.json)).includes("mq-g2"), "group2's dataset reached group1's queue");
  assert.equal(events.got[0].properties.messageId, events.got[0].json.id);
  await events.close();
});

await step("the action without RABBITMQ_ENABLED stops openem at start, saying why", async () => {
  const r = spawnSync(binary, ["serve", "--data-dir", join(work, "other"), "--listen", "127.0.0.1:0"],
                      { env: { PATH: process.env.PATH, JOB_CONFIGURATION_FILE: jobsFile }, encoding: "utf8", timeout: 30000 });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr + r.stdout, /rabbitmq action, but RABBITMQ_ENABLED/);
});

await jobs.close();
await server.stop();
await broker.stop();
broker.remove();
rmSync(work, { recursive: true, force: true });
finish();
