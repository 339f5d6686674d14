// A fault-injecting HTTP proxy in front of an S3 server, for the S3 blob store's tests:
// it forwards every request unchanged (the Host header too: it is signed) until a test asks
// for faults on the next N requests (or on all of them):
//   POST /__faults?mode=status&status=503&code=SlowDown&count=3
//        answer with that status and S3 error code instead of forwarding
//   POST /__faults?mode=reset&count=2          close the connection without an answer
//   POST /__faults?mode=corrupt&count=1        forward PUTs with their first body byte flipped
//   POST /__faults?mode=none                   forward everything again
// count=-1 means forever; methods=GET,HEAD limits the faults to those methods, after=K lets
// the first K requests that would get one through. Both POST and GET /__faults answer
// {"injected": n, "forwarded": m, "requests": ["PUT /bucket/key?query", ...]}, since the last
// POST.
//
// s3rver does not check SigV4 signatures (only the access key id), so the proxy does, with
// AWS's own signer (npm @smithy/signature-v4, found through NODE_PATH): a request whose
// signature is not the one the signer computes for it (canonical path, sorted and encoded
// query, signed headers, payload hash) is answered 403 SignatureDoesNotMatch, naming the
// expected signature and the canonical request. Presigned URLs (the signature in the query)
// are checked the same way, and refused once expired. The proxy listens twice: on the fault
// port (faults as set) and on the checking port (signatures checked, never a fault).
//
// Usage: node s3_fault_proxy.js <upstream URL>; prints "fault proxy listening on
// 127.0.0.1:<port>" and "checking proxy listening on 127.0.0.1:<port>".
"use strict";
const crypto = require("node:crypto");
const http = require("node:http");
const { SignatureV4 } = require("@smithy/signature-v4");

// The accounts s3rver knows.
const SECRETS = { S3RVER: "S3RVER" };

class Sha256 {
  constructor(secret) {
    this.hash = secret ? crypto.createHmac("sha256", secret) : crypto.createHash("sha256");
  }
  update(data) {
    this.hash.update(data);
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
}

function parseQuery(rawQuery) {
  const query = {};
  for (const pair of rawQuery.split("&").filter((p) => p)) {
    const eq = pair.indexOf("=");
    const name = decodeURIComponent(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? "" : decodeURIComponent(pair.slice(eq + 1));
    query[name] = name in query ? [].concat(query[name], value) : value;
  }
  return query;
}

// Null when the request's SigV4 signature is right (or its key unknown: s3rver answers
// that); otherwise why not.
async function checkSignature(req) {
  const auth = req.headers.authorization;
  if (!auth && /[?&]X-Amz-Signature=/.test(req.url)) return checkPresigned(req);
  if (!auth) return "no Authorization header";
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/
    .exec(auth);
  if (!m) return `malformed Authorization header: ${auth}`;
  const [, keyId, , region, signedHeaders, signature] = m;
  if (!(keyId in SECRETS)) return null;
  const names = signedHeaders.split(";");
  const headers = {};
  for (const name of names) headers[name] = req.headers[name] ?? "";
  const amzDate = req.headers["x-amz-date"] ?? "";
  const date = new Date(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, "$1-$2-$3T$4:$5:$6Z"));
  if (isNaN(date)) return `bad x-amz-date '${amzDate}'`;
  // The path exactly as sent (S3 paths are not encoded twice); the query decoded, as the
  // signer encodes and sorts it itself.
  const [path, rawQuery = ""] = req.url.split(/\?(.*)/s);
  const query = parseQuery(rawQuery);
  const signer = new SignatureV4({
    service: "s3", region, sha256: Sha256, uriEscapePath: false, applyChecksum: false,
    credentials: { accessKeyId: keyId, secretAccessKey: SECRETS[keyId] },
  });
  const request = { method: req.method, protocol: "http:", hostname: "127.0.0.1", path, query, headers };
  const signed = await signer.sign(request, { signingDate: date, signableHeaders: new Set(names) });
  const expected = /Signature=([0-9a-f]{64})/.exec(signed.headers.authorization)[1];
  if (expected === signature) return null;
  return `the signature is ${signature}, AWS's signer computes ${expected} for ${req.method} ${path} ` +
    `query ${JSON.stringify(query)} headers ${JSON.stringify(headers)}`;
}

// A presigned URL (query-string SigV4, UNSIGNED-PAYLOAD): null when AWS's signer computes the
// same signature for it and it has not expired (S3 answers 403 AccessDenied "Request has
// expired" then); otherwise why not.
async function checkPresigned(req) {
  const [path, rawQuery = ""] = req.url.split(/\?(.*)/s);
  const query = parseQuery(rawQuery);
  const m = /^([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request$/.exec(query["X-Amz-Credential"] ?? "");
  if (!m || query["X-Amz-Algorithm"] !== "AWS4-HMAC-SHA256") return `malformed presigned URL ${req.url}`;
  const [, keyId, , region] = m;
  if (!(keyId in SECRETS)) return null;
  const amzDate = query["X-Amz-Date"] ?? "";
  const date = new Date(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, "$1-$2-$3T$4:$5:$6Z"));
  const expiresIn = Number(query["X-Amz-Expires"]);
  if (isNaN(date) || !(expiresIn >= 1 && expiresIn <= 604800)) return `bad X-Amz-Date or X-Amz-Expires in ${req.url}`;
  if (Date.now() > date.getTime() + expiresIn * 1000) return "Request has expired";
  const signature = query["X-Amz-Signature"];
  const names = (query["X-Amz-SignedHeaders"] ?? "").split(";");
  for (const name of ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders",
    "X-Amz-Signature"]) delete query[name];
  const headers = { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" };
  for (const name of names) headers[name] = req.headers[name] ?? "";
  const signer = new SignatureV4({
    service: "s3", region, sha256: Sha256, uriEscapePath: false, applyChecksum: false,
    credentials: { accessKeyId: keyId, secretAccessKey: SECRETS[keyId] },
  });
  const request = { method: req.method, protocol: "http:", hostname: "127.0.0.1", path, query, headers };
  const unsigned = new Set(["x-amz-content-sha256"]);
  const signed = await signer.presign(request, {
    signingDate: date, expiresIn, signableHeaders: new Set(names), unsignableHeaders: unsigned, unhoistableHeaders: unsigned,
  });
  const expected = signed.query["X-Amz-Signature"];
  if (expected === signature) return null;
  return `the presigned URL's signature is ${signature}, AWS's signer computes ${expected} for ${req.method} ${path} ` +
    `query ${JSON.stringify(query)} headers ${JSON.stringify(headers)}`;
}

const upstream = new URL(process.argv[2]);
let fault = { mode: "none", count: 0 };
let injected = 0;
let forwarded = 0;
let requests = [];

function takeFault(req, mode) {
  if (fault.mode !== mode || fault.count === 0) return false;
  if (fault.methods && !fault.methods.includes(req.method)) return false;
  if (mode === "corrupt" && req.method !== "PUT") return false;
  if (fault.after > 0) {
    fault.after--;
    return false;
  }
  if (fault.count > 0) fault.count--;
  injected++;
  return true;
}

function configure(params) {
  fault = {
    mode: params.get("mode") ?? "none",
    status: Number(params.get("status") ?? 503),
    code: params.get("code") ?? "SlowDown",
    count: Number(params.get("count") ?? -1),
    methods: params.get("methods") ? params.get("methods").split(",") : null,
    after: Number(params.get("after") ?? 0),
  };
  injected = 0;
  forwarded = 0;
  requests = [];
}

function answer(req, res, status, code, message) {
  req.resume();
  req.on("end", () => {
    const body = '<?xml version="1.0" encoding="UTF-8"?>\n' +
      `<Error><Code>${code}</Code><Message>${message.replace(/&/g, "&amp;").replace(/</g, "&lt;")}</Message></Error>`;
    res.writeHead(status, { "content-type": "application/xml", "content-length": Buffer.byteLength(body) });
    res.end(body);
  });
}

async function handle(req, res, faulty) {
  const url = new URL(req.url, "http://proxy");
  if (faulty && url.pathname === "/__faults") {
    if (req.method === "POST") configure(url.searchParams);
    req.resume();
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ injected, forwarded, requests }));
    return;
  }
  req.pause();  // the body waits while the signature is checked
  const problem = await checkSignature(req).catch((e) => `the signature cannot be checked: ${e}`);
  if (problem) {
    console.log(`SignatureDoesNotMatch: ${problem}`);
    answer(req, res, 403, "SignatureDoesNotMatch", problem);
    return;
  }
  if (!faulty) {
    forward(req, res, false);
    return;
  }
  if (requests.length < 10000) requests.push(`${req.method} ${req.url}`);
  if (takeFault(req, "status")) {
    answer(req, res, fault.status, fault.code, "Injected by the fault proxy.");
    return;
  }
  if (takeFault(req, "reset")) {
    req.socket.destroy();
    return;
  }
  forwarded++;
  forward(req, res, takeFault(req, "corrupt"));
}

function forward(req, res, corrupt) {
  const headers = { ...req.headers };
  delete headers.expect;  // this side already answered 100 Continue; not a signed header
  const up = http.request(
    { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers },
    (upstreamAnswer) => {
      res.writeHead(upstreamAnswer.statusCode, upstreamAnswer.headers);
      upstreamAnswer.pipe(res);
    });
  up.on("error", () => res.destroy());
  let first = true;
  req.on("data", (chunk) => {
    if (corrupt && first && chunk.length > 0) {
      chunk = Buffer.from(chunk);
      chunk[0] ^= 0xff;
    }
    first = false;
    if (!up.write(chunk)) {
      req.pause();
      up.once("drain", () => req.resume());
    }
  });
  req.on("end", () => up.end());
  req.resume();
}

const faultServer = http.createServer((req, res) => handle(req, res, true));
faultServer.listen(0, "127.0.0.1", () => {
  console.log(`fault proxy listening on 127.0.0.1:${faultServer.address().port}`);
});
const checkingServer = http.createServer((req, res) => handle(req, res, false));
checkingServer.listen(0, "127.0.0.1", () => {
  console.log(`checking proxy listening on 127.0.0.1:${checkingServer.address().port}`);
});
