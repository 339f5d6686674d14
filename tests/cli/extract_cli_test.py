#!/usr/bin/env python3
"""`openem extract` as a user runs it: JSON on stdout, -o, --flat, --strict, exit codes and
one-line reasons. The extraction values themselves are checked by the unit tests in
src/extract; this checks the command's contract."""
import json
import os
import re
import subprocess
import sys
import tempfile
import unicodedata

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
SHARED = os.environ.get("OPENEM_SHARED_DIR", os.path.join(ROOT, "..", "shared"))
LIFE = os.path.join(SHARED, "testdata", "oscem", "osc-em_oscem-extractor-life", "tests")
failures = []
passed = 0


def run(binary, *args):
    p = subprocess.run([binary, "extract", *args], capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def check(name, cond, detail=""):
    global passed
    if cond:
        passed += 1
    else:
        failures.append(f"{name}: {detail}")


def main():
    binary = sys.argv[sys.argv.index("--binary") + 1]
    # A SerialEM tilt-series folder: valid JSON with the reference converter's dose.
    rc, out, err = run(binary, os.path.join(LIFE, "mdocs"), "-q")
    check("mdocs exit code", rc == 0, f"rc={rc} stderr={err[:300]}")
    doc = json.loads(out) if rc == 0 else {}
    dose = doc.get("acquisition", {}).get("dose_per_movie", {})
    unit = unicodedata.normalize("NFC", dose.get("unit", ""))  # Å may be U+212B or U+00C5
    check("mdocs dose", abs(dose.get("value", 0) - 3.08367) < 1e-6 and unit == "1/\u00c5^2", ascii(dose))
    # The same with the reference's own expectation for every value it fills.
    with open(os.path.join(LIFE, "mdocs_correct.json")) as f:
        correct = json.load(f)
    check("mdocs has the reference's sections", set(correct) <= set(doc) | {"sample"}, f"{sorted(correct)} vs {sorted(doc)}")
    # -o writes the same document to a file and nothing to stdout.
    with tempfile.TemporaryDirectory() as tmp:
        target = os.path.join(tmp, "out.json")
        rc, out2, err = run(binary, os.path.join(LIFE, "mdocs"), "-q", "-o", target)
        check("-o exit code", rc == 0, err[:300])
        check("-o stdout empty", out2.strip() == "", out2[:200])
        with open(target) as f:
            check("-o same document", json.load(f) == doc, "differs from stdout output")
    # --flat prints the key/value view: a JSON object of scalars, not the OSC-EM tree.
    rc, out, err = run(binary, os.path.join(LIFE, "mdocs"), "-q", "--flat")
    check("--flat exit code", rc == 0, err[:300])
    check("--flat output", rc == 0 and out.strip() != "" and "acquisition" not in json.loads(out) if out.strip().startswith("{") else out.strip() != "", out[:200])
    # A missing path: exit 1, one line on stderr naming the path.
    rc, out, err = run(binary, "/nonexistent/session")
    check("missing path exit", rc == 1, f"rc={rc}")
    check("missing path message", err.count("\n") == 1 and "/nonexistent/session" in err, repr(err))
    # A garbage file: a clear error, never a crash (exit code 1, not a signal).
    with tempfile.NamedTemporaryFile(suffix=".mdoc", delete=False) as f:
        f.write(b"\x00\xff\xfe garbage [ZValue = \n PixelSpacing = not-a-number\r\n" * 50)
        garbage = f.name
    rc, out, err = run(binary, garbage, "-q")
    os.unlink(garbage)
    check("garbage exits cleanly", rc in (0, 1, 3), f"rc={rc} stderr={err[:300]}")
    # --strict: a document missing what only a site profile supplies does not validate → 3.
    rc, out, err = run(binary, os.path.join(SHARED, "testdata", "mdoc", "Position_12.mdoc"), "--strict", "-q")
    check("--strict exit code", rc == 3, f"rc={rc}")
    check("--strict names the path", "electron_source" in err or "instrument" in err, repr(err[:300]))
    # Usage errors exit 1 with one line, like every other failure (issue 18: a bad --technique
    # exited 105, a code docs/extract.md does not list).
    for args, needle in [(("--technique", "astrology"), "astrology"), (("--threads", "many"), "--threads"),
                         (("--no-such-option",), "--no-such-option"), (("second-path",), "second-path")]:
        rc, out, err = run(binary, os.path.join(LIFE, "mdocs"), *args)
        check(f"usage error {args} exit 1", rc == 1, f"rc={rc} stderr={err[:300]}")
        check(f"usage error {args} one line", err.count("\n") == 1 and needle in err, repr(err))
    rc, out, err = run(binary)
    check("missing PATH exit 1", rc == 1 and "PATH" in err, f"rc={rc} {err!r}")
    strict_and_exit_codes(binary)
    detector_conflict_and_overviews(binary)
    big_mdoc_memory(binary)
    for f in failures:
        print("FAIL:", f)
    print(f"{passed} passed, {len(failures)} failed")
    return 1 if failures else 0


def strict_and_exit_codes(binary):
    """Issue 18: a truncated mdoc exits 1; --strict exits 4 for a valid document that misses
    what EMDB needs or whose files disagree, 0 for a complete one."""
    site = os.path.join(ROOT, "tests", "data", "extract", "site_krios.toml")
    with open(os.path.join(LIFE, "mdocs", "TS_41.mrc.mdoc"), encoding="utf-8", newline="") as f:
        ts41 = f.read()
    with tempfile.TemporaryDirectory() as tmp:
        cut = os.path.join(tmp, "TS_1.mrc.mdoc")
        with open(cut, "w") as f:
            f.write("Voltage = 3")  # 11 bytes: the first line of a cut-off file
        rc, out, err = run(binary, cut)
        check("truncated mdoc exit 1", rc == 1 and out == "", f"rc={rc} out={out[:100]!r}")
        check("truncated mdoc names file and line", f"{cut}:1:" in err and err.count("\n") == 1, repr(err))

        complete = os.path.join(tmp, "complete")
        os.makedirs(complete)
        with open(os.path.join(complete, "TS_41.mrc.mdoc"), "w", newline="") as f:
            f.write(ts41)
        rc, out, err = run(binary, complete, "--site", site, "--strict")
        check("--strict complete exit 0", rc == 0, f"rc={rc} {err[-400:]}")

        no_dose = os.path.join(tmp, "no_dose")
        os.makedirs(no_dose)
        text = re.sub(r"ExposureDose = [0-9.]+", "ExposureDose = 0", ts41)
        text = re.sub(r"FrameDosesAndNumber = [^\r\n]*\r?\n", "", text)
        with open(os.path.join(no_dose, "TS_41.mrc.mdoc"), "w", newline="") as f:
            f.write(text)
        rc, out, err = run(binary, no_dose, "--site", site)
        check("gap is a warning", "missing acquisition.dose_per_movie" in err and rc == 0, f"rc={rc} {err[-400:]}")
        rc, out, err = run(binary, no_dose, "--site", site, "--strict", "-q")
        check("--strict gap exit 4", rc == 4, f"rc={rc}")
        check("--strict gap message", "dose_per_movie" in err and err.count("\n") == 1, repr(err))
        check("--strict still writes the document", json.loads(out).get("acquisition", {}).get("technique") == "subtomo",
              out[:200])

        conflict = os.path.join(tmp, "conflict")
        os.makedirs(conflict)
        for name, mag in (("TS_1.mrc.mdoc", "53000"), ("TS_2.mrc.mdoc", "64000")):
            with open(os.path.join(conflict, name), "w", newline="") as f:
                f.write(ts41.replace("Magnification = 53000", "Magnification = " + mag))
        rc, out, err = run(binary, conflict, "--site", site, "--strict", "-q")
        check("--strict conflict exit 4", rc == 4, f"rc={rc}")
        check("--strict conflict message", "conflict" in err and "TS_1.mrc.mdoc 53000" in err and
              "TS_2.mrc.mdoc 64000" in err, repr(err))
        check("conflicting value left out", "nominal_magnification" not in json.loads(out)["acquisition"], out[:300])


def detector_conflict_and_overviews(binary):
    """Issue 18: two tilt series on different cameras are a conflict naming files and values,
    with no detector chosen; a folder of nothing but overviews and montages exits 1 with one
    line that names them (docs/extract.md, exit codes)."""
    site = os.path.join(ROOT, "tests", "data", "extract", "site_krios.toml")  # camera 0 K2, 1 Ceta
    with open(os.path.join(LIFE, "mdocs", "TS_41.mrc.mdoc"), encoding="utf-8", newline="") as f:
        ts41 = f.read()
    check("TS_41 is on camera 0", "CameraIndex = 0" in ts41 and "CameraIndex = 1" not in ts41, "fixture changed")
    with tempfile.TemporaryDirectory() as tmp:
        cameras = os.path.join(tmp, "cameras")
        os.makedirs(cameras)
        for name, index in (("TS_1.mrc.mdoc", "0"), ("TS_2.mrc.mdoc", "1")):
            with open(os.path.join(cameras, name), "w", newline="") as f:
                f.write(ts41.replace("CameraIndex = 0", "CameraIndex = " + index))
        rc, out, err = run(binary, cameras, "--site", site)
        check("detector conflict exit 0", rc == 0, f"rc={rc} {err[-400:]}")
        line = next((l for l in err.splitlines() if "conflict: acquisition.detectors" in l), "")
        check("detector conflict names files and values",
              "differs between tilt series" in line and "TS_1.mrc.mdoc Gatan K2 Summit" in line and
              "TS_2.mrc.mdoc Ceta 16M" in line and "not averaged" in line, repr(err[-800:]))
        doc = json.loads(out) if rc == 0 else {}
        detectors = doc.get("acquisition", {}).get("detectors", [])
        check("no detector chosen", all("name" not in d for d in detectors), ascii(detectors))
        check("the series' other values stay", abs(doc.get("acquisition", {}).get("pixel_size", {}).get("value", 0) - 2.66) < 1e-9,
              ascii(doc.get("acquisition", {}).get("pixel_size")))
        rc, out, err = run(binary, cameras, "--site", site, "--strict", "-q")
        check("detector conflict --strict exit 4", rc == 4 and "conflict: acquisition.detectors" in err, f"rc={rc} {err!r}")

        overviews = os.path.join(tmp, "overviews")
        os.makedirs(os.path.join(overviews, "Images-Disc1", "GridSquare_4590776"))
        head, first, rest = ts41.partition("[ZValue")
        with open(os.path.join(overviews, "LMM_1.mrc.mdoc"), "w", newline="") as f:  # Montage = 1
            f.write(head.replace("ImageFile = ", "Montage = 1\r\nImageFile = ", 1) + first + rest)
        with open(os.path.join(overviews, "LMM_2.mrc.mdoc"), "w", newline="") as f:  # [MontSection] only
            f.write(ts41 + "\r\n[MontSection = 0]\r\nTiltAngle = 0\r\n")
        grid = os.path.join(overviews, "Images-Disc1", "GridSquare_4590776", "GridSquare_20240406_102420.xml")
        with open(grid, "w") as f:
            f.write("<MicroscopeImage/>")  # listed, never read in a folder
        rc, out, err = run(binary, overviews, "--site", site)
        check("overviews only exit 1", rc == 1 and out == "", f"rc={rc} out={out[:100]!r}")
        check("overviews only one line", err.count("\n") == 1 and err.startswith("openem extract: "), repr(err))
        for needle in ("only overview images here", "2 montage/overview .mdoc files", "LMM_1.mrc.mdoc (Montage = 1)",
                       "LMM_2.mrc.mdoc ([MontSection] section)", "1 EPU grid-square/foil-hole image",
                       "GridSquare_20240406_102420.xml", "never describe an acquisition"):
            check(f"overviews only message has {needle!r}", needle in err, repr(err))


def big_mdoc_memory(binary):
    """Issue 18: a 200 MB mdoc took 1.5 GB. Sections are streamed: a file near the 256 MiB
    limit must stay under 64 MB of resident memory."""
    with open(os.path.join(LIFE, "mdocs", "TS_41.mrc.mdoc"), "rb") as f:
        text = f.read()
    first = text.index(b"[ZValue")
    head, body = text[:first], text[first:]
    sections = [b"[ZValue" + s for s in body.split(b"[ZValue")[1:]]
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "TS_big.mrc.mdoc")
        size, n = len(head), 0
        with open(path, "wb") as f:
            f.write(head)
            target = 250 * 1024 * 1024
            while size < target:
                block = b"".join(sections)
                f.write(block)
                size += len(block)
                n += len(sections)
        with open(os.devnull, "wb") as devnull:
            proc = subprocess.Popen([binary, "extract", path, "-q"], stdout=devnull, stderr=subprocess.PIPE)
            _, status, usage = os.wait4(proc.pid, 0)
        rc = os.waitstatus_to_exitcode(status)
        peak_mb = usage.ru_maxrss / 1024
        check("big mdoc exit 0", rc == 0, f"rc={rc} {proc.stderr.read()[:300]!r}")
        check("big mdoc peak memory < 64 MB", peak_mb < 64, f"{peak_mb:.1f} MB for {size / 1e6:.0f} MB")
        print(f"big mdoc: {size / 1e6:.0f} MB, {n} sections, peak RSS {peak_mb:.1f} MB")


if __name__ == "__main__":
    sys.exit(main())
