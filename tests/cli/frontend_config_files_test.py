#!/usr/bin/env python3
"""`openem serve` with FRONTEND_CONFIG_FILE / FRONTEND_THEME_FILE that cannot be used: the
server does not start, exits non-zero and says which variable and file in one line (the
routes that serve them are checked by tests/api/scenarios/frontend/)."""
import os
import subprocess
import sys
import tempfile

failures = []


def serve(binary, data_dir, **env):
    full = dict(os.environ, OPENEM_ADMIN_PASSWORD="admin-pw-123", **env)
    p = subprocess.run([binary, "serve", "--data-dir", data_dir, "--listen", "127.0.0.1:0"],
                       env=full, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    return p.returncode, p.stderr


def expect_refusal(binary, tmp, name, variable, path, reason):
    rc, err = serve(binary, os.path.join(tmp, name), **{variable: path})
    last = err.strip().splitlines()[-1] if err.strip() else ""
    if rc == 0:
        failures.append(f"{name}: exit code 0, expected a refusal")
    if not (variable in last and path in last and reason in last):
        failures.append(f"{name}: last stderr line {last!r} should name {variable}, {path} and '{reason}'")


def main():
    binary = sys.argv[sys.argv.index("--binary") + 1]
    with tempfile.TemporaryDirectory() as tmp:
        bad = os.path.join(tmp, "bad.json")
        with open(bad, "w") as f:
            f.write('{"facility": ')
        array = os.path.join(tmp, "array.json")
        with open(array, "w") as f:
            f.write("[1, 2]")
        expect_refusal(binary, tmp, "malformed config", "FRONTEND_CONFIG_FILE", bad, "not valid JSON")
        expect_refusal(binary, tmp, "missing theme", "FRONTEND_THEME_FILE", os.path.join(tmp, "none.json"), "cannot read")
        expect_refusal(binary, tmp, "array theme", "FRONTEND_THEME_FILE", array, "must hold a JSON object")
    if failures:
        print("\n".join(failures))
        print(f"{len(failures)} failed")
        return 1
    print("3 passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
