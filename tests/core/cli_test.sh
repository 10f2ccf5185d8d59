#!/bin/bash
# cli_test.sh — the headless core commands against the real binary:
# import (good and malformed files, all-or-nothing), check, redeem (exit
# codes 0/3/2), void, status, journal verify; hostile codes; a corrupt,
# read-only and full database; config errors. Env: QUAN (binary),
# QUAN_SRC (source root). JSON is read with sqlite3's json_extract.
set -u
Q=${QUAN:?QUAN not set}
D=${QUAN_SRC:?QUAN_SRC not set}/tests/core/data
T=$(mktemp -d /tmp/quan-cli-XXXXXX)
trap 'chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT
export QUAN_DATA=$T/data
unset QUAN_CONFIG
fails=0

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }
# jget FILE PATH -> value
jget() { sqlite3 :memory: "SELECT json_extract(readfile('$1'), '$2')"; }
# run EXPECTED_RC NAME CMD... : output in $T/out, stderr in $T/err
run() {
	local want=$1 name=$2
	shift 2
	"$@" >"$T/out" 2>"$T/err"
	local rc=$?
	if [ "$rc" != "$want" ]; then
		fail "$name: exit $rc, want $want; stderr: $(head -c 300 "$T/err")"
		return 1
	fi
	ok "$name"
	return 0
}
expect_err() { # PATTERN NAME
	grep -q -- "$1" "$T/err" || fail "$2: stderr lacks '$1': $(head -c 300 "$T/err")"
}
expect_json() { # PATH VALUE NAME
	local v
	v=$(jget "$T/out" "$1")
	[ "$v" = "$2" ] || fail "$3: $1 = '$v', want '$2' ($(head -c 300 "$T/out"))"
}

# --- imports ---------------------------------------------------------
run 0 "import stocks" "$Q" import stocks "$D/stocks.json"
run 0 "import cards" "$Q" import cards "$D/cards.json"
run 0 "import codes" "$Q" import codes "$D/codes.csv"
run 0 "status" "$Q" status --json
expect_json '$.cache.stocks' 4 status
expect_json '$.cache.cards' 2 status
expect_json '$.cache.codes' 10 status
expect_json '$.definitions[0].id' 1212 status-defs
expect_json '$.definitions[4].kind' card status-defs

# malformed imports: error names the line/record, nothing is imported
printf 'A1,merchant,1212\nB2,merchant,1212\nC3,bogus,1212\n' >"$T/bad.csv"
run 1 "import codes bad kind" "$Q" import codes "$T/bad.csv"
expect_err 'bad.csv:3: kind' "bad kind"
printf 'A1,merchant,1212\nB2 ;DROP,merchant\n' >"$T/bad2.csv"
run 1 "import codes short line" "$Q" import codes "$T/bad2.csv"
expect_err 'bad2.csv:2' "short line"
printf 'A1,merchant,1212\n\xff\xfe,merchant,1212\n' >"$T/bad3.csv"
run 1 "import codes non-UTF-8" "$Q" import codes "$T/bad3.csv"
expect_err 'bad3.csv:2: bad code' "non-utf8"
{ printf 'A1,merchant,1212\n'; head -c 3000 /dev/zero | tr '\0' 'x'; echo ',merchant,1212'; } >"$T/bad4.csv"
run 1 "import codes over-long line" "$Q" import codes "$T/bad4.csv"
expect_err 'bad4.csv:2: line longer' "long line"
run 0 "status after bad imports" "$Q" status --json
expect_json '$.cache.codes' 10 "nothing partial imported"
echo '[{"stock_id":"9"}, ' >"$T/bad.json"
run 1 "import stocks bad JSON" "$Q" import stocks "$T/bad.json"
expect_err 'bad.json:' "bad json"
sed 's/"discount_percent": 88/"discount_percent": 188/' "$D/stocks.json" >"$T/bad2.json"
run 1 "import stocks bad record" "$Q" import stocks "$T/bad2.json"
expect_err 'record 2 (stock_id 1313)' "bad record"
echo '{"not":"an array"}' >"$T/bad3.json"
run 1 "import cards not array" "$Q" import cards "$T/bad3.json"
run 1 "import missing file" "$Q" import stocks "$T/nope.json"
run 2 "import usage" "$Q" import coupons "$D/codes.csv"

# --- check -----------------------------------------------------------
run 0 "check ok" "$Q" check --json --amount 120 QA00000000000002
expect_json '$.verdict' ok check
expect_json '$.kind' merchant check
expect_json '$.discount_fen' 1000 check
expect_json '$.due_fen' 11000 check
run 3 "check below minimum" "$Q" check --json --amount 99.99 QA00000000000002
expect_json '$.reason' below_minimum check-min
run 3 "check payment code" "$Q" check --json --amount 10 134567890123456789
expect_json '$.kind' payment_code check-pay
run 3 "check garbage" "$Q" check --json --amount 10 '!!@@##'
run 3 "check SQL" "$Q" check --json --amount 10 "1' OR '1'='1"
run 3 "check non-UTF-8" "$Q" check --json --amount 10 "$(printf '\xc3\x28abc')"
expect_json '$.reason' bad_utf8 check-utf8
run 3 "check over-long" "$Q" check --json --amount 10 "$(head -c 5000 /dev/zero | tr '\0' '7')"
expect_json '$.reason' too_long check-long
for a in 1.234 -5 abc 1e3 "" 12. .5; do
	run 2 "check bad amount '$a'" "$Q" check --json --amount "$a" QA00000000000002
done
run 2 "check no amount" "$Q" check --json QA00000000000002
run 2 "check two codes" "$Q" check --json --amount 1 A B

# --- redeem ----------------------------------------------------------
run 0 "redeem two coupons" "$Q" redeem --json --amount 200 QA00000000000001 1227944959000000911017
expect_json '$.txn' 1 redeem
expect_json '$.amount_fen' 20000 redeem
expect_json '$.discount_fen' 3280 redeem
expect_json '$.due_fen' 16720 redeem
expect_json '$.coupons[0].state' accepted_offline redeem
expect_json '$.coupons[1].discount_fen' 2280 redeem
key1=$(jget "$T/out" '$.coupons[0].request_no')
[[ "$key1" =~ ^[0-9A-Za-z_-]{1,32}$ ]] || fail "request_no '$key1' shape"
run 3 "redeem same code again" "$Q" redeem --json --amount 200 QA00000000000001
expect_json '$.coupons[0].reason' already_used redeem-again
expect_json '$.due_fen' 20000 redeem-again
run 3 "redeem mixed" "$Q" redeem --json --amount 200 QA00000000000003 "'; DROP TABLE codes;--"
expect_json '$.coupons[0].state' accepted_offline mixed
expect_json '$.coupons[1].state' rejected mixed
run 2 "redeem no code" "$Q" redeem --json --amount 10
run 0 "status after redeems" "$Q" status --json
expect_json '$.outbox.pending' 3 status-outbox
expect_json '$.redemptions.accepted_offline.count' 3 status-red

# --- void ------------------------------------------------------------
run 0 "void txn 1" "$Q" void --json 1
expect_json '$.coupons[0].state' returned void
run 1 "void twice" "$Q" void 1
run 1 "void unknown" "$Q" void 999
run 2 "void bad arg" "$Q" void abc
run 0 "journal verify" "$Q" journal verify

# --- config ----------------------------------------------------------
printf '[terminal]\nid = T09\n[offline]\nmax_per_hourz = 3\n' >"$T/bad.ini"
run 1 "bad config" "$Q" status --config "$T/bad.ini"
expect_err "bad.ini:4: max_per_hourz" "config error names file:line:key"
printf '[terminal]\nid = T09\n[stock "1212"]\npolicy = online_only\n' >"$T/ok.ini"
run 3 "config policy online_only" "$Q" redeem --json --config "$T/ok.ini" --amount 200 QA00000000000004
expect_json '$.coupons[0].reason' offline_online_only policy
case "$(jget "$T/out" '$.coupons[0].request_no')" in
	T09U*) ok "request_no uses the terminal id" ;;
	*) fail "request_no does not start with T09U" ;;
esac
QUAN_CONFIG="$T/ok.ini" run 0 "QUAN_CONFIG env" "$Q" status --json
expect_json '$.terminal' T09 env-config
n=$(sqlite3 "$QUAN_DATA/quan.db" "SELECT count(*) FROM journal WHERE kind = 'config_change'")
[ "$n" = 2 ] || fail "config changes journaled: $n, want 2 (defaults, ok.ini)"

# --- journal tampering through the CLI -------------------------------
cp "$QUAN_DATA/quan.db" "$T/good.db"
sqlite3 "$QUAN_DATA/quan.db" "UPDATE journal SET at = at + 1 WHERE seq = 3"
run 1 "journal verify finds an edit" "$Q" journal verify
expect_err "edited" "journal edit"
cp "$T/good.db" "$QUAN_DATA/quan.db"; rm -f "$QUAN_DATA/quan.db-wal" "$QUAN_DATA/quan.db-shm"
run 0 "journal verify restored" "$Q" journal verify
grep -q "keyed segment, HMAC-SHA256 with $QUAN_DATA/journal.key" "$T/out" ||
	fail "verify names the keyed segment: $(cat "$T/out")"
[ "$(stat -c %a "$QUAN_DATA/journal.key")" = 600 ] || fail "journal.key not 0600"
grep -rqs "$(cat "$QUAN_DATA/journal.key")" "$QUAN_DATA"/*.log "$T/out" "$T/err" &&
	fail "the journal key was printed or logged"
# a lost key: writers refuse (no new key over a keyed journal), readers
# work, verify names the file; restored, all is well again
mv "$QUAN_DATA/journal.key" "$T/journal.key"
run 1 "journal key lost: redeem refused" "$Q" redeem --json --amount 200 QA00000000000006
expect_err "will not make a new key" "lost key message"
[ -e "$QUAN_DATA/journal.key" ] && fail "a new key was made over the keyed journal"
run 0 "journal key lost: status still works" "$Q" status --json
run 1 "journal key lost: verify fails" "$Q" journal verify
expect_err "journal.key" "verify names the key file"
chmod 644 "$T/journal.key"; cp -p "$T/journal.key" "$QUAN_DATA/journal.key"
run 1 "journal key readable by others: refused" "$Q" redeem --json --amount 200 QA00000000000006
expect_err "chmod 600" "open key message"
chmod 600 "$QUAN_DATA/journal.key"
run 0 "journal key restored: verify" "$Q" journal verify

# --- corrupt, read-only, full ----------------------------------------
mkdir -p "$T/corrupt"
head -c 8192 /dev/urandom >"$T/corrupt/quan.db"
run 1 "corrupt database" "$Q" status --json --data "$T/corrupt"
expect_err "quan.db" "corrupt names the file"
mkdir -p "$T/trunc"; cp "$T/good.db" "$T/trunc/quan.db"
cp -p "$QUAN_DATA/journal.key" "$T/trunc/"
sz=$(stat -c %s "$T/trunc/quan.db")
dd if=/dev/urandom of="$T/trunc/quan.db" bs=1 seek=$((sz / 2)) count=4096 conv=notrunc 2>/dev/null
"$Q" status --json --data "$T/trunc" >/dev/null 2>"$T/err"
"$Q" redeem --json --data "$T/trunc" --amount 200 QA00000000000005 >"$T/out" 2>"$T/err"
rc=$?
if [ $rc = 0 ] || [ $rc = 4 ]; then
	sqlite3 "$T/trunc/quan.db" 'PRAGMA integrity_check' | grep -q '^ok$' ||
		fail "damaged db: redeem succeeded without noticing"
else
	ok "damaged database refused (exit $rc)"
fi
# read-only database: as an unprivileged user (root ignores permission
# bits, so as root the check runs through runuser as nobody)
mkdir -p "$T/ro"; cp "$T/good.db" "$T/ro/quan.db"
# the journal's key goes with the data (the quan user's own, 0600)
cp "$QUAN_DATA/journal.key" "$T/ro/"
[ "$(id -u)" != 0 ] || chown nobody "$T/ro/journal.key"
chmod 0444 "$T/ro/quan.db"; chmod 0555 "$T/ro"; chmod 0755 "$T"
# nobody may not reach the build tree (a clone under a 0700 home): it runs
# a copy of the binary in $T/bin (quan needs only system libraries)
RQ=$Q
if [ "$(id -u)" != 0 ]; then
	asuser() { "$@"; }
elif command -v runuser >/dev/null; then
	mkdir -p "$T/bin" && cp "$Q" "$T/bin/quan" && chmod 0755 "$T/bin" "$T/bin/quan"
	RQ=$T/bin/quan
	asuser() { runuser -u nobody -- env QUAN_DATA="$QUAN_DATA" "$@"; }
	runuser -u nobody -- test -x "$RQ" ||
		fail "nobody cannot run the copy $RQ (a parent of $T is not searchable)"
else
	asuser() { echo "cannot drop root to test a read-only database" >&2; return 99; }
fi
run 1 "read-only database: redeem refused" asuser "$RQ" redeem --json --data "$T/ro" --amount 200 QA00000000000005
expect_err "read-only" "read-only message"
run 0 "read-only database: status still works" asuser "$RQ" status --json --data "$T/ro"
expect_json '$.cache.stocks' 4 "read-only status"
run 0 "read-only database: journal verify still works" asuser "$RQ" journal verify --data "$T/ro"
# a report only reads: it works where status works (it failed, issue 9)
run 0 "read-only database: report still works" asuser "$RQ" report --json --data "$T/ro"
expect_json '$.redeemed.count' 1 "read-only report"
chmod 0755 "$T/ro"; chmod 0700 "$T"
mkdir -p "$T/full"; cp "$T/good.db" "$T/full/quan.db"
cp -p "$QUAN_DATA/journal.key" "$T/full/"
big=$(for i in $(seq 1 3000); do printf 'FULL%06d%0100d,merchant,1212\n' "$i" 0; done)
echo "$big" >"$T/big.csv"
sz=$(( ($(stat -c %s "$T/full/quan.db") + 65536) / 512 ))
( ulimit -f "$sz"; exec "$Q" import codes "$T/big.csv" --data "$T/full" ) >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 1 ] || fail "full disk import: exit $rc, want 1"
expect_err "disk full" "full disk message"
sqlite3 "$T/full/quan.db" 'PRAGMA integrity_check' | grep -q '^ok$' || fail "full disk: integrity"
n=$(sqlite3 "$T/full/quan.db" 'SELECT count(*) FROM codes')
[ "$n" = 10 ] || fail "full disk: partial import ($n codes)"
ok "full disk: clear error, nothing partial"
# a redeem on a full disk: clear error, nothing granted, database intact
for lim in 8 64; do
	mkdir -p "$T/full$lim"; cp "$T/good.db" "$T/full$lim/quan.db"
	cp -p "$QUAN_DATA/journal.key" "$T/full$lim/"
	( ulimit -f $lim; exec "$Q" redeem --json --amount 200 QA00000000000005 --data "$T/full$lim" ) >"$T/out" 2>"$T/err"
	rc=$?
	[ $rc = 1 ] || fail "redeem on full disk (ulimit -f $lim): exit $rc, want 1"
	expect_err "disk full" "redeem full disk message ($lim)"
	sqlite3 "$T/full$lim/quan.db" 'PRAGMA integrity_check' | grep -q '^ok$' || fail "redeem full disk: integrity"
	n=$(sqlite3 "$T/full$lim/quan.db" "SELECT count(*) FROM redemptions WHERE code = 'QA00000000000005' AND state <> 'pending'")
	[ "$n" = 0 ] || fail "redeem full disk ($lim): a coupon was decided"
done
ok "redeem on a full disk: clear error, nothing granted"

echo "cli_test: $fails failure(s)"
[ $fails = 0 ]
