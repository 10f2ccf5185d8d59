#!/bin/sh
# check-src.sh — house rules a compiler does not check (curl's checksrc):
#  1. each third-party header has one home folder;
#  2. banned functions (strcpy, sprintf, atoi, ...) appear nowhere;
#  3. money is never floating point in the core.
# Usage: check-src.sh [SOURCE_ROOT]. Exit 1 with a list of offences.
set -u
root=${1:-$(dirname "$0")/..}
cd "$root" || exit 2
fail=0

home() { # home HEADER_REGEX ALLOWED_DIR_REGEX
	hits=$(grep -rnE "^[[:space:]]*#[[:space:]]*include[[:space:]]*<($1)" \
		app drivers ui store --include='*.c' --include='*.h' 2>/dev/null |
		grep -vE "^($2)/" || true)
	if [ -n "$hits" ]; then
		echo "check-src: <$1> outside its home ($2):"
		echo "$hits"
		fail=1
	fi
}

home 'curses\.h|ncurses|ncursesw/' 'ui'
home 'zbar\.h' 'drivers'
home 'sqlite3\.h' 'store'
home 'curl/' 'app/net'
home 'openssl/' 'app/crypto'
home 'microhttpd\.h' 'app/net'
home 'gnutls/' 'app/net'
home 'libpq-fe\.h|libpq/|postgres' 'app/hub'
home 'ini\.h' 'app/util'
home 'systemd/' 'ui|app/cli'

# tests/ may include a third-party header only in the test folder of its
# home: <sqlite3.h> in tests/store (the fault VFS, the store's test seam)
hits=$(grep -rnE "^[[:space:]]*#[[:space:]]*include[[:space:]]*<sqlite3\.h" \
	tests --include='*.c' --include='*.h' 2>/dev/null |
	grep -vE "^tests/store/" || true)
if [ -n "$hits" ]; then
	echo "check-src: <sqlite3.h> in tests outside tests/store:"
	echo "$hits"
	fail=1
fi

banned='\b(strcpy|strcat|sprintf|vsprintf|gets|strtok|atoi|atol|atof|tmpnam|mktemp)[[:space:]]*\('
hits=$(grep -rnE "$banned" app drivers ui store tests/util tests/core tests/crypto \
	--include='*.c' --include='*.h' 2>/dev/null || true)
if [ -n "$hits" ]; then
	echo "check-src: banned functions (use snprintf, strtol, ...):"
	echo "$hits"
	fail=1
fi

hits=$(grep -rnwE 'float|double' app/core --include='*.c' --include='*.h' \
	2>/dev/null | grep -v 'check-src: allow' || true)
if [ -n "$hits" ]; then
	echo "check-src: floating point in the core (money is int64_t fen):"
	echo "$hits"
	fail=1
fi

[ $fail = 0 ] && echo "check-src: ok"
exit $fail
