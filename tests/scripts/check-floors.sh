#!/usr/bin/env bash
# Fails when folders of app/ and ui/ include each other in a cycle: each folder is a floor, and a
# floor may only include the floors below it. A folder is app/<dir>/, ui/<dir>/, or ui/ itself for
# the files directly in it; an include names its folder as `#include "folder/File.h"`.
# Usage: check-floors.sh [SOURCE_DIR]. Exit 0: no cycle; 1: a cycle, named on stdout.
set -euo pipefail
cd "${1:-$(dirname "$0")/../..}"

# The folder a file belongs to.
folder_of() {
    local path=$1 rest
    rest=${path#*/}
    if [[ $rest == */* ]]; then
        echo "${rest%%/*}"
    else
        echo "${path%%/*}"
    fi
}

# Every folder there is, so that an include of "engine/X.h" is told from one of <QtCore/X>.
mapfile -t known < <(find app ui -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort -u)
known+=(ui)
is_folder() {
    local f
    for f in "${known[@]}"; do
        [[ $f == "$1" ]] && return 0
    done
    return 1
}

edges=$(mktemp)
trap 'rm -f "$edges"' EXIT
while IFS= read -r file; do
    from=$(folder_of "$file")
    while IFS= read -r to; do
        if [[ -n $to && $to != "$from" ]] && is_folder "$to"; then
            echo "$from $to ($file)"
        fi
    done < <(sed -n 's|^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([a-z_]*\)/.*"|\1|p' "$file")
done < <(find app ui -type f \( -name '*.h' -o -name '*.cpp' \) | sort) >"$edges"

# tsort names the folders of a cycle when there is one.
if loop=$(cut -d' ' -f1,2 "$edges" | sort -u | tsort 2>&1 >/dev/null) && [[ -z $loop ]]; then
    echo "PASS: no cycle between the folders of app/ and ui/"
    exit 0
fi
members=$(sed -n 's/^tsort: \([^:]*\)$/\1/p' <<<"$loop" | sort -u | tr '\n' ' ')
echo "FAIL: these folders include each other in a cycle: ${members% }"
echo "The includes between them (each folder may only include the folders below it):"
for from in $members; do
    for to in $members; do
        grep "^$from $to " "$edges" | sed 's/^/  /' || true
    done
done
exit 1
