#!/usr/bin/env python3
"""Sign-in under attack (docs/security.md, "HTTP and sign-in").

* Unknown user names cost the same argon2 work as known ones: the answer time does not tell
  which names exist (medians within a factor of 3; before: 0.8 ms against 35 ms).
* After 10 wrong passwords for an account the 11th sign-in is 429 with Retry-After (seconds
  until the window ends), the right password is refused too until then, and works after.
* After 30 failures from one address (here 12) every sign-in from it is 429.
* A flood of wrong passwords from 24 connections does not slow other requests down: hashing
  runs on a small pool off the I/O threads, and sign-ins beyond its queue are answered 503
  with Retry-After at once (before: other requests waited ~600 ms).

Run with --binary <openem>.
"""
import json
import os
import statistics
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "uploads"))
from common import Checks, Client, Server, http_request, server_env, server_run  # noqa: E402

KNOWN = {"user1": "user1-pw", "user2": "user2-pw", "user3": "user3-pw", "ingestor": "ingestor-pw",
         "archiveManager": "archiveManager-pw", "policyManager": "policyManager-pw"}


def login(server, username, password, path="/api/v3/auth/login"):
    t0 = time.perf_counter()
    status, headers, body = http_request(server.addr, "POST", path, [("Content-Type", "application/json")],
                                         json.dumps({"username": username, "password": password}).encode(), 30)
    return status, headers, body, time.perf_counter() - t0


def timing_and_flood(c, binary, work):
    env = server_env(OPENEM_LOGIN_MAX_FAILURES="0", OPENEM_LOGIN_MAX_FAILURES_PER_ADDRESS="0")
    server = Server(binary, env, os.path.join(work, "data-a"), os.path.join(work, "server-a.log"))
    with server_run(c, server, os.path.join(work, "unused")):
        server.start()
        # Interleaved, so both see the same machine load.
        unknown, known = [], []
        for i in range(12):
            status, _, _, t = login(server, f"nobody-{i}", "wrong-password")
            c.eq("unknown user: 401", status, 401)
            unknown.append(t)
            name = list(KNOWN)[i % len(KNOWN)]
            status, _, _, t = login(server, name, "wrong-password")
            c.eq("known user, wrong password: 401", status, 401)
            known.append(t)
        mu, mk = statistics.median(unknown), statistics.median(known)
        print(f"note: median sign-in time, unknown name {mu * 1000:.1f} ms, known name {mk * 1000:.1f} ms")
        c.true(f"unknown ({mu * 1000:.1f} ms) and known ({mk * 1000:.1f} ms) user names answer alike",
               max(mu, mk) / max(min(mu, mk), 1e-6) < 3.0)

        # The flood: 24 connections of wrong passwords for known accounts, for 4 seconds.
        stop = time.time() + 4.0
        outcomes, lock = {}, threading.Lock()

        def flood(n):
            name = list(KNOWN)[n % len(KNOWN)]
            while time.time() < stop:
                try:
                    status, headers, _, _ = login(server, name, f"guess-{n}")
                except OSError as e:
                    status, headers = type(e).__name__, {}
                with lock:
                    outcomes[status] = outcomes.get(status, 0) + 1
                    if status == 503 and "retry-after" not in headers:
                        outcomes["503 without Retry-After"] = outcomes.get("503 without Retry-After", 0) + 1

        threads = [threading.Thread(target=flood, args=(n,)) for n in range(24)]
        for t in threads:
            t.start()
        time.sleep(0.5)
        latencies = []
        while time.time() < stop - 0.2:
            t0 = time.perf_counter()
            status, _, _ = http_request(server.addr, "GET", "/api/v3/Datasets?filter=%7B%22limit%22%3A1%7D", [], None, 30)
            latencies.append(time.perf_counter() - t0)
            c.eq("reads during the flood", status, 200)
            time.sleep(0.02)
        for t in threads:
            t.join()
        med = statistics.median(latencies)
        print(f"note: during the flood, median read {med * 1000:.1f} ms over {len(latencies)}; sign-ins answered {outcomes}")
        c.true(f"other requests stay fast during the flood (median {med * 1000:.0f} ms over {len(latencies)}, "
               f"sign-ins answered: {outcomes})", med < 0.15)
        c.true(f"the flood's sign-ins are answered 401 or 503, never anything else: {outcomes}",
               set(outcomes) <= {401, 503})
        status, _, _, _ = login(server, "user1", "user1-pw")
        c.eq("the right password works after the flood", status, 201)
        stop_error = server.stop()
        c.true("clean SIGTERM exit", stop_error is None, stop_error or "")


def lockout(c, binary, work):
    env = server_env(OPENEM_LOGIN_WINDOW_SECONDS="5", OPENEM_LOGIN_MAX_FAILURES_PER_ADDRESS="12")
    server = Server(binary, env, os.path.join(work, "data-b"), os.path.join(work, "server-b.log"))
    with server_run(c, server, os.path.join(work, "unused")):
        server.start()
        for i in range(10):
            status, _, _, _ = login(server, "user1", f"wrong-{i}")
            c.eq(f"wrong password {i + 1}: 401", status, 401)
        t_locked = time.time()
        status, headers, body, _ = login(server, "user1", "wrong-11")
        c.eq("the 11th wrong password: 429", status, 429)
        retry = headers.get("retry-after", "")
        c.true("Retry-After: whole seconds until the window ends", retry.isdigit() and 1 <= int(retry) <= 5, retry)
        c.true("no token with a 429", b"access_token" not in body, body)
        status, headers, _, _ = login(server, "user1", "user1-pw")
        c.eq("the right password is refused while locked", status, 429)
        status, _, _, _ = login(server, "user1", "user1-pw", "/api/v3/auth/msad")
        c.eq("... through every sign-in path", status, 429)
        status, _, _, _ = login(server, "user2", "user2-pw")
        c.eq("another account signs in", status, 201)

        # Two more failures from this address reach its limit of 12.
        for name in ("nobody-a", "nobody-b"):
            status, _, _, _ = login(server, name, "x")
            c.eq(f"failure from the address ({name})", status, 401)
        status, headers, _, _ = login(server, "user3", "user3-pw")
        c.eq("the address is locked: even a right password of another account is 429", status, 429)
        c.true("with Retry-After", headers.get("retry-after", "").isdigit(), headers)

        time.sleep(max(0.0, t_locked + int(retry or "5") + 0.6 - time.time()))
        status, _, body, _ = login(server, "user1", "user1-pw")
        c.eq("after Retry-After the right password works", status, 201)
        status, _, _, _ = login(server, "user1", "wrong-again")
        c.eq("a success resets the account's count", status, 401)
        stop_error = server.stop()
        c.true("clean SIGTERM exit", stop_error is None, stop_error or "")


def main():
    binary = sys.argv[sys.argv.index("--binary") + 1] if "--binary" in sys.argv else "build/openem"
    work = tempfile.mkdtemp(prefix="openem-signin-")
    c = Checks("http/signin")
    timing_and_flood(c, binary, work)
    lockout(c, binary, work)
    import shutil
    shutil.rmtree(work, ignore_errors=True)
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
