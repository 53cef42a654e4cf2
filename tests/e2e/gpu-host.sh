#!/usr/bin/env bash
# GPU Deck end to end on a real NVIDIA GPU host (run as root):
#   tests/e2e/gpu-host.sh
# It starts a sandboxed dockerd, builds a small glibc image without nvidia-smi, and checks that
#   1. `gpudeck gpus --json` names the same GPUs as nvidia-smi, through NVML and the fallback;
#   2. the seed's three launches, as presets through `gpudeck run`, print the real nvidia-smi
#      table naming the host's GPU and the UUID the inventory reported;
#   3. `gpudeck doctor` passes, and fails on the GPU-request line with the toolkit's fix once
#      the hook is gone from dockerd's PATH;
#   4. (when GPUDECK_E2E_WINDOW_SHOT names the window-shot program) the window after a launch,
#      rendered offscreen to a PNG;
#   5. the picked GPUs are exactly the ones a container sees (device index, GPU UUID, count),
#      with more selections on hosts with 2 or more GPUs;
#   6. (when GPUDECK_E2E_GPU_LOAD names a GPU load, e.g. a PyTorch loop of the host's) a container
#      keeping one GPU busy shows as busy in the inventory and the window, the others idle;
#   8. through the engine's tcp:// listener (loopback, plain) `gpudeck gpus --json` names the same
#      GPUs from nvidia-smi in a probe container (the host's NVML and nvidia-smi hidden from it),
#      picking the one image with CUDA_VERSION set; through CDI the probe falls back to
#      nvidia.com/gpu=all when the engine refuses --gpus.
# It uses the NVIDIA Container Toolkit when it is installed, and a stand-in runtime otherwise
# (nvidia-standin-runtime.py), and says which.
#
# With GPUDECK_E2E_CDI=1 it goes the Container Device Interface way instead (dockerd 25 or later
# first on PATH, e.g. Debian trixie's 26 from pack-gpu-host.sh): the engine runs with the cdi
# feature on and a spec this script writes from the host's driver, as `nvidia-ctk cdi generate`
# would (the GPUs' device nodes, /dev/nvidiactl and /dev/nvidia-uvm*, the driver's libcuda,
# libnvidia-ml, libnvidia-ptxjitcompiler… and nvidia-smi mounted read-only, PATH and
# LD_LIBRARY_PATH), and every launch asks for CDI devices (Device driver: CDI). Then check 2 wants
# the real table with "CUDA Version" filled in, check 3 the doctor's CDI line, and check 7 runs
# a real CUDA workload: the host's PyTorch (GPUDECK_E2E_CUDA_PYTHON, default a python3 that
# imports torch) with the host's /usr and its environment mounted read-only into a container
# with its own /proc, holding memory and multiplying matrices on one GPU while `gpudeck gpus`
# and the window name the container on that GPU, and the container's own history (history_dump)
# holds its memory as nvidia-smi gives it; once it ends the GPU is free again.
#
# Environment: GPUDECK (the gpudeck binary; default build/bin/gpudeck), GPUDECK_E2E_OUT (results;
# default ./e2e-out), GPUDECK_E2E_BUSYBOX (a static busybox; default from PATH).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
gpudeck=${GPUDECK:-$here/../../build/bin/gpudeck}
out=$(realpath -m "${GPUDECK_E2E_OUT:-./e2e-out}")
work=$(mktemp -d /tmp/gpudeck-e2e.XXXXXX)
mkdir -p "$out"
passed=0
failed=0

say() { printf '== %s\n' "$*"; }
pass() { passed=$((passed + 1)); printf 'PASS %s\n' "$*"; }
fail() { failed=$((failed + 1)); printf 'FAIL %s\n' "$*"; }
now() { date +%s.%N; }

[[ $(id -u) -eq 0 ]] || { echo "gpu-host.sh: run as root (it starts dockerd)" >&2; exit 2; }
[[ -x "$gpudeck" ]] || { echo "gpu-host.sh: no gpudeck binary at $gpudeck (set GPUDECK)" >&2; exit 2; }

# The driver: nvidia-smi and NVML, wherever this host keeps them.
smi=$(command -v nvidia-smi || true)
[[ -z "$smi" && -x /usr/local/nvidia/bin/nvidia-smi ]] && smi=/usr/local/nvidia/bin/nvidia-smi
[[ -n "$smi" ]] || { echo "gpu-host.sh: nvidia-smi not found: is the NVIDIA driver installed?" >&2; exit 2; }
nvml=$(ldconfig -p 2>/dev/null | awk '/libnvidia-ml.so.1 .*x86-64/{print $NF; exit}')
if [[ -z "$nvml" ]]; then
    for candidate in /usr/local/nvidia/lib64/libnvidia-ml.so.1 /usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1; do
        [[ -e "$candidate" ]] && nvml=$candidate && break
    done
    # Not on the loader's path: tell gpudeck where it is.
    [[ -n "$nvml" ]] && export GPUDECK_NVML_PATH=$nvml
fi
export GPUDECK_E2E_NVIDIA_SMI=$smi GPUDECK_E2E_NVML=$nvml
say "driver: $("$smi" --query-gpu=driver_version --format=csv,noheader | head -n1), nvidia-smi $smi, NVML ${nvml:-not found}"

# The engine's helpers: CDI when asked, the real toolkit when installed, else the stand-in.
mkdir -p "$work/hook" "$work/bin"
if [[ -n "${GPUDECK_E2E_CDI:-}" ]]; then
    mode=cdi
    mkdir -p "$work/cdi"
    # The device nodes of each GPU by index (nvidia-smi -q's Minor Number, in index order).
    "$smi" --query-gpu=index,uuid --format=csv,noheader >"$work/gpus.csv"
    "$smi" -q | awk -F: '/Minor Number/{gsub(/ /, "", $2); print $2}' >"$work/minors.txt"
    python3 - "$work/cdi/nvidia.json" "$work/gpus.csv" "$work/minors.txt" "$smi" "$(dirname "${nvml:-/nonexistent/x}")" <<'PY' ||
import glob, json, os, sys
spec_path, gpus_csv, minors_txt, smi, libdir = sys.argv[1:6]
rows = [[c.strip() for c in line.split(",")] for line in open(gpus_csv) if line.strip()]
minors = [m.strip() for m in open(minors_txt) if m.strip()]
node = lambda path: {"path": path}
devices, all_nodes = [], []
for (index, uuid), minor in zip(rows, minors):
    gpu_node = node(f"/dev/nvidia{minor}")
    all_nodes.append(gpu_node)
    for name in (index, uuid):
        devices.append({"name": name, "containerEdits": {"deviceNodes": [gpu_node]}})
devices.append({"name": "all", "containerEdits": {"deviceNodes": all_nodes}})
common = [node(p) for p in ("/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia-uvm-tools", "/dev/nvidia-modeset")
          if os.path.exists(p)]
# The driver's user-space libraries the CUDA driver API and NVML need, at the paths the host
# has them (links mounted as the files they name), read-only; nvidia-smi likewise.
mounts = []
for pattern in ("libcuda.so*", "libnvidia-ml.so*", "libnvidia-ptxjitcompiler.so*", "libnvidia-nvvm.so*",
                "libnvidia-gpucomp.so*", "libcudadebugger.so*"):
    for path in sorted(glob.glob(os.path.join(libdir, pattern))):
        mounts.append({"hostPath": os.path.realpath(path), "containerPath": path,
                       "options": ["ro", "nosuid", "nodev", "bind"]})
mounts.append({"hostPath": os.path.realpath(smi), "containerPath": smi, "options": ["ro", "nosuid", "nodev", "bind"]})
env = [f"LD_LIBRARY_PATH={libdir}",
       f"PATH={os.path.dirname(smi)}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]
spec = {"cdiVersion": "0.5.0", "kind": "nvidia.com/gpu", "devices": devices,
        "containerEdits": {"deviceNodes": common, "mounts": mounts, "env": env}}
json.dump(spec, open(spec_path, "w"), indent=2)
print(f"{len(rows)} GPU(s), {len(common)} shared device nodes, {len(mounts)} mounts from {libdir}")
PY
        { echo "gpu-host.sh: could not write the CDI spec" >&2; exit 2; }
    cp "$work/cdi/nvidia.json" "$out/cdi-nvidia.json"
    cat >"$work/daemon.json" <<JSON
{ "features": { "cdi": true }, "cdi-spec-dirs": ["$work/cdi"], "userland-proxy": false }
JSON
    say "CDI: spec $work/cdi/nvidia.json ($(python3 -c 'import json,sys; print(", ".join("nvidia.com/gpu=" + d["name"] for d in json.load(open(sys.argv[1]))["devices"]))' "$work/cdi/nvidia.json"))"
elif command -v nvidia-container-runtime-hook >/dev/null && command -v nvidia-container-runtime >/dev/null; then
    mode=toolkit
    cat >"$work/daemon.json" <<JSON
{ "runtimes": { "nvidia": { "path": "$(command -v nvidia-container-runtime)" } }, "userland-proxy": false }
JSON
    say "using the NVIDIA Container Toolkit installed on this host"
else
    mode=standin
    printf '#!/bin/sh\ncat >/dev/null\nexit 0\n' >"$work/hook/nvidia-container-runtime-hook"
    chmod +x "$work/hook/nvidia-container-runtime-hook"
    install -m 755 "$here/nvidia-standin-runtime.py" "$work/bin/nvidia-standin-runtime"
    cat >"$work/daemon.json" <<JSON
{ "runtimes": { "nvidia": { "path": "$work/bin/nvidia-standin-runtime" } }, "default-runtime": "nvidia",
  "userland-proxy": false }
JSON
    say "NVIDIA Container Toolkit not installed: using the stand-in runtime (tests/e2e/nvidia-standin-runtime.py)"
fi
# dockerd's own PATH without the hook, for check 3: only the engine's binaries.
mkdir -p "$work/nohook"
for tool in dockerd containerd containerd-shim-runc-v2 runc docker-init python3; do
    path=$(command -v "$tool" || true)
    [[ -n "$path" ]] && ln -sf "$path" "$work/nohook/$tool"
done
[[ -e "$work/nohook/docker-init" ]] || { ln -sf "$(command -v tini 2>/dev/null || echo /bin/false)" "$work/nohook/docker-init"; }

engine="$work/engine"
sock="$engine/docker.sock"
export DOCKER_HOST="unix://$sock"
engine_pid=""
tcp_host=tcp://127.0.0.1:${GPUDECK_E2E_TCP_PORT:-23750}

start_engine() { # $1: PATH for dockerd
    mkdir -p "$engine"
    setsid env PATH="$1" dockerd --host "$DOCKER_HOST" --host "$tcp_host" --data-root "$engine/data" --exec-root "$engine/exec" \
        --pidfile "$engine/dockerd.pid" --config-file "$work/daemon.json" --iptables=false --ip-masq=false \
        --bridge=none --log-level warn >>"$out/dockerd.log" 2>&1 </dev/null &
    engine_pid=$!
    local deadline=$((SECONDS + 60))
    until "$gpudeck" images >/dev/null 2>&1; do
        (( SECONDS > deadline )) && { echo "dockerd did not start; see $out/dockerd.log" >&2; tail -n 20 "$out/dockerd.log" >&2; return 1; }
        sleep 0.2
    done
}
stop_engine() {
    [[ -n "$engine_pid" ]] && kill "$engine_pid" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$engine_pid" 2>/dev/null || break; sleep 0.1; done
    engine_pid=""
}
cleanup() {
    stop_engine
    grep -F " $engine/" /proc/self/mounts | awk '{print $2}' | sort -r | xargs -r -n1 umount -l 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

hook_path="$work/hook:$PATH"
[[ $mode == toolkit || $mode == cdi ]] && hook_path=$PATH
start_engine "$hook_path" || exit 1
say "engine: $("$gpudeck" doctor --json 2>/dev/null | python3 -c 'import json,sys; print([c["detail"] for c in json.load(sys.stdin)["checks"] if c["id"]=="engine"][0])')"

# A small glibc image without nvidia-smi: busybox plus the host's C library, so that the
# nvidia-smi the toolkit (or the stand-in) mounts in can run.
rootfs="$work/rootfs"
mkdir -p "$rootfs/bin" "$rootfs/usr/bin" "$rootfs/usr/lib/x86_64-linux-gnu" "$rootfs/tmp"
busybox=${GPUDECK_E2E_BUSYBOX:-$(command -v busybox)}
cp "$busybox" "$rootfs/bin/busybox"
for applet in sh cat echo env head ls true sleep chroot; do ln -sf busybox "$rootfs/bin/$applet"; done
for lib in $(ldd "$smi" | awk '/=> \//{print $3} /^\t\/lib/{print $1}') /lib64/ld-linux-x86-64.so.2; do
    real=$(readlink -f "$lib")
    mkdir -p "$rootfs$(dirname "$lib")"
    cp "$real" "$rootfs$lib"
done
tar -C "$rootfs" -cf "$work/rootfs.tar" .
python3 "$here/engine-call.py" "$sock" POST "/images/create?fromSrc=-&repo=gpudeck-e2e&tag=latest" \
    --tar "$work/rootfs.tar" >/dev/null || { echo "gpu-host.sh: the image import failed" >&2; exit 1; }
say "image gpudeck-e2e:latest: busybox and glibc, no nvidia-smi"

# 1. The inventory against nvidia-smi, through NVML and through the fallback.
"$smi" --query-gpu=index,uuid,name,memory.total --format=csv,noheader,nounits >"$out/nvidia-smi.csv"
compare_gpus() { # $1: check number, $2: label, then the command's environment
    local check=$1 label=$2; shift 2
    if env "$@" "$gpudeck" gpus --json >"$out/gpus-$label.json" 2>"$out/gpus-$label.err" &&
        python3 - "$out/gpus-$label.json" "$out/nvidia-smi.csv" "$label" <<'PY'
import csv, json, sys
snap = json.load(open(sys.argv[1]))
rows = [[c.strip() for c in r] for r in csv.reader(open(sys.argv[2])) if r]
gpus = snap["gpus"]
assert len(gpus) == len(rows), f"{len(gpus)} GPUs vs {len(rows)} from nvidia-smi"
for gpu, (index, uuid, name, mem) in zip(gpus, rows):
    assert str(gpu["index"]) == index and gpu["uuid"] == uuid and gpu["name"] == name, (gpu, index, uuid, name)
    assert abs(gpu["memoryTotalBytes"] / 2**20 - float(mem)) <= 1, (gpu["memoryTotalBytes"], mem)
print(f"{sys.argv[3]}: source {snap['source']}, driver {snap.get('driverVersion')}, " +
      "; ".join(f"{g['index']} {g['name']} {g['uuid']}" for g in gpus))
PY
    then pass "$check. gpudeck gpus ($label) matches nvidia-smi"; else fail "$check. gpudeck gpus ($label): $(cat "$out/gpus-$label.err")"; fi
}
compare_gpus 1 nvml
compare_gpus 1 fallback GPUDECK_NVML_PATH=/nonexistent/libnvidia-ml.so.1 PATH="$(dirname "$smi"):$PATH"

# 8. The same GPUs through the tcp:// listener: a probe container on the engine runs nvidia-smi.
# The glibc image again, now with CUDA_VERSION set, so that the probe may pick it.
python3 "$here/engine-call.py" "$sock" POST \
    "/images/create?fromSrc=-&repo=gpudeck-e2e-cuda&tag=latest&changes=ENV%20CUDA_VERSION%3D13.0" \
    --tar "$work/rootfs.tar" >/dev/null || { echo "gpu-host.sh: the CUDA image import failed" >&2; exit 1; }
start=$(now)
compare_gpus 8 tcp-probe DOCKER_HOST="$tcp_host" GPUDECK_NVML_PATH=/nonexistent/libnvidia-ml.so.1 PATH=/usr/sbin:/usr/bin:/sbin:/bin
say "8. gpudeck gpus over tcp:// took $(awk -v a="$(now)" -v b="$start" 'BEGIN{printf "%.2f", a - b}') s (first read: identity and the driver's CUDA, two probe containers)"
left=$(python3 "$here/engine-call.py" "$sock" GET '/containers/json?all=1' | python3 -c 'import json,sys; print(" ".join(c["Names"][0] for c in json.load(sys.stdin) if "gpu-probe" in c["Names"][0]))')
[[ -z "$left" ]] && pass "8. no probe container left" || fail "8. probe containers left: $left"
uuid0=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["gpus"][0]["uuid"])' "$out/gpus-nvml.json")
name0=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["gpus"][0]["name"])' "$out/gpus-nvml.json")

# 2. The seed's three launches as presets.
presets="$work/presets"
mkdir -p "$presets"
export GPUDECK_PRESET_DIR=$presets
driver=""
[[ $mode == cdi ]] && driver=cdi
write_preset() { # name, gpus JSON, capabilities JSON, runtime
    cat >"$presets/$1.json" <<JSON
{ "format": "gpudeck-preset", "version": 1, "name": "$1", "image": "gpudeck-e2e:latest",
  "command": ["sh", "-c", "nvidia-smi && nvidia-smi -L"], "gpus": $2, "capabilities": $3,
  "deviceDriver": "$driver", "runtime": "$4", "env": [], "autoRemove": true, "tty": false,
  "containerName": "", "shmSize": "", "ipcMode": "", "binds": [], "networkMode": "none" }
JSON
}
[[ $mode == cdi ]] || write_preset seed-runtime-nvidia-all '{"mode": "all"}' '["gpu"]' nvidia
write_preset seed-device-0 '{"mode": "devices", "devices": ["0"]}' '["gpu"]' ""
write_preset seed-all-compute-utility '{"mode": "all"}' '["gpu", "compute", "utility"]' ""
seeds=(seed-runtime-nvidia-all seed-device-0 seed-all-compute-utility)
# Through CDI there is no nvidia runtime: the seed's device and "all" launches as CDI devices,
# and the table must show the driver's CUDA version (a stand-in runtime leaves it N/A).
[[ $mode == cdi ]] && seeds=(seed-device-0 seed-all-compute-utility)
for preset in "${seeds[@]}"; do
    start=$(now)
    "$gpudeck" run --preset "$preset" >"$out/run-$preset.txt" 2>"$out/run-$preset.err"
    code=$?
    seconds=$(awk -v a="$(now)" -v b="$start" 'BEGIN{printf "%.2f", a - b}')
    if [[ $code -eq 0 ]] && grep -q "NVIDIA-SMI" "$out/run-$preset.txt" &&
        grep -qF "$name0" "$out/run-$preset.txt" && grep -qF "$uuid0" "$out/run-$preset.txt" &&
        { [[ $mode != cdi ]] || grep -qE 'CUDA Version: [0-9]+\.[0-9]+' "$out/run-$preset.txt"; }; then
        pass "2. $preset${driver:+ ($driver)}: the real nvidia-smi table with $name0 ($uuid0)$(grep -oE 'CUDA Version: [0-9.]+' "$out/run-$preset.txt" | sed 's/^/, /'), launch to exit ${seconds}s"
    else
        fail "2. $preset: exit $code; $(head -c 400 "$out/run-$preset.err")"
    fi
done

# 5 (before the engine restarts below). The picked GPUs are exactly the ones the container sees:
# `nvidia-smi -L` inside lists the expected UUIDs and no others. Which selections run depends on
# how many GPUs the host has.
gpu_count=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["gpus"]))' "$out/gpus-nvml.json")
uuid_of() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["gpus"][int(sys.argv[2])]["uuid"])' "$out/gpus-nvml.json" "$1"; }
selections=("devices-0|{\"mode\": \"devices\", \"devices\": [\"0\"]}|0" "uuid-0|{\"mode\": \"devices\", \"devices\": [\"$uuid0\"]}|0" "count-1|{\"mode\": \"count\", \"count\": 1}|0")
if (( gpu_count >= 2 )); then
    uuid1=$(uuid_of 1)
    selections+=("devices-1|{\"mode\": \"devices\", \"devices\": [\"1\"]}|1"
                 "uuid-1|{\"mode\": \"devices\", \"devices\": [\"$uuid1\"]}|1"
                 "count-2|{\"mode\": \"count\", \"count\": 2}|0 1")
fi
(( gpu_count >= 3 )) && selections+=("devices-0-2|{\"mode\": \"devices\", \"devices\": [\"0\", \"2\"]}|0 2")
for selection in "${selections[@]}"; do
    IFS='|' read -r label gpus expected <<<"$selection"
    write_preset "pick-$label" "$gpus" '["gpu", "utility"]' ""
    sed -i 's/"command": \[[^]]*\]/"command": ["nvidia-smi", "-L"]/' "$presets/pick-$label.json"
    "$gpudeck" run --preset "pick-$label" >"$out/pick-$label.txt" 2>&1
    want=$(for i in $expected; do uuid_of "$i"; done | sort | tr '\n' ' ')
    got=$(grep -o 'GPU-[0-9a-f-]*' "$out/pick-$label.txt" | sort | tr '\n' ' ')
    if [[ -n "$want" && "$got" == "$want" ]]; then
        pass "5. $label: the container sees exactly GPU(s) $expected"
    else
        fail "5. $label: expected [$want], the container saw [$got]"
    fi
done
(( gpu_count < 2 )) && say "5. one GPU on this host: the selections that need 2 or more GPUs were not run"

# 6. A container keeps one GPU busy (the last one): the inventory shows its process and load,
# the other GPUs stay idle, and the window's GPU panel shows it (a PNG). The load is a command
# of the host's (GPUDECK_E2E_GPU_LOAD, e.g. a PyTorch loop), run in the container through a
# chroot into the host's root, bound at /host.
if [[ -n "${GPUDECK_E2E_GPU_LOAD:-}" ]]; then
    busy=$((gpu_count - 1))
    load_json=$(python3 -c 'import json,os; print(json.dumps(os.environ["GPUDECK_E2E_GPU_LOAD"]))')
    cat >"$presets/busy.json" <<JSON
{ "format": "gpudeck-preset", "version": 1, "name": "busy", "image": "gpudeck-e2e:latest",
  "command": ["chroot", "/host", "sh", "-c", $load_json],
  "gpus": {"mode": "devices", "devices": ["$busy"]}, "capabilities": ["gpu", "compute", "utility"],
  "deviceDriver": "", "runtime": "", "env": ["LD_LIBRARY_PATH=${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}/usr/local/nvidia/lib64"],
  "autoRemove": false, "tty": false, "containerName": "gpudeck-e2e-busy", "shmSize": "1g", "ipcMode": "",
  "binds": ["/:/host"], "networkMode": "none" }
JSON
    "$gpudeck" run --detach --preset busy >"$out/busy-run.txt" 2>&1
    deadline=$((SECONDS + 120))
    state=""
    until [[ "$state" == busy ]] || (( SECONDS > deadline )); do
        sleep 1
        state=$("$gpudeck" gpus --json 2>/dev/null | python3 -c '
import json, sys
snap = json.load(sys.stdin); busy = int(sys.argv[1])
gpus = {g["index"]: g for g in snap["gpus"]}
mine = gpus[busy]
others_idle = all(not g["processes"] for i, g in gpus.items() if i != busy)
print("busy" if mine["processes"] and (mine["gpuUtilPercent"] or 0) > 0 and others_idle else "waiting")' "$busy")
    done
    "$gpudeck" gpus --json >"$out/gpus-busy.json" 2>>"$out/gpudeck.err"
    if [[ "$state" == busy ]]; then
        pass "6. GPU $busy busy with the container's process and load, the others idle ($(python3 -c 'import json,sys; g=json.load(open(sys.argv[1]))["gpus"][int(sys.argv[2])]; print("%s %%, %d process(es), %d MiB used" % (g["gpuUtilPercent"], len(g["processes"]), g["memoryUsedBytes"] // 2**20))' "$out/gpus-busy.json" "$busy"))"
        if [[ -n "${GPUDECK_E2E_WINDOW_SHOT:-}" ]]; then
            QT_QPA_PLATFORM=offscreen "$GPUDECK_E2E_WINDOW_SHOT" --watch "$out/window-busy.png" >"$out/window-busy.log" 2>&1 &&
                pass "6. window with GPU $busy busy: $out/window-busy.png" || fail "6. busy window: $(tail -n 3 "$out/window-busy.log")"
        fi
    else
        fail "6. GPU $busy never showed the container's load: $(cat "$out/busy-run.txt") $(head -c 600 "$out/gpus-busy.json")"
    fi
    python3 "$here/engine-call.py" "$sock" GET "/containers/gpudeck-e2e-busy/logs?stdout=1&stderr=1" >"$out/busy-logs.txt" 2>&1
    python3 "$here/engine-call.py" "$sock" DELETE "/containers/gpudeck-e2e-busy?force=1" >/dev/null 2>&1
fi

# 7. Real CUDA in a container launched by gpudeck, through CDI: the host's PyTorch with the
# host's /usr and its environment mounted read-only, the container's own /proc (no chroot: CUDA
# fails with error 304 without /proc). First without the device (no CUDA), then on the last GPU
# holding memory and multiplying matrices, while gpudeck gpus and the window name the container.
cuda_python=${GPUDECK_E2E_CUDA_PYTHON:-$(command -v python3)}
if [[ $mode == cdi ]] && "$cuda_python" -c 'import torch' 2>/dev/null; then
    # Its environment and the Python it was made from, where they are outside /usr.
    prefixes=$("$cuda_python" -c 'import sys; print(sys.prefix); print(sys.base_prefix)' | sort -u)
    usr="$work/usr-rootfs"
    mkdir -p "$usr/usr" "$usr/tmp" "$usr/proc" "$usr/dev" "$usr/sys" "$usr/etc" "$usr/root"
    for link in bin sbin lib lib64; do ln -s "usr/$link" "$usr/$link"; done
    tar -C "$usr" -cf "$work/usr-rootfs.tar" .
    python3 "$here/engine-call.py" "$sock" POST "/images/create?fromSrc=-&repo=gpudeck-e2e-usr&tag=latest" \
        --tar "$work/usr-rootfs.tar" >/dev/null || { echo "gpu-host.sh: the /usr image import failed" >&2; exit 1; }
    busy=$((gpu_count - 1))
    binds="\"/usr:/usr:ro\""
    for prefix in $prefixes; do
        [[ $prefix == /usr || $prefix == /usr/* ]] || binds="$binds, \"$prefix:$prefix:ro\""
    done
    write_cuda_preset() { # name, gpus JSON, python source
        local source_json cdi=cdi
        source_json=$(python3 -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$3")
        [[ $2 == *none* ]] && cdi=""
        cat >"$presets/$1.json" <<JSON
{ "format": "gpudeck-preset", "version": 1, "name": "$1", "image": "gpudeck-e2e-usr:latest",
  "command": ["$cuda_python", "-c", $source_json], "gpus": $2, "capabilities": ["gpu", "compute", "utility"],
  "deviceDriver": "$cdi", "runtime": "", "env": ["HOME=/tmp", "PYTHONUNBUFFERED=1"], "autoRemove": false,
  "tty": false, "containerName": "$1", "shmSize": "1g", "ipcMode": "", "binds": [$binds], "networkMode": "none" }
JSON
    }
    write_cuda_preset gpudeck-e2e-nocuda '{"mode": "none"}' 'import torch; print("cuda available:", torch.cuda.is_available())'
    "$gpudeck" run --preset gpudeck-e2e-nocuda >"$out/cuda-none.txt" 2>&1
    if grep -q "cuda available: False" "$out/cuda-none.txt"; then
        pass "7. without a GPU the same container sees no CUDA"
    else
        fail "7. the container without a GPU: $(head -c 400 "$out/cuda-none.txt")"
    fi
    python3 "$here/engine-call.py" "$sock" DELETE "/containers/gpudeck-e2e-nocuda?force=1" >/dev/null 2>&1
    seconds_busy=${GPUDECK_E2E_CUDA_SECONDS:-45}
    write_cuda_preset gpudeck-e2e-cuda "{\"mode\": \"devices\", \"devices\": [\"$busy\"]}" "
import time, torch
print('torch', torch.__version__, 'CUDA', torch.version.cuda, 'on', torch.cuda.get_device_name(0), flush=True)
hold = torch.empty(6 << 30, dtype=torch.uint8, device='cuda')  # 6 GiB held for the owners check
a = torch.randn(4096, 4096, device='cuda')
n, end = 0, time.time() + $seconds_busy
while time.time() < end:
    b = a @ a
    n += 1
    if n % 100 == 0:
        torch.cuda.synchronize()
torch.cuda.synchronize()
print('4096x4096 matrix products:', n, 'finite:', bool(torch.isfinite(b).all().item()), flush=True)
"
    "$gpudeck" run --detach --preset gpudeck-e2e-cuda >"$out/cuda-run.txt" 2>&1
    deadline=$((SECONDS + 90))
    state=""
    until [[ "$state" == named ]] || (( SECONDS > deadline )); do
        sleep 1
        state=$("$gpudeck" gpus --json 2>/dev/null | python3 -c '
import json, sys
gpu = {g["index"]: g for g in json.load(sys.stdin)["gpus"]}[int(sys.argv[1])]
named = [p for p in gpu["processes"] if (p.get("container") or {}).get("name") == "gpudeck-e2e-cuda" and (p.get("usedMemoryBytes") or 0) > 0]
print("named" if named else "waiting")' "$busy")
    done
    "$gpudeck" gpus --json >"$out/gpus-cuda.json" 2>>"$out/gpudeck.err"
    if [[ "$state" == named ]]; then
        pass "7. gpudeck gpus names the container on GPU $busy: $(python3 -c '
import json, sys
g = {g["index"]: g for g in json.load(open(sys.argv[1]))["gpus"]}[int(sys.argv[2])]
print("; ".join("PID %s %s (%s, image %s) %d MiB" % (p["pid"], p["container"]["name"], p["container"]["id"][:12], p["container"].get("image"), p["usedMemoryBytes"] // 2**20) for p in g["processes"] if p.get("container")) + ", %s %% busy" % g["gpuUtilPercent"])' "$out/gpus-cuda.json" "$busy")"
    else
        fail "7. gpudeck gpus never named the container on GPU $busy: $(cat "$out/cuda-run.txt") $(head -c 800 "$out/gpus-cuda.json")"
    fi
    # The container's own history, as its log tab's plot draws it: history_dump records the GPUs
    # for 15 s while nvidia-smi lists the compute processes each second; the container's memory
    # must be within 1 % of what nvidia-smi gives its process, its utilisation that of a GPU kept
    # busy by matrix products (50 % or more in the median second).
    dump=$(command -v history_dump || echo "$here/../../build/tests/e2e/history_dump")
    cid=$(python3 -c '
import json, sys
g = {g["index"]: g for g in json.load(open(sys.argv[1]))["gpus"]}[int(sys.argv[2])]
print(next((p["container"]["id"] for p in g["processes"] if p.get("container")), ""))' "$out/gpus-cuda.json" "$busy" 2>/dev/null)
    if [[ "$state" == named && -x "$dump" && -n "$cid" ]]; then
        "$dump" 15 "$out/history-cuda.csv" "$busy" "$cid" >"$out/history-cuda.log" 2>&1 &
        dump_pid=$!
        for _ in $(seq 15); do
            "$smi" --query-compute-apps=pid,used_memory --format=csv,noheader,nounits -i "$busy" >>"$out/apps-cuda.csv" 2>&1
            sleep 1
        done
        wait "$dump_pid"
        verdict=$(python3 - "$out/history-cuda.csv.container" "$out/apps-cuda.csv" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
ours = [int(r["memory_mib"]) for r in rows if int(r["memory_mib"]) > 0]
util = [int(r["gpu_util_percent"]) for r in rows if int(r["gpu_util_percent"]) >= 0]
smi = [int(line.split(",")[1]) for line in open(sys.argv[2]) if line.count(",") == 1 and line.split(",")[1].strip().isdigit()]
if len(ours) < 5 or not smi or not util:
    print("FAIL only %d points with memory, %d nvidia-smi readings, %d with utilisation" % (len(ours), len(smi), len(util)))
    sys.exit()
m, s, u = statistics.median(ours), statistics.median(smi), statistics.median(util)
ok = abs(m - s) <= 0.01 * s and u >= 50
print("%s %d points; memory %d MiB (nvidia-smi %d MiB for its process); utilisation median %d %%" % ("PASS" if ok else "FAIL", len(rows), m, s, u))
PY
)
        if [[ $verdict == PASS* ]]; then pass "7. the container's own history: ${verdict#PASS }"
        else fail "7. the container's own history: ${verdict#FAIL } ($(tail -n 2 "$out/history-cuda.log"))"; fi
    elif [[ "$state" == named ]]; then
        say "7. no history_dump (build it, or put the packed one on PATH): the container's own history was not checked"
    fi
    if [[ -n "${GPUDECK_E2E_WINDOW_SHOT:-}" ]]; then
        QT_QPA_PLATFORM=offscreen "$GPUDECK_E2E_WINDOW_SHOT" --watch --expect gpudeck-e2e-cuda "$out/window-cuda.png" >"$out/window-cuda.log" 2>&1 &&
            pass "7. the window names the container on GPU $busy: $(grep "^GPU $busy:" "$out/window-cuda.log")" ||
            fail "7. window with the CUDA container: $(tail -n 4 "$out/window-cuda.log")"
    fi
    python3 "$here/engine-call.py" "$sock" POST "/containers/gpudeck-e2e-cuda/wait" >"$out/cuda-wait.json" 2>&1
    python3 "$here/engine-call.py" "$sock" GET "/containers/gpudeck-e2e-cuda/logs?stdout=1&stderr=1" >"$out/cuda-logs.txt" 2>&1
    if grep -q '"StatusCode":0\|"StatusCode": 0' "$out/cuda-wait.json" && grep -q "finite: True" "$out/cuda-logs.txt"; then
        pass "7. the CUDA workload ran: $(grep -a -o -E "(torch|4096x4096).*" "$out/cuda-logs.txt" | tr -d '\000-\010' | tr '\n' ' ')"
    else
        fail "7. the CUDA workload: $(cat "$out/cuda-wait.json") $(tail -c 600 "$out/cuda-logs.txt")"
    fi
    python3 "$here/engine-call.py" "$sock" DELETE "/containers/gpudeck-e2e-cuda?force=1" >/dev/null 2>&1
    deadline=$((SECONDS + 30))
    until "$gpudeck" gpus --json 2>/dev/null | python3 -c '
import json, sys
g = {g["index"]: g for g in json.load(sys.stdin)["gpus"]}[int(sys.argv[1])]
sys.exit(0 if not g["processes"] else 1)' "$busy" || (( SECONDS > deadline )); do sleep 1; done
    "$gpudeck" gpus --json >"$out/gpus-after-cuda.json" 2>>"$out/gpudeck.err"
    if (( SECONDS <= deadline )); then pass "7. after the workload GPU $busy is free again"
    else fail "7. GPU $busy still lists processes after the workload: $(head -c 600 "$out/gpus-after-cuda.json")"; fi
elif [[ $mode == cdi ]]; then
    say "7. no python with torch on this host (GPUDECK_E2E_CUDA_PYTHON): the CUDA workload was not run"
fi

# 3. The doctor, with the hook and without it.
if "$gpudeck" doctor --json >"$out/doctor.json" 2>>"$out/gpudeck.err" && python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["ok"]' "$out/doctor.json"; then
    pass "3. gpudeck doctor passes"
else
    fail "3. gpudeck doctor: $(cat "$out/doctor.json")"
fi
if [[ $mode == cdi ]]; then
    if python3 - "$out/doctor.json" <<'PY'
import json, sys
checks = {c["id"]: c for c in json.load(open(sys.argv[1]))["checks"]}
cdi = [c for i, c in checks.items() if "cdi" in i]
# The spec line passes; cdi-refresh may be skipped where the host has no systemd.
assert checks.get("cdi", {}).get("status") == "pass", cdi
assert all(c["status"] == "pass" or (c["id"] == "cdi-refresh" and c["status"] == "skip") for c in cdi), cdi
print("; ".join(f'{c["id"]}: {c["detail"]}' for c in cdi))
PY
    then pass "3. the doctor's CDI lines pass (spec found, devices match this host's GPUs)"
    else fail "3. the doctor's CDI lines: $(head -c 800 "$out/doctor.json")"; fi
fi
if [[ $mode == cdi ]]; then
    : # no hook to take away on the CDI path
else
stop_engine
start_engine "$work/nohook" || exit 1
"$gpudeck" doctor --json >"$out/doctor-nohook.json" 2>>"$out/gpudeck.err"
code=$?
if [[ $code -ne 0 ]] && python3 - "$out/doctor-nohook.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
probe = [c for c in report["checks"] if c["id"] == "gpu-request"][0]
assert probe["status"] == "fail", probe
assert "could not select device driver" in probe["detail"], probe
assert "NVIDIA Container Toolkit" in probe["fix"], probe
PY
then pass "3. without the hook, gpudeck doctor fails on the GPU-request line with the toolkit's fix"
else fail "3. doctor without the hook: exit $code, $(cat "$out/doctor-nohook.json")"; fi
stop_engine
start_engine "$hook_path" || exit 1
fi

# 4. The window after a launch, offscreen.
if [[ -n "${GPUDECK_E2E_WINDOW_SHOT:-}" ]]; then
    if QT_QPA_PLATFORM=offscreen "$GPUDECK_E2E_WINDOW_SHOT" ${driver:+--driver "$driver"} "$out/window.png" gpudeck-e2e:latest >"$out/window.log" 2>&1 &&
        [[ -s "$out/window.png" ]]; then
        pass "4. window rendered after a launch: $out/window.png"
    else
        fail "4. window shot: $(tail -n 5 "$out/window.log")"
    fi
fi

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
