#!/bin/bash
# bench_test.sh — `quan bench lookup` on a small cache so the code path runs
# in CI: it must finish, and its JSON must carry every figure with sane
# values (the 1M-code targets are measured by hand; see app/core/README.md).
set -u
Q=${QUAN:?QUAN not set}
out=$("$Q" bench lookup --codes 20000 --lookups 20000 --json) || {
	echo "FAIL: bench exited $?"; exit 1; }
echo "$out"
get() { sqlite3 :memory: "SELECT json_extract('$out', '\$.$1')"; }
fails=0
[ "$(get codes)" = 20000 ] || { echo "FAIL: codes"; fails=1; }
[ "$(get lookups)" = 20000 ] || { echo "FAIL: lookups"; fails=1; }
for k in import_codes_per_s db_bytes peak_rss_kb; do
	v=$(get $k)
	[ -n "$v" ] && [ "$v" -gt 0 ] || { echo "FAIL: $k = '$v'"; fails=1; }
done
p50=$(get p50_us); p99=$(get p99_us)
awk -v a="$p50" -v b="$p99" 'BEGIN { exit !(a > 0 && b >= a) }' ||
	{ echo "FAIL: p50 $p50 p99 $p99"; fails=1; }
# generous bound for debug/sanitizer builds on a loaded machine
awk -v b="$p99" 'BEGIN { exit !(b < 20000) }' ||
	{ echo "FAIL: p99 $p99 us"; fails=1; }
# `quan bench sale`: a small history, offline and online (quan sim) sales,
# the X report and quan report all run, every figure present
out=$("$Q" bench sale --history 3000 --sales 50 --online 20 --json) || {
	echo "FAIL: bench sale exited $?"; exit 1; }
echo "$out"
[ "$(get history)" = 3000 ] || { echo "FAIL: history"; fails=1; }
[ "$(get offline.granted)" = 50 ] || { echo "FAIL: offline granted"; fails=1; }
[ "$(get online.confirmed)" = 20 ] || { echo "FAIL: online confirmed"; fails=1; }
for k in db_bytes offline.p99_ms offline.cpu_p99_ms offline.settle_p99_ms \
    online.p99_ms xreport_ms report_ms; do
	awk -v v="$(get $k)" 'BEGIN { exit !(v > 0) }' ||
		{ echo "FAIL: $k = '$(get $k)'"; fails=1; }
done
exit $fails
