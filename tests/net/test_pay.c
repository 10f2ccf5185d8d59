/*
 * test_pay.c — the payment protocol layer without a network: every v2 and
 * v3 vector of wechatpay-codepay.md (Appendix A and B) byte for byte, the
 * answers read into enums and fen, the APIv2 XML reader's refusals and
 * the err_code table (the state machine: test_paysm.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "crypto/crypto.h"
#include "crypto/wxsign.h"
#include "net/http.h"
#include "net/pay.h"
#include "net/payxml.h"
#include "net/wxpay.h"
#include "util/err.h"
#include "util/xmem.h"

#include "pay_vectors.h"
#include "vectors.h"

#define V2KEY "192006250b4c09247ec02edce69f6a2d"
#define V3_MCHID "1900007291"
#define V3_SERIAL "408B07E79B8269FEC3D5D3E6AB8ED163A6A380DB"
#define V3_APPID "wxd678efh567hg6787"
#define PKID "PUB_KEY_ID_0119000072912025010100000000000001"

static int64_t fake_now;

static int64_t
clock_fn(void)
{
	return fake_now;
}

/* ---- APIv2 signing ---------------------------------------------------- */

static void
test_v2_official_sign_example(void **state)
{
	struct payxml x;
	char s[PAYXML_SIGN_MAX];

	(void)state;
	memset(&x, 0, sizeof x);
	assert_int_equal(payxml_add(&x, "appid", "wxd930ea5d5a258f4f"), 0);
	assert_int_equal(payxml_add(&x, "mch_id", "10000100"), 0);
	assert_int_equal(payxml_add(&x, "device_info", "1000"), 0);
	assert_int_equal(payxml_add(&x, "body", "test"), 0);
	assert_int_equal(payxml_add(&x, "nonce_str", "ibuaiVcKdpRxkhJA"), 0);
	assert_int_equal(payxml_add(&x, "empty", ""), 0); /* not signed */
	assert_int_equal(payxml_sign(&x, V2KEY, PAYXML_SIGN_MD5, s), 0);
	assert_string_equal(s, "9A0A8659F005D6984697E2CA0A9CF3B7");
	assert_int_equal(payxml_sign(&x, V2KEY, PAYXML_SIGN_HMAC_SHA256, s),
	    0);
	assert_string_equal(s, "6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30"
	    "B23E0EE2496E54170DACD6");
	payxml_free(&x);
}

/* Every Appendix A vector: parsed, its stringSignTemp and sign
 * reproduced, and written back byte for byte. */
static void
test_v2_vectors_parse_sign_roundtrip(void **state)
{
	size_t i, len;

	(void)state;
	assert_int_equal(NV2, 11);
	for (i = 0; i < NV2; i++) {
		struct payxml x;
		char *cause = NULL, *sst, *out;
		char s[PAYXML_SIGN_MAX];

		memset(&x, 0, sizeof x);
		assert_int_equal(payxml_parse(V2[i].body, strlen(V2[i].body),
		    &x, &cause), 0);
		sst = payxml_sign_string(&x, V2KEY);
		assert_string_equal(sst, V2[i].sign_string);
		free(sst);
		assert_int_equal(payxml_sign(&x, V2KEY, V2[i].hmac ?
		    PAYXML_SIGN_HMAC_SHA256 : PAYXML_SIGN_MD5, s), 0);
		assert_string_equal(s, V2[i].sign);
		assert_string_equal(payxml_get(&x, "sign"), V2[i].sign);
		assert_int_equal(payxml_verify(&x, V2KEY, V2[i].hmac ?
		    PAYXML_SIGN_HMAC_SHA256 : PAYXML_SIGN_MD5), 0);
		/* the other algorithm does not verify */
		assert_int_equal(payxml_verify(&x, V2KEY, V2[i].hmac ?
		    PAYXML_SIGN_MD5 : PAYXML_SIGN_HMAC_SHA256), QUAN_EPROTO);
		out = payxml_write(&x, &len);
		assert_string_equal(out, V2[i].body);
		assert_int_equal(len, strlen(V2[i].body));
		free(out);
		payxml_free(&x);
	}
}

static const struct pay_order v2_order = {
	.out_trade_no = "QT01202612010001",
	.auth_code = "134567890123456789",
	.description = "quan测试店-上海-商品",
	.total_fen = 1000,
	.goods_tag = "WXG",
	.device_id = "POS01",
	.device_ip = "192.168.1.20",
	.attach = "lane=1",
};

static char *
v2_pay_request(int md5, const char *nonce)
{
	struct payxml x;
	char *b;

	memset(&x, 0, sizeof x);
	assert_int_equal(pay_v2_pay_fields("wx2421b1c4370ec43b", "10000100",
	    &v2_order, &x), 0);
	b = pay_v2_seal(&x, V2KEY, md5, nonce, NULL);
	payxml_free(&x);
	return b;
}

static void
test_v2_requests_byte_exact(void **state)
{
	struct payxml x;
	char *b;

	(void)state;
	b = v2_pay_request(1, "5K8264ILTKCH16CQ2502SI8ZNMTM67VS");
	assert_string_equal(b, V2[0].body);  /* V2-1, MD5 */
	free(b);
	b = v2_pay_request(0, "ibuaiVcKdpRxkhJA");
	assert_string_equal(b, V2[1].body);  /* V2-2, HMAC-SHA256 */
	free(b);
	memset(&x, 0, sizeof x);
	assert_int_equal(pay_v2_order_fields("wx2421b1c4370ec43b", "10000100",
	    "QT01202612010001", &x), 0);
	b = pay_v2_seal(&x, V2KEY, 0, "ec2316275641faa3aacf3cc599e8730f",
	    NULL);
	assert_string_equal(b, V2[3].body);  /* V2-4 orderquery */
	free(b);
	payxml_free(&x);
	assert_int_equal(pay_v2_order_fields("wx2421b1c4370ec43b", "10000100",
	    "QT01202612010003", &x), 0);
	b = pay_v2_seal(&x, V2KEY, 0, "b7ffb16a7150cf08639db472c5f5bdae",
	    NULL);
	assert_string_equal(b, V2[7].body);  /* V2-8 reverse */
	free(b);
	payxml_free(&x);
	/* a fresh nonce each time when none is given: 32 hex chars */
	b = v2_pay_request(0, NULL);
	assert_int_equal(payxml_parse(b, strlen(b), &x, NULL), 0);
	assert_int_equal(strlen(payxml_get(&x, "nonce_str")), 32);
	assert_int_equal(payxml_verify(&x, V2KEY, PAYXML_SIGN_HMAC_SHA256),
	    0);
	payxml_free(&x);
	free(b);
	/* bad orders are refused */
	{
		struct pay_order o = v2_order;

		o.out_trade_no = "QT 1";
		assert_int_equal(pay_v2_pay_fields("wx", "1", &o, &x),
		    QUAN_EINVAL);
		payxml_free(&x);
		o = v2_order;
		o.total_fen = 0;
		assert_int_equal(pay_v2_pay_fields("wx", "1", &o, &x),
		    QUAN_EINVAL);
		payxml_free(&x);
		o = v2_order;
		o.device_ip = NULL;
		assert_int_equal(pay_v2_pay_fields("wx", "1", &o, &x),
		    QUAN_EINVAL);
		payxml_free(&x);
	}
}

static void
v2_answer(enum pay_op op, const char *body, struct pay_answer *a)
{
	pay_v2_answer(op, body, strlen(body), V2KEY, 0, "10000100", a);
}

static void
test_v2_answers(void **state)
{
	struct pay_answer a;
	char *t;

	(void)state;
	/* V2-3: micropay USERPAYING */
	v2_answer(PAY_OP_PAY, V2[2].body, &a);
	assert_int_equal(a.rc, 0);
	assert_true(a.trusted);
	assert_int_equal(a.err, PAY_E_USERPAYING);
	assert_int_equal(pay_err_class(a.err), PAY_EC_UNKNOWN);
	assert_string_equal(a.text, "需要用户输入支付密码");
	assert_false(pay_answer_paid(&a));
	/* V2-5: orderquery SUCCESS with CASH 300 + NO_CASH 200 */
	v2_answer(PAY_OP_QUERY, V2[4].body, &a);
	assert_true(pay_answer_paid(&a));
	assert_string_equal(a.transaction_id, "4200001234202612011234567890");
	assert_string_equal(a.out_trade_no, "QT01202612010001");
	assert_int_equal(a.total_fen, 1000);
	assert_int_equal(a.payer_fen, 500);
	assert_int_equal(a.voucher_fen, 500);
	assert_int_equal(a.settlement_fen, 800);
	assert_int_equal(a.nv, 2);
	assert_string_equal(a.v[0].id, "10000");
	assert_int_equal(a.v[0].type, PAY_VT_PREFUNDED);
	assert_int_equal(a.v[0].amount_fen, 300);
	assert_string_equal(a.v[1].id, "10001");
	assert_int_equal(a.v[1].type, PAY_VT_NOCASH);
	assert_int_equal(a.v[1].amount_fen, 200);
	/* V2-7: micropay version=1.0 with a promotion_detail JSON string */
	v2_answer(PAY_OP_PAY, V2[6].body, &a);
	assert_true(pay_answer_paid(&a));
	assert_int_equal(a.total_fen, 1000);
	assert_int_equal(a.payer_fen, 995);
	assert_int_equal(a.voucher_fen, 5);
	assert_int_equal(a.settlement_fen, 995);
	assert_int_equal(a.nv, 1);
	assert_string_equal(a.v[0].id, "109519");
	assert_string_equal(a.v[0].name, "单品惠-6");
	assert_string_equal(a.v[0].stock_id, "931386");
	assert_int_equal(a.v[0].type, PAY_VT_NOCASH);
	assert_true(a.v[0].single);
	assert_int_equal(a.v[0].merchant_fen, 5);
	/* V2-9: reverse done, recall=N */
	v2_answer(PAY_OP_REVERSE, V2[8].body, &a);
	assert_true(a.trusted);
	assert_int_equal(a.err, PAY_E_NONE);
	assert_int_equal(a.recall, 0);
	/* a tampered answer never counts as paid */
	t = xstrdup(V2[4].body);
	memcpy(strstr(t, "<total_fee>1000") + 11, "9000", 4);
	v2_answer(PAY_OP_QUERY, t, &a);
	assert_false(pay_answer_paid(&a));
	assert_false(a.trusted);
	assert_int_equal(a.err, PAY_E_BAD_REPLY);
	free(t);
	/* signed with another key; MD5 where HMAC was asked */
	pay_v2_answer(PAY_OP_QUERY, V2[4].body, strlen(V2[4].body),
	    "00000000000000000000000000000000", 0, NULL, &a);
	assert_false(pay_answer_paid(&a));
	pay_v2_answer(PAY_OP_QUERY, V2[4].body, strlen(V2[4].body), V2KEY, 1,
	    NULL, &a);
	assert_false(pay_answer_paid(&a));
	/* another merchant's answer */
	pay_v2_answer(PAY_OP_QUERY, V2[4].body, strlen(V2[4].body), V2KEY, 0,
	    "10000999", &a);
	assert_false(pay_answer_paid(&a));
	/* no sign at all */
	t = xstrdup(V2[4].body);
	*strstr(t, "<sign>") = '\0';
	{
		char *u = xasprintf("%s</xml>", t);

		v2_answer(PAY_OP_QUERY, u, &a);
		assert_false(a.trusted);
		assert_int_equal(a.err, PAY_E_BAD_REPLY);
		free(u);
	}
	free(t);
	/* return_code=FAIL (unsigned): a protocol refusal to confirm */
	v2_answer(PAY_OP_PAY, "<xml><return_code><![CDATA[FAIL]]>"
	    "</return_code><return_msg><![CDATA[签名错误]]></return_msg>"
	    "</xml>", &a);
	assert_int_equal(a.err, PAY_E_RETURN_FAIL);
	assert_int_equal(pay_err_class(a.err), PAY_EC_CONFIRM);
	assert_false(pay_answer_paid(&a));
	assert_string_equal(a.text, "签名错误");
	/* not XML */
	v2_answer(PAY_OP_PAY, "{\"return_code\":\"SUCCESS\"}", &a);
	assert_int_equal(a.rc, QUAN_EPROTO);
}

/* A signed business failure for every micropay err_code of §4.3. */
static void
test_v2_err_codes_signed(void **state)
{
	static const struct {
		const char *code;
		enum pay_err err;
		enum pay_err_class cls;
	} rows[] = {
		{ "SYSTEMERROR", PAY_E_SYSTEMERROR, PAY_EC_UNKNOWN },
		{ "BANKERROR", PAY_E_BANKERROR, PAY_EC_UNKNOWN },
		{ "USERPAYING", PAY_E_USERPAYING, PAY_EC_UNKNOWN },
		{ "ORDERPAID", PAY_E_ORDERPAID, PAY_EC_UNKNOWN },
		{ "AUTHCODEEXPIRE", PAY_E_AUTHCODEEXPIRE, PAY_EC_FAILED },
		{ "AUTH_CODE_ERROR", PAY_E_AUTH_CODE_ERROR, PAY_EC_FAILED },
		{ "AUTH_CODE_INVALID", PAY_E_AUTH_CODE_INVALID,
		    PAY_EC_FAILED },
		{ "NOTENOUGH", PAY_E_NOTENOUGH, PAY_EC_FAILED },
		{ "NOTSUPORTCARD", PAY_E_NOTSUPORTCARD, PAY_EC_FAILED },
		{ "ORDERCLOSED", PAY_E_ORDERCLOSED, PAY_EC_FAILED },
		{ "ORDERREVERSED", PAY_E_ORDERREVERSED, PAY_EC_FAILED },
		{ "BUYER_MISMATCH", PAY_E_BUYER_MISMATCH, PAY_EC_FAILED },
		{ "TRADE_ERROR", PAY_E_TRADE_ERROR, PAY_EC_FAILED },
		{ "NOAUTH", PAY_E_NOAUTH, PAY_EC_CONFIG },
		{ "OUT_TRADE_NO_USED", PAY_E_OUT_TRADE_NO_USED,
		    PAY_EC_UNKNOWN },
		{ "PARAM_ERROR", PAY_E_PARAM_ERROR, PAY_EC_CONFIG },
		{ "LACK_PARAMS", PAY_E_LACK_PARAMS, PAY_EC_CONFIG },
		{ "XML_FORMAT_ERROR", PAY_E_XML_FORMAT_ERROR, PAY_EC_CONFIG },
		{ "REQUIRE_POST_METHOD", PAY_E_REQUIRE_POST_METHOD,
		    PAY_EC_CONFIG },
		{ "NOT_UTF8", PAY_E_NOT_UTF8, PAY_EC_CONFIG },
		{ "SIGNERROR", PAY_E_SIGNERROR, PAY_EC_CONFIG },
		{ "APPID_NOT_EXIST", PAY_E_APPID_NOT_EXIST, PAY_EC_CONFIG },
		{ "MCHID_NOT_EXIST", PAY_E_MCHID_NOT_EXIST, PAY_EC_CONFIG },
		{ "APPID_MCHID_NOT_MATCH", PAY_E_APPID_MCHID_NOT_MATCH,
		    PAY_EC_CONFIG },
		{ "INVALID_REQUEST", PAY_E_INVALID_REQUEST, PAY_EC_CONFIRM },
		{ "ORDERNOTEXIST", PAY_E_ORDERNOTEXIST, PAY_EC_UNKNOWN },
		{ "INVALID_TRANSACTIONID", PAY_E_INVALID_TRANSACTIONID,
		    PAY_EC_CONFIG },
		{ "REVERSE_EXPIRE", PAY_E_REVERSE_EXPIRE, PAY_EC_FAILED },
		{ "SOMETHING_NEW", PAY_E_OTHER, PAY_EC_FAILED },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct payxml x;
		struct pay_answer a;
		char s[PAYXML_SIGN_MAX], *b;

		memset(&x, 0, sizeof x);
		payxml_add(&x, "return_code", "SUCCESS");
		payxml_add(&x, "return_msg", "OK");
		payxml_add(&x, "mch_id", "10000100");
		payxml_add(&x, "nonce_str", "n0");
		payxml_add(&x, "result_code", "FAIL");
		payxml_add(&x, "err_code", rows[i].code);
		payxml_add(&x, "err_code_des", "说明 & <details>");
		assert_int_equal(payxml_sign(&x, V2KEY,
		    PAYXML_SIGN_HMAC_SHA256, s), 0);
		payxml_add(&x, "sign", s);
		b = payxml_write(&x, NULL);
		v2_answer(PAY_OP_PAY, b, &a);
		assert_int_equal(a.rc, 0);
		assert_true(a.trusted);
		assert_int_equal(a.err, rows[i].err);
		assert_int_equal(pay_err_class(a.err), rows[i].cls);
		assert_false(pay_answer_paid(&a));
		assert_string_equal(a.text, "说明 & <details>");
		if (rows[i].err != PAY_E_OTHER)
			assert_string_equal(pay_err_name(a.err), rows[i].code);
		free(b);
		payxml_free(&x);
	}
	/* the v3 spellings share the enums */
	assert_int_equal(pay_err_parse("NOT_ENOUGH"), PAY_E_NOTENOUGH);
	assert_int_equal(pay_err_parse("SYSTEM_ERROR"), PAY_E_SYSTEMERROR);
	assert_int_equal(pay_err_parse("ORDER_NOT_EXIST"),
	    PAY_E_ORDERNOTEXIST);
	assert_int_equal(pay_err_parse("NO_AUTH"), PAY_E_NOAUTH);
	assert_int_equal(pay_err_parse("RULE_LIMIT"), PAY_E_RULE_LIMIT);
	assert_int_equal(pay_err_parse("ACCOUNT_ERROR"), PAY_E_ACCOUNT_ERROR);
	assert_int_equal(pay_err_parse("FREQUENCY_LIMITED"),
	    PAY_E_FREQUENCY_LIMITED);
	assert_int_equal(pay_err_parse("net"), PAY_E_OTHER); /* ours */
	assert_int_equal(pay_err_parse(""), PAY_E_NONE);
}

/* ---- the XML reader --------------------------------------------------- */

static void
test_xml_refusals(void **state)
{
	static const char *const bad[] = {
		("<?xml version=\"1.0\"?><!DOCTYPE xml [<!ENTITY x SYSTEM "
		"\"file:///etc/passwd\">]><xml><a>&x;</a></xml>"),
		"<!DOCTYPE xml><xml></xml>",
		"<xml><a>&x;</a></xml>",            /* general entity */
		"<xml><a>&#0;</a></xml>",           /* NUL reference */
		"<xml><a>&#xD800;</a></xml>",       /* surrogate */
		"<xml><a>&#99999999;</a></xml>",
		"<xml><a>&amp</a></xml>",
		"<xml><a><b>1</b></a></xml>",       /* nested */
		"<xml><a x=\"1\">1</a></xml>",      /* attribute */
		"<xml a=\"1\"><a>1</a></xml>",
		"<xml><!-- c --><a>1</a></xml>",    /* comment */
		"<xml><?pi x?><a>1</a></xml>",
		"<xml><a>1</a><a>2</a></xml>",      /* duplicate */
		"<xml><a>1</b></xml>",
		"<xml><a>1</a>",                    /* unterminated */
		"<xml><a><![CDATA[1</a></xml>",
		"<xml><a>1</a></xml><xml></xml>",   /* trailing */
		"<root><a>1</a></root>",
		"<xml><a>\x01</a></xml>",           /* control */
		"<xml><a>\xff\xfe</a></xml>",       /* not UTF-8 */
		"<xml><a b>1</a></xml>",
		"<xml><>1</></xml>",
		"",
	};
	struct payxml x;
	size_t i;
	char *big, *cause = NULL;

	(void)state;
	memset(&x, 0, sizeof x);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(payxml_parse(bad[i], strlen(bad[i]), &x,
		    &cause), QUAN_EINVAL);
		assert_non_null(cause);
		assert_int_equal(x.n, 0);
	}
	free(cause);
	/* a NUL byte inside */
	assert_int_equal(payxml_parse("<xml><a>1\0</a></xml>", 20, &x, NULL),
	    QUAN_EINVAL);
	/* size and field caps */
	big = xmalloc(PAYXML_MAX_BYTES + 64);
	memset(big, ' ', PAYXML_MAX_BYTES + 63);
	memcpy(big, "<xml>", 5);
	memcpy(big + PAYXML_MAX_BYTES + 57, "</xml>", 6);
	assert_int_equal(payxml_parse(big, PAYXML_MAX_BYTES + 63, &x, NULL),
	    QUAN_EINVAL);
	{
		struct buf b;

		buf_init(&b, 1 << 20);
		buf_adds(&b, "<xml>");
		for (i = 0; i <= PAYXML_MAX_FIELDS; i++)
			buf_printf(&b, "<f%zu>1</f%zu>", i, i);
		buf_adds(&b, "</xml>");
		assert_int_equal(payxml_parse(b.b, b.len, &x, NULL),
		    QUAN_EINVAL);
		buf_free(&b);
	}
	free(big);
}

static void
test_xml_accepts(void **state)
{
	static const char doc[] = "\xEF\xBB\xBF<?xml version=\"1.0\" "
	    "encoding=\"UTF-8\"?>\n<xml>\n  <a>x &amp; y &lt;z&gt; &#20013;"
	    "&#x6587;</a>\n  <b><![CDATA[<raw>&amp;]]></b>\n  <c/>\n"
	    "  <d><![CDATA[p]]>q<![CDATA[r]]></d>\n</xml>\n";
	struct payxml x, y;
	char *out;

	(void)state;
	memset(&x, 0, sizeof x);
	memset(&y, 0, sizeof y);
	assert_int_equal(payxml_parse(doc, strlen(doc), &x, NULL), 0);
	assert_int_equal(x.n, 4);
	assert_string_equal(payxml_get(&x, "a"), "x & y <z> 中文");
	assert_string_equal(payxml_get(&x, "b"), "<raw>&amp;");
	assert_string_equal(payxml_get(&x, "c"), "");
	assert_string_equal(payxml_get(&x, "d"), "pqr");
	assert_null(payxml_get(&x, "e"));
	/* the writer round-trips anything, "]]>" included */
	payxml_free(&x);
	assert_int_equal(payxml_add(&x, "k", "a]]>b]]>"), 0);
	assert_int_equal(payxml_add_int(&x, "n", 42), 0);
	assert_int_equal(payxml_add(&x, "k", "dup"), QUAN_EINVAL);
	assert_int_equal(payxml_add(&x, "bad name", "v"), QUAN_EINVAL);
	assert_int_equal(payxml_add(&x, "c", "\x02"), QUAN_EINVAL);
	out = payxml_write(&x, NULL);
	assert_int_equal(payxml_parse(out, strlen(out), &y, NULL), 0);
	assert_string_equal(payxml_get(&y, "k"), "a]]>b]]>");
	assert_string_equal(payxml_get(&y, "n"), "42");
	assert_non_null(strstr(out, "<n>42</n>"));
	free(out);
	payxml_free(&x);
	payxml_free(&y);
}

/* ---- APIv3 ------------------------------------------------------------ */

static const struct pay_order v3_order = {
	.out_trade_no = "QT01202612010011",
	.auth_code = "134567890123456789",
	.description = "quan测试店-上海-商品",
	.total_fen = 1000,
	.goods_tag = "WXG",
	.device_id = "POS01",
	.device_ip = "192.168.1.20",
	.store_id = "SH001",
};

static void
auth_equal(const char *method, const char *url, const char *body,
    const char *ts, const char *nonce, const char *want)
{
	struct wx_key *k = NULL;
	char *auth = NULL, *msg;
	size_t n;

	assert_int_equal(wx_key_load_pem(DOC_KEY, strlen(DOC_KEY), &k, NULL),
	    0);
	assert_int_equal(wx_auth_header(k, V3_MCHID, V3_SERIAL, method, url,
	    body, strlen(body), ts, nonce, &auth), 0);
	assert_string_equal(auth, want);
	msg = wx_req_message(method, url, ts, nonce, body, strlen(body), &n);
	assert_non_null(msg);
	free(msg);
	free(auth);
	wx_key_free(k);
}

static void
test_v3_requests_byte_exact(void **state)
{
	char *b;

	(void)state;
	b = pay_v3_pay_body(V3_APPID, V3_MCHID, &v3_order);
	assert_non_null(b);
	assert_string_equal(b, V3_1_BODY);
	assert_int_equal(strlen(b), 325);
	auth_equal("POST", "/v3/pay/transactions/codepay", b, V3_1_TS,
	    V3_1_NONCE, V3_1_AUTH);
	free(b);
	assert_string_equal(V3_3_BODY, "");
	auth_equal("GET", "/v3/pay/transactions/out-trade-no/"
	    "QT01202612010011?mchid=1900007291", "", V3_3_TS, V3_3_NONCE,
	    V3_3_AUTH);
	b = pay_v3_reverse_body(V3_APPID, V3_MCHID);
	assert_string_equal(b, V3_5_BODY);
	auth_equal("POST", "/v3/pay/transactions/out-trade-no/"
	    "QT01202612010012/reverse", b, V3_5_TS, V3_5_NONCE, V3_5_AUTH);
	free(b);
	/* V3-6 (refund) is the same signer: check it too */
	auth_equal("POST", "/v3/refund/domestic/refunds", V3_6_BODY, V3_6_TS,
	    V3_6_NONCE, V3_6_AUTH);
	{
		struct pay_order o = v3_order;

		o.total_fen = 0;
		assert_null(pay_v3_pay_body(V3_APPID, V3_MCHID, &o));
		o = v3_order;
		o.out_trade_no = "x/y";
		assert_null(pay_v3_pay_body(V3_APPID, V3_MCHID, &o));
	}
}

struct v3env {
	char dir[64];
	struct wxpay_ctx *ctx;
};

static void
put_file(const char *dir, const char *name, const char *text, mode_t mode)
{
	char *p = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(p, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(p, mode);
	free(p);
}

static int
v3_setup(void **state)
{
	struct v3env *e = xcalloc(1, sizeof *e);
	struct wxpay_cfg cfg;
	char *k, *pub;

	snprintf(e->dir, sizeof e->dir, "/tmp/test_pay.XXXXXX");
	if (mkdtemp(e->dir) == NULL)
		return -1;
	put_file(e->dir, "key.pem", DOC_KEY, 0600);
	put_file(e->dir, "pub.pem", GO_PUB, 0644);
	k = xasprintf("%s/key.pem", e->dir);
	pub = xasprintf("%s/pub.pem", e->dir);
	memset(&cfg, 0, sizeof cfg);
	cfg.base_url = "https://127.0.0.1:1";
	cfg.mchid = V3_MCHID;
	cfg.merchant_serial = V3_SERIAL;
	cfg.private_key = k;
	cfg.public_key_id = PKID;
	cfg.public_key = pub;
	if (wxpay_ctx_new(&cfg, &e->ctx, NULL) != 0)
		return -1;
	wxpay_ctx_set_clock(e->ctx, clock_fn);
	free(k);
	free(pub);
	*state = e;
	return 0;
}

static int
v3_teardown(void **state)
{
	struct v3env *e = *state;
	char *p;

	wxpay_ctx_free(e->ctx);
	p = xasprintf("%s/key.pem", e->dir);
	unlink(p);
	free(p);
	p = xasprintf("%s/pub.pem", e->dir);
	unlink(p);
	free(p);
	rmdir(e->dir);
	free(e);
	return 0;
}

static void
hdr(struct http_resp *r, const char *n, const char *v)
{
	r->hdr[r->nhdr].name = xstrdup(n);
	r->hdr[r->nhdr].value = xstrdup(v);
	r->nhdr++;
}

/* A WeChat answer as received: status, body and the signature headers. */
static void
v3_received(struct v3env *e, enum pay_op op, long status, const char *body,
    const char *ts, const char *nonce, const char *sig,
    struct pay_answer *a)
{
	struct http_resp r;
	struct wxpay_result res;

	http_resp_init(&r);
	r.status = status;
	buf_add(&r.body, body, strlen(body));
	hdr(&r, "Wechatpay-Serial", PKID);
	hdr(&r, "Wechatpay-Timestamp", ts);
	hdr(&r, "Wechatpay-Nonce", nonce);
	hdr(&r, "Wechatpay-Signature", sig);
	wxpay_result_init(&res);
	fake_now = strtoll(ts, NULL, 10);
	wxpay_process(e->ctx, &r, NULL, &res);
	pay_v3_answer(op, &res, a);
	wxpay_result_free(&res);
	http_resp_free(&r);
}

static void
test_v3_answers(void **state)
{
	struct v3env *e = *state;
	struct pay_answer a;
	char *t;

	/* V3-2: 202 while the customer types the password */
	v3_received(e, PAY_OP_PAY, 202, V3_2_BODY, V3_2_TS, V3_2_NONCE,
	    V3_2_SIG, &a);
	assert_int_equal(a.rc, 0);
	assert_true(a.trusted);
	assert_int_equal(a.http, 202);
	assert_int_equal(a.trade, PAY_TS_USERPAYING);
	assert_int_equal(a.err, PAY_E_USERPAYING);
	assert_false(pay_answer_paid(&a));
	/* V3-4: query, paid with one NOCASH voucher */
	v3_received(e, PAY_OP_QUERY, 200, V3_4_BODY, V3_4_TS, V3_4_NONCE,
	    V3_4_SIG, &a);
	assert_true(pay_answer_paid(&a));
	assert_string_equal(a.transaction_id, "4200001234202612011234567899");
	assert_string_equal(a.openid, "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o");
	assert_string_equal(a.time, "2026-12-01T10:00:05+08:00");
	assert_int_equal(a.total_fen, 1000);
	assert_int_equal(a.payer_fen, 800);
	assert_int_equal(a.voucher_fen, 200);
	assert_int_equal(a.settlement_fen, 800);
	assert_int_equal(a.nv, 1);
	assert_string_equal(a.v[0].id, "109519");
	assert_string_equal(a.v[0].name, "满10减2");
	assert_string_equal(a.v[0].stock_id, "931386");
	assert_int_equal(a.v[0].type, PAY_VT_NOCASH);
	assert_false(a.v[0].single);
	assert_int_equal(a.v[0].amount_fen, 200);
	assert_int_equal(a.v[0].merchant_fen, 200);
	assert_int_equal(a.v[0].wechatpay_fen, 0);
	/* the same body with one byte changed: not trusted, not paid */
	t = xstrdup(V3_4_BODY);
	*strstr(t, "800") = '1';
	v3_received(e, PAY_OP_QUERY, 200, t, V3_4_TS, V3_4_NONCE, V3_4_SIG,
	    &a);
	assert_false(pay_answer_paid(&a));
	assert_int_equal(a.rc, QUAN_EPROTO);
	assert_int_equal(a.err, PAY_E_BAD_REPLY);
	free(t);
	/* a stale timestamp (the vector replayed an hour later) */
	{
		struct http_resp r;
		struct wxpay_result res;

		http_resp_init(&r);
		r.status = 200;
		buf_add(&r.body, V3_4_BODY, strlen(V3_4_BODY));
		hdr(&r, "Wechatpay-Serial", PKID);
		hdr(&r, "Wechatpay-Timestamp", V3_4_TS);
		hdr(&r, "Wechatpay-Nonce", V3_4_NONCE);
		hdr(&r, "Wechatpay-Signature", V3_4_SIG);
		wxpay_result_init(&res);
		fake_now = strtoll(V3_4_TS, NULL, 10) + 3600;
		wxpay_process(e->ctx, &r, NULL, &res);
		pay_v3_answer(PAY_OP_QUERY, &res, &a);
		assert_false(pay_answer_paid(&a));
		wxpay_result_free(&res);
		http_resp_free(&r);
	}
}

/* v3 results as wxpay hands them over: errors by status and code. */
static void
test_v3_error_answers(void **state)
{
	static const struct {
		long http;
		const char *code;
		enum pay_err err;
	} rows[] = {
		{ 500, "SYSTEM_ERROR", PAY_E_SYSTEMERROR },
		{ 503, "", PAY_E_SYSTEMERROR },
		{ 429, "", PAY_E_FREQUENCY_LIMITED },
		{ 403, "NOT_ENOUGH", PAY_E_NOTENOUGH },
		{ 403, "RULE_LIMIT", PAY_E_RULE_LIMIT },
		{ 403, "ACCOUNT_ERROR", PAY_E_ACCOUNT_ERROR },
		{ 403, "NO_AUTH", PAY_E_NOAUTH },
		{ 403, "TRADE_ERROR", PAY_E_TRADE_ERROR },
		{ 403, "OUT_TRADE_NO_USED", PAY_E_OUT_TRADE_NO_USED },
		{ 400, "ORDER_CLOSED", PAY_E_ORDERCLOSED },
		{ 400, "PARAM_ERROR", PAY_E_PARAM_ERROR },
		{ 400, "INVALID_REQUEST", PAY_E_INVALID_REQUEST },
		{ 400, "AUTH_CODE_INVALID", PAY_E_AUTH_CODE_INVALID },
		{ 401, "SIGN_ERROR", PAY_E_SIGNERROR },
		{ 404, "ORDER_NOT_EXIST", PAY_E_ORDERNOTEXIST },
		{ 418, "", PAY_E_HTTP },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct wxpay_result r;
		struct pay_answer a;

		wxpay_result_init(&r);
		r.http = rows[i].http;
		r.verified = 1;
		snprintf(r.code, sizeof r.code, "%s", rows[i].code);
		pay_v3_answer(PAY_OP_PAY, &r, &a);
		assert_int_equal(a.err, rows[i].err);
		assert_false(pay_answer_paid(&a));
	}
	{
		struct wxpay_result r;
		struct pay_answer a;

		/* no answer at all */
		wxpay_result_init(&r);
		r.rc = QUAN_ETIMEDOUT;
		pay_v3_answer(PAY_OP_PAY, &r, &a);
		assert_int_equal(a.err, PAY_E_NET);
		/* a 200 that was not verified is never paid */
		wxpay_result_init(&r);
		r.http = 200;
		r.body = xstrdup(V3_4_BODY);
		r.body_len = strlen(V3_4_BODY);
		pay_v3_answer(PAY_OP_QUERY, &r, &a);
		assert_false(pay_answer_paid(&a));
		assert_int_equal(a.err, PAY_E_BAD_REPLY);
		/* verified, but paid without a transaction id */
		free(r.body);
		r.verified = 1;
		r.body = xstrdup("{\"trade_state\":\"SUCCESS\","
		    "\"amount\":{\"total\":5}}");
		r.body_len = strlen(r.body);
		pay_v3_answer(PAY_OP_QUERY, &r, &a);
		assert_false(pay_answer_paid(&a));
		free(r.body);
		/* malformed promotion_detail */
		r.body = xstrdup("{\"trade_state\":\"SUCCESS\","
		    "\"transaction_id\":\"1\",\"amount\":{\"total\":5},"
		    "\"promotion_detail\":[{\"coupon_id\":\"1\","
		    "\"type\":\"WEIRD\",\"amount\":1}]}");
		r.body_len = strlen(r.body);
		pay_v3_answer(PAY_OP_QUERY, &r, &a);
		assert_false(pay_answer_paid(&a));
		free(r.body);
	}
}

/* pay_ctx_new refuses what would fail at the till: an APIv2 key others
 * can read or of the wrong length, v2 without its certificate, v3
 * without the [wechatpay] keys. */
static void
test_ctx_config(void **state)
{
	char d[64], *key, *open_key, *short_key, *cert, *cause = NULL;
	struct pay_cfg c;
	struct pay_ctx *x = NULL;

	(void)state;
	snprintf(d, sizeof d, "/tmp/test_pay_cfg.XXXXXX");
	assert_non_null(mkdtemp(d));
	put_file(d, "v2.key", V2KEY "\n", 0600);
	put_file(d, "open.key", V2KEY "\n", 0644);
	put_file(d, "short.key", "0123456789\n", 0600);
	put_file(d, "cert.pem", "x", 0644);
	key = xasprintf("%s/v2.key", d);
	open_key = xasprintf("%s/open.key", d);
	short_key = xasprintf("%s/short.key", d);
	cert = xasprintf("%s/cert.pem", d);
	memset(&c, 0, sizeof c);
	c.api = PAY_API_V2;
	c.appid = "wx2421b1c4370ec43b";
	c.mchid = "10000100";
	c.base_url = "https://127.0.0.1:1/";
	c.v2_key_file = key;
	c.client_cert = cert;
	c.client_key = key; /* any 0600 file will do for the check */
	assert_int_equal(pay_ctx_new(&c, &x, &cause), 0);
	assert_int_equal(pay_ctx_api(x), PAY_API_V2);
	pay_ctx_free(x);
	c.v2_key_file = open_key;
	assert_int_equal(pay_ctx_new(&c, &x, &cause), QUAN_EPERM);
	assert_non_null(strstr(cause, "chmod 600"));
	c.v2_key_file = short_key;
	assert_int_equal(pay_ctx_new(&c, &x, &cause), QUAN_EINVAL);
	assert_non_null(strstr(cause, "32 characters"));
	c.v2_key_file = key;
	c.client_cert = NULL;
	assert_int_equal(pay_ctx_new(&c, &x, &cause), QUAN_ECONFIG);
	c.api = PAY_API_V3;
	assert_int_equal(pay_ctx_new(&c, &x, &cause), QUAN_ECONFIG);
	c.appid = "";
	assert_int_equal(pay_ctx_new(&c, &x, &cause), QUAN_ECONFIG);
	assert_null(x);
	free(cause);
	unlink(key);
	unlink(open_key);
	unlink(short_key);
	unlink(cert);
	rmdir(d);
	free(key);
	free(open_key);
	free(short_key);
	free(cert);
}

static void
test_helpers(void **state)
{
	(void)state;
	assert_true(pay_is_auth_code("134567890123456789"));
	assert_true(pay_is_auth_code("150000000000000000"));
	assert_false(pay_is_auth_code("160000000000000000"));
	assert_false(pay_is_auth_code("13456789012345678"));
	assert_false(pay_is_auth_code("13456789012345678x"));
	assert_true(pay_out_trade_no_ok("QT01_2026-1"));
	assert_false(pay_out_trade_no_ok("QT01"));
	assert_false(pay_out_trade_no_ok("QT01202612010001QT01202612010001X"));
	assert_false(pay_out_trade_no_ok("QT01*2026"));
	assert_int_equal(pay_trade_parse("USERPAYING"), PAY_TS_USERPAYING);
	assert_int_equal(pay_trade_parse("WHATEVER"), PAY_TS_OTHER);
	assert_string_equal(pay_trade_name(PAY_TS_REVOKED), "REVOKED");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v2_official_sign_example),
		cmocka_unit_test(test_v2_vectors_parse_sign_roundtrip),
		cmocka_unit_test(test_v2_requests_byte_exact),
		cmocka_unit_test(test_v2_answers),
		cmocka_unit_test(test_v2_err_codes_signed),
		cmocka_unit_test(test_xml_refusals),
		cmocka_unit_test(test_xml_accepts),
		cmocka_unit_test(test_v3_requests_byte_exact),
		cmocka_unit_test_setup_teardown(test_v3_answers, v3_setup,
		    v3_teardown),
		cmocka_unit_test(test_v3_error_answers),
		cmocka_unit_test(test_ctx_config),
		cmocka_unit_test(test_helpers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
