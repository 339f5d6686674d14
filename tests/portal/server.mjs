// A real `openem serve` for the portal tests: fresh data directory, 127.0.0.1 port 0, the
// sample catalog, and the API tests' accounts and settings (tests/api/run.py DEFAULT_ENV).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const HERE = new URL(".", import.meta.url).pathname;
export const ADMIN_PASSWORD = "admin-pw-for-api-tests";
export const PASSWORDS = { admin: ADMIN_PASSWORD, user1: "user1-pw", user2: "user2-pw", user3: "user3-pw", ingestor: "ingestor-pw" };

const DEFAULT_ENV = {
  OPENEM_ADMIN_PASSWORD: ADMIN_PASSWORD,
  FUNCTIONAL_ACCOUNTS_FILE: join(HERE, "..", "api", "accounts.json"),
  ADMIN_GROUPS: "admin",
  DELETE_GROUPS: "admin,archivemanager",
  CREATE_DATASET_PRIVILEGED_GROUPS: "ingestor",
  UPDATE_DATASET_LIFECYCLE_GROUPS: "archivemanager",
  PROPOSAL_GROUPS: "proposalingestor",
  SAMPLE_PRIVILEGED_GROUPS: "sampleingestor",
  POLICY_GROUPS: "policymanager",
  PID_PREFIX: "PID.prefix.a0b1",
  JWT_SECRET: "openem-api-test-jwt-secret",
  JWT_EXPIRES_IN: "3600",
};
// OPENEM_CATALOG: the catalog an end-to-end suite runs on (tests/support/with_postgres_catalog.py).
const PASSTHROUGH = ["PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS",
                     "OPENEM_CATALOG"];

// options.port: listen there instead of a port the system picks (a server that must know its
// own URL before it starts, such as an OIDC client's callback). options.dataDir: share another
// server's data directory (a second API process on one catalog; left in place by stop()).
export async function startServer(binary, extraEnv = {}, options = {}) {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "openem-portal-"));
  const env = { OPENEM_LOG_LEVEL: "warn", OPENEM_ARCHIVE_POLL_MS: "200" };
  for (const k of PASSTHROUGH) if (process.env[k] !== undefined) env[k] = process.env[k];
  Object.assign(env, DEFAULT_ENV, extraEnv);
  const child = spawn(binary, ["serve", "--sample-data", "--data-dir", dataDir, "--listen", `127.0.0.1:${options.port ?? 0}`], {
    env, stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stderr.on("data", (d) => { log = (log + d).slice(-20000); });
  const url = await new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error("openem serve did not start in 20 s:\n" + log)), 20000);
    child.stdout.on("data", (d) => {
      out += d;
      const m = /listening on (http:\/\/[^\s/]+)/.exec(out);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on("exit", (code) => { clearTimeout(timer); reject(new Error(`openem serve exited (${code}):\n${log}`)); });
  });
  return {
    url,
    dataDir,
    log: () => log,
    // kill -9: no drain, no clean shutdown (the data directory stays).
    async kill9() {
      if (child.exitCode === null) {
        child.kill("SIGKILL");
        await new Promise((r) => child.on("exit", r));
      }
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await new Promise((r) => { const t = setTimeout(() => { child.kill("SIGKILL"); r(); }, 10000); child.on("exit", () => { clearTimeout(t); r(); }); });
      }
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// A small API client for preparing data (what an ingestor would do before a user looks).
export class ApiClient {
  constructor(base) { this.base = base; this.token = null; }
  async login(user) {
    const r = await this.call("POST", "/api/v3/auth/login", { username: user, password: PASSWORDS[user] }, 201);
    this.token = r.json.id;
    return this;
  }
  async call(method, path, body, expect, headers = {}) {
    const h = { ...headers };
    if (this.token) h["Authorization"] = "Bearer " + this.token;
    let payload = body;
    if (body !== undefined && !(body instanceof Uint8Array)) { h["Content-Type"] = "application/json"; payload = JSON.stringify(body); }
    const res = await fetch(this.base + path, { method, headers: h, body: payload });
    const text = await res.text();
    if (expect !== undefined && res.status !== expect)
      throw new Error(`${method} ${path}: expected ${expect}, got ${res.status}: ${text.slice(0, 400)}`);
    let json;
    try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
    return { status: res.status, headers: res.headers, text, json };
  }
  // tus 1.0.0: create, then the whole file in one PATCH (docs/uploads.md).
  async upload(pid, path, bytes) {
    const b64 = (s) => Buffer.from(s).toString("base64");
    const created = await this.call("POST", "/api/v3/uploads", undefined, 201, {
      "Tus-Resumable": "1.0.0", "Upload-Length": String(bytes.length),
      "Upload-Metadata": `datasetId ${b64(pid)},path ${b64(path)},filename ${b64(path.split("/").pop())}`,
    });
    const location = created.headers.get("location");
    await this.call("PATCH", location, bytes, 204, {
      "Tus-Resumable": "1.0.0", "Content-Type": "application/offset+octet-stream", "Upload-Offset": "0",
    });
  }
}
