#!/usr/bin/env bash
# Starts or stops the Podman 5.8 test engine: Debian sid's podman (in a sid root made by
# fetch-sid-podman.sh, kept in GPUDECK_TEST_SID_ROOT between runs) as
# `podman system service --time=0`, chrooted into that root in a mount namespace of its own
# with /proc, /sys (the cgroup file systems with it), /dev and a fresh /run mounted, and DIR bound
# in at /gpudeck. Its socket is DIR/podman.sock; its storage and containers.conf are under DIR.
# The host's /etc/cdi and /var/run/cdi are bound in: Podman does not say which spec directories
# it reads (nor its devices), so GPU Deck reads those two on the host, as for any local Podman.
# The stand-in GPUs are CDI devices nvidia.com/gpu=<uuid> for the UUIDs in DIR/gpu-uuids (names no
# other spec uses), in /var/run/cdi/gpudeck-test58-<unique>.yaml, a file this engine owns and
# removes on stop; DIR/cdi-spec names it.
# DIR/podman-cli runs the engine's own podman CLI against it.
#
#   test-podman58.sh start DIR   start (or restart); prints unix://DIR/podman.sock
#   test-podman58.sh stop DIR    stop, and remove DIR (the root stays)
set -euo pipefail

cmd=${1:-}
dir=${2:-}
if [[ -z "$cmd" || -z "$dir" ]]; then
    echo "usage: $0 start|stop DIR" >&2
    exit 2
fi
dir=$(realpath -m "$dir")
scripts=$(dirname "$(realpath "$0")")
# shellcheck source=test-lib.sh
source "$scripts/test-lib.sh"
root=$(realpath -m "${GPUDECK_TEST_SID_ROOT:-$dir-root}")
host="unix://$dir/podman.sock"
unique=$(printf '%s' "$dir" | sha256sum | cut -c1-12)
spec="/var/run/cdi/gpudeck-test58-$unique.yaml"

# The service's own podman CLI, inside its namespace and root (the socket is /gpudeck/podman.sock).
in_engine() {
    local pid
    pid=$(cat "$dir/podman.pid")
    nsenter --target "$pid" --mount --root --wd=/ podman --url unix:///gpudeck/podman.sock "$@"
}

stop_engine() {
    if [[ -f "$dir/podman.pid" ]]; then
        local pid
        pid=$(cat "$dir/podman.pid" 2>/dev/null || true)
        if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
            in_engine rm -af -t 0 >/dev/null 2>&1 || true
            kill -TERM "$pid" 2>/dev/null || true
            for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    rm -f "$spec"
    # conmon and containers that outlived the service: the processes whose root is this root.
    local p
    for p in /proc/[0-9]*; do
        if [[ "$(readlink "$p/root" 2>/dev/null)" == "$root" ]]; then
            kill -KILL "${p#/proc/}" 2>/dev/null || true
        fi
    done
}

case "$cmd" in
stop)
    stop_engine
    rm -rf "$dir"
    exit 0
    ;;
start) ;;
*)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac

if [[ $(id -u) -ne 0 ]]; then
    echo "test-podman58: the Podman 5.8 test engine runs as root; run the tests as root." >&2
    exit 1
fi
"$scripts/fetch-sid-podman.sh" "$root" >/dev/null

stop_engine
rm -rf "$dir"
mkdir -p "$dir/storage" "$dir/runroot" "$dir/tmp" "$dir/rootfs" "$root/gpudeck" /var/run/cdi
nofile=$(ulimit -Hn)
nproc=$(ulimit -Hu)
[[ "$nofile" == unlimited || "$nofile" -gt 4096 ]] && nofile=4096
[[ "$nproc" == unlimited || "$nproc" -gt 4096 ]] && nproc=4096
# runc, not crun: crun refuses hosts with hybrid cgroups (v1 with the v2 hierarchy beside it).
cat >"$dir/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]
netns = "none"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
runtime = "runc"
CONF
cat >"$dir/storage.conf" <<CONF
[storage]
driver = "vfs"
graphroot = "/gpudeck/storage"
runroot = "/gpudeck/runroot"
CONF

uuid0="GPU-$unique-0000-4000-8000-000000000000"
uuid1="GPU-$unique-0000-4000-8000-000000000001"
printf '%s\n%s\n' "$uuid0" "$uuid1" >"$dir/gpu-uuids"
write_cdi_yaml "$spec" "$uuid0:U0" "$uuid1:U1"
echo "$spec" >"$dir/cdi-spec"

# The service writes its own pid (setsid may fork, so $! would not be it); exec keeps that pid
# through unshare and chroot. The root is bound onto itself first: runc marks "/" a slave mount,
# which fails where "/" is no mount point. Podman 5 warns about cgroups v1 on hosts that still have it.
setsid sh -c '
    echo $$ >"$1/podman.pid"
    exec unshare -m --propagation private sh -c "
        mount --bind \"\$2\" \"\$2\" &&
        mount -t proc proc \"\$2/proc\" &&
        mount --rbind /sys \"\$2/sys\" &&
        mount --rbind /dev \"\$2/dev\" &&
        mount -t tmpfs tmpfs \"\$2/run\" &&
        mkdir -p \"\$2/run/cdi\" \"\$2/etc/cdi\" &&
        mount --bind /var/run/cdi \"\$2/run/cdi\" &&
        { [ ! -d /etc/cdi ] || mount --bind /etc/cdi \"\$2/etc/cdi\"; } &&
        mount --bind \"\$1\" \"\$2/gpudeck\" &&
        exec chroot \"\$2\" env PODMAN_IGNORE_CGROUPSV1_WARNING=1 \
            CONTAINERS_CONF=/gpudeck/containers.conf \
            CONTAINERS_STORAGE_CONF=/gpudeck/storage.conf TMPDIR=/gpudeck/tmp \
            podman --root /gpudeck/storage --runroot /gpudeck/runroot --tmpdir /gpudeck/tmp \
            system service --time=0 unix:///gpudeck/podman.sock" sh "$1" "$2"' \
    sh "$dir" "$root" >"$dir/podman.log" 2>&1 </dev/null &

deadline=$((SECONDS + 60))
until [[ -S "$dir/podman.sock" ]] && in_engine version >/dev/null 2>&1; do
    if (( SECONDS > deadline )); then
        echo "test-podman58: podman system service did not answer within 60 s; its log follows." >&2
        tail -n 30 "$dir/podman.log" >&2 || true
        exit 1
    fi
    sleep 0.2
done

# DIR/podman-cli: the engine's own podman 5.8 CLI as a remote client, for the tests (the host's
# podman is 4.3).
cat >"$dir/podman-cli" <<CLI
#!/bin/sh
exec nsenter --target "\$(cat '$dir/podman.pid')" --mount --root --wd=/ \\
    podman --url unix:///gpudeck/podman.sock "\$@"
CLI
chmod +x "$dir/podman-cli"

make_test_rootfs "$dir/rootfs"
tar -C "$dir/rootfs" -c . | in_engine import \
    --change 'ENV PATH=/bin' --change 'CMD ["nvidia-smi"]' \
    --change 'LABEL com.nvidia.volumes.needed=nvidia_driver' \
    - gpudeck-test:latest >/dev/null
in_engine tag gpudeck-test:latest gpudeck-demo:latest
echo "$host"
