#!/bin/bash
# card_two_tills.sh — issue 9 defect 4: a card coupon accepted offline at
# till A (WeChat unreachable: no connection, not even an access token),
# then consumed online at till B (another data dir, the same simulator).
# When A syncs, WeChat answers 40099 "consumed". None of A's sends can
# have reached WeChat, so that consume is B's, not A's: A shows a conflict
# (status, report, X report) with the discount it gave, nothing is
# confirmed twice, and the simulator consumed the code once.
set -u
QUAN=${QUAN:?QUAN must name the quan binary}
W=$(mktemp -d /tmp/quan-cardtwo-XXXXXX)
SIM=$W/sim
SIM_SEED=13
. "$(dirname "${BASH_SOURCE[0]}")/simlib.sh"
command -v sqlite3 >/dev/null || fail "sqlite3 is needed"
command -v python3 >/dev/null || fail "python3 is needed"
"$QUAN" sim init "$SIM" >/dev/null || fail "sim init"
"$QUAN" sim seed "$SIM" >/dev/null || fail "sim seed"
start_sim 127.0.0.1:0 ""
# till A: its own terminal id and data dir; its base_url follows the
# simulator's port (quan sim serve rewrites quan.conf when it listens)
conf_a() { sed 's/^id = T01$/id = TA/' "$SIM/quan.conf" >"$SIM/a.conf"; }
A() { QUAN_CONFIG=$SIM/a.conf QUAN_DATA=$W/a "$QUAN" "$@"; }
B() { QUAN_CONFIG=$SIM/quan.conf QUAN_DATA=$W/b "$QUAN" "$@"; }
# B's online consume (token, code/get, consume: three TLS exchanges) must
# not miss the wait on a loaded machine
sed -i 's/^\(\[wechatpay\]\)$/\1\nonline_wait_ms = 20000/' "$SIM/quan.conf"
conf_a
for t in A B; do
	$t import cards "$SIM/import/cards.json" >/dev/null || fail "$t: import cards"
	$t import codes "$SIM/import/codes.csv" >/dev/null || fail "$t: import codes"
done
"$QUAN" staff add 9001 --role manager --pin 9999 --config "$SIM/a.conf" --data "$W/a" >/dev/null || fail "staff"
CARD=$(python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
print([e for e in d['card']['valid'] if e['card_type'] == 'CASH'][0]['code'])" "$SIM/seed.json")
field() { python3 -c "import json,sys; c=json.load(sys.stdin)['coupons'][0]; print(c['$1'])"; }

# 1. A, WeChat unreachable: accepted offline; its sends never left
kill_sim
out=$(A redeem --json --amount 100 "$CARD" 2>"$W/a-redeem.err"); rc=$?
[ $rc -eq 0 ] && [ "$(echo "$out" | field state)" = accepted_offline ] || fail "A offline: exit $rc $out"
GIVEN=$(echo "$out" | field discount_fen)
[ "$GIVEN" -gt 0 ] || fail "A gave no discount: $out"
A sync --once >/dev/null 2>&1 # still unreachable: one more send that never left
read -r att unr < <(sqlite3 -separator ' ' "$W/a/quan.db" "SELECT o.attempts, o.unreached FROM outbox o JOIN redemptions r ON r.id = o.red_id WHERE r.code = '$CARD'")
[ "$att" -ge 1 ] && [ "$att" = "$unr" ] || fail "A's sends: $att made, $unr known never to have left (all should be)"

# 2. B, online: consumed at WeChat
start_sim 127.0.0.1:0 ""
conf_a
out=$(B redeem --json --amount 100 "$CARD"); rc=$?
[ $rc -eq 0 ] && [ "$(echo "$out" | field state)" = confirmed ] || fail "B online: exit $rc $out"

# 3. A syncs: 40099 is B's consume, not A's
out=$(A sync --once 2>"$W/a-sync.err"); rc=$?
[ $rc -eq 0 ] || fail "A sync --once: exit $rc $out $(cat "$W/a-sync.err")"
s=$(sqlite3 "$W/a/quan.db" "SELECT state||' '||reason||' '||wx_code||' '||discount_fen FROM redemptions WHERE code = '$CARD'")
[ "$s" = "conflict used_by_other_request 40099 $GIVEN" ] || fail "A after sync: $s (expected a conflict, not confirmed)"
[ "$(sqlite3 "$W/b/quan.db" "SELECT state FROM redemptions WHERE code = '$CARD'")" = confirmed ] || fail "B: not confirmed"
"$QUAN" sim inspect "$SIM" --json | python3 -c "
import json, sys
r = [x for x in json.load(sys.stdin)['redemptions'] if x['code'] == '$CARD']
assert len(r) == 1 and r[0]['redemptions'] == 1, r" || fail "the simulator did not consume $CARD exactly once"

# 4. the manager sees it: report, status, X report
A report --json >"$W/rep" || fail "A report"
python3 - "$W/rep" "$GIVEN" <<'EOF' || fail "A report: $(cat "$W/rep")"
import json, sys
r, given = json.load(open(sys.argv[1])), int(sys.argv[2])
c = r["conflicts"]
assert len(c) == 1 and c[0]["kind"] == "card" and c[0]["wx_code"] == "40099", c
assert c[0]["discount_fen"] == given, c
assert r["by_kind"]["card"]["conflict"] == {"count": 1, "fen": given}, r
assert r["redeemed"]["count"] == 0, r["redeemed"]
EOF
A status --json | python3 -c "
import json, sys
s = json.dumps(json.load(sys.stdin)['redemptions'])
assert 'conflict' in s, s" || fail "A status: $(A status --json)"
printf 'login 9001 9999\nkey xreport\nprint\nexpect Conflicts (used elsewhere): 1\n' >"$W/x"
A run --headless "$W/x" --quiet --lang en >"$W/x.out" 2>&1 || fail "X report: $(cat "$W/x.out")"
A journal verify >/dev/null || fail "A journal verify"
kill_sim
rm -rf "$W"
echo "ok: a card consumed elsewhere after A's offline accept is A's conflict, confirmed once (at B)"
