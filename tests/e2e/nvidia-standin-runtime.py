#!/usr/bin/env python3
"""Stand-in for the NVIDIA Container Toolkit's runtime, for GPU hosts without the toolkit.

Registered with dockerd as the runtime "nvidia" (and as the default runtime, so that plain
DeviceRequests reach it too). On `create`, when the container's environment names GPUs in
NVIDIA_VISIBLE_DEVICES (which dockerd sets from the DeviceRequest), it adds those device nodes plus
nvidiactl and nvidia-uvm to the OCI config, allows them in the device cgroup, and bind-mounts the
host's nvidia-smi and libnvidia-ml.so.1 read-only — what the toolkit's CDI mode does. Then it runs
runc with the same arguments. It is a test fixture, not a product part.
"""
import json
import os
import re
import shutil
import stat
import subprocess
import sys

RUNC = os.environ.get("GPUDECK_E2E_RUNC") or shutil.which("runc") or "/usr/sbin/runc"
SMI = os.environ.get("GPUDECK_E2E_NVIDIA_SMI", "/usr/local/nvidia/bin/nvidia-smi")
NVML = os.environ.get("GPUDECK_E2E_NVML", "/usr/local/nvidia/lib64/libnvidia-ml.so.1")


def gpu_indexes(visible):
    """Host GPU indexes named by NVIDIA_VISIBLE_DEVICES (indexes, GPU UUIDs or 'all')."""
    listing = subprocess.run([SMI, "--query-gpu=index,uuid", "--format=csv,noheader"],
                             capture_output=True, text=True, check=True).stdout
    by_uuid = {}
    for line in listing.splitlines():
        index, uuid = [part.strip() for part in line.split(",")]
        by_uuid[uuid] = int(index)
    if visible == "all":
        return sorted(by_uuid.values())
    wanted = []
    for item in visible.split(","):
        item = item.strip()
        if re.fullmatch(r"\d+", item):
            wanted.append(int(item))
        elif item in by_uuid:
            wanted.append(by_uuid[item])
        elif re.fullmatch(r"\d+:\d+", item) or item.startswith("MIG-"):
            wanted.append(int(item.split(":")[0]) if ":" in item else 0)
        else:
            sys.exit(f"nvidia stand-in: unknown device {item!r}")
    return sorted(set(wanted))


def device_entry(path):
    info = os.stat(path)
    return {"path": path, "type": "c", "major": os.major(info.st_rdev), "minor": os.minor(info.st_rdev),
            "fileMode": stat.S_IMODE(info.st_mode), "uid": 0, "gid": 0}


def patch_bundle(bundle):
    path = os.path.join(bundle, "config.json")
    with open(path) as f:
        config = json.load(f)
    env = dict(e.split("=", 1) for e in config.get("process", {}).get("env", []) if "=" in e)
    visible = env.get("NVIDIA_VISIBLE_DEVICES", "")
    if not visible or visible in ("void", "none"):
        return
    # The control nodes the toolkit's CDI specification lists beside the GPUs themselves.
    nodes = [f"/dev/nvidia{i}" for i in gpu_indexes(visible)] + [
        "/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia-uvm-tools", "/dev/nvidia-modeset"]
    linux = config.setdefault("linux", {})
    devices = linux.setdefault("devices", [])
    allowed = linux.setdefault("resources", {}).setdefault("devices", [])
    for node in nodes:
        if not os.path.exists(node):
            continue
        entry = device_entry(node)
        devices.append(entry)
        allowed.append({"allow": True, "type": "c", "major": entry["major"], "minor": entry["minor"],
                        "access": "rwm"})
    mounts = config.setdefault("mounts", [])
    for source, target in ((SMI, "/usr/bin/nvidia-smi"),
                           (NVML, "/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1")):
        mounts.append({"destination": target, "type": "bind", "source": os.path.realpath(source),
                       "options": ["rbind", "ro", "nosuid", "nodev"]})
    with open(path, "w") as f:
        json.dump(config, f)


def main():
    args = sys.argv[1:]
    if "create" in args and "--bundle" in args:
        patch_bundle(args[args.index("--bundle") + 1])
    elif "create" in args and "-b" in args:
        patch_bundle(args[args.index("-b") + 1])
    os.execv(RUNC, [RUNC] + args)


if __name__ == "__main__":
    main()
