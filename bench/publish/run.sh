#!/usr/bin/env bash
# Publishing benchmark (issue #13): builds openem and catalog_bench, starts `openem serve` on a
# fresh data directory (127.0.0.1 only) whose test clock stands at 2019-01-01 (so no embargo of
# the loaded data ends during the run), loads N synthetic OSC-EM datasets of which
# PUBLISHED_PERCENT are public, then measures (bench/publish/measure.py):
#   * landing page p50/p95 of random public datasets (HTML and JSON-LD), beside /ping;
#   * sitemap index and sitemap page p50, warm (cached) and cold (after a write);
#   * OAI-PMH ListRecords full harvest (records/s), when the server has /oai;
#   * the embargo sweep: SWEEP datasets whose embargo ends in the same minute, the clock moved
#     past it, time until all of them are public through the API, and the sweep's own time;
# and the raw SQLite baseline of the same run (catalog_bench sqlite: primary-key lookups of the
# same documents, with and without parsing and re-serialising).
# Writes bench/results/publish.json and prints a table.
#
#   N=100000 bench/publish/run.sh        # ~4 minutes of loading
#   bench/publish/run.sh                 # N=1,000,000 (~20 minutes of loading)
#
# Environment: N (1000000), PUBLISHED_PERCENT (50), SWEEP (10000), RUNS (requests per latency
# series, 500), LOAD_THREADS (4), BASELINE_N (N), DATA_DIR (reuse: loaded only up to N),
# (its test clock in DATA_DIR.clock), KEEP_DATA=1, OUT (bench/results/publish.json), BUILD_DIR (build).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
N=${N:-1000000}
PUBLISHED_PERCENT=${PUBLISHED_PERCENT:-50}
SWEEP=${SWEEP:-10000}
RUNS=${RUNS:-500}
LOAD_THREADS=${LOAD_THREADS:-4}
BASELINE_N=${BASELINE_N:-$N}
BUILD_DIR=${BUILD_DIR:-build}
OUT=${OUT:-bench/results/publish.json}
KEEP_DATA=${KEEP_DATA:-0}

scripts/install-deps.sh
scripts/build.sh openem catalog_bench >/dev/null
GIT_REV="$(git rev-parse --short HEAD)$(git diff --quiet -- src || echo +dirty)"
OPENEM=$ROOT/$BUILD_DIR/openem
BENCH=$ROOT/$BUILD_DIR/bench/catalog/catalog_bench

WORK=$(mktemp -d /tmp/openem-publish-bench.XXXXXX)
DATA_DIR=${DATA_DIR:-$WORK/data}
mkdir -p "$DATA_DIR" "$(dirname "$OUT")"
ADMIN_PW=bench-admin-pw
INGEST_PW=bench-ingestor-pw
cat >"$WORK/accounts.json" <<JSON
[{"username":"ingestor","email":"ingestor@example.org","password":"$INGEST_PW","role":"ingestor"}]
JSON
# The test clock: an offset in ms from the real clock; measure.py moves it for the sweep. It
# lives beside a reused DATA_DIR so that the next run's clock goes on from where this one left:
# restarting it at 2019-01-01 would put the datestamps of earlier loads in its future, and an
# OAI-PMH list (which ends "now") would leave them out.
CLOCK=${DATA_DIR%/}.clock
[ -s "$CLOCK" ] ||
  python3 -c 'import time,calendar; print(int((calendar.timegm((2019,1,1,0,0,0)) - time.time()) * 1000))' >"$CLOCK"

SPID=""
cleanup() {
  if [ -n "$SPID" ] && kill -0 "$SPID" 2>/dev/null; then kill "$SPID"; wait "$SPID" 2>/dev/null || true; fi
  if [ "$KEEP_DATA" != 1 ]; then rm -rf "$WORK"; else echo "data kept in $DATA_DIR" >&2; fi
}
trap cleanup EXIT

OPENEM_ADMIN_PASSWORD=$ADMIN_PW FUNCTIONAL_ACCOUNTS_FILE=$WORK/accounts.json OPENEM_TEST_CLOCK_FILE=$CLOCK \
  OPENEM_EMBARGO_CHECK_SECONDS=1 OPENEM_PUBLIC_URL=https://data.example.org \
  CREATE_DATASET_PRIVILEGED_GROUPS=ingestor OPENEM_LOG_LEVEL=info JWT_EXPIRES_IN=604800 OPENEM_ARCHIVE_WORKER=false \
  "$OPENEM" serve --data-dir "$DATA_DIR" --listen 127.0.0.1:0 >"$WORK/server.log" 2>&1 &
SPID=$!
for _ in $(seq 1 600); do
  grep -q 'listening on' "$WORK/server.log" && break
  kill -0 "$SPID" || { cat "$WORK/server.log" >&2; exit 1; }
  sleep 0.1
done
URL=$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$WORK/server.log" | head -1)
[ -n "$URL" ] || { echo "server did not start" >&2; cat "$WORK/server.log" >&2; exit 1; }

ADMIN_TOKEN=$(curl -sf -XPOST -H 'Content-Type: application/json' -d "{\"username\":\"admin\",\"password\":\"$ADMIN_PW\"}" \
  "$URL/api/v3/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
loaded=$(curl -sf "$URL/api/v3/datasets/count" -H "Authorization: Bearer $ADMIN_TOKEN" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["count"])')
echo "publish bench: server pid $SPID at $URL, data $DATA_DIR, $loaded datasets, N=$N" >&2
LOAD_JSON=null
if [ "$loaded" -lt "$N" ]; then
  LOAD_JSON=$("$BENCH" load --url "$URL" --user ingestor --password "$INGEST_PW" --from "$loaded" --to "$N" \
    --threads "$LOAD_THREADS" --published-percent "$PUBLISHED_PERCENT" --data-dir "$DATA_DIR")
fi
sleep 2  # the writer's last group commit and the WAL copy settle

echo "publish bench: raw SQLite baseline at $BASELINE_N documents" >&2
BASELINE_JSON=$(cd "$WORK" && "$BENCH" sqlite --n "$BASELINE_N" --db "$WORK/baseline.db")
rm -f "$WORK"/baseline.db*

python3 bench/publish/measure.py --url "$URL" --n "$N" --runs "$RUNS" --sweep "$SWEEP" \
  --ingestor-password "$INGEST_PW" --admin-token "$ADMIN_TOKEN" --clock "$CLOCK" --server-log "$WORK/server.log" \
  --published-percent "$PUBLISHED_PERCENT" --git-rev "$GIT_REV" --load "$LOAD_JSON" --baseline "$BASELINE_JSON" --out "$OUT"
