#!/bin/sh
# Builds the libFuzzer target with clang-14 (ASan + UBSan) in its own build directory and runs
# it for a bounded time over a copy of the seed corpus. Any crash, sanitizer report, leak or
# timeout makes libFuzzer exit non-zero, and so fails the test.
#   run-fuzz.sh SOURCE_DIR BUILD_DIR        GPUDECK_FUZZ_SECONDS overrides the 60 s run
set -eu

src=$(cd "$1" && pwd)
build=$2
seconds=${GPUDECK_FUZZ_SECONDS:-60}

for tool in clang-14 clang++-14; do
    command -v "$tool" >/dev/null || { echo "run-fuzz: $tool is missing (apt-get install clang-14 libclang-rt-14-dev)" >&2; exit 1; }
done

CC=clang-14 CXX=clang++-14 cmake -S "$src/tests/fuzz/standalone" -B "$build" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGPUDECK_SOURCE_DIR="$src" >"$build.configure.log" 2>&1 \
    || { cat "$build.configure.log" >&2; exit 1; }
cmake --build "$build" -j2

# The corpus grows while fuzzing; keep the seeds in the source tree untouched.
rm -rf "$build/corpus" "$build/artifacts"
mkdir -p "$build/corpus" "$build/artifacts"
cp "$src"/tests/fuzz/corpus/* "$build/corpus/"

exec "$build/fuzz_response" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=8192 -print_final_stats=1 -artifact_prefix="$build/artifacts/" "$build/corpus"
