#!/usr/bin/env bash
# Runs the benchmarks against a fresh sandboxed engine and prints their figures (as root).
#   tests/scripts/run-benchmarks.sh [BUILD_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(realpath "${1:-$here/../../build}")
engine="$build/bench-engine"
host=$("$here/test-engine.sh" start "$engine" | tail -n 1)
trap '"$here/test-engine.sh" stop "$engine"' EXIT
export GPUDECK_TEST_HOST="$host"
for bench in "$build"/tests/bench/bench_*; do
    echo "== $(basename "$bench")"
    "$bench"
done
