#!/bin/bash
# kill9.sh — `kill -9` of `quan sync` in the middle of a drain, repeated:
# N coupons are redeemed offline (simulator down), then `quan sync` is
# started against the simulator (drop-after-apply and latency faults on)
# and killed with SIGKILL at random moments ROUNDS times; finally `quan
# sync --once` settles the rest. Nothing may be lost (every coupon
# confirmed in quan) and nothing doubled (the simulator saw each coupon
# redeemed exactly once). Env: QUAN, N (default 400), ROUNDS (8).
set -u
QUAN=${QUAN:?QUAN must name the quan binary}
N=${N:-400}
ROUNDS=${ROUNDS:-8}
W=$(mktemp -d /tmp/quan-kill9-XXXXXX)
SIM=$W/sim
SIM_SEED=11
. "$(dirname "${BASH_SOURCE[0]}")/simlib.sh"

"$QUAN" sim init "$SIM" >/dev/null || fail "sim init"
start_sim 127.0.0.1:0 ""
PORT=$(sed -n 's/^listening https:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$W/sim.out")
export QUAN_DATA=$W/data QUAN_CONFIG=$SIM/quan.conf
"$QUAN" bench sync --mint "$N" >"$W/codes.txt" 2>"$W/mint.err" || fail "mint: $(cat "$W/mint.err")"
STOCK=$(sqlite3 "$W/data/quan.db" "SELECT target FROM codes WHERE code='$(head -1 "$W/codes.txt")'")
cat >>"$SIM/quan.conf" <<EOF

[offline]
max_coupon_fen = 1000000
max_per_hour = 1000000
max_exposure_fen = 1000000000
default_policy = offline_ok

[stock "$STOCK"]
per_txn = 20
EOF
kill_sim
# all offline: the simulator is down
xargs -n 20 "$QUAN" redeem --amount 100 <"$W/codes.txt" >"$W/redeem.out" 2>"$W/redeem.err" || fail "offline redeem: $(tail -2 "$W/redeem.err")"
acc=$(sqlite3 "$W/data/quan.db" "SELECT count(*) FROM redemptions WHERE state='accepted_offline'")
[ "$acc" -eq "$N" ] || fail "accepted offline $acc of $N"

start_sim "127.0.0.1:$PORT" "latency=5-40,drop=0.1"
for r in $(seq 1 "$ROUNDS"); do
	"$QUAN" sync --rate 0 >>"$W/sync.out" 2>>"$W/sync.err" &
	pid=$!
	sleep "0.$(( RANDOM % 7 + 2 ))"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	left=$(sqlite3 "$W/data/quan.db" "SELECT count(*) FROM outbox WHERE state IN ('pending','unknown')")
	echo "round $r: killed; $left rows still open"
	[ "$(sqlite3 "$W/data/quan.db" 'PRAGMA integrity_check')" = ok ] || fail "integrity_check after kill $r"
done
ok=0
for i in $(seq 1 10); do
	"$QUAN" sync --once >>"$W/sync.out" 2>>"$W/sync.err"
	rc=$?
	[ $rc -eq 0 ] && { ok=1; break; }
	[ $rc -eq 4 ] || fail "sync --once exit $rc"
done
[ $ok -eq 1 ] || fail "rows still open after 10 rounds of sync --once"
kill_sim
"$QUAN" journal verify >/dev/null || fail "journal verify"
"$QUAN" sim inspect "$SIM" --json >"$W/inspect.json" || fail "simulator reports defects"
python3 - "$W" "$N" <<'EOF' || fail "lost or doubled"
import json, sqlite3, sys
w, n = sys.argv[1], int(sys.argv[2])
codes = [l.strip() for l in open(w + "/codes.txt") if l.strip()]
sim = {r["code"]: r["redemptions"] for r in json.load(open(w + "/inspect.json"))["redemptions"]}
db = sqlite3.connect(w + "/data/quan.db")
q = {}
for c, s in db.execute("SELECT code, state FROM redemptions"):
    q.setdefault(c, []).append(s)
lost = [c for c in codes if q.get(c) != ["confirmed"]]
doubled = [c for c in codes if sim.get(c) != 1]
print("coupons %d: confirmed in quan %d, exactly once at the simulator %d"
      % (len(codes), len(codes) - len(lost), len(codes) - len(doubled)))
sys.exit(1 if lost or doubled or len(codes) != n else 0)
EOF
echo "kill9 ok"
rm -rf "$W"
