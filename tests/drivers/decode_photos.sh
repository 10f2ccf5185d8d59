#!/bin/bash
# decode_photos.sh — `quan bench decode --set tests/drivers/photos`: the
# photo-like set of till codes (mkphotos.sh) read by quan, zbarimg and
# zxing-cpp's ZXingReader in one run. Fails when quan misreads anything, or
# reads no more than either of the other two. Every preprocessing pass gets
# its chance (--budget 2000 --frames 1), so the counts do not depend on the
# machine's speed; the real-time figures (30 ms budget, 15 frames) are the
# benchmark's, in drivers/README.md.
set -u
: "${QUAN:?}" "${QUAN_SRC:?}"
command -v ZXingReader >/dev/null ||
	{ echo "FAIL: ZXingReader missing (sh toolchain/install-deps.sh)"; exit 1; }
out=$("$QUAN" bench decode --json -v --seconds 1 --decodes 1000 \
	--budget 2000 --frames 1 --set "$QUAN_SRC/tests/drivers/photos")
rc=$?
echo "$out"
[ $rc = 0 ] || { echo "FAIL: exit $rc"; exit 1; }
num() { printf '%s' "$out" | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }
q=$(num quan_read); qm=$(num quan_misread); z=$(num zbarimg_read)
x=$(num zxing_read); n=$(num set_with_code)
echo "photos: $n codes; quan $q read, $qm misread; zbarimg $z; ZXingReader $x"
fail=0
[ -n "$q" ] && [ -n "$x" ] && [ -n "$z" ] || { echo "FAIL: no figures"; exit 1; }
[ "$qm" = 0 ] || { echo "FAIL: quan misread $qm"; fail=1; }
[ "$q" -gt "$x" ] || { echo "FAIL: quan $q not above ZXingReader $x"; fail=1; }
[ "$q" -gt "$z" ] || { echo "FAIL: quan $q not above zbarimg $z"; fail=1; }
exit $fail
