#!/usr/bin/env python3
"""kill -9 during writes loses no acknowledged write, and the next start opens cleanly.

Writers POST datasets (and origdatablocks that change the dataset's size) over keep-alive
connections while the server is killed with SIGKILL at a random moment; after a restart
on the same data directory every dataset whose creation was acknowledged (201) must be
there with the data it was acknowledged with, and the catalog must accept writes again.
Several rounds on one data directory, so each restart also repairs the previous kill.
The change history (docs/catalog.md) goes with the writes: every acknowledged creation and
size change has its record, and no record describes a write that is not there. A webhook
registered before the first round (docs/events.md) is the queued delivery the kills must not
lose: at the end its receiver has had, at least once, the insert event of every stored
dataset, and none of a creation that was lost.
"""
import json
import os
import random
import shutil
import signal
import sys
import tempfile
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "api"))
from run import Server, http_request  # noqa: E402

ROUNDS = 4
WRITERS = 4


def login(addr, user, password):
    status, _, body = http_request(addr, "POST", "/api/v3/auth/login",
                                   [("Content-Type", "application/json")],
                                   json.dumps({"username": user, "password": password}).encode())
    assert status == 201, (status, body)
    return json.loads(body)["id"]


def writer(addr, token, tag, acked, stop):
    headers = [("Content-Type", "application/json"), ("Authorization", "Bearer " + token)]
    i = 0
    while not stop.is_set():
        i += 1
        name = f"{tag}-{i}"
        body = {"type": "raw", "ownerGroup": "group1", "owner": "o", "contactEmail": "o@x.org",
                "sourceFolder": "/data/" + name, "creationTime": "2024-01-01T00:00:00Z",
                "principalInvestigator": "pi", "creationLocation": "krios", "datasetName": name,
                "scientificMetadata": {"dose": {"value": i, "unit": "e/Å²"}}}
        try:
            status, _, resp = http_request(addr, "POST", "/api/v3/Datasets", headers, json.dumps(body).encode(), 5)
            if status != 201:
                continue
            pid = json.loads(resp)["pid"]
            acked[pid] = {"datasetName": name, "size": 0}
            block = {"datasetId": pid, "size": i, "dataFileList": [{"path": "f.tif", "size": i, "time": "2024-01-01T00:00:00Z"}]}
            status, _, _ = http_request(addr, "POST", "/api/v3/origdatablocks", headers, json.dumps(block).encode(), 5)
            if status == 201:
                acked[pid]["size"] = i
        except (OSError, ConnectionError, TimeoutError, ValueError):
            return  # the server is gone


class Receiver:
    """A webhook receiver on loopback: the insert events it got, by dataset (de-duplicated by
    webhook-id, as the Standard Webhooks contract says receivers do)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.ids = set()
        self.inserted = set()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                event = json.loads(body)
                with receiver.lock:
                    if self.headers.get("webhook-id") not in receiver.ids:
                        receiver.ids.add(self.headers.get("webhook-id"))
                        if event.get("collection") == "Dataset" and event.get("operation") == "insert":
                            receiver.inserted.add(event["documentId"])
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def inserts(self):
        with self.lock:
            return set(self.inserted)


def history(addr, token, pid):
    target = "/api/v3/history?filter=" + urllib.parse.quote(json.dumps({"subsystem": "Dataset", "documentId": pid}))
    status, _, body = http_request(addr, "GET", target + "&limit=1000", [("Authorization", "Bearer " + token)], None)
    return json.loads(body)["items"] if status == 200 else None


def check_history(addr, admin, pid, want, doc, failures, when):
    items = history(addr, admin, pid)
    if items is None:
        failures.append(f"{when}: no history for {pid}")
        return
    inserts = [h for h in items if h["operation"] == "insert"]
    if len(inserts) != 1 or inserts[0]["user"] != "user1" or inserts[0]["after"].get("datasetName") != want["datasetName"]:
        failures.append(f"{when}: dataset {pid} has no single insert record by user1 ({inserts})")
    sizes = [h["after"]["size"] for h in items if h["operation"] == "update" and "size" in (h["after"] or {})]
    if want["size"] and want["size"] not in sizes:
        failures.append(f"{when}: acknowledged size {want['size']} of {pid} has no history record ({sizes})")
    if doc.get("size", 0) and doc["size"] not in sizes:
        failures.append(f"{when}: stored size {doc['size']} of {pid} has no history record ({sizes})")


def main():
    binary = sys.argv[sys.argv.index("--binary") + 1] if "--binary" in sys.argv else "build/openem"
    work = tempfile.mkdtemp(prefix="openem-kill9-")
    accounts = os.path.join(work, "accounts.json")
    with open(accounts, "w") as f:
        json.dump([{"username": "user1", "email": "u1@x.org", "password": "user1-password", "role": ["group1"]}], f)
    env = dict(os.environ, OPENEM_ADMIN_PASSWORD="admin-password", FUNCTIONAL_ACCOUNTS_FILE=accounts,
               OPENEM_LOG_LEVEL="warn", PID_PREFIX="kill9", OPENEM_WEBHOOK_POLL_MS="100",
               OPENEM_WEBHOOK_RETRY_SECONDS="1")
    receiver = Receiver()
    data = os.path.join(work, "data")
    acked = {}
    failures = []
    rng = random.Random(int(os.environ.get("KILL9_SEED", time.time())))
    try:
        for rnd in range(ROUNDS):
            server = Server(binary, env, data, os.path.join(work, "server.log"))
            server.start()
            token = login(server.addr, "user1", "user1-password")
            # what the previous kill left behind must all be there
            admin = login(server.addr, "admin", "admin-password")
            if rnd == 0:
                status, _, body = http_request(server.addr, "POST", "/api/v3/webhooks",
                                               [("Content-Type", "application/json"), ("Authorization", "Bearer " + admin)],
                                               json.dumps({"url": receiver.url, "description": "kill9"}).encode())
                assert status == 201, (status, body)
            for pid, want in list(acked.items()):
                status, _, body = http_request(server.addr, "GET", "/api/v3/Datasets/" + urllib.parse.quote(pid, safe=""),
                                               [("Authorization", "Bearer " + admin)], None)
                if status != 200:
                    failures.append(f"round {rnd}: acknowledged dataset {pid} missing after kill -9 ({status})")
                    continue
                doc = json.loads(body)
                if doc.get("datasetName") != want["datasetName"] or doc.get("size", 0) < want["size"]:
                    failures.append(f"round {rnd}: dataset {pid} came back as {doc.get('datasetName')}/{doc.get('size')}, "
                                    f"acknowledged {want}")
                check_history(server.addr, admin, pid, want, doc, failures, f"round {rnd}")
            stop = threading.Event()
            threads = [threading.Thread(target=writer, args=(server.addr, token, f"r{rnd}w{w}", acked, stop))
                       for w in range(WRITERS)]
            for t in threads:
                t.start()
            time.sleep(rng.uniform(0.3, 1.5))
            server.proc.send_signal(signal.SIGKILL)
            server.proc.wait()
            stop.set()
            for t in threads:
                t.join(10)
        # a final clean start: every acknowledged write is there, and the count agrees
        server = Server(binary, env, data, os.path.join(work, "server.log"))
        server.start()
        admin = login(server.addr, "admin", "admin-password")
        status, _, body = http_request(server.addr, "GET", "/api/v3/Datasets/count",
                                       [("Authorization", "Bearer " + admin)], None)
        count = json.loads(body)["count"]
        missing = [p for p in acked if http_request(server.addr, "GET", "/api/v3/Datasets/" + urllib.parse.quote(p, safe=""),
                                                     [("Authorization", "Bearer " + admin)], None)[0] != 200]
        if missing:
            failures.append(f"{len(missing)} acknowledged datasets missing at the end, e.g. {missing[:3]}")
        if count < len(acked):
            failures.append(f"count {count} < {len(acked)} acknowledged")
        # never invented: one insert record per stored dataset, none for a creation that was lost
        target = "/api/v3/history/count?filter=" + urllib.parse.quote(json.dumps({"subsystem": "Dataset", "operation": "insert"}))
        status, _, body = http_request(server.addr, "GET", target, [("Authorization", "Bearer " + admin)], None)
        inserts = json.loads(body)["count"] if status == 200 else None
        if inserts != count:
            failures.append(f"{inserts} insert records in the history for {count} stored datasets")
        # the webhook lost nothing to the kills and invented nothing: every stored dataset's
        # insert arrives (at least once), and no insert of a dataset that is not stored
        stored = set()
        skip = 0
        while True:
            target = "/api/v3/Datasets?filter=" + urllib.parse.quote(json.dumps({"fields": ["pid"], "limits": {"skip": skip, "limit": 1000}}))
            status, _, body = http_request(server.addr, "GET", target, [("Authorization", "Bearer " + admin)], None)
            page = [d["pid"] for d in json.loads(body)]
            stored.update(page)
            skip += len(page)
            if len(page) < 1000:
                break
        deadline = time.time() + 60
        while receiver.inserts() != stored and time.time() < deadline:
            time.sleep(0.2)
        got = receiver.inserts()
        if stored - got:
            failures.append(f"webhook: {len(stored - got)} of {len(stored)} stored datasets' inserts never delivered, "
                            f"e.g. {sorted(stored - got)[:3]}")
        if got - stored:
            failures.append(f"webhook: inserts delivered for {len(got - stored)} datasets that are not stored, "
                            f"e.g. {sorted(got - stored)[:3]}")
        err = server.stop()
        if err:
            failures.append(err)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if not acked:
        failures.append("no write was acknowledged before the kills: the test proved nothing")
    for f in failures:
        print("FAIL:", f)
    print(f"kill9: {len(acked)} acknowledged datasets over {ROUNDS} kills, {len(receiver.inserts())} inserts "
          f"delivered to the webhook")
    print(f"{0 if failures else 1} passed, {1 if failures else 0} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
