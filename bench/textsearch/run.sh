#!/usr/bin/env bash
# Text search cost against rows the caller cannot read (issue 20), and the reader-tagged
# index's size against format 11's untagged one, measured in the same run.
#   bench/textsearch/run.sh                 # N=100,000 datasets (~3 minutes on 2 cores)
#   N=1000000 bench/textsearch/run.sh       # a million (~30 minutes)
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${N:-100000}"
ITERATIONS="${ITERATIONS:-50}"
scripts/build.sh openem_textsearch_bench
work="$(mktemp -d "${TMPDIR:-/tmp}/openem-textsearch.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir -p bench/results
build/bench/textsearch/openem_textsearch_bench "$work" "$N" "$ITERATIONS" bench/results/textsearch.json
