#!/usr/bin/env bash
# Validates the desktop file. desktop-file-validate exits 0 on warnings, so fail on those too;
# hints (such as two main categories, which is intended) pass.
set -euo pipefail
file=$1
out=$(desktop-file-validate "$file" 2>&1) || { echo "$out"; exit 1; }
[[ -n "$out" ]] && echo "$out"
if grep -Eq ': (error|warning):' <<<"$out"; then
    exit 1
fi
# The icon it names must be the one the build installs.
icon=$(sed -n 's/^Icon=//p' "$file")
if [[ "$icon" != "$(basename "$file" .desktop)" ]]; then
    echo "Icon=$icon is not the application id $(basename "$file" .desktop)"
    exit 1
fi
echo "desktop file ok"
