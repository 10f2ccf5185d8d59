#!/bin/bash
# tmux_pay.sh — the payment screens of the real terminal in tmux against
# `quan sim` (issue 11): after the coupons the due and how to pay it are
# shown; a payment code whose customer never types the password shows
# USERPAYING with a seconds counter; Esc cancels it (reversing, never
# before 15 s) and the sale is offered cash (^T) with the change shown;
# the same in Chinese. While the customer types (USERPAYING resolving
# after U s) keys are typed one at a time and each must be drawn while
# the payment is still out — a loop that waited on WeChat would draw none
# — and key->screen is printed (the figure, not a pass mark).
# Env: QUAN; KEYS (default 40) keys, U (default 20) seconds of USERPAYING.
set -u
. "$(dirname "$0")/lib.sh"
KEYS=${KEYS:-40}
U=${U:-20}
W=$(mktemp -d /tmp/quan-ui-tpay-XXXXXX)
SIMPID=""
trap 'finish; [ -n "$SIMPID" ] && kill $SIMPID 2>/dev/null; rm -rf "$W"' EXIT
pay_code() { printf '13%s1%02d%011d' "$1" "${2:-0}" "$(( (RANDOM << 15 | RANDOM) % 100000000000 ))"; }

SIM="$W/sim" D="$W/data"
sim_till "$SIM" "$D"
sed -i "s/^\[pay\]$/[pay]\ndeadline_s = $((U + 15))\nquery_interval_ms = 500/" "$SIM/quan.conf"
mapfile -t MC < <(python3 -c "
import json, sys
for e in json.load(open(sys.argv[1]))['merchant']['valid']:
    if e.get('stock_type') == 'NORMAL': print(e['code'])" "$SIM/seed.json")

till() { # LANG
	start 100x30 "$QUAN run --config $SIM/quan.conf --data $D --quiet --lang $1"
}

till en
wait_for "Cashier id" 10
line 1001; wait_for "PIN:" 5; line 1234; wait_for "Amount (yuan)" 10
line 100; wait_for "Scan or type" 5; line "${MC[0]}"; sleep 0.4; keys Enter
wait_for "Scan the customer's payment code, or ^T cash, ^O other tender" 15
wait_for "DUE ¥95.00" 2
# the customer never types the password
line "$(pay_code 02)"
wait_for "CUSTOMER IS ENTERING THE PASSWORD" 10
wait_for "Waiting for WeChat (Esc cancels)" 2
wait_for "3 s" 10 # the counter ticks
keys Escape
wait_for "CANCELLING: REVERSING THE PAYMENT" 5
wait_for "NOT PAID" 40
wait_for "reversed" 2
wait_for "Scan another code, ^T cash, ^O other; Esc gives the coupons back" 2
keys C-t
wait_for "Cash tendered (yuan)" 5
line 100
wait_for "PAID" 5
wait_for "CHANGE ¥5.00" 2
ok "USERPAYING, cancel → reversed, then cash with change"

# keys while the customer types: each drawn while the payment is out
line 50; wait_for "Scan or type" 5; line "${MC[1]}"; sleep 0.4; keys Enter
wait_for "^T cash" 15
line "$(pay_code 01 "$U")"
wait_for "CUSTOMER IS ENTERING THE PASSWORD" 10
: >"$W/keys"
python3 "$(dirname "$0")/keys_probe.py" "$T_SOCK" "$T_SESS" "$W/keys" "$KEYS"
drawn=$(wc -l <"$W/keys")
still=$(screen | grep -c "CUSTOMER IS ENTERING THE PASSWORD")
[ "$drawn" -ge "$KEYS" ] && [ "$still" -ge 1 ] ||
	{ echo "FAIL: $drawn of $KEYS keys drawn while the payment waited (still waiting: $still)"; screen; FAILS=$((FAILS + 1)); }
read -r n p50 p99 max <<<"$(key_figures "$W/keys")"
echo "key->screen during USERPAYING (${U}s): n=$n p50=${p50}ms p99=${p99}ms max=${max}ms"
keys -N "$((KEYS + 5))" BSpace
wait_for "PAID" $((U + 20))
wait_for "Voucher" 2
wait_for "Customer paid (WeChat)" 2
ok "vouchers and the customer's money shown"
keys F10; sleep 0.3; keys F10

# Chinese: the due offered and cash with change
till zh
wait_for "收银员工号" 10
line 1001; sleep 0.3; line 1234; wait_for "金额（元）" 10
line 20; sleep 0.5; line "${MC[2]}"; sleep 0.4; keys Enter
wait_for "扫描顾客付款码，或 ^T 现金，^O 其他支付方式" 15
keys C-t
wait_for "收现金（元）" 5
line 20
wait_for "已付款" 5
wait_for "找零 ¥5.00" 2
ok "zh: 收现金, 找零"
keys F10; sleep 0.3; keys F10
[ "$(sqlite3 "$D/quan.db" "SELECT group_concat(tender || '/' || state, ' ') FROM payments ORDER BY id")" = "wechat/reversed cash/paid wechat/paid cash/paid" ] ||
	{ echo "FAIL: payments: $(sqlite3 "$D/quan.db" "SELECT tender, state FROM payments")"; FAILS=$((FAILS + 1)); }
[ $FAILS -eq 0 ] && echo "tmux_pay: all passed"
exit $((FAILS > 0))
