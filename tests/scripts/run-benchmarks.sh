#!/usr/bin/env bash
# Runs the benchmarks against fresh sandboxed engines and prints their figures (as root):
# bench_engine over the local socket, over ssh (the test sshd) and over TLS (the TLS engine),
# bench_terminal over ssh (and, with the others, over the local socket),
# each against the docker CLI reaching the same engine the same way; a CDI launch on Docker 26 and
# on Podman against their own CLIs, and a one-task swarm service against the docker CLI's
# service commands; then the other benchmarks. The swarm engine listens on 127.0.0.1:2377, as the
# tests' does: run it under the suite's lock (flock /tmp/gpudeck-suite.lock ...).
#   tests/scripts/run-benchmarks.sh [BUILD_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(realpath "${1:-$here/../../build}")
engine="$build/bench-engine"
sshd="$build/bench-sshd"
tls="$build/bench-engine-tls"
cdi="$build/bench-engine-cdi"
podman="$build/bench-podman"
swarm="$build/bench-engine-swarm"
cleanup() {
    "$here/test-engine.sh" stop "$swarm" || true
    "$here/test-podman.sh" stop "$podman" || true
    "$here/test-engine.sh" stop "$cdi" || true
    "$here/test-sshd.sh" stop "$sshd" || true
    "$here/test-engine.sh" stop "$tls" || true
    "$here/test-engine.sh" stop "$engine" || true
}
trap cleanup EXIT
host=$("$here/test-engine.sh" start "$engine" | tail -n 1)
ssh_url=$(GPUDECK_TEST_SSH_PORT='' "$here/test-sshd.sh" start "$sshd" "${host#unix://}" | tail -n 1)
tls_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
GPUDECK_TEST_ENGINE_TLS=1 GPUDECK_TEST_ENGINE_TLS_PORT=$tls_port "$here/test-engine.sh" start "$tls" >/dev/null

echo "== bench_engine (unix socket)"
GPUDECK_TEST_HOST="$host" "$build/tests/bench/bench_engine"
echo "== bench_engine (ssh; the docker CLI over the same sshd runs 'docker system dial-stdio' there)"
PATH="$sshd/bin:$PATH" GPUDECK_TEST_HOST="$ssh_url" GPUDECK_BENCH_CLI_HOST=ssh://gpudeck-test \
    "$build/tests/bench/bench_engine"
echo "== bench_terminal (ssh; the docker CLI over the same sshd)"
PATH="$sshd/bin:$PATH" GPUDECK_TEST_HOST="$ssh_url" GPUDECK_BENCH_CLI_HOST=ssh://gpudeck-test \
    "$build/tests/bench/bench_terminal"
echo "== bench_engine (TLS)"
DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH="$tls/certs" GPUDECK_TEST_HOST="tcp://127.0.0.1:$tls_port" \
    "$build/tests/bench/bench_engine"

cdi_host=$(GPUDECK_TEST_ENGINE_CDI=1 GPUDECK_TEST_TRIXIE_DIR="$build/trixie-docker" \
    "$here/test-engine.sh" start "$cdi" | tail -n 1)
echo "== bench_launch (CDI on Docker 26, against its docker run --device)"
GPUDECK_TEST_HOST="$cdi_host" "$build/tests/bench/bench_launch" cdi nvidia.com/gpu=0 "$cdi/docker-cli"
podman_host=$("$here/test-podman.sh" start "$podman" | tail -n 1)
echo "== bench_launch (CDI on Podman, against podman --remote run --device)"
GPUDECK_TEST_HOST="$podman_host" "$build/tests/bench/bench_launch" cdi "nvidia.com/gpu=$(head -n 1 "$podman/gpu-uuids")" \
    /usr/bin/podman --url "$podman_host"
swarm_host=$(GPUDECK_TEST_ENGINE_SWARM=1 "$here/test-engine.sh" start "$swarm" | tail -n 1)
echo "== bench_launch (one-task swarm service, against docker service create + logs + rm)"
GPUDECK_TEST_HOST="$swarm_host" "$build/tests/bench/bench_launch" swarm

export GPUDECK_TEST_HOST="$host"
echo "== bench_ledger (the GPU claim's cost per launch, a waiting launch's CPU share)"
"$build/tests/bench/bench_ledger"
for bench in "$build"/tests/bench/bench_*; do
    case "$(basename "$bench")" in bench_engine | bench_launch | bench_ledger) continue ;; esac
    [[ -f "$bench" && -x "$bench" ]] || continue
    echo "== $(basename "$bench")"
    "$bench"
done
