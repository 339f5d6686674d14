#!/usr/bin/env python3
"""openem API scenario runner: drives a real `openem serve` over HTTP.

Each *.test file runs against its own fresh server (new data directory, port 0), then the
server gets SIGTERM and must exit with code 0 within 10 s. The file format is described in
tests/api/README.md. Python 3 standard library only.

    python3 tests/api/run.py --binary build/openem tests/api/scenarios            # all
    python3 tests/api/run.py --binary build/openem tests/api/scenarios/auth/login.test
"""
import argparse
import base64
import concurrent.futures
import datetime
import hashlib
import hmac
import itertools
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ADMIN_PASSWORD = "admin-pw-for-api-tests"

# Server environment; a scenario overrides keys with `config KEY=VALUE` lines at its top.
DEFAULT_ENV = {
    "OPENEM_ADMIN_PASSWORD": ADMIN_PASSWORD,
    "FUNCTIONAL_ACCOUNTS_FILE": os.path.join(HERE, "accounts.json"),
    "ADMIN_GROUPS": "admin",
    "DELETE_GROUPS": "admin,archivemanager",
    "CREATE_DATASET_PRIVILEGED_GROUPS": "ingestor",
    "UPDATE_DATASET_LIFECYCLE_GROUPS": "archivemanager",
    "PROPOSAL_GROUPS": "proposalingestor",
    "SAMPLE_PRIVILEGED_GROUPS": "sampleingestor",
    "POLICY_GROUPS": "policymanager",
    "PID_PREFIX": "PID.prefix.a0b1",
    "JWT_SECRET": "openem-api-test-jwt-secret",
    "JWT_EXPIRES_IN": "3600",
}
# Variables of the caller's environment handed through to the server (sanitizers, locale, and
# the catalog an end-to-end suite runs on: tests/support/with_postgres_catalog.py).
PASSTHROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "ASAN_OPTIONS",
               "UBSAN_OPTIONS", "LSAN_OPTIONS", "TSAN_OPTIONS", "LLVM_PROFILE_FILE", "OPENEM_CATALOG")

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
ASSERTIONS = ("length", "contains", "not-contains", "match", "match-exact", "capture", "jwt",
              "expect-header", "capture-header")
DIRECTIVES = set(METHODS) | set(ASSERTIONS) | {
    "as", "expect", "expect-exact", "header", "body-raw", "let", "sleep", "restart", "config",
    "raw", "follow"}

LISTEN_RE = re.compile(r"listening on (https?://[^\s/]+)")
VAR_RE = re.compile(
    r"\$repeat\((\d+),([^)]*)\)|\$enc\(([A-Za-z_]\w*)\)|\$([A-Za-z_]\w*)")
MAX_FAILURES_PER_FILE = 25


class ScenarioError(Exception):
    """A syntax error in a scenario file."""


class Fatal(Exception):
    """Stops the scenario (server died, login impossible, ...)."""


# ------------------------------------------------------------------------------------------
# Parsing

class Step:
    def __init__(self, kind, line, **kw):
        self.kind, self.line = kind, line
        self.__dict__.update(kw)


def is_directive(line):
    if not line or line[0].isspace():
        return False
    if line.startswith("#"):
        return True
    return line.split(None, 1)[0] in DIRECTIVES


def parse_json(text, where):
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise ScenarioError(f"{where}: invalid JSON ({e}): {text[:200]}")


def parse_file(path):
    """Returns (config dict, list of Steps)."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    config, steps = {}, []
    i, n = 0, len(lines)
    current = None  # the last request, to which expectations/assertions attach

    def block(start):
        """Non-blank, non-directive continuation lines from index start."""
        j, out = start, []
        while j < n and lines[j].strip() and not is_directive(lines[j]):
            out.append(lines[j])
            j += 1
        return "\n".join(out), j

    while i < n:
        raw = lines[i]
        lineno = i + 1
        where = f"{path}:{lineno}"
        if not raw.strip() or raw.startswith("#"):
            i += 1
            continue
        if raw[0].isspace():
            raise ScenarioError(f"{where}: unexpected indented line: {raw.strip()[:80]}")
        word, _, rest = raw.partition(" ")
        rest = rest.strip()
        if word == "config":
            if steps:
                raise ScenarioError(f"{where}: config lines must precede all other lines")
            key, eq, value = rest.partition("=")
            if not eq or not key.strip():
                raise ScenarioError(f"{where}: expected config KEY=VALUE")
            # $SCENARIO_DIR: the folder of the .test file (fixture files next to it).
            config[key.strip()] = value.strip().replace("$SCENARIO_DIR", os.path.dirname(os.path.abspath(path)))
            i += 1
        elif word == "as":
            if not rest or " " in rest:
                raise ScenarioError(f"{where}: expected `as <user>`")
            steps.append(Step("as", lineno, user=rest))
            current = None
            i += 1
        elif word == "let":
            name, _, value = rest.partition(" ")
            if not re.fullmatch(r"[A-Za-z_]\w*", name) or not value:
                raise ScenarioError(f"{where}: expected `let <name> <json>`")
            steps.append(Step("let", lineno, name=name, value=parse_json(value, where)))
            i += 1
        elif word == "sleep":
            steps.append(Step("sleep", lineno, seconds=float(rest)))
            i += 1
        elif word == "restart":
            steps.append(Step("restart", lineno))
            current = None
            i += 1
        elif word in METHODS or word in ("raw", "follow"):
            follow = word == "follow"
            if follow:  # GET of the last redirect's Location, as a browser follows it
                if rest:
                    raise ScenarioError(f"{where}: `follow` takes nothing after it")
                word, rest = "GET", "/"
            raw_target = word == "raw"
            if raw_target:
                word, _, rest = rest.partition(" ")
                rest = rest.strip()
                if word not in METHODS:
                    raise ScenarioError(f"{where}: expected `raw <METHOD> <target>`")
            if not rest.startswith("/"):
                raise ScenarioError(f"{where}: request target must start with /")
            req = Step("request", lineno, method=word, target=rest, raw_target=raw_target, follow=follow,
                       headers=[], body=None, body_raw=None, expect=None, assertions=[])
            i += 1
            while i < n and (lines[i].startswith("header ") or lines[i].startswith("body-raw ")
                             or lines[i].startswith("#")):
                if lines[i].startswith("header "):
                    name, colon, value = lines[i][7:].partition(":")
                    if not colon:
                        raise ScenarioError(f"{path}:{i + 1}: expected `header Name: value`")
                    req.headers.append((name.strip(), value.strip()))
                elif lines[i].startswith("body-raw "):
                    req.body_raw = lines[i][9:]
                i += 1
            text, j = block(i)
            if text:
                if req.body_raw is not None:
                    raise ScenarioError(f"{path}:{i + 1}: both body-raw and a JSON body")
                req.body = parse_json(text, f"{path}:{i + 1}")
            i = j
            steps.append(req)
            current = req
        elif word in ("expect", "expect-exact"):
            if current is None:
                raise ScenarioError(f"{where}: `{word}` without a request")
            if current.expect is not None:
                raise ScenarioError(f"{where}: second expect for one request")
            statuses = rest.split("|")
            if not rest or not all(re.fullmatch(r"[1-5](\d\d|xx)", s) for s in statuses):
                raise ScenarioError(f"{where}: expected `{word} <status>[|<status>...]`")
            text, j = block(i + 1)
            body = parse_json(text, f"{path}:{i + 2}") if text else None
            current.expect = Step("expect", lineno, statuses=statuses,
                                  exact=(word == "expect-exact"), body=body)
            i = j
        elif word in ASSERTIONS:
            if current is None or current.expect is None:
                raise ScenarioError(f"{where}: `{word}` must follow an expect line")
            a = Step(word, lineno, arg=rest)
            if word in ("match", "match-exact", "jwt"):
                p, _, js = rest.partition(" ")
                text, j = block(i + 1)
                js = (js + "\n" + text).strip()
                a.path, a.value = p, parse_json(js, where)
                i = j
            else:
                if word == "length":
                    parts = rest.split()
                    if len(parts) not in (1, 2) or not parts[-1].isdigit():
                        raise ScenarioError(f"{where}: expected `length [<path>] <n>`")
                    a.path = parts[0] if len(parts) == 2 else "."
                    a.n = int(parts[-1])
                elif word == "capture":
                    parts = rest.split()
                    if len(parts) != 2:
                        raise ScenarioError(f"{where}: expected `capture <name> <path>`")
                    a.name, a.path = parts
                elif word in ("contains", "not-contains"):
                    if len(rest) >= 2 and rest[0] == '"' and rest[-1] == '"':
                        rest = rest[1:-1]
                    if not rest:
                        raise ScenarioError(f"{where}: empty string")
                    a.text = rest
                elif word == "capture-header":  # capture-header <var> <Name> [re:<regex with a group>]
                    parts = rest.split(None, 2)
                    if len(parts) < 2 or (len(parts) == 3 and not parts[2].startswith("re:")):
                        raise ScenarioError(f"{where}: expected `capture-header <name> <Header> [re:<regex>]`")
                    a.name, a.header = parts[0], parts[1]
                    a.regex = parts[2][3:] if len(parts) == 3 else None
                elif word == "expect-header":
                    name, colon, value = rest.partition(":")
                    if not colon:
                        raise ScenarioError(f"{where}: expected `expect-header Name: value`")
                    a.name, a.text = name.strip(), value.strip()
                i += 1
            current.assertions.append(a)
        elif word == "header":
            raise ScenarioError(f"{where}: header lines go right after the request line")
        else:
            raise ScenarioError(f"{where}: unknown directive `{word}`")
    for s in steps:
        if s.kind == "request" and s.expect is None:
            raise ScenarioError(f"{path}:{s.line}: request without `expect`")
    return config, steps


# ------------------------------------------------------------------------------------------
# Variables

def enc(value):
    return urllib.parse.quote(value if isinstance(value, str) else json.dumps(value), safe="")


def as_text(value):
    return value if isinstance(value, str) else json.dumps(value)


def subst_text(text, vars, encode_plain=False):
    """Replaces $repeat(n,text), $enc(name) and defined $name in a string."""
    def repl(m):
        if m.group(1) is not None:
            return m.group(2) * int(m.group(1))
        if m.group(3) is not None:
            if m.group(3) not in vars:
                raise Fatal(f"$enc({m.group(3)}): variable is not defined")
            return enc(vars[m.group(3)])
        name = m.group(4)
        if name not in vars:
            return m.group(0)
        return enc(vars[name]) if encode_plain else as_text(vars[name])
    return VAR_RE.sub(repl, text)


def subst_json(value, vars):
    """Substitutes variables inside string values (not keys) of a request body."""
    if isinstance(value, str):
        m = re.fullmatch(r"\$([A-Za-z_]\w*)", value)
        if m and m.group(1) in vars:
            return vars[m.group(1)]
        return subst_text(value, vars)
    if isinstance(value, list):
        return [subst_json(v, vars) for v in value]
    if isinstance(value, dict):
        return {k: subst_json(v, vars) for k, v in value.items()}
    return value


def build_target(target, vars, raw):
    """Path with $vars; query values percent-encoded (unless the line starts with `raw`)."""
    if raw:
        return subst_text(target, vars)
    path, q, query = target.partition("?")
    path = urllib.parse.quote(subst_text(path, vars), safe="/%:@!$&'()*+,;=-._~")
    if not q:
        return path
    parts = []
    for piece in re.split(r"&(?=[A-Za-z_][\w.\-\[\]]*=)", query):
        k, eq, v = piece.partition("=")
        v = subst_text(v, vars)
        parts.append(urllib.parse.quote(k, safe="[]._-") + (("=" + enc(v)) if eq else ""))
    return path + "?" + "&".join(parts)


# ------------------------------------------------------------------------------------------
# Matching

TYPE_TOKENS = {
    "*string": lambda v: isinstance(v, str),
    "*number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "*int": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "*bool": lambda v: isinstance(v, bool),
    "*array": lambda v: isinstance(v, list),
    "*object": lambda v: isinstance(v, dict),
    "*null": lambda v: v is None,
    "*nonempty": lambda v: v not in (None, "", [], {}),
    "*uuid": lambda v: isinstance(v, str) and re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", v) is not None,
}


def parse_date(v):
    if not isinstance(v, str):
        return None
    try:
        d = datetime.datetime.fromisoformat(v.replace("Z", "+00:00"))
    except ValueError:
        return None
    return d if d.tzinfo else d.replace(tzinfo=datetime.timezone.utc)


def is_future(v):
    now = time.time()
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return (v / 1000 if v > 1e12 else v) > now
    d = parse_date(v)
    return d is not None and d.timestamp() > now


def short(v, limit=300):
    s = json.dumps(v, ensure_ascii=False)
    return s if len(s) <= limit else s[:limit] + f"... ({len(s)} chars)"


def match(exp, act, where, exact, vars):
    """None if `act` matches `exp`, else a message. Captures go into vars."""
    if isinstance(exp, str):
        m = re.fullmatch(r"\$([A-Za-z_]\w*)", exp)
        if m:
            name = m.group(1)
            if name not in vars:
                vars[name] = act
                return None
            exp = vars[name]
            return None if json_equal(exp, act) else \
                f"at {where}: expected ${name} = {short(exp)}, got {short(act)}"
        if exp == "*":
            return None
        if exp in TYPE_TOKENS:
            return None if TYPE_TOKENS[exp](act) else \
                f"at {where}: expected {exp[1:]}, got {short(act)}"
        if exp == "*date":
            return None if parse_date(act) else f"at {where}: expected an ISO date, got {short(act)}"
        if exp == "*future":
            return None if is_future(act) else f"at {where}: expected a future time, got {short(act)}"
        if exp.startswith("re:"):
            ok = isinstance(act, str) and re.search(exp[3:], act)
            return None if ok else f"at {where}: expected /{exp[3:]}/, got {short(act)}"
        if exp.startswith("~") and re.fullmatch(r"~[-+0-9.eE]+", exp):
            want = float(exp[1:])
            ok = isinstance(act, (int, float)) and not isinstance(act, bool) and \
                abs(act - want) <= 1e-3 * max(abs(want), 1e-300)
            return None if ok else f"at {where}: expected approximately {want}, got {short(act)}"
        exp = subst_text(exp, vars)
        return None if act == exp else f"at {where}: expected {short(exp)}, got {short(act)}"
    if isinstance(exp, dict):
        if not isinstance(act, dict):
            return f"at {where}: expected an object, got {short(act)}"
        for k, v in exp.items():
            sub = f"{where}.{k}"
            if v == "*absent":
                if k in act:
                    return f"at {sub}: expected no such key, got {short(act[k])}"
                continue
            if k not in act:
                return f"at {sub}: missing key (have: {', '.join(list(act)[:20])})"
            err = match(v, act[k], sub, exact, vars)
            if err:
                return err
        if exact:
            extra = [k for k in act if k not in exp]
            if extra:
                return f"at {where}: unexpected keys {extra[:10]}"
        return None
    if isinstance(exp, list):
        if not isinstance(act, list):
            return f"at {where}: expected an array, got {short(act)}"
        mode = exp[0] if exp and exp[0] in ("*unordered", "*contains", "*none") else None
        items = exp[1:] if mode else exp
        if mode is None:
            if len(items) != len(act):
                return f"at {where}: expected {len(items)} elements, got {len(act)}: {short(act)}"
            for idx, (e, a) in enumerate(zip(items, act)):
                err = match(e, a, f"{where}[{idx}]", exact, vars)
                if err:
                    return err
            return None
        if mode == "*none":
            for e in items:
                for idx, a in enumerate(act):
                    if match(e, a, f"{where}[{idx}]", exact, dict(vars)) is None:
                        return f"at {where}[{idx}]: expected no element matching {short(e)}, got {short(a)}"
            return None
        if mode == "*unordered" and len(items) != len(act):
            return f"at {where}: expected {len(items)} elements, got {len(act)}: {short(act)}"
        used = set()
        for e in items:
            for idx, a in enumerate(act):
                if idx in used:
                    continue
                trial = dict(vars)
                if match(e, a, f"{where}[{idx}]", exact, trial) is None:
                    vars.update(trial)
                    used.add(idx)
                    break
            else:
                return f"at {where}: no element matches {short(e)}; got {short(act)}"
        return None
    # numbers, booleans, null
    return None if json_equal(exp, act) else f"at {where}: expected {short(exp)}, got {short(act)}"


def json_equal(a, b):
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b))
    return a == b


def resolve(doc, path):
    """Dotted path: a.b.0.c; `.` is the root; "quoted.keys" keep their dots."""
    if path in (".", ""):
        return doc
    cur = doc
    for seg in re.findall(r'"([^"]*)"|([^.]+)', path):
        key = seg[0] or seg[1]
        if isinstance(cur, list) and re.fullmatch(r"-?\d+", key):
            idx = int(key)
            if not -len(cur) <= idx < len(cur):
                raise KeyError(f"{path}: index {idx} out of range (length {len(cur)})")
            cur = cur[idx]
        elif isinstance(cur, dict) and key in cur:
            cur = cur[key]
        else:
            raise KeyError(f"{path}: no `{key}` in {short(cur, 200)}")
    return cur


def b64url(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


# ------------------------------------------------------------------------------------------
# HTTP (own tiny client: raw targets, early responses to oversized bodies, no keep-alive)

def http_request(addr, method, target, headers, body, timeout=60.0):
    host, port = addr
    sock = socket.create_connection((host, port), timeout=timeout)
    try:
        head = [f"{method} {target} HTTP/1.1", f"Host: {host}:{port}"]
        names = {k.lower() for k, _ in headers}
        for k, v in headers:
            head.append(f"{k}: {v}")
        if body is not None and "content-length" not in names:
            head.append(f"Content-Length: {len(body)}")
        head.append("Connection: close")
        data = ("\r\n".join(head) + "\r\n\r\n").encode("utf-8") + (body or b"")
        sent, deadline = 0, time.time() + timeout
        view = memoryview(data)
        while sent < len(data):
            readable, writable, _ = select.select([sock], [sock], [], max(0.0, deadline - time.time()))
            if readable:
                break  # the server answered (e.g. 413) before reading everything
            if not writable:
                raise TimeoutError("timed out sending the request")
            try:
                sent += sock.send(view[sent:sent + 262144])
            except (BrokenPipeError, ConnectionResetError):
                break
        return read_response(sock, method, deadline)
    finally:
        sock.close()


def read_response(sock, method, deadline):
    buf = b""
    closed = False

    def more():
        nonlocal buf, closed
        if closed:
            return False
        sock.settimeout(max(0.1, deadline - time.time()))
        try:
            chunk = sock.recv(262144)
        except (ConnectionResetError, BrokenPipeError):
            chunk = b""
        except socket.timeout:
            raise TimeoutError("timed out waiting for the response")
        if not chunk:
            closed = True
            return False
        buf += chunk
        return True

    while b"\r\n\r\n" not in buf:
        if not more():
            if not buf:
                raise ConnectionError("connection closed without a response")
            raise ConnectionError(f"incomplete response head: {buf[:200]!r}")
    head, _, rest = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    m = re.match(r"HTTP/\d\.\d (\d{3})", lines[0])
    if not m:
        raise ConnectionError(f"bad status line {lines[0]!r}")
    status = int(m.group(1))
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    if 100 <= status < 200:  # skip interim responses
        buf = rest
        return read_response_from(buf, sock, method, deadline)
    body_start = len(head) + 4
    if method == "HEAD" or status in (204, 304):
        return status, headers, b""
    if headers.get("transfer-encoding", "").lower() == "chunked":
        pos, out = body_start, b""
        while True:
            while b"\r\n" not in buf[pos:]:
                if not more():
                    raise ConnectionError("truncated chunked body")
            line_end = buf.index(b"\r\n", pos)
            size = int(buf[pos:line_end].split(b";")[0], 16)
            pos = line_end + 2
            if size == 0:
                return status, headers, out
            while len(buf) < pos + size + 2:
                if not more():
                    raise ConnectionError("truncated chunked body")
            out += buf[pos:pos + size]
            pos += size + 2
    if "content-length" in headers:
        length = int(headers["content-length"])
        while len(buf) - body_start < length:
            if not more():
                raise ConnectionError(
                    f"body truncated: {len(buf) - body_start} of {length} bytes")
        return status, headers, buf[body_start:body_start + length]
    while more():
        pass
    return status, headers, buf[body_start:]


def read_response_from(buf, sock, method, deadline):
    class Prefixed:
        def __init__(self):
            self.pending = buf

        def recv(self, n):
            if self.pending:
                out, self.pending = self.pending, b""
                return out
            return sock.recv(n)

        def settimeout(self, t):
            sock.settimeout(t)
    return read_response(Prefixed(), method, deadline)


# ------------------------------------------------------------------------------------------
# Server process

class Server:
    def __init__(self, binary, env, data_dir, log_path):
        self.binary, self.env, self.data_dir, self.log_path = binary, env, data_dir, log_path
        self.proc, self.addr, self.base = None, None, None

    def start(self, timeout=20.0):
        self.log = open(self.log_path, "ab")
        try:
            self.proc = subprocess.Popen(
                [self.binary, "serve", "--data-dir", self.data_dir, "--listen", "127.0.0.1:0"],
                env=self.env, stdout=subprocess.PIPE, stderr=self.log, stdin=subprocess.DEVNULL)
        except OSError as e:  # e.g. the binary is being relinked right now
            raise Fatal(f"cannot start {self.binary}: {e}")
        found = threading.Event()
        box = {}

        def pump():
            for line in iter(self.proc.stdout.readline, b""):
                self.log.write(b"[stdout] " + line)
                self.log.flush()
                m = LISTEN_RE.search(line.decode("utf-8", "replace"))
                if m and not found.is_set():
                    box["url"] = m.group(1)
                    found.set()
            found.set()
        threading.Thread(target=pump, daemon=True).start()
        if not found.wait(timeout) or "url" not in box:
            rc = self.proc.poll()
            self.kill()
            state = f"exited with code {rc}" if rc is not None else f"printed no listening line in {timeout:.0f} s"
            raise Fatal(f"server {state} during start-up (expected a line "
                        f"`openem: listening on http://127.0.0.1:<port>` on stdout)")
        self.base = box["url"]
        u = urllib.parse.urlsplit(self.base)
        self.addr = (u.hostname, u.port)
        deadline = time.time() + timeout
        last = None
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise Fatal(f"server exited with code {self.proc.returncode} before becoming healthy")
            try:
                status, _, body = http_request(self.addr, "GET", "/api/v3/health", [], None, 5)
                if status == 200:
                    return
                last = f"{status} {body[:200]!r}"
            except (OSError, ConnectionError, TimeoutError) as e:
                last = str(e)
            time.sleep(0.05)
        self.kill()
        raise Fatal(f"GET /api/v3/health did not return 200 within {timeout:.0f} s (last: {last})")

    def stop(self, grace=10.0):
        """SIGTERM; returns an error message or None."""
        if self.proc is None:
            return None
        if self.proc.poll() is not None:
            return f"server had already exited with code {self.proc.returncode}"
        t0 = time.time()
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(grace)
        except subprocess.TimeoutExpired:
            self.kill()
            return f"server did not exit within {grace:.0f} s after SIGTERM"
        if rc != 0:
            return f"server exited with code {rc} after SIGTERM (expected 0, took {time.time() - t0:.1f} s)"
        return None

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def log_tail(self, n=30):
        try:
            with open(self.log_path, "rb") as f:
                lines = f.read().decode("utf-8", "replace").splitlines()
            return "\n".join("    | " + line[:300] for line in lines[-n:])
        except OSError:
            return ""


# ------------------------------------------------------------------------------------------
# Running one file

def postgres_cluster_url():
    """The test cluster's URL (scripts/postgres-test-cluster.sh, via OPENEM_TEST_POSTGRES_URL_FILE)."""
    path = os.environ.get("OPENEM_TEST_POSTGRES_URL_FILE", "")
    try:
        with open(path, encoding="utf-8") as f:
            url = f.read().strip()
    except OSError:
        url = ""
    if not url:
        raise Fatal("--catalog postgres needs a test cluster: run through ctest (fixture `postgres`) or start one with "
                    "scripts/postgres-test-cluster.sh start DIR and set OPENEM_TEST_POSTGRES_URL_FILE=DIR/url")
    return url


def with_database(url, name):
    u = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((u.scheme, u.netloc, "/" + name, u.query, u.fragment))


class PostgresDatabase:
    """A fresh database in the test cluster for one scenario, dropped afterwards."""
    counter = itertools.count()

    def __init__(self):
        self.admin = postgres_cluster_url()
        self.name = f"openem_api_{os.getpid()}_{next(PostgresDatabase.counter)}"
        self.psql(f"CREATE DATABASE {self.name}")
        self.url = with_database(self.admin, self.name)

    def psql(self, sql):
        r = subprocess.run(["psql", self.admin, "-v", "ON_ERROR_STOP=1", "-qc", sql], capture_output=True, text=True)
        if r.returncode != 0:
            raise Fatal(f"psql: {sql}: {r.stderr.strip()}")

    def drop(self):
        try:
            self.psql(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")
        except Fatal:
            pass


class S3Server:
    """An S3 server for one scenario's files (tests/support/s3rver.sh: npm s3rver behind a proxy
    that checks every request's SigV4 signature), stopped afterwards."""
    SCRIPT = os.path.join(HERE, "..", "support", "s3rver.sh")

    def __init__(self, tmp):
        self.dir = os.path.join(tmp, "s3")
        r = subprocess.run(["bash", self.SCRIPT, "start", self.dir, str(os.getpid())], capture_output=True, text=True)
        if r.returncode != 0:
            raise Fatal(f"s3rver.sh start: {r.stderr.strip()[-1500:]}")
        with open(os.path.join(self.dir, "checked_endpoint"), encoding="utf-8") as f:
            endpoint = f.read().strip()
        self.url = "s3://openem-test/scenario?endpoint=" + urllib.parse.quote(endpoint, safe="")
        self.env = {"AWS_ACCESS_KEY_ID": "S3RVER", "AWS_SECRET_ACCESS_KEY": "S3RVER", "AWS_REGION": "us-east-1"}

    def stop(self):
        subprocess.run(["bash", self.SCRIPT, "stop", self.dir], capture_output=True)


class Run:
    def __init__(self, path, display, binary, base_url, verbose, keep, catalog="sqlite", blobs="disk"):
        self.path, self.display, self.binary = path, display, binary
        self.base_url, self.verbose, self.keep = base_url, verbose, keep
        self.catalog, self.blobs = catalog, blobs
        self.failures, self.out, self.requests = [], [], 0
        self.vars, self.tokens, self.user = {}, {}, "anonymous"
        self.location = None  # the last redirect's Location, for `follow`

    def say(self, text):
        self.out.append(text)

    def fail(self, step, text):
        self.failures.append((step.line if step else 0, text))
        if len(self.failures) >= MAX_FAILURES_PER_FILE:
            raise Fatal(f"stopping after {MAX_FAILURES_PER_FILE} failures")

    def accounts(self):
        pw = {"admin": self.env.get("OPENEM_ADMIN_PASSWORD", ADMIN_PASSWORD)}
        try:
            with open(self.env["FUNCTIONAL_ACCOUNTS_FILE"], encoding="utf-8") as f:
                for a in json.load(f):
                    pw[a["username"]] = a["password"]
        except (OSError, KeyError, ValueError):
            pass
        return pw

    def execute(self):
        t0 = time.time()
        try:
            config, steps = parse_file(self.path)
        except (ScenarioError, OSError, ValueError) as e:
            self.failures.append((0, f"cannot parse scenario: {e}"))
            return self.report(t0)
        self.env = {k: os.environ[k] for k in PASSTHROUGH if k in os.environ}
        self.env.update(DEFAULT_ENV)
        # `config S3_PRESIGN=<seconds>`: the files go to a fresh S3 server, whatever --blobs
        # says, and downloads are redirects to presigned URLs valid that long.
        presign = config.pop("S3_PRESIGN", None)
        self.env.update(config)
        tmp = tempfile.mkdtemp(prefix="openem-api-")
        data_dir = os.path.join(tmp, "data")
        os.makedirs(data_dir)
        self.server = Server(self.binary, self.env, data_dir, os.path.join(tmp, "server.log"))
        started = False
        database = s3 = None
        try:
            if self.catalog == "postgres" and not self.base_url:
                database = PostgresDatabase()
                self.env["OPENEM_CATALOG"] = database.url
            if (self.blobs == "s3" or presign) and not self.base_url:
                s3 = S3Server(tmp)
                self.env["OPENEM_BLOBS"] = s3.url + (f"&presign={presign}" if presign else "")
                self.env.update(s3.env)
            if self.base_url:
                u = urllib.parse.urlsplit(self.base_url)
                self.server.addr = (u.hostname, u.port)
            else:
                self.server.start()
                started = True
            for step in steps:
                try:
                    self.step(step)
                except Fatal as e:
                    if not getattr(e, "line", 0):
                        e.line = step.line
                    raise
        except Fatal as e:
            self.failures.append((getattr(e, "line", 0), str(e)))
        except Exception as e:  # a runner bug must not hide the other files' results
            import traceback
            self.failures.append((0, "runner error: " + "".join(
                traceback.format_exception(type(e), e, e.__traceback__))[-1500:]))
        finally:
            if started:
                err = self.server.stop()
                if err:
                    self.failures.append((0, "graceful shutdown: " + err))
            if self.failures and not self.base_url:
                tail = self.server.log_tail()
                if tail:
                    self.say("  server log (tail):\n" + tail)
            if database:
                database.drop()
            if s3:
                s3.stop()
            if self.keep or (self.failures and self.verbose):
                self.say(f"  data dir and server log kept in {tmp}")
            else:
                shutil.rmtree(tmp, ignore_errors=True)
        return self.report(t0)

    def report(self, t0):
        dt = time.time() - t0
        lines = []
        if self.failures:
            lines.append(f"FAIL {self.display} ({len(self.failures)} failure(s), {self.requests} requests, {dt:.1f} s)")
            for line, text in self.failures:
                loc = f"{self.display}:{line}" if line else self.display
                lines.append(f"  {loc}: " + text.replace("\n", "\n    "))
        else:
            lines.append(f"PASS {self.display} ({self.requests} requests, {dt:.1f} s)")
        lines.extend(self.out)
        return not self.failures, "\n".join(lines)

    def step(self, step):
        if self.server.proc is not None and self.server.proc.poll() is not None:
            e = Fatal(f"server died (exit code {self.server.proc.returncode}) before this line")
            e.line = step.line
            raise e
        if step.kind == "as":
            self.login(step)
        elif step.kind == "let":
            self.vars[step.name] = subst_json(step.value, self.vars)
        elif step.kind == "sleep":
            time.sleep(step.seconds)
        elif step.kind == "restart":
            if self.base_url:
                return
            err = self.server.stop()
            if err:
                self.fail(step, "restart: " + err)
            self.server.start()
        elif step.kind == "request":
            self.request(step)

    def login(self, step):
        user = step.user
        self.user = user
        if user == "anonymous" or user in self.tokens:
            return
        pw = self.accounts().get(user)
        if pw is None:
            raise self.fatal_at(step, f"unknown user `{user}` (not in the accounts file)")
        body = json.dumps({"username": user, "password": pw}).encode()
        try:
            status, _, resp = http_request(self.server.addr, "POST", "/api/v3/auth/login",
                                           [("Content-Type", "application/json")], body)
        except (OSError, ConnectionError, TimeoutError) as e:
            raise self.fatal_at(step, f"login as {user}: {e}")
        self.requests += 1
        try:
            doc = json.loads(resp)
            token = doc["access_token"]
        except (ValueError, KeyError, TypeError):
            raise self.fatal_at(step, f"login as {user} failed: POST /api/v3/auth/login -> {status} {resp[:300]!r}")
        self.tokens[user] = token
        self.vars[f"token_{user}"] = token
        if isinstance(doc.get("userId"), str):
            self.vars[f"userId_{user}"] = doc["userId"]

    def fatal_at(self, step, text):
        e = Fatal(text)
        e.line = step.line
        return e

    def request(self, step):
        addr = self.server.addr
        if step.follow:
            # The redirect's target, wherever it is, without the API's token (a client sends its
            # credentials to the host that asked for them, not to the one it is sent on to).
            if not self.location:
                raise self.fatal_at(step, "follow: no redirect with a Location header came before")
            u = urllib.parse.urlsplit(self.location)
            addr = (u.hostname, u.port or 80) if u.hostname else addr
            target = (u.path or "/") + ("?" + u.query if u.query else "")
        else:
            target = build_target(step.target, self.vars, step.raw_target)
        headers = []
        names = {k.lower() for k, _ in step.headers}
        if self.user != "anonymous" and "authorization" not in names and not step.follow:
            headers.append(("Authorization", "Bearer " + self.tokens[self.user]))
        body = None
        if step.body is not None:
            body = json.dumps(subst_json(step.body, self.vars), ensure_ascii=False).encode("utf-8")
        elif step.body_raw is not None:
            body = subst_text(step.body_raw, self.vars).encode("utf-8")
        if body is not None and "content-type" not in names:
            headers.append(("Content-Type", "application/json"))
        for k, v in step.headers:
            if v or k.lower() != "authorization":  # `header Authorization:` drops the token
                headers.append((k, subst_text(v, self.vars)))
        label = f"{step.method} {target if len(target) < 300 else target[:300] + '...'} (as {self.user})"
        t0 = time.time()
        try:
            status, rh, raw = http_request(addr, step.method, target, headers, body)
        except (OSError, ConnectionError, TimeoutError) as e:
            died = self.server.proc is not None and self.server.proc.poll() is not None
            msg = f"{label}\n  request failed: {e}"
            if died:
                raise self.fatal_at(step, msg + f"\n  server died with exit code {self.server.proc.returncode}")
            self.fail(step, msg)
            return
        self.requests += 1
        if 300 <= status < 400:
            self.location = rh.get("location")
        if self.verbose:
            self.say(f"  {self.display}:{step.line} {label} -> {status} ({(time.time() - t0) * 1000:.0f} ms)")
        text = raw.decode("utf-8", "replace")
        try:
            doc = json.loads(text) if text.strip() else None
            parsed = True
        except ValueError:
            doc, parsed = None, False
        errors = []
        exp = step.expect
        if not any(status_ok(s, status) for s in exp.statuses):
            errors.append(f"status: expected {'|'.join(exp.statuses)}, got {status}")
        if exp.body is not None:
            if not parsed:
                errors.append(f"body is not JSON")
            else:
                err = match(exp.body, doc, "body", exp.exact, self.vars)
                if err:
                    errors.append(err)
        for a in step.assertions:
            err = self.check(a, text, doc, parsed, rh)
            if err:
                errors.append(f"line {a.line}: {err}")
        if errors:
            msg = [label] + ["  " + e for e in errors]
            if body is not None:
                msg.append("  request body: " + clip(body.decode("utf-8", "replace"), 400))
            msg.append(f"  response ({status}): " + clip(text, 1500))
            self.fail(step, "\n".join(msg))

    def check(self, a, text, doc, parsed, headers):
        if a.kind == "contains":
            t = subst_text(a.text, self.vars)
            return None if t in text else f"body does not contain {t!r}"
        if a.kind == "not-contains":
            t = subst_text(a.text, self.vars)
            if t in text:
                i = text.index(t)
                return f"body contains {t!r}: ...{text[max(0, i - 120):i + 120]}..."
            return None
        if a.kind == "capture-header":
            v = headers.get(a.header.lower())
            if v is not None and a.regex:
                m = re.search(a.regex, v)
                v = (m.group(1) if m.groups() else m.group(0)) if m else None
            if v is None:
                return f"capture-header: no header {a.header}" + (f" matching {a.regex!r}" if a.regex else "")
            self.vars[a.name] = v
            return None
        if a.kind == "expect-header":
            v = headers.get(a.name.lower())
            if a.text.startswith("re:"):  # `expect-header Retry-After: re:^[0-9]+$`
                ok = v is not None and re.search(a.text[3:], v) is not None
            else:
                ok = v is not None and a.text.lower() in v.lower()
            return None if ok else f"header {a.name}: expected to contain {a.text!r}, got {v!r}"
        if not parsed:
            return f"{a.kind}: body is not JSON"
        node, err = None, None
        for alt in a.path.split("|"):  # `capture id aid|id`: the first path that exists
            try:
                node, err = resolve(doc, alt), None
                break
            except KeyError as e:
                err = f"{a.kind}: path {e}"
        if err:
            return err
        if a.kind == "length":
            if not isinstance(node, (list, dict, str)):
                return f"length {a.path}: not an array: {short(node)}"
            return None if len(node) == a.n else \
                f"length {a.path}: expected {a.n}, got {len(node)}: {short(node)}"
        if a.kind == "capture":
            self.vars[a.name] = node
            return None
        if a.kind in ("match", "match-exact"):
            return match(a.value, node, a.path, a.kind == "match-exact", self.vars)
        if a.kind == "jwt":
            return self.check_jwt(a, node)
        return f"unknown assertion {a.kind}"

    def check_jwt(self, a, token):
        if not isinstance(token, str) or token.count(".") != 2:
            return f"jwt {a.path}: not a JWT: {short(token)}"
        h, p, s = token.split(".")
        try:
            header, payload = json.loads(b64url(h)), json.loads(b64url(p))
        except ValueError as e:
            return f"jwt {a.path}: undecodable: {e}"
        if header.get("alg") != "HS256":
            return f"jwt {a.path}: alg {header.get('alg')!r}, expected HS256"
        secret = self.env.get("JWT_SECRET", "").encode()
        want = hmac.new(secret, f"{h}.{p}".encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(want, b64url(s)):
            return f"jwt {a.path}: signature does not verify with JWT_SECRET"
        return match(a.value, payload, "jwt", False, self.vars)


def status_ok(pattern, status):
    if pattern.endswith("xx"):
        return str(status)[0] == pattern[0]
    return int(pattern) == status


def clip(text, n):
    text = text.replace("\n", " ")
    return text if len(text) <= n else text[:n] + f"... ({len(text)} chars)"


# ------------------------------------------------------------------------------------------

def collect(paths):
    files = []
    for p in paths:
        if os.path.isdir(p):
            for root, _, names in os.walk(p):
                files += [os.path.join(root, n) for n in names if n.endswith(".test")]
        else:
            files.append(p)
    return sorted(files)


def display_name(path):
    scen = os.path.join(HERE, "scenarios") + os.sep
    ap = os.path.abspath(path)
    return ap[len(scen):] if ap.startswith(scen) else path


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("paths", nargs="+", help="scenario files or folders")
    ap.add_argument("--binary", default=os.path.join(HERE, "..", "..", "build", "openem"))
    ap.add_argument("--base-url", help="use an already running server (no fresh state!)")
    ap.add_argument("-j", "--jobs", type=int, default=1, help="files run in parallel")
    ap.add_argument("-v", "--verbose", action="store_true", help="log every request")
    ap.add_argument("--keep", action="store_true", help="keep data dirs and server logs")
    ap.add_argument("--check", action="store_true", help="only parse the files (syntax check)")
    ap.add_argument("--catalog", choices=["sqlite", "postgres"], default="sqlite",
                    help="the server's catalog: SQLite in its data dir, or a fresh database of the PostgreSQL test "
                         "cluster named by OPENEM_TEST_POSTGRES_URL_FILE")
    ap.add_argument("--blobs", choices=["disk", "s3"], default="disk",
                    help="where the server keeps dataset files: its data dir, or a fresh S3 server "
                         "(tests/support/s3rver.sh)")
    args = ap.parse_args()
    if args.check:
        bad = 0
        for f in collect(args.paths):
            try:
                _, steps = parse_file(f)
                print(f"ok   {display_name(f)} ({sum(s.kind == 'request' for s in steps)} requests)")
            except (ScenarioError, OSError) as e:
                bad += 1
                print(f"FAIL {e}")
        return 1 if bad else 0
    binary = os.path.abspath(args.binary)
    if not args.base_url and not os.access(binary, os.X_OK):
        print(f"run.py: no executable server binary at {binary}", file=sys.stderr)
        return 2
    files = collect(args.paths)
    if not files:
        print("run.py: no .test files found", file=sys.stderr)
        return 2
    passed = failed = 0
    lock = threading.Lock()

    def one(f):
        return Run(f, display_name(f), binary, args.base_url, args.verbose, args.keep, args.catalog,
                   args.blobs).execute()

    with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
        for ok, text in pool.map(one, files):
            with lock:
                print(text, flush=True)
                passed += ok
                failed += not ok
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
