#!/usr/bin/env bash
# Starts or stops the sandboxed test engine: Debian's dockerd under DIR, with its own socket,
# data root and exec root, no iptables and no bridge. Its userland proxy (docker-proxy) is on: a
# container on a user-defined bridge network (which tests make) publishes its ports through it.
# A stand-in nvidia-container-runtime-hook on its PATH and a runtime named "nvidia" (runc) let it
# accept GPU requests without a GPU; the test image's stub nvidia-smi prints what the daemon put
# into the container's environment.
#
#   test-engine.sh start DIR   start (or restart) and import the test images; prints the host URL
#   test-engine.sh stop DIR    stop and remove DIR
#   test-engine.sh env DIR     print DOCKER_HOST=... for an already started engine
# With GPUDECK_TEST_ENGINE_NO_HOOK=1 the hook is left out: the engine then fails GPU requests at
# start the way a host without the NVIDIA Container Toolkit does.
# With GPUDECK_TEST_ENGINE_TLS=1 the engine also listens on tcp://127.0.0.1:PORT with --tlsverify,
# certificates from test-tls.sh in DIR/certs (ca.pem, cert.pem, key.pem: a DOCKER_CERT_PATH); PORT
# is GPUDECK_TEST_ENGINE_TLS_PORT (start fails if it is taken) or a free one. DIR/tls-host holds
# the tcp:// URL, and DIR/docker-config (a DOCKER_CONFIG) a docker CLI context "gpudeck-tls" for it.
# The printed host URL stays the unix:// one.
# With GPUDECK_TEST_ENGINE_SWARM=1 the engine advertises two stand-in GPUs as the swarm generic
# resource NVIDIA-GPU (daemon.json node-generic-resources; their UUIDs are in DIR/gpu-uuids: those
# of the tests' fake NVML's two GPUs, so that the doctor can match them) and becomes a single-node
# swarm manager (docker swarm init --advertise-addr 127.0.0.1). For a swarm of several engines
# (test-swarm2.sh): GPUDECK_TEST_ENGINE_SWARM_UUIDS lists the UUIDs to advertise instead,
# GPUDECK_TEST_ENGINE_SWARM_ADDR the address to advertise, GPUDECK_TEST_ENGINE_SWARM=worker
# leaves the swarm to be joined, and GPUDECK_TEST_ENGINE_NETNS (a network namespace file) starts
# dockerd in that namespace with nsenter --net (`ip netns exec` would remount /sys and hide the
# cgroup hierarchy from dockerd).
# With GPUDECK_TEST_ENGINE_CDI=1 the engine is Debian trixie's dockerd 26 (with its containerd and
# CLI, fetched by fetch-trixie-docker.sh into GPUDECK_TEST_TRIXIE_DIR) with bookworm's runc, the
# "cdi" feature on and DIR/cdi as its only CDI spec directory. DIR/cdi holds stand-in devices:
# gpudeck-test.json defines nvidia.com/gpu=0 and =all, gpudeck-test.yaml =1 and
# =GPU-6bd9c3a4-0000-4000-8000-000000000001. DIR/docker-cli is the CLI that matches the engine.
# GPUDECK_TEST_ENGINE_CDI_OFF=1 with it: the same dockerd 26 and spec files, with the cdi feature
# left off (Docker 25 to 28.1 as installed), so the engine refuses CDI devices.
# With GPUDECK_TEST_ENGINE_DOCKER28=1 the engine is Debian sid's dockerd 28.5 with containerd 2.1
# (fetched into GPUDECK_TEST_SID_DIR) and bookworm's runc: CDI is on by default there, so
# daemon.json names only DIR/cdi as the spec directory (the same stand-in devices) and no feature.
set -euo pipefail

cmd=${1:-}
dir=${2:-}
if [[ -z "$cmd" || -z "$dir" ]]; then
    echo "usage: $0 start|stop|env DIR" >&2
    exit 2
fi
dir=$(realpath -m "$dir")
# The docker CLI below always names the engine with -H; a caller's TLS settings would make it
# refuse the unix:// socket.
unset DOCKER_HOST DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_TLS DOCKER_CERT_PATH
sock="$dir/docker.sock"
host="unix://$sock"
docker_cli=/usr/bin/docker   # Debian's client, matching the daemon
dockerd_bin=dockerd
scripts=$(dirname "$(realpath "$0")")
# shellcheck source=test-lib.sh
source "$scripts/test-lib.sh"

stop_engine() {
    if [[ -f "$dir/dockerd.pid" ]]; then
        local pid
        pid=$(cat "$dir/dockerd.pid" 2>/dev/null || true)
        if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid" 2>/dev/null || true
            for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    # containerd-shims and overlay mounts can outlive the daemon; clear them before removing DIR.
    # (The trailing slash keeps DIR from matching a sibling such as DIR-tls.)
    pkill -KILL -f "containerd-shim.*$dir/" 2>/dev/null || true
    if [[ -d "$dir" ]]; then
        { grep -F " $dir/" /proc/self/mounts || true; } | awk '{print $2}' | sort -r |
            while read -r m; do umount -l "$m" 2>/dev/null || true; done
    fi
}

case "$cmd" in
stop)
    stop_engine
    rm -rf "$dir"
    exit 0
    ;;
env)
    echo "DOCKER_HOST=$host"
    exit 0
    ;;
start) ;;
*)
    echo "usage: $0 start|stop|env DIR" >&2
    exit 2
    ;;
esac

if [[ $(id -u) -ne 0 ]]; then
    echo "test-engine: dockerd needs root; run the tests as root (sudo) so the sandboxed engine can start." >&2
    exit 1
fi
# The fetched engines bring their own CLI (a GPU host without Docker has no /usr/bin/docker).
needed=(dockerd busybox)
[[ -n "${GPUDECK_TEST_ENGINE_CDI:-}${GPUDECK_TEST_ENGINE_DOCKER28:-}" ]] || needed+=("$docker_cli")
for tool in "${needed[@]}"; do
    if ! command -v "$tool" >/dev/null && [[ ! -x "$tool" ]]; then
        echo "test-engine: $tool is missing; install docker.io and busybox-static (packaging/dev.sh does)." >&2
        exit 1
    fi
done

# shellcheck source=ports.sh
source "$(dirname "$(realpath "$0")")/ports.sh"

stop_engine
rm -rf "$dir"
mkdir -p "$dir/bin" "$dir/rootfs/bin"

cdi_config=
if [[ -n "${GPUDECK_TEST_ENGINE_CDI:-}" || -n "${GPUDECK_TEST_ENGINE_DOCKER28:-}" ]]; then
    if [[ -n "${GPUDECK_TEST_ENGINE_DOCKER28:-}" ]]; then
        fetched=$("$scripts/fetch-debian-docker.sh" sid "${GPUDECK_TEST_SID_DIR:-$dir-sid}")
    else
        fetched=$("$scripts/fetch-trixie-docker.sh" "${GPUDECK_TEST_TRIXIE_DIR:-$dir-trixie}")
    fi
    ln -s "$fetched/usr/bin/containerd" "$fetched/usr/bin/containerd-shim-runc-v2" "$dir/bin/"
    # Docker 28's userland proxy takes other arguments than bookworm's (on PATH too): its own first.
    if [[ -x "$fetched/usr/sbin/docker-proxy" ]]; then
        ln -s "$fetched/usr/sbin/docker-proxy" "$dir/bin/"
    fi
    dockerd_bin="$fetched/usr/sbin/dockerd"
    docker_cli="$fetched/usr/bin/docker"
    mkdir -p "$dir/cdi"
    write_cdi_json "$dir/cdi/gpudeck-test.json" 0:0 all:ALL
    write_cdi_yaml "$dir/cdi/gpudeck-test.yaml" 1:1 GPU-6bd9c3a4-0000-4000-8000-000000000001:UUID1
    if [[ -n "${GPUDECK_TEST_ENGINE_DOCKER28:-}" ]]; then
        cdi_config=", \"features\": { \"containerd-snapshotter\": true }, \"cdi-spec-dirs\": [\"$dir/cdi\"]"
    elif [[ -z "${GPUDECK_TEST_ENGINE_CDI_OFF:-}" ]]; then
        cdi_config=", \"features\": { \"cdi\": true }, \"cdi-spec-dirs\": [\"$dir/cdi\"]"
    fi
fi
ln -s "$docker_cli" "$dir/docker-cli"

tls_args=()
if [[ -n "${GPUDECK_TEST_ENGINE_TLS:-}" ]]; then
    if [[ -n "${GPUDECK_TEST_ENGINE_TLS_PORT:-}" ]]; then
        tls_port=$GPUDECK_TEST_ENGINE_TLS_PORT
        if port_taken "$tls_port"; then
            echo "test-engine: TLS port $tls_port on 127.0.0.1 is taken; free it or configure with -DGPUDECK_TEST_TLS_PORT=<another port>." >&2
            exit 1
        fi
    else
        tls_port=
        for _ in $(seq 1 50); do
            candidate=$((20000 + RANDOM % 20000))
            if ! port_taken "$candidate"; then tls_port=$candidate; break; fi
        done
        if [[ -z "$tls_port" ]]; then
            echo "test-engine: found no free port on 127.0.0.1 for the TLS engine." >&2
            exit 1
        fi
    fi
    "$(dirname "$(realpath "$0")")/test-tls.sh" certs "$dir/certs"
    tls_host="tcp://127.0.0.1:$tls_port"
    tls_args=(--host "$tls_host" --tlsverify --tlscacert "$dir/certs/ca.pem"
        --tlscert "$dir/certs/server-cert.pem" --tlskey "$dir/certs/server-key.pem")
fi

cat >"$dir/bin/nvidia-container-runtime-hook" <<'HOOK'
#!/bin/sh
# Stand-in for the NVIDIA Container Toolkit's hook: its presence makes dockerd register the
# "nvidia" device driver. It reads the OCI state from stdin and does nothing.
cat >/dev/null
exit 0
HOOK
chmod +x "$dir/bin/nvidia-container-runtime-hook"
if [[ -n "${GPUDECK_TEST_ENGINE_NO_HOOK:-}" ]]; then
    rm "$dir/bin/nvidia-container-runtime-hook"
fi

swarm_config=""
if [[ -n "${GPUDECK_TEST_ENGINE_SWARM:-}" ]]; then
    printf '%s\n' ${GPUDECK_TEST_ENGINE_SWARM_UUIDS:-GPU-00000000-0000-0000-0000-000000000000 GPU-00000000-0000-0000-0000-000000000010} \
        >"$dir/gpu-uuids"
    resources=$(sed 's/.*/"NVIDIA-GPU=&"/' "$dir/gpu-uuids" | paste -sd, -)
    swarm_config=", \"node-generic-resources\": [$resources]"
fi
cat >"$dir/daemon.json" <<JSON
{ "runtimes": { "nvidia": { "path": "runc" } }$cdi_config$swarm_config }
JSON

netns=()
if [[ -n "${GPUDECK_TEST_ENGINE_NETNS:-}" ]]; then
    netns=(nsenter "--net=$GPUDECK_TEST_ENGINE_NETNS")
fi
PATH="$dir/bin:$PATH" setsid ${netns[@]+"${netns[@]}"} "$dockerd_bin" \
    --host "$host" --data-root "$dir/data" --exec-root "$dir/exec" --pidfile "$dir/dockerd.pid" \
    --config-file "$dir/daemon.json" --iptables=false --ip-masq=false --bridge=none \
    --log-level warn ${tls_args[@]+"${tls_args[@]}"} \
    >"$dir/dockerd.log" 2>&1 </dev/null &

deadline=$((SECONDS + 60))
until "$docker_cli" -H "$host" version >/dev/null 2>&1; do
    if (( SECONDS > deadline )); then
        echo "test-engine: dockerd did not answer within 60 s; its log follows." >&2
        tail -n 30 "$dir/dockerd.log" >&2 || true
        exit 1
    fi
    sleep 0.2
done

# The test image: busybox-static plus a stub nvidia-smi that prints what the daemon asked for.
make_test_rootfs "$dir/rootfs"
tar -C "$dir/rootfs" -c . | "$docker_cli" -H "$host" import \
    --change 'ENV PATH=/bin' --change 'CMD ["nvidia-smi"]' \
    --change 'LABEL com.nvidia.volumes.needed=nvidia_driver' \
    - gpudeck-test:latest >/dev/null
"$docker_cli" -H "$host" tag gpudeck-test:latest gpudeck-demo:latest

if [[ -n "${GPUDECK_TEST_ENGINE_SWARM:-}" && "$GPUDECK_TEST_ENGINE_SWARM" != worker ]]; then
    if ! "$docker_cli" -H "$host" swarm init --advertise-addr "${GPUDECK_TEST_ENGINE_SWARM_ADDR:-127.0.0.1}" \
        >"$dir/swarm-init.log" 2>&1; then
        echo "test-engine: docker swarm init failed: $(tail -n 1 "$dir/swarm-init.log")" >&2
        exit 1
    fi
fi

if [[ -n "${tls_host:-}" ]]; then
    tls_cli=("$docker_cli" -H "$tls_host" --tlsverify --tlscacert "$dir/certs/ca.pem"
        --tlscert "$dir/certs/cert.pem" --tlskey "$dir/certs/key.pem")
    if ! "${tls_cli[@]}" version >/dev/null 2>"$dir/tls-check.log"; then
        echo "test-engine: dockerd does not answer on $tls_host with TLS: $(tail -n 1 "$dir/tls-check.log")" >&2
        exit 1
    fi
    if ! DOCKER_CONFIG="$dir/docker-config" "$docker_cli" context create gpudeck-tls \
        --description "gpudeck test engine over TLS" \
        --docker "host=$tls_host,ca=$dir/certs/ca.pem,cert=$dir/certs/cert.pem,key=$dir/certs/key.pem" \
        >/dev/null 2>"$dir/tls-check.log"; then
        echo "test-engine: docker context create failed: $(tail -n 1 "$dir/tls-check.log")" >&2
        exit 1
    fi
    rm -f "$dir/tls-check.log"
    echo "$tls_host" >"$dir/tls-host"
fi

echo "$host"
