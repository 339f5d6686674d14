#!/usr/bin/env python3
"""tus uploads that continue on another API process (issue #16): two `openem serve` on one
PostgreSQL catalog and one S3 bucket, each with a data directory of its own. An upload is
created on A, continued on B and finished on A, and the stored file's SHA-256 is checked
through B; two PATCHes at one offset on A and B: one is acknowledged, the other gets 409;
A is killed with SIGKILL in the middle of a PATCH and the upload resumes on B from the offset
it acknowledged, nothing acknowledged lost.

Needs the PostgreSQL test cluster (ctest fixture `postgres`: OPENEM_TEST_POSTGRES_URL_FILE)."""
import hashlib
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "archive"))
sys.path.insert(0, HERE)
from common_archive import Checks, Client, Server, enc, server_env  # noqa: E402
from multiprocess_test import create_database  # noqa: E402
import run  # noqa: E402

MIB = 1024 * 1024


def offset_on(client, location):
    status, headers, _ = client.tus_head(location)
    return status, int(headers.get("upload-offset", -1))


def download_sha256(client, pid, path):
    status, _, body = client.request("GET", f"/api/v3/Datasets/{enc(pid)}/files/{path}")
    return status, hashlib.sha256(body).hexdigest() if status == 200 else None


def start_slow_patch(server, token, location, offset, chunk, sent_before_pause):
    """A PATCH whose body stops after `sent_before_pause` bytes (the connection stays open)."""
    s = socket.create_connection(server.addr, timeout=30)
    head = (f"PATCH {location} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nTus-Resumable: 1.0.0\r\n"
            f"Content-Type: application/offset+octet-stream\r\nUpload-Offset: {offset}\r\n"
            f"Content-Length: {len(chunk)}\r\n\r\n").encode()
    s.sendall(head + chunk[:sent_before_pause])
    return s


def main():
    binary = sys.argv[sys.argv.index("--binary") + 1] if "--binary" in sys.argv else "build/openem"
    c = Checks("scaleout/tus_handover")
    url_file = os.environ.get("OPENEM_TEST_POSTGRES_URL_FILE", "")
    if not url_file or not os.path.exists(url_file):
        c.true("a PostgreSQL test cluster (run through ctest: fixture `postgres`)", False, url_file)
        return c.finish()
    admin_url = open(url_file).read().strip()
    database = f"openem_tus_{os.getpid()}"
    catalog = create_database(admin_url, database)
    work = tempfile.mkdtemp(prefix="openem-tus-handover-")
    rng = random.Random(int(os.environ.get("TUS_HANDOVER_SEED", time.time())))
    s3 = run.S3Server(work)
    env = server_env(OPENEM_CATALOG=catalog, OPENEM_BLOBS=s3.url, JWT_SECRET="shared-secret-of-this-deployment-0123456789",
                     OPENEM_ARCHIVE_WORKER="false", OPENEM_LOG_LEVEL="info", **s3.env)
    servers = [Server(binary, env, os.path.join(work, f"data-api{i}"), os.path.join(work, f"api{i}.log"))
               for i in range(2)]
    sockets = []
    try:
        for s in servers:
            threading.Thread(target=s.start).start()
        deadline = time.time() + 30
        while time.time() < deadline and not all(s.base for s in servers):
            time.sleep(0.05)
        c.true("both API processes up on one catalog", all(s.base for s in servers))
        a, b = servers
        on_a, on_b = Client(a, "user1"), Client(b, "user1")

        # 1. Created on A, continued on B, finished on A; verified and served by B.
        content = rng.randbytes(3 * MIB + 12345)
        pid = on_a.dataset({"movie.tif": content})
        status, headers, body = on_a.tus_create(pid, "movie.tif", len(content))
        c.eq("create on A", status, 201)
        location = headers["location"]
        cuts = [0, MIB, 2 * MIB + 7, len(content)]
        for i, client in enumerate((on_a, on_b, on_a)):
            status, _, body = client.tus_patch(location, cuts[i], content[cuts[i]:cuts[i + 1]])
            c.eq(f"chunk {i + 1} on {'AB'[i % 2]}", status, 204)
            c.eq(f"offset after chunk {i + 1} seen on the other process", offset_on((on_b, on_a)[i % 2], location),
                 (200, cuts[i + 1]))
        c.eq("file stored, read through B", download_sha256(on_b, pid, "movie.tif"),
             (200, hashlib.sha256(content).hexdigest()))
        c.eq("and through A", download_sha256(on_a, pid, "movie.tif"), (200, hashlib.sha256(content).hexdigest()))

        # 2. Two PATCHes at one offset, one per process: one acknowledged, the other 409.
        content2 = rng.randbytes(2 * MIB)
        pid2 = on_a.dataset({"race.bin": content2})
        status, headers, _ = on_b.tus_create(pid2, "race.bin", len(content2))
        location2 = headers["location"]
        answers = {}
        chunk = content2[:MIB]

        def patch(name, client):
            answers[name] = client.tus_patch(location2, 0, chunk)[0]

        racers = [threading.Thread(target=patch, args=(n, cl)) for n, cl in (("A", on_a), ("B", on_b))]
        for t in racers:
            t.start()
        for t in racers:
            t.join(60)
        c.eq("two PATCHes at offset 0: one 204, one 409", sorted(answers.values()), [204, 409])
        c.eq("the offset moved once", offset_on(on_a, location2), (200, MIB))
        status, _, _ = on_b.tus_patch(location2, MIB, content2[MIB:])
        c.eq("the rest on B", status, 204)
        c.eq("raced file stored whole", download_sha256(on_a, pid2, "race.bin"),
             (200, hashlib.sha256(content2).hexdigest()))

        # 3. kill -9 of A in the middle of a PATCH: B resumes from the acknowledged offset.
        content3 = rng.randbytes(4 * MIB + 99)
        pid3 = on_a.dataset({"killed.bin": content3})
        status, headers, _ = on_a.tus_create(pid3, "killed.bin", len(content3))
        location3 = headers["location"]
        status, _, _ = on_a.tus_patch(location3, 0, content3[:MIB])
        c.eq("first chunk acknowledged by A", status, 204)
        pending = start_slow_patch(a, on_a.token, location3, MIB, content3[MIB:3 * MIB], MIB // 2)
        sockets.append(pending)
        time.sleep(0.5)  # A is receiving the second chunk
        a.proc.send_signal(signal.SIGKILL)
        a.proc.wait()
        c.eq("after the kill, B sees the acknowledged offset", offset_on(on_b, location3), (200, MIB))
        status, _, _ = on_b.tus_patch(location3, MIB, content3[MIB:])
        c.eq("B takes the rest", status, 204)
        c.eq("killed upload stored whole", download_sha256(on_b, pid3, "killed.bin"),
             (200, hashlib.sha256(content3).hexdigest()))
        status, _, _ = on_b.tus_head(location3)
        c.eq("HEAD of the stored upload on B", status, 200)
        c.eq("B stops cleanly", b.stop(), None)
    except (AssertionError, RuntimeError, KeyError, OSError, subprocess.CalledProcessError) as e:
        c.true("unexpected failure", False, repr(e))
    finally:
        for sock in sockets:
            sock.close()
        for s in servers:
            if s.proc and s.proc.poll() is None:
                s.proc.kill()
        if c.failures:
            for name in sorted(os.listdir(work)):
                if name.endswith(".log"):
                    text = open(os.path.join(work, name), errors="replace").read()
                    print(f"--- {name}\n" + text[-3000:])
        s3.stop()
        shutil.rmtree(work, ignore_errors=True)
        subprocess.run(["psql", admin_url, "-qc", f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"],
                       capture_output=True)
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
