#!/usr/bin/env python3
"""The job auth matrix for every test account, under the default job configuration and
under a YAML JOB_CONFIGURATION_FILE that uses every auth value. The worker is off, so the
answers depend on the rules only."""
import json
import os
import shutil
import sys
import tempfile

from common_archive import Checks, Client, Server, enc, server_env

TOKENS = ["anonymous", "admin", "ingestor", "archiveManager", "proposalIngestor", "user1", "user2", "user3",
          "globalUser"]
# dataset: ownerGroup group1, accessGroups [group2]; user3 is in group1 and group3.
# Upstream's create path (scicat-backend-next src/jobs/jobs.controller.utils.ts,
# interceptors/create-job-v3-mapping.interceptor.ts): the v3 mapping names the owner group
# (archive: the dataset's; retrieve: the first group the dataset and the caller share), a user
# must belong to it (400), and the dataset rule is checked for that group (403). Reads follow
# casl-ability.factory.ts: no job for anonymous callers (403), a user's own and its groups'
# jobs, every job for admins; openem adds the job types whose update rule names the caller.
DEFAULT = {
    # create archive, create retrieve, read user1's job, update it, delete it. A dataset or a job
    # the caller cannot read is answered as a missing one (400 on create, 404 on the job).
    "anonymous":        (400, 400, 403, 404, 404),
    "admin":            (201, 201, 200, 200, 200),
    "ingestor":         (400, 400, 404, 404, 404),
    "archiveManager":   (400, 400, 200, 200, 403),
    "proposalIngestor": (400, 400, 404, 404, 404),
    "user1":            (201, 201, 200, 403, 403),
    "user2":            (400, 201, 404, 404, 404),
    "user3":            (201, 201, 200, 403, 403),
    "globalUser":       (400, 400, 404, 404, 404),
}
# The group a signed-in account names as its job's owner group (v4 requires one of users).
OWN_GROUP = {"admin": "admin", "ingestor": "ingestor", "archiveManager": "archivemanager",
             "proposalIngestor": "proposalingestor", "user1": "group1", "user2": "group2", "user3": "group3",
             "globalUser": "group4"}

YAML = """\
configVersion: matrix-1
jobs:
  - jobType: all_access
    create:
      auth: "#all"
      actions:
        - actionType: log
    update:
      auth: "#all"
  - jobType: authenticated_access
    create:
      auth: "#authenticated"
    update:
      auth: "#jobOwnerGroup"
  - jobType: group_access
    create:
      auth: "@group2"
    update:
      auth: "#jobOwnerUser"
  - jobType: user_access
    create:
      auth: user3
    update:
      auth: user3
  - jobType: validated
    create:
      auth: "#authenticated"
      actions:
        - actionType: validate
          request:
            jobParams.tapeCopies:
              type: string
              enum: [one, two]
        - actionType: email
          to: "{{{job.contactEmail}}}"
          subject: "Job {{job.id}} created"
    update:
      auth: "#jobAdmin"
"""
# create status per type for each token (anonymous callers may only use #all: 403 otherwise)
CUSTOM = {
    "all_access": {t: 201 for t in TOKENS},
    "authenticated_access": {t: (403 if t == "anonymous" else 201) for t in TOKENS},
    "group_access": {t: (201 if t in ("user2", "admin") else 403) for t in TOKENS},
    "user_access": {t: (201 if t in ("user3", "admin") else 403) for t in TOKENS},
}


def job_body(token, jtype, pid, **params):
    body = {"type": jtype, "jobParams": {"datasetList": [{"pid": pid, "files": []}], **params}}
    if token in OWN_GROUP:
        body["ownerGroup"] = OWN_GROUP[token]
    return body


def request(client, method, target, doc=None):
    body = json.dumps(doc).encode() if doc is not None else None
    status, _, resp = client.request(method, target, [("Content-Type", "application/json")] if body else [], body)
    return status, resp


def main():
    binary = sys.argv[sys.argv.index("--binary") + 1] if "--binary" in sys.argv else "build/openem"
    work = tempfile.mkdtemp(prefix="openem-jobauth-")
    c = Checks("archive/auth_matrix")
    try:
        server = Server(binary, server_env(OPENEM_ARCHIVE_WORKER="false"), os.path.join(work, "d1"),
                        os.path.join(work, "server1.log"))
        server.start()
        clients = {t: Client(server, None if t == "anonymous" else t) for t in TOKENS}
        admin, user1 = clients["admin"], clients["user1"]

        def new_dataset(**lc):
            ds = {"type": "raw", "ownerGroup": "group1", "accessGroups": ["group2"], "owner": "o",
                  "contactEmail": "o@x.org", "sourceFolder": "/d", "creationTime": "2024-01-01T00:00:00Z",
                  "principalInvestigator": "pi", "creationLocation": "krios",
                  "datasetlifecycle": {"archivable": True, "retrievable": True, **lc}}
            return admin.json("POST", "/api/v3/Datasets", ds, 201)["pid"]

        for token in TOKENS:
            want = DEFAULT[token]
            cl = clients[token]
            for i, jtype in enumerate(("archive", "retrieve")):
                pid = new_dataset()
                status, body = request(cl, "POST", "/api/v3/Jobs", {"type": jtype, "datasetList": [{"pid": pid, "files": []}]})
                c.eq(f"default: {token} creates {jtype}", status, want[i])
            pid = new_dataset()
            job = user1.json("POST", "/api/v4/jobs", job_body("user1", "retrieve", pid), 201)
            status, _ = request(cl, "GET", "/api/v4/jobs/" + job["id"])
            c.eq(f"default: {token} reads user1's job", status, want[2])
            status, _ = request(cl, "GET", f"/api/v4/jobs?filter={enc(json.dumps({'where': {'id': job['id']}}))}")
            c.true(f"default: {token} lists user1's job consistently", status == (403 if token == "anonymous" else 200))
            status, _ = request(cl, "PATCH", "/api/v4/jobs/" + job["id"], {"statusCode": "inProgress"})
            c.eq(f"default: {token} updates user1's job", status, want[3])
            status, _ = request(cl, "DELETE", "/api/v4/jobs/" + job["id"])
            c.eq(f"default: {token} deletes user1's job", status, want[4])
        c.eq("clean stop 1", server.stop(), None)

        config = os.path.join(work, "jobConfig.yaml")
        with open(config, "w") as f:
            f.write(YAML)
        server = Server(binary, server_env(OPENEM_ARCHIVE_WORKER="false", JOB_CONFIGURATION_FILE=config,
                                           OPENEM_LOG_LEVEL="info"),
                        os.path.join(work, "d2"), os.path.join(work, "server2.log"))
        server.start()
        clients = {t: Client(server, None if t == "anonymous" else t) for t in TOKENS}
        admin = clients["admin"]
        # Published, so that every account may name it: the matrix is about the job rules. A
        # dataset the caller cannot read is answered as a missing one (checked below).
        def custom_dataset(published):
            return admin.json("POST", "/api/v3/Datasets", {
                "type": "raw", "ownerGroup": "group1", "owner": "o", "contactEmail": "o@x.org", "sourceFolder": "/d",
                "creationTime": "2024-01-01T00:00:00Z", "principalInvestigator": "pi", "creationLocation": "krios",
                "isPublished": published}, 201)["pid"]
        pid, private = custom_dataset(True), custom_dataset(False)
        for token in ("anonymous", "user2", "globalUser"):
            answers = [request(clients[token], "POST", "/api/v4/jobs", {"type": "all_access", "jobParams": {
                "datasetList": [{"pid": p, "files": []}]}}) for p in (private, "PID.prefix.a0b1/no-such-dataset")]
            c.eq(f"custom: {token} naming a private dataset gets the answer for a missing one",
                 (answers[0][0], json.loads(answers[0][1])["message"].replace(private, "X")),
                 (answers[1][0], json.loads(answers[1][1])["message"].replace("PID.prefix.a0b1/no-such-dataset", "X")))
        created = {}
        for jtype, by_token in CUSTOM.items():
            for token in TOKENS:
                status, body = request(clients[token], "POST", "/api/v4/jobs", job_body(token, jtype, pid))
                c.eq(f"custom: {token} creates {jtype}", status, by_token[token])
                if status == 201:
                    created[(jtype, token)] = json.loads(body)
        c.eq("custom: configVersion recorded", created[("all_access", "user1")].get("configVersion"), "matrix-1")
        # updates: #all anyone; #jobOwnerGroup members of the job's group; #jobOwnerUser the
        # creator; a user name that user.
        job = created[("all_access", "user2")]["id"]
        c.eq("custom: anonymous updates an #all job", request(clients["anonymous"], "PATCH", "/api/v4/jobs/" + job,
                                                               {"statusCode": "x"})[0], 200)
        status, body = request(clients["user3"], "POST", "/api/v4/jobs",
                               {**job_body("user3", "authenticated_access", pid), "ownerGroup": "group1"})
        job = json.loads(body)["id"]
        for token, want in (("user1", 200), ("user3", 200), ("user2", 404), ("globalUser", 404)):  # not in group1: missing
            c.eq(f"custom: {token} updates a #jobOwnerGroup job", request(clients[token], "PATCH", "/api/v4/jobs/" + job,
                                                                          {"statusCode": "x"})[0], want)
        job = created[("group_access", "user2")]["id"]
        for token, want in (("user2", 200), ("user1", 404), ("admin", 200)):  # user1 cannot read group2's job
            c.eq(f"custom: {token} updates a #jobOwnerUser job", request(clients[token], "PATCH", "/api/v4/jobs/" + job,
                                                                         {"statusCode": "x"})[0], want)
        job = created[("user_access", "user3")]["id"]
        for token, want in (("user3", 200), ("user1", 404)):  # group3's job: missing for user1
            c.eq(f"custom: {token} updates a user-name job", request(clients[token], "PATCH", "/api/v4/jobs/" + job,
                                                                     {"statusCode": "x"})[0], want)
        status, body = request(clients["user1"], "POST", "/api/v4/jobs",
                               job_body("user1", "validated", pid, tapeCopies="three"))
        c.eq("custom: validate refuses", (status, json.loads(body).get("message")),
             (400, "Invalid request. Invalid value for 'jobParams.tapeCopies'"))
        status, body = request(clients["user1"], "POST", "/api/v4/jobs",
                               job_body("user1", "validated", pid, tapeCopies="two"))
        c.eq("custom: validate accepts", status, 201)
        c.eq("clean stop 2", server.stop(), None)
        log = open(os.path.join(work, "server2.log"), errors="replace").read()
        c.true("custom: the email action is logged without SMTP",
               'action=email' in log and 'to="user1@your.site"' in log and "sent=false" in log)
        c.true("custom: the log action logs", "action=log phase=create" in log)

        bad = os.path.join(work, "bad.json")
        with open(bad, "w") as f:
            f.write('{"configVersion": "x", "jobs": [{"jobType": "a", "create": {"actions": [{"actionType": "switch"}]}}]}')
        server = Server(binary, server_env(JOB_CONFIGURATION_FILE=bad), os.path.join(work, "d3"),
                        os.path.join(work, "server3.log"))
        try:
            server.start(timeout=10)
            c.true("a bad job configuration stops the start", False)
            server.stop()
        except Exception:
            log = open(os.path.join(work, "server3.log"), errors="replace").read()
            c.true("the start-up error names the problem", "actionType 'switch' is not supported" in log, log[-300:])
    except AssertionError as e:
        c.true("unexpected failure", False, str(e))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
