#!/usr/bin/env bash
# GPU Deck's GPU history against `nvidia-smi dmon` on a real NVIDIA GPU host:
#   tests/e2e/history-vs-dmon.sh
# While a CUDA workload runs on GPU 0 (the host's PyTorch: memory held in steps, matrix products
# in bursts with idle pauses between, so that both figures move), history_dump records this
# machine's GPUs through GpuMonitor, the window's own path (NVML each second into GpuHistory's
# rings), and writes GPU 0's history as the plot's CSV; `nvidia-smi dmon -i 0 -s um -o DT -d 1`
# prints the same seconds. For every steady second both have, GPU Deck's utilisation must be
# within 10 points of dmon's sm %, and its memory in use within 1 % of dmon's fb MiB. Each tool
# samples at its own instant within its second, so at a step (a burst starting or ending, memory
# taken or freed) the two see different sides of it: a second counts as steady for a figure when
# dmon's figure one second before and after is within the same tolerance of it. Steps are listed,
# not judged; at least 15 steady seconds must be compared. Not part of ctest: this machine has no
# GPU.
#
# Environment: HISTORY_DUMP (the history_dump program; default history_dump on PATH, as
# pack-gpu-host.sh's app archive puts it, else build/tests/e2e/history_dump),
# GPUDECK_E2E_CUDA_PYTHON (a python3 that imports torch; default python3 on PATH),
# GPUDECK_E2E_OUT (results; default ./e2e-out), GPUDECK_E2E_SECONDS (recording; default 50).
# Exit 0: agreed; 1: disagreed (the seconds that did are in the report); 2: cannot run here.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
dump=${HISTORY_DUMP:-$(command -v history_dump || echo "$here/../../build/tests/e2e/history_dump")}
out=$(realpath -m "${GPUDECK_E2E_OUT:-./e2e-out}")
seconds=${GPUDECK_E2E_SECONDS:-50}
python=${GPUDECK_E2E_CUDA_PYTHON:-$(command -v python3)}
mkdir -p "$out"

smi=$(command -v nvidia-smi || true)
[[ -z "$smi" && -x /usr/local/nvidia/bin/nvidia-smi ]] && smi=/usr/local/nvidia/bin/nvidia-smi
[[ -n "$smi" ]] || { echo "history-vs-dmon.sh: nvidia-smi not found: is the NVIDIA driver installed?" >&2; exit 2; }
# NVML where this host keeps it, for history_dump, when the loader does not find it.
if ! ldconfig -p 2>/dev/null | grep -q 'libnvidia-ml.so.1 '; then
    for candidate in /usr/local/nvidia/lib64/libnvidia-ml.so.1 /usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1; do
        [[ -e "$candidate" ]] && export GPUDECK_NVML_PATH=$candidate && break
    done
fi
[[ -x "$dump" ]] || { echo "history-vs-dmon.sh: no history_dump at $dump (build it, or set HISTORY_DUMP)" >&2; exit 2; }
"$python" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null ||
    { echo "history-vs-dmon.sh: $python cannot use CUDA through torch (set GPUDECK_E2E_CUDA_PYTHON)" >&2; exit 2; }
uuid=$("$smi" --query-gpu=uuid --format=csv,noheader -i 0 | head -n1 | tr -d ' ')
echo "== GPU 0: $("$smi" --query-gpu=name,memory.total --format=csv,noheader -i 0), $uuid"

pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
    wait 2>/dev/null
}
trap cleanup EXIT

# dmon first, so that its seconds cover the whole recording.
"$smi" dmon -i 0 -s um -o DT -d 1 >"$out/dmon.txt" 2>&1 &
pids+=($!)
"$dump" "$seconds" "$out/history-gpu0.csv" 0 >"$out/history-dump.log" 2>&1 &
dump_pid=$!
pids+=("$dump_pid")
sleep 3

# The workload: 2 GiB held, products for 8 s, idle 6 s, 4 GiB more, products 8 s, idle 6 s,
# products 8 s; then everything freed.
CUDA_VISIBLE_DEVICES=$uuid "$python" - >"$out/workload.log" 2>&1 <<'PY' &
import time, torch
dev = torch.device('cuda')
print('torch', torch.__version__, 'on', torch.cuda.get_device_name(0), flush=True)
held = [torch.empty(2 << 30, dtype=torch.uint8, device=dev)]
a = torch.randn(4096, 4096, device=dev)
def burst(s):
    end = time.time() + s
    while time.time() < end:
        b = a @ a
        torch.cuda.synchronize()
    print('burst done at', time.strftime('%H:%M:%S'), flush=True)
burst(8); time.sleep(6)
held.append(torch.empty(4 << 30, dtype=torch.uint8, device=dev))
burst(8); time.sleep(6)
burst(8)
del held, a
torch.cuda.empty_cache()
print('workload done at', time.strftime('%H:%M:%S'), flush=True)
PY
workload_pid=$!
pids+=("$workload_pid")
wait "$workload_pid"; workload_rc=$?
wait "$dump_pid"; dump_rc=$?
cleanup
pids=()
[[ $workload_rc -eq 0 ]] || { echo "FAIL the CUDA workload: $(tail -n 5 "$out/workload.log")"; exit 1; }
[[ $dump_rc -eq 0 ]] || { echo "FAIL history_dump: $(cat "$out/history-dump.log")"; exit 1; }

python3 - "$out/history-gpu0.csv" "$out/dmon.txt" "$out/history-vs-dmon.txt" <<'PY'
import csv, datetime, sys

history_csv, dmon_txt, report = sys.argv[1:4]

# GPU Deck: ISO times in UTC -> local second.
ours = {}
with open(history_csv) as f:
    for row in csv.DictReader(f):
        t = datetime.datetime.fromisoformat(row['time'].replace('Z', '+00:00')).astimezone()
        key = t.strftime('%Y%m%d %H:%M:%S')
        if row['gpu_util_percent'] and row['memory_used_mib']:
            ours[key] = (int(row['gpu_util_percent']), int(row['memory_used_mib']))

# dmon: "#Date Time gpu sm mem enc dec ... fb bar1 ..." then rows; columns found by name, as
# drivers add some (jpg, ofa, ccpm).
theirs = {}
names = None
for line in open(dmon_txt):
    parts = line.split()
    if not parts:
        continue
    if parts[0].startswith('#'):
        if names is None and ('sm' in parts or 'fb' in parts):
            names = [p.lstrip('#') for p in parts if p != '#']
        continue
    if names is None or len(parts) != len(names):
        continue
    row = dict(zip(names, parts))
    try:
        theirs[row['Date'] + ' ' + row['Time']] = (int(row['sm']), int(row['fb']))
    except (KeyError, ValueError):
        continue  # "-" where a figure is not available

matched = sorted(set(ours) & set(theirs))
UTIL, MEM = 0, 1
def close(kind, a, b):
    return abs(a - b) <= 10 if kind == UTIL else abs(a - b) <= max(1, 0.01 * max(a, b))
def second(key, delta):
    t = datetime.datetime.strptime(key, '%Y%m%d %H:%M:%S') + datetime.timedelta(seconds=delta)
    return t.strftime('%Y%m%d %H:%M:%S')
def steady(kind, key):
    # dmon's figure did not step into or out of this second.
    v = theirs[key][kind]
    return all(second(key, d) in theirs and close(kind, theirs[second(key, d)][kind], v)
               for d in (-1, 1))

counts = {UTIL: [0, 0, 0], MEM: [0, 0, 0]}  # steady compared, steady agreeing, at a step
lines = ['second              ours util/MiB   dmon sm/fb MiB   util  memory']
for key in matched:
    marks = []
    for kind in (UTIL, MEM):
        if not steady(kind, key):
            counts[kind][2] += 1
            marks.append('step')
            continue
        counts[kind][0] += 1
        agree = close(kind, ours[key][kind], theirs[key][kind])
        counts[kind][1] += agree
        marks.append('ok' if agree else 'OFF')
    (u, m), (su, fb) = ours[key], theirs[key]
    lines.append('%s  %3d %% %7d    %3d %% %7d    %-4s  %s' % (key, u, m, su, fb, *marks))
n = len(matched)
summary = ('%d seconds matched (GPU Deck %d samples, dmon %d); utilisation within 10 points in '
           '%d of %d steady seconds (%d at a step), memory within 1 %% in %d of %d (%d at a step)'
           % (n, len(ours), len(theirs), counts[UTIL][1], counts[UTIL][0], counts[UTIL][2],
              counts[MEM][1], counts[MEM][0], counts[MEM][2]))
busy = [ours[k][0] for k in matched if theirs[k][0] >= 50]
if busy:
    summary += '; while dmon said busy GPU Deck averaged %.0f %%' % (sum(busy) / len(busy))
open(report, 'w').write('\n'.join(lines + ['', summary]) + '\n')
print('\n'.join(lines[-12:]))
good = all(c[0] >= 15 and c[1] == c[0] for c in counts.values())
print(('PASS ' if good else 'FAIL ') + 'GPU 0 history vs nvidia-smi dmon: ' + summary)
sys.exit(0 if good else 1)
PY
