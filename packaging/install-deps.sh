#!/usr/bin/env bash
# Installs everything GPU Deck needs to build, run and test on Debian bookworm (as root or via sudo).
set -euo pipefail

packages=(
    # build
    cmake ninja-build g++ pkg-config qt6-base-dev qt6-base-dev-tools libgl-dev node-llhttp
    # CDI specification files in YAML; Podman's containers.conf in TOML
    libyaml-cpp-dev libtomlplusplus-dev
    # the terminal tabs' VT emulator
    libvterm-dev
    # the SVG icons at run time (without it the style's own icons stand in)
    libqt6svg6
    # the sandboxed test engine and its image; the CLI and the SDK the tests compare with
    docker.io busybox-static procps python3 python3-docker
    # the export tests: node runs the npm validators (test-tools.sh fetches them and docker
    # compose into the build tree)
    nodejs
    # the Podman test engine (podman system service); trixie's dockerd 26 is fetched by the tests;
    # podman-compose runs the Compose export of a CDI launch on Podman
    podman podman-compose
    # Podman 5.8 needs sid's glibc: the tests run it in a sid root that debootstrap makes
    debootstrap
    # remote engines in the tests: a real sshd on loopback, openssl-made TLS certificates
    openssh-server openssh-client openssl
    # the two-node swarm fixture: network namespaces joined by a veth pair (ip netns, ip link)
    iproute2
    # fuzzing (libFuzzer with ASan/UBSan)
    clang-14 libclang-rt-14-dev
    # the style tests: .clang-format and .clang-tidy (tests/scripts/check-format.sh, check-tidy.sh)
    clang-format-14 clang-tidy-14
    # desktop integration checks and packaging
    desktop-file-utils appstream dpkg-dev file
    # the .deb's checks, hardening included (tests/packaging/deb-roundtrip.sh)
    lintian
    # a local registry for the pull tests (htpasswd for its logins); a virtual display for screenshots
    docker-registry apache2-utils xvfb xauth
)

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
    sudo_cmd=(sudo)
fi

missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done
# npm comes with some nodejs builds (NodeSource's); Debian's nodejs needs Debian's npm beside it.
if ! command -v npm >/dev/null && ! dpkg-query -W -f='${Status}' npm 2>/dev/null | grep -q "install ok installed"; then
    missing+=(npm)
fi
if [[ ${#missing[@]} -eq 0 ]]; then
    echo "install-deps: everything is installed."
    exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
