#!/usr/bin/env bash
# Fails when folders of app/ and ui/ include each other in a cycle: each folder is a floor, and a
# floor may only include the floors below it. A folder is app/<dir>/, ui/<dir>/, or ui/ itself for
# the files directly in it. `#include "dir/File.h"` counts as an arrow to the folder that holds
# that file (app/dir or ui/dir: both are include roots, and may share a name such as launch).
# Usage: check-floors.sh [SOURCE_DIR]. Exit 0: no cycle; 1: a cycle, named on stdout.
set -euo pipefail
cd "${1:-$(dirname "$0")/../..}"

# The folder a file belongs to: app/gpu, ui/log, or ui.
folder_of() {
    local dir
    dir=$(dirname "$1")
    [[ $dir == */*/* ]] && dir=${dir%/*}
    [[ $dir == */*/* ]] && dir=${dir%/*}
    echo "$dir"
}

edges=$(mktemp)
trap 'rm -f "$edges"' EXIT
while IFS= read -r file; do
    from=$(folder_of "$file")
    while IFS= read -r included; do
        for root in app ui; do
            if [[ -f $root/$included ]]; then
                to=$(folder_of "$root/$included")
                [[ $to != "$from" ]] && echo "$from $to ($file)"
                break
            fi
        done
    done < <(sed -n 's|^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([A-Za-z0-9_]*/[^"]*\)".*|\1|p' "$file")
done < <(find app ui -type f \( -name '*.h' -o -name '*.cpp' \) | sort) >"$edges"

# tsort names the folders of a cycle when there is one.
if loop=$(cut -d' ' -f1,2 "$edges" | sort -u | tsort 2>&1 >/dev/null) && [[ -z $loop ]]; then
    echo "PASS: no cycle between the folders of app/ and ui/"
    exit 0
fi
# One group of names per loop tsort reports, each after its "input contains a loop" line.
echo "FAIL: folders of app/ and ui/ include each other in a cycle (a folder may only include the"
echo "folders below it):"
awk '/contains a loop/ { if (group != "") print group; group = ""; next }
     /^tsort: / { sub(/^tsort: /, ""); group = group " " $0 }
     END { if (group != "") print group }' <<<"$loop" |
    while read -r -a members; do
        echo "  cycle: ${members[*]}"
        for from in "${members[@]}"; do
            for to in "${members[@]}"; do
                grep -F "$from $to (" "$edges" | sed 's/^/    /' || true
            done
        done
    done
exit 1
