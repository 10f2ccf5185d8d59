#!/bin/bash
# net_idle.sh — issue 16 finding 5: with the till idle (no sale, nothing
# to send) the status bar follows WeChat: the sync thread sends a cheap
# signed request every 15 s while idle (30 s while WeChat does not
# answer), so with `quan sim` killed the status says OFFLINE within ~30 s
# and, with the simulator back on the same port, ONLINE again — not only
# at the next redeem (before: ONLINE for minutes with WeChat gone). Both
# languages.
set -u
: "${QUAN:?}"
W=$(mktemp -d /tmp/quan-ui-idle-XXXXXX)
SIM=$W/sim
SIMPID= RUNPID=
stop_all() {
	[ -n "$SIMPID" ] && { kill "$SIMPID"; wait "$SIMPID"; } 2>/dev/null
	[ -n "$RUNPID" ] && { kill "$RUNPID"; wait "$RUNPID"; } 2>/dev/null
	SIMPID= RUNPID=
}
fail() { echo "FAIL: $*" >&2; stop_all; echo "kept $W" >&2; exit 1; }
"$QUAN" sim init "$SIM" >/dev/null || fail "sim init"
"$QUAN" sim seed "$SIM" >/dev/null || fail "sim seed"
export QUAN_CONFIG=$SIM/quan.conf QUAN_DATA=$SIM/data
"$QUAN" import stocks "$SIM/import/stocks.json" >/dev/null || fail "import"
"$QUAN" staff add 1001 --role cashier --pin 1234 >/dev/null || fail "staff add"
serve() {
	: >"$W/sim.out"
	"$QUAN" sim serve "$SIM" --listen "$1" >"$W/sim.out" 2>"$W/sim.err" &
	SIMPID=$!
	for _ in $(seq 100); do grep -q '^listening' "$W/sim.out" && return 0; sleep 0.1; done
	fail "sim did not start on $1: $(cat "$W/sim.err")"
}
serve 127.0.0.1:0
PORT=$(sed -n 's/^listening https:\/\/[^:]*:\([0-9]*\)$/\1/p' "$W/sim.out")
[ -n "$PORT" ] || fail "no port in: $(cat "$W/sim.out")"

# 1. ONLINE, then the simulator is killed while the till sits idle
cat >"$W/s1" <<'S'
wait-net 10000
print
expect status: ONLINE
sleep 40000
print
expect status: OFFLINE
S
"$QUAN" run --headless "$W/s1" --quiet >"$W/out1" 2>"$W/err1" & RUNPID=$!
sleep 4
kill "$SIMPID"; wait "$SIMPID" 2>/dev/null; SIMPID=
wait "$RUNPID" || fail "idle with WeChat gone: $(cat "$W/out1" "$W/err1")"
RUNPID=

# 2. OFFLINE at the start; the simulator comes back on the same port
cat >"$W/s2" <<'S'
wait-net 10000
print
expect status: 离线
sleep 40000
print
expect status: 在线
S
"$QUAN" run --headless "$W/s2" --quiet --lang zh_CN >"$W/out2" 2>"$W/err2" & RUNPID=$!
sleep 5
serve "127.0.0.1:$PORT"
wait "$RUNPID" || fail "idle with WeChat back: $(cat "$W/out2" "$W/err2")"
RUNPID=
stop_all
rm -rf "$W"
echo "ok: idle, the status follows WeChat gone (OFFLINE) and back (ONLINE)"
