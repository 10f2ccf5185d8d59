#!/bin/sh
# test.sh — the whole test suite, as CI runs it: install the Debian packages,
# then build and test the release, asan (ASan+UBSan), tsan and fuzz
# (short libFuzzer corpus runs) presets, the arm64 cross build (unit tests
# under qemu-user) and the Debian packages (amd64 and arm64 built,
# installed on this machine, used and purged: needs root).
# Usage: sh toolchain/test.sh [PRESET...]
#   (default: release asan tsan fuzz arm64 package)
set -eu
cd "$(dirname "$0")/.."
sh toolchain/install-deps.sh
presets=${*:-release asan tsan fuzz arm64 package}
jobs=$(nproc 2>/dev/null || echo 2)
for p in $presets; do
	echo "== preset $p"
	cmake --preset "$p" >/dev/null
	cmake --build --preset "$p" -j "$jobs"
	ctest --preset "$p" -j "$jobs"
done
echo "== all presets passed: $presets"
