#!/bin/bash
# sale_pay.sh — `quan sale` against `quan sim`, one case per payment-code
# behaviour (issue 11): paid with a merchant coupon and a voucher;
# NOTENOUGH → failed, coupon returned; USERPAYING that resolves; USERPAYING
# for ever → reversed after the deadline (never before 15 s), coupon
# returned; SYSTEMERROR then paid; the connection dropped after the charge
# was applied → the query finds it paid, charged once; a bad signature on
# the charge's answer never counts as paid (a query decides); kill -9
# during USERPAYING → `quan sync` takes the payment over and settles the
# sale; cash with change and "other" with a reference; bad usage. Then the
# till's payments and the simulator's ledger agree to the fen.
set -u
QUAN=${QUAN:?QUAN must name the quan binary}
W=$(mktemp -d /tmp/quan-salepay-XXXXXX)
SIM=$W/sim
SIM_SEED=7
. "$(dirname "${BASH_SOURCE[0]}")/simlib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/salelib.sh"
trap 'kill_sim' EXIT

"$QUAN" sim init "$SIM" >/dev/null || fail "sim init"
"$QUAN" sim seed "$SIM" >/dev/null || fail "sim seed"
pay_conf 15 1000
start_sim 127.0.0.1:0 ""
PORT=$(sed -n 's/^listening https:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$W/sim.out")
export QUAN_DATA=$W/data QUAN_CONFIG=$SIM/quan.conf
"$QUAN" import codes "$SIM/import/codes.csv" >/dev/null || fail "import codes"
mapfile -t MC < <(python3 -c "
import json
for e in json.load(open('$SIM/seed.json'))['merchant']['valid']:
    print(e['code'])")
n=0
next_coupon() { c=${MC[$n]}; n=$((n + 1)); }

# sale CASE_ARGS...: run quan sale --json, keep the JSON in $OUT, exit in $RC
sale() {
	OUT=$("$QUAN" sale --json "$@" 2>>"$W/sale.err")
	RC=$?
	echo "$OUT" >>"$W/sales.json"
}
field() { # field PATH (python expression on j)
	python3 -c "import json,sys; j=json.loads(sys.argv[1]); print($1)" "$OUT"
}
expect() { # expect STATE RC WHAT
	local st
	st=$(field 'j["payment"]["state"]')
	[ "$st" = "$1" ] && [ "$RC" -eq "$2" ] || fail "$3: payment $st exit $RC (want $1, $2): $OUT"
}

# paid: merchant coupon first (100 - 5 = 95 due), then vouchers by WeChat
next_coupon
sale --amount 100 --pay "$(pay_code 00)" "$c"
expect paid 0 "paid"
[ "$(field 'j["coupons"][0]["state"]')" = confirmed ] || fail "coupon not confirmed: $OUT"
[ "$(field 'j["payment"]["total_fen"] == j["due_fen"] == 9500')" = True ] || fail "charged what is due: $OUT"
[ "$(field 'j["payment"]["voucher_fen"] > 0 and j["payment"]["payer_fen"] + j["payment"]["voucher_fen"] == j["payment"]["total_fen"] and sum(v["amount_fen"] for v in j["payment"]["vouchers"]) == j["payment"]["voucher_fen"]')" = True ] || fail "vouchers: $OUT"
[ "$(field 'j["payment"]["transaction_id"] != "" and len(j["payment"]["out_trade_no"]) <= 32')" = True ] || fail "ids: $OUT"
echo "paid: $(field 'j["payment"]["vouchers"]')"

# NOTENOUGH: failed, the merchant coupon returned
next_coupon
sale --amount 100 --pay "$(pay_code 03)" "$c"
expect failed 3 "notenough"
[ "$(field 'j["payment"]["reason"]')" = NOTENOUGH ] || fail "reason: $OUT"
[ "$(sqlite3 "$W/data/quan.db" "SELECT state FROM redemptions WHERE code='$c'")" = returned ] || fail "coupon of a failed payment not returned"
# ... and the same coupon sells again (it is the customer's again)
sale --amount 100 --pay "$(pay_code 00)" "$c"
expect paid 0 "coupon returned, used again"

# USERPAYING, the customer types the password 3 s later
t0=$(date +%s)
sale --amount 30 --pay "$(pay_code 01 3)"
expect paid 0 "userpaying then paid"
echo "userpaying resolved in $(( $(date +%s) - t0 )) s"

# SYSTEMERROR, but the charge was taken: the query finds it paid
sale --amount 20 --pay "$(pay_code 06)"
expect paid 0 "systemerror then paid"

# cash and other: no WeChat needed
sale --amount 12.5 --cash 20
expect paid 0 "cash"
[ "$(field 'j["payment"]["change_fen"]')" = 750 ] || fail "change: $OUT"
sale --amount 8 --other "POS-778812"
expect paid 0 "other"
[ "$(field 'j["payment"]["reference"]')" = POS-778812 ] || fail "reference: $OUT"
"$QUAN" sale --amount 8 --cash 5 >/dev/null 2>&1; [ $? -eq 2 ] || fail "cash short of the due is bad usage"
"$QUAN" sale --amount 8 >/dev/null 2>&1; [ $? -eq 2 ] || fail "no tender is bad usage"
"$QUAN" sale --amount 8 --cash 10 --other X >/dev/null 2>&1; [ $? -eq 2 ] || fail "two tenders is bad usage"

# USERPAYING for ever: reversed after the deadline, never before 15 s
next_coupon
t0=$(date +%s)
sale --amount 100 --pay "$(pay_code 02)" "$c"
took=$(( $(date +%s) - t0 ))
expect reversed 3 "userpaying never"
[ "$took" -ge 15 ] || fail "reversed after $took s (< 15)"
[ "$(sqlite3 "$W/data/quan.db" "SELECT state FROM redemptions WHERE code='$c'")" = returned ] || fail "coupon of a reversed payment not returned"

# kill -9 while the customer is typing: quan sync takes the payment over
killed_sale() { # killed_sale CODE WANT: kill -9 after 2 s, then quan sync
	next_coupon
	local before pid i
	before=$(sqlite3 "$W/data/quan.db" "SELECT count(*) FROM payments")
	"$QUAN" sale --json --amount 100 --pay "$1" "$c" >/dev/null 2>>"$W/sale.err" &
	pid=$!
	# the charge is out (its row committed, on a loaded machine too)
	for i in $(seq 1 300); do
		[ "$(sqlite3 "$W/data/quan.db" "SELECT count(*) FROM payments")" -gt "$before" ] && break
		sleep 0.1
	done
	sleep 1
	kill -9 $pid
	wait $pid 2>/dev/null
	[ "$(sqlite3 "$W/data/quan.db" "SELECT state FROM payments ORDER BY id DESC LIMIT 1")" = pending ] || fail "kill -9: payment not pending"
	"$QUAN" sync --once --timeout 90 >>"$W/sync.out" 2>>"$W/sync.err" || fail "sync after kill -9 ($2): exit $?"
	[ "$(sqlite3 "$W/data/quan.db" "SELECT p.state || ' ' || t.state FROM payments p JOIN txns t ON t.id = p.txn_id ORDER BY p.id DESC LIMIT 1")" = "$2" ] || fail "kill -9: not '$2' after sync"
}
killed_sale "$(pay_code 01 6)" "paid closed"
killed_sale "$(pay_code 02)" "reversed voided"
[ "$(sqlite3 "$W/data/quan.db" "SELECT state FROM redemptions WHERE code='$c'")" = returned ] || fail "kill -9: coupon not returned"

# the connection dropped after the charge was applied: query → paid once
kill_sim
start_sim "127.0.0.1:$PORT" "drop=1,only=/v3/pay/transactions/codepay"
sale --amount 40 --pay "$(pay_code 00)"
expect paid 0 "dropped answer"
# a forged signature on the charge's SUCCESS is not believed: the query
# (signed) decides
kill_sim
start_sim "127.0.0.1:$PORT" "badsig=1,only=/v3/pay/transactions/codepay"
sale --amount 40 --pay "$(pay_code 00)"
expect paid 0 "bad signature then query"
[ "$(sqlite3 "$W/data/quan.db" "SELECT requests FROM payments ORDER BY id DESC LIMIT 1")" -ge 2 ] || fail "a badly signed SUCCESS was taken as paid"
kill_sim
start_sim "127.0.0.1:$PORT" "badsig=1,only=/v3/pay/"
sale --amount 40 --pay "$(pay_code 00)"
st=$(field 'j["payment"]["state"]')
[ "$st" != paid ] || fail "paid on badly signed answers only"
echo "every answer badly signed: $st (exit $RC)"
kill_sim
start_sim "127.0.0.1:$PORT" ""
"$QUAN" sync --once --timeout 90 >>"$W/sync.out" 2>>"$W/sync.err"

ledgers_agree || fail "ledgers differ"
# the report module counts the same money (quan status: all time; quan
# report and the X/Z read it for a day)
"$QUAN" status --json >"$W/report.json" || fail "quan status"
python3 - "$W/report.json" "$W/data/quan.db" <<'PY' || fail "quan status: payments differ from the rows"
import json, sqlite3, sys
p = json.load(open(sys.argv[1]))["payments"]
q = sqlite3.connect(sys.argv[2])
w = q.execute("SELECT count(*), sum(amount_fen), sum(payer_fen), sum(voucher_fen) FROM payments WHERE state = 'paid' AND tender = 'wechat'").fetchone()
c = q.execute("SELECT sum(amount_fen) FROM payments WHERE state = 'paid' AND tender = 'cash'").fetchone()
got = (p["wechat"]["count"], p["wechat"]["fen"], p["wechat"]["payer_fen"], p["wechat"]["voucher_fen"], p["cash"]["fen"])
want = tuple(w) + tuple(c)
print("report payments", got)
sys.exit(0 if got == want and p["wechat"]["voucher_fen"] > 0 else 1)
PY
coupons_follow || fail "coupons do not follow their payment"
"$QUAN" journal verify >/dev/null || fail "journal verify"
"$QUAN" sim inspect "$SIM" --json >"$W/inspect.json" || fail "simulator reports defects"
kill_sim
# WeChat unreachable: cash and other still complete the sale; a payment
# code is never "paid" offline: unknown at the deadline (exit 4), left to
# quan sync (whether the charge left is not known here)
sale --amount 5 --cash 5
expect paid 0 "cash offline"
sale --amount 6 --other "VOUCHER-9"
expect paid 0 "other offline"
sale --amount 7 --pay "$(pay_code 00)"
st=$(field 'j["payment"]["state"]')
[ "$RC" -eq 4 ] && [ "$st" = unknown ] || fail "a payment code offline: $OUT"
echo "payment code offline: $st (exit $RC, $(field 'j["payment"]["reason"]'))"
echo "sale_pay ok"
rm -rf "$W"
