#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for the tests, on a Unix socket inside DIR (no TCP port,
# nothing shared with the machine): initdb + pg_ctl from Debian's postgresql package, run as
# the unprivileged user `nobody` when called as root (PostgreSQL refuses to run as root).
#   scripts/postgres-test-cluster.sh start DIR   → creates and starts it; prints the catalog URL
#                                                  and writes it to DIR/url
#   scripts/postgres-test-cluster.sh stop DIR    → stops it and removes DIR
set -euo pipefail
cmd=${1:?usage: $0 start|stop DIR}
dir=${2:?usage: $0 start|stop DIR}
bin=${OPENEM_POSTGRES_BIN:-/usr/lib/postgresql/15/bin}

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi
}

case $cmd in
  start)
    [ -x "$bin/initdb" ] || { echo "postgres-test-cluster: no $bin/initdb (install Debian's postgresql)" >&2; exit 1; }
    if [ -f "$dir/url" ] && as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
      cat "$dir/url"
      exit 0
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    [ "$(id -u)" = 0 ] && chown nobody "$dir"
    # C collation: text sorts bytewise, as the SQLite store sorts it.
    as_owner "$bin/initdb" -D "$dir/data" -U openem --auth=trust --locale=C --encoding=UTF8 >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
    # Unix socket only, in DIR; durability settings as in production (fsync on).
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses='' -c unix_socket_directories='$dir' -c max_connections=200 -c shared_buffers=128MB" \
      start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    "$bin/createdb" -h "$dir" -U openem openem
    url="postgresql://openem@/openem?host=$dir"
    echo "$url" >"$dir/url"
    echo "$url"
    ;;
  stop)
    if [ -d "$dir/data" ]; then as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true; fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac
