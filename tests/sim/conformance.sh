#!/bin/bash
# conformance.sh — drives `quan sim serve` with the curl CLI, signing every
# request with `openssl dgst -sha256 -sign` and verifying every answer with
# `openssl dgst -verify` (platform certificate and public-key modes), the way
# an independent WeChat Pay client would. Covers: good requests, tampered
# body / stale timestamp (401), missing User-Agent (400), idempotent use
# (one redemption), every business error, the 429 limit, callbacks
# (received over HTTPS, signature checked, resource decrypted, retried),
# the card API, faults, bad input (malformed/huge/invalid UTF-8 bodies,
# unknown fields, path traversal) and restart persistence.
# Env: QUAN (binary), QUAN_SRC (source root). Exit 1 on any failure.
set -u
QUAN=${QUAN:?QUAN must point at the quan binary}
SRC=${QUAN_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
HERE=$SRC/tests/sim
for tool in curl openssl python3; do
	command -v $tool >/dev/null || { echo "FAIL: $tool not installed"; exit 1; }
done
python3 -c 'import cryptography' 2>/dev/null ||
	{ echo "FAIL: python3-cryptography not installed"; exit 1; }

T=$(mktemp -d /tmp/quan-sim-conf.XXXXXX)
D=$T/sim
SRV_PID=
RCV_PID=
cleanup() {
	[ -n "$SRV_PID" ] && kill "$SRV_PID" 2>/dev/null
	[ -n "$RCV_PID" ] && kill "$RCV_PID" 2>/dev/null
	wait 2>/dev/null
	if [ "${fails:-1}" = 0 ]; then rm -rf "$T"; else echo "kept $T"; fi
}
trap cleanup EXIT
fails=0
passes=0
ok() { passes=$((passes + 1)); echo "ok   $*"; }
bad() { fails=$((fails + 1)); echo "FAIL $*"; }
expect() { # expect NAME GOT WANT
	if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: got '$2', want '$3'"; fi
}
js() { # js FILE PYEXPR (d = the parsed JSON)
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); r=eval(sys.argv[2]); print(r if not isinstance(r,(dict,list)) else json.dumps(r,ensure_ascii=False))' "$1" "$2" 2>/dev/null
}

# ---- setup -----------------------------------------------------------------
$QUAN sim init "$D" --port 18443 >/dev/null || { bad "init"; exit 1; }
for f in merchant/apiclient_key.pem platform/key.pem platform/pub_key_private.pem \
    apiv3.key card.secret server/key.pem ca_key.pem; do
	m=$(stat -c %a "$D/$f")
	expect "init: $f mode" "$m" 600
done
for f in ca.pem merchant/apiclient_cert.pem platform/cert.pem platform/pub_key.pem \
    platform/pub_key_id quan.conf sim.json; do
	[ -s "$D/$f" ] && ok "init: $f exists" || bad "init: $f missing"
done
openssl verify -CAfile "$D/ca.pem" "$D/server/cert.pem" "$D/merchant/apiclient_cert.pem" \
	"$D/platform/cert.pem" >/dev/null && ok "init: certs chain to ca.pem" || bad "init: chain"
$QUAN sim init "$D" >/dev/null 2>&1 && bad "init twice refused" || ok "init twice refused"
$QUAN sim seed "$D" >/dev/null || { bad "seed"; exit 1; }
$QUAN sim seed "$D" >/dev/null 2>&1 && bad "seed twice refused" || ok "seed twice refused"
for f in seed.json import/stocks.json import/cards.json import/codes.csv; do
	[ -s "$D/$f" ] && ok "seed: $f" || bad "seed: $f missing"
done
expect "seed: stocks.json is an array of stock objects" \
	"$(js $D/import/stocks.json 'all("stock_id" in s and "stock_state" in s and "coupon_use_rule" in s for s in d) and len(d) >= 12')" True
expect "seed: cards.json holds card objects of every type" \
	"$(js $D/import/cards.json 'sorted(set(c["card_type"] for c in d))')" \
	'["CASH", "DISCOUNT", "GENERAL_COUPON", "GIFT", "GROUPON"]'
expect "seed: stock types x code modes" \
	"$(js $D/import/stocks.json 'len(set((s["stock_type"],s["coupon_code_mode"]) for s in d))')" 9
expect "seed: codes.csv rows" \
	"$(awk -F, 'NF==5 && ($2=="merchant" || $2=="card")' $D/import/codes.csv | wc -l)" \
	"$(wc -l < $D/import/codes.csv)"
for c in valid expired not_yet_valid outside_window below_minimum used deactivated unknown; do
	n=$(js $D/seed.json "len(d['merchant']['$c'])")
	[ "${n:-0}" -ge 1 ] && ok "seed: merchant case $c" || bad "seed: merchant case $c"
done
for c in valid consumed expired not_yet_valid unavailable deleted unknown; do
	n=$(js $D/seed.json "len(d['card']['$c'])")
	[ "${n:-0}" -ge 1 ] && ok "seed: card case $c" || bad "seed: card case $c"
done

MCHID=$(js $D/sim.json 'd["mchid"]')
APPID=$(js $D/sim.json 'd["appid"]')
SERIAL=$(js $D/sim.json 'd["merchant_serial"]')
PSERIAL=$(js $D/sim.json 'd["platform_serial"]')
PKID=$(cat $D/platform/pub_key_id)
CARD_APPID=$(js $D/sim.json 'd["card_appid"]')
CARD_SECRET=$(cat $D/card.secret)
openssl x509 -in $D/platform/cert.pem -pubkey -noout > $T/platform_pub.pem

start_server() { # start_server ARGS...
	# emptied here, not only by the child's redirection: a child not yet
	# run (a loaded machine) left the previous server's 'listening' line
	# for the loop below, and the tests went to a closed port
	: > $T/srv.out
	$QUAN sim serve "$D" --listen 127.0.0.1:0 "$@" > $T/srv.out 2> $T/srv.err &
	SRV_PID=$!
	for _ in $(seq 300); do
		grep -q '^listening ' $T/srv.out 2>/dev/null && break
		kill -0 $SRV_PID 2>/dev/null || break
		sleep 0.1
	done
	URL=$(head -1 $T/srv.out | sed -n 's/^listening //p')
	if [ -z "$URL" ]; then
		bad "server start ($*): $(cat $T/srv.out $T/srv.err)"
		exit 1
	fi
}
stop_server() {
	kill -TERM $SRV_PID
	wait $SRV_PID
	local rc=$?
	SRV_PID=
	if grep -q 'Sanitizer' $T/srv.err; then
		bad "sanitizer report from the server:"
		cat $T/srv.err
	fi
	return $rc
}

auth() { # auth METHOD URL BODY [TS]
	local ts=${4:-$(date +%s)} nonce
	nonce=$(openssl rand -hex 16 | tr a-f A-F)
	local sig
	sig=$(printf '%s\n%s\n%s\n%s\n%s\n' "$1" "$2" "$ts" "$nonce" "$3" |
		openssl dgst -sha256 -sign $D/merchant/apiclient_key.pem | openssl base64 -A)
	printf 'WECHATPAY2-SHA256-RSA2048 mchid="%s",nonce_str="%s",timestamp="%s",serial_no="%s",signature="%s"' \
		"$MCHID" "$nonce" "$ts" "$SERIAL" "$sig"
}
# req METHOD PATH BODY [curl args] -> status on stdout; $T/h headers, $T/b body
req() {
	local m=$1 p=$2 body=$3
	shift 3
	local a
	a=$(auth "$m" "$p" "$body")
	local args=(-sS -o $T/b -D $T/h -w '%{http_code}' --cacert $D/ca.pem
		-X "$m" -H "Accept${NOACCEPT:-: application/json}"
		-H "User-Agent${NOUA:-: quan-conformance/1.0}" -H "Authorization: $a")
	[ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
	curl "${args[@]}" "$@" "$URL$p"
}
hdr() { sed -n "s/^$1: //Ip" $T/h | tr -d '\r' | head -1; }
verify() { # verify PUBKEY -> 0 if the last answer's signature is valid
	local ts nonce sig
	ts=$(hdr Wechatpay-Timestamp); nonce=$(hdr Wechatpay-Nonce); sig=$(hdr Wechatpay-Signature)
	{ printf '%s\n%s\n' "$ts" "$nonce"; cat $T/b; printf '\n'; } > $T/msg
	printf '%s' "$sig" | openssl base64 -d -A > $T/sig 2>/dev/null
	openssl dgst -sha256 -verify "$1" -signature $T/sig $T/msg >/dev/null 2>&1
}
code() { js $T/b 'd["code"]'; }
now3339() { date -u +%Y-%m-%dT%H:%M:%S+00:00; }
use_body() { # use_body CODE REQNO [STOCK]
	if [ -n "${3:-}" ]; then
		printf '{"coupon_code":"%s","stock_id":"%s","appid":"%s","use_time":"%s","use_request_no":"%s"}' \
			"$1" "$3" "$APPID" "$USE_TIME" "$2"
	else
		printf '{"coupon_code":"%s","appid":"%s","use_time":"%s","use_request_no":"%s"}' \
			"$1" "$APPID" "$USE_TIME" "$2"
	fi
}
USE_TIME=$(now3339)
USE=/v3/marketing/busifavor/coupons/use
mcode() { js $D/seed.json "d['merchant']['$1'][$2]['code']"; }
wcode() { js $D/seed.json "[x for x in d['merchant']['valid'] if x['coupon_code_mode']=='WECHATPAY_MODE'][$1]['code']"; }
mstock() { js $D/seed.json "d['merchant']['$1'][$2].get('stock_id','')"; }

start_server --use-qps 10 --callback-retry-s 1 --callback-attempts 4
case "$URL" in https://127.0.0.1:*) ok "listening line";; *) bad "listening line: $URL";; esac
expect "quan.conf base_url rewritten to the bound port" \
	"$(grep -c "^base_url = $URL\$" $D/quan.conf)" 2

# ---- good request, both signature modes -----------------------------------
S1=$(mstock valid 0)
expect "GET stock 200" "$(req GET /v3/marketing/busifavor/stocks/$S1 '')" 200
expect "GET stock body" "$(js $T/b 'd["stock_id"]')" "$S1"
expect "answer serial = platform cert" "$(hdr Wechatpay-Serial)" "$PSERIAL"
verify $T/platform_pub.pem && ok "answer signature valid (platform cert)" || bad "platform signature"
[ -n "$(hdr Request-ID)" ] && ok "Request-ID present" || bad "Request-ID missing"
expect "GET stock (pubkey mode) 200" \
	"$(req GET /v3/marketing/busifavor/stocks/$S1 '' -H "Wechatpay-Serial: $PKID")" 200
expect "answer serial = PUB_KEY_ID" "$(hdr Wechatpay-Serial)" "$PKID"
verify $D/platform/pub_key.pem && ok "answer signature valid (public key)" || bad "pubkey signature"
verify $T/platform_pub.pem && bad "pubkey answer must not verify under the platform cert" ||
	ok "pubkey answer does not verify under the platform cert"

# ---- request checks -------------------------------------------------------
B=$(use_body "$(mcode valid 1)" R-TAMPER)
a=$(auth POST $USE "$B")
st=$(curl -sS -o $T/b -D $T/h -w '%{http_code}' --cacert $D/ca.pem -H 'Accept: application/json' \
	-H 'User-Agent: t/1' -H 'Content-Type: application/json' -H "Authorization: $a" \
	--data-binary "${B/R-TAMPER/R-TAMPEX}" $URL$USE)
expect "tampered body -> 401" "$st" 401
expect "tampered body -> SIGN_ERROR" "$(code)" SIGN_ERROR
expect "SIGN_ERROR detail carries the reconstructed message" \
	"$(js $T/b '"R-TAMPEX" in d["detail"]["sign_information"]["truncated_sign_message"]')" True
verify $T/platform_pub.pem && ok "401 answer signed too" || bad "401 signature"
a=$(auth POST $USE "$B" $(( $(date +%s) - 301 )))
st=$(curl -sS -o $T/b -w '%{http_code}' --cacert $D/ca.pem -H 'Accept: application/json' \
	-H 'User-Agent: t/1' -H 'Content-Type: application/json' -H "Authorization: $a" \
	--data-binary "$B" $URL$USE)
expect "stale timestamp -> 401" "$st" 401
expect "stale timestamp -> SIGN_ERROR" "$(code)" SIGN_ERROR
expect "missing User-Agent -> 400" "$(NOUA=: req POST $USE "$B")" 400
expect "missing User-Agent -> INVALID_REQUEST" "$(code)" INVALID_REQUEST
expect "missing Accept -> 400" "$(NOACCEPT=: req POST $USE "$B")" 400
st=$(curl -sS -o $T/b -w '%{http_code}' --cacert $D/ca.pem -H 'Accept: application/json' \
	-H 'User-Agent: t/1' --data-binary "$B" $URL$USE)
expect "missing Authorization -> 401" "$st" 401
a=$(auth POST $USE "$B")
st=$(curl -sS -o $T/b -w '%{http_code}' --cacert $D/ca.pem -H 'Accept: application/json' \
	-H 'User-Agent: t/1' -H "Authorization: ${a/$SERIAL/0123456789ABCDEF}" --data-binary "$B" $URL$USE)
expect "wrong merchant serial -> 401" "$st" 401

# ---- idempotent use -------------------------------------------------------
C1=$(mcode valid 0)
B=$(use_body "$C1" R-IDEM-1)
expect "use -> 200" "$(req POST $USE "$B")" 200
verify $T/platform_pub.pem && ok "use answer signature" || bad "use answer signature"
T1=$(js $T/b 'd["wechatpay_use_time"]')
[ -n "$T1" ] && ok "use answer has wechatpay_use_time" || bad "use answer"
sleep 1
expect "same use_request_no + body -> 200" "$(req POST $USE "$B")" 200
expect "replay answers the original success" "$(js $T/b 'd["wechatpay_use_time"]')" "$T1"
expect "other use_request_no on used coupon -> 400" "$(req POST $USE "$(use_body "$C1" R-IDEM-2)")" 400
expect "... RESOURCE_ALREADY_EXISTS" "$(code)" RESOURCE_ALREADY_EXISTS
expect "... 券已被其他订单核销" "$(js $T/b 'd["message"]')" "券已被其他订单核销"
$QUAN sim inspect "$D" --json > $T/insp.json
expect "inspect: C1 redeemed exactly once" \
	"$(js $T/insp.json "[r['redemptions'] for r in d['redemptions'] if r['code']=='$C1']")" "[1]"

# ---- business errors ------------------------------------------------------
expect "unknown coupon -> 404" "$(req POST $USE "$(use_body "$(mcode unknown 0)" R-E1)")" 404
expect "... RESOURCE_NOT_EXISTS" "$(code)" RESOURCE_NOT_EXISTS
expect "expired -> 403" "$(req POST $USE "$(use_body "$(mcode expired 0)" R-E2)")" 403
expect "... RULE_LIMIT" "$(code)" RULE_LIMIT
expect "not yet valid -> 403 RULE_LIMIT" \
	"$(req POST $USE "$(use_body "$(mcode not_yet_valid 0)" R-E3)")$(code)" 403RULE_LIMIT
expect "outside weekly window -> 403 RULE_LIMIT" \
	"$(req POST $USE "$(use_body "$(mcode outside_window 0)" R-E4 "$(mstock outside_window 0)")")$(code)" 403RULE_LIMIT
expect "already used (seeded) -> 400 RESOURCE_ALREADY_EXISTS" \
	"$(req POST $USE "$(use_body "$(mcode used 0)" R-E5)")$(code)" 400RESOURCE_ALREADY_EXISTS
expect "deactivated -> 400 INVALID_REQUEST" \
	"$(req POST $USE "$(use_body "$(mcode deactivated 0)" R-E6)")$(code)" 400INVALID_REQUEST
expect "stock not running -> 403 RULE_LIMIT" \
	"$(req POST $USE "$(use_body "$(mcode stock_paused 0)" R-E7 "$(mstock stock_paused 0)")")$(code)" 403RULE_LIMIT
B=$(use_body "$(mcode valid 2)" R-E8)
expect "appid not bound -> 400 APPID_MCHID_NOT_MATCH" \
	"$(req POST $USE "${B/$APPID/wx0000000000000000}")$(code)" 400APPID_MCHID_NOT_MATCH
expect "missing use_request_no -> 400 PARAM_ERROR" \
	"$(req POST $USE "$(printf '{"coupon_code":"%s","appid":"%s","use_time":"%s"}' "$(mcode valid 2)" "$APPID" "$USE_TIME")")$(code)" 400PARAM_ERROR
expect "... detail.field" "$(js $T/b 'd["detail"]["field"]')" use_request_no
expect "bad use_time -> detail.field use_time" \
	"$(req POST $USE "${B/$USE_TIME/yesterday}")$(js $T/b 'd["detail"]["field"]')" 400use_time
MC=$(js $D/seed.json "[x for x in d['merchant']['valid'] if x['coupon_code_mode']=='MERCHANT_API'][0]['code']")
expect "merchant code without stock_id -> 400 PARAM_ERROR stock_id" \
	"$(req POST $USE "$(use_body "$MC" R-E9)")$(js $T/b 'd["detail"]["field"]')" 400stock_id
SB=$(python3 -c "import json;s=json.load(open('$D/import/stocks.json'))[0];s.pop('stock_id');s.pop('stock_state');s.pop('send_count_information',None);s.pop('coupon_code_count',None);s['out_request_no']='dup-1';print(json.dumps(s,ensure_ascii=False,separators=(',',':')))")
expect "create stock -> 200" "$(req POST /v3/marketing/busifavor/stocks "$SB")" 200
NEWSTOCK=$(js $T/b 'd["stock_id"]')
expect "create stock again (same out_request_no) -> 400 RESOURCE_ALREADY_EXISTS" \
	"$(req POST /v3/marketing/busifavor/stocks "$SB")$(code)" 400RESOURCE_ALREADY_EXISTS
expect "... 批次已存在" "$(js $T/b 'd["message"]')" "批次已存在"
expect "create stock for another merchant -> 403 NO_AUTH" \
	"$(req POST /v3/marketing/busifavor/stocks "${SB/\"belong_merchant\":\"$MCHID\"/\"belong_merchant\":\"1234567\"}")$(code)" 403NO_AUTH
expect "unknown stock -> 404 RESOURCE_NOT_EXISTS" \
	"$(req GET /v3/marketing/busifavor/stocks/999999 '')$(code)" 404RESOURCE_NOT_EXISTS
expect "PATCH stock -> 204" \
	"$(req PATCH /v3/marketing/busifavor/stocks/$NEWSTOCK '{"out_request_no":"p1","stock_name":"改名"}')" 204
verify $T/platform_pub.pem && ok "204 answer signature (empty body)" || bad "204 signature"
req GET /v3/marketing/busifavor/stocks/$NEWSTOCK '' >/dev/null
expect "PATCH applied" "$(js $T/b 'd["stock_name"]')" "改名"
expect "upload codes to a non-upload stock -> 400 INVALID_REQUEST" \
	"$(req POST /v3/marketing/busifavor/stocks/$NEWSTOCK/couponcodes '{"coupon_code_list":["A1"],"upload_request_no":"u1"}')$(js $T/b 'd["message"]')" "400发券模式不合法"
US=$(js $D/seed.json "[x for x in d['merchant']['valid'] if x['coupon_code_mode']=='MERCHANT_UPLOAD'][0]['stock_id']")
expect "upload codes -> 200" \
	"$(req POST /v3/marketing/busifavor/stocks/$US/couponcodes '{"coupon_code_list":["UPA1","UPA2","UPA2","bad code!"],"upload_request_no":"u2"}')" 200
expect "upload result" "$(js $T/b '[d["success_count"], d["duplicate_codes"], d["fail_count"]]')" '[2, ["UPA2"], 1]'
expect "list codes -> 200" "$(req GET "/v3/marketing/busifavor/stocks/$US/couponcodes?limit=50&offset=0" '')" 200
expect "list codes has UPA1 AVAILABLE" \
	"$(js $T/b '[c["code_status"] for c in d["data"] if c["code"]=="UPA1"]')" '["AVAILABLE"]'

# send (MERCHANT_UPLOAD picks an uploaded code), query, list
OPENID=oSIMconformance0000000000001
expect "send coupon -> 200" "$(req POST /v3/marketing/busifavor/coupons/send "{\"openid\":\"$OPENID\",\"appid\":\"$APPID\",\"stock_id\":\"$US\",\"out_request_no\":\"s1\"}")" 200
SENT=$(js $T/b 'd["send_coupon_result"]["coupon_code"]')
case "$SENT" in UPA1|UPA2) ok "send used an uploaded code";; *) bad "send code '$SENT'";; esac
expect "send again (same out_request_no) -> same code" \
	"$(req POST /v3/marketing/busifavor/coupons/send "{\"openid\":\"$OPENID\",\"appid\":\"$APPID\",\"stock_id\":\"$US\",\"out_request_no\":\"s1\"}")$(js $T/b 'd["coupon_code"]')" "200$SENT"
expect "query user coupon -> 200 SENDED" \
	"$(req GET /v3/marketing/busifavor/users/$OPENID/coupons/$SENT/appids/$APPID '')$(js $T/b 'd["coupon_state"]')" 200SENDED
expect "list user coupons" \
	"$(req GET "/v3/marketing/busifavor/users/$OPENID/coupons?appid=$APPID&belong_merchant=$MCHID&limit=10&offset=0" '')$(js $T/b 'd["total_count"]')" 2001
expect "list user coupons without appid -> 400 PARAM_ERROR" \
	"$(req GET "/v3/marketing/busifavor/users/$OPENID/coupons?belong_merchant=$MCHID" '')$(js $T/b 'd["detail"]["field"]')" 400appid

OTHER=UPA1; [ "$SENT" = UPA1 ] && OTHER=UPA2
expect "delete an undispatched code -> 200" \
	"$(req DELETE "/v3/marketing/busifavor/stocks/$US/couponcodes/$OTHER?delete_request_no=del1" '')" 200
expect "delete a dispatched code -> 400" \
	"$(req DELETE "/v3/marketing/busifavor/stocks/$US/couponcodes/$SENT?delete_request_no=del2" '')" 400
CURMAX=$(js $D/import/stocks.json 'd[0]["stock_send_rule"]["max_coupons"]')
expect "modify budget -> 200" \
	"$(req PATCH /v3/marketing/busifavor/stocks/$NEWSTOCK/budget "{\"target_max_coupons\":$((CURMAX + 5)),\"current_max_coupons\":$CURMAX,\"modify_budget_request_no\":\"b1\"}")$(js $T/b 'd["max_coupons"]')" "200$((CURMAX + 5))"
expect "modify budget with a stale current -> 400" \
	"$(req PATCH /v3/marketing/busifavor/stocks/$NEWSTOCK/budget "{\"target_max_coupons\":7,\"current_max_coupons\":$CURMAX,\"modify_budget_request_no\":\"b2\"}")" 400

# return and deactivate
USE_TIME=$(now3339)
B=$(use_body "$SENT" R-RET-1 "$US")
expect "use uploaded code -> 200" "$(req POST $USE "$B")" 200
RB="{\"coupon_code\":\"$SENT\",\"stock_id\":\"$US\",\"return_request_no\":\"ret-1\"}"
expect "return -> 200" "$(req POST /v3/marketing/busifavor/coupons/return "$RB")" 200
expect "return again (same no) -> 200" "$(req POST /v3/marketing/busifavor/coupons/return "$RB")" 200
expect "return an unused coupon -> 400" \
	"$(req POST /v3/marketing/busifavor/coupons/return "${RB/ret-1/ret-2}")" 400
expect "use after return (new no) -> 200" "$(req POST $USE "$(use_body "$SENT" R-RET-2 "$US")")" 200
expect "query shows USED + use_request_no" \
	"$(req GET /v3/marketing/busifavor/users/$OPENID/coupons/$SENT/appids/$APPID '')$(js $T/b 'd["coupon_state"]+d["use_request_no"]')" 200USEDR-RET-2
DC=$(mcode valid 3)
DS=$(mstock valid 3)
expect "deactivate -> 200" "$(req POST /v3/marketing/busifavor/coupons/deactivate "{\"coupon_code\":\"$DC\",\"stock_id\":\"$DS\",\"deactivate_request_no\":\"d1\",\"deactivate_reason\":\"test\"}")" 200
expect "use deactivated -> 400 INVALID_REQUEST" "$(req POST $USE "$(use_body "$DC" R-D1 "$DS")")$(code)" 400INVALID_REQUEST

# associate / disassociate
CA=$(wcode 7)
CAO=$(js $D/seed.json "[x for x in d['merchant']['valid'] if x['coupon_code_mode']=='WECHATPAY_MODE'][7]['openid']")
CAS=$(js $D/seed.json "[x for x in d['merchant']['valid'] if x['coupon_code_mode']=='WECHATPAY_MODE'][7]['stock_id']")
expect "associate -> 200" \
	"$(req POST /v3/marketing/busifavor/coupons/associate "{\"coupon_code\":\"$CA\",\"stock_id\":\"$CAS\",\"out_trade_no\":\"OT1\",\"out_request_no\":\"a1\"}")" 200
expect "query shows associate_out_trade_no" \
	"$(req GET /v3/marketing/busifavor/users/$CAO/coupons/$CA/appids/$APPID '')$(js $T/b 'd["associate_out_trade_no"]')" 200OT1
expect "disassociate another order -> 400" \
	"$(req POST /v3/marketing/busifavor/coupons/disassociate "{\"coupon_code\":\"$CA\",\"stock_id\":\"$CAS\",\"out_trade_no\":\"OT2\",\"out_request_no\":\"a2\"}")" 400
expect "disassociate -> 200" \
	"$(req POST /v3/marketing/busifavor/coupons/disassociate "{\"coupon_code\":\"$CA\",\"stock_id\":\"$CAS\",\"out_trade_no\":\"OT1\",\"out_request_no\":\"a3\"}")" 200
expect "associate a used coupon -> 400" \
	"$(req POST /v3/marketing/busifavor/coupons/associate "{\"coupon_code\":\"$C1\",\"stock_id\":\"$S1\",\"out_trade_no\":\"OT1\",\"out_request_no\":\"a4\"}")" 400

# certificates
expect "GET /v3/certificates -> 200" "$(req GET /v3/certificates '')" 200
verify $T/platform_pub.pem && ok "certificates answer signature" || bad "certificates signature"
js $T/b 'd["data"][0]["encrypt_certificate"]["ciphertext"]' |
	python3 $HERE/gcm.py $D/apiv3.key "$(js $T/b 'd["data"][0]["encrypt_certificate"]["nonce"]')" certificate > $T/cert.pem
expect "decrypted certificate = platform cert" "$(openssl x509 -in $T/cert.pem -noout -serial 2>/dev/null)" "serial=$PSERIAL"
expect "certificates serial_no" "$(js $T/b 'd["data"][0]["serial_no"]')" "$PSERIAL"

# 500 QPS limit (here --use-qps 10): a burst gets 429 FREQUENCY_LIMITED
B=$(use_body "$(mcode unknown 0)" R-QPS)
a=$(auth POST $USE "$B")
seq 40 | xargs -P 40 -I{} curl -sS -o /dev/null -w '%{http_code}\n' --cacert $D/ca.pem \
	-H 'Accept: application/json' -H 'User-Agent: t/1' -H 'Content-Type: application/json' \
	-H "Authorization: $a" --data-binary "$B" $URL$USE > $T/qps
n429=$(grep -c '^429$' $T/qps)
[ "$n429" -ge 1 ] && ok "use rate limit -> 429 ($n429 of 40)" || bad "no 429 in burst: $(sort $T/qps | uniq -c)"
sleep 1.1

# ---- bad input ------------------------------------------------------------
expect "malformed JSON -> 400 PARAM_ERROR" "$(req POST $USE '{"coupon_code":')$(code)" 400PARAM_ERROR
expect "JSON array body -> 400" "$(req POST $USE '[1,2]')" 400
python3 -c 'import sys; sys.stdout.write("{\"a\":\"" + "x"*100000 + "\"}")' > $T/huge
# The server answers 413 from the headers and closes without reading the
# body; with Expect: 100-continue curl waits for that answer instead of
# racing it with the upload (which under load ends in a broken pipe).
st=$(curl -sS -o $T/b -w '%{http_code}' --cacert $D/ca.pem -H 'Accept: application/json' \
	-H 'User-Agent: t/1' -H 'Content-Type: application/json' -H "Authorization: x" \
	-H 'Expect: 100-continue' --expect100-timeout 30 \
	--data-binary @$T/huge $URL$USE)
expect "huge body -> 413" "$st" 413
printf '{"coupon_code":"\xff\xfe","appid":"x"}' > $T/badutf
a=$(auth POST $USE "$(cat $T/badutf)")
st=$(curl -sS -o $T/b -w '%{http_code}' --cacert $D/ca.pem -H 'Accept: application/json' \
	-H 'User-Agent: t/1' -H 'Content-Type: application/json' -H "Authorization: $a" \
	--data-binary @$T/badutf $URL$USE)
expect "invalid UTF-8 -> 400 PARAM_ERROR" "$st$(code)" 400PARAM_ERROR
expect "4-byte UTF-8 (emoji) -> 400" "$(req POST $USE "{\"coupon_code\":\"$(printf '\xf0\x9f\x98\x80')\"}")" 400
C5=$(wcode 4)
B=$(use_body "$C5" R-UNK)
expect "unknown fields ignored -> 200" "$(req POST $USE "${B%\}},\"foo\":{\"bar\":[1,2]},\"zzz\":null}")" 200
for p in '/v3/marketing/busifavor/stocks/..%2F..%2Fetc%2Fpasswd' \
	'/v3/marketing/busifavor/stocks/%2e%2e' \
	'/v3/marketing/busifavor/users/..%2f/coupons/x/appids/y' \
	'/v3/marketing/busifavor/stocks/a%00b'; do
	st=$(req GET "$p" '' --path-as-is)
	case "$st" in 4??) ok "path traversal $p -> $st";; *) bad "path traversal $p -> $st";; esac
done
st=$(req GET '/v3/marketing/busifavor/stocks/../../../etc/passwd' '' --path-as-is)
case "$st" in 4??) ok "raw ../ path -> $st";; *) bad "raw ../ path -> $st";; esac
# bytes that are not UTF-8 in a header or a path segment: quoted in the
# error message, they made jansson build no body at all (200/401 with an
# empty answer); now a JSON error with the bytes escaped
printf 'GET /v3/marketing/busifavor/stocks/%%FF HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAccept: application/json\r\nUser-Agent: t/1\r\nAuthorization: x\r\n\r\n' >$T/raw1
printf 'GET /v3/marketing/busifavor/stocks/1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAccept: application/json\r\nUser-Agent: t/1\r\nAuthorization: WECHATPAY2-SHA256-RSA2048 a\xff\x1b="1"\r\n\r\n' >$T/raw2
PORT_NOW=${URL##*:}
python3 $HERE/raw_request.py 127.0.0.1 "${PORT_NOW%%/*}" $D/ca.pem 4 $T/raw1 $T/raw2 > $T/rawbad 2>&1
expect "bad header/path bytes -> JSON error" "$(tail -1 $T/rawbad)" ok
expect "unknown endpoint -> 404" "$(req GET /v3/marketing/busifavor/nothing '')" 404
expect "server alive after bad input" "$(req GET /v3/marketing/busifavor/stocks/$S1 '')" 200

# ---- callbacks -------------------------------------------------------------
mkdir -p $T/cb
python3 $HERE/cb_receiver.py $D/server/cert.pem $D/server/key.pem $T/cb 1 > $T/rcv.out 2>$T/rcv.err &
RCV_PID=$!
for _ in $(seq 50); do grep -q '^port ' $T/rcv.out 2>/dev/null && break; sleep 0.1; done
RPORT=$(sed -n 's/^port //p' $T/rcv.out)
expect "set callback URL -> 200" \
	"$(req POST /v3/marketing/busifavor/callbacks "{\"mchid\":\"$MCHID\",\"notify_url\":\"https://127.0.0.1:$RPORT/notify\"}")" 200
expect "get callback URL" \
	"$(req GET "/v3/marketing/busifavor/callbacks?mchid=$MCHID" '')$(js $T/b 'd["notify_url"]')" "200https://127.0.0.1:$RPORT/notify"
expect "callback URL with query -> 400" \
	"$(req POST /v3/marketing/busifavor/callbacks '{"notify_url":"https://a.example/x?y=1"}')" 400
WS=$(js $D/seed.json "[x for x in d['merchant']['valid'] if x['coupon_code_mode']=='WECHATPAY_MODE'][0]['stock_id']")
expect "send WECHATPAY_MODE coupon -> 200" \
	"$(req POST /v3/marketing/busifavor/coupons/send "{\"openid\":\"$OPENID\",\"appid\":\"$APPID\",\"stock_id\":\"$WS\",\"out_request_no\":\"cb-1\"}")" 200
CBCODE=$(js $T/b 'd["coupon_code"]')
expect "WECHATPAY_MODE code is 22 digits" "$(printf '%s' "$CBCODE" | grep -cE '^[0-9]{22}$')" 1
for _ in $(seq 60); do [ -f $T/cb/req-2.json ] && break; sleep 0.1; done
[ -f $T/cb/req-1.json ] && ok "callback received" || bad "no callback received"
[ -f $T/cb/req-2.json ] && ok "callback retried after a 500" || bad "callback not retried"
if [ -f $T/cb/req-2.json ]; then
	js $T/cb/req-2.json 'd["body"]' > $T/cbbody
	printf '%s' "$(cat $T/cbbody)" > $T/b
	js $T/cb/req-2.json 'd["headers"]' > $T/cbh.json
	for k in Timestamp Nonce Signature Serial; do
		printf 'Wechatpay-%s: %s\n' $k "$(js $T/cbh.json "d['Wechatpay-$k']")"
	done > $T/h
	verify $T/platform_pub.pem && ok "callback signature valid" || bad "callback signature"
	expect "callback same id on retry" "$(js $T/cb/req-1.json 'json.loads(d["body"])["id"]')" \
		"$(js $T/cb/req-2.json 'json.loads(d["body"])["id"]')"
	expect "callback event_type" "$(js $T/b 'd["event_type"]')" COUPON.SEND
	js $T/b 'd["resource"]["ciphertext"]' | python3 $HERE/gcm.py $D/apiv3.key \
		"$(js $T/b 'd["resource"]["nonce"]')" "$(js $T/b 'd["resource"]["associated_data"]')" > $T/plain.json
	expect "callback decrypts to the sent coupon" "$(js $T/plain.json 'd["coupon_code"]+"/"+d["event_type"]')" \
		"$CBCODE/EVENT_TYPE_BUSICOUPON_SEND"
fi
sleep 0.5
$QUAN sim inspect "$D" --json > $T/insp.json
expect "inspect: callback delivered after 2 attempts" \
	"$(js $T/insp.json "[(c['state'],c['attempts']) for c in d['callbacks'] if c['coupon_code']=='$CBCODE']")" '[["delivered", 2]]'

# ---- card API ---------------------------------------------------------------
cpost() { # cpost PATH TOKEN BODY -> $T/b
	curl -sS -o $T/b --cacert $D/ca.pem -H 'Content-Type: application/json' \
		--data-binary "$3" "$URL$1?access_token=$2"
}
errc() { js $T/b 'd["errcode"]'; }
curl -sS -o $T/b --cacert $D/ca.pem "$URL/cgi-bin/token?grant_type=client_credential&appid=$CARD_APPID&secret=$CARD_SECRET"
TOK=$(js $T/b 'd["access_token"]')
[ -n "$TOK" ] && ok "card token issued" || bad "card token: $(cat $T/b)"
curl -sS -o $T/b --cacert $D/ca.pem "$URL/cgi-bin/token?grant_type=client_credential&appid=$CARD_APPID&secret=wrong"
expect "token with a wrong secret -> 40125" "$(errc)" 40125
CC=$(js $D/seed.json "[x for x in d['card']['valid'] if not x['custom_code']][0]['code']")
cpost /card/code/get "$TOK" "{\"code\":\"$CC\",\"check_consume\":true}"
expect "code/get valid -> can_consume" "$(js $T/b '[d["errcode"],d["can_consume"],d["user_card_status"]]')" '[0, true, "NORMAL"]'
cpost /card/code/consume "$TOK" "{\"code\":\"$CC\"}"
expect "consume -> 0" "$(errc)" 0
cpost /card/code/consume "$TOK" "{\"code\":\"$CC\"}"
expect "consume again -> 40099" "$(errc)" 40099
cpost /card/code/get "$TOK" "{\"code\":\"$CC\",\"check_consume\":false}"
expect "code/get check_consume=false -> CONSUMED" "$(js $T/b '[d["errcode"],d["can_consume"],d["user_card_status"]]')" '[0, false, "CONSUMED"]'
cpost /card/code/get "$TOK" "{\"code\":\"$(js $D/seed.json "d['card']['unknown'][0]['code']")\"}"
expect "unknown code -> 40056" "$(errc)" 40056
CUS=$(js $D/seed.json "[x for x in d['card']['valid'] if x['custom_code']][0]")
CUSC=$(python3 -c "import json,sys;print(json.loads(sys.argv[1])['code'])" "$CUS")
CUSID=$(python3 -c "import json,sys;print(json.loads(sys.argv[1])['card_id'])" "$CUS")
cpost /card/code/get "$TOK" "{\"code\":\"$CUSC\"}"
expect "custom code without card_id -> 40056" "$(errc)" 40056
cpost /card/code/get "$TOK" "{\"code\":\"$CUSC\",\"card_id\":\"$CUSID\"}"
expect "custom code with card_id -> 0" "$(errc)" 0
cpost /card/code/get "$TOK" "{\"code\":\"$(js $D/seed.json "d['card']['unavailable'][0]['code']")\"}"
expect "unavailable code -> 40127" "$(errc)" 40127
cpost /card/code/consume "$TOK" "{\"code\":\"$(js $D/seed.json "d['card']['expired'][0]['code']")\"}"
expect "consume expired -> 40127" "$(errc)" 40127
cpost /card/code/decrypt "$TOK" "{\"encrypt_code\":\"$(js $D/seed.json "d['card']['valid'][1]['encrypt_code']")\"}"
expect "decrypt -> code" "$(js $T/b 'd["code"]')" "$(js $D/seed.json "d['card']['valid'][1]['code']")"
CK=$(js $D/seed.json "[x for x in d['card']['valid'] if not x['custom_code']][2]['code']")
cpost /card/code/unavailable "$TOK" "{\"code\":\"$CK\",\"reason\":\"test\"}"
expect "code/unavailable -> 0" "$(errc)" 0
cpost /card/code/get "$TOK" "{\"code\":\"$CK\"}"
expect "unavailable code -> 40127 on code/get" "$(errc)" 40127
cpost /card/get "$TOK" "{\"card_id\":\"$CUSID\"}"
expect "card/get" "$(js $T/b 'd["errcode"]==0 and d["card"]["card_type"] in ("CASH","DISCOUNT","GIFT","GROUPON","GENERAL_COUPON")')" True
cpost /card/batchget "$TOK" '{"offset":0,"count":50,"status_list":["CARD_STATUS_VERIFY_OK"]}'
expect "card/batchget" "$(js $T/b 'd["total_num"] >= 11 and len(d["card_id_list"]) == d["total_num"]')" True
cpost /card/code/get "nosuchtoken" "{\"code\":\"$CC\"}"
expect "bad token -> 40001" "$(errc)" 40001
curl -sS -o $T/b --cacert $D/ca.pem -H 'Content-Type: application/json' \
	--data-binary "{\"grant_type\":\"client_credential\",\"appid\":\"$CARD_APPID\",\"secret\":\"$CARD_SECRET\"}" "$URL/cgi-bin/stable_token"
ST1=$(js $T/b 'd["access_token"]')
curl -sS -o $T/b --cacert $D/ca.pem -H 'Content-Type: application/json' \
	--data-binary "{\"grant_type\":\"client_credential\",\"appid\":\"$CARD_APPID\",\"secret\":\"$CARD_SECRET\"}" "$URL/cgi-bin/stable_token"
expect "stable_token returns the same token" "$(js $T/b 'd["access_token"]')" "$ST1"
# the forced refresh is marked by a character no random token has (the
# daily limit counts the marked ones: a token that happened to start with
# the marker made a later forced refresh hit the limit)
expect "a plain stable_token is alphanumeric" "$(js $T/b 'd["access_token"].isalnum()')" True
curl -sS -o $T/b --cacert $D/ca.pem -H 'Content-Type: application/json' \
	--data-binary "{\"grant_type\":\"client_credential\",\"appid\":\"$CARD_APPID\",\"secret\":\"$CARD_SECRET\",\"force_refresh\":true}" "$URL/cgi-bin/stable_token"
expect "a forced stable_token is new and marked" "$(js $T/b 'd["access_token"] != "'"$ST1"'" and d["access_token"][0] == "-" and d["access_token"][1:].isalnum()')" True

# ---- persistence and clean shutdown -----------------------------------------
stop_server && ok "SIGTERM -> exit 0" || bad "SIGTERM exit status"
start_server --use-qps 0
expect "state kept across restart (used coupon stays used)" \
	"$(req POST $USE "$(use_body "$C1" R-AFTER)")$(code)" 400RESOURCE_ALREADY_EXISTS
# 20 concurrent uses of one coupon under 20 request numbers: one wins
CR=$(wcode 6)
USE_TIME=$(now3339)
mkdir -p $T/race
for i in $(seq 20); do
	B=$(use_body "$CR" "R-RACE-$i")
	printf '%s' "$B" > $T/race/body$i
	auth POST $USE "$B" > $T/race/auth$i
done
seq 20 | xargs -P 20 -I{} sh -c "curl -sS -o /dev/null -w '%{http_code}\n' --cacert $D/ca.pem \
	-H 'Accept: application/json' -H 'User-Agent: t/1' -H 'Content-Type: application/json' \
	-H \"Authorization: \$(cat $T/race/auth{})\" --data-binary @$T/race/body{} $URL$USE" > $T/race/st
expect "concurrent uses: exactly one 200" "$(grep -c '^200$' $T/race/st)" 1
expect "concurrent uses: 19 x 400" "$(grep -c '^400$' $T/race/st)" 19
stop_server
$QUAN sim inspect "$D" --json > $T/insp.json
expect "inspect: raced coupon redeemed once" \
	"$(js $T/insp.json "[r['redemptions'] for r in d['redemptions'] if r['code']=='$CR']")" "[1]"

# callbacks signed with the WeChat Pay public key
start_server --callback-sign pubkey
expect "send (pubkey-signed callback) -> 200" \
	"$(req POST /v3/marketing/busifavor/coupons/send "{\"openid\":\"$OPENID\",\"appid\":\"$APPID\",\"stock_id\":\"$WS\",\"out_request_no\":\"cb-2\"}")" 200
for _ in $(seq 60); do [ -f $T/cb/req-3.json ] && break; sleep 0.1; done
if [ -f $T/cb/req-3.json ]; then
	js $T/cb/req-3.json 'd["body"]' > $T/cbbody
	printf '%s' "$(cat $T/cbbody)" > $T/b
	js $T/cb/req-3.json 'd["headers"]' > $T/cbh.json
	for k in Timestamp Nonce Signature Serial; do
		printf 'Wechatpay-%s: %s\n' $k "$(js $T/cbh.json "d['Wechatpay-$k']")"
	done > $T/h
	expect "pubkey callback serial" "$(hdr Wechatpay-Serial)" "$PKID"
	verify $D/platform/pub_key.pem && ok "pubkey callback signature valid" || bad "pubkey callback signature"
else
	bad "no pubkey-signed callback"
fi
stop_server

# ---- faults -----------------------------------------------------------------
start_server --token-ttl 10 --token-grace 3
gettok() { curl -sS -o $T/b --cacert $D/ca.pem "$URL/cgi-bin/token?grant_type=client_credential&appid=$CARD_APPID&secret=$CARD_SECRET"; js $T/b 'd["access_token"]'; }
waituntil() { while [ "$(date +%s)" -lt "$1" ]; do sleep 0.2; done; }
TOK=$(gettok)
t2=$(date +%s)
TOK2=$(gettok)
cpost /card/code/get "$TOK" "{\"code\":\"$CC\",\"check_consume\":false}"
expect "old token inside the grace period still works" "$(errc)" 0
waituntil $((t2 + 5))
cpost /card/code/get "$TOK" "{\"code\":\"$CC\",\"check_consume\":false}"
expect "old token after the grace period -> 40001" "$(errc)" 40001
cpost /card/code/get "$TOK2" "{\"code\":\"$CC\",\"check_consume\":false}"
expect "new token works" "$(errc)" 0
waituntil $((t2 + 12))
cpost /card/code/get "$TOK2" "{\"code\":\"$CC\",\"check_consume\":false}"
expect "expired token -> 42001" "$(errc)" 42001
stop_server
start_server --faults signtest=1
req GET /v3/marketing/busifavor/stocks/$S1 '' >/dev/null
case "$(hdr Wechatpay-Signature)" in WECHATPAY/SIGNTEST/*) ok "signtest fault";; *) bad "signtest fault";; esac
verify $T/platform_pub.pem && bad "signtest must not verify" || ok "signtest does not verify"
stop_server
start_server --faults badsig=1
req GET /v3/marketing/busifavor/stocks/$S1 '' >/dev/null
verify $T/platform_pub.pem && bad "badsig must not verify" || ok "badsig does not verify"
stop_server
start_server --faults skew=-600
req GET /v3/marketing/busifavor/stocks/$S1 '' >/dev/null
d=$(( $(date +%s) - $(hdr Wechatpay-Timestamp) ))
[ $d -ge 590 ] && ok "skew fault ($d s)" || bad "skew fault ($d s)"
stop_server
start_server --faults '429=2/3'
s=""; for i in 1 2 3; do s="$s$(req GET /v3/marketing/busifavor/stocks/$S1 '')"; done
expect "429 burst 2 of every 3" "$s" 429429200
stop_server
start_server --faults 'drop=1,only=/v3/marketing/busifavor/coupons/use'
C6=$(wcode 5)
req POST $USE "$(use_body "$C6" R-DROP)" >/dev/null 2>&1
rc=$?
[ $rc -ne 0 ] && ok "drop fault: no answer (curl rc $rc)" || bad "drop fault answered"
expect "drop fault: other paths unaffected" "$(req GET /v3/marketing/busifavor/stocks/$S1 '')" 200
stop_server
start_server
expect "drop fault: the use was applied (replay -> original success)" \
	"$(req POST $USE "$(use_body "$C6" R-DROP)")" 200
stop_server
start_server --faults trunc=1
req GET /v3/marketing/busifavor/stocks/$S1 '' >/dev/null 2>&1 && bad "trunc fault: full answer" ||
	ok "trunc fault: truncated answer"
stop_server
start_server --faults latency=300
t0=$(date +%s%N); req GET /v3/marketing/busifavor/stocks/$S1 '' >/dev/null; t1=$(date +%s%N)
[ $(( (t1 - t0) / 1000000 )) -ge 300 ] && ok "latency fault" || bad "latency fault $(( (t1 - t0) / 1000000 )) ms"
stop_server
runs=""
for r in 1 2; do
	start_server --faults 5xx=0.5 --seed 42
	s=""; for i in $(seq 12); do s="$s$(req GET /v3/marketing/busifavor/stocks/$S1 '') "; done
	runs="$runs|$s"
	stop_server
done
a=${runs#|}; a=${a%%|*}; b=${runs##*|}
expect "5xx fault deterministic under --seed" "$a" "$b"
case "$a" in *5??*) ok "5xx fault fires";; *) bad "5xx fault never fired: $a";; esac
case "$a" in *200*) ok "5xx fault is a fraction";; *) bad "5xx fault always fired: $a";; esac
start_server --faults '5xx=1,only=/card/'
cpost /card/code/get x '{"code":"1"}'
expect "card API under 5xx fault -> errcode -1" "$(errc)" -1
stop_server
start_server --card-quota 1
curl -sS -o $T/b --cacert $D/ca.pem "$URL/cgi-bin/token?grant_type=client_credential&appid=$CARD_APPID&secret=$CARD_SECRET"
TOK=$(js $T/b 'd["access_token"]')
cpost /card/get "$TOK" "{\"card_id\":\"$CUSID\"}"
cpost /card/get "$TOK" "{\"card_id\":\"$CUSID\"}"
expect "daily quota -> 45009" "$(errc)" 45009
stop_server
$QUAN sim serve "$D" --faults 'nonsense=1' >/dev/null 2>&1 && bad "bad fault spec accepted" ||
	ok "bad fault spec refused"

# ---- signed random input (wrong types, junk ids, odd strings) ----------------
start_server
python3 $HERE/fuzz_requests.py "$D" "$URL" 1500 7 > $T/fuzz.log 2>&1 &&
	ok "fuzz: $(tail -1 $T/fuzz.log)" || bad "fuzz: $(grep FAIL $T/fuzz.log | head -5)"
stop_server && ok "fuzzed server stops cleanly" || bad "fuzzed server exit status"

# ---- inspect --------------------------------------------------------------
$QUAN sim inspect "$D" --json > $T/insp.json
rc=$?
expect "inspect exit 0 (no defects)" "$rc" 0
expect "inspect: no defects" "$(js $T/insp.json 'd["defects"]')" 0
expect "inspect: request counts by status" \
	"$(js $T/insp.json 'any(r["status"]==401 for r in d["requests"]) and any(r["status"]==200 for r in d["requests"])')" True
expect "inspect: returned coupon 2 uses, 1 return" \
	"$(js $T/insp.json "[(r['redemptions'],r['returns'],r['defect']) for r in d['redemptions'] if r['code']=='$SENT']")" '[[2, 1, false]]'

echo "conformance: $passes passed, $fails failed"
[ $fails = 0 ]
