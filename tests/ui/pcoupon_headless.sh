#!/bin/bash
# pcoupon_headless.sh — 商品券 at the terminal, driven by `quan run
# --headless` against `quan sim` (issue 14 item 7): a registry code
# scanned becomes a basket line like the other kinds (kind, name,
# discount, state), a refused one (expired) says why; the line is priced
# after the other coupons, cash is refused before it is taken, the payment
# code is charged the reduced amount and the coupon used once against
# that order, the manager's void refunds it and returns the coupon; pay
# first, another customer's coupon refused by WeChat
# after the payment says "collect ¥10.00 more" (journaled); a payment code
# without money, then another: the coupon used once with the second; use first, a
# refused use withdraws the charge before it leaves (nothing charged, no
# 15 s reverse) and the sale is paid in full by cash; without the network
# a 商品券 is refused online-only; the same words in Chinese; the kiosk;
# `quan sim inspect` counts the 商品券 used.
set -u
QUAN=${QUAN:?QUAN must name the quan binary}
W=$(mktemp -d /tmp/quan-ui-pc-XXXXXX)
SIM=$W/sim
SIM_SEED=5
. "$(dirname "${BASH_SOURCE[0]}")/../net/simlib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/../net/salelib.sh"
trap 'kill_sim' EXIT

sale_setup 500
"$QUAN" import product "$SIM/import/product.json" >/dev/null || fail "import product"
"$QUAN" import product --fetch >"$W/fetch" 2>&1 || fail "fetch: $(cat "$W/fetch")"
pcc() { # pcc CASE [PYTHON FILTER on e]: the first code
	python3 -c "
import json
for e in json.load(open('$SIM/seed.json'))['product']['cases']['$1']:
    if ${2:-True}: print(e['code'])" | head -1
}
ALL_NORMAL=$(pcc valid 'e["type"] == "NORMAL" and e["scope"] == "ALL"')
ALL_DISC=$(pcc valid 'e["type"] == "DISCOUNT" and e["scope"] == "ALL"')
EXPIRED=$(pcc expired)
OTHER=$(pcc other_user)
B1D=$(pcc bundle 'e["bundle_index"] == 0 and e["type"] == "DISCOUNT" and e["scope"] == "ALL"')
B1=$(pcc bundle 'e["bundle_index"] == 0 and e["type"] == "NORMAL" and e["scope"] == "ALL"')
q() { sqlite3 "$W/data/quan.db" "$1"; }
run() { # run LANG [OPTIONS]: the script in $W/s
	local lang=$1
	shift
	"$QUAN" run --headless "$W/s" --quiet --lang "$lang" "$@" >"$W/o" 2>"$W/e" ||
		{ cat "$W/o" "$W/e" >&2; fail "headless run ($lang $*)"; }
}

# pay first: the line, cash refused, the charge reduced, the use made;
# then another customer's coupon refused after the payment
cat >"$W/s" <<S
login 1001 1234
amount 100
scan $EXPIRED
print
expect verdict: REJECTED
expect expired
scan $ALL_NORMAL
print
expect coupon 1: $ALL_NORMAL [amount off] 全场满减
expect -¥10.00 valid
expect amount=¥100.00 discount=¥10.00 due=¥90.00
confirm
wait-sync 5000
print
expect pay: due=¥90.00 offered
key cash
print
expect msg: Error: product coupon: pay by WeChat payment code, not cash
scan $(pay_code 00)
wait-sync 5000
print
expect pay: paid tender=wechat due=¥90.00
key void
submit 9001
submit 9999
submit 1
wait-sync 3000
print
expect msg: Sale 1 refunded and voided
amount 100
scan $OTHER
confirm
wait-sync 5000
scan $(pay_code 00)
wait-sync 5000
print
expect pay: paid tender=wechat due=¥90.00
expect msg: Product coupon refused by WeChat after the payment: collect ¥10.00 more
amount 100
scan $ALL_DISC
confirm
wait-sync 5000
scan $(pay_code 03)
print
expect pay: failed tender=wechat
expect reason=NOTENOUGH
scan $(pay_code 00)
wait-sync 5000
print
expect pay: paid tender=wechat
S
run en
# used, then the manager's void refunded the sale and returned it
[ "$(q "SELECT state FROM pc_uses WHERE code = '$ALL_NORMAL'")" = 5 ] ||
	"$QUAN" sync --once >/dev/null 2>&1
[ "$(q "SELECT state || ' ' || discount_fen || ' ' || paid_fen FROM pc_uses WHERE code = '$ALL_NORMAL'")" = "5 1000 9000" ] ||
	fail "the use: $(q "SELECT * FROM pc_uses")"
[ "$(q "SELECT p.amount_fen || ' ' || p.state || ' ' || t.state FROM payments p JOIN pc_uses u ON u.txn_id = p.txn_id JOIN txns t ON t.id = p.txn_id WHERE u.code = '$ALL_NORMAL'")" = "9000 paid voided" ] ||
	fail "the charge: $(q "SELECT * FROM payments")"
[ "$(q "SELECT state FROM pc_uses WHERE code = '$OTHER'")" = 3 ] || fail "other user: not refused"
# NOTENOUGH withdrew the planned use; the next code's charge used it
[ "$(q "SELECT group_concat(state || ':' || reason, ' ') FROM pc_uses WHERE code = '$ALL_DISC' ORDER BY id")" = "3:payment_failed 2:ok" ] ||
	fail "a second payment code: $(q "SELECT * FROM pc_uses WHERE code = '$ALL_DISC'")"
[ "$(q "SELECT count(*) FROM journal WHERE kind = 'pc_shortfall' AND data LIKE '%\"collect_fen\":1000%'")" = 1 ] ||
	fail "shortfall not journaled: $(q "SELECT kind, data FROM journal ORDER BY seq DESC LIMIT 3")"

# use first: WeChat refuses the use before the charge leaves: nothing is
# charged (no reverse, no 15 s wait), the full due is taken in cash
sed -i "s/^\[product_coupon\]$/[product_coupon]\norder = use_first/" "$SIM/quan.conf"
cat >"$W/s" <<S
login 1001 1234
amount 100
scan $OTHER
confirm
wait-sync 5000
scan $(pay_code 00)
wait-sync 5000
print
expect pay: failed tender=wechat due=¥100.00 elapsed=0s reason=cancelled
expect verdict: REJECTED
expect RESOURCE_NOT_EXISTS
key cash
submit 100
print
expect pay: paid tender=cash due=¥100.00
S
t0=$(date +%s)
run en
[ $(( $(date +%s) - t0 )) -lt 10 ] || fail "use first refusal took $(( $(date +%s) - t0 )) s"
otn=$(q "SELECT out_trade_no FROM payments WHERE txn_id = 4 AND tender = 'wechat'")
[ "$(q "SELECT state || ' ' || requests FROM payments WHERE out_trade_no = '$otn'")" = "failed 0" ] ||
	fail "use first: the charge left: $(q "SELECT * FROM payments WHERE txn_id = 4")"
[ "$(sqlite3 "$SIM/sim.db" "SELECT count(*) FROM pay_ledger WHERE out_trade_no = '$otn'")" = 0 ] ||
	fail "use first: WeChat was charged"
sed -i '/^order = use_first$/d' "$SIM/quan.conf"

# Chinese words; the kiosk takes the 商品券 with the payment code only
cat >"$W/s" <<S
login 1001 1234
amount 100
scan $B1D
print
expect [折扣券]
confirm
wait-sync 5000
key cash
print
expect 商品券须用微信付款码支付，不能收现金
S
run zh
cat >"$W/s" <<S
amount 100
scan $B1
confirm
wait-sync 5000
scan $(pay_code 00)
wait-sync 5000
print
expect KIOSK
expect pay: paid tender=wechat due=¥90.00
S
run en --kiosk
[ "$(q "SELECT state FROM pc_uses WHERE code = '$B1'")" = 2 ] || fail "kiosk: not used"
# the Chinese sale left without a charge: no discount kept
[ "$(q "SELECT discount_fen FROM txns WHERE id = 5")" = 0 ] ||
	fail "a sale left unpaid keeps its product coupon discount: $(q "SELECT * FROM txns WHERE id = 5")"

# without the network a 商品券 is refused: online only
cat >"$W/s" <<S
login 1001 1234
amount 100
scan $B1D
print
expect verdict: REJECTED
expect product coupons need the network
S
run en --no-sync
ledgers_agree >/dev/null || fail "ledgers differ"
# the simulator counts the 商品券 it saw used: the three, once each
"$QUAN" sim inspect "$SIM" --json >"$W/insp" || fail "sim inspect"
[ "$(python3 -c "import json; j = json.load(open('$W/insp')); print(j['total_product_uses'], j['defects'], sorted(r['code'] for r in j['redemptions'] if r['kind'] == 'product'))")" = "3 0 $(python3 -c "print(sorted(['$ALL_NORMAL', '$ALL_DISC', '$B1']))")" ] ||
	fail "sim inspect: $(cat "$W/insp" | head -20)"
"$QUAN" journal verify >/dev/null || fail "journal verify"
echo "ok"
