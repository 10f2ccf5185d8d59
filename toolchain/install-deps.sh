#!/bin/sh
# Install the Debian 12 packages quan needs to build, test, package and
# cross-build it. Idempotent: nothing is done when everything is there.
# Run as root.
set -eu

PKGS="
 build-essential cmake pkg-config git ca-certificates
 libsqlite3-dev sqlite3
 libcurl4-openssl-dev curl
 libssl-dev openssl
 libncurses-dev
 libzbar-dev zbar-tools
 libpng-dev libjpeg-dev
 libcmocka-dev
 libjansson-dev
 libinih-dev
 libmicrohttpd-dev
 libsystemd-dev
 gettext locales tzdata
 tmux procps psmisc
 qrencode zint imagemagick zxing-cpp-tools
 python3 python3-cryptography
 clang libclang-rt-14-dev
"
# The store hub (app/hub, toolchain/hub): PostgreSQL's client library to
# build, and the server itself, whose initdb/pg_ctl the hub tests use to
# start their own clusters (an existing engine, not a protocol of ours).
PKGS="$PKGS
 libpq-dev postgresql-15
"
# The Debian package (toolchain/deb.sh) and its install test: debhelper
# builds it, lintian checks it, systemd-analyze verifies the units, man-db
# finds the man pages, bash-completion loads the completion.
PKGS="$PKGS
 debhelper dpkg-dev fakeroot lintian
 systemd man-db bash-completion
"
# arm64: Debian's cross compiler, qemu to run the cross-built tests, and
# the arm64 libraries (multiarch, beside the native ones). libzbar-dev is
# not among them: it depends on the arch-all libmagick++-dev, so its arm64
# copy would remove the native one; the cross build links the arm64
# runtime libzbar0 with the native headers (toolchain/deps.cmake); the
# same for libpq-dev (not Multi-Arch: same): arm64 gets the runtime libpq5.
PKGS="$PKGS
 gcc-aarch64-linux-gnu qemu-user-static
"
ARM64_PKGS="
 pkgconf libc6-dev libsqlite3-dev libcurl4-openssl-dev libssl-dev libncurses-dev
 libzbar0 libpng-dev libjpeg-dev libcmocka-dev libjansson-dev libinih-dev
 libmicrohttpd-dev libsystemd-dev libpq5
"

installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null |
		grep -q "install ok installed"
}

missing=""
for p in $PKGS; do
	installed "$p" || missing="$missing $p"
done
for p in $ARM64_PKGS; do
	installed "$p:arm64" || missing="$missing $p:arm64"
done
if [ -z "$missing" ]; then
	echo "install-deps: all packages present"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: need root to install:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	dpkg --add-architecture arm64
fi
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
