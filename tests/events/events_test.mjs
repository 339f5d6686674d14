// Events end to end (docs/events.md) against a real `openem serve`: the change history as
// Server-Sent Events read by npm `eventsource` (the EventSource of browsers, for Node), and
// webhooks received by a local HTTP server that checks every signature with npm
// `standardwebhooks` (the Standard Webhooks reference library). Both packages are installed
// into a test-local folder (OPENEM_EVENTS_NPM_DIR, default $TMPDIR/openem-events-npm-<versions>).
//
// Checked: each subscriber gets exactly the changes they may read (a private dataset's change
// never reaches a non-member, by id or by content); values only for history readers; filters;
// a stream resumed with Last-Event-ID after a restart of the server misses nothing and repeats
// nothing; forged ids, anonymous callers and bad filters are refused; webhooks get every change
// in order, as their access groups allow, signed, retried after failures with the same
// webhook-id, logged, and none is lost when the server is killed with -9 while they wait.
//
//   node tests/events/events_test.mjs --binary build/openem
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { finish, step } from "../identity/steps.mjs";
import { freePort } from "../identity/oidc_provider.mjs";
import { ApiClient, startServer } from "../portal/server.mjs";
import { sleep, until } from "../support/until.mjs";

const binary = process.argv[process.argv.indexOf("--binary") + 1];
if (!binary || process.argv.indexOf("--binary") < 0) throw new Error("usage: events_test.mjs --binary <openem>");

const PACKAGES = ["eventsource@2.0.2", "standardwebhooks@1.3.0"];
const npmDir = process.env.OPENEM_EVENTS_NPM_DIR ?? join(tmpdir(), "openem-events-npm-" + PACKAGES.join("-").replace(/[@/]/g, "_"));
if (!existsSync(join(npmDir, "node_modules", "standardwebhooks")) || !existsSync(join(npmDir, "node_modules", "eventsource")))
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", "--prefix", npmDir, ...PACKAGES], { stdio: "inherit" });
const require = createRequire(join(npmDir, "package.json"));
const EventSource = require("eventsource");
const { Webhook } = require("standardwebhooks");


const port = await freePort();
const env = { OPENEM_WEBHOOK_POLL_MS: "100", OPENEM_WEBHOOK_RETRY_SECONDS: "1", HISTORY_ACCESS_DATASET_GROUPS: "group3" };
const dataDir = mkdtempSync(join(tmpdir(), "openem-events-"));
let server = await startServer(binary, env, { port, dataDir });
const base = server.url;
const admin = await new ApiClient(base).login("admin");
const ingestor = await new ApiClient(base).login("ingestor");
const tokens = {};
for (const user of ["user1", "user2", "user3"]) tokens[user] = (await new ApiClient(base).login(user)).token;
tokens.admin = admin.token;

// A subscriber: every event its EventSource delivered, with the raw data for leak checks.
function subscribe(user, query = "", lastEventId) {
  const headers = { Authorization: `Bearer ${tokens[user]}` };
  if (lastEventId) headers["Last-Event-ID"] = lastEventId;
  const events = [];
  const source = new EventSource(`${base}/api/v3/events${query}`, { headers });
  const opened = new Promise((resolve, reject) => {
    source.onopen = resolve;
    source.onerror = (e) => { if (source.readyState === EventSource.CLOSED) reject(new Error(`${user}: ${e.status ?? ""} ${e.message ?? ""}`)); };
  });
  source.onmessage = (m) => events.push({ lastEventId: m.lastEventId, raw: m.data, ...JSON.parse(m.data) });
  return { source, events, opened, close: () => source.close() };
}
const said = (events) => events.map((e) => `${e.operation} ${e.documentId}`);
const dataset = (pid, ownerGroup, extra = {}) => ({
  pid, ownerGroup, owner: "Owner", contactEmail: "o@your.site", sourceFolder: `/data/${pid}`,
  creationTime: "2026-01-01T00:00:00Z", datasetName: `name of ${pid}`, type: "raw",
  principalInvestigator: "pi@your.site", creationLocation: "/EM/Krios1", ...extra,
});

// Webhook receivers: each keeps what it accepted; `failNext` answers 500 that many times.
async function receiver(secret) {
  const r = { accepted: [], ids: [], failNext: 0, down: false, bad: 0, server: null, url: "" };
  r.server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      r.ids.push(req.headers["webhook-id"]);
      if (r.down || r.failNext > 0) {
        if (!r.down) r.failNext--;
        res.writeHead(r.down ? 503 : 500).end();
        return;
      }
      try {
        new Webhook(r.secret).verify(body, req.headers);
      } catch {
        r.bad++;
        res.writeHead(400).end();
        return;
      }
      r.accepted.push({ webhookId: req.headers["webhook-id"], raw: body, ...JSON.parse(body) });
      res.writeHead(204).end();
    });
  });
  await new Promise((ok) => r.server.listen(0, "127.0.0.1", ok));
  r.url = `http://127.0.0.1:${r.server.address().port}/hook`;
  r.secret = secret;
  return r;
}

const members = {};
await step("subscribers connect; anonymous, forged ids and bad filters are refused", async () => {
  for (const user of ["user1", "user2", "user3", "admin"]) members[user] = subscribe(user);
  await Promise.all(Object.values(members).map((m) => m.opened));
  const anonymous = await fetch(`${base}/api/v3/events`);
  assert.equal(anonymous.status, 401);
  const forged = await fetch(`${base}/api/v3/events`, { headers: { Authorization: `Bearer ${tokens.user1}`, "Last-Event-ID": "AAAAAAAAAAAAAAAAAAAAAA" } });
  assert.equal(forged.status, 400);
  for (const q of ["?collections=nonsense", "?operation=upsert"]) {
    const r = await fetch(`${base}/api/v3/events${q}`, { headers: { Authorization: `Bearer ${tokens.user1}` } });
    assert.equal(r.status, 400, q);
    await r.body?.cancel();
  }
});

let W = {};  // the webhooks: everything, group1's view, and one whose receiver fails at first
await step("admins register webhooks; secrets show once; others may not", async () => {
  const everything = await receiver("whsec_" + Buffer.alloc(32, 7).toString("base64"));
  const group1 = await receiver("");
  const flaky = await receiver("whsec_" + Buffer.alloc(24, 9).toString("base64"));
  flaky.failNext = 2;
  const made = await admin.call("POST", "/api/v3/webhooks", { url: everything.url, secret: everything.secret, description: "all" }, 201);
  assert.equal(made.json.secret, everything.secret);
  const g1 = await admin.call("POST", "/api/v3/webhooks", { url: group1.url, accessGroups: ["group1"], filter: { collections: ["datasets"] } }, 201);
  assert.match(g1.json.secret, /^whsec_/);
  group1.secret = g1.json.secret;
  const fl = await admin.call("POST", "/api/v3/webhooks", { url: flaky.url, secret: flaky.secret, filter: { collections: ["Dataset"], operation: "insert" } }, 201);
  W = { everything: { r: everything, id: made.json.id }, group1: { r: group1, id: g1.json.id }, flaky: { r: flaky, id: fl.json.id } };
  const listed = await admin.call("GET", "/api/v3/webhooks", undefined, 200);
  assert.equal(listed.json.length, 3);
  assert.ok(!listed.text.includes("whsec_"), "no secret in the list");
  assert.equal((await new ApiClient(base).login("user1")).token.length > 0, true);
  const asUser = new ApiClient(base);
  asUser.token = tokens.user1;
  await asUser.call("GET", "/api/v3/webhooks", undefined, 403);
  await asUser.call("POST", "/api/v3/webhooks", { url: everything.url }, 403);
  await new ApiClient(base).call("GET", "/api/v3/webhooks", undefined, 401);
  await admin.call("POST", "/api/v3/webhooks", { url: "file:///etc/passwd" }, 400);
  await admin.call("POST", "/api/v3/webhooks", { url: everything.url, secret: "short" }, 400);
  await admin.call("POST", "/api/v3/webhooks", { url: everything.url, filter: { collections: ["nope"] } }, 400);
});

const EXPECTED_ALL = ["insert ev-g1", "insert ev-g2", "insert ev-pub", "update ev-g1", "update ev-g2", "delete ev-g2"];
await step("changes: each subscriber gets what they may read, in order", async () => {
  await ingestor.call("POST", "/api/v3/Datasets", dataset("ev-g1", "group1"), 201);
  await ingestor.call("POST", "/api/v3/Datasets", dataset("ev-g2", "group2", { datasetName: "secret-name-of-group2" }), 201);
  await ingestor.call("POST", "/api/v3/Datasets", dataset("ev-pub", "group2", { isPublished: true }), 201);
  await admin.call("PATCH", "/api/v3/Datasets/ev-g1", { keywords: ["cryo"] }, 200);
  await admin.call("PATCH", "/api/v3/Datasets/ev-g2", { keywords: ["hidden-keyword"] }, 200);
  await admin.call("DELETE", "/api/v3/Datasets/ev-g2", undefined, 200);
  const want = {
    admin: EXPECTED_ALL,
    user1: ["insert ev-g1", "insert ev-pub", "update ev-g1"],
    user3: ["insert ev-g1", "insert ev-pub", "update ev-g1"],
    user2: ["insert ev-g2", "insert ev-pub", "update ev-g2", "delete ev-g2"],
  };
  for (const [user, expected] of Object.entries(want)) {
    const got = await until(`${user}'s events`, () => {
      const ours = said(members[user].events).filter((s) => s.endsWith("ev-g1") || s.endsWith("ev-g2") || s.endsWith("ev-pub"));
      return ours.length >= expected.length && ours;
    });
    await sleep(300);  // nothing more comes
    assert.deepEqual(said(members[user].events).filter((s) => / ev-/.test(s)), expected, user);
    assert.deepEqual(got, expected, user);
  }
  const leaked = members.user1.events.map((e) => e.raw).join("\n");
  for (const secret of ["ev-g2", "secret-name-of-group2", "hidden-keyword"]) assert.ok(!leaked.includes(secret), `user1 saw ${secret}`);
  const user2Raw = members.user2.events.map((e) => e.raw).join("\n");
  assert.ok(!user2Raw.includes("ev-g1") && !user2Raw.includes("cryo"), "user2 saw group1's dataset");
  // Values for history readers only: admin and group3 (HISTORY_ACCESS_DATASET_GROUPS).
  const update = (user) => members[user].events.find((e) => e.operation === "update" && e.documentId === "ev-g1");
  assert.ok(update("user1").changedFields.includes("keywords"));
  assert.equal(update("user1").after, undefined);
  assert.equal(update("user1").user, undefined);
  assert.deepEqual(update("user3").after.keywords, ["cryo"]);
  assert.deepEqual(update("admin").after.keywords, ["cryo"]);
  assert.equal(update("admin").user, "admin");
  // Ids are opaque and the same event has the same id for everyone.
  assert.equal(update("user1").id, update("admin").id);
  assert.match(update("user1").id, /^[A-Za-z0-9_-]{22}$/);
  assert.equal(update("user1").lastEventId, update("user1").id);
});

await step("filters: collections, operation and ownerGroup", async () => {
  const f = subscribe("admin", "?collections=Dataset&operation=update&ownerGroup=group1");
  await f.opened;
  await admin.call("PATCH", "/api/v3/Datasets/ev-pub", { keywords: ["x"] }, 200);
  await admin.call("PATCH", "/api/v3/Datasets/ev-g1", { keywords: ["y"] }, 200);
  await ingestor.call("POST", "/api/v3/Datasets", dataset("ev-g1-second", "group1"), 201);
  await until("the filtered update", () => f.events.length >= 1);
  await sleep(400);
  assert.deepEqual(said(f.events), ["update ev-g1"]);
  f.close();
});

await step("a stream resumed with Last-Event-ID after a restart misses nothing and repeats nothing", async () => {
  const s = members.user1;
  const last = s.events.at(-1).id;
  const before = s.events.length;
  s.close();
  await server.stop();
  server = await startServer(binary, env, { port, dataDir });
  for (let i = 0; i < 5; i++) await ingestor.call("POST", "/api/v3/Datasets", dataset(`ev-resume-${i}`, i % 2 ? "group2" : "group1"), 201);
  const resumed = subscribe("user1", "", last);
  await resumed.opened;
  await ingestor.call("POST", "/api/v3/Datasets", dataset("ev-resume-live", "group1"), 201);
  const want = ["insert ev-resume-0", "insert ev-resume-2", "insert ev-resume-4", "insert ev-resume-live"];
  await until("the resumed events", () => resumed.events.length >= want.length);
  await sleep(300);
  assert.deepEqual(said(resumed.events), want);
  assert.ok(before > 0);
  resumed.close();
});

await step("webhooks get every change in order as their groups allow, signed", async () => {
  const all = W.everything.r;
  await until("the everything webhook", () => all.accepted.some((e) => e.documentId === "ev-resume-live"));
  const datasetEvents = all.accepted.filter((e) => e.collection === "Dataset").map((e) => `${e.operation} ${e.documentId}`);
  assert.deepEqual(datasetEvents, [...EXPECTED_ALL, "update ev-pub", "update ev-g1", "insert ev-g1-second",
                                   ...[0, 1, 2, 3, 4].map((i) => `insert ev-resume-${i}`), "insert ev-resume-live"]);
  assert.equal(all.bad, 0, "every signature checked out");
  assert.ok(all.accepted.find((e) => e.operation === "update").after, "everything: values");
  const g1 = W.group1.r;
  await until("group1's webhook", () => g1.accepted.some((e) => e.documentId === "ev-resume-live"));
  const g1Said = g1.accepted.map((e) => `${e.operation} ${e.documentId}`);
  assert.deepEqual(g1Said, ["insert ev-g1", "insert ev-pub", "update ev-g1", "update ev-pub", "update ev-g1", "insert ev-g1-second",
                            "insert ev-resume-0", "insert ev-resume-2", "insert ev-resume-4", "insert ev-resume-live"]);
  assert.equal(g1.bad, 0);
  const g1Raw = g1.accepted.map((e) => e.raw).join("\n");
  assert.ok(!g1Raw.includes("ev-g2") && !g1Raw.includes("secret-name") && !g1Raw.includes("\"after\""), "group1's webhook saw too much");
  // The webhook-id is the event's id: the same as the stream's.
  const streamId = members.admin.events.find((e) => e.documentId === "ev-g1" && e.operation === "insert").id;
  assert.equal(g1.accepted[0].webhookId, streamId);
});

await step("a failing receiver gets the same event again after a backoff, in order, and the log shows it", async () => {
  const fl = W.flaky.r;
  await until("the flaky webhook", () => fl.accepted.some((e) => e.documentId === "ev-resume-live"), 30000);
  const said_ = fl.accepted.map((e) => `${e.operation} ${e.documentId}`);
  assert.deepEqual(said_.filter((s) => s.startsWith("insert ev-")).slice(0, 3), ["insert ev-g1", "insert ev-g2", "insert ev-pub"]);
  assert.equal(fl.ids[0], fl.ids[1]);
  assert.equal(fl.ids[1], fl.ids[2]);
  assert.equal(fl.accepted[0].webhookId, fl.ids[0]);
  const log = await admin.call("GET", `/api/v3/webhooks/${W.flaky.id}/deliveries?limit=100`, undefined, 200);
  const oldest = log.json.slice().reverse();
  assert.deepEqual(oldest.slice(0, 3).map((d) => [d.status, d.httpStatus, d.attempt]), [["failed", 500, 1], ["failed", 500, 2], ["delivered", 204, 3]]);
  const hook = await admin.call("GET", `/api/v3/webhooks/${W.flaky.id}`, undefined, 200);
  assert.equal(hook.json.attempts, 0);
  assert.equal(hook.json.secret, undefined);
});

await step("kill -9 while a webhook's receiver is down loses nothing", async () => {
  const all = W.everything.r;
  all.down = true;
  for (let i = 0; i < 3; i++) await ingestor.call("POST", "/api/v3/Datasets", dataset(`ev-kill-${i}`, "group1"), 201);
  await until("attempts while down", () => all.ids.length > all.accepted.length);
  await server.kill9();
  server = await startServer(binary, env, { port, dataDir });
  all.down = false;
  // A kill during a delivery turn leaves the webhook claimed: the new process takes it over when
  // that lease ends (the attempt's time limit, 10 s, plus 30 s; docs/events.md), so allow for it.
  await until("the events after the kill", () => all.accepted.some((e) => e.documentId === "ev-kill-2"), 60000);
  const kills = all.accepted.filter((e) => e.documentId?.startsWith("ev-kill-")).map((e) => e.documentId);
  assert.deepEqual([...new Set(kills)], ["ev-kill-0", "ev-kill-1", "ev-kill-2"]);
});

await step("pausing, deleting and the admin's view of a webhook", async () => {
  await admin.call("PATCH", `/api/v3/webhooks/${W.group1.id}`, { active: false }, 200);
  const n = W.group1.r.accepted.length;
  await ingestor.call("POST", "/api/v3/Datasets", dataset("ev-paused", "group1"), 201);
  await sleep(800);
  assert.equal(W.group1.r.accepted.length, n, "a paused webhook gets nothing");
  await admin.call("PATCH", `/api/v3/webhooks/${W.group1.id}`, { active: true }, 200);
  await until("the change made while paused", () => W.group1.r.accepted.some((e) => e.documentId === "ev-paused"));
  await admin.call("PATCH", `/api/v3/webhooks/${W.group1.id}`, { bogus: 1 }, 400);
  await admin.call("DELETE", `/api/v3/webhooks/${W.group1.id}`, undefined, 200);
  await admin.call("GET", `/api/v3/webhooks/${W.group1.id}`, undefined, 404);
  await admin.call("GET", `/api/v3/webhooks/${W.group1.id}/deliveries`, undefined, 404);
});

for (const m of Object.values(members)) m.close();
for (const w of Object.values(W)) w.r.server.close();
await server.stop();
rmSync(dataDir, { recursive: true, force: true });
finish();
