#!/usr/bin/env python3
"""Archive → purge → retrieve → download, byte-identical, through the real server and its
built-in worker; bags validated as BagIt; a flipped byte in an archived bag is detected on
retrieve and reported, and the second copy is used when the dataset has two."""
import hashlib
import os
import random
import shutil
import sys
import tempfile
import urllib.parse

from common_archive import (ArchiveStorage, Checks, Client, Server, enc, flip_byte_in_member, get_json, server_env, tar_members,
                            dataset_with_files, validate_bag, wait_job)


def main():
    binary = sys.argv[sys.argv.index("--binary") + 1] if "--binary" in sys.argv else "build/openem"
    work = tempfile.mkdtemp(prefix="openem-archive-")
    data = os.path.join(work, "data")
    c = Checks("archive/roundtrip")
    rng = random.Random(5)
    storage = ArchiveStorage(work, data)
    server = Server(binary, storage.env(OPENEM_ARCHIVE_PURGE="always", OPENEM_ARCHIVE_POLL_MS="100"), data,
                    os.path.join(work, "server.log"))
    try:
        server.start()
        user1 = Client(server, "user1")
        files = {"raw/movie_001.tif": rng.randbytes(700_000), "notes.txt": b"session notes\n",
                 "deep/a/b/c/empty.dat": b"", ("n" * 120) + "/long-name.bin": rng.randbytes(3000)}
        pid = dataset_with_files(user1, files)
        before = tar_members(user1.request("GET", f"/api/v3/Datasets/{enc(pid)}/download")[2])

        job = user1.json("POST", "/api/v3/Jobs", {"type": "archive", "datasetList": [{"pid": pid, "files": []}],
                                                  "jobParams": {"username": "user1"}}, 201)
        done = wait_job(user1, job["id"])
        c.eq("archive job status", done["statusCode"], "finishedSuccessful")
        c.eq("archive job message", done["statusMessage"], "Archived 1 of 1 datasets")
        blocks = get_json(user1, f"/api/v3/Datasets/{enc(pid)}/datablocks")
        c.eq("one datablock", len(blocks), 1)
        block = blocks[0] if blocks else {}
        c.eq("datablock archiveId", block.get("archiveId"), pid.replace("/", "_") + "/" + job["id"] + ".tar")
        c.eq("datablock size", block.get("size"), sum(len(v) for v in files.values()))
        c.eq("datablock chkAlg", block.get("chkAlg"), "sha256")
        c.eq("datablock checksums", {f["path"]: f["chk"] for f in block.get("dataFileList", [])},
             {p: hashlib.sha256(v).hexdigest() for p, v in files.items()})
        bag = storage.bag_file(1, block.get("archiveId", "missing"))
        c.eq("datablock packedSize is the bag's size", block.get("packedSize"),
             os.path.getsize(bag) if os.path.exists(bag) else None)
        lc = get_json(user1, f"/api/v3/Datasets/{enc(pid)}")["datasetlifecycle"]
        c.eq("lifecycle after archive", {k: lc.get(k) for k in ("archiveStatusMessage", "archivable", "retrievable",
                                                                 "isOnCentralDisk")},
             {"archiveStatusMessage": "datasetOnArchiveDisk", "archivable": False, "retrievable": True,
              "isOnCentralDisk": False})
        c.eq("storageLocation", lc.get("storageLocation"), storage.location(1))
        status, _, _ = user1.request("GET", f"/api/v3/Datasets/{enc(pid)}/files/notes.txt")
        c.eq("online copy purged", status, 404)
        if os.path.exists(bag):
            validator, error = validate_bag(bag, os.path.join(work, "bag1"))
            c.eq(f"bag valid ({validator})", error, None)
            print("bag validator:", validator)

        # a second archive job of the same dataset is refused: no longer archivable
        status, _, _ = user1.request("POST", "/api/v3/Jobs", [("Content-Type", "application/json")],
                                     ('{"type": "archive", "datasetList": [{"pid": "%s", "files": []}]}' % pid).encode())
        c.eq("re-archive refused", status, 409)

        user2 = Client(server, "user2")
        status, _, _ = user2.request("POST", "/api/v3/Jobs", [("Content-Type", "application/json")],
                                     ('{"type": "retrieve", "datasetList": [{"pid": "%s", "files": []}]}' % pid).encode())
        c.eq("retrieve by a non-member refused as for a missing dataset", status, 400)
        rjob = user1.json("POST", "/api/v3/Jobs", {"type": "retrieve", "datasetList": [{"pid": pid, "files": []}],
                                                   "jobParams": {"destinationPath": "/archive/retrieve"}}, 201)
        rdone = wait_job(user1, rjob["id"])
        c.eq("retrieve job status", rdone["statusCode"], "finishedSuccessful")
        result = (rdone.get("jobResultObject", {}).get("datasets") or [{}])[0]
        c.eq("downloadUrl", result.get("downloadUrl"), f"/api/v3/Datasets/{enc(pid)}/download")
        c.eq("copy used", result.get("copyUsed"), 1)
        status, _, body = user1.request("GET", result.get("downloadUrl", "/none"))
        c.eq("download status", status, 200)
        after = tar_members(body) if status == 200 else {}
        top = pid.replace("/", "_")
        c.eq("downloaded files byte-identical", {k: v for k, v in after.items() if "/data/" in k and not k.endswith("/data/ro-crate-metadata.json")},
             {f"{top}/data/{p}": v for p, v in files.items()})
        c.eq("same files as before the archive", sorted(k for k in after if "/data/" in k),
             sorted(k for k in before if "/data/" in k))
        for url in result.get("fileUrls", []):
            status, _, body = user1.request("GET", url)
            path = url.split("/files/", 1)[1]
            c.eq(f"file url {path}", (status, body), (200, files[urllib.parse.unquote(path)]))
        c.eq("file urls", len(result.get("fileUrls", [])), len(files))
        lc = get_json(user1, f"/api/v3/Datasets/{enc(pid)}")["datasetlifecycle"]
        c.eq("lifecycle after retrieve", (lc.get("retrieveStatusMessage"), lc.get("isOnCentralDisk")),
             ("datasetRetrieved", True))

        # corruption: one copy → reported, the job fails for that dataset
        one = {"x.bin": rng.randbytes(50_000)}
        pid1 = dataset_with_files(user1, one)
        j1 = user1.json("POST", "/api/v4/jobs", {"type": "archive", "ownerGroup": "group1", "jobParams": {
            "datasetList": [{"pid": pid1, "files": []}], "tapeCopies": "one"}}, 201)
        c.eq("archive (one copy)", wait_job(user1, j1["id"])["statusCode"], "finishedSuccessful")
        key1 = pid1.replace("/", "_") + "/" + j1["id"] + ".tar"
        flip_byte_in_member(storage.bag_file(1, key1), "x.bin", 1234)
        r1 = user1.json("POST", "/api/v4/jobs", {"type": "retrieve", "ownerGroup": "group1", "jobParams": {
            "datasetList": [{"pid": pid1, "files": []}]}}, 201)
        r1done = wait_job(user1, r1["id"])
        c.eq("corrupt single copy: job fails", r1done["statusCode"], "finishedUnsuccessful")
        res1 = (r1done.get("jobResultObject", {}).get("datasets") or [{}])[0]
        c.eq("corrupt single copy: error", res1.get("error"), f"every copy of {key1} failed verification")
        c.eq("corrupt single copy: reason", [x.get("error") for x in res1.get("corruptCopies", [])],
             ["data/x.bin does not match its manifest checksum"])
        lc1 = get_json(user1, f"/api/v3/Datasets/{enc(pid1)}")["datasetlifecycle"]
        c.eq("corrupt single copy: lifecycle", lc1.get("retrieveStatusMessage"), "scheduleRetrieveJobFailed")
        status, _, _ = user1.request("GET", f"/api/v3/Datasets/{enc(pid1)}/files/x.bin")
        c.eq("corrupt data never reaches the online store", status, 404)

        # two copies: the damaged first copy is reported, the second one restores the data
        two = {"y.bin": rng.randbytes(80_000), "z.txt": b"zz"}
        pid2 = dataset_with_files(user1, two)
        j2 = user1.json("POST", "/api/v3/Jobs", {"type": "archive", "datasetList": [{"pid": pid2, "files": []}],
                                                 "jobParams": {"tapeCopies": "two"}}, 201)
        c.eq("archive (two copies)", wait_job(user1, j2["id"])["statusCode"], "finishedSuccessful")
        key2 = pid2.replace("/", "_") + "/" + j2["id"] + ".tar"
        lc2 = get_json(user1, f"/api/v3/Datasets/{enc(pid2)}")["datasetlifecycle"]
        c.eq("two copies in storageLocation", lc2.get("storageLocation"), storage.location(1) + "," + storage.location(2))
        for copy in (1, 2):
            validator, error = validate_bag(storage.bag_file(copy, key2),
                                            os.path.join(work, f"bag2-{copy}"))
            c.eq(f"copy {copy} valid ({validator})", error, None)
        flip_byte_in_member(storage.bag_file(1, key2), "y.bin", 4321)
        validator, error = validate_bag(storage.bag_file(1, key2), os.path.join(work, "bag2-bad"))
        c.true(f"the validator ({validator}) also sees the flipped byte", error is not None)
        r2 = user1.json("POST", "/api/v3/Jobs", {"type": "retrieve", "datasetList": [{"pid": pid2, "files": []}]}, 201)
        r2done = wait_job(user1, r2["id"])
        c.eq("second copy: job succeeds", r2done["statusCode"], "finishedSuccessful")
        res2 = (r2done.get("jobResultObject", {}).get("datasets") or [{}])[0]
        c.eq("second copy used", res2.get("copyUsed"), 2)
        c.eq("first copy reported", [(x.get("copy"), x.get("error")) for x in res2.get("corruptCopies", [])],
             [(1, "data/y.bin does not match its manifest checksum")])
        for path, content in two.items():
            status, _, body = user1.request("GET", f"/api/v3/Datasets/{enc(pid2)}/files/{path}")
            c.eq(f"restored {path}", (status, body), (200, content))
        err = server.stop()
        c.eq("clean stop", err, None)
    except AssertionError as e:
        c.true("unexpected failure", False, str(e))
    finally:
        if server.proc and server.proc.poll() is None:
            server.kill()
        storage.stop()
        if c.failures:
            try:
                print(open(os.path.join(work, "server.log"), errors="replace").read()[-4000:])
            except OSError:
                pass
        shutil.rmtree(work, ignore_errors=True)
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
