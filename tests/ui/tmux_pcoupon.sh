#!/bin/bash
# tmux_pcoupon.sh — a 商品券 sale on the real terminal at 80×24 against
# `quan sim` (issue 14 item 7): the registry code scanned shows as a
# coupon line with its name, type and discount, the due is reduced,
# cash (^T) is refused with the reason's words before any cash is taken,
# the payment code is charged the reduced amount and the coupon is used
# once against that order.
set -u
. "$(dirname "$0")/lib.sh"
W=$(mktemp -d /tmp/quan-ui-tpc-XXXXXX)
SIMPID=""
trap 'finish; [ -n "$SIMPID" ] && kill $SIMPID 2>/dev/null; rm -rf "$W"' EXIT
pay_code() { printf '13%s1%02d%011d' "$1" "${2:-0}" "$(( (RANDOM << 15 | RANDOM) % 100000000000 ))"; }

SIM="$W/sim" D="$W/data"
sim_till "$SIM" "$D"
"$QUAN" import --config "$SIM/quan.conf" --data "$D" product "$SIM/import/product.json" >/dev/null &&
	"$QUAN" import --config "$SIM/quan.conf" --data "$D" product --fetch >/dev/null 2>&1 ||
	{ echo "FAIL: import product"; exit 1; }
PC=$(python3 -c "
import json, sys
for e in json.load(open(sys.argv[1]))['product']['cases']['valid']:
    if e['type'] == 'NORMAL' and e['scope'] == 'ALL': print(e['code']); break" "$SIM/seed.json")

start 80x24 "$QUAN run --config $SIM/quan.conf --data $D --quiet --lang en"
wait_for "Cashier id" 10
line 1001; wait_for "PIN:" 5; line 1234; wait_for "Amount (yuan)" 10
line 100; wait_for "Scan or type" 5
line "$PC"
wait_for "全场满减" 5
wait_for "amount off" 2
wait_for "-¥10.00" 2
redeem
wait_for "DUE ¥90.00" 15
keys C-t
wait_for "pay by WeChat payment code, not cash" 5
line "$(pay_code 00)"
wait_for "PAID" 15
ok "product coupon line, cash refused, the reduced charge paid"
for _ in $(seq 50); do
	[ "$(sqlite3 "$D/quan.db" "SELECT state FROM pc_uses WHERE code = '$PC'")" = 2 ] && break
	sleep 0.1
done
[ "$(sqlite3 "$D/quan.db" "SELECT u.state || ' ' || p.amount_fen || ' ' || p.state FROM pc_uses u JOIN payments p ON p.txn_id = u.txn_id WHERE u.code = '$PC'")" = "2 9000 paid" ] ||
	{ echo "FAIL: use/payment: $(sqlite3 "$D/quan.db" "SELECT * FROM pc_uses; SELECT * FROM payments")"; FAILS=$((FAILS + 1)); }
keys F10; sleep 0.3; keys F10
[ $FAILS -eq 0 ] && echo "tmux_pcoupon: all passed"
exit $((FAILS > 0))
