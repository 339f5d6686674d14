#!/usr/bin/env python3
"""Lineage benchmark (issue #19: transitive queries over 100,000-node graphs in <= 50 ms p50).
Not part of the test suite.

    python3 bench/lineage/run.py [--binary build/openem] [--nodes 100000] [--levels 50] [--catalog postgresql://...]

1. Starts `openem serve` on a fresh data directory (SQLite, or --catalog) and loads a graph of
   NODES datasets in LEVELS levels (LEVELS x NODES/LEVELS): level 0 raw, every other dataset
   derived from two of the level before (`inputDatasets`: the same index and a hashed one, so
   walks fan out), all of group1 (4 client threads).
2. Times GET /api/v3/Datasets/{pid}/lineage (from the request to the whole body received; the
   client's own JSON parse is shown apart, as it is the client's cost) as user1 (a member: the access rule is applied
   at every level) and as admin: up 5 and up 50 levels from a dataset of the last level, down
   50 from one of level 0, both ways 3 from the middle (50 levels reach the 10,000-node cap).
3. Baseline in the same run: the walk a client does without the endpoint — one
   GET /api/v3/Datasets?filter={"where": {"pid" | "inputDatasets": {"inq": [...]}}} per level
   (SciCat's filter API, fields pid and inputDatasets only) — for the same start and depth.
Prints a table and writes bench/results/lineage.json.
"""
import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "api"))
from run import http_request  # noqa: E402

ADMIN_PASSWORD = "bench-admin-pw"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    def __init__(self, binary, work, catalog):
        accounts = os.path.join(work, "accounts.json")
        with open(accounts, "w") as f:
            json.dump([{"username": "user1", "email": "u1@x.org", "password": "user1-pw", "role": "group1"}], f)
        env = dict(os.environ, OPENEM_ADMIN_PASSWORD=ADMIN_PASSWORD, FUNCTIONAL_ACCOUNTS_FILE=accounts,
                   OPENEM_LOG_LEVEL="warn", JWT_SECRET="bench-lineage-secret")
        self.addr = ("127.0.0.1", free_port())
        args = [binary, "serve", "--data-dir", os.path.join(work, "data"), "--listen", f"127.0.0.1:{self.addr[1]}"]
        if catalog:
            args += ["--catalog", catalog]
        self.proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if http_request(self.addr, "GET", "/api/v3/health", [], None, 2)[0] == 200:
                    return
            except OSError:
                time.sleep(0.05)
        raise SystemExit("openem serve did not start")

    def token(self, user, password):
        status, _, body = http_request(self.addr, "POST", "/api/v3/auth/login", [("Content-Type", "application/json")],
                                       json.dumps({"username": user, "password": password}).encode())
        assert status == 201, (user, status, body[:200])
        return json.loads(body)["id"]

    def get_raw(self, token, target):
        status, _, body = http_request(self.addr, "GET", target, [("Authorization", "Bearer " + token)], None, 120)
        assert status == 200, (target[:200], status, body[:300])
        return body

    def get(self, token, target):
        return json.loads(self.get_raw(token, target))

    def patch(self, token, target, doc):
        status, _, body = http_request(self.addr, "PATCH", target, [("Authorization", "Bearer " + token),
                                       ("Content-Type", "application/json")], json.dumps(doc).encode(), 60)
        assert status == 200, (target[:200], status, body[:300])

    def rss_mb(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return 0.0

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(60)


def pid_of(level, i):
    return f"L{level:02d}-{i:05d}"


def inputs_of(level, i, width):
    # The same index one level up and one spread over the level (a multiplicative hash), so
    # that a walk fans out: 2, 4, 8, ... datasets per level until a level is covered.
    return sorted({pid_of(level - 1, i), pid_of(level - 1, (i * 2654435761 + level * 40503) % width)})


def load(server, token, levels, width, threads=4):
    def post(level, i):
        doc = {"pid": pid_of(level, i), "ownerGroup": "group1", "owner": "o", "contactEmail": "o@x.org",
               "sourceFolder": f"/data/{level}/{i}", "creationTime": "2024-01-01T00:00:00Z",
               "datasetName": f"level {level} dataset {i}"}
        if level == 0:
            doc.update(type="raw", principalInvestigator="pi", creationLocation="krios")
        else:
            doc.update(type="derived", investigator="inv", inputDatasets=inputs_of(level, i, width),
                       usedSoftware=["relion 5"])
        status, _, body = http_request(server.addr, "POST", "/api/v3/Datasets",
                                       [("Authorization", "Bearer " + token), ("Content-Type", "application/json")],
                                       json.dumps(doc).encode(), 60)
        assert status == 201, (status, body[:300])

    for level in range(levels):
        work = list(range(width))
        lock = threading.Lock()

        def run():
            while True:
                with lock:
                    if not work:
                        return
                    i = work.pop()
                post(level, i)
        ts = [threading.Thread(target=run) for _ in range(threads)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()


def client_walk(server, token, pid, direction, depth):
    """The walk through SciCat's filter API: one request per level; returns the nodes reached."""
    seen = {pid}
    frontier = [pid]
    for _ in range(depth):
        if not frontier:
            break
        if direction == "up":
            where = {"pid": {"inq": frontier}}
            docs = server.get(token, "/api/v3/Datasets?filter=" + urllib.parse.quote(json.dumps(
                {"where": where, "fields": ["pid", "inputDatasets"], "limit": 20000})))
            nxt = [x for d in docs for x in d.get("inputDatasets", []) if x not in seen]
        else:
            where = {"inputDatasets": {"inq": frontier}}
            docs = server.get(token, "/api/v3/Datasets?filter=" + urllib.parse.quote(json.dumps(
                {"where": where, "fields": ["pid", "inputDatasets"], "limit": 20000})))
            nxt = [d["pid"] for d in docs if d["pid"] not in seen]
        nxt = list(dict.fromkeys(nxt))
        seen.update(nxt)
        if len(seen) >= 10000:
            break
        frontier = nxt
    return len(seen)


def timed(fn, rounds):
    out = None
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), max(times), out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "openem"))
    ap.add_argument("--nodes", type=int, default=100000)
    ap.add_argument("--levels", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--catalog", default="")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results", "lineage.json"))
    ap.add_argument("--data-dir", default="", help="keep the loaded catalog here, and reuse one loaded before "
                    "(SQLite only; for profiling rounds without the load)")
    a = ap.parse_args()
    width = a.nodes // a.levels
    work = a.data_dir or tempfile.mkdtemp(prefix="openem-lineage-bench-")
    os.makedirs(work, exist_ok=True)
    loaded_marker = os.path.join(work, f"loaded-{a.nodes}-{a.levels}")
    reuse = bool(a.data_dir) and not a.catalog and os.path.exists(loaded_marker)
    server = Server(a.binary, work, a.catalog)
    rows = []
    try:
        admin = server.token("admin", ADMIN_PASSWORD)
        t0 = time.time()
        if not reuse:
            load(server, admin, a.levels, width)
            open(loaded_marker, "w").close()
        load_s = time.time() - t0
        user1 = server.token("user1", "user1-pw")
        last, mid = a.levels - 1, a.levels // 2
        cases = [("up 5 from the last level", pid_of(last, 17), "up", 5),
                 ("up 50 from the last level", pid_of(last, 17), "up", min(50, a.levels)),
                 ("down 50 from level 0", pid_of(0, 17), "down", min(50, a.levels)),
                 ("both 3 from the middle", pid_of(mid, 17), "both", 3)]
        # The first walk builds the process's lineage index (store/lineage_index.h): its time
        # and the memory it takes, apart. (After a load: the load's changes are more than the
        # index takes in one by one, so it reads every dataset. With --data-dir reuse the server
        # built it at start, and these two numbers mean little.)
        rss_before = server.rss_mb()
        t1 = time.perf_counter()
        server.get_raw(admin, f"/api/v3/Datasets/{pid_of(0, 17)}/lineage?direction=down&depth=1")
        index_build_ms = (time.perf_counter() - t1) * 1000
        index_mb = server.rss_mb() - rss_before
        for who, token in (("user1", user1), ("admin", admin)):
            for label, pid, direction, depth in cases:
                target = f"/api/v3/Datasets/{pid}/lineage?direction={direction}&depth={depth}"
                p50, worst, body = timed(lambda: server.get_raw(token, target), a.rounds)
                parse_ms, _, graph = timed(lambda: json.loads(body), 3)
                row = {"reader": who, "query": label, "nodes": len(graph["nodes"]), "edges": len(graph["edges"]),
                       "truncated": graph["truncated"], "response_bytes": len(body), "p50_ms": p50, "max_ms": worst,
                       "client_parse_ms": parse_ms}
                if direction != "both":
                    b50, _, reached = timed(lambda: client_walk(server, token, pid, direction, depth), max(3, a.rounds // 3))
                    row.update(baseline_p50_ms=b50, baseline_nodes=reached)
                rows.append(row)
        # A walk right after a write: the index first takes in the change (one dataset read again).
        deep = f"/api/v3/Datasets/{pid_of(last, 17)}/lineage?direction=up&depth={min(50, a.levels)}"
        after_write = []
        for n in range(a.rounds):
            server.patch(admin, f"/api/v3/Datasets/{pid_of(mid, n)}", {"keywords": [f"round {n}"]})
            t1 = time.perf_counter()
            server.get_raw(user1, deep)
            after_write.append((time.perf_counter() - t1) * 1000)
        after_write_p50 = statistics.median(after_write)
    finally:
        server.stop()
        if not a.data_dir:
            shutil.rmtree(work, ignore_errors=True)
    result = {"benchmark": "lineage", "date": time.strftime("%Y-%m-%dT%H:%MZ", time.gmtime()),
              "catalog": "postgres" if a.catalog else "sqlite", "nodes": width * a.levels, "levels": a.levels,
              "load_seconds": load_s, "index_build_ms": index_build_ms, "index_rss_mb": index_mb,
              "after_write_p50_ms": after_write_p50, "rows": rows}
    with open(a.out, "w") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    loaded = "loaded before" if reuse else f"loaded in {load_s:.0f} s"
    print(f"\nlineage, {width * a.levels:,} datasets in {a.levels} levels ({result['catalog']}), "
          f"{loaded}; p50 of {a.rounds}\n")
    print(f"\nfirst walk (builds the lineage index): {index_build_ms:.0f} ms, server memory +{index_mb:.0f} MB; "
          f"user1 up {min(50, a.levels)} right after a write (the index takes it in first): p50 {after_write_p50:.1f} ms\n")
    print("| reader | query | nodes (edges) | response | lineage p50 / max ms | client's JSON parse ms | "
          "client walk via filters p50 ms | target |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        base = f"{r['baseline_p50_ms']:.1f} ({r['baseline_nodes']:,} nodes)" if "baseline_p50_ms" in r else "-"
        met = "ok" if r["p50_ms"] <= 50 else "MISSED"
        trunc = ", truncated" if r["truncated"] else ""
        print(f"| {r['reader']} | {r['query']} | {r['nodes']:,} ({r['edges']:,}){trunc} | "
              f"{r['response_bytes'] / 1e6:.2f} MB | {r['p50_ms']:.1f} / {r['max_ms']:.1f} | {r['client_parse_ms']:.1f} | "
              f"{base} | {met} (<= 50) |")


if __name__ == "__main__":
    sys.exit(main())
