#!/usr/bin/env python3
"""Archive benchmark (not part of the test suite).

    python3 bench/archive/run.py [--binary build/openem] [--files 1000] [--gb 10]

1. A dataset of FILES files totalling GB gigabytes is placed in a fresh data directory's blob
   store (written directly, as uploads would leave them; free space is checked with df and the
   size scaled down when the disk is short: archive needs ~3.2x the data).
2. Archive: an archive job (one copy, online copy purged) run by `openem archiver --once`:
   pack into a BagIt tar with a sha256 manifest, fsync, read back and verify, register the
   datablock. Next to it: `tar -cf` of the same files + `sha256sum` of them + `sync`.
3. Retrieve: a retrieve job run by `openem archiver --once`: read the bag, verify every file
   against the manifest and the datablock, restore into the blob store. Next to it:
   `tar -xf` of the baseline tar + `sha256sum -c`.
Prints a table and writes bench/results/archive.json.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "api"))
from run import Server, http_request  # noqa: E402

ADMIN_PASSWORD = "bench-admin-password"


def free_bytes(path):
    out = subprocess.run(["df", "-B1", "--output=avail", path], capture_output=True, text=True, check=True).stdout
    return int(out.split()[-1])


def pid_directory_name(pid):
    out = ""
    for i, ch in enumerate(pid.encode()):
        c = chr(ch)
        plain = c.isascii() and (c.isalnum() or c in "_-" or (c == "." and i > 0))
        out += c if plain else "%%%02X" % ch
    return out


def api(addr, token, method, target, doc=None):
    h = [("Authorization", "Bearer " + token)] if token else []
    body = None
    if doc is not None:
        h.append(("Content-Type", "application/json"))
        body = json.dumps(doc).encode()
    status, _, resp = http_request(addr, method, target, h, body, 120)
    return status, (json.loads(resp) if resp else None)


def timed(cmd, **kw):
    t0 = time.time()
    subprocess.run(cmd, check=True, **kw)
    return time.time() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "openem"))
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--gb", type=float, default=10)
    ap.add_argument("--work", default=tempfile.gettempdir())
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="openem-archive-bench-", dir=a.work)
    total = int(a.gb * (1 << 30))
    avail = free_bytes(work) - (4 << 30)
    if total * 3.2 > avail:
        total = max(1 << 26, int(avail / 3.2))
        print(f"disk short: scaled down to {total / (1 << 30):.2f} GB")
    per = total // a.files
    total = per * a.files
    data = os.path.join(work, "data")
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    env.update(OPENEM_ADMIN_PASSWORD=ADMIN_PASSWORD, OPENEM_ARCHIVE_WORKER="false", OPENEM_ARCHIVE_PURGE="always",
               OPENEM_LOG_LEVEL="warn", PID_PREFIX="bench")
    server = Server(a.binary, env, data, os.path.join(work, "server.log"))
    results = {"files": a.files, "bytes": total}
    try:
        server.start()
        status, login = api(server.addr, None, "POST", "/api/v3/auth/login",
                            {"username": "admin", "password": ADMIN_PASSWORD})
        token = login["id"]
        status, ds = api(server.addr, token, "POST", "/api/v3/Datasets", {
            "type": "raw", "ownerGroup": "bench", "owner": "b", "contactEmail": "b@x.org", "sourceFolder": "/b",
            "creationTime": "2024-01-01T00:00:00Z", "principalInvestigator": "pi", "creationLocation": "krios"})
        pid = ds["pid"]
        paths = [f"Frames/movie_{i:05d}.tif" for i in range(a.files)]
        for start in range(0, a.files, 500):
            api(server.addr, token, "POST", "/api/v3/OrigDatablocks", {
                "datasetId": pid, "size": per * len(paths[start:start + 500]), "chkAlg": "sha256",
                "dataFileList": [{"path": p, "size": per, "time": "2024-01-01T00:00:00Z"} for p in paths[start:start + 500]]})
        root = os.path.join(data, "blobs", "datasets", pid_directory_name(pid))
        os.makedirs(os.path.join(root, "Frames"))
        block = os.urandom(1 << 20)
        for i, p in enumerate(paths):
            with open(os.path.join(root, p), "wb") as f:
                left = per - 8
                f.write(i.to_bytes(8, "little"))
                while left > 0:
                    n = min(left, len(block))
                    f.write(block[:n])
                    left -= n
        subprocess.run(["sync"], check=True)

        # baseline: tar + sha256sum + sync
        base_tar = os.path.join(work, "baseline.tar")
        t_tar = timed(["tar", "-cf", base_tar, "-C", root, "."])
        t_sha = timed(f"cd {root} && find . -type f -print0 | xargs -0 sha256sum > {work}/baseline.sha256", shell=True)
        t_sync = timed(["sync"])
        results["baseline_archive_s"] = t_tar + t_sha + t_sync

        status, job = api(server.addr, token, "POST", "/api/v4/jobs", {"type": "archive", "jobParams": {
            "datasetList": [{"pid": pid, "files": []}], "tapeCopies": "one"}})
        assert status == 201, job
        results["openem_archive_s"] = timed([a.binary, "archiver", "--data-dir", data, "--once"], env=env,
                                            stdout=subprocess.DEVNULL)
        status, j = api(server.addr, token, "GET", "/api/v4/jobs/" + job["id"])
        assert j["statusCode"] == "finishedSuccessful", j

        restore = os.path.join(work, "baseline-restore")
        os.makedirs(restore)
        t_x = timed(["tar", "-xf", base_tar, "-C", restore])
        t_c = timed(f"cd {restore} && sha256sum --quiet -c {work}/baseline.sha256", shell=True)
        results["baseline_retrieve_s"] = t_x + t_c
        shutil.rmtree(restore)
        os.unlink(base_tar)

        status, job = api(server.addr, token, "POST", "/api/v4/jobs", {"type": "retrieve", "jobParams": {
            "datasetList": [{"pid": pid, "files": []}]}})
        assert status == 201, job
        results["openem_retrieve_s"] = timed([a.binary, "archiver", "--data-dir", data, "--once"], env=env,
                                             stdout=subprocess.DEVNULL)
        status, j = api(server.addr, token, "GET", "/api/v4/jobs/" + job["id"])
        assert j["statusCode"] == "finishedSuccessful", j
        server.stop()
    finally:
        if server.proc and server.proc.poll() is None:
            server.proc.kill()
        shutil.rmtree(work, ignore_errors=True)
    mb = total / (1 << 20)
    print(f"{a.files} files, {total / (1 << 30):.2f} GiB")
    print(f"{'':28}{'seconds':>10}{'MiB/s':>10}")
    for k in ("openem_archive_s", "baseline_archive_s", "openem_retrieve_s", "baseline_retrieve_s"):
        print(f"{k:28}{results[k]:10.1f}{mb / results[k]:10.0f}")
    with open(os.path.join(ROOT, "bench", "results", "archive.json"), "w") as f:
        json.dump(results, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
