#!/bin/bash
# callbacks.sh — COUPON.SEND end to end against `quan sim`: `quan callbacks
# register` sets the URL at the simulator, `quan callbacks serve` (HTTPS
# with the simulator's server certificate) receives the notifications the
# simulator sends when coupons are issued, verifies and decrypts them and
# adds the codes (with stock and openid) to its own cache, once each.
set -u
QUAN=${QUAN:?QUAN must name the quan binary}
W=$(mktemp -d /tmp/quan-cb-XXXXXX)
SIM=$W/sim
PIDS=()
fail() { echo "FAIL: $*" >&2; for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; echo "kept $W" >&2; exit 1; }
wait_line() { # file pattern
	for _ in $(seq 1 100); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
"$QUAN" sim init "$SIM" >/dev/null || fail "sim init"
"$QUAN" sim serve "$SIM" --listen 127.0.0.1:0 --callback-retry-s 1 >"$W/sim.out" 2>"$W/sim.err" &
PIDS+=($!)
wait_line "$W/sim.out" '^listening' || fail "sim did not start"
export QUAN_CONFIG=$SIM/quan.conf
# the receiver keeps its own data dir: whatever it knows came by callback
QUAN_DATA=$W/recv "$QUAN" callbacks serve --listen 127.0.0.1:0 \
	--cert "$SIM/server/cert.pem" --key "$SIM/server/key.pem" >"$W/recv.out" 2>"$W/recv.err" &
RECV=$!
PIDS+=($RECV)
wait_line "$W/recv.out" '^listening https://' || fail "receiver did not start: $(cat "$W/recv.err")"
RPORT=$(sed -n 's/^listening https:\/\/127.0.0.1:\([0-9]*\)$/\1/p' "$W/recv.out")
# one byte that is not UTF-8 in Wechatpay-Serial or -Timestamp (no
# signature needed) killed the receiver (issue 9, defect 5): now 401 with a
# JSON FAIL body, the log escapes the bytes, and it goes on serving (the
# notifications below still arrive)
i=0
for h in 'Wechatpay-Serial: AB\xffCD\r\nWechatpay-Timestamp: 1700000000' \
	'Wechatpay-Serial: PUB_KEY_ID_0\r\nWechatpay-Timestamp: 17\xff\x1b[2J'; do
	i=$((i + 1))
	printf "POST /wxnotify HTTP/1.1\r\nHost: x\r\nConnection: close\r\n$h\r\nWechatpay-Nonce: n\r\nWechatpay-Signature: s\r\nContent-Length: 2\r\n\r\n{}" >"$W/req$i"
done
python3 "$QUAN_SRC/tests/sim/raw_request.py" 127.0.0.1 "$RPORT" "$SIM/ca.pem" 401 "$W"/req* >"$W/raw.out" ||
	fail "bad header bytes: $(cat "$W/raw.out")"
sleep 0.2
kill -0 "$RECV" 2>/dev/null || fail "receiver died on bad header bytes"
LC_ALL=C grep -q $'\xff\\|\x1b' "$W/recv.err" && fail "raw bytes in the receiver's log"
# a bad URL is refused before any request
QUAN_DATA=$W/reg "$QUAN" callbacks register "http://127.0.0.1:$RPORT/x" 2>/dev/null && fail "http URL accepted"
QUAN_DATA=$W/reg "$QUAN" callbacks register "https://127.0.0.1:$RPORT/wxnotify" || fail "register"
# issue 5 coupons (they land in another data dir; the receiver learns
# them only from the notifications)
QUAN_DATA=$W/mint "$QUAN" bench sync --mint 5 >"$W/codes.txt" 2>"$W/mint.err" || fail "mint: $(cat "$W/mint.err")"
for _ in $(seq 1 100); do
	[ "$(grep -c '^received ' "$W/recv.out")" -ge 5 ] && break
	sleep 0.1
done
[ "$(grep -c '^received ' "$W/recv.out")" -eq 5 ] || fail "received $(grep -c '^received ' "$W/recv.out") of 5: $(tail -3 "$W/recv.err")"
kill "$RECV"; wait "$RECV"
n=$(sqlite3 "$W/recv/quan.db" "SELECT count(*) FROM codes WHERE kind = 0 AND state = 'issued' AND openid LIKE 'oBENCH%' AND code IN ($(sed "s/.*/'&'/" "$W/codes.txt" | paste -sd,))")
[ "$n" -eq 5 ] || fail "cache has $n of the 5 codes"
seen=$(sqlite3 "$W/recv/quan.db" "SELECT count(*) FROM notify_seen")
[ "$seen" -eq 5 ] || fail "notify_seen has $seen ids"
# the simulator's log shows each delivered once, acknowledged
"$QUAN" sim inspect "$SIM" --json >"$W/inspect.json"
python3 - "$W/inspect.json" <<'EOF' || fail "callback log"
import json, sys
j = json.load(open(sys.argv[1]))
log = j.get("callbacks") or j.get("callback_log") or []
done = [c for c in log if c.get("state") in ("delivered", "done", "ok")]
print("simulator callback log: %d entries, %d delivered" % (len(log), len(done)))
sys.exit(0 if len(done) == 5 else 1)
EOF
for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
wait
echo "callbacks ok"
rm -rf "$W"
