#!/bin/bash
# verdict_words.sh — what the verdict says is true (issue 16, findings 1
# and 10), headless against `quan sim`, in English and Chinese:
#  - a sale where one coupon is confirmed and another refused by WeChat
#    says so ("1 confirmed, 1 refused — collect ¥95.00") with the refusal
#    reason, not the verdict of the last event;
#  - a payment code at the coupon step is a note with the code masked,
#    not a refusal showing the whole code;
#  - a code already in the basket points at its line instead of REJECTED;
#  - full-width digits and codes (a Chinese input method's １００) are read
#    as the same digits and codes.
# Env: QUAN (binary).
set -u
. "$(dirname "$0")/lib.sh"

W=$(mktemp -d /tmp/quan-ui-verdict-XXXXXX)
SIMPID=""
trap '[ -n "$SIMPID" ] && kill $SIMPID 2>/dev/null; rm -rf "$W"' EXIT
SIM="$W/sim" D="$W/data"
sim_till "$SIM" "$D"

# a valid code of another stock than the used one (the per-sale limit of
# one stock would refuse it at the scan)
pair() { python3 - "$SIM/seed.json" "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); i = int(sys.argv[2])
u = d["merchant"]["used"][i]
v = [c for c in d["merchant"]["valid"] if c["stock_id"] != u["stock_id"]]
f = [c for c in v if c["stock_id"] != v[i]["stock_id"]]
print(v[i]["code"], u["code"], f[i]["code"])
PY
}
fw() { python3 -c 'import sys; print("".join(chr(ord(c) + 0xfee0) if "!" <= c <= "~" else c for c in sys.argv[1]))' "$1"; }

i=0
for lang in en zh_CN; do
	read -r V U F <<<"$(pair $i)"; i=$((i + 1))
	if [ $lang = en ]; then
		MIXED="verdict: 1 confirmed, 1 refused — collect ¥95.00"
		WHY="— already used" PAY="verdict: Payment code 1345**********6789"
		DUP="verdict: Already scanned" LINE="it is line 1 of this sale"
		REJ="REJECTED"
	else
		MIXED="verdict: 1 张已核销，1 张被拒 — 应收 ¥95.00"
		WHY="— 已使用" PAY="verdict: 付款码 1345**********6789"
		DUP="verdict: 已扫描" LINE="已在本单第 1 行" REJ="拒绝"
	fi
	cat >"$W/s.$lang" <<S
login 1001 1234
wait-net 10000
amount $(fw 100)
print
expect amount=¥100.00
scan $V
scan 134567890123456789
print
expect $PAY
expect-not 134567890123456789
expect-not verdict: $REJ
scan $V
print
expect $DUP
expect $LINE
expect-not verdict: $REJ
scan $(fw "$F")
print
expect coupon 2: $F
cancel
amount 100
scan $V
scan $U
confirm
wait-sync 8000
print
expect $MIXED
expect verdict reason:
expect $WHY
S
	if "$QUAN" run --config "$SIM/quan.conf" --data "$D" --lang $lang \
	    --headless "$W/s.$lang" --quiet >"$W/o.$lang" 2>&1; then
		ok "$lang: mixed sale, payment code, already scanned, full-width input"
	else
		echo "FAIL: $lang:"; cat "$W/o.$lang"; FAILS=$((FAILS + 1))
	fi
done
[ "$FAILS" -eq 0 ] || { echo "verdict_words: $FAILS failure(s)"; exit 1; }
echo "verdict_words: ok"
