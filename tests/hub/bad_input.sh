#!/bin/bash
# bad_input.sh — issue 12: a store hub that refuses, or should be
# refused, says so clearly and the till stays safe:
#  - dsn rules: a password in the dsn, a passfile others can read, a
#    remote host without TLS are refused before connecting;
#  - TLS required, the server offers plain: refused (no fallback);
#  - wrong password: refused, the password never printed;
#  - a hub at a newer schema: init, sync and claims refuse it;
#  - the claim table locked: the claim gives up at lock_timeout and the
#    till decides per when_down within its wait, then replays.
set -u
QUAN=${QUAN:?QUAN must name the quan binary}
QUAN_SRC=${QUAN_SRC:?}
W=$(mktemp -d /tmp/quan-hubbad-XXXXXX)
. "$QUAN_SRC/tests/hub/pglib.sh"
. "$QUAN_SRC/tests/hub/hublib.sh"
hub_setup offline_ok
P=$PGPORT_hub
till_conf a TA
for n in 1; do
	till a import stocks "$W/$n-stocks.json" >/dev/null || fail "import stocks"
	till a import codes "$W/$n-codes.csv" >/dev/null || fail "import codes"
done
mapfile -t CODES < <(valid_codes 4)
field() { python3 -c "import json,sys; c=json.load(sys.stdin)['coupons'][0]; print(c['$1'])"; }
refused() { # refused WHAT EXPECT DSN: quan hub status refuses, saying EXPECT
	local out
	out=$("$QUAN" hub status --dsn "$3" 2>&1) && fail "$1: accepted: $out"
	echo "$out" | grep -q "$2" || fail "$1: '$out' does not say '$2'"
	case $out in *tillpw*|*secretpw*) fail "$1: a password in the message: $out";; esac
}

# 1. the dsn rules
refused "password in dsn" "no password= in the configuration" \
	"host=127.0.0.1 port=$P dbname=quanhub user=quan_till password=secretpw"
cp "$W/pass-till-hub" "$W/pass-open"; chmod 644 "$W/pass-open"
refused "passfile 0644" "chmod 600" \
	"host=127.0.0.1 port=$P dbname=quanhub user=quan_till passfile=$W/pass-open"
refused "remote host, no TLS" "TLS is required" \
	"host=hub.example port=$P dbname=quanhub user=quan_till passfile=$W/pass-till-hub"
refused "remote host, sslmode=prefer" "TLS is required" \
	"host=hub.example hostaddr=127.0.0.1 port=$P dbname=quanhub user=quan_till sslmode=prefer passfile=$W/pass-till-hub"
refused "unparsable dsn" "dsn" "host=127.0.0.1 port"
# 2. TLS required, the server offers plain: libpq refuses, no fallback
refused "plain offered" "SSL" \
	"host=hub.example hostaddr=127.0.0.1 port=$P dbname=quanhub user=quan_till sslmode=require passfile=$W/pass-till-hub"
# 3. wrong password
printf '127.0.0.1:%s:*:quan_till:wrongpw\n' "$P" >"$W/pass-wrong"; chmod 600 "$W/pass-wrong"
refused "wrong password" "password authentication failed" \
	"host=127.0.0.1 port=$P dbname=quanhub user=quan_till passfile=$W/pass-wrong"
sed -i "s|^dsn = .*|dsn = host=127.0.0.1 port=$P dbname=quanhub user=quan_till passfile=$W/pass-wrong|" "$SIM/a.conf"
kill_sim
out=$(till a redeem --json --amount 100 "${CODES[0]}" 2>"$W/wrong.err")
[ "$(echo "$out" | field state)" = accepted_offline ] &&
	echo "$out" | field offline_reason | grep -q "^store hub down" || fail "redeem, hub refusing the till: $out"
grep -q "password authentication failed" "$W/wrong.err" || fail "redeem: the refusal not said: $(cat "$W/wrong.err")"
till a hub sync --once >"$W/o" 2>&1 && fail "hub sync with a wrong password succeeded"
grep -q "password authentication failed" "$W/o" || fail "hub sync: $(cat "$W/o")"
till_conf a TA
sed -i 's/^base_url = https:\/\/127.0.0.1:[0-9]*/base_url = https:\/\/127.0.0.1:9/' "$SIM/a.conf"

# 4. the claim table locked: lock_timeout, decided within the wait, replayed
# the lock is held far longer than a redeem may take: a redeem that
# waited on it would end only when the lock is given up (terminated below)
psql_as hub quanhub -c "BEGIN; LOCK TABLE claims IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(120); COMMIT" >/dev/null 2>&1 &
LOCKER=$!
for _ in $(seq 1 50); do
	[ "$(psql_as hub quanhub -c "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'claims' AND l.mode = 'AccessExclusiveLock' AND l.granted")" = 1 ] && break
	sleep 0.2
done
start=$(date +%s%N)
out=$(till a redeem --json --amount 100 "${CODES[1]}" 2>"$W/lock.err")
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$(echo "$out" | field state)" = accepted_offline ] &&
	echo "$out" | field offline_reason | grep -q "^store hub down" || fail "redeem, claims locked: $out $(cat "$W/lock.err")"
[ "$ms" -lt 60000 ] || fail "redeem with the claims locked took $ms ms: it waited on the lock (wait_ms 3000)"
psql_as hub quanhub -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(120)%' AND pid <> pg_backend_pid()" >/dev/null
wait $LOCKER
till a hub sync --once >"$W/o" 2>&1 || fail "hub sync after the lock: $(cat "$W/o")"
s=$(psql_as hub quanhub -c "SELECT terminal || ' ' || state FROM claims WHERE code = '${CODES[1]}'")
[ "$s" = "TA granted" ] || fail "locked claim replayed: '$s'"

# 5. a hub at a newer schema
psql_as hub quanhub -c "INSERT INTO quan_schema(version) VALUES (99)" >/dev/null || fail "schema 99"
"$QUAN" hub init --dsn "$DSN_ADMIN_hub" >"$W/o" 2>&1 && fail "init over a newer schema"
grep -q "schema version 99 is newer than this quan knows" "$W/o" || fail "init: $(cat "$W/o")"
till a hub sync --once >"$W/o" 2>&1 && fail "sync with a newer schema"
grep -q "upgrade quan" "$W/o" || fail "sync: $(cat "$W/o")"
out=$(till a redeem --json --amount 100 "${CODES[2]}" 2>"$W/new.err")
echo "$out" | field offline_reason | grep -q "^store hub down" || fail "redeem, newer hub: $out"
grep -q "newer than this quan" "$W/new.err" || fail "redeem: not said: $(cat "$W/new.err")"
n=$(psql_as hub quanhub -c "SELECT count(*) FROM claims WHERE code = '${CODES[2]}'")
[ "$n" = 0 ] || fail "a claim written into a newer schema"
echo "ok: dsn rules, plain refused, wrong password, locked claims, newer schema"
pg_done
