/*
 * test_payrefund.c — refunds without a network: the doc's V2-10/V2-11
 * and V3-6 vectors byte for byte, answers of both APIs read into states
 * and fen, signatures checked (a changed byte is never "refunded"), every
 * documented refund err_code mapped to its enum and class, and bad
 * refund requests refused before anything is sent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "crypto/wxsign.h"
#include "net/pay.h"
#include "net/payxml.h"
#include "net/wxpay.h"
#include "util/err.h"
#include "util/xmem.h"

#include "pay_vectors.h"
#include "vectors.h"

#define V2KEY "192006250b4c09247ec02edce69f6a2d"
#define V2_APPID "wx2421b1c4370ec43b"
#define V2_MCHID "10000100"

static const struct pay_refund_req v2_void = {
	"QT01202612010001", "RQT01202612010001", 1000, 1000, "整单作废" };
static const struct pay_refund_req v3_void = {
	"QT01202612010011", "RQT01202612010011", 1000, 1000, "整单作废" };

static void
test_v2_refund_request_is_v2_10(void **state)
{
	struct payxml x;
	char *b;

	(void)state;
	memset(&x, 0, sizeof x);
	assert_int_equal(pay_v2_refund_fields(V2_APPID, V2_MCHID, &v2_void, 0,
	    &x), 0);
	b = pay_v2_seal(&x, V2KEY, 0, "6cefdb308e1e2e8aabd48cf79e546a02",
	    NULL);
	assert_string_equal(b, V2[9].body);
	free(b);
	payxml_free(&x);
	/* MD5: no sign_type field at all */
	assert_int_equal(pay_v2_refund_fields(V2_APPID, V2_MCHID, &v2_void, 1,
	    &x), 0);
	b = pay_v2_seal(&x, V2KEY, 1, "6cefdb308e1e2e8aabd48cf79e546a02",
	    NULL);
	assert_null(strstr(b, "sign_type"));
	free(b);
	payxml_free(&x);
}

static void
test_v2_refund_answer_v2_11(void **state)
{
	struct pay_refund_answer a;
	char *t;

	(void)state;
	pay_v2_refund_answer(0, V2[10].body, strlen(V2[10].body), V2KEY, 0,
	    V2_MCHID, &a);
	assert_int_equal(a.rc, 0);
	assert_true(a.trusted);
	assert_int_equal(a.err, PAY_E_NONE);
	/* accepted is not done: followed with refundquery */
	assert_int_equal(a.state, PAY_RS_PROCESSING);
	assert_string_equal(a.out_refund_no, "RQT01202612010001");
	assert_string_equal(a.refund_id, "50000000382019052709732678859");
	assert_string_equal(a.transaction_id, "4200001234202612011234567890");
	assert_int_equal(a.total_fen, 1000);
	assert_int_equal(a.refund_fen, 1000);
	assert_int_equal(a.settlement_refund_fen, 800);
	assert_int_equal(a.payer_refund_fen, 500);
	assert_int_equal(a.voucher_refund_fen, 500);
	/* one byte changed: not believed */
	t = xstrdup(V2[10].body);
	*strstr(t, "<refund_fee>1000") = '\0';
	memcpy(strstr(V2[10].body, "<refund_fee>1000") - V2[10].body + t,
	    "<refund_fee>1001", 16);
	pay_v2_refund_answer(0, t, strlen(t), V2KEY, 0, V2_MCHID, &a);
	assert_int_equal(a.rc, QUAN_EPROTO);
	assert_false(a.trusted);
	assert_int_equal(a.err, PAY_E_BAD_REPLY);
	assert_int_equal(a.state, PAY_RS_NONE);
	free(t);
	/* another merchant's answer */
	pay_v2_refund_answer(0, V2[10].body, strlen(V2[10].body), V2KEY, 0,
	    "10000200", &a);
	assert_int_equal(a.err, PAY_E_BAD_REPLY);
}

/* A v2 answer signed with the doc key (HMAC-SHA256). */
static char *
v2_signed(const char *const *kv)
{
	struct payxml x;
	char sign[PAYXML_SIGN_MAX], *b;

	memset(&x, 0, sizeof x);
	for (; *kv; kv += 2)
		assert_int_equal(payxml_add(&x, kv[0], kv[1]), 0);
	assert_int_equal(payxml_sign(&x, V2KEY, PAYXML_SIGN_HMAC_SHA256, sign),
	    0);
	assert_int_equal(payxml_add(&x, "sign", sign), 0);
	b = payxml_write(&x, NULL);
	payxml_free(&x);
	return b;
}

static void
test_v2_refund_error_codes(void **state)
{
	static const struct {
		const char *code;
		enum pay_err err;
		enum pay_err_class cls;
	} codes[] = {
		{ "SYSTEMERROR", PAY_E_SYSTEMERROR, PAY_EC_UNKNOWN },
		{ "BIZERR_NEED_RETRY", PAY_E_BIZERR_NEED_RETRY,
		    PAY_EC_UNKNOWN },
		{ "TRADE_OVERDUE", PAY_E_TRADE_OVERDUE, PAY_EC_FAILED },
		{ "ERROR", PAY_E_ERROR, PAY_EC_FAILED },
		{ "USER_ACCOUNT_ABNORMAL", PAY_E_USER_ACCOUNT_ABNORMAL,
		    PAY_EC_FAILED },
		{ "INVALID_REQ_TOO_MUCH", PAY_E_INVALID_REQ_TOO_MUCH,
		    PAY_EC_UNKNOWN },
		{ "NOTENOUGH", PAY_E_NOTENOUGH, PAY_EC_FAILED },
		{ "INVALID_TRANSACTIONID", PAY_E_INVALID_TRANSACTIONID,
		    PAY_EC_CONFIG },
		{ "PARAM_ERROR", PAY_E_PARAM_ERROR, PAY_EC_CONFIG },
		{ "APPID_NOT_EXIST", PAY_E_APPID_NOT_EXIST, PAY_EC_CONFIG },
		{ "MCHID_NOT_EXIST", PAY_E_MCHID_NOT_EXIST, PAY_EC_CONFIG },
		{ "REQUIRE_POST_METHOD", PAY_E_REQUIRE_POST_METHOD,
		    PAY_EC_CONFIG },
		{ "SIGNERROR", PAY_E_SIGNERROR, PAY_EC_CONFIG },
		{ "XML_FORMAT_ERROR", PAY_E_XML_FORMAT_ERROR, PAY_EC_CONFIG },
		{ "FREQUENCY_LIMITED", PAY_E_FREQUENCY_LIMITED,
		    PAY_EC_UNKNOWN },
		{ "REFUNDNOTEXIST", PAY_E_REFUNDNOTEXIST, PAY_EC_FAILED },
		{ "SOMETHING_NEW", PAY_E_OTHER, PAY_EC_FAILED },
	};
	struct pay_refund_answer a;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof codes / sizeof codes[0]; i++) {
		const char *kv[] = { "return_code", "SUCCESS", "appid",
		    V2_APPID, "mch_id", V2_MCHID, "nonce_str", "n1",
		    "result_code", "FAIL", "err_code", codes[i].code,
		    "err_code_des", "描述", NULL };
		char *b = v2_signed(kv);

		pay_v2_refund_answer(i % 2, b, strlen(b), V2KEY, 0, V2_MCHID,
		    &a);
		assert_int_equal(a.rc, 0);
		assert_true(a.trusted);
		if (a.err != codes[i].err)
			fail_msg("%s: got %s", codes[i].code,
			    pay_err_name(a.err));
		assert_int_equal(pay_err_class(a.err), codes[i].cls);
		assert_int_equal(a.state, PAY_RS_NONE);
		assert_string_equal(a.text, "描述");
		free(b);
	}
	/* return_code=FAIL: unsigned, a protocol refusal (nothing done) */
	{
		static const char fail[] = "<xml><return_code>FAIL"
		    "</return_code><return_msg>签名错误</return_msg></xml>";

		pay_v2_refund_answer(0, fail, sizeof fail - 1, V2KEY, 0,
		    V2_MCHID, &a);
	}
	assert_int_equal(a.err, PAY_E_RETURN_FAIL);
	assert_int_equal(a.state, PAY_RS_NONE);
	/* garbage and a DOCTYPE are refused */
	pay_v2_refund_answer(0, "<html>", 6, V2KEY, 0, V2_MCHID, &a);
	assert_int_equal(a.err, PAY_E_BAD_REPLY);
	pay_v2_refund_answer(0, "<!DOCTYPE x [<!ENTITY e \"x\">]><xml/>", 36,
	    V2KEY, 0, V2_MCHID, &a);
	assert_int_equal(a.err, PAY_E_BAD_REPLY);
}

static void
test_v2_refundquery(void **state)
{
	static const char *const states[][2] = {
		{ "SUCCESS", "1" }, { "PROCESSING", "2" },
		{ "REFUNDCLOSE", "3" }, { "CHANGE", "4" } };
	static const enum pay_refund_state want[] = {
		PAY_RS_SUCCESS, PAY_RS_PROCESSING, PAY_RS_CLOSED,
		PAY_RS_ABNORMAL };
	struct pay_refund_answer a;
	struct payxml x;
	char *b;
	size_t i;

	(void)state;
	memset(&x, 0, sizeof x);
	assert_int_equal(pay_v2_refundquery_fields(V2_APPID, V2_MCHID,
	    "RQT01202612010001", 0, &x), 0);
	/* the sign computed with the doc's Appendix C generator */
	b = pay_v2_seal(&x, V2KEY, 0, "abc", NULL);
	assert_string_equal(b, "<xml><appid><![CDATA[wx2421b1c4370ec43b]]>"
	    "</appid><mch_id><![CDATA[10000100]]></mch_id><nonce_str>"
	    "<![CDATA[abc]]></nonce_str><sign_type><![CDATA[HMAC-SHA256]]>"
	    "</sign_type><out_refund_no><![CDATA[RQT01202612010001]]>"
	    "</out_refund_no><sign><![CDATA[CAAA3C4B8C4E071845BCB22A46DC8C"
	    "B7B46168261BF49357E6A8A023A2FD6CE8]]></sign></xml>");
	free(b);
	payxml_free(&x);
	for (i = 0; i < 4; i++) {
		const char *kv[] = { "return_code", "SUCCESS", "appid",
		    V2_APPID, "mch_id", V2_MCHID, "nonce_str", states[i][1],
		    "result_code", "SUCCESS", "out_trade_no",
		    "QT01202612010001", "total_fee", "1000", "refund_count",
		    "1", "out_refund_no_0", "RQT01202612010001",
		    "refund_id_0", "5000000038", "refund_fee_0", "1000",
		    "coupon_refund_fee_0", "500", "refund_status_0",
		    states[i][0], "refund_success_time_0",
		    "2026-12-01 11:00:00", NULL };

		b = v2_signed(kv);
		pay_v2_refund_answer(1, b, strlen(b), V2KEY, 0, V2_MCHID, &a);
		assert_int_equal(a.rc, 0);
		assert_int_equal(a.err, PAY_E_NONE);
		assert_int_equal(a.state, want[i]);
		assert_int_equal(a.refund_fen, 1000);
		assert_int_equal(a.payer_refund_fen, 500);
		assert_string_equal(a.out_refund_no, "RQT01202612010001");
		free(b);
	}
}

/* ---- v3 --------------------------------------------------------------- */

static void
test_v3_refund_request_is_v3_6(void **state)
{
	struct wx_key *k = NULL;
	char *b, *auth = NULL;

	(void)state;
	b = pay_v3_refund_body(&v3_void);
	assert_non_null(b);
	assert_string_equal(b, V3_6_BODY);
	assert_int_equal(strlen(b), 150);
	/* the body this layer builds signs to the doc's Authorization */
	assert_int_equal(wx_key_load_pem(DOC_KEY, strlen(DOC_KEY), &k, NULL),
	    0);
	assert_int_equal(wx_auth_header(k, "1900007291",
	    "408B07E79B8269FEC3D5D3E6AB8ED163A6A380DB", "POST",
	    "/v3/refund/domestic/refunds", b, strlen(b), V3_6_TS, V3_6_NONCE,
	    &auth), 0);
	assert_string_equal(auth, V3_6_AUTH);
	free(auth);
	wx_key_free(k);
	free(b);
}

static void
test_bad_refunds_refused_before_sending(void **state)
{
	struct pay_refund_req r;
	struct payxml x;
	char longer[300], *b;
	int i;

	(void)state;
	r = v3_void;
	r.refund_fen = 1001;           /* more than the order */
	assert_null(pay_v3_refund_body(&r));
	r = v3_void;
	r.refund_fen = 0;
	assert_null(pay_v3_refund_body(&r));
	r = v3_void;
	r.out_refund_no = "R 1";
	assert_null(pay_v3_refund_body(&r));
	r.out_refund_no = "R|1*2@3_4-5";  /* the documented alphabet */
	b = pay_v3_refund_body(&r);
	assert_non_null(b);
	free(b);
	memset(longer, 'A', 65);
	longer[65] = '\0';
	r.out_refund_no = longer;
	assert_null(pay_v3_refund_body(&r));
	r = v3_void;
	for (i = 0; i < 81; i++)  /* 81 characters, 243 bytes */
		memcpy(longer + 3 * i, "退", 3);
	longer[3 * 81] = '\0';
	r.reason = longer;
	assert_null(pay_v3_refund_body(&r));
	longer[3 * 80] = '\0';    /* 80 is allowed */
	b = pay_v3_refund_body(&r);
	assert_non_null(b);
	free(b);
	r.refund_fen = 2000;
	memset(&x, 0, sizeof x);
	assert_int_equal(pay_v2_refund_fields(V2_APPID, V2_MCHID, &r, 0, &x),
	    QUAN_EINVAL);
	payxml_free(&x);
}

static void
v3_result(struct wxpay_result *r, long http, int verified,
    const char *code, const char *body)
{
	wxpay_result_init(r);
	r->http = http;
	r->verified = verified;
	snprintf(r->code, sizeof r->code, "%s", code);
	r->body = xstrdup(body);
	r->body_len = strlen(body);
}

static void
test_v3_refund_answers(void **state)
{
	static const char fmt[] = "{\"refund_id\":\"50000000382019052709"
	    "732678859\",\"out_refund_no\":\"RQT01202612010011\","
	    "\"transaction_id\":\"4200001234202612011234567899\","
	    "\"out_trade_no\":\"QT01202612010011\",\"channel\":\"ORIGINAL\","
	    "\"user_received_account\":\"招商银行信用卡0403\","
	    "\"create_time\":\"2026-12-01T11:00:00+08:00\",\"status\":"
	    "\"%s\",\"amount\":{\"total\":1000,\"refund\":1000,"
	    "\"payer_total\":800,\"payer_refund\":800,\"settlement_refund\":"
	    "1000,\"settlement_total\":800,\"discount_refund\":200,"
	    "\"currency\":\"CNY\"}}";
	struct wxpay_result r;
	struct pay_refund_answer a;
	char *t;

	(void)state;
	t = xasprintf(fmt, "PROCESSING");
	v3_result(&r, 200, 1, "", t);
	free(t);
	pay_v3_refund_answer(&r, &a);
	wxpay_result_free(&r);
	assert_int_equal(a.rc, 0);
	assert_int_equal(a.err, PAY_E_NONE);
	assert_int_equal(a.state, PAY_RS_PROCESSING);
	assert_int_equal(a.refund_fen, 1000);
	assert_int_equal(a.payer_refund_fen, 800);
	assert_int_equal(a.voucher_refund_fen, 200);
	assert_string_equal(a.refund_id, "50000000382019052709732678859");
	t = xasprintf(fmt, "SUCCESS");
	v3_result(&r, 200, 1, "", t);
	pay_v3_refund_answer(&r, &a);
	wxpay_result_free(&r);
	assert_int_equal(a.state, PAY_RS_SUCCESS);
	/* the signature did not check: never believed */
	v3_result(&r, 200, 0, "", t);
	pay_v3_refund_answer(&r, &a);
	wxpay_result_free(&r);
	assert_int_equal(a.rc, QUAN_EPROTO);
	assert_int_equal(a.state, PAY_RS_NONE);
	free(t);
	v3_result(&r, 200, 1, "", "{\"out_refund_no\":\"R1\"}");
	pay_v3_refund_answer(&r, &a);
	wxpay_result_free(&r);
	assert_int_equal(a.err, PAY_E_BAD_REPLY);
	/* errors by code */
	v3_result(&r, 404, 1, "RESOURCE_NOT_EXISTS", "{}");
	pay_v3_refund_answer(&r, &a);
	wxpay_result_free(&r);
	assert_int_equal(a.err, PAY_E_REFUNDNOTEXIST);
	v3_result(&r, 400, 1, "INVALID_REQUEST", "{}");
	pay_v3_refund_answer(&r, &a);
	wxpay_result_free(&r);
	assert_int_equal(a.err, PAY_E_INVALID_REQUEST);
	v3_result(&r, 403, 1, "NOT_ENOUGH", "{}");
	pay_v3_refund_answer(&r, &a);
	wxpay_result_free(&r);
	assert_int_equal(a.err, PAY_E_NOTENOUGH);
	v3_result(&r, 403, 1, "USER_ACCOUNT_ABNORMAL", "{}");
	pay_v3_refund_answer(&r, &a);
	wxpay_result_free(&r);
	assert_int_equal(a.err, PAY_E_USER_ACCOUNT_ABNORMAL);
	v3_result(&r, 500, 1, "SYSTEM_ERROR", "{}");
	pay_v3_refund_answer(&r, &a);
	wxpay_result_free(&r);
	assert_int_equal(a.err, PAY_E_SYSTEMERROR);
	assert_int_equal(pay_err_class(a.err), PAY_EC_UNKNOWN);
	v3_result(&r, 429, 1, "", "{}");
	pay_v3_refund_answer(&r, &a);
	wxpay_result_free(&r);
	assert_int_equal(a.err, PAY_E_FREQUENCY_LIMITED);
	/* no answer at all */
	wxpay_result_init(&r);
	r.rc = QUAN_ETIMEDOUT;
	pay_v3_refund_answer(&r, &a);
	assert_int_equal(a.err, PAY_E_NET);
	assert_int_equal(pay_err_class(a.err), PAY_EC_UNKNOWN);
	assert_string_equal(pay_refund_state_name(PAY_RS_CLOSED), "CLOSED");
	assert_int_equal(pay_refund_state_parse("ABNORMAL"), PAY_RS_ABNORMAL);
}

/* The bill download's integrity check (the SHA1 of "abc" is the FIPS
 * 180 example). */
static void
test_bill_hash(void **state)
{
	(void)state;
	assert_true(pay_bill_hash_ok("abc", 3, "SHA1",
	    "a9993e364706816aba3e25717850c26c9cd0d89d"));
	assert_true(pay_bill_hash_ok("abc", 3, "SHA1",
	    "A9993E364706816ABA3E25717850C26C9CD0D89D"));
	assert_false(pay_bill_hash_ok("abd", 3, "SHA1",
	    "a9993e364706816aba3e25717850c26c9cd0d89d"));
	assert_false(pay_bill_hash_ok("ab", 2, "SHA1",
	    "a9993e364706816aba3e25717850c26c9cd0d89d"));
	assert_false(pay_bill_hash_ok("abc", 3, "MD5",
	    "a9993e364706816aba3e25717850c26c9cd0d89d"));
	assert_false(pay_bill_hash_ok("abc", 3, "SHA1", "a9993e36"));
	assert_false(pay_bill_hash_ok("abc", 3, "SHA1", NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v2_refund_request_is_v2_10),
		cmocka_unit_test(test_v2_refund_answer_v2_11),
		cmocka_unit_test(test_v2_refund_error_codes),
		cmocka_unit_test(test_v2_refundquery),
		cmocka_unit_test(test_v3_refund_request_is_v3_6),
		cmocka_unit_test(test_bad_refunds_refused_before_sending),
		cmocka_unit_test(test_v3_refund_answers),
		cmocka_unit_test(test_bill_hash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
