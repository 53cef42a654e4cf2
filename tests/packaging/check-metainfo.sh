#!/usr/bin/env bash
# Validates the AppStream metainfo offline, and checks that it agrees with the build: its id,
# its launchable desktop file, its icon, and the newest release being this version.
set -euo pipefail
file=$1 version=$2 source_dir=$3
appstreamcli validate --no-net --explain "$file"
id=$(basename "$file" .metainfo.xml)
fail() { echo "$file: $*"; exit 1; }
grep -q "<id>$id</id>" "$file" || fail "the <id> is not $id"
grep -q "<launchable type=\"desktop-id\">$id.desktop</launchable>" "$file" || fail "launchable is not $id.desktop"
[[ -f "$source_dir/packaging/$id.desktop" ]] || fail "no packaging/$id.desktop"
[[ -f "$source_dir/resources/icons/$id.svg" ]] || fail "no resources/icons/$id.svg"
# Screenshots are served from the repository: each must be a file in the source tree.
prefix=https://github.com/gpudeck/gpudeck/raw/main/
for url in $(grep -o '<image>[^<]*</image>' "$file" | sed 's/<[^>]*>//g'); do
    [[ "$url" == "$prefix"* ]] || fail "screenshot $url is not under $prefix"
    [[ -f "$source_dir/${url#"$prefix"}" ]] || fail "screenshot ${url#"$prefix"} is not in the source tree"
done
newest=$(grep -o '<release version="[^"]*"' "$file" | head -n 1 | cut -d'"' -f2)
[[ "$newest" == "$version" ]] || fail "the newest release is $newest, the project is $version"
echo "metainfo ok"
