#!/usr/bin/env bash
# Makes a Debian sid root with Podman 5.8 in it: debootstrap --variant=minbase from the same
# archive as everything else, then apt-get install of podman, crun, runc, netavark (with nftables
# for published ports) and catatonit inside it. sid's podman needs glibc 2.38, so it cannot run on bookworm directly; test-podman58.sh
# runs it chrooted into this root. Nothing on the host is installed or changed. A second call
# with ROOT made is a no-op (the stamp ROOT/.gpudeck-ready says it is complete).
#
#   fetch-sid-podman.sh ROOT   prints ROOT
set -euo pipefail

root=$(realpath -m "${1:?usage: $0 ROOT}")
if [[ -f "$root/.gpudeck-ready" && -x "$root/usr/bin/podman" ]]; then
    echo "$root"
    exit 0
fi
if ! command -v debootstrap >/dev/null; then
    echo "fetch-sid-podman: debootstrap is missing; install it (packaging/install-deps.sh does)." >&2
    exit 1
fi
mirror=${GPUDECK_DEBIAN_MIRROR:-http://deb.debian.org/debian}
rm -rf "$root"
mkdir -p "$(dirname "$root")"
log="$root.log"
if ! debootstrap --variant=minbase sid "$root" "$mirror" >"$log" 2>&1; then
    echo "fetch-sid-podman: debootstrap of sid from $mirror failed; its log follows." >&2
    tail -n 20 "$log" >&2
    exit 1
fi
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
# apt inside the root needs /proc; a private mount namespace keeps the mount from outliving it.
# The archive's Release files may be older than their Valid-Until on a machine with a later clock.
if ! unshare -m --propagation private sh -c '
        mount -t proc proc "$1/proc" &&
        chroot "$1" env DEBIAN_FRONTEND=noninteractive sh -c "
            apt-get -q -o Acquire::Check-Valid-Until=false update &&
            apt-get install -y -q --no-install-recommends podman crun runc netavark nftables catatonit &&
            apt-get clean"' sh "$root" >>"$log" 2>&1; then
    echo "fetch-sid-podman: installing podman in the sid root failed; its log follows." >&2
    tail -n 20 "$log" >&2
    exit 1
fi
rm -rf "$root/var/lib/apt/lists"/*
touch "$root/.gpudeck-ready"
echo "$root"
