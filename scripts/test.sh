#!/usr/bin/env bash
# Installs what the tests need, builds openem, and runs the whole test suite: unit tests,
# API scenarios against the real server, and short fuzzing runs. Exit code 0 = all passed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
status=0
(cd build && ctest -j "$(nproc)" --output-on-failure --timeout 600) || status=1
if [ -x tests/fuzz/run.sh ]; then
  tests/fuzz/run.sh || status=1
fi
exit $status
