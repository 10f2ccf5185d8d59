#!/bin/bash
# sale_soak.sh — N sales through `quan sale` against `quan sim` injecting
# ~20% faults of every kind on every path (5xx, drop after apply, bad
# signatures, truncated answers, latency, 429), P tills at once on one
# data dir: every payment-code case mixed, half the sales with a merchant
# coupon. Then one `quan sync --once` (no faults) settles what was left,
# and: every sale ended paid once, or failed/reversed with its coupon
# returned; no out_trade_no charged twice; the simulator's ledger and the
# till's agree to the fen. Env: QUAN, N (default 150), P (4 tills).
set -u
QUAN=${QUAN:?QUAN must name the quan binary}
N=${N:-150}
P=${P:-4}
FAULTS=${FAULTS:-"latency=0-20,5xx=0.05,drop=0.06,badsig=0.04,trunc=0.03,429=1/50"}
W=$(mktemp -d /tmp/quan-salesoak-XXXXXX)
SIM=$W/sim
SIM_SEED=13
. "$(dirname "${BASH_SOURCE[0]}")/simlib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/salelib.sh"
trap 'kill_sim' EXIT
t0=$(date +%s)

"$QUAN" sim init "$SIM" >/dev/null || fail "sim init"
"$QUAN" sim seed "$SIM" >/dev/null || fail "sim seed" # voucher activities
pay_conf 15 500
start_sim 127.0.0.1:0 ""
PORT=$(sed -n 's/^listening https:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$W/sim.out")
export QUAN_DATA=$W/data QUAN_CONFIG=$SIM/quan.conf
M=$(( N / 2 ))
"$QUAN" bench sync --mint "$M" >"$W/codes.txt" 2>"$W/mint.err" || { cat "$W/mint.err"; fail "mint"; }
STOCK=$(sqlite3 "$W/data/quan.db" "SELECT target FROM codes WHERE code='$(head -1 "$W/codes.txt")'")
[ -n "$STOCK" ] || fail "no stock id for the minted codes"
cat >>"$SIM/quan.conf" <<EOF2

[offline]
max_coupon_fen = 1000000
max_per_hour = 1000000
max_exposure_fen = 1000000000
default_policy = offline_ok
EOF2
kill_sim
start_sim "127.0.0.1:$PORT" "$FAULTS"

# till T sells sales T, T+P, T+2P ...
till() {
	local t=$1 i code c rc
	for ((i = t; i < N; i += P)); do
		case $(( i % 10 )) in
		6) code=$(pay_code 03) ;;          # NOTENOUGH
		7) code=$(pay_code 06) ;;          # SYSTEMERROR, taken
		8) code=$(pay_code 01 1) ;;        # USERPAYING 1 s
		9) code=$(pay_code 05) ;;          # expired
		*) code=$(pay_code 00) ;;
		esac
		c=
		[ $(( i % 2 )) -eq 0 ] && c=$(sed -n "$(( i / 2 + 1 ))p" "$W/codes.txt")
		"$QUAN" sale --json --amount "$(( 20 + i % 80 ))" --pay "$code" $c >>"$W/sales.$t.json" 2>>"$W/sale.$t.err"
		rc=$?
		echo "$i $rc" >>"$W/rc.$t"
	done
}
pids=
for ((t = 0; t < P; t++)); do till $t & pids="$pids $!"; done
wait $pids   # not the simulator, a job of this shell too
t1=$(date +%s)
cat "$W"/rc.* >"$W/rc.all"
[ "$(wc -l <"$W/rc.all")" -eq "$N" ] || fail "$(wc -l <"$W/rc.all") of $N sales ran"
awk '$2 != 0 && $2 != 3 && $2 != 4 { bad = 1; print "sale " $1 " exit " $2 } END { exit bad }' "$W/rc.all" || fail "a sale ended with an error (see $W/sale.*.err)"
echo "exits: $(awk '{ n[$2]++ } END { for (k in n) printf "%s:%d ", k, n[k] }' "$W/rc.all")in $((t1 - t0)) s"

# what is left (coupons, payments unknown at the deadline) settles
kill_sim
start_sim "127.0.0.1:$PORT" ""
for _ in 1 2 3; do
	"$QUAN" sync --once --timeout 120 >>"$W/sync.out" 2>>"$W/sync.err" && break
done
ledgers_agree || fail "ledgers differ"
coupons_follow || fail "coupons do not follow their payment"
open=$(sqlite3 "$W/data/quan.db" "SELECT count(*) FROM payments WHERE state IN ('pending','unknown')")
[ "$open" -eq 0 ] || fail "$open payments still open"
"$QUAN" journal verify >/dev/null || fail "journal verify"
"$QUAN" sim inspect "$SIM" --json >"$W/inspect.json" || fail "simulator reports defects"
kill_sim
echo "sale_soak ok: $N sales, $P tills, faults $FAULTS, $(( $(date +%s) - t0 )) s"
rm -rf "$W"
