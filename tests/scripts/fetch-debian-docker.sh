#!/usr/bin/env bash
# Fetches the Docker engine of a Debian suite (docker.io: dockerd; docker-cli; containerd) with
# `apt-get download` through a private sources list, and unpacks it under DIR/root: trixie's is
# Docker 26 with containerd 1.7, sid's Docker 28.5 with containerd 2.1. Both need only glibc 2.34,
# so they run on bookworm; runc stays bookworm's (theirs needs glibc 2.38). Nothing is installed
# and the system's apt state is not touched. A second call with DIR filled is a no-op.
#
#   fetch-debian-docker.sh SUITE DIR   prints DIR/root
set -euo pipefail

suite=${1:?usage: $0 SUITE DIR}
dir=${2:?usage: $0 SUITE DIR}
dir=$(realpath -m "$dir")
root="$dir/root"
if [[ -x "$root/usr/sbin/dockerd" && -x "$root/usr/bin/containerd" && -x "$root/usr/bin/docker" ]]; then
    echo "$root"
    exit 0
fi
mirror=${GPUDECK_DEBIAN_MIRROR:-http://deb.debian.org/debian}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
rm -rf "$dir"
mkdir -p "$dir/apt/lists/partial" "$dir/apt/cache/archives/partial" "$dir/debs" "$root"
echo "deb [signed-by=$keyring] $mirror $suite main" >"$dir/apt/sources.list"
apt_opts=(
    -o "Dir::Etc::SourceList=$dir/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$dir/apt/lists" -o "Dir::Cache=$dir/apt/cache"
    -o APT::Get::List-Cleanup=0 -o APT::Sandbox::User=root -q
)
if ! apt-get "${apt_opts[@]}" update >"$dir/apt.log" 2>&1; then
    echo "fetch-debian-docker: apt-get update from $mirror ($suite) failed; its log follows." >&2
    tail -n 20 "$dir/apt.log" >&2
    exit 1
fi
(cd "$dir/debs" && apt-get "${apt_opts[@]}" download docker.io docker-cli containerd >>"$dir/apt.log" 2>&1) || {
    echo "fetch-debian-docker: apt-get download of $suite's docker.io, docker-cli and containerd failed; its log follows." >&2
    tail -n 20 "$dir/apt.log" >&2
    exit 1
}
for deb in "$dir"/debs/*.deb; do
    dpkg-deb -x "$deb" "$root"
done
rm -rf "$dir/apt/lists" "$dir/debs"
"$root/usr/sbin/dockerd" --version >/dev/null
echo "$root"
