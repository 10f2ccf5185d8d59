#!/bin/bash
# config_error.sh — QA finding 3: a configured WeChat client that cannot
# start (a key file with mode 0644) is a configuration error, never a
# silent "offline": `quan redeem` exits 1 naming the file and the fix
# (chmod 600) and redeems nothing; `quan status --json` says
# online_step.state = config_error with the reason; `quan sync --once`
# says it on stderr. Fixed modes: status says ready. No simulator needed
# (nothing may reach the network).
set -u
QUAN=${QUAN:?QUAN must name the quan binary}
W=$(mktemp -d /tmp/quan-cfgerr-XXXXXX)
SIM=$W/sim
fail() { echo "FAIL: $*" >&2; echo "kept $W" >&2; exit 1; }
command -v sqlite3 >/dev/null || fail "sqlite3 is needed"
command -v python3 >/dev/null || fail "python3 is needed"
"$QUAN" sim init "$SIM" >/dev/null || fail "sim init"
"$QUAN" sim seed "$SIM" >/dev/null || fail "sim seed"
export QUAN_CONFIG=$SIM/quan.conf QUAN_DATA=$SIM/data
"$QUAN" import stocks "$SIM/import/stocks.json" >/dev/null || fail "import stocks"
"$QUAN" import codes "$SIM/import/codes.csv" >/dev/null || fail "import codes"
CODE=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['merchant']['valid'][0]['code'])" "$SIM/seed.json") || fail "seed.json"
step() { "$QUAN" status --json | python3 -c "import json,sys; s=json.load(sys.stdin)['online_step']; print(s['state'], s['error'])"; }

for f in apiv3.key merchant/apiclient_key.pem; do
	chmod 644 "$SIM/$f"
	out=$("$QUAN" redeem --json --amount 100 "$CODE" 2>"$W/err"); rc=$?
	[ $rc -eq 1 ] || fail "$f 0644: redeem exit $rc, expected 1 ($out)"
	grep -q "chmod 600 $SIM/$f" "$W/err" || fail "$f 0644: no chmod hint: $(cat "$W/err")"
	grep -q "nothing redeemed" "$W/err" || fail "$f 0644: $(cat "$W/err")"
	[ "$(sqlite3 "$SIM/data/quan.db" "SELECT count(*) FROM redemptions")" = 0 ] || fail "$f 0644: a coupon was redeemed"
	s=$(step)
	case "$s" in "config_error wechatpay: "*"chmod 600 $SIM/$f") ;; *) fail "$f 0644: status online_step: $s" ;; esac
	"$QUAN" sync --once >/dev/null 2>"$W/err"
	grep -q "quan sync: configuration error: .*$f" "$W/err" || fail "$f 0644: sync --once: $(cat "$W/err")"
	chmod 600 "$SIM/$f"
done
[ "$(step)" = "ready " ] || fail "status with 0600 files: $(step)"
rm -rf "$W"
echo "ok: a refused key file is a configuration error (redeem exit 1, status config_error)"
