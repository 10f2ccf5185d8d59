#!/bin/sh
# Install the Debian 12 packages quan needs to build, test and run.
# Idempotent: apt-get skips what is already installed. Run as root.
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
 qrencode zint imagemagick
 python3 python3-cryptography
 clang libclang-rt-14-dev
"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
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
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
