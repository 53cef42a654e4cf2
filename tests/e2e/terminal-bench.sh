#!/usr/bin/env bash
# Issue 25's terminal figures (tests/bench/terminal_bench.cpp) on a machine without Docker, Qt or
# fonts, such as a GPU device machine, from the archives of pack-gpu-host.sh (run as root):
#   tests/e2e/pack-gpu-host.sh build PACK bench_terminal     (here)
#   tests/e2e/terminal-bench.sh PACK                          (there)
# It unpacks both archives, starts the sandboxed engine of the tests (tests/scripts/test-engine.sh
# as GPUDECK_TEST_ENGINE_CDI=1 runs it: trixie's dockerd 26, here the packed one, with the test
# image gpudeck-test:latest made from the packed busybox), says what the machine is (CPUs, load,
# GPU, and whether this driver's nvidia-smi knows the minor_number query field), then runs
# bench_terminal offscreen with the packed fonts against it and the packed docker CLI, and lists
# the CPU each process took, second by second. GPUDECK_TERMBENCH_RUNS: how many times (default 1).
# Output also goes to GPUDECK_E2E_OUT (default ./e2e-out).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
scripts=$here/../scripts
pack=$(realpath "${1:?usage: $0 PACK_DIR (engine.tar.xz and app.tar.xz of pack-gpu-host.sh)}")
out=$(realpath -m "${GPUDECK_E2E_OUT:-./e2e-out}")
[[ $(id -u) -eq 0 ]] || { echo "terminal-bench.sh: run as root (it starts dockerd)" >&2; exit 2; }
for archive in engine.tar.xz app.tar.xz; do
    [[ -s "$pack/$archive" ]] || { echo "terminal-bench.sh: no $pack/$archive (run pack-gpu-host.sh)" >&2; exit 2; }
done
mkdir -p "$out"
work=$(mktemp -d /tmp/gpudeck-termbench.XXXXXX)
engine=$work/engine
cleanup() {
    "$scripts/test-engine.sh" stop "$engine" >/dev/null 2>&1
    rm -rf "$work"
}
trap cleanup EXIT
exec > >(tee "$out/terminal-bench.txt") 2>&1

unpack() { # tar without xz falls back on Python's tarfile
    tar -C "$work" -xJf "$1" 2>/dev/null ||
        python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$1" "$work"
}
for archive in engine.tar.xz app.tar.xz; do
    unpack "$pack/$archive" || { echo "terminal-bench.sh: could not unpack $pack/$archive" >&2; exit 2; }
done
[[ -x "$work/bin/bench_terminal" ]] || { echo "terminal-bench.sh: the app archive has no bench_terminal" >&2; exit 2; }
export PATH="$work/bin:$PATH"
# test-engine.sh takes trixie's engine from a fetched folder: the packed binaries stand in for it.
trixie=$work/trixie/root/usr
mkdir -p "$trixie/sbin" "$trixie/bin"
ln -s "$work/bin/dockerd" "$work/bin/docker-proxy" "$trixie/sbin/"
ln -s "$work/bin/containerd" "$work/bin/containerd-shim-runc-v2" "$work/bin/docker" "$trixie/bin/"

echo "== machine: $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)), $(awk '/MemTotal/{printf "%.0f GiB", $2 / 2^20}' /proc/meminfo), kernel $(uname -r)"
echo "== load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
smi=$(command -v nvidia-smi || true)
[[ -z "$smi" && -x /usr/local/nvidia/bin/nvidia-smi ]] && smi=/usr/local/nvidia/bin/nvidia-smi
if [[ -n "$smi" ]]; then
    echo "== GPU: $("$smi" --query-gpu=name,driver_version --format=csv,noheader | paste -sd';')"
    echo "== nvidia-smi --help-query-gpu | grep -i -B1 -A3 minor"
    "$smi" --help-query-gpu | grep -i -B1 -A3 minor || echo "(no line names minor)"
    echo "== nvidia-smi --query-gpu=index,minor_number,uuid,pci.bus_id --format=csv,noheader,nounits"
    "$smi" --query-gpu=index,minor_number,uuid,pci.bus_id --format=csv,noheader,nounits
    echo "(exit $?)"
else
    echo "== no nvidia-smi on this machine"
fi

host=$(GPUDECK_TEST_ENGINE_CDI=1 GPUDECK_TEST_TRIXIE_DIR="$work/trixie" "$scripts/test-engine.sh" start "$engine" | tail -n1)
[[ $host == unix://* ]] || { echo "terminal-bench.sh: the engine did not start"; tail -n 20 "$engine/dockerd.log"; exit 1; }
echo "== engine: $(dockerd --version), CLI $(docker --version), $(runc --version | head -n1)"

# Each second, the commands that took 5 % of a CPU or more in it (100 % = one CPU busy): which
# side limits a flood, the engine's (dockerd, containerd-shim, yes) or ours (bench_terminal).
cpu_by_second() { # until $work/sampling is gone
    while [[ -e $work/sampling ]]; do
        echo "--- $(date +%s.%N)"
        cat /proc/[0-9]*/stat 2>/dev/null
        sleep 1
    done | awk -v hz="$(getconf CLK_TCK)" '
        /^--- / {
            if (last) {
                line = sprintf("%5.0f s", $2 - first)
                for (c in cur) if (cur[c] >= 5) line = line sprintf("  %s %.0f%%", c, cur[c])
                print line; fflush()
            } else first = $2
            dt = last ? $2 - last : 1; last = $2; delete cur; next
        }
        { comm = $2; gsub(/[()]/, "", comm); v = $14 + $15
          if ($1 in prev) cur[comm] += (v - prev[$1]) * 100 / hz / dt; prev[$1] = v }'
}
touch "$work/sampling"
cpu_by_second >"$out/cpu-by-second.txt" &
sampler=$!

runs=${GPUDECK_TERMBENCH_RUNS:-1}
mkdir -m 700 "$work/xdg"
rc=0
for run in $(seq "$runs"); do
    echo "== bench_terminal, run $run of $runs"
    TIMEFORMAT="bench_terminal (run $run) and its docker CLIs: %R s wall, %U s user, %S s system"
    time XDG_RUNTIME_DIR=$work/xdg QT_QPA_PLATFORM=offscreen GPUDECK_TEST_HOST=$host \
        GPUDECK_BENCH_DOCKER=$work/bin/docker bench_terminal >"$out/bench-$run.txt" || rc=$?
done
rm -f "$work/sampling"
wait "$sampler"
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== CPU by second while it ran (% of one CPU, 5 % or more)"
cat "$out/cpu-by-second.txt"
for run in $(seq "$runs"); do
    echo "== bench_terminal's figures, run $run"
    cat "$out/bench-$run.txt"
done
echo "== exit $rc"
exit $rc
