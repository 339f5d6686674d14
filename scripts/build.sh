#!/usr/bin/env bash
# Configures (once) and builds openem into build/, and the data portal into web/dist. Builds take a machine-wide lock so that
# two builds never compete for the two cores (helpers and CI share the machine).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
# ccache keys on paths relative to the checkout, so a clone elsewhere (CI, a fresh-clone
# check) reuses the objects another checkout compiled.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo} ${CMAKE_ARGS:-} >/dev/null
fi
# The portal (web/) first: a no-op when web/dist is newer than its sources.
flock /tmp/openem-build.lock scripts/build-web.sh
# Arguments are target names (none: everything).
targets=()
[ $# -gt 0 ] && targets=(--target "$@")
exec flock /tmp/openem-build.lock cmake --build "$BUILD_DIR" -j "${JOBS:-$(nproc)}" "${targets[@]}"
