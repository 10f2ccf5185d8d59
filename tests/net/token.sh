#!/bin/bash
# token.sh — a card access token invalidated under one long-running `quan
# sync`: the daemon consumes a first pair of card coupons (fetching a
# token); then another party force-refreshes the token at the simulator
# (no grace: the daemon's token is dead at once) and tills without card
# API access of their own queue a second pair. The daemon must get 40001,
# fetch a new token once and consume them. Every card coupon ends
# confirmed in quan and consumed once at the simulator; the simulator saw
# exactly three token fetches (daemon, the other party, daemon again).
set -u
QUAN=${QUAN:?QUAN must name the quan binary}
W=$(mktemp -d /tmp/quan-token-XXXXXX)
SIM=$W/sim
PIDS=()
fail() { echo "FAIL: $*" >&2; for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; echo "kept $W" >&2; exit 1; }
"$QUAN" sim init "$SIM" >/dev/null || fail "sim init"
"$QUAN" sim seed "$SIM" >/dev/null || fail "sim seed"
"$QUAN" sim serve "$SIM" --listen 127.0.0.1:0 --token-grace 0 >"$W/sim.out" 2>"$W/sim.err" &
SIMPID=$!
PIDS+=($SIMPID)
for _ in $(seq 1 100); do grep -q '^listening' "$W/sim.out" && break; sleep 0.1; done
grep -q '^listening' "$W/sim.out" || fail "sim did not start"
cat >>"$SIM/quan.conf" <<EOF

[offline]
max_per_hour = 1000
default_policy = offline_ok
EOF
sed -i "s|^\[terminal\]\$|[terminal]\nlog_file = $W/quan.log\nlog_level = info|" "$SIM/quan.conf"
# the tills' config: same terminal, no [card] section (no card API access)
python3 - "$SIM/quan.conf" "$SIM/till.conf" <<'EOF'
import re, sys
s = open(sys.argv[1]).read()
s = re.sub(r"\[card\]\n(?:[^\[\n][^\n]*\n|\n)*", "", s)
s = s.replace("[wechatpay]\n", "[wechatpay]\nonline_wait_ms = 300\n", 1)
open(sys.argv[2], "w").write(s)
EOF
export QUAN_DATA=$W/data
export QUAN_CONFIG=$SIM/quan.conf
"$QUAN" import stocks "$SIM/import/stocks.json" >/dev/null || fail "import"
"$QUAN" import cards "$SIM/import/cards.json" >/dev/null || fail "import"
"$QUAN" import codes "$SIM/import/codes.csv" >/dev/null || fail "import"
python3 -c "import json;[print(e['code']) for e in json.load(open('$SIM/seed.json'))['card']['valid'][:4]]" >"$W/cards.txt"
till() { QUAN_CONFIG=$SIM/till.conf "$QUAN" redeem --json --amount 100 "$1" >>"$W/till.out" 2>>"$W/till.err" || fail "till redeem $1"; }
till "$(sed -n 1p "$W/cards.txt")"
till "$(sed -n 2p "$W/cards.txt")"
"$QUAN" sync >"$W/sync.out" 2>"$W/sync.err" &
SYNC=$!
PIDS+=($SYNC)
for _ in $(seq 1 50); do
	[ "$(sqlite3 "$W/data/quan.db" "SELECT count(*) FROM redemptions WHERE kind=1 AND state='confirmed'")" -eq 2 ] && break
	sleep 0.1
done
[ "$(sqlite3 "$W/data/quan.db" "SELECT count(*) FROM redemptions WHERE kind=1 AND state='confirmed'")" -eq 2 ] || fail "first pair not consumed"
# another party forces a new token: the daemon's one is now invalid
PORT=$(sed -n 's/^listening https:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$W/sim.out")
APPID=$(python3 -c "import json;print(json.load(open('$SIM/sim.json'))['card_appid'])")
FORCED=$(curl -sS --max-time 20 --cacert "$SIM/ca.pem" -X POST "https://127.0.0.1:$PORT/cgi-bin/stable_token" \
	-d "{\"grant_type\":\"client_credential\",\"appid\":\"$APPID\",\"secret\":\"$(cat "$SIM/card.secret")\",\"force_refresh\":true}" 2>&1)
case $FORCED in
*access_token*) ;;
*) fail "force refresh: answer '$FORCED'; daemon log: $(grep -i token "$W/quan.log" | tail -5)" ;;
esac
till "$(sed -n 3p "$W/cards.txt")"
till "$(sed -n 4p "$W/cards.txt")"
for _ in $(seq 1 80); do
	[ "$(sqlite3 "$W/data/quan.db" "SELECT count(*) FROM redemptions WHERE kind=1 AND state='confirmed'")" -eq 4 ] && break
	sleep 0.1
done
kill -TERM $SYNC; wait $SYNC
sleep 1.5 # the simulator flushes its request counters every second
[ "$(sqlite3 "$W/data/quan.db" "SELECT count(*) FROM redemptions WHERE kind=1 AND state='confirmed'")" -eq 4 ] || fail "second pair not consumed: $(tail -3 "$W/quan.log")"
"$QUAN" sim inspect "$SIM" --json >"$W/inspect.json" || fail "inspect"
python3 - "$W/inspect.json" "$W/cards.txt" <<'EOF' || fail "simulator record"
import json, sys
j = json.load(open(sys.argv[1]))
codes = [l.strip() for l in open(sys.argv[2])]
red = {r["code"]: r["redemptions"] for r in j["redemptions"]}
tok = sum(r["n"] for r in j["requests"] if "token" in r["endpoint"])
bad = [c for c in codes if red.get(c) != 1]
stale = sum(r["n"] for r in j["requests"] if "consume" in r["endpoint"] or "code/get" in r["endpoint"])
print("card coupons consumed once: %d of %d; token fetches: %d (daemon, other party, daemon); card calls: %d"
      % (len(codes) - len(bad), len(codes), tok, stale))
sys.exit(1 if bad or tok != 3 else 0)
EOF
n=$(grep -c 'access_token fetched' "$W/quan.log")
[ "$n" -eq 2 ] || fail "the daemon fetched $n tokens, expected 2"
grep -q 'errcode 40001, refreshing access_token once' "$W/quan.log" || fail "no 40001 refresh in the daemon's log"
echo "token ok"
kill $SIMPID; wait $SIMPID 2>/dev/null
[ -n "${KEEP:-}" ] || rm -rf "$W"
