#!/bin/bash
# pc_conformance.sh — the simulator's 商品券 endpoints on the wire, driven
# with curl and signed with `openssl dgst` as an independent client would,
# both access modes (doc §9): brand requests need the BRAND schema, the
# brand certificate and Wechatpay-Serial = the brand's public key id, and
# their answers are signed with the brand's WeChat Pay key (checked with
# openssl); partner requests need brand_id (missing 400, another brand 403
# NO_AUTH with 268579803 after the Request-ID); numeric codes after the
# last '-' of Request-ID; use's order objects (exactly one), times without
# seconds; notify-configs; a send's PRODUCT_COUPON.SEND reaches an HTTPS
# receiver, retried after a 500, signed with the brand key, decryptable
# with the 品牌API密钥 under AAD product_coupon; bundle sends refused.
# Env: QUAN (binary), QUAN_SRC (source root). Exit 1 on any failure.
set -u
QUAN=${QUAN:?QUAN must point at the quan binary}
SRC=${QUAN_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
T=$(mktemp -d /tmp/quan-pc-conf.XXXXXX)
D=$T/sim
PIDS=()
fails=0
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	if [ "$fails" = 0 ]; then rm -rf "$T"; else echo "kept $T"; fi
}
trap cleanup EXIT
ok() { echo "ok   $*"; }
bad() { fails=$((fails + 1)); echo "FAIL $*"; }
expect() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: got '$2', want '$3'"; fi; }
jq_() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2" 2>/dev/null; }

$QUAN sim init "$D" >/dev/null && $QUAN sim seed "$D" >/dev/null || { bad "init/seed"; exit 1; }
for f in brand/apiclient_key.pem brand/pub_key_private.pem brand/api.key; do
	expect "init: $f mode" "$(stat -c %a "$D/$f")" 600
done
openssl verify -CAfile "$D/ca.pem" "$D/brand/apiclient_cert.pem" >/dev/null &&
	ok "init: brand certificate chains to ca.pem" || bad "brand certificate chain"
$QUAN sim serve "$D" --listen 127.0.0.1:0 --callback-retry-s 1 >"$T/srv.out" 2>"$T/srv.err" &
PIDS+=($!)
for _ in $(seq 1 100); do grep -q '^listening' "$T/srv.out" && break; sleep 0.1; done
URL=$(sed -n 's/^listening //p' "$T/srv.out" | head -1)
[ -n "$URL" ] || { bad "server start"; exit 1; }
. "$SRC/tests/sim/pcsign.sh"
pc_ids
E="d['product']['cases']"
OPENID=$(jq_ "$D/seed.json" "$E['valid'][0]['openid']")
CODE=$(jq_ "$D/seed.json" "$E['valid'][0]['code']")
PCID=$(jq_ "$D/seed.json" "$E['valid'][0]['product_coupon_id']")
STOCK=$(jq_ "$D/seed.json" "$E['valid'][0]['stock_id']")
BUNDLE_PCID=$(jq_ "$D/seed.json" "$E['bundle'][0]['product_coupon_id']")
BUNDLE_STOCK=$(jq_ "$D/seed.json" "$E['bundle'][0]['stock_id']")
BP=/brand/marketing/product-coupon
PP=/v3/marketing/partner/product-coupon

# call MODE METHOD PATH BODY [SCHEMA] [SERIAL-HEADER]: status on stdout,
# $T/h headers, $T/b body. MODE brand|partner picks key, schema and id.
call() {
	local mode=$1 m=$2 p=$3 body=$4 schema=${5:-} wser=${6-unset} a=()
	if [ "$wser" = unset ]; then
		[ "$mode" = brand ] && wser=$BPKID || wser=
	fi
	a=(-sS -o "$T/b" -D "$T/h" -w '%{http_code}' --cacert "$D/ca.pem" -X "$m"
		-H 'Accept: application/json' -H 'User-Agent: pc-conformance/1.0'
		-H "Authorization: $(pc_auth "$mode" "$m" "$p" "$body" $schema)")
	[ -n "$wser" ] && a+=(-H "Wechatpay-Serial: $wser")
	[ -n "$body" ] && a+=(-H 'Content-Type: application/json' --data-binary "$body")
	curl "${a[@]}" "$URL$p"
}
hdr() { sed -n "s/^$1: //Ip" "$T/h" | tr -d '\r' | head -1; }
verify() { # verify PUBKEY: the last answer's signature
	{ printf '%s\n%s\n' "$(hdr Wechatpay-Timestamp)" "$(hdr Wechatpay-Nonce)"; cat "$T/b"; printf '\n'; } >"$T/msg"
	hdr Wechatpay-Signature | openssl base64 -d -A >"$T/sig" 2>/dev/null
	openssl dgst -sha256 -verify "$1" -signature "$T/sig" "$T/msg" >/dev/null 2>&1
}
num() { hdr Request-ID | sed -n 's/.*-\([0-9]*\)$/\1/p'; }
GETQ="?product_coupon_id=$PCID&stock_id=$STOCK&appid=$APPID"

# ---- brand signature -----------------------------------------------------
expect "brand get" "$(call brand GET "$BP/users/$OPENID/coupons/$CODE$GETQ" '')" 200
verify "$D/brand/pub_key.pem" && ok "brand answer verifies with the brand public key" || bad "brand answer signature"
verify "$D/platform/pub_key.pem" && bad "brand answer verifies with the merchant key" || ok "brand answer not under the merchant key"
expect "brand answer Wechatpay-Serial" "$(hdr Wechatpay-Serial)" "$BPKID"
expect "brand answer Signature-Type" "$(hdr Wechatpay-Signature-Type)" WECHATPAY-BRAND-SHA256-RSA2048
expect "brand answer has no brand_id" "$(jq_ "$T/b" '"brand_id" in d')" False
expect "coupon EFFECTIVE" "$(jq_ "$T/b" 'd["coupon_state"]')" EFFECTIVE
expect "brand without Wechatpay-Serial" "$(call brand GET "$BP/users/$OPENID/coupons/$CODE$GETQ" '' '' '')" 401
expect "brand with another key id" "$(call brand GET "$BP/users/$OPENID/coupons/$CODE$GETQ" '' '' PUB_KEY_ID_0000)" 401
expect "brand path, APIv3 schema" "$(call brand GET "$BP/users/$OPENID/coupons/$CODE$GETQ" '' WECHATPAY2-SHA256-RSA2048)" 401
expect "APIv3 path, brand schema" "$(call partner GET "$PP/users/$OPENID/coupons/$CODE$GETQ&brand_id=$BRAND" '' WECHATPAY-BRAND-SHA256-RSA2048)" 401

# ---- partner: brand_id ---------------------------------------------------
expect "partner get" "$(call partner GET "$PP/users/$OPENID/coupons/$CODE$GETQ&brand_id=$BRAND" '')" 200
verify "$D/platform/cert.pem" 2>/dev/null || openssl x509 -in "$D/platform/cert.pem" -pubkey -noout >"$T/platform_pub.pem"
verify "$T/platform_pub.pem" && ok "partner answer verifies with the platform key" || bad "partner answer signature"
expect "partner answer brand_id" "$(jq_ "$T/b" 'd["brand_id"]')" "$BRAND"
expect "partner without brand_id" "$(call partner GET "$PP/users/$OPENID/coupons/$CODE$GETQ" '')" 400
expect "partner without brand_id: PARAM_ERROR" "$(jq_ "$T/b" 'd["code"]')" PARAM_ERROR
expect "partner, another brand" "$(call partner GET "$PP/users/$OPENID/coupons/$CODE$GETQ&brand_id=999" '')" 403
expect "NO_AUTH number in Request-ID" "$(num)" 268579803

# ---- use -----------------------------------------------------------------
ub() { # ub REQNO ORDER-JSON-FRAGMENT [TIME]
	printf '{"product_coupon_id":"%s","stock_id":"%s","appid":"%s","use_time":"%s","out_request_no":"%s",%s}' \
		"$PCID" "$STOCK" "$APPID" "${3:-2026-01-01T10:00:00+08:00}" "$1" "$2"
}
USE=$BP/users/$OPENID/coupons/$CODE/use
expect "use with both order objects" "$(call brand POST "$USE" "$(ub UCONF01 '"associated_order_info":{"transaction_id":"1"},"associated_pay_score_order_info":{"order_id":"2"}')")" 400
expect "use with neither" "$(call brand POST "$USE" "$(printf '{"product_coupon_id":"%s","stock_id":"%s","appid":"%s","use_time":"2026-01-01T10:00+08:00","out_request_no":"UCONF02"}' "$PCID" "$STOCK" "$APPID")")" 400
expect "use with out_trade_no but no mchid" "$(call brand POST "$USE" "$(ub UCONF03 '"associated_order_info":{"out_trade_no":"T1"}')")" 400
expect "use, time without seconds" "$(call brand POST "$USE" "$(ub UCONF04 '"associated_order_info":{"out_trade_no":"T1","mchid":"1900000001"}' 2026-01-01T10:00+08:00)")" 200
expect "used" "$(jq_ "$T/b" 'd["coupon_state"]')" USED
expect "use-first order kept" "$(jq_ "$T/b" 'd["single_usage_detail"]["associated_order_info"]["out_trade_no"]')" T1
expect "another number on a used coupon" "$(call brand POST "$USE" "$(ub UCONF05 '"associated_order_info":{"transaction_id":"42"}')")" 400
expect "used by another order: 272756745" "$(num)" 272756745
expect "appid not bound" "$(call brand POST "$USE" "$(printf '{"product_coupon_id":"%s","stock_id":"%s","appid":"wxnot","use_time":"2026-01-01T10:00:00+08:00","out_request_no":"UCONF06","associated_order_info":{"transaction_id":"1"}}' "$PCID" "$STOCK")")" 400
expect "AppID number" "$(num)" 268578704
expect "bad out_request_no" "$(call brand POST "$USE" "$(ub 'U 1' '"associated_order_info":{"transaction_id":"1"}')")" 400

# ---- notify-configs and send -----------------------------------------------
expect "notify-configs before any" "$(call brand GET "$BP/notify-configs" '')" 404
expect "notify-configs http://" "$(call brand POST "$BP/notify-configs" '{"notify_url":"http://x/y"}')" 400
python3 "$SRC/tests/sim/cb_receiver.py" "$D/server/cert.pem" "$D/server/key.pem" "$T" 1 >"$T/rcv.out" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 50); do grep -q '^port' "$T/rcv.out" && break; sleep 0.1; done
RPORT=$(sed -n 's/^port //p' "$T/rcv.out")
expect "notify-configs set" "$(call brand POST "$BP/notify-configs" "{\"notify_url\":\"https://127.0.0.1:$RPORT/pc\"}")" 200
expect "notify-configs read back" "$(call brand GET "$BP/notify-configs" '' >/dev/null; jq_ "$T/b" 'd["notify_url"]')" "https://127.0.0.1:$RPORT/pc"
expect "send" "$(call brand POST "$BP/users/oCONFuser0001/coupons" "{\"product_coupon_id\":\"$PCID\",\"stock_id\":\"$STOCK\",\"appid\":\"$APPID\",\"send_request_no\":\"SENDCONF0001\",\"attach\":\"conf\"}")" 200
expect "sent coupon CONFIRMING" "$(jq_ "$T/b" 'd["coupon_state"]')" CONFIRMING
SENT=$(jq_ "$T/b" 'd["coupon_code"]')
expect "send again: the same answer" "$(call brand POST "$BP/users/oCONFuser0001/coupons" "{\"product_coupon_id\":\"$PCID\",\"stock_id\":\"$STOCK\",\"appid\":\"$APPID\",\"send_request_no\":\"SENDCONF0001\",\"attach\":\"conf\"}" >/dev/null; jq_ "$T/b" 'd["coupon_code"]')" "$SENT"
expect "bundle product by the single send" "$(call brand POST "$BP/users/oCONFuser0001/coupons" "{\"product_coupon_id\":\"$BUNDLE_PCID\",\"stock_id\":\"$BUNDLE_STOCK\",\"appid\":\"$APPID\",\"send_request_no\":\"SENDCONF0002\"}")" 400
for _ in $(seq 1 60); do [ -f "$T/req-2.json" ] && break; sleep 0.1; done
[ -f "$T/req-2.json" ] && ok "notification retried after a 500" || bad "no second delivery"
python3 - "$T/req-2.json" "$D/brand/api.key" "$SENT" "$OPENID" >"$T/cb.txt" 2>&1 <<'EOF' || bad "notification: $(cat "$T/cb.txt")"
import base64, json, sys
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
req = json.load(open(sys.argv[1]))
env = json.loads(req["body"])
assert env["event_type"] == "PRODUCT_COUPON.SEND", env["event_type"]
r = env["resource"]
assert r["associated_data"] == "product_coupon" and r["algorithm"] == "AEAD_AES_256_GCM"
key = open(sys.argv[2]).read().strip().encode()
pt = json.loads(AESGCM(key).decrypt(r["nonce"].encode(), base64.b64decode(r["ciphertext"]), b"product_coupon"))
assert pt["coupon_code"] == sys.argv[3] and pt["openid"] == "oCONFuser0001", pt
for k in ("brand_id", "product_coupon_id", "stock_id", "appid", "unionid", "receive_time",
          "send_request_no", "send_channel", "valid_begin_time", "valid_end_time"):
    assert k in pt, k
assert pt["attach"] == "conf"
h = {k.lower(): v for k, v in req["headers"].items()}
assert h["wechatpay-signature-type"] == "WECHATPAY-BRAND-SHA256-RSA2048"
open(sys.argv[1] + ".msg", "w").write("%s\n%s\n%s\n" % (h["wechatpay-timestamp"], h["wechatpay-nonce"], req["body"]))
open(sys.argv[1] + ".sig", "wb").write(base64.b64decode(h["wechatpay-signature"]))
print(h["wechatpay-serial"])
EOF
expect "notification Wechatpay-Serial" "$(tail -1 "$T/cb.txt")" "$BPKID"
openssl dgst -sha256 -verify "$D/brand/pub_key.pem" -signature "$T/req-2.json.sig" "$T/req-2.json.msg" >/dev/null 2>&1 &&
	ok "notification signed with the brand key" || bad "notification signature"
expect "use before confirm" "$(call brand POST "$BP/users/oCONFuser0001/coupons/$SENT/use" "$(ub UCONF07 '"associated_order_info":{"transaction_id":"1"}')")" 400
expect "CONFIRMING number" "$(num)" 268578367
expect "confirm" "$(call brand POST "$BP/users/oCONFuser0001/coupons/$SENT/confirm" "{\"product_coupon_id\":\"$PCID\",\"stock_id\":\"$STOCK\",\"appid\":\"$APPID\",\"out_request_no\":\"CCONF0001\"}")" 200
expect "confirmed EFFECTIVE" "$(jq_ "$T/b" 'd["coupon_state"]')" EFFECTIVE

# ---- list ------------------------------------------------------------------
expect "list page_size 51" "$(call brand GET "$BP/users/$OPENID/coupons?appid=$APPID&page_size=51" '')" 400
expect "list" "$(call brand GET "$BP/users/$OPENID/coupons?appid=$APPID&coupon_state=EFFECTIVE" '')" 200
expect "list only EFFECTIVE" "$(jq_ "$T/b" 'all(c["coupon_state"] == "EFFECTIVE" for c in d["user_coupon_list"])')" True
grep -q 'Sanitizer' "$T/srv.err" && bad "sanitizer report: $(grep -m1 Sanitizer "$T/srv.err")"
echo "pc conformance: $fails failure(s)"
[ "$fails" = 0 ]
