#!/bin/bash
# void_card.sh — QA finding 4: a sale with a card coupon consumed at
# WeChat and a merchant coupon is voided. WeChat has no return for a
# consumed card code: the message names the coupon that cannot be
# returned (terminal, both languages, and `quan void`), the merchant
# coupon is returned, and the X report, `quan report` and `quan status`
# show the card coupon as "voided, not returnable", not as redeemed value;
# the X report lists the voids (count, value, who approved, why; QA 11).
set -u
: "${QUAN:?}"
W=$(mktemp -d /tmp/quan-ui-void-XXXXXX)
SIM=$W/sim
SIMPID=
fail() { echo "FAIL: $*" >&2; [ -n "$SIMPID" ] && kill "$SIMPID" 2>/dev/null; echo "kept $W" >&2; exit 1; }
command -v python3 >/dev/null || fail "python3 is needed"
"$QUAN" sim init "$SIM" >/dev/null || fail "sim init"
"$QUAN" sim seed "$SIM" >/dev/null || fail "sim seed"
export QUAN_CONFIG=$SIM/quan.conf QUAN_DATA=$SIM/data
"$QUAN" import stocks "$SIM/import/stocks.json" >/dev/null || fail "import stocks"
"$QUAN" import cards "$SIM/import/cards.json" >/dev/null || fail "import cards"
"$QUAN" import codes "$SIM/import/codes.csv" >/dev/null || fail "import codes"
"$QUAN" staff add 1001 --role cashier --pin 1234 >/dev/null || fail "staff"
"$QUAN" staff add 9001 --role manager --pin 9999 >/dev/null || fail "staff"
# a free port: the simulator writes it into quan.conf's base_url lines
LISTEN=127.0.0.1:0
"$QUAN" sim serve "$SIM" --listen "$LISTEN" >"$W/sim.out" 2>"$W/sim.err" &
SIMPID=$!
for _ in $(seq 100); do grep -q '^listening' "$W/sim.out" && break; sleep 0.1; done
grep -q '^listening' "$W/sim.out" || fail "sim did not start"
pick() { python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
c = [e for e in d['card']['valid'] if e['card_type'] == 'CASH']
m = [e for e in d['merchant']['valid'] if e['stock_type'] == 'NORMAL' and e['coupon_code_mode'] != 'WECHATPAY_MODE']
print(c[$1]['code'], m[$1]['code'])" "$SIM/seed.json"; }
read -r CARD1 MER1 < <(pick 0)
read -r CARD2 MER2 < <(pick 1)
read -r CARD3 MER3 < <(pick 2)

# 1. the terminal: a card + merchant sale, paid (cash: the card is
# consumed only then), voided by a manager (a refund: the card stays used
# at WeChat, reported as voided, not returnable)
cat >"$W/s1" <<S
wait-net 10000
login 1001 1234
amount 200
scan $CARD1
scan $MER1
confirm
wait-sync 5000
print
expect verdict: CONFIRMED
key cash
submit 200
wait-sync 5000
print
key void
submit 9001
submit 9999
submit 1
print
expect msg: Sale 1 refunded and voided
key xreport
print
expect Voided, not returnable (card): 1  ¥
expect voided_not_returnable
expect Voids: 1  ¥8.00
expect Voided sale: 1: 9001 (
key zreport
print
expect approve:
expect sale=-
expect-not Sale 1
S
"$QUAN" run --headless "$W/s1" --quiet --lang en >"$W/o1" 2>"$W/e1" || fail "terminal void: $(cat "$W/o1" "$W/e1")"
# only the card coupon: nothing else to return (Chinese)
cat >"$W/s2" <<S
wait-net 10000
login 1001 1234
amount 200
scan $CARD3
confirm
wait-sync 5000
key cash
submit 200
wait-sync 5000
key void
submit 9001
submit 9999
submit 1
key xreport
print
expect 已作废但不可退回（卡券）: 2
expect-not 其余优惠券正在退回
S
"$QUAN" run --headless "$W/s2" --quiet --lang zh_CN >"$W/o2" 2>"$W/e2" || fail "terminal void zh_CN: $(cat "$W/o2" "$W/e2")"

# 1b. F8 right after a finished sale (next sale's amount screen) voids
# that sale, and the approval screen names it (QA 9: "No sale to void")
cat >"$W/s3" <<S
wait-net 10000
login 1001 1234
amount 50
scan $MER3
confirm
wait-sync 5000
key new
print
expect screen=amount
key void
print
expect approve:
expect sale=3
S
"$QUAN" run --headless "$W/s3" --quiet --lang en >"$W/o3" 2>"$W/e3" || fail "F8 after a sale: $(cat "$W/o3" "$W/e3")"

# 2. quan void names the card code that cannot be returned
out=$("$QUAN" redeem --json --amount 200 "$CARD2" "$MER2"); rc=$?
[ $rc -eq 0 ] || fail "redeem: exit $rc $out"
TXN=$(echo "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["txn"])')
out=$("$QUAN" void --json "$TXN"); rc=$?
[ $rc -eq 0 ] || fail "void: exit $rc $out"
[ "$(echo "$out" | python3 -c 'import json,sys; print(" ".join(json.load(sys.stdin)["not_returnable"]))')" = "$CARD2" ] || fail "void --json not_returnable: $out"
"$QUAN" sync --once >/dev/null 2>&1
# 3. reports: three card coupons voided, not returnable; none redeemed
"$QUAN" report --json >"$W/rep" || fail "report"
python3 - "$W/rep" <<'EOF2' || fail "report: $(cat "$W/rep")"
import json, sys
r = json.load(open(sys.argv[1]))
def find(o, k):
    if isinstance(o, dict):
        if k in o: return o[k]
        for v in o.values():
            x = find(v, k)
            if x is not None: return x
    return None
card = find(r, "card")
assert card["voided_not_returnable"]["count"] == 3, card
assert "confirmed" not in card, card
EOF2
"$QUAN" status --json | python3 -c "
import json, sys
s = json.load(sys.stdin)['redemptions']
assert 'voided_not_returnable' in json.dumps(s), s
" || fail "status: $("$QUAN" status --json)"
kill "$SIMPID"; wait "$SIMPID"; SIMPID=
rm -rf "$W"
echo "ok: voided card coupons named as not returnable, reported apart"
