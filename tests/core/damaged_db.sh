#!/bin/bash
# damaged_db.sh — a database damaged in the middle (random bytes in one
# page of the code cache) with WeChat (quan sim) up. Before, status ran
# on and `quan redeem` of a coupon whose own row was intact confirmed it
# with WeChat and exited 0 (issue 9). Now:
#  1. damage where redeem never reads: its start-up check (quick_check,
#     due once per 10 min) finds it: exit 1 with the next step, nothing
#     sent to WeChat, and PATH.damaged left beside the file;
#  2. then every process stops: status and report exit 1 saying so,
#     sync --once exits 1, the terminal does not start; journal verify
#     names the damage;
#  3. damage on the very page of the coupon, with a check just done (not
#     due): the read meets SQLITE_CORRUPT and nothing is written or sent;
#  4. the backup restored and the mark deleted: redeem confirms again.
# Env: QUAN (binary). Needs sqlite3 (with dbstat) and python3.
set -u
QUAN=${QUAN:?QUAN must name the quan binary}
W=$(mktemp -d /tmp/quan-damaged-XXXXXX)
SIM=$W/sim
SIMPID=
fail() { echo "FAIL: $*" >&2; [ -n "$SIMPID" ] && kill "$SIMPID" 2>/dev/null; echo "kept $W" >&2; exit 1; }
"$QUAN" sim init "$SIM" >/dev/null || fail "sim init"
"$QUAN" sim seed "$SIM" >/dev/null || fail "sim seed"
"$QUAN" sim serve "$SIM" --listen 127.0.0.1:0 >"$W/sim.out" 2>"$W/sim.err" &
SIMPID=$!
for _ in $(seq 100); do grep -q '^listening' "$W/sim.out" && break; sleep 0.1; done
grep -q '^listening' "$W/sim.out" || fail "sim did not start"
export QUAN_CONFIG=$SIM/quan.conf QUAN_DATA=$W/data
DB=$W/data/quan.db
"$QUAN" import stocks "$SIM/import/stocks.json" >/dev/null || fail "import stocks"
"$QUAN" import codes "$SIM/import/codes.csv" >/dev/null || fail "import codes"
# enough codes that the cache spans a few hundred pages
python3 -c "
for i in range(20000): print('PAD%013d,merchant,1288000000001' % i)" >"$W/pad.csv"
"$QUAN" import codes "$W/pad.csv" >/dev/null || fail "import padding"
code() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['merchant']['valid'][int(sys.argv[2])]['code'])" "$SIM/seed.json" "$1"; }
C1=$(code 0); C2=$(code 1)
sqlite3 "$DB" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
cp "$DB" "$W/good.db"
PS=$(sqlite3 "$DB" 'PRAGMA page_size')
at_wechat() { sqlite3 "$SIM/sim.db" "SELECT state FROM coupons WHERE code = '$1'"; }
# the leaf page of the cache holding code $1 (B-tree order of dbstat's path)
leaf_of() {
	local rank
	rank=$(sqlite3 "$W/good.db" "SELECT count(*) FROM codes WHERE code < '$1'")
	sqlite3 "$W/good.db" "SELECT pageno, ncell FROM dbstat WHERE name = 'codes' AND pagetype = 'leaf' ORDER BY path" |
		awk -F'|' -v r="$rank" '{ if (r < $2) { print $1; exit } r -= $2 }'
}
damage() { # page [offset count]: random bytes over part of a page
	dd if=/dev/urandom of="$DB" bs=1 seek=$(( ($1 - 1) * PS + ${2:-100} )) count="${3:-2000}" conv=notrunc 2>/dev/null
}
P1=$(leaf_of "$C1")
[ -n "$P1" ] || fail "no leaf page for $C1"
# a leaf far from C1's
OTHER=$(sqlite3 "$W/good.db" "SELECT pageno FROM dbstat WHERE name = 'codes' AND pagetype = 'leaf' AND pageno <> $P1 ORDER BY path LIMIT 1 OFFSET 100")

# 1. damage where redeem never reads
damage "$OTHER"
sqlite3 "$DB" "SELECT code FROM codes WHERE code = '$C1'" >/dev/null 2>&1 || fail "C1's own row should still read"
"$QUAN" redeem --json --amount 100 "$C1" >"$W/out" 2>"$W/err"; rc=$?
[ $rc -eq 1 ] || fail "redeem on a damaged database: exit $rc ($(cat "$W/out") $(cat "$W/err"))"
grep -q "^quan redeem: .*the database is damaged and nothing more is written to it: stop quan, restore $DB from your last backup" "$W/err" ||
	fail "redeem: no next step: $(cat "$W/err")"
[ "$(at_wechat "$C1")" = SENDED ] || fail "C1 at WeChat: $(at_wechat "$C1") (the damaged till sent it)"
[ -s "$DB.damaged" ] || fail "no $DB.damaged left for the other processes"
[ "$(sqlite3 "$DB" 'SELECT count(*) FROM redemptions' 2>/dev/null)" = 0 ] || fail "a redemption was written"
echo "ok: damage where redeem never reads: refused, nothing sent"

# 2. every other process stops too
# each finds the damage itself too (the mark removed, no recent check)
fresh() { rm -f "$DB.damaged"; sqlite3 "$DB" "DELETE FROM meta WHERE key = 'quick_check_at'"; }
printf 'print\n' >"$W/script"
for mark in kept own; do
	[ $mark = own ] && fresh
	"$QUAN" status >/dev/null 2>"$W/err" && fail "status ran on a damaged database ($mark)"
	grep -q "^quan status: .*is damaged" "$W/err" || fail "status ($mark): $(cat "$W/err")"
	[ $mark = own ] && fresh
	"$QUAN" report >/dev/null 2>"$W/err" && fail "report ran on a damaged database ($mark)"
	grep -q "^quan report: .*is damaged" "$W/err" || fail "report ($mark): $(cat "$W/err")"
	[ $mark = own ] && fresh
	"$QUAN" sync --once >/dev/null 2>"$W/err"; rc=$?
	[ $rc -eq 1 ] || fail "sync --once on a damaged database ($mark): exit $rc"
	grep -q "^quan sync: .*is damaged" "$W/err" || fail "sync ($mark): $(cat "$W/err")"
	[ $mark = own ] && fresh
	"$QUAN" run --headless "$W/script" >/dev/null 2>"$W/err" && fail "the terminal started on a damaged database ($mark)"
	grep -q "^quan run: .*is damaged" "$W/err" || fail "run ($mark): $(cat "$W/err")"
	[ -s "$DB.damaged" ] || fail "no mark after run ($mark)"
done
"$QUAN" journal verify >/dev/null 2>"$W/err" && fail "journal verify passed a damaged database"
grep -q "^quan journal: .*restore $DB from your last backup" "$W/err" || fail "journal verify: $(cat "$W/err")"
# the mark alone (this file is whole again) still stops writers: the
# damage was seen, someone must look
cp "$W/good.db" "$DB"
"$QUAN" redeem --json --amount 100 "$C1" >/dev/null 2>"$W/err" && fail "redeem with $DB.damaged present"
grep -q "^quan redeem: $DB: found damaged earlier ($DB.damaged says what)" "$W/err" || fail "mark: $(cat "$W/err")"
echo "ok: status, report, sync, the terminal and journal verify stop; the mark stops writers"

# 3. damage on the coupon's own page, the periodic check just done: the
# read itself meets the damage; nothing written, nothing sent
rm -f "$DB.damaged"
sqlite3 "$DB" "INSERT INTO meta(key, value) VALUES('quick_check_at', strftime('%s','now')) ON CONFLICT(key) DO UPDATE SET value = excluded.value"
damage "$P1" 0 "$PS"
sqlite3 "$DB" "SELECT code FROM codes WHERE code = '$C1'" >/dev/null 2>&1 && fail "C1's page is not damaged"
"$QUAN" redeem --json --amount 100 "$C1" >"$W/out" 2>"$W/err"; rc=$?
[ $rc -eq 1 ] || fail "redeem reading a damaged page: exit $rc ($(cat "$W/out") $(cat "$W/err"))"
grep -q "^quan redeem: .*the database is damaged" "$W/err" || fail "redeem reading a damaged page: $(cat "$W/err")"
[ "$(at_wechat "$C1")" = SENDED ] || fail "C1 at WeChat: $(at_wechat "$C1")"
echo "ok: a read of the damaged page stops the redeem before WeChat"

# 4. restored from the backup, mark deleted: business as usual
cp "$W/good.db" "$DB"; rm -f "$DB.damaged" "$DB-wal" "$DB-shm"
"$QUAN" redeem --json --amount 100 "$C2" >"$W/out" 2>"$W/err" || fail "redeem after restore: $(cat "$W/err")"
grep -q '"state":"confirmed"' "$W/out" || fail "after restore: $(cat "$W/out")"
[ "$(at_wechat "$C2")" = USED ] || fail "C2 at WeChat: $(at_wechat "$C2")"
"$QUAN" status >/dev/null || fail "status after restore"
kill "$SIMPID"; wait "$SIMPID" 2>/dev/null
rm -rf "$W"
echo "ok: restored, redeem confirms again"
