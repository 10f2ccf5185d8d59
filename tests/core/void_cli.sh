#!/bin/bash
# void_cli.sh — QA findings 14 and 17: `quan void --by MANAGER --reason
# TEXT TXN` (the manager's PIN on stdin, checked like at the till) records
# who voided and why in the journal; a cashier's PIN or a wrong PIN is
# refused and nothing is voided; `quan void 999` (no such sale) and voiding
# twice are failures (exit 1), not usage errors (2). Also `quan staff add`
# of an existing id says "updated" and journals it; `quan run --data DIR`
# without staff names DIR in its hint. `quan journal verify` names the
# head to compare with the Z report and finds a damaged file (QA 12g, 16).
# `quan status` / `quan report` without --json print text (QA 18).
# Wrong PINs lock quan void --by as they lock the till (issue 9).
set -u
QUAN=${QUAN:?QUAN must name the quan binary}
SRC=${QUAN_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
W=$(mktemp -d /tmp/quan-voidcli-XXXXXX)
fail() { echo "FAIL: $*" >&2; echo "kept $W" >&2; exit 1; }
command -v sqlite3 >/dev/null || fail "sqlite3 is needed"
export QUAN_DATA=$W/data
unset QUAN_CONFIG
D=$SRC/tests/core/data
"$QUAN" import stocks "$D/stocks.json" >/dev/null || fail "import stocks"
"$QUAN" import codes "$D/codes.csv" >/dev/null || fail "import codes"
"$QUAN" staff add 1001 --role cashier --pin 1234 >/dev/null || fail "staff"
"$QUAN" staff add 9001 --role manager --pin 9999 >/dev/null || fail "staff"
CODE=$(grep -v '^code' "$D/codes.csv" | head -1 | cut -d, -f1)
"$QUAN" redeem --json --amount 200 "$CODE" >"$W/r.json"; rc=$?
[ $rc -eq 0 ] || [ $rc -eq 3 ] || fail "redeem exit $rc: $(cat "$W/r.json")"
TXN=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["txn"])' "$W/r.json")
state() { sqlite3 "$W/data/quan.db" "SELECT state FROM txns WHERE id=$TXN"; }

echo 1234 | "$QUAN" void --by 1001 --reason "wrong item" "$TXN" >/dev/null 2>"$W/e"; rc=$?
[ $rc -eq 1 ] || fail "void by a cashier: exit $rc"
grep -q "manager's PIN" "$W/e" || fail "void by a cashier: $(cat "$W/e")"
echo 0000 | "$QUAN" void --by 9001 "$TXN" >/dev/null 2>"$W/e"; rc=$?
[ $rc -eq 1 ] || fail "void with a wrong PIN: exit $rc"
[ "$(state)" = redeemed ] || [ "$(state)" = closed ] || fail "voided without a manager: $(state)"
echo 9999 | "$QUAN" void --by 9001 --reason "wrong item" "$TXN" >/dev/null 2>"$W/e" || fail "void by the manager: $(cat "$W/e")"
[ "$(state)" = voided ] || fail "not voided: $(state)"
[ "$(sqlite3 "$W/data/quan.db" "SELECT json_extract(data,'\$.by') FROM journal WHERE kind='void_txn' AND txn_id=$TXN")" = 9001 ] || fail "void_txn not by 9001"
[ "$(sqlite3 "$W/data/quan.db" "SELECT json_extract(data,'\$.who')||'/'||json_extract(data,'\$.why') FROM journal WHERE kind='approval' AND txn_id=$TXN")" = "9001/wrong item" ] || fail "approval entry missing"
"$QUAN" void "$TXN" >/dev/null 2>&1; rc=$?
[ $rc -eq 1 ] || fail "voiding twice: exit $rc, expected 1"
"$QUAN" void 999 >/dev/null 2>"$W/e"; rc=$?
[ $rc -eq 1 ] || fail "void 999: exit $rc, expected 1 ($(cat "$W/e"))"
grep -q "no transaction 999" "$W/e" || fail "void 999: $(cat "$W/e")"
"$QUAN" void --reason x "$TXN" >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || fail "--reason without --by: exit $rc, expected 2"
# QA 18: status and report without --json are text for a person
out=$("$QUAN" status) || fail "status"
case "$out" in "terminal "*"outbox: "*"coupons by state:"*) ;; *) fail "status text: $out" ;; esac
out=$("$QUAN" report) || fail "report"
case "$out" in "report "*"redeemed: "*"offline losses (given offline, refused by WeChat): 0 coupons, 0.00"*"rejections: "*) ;; *) fail "report text: $out" ;; esac
"$QUAN" status --json | python3 -c 'import json,sys; json.load(sys.stdin)' || fail "status --json"

# QA 17c: a missing file says why; "1 code", not "1 codes"
"$QUAN" import codes "$W/none.csv" >/dev/null 2>"$W/e" && fail "import of a missing file succeeded"
grep -q "cannot open: No such file or directory" "$W/e" || fail "missing file: $(cat "$W/e")"
printf 'QB00000000000001,merchant,1212\n' >"$W/one.csv"
[ "$("$QUAN" import codes "$W/one.csv")" = "imported 1 code" ] || fail "import one code: $("$QUAN" import codes "$W/one.csv")"

# QA 12d: re-adding an id says "updated" and the journal has who/when
out=$("$QUAN" staff add 9001 --role manager --pin 8888) || fail "staff re-add"
case "$out" in *updated*) ;; *) fail "staff re-add says: $out" ;; esac
[ "$(sqlite3 "$W/data/quan.db" "SELECT group_concat(json_extract(data,'\$.id')||':'||json_extract(data,'\$.what'), ' ') FROM journal WHERE kind='staff'")" = "1001:added 9001:added 9001:pin_changed" ] || fail "staff journal: $(sqlite3 "$W/data/quan.db" "SELECT data FROM journal WHERE kind='staff'")"
# QA 12f: the "no cashiers yet" hint names the data dir given
echo print >"$W/s"
"$QUAN" run --data "$W/empty" --headless "$W/s" >/dev/null 2>"$W/e"; rc=$?
[ $rc -eq 1 ] || fail "run without staff: exit $rc"
grep -q "quan staff --data $W/empty add" "$W/e" || fail "no-staff hint: $(cat "$W/e")"
# issue 9: the same lockout as the till, kept in the store (each quan void
# is a new process): 5 wrong PINs in a row lock PIN entry for a minute,
# every try is journaled (the locked ones too), the till is locked as well,
# and no approval entry is written for a void that did not happen
CODE2=$(grep -v '^code' "$D/codes.csv" | sed -n 2p | cut -d, -f1)
"$QUAN" redeem --json --amount 200 "$CODE2" >"$W/r2.json"; rc=$?
[ $rc -eq 0 ] || [ $rc -eq 3 ] || fail "redeem 2 exit $rc: $(cat "$W/r2.json")"
TXN2=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["txn"])' "$W/r2.json")
state2() { sqlite3 "$W/data/quan.db" "SELECT state FROM txns WHERE id=$TXN2"; }
jcount() { # KIND [WHY]: entries about quan void of TXN2
	sqlite3 "$W/data/quan.db" "SELECT count(*) FROM journal WHERE kind = '$1' AND json_extract(data, '\$.txn') = '$TXN2'${2:+ AND json_extract(data, '\$.why') = '$2'}"
}
for i in 1 2 3 4 5; do
	echo 000$i | "$QUAN" void --by 9001 "$TXN2" >/dev/null 2>"$W/e" && fail "wrong PIN $i accepted"
done
grep -q "locked for a minute" "$W/e" || fail "5th wrong PIN does not say locked: $(cat "$W/e")"
echo 8888 | "$QUAN" void --by 9001 --reason "after lock" "$TXN2" >/dev/null 2>"$W/e" && fail "the right PIN worked while locked"
grep -q "too many wrong PINs: locked for" "$W/e" || fail "locked try: $(cat "$W/e")"
[ "$(state2)" != voided ] || fail "voided while locked"
[ "$(jcount login_failed)" = 6 ] || fail "tries journaled: $(jcount login_failed), want 6 (5 wrong, 1 locked)"
[ "$(jcount login_failed locked)" = 1 ] || fail "locked try not journaled as such"
# the till shares the lock
printf 'login 9001 8888\nprint\nexpect Too many wrong PINs\n' >"$W/lk"
"$QUAN" run --headless "$W/lk" >"$W/o" 2>&1 || fail "the till is not locked: $(cat "$W/o")"
[ "$(sqlite3 "$W/data/quan.db" "SELECT count(*) FROM journal WHERE kind='approval' AND txn_id=$TXN2")" = 0 ] ||
	fail "an approval entry without a void"
# the minute over (moved back in the store): the right PIN voids, one
# approval entry; a void that fails (voided already) writes none
sqlite3 "$W/data/quan.db" "UPDATE meta SET value = '0 $(( $(date +%s) - 1 ))' WHERE key = 'pin_lock'"
echo 8888 | "$QUAN" void --by 9001 --reason "after lock" "$TXN2" >/dev/null 2>"$W/e" || fail "void after the lock: $(cat "$W/e")"
[ "$(state2)" = voided ] || fail "not voided after the lock: $(state2)"
echo 8888 | "$QUAN" void --by 9001 --reason "again" "$TXN2" >/dev/null 2>"$W/e" && fail "voided twice"
grep -q "voided already" "$W/e" || fail "void of a voided sale says: $(cat "$W/e")"
# refused before the PIN: a wrong PIN on a voided sale is neither
# counted nor journaled (nothing happened)
nj=$(sqlite3 "$W/data/quan.db" "SELECT count(*) FROM journal")
lock=$(sqlite3 "$W/data/quan.db" "SELECT value FROM meta WHERE key = 'pin_lock'")
echo 0000 | "$QUAN" void --by 9001 --reason "again" "$TXN2" >/dev/null 2>"$W/e" && fail "voided twice (wrong PIN)"
grep -q "voided already" "$W/e" || fail "void of a voided sale, wrong PIN, says: $(cat "$W/e")"
[ "$(sqlite3 "$W/data/quan.db" "SELECT count(*) FROM journal")" = "$nj" ] ||
	fail "a refused void of a voided sale wrote to the journal"
[ "$(sqlite3 "$W/data/quan.db" "SELECT value FROM meta WHERE key = 'pin_lock'")" = "$lock" ] ||
	fail "a refused void of a voided sale counted a PIN try"
[ "$(sqlite3 "$W/data/quan.db" "SELECT count(*) FROM journal WHERE kind='approval' AND txn_id=$TXN2")" = 1 ] ||
	fail "approval entries for $TXN2: $(sqlite3 "$W/data/quan.db" "SELECT count(*) FROM journal WHERE kind='approval' AND txn_id=$TXN2"), want 1"
CODE3=$(grep -v '^code' "$D/codes.csv" | sed -n 3p | cut -d, -f1)
"$QUAN" redeem --json --amount 200 "$CODE3" >"$W/r3.json"; rc=$?
[ $rc -eq 0 ] || [ $rc -eq 3 ] || fail "redeem 3 exit $rc: $(cat "$W/r3.json")"
TXN3=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["txn"])' "$W/r3.json")
echo 1234 | "$QUAN" void --by 1001 "$TXN3" >/dev/null 2>&1
[ "$(sqlite3 "$W/data/quan.db" "SELECT count(*) FROM journal WHERE kind = 'approval_refused' AND json_extract(data, '\$.txn') = '$TXN3' AND json_extract(data, '\$.why') = 'not a manager'")" = 1 ] || fail "a cashier's try is not journaled"
"$QUAN" journal verify >/dev/null || fail "journal verify after the lockout"

# QA 12g/16: verify names the head to compare with the Z report, and a
# damaged file is found (not only the chain) with the next step
out=$("$QUAN" journal verify) || fail "journal verify"
case "$out" in *"chain intact up to entry "*", head "*"last Z report"*) ;; *) fail "journal verify says: $out" ;; esac
sqlite3 "$W/data/quan.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
mkdir -p "$W/bad" && cp "$W/data/quan.db" "$W/bad/quan.db"
pages=$(( $(stat -c %s "$W/bad/quan.db") / 4096 ))
dd if=/dev/urandom of="$W/bad/quan.db" bs=4096 seek=$(( pages / 2 )) count=2 conv=notrunc 2>/dev/null
"$QUAN" journal verify --data "$W/bad" >/dev/null 2>"$W/e"; rc=$?
[ $rc -eq 1 ] || fail "journal verify of a damaged file: exit $rc ($(cat "$W/e"))"
grep -q "restore $W/bad/quan.db from your last backup" "$W/e" || fail "damaged file: no next step: $(cat "$W/e")"
"$QUAN" journal verify >/dev/null || fail "journal verify"
rm -rf "$W"
echo "ok: quan void --by/--reason records the manager; failures exit 1"
