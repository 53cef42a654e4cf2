#!/usr/bin/env bash
# Starts or stops the Podman test engine: Debian bookworm's Podman 4.3 as
# `podman system service --time=0 unix://DIR/podman.sock`, with its own --root, --runroot,
# storage.conf and containers.conf under DIR, no network, and the test image imported.
#
#   test-podman.sh start DIR   start (or restart); prints unix://DIR/podman.sock
#   test-podman.sh stop DIR    stop, remove the CDI spec file and DIR
#   test-podman.sh service-stop DIR    stop only the service: its containers run on (conmon)
#   test-podman.sh service-start DIR   start the service again on the same storage
#
# Podman 4.3 reads CDI specs only from /etc/cdi and /var/run/cdi, and a device defined in two
# files there is unresolvable. So the stand-in devices have names no other spec uses: the
# UUID-style names in DIR/gpu-uuids (nvidia.com/gpu=GPU-<unique>), defined in
# /var/run/cdi/gpudeck-test-<unique>.yaml, a file this engine owns and removes on stop. Each shows
# in its containers as a real GPU's node, /dev/nvidia0 and /dev/nvidia1 (/dev/null on the host),
# which is all Podman's inspect keeps of a CDI device once the container has started.
# containers.conf keeps default_ulimits under this machine's hard limits; without that containers
# fail to start on nofile/nproc.
set -euo pipefail

cmd=${1:-}
dir=${2:-}
if [[ -z "$cmd" || -z "$dir" ]]; then
    echo "usage: $0 start|stop|service-stop|service-start DIR" >&2
    exit 2
fi
dir=$(realpath -m "$dir")
scripts=$(dirname "$(realpath "$0")")
# shellcheck source=test-lib.sh
source "$scripts/test-lib.sh"
sock="$dir/podman.sock"
host="unix://$sock"
unique=$(printf '%s' "$dir" | sha256sum | cut -c1-12)
spec="/var/run/cdi/gpudeck-test-$unique.yaml"

podman_env() {
    env CONTAINERS_CONF="$dir/containers.conf" CONTAINERS_STORAGE_CONF="$dir/storage.conf" \
        TMPDIR="$dir/tmp" "$@"
}

# The service writes its own pid (setsid may fork, so $! would not be it).
start_service() {
    podman_env setsid sh -c 'echo $$ >"$1/podman.pid"; exec podman --root "$1/root" --runroot "$1/runroot" \
        --tmpdir "$1/tmp" system service --time=0 "$2"' sh "$dir" "$host" >>"$dir/podman.log" 2>&1 </dev/null &
    local deadline=$((SECONDS + 60))
    until podman --url "$host" version >/dev/null 2>&1; do
        if (( SECONDS > deadline )); then
            echo "test-podman: podman system service did not answer within 60 s; its log follows." >&2
            tail -n 30 "$dir/podman.log" >&2 || true
            exit 1
        fi
        sleep 0.2
    done
}

stop_service() {
    local pid
    pid=$(cat "$dir/podman.pid" 2>/dev/null || true)
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    fi
}

stop_engine() {
    if [[ -f "$dir/podman.pid" ]]; then
        local pid
        pid=$(cat "$dir/podman.pid" 2>/dev/null || true)
        if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
            podman_env podman --root "$dir/root" --runroot "$dir/runroot" rm -af -t 0 >/dev/null 2>&1 || true
        fi
        stop_service
    fi
    pkill -KILL -f "conmon.*$dir/" 2>/dev/null || true
    if [[ -d "$dir" ]]; then
        { grep -F " $dir/" /proc/self/mounts || true; } | awk '{print $2}' | sort -r |
            while read -r m; do umount -l "$m" 2>/dev/null || true; done
    fi
    rm -f "$spec"
}

case "$cmd" in
stop)
    stop_engine
    rm -rf "$dir"
    exit 0
    ;;
service-stop)
    stop_service
    exit 0
    ;;
service-start)
    start_service
    echo "$host"
    exit 0
    ;;
start) ;;
*)
    echo "usage: $0 start|stop|service-stop|service-start DIR" >&2
    exit 2
    ;;
esac

if [[ $(id -u) -ne 0 ]]; then
    echo "test-podman: the Podman test engine runs as root; run the tests as root." >&2
    exit 1
fi
for tool in podman busybox; do
    if ! command -v "$tool" >/dev/null; then
        echo "test-podman: $tool is missing; install podman and busybox-static (packaging/install-deps.sh does)." >&2
        exit 1
    fi
done

stop_engine
rm -rf "$dir"
mkdir -p "$dir/root" "$dir/runroot" "$dir/tmp" "$dir/rootfs" /var/run/cdi
# Well under the hard limits (Podman's defaults ask for more than this machine allows; the hard
# limit itself fails too, as the service may run with less than this shell).
nofile=$(ulimit -Hn)
nproc=$(ulimit -Hu)
[[ "$nofile" == unlimited || "$nofile" -gt 4096 ]] && nofile=4096
[[ "$nproc" == unlimited || "$nproc" -gt 4096 ]] && nproc=4096
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
graphroot = "$dir/root"
runroot = "$dir/runroot"
CONF

uuid0="GPU-$unique-0000-4000-8000-000000000000"
uuid1="GPU-$unique-0000-4000-8000-000000000001"
printf '%s\n%s\n' "$uuid0" "$uuid1" >"$dir/gpu-uuids"
write_cdi_yaml "$spec" "$uuid0:U0:nvidia0" "$uuid1:U1:nvidia1"
echo "$spec" >"$dir/cdi-spec"

start_service

make_test_rootfs "$dir/rootfs"
tar -C "$dir/rootfs" -c . | podman --url "$host" import \
    --change 'ENV PATH=/bin' --change 'CMD ["nvidia-smi"]' \
    --change 'LABEL com.nvidia.volumes.needed=nvidia_driver' \
    - gpudeck-test:latest >/dev/null
podman --url "$host" tag gpudeck-test:latest gpudeck-demo:latest
echo "$host"
