#!/bin/bash
# scan_images.sh — `quan scan --json --source image:` on codes generated
# now: QR with ASCII, UTF-8 Chinese (no ECI), GB18030 and binary content,
# QR with ECI designators (honoured, or bytes when ZBar cannot),
# Code 128, EAN-13, PDF417 (not supported by ZBar 0.23.92: must read
# nothing), the camera pipeline replayed from files (frames=MS), then the
# degraded phone-screen set (mkset.sh) next to zbarimg.
# Fails on any misread, any "must" image quan misses, or when quan does not
# read more of the set than zbarimg. Exit codes 0 / 3 checked too.
set -u
: "${QUAN:?}" "${QUAN_SRC:?}"
t=$(mktemp -d /tmp/quan-images-XXXXXX)
trap 'rm -rf "$t"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }
hex() { od -An -tx1 | tr -d ' \n'; }

mkdir "$t/cs"
printf 'CPN:2024-ZX-0042' > "$t/cs/ascii.bin"
printf '\xe4\xbc\x98\xe6\x83\xa0\xe5\x88\xb8 10\xe5\x85\x83' > "$t/cs/utf8.bin"
printf 'Gr\xc3\xb6\xc3\x9fe \xc3\xbcber Caf\xc3\xa9 5\xe2\x82\xac' \
	> "$t/cs/latin.bin"
printf '\xe4\xbc\x98\xe6\x83\xa0\xe5\x88\xb8 10\xe5\x85\x83' |
	iconv -f UTF-8 -t GB18030 > "$t/cs/gb.bin"
printf 'B\x00\x01\x02\xff\xfe\x80binary\x00end' > "$t/cs/binary.bin"
for f in ascii utf8 latin gb binary; do
	qrencode -8 -s 4 -o "$t/cs/qr_$f.png" < "$t/cs/$f.bin" ||
		bad "qrencode $f"
done
zint -b 20 --scale=2 -d 'C128-COUPON-77' -o "$t/cs/c128.png" >/dev/null
zint -b 13 --scale=2 -d 590123412345 -o "$t/cs/ean13.png" >/dev/null
zint -b 55 --scale=2 -d 'PDF417 COUPON' -o "$t/cs/pdf417.png" >/dev/null
# QR with an ECI designator (zint converts the UTF-8 given to the ECI's
# charset): Latin-1, Shift JIS, UTF-8 honoured; GB 2312 (29) and Big5 (28)
# are ECIs ZBar 0.23.92 does not know (it hands the bytes over raw and
# says nothing of the ECI): they must stay bytes, never a guess
zint -b 58 --eci=3 -d 'Café Größe' -o "$t/cs/eci3.png" >/dev/null
zint -b 58 --eci=20 -d 'クーポン' -o "$t/cs/eci20.png" >/dev/null
zint -b 58 --eci=26 -d '优惠券 10元' -o "$t/cs/eci26.png" >/dev/null
zint -b 58 --eci=29 -d '优惠券 10元' -o "$t/cs/eci29.png" >/dev/null
zint -b 58 --eci=28 -d '優惠券' -o "$t/cs/eci28.png" >/dev/null

out=$("$QUAN" scan --json --hex --source "image:$t/cs" 2>"$t/err")
rc=$?
[ $rc = 0 ] || bad "scan of the charset set exited $rc"
line() { printf '%s\n' "$out" | grep "\"source\":\"image:$1\""; }
want() { # file field value
	l=$(line "$1")
	printf '%s' "$l" | grep -qF "\"$2\":\"$3\"" ||
		bad "$1: want $2=$3, got: $l"
}
want qr_ascii.png text 'CPN:2024-ZX-0042'
want qr_ascii.png encoding ascii
want qr_ascii.png aim ']Q1'
want qr_utf8.png text '优惠券 10元'
want qr_utf8.png encoding utf-8
want qr_latin.png text 'Größe über Café 5€'
# GB18030 without an ECI: the charset is not known, so bytes (hex)
want qr_gb.png text ''
want qr_gb.png encoding binary
want qr_gb.png hex "$(hex < "$t/cs/gb.bin")"
want eci3.png text 'Café Größe'
want eci3.png encoding utf-8
want eci20.png text 'クーポン'
want eci26.png text '优惠券 10元'
want eci29.png encoding binary
want eci29.png hex "$(printf '优惠券 10元' | iconv -f UTF-8 -t GB2312 | hex)"
want eci28.png encoding binary
want eci28.png hex "$(printf '優惠券' | iconv -f UTF-8 -t BIG5 | hex)"
# and the same GB18030 QR from a source configured for it: text
o2=$("$QUAN" scan --json --source "image:$t/cs/qr_gb.png,charset=gb18030" \
	2>/dev/null)
printf '%s' "$o2" | grep -qF '"text":"优惠券 10元","encoding":"gb18030"' ||
	bad "charset=gb18030: $o2"
want qr_binary.png encoding binary
want qr_binary.png text ''
want qr_binary.png hex "$(hex < "$t/cs/binary.bin")"
want c128.png symbology CODE-128
want c128.png text 'C128-COUPON-77'
want ean13.png symbology EAN-13
want ean13.png text '5901234123457'
[ -z "$(line pdf417.png)" ] || bad "pdf417 read as: $(line pdf417.png)"
# what plain zbarimg makes of the Latin UTF-8 QR (the reason for binary mode)
z=$(zbarimg --nodbus -q --raw "$t/cs/qr_latin.png" 2>/dev/null)
echo "zbarimg on UTF-8 Latin QR: '$z' (quan: 'Größe über Café 5€')"

# exit 3 when nothing is read; 2 on a bad source
"$QUAN" scan --json --source "image:$t/cs/pdf417.png" >/dev/null 2>&1
rc=$?; [ $rc = 3 ] || bad "no code: exit $rc, want 3"
"$QUAN" scan --json --source "image:$t/nope.png" >/dev/null 2>&1
rc=$?; [ $rc = 2 ] || bad "missing file: exit $rc, want 2"

# camera pipeline replay (no V4L2 device in CI): files as frames 33 ms
# apart. A QR held for 6 frames is one scan; it comes back within the
# 1500 ms window: still one; an EAN in 2 frames is confirmed, in 1 not.
mkdir "$t/fr"
qrencode -s 4 -o "$t/qa.png" 'CPN:HELD-IN-VIEW'
zint -b 13 --scale=2 -d 400638133393 -o "$t/ean.png" >/dev/null
zint -b 13 --scale=2 -d 590123412345 -o "$t/ean2.png" >/dev/null
fr() { convert -size 640x480 xc:gray60 "$t/$1" -gravity center -composite \
	"$t/fr/$2"; }
for i in 01 02 03 04 05 06 13 14; do fr qa.png f$i.png; done
for i in 07 10 12; do convert -size 640x480 xc:gray60 "$t/fr/f$i.png"; done
fr ean.png f08.png; fr ean.png f09.png; fr ean2.png f11.png
out=$("$QUAN" scan --json --source "image:$t/fr,frames=33" 2>/dev/null)
[ "$(echo "$out" | grep -c 'HELD-IN-VIEW')" = 1 ] || bad "held QR: $out"
[ "$(echo "$out" | grep -c '"text":"4006381333931"')" = 1 ] ||
	bad "EAN in 2 frames: $out"
echo "$out" | grep -q 5901234123457 && bad "EAN in 1 frame let through"
# frames 400 ms apart: the QR is back after 2.8 s: a new scan
out=$("$QUAN" scan --json --source "image:$t/fr,frames=400" 2>/dev/null)
[ "$(echo "$out" | grep -c 'HELD-IN-VIEW')" = 2 ] || bad "QR again: $out"

# the degraded set
sh "$QUAN_SRC/tests/drivers/mkset.sh" "$t/set" || bad "mkset"
# offline images get a generous budget: the test must not depend on load
out=$("$QUAN" scan --json --hex --source "image:$t/set,budget=5000" \
	2>/dev/null)
qok=0; qbad=0; zok=0; zbad=0; total=0
while IFS="$(printf '\t')" read -r f h must; do
	total=$((total + 1))
	got=$(printf '%s\n' "$out" | grep "\"source\":\"image:$f\"" |
		sed 's/.*"hex":"\([0-9a-f]*\)".*/\1/')
	q=-
	if [ -n "$got" ]; then
		if printf '%s\n' "$got" | grep -qx "$h"; then q=ok; qok=$((qok + 1))
		else q=MISREAD; qbad=$((qbad + 1)); fi
	fi
	zg=$(zbarimg --nodbus -q --raw "$t/set/$f" 2>/dev/null)
	z=-
	if [ -n "$zg" ]; then
		if printf '%s\n' "$zg" | while read -r zl; do
			printf '%s' "$zl" | hex; echo; done | grep -qx "$h"
		then z=ok; zok=$((zok + 1))
		else z=MISREAD; zbad=$((zbad + 1)); fi
	fi
	printf '%-28s %-5s quan %-8s zbarimg %s\n' "$f" "$must" "$q" "$z"
	[ "$q" = MISREAD ] && bad "$f: quan misread"
	[ "$must" = must ] && [ "$q" != ok ] && bad "$f: quan must read it"
done < "$t/set/expected.tsv"
echo "degraded set: $total images; quan read $qok, misread $qbad;" \
	"zbarimg read $zok, misread $zbad"
[ "$qbad" = 0 ] || bad "quan misreads: $qbad"
[ "$qok" -gt "$zok" ] || bad "quan ($qok) not better than zbarimg ($zok)"
exit $fail
