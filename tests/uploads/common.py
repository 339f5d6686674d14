"""Shared helpers of the upload tests: a server with the API test accounts, login, datasets
with registered file lists, and a small tus client over run.py's raw HTTP function."""
import base64
import contextlib
import hashlib
import json
import os
import shutil
import sys
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "api"))
import run  # noqa: E402
from run import Server, http_request  # noqa: E402,F401

PASSWORDS = {"admin": run.ADMIN_PASSWORD, "user1": "user1-pw", "user2": "user2-pw", "ingestor": "ingestor-pw"}


def server_env(**extra):
    env = {k: v for k, v in os.environ.items() if k in run.PASSTHROUGH}
    env.update(run.DEFAULT_ENV)
    env["OPENEM_LOG_LEVEL"] = "warn"
    env.update(extra)
    return env


class Client:
    def __init__(self, server, user=None):
        self.server = server
        self.token = None
        if user:
            status, _, body = http_request(server.addr, "POST", "/api/v3/auth/login",
                                           [("Content-Type", "application/json")],
                                           json.dumps({"username": user, "password": PASSWORDS[user]}).encode())
            assert status == 201, (user, status, body)
            self.token = json.loads(body)["id"]

    def request(self, method, target, headers=(), body=None):
        h = list(headers)
        if self.token:
            h.append(("Authorization", "Bearer " + self.token))
        return http_request(self.server.addr, method, target, h, body)

    def json(self, method, target, doc, expect):
        status, _, body = self.request(method, target, [("Content-Type", "application/json")], json.dumps(doc).encode())
        assert status == expect, (method, target, status, body[:500])
        return json.loads(body) if body else None

    def dataset(self, files, owner_group="group1", published=False):
        """Creates a dataset and registers `files` {path: bytes} with sha256 checksums."""
        ds = self.json("POST", "/api/v3/Datasets", {
            "type": "raw", "ownerGroup": owner_group, "owner": "o", "contactEmail": "o@x.org",
            "sourceFolder": "/data/x", "creationTime": "2024-01-01T00:00:00Z", "principalInvestigator": "pi",
            "creationLocation": "krios", "datasetName": "upload test", "isPublished": published}, 201)
        pid = ds["pid"]
        if files:
            self.json("POST", "/api/v3/OrigDatablocks", {
                "datasetId": pid, "size": sum(len(c) for c in files.values()), "chkAlg": "sha256",
                "dataFileList": [{"path": p, "size": len(c), "time": "2024-01-01T00:00:00Z",
                                  "chk": hashlib.sha256(c).hexdigest()} for p, c in files.items()]}, 201)
        return pid

    # tus
    def tus_create(self, pid, path, length, extra_headers=(), await_file_list=False):
        meta = "datasetId " + b64(pid) + ",path " + b64(path) + ",filename " + b64(path.rsplit("/", 1)[-1])
        if await_file_list:
            meta += ",awaitFileList"
        return self.request("POST", "/api/v3/uploads",
                            [("Tus-Resumable", "1.0.0"), ("Upload-Length", str(length)), ("Upload-Metadata", meta)]
                            + list(extra_headers), b"")

    def tus_patch(self, location, offset, chunk, checksum=None):
        h = [("Tus-Resumable", "1.0.0"), ("Content-Type", "application/offset+octet-stream"),
             ("Upload-Offset", str(offset))]
        if checksum:
            h.append(("Upload-Checksum", checksum))
        return self.request("PATCH", location, h, chunk)

    def tus_head(self, location):
        return self.request("HEAD", location, [("Tus-Resumable", "1.0.0")])


def b64(s):
    return base64.b64encode(s.encode() if isinstance(s, str) else s).decode()


def enc(pid):
    return urllib.parse.quote(pid, safe="")


class Checks:
    """Collects failures instead of stopping at the first, and prints run.py's summary line."""

    def __init__(self, name):
        self.name, self.failures, self.count = name, [], 0

    def eq(self, what, actual, expected):
        self.count += 1
        if actual != expected:
            self.failures.append(f"{what}: expected {expected!r}, got {actual!r}"[:600])

    def true(self, what, cond, detail=""):
        self.count += 1
        if not cond:
            self.failures.append(f"{what} {detail}"[:600])

    def finish(self):
        for f in self.failures:
            print("FAIL:", f)
        print(f"{self.name}: {self.count} checks")
        print(f"{0 if self.failures else 1} passed, {1 if self.failures else 0} failed")
        return 1 if self.failures else 0


@contextlib.contextmanager
def server_run(checks, server, work):
    """The body of a test script: an exception is one more failure (with the server log's
    tail, and the server killed); the work directory goes in any case."""
    try:
        yield
    except Exception as e:  # noqa: BLE001 — reported as a failure with the server log
        checks.failures.append(f"{type(e).__name__}: {e}\n{server.log_tail()}")
        server.kill()
    finally:
        shutil.rmtree(work, ignore_errors=True)
