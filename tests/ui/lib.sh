# lib.sh — helpers for the tmux-driven tests of the real terminal: start
# quan in a detached tmux session of a given size, send keys, and wait for
# text on the screen by polling capture-pane (never fixed sleeps), with a
# timeout. Sourced by tests/ui/*.sh.

: "${QUAN:?QUAN must name the quan binary}"
T_SOCK="quan-ui-test-$$"
T_SESS=t0
FAILS=0

tm() { tmux -L "$T_SOCK" "$@"; }

# start COLSxROWS command... : a fresh session running the command (exec'd,
# so the pane pid is quan's); "quan exited rc=N" is shown when it ends.
start() {
	size=$1; shift
	# the new session first, then drop the old one: killing the last
	# session would stop the server under our feet
	old=$T_SESS
	T_N=$(( ${T_N:-0} + 1 )); T_SESS="t$T_N"
	tm -f /dev/null new-session -d -s "$T_SESS" -x "${size%x*}" \
		-y "${size#*x}" "$* ; echo \"quan exited rc=\$?\"; sleep 600"
	tm set-option -t "$T_SESS" remain-on-exit on >/dev/null
	tm kill-session -t "$old" 2>/dev/null || true
}

screen() { tm capture-pane -t "$T_SESS" -p; }
keys() { tm send-keys -t "$T_SESS" "$@"; }
# type TEXT then Enter, as a scanner or a person would
line() { tm send-keys -t "$T_SESS" -l "$1"; tm send-keys -t "$T_SESS" Enter; }

# wait_for TEXT [SECONDS]: poll the screen until it shows TEXT.
wait_for() {
	want=$1; secs=${2:-10}
	end=$(( $(date +%s) + secs ))
	while [ "$(date +%s)" -le "$end" ]; do
		if screen | grep -qF -- "$want"; then
			return 0
		fi
		sleep 0.1
	done
	echo "FAIL: '$want' not on screen within ${secs}s:" >&2
	screen >&2
	FAILS=$((FAILS + 1))
	return 1
}

# expect_not TEXT: the screen does not show TEXT now.
expect_not() {
	if screen | grep -qF -- "$1"; then
		echo "FAIL: '$1' on screen:" >&2
		screen >&2
		FAILS=$((FAILS + 1))
	fi
}

# pid of the program in the pane (exec'd by sh -c ... ; so look below it)
pane_quan_pid() {
	pp=$(tm display -p -t "$T_SESS" '#{pane_pid}')
	c=$(pgrep -P "$pp" -x quan | head -1)
	echo "${c:-$pp}"
}

# sim_till SIM DATA [SERVE_ARGS...]: a seeded `quan sim` in SIM, serving
# (its pid in SIMPID, its output in SIM.out), and a till data dir DATA
# with its stocks, cards and codes imported and cashier 1001 (PIN 1234).
sim_till() {
	sim=$1 data=$2; shift 2
	"$QUAN" sim init "$sim" >/dev/null 2>&1 &&
		"$QUAN" sim seed "$sim" >/dev/null 2>&1 ||
		{ echo "FAIL: sim init/seed"; exit 1; }
	"$QUAN" sim serve "$sim" --listen 127.0.0.1:0 "$@" >"$sim.out" \
		2>/dev/null &
	SIMPID=$!
	for _ in $(seq 100); do
		grep -q '^listening' "$sim.out" && break; sleep 0.1
	done
	for k in stocks cards codes; do
		f="$sim/import/$k.json"; [ $k = codes ] && f="$sim/import/codes.csv"
		"$QUAN" import --config "$sim/quan.conf" --data "$data" $k "$f" \
			>/dev/null
	done
	"$QUAN" staff --data "$data" add 1001 --pin 1234 >/dev/null
}

# key_figures FILE: "n p50 p99 max" (ms) of the microsecond figures in
# FILE, one a line ("0 - - -" when none).
key_figures() {
	sort -n "$1" | awk '
	{ v[NR] = $1 }
	END {
		if (NR == 0) { print "0 - - -"; exit }
		i50 = int(NR * 0.50); if (i50 < 1) i50 = 1
		i99 = int(NR * 0.99 + 0.999); if (i99 > NR) i99 = NR
		printf "%d %.1f %.1f %.1f\n", NR, v[i50] / 1000,
		    v[i99] / 1000, v[NR] / 1000
	}'
}

finish() {
	tm kill-server 2>/dev/null || true
}

ok() { echo "ok: $*"; }

# redeem: Enter on the empty scan field, as a cashier does — after the
# window in which an Enter that follows a scan is taken for the scanner's
# CR+LF suffix or a double Enter (STRAY_ENTER_MS, 300 ms) and ignored
redeem() { sleep 0.35; tm send-keys -t "$T_SESS" Enter; }

# seed_code SIM FAMILY CASE [TYPE] [N]: the Nth (1-based) code of the
# simulator's seed (merchant|card, valid|used|expired..., stock or card type)
seed_code() {
	python3 - "$1/seed.json" "${@:2}" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
fam, case = sys.argv[2], sys.argv[3]
typ = sys.argv[4] if len(sys.argv) > 4 and sys.argv[4] else None
n = int(sys.argv[5]) if len(sys.argv) > 5 else 1
hits = [c["code"] for c in d[fam][case]
        if typ is None or c.get("stock_type", c.get("card_type")) == typ]
print(hits[n - 1])
PY
}
