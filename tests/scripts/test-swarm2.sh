#!/usr/bin/env bash
# Starts or stops a two-node swarm for the tests: two sandboxed engines (test-engine.sh), each in
# a network namespace of its own, joined by a veth pair on 10.213.N.0/24 (N from DIR). Node a, the
# manager (DIR/a/docker.sock), advertises one stand-in GPU; node b, a worker, two; as NVIDIA-GPU
# generic resources, their UUIDs in DIR/a/gpu-uuids and DIR/b/gpu-uuids. The sockets are files,
# so the tests reach both engines from this namespace.
#
#   test-swarm2.sh start DIR   start (or restart); prints the manager's unix:// URL
#   test-swarm2.sh stop DIR    stop both engines, remove the namespaces and DIR
set -euo pipefail

cmd=${1:-}
dir=${2:-}
if [[ -z "$cmd" || -z "$dir" ]]; then
    echo "usage: $0 start|stop DIR" >&2
    exit 2
fi
dir=$(realpath -m "$dir")
scripts=$(dirname "$(realpath "$0")")
unique=$(printf '%s' "$dir" | sha256sum | cut -c1-8)
ns_a="gpudeck-$unique-a"
ns_b="gpudeck-$unique-b"
subnet="10.213.$(( 16#${unique:0:2} % 250 + 1 ))"
docker_cli=/usr/bin/docker

stop_swarm() {
    if [[ -S "$dir/b/docker.sock" ]]; then
        "$docker_cli" -H "unix://$dir/b/docker.sock" swarm leave --force >/dev/null 2>&1 || true
    fi
    "$scripts/test-engine.sh" stop "$dir/b" || true
    "$scripts/test-engine.sh" stop "$dir/a" || true
    ip netns del "$ns_a" 2>/dev/null || true
    ip netns del "$ns_b" 2>/dev/null || true
}

case "$cmd" in
stop)
    stop_swarm
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
    echo "test-swarm2: the swarm's engines run as root; run the tests as root." >&2
    exit 1
fi
for tool in ip nsenter; do
    command -v "$tool" >/dev/null || { echo "test-swarm2: $tool is missing (iproute2, util-linux)." >&2; exit 1; }
done
stop_swarm
rm -rf "$dir"
mkdir -p "$dir"

ip netns add "$ns_a"
ip netns add "$ns_b"
ip link add "gd${unique}a" type veth peer name "gd${unique}b"
ip link set "gd${unique}a" netns "$ns_a"
ip link set "gd${unique}b" netns "$ns_b"
ip -n "$ns_a" addr add "$subnet.1/24" dev "gd${unique}a"
ip -n "$ns_b" addr add "$subnet.2/24" dev "gd${unique}b"
for ns in "$ns_a" "$ns_b"; do
    ip -n "$ns" link set lo up
done
ip -n "$ns_a" link set "gd${unique}a" up
ip -n "$ns_b" link set "gd${unique}b" up

GPUDECK_TEST_ENGINE_SWARM=manager GPUDECK_TEST_ENGINE_NETNS="/run/netns/$ns_a" \
    GPUDECK_TEST_ENGINE_SWARM_ADDR="$subnet.1" GPUDECK_TEST_ENGINE_SWARM_UUIDS="GPU-5a1f0c2e-0000-4000-8000-0000000000a1" \
    "$scripts/test-engine.sh" start "$dir/a" >/dev/null
GPUDECK_TEST_ENGINE_SWARM=worker GPUDECK_TEST_ENGINE_NETNS="/run/netns/$ns_b" \
    GPUDECK_TEST_ENGINE_SWARM_UUIDS="GPU-5a1f0c2e-0000-4000-8000-0000000000b1 GPU-5a1f0c2e-0000-4000-8000-0000000000b2" \
    "$scripts/test-engine.sh" start "$dir/b" >/dev/null

manager="unix://$dir/a/docker.sock"
token=$("$docker_cli" -H "$manager" swarm join-token -q worker)
if ! "$docker_cli" -H "unix://$dir/b/docker.sock" swarm join --token "$token" --advertise-addr "$subnet.2" \
    "$subnet.1:2377" >"$dir/join.log" 2>&1; then
    echo "test-swarm2: node b could not join the swarm: $(tail -n 1 "$dir/join.log")" >&2
    exit 1
fi
deadline=$((SECONDS + 60))
until [[ $("$docker_cli" -H "$manager" node ls --format '{{.Status}}' 2>/dev/null | grep -c '^Ready$') -eq 2 ]]; do
    if (( SECONDS > deadline )); then
        echo "test-swarm2: the manager did not see two ready nodes within 60 s:" >&2
        "$docker_cli" -H "$manager" node ls >&2 || true
        exit 1
    fi
    sleep 0.2
done
echo "$manager"
