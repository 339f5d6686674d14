#!/usr/bin/env python3
"""`openem extract` as a user runs it: JSON on stdout, -o, --flat, --strict, exit codes and
one-line reasons. The extraction values themselves are checked by the unit tests in
src/extract; this checks the command's contract."""
import json
import os
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
    # Unknown technique: CLI11 refuses it with a usage error.
    rc, out, err = run(binary, os.path.join(LIFE, "mdocs"), "--technique", "astrology")
    check("bad technique refused", rc != 0, f"rc={rc}")
    for f in failures:
        print("FAIL:", f)
    print(f"{passed} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
