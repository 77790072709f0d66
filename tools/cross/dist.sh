#!/bin/sh
# The tarball of a board's build (make -f GNUmakefile.cross ARCH=... dist):
# build-<arch>/srs-<version>-<arch>.tar.gz holds one directory laid out as
# `make install` lays the tree under / (PREFIX /usr/local): the stripped
# server, srs-bench and srs-ctl, the man pages, the systemd unit, the web
# console, etc/srs/srs.yaml and the board profile etc/srs/srs-board.yaml,
# and DEPENDS: the Debian packages that hold the libraries the server loads
# (read from its ELF header and the sysroot's packages).
# Usage: tools/cross/dist.sh ARCH TRIPLET OUT
set -eu
[ $# -eq 3 ] || { echo "usage: $0 ARCH TRIPLET OUT" >&2; exit 2; }
arch=$1
triplet=$2
out=$3
version=$(sed -n 's/.*kVersion\[\] = "\([^"]*\)".*/\1/p' base/version.hpp)
name="srs-$version-$arch"
stage="$out/dist/$name"
rm -rf "$out/dist"
mkdir -p "$stage"

make --no-print-directory -f Makefile BUILD="$out" DESTDIR="$(pwd)/$stage" PREFIX=/usr/local \
  SYSCONFDIR=/etc/srs install >/dev/null
"$triplet-strip" "$stage/usr/local/sbin/srs"
install -m 0755 "$out/srs-bench" "$stage/usr/local/bin/srs-bench"
"$triplet-strip" "$stage/usr/local/bin/srs-bench"
install -m 0644 etc/srs-board.yaml "$stage/etc/srs/srs-board.yaml"

# Each library the server needs -> the target package that ships it.
index="$out/dist/libraries"
while read -r p v; do
  deb=$(ls "$out/apt/archives/${p}_$(echo "$v" | sed 's/:/%3a/')_"*.deb | head -n 1)
  dpkg-deb -c "$deb" | sed -n "s|.*/\(lib[^/ ]*\.so[.0-9]*\)\( ->.*\)\{0,1\}\$|\1 $p|p"
done <"$out/apt/resolved" >"$index"
packages=""
for lib in $("$triplet-readelf" -d "$out/srs" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
  pkg=$(awk -v lib="$lib" '$1 == lib { print $2; exit }' "$index")
  [ -n "$pkg" ] || { echo "dist: no package of the sysroot ships $lib" >&2; exit 1; }
  case " $packages " in *" $pkg "*) ;; *) packages="$packages $pkg" ;; esac
done
{
  echo "# srs $version for $arch ($triplet), built against Debian 12 (bookworm)."
  echo "# The libraries it loads, from Debian's packages (ffmpeg too for transcode and ingest):"
  echo "apt-get install --no-install-recommends$packages"
} >"$stage/DEPENDS"

tar -C "$out/dist" -czf "$out/$name.tar.gz" "$name"
echo "  dist     $out/$name.tar.gz ($(du -h "$out/$name.tar.gz" | cut -f1)): needs$packages"
