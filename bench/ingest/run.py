#!/usr/bin/env python3
"""Ingest benchmark (not part of the test suite).

    python3 bench/ingest/run.py [--binary build/openem] [--files 2000] [--gb 8] [--small-files 100000]

1. A session of FILES files totalling GB gigabytes is generated under /tmp (free space is
   checked with df first; the size is scaled down when the disk is short).
2. Hashing: `openem ingest --no-upload` (its hash phase) next to `sha256sum` on the same files,
   one process per core (`xargs -P`); both warm (files in the page cache).
3. End to end: `openem ingest` with upload into a fresh `openem serve` on 127.0.0.1, next
   to `cp -r` of the same folder on the same disk.
4. Registration: a 100,000-small-file session with --no-upload: files registered per second.
Prints a table and writes bench/results/ingest.json.
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

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "api"))
from run import http_request  # noqa: E402


def free_bytes(path):
    out = subprocess.run(["df", "-B1", "--output=avail", path], capture_output=True, text=True, check=True).stdout
    return int(out.split()[-1])


def generate(root, files, total):
    os.makedirs(os.path.join(root, "Frames"))
    per = total // files
    block = os.urandom(1 << 20)
    for i in range(files):
        with open(os.path.join(root, "Frames", f"movie_{i:05d}.tif"), "wb") as f:
            left = per
            # vary the data per file so no two files hash alike
            f.write(i.to_bytes(8, "little"))
            left -= 8
            while left > 0:
                n = min(left, len(block))
                f.write(block[:n])
                left -= n
    shutil.copy(os.path.join(ROOT, "..", "shared", "testdata", "mdoc", "tilt_series.mdoc"), os.path.join(root, "TS.mdoc"))


def warm(root):
    subprocess.run(f"cat $(find {root} -type f) > /dev/null", shell=True, check=True)


class Server:
    def __init__(self, binary, data):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        self.port = s.getsockname()[1]
        s.close()
        accounts = os.path.join(data + "-accounts.json")
        with open(accounts, "w") as f:
            json.dump([{"username": "bench", "email": "b@x.org", "password": "bench-pw", "role": "group1"}], f)
        env = dict(os.environ, OPENEM_ADMIN_PASSWORD="admin-pw", FUNCTIONAL_ACCOUNTS_FILE=accounts,
                   OPENEM_LOG_LEVEL="warn", MAX_FILE_UPLOAD_SIZE="16mb")
        self.proc = subprocess.Popen([binary, "serve", "--data-dir", data, "--listen", f"127.0.0.1:{self.port}"],
                                     env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(400):
            try:
                if http_request(("127.0.0.1", self.port), "GET", "/api/v3/health", [], None, 2)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise SystemExit("server did not start")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(60)


def ingest(binary, server, path, state, *extra):
    cmd = [binary, "ingest", path, "--server", f"http://127.0.0.1:{server.port}", "-u", "bench", "-p", "bench-pw",
           "--state-dir", state, "--json", *extra]
    t0 = time.time()
    p = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.time() - t0
    if p.returncode != 0:
        raise SystemExit(f"ingest failed: {p.stderr}")
    done = [json.loads(x) for x in p.stdout.splitlines() if '"event":"done"' in x][0]
    return wall, done


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "openem"))
    ap.add_argument("--files", type=int, default=2000)
    ap.add_argument("--gb", type=float, default=8.0)
    ap.add_argument("--small-files", type=int, default=100000)
    ap.add_argument("--tmp", default="/tmp")
    a = ap.parse_args()
    cores = os.cpu_count()
    total = int(a.gb * 1e9)
    free = free_bytes(a.tmp)
    need = 3.3 * total  # session + blobs on the server + the cp copy
    if free < need:
        total = int(free / 3.3 * 0.8)
        print(f"only {free / 1e9:.1f} GB free in {a.tmp}: scaled the session down to {total / 1e9:.2f} GB")
    work = tempfile.mkdtemp(prefix="openem-ingest-bench-", dir=a.tmp)
    binary = os.path.join(work, "openem")
    shutil.copy(a.binary, binary)
    results = {"cores": cores, "files": a.files, "bytes": total}
    try:
        session = os.path.join(work, "session")
        generate(session, a.files, total)
        files = [os.path.join(d, n) for d, _, ns in os.walk(session) for n in ns]
        size = sum(os.path.getsize(f) for f in files)
        results["bytes"] = size
        warm(session)

        # sha256sum: one process per core over the same files
        t0 = time.time()
        subprocess.run(f"find {session} -type f -print0 | xargs -0 -n 16 -P {cores} sha256sum > /dev/null",
                       shell=True, check=True)
        sha_wall = time.time() - t0
        t0 = time.time()
        subprocess.run(["sha256sum", *files[: max(1, len(files) // 8)]], capture_output=True, check=True)
        one_core = sum(os.path.getsize(f) for f in files[: max(1, len(files) // 8)]) / (time.time() - t0)
        results["sha256sum_parallel_MBps"] = size / sha_wall / 1e6
        results["sha256sum_one_core_MBps"] = one_core / 1e6

        server = Server(binary, os.path.join(work, "data"))
        try:
            # hashing inside openem ingest (--no-upload: the hash phase, then registration)
            wall, done = ingest(binary, server, session, os.path.join(work, "state-hash"), "--no-upload")
            results["openem_hash_MBps"] = size / done["hashSeconds"] / 1e6
            # end to end with upload: a fresh state and a second copy of the session folder name
            # would be a new dataset; use a fresh server instead
        finally:
            server.stop()
        shutil.rmtree(os.path.join(work, "data"))
        server = Server(binary, os.path.join(work, "data"))
        try:
            warm(session)
            wall, done = ingest(binary, server, session, os.path.join(work, "state-e2e"))
            results["ingest_e2e_seconds"] = wall
            results["ingest_e2e_MBps"] = size / wall / 1e6
            results["ingest_upload_MBps"] = size / max(done["uploadSeconds"], 1e-9) / 1e6
        finally:
            server.stop()
        shutil.rmtree(os.path.join(work, "data"))
        warm(session)
        t0 = time.time()
        subprocess.run(["cp", "-r", session, os.path.join(work, "copy")], check=True)
        subprocess.run(["sync"], check=True)
        cp_wall = time.time() - t0
        shutil.rmtree(os.path.join(work, "copy"))
        results["cp_seconds"] = cp_wall
        results["cp_MBps"] = size / cp_wall / 1e6
        shutil.rmtree(session)

        # registration rate: many small files, no upload
        small = os.path.join(work, "small")
        os.makedirs(small)
        for i in range(a.small_files):
            d = os.path.join(small, f"d{i // 1000:03d}")
            if i % 1000 == 0:
                os.makedirs(d)
            with open(os.path.join(d, f"f{i:06d}.txt"), "wb") as f:
                f.write(b"%d\n" % i)
        server = Server(binary, os.path.join(work, "data"))
        try:
            wall, done = ingest(binary, server, small, os.path.join(work, "state-small"), "--no-upload")
            results["small_files"] = a.small_files
            results["small_wall_seconds"] = wall
            results["small_hash_seconds"] = done["hashSeconds"]
            results["registrations_per_second"] = a.small_files / done["registerSeconds"]
        finally:
            server.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    target_hash = 0.9 * results["sha256sum_one_core_MBps"] * cores
    rows = [
        ("hashing, openem ingest", f"{results['openem_hash_MBps']:.0f} MB/s",
         f"≥ {target_hash:.0f} MB/s (90% of sha256sum {results['sha256sum_one_core_MBps']:.0f} MB/s × {cores} cores)",
         results["openem_hash_MBps"] >= target_hash),
        ("hashing, sha256sum × cores (xargs -P)", f"{results['sha256sum_parallel_MBps']:.0f} MB/s", "reference", None),
        ("end to end with upload", f"{results['ingest_e2e_MBps']:.0f} MB/s ({results['ingest_e2e_seconds']:.1f} s)",
         f"≥ {0.5 * results['cp_MBps']:.0f} MB/s (50% of cp + sync {results['cp_MBps']:.0f} MB/s)",
         results["ingest_e2e_MBps"] >= 0.5 * results["cp_MBps"]),
        ("registration, --no-upload", f"{results['registrations_per_second']:.0f} files/s",
         "≥ 10,000 files/s", results["registrations_per_second"] >= 10000),
    ]
    results["targets_met"] = {r[0]: r[3] for r in rows if r[3] is not None}
    print(f"\nsession: {a.files} files, {results['bytes'] / 1e9:.2f} GB; small: {a.small_files} files; {cores} cores\n")
    print(f"| {'measure':40} | {'result':28} | {'target':60} | met |")
    print(f"|{'-' * 42}|{'-' * 30}|{'-' * 62}|-----|")
    for name, val, target, met in rows:
        print(f"| {name:40} | {val:28} | {target:60} | {'' if met is None else ('yes' if met else 'no'):3} |")
    os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
    with open(os.path.join(ROOT, "bench", "results", "ingest.json"), "w") as f:
        json.dump(results, f, indent=2, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
