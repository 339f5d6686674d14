#!/usr/bin/env python3
"""Issue #20, items 1-3, through the real server and its worker: one group cannot read or
delete another group's archived files by editing its own datablocks, and a dataset deleted
and created again under the same pid starts with nothing of the old one (file lists,
datablocks, attachments, thumbnail, online files, archived copies)."""
import json
import os
import sys
import tempfile
import time

from common_archive import (ArchiveStorage, Checks, Client, Server, enc, get_json, server_env, tar_members, dataset_with_files,
                            wait_job)

SECRET = b"the victim's private measurements\n"


def archive(client, pid):
    job = client.json("POST", "/api/v3/Jobs", {"type": "archive", "datasetList": [{"pid": pid, "files": []}]}, 201)
    return wait_job(client, job["id"])


def retrieve(client, pid):
    status, _, body = client.request("POST", "/api/v3/Jobs", [("Content-Type", "application/json")],
                                     json.dumps({"type": "retrieve", "datasetList": [{"pid": pid, "files": []}]}).encode())
    if status != 201:
        return status, None
    return status, wait_job(client, json.loads(body)["id"])


def main():
    binary = sys.argv[sys.argv.index("--binary") + 1] if "--binary" in sys.argv else "build/openem"
    work = tempfile.mkdtemp(prefix="openem-archive-leak-")
    data = os.path.join(work, "data")
    c = Checks("archive/leak")
    storage = ArchiveStorage(work, data)
    server = Server(binary, storage.env(OPENEM_ARCHIVE_PURGE="always", OPENEM_ARCHIVE_POLL_MS="100",
                                       OPENEM_ARCHIVE_SWEEP_SECONDS="1", CREATE_DATASET_WITH_PID_GROUPS="ingestor"),
                    data, os.path.join(work, "server.log"))
    try:
        server.start()
        user1, user2, admin = Client(server, "user1"), Client(server, "user2"), Client(server, "admin")
        victim = dataset_with_files(user1, {"secret.txt": SECRET})
        attacker = dataset_with_files(user2, {"own.txt": b"mine\n"}, owner_group="group2")
        c.eq("victim archived", archive(user1, victim)["statusCode"], "finishedSuccessful")
        c.eq("attacker archived", archive(user2, attacker)["statusCode"], "finishedSuccessful")
        victim_block = get_json(user1, f"/api/v3/Datasets/{enc(victim)}/datablocks")[0]
        victim_key = victim_block["archiveId"]
        victim_bag = storage.bag_file(1, victim_key)
        block = get_json(user2, f"/api/v3/Datasets/{enc(attacker)}/datablocks")[0]

        # 1. what the archive worker wrote cannot be changed through the API, by owners or admins
        repoint = json.dumps({"archiveId": victim_key, "dataFileList": []}).encode()
        hdr = [("Content-Type", "application/json")]
        for who, client in (("owner", user2), ("admin", admin)):
            for target in (f"/api/v3/datablocks/{block['_id']}",
                           f"/api/v3/Datasets/{enc(attacker)}/datablocks/{block['_id']}"):
                status, _, body = client.request("PATCH", target, hdr, repoint)
                c.eq(f"{who} re-points the worker's datablock ({target.split('/')[3]})", status, 403)
        status, _, _ = user2.request("PATCH", f"/api/v3/datablocks/{block['_id']}", hdr, json.dumps({"packedSize": 1}).encode())
        c.eq("owner changes packedSize of the worker's datablock", status, 403)
        forged = {"datasetId": attacker, "archiveId": victim_key, "size": 0, "packedSize": 0, "chkAlg": "sha256",
                  "version": "openem-bagit-1",
                  "dataFileList": [{"path": "secret.txt", "size": len(SECRET), "time": "2024-01-01T00:00:00Z"}]}
        status, _, _ = user2.request("POST", "/api/v3/datablocks", hdr, json.dumps(forged).encode())
        c.eq("owner registers a datablock of the worker's version", status, 403)
        # another archive system's datablock may reuse any key: no 409 that would tell the key exists
        forged["version"] = "tape-1"
        status, _, body = user2.request("POST", "/api/v3/datablocks", hdr, json.dumps(forged).encode())
        c.eq("a foreign-version datablock naming another group's key (no existence oracle)", status, 201)
        c.eq("the worker's datablock is unchanged", get_json(user2, f"/api/v3/datablocks/{block['_id']}")["archiveId"],
             block["archiveId"])

        # ... and even if a datablock names the victim's bag, retrieve only uses the attacker's own
        status, rdone = retrieve(user2, attacker)
        c.eq("attacker's retrieve accepted", status, 201)
        c.eq("attacker's retrieve restores his own bag", rdone and rdone["statusCode"], "finishedSuccessful")
        status, _, body = user2.request("GET", f"/api/v3/Datasets/{enc(attacker)}/download")
        members = tar_members(body) if status == 200 else {}
        c.eq("attacker's download holds only his files", sorted(m.split("/", 1)[1] for m in members),
             ["bagit.txt", "data/own.txt", "data/ro-crate-metadata.json", "manifest-sha256.txt"])
        c.eq("the victim's secret is nowhere in it", any(SECRET in v for v in members.values()), False)

        # 2. deleting the attacker's dataset deletes his bag, never the victim's
        attacker_bag = storage.bag_file(1, block["archiveId"])
        status, _, _ = admin.request("DELETE", f"/api/v3/Datasets/{enc(attacker)}")
        c.eq("attacker's dataset deleted", status, 200)
        deadline = time.time() + 15
        while os.path.exists(attacker_bag) and time.time() < deadline:
            time.sleep(0.2)
        c.eq("the sweep deleted the attacker's bag", os.path.exists(attacker_bag), False)
        c.eq("the victim's bag is kept", os.path.exists(victim_bag), True)
        status, vdone = retrieve(user1, victim)
        c.eq("the victim still retrieves", vdone and vdone["statusCode"], "finishedSuccessful")
        status, _, body = user1.request("GET", f"/api/v3/Datasets/{enc(victim)}/files/secret.txt")
        c.eq("the victim's file is back", body, SECRET)

        # 3. a deleted dataset's dependants go with it; a new dataset under the same pid has none
        user1.json("POST", f"/api/v3/Datasets/{enc(victim)}/attachments",
                   {"thumbnail": "data:image/png;base64,T0xE", "caption": "old thumbnail", "ownerGroup": "group1"}, 201)
        status, _, _ = admin.request("DELETE", f"/api/v3/Datasets/{enc(victim)}")
        c.eq("victim deleted by an admin", status, 200)
        ingestor, user3 = Client(server, "ingestor"), Client(server, "user3")
        again = ingestor.json("POST", "/api/v3/Datasets", {
            "pid": victim, "type": "raw", "ownerGroup": "group3", "owner": "o", "contactEmail": "o@x.org",
            "sourceFolder": "/data/b", "creationTime": "2024-01-01T00:00:00Z", "principalInvestigator": "pi",
            "creationLocation": "krios", "datasetName": "same pid, new group"}, 201)
        c.eq("the pid is taken again", again["pid"], victim)
        for sub in ("origdatablocks", "datablocks", "attachments"):
            c.eq(f"new dataset has no old {sub}", get_json(user3, f"/api/v3/Datasets/{enc(victim)}/{sub}"), [])
        c.eq("no old thumbnail", get_json(user3, f"/api/v3/Datasets/{enc(victim)}/thumbnail"), {})
        status, _, body = user3.request("GET", f"/api/v3/Datasets/{enc(victim)}/download")
        members = tar_members(body) if status == 200 else {}
        c.eq("no old online files", [m for m in members if "/data/" in m and not m.endswith("/data/ro-crate-metadata.json")], [])
        status, _, _ = user3.request("GET", f"/api/v3/Datasets/{enc(victim)}/files/secret.txt")
        c.eq("the old file is not served", status, 404)
        # the archive system marks it retrievable; a retrieve still finds no archived copy of its own
        manager = Client(server, "archiveManager")
        status, _, _ = manager.request("PATCH", f"/api/v3/Datasets/{enc(victim)}/datasetlifecycle", hdr,
                                       json.dumps({"retrievable": True}).encode())
        c.eq("lifecycle set retrievable", status, 200)
        status, rdone = retrieve(user3, victim)
        c.eq("retrieve of the new dataset fails", rdone and rdone["statusCode"], "finishedUnsuccessful")
        status, _, _ = user3.request("GET", f"/api/v3/Datasets/{enc(victim)}/files/secret.txt")
        c.eq("the old archived file never reaches the new dataset", status, 404)
    finally:
        server.stop()
        storage.stop()
        log = os.path.join(work, "server.log")
        if c.failures and os.path.exists(log):
            print(open(log).read()[-3000:])
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
