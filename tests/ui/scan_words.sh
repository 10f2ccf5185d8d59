#!/bin/bash
# scan_words.sh — QA finding 12e: a 3000-character scan (a scanner or a
# keyboard wedge gone wrong) is rejected with what happened ("too long for
# a coupon code"; zh 太长，不是优惠券码), not "not a readable coupon code".
# Also QA 12c: quitting with a sale open asks first.
set -u
: "${QUAN:?}"
W=$(mktemp -d /tmp/quan-ui-words-XXXXXX)
trap 'rm -rf "$W"' EXIT
export QUAN_DATA=$W/data
unset QUAN_CONFIG
"$QUAN" staff add 1001 --role cashier --pin 1234 >/dev/null || { echo "FAIL: staff"; exit 1; }
LONG=$(head -c 300 /dev/zero | tr '\0' '7')
for lang in en zh_CN; do
	want="too long for a coupon code"; [ $lang = zh_CN ] && want="太长，不是优惠券码"
	cat >"$W/s" <<S
login 1001 1234
amount 10
scan $LONG
print
expect $want
expect-not not a readable coupon code
S
	"$QUAN" run --no-sync --headless "$W/s" --quiet --lang $lang >"$W/o" 2>"$W/e" ||
		{ echo "FAIL ($lang): $(tail -5 "$W/o") $(cat "$W/e")"; exit 1; }
done
# QA 12c: quit with a sale open asks first; the second quit ends it
cat >"$W/q" <<S
login 1001 1234
amount 10
scan QA00000000000001
key quit
print
expect A sale is open: press F10
S
"$QUAN" run --no-sync --headless "$W/q" --quiet --lang en >"$W/o" 2>"$W/e" ||
	{ echo "FAIL (quit): $(tail -8 "$W/o") $(cat "$W/e")"; exit 1; }
echo "ok: an over-long scan says it is too long"
