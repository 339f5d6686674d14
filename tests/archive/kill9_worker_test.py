#!/usr/bin/env python3
"""kill -9 of an `openem archiver` in the middle of an archive job: no datablock points at an
incomplete bag, the job resumes when the lease of the dead worker runs out and finishes with
exactly one verified bag per dataset. Then two archivers on one catalog: every job is taken
by exactly one of them."""
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse

from common_archive import (ArchiveStorage, Checks, Client, Server, dataset_with_files, get_json, server_env, validate_bag,
                            wait_job)

DATASETS = 12
FILE_BYTES = 4 * 1024 * 1024


def start_archiver(binary, env, data, log_path):
    log = open(log_path, "ab")
    return subprocess.Popen([binary, "archiver", "--data-dir", data], env=env, stdout=log, stderr=log,
                            stdin=subprocess.DEVNULL)


def check_blocks(c, admin, storage, pids, work, tag):
    """Every datablock of the datasets names a complete, valid bag; returns blocks per pid."""
    per = {}
    for pid in pids:
        blocks = get_json(admin, "/api/v3/Datasets/" + urllib.parse.quote(pid, safe="") + "/datablocks")
        per[pid] = blocks
        for b in blocks:
            bag = storage.bag_file(1, b["archiveId"])
            c.true(f"{tag}: datablock {b['archiveId']} has its bag", os.path.exists(bag))
            if os.path.exists(bag):
                c.eq(f"{tag}: bag size = packedSize", os.path.getsize(bag), b["packedSize"])
                _, error = validate_bag(bag, os.path.join(work, "v", tag, b["archiveId"]))
                c.eq(f"{tag}: bag {b['archiveId']} valid", error, None)
    return per


def main():
    binary = sys.argv[sys.argv.index("--binary") + 1] if "--binary" in sys.argv else "build/openem"
    work = tempfile.mkdtemp(prefix="openem-archive-kill9-")
    data = os.path.join(work, "data")
    c = Checks("archive/kill9")
    rng = random.Random(int(os.environ.get("KILL9_SEED", time.time())))
    storage = ArchiveStorage(work, data)
    env = storage.env(OPENEM_ARCHIVE_WORKER="false", OPENEM_ARCHIVE_LEASE="2", OPENEM_ARCHIVE_POLL_MS="100",
                     OPENEM_LOG_LEVEL="info")
    server = Server(binary, env, data, os.path.join(work, "server.log"))
    archivers = []
    try:
        server.start()
        user1, admin = Client(server, "user1"), Client(server, "admin")
        killed_mid_job = False
        for rnd in range(3):
            pids = [dataset_with_files(user1, {"a.bin": rng.randbytes(FILE_BYTES), "b.bin": rng.randbytes(FILE_BYTES)})
                    for _ in range(DATASETS)]
            job = user1.json("POST", "/api/v4/jobs", {"type": "archive", "ownerGroup": "group1", "jobParams": {
                "datasetList": [{"pid": p, "files": []} for p in pids]}}, 201)
            proc = start_archiver(binary, env, data, os.path.join(work, f"archiver-{rnd}.log"))
            archivers.append(proc)
            deadline = time.time() + 60
            while time.time() < deadline:  # poll fast: a job of this size takes about a second
                if get_json(user1, "/api/v4/jobs/" + job["id"])["statusCode"] != "jobSubmitted":
                    break
                time.sleep(0.005)
            time.sleep(rng.uniform(0.0, 0.25))
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            state = get_json(user1, "/api/v4/jobs/" + job["id"])
            blocks = check_blocks(c, admin, storage, pids, work, f"round {rnd} after kill")
            done = sum(1 for b in blocks.values() if b)
            print(f"round {rnd}: killed with job {state['statusCode']}, {done} of {DATASETS} datasets archived")
            if state["statusCode"] != "inProgress":
                continue  # the kill came too late: try again with a new job
            killed_mid_job = True
            proc = start_archiver(binary, env, data, os.path.join(work, f"archiver-{rnd}b.log"))
            archivers.append(proc)
            final = wait_job(user1, job["id"], 180)
            c.eq("resumed job finishes", final["statusCode"], "finishedSuccessful")
            c.eq("resumed job archived all", final["statusMessage"], f"Archived {DATASETS} of {DATASETS} datasets")
            blocks = check_blocks(c, admin, storage, pids, work, f"round {rnd} after resume")
            c.eq("exactly one datablock per dataset", sorted(len(b) for b in blocks.values()), [1] * DATASETS)
            for pid in pids:
                lc = get_json(user1, "/api/v3/Datasets/" + urllib.parse.quote(pid, safe=""))["datasetlifecycle"]
                c.eq(f"lifecycle of {pid}", lc.get("archiveStatusMessage"), "datasetOnArchiveDisk")
            c.eq("no partial bag left", storage.partial_bags(), [])
            proc.send_signal(signal.SIGTERM)
            c.eq("archiver stops on SIGTERM", proc.wait(15), 0)
            break
        c.true("the kill hit a running job in one of 3 rounds", killed_mid_job)

        # two archivers, twelve jobs: each job started exactly once
        jobs = []
        for _ in range(12):
            pid = dataset_with_files(user1, {"f.txt": rng.randbytes(20000)})
            jobs.append(user1.json("POST", "/api/v3/Jobs", {"type": "archive", "datasetList": [{"pid": pid, "files": []}]},
                                   201)["id"])
        logs = [os.path.join(work, f"pair-{i}.log") for i in range(2)]
        pair = [start_archiver(binary, env, data, logs[i]) for i in range(2)]
        archivers.extend(pair)
        for j in jobs:
            c.eq(f"job {j[:8]} finished", wait_job(user1, j, 120)["statusCode"], "finishedSuccessful")
        for p in pair:
            p.send_signal(signal.SIGTERM)
            p.wait(15)
        started = []
        for path in logs:
            started += re.findall(r"event=job_started job=([0-9a-f-]+)", open(path, errors="replace").read())
        c.eq("every job started exactly once", sorted(started), sorted(jobs))
        per_worker = [len(re.findall(r"event=job_started", open(p, errors="replace").read())) for p in logs]
        print("jobs per archiver:", per_worker)
        c.eq("clean stop", server.stop(), None)
    except AssertionError as e:
        c.true("unexpected failure", False, str(e))
    finally:
        for p in archivers:
            if p.poll() is None:
                p.kill()
                p.wait()
        if server.proc and server.proc.poll() is None:
            server.proc.kill()
        storage.stop()
        if c.failures:
            for name in sorted(os.listdir(work)):
                if name.endswith(".log"):
                    print(f"--- {name}\n" + open(os.path.join(work, name), errors="replace").read()[-2500:])
        shutil.rmtree(work, ignore_errors=True)
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
