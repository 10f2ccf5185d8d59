#!/bin/bash
# tmux_kiosk_demo.sh — kiosk mode ignores Ctrl-C, Ctrl-Z, Ctrl-\ and the
# function keys, resets when idle and exits only with a manager PIN; `quan
# demo` from a clean data directory shows the demo banner and codes,
# confirms a coupon against its simulator and stops the simulator on quit;
# without a terminal it refuses cleanly (exit 2).
set -u
. "$(dirname "$0")/lib.sh"
SRC=${QUAN_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}

W=$(mktemp -d /tmp/quan-ui-kiosk-XXXXXX)
trap 'finish; rm -rf "$W"' EXIT
DATA="$W/data"
"$QUAN" import --data "$DATA" stocks "$SRC/tests/core/data/stocks.json" >/dev/null
"$QUAN" import --data "$DATA" codes "$SRC/tests/core/data/codes.csv" >/dev/null
"$QUAN" staff --data "$DATA" add 1001 --role cashier --pin 1234 >/dev/null
"$QUAN" staff --data "$DATA" add 9001 --role manager --pin 9999 >/dev/null

# --- kiosk (with a fake systemd notify socket: READY and watchdog pings) --
python3 - "$W/notify" "$W/notify.log" <<'EOF' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(0.5)
end = time.time() + 20
with open(sys.argv[2], "w") as log:
    while time.time() < end:
        try:
            log.write(s.recv(4096).decode() + "\n")
            log.flush()
        except socket.timeout:
            pass
EOF
NPID=$!
for _ in $(seq 50); do [ -S "$W/notify" ] && break; sleep 0.1; done
start 80x24 "NOTIFY_SOCKET=$W/notify WATCHDOG_USEC=1000000 $QUAN run --kiosk --idle-reset 2 --data $DATA --lang en"
wait_for "SELF-SERVICE" 10
wait_for "Enter the amount on your receipt" 5
keys C-c; keys C-z; keys 'C-\'
for f in F1 F2 F3 F4 F5 F6 F7 F8 F9 F11 F12; do keys "$f"; done
sleep 0.5
expect_not "quan exited"
wait_for "SELF-SERVICE" 2 && ok "kiosk ignores Ctrl-C, Ctrl-Z, Ctrl-\\ and F-keys"
sleep 3
if grep -q "READY=1" "$W/notify.log" &&
    [ "$(grep -c "WATCHDOG=1" "$W/notify.log")" -ge 3 ]; then
	ok "sd_notify READY=1 and watchdog pings every half interval"
else
	echo "FAIL: notify log: $(tr '\n' ' ' <"$W/notify.log")"
	FAILS=$((FAILS + 1))
fi
kill "$NPID" 2>/dev/null; wait "$NPID" 2>/dev/null
keys -l 120; wait_for "███" 5 && ok "kiosk amount in big digits"
keys Enter; wait_for "Scan or type" 5
line QA00000000000001; wait_for "¥10.00" 5
redeem
wait_for "A C C E P T E D" 5 && ok "kiosk big verdict"
wait_for "Enter the amount on your receipt" 8 && ok "kiosk idle reset"
keys F10; wait_for "Leave the terminal" 5
line 1001; wait_for "Manager PIN" 5
line 1234; wait_for "A manager's PIN is needed" 5
expect_not "quan exited"
line 9001; wait_for "Manager PIN" 5
line 9999; wait_for "Reason" 5
line closing
wait_for "quan exited rc=0" 10 && ok "only a manager PIN leaves the kiosk"

# --- a serial scanner (pseudo-terminal) feeding the terminal ------------
python3 - "$W/pty.name" QA00000000000005 <<'EOF' &
import os, pty, sys, time, tty
m, s = pty.openpty()
tty.setraw(s)
open(sys.argv[1], "w").write(os.ttyname(s))
while not os.path.exists(sys.argv[1] + ".go"):
    time.sleep(0.05)
for code in sys.argv[2:]:
    os.write(m, (code + "\r\n").encode())
time.sleep(10)
EOF
PPID_SCAN=$!
for _ in $(seq 50); do [ -s "$W/pty.name" ] && break; sleep 0.1; done
start 80x24 "$QUAN run --data $DATA --lang en --source serial:$(cat "$W/pty.name")"
wait_for "Cashier id" 10
line 1001; wait_for "PIN:" 5; line 1234; wait_for "Amount (yuan)" 10
line 300; wait_for "Scan or type" 5
touch "$W/pty.name.go"
wait_for "满100减10" 10 && ok "serial scanner scan lands in the basket"
keys F6; wait_for "serial:" 5 && wait_for "QA00000000000005" 2 &&
	ok "scanner diagnostics show the serial scan"
keys F10; wait_for "quan exited rc=0" 10
kill "$PPID_SCAN" 2>/dev/null; wait "$PPID_SCAN" 2>/dev/null

# --- demo without a terminal -----------------------------------------
"$QUAN" demo </dev/null >"$W/out" 2>"$W/err"
rc=$?
if [ $rc -eq 2 ] && grep -q "needs a terminal" "$W/err"; then
	ok "demo refuses without a terminal (exit 2)"
else
	echo "FAIL: demo without a tty: rc=$rc: $(cat "$W/err")"
	FAILS=$((FAILS + 1))
fi

# --- demo from a clean data directory ----------------------------------
D="$W/demo"
start 100x30 "$QUAN demo --data $D --lang en"
wait_for "Demo codes" 40 && ok "demo starts from a clean data dir"
wait_for "DEMO" 2
wait_for "cashier 1001" 2
wait_for "ONLINE" 20
NORMAL=$(screen | grep -A1 "valid NORMAL" | tail -1 | awk '{print $NF}')
line 300; wait_for "Scan or type" 5
line "$NORMAL"; wait_for " 1 " 5
redeem
wait_for "CONFIRMED" 15 && ok "demo coupon confirmed by its simulator"
keys F10
wait_for "quan exited rc=0" 15
wait_for "simulator stopped" 2 && ok "quitting the demo stops the simulator"
if pgrep -f "sim serve $D/sim" >/dev/null; then
	echo "FAIL: the demo simulator still runs"
	FAILS=$((FAILS + 1))
fi

if [ "$FAILS" -ne 0 ]; then
	echo "tmux_kiosk_demo: $FAILS failure(s)"
	exit 1
fi
echo "tmux_kiosk_demo: all passed"
