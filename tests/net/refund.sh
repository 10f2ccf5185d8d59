#!/bin/bash
# refund.sh — a paid sale's money given back against `quan sim` (issue
# 11): `quan void` of a paid sale needs a manager, refunds the rest, then
# returns the merchant coupon; `quan refund --amount` gives part back and
# never more than is left (the store refuses it, whatever process asks);
# the out_refund_no is committed before the request and reused on every
# retry — the answer dropped, kill -9 in the middle then `quan sync`, the
# same command run again — so WeChat refunds once; a cash sale is given
# back by the cashier. Then the till's refunds and the simulator's agree
# to the fen.
set -u
QUAN=${QUAN:?QUAN must name the quan binary}
W=$(mktemp -d /tmp/quan-refund-XXXXXX)
SIM=$W/sim
SIM_SEED=11
. "$(dirname "${BASH_SOURCE[0]}")/simlib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/salelib.sh"
trap 'kill_sim' EXIT

sale_setup 500
mapfile -t MC < <(python3 -c "
import json
for e in json.load(open('$SIM/seed.json'))['merchant']['valid']:
    print(e['code'])")
n=0
next_coupon() { c=${MC[$n]}; n=$((n + 1)); }
q() { sqlite3 "$W/data/quan.db" "$1"; }
simq() { sqlite3 "$SIM/sim.db" "$1"; }
jf() { python3 -c "import json,sys; j=json.loads(sys.argv[1]); print($1)" "$OUT"; }
# paid_sale [COUPON]: a sale of 100 paid by payment code; $TXN
paid_sale() {
	OUT=$("$QUAN" sale --json --amount 100 --pay "$(pay_code 00)" "$@" 2>>"$W/err") || fail "sale: $OUT"
	TXN=$(jf 'j["txn"]')
}
# run CMD... with the manager's PIN: JSON in $OUT, exit in $RC
mgr() { OUT=$(echo "${PIN:-9999}" | "$QUAN" "$@" 2>>"$W/err"); RC=$?; }

next_coupon
paid_sale "$c"
DUE=$(q "SELECT amount_fen FROM payments WHERE txn_id = $TXN")
[ "$DUE" = 9500 ] || fail "due $DUE"
# no manager, or a cashier's PIN: nothing refunded, the sale stays
"$QUAN" void "$TXN" >/dev/null 2>&1; [ $? -eq 1 ] || fail "void of a paid sale without a manager"
PIN=1234 mgr void --json --by 1001 "$TXN"; [ $RC -eq 1 ] || fail "a cashier's PIN refunded"
[ "$(q "SELECT count(*) FROM refunds")" = 0 ] && [ "$(q "SELECT state FROM txns WHERE id = $TXN")" = closed ] || fail "refused void left traces"
# the store's invariant, whatever process asks: a paid sale is not voided
# before its money is back
q "UPDATE txns SET state = 'voided' WHERE id = $TXN" 2>/dev/null && fail "store voided a paid sale"

# part back (returned goods): 10 of 95
mgr refund --json --amount 10 --by 9001 "$TXN"
[ $RC -eq 0 ] || fail "partial refund: exit $RC $OUT"
[ "$(jf 'j["refund"]["state"], j["refund"]["amount_fen"], j["refund"]["left_fen"]')" = "success 1000 8500" ] || fail "partial: $OUT"
ORN1=$(jf 'j["refund"]["out_refund_no"]')
# more than is left: refused before any request
mgr refund --json --amount 90 --by 9001 "$TXN"
[ $RC -eq 3 ] || fail "more than left: exit $RC"
[ "$(q "SELECT count(*) FROM refunds")" = 1 ] || fail "a refused refund left a row"
# ... and by the store itself
q "INSERT INTO refunds(txn_id, payment_id, out_refund_no, kind, state, amount_fen, total_fen, payer_fen, voucher_fen, refund_id, reason, approved_by, requests, next_at, created_at, updated_at, owner) SELECT txn_id, id, 'X1', 'partial', 'pending', 8501, amount_fen, -1, -1, '', '', '9001', 0, 0, 0, 0, 0 FROM payments WHERE txn_id = $TXN" 2>/dev/null && fail "store took a refund over what is left"

# void: the rest back, then the sale voided and its coupon returned
mgr void --json --by 9001 "$TXN"
[ $RC -eq 0 ] || fail "void of a paid sale: exit $RC $OUT"
[ "$(jf 'j["state"], j["refund"]["state"], j["refund"]["amount_fen"], j["refund"]["left_fen"]')" = "voided success 8500 0" ] || fail "void: $OUT"
[ "$(q "SELECT state FROM redemptions WHERE code = '$c'")" = returned ] || fail "coupon of a refunded void not returned"
# again: nothing more is refunded
mgr void --json --by 9001 "$TXN"; [ $RC -eq 1 ] || fail "second void: exit $RC"
mgr refund --json --by 9001 "$TXN"; [ $RC -ne 0 ] || fail "refund of a refunded sale"
[ "$(simq "SELECT count(*) || ' ' || sum(refund) FROM pay_refunds WHERE out_trade_no = (SELECT out_trade_no FROM pay_refunds WHERE out_refund_no = '$ORN1')")" = "2 9500" ] || fail "WeChat refunded other than 2 refunds of 9500"
echo "void of a paid sale: refunded 1000 + 8500, coupon returned"

# the answer dropped after WeChat applied it: the same out_refund_no again
kill_sim
start_sim "127.0.0.1:$PORT" "drop=1,only=/v3/refund/domestic/refunds"
paid_sale
mgr refund --json --amount 20 --by 9001 "$TXN"
# the query (same path prefix) is dropped too: left under way, exit 4
[ $RC -eq 4 ] || [ $RC -eq 0 ] || fail "dropped answers: exit $RC $OUT"
ORN=$(q "SELECT out_refund_no FROM refunds ORDER BY id DESC LIMIT 1")
[ "$(q "SELECT requests >= 2 FROM refunds WHERE out_refund_no = '$ORN'")" = 1 ] || fail "dropped: not retried"
kill_sim
start_sim "127.0.0.1:$PORT" ""
"$QUAN" sync --once --timeout 60 >>"$W/sync.out" 2>>"$W/sync.err" || fail "sync after dropped refund answers: exit $?"
[ "$(q "SELECT state FROM refunds WHERE out_refund_no = '$ORN'")" = success ] || fail "dropped: not success after sync"
[ "$(simq "SELECT count(*) FROM pay_refunds WHERE out_refund_no = '$ORN'")" = 1 ] || fail "dropped: refunded twice"

# kill -9 in the middle (WeChat slow on refunds), then the same command
# again: resumed with the same out_refund_no, one refund
killed() { # killed ARGS...: the command killed once its refund row is committed
	local before pid i
	before=$(q "SELECT count(*) FROM refunds")
	echo 9999 | "$QUAN" "$@" >/dev/null 2>>"$W/err" &
	pid=$!
	for i in $(seq 1 300); do
		[ "$(q "SELECT count(*) FROM refunds")" -gt "$before" ] && break
		sleep 0.1
	done
	sleep 0.5
	kill -9 $pid
	wait $pid 2>/dev/null
	ORN=$(q "SELECT out_refund_no FROM refunds ORDER BY id DESC LIMIT 1")
	[ "$(q "SELECT state FROM refunds WHERE out_refund_no = '$ORN'")" = pending ] || fail "kill -9: refund not pending"
}
kill_sim
start_sim "127.0.0.1:$PORT" "latency=3000,only=/v3/refund/"
paid_sale
killed refund --amount 30 --by 9001 "$TXN"
kill_sim
start_sim "127.0.0.1:$PORT" ""
mgr refund --json --amount 31 --by 9001 "$TXN"
[ $RC -eq 3 ] || fail "another amount while one is under way: exit $RC"
mgr refund --json --amount 30 --by 9001 "$TXN"
[ $RC -eq 0 ] || fail "repeated refund: exit $RC $OUT"
[ "$(jf 'j["refund"]["resumed"], j["refund"]["out_refund_no"] == "'"$ORN"'", j["refund"]["left_fen"]')" = "True True 7000" ] || fail "repeated refund not resumed: $OUT"
OTN=$(q "SELECT out_trade_no FROM payments WHERE txn_id = $TXN")
[ "$(simq "SELECT count(*) FROM pay_refunds WHERE out_trade_no = '$OTN'")" = 1 ] || fail "kill -9 + repeat: refunded twice"

# kill -9 during a void, then quan sync: refunded, the sale voided
kill_sim
start_sim "127.0.0.1:$PORT" "latency=3000,only=/v3/refund/"
next_coupon
paid_sale "$c"
killed void --by 9001 "$TXN"
kill_sim
start_sim "127.0.0.1:$PORT" ""
"$QUAN" sync --once --timeout 60 >>"$W/sync.out" 2>>"$W/sync.err" || fail "sync after kill -9 in a void: exit $?"
[ "$(q "SELECT r.state || ' ' || t.state FROM refunds r JOIN txns t ON t.id = r.txn_id WHERE out_refund_no = '$ORN'")" = "success voided" ] || fail "kill -9 void: not refunded and voided after sync"
[ "$(q "SELECT state FROM redemptions WHERE code = '$c'")" = returned ] || fail "kill -9 void: coupon not returned"

# cash: the cashier gives it back, no WeChat
OUT=$("$QUAN" sale --json --amount 12 --cash 20) || fail "cash sale"
TXN=$(jf 'j["txn"]')
mgr void --json --by 9001 "$TXN"
[ $RC -eq 0 ] && [ "$(jf 'j["state"], j["refund"]["tender"], j["refund"]["amount_fen"]')" = "voided cash 1200" ] || fail "cash void: $RC $OUT"

# every refund: the till and WeChat agree to the fen
python3 - "$W/data/quan.db" "$SIM/sim.db" <<'PY' || fail "refund ledgers differ"
import sqlite3, sys
q = sqlite3.connect(sys.argv[1])
s = sqlite3.connect(sys.argv[2])
till = dict(q.execute("SELECT r.out_refund_no, r.amount_fen FROM refunds r JOIN payments p ON p.id = r.payment_id WHERE p.tender = 'wechat' AND r.state = 'success'"))
sim = {}
for orn, refund in s.execute("SELECT out_refund_no, refund FROM pay_refunds"):
    if orn in sim:
        sys.exit("refunded twice: " + orn)
    sim[orn] = refund
print("refunds: till %d fen in %d, WeChat %d fen in %d" % (sum(till.values()), len(till), sum(sim.values()), len(sim)))
sys.exit(0 if till == sim else 1)
PY
"$QUAN" journal verify >/dev/null || fail "journal verify"
kill_sim
echo "refund ok"
