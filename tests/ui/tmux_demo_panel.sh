#!/bin/bash
# tmux_demo_panel.sh — QA finding 7: at 80x24 (and 100x30) the demo panel
# could not show every demo code (it stopped after "card GENERAL_COUPON").
# Now it pages: the last row says "F11: more codes (a-b of n)" and F11
# shows the next page, so every code is reachable; back to the first page
# after the last. The demo then quits with F10. The page row is whole on
# every page, in English and Chinese (the Chinese one was cut at 28
# columns: "F11：更多代码（第 1-10 个，").
set -u
. "$(dirname "$0")/lib.sh"
W=$(mktemp -d /tmp/quan-ui-panel-XXXXXX)
trap 'finish; rm -rf "$W"' EXIT

start 80x24 "$QUAN demo --data $W/demo --lang en"
wait_for "Demo codes" 40 || exit 1
wait_for "F11: more codes (1-" 10 || exit 1
# whole_hint LANG: the panel's page row, not cut
whole_hint() {
	if [ "$1" = en ]; then
		re='F11(: more codes \([0-9]+-[0-9]+ of [0-9]+\)|: more [0-9]+-[0-9]+/[0-9]+) *$'
	else
		re='F11：更多代码(（第 [0-9]+-[0-9]+ 个，共 [0-9]+ 个）| [0-9]+-[0-9]+/[0-9]+) *$'
	fi
	screen | grep -qE -- "$re" ||
		{ echo "FAIL: $1: the page row is cut: $(screen | grep F11)" >&2; FAILS=$((FAILS + 1)); }
}
seen=$(screen)
whole_hint en
for _ in 1 2 3 4 5 6; do
	keys F11
	sleep 0.3
	seen="$seen
$(screen)"
	whole_hint en
	screen | grep -qF "F11: more codes (1-" && break
done
for want in "valid NORMAL" "card consumed" "not_yet_valid" "outside_window" \
    "deactivated" "stock_paused" "unknown code" "garbage"; do
	if ! printf '%s\n' "$seen" | grep -qF -- "$want"; then
		echo "FAIL: '$want' never shown on the demo panel at 80x24" >&2
		FAILS=$((FAILS + 1))
	fi
done
screen | grep -qF "F11: more codes (1-" ||
	{ echo "FAIL: F11 did not come back to the first page" >&2; FAILS=$((FAILS + 1)); }
# QA 12f: the key bar at 80 columns shows whole labels
screen | tail -1 | grep -qF "9 Logout" ||
	{ echo "FAIL: key bar at 80 columns: $(screen | tail -1)" >&2; FAILS=$((FAILS + 1)); }
keys F10
wait_for "quan exited rc=0" 15
start 80x24 "$QUAN demo --data $W/demo-zh --lang zh_CN"
wait_for "F11：更多代码" 40
for _ in 1 2 3; do whole_hint zh; keys F11; sleep 0.3; done
keys F10
wait_for "quan exited rc=0" 15
if [ "$FAILS" -ne 0 ]; then
	echo "tmux_demo_panel: $FAILS failure(s)"
	exit 1
fi
echo "tmux_demo_panel: all passed"
