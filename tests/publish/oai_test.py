#!/usr/bin/env python3
"""OAI-PMH 2.0 at /oai through the real server (issue #13). Every response is kept and
validated at the end with xmllint against OAI-PMH.xsd together with the metadata schemas
(oai_dc, DataCite's oai-1.1 wrapper, DataCite kernel-4; the envelope's strict wildcards check the
metadata inside it), and one record of each format is validated on its own as well. Covers all
six verbs by GET and by form POST, every error code, sets, from/until at both granularities,
a harvest of N public datasets (default 5,000; --records) following resumption tokens while
datasets are added, which returns each record exactly once, an embargo ending on the test
clock, deleted records (deleted and unpublished datasets, durable across a restart, saying
nothing but the identifier), expired and tampered tokens, published-data records harvested
beside the datasets with their DOI (drafts never), and that nothing of a private dataset or
draft record — pid, name, group, instrument, technique, DOI, title — reaches any response."""
import concurrent.futures
import datetime
import http.client
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
from common import Checks, Client, Server, enc, server_env  # noqa: E402

TESTDATA = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "testdata"))
NS = {"o": "http://www.openarchives.org/OAI/2.0/", "dc": "http://purl.org/dc/elements/1.1/",
      "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/", "odc": "http://schema.datacite.org/oai/oai-1.1/",
      "k4": "http://datacite.org/schema/kernel-4"}
REPO = "data.example.org"
PAGE = 100


def schemas(work):
    """Wrapper schemas: simpledc imports xml.xsd from the network, so the xml namespace comes
    first from the local copy that DataCite's schema ships."""
    def write(name, imports):
        path = os.path.join(work, name)
        with open(path, "w") as f:
            f.write('<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">\n')
            for ns, loc in [("http://www.w3.org/XML/1998/namespace", "datacite/kernel-4/include/xml.xsd")] + imports:
                f.write(f'<xs:import namespace="{ns}" schemaLocation="{os.path.join(TESTDATA, loc)}"/>\n')
            f.write("</xs:schema>\n")
        return path
    everything = write("oai-all.xsd", [
        ("http://www.openarchives.org/OAI/2.0/", "oai-pmh/OAI-PMH.xsd"),
        ("http://www.openarchives.org/OAI/2.0/oai_dc/", "oai-pmh/oai_dc.xsd"),
        ("http://www.openarchives.org/OAI/2.0/oai-identifier", "oai-pmh/oai-identifier.xsd"),
        ("http://schema.datacite.org/oai/oai-1.1/", "datacite/oai/oai-1.1/oai.xsd"),
        ("http://datacite.org/schema/kernel-4", "datacite/kernel-4/metadata.xsd")])
    dc = write("oai_dc-only.xsd", [("http://www.openarchives.org/OAI/2.0/oai_dc/", "oai-pmh/oai_dc.xsd")])
    return everything, dc


def xmllint(schema, files):
    r = subprocess.run(["xmllint", "--noout", "--nonet", "--schema", schema] + files, capture_output=True, text=True)
    bad = [line for line in r.stderr.splitlines() if "validates" not in line and "Skipping import" not in line
           and "import: Schemas parser warning" not in line]
    return r.returncode, bad


class Harvester:
    """A keep-alive HTTP client for /oai that keeps every response for validation."""

    def __init__(self, server, work):
        self.server, self.work, self.files, self.bodies, self.conn = server, work, [], [], None

    def _send(self, method, target, body=None, headers=None):
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(*self.server.addr, timeout=120)
            try:
                self.conn.request(method, target, body=body, headers=headers or {})
                r = self.conn.getresponse()
                return r.status, dict((k.lower(), v) for k, v in r.getheaders()), r.read()
            except (ConnectionError, http.client.HTTPException):
                self.conn = None
                if attempt:
                    raise

    def keep(self, body):
        path = os.path.join(self.work, f"response-{len(self.files):05d}.xml")
        with open(path, "wb") as f:
            f.write(body)
        self.files.append(path)
        self.bodies.append(body)

    def get(self, query):
        status, headers, body = self._send("GET", "/oai?" + query)
        assert status == 200 and headers.get("content-type") == "text/xml; charset=utf-8", (status, headers, body[:300])
        self.keep(body)
        return ET.fromstring(body), body

    def post(self, form):
        status, headers, body = self._send("POST", "/oai", form.encode(),
                                           {"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 200, (status, body[:300])
        self.keep(body)
        return ET.fromstring(body), body

    def close(self):
        if self.conn:
            self.conn.close()
            self.conn = None


def error_code(doc):
    e = doc.find("o:error", NS)
    return e.get("code") if e is not None else None


def headers_of(doc):
    """(identifier, datestamp, deleted, setSpecs) of each header in a list or GetRecord."""
    return [(h.findtext("o:identifier", namespaces=NS), h.findtext("o:datestamp", namespaces=NS),
             h.get("status") == "deleted", [s.text for s in h.findall("o:setSpec", NS)])
            for h in doc.iter("{%s}header" % NS["o"])]


def token_of(doc):
    t = doc.find(".//o:resumptionToken", NS)
    return t


def harvest(h, verb, query, between_pages=None):
    """Follows the tokens; returns the headers of the whole list and the token elements."""
    doc, _ = h.get(f"verb={verb}&{query}")
    assert error_code(doc) is None, ET.tostring(doc)[:400]
    out, tokens, page = headers_of(doc), [], 0
    while True:
        t = token_of(doc)
        if t is None:
            return out, tokens
        tokens.append(dict(t.attrib, text=t.text or ""))
        if not t.text:
            return out, tokens
        page += 1
        if between_pages:
            between_pages(page)
        doc, _ = h.get(f"verb={verb}&resumptionToken={urllib.parse.quote(t.text, safe='')}")
        assert error_code(doc) is None, ET.tostring(doc)[:400]
        out += headers_of(doc)


def dataset(i, group, published, **extra):
    ds = {"type": "raw", "ownerGroup": group, "owner": "Ada Lovelace", "contactEmail": "ada@example.org",
          "sourceFolder": f"/data/{i}", "creationTime": "2026-01-10T00:00:00Z", "principalInvestigator": "Grace Hopper",
          "creationLocation": "/EM/Krios1", "datasetName": f"apoferritin {i}", "description": f"Session {i} & more",
          "keywords": ["apoferritin", "single particle"], "isPublished": published,
          "instrumentId": "instrument/krios-1" if i % 2 else "instrument/glacios-1",
          "techniques": [{"pid": "t1", "name": "cryo electron microscopy" if i % 3 else "tomography"}]}
    ds.update(extra)
    return ds


def load(server, token, docs, threads=4):
    """POSTs the datasets from a few keep-alive connections; returns their pids in order."""
    def worker(chunk):
        conn = http.client.HTTPConnection(*server.addr, timeout=120)
        pids = []
        for d in chunk:
            conn.request("POST", "/api/v3/Datasets", body=json.dumps(d).encode(),
                         headers={"Content-Type": "application/json", "Authorization": "Bearer " + token})
            r = conn.getresponse()
            body = r.read()
            assert r.status == 201, (r.status, body[:300])
            pids.append(json.loads(body)["pid"])
        conn.close()
        return pids
    chunks = [docs[k::threads] for k in range(threads)]
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        results = list(pool.map(worker, chunks))
    pids = [None] * len(docs)
    for k, r in enumerate(results):
        pids[k::threads] = r
    return pids


def ident(pid):
    return f"oai:{REPO}:" + urllib.parse.quote(pid, safe="-_.!~*'();/?:@&=+$,")


def main():
    binary = sys.argv[sys.argv.index("--binary") + 1] if "--binary" in sys.argv else "build/openem"
    n_records = int(sys.argv[sys.argv.index("--records") + 1]) if "--records" in sys.argv else 5000
    work = tempfile.mkdtemp(prefix="openem-oai-")
    clock = os.path.join(work, "clock")
    with open(clock, "w") as f:
        f.write("0")

    def move_clock(ms):
        with open(clock, "w") as f:
            f.write(str(ms))

    all_xsd, dc_xsd = schemas(work)
    c = Checks("publish/oai")
    env = server_env(OPENEM_TEST_CLOCK_FILE=clock, OPENEM_EMBARGO_CHECK_SECONDS="1", OPENEM_SITE_NAME="Test EM Facility",
                     OPENEM_PUBLIC_URL="https://data.example.org", OPENEM_OAI_PAGE_SIZE=str(PAGE),
                     OPENEM_OAI_ADMIN_EMAIL="oai-admin@example.org")
    server = Server(binary, env, os.path.join(work, "data"), os.path.join(work, "server.log"))
    h = Harvester(server, work)
    private_marks = ["SECRET-NAME", "secret-group", "secret-scope-9", "secret technique", "hidden-instrument", "group9"]
    try:
        server.start()
        ingestor, user1, admin = Client(server, "ingestor"), Client(server, "user1"), Client(server, "admin")

        # --- Identify on an empty catalog
        doc, _ = h.get("verb=Identify")
        ident_el = doc.find("o:Identify", NS)
        c.eq("Identify", {k: ident_el.findtext("o:" + k, namespaces=NS) for k in
                          ("repositoryName", "baseURL", "protocolVersion", "adminEmail", "deletedRecord", "granularity")},
             {"repositoryName": "Test EM Facility", "baseURL": "https://data.example.org/oai", "protocolVersion": "2.0",
              "adminEmail": "oai-admin@example.org", "deletedRecord": "persistent", "granularity": "YYYY-MM-DDThh:mm:ssZ"})
        c.eq("the repository identifier", doc.findtext(".//{http://www.openarchives.org/OAI/2.0/oai-identifier}repositoryIdentifier"), REPO)
        c.eq("no records yet", error_code(h.get("verb=ListRecords&metadataPrefix=oai_dc")[0]), "noRecordsMatch")

        # --- the catalog: private datasets that must never show, an embargoed one, N public ones
        secret = ingestor.json("POST", "/api/v3/Datasets", dataset(0, "secret-group", False, datasetName="SECRET-NAME",
                                                                     instrumentId="secret-scope-9",
                                                                     techniques=[{"pid": "t9", "name": "secret technique"}]), 201)["pid"]
        private_marks.append(secret)
        to_delete = user1.json("POST", "/api/v3/Datasets", dataset(2, "group1", True, datasetName="deleted later"), 201)["pid"]
        to_hide = user1.json("POST", "/api/v3/Datasets", dataset(3, "group1", True, datasetName="HIDE-ME-NAME"), 201)["pid"]
        t0 = time.time()
        hidden = load(server, ingestor.token, [dataset(i, "group9", False, instrumentId="hidden-instrument")
                                               for i in range(50)])
        public = load(server, ingestor.token, [dataset(i, f"group{1 + i % 4}", True) for i in range(n_records)])
        print(f"loaded {n_records + 54} datasets in {time.time() - t0:.1f} s", file=sys.stderr)
        private_marks += hidden[:5]
        expected = set(public) | {to_delete, to_hide}

        # --- a full harvest while datasets are added: each record exactly once
        added = []

        added_index = {}

        def add_some(page):
            if page % 10 == 1:
                indices = [100000 + page * 10 + k for k in range(3)]
                pids = load(server, ingestor.token, [dataset(i, "group2", True) for i in indices], 1)
                added.extend(pids)
                added_index.update(zip(pids, indices))
        t0 = time.time()
        heads, tokens = harvest(h, "ListRecords", "metadataPrefix=oai_dc", add_some)
        took = time.time() - t0
        print(f"harvested {len(heads)} records in {took:.1f} s ({len(heads) / took:.0f}/s)", file=sys.stderr)
        ids = [x[0] for x in heads]
        c.eq("every record of the harvest exactly once", (len(ids), len(set(ids))), (len(expected), len(expected)))
        c.eq("the harvest is the public datasets", set(ids), {ident(p) for p in expected})
        c.true("datasets added during the harvest wait for the next one", added and not (set(ident(p) for p in added) & set(ids)), str(added[:3]))
        c.eq("pages of the configured size, cursor and completeListSize",
             [(t.get("cursor"), t.get("completeListSize")) for t in tokens][:3] + [(tokens[-1].get("cursor"), tokens[-1]["text"])],
             [("0", str(len(expected))), (str(PAGE), str(len(expected))), (str(2 * PAGE), str(len(expected))),
              (str((len(expected) - 1) // PAGE * PAGE), "")])
        c.true("tokens say when they expire", all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", t.get("expirationDate", ""))
                                                  for t in tokens[:-1]), str(tokens[0]))
        datestamps = [x[1] for x in heads]
        c.true("datestamps at seconds granularity, in order", datestamps == sorted(datestamps) and
               all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", d) for d in datestamps), datestamps[:3])
        # The next incremental harvest from the first one's start brings the added ones.
        later = {x[0] for x in harvest(h, "ListIdentifiers", "metadataPrefix=oai_dc&from=" + datestamps[-1])[0]}
        c.true("an incremental harvest brings them", {ident(p) for p in added} <= later, str(len(later)))

        # --- ListIdentifiers in the other format, and sets
        heads2, _ = harvest(h, "ListIdentifiers", "metadataPrefix=oai_datacite")
        c.eq("ListIdentifiers lists the same records", {x[0] for x in heads2}, {ident(p) for p in expected | set(added)})
        doc, _ = h.get("verb=ListSets")
        specs = {s.findtext("o:setSpec", namespaces=NS): s.findtext("o:setName", namespaces=NS) for s in doc.iter("{%s}set" % NS["o"])}
        c.true("ListSets names the public values", {"instrument", "technique", "group", "status", "status:published",
                                                   "group:group1", "group:group4", "instrument:instrument~2Fkrios-1",
                                                   "technique:cryo~20electron~20microscopy", "technique:tomography"} <= set(specs), str(specs))
        c.true("and no value only private datasets have", not any(m in s for s in specs for m in ("secret", "group9", "hidden")), str(specs))
        g2, _ = harvest(h, "ListIdentifiers", "metadataPrefix=oai_dc&set=group:group2")
        c.eq("a set: exactly its datasets", {x[0] for x in g2},
             {ident(p) for i, p in enumerate(public) if i % 4 == 1} | {ident(p) for p in added})
        c.true("each header names its sets", all("group:group2" in x[3] and "status:published" in x[3] for x in g2), str(g2[:1]))
        tomo, _ = harvest(h, "ListIdentifiers", "metadataPrefix=oai_dc&set=technique:tomography")
        c.eq("a set by technique", {x[0] for x in tomo},
             {ident(p) for i, p in enumerate(public) if i % 3 == 0} | {ident(to_hide)} |
             {ident(p) for p, i in added_index.items() if i % 3 == 0})
        c.eq("the status set is every public dataset", len(harvest(h, "ListIdentifiers", "metadataPrefix=oai_dc&set=status:published")[0]),
             len(expected) + len(added))
        c.eq("an unknown set", error_code(h.get("verb=ListIdentifiers&metadataPrefix=oai_dc&set=colour:red")[0]), "noRecordsMatch")
        c.eq("a private group's set is empty", error_code(h.get("verb=ListIdentifiers&metadataPrefix=oai_dc&set=group:group9")[0]), "noRecordsMatch")

        # --- from / until
        stamps = sorted(x[1] for x in heads2)
        mid = stamps[len(stamps) // 2]
        upto, _ = harvest(h, "ListIdentifiers", f"metadataPrefix=oai_dc&until={mid}")
        since, _ = harvest(h, "ListIdentifiers", f"metadataPrefix=oai_dc&from={mid}")
        c.true("until is inclusive, by the second", all(x[1] <= mid for x in upto) and
               len(upto) == sum(1 for d in stamps if d <= mid), (len(upto), mid))
        c.true("from is inclusive", all(x[1] >= mid for x in since) and len(since) == sum(1 for d in stamps if d >= mid))
        today = mid[:10]
        day, _ = harvest(h, "ListIdentifiers", f"metadataPrefix=oai_dc&from={today}&until={today}")
        c.eq("day granularity", len(day), sum(1 for x in heads2 if x[1].startswith(today)))
        for q, code in ((f"from={today}&until={mid}", "badArgument"), ("from=2026-02-30", "badArgument"),
                        ("from=2026-01-02T00:00:00.5Z", "badArgument"), ("from=2026-01-03&until=2026-01-02", "badArgument"),
                        ("from=2099-01-01", "noRecordsMatch"), ("until=2000-01-01", "noRecordsMatch")):
            c.eq(f"dates: {q}", error_code(h.get("verb=ListRecords&metadataPrefix=oai_dc&" + q)[0]), code)

        # --- GetRecord and the metadata, each format validated on its own
        one = public[7]
        for prefix in ("oai_dc", "oai_datacite"):
            doc, _ = h.get(f"verb=GetRecord&metadataPrefix={prefix}&identifier={urllib.parse.quote(ident(one), safe='')}")
            md = doc.find(".//o:metadata", NS)
            c.true(f"GetRecord {prefix}", md is not None and len(md) == 1, ET.tostring(doc)[:300])
            if md is None or len(md) != 1:
                continue
            path = os.path.join(work, f"metadata-{prefix}.xml")
            ET.ElementTree(md[0]).write(path, xml_declaration=True, encoding="UTF-8")
            if prefix == "oai_dc":
                c.eq("oai_dc validates against oai_dc.xsd", xmllint(dc_xsd, [path]), (0, []))
                dc = {}
                for e in md[0]:
                    dc.setdefault(e.tag.split("}")[1], []).append(e.text)
                c.eq("oai_dc content", {k: dc.get(k) for k in ("title", "creator", "type", "publisher", "subject", "description", "rights")},
                     {"title": ["apoferritin 7"], "creator": ["Ada Lovelace", "Grace Hopper"], "type": ["Dataset"],
                      "publisher": ["Test EM Facility"], "subject": ["apoferritin", "single particle", "cryo electron microscopy"],
                      "description": ["Session 7 & more"], "rights": None})
                c.true("oai_dc identifiers: landing page and pid", {e.text for e in md[0].findall("dc:identifier", NS)} ==
                       {f"https://data.example.org/datasets/{enc(one)}", one})
            else:
                c.eq("oai_datacite validates against DataCite's oai-1.1 schema",
                     xmllint(os.path.join(TESTDATA, "datacite/oai/oai-1.1/oai.xsd"), [path]), (0, []))
                res = md[0].find("odc:payload/k4:resource", NS)
                c.true("its payload is a kernel-4 resource", res is not None)
                if res is not None:
                    rpath = os.path.join(work, "payload.xml")
                    ET.ElementTree(res).write(rpath, xml_declaration=True, encoding="UTF-8")
                    c.eq("the payload validates against kernel-4", xmllint(os.path.join(TESTDATA, "datacite/kernel-4/metadata.xsd"), [rpath]), (0, []))
        doc, _ = h.get("verb=ListMetadataFormats")
        c.eq("ListMetadataFormats", [f.findtext("o:metadataPrefix", namespaces=NS) for f in doc.iter("{%s}metadataFormat" % NS["o"])],
             ["oai_dc", "oai_datacite"])
        c.eq("ListMetadataFormats of an item", error_code(h.get("verb=ListMetadataFormats&identifier=" + urllib.parse.quote(ident(one), safe=""))[0]), None)

        # --- GET and POST agree
        _, by_get = h.get("verb=ListRecords&metadataPrefix=oai_dc&set=group:group3")
        _, by_post = h.post("verb=ListRecords&metadataPrefix=oai_dc&set=group%3Agroup3")
        strip = lambda b: re.sub(rb"<responseDate>[^<]*</responseDate>|<resumptionToken[^>]*>[^<]*<", b"", b)  # noqa: E731
        c.eq("POST answers as GET", strip(by_post), strip(by_get))
        status, _, _ = h._send("POST", "/oai", b'{"verb":"Identify"}', {"Content-Type": "application/json"})
        c.eq("POST of another type", status, 415)

        # --- every error code
        tok = tokens[0]["text"]
        tampered = tok[:10] + ("A" if tok[10] != "A" else "B") + tok[11:]
        for q, code in (("", "badVerb"), ("verb=Explode", "badVerb"), ("verb=Identify&verb=Identify", "badVerb"),
                        ("verb=Identify&set=x", "badArgument"), ("verb=ListRecords", "badArgument"),
                        ("verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=oai_dc", "badArgument"),
                        (f"verb=ListRecords&metadataPrefix=oai_dc&resumptionToken={tok}", "badArgument"),
                        ("verb=GetRecord&metadataPrefix=oai_dc", "badArgument"), ("verb=ListRecords&metadataPrefix=oai_dc&x=1", "badArgument"),
                        (f"verb=ListRecords&resumptionToken={tampered}", "badResumptionToken"),
                        (f"verb=ListIdentifiers&resumptionToken={tok}", "badResumptionToken"),
                        ("verb=ListRecords&resumptionToken=garbage", "badResumptionToken"),
                        ("verb=ListSets&resumptionToken=x", "badResumptionToken"),
                        ("verb=ListRecords&metadataPrefix=marc21", "cannotDisseminateFormat"),
                        (f"verb=GetRecord&metadataPrefix=marc21&identifier={urllib.parse.quote(ident(one), safe='')}", "cannotDisseminateFormat"),
                        (f"verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:{REPO}:nope", "idDoesNotExist"),
                        ("verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:other.org:x", "idDoesNotExist"),
                        ("verb=ListMetadataFormats&identifier=oai:x.org:y", "idDoesNotExist"),
                        ("verb=ListRecords&metadataPrefix=oai_dc&from=2099-01-01T00:00:00Z", "noRecordsMatch")):
            doc, body = h.get(q)
            c.eq(f"error for {q[:70]}", error_code(doc), code)
            if code in ("badVerb", "badArgument"):
                c.true(f"no echo with {code}", b"<request>https://data.example.org/oai</request>" in body, body[:400])
        # A private pid answers exactly as a missing one.
        private_answer = h.get(f"verb=GetRecord&metadataPrefix=oai_dc&identifier={urllib.parse.quote(ident(secret), safe='')}")[1]
        missing = "PID.prefix.a0b1/00000000-0000-4000-8000-00000000dead"
        missing_answer = h.get(f"verb=GetRecord&metadataPrefix=oai_dc&identifier={urllib.parse.quote(ident(missing), safe='')}")[1]
        norm = lambda b, p: re.sub(rb"<responseDate>[^<]*</responseDate>", b"", b).replace(ident(p).encode(), b"ID")  # noqa: E731
        c.eq("a private dataset is idDoesNotExist like a missing one", norm(private_answer, secret), norm(missing_answer, missing))

        # --- an embargo ends on the test clock and the dataset appears
        now = datetime.datetime.now(datetime.timezone.utc)
        embargoed = user1.json("POST", "/api/v3/Datasets", dataset(1, "group1", False, datasetName="embargo ends soon",
                                                                   datasetlifecycle={"dateOfPublishing": (now + datetime.timedelta(seconds=60)).strftime("%Y-%m-%dT%H:%M:%S.000Z")}), 201)["pid"]
        get_embargoed = f"verb=GetRecord&metadataPrefix=oai_dc&identifier={urllib.parse.quote(ident(embargoed), safe='')}"
        c.eq("under embargo: idDoesNotExist", error_code(h.get(get_embargoed)[0]), "idDoesNotExist")
        move_clock(61_000)
        deadline = time.time() + 10
        while time.time() < deadline and error_code(h.get(get_embargoed)[0]) is not None:
            time.sleep(0.2)
        c.eq("after the embargo: GetRecord", error_code(h.get(get_embargoed)[0]), None)
        recent, _ = harvest(h, "ListIdentifiers", "metadataPrefix=oai_dc&from=" + datestamps[-1])
        c.true("and it is in ListRecords", ident(embargoed) in {x[0] for x in recent}, str(len(recent)))

        # --- deleted records: a deleted dataset and an unpublished one
        status, _, _ = admin.request("DELETE", f"/api/v3/Datasets/{enc(to_delete)}")
        c.eq("delete", status, 200)
        status, _, _ = user1.request("PATCH", f"/api/v3/Datasets/{enc(to_hide)}", [("Content-Type", "application/json")],
                                     json.dumps({"isPublished": False, "ownerGroup": "group1", "datasetName": "HIDE-ME-NAME now private"}).encode())
        c.eq("unpublish", status, 200)
        private_marks.append("now private")
        first_private = len(h.bodies)

        def deleted_state():
            out = {}
            for pid in (to_delete, to_hide):
                doc, _ = h.get(f"verb=GetRecord&metadataPrefix=oai_dc&identifier={urllib.parse.quote(ident(pid), safe='')}")
                out[pid] = [(x[2], x[3]) for x in headers_of(doc)] + [doc.find(".//o:metadata", NS) is not None]
            return out
        c.eq("deleted and unpublished: deleted headers, no metadata, no sets", deleted_state(),
             {to_delete: [(True, []), False], to_hide: [(True, []), False]})
        recent, _ = harvest(h, "ListRecords", "metadataPrefix=oai_dc&from=" + datestamps[-1])
        c.eq("a harvest reports both as deleted", sorted((x[0], x[2]) for x in recent if x[0] in (ident(to_delete), ident(to_hide))),
             sorted([(ident(to_delete), True), (ident(to_hide), True)]))
        c.eq("ListMetadataFormats of a deleted item", error_code(h.get("verb=ListMetadataFormats&identifier=" + urllib.parse.quote(ident(to_hide), safe=""))[0]),
             "noMetadataFormats")
        c.eq("clean stop", server.stop(), None)
        server.start()
        h.close()
        c.eq("deleted records survive a restart", deleted_state(),
             {to_delete: [(True, []), False], to_hide: [(True, []), False]})
        doc, _ = h.get("verb=Identify")
        after_restart, _ = harvest(h, "ListIdentifiers", "metadataPrefix=oai_dc")
        c.eq("earliestDatestamp is the earliest record's", doc.findtext(".//o:earliestDatestamp", namespaces=NS),
             min(x[1] for x in after_restart))
        c.eq("after a restart, the same records", len(after_restart), len(expected) + len(added) + 1)

        # --- tokens expire
        doc, _ = h.get("verb=ListIdentifiers&metadataPrefix=oai_dc")
        live = token_of(doc).text
        c.eq("a fresh token works", error_code(h.get(f"verb=ListIdentifiers&resumptionToken={live}")[0]), None)
        move_clock(61_000 + 25 * 3600 * 1000)
        time.sleep(0.2)
        c.eq("an expired token", error_code(h.get(f"verb=ListIdentifiers&resumptionToken={live}")[0]), "badResumptionToken")

        # --- published-data records are items too (SciCat's OAI provider serves them): a draft
        # never shows; a public record is harvested with its DOI, in oai_dc and oai_datacite
        record_ds = user1.json("POST", "/api/v3/Datasets", dataset(4, "group1", True, datasetName="published with a DOI"), 201)["pid"]
        meta = {"creators": [{"name": "Lovelace, Ada"}], "publisher": {"name": "Test EM Facility"},
                "publicationYear": 2026, "resourceType": "derived"}
        draft = user1.json("POST", "/api/v4/publisheddata", {"title": "DRAFT-TITLE-77", "abstract": "a draft",
                                                              "datasetPids": [record_ds], "metadata": meta}, 201)["doi"]
        private_marks += ["DRAFT-TITLE-77", draft]
        doi = user1.json("POST", "/api/v4/publisheddata", {"title": "Apoferritin with a DOI", "abstract": "The map.",
                                                            "datasetPids": [record_ds], "metadata": meta}, 201)["doi"]
        c.eq("publish the record", user1.json("POST", f"/api/v4/publisheddata/{enc(doi)}/publish", {}, 201)["status"], "public")
        rec_id = f"oai:{REPO}:doi:{doi}"
        doc, _ = h.get(f"verb=GetRecord&metadataPrefix=oai_datacite&identifier={urllib.parse.quote(rec_id, safe='')}")
        c.eq("GetRecord of a record: its DOI in oai_datacite",
             (error_code(doc), doc.findtext(".//k4:identifier[@identifierType='DOI']", namespaces=NS),
              doc.findtext(".//k4:title", namespaces=NS)), (None, doi, "Apoferritin with a DOI"))
        doc, _ = h.get(f"verb=GetRecord&metadataPrefix=oai_dc&identifier={urllib.parse.quote(rec_id, safe='')}")
        c.true("... and in oai_dc", f"https://doi.org/{doi}" in [e.text for e in doc.iterfind(".//dc:identifier", NS)],
               ET.tostring(doc)[:600])
        c.eq("... in the set of its status", [x[3] for x in headers_of(doc)], [["status:public"]])
        in_status_set, _ = harvest(h, "ListIdentifiers", "metadataPrefix=oai_dc&set=status:public")
        c.eq("the status:public set holds the record only", [x[0] for x in in_status_set], [rec_id])
        everything, _ = harvest(h, "ListIdentifiers", "metadataPrefix=oai_dc")
        ids = [x[0] for x in everything]
        c.eq("a full harvest has the record once and datasets beside it", (ids.count(rec_id), len(ids), len(set(ids))),
             (1, len(after_restart) + 2, len(after_restart) + 2))
        draft_answer = h.get(f"verb=GetRecord&metadataPrefix=oai_dc&identifier={urllib.parse.quote(f'oai:{REPO}:doi:{draft}', safe='')}")[1]
        nodoi = "10.5072/00000000-0000-4000-8000-000000000000"
        nodoi_answer = h.get(f"verb=GetRecord&metadataPrefix=oai_dc&identifier={urllib.parse.quote(f'oai:{REPO}:doi:{nodoi}', safe='')}")[1]
        c.eq("a draft record is idDoesNotExist like a missing DOI",
             re.sub(rb"<responseDate>[^<]*</responseDate>", b"", draft_answer).replace(draft.encode(), b"X"),
             re.sub(rb"<responseDate>[^<]*</responseDate>", b"", nodoi_answer).replace(nodoi.encode(), b"X"))

        # --- nothing private anywhere
        # (The <request> element echoes the harvester's own arguments: left out.)
        answers = [re.sub(rb"<request[^>]*>[^<]*</request>", b"", b) for b in h.bodies]
        leaks = [(i, m) for i, b in enumerate(answers) for m in private_marks if m.encode() in b]
        leaks += [(i, "HIDE-ME-NAME") for i, b in enumerate(answers[first_private:], first_private) if b"HIDE-ME-NAME" in b]
        c.eq("no response holds anything of a private dataset", leaks[:5], [])

        # --- every response validates
        bad = []
        for k in range(0, len(h.files), 200):
            rc, errors = xmllint(all_xsd, h.files[k:k + 200])
            if rc != 0:
                bad += errors[:5]
        c.eq(f"all {len(h.files)} responses validate against OAI-PMH.xsd and the metadata schemas", bad[:5], [])
    except Exception as e:  # noqa: BLE001
        c.true("no exception", False, f"{type(e).__name__}: {e}\n{server.log_tail() if hasattr(server, 'log_tail') else ''}")
    finally:
        h.close()
        try:
            server.stop()
        except Exception:  # noqa: BLE001
            pass
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
