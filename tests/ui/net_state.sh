#!/bin/bash
# net_state.sh — QA findings 2 and 3 on the terminal (`quan run
# --headless`): the status says CONNECTING... (连接中…) until the sync
# thread's first real answer or failure — never ONLINE before anything
# was tried; a start-up probe (one definition refresh) settles it without
# a sale: ONLINE with the simulator up, OFFLINE with it stopped; a refused
# key file (mode 0644) shows CONFIG ERROR with the reason, not OFFLINE.
# A till clock off by minutes shows CLOCK WRONG (QA 5e). A certificate
# that is not trusted or is for another host shows TLS ERROR (issue 9).
# A provisional coupon (stock unknown until WeChat answers) says its value
# comes with the answer (both languages).
set -u
: "${QUAN:?}"
W=$(mktemp -d /tmp/quan-ui-net-XXXXXX)
SIM=$W/sim
SIMPID=
fail() { echo "FAIL: $*" >&2; [ -n "$SIMPID" ] && { kill -CONT "$SIMPID"; kill "$SIMPID"; } 2>/dev/null; echo "kept $W" >&2; exit 1; }
"$QUAN" sim init "$SIM" >/dev/null || fail "sim init"
"$QUAN" sim seed "$SIM" >/dev/null || fail "sim seed"
export QUAN_CONFIG=$SIM/quan.conf QUAN_DATA=$SIM/data
"$QUAN" import stocks "$SIM/import/stocks.json" >/dev/null || fail "import"
"$QUAN" staff add 1001 --role cashier --pin 1234 >/dev/null || fail "staff add"
# a free port: the simulator writes it into quan.conf's base_url lines
LISTEN=127.0.0.1:0
run() { "$QUAN" run --headless "$1" --quiet "${@:2}" >"$W/out" 2>"$W/err"; }
# sim.out is emptied before each start: the child's redirection comes
# later, and until then the last run's "listening" line would be read
serve() { : >"$W/sim.out"; "$QUAN" sim serve "$SIM" "$@" >"$W/sim.out" 2>"$W/sim.err" & SIMPID=$!; }

# 1. the simulator frozen (connects, never answers): CONNECTING, not ONLINE
"$QUAN" sim serve "$SIM" --listen "$LISTEN" >"$W/sim.out" 2>"$W/sim.err" &
SIMPID=$!
for _ in $(seq 100); do grep -q '^listening' "$W/sim.out" && break; sleep 0.1; done
grep -q '^listening' "$W/sim.out" || fail "sim did not start"
kill -STOP "$SIMPID"
cat >"$W/s1" <<'S'
sleep 300
print
expect status: CONNECTING...
expect-not ONLINE
S
run "$W/s1" || fail "frozen simulator: $(cat "$W/out" "$W/err")"
cat >"$W/s1zh" <<'S'
sleep 300
print
expect status: 连接中…
S
run "$W/s1zh" --lang zh_CN || fail "frozen simulator, zh_CN: $(cat "$W/out" "$W/err")"
kill -CONT "$SIMPID"

# 2. the simulator up: the probe makes it ONLINE without a sale
cat >"$W/s2" <<'S'
wait-net 10000
print
expect status: ONLINE
S
run "$W/s2" || fail "simulator up: $(cat "$W/out" "$W/err")"
# 2b. a coupon whose stock the till does not know yet (22-digit code not in
# the code cache) is taken provisionally: its value is known after WeChat
# answers — not "offline: this coupon can only be used online"
CODE=$(python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
print([e for e in d['merchant']['valid'] if e['coupon_code_mode'] == 'WECHATPAY_MODE'][0]['code'])" "$SIM/seed.json") || fail "seed.json"
cat >"$W/s5" <<S
wait-net 10000
login 1001 1234
amount 50
scan $CODE
print
expect value known after WeChat answers
expect-not can only be used online
S
run "$W/s5" || fail "provisional line: $(cat "$W/out" "$W/err")"
cat >"$W/s5zh" <<S
login 1001 1234
amount 50
scan $CODE
print
expect 优惠金额待微信答复后确定
S
run "$W/s5zh" --lang zh_CN || fail "provisional line, zh_CN: $(cat "$W/out" "$W/err")"
kill "$SIMPID"; wait "$SIMPID"; SIMPID=

# 3. the simulator stopped: OFFLINE once the probe failed
cat >"$W/s3" <<'S'
wait-net 10000
print
expect status: OFFLINE
S
run "$W/s3" || fail "simulator stopped: $(cat "$W/out" "$W/err")"

# 3b. the till's clock 400 s off (every reply refused for its timestamp):
# CLOCK WRONG with the reason, not ONLINE/OFFLINE (QA 5e); quan redeem
# says so on stderr
serve --listen 127.0.0.1:0 --faults skew=400
for _ in $(seq 100); do grep -q '^listening' "$W/sim.out" && break; sleep 0.1; done
grep -q '^listening' "$W/sim.out" || fail "sim did not start"
cat >"$W/s6" <<'S'
wait-net 10000
sleep 2500
print
expect status: CLOCK WRONG
expect away from our clock
S
run "$W/s6" || fail "clock skew: $(cat "$W/out" "$W/err")"
"$QUAN" import codes "$SIM/import/codes.csv" >/dev/null || fail "import codes"
C2=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['merchant']['valid'][5]['code'])" "$SIM/seed.json")
"$QUAN" redeem --json --amount 100 "$C2" >/dev/null 2>"$W/rerr"
grep -q "clock is wrong" "$W/rerr" || fail "redeem with a wrong clock: $(cat "$W/rerr")"
kill "$SIMPID"; wait "$SIMPID"; SIMPID=

# 3c. WeChat's certificate not trusted (ca_file names another CA): TLS
# ERROR with curl's reason, not OFFLINE; quan status says tls_error (kept
# by the sync that saw it), quan redeem says so on stderr (issue 9)
serve --listen 127.0.0.1:0
for _ in $(seq 100); do grep -q '^listening' "$W/sim.out" && break; sleep 0.1; done
grep -q '^listening' "$W/sim.out" || fail "sim did not start"
"$QUAN" sim init "$W/other" >/dev/null || fail "sim init other"
sed "s|^ca_file = .*|ca_file = $W/other/ca.pem|" "$SIM/quan.conf" >"$SIM/tls.conf"
cat >"$W/s7" <<'S'
wait-net 10000
print
expect status: TLS ERROR
expect net: TLS error:
expect certificate
S
run "$W/s7" --config "$SIM/tls.conf" || fail "untrusted certificate: $(cat "$W/out" "$W/err")"
cat >"$W/s7zh" <<'S'
wait-net 10000
print
expect status: 证书错误
S
run "$W/s7zh" --config "$SIM/tls.conf" --lang zh_CN || fail "untrusted certificate, zh_CN: $(cat "$W/out" "$W/err")"
"$QUAN" status --config "$SIM/tls.conf" >"$W/st" 2>&1 || fail "status: $(cat "$W/st")"
grep -q "^network: tls_error since .*certificate" "$W/st" || fail "status after a TLS failure: $(cat "$W/st")"
"$QUAN" status --json --config "$SIM/tls.conf" | python3 -c "import json,sys; n=json.load(sys.stdin)['network']; sys.exit(n['state'] != 'tls_error')" ||
	fail "status --json after a TLS failure"
C3=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['merchant']['valid'][6]['code'])" "$SIM/seed.json")
"$QUAN" redeem --json --config "$SIM/tls.conf" --amount 100 "$C3" >/dev/null 2>"$W/rerr"
grep -q "TLS certificate is refused" "$W/rerr" || fail "redeem with an untrusted certificate: $(cat "$W/rerr")"
# the same WeChat with the right CA: ONLINE, and status says online again
run "$W/s2" || fail "trusted again: $(cat "$W/out" "$W/err")"
"$QUAN" status | grep -q "^network: online since" || fail "status after trust restored: $("$QUAN" status)"
kill "$SIMPID"; wait "$SIMPID"; SIMPID=
# 3d. a certificate for another host (the simulator's is for 127.0.0.1 and
# localhost; here it is reached as 127.0.0.2): TLS ERROR too
serve --listen 127.0.0.2:0
for _ in $(seq 100); do grep -q '^listening' "$W/sim.out" && break; sleep 0.1; done
grep -q '^listening' "$W/sim.out" || fail "sim did not start on 127.0.0.2"
cat >"$W/s8" <<'S'
wait-net 10000
print
expect status: TLS ERROR
S
run "$W/s8" || fail "certificate for another host: $(cat "$W/out" "$W/err")"
kill "$SIMPID"; wait "$SIMPID"; SIMPID=

# 4. a refused key file: CONFIG ERROR with the reason, in both languages
chmod 644 "$SIM/apiv3.key"
cat >"$W/s4" <<S
wait-net 3000
print
expect status: CONFIG ERROR
expect net: wechatpay:
expect chmod 600 $SIM/apiv3.key
S
run "$W/s4" || fail "0644 key: $(cat "$W/out" "$W/err")"
cat >"$W/s4zh" <<'S'
print
expect status: 配置错误
S
run "$W/s4zh" --lang zh_CN || fail "0644 key, zh_CN: $(cat "$W/out" "$W/err")"
rm -rf "$W"
echo "ok: CONNECTING until known, ONLINE/OFFLINE from the probe, CLOCK WRONG, TLS ERROR, CONFIG ERROR"
