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
# Browser tests (tests/browser): Debian's Chromium, driven by playwright-core.
test_packages+=(chromium)

wanted=("${build_packages[@]}")
if [[ ${1:-} == --test ]]; then
  wanted+=("${test_packages[@]}")
fi

missing=()
# The web apps (web/) need Node.js and npm. A machine that already has a
# newer Node.js (e.g. from NodeSource, which ships npm inside its nodejs
# package) keeps it; otherwise Debian's packages are installed.
if ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi
for pkg in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]} > 0)); then
  echo "installing: ${missing[*]}"
  sudo=""
  if [[ $(id -u) != 0 ]]; then
    sudo="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q
  $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# Vite 8 needs Node.js 20.19 or newer; Debian 12's nodejs is 18. Say so
# instead of failing obscurely in the web build.
node_major_minor=$(node -e 'const [a,b]=process.versions.node.split(".");console.log(a*100+ +b)' 2>/dev/null || echo 0)
if ((node_major_minor < 2019)); then
  echo "warning: web/ needs Node.js >= 20.19 (found $(node --version 2>/dev/null || echo none));" \
    "install a newer nodejs, e.g. from bookworm-backports or NodeSource" >&2
fi
