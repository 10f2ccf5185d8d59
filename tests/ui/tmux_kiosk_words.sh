#!/bin/bash
# tmux_kiosk_words.sh — the kiosk tells the customer what to do (issue 16,
# finding 11), in English and Chinese, at 80x24:
#  - the amount screen says whose amount it is (the receipt's; staff help);
#  - after a scan it says how to finish: the prompt and the button name
#    + (the deliberate key, taken even right after a scan) and Enter;
#  - the idle reset counts down on screen;
#  - a refusal that needs staff (an offline cap) says to call staff
#    instead of asking the customer for a manager's PIN;
#  - a PIN lockout says for how long.
# Env: QUAN (binary), QUAN_SRC.
set -u
. "$(dirname "$0")/lib.sh"
SRC=${QUAN_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}

W=$(mktemp -d /tmp/quan-ui-kwords-XXXXXX)
trap 'finish; rm -rf "$W"' EXIT
printf '[offline]\nmax_coupon_fen = 500\n' >"$W/q.conf"
n=0
for lang in en zh_CN; do
	D="$W/d$n"; n=$((n + 1))
	"$QUAN" import --data "$D" stocks "$SRC/tests/core/data/stocks.json" >/dev/null
	"$QUAN" import --data "$D" codes "$SRC/tests/core/data/codes.csv" >/dev/null
	"$QUAN" staff --data "$D" add 9001 --role manager --pin 9999 >/dev/null
	if [ $lang = en ]; then
		WHO="Enter the amount on your receipt"
		FINISH="press + (or Enter) to finish"
		BUTTON="+ or Enter = finish" COUNT="Back to the start in"
		STAFF="Please call a member of staff" MGR="A manager must approve"
		LEAVE="Leave the terminal" LOCKED="locked for" PINW="Manager PIN"
	else
		WHO="请输入小票上的金额" FINISH="按 +（或回车）完成"
		BUTTON="+ 或回车 = 完成"
		COUNT="秒后回到开始" STAFF="请联系店员" MGR="需要店长批准"
		LEAVE="退出终端" LOCKED="还需" PINW="店长密码"
	fi
	start 80x24 "$QUAN run --kiosk --idle-reset 8 --config $W/q.conf --data $D --no-sync --quiet --lang $lang"
	wait_for "$WHO" 10 && ok "$lang: the kiosk says whose amount it is"
	keys -l 120; keys Enter
	line QA0000000000000$n; wait_for " 1 " 5
	wait_for "$FINISH" 5 && wait_for "$BUTTON" 2 &&
		ok "$lang: after a scan the kiosk says how to finish"
	wait_for "$COUNT" 5
	a=$(screen | grep -F "$COUNT" | grep -oE '[0-9]+' | head -1)
	sleep 2.2
	b=$(screen | grep -F "$COUNT" | grep -oE '[0-9]+' | head -1)
	if [ -n "$a" ] && [ -n "$b" ] && [ "$b" -lt "$a" ]; then
		ok "$lang: the idle reset counts down ($a, then $b)"
	else
		echo "FAIL: $lang: no countdown ('$a' then '$b')"; screen; FAILS=$((FAILS + 1))
	fi
	# the key the button names finishes: + (no wait for the stray-Enter
	# window, unlike Enter)
	keys +
	wait_for "$STAFF" 10 && expect_not "$MGR" &&
		ok "$lang: a cap sends the customer to staff, no PIN asked of them"
	keys Escape; sleep 0.5
	# -- five wrong manager PINs lock PIN entry: for how long --------
	keys F10; wait_for "$LEAVE" 5
	for _ in 1 2 3 4 5 6; do
		line 9001; sleep 0.2; line 0000; sleep 0.3
		screen | grep -qF "$LOCKED" && break
	done
	wait_for "$LOCKED" 5 && ok "$lang: a lockout says for how long"
done
[ "$FAILS" -eq 0 ] || { echo "tmux_kiosk_words: $FAILS failure(s)"; exit 1; }
echo "tmux_kiosk_words: ok"
