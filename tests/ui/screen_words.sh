#!/bin/bash
# screen_words.sh — issue 16 finding 9: what reaches the cashier's screen
# is words, through the one table (core/coupon.h), in both languages: a
# coupon's kind is 满减券 / "amount off", not NORMAL; the sales list says
# 待收款 / 已作废 (to pay / voided), not redeemed/voided; void is 作废 on
# every screen (never 撤销: WeChat Pay's word for reversing a charge); a
# code used here scanned after one of its stock says 已使用, not the per
# sale limit 本单此券数量超限; a manager's reason from the menu (1 wrong
# item) is 商品有误 on the X report, not (wrong item).
set -u
: "${QUAN:?}"
SRC=${QUAN_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
W=$(mktemp -d /tmp/quan-ui-scrwords-XXXXXX)
trap 'rm -rf "$W"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
export QUAN_DATA=$W/data
unset QUAN_CONFIG
D=$SRC/tests/core/data
"$QUAN" import stocks "$D/stocks.json" >/dev/null || fail "import stocks"
"$QUAN" import codes "$D/codes.csv" >/dev/null || fail "import codes"
"$QUAN" staff add 1001 --role cashier --pin 1234 >/dev/null || fail "staff"
"$QUAN" staff add 9001 --role manager --pin 9999 >/dev/null || fail "staff"
# one sale of QA..02 first: used here
"$QUAN" redeem --json --amount 200 QA00000000000002 >/dev/null
[ $? -eq 0 ] || fail "redeem QA..02"

sale() { # LANG: a sale of QA..01 then QA..02 (used), the list, a void
	cat <<S
login 1001 1234
amount 120
scan QA00000000000001
scan QA00000000000002
print
sleep 400
confirm
print
key txns
print
key void
print
submit 9001
submit 9999
submit 1
print
key txns
print
key xreport
print
S
}
sale >"$W/s"
"$QUAN" run --no-sync --headless "$W/s" --lang zh_CN >"$W/zh" 2>"$W/e" ||
	fail "zh_CN run: $(tail -5 "$W/zh") $(cat "$W/e")"
"$QUAN" run --no-sync --headless "$W/s" --lang en >"$W/en" 2>"$W/e" ||
	fail "en run: $(tail -5 "$W/en") $(cat "$W/e")"
has() { grep -qF -- "$2" "$W/$1" || fail "$1: no '$2' in: $(cat "$W/$1")"; }
hasnt() { ! grep -qF -- "$2" "$W/$1" || fail "$1: '$2' on screen: $(grep -F -- "$2" "$W/$1" | head -3)"; }
has zh "[满减券]"
hasnt zh "[NORMAL]"
has en "[amount off]"
has zh "已使用 "
hasnt zh "本单此券数量超限"
has en "already used at"
hasnt en "too many of this coupon in one sale"
has zh "待收款:"
has zh "已作废:"
hasnt zh "redeemed"
hasnt zh "voided  "
has en "to pay:"
has en "voided:"
has zh "approve: 作废交易"
has zh "已作废，正在退券"
hasnt zh "撤销"
# the approval's reason from the menu, in words (X report's void line)
has zh "9001 (商品有误)"
hasnt zh "wrong item"
has en "(wrong item)"
echo "ok: kinds, sale states, used-before-limit and void are words in both languages"
