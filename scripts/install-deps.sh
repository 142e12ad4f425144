#!/usr/bin/env bash
# Installs gatehouse's build and test dependencies from Debian packages. Idempotent:
# does nothing (and needs no network) when every package is already installed.
set -euo pipefail
pkgs=(
  build-essential pkg-config clang libclang-rt-14-dev
  libssl-dev libmicrohttpd-dev libjansson-dev libyaml-dev libsqlite3-dev libpq-dev
  libcurl4-openssl-dev
  sqlite3 wrk valgrind python3 curl bc
)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
