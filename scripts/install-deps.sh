#!/usr/bin/env bash
# Installs the Debian 12 packages Copper needs to build, run and test.
# Idempotent: only missing packages are installed, so `make run` stays fast.
set -euo pipefail

build_packages=(
  build-essential cmake ninja-build ccache pkg-config clang libfuzzer-14-dev
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev libsqlite3-dev libtomlplusplus-dev libcli11-dev
  libspdlog-dev libfmt-dev libgtest-dev libcrypt-dev libidn2-dev openssl
  libunistring-dev
  zlib1g-dev
)
test_packages=(swaks python3-yaml libnet-ssleay-perl libio-socket-ssl-perl libauthen-sasl-perl python3 sqlite3 procps fetchmail isync curl)
build_packages+=(libc-ares-dev)   # net/dns.h: asynchronous DNS lookups
test_packages+=(python3-dnslib)   # tests/integration/test_dns_check.py: a DNS server on loopback

wanted=("${build_packages[@]}")
if [[ ${1:-} == --test ]]; then
  wanted+=("${test_packages[@]}")
fi

missing=()
for pkg in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "installing: ${missing[*]}"
sudo=""
if [[ $(id -u) != 0 ]]; then
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
