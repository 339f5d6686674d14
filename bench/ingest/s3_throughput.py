#!/usr/bin/env python3
"""Upload and download through openem to S3, against s3cmd on the same S3 server (issue #16:
openem at least 90 % of s3cmd's throughput). Not part of the test suite.

    python3 bench/ingest/s3_throughput.py [--binary build/openem] [--files 8] [--mib 512]

1. Starts the tests' S3 server (tests/support/s3rver.sh: npm s3rver on 127.0.0.1) and makes a
   session folder of FILES files totalling MIB MiB of random bytes (page-cached).
2. Upload: `s3cmd put --recursive` of the folder, next to `openem ingest` of it into a fresh
   `openem serve --blobs s3://...` (hashing, registration, tus upload, the server's store to
   the bucket; ingest returns when the server acknowledged every file). Each twice,
   alternating; the better run of each counts.
3. Download: `s3cmd get --recursive` of what s3cmd put, next to GET /api/v3/Datasets/{pid}/files/{path}
   of every file through openem, twice: streamed by openem from the bucket (the default), and
   with presign= on the blob store, where openem answers with a redirect to a presigned URL
   and the client fetches from the bucket itself; same alternation.
Prints a table and writes bench/results/s3.json.
"""
import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
BUCKET = "openem-test"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def timed(fn):
    t0 = time.time()
    out = fn()
    return time.time() - t0, out


class S3Server:
    def __init__(self, work):
        self.dir = os.path.join(work, "s3")
        os.makedirs(self.dir)
        subprocess.run([os.path.join(ROOT, "tests", "support", "s3rver.sh"), "start", self.dir, str(os.getpid())],
                       check=True, stdout=subprocess.DEVNULL)
        self.endpoint = open(os.path.join(self.dir, "endpoint")).read().strip()

    def stop(self):
        subprocess.run([os.path.join(ROOT, "tests", "support", "s3rver.sh"), "stop", self.dir], check=False)


class S3cmd:
    def __init__(self, work, endpoint):
        host = urllib.parse.urlparse(endpoint).netloc
        self.config = os.path.join(work, "s3cfg")
        with open(self.config, "w") as f:
            f.write(f"[default]\naccess_key = S3RVER\nsecret_key = S3RVER\nhost_base = {host}\nhost_bucket = {host}\n"
                    "use_https = False\nsignature_v2 = False\nbucket_location = us-east-1\n")

    def run(self, *args):
        subprocess.run(["s3cmd", "-c", self.config, "--no-progress", "--quiet", *args], check=True)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


NO_REDIRECTS = urllib.request.build_opener(_NoRedirect)


class Openem:
    def __init__(self, binary, work, endpoint, name, presign=0):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        accounts = os.path.join(work, "accounts.json")
        with open(accounts, "w") as f:
            json.dump([{"username": "bench", "email": "b@x.org", "password": "bench-pw", "role": "group1"}], f)
        self.env = dict(os.environ, OPENEM_ADMIN_PASSWORD="admin-pw", FUNCTIONAL_ACCOUNTS_FILE=accounts,
                        OPENEM_LOG_LEVEL="warn", AWS_ACCESS_KEY_ID="S3RVER", AWS_SECRET_ACCESS_KEY="S3RVER",
                        AWS_REGION="us-east-1")
        self.data = os.path.join(work, "data-" + name)
        self.proc = subprocess.Popen(
            [binary, "serve", "--data-dir", self.data, "--listen", f"127.0.0.1:{self.port}",
             "--blobs", f"s3://{BUCKET}/openem-{name}?endpoint={endpoint}" + (f"&presign={presign}" if presign else "")],
            env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(400):
            try:
                with urllib.request.urlopen(self.url + "/api/v3/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.05)
        else:
            raise SystemExit("openem serve did not start")
        req = urllib.request.Request(self.url + "/api/v3/auth/login", method="POST",
                                     data=json.dumps({"username": "bench", "password": "bench-pw"}).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req) as r:
            self.token = json.load(r)["id"]

    def ingest(self, binary, session, state):
        p = subprocess.run([binary, "ingest", session, "--server", self.url, "-u", "bench", "-p", "bench-pw",
                            "--state-dir", state, "--json"], capture_output=True, text=True, env=self.env)
        if p.returncode != 0:
            raise SystemExit(f"ingest failed: {p.stderr}")
        return [json.loads(x) for x in p.stdout.splitlines() if '"event":"done"' in x][0]

    def download(self, pid, paths, out):
        for rel in paths:
            url = f"{self.url}/api/v3/Datasets/{urllib.parse.quote(pid, safe='')}/files/{urllib.parse.quote(rel)}"
            req = urllib.request.Request(url, headers={"Authorization": f"Bearer {self.token}"})
            target = os.path.join(out, rel)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            try:
                r = NO_REDIRECTS.open(req)
            except urllib.error.HTTPError as e:
                if e.code != 307:
                    raise
                # A presigned URL: fetched without openem's token, as clients do across hosts.
                r = urllib.request.urlopen(e.headers["Location"])
            with r, open(target, "wb") as f:
                shutil.copyfileobj(r, f, 1 << 20)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(60)


def check_same(session, got, paths):
    """What came back is what went in; the copies are removed afterwards."""
    for rel in paths:
        if subprocess.run(["cmp", "-s", os.path.join(session, rel), os.path.join(got, rel)]).returncode:
            raise SystemExit(f"openem returned other bytes for {rel}")
    shutil.rmtree(got)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "openem"))
    ap.add_argument("--files", type=int, default=8)
    ap.add_argument("--mib", type=int, default=512)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results", "s3.json"))
    a = ap.parse_args()
    if not shutil.which("s3cmd"):
        raise SystemExit("s3cmd is not installed (apt-get install s3cmd)")
    work = tempfile.mkdtemp(prefix="openem-s3-bench-")
    binary = os.path.join(work, "openem")
    shutil.copy(a.binary, binary)
    size = a.mib << 20
    results = {"files": a.files, "bytes": size, "rounds": a.rounds}
    s3 = S3Server(work)
    try:
        session = os.path.join(work, "session")
        os.makedirs(os.path.join(session, "Frames"))
        paths = []
        for i in range(a.files):
            rel = f"Frames/movie_{i:03d}.tif"
            with open(os.path.join(session, rel), "wb") as f:
                f.write(os.urandom(size // a.files))
            paths.append(rel)
        subprocess.run(f"cat {session}/Frames/* > /dev/null", shell=True, check=True)
        s3cmd = S3cmd(work, s3.endpoint)
        up = {"s3cmd": [], "openem": []}
        down = {"s3cmd": [], "openem": [], "openem_presigned": []}
        for r in range(a.rounds):
            prefix = f"s3://{BUCKET}/s3cmd-{r}/"
            t, _ = timed(lambda: s3cmd.run("put", "--recursive", session + "/", prefix))
            up["s3cmd"].append(t)
            server = Openem(binary, work, s3.endpoint, f"r{r}")
            presigning = None
            try:
                t, done = timed(lambda: server.ingest(binary, session, os.path.join(work, f"state-{r}")))
                up["openem"].append(t)
                pid = done.get("pid") or done.get("datasetPid")
                got = os.path.join(work, f"got-s3cmd-{r}")
                os.makedirs(got)
                t, _ = timed(lambda: s3cmd.run("get", "--recursive", prefix, got + "/"))
                down["s3cmd"].append(t)
                shutil.rmtree(got)
                got = os.path.join(work, f"got-openem-{r}")
                t, _ = timed(lambda: server.download(pid, paths, got))
                down["openem"].append(t)
                check_same(session, got, paths)
                # The same catalog and objects, served again by an openem that hands out
                # presigned URLs.
                server.stop()
                server = None
                presigning = Openem(binary, work, s3.endpoint, f"r{r}", presign=300)
                got = os.path.join(work, f"got-presigned-{r}")
                t, _ = timed(lambda: presigning.download(pid, paths, got))
                down["openem_presigned"].append(t)
                check_same(session, got, paths)
            finally:
                if server:
                    server.stop()
                if presigning:
                    presigning.stop()
        results["upload_seconds"] = up
        results["download_seconds"] = down
        for what, runs, openem in (("upload", up, "openem"), ("download", down, "openem"),
                                   ("download_presigned", down, "openem_presigned")):
            best = {k: min(v) for k, v in runs.items()}
            results[what] = {"s3cmd_MBps": size / best["s3cmd"] / 1e6, "openem_MBps": size / best[openem] / 1e6,
                             "ratio": best["s3cmd"] / best[openem]}
    finally:
        s3.stop()
        shutil.rmtree(work, ignore_errors=True)
    with open(a.out, "w") as f:
        json.dump({"benchmark": "s3", "date": time.strftime("%Y-%m-%dT%H:%MZ", time.gmtime()), **results}, f, indent=2)
        f.write("\n")
    print(f"\n{a.files} files, {a.mib} MiB, npm s3rver on 127.0.0.1, best of {a.rounds}\n")
    print("| direction | s3cmd MB/s | openem MB/s | openem / s3cmd | target |")
    print("|---|---|---|---|---|")
    for what, label in (("upload", "upload (ingest)"), ("download", "download, streamed by openem"),
                        ("download_presigned", "download, redirected to a presigned URL")):
        r = results[what]
        met = "ok" if r["ratio"] >= 0.9 else "MISSED"
        print(f"| {label} | {r['s3cmd_MBps']:.0f} | {r['openem_MBps']:.0f} | {100 * r['ratio']:.0f}% {met} | >= 90% |")


if __name__ == "__main__":
    sys.exit(main())
