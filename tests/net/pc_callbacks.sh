#!/bin/bash
# pc_callbacks.sh — 商品券 SEND notifications end to end against `quan sim`,
# in both access modes: `quan callbacks register` sets the mode's notify
# URL (notify-configs), coupons sent at the simulator (signed with curl +
# openssl as the brand / the partner would) arrive as PRODUCT_COUPON.SEND
# (brand: signed with the brand's WeChat Pay key, 品牌API密钥) or
# PRODUCT_COUPON_SP.SEND (partner: APIv3), `quan callbacks serve` verifies,
# decrypts and stores them in the product-coupon registry and performs
# 确认发放, so they leave CONFIRMING both in the registry and at WeChat.
# A redelivery stores nothing and confirms nothing again; a notification
# with a bad signature is refused (401) and stores nothing.
set -u
QUAN=${QUAN:?QUAN must name the quan binary}
W=$(mktemp -d /tmp/quan-pccb-XXXXXX)
SIM=$W/sim
PIDS=()
fail() { echo "FAIL: $*" >&2; for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; echo "kept $W" >&2; exit 1; }
wait_line() { # file pattern [count]
	for _ in $(seq 1 150); do
		[ "$(grep -c "$2" "$1" 2>/dev/null)" -ge "${3:-1}" ] && return 0
		sleep 0.1
	done
	return 1
}
js() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

"$QUAN" sim init "$SIM" >/dev/null || fail "sim init"
"$QUAN" sim seed "$SIM" >/dev/null || fail "sim seed"
"$QUAN" sim serve "$SIM" --listen 127.0.0.1:0 --callback-retry-s 1 >"$W/sim.out" 2>"$W/sim.err" &
PIDS+=($!)
wait_line "$W/sim.out" '^listening' || fail "sim did not start"
URL=$(sed -n 's/^listening //p' "$W/sim.out" | head -1)
D=$SIM
. "${QUAN_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/sim/pcsign.sh"
pc_ids
PCID=$(js "$SIM/seed.json" 'd["product"]["cases"]["valid"][1]["product_coupon_id"]')
STOCK=$(js "$SIM/seed.json" 'd["product"]["cases"]["valid"][1]["stock_id"]')

for MODE in partner brand; do
	CONF=$SIM/quan-$MODE.conf
	sed "s/^mode = .*/mode = $MODE/" "$SIM/quan.conf" >"$CONF" && chmod 644 "$CONF"
	export QUAN_CONFIG=$CONF
	RD=$W/recv-$MODE
	QUAN_DATA=$RD "$QUAN" callbacks serve --listen 127.0.0.1:0 \
		--cert "$SIM/server/cert.pem" --key "$SIM/server/key.pem" >"$W/recv-$MODE.out" 2>"$W/recv-$MODE.err" &
	RECV=$!
	PIDS+=($RECV)
	wait_line "$W/recv-$MODE.out" '^listening https://' || fail "$MODE: receiver did not start: $(cat "$W/recv-$MODE.err")"
	RPORT=$(sed -n 's/^listening https:\/\/127.0.0.1:\([0-9]*\)$/\1/p' "$W/recv-$MODE.out")
	QUAN_DATA=$W/reg "$QUAN" callbacks register "https://127.0.0.1:$RPORT/pcnotify" >"$W/reg-$MODE.out" 2>&1 ||
		fail "$MODE: register: $(cat "$W/reg-$MODE.out")"
	grep -q "product coupon notify_url https://127.0.0.1:$RPORT/pcnotify set ($MODE mode)" "$W/reg-$MODE.out" ||
		fail "$MODE: register said $(cat "$W/reg-$MODE.out")"
	# a notification that is not WeChat's: refused, nothing stored
	st=$(curl -sS -o /dev/null -w '%{http_code}' --cacert "$SIM/ca.pem" -X POST \
		-H 'Wechatpay-Serial: '"$BPKID" -H "Wechatpay-Timestamp: $(date +%s)" -H 'Wechatpay-Nonce: abc' \
		-H 'Wechatpay-Signature: AAAA' -H 'Content-Type: application/json' \
		--data-binary '{"id":"x1","event_type":"PRODUCT_COUPON.SEND","resource":{"algorithm":"AEAD_AES_256_GCM","ciphertext":"AAAA","nonce":"n","associated_data":"product_coupon"}}' \
		"https://127.0.0.1:$RPORT/pcnotify")
	[ "$st" = 401 ] || fail "$MODE: forged notification answered $st"
	# three coupons sent to three users
	for i in 1 2 3; do
		st=$(pc_send "$MODE" "oPCCB${MODE}user000000000000$i" "SEND${MODE}$i$(date +%s)" "$W/send.out")
		[ "$st" = 200 ] || fail "$MODE: send $i: HTTP $st $(cat "$W/send.out")"
		[ "$(js "$W/send.out" 'd["coupon_state"]')" = CONFIRMING ] || fail "$MODE: sent coupon not CONFIRMING"
	done
	wait_line "$W/recv-$MODE.out" '^received PRODUCT_COUPON' 3 ||
		fail "$MODE: received $(grep -c '^received' "$W/recv-$MODE.out") of 3: $(tail -3 "$W/recv-$MODE.err")"
	ev=$( [ "$MODE" = brand ] && echo PRODUCT_COUPON.SEND || echo PRODUCT_COUPON_SP.SEND )
	[ "$(grep -c "^received $ev " "$W/recv-$MODE.out")" -eq 3 ] || fail "$MODE: event type not $ev"
	for _ in $(seq 1 100); do
		c=$(sqlite3 "$SIM/sim.db" "SELECT count(*) FROM pc_coupons WHERE openid LIKE 'oPCCB$MODE%' AND state = 'EFFECTIVE' AND confirm_request_no LIKE 'C%'")
		[ "$c" -eq 3 ] && break
		sleep 0.1
	done
	[ "$c" -eq 3 ] || fail "$MODE: $c of 3 confirmed at the simulator: $(tail -3 "$W/recv-$MODE.err")"
	# the registry: 3 rows, EFFECTIVE (3), confirmed, with what the till needs
	for _ in $(seq 1 50); do
		r=$(sqlite3 "$RD/quan.db" "SELECT count(*) FROM pc_coupons WHERE state = 3 AND confirmed_at > 0 AND openid LIKE 'oPCCB$MODE%' AND brand_id = '$BRAND' AND appid = '$APPID' AND product_coupon_id = '$PCID' AND stock_id = '$STOCK'")
		[ "$r" -eq 3 ] && break
		sleep 0.1
	done
	[ "$r" -eq 3 ] || fail "$MODE: registry has $r of 3 confirmed rows: $(sqlite3 "$RD/quan.db" 'SELECT code, state, confirmed_at FROM pc_coupons')"
	# redelivery: the simulator sends them all again; stored once,
	# confirmed once
	sqlite3 "$SIM/sim.db" "UPDATE callbacks SET state = 'pending', next_at = 0, attempts = 0 WHERE body LIKE '%$ev%'" ||
		fail "$MODE: cannot replay"
	for _ in $(seq 1 100); do
		d=$(sqlite3 "$SIM/sim.db" "SELECT count(*) FROM callbacks WHERE body LIKE '%$ev%' AND state = 'delivered' AND attempts = 1")
		[ "$d" -eq 3 ] && break
		sleep 0.1
	done
	[ "$d" -eq 3 ] || fail "$MODE: $d of 3 redelivered: $(tail -3 "$W/recv-$MODE.err")"
	sleep 0.5
	[ "$(grep -c '^received PRODUCT_COUPON' "$W/recv-$MODE.out")" -eq 3 ] || fail "$MODE: a redelivery stored again"
	kill "$RECV"
	wait "$RECV" 2>/dev/null
	echo "$MODE: 3 received, 3 confirmed, redelivery ignored"
done
sleep 1.5 # the simulator writes its request counters once a second
n=$(sqlite3 "$SIM/sim.db" "SELECT coalesce(sum(n), 0) FROM stats WHERE endpoint LIKE '%/confirm'")
[ "$n" -eq 6 ] || fail "the simulator saw $n confirm requests, not 6 (one per coupon)"
for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
wait
echo "pc callbacks ok"
rm -rf "$W"
