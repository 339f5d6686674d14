#!/usr/bin/env python3
"""Deposition exports end to end (issue #14, docs/export.md): a SerialEM and an EPU session are
ingested with `openem ingest`, then `openem export <pid>` writes, in one command each,
  * an mmCIF that `gemmi validate -p` (Debian's gemmi, with the PDBx/mmCIF dictionary) finds
    valid, whose values `gemmi grep` reads back equal to the dataset's OSC-EM metadata (no
    phase plate item when none was in the column);
  * an EMPIAR deposition JSON that EMPIAR's JSON Schema accepts (npm ajv 8 + ajv-formats);
  * and the dataset's BagIt download carries data/ro-crate-metadata.json, listed in the bag's
    manifest, which expands as JSON-LD without loss (npm jsonld 9) with the RO-Crate 1.1
    required entities, its files' sha256 equal to the bag's.
A session of real MRC and TIFF files (copied at run time from ../shared/testdata) gives EMPIAR
image sets with the voxel types, sizes and frame counts of their headers, which the ingestor
summarized; with a proposal and a published-data record, the EMPIAR authors, corresponding
author, PI and citation (with the record's DOI) come from them.
Bad input: a wrong format (exit 2), metadata that cannot make a valid document (exit 3, the
report names the OSC-EM path, no file left), a model that is not mmCIF, an unreachable server
(exit 4). The npm packages are installed into $TMPDIR/openem-export-validators (reused)."""
import hashlib
import io
import shutil
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "ingest"))
import ingest_test  # noqa: E402
from ingest_test import Env, make_epu_session, make_serialem_session  # noqa: E402

SHARED = ingest_test.SHARED
DICTIONARY = os.path.join(SHARED, "mmcif-dict", "mmcif_pdbx_v50-v5.362.dic")
EMPIAR_SCHEMA = os.path.join(SHARED, "empiar", "empiar_deposition.schema.json")
SITE = os.path.join(HERE, "..", "data", "extract", "site_krios.toml")
NPM_PACKAGES = ["ajv@8.20.0", "ajv-formats@3.0.1", "jsonld@9.0.0", "ro-crate@3.4.10"]


def node_modules():
    prefix = os.path.join(tempfile.gettempdir(), "openem-export-validators")
    modules = os.path.join(prefix, "node_modules")
    if not all(os.path.isdir(os.path.join(modules, p.rsplit("@", 1)[0])) for p in NPM_PACKAGES):
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", "--prefix", prefix,
                        *NPM_PACKAGES], check=True, timeout=600)
    return modules


def node(script, *args):
    env = dict(os.environ, NODE_PATH=node_modules())
    return subprocess.run(["node", os.path.join(HERE, "validators", script), *args], env=env,
                          capture_output=True, text=True, timeout=120)


def gemmi_findings(path, parents=True):
    p = subprocess.run(["gemmi", "validate", *(["-p"] if parents else []), "-d", DICTIONARY, path],
                       capture_output=True, text=True, timeout=120)
    lines = [line for line in (p.stdout + p.stderr).splitlines()
             if line and not line.startswith("Category indicated as WWPDB_LOCAL")]
    return p.returncode, lines


def gemmi_value(path, tag):
    p = subprocess.run(["gemmi", "grep", "-b", tag, path], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    values = [line.split(";")[-1] if ";" in line else line.split(":", 1)[-1] for line in p.stdout.splitlines()]
    return [v.strip().strip("'") for v in values]


def in_unit(unit):
    """A quantity's value in `unit` (the OSC-EM quantities of these sessions use few units)."""
    factors = {("kV", "kV"): 1, ("V", "kV"): 1e-3, ("nm", "nm"): 1, ("um", "nm"): 1e3, ("µm", "nm"): 1e3,
               ("s", "s"): 1, ("mm", "mm"): 1, ("°", "deg"): 1, ("deg", "deg"): 1}
    return lambda q: q["value"] * factors[(q["unit"], unit)]


# OSC-EM path, PDBx item, the PDBx value expected from the OSC-EM value (read back by gemmi).
READ_BACK = [
    ("instrument.acceleration_voltage", "_em_imaging.accelerating_voltage", in_unit("kV")),
    ("instrument.cs", "_em_imaging.nominal_cs", in_unit("mm")),
    ("acquisition.nominal_magnification", "_em_imaging.nominal_magnification", lambda v: v),
    ("acquisition.date_time", "_em_imaging.date", lambda v: v[:10]),
    # OSC-EM's most negative defocus (strongest underfocus) is PDBx's largest positive one
    ("acquisition.nominal_defocus.minimal", "_em_imaging.nominal_defocus_max", lambda q: -in_unit("nm")(q)),
    ("acquisition.nominal_defocus.maximal", "_em_imaging.nominal_defocus_min", lambda q: -in_unit("nm")(q)),
    ("acquisition.exposure_time", "_em_image_recording.average_exposure_time", in_unit("s")),
    ("acquisition.tilt_angle.minimal", "_em_imaging.tilt_angle_min", in_unit("deg")),
    ("acquisition.image_size.width", "_em_image_scans.dimension_width", lambda v: v),
]


class Exporter:
    def __init__(self, env, token):
        self.env, self.token = env, token

    def run(self, subject, *args, expect=0):
        p = subprocess.run([self.env.binary, "export", subject, "--server", self.env.url, "--token", self.token,
                            *args], env=dict(self.env.client_env(), OPENEM_PDBX_DICTIONARY=DICTIONARY),
                           capture_output=True, text=True, timeout=120)
        assert p.returncode == expect, f"exit {p.returncode} (wanted {expect}) for {args}\n{p.stderr[-3000:]}"
        return p


def check_session(env, exporter, token, pid, label, work):
    status, body = env.get(f"/api/v3/Datasets/{urllib.parse.quote(pid, safe='')}", token)
    assert status == 200, status
    oscem = json.loads(body)["scientificMetadata"]

    # mmCIF: valid for gemmi with parents, values read back by gemmi equal the metadata's
    cif = os.path.join(work, f"{label}.cif")
    exporter.run(pid, "--format", "mmcif", "-o", cif)
    rc, findings = gemmi_findings(cif)
    assert rc == 0 and not findings, f"{label}: gemmi: {findings}"
    compared = 0
    for path, tag, expected in READ_BACK:
        value = oscem
        for key in path.split("."):
            value = value.get(key) if isinstance(value, dict) else None
        if value is None:
            continue
        got = gemmi_value(cif, tag)
        assert len(got) == 1 and abs(float(got[0]) - expected(value)) < 1e-6 if not isinstance(expected(value), str) \
            else got == [expected(value)], f"{label}: {tag} = {got}, metadata {path} = {value}"
        compared += 1
    assert compared >= 3, f"{label}: only {compared} values compared"
    # No phase plate in the column (EPU's PhasePlateUsed=false → {used: false, instrument_type:
    # "none"}): PDBx has no value for none, the item is left out (it read "none" before).
    plate = oscem.get("acquisition", {}).get("specialist_optics", {}).get("phaseplate")
    if plate is not None and plate.get("used") is False:
        assert "_em_imaging_optics.phase_plate" not in open(cif).read(), f"{label}: phase plate written"
    print(f"  {label}: mmCIF valid for gemmi -p, values read back")

    # EMPIAR: validates against EMPIAR's schema
    empiar = os.path.join(work, f"{label}-empiar.json")
    p = exporter.run(pid, "--format", "empiar", "--organization", "Example Facility", "--country", "CH", "-o", empiar)
    assert "to fill in" in p.stderr, p.stderr  # the list of what the depositor must still give
    v = node("validate_empiar.cjs", EMPIAR_SCHEMA, empiar)
    assert v.returncode == 0, f"{label}: EMPIAR schema: {v.stdout}{v.stderr}"
    doc = json.load(open(empiar))
    assert doc["imagesets"], doc
    print(f"  {label}: EMPIAR JSON valid ({len(doc['imagesets'])} image sets)")

    # RO-Crate inside the BagIt download
    status, tar_bytes = env.get(f"/api/v3/Datasets/{urllib.parse.quote(pid, safe='')}/download", token)
    assert status == 200, status
    with tarfile.open(fileobj=io.BytesIO(tar_bytes)) as tar:
        names = tar.getnames()
        top = names[0].split("/")[0]
        crate_bytes = tar.extractfile(f"{top}/data/ro-crate-metadata.json").read()
        manifest = tar.extractfile(f"{top}/manifest-sha256.txt").read().decode()
        payload = {n[len(top) + 6:]: hashlib.sha256(tar.extractfile(n).read()).hexdigest()
                   for n in names if n.startswith(f"{top}/data/") and tar.getmember(n).isfile()}
    listed = dict(reversed(line.split("  data/", 1)) for line in manifest.splitlines())
    assert listed == payload, "manifest differs from the payload"
    assert "ro-crate-metadata.json" in listed
    crate_file = os.path.join(work, f"{label}-ro-crate-metadata.json")
    with open(crate_file, "wb") as f:
        f.write(crate_bytes)
    v = node("check_crate.cjs", crate_file)
    assert v.returncode == 0, f"{label}: RO-Crate: {v.stdout}{v.stderr}"
    crate = json.loads(crate_bytes)
    files = {e["@id"]: e for e in crate["@graph"] if e.get("@type") == "File"}
    assert {urllib.parse.unquote(k) for k in files} == set(payload) - {"ro-crate-metadata.json"}
    for fid, e in files.items():
        assert e["sha256"] == payload[urllib.parse.unquote(fid)], fid
    print(f"  {label}: RO-Crate in the download ({len(files)} files) expands without loss")


def make_header_session(parent):
    """Real image files of ../shared/testdata (copied at run time): MRC modes 0, 2 and 6, a Gatan
    TIFF, and a .tif that is no TIFF at all."""
    root = os.path.join(parent, "headers")
    mrc = os.path.join(SHARED, "mrc")
    for folder, source in (("maps", "cryoet-portal/input_mrc.mrc"), ("tomo", "cryoet-portal/TS_run1.st"),
                           ("movies", "rosettasciio/20241021_00405_movie.mrc"),
                           ("gatan", "rosettasciio/test_loading_image_saved_with_DM.tif")):
        os.makedirs(os.path.join(root, folder), exist_ok=True)
        shutil.copy(os.path.join(mrc, source), os.path.join(root, folder, os.path.basename(source)))
    os.makedirs(os.path.join(root, "broken"))
    with open(os.path.join(root, "broken", "frame_0001.tif"), "wb") as f:
        f.write(b"not a TIFF at all")
    return root


def check_headers_and_authorship(env, exporter, token, sessions, work):
    root = make_header_session(sessions)
    env.ingest(root, "--site", SITE, "--owner-group", "group1", "--principal-investigator", "Ada Lovelace",
               "--name", "Header facts session of the export test")
    ds = env.datasets_for(os.path.realpath(root), token)
    assert len(ds) == 1, ds
    pid = ds[0]["pid"]
    quoted = urllib.parse.quote(pid, safe="")
    headers = {(h["directory"], h["extension"]): h for h in ds[0]["scientificMetadata"]["image_headers"]}
    assert headers[("maps", "mrc")]["voxel_type"] == "float32", headers
    assert headers[("broken", "tif")]["unreadable"] == 1, headers

    # The proposal (made by the facility's admin) and a published-data record of the dataset.
    admin = env.token("admin", "admin-pw")
    status, body = env.request("POST", "/api/v3/proposals", admin, {
        "proposalId": "20260042", "title": "Ferritin", "ownerGroup": "group1",
        "pi_firstname": "Rosalind", "pi_lastname": "Franklin", "pi_email": "rosalind@example.org",
        "firstname": "Maurice", "lastname": "Wilkins", "email": "maurice@example.org"})
    assert status == 201, (status, body[:300])
    status, body = env.request("PATCH", f"/api/v3/Datasets/{quoted}", token, {"proposalId": "20260042"})
    assert status == 200, (status, body[:300])
    empiar = os.path.join(work, "headers-empiar.json")
    exporter.run(pid, "--format", "empiar", "--organization", "Example Facility", "--country", "CH", "-o", empiar)
    doc = json.load(open(empiar))
    assert [a["name"] for a in doc["authors"]] == ["('Wilkins', 'M')", "('Franklin', 'R')"], doc["authors"]
    assert doc["corresponding_author"]["email"] == "maurice@example.org", doc["corresponding_author"]
    assert doc["principal_investigator"][0]["email"] == "rosalind@example.org", doc["principal_investigator"]

    status, body = env.request("POST", "/api/v3/publisheddata", token, {
        "creator": ["Rosalind Franklin", "Raymond Gosling"], "publisher": "Example Facility",
        "publicationYear": 2026, "title": "Header facts, the data", "abstract": "Real headers.",
        "dataDescription": "d", "resourceType": "raw", "pidArray": [pid]})
    assert status == 201, (status, body[:300])
    doi = json.loads(body)["doi"]
    p = exporter.run(pid, "--format", "empiar", "--organization", "Example Facility", "--country", "CH",
                     "-o", empiar)
    v = node("validate_empiar.cjs", EMPIAR_SCHEMA, empiar)
    assert v.returncode == 0, f"headers: EMPIAR schema: {v.stdout}{v.stderr}"
    doc = json.load(open(empiar))
    assert [a["name"] for a in doc["authors"]] == ["('Franklin', 'R')", "('Gosling', 'R')", "('Wilkins', 'M')"]
    citation = doc["citation"][0]
    assert citation["doi"] == doi and citation["year"] == 2026 and citation["title"] == "Header facts, the data"
    assert citation["j_or_nj_citation"] is False and citation["published"] is False, citation  # not registered
    assert f"the DOI {doi} is not registered yet" in p.stderr, p.stderr

    # Image sets: the headers' voxel types (EMPIAR's codes), sizes and frames.
    sets = {s["directory"]: s for s in doc["imagesets"]}
    expected = {  # directory: (category, voxel type, width, height, frames per image)
        "data/maps": ("('T1', '')", "('T7', '')", 4, 4, 1),     # float32 (mode 2)
        "data/tomo": ("('T9', '')", "('T2', '')", 20, 10, 4),   # .st: a tilt series of int8 (mode 0), 4 tilts
        "data/movies": ("('T1', '')", "('T3', '')", 8, 4, 1),   # uint16 (mode 6); 32 sections, see below
    }
    for directory, (category, voxel, width, height, frames) in expected.items():
        got = sets[directory]
        assert (got["category"], got["voxel_type"], got["image_width"], got["image_height"],
                got["frames_per_image"]) == (category, voxel, width, height, frames), (directory, got)
    assert sets["data/gatan"]["voxel_type"] != "('OT', 'UNKNOWN')", sets["data/gatan"]
    assert sets["data/broken"]["voxel_type"] == "('OT', 'UNKNOWN')", sets["data/broken"]
    assert "data type of the tif files" in p.stderr, p.stderr  # the broken one
    assert "each file holds 32 sections" in p.stderr, p.stderr  # movie or volume: the user says
    print(f"  headers: EMPIAR voxel types from the headers; authors and citation {doi} from proposal and record")


def bad_input(env, exporter, pid, work):
    out = os.path.join(work, "never.cif")
    p = exporter.run(pid, "--format", "pdf", "-o", out, expect=2)
    assert "must be one of" in p.stderr
    model = os.path.join(work, "not-a-model.cif")
    with open(model, "w") as f:
        f.write("HEADER    THIS IS A PDB FILE\nATOM      1  N   MET A   1\n")
    p = exporter.run(pid, "--format", "mmcif", "--model", model, "-o", out, expect=3)
    assert "not an mmCIF file" in p.stderr, p.stderr
    assert not os.path.exists(out) and not [f for f in os.listdir(work) if ".partial-" in f]
    # an OSC-EM file with a unit that does not convert: the report names its path, no file
    bad = os.path.join(work, "bad-oscem.json")
    with open(os.path.join(HERE, "..", "data", "export", "epu_spa_oscem.json")) as f:
        doc = json.load(f)
    doc["instrument"]["cs"] = {"value": 2.7, "unit": "parsec"}
    with open(bad, "w") as f:
        json.dump(doc, f)
    p = subprocess.run([env.binary, "export", bad, "--format", "mmcif", "-o", out],
                       env=dict(os.environ, OPENEM_PDBX_DICTIONARY=DICTIONARY), capture_output=True, text=True)
    assert p.returncode == 3 and "instrument.cs → _em_imaging.nominal_cs" in p.stderr, (p.returncode, p.stderr)
    assert not os.path.exists(out)
    p = subprocess.run([env.binary, "export", bad, "--format", "mmcif", "--allow-incomplete", "-o", out],
                       env=dict(os.environ, OPENEM_PDBX_DICTIONARY=DICTIONARY), capture_output=True, text=True)
    assert p.returncode == 0 and os.path.exists(out), p.stderr
    # an unreachable catalog
    p = subprocess.run([env.binary, "export", "PID.x/1", "--server", "http://127.0.0.1:1", "--token", "t",
                        "--format", "oscem"], capture_output=True, text=True, timeout=120)
    assert p.returncode == 4, (p.returncode, p.stderr)
    print("  bad input: exit codes 2, 3, 4 with the OSC-EM path, no partial files")


def main():
    binary = sys.argv[sys.argv.index("--binary") + 1] if "--binary" in sys.argv else "build/openem"
    env = Env(os.path.abspath(binary))
    try:
        env.start_server()
        sessions = os.path.join(env.work, "sessions")
        os.makedirs(sessions)
        token = env.token()
        exporter = Exporter(env, token)
        work = os.path.join(env.work, "out")
        os.makedirs(work)
        pids = {}
        for label, root in (("serialem", make_serialem_session(sessions, movies=3, movie_bytes=20_000)),
                            ("epu", make_epu_session(sessions, movies=3, movie_bytes=20_000))):
            env.ingest(root, "--site", SITE, "--owner-group", "group1", "--principal-investigator", "Ada Lovelace",
                       "--name", f"Apoferritin, {label} session of the export test")
            ds = env.datasets_for(os.path.realpath(root), token)
            assert len(ds) == 1, ds
            pids[label] = ds[0]["pid"]
            check_session(env, exporter, token, pids[label], label, work)
        check_headers_and_authorship(env, exporter, token, sessions, work)
        bad_input(env, exporter, pids["epu"], work)
        print("export e2e: all checks passed")
    finally:
        env.close()


if __name__ == "__main__":
    main()
