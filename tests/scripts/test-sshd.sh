#!/usr/bin/env bash
# Starts or stops the test sshd: Debian's OpenSSH server on 127.0.0.1 with keys generated under
# DIR, in front of the sandboxed test engine. Root logs in with DIR/id_ed25519; its authorized_keys
# entry sets DOCKER_HOST to the engine's socket, so the docker CLI's own `docker -H ssh://...`
# (which runs `docker system dial-stdio` on the far side) reaches the sandboxed engine too.
#
#   test-sshd.sh start DIR ENGINE_SOCKET   start (or restart); prints ssh://gpudeck-test<ENGINE_SOCKET>
#   test-sshd.sh stop DIR                  stop and remove DIR
#
# The client side lives in DIR/ssh_config; DIR/bin/ssh runs the system ssh with it, so a test puts
# DIR/bin first on PATH and both gpudeck and the docker CLI use it unchanged. Host aliases:
#   gpudeck-test          good key, known host key: logs in
#   gpudeck-test-changed  known_hosts holds a different key for the host: refused by ssh
#   gpudeck-test-refused  a key the server does not accept: refused by sshd
#   gpudeck-test-unknown  empty known_hosts with strict checking: refused by ssh
#   127.0.0.1             `ssh root@127.0.0.1 -p PORT` with the good key and known host key
# With GPUDECK_TEST_SSH_PORT set, sshd listens on that port and start fails if it is taken;
# otherwise a free port is picked. DIR/port and DIR/url hold what was chosen.
set -euo pipefail

cmd=${1:-}
dir=${2:-}
usage="usage: $0 start DIR ENGINE_SOCKET | stop DIR"
if [[ -z "$cmd" || -z "$dir" ]]; then
    echo "$usage" >&2
    exit 2
fi
dir=$(realpath -m "$dir")
sshd_bin=/usr/sbin/sshd      # sshd re-executes itself and so needs its absolute path
ssh_bin=/usr/bin/ssh

# The pids of every process below $1, deepest first.
descendants() {
    local child
    for child in $(ps -o pid= --ppid "$1" 2>/dev/null || true); do
        descendants "$child"
        echo "$child"
    done
}

# Whether process $1 still runs (a zombie waiting for init to reap it does not).
alive() {
    local state
    state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
    [[ -n "$state" && "$state" != Z ]]
}

stop_sshd() {
    [[ -f "$dir/sshd.pid" ]] || return 0
    local pid pids
    pid=$(cat "$dir/sshd.pid" 2>/dev/null || true)
    [[ -n "$pid" ]] && alive "$pid" || return 0
    # Only an sshd started with this DIR's config is ours to stop.
    grep -qF -- "$dir/sshd_config" "/proc/$pid/cmdline" 2>/dev/null || return 0
    # Open sessions (forwardings, dial-stdio) live in children that outlive the listener.
    pids="$(descendants "$pid") $pid"
    # shellcheck disable=SC2086
    kill -TERM $pids 2>/dev/null || true
    for _ in $(seq 1 50); do alive "$pid" || break; sleep 0.1; done
    # shellcheck disable=SC2086
    kill -KILL $pids 2>/dev/null || true
}

case "$cmd" in
stop)
    stop_sshd
    rm -rf "$dir"
    exit 0
    ;;
start) ;;
*)
    echo "$usage" >&2
    exit 2
    ;;
esac

engine_sock=${3:-}
if [[ -z "$engine_sock" ]]; then
    echo "$usage" >&2
    exit 2
fi
engine_sock=$(realpath -m "$engine_sock")
if [[ $(id -u) -ne 0 ]]; then
    echo "test-sshd: sshd needs root; run the tests as root (sudo) so the test sshd can start." >&2
    exit 1
fi
for tool in "$sshd_bin" "$ssh_bin" ssh-keygen; do
    if ! command -v "$tool" >/dev/null; then
        echo "test-sshd: $tool is missing; install openssh-server and openssh-client (packaging/install-deps.sh does)." >&2
        exit 1
    fi
done

# shellcheck source=ports.sh
source "$(dirname "$(realpath "$0")")/ports.sh"

stop_sshd
rm -rf "$dir"
mkdir -p "$(dirname "$dir")"
mkdir -m 0700 "$dir"
mkdir "$dir/bin"
[[ -d /run/sshd ]] || mkdir -m 0755 /run/sshd   # sshd's privilege separation directory

if [[ -n "${GPUDECK_TEST_SSH_PORT:-}" ]]; then
    port=$GPUDECK_TEST_SSH_PORT
    if port_taken "$port"; then
        echo "test-sshd: port $port on 127.0.0.1 is taken; free it or configure with -DGPUDECK_TEST_SSH_PORT=<another port>." >&2
        exit 1
    fi
else
    port=
    for _ in $(seq 1 50); do
        candidate=$((20000 + RANDOM % 20000))
        if ! port_taken "$candidate"; then port=$candidate; break; fi
    done
    if [[ -z "$port" ]]; then
        echo "test-sshd: found no free port on 127.0.0.1." >&2
        exit 1
    fi
fi

keygen() { ssh-keygen -q -t ed25519 -N '' -C "$2" -f "$1"; }
keygen "$dir/ssh_host_ed25519_key" gpudeck-test-host
keygen "$dir/other_host_ed25519_key" gpudeck-test-other-host   # only for changed_known_hosts
keygen "$dir/id_ed25519" gpudeck-test-user
keygen "$dir/refused_key" gpudeck-test-refused                  # never authorized

# DIR/remote-bin comes first on the remote PATH: tests put a stand-in nvidia-smi there to play
# the host's driver (and none on this side's PATH).
mkdir -p "$dir/remote-bin"
printf 'environment="DOCKER_HOST=unix://%s",environment="PATH=%s/remote-bin:/usr/local/bin:/usr/bin:/bin" %s\n' \
    "$engine_sock" "$dir" "$(cat "$dir/id_ed25519.pub")" >"$dir/authorized_keys"

host_key=$(cut -d' ' -f1,2 "$dir/ssh_host_ed25519_key.pub")
other_key=$(cut -d' ' -f1,2 "$dir/other_host_ed25519_key.pub")
printf 'gpudeck-test %s\n[127.0.0.1]:%s %s\n' "$host_key" "$port" "$host_key" >"$dir/known_hosts"
printf 'gpudeck-test %s\n' "$other_key" >"$dir/changed_known_hosts"
: >"$dir/empty_known_hosts"

cat >"$dir/sshd_config" <<CONF
# Test sshd for gpudeck; generated by tests/scripts/test-sshd.sh.
ListenAddress 127.0.0.1
Port $port
HostKey $dir/ssh_host_ed25519_key
PidFile $dir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PermitRootLogin prohibit-password
StrictModes no
AllowStreamLocalForwarding yes
AllowTcpForwarding yes
PermitUserEnvironment yes
LogLevel VERBOSE
CONF

# Every alias logs in as root to 127.0.0.1:PORT; HostKeyAlias keys their known_hosts entries by
# "gpudeck-test", so each alias sees exactly the known_hosts file it names.
client_block() {
    cat <<BLOCK
Host $1
    HostName 127.0.0.1
    Port $port
    User root
    IdentityFile $2
    IdentitiesOnly yes
    HostKeyAlias gpudeck-test
    UserKnownHostsFile $3
    GlobalKnownHostsFile /dev/null
    StrictHostKeyChecking yes
    UpdateHostKeys no

BLOCK
}
{
    echo "# Client config for the test sshd; generated by tests/scripts/test-sshd.sh."
    client_block gpudeck-test "$dir/id_ed25519" "$dir/known_hosts"
    client_block gpudeck-test-changed "$dir/id_ed25519" "$dir/changed_known_hosts"
    client_block gpudeck-test-refused "$dir/refused_key" "$dir/known_hosts"
    client_block gpudeck-test-unknown "$dir/id_ed25519" "$dir/empty_known_hosts"
    cat <<BLOCK
Host 127.0.0.1
    Port $port
    User root
    IdentityFile $dir/id_ed25519
    IdentitiesOnly yes
    UserKnownHostsFile $dir/known_hosts
    GlobalKnownHostsFile /dev/null
    StrictHostKeyChecking yes
    UpdateHostKeys no
BLOCK
} >"$dir/ssh_config"

printf '#!/bin/sh\nexec %s -F %s "$@"\n' "$ssh_bin" "$dir/ssh_config" >"$dir/bin/ssh"
chmod +x "$dir/bin/ssh"

if ! "$sshd_bin" -t -f "$dir/sshd_config" 2>"$dir/sshd.log"; then
    echo "test-sshd: sshd rejected its config: $(head -n 1 "$dir/sshd.log")" >&2
    exit 1
fi
setsid "$sshd_bin" -D -f "$dir/sshd_config" -E "$dir/sshd.log" >/dev/null 2>&1 </dev/null &
sshd_pid=$!

deadline=$((SECONDS + 20))
until "$dir/bin/ssh" -o BatchMode=yes -o ConnectTimeout=2 gpudeck-test true </dev/null >/dev/null 2>&1; do
    if ! alive "$sshd_pid"; then
        echo "test-sshd: sshd exited at start; its log follows." >&2
        tail -n 20 "$dir/sshd.log" >&2 || true
        exit 1
    fi
    if (( SECONDS > deadline )); then
        echo "test-sshd: sshd did not accept a login within 20 s; its log follows." >&2
        tail -n 20 "$dir/sshd.log" >&2 || true
        exit 1
    fi
    sleep 0.2
done

url="ssh://gpudeck-test$engine_sock"
echo "$port" >"$dir/port"
echo "$url" >"$dir/url"
echo "$url"
