#!/bin/bash
# config_error.sh — QA finding 3: a configured WeChat client that cannot
# start (a key file with mode 0644) is a configuration error, never a
# silent "offline": `quan redeem` exits 1 naming the file and the fix
# (chmod 600) and redeems nothing; `quan status --json` says
# online_step.state = config_error with the reason; `quan sync --once`
# says it on stderr. Fixed modes: status says ready. The same for trust
# files others can write; a config others can write and an http:// URL are
# refused at load; a 0755 data dir is tightened. No simulator needed
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
# a trust file others can write (the CA, the platform certificate, the
# public key) is refused like a key file others can read (issue 9)
for f in ca.pem platform/cert.pem platform/pub_key.pem; do
	chmod 664 "$SIM/$f"
	out=$("$QUAN" redeem --json --amount 100 "$CODE" 2>"$W/err"); rc=$?
	[ $rc -eq 1 ] || fail "$f 0664: redeem exit $rc, expected 1 ($out)"
	grep -q "chmod go-w $SIM/$f" "$W/err" || fail "$f 0664: no chmod hint: $(cat "$W/err")"
	s=$(step)
	case "$s" in "config_error "*"chmod go-w $SIM/$f"*) ;; *) fail "$f 0664: status online_step: $s" ;; esac
	chmod 644 "$SIM/$f"
done
[ "$(step)" = "ready " ] || fail "status with 0644 trust files: $(step)"
[ "$(sqlite3 "$SIM/data/quan.db" "SELECT count(*) FROM redemptions")" = 0 ] || fail "a coupon was redeemed"
# a config file others can write: every command refuses it, naming it
chmod 664 "$SIM/quan.conf"
"$QUAN" status >/dev/null 2>"$W/err" && fail "group-writable config accepted"
grep -q "$SIM/quan.conf: config file is writable by group/other (mode 664); refused: run chmod go-w $SIM/quan.conf" "$W/err" ||
	fail "writable config: $(cat "$W/err")"
chmod 644 "$SIM/quan.conf"
# plain http is refused at load, naming file:line: key
sed 's|^base_url = https://|base_url = http://|' "$SIM/quan.conf" >"$W/http.conf"
"$QUAN" --config "$W/http.conf" status >/dev/null 2>"$W/err" && fail "http base_url accepted"
grep -q "$W/http.conf:[0-9]*: base_url: 'http://127.0.0.1:[0-9]*' is not an https:// URL" "$W/err" ||
	fail "http base_url: $(cat "$W/err")"
# a data dir made 0755 beforehand is tightened to 0700 (it holds codes
# and openids)
mkdir -m 755 "$W/loose"
"$QUAN" --data "$W/loose" status >/dev/null 2>"$W/err" || fail "status on a 0755 data dir: $(cat "$W/err")"
[ "$(stat -c %a "$W/loose")" = 700 ] || fail "data dir left $(stat -c %a "$W/loose")"
rm -rf "$W"
echo "ok: a refused key or trust file is a configuration error (redeem exit 1, status config_error); a writable config, an http URL refused; a 0755 data dir tightened"
