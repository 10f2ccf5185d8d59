#!/bin/bash
# tmux_screens_80x24.sh — no screen cuts text at 80x24 (issue 16, the
# measure "screens that fit 80x24 without cutting text"), in English and
# Chinese: the settings, the sales list and the detail of a voided sale
# with two coupons and a long reason, the Z report and the scans list.
#
# Each screen is read in the real binary in tmux, every page of it (PgDn
# until its "rows a-b of n" row says the end), and checked three ways:
#  - no body row reaches the last column (a cut line fills it; wrapped
#    rows end before it);
#  - every line the session put on that screen is there whole: the same
#    screens driven headless on a copy of the data give the model lines
#    (in the same words); each, without its spaces and its figures
#    (times, hashes), must be found in the rows read, put back in order;
#  - the scanned codes are shown whole on the scans list.
# Env: QUAN (binary), QUAN_SRC; SIZE (default 80x24) to try another size.
set -u
. "$(dirname "$0")/lib.sh"
SRC=${QUAN_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
SIZE=${SIZE:-80x24}
ROWS=${SIZE#*x}

W=$(mktemp -d /tmp/quan-ui-scr80-XXXXXX)
trap 'finish; [ -n "${KEEP:-}" ] || rm -rf "$W"' EXIT
WHY="the customer found the coupons were for another branch and asked for the whole sale back"
CODE1=QA00000000000001 CODE2=1227944959000000911017 CODE3=QA00000000000003
CODE4=QA00000000000004 CODE5=PS00000000000001
JUNK=NOT-A-COUPON-ABCDEFGHIJKLMNOPQRSTUVWXYZ-0123
# a config in a deep directory: the settings' path is long (one word)
CD="$W/a-rather-long-directory-name-for-the-till-config/and-another-level"
mkdir -p "$CD"
printf '[terminal]\nid = T01\n' >"$CD/quan.conf"

# check.py NAME MODEL PAGES...: the checks above, on one screen
cat >"$W/check.py" <<'PY'
import re, sys, unicodedata
name, model, pages = sys.argv[1], sys.argv[2], sys.argv[3:]
rows_max = int(__import__("os").environ["ROWS"])
cols = int(__import__("os").environ["COLS_"])
bad = []

def width(s):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1
               for c in s)

def norm(s):
    # without spaces and figures: a wrap moves words, not letters; times
    # and hashes differ between the two runs
    return "".join(t for t in s.split() if not re.search(r"[0-9]", t))

hint = re.compile(r"(rows|第) ?(\d+)-(\d+) ?(of|行，共) ?(\d+)")
rows = {}
title = ""
for p in pages:
    lines = open(p, encoding="utf-8").read().split("\n")
    lines += [""] * (rows_max - len(lines))
    title = lines[1]
    body = lines[2:rows_max - 3]
    for i, l in enumerate(lines[1:rows_max - 3], 1):
        if width(l.rstrip()) >= cols:
            bad.append("row %d reaches column %d (cut?): %r" % (i, cols, l))
    m = None
    for i in range(len(body) - 1, -1, -1):
        m = hint.search(body[i])
        if m:
            body = body[:i]
            break
    first = int(m.group(2)) if m else 1
    for k, l in enumerate(body):
        rows[first + k] = l
seen = "".join(norm(rows[k]) for k in sorted(rows))
want = []
for l in open(model, encoding="utf-8").read().split("\n"):
    if l.startswith("line: "):
        want.append(l[6:])
    elif l.startswith("title: ") and norm(l[7:]) not in norm(title):
        bad.append("title cut: %r not in %r" % (l[7:], title))
if not want:
    bad.append("the model has no lines")
for l in want:
    if norm(l) not in seen:
        bad.append("not on screen whole: %r" % l)
for b in bad:
    print("FAIL: %s: %s" % (name, b))
if bad:
    print("--- rows read:")
    for k in sorted(rows):
        print("%3d|%s" % (k, rows[k]))
    sys.exit(1)
print("ok: %s: %d lines, %d rows, %d page(s)" % (name, len(want),
      len(rows), len(pages)))
PY

# read_pages NAME: every page of the screen on show into $W/NAME.N
read_pages() {
	local i=0 prev="" cur
	while [ $i -lt 12 ]; do
		cur=$(screen)
		printf '%s\n' "$cur" >"$W/$1.$i"
		i=$((i + 1))
		# the hint row: "rows a-b of n" / "第 a-b 行，共 n 行"
		set -- "$1" $(printf '%s\n' "$cur" |
			grep -oE '(rows |第 )[0-9]+-[0-9]+ (of |行，共 )[0-9]+' |
			grep -oE '[0-9]+' | tr '\n' ' ')
		[ $# -eq 4 ] && [ "$3" -lt "$4" ] || break
		prev=$cur
		keys NPage
		for _ in $(seq 30); do
			[ "$(screen)" != "$prev" ] && break; sleep 0.05
		done
	done
	PAGES=$i
}

# model: the screen's lines as the session has them (headless)
model() {
	cat <<S
login 1001 1234
key settings
print
key txns
print
key detail
print
key zreport
submit 9001
submit 9999
submit 4
print
key cancel
submit 50
scan $CODE3
scan $JUNK
key diag
print
S
}

n=0
for lang in en zh_CN; do
	D="$W/d$n"; n=$((n + 1))
	"$QUAN" import --data "$D" stocks "$SRC/tests/core/data/stocks.json" >/dev/null
	"$QUAN" import --data "$D" codes "$SRC/tests/core/data/codes.csv" >/dev/null
	"$QUAN" staff --data "$D" add 1001 --role cashier --pin 1234 >/dev/null
	"$QUAN" staff --data "$D" add 9001 --role manager --pin 9999 >/dev/null
	# two sales, voided with long reasons (the second, the one the sales
	# list selects, with two coupons of two kinds): the Z report takes
	# more than one page at 80x24 (its wrapped void lines)
	for c in "$CODE4 $CODE5" "$CODE1 $CODE2"; do
		set -- $c
		printf 'amount 120\nscan %s\nscan %s\nsleep 400\nconfirm\nkey txns\nkey void\nsubmit 9001\nsubmit 9999\nsubmit %s\nkey new\n' \
			"$1" "$2" "$WHY"
	done | sed '1i login 1001 1234' >"$W/prep"
	"$QUAN" run --config "$CD/quan.conf" --data "$D" --no-sync --lang $lang \
		--headless "$W/prep" >"$W/prep.out" 2>&1 ||
		{ echo "FAIL: $lang: the sale: $(tail -20 "$W/prep.out")"; exit 1; }
	cp -a "$D" "$D.m"
	model >"$W/m"
	"$QUAN" run --config "$CD/quan.conf" --data "$D.m" --no-sync --quiet \
		--lang $lang --headless "$W/m" >"$W/m.out" 2>&1 ||
		{ echo "FAIL: $lang: the model: $(tail -20 "$W/m.out")"; exit 1; }
	# one file per printed view, in the order above
	# (headless names its scans' source "script", the terminal's keys
	# are "keyboard")
	sed -i 's/^line: script /line: keyboard /' "$W/m.out"
	awk -v d="$W/$lang.m" '/^== view/ { k++ } k { print > (d k) }' "$W/m.out"
	grep -q "screen=settings" "$W/$lang.m1" && grep -q "screen=txns" "$W/$lang.m2" &&
		grep -q "screen=detail" "$W/$lang.m3" && grep -q "screen=report" "$W/$lang.m4" &&
		grep -q "screen=diag" "$W/$lang.m5" ||
		{ echo "FAIL: $lang: the model's screens: $(grep '^== view' "$W/m.out")"; exit 1; }

	start "$SIZE" "$QUAN run --config $CD/quan.conf --data $D --no-sync --quiet --lang $lang"
	if [ $lang = en ]; then
		LOGIN="Cashier id" AMOUNT="Amount (yuan)" REASON="Reason"
		SET="Config file" LIST="Time" DETAIL="Void the sale: 9001"
		ZREP="Z number" SCANS="Last scans"
	else
		LOGIN="收银员工号" AMOUNT="金额（元）" REASON="原因"
		SET="配置文件" LIST="时间" DETAIL="作废交易: 9001"
		ZREP="Z 编号" SCANS="最近扫码"
	fi
	wait_for "$LOGIN" 10 || continue
	line 1001; sleep 0.2; line 1234; wait_for "$AMOUNT" 10
	check() { # NAME MODELFILE
		read_pages "$lang-$1"
		ROWS=$ROWS COLS_=${SIZE%x*} python3 "$W/check.py" "$lang $SIZE $1" "$2" \
			$(for i in $(seq 0 $((PAGES - 1))); do echo "$W/$lang-$1.$i"; done) ||
			FAILS=$((FAILS + 1))
	}
	keys F7; wait_for "$SET" 5 && check settings "$W/$lang.m1"
	keys F3; wait_for "$LIST" 5 && check sales "$W/$lang.m2"
	keys Enter; wait_for "$DETAIL" 5 && check detail "$W/$lang.m3"
	keys Escape; sleep 0.3
	keys F5; sleep 0.3; line 9001; sleep 0.2; line 9999
	wait_for "$REASON" 5; line 4
	wait_for "$ZREP" 5 && check zreport "$W/$lang.m4"
	keys Escape; wait_for "$AMOUNT" 5
	line 50; sleep 0.3
	line $CODE3; sleep 0.4; line $JUNK; sleep 0.4
	keys F6; wait_for "$SCANS" 5 && check scans "$W/$lang.m5"
	for c in $CODE3 $JUNK; do
		cat "$W/$lang-scans".* | grep -qF -- "$c" ||
			{ echo "FAIL: $lang: the scan $c is not shown whole"; FAILS=$((FAILS + 1)); }
	done
	keys Escape; sleep 0.3; keys F10; sleep 0.3; keys F10; wait_for "quan exited" 5
done
[ "$FAILS" -eq 0 ] || { echo "tmux_screens_80x24: $FAILS failure(s)"; exit 1; }
echo "tmux_screens_80x24: ok"
