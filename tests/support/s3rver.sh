#!/usr/bin/env bash
# Starts and stops the S3 servers that the S3 blob store's tests talk to: npm `s3rver` (an S3
# server written in Node) on 127.0.0.1, and tests/support/s3_fault_proxy.js in front of it
# (which checks every request's SigV4 signature with npm @smithy/signature-v4, since s3rver
# does not, and injects the faults a test asks for).
#
#   s3rver.sh start <dir> [<owner pid>]
#   s3rver.sh stop <dir>
#
# start installs s3rver@3.7.1 and @smithy/signature-v4@5.3.8 with npm the first time (into
# $OPENEM_S3RVER_DIR, by default ${TMPDIR:-/tmp}/openem-s3rver-3.7.1-sigv4-5.3.8, reused
# afterwards; under a lock, since tests run in parallel), serves <dir>/data with the bucket
# ${OPENEM_S3RVER_BUCKET:-openem-test} on a free port, starts the proxy in front of it, and
# writes "http://127.0.0.1:<port>" into <dir>/endpoint (s3rver itself), <dir>/checked_endpoint
# (the proxy: signatures checked) and <dir>/proxy_endpoint (the proxy: signatures checked,
# faults injected on request). The credentials are s3rver's own:
# S3RVER / S3RVER. With <owner pid>, both servers stop when that process ends, so a test that
# crashes leaves nothing running. Exits 0 once both listen; otherwise non-zero with the reason
# and the end of their logs on stderr. Needs node and npm (nodejs).
set -euo pipefail

S3RVER_VERSION=3.7.1
SIGV4_VERSION=5.3.8
action=${1:-}
dir=${2:-}
owner=${3:-}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

die() {
  echo "s3rver.sh: $*" >&2
  exit 1
}

[ -n "$dir" ] || die "usage: s3rver.sh start|stop <dir> [<owner pid>]"

# Running, not a zombie: the servers outlive this script, so whoever inherits them (often a
# container's init) may take its time to reap them.
running() {
  local state
  state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
  [ -n "$state" ] && [ "$state" != Z ]
}

stop_pid_file() {
  local file=$1 pid
  [ -f "$file" ] || return 0
  pid=$(cat "$file")
  rm -f "$file"
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 50); do
    running "$pid" || return 0
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
}

case "$action" in
  stop)
    stop_pid_file "$dir/watchdog.pid"
    stop_pid_file "$dir/proxy.pid"
    stop_pid_file "$dir/s3rver.pid"
    rm -f "$dir/endpoint" "$dir/checked_endpoint" "$dir/proxy_endpoint"
    exit 0
    ;;
  start) ;;
  *) die "usage: s3rver.sh start|stop <dir> [<owner pid>]" ;;
esac

command -v node >/dev/null 2>&1 || die "node is not installed (Debian: apt-get install nodejs; scripts/install-deps.sh)"
mkdir -p "$dir/data"
rm -f "$dir/endpoint" "$dir/checked_endpoint" "$dir/proxy_endpoint"

install_dir=${OPENEM_S3RVER_DIR:-${TMPDIR:-/tmp}/openem-s3rver-$S3RVER_VERSION-sigv4-$SIGV4_VERSION}
main=$install_dir/node_modules/s3rver/bin/s3rver.js
signer=$install_dir/node_modules/@smithy/signature-v4/package.json
installed() { [ -f "$main" ] && [ -f "$signer" ]; }
if ! installed; then
  command -v npm >/dev/null 2>&1 || die "npm is not installed, and s3rver is not in $install_dir yet"
  mkdir -p "$(dirname "$install_dir")"
  (
    flock 9
    if ! installed; then
      # Installed beside and moved in whole, so an interrupted install is never mistaken for one.
      tmp=$(mktemp -d "$install_dir.tmp.XXXXXX")
      if ! npm install --no-audit --no-fund --loglevel=error --prefix "$tmp" \
        "s3rver@$S3RVER_VERSION" "@smithy/signature-v4@$SIGV4_VERSION" >&2; then
        rm -rf "$tmp"
        die "npm install s3rver@$S3RVER_VERSION @smithy/signature-v4@$SIGV4_VERSION failed"
      fi
      rm -rf "$install_dir"
      mv "$tmp" "$install_dir"
    fi
  ) 9>"$install_dir.lock"
fi

# s3rver's continuation tokens are DES-encrypted, which OpenSSL 3 (Node >= 17) only has in its
# legacy provider; without it every truncated listing fails with InternalError.
node_flags=()
if node --openssl-legacy-provider -e 0 >/dev/null 2>&1; then node_flags=(--openssl-legacy-provider); fi

# Waits for "<what> listening on 127.0.0.1:<port>" in a log; prints the port.
wait_for_port() {
  local log=$1 pid=$2 what=$3 port
  for _ in $(seq 300); do
    port=$(grep -o "$what listening on 127\.0\.0\.1:[0-9]*" "$log" 2>/dev/null | head -1 | cut -d: -f2 || true)
    if [ -n "$port" ]; then
      echo "$port"
      return 0
    fi
    if ! running "$pid"; then
      echo "s3rver.sh: $what exited before listening; the end of $log:" >&2
      tail -20 "$log" >&2
      return 1
    fi
    sleep 0.1
  done
  echo "s3rver.sh: $what did not listen within 30 s; the end of $log:" >&2
  tail -20 "$log" >&2
  return 1
}

node "${node_flags[@]}" "$main" -d "$dir/data" -a 127.0.0.1 -p 0 \
  --configure-bucket "${OPENEM_S3RVER_BUCKET:-openem-test}" </dev/null >"$dir/s3rver.log" 2>&1 &
echo $! >"$dir/s3rver.pid"

if ! port=$(wait_for_port "$dir/s3rver.log" "$(cat "$dir/s3rver.pid")" S3rver); then
  "$0" stop "$dir"
  exit 1
fi
NODE_PATH="$install_dir/node_modules" node "$here/s3_fault_proxy.js" "http://127.0.0.1:$port" \
  </dev/null >"$dir/proxy.log" 2>&1 &
echo $! >"$dir/proxy.pid"
if ! proxy_port=$(wait_for_port "$dir/proxy.log" "$(cat "$dir/proxy.pid")" "fault proxy") ||
  ! checked_port=$(wait_for_port "$dir/proxy.log" "$(cat "$dir/proxy.pid")" "checking proxy"); then
  "$0" stop "$dir"
  exit 1
fi

if [ -n "$owner" ]; then
  (
    while running "$owner"; do sleep 1; done
    kill "$(cat "$dir/proxy.pid" 2>/dev/null)" "$(cat "$dir/s3rver.pid" 2>/dev/null)" 2>/dev/null
  ) </dev/null >/dev/null 2>&1 &
  echo $! >"$dir/watchdog.pid"
fi

echo "http://127.0.0.1:$port" >"$dir/endpoint.tmp" && mv "$dir/endpoint.tmp" "$dir/endpoint"
echo "http://127.0.0.1:$checked_port" >"$dir/checked_endpoint.tmp" && mv "$dir/checked_endpoint.tmp" "$dir/checked_endpoint"
echo "http://127.0.0.1:$proxy_port" >"$dir/proxy_endpoint.tmp" && mv "$dir/proxy_endpoint.tmp" "$dir/proxy_endpoint"
