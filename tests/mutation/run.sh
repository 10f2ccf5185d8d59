#!/bin/sh
# run.sh — the mutation check (issue 17): plant small, realistic bugs in the
# money paths, one at a time, in a scratch copy of the tree, build, run the
# tests that should notice, and say which noticed (killed) and which did
# not (survived). A survivor is a hole in the tests.
#
# Each mutation is tests/mutation/patches/NAME.patch: a unified diff (-p1)
# after a header:
#   mutation: what the bug is
#   tests: the ctest names that must notice it (space separated)
#   env: VAR=value ...   (optional: environment for those tests, e.g. to
#                         run one fault loop kind only)
# A patch that no longer applies is reported "stale" and one that does not
# build "stillborn"; both count as failures of this check (refresh them).
#
# Usage: sh tests/mutation/run.sh [--sample | --all | NAME...]
#   --sample (default)  the fixed list in tests/mutation/sample (CI)
#   --all               every patch
# Env: MUT_JOBS (build jobs, 2), MUT_KEEP=1 keeps the scratch dir.
# Prints one line per patch and the kill rate; exit 0 only when every
# planted mutation was killed and the unmutated tree passed the same tests.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
jobs=${MUT_JOBS:-2}
mode=sample
names=
case "${1:-}" in
--all) mode=all ;;
--sample | "") mode=sample ;;
-h | --help) sed -n '2,25p' "$0"; exit 0 ;;
*) mode=names; names="$*" ;;
esac
case $mode in
all) names=$(cd "$here/patches" && ls ./*.patch | sed 's|^\./||; s|\.patch$||') ;;
sample) names=$(grep -v '^#' "$here/sample" | grep -v '^$') ;;
esac
for n in $names; do
	[ -f "$here/patches/$n.patch" ] || { echo "run.sh: no patch $n" >&2; exit 2; }
done

t0=$(date +%s)
S=$(mktemp -d /tmp/quan-mutation-XXXXXX)
cleanup() { [ "${MUT_KEEP:-0}" = 1 ] && echo "scratch kept: $S" || rm -rf "$S"; }
trap cleanup EXIT
# tests that drop root (a read-only database) must reach the build
chmod 755 "$S"
mkdir -p "$S/src"
# the tree as it is (tracked and new files, not build dirs)
if git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$root" && git ls-files -z --cached --others --exclude-standard |
		xargs -0 tar -cf - 2>/dev/null) | tar -C "$S/src" -xf - ||
		{ echo "run.sh: cannot copy the tree" >&2; exit 1; }
else
	(cd "$root" && tar --exclude='./build*' -cf - .) | tar -C "$S/src" -xf -
fi
cmake -S "$S/src" -B "$S/build" -DCMAKE_BUILD_TYPE=Release \
	-DQUAN_TESTS=ON >"$S/configure.log" 2>&1 ||
	{ echo "run.sh: configure failed: $(tail -5 "$S/configure.log")"; exit 1; }
targets=$(cmake --build "$S/build" --target help 2>/dev/null |
	sed -n 's/^\.\.\. \([A-Za-z0-9_]*\).*/\1/p')

field() { sed -n "s/^$1: //p" "$here/patches/$2.patch" | head -1; }
# build quan, the fault VFS and the tests that are programs
build() { # TESTS...
	t="quan quan_faultvfs"
	for x in "$@"; do
		echo "$targets" | grep -qx "$x" && t="$t $x"
	done
	# shellcheck disable=SC2086
	nice -n 10 cmake --build "$S/build" -j "$jobs" --target $t \
		>"$S/build.log" 2>&1
}
# run the tests; prints the failed ones; exit 0 when all passed
check() { # ENV TESTS...
	env=$1; shift
	re=$(echo "$*" | sed 's/ /|/g')
	# shellcheck disable=SC2086
	env $env ctest --test-dir "$S/build" -R "^($re)\$" --timeout 600 --output-on-failure \
		--stop-on-failure >"$S/ctest.log" 2>&1
	rc=$?
	n=$(grep -c 'Test *#' "$S/ctest.log")
	# all passed: then all must have run (a misspelt name runs nothing)
	[ $rc != 0 ] || [ "$n" -ge "$#" ] || { echo "ran $n of $# tests"; return 2; }
	grep -E '\*\*\*(Failed|Timeout)|Failed  |\(Failed\)|\(Timeout\)' \
		"$S/ctest.log" | sed -n 's/.*Test *#[0-9]*: \([^ ]*\).*/\1/p' |
		sort -u | tr '\n' ' '
	return $rc
}

# the unmutated tree must pass what the mutants are judged by
envs=$(for n in $names; do echo "$(field env "$n")"; done | sort -u)
echo "$envs" | while IFS= read -r e; do
	tests=$(for n in $names; do
		[ "$(field env "$n")" = "$e" ] && field tests "$n"
	done | tr ' ' '\n' | sort -u | tr '\n' ' ')
	build $tests || { echo "run.sh: the unmutated tree does not build: $(tail -20 "$S/build.log")"; exit 1; }
	out=$(check "$e" $tests) || { echo "run.sh: the unmutated tree fails ($e): $out"; tail -30 "$S/ctest.log"; exit 1; }
done || exit 1
echo "baseline: the unmutated tree passes every test used below ($(($(date +%s) - t0)) s)"

killed=0 total=0 bad=0
for n in $names; do
	p=$here/patches/$n.patch
	tests=$(field tests "$n")
	env=$(field env "$n")
	total=$((total + 1))
	t1=$(date +%s)
	if ! patch -p1 -s -d "$S/src" --dry-run <"$p" >/dev/null 2>&1; then
		printf '%-38s STALE (does not apply: refresh the patch)\n' "$n"
		bad=$((bad + 1))
		continue
	fi
	patch -p1 -s -d "$S/src" <"$p"
	# shellcheck disable=SC2086
	if ! build $tests; then
		printf '%-38s STILLBORN (does not build)\n' "$n"
		bad=$((bad + 1))
	# shellcheck disable=SC2086
	elif out=$(check "$env" $tests); then
		printf '%-38s SURVIVED %s (%s s)\n' "$n" "$tests" "$(($(date +%s) - t1))"
	elif [ $? = 2 ]; then
		printf '%-38s ERROR %s\n' "$n" "$out"
		bad=$((bad + 1))
	else
		printf '%-38s killed by %s(%s s)\n' "$n" "$out" "$(($(date +%s) - t1))"
		killed=$((killed + 1))
	fi
	patch -p1 -s -R -d "$S/src" <"$p"
done
echo "mutation ($mode): $killed of $total killed ($((killed * 100 / total)) %), $bad stale/stillborn/error; $(($(date +%s) - t0)) s"
[ "$killed" = "$total" ]
