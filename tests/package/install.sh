#!/bin/bash
# install.sh ARCH — the Debian package as an integrator meets it: build the
# .deb of this tree (toolchain/deb.sh, lintian-clean), apt-get install it
# on this machine, check the program, units, man pages, user, permissions,
# translations and completion, redeem a coupon as the quan user with the
# installed files against a local simulator, purge the package and check
# that nothing is left but /var/lib/quan (kept: it holds the sales) and the
# quan user (it owns that). For a foreign ARCH (arm64) every installed
# program runs under qemu-user. Needs root; one run at a time (a lock);
# the machine is left as it was found.
set -u
ARCH=${1:?usage: install.sh ARCH}
: "${QUAN_SRC:?}" "${QUAN_BUILD:?}"
VER=$(sed -n 's/^project(quan VERSION \([0-9.]*\).*/\1/p' "$QUAN_SRC/CMakeLists.txt")
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
die() { echo "FAIL: $*"; exit 1; }
ok() { echo "ok: $*"; }

[ "$(id -u)" = 0 ] || die "needs root: it installs and purges the package"
# one dpkg, one /usr/bin/quan: runs of this test (both architectures, other
# worktrees) take turns
exec 9>/run/lock/quan-package-test.lock
flock -w 900 9 || die "another package test holds /run/lock/quan-package-test.lock"

RUN=()
if [ "$ARCH" != "$(dpkg --print-architecture)" ]; then
	case $ARCH in
	arm64) RUN=(qemu-aarch64-static) ;;
	*) die "no emulator known for $ARCH" ;;
	esac
	command -v "${RUN[0]}" >/dev/null || die "${RUN[0]} is needed (toolchain/install-deps.sh)"
fi
W=$(mktemp -d /tmp/quan-pkg-XXXXXX)
chmod 755 "$W"
SIMPID=
user_before=0; getent passwd quan >/dev/null && user_before=1
MARK=/var/lib/quan/.quan-package-test
if [ -e /var/lib/quan ] && [ ! -e $MARK ]; then
	die "/var/lib/quan exists and is not this test's: not touching it"
fi
cleanup() {
	[ -n "$SIMPID" ] && kill "$SIMPID" 2>/dev/null && wait "$SIMPID" 2>/dev/null
	if dpkg-query -W -f='${Status}' quan 2>/dev/null | grep -q installed; then
		apt-get purge -y -q quan >/dev/null 2>&1
	fi
	[ -e $MARK ] && rm -rf /var/lib/quan
	if [ $user_before = 0 ] && getent passwd quan >/dev/null; then
		userdel quan 2>/dev/null
		getent group quan >/dev/null && groupdel quan 2>/dev/null
	fi
	rm -rf "$W"
}
trap cleanup EXIT
# a previous run that died half-way: start from nothing
if dpkg-query -W -f='${Status}' quan 2>/dev/null | grep -q installed; then
	echo "note: quan was installed (a previous run?): purging it first"
	apt-get purge -y -q quan >/dev/null 2>&1 || die "cannot purge the old quan"
fi
[ -e $MARK ] && rm -rf /var/lib/quan

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# ---- build ---------------------------------------------------------------
t0=$(now)
DEB=$(sh "$QUAN_SRC/toolchain/deb.sh" --arch "$ARCH" --out "$QUAN_BUILD/deb" \
    2>"$W/deb.log" | tail -1) || { cat "$W/deb.log"; die "deb.sh failed"; }
[ -f "$DEB" ] || { cat "$W/deb.log"; die "no package built"; }
grep 'lintian:' "$W/deb.log"
echo "built $(basename "$DEB") in $(secs "$t0" "$(now)") s (lintian clean)"
[ "$(dpkg-deb -f "$DEB" Architecture)" = "$ARCH" ] || fail "package architecture $(dpkg-deb -f "$DEB" Architecture)"
dpkg-deb -f "$DEB" Depends | grep -q 'libzbar0' || fail "Depends lacks the shared libraries: $(dpkg-deb -f "$DEB" Depends)"

# everything on the machine before, to compare after the purge
snap() {
	find /etc /usr /opt /srv /var/lib -xdev \( -path /var/lib/dpkg \
	    -o -path /var/lib/apt -o -path /var/lib/quan \) -prune -o -print \
	    2>/dev/null | sort
}
snap >"$W/before"

# ---- install -------------------------------------------------------------
t0=$(now)
apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=300 \
    "$DEB" >"$W/install.log" 2>&1 || { cat "$W/install.log"; die "apt-get install failed"; }
t_install=$(secs "$t0" "$(now)")
size=$(stat -c %s "$DEB")
isize=$(dpkg-query -W -f='${Installed-Size}' quan)
echo "figures: $(basename "$DEB") $((size / 1024)) KiB, installed $isize KiB, apt-get install $t_install s"
[ "$(dpkg-query -W -f='${Version}' quan)" = "$VER" ] || fail "installed version $(dpkg-query -W -f='${Version}' quan), want $VER"
touch $MARK

# the program
[ "$(command -v quan)" = /usr/bin/quan ] || fail "quan on PATH is $(command -v quan)"
case $ARCH in
arm64) machine=AArch64 ;;
amd64) machine=X86-64 ;;
*) machine=? ;;
esac
readelf -h /usr/bin/quan | grep -q "Machine:.*$machine" || fail "/usr/bin/quan is not $machine"
v=$("${RUN[@]}" /usr/bin/quan --version) || fail "quan --version failed"
[ "$v" = "quan $VER" ] && ok "/usr/bin/quan --version: $v" || fail "quan --version: '$v'"

# units: systemd-analyze checks syntax, the binary and the man: links
units=(/lib/systemd/system/quan-sync.service
    /lib/systemd/system/quan-hub-sync.service
    /lib/systemd/system/quan-callbacks.service
    /lib/systemd/system/quan-kiosk@tty1.service)
if systemd-analyze verify "${units[@]}" >"$W/verify" 2>&1 &&
    ! grep -q quan "$W/verify"; then
	ok "systemd-analyze verify: quan-sync, quan-hub-sync, quan-callbacks, quan-kiosk@tty1"
else
	fail "systemd-analyze verify: $(cat "$W/verify")"
fi
for u in quan-sync.service quan-hub-sync.service quan-callbacks.service quan-kiosk@.service; do
	f=/lib/systemd/system/$u
	for want in "User=quan" "ProtectSystem=strict" "ReadWritePaths=/var/lib/quan" \
	    "NoNewPrivileges=yes" "PrivateTmp=yes" "ExecStart=/usr/bin/quan "; do
		grep -q "^$want" "$f" || fail "$u: no $want"
	done
	[ -L "/etc/systemd/system/multi-user.target.wants/$u" ] &&
		fail "$u enabled on install (a till needs its config first)"
done

# man pages, completion
[ "$(man -w quan 2>&1)" = /usr/share/man/man1/quan.1.gz ] || fail "man -w quan: $(man -w quan 2>&1)"
[ "$(man -w 5 quan.conf 2>&1)" = /usr/share/man/man5/quan.conf.5.gz ] || fail "man -w 5 quan.conf: $(man -w 5 quan.conf 2>&1)"
man -P cat quan 2>/dev/null | grep -q 'quan redeem \[--json\] --amount YUAN' ||
	fail "man quan does not show quan redeem's usage"
c=$(bash -c '. /usr/share/bash-completion/completions/quan
COMP_WORDS=(quan red); COMP_CWORD=1; _quan; echo "${COMPREPLY[*]}"')
[ "$c" = redeem ] || fail "completion of 'quan red': '$c'"
ok "man -w quan, man -w 5 quan.conf, bash completion"

# the user, its directories, the conffile
IFS=: read -r _ _ uid _ _ home shell <<<"$(getent passwd quan)"
[ "$home" = /var/lib/quan ] && [ "$shell" = /usr/sbin/nologin ] && [ "$uid" -lt 1000 ] ||
	fail "user quan: uid $uid home $home shell $shell"
[ "$(stat -c '%U %G %a' /var/lib/quan)" = "quan quan 700" ] || fail "/var/lib/quan: $(stat -c '%U %G %a' /var/lib/quan)"
[ "$(stat -c '%U %G %a' /etc/quan)" = "root quan 750" ] || fail "/etc/quan: $(stat -c '%U %G %a' /etc/quan)"
dpkg-query -W -f='${Conffiles}' quan | grep -q ' /etc/quan/quan.conf ' || fail "/etc/quan/quan.conf is no conffile"
setpriv --reuid=nobody --regid=nogroup --clear-groups cat /etc/quan/quan.conf >/dev/null 2>&1 &&
	fail "nobody can read /etc/quan/quan.conf"
ok "user quan (uid $uid), /var/lib/quan quan 0700, /etc/quan root:quan 0750, conffile"

# as the quan user, with the installed files
as_quan() {
	env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/var/lib/quan LANG=C.UTF-8 \
	    setpriv --reuid=quan --regid=quan --init-groups -- "${RUN[@]}" /usr/bin/quan "$@"
}
as_quan --config /etc/quan/quan.conf --data /var/lib/quan status >"$W/status" 2>&1 ||
	fail "quan status with /etc/quan/quan.conf: $(cat "$W/status")"
as_quan --data /var/lib/quan staff add 1001 --role cashier --pin 1234 >/dev/null 2>&1 ||
	fail "staff add as quan"
printf 'print\n' >"$W/login"
as_quan --data /var/lib/quan run --no-sync --quiet --lang zh_CN --headless "$W/login" \
    >"$W/zh" 2>&1
grep -q '登录' "$W/zh" && ok "zh_CN catalogue found by gettext (/usr/share/locale)" ||
	fail "no Chinese screen: $(head -3 "$W/zh")"

S=$W/sim
install -d -o quan -g quan "$S"
as_quan sim init "$S/sim" >/dev/null 2>"$W/err" || fail "sim init: $(cat "$W/err")"
as_quan sim seed "$S/sim" >/dev/null 2>"$W/err" || fail "sim seed: $(cat "$W/err")"
# not through the function: $! must be the server itself (env, setpriv and
# qemu exec it in place), so that kill stops it
env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/var/lib/quan LANG=C.UTF-8 \
    setpriv --reuid=quan --regid=quan --init-groups -- "${RUN[@]}" \
    /usr/bin/quan sim serve "$S/sim" --listen 127.0.0.1:0 \
    >"$W/sim.out" 2>"$W/sim.err" 9>&- &
SIMPID=$!
for _ in $(seq 1 100); do
	grep -q '^listening' "$W/sim.out" && break
	sleep 0.1
done
grep -q '^listening' "$W/sim.out" || die "sim serve did not start: $(cat "$W/sim.err")"
q=(--config "$S/sim/quan.conf" --data /var/lib/quan)
as_quan "${q[@]}" import stocks "$S/sim/import/stocks.json" >/dev/null 2>"$W/err" &&
    as_quan "${q[@]}" import codes "$S/sim/import/codes.csv" >/dev/null 2>"$W/err" ||
	fail "import: $(cat "$W/err")"
CODE=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['merchant']['valid'][0]['code'])" "$S/sim/seed.json")
as_quan "${q[@]}" redeem --json --amount 100 "$CODE" >"$W/redeem" 2>"$W/err"
rc=$?
state=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['coupons'][0]['state'])" "$W/redeem" 2>/dev/null)
[ $rc = 0 ] && [ "$state" = confirmed ] || fail "redeem as quan: exit $rc, state '$state' $(cat "$W/redeem" "$W/err")"
as_quan sim inspect "$S/sim" --json >"$W/inspect" 2>&1 || fail "sim inspect: defects"
n=$(python3 -c "import json,sys
d = json.load(open(sys.argv[1]))
print(sum(r['redemptions'] for r in d['redemptions'] if r['code'] == sys.argv[2]))" "$W/inspect" "$CODE")
[ "$n" = 1 ] && [ $rc = 0 ] && ok "quan sim + one redemption as the quan user: $CODE confirmed, redeemed once at WeChat" ||
	fail "the simulator saw $n redemptions of $CODE"
kill "$SIMPID"; wait "$SIMPID" 2>/dev/null; SIMPID=
[ "$(stat -c %U /var/lib/quan/quan.db)" = quan ] || fail "quan.db not the quan user's"

# ---- purge ---------------------------------------------------------------
t0=$(now)
apt-get purge -y -q -o DPkg::Lock::Timeout=300 quan >"$W/purge.log" 2>&1 ||
	{ cat "$W/purge.log"; fail "apt-get purge failed"; }
echo "figures: apt-get purge $(secs "$t0" "$(now)") s"
dpkg-query -W -f='${Status}' quan 2>/dev/null | grep -q 'installed' && fail "still installed"
for p in /usr/bin/quan /etc/quan /lib/systemd/system/quan-sync.service \
    /usr/share/man/man1/quan.1.gz /usr/lib/sysusers.d/quan.conf; do
	[ -e "$p" ] && fail "$p left after purge"
done
dpkg-statoverride --list /etc/quan >/dev/null 2>&1 && fail "statoverride for /etc/quan left"
[ -f /var/lib/quan/quan.db ] || fail "/var/lib/quan/quan.db gone: the sales must survive a purge"
snap >"$W/after"
left=0
while IFS= read -r p; do
	case $p in
	/etc/passwd- | /etc/group- | /etc/shadow- | /etc/gshadow-) continue ;;
	esac
	# a package someone installed meanwhile is not ours
	dpkg -S "$p" >/dev/null 2>&1 && continue
	fail "left after purge: $p"
	left=$((left + 1))
done < <(comm -13 "$W/before" "$W/after")
[ $left = 0 ] && ok "purged: nothing left outside /var/lib/quan (kept, with quan.db) but the quan user"

if [ $fails = 0 ]; then
	echo "ok: package $ARCH: built, installed, redeemed, purged"
	exit 0
fi
echo "$fails check(s) failed"
exit 1
