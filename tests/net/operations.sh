#!/bin/bash
# operations.sh — every operation the till and the sync thread run, against
# `quan sim` over HTTPS, in both trust modes (WeChat Pay public key, then
# platform certificates only): online redemption of every seeded case
# (merchant coupons via coupons/use, card coupons via code/get + consume)
# with its cashier reason, card redemptions after the simulator's access
# token lifetime (3 s) ran out (a new token is fetched; the in-process
# 40001/42001 refresh is proven by test_clients_sim), a void returned with coupons/return after the use,
# the definitions refreshed by `quan sync`, `quan report --json`, and the
# simulator's record matching quan's states (each coupon at most once).
# The two modes are independent (own simulator, data dir and files) and run
# at once: most of each is waiting on the other process.
set -u
QUAN=${QUAN:?QUAN must name the quan binary}
W=$(mktemp -d /tmp/quan-ops-XXXXXX)
SIMPID=
fail() { echo "FAIL: $*" >&2; [ -n "$SIMPID" ] && kill "$SIMPID" 2>/dev/null; echo "kept $W" >&2; exit 1; }
MODES=()

run_mode() { # $1 = pubkey | platform
	local mode=$1 SIM=$W/$1
	"$QUAN" sim init "$SIM" >/dev/null || fail "sim init"
	"$QUAN" sim seed "$SIM" >/dev/null || fail "sim seed"
	"$QUAN" sim serve "$SIM" --listen 127.0.0.1:0 --token-ttl 3 --token-grace 1 >"$SIM.out" 2>"$SIM.err" &
	SIMPID=$!
	for _ in $(seq 1 100); do grep -q '^listening' "$SIM.out" && break; sleep 0.1; done
	grep -q '^listening' "$SIM.out" || fail "sim did not start"
	if [ "$mode" = platform ]; then
		sed -i '/^public_key_id = /d; /^public_key = /d' "$SIM/quan.conf"
	fi
	# refresh the stock definitions through quan sync
	sed -n 's/.*"stock_id": *"\([0-9]*\)".*/\1/p' "$SIM/import/stocks.json" | sort -u | head -2 >"$W/$mode.stocks"
	while read -r s; do printf '\n[stock "%s"]\nper_txn = 1\n' "$s" >>"$SIM/quan.conf"; done <"$W/$mode.stocks"
	export QUAN_CONFIG=$SIM/quan.conf QUAN_DATA=$SIM/data
	"$QUAN" import stocks "$SIM/import/stocks.json" >/dev/null || fail "import stocks"
	"$QUAN" import cards "$SIM/import/cards.json" >/dev/null || fail "import cards"
	"$QUAN" import codes "$SIM/import/codes.csv" >/dev/null || fail "import codes"
	python3 - "$SIM/seed.json" >"$W/$mode.cases" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
for kind in ("merchant", "card"):
    for case, lst in d[kind].items():
        for e in lst[:2]:
            print(kind, case, e["code"])
EOF
	: >"$W/$mode.table"
	local first_valid_card=1
	while read -r kind case code; do
		if [ "$kind" = card ] && [ "$case" = valid ]; then
			# the card token lives 3 s: the second valid card is
			# redeemed after it expired
			[ $first_valid_card -eq 0 ] && sleep 4.5
			first_valid_card=0
		fi
		out=$("$QUAN" redeem --json --amount 100 "$code" 2>>"$W/$mode.redeem.err")
		rc=$?
		st=$(echo "$out" | python3 -c 'import json,sys; c=json.load(sys.stdin)["coupons"][0]; print(c["state"], c["reason"])' 2>/dev/null)
		echo "$kind $case -> $st (exit $rc)" >>"$W/$mode.table"
		case "$case" in
		valid) [ "$st" = "confirmed ok" ] && [ $rc -eq 0 ] || fail "$mode $kind valid $code: $st exit $rc" ;;
		*) [ "${st%% *}" = rejected ] && [ $rc -eq 3 ] && [ -n "${st#* }" ] || fail "$mode $kind $case $code: $st exit $rc" ;;
		esac
	done <"$W/$mode.cases"
	# expected cashier reasons from WeChat's own answers
	grep -q '^merchant used -> rejected already_used' "$W/$mode.table" || fail "merchant used reason"
	grep -q '^merchant expired -> rejected expired' "$W/$mode.table" || fail "merchant expired reason (WeChat's record of the coupon names it)"
	grep -q '^merchant deactivated -> rejected wx_deactivated' "$W/$mode.table" || fail "merchant deactivated reason"
	grep -q '^card consumed -> rejected already_used' "$W/$mode.table" || fail "card consumed reason"
	# void a confirmed sale: coupons/return after the use
	code=$(python3 -c "import json;print(json.load(open('$SIM/seed.json'))['merchant']['valid'][2]['code'])")
	txn=$("$QUAN" redeem --json --amount 100 "$code" | python3 -c 'import json,sys; print(json.load(sys.stdin)["txn"])')
	"$QUAN" void "$txn" >/dev/null || fail "void $txn"
	"$QUAN" sync --once >"$W/$mode.sync.out" 2>&1 || fail "sync --once after void: $(cat "$W/$mode.sync.out")"
	[ "$(sqlite3 "$SIM/data/quan.db" "SELECT state FROM redemptions WHERE code='$code'")" = returned ] || fail "void not returned"
	# quan sync refreshes the configured stocks (cache age)
	sqlite3 "$SIM/data/quan.db" "UPDATE stocks SET fetched_at = 0"
	timeout 5 "$QUAN" sync >/dev/null 2>&1 &
	local sp=$! old=
	# until the refresh is in the store (the daemon's bound: 5 s)
	for _ in $(seq 1 50); do
		old=$(sqlite3 "$SIM/data/quan.db" "SELECT count(*) FROM stocks WHERE fetched_at = 0 AND stock_id IN ($(sed "s/.*/'&'/" "$W/$mode.stocks" | paste -sd,))")
		[ "$old" = 0 ] && break
		sleep 0.1
	done
	kill -TERM $sp; wait $sp
	[ "$old" -eq 0 ] || fail "$old configured stocks not refreshed by quan sync"
	"$QUAN" report --json >"$W/$mode.report.json" || fail "report"
	python3 - "$W/$mode.report.json" "$SIM" <<'EOF' || fail "report / simulator mismatch"
import json, sqlite3, subprocess, sys, os
rep = json.load(open(sys.argv[1]))
sim = sys.argv[2]
assert rep["outbox"] == {"pending": 0, "unknown": 0}, rep["outbox"]
assert len(rep["rejections"]) > 0 and all(r["reason"] for r in rep["rejections"])
ins = json.loads(subprocess.run([os.environ["QUAN"], "sim", "inspect", sim, "--json"],
                                capture_output=True, text=True).stdout)
cnt = {r["code"]: r for r in ins["redemptions"]}
db = sqlite3.connect(sim + "/data/quan.db")
bad = 0
for code, state in db.execute("SELECT code, state FROM redemptions"):
    r = cnt.get(code, {"redemptions": 0, "returns": 0})
    want = {"confirmed": (1, 0), "returned": (1, 1)}.get(state)
    if want is not None and (r["redemptions"], r["returns"]) != want:
        print("mismatch", code, state, r); bad += 1
    if state == "rejected" and r["redemptions"] > 0 and code not in cnt:
        bad += 1
print("report: redeemed %d (%d fen), rejections %d, conflicts %d; simulator defects %d"
      % (rep["redeemed"]["count"], rep["redeemed"]["fen"], len(rep["rejections"]),
         len(rep["conflicts"]), ins["defects"]))
sys.exit(1 if bad or ins["defects"] else 0)
EOF
	kill "$SIMPID"; wait "$SIMPID"; SIMPID=
	echo "== $mode mode"; cat "$W/$mode.table"
}

# each mode in its own process; a failure or ctest's timeout stops both
trap 'kill "${MODES[@]}" 2>/dev/null' EXIT
for m in pubkey platform; do
	( trap '[ -n "$SIMPID" ] && kill "$SIMPID"; exit 1' TERM
	  run_mode "$m" >"$W/$m.log" 2>&1 ) &
	MODES+=($!)
done
bad=0
for i in 0 1; do
	wait "${MODES[$i]}" || bad=1
done
cat "$W/pubkey.log" "$W/platform.log"
[ $bad = 0 ] || { echo "FAIL: a mode failed; kept $W" >&2; exit 1; }
echo "operations ok"
rm -rf "$W"
