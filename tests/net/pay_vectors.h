/*
 * pay_vectors.h — Appendix A (APIv2) and B (APIv3) of
 * ../shared/docs/wechatpay-codepay.md, extracted verbatim (stringSignTemp,
 * sign and body of each V2 vector; body, timestamps, nonces and
 * signatures of each V3 vector). Test-only; included by test_pay.c.
 */
#ifndef QUAN_TESTS_NET_PAY_VECTORS_H
#define QUAN_TESTS_NET_PAY_VECTORS_H

struct v2_vector {
	const char *name;
	int hmac;
	const char *sign_string;
	const char *sign;
	const char *body;
};

static const struct v2_vector V2[] = {
	{ "V2-1", 0,
	    "appid=wx2421b1c4370ec43b&attach=lane=1&auth_code=13456789012"
	    "3456789&body=quan测试店-上海-商品&device_info=POS01&goods_tag=WXG&m"
	    "ch_id=10000100&nonce_str=5K8264ILTKCH16CQ2502SI8ZNMTM67VS&ou"
	    "t_trade_no=QT01202612010001&spbill_create_ip=192.168.1.20&to"
	    "tal_fee=1000&key=192006250b4c09247ec02edce69f6a2d",
	"8B5EC673726A0984242EFB9C2765D1D5",
	    "<xml><appid><![CDATA[wx2421b1c4370ec43b]]></appid><mch_id><!"
	    "[CDATA[10000100]]></mch_id><device_info><![CDATA[POS01]]></d"
	    "evice_info><nonce_str><![CDATA[5K8264ILTKCH16CQ2502SI8ZNMTM6"
	    "7VS]]></nonce_str><body><![CDATA[quan测试店-上海-商品]]></body><out"
	    "_trade_no><![CDATA[QT01202612010001]]></out_trade_no><total_"
	    "fee>1000</total_fee><spbill_create_ip><![CDATA[192.168.1.20]"
	    "]></spbill_create_ip><auth_code><![CDATA[134567890123456789]"
	    "]></auth_code><goods_tag><![CDATA[WXG]]></goods_tag><attach>"
	    "<![CDATA[lane=1]]></attach><sign><![CDATA[8B5EC673726A098424"
	    "2EFB9C2765D1D5]]></sign></xml>" },
	{ "V2-2", 1,
	    "appid=wx2421b1c4370ec43b&attach=lane=1&auth_code=13456789012"
	    "3456789&body=quan测试店-上海-商品&device_info=POS01&goods_tag=WXG&m"
	    "ch_id=10000100&nonce_str=ibuaiVcKdpRxkhJA&out_trade_no=QT012"
	    "02612010001&sign_type=HMAC-SHA256&spbill_create_ip=192.168.1"
	    ".20&total_fee=1000&key=192006250b4c09247ec02edce69f6a2d",
	"D92E1399F3D7389A6F53F41CA51E976F97BD75E011CB76336F9E50A75A0B1E36",
	    "<xml><appid><![CDATA[wx2421b1c4370ec43b]]></appid><mch_id><!"
	    "[CDATA[10000100]]></mch_id><device_info><![CDATA[POS01]]></d"
	    "evice_info><nonce_str><![CDATA[ibuaiVcKdpRxkhJA]]></nonce_st"
	    "r><body><![CDATA[quan测试店-上海-商品]]></body><out_trade_no><![CDA"
	    "TA[QT01202612010001]]></out_trade_no><total_fee>1000</total_"
	    "fee><spbill_create_ip><![CDATA[192.168.1.20]]></spbill_creat"
	    "e_ip><auth_code><![CDATA[134567890123456789]]></auth_code><g"
	    "oods_tag><![CDATA[WXG]]></goods_tag><attach><![CDATA[lane=1]"
	    "]></attach><sign_type><![CDATA[HMAC-SHA256]]></sign_type><si"
	    "gn><![CDATA[D92E1399F3D7389A6F53F41CA51E976F97BD75E011CB7633"
	    "6F9E50A75A0B1E36]]></sign></xml>" },
	{ "V2-3", 1,
	    "appid=wx2421b1c4370ec43b&device_info=POS01&err_code=USERPAYI"
	    "NG&err_code_des=需要用户输入支付密码&mch_id=10000100&nonce_str=GOp3TRy"
	    "MXzbMlkun&result_code=FAIL&return_code=SUCCESS&return_msg=OK"
	    "&key=192006250b4c09247ec02edce69f6a2d",
	"C5528FFDF583EDD8B77B3F65A6539D7C20F9A9ADD450709565814A5B8BD7B74C",
	    "<xml><return_code><![CDATA[SUCCESS]]></return_code><return_m"
	    "sg><![CDATA[OK]]></return_msg><appid><![CDATA[wx2421b1c4370e"
	    "c43b]]></appid><mch_id><![CDATA[10000100]]></mch_id><device_"
	    "info><![CDATA[POS01]]></device_info><nonce_str><![CDATA[GOp3"
	    "TRyMXzbMlkun]]></nonce_str><result_code><![CDATA[FAIL]]></re"
	    "sult_code><err_code><![CDATA[USERPAYING]]></err_code><err_co"
	    "de_des><![CDATA[需要用户输入支付密码]]></err_code_des><sign><![CDATA[C"
	    "5528FFDF583EDD8B77B3F65A6539D7C20F9A9ADD450709565814A5B8BD7B"
	    "74C]]></sign></xml>" },
	{ "V2-4", 1,
	    "appid=wx2421b1c4370ec43b&mch_id=10000100&nonce_str=ec2316275"
	    "641faa3aacf3cc599e8730f&out_trade_no=QT01202612010001&sign_t"
	    "ype=HMAC-SHA256&key=192006250b4c09247ec02edce69f6a2d",
	"2B1A786D9A7E170BB18938364709A212BAB32241890D786F35A8DF57B9E0A8DF",
	    "<xml><appid><![CDATA[wx2421b1c4370ec43b]]></appid><mch_id><!"
	    "[CDATA[10000100]]></mch_id><out_trade_no><![CDATA[QT01202612"
	    "010001]]></out_trade_no><nonce_str><![CDATA[ec2316275641faa3"
	    "aacf3cc599e8730f]]></nonce_str><sign_type><![CDATA[HMAC-SHA2"
	    "56]]></sign_type><sign><![CDATA[2B1A786D9A7E170BB18938364709"
	    "A212BAB32241890D786F35A8DF57B9E0A8DF]]></sign></xml>" },
	{ "V2-5", 1,
	    "appid=wx2421b1c4370ec43b&attach=lane=1&bank_type=CMB_DEBIT&c"
	    "ash_fee=500&cash_fee_type=CNY&coupon_count=2&coupon_fee=500&"
	    "coupon_fee_0=300&coupon_fee_1=200&coupon_id_0=10000&coupon_i"
	    "d_1=10001&coupon_type_0=CASH&coupon_type_1=NO_CASH&device_in"
	    "fo=POS01&fee_type=CNY&is_subscribe=N&mch_id=10000100&nonce_s"
	    "tr=TN55wO9Pba5yENl8&openid=oUpF8uN95-Ptaags6E_roPHg7AG0&out_"
	    "trade_no=QT01202612010001&result_code=SUCCESS&return_code=SU"
	    "CCESS&return_msg=OK&settlement_total_fee=800&time_end=202612"
	    "01101530&total_fee=1000&trade_state=SUCCESS&trade_state_desc"
	    "=支付成功&trade_type=MICROPAY&transaction_id=4200001234202612011"
	    "234567890&key=192006250b4c09247ec02edce69f6a2d",
	"387F292410CE9DD87E597927546272D9B4D20AF28C897328BA648B90D587420A",
	    "<xml><return_code><![CDATA[SUCCESS]]></return_code><return_m"
	    "sg><![CDATA[OK]]></return_msg><appid><![CDATA[wx2421b1c4370e"
	    "c43b]]></appid><mch_id><![CDATA[10000100]]></mch_id><device_"
	    "info><![CDATA[POS01]]></device_info><nonce_str><![CDATA[TN55"
	    "wO9Pba5yENl8]]></nonce_str><result_code><![CDATA[SUCCESS]]><"
	    "/result_code><openid><![CDATA[oUpF8uN95-Ptaags6E_roPHg7AG0]]"
	    "></openid><is_subscribe><![CDATA[N]]></is_subscribe><trade_t"
	    "ype><![CDATA[MICROPAY]]></trade_type><trade_state><![CDATA[S"
	    "UCCESS]]></trade_state><trade_state_desc><![CDATA[支付成功]]></t"
	    "rade_state_desc><bank_type><![CDATA[CMB_DEBIT]]></bank_type>"
	    "<total_fee>1000</total_fee><settlement_total_fee>800</settle"
	    "ment_total_fee><fee_type><![CDATA[CNY]]></fee_type><cash_fee"
	    ">500</cash_fee><cash_fee_type><![CDATA[CNY]]></cash_fee_type"
	    "><coupon_fee>500</coupon_fee><coupon_count>2</coupon_count><"
	    "coupon_type_0><![CDATA[CASH]]></coupon_type_0><coupon_id_0><"
	    "![CDATA[10000]]></coupon_id_0><coupon_fee_0>300</coupon_fee_"
	    "0><coupon_type_1><![CDATA[NO_CASH]]></coupon_type_1><coupon_"
	    "id_1><![CDATA[10001]]></coupon_id_1><coupon_fee_1>200</coupo"
	    "n_fee_1><transaction_id><![CDATA[420000123420261201123456789"
	    "0]]></transaction_id><out_trade_no><![CDATA[QT01202612010001"
	    "]]></out_trade_no><attach><![CDATA[lane=1]]></attach><time_e"
	    "nd><![CDATA[20261201101530]]></time_end><sign><![CDATA[387F2"
	    "92410CE9DD87E597927546272D9B4D20AF28C897328BA648B90D587420A]"
	    "]></sign></xml>" },
	{ "V2-6", 1,
	    "appid=wx2421b1c4370ec43b&auth_code=134567890123456780&body=q"
	    "uan测试店-上海-商品&detail={\"goods_detail\":[{\"goods_id\":\"SKU001\",\"g"
	    "oods_name\":\"可乐\",\"quantity\":2,\"price\":300},{\"goods_id\":\"SKU00"
	    "2\",\"quantity\":1,\"price\":400}]}&mch_id=10000100&nonce_str=n6R"
	    "3Fz8Q0aYpLm2c&out_trade_no=QT01202612010002&sign_type=HMAC-S"
	    "HA256&spbill_create_ip=192.168.1.20&total_fee=1000&version=1"
	    ".0&key=192006250b4c09247ec02edce69f6a2d",
	"C0452040BC0BB033242DB537662CC12989401A8C8BDB614E2D0239B1CF243BD3",
	    "<xml><appid><![CDATA[wx2421b1c4370ec43b]]></appid><mch_id><!"
	    "[CDATA[10000100]]></mch_id><nonce_str><![CDATA[n6R3Fz8Q0aYpL"
	    "m2c]]></nonce_str><sign_type><![CDATA[HMAC-SHA256]]></sign_t"
	    "ype><version><![CDATA[1.0]]></version><body><![CDATA[quan测试店"
	    "-上海-商品]]></body><out_trade_no><![CDATA[QT01202612010002]]></"
	    "out_trade_no><total_fee>1000</total_fee><spbill_create_ip><!"
	    "[CDATA[192.168.1.20]]></spbill_create_ip><auth_code><![CDATA"
	    "[134567890123456780]]></auth_code><detail><![CDATA[{\"goods_d"
	    "etail\":[{\"goods_id\":\"SKU001\",\"goods_name\":\"可乐\",\"quantity\":2,"
	    "\"price\":300},{\"goods_id\":\"SKU002\",\"quantity\":1,\"price\":400}]"
	    "}]]></detail><sign><![CDATA[C0452040BC0BB033242DB537662CC129"
	    "89401A8C8BDB614E2D0239B1CF243BD3]]></sign></xml>" },
	{ "V2-7", 1,
	    "appid=wx2421b1c4370ec43b&bank_type=OTHERS&cash_fee=995&cash_"
	    "fee_type=CNY&fee_type=CNY&is_subscribe=N&mch_id=10000100&non"
	    "ce_str=Zx8lPq0rT2vW4yB6&openid=oUpF8uN95-Ptaags6E_roPHg7AG0&"
	    "out_trade_no=QT01202612010002&promotion_detail={\"promotion_d"
	    "etail\":[{\"promotion_id\":\"109519\",\"name\":\"单品惠-6\",\"scope\":\"SIN"
	    "GLE\",\"type\":\"DISCOUNT\",\"amount\":5,\"activity_id\":\"931386\",\"wx"
	    "pay_contribute\":0,\"merchant_contribute\":5,\"other_contribute\""
	    ":0,\"goods_detail\":[{\"goods_id\":\"SKU001\",\"goods_remark\":\"\",\"q"
	    "uantity\":2,\"price\":300,\"discount_amount\":5}]}]}&result_code="
	    "SUCCESS&return_code=SUCCESS&return_msg=OK&time_end=202612011"
	    "02001&total_fee=1000&trade_type=MICROPAY&transaction_id=4200"
	    "001234202612011234567891&key=192006250b4c09247ec02edce69f6a2"
	    "d",
	"C789472AAF411A26364B83E4E4236A3EDF5A0CB90B4921356237A0605FD111EC",
	    "<xml><return_code><![CDATA[SUCCESS]]></return_code><return_m"
	    "sg><![CDATA[OK]]></return_msg><appid><![CDATA[wx2421b1c4370e"
	    "c43b]]></appid><mch_id><![CDATA[10000100]]></mch_id><nonce_s"
	    "tr><![CDATA[Zx8lPq0rT2vW4yB6]]></nonce_str><result_code><![C"
	    "DATA[SUCCESS]]></result_code><openid><![CDATA[oUpF8uN95-Ptaa"
	    "gs6E_roPHg7AG0]]></openid><is_subscribe><![CDATA[N]]></is_su"
	    "bscribe><trade_type><![CDATA[MICROPAY]]></trade_type><bank_t"
	    "ype><![CDATA[OTHERS]]></bank_type><total_fee>1000</total_fee"
	    "><fee_type><![CDATA[CNY]]></fee_type><cash_fee>995</cash_fee"
	    "><cash_fee_type><![CDATA[CNY]]></cash_fee_type><transaction_"
	    "id><![CDATA[4200001234202612011234567891]]></transaction_id>"
	    "<out_trade_no><![CDATA[QT01202612010002]]></out_trade_no><ti"
	    "me_end><![CDATA[20261201102001]]></time_end><promotion_detai"
	    "l><![CDATA[{\"promotion_detail\":[{\"promotion_id\":\"109519\",\"na"
	    "me\":\"单品惠-6\",\"scope\":\"SINGLE\",\"type\":\"DISCOUNT\",\"amount\":5,\"a"
	    "ctivity_id\":\"931386\",\"wxpay_contribute\":0,\"merchant_contribu"
	    "te\":5,\"other_contribute\":0,\"goods_detail\":[{\"goods_id\":\"SKU0"
	    "01\",\"goods_remark\":\"\",\"quantity\":2,\"price\":300,\"discount_amo"
	    "unt\":5}]}]}]]></promotion_detail><sign><![CDATA[C789472AAF41"
	    "1A26364B83E4E4236A3EDF5A0CB90B4921356237A0605FD111EC]]></sig"
	    "n></xml>" },
	{ "V2-8", 1,
	    "appid=wx2421b1c4370ec43b&mch_id=10000100&nonce_str=b7ffb16a7"
	    "150cf08639db472c5f5bdae&out_trade_no=QT01202612010003&sign_t"
	    "ype=HMAC-SHA256&key=192006250b4c09247ec02edce69f6a2d",
	"68F63C1104746DD9A9083DD983E611DD148D397514876EEE5B12567599D8A703",
	    "<xml><appid><![CDATA[wx2421b1c4370ec43b]]></appid><mch_id><!"
	    "[CDATA[10000100]]></mch_id><out_trade_no><![CDATA[QT01202612"
	    "010003]]></out_trade_no><nonce_str><![CDATA[b7ffb16a7150cf08"
	    "639db472c5f5bdae]]></nonce_str><sign_type><![CDATA[HMAC-SHA2"
	    "56]]></sign_type><sign><![CDATA[68F63C1104746DD9A9083DD983E6"
	    "11DD148D397514876EEE5B12567599D8A703]]></sign></xml>" },
	{ "V2-9", 1,
	    "appid=wx2421b1c4370ec43b&mch_id=10000100&nonce_str=o5bAKF3o2"
	    "ypC8hwa&recall=N&result_code=SUCCESS&return_code=SUCCESS&ret"
	    "urn_msg=OK&key=192006250b4c09247ec02edce69f6a2d",
	"846BF2C383D0CC3D6E353C6B4FB65D1187FFAF48E40DCF307169AA3F579E4579",
	    "<xml><return_code><![CDATA[SUCCESS]]></return_code><return_m"
	    "sg><![CDATA[OK]]></return_msg><appid><![CDATA[wx2421b1c4370e"
	    "c43b]]></appid><mch_id><![CDATA[10000100]]></mch_id><nonce_s"
	    "tr><![CDATA[o5bAKF3o2ypC8hwa]]></nonce_str><result_code><![C"
	    "DATA[SUCCESS]]></result_code><recall><![CDATA[N]]></recall><"
	    "sign><![CDATA[846BF2C383D0CC3D6E353C6B4FB65D1187FFAF48E40DCF"
	    "307169AA3F579E4579]]></sign></xml>" },
	{ "V2-10", 1,
	    "appid=wx2421b1c4370ec43b&mch_id=10000100&nonce_str=6cefdb308"
	    "e1e2e8aabd48cf79e546a02&out_refund_no=RQT01202612010001&out_"
	    "trade_no=QT01202612010001&refund_desc=整单作废&refund_fee=1000&s"
	    "ign_type=HMAC-SHA256&total_fee=1000&key=192006250b4c09247ec0"
	    "2edce69f6a2d",
	"9A79ACB1B7ED3A0EC5BCDA075A1780B79E9535294E0F0A6764DCB2AEE896DA38",
	    "<xml><appid><![CDATA[wx2421b1c4370ec43b]]></appid><mch_id><!"
	    "[CDATA[10000100]]></mch_id><nonce_str><![CDATA[6cefdb308e1e2"
	    "e8aabd48cf79e546a02]]></nonce_str><sign_type><![CDATA[HMAC-S"
	    "HA256]]></sign_type><out_trade_no><![CDATA[QT01202612010001]"
	    "]></out_trade_no><out_refund_no><![CDATA[RQT01202612010001]]"
	    "></out_refund_no><total_fee>1000</total_fee><refund_fee>1000"
	    "</refund_fee><refund_desc><![CDATA[整单作废]]></refund_desc><sig"
	    "n><![CDATA[9A79ACB1B7ED3A0EC5BCDA075A1780B79E9535294E0F0A676"
	    "4DCB2AEE896DA38]]></sign></xml>" },
	{ "V2-11", 1,
	    "appid=wx2421b1c4370ec43b&cash_fee=500&cash_refund_fee=500&co"
	    "upon_refund_count=2&coupon_refund_fee=500&coupon_refund_fee_"
	    "0=300&coupon_refund_fee_1=200&coupon_refund_id_0=10000&coupo"
	    "n_refund_id_1=10001&coupon_type_0=CASH&coupon_type_1=NO_CASH"
	    "&fee_type=CNY&mch_id=10000100&nonce_str=NfsMFbUFpdbEhPXP&out"
	    "_refund_no=RQT01202612010001&out_trade_no=QT01202612010001&r"
	    "efund_fee=1000&refund_id=50000000382019052709732678859&resul"
	    "t_code=SUCCESS&return_code=SUCCESS&return_msg=OK&settlement_"
	    "refund_fee=800&settlement_total_fee=800&total_fee=1000&trans"
	    "action_id=4200001234202612011234567890&key=192006250b4c09247"
	    "ec02edce69f6a2d",
	"DA987EA3735960827403CB6AF069CAB2A0FA1C74A87D7A32DC8B25BB6D7BB04E",
	    "<xml><return_code><![CDATA[SUCCESS]]></return_code><return_m"
	    "sg><![CDATA[OK]]></return_msg><appid><![CDATA[wx2421b1c4370e"
	    "c43b]]></appid><mch_id><![CDATA[10000100]]></mch_id><nonce_s"
	    "tr><![CDATA[NfsMFbUFpdbEhPXP]]></nonce_str><result_code><![C"
	    "DATA[SUCCESS]]></result_code><transaction_id><![CDATA[420000"
	    "1234202612011234567890]]></transaction_id><out_trade_no><![C"
	    "DATA[QT01202612010001]]></out_trade_no><out_refund_no><![CDA"
	    "TA[RQT01202612010001]]></out_refund_no><refund_id><![CDATA[5"
	    "0000000382019052709732678859]]></refund_id><refund_fee>1000<"
	    "/refund_fee><settlement_refund_fee>800</settlement_refund_fe"
	    "e><total_fee>1000</total_fee><settlement_total_fee>800</sett"
	    "lement_total_fee><fee_type><![CDATA[CNY]]></fee_type><cash_f"
	    "ee>500</cash_fee><cash_refund_fee>500</cash_refund_fee><coup"
	    "on_refund_fee>500</coupon_refund_fee><coupon_refund_count>2<"
	    "/coupon_refund_count><coupon_type_0><![CDATA[CASH]]></coupon"
	    "_type_0><coupon_refund_id_0><![CDATA[10000]]></coupon_refund"
	    "_id_0><coupon_refund_fee_0>300</coupon_refund_fee_0><coupon_"
	    "type_1><![CDATA[NO_CASH]]></coupon_type_1><coupon_refund_id_"
	    "1><![CDATA[10001]]></coupon_refund_id_1><coupon_refund_fee_1"
	    ">200</coupon_refund_fee_1><sign><![CDATA[DA987EA373596082740"
	    "3CB6AF069CAB2A0FA1C74A87D7A32DC8B25BB6D7BB04E]]></sign></xml"
	    ">" },
};
#define NV2 (sizeof V2 / sizeof V2[0])

/* V3-1 POST /v3/pay/transactions/codepay (DOC key) */
static const char V3_1_REQ[] = "POST /v3/pay/transactions/codepay";
static const char V3_1_BODY[] =
	"{\"appid\":\"wxd678efh567hg6787\",\"mchid\":\"1900007291\",\"descript"
	"ion\":\"quan测试店-上海-商品\",\"out_trade_no\":\"QT01202612010011\",\"good"
	"s_tag\":\"WXG\",\"payer\":{\"auth_code\":\"134567890123456789\"},\"amo"
	"unt\":{\"total\":1000,\"currency\":\"CNY\"},\"scene_info\":{\"device_i"
	"d\":\"POS01\",\"device_ip\":\"192.168.1.20\",\"store_info\":{\"out_id\""
	":\"SH001\"}}}";
static const char V3_1_TS[] = "1764554400";
static const char V3_1_NONCE[] = "7F2C1A9E4B6D8F0A1C3E5B7D9F1A2C4E";
static const char V3_1_SHA[] = "400f01072416b6a5ab6d241067ea34388281691219b90638343926632540e946";
static const char V3_1_AUTH[] =
	"WECHATPAY2-SHA256-RSA2048 mchid=\"1900007291\",nonce_str=\"7F2C"
	"1A9E4B6D8F0A1C3E5B7D9F1A2C4E\",timestamp=\"1764554400\",serial_"
	"no=\"408B07E79B8269FEC3D5D3E6AB8ED163A6A380DB\",signature=\"bZx"
	"qXXfXNUtqTJ+QNCAm9Kq8ewUH1yjtujIrvNlJduZe4K3mlN+bMCoPco4GB5l"
	"cpIcY7wCzQDZ6wlZMtWJqn1PUASlaR8UtigLYdDhDAk/wSinypguAM7NnxKY"
	"VOzOXy2aU7ggGx69fJ1O++yBXwW64L1RKqZPjNyAEn/tND+T0rP/XHnEk2r8"
	"jSBi6gbCfsStclKubpuWUiLfV6CRfnvJK7q8VyjD5kz3zDaORTekZx7rAQcd"
	"XJSnmuiEzxoaMqDgeeaumlFzdHmUCUEiCIRPUzjOrMvy3N9eFYo6V3HPOBkQ"
	"I6qNMeYaYiPUURSJSgwupomHn2hSW2Y35H6wGGQ==\"";

/* V3-2 codepay answer while the customer types the password (GO key as WeChat Pay key) */
static const char V3_2_BODY[] =
	"{\"trade_state\":\"USERPAYING\"}";
static const char V3_2_TS[] = "1764554401";
static const char V3_2_NONCE[] = "a3f1c2e4b5d6978812ab34cd56ef7890";
static const char V3_2_SIG[] =
	"JCWyHBz3Ig4cNuVFJwsuuKeasWVG2AIQzdp4kN2OQ6x41deP4yLPbGAfbDsZ"
	"uW5D9lsH83rA7iZgB/HgPed+YAON0h/SeMVHADl2xw5QMVnqjW6sc9CX5mBl"
	"aj43fn9p6uE4b36mOtfLmEqMqZm+li50eQO76Q1ViCJj5h3O84xXH5a61Ne9"
	"+kcKrYo0MUk8nIXRcB8I7eQy3Ptzynil6e/8pWWWhjsfCInM7e7C3hsucUhK"
	"DNiJjbZP7vcQV9laiy67vRK0iaTlDVd/OahEfZMgb18ut5jvolCk4UhllxJo"
	"IsVn+mQkyUUGXYbTJ840180dxCB96Px4U0KaCr5xCQ==";

/* V3-3 GET query by out_trade_no (empty body) */
static const char V3_3_REQ[] = "GET /v3/pay/transactions/out-trade-no/QT01202612010011?mchid=1900007291";
static const char V3_3_BODY[] =
	"";
static const char V3_3_TS[] = "1764554406";
static const char V3_3_NONCE[] = "0B1C2D3E4F5A6B7C8D9E0F1A2B3C4D5E";
static const char V3_3_SHA[] = "4bb6425aebe26e62ac757069c08d129647b2b4f1c9978ccc669fdad65c485d1b";
static const char V3_3_AUTH[] =
	"WECHATPAY2-SHA256-RSA2048 mchid=\"1900007291\",nonce_str=\"0B1C"
	"2D3E4F5A6B7C8D9E0F1A2B3C4D5E\",timestamp=\"1764554406\",serial_"
	"no=\"408B07E79B8269FEC3D5D3E6AB8ED163A6A380DB\",signature=\"VS4"
	"rZBmoFaj5FsZCHILblRlpni9FRU7ZAuDKow97+6cvXjVZuQOF9cFKfyiS3T2"
	"37/H4hbsNk+SF7m73oBZ6beaW9oVJdDPxSx5mTlQeWHfXau3AFp9gDqxHyJV"
	"iDCEEdVqtFvcPRd9b53tZDz5U8ubG8UwU0Ye7F+u68D+b19GK6bHrWyiTBsr"
	"NItwgR60fTKqXwMIIwP6AxJtt32/mwB3p+EKw+0UtY1Y5SygwuqtSqMnoqdg"
	"/Vxp3YfZ6DnnzkL0rymTAPw8Tjaazo0zt0NR/kCjJzNdh0m4mpSe807PKKKL"
	"eb7vZOl4dUc5wt70nm97NPn7XjGd7SPDpMyOO1Q==\"";

/* V3-4 query answer, paid with one NOCASH voucher (GO key) */
static const char V3_4_BODY[] =
	"{\"appid\":\"wxd678efh567hg6787\",\"mchid\":\"1900007291\",\"out_trad"
	"e_no\":\"QT01202612010011\",\"transaction_id\":\"42000012342026120"
	"11234567899\",\"trade_type\":\"MICROPAY\",\"trade_state\":\"SUCCESS\""
	",\"trade_state_desc\":\"支付成功\",\"bank_type\":\"OTHERS\",\"success_tim"
	"e\":\"2026-12-01T10:00:05+08:00\",\"payer\":{\"openid\":\"oUpF8uMuAJ"
	"O_M2pxb1Q9zNjWeS6o\"},\"amount\":{\"total\":1000,\"payer_total\":80"
	"0,\"currency\":\"CNY\",\"payer_currency\":\"CNY\"},\"promotion_detail"
	"\":[{\"coupon_id\":\"109519\",\"name\":\"满10减2\",\"scope\":\"GLOBAL\",\"ty"
	"pe\":\"NOCASH\",\"amount\":200,\"stock_id\":\"931386\",\"wechatpay_con"
	"tribute\":0,\"merchant_contribute\":200,\"other_contribute\":0,\"c"
	"urrency\":\"CNY\"}]}";
static const char V3_4_TS[] = "1764554406";
static const char V3_4_NONCE[] = "9c8b7a6f5e4d3c2b1a09f8e7d6c5b4a3";
static const char V3_4_SIG[] =
	"NLx8tilTmYYrHqKSp/hODxN4sjIx57rjunWSZIozIArnX3u42ECQf8/x8IcI"
	"vY+XinW6W6cb0L8nnldfY9wKgc+TvUaSpEqR/T+BALj1WQjE3TU3qS3oBdBA"
	"KBnnGIKasgWFJmBQVyL/iU9EmNC0QrgMjfBP+XnFn1Usk/UBmkF1MrKYJZ8q"
	"SYfs1ek8t4Zxeh09et4hbt4Aw2sGOJYXnKhLd19u8dyh+u+poZEwapmZkgKK"
	"3mPGLNd2dzo5fGSrAHPqTA99VPIm0mlkC4ARWCqGwwWRBU6nMiJQoDw+mxLt"
	"iHmXvD/9RcHMoeLfxzs4QQ4FcIuSrw68WIR0q5BuQA==";

/* V3-5 POST reverse */
static const char V3_5_REQ[] = "POST /v3/pay/transactions/out-trade-no/QT01202612010012/reverse";
static const char V3_5_BODY[] =
	"{\"appid\":\"wxd678efh567hg6787\",\"mchid\":\"1900007291\"}";
static const char V3_5_TS[] = "1764554430";
static const char V3_5_NONCE[] = "C0FFEE00C0FFEE00C0FFEE00C0FFEE00";
static const char V3_5_SHA[] = "8c9b5e76d8823003eb387af87f4d62631429abcf2d68b1a6e070656b3a28aa22";
static const char V3_5_AUTH[] =
	"WECHATPAY2-SHA256-RSA2048 mchid=\"1900007291\",nonce_str=\"C0FF"
	"EE00C0FFEE00C0FFEE00C0FFEE00\",timestamp=\"1764554430\",serial_"
	"no=\"408B07E79B8269FEC3D5D3E6AB8ED163A6A380DB\",signature=\"Kgf"
	"7D1wNzLNCuG0IdJ9ZbSwd6mzRGqgz9c9sFSA8U5PChKx/BFc/EPTE4BGwU+u"
	"dd87pl7eD0PMXnA5UrYVF1apHmdHQEwIAbzePQYvq4slRr+IbMgQ7caRqUKL"
	"S9gMefxIU3ziNcX3FX2qho2u9uHzDQQMhZFDISnxifHMPJMnd4u7Bzx/3ci8"
	"WoDrbv78mtA+0vKjRU6cQm8e6HIXWAnX10JHHE1ZOovVFxNEALpQYqRr0uMr"
	"8lyASSKzjEgxRsbxZCfqXnAELqRzWhlyUisVRZqBAzbb1dRjkg0GR4px/EgM"
	"7mRLx6P8Xe9DucsRyjERrVOd9IG1kNf6CkQ7qXw==\"";

/* V3-6 POST /v3/refund/domestic/refunds, full void of V3-4 */
static const char V3_6_REQ[] = "POST /v3/refund/domestic/refunds";
static const char V3_6_BODY[] =
	"{\"out_trade_no\":\"QT01202612010011\",\"out_refund_no\":\"RQT01202"
	"612010011\",\"reason\":\"整单作废\",\"amount\":{\"refund\":1000,\"total\":1"
	"000,\"currency\":\"CNY\"}}";
static const char V3_6_TS[] = "1764558000";
static const char V3_6_NONCE[] = "1A2B3C4D5E6F70819203A4B5C6D7E8F9";
static const char V3_6_SHA[] = "16d650722500626960f4acf2dc95eb426eed1aa419c5f4e5b0deb07a117f7e24";
static const char V3_6_AUTH[] =
	"WECHATPAY2-SHA256-RSA2048 mchid=\"1900007291\",nonce_str=\"1A2B"
	"3C4D5E6F70819203A4B5C6D7E8F9\",timestamp=\"1764558000\",serial_"
	"no=\"408B07E79B8269FEC3D5D3E6AB8ED163A6A380DB\",signature=\"a/A"
	"z5E2lInopFqTdfZFwLx1XUFjVXGA6bcyrw8X+eAstuSrx6tMz8Ku63Hk+Boi"
	"B25VVH7WXm7OZ7YR2QGKA0mq0IWHctZdoUCsQh8E+QJ5lCCuR1Lf+SinByIB"
	"yx789d0Wyl9tYGdcWAdhm9XYzpwJLSSojZUUw9sYntP9Ua83EfcDXZCVOplm"
	"ySnY6US9p1lxEZxRVCXB6mUr0NxPPj5rnUxMkARv2xtTsGOC4ZGAp+QAZWma"
	"O0eYfDuNwt5dMSP8xyGQhuYZiDfNqKS4l+uP2tUd+UnEGDO3PQ33L7jcJ8Ao"
	"jESmS+3g1jl0iiGxu4OG9W5kX4nSEjit2avwDBQ==\"";

#endif
