// The SciCat TypeScript SDK against a real openem: @scicatproject/scicat-sdk-ts-fetch from npm,
// generated from upstream's OpenAPI description (the SciCat frontend uses its Angular twin
// with the same method names, paths and parameters). Signs in, uploads a raw and a derived
// dataset through v4 with file lists and attachments, reads them back as the frontend's pages
// do, and runs the list, count and search calls of its proposals, samples, jobs and
// instruments pages. Each call is the SDK's own: a path or parameter name openem does not
// answer fails here, as it would in the frontend.
//
//   node tests/clients/scicat_sdk_test.mjs --binary build/openem
//
// The SDK is installed with npm into a test-local folder (OPENEM_SCICAT_SDK_DIR, default
// $TMPDIR/openem-scicat-sdk-<version>, reused between runs); without npm the test fails.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { PASSWORDS, startServer } from "../portal/server.mjs";

const SDK_VERSION = "5.3.2";
const binary = process.argv[process.argv.indexOf("--binary") + 1];
if (!binary || process.argv.indexOf("--binary") < 0) throw new Error("usage: scicat_sdk_test.mjs --binary <openem>");

function loadSdk() {
  const dir = process.env.OPENEM_SCICAT_SDK_DIR ?? join(tmpdir(), `openem-scicat-sdk-${SDK_VERSION}`);
  const pkg = join(dir, "node_modules", "@scicatproject", "scicat-sdk-ts-fetch", "package.json");
  if (!existsSync(pkg))
    execFileSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", "--prefix", dir,
                         `@scicatproject/scicat-sdk-ts-fetch@${SDK_VERSION}`], { stdio: "inherit" });
  return createRequire(join(dir, "index.js"))("@scicatproject/scicat-sdk-ts-fetch");
}

const sdk = loadSdk();
const PASSWORD = { ...PASSWORDS, proposalIngestor: "proposalIngestor-pw", sampleIngestor: "sampleIngestor-pw" };
const server = await startServer(binary);
let failures = 0;
async function step(name, fn) {
  try {
    await fn();
    console.log(`ok   ${name}`);
  } catch (e) {
    failures++;
    console.log(`FAIL ${name}\n     ${(e.response ? `${e.response.status} ${await e.response.text()}` : e.stack ?? e).toString().split("\n").join("\n     ")}`);
  }
}

// The answer's JSON as sent, for calls whose generated model drops or mistypes fields (the
// Angular SDK the frontend uses does not transform answers at all): OutputDatasetDto has no
// `attachments`/`origdatablocks`, and the /files row model expects an array where upstream's
// $unwind gives one file object.
async function rawJson(response) {
  return (await response).raw.json();
}

// A signed-in configuration, as the frontend builds it from the login answer.
async function signIn(username) {
  const login = await new sdk.AuthApi(new sdk.Configuration({ basePath: server.url }))
    .authControllerLoginV3({ CredentialsDto: { username, password: PASSWORD[username] } });
  assert.ok(login.access_token, "login gives an access_token");
  return { config: new sdk.Configuration({ basePath: server.url, accessToken: login.access_token }), userId: login.userId };
}

try {
  const ingestor = await signIn("ingestor");
  const user1 = await signIn("user1");
  const proposals = await signIn("proposalIngestor");
  const samples = await signIn("sampleIngestor");
  const anonymous = new sdk.Configuration({ basePath: server.url });
  let raw, derived, job;

  await step("the frontend's settings after sign-in", async () => {
    const settings = await new sdk.UsersApi(user1.config).usersControllerGetSettingsV3({ id: user1.userId });
    assert.equal(typeof settings.datasetCount, "number");
  });

  await step("proposal and sample through v3", async () => {
    await new sdk.ProposalsApi(proposals.config).proposalsControllerCreateV3({
      CreateProposalDto: { proposalId: "SDK-P1", email: "pi@your.site", title: "SDK proposal", ownerGroup: "group1" },
    });
    await new sdk.SamplesApi(samples.config).samplesControllerCreateV3({
      CreateSampleDto: { sampleId: "SDK-S1", owner: "o", description: "SDK sample", ownerGroup: "group1" },
    });
  });

  await step("v4 upload: raw dataset, its files and a thumbnail", async () => {
    raw = await new sdk.DatasetsV4Api(ingestor.config).datasetsV4ControllerCreateV4({
      CreateDatasetDto: {
        type: "raw", datasetName: "SDK raw", ownerGroup: "group1", owner: "o", contactEmail: "o@your.site",
        sourceFolder: "/data/sdk/raw", creationTime: new Date("2026-12-01T09:00:00Z"), creationLocation: "Krios",
        principalInvestigators: ["pi@your.site"], proposalIds: ["SDK-P1"], sampleIds: ["SDK-S1"], isPublished: true,
        scientificMetadata: { voltage: { value: 300, unit: "kV" } },
      },
    });
    assert.match(raw.pid, /^PID\.prefix\.a0b1\//);
    await new sdk.OrigdatablocksV4Api(ingestor.config).origDatablocksV4ControllerCreateV4({
      CreateOrigDatablockDto: {
        datasetId: raw.pid, size: 30, ownerGroup: "group1", chkAlg: "sha256",
        dataFileList: [{ path: "Movies/a.tif", size: 10, time: new Date("2026-12-01T09:01:00Z"), chk: "aa" },
                       { path: "Movies/b.tif", size: 20, time: new Date("2026-12-01T09:02:00Z"), chk: "bb" }],
      },
    });
    const att = await new sdk.AttachmentsV4Api(ingestor.config).attachmentsV4ControllerCreateAttachmentV4({
      CreateAttachmentV4Dto: {
        caption: "first micrograph", ownerGroup: "group1", isPublished: true, thumbnail: "data:image/png;base64,iVBORw0KGgo=",
        relationships: [{ targetId: raw.pid, targetType: "dataset", relationType: "is attached to" }],
      },
    });
    assert.equal(att.relationships[0].targetId, raw.pid);
  });

  await step("v4 upload: derived dataset", async () => {
    derived = await new sdk.DatasetsV4Api(ingestor.config).datasetsV4ControllerCreateV4({
      CreateDatasetDto: {
        type: "derived", datasetName: "SDK map", ownerGroup: "group1", owner: "o", contactEmail: "o@your.site",
        sourceFolder: "/data/sdk/map", creationTime: new Date("2026-12-02T09:00:00Z"),
        principalInvestigators: ["pi@your.site"], inputDatasets: [raw.pid], usedSoftware: ["relion"],
      },
    });
    assert.deepEqual(derived.inputDatasets, [raw.pid]);
  });

  await step("dataset page: v4 read with its files and attachments", async () => {
    const d = await rawJson(new sdk.DatasetsV4Api(user1.config).datasetsV4ControllerFindByIdV4Raw({
      pid: raw.pid, include: ["attachments", "origdatablocks"],
    }));
    assert.equal(d.datasetName, "SDK raw");
    assert.deepEqual(d.proposalIds, ["SDK-P1"]);
    assert.equal(d.attachments[0].caption, "first micrograph");
    assert.equal(d.origdatablocks[0].dataFileList.length, 2);
  });

  await step("dataset page: related datasets (v4 list and count)", async () => {
    const filter = JSON.stringify({ where: { type: "derived", inputDatasets: raw.pid }, limits: { skip: 0, limit: 25 } });
    const api = new sdk.DatasetsV4Api(user1.config);
    const list = await api.datasetsV4ControllerFindAllV4({ filter });
    assert.deepEqual(list.map((x) => x.pid), [derived.pid]);
    const count = await api.datasetsV4ControllerCountV4({ filter: JSON.stringify({ where: { type: "derived", inputDatasets: raw.pid } }) });
    assert.equal(count.count, 1);
  });

  await step("datafiles tab: one row per file and the file count", async () => {
    const filter = JSON.stringify({ where: { datasetId: raw.pid } });
    const api = new sdk.OrigdatablocksV4Api(user1.config);
    const rows = await rawJson(api.origDatablocksV4ControllerFindAllFilesV4Raw({ filter }));
    assert.deepEqual(rows.map((r) => r.dataFileList.path).sort(), ["Movies/a.tif", "Movies/b.tif"]);
    assert.ok(rows.every((r) => r.datasetExist === true));
    assert.equal((await api.origDatablocksV4ControllerCountFilesV4({ filter })).count, 2);
    // (the SDK's fullfacet calls send a `filters` object that upstream's controller does not
    // read either; tests/api/scenarios/clients/frontend-pages.test has the frontend's form)
    const v3 = new sdk.OrigdatablocksApi(user1.config);
    const files = await rawJson(v3.origDatablocksControllerFullqueryFilesV3Raw({
      fields: JSON.stringify({ datasetId: raw.pid }), limits: JSON.stringify({ skip: 0, limit: 1 }),
    }));
    assert.equal(files.length, 1);
  });

  await step("public mirror: anonymous readers see the published dataset's files", async () => {
    const rows = await new sdk.OrigdatablocksPublicV4Api(anonymous).origDatablocksPublicV4ControllerFindAllPublicV4({
      filter: JSON.stringify({ where: { datasetId: { $in: [raw.pid, derived.pid] } } }),
    });
    assert.deepEqual(rows.map((r) => r.datasetId), [raw.pid]);  // the derived dataset is not published
    const d = await new sdk.DatasetsPublicV4Api(anonymous).datasetsPublicV4ControllerFindByIdPublicV4({ pid: raw.pid });
    assert.equal(d.pid, raw.pid);
  });

  await step("datasets list page: fullquery and fullfacet", async () => {
    const api = new sdk.DatasetsApi(user1.config);
    const list = await api.datasetsControllerFullqueryV3({
      fields: JSON.stringify({ mode: {}, text: "SDK" }), limits: JSON.stringify({ skip: 0, limit: 25, order: "creationTime:desc" }),
    });
    assert.deepEqual(list.map((x) => x.pid), [derived.pid, raw.pid]);
    const facets = await api.datasetsControllerFullfacetV3({ fields: JSON.stringify({ text: "SDK" }), facets: JSON.stringify(["type"]) });
    assert.equal(facets[0].all[0].totalSets, 2);
  });

  await step("proposals page: fullquery, count, related proposals, access", async () => {
    const api = new sdk.ProposalsApi(user1.config);
    const list = await api.proposalsControllerFullqueryV3({ fields: JSON.stringify({ text: "SDK" }), limits: JSON.stringify({ skip: 0, limit: 25 }) });
    assert.deepEqual(list.map((p) => p.proposalId), ["SDK-P1"]);
    assert.equal(list[0].numberOfDatasets, 1);
    const filters = JSON.stringify({ where: { proposalId: { $in: ["SDK-P1"] } }, limits: { skip: 0, limit: 25 } });
    assert.deepEqual((await api.proposalsControllerFindAllV3({ filters })).map((p) => p.proposalId), ["SDK-P1"]);
    assert.equal((await api.proposalsControllerCountV3({ filters: JSON.stringify({ where: { proposalId: "SDK-P1" } }) })).count, 1);
    assert.equal((await api.proposalsControllerFindByIdAccessV3({ pid: "SDK-P1" })).canAccess, true);
  });

  await step("samples page: fullquery, count, access", async () => {
    const api = new sdk.SamplesApi(user1.config);
    const list = await api.samplesControllerFullqueryV3({ fields: JSON.stringify({ text: "SDK" }), limits: JSON.stringify({ skip: 0, limit: 25 }) });
    assert.deepEqual(list.map((s) => s.sampleId), ["SDK-S1"]);
    assert.equal((await api.samplesControllerCountV3({ fields: JSON.stringify({ text: "SDK" }) })).count, 1);
    assert.equal((await api.samplesControllerFindByIdAccessV3({ id: "SDK-S1" })).canAccess, true);
  });

  await step("jobs page: create, list, text search, detail", async () => {
    const api = new sdk.JobsApi(user1.config);
    job = await api.jobsControllerCreateV3({
      CreateJobDtoV3: { type: "archive", emailJobInitiator: "user1@your.site", jobParams: { username: "user1" },
                        datasetList: [{ pid: raw.pid, files: [] }] },
    });
    assert.ok(job.id);
    const found = await api.jobsControllerFullQueryV3({ fields: JSON.stringify({ text: raw.pid }), limits: JSON.stringify({ skip: 0, limit: 25 }) });
    assert.deepEqual(found.map((j) => j.id), [job.id]);
    const none = await api.jobsControllerFullQueryV3({ fields: JSON.stringify({ text: "no-such-word" }) });
    assert.deepEqual(none, []);
    assert.equal((await api.jobsControllerFindOneV3({ id: job.id })).type, "archive");
  });

  await step("instruments page: list and count", async () => {
    const api = new sdk.InstrumentsApi(user1.config);
    const list = await api.instrumentsControllerFindAllV3({ filter: JSON.stringify({ limits: { skip: 0, limit: 100 } }) });
    const count = await api.instrumentsControllerCountV3({});
    assert.equal(count.count, list.length);
  });
} finally {
  if (failures) console.log("server log (tail):\n" + server.log().slice(-3000));
  await server.stop();
}
console.log(failures ? `${failures} failed` : "all passed");
process.exit(failures ? 1 : 0);
