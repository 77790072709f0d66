#!/bin/sh
# Installs the Debian packages the build and the tests need, only those that
# are missing, with sudo when not root. Usage: tools/install-deps.sh [extra packages]
set -eu

PACKAGES="make g++ pkg-config libevent-dev libssl-dev libyaml-cpp-dev doctest-dev libjemalloc-dev \
libavformat-dev libavcodec-dev libavutil-dev libhiredis-dev redis-server ffmpeg rtmpdump curl openssl \
python3 procps iproute2 \
clang libclang-rt-14-dev mandoc chromium \
g++-arm-linux-gnueabihf g++-aarch64-linux-gnu g++-mipsel-linux-gnu qemu-user $*"

# npm (the browser tests' playwright-core, the console's player libraries):
# Debian's when the machine has none; a machine with its own Node.js (say
# nodesource's, which conflicts with Debian's npm package) keeps it.
command -v npm >/dev/null 2>&1 || PACKAGES="$PACKAGES npm"

missing=""
for p in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing="$missing $p"
  fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
echo "install-deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
