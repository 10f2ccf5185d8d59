#!/bin/bash
# help_test.sh — the help pages (app/cli/help/*.txt) are the one source of
# --help, quan(1), quan.conf(5) and the bash completion; this checks that
# what the program and the build print agrees with them and with the code:
#  - every command's --help forms are its section's synopsis in quan(1);
#  - every "usage:" line a command prints on bad usage is one of its
#    documented forms (those lines are still written in the commands);
#  - every key config.c accepts is in quan.conf(5), and every key there
#    (and in the shipped /etc/quan/quan.conf) is one config.c accepts;
#  - both man pages format without a groff warning (lintian's check);
#  - the completion offers the documented commands, sub-commands, options
#    and values.
set -u
: "${QUAN:?}" "${QUAN_SRC:?}" "${QUAN_BUILD:?}"
MAN1=$QUAN_BUILD/gen/man/quan.1
MAN5=$QUAN_BUILD/gen/man/quan.conf.5
COMP=$QUAN_BUILD/gen/completion/quan
W=$(mktemp -d /tmp/quan-help-XXXXXX)
trap 'rm -rf "$W"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
for f in "$MAN1" "$MAN5" "$COMP"; do
	[ -f "$f" ] || { echo "FAIL: $f not built"; exit 1; }
done

# Usage forms in a text: "quan ..." lines (after "usage:" or aligned under
# it) with their continuation lines ("   [--opt]") joined, spaces squeezed,
# a trailing remark "(...)" dropped. One form per line.
forms() {
	awk '
	function out() { if (f != "") { gsub(/  +/, " ", f); print f }; f = "" }
	/^usage: quan / { out(); f = substr($0, 8); next }
	/^ +quan / && f != "" { out(); sub(/^ +/, ""); f = $0; next }
	/^ +\[/ && f != "" { sub(/^ +/, " "); f = f $0; next }
	{ out() }
	END { out() }' | sed 's/ *(.*)$//; s/ *$//'
}

# man pages as text, one synopsis per line (no wrapping)
render() { MANWIDTH=1000 man -l "$1" 2>/dev/null | col -b | sed 's/^ *//'; }
render "$MAN1" >"$W/man1"
render "$MAN5" >"$W/man5"

# ---- every command: --help == quan(1) ---------------------------------
cmds=$("$QUAN" --help | awk '/^COMMANDS$/ { on = 1; next } /^$/ { on = 0 }
    on && /^  [a-z]/ { print $1 }')
[ "$(echo "$cmds" | wc -w)" -ge 15 ] || fail "quan --help lists too few commands: $cmds"
for c in $cmds; do
	"$QUAN" "$c" --help >"$W/h" 2>&1 || fail "quan $c --help: exit $?"
	head -1 "$W/h" | grep -q "^usage: quan $c" || fail "quan $c --help: $(head -1 "$W/h")"
	forms <"$W/h" >"$W/hf"
	[ -s "$W/hf" ] || fail "quan $c --help: no usage form"
	while IFS= read -r f; do
		grep -qxF -- "$f" "$W/man1" || fail "quan(1) lacks '$f'"
	done <"$W/hf"
	summary=$(sed -n '/^$/{n;p;q}' "$W/h")
	grep -qF -- "$summary." "$W/man1" || fail "quan(1) lacks $c's summary '$summary'"
	cp "$W/hf" "$W/forms.$c"
done

# ---- bad usage prints documented forms --------------------------------
D=$W/data
while IFS='|' read -r c args; do
	# shellcheck disable=SC2086
	"$QUAN" --data "$D" $c $args </dev/null >"$W/o" 2>"$W/e"
	rc=$?
	[ $rc = 2 ] || fail "quan $c $args: exit $rc, want 2 (usage)"
	forms <"$W/e" >"$W/ef"
	[ -s "$W/ef" ] || fail "quan $c $args: no usage line: $(head -2 "$W/e")"
	while IFS= read -r f; do
		grep -qxF -- "$f" "$W/forms.${c%% *}" ||
			fail "quan $c $args prints '$f', not in app/cli/help/${c%% *}.txt"
	done <"$W/ef"
done <<'EOF'
import|
void|
status|--bogus
journal|
archive|
bench|sale --bogus
scan|--bogus
sync|--bogus
report|--bogus
callbacks|
callbacks|serve --bogus
sim|
run|--bogus
demo|--bogus
staff|
bench lookup|--bogus
bench sync|--bogus
bench decode|--bogus
EOF

# ---- quan.conf(5) == config.c -----------------------------------------
"$QUAN" help config >"$W/conf" || fail "quan help config: exit $?"
grep -q '^\[wechatpay\]$' "$W/conf" || fail "quan help config: no [wechatpay]"
# "section.key" documented: definitions "  key = ..." under "[section]"
awk '/^\[stock / { s = "stock"; next } /^\[/ { s = substr($0, 2, length($0) - 2); next }
    /^[A-Z][A-Z0-9 ]*$/ { s = "" }
    s != "" && /^  [a-z_]+ = / { split($0, a, " "); print s "." a[1] }' \
    "$W/conf" | sort -u >"$W/doc_keys"
cfg=$QUAN_SRC/app/util/config.c
{
	sed -n 's/^	{"\([a-z_]*\)", "\([a-z_]*\)",.*/\1.\2/p' "$cfg"
	sed -n '/^target_key(/,/^}/s/.*strcmp(name, "\([a-z_]*\)").*/stock.\1/p' "$cfg"
} | sort -u >"$W/code_keys"
[ "$(wc -l <"$W/code_keys")" -ge 35 ] || fail "read only $(wc -l <"$W/code_keys") keys from config.c"
comm -23 "$W/code_keys" "$W/doc_keys" | sed 's/^/FAIL: quan.conf(5) lacks /'
comm -13 "$W/code_keys" "$W/doc_keys" | sed 's/^/FAIL: config.c has no /'
[ "$(comm -3 "$W/code_keys" "$W/doc_keys" | wc -l)" = 0 ] || fails=$((fails + 1))
# the shipped example names only documented keys
awk '/^;?\[stock / { s = "stock"; next } /^\[/ { sub(/\].*/, ""); s = substr($0, 2); next }
    /^;[a-z_]+ = / { split(substr($0, 2), a, " "); print s "." a[1] }' \
    "$QUAN_SRC/toolchain/quan.conf" | sort -u >"$W/example_keys"
[ "$(wc -l <"$W/example_keys")" -ge 35 ] || fail "toolchain/quan.conf: $(wc -l <"$W/example_keys") keys"
comm -23 "$W/example_keys" "$W/doc_keys" | sed 's/^/FAIL: toolchain\/quan.conf names undocumented /' |
	grep . && fails=$((fails + 1))
# ... and loads as it is
"$QUAN" --config "$QUAN_SRC/toolchain/quan.conf" --data "$D" status >/dev/null 2>"$W/e" ||
	fail "toolchain/quan.conf does not load: $(cat "$W/e")"
for k in private_key apiv3_key default_policy max_exposure_fen per_txn; do
	grep -q "^$k = " "$W/man5" || fail "quan.conf(5) does not show $k"
done

# ---- man pages format cleanly (what lintian runs) ---------------------
for m in "$MAN1" "$MAN5"; do
	LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z \
	    "$m" >/dev/null 2>"$W/warn"
	[ -s "$W/warn" ] && fail "$(basename "$m"): $(head -5 "$W/warn")"
done

# ---- completion ----------------------------------------------------------
complete_words() { # the words typed so far, the last one being completed
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
	    _quan; printf "%s\n" "${COMPREPLY[@]}" | LC_ALL=C sort | tr "\n" " "' \
	    _ "$COMP" "$@"
}
check_comp() { # want, words...
	local want=$1 got
	shift
	got=$(complete_words "$@")
	[ "$got" = "$want " ] || fail "completion of '$*': '$got', want '$want'"
}
check_comp "redeem report" quan re
check_comp "bench init inspect seed serve" quan sim ""
check_comp "--faults" quan --data /tmp sim serve DIR --fa
check_comp "en zh_CN" quan run --lang ""
check_comp "cashier manager" quan staff add 1 --role ""
check_comp "stocks" quan import st
check_comp "--amount" quan check --am
check_comp "config" quan help con

if [ $fails = 0 ]; then
	echo "ok: --help, quan(1), quan.conf(5), usage lines, config.c keys and completion agree"
	exit 0
fi
echo "$fails check(s) failed"
exit 1
