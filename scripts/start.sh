#!/usr/bin/env bash
# Quick start: installs what openem needs, builds it, and runs `openem serve` on embedded
# defaults (SQLite under ./openem-data, http://127.0.0.1:3000) with a small sample catalog.
# The admin password is printed once on first start (or set OPENEM_ADMIN_PASSWORD).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh openem
exec build/openem serve --sample-data "$@"
