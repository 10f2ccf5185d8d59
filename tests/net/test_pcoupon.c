/*
 * test_pcoupon.c — the 商品券 protocol without a network: the Request-ID
 * number and the one error table with its classes, the official use
 * answer (§11.2, times without seconds) parsed, bodies that are the doc's
 * bytes (§11.1), brand-mode answers verified with the brand's public key
 * only (unsigned, wrongly signed or APIv3-typed the other way refused),
 * and the SEND notification of both modes (§11.3/§11.4 ciphertexts, a
 * signature made here) verified, decrypted and checked field by field.
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

#include "crypto/wxsign.h"
#include "net/callbacks.h"
#include "net/http.h"
#include "net/pcoupon.h"
#include "net/wxpay.h"
#include "util/err.h"
#include "util/tm.h"
#include "util/xmem.h"

#include "vectors.h"
#include "pc_vectors.h"

#define PKID "PUB_KEY_ID_0299999999999999999999999999"
#define GCM_KEY "a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb"

static char dir[64];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/test_pcoupon.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int
teardown(void **state)
{
	char *cmd = xasprintf("rm -rf %s", dir);

	(void)state;
	if (system(cmd) != 0)
		return -1;
	free(cmd);
	return 0;
}

static void
test_request_id_numeric_suffix(void **state)
{
	(void)state;
	assert_int_equal(pc_request_id_code(
	    "08E68E97CC0610DF0618AC86BCA80120082880CF05-268578704"),
	    268578704);
	assert_int_equal(pc_request_id_code("08E68E97CC0610DF"), 0);
	assert_int_equal(pc_request_id_code("ABC-"), 0);
	assert_int_equal(pc_request_id_code("ABC-12x"), 0);
	assert_int_equal(pc_request_id_code("ABC-12345678901"), 0);
	assert_int_equal(pc_request_id_code(NULL), 0);
	assert_int_equal(pc_err_of_numeric(268578704)->err, PC_ERR_APPID);
	assert_int_equal(pc_err_of_numeric(268578532)->err, PC_ERR_OPENID);
	assert_int_equal(pc_err_of_numeric(268578526)->err, PC_ERR_OPENID);
	assert_int_equal(pc_err_of_numeric(123)->err, PC_ERR_OTHER);
	assert_int_equal(pc_err_of_numeric(0)->err, PC_ERR_NONE);
	assert_int_equal(pc_err_info(PC_ERR_STATE)->numeric, 268578367);
	assert_int_equal(pc_err_info(PC_ERR_RATE)->numeric, 270924289);
}

/* A 4xx answer with WeChat's number: the number decides the class. */
static enum wxpay_class
cls(long http, const char *code, long numeric, const char **why)
{
	struct pc_result r;
	enum wxpay_class k;

	pc_result_init(&r);
	r.w.http = http;
	snprintf(r.w.code, sizeof r.w.code, "%s", code);
	r.numeric = numeric;
	r.err = pc_err_of_numeric(numeric)->err;
	k = pcoupon_classify(&r, why);
	pc_result_free(&r);
	return k;
}

static void
test_numbers_decide_the_class(void **state)
{
	const char *why;

	(void)state;
	assert_int_equal(cls(400, "INVALID_REQUEST", 268578367, &why),
	    WXPAY_REJECTED);
	assert_string_equal(why, "coupon_state_invalid");
	assert_int_equal(cls(400, "INVALID_REQUEST", 272756745, &why),
	    WXPAY_ALREADY);
	assert_int_equal(cls(400, "INVALID_REQUEST", 272756746, &why),
	    WXPAY_RETRY);
	assert_string_equal(why, "use_locked");
	assert_int_equal(cls(400, "INVALID_REQUEST", 268578927, &why),
	    WXPAY_CONFIG);
	assert_int_equal(cls(403, "NO_AUTH", 268579803, &why), WXPAY_CONFIG);
	assert_int_equal(cls(429, "RATELIMIT_EXCEEDED", 270924289, &why),
	    WXPAY_RETRY);
	assert_int_equal(cls(404, "RESOURCE_NOT_EXISTS", 268578851, &why),
	    WXPAY_REJECTED);
	assert_string_equal(why, "coupon_not_found");
	/* a number we do not know: the code string decides */
	assert_int_equal(cls(400, "INVALID_REQUEST", 999, &why),
	    WXPAY_REJECTED);
	assert_string_equal(why, "not_usable");
	assert_int_equal(cls(500, "SYSTEM_ERROR", 0, &why), WXPAY_RETRY);
	assert_int_equal(cls(401, "SIGN_ERROR", 0, &why), WXPAY_CONFIG);
}

static void
test_official_use_answer_parses(void **state)
{
	struct pc_entity e;
	char *cause = NULL;
	int64_t t;

	(void)state;
	assert_int_equal(pc_coupon_parse(PC_USE_ANSWER, strlen(PC_USE_ANSWER),
	    &e, &cause), QUAN_OK);
	assert_string_equal(e.coupon_code, "123446565767");
	assert_int_equal(e.state, PC_ST_USED);
	assert_string_equal(e.use_request_no, "MCHUSE202003101234");
	assert_string_equal(e.return_request_no, "MCHRETURN202003101234");
	assert_string_equal(e.transaction_id, "4200000000123456789123456789");
	assert_string_equal(e.out_trade_no, "trade_no_20250724123456");
	assert_string_equal(e.product_coupon_id, "1002323");
	assert_string_equal(e.stock_id, "123456789");
	assert_string_equal(e.usage_mode, "SEQUENTIAL");
	assert_string_equal(e.scope, "ALL");
	assert_string_equal(e.confirm_request_no, "MCHCONFIRM202003101234");
	assert_int_equal(e.bundle_index, -1);
	/* "2025-01-01T00:00+08:00": no seconds, as the official examples */
	assert_int_equal(tm_parse_rfc3339("2025-01-01T00:00:00+08:00", &t), 0);
	assert_int_equal(e.valid_begin, t);
	assert_int_equal(tm_parse_rfc3339_min("2025-01-01T00:00+08:00", &t), 0);
	assert_int_equal(e.valid_begin, t);
	assert_int_not_equal(tm_parse_rfc3339_min("2025-01-01T00+08:00", &t), 0);
	/* hostile shapes */
#define PARSE(s) pc_coupon_parse(s, strlen(s), &e, &cause)
	assert_int_equal(PARSE("{\"coupon_code\":12}"), QUAN_EPROTO);
	assert_int_equal(PARSE("{\"coupon_state\":\"USED\"}"), QUAN_EPROTO);
	assert_int_equal(PARSE("[]"), QUAN_EPROTO);
	assert_int_equal(PARSE("{\"coupon_code\":\"a\",\"stock\":[]}"),
	    QUAN_EPROTO);
	assert_int_equal(PARSE("{\"coupon_code\":\"a\",\"valid_end_time\":"
	    "\"tomorrow\"}"), QUAN_EPROTO);
	assert_int_equal(PARSE("{\"coupon_code\":\"a\",\"coupon_state\":"
	    "\"LOST\"}"), QUAN_OK);
#undef PARSE
	assert_int_equal(e.state, PC_ST_UNKNOWN);
	free(cause);
}

static void
test_bodies_are_the_doc_bytes(void **state)
{
	struct pc_use_req q;
	char *b, *cause = NULL;

	(void)state;
	memset(&q, 0, sizeof q);
	q.product_coupon_id = "1000000013";
	q.stock_id = "1000000013001";
	q.appid = "wx233544546545989";
	q.use_time = "2025-08-03T12:00:00+08:00";
	q.out_request_no = "MCHUSE202003101234";
	q.transaction_id = "4200000000123456789123456789";
	b = pc_use_body(&q, "120344", &cause);
	assert_string_equal(b, PC_PARTNER_USE_BODY);
	free(b);
	b = pc_use_body(&q, NULL, &cause);
	assert_string_equal(b, PC_BRAND_USE_BODY);
	free(b);
	b = pc_simple_body("1000000013", "1000000013001", "wx233544546545989",
	    "MCHRETURN202003101234", NULL, NULL, &cause);
	assert_string_equal(b, "{\"product_coupon_id\":\"1000000013\","
	    "\"stock_id\":\"1000000013001\",\"appid\":\"wx233544546545989\","
	    "\"out_request_no\":\"MCHRETURN202003101234\"}");
	free(b);
	/* use-first: out_trade_no + mchid */
	q.transaction_id = NULL;
	q.out_trade_no = "T01S0000001";
	q.mchid = "1900000001";
	b = pc_use_body(&q, NULL, &cause);
	assert_non_null(strstr(b, "\"associated_order_info\":{\"out_trade_no"
	    "\":\"T01S0000001\",\"mchid\":\"1900000001\"}"));
	free(b);
	/* refused: both order refs, none, no mchid, a bad request number */
	q.transaction_id = "42";
	assert_null(pc_use_body(&q, NULL, &cause));
	q.transaction_id = NULL;
	q.mchid = NULL;
	assert_null(pc_use_body(&q, NULL, &cause));
	q.mchid = "1900000001";
	q.out_request_no = "U 1234";
	assert_null(pc_use_body(&q, NULL, &cause));
	assert_int_equal(pc_reqno_ok("abc12"), 0);
	assert_int_equal(pc_reqno_ok("abc-12_X"), 1);
	free(cause);
}

/* ---- brand-mode answers ----------------------------------------------- */

static char *
file_of(const char *name, const char *text, mode_t mode)
{
	char *p = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(p, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(p, mode);
	return p;
}

static struct wxpay_ctx *
brand_ctx(const char *pubkey_pem)
{
	struct wxpay_cfg c;
	struct wxpay_ctx *x = NULL;
	char *k = file_of("brand_key.pem", DOC_KEY, 0600);
	char *p = file_of("brand_pub.pem", pubkey_pem, 0644);
	char *cause = NULL;

	memset(&c, 0, sizeof c);
	c.base_url = "https://127.0.0.1:9";
	c.brand_id = "120344";
	c.merchant_serial = "408B07E79B8269FEC3D5D3E6AB8ED163A6A380DB";
	c.private_key = k;
	c.public_key_id = PKID;
	c.public_key = p;
	if (wxpay_ctx_new(&c, &x, &cause) != 0)
		fail_msg("brand ctx: %s", cause);
	free(k);
	free(p);
	return x;
}

static void
answer(struct http_resp *r, const char *body, struct wx_key *signer,
    const char *type)
{
	char ts[24], *msg, *sig = NULL;
	size_t n;
	const char *nonce = "0123456789ABCDEF0123456789ABCDEF";

	http_resp_init(r);
	r->status = 200;
	buf_add(&r->body, body, strlen(body));
	if (signer == NULL)
		return;
	snprintf(ts, sizeof ts, "%lld", (long long)tm_now());
	msg = wx_resp_message(ts, nonce, body, strlen(body), &n);
	assert_int_equal(wx_sign(signer, msg, n, &sig), 0);
	free(msg);
	r->hdr[0].name = xstrdup("Wechatpay-Timestamp");
	r->hdr[0].value = xstrdup(ts);
	r->hdr[1].name = xstrdup("Wechatpay-Nonce");
	r->hdr[1].value = xstrdup(nonce);
	r->hdr[2].name = xstrdup("Wechatpay-Signature");
	r->hdr[2].value = sig;
	r->hdr[3].name = xstrdup("Wechatpay-Serial");
	r->hdr[3].value = xstrdup(PKID);
	r->hdr[4].name = xstrdup("Wechatpay-Signature-Type");
	r->hdr[4].value = xstrdup(type);
	r->nhdr = 5;
}

static void
test_brand_answers_need_the_brand_key(void **state)
{
	struct wx_key *k = NULL, *other = NULL;
	struct wx_pub *pub = NULL;
	struct wxpay_ctx *x;
	struct wxpay_result res;
	struct http_resp r;
	char *pem;

	(void)state;
	assert_int_equal(wx_key_load_pem(DOC_KEY, strlen(DOC_KEY), &k, NULL),
	    0);
	assert_int_equal(wx_pub_from_key(k, &pub), 0);
	pem = wx_pub_pem(pub);
	x = brand_ctx(pem);
	wxpay_result_init(&res);
	/* signed by the brand's WeChat Pay key, either type word */
	answer(&r, PC_USE_ANSWER, k, WX_BRAND_AUTH_SCHEMA);
	assert_int_equal(wxpay_process(x, &r, NULL, &res), 0);
	assert_true(res.verified);
	http_resp_free(&r);
	answer(&r, PC_USE_ANSWER, k, WX_AUTH_SCHEMA);
	assert_int_equal(wxpay_process(x, &r, NULL, &res), 0);
	http_resp_free(&r);
	/* unsigned 2xx: refused, never parsed */
	answer(&r, PC_USE_ANSWER, NULL, NULL);
	assert_int_equal(wxpay_process(x, &r, NULL, &res), QUAN_EPROTO);
	assert_false(res.verified);
	http_resp_free(&r);
	/* another key under the brand's key id */
	assert_int_equal(wx_key_generate(2048, &other), 0);
	answer(&r, PC_USE_ANSWER, other, WX_BRAND_AUTH_SCHEMA);
	assert_int_equal(wxpay_process(x, &r, NULL, &res), QUAN_EPROTO);
	http_resp_free(&r);
	/* an unknown signature type */
	answer(&r, PC_USE_ANSWER, k, "WECHATPAY-OTHER");
	assert_int_equal(wxpay_process(x, &r, NULL, &res), QUAN_EPROTO);
	http_resp_free(&r);
	wxpay_result_free(&res);
	wxpay_ctx_free(x);
	wx_key_free(other);
	wx_key_free(k);
	wx_pub_free(pub);
	free(pem);
}

/* ---- SEND notifications ----------------------------------------------- */

static char *
envelope(const char *event, const char *aad, const char *ct)
{
	return xasprintf("{\"id\":\"8b33f79f-8869-5ae5-b41b-3c0b59f957d0\","
	    "\"create_time\":\"2020-07-13T23:27:38+08:00\",\"resource_type\":"
	    "\"encrypt-resource\",\"event_type\":\"%s\",\"summary\":\"商品券领券"
	    "通知\",\"resource\":{\"original_type\":\"coupon\",\"algorithm\":"
	    "\"AEAD_AES_256_GCM\",\"ciphertext\":\"%s\",\"associated_data\":"
	    "\"%s\",\"nonce\":\"j9g1wAzF9Xn1\"}}", event, ct, aad);
}

/* callbacks_pc_answer on body signed by k now. */
static int
notify(struct wx_trust *t, struct wx_key *k, const char *body,
    struct pc_notice *n, int *status)
{
	char ts[24], *msg, *sig = NULL, *reply = NULL, *why = NULL;
	const char *hdr[4];
	size_t len;
	int rc;

	snprintf(ts, sizeof ts, "%lld", (long long)tm_now());
	msg = wx_resp_message(ts, "s2TO4Wu2FbOkf7hpQxLa3YvKb6Jmm6bm", body,
	    strlen(body), &len);
	assert_int_equal(wx_sign(k, msg, len, &sig), 0);
	free(msg);
	hdr[0] = PKID;
	hdr[1] = ts;
	hdr[2] = "s2TO4Wu2FbOkf7hpQxLa3YvKb6Jmm6bm";
	hdr[3] = sig;
	rc = callbacks_pc_answer(t, (const uint8_t *)GCM_KEY, hdr, body,
	    strlen(body), tm_now(), n, status, &reply, &why);
	free(sig);
	free(reply);
	free(why);
	return rc;
}

/* A resource of ours under the brand's associated data. */
static char *
seal(const char *pt)
{
	char *ct = NULL;

	assert_int_equal(wx_aead_encrypt((const uint8_t *)GCM_KEY,
	    "j9g1wAzF9Xn1", "product_coupon", pt, strlen(pt), &ct), 0);
	return ct;
}

static void
test_send_notifications_of_both_modes(void **state)
{
	struct wx_key *k = NULL, *other = NULL;
	struct wx_pub *pub = NULL;
	struct wx_trust *t = wx_trust_new();
	struct pc_notice n;
	char *body, *ct = NULL;
	int status;

	(void)state;
	assert_int_equal(wx_key_load_pem(DOC_KEY, strlen(DOC_KEY), &k, NULL),
	    0);
	assert_int_equal(wx_pub_from_key(k, &pub), 0);
	assert_int_equal(wx_trust_add_pub(t, PKID, pub), 0);
	/* partner: §11.4's ciphertext under product_coupon_sp */
	body = envelope("PRODUCT_COUPON_SP.SEND", "product_coupon_sp",
	    PC_CT_PARTNER);
	assert_int_equal(callbacks_pc_event(body, strlen(body)), 1);
	assert_int_equal(notify(t, k, body, &n, &status), QUAN_OK);
	assert_int_equal(status, 200);
	assert_int_equal(n.op, SYNC_OP_PC_NOTICE);
	assert_string_equal(n.event, "PRODUCT_COUPON_SP.SEND");
	assert_string_equal(n.c.code, "Code_123456");
	assert_string_equal(n.c.brand_id, "120344");
	assert_string_equal(n.c.product_coupon_id, "1000000013");
	assert_string_equal(n.c.stock_id, "1000000013001");
	assert_string_equal(n.c.appid, "wx233544546545989");
	assert_string_equal(n.c.openid, "oh-394z-6CGkNoJrsDLTTUKiAnp4");
	assert_string_equal(n.c.send_request_no, "MCHSEND202003101234");
	assert_string_equal(n.c.notify_id,
	    "8b33f79f-8869-5ae5-b41b-3c0b59f957d0");
	assert_int_equal(n.c.source, PC_SRC_NOTIFY);
	assert_int_equal(n.c.state, PC_ST_UNKNOWN);
	assert_true(n.c.valid_end > n.c.valid_begin);
	free(body);
	/* brand: the same plaintext under product_coupon */
	body = envelope("PRODUCT_COUPON.SEND", "product_coupon", PC_CT_BRAND);
	assert_int_equal(notify(t, k, body, &n, &status), QUAN_OK);
	assert_string_equal(n.c.code, "Code_123456");
	free(body);
	/* the partner ciphertext said to be the brand's: tag fails */
	body = envelope("PRODUCT_COUPON.SEND", "product_coupon",
	    PC_CT_PARTNER);
	assert_int_equal(notify(t, k, body, &n, &status), QUAN_EPROTO);
	assert_int_equal(status, 401);
	free(body);
	/* signed by another key */
	assert_int_equal(wx_key_generate(2048, &other), 0);
	body = envelope("PRODUCT_COUPON.SEND", "product_coupon", PC_CT_BRAND);
	assert_int_equal(notify(t, other, body, &n, &status), QUAN_EPROTO);
	assert_int_equal(status, 401);
	free(body);
	/* USE (SK only): acknowledged, nothing to store */
	body = envelope("PRODUCT_COUPON.USE", "product_coupon", PC_CT_BRAND);
	assert_int_equal(notify(t, k, body, &n, &status), QUAN_ENOTFOUND);
	assert_int_equal(status, 200);
	free(body);
	/* a code with a space, and a payload without openid: refused */
	ct = seal("{\"brand_id\":\"1\",\"coupon_code\":\"A B\","
	    "\"product_coupon_id\":\"1\",\"stock_id\":\"1\",\"appid\":"
	    "\"wx1\",\"openid\":\"o1\"}");
	body = envelope("PRODUCT_COUPON.SEND", "product_coupon", ct);
	assert_int_equal(notify(t, k, body, &n, &status), QUAN_EINVAL);
	assert_int_equal(status, 400);
	free(body);
	free(ct);
	ct = seal("{\"brand_id\":\"1\",\"coupon_code\":\"AB\","
	    "\"product_coupon_id\":\"1\",\"stock_id\":\"1\",\"appid\":"
	    "\"wx1\"}");
	body = envelope("PRODUCT_COUPON.SEND", "product_coupon", ct);
	assert_int_equal(notify(t, k, body, &n, &status), QUAN_EINVAL);
	free(body);
	free(ct);
	assert_int_equal(callbacks_pc_event("{\"event_type\":\"COUPON.SEND\"}",
	    28), 0);
	wx_key_free(other);
	wx_key_free(k);
	wx_pub_free(pub);
	wx_trust_free(t);
}

static void
test_confirm_number_is_stable(void **state)
{
	char a[41], b[41], c[41];

	(void)state;
	callbacks_pc_confirm_no("1000000013001", "Code_123456", a);
	callbacks_pc_confirm_no("1000000013001", "Code_123456", b);
	callbacks_pc_confirm_no("1000000013002", "Code_123456", c);
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	assert_int_equal(strlen(a), 33);
	assert_int_equal(pc_reqno_ok(a), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_id_numeric_suffix),
		cmocka_unit_test(test_numbers_decide_the_class),
		cmocka_unit_test(test_official_use_answer_parses),
		cmocka_unit_test(test_bodies_are_the_doc_bytes),
		cmocka_unit_test(test_brand_answers_need_the_brand_key),
		cmocka_unit_test(test_send_notifications_of_both_modes),
		cmocka_unit_test(test_confirm_number_is_stable),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
