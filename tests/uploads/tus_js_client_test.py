#!/usr/bin/env python3
"""Interoperability: the tus-js-client npm package uploads a file to openem, aborting once and
resuming from the upload URL; the stored file must then download byte-identical.

tus-js-client is installed with npm into a test-local folder (OPENEM_TUS_JS_DIR, default
$TMPDIR/openem-tus-js-client, reused between runs). Without node or npm, or if the install
fails, the test FAILS — it never skips. Run with --binary <openem>.
"""
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

from common import Checks, Client, Server, enc, server_env, server_run

HERE = os.path.dirname(os.path.abspath(__file__))


def install_client(c):
    module_dir = os.environ.get("OPENEM_TUS_JS_DIR", os.path.join(tempfile.gettempdir(), "openem-tus-js-client"))
    if os.path.exists(os.path.join(module_dir, "node_modules", "tus-js-client", "package.json")):
        return module_dir
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            c.failures.append(f"`{tool}` is not installed: this test needs Node.js and npm (scripts/install-deps.sh)")
            return None
    os.makedirs(module_dir, exist_ok=True)
    r = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", module_dir, "tus-js-client"],
                       capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        c.failures.append(f"npm install tus-js-client failed ({r.returncode}):\n{r.stderr[-2000:]}")
        return None
    return module_dir


def main():
    binary = sys.argv[sys.argv.index("--binary") + 1] if "--binary" in sys.argv else "build/openem"
    c = Checks("uploads/tus_js_client")
    module_dir = install_client(c)
    if module_dir is None:
        return c.finish()
    work = tempfile.mkdtemp(prefix="openem-tusjs-")
    # A body limit below the file size: the resumed upload's single PATCH must stream to disk.
    server = Server(binary, server_env(MAX_FILE_UPLOAD_SIZE="1mb"), os.path.join(work, "data"),
                    os.path.join(work, "server.log"))
    with server_run(c, server, work):
        server.start()
        user1 = Client(server, "user1")
        rng = random.Random(7)
        content = bytes(rng.getrandbits(8) for _ in range(3 * 1024 * 1024 + 321))
        path = "movies/from tus-js-client.bin"
        pid = user1.dataset({path: content})
        src = os.path.join(work, "upload.bin")
        with open(src, "wb") as f:
            f.write(content)
        r = subprocess.run(["node", os.path.join(HERE, "tus_js_client_upload.js"), os.path.join(module_dir, "node_modules"),
                            server.base + "/api/v3/uploads", user1.token, pid, path, src],
                           capture_output=True, text=True, timeout=120)
        c.eq("node exit code", r.returncode, 0)
        if r.returncode != 0:
            c.failures.append("node output:\n" + r.stdout[-2000:] + r.stderr[-2000:])
        else:
            result = json.loads(r.stdout.strip().splitlines()[-1])
            c.true("aborted after the first chunk", result["acceptedBefore"] == 1024 * 1024, result)
            c.true("resumed from the server's offset, not from zero", (result["resumedFrom"] or 0) >= 1024 * 1024, result)
            c.true("upload URL under /api/v3/uploads/", "/api/v3/uploads/" in result["url"], result)
            c.eq("the rest (2 MiB, above the body limit) in one PATCH", result.get("chunksAfterResume"), 1)
        status, _, body = user1.request("GET", f"/api/v3/Datasets/{enc(pid)}/files/movies/from%20tus-js-client.bin")
        c.eq("download status", status, 200)
        c.true("stored file is byte-identical", body == content, f"{len(body)} bytes")
        c.eq("SIGTERM", server.stop(), None)
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
