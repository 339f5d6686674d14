#!/usr/bin/env python3
"""A tus PATCH that loses its upload while its body is still arriving is answered 404, as
docs/uploads.md says (never 500), and the answer reaches a client that sends its whole body
before reading: superseded by a newer PATCH of the same upload (a client resuming after a
connection it thought dropped), or the upload terminated (DELETE) meanwhile. The newer PATCH
wins and the file is stored intact. Python standard library only; run with --binary <openem>.
"""
import hashlib
import os
import random
import socket
import sys
import tempfile
import time

from common import Checks, Client, Server, server_env, server_run
from tus_server_test import raw_headers, read_response

MIB = 1024 * 1024


def open_patch(server, token, loc, offset, declared, first_part):
    """Starts a PATCH declaring `declared` bytes and sends only `first_part` of them."""
    s = socket.create_connection(server.addr, timeout=30)
    s.sendall(raw_headers(server, token, loc, offset, [f"Content-Length: {declared}", "Connection: close"]) + first_part)
    return s


def finish_patch(s, rest):
    """Sends the rest of the body whole, then reads the answer (as urllib does)."""
    try:
        s.sendall(rest)
    except OSError as e:
        return f"sending failed: {type(e).__name__}", {}
    try:
        return read_response(s)
    except OSError as e:
        return f"reading failed: {type(e).__name__}", {}
    finally:
        s.close()


def wait_offset(client, loc, at_least):
    deadline = time.time() + 10
    while time.time() < deadline:
        status, h, _ = client.tus_head(loc)
        if status == 200 and int(h.get("upload-offset", "0")) >= at_least:
            return int(h["upload-offset"])
        time.sleep(0.05)
    return -1


def main():
    binary = sys.argv[sys.argv.index("--binary") + 1] if "--binary" in sys.argv else "build/openem"
    work = tempfile.mkdtemp(prefix="openem-tus-supersede-")
    c = Checks("uploads/tus_supersede")
    rng = random.Random(7)
    content = bytes(rng.getrandbits(8) for _ in range(6 * MIB))
    server = Server(binary, server_env(OPENEM_LOG_LEVEL="info"), os.path.join(work, "data"), os.path.join(work, "server.log"))
    with server_run(c, server, work):
        server.start()
        user1 = Client(server, "user1")
        pid = user1.dataset({"superseded.bin": content, "terminated.bin": content})

        # Superseded: the old PATCH has sent 1 MiB when a new PATCH takes over at the offset
        # HEAD reports; the old one then sends the rest of its body and must get a 404.
        status, h, _ = user1.tus_create(pid, "superseded.bin", len(content))
        c.eq("create", status, 201)
        loc = h["location"]
        old = open_patch(server, user1.token, loc, 0, len(content), content[:MIB])
        offset = wait_offset(user1, loc, MIB)
        c.eq("HEAD sees the old PATCH's first MiB", offset, MIB)
        status, h, body = user1.tus_patch(loc, offset, content[offset:])
        c.eq("the new PATCH completes the upload", (status, h.get("openem-upload-state")), (204, "stored"))
        status, h = finish_patch(old, content[MIB:])
        c.eq("the superseded PATCH is answered 404", status, 404)
        c.eq("... with Tus-Resumable", h.get("tus-resumable"), "1.0.0")
        status, _, stored = user1.request("GET", f"/api/v3/Datasets/{pid.replace('/', '%2F')}/files/superseded.bin")
        c.eq("the stored file is the new PATCH's", (status, hashlib.sha256(stored).hexdigest()),
             (200, hashlib.sha256(content).hexdigest()))

        # Terminated while the PATCH streams in.
        status, h, _ = user1.tus_create(pid, "terminated.bin", len(content))
        loc = h["location"]
        old = open_patch(server, user1.token, loc, 0, len(content), content[:MIB])
        c.eq("HEAD sees the first MiB", wait_offset(user1, loc, MIB), MIB)
        status, _, _ = user1.request("DELETE", loc, [("Tus-Resumable", "1.0.0")])
        c.eq("termination", status, 204)
        status, h = finish_patch(old, content[MIB:])
        c.eq("the PATCH of a terminated upload is answered 404", status, 404)
        c.eq("HEAD of the terminated upload", user1.tus_head(loc)[0], 404)
        c.eq("nothing stored", user1.request("GET", f"/api/v3/Datasets/{pid.replace('/', '%2F')}/files/terminated.bin")[0], 404)

        # No 500 anywhere in the log, and the server is fine.
        c.eq("health", user1.request("GET", "/api/v3/health")[0], 200)
        stop_error = server.stop()
        c.true("clean SIGTERM exit", stop_error is None, stop_error or "")
        with open(os.path.join(work, "server.log"), "rb") as f:
            log = f.read().decode("utf-8", "replace")
        c.true("no 500 in the log", "status=500" not in log, [l for l in log.splitlines() if "status=500" in l][:3])
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
