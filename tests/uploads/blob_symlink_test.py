#!/usr/bin/env python3
"""Symlinks planted inside the blob store are never followed by downloads (docs/security.md,
"Paths and files"): a symlinked directory of a dataset, a symlinked file and a symlinked
dataset directory all look like files that were never uploaded — 404 for GET and HEAD of the
file, absent from the dataset's tar — and what they point to is never sent. Python standard
library only; run with --binary <openem>.
"""
import io
import os
import sys
import tarfile
import tempfile

from common import Checks, Client, Server, enc, server_env, server_run

SECRET = b"top secret outside the store"


def main():
    binary = sys.argv[sys.argv.index("--binary") + 1] if "--binary" in sys.argv else "build/openem"
    work = tempfile.mkdtemp(prefix="openem-symlink-")
    c = Checks("uploads/blob_symlink")
    data = os.path.join(work, "data")
    server = Server(binary, server_env(), data, os.path.join(work, "server.log"))
    with server_run(c, server, work):
        outside = os.path.join(work, "outside")
        os.makedirs(os.path.join(outside, "deeper"))
        for name in ("secret.txt", "deeper/more.txt"):
            with open(os.path.join(outside, name), "wb") as f:
                f.write(SECRET)
        server.start()
        user1 = Client(server, "user1")
        files = {"real.txt": b"real content", "raw/secret.txt": SECRET, "raw/deeper/more.txt": SECRET,
                 "linked.txt": SECRET}
        pid = user1.dataset(files)
        other = user1.dataset({"secret.txt": SECRET, "real.txt": b"real content"})
        for p in (pid, other):
            status, h, _ = user1.tus_create(p, "real.txt", len(files["real.txt"]))
            c.eq("create", status, 201)
            status, h, _ = user1.tus_patch(h["location"], 0, files["real.txt"])
            c.eq("upload real.txt", (status, h.get("openem-upload-state")), (204, "stored"))

        datasets = os.path.join(data, "blobs", "datasets")
        dirs = {d: os.path.join(datasets, d) for d in os.listdir(datasets)}
        c.eq("one directory per dataset", len(dirs), 2)
        # pid_directory_name: the pid with '/' as %2F, so its last part is in the name
        top = next(path for name, path in dirs.items() if pid.split("/")[-1] in name)
        other_top = next(path for path in dirs.values() if path != top)
        os.symlink(outside, os.path.join(top, "raw"))                              # a directory
        os.symlink(os.path.join(outside, "secret.txt"), os.path.join(top, "linked.txt"))  # a file
        os.rename(other_top, other_top + ".moved")
        os.symlink(outside, other_top)                                              # a whole dataset

        for p, path in ((pid, "raw/secret.txt"), (pid, "raw/deeper/more.txt"), (pid, "linked.txt"),
                        (other, "secret.txt")):
            for method in ("GET", "HEAD"):
                status, _, body = user1.request(method, f"/api/v3/Datasets/{enc(p)}/files/{path}")
                c.eq(f"{method} {path} through a planted link", status, 404)
                c.true(f"{method} {path}: the secret is not sent", SECRET not in body, body[:200])
        status, _, body = user1.request("GET", f"/api/v3/Datasets/{enc(pid)}/files/real.txt")
        c.eq("the real file still downloads", (status, body), (200, files["real.txt"]))

        for p, expected in ((pid, ["real.txt"]), (other, [])):
            status, h, body = user1.request("GET", f"/api/v3/Datasets/{enc(p)}/download")
            c.eq("tar download", status, 200)
            c.true("the tar does not contain the secret", SECRET not in body, "")
            with tarfile.open(fileobj=io.BytesIO(body)) as tar:
                names = sorted(m.name.split("/data/", 1)[1] for m in tar.getmembers()
                               if "/data/" in m.name and not m.name.endswith("/data/ro-crate-metadata.json"))
            c.eq("files in the tar", names, expected)
        stop_error = server.stop()
        c.true("clean SIGTERM exit", stop_error is None, stop_error or "")
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
