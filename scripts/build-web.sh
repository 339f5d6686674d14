#!/usr/bin/env bash
# Builds the data portal (web/, docs/portal.md) into web/dist when web/dist is missing or
# older than the portal's sources: `npm ci` against the committed lock file (only when
# node_modules is missing or older than the lock), then `npm run build` (type check, Vite,
# gzip size of the first page's JavaScript, checked against its 150 kB budget).
# Called by scripts/build.sh under the machine-wide build lock.
set -euo pipefail
cd "$(dirname "$0")/../web"
if ! command -v npm >/dev/null 2>&1; then
  echo "build-web: npm not found, the portal is not built (run scripts/install-deps.sh)" >&2
  exit 0
fi
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
stamp=dist/index.html
if [ -f "$stamp" ] && [ -z "$(find src public index.html vite.config.ts tsconfig.json package.json package-lock.json scripts \
      -newer "$stamp" -print -quit)" ]; then
  exit 0
fi
npm run build --silent
