#!/usr/bin/env python3
"""Measurements of bench/publish/run.sh against a loaded `openem serve` (see run.sh for what and
why). Sequential requests on one keep-alive connection; latencies in ms. Writes the JSON given
by --out and prints the table."""
import argparse
import calendar
import http.client
import json
import random
import re
import statistics
import sys
import time
import urllib.parse


def connect(url):
    u = urllib.parse.urlsplit(url)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=600)


class Client:
    def __init__(self, url, token=None):
        self.url, self.token, self.conn = url, token, connect(url)

    def request(self, method, target, body=None, accept="application/json"):
        headers = {"Accept": accept}
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        if body is not None:
            body = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        for attempt in (0, 1):
            try:
                self.conn.request(method, target, body=body, headers=headers)
                r = self.conn.getresponse()
                return r.status, r.read()
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = connect(self.url)
                if attempt:
                    raise

    def get(self, target, accept="application/json"):
        return self.request("GET", target, accept=accept)


def q(obj):
    return urllib.parse.quote(json.dumps(obj, separators=(",", ":")), safe="")


def percentiles(lat):
    lat = sorted(lat)
    pick = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))]
    return {"n": len(lat), "p50_ms": round(pick(0.5), 3), "p95_ms": round(pick(0.95), 3),
            "p99_ms": round(pick(0.99), 3), "mean_ms": round(statistics.fmean(lat), 3)}


def series(client, targets, accept, expect=200):
    lat = []
    client.get(targets[0], accept)  # warm-up
    for t in targets:
        t0 = time.perf_counter()
        status, body = client.get(t, accept)
        lat.append((time.perf_counter() - t0) * 1000)
        if status != expect:
            raise SystemExit(f"GET {t} ({accept}): {status} {body[:300]!r}")
    return percentiles(lat)


def public_pids(anon, count):
    """Random public datasets, found the way a search engine would: the sitemap index, then
    random sitemap pages (a deep `skip` on the list API would measure the list, not the pages)."""
    status, body = anon.get("/api/v3/datasets/count?filter=" + q({"where": {"isPublished": True}}))
    total = json.loads(body)["count"]
    status, index = anon.get("/sitemap.xml", accept="application/xml")
    if status != 200:
        raise SystemExit(f"GET /sitemap.xml: {status} {index[:300]!r}")
    pages = [urllib.parse.urlsplit(u).path for u in re.findall(r"<loc>([^<]+)</loc>", index.decode())]
    pids = []
    while len(pids) < count and pages:
        status, page = anon.get(random.choice(pages), accept="application/xml")
        if status != 200:
            raise SystemExit(f"sitemap page: {status} {page[:300]!r}")
        urls = re.findall(r"<loc>[^<]*/datasets/([^<]+)</loc>", page.decode())
        pids += [urllib.parse.unquote(u) for u in random.sample(urls, min(len(urls), 100))]
    return total, pids[:count]


def landing(anon, pids):
    targets = ["/datasets/" + urllib.parse.quote(p, safe="") for p in pids]
    return {"html": series(anon, targets, "text/html"),
            "jsonld": series(anon, targets, "application/ld+json"),
            "ping": series(anon, ["/ping"] * len(pids), "*/*")}


def sitemap(anon, writer, runs):
    status, index = anon.get("/sitemap.xml", "application/xml")
    pages = re.findall(rb"<loc>[^<]*?(/sitemaps/[^<]+)</loc>", index)
    pages = [p.decode() for p in pages]
    out = {"pages": len(pages), "index_warm": series(anon, ["/sitemap.xml"] * runs, "application/xml")}
    targets = [random.choice(pages) for _ in range(runs)]
    out["page_warm"] = series(anon, targets, "application/xml")
    status, body = anon.get(pages[0], "application/xml")
    out["page_urls"] = body.count(b"<url>")
    out["page_bytes"] = len(body)
    # Cold: a write before each request (outside the timing) invalidates the cached pages.
    cold = []
    for i in range(min(runs, 20)):
        writer.request("POST", "/api/v3/datasets", body=cold_dataset(i))
        t0 = time.perf_counter()
        status, _ = anon.get(random.choice(pages), "application/xml")
        cold.append((time.perf_counter() - t0) * 1000)
        assert status == 200, status
    out["page_cold"] = percentiles(cold)
    return out


def cold_dataset(i):
    return {"type": "raw", "ownerGroup": "bench-cold", "owner": "o", "contactEmail": "o@example.org",
            "sourceFolder": f"/cold/{i}", "creationTime": "2018-06-01T00:00:00Z", "principalInvestigator": "pi",
            "creationLocation": "cold"}


def oai(anon):
    status, body = anon.get("/oai?verb=Identify", "text/xml")
    if status != 200 or b"<Identify>" not in body:
        return {"available": False}
    records, pages = 0, 0
    seen_tokens, identifiers = set(), set()
    target = "/oai?verb=ListRecords&metadataPrefix=oai_dc"
    t0 = time.perf_counter()
    page_lat = []
    while True:
        p0 = time.perf_counter()
        status, body = anon.get(target, "text/xml")
        page_lat.append((time.perf_counter() - p0) * 1000)
        if status != 200:
            raise SystemExit(f"OAI {target}: {status} {body[:300]!r}")
        records += body.count(b"<record>")
        identifiers.update(re.findall(rb"<header><identifier>([^<]+)</identifier>", body))
        pages += 1
        m = re.search(rb"<resumptionToken[^>]*>([^<]+)</resumptionToken>", body)
        if not m:
            break
        token = m.group(1).decode()
        if token in seen_tokens:
            raise SystemExit("OAI resumption token repeated")
        seen_tokens.add(token)
        target = "/oai?verb=ListRecords&resumptionToken=" + urllib.parse.quote(token, safe="")
    seconds = time.perf_counter() - t0
    if len(identifiers) != records:  # a keyset harvest returns each record once
        raise SystemExit(f"OAI harvest: {records} records but {len(identifiers)} distinct identifiers")
    return {"available": True, "records": records, "pages": pages, "seconds": round(seconds, 2),
            "records_per_s": round(records / seconds), "page": percentiles(page_lat)}


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(t))


def embargo_sweep(url, ingestor, admin, clock_file, server_log, count):
    """`count` datasets whose embargo ends within one minute of the test clock; the clock jumps
    past it; how long until the API shows all of them public, and the sweep's own time."""
    offset_ms = int(open(clock_file).read())
    fake_now = time.time() + offset_ms / 1000
    minute = (int(fake_now) // 60 + 3) * 60  # a whole minute, three to four minutes ahead
    tag = f"sweep-{int(time.time())}"
    t0 = time.perf_counter()
    for i in range(count):
        body = {"type": "raw", "ownerGroup": "sweep-group", "owner": "o", "contactEmail": "o@example.org",
                "sourceFolder": f"/{tag}/{i}", "creationTime": "2018-12-01T00:00:00Z", "principalInvestigator": "pi",
                "creationLocation": tag, "datasetlifecycle": {"dateOfPublishing": iso(minute + (i * 59) // count)}}
        status, resp = ingestor.request("POST", "/api/v3/datasets", body=body)
        if status != 201:
            raise SystemExit(f"sweep dataset: {status} {resp[:300]!r}")
    create_s = time.perf_counter() - t0
    where = q({"where": {"creationLocation": tag, "isPublished": True}})
    status, body = admin.get("/api/v3/datasets/count?filter=" + where)
    assert json.loads(body)["count"] == 0, body
    log_mark = len(open(server_log, "rb").read())
    # Jump the clock to one second past the minute.
    with open(clock_file + ".tmp", "w") as f:
        f.write(str(offset_ms + int((minute + 61 - fake_now) * 1000) + 1000))
    import os
    os.replace(clock_file + ".tmp", clock_file)
    t0 = time.perf_counter()
    while True:
        status, body = admin.get("/api/v3/datasets/count?filter=" + where)
        if json.loads(body)["count"] >= count:
            break
        if time.perf_counter() - t0 > 600:
            raise SystemExit("embargo sweep: not all datasets public after 600 s")
        time.sleep(0.05)
    visible_s = time.perf_counter() - t0
    # The sweep logs its time after its last batch is committed, so just after the API shows it.
    sweep = []
    for _ in range(200):
        sweep = [(int(n), int(ms)) for n, ms in
                 re.findall(rb"event=embargo_ended datasets=(\d+) ms=(\d+)", open(server_log, "rb").read()[log_mark:])]
        if sum(n for n, _ in sweep) >= count:
            break
        time.sleep(0.05)
    return {"datasets": count, "create_seconds": round(create_s, 2), "all_public_after_s": round(visible_s, 3),
            "sweep_runs": [{"datasets": n, "ms": ms} for n, ms in sweep],
            "sweep_ms": sum(ms for _, ms in sweep), "check_interval_s": 1}


def login(url, user, password):
    c = Client(url)
    status, body = c.request("POST", "/api/v3/auth/login", body={"username": user, "password": password})
    return json.loads(body)["id"]


def main():
    ap = argparse.ArgumentParser()
    for k in ("url", "ingestor-password", "admin-token", "clock", "server-log", "git-rev", "load", "baseline", "out"):
        ap.add_argument("--" + k, required=True)
    ap.add_argument("--n", type=int, required=True)
    ap.add_argument("--runs", type=int, default=500)
    ap.add_argument("--sweep", type=int, default=10000)
    ap.add_argument("--published-percent", type=int, default=50)
    a = ap.parse_args()
    random.seed(42)
    anon = Client(a.url)
    admin = Client(a.url, a.admin_token)
    ingestor = Client(a.url, login(a.url, "ingestor", a.ingestor_password))
    public, pids = public_pids(anon, a.runs)
    print(f"publish bench: {public} public datasets; landing pages", file=sys.stderr)
    result = {"n": a.n, "public": public, "published_percent": a.published_percent, "git_rev": a.git_rev,
              "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
              "load": json.loads(a.load), "baseline": json.loads(a.baseline)}
    result["landing"] = landing(anon, pids)
    print("publish bench: sitemap", file=sys.stderr)
    result["sitemap"] = sitemap(anon, admin, min(a.runs, 200))
    print("publish bench: OAI-PMH harvest", file=sys.stderr)
    result["oai"] = oai(anon)
    print("publish bench: embargo sweep", file=sys.stderr)
    result["embargo"] = embargo_sweep(a.url, ingestor, admin, a.clock, a.server_log, a.sweep)
    with open(a.out, "w") as f:
        json.dump(result, f, indent=1)
    table(result)


def table(r):
    b = r["baseline"]
    pk_us = 1e6 / b["pk_lookup_parse_serialize_per_s"] * b.get("lookup_threads", 2)
    rows = [
        ("landing page HTML p50 / p95", f'{r["landing"]["html"]["p50_ms"]} / {r["landing"]["html"]["p95_ms"]} ms', "≤ 5 ms p50"),
        ("landing page JSON-LD p50", f'{r["landing"]["jsonld"]["p50_ms"]} ms', ""),
        ("/ping p50 (HTTP floor)", f'{r["landing"]["ping"]["p50_ms"]} ms', ""),
        ("raw SQLite pk lookup + parse/serialise", f"{pk_us / 1000:.3f} ms", "baseline"),
        ("sitemap index p50 (warm)", f'{r["sitemap"]["index_warm"]["p50_ms"]} ms', ""),
        (f'sitemap page p50 warm ({r["sitemap"]["page_urls"]} URLs)', f'{r["sitemap"]["page_warm"]["p50_ms"]} ms', ""),
        ("sitemap page p50 cold (after a write)", f'{r["sitemap"]["page_cold"]["p50_ms"]} ms', ""),
    ]
    if r["oai"]["available"]:
        rows.append(("OAI-PMH ListRecords full harvest", f'{r["oai"]["records_per_s"]} records/s ({r["oai"]["records"]} records)', "≥ 5,000/s"))
        rows.append(("raw SQLite pk lookup + parse/serialise", f'{b["pk_lookup_parse_serialize_per_s"]:.0f} docs/s', "baseline"))
    else:
        rows.append(("OAI-PMH ListRecords full harvest", "no /oai on this build", "≥ 5,000/s"))
    e = r["embargo"]
    rows.append((f'embargo sweep, {e["datasets"]} in one minute', f'{e["sweep_ms"] / 1000:.2f} s sweep, all public after {e["all_public_after_s"]} s', "≤ 10 s"))
    print(f'\nbench/publish — N={r["n"]} ({r["public"]} public), git {r["git_rev"]}\n')
    w = max(len(x[0]) for x in rows)
    for name, val, target in rows:
        print(f"  {name:<{w}}  {val:<45} {target}")


if __name__ == "__main__":
    main()
