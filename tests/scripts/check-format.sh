#!/usr/bin/env bash
# Checks C++ files against the repository's .clang-format and prints the diff of each file that
# differs. Usage: check-format.sh [-i] [FILE...]; without files, every tracked *.cpp and *.h under
# app/ ui/ tests/. -i formats the files in place instead (the one-off formatting pass).
# Exit 0: all formatted; 1: some differ; 2: no clang-format.
set -euo pipefail
cd "$(dirname "$0")/../.."

in_place=0
if [[ "${1:-}" == -i ]]; then
    in_place=1
    shift
fi
formatter=${CLANG_FORMAT:-}
if [[ -z "$formatter" ]]; then
    for candidate in clang-format-14 clang-format-16 clang-format; do
        if command -v "$candidate" >/dev/null; then
            formatter=$candidate
            break
        fi
    done
fi
if [[ -z "$formatter" ]]; then
    echo "FAIL: no clang-format found: install clang-format-14 (packaging/install-deps.sh)"
    exit 2
fi

files=("$@")
if [[ ${#files[@]} -eq 0 ]]; then
    mapfile -t files < <(git ls-files -- 'app/*.cpp' 'app/*.h' 'ui/*.cpp' 'ui/*.h' 'tests/*.cpp' 'tests/*.h')
fi

if [[ $in_place -eq 1 ]]; then
    "$formatter" -i --style=file "${files[@]}"
    exit 0
fi

differ=0
for file in "${files[@]}"; do
    if ! "$formatter" --style=file "$file" | diff -u --label "$file" --label "$file (formatted)" "$file" -; then
        differ=$((differ + 1))
    fi
done
if [[ $differ -ne 0 ]]; then
    echo "FAIL: $differ of ${#files[@]} files differ from .clang-format ($formatter); run tests/scripts/check-format.sh -i FILE..."
    exit 1
fi
echo "format ok: ${#files[@]} files ($formatter)"
