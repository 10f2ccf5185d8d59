#!/bin/bash
# scan_cli.sh — `quan scan` over stdin: JSON lines and escaping, AIM ids,
# charsets, hex for binary, refusals (control characters, over-long,
# prefix), dedupe window, --diag output, exit codes.
set -u
: "${QUAN:?}"
fail=0
bad() { echo "FAIL: $*"; fail=1; }

out=$(printf ']Q1CPN:2024-ZX\nsay "hi" \\ there\n\xd3\xc5\xbb\xdd\xc8\xaf\nab\x01c\n' |
	"$QUAN" scan --json --source 'stdin,charset=gb18030' 2>/dev/null)
rc=$?
[ $rc = 0 ] || bad "exit $rc"
[ "$(printf '%s\n' "$out" | wc -l)" = 4 ] || bad "want 4 lines: $out"
echo "$out" | grep -qF '"symbology":"QR-Code","aim":"]Q1","text":"CPN:2024-ZX"' ||
	bad "AIM line: $out"
echo "$out" | grep -qF '"text":"say \"hi\" \\ there"' || bad "escaping: $out"
echo "$out" | grep -qF '"text":"优惠券","encoding":"gb18030"' || bad "gb: $out"
echo "$out" | grep -qF '"text":"","encoding":"binary","len":4,"hex":"61620163"' ||
	bad "binary: $out"
# the same GB18030 bytes from a source whose charset is not known: bytes
# (hex), never a guess
out=$(printf '\xd3\xc5\xbb\xdd\xc8\xaf\n' | "$QUAN" scan --json 2>/dev/null)
echo "$out" | grep -qF '"text":"","encoding":"binary","len":6,"hex":"d3c5bbddc8af"' ||
	bad "gb without charset=: $out"

# the same scan twice in the window is one scan; --dedupe-ms 0 keeps both
n=$(printf 'AAA-1\nAAA-1\n' | "$QUAN" scan --json 2>/dev/null | wc -l)
[ "$n" = 1 ] || bad "dedupe: $n lines"
n=$(printf 'AAA-1\nAAA-1\n' | "$QUAN" scan --json --dedupe-ms 0 2>/dev/null |
	wc -l)
[ "$n" = 2 ] || bad "dedupe off: $n lines"

# caps: --max-len, and lines over the hard cap
n=$(printf '123456789\n1234\n' | "$QUAN" scan --json --max-len 8 2>/dev/null |
	wc -l)
[ "$n" = 1 ] || bad "max-len: $n lines"
n=$(head -c 3000 /dev/zero | tr '\0' A | "$QUAN" scan --json 2>/dev/null |
	wc -l)
[ "$n" = 0 ] || bad "3000-byte line let through"

# prefix/suffix stripping from the spec
out=$(printf '#X-42$\nX-43$\n' | "$QUAN" scan --json \
	--source 'stdin,prefix=#,suffix=$' 2>&1)
echo "$out" | grep -qF '"text":"X-42"' || bad "prefix strip: $out"
echo "$out" | grep -qF 'prefix missing' || bad "prefix refusal: $out"
echo "$out" | grep -qF '"text":"X-43"' && bad "no-prefix scan let through"

# [scanner] in the config gives the sources and the dedupe window
t=$(mktemp -d /tmp/quan-scancli-XXXXXX)
printf '[scanner]\nsource = stdin,prefix=#\ndedupe_ms = 0\n' > "$t/q.ini"
n=$(printf '#A-1\n#A-1\nB-2\n' | "$QUAN" scan --json --config "$t/q.ini" \
	2>/dev/null | grep -c '"text":"A-1"')
[ "$n" = 2 ] || bad "config sources/dedupe: $n"
printf '[scanner]\nbogus = 1\n' > "$t/bad.ini"
"$QUAN" scan --config "$t/bad.ini" </dev/null >/dev/null 2>&1
rc=$?; [ $rc = 1 ] || bad "bad config exit $rc"
rm -rf "$t"

# nothing read: 3; bad usage: 2
printf '\n\n' | "$QUAN" scan --json >/dev/null 2>&1
rc=$?; [ $rc = 3 ] || bad "empty input exit $rc"
"$QUAN" scan --source 'serial:/dev/x,baud=7' >/dev/null 2>&1
rc=$?; [ $rc = 2 ] || bad "bad spec exit $rc"
"$QUAN" scan --frobnicate >/dev/null 2>&1
rc=$?; [ $rc = 2 ] || bad "bad option exit $rc"

# --diag: bytes and refusals shown
out=$(printf 'ok-1\nab\x07c\n' | "$QUAN" scan --diag --source stdin 2>&1)
echo "$out" | grep -q 'text       ok-1' || bad "diag text: $out"
echo "$out" | grep -q 'bytes 4    61 62 07 63' || bad "diag bytes: $out"
echo "$out" | grep -q 'encoding   binary' || bad "diag binary: $out"

# serial faults print and do not block: absent device, timeout ends it
out=$("$QUAN" scan --json --timeout 1 --source serial:/dev/ttyNOPE9 2>&1)
rc=$?
[ $rc = 3 ] || bad "absent serial exit $rc"
[ "$(echo "$out" | grep -c 'gone')" = 1 ] || bad "fault not once: $out"
exit $fail
