#!/usr/bin/env bash
# Builds the .deb with CPack, installs it, runs the installed gpudeck (DOCKER_HOST points at the
# sandboxed engine), checks the package's relations, removes it and checks that it is gone.
# Usage: deb-roundtrip.sh BUILD_DIR VERSION. Needs root; skips (77) without it, except under CI.
set -euo pipefail
build=$1 version=$2
out=$build/deb-test

if [[ $(id -u) -ne 0 ]]; then
    if [[ -n "${CI:-}" ]]; then
        echo "FAIL: installing the .deb needs root, and CI runs as root."
        exit 1
    fi
    echo "SKIP: installing the .deb needs root."
    exit 77
fi

# The installed gpudeck's version, or nothing (dpkg-query fails for a package it never saw).
installed_version() {
    { dpkg-query -W -f='${Status} ${Version}' gpudeck 2>/dev/null || true; } | sed -n 's/^install ok installed //p'
}

# A gpudeck of this version is a previous run's leftover and is replaced; another version is the
# user's own install, which a developer's test run must not take away.
before=$(installed_version)
if [[ -n "$before" && "$before" != "$version"-* && -z "${CI:-}" ]]; then
    echo "SKIP: gpudeck $before is installed on this machine; not replacing it with $version."
    exit 77
fi

cleanup() {
    if [[ -n "$(installed_version)" ]]; then
        dpkg --purge gpudeck >/dev/null 2>&1 || true
    fi
}
trap cleanup EXIT

rm -rf "$out"
mkdir -p "$out"
echo "== cpack -G DEB"
(cd "$build" && cpack -G DEB -B "$out" >"$out/cpack.log" 2>&1) || { cat "$out/cpack.log"; exit 1; }
debs=("$out"/gpudeck_"$version"-*.deb)
if [[ ${#debs[@]} -ne 1 || ! -f "${debs[0]}" ]]; then
    echo "FAIL: expected one gpudeck_$version-*.deb in $out:"
    ls -l "$out"
    exit 1
fi
deb=${debs[0]}
echo "built $(basename "$deb")"
dpkg-deb --field "$deb"
dpkg-deb --contents "$deb"
if command -v lintian >/dev/null; then
    echo "== lintian"
    # -I: hardening-no-fortify-functions is only an "info" tag.
    lintian -I --tag-display-limit 0 --fail-on error "$deb" >"$out/lintian.log" 2>&1 \
        || { cat "$out/lintian.log"; echo "FAIL: lintian found errors"; exit 1; }
    cat "$out/lintian.log"
    if grep -q 'hardening-no-' "$out/lintian.log"; then
        echo "FAIL: the binary lacks hardening Debian expects (see CMakeLists.txt, GPUDECK_HARDEN)"
        exit 1
    fi
elif [[ -n "${CI:-}" ]]; then
    echo "FAIL: lintian is missing (packaging/install-deps.sh installs it)"
    exit 1
fi

fail() { echo "FAIL: $*"; exit 1; }

echo "== installing"
# apt-get resolves the Depends from the machine's package lists; the lock timeout waits out a
# concurrent apt run instead of failing on it.
export DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1
apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=120 "$deb"
[[ "$(installed_version)" == "$version"-* ]] || fail "gpudeck $version is not installed after apt-get install"

for file in /usr/bin/gpudeck \
            /usr/share/applications/io.github.gpudeck.GpuDeck.desktop \
            /usr/share/metainfo/io.github.gpudeck.GpuDeck.metainfo.xml \
            /usr/share/icons/hicolor/scalable/apps/io.github.gpudeck.GpuDeck.svg \
            /usr/share/man/man1/gpudeck.1.gz \
            /usr/share/doc/gpudeck/copyright; do
    [[ -f "$file" ]] || fail "the package did not install $file"
done

echo "== relations"
depends=$(dpkg-query -W -f='${Depends}' gpudeck)
suggests=$(dpkg-query -W -f='${Suggests}' gpudeck)
echo "Depends: $depends"
echo "Suggests: $suggests"
grep -q 'docker' <<<"$depends" && fail "docker is a dependency; it must only be suggested"
grep -q 'libqt6widgets6' <<<"$depends" || fail "Depends lacks libqt6widgets6: did dpkg-shlibdeps run?"
grep -q 'qt6-qpa-plugins' <<<"$depends" || fail "Depends lacks qt6-qpa-plugins (the window's platform plugin)"
grep -q 'docker.io' <<<"$suggests" || fail "Suggests lacks docker.io"
grep -q 'nvidia-container-toolkit' <<<"$suggests" || fail "Suggests lacks nvidia-container-toolkit"

echo "== /usr/bin/gpudeck --version"
got=$(/usr/bin/gpudeck --version)
echo "$got"
[[ "$got" == "gpudeck $version" ]] || fail "--version printed '$got', expected 'gpudeck $version'"
/usr/bin/gpudeck --help >/dev/null || fail "--help failed"

echo "== /usr/bin/gpudeck doctor --json (DOCKER_HOST=${DOCKER_HOST:-unset})"
code=0
/usr/bin/gpudeck doctor --json >"$out/doctor.json" 2>"$out/doctor.err" || code=$?
cat "$out/doctor.json" "$out/doctor.err"
# No GPU on CI: a failed check (1) is an answer too; anything else is not.
[[ $code -eq 0 || $code -eq 1 ]] || fail "doctor exited with $code"
python3 - "$out/doctor.json" <<'EOF' || fail "doctor --json did not print an object with a checks array"
import json, sys
doc = json.load(open(sys.argv[1]))
assert isinstance(doc, dict) and isinstance(doc.get("checks"), list) and doc["checks"]
for check in doc["checks"]:
    assert {"id", "status"} <= check.keys()
EOF

echo "== removing"
dpkg --purge gpudeck
[[ -z "$(installed_version)" ]] || fail "gpudeck is still installed after dpkg --purge"
[[ ! -e /usr/bin/gpudeck ]] || fail "/usr/bin/gpudeck is still there after dpkg --purge"
[[ ! -e /usr/share/applications/io.github.gpudeck.GpuDeck.desktop ]] || fail "the desktop file is still there"
echo "deb round trip ok"
