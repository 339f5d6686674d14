"""Helpers of the archive tests: servers with the API test accounts, datasets with uploaded
files, jobs polled to their end, a BagIt validator (python3-bagit when installed, else
the same checks with the standard library), and where the archived bags are (ArchiveStorage:
the data directory's archive/, or with `--archive s3` an S3 server holding both the archive
tier and the dataset files, so nothing is archived or kept on local disk)."""
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "uploads"))
import common  # noqa: E402
from common import Checks, Client, Server, enc, http_request, server_env  # noqa: E402,F401

common.PASSWORDS.update({"archiveManager": "archiveManager-pw", "user3": "user3-pw", "globalUser": "globalUser-pw",
                         "proposalIngestor": "proposalIngestor-pw"})
FINISHED = ("finishedSuccessful", "finishedUnsuccessful", "finishedWithDatasetErrors")


class ArchiveStorage:
    """Where a test's bags live. `--archive s3` on the command line: an S3 server (npm s3rver,
    tests/support/s3rver.sh) with the archive tier under s3://openem-test/archive and the
    dataset files under s3://openem-test/blobs; otherwise the data directory's archive/.
    bag_file() is the bag's bytes on disk either way (s3rver keeps an object as a file), so
    tests read, validate and damage bags alike."""

    def __init__(self, work, data):
        self.data = data
        self.s3 = None
        self.mode = sys.argv[sys.argv.index("--archive") + 1] if "--archive" in sys.argv else "dir"
        if self.mode not in ("dir", "s3"):
            raise SystemExit(f"--archive: expected dir or s3, got {self.mode!r}")
        if self.mode == "s3":
            self.s3 = common.run.S3Server(work)
            with open(os.path.join(self.s3.dir, "checked_endpoint"), encoding="utf-8") as f:
                self.endpoint = urllib.parse.quote(f.read().strip(), safe="")

    def env(self, **extra):
        """server_env(**extra) with this storage's settings."""
        env = server_env(**extra)
        if self.s3:
            env.update(self.s3.env)
            # S3's smallest parts: bags of a few MiB already go as multipart uploads.
            env["OPENEM_ARCHIVE"] = "s3://openem-test/archive?part_size=5242880&endpoint=" + self.endpoint
            env["OPENEM_BLOBS"] = "s3://openem-test/blobs?endpoint=" + self.endpoint
        return env

    def location(self, copy):
        """datasetlifecycle.storageLocation of a copy."""
        if self.s3:
            return f"s3://openem-test/archive/copy-{copy}"
        return "dir:" + os.path.join(self.data, "archive", f"copy-{copy}")

    def bag_file(self, copy, key):
        if self.s3:
            return os.path.join(self.s3.dir, "data", "openem-test", "archive", f"copy-{copy}", key + "._S3rver_object")
        return os.path.join(self.data, "archive", f"copy-{copy}", key)

    def partial_bags(self):
        """Bags being written that a killed worker left visible (none may be)."""
        root = os.path.join(self.s3.dir, "data", "openem-test", "archive") if self.s3 else \
            os.path.join(self.data, "archive")
        return [os.path.join(r, n) for r, _, ns in os.walk(root) for n in ns if n.endswith(".partial")]

    def stop(self):
        if self.s3:
            self.s3.stop()


def upload(client, pid, files):
    for path, content in files.items():
        status, headers, body = client.tus_create(pid, path, len(content))
        assert status == 201, (path, status, body)
        location = headers["location"]
        offset, chunk = 0, 8 * 1024 * 1024
        while offset < len(content) or offset == 0:
            piece = content[offset:offset + chunk]
            status, _, body = client.tus_patch(location, offset, piece)
            assert status == 204, (path, status, body)
            offset += len(piece)
            if not piece:
                break


def dataset_with_files(client, files, owner_group="group1", **extra):
    ds = {"type": "raw", "ownerGroup": owner_group, "owner": "o", "contactEmail": "o@x.org", "sourceFolder": "/data/a",
          "creationTime": "2024-01-01T00:00:00Z", "principalInvestigator": "pi", "creationLocation": "krios",
          "datasetName": "archive test"}
    ds.update(extra)
    pid = client.json("POST", "/api/v3/Datasets", ds, 201)["pid"]
    if files:
        client.json("POST", "/api/v3/OrigDatablocks", {
            "datasetId": pid, "size": sum(len(c) for c in files.values()), "chkAlg": "sha256",
            "dataFileList": [{"path": p, "size": len(c), "time": "2024-01-01T00:00:00Z",
                              "chk": hashlib.sha256(c).hexdigest()} for p, c in files.items()]}, 201)
        upload(client, pid, files)
    return pid


def wait_job(client, job_id, timeout=120, until=FINISHED):
    deadline = time.time() + timeout
    while time.time() < deadline:
        status, _, body = client.request("GET", "/api/v4/jobs/" + job_id)
        if status == 200:
            job = json.loads(body)
            if job["statusCode"] in until:
                return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not reach {until} in {timeout} s (last: {body[:300]!r})")


def get_json(client, target):
    status, _, body = client.request("GET", target)
    assert status == 200, (target, status, body[:300])
    return json.loads(body)


def tar_members(data):
    """{name: bytes} of a tar archive."""
    out = {}
    with tarfile.open(fileobj=io.BytesIO(data)) as t:
        for m in t.getmembers():
            if m.isfile():
                out[m.name] = t.extractfile(m).read()
    return out


def validate_bag(bag_tar_path, workdir):
    """Extracts a bag tar and validates it; returns (validator name, error or None)."""
    os.makedirs(workdir, exist_ok=True)
    with tarfile.open(bag_tar_path) as t:
        t.extractall(workdir)
        top = t.getnames()[0].split("/")[0]
    bag_dir = os.path.join(workdir, top)
    # The Library of Congress bagit-python, as archives use it (../shared/tools, stdlib only).
    loc = os.path.join(HERE, "..", "..", "..", "shared", "tools", "bagit-python", "bagit.py")
    if os.path.exists(loc):
        r = subprocess.run([sys.executable, loc, "--validate", bag_dir], capture_output=True, text=True)
        return "bagit-python (LoC)", None if r.returncode == 0 else (r.stdout + r.stderr)[-600:]
    try:
        import bagit  # python3-bagit (Debian), when installed
        try:
            bagit.Bag(bag_dir).validate()
            return "python3-bagit", None
        except bagit.BagError as e:
            return "python3-bagit", str(e)
    except ImportError:
        pass
    # The same checks by hand: bagit.txt, every payload file in the manifest with its digest,
    # and nothing in the manifest that is not in the payload; plus sha256sum -c.
    with open(os.path.join(bag_dir, "bagit.txt")) as f:
        decl = f.read()
    if not decl.startswith("BagIt-Version: ") or "Tag-File-Character-Encoding: UTF-8" not in decl:
        return "stdlib", f"bad bagit.txt {decl!r}"
    manifest = {}
    with open(os.path.join(bag_dir, "manifest-sha256.txt")) as f:
        for line in f:
            digest, path = line.rstrip("\n").split("  ", 1)
            manifest[path] = digest
    payload = {}
    for root, _, names in os.walk(os.path.join(bag_dir, "data")):
        for n in names:
            full = os.path.join(root, n)
            with open(full, "rb") as f:
                payload[os.path.relpath(full, bag_dir)] = hashlib.sha256(f.read()).hexdigest()
    if payload != manifest:
        return "stdlib", f"payload {sorted(payload)} does not match manifest {sorted(manifest)}"
    rc = subprocess.run(["sha256sum", "--quiet", "-c", "manifest-sha256.txt"], cwd=bag_dir,
                        capture_output=True).returncode
    return "stdlib+sha256sum", None if rc == 0 else "sha256sum -c failed"


def flip_byte_in_member(bag_tar_path, member_suffix, offset=10):
    """Flips one byte inside the data of the member whose name ends with member_suffix."""
    with tarfile.open(bag_tar_path) as t:
        m = next(m for m in t.getmembers() if m.name.endswith(member_suffix))
        at = m.offset_data + min(offset, max(0, m.size - 1))
    with open(bag_tar_path, "r+b") as f:
        f.seek(at)
        b = f.read(1)
        f.seek(at)
        f.write(bytes([b[0] ^ 0x40]))
