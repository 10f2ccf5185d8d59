#!/bin/bash
# rulelimit_words.sh — issue 16 finding 3 against `quan sim` over HTTPS:
# when WeChat refuses a merchant coupon's use with RULE_LIMIT or
# INVALID_REQUEST ("not usable"), the sync thread asks WeChat's record of
# the coupon (busifavor query, the holder's openid from the imported code
# list) and the refusal is named: expired (at its end), not yet valid
# (from its start), deactivated; a code used elsewhere (refused on the
# first send) is "already used" at WeChat's use time. Nothing is granted whatever the
# words say. Without the openid no query is possible: the refusal keeps
# its words (not_usable_now).
set -u
QUAN=${QUAN:?QUAN must name the quan binary}
W=$(mktemp -d /tmp/quan-rulelimit-XXXXXX)
SIM=$W/sim
SIMPID=
fail() { echo "FAIL: $*" >&2; [ -n "$SIMPID" ] && { kill "$SIMPID"; wait "$SIMPID"; } 2>/dev/null; echo "kept $W" >&2; exit 1; }
command -v sqlite3 >/dev/null || fail "sqlite3 is needed"
command -v python3 >/dev/null || fail "python3 is needed"
"$QUAN" sim init "$SIM" >/dev/null || fail "sim init"
"$QUAN" sim seed "$SIM" >/dev/null || fail "sim seed"
export QUAN_CONFIG=$SIM/quan.conf QUAN_DATA=$SIM/data
"$QUAN" import stocks "$SIM/import/stocks.json" >/dev/null || fail "import stocks"
"$QUAN" import codes "$SIM/import/codes.csv" >/dev/null || fail "import codes"
"$QUAN" sim serve "$SIM" --listen 127.0.0.1:0 >"$W/sim.out" 2>"$W/sim.err" &
SIMPID=$!
for _ in $(seq 100); do grep -q '^listening' "$W/sim.out" && break; sleep 0.1; done
grep -q '^listening' "$W/sim.out" || fail "sim did not start"
# case, index -> "code start_epoch expire_epoch"
pick() { python3 - "$SIM/seed.json" "$1" "$2" <<'EOF'
import json, sys, datetime
e = json.load(open(sys.argv[1]))["merchant"][sys.argv[2]][int(sys.argv[3])]
t = lambda s: int(datetime.datetime.fromisoformat(s).timestamp())
print(e["code"], t(e["available_start_time"]), t(e["expire_time"]))
EOF
}
# state reason discount reason_at of coupon 0 of a redeem --json answer
line() { python3 -c "import json,sys; c=json.load(sys.stdin)['coupons'][0]; print(c['state'], c['reason'], c['discount_fen'], c.get('reason_at', 0))"; }
redeem() { "$QUAN" redeem --json --amount 100 "$1"; }
sim_used_at() { python3 - "$(sqlite3 "$SIM/sim.db" "SELECT use_time FROM coupons WHERE code='$1'")" <<'EOF'
import sys, datetime
print(int(datetime.datetime.fromisoformat(sys.argv[1]).timestamp()))
EOF
}

read -r E _ EEND < <(pick expired 0) || fail "seed.json"
read -r N NSTART _ < <(pick not_yet_valid 1) || fail "seed.json"
read -r U _ _ < <(pick used 1) || fail "seed.json"
read -r D _ _ < <(pick deactivated 0) || fail "seed.json"
read -r E2 _ _ < <(pick expired 1) || fail "seed.json"

out=$(redeem "$E"); rc=$?
[ $rc -eq 3 ] || fail "expired: exit $rc: $out"
[ "$(echo "$out" | line)" = "rejected expired 0 $EEND" ] || fail "expired: $out"
out=$(redeem "$N"); rc=$?
[ $rc -eq 3 ] || fail "not yet valid: exit $rc: $out"
[ "$(echo "$out" | line)" = "rejected not_yet_valid 0 $NSTART" ] || fail "not yet valid: $out"
out=$(redeem "$U"); rc=$?
[ $rc -eq 3 ] || fail "used: exit $rc: $out"
UAT=$(sim_used_at "$U") || fail "sim use_time of $U"
[ "$(echo "$out" | line)" = "rejected already_used 0 $UAT" ] || fail "used (at $UAT): $out"
out=$(redeem "$D"); rc=$?
[ $rc -eq 3 ] || fail "deactivated: exit $rc: $out"
[ "$(echo "$out" | line)" = "rejected wx_deactivated 0 0" ] || fail "deactivated: $out"
# the holder unknown: no query can be made, the refusal keeps its words
sqlite3 "$SIM/data/quan.db" "UPDATE codes SET openid='' WHERE code='$E2'" || fail "clear openid"
out=$(redeem "$E2"); rc=$?
[ $rc -eq 3 ] || fail "no openid: exit $rc: $out"
[ "$(echo "$out" | line)" = "rejected not_usable_now 0 0" ] || fail "no openid: $out"
# the simulator still holds each code as it was: nothing was used here
for c in "$E" "$N" "$E2"; do
	[ "$(sqlite3 "$SIM/sim.db" "SELECT state FROM coupons WHERE code='$c'")" = SENDED ] || fail "sim: $c changed"
done
kill "$SIMPID"; wait "$SIMPID" 2>/dev/null; SIMPID=
rm -rf "$W"
echo "ok: WeChat's refusals named from its record: expired, not yet valid, used at, deactivated; no openid keeps the words"
