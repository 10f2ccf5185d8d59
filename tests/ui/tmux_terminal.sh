#!/bin/bash
# tmux_terminal.sh — the real `quan run` in tmux against `quan sim`:
# login, a sale with two coupons and the right due, a rejection with its
# reason, a payment code at the coupon step, the simulator stopped (offline
# banner, offline acceptance within the caps, cap exceeded needs a
# manager), the simulator back (states turn confirmed), a void with a
# manager PIN, the Z report, Chinese, 80x24 and a large window.
# Env: QUAN (binary). Every wait polls the screen with a timeout.
set -u
. "$(dirname "$0")/lib.sh"

W=$(mktemp -d /tmp/quan-ui-tmux-XXXXXX)
SIM="$W/sim" DATA="$W/data" SIMPID=""
cleanup() {
	finish
	[ -n "$SIMPID" ] && kill "$SIMPID" 2>/dev/null && wait "$SIMPID"
	rm -rf "$W"
}
trap cleanup EXIT

"$QUAN" sim init "$SIM" >/dev/null 2>&1 || { echo "sim init failed"; exit 1; }
"$QUAN" sim seed "$SIM" >/dev/null 2>&1 || { echo "sim seed failed"; exit 1; }

# serve on a free port; remember it to restart on the same one
start_sim() {
	"$QUAN" sim serve "$SIM" --listen "127.0.0.1:${PORT:-0}" \
		>"$W/sim.out" 2>"$W/sim.err" &
	SIMPID=$!
	for _ in $(seq 100); do
		grep -q '^listening ' "$W/sim.out" 2>/dev/null && break
		sleep 0.1
	done
	grep -q '^listening ' "$W/sim.out" || { echo "sim did not start"; exit 1; }
	PORT=$(sed -n 's/^listening https:\/\/127.0.0.1:\([0-9]*\).*/\1/p' \
		"$W/sim.out" | head -1)
}
stop_sim() { kill "$SIMPID"; wait "$SIMPID" 2>/dev/null; SIMPID=""; }
start_sim

# test config: the simulator's, with a short online wait and small caps
CONF="$SIM/quan.conf"
sed -i 's/^\[wechatpay\]$/[wechatpay]\nonline_wait_ms = 1500/' "$CONF"
printf '\n[offline]\nmax_per_hour = 2\n' >>"$CONF"
for k in stocks cards codes; do
	f="$SIM/import/$k.json"; [ $k = codes ] && f="$SIM/import/codes.csv"
	"$QUAN" import --config "$CONF" --data "$DATA" $k "$f" >/dev/null ||
		{ echo "import $k failed"; exit 1; }
done
"$QUAN" staff --data "$DATA" add 1001 --role cashier --pin 1234 >/dev/null
"$QUAN" staff --data "$DATA" add 9001 --role manager --pin 9999 >/dev/null

code() { # code FAMILY CASE [TYPE] [N]: the Nth (1-based) matching code
	python3 - "$SIM/seed.json" "$@" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
fam, case = sys.argv[2], sys.argv[3]
typ = sys.argv[4] if len(sys.argv) > 4 and sys.argv[4] else None
n = int(sys.argv[5]) if len(sys.argv) > 5 else 1
hits = [c["code"] for c in d[fam][case]
        if typ is None or c.get("stock_type", c.get("card_type")) == typ]
print(hits[n - 1])
EOF
}
N1=$(code merchant valid NORMAL 1); N2=$(code merchant valid NORMAL 2)
N3=$(code merchant valid NORMAL 3)
D1=$(code merchant valid DISCOUNT 1)
C1=$(code card valid CASH 1)
BM=$(code merchant below_minimum); USED=$(code merchant used)

RUN="$QUAN run --config $CONF --data $DATA"

# --- login, two coupons, due ------------------------------------------
start 80x24 "$RUN --lang en"
wait_for "Cashier id" 10
line 1001; wait_for "PIN:" 5
line 0000; wait_for "Wrong id or PIN" 5
line 1001; wait_for "PIN:" 5
line 1234; wait_for "Amount (yuan)" 10 && ok login
wait_for "ONLINE" 10
line 200; wait_for "Scan or type a coupon code" 5
line "$N1"; wait_for " 1 " 5
line "$C1"; wait_for " 2 " 5
# due = 200 - both discounts, as the engine says (check --json agrees)
DUE=$("$QUAN" check --config "$CONF" --data "$DATA" --json --amount 200 \
	"$N1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["due_fen"])')
[ -n "$DUE" ] || { echo "FAIL: quan check gave no due"; FAILS=$((FAILS+1)); }
redeem
wait_for "CONFIRMED" 15 && ok "two coupons confirmed online"
screen | grep -q "DUE ¥" || { echo "FAIL: no due shown"; FAILS=$((FAILS+1)); }

# --- rejection reason, payment code at the coupon step -----------------
line 80; wait_for "Scan or type" 5
line "$BM"; wait_for "REJECTED" 5
wait_for "needs ¥" 5 && ok "below minimum reason"
line 134567890123456789; wait_for "payment code, not a coupon" 5 &&
	ok "payment code at the coupon step"
keys Escape; wait_for "Amount (yuan)" 5
line 80; wait_for "Scan or type" 5
line "$USED"; wait_for " 1 " 5
redeem
wait_for "REJECTED" 15 && ok "used at WeChat: rejected online with a reason"

# --- simulator stopped: offline banner, offline acceptance, cap --------
stop_sim
line 100; wait_for "Scan or type" 5
line "$N2"; wait_for " 1 " 5
redeem
wait_for "ACCEPTED OFFLINE" 20 && ok "offline acceptance"
wait_for "OFFLINE " 10 && ok "offline banner"
line 100; wait_for "Scan or type" 5
line "$D1"; wait_for " 1 " 5
redeem
wait_for "ACCEPTED OFFLINE" 20
line 100; wait_for "Scan or type" 5
line "$N3"; wait_for " 1 " 5
redeem
wait_for "Manager approval" 20 && ok "cap exceeded asks for a manager"
wait_for "offline limit reached" 5
keys Escape
wait_for "Cancelled" 5
expect_not "ACCEPTED OFFLINE"
ok "declined override: not accepted"
keys F12; wait_for "Accept over the offline limit" 5
line 9001; wait_for "Manager PIN" 5
line 9999; wait_for "Reason" 5
line 3
wait_for "Approved by 9001" 10 && wait_for "ACCEPTED OFFLINE" 5 &&
	ok "manager override of the cap accepts it"

# --- simulator back: offline sale turns confirmed ----------------------
start_sim
keys F3; wait_for "Today's sales" 5
keys Escape
wait_for "Amount (yuan)" 5
wait_for "quan T01  ONLINE" 60 && ok "online again"
# the outbox drains: status depth 0
for _ in $(seq 300); do
	screen | grep -q "outbox 0 " && break
	sleep 0.2
done
wait_for "outbox 0 " 1 && ok "outbox settled after the simulator came back"

# --- void with manager PIN, Z report ----------------------------------
line 200; wait_for "Scan or type" 5
line "$(code merchant valid DISCOUNT 2)"; wait_for " 1 " 5
redeem; wait_for "CONFIRMED" 15
keys F8; wait_for "Void the sale" 5
line 1001; wait_for "Manager PIN" 5
line 1234; wait_for "A manager's PIN is needed" 5
line 9001; wait_for "Manager PIN" 5
line 9999; wait_for "Reason" 5
line 2; wait_for "voided" 10 && ok "void with manager PIN"
keys F5; wait_for "End of day" 5
line 9001; line 9999; line 4
wait_for "Z number" 10 && ok "Z report"
wait_for "Journal chain head" 5
wait_for "Offline exposure" 5

# --- large window, then back to 80x24 ---------------------------------
tm resize-window -t "$T_SESS" -x 160 -y 50
keys Escape
wait_for "Amount (yuan)" 5
[ "$(screen | wc -l)" -ge 49 ] || { echo "FAIL: not 50 rows"; FAILS=$((FAILS+1)); }
screen | tail -1 | grep -q "Quit" && ok "160x50 layout (key bar on the last row)" ||
	{ echo "FAIL: key bar not at the bottom"; screen; FAILS=$((FAILS+1)); }
tm resize-window -t "$T_SESS" -x 80 -y 24
sleep 0.3
screen | sed -n 24p | grep -q "Quit" && ok "back to 80x24" ||
	{ echo "FAIL: 80x24 after resize"; screen; FAILS=$((FAILS+1)); }
keys F10
wait_for "quan exited rc=0" 10 && ok "F10 quits"

# --- Chinese ----------------------------------------------------------
start 80x24 "$RUN --lang zh_CN --no-sync --no-color"
wait_for "收银员工号" 10
line 1001; line 1234; wait_for "金额（元）" 10
line 80; line "$BM"
wait_for "拒绝" 5 && wait_for "需满 ¥" 5 && ok "Chinese verdict and reason (no colour)"
# typed by hand, slowly: marked as typed
keys Escape; wait_for "金额（元）" 5
line 300; wait_for "扫描或输入券码" 5
for ch in $(code merchant valid NORMAL 4 | sed 's/./& /g'); do
	keys -l "$ch"; sleep 0.08
done
keys Enter
wait_for "[手输]" 5 && ok "slow typing is marked as typed"
# a sale is open: F10 asks first (QA 12c), the second one quits
keys F10; wait_for "有未完成的交易" 5 && ok "quit mid-sale asks first"
keys F10; wait_for "quan exited rc=0" 10

if [ "$FAILS" -ne 0 ]; then
	echo "tmux_terminal: $FAILS failure(s)"
	exit 1
fi
echo "tmux_terminal: all passed"
