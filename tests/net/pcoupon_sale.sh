#!/bin/bash
# pcoupon_sale.sh — 商品券 sales headless against `quan sim` (issue 14):
# the registry imported from the simulator's seed cases, the definitions
# fetched (`quan import product --fetch`); then, partner mode, pay first:
# a sale of each single type and of each bundle type's first round
# completes (paid the reduced amount, the coupon used once with that
# order), a bundle's second round after its first; CONFIRMING, PENDING,
# used, expired, deactivated coupons are refused at the till and the sale
# is charged in full; another customer's coupon is refused by WeChat after
# the payment (the till says so); cash with a 商品券 is refused before
# anything is recorded; a void returns the coupon (sent by `quan sync`);
# use first: a payment that fails after the use returns the coupon; the
# simulator's faults (drops, 5xx) during use after a successful payment
# still end used exactly once, tied to that order; brand mode: a sale
# completes. Finally the simulator's ledger: no coupon used twice.
# Env: QUAN.
set -u
QUAN=${QUAN:?QUAN must name the quan binary}
W=$(mktemp -d /tmp/quan-pcsale-XXXXXX)
SIM=$W/sim
SIM_SEED=5
. "$(dirname "${BASH_SOURCE[0]}")/simlib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/salelib.sh"
trap 'kill_sim' EXIT

"$QUAN" sim init "$SIM" >/dev/null || fail "sim init"
"$QUAN" sim seed "$SIM" >/dev/null || fail "sim seed"
pay_conf 15 1000
start_sim 127.0.0.1:0 ""
PORT=$(sed -n 's/^listening https:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$W/sim.out")
export QUAN_DATA=$W/data QUAN_CONFIG=$SIM/quan.conf
"$QUAN" staff add 9001 --role manager --pin 9999 >/dev/null || fail "staff"

# the registry as the back office would hold it (other_user: it believes
# the coupon is the paying customer's)
python3 - "$SIM/seed.json" >"$W/pc.json" <<'EOF' || fail "seed -> import"
import json, sys
j = json.load(open(sys.argv[1]))["product"]
out = []
for case, lst in j["cases"].items():
    for e in lst:
        c = {"coupon_code": e["code"], "openid": e.get("wrong_openid", e["openid"]),
             "appid": e["appid"], "brand_id": e["brand_id"],
             "product_coupon_id": e["product_coupon_id"], "stock_id": e["stock_id"],
             "coupon_state": e["state"], "valid_end_time": e["valid_end_time"]}
        if "user_coupon_bundle_id" in e:
            c["user_product_coupon_bundle_info"] = {
                "user_coupon_bundle_id": e["user_coupon_bundle_id"],
                "user_coupon_bundle_index": e["bundle_index"], "total_count": 3}
        out.append(c)
json.dump({"coupons": out}, sys.stdout)
EOF
"$QUAN" import product "$W/pc.json" >/dev/null || fail "import product"
"$QUAN" import product --fetch >"$W/fetch.out" 2>&1 || fail "fetch: $(cat "$W/fetch.out")"
case_codes() { # case_codes CASE [PYTHON FILTER on e]
	python3 -c "
import json
for e in json.load(open('$SIM/seed.json'))['product']['cases']['$1']:
    if ${2:-True}: print(e['code'])" 2>/dev/null
}

sale() {
	OUT=$("$QUAN" sale --json "$@" 2>>"$W/sale.err")
	RC=$?
	echo "$OUT" >>"$W/sales.json"
}
field() { python3 -c "import json,sys; j=json.loads(sys.argv[1]); print($1)" "$OUT"; }
# fields EXPR...: each expression on the sale's JSON (j), one a line, into F
# (one python start for all the checks of a sale)
fields() {
	mapfile -t F < <(python3 -c "import json,sys; j=json.loads(sys.argv[1])
for e in sys.argv[2:]: print(eval(e))" "$OUT" "$@" 2>/dev/null)
}
pcline='[c for c in j["coupons"] if c["kind"] == "product"][0]'

# sold CODE WHAT: a paid sale of ¥100 whose 商品券 was used once
sold() {
	sale --amount 100 --pay "$(pay_code 00)" "$1"
	fields 'j["payment"]["state"]' "$pcline[\"state\"]" \
		"$pcline[\"discount_fen\"] > 0 and j[\"payment\"][\"total_fen\"] == 10000 - $pcline[\"discount_fen\"] == j[\"due_fen\"]" \
		"$pcline[\"type\"], $pcline[\"discount_fen\"]"
	[ "$RC" -eq 0 ] && [ "${F[0]:-}" = paid ] || fail "$2: exit $RC: $OUT $(tail -2 "$W/sale.err")"
	[ "${F[1]:-}" = confirmed ] || fail "$2: coupon not used: $OUT"
	[ "${F[2]:-}" = True ] || fail "$2: charged the reduced amount: $OUT"
	echo "$2: ${F[3]:-}"
}
for c in $(case_codes valid); do sold "$c" "valid $c"; done
for c in $(case_codes bundle 'e["bundle_index"] == 0'); do sold "$c" "bundle round 1 $c"; done
second=$(case_codes bundle 'e["bundle_index"] == 1' | head -1)
sold "$second" "bundle round 2"

# refused at the till: the sale is charged in full
for k in confirming pending used expired deactivated; do
	c=$(case_codes $k | head -1)
	sale --amount 100 --pay "$(pay_code 00)" "$c"
	fields "$pcline[\"state\"]" 'j["payment"]["total_fen"]' "$pcline[\"reason\"]"
	[ "$RC" -eq 0 ] && [ "${F[0]:-}" = rejected ] && [ "${F[1]:-}" = 10000 ] || fail "$k: $OUT"
	echo "$k: ${F[2]:-}"
done
# not this customer's: WeChat refuses the use after the payment
sale --amount 100 --pay "$(pay_code 00)" "$(case_codes other_user)"
[ "$(field "$pcline[\"use\"]")" = failed ] || fail "other user: $OUT"
echo "other user: $(field "$pcline[\"reason\"]")"

# cash cannot take a 商品券: said before anything is recorded
n0=$(sqlite3 "$W/data/quan.db" "SELECT count(*) FROM txns")
c=$(case_codes bundle 'e["bundle_index"] == 2' | tail -1)
sale --amount 100 --cash 100 "$c"
[ "$RC" -eq 2 ] && grep -q pc_needs_wechat_pay "$W/sale.err" || fail "cash: exit $RC"
[ "$(sqlite3 "$W/data/quan.db" "SELECT count(*) FROM txns")" = "$n0" ] || fail "cash: a sale was recorded"

# a void of the paid sale refunds it (the manager approves), then gives
# the coupon back (sent by quan sync)
v=$(case_codes valid | head -1)
txn=$(sqlite3 "$W/data/quan.db" "SELECT txn_id FROM pc_uses WHERE code='$v' AND state=2")
echo 9999 | "$QUAN" void --by 9001 "$txn" >/dev/null 2>>"$W/void.err" || fail "void: $(tail -1 "$W/void.err")"
[ "$(sqlite3 "$W/data/quan.db" "SELECT state FROM txns WHERE id=$txn")" = voided ] || fail "void: the sale is not voided"
"$QUAN" sync --once >/dev/null 2>>"$W/sync.err" || fail "sync after void"
[ "$(sqlite3 "$W/data/quan.db" "SELECT state FROM pc_uses WHERE txn_id=$txn")" = 5 ] || fail "void: not returned"
sold "$v" "sold again after its return"

# use first: the use goes before the charge; NOTENOUGH returns it
sed -i "s/^\[product_coupon\]$/[product_coupon]\norder = use_first/" "$SIM/quan.conf"
c=$(case_codes bundle 'e["bundle_index"] == 1' | sed -n 2p)
sale --amount 100 --pay "$(pay_code 03)" "$c"
[ "$(field 'j["payment"]["state"]')" = failed ] || fail "use first: $OUT"
[ "$(field "$pcline[\"use\"]")" = returned ] || fail "use first: coupon not returned: $OUT"
sold "$c" "use first, then paid"
sed -i '/^order = use_first$/d' "$SIM/quan.conf"

# faults during use after a successful payment: used exactly once
kill_sim
start_sim "127.0.0.1:$PORT" "drop=0.4,5xx=0.3"
c=$(case_codes bundle 'e["bundle_index"] == 1' | sed -n 3p)
sale --amount 100 --pay "$(pay_code 00)" "$c"
for i in $(seq 1 8); do
	st=$(sqlite3 "$W/data/quan.db" "SELECT state FROM pc_uses WHERE code='$c'")
	[ "$st" = 2 ] && break
	"$QUAN" sync --once >/dev/null 2>>"$W/sync.err"
done
[ "$st" = 2 ] || fail "faults: use state $st after 8 rounds of sync"
kill_sim
start_sim "127.0.0.1:$PORT" ""
echo "faults: used after $i rounds"

# brand mode
sed -i 's/^mode = partner$/mode = brand/' "$SIM/quan.conf"
c=$(case_codes bundle 'e["bundle_index"] == 1' | sed -n 4p)
sold "$c" "brand mode"

# the ledger: each coupon used at most once net, each use tied to the
# order the till charged
python3 - "$W/data/quan.db" "$SIM/sim.db" <<'EOF' || fail "ledger"
import sqlite3, sys
q, s = sqlite3.connect(sys.argv[1]), sqlite3.connect(sys.argv[2])
net = {}
for kind, code, reqno in s.execute("SELECT kind, code, request_no FROM pc_ledger"):
    net[code] = net.get(code, 0) + (1 if kind == "use" else -1)
bad = [c for c, n in net.items() if n not in (0, 1)]
for code, st, otn, txid in q.execute(
        "SELECT code, state, out_trade_no, transaction_id FROM pc_uses WHERE state = 2"):
    refs = [r[0] for r in s.execute(
        "SELECT order_ref FROM pc_ledger WHERE code = ? AND kind = 'use'"
        " ORDER BY id DESC LIMIT 1", (code,))]
    if not refs or refs[0] not in (otn, txid) or net.get(code) != 1:
        bad.append(code)
print("coupons used: %d, net uses per coupon ok: %s" % (len(net), not bad))
sys.exit(1 if bad else 0)
EOF
ledgers_agree >/dev/null || fail "payments ledger"
echo "pcoupon_sale ok"
rm -rf "$W"
