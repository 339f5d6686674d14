#!/usr/bin/env node
// End-to-end test of the data portal (docs/portal.md) in a real browser against a real
// `openem serve` with the sample catalog: anonymous visitors see public data only; sign-in;
// search with a facet and unit-converted conditions; the dataset page; a file download
// checked byte for byte (the file was uploaded through tus first); archive, then a retrieve
// request whose job shows its status; the jobs, proposals, samples, instruments and user
// pages; session expiry; sign-out. Every page is checked with axe-core (no serious or
// critical violations) and screenshotted; search and dataset pages also at 360 px and
// 3840 px widths (no sideways scrolling).
//
//   node tests/portal/portal_test.mjs --binary build/openem [--artifacts DIR]
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { axeViolations, launch } from "./browser.mjs";
import { ApiClient, PASSWORDS, startServer } from "./server.mjs";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const binary = arg("--binary");
const artifacts = resolve(arg("--artifacts", process.env.PORTAL_ARTIFACTS || "portal-artifacts"));
if (!binary) { console.error("usage: portal_test.mjs --binary PATH [--artifacts DIR]"); process.exit(2); }
mkdirSync(artifacts, { recursive: true });
console.log(`portal: screenshots in ${artifacts}`);

const failures = [];
let checks = 0;
const check = (what, ok, detail = "") => { checks++; if (!ok) failures.push(`${what} ${detail}`.slice(0, 800)); };
const eq = (what, actual, expected) => check(what, actual === expected, `expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);

const web = new URL("../../web/dist/", import.meta.url).pathname;
const server = await startServer(binary, { OPENEM_WEB_DIR: web });
const browser = await launch();
const t0 = Date.now();
try {
  await run(server.url, browser.context);
} catch (e) {
  failures.push(`${e.stack || e}\n--- server log ---\n${server.log().slice(-3000)}`);
} finally {
  await browser.close();
  await server.stop();
}
for (const f of failures) console.log("FAIL:", f);
console.log(`portal e2e: ${checks} checks in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
console.log(`${failures.length ? 0 : 1} passed, ${failures.length ? 1 : 0} failed`);
process.exit(failures.length ? 1 : 0);

async function shot(page, name) {
  await page.screenshot({ path: `${artifacts}/${name}.png`, fullPage: true });
}

async function audit(page, name) {
  const v = await axeViolations(page);
  check(`axe on ${name}:`, v.length === 0, v.join("\n  "));
  await shot(page, name);
}

// Widths of phones and 4K screens: the page must not scroll sideways.
async function atWidths(page, name) {
  for (const width of [360, 3840]) {
    await page.setViewportSize({ width, height: width === 360 ? 740 : 2160 });
    await page.waitForTimeout(100);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check(`${name} at ${width} px scrolls sideways by ${overflow} px`, overflow <= 1);
    await shot(page, `${name}-${width}px`);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

async function prepare(base) {
  const ingestor = await new ApiClient(base).login("ingestor");
  const content = randomBytes(300_000);
  const ds = await ingestor.call("POST", "/api/v3/Datasets", {
    type: "raw", ownerGroup: "group1", accessGroups: [], owner: "User One", contactEmail: "user1@your.site",
    sourceFolder: "/data/portal-e2e", creationTime: "2025-06-01T10:00:00Z", principalInvestigator: "pi@your.site",
    creationLocation: "krios-e2e", datasetName: "portale2e apoferritin session", keywords: ["portale2e"],
    scientificMetadata: {
      acquisition: {
        pixel_size: { value: 0.9, unit: "Å" },
        dose_per_movie: { value: 45, unit: "e/Å²" },
        voltage: { value: 300, unit: "kV" },
      },
    },
  }, 201);
  const pid = ds.json.pid;
  const path = "raw/movie_001.tif";
  await ingestor.call("POST", "/api/v3/OrigDatablocks", {
    datasetId: pid, size: content.length, chkAlg: "sha256",
    dataFileList: [{ path, size: content.length, time: "2025-06-01T10:00:00Z", chk: createHash("sha256").update(content).digest("hex") }],
  }, 201);
  await ingestor.upload(pid, path, content);
  // Another group's private dataset, which user1 and anonymous visitors must never see.
  const secret = await ingestor.call("POST", "/api/v3/Datasets", {
    type: "raw", ownerGroup: "group2", owner: "User Two", contactEmail: "user2@your.site", sourceFolder: "/data/secret",
    creationTime: "2025-06-02T10:00:00Z", principalInvestigator: "pi", creationLocation: "krios-e2e",
    datasetName: "portale2e secret of group2", keywords: ["portale2e"],
  }, 201);
  // A group1 dataset that user1 publishes with a DOI in the portal.
  const toPublish = await ingestor.call("POST", "/api/v3/Datasets", {
    type: "raw", ownerGroup: "group1", owner: "User One", contactEmail: "user1@your.site", sourceFolder: "/data/to-publish",
    creationTime: "2025-06-03T10:00:00Z", principalInvestigator: "pi@your.site", creationLocation: "krios-e2e",
    datasetName: "portale2e dataset to publish", keywords: ["portale2e"],
  }, 201);
  // A proposal with a logbook, and a dataset derived from the session and from group2's secret.
  const admin = await new ApiClient(base).login("admin");
  await admin.call("POST", "/api/v3/Proposals", { proposalId: "PORTAL-LOG", email: "pi@your.site", title: "portale2e logbook",
    ownerGroup: "group1" }, 201);
  const user1 = await new ApiClient(base).login("user1");
  await user1.call("POST", "/api/v3/logbooks/PORTAL-LOG/entries", {
    text: "Loaded **grid 3** <img src=x onerror=alert(1)> and [a trap](javascript:alert(1))\n\n- ice thin\n- 300 kV",
    tags: ["screening"],
  }, 201);
  // Text built to make a naive Markdown pattern backtrack for minutes: the page must still render.
  await user1.call("POST", "/api/v3/logbooks/PORTAL-LOG/entries", { text: "[".repeat(40000) + "[a](".repeat(10000) }, 201);
  const derived = await ingestor.call("POST", "/api/v3/Datasets", {
    type: "derived", ownerGroup: "group1", owner: "User One", contactEmail: "user1@your.site", sourceFolder: "/data/derived",
    creationTime: "2025-06-04T10:00:00Z", investigator: "pi@your.site", inputDatasets: [pid, secret.json.pid],
    usedSoftware: ["relion 5"], datasetName: "portale2e derived map", proposalId: "PORTAL-LOG",
  }, 201);
  return { pid, path, content, secretPid: secret.json.pid, publishPid: toPublish.json.pid, derivedPid: derived.json.pid };
}

async function resultNames(page) {
  await page.waitForFunction(() => !document.querySelector(".loading"));
  return page.locator(".result h3").allInnerTexts();
}

async function run(base, context) {
  const { pid, path, content, secretPid, publishPid, derivedPid } = await prepare(base);
  const page = await context.newPage();
  const consoleErrors = [];
  page.on("pageerror", (e) => consoleErrors.push(String(e)));
  const dsUrl = `${base}/datasets/${encodeURIComponent(pid)}`;

  // --- anonymous: public data only ---
  await page.goto(base + "/");
  await page.waitForSelector(".result");
  const total = await page.locator("#results-heading").innerText();
  eq("anonymous sees the 3 published sample datasets", total, "3 datasets");
  const keyboardFirst = await page.evaluate(() => { document.body.focus(); return true; });
  await page.keyboard.press("Tab");
  eq("the first Tab reaches the skip link", await page.evaluate(() => document.activeElement?.textContent), "Skip to content");
  await audit(page, "search-anonymous");
  void keyboardFirst;
  await page.goto(base + "/?q=portale2e");
  await page.waitForSelector(".empty");
  eq("anonymous search finds no private dataset", (await resultNames(page)).length, 0);
  await page.goto(`${base}/datasets/${encodeURIComponent(secretPid)}`);
  const denied = await page.locator(".error").innerText();
  check("a private dataset shows 'not found or not public' to anonymous", /not found, or it is not public/.test(denied), denied);
  check("the private dataset's name does not appear", !(await page.content()).includes("secret of group2"));
  await audit(page, "dataset-not-found");

  // --- sign in (and come back to where the sign-in link was clicked) ---
  await page.goto(base + "/?q=portale2e");
  await page.getByRole("link", { name: "Sign in" }).click();
  await page.waitForURL(/\/signin\?next=/);
  await audit(page, "signin");
  await page.getByLabel("User name").fill("user1");
  await page.getByLabel("Password").fill("wrong");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByText("Wrong user name or password.").waitFor();
  await page.getByLabel("Password").fill(PASSWORDS.user1);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((u) => u.pathname === "/" && u.searchParams.get("q") === "portale2e");
  await page.getByRole("link", { name: "user1" }).waitFor();

  // --- search: text, a facet, conditions with units converted by the server ---
  await page.waitForSelector(".result");
  const names = await resultNames(page);
  check("user1 finds the group1 dataset", names.includes("portale2e apoferritin session"), JSON.stringify(names));
  check("user1 does not find group2's dataset", !names.some((n) => n.includes("secret")), JSON.stringify(names));
  await page.getByRole("link", { name: /Filter by Instrument: krios-e2e/ }).click();
  await page.waitForURL(/f\.creationLocation=krios-e2e/);
  await page.getByLabel("Add a condition").fill("pixel size < 0.1 nm");
  await page.getByRole("button", { name: "Add", exact: true }).click();
  await page.waitForURL(/c=acquisition\.pixel_size/);
  await page.waitForSelector(".result");
  eq("0.9 Å < 0.1 nm: one result", (await resultNames(page)).join("|"), "portale2e apoferritin session");
  eq("the condition shows resolved", await page.locator(".chips li span").first().innerText(), "acquisition.pixel_size < 0.1 nm");
  await page.getByLabel("Add a condition").fill("dose 40–50 e/Å²");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.querySelectorAll(".chips li").length === 2);
  await page.waitForSelector(".result");
  eq("and a dose range: still one result", (await resultNames(page)).length, 1);
  await page.getByLabel("Add a condition").fill("voltage > 301000 V");
  await page.getByRole("button", { name: "Add", exact: true }).click();
  await page.waitForSelector(".empty");
  eq("300 kV > 301000 V: no result", (await resultNames(page)).length, 0);
  await page.getByRole("button", { name: "Remove condition acquisition.voltage > 301000 V" }).click();
  await page.waitForSelector(".result");
  await page.getByLabel("Add a condition").fill("pixel size");
  await page.getByRole("button", { name: "Add", exact: true }).click();
  check("a malformed condition gets a message", (await page.locator("#cond-error").innerText()).length > 10);
  const shared = page.url();
  await audit(page, "search-signed-in");
  await atWidths(page, "search");
  // The URL holds the whole query: a fresh load of it shows the same result.
  await page.goto(shared);
  await page.waitForSelector(".result");
  eq("a shared search URL reproduces the result", (await resultNames(page)).length, 1);

  // --- the dataset page, and a download checked byte for byte ---
  await page.getByRole("link", { name: "portale2e apoferritin session" }).click();
  await page.waitForURL((u) => u.pathname === `/datasets/${encodeURIComponent(pid)}`);
  await page.getByRole("heading", { level: 1, name: "portale2e apoferritin session" }).waitFor();
  await page.getByRole("link", { name: path }).waitFor();
  check("the metadata tree shows the pixel size with its unit", (await page.locator(".tree").innerText()).includes("pixel_size 0.9 Å"));
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: path }).click()]);
  const bytes = readFileSync(await download.path());
  eq("downloaded file size", bytes.length, content.length);
  check("downloaded bytes equal the uploaded ones", bytes.equals(content));
  eq("download file name", download.suggestedFilename(), "movie_001.tif");
  await audit(page, "dataset");
  await atWidths(page, "dataset");

  // --- archive, then request a retrieve: the jobs appear with their status ---
  await page.getByRole("button", { name: "Archive this dataset" }).click();
  await page.getByText("Archive requested.").waitFor();
  await page.locator(".jobs li", { hasText: "archive job" }).waitFor();
  await page.locator(".status-finishedSuccessful").first().waitFor({ timeout: 30000 });
  await page.getByRole("button", { name: "Request a retrieve" }).waitFor({ timeout: 15000 });
  check("the lifecycle says archived", (await page.locator("#lifecycle").innerText()).includes("archived"));
  await page.getByRole("button", { name: "Request a retrieve" }).click();
  await page.getByText("Retrieve requested.").waitFor();
  const retrieveJob = page.locator(".jobs li", { hasText: "retrieve job" });
  await retrieveJob.waitFor();
  check("the retrieve job shows a status", /jobSubmitted|inProgress|finished/.test(await retrieveJob.innerText()));
  await retrieveJob.locator(".status-finishedSuccessful").waitFor({ timeout: 30000 });
  await audit(page, "dataset-archived");

  // --- jobs page and the job page ---
  await page.getByRole("link", { name: "Jobs", exact: true }).click();
  await page.getByRole("heading", { level: 1, name: "Jobs" }).waitFor();
  await page.locator(".jobs li").first().waitFor();
  eq("two jobs listed", await page.locator(".jobs > li").count(), 2);
  await audit(page, "jobs");
  await page.getByRole("link", { name: "retrieve job" }).first().click();
  await page.getByRole("heading", { level: 1, name: "retrieve job" }).waitFor();
  const history = await page.locator(".status-history li").allInnerTexts();
  check("the job page shows the status history from submitted to finished",
    history.length >= 2 && /jobSubmitted/.test(history[0]) && /finishedSuccessful/.test(history.at(-1)), JSON.stringify(history));
  await audit(page, "job");

  // --- publish a dataset with a DOI: a draft (the server's message at its field), then register ---
  await page.goto(`${base}/datasets/${encodeURIComponent(publishPid)}`);
  await page.getByRole("button", { name: "Publish with a DOI…" }).click();
  const title = page.getByLabel("Title", { exact: true });
  await title.waitFor();
  eq("the publish form is prefilled with the dataset's name", await title.inputValue(), "portale2e dataset to publish");
  eq("the publish form names the owner as creator", await page.getByLabel("Creators").inputValue(), "User One");
  await title.fill("");
  await page.getByRole("button", { name: "Create draft" }).click();
  await page.locator("#publish-title-error").waitFor();
  await audit(page, "publish-form");
  await title.fill("Apoferritin raw movies, portale2e");
  await page.getByRole("button", { name: "Create draft" }).click();
  await page.waitForURL((u) => u.pathname.startsWith("/published/"));
  await page.getByRole("heading", { level: 1, name: "Apoferritin raw movies, portale2e" }).waitFor();
  const doi = decodeURIComponent(new URL(page.url()).pathname.slice("/published/".length));
  check("the new record is a draft", (await page.locator(".state").first().innerText()).includes("draft"));
  eq("anonymous visitors do not see the draft", (await fetch(`${base}/api/v4/publisheddata/${encodeURIComponent(doi)}`)).status, 404);
  await audit(page, "published-draft");
  await page.getByRole("button", { name: "Register the DOI" }).click();
  await page.locator(".state-registered").first().waitFor();
  eq("registering made the dataset public", (await fetch(`${base}/api/v3/datasets/${encodeURIComponent(publishPid)}`)).status, 200);
  eq("the landing page link", await page.getByRole("link", { name: "Landing page of this DOI" }).getAttribute("href"), `/doi/${doi}`);
  const landing = await fetch(`${base}/doi/${doi}`, { headers: { Accept: "text/html" } });
  check("the DOI's landing page shows the title", landing.status === 200 && (await landing.text()).includes("Apoferritin raw movies, portale2e"));
  await audit(page, "published-record");
  await page.getByRole("link", { name: "Published data", exact: true }).click();
  await page.getByRole("heading", { level: 1, name: "Published data" }).waitFor();
  await page.getByRole("link", { name: "Apoferritin raw movies, portale2e" }).waitFor();
  await audit(page, "published");
  await page.goto(`${base}/datasets/${encodeURIComponent(publishPid)}`);
  await page.locator("#publication").getByRole("link", { name: "Apoferritin raw movies, portale2e" }).waitFor();

  // --- proposals, samples, instruments ---
  for (const [nav, heading, item] of [["Proposals", "Proposals", "20210906"], ["Instruments", "Instruments", "Titan Krios G4 (cryo-EM 1)"]]) {
    await page.getByRole("link", { name: nav, exact: true }).click();
    await page.getByRole("heading", { level: 1, name: heading }).waitFor();
    await page.getByRole("link", { name: item }).first().waitFor();
    await audit(page, heading.toLowerCase());
    await page.getByRole("link", { name: item }).first().click();
    await page.locator("h1", { hasText: item }).waitFor();
    await audit(page, heading.toLowerCase() + "-detail");
  }
  await page.getByRole("link", { name: "Samples", exact: true }).click();
  await page.getByRole("heading", { level: 1, name: "Samples" }).waitFor();
  await page.waitForFunction(() => !document.querySelector(".loading"));
  await audit(page, "samples");

  // --- a proposal's logbook: Markdown rendered safely, the automatic entry, a member writes ---
  await page.goto(`${base}/proposals/PORTAL-LOG`);
  await page.getByRole("heading", { name: "Logbook", exact: true }).waitFor();
  await page.locator(".logbook-entries strong", { hasText: "grid 3" }).waitFor();
  eq("no HTML of an entry becomes an element", await page.locator(".logbook-entries img, .logbook-entries script").count(), 0);
  check("an entry's raw HTML shows as the text it is", (await page.locator(".logbook-entries").innerText()).includes("<img src=x onerror=alert(1)>"));
  eq("a javascript: link is no link", await page.locator('.logbook-entries a[href^="javascript"]').count(), 0);
  eq("the entry's list is a list", await page.locator(".logbook-entries li.entry ul li").count(), 2);
  await page.locator(".logbook-entries .entry.automatic", { hasText: "portale2e derived map" }).waitFor();
  await page.getByLabel("New entry (Markdown)").fill("Screened **grid 4** today");
  await page.getByLabel("Tags, separated by commas").fill("screening, krios");
  const png = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");
  await page.getByLabel("Images and files").setInputFiles({ name: "atlas.png", mimeType: "image/png", buffer: png });
  await page.getByRole("button", { name: "Add to the logbook" }).click();
  await page.locator(".logbook-entries strong", { hasText: "grid 4" }).waitFor();
  await page.locator('.logbook-entries img[alt="atlas.png"]').waitFor();
  // an entry written elsewhere (here: through the API) shows without reloading the page
  const colleague = await new ApiClient(base).login("user1");
  await colleague.call("POST", "/api/v3/logbooks/PORTAL-LOG/entries", { text: "Cryo-ET *tilt series* started" }, 201);
  await page.locator(".logbook-entries em", { hasText: "tilt series" }).waitFor({ timeout: 15000 });
  await page.getByLabel("Search the logbook").fill("today");
  await page.waitForFunction(() => document.querySelectorAll(".logbook-entries .entry").length === 1);
  await audit(page, "proposal-logbook");

  // --- lineage and versions on a derived dataset's page ---
  await page.goto(`${base}/datasets/${encodeURIComponent(derivedPid)}`);
  const lineage = page.locator("#lineage");
  await lineage.getByRole("link", { name: "portale2e apoferritin session" }).waitFor();
  const lineageText = await lineage.innerText();
  check("an input user1 may not read shows as no access, without its name",
    lineageText.includes("A dataset you have no access to") && !lineageText.includes("secret of group2"), lineageText);
  await audit(page, "dataset-lineage");

  // --- the user page: groups and the token for the CLI ---
  await page.getByRole("link", { name: "user1" }).click();
  await page.getByRole("heading", { level: 1, name: "user1" }).waitFor();
  check("the user page lists group1", (await page.locator(".groups").innerText()).includes("group1"));
  const token = await page.locator("#token").inputValue();
  const who = await (await fetch(base + "/api/v3/auth/whoami", { headers: { Authorization: "Bearer " + token } })).json();
  eq("the shown token is user1's", who.username, "user1");
  await audit(page, "user");

  // --- an expired session says so, and falls back to public data ---
  await page.evaluate(() => {
    const s = JSON.parse(localStorage.getItem("openem.session"));
    localStorage.setItem("openem.session", JSON.stringify({ ...s, expiresAt: Date.now() - 1000 }));
  });
  await page.goto(dsUrl);
  await page.getByText("Your session has ended").waitFor();
  check("after expiry the private dataset is not shown", /not found, or it is not public/.test(await page.locator(".error").innerText()));
  await audit(page, "session-expired");

  // --- sign in again, sign out ---
  await page.getByRole("link", { name: "Sign in again" }).click();
  await page.getByLabel("User name").fill("user1");
  await page.getByLabel("Password").fill(PASSWORDS.user1);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((u) => u.pathname.startsWith("/datasets/"));
  await page.getByRole("heading", { level: 1, name: "portale2e apoferritin session" }).waitFor();
  await page.getByRole("link", { name: "user1" }).click();
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("link", { name: "Sign in" }).waitFor();
  eq("signed out: the session is gone", await page.evaluate(() => localStorage.getItem("openem.session")), null);
  await page.goto(dsUrl);
  await page.locator(".error").waitFor();
  check("signed out: the dataset is hidden again", !(await page.content()).includes("apoferritin session</h1>"));

  // --- unknown pages and API URLs ---
  await page.goto(base + "/no/such/page");
  await page.getByRole("heading", { name: "Page not found" }).waitFor();
  await audit(page, "not-found");
  const api404 = await page.goto(base + "/api/v3/no-such-endpoint");
  eq("an unknown API URL keeps its JSON 404", api404.status(), 404);
  eq("no script errors in the pages", consoleErrors.join("\n"), "");
}
