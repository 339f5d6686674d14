#!/usr/bin/env python3
"""Publishing through the real server (issue #13): an embargo ends on its own, on a test clock,
and at once every path agrees (API reads, counts, facets, fullquery, file lists, landing page,
sitemap); a date that passed while the server was down is applied at start; owners move the
date within the policy and every change is recorded; landing pages with schema.org JSON-LD,
content negotiation (DataCite XML validated by xmllint against the kernel-4 XSD, JSON-LD,
citations), escaping of hostile titles; sitemap and robots.txt; and no path tells a private
or embargoed dataset from a missing one."""
import datetime
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "uploads"))
import common  # noqa: E402
from common import Checks, Client, Server, enc, http_request, server_env  # noqa: E402

common.PASSWORDS["archiveManager"] = "archiveManager-pw"

XSD = os.path.join(HERE, "..", "..", "..", "shared", "testdata", "datacite", "kernel-4", "metadata.xsd")
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def get(server, target, accept="text/html", token=None):
    h = [("Accept", accept)]
    if token:
        h.append(("Authorization", "Bearer " + token))
    return http_request(server.addr, "GET", target, h, None)


def sitemap_urls(server):
    status, _, body = get(server, "/sitemap.xml", "application/xml")
    urls = []
    for loc in ET.fromstring(body).findall("s:sitemap/s:loc", NS):
        page = urllib.parse.urlsplit(loc.text).path
        _, _, pbody = get(server, page, "application/xml")
        urls += [u.text for u in ET.fromstring(pbody).findall("s:url/s:loc", NS)]
    return urls


def wait_until(cond, seconds=10):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if cond():
            return True
        time.sleep(0.1)
    return False


def new_dataset(client, **extra):
    ds = {"type": "raw", "ownerGroup": "group1", "owner": "Ada Lovelace", "contactEmail": "a@x.org",
          "sourceFolder": "/data/e", "creationTime": "2026-01-10T00:00:00Z", "principalInvestigator": "pi@x.org",
          "creationLocation": "/EM/Krios1", "datasetName": "embargoed apoferritin", "description": "Before the end",
          "keywords": ["apoferritin"], "scientificMetadata": {"acquisition": {"pixel_size": {"value": 0.83, "unit": "Å"}},
                                                              "instrument": {"acceleration_voltage": {"value": 300, "unit": "kV"}}}}
    ds.update(extra)
    return client.json("POST", "/api/v3/Datasets", ds, 201)["pid"]


def main():
    binary = sys.argv[sys.argv.index("--binary") + 1] if "--binary" in sys.argv else "build/openem"
    work = tempfile.mkdtemp(prefix="openem-publish-")
    clock = os.path.join(work, "clock")
    with open(clock, "w") as f:
        f.write("0")

    def move_clock(ms):
        with open(clock, "w") as f:
            f.write(str(ms))

    c = Checks("publish/landing")
    env = server_env(OPENEM_TEST_CLOCK_FILE=clock, OPENEM_EMBARGO_CHECK_SECONDS="1", OPENEM_SITE_NAME="Test EM Facility",
                     OPENEM_PUBLIC_URL="https://data.example.org")
    server = Server(binary, env, os.path.join(work, "data"), os.path.join(work, "server.log"))
    try:
        server.start()
        user1, anon = Client(server, "user1"), Client(server)
        now = datetime.datetime.now(datetime.timezone.utc)
        # --- an embargo that ends a minute from now
        pid = new_dataset(user1, datasetlifecycle={"dateOfPublishing": iso(now + datetime.timedelta(seconds=60))})
        user1.json("POST", "/api/v3/OrigDatablocks", {"datasetId": pid, "size": 5, "dataFileList": [
            {"path": "raw/a.tif", "size": 5, "time": "2026-01-10T00:00:00Z"}]}, 201)
        missing = "PID.prefix.a0b1/00000000-0000-4000-8000-00000000dead"

        def visible():
            return {
                "get": anon.request("GET", f"/api/v3/Datasets/{enc(pid)}")[0],
                "count": json.loads(anon.request("GET", "/api/v3/Datasets/count")[2])["count"],
                "fullquery": len(json.loads(anon.request("GET", "/api/v3/Datasets/fullquery?fields=" + enc(json.dumps({"text": "embargoed"})))[2])),
                "facet": json.loads(anon.request("GET", "/api/v3/Datasets/fullfacet?facets=" + enc('["type"]'))[2])[0]["all"][0]["totalSets"],
                "files": anon.request("GET", f"/api/v3/Datasets/{enc(pid)}/origdatablocks")[0],
                "landing": get(server, f"/datasets/{enc(pid)}")[0],
                "sitemap": f"https://data.example.org/datasets/{enc(pid)}" in sitemap_urls(server),
            }
        c.eq("under embargo, nothing of it is public", visible(),
             {"get": 404, "count": 0, "fullquery": 0, "facet": 0, "files": 404, "landing": 404, "sitemap": False})
        for accept in ("text/html", "application/ld+json", "application/x-bibtex"):
            private = get(server, f"/datasets/{enc(pid)}", accept)
            absent = get(server, f"/datasets/{enc(missing)}", accept)
            c.eq(f"embargoed and missing answer alike ({accept})", (private[0], private[2]), (absent[0], absent[2]))
        move_clock(61_000)
        c.true("the embargo ends by itself within seconds", wait_until(lambda: visible()["get"] == 200), str(visible()))
        c.eq("after the embargo every path agrees", visible(),
             {"get": 200, "count": 1, "fullquery": 1, "facet": 1, "files": 200, "landing": 200, "sitemap": True})
        ds = json.loads(anon.request("GET", f"/api/v3/Datasets/{enc(pid)}")[2])
        c.eq("opened with the default license", (ds["isPublished"], ds.get("license")), (True, "CC-BY-4.0"))
        c.true("the opening is in the history",
               any(h.get("isPublished") == {"previousValue": False, "currentValue": True} and h["updatedBy"] == "openem-embargo"
                   for h in ds.get("history", [])), str(ds.get("history")))

        # --- owners move the date within the policy (3 years after creation), every change recorded
        later = new_dataset(user1)
        lc = json.loads(user1.request("GET", f"/api/v3/Datasets/{enc(later)}/datasetlifecycle")[2])
        hdr = [("Content-Type", "application/json")]
        too_far = iso(now + datetime.timedelta(days=365 * 4))
        status, _, body = user1.request("PATCH", f"/api/v3/Datasets/{enc(later)}/datasetlifecycle", hdr,
                                        json.dumps({"dateOfPublishing": too_far}).encode())
        c.eq("an owner cannot extend the embargo past the policy", status, 403)
        c.true("and is told the limit", "may be at most" in body.decode(), body[:200])
        sooner = iso(now + datetime.timedelta(days=30))
        status, _, _ = user1.request("PATCH", f"/api/v3/Datasets/{enc(later)}/datasetlifecycle", hdr,
                                     json.dumps({"dateOfPublishing": sooner}).encode())
        c.eq("an owner brings it forward", status, 200)
        hist = json.loads(user1.request("GET", f"/api/v3/Datasets/{enc(later)}")[2])["history"]
        c.eq("the change is recorded: who, old -> new", [(h["updatedBy"], h.get("datasetlifecycle.dateOfPublishing")) for h in hist],
             [("user1", {"previousValue": lc["dateOfPublishing"], "currentValue": sooner})])
        manager = Client(server, "archiveManager")  # UPDATE_DATASET_LIFECYCLE_GROUPS
        status, _, _ = manager.request("PATCH", f"/api/v3/Datasets/{enc(later)}/datasetlifecycle", hdr,
                                       json.dumps({"dateOfPublishing": too_far}).encode())
        c.eq("a lifecycle manager may set any date", status, 200)

        # --- a date that passes while the server is down is applied at start
        down = new_dataset(user1, datasetName="opens at start",
                           datasetlifecycle={"dateOfPublishing": iso(now + datetime.timedelta(seconds=120))})
        c.eq("clean stop", server.stop(), None)
        move_clock(130_000)
        server.start()
        anon, user1 = Client(server), Client(server, "user1")
        c.true("opened at start", wait_until(lambda: anon.request("GET", f"/api/v3/Datasets/{enc(down)}")[0] == 200, 5))

        # --- landing page and content negotiation
        status, headers, body = get(server, f"/datasets/{enc(pid)}")
        html = body.decode()
        c.eq("landing page type", headers.get("content-type"), "text/html; charset=utf-8")
        c.true("title, creator, citation, license, parameters, files",
               all(s in html for s in ("<h1>embargoed apoferritin</h1>", "Ada Lovelace", "Test EM Facility",
                                       "https://spdx.org/licenses/CC-BY-4.0.html", "0.83 Å", "300 kV", "raw/a.tif")), html[:400])
        m = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
        ld = json.loads(m.group(1)) if m else {}
        c.eq("schema.org Dataset", {k: ld.get(k) for k in ("@type", "name", "url", "license", "isAccessibleForFree")},
             {"@type": "Dataset", "name": "embargoed apoferritin", "url": f"https://data.example.org/datasets/{enc(pid)}",
              "license": "https://spdx.org/licenses/CC-BY-4.0.html", "isAccessibleForFree": True})
        c.true("JSON-LD has what search engines read",
               all(k in ld for k in ("description", "identifier", "creator", "datePublished", "keywords",
                                     "measurementTechnique", "variableMeasured", "distribution", "includedInDataCatalog")), str(sorted(ld)))
        c.eq("variableMeasured with units", [(v["name"], v["value"], v.get("unitText")) for v in ld.get("variableMeasured", [])],
             [("Acceleration voltage", 300, "kV"), ("Pixel size", 0.83, "Å")])
        for accept, expect in (("application/ld+json", '"@type":"Dataset"'), ("application/x-bibtex", "title = {embargoed apoferritin}"),
                               ("application/x-research-info-systems", "TY  - DATA"), ("text/x-bibliography", "[Data set]. Test EM Facility."),
                               ("application/x-cff+yaml", 'title: "embargoed apoferritin"'),
                               ("application/vnd.datacite.datacite+json", '"resourceTypeGeneral":"Dataset"')):
            status, headers, body = get(server, f"/datasets/{enc(pid)}", accept)
            c.true(f"{accept}: 200 with its type and content",
                   status == 200 and headers.get("content-type", "").startswith(accept) and expect in body.decode(),
                   f"{status} {headers.get('content-type')} {body[:200]!r}")
        status, _, xml = get(server, f"/datasets/{enc(pid)}", "application/vnd.datacite.datacite+xml")
        xml_file = os.path.join(work, "datacite.xml")
        with open(xml_file, "wb") as f:
            f.write(xml)
        r = subprocess.run(["xmllint", "--noout", "--schema", XSD, xml_file], capture_output=True, text=True)
        c.eq("DataCite XML validates against the kernel-4 XSD", (status, r.returncode, r.stderr.strip()[-300:]),
             (200, 0, xml_file + " validates"))
        c.eq("?format= works like Accept", get(server, f"/datasets/{enc(pid)}?format=ris", "*/*")[2], get(server, f"/datasets/{enc(pid)}", "application/x-research-info-systems")[2])
        c.eq("an unknown type is 406", get(server, f"/datasets/{enc(pid)}", "image/png")[0], 406)

        # --- hostile text is escaped
        evil = new_dataset(user1, datasetName='<script>alert("x")</script></script><!--', description="a & b <b>bold</b>",
                           isPublished=True)
        html = get(server, f"/datasets/{enc(evil)}")[2].decode()
        c.true("a title with markup is shown as text", '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;' in html and
               '<script>alert' not in html and "<b>bold</b>" not in html, html[html.find("<h1>"):html.find("<h1>") + 200])
        m = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
        c.eq("JSON-LD survives the title intact", json.loads(m.group(1))["name"] if m else None,
             '<script>alert("x")</script></script><!--')

        # --- sitemap and robots
        urls = sitemap_urls(server)
        c.eq("sitemap lists exactly the public datasets", sorted(urls),
             sorted(f"https://data.example.org/datasets/{enc(p)}" for p in (pid, down, evil)))
        _, _, page = get(server, "/sitemaps/datasets-1.xml", "application/xml")
        lastmods = {u.find("s:loc", NS).text: u.find("s:lastmod", NS).text for u in ET.fromstring(page).findall("s:url", NS)}
        c.eq("lastmod is the dataset's updatedAt", lastmods.get(f"https://data.example.org/datasets/{enc(evil)}"),
             json.loads(anon.request("GET", f"/api/v3/Datasets/{enc(evil)}")[2])["updatedAt"])
        c.eq("a sitemap page that does not exist", get(server, "/sitemaps/datasets-0.xml")[0], 404)
        status, _, body = get(server, "/robots.txt", "text/plain")
        c.eq("robots.txt", (status, body.decode()),
             (200, "User-agent: *\nAllow: /\nDisallow: /api/\nSitemap: https://data.example.org/sitemap.xml\n"))
        c.eq("a private dataset's landing page is the missing one's", get(server, f"/datasets/{enc(later)}")[2],
             get(server, f"/datasets/{enc(missing)}")[2])
    except Exception as e:  # noqa: BLE001
        c.true("no exception", False, f"{type(e).__name__}: {e}\n{server.log_tail() if hasattr(server, 'log_tail') else ''}")
    finally:
        try:
            server.stop()
        except Exception:  # noqa: BLE001
            pass
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
