#!/bin/sh
# demo.sh — build quan and run it in demo mode: a local WeChat simulator,
# sample coupons, no credentials and no network needed.
set -eu
cd "$(dirname "$0")/.."
sh toolchain/install-deps.sh >/dev/null
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc 2>/dev/null || echo 2)" --target quan >/dev/null
exec build/quan demo "$@"
