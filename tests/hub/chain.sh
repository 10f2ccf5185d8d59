#!/bin/bash
# chain.sh — issue 12: a store hub publishes to headquarters (logical
# replication, PostgreSQL's own); HQ is down for a while and catches up;
# then `quan report --chain` per store and terminal matches the tills'
# own reports (the same figure definitions), and their sum.
set -u
QUAN=${QUAN:?QUAN must name the quan binary}
QUAN_SRC=${QUAN_SRC:?}
W=$(mktemp -d /tmp/quan-hubchain-XXXXXX)
. "$QUAN_SRC/tests/hub/pglib.sh"
. "$QUAN_SRC/tests/hub/hublib.sh"
. "$QUAN_SRC/tests/net/salelib.sh"
pg_new hq
hub_setup offline_ok
till_conf a TA
till_conf b TB
for t in a b; do
	for n in 1 2; do
		till $t import stocks "$W/$n-stocks.json" >/dev/null || fail "$t import stocks"
		till $t import codes "$W/$n-codes.csv" >/dev/null || fail "$t import codes"
	done
done
mapfile -t CODES < <(valid_codes 12)
[ "${#CODES[@]}" -ge 8 ] || fail "only ${#CODES[@]} valid codes in the seeds"
field() { python3 -c "import json,sys; c=json.load(sys.stdin)['coupons'][0]; print(c['$1'])"; }

# headquarters: roles, its database and schema, one subscription per store
psql_as hq postgres -f "$QUAN_SRC/toolchain/hub/roles.sql" >/dev/null || fail "hq roles"
psql_as hq postgres -c "CREATE DATABASE quanhq" >/dev/null || fail "hq db"
"$QUAN" hub init --hq --dsn "host=$W/pg-hq port=$PGPORT_hq dbname=quanhq user=postgres" >"$W/o" 2>&1 ||
	fail "hub init --hq: $(cat "$W/o")"
psql_as hub postgres -c "ALTER ROLE quan_hq PASSWORD 'hqpw'" >/dev/null || fail "hq password"
# the subscriber's own passfile: read by the HQ server's user
printf '127.0.0.1:%s:*:quan_hq:hqpw\n' "$PGPORT_hub" >"$W/pg-hq/pass"
chmod 600 "$W/pg-hq/pass"; [ "$(id -u)" = 0 ] && chown nobody "$W/pg-hq/pass"
psql_as hq quanhq -c "CREATE SUBSCRIPTION quan_store_s001 CONNECTION 'host=127.0.0.1 port=$PGPORT_hub dbname=quanhub user=quan_hq passfile=$W/pg-hq/pass' PUBLICATION quan_chain" >/dev/null 2>"$W/sub.err" ||
	fail "subscription: $(cat "$W/sub.err")"
HQ_DSN="host=$W/pg-hq port=$PGPORT_hq dbname=quanhq user=postgres"

redeem() { # redeem TILL I: code I, its state
	till "$1" redeem --json --amount 100 "${CODES[$2]}" 2>/dev/null | field state
}
# 1. online at both lanes
[ "$(redeem a 0)" = confirmed ] || fail "a 0"
[ "$(redeem a 1)" = confirmed ] || fail "a 1"
[ "$(redeem b 2)" = confirmed ] || fail "b 2"
# sales with payments: WeChat Pay with a voucher (coupon first), cash,
# other; and a voided sale
sale() { # sale TILL ARGS...: the payment's state
	till "$1" sale --json "${@:2}" 2>/dev/null | python3 -c "import json,sys; print(json.load(sys.stdin)['payment']['state'])"
}
[ "$(sale a --amount 100 --pay "$(pay_code 00)" "${CODES[7]}")" = paid ] || fail "a: WeChat Pay sale"
[ "$(sale a --amount 50 --cash 60)" = paid ] || fail "a: cash sale"
[ "$(sale b --amount 30 --other SLIP-1)" = paid ] || fail "b: other tender"
[ "$(redeem b 6)" = confirmed ] || fail "b 6"
VOID_TXN=$(sqlite3 "$W/b/quan.db" "SELECT max(id) FROM txns")
till b void "$VOID_TXN" >/dev/null 2>"$W/void.err" || fail "void at b: $(cat "$W/void.err")"
for t in a b; do till $t hub sync --once >/dev/null 2>&1 || fail "$t hub sync"; done
# 2. headquarters goes down (WAN outage); WeChat too: offline grants
pg_kill hq
kill_sim
[ "$(redeem a 3)" = accepted_offline ] || fail "a 3"
[ "$(redeem b 4)" = accepted_offline ] || fail "b 4"
[ "$(redeem b 5)" = accepted_offline ] || fail "b 5"
[ "$(redeem a 4)" = rejected ] || fail "a 4: b holds it"
for t in a b; do till $t hub sync --once >/dev/null 2>&1 || fail "$t hub sync 2"; done
# 3. headquarters back: it catches up from the hub's slot
pg_start hq
SNAP="SELECT (SELECT count(*) || '/' || sum(discount_fen) || '/' || string_agg(state, ',' ORDER BY request_no) FROM redemptions) || ' ' || (SELECT count(*) || '/' || string_agg(state, ',' ORDER BY terminal, txn_id) FROM sales) || ' ' || (SELECT count(*) || '/' || string_agg(state, ',' ORDER BY out_trade_no) FROM payments) || ' ' || (SELECT string_agg(terminal || seq, ',' ORDER BY terminal) FROM journal_heads)"
want=$(psql_as hub quanhub -c "$SNAP")
for _ in $(seq 1 100); do
	got=$(psql_as hq quanhq -c "$SNAP" 2>/dev/null)
	[ "$got" = "$want" ] && break
	sleep 0.3
done
[ "$got" = "$want" ] || fail "headquarters did not catch up: hub $want, hq $got"

# 4. the chain report = the tills' reports, lane by lane and in sum
"$QUAN" report --chain --dsn "$HQ_DSN" --json >"$W/chain.json" 2>"$W/chain.err" || fail "report --chain: $(cat "$W/chain.err")"
"$QUAN" report --chain --dsn "$HQ_DSN" >"$W/chain.txt" || fail "report --chain (text)"
grep -q "^S001: redeemed 7 (35.00), returned 1, rejected 1;" "$W/chain.txt" || fail "chain text: $(cat "$W/chain.txt")"
grep -q "^  sales 11 (.*), voids 1 (5.00); WeChat Pay 1 (95.00, vouchers .*), cash 1 (50.00), other 1 (30.00)" "$W/chain.txt" || fail "chain text, sales: $(cat "$W/chain.txt")"
for t in a b; do
	sqlite3 "$W/$t/quan.db" "SELECT max(seq), (SELECT hash FROM journal ORDER BY seq DESC LIMIT 1), (SELECT count(*) FROM journal WHERE kind = 'void_txn'), (SELECT count(*) || '|' || sum(amount_fen) FROM txns) FROM journal" >"$W/$t.head" || fail "$t journal"
done
for t in a b; do till $t report --json >"$W/$t.json" || fail "$t report"; done
python3 - "$W" <<'PY' || fail "chain report != tills' reports: $(cat "$W/chain.json")"
import json, sys
w = sys.argv[1]
chain = json.load(open(f"{w}/chain.json"))
assert len(chain["stores"]) == 1 and chain["stores"][0]["store_id"] == "S001", chain
lanes = {l["terminal"]: l for l in chain["stores"][0]["terminals"]}
assert sorted(lanes) == ["TA", "TB"], lanes
tot = {"redeemed": [0, 0], "rows": 0, "off": 0, "expo": 0}
for t, term in (("a", "TA"), ("b", "TB")):
    r = json.load(open(f"{w}/{t}.json"))
    l = lanes[term]
    red = l["figures"]["redeemed"]
    assert [red["count"], red["fen"]] == [r["redeemed"]["count"], r["redeemed"]["fen"]], (t, red, r["redeemed"])
    rows = sum(e["count"] for k in r["by_kind"].values() for e in k.values())
    assert rows == sum(f["count"] for f in l["figures"].values()), (t, rows, l)
    assert l["figures"]["rejected"]["count"] == len(r["rejections"]), (t, l, r["rejections"])
    assert l["offline"] == r["offline"], (t, l["offline"], r["offline"])
    # payments: the till's own definition (report_payments), folded at HQ
    assert l["payments"] == r["payments"], (t, l["payments"], r["payments"])
    seq, head, voids, sales, sales_fen = open(f"{w}/{t}.head").read().strip().split("|")
    assert [l["sales"]["count"], l["sales"]["amount_fen"]] == [int(sales), int(sales_fen)], (t, l["sales"], sales, sales_fen)
    assert l["journal"]["seq"] == int(seq) and l["journal"]["head"] == head, (t, l["journal"], seq, head)
    assert l["voids"]["count"] == int(voids), (t, l["voids"], voids)
    tot["redeemed"][0] += red["count"]; tot["redeemed"][1] += red["fen"]
    tot["off"] += r["offline"]["accepted_today"]; tot["expo"] += r["offline"]["unsettled_exposure_fen"]
T = chain["total"]
assert [T["figures"]["redeemed"]["count"], T["figures"]["redeemed"]["fen"]] == tot["redeemed"], (T, tot)
assert T["offline"] == {"accepted_today": tot["off"], "unsettled_exposure_fen": tot["expo"]}, (T, tot)
assert tot["redeemed"][0] == 7, tot
assert T["voids"] == {"count": 1, "fen": 500}, T["voids"]
assert T["payments"]["wechat"]["count"] == 1 and T["payments"]["wechat"]["voucher_fen"] > 0, T["payments"]
assert (T["payments"]["cash"], T["payments"]["other"]) == ({"count": 1, "fen": 5000}, {"count": 1, "fen": 3000}), T["payments"]
assert T["sales"]["count"] == 11, T["sales"]
PY
# a refused dsn is said (no report from a guess)
"$QUAN" report --chain --dsn "host=hq.example dbname=x" 2>"$W/e" && fail "report --chain: plain remote accepted"
grep -q "TLS is required" "$W/e" || fail "report --chain: $(cat "$W/e")"
psql_as hq quanhq -c "DROP SUBSCRIPTION quan_store_s001" >/dev/null 2>&1
echo "ok: hub -> headquarters with an outage; chain report = the tills' reports"
pg_done
