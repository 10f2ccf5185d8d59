#!/bin/sh
# deb.sh — build the Debian package of this tree and check it with lintian.
#   sh toolchain/deb.sh [--arch arm64] [--out DIR]
# The tree's files (as git lists them: tracked and new, not ignored) are
# copied to a temporary folder with toolchain/debian as debian/ and built
# there with dpkg-buildpackage, so the work tree gets no debian/ folder
# and no files above it. No root needed. Writes DIR/quan_VERSION_ARCH.deb
# (default DIR: build-deb) and prints its path last.
set -eu
cd "$(dirname "$0")/.."
src=$(pwd)
arch=$(dpkg --print-architecture)
out=$src/build-deb
while [ $# -gt 0 ]; do
	case $1 in
	--arch) arch=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	*) echo "usage: sh toolchain/deb.sh [--arch ARCH] [--out DIR]" >&2
	   exit 2 ;;
	esac
done
mkdir -p "$out"
out=$(cd "$out" && pwd)

# one version: the changelog's must be CMake's project version
ver=$(sed -n 's/^project(quan VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
dver=$(dpkg-parsechangelog -l toolchain/debian/changelog -S Version)
if [ "$ver" != "$dver" ]; then
	echo "deb.sh: CMakeLists.txt says $ver, toolchain/debian/changelog" \
	    "$dver: add a changelog entry" >&2
	exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/quan-deb.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
tree=$tmp/quan-$ver
mkdir -p "$tree"
if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
	# (a tracked file deleted in the work tree is left out)
	git -C "$src" ls-files -z --cached --others --exclude-standard |
		tar -C "$src" --null -T - --ignore-failed-read -cf - \
		    2>/dev/null | tar -C "$tree" -xf -
else
	tar -C "$src" --exclude='./build*' -cf - . | tar -C "$tree" -xf -
fi
rm -rf "$tree/debian"
cp -r "$src/toolchain/debian" "$tree/debian"

opts="-b -us -uc"
if [ "$arch" != "$(dpkg --print-architecture)" ]; then
	opts="$opts -a$arch -Pcross,nocheck"
fi
jobs=$(nproc 2>/dev/null || echo 2)
echo "deb.sh: building quan $ver for $arch in $tree" >&2
# shellcheck disable=SC2086
(cd "$tree" && DEB_BUILD_OPTIONS="parallel=$jobs nocheck" \
    dpkg-buildpackage $opts) >"$tmp/build.log" 2>&1 || {
	tail -40 "$tmp/build.log" >&2
	echo "deb.sh: dpkg-buildpackage failed (log above)" >&2
	exit 1
}
deb=quan_${ver}_$arch.deb
changes=quan_${ver}_$arch.changes
# lintian: clean, or an override in toolchain/debian that says why
if ! lintian --fail-on error,warning --display-info "$tmp/$changes" \
    >"$tmp/lintian.log" 2>&1; then
	cat "$tmp/lintian.log" >&2
	echo "deb.sh: lintian found errors or warnings (above)" >&2
	exit 1
fi
if [ -s "$tmp/lintian.log" ]; then
	sed 's/^/deb.sh: lintian: /' "$tmp/lintian.log" >&2
fi
cp "$tmp/$deb" "$out/$deb"
echo "$out/$deb"
