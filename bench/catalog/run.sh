#!/usr/bin/env bash
# Catalog benchmark: builds openem + catalog_bench, starts `openem serve` on a fresh data
# directory (127.0.0.1 only), loads N synthetic OSC-EM datasets through POST /api/v3/Datasets,
# and at each checkpoint measures load rate, database size, server RSS, endpoint latencies
# (user in 3 groups and admin), wrk get-by-pid vs /ping; then a raw-SQLite baseline.
# Writes bench/results/catalog.json and prints a table.
#
#   N=20000 bench/catalog/run.sh                      # quick run (a minute or two)
#   N=1000000 CHECKPOINTS=100000,1000000 bench/catalog/run.sh
#
# Environment: N (default 1000000), CHECKPOINTS (comma list, default N), LOAD_THREADS (4),
# QUERY_ITERS (200), QUERY_MAX_SECONDS (20 per endpoint and principal), QUERY_TIMEOUT (60 s), WRK_SECONDS (15),
# WRK_CONNECTIONS (64), SQLITE_N (default N), MIN_FREE_GB (15: the loader stops early below it),
# DATA_DIR (default a fresh temp dir), KEEP_DATA=1 keeps it, OUT (default bench/results/catalog.json), BUILD_DIR (build),
# CATALOG=postgres: the catalog in a throwaway PostgreSQL 15 cluster (scripts/postgres-test-cluster.sh)
# instead of SQLite; bench/catalog/compare_backends.sh runs both and prints them side by side.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
N=${N:-1000000}
CHECKPOINTS=${CHECKPOINTS:-$N}
LOAD_THREADS=${LOAD_THREADS:-4}
QUERY_ITERS=${QUERY_ITERS:-200}
QUERY_MAX_SECONDS=${QUERY_MAX_SECONDS:-20}
QUERY_TIMEOUT=${QUERY_TIMEOUT:-60}
WRK_SECONDS=${WRK_SECONDS:-15}
WRK_CONNECTIONS=${WRK_CONNECTIONS:-64}
SQLITE_N=${SQLITE_N:-$N}
MIN_FREE_GB=${MIN_FREE_GB:-15}
BUILD_DIR=${BUILD_DIR:-build}
OUT=${OUT:-bench/results/catalog.json}
KEEP_DATA=${KEEP_DATA:-0}
CATALOG=${CATALOG:-sqlite}

scripts/install-deps.sh
scripts/build.sh openem catalog_bench >/dev/null
GIT_REV="$(git rev-parse --short HEAD)$(git diff --quiet -- src || echo +dirty)"  # what was built
OPENEM=$ROOT/$BUILD_DIR/openem
BENCH=$ROOT/$BUILD_DIR/bench/catalog/catalog_bench

WORK=$(mktemp -d /tmp/openem-catalog-bench.XXXXXX)
DATA_DIR=${DATA_DIR:-$WORK/data}
mkdir -p "$DATA_DIR" "$(dirname "$OUT")"
ADMIN_PW=bench-admin-pw
INGEST_PW=bench-ingestor-pw
USER_PW=bench-user-pw
cat >"$WORK/accounts.json" <<EOF
[{"username":"ingestor","email":"ingestor@example.org","password":"$INGEST_PW","role":"ingestor"},
 {"username":"u3","email":"u3@example.org","password":"$USER_PW","role":["group1","group2","group3"]}]
EOF

SPID=""
CATALOG_ARGS=()
if [ "$CATALOG" = postgres ]; then
  chmod 755 "$WORK"  # the cluster runs as an unprivileged user when this runs as root
  CATALOG_ARGS=(--catalog "$(scripts/postgres-test-cluster.sh start "$WORK/postgres")")
fi
cleanup() {
  if [ -n "$SPID" ] && kill -0 "$SPID" 2>/dev/null; then kill "$SPID"; wait "$SPID" 2>/dev/null || true; fi
  [ "$CATALOG" != postgres ] || scripts/postgres-test-cluster.sh stop "$WORK/postgres"
  if [ "$KEEP_DATA" != 1 ]; then rm -rf "$WORK"; else echo "data kept in $DATA_DIR" >&2; fi
}
trap cleanup EXIT

OPENEM_ADMIN_PASSWORD=$ADMIN_PW FUNCTIONAL_ACCOUNTS_FILE=$WORK/accounts.json \
  CREATE_DATASET_PRIVILEGED_GROUPS=ingestor OPENEM_LOG_LEVEL=warn JWT_EXPIRES_IN=604800 \
  "$OPENEM" serve --data-dir "$DATA_DIR" "${CATALOG_ARGS[@]}" --listen 127.0.0.1:0 >"$WORK/server.log" 2>&1 &
SPID=$!
for _ in $(seq 1 100); do
  grep -q 'listening on' "$WORK/server.log" && break
  kill -0 "$SPID" || { cat "$WORK/server.log" >&2; exit 1; }
  sleep 0.1
done
URL=$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$WORK/server.log" | head -1)
[ -n "$URL" ] || { echo "server did not start" >&2; cat "$WORK/server.log" >&2; exit 1; }
echo "catalog bench: server pid $SPID at $URL, data $DATA_DIR, N=$N checkpoints=$CHECKPOINTS" >&2

proc_kb() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$SPID/status"; }
mem_json() {  # RssFile counts mmap'ed database pages once per connection mapping them
  printf '{"vmrss_kb":%s,"vmhwm_kb":%s,"rss_anon_kb":%s,"rss_file_kb":%s,"rss_shmem_kb":%s}' \
    "$(proc_kb VmRSS)" "$(proc_kb VmHWM)" "$(proc_kb RssAnon)" "$(proc_kb RssFile)" "$(proc_kb RssShmem)"
}
disk_json() {
  local total db wal
  total=$(du -sb "$DATA_DIR" | cut -f1)
  if [ "$CATALOG" = postgres ]; then  # the database's files (tables, indexes, WAL)
    db=$(du -sb "$WORK/postgres/data" | cut -f1)
    printf '{"data_dir_bytes":%s,"catalog_db_bytes":%s,"wal_bytes":0}' "$total" "$db"
    return
  fi
  db=$(stat -c %s "$DATA_DIR/catalog.db" 2>/dev/null || echo 0)
  wal=$(stat -c %s "$DATA_DIR/catalog.db-wal" 2>/dev/null || echo 0)
  printf '{"data_dir_bytes":%s,"catalog_db_bytes":%s,"wal_bytes":%s}' "$total" "$db" "$wal"
}
login() {
  curl -sf -X POST -H 'Content-Type: application/json' -d "{\"username\":\"$1\",\"password\":\"$2\"}" \
    "$URL/api/v3/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}
run_wrk() {  # $1 = path or "", extra env via BENCH_PIDS_FILE
  wrk -t2 -c"$WRK_CONNECTIONS" -d"${WRK_SECONDS}s" -s "$ROOT/bench/catalog/wrk.lua" "$URL$1" | sed -n 's/^WRKJSON //p'
}
# get-by-pid and /ping as the same client work: both requests come from wrk.lua's request()
# with the admin token, so the two differ only in what the server does. wrk shares the two
# cores with the server, and its per-request Lua call alone costs /ping ~8 % of its rate.
# Two rounds each, alternating, so that a drift in the machine's speed touches both alike;
# then /ping once more as wrk's fixed request without a token (the form of sessions 1-5).
run_wrk_pair() {
  local get=() ping=() i
  for i in 1 2; do
    get+=("$(BENCH_PIDS_FILE=$WORK/pids.txt BENCH_TOKEN=$ADMIN_TOKEN run_wrk "")")
    ping+=("$(BENCH_PIDS_FILE=$WORK/ping-paths.txt BENCH_TOKEN=$ADMIN_TOKEN run_wrk "")")
  done
  local static
  static=$(run_wrk /ping)
  python3 "$ROOT/bench/catalog/report.py" wrk-rounds "${get[@]}" -- "${ping[@]}" -- "$static"
}

wait_idle() {  # until the server uses < 10% of a core (abandoned requests finish first)
  local prev now
  prev=$(awk '{print $14 + $15}' "/proc/$SPID/stat")
  for _ in $(seq 1 1800); do
    sleep 1
    now=$(awk '{print $14 + $15}' "/proc/$SPID/stat")
    [ $((now - prev)) -lt $(($(getconf CLK_TCK) / 10)) ] && return 0
    prev=$now
  done
}

MEM_IDLE=$(mem_json)
ADMIN_TOKEN=$(login admin "$ADMIN_PW")
RESULTS="$WORK/checkpoints.jsonl"
: >"$RESULTS"
loaded=0
IFS=, read -ra CPS <<<"$CHECKPOINTS"
for cp in "${CPS[@]}"; do
  [ "$cp" -gt "$loaded" ] || continue
  echo "== load $loaded -> $cp" >&2
  LOAD=$("$BENCH" load --url "$URL" --user ingestor --password "$INGEST_PW" --from "$loaded" --to "$cp" \
    --threads "$LOAD_THREADS" --data-dir "$DATA_DIR" --min-free-gb "$MIN_FREE_GB") || true  # failed requests are counted in the JSON
  # The loader stops early when the disk runs low (the WAL grows without bound under load).
  cp=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["to"])' "$LOAD")
  loaded=$cp
  MEM_LOADED=$(mem_json)
  sleep 2  # let the WAL auto-checkpoint settle before measuring size
  DISK=$(disk_json)
  echo "== queries at N=$cp" >&2
  QUERY=$("$BENCH" query --url "$URL" --n "$cp" --user u3 --password "$USER_PW" --admin-password "$ADMIN_PW" \
    --iters "$QUERY_ITERS" --max-seconds "$QUERY_MAX_SECONDS" --timeout "$QUERY_TIMEOUT" --server-pid "$SPID")
  MEM_QUERIED=$(mem_json)
  wait_idle
  echo "== wrk get-by-pid and /ping at N=$cp" >&2
  "$BENCH" pids --n "$cp" --out "$WORK/pids.txt" --count 100000
  for _ in $(seq 1 1000); do echo /ping; done >"$WORK/ping-paths.txt"
  WRK=$(run_wrk_pair)
  MEM_WRK=$(mem_json)
  if grep -q '"stopped"' <<<"$LOAD"; then STOP=1; else STOP=0; fi
  printf '{"n":%s,"loadavg":"%s","load":%s,"disk":%s,"memory":{"after_load":%s,"after_queries":%s,"after_wrk":%s},"latency":%s,"wrk":%s}\n' \
    "$cp" "$(cut -d' ' -f1-3 /proc/loadavg)" "$LOAD" "$DISK" "$MEM_LOADED" "$MEM_QUERIED" "$MEM_WRK" "$QUERY" "$WRK" >>"$RESULTS"
  [ "$STOP" = 0 ] || { echo "stopped loading at $cp: low disk space" >&2; break; }
done
# POST /Datasets with one and with two API processes on the one PostgreSQL catalog (issue #16:
# two at least 1.5x one), at the N just measured: POST_PROCESSES_N more datasets through the
# running server alone, then as many through it and a second server (half the load threads
# each). The machine's CPU use of each step (all processes: servers, PostgreSQL, loaders) says
# whether the cores, not the catalog, bound it.
POST_PROCESSES_N=${POST_PROCESSES_N:-4000}
PROCS=null
busy_jiffies() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }
if [ "$CATALOG" = postgres ] && [ "$POST_PROCESSES_N" -gt 0 ]; then
  echo "== POST with 1 and 2 API processes, $POST_PROCESSES_N datasets each" >&2
  load_slice() {  # url from to threads
    "$BENCH" load --url "$1" --user ingestor --password "$INGEST_PW" --from "$2" --to "$3" --threads "$4" \
      --data-dir "$DATA_DIR" --min-free-gb "$MIN_FREE_GB" 2>/dev/null
  }
  wait_idle
  from=$loaded; to=$((loaded + POST_PROCESSES_N))
  b0=$(busy_jiffies); t0=$(date +%s.%N)
  load_slice "$URL" "$from" "$to" "$LOAD_THREADS" >"$WORK/one.json"
  t1=$(date +%s.%N); b1=$(busy_jiffies)
  OPENEM_ADMIN_PASSWORD=$ADMIN_PW FUNCTIONAL_ACCOUNTS_FILE=$WORK/accounts.json \
    CREATE_DATASET_PRIVILEGED_GROUPS=ingestor OPENEM_LOG_LEVEL=warn JWT_EXPIRES_IN=604800 \
    "$OPENEM" serve --data-dir "$DATA_DIR" "${CATALOG_ARGS[@]}" --listen 127.0.0.1:0 >"$WORK/server2.log" 2>&1 &
  SPID2=$!
  for _ in $(seq 1 100); do grep -q 'listening on' "$WORK/server2.log" && break; sleep 0.1; done
  URL2=$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$WORK/server2.log" | head -1)
  [ -n "$URL2" ] || { echo "second server did not start" >&2; cat "$WORK/server2.log" >&2; exit 1; }
  wait_idle
  from=$to; mid=$((from + POST_PROCESSES_N / 2)); to=$((from + POST_PROCESSES_N))
  half=$(( (LOAD_THREADS + 1) / 2 ))
  b2=$(busy_jiffies); t2=$(date +%s.%N)
  load_slice "$URL" "$from" "$mid" "$half" >"$WORK/two-a.json" &
  A=$!
  load_slice "$URL2" "$mid" "$to" "$half" >"$WORK/two-b.json"
  wait "$A"
  t3=$(date +%s.%N); b3=$(busy_jiffies)
  kill "$SPID2"; wait "$SPID2" 2>/dev/null || true
  loaded=$to
  PROCS=$(python3 - "$POST_PROCESSES_N" "$t0" "$t1" "$t2" "$t3" "$b0" "$b1" "$b2" "$b3" "$(getconf CLK_TCK)" "$(nproc)" \
    "$WORK/one.json" "$WORK/two-a.json" "$WORK/two-b.json" <<'PY'
import json, sys
n, t0, t1, t2, t3, b0, b1, b2, b3, tick, cores = map(float, sys.argv[1:12])
runs = [json.load(open(p)) for p in sys.argv[12:]]
errors = sum(r["errors"] for r in runs)
def step(seconds, jiffies):
    cpu = jiffies / tick
    return {"per_s": n / seconds, "seconds": seconds, "cpu_ms_per_post": 1000 * cpu / n,
            "cores_busy": cpu / seconds, "cpu_bound_per_s": cores * n / cpu}
one, two = step(t1 - t0, b1 - b0), step(t3 - t2, b3 - b2)
print(json.dumps({"datasets_each": int(n), "errors": errors, "one_process": one, "two_processes": two,
                  "ratio": two["per_s"] / one["per_s"]}))
PY
)
  echo "POST with 1 and 2 API processes: $PROCS" >&2
fi

kill "$SPID"
wait "$SPID" 2>/dev/null || true
SPID=""

if [ "$SQLITE_N" -gt 0 ]; then
  echo "== raw SQLite baseline (N=$SQLITE_N)" >&2
  SQLITE=$("$BENCH" sqlite --db "$WORK/baseline.db" --n "$SQLITE_N" --lookup-seconds 10 --threads 2)
  rm -f "$WORK"/baseline.db*
else
  SQLITE=null
fi

python3 "$ROOT/bench/catalog/report.py" assemble "$RESULTS" "$OUT" \
  --meta "$(printf '{"catalog":"%s","n":%s,"date":"%s","cores":%s,"cpu":"%s","mem_total_kb":%s,"load_threads":%s,"wrk_connections":%s,"wrk_seconds":%s,"git":"%s","idle_memory":%s}' \
    "$CATALOG" "$N" "$(date -u +%Y-%m-%dT%H:%MZ)" "$(nproc)" "$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)" \
    "$(awk '/MemTotal/ {print $2}' /proc/meminfo)" "$LOAD_THREADS" "$WRK_CONNECTIONS" "$WRK_SECONDS" \
    "$GIT_REV" "$MEM_IDLE")" \
  --sqlite "$SQLITE" --post-processes "$PROCS"
python3 "$ROOT/bench/catalog/report.py" table "$OUT"
