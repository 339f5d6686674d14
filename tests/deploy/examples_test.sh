#!/usr/bin/env bash
# The deployment examples in deploy/ are read by the tools that will run them:
#  - haproxy -c accepts both load-balancer configurations;
#  - systemd-analyze verify accepts the units (ExecStart pointed at the built binary, run as
#    root since the test machine has no `openem` user) with no warning;
#  - the command line of each unit starts: `openem serve` with the unit's flags listens,
#    `openem archiver` runs; both stop on SIGTERM, as the units' KillSignal expects;
#  - compose.yaml is YAML naming the five services and files that exist;
#  - every OPENEM_* setting of openem.env.example is one openem reads.
# usage: examples_test.sh OPENEM_BINARY
set -euo pipefail
openem=$(realpath "${1:?usage: $0 OPENEM_BINARY}")
here=$(cd "$(dirname "$0")/../../deploy" && pwd)
src=$(cd "$here/../src" && pwd)
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

for cfg in haproxy.cfg compose-haproxy.cfg; do
  haproxy -c -q -f "$here/$cfg" || fail "haproxy refuses deploy/$cfg"
done

for unit in openem-serve@.service openem-archiver.service; do
  name=$unit
  [ "$unit" = openem-serve@.service ] && name=openem-serve@3001.service
  sed -e "s|/usr/local/bin/openem|$openem|" -e 's/^User=openem/User=root/' -e 's/^Group=openem/Group=root/' \
    "$here/systemd/$unit" >"$work/$name"
  out=$(systemd-analyze verify "$work/$name" 2>&1) || fail "systemd-analyze verify $unit: $out"
  [ -z "$out" ] || fail "systemd-analyze verify $unit warns: $out"
done

# The units' command lines, with the unit's flags (a data directory of its own, a port).
serve_flags=$(sed -n 's|^ExecStart=/usr/local/bin/openem serve ||p' "$here/systemd/openem-serve@.service")
[[ $serve_flags == "--data-dir /var/lib/openem/serve-%i --listen 127.0.0.1:%i" ]] ||
  fail "the serve unit's flags changed ($serve_flags): update this test"
OPENEM_ADMIN_PASSWORD=examples-admin "$openem" serve --data-dir "$work/serve" --listen 127.0.0.1:0 >"$work/serve.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do grep -q 'listening on' "$work/serve.log" && break; sleep 0.1; done
grep -q 'listening on' "$work/serve.log" || fail "openem serve with the unit's flags did not start: $(cat "$work/serve.log")"
archiver_flags=$(sed -n 's|^ExecStart=/usr/local/bin/openem archiver ||p' "$here/systemd/openem-archiver.service")
[[ $archiver_flags == "--data-dir /var/lib/openem/archiver" ]] || fail "the archiver unit's flags changed: update this test"
"$openem" archiver --data-dir "$work/serve" >"$work/archiver.log" 2>&1 &
archiver=$!
pids+=($archiver)
sleep 1
kill -0 "$archiver" 2>/dev/null || fail "openem archiver did not keep running: $(cat "$work/archiver.log")"
for p in "${pids[@]}"; do
  kill -TERM "$p"
  for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$p" 2>/dev/null && fail "process $p ignored SIGTERM for 10 s"
done
pids=()

python3 - "$here" <<'PY' || fail "compose.yaml"
import os, sys, yaml
here = sys.argv[1]
doc = yaml.safe_load(open(os.path.join(here, "compose.yaml")))
assert sorted(doc["services"]) == ["api1", "api2", "archiver", "haproxy", "postgres"], sorted(doc["services"])
assert os.path.exists(os.path.join(here, "Dockerfile"))
for vol in doc["services"]["haproxy"]["volumes"]:
    assert os.path.exists(os.path.join(here, vol.split(":")[0])), vol
for name in ("api1", "api2", "archiver"):
    assert doc["services"][name]["command"][0] == "openem", name
PY

while IFS='=' read -r key _; do
  [[ $key == OPENEM_* ]] || continue
  grep -rqs "\"$key\"" "$src" || fail "openem.env.example sets $key, which openem does not read"
done <"$here/openem.env.example"
echo "deploy examples: ok"
