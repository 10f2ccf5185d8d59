#!/bin/sh
# mkset.sh DIR — generate the degraded phone-screen test set at test time
# (qrencode, zint, ImageMagick convert): each image holds one unique ASCII
# payload, or none. Writes DIR/expected.tsv: file <TAB> hex of the payload
# ("-" = no code: any read is a misread) <TAB> must|may (must = quan has to
# read it).
set -eu
dir=$1
mkdir -p "$dir"
cd "$dir"
: > expected.tsv
n=0
hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
add() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >> expected.tsv; }
pl() { n=$((n + 1)); printf 'CPN:%s-%04d-QUAN' "$1" "$n"; }
qr() { qrencode -s "${3:-4}" -m 4 -o "$2" "$1"; }
c128() { zint -b 20 --scale="${3:-2}" -d "$1" -o "$2" >/dev/null; }

# QR on a phone screen
p=$(pl clean); qr "$p" qr_clean.png; add qr_clean.png "$(hex "$p")" must
p=$(pl dark); qr "$p" t.png; convert t.png -negate qr_dark.png
add qr_dark.png "$(hex "$p")" must
p=$(pl lowc); qr "$p" t.png; convert t.png +level 42%,58% qr_lowcontrast.png
add qr_lowcontrast.png "$(hex "$p")" must
p=$(pl dimdark); qr "$p" t.png
convert t.png -negate +level 30%,50% qr_dark_lowcontrast.png
add qr_dark_lowcontrast.png "$(hex "$p")" must
p=$(pl small); qr "$p" t.png 2
convert -size 1280x720 xc:gray60 t.png -gravity center -composite \
	qr_small_in_720p.png
add qr_small_in_720p.png "$(hex "$p")" must
p=$(pl tiny); qr "$p" t.png 1
convert -size 640x480 xc:white t.png -gravity center -composite \
	qr_1px_in_vga.png
add qr_1px_in_vga.png "$(hex "$p")" may
p=$(pl blur15); qr "$p" t.png; convert t.png -blur 0x1.5 qr_blur15.png
add qr_blur15.png "$(hex "$p")" must
p=$(pl blur2); qr "$p" t.png; convert t.png -blur 0x2 qr_blur2.png
add qr_blur2.png "$(hex "$p")" may
p=$(pl blur3); qr "$p" t.png 6; convert t.png -blur 0x3 qr_blur3_6px.png
add qr_blur3_6px.png "$(hex "$p")" may
p=$(pl rot); qr "$p" t.png; convert t.png -background white -rotate 23 \
	qr_rot23.png
add qr_rot23.png "$(hex "$p")" must
p=$(pl darkrot); qr "$p" t.png
convert t.png -negate -background black -rotate 37 qr_dark_rot37.png
add qr_dark_rot37.png "$(hex "$p")" must
# screen: LCD subpixel grid, resampled (moire), noise, dim
p=$(pl moire); qr "$p" t.png 3
convert t.png -filter point -resize 300% t3.png
convert t3.png -fx 'u*((i%3==2||j%3==2)?0.55:1)' -resize 41% \
	+noise Gaussian +level 10%,85% qr_moire.png
add qr_moire.png "$(hex "$p")" may
p=$(pl moiredark); qr "$p" t.png 3
convert t.png -negate -filter point -resize 300% t3.png
convert t3.png -fx 'u*((i%3==2||j%3==2)?0.55:1)' -resize 41% \
	+noise Gaussian qr_moire_dark.png
add qr_moire_dark.png "$(hex "$p")" may
p=$(pl glare); qr "$p" t.png
convert t.png \( -size 200x200 radial-gradient:white-black \) \
	-gravity northwest -compose screen -composite qr_glare.png
add qr_glare.png "$(hex "$p")" may
p=$(pl jpeg); qr "$p" t.png; convert t.png -quality 12 qr_jpeg_q12.jpg
add qr_jpeg_q12.jpg "$(hex "$p")" must

# Code 128
p=$(pl c) ; c128 "$p" c128_clean.png; add c128_clean.png "$(hex "$p")" must
p=$(pl cd); c128 "$p" t.png; convert t.png -negate c128_dark.png
add c128_dark.png "$(hex "$p")" must
p=$(pl cr); c128 "$p" t.png 3
convert t.png -background white -rotate 30 c128_rot30.png
add c128_rot30.png "$(hex "$p")" must
p=$(pl cr4); c128 "$p" t.png 3
convert t.png -background white -rotate -45 c128_rot45.png
add c128_rot45.png "$(hex "$p")" must
p=$(pl cb); c128 "$p" t.png 3; convert t.png -blur 0x2 c128_blur2.png
add c128_blur2.png "$(hex "$p")" may
p=$(pl cl); c128 "$p" t.png; convert t.png +level 40%,60% c128_lowc.png
add c128_lowc.png "$(hex "$p")" must

# EAN-13 (zint adds the check digit)
e=400638133393
zint -b 13 --scale=2 -d "$e" -o ean_clean.png >/dev/null
add ean_clean.png "$(hex 4006381333931)" must
zint -b 13 --scale=2 -d 590123412345 -o t.png >/dev/null
convert t.png -negate ean_dark.png; add ean_dark.png "$(hex 5901234123457)" must
zint -b 13 --scale=3 -d 978020137962 -o t.png >/dev/null
convert t.png -background white -rotate 30 ean_rot30.png
add ean_rot30.png "$(hex 9780201379624)" may

# no code at all: anything read is a misread
zint -b 55 --scale=2 -d "PDF417-NOT-SUPPORTED" -o none_pdf417.png \
	>/dev/null
add none_pdf417.png - may
convert -size 640x480 xc:gray50 +noise Gaussian none_noise.png
add none_noise.png - may
convert -size 640x480 gradient:white-black -swirl 200 none_gradient.png
add none_gradient.png - may
convert -size 640x480 pattern:checkerboard -rotate 10 none_checker.png
add none_checker.png - may
rm -f t.png t3.png
