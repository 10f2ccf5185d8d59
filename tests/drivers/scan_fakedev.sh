#!/bin/bash
# scan_fakedev.sh — the real quan binary, unchanged, reading a camera and a
# keyboard-wedge scanner that are libquanfake.so under LD_PRELOAD (this
# machine has no /dev/video* or /dev/input): `quan scan` on an MJPEG-only
# camera that shows a payment code after 20 empty frames, and on an evdev
# scanner typing a 22-digit card code 2 ms apart, grabbed exclusively.
set -u
: "${QUAN:?}" "${QUAN_FAKE:?}"
t=$(mktemp -d /tmp/quan-fakedev-XXXXXX)
trap 'rm -rf "$t"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }
# ASan wants its runtime first in the library list; the fake comes first
# (and full stacks, for the ZBar leak suppression: zbar-lsan.supp)
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0:fast_unwind_on_malloc=0"

qrencode -s 4 -o "$t/pay.png" 134567890123456789 &&
	convert "$t/pay.png" -depth 8 "$t/pay.pgm" &&
	convert -size 64x64 xc:gray55 -depth 8 "$t/blank.pgm" || bad "images"
out=$(FAKECAM=/dev/video0 FAKECAM_FORMATS=MJPG FAKECAM_SIZES=1280x720 \
	FAKECAM_PLAYLIST="20*$t/blank.pgm,$t/pay.pgm" LD_PRELOAD="$QUAN_FAKE" \
	"$QUAN" scan --json --source camera:/dev/video0,width=1280,height=720 \
	--count 1 --timeout 20 2>"$t/err")
rc=$?
echo "camera: $out"
[ $rc = 0 ] || bad "camera: exit $rc: $(cat "$t/err")"
printf '%s' "$out" | grep -qF '"kind":"camera","symbology":"QR-Code","aim":"]Q1","text":"134567890123456789"' ||
	bad "camera: $out"

# 8723104455667788990011 + Enter as a US-layout scanner types it
code=8723104455667788990011
tus=1000000000
: > "$t/ev"
for ((i = 0; i < ${#code}; i++)); do
	c=${code:i:1}
	k=$(( c == 0 ? 11 : c + 1 ))  # KEY_1 = 2 ... KEY_9 = 10, KEY_0 = 11
	printf '%d 1 %d 1\n%d 0 0 0\n%d 1 %d 0\n%d 0 0 0\n' $tus $k $tus \
		$((tus + 500)) $k $((tus + 500)) >> "$t/ev"
	tus=$((tus + 2000))
done
printf '%d 1 28 1\n%d 1 28 0\n' $tus $((tus + 500)) >> "$t/ev"
out=$(FAKEKBD=/dev/input/event0 FAKEKBD_EVENTS="$t/ev" \
	LD_PRELOAD="$QUAN_FAKE" "$QUAN" scan --json -v \
	--source evdev:/dev/input/event0 --count 1 --timeout 10 2>"$t/err")
rc=$?
echo "evdev: $out"
[ $rc = 0 ] || bad "evdev: exit $rc: $(cat "$t/err")"
printf '%s' "$out" | grep -qF "\"kind\":\"evdev\",\"symbology\":\"\",\"aim\":\"\",\"text\":\"$code\"" ||
	bad "evdev: $out"
grep -q "grabbed 'quan fake barcode scanner'" "$t/err" ||
	bad "evdev: no grab logged: $(cat "$t/err")"
exit $fail
