#!/usr/bin/env python3
"""Several openem processes on one PostgreSQL catalog and one S3 bucket (docs/deploy.md): two
`openem serve` behind haproxy (Debian's) and one `openem archiver`, each with a data directory
of its own (nothing shared on local disk). Mixed load runs through the balancer —
dataset writes, reads, facets, archive jobs — while one API process and the archiver are
killed with SIGKILL (the archiver is started again). Afterwards: every acknowledged write is
there, every job finished with exactly one archive copy per dataset, clients saw at most the
requests in flight at the kill, and a write through one process is in the other's cached
facets at once.

Needs the PostgreSQL test cluster (ctest fixture `postgres`: OPENEM_TEST_POSTGRES_URL_FILE).
Files are uploaded through the balancer too (an upload's requests reach either process;
tests/scaleout/tus_handover_test.py checks the handover itself)."""
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "archive"))
from common_archive import Checks, Client, Server, dataset_with_files, get_json, http_request, server_env, wait_job  # noqa: E402
from common import PASSWORDS  # noqa: E402
import run  # noqa: E402

WRITERS = 4
READERS = 2
DATASETS_WITH_FILES = 8


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Balancer:
    """haproxy in front of the API processes: health checks every 200 ms, a request whose
    connection fails is sent to the other process (nothing was sent yet, so it is safe)."""

    def __init__(self, work, backends):
        self.port = free_port()
        self.addr = ("127.0.0.1", self.port)
        cfg = os.path.join(work, "haproxy.cfg")
        # A process is taken out after 3 failed checks 200 ms apart; a check may take 2 s (a
        # busy survivor must not be taken out too). Meanwhile a refused connection to the dead
        # one is retried on the other.
        servers = "\n".join(f"  server api{i} {h}:{p} check inter 200 fall 3 rise 1"
                            for i, (h, p) in enumerate(backends))
        with open(cfg, "w") as f:
            f.write(f"""global
  maxconn 500
defaults
  mode http
  timeout connect 2s
  timeout client 60s
  timeout server 60s
  retries 3
  option redispatch
  retry-on conn-failure
  timeout check 2s
frontend api
  bind 127.0.0.1:{self.port}
  default_backend openem
backend openem
  balance roundrobin
  option httpchk GET /api/v3/health
{servers}
""")
        self.log = open(os.path.join(work, "haproxy.log"), "ab")
        self.proc = subprocess.Popen(["haproxy", "-f", cfg, "-db"], stdout=self.log, stderr=self.log,
                                     stdin=subprocess.DEVNULL)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                status, _, _ = run.http_request(self.addr, "GET", "/api/v3/health", [], None, 2)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("haproxy did not come up")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


class Load:
    """Writers and readers through the balancer; counts what failed."""

    def __init__(self, balancer, token):
        self.addr, self.token = balancer.addr, token
        self.stop = threading.Event()
        self.acked = {}       # pid → datasetName acknowledged with 201
        self.failures = []    # (thread, error, when) of requests that did not get an answer
        self.requests = 0
        self.lock = threading.Lock()

    def call(self, method, target, body=None):
        headers = [("Authorization", "Bearer " + self.token), ("Content-Type", "application/json")]
        with self.lock:
            self.requests += 1
        return run.http_request(self.addr, method, target, headers, json.dumps(body).encode() if body else None, 10)

    def writer(self, tag):
        i = 0
        while not self.stop.is_set():
            i += 1
            name = f"mp-{tag}-{i}"
            try:
                status, _, body = self.call("POST", "/api/v3/Datasets", {
                    "type": "raw", "ownerGroup": "group1", "owner": "o", "contactEmail": "o@x.org",
                    "sourceFolder": "/data/" + name, "creationTime": "2024-01-01T00:00:00Z", "principalInvestigator": "pi",
                    "creationLocation": "krios-" + tag, "datasetName": name})
                if status == 201:
                    self.acked[json.loads(body)["pid"]] = name
                elif status >= 500:
                    self.failures.append((tag, f"HTTP {status}", time.time()))
            except (OSError, ConnectionError, TimeoutError, ValueError) as e:
                self.failures.append((tag, repr(e), time.time()))

    def reader(self, tag):
        while not self.stop.is_set():
            for target in ("/api/v3/Datasets/fullfacet?facets=%5B%22creationLocation%22%5D",
                           "/api/v3/Datasets/count", "/api/v3/Datasets?filter=%7B%22limit%22%3A5%7D"):
                try:
                    status, _, _ = self.call("GET", target)
                    if status >= 500:
                        self.failures.append((tag, f"HTTP {status} on {target}", time.time()))
                except (OSError, ConnectionError, TimeoutError) as e:
                    self.failures.append((tag, repr(e), time.time()))


def facet_total(client):
    facets = get_json(client, "/api/v3/Datasets/fullfacet?facets=%5B%22type%22%5D")
    return facets[0]["all"][0]["totalSets"] if facets and facets[0]["all"] else 0


def create_database(admin_url, name):
    subprocess.run(["psql", admin_url, "-v", "ON_ERROR_STOP=1", "-qc", f"CREATE DATABASE {name}"], check=True,
                   capture_output=True)
    u = urllib.parse.urlsplit(admin_url)
    return urllib.parse.urlunsplit((u.scheme, u.netloc, "/" + name, u.query, u.fragment))


def main():
    binary = sys.argv[sys.argv.index("--binary") + 1] if "--binary" in sys.argv else "build/openem"
    c = Checks("scaleout/multiprocess")
    url_file = os.environ.get("OPENEM_TEST_POSTGRES_URL_FILE", "")
    if not url_file or not os.path.exists(url_file):
        c.true("a PostgreSQL test cluster (run through ctest: fixture `postgres`)", False, url_file)
        return c.finish()
    admin_url = open(url_file).read().strip()
    database = f"openem_mp_{os.getpid()}"
    catalog = create_database(admin_url, database)
    work = tempfile.mkdtemp(prefix="openem-multiprocess-")
    rng = random.Random(int(os.environ.get("MULTIPROCESS_SEED", time.time())))
    s3 = run.S3Server(work)
    env = server_env(OPENEM_CATALOG=catalog, OPENEM_BLOBS=s3.url, JWT_SECRET="shared-secret-of-this-deployment-0123456789",
                     OPENEM_ARCHIVE_WORKER="false", OPENEM_ARCHIVE_LEASE="2", OPENEM_ARCHIVE_POLL_MS="100",
                     OPENEM_LOG_LEVEL="info", **s3.env)
    servers = [Server(binary, env, os.path.join(work, f"data-api{i}"), os.path.join(work, f"api{i}.log"))
               for i in range(2)]
    archivers, balancer, load = [], None, None

    def start_archiver(n):
        log = open(os.path.join(work, f"archiver-{n}.log"), "ab")
        p = subprocess.Popen([binary, "archiver", "--data-dir", os.path.join(work, "data-archiver")],
                             env=env, stdout=log, stderr=log, stdin=subprocess.DEVNULL)
        archivers.append(p)
        return p

    try:
        for s in servers:  # started together: the schema is made once, under its lock
            threading.Thread(target=s.start).start()
        deadline = time.time() + 30
        while time.time() < deadline and not all(s.base for s in servers):
            time.sleep(0.05)
        c.true("both API processes up on one catalog", all(s.base for s in servers))
        a, b = servers
        user1_a = Client(a, "user1")
        balancer = Balancer(work, [a.addr, b.addr])
        lb = type("Endpoint", (), {"addr": balancer.addr})()
        user1 = Client(lb, "user1")
        # Files and jobs go through the balancer: an upload's requests land on either process
        # (the upload state is in the catalog, its parts in the bucket).
        with_files = [dataset_with_files(user1, {"f.bin": rng.randbytes(200_000)}) for _ in range(DATASETS_WITH_FILES)]
        archiver = start_archiver(0)
        load = Load(balancer, user1.token)
        threads = [threading.Thread(target=load.writer, args=(f"w{i}",)) for i in range(WRITERS)]
        threads += [threading.Thread(target=load.reader, args=(f"r{i}",)) for i in range(READERS)]
        for t in threads:
            t.start()
        jobs = []
        for pid in with_files:  # one archive job per dataset, while the load runs
            jobs.append(user1.json("POST", "/api/v3/Jobs", {"type": "archive", "datasetList": [{"pid": pid, "files": []}]},
                                   201)["id"])
            time.sleep(0.1)
        time.sleep(rng.uniform(0.3, 0.8))
        kill_time = time.time()
        b.proc.send_signal(signal.SIGKILL)  # one API process dies mid-request
        b.proc.wait()
        killed_at = load.requests
        time.sleep(rng.uniform(0.2, 0.6))
        archiver.send_signal(signal.SIGKILL)  # and the archiver, probably mid-job
        archiver.wait()
        time.sleep(0.5)
        archiver = start_archiver(1)
        time.sleep(1.0)
        load.stop.set()
        for t in threads:
            t.join(30)
        print(f"load: {load.requests} requests, {len(load.acked)} datasets acknowledged, "
              f"{len(load.failures)} failed ({killed_at} sent before the kill)")

        # Clients saw at most the requests in flight when process B died, and only then: per
        # thread the one B was handling and at most one more that B's kernel had accepted but
        # B never read (haproxy had sent it, so it cannot resend it safely; a connection B
        # refused is resent to A). haproxy takes B out within 3 checks 200 ms apart.
        late = [f for f in load.failures if not kill_time - 0.1 <= f[2] <= kill_time + 3]
        c.eq("no failed request outside the kill's moment", late, [])
        per_thread = {t: sum(1 for f in load.failures if f[0] == t) for t, _, _ in load.failures}
        c.true("failed requests at most two per client thread, all at the kill",
               all(n <= 2 for n in per_thread.values()), str(load.failures[:10]))
        # Every acknowledged write is in the catalog (read through the survivor).
        missing = [pid for pid in load.acked
                   if run.http_request(a.addr, "GET", "/api/v3/Datasets/" + urllib.parse.quote(pid, safe=""),
                                       [("Authorization", "Bearer " + user1_a.token)], None, 10)[0] != 200]
        c.eq("no acknowledged dataset lost", missing, [])
        c.true("the load wrote datasets through both processes", len(load.acked) > 20, str(len(load.acked)))
        # Every job finished, each dataset archived exactly once.
        for j in jobs:
            c.eq(f"job {j[:8]} finished", wait_job(user1_a, j, 180)["statusCode"], "finishedSuccessful")
        for pid in with_files:
            blocks = get_json(user1_a, "/api/v3/Datasets/" + urllib.parse.quote(pid, safe="") + "/datablocks")
            c.eq(f"one archive copy of {pid[-8:]}", len(blocks), 1)
        started = []
        for n in range(len(archivers)):
            started += re.findall(r"event=job_started job=([0-9a-f-]+)",
                                  open(os.path.join(work, f"archiver-{n}.log"), errors="replace").read())
        twice = sorted({j for j in started if started.count(j) > 1})
        c.true("no job started twice except the one the kill interrupted", len(twice) <= 1, str(twice))
        c.eq("every job started", sorted(set(started)), sorted(jobs))

        # Cache coherence: B comes back; a write through B is in A's cached facets at once.
        b2 = Server(binary, env, os.path.join(work, "data-api1"), os.path.join(work, "api1-restarted.log"))
        b2.start()
        before = facet_total(user1_a)
        facet_total(user1_a)  # cached now
        Client(b2, "user1").json("POST", "/api/v3/Datasets", {
            "type": "raw", "ownerGroup": "group1", "owner": "o", "contactEmail": "o@x.org", "sourceFolder": "/data/x",
            "creationTime": "2024-01-01T00:00:00Z", "principalInvestigator": "pi", "creationLocation": "krios",
            "datasetName": "through B"}, 201)
        c.eq("A's facets count B's write at once", facet_total(user1_a), before + 1)

        # Sign-in failures count for the deployment: 10 (OPENEM_LOGIN_MAX_FAILURES' default)
        # spread over A and B lock the account on both, the right password included.
        def sign_in(server, password):
            return http_request(server.addr, "POST", "/api/v3/auth/login", [("Content-Type", "application/json")],
                                json.dumps({"username": "user2", "password": password}).encode())[0]
        failures = [sign_in(a if i % 2 else b2, "wrong-password") for i in range(10)]
        c.eq("ten wrong passwords over both processes are refused", failures, [401] * 10)
        c.eq("then the account is locked on A", sign_in(a, PASSWORDS["user2"]), 429)
        c.eq("and on B", sign_in(b2, PASSWORDS["user2"]), 429)
        c.eq("restarted B stops cleanly", b2.stop(), None)
        c.eq("A stops cleanly", a.stop(), None)
        archiver.send_signal(signal.SIGTERM)
        c.eq("archiver stops on SIGTERM", archiver.wait(15), 0)
    except (AssertionError, RuntimeError, subprocess.CalledProcessError) as e:
        c.true("unexpected failure", False, repr(e))
    finally:
        if load:  # its threads would otherwise keep the test alive until ctest's timeout
            load.stop.set()
        if balancer:
            balancer.stop()
        for p in archivers:
            if p.poll() is None:
                p.kill()
                p.wait()
        for s in servers:
            if s.proc and s.proc.poll() is None:
                s.proc.kill()
        if c.failures:
            for name in sorted(os.listdir(work)):
                if name.endswith(".log"):
                    text = open(os.path.join(work, name), errors="replace").read()
                    errors = [line for line in text.splitlines() if "level=error" in line or "level=warn" in line]
                    print(f"--- {name}\n" + "\n".join(errors[:20]) + "\n...\n" + text[-2500:])
        s3.stop()
        shutil.rmtree(work, ignore_errors=True)
        subprocess.run(["psql", admin_url, "-qc", f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"],
                       capture_output=True)
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
