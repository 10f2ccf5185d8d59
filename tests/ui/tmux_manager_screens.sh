#!/bin/bash
# tmux_manager_screens.sh — the manager's screens fit the terminal (issue
# 16, finding 8), at 80x24, 100x30 and 160x50, in English and Chinese:
#  - the approval of an offline cap shows the sale amount and the coupon
#    value against the cap;
#  - the void reason prompt shows what is typed (a long reason too);
#  - the X report scrolls to the journal's count and chain head, and a
#    long void reason wraps instead of being cut;
#  - the sales list has column headers; Enter opens a sale's detail: its
#    coupons with their states and who approved what.
# Env: QUAN (binary), QUAN_SRC.
set -u
. "$(dirname "$0")/lib.sh"
SRC=${QUAN_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}

W=$(mktemp -d /tmp/quan-ui-mgr-XXXXXX)
trap 'finish; rm -rf "$W"' EXIT
WHY="packaging was damaged on delivery so the customer asked for the whole sale back"
TAIL="the whole sale back"

n=0
for run in en:80x24 en:100x30 en:160x50 zh_CN:80x24; do
	lang=${run%%:*} size=${run#*:}
	D="$W/d$n"; n=$((n + 1))
	"$QUAN" import --data "$D" stocks "$SRC/tests/core/data/stocks.json" >/dev/null
	"$QUAN" import --data "$D" codes "$SRC/tests/core/data/codes.csv" >/dev/null
	"$QUAN" staff --data "$D" add 1001 --role cashier --pin 1234 >/dev/null
	"$QUAN" staff --data "$D" add 9001 --role manager --pin 9999 >/dev/null
	printf '[offline]\nmax_coupon_fen = 500\n' >"$W/c$n.conf"
	if [ $lang = en ]; then
		AMOUNT="Amount (yuan)" SCAN="Scan or type" APPROVAL="Manager approval"
		LOGIN="Cashier id"
		CAP="Coupon value ¥10.00, offline limit ¥5.00"
		SALE="Sale amount ¥120.00" REASON="Reason" XREP="Journal chain head"
		ENTRIES="Journal entries" HEAD="Time" DETAIL="Void the sale: 9001"
		VOIDED="voided" COUPON="Coupon: 1."
	else
		AMOUNT="金额（元）" SCAN="扫描或输入券码" APPROVAL="店长批准"
		LOGIN="收银员工号"
		CAP="券面额 ¥10.00，离线上限 ¥5.00"
		SALE="交易金额 ¥120.00" REASON="原因" XREP="日志链头"
		ENTRIES="日志条数" HEAD="时间" DETAIL="作废交易: 9001"
		VOIDED="已作废" COUPON="优惠券: 1."
	fi
	start "$size" "$QUAN run --config $W/c$n.conf --data $D --no-sync --quiet --lang $lang"
	wait_for "$LOGIN" 10 || continue
	line 1001; sleep 0.2; line 1234; wait_for "$AMOUNT" 10
	# -- an offline cap: the approval shows the figures -------------
	line 120; wait_for "$SCAN" 5
	line QA0000000000000$n; wait_for " 1 " 5
	redeem
	wait_for "$APPROVAL" 10 && wait_for "$CAP" 5 && wait_for "$SALE" 5 &&
		ok "$lang $size: the approval shows the sale and the value against the cap"
	line 9001; sleep 0.2; line 9999; wait_for "$REASON" 5; line 3
	wait_for "9001" 10
	# -- void it with a long reason: the typed text stays visible ----
	keys F8; sleep 0.3; line 9001; sleep 0.2; line 9999
	wait_for "$REASON" 5
	keys -l "$WHY"
	wait_for "$TAIL" 5 && ok "$lang $size: the reason prompt shows the typed text"
	keys Enter; wait_for "$VOIDED" 10
	# -- the X report: the void reason wraps, the end is reachable ---
	keys F4; wait_for "$ENTRIES" 3 || { for _ in 1 2 3 4; do keys NPage; done; }
	wait_for "$ENTRIES" 5 && wait_for "$XREP" 5 &&
		ok "$lang $size: the X report reaches the journal count and chain head"
	for _ in 1 2 3 4; do keys PPage; done
	for _ in 1 2 3 4 5 6; do screen | grep -qF "back)" && break; keys Down; sleep 0.2; done
	wait_for "back)" 5 && wait_for "packaging was" 1 && ok "$lang $size: a long void reason wraps, not cut"
	# -- the sales list: headers; Enter opens the sale ---------------
	keys Escape; sleep 0.3; keys F3; wait_for "$HEAD" 5 &&
		ok "$lang $size: the sales list has column headers"
	keys Enter; wait_for "$COUPON" 5 && wait_for "$DETAIL" 5 &&
		ok "$lang $size: a sale's detail: coupons, states, approvals"
	keys Escape; wait_for "$HEAD" 5
	keys F10; sleep 0.3; keys F10; wait_for "quan exited" 5
done
[ "$FAILS" -eq 0 ] || { echo "tmux_manager_screens: $FAILS failure(s)"; exit 1; }
echo "tmux_manager_screens: ok"
