#!/usr/bin/env bash
# Builds the libFuzzer targets with clang-14 into build-fuzz/ and runs each for a short time
# (FUZZ_SECONDS, default 20) seeded from the shared test data. Exit code != 0 on a crash.
# Usage: tests/fuzz/run.sh [target...]     (targets: mdoc mdoc_stream epu_xml mrc filter identity cif)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
SHARED=${OPENEM_SHARED_DIR:-$ROOT/../shared}/testdata
BUILD=${FUZZ_BUILD_DIR:-build-fuzz}
SECONDS_PER_TARGET=${FUZZ_SECONDS:-20}
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(mdoc mdoc_stream epu_xml mrc filter identity cif)

if [ ! -f "$BUILD/build.ninja" ]; then
  CC=clang-14 CXX=clang++-14 cmake -S tests/fuzz -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER_LAUNCHER= >/dev/null
fi
# Same machine-wide lock as scripts/build.sh: never two builds at once on the two cores.
flock /tmp/openem-build.lock cmake --build "$BUILD" -j "${JOBS:-$(nproc)}" --target "${TARGETS[@]/%/_fuzz}"

seed_dir() {  # copies seeds into a fresh corpus dir (the fuzzer writes new inputs there)
  local name=$1 corpus="$BUILD/corpus/$1"
  mkdir -p "$corpus"
  case $name in
    mdoc|mdoc_stream) find "$SHARED/mdoc" "$SHARED/oscem" -name '*.mdoc' -size -64k -exec cp -n {} "$corpus/" \; ;;
    epu_xml) find "$SHARED/epu" "$SHARED/oscem/osc-em_oscem-extractor-life/tests/xml" -name '*.xml' -size -64k \
               -exec cp -n {} "$corpus/" \; ;;
    filter) cp -n tests/fuzz/seeds/filter/* "$corpus/" ;;
    cif) cp -n tests/data/export/model.cif "$SHARED/oscem/osc-em_converter-OSCEM-to-mmCIF/results/output_example.cif" \
           "$corpus/" ;;
    mrc) find "$SHARED/mrc" \( -name '*.mrc' -o -name '*.map' -o -name '*.st' \) -size -64k -exec cp -n {} "$corpus/" \; ;;
  esac
  # Hand-written seeds of any target (tests/fuzz/seeds/<target>/).
  if [ -d "tests/fuzz/seeds/$name" ]; then cp -rn "tests/fuzz/seeds/$name/." "$corpus/"; fi
  echo "$corpus"
}

status=0
for t in "${TARGETS[@]}"; do
  corpus=$(seed_dir "$t")
  echo "== fuzzing $t for ${SECONDS_PER_TARGET}s (corpus $corpus)"
  if ! "$BUILD/${t}_fuzz" -max_total_time="$SECONDS_PER_TARGET" -max_len=65536 -timeout=10 \
        -rss_limit_mb=2048 -artifact_prefix="$BUILD/crash-$t-" "$corpus" 2>"$BUILD/$t.log"; then
    echo "!! $t: crash or leak, see $BUILD/$t.log and $BUILD/crash-$t-*"
    tail -30 "$BUILD/$t.log"
    status=1
  else
    grep -E "^(#[0-9]+|Done).*" "$BUILD/$t.log" | tail -1
  fi
done
exit $status
