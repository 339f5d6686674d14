#!/usr/bin/env python3
"""Runs an end-to-end test with its catalog in PostgreSQL: creates a fresh database in the test
cluster (scripts/postgres-test-cluster.sh, named by OPENEM_TEST_POSTGRES_URL_FILE, which ctest's
`postgres` fixture sets), runs the command with OPENEM_CATALOG naming it — every `openem serve`
and `openem archiver` the test starts then keeps its catalog there — and drops it afterwards.

    with_postgres_catalog.py COMMAND [ARG...]

The test's exit code is this script's. A test whose servers must not share one catalog (several
independent servers at once) says so by failing: this wrapper does not hide it."""
import os
import subprocess
import sys
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "api"))
import run  # noqa: E402  (the API scenario runner: the test cluster's URL, as its --catalog postgres finds it)


def cluster_url():
    try:
        return run.postgres_cluster_url()
    except run.Fatal as e:
        sys.exit(f"with_postgres_catalog: {e}")


def psql(admin, sql):
    r = subprocess.run(["psql", admin, "-v", "ON_ERROR_STOP=1", "-qc", sql], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"with_postgres_catalog: psql: {sql}: {r.stderr.strip()}")


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    admin = cluster_url()
    name = f"openem_e2e_{os.getpid()}"
    psql(admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    psql(admin, f"CREATE DATABASE {name}")
    u = urllib.parse.urlsplit(admin)
    url = urllib.parse.urlunsplit((u.scheme, u.netloc, "/" + name, u.query, u.fragment))
    print(f"with_postgres_catalog: catalog {url}", flush=True)
    try:
        code = subprocess.call(sys.argv[1:], env={**os.environ, "OPENEM_CATALOG": url})
        # A harness that gave its servers an environment of its own would have tested SQLite:
        # the catalog must show openem's writes.
        r = subprocess.run(["psql", url, "-tAc", "SELECT value FROM openem_meta WHERE key = 'generation'"],
                           capture_output=True, text=True)
        writes = int(r.stdout.strip() or 0) if r.returncode == 0 else 0
        print(f"with_postgres_catalog: {writes} writes reached the PostgreSQL catalog", flush=True)
        if code == 0 and writes == 0:
            print("with_postgres_catalog: FAIL: the test passed without writing to the PostgreSQL catalog "
                  "(its servers did not get OPENEM_CATALOG)", flush=True)
            code = 1
    finally:
        subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], capture_output=True)
    sys.exit(code)


if __name__ == "__main__":
    main()
