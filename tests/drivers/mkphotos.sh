#!/bin/sh
# mkphotos.sh DIR — render the photo-like test set (tests/drivers/photos/,
# committed; re-run to rebuild it): the codes quan reads at a till — 22-digit
# WeChat card codes, merchant coupon codes, 18-digit payment codes — as QR
# and Code 128 on a phone screen held up to a camera: perspective, blur,
# glare, LCD moire, low contrast, dark mode (inverted) and sensor noise,
# then a camera's JPEG. Debian tools only: qrencode, zint, ImageMagick.
# Writes DIR/expected.tsv: file <TAB> hex of the payload ("-": no code,
# anything read is a misread) <TAB> what was done to it.
set -eu
dir=$1
mkdir -p "$dir"
cd "$dir"
t=$(mktemp -d /tmp/quan-photos-XXXXXX)
trap 'rm -rf "$t"' EXIT
: > expected.tsv
hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }

# payloads (fixed, so the set is reproducible)
card1=8723104455667788990011; card2=8700019283746501928374
pay1=134567890123456789;      pay2=108812345678901234
merch1=QA7K2M9X4P0C;          merch2=MC2024ZX0042

# A phone screen showing the code: white (or black: dark mode) app page
# with a title bar and text lines, in a black bezel. $1 code png, $2 out,
# $3 normal|dark.
screen() {
	convert "$1" -bordercolor white -border 24 "$t/c.png"
	w=$(identify -format %w "$t/c.png"); h=$(identify -format %h "$t/c.png")
	pw=$((w + 40)); ph=$((h + 150))
	convert -size ${pw}x${ph} xc:white \
		-fill gray35 -draw "rectangle 0,0 $pw,36" \
		-fill gray60 -draw "rectangle 20,50 $((pw * 2 / 3)),60" \
		-fill gray70 -draw "rectangle 20,$((ph - 40)) $((pw - 30)),$((ph - 32))" \
		-fill gray70 -draw "rectangle 20,$((ph - 24)) $((pw / 2)),$((ph - 16))" \
		"$t/c.png" -geometry +20+72 -composite \
		-bordercolor gray8 -border 14 "$2"
	[ "$3" = dark ] && convert "$2" -negate "$2"
	return 0
}

# Place the screen on a desk at 640x480 and degrade it.
# $1 screen png, $2 out.jpg, then key=value recipe words:
#   persp=N (corner pull, px)  blur=S  glare=R  moire=1  lowc=1
#   noise=A  rot=D  scale=P (screen size %)  q=JPEG quality  seed=N
photo() {
	src=$1; out=$2; shift 2
	persp=0 blur=0 glare=0 moire=0 lowc=0 noise=0 rot=0 scale=100 q=80
	seed=7
	for kv in "$@"; do eval "$kv"; done
	cp "$src" "$t/s.png"
	if [ "$moire" = 1 ]; then
		# the LCD's pixel grid, photographed: subpixel columns and row
		# gaps beat against the sensor when resampled
		convert "$t/s.png" -filter point -resize 300% "$t/m.png"
		convert "$t/m.png" -fx 'u*((i%3==2||j%3==2)?0.6:1)' \
			-filter triangle -resize 37% "$t/s.png"
	fi
	[ "$scale" != 100 ] && convert "$t/s.png" -resize "$scale%" "$t/s.png"
	[ "$rot" != 0 ] && convert "$t/s.png" -background gray40 -rotate "$rot" \
		"$t/s.png"
	w=$(identify -format %w "$t/s.png"); h=$(identify -format %h "$t/s.png")
	if [ "$persp" != 0 ]; then
		# tilted away at the top: the top edge shrinks
		convert "$t/s.png" -virtual-pixel background -background gray40 \
			-distort Perspective \
			"0,0 $persp,$((persp / 2))  $w,0 $((w - persp)),$((persp / 3))  0,$h 0,$h  $w,$h $w,$h" \
			"$t/s.png"
	fi
	convert -seed "$seed" -size 640x480 gradient:gray55-gray25 \
		-attenuate 0.3 +noise Gaussian "$t/s.png" -gravity center \
		-composite -colorspace gray "$t/p.png"
	if [ "$glare" != 0 ]; then
		# a ceiling light reflected in the glass
		convert -size $((2 * glare))x$((2 * glare)) radial-gradient:white-black \
			"$t/g.png"
		convert "$t/p.png" "$t/g.png" -gravity center -geometry \
			+$((glare / 3))-$((glare / 4)) -compose screen -composite \
			"$t/p.png"
	fi
	[ "$blur" != 0 ] && convert "$t/p.png" -blur "0x$blur" "$t/p.png"
	[ "$lowc" = 1 ] && convert "$t/p.png" +level 32%,62% "$t/p.png"
	[ "$noise" != 0 ] && convert -seed "$seed" "$t/p.png" \
		-attenuate "$noise" +noise Gaussian "$t/p.png"
	convert "$t/p.png" -colorspace gray -quality "$q" "$out"
}

add() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >> expected.tsv; }

n=0
# $1 kind (qr|c128), $2 payload, $3 normal|dark, then recipe words
shot() {
	kind=$1; p=$2; mode=$3; shift 3
	n=$((n + 1))
	if [ "$kind" = qr ]; then qrencode -s 5 -m 1 -o "$t/code.png" "$p"
	else zint -b 20 --scale=1 --height=30 --notext -d "$p" \
		-o "$t/code.png" >/dev/null; fi
	screen "$t/code.png" "$t/screen.png" "$mode"
	f=$(printf '%02d_%s_%s.jpg' "$n" "$kind" "$(echo "$*" |
		sed 's/seed=[0-9]*//; s/q=[0-9]*//; s/ \+/_/g; s/=//g; s/_$//')")
	[ "$mode" = dark ] && f=$(echo "$f" | sed 's/\.jpg$/_dark.jpg/')
	photo "$t/screen.png" "$f" seed=$n "$@"
	add "$f" "$(hex "$p")" "$kind $mode $*"
}

for kind in qr c128; do
	shot $kind $card1 normal persp=60 blur=1.2 noise=0.5
	shot $kind $pay1 normal glare=110 moire=1
	shot $kind $merch1 dark persp=50 noise=0.6
	shot $kind $card2 normal lowc=1 blur=1.6
	shot $kind $pay2 normal moire=1 persp=40 lowc=1
	shot $kind $merch2 normal blur=2.0 glare=90 noise=0.4
	shot $kind $card1 dark moire=1 lowc=1
	shot $kind $pay1 normal rot=8 scale=70 blur=1.0 noise=0.8
	shot $kind $merch1 normal persp=80 glare=70 q=55
	shot $kind $pay2 dark blur=1.4 scale=80 lowc=1
done
# screens without a code: anything read is a misread
mkdir -p "$t/e"
convert -size 260x260 xc:white -fill gray60 \
	-draw "rectangle 20,20 240,40" -draw "rectangle 20,60 200,70" \
	"$t/e/blank.png"
screen "$t/e/blank.png" "$t/screen.png" normal
n=$((n + 1)); photo "$t/screen.png" "$(printf '%02d_none_moire_glare.jpg' $n)" \
	seed=$n moire=1 glare=100
add "$(printf '%02d_none_moire_glare.jpg' $n)" - "no code, moire glare"
n=$((n + 1)); photo "$t/screen.png" "$(printf '%02d_none_noise.jpg' $n)" \
	seed=$n noise=1.5 persp=40
add "$(printf '%02d_none_noise.jpg' $n)" - "no code, noise"
zint -b 55 --scale=2 -d "$card1" -o "$t/e/pdf.png" >/dev/null
screen "$t/e/pdf.png" "$t/screen.png" normal
n=$((n + 1)); photo "$t/screen.png" "$(printf '%02d_none_pdf417.jpg' $n)" \
	seed=$n blur=0.8
add "$(printf '%02d_none_pdf417.jpg' $n)" - "PDF417 (not read by quan)"
