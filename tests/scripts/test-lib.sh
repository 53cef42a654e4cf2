# Shared by the test engine scripts (sourced): the test image's root file system and the stand-in
# CDI specification files.

# make_test_rootfs DIR: busybox-static plus a stub nvidia-smi that prints what the engine asked
# for: NVIDIA_VISIBLE_DEVICES and NVIDIA_DRIVER_CAPABILITIES (the legacy path), and a CDI_DEVICES
# line naming the CDI devices injected, when there are any.
make_test_rootfs() {
    local rootfs=$1
    mkdir -p "$rootfs/bin"
    cp "$(command -v busybox)" "$rootfs/bin/busybox"
    local applet
    for applet in sh cat echo env head tail dd yes true false sleep md5sum sha256sum wc printf seq ls kill trap sed sort tr; do
        ln -sf busybox "$rootfs/bin/$applet"
    done
    cat >"$rootfs/bin/nvidia-smi" <<'SMI'
#!/bin/sh
# Stub nvidia-smi for the test engines: shows exactly what the engine asked the toolkit for.
# The GPU queries (--query-gpu, --query-compute-apps) answer as the toolkit would have it: two
# stand-in GPUs (the second one busy) where every GPU was asked for (NVIDIA_VISIBLE_DEVICES=all,
# or the CDI device nvidia.com/gpu=all), a driver error where none was, and on the legacy path no
# nvidia-smi at all without the utility capability (the toolkit mounts it only then).
case "${1-}" in
--query-gpu=*|--query-compute-apps=*)
    if [ -z "${GPUDECK_CDI_DEV_ALL-}" ]; then
        case ",${NVIDIA_DRIVER_CAPABILITIES-}," in
        *,utility,*|*,all,*) ;;
        *) echo "sh: nvidia-smi: not found" >&2; exit 127 ;;
        esac
        case "${NVIDIA_VISIBLE_DEVICES-}" in
        all) ;;
        *) echo "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver."; exit 9 ;;
        esac
    fi
    case "$1" in
    --query-gpu=index,uuid,name,*)
        for i in 0 1; do
            echo "$i, GPU-6bd9c3a4-0000-4000-8000-00000000000$i, NVIDIA Stand-in GPU, 00000000:0$i:00.0, 81559, $((i * 30000 + 10)), $((i * 90)), 0, 3$i, 70.00, 700.00, Disabled, 580.95.05"
        done ;;
    --query-gpu=index,memory.used,*)
        for i in 0 1; do echo "$i, $((i * 30000 + 20)), $((i * 95)), 1, 4$i, 80.00, 700.00"; done ;;
    esac
    exit 0 ;;
esac
echo "NVIDIA_VISIBLE_DEVICES=${NVIDIA_VISIBLE_DEVICES-}"
echo "NVIDIA_DRIVER_CAPABILITIES=${NVIDIA_DRIVER_CAPABILITIES-}"
cdi=$(env | sed -n 's/^GPUDECK_CDI_DEV_[A-Za-z0-9_]*=//p' | sort | tr '\n' ' ')
if [ -n "$cdi" ]; then echo "CDI_DEVICES=${cdi% }"; fi
SMI
    chmod +x "$rootfs/bin/nvidia-smi"
}

# cdi_device_json NAME VAR: one stand-in device: /dev/nvidia-gpudeck-<VAR> is /dev/null, and
# GPUDECK_CDI_DEV_<VAR> names the device, so the stub nvidia-smi can tell which were injected.
cdi_device_json() {
    printf '{"name": "%s", "containerEdits": {"env": ["GPUDECK_CDI_DEV_%s=nvidia.com/gpu=%s"], "deviceNodes": [{"path": "/dev/nvidia-gpudeck-%s", "hostPath": "/dev/null"}]}}' \
        "$1" "$2" "$1" "$2"
}

# write_cdi_json FILE NAME:VAR...: a spec (cdiVersion 0.5.0, the newest Podman 4.3 reads) in JSON.
write_cdi_json() {
    local file=$1 sep="" entry
    shift
    {
        printf '{"cdiVersion": "0.5.0", "kind": "nvidia.com/gpu", "devices": ['
        for entry in "$@"; do
            printf '%s' "$sep"
            cdi_device_json "${entry%%:*}" "${entry##*:}"
            sep=", "
        done
        printf '], "containerEdits": {"deviceNodes": [{"path": "/dev/nvidiactl-gpudeck", "hostPath": "/dev/zero"}]}}\n'
    } >"$file.tmp"
    mv "$file.tmp" "$file"
}

# write_cdi_yaml FILE NAME:VAR[:NODE]...: the same in YAML; NODE, when given, is the device's path
# in the container instead (nvidia0: /dev/nvidia0, a real GPU's node, as Podman's inspect then
# shows it).
write_cdi_yaml() {
    local file=$1 entry name var node
    shift
    {
        echo 'cdiVersion: "0.5.0"'
        echo 'kind: nvidia.com/gpu'
        echo 'devices:'
        for entry in "$@"; do
            IFS=: read -r name var node <<<"$entry"
            echo "  - name: \"$name\""
            echo '    containerEdits:'
            echo "      env: [\"GPUDECK_CDI_DEV_$var=nvidia.com/gpu=$name\"]"
            echo '      deviceNodes:'
            echo "        - path: /dev/${node:-nvidia-gpudeck-$var}"
            echo '          hostPath: /dev/null'
        done
    } >"$file.tmp"
    mv "$file.tmp" "$file"
}
