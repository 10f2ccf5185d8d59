#!/bin/sh
# test.sh — the whole test suite, as CI runs it: install the Debian packages,
# then build and test the release, asan (ASan+UBSan), tsan and fuzz
# (short libFuzzer corpus runs) presets.
# Usage: sh toolchain/test.sh [PRESET...]   (default: release asan tsan fuzz)
set -eu
cd "$(dirname "$0")/.."
sh toolchain/install-deps.sh
presets=${*:-release asan tsan fuzz}
jobs=$(nproc 2>/dev/null || echo 2)
for p in $presets; do
	echo "== preset $p"
	cmake --preset "$p" >/dev/null
	cmake --build --preset "$p" -j "$jobs"
	ctest --preset "$p" -j "$jobs"
done
echo "== all presets passed: $presets"
