#!/bin/bash
# crash_test.sh — kill -9 `quan redeem` at random moments, many times, then
# check what must survive any crash:
#   1. PRAGMA integrity_check is ok (sqlite3 CLI);
#   2. `quan journal verify` passes;
#   3. no idempotency key (use or return request no) is used twice, and no
#      code is granted twice;
#   4. every redemption a completed run reported (its JSON) is in the store
#      with the same key, state and discount.
# Usage: crash_test.sh [KILLS] (default 220). Env: QUAN, QUAN_SRC.
set -u
Q=${QUAN:?QUAN not set}
D=${QUAN_SRC:?QUAN_SRC not set}/tests/core/data
KILLS=${1:-220}
T=$(mktemp -d /tmp/quan-crash-XXXXXX)
trap 'rm -rf "$T"' EXIT
export QUAN_DATA=$T/data
export QUAN_CONFIG=$T/quan.ini
cat >"$QUAN_CONFIG" <<'EOF'
[terminal]
id = CRASH1
[offline]
default_policy = offline_ok
max_per_hour = 1000000
max_exposure_fen = 100000000000
max_coupon_fen = 100000
EOF
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

"$Q" import stocks "$D/stocks.json" >/dev/null || { echo "import failed"; exit 1; }
"$Q" import cards "$D/cards.json" >/dev/null || exit 1
ncodes=$((KILLS * 3 + 200))
for i in $(seq 1 $ncodes); do printf 'QC%014d,merchant,1212\n' "$i"; done >"$T/codes.csv"
"$Q" import codes "$T/codes.csv" >/dev/null || exit 1

mkdir -p "$T/out"
# how long one redeem takes here (debug, sanitizer, loaded machine):
# kill points are drawn from 0 .. 1.2 x that
t0=$(date +%s%N)
"$Q" redeem --json --amount 150 QC99999999999999 >/dev/null 2>&1
t1=$(date +%s%N)
span=$(( (t1 - t0) / 1000000 * 12 / 10 ))
[ $span -ge 5 ] || span=5
echo "crash_test: one redeem takes ~$(( (t1 - t0) / 1000000 )) ms; killing within 0..$span ms"
kills=0 done_runs=0 i=0 start=$SECONDS
while [ $kills -lt "$KILLS" ]; do
	i=$((i + 1))
	c1=$(printf 'QC%014d' $((i * 2 % ncodes + 1)))
	c2=$(printf 'QC%014d' $(((i * 2 + 1) % ncodes + 1)))
	# a re-used code now and then: must be refused, never granted twice
	[ $((i % 7)) = 0 ] && c2=$(printf 'QC%014d' $(((i - 3) * 2 % ncodes + 1)))
	"$Q" redeem --json --amount 150 "$c1" "$c2" 1227944959000000911017 \
		>"$T/out/$i.json" 2>"$T/out/$i.err" &
	pid=$!
	ms=$((RANDOM % span))
	sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
	if kill -9 "$pid" 2>/dev/null; then
		wait "$pid" 2>/dev/null
		kills=$((kills + 1))
		rm -f "$T/out/$i.json"
	else
		wait "$pid"
		rc=$?
		if [ $rc != 0 ] && [ $rc != 3 ] && [ $rc != 4 ]; then
			fail "run $i exited $rc: $(cat "$T/out/$i.err")"
		fi
		done_runs=$((done_runs + 1))
	fi
	if [ $((SECONDS - start)) -gt 170 ]; then
		echo "time budget reached"
		break
	fi
done
echo "crash_test: $kills kills, $done_runs completed runs, $((SECONDS - start)) s"
# On a loaded machine (sanitizers, CI's 2 cores shared) one redeem can take
# ~0.5 s, so the time budget may end the loop before KILLS: the checks
# below still mean something with a quarter of the kills, not with fewer.
[ $kills -ge "$KILLS" ] || [ $kills -ge $((KILLS / 4)) ] ||
	fail "only $kills kills (want $KILLS, at least $((KILLS / 4)) within the time budget)"

db=$QUAN_DATA/quan.db
ic=$(sqlite3 "$db" 'PRAGMA integrity_check')
[ "$ic" = ok ] || fail "integrity_check: $ic"
"$Q" journal verify || fail "journal verify"
dup=$(sqlite3 "$db" "SELECT k, count(*) FROM (SELECT idem_key AS k FROM
	redemptions WHERE idem_key IS NOT NULL UNION ALL SELECT return_key FROM
	redemptions WHERE return_key IS NOT NULL) GROUP BY k HAVING count(*) > 1")
[ -z "$dup" ] || fail "idempotency key used twice: $dup"
dup=$(sqlite3 "$db" "SELECT request_no, count(*) FROM outbox GROUP BY 1
	HAVING count(*) > 1")
[ -z "$dup" ] || fail "outbox request_no twice: $dup"
dup=$(sqlite3 "$db" "SELECT code, count(*) FROM redemptions WHERE state IN
	('pending','unknown','confirmed','accepted_offline') GROUP BY code
	HAVING count(*) > 1")
[ -z "$dup" ] || fail "code granted twice: $dup"

# every reported redemption is in the store
checked=0
for f in "$T"/out/*.json; do
	[ -s "$f" ] || continue
	rows=$(sqlite3 -separator '|' :memory: "SELECT json_extract(value,
		'\$.request_no'), json_extract(value, '\$.state'),
		json_extract(value, '\$.discount_fen'), json_extract(value,
		'\$.code') FROM json_each(json_extract(readfile('$f'),
		'\$.coupons'))")
	txn=$(sqlite3 :memory: "SELECT json_extract(readfile('$f'), '\$.txn')")
	while IFS='|' read -r key state disc code; do
		[ -n "$code" ] || continue
		if [ -n "$key" ]; then
			got=$(sqlite3 -separator '|' "$db" "SELECT state,
				discount_fen, txn_id FROM redemptions WHERE
				idem_key = '$key'")
		else
			got=$(sqlite3 -separator '|' "$db" "SELECT state,
				discount_fen, txn_id FROM redemptions WHERE
				txn_id = $txn AND code = '$code'")
		fi
		[ "$got" = "$state|$disc|$txn" ] ||
			fail "$f: coupon $code key '$key' reported $state|$disc|$txn, store has '$got'"
		checked=$((checked + 1))
	done <<<"$rows"
done
echo "crash_test: $checked reported redemptions checked against the store"
[ $checked -gt 0 ] || fail "no completed run to check"
open=$(sqlite3 "$db" "SELECT count(*) FROM txns WHERE state = 'open'")
echo "crash_test: $open redeems interrupted between their two commits (recovered on a later start)"
echo "crash_test: $fails failure(s)"
[ $fails = 0 ]
