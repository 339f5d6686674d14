#!/usr/bin/env python3
"""The tus endpoint and the downloads against a real `openem serve` (docs/uploads.md).

Resumed uploads across a graceful restart and a kill -9, chunk and whole-file checksum
mismatches (460), rights (401/403/409), termination, single-file downloads with ETag, 304,
Range (206/416), and the dataset tar: extracted with tar, byte-identical, manifest verified
with `sha256sum -c`. Python standard library only; run with --binary <openem>.
"""
import hashlib
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time

from common import Checks, Client, Server, b64, enc, server_env, server_run

MIB = 1024 * 1024


def raw_headers(server, token, loc, offset, extra):
    lines = [f"PATCH {loc} HTTP/1.1", f"Host: {server.addr[0]}", "Tus-Resumable: 1.0.0",
             "Content-Type: application/offset+octet-stream", f"Upload-Offset: {offset}",
             f"Authorization: Bearer {token}", *extra]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def raw_patch(server, token, loc, offset, declared, body, checksum=None):
    """Declares `declared` bytes, sends only `body`, then drops the connection."""
    extra = [f"Content-Length: {declared}"] + ([f"Upload-Checksum: {checksum}"] if checksum else [])
    with socket.create_connection(server.addr, timeout=10) as s:
        s.sendall(raw_headers(server, token, loc, offset, extra) + body)
        time.sleep(0.3)  # let the server take the bytes before the connection goes
    time.sleep(0.3)


def read_response(s):
    reply = b""
    while True:
        got = s.recv(65536)
        if not got:
            break
        reply += got
    head = reply.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in head[1:] if ":" in line)}
    return int(head[0].split()[1]), headers


def continue_patch(server, token, loc, offset, body):
    """Sends the header with Expect: 100-continue and the body only after the interim 100."""
    extra = [f"Content-Length: {len(body)}", "Expect: 100-continue", "Connection: close"]
    with socket.create_connection(server.addr, timeout=5) as s:
        s.sendall(raw_headers(server, token, loc, offset, extra))
        interim = b""
        while b"\r\n\r\n" not in interim:
            got = s.recv(1)  # byte by byte: the final answer must stay unread
            if not got:
                return -1, {}
            interim += got
        if not interim.startswith(b"HTTP/1.1 100"):
            return int(interim.split()[1]), {}
        s.sendall(body)
        return read_response(s)


def chunked_patch(server, token, loc, offset, body):
    half = len(body) // 2
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in (body[:half], body[half:])) + b"0\r\n\r\n"
    with socket.create_connection(server.addr, timeout=10) as s:
        s.sendall(raw_headers(server, token, loc, offset, ["Transfer-Encoding: chunked", "Connection: close"]) + chunks)
        return read_response(s)


def main():
    binary = sys.argv[sys.argv.index("--binary") + 1] if "--binary" in sys.argv else "build/openem"
    work = tempfile.mkdtemp(prefix="openem-tus-")
    data = os.path.join(work, "data")
    env = server_env(MAX_FILE_UPLOAD_SIZE="2mb")
    c = Checks("uploads/tus_server")
    rng = random.Random(42)
    big = bytes(rng.getrandbits(8) for _ in range(5 * MIB + 123))
    killed = bytes(rng.getrandbits(8) for _ in range(3 * MIB + 7))
    small = b"0123456789abcdefghijklmnopqrstuvwxyz"
    files = {"raw/big.bin": big, "raw/sub dir/killed.bin": killed, "small.txt": small, "empty.txt": b"",
             "a" * 120 + "/" + "b" * 110 + ".txt": b"long name"}
    server = Server(binary, env, data, os.path.join(work, "server.log"))
    with server_run(c, server, work):
        server.start()
        user1, user2, anon, ingestor = Client(server, "user1"), Client(server, "user2"), Client(server), Client(server, "ingestor")
        pid = user1.dataset(dict(files, **{"wrong.bin": b"what the file list says"}))
        user1.json("POST", "/api/v3/OrigDatablocks", {
            "datasetId": pid, "size": 10, "chkAlg": "md5",
            "dataFileList": [{"path": "md5-only.bin", "size": 10, "time": "2024-01-01T00:00:00Z",
                              "chk": hashlib.md5(b"0123456789").hexdigest()}]}, 201)

        # Discovery and the protocol header.
        status, h, _ = anon.request("OPTIONS", "/api/v3/uploads")
        c.eq("OPTIONS status", status, 204)
        c.eq("Tus-Version", h.get("tus-version"), "1.0.0")
        c.eq("Tus-Extension", h.get("tus-extension"), "creation,termination,checksum,expiration")
        c.eq("Tus-Checksum-Algorithm", h.get("tus-checksum-algorithm"), "sha256,sha1")
        c.eq("no chunk size limit (PATCH bodies stream to disk)", h.get("tus-max-chunk-size"), None)
        c.eq("Tus-Max-Size", h.get("tus-max-size"), str(1 << 40))
        status, h, body = user1.request("POST", "/api/v3/uploads", [("Upload-Length", "3")], b"")
        c.eq("POST without Tus-Resumable", status, 412)
        c.eq("412 carries Tus-Version", h.get("tus-version"), "1.0.0")

        # Creation: rights and preconditions.
        c.eq("anonymous creation", anon.tus_create(pid, "small.txt", len(small))[0], 401)
        status, _, body = user2.tus_create(pid, "small.txt", len(small))
        c.eq("non-member creation (unreadable looks like missing)", status, 404)
        status, _, body = user1.tus_create(pid, "md5-only.bin", 10)
        c.eq("path registered without sha256", status, 409)
        c.true("409 names the missing sha256", b"without a sha256 checksum" in body, body)
        status, _, body = user1.tus_create(pid, "small.txt", 999)
        c.eq("length differs from the file list", status, 409)
        status, _, body = user1.tus_create(pid, "../escape", 3)
        c.eq("unsafe path", status, 400)
        c.true("400 names the rule", b"'..' segment" in body, body)
        status, _, body = user1.tus_create("no-such-pid", "small.txt", len(small))
        c.eq("unknown dataset", status, 404)
        status, _, _ = user1.request("POST", "/api/v3/uploads", [("Tus-Resumable", "1.0.0"), ("Upload-Length", "3"),
                                                                 ("Upload-Metadata", "path " + b64("small.txt"))], b"")
        c.eq("missing datasetId", status, 400)

        # A resumed upload across a graceful restart, with chunk checksums.
        status, h, _ = user1.tus_create(pid, "raw/big.bin", len(big))
        c.eq("create big", status, 201)
        c.eq("Tus-Resumable on responses", h.get("tus-resumable"), "1.0.0")
        c.true("Upload-Expires set", h.get("upload-expires", "").endswith("GMT"), h)
        loc = h.get("location", "")
        c.true("Location under /api/v3/uploads/", loc.startswith("/api/v3/uploads/") and len(loc) == len("/api/v3/uploads/") + 36, loc)
        half = len(big) // 2
        offset = 0
        for piece in (big[:MIB], big[MIB:half]):
            digest = "sha256 " + b64(hashlib.sha256(piece).digest())
            status, h, body = user1.tus_patch(loc, offset, piece, digest)
            c.eq(f"PATCH at {offset}", status, 204)
            offset += len(piece)
            c.eq("new Upload-Offset", h.get("upload-offset"), str(offset))
        status, h, body = user1.tus_patch(loc, 0, big[:10])
        c.eq("wrong offset", status, 409)
        status, h, body = user1.tus_patch(loc, offset, big[offset:offset + 100], "sha256 " + b64(hashlib.sha256(b"x").digest()))
        c.eq("chunk checksum mismatch", status, 460)
        # A chunk larger than the server's body limit (2 MiB here) streams to disk.
        status, h, body = user1.tus_patch(loc, offset, big[offset:offset + 2 * MIB + 1])
        c.eq("chunk above the body limit", status, 204)
        offset += 2 * MIB + 1
        c.eq("offset after the large chunk", h.get("upload-offset"), str(offset))
        # The connection drops mid-chunk: the bytes that arrived count (tus), so HEAD moves on...
        sent = 100_000
        raw_patch(server, user1.token, loc, offset, 200_000, big[offset:offset + sent])
        status, h, _ = user1.tus_head(loc)
        c.eq("offset after a dropped PATCH keeps what arrived", h.get("upload-offset"), str(offset + sent))
        offset += sent
        # ...unless the chunk promised a checksum, which cannot be checked on a partial chunk.
        raw_patch(server, user1.token, loc, offset, 100_000, big[offset:offset + 50_000],
                  "sha256 " + b64(hashlib.sha256(big[offset:offset + 100_000]).digest()))
        status, h, _ = user1.tus_head(loc)
        c.eq("a dropped PATCH with Upload-Checksum leaves the offset", h.get("upload-offset"), str(offset))
        # A chunked-encoded PATCH (no Content-Length) is read whole, then appended.
        status, h = chunked_patch(server, user1.token, loc, offset, big[offset:offset + 70_000])
        c.eq("chunked transfer encoding", status, 204)
        offset += 70_000
        c.eq("offset after the chunked PATCH", h.get("upload-offset"), str(offset))
        # Expect: 100-continue gets its interim answer before the body is sent.
        status, h = continue_patch(server, user1.token, loc, offset, big[offset:offset + 30_000])
        c.eq("PATCH after 100 Continue", status, 204)
        offset += 30_000
        c.eq("offset after the 100-continue PATCH", h.get("upload-offset"), str(offset))
        acknowledged = offset
        status, h, _ = user2.tus_head(loc)
        c.eq("someone else's upload", status, 403)
        status, _, _ = user1.request("PATCH", loc, [("Tus-Resumable", "1.0.0"), ("Content-Type", "application/json"),
                                                    ("Upload-Offset", str(offset))], b"{}")
        c.eq("wrong Content-Type", status, 415)
        c.eq("SIGTERM", server.stop(), None)
        server.start()
        user1 = Client(server, "user1")
        status, h, _ = user1.tus_head(loc)
        c.eq("HEAD after restart", status, 200)
        c.eq("offset survived the restart", h.get("upload-offset"), str(acknowledged))
        c.eq("Upload-Length", h.get("upload-length"), str(len(big)))
        c.eq("Cache-Control", h.get("cache-control"), "no-store")
        c.true("metadata echoed", b64(pid) in h.get("upload-metadata", ""), h)
        offset = int(h["upload-offset"])
        while offset < len(big):
            piece = big[offset:offset + MIB + 1000]
            status, h, body = user1.tus_patch(loc, offset, piece)
            c.eq(f"PATCH after restart at {offset}", status, 204)
            offset += len(piece)
        c.eq("final offset", h.get("upload-offset"), str(len(big)))
        status, h, _ = user1.tus_patch(loc, len(big), b"")
        c.eq("retried last PATCH is idempotent", status, 204)

        # kill -9 in the middle: the acknowledged prefix is there, the client resumes with HEAD.
        status, h, _ = user1.tus_create(pid, "raw/sub dir/killed.bin", len(killed))
        loc2 = h.get("location", "")
        status, h, _ = user1.tus_patch(loc2, 0, killed[:MIB + 5])
        c.eq("PATCH before kill", status, 204)
        server.proc.send_signal(signal.SIGKILL)
        server.proc.wait()
        server.start()
        user1 = Client(server, "user1")
        status, h, _ = user1.tus_head(loc2)
        c.eq("HEAD after kill -9", status, 200)
        c.eq("acknowledged offset after kill -9", h.get("upload-offset"), str(MIB + 5))
        offset = MIB + 5
        while offset < len(killed):
            status, h, _ = user1.tus_patch(loc2, offset, killed[offset:offset + MIB])
            c.eq(f"PATCH after kill at {offset}", status, 204)
            offset += MIB

        # Whole-file mismatch: 460, then the upload is gone for good.
        content = b"not what was registered"
        status, h, _ = user1.tus_create(pid, "wrong.bin", len(b"what the file list says"))
        loc3 = h.get("location", "")
        content = content[:len(b"what the file list says")].ljust(len(b"what the file list says"), b"!")
        status, h, body = user1.tus_patch(loc3, 0, content)
        c.eq("whole-file mismatch", status, 460)
        doc = json.loads(body or b"{}")
        c.eq("460 body statusCode", doc.get("statusCode"), 460)
        c.eq("460 body error", doc.get("error"), "Checksum Mismatch")
        c.true("460 message", "Checksum mismatch" in doc.get("message", ""), doc)
        c.eq("HEAD of a failed upload", user1.tus_head(loc3)[0], 410)
        c.eq("PATCH of a failed upload", user1.tus_patch(loc3, len(content), b"")[0], 410)
        c.eq("mismatched file not stored", user1.request("GET", f"/api/v3/Datasets/{enc(pid)}/files/wrong.bin")[0], 404)

        # Upload first, register after: the complete file waits for its file list.
        early, late = b"arrived before its file list" * 1000, b"x" * 5
        later = user1.dataset({})
        status, _, body = user1.tus_create(later, "early.bin", len(early))
        c.eq("a plain tus client is told to register first", status, 409)
        c.true("409 says register first or awaitFileList", b"awaitFileList" in body, body)
        status, h, _ = user1.tus_create(later, "early.bin", len(early), await_file_list=True)
        c.eq("creation of a path not registered yet, with awaitFileList", status, 201)
        c.eq("new upload is receiving", h.get("openem-upload-state"), "receiving")
        loc5 = h.get("location", "")
        status, h, _ = user1.tus_patch(loc5, 0, early[:1000])
        c.eq("first part before the list", (status, h.get("openem-upload-state")), (204, "receiving"))
        status, h, _ = user1.tus_patch(loc5, 1000, early[1000:])
        c.eq("last byte before the list is accepted", (status, h.get("upload-offset")), (204, str(len(early))))
        c.eq("state after the last byte", h.get("openem-upload-state"), "awaiting-checksum")
        c.eq("HEAD says awaiting-checksum", user1.tus_head(loc5)[1].get("openem-upload-state"), "awaiting-checksum")
        c.eq("not downloadable yet", user1.request("GET", f"/api/v3/Datasets/{enc(later)}/files/early.bin")[0], 404)
        status, _, body = user1.tus_patch(loc5, len(early), b"")
        c.eq("verification asked before the list", status, 409)
        c.true("409 says register first", b"register the file list" in body, body)
        status, h, _ = user1.tus_create(later, "late.bin", len(late), await_file_list=True)
        loc6 = h.get("location", "")
        c.eq("second early upload", user1.tus_patch(loc6, 0, late)[0], 204)
        status, h, _ = user1.tus_create(later, "empty.bin", 0, await_file_list=True)
        c.eq("empty file before the list", (status, h.get("openem-upload-state")), (201, "awaiting-checksum"))
        loc7 = h.get("location", "")
        user1.json("POST", "/api/v3/OrigDatablocks", {
            "datasetId": later, "size": len(early) + len(late), "chkAlg": "sha256",
            "dataFileList": [{"path": "early.bin", "size": len(early), "time": "2024-01-01T00:00:00Z",
                              "chk": hashlib.sha256(early).hexdigest()},
                             {"path": "late.bin", "size": len(late), "time": "2024-01-01T00:00:00Z",
                              "chk": hashlib.sha256(b"something else").hexdigest()},
                             {"path": "empty.bin", "size": 0, "time": "2024-01-01T00:00:00Z",
                              "chk": hashlib.sha256(b"").hexdigest()}]}, 201)
        status, h, _ = user1.tus_patch(loc5, len(early), b"")
        c.eq("empty PATCH after the list verifies and stores", (status, h.get("openem-upload-state")), (204, "stored"))
        status, _, body = user1.request("GET", f"/api/v3/Datasets/{enc(later)}/files/early.bin")
        c.eq("early file downloads", (status, body == early), (200, True))
        c.eq("stored upload: empty PATCH again is 204", user1.tus_patch(loc5, len(early), b"")[0], 204)
        c.eq("early file whose list says otherwise", user1.tus_patch(loc6, len(late), b"")[0], 460)
        c.eq("...is failed for good", user1.tus_head(loc6)[0], 410)
        c.eq("empty early file stored", user1.tus_patch(loc7, 0, b"")[0], 204)
        c.eq("empty early file downloads", user1.request("GET", f"/api/v3/Datasets/{enc(later)}/files/empty.bin")[0], 200)

        # A plain upload (no awaitFileList) whose path leaves the file list before its last
        # byte keeps the 409: a plain tus client would take a 204 for "stored".
        admin = Client(server, "admin")
        gone = b"registered, then not any more"
        plain = user1.dataset({})
        block = user1.json("POST", "/api/v3/OrigDatablocks", {
            "datasetId": plain, "size": len(gone), "chkAlg": "sha256",
            "dataFileList": [{"path": "gone.bin", "size": len(gone), "time": "2024-01-01T00:00:00Z",
                              "chk": hashlib.sha256(gone).hexdigest()}]}, 201)
        status, h, _ = user1.tus_create(plain, "gone.bin", len(gone))
        loc8 = h.get("location", "")
        c.eq("plain upload, first part", user1.tus_patch(loc8, 0, gone[:5])[0], 204)
        c.eq("file list removed", admin.request("DELETE", "/api/v3/OrigDatablocks/" + enc(block["_id"]))[0], 200)
        status, _, body = user1.tus_patch(loc8, 5, gone[5:])
        c.eq("plain upload, last byte without a checksum", status, 409)
        c.true("409 says register first", b"register the file list" in body, body)

        # Termination.
        status, h, _ = user1.tus_create(pid, "small.txt", len(small))
        loc4 = h.get("location", "")
        c.eq("DELETE", user1.request("DELETE", loc4, [("Tus-Resumable", "1.0.0")])[0], 204)
        c.eq("HEAD after DELETE", user1.tus_head(loc4)[0], 404)

        # The privileged ingestor uploads into user1's dataset; an empty file completes at creation.
        status, h, _ = ingestor.tus_create(pid, "small.txt", len(small))
        c.eq("ingestor creation", status, 201)
        status, h, _ = ingestor.tus_patch(h.get("location", ""), 0, small, "sha1 " + b64(hashlib.sha1(small).digest()))
        c.eq("ingestor upload", status, 204)
        status, h, _ = user1.tus_create(pid, "empty.txt", 0)
        c.eq("empty file", status, 201)
        c.eq("empty file offset", h.get("upload-offset"), "0")
        long_name = "a" * 120 + "/" + "b" * 110 + ".txt"
        status, h, _ = user1.tus_create(pid, long_name, len(files[long_name]))
        c.eq("long-name PATCH", user1.tus_patch(h.get("location", ""), 0, files[long_name])[0], 204)

        # Downloads of one file.
        url = f"/api/v3/Datasets/{enc(pid)}/files/raw/big.bin"
        status, h, body = user1.request("GET", url)
        c.eq("download status", status, 200)
        c.true("download is byte-identical", body == big, f"{len(body)} bytes")
        etag = h.get("etag", "")
        c.true("strong ETag", etag.startswith('"') and etag.endswith('"') and len(etag) > 4, etag)
        c.eq("Accept-Ranges", h.get("accept-ranges"), "bytes")
        c.eq("If-None-Match", user1.request("GET", url, [("If-None-Match", etag)])[0], 304)
        c.eq("If-None-Match other", user1.request("GET", url, [("If-None-Match", '"other"')])[0], 200)
        status, h, body = user1.request("GET", url, [("Range", "bytes=1000-1999")])
        c.eq("Range status", status, 206)
        c.eq("Content-Range", h.get("content-range"), f"bytes 1000-1999/{len(big)}")
        c.true("Range body", body == big[1000:2000], f"{len(body)} bytes")
        status, h, body = user1.request("GET", url, [("Range", "bytes=-10")])
        c.true("suffix range", status == 206 and body == big[-10:], status)
        status, h, body = user1.request("GET", url, [("Range", f"bytes={len(big)}-")])
        c.eq("unsatisfiable range", status, 416)
        c.eq("416 Content-Range", h.get("content-range"), f"bytes */{len(big)}")
        status, h, body = user1.request("GET", url, [("Range", "bytes=0-9"), ("If-Range", '"stale"')])
        c.eq("If-Range with a stale ETag sends everything", status, 200)
        status, h, body = user1.request("HEAD", url)
        c.eq("HEAD download", (status, h.get("content-length"), body), (200, str(len(big)), b""))
        status, _, body = user1.request("GET", f"/api/v3/Datasets/{enc(pid)}/files/raw/sub%20dir/killed.bin")
        c.true("resumed-after-kill file is byte-identical", status == 200 and body == killed, status)
        status, _, body = user1.request("GET", f"/api/v3/Datasets/{enc(pid)}/files/empty.txt")
        c.eq("empty file download", (status, body), (200, b""))
        c.eq("never uploaded", user1.request("GET", f"/api/v3/Datasets/{enc(pid)}/files/raw/none")[0], 404)
        c.eq("non-member file download", user2.request("GET", url)[0], 404)  # unreadable looks like missing
        c.eq("non-member HEAD", user2.request("HEAD", url)[0], 404)  # unreadable looks like missing
        c.eq("non-member tar", user2.request("GET", f"/api/v3/Datasets/{enc(pid)}/download")[0], 404)  # unreadable looks like missing
        c.eq("unknown dataset download", user1.request("GET", "/api/v3/Datasets/nope/files/a")[0], 404)

        # The dataset tar.
        status, h, body = user1.request("GET", f"/api/v3/Datasets/{enc(pid)}/download")
        c.eq("tar status", status, 200)
        c.eq("tar is chunked", h.get("transfer-encoding"), "chunked")
        c.eq("tar type", h.get("content-type"), "application/x-tar")
        tar_path = os.path.join(work, "ds.tar")
        with open(tar_path, "wb") as f:
            f.write(body)
        out = os.path.join(work, "x")
        os.makedirs(out)
        c.eq("tar -x", subprocess.run(["tar", "-xf", tar_path, "-C", out]).returncode, 0)
        top = os.path.join(out, pid.replace("/", "_"))
        uploaded = {p: v for p, v in files.items()}
        for path, content in uploaded.items():
            p = os.path.join(top, "data", path)
            got = open(p, "rb").read() if os.path.exists(p) else None
            c.true(f"tar member {path[:40]} byte-identical", got == content, "missing" if got is None else f"{len(got)} bytes")
        names = sorted(os.path.relpath(os.path.join(d, f), os.path.join(top, "data"))
                       for d, _, fs in os.walk(os.path.join(top, "data")) for f in fs)
        # every download ends with its RO-Crate metadata (docs/export.md), listed in the manifest
        c.eq("tar holds exactly the uploaded files and the RO-Crate metadata", names,
             sorted([*uploaded, "ro-crate-metadata.json"]))
        r = subprocess.run(["sha256sum", "--strict", "-c", "manifest-sha256.txt"], cwd=top, capture_output=True, text=True)
        c.eq("sha256sum -c manifest", (r.returncode, r.stdout.count(": OK")), (0, len(uploaded) + 1))

        # Deleting the dataset deletes its online files too.
        blob_dir = os.path.join(data, "blobs", "datasets", "".join(
            ch if ch.isalnum() or ch in "_.-" else "%%%02X" % ord(ch) for ch in pid))
        c.true("blobs on disk before the delete", os.path.isdir(blob_dir), blob_dir)
        admin = Client(server, "admin")
        c.eq("admin deletes the dataset", admin.request("DELETE", f"/api/v3/Datasets/{enc(pid)}")[0], 200)
        c.true("no file of the deleted dataset is left", not os.path.exists(blob_dir), blob_dir)
        c.eq("SIGTERM at the end", server.stop(), None)
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
