#!/usr/bin/env bash
# Runs the benchmarks against fresh sandboxed engines and prints their figures (as root):
# bench_engine over the local socket, over ssh (the test sshd) and over TLS (the TLS engine),
# each against the docker CLI reaching the same engine the same way; then the other benchmarks.
#   tests/scripts/run-benchmarks.sh [BUILD_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(realpath "${1:-$here/../../build}")
engine="$build/bench-engine"
sshd="$build/bench-sshd"
tls="$build/bench-engine-tls"
cleanup() {
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
echo "== bench_engine (TLS)"
DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH="$tls/certs" GPUDECK_TEST_HOST="tcp://127.0.0.1:$tls_port" \
    "$build/tests/bench/bench_engine"

export GPUDECK_TEST_HOST="$host"
for bench in "$build"/tests/bench/bench_*; do
    [[ -f "$bench" && -x "$bench" && "$(basename "$bench")" != bench_engine ]] || continue
    echo "== $(basename "$bench")"
    "$bench"
done
