# salelib.sh — sourced by sale_pay.sh and sale_soak.sh (after simlib.sh):
# payment codes per simulator case, a till configured for short payment
# deadlines, and the two ledgers compared to the fen.

# A fresh payment code of the simulator's case $1 (00 success, 01
# USERPAYING then paid after $2 s, 02 USERPAYING for ever, 03 NOTENOUGH,
# 05 expired, 06 SYSTEMERROR then paid): 13 CC U NN + 11 digits.
pay_code() {
	printf '13%s1%02d%011d' "$1" "${2:-0}" "$(( (RANDOM << 15 | RANDOM) % 100000000000 ))"
}

# A seeded simulator serving (PORT), the till's config and data dir
# exported (QUAN_CONFIG, QUAN_DATA=$W/data), the codes imported, cashier
# 1001 (PIN 1234) and manager 9001 (PIN 9999); [pay] deadline 15 s and
# query_interval_ms $1 (default 500).
sale_setup() {
	"$QUAN" sim init "$SIM" >/dev/null || fail "sim init"
	"$QUAN" sim seed "$SIM" >/dev/null || fail "sim seed"
	pay_conf 15 "${1:-500}"
	start_sim 127.0.0.1:0 ""
	PORT=$(sed -n 's/^listening https:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$W/sim.out")
	export QUAN_DATA=$W/data QUAN_CONFIG=$SIM/quan.conf
	"$QUAN" import codes "$SIM/import/codes.csv" >/dev/null || fail "import codes"
	"$QUAN" staff add 1001 --role cashier --pin 1234 >/dev/null || fail "staff"
	"$QUAN" staff add 9001 --role manager --pin 9999 >/dev/null || fail "staff"
}

# [pay] deadline_s / query_interval_ms for a quick test (the deadline's
# floor is 15 s: never reverse earlier).
pay_conf() { # $1 deadline_s, $2 query_interval_ms
	sed -i "s/^\[pay\]$/[pay]\ndeadline_s = $1\nquery_interval_ms = $2/" "$SIM/quan.conf"
}

# Every payment of the till against the simulator's pay_ledger: a paid
# one is charged exactly once with the till's total and payer amount, a
# failed or reversed one nets to nothing, no out_trade_no is charged
# twice; prints the totals.
ledgers_agree() {
	python3 - "$W/data/quan.db" "$SIM/sim.db" <<'PY'
import sqlite3, sys
q = sqlite3.connect(sys.argv[1])
s = sqlite3.connect(sys.argv[2])
sim = {}
for otn, kind, total, payer in s.execute(
        "SELECT out_trade_no, kind, total, payer FROM pay_ledger"):
    r = sim.setdefault(otn, [0, 0, 0])
    sign = 1 if kind == "pay" else -1
    r[0] += kind == "pay"
    r[1] += sign * total
    r[2] += sign * payer
# refunds the till counts as given back (a store before refunds has none)
ref = {}
try:
    for otn, amt, payer in q.execute(
            "SELECT p.out_trade_no, sum(r.amount_fen), sum(r.payer_fen) FROM"
            " refunds r JOIN payments p ON p.id = r.payment_id WHERE"
            " r.state = 'success' GROUP BY p.out_trade_no"):
        ref[otn] = (amt, payer)
except sqlite3.OperationalError:
    pass
bad = []
till_total = till_payer = 0
states = {}
for otn, state, tender, amount, payer in q.execute(
        "SELECT out_trade_no, state, tender, amount_fen, payer_fen "
        "FROM payments"):
    states[state] = states.get(state, 0) + 1
    if tender != "wechat":
        continue
    pays, net_total, net_payer = sim.get(otn, [0, 0, 0])
    if pays > 1:
        bad.append((otn, "charged %d times" % pays))
    if state == "paid":
        r_amt, r_payer = ref.get(otn, (0, 0))
        amount -= r_amt
        payer -= r_payer
        till_total += amount
        till_payer += payer
        if (net_total, net_payer) != (amount, payer):
            bad.append((otn, "paid %d/%d at the till, %d/%d at WeChat"
                        % (amount, payer, net_total, net_payer)))
    elif state in ("failed", "reversed"):
        if net_total != 0:
            bad.append((otn, state + " at the till, %d kept" % net_total))
    else:
        bad.append((otn, "still " + state))
sim_total = sum(r[1] for r in sim.values())
sim_payer = sum(r[2] for r in sim.values())
print("payments %s; till %d fen (customers %d), WeChat %d fen (customers %d)"
      % (states, till_total, till_payer, sim_total, sim_payer))
if (till_total, till_payer) != (sim_total, sim_payer):
    bad.append(("*", "totals differ"))
for b in bad[:20]:
    print("MISMATCH", *b)
sys.exit(1 if bad else 0)
PY
}

# The merchant coupons of sales whose payment failed or was reversed are
# all returned (or their return is still queued), and no paid sale lost
# one.
coupons_follow() {
	python3 - "$W/data/quan.db" <<'PY'
import sqlite3, sys
q = sqlite3.connect(sys.argv[1])
bad = q.execute(
    "SELECT p.out_trade_no, p.state, r.state FROM payments p JOIN redemptions r"
    " ON r.txn_id = p.txn_id WHERE (p.state IN ('failed','reversed') AND"
    " r.state NOT IN ('returned','return_pending','rejected')) OR"
    " (p.state = 'paid' AND r.state NOT IN ('confirmed','accepted_offline'))"
    ).fetchall()
for b in bad[:20]:
    print("COUPON", *b)
open_txn = q.execute(
    "SELECT count(*) FROM payments p JOIN txns t ON t.id = p.txn_id WHERE"
    " (p.state = 'paid' AND t.state <> 'closed') OR (p.state IN"
    " ('failed','reversed') AND t.state <> 'voided')").fetchone()[0]
if open_txn:
    print("SALES not settled after their payment:", open_txn)
sys.exit(1 if bad or open_txn else 0)
PY
}
