#!/usr/bin/env bash
# Portal benchmark: builds openem, catalog_bench and the portal, starts `openem serve` on a
# fresh data directory (127.0.0.1 only), loads N synthetic OSC-EM datasets with bench/catalog's
# loader, then measures in Debian's chromium (headless) how long after navigation the first
# search results are visible, for an anonymous visitor and a user in 3 groups, on four pages
# (home, text search, facet + unit condition, page 400), against the bare fullquery API call
# of the same query in the same browser as the baseline. Also the first page's JS gzip size.
# Writes bench/results/portal.json and prints a table.
#
#   N=100000 bench/portal/run.sh          # ~3 minutes of loading
#   bench/portal/run.sh                   # N=1,000,000 (~15 minutes of loading)
#
# Environment: N (default 1000000), RUNS (page loads per scenario, default 15), LOAD_THREADS (4),
# DATA_DIR (a data directory to reuse: datasets are loaded only up to N), KEEP_DATA=1,
# OUT (default bench/results/portal.json), BUILD_DIR (build).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
N=${N:-1000000}
RUNS=${RUNS:-15}
LOAD_THREADS=${LOAD_THREADS:-4}
BUILD_DIR=${BUILD_DIR:-build}
OUT=${OUT:-bench/results/portal.json}
KEEP_DATA=${KEEP_DATA:-0}

scripts/install-deps.sh
scripts/build.sh openem catalog_bench >/dev/null
GIT_REV="$(git rev-parse --short HEAD)$(git diff --quiet -- src web || echo +dirty)"
OPENEM=$ROOT/$BUILD_DIR/openem
BENCH=$ROOT/$BUILD_DIR/bench/catalog/catalog_bench

WORK=$(mktemp -d /tmp/openem-portal-bench.XXXXXX)
DATA_DIR=${DATA_DIR:-$WORK/data}
mkdir -p "$DATA_DIR" "$(dirname "$OUT")"
ADMIN_PW=bench-admin-pw
INGEST_PW=bench-ingestor-pw
USER_PW=bench-user-pw
cat >"$WORK/accounts.json" <<JSON
[{"username":"ingestor","email":"ingestor@example.org","password":"$INGEST_PW","role":"ingestor"},
 {"username":"u3","email":"u3@example.org","password":"$USER_PW","role":["group1","group2","group3"]}]
JSON

SPID=""
cleanup() {
  if [ -n "$SPID" ] && kill -0 "$SPID" 2>/dev/null; then kill "$SPID"; wait "$SPID" 2>/dev/null || true; fi
  if [ "$KEEP_DATA" != 1 ]; then rm -rf "$WORK"; else echo "data kept in $DATA_DIR" >&2; fi
}
trap cleanup EXIT

OPENEM_ADMIN_PASSWORD=$ADMIN_PW FUNCTIONAL_ACCOUNTS_FILE=$WORK/accounts.json OPENEM_WEB_DIR=$ROOT/web/dist \
  CREATE_DATASET_PRIVILEGED_GROUPS=ingestor OPENEM_LOG_LEVEL=warn JWT_EXPIRES_IN=604800 OPENEM_ARCHIVE_WORKER=false \
  "$OPENEM" serve --data-dir "$DATA_DIR" --listen 127.0.0.1:0 >"$WORK/server.log" 2>&1 &
SPID=$!
for _ in $(seq 1 600); do
  grep -q 'listening on' "$WORK/server.log" && break
  kill -0 "$SPID" || { cat "$WORK/server.log" >&2; exit 1; }
  sleep 0.1
done
URL=$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$WORK/server.log" | head -1)
[ -n "$URL" ] || { echo "server did not start" >&2; cat "$WORK/server.log" >&2; exit 1; }

loaded=$(curl -sf -u x:x "$URL/api/v3/datasets/count" -H "Authorization: Bearer $(curl -sf -XPOST -H 'Content-Type: application/json' \
  -d "{\"username\":\"admin\",\"password\":\"$ADMIN_PW\"}" "$URL/api/v3/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["count"])')
echo "portal bench: server pid $SPID at $URL, data $DATA_DIR, $loaded datasets, N=$N" >&2
LOAD_JSON=null
if [ "$loaded" -lt "$N" ]; then
  LOAD_JSON=$("$BENCH" load --url "$URL" --user ingestor --password "$INGEST_PW" --from "$loaded" --to "$N" --threads "$LOAD_THREADS")
fi
sleep 2  # the writer's last group commit and the WAL copy settle

node bench/portal/measure.mjs --url "$URL" --n "$N" --runs "$RUNS" --user u3 --password "$USER_PW" \
  --git-rev "$GIT_REV" --load "$LOAD_JSON" --bundle web/dist/bundle-size.json --out "$OUT"
