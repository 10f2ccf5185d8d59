#!/bin/bash
# pay_headless.sh — the sale's payment in the terminal session, driven by
# `quan run --headless` against `quan sim` (issue 11), in English and in
# Chinese: after the coupons the due is offered; a payment code scanned
# there is charged and the vouchers WeChat deducted and what the customer
# paid are shown (the sale closed); NOTENOUGH → not paid, the sale kept
# for cash with change; another tender with a reference; a failed charge
# then Esc → the sale voided, its coupon returned; USERPAYING that
# resolves is waited for without blocking; the manager's void of a paid
# sale refunds it; the kiosk takes the payment code only; a quan demo
# sale with vouchers. The till's payments and the simulator's ledger
# agree.
set -u
QUAN=${QUAN:?QUAN must name the quan binary}
W=$(mktemp -d /tmp/quan-ui-pay-XXXXXX)
SIM=$W/sim
SIM_SEED=5
. "$(dirname "${BASH_SOURCE[0]}")/../net/simlib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/../net/salelib.sh"
trap 'kill_sim' EXIT

sale_setup 500
mapfile -t MC < <(python3 -c "
import json
for e in json.load(open('$SIM/seed.json'))['merchant']['valid']:
    if e.get('stock_type') == 'NORMAL': print(e['code'])")
q() { sqlite3 "$W/data/quan.db" "$1"; }

# run LANG: the script in $W/s; its output in $W/o
run() {
	"$QUAN" run --headless "$W/s" --quiet --lang "$1" >"$W/o" 2>"$W/e" ||
		{ cat "$W/o" "$W/e" >&2; fail "headless run ($1)"; }
}

cat >"$W/s" <<S
login 1001 1234
amount 100
scan ${MC[0]}
confirm
wait-sync 5000
print
expect pay: due=¥95.00 offered
scan $(pay_code 00)
print
expect screen=pay
expect pay: paid tender=wechat due=¥95.00
expect voucher:
expect-not change=¥0.01
key void
submit 9001
submit 9999
submit 1
print
expect msg: Sale 1 refunded and voided
amount 50
scan ${MC[1]}
confirm
wait-sync 5000
scan $(pay_code 03)
print
expect pay: failed tender=wechat due=¥45.00 elapsed=0s reason=NOTENOUGH
expect prompt: Scan the payment code
key cash
submit 40
print
expect msg: Error: less cash than is due
submit 50
print
expect pay: paid tender=cash
expect change=¥5.00
amount 20
scan ${MC[2]}
confirm
wait-sync 5000
key other
submit POS-4711
print
expect pay: paid tender=other
expect ref=POS-4711
amount 30
scan ${MC[3]}
confirm
wait-sync 5000
scan $(pay_code 03)
cancel
print
expect screen=amount
amount 40
scan ${MC[4]}
confirm
wait-sync 5000
scan $(pay_code 01 2)
print
expect pay: paid tender=wechat due=¥35.00
S
run en
# the sales: paid and closed, the NOTENOUGH one paid in cash, the
# cancelled one voided and its coupon returned
[ "$(q "SELECT group_concat(t.state || ':' || ifnull((SELECT group_concat(tender || '/' || state, '+') FROM payments p WHERE p.txn_id = t.id), '-'), ' ') FROM txns t ORDER BY t.id")" = "voided:wechat/paid closed:wechat/failed+cash/paid closed:other/paid voided:wechat/failed closed:wechat/paid" ] || fail "sales: $(q "SELECT id, state FROM txns")"
[ "$(q "SELECT state FROM redemptions WHERE code = '${MC[3]}'")" = returned ] || fail "coupon of the cancelled sale not returned"
# the manager's void of the paid sale: refunded in full, its coupon back
[ "$(q "SELECT r.state || ' ' || r.amount_fen || ' ' || r.approved_by FROM refunds r WHERE r.txn_id = 1")" = "success 9500 9001" ] || fail "terminal void: refund $(q "SELECT * FROM refunds")"
[ "$(q "SELECT state FROM redemptions WHERE code = '${MC[0]}'")" = returned ] || fail "coupon of the refunded sale not returned"
[ "$(q "SELECT count(*) FROM payment_vouchers")" -gt 0 ] || fail "vouchers not stored"

# the same in Chinese: the words on the payment screen
cat >"$W/s" <<S
login 1001 1234
amount 100
scan ${MC[5]}
confirm
wait-sync 5000
key cash
print
expect 支付
expect 收现金（元）
submit 100
print
expect change=¥5.00
S
run zh

# the kiosk: the customer's payment code only (no cash self-service);
# a code without money, then another that pays
cat >"$W/s" <<S
amount 60
scan ${MC[6]}
confirm
wait-sync 5000
scan $(pay_code 03)
key cash
print
expect screen=pay Payment KIOSK
expect pay: failed
expect prompt: Scan the payment code
scan $(pay_code 00)
print
expect pay: paid tender=wechat due=¥55.00
S
"$QUAN" run --kiosk --headless "$W/s" --quiet --lang en >"$W/o" 2>"$W/e" ||
	{ cat "$W/o" "$W/e" >&2; fail "kiosk"; }
ledgers_agree || fail "ledgers differ"
"$QUAN" journal verify >/dev/null || fail "journal verify"
kill_sim

# quan demo: its panel offers the seed's payment code, and a full sale
# with a merchant coupon and WeChat vouchers goes through on the demo's
# own data dir and simulator
printf 'wait-net 10000\nprint\nexpect DEMO\n' >"$W/s"
"$QUAN" demo --data "$W/demo" --headless "$W/s" --quiet >"$W/o" 2>"$W/e" ||
	fail "demo: $(cat "$W/o" "$W/e")"
DS=$W/demo/sim/seed.json
DPAY=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['pay']['success'])" "$DS")
DC=$(python3 -c "import json,sys; print([e['code'] for e in json.load(open(sys.argv[1]))['merchant']['valid'] if e.get('stock_type') == 'NORMAL'][0])" "$DS")
"$QUAN" sim serve "$W/demo/sim" --listen 127.0.0.1:0 >"$W/dsim.out" 2>/dev/null &
SIMPID=$!
for _ in $(seq 100); do grep -q '^listening' "$W/dsim.out" && break; sleep 0.1; done
cat >"$W/s" <<S
login 1001 1234
amount 100
scan $DC
confirm
wait-sync 5000
scan $DPAY
print
expect pay: paid tender=wechat
expect voucher:
S
"$QUAN" run --config "$W/demo/sim/quan.conf" --data "$W/demo" --headless "$W/s" \
	--quiet --lang en >"$W/o" 2>"$W/e" || fail "demo sale with a voucher: $(cat "$W/o" "$W/e")"
kill_sim
echo "pay_headless ok"
