# pcsign.sh — sourced by the 商品券 shell tests: the Authorization value of
# a request to `quan sim` in either access mode, signed with `openssl dgst`
# as an independent client would. The caller sets D (the simulator dir).
pc_ids() { # read the identities of $D/sim.json into BRAND MCHID BSERIAL MSERIAL BPKID APPID
	eval "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
for k, v in (("BRAND", "brand_id"), ("MCHID", "mchid"), ("BSERIAL", "brand_serial"),
             ("MSERIAL", "merchant_serial"), ("BPKID", "brand_pub_key_id"), ("APPID", "appid")):
    print("%s=%s" % (k, d[v]))' "$D/sim.json")"
}
# pc_auth MODE METHOD PATH BODY [SCHEMA]: MODE brand (the brand
# certificate, brand_id=) or partner (the merchant's, mchid=); SCHEMA
# overrides the scheme word (to test refusals)
pc_auth() {
	local key id idk serial schema ts nonce sig
	if [ "$1" = brand ]; then
		key=$D/brand/apiclient_key.pem id=$BRAND idk=brand_id serial=$BSERIAL
		schema=${5:-WECHATPAY-BRAND-SHA256-RSA2048}
	else
		key=$D/merchant/apiclient_key.pem id=$MCHID idk=mchid serial=$MSERIAL
		schema=${5:-WECHATPAY2-SHA256-RSA2048}
	fi
	ts=$(date +%s)
	nonce=$(openssl rand -hex 16 | tr a-f A-F)
	sig=$(printf '%s\n%s\n%s\n%s\n%s\n' "$2" "$3" "$ts" "$nonce" "$4" |
		openssl dgst -sha256 -sign "$key" | openssl base64 -A)
	printf '%s %s="%s",nonce_str="%s",timestamp="%s",serial_no="%s",signature="%s"' \
		"$schema" "$idk" "$id" "$nonce" "$ts" "$serial" "$sig"
}
# pc_send MODE OPENID REQNO OUT: the brand (brand) or the partner merchant
# (partner) sends one coupon of $PCID/$STOCK to OPENID at the simulator
# ($URL, CA $D/ca.pem): POST …/users/{openid}/coupons, the answer in OUT;
# prints the HTTP status
pc_send() {
	local mode=$1 openid=$2 rn=$3 path body extra=()
	if [ "$mode" = brand ]; then
		path=/brand/marketing/product-coupon/users/$openid/coupons
		body=$(printf '{"product_coupon_id":"%s","stock_id":"%s","appid":"%s","send_request_no":"%s"}' "$PCID" "$STOCK" "$APPID" "$rn")
		extra=(-H "Wechatpay-Serial: $BPKID")
	else
		path=/v3/marketing/partner/product-coupon/users/$openid/coupons
		body=$(printf '{"product_coupon_id":"%s","stock_id":"%s","appid":"%s","send_request_no":"%s","brand_id":"%s"}' "$PCID" "$STOCK" "$APPID" "$rn" "$BRAND")
	fi
	curl -sS -o "$4" -w '%{http_code}' --cacert "$D/ca.pem" -X POST \
		-H 'Accept: application/json' -H 'User-Agent: pcsign.sh' \
		-H 'Content-Type: application/json' \
		-H "Authorization: $(pc_auth "$mode" POST "$path" "$body")" "${extra[@]}" \
		--data-binary "$body" "$URL$path"
}
