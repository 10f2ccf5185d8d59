#!/bin/bash
# sync_lock.sh — QA findings 5d and 5b: one `quan sync` per data dir (a
# second one — daemon or --once — says "already running (pid N)" and
# exits 1 instead of sending the same rows beside it; the lock goes with
# the process, also after kill -9); `quan sync --once` is one bounded pass
# (--timeout S, default 30) even when every WeChat answer is 5 s late, so
# a cron job does not pile up: exit 4 with the rows left for the next run;
# with WeChat unreachable (connection refused) it is one pass and exit 4
# at once.
set -u
QUAN=${QUAN:?QUAN must name the quan binary}
W=$(mktemp -d /tmp/quan-synclock-XXXXXX)
SIM=$W/sim
SIM_SEED=11
DPID=
. "$(dirname "$0")/simlib.sh"
trap '[ -n "$DPID" ] && kill -9 "$DPID" 2>/dev/null; [ -n "$SIMPID" ] && kill -9 "$SIMPID" 2>/dev/null' EXIT
"$QUAN" sim init "$SIM" >/dev/null || fail "sim init"
"$QUAN" sim seed "$SIM" >/dev/null || fail "sim seed"
export QUAN_CONFIG=$SIM/quan.conf QUAN_DATA=$SIM/data
"$QUAN" import stocks "$SIM/import/stocks.json" >/dev/null || fail "import"
"$QUAN" import codes "$SIM/import/codes.csv" >/dev/null || fail "import"

# 1. a daemon holds the lock; a second sync refuses, naming its pid
"$QUAN" sync >"$W/d.out" 2>"$W/d.err" &
DPID=$!
for _ in $(seq 50); do [ -s "$SIM/data/sync.lock" ] && break; sleep 0.1; done
[ "$(cat "$SIM/data/sync.lock" 2>/dev/null)" = "$DPID" ] || fail "sync.lock does not hold the daemon's pid"
"$QUAN" sync --once >"$W/o" 2>"$W/e"; rc=$?
[ $rc -eq 1 ] || fail "second sync: exit $rc, expected 1"
grep -q "already running.*(pid $DPID)" "$W/e" || fail "second sync: $(cat "$W/e")"
kill -9 "$DPID"; wait "$DPID" 2>/dev/null; DPID=
"$QUAN" sync --once >"$W/o" 2>"$W/e"; rc=$?
[ $rc -eq 0 ] || fail "sync --once after the daemon died (kill -9): exit $rc $(cat "$W/e")"

# 2. --once is bounded: every answer 5 s late, a row to settle
CODE=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['merchant']['valid'][3]['code'])" "$SIM/seed.json")
"$QUAN" redeem --json --amount 100 "$CODE" >/dev/null 2>&1   # simulator down: decided offline
[ "$(sqlite3 "$SIM/data/quan.db" "SELECT count(*) FROM outbox WHERE state IN ('pending','unknown')")" -ge 1 ] || fail "no row left to settle"
start_sim 127.0.0.1:0 "latency=5000"
t0=$(date +%s)
"$QUAN" sync --once --timeout 2 >"$W/o" 2>"$W/e"; rc=$?
t=$(( $(date +%s) - t0 ))
[ $rc -eq 4 ] || fail "bounded --once: exit $rc, expected 4 ($(cat "$W/o"))"
[ $t -le 6 ] || fail "--once --timeout 2 took $t s"
# 2b. quan redeem exits soon after its verdict (QA 5c): the answer is 5 s
# late, the wait 0.5 s: it used to wait for the 5 s transfer timeout
sed -i 's/^\[wechatpay\]$/[wechatpay]\nonline_wait_ms = 500/' "$SIM/quan.conf"
CODE2=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['merchant']['valid'][4]['code'])" "$SIM/seed.json")
t0=$(date +%s%N)
"$QUAN" redeem --json --amount 100 "$CODE2" >"$W/o" 2>"$W/e"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ $ms -le 3500 ] || fail "redeem with a 5 s late WeChat and a 0.5 s wait took $ms ms"
kill_sim

# 3. WeChat unreachable (connection refused): one pass, exit 4 at once,
# not retries until the timeout (QA 5b: 250 s before)
t0=$(date +%s)
"$QUAN" sync --once >"$W/o" 2>"$W/e"; rc=$?
t=$(( $(date +%s) - t0 ))
[ $rc -eq 4 ] || fail "--once with WeChat down: exit $rc, expected 4 ($(cat "$W/o"))"
[ $t -le 10 ] || fail "--once with WeChat down took $t s"
rm -rf "$W"
echo "ok: one quan sync per data dir; --once bounded by --timeout"
