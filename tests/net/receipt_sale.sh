#!/bin/bash
# receipt_sale.sh — receipts after payment (issue 11), against `quan sim`:
# a sale with a merchant coupon and a WeChat voucher prints on a file:
# printer as ESC/POS (ESC @, FS &, GB18030 text with each coupon and
# voucher line, ￥ never the 4-byte ¥, the out_trade_no as the QR's
# payload, the cut); `quan print --reprint TXN` gives the same bytes; a
# cash sale shows tendered and change; a dead printer (a tcp port nobody
# listens on, a listener that never reads) never holds the sale beyond a
# small bound — the sale is complete, the receipt "not printed"; the
# terminal prints after a paid sale, says so when it could not, reprints
# the last receipt (key print) and prints the X report on screen with the
# screen's figures.
set -u
QUAN=${QUAN:?QUAN must name the quan binary}
W=$(mktemp -d /tmp/quan-receipt-XXXXXX)
SIM=$W/sim
SIM_SEED=11
. "$(dirname "${BASH_SOURCE[0]}")/simlib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/salelib.sh"
LPID=
cleanup() { kill_sim; [ -n "$LPID" ] && kill "$LPID" 2>/dev/null; wait 2>/dev/null; }
trap cleanup EXIT

sale_setup 500
printf '\n[printer]\ndevice = file:%s/roll.bin\nwidth_mm = 58\ntimeout_ms = 500\nstatus_ms = 0\n' "$W" >>"$QUAN_CONFIG"
mapfile -t MC < <(python3 -c "
import json
for e in json.load(open('$SIM/seed.json'))['merchant']['valid']:
    if e.get('stock_type') == 'NORMAL': print(e['code'])")
# sale ARGS...: quan sale --json; $OUT, $RC and (one python) $TXN $OTN
# $STATE $PRINTED $VF $WXID $VOUCHERS ("name:yuan" ...)
sale() {
	OUT=$("$QUAN" sale --json "$@" 2>"$W/err"); RC=$?
	eval "$(python3 -c '
import json, sys, shlex
j = json.loads(sys.argv[1]); p = j["payment"]
v = {"TXN": j["txn"], "OTN": p["out_trade_no"], "STATE": p["state"],
     "PRINTED": j.get("receipt", {}).get("printed"), "VF": p["voucher_fen"],
     "WXID": p["transaction_id"], "VOUCHERS": " ".join("%s:%.2f" % (x["name"],
     x["amount_fen"] / 100) for x in p["vouchers"])}
for k in v: print("%s=%s" % (k, shlex.quote(str(v[k]))))' "$OUT" 2>/dev/null)"
}

# decode ROLL OFFSET OTN: one receipt's ESC/POS from OFFSET; prints its
# text (GB18030 decoded) and checks the frame, the QR and the yen sign
decode() {
	python3 - "$@" <<'PY'
import sys
b = open(sys.argv[1], "rb").read()[int(sys.argv[2]):]
otn = sys.argv[3].encode()
def need(c, what):
    if not c:
        print("BAD:", what); sys.exit(1)
need(b.startswith(b"\x1b\x40\x1c\x26"), "ESC @ then FS &")
end = b.find(b"\x1c\x2e\x1b\x64\x04\x1d\x56\x01")
need(end > 0, "FS ., feed and cut")
body = b[:end]
need(b"\x81\x30\x84\x36" not in body, "4-byte GB18030 yen")
# the QR: GS ( k pL pH 1 P 0 data
import re
m = re.search(rb"\x1d\x28\x6b(..)\x31\x50\x30", body, re.S)
need(m, "QR store")
i = m.start() + 5
n = body[i-2] | body[i-1] << 8
need(body[i+3:i+n] == otn, "QR payload = out_trade_no (%r)" % body[i+3:i+n])
need(b"\x1d\x28\x6b\x03\x00\x31\x51\x30" in body, "QR print")
# the text: drop the commands we send, decode the rest
import re
t = body[:i-5] + body[i+n:]
t = re.sub(rb"\x1b[\x40]|\x1c[\x26\x2e]|\x1b[\x61\x21\x45\x64].|\x1d\x28\x6b..\x31[\x41\x43\x45\x51].?.?", b"", t, flags=re.S)
print(t.decode("gb18030"))
PY
}

# 1. a sale: merchant coupon, then a voucher inside the WeChat payment
sale --amount 100 --pay "$(pay_code 00)" "${MC[0]}"
[ $RC = 0 ] || fail "sale: $(cat "$W/err") $OUT"
[ "$PRINTED" = True ] || fail "receipt not printed: $OUT"
[ "$VF" -gt 0 ] || fail "the seeded case has a voucher: $OUT"
decode "$W/roll.bin" 0 "$OTN" >"$W/r1.txt" || fail "receipt: $(cat "$W/r1.txt")"
grep -q '商家券' "$W/r1.txt" || fail "no 商家券 line: $(cat "$W/r1.txt")"
grep -q -- '-￥5.00' "$W/r1.txt" || fail "coupon discount: $(cat "$W/r1.txt")"
grep -q '应收 *￥95.00' "$W/r1.txt" || fail "due: $(cat "$W/r1.txt")"
# one line per voucher WeChat applied, with its amount
for v in $VOUCHERS; do
	grep -q "微信支付优惠 ${v%%:*} *-￥${v##*:}" "$W/r1.txt" ||
		fail "voucher line $v: $(cat "$W/r1.txt")"
done
grep -q '微信支付实付' "$W/r1.txt" || fail "payer line"
grep -q "$WXID" "$W/r1.txt" || fail "transaction_id"
grep -q '券码 \*\*\*\*' "$W/r1.txt" || fail "coupon code masked"
grep -qF "${MC[0]}" "$W/r1.txt" && fail "a coupon code printed in full"
S1=$(stat -c %s "$W/roll.bin")

# 2. reprint by sale number: the same bytes again
"$QUAN" print --reprint "$TXN" >"$W/p.out" 2>&1 || fail "reprint: $(cat "$W/p.out")"
python3 -c "
b = open('$W/roll.bin','rb').read()
assert len(b) == 2 * $S1 and b[:$S1] == b[$S1:], 'reprint differs'" || fail "reprint not the same bytes"
"$QUAN" print --reprint 999 >/dev/null 2>&1 && fail "reprint of no sale"

# 3. cash with change, in English
sed -i 's/^language = .*//' "$QUAN_CONFIG"
sed -i 's/^\[terminal\]$/[terminal]\nlanguage = en/' "$QUAN_CONFIG"
S2=$(stat -c %s "$W/roll.bin")
sale --amount 42.50 --cash 50
[ $RC = 0 ] || fail "cash sale: $(cat "$W/err")"
decode "$W/roll.bin" "$S2" "$OTN" >"$W/r3.txt" ||
	fail "cash receipt: $(cat "$W/r3.txt")"
grep -q 'Cash received *￥50.00' "$W/r3.txt" || fail "tendered: $(cat "$W/r3.txt")"
grep -q 'Change *￥7.50' "$W/r3.txt" || fail "change: $(cat "$W/r3.txt")"

# a refund of part of it: the sale stays paid, the money back is counted
# apart (quan report, and the terminal's X report below)
echo 9999 | "$QUAN" refund --amount 10 --by 9001 "$TXN" >"$W/rf.out" 2>&1 ||
	fail "refund: $(cat "$W/rf.out")"
"$QUAN" report --json >"$W/rep.json" || fail "report"
python3 - "$W/rep.json" <<'PY' || fail "refunds in quan report: $(cat "$W/rep.json")"
import json, sys
j = json.load(open(sys.argv[1]))
r, p = j["refunds"], j["payments"]
assert r["count"] == 1 and r["fen"] == 1000 and r["by_tender"]["cash"]["fen"] == 1000, r
assert r["by_tender"]["wechat"]["count"] == 0 and r["open"]["count"] == 0, r
assert p["cash"]["count"] == 1 and p["cash"]["fen"] == 4250, p
PY
"$QUAN" report | grep -q '^refunds: 1 10.00' || fail "refunds in the text report: $("$QUAN" report)"

# 4. dead printers never hold a sale: a closed port, a listener that
# never reads (its window fills); the bound is the job's 500 ms plus the
# command's own time
DEAD=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1]); s.close()")
python3 - "$W/stall.port" <<'PY' &
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
s.bind(("127.0.0.1", 0)); s.listen(4)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
conns = []
while True:
    c, _ = s.accept(); conns.append(c)   # and never read
PY
LPID=$!
for _ in $(seq 100); do [ -s "$W/stall.port" ] && break; sleep 0.05; done
STALL=$(cat "$W/stall.port")
t0=$(date +%s%N)
"$QUAN" sale --json --amount 1 --cash 1 >/dev/null 2>&1
base=$(( ($(date +%s%N) - t0) / 1000000 ))
sed -i "s|^status_ms = .*|status_ms = 300|" "$QUAN_CONFIG"
for dev in "tcp:127.0.0.1:$DEAD" "tcp:127.0.0.1:$STALL"; do
	sed -i "s|^device = .*|device = $dev|" "$QUAN_CONFIG"
	t0=$(date +%s%N)
	OUT=$("$QUAN" sale --json --amount 12 --cash 20 2>"$W/e4"); RC=$?
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	[ $RC = 0 ] || fail "sale with $dev: exit $RC $(cat "$W/e4")"
	case $OUT in *'"state":"paid"'*) ;; *) fail "not paid: $OUT" ;; esac
	TXN=$(sqlite3 "$W/data/quan.db" "SELECT max(id) FROM txns")
	if [ "$dev" = "tcp:127.0.0.1:$DEAD" ]; then
		case $OUT in *'"receipt":{"printed":false'*) ;;
		*) fail "printed on $dev? $OUT" ;; esac
		grep -q "receipt not printed.*quan print --reprint" "$W/e4" ||
			fail "not said: $(cat "$W/e4")"
	fi # a listener that never reads takes a receipt's few bytes into
	   # its kernel buffer and never answers the status: bounded anyway
	[ "$(sqlite3 "$W/data/quan.db" "SELECT state FROM txns WHERE id=$TXN")" = closed ] ||
		fail "the sale is not complete"
	echo "sale with a dead printer ($dev): ${ms} ms (the same sale printed: ${base} ms)"
	[ "$ms" -lt 2500 ] || fail "a dead printer held the sale ${ms} ms"
done

# 5. the terminal: a paid sale prints; a dead printer is said, the sale
# done; the last receipt again; the X report on paper = the screen's
sed -i "s|^device = .*|device = file:$W/roll2.bin|" "$QUAN_CONFIG"
cat >"$W/s" <<S
login 1001 1234
amount 30
scan ${MC[1]}
confirm
wait-sync 5000
key cash
submit 50
print
expect pay: paid tender=cash
sleep 100
key print
sleep 100
key xreport
print
key print
sleep 100
S
"$QUAN" run --headless "$W/s" --quiet --lang en >"$W/o" 2>"$W/e" ||
	{ cat "$W/o" "$W/e" >&2; fail "headless run"; }
python3 - "$W/roll2.bin" "$W/o" <<'PY' || fail "terminal paper"
import sys, re
b = open(sys.argv[1], "rb").read()
cuts = b.split(b"\x1d\x56\x01")
assert len(cuts) == 4 and cuts[3] == b"", "receipt, reprint, report: %d" % (len(cuts) - 1)
assert cuts[0] == cuts[1], "the reprint is not the last receipt"
assert "Change" in cuts[0].decode("gb18030", "replace"), "a receipt"
rep = cuts[2].decode("gb18030", "replace")
assert "X report" in rep, rep
screen = open(sys.argv[2]).read()
# each figure of the screen's report is on paper
for label in ("Redeemed (confirmed + offline)", "Cash / other tender",
              "Refunded (WeChat / cash / other)"):
    m = re.search(re.escape(label) + r": *(.*)", screen)
    assert m, "screen: " + label
    val = m.group(1).strip().replace("\u00a5", "\uffe5")
    assert re.search(re.escape(label) + r"\s+" + re.escape(val), rep), (label, val, rep)
PY
sed -i "s|^device = .*|device = tcp:127.0.0.1:$DEAD|" "$QUAN_CONFIG"
cat >"$W/s" <<S
login 1001 1234
amount 100
scan ${MC[2]}
confirm
wait-sync 5000
key cash
submit 100
print
expect pay: paid tender=cash
sleep 800
print
expect msg: Sale complete; receipt not printed
S
"$QUAN" run --headless "$W/s" --quiet --lang en >"$W/o" 2>"$W/e" ||
	{ cat "$W/o" "$W/e" >&2; fail "headless run, dead printer"; }
echo "receipts: ok"
rm -rf "$W"
