// Sign-in through a real OpenID Provider (npm oidc-provider, tests/identity/oidc_provider.mjs)
// against a real `openem serve`, by HTTP as a browser and a facility's tool would do it:
// the SciCat login flow with its success-URL query, groups from the provider refreshed at each
// sign-in, Bearer access tokens issued by the provider accepted on the API, logout with the
// provider's end-session URL — and the attacks: replayed and foreign state, open redirects,
// forged, unsigned and wrong-audience tokens, a user name that belongs to a local account, a
// provider that is down or never answers.
//
//   node tests/identity/oidc_test.mjs --binary build/openem
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer } from "node:net";

import { axeViolations, launch } from "../portal/browser.mjs";
import { ApiClient, startServer } from "../portal/server.mjs";
import { HttpBrowser } from "./http_browser.mjs";
import { finish, step } from "./steps.mjs";
import { OPENEM_RESOURCE, freePort, startProvider } from "./oidc_provider.mjs";

const binary = process.argv[process.argv.indexOf("--binary") + 1];
if (!binary || process.argv.indexOf("--binary") < 0) throw new Error("usage: oidc_test.mjs --binary <openem>");

const b64url = (buf) => Buffer.from(buf).toString("base64url");

const accounts = {
  alice: { preferred_username: "alice", name: "Alice Cryo", email: "alice@facility.example", groups: ["oidc-staff", "p20250101"] },
  bob: { preferred_username: "bob", name: "Bob", email: "bob@facility.example", groups: ["elsewhere"] },
  mallory: { preferred_username: "admin", name: "Not the admin", email: "admin@your.site", groups: ["admin"] },
};
const openemPort = await freePort();
const base = `http://127.0.0.1:${openemPort}`;
const TOOL_CALLBACK = "http://127.0.0.1:9/tool-callback";
const provider = await startProvider({
  accounts,
  clients: [
    { client_id: "openem", client_secret: "openem-client-secret", redirect_uris: [`${base}/api/v3/auth/oidc/callback`],
      grant_types: ["authorization_code"], response_types: ["code"], post_logout_redirect_uris: [`${base}/`] },
    { client_id: "facility-tool", client_secret: "tool-secret", redirect_uris: [TOOL_CALLBACK],
      grant_types: ["authorization_code"], response_types: ["code"] },
  ],
});
const oidcEnv = (issuer, extra = {}) => ({
  OIDC_ISSUER: issuer,
  OIDC_CLIENT_ID: "openem",
  OIDC_CLIENT_SECRET: "openem-client-secret",
  OIDC_CALLBACK_URL: `${base}/api/v3/auth/oidc/callback`,
  OIDC_SCOPE: "openid profile email groups",
  OIDC_SUCCESS_URL: `${base}/auth-callback`,
  OIDC_ACCESS_GROUPS_PROPERTY: "groups",
  OPENEM_OIDC_AUDIENCES: `openem,${OPENEM_RESOURCE}`,
  OPENEM_OIDC_TIMEOUT_SECONDS: "2",
  ...extra,
});
const server = await startServer(binary, oidcEnv(provider.issuer), { port: openemPort });

const atSuccess = (u) => u.startsWith(`${base}/auth-callback`);
const atCallback = (u) => u.startsWith(`${base}/api/v3/auth/oidc/callback`);
async function signIn(browser, login, query = "") {
  const landed = await browser.visit(`${base}/api/v3/auth/oidc${query}`, { login, stopAt: atSuccess });
  return new URL(landed).searchParams;
}
async function api(method, path, token, body) {
  const headers = token ? { Authorization: `Bearer ${token}` } : {};
  if (body) headers["Content-Type"] = "application/json";
  const r = await fetch(base + path, { method, headers, body: body && JSON.stringify(body) });
  const text = await r.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: r.status, json, text };
}

// A facility's tool signs alice in with its own client and gets a JWT access token for openem.
async function toolAccessToken(login) {
  const browser = new HttpBrowser();
  const verifier = b64url(randomBytes(32));
  const challenge = b64url(createHash("sha256").update(verifier).digest());
  const auth = `${provider.issuer}/auth?` + new URLSearchParams({
    client_id: "facility-tool", response_type: "code", redirect_uri: TOOL_CALLBACK, scope: "openid profile email groups",
    code_challenge: challenge, code_challenge_method: "S256", resource: OPENEM_RESOURCE, state: "s", nonce: "n",
  });
  const landed = await browser.visit(auth, { login, stopAt: (u) => u.startsWith(TOOL_CALLBACK) });
  const code = new URL(landed).searchParams.get("code");
  assert.ok(code, `no code in ${landed}`);
  const r = await fetch(`${provider.issuer}/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Authorization: "Basic " + Buffer.from("facility-tool:tool-secret").toString("base64") },
    body: new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: TOOL_CALLBACK, code_verifier: verifier, resource: OPENEM_RESOURCE }),
  });
  const tokens = await r.json();
  assert.equal(r.status, 200, JSON.stringify(tokens));
  return tokens;
}

let staffPid;
let aliceToken;
try {
  const admin = await new ApiClient(server.url).login("admin");
  const ds = await admin.call("POST", "/api/v3/Datasets", {
    type: "raw", ownerGroup: "oidc-staff", accessGroups: [], owner: "Staff", contactEmail: "staff@facility.example",
    sourceFolder: "/data/oidc", creationTime: "2025-06-01T10:00:00Z", principalInvestigator: "pi@facility.example",
    creationLocation: "krios-oidc", datasetName: "oidc staff session",
  }, 201);
  staffPid = encodeURIComponent(ds.json.pid);

  await step("the frontend configuration offers the provider's sign-in button", async () => {
    const r = await api("GET", "/api/v3/admin/config");
    assert.deepEqual(r.json.oAuth2Endpoints, [{ authURL: "api/v3/auth/oidc", displayText: "Sign in with your institution" }]);
  });

  await step("alice signs in through the provider and gets a token, her id and the return URL", async () => {
    const q = await signIn(new HttpBrowser(), "alice");
    aliceToken = q.get("access-token");
    assert.ok(aliceToken, `no token: ${q}`);
    assert.equal(q.get("returnUrl"), "/datasets");
    assert.match(q.get("user-id"), /^oidc-[0-9a-f]{32}$/);
    const who = await api("GET", "/api/v3/auth/whoami", aliceToken);
    assert.equal(who.json.username, "alice");
    assert.equal(who.json.email, "alice@facility.example");
    assert.equal(who.json.authStrategy, "oidc");
    assert.deepEqual(who.json.currentGroups, ["oidc-staff", "p20250101"]);
    const identity = await api("GET", "/api/v3/users/my/identity", aliceToken);
    assert.equal(identity.json.provider, provider.issuer);
    assert.equal(identity.json.externalId, "alice");
    assert.equal(identity.json.profile.displayName, "Alice Cryo");
  });

  await step("her groups from the provider open her group's data; bob's do not", async () => {
    assert.equal((await api("GET", `/api/v3/Datasets/${staffPid}`, aliceToken)).status, 200);
    const bob = await signIn(new HttpBrowser(), "bob");
    assert.equal((await api("GET", `/api/v3/Datasets/${staffPid}`, bob.get("access-token"))).status, 404);
  });

  await step("a successURL and returnUrl on this site are honoured", async () => {
    const q = await signIn(new HttpBrowser(), "alice", `?successURL=${encodeURIComponent(`${base}/auth-callback?from=portal`)}&returnUrl=${encodeURIComponent("/datasets/x")}`);
    assert.equal(q.get("from"), "portal");
    assert.equal(q.get("returnUrl"), "/datasets/x");
    assert.ok(q.get("access-token"));
  });

  await step("success and return URLs elsewhere are refused (no open redirect)", async () => {
    for (const query of [
      `successURL=${encodeURIComponent("https://evil.example.org/steal")}`,
      `successURL=${encodeURIComponent("//evil.example.org/steal")}`,
      `successURL=${encodeURIComponent("/\\evil.example.org/steal")}`,
      `successURL=${encodeURIComponent(`http://127.0.0.1:${openemPort}@evil.example.org/`)}`,
      `returnUrl=${encodeURIComponent("https://evil.example.org/")}`,
      `successURL=${encodeURIComponent(`${base}/auth-callback\r\nSet-Cookie: stolen=1`)}`,
      `returnUrl=${encodeURIComponent("/datasets\r\nLocation: https://evil.example.org/")}`,
    ]) {
      const r = await new HttpBrowser().request(`${base}/api/v3/auth/oidc?${query}`);
      assert.equal(r.status, 400, `${query}: ${r.status} ${r.location}`);
    }
  });

  await step("a callback is refused in another browser and when replayed", async () => {
    const browser = new HttpBrowser();
    const callback = await browser.visit(`${base}/api/v3/auth/oidc`, { login: "alice", stopAt: atCallback });
    const foreign = await new HttpBrowser().request(callback);
    assert.equal(foreign.status, 400);
    assert.match(foreign.text, /not started in this browser/);
    // Another browser's sign-in cookie (the attacker's own) does not fit this callback either.
    const attacker = new HttpBrowser();
    await attacker.visit(`${base}/api/v3/auth/oidc`, { login: "bob", stopAt: atCallback });
    const attackerSeal = attacker.jars.get(new URL(base).origin).get("openem_oidc_state");
    const crossed = await fetch(callback, { redirect: "manual", headers: { cookie: `openem_oidc_state=${attackerSeal}` } });
    assert.equal(crossed.status, 400);
    assert.match(await crossed.text(), /not started in this browser/);
    const sealed = browser.jars.get(new URL(base).origin).get("openem_oidc_state");
    const first = await browser.request(callback);
    assert.equal(first.status, 302);
    assert.ok(new URL(first.location).searchParams.get("access-token"));
    assert.equal(first.headers.get("referrer-policy"), "no-referrer");
    // The state cookie was cleared by the first answer; with it put back, the state is still spent.
    const replay = await fetch(callback, { redirect: "manual", headers: { cookie: `openem_oidc_state=${sealed}` } });
    assert.equal(replay.status, 400);
    assert.match(await replay.text(), /unknown, was used already/);
  });

  await step("a sign-in started on one API process finishes on another (no sticky sessions)", async () => {
    // A second process of the same deployment: same JWT_SECRET and OIDC settings, its own port.
    const other = await startServer(binary, oidcEnv(provider.issuer), { port: await freePort() });
    try {
      const browser = new HttpBrowser();
      const callback = await browser.visit(`${base}/api/v3/auth/oidc`, { login: "alice", stopAt: atCallback });
      const state = new URL(callback).searchParams.get("state");
      const sealed = browser.jars.get(new URL(base).origin).get("openem_oidc_state");
      assert.ok(sealed && !sealed.includes(state), "the cookie carries the sign-in sealed, not its state");
      const there = await fetch(callback.replace(base, other.url),
        { redirect: "manual", headers: { cookie: `openem_oidc_state=${sealed}` } });
      assert.equal(there.status, 302, await there.text());
      const q = new URL(there.headers.get("location")).searchParams;
      assert.equal(q.get("error"), null);
      const who = await fetch(`${other.url}/api/v3/auth/whoami`, { headers: { authorization: `Bearer ${q.get("access-token")}` } });
      assert.equal((await who.json()).username, "alice");
      // The same callback replayed on the first process: its code was redeemed, the provider refuses it.
      const replay = await fetch(callback, { redirect: "manual", headers: { cookie: `openem_oidc_state=${sealed}` } });
      assert.equal(replay.status, 302);
      const rq = new URL(replay.headers.get("location")).searchParams;
      assert.equal(rq.get("access-token"), null);
      assert.match(rq.get("error"), /Sign-in failed/);
    } finally {
      await other.stop();
    }
  });

  await step("a refusal by the provider comes back to the success URL as an error", async () => {
    const browser = new HttpBrowser();
    const callback = new URL(await browser.visit(`${base}/api/v3/auth/oidc`, { login: "alice", stopAt: atCallback }));
    callback.searchParams.delete("code");
    callback.searchParams.set("error", "access_denied");
    const r = await browser.request(callback.href);
    assert.equal(r.status, 302);
    const q = new URL(r.location).searchParams;
    assert.equal(q.get("access-token"), null);
    assert.match(q.get("error"), /refused the sign-in \(access_denied\)/);
  });

  await step("a provider account named like the local admin does not become the admin", async () => {
    const q = await signIn(new HttpBrowser(), "mallory");
    assert.equal(q.get("access-token"), null);
    assert.match(q.get("error"), /belongs to another account/);
    const admin = await new ApiClient(server.url).login("admin");
    const who = await admin.call("GET", "/api/v3/auth/whoami", undefined, 200);
    assert.equal(who.json.authStrategy, "local");
    assert.deepEqual(who.json.currentGroups, ["admin"]);
  });

  await step("groups are refreshed at each sign-in: a group the provider took away closes its data", async () => {
    accounts.alice.groups = ["p20250101"];
    const q = await signIn(new HttpBrowser(), "alice");
    const fresh = q.get("access-token");
    assert.deepEqual((await api("GET", "/api/v3/auth/whoami", fresh)).json.currentGroups, ["p20250101"]);
    assert.equal((await api("GET", `/api/v3/Datasets/${staffPid}`, fresh)).status, 404);
    assert.equal((await api("GET", `/api/v3/Datasets/${staffPid}`, aliceToken)).status, 404, "an older token has the new groups too");
    accounts.alice.groups = ["oidc-staff", "p20250101"];
  });

  await step("the audit log has the provider's sign-ins, refusals and group changes", async () => {
    const admin = await new ApiClient(server.url).login("admin");
    const alice = (await admin.call("GET", "/api/v3/admin/audit?user=alice", undefined, 200)).json;
    assert.ok(alice.some((e) => e.event === "signin" && e.detail.strategy === "oidc" && e.detail.provider === provider.issuer));
    assert.ok(alice.some((e) => e.event === "groups_changed" && e.detail.after.length === 1), JSON.stringify(alice));
    const failed = (await admin.call("GET", "/api/v3/admin/audit?event=signin_failed", undefined, 200)).json;
    assert.ok(failed.some((e) => /belongs to another account/.test(e.detail.reason)));
    assert.ok(failed.some((e) => /access_denied/.test(e.detail.reason)));
  });

  let toolTokens;
  await step("the provider's access tokens are accepted as Bearer tokens, with the token's groups", async () => {
    toolTokens = await toolAccessToken("alice");
    assert.equal(toolTokens.access_token.split(".").length, 3, "the provider should issue JWT access tokens");
    const who = await api("GET", "/api/v3/auth/whoami", toolTokens.access_token);
    assert.equal(who.json.username, "alice");
    assert.deepEqual(who.json.currentGroups, ["oidc-staff", "p20250101"]);
    assert.equal((await api("GET", `/api/v3/Datasets/${staffPid}`, toolTokens.access_token)).status, 200);
  });

  await step("forged, unsigned and wrong-audience provider tokens are refused", async () => {
    const [h, p] = toolTokens.access_token.split(".");
    const claims = JSON.parse(Buffer.from(p, "base64url"));
    const forged = [
      // alg none with alice's claims
      `${b64url(JSON.stringify({ alg: "none", typ: "JWT" }))}.${p}.`,
      // the claims changed under the provider's signature
      `${h}.${b64url(JSON.stringify({ ...claims, groups: ["admin"] }))}.${toolTokens.access_token.split(".")[2]}`,
      // the tool's ID token: signed by the provider, but for the tool, not for openem
      toolTokens.id_token,
      // an expired copy would need the provider's key; a made-up key id must not crash or hang
      `${b64url(JSON.stringify({ alg: "RS256", kid: "no-such-key" }))}.${p}.${b64url(randomBytes(256))}`,
    ];
    for (const token of forged) {
      const who = await api("GET", "/api/v3/auth/whoami", token);
      assert.deepEqual(who.json, {}, `accepted: ${token.slice(0, 60)}…`);
      assert.equal((await api("GET", `/api/v3/Datasets/${staffPid}`, token)).status, 404);
    }
  });

  await step("logout ends the openem token and names the provider's end-session URL", async () => {
    const q = await signIn(new HttpBrowser(), "alice");
    const token = q.get("access-token");
    const out = await api("POST", "/api/v3/auth/logout", token);
    assert.equal(out.status, 200);
    assert.equal(out.json.logout, "successful");
    assert.equal(out.json.logoutURL, `${provider.issuer}/session/end`);
    assert.deepEqual((await api("GET", "/api/v3/auth/whoami", token)).json, {});
  });
  await step("alice makes an ingest token, `openem login --token` keeps it, ingest works with it, and not once it is revoked", async () => {
    const session = (await signIn(new HttpBrowser(), "alice")).get("access-token");
    const made = await api("POST", "/api/v3/users/my/tokens", session, { name: "acquisition PC", scope: "ingest" });
    assert.equal(made.status, 201, made.text);
    const work = mkdtempSync(join(tmpdir(), "openem-oidc-ingest-"));
    try {
      const credentials = join(work, "credentials.json");
      const env = { ...process.env, HOME: work, XDG_CONFIG_HOME: join(work, ".config") };
      delete env.OPENEM_TOKEN;
      const saved = execFileSync(binary, ["login", "--server", base, "--token-stdin", "--credentials", credentials],
        { input: made.json.token + "\n", env, encoding: "utf8" });
      assert.match(saved, /token of alice at/);
      const folder = (name) => {
        const root = join(work, name);
        mkdirSync(join(root, "frames"), { recursive: true });
        for (let i = 0; i < 3; i++) writeFileSync(join(root, "frames", `movie_${i}.tif`), randomBytes(50_000));
        return root;
      };
      const ingest = (root) => spawnSync(binary, ["ingest", root, "--server", base, "--credentials", credentials,
        "--owner-group", "oidc-staff", "--state-dir", join(work, "state")], { env, encoding: "utf8", timeout: 120_000 });
      const first = ingest(folder("session-1"));
      assert.equal(first.status, 0, first.stdout + first.stderr);
      const found = await api("GET", `/api/v3/Datasets?filter=${encodeURIComponent(JSON.stringify({ where: { sourceFolder: join(work, "session-1") } }))}`, session);
      assert.equal(found.json.length, 1, found.text);
      assert.equal(found.json[0].ownerGroup, "oidc-staff");
      const revoked = await api("DELETE", `/api/v3/users/my/tokens/${made.json.id}`, session);
      assert.equal(revoked.status, 200);
      const second = ingest(folder("session-2"));
      assert.notEqual(second.status, 0, "ingest with a revoked token must fail");
      assert.match(second.stdout + second.stderr, /401|Unauthorized|not accept/i);
      const none = await api("GET", `/api/v3/Datasets?filter=${encodeURIComponent(JSON.stringify({ where: { sourceFolder: join(work, "session-2") } }))}`, session);
      assert.deepEqual(none.json, []);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  await step("in the portal: the provider's button signs alice in, her page shows her groups, sign-out ends both sessions", async () => {
    const browser = await launch();
    try {
      const page = await browser.context.newPage();
      await page.goto(`${base}/signin?next=%2Fuser`);
      const button = page.locator("#provider-signin");
      await button.waitFor();
      assert.equal((await button.textContent()).trim(), "Sign in with your institution");
      assert.deepEqual(await axeViolations(page), [], "axe on the sign-in page with the provider's button");
      await button.click();
      // oidc-provider's own sign-in and consent pages.
      await page.waitForURL(`${provider.issuer}/interaction/**`);
      await page.fill("input[name=login]", "alice");
      await page.fill("input[name=password]", "any");
      await page.click("button[type=submit]");
      await page.waitForURL(`${provider.issuer}/interaction/**`);
      await page.click("button[type=submit]");
      await page.waitForURL(`${base}/user`);
      assert.equal(await page.locator("h1").textContent(), "alice");
      assert.deepEqual(await page.locator("ul.groups li").allTextContents(), ["oidc-staff", "p20250101"]);
      const token = await page.evaluate(() => JSON.parse(localStorage.getItem("openem.session")).token);
      assert.equal((await api("GET", "/api/v3/auth/whoami", token)).json.username, "alice");
      // A personal token made on her page works on the API until she revokes it there.
      await page.fill("#token-name", "browser token");
      await page.selectOption("#token-scope", "read");
      await page.click("#token-form button[type=submit]");
      const made = await page.locator("#new-token").inputValue();
      assert.match(made, /^oem\./);
      await page.locator("#token-list td", { hasText: "browser token" }).waitFor();
      assert.deepEqual(await axeViolations(page), [], "axe on the user page with its tokens");
      await page.setViewportSize({ width: 360, height: 740 });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `the user page scrolls sideways by ${overflow} px at 360 px`);
      await page.setViewportSize({ width: 1280, height: 900 });
      assert.equal((await api("GET", "/api/v3/auth/whoami", made)).json.username, "alice");
      await page.locator("#token-list td", { hasText: "browser token" }).waitFor();
      await page.click("button[aria-label='Revoke browser token']");
      await page.locator("#token-list td", { hasText: "browser token" }).waitFor({ state: "detached" });
      assert.deepEqual((await api("GET", "/api/v3/auth/whoami", made)).json, {});
      await page.click("button:text-is(\"Sign out\")");
      await page.waitForURL(`${provider.issuer}/session/end**`);
      assert.deepEqual((await api("GET", "/api/v3/auth/whoami", token)).json, {}, "the token must be revoked");
      await page.goto(`${base}/auth-callback?error=${encodeURIComponent("The identity provider refused the sign-in")}`);
      assert.equal(await page.locator("#signin-error").textContent(), "The identity provider refused the sign-in");
      assert.deepEqual(await axeViolations(page), [], "axe on the failed sign-in page");
      assert.equal(new URL(page.url()).search, "", "the callback's query leaves the address bar");
    } finally {
      await browser.close();
    }
  });
} finally {
  await server.stop();
}

await step("a provider that is down gives a clear 502 at once", async () => {
  const dead = await freePort();
  const port = await freePort();
  const s = await startServer(binary, oidcEnv(`http://127.0.0.1:${dead}`), { port });
  try {
    const started = Date.now();
    const r = await fetch(`http://127.0.0.1:${port}/api/v3/auth/oidc`, { redirect: "manual" });
    assert.equal(r.status, 502);
    assert.match((await r.json()).message, /did not answer/);
    assert.ok(Date.now() - started < 2000);
    // Local sign-in keeps working without the provider.
    await new ApiClient(s.url).login("user1");
  } finally {
    await s.stop();
  }
});

await step("a provider that never answers costs the configured timeout, not a hung request", async () => {
  const sockets = [];
  const silent = createServer((socket) => sockets.push(socket));
  await new Promise((r) => silent.listen(0, "127.0.0.1", r));
  const port = await freePort();
  const s = await startServer(binary, oidcEnv(`http://127.0.0.1:${silent.address().port}`), { port });
  try {
    const started = Date.now();
    const r = await fetch(`http://127.0.0.1:${port}/api/v3/auth/oidc`, { redirect: "manual" });
    const elapsed = Date.now() - started;
    assert.equal(r.status, 502);
    assert.ok(elapsed >= 1500 && elapsed < 6000, `took ${elapsed} ms`);
    assert.equal((await fetch(`http://127.0.0.1:${port}/api/v3/auth/whoami`)).status, 200);
  } finally {
    await s.stop();
    for (const socket of sockets) socket.destroy();
    silent.close();
  }
});

await provider.close();
finish();
