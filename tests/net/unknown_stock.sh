#!/bin/bash
# unknown_stock.sh — issue 4 item 3 against `quan sim` over HTTPS: 22-digit
# WECHATPAY_MODE codes the till's cache does not know (no codes, no stocks
# imported) are redeemed online: coupons/use goes without stock_id, the
# stock the answer names is fetched and cached, and the coupon is priced
# against the basket: above the minimum it is confirmed with its discount;
# below it is rejected `below_minimum` (need/have) and returned at once
# (the simulator shows it used then returned, SENDED again and redeemable);
# with WeChat unreachable it is never granted (`needs_online`) and the later
# `quan sync --once` returns the use that landed. quan status / report and
# the simulator agree; the journal verifies.
set -u
QUAN=${QUAN:?QUAN must name the quan binary}
W=$(mktemp -d /tmp/quan-unkstock-XXXXXX)
SIM=$W/sim
SIMPID=
fail() { echo "FAIL: $*" >&2; [ -n "$SIMPID" ] && kill "$SIMPID" 2>/dev/null; echo "kept $W" >&2; exit 1; }
command -v sqlite3 >/dev/null || fail "sqlite3 is needed"
command -v python3 >/dev/null || fail "python3 is needed"

start_sim() {
	: >"$W/sim.out"
	"$QUAN" sim serve "$SIM" --listen 127.0.0.1:0 >"$W/sim.out" 2>>"$W/sim.err" &
	SIMPID=$!
	for _ in $(seq 1 100); do grep -q '^listening' "$W/sim.out" && break; sleep 0.1; done
	grep -q '^listening' "$W/sim.out" || fail "sim did not start"
}
stop_sim() { kill "$SIMPID"; wait "$SIMPID"; SIMPID=; }
# field of coupon 0 of a redeem --json answer
field() { python3 -c "import json,sys; c=json.load(sys.stdin)['coupons'][0]; print(c.get('$1',''))"; }
sim_state() { sqlite3 "$SIM/sim.db" "SELECT state FROM coupons WHERE code='$1'"; }
red_state() { sqlite3 "$SIM/data/quan.db" "SELECT state||' '||reason FROM redemptions WHERE code='$1' ORDER BY id DESC LIMIT 1"; }

"$QUAN" sim init "$SIM" >/dev/null || fail "sim init"
"$QUAN" sim seed "$SIM" >/dev/null || fail "sim seed"
start_sim
export QUAN_CONFIG=$SIM/quan.conf QUAN_DATA=$SIM/data
# four valid WECHATPAY_MODE coupons of the NORMAL stock (500 off, minimum 10.00)
python3 - "$SIM/seed.json" >"$W/codes" <<'EOF' || fail "seed.json"
import json, sys
d = json.load(open(sys.argv[1]))
v = [e for e in d["merchant"]["valid"]
     if e["coupon_code_mode"] == "WECHATPAY_MODE" and e["stock_type"] == "NORMAL"]
assert len(v) >= 4
for e in v[:4]:
    print(e["code"], e["stock_id"])
EOF
read -r A STOCK < <(sed -n 1p "$W/codes")
read -r B _ < <(sed -n 2p "$W/codes")
read -r C _ < <(sed -n 3p "$W/codes")
[ ${#A} -eq 22 ] || fail "not a 22-digit code: $A"

# offline, nothing cached: refused before anything is sent (no online step)
out=$("$QUAN" check --json --amount 50 "$A")
[ "$(echo "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["reason"])')" = no_definition ] || fail "check: $out"

# 1. basket above the minimum: confirmed with the stock's discount
out=$("$QUAN" redeem --json --amount 50 "$A"); rc=$?
[ $rc -eq 0 ] || fail "redeem A exit $rc: $out"
[ "$(echo "$out" | field state) $(echo "$out" | field reason) $(echo "$out" | field discount_fen)" = "confirmed ok 500" ] || fail "redeem A: $out"
[ "$(echo "$out" | field target)" = "$STOCK" ] || fail "redeem A target: $out"
[ "$(echo "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["due_fen"])')" = 4500 ] || fail "redeem A due: $out"
[ "$(sqlite3 "$SIM/data/quan.db" "SELECT count(*) FROM stocks WHERE stock_id='$STOCK'")" = 1 ] || fail "stock $STOCK not cached"
body=$(sqlite3 "$SIM/data/quan.db" "SELECT o.body FROM outbox o JOIN redemptions r ON r.id=o.red_id WHERE r.code='$A' AND o.op='use'")
case "$body" in *stock_id*) fail "use body carries stock_id: $body" ;; esac
[ "$(sim_state "$A")" = USED ] || fail "sim: $A not USED"

# 2. basket below the minimum: rejected with the figures, returned at once
out=$("$QUAN" redeem --json --amount 5 "$B"); rc=$?
[ $rc -eq 3 ] || fail "redeem B exit $rc: $out"
[ "$(echo "$out" | field state) $(echo "$out" | field reason)" = "rejected below_minimum" ] || fail "redeem B: $out"
[ "$(echo "$out" | field need_fen) $(echo "$out" | field have_fen) $(echo "$out" | field discount_fen)" = "1000 500 0" ] || fail "redeem B figures: $out"
[ "$(red_state "$B")" = "returned below_minimum" ] || fail "B in quan: $(red_state "$B")"
[ "$(sim_state "$B")" = SENDED ] || fail "sim: $B is $(sim_state "$B") after the return"
# the coupon is the customer's again: a later sale above the minimum takes it
out=$("$QUAN" redeem --json --amount 20 "$B"); rc=$?
[ $rc -eq 0 ] && [ "$(echo "$out" | field state)" = confirmed ] || fail "B again: exit $rc $out"

# 3. WeChat unreachable: sent, no answer, never granted (offline_ok or not)
stop_sim
out=$("$QUAN" redeem --json --amount 50 "$C"); rc=$?
[ $rc -eq 4 ] || fail "redeem C offline exit $rc: $out"
[ "$(echo "$out" | field state) $(echo "$out" | field reason) $(echo "$out" | field discount_fen)" = "unknown needs_online 0" ] || fail "redeem C: $out"
# the simulator comes back: sync resends the identical use, it lands, and
# the coupon the customer did not get is returned
start_sim
"$QUAN" sync --once >"$W/sync.out" 2>&1 || fail "sync --once: $(cat "$W/sync.out")"
[ "$(red_state "$C")" = "returned needs_online" ] || fail "C after sync: $(red_state "$C")"
[ "$(sim_state "$C")" = SENDED ] || fail "sim: $C is $(sim_state "$C")"

# quan status, quan report and the simulator agree
"$QUAN" status --json >"$W/status.json" || fail "status"
"$QUAN" report --json >"$W/report.json" || fail "report"
"$QUAN" sim inspect "$SIM" --json >"$W/inspect.json" || fail "sim inspect: defects"
python3 - "$W" "$A" "$B" "$C" <<'EOF' || fail "status / report / simulator mismatch"
import json, sys
w, a, b, c = sys.argv[1:]
st = json.load(open(w + "/status.json"))
rep = json.load(open(w + "/report.json"))
ins = json.load(open(w + "/inspect.json"))
red = st["redemptions"]
assert red["confirmed"] == {"count": 2, "discount_fen": 1000}, red
assert red["returned"] == {"count": 2, "discount_fen": 0}, red
assert st["outbox"]["pending"] == 0 and st["outbox"]["unknown"] == 0, st["outbox"]
assert rep["redeemed"] == {"count": 2, "fen": 1000}, rep["redeemed"]
assert rep["by_kind"]["merchant"]["returned"] == {"count": 2, "fen": 0}, rep["by_kind"]
assert rep["outbox"] == {"pending": 0, "unknown": 0}, rep["outbox"]
assert not rep["conflicts"], rep["conflicts"]
# the coupons refused after WeChat applied them are listed with their reason
rej = sorted((r["state"], r["reason"]) for r in rep["rejections"])
assert rej == [("returned", "below_minimum"), ("returned", "needs_online")], rej
cnt = {r["code"]: r for r in ins["redemptions"]}
want = {a: (1, 0), b: (2, 1), c: (1, 1)}
for code, (u, r) in want.items():
    got = (cnt[code]["redemptions"], cnt[code]["returns"])
    assert got == (u, r), (code, got)
assert ins["defects"] == 0
print("status/report/simulator agree:", red)
EOF
"$QUAN" journal verify >/dev/null || fail "journal verify"
stop_sim
echo "unknown stock ok"
rm -rf "$W"
