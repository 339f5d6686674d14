#!/usr/bin/env bash
# The catalog benchmark on both catalogs in one run, one after the other on the same machine:
# SQLite, then PostgreSQL (a throwaway cluster of Debian's postgresql-15), same synthetic
# datasets and queries. Writes bench/results/catalog-sqlite.json, catalog-postgres.json and
# catalog-backends.json, and prints the two side by side (target: every query's p50 on
# PostgreSQL within 2x of SQLite's).
#
#   N=20000 QUERY_MAX_SECONDS=5 WRK_SECONDS=5 bench/catalog/compare_backends.sh    # ~10 minutes
#   N=1000000 bench/catalog/compare_backends.sh                                     # hours
set -euo pipefail
cd "$(dirname "$0")/../.."
export SQLITE_N=0  # the raw-SQLite baseline belongs to run.sh's own report
CATALOG=sqlite OUT=bench/results/catalog-sqlite.json bench/catalog/run.sh
CATALOG=postgres OUT=bench/results/catalog-postgres.json bench/catalog/run.sh
python3 bench/catalog/report.py compare bench/results/catalog-sqlite.json bench/results/catalog-postgres.json \
  --out bench/results/catalog-backends.json
