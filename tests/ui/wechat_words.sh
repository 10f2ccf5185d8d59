#!/bin/bash
# wechat_words.sh — issue 16 finding 3 on the terminal, online against
# `quan sim`: an expired coupon the code cache knows only from an import
# is, at the scan, "to be confirmed by WeChat" (待微信确认) with its
# expected value — not "valid" (可用): whether it was used or expired
# since, only WeChat knows; WeChat's refusal at redeem is named from
# WeChat's record of the coupon (the sync thread queries it with the
# imported openid): "expired at …" (已过期 …), and a code used elsewhere
# "already used at HH:MM" (已使用 HH:MM) — not the machine id
# not_usable_now (微信：当前不可用) nor the catch-all words.
set -u
: "${QUAN:?}"
W=$(mktemp -d /tmp/quan-ui-wxwords-XXXXXX)
SIM=$W/sim
SIMPID=
fail() { echo "FAIL: $*" >&2; [ -n "$SIMPID" ] && { kill "$SIMPID"; wait "$SIMPID"; } 2>/dev/null; echo "kept $W" >&2; exit 1; }
"$QUAN" sim init "$SIM" >/dev/null || fail "sim init"
"$QUAN" sim seed "$SIM" >/dev/null || fail "sim seed"
export QUAN_CONFIG=$SIM/quan.conf QUAN_DATA=$SIM/data
"$QUAN" import stocks "$SIM/import/stocks.json" >/dev/null || fail "import stocks"
"$QUAN" import codes "$SIM/import/codes.csv" >/dev/null || fail "import codes"
"$QUAN" staff add 1001 --role cashier --pin 1234 >/dev/null || fail "staff add"
"$QUAN" sim serve "$SIM" --listen 127.0.0.1:0 >"$W/sim.out" 2>"$W/sim.err" &
SIMPID=$!
for _ in $(seq 100); do grep -q '^listening' "$W/sim.out" && break; sleep 0.1; done
grep -q '^listening' "$W/sim.out" || fail "sim did not start"
pick() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['merchant'][sys.argv[2]][int(sys.argv[3])]['code'])" "$SIM/seed.json" "$1" "$2"; }
E1=$(pick expired 0); E2=$(pick expired 1); U1=$(pick used 1); U2=$(pick used 0)
script() { # CODE
	cat <<S
wait-net 10000
login 1001 1234
amount 100
scan $1
print
sleep 400
confirm
wait-sync 8000
print
S
}
script "$E1" >"$W/s_en"
script "$E2" >"$W/s_zh"
script "$U1" >"$W/u_en"
script "$U2" >"$W/u_zh"
for r in s_en:en u_en:en s_zh:zh_CN u_zh:zh_CN; do
	f=${r%%:*}; l=${r#*:}
	"$QUAN" run --headless "$W/$f" --lang "$l" >"$W/$f.out" 2>"$W/e" || fail "$f run: $(tail -8 "$W/$f.out") $(cat "$W/e")"
done
cat "$W/s_en.out" "$W/u_en.out" >"$W/en"
cat "$W/s_zh.out" "$W/u_zh.out" >"$W/zh"
kill "$SIMPID"; wait "$SIMPID" 2>/dev/null; SIMPID=
has() { grep -qF -- "$2" "$W/$1" || fail "$1: no '$2' in: $(cat "$W/$1")"; }
hasnt() { ! grep -qF -- "$2" "$W/$1" || fail "$1: '$2' on screen: $(grep -F -- "$2" "$W/$1" | head -3)"; }
# at the scan: the expected value, waiting for WeChat
grep -q "^coupon 1: .* -¥[1-9][0-9.]* to be confirmed by WeChat" "$W/en" || fail "en scan: $(cat "$W/en")"
grep -q "^coupon 1: .* -¥[1-9][0-9.]* 待微信确认" "$W/zh" || fail "zh scan: $(cat "$W/zh")"
hasnt en " valid"
hasnt zh "可用 "
# after redeem: WeChat's refusals named from its record of the coupon
has en "expired at "
has zh "已过期 "
grep -q "already used at \([0-9-]* \)\?[0-9][0-9]:[0-9][0-9]" "$W/u_en.out" || fail "en used: $(cat "$W/u_en.out")"
grep -q "已使用 \([0-9-]* \)\?[0-9][0-9]:[0-9][0-9]" "$W/u_zh.out" || fail "zh used: $(cat "$W/u_zh.out")"
hasnt en "WeChat refused: expired, used or outside its hours"
hasnt zh "微信拒绝：券已过期、已使用或不在可用时段"
hasnt en "not usable now"
hasnt zh "当前不可用"
rm -rf "$W"
echo "ok: at the scan 'to be confirmed by WeChat'; WeChat's refusal named: expired at, already used at HH:MM"
