#!/bin/bash
# hub_down.sh — issue 12: the store hub killed mid-run, WeChat down too.
# Lanes fall back per [hub] when_down: offline_ok grants within the hub
# caps and marks the decision "store hub down"; online_only refuses
# (offline_hub_down). A claim is decided within wait_ms, never hung. The
# hub back, quan hub sync replays what was granted: a code both lanes
# granted while it was down is a conflict at the hub and in both lanes'
# reports; claims follow the final states (a voided coupon is released
# once WeChat has it back).
set -u
QUAN=${QUAN:?QUAN must name the quan binary}
QUAN_SRC=${QUAN_SRC:?}
W=$(mktemp -d /tmp/quan-hubdown-XXXXXX)
. "$QUAN_SRC/tests/hub/pglib.sh"
. "$QUAN_SRC/tests/hub/hublib.sh"
hub_setup offline_ok
till_conf a TA
till_conf b TB
till_conf c TC
sed -i 's/^when_down = .*/when_down = online_only/' "$SIM/c.conf"
# lane b: a lower hub cap than the coupon (5 yuan) for one check below
for t in a b c; do
	for n in 1 2 3; do
		till $t import stocks "$W/$n-stocks.json" >/dev/null || fail "$t import stocks"
		till $t import codes "$W/$n-codes.csv" >/dev/null || fail "$t import codes"
	done
done
"$QUAN" staff add 9001 --role manager --pin 9999 --config "$SIM/a.conf" --data "$W/a" >/dev/null || fail "staff"
mapfile -t CODES < <(valid_codes 6)
field() { python3 -c "import json,sys; c=json.load(sys.stdin)['coupons'][0]; print(c['$1'])"; }

kill_sim
# 1. hub up: A takes code 0 (claimed, accepted offline)
out=$(till a redeem --json --amount 100 "${CODES[0]}") || fail "A code 0: $out"
[ "$(echo "$out" | field state)" = accepted_offline ] || fail "A code 0: $out"
TXN0=$(echo "$out" | python3 -c "import json,sys; print(json.load(sys.stdin)['txn'])")

# 2. the hub dies
pg_kill hub
start=$(date +%s%N)
out=$(till a redeem --json --amount 100 "${CODES[1]}") || fail "A code 1, hub down: $out"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$(echo "$out" | field state)" = accepted_offline ] || fail "A code 1, hub down: $out"
echo "$out" | field offline_reason | grep -q "^store hub down; policy offline_known_only" || fail "A code 1: decision not marked: $out"
[ "$ms" -lt 60000 ] || fail "a redeem with the hub down took $ms ms (hung?)"
out=$(till b redeem --json --amount 100 "${CODES[1]}") || fail "B code 1, hub down: $out"
[ "$(echo "$out" | field state)" = accepted_offline ] || fail "B code 1 (granted twice, hub down): $out"
out=$(till c redeem --json --amount 100 "${CODES[2]}"); rc=$?
# not granted (its use was sent, unanswered: unknown, exit 4, for the sync)
[ $rc = 4 ] && [ "$(echo "$out" | field reason)" = offline_hub_down ] &&
	[ "$(echo "$out" | field discount_fen)" = 0 ] || fail "C (when_down online_only): exit $rc $out"
# hub caps: lane b now allows 1 yuan per coupon while the hub is down
sed -i 's/^max_coupon_fen = 100000$/max_coupon_fen = 100/' "$SIM/b.conf"
out=$(till b redeem --json --amount 100 "${CODES[3]}"); rc=$?
[ $rc = 4 ] && [ "$(echo "$out" | field reason)" = offline_cap_coupon ] &&
	echo "$out" | field offline_reason | grep -q "^store hub down; value" || fail "B hub cap: exit $rc $out"
# A voids the sale of code 0 while the hub is down: its claim is released on replay
echo 9999 | till a void --by 9001 --reason test "$TXN0" >/dev/null 2>&1 || fail "A void"

# 3. the hub is back: A replays first (it holds code 1), then B clashes
pg_start hub
till a hub sync --once >"$W/a1.out" 2>&1 || fail "A hub sync: $(cat "$W/a1.out")"
till b hub sync --once >"$W/b1.out" 2>&1 || fail "B hub sync: $(cat "$W/b1.out")"
grep -q "1 clashes found" "$W/b1.out" || fail "B replay found no clash: $(cat "$W/b1.out")"
till a hub sync --once >"$W/a2.out" 2>&1 || fail "A hub sync 2: $(cat "$W/a2.out")"
till c hub sync --once >"$W/c1.out" 2>&1 || fail "C hub sync: $(cat "$W/c1.out")"
n=$(psql_as hub quanhub -c "SELECT holder_terminal || ' ' || terminal FROM conflicts")
[ "$n" = "TA TB" ] || fail "hub conflicts: '$n' (expected TA holding, TB clashing)"
for t in a b; do
	till $t report --json >"$W/$t-rep.json" || fail "$t report"
	python3 - "$W/$t-rep.json" <<'PY' || fail "$t report: $(cat "$W/$t-rep.json")"
import json, sys
r = json.load(open(sys.argv[1]))
c = r["hub_conflicts"]
assert len(c) == 1 and c[0]["holder_lane"] == "TA" and c[0]["lane"] == "TB", c
PY
	till $t report | grep -q "^hub conflicts: 1" || fail "$t text report"
done
# the X report on the terminal shows it too (both lanes), in both languages
till b staff add 1001 --role cashier --pin 1234 >/dev/null || fail "staff"
cat >"$W/xr" <<'S'
login 1001 1234
key xreport
print
expect Hub conflicts (other lanes): 1
S
till b run --headless "$W/xr" --quiet --lang en >"$W/xr.out" 2>&1 || fail "X report (en): $(cat "$W/xr.out")"
sed -i 's/^expect Hub conflicts (other lanes): 1$/expect 门店中心冲突（其他收银台）: 1/' "$W/xr"
till b run --headless "$W/xr" --quiet --lang zh >"$W/xr.out" 2>&1 || fail "X report (zh): $(cat "$W/xr.out")"
c=$(till c report --json | python3 -c "import json,sys; print(len(json.load(sys.stdin)['hub_conflicts']))")
[ "$c" = 0 ] || fail "lane C shows $c hub conflicts"
# code 1 held by A; C's refusal (sent, unanswered) holds without a grant;
# the voided code 0 stays
# held until WeChat has it back (return_pending)
s=$(psql_as hub quanhub -c "SELECT terminal || ' ' || state FROM claims WHERE code = '${CODES[1]}'")
[ "$s" = "TA granted" ] || fail "code 1: claim $s"
s=$(psql_as hub quanhub -c "SELECT terminal || ' ' || state FROM claims WHERE code = '${CODES[2]}'")
[ "$s" = "TC claimed" ] || fail "code 2 (sent by C, not granted): claim '$s'"
s=$(psql_as hub quanhub -c "SELECT state FROM claims WHERE code = '${CODES[0]}'")
[ "$s" = granted ] || fail "code 0, return pending: claim $s"

# 4. WeChat back: A's return lands, the claim is released, B may use it
start_sim 127.0.0.1:0 ""
for t in a b c; do till_conf $t T$(echo $t | tr a-c A-C); done
till a sync --once --timeout 60 >"$W/a-sync.out" 2>&1 || fail "A sync: $(cat "$W/a-sync.out")"
s=$(sqlite3 "$W/a/quan.db" "SELECT state FROM redemptions WHERE code = '${CODES[0]}'")
[ "$s" = returned ] || fail "A code 0 after sync: $s"
till a hub sync --once >"$W/a3.out" 2>&1 || fail "A hub sync 3: $(cat "$W/a3.out")"
s=$(psql_as hub quanhub -c "SELECT state FROM claims WHERE code = '${CODES[0]}'")
[ "$s" = released ] || fail "code 0 returned: claim $s"
out=$(till b redeem --json --amount 100 "${CODES[0]}")
[ "$(echo "$out" | field state)" = confirmed ] || fail "B code 0 after A's return: $out"
s=$(psql_as hub quanhub -c "SELECT terminal FROM claims WHERE code = '${CODES[0]}'")
[ "$s" = TB ] || fail "code 0 now held by '$s'"
# 5. the cashier's terminal claims too: code 2 (held by lane C) at lane B
"$QUAN" staff add 1001 --role cashier --pin 1234 --config "$SIM/b.conf" --data "$W/b" >/dev/null || fail "staff b"
cat >"$W/s1" <<S
login 1001 1234
amount 100
scan ${CODES[2]}
confirm
wait-sync 8000
print
expect REJECTED
expect already used at another lane
S
till b run --lang en --headless "$W/s1" >"$W/run.out" 2>&1 || fail "terminal at lane B: $(cat "$W/run.out")"
s=$(sqlite3 "$W/b/quan.db" "SELECT state || ' ' || reason || ' ' || offline_reason FROM redemptions WHERE code = '${CODES[2]}' ORDER BY id DESC LIMIT 1")
case $s in "rejected hub_taken already used at lane TC at "*) ;; *) fail "terminal's refusal stored as '$s'";; esac
echo "ok: hub down -> when_down, marked, capped; replay: conflict at the hub and in both reports; void released"
pg_done
