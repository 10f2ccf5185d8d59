#!/bin/bash
# tmux_redeem_keys.sh — the keys of a sale do only what was meant (issue
# 16, findings 2 and 7), in English and Chinese, at 80x24:
#  - an Enter that follows a scan within 300 ms (a scanner's CR+LF
#    suffix, a double Enter) does not redeem; a later Enter does;
#  - a scanned sale takes 5 keys besides the scans (amount digits, Enter,
#    the redeem Enter or +): counted here; + is a deliberate redeem key,
#    taken right after a scan too;
#  - Esc keeps the basket, and digits typed right after Esc are kept;
#  - F2 once asks, F2 twice clears the basket;
#  - a payment code at the coupon step is masked, and its long reason
#    breaks between words at 80 columns (it read "take payme / nt").
# Env: QUAN (binary).
set -u
. "$(dirname "$0")/lib.sh"

W=$(mktemp -d /tmp/quan-ui-keys-XXXXXX)
SIMPID=""
trap 'finish; [ -n "$SIMPID" ] && kill $SIMPID 2>/dev/null; rm -rf "$W"' EXIT
SIM="$W/sim" D="$W/data"
sim_till "$SIM" "$D"

n=0
for lang in en zh_CN; do
	if [ $lang = en ]; then
		CONFIRMED=CONFIRMED AMOUNT="Amount (yuan)" SCAN="Scan or type"
		ESCW="Esc keeps the basket" F2W="F2 again clears it"
		CANCELLED=Cancelled PIN="PIN"
	else
		CONFIRMED=已核销 AMOUNT="金额（元）" SCAN="扫描或输入券码"
		ESCW="Esc 保留本单" F2W="再按 F2 清空"
		CANCELLED=已取消 PIN="密码"
	fi
	n=$((n + 1)); A=$(seed_code "$SIM" merchant valid NORMAL $n)
	n=$((n + 1)); B=$(seed_code "$SIM" merchant valid DISCOUNT $n)
	start 80x24 "$QUAN run --config $SIM/quan.conf --data $D --quiet --lang $lang"
	wait_for "$PIN" 10 || continue
	line 1001; sleep 0.2; line 1234; wait_for "$AMOUNT" 10 || continue

	# -- a scanner that ends each code with CR+LF: no redeem ----------
	keys -l 100; keys Enter; wait_for "$SCAN" 5
	tm send-keys -t "$T_SESS" -l "$A"; keys C-m C-j
	wait_for " 1 " 5
	sleep 1
	f0=$FAILS; expect_not "$CONFIRMED"
	# a person's double Enter right after the scan: no redeem either
	tm send-keys -t "$T_SESS" -l "$B"; keys Enter Enter
	wait_for " 2 " 5
	sleep 1
	f0=$FAILS; expect_not "$CONFIRMED"
	[ $FAILS -eq $f0 ] && ok "$lang: an Enter right after a scan does not redeem"

	# -- Esc keeps the basket; digits typed right after it are kept ---
	keys Escape; wait_for "$ESCW" 5
	keys Escape 4 2
	wait_for ": 42" 5 && expect_not "$AMOUNT" && wait_for " 2 " 1 && ok "$lang: Esc keeps the basket and the digits typed after it"
	keys BSpace BSpace
	# -- F2 once asks; any other key keeps the basket; F2 twice clears
	keys F2; wait_for "$F2W" 5
	keys Left; sleep 0.3
	expect_not "$F2W"; expect_not "$AMOUNT"
	keys F2; wait_for "$F2W" 5; keys F2
	wait_for "$AMOUNT" 5 && wait_for "$CANCELLED" 5 &&
		ok "$lang: F2 twice clears the basket, once does not"

	# -- a payment code: masked, words not split ----------------------
	line 100; wait_for "$SCAN" 5
	line 134567890123456789; wait_for "1345**********6789" 5
	f0=$FAILS
	expect_not 134567890123456789
	[ $FAILS -eq $f0 ] && ok "$lang: a payment code is masked, not refused in red"
	keys Escape; wait_for "$AMOUNT" 5

	# -- a scanned sale: 5 keys besides the scan ----------------------
	n=$((n + 1)); C=$(seed_code "$SIM" merchant valid NORMAL $n)
	k=0
	keys 1 0 0; k=$((k + 3)); keys Enter; k=$((k + 1))
	wait_for "$SCAN" 5
	line "$C"; wait_for " 1 " 5
	redeem; k=$((k + 1))
	wait_for "$CONFIRMED" 15 &&
		{ [ $k -eq 5 ] && ok "$lang: keys per scanned sale: $k + 1 scan"; }
	# -- '+' redeems on purpose, right after the scan too; still 5 keys
	n=$((n + 1)); C=$(seed_code "$SIM" merchant valid NORMAL $n)
	k=0
	keys F2; wait_for "$AMOUNT" 5
	keys 1 0 0; k=$((k + 3)); keys Enter; k=$((k + 1))
	wait_for "$SCAN" 5
	tm send-keys -t "$T_SESS" -l "$C"; keys C-m; keys -l +; k=$((k + 1))
	wait_for "$CONFIRMED" 15 &&
		{ [ $k -eq 5 ] && ok "$lang: + redeems at once (keys per scanned sale: $k + 1 scan)"; }
	keys F10; sleep 0.3; keys F10
	wait_for "quan exited" 5
done
# -- the demo at 80x24 (its panel narrows the sale): the payment code's
# reason breaks between words; a piece of a word shows as its own token
nocut() {
	screen | python3 -c '
import re, sys
words = "this payment code coupon take terminal".split()
# the sale only: the demo panel (right of its bar) has words of its own
sale = "\n".join(l.split("\u2502")[0] for l in sys.stdin.read().splitlines())
toks = set(re.findall(r"[A-Za-z]+", sale))
cut = [t for t in toks for w in words
       if t != w and len(t) >= 2 and (w.startswith(t) or w.endswith(t))
       and t not in ("is", "at", "the", "code")]
print(" ".join(cut)); sys.exit(1 if cut else 0)'
}
start 80x24 "$QUAN demo --data $W/demo --quiet --lang en"
wait_for "Amount (yuan)" 30
line 100; wait_for "Scan or type" 5
line 134567890123456789; wait_for "terminal" 5
if c=$(nocut); then
	ok "demo 80x24: the payment code's reason breaks between words"
else
	echo "FAIL: words cut in two ($c):"; screen; FAILS=$((FAILS + 1))
fi
keys F10; sleep 0.3; keys F10; wait_for "quan exited" 10

[ "$FAILS" -eq 0 ] || { echo "tmux_redeem_keys: $FAILS failure(s)"; exit 1; }
echo "tmux_redeem_keys: ok"
