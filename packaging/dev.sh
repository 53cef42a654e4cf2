#!/usr/bin/env bash
# GPU Deck from a fresh Debian bookworm checkout, in one command each:
#   packaging/dev.sh run    install, build, open the window (with a sandboxed demo engine if no engine answers;
#                           without an NVIDIA driver, with demo GPUs on that demo engine)
#   packaging/dev.sh test   install, build, run every test
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build=${GPUDECK_BUILD_DIR:-$root/build}
mode=${1:-}
if [[ "$mode" != run && "$mode" != test ]]; then
    echo "usage: $0 run|test" >&2
    exit 2
fi

packaging/install-deps.sh
werror=OFF
[[ -n "${CI:-}" ]] && werror=ON
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGPUDECK_WERROR=$werror
# Without an NVIDIA driver (no nvidia-smi that lists a GPU), `run` shows stand-in GPUs: the fake
# NVML library of the tests (tests/gpu/FakeNvml.cpp), whose GPUs are named "Demo GPU", on the
# sandboxed engine, whose stand-in toolkit hands them to containers; the test image's nvidia-smi
# then prints what the container got. With a driver, the real GPUs and the usual engine.
demo_gpus=0
if [[ "$mode" == run ]] && ! nvidia-smi -L >/dev/null 2>&1; then
    demo_gpus=1
fi
targets=()
[[ "$mode" == run ]] && targets=(--target gpudeck) # the tests are built by `test`
[[ $demo_gpus -eq 1 ]] && targets+=(--target fakenvml)
cmake --build "$build" -j "$(nproc)" "${targets[@]}"

if [[ "$mode" == test ]]; then
    cd "$build"
    # The integration tests start a sandboxed dockerd, which needs root.
    as_root=()
    [[ $(id -u) -ne 0 ]] && as_root=(sudo -E)
    exec "${as_root[@]}" ctest --output-on-failure -j "$(nproc)"
fi

# run: use the engine the docker CLI would use; when none answers, or for demo GPUs, start the
# sandboxed one.
if [[ $demo_gpus -eq 1 ]]; then
    echo "No NVIDIA driver found: showing 4 demo GPUs (stand-ins, named \"Demo GPU\") on the sandboxed"
    echo "demo engine, so that ticking GPUs, launching and the container's nvidia-smi can be tried."
    export GPUDECK_NVML_PATH="$build/tests/gpu/libfakenvml.so" GPUDECK_FAKE_NVML_SCENARIO=demo
fi
if [[ $demo_gpus -eq 1 ]] || ! "$build/bin/gpudeck" images >/dev/null 2>&1; then
    [[ $demo_gpus -eq 1 ]] || echo "No Docker engine answered; starting the sandboxed demo engine (needs root)."
    sudo_cmd=()
    [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
    host=$("${sudo_cmd[@]}" tests/scripts/test-engine.sh start "$build/demo-engine" | tail -n 1)
    [[ $(id -u) -ne 0 ]] && "${sudo_cmd[@]}" chmod 666 "${host#unix://}"
    export DOCKER_HOST="$host"
    trap '"${sudo_cmd[@]}" tests/scripts/test-engine.sh stop "$build/demo-engine"' EXIT
fi
if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" ]]; then
    echo "No display: opening the window on a virtual one (xvfb-run)."
    xvfb-run -a "$build/bin/gpudeck"
else
    "$build/bin/gpudeck"
fi
