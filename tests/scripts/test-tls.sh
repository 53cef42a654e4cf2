#!/usr/bin/env bash
# Makes the certificates for the TLS test engine with openssl: a test CA, a server certificate for
# 127.0.0.1 and a client certificate, plus the wrong ones the refusal tests need.
#
#   test-tls.sh certs DIR   (re)create DIR with:
#     ca.pem ca-key.pem                 the test CA
#     server-cert.pem server-key.pem    server: IP:127.0.0.1, DNS:localhost (serverAuth)
#     cert.pem key.pem                  client, signed by the test CA (clientAuth); with ca.pem
#                                       these are the names DOCKER_CERT_PATH expects
#     other-ca/{ca.pem,cert.pem,key.pem}          another CA and a client certificate it signed
#     mismatch/{server-cert.pem,server-key.pem}   signed by the test CA, only for DNS:wrong.example
#     expired/{server-cert.pem,server-key.pem}    signed by the test CA, valid only in January 2020
# Keys are EC P-256 (fast to make); GPUDECK_TEST_TLS_KEY_TYPE=rsa makes RSA 2048 keys instead.
# Private keys are 0600.
set -euo pipefail

cmd=${1:-}
dir=${2:-}
if [[ "$cmd" != certs || -z "$dir" ]]; then
    echo "usage: $0 certs DIR" >&2
    exit 2
fi
if ! command -v openssl >/dev/null; then
    echo "test-tls: openssl is missing; install openssl (packaging/install-deps.sh does)." >&2
    exit 1
fi
dir=$(realpath -m "$dir")
key_type=${GPUDECK_TEST_TLS_KEY_TYPE:-ec}

rm -rf "$dir"
mkdir -p "$dir/other-ca" "$dir/mismatch" "$dir/expired"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A hermetic openssl config: nothing is taken from /etc/ssl/openssl.cnf.
cat >"$work/openssl.cnf" <<'CNF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = gpudeck-test
[ca_ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1,DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[mismatch_ext]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:wrong.example
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[client_ext]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
# For `openssl ca`, which alone can set a validity in the past with openssl 3.0.
[ca]
default_ca = test_ca
[test_ca]
database = WORK/index.txt
new_certs_dir = WORK
serial = WORK/serial
default_md = sha256
policy = any_name
unique_subject = no
copy_extensions = none
[any_name]
commonName = supplied
CNF
sed -i "s|WORK|$work|g" "$work/openssl.cnf"
: >"$work/index.txt"
echo 01 >"$work/serial"

# Runs an openssl command quietly; on failure shows what it said and stops.
quiet() {
    if ! "$@" >"$work/openssl.log" 2>&1; then
        echo "test-tls: openssl failed: ${*:1:3} ...; its output follows." >&2
        cat "$work/openssl.log" >&2
        exit 1
    fi
}

newkey() {
    (
        umask 077
        if [[ "$key_type" == rsa ]]; then
            quiet openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1"
        else
            quiet openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"
        fi
    )
}

# ca KEY CERT CN: a self-signed CA.
ca() {
    newkey "$1"
    quiet openssl req -config "$work/openssl.cnf" -new -x509 -key "$1" -subj "/CN=$3" \
        -extensions ca_ext -days 3650 -sha256 -out "$2"
}

# leaf KEY CERT CN EXTENSIONS CA_CERT CA_KEY: a certificate signed by the given CA.
leaf() {
    newkey "$1"
    quiet openssl req -config "$work/openssl.cnf" -new -key "$1" -subj "/CN=$3" -out "$work/req.csr"
    quiet openssl x509 -req -in "$work/req.csr" -CA "$5" -CAkey "$6" \
        -set_serial "0x$(openssl rand -hex 8)" -days 825 -sha256 \
        -extfile "$work/openssl.cnf" -extensions "$4" -out "$2"
}

ca "$dir/ca-key.pem" "$dir/ca.pem" "gpudeck test CA"
leaf "$dir/server-key.pem" "$dir/server-cert.pem" 127.0.0.1 server_ext "$dir/ca.pem" "$dir/ca-key.pem"
leaf "$dir/key.pem" "$dir/cert.pem" gpudeck-test-client client_ext "$dir/ca.pem" "$dir/ca-key.pem"

ca "$work/other-ca-key.pem" "$dir/other-ca/ca.pem" "gpudeck other test CA"
leaf "$dir/other-ca/key.pem" "$dir/other-ca/cert.pem" gpudeck-test-client client_ext \
    "$dir/other-ca/ca.pem" "$work/other-ca-key.pem"

leaf "$dir/mismatch/server-key.pem" "$dir/mismatch/server-cert.pem" wrong.example mismatch_ext \
    "$dir/ca.pem" "$dir/ca-key.pem"

newkey "$dir/expired/server-key.pem"
quiet openssl req -config "$work/openssl.cnf" -new -key "$dir/expired/server-key.pem" -subj /CN=127.0.0.1 \
    -out "$work/req.csr"
quiet openssl ca -batch -notext -config "$work/openssl.cnf" -cert "$dir/ca.pem" -keyfile "$dir/ca-key.pem" \
    -startdate 20200101000000Z -enddate 20200201000000Z \
    -extfile "$work/openssl.cnf" -extensions server_ext \
    -in "$work/req.csr" -out "$dir/expired/server-cert.pem"

# Every certificate but the expired one must verify against its CA; a broken openssl says so here.
for pair in ca.pem:server-cert.pem ca.pem:cert.pem ca.pem:mismatch/server-cert.pem \
    other-ca/ca.pem:other-ca/cert.pem; do
    if ! openssl verify -CAfile "$dir/${pair%%:*}" "$dir/${pair#*:}" >/dev/null 2>&1; then
        echo "test-tls: ${pair#*:} does not verify against ${pair%%:*}." >&2
        exit 1
    fi
done
