#!/bin/bash
# sync_recover.sh — QA finding 1: a `quan redeem` killed (kill -9) inside
# its online step leaves its txn `open` with its use sent and unanswered.
# `quan sync --once` (and the daemon) must recover it like `quan redeem`
# does (checkout_recover, same age rule: older than 60 s + online wait):
# the txn is voided, the use is resent with the identical request number
# and, because the cashier never saw a verdict, the coupon is returned —
# applied exactly once at the simulator, then returned, redeemable again;
# `sync --once` exits 0. A younger open txn is left alone (exit 4). Then
# the daemon (`quan sync`) recovers one on its own, without --once.
set -u
QUAN=${QUAN:?QUAN must name the quan binary}
W=$(mktemp -d /tmp/quan-syncrec-XXXXXX)
SIM=$W/sim
SIM_SEED=7
SYNCPID=
. "$(dirname "$0")/simlib.sh"
command -v sqlite3 >/dev/null || fail "sqlite3 is needed"
command -v python3 >/dev/null || fail "python3 is needed"
trap '[ -n "$SYNCPID" ] && kill "$SYNCPID" 2>/dev/null; [ -n "$SIMPID" ] && kill -CONT "$SIMPID" 2>/dev/null && kill -9 "$SIMPID" 2>/dev/null' EXIT

"$QUAN" sim init "$SIM" >/dev/null || fail "sim init"
"$QUAN" sim seed "$SIM" >/dev/null || fail "sim seed"
start_sim 127.0.0.1:0 ""
export QUAN_CONFIG=$SIM/quan.conf QUAN_DATA=$SIM/data
DB=$SIM/data/quan.db
for k in stocks cards codes; do
	f=$SIM/import/$k.json; [ $k = codes ] && f=$SIM/import/codes.csv
	"$QUAN" import $k "$f" >/dev/null || fail "import $k"
done
python3 - "$SIM/seed.json" >"$W/codes" <<'EOF' || fail "seed.json"
import json, sys
d = json.load(open(sys.argv[1]))
for e in d["merchant"]["valid"][:3]:
    print(e["code"])
EOF
mapfile -t CODES <"$W/codes"
[ ${#CODES[@]} -eq 3 ] || fail "need 3 valid merchant codes"

sim_state() { sqlite3 "$SIM/sim.db" "SELECT state FROM coupons WHERE code='$1'"; }
red_state() { sqlite3 "$DB" "SELECT state FROM redemptions WHERE code='$1' ORDER BY id DESC LIMIT 1"; }
txn_state() { sqlite3 "$DB" "SELECT t.state FROM txns t JOIN redemptions r ON r.txn_id=t.id WHERE r.code='$1' ORDER BY t.id DESC LIMIT 1"; }
sim_uses() {
	"$QUAN" sim inspect "$SIM" --json | python3 -c "
import json, sys
d = json.load(sys.stdin)
print(sum(r['redemptions'] for r in d['redemptions'] if r['code'] == '$1'),
      sum(r['returns'] for r in d['redemptions'] if r['code'] == '$1'))"
}
# a redeem killed in its online step: the simulator is frozen (SIGSTOP), so
# the use is sent ("sent" committed) and never answered; then kill -9
interrupted() {
	kill -STOP "$SIMPID"
	"$QUAN" redeem --json --amount 100 "$1" >"$W/redeem.out" 2>&1 &
	local p=$!
	for _ in $(seq 1 50); do
		[ "$(sqlite3 "$DB" "SELECT count(*) FROM outbox o JOIN redemptions r ON r.id=o.red_id WHERE r.code='$1' AND o.state='unknown'" 2>/dev/null)" = 1 ] && break
		sleep 0.1
	done
	kill -9 "$p"; wait "$p" 2>/dev/null
	kill -CONT "$SIMPID"
	[ "$(txn_state "$1")" = open ] || fail "$1: txn $(txn_state "$1") after kill -9, expected open"
	case "$(red_state "$1")" in pending|unknown) ;; *) fail "$1: $(red_state "$1") after kill -9" ;; esac
}
age() { sqlite3 "$DB" "UPDATE txns SET opened_at = opened_at - 600 WHERE state='open'" || fail "age txns"; }

# 1. a young open txn (a till may still be deciding it) is left alone
A=${CODES[0]}
interrupted "$A"
out=$("$QUAN" sync --once 2>"$W/sync1.err"); rc=$?
[ $rc -eq 4 ] || fail "sync --once with a young open txn: exit $rc ($out)"
[ "$(txn_state "$A")" = open ] || fail "young txn recovered: $(txn_state "$A")"

# 2. older than the age rule: recovered, settled, returned, exit 0
age
out=$("$QUAN" sync --once 2>"$W/sync2.err"); rc=$?
[ $rc -eq 0 ] || fail "sync --once after the crash: exit $rc ($out; $(cat "$W/sync2.err"))"
[ "$(txn_state "$A")" = voided ] || fail "$A: txn $(txn_state "$A"), expected voided"
[ "$(red_state "$A")" = returned ] || fail "$A: $(red_state "$A"), expected returned"
[ "$(sim_state "$A")" = SENDED ] || fail "$A at the simulator: $(sim_state "$A"), expected SENDED"
[ "$(sim_uses "$A")" = "1 1" ] || fail "$A used/returned at the simulator: $(sim_uses "$A"), expected 1 1"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM outbox WHERE state IN ('pending','unknown')")" = 0 ] || fail "outbox rows left"
# the customer's coupon works again
out=$("$QUAN" redeem --json --amount 100 "$A"); rc=$?
[ $rc -eq 0 ] || fail "$A again: exit $rc $out"

# 3. the daemon recovers on its own (at start) and keeps settling
B=${CODES[1]}
interrupted "$B"
age
"$QUAN" sync >"$W/daemon.out" 2>"$W/daemon.err" &
SYNCPID=$!
for _ in $(seq 1 100); do
	[ "$(red_state "$B")" = returned ] && break
	sleep 0.1
done
[ "$(red_state "$B")" = returned ] || fail "daemon: $B is $(red_state "$B"), expected returned"
[ "$(txn_state "$B")" = voided ] || fail "daemon: txn of $B $(txn_state "$B")"
kill "$SYNCPID"; wait "$SYNCPID"; rc=$?; SYNCPID=
[ $rc -eq 0 ] || fail "daemon exit $rc"
[ "$(sim_uses "$B")" = "1 1" ] || fail "$B used/returned at the simulator: $(sim_uses "$B")"

"$QUAN" journal verify >/dev/null || fail "journal verify"
[ "$(sqlite3 "$DB" "PRAGMA integrity_check")" = ok ] || fail "integrity_check"
kill_sim
rm -rf "$W"
echo "ok: interrupted redeems recovered by quan sync (--once and daemon)"
