#!/usr/bin/env bash
# Installs what the tests need, builds openem, and runs the whole test suite: unit tests,
# API scenarios against the real server, durability tests, and short fuzzing runs of every
# parser. Exit code 0 = all passed; the last line sums up all of it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
log=$(mktemp)
status=0
(cd build && ctest -j "$(nproc)" --output-on-failure --timeout 600) 2>&1 | tee "$log" || status=1
total=$(grep -oP 'tests failed out of \K[0-9]+' "$log" | tail -1)
failed=$(grep -oP '[0-9]+(?= tests failed out of)' "$log" | tail -1)
[ "${failed:-1}" = 0 ] || status=1
fuzz_passed=0 fuzz_failed=0
for target in mdoc epu_xml mrc filter identity cif; do
  if FUZZ_SECONDS=${FUZZ_SECONDS:-20} tests/fuzz/run.sh "$target"; then
    fuzz_passed=$((fuzz_passed + 1))
  else
    fuzz_failed=$((fuzz_failed + 1))
    status=1
  fi
done
rm -f "$log"
echo "openem: $(( ${total:-0} - ${failed:-0} + fuzz_passed )) passed, $(( ${failed:-0} + fuzz_failed )) failed"
exit $status
