#!/usr/bin/env bash
# Debian trixie's Docker engine 26 (see fetch-debian-docker.sh).
#
#   fetch-trixie-docker.sh DIR   prints DIR/root
set -euo pipefail
exec "$(dirname "$(realpath "$0")")/fetch-debian-docker.sh" trixie "${1:?usage: $0 DIR}"
