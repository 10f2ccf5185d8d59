#!/bin/bash
# archive_test.sh — `quan archive` moves settled history out of the live
# store, and a kill -9 at any moment loses nothing and keeps nothing twice:
#   1. a store with N past sales in mixed states (quan bench sale --data);
#   2. `quan archive --batch 50` killed at random points, KILLS times,
#      then run to its end;
#   3. every sale, coupon and outbox row of before is, byte for byte, in
#      exactly one of live and archive; every journal entry too;
#   4. nothing unsettled (conflicts) and nothing of today moved; the codes
#      of archived confirmed coupons are still known as used;
#   5. integrity_check ok on both files, journal verify (live) and
#      journal verify --archive pass, the archive is 0600 and the live
#      file shrank;
#   6. deleting archived entries' anchor, or entries at the live start,
#      or one entry in the archive, is caught.
# Usage: archive_test.sh [SALES] [KILLS] (default 6000 20). Env: QUAN.
set -u
Q=${QUAN:?QUAN not set}
N=${1:-6000}
KILLS=${2:-20}
T=$(mktemp -d /tmp/quan-archive-XXXXXX)
trap 'rm -rf "$T"' EXIT
export QUAN_DATA=$T/data
export QUAN_CONFIG=$T/quan.ini
: >"$QUAN_CONFIG"
chmod 600 "$QUAN_CONFIG"
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
db=$QUAN_DATA/quan.db

"$Q" --data "$QUAN_DATA" bench sale --history "$N" --sales 20 --online 0 >/dev/null ||
	{ echo "bench sale failed"; exit 1; }
dump() { # dump DB: every row of the history tables, one per line
	sqlite3 -separator '|' "$1" "SELECT 'T', * FROM txns;
	    SELECT 'R', * FROM redemptions; SELECT 'O', * FROM outbox;
	    SELECT 'J', * FROM journal" | sort
}
dump "$db" >"$T/before"
size0=$(stat -c %s "$db")
ncon=$(sqlite3 "$db" "SELECT count(*) FROM redemptions WHERE state = 'conflict'")

kills=0 done=0 runs=0
while [ $kills -lt "$KILLS" ] && [ $done = 0 ]; do
	"$Q" archive --before 2099-01-01 --batch 50 >"$T/run.out" 2>&1 &
	pid=$!
	sleep "0.$(printf '%03d' $((RANDOM % 120)))"
	if kill -9 $pid 2>/dev/null; then
		kills=$((kills + 1))
	fi
	wait $pid 2>/dev/null
	runs=$((runs + 1))
	# a run that ended on its own with nothing left: done
	grep -q '^archive: 0 sales, 0 coupons, 0 outbox rows, 0 journal' \
		"$T/run.out" && done=1
done
"$Q" archive --before 2099-01-01 --batch 50 >"$T/run.out" 2>&1 ||
	fail "final archive run: $(cat "$T/run.out")"
echo "archive: $runs runs, $kills killed with kill -9"
[ "$kills" -ge 10 ] || fail "only $kills kills landed (machine too fast?)"

# one file per month of the cutoff (a history across a month's end: two)
arcs=$(ls "$QUAN_DATA"/archive/quan-archive-*.db 2>/dev/null)
arc=$(echo "$arcs" | tail -n 1)
va=""
for f in $arcs; do
	va="$va --archive $f"
	[ "$(stat -c %a "$f")" = 600 ] || fail "archive mode $(stat -c %a "$f")"
done
[ -n "$arcs" ] || fail "no archive file"
for f in "$db" $arcs; do
	[ "$(sqlite3 "$f" 'PRAGMA integrity_check')" = ok ] ||
		fail "integrity_check $f"
done
dump "$db" >"$T/live"
for f in $arcs; do dump "$f"; done | sort >"$T/arc"
# 3. each row of before in exactly one place, unchanged
sort "$T/live" "$T/arc" >"$T/union"
comm -23 "$T/before" "$T/union" >"$T/lost"
[ -s "$T/lost" ] && fail "rows lost or changed: $(wc -l <"$T/lost") ($(head -c 300 "$T/lost"))"
comm -12 "$T/live" "$T/arc" >"$T/twice"
[ -s "$T/twice" ] && fail "rows in both files: $(wc -l <"$T/twice")"
dups=$(cut -d'|' -f1,2 "$T/union" | sort | uniq -d | wc -l)
[ "$dups" = 0 ] || fail "$dups ids held twice (different content)"
moved=$(grep -c '^T' "$T/arc")
[ "$moved" -gt $((N / 2)) ] || fail "only $moved sales moved"
# 4. what must stay
left=$(sqlite3 "$db" "SELECT count(*) FROM redemptions WHERE state = 'conflict'")
[ "$left" = "$ncon" ] || fail "conflicts live: $left of $ncon"
grep '^R' "$T/arc" | cut -d'|' -f11 | grep -vxE 'confirmed|rejected|returned' |
	grep -q . && fail "unsettled rows archived"
# local midnight of the store's zone (Asia/Shanghai, +08:00)
late=0
for f in $arcs; do
	late=$((late + $(sqlite3 "$f" "SELECT count(*) FROM txns WHERE
	    opened_at >= strftime('%s', date('now', '+8 hours')) - 8 * 3600")))
done
[ "$late" = 0 ] || fail "$late sales of today archived"
code=$(sqlite3 "$arc" "SELECT code FROM redemptions WHERE state = 'confirmed' LIMIT 1")
[ "$(sqlite3 "$db" "SELECT state FROM codes WHERE code = '$code'")" = used ] ||
	fail "archived code $code not known as used"
# 5. the chain across the cut, and the file shrank
"$Q" journal verify >/dev/null || fail "journal verify (live)"
"$Q" journal verify $va >"$T/v" || fail "verify --archive: $(cat "$T/v")"
size1=$(stat -c %s "$db")
[ "$size1" -lt $((size0 / 2)) ] || fail "live file $size0 -> $size1 bytes"
echo "archive: live $size0 -> $size1 bytes, $moved sales moved"

# one run at a time: a second one beside it refuses (the lock, not the
# "cut off" path, which would drop the first run's copies)
flock "$QUAN_DATA/archive/archive.lock" sleep 3 &
lpid=$!
sleep 0.3
"$Q" archive --before 2099-01-01 >"$T/v" 2>&1 &&
	fail "a second archive run beside another went ahead"
grep -q "another archive run" "$T/v" || fail "second run: $(cat "$T/v")"
wait $lpid

# 6. tampering is caught
cp "$db" "$T/t.db"
first=$(sqlite3 "$T/t.db" "SELECT min(seq) FROM journal")
sqlite3 "$T/t.db" "DELETE FROM journal WHERE seq < $first + 5"
mkdir -p "$T/t" && mv "$T/t.db" "$T/t/quan.db"
# the journal's key, where the chain is keyed, goes with the copy
cp -p "$QUAN_DATA/journal.key" "$T/t/" 2>/dev/null || true
QUAN_DATA=$T/t "$Q" journal verify >"$T/v" 2>&1 &&
	fail "entries deleted at the live start not seen"
grep -q "no archive anchor" "$T/v" || fail "message: $(cat "$T/v")"
cp "$arc" "$T/a.db"
sqlite3 "$T/a.db" "DELETE FROM journal WHERE seq = (SELECT min(seq) + 7 FROM journal)"
"$Q" journal verify ${va% --archive *} --archive "$T/a.db" >/dev/null 2>&1 &&
	fail "an entry deleted in the archive not seen"
sqlite3 "$db" "DELETE FROM journal WHERE kind = 'archive_cut'" 2>/dev/null
"$Q" journal verify >/dev/null 2>&1 && fail "anchors deleted not seen"

# 7. the sync daemon archives on its own with [store] keep_days
printf '[store]\nkeep_days = 2\n' >"$T/keep.ini"
chmod 600 "$T/keep.ini"
export QUAN_DATA=$T/s QUAN_CONFIG=$T/keep.ini
"$Q" --data "$T/s" bench sale --history 5000 --sales 10 --online 0 >/dev/null ||
	fail "bench sale (daemon store)"
"$Q" sync >"$T/sync.out" 2>&1 &
pid=$!
for i in $(seq 1 50); do
	ls "$T"/s/archive/quan-archive-*.db >/dev/null 2>&1 &&
		[ "$(sqlite3 "$T/s/quan.db" "SELECT value FROM meta WHERE
		    key = 'archive.file'")" = "" ] && break
	sleep 0.2
done
kill -TERM $pid; wait $pid
old=$(sqlite3 "$T/s/quan.db" "SELECT count(*) FROM txns WHERE opened_at <
    strftime('%s', date('now', '+8 hours')) - 8 * 3600 - 2 * 86400 - 60
    AND id NOT IN (SELECT txn_id FROM redemptions WHERE state = 'conflict')")
[ "$old" = 0 ] || fail "quan sync with keep_days = 2 left $old old sales"
va=""
for f in "$T"/s/archive/quan-archive-*.db; do va="$va --archive $f"; done
"$Q" journal verify $va >/dev/null ||
	fail "verify after the daemon's archive"

[ $fails = 0 ] && echo "archive_test: ok" || echo "archive_test: $fails failure(s)"
exit $((fails > 0))
