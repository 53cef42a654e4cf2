#!/usr/bin/env bash
# Runs clang-tidy (the repository's .clang-tidy) over C++ files with the build's
# compile_commands.json. Usage: check-tidy.sh BUILD_DIR [FILE...]; without files, every tracked
# *.cpp under app/ and ui/. Exit 0: clean; 1: findings; 2: no clang-tidy or no compile database.
set -euo pipefail
build=$(realpath "$1")
shift
cd "$(dirname "$0")/../.."

tidy=${CLANG_TIDY:-}
if [[ -z "$tidy" ]]; then
    for candidate in clang-tidy-14 clang-tidy; do
        if command -v "$candidate" >/dev/null; then
            tidy=$candidate
            break
        fi
    done
fi
[[ -n "$tidy" ]] || { echo "FAIL: no clang-tidy found: install clang-tidy-14 (packaging/install-deps.sh)"; exit 2; }
[[ -f "$build/compile_commands.json" ]] || { echo "FAIL: no $build/compile_commands.json (configure with CMake first)"; exit 2; }

files=("$@")
if [[ ${#files[@]} -eq 0 ]]; then
    mapfile -t files < <(git ls-files -- 'app/*.cpp' 'ui/*.cpp')
fi
jobs=${GPUDECK_TIDY_JOBS:-$(nproc)}
# -Wshadow=local and friends are GCC's.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
printf '%s\0' "${files[@]}" | xargs -0 -n 4 -P "$jobs" \
    "$tidy" -p "$build" --quiet --extra-arg=-Wno-unknown-warning-option >"$log" 2>&1 || true
if grep -E '(warning|error): ' "$log" | grep -v 'warnings generated' >/dev/null; then
    grep -E -A3 '(warning|error): ' "$log"
    echo "FAIL: clang-tidy ($tidy) found $(grep -cE '(warning|error): ' "$log") findings in ${#files[@]} files"
    exit 1
fi
echo "tidy ok: ${#files[@]} files ($tidy)"
