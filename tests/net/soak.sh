#!/bin/bash
# soak.sh — fault soak of the sync path against `quan sim` (issue #4 proof):
# mint N coupons, redeem them in batches online and offline while the
# simulator injects ~20% faults of every kind (incl. drop-after-apply) and
# is killed (-9) and restarted twice; then `quan sync --once` must reach 0
# pending/unknown and `quan sim inspect` must show every coupon redeemed
# exactly once, with every quan state matching (all confirmed).
# Env: QUAN (binary), N (coupons, default 2000), BATCH (per redeem, 10).
set -u
QUAN=${QUAN:?QUAN must name the quan binary}
N=${N:-2000}
BATCH=${BATCH:-10}
FAULTS=${FAULTS:-"latency=0-15,5xx=0.05,drop=0.05,badsig=0.04,signtest=0.03,trunc=0.04,skew=30,429=1/25"}
W=$(mktemp -d /tmp/quan-soak-XXXXXX)
SIM=$W/sim
SIM_SEED=7
. "$(dirname "${BASH_SOURCE[0]}")/simlib.sh"
t0=$(date +%s)

"$QUAN" sim init "$SIM" >/dev/null || fail "sim init"
start_sim 127.0.0.1:0 ""
PORT=$(sed -n 's/^listening https:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$W/sim.out")
[ -n "$PORT" ] || fail "no port"
export QUAN_DATA=$W/data QUAN_CONFIG=$SIM/quan.conf
"$QUAN" bench sync --mint "$N" >"$W/codes.txt" 2>"$W/mint.err" || { cat "$W/mint.err"; fail "mint"; }
[ "$(wc -l <"$W/codes.txt")" -eq "$N" ] || fail "minted $(wc -l <"$W/codes.txt") of $N"
STOCK=$(sqlite3 "$W/data/quan.db" "SELECT target FROM codes WHERE code='$(head -1 "$W/codes.txt")'")
[ -n "$STOCK" ] || fail "no stock id for the minted codes"
# the soak's client config: offline accepted, BATCH coupons per sale
cat >>"$SIM/quan.conf" <<EOF

[offline]
max_coupon_fen = 1000000
max_per_hour = 1000000
max_exposure_fen = 1000000000
default_policy = offline_ok

[stock "$STOCK"]
per_txn = $BATCH
EOF
sed -i "s|^\[terminal\]\$|[terminal]\nlog_file = $W/quan.log\nlog_level = info|" "$SIM/quan.conf"
grep -q '^online_wait_ms' "$SIM/quan.conf" || sed -i 's/^\[wechatpay\]$/[wechatpay]\nonline_wait_ms = 1500\ntimeout_ms = 2000\nconnect_timeout_ms = 500/' "$SIM/quan.conf"
kill_sim
start_sim "127.0.0.1:$PORT" "$FAULTS"

redeem_range() { # $1 first line, $2 last line (1-based)
	local batch=() rc
	while read -r code; do
		batch+=("$code")
		if [ ${#batch[@]} -eq "$BATCH" ]; then
			"$QUAN" redeem --json --amount 100 "${batch[@]}" >>"$W/redeem.json" 2>>"$W/redeem.err"
			rc=$?
			[ $rc -eq 0 ] || [ $rc -eq 4 ] || fail "redeem exit $rc (see $W/redeem.err)"
			batch=()
		fi
	done < <(sed -n "$1,$2p" "$W/codes.txt")
	if [ ${#batch[@]} -gt 0 ]; then
		"$QUAN" redeem --json --amount 100 "${batch[@]}" >>"$W/redeem.json" 2>>"$W/redeem.err"
		rc=$?
		[ $rc -eq 0 ] || [ $rc -eq 4 ] || fail "redeem exit $rc"
	fi
}

A=$((N * 35 / 100)); B=$((N * 65 / 100))
echo "phase 1: online with faults (1..$A)"
redeem_range 1 $A
echo "phase 2: simulator killed, offline ($((A + 1))..$B)"
kill_sim
redeem_range $((A + 1)) $B
echo "phase 3: restarted, online, killed and restarted again mid-way"
start_sim "127.0.0.1:$PORT" "$FAULTS"
( sleep 4; kill -9 "$SIMPID" 2>/dev/null ) &
KILLER=$!
half=$(( (B + 1 + N) / 2 ))
redeem_range $((B + 1)) $half
wait $KILLER
wait "$SIMPID" 2>/dev/null
start_sim "127.0.0.1:$PORT" "$FAULTS"
redeem_range $((half + 1)) "$N"

echo "settling: quan sync --once until nothing is left"
ok=0
for i in $(seq 1 15); do
	"$QUAN" sync --once >>"$W/sync.out" 2>>"$W/sync.err"
	rc=$?
	if [ $rc -eq 0 ]; then ok=1; break; fi
	[ $rc -eq 4 ] || fail "sync --once exit $rc"
done
[ $ok -eq 1 ] || { tail -3 "$W/sync.out"; fail "still pending after 15 rounds"; }
tail -1 "$W/sync.out"
kill_sim

"$QUAN" sim inspect "$SIM" --json >"$W/inspect.json" || fail "inspect reports defects"
python3 - "$W" "$N" <<'EOF' || fail "states differ"
import json, sqlite3, sys
w, n = sys.argv[1], int(sys.argv[2])
codes = [l.strip() for l in open(w + "/codes.txt") if l.strip()]
ins = json.load(open(w + "/inspect.json"))
sim = {r["code"]: r for r in ins["redemptions"]}
db = sqlite3.connect(w + "/data/quan.db")
quan = {}
for code, state in db.execute("SELECT code, state FROM redemptions"):
    quan.setdefault(code, []).append(state)
bad = 0
for c in codes:
    r = sim.get(c)
    if r is None or r["redemptions"] != 1 or r["returns"] != 0:
        print("sim:", c, r); bad += 1
    q = quan.get(c, [])
    if q != ["confirmed"]:
        print("quan:", c, q); bad += 1
pend = db.execute("SELECT count(*) FROM outbox WHERE state IN ('pending','unknown')").fetchone()[0]
print("coupons %d, sim exactly-once %d, quan confirmed %d, outbox open %d, sim defects %d"
      % (len(codes), sum(1 for c in codes if sim.get(c, {}).get("redemptions") == 1),
         sum(1 for c in codes if quan.get(c) == ["confirmed"]), pend, ins["defects"]))
sys.exit(1 if bad or pend or ins["defects"] or len(codes) != n else 0)
EOF
grep -c '"state":"confirmed"' "$W/redeem.json" >/dev/null
echo "requests by status: $(python3 -c "import json;print(json.load(open('$W/inspect.json')).get('requests_by_status', json.load(open('$W/inspect.json')).get('requests','?')))" 2>/dev/null)"
echo "client-side failures seen (each resent): $(grep -c ' try [0-9]*: ' "$W/quan.log") —" \
	"5xx $(grep -c 'try [0-9]*: http 50[03] ' "$W/quan.log")," \
	"429 $(grep -c 'try [0-9]*: http 429 ' "$W/quan.log")," \
	"bad signature $(grep -c 'try [0-9]*: .*does not verify' "$W/quan.log")," \
	"SIGNTEST $(grep -c 'try [0-9]*: .*SIGNTEST' "$W/quan.log")," \
	"dropped $(grep -c 'try [0-9]*: .*Empty reply' "$W/quan.log")," \
	"truncated $(grep -c 'try [0-9]*: .*transfer closed' "$W/quan.log")," \
	"refused (sim down) $(grep -c 'try [0-9]*: .*onnect' "$W/quan.log")"
faults=$(grep ' try [0-9]*: ' "$W/quan.log" | grep -vc 'onnect')
python3 - "$W/inspect.json" "$faults" <<'EOF' || fail "fewer faults than intended"
import json, sys
req = json.load(open(sys.argv[1]))["requests"]
uses = sum(r["n"] for r in req if "coupons/use" in r["endpoint"] or r["endpoint"] == "POST OTHER")
f = int(sys.argv[2])
print("fault rate seen by quan while the simulator was up: %d of %d use requests = %.1f%%" % (f, uses, 100.0 * f / uses))
sys.exit(0 if f >= 0.15 * uses else 1)
EOF
echo "soak ok in $(( $(date +%s) - t0 )) s"
rm -rf "$W"
exit 0
