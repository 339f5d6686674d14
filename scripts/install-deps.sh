#!/usr/bin/env bash
# Installs every Debian package openem needs to build, test and benchmark.
# Idempotent: skips apt entirely when all packages are already present.
set -euo pipefail
PACKAGES=(
  cmake ninja-build ccache g++ pkg-config git
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libsqlite3-dev sqlite3 libpcre2-dev libpq-dev libssl-dev libargon2-dev libcurl4-openssl-dev
  libldap-dev slapd ldap-utils openssl
  libpugixml-dev libxml2-dev libxml2-utils libvalijson-dev libudunits2-dev libtiff-dev
  libcli11-dev libspdlog-dev libfmt-dev libtomlplusplus-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang-14 libclang-rt-14-dev
  python3 curl wrk s3cmd
  gemmi libcifpp-data
  postgresql-15 haproxy
  rabbitmq-server librabbitmq-dev  # the rabbitmq job action and AMQP event subscribers (tests start their own broker)
  systemd python3-yaml  # tests/deploy: systemd-analyze verify, compose.yaml
)
# tests/uploads/tus_js_client_test.py installs tus-js-client with npm (nodesource's nodejs
# package ships npm; Debian's does not).
PACKAGES+=(nodejs)
command -v npm >/dev/null 2>&1 || PACKAGES+=(npm)
# The portal's browser tests (tests/portal) drive Debian's chromium headless with playwright-core.
PACKAGES+=(chromium fonts-dejavu-core)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian starts the system's slapd when it installs it; the tests start their own
  # (tests/identity/slapd.mjs), so the system one is stopped again.
  if [[ " ${missing[*]} " == *" slapd "* ]] && [ -f /run/slapd/slapd.pid ]; then
    $SUDO kill "$(cat /run/slapd/slapd.pid)" 2>/dev/null || true
  fi
  # The same for RabbitMQ (tests/support/rabbitmq.mjs starts a broker of its own).
  if [[ " ${missing[*]} " == *" rabbitmq-server "* ]] && command -v service >/dev/null; then
    $SUDO service rabbitmq-server stop >/dev/null 2>&1 || true
  fi
fi
# tests/archive validate bags with python3-bagit when the distribution has it (Debian 12 does
# not ship it; the tests then run the same checks with the standard library).
if apt-cache show python3-bagit >/dev/null 2>&1 && ! dpkg-query -W -f='${Status}' python3-bagit 2>/dev/null | grep -q "install ok installed"; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends python3-bagit >/dev/null || true
fi
