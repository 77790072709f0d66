#!/bin/sh
# A private sysroot for one target architecture, fetched from Debian's own
# package registry without touching the build machine's package state:
# apt-get resolves and downloads the target's packages (checked against the
# signed indexes, as any apt download is) into DIR/apt with a private state
# and an empty dpkg status, and dpkg-deb unpacks them into DIR/sysroot.
# Nothing is installed, no foreign architecture is added to dpkg.
#
# Usage: tools/cross/sysroot.sh ARCH DIR PACKAGE...
# DIR/sysroot/.packages records what it holds; a second call with the same
# packages does nothing, with other packages it fetches what is new (the
# downloaded .deb files are kept in DIR/apt/archives) and unpacks anew.
set -eu
[ $# -ge 3 ] || { echo "usage: $0 ARCH DIR PACKAGE..." >&2; exit 2; }
arch=$1
dir=$2
shift 2
wanted="$arch: $*"
stamp="$dir/sysroot/.packages"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
  exit 0
fi

state=$(mkdir -p "$dir/apt" && cd "$dir/apt" && pwd)
mkdir -p "$state/lists/partial" "$state/archives/partial"
: >"$state/status"
private_apt() {
  apt-get -q -o "APT::Architecture=$arch" -o "APT::Architectures=$arch" \
    -o "Dir::State=$state" -o "Dir::State::status=$state/status" \
    -o "Dir::Cache=$state" -o "Dir::Cache::archives=$state/archives" \
    -o Debug::NoLocking=1 "$@"
}
echo "sysroot: fetching the $arch packages for: $*"
private_apt update >"$state/update.log" 2>&1 || { cat "$state/update.log" >&2; exit 1; }
private_apt install --download-only --no-install-recommends -y "$@" >"$state/install.log" 2>&1 ||
  { cat "$state/install.log" >&2; exit 1; }
# Unpack exactly the resolved set (the archive directory may hold older versions).
rm -rf "$dir/sysroot"
mkdir -p "$dir/sysroot"
private_apt install --no-install-recommends -y -s "$@" 2>/dev/null |
  sed -n 's/^Inst \([^ ]*\) (\([^ ]*\) .*/\1 \2/p' >"$state/resolved"
count=0
while read -r pkg version; do
  deb=$(ls "$state/archives/${pkg}_$(echo "$version" | sed 's/:/%3a/')_"*.deb 2>/dev/null | head -n 1)
  [ -n "$deb" ] || { echo "sysroot: $pkg $version was resolved but not downloaded" >&2; exit 1; }
  dpkg-deb -x "$deb" "$dir/sysroot"
  count=$((count + 1))
done <"$state/resolved"
echo "$wanted" >"$stamp"
echo "sysroot: $count packages unpacked into $dir/sysroot ($(du -sh "$dir/sysroot" | cut -f1))"
