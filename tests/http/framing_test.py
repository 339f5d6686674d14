#!/usr/bin/env python3
"""Request framing at the server's front door (docs/security.md, "HTTP and sign-in").

* Transfer-Encoding whose last coding is not `chunked` (`xchunked`, `chunked, identity`,
  `gzip`), Transfer-Encoding together with Content-Length, and Transfer-Encoding in an
  HTTP/1.0 request are answered 400 and the connection is closed: nothing after the header is
  ever parsed as a second request (RFC 9112 §6.1, §6.3; a request-smuggling precondition
  behind a proxy). A coding other than `chunked` before it is 501. Plain chunked bodies work.
* A body refused early (413 by Content-Length, 404 for a tus PATCH of an unknown upload) is
  drained after the answer, so a client that sends its whole body before reading (Python's
  urllib) gets the answer instead of a broken pipe.

Raw sockets only (the point is what goes over the wire); run with --binary <openem>.
"""
import json
import os
import re
import socket
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "uploads"))
from common import Checks, Client, Server, server_env, server_run  # noqa: E402

MIB = 1024 * 1024
STATUS_RE = re.compile(rb"HTTP/1\.[01] (\d{3}) ")


def exchange(addr, data, timeout=10.0):
    """Sends `data` whole (like urllib: no reading until everything is out), then reads until
    the server closes. Returns (bytes received, error text or None)."""
    with socket.create_connection(addr, timeout=timeout) as s:
        try:
            s.sendall(data)
        except OSError as e:
            return b"", f"sending failed: {type(e).__name__}: {e}"
        out = b""
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                got = s.recv(65536)
            except socket.timeout:
                return out, "timed out waiting for the server to close"
            except OSError as e:
                return out, f"receiving failed: {type(e).__name__}: {e}"
            if not got:
                return out, None
            out += got
        return out, "timed out waiting for the server to close"


def statuses(raw):
    """Status codes of the responses in `raw`, in order (the line starts of each head)."""
    codes, pos = [], 0
    while True:
        m = STATUS_RE.match(raw, pos)
        if not m:
            return codes
        codes.append(int(m.group(1)))
        head_end = raw.find(b"\r\n\r\n", pos)
        if head_end < 0:
            return codes
        head = raw[pos:head_end].decode("latin-1").lower()
        length = re.search(r"content-length: *(\d+)", head)
        pos = head_end + 4 + (int(length.group(1)) if length else 0)


def request(host, method, target, headers, body=b"", version="HTTP/1.1"):
    lines = [f"{method} {target} {version}", f"Host: {host}"] + headers
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def main():
    binary = sys.argv[sys.argv.index("--binary") + 1] if "--binary" in sys.argv else "build/openem"
    work = tempfile.mkdtemp(prefix="openem-framing-")
    env = server_env(MAX_FILE_UPLOAD_SIZE="1mb")
    c = Checks("http/framing")
    server = Server(binary, env, os.path.join(work, "data"), os.path.join(work, "server.log"))
    with server_run(c, server, work):
        server.start()
        host = f"{server.addr[0]}:{server.addr[1]}"
        token = Client(server, "user1").token
        smuggled = request(host, "GET", "/api/v3/health", [])
        valid = b'{"type":"raw"}'
        json_h = ["Content-Type: application/json", f"Authorization: Bearer {token}"]

        # A coding list that does not end in chunked leaves the body length undefined: 400,
        # close, and the bytes behind the header are never read as a request of their own.
        for te in ("xchunked", "chunked, identity", "gzip", "identity", "chunked;q=1", ""):
            for with_length in (True, False):
                hs = json_h + [f"Transfer-Encoding: {te}"] + ([f"Content-Length: {len(valid)}"] if with_length else [])
                raw, err = exchange(server.addr, request(host, "POST", "/api/v3/Datasets/isValid", hs, valid) + smuggled)
                what = f"Transfer-Encoding {te!r}{' + Content-Length' if with_length else ''}"
                c.eq(f"{what}: one answer, 400, then close", (statuses(raw), err), ([400], None))
                c.true(f"{what}: the answer names the framing header",
                       re.search(rb'"message":"[^"]*(Transfer-Encoding|Content-Length)', raw), raw[:300])

        # The same body announced both ways, in either order.
        chunked_body = b"%x\r\n%s\r\n0\r\n\r\n" % (len(valid), valid)
        for hs in (["Transfer-Encoding: chunked", f"Content-Length: {len(chunked_body)}"],
                   [f"Content-Length: {len(chunked_body)}", "Transfer-Encoding: chunked"]):
            raw, err = exchange(server.addr, request(host, "POST", "/api/v3/Datasets/isValid", json_h + hs, chunked_body) + smuggled)
            c.eq(f"{hs}: one answer, 400, then close", (statuses(raw), err), ([400], None))

        # Codings split over two header lines are one list: "chunked" then "gzip" ends in gzip.
        raw, err = exchange(server.addr, request(host, "POST", "/api/v3/Datasets/isValid",
                                                 json_h + ["Transfer-Encoding: chunked", "Transfer-Encoding: gzip"],
                                                 chunked_body) + smuggled)
        c.eq("chunked, then gzip on a second line: 400", (statuses(raw), err), ([400], None))

        # A coding we cannot decode before chunked: 501 (RFC 9112 §6.1), and close.
        raw, err = exchange(server.addr, request(host, "POST", "/api/v3/Datasets/isValid",
                                                 json_h + ["Transfer-Encoding: gzip, chunked"], chunked_body) + smuggled)
        c.eq("gzip, chunked: 501 then close", (statuses(raw), err), ([501], None))

        # HTTP/1.0 has no transfer codings: the framing is faulty (RFC 9112 §6.1).
        raw, err = exchange(server.addr, request(host, "POST", "/api/v3/Datasets/isValid",
                                                 json_h + ["Transfer-Encoding: chunked"], chunked_body, "HTTP/1.0") + smuggled)
        c.eq("HTTP/1.0 with Transfer-Encoding: 400 then close", (statuses(raw), err), ([400], None))

        # Well-formed chunked bodies still work, and the connection carries the next request.
        raw, err = exchange(server.addr, request(host, "POST", "/api/v3/Datasets/isValid",
                                                 json_h + ["Transfer-Encoding: chunked"], chunked_body)
                            + request(host, "GET", "/api/v3/health", ["Connection: close"]))
        c.eq("chunked body, then a second request on the same connection", (statuses(raw), err), ([200, 200], None))
        raw, err = exchange(server.addr, request(host, "POST", "/api/v3/Datasets/isValid",
                                                 json_h + ["Transfer-Encoding: Chunked", "Connection: close"], chunked_body))
        c.eq("the coding name is case-insensitive", (statuses(raw), err), ([200], None))

        # Early refusals reach a client that sends the whole body before it reads.
        big = b"x" * (32 * MIB)
        raw, err = exchange(server.addr, request(host, "POST", "/api/v3/Datasets",
                                                 json_h + [f"Content-Length: {len(big)}"], big), 30)
        c.eq("413 by Content-Length reaches a client that sent the whole body", (statuses(raw), err), ([413], None))
        c.true("the 413 says the limit", b"larger than 1048576 bytes" in raw, raw[:300])
        raw, err = exchange(server.addr, request(host, "PATCH", "/api/v3/uploads/00000000-0000-4000-8000-000000000000",
                                                 ["Tus-Resumable: 1.0.0", "Content-Type: application/offset+octet-stream",
                                                  "Upload-Offset: 0", f"Authorization: Bearer {token}",
                                                  f"Content-Length: {len(big)}"], big), 30)
        c.eq("tus PATCH of an unknown upload: the 404 reaches the client", (statuses(raw), err), ([404], None))

        # The server is still healthy, and answers a refused chunked body too.
        chunks = b"".join(b"%x\r\n%s\r\n" % (MIB, b"y" * MIB) for _ in range(4)) + b"0\r\n\r\n"
        raw, err = exchange(server.addr, request(host, "POST", "/api/v3/Datasets/isValid",
                                                 json_h + ["Transfer-Encoding: chunked"], chunks), 30)
        c.eq("chunked body over the limit: 413", (statuses(raw), err), ([413], None))
        raw, err = exchange(server.addr, request(host, "GET", "/api/v3/health", ["Connection: close"]))
        c.eq("healthy afterwards", (statuses(raw), err), ([200], None))
        stop_error = server.stop()
        c.true("clean SIGTERM exit", stop_error is None, stop_error or "")
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
