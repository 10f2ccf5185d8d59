#!/bin/bash
# sale_card.sh — card coupons (微信卡券) in `quan sale` and the terminal
# against `quan sim` (issue 11, doc §11): checked with code/get at the
# redeem and consumed only after the payment is paid (the journal's
# order, the simulator consumed it once); a failed payment leaves the
# card untouched (the simulator never consumed it; it sells again, cash);
# a card consumed at another till while the customer types the password
# is a loss line after the payment (conflict card_consume_refused, in the
# report); kill -9 while the customer types → `quan sync` takes the
# payment over and consumes the card exactly once; a terminal killed at
# the DUE screen (redeemed, never paid) → `quan sync` voids the sale, its
# merchant coupon returned, its card untouched.
set -u
QUAN=${QUAN:?QUAN must name the quan binary}
W=$(mktemp -d /tmp/quan-salecard-XXXXXX)
SIM=$W/sim
SIM_SEED=17
. "$(dirname "${BASH_SOURCE[0]}")/simlib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/salelib.sh"
trap 'kill_sim' EXIT

sale_setup 500
"$QUAN" import cards "$SIM/import/cards.json" >/dev/null || fail "import cards"
sed -i 's/^\(\[wechatpay\]\)$/\1\nonline_wait_ms = 20000/' "$SIM/quan.conf"
mapfile -t CARDS < <(python3 -c "
import json
for e in json.load(open('$SIM/seed.json'))['card']['valid']:
    if e['card_type'] == 'CASH': print(e['code'])")
mapfile -t MC < <(python3 -c "
import json
for e in json.load(open('$SIM/seed.json'))['merchant']['valid']:
    if e.get('stock_type') == 'NORMAL': print(e['code'])")
q() { sqlite3 "$W/data/quan.db" "$1"; }
sale() {
	OUT=$("$QUAN" sale --json "$@" 2>>"$W/sale.err")
	RC=$?
}
field() { python3 -c "import json,sys; j=json.loads(sys.argv[1]); print($1)" "$OUT"; }
card_of() { field "[c for c in j['coupons'] if c['code'] == '$1'][0]['$2']"; }
# consumes of CODE the simulator applied
consumed() {
	"$QUAN" sim inspect "$SIM" --json | python3 -c "
import json, sys
r = [x for x in json.load(sys.stdin)['redemptions'] if x['code'] == '$1']
print(r[0]['redemptions'] if r else 0)"
}

# 1. paid by payment code: checked at the redeem, consumed after
C=${CARDS[0]}
sale --amount 100 --pay "$(pay_code 00)" "$C"
[ "$RC" -eq 0 ] && [ "$(field 'j["payment"]["state"]')" = paid ] || fail "card sale: exit $RC $OUT"
[ "$(card_of "$C" state)" = confirmed ] && [ "$(card_of "$C" card)" = consumed ] || fail "card line: $OUT"
TXN=$(field 'j["txn"]')
order=$(q "SELECT group_concat(kind, ' ') FROM (SELECT kind FROM journal WHERE txn_id = $TXN AND kind IN ('card_checked','payment','card_consume_release','confirm') ORDER BY seq)")
[ "$order" = "card_checked payment card_consume_release confirm" ] || fail "order at the till: $order"
[ "$(consumed "$C")" -eq 1 ] || fail "the simulator consumed $C $(consumed "$C") times"

# 2. the payment fails: the card is untouched, and sells again (cash)
C=${CARDS[1]}
sale --amount 100 --pay "$(pay_code 03)" "$C"
[ "$RC" -eq 3 ] || fail "NOTENOUGH: exit $RC $OUT"
[ "$(card_of "$C" card)" = not_consumed ] || fail "card of a failed payment: $OUT"
[ "$(consumed "$C")" -eq 0 ] || fail "a card of a failed payment was consumed"
sale --amount 100 --cash 100 "$C"
[ "$RC" -eq 0 ] && [ "$(card_of "$C" card)" = consumed ] || fail "card sold again for cash: $OUT"
[ "$(consumed "$C")" -eq 1 ] || fail "cash sale: consumed $(consumed "$C") times"

# 3. consumed at another till while the customer types the password:
# paid, then WeChat refuses the consume — a loss line, never dropped
C=${CARDS[2]}
sed 's/^id = T01$/id = TB/' "$SIM/quan.conf" >"$SIM/b.conf"
B() { QUAN_CONFIG=$SIM/b.conf QUAN_DATA=$W/b "$QUAN" "$@"; }
B import cards "$SIM/import/cards.json" >/dev/null || fail "B: import cards"
B import codes "$SIM/import/codes.csv" >/dev/null || fail "B: import codes"
before=$(q "SELECT count(*) FROM payments")
"$QUAN" sale --json --amount 100 --pay "$(pay_code 01 5)" "$C" >"$W/loss.json" 2>>"$W/sale.err" &
pid=$!
for i in $(seq 1 300); do
	[ "$(q "SELECT count(*) FROM payments")" -gt "$before" ] && break
	sleep 0.1
done
B redeem --json --amount 100 "$C" >"$W/b.json" 2>>"$W/b.err" || fail "B redeem: $(cat "$W/b.json")"
wait $pid
RC=$?
OUT=$(cat "$W/loss.json")
[ "$RC" -eq 0 ] && [ "$(field 'j["payment"]["state"]')" = paid ] || fail "loss sale: exit $RC $OUT"
[ "$(card_of "$C" state)" = conflict ] && [ "$(card_of "$C" card)" = consume_refused ] || fail "loss line: $OUT"
[ "$(consumed "$C")" -eq 1 ] || fail "consumed $(consumed "$C") times (once, at B)"
"$QUAN" report --json >"$W/rep" || fail "quan report"
python3 - "$W/rep" "$C" <<'PY' || fail "the loss is not in the report: $(cat "$W/rep")"
import json, sys
r = json.load(open(sys.argv[1]))
c = [x for x in r["conflicts"] if x["reason"] == "card_consume_refused"]
assert len(c) == 1 and c[0]["kind"] == "card" and c[0]["discount_fen"] > 0, r["conflicts"]
PY

# 4. kill -9 while the customer types: quan sync finishes it, once
C=${CARDS[3]}
before=$(q "SELECT count(*) FROM payments")
"$QUAN" sale --json --amount 100 --pay "$(pay_code 01 4)" "$C" >/dev/null 2>>"$W/sale.err" &
pid=$!
for i in $(seq 1 300); do
	[ "$(q "SELECT count(*) FROM payments")" -gt "$before" ] && break
	sleep 0.1
done
kill -9 $pid
wait $pid 2>/dev/null
[ "$(q "SELECT o.next_at > 1e15 FROM outbox o JOIN redemptions r ON r.id = o.red_id WHERE r.code = '$C'")" = 1 ] || fail "kill -9: the consume is not held"
"$QUAN" sync --once --timeout 90 >>"$W/sync.out" 2>>"$W/sync.err" || fail "sync after kill -9: exit $?"
[ "$(q "SELECT p.state || ' ' || t.state FROM payments p JOIN txns t ON t.id = p.txn_id ORDER BY p.id DESC LIMIT 1")" = "paid closed" ] || fail "kill -9: the payment not settled"
[ "$(q "SELECT r.state || ' ' || o.state FROM redemptions r JOIN outbox o ON o.red_id = r.id WHERE r.code = '$C'")" = "confirmed done" ] || fail "kill -9: the card not consumed"
[ "$(consumed "$C")" -eq 1 ] || fail "kill -9: consumed $(consumed "$C") times"

# 5. a terminal killed at the DUE screen: redeemed, never paid
C=${CARDS[4]}
cat >"$W/s" <<S
login 1001 1234
amount 100
scan ${MC[0]}
scan $C
confirm
wait-sync 20000
print
expect pay: due=
sleep 600000
S
"$QUAN" run --headless "$W/s" --quiet --lang en >"$W/t.out" 2>"$W/t.err" &
pid=$!
for i in $(seq 1 600); do
	[ "$(q "SELECT count(*) FROM txns WHERE state = 'redeemed'")" -gt 0 ] && break
	sleep 0.1
done
[ "$(q "SELECT count(*) FROM txns WHERE state = 'redeemed'")" -eq 1 ] || fail "the terminal never redeemed: $(cat "$W/t.out" "$W/t.err")"
TXN=$(q "SELECT id FROM txns WHERE state = 'redeemed'")
kill -9 $pid
wait $pid 2>/dev/null
# its process is gone; past the 10 s grace quan sync voids it (times are
# whole seconds and the sale must be strictly older than the grace: a
# sale opened at second t is voided from second t + 11)
sleep 11
"$QUAN" sync --once --timeout 60 >>"$W/sync.out" 2>>"$W/sync.err" || fail "sync of the unpaid sale: exit $?"
[ "$(q "SELECT state FROM txns WHERE id = $TXN")" = voided ] || fail "the unpaid sale is not voided"
[ "$(q "SELECT state FROM redemptions WHERE code = '${MC[0]}'")" = returned ] || fail "its merchant coupon not returned"
[ "$(q "SELECT state || ' ' || reason FROM redemptions WHERE code = '$C'")" = "returned card_not_consumed" ] || fail "its card: $(q "SELECT state || ' ' || reason FROM redemptions WHERE code = '$C'")"
[ "$(consumed "$C")" -eq 0 ] || fail "the card of an unpaid sale was consumed"

ledgers_agree || fail "ledgers differ"
"$QUAN" journal verify >/dev/null || fail "journal verify"
"$QUAN" sim inspect "$SIM" --json >/dev/null || fail "simulator reports defects"
echo "sale_card ok"
rm -rf "$W"
