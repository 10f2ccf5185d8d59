#!/bin/bash
# demo_headless.sh — `quan demo --headless SCRIPT` (no terminal needed, as
# in CI): a fresh data dir, the simulator on loopback, the seeded cache,
# the demo cashier logged in; a sale confirmed online, a rejection in
# words, the manager's void; the simulator is stopped afterwards. Also:
# `quan demo` without a terminal and without --headless exits 2.
set -u
: "${QUAN:?}"
W=$(mktemp -d /tmp/quan-ui-demo-XXXXXX)
trap 'rm -rf "$W"' EXIT
fails=0

"$QUAN" demo </dev/null >"$W/o" 2>"$W/e"; rc=$?
if [ $rc -ne 2 ] || ! grep -q "needs a terminal" "$W/e"; then
	echo "FAIL: demo without a tty: rc=$rc $(cat "$W/e")"; fails=$((fails+1))
fi

# a bad option: the demo's own usage (QA 12: it printed quan run's)
"$QUAN" demo --bogus </dev/null >"$W/o" 2>"$W/e"; rc=$?
if [ $rc -ne 2 ] || ! grep -q "usage: quan demo" "$W/e" ||
    grep -q "usage: quan run" "$W/e"; then
	echo "FAIL: demo --bogus: rc=$rc $(cat "$W/e")"; fails=$((fails+1))
fi

# run 1: the banner, the demo cashier, online
cat >"$W/s1" <<'S'
wait-net 10000
print
expect DEMO
expect cashier=1001 cashier
expect status: ONLINE
S
"$QUAN" demo --data "$W/d1" --headless "$W/s1" --quiet >"$W/o1" 2>"$W/e1"
rc=$?
[ $rc -eq 0 ] || { echo "FAIL: demo run 1 rc=$rc"; cat "$W/o1" "$W/e1"; fails=$((fails+1)); }
SEED="$W/d1/sim/seed.json"
[ -f "$SEED" ] || { echo "FAIL: no seed.json"; exit 1; }
pick() { python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
c = [x for x in d[sys.argv[2]][sys.argv[3]]
     if len(sys.argv) < 5 or x.get("stock_type") == sys.argv[4]]
print(c[0]["code"])' "$SEED" "$@"; }
# a second demo in another fresh dir starts a sale
cat >"$W/s2" <<S
wait-net 10000
amount 100
print
expect screen=basket
expect ONLINE
S
"$QUAN" demo --data "$W/d2" --headless "$W/s2" --quiet >"$W/o2" 2>"$W/e2" ||
	{ echo "FAIL: demo run 2"; cat "$W/o2" "$W/e2"; fails=$((fails+1)); }
# a full sale on run 1's data dir (its seed's codes) through `quan run
# --headless` against that dir's simulator, restarted
"$QUAN" sim serve "$W/d1/sim" --listen 127.0.0.1:0 >"$W/sim.out" 2>/dev/null &
SP=$!
for _ in $(seq 100); do grep -q '^listening' "$W/sim.out" && break; sleep 0.1; done
N=$(pick merchant valid NORMAL); BM=$(pick merchant below_minimum)
cat >"$W/s3" <<S
login 1001 1234
amount 200
scan $N
confirm
wait-sync 5000
print
expect verdict: CONFIRMED
amount 10
scan $BM
print
expect REJECTED
expect needs ¥
cancel
key txns
key void
submit 9001
submit 9999
submit 1
print
expect voided
S
"$QUAN" run --config "$W/d1/sim/quan.conf" --data "$W/d1" --headless "$W/s3" \
	--quiet --lang en >"$W/o3" 2>"$W/e3" ||
	{ echo "FAIL: headless sale"; cat "$W/o3" "$W/e3"; fails=$((fails+1)); }
kill $SP; wait $SP 2>/dev/null
if pgrep -f "sim serve $W/d2/sim" >/dev/null; then
	echo "FAIL: demo left its simulator running"; fails=$((fails+1))
fi
# QUAN_DATA names the demo's data directory (as for every command), and
# its log names the simulator's pid, started and stopped
QUAN_DATA="$W/d3" "$QUAN" demo --headless "$W/s2" --quiet >"$W/o4" 2>"$W/e4" ||
	{ echo "FAIL: demo with QUAN_DATA"; cat "$W/o4" "$W/e4"; fails=$((fails+1)); }
if [ ! -f "$W/d3/quan.db" ] || ! grep -q "data in $W/d3" "$W/e4"; then
	echo "FAIL: QUAN_DATA=$W/d3 not used: $(cat "$W/e4")"; fails=$((fails+1))
fi
SPID=$(sed -n 's/^quan demo: simulator pid \([0-9]*\) listening.*/\1/p' \
	"$W/d3/demo.log" 2>/dev/null)
if [ -z "$SPID" ] ||
    ! grep -q "simulator pid $SPID stopped" "$W/d3/demo.log" ||
    ! grep -q "(pid $SPID)" "$W/e4"; then
	echo "FAIL: the demo log does not name the simulator's pid:"
	cat "$W/d3/demo.log" "$W/e4"; fails=$((fails+1))
fi
[ $fails -eq 0 ] && echo "demo_headless: all passed"
exit $((fails > 0))
