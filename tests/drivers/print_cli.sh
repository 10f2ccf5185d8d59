#!/bin/bash
# print_cli.sh — `quan print`: the sample receipt reaches a file: printer
# byte for byte as rendered (the test page of drivers/printer.h), is kept
# for --last, a missing printer is a code and exit 1 (the receipt stays
# kept), usage errors exit 2.
set -u
: "${QUAN:?}" "${QUAN_SRC:?}"
fail=0
bad() { echo "FAIL: $*"; fail=1; }
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
export QUAN_DATA="$t/data"
printf '[printer]\ndevice = file:%s/roll.bin\nwidth_mm = 58\n' "$t" > "$t/q.conf"
export QUAN_CONFIG="$t/q.conf"

out=$("$QUAN" print --sample --json 2>&1); rc=$?
[ $rc = 0 ] || bad "sample: exit $rc: $out"
[ "$out" = '{"printed":true,"error":"ok","bytes":838}' ] || bad "sample: $out"
cmp -s "$t/roll.bin" "$QUAN_SRC/tests/drivers/receipts/sale_zh_58.bin" ||
	bad "the roll is not the 58 mm sample receipt"
cmp -s "$t/roll.bin" "$QUAN_DATA/receipt-last.bin" || bad "not kept"
[ "$(stat -c %a "$QUAN_DATA/receipt-last.bin")" = 600 ] || bad "mode"

# the printer is gone: a code, exit 1, the receipt still there
out=$("$QUAN" print --last --json --device "$t/no-lp0" 2>&1); rc=$?
[ $rc = 1 ] || bad "gone: exit $rc"
[ "$out" = '{"printed":false,"error":"nodev","bytes":838}' ] || bad "gone: $out"
out=$("$QUAN" print --last --device "$t/no-lp0" 2>&1)
echo "$out" | grep -qF '打印机未连接' || bad "cashier's words: $out"
# reprint once it is back: the same bytes again
"$QUAN" print --last >/dev/null 2>&1 || bad "reprint"
[ "$(stat -c %s "$t/roll.bin")" = 1676 ] || bad "reprint size"

# English, 80 mm
rm -f "$t/roll.bin"
"$QUAN" print --sample --lang en --width 80 >/dev/null 2>&1 || bad "en 80"
grep -qaF 'Paid by WeChat Pay' "$t/roll.bin" || bad "en labels"

"$QUAN" print >/dev/null 2>&1; [ $? = 2 ] || bad "no mode: not usage"
"$QUAN" print --sample --width 76 >/dev/null 2>&1; [ $? = 2 ] || bad "width"
"$QUAN" print --sample --device lp0 >/dev/null 2>&1; [ $? = 1 ] ||
	bad "bad device"
exit $fail
