#!/usr/bin/env python3
"""POST and PATCH throughput of datasets, for the cost of the change history (docs/catalog.md
"Change history"): starts `openem serve` on a fresh data directory (SQLite, or PostgreSQL with
--catalog URL), creates N datasets with OSC-EM-like scientific metadata from P client processes,
then PATCHes each once (a changed name and its keywords), and prints POST/s and PATCH/s and the
server's CPU time per request (user + system, from /proc): on a shared machine the rates move
with the neighbours' load, the CPU time much less.

    python3 bench/history/write_rate.py --binary build/openem [--n 4000] [--procs 4] [--rounds 3]

Run it on two binaries in turn (same machine, same load) to compare them; each round starts a
fresh server, and the median of the rounds is reported."""
import argparse, http.client, json, multiprocessing, os, re, shutil, statistics, subprocess, sys, tempfile, time

ADMIN_PW = "bench-admin-pw"


def dataset(i):
    sm = {f"param{k}": {"value": i * 0.001 + k, "unit": "nm"} for k in range(20)}
    sm.update({"acquisition": {"voltage": {"value": 300, "unit": "kV"}, "dose": {"value": 50, "unit": "e/Å^2"},
                               "detector": "Falcon 4i", "magnification": 105000}})
    return {"pid": f"bench/{i}", "type": "raw", "ownerGroup": f"group{i % 7}", "accessGroups": ["em-facility"],
            "owner": "Bench Owner", "contactEmail": "bench@example.org", "sourceFolder": f"/data/session/{i}",
            "creationTime": "2025-01-01T00:00:00Z", "principalInvestigator": "pi@example.org",
            "creationLocation": "/EM/Krios1", "datasetName": f"dataset {i}", "keywords": ["spa", f"k{i % 13}"],
            "scientificMetadata": sm}


def worker(args):
    port, token, ids, verb = args
    conn = http.client.HTTPConnection("127.0.0.1", port)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    for i in ids:
        if verb == "POST":
            conn.request("POST", "/api/v3/Datasets", json.dumps(dataset(i)), headers)
        else:
            body = {"datasetName": f"renamed {i}", "keywords": ["spa", "patched"]}
            conn.request("PATCH", f"/api/v3/Datasets/bench%2F{i}", json.dumps(body), headers)
        r = conn.getresponse()
        r.read()
        if r.status not in (200, 201):
            raise SystemExit(f"{verb} {i}: {r.status}")
    return len(ids)


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def one_round(binary, n, procs, catalog):
    tmp = tempfile.mkdtemp(prefix="openem-write-rate-")
    env = dict(os.environ, OPENEM_ADMIN_PASSWORD=ADMIN_PW, OPENEM_LOG_LEVEL="warn", JWT_EXPIRES_IN="86400")
    cmd = [binary, "serve", "--data-dir", os.path.join(tmp, "data"), "--listen", "127.0.0.1:0"]
    if catalog:
        cmd += ["--catalog", catalog]
    log = open(os.path.join(tmp, "server.log"), "w+")
    server = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        port = None
        for _ in range(600):
            log.seek(0)
            m = re.search(r"listening on http://[^:]+:(\d+)", log.read())
            if m:
                port = int(m.group(1))
                break
            time.sleep(0.1)
        if not port:
            raise SystemExit("server did not start")
        conn = http.client.HTTPConnection("127.0.0.1", port)
        conn.request("POST", "/api/v3/auth/login", json.dumps({"username": "admin", "password": ADMIN_PW}),
                     {"Content-Type": "application/json"})
        token = json.loads(conn.getresponse().read())["id"]
        rates = {}
        with multiprocessing.Pool(procs) as pool:
            for verb in ("POST", "PATCH"):
                chunks = [(port, token, list(range(p, n, procs)), verb) for p in range(procs)]
                t, cpu = time.monotonic(), cpu_seconds(server.pid)
                done = sum(pool.map(worker, chunks))
                rates[verb] = done / (time.monotonic() - t)
                rates[verb + "_cpu_ms"] = (cpu_seconds(server.pid) - cpu) * 1000 / done
        return rates
    finally:
        server.terminate()
        server.wait(30)
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--n", type=int, default=4000)
    ap.add_argument("--procs", type=int, default=4)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--catalog", default="")
    a = ap.parse_args()
    results = [one_round(os.path.abspath(a.binary), a.n, a.procs, a.catalog) for _ in range(a.rounds)]
    for verb in ("POST", "PATCH"):
        values = [r[verb] for r in results]
        cpu = [r[verb + "_cpu_ms"] for r in results]
        print(f"{verb}/s median {statistics.median(values):.0f} (rounds {' '.join(f'{v:.0f}' for v in values)}); "
              f"server CPU ms/request median {statistics.median(cpu):.3f} (rounds {' '.join(f'{v:.3f}' for v in cpu)})")


if __name__ == "__main__":
    main()
