"""A DataCite stand-in for the end-to-end tests: an HTTP server on loopback that speaks the
REST API (JSON:API, `PUT /dois/<doi>`) and the MDS API (`PUT /metadata/<doi>` with kernel-4
XML, `PUT /doi/<doi>` with `doi=...\\nurl=...`, `DELETE /metadata/<doi>`), checks HTTP Basic
credentials, records every request, and fails on demand: 500s, hangs past the client's
timeout, or a 422 refusal. Stdlib only."""
import base64
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class DataCite:
    def __init__(self, username, password):
        self.auth = "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()
        self.lock = threading.Lock()
        self.requests = []   # every request: (method, path, body, status answered)
        self.mode = "ok"     # ok | fail500 | hang | fail422
        self.rest = {}       # doi -> attributes of the last accepted PUT
        self.mds_metadata = {}
        self.mds_urls = {}
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def answer(self, status, body, ctype="application/json"):
                data = body.encode() if isinstance(body, str) else body
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def handle_any(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
                path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
                status = outer.dispatch(self.command, path, body, self.headers)
                with outer.lock:
                    outer.requests.append({"method": self.command, "path": path, "body": body, "status": status[0],
                                           "content_type": self.headers.get("Content-Type", "")})
                if status[0] == 0:  # hang: the client gave up long ago
                    return
                self.answer(*status)

            do_PUT = do_POST = do_DELETE = do_GET = handle_any

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()

    def dispatch(self, method, path, body, headers):
        if headers.get("Authorization") != self.auth:
            return 401, json.dumps({"errors": [{"status": "401", "title": "Bad credentials"}]})
        mode = self.mode
        if mode == "fail500":
            return 500, json.dumps({"errors": [{"status": "500", "title": "Internal server error"}]})
        if mode == "hang":
            time.sleep(4)
            return 0, ""
        if mode == "fail422":
            return 422, json.dumps({"errors": [{"source": "creators", "title": "Creators can't be blank"}]})
        if path.startswith("/dois/") and method == "PUT":
            doi = path[len("/dois/"):]
            try:
                doc = json.loads(body)
                attrs = doc["data"]["attributes"]
                assert doc["data"]["type"] == "dois"
                assert headers.get("Content-Type", "").startswith("application/vnd.api+json")
            except Exception as e:  # noqa: BLE001 — a malformed document is DataCite's 400
                return 400, json.dumps({"errors": [{"title": f"malformed JSON:API document: {e}"}]})
            with self.lock:
                self.rest[doi] = attrs
            return 201, json.dumps({"data": {"id": doi.lower(), "type": "dois", "attributes": {"doi": doi, "state": "findable"}}})
        if path.startswith("/metadata/") and method == "PUT":
            doi = path[len("/metadata/"):]
            if not headers.get("Content-Type", "").startswith("application/xml"):
                return 415, "Content type must be application/xml"
            with self.lock:
                self.mds_metadata[doi] = body
            return 201, f"OK ({doi})"
        if path.startswith("/metadata/") and method == "DELETE":
            doi = path[len("/metadata/"):]
            return (200, "OK") if doi in self.mds_metadata else (404, "DOI not found")
        if path.startswith("/doi/") and method == "PUT":
            doi = path[len("/doi/"):]
            lines = dict(line.split("=", 1) for line in body.strip().split("\n") if "=" in line)
            if doi not in self.mds_metadata:
                return 412, "Can't be minted without metadata"  # MDS refuses a DOI without its metadata
            if lines.get("doi") != doi or not lines.get("url", "").startswith("http"):
                return 400, "doi and url required"
            with self.lock:
                self.mds_urls[doi] = lines["url"]
            return 201, "OK"
        return 404, "Not found"

    def accepted(self, doi=None, method=None, prefix=None):
        """Requests DataCite accepted (2xx), optionally for one DOI, method and path prefix."""
        with self.lock:
            out = []
            for r in self.requests:
                if not 200 <= r["status"] < 300:
                    continue
                if doi and not r["path"].endswith("/" + doi):
                    continue
                if method and r["method"] != method:
                    continue
                if prefix and not r["path"].startswith(prefix):
                    continue
                out.append(r)
            return out
