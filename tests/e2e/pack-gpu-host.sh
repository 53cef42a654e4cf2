#!/usr/bin/env bash
# Packs what tests/e2e/gpu-host.sh needs on a GPU host that has a driver but no Docker and no Qt
# (the device machines: Ubuntu 24.04, no NVIDIA Container Toolkit, nothing to download from):
#   OUT/engine.tar.xz  Debian trixie's dockerd 26, containerd, docker CLI and docker-proxy
#                      (fetch-trixie-docker.sh), this machine's runc and docker-init (bookworm), a
#                      static busybox
#   OUT/app.tar.xz     gpudeck, window_shot, history_dump (for history-vs-dmon.sh) and bench_terminal
#                      (for terminal-bench.sh), or only the PROGRAMs named, with the Qt libraries
#                      they load, the offscreen platform and OpenSSL plugins, fonts (a monospace one
#                      for the terminal) and a fontconfig file; bin/PROGRAM are wrappers that point
#                      the loader at lib/
# Both unpack into one folder (tar -C DIR -xJf …); put DIR/bin first on PATH there. glibc and
# libstdc++ stay the host's (newer than bookworm's, so bookworm's binaries run on them).
#
#   pack-gpu-host.sh BUILD_DIR OUT [PROGRAM...]
# The engine archive is xz with a dictionary that spans all its Go binaries (they share much of
# their code): it stays under 40 MB with the CLI, so both archives fit a 64 MiB carry.
set -euo pipefail

build=$(realpath "${1:?usage: $0 BUILD_DIR OUT [PROGRAM...]}")
out=$(realpath -m "${2:?usage: $0 BUILD_DIR OUT [PROGRAM...]}")
shift 2
programs=("$@")
(( ${#programs[@]} )) || programs=(gpudeck window_shot history_dump bench_terminal)
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
stage=$(mktemp -d /tmp/gpudeck-pack.XXXXXX)
trap 'rm -rf "$stage"' EXIT

if [[ ! -s "$out/engine.tar.xz" ]]; then
    trixie=$("$here/../scripts/fetch-trixie-docker.sh" "$build/trixie-docker")
    mkdir -p "$stage/engine/bin"
    cp "$trixie/usr/sbin/dockerd" "$trixie/usr/bin/containerd" "$trixie/usr/bin/containerd-shim-runc-v2" \
        "$trixie/usr/bin/docker" "$trixie/usr/sbin/docker-proxy" "$(command -v runc)" "$stage/engine/bin/"
    cp -L "$(command -v docker-init)" "$stage/engine/bin/docker-init"
    busybox=$(command -v busybox)
    file -L "$busybox" | grep -q 'statically linked' || { echo "pack-gpu-host: $busybox is not static (apt-get install busybox-static)" >&2; exit 1; }
    cp "$busybox" "$stage/engine/bin/busybox"
    tar -C "$stage/engine" -cf - . | xz -T1 --x86 --lzma2=preset=9,dict=256MiB >"$out/engine.tar.xz.part"
    mv "$out/engine.tar.xz.part" "$out/engine.tar.xz"
fi

app="$stage/app"
mkdir -p "$app/bin" "$app/libexec" "$app/lib" "$app/plugins/platforms" "$app/fonts"
binaries=()
for program in "${programs[@]}"; do
    binary=$(find "$build/bin" "$build/tests/e2e" "$build/tests/bench" -maxdepth 1 -name "$program" -type f -perm -u+x 2>/dev/null | head -n1)
    [[ -n "$binary" ]] || { echo "pack-gpu-host: no $program under $build (build first)" >&2; exit 1; }
    strip -o "$app/libexec/$program" "$binary"
    binaries+=("$binary")
    cat >"$app/bin/$program" <<SH
#!/bin/sh
# GPU Deck's $program with the Qt it was built against, unpacked beside it.
root=\$(dirname "\$(dirname "\$(readlink -f "\$0")")")
LD_LIBRARY_PATH="\$root/lib\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}" QT_PLUGIN_PATH="\$root/plugins" \\
    FONTCONFIG_FILE="\$root/fonts/fonts.conf" exec "\$root/libexec/$program" "\$@"
SH
    chmod 755 "$app/bin/$program"
done
# The offscreen platform for the window, and the TLS backend for tcp+TLS engines.
plugins=/usr/lib/x86_64-linux-gnu/qt6/plugins
mkdir -p "$app/plugins/tls"
cp "$plugins/platforms/libqoffscreen.so" "$app/plugins/platforms/"
cp "$plugins/tls/libqopensslbackend.so" "$app/plugins/tls/"
# Every library they load, except the C library and the compiler's runtime, which the host has.
for lib in $(ldd "${binaries[@]}" "$app"/plugins/*/*.so | awk '/=> \//{print $3}' | sort -u); do
    case $(basename "$lib") in
        libc.so.* | libm.so.* | libpthread.so.* | libdl.so.* | librt.so.* | libresolv.so.* | libanl.so.* | libutil.so.* \
            | libstdc++.so.* | libgcc_s.so.* | ld-linux*) continue ;;
    esac
    cp -L "$lib" "$app/lib/"
done
dejavu=/usr/share/fonts/truetype/dejavu
cp "$dejavu/DejaVuSans.ttf" "$dejavu/DejaVuSans-Bold.ttf" "$dejavu/DejaVuSansMono.ttf" "$dejavu/DejaVuSansMono-Bold.ttf" "$app/fonts/"
cat >"$app/fonts/fonts.conf" <<'XML'
<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <dir prefix="relative">.</dir>
  <cachedir>/tmp/gpudeck-fontconfig</cachedir>
  <alias><family>monospace</family><prefer><family>DejaVu Sans Mono</family></prefer></alias>
  <alias><family>sans-serif</family><prefer><family>DejaVu Sans</family></prefer></alias>
</fontconfig>
XML
tar -C "$app" -cf - . | xz -T2 -9 >"$out/app.tar.xz"
du -b "$out"/engine.tar.xz "$out"/app.tar.xz
