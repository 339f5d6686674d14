#!/usr/bin/env python3
"""Published data and DOIs through the real server (issue #13), against a DataCite stand-in
(datacite_standin.py) that speaks the REST and MDS protocols on loopback: v3 create, list,
count, get, patch, formpopulate, register (MDS, XML validated by xmllint against the kernel-4
XSD), resync and delete (hidden at DataCite); v4 config, publish, register (REST), amend and
resync; the outbox — an outage is retried later and registered exactly once, a timeout too, a
server killed with a registration pending sends it after restart exactly once, a change made
while DataCite was not configured is sent once it is, a 4xx is a visible lastError and a 424;
invalid DOIs, a huge pidArray and private pids get clear errors and leak nothing; /doi/{doi}
landing pages, where a private record looks missing."""
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "uploads"))
sys.path.insert(0, HERE)
from common import Checks, Client, Server, enc, http_request, server_env  # noqa: E402
from datacite_standin import DataCite  # noqa: E402

XSD = os.path.join(HERE, "..", "..", "..", "shared", "testdata", "datacite", "kernel-4", "metadata.xsd")
V3, V4 = "/api/v3/publisheddata", "/api/v4/publisheddata"
ORCID, ROR = "0000-0002-1825-0097", "https://ror.org/05a28rw58"


def wait_until(cond, seconds=15):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if cond():
            return True
        time.sleep(0.1)
    return False


def call(client, method, target, doc=None):
    body = json.dumps(doc).encode() if doc is not None else None
    headers = [("Content-Type", "application/json")] if doc is not None else []
    status, _, raw = client.request(method, target, headers, body)
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, raw


def new_dataset(client, name, group="group1", **extra):
    ds = {"type": "raw", "ownerGroup": group, "owner": "Ada Lovelace", "contactEmail": "a@x.org", "sourceFolder": "/d",
          "creationTime": "2026-01-10T00:00:00Z", "principalInvestigator": "Ada Lovelace", "creationLocation": "/EM/Krios1",
          "datasetName": name, "description": "Movies of " + name, "keywords": ["apoferritin"], "license": "CC-BY-4.0",
          "size": 1000, "numberOfFiles": 4,
          "scientificMetadata": {"acquisition": {"pixel_size": {"value": 0.83, "unit": "Å"}}}}
    if extra.get("type") == "derived":
        ds.update(investigator="Ada Lovelace", usedSoftware=["relion"])
    ds.update(extra)
    return client.json("POST", "/api/v3/Datasets", ds, 201)["pid"]


def v3_body(pids, **extra):
    body = {"creator": ["Ada Lovelace", "Alan Turing"], "publisher": "Test EM Facility", "publicationYear": 2026,
            "title": "Apoferritin at 1.2 Å", "abstract": "Cryo-EM of apoferritin.", "dataDescription": "Movies and maps",
            "resourceType": "raw", "pidArray": pids, "affiliation": "EM Facility",
            "relatedPublications": ["https://doi.org/10.1000/article.1"]}
    body.update(extra)
    return body


def v4_body(pids, **metadata):
    m = {"creators": [{"name": "Lovelace, Ada", "givenName": "Ada", "familyName": "Lovelace",
                       "nameIdentifiers": [{"nameIdentifier": ORCID, "nameIdentifierScheme": "ORCID"}],
                       "affiliation": [{"name": "EM Facility", "affiliationIdentifier": ROR}]}],
         "contributors": [{"name": "Franklin, Rosalind", "contributorType": "DataCurator"}],
         "publisher": {"name": "Test EM Facility"}, "publicationYear": 2026, "resourceType": "derived",
         "fundingReferences": [{"funderName": "ERC", "funderIdentifier": "https://doi.org/10.13039/501100000781",
                                "awardNumber": "101"}],
         "relatedIdentifiers": [{"relatedIdentifier": "10.1000/paper", "relatedIdentifierType": "DOI",
                                 "relationType": "IsSupplementTo"}]}
    m.update(metadata)
    return {"title": "A derived map", "abstract": "The map.", "datasetPids": pids, "metadata": m}


def xsd_check(c, work, what, xml):
    path = os.path.join(work, "sent.xml")
    with open(path, "w") as f:
        f.write(xml)
    r = subprocess.run(["xmllint", "--noout", "--schema", XSD, path], capture_output=True, text=True)
    c.eq(f"{what} validates against the kernel-4 XSD", (r.returncode, r.stderr.strip()[-400:]), (0, f"{path} validates"))


def main():
    binary = sys.argv[sys.argv.index("--binary") + 1] if "--binary" in sys.argv else "build/openem"
    work = tempfile.mkdtemp(prefix="openem-doi-")
    clock = os.path.join(work, "clock")
    offset = [0]

    def advance(seconds):
        offset[0] += int(seconds * 1000)
        with open(clock, "w") as f:
            f.write(str(offset[0]))
    advance(0)

    c = Checks("publish/doi")
    datacite = DataCite("facility.em", "s3cret")
    datacite_env = {"REGISTER_DOI_URI": datacite.url + "/dois", "REGISTER_METADATA_URI": datacite.url + "/metadata",
                    "DOI_USERNAME": "facility.em", "DOI_PASSWORD": "s3cret"}
    env = server_env(OPENEM_TEST_CLOCK_FILE=clock, DOI_PREFIX="10.5072", PUBLISHER="Test EM Facility",
                     OPENEM_SITE_NAME="old name loses", PUBLIC_URL_PREFIX="https://data.example.org/doi/",
                     OPENEM_DATACITE_POLL_SECONDS="1", OPENEM_DATACITE_TIMEOUT_SECONDS="2",
                     OPENEM_DATACITE_RETRY_SECONDS="60", OPENEM_PUBLISHED_DATA_MAX_PIDS="50", **datacite_env)
    server = Server(binary, env, os.path.join(work, "data"), os.path.join(work, "server.log"))
    try:
        server.start()
        admin, user1, user2, anon = Client(server, "admin"), Client(server, "user1"), Client(server, "user2"), Client(server)

        def record(doi, who=admin, base=V4):
            return call(who, "GET", f"{base}/{enc(doi)}")[1]

        # ---------------------------------------------------------------- v3
        c.eq("a proposal for the logbook", call(admin, "POST", "/api/v3/Proposals",
                                                 {"proposalId": "PROP-DOI", "email": "pi@x.org", "title": "Apoferritin",
                                                  "ownerGroup": "group1"})[0], 201)
        ds1 = new_dataset(user1, "raw movies one")
        ds2 = new_dataset(user1, "derived map", type="derived", inputDatasets=[ds1], proposalId="PROP-DOI")
        secret = new_dataset(user2, "user2 private secret", group="group2")
        status, body = call(anon, "POST", V3, v3_body([ds1]))
        c.eq("anonymous callers cannot create", status, 401)
        status, created = call(user1, "POST", V3, v3_body([ds1, ds1]))
        c.eq("v3 create", status, 201)
        doi = created["doi"]
        c.true("a minted DOI: prefix + UUID", re.fullmatch(r"10\.5072/[0-9a-f-]{36}", doi), doi)
        c.eq("v3 shape", {k: created.get(k) for k in ("_id", "status", "creator", "pidArray", "numberOfFiles", "sizeOfArchive",
                                                      "publisher", "publicationYear", "relatedPublications", "url", "createdBy")},
             {"_id": doi, "status": "pending_registration", "creator": ["Ada Lovelace", "Alan Turing"], "pidArray": [ds1],
              "numberOfFiles": 4, "sizeOfArchive": 1000, "publisher": "Test EM Facility", "publicationYear": 2026,
              "relatedPublications": ["https://doi.org/10.1000/article.1"],
              "url": "https://data.example.org/doi/" + enc(doi), "createdBy": "user1"})

        # bad input: private pids, missing pids, huge pidArray, invalid DOIs, missing fields
        s_private, b_private = call(user1, "POST", V3, v3_body([secret]))
        missing = "PID.prefix.a0b1/00000000-0000-4000-8000-000000000000"
        s_missing, b_missing = call(user1, "POST", V3, v3_body([missing]))
        c.eq("a private pid answers like a missing one",
             (s_private, b_private["message"].replace(secret, "X")), (s_missing, b_missing["message"].replace(missing, "X")))
        c.eq("... with a clear 400", (s_missing, "not found" in b_missing["message"]), (400, True))
        status, body = call(user1, "POST", V3, v3_body([ds1] + [f"pid-{i}" for i in range(60)]))
        c.eq("a huge pidArray is refused with the limit", (status, "at most 50" in str(body.get("message"))), (400, True))
        status, body = call(user1, "POST", V3, v3_body([]))
        c.eq("an empty pidArray is refused", status, 400)
        for bad in ("not-a-doi", "10.5072/with space", "10.9999/other-prefix"):
            status, body = call(user1, "POST", V3, v3_body([ds1], doi=bad))
            c.eq(f"invalid DOI {bad!r} is refused", (status, "doi" in str(body.get("message"))), (400, True))
        status, own = call(user1, "POST", V3, v3_body([ds1], doi="10.5072/chosen-1"))
        c.eq("a valid DOI under the prefix may be chosen", (status, own.get("doi")), (201, "10.5072/chosen-1"))
        c.eq("... once", call(user1, "POST", V3, v3_body([ds1], doi="10.5072/chosen-1"))[0], 409)
        status, body = call(user1, "POST", V3, {"title": "x", "pidArray": [ds1], "colour": "red"})
        c.true("missing and unknown fields are named", status == 400 and any("creator" in m for m in body["message"])
               and any("colour" in m for m in body["message"]), str(body))
        c.eq("nothing of those attempts was stored", call(admin, "GET", V3 + "/count")[1]["count"], 2)

        # reads: private records are their creator's (and admins')
        c.eq("anonymous see no private record", (call(anon, "GET", V3)[1], call(anon, "GET", V3 + "/count")[1]),
             ([], {"count": 0}))
        c.eq("the creator sees its own", call(user1, "GET", V3 + "/count")[1], {"count": 2})
        c.eq("others do not", call(user2, "GET", V3 + "/count")[1], {"count": 0})
        s_priv, b_priv = call(anon, "GET", f"{V3}/{enc(doi)}")
        s_none, b_none = call(anon, "GET", f"{V3}/{enc('10.5072/none')}")
        c.eq("a private record looks missing", (s_priv, b_priv["message"].replace(doi, "X")),
             (s_none, b_none["message"].replace("10.5072/none", "X")))
        c.eq("... to other users too", call(user2, "GET", f"{V3}/{enc(doi)}")[0], 404)
        c.eq("the creator reads it", call(user1, "GET", f"{V3}/{enc(doi)}")[1]["title"], "Apoferritin at 1.2 Å")

        # formpopulate
        status, form = call(user1, "GET", f"{V3}/formpopulate?pid={enc(ds1)}")
        c.eq("formpopulate fills the form from the dataset",
             (status, form.get("title"), form.get("abstract"), form.get("creator"), form.get("resourceType"), form.get("pidArray")),
             (200, "raw movies one", "Movies of raw movies one", ["Ada Lovelace"], "raw", [ds1]))
        c.eq("formpopulate of a private dataset looks like a missing one",
             call(user1, "GET", f"{V3}/formpopulate?pid={enc(secret)}"), call(user1, "GET", f"{V3}/formpopulate?pid={enc(missing)}"))

        # patch
        status, patched = call(user1, "PATCH", f"{V3}/{enc(doi)}", {"title": "Apoferritin, final", "pidArray": [ds1, ds2]})
        c.eq("the creator patches its private record", (status, patched.get("title"), patched.get("numberOfFiles")),
             (200, "Apoferritin, final", 8))
        c.eq("others cannot (it looks missing)", call(user2, "PATCH", f"{V3}/{enc(doi)}", {"title": "x"})[0], 404)
        c.eq("pids stay checked on patch", call(user1, "PATCH", f"{V3}/{enc(doi)}", {"pidArray": [secret]})[0], 400)

        # register through MDS
        status, reg = call(user1, "POST", f"{V3}/{enc(doi)}/register")
        c.eq("v3 register", (status, reg.get("status"), reg.get("registration", {}).get("state"),
                             reg.get("registration", {}).get("protocol")), (201, "registered", "done", "mds"))
        c.eq("MDS got the metadata, then the DOI and its URL",
             [(r["method"], r["path"].split("/")[1]) for r in datacite.accepted(doi)],
             [("PUT", "metadata"), ("PUT", "doi")])
        c.eq("the DOI points at its landing page", datacite.mds_urls.get(doi), "https://data.example.org/doi/" + enc(doi))
        xml = datacite.mds_metadata.get(doi, "")
        for needle in ("<creatorName nameType=\"Personal\">Ada Lovelace</creatorName>", "<publisher>Test EM Facility</publisher>",
                       f"<identifier identifierType=\"DOI\">{doi}</identifier>", "relationType=\"IsSupplementTo\">10.1000/article.1<",
                       "rightsIdentifier=\"CC-BY-4.0\"", "relationType=\"HasPart\"", "Pixel size: 0.83 Å"):
            c.true(f"the XML has {needle}", needle in xml, xml[:3000])
        c.eq("its datasets are public now", [anon.request("GET", f"/api/v3/Datasets/{enc(p)}")[0] for p in (ds1, ds2)], [200, 200])
        status, notes = call(user1, "GET", "/api/v3/logbooks/PROP-DOI/entries?tag=doi")
        c.eq("the registration is an automatic entry in the proposal's logbook (docs/logbook.md)",
             (status, [(n["author"], n["tags"], n["datasetIds"]) for n in notes]),
             (200, [("openem", ["automatic", "publication", "doi"], [ds2])]))
        c.true("the entry names the DOI", notes and f"[{doi}](https://doi.org/{doi})" in notes[0]["text"], notes)
        c.eq("anonymous list the registered record", [r["doi"] for r in call(anon, "GET", V3)[1]], [doi])
        c.eq("v3 filters in v3 names", [call(anon, "GET", V3 + "/count?filter=" + enc(json.dumps({"where": w})))[1]["count"]
                                        for w in ({"status": "registered"}, {"pidArray": ds1}, {"status": "pending_registration"})],
             [1, 1, 0])
        c.eq("registered records are not patched", call(user1, "PATCH", f"{V3}/{enc(doi)}", {"title": "x"})[0], 400)
        c.eq("nor registered twice", call(user1, "POST", f"{V3}/{enc(doi)}/register")[0], 400)
        status, body = call(user1, "POST", f"{V3}/{enc(own['doi'])}/resync", {"abstract": "Resynced."})
        c.eq("resync of a private record updates it", (status, body.get("abstract")), (201, "Resynced."))

        # landing page of the DOI
        status, _, page = http_request(server.addr, "GET", "/doi/" + doi, [("Accept", "text/html")], None)
        page = page.decode()
        c.true("/doi/{doi} is HTML with the record and its datasets",
               status == 200 and "Apoferritin, final" in page and "raw movies one" in page and "derived map" in page
               and "/datasets/" + enc(ds1) in page and "https://doi.org/" + doi in page, page[:500])
        c.eq("and with the DOI's slash encoded", http_request(server.addr, "GET", "/doi/" + enc(doi), [], None)[0], 200)
        status, _, body = http_request(server.addr, "GET", "/doi/" + doi, [("Accept", "application/vnd.datacite.datacite+xml")], None)
        xsd_check(c, work, "the landing page's DataCite XML", body.decode())
        status, _, body = http_request(server.addr, "GET", f"/doi/{doi}?format=bibtex", [], None)
        c.true("citations by content negotiation", status == 200 and doi in body.decode(), body[:300])
        for accept in ("text/html", "application/ld+json"):
            a = http_request(server.addr, "GET", "/doi/" + own["doi"], [("Accept", accept)], None)
            b = http_request(server.addr, "GET", "/doi/10.5072/none", [("Accept", accept)], None)
            c.eq(f"a private DOI's page is the missing one's ({accept})", (a[0], a[2]), (b[0], b[2]))

        # ---------------------------------------------------------------- v4
        status, config = call(anon, "GET", V4 + "/config")
        c.true("v4 config has the metadata schema", status == 200 and "creators" in json.dumps(config.get("metadataSchema")))
        # a new version of the public ds2 (docs/lineage.md): DataCite learns which one it is newer than
        ds3 = new_dataset(user1, "map three", type="derived", inputDatasets=[ds1], previousVersion=ds2, proposalId="PROP-DOI")
        status, v4 = call(user1, "POST", V4, v4_body([ds3]))
        doi4 = v4["doi"]
        c.eq("v4 create", (status, v4.get("status"), v4.get("datasetPids")), (201, "private", [ds3]))
        status, empty = call(user1, "POST", V4, {"title": "t", "abstract": "a", "datasetPids": [ds3]})
        status, body = call(user1, "POST", f"{V4}/{enc(empty['doi'])}/publish")
        c.true("publish checks the metadata schema", status == 400 and "creators" in json.dumps(body), str(body))
        status, pub = call(user1, "POST", f"{V4}/{enc(doi4)}/publish")
        c.eq("v4 publish", (status, pub.get("status")), (201, "public"))
        c.eq("publishing made its dataset public", anon.request("GET", f"/api/v3/Datasets/{enc(ds3)}")[0], 200)
        status, notes = call(user1, "GET", "/api/v3/logbooks/PROP-DOI/entries?tag=publication")
        c.eq("publishing is an automatic entry in the proposal's logbook",
             (status, [(n["tags"], n["datasetIds"], "**Published** in" in n["text"]) for n in notes if "doi" not in n["tags"]]),
             (200, [(["automatic", "publication"], [ds3], True)]))
        c.eq("public records are readable by everyone", call(anon, "GET", f"{V4}/{enc(doi4)}")[0], 200)
        c.eq("... but not registered by their creator any more", call(user1, "POST", f"{V4}/{enc(doi4)}/register")[0], 400)
        status, reg = call(admin, "POST", f"{V4}/{enc(doi4)}/register")
        c.eq("an admin registers it through the REST API", (status, reg.get("status"), reg["registration"]["state"],
                                                           reg["registration"]["protocol"]), (201, "registered", "done", "rest"))
        attrs = datacite.rest.get(doi4, {})
        c.eq("REST attributes: event, DOI, URL, ORCID, ROR, funding, relations", (
            attrs.get("event"), attrs.get("doi"), attrs.get("url"),
            attrs["creators"][0]["nameIdentifiers"][0]["nameIdentifier"],
            attrs["creators"][0]["affiliation"][0]["affiliationIdentifierScheme"],
            attrs["fundingReferences"][0]["funderIdentifierType"],
            sorted((r["relationType"], r["relatedIdentifier"]) for r in attrs["relatedIdentifiers"]),
            attrs["types"]["resourceTypeGeneral"]),
            ("publish", doi4, "https://data.example.org/doi/" + enc(doi4), "https://orcid.org/" + ORCID, "ROR",
             "Crossref Funder ID",
             sorted([("IsSupplementTo", "10.1000/paper"), ("HasPart", "https://data.example.org/datasets/" + enc(ds3)),
                     ("IsDerivedFrom", "https://data.example.org/datasets/" + enc(ds1)),
                     ("IsNewVersionOf", "https://data.example.org/datasets/" + enc(ds2))]), "Dataset"))
        c.eq("one PUT for the registration",
             len(datacite.accepted(doi4, "PUT")), 1)
        c.eq("only admins amend", call(user1, "POST", f"{V4}/{enc(doi4)}/amend")[0], 403)
        status, amended = call(admin, "POST", f"{V4}/{enc(doi4)}/amend")
        c.eq("amend", (status, amended.get("status")), (201, "amended"))
        status, body = call(admin, "POST", f"{V4}/{enc(doi4)}/resync", {"title": "A derived map, corrected",
                                                                         "metadata": {"version": "2"}})
        c.eq("resync of the amended record sends it again and registers it", (status, body.get("status"),
             body["registration"]["state"], body["registration"]["change"], body["metadata"]["publisher"]["name"]),
             (201, "registered", "done", "update", "Test EM Facility"))
        c.eq("DataCite has the amended state", (datacite.rest[doi4]["titles"][0]["title"], datacite.rest[doi4].get("version")),
             ("A derived map, corrected", "2"))
        c.eq("one PUT per change", len(datacite.accepted(doi4, "PUT")), 2)

        # ---------------------------------------------------------------- the outbox
        def fresh(api=V4, who=admin, **extra):
            pid = new_dataset(user1, "outbox " + str(time.time()))
            body = v4_body([pid]) if api == V4 else v3_body([pid])
            body.update(extra)
            return call(who, "POST", api, body)[1]["doi"]

        def reg_state(d):
            return (record(d) or {}).get("registration", {})

        # an outage: 500s, then DataCite is back
        datacite.mode = "fail500"
        d_out = fresh()
        status, body = call(admin, "POST", f"{V4}/{enc(d_out)}/register")
        c.eq("during an outage register still answers, the change waits",
             (status, body.get("status"), body["registration"]["state"], body["registration"]["attempts"],
              "500" in str(body["registration"]["lastError"])), (201, "registered", "pending", 1, True))
        advance(61)
        c.true("it is retried after its backoff", wait_until(lambda: reg_state(d_out).get("attempts") == 2), str(reg_state(d_out)))
        datacite.mode = "ok"
        time.sleep(1.5)
        c.eq("not before the next backoff (120 s)", (reg_state(d_out).get("state"), len(datacite.accepted(d_out))), ("pending", 0))
        advance(121)
        c.true("then sent", wait_until(lambda: reg_state(d_out).get("state") == "done"), str(reg_state(d_out)))
        advance(10000)
        time.sleep(1.5)
        c.eq("... exactly once", len(datacite.accepted(d_out)), 1)

        # a timeout
        datacite.mode = "hang"
        d_slow = fresh()
        t0 = time.time()
        status, body = call(admin, "POST", f"{V4}/{enc(d_slow)}/register")
        c.true("a DataCite that hangs costs the request the timeout, no more", time.time() - t0 < 3.9, str(time.time() - t0))
        c.eq("a timeout is retried later", (status, body["registration"]["state"]), (201, "pending"))
        datacite.mode = "ok"
        advance(61)
        c.true("and sent", wait_until(lambda: reg_state(d_slow).get("state") == "done"), str(reg_state(d_slow)))
        c.eq("... once", len(datacite.accepted(d_slow)), 1)

        # a refusal: 422 → 424 and a visible lastError; register again once fixed
        datacite.mode = "fail422"
        d_bad = fresh()
        status, body = call(admin, "POST", f"{V4}/{enc(d_bad)}/register")
        c.true("a 4xx from DataCite is a 424", status == 424 and "422" in body.get("message", ""), str(body))
        reg = reg_state(d_bad)
        c.eq("and visible on the record", (record(d_bad)["status"], reg.get("state"), "Creators can't be blank" in str(reg.get("lastError"))),
             ("registered", "failed", True))
        advance(100000)
        time.sleep(1.5)
        c.eq("a failed change is not retried by itself", reg_state(d_bad).get("attempts"), 1)
        datacite.mode = "ok"
        status, body = call(admin, "POST", f"{V4}/{enc(d_bad)}/register")
        c.eq("registering again sends it", (status, body["registration"]["state"], len(datacite.accepted(d_bad))), (201, "done", 1))

        # killed with a registration pending: sent after restart, once
        datacite.mode = "fail500"
        d_kill = fresh(api=V3, who=user1)
        status, body = call(user1, "POST", f"{V3}/{enc(d_kill)}/register")
        c.eq("v3 register during an outage", (status, body["registration"]["state"], body["registration"]["protocol"]),
             (201, "pending", "mds"))
        server.kill()
        datacite.mode = "ok"
        server.start()
        admin, user1, anon = Client(server, "admin"), Client(server, "user1"), Client(server)
        advance(61)
        c.true("after a crash the pending change is sent", wait_until(lambda: reg_state(d_kill).get("state") == "done"),
               str(reg_state(d_kill)))
        advance(100000)
        time.sleep(1.5)
        c.eq("... exactly once (metadata, then DOI)", [r["path"].split("/")[1] for r in datacite.accepted(d_kill)],
             ["metadata", "doi"])

        # without DataCite configured: registered locally, queued, sent once it is configured
        c.eq("clean stop", server.stop(), None)
        for k in datacite_env:
            server.env.pop(k)
        server.start()
        admin, user1, anon = Client(server, "admin"), Client(server, "user1"), Client(server)
        d_later = fresh()
        status, body = call(admin, "POST", f"{V4}/{enc(d_later)}/register")
        c.eq("without DataCite a record still registers locally and its change waits",
             (status, body.get("status"), body["registration"]["state"], "waitingFor" in body["registration"]),
             (201, "registered", "pending", True))
        c.eq("its landing page exists already", http_request(server.addr, "GET", "/doi/" + d_later, [], None)[0], 200)
        c.eq("clean stop", server.stop(), None)
        server.env.update(datacite_env)
        server.start()
        admin, anon = Client(server, "admin"), Client(server)
        c.true("configured, the waiting change is sent", wait_until(lambda: reg_state(d_later).get("state") == "done"),
               str(reg_state(d_later)))
        c.eq("... once", len(datacite.accepted(d_later)), 1)

        # v3 delete of a registered record (DELETE_GROUPS): hidden at DataCite, its page gone
        c.eq("only DELETE_GROUPS delete through v3", call(Client(server, "user1"), "DELETE", f"{V3}/{enc(doi)}")[0], 403)
        c.eq("v3 delete", call(admin, "DELETE", f"{V3}/{enc(doi)}")[0], 200)
        c.true("the DOI is hidden at DataCite (MDS inactivation)",
               wait_until(lambda: len(datacite.accepted(doi, "DELETE")) == 1), str(datacite.requests[-3:]))
        c.eq("its landing page is gone", http_request(server.addr, "GET", "/doi/" + doi, [], None)[0], 404)

        # every document DataCite received
        auth_failures = [r for r in datacite.requests if r["status"] == 401]
        c.eq("every request carried the credentials", auth_failures, [])
        xmls = [r["body"] for r in datacite.requests if r["method"] == "PUT" and r["path"].startswith("/metadata/")]
        c.true("XML was sent", len(xmls) >= 3, str(len(xmls)))
        for i, x in enumerate(xmls):
            xsd_check(c, work, f"MDS document {i}", x)
        for r in datacite.requests:
            if r["method"] == "PUT" and r["path"].startswith("/dois/"):
                c.eq("a JSON:API document of type dois", json.loads(r["body"])["data"]["type"], "dois")
        log = open(os.path.join(work, "server.log"), "rb").read().decode("utf-8", "replace")
        c.true("the password never reaches the log", "s3cret" not in log)
        c.eq("clean stop", server.stop(), None)
    except Exception as e:  # noqa: BLE001 — reported with the server log
        c.failures.append(f"{type(e).__name__}: {e}\n{server.log_tail()}")
        server.kill()
    finally:
        datacite.close()
    rc = c.finish()
    if rc == 0:
        import shutil
        shutil.rmtree(work, ignore_errors=True)
    else:
        print("work directory kept:", work)
    return rc


if __name__ == "__main__":
    sys.exit(main())
