#!/usr/bin/env bash
# Installs everything dso needs to build and test on a fresh Debian 12
# machine (run as root, or with sudo available). Safe to run again.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git clang-format
  clang libclang-rt-14-dev
  libgrpc-dev libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev
  protobuf-compiler libabsl-dev libspdlog-dev libfmt-dev libssl-dev
  libgtest-dev libgmock-dev libyaml-cpp-dev nlohmann-json3-dev libcli11-dev
  libarchive-dev zlib1g-dev libhyperscan-dev libre2-dev libtomlplusplus-dev
  libgit2-dev libexpat1-dev libsimdjson-dev
  python3 python3-grpcio python3-protobuf python3-pytest python3-venv
  python3-yaml
  openssl curl procps bc libxml2-utils skopeo debootstrap
  libcurl4-openssl-dev docker-registry apache2-utils libsodium-dev
  libseccomp-dev uidmap
  vsftpd nginx-light
  groovy default-jre-headless
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO=sudo
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: all Debian packages present"
fi

# grpcurl, for the README's reflection examples and their test: from the Go
# module proxy when Go is there (the test is skipped without it).
if ! command -v grpcurl >/dev/null && command -v go >/dev/null; then
  echo "setup: installing grpcurl"
  GOBIN=/usr/local/bin go install \
    github.com/fullstorydev/grpcurl/cmd/grpcurl@v1.9.1 \
    || echo "setup: grpcurl could not be installed; its test will be skipped"
fi

# cosign, the independent verifier of dso's signatures and attestations
# (tests): from the Go module proxy.
if ! command -v cosign >/dev/null; then
  echo "setup: installing cosign"
  GOBIN=/usr/local/bin go install github.com/sigstore/cosign/v2/cmd/cosign@v2.4.1
fi

# versitygw, an S3 server that checks SigV4 signatures, over a directory
# (store tests and benchmarks): from the Go module proxy.
if ! command -v versitygw >/dev/null; then
  echo "setup: installing versitygw"
  GOBIN=/usr/local/bin go install github.com/versity/versitygw/cmd/versitygw@v1.8.0
fi

# CycloneDX's own Python library validates the SBOMs dso writes (tests):
# from PyPI, in a virtual environment (Debian's python is externally
# managed).
VENV=${DSO_TOOLS_VENV:-$HOME/.cache/dso/venv}
if ! "$VENV/bin/python" -c 'import cyclonedx.validation.json' 2>/dev/null; then
  echo "setup: installing cyclonedx-python-lib into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "cyclonedx-python-lib[json-validation]==7.6.2"
fi
# moto's server stands in for AWS KMS in the signing tests (and boto3 with
# it creates the test keys).
if [[ ! -x "$VENV/bin/moto_server" ]]; then
  echo "setup: installing moto[server] into $VENV"
  "$VENV/bin/pip" install -q "moto[server]==5.2.5"
fi
# checkov, the peer of the IaC scanner: the e2e tests compare dso's
# Dockerfile findings with its own on the same files.
if [[ ! -x "$VENV/bin/checkov" ]]; then
  echo "setup: installing checkov into $VENV"
  "$VENV/bin/pip" install -q "checkov==3.3.30"
fi
