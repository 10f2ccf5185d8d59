#!/bin/sh
# demo.sh — build quan and run it in demo mode: a local WeChat simulator,
# sample coupons, no credentials and no network needed.
set -eu
cd "$(dirname "$0")/.."
# say what the silent steps are doing (a first run takes minutes)
echo "demo.sh: installing the Debian packages quan needs..." >&2
sh toolchain/install-deps.sh >/dev/null
echo "demo.sh: building quan (build/quan)..." >&2
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc 2>/dev/null || echo 2)" --target quan >/dev/null
echo "demo.sh: starting the demo (F10 quits)" >&2
exec build/quan demo "$@"
