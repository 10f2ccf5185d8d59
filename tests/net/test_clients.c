/*
 * test_clients.c — the WeChat Pay and card clients without a network:
 * wxpay_process on canned answers (the busifavor D4/D5 vectors, and answers
 * signed here with the GO test key acting as the WeChat Pay key) in both
 * trust modes, every rejection path (missing headers, stale, unknown serial,
 * SIGNTEST, tampering, garbage JSON, wrong types, missing fields), the
 * classification tables, and card_parse / card_classify (the request
 * bodies are tests/core/test_wxbody.c's).
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
#include "net/card.h"
#include "net/http.h"
#include "net/wxpay.h"
#include "util/err.h"
#include "util/tm.h"
#include "util/xmem.h"

#include "vectors.h"

#define PKID "PUB_KEY_ID_0114232134912410000000000000"

static char dir[128];
static struct wxpay_ctx *ctx;     /* public-key mode */
static struct wx_key *wxkey;      /* plays WeChat Pay's key (GO key) */
static int64_t fake_now = 1700000001;

static int64_t
clock_fn(void)
{
	return fake_now;
}

static char *
path(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

static void
put(const char *name, const char *text, mode_t mode)
{
	char *p = path(name);
	FILE *f = fopen(p, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(p, mode);
	free(p);
}

static int
setup(void **state)
{
	struct wxpay_cfg cfg;
	char *k, *pub, *cause = NULL;

	(void)state;
	tm_set_zone("Asia/Shanghai");
	snprintf(dir, sizeof dir, "/tmp/test_clients.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	put("key.pem", DOC_KEY, 0600);
	put("pub.pem", GO_PUB, 0644);
	put("apiv3.key", "a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb\n", 0600);
	put("card.secret", "0123456789abcdef0123456789abcdef\n", 0600);
	k = path("key.pem");
	pub = path("pub.pem");
	memset(&cfg, 0, sizeof cfg);
	cfg.base_url = "https://127.0.0.1:1";
	cfg.mchid = "1900007291";
	cfg.merchant_serial = "408B07E79B8269FEC3D5D3E6AB8ED163A6A380DB";
	cfg.private_key = k;
	cfg.public_key_id = PKID;
	cfg.public_key = pub;
	if (wxpay_ctx_new(&cfg, &ctx, &cause) != 0) {
		fprintf(stderr, "ctx: %s\n", cause);
		return -1;
	}
	wxpay_ctx_set_clock(ctx, clock_fn);
	free(k);
	free(pub);
	if (wx_key_load_pem(GO_KEY, strlen(GO_KEY), &wxkey, NULL) != 0)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	char *p;
	const char *names[] = { "key.pem", "pub.pem", "apiv3.key",
	    "card.secret", "open.pem", NULL };
	size_t i;

	(void)state;
	wxpay_ctx_free(ctx);
	wx_key_free(wxkey);
	for (i = 0; names[i] != NULL; i++) {
		p = path(names[i]);
		unlink(p);
		free(p);
	}
	rmdir(dir);
	return 0;
}

static void
add_hdr(struct http_resp *r, const char *n, const char *v)
{
	if (v == NULL)
		return;
	r->hdr[r->nhdr].name = xstrdup(n);
	r->hdr[r->nhdr].value = xstrdup(v);
	r->nhdr++;
}

/* A canned answer: status, body, and the four Wechatpay-* headers (any
 * may be NULL = absent). */
static void
canned(struct http_resp *r, long status, const char *body,
    const char *serial, const char *ts, const char *nonce, const char *sig)
{
	http_resp_init(r);
	r->status = status;
	assert_int_equal(buf_add(&r->body, body, strlen(body)), 0);
	add_hdr(r, "Request-ID", "08F4B0A1B20610A1B2C3D4E5");
	add_hdr(r, "wechatpay-serial", serial); /* case-insensitive */
	add_hdr(r, "Wechatpay-Timestamp", ts);
	add_hdr(r, "Wechatpay-Nonce", nonce);
	add_hdr(r, "Wechatpay-Signature", sig);
}

/* Sign body as WeChat Pay would (GO key), at fake_now. */
static void
signed_answer(struct http_resp *r, long status, const char *body,
    const char *serial)
{
	char ts[24], *msg, *sig = NULL;
	size_t n;

	snprintf(ts, sizeof ts, "%lld", (long long)fake_now);
	msg = wx_resp_message(ts, "NONCE0123456789", body, strlen(body), &n);
	assert_int_equal(wx_sign(wxkey, msg, n, &sig), 0);
	canned(r, status, body, serial, ts, "NONCE0123456789", sig);
	free(sig);
	free(msg);
}

static const char *const use_req[] = { "wechatpay_use_time", NULL };

static void
test_use_answer_d4(void **state)
{
	struct http_resp r;
	struct wxpay_result res;
	const char *why;

	(void)state;
	fake_now = 1700000001;
	wxpay_result_init(&res);
	canned(&r, 200, D4_BODY, PKID, "1700000001",
	    "c5ac7061fccab6bf3e254dcf98995b8c", D4_SIG);
	assert_int_equal(wxpay_process(ctx, &r, use_req, &res), 0);
	assert_int_equal(res.verified, 1);
	assert_string_equal(res.stock_id, "100088");
	assert_string_equal(res.openid, "dsadas34345454545");
	assert_string_equal(res.time, "2015-05-20T13:29:35+08:00");
	assert_string_equal(res.request_id, "08F4B0A1B20610A1B2C3D4E5");
	assert_int_equal(wxpay_classify(&res, &why), WXPAY_OK);
	assert_string_equal(why, "ok");
	/* 299 s later still fine; 300 s later stale. */
	fake_now = 1700000001 + 299;
	assert_int_equal(wxpay_process(ctx, &r, use_req, &res), 0);
	fake_now = 1700000001 + 300;
	assert_int_equal(wxpay_process(ctx, &r, use_req, &res), QUAN_ECLOCK);
	assert_int_equal(res.rc, QUAN_ECLOCK);   /* a code: CLOCK WRONG */
	assert_non_null(strstr(res.message, "timestamp"));
	assert_int_equal(wxpay_classify(&res, &why), WXPAY_RETRY);
	assert_string_equal(why, "bad_reply");
	http_resp_free(&r);
	fake_now = 1700000001;

	/* Unknown serial: platform mode would refresh. */
	canned(&r, 200, D4_BODY, "ABCDEF0123", "1700000001",
	    "c5ac7061fccab6bf3e254dcf98995b8c", D4_SIG);
	assert_int_equal(wxpay_process(ctx, &r, use_req, &res),
	    QUAN_ENOTFOUND);
	assert_int_equal(res.rc, QUAN_EPROTO);
	http_resp_free(&r);
	/* Missing each header in turn. */
	canned(&r, 200, D4_BODY, NULL, "1700000001",
	    "c5ac7061fccab6bf3e254dcf98995b8c", D4_SIG);
	assert_int_equal(wxpay_process(ctx, &r, use_req, &res), QUAN_EPROTO);
	assert_non_null(strstr(res.message, "Serial"));
	http_resp_free(&r);
	canned(&r, 200, D4_BODY, PKID, NULL,
	    "c5ac7061fccab6bf3e254dcf98995b8c", D4_SIG);
	assert_int_equal(wxpay_process(ctx, &r, use_req, &res), QUAN_EPROTO);
	http_resp_free(&r);
	canned(&r, 200, D4_BODY, PKID, "1700000001", NULL, D4_SIG);
	assert_int_equal(wxpay_process(ctx, &r, use_req, &res), QUAN_EPROTO);
	http_resp_free(&r);
	canned(&r, 200, D4_BODY, PKID, "1700000001",
	    "c5ac7061fccab6bf3e254dcf98995b8c", NULL);
	assert_int_equal(wxpay_process(ctx, &r, use_req, &res), QUAN_EPROTO);
	http_resp_free(&r);
	/* SIGNTEST probe. */
	canned(&r, 200, D4_BODY, PKID, "1700000001",
	    "c5ac7061fccab6bf3e254dcf98995b8c", "WECHATPAY/SIGNTEST/abcd");
	assert_int_equal(wxpay_process(ctx, &r, use_req, &res), QUAN_EPROTO);
	assert_non_null(strstr(res.message, "SIGNTEST"));
	http_resp_free(&r);
	/* Tampered body (stock id changed). */
	{
		char *t = xstrdup(D4_BODY);
		t[14] = '9';
		canned(&r, 200, t, PKID, "1700000001",
		    "c5ac7061fccab6bf3e254dcf98995b8c", D4_SIG);
		assert_int_equal(wxpay_process(ctx, &r, use_req, &res),
		    QUAN_EPROTO);
		http_resp_free(&r);
		free(t);
	}
	/* Another signature type is refused; the right one accepted. */
	canned(&r, 200, D4_BODY, PKID, "1700000001",
	    "c5ac7061fccab6bf3e254dcf98995b8c", D4_SIG);
	add_hdr(&r, "Wechatpay-Signature-Type", "WECHATPAY2-SM2-WITH-SM3");
	assert_int_equal(wxpay_process(ctx, &r, use_req, &res), QUAN_EPROTO);
	free(r.hdr[r.nhdr - 1].value);
	r.hdr[r.nhdr - 1].value = xstrdup("WECHATPAY2-SHA256-RSA2048");
	assert_int_equal(wxpay_process(ctx, &r, use_req, &res), 0);
	http_resp_free(&r);
	/* D5: signed 204 without body. */
	canned(&r, 204, "", PKID, "1700000002",
	    "0123456789abcdef0123456789abcdef", D5_SIG);
	assert_int_equal(wxpay_process(ctx, &r, NULL, &res), 0);
	assert_int_equal(wxpay_classify(&res, NULL), WXPAY_OK);
	/* ...but a use answer must carry wechatpay_use_time. */
	assert_int_equal(wxpay_process(ctx, &r, use_req, &res), QUAN_EPROTO);
	http_resp_free(&r);
	wxpay_result_free(&res);
}

static void
test_bad_bodies(void **state)
{
	static const char *const bad[] = {
		"not json", "[1,2]", "{\"stock_id\":12}",
		"{\"stock_id\":\"1\",\"stock_id\":\"2\"}",
		"{\"wechatpay_use_time\":\"yesterday\"}",
		"{\"stock_id\":\"1\"}", /* lacks wechatpay_use_time */
		("{\"total_count\":-1,\"wechatpay_use_time\":"
		"\"2015-05-20T13:29:35+08:00\"}"),
	};
	struct http_resp r;
	struct wxpay_result res;
	size_t i;

	(void)state;
	fake_now = 1700000001;
	wxpay_result_init(&res);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		signed_answer(&r, 200, bad[i], PKID);
		assert_int_equal(wxpay_process(ctx, &r, use_req, &res),
		    QUAN_EPROTO);
		assert_int_equal(wxpay_classify(&res, NULL), WXPAY_RETRY);
		http_resp_free(&r);
	}
	/* Unknown fields are ignored. */
	signed_answer(&r, 200, "{\"new_field\":{\"x\":1},\"stock_id\":\"9\","
	    "\"wechatpay_use_time\":\"2015-05-20T13:29:35+08:00\"}", PKID);
	assert_int_equal(wxpay_process(ctx, &r, use_req, &res), 0);
	assert_string_equal(res.stock_id, "9");
	http_resp_free(&r);
	wxpay_result_free(&res);
}

static void
test_error_classification(void **state)
{
	static const struct {
		long http;
		const char *code;
		enum wxpay_class k;
		const char *why;
	} cases[] = {
		{ 400, "RESOURCE_ALREADY_EXISTS", WXPAY_ALREADY,
		  "already_used" },
		{ 404, "RESOURCE_NOT_EXISTS", WXPAY_REJECTED,
		  "coupon_unknown" },
		{ 403, "RULELIMIT", WXPAY_REJECTED, "not_usable_now" },
		{ 403, "RULE_LIMIT", WXPAY_REJECTED, "not_usable_now" },
		{ 400, "PARAM_ERROR", WXPAY_REJECTED, "bad_request" },
		{ 400, "INVALID_REQUEST", WXPAY_REJECTED, "not_usable" },
		{ 404, "USER_NOT_EXISTS", WXPAY_REJECTED, "user_unknown" },
		{ 403, "NO_AUTH", WXPAY_CONFIG, "config_error" },
		{ 403, "NOAUTH", WXPAY_CONFIG, "config_error" },
		{ 400, "APPID_MCHID_NOT_MATCH", WXPAY_CONFIG, "config_error" },
		{ 401, "SIGN_ERROR", WXPAY_CONFIG, "sign_error" },
		{ 400, "SYSTEM_ERROR", WXPAY_RETRY, "wechat_busy" },
		{ 500, "SYSTEM_ERROR", WXPAY_RETRY, "wechat_busy" },
		{ 503, "", WXPAY_RETRY, "wechat_busy" },
		{ 429, "FREQUENCY_LIMITED", WXPAY_RETRY, "rate_limited" },
		{ 400, "SOMETHING_NEW", WXPAY_REJECTED, "rejected" },
	};
	struct http_resp r;
	struct wxpay_result res;
	const char *why;
	char body[256];
	size_t i;

	(void)state;
	fake_now = 1700000001;
	wxpay_result_init(&res);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(body, sizeof body, "{\"code\":\"%s\",\"message\":"
		    "\"m%zu\",\"detail\":{\"field\":\"x\"}}", cases[i].code, i);
		/* Signed (verified) and unsigned (e.g. from a proxy). */
		signed_answer(&r, cases[i].http, body, PKID);
		assert_int_equal(wxpay_process(ctx, &r, use_req, &res), 0);
		assert_int_equal(res.verified, 1);
		assert_string_equal(res.code, cases[i].code);
		assert_int_equal(wxpay_classify(&res, &why), cases[i].k);
		assert_string_equal(why, cases[i].why);
		http_resp_free(&r);
		canned(&r, cases[i].http, body, NULL, NULL, NULL, NULL);
		assert_int_equal(wxpay_process(ctx, &r, use_req, &res), 0);
		assert_int_equal(res.verified, 0);
		assert_int_equal(wxpay_classify(&res, NULL), cases[i].k);
		http_resp_free(&r);
	}
	/* A signed error answer whose signature is bad is not trusted. */
	signed_answer(&r, 404, "{\"code\":\"RESOURCE_NOT_EXISTS\"}", PKID);
	free(r.hdr[r.nhdr - 1].value);
	r.hdr[r.nhdr - 1].value = xstrdup(D4_SIG);
	assert_int_equal(wxpay_process(ctx, &r, use_req, &res), QUAN_EPROTO);
	assert_int_equal(wxpay_classify(&res, NULL), WXPAY_RETRY);
	http_resp_free(&r);
	/* Proxy error page (HTML) keeps its status. */
	canned(&r, 502, "<html>bad gateway</html>", NULL, NULL, NULL, NULL);
	assert_int_equal(wxpay_process(ctx, &r, use_req, &res), 0);
	assert_int_equal(wxpay_classify(&res, &why), WXPAY_RETRY);
	assert_string_equal(why, "wechat_busy");
	http_resp_free(&r);
	/* Transport failures. */
	res.rc = QUAN_ETIMEDOUT;
	assert_int_equal(wxpay_classify(&res, &why), WXPAY_RETRY);
	assert_string_equal(why, "network");
	res.rc = QUAN_ENET;
	assert_int_equal(wxpay_classify(&res, &why), WXPAY_RETRY);
	wxpay_result_free(&res);
	assert_string_equal(wxpay_class_name(WXPAY_ALREADY), "already");
}

static void
test_ctx_config(void **state)
{
	struct wxpay_cfg cfg;
	struct wxpay_ctx *c = NULL;
	char *cause = NULL, *k = path("open.pem"), *v3 = path("apiv3.key");

	(void)state;
	put("open.pem", DOC_KEY, 0644);
	memset(&cfg, 0, sizeof cfg);
	cfg.base_url = "https://x";
	cfg.mchid = "1";
	cfg.merchant_serial = "AB";
	cfg.private_key = k;
	cfg.apiv3_key = v3;
	/* Group/other-readable key refused. */
	assert_int_equal(wxpay_ctx_new(&cfg, &c, &cause), QUAN_EPERM);
	assert_non_null(strstr(cause, "chmod 600"));
	chmod(k, 0600);
	assert_int_equal(wxpay_ctx_new(&cfg, &c, &cause), 0);
	assert_non_null(wxpay_ctx_apiv3_key(c));
	wxpay_ctx_free(c);
	/* No trust anchor at all. */
	cfg.apiv3_key = NULL;
	assert_int_equal(wxpay_ctx_new(&cfg, &c, &cause), QUAN_ECONFIG);
	/* Public key without its id. */
	cfg.public_key = k;
	assert_int_equal(wxpay_ctx_new(&cfg, &c, &cause), QUAN_ECONFIG);
	cfg.public_key_id = "NOT_A_PUBKEY_ID";
	assert_int_equal(wxpay_ctx_new(&cfg, &c, &cause), QUAN_ECONFIG);
	free(cause);
	free(k);
	free(v3);
}

/* ---- card ------------------------------------------------------------- */

static void
card_case(const char *body, long http, int64_t now, enum card_class k,
    const char *why)
{
	struct card_result r;
	const char *w;

	card_result_init(&r);
	r.http = http;
	card_parse(body, strlen(body), &r);
	assert_int_equal(card_classify(&r, now, &w), k);
	assert_string_equal(w, why);
	card_result_free(&r);
}

static void
test_card_parse_classify(void **state)
{
	struct card_result r;
	static const char ok[] = "{\"errcode\":0,\"errmsg\":\"ok\",\"card\":{"
	    "\"card_id\":\"pbLatjk4T4Hx-QFQGL4zGQy27_Qg\",\"begin_time\":"
	    "1457452800,\"end_time\":1463155199},\"openid\":\"obLatjm43RA5C6"
	    "QfMO5szKYnT3dM\",\"can_consume\":true,\"user_card_status\":"
	    "\"NORMAL\",\"outer_str\":\"12b\"}";
	static const char old[] = "{\"errcode\":0,\"errmsg\":\"ok\",\"card\":{"
	    "\"card_id\":\"p1\",\"begin_time\":\"1457452800\",\"end_time\":"
	    "1463155199,\"user_card_status\":\"NORMAL\",\"can_consume\":"
	    "\"true\"},\"openid\":\"o\"}";

	(void)state;
	card_result_init(&r);
	r.http = 200;
	assert_int_equal(card_parse(ok, strlen(ok), &r), 0);
	assert_int_equal(r.errcode, 0);
	assert_string_equal(r.card_id, "pbLatjk4T4Hx-QFQGL4zGQy27_Qg");
	assert_int_equal(r.begin_time, 1457452800);
	assert_int_equal(r.can_consume, 1);
	assert_string_equal(r.user_card_status, "NORMAL");
	card_result_free(&r);
	r.http = 200;
	assert_int_equal(card_parse(old, strlen(old), &r), 0);
	assert_int_equal(r.can_consume, 1);
	assert_string_equal(r.user_card_status, "NORMAL");
	assert_int_equal(r.begin_time, 1457452800);
	card_result_free(&r);

	card_case(ok, 200, 1460000000, CARD_OK, "ok");
	card_case(ok, 200, 1457452799, CARD_REJECTED, "not_yet_valid");
	card_case(ok, 200, 1463155200, CARD_REJECTED, "expired");
	card_case("{\"errcode\":0,\"can_consume\":false,\"user_card_status\":"
	    "\"CONSUMED\"}", 200, 1, CARD_ALREADY, "already_used");
	card_case("{\"errcode\":0,\"can_consume\":false,\"user_card_status\":"
	    "\"EXPIRE\"}", 200, 1, CARD_REJECTED, "expired");
	card_case("{\"errcode\":0,\"can_consume\":false,\"user_card_status\":"
	    "\"GIFTING\"}", 200, 1, CARD_REJECTED, "deleted_or_gifting");
	card_case("{\"errcode\":0,\"can_consume\":false,\"user_card_status\":"
	    "\"UNAVAILABLE\"}", 200, 1, CARD_REJECTED, "not_usable");
	card_case("{\"errcode\":0,\"errmsg\":\"ok\",\"card\":{\"card_id\":"
	    "\"p\"},\"openid\":\"o\"}", 200, 1, CARD_OK, "ok"); /* consume */
	card_case("{\"errcode\":40056,\"errmsg\":\"invalid serial code\"}", 200,
	    1, CARD_REJECTED, "invalid_code");
	card_case("{\"errcode\":40099,\"errmsg\":\"invalid code, this code has"
	    " consumed.\"}", 200, 1, CARD_ALREADY, "already_used");
	card_case("{\"errcode\":40127,\"errmsg\":\"x\"}", 200, 1,
	    CARD_REJECTED, "deleted_or_gifting");
	{
		struct card_result r2;
		const char *w;

		card_result_init(&r2);
		r2.http = 200;
		card_parse("{\"errcode\":40127}", 17, &r2);
		snprintf(r2.user_card_status, sizeof r2.user_card_status,
		    "EXPIRE");
		assert_int_equal(card_classify(&r2, 1, &w), CARD_REJECTED);
		assert_string_equal(w, "expired");
		snprintf(r2.user_card_status, sizeof r2.user_card_status,
		    "UNAVAILABLE");
		card_classify(&r2, 1, &w);
		assert_string_equal(w, "not_usable");
		card_result_free(&r2);
	}
	card_case("{\"errcode\":45009,\"errmsg\":\"reach max api daily quota "
	    "limit\"}", 200, 1, CARD_CONFIG, "quota_exceeded");
	card_case("{\"errcode\":45011,\"errmsg\":\"x\"}", 200, 1, CARD_RETRY,
	    "quota_minute");
	card_case("{\"errcode\":-1,\"errmsg\":\"system error\"}", 200, 1,
	    CARD_RETRY, "wechat_busy");
	card_case("{\"errcode\":40001,\"errmsg\":\"x\"}", 200, 1, CARD_RETRY,
	    "token_invalid");
	card_case("{\"errcode\":42001,\"errmsg\":\"x\"}", 200, 1, CARD_RETRY,
	    "token_invalid");
	card_case("{\"errcode\":48001,\"errmsg\":\"x\"}", 200, 1, CARD_CONFIG,
	    "config_error");
	card_case("{\"errcode\":41012,\"errmsg\":\"x\"}", 200, 1,
	    CARD_REJECTED, "card_id_missing");
	card_case("{\"errcode\":99999,\"errmsg\":\"x\"}", 200, 1,
	    CARD_REJECTED, "rejected");
	/* Garbage and wrong types: unknown outcome. */
	card_case("garbage", 200, 1, CARD_RETRY, "bad_reply");
	card_case("{\"errcode\":\"zero\"}", 200, 1, CARD_RETRY, "bad_reply");
	card_case("{\"errcode\":0,\"can_consume\":\"maybe\"}", 200, 1,
	    CARD_RETRY, "bad_reply");
	card_case("{\"errcode\":0,\"card\":[1]}", 200, 1, CARD_RETRY,
	    "bad_reply");
	card_case("{\"errcode\":0}", 502, 1, CARD_RETRY, "wechat_busy");
	card_case("{\"errcode\":0}", 404, 1, CARD_RETRY, "bad_reply");
	assert_string_equal(card_class_name(CARD_CONFIG), "config");
}

static void
test_card_ctx_config(void **state)
{
	struct card_cfg cfg;
	struct card_ctx *c = NULL;
	char *cause = NULL, *s = path("card.secret");

	(void)state;
	memset(&cfg, 0, sizeof cfg);
	cfg.base_url = "https://x";
	cfg.appid = "wxabc";
	assert_int_equal(card_ctx_new(&cfg, &c, &cause), QUAN_ECONFIG);
	cfg.secret = s;
	chmod(s, 0640);
	assert_int_equal(card_ctx_new(&cfg, &c, &cause), QUAN_EPERM);
	chmod(s, 0600);
	assert_int_equal(card_ctx_new(&cfg, &c, &cause), 0);
	assert_int_equal(card_ctx_token_fetches(c), 0);
	card_ctx_free(c);
	cfg.secret = NULL;
	cfg.token_url = "https://tokens.example/token";
	assert_int_equal(card_ctx_new(&cfg, &c, &cause), 0);
	card_ctx_free(c);
	free(cause);
	free(s);
}

static void
test_http_escape(void **state)
{
	char *e;

	(void)state;
	e = http_escape("ab/c d\\e=|_-.~");
	assert_string_equal(e, "ab%2Fc%20d%5Ce%3D%7C_-.~");
	free(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_use_answer_d4),
		cmocka_unit_test(test_bad_bodies),
		cmocka_unit_test(test_error_classification),
		cmocka_unit_test(test_ctx_config),
		cmocka_unit_test(test_card_parse_classify),
		cmocka_unit_test(test_card_ctx_config),
		cmocka_unit_test(test_http_escape),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
