#!/bin/bash
# reconcile_daily.sh — the sync daemon's daily 对账 (issue 11): after
# 10:00 store time `quan sync` (the daemon) compares yesterday's trade
# bill with the till once, records it (a restart does not repeat it), and
# a difference reaches `quan status` and the X report. The store's zone is
# chosen so that it is afternoon there now; the till's WeChat payment is
# moved into yesterday, which WeChat's bill (the simulator's) does not
# have: one difference.
set -u
QUAN=${QUAN:?QUAN must name the quan binary}
W=$(mktemp -d /tmp/quan-recday-XXXXXX)
SIM=$W/sim
SIM_SEED=17
. "$(dirname "${BASH_SOURCE[0]}")/simlib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/salelib.sh"
DPID=
cleanup() { kill_sim; [ -n "$DPID" ] && kill "$DPID" 2>/dev/null; wait 2>/dev/null; }
trap cleanup EXIT
q() { sqlite3 "$W/data/quan.db" "$1"; }

sale_setup 500
"$QUAN" sale --amount 30 --pay "$(pay_code 00)" >/dev/null || fail "sale"
# a zone where it is between 12:00 and 22:59 now, and its yesterday
read -r ZONE YDAY YFROM < <(python3 -c "
import time
now = time.time()
for off in range(14, -13, -1):
    lt = time.gmtime(now + off * 3600)
    if 12 <= lt.tm_hour <= 22:
        mid = now - (lt.tm_hour * 3600 + lt.tm_min * 60 + lt.tm_sec) - 86400
        print('Etc/GMT%+d' % -off if off else 'Etc/GMT',
              time.strftime('%Y-%m-%d', time.gmtime(mid + off * 3600 + 43200)),
              int(mid))
        break")
[ -n "$ZONE" ] || fail "no zone"
sed -i "s|^timezone = .*|timezone = $ZONE|" "$QUAN_CONFIG"
q "UPDATE payments SET created_at = $((YFROM + 3600)), updated_at = $((YFROM + 3600))"

# daemon: run `quan sync` until its loop has been round twice (it
# publishes sync.updated_at each pass, every 2 s; the reconcile is in
# the first pass), then SIGTERM
daemon() {
	local seen=0 last v
	last=$(q "SELECT value FROM meta WHERE key = 'sync.updated_at'")
	"$QUAN" sync >"$W/d.out" 2>"$W/d.err" &
	DPID=$!
	for _ in $(seq 300); do
		v=$(q "SELECT value FROM meta WHERE key = 'sync.updated_at'")
		if [ "$v" != "$last" ]; then
			seen=$((seen + 1)); last=$v
			[ $seen -ge 2 ] && break
		fi
		sleep 0.1
	done
	kill -TERM "$DPID"; wait "$DPID"; DPID=
}
daemon first
REC=$(q "SELECT value FROM meta WHERE key = 'reconcile_daily'")
[ -n "$REC" ] || fail "the daemon did not reconcile: $(cat "$W/d.err")"
python3 - "$REC" "$YDAY" <<'PY' || fail "record: $REC (want $YDAY)"
import json, sys
j = json.loads(sys.argv[1])
assert j["date"] == sys.argv[2] and j["differences"] == 1, j
PY
grep -q "reconcile $YDAY: 1 difference" "$W/d.err" || fail "not logged: $(cat "$W/d.err")"
# restarted: not again
daemon again
[ "$(q "SELECT value FROM meta WHERE key = 'reconcile_daily'")" = "$REC" ] ||
	fail "ran again after a restart"
grep -q "reconcile $YDAY" "$W/d.err" && fail "logged again after a restart"
# the manager sees it: quan status, the X report
"$QUAN" status --json | python3 -c "
import json, sys
j = json.load(sys.stdin)
assert j['reconcile']['differences'] == 1, j.get('reconcile')" || fail "status"
printf 'login 1001 1234\nkey xreport\nprint\nexpect line: Reconcile: differences with WeChat: %s: 1\n' "$YDAY" >"$W/s"
"$QUAN" run --headless "$W/s" --quiet --lang en >"$W/o" 2>"$W/e" ||
	{ cat "$W/o" "$W/e" >&2; fail "X report line"; }
echo "reconcile daily: ok ($ZONE, $YDAY)"
rm -rf "$W"
