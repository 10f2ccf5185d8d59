#!/bin/bash
# product.sh — issue 14: the store hub as a 商品券 registry source. A
# registry file imported once at the hub (`quan hub import product`)
# reaches both lanes; a file the till's import refuses is not stored. A
# coupon sent by the brand reaches lane A's callback receiver, which
# stores and confirms it (确认发放); `quan hub sync` at A passes it on
# and lane B, which never received it, sells with it against the
# simulator: paid the reduced amount, the coupon used once. What the hub
# passes on later never makes B's used coupon usable again.
set -u
QUAN=${QUAN:?QUAN must name the quan binary}
QUAN_SRC=${QUAN_SRC:?}
W=$(mktemp -d /tmp/quan-hubpc-XXXXXX)
. "$QUAN_SRC/tests/hub/pglib.sh"
. "$QUAN_SRC/tests/hub/hublib.sh"
RECV=
trap 'pg_stop_all; [ -n "$SIMPID" ] && kill -9 "$SIMPID" 2>/dev/null; [ -n "$RECV" ] && kill "$RECV" 2>/dev/null' EXIT
hub_setup offline_ok
till_conf a TA
till_conf b TB
js() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }
reg() { sqlite3 "$W/$1/quan.db" "$2"; }

# 1. the back office's registry file, imported once at the hub
python3 - "$SIM/seed.json" >"$W/pc.json" <<'EOF' || fail "seed -> import"
import json, sys
j = json.load(open(sys.argv[1]))["product"]
out = []
for e in j["cases"]["valid"]:
    out.append({"coupon_code": e["code"], "openid": e["openid"],
                "appid": e["appid"], "brand_id": e["brand_id"],
                "product_coupon_id": e["product_coupon_id"],
                "stock_id": e["stock_id"], "coupon_state": e["state"],
                "valid_end_time": e["valid_end_time"]})
json.dump({"coupons": out}, sys.stdout)
EOF
NV=$(js "$W/pc.json" 'len(d["coupons"])')
"$QUAN" hub import product "$W/pc.json" --dsn "$DSN_ADMIN_hub" >"$W/imp.out" 2>&1 || fail "hub import product: $(cat "$W/imp.out")"
grep -q "product version" "$W/imp.out" || fail "hub import: $(cat "$W/imp.out")"
echo '{"coupons":[{"coupon_code":"X1","appid":"wx1","product_coupon_id":"P","stock_id":"S"}]}' >"$W/bad.json"
"$QUAN" hub import product "$W/bad.json" --dsn "$DSN_ADMIN_hub" 2>"$W/bad.err" && fail "a registry file without openid was stored at the hub"
grep -q "nothing stored" "$W/bad.err" || fail "bad import: $(cat "$W/bad.err")"
# a lane may add 'product' rows and nothing else (the row policy)
"$PGBIN/psql" -X -q -At "$DSN_TILL_hub" -c "INSERT INTO imports(list, data) VALUES ('codes', 'X,merchant')" 2>"$W/pol.err" &&
	fail "a lane stored a code list at the hub"
grep -q "row-level security" "$W/pol.err" || fail "policy: $(cat "$W/pol.err")"
for t in a b; do
	till $t hub sync --once >"$W/$t-s1.out" 2>&1 || fail "$t hub sync: $(cat "$W/$t-s1.out")"
	n=$(reg $t "SELECT count(*) FROM pc_coupons WHERE source = 3")
	[ "$n" = "$NV" ] || fail "$t: $n of $NV registry rows from the hub: $(cat "$W/$t-s1.out")"
done
echo "hub import: $NV registry rows at both lanes; a lane cannot add a code list"

# 2. a coupon sent to a customer reaches lane A's receiver ...
D=$SIM
URL=$(sed -n 's/^listening //p' "$W/sim.out" | head -1)
. "$QUAN_SRC/tests/sim/pcsign.sh"
pc_ids
PCID=$(js "$SIM/seed.json" 'd["product"]["cases"]["valid"][0]["product_coupon_id"]')
STOCK=$(js "$SIM/seed.json" 'd["product"]["cases"]["valid"][0]["stock_id"]')
# quan itself in the background (not the till function, whose subshell
# would be what RECV names and kill stops, leaving the receiver running)
QUAN_CONFIG=$SIM/a.conf QUAN_DATA=$W/a "$QUAN" callbacks serve --listen 127.0.0.1:0 \
	--cert "$SIM/server/cert.pem" --key "$SIM/server/key.pem" >"$W/recv.out" 2>"$W/recv.err" &
RECV=$!
for _ in $(seq 1 100); do grep -q '^listening https://' "$W/recv.out" && break; sleep 0.1; done
RPORT=$(sed -n 's/^listening https:\/\/127.0.0.1:\([0-9]*\)$/\1/p' "$W/recv.out")
[ -n "$RPORT" ] || fail "receiver did not start: $(cat "$W/recv.err")"
till a callbacks register "https://127.0.0.1:$RPORT/pcnotify" >"$W/reg.out" 2>&1 || fail "register: $(cat "$W/reg.out")"
OPENID=oHUBPCuser0000000000000001
st=$(pc_send partner "$OPENID" "SENDHUB$(date +%s)" "$W/send.out")
[ "$st" = 200 ] || fail "send: HTTP $st $(cat "$W/send.out")"
CODE=$(js "$W/send.out" 'd["coupon_code"]')
for _ in $(seq 1 100); do
	[ "$(reg a "SELECT count(*) FROM pc_coupons WHERE code = '$CODE' AND confirmed_at > 0 AND state = 3")" = 1 ] && break
	sleep 0.1
done
[ "$(reg a "SELECT count(*) FROM pc_coupons WHERE code = '$CODE' AND confirmed_at > 0")" = 1 ] || fail "A: the sent coupon was not stored and confirmed: $(tail -3 "$W/recv.err")"
kill "$RECV"; wait "$RECV" 2>/dev/null; RECV=
[ "$(reg b "SELECT count(*) FROM pc_coupons WHERE code = '$CODE'")" = 0 ] || fail "B knew the coupon before the hub"

# ... and is passed on through the hub to lane B
till a hub sync --once >"$W/a-s2.out" 2>&1 || fail "A hub sync: $(cat "$W/a-s2.out")"
grep -q " 1 product coupons passed on" "$W/a-s2.out" || fail "A: $(cat "$W/a-s2.out")"
till a hub sync --once >"$W/a-s3.out" 2>&1 || fail "A hub sync 3: $(cat "$W/a-s3.out")"
grep -q " 0 product coupons passed on" "$W/a-s3.out" || fail "A passed the coupon on twice: $(cat "$W/a-s3.out")"
till b hub sync --once >"$W/b-s2.out" 2>&1 || fail "B hub sync: $(cat "$W/b-s2.out")"
[ "$(reg b "SELECT openid || ' ' || state || ' ' || source FROM pc_coupons WHERE code = '$CODE'")" = "$OPENID 3 3" ] ||
	fail "B: the coupon did not arrive usable: $(reg b "SELECT * FROM pc_coupons WHERE code = '$CODE'")"
echo "sent to A's receiver, passed on, known at B"

# 3. lane B sells with it: paid the reduced amount, used once
till b import product --fetch >"$W/fetch.out" 2>&1 || fail "B fetch: $(cat "$W/fetch.out")"
. "$QUAN_SRC/tests/net/salelib.sh"
PAY=$(pay_code 00)
OUT=$(till b sale --json --amount 100 --pay "$PAY" "$CODE" 2>"$W/sale.err")
RC=$?
echo "$OUT" >"$W/sale.json"
[ "$RC" = 0 ] || fail "B sale: exit $RC: $OUT $(tail -2 "$W/sale.err")"
python3 - "$W/sale.json" <<'PY' || fail "B sale: $OUT"
import json, sys
j = json.load(open(sys.argv[1]))
c = [c for c in j["coupons"] if c["kind"] == "product"][0]
ok = (j["payment"]["state"] == "paid" and c["state"] == "confirmed" and
      c["discount_fen"] > 0 and j["payment"]["total_fen"] == 10000 - c["discount_fen"])
sys.exit(0 if ok else 1)
PY
n=$(sqlite3 "$SIM/sim.db" "SELECT count(*) FROM pc_coupons WHERE code = '$CODE' AND state = 'USED'")
[ "$n" = 1 ] || fail "the simulator's ledger: the coupon used $n times"
echo "B sold with it: $(python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print(j['payment']['total_fen'])" "$W/sale.json") fen charged"

# 4. the hub's older row never undoes B's use
used=$(reg b "SELECT state FROM pc_coupons WHERE code = '$CODE'")
[ "$used" = 4 ] || fail "B: the sold coupon is not USED in the registry ($used)"
# replay A's row (EFFECTIVE) at B as the hub would after a reset cursor
sqlite3 "$W/b/quan.db" "UPDATE meta SET value = '0' WHERE key = 'hub_import_product'" || fail "reset cursor"
till b hub sync --once >"$W/b-s4.out" 2>&1 || fail "B hub sync 4: $(cat "$W/b-s4.out")"
[ "$(reg b "SELECT state FROM pc_coupons WHERE code = '$CODE'")" = "$used" ] || fail "B: the hub moved a used coupon back"
echo "B's use kept (state $used) after the hub's rows were applied again"
echo "PASS"
