#!/usr/bin/env python3
"""The job configuration's url and email actions against real listeners on 127.0.0.1: a
minimal SMTP server (the message must arrive with its rendered recipient, subject and body)
and an HTTP endpoint (the url action's request must arrive with the rendered URL, header
and body); on create and again when the worker finishes the job."""
import http.server
import json
import os
import shutil
import socket
import sys
import tempfile
import threading
import time

from common_archive import Checks, Client, Server, dataset_with_files, server_env, wait_job


class SmtpSink:
    """Just enough SMTP for libcurl: records (MAIL FROM, RCPT TO list, DATA) per message."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.messages = []
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.session, args=(conn,), daemon=True).start()

    def session(self, conn):
        f = conn.makefile("rb")
        conn.sendall(b"220 sink ESMTP\r\n")
        mail, rcpt = None, []
        while True:
            line = f.readline()
            if not line:
                return
            cmd = line.decode(errors="replace").strip()
            upper = cmd.upper()
            if upper.startswith(("EHLO", "HELO")):
                conn.sendall(b"250 sink\r\n")
            elif upper.startswith("MAIL FROM:"):
                mail = cmd[10:].strip()
                conn.sendall(b"250 OK\r\n")
            elif upper.startswith("RCPT TO:"):
                rcpt.append(cmd[8:].strip())
                conn.sendall(b"250 OK\r\n")
            elif upper == "DATA":
                conn.sendall(b"354 go on\r\n")
                data = b""
                while not data.endswith(b"\r\n.\r\n"):
                    chunk = f.readline()
                    if not chunk:
                        return
                    data += chunk
                self.messages.append((mail, rcpt, data[:-5].decode(errors="replace")))
                mail, rcpt = None, []
                conn.sendall(b"250 queued\r\n")
            elif upper == "QUIT":
                conn.sendall(b"221 bye\r\n")
                conn.close()
                return
            else:
                conn.sendall(b"250 OK\r\n")


class Hook(http.server.BaseHTTPRequestHandler):
    calls = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        Hook.calls.append((self.path, self.headers.get("X-Job-Type"), body.decode()))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def main():
    binary = sys.argv[sys.argv.index("--binary") + 1] if "--binary" in sys.argv else "build/openem"
    work = tempfile.mkdtemp(prefix="openem-jobactions-")
    c = Checks("archive/actions")
    smtp = SmtpSink()
    hook = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    hook_url = f"http://127.0.0.1:{hook.server_address[1]}"
    config = {"configVersion": "actions-1", "jobs": [{
        "jobType": "archive",
        "create": {"auth": "#datasetOwner", "actions": [
            {"actionType": "email", "to": "{{{job.contactEmail}}}", "subject": "Job {{job.id}} {{job.statusCode}}",
             "body": "Your {{job.type}} job for {{job.jobParams.datasetList.0.pid}} was submitted."},
            {"actionType": "url", "url": hook_url + "/jobs/{{job.id}}", "method": "POST",
             "headers": {"X-Job-Type": "{{job.type}}"}, "body": "{\"status\": \"{{job.statusCode}}\"}"}]},
        "update": {"auth": "@archivemanager", "actions": [
            {"actionType": "email", "to": "{{{job.contactEmail}}}", "subject": "Job {{job.id}} {{job.statusCode}}"}]}}]}
    path = os.path.join(work, "jobs.json")
    with open(path, "w") as f:
        json.dump(config, f)
    server = Server(binary, server_env(JOB_CONFIGURATION_FILE=path, SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp.port),
                                       SMTP_MESSAGE_FROM="openem@facility.test", OPENEM_ARCHIVE_POLL_MS="100"),
                    os.path.join(work, "data"), os.path.join(work, "server.log"))
    try:
        server.start()
        user1 = Client(server, "user1")
        pid = dataset_with_files(user1, {"a.txt": b"abc"})
        job = user1.json("POST", "/api/v4/jobs", {"type": "archive", "contactEmail": "pi@facility.test", "ownerGroup": "group1",
                                                  "jobParams": {"datasetList": [{"pid": pid, "files": []}]}}, 201)
        c.eq("email sent on create", len(smtp.messages), 1)
        if smtp.messages:
            mail, rcpt, data = smtp.messages[0]
            c.eq("envelope", (mail, rcpt), ("<openem@facility.test>", ["<pi@facility.test>"]))
            c.true("subject rendered", f"Subject: Job {job['id']} jobSubmitted" in data, data[:300])
            c.true("body rendered", f"Your archive job for {pid} was submitted." in data, data[-300:])
        c.eq("url called", Hook.calls, [(f"/jobs/{job['id']}", "archive", '{"status": "jobSubmitted"}')])
        done = wait_job(user1, job["id"])
        c.eq("job done", done["statusCode"], "finishedSuccessful")
        deadline = time.time() + 5
        while len(smtp.messages) < 2 and time.time() < deadline:
            time.sleep(0.05)
        c.eq("email sent when the worker finishes", len(smtp.messages), 2)
        if len(smtp.messages) > 1:
            c.true("final status in subject", f"Subject: Job {job['id']} finishedSuccessful" in smtp.messages[1][2])
        c.eq("clean stop", server.stop(), None)
    except AssertionError as e:
        c.true("unexpected failure", False, str(e))
    finally:
        if server.proc and server.proc.poll() is None:
            server.kill()
        hook.shutdown()
        shutil.rmtree(work, ignore_errors=True)
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
