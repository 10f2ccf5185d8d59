/*
 * test_pcoupon_sim.c — the 商品券 client against `quan sim` over HTTPS, in
 * both access modes (partner: APIv3 merchant signature + brand_id; brand:
 * WECHATPAY-BRAND-SHA256-RSA2048 + the brand's public key): every seeded
 * cashier case with its numeric code and class — a valid coupon used,
 * replayed and returned, an unknown code, another user's coupon, a wrong
 * brand, CONFIRMING (then confirmed), PENDING, used, expired, deactivated,
 * bundle rounds in order — the list and the definitions, answers signed
 * with the wrong key, and the simulator's faults (5xx, dropped answers,
 * bad signatures) after which the same body lands exactly once; and the
 * order-existence switch of use.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>
#include <cmocka.h>

#include <jansson.h>

#include "crypto/wxsign.h"
#include "net/http.h"
#include "net/pcoupon.h"
#include "util/config.h"
#include "util/err.h"
#include "util/log.h"
#include "util/tm.h"
#include "util/xmem.h"

#include "simproc.h"

static char dir[128];
static char url[128];
static pid_t server = -1;
static struct config *cfg;
static json_t *seed;
static int req_seq;

static int
restart(const char *const *extra)
{
	simproc_stop(&server);
	return simproc_start(QUAN_BIN, dir, extra, url, sizeof url, &server);
}

static int
setup(void **state)
{
	(void)state;
	if (simproc_fixture(QUAN_BIN, "test_pcoupon_sim", dir, sizeof dir,
	    &cfg, &seed) != 0)
		return -1;
	return restart(NULL);
}

static int
teardown(void **state)
{
	(void)state;
	simproc_free_fixture(dir, &server, cfg, seed);
	return 0;
}

static void
set(char **field, const char *v)
{
	free(*field);
	*field = xstrdup(v);
}

/* A client of mode against the running simulator; brand_id and the
 * brand-mode public key may be overridden (NULL = configured). */
static struct pcoupon_ctx *
ctx_of(enum config_pc_mode mode, const char *brand_id, const char *pubkey)
{
	struct pcoupon_ctx *x = NULL;
	char *cause = NULL, *keep_b = xstrdup(cfg->pc_brand_id);
	char *keep_k = xstrdup(cfg->pc_public_key);
	int rc;

	cfg->pc_mode = mode;
	set(&cfg->wx_base_url, url);
	if (brand_id)
		set(&cfg->pc_brand_id, brand_id);
	if (pubkey)
		set(&cfg->pc_public_key, pubkey);
	rc = pcoupon_ctx_new(cfg, &x, &cause);
	if (rc != 0)
		fprintf(stderr, "pcoupon_ctx_new: %s\n", cause);
	assert_int_equal(rc, 0);
	set(&cfg->pc_brand_id, keep_b);
	set(&cfg->pc_public_key, keep_k);
	free(keep_b);
	free(keep_k);
	return x;
}

static struct pcoupon *
client(struct pcoupon_ctx *x)
{
	struct pcoupon *p = NULL;

	assert_int_equal(pcoupon_new(x, NULL, &p, NULL), 0);
	return p;
}

static json_t *
entry(const char *cas, size_t i)
{
	json_t *a = json_object_get(json_object_get(json_object_get(seed,
	    "product"), "cases"), cas);

	assert_true(json_is_array(a));
	assert_true(i < json_array_size(a));
	return json_array_get(a, i);
}

static const char *
f(json_t *e, const char *k)
{
	return json_string_value(json_object_get(e, k));
}

static void
reqno(char *out, size_t n, const char *tag)
{
	snprintf(out, n, "%sT01%06d%06lld", tag, ++req_seq,
	    (long long)(tm_now() % 1000000));
}

/* The stored use body of entry e (pay-first: a transaction_id). */
static char *
use_body(struct pcoupon_ctx *x, json_t *e, char *rn, size_t n)
{
	struct pc_use_req q;
	char t[40], tid[40];
	char *b, *cause = NULL;

	reqno(rn, n, "U");
	tm_rfc3339(tm_now(), t, sizeof t);
	snprintf(tid, sizeof tid, "4200000001%018d", req_seq);
	memset(&q, 0, sizeof q);
	q.product_coupon_id = f(e, "product_coupon_id");
	q.stock_id = f(e, "stock_id");
	q.appid = f(e, "appid");
	q.use_time = t;
	q.out_request_no = rn;
	q.transaction_id = tid;
	b = pc_use_body(&q, pcoupon_ctx_mode(x) == CONFIG_PC_PARTNER ?
	    pcoupon_ctx_brand_id(x) : NULL, &cause);
	if (b == NULL)
		fail_msg("use body: %s", cause);
	return b;
}

static char *
simple_body(struct pcoupon_ctx *x, json_t *e, const char *tag, char *rn,
    size_t n, const char *reason)
{
	reqno(rn, n, tag);
	return pc_simple_body(f(e, "product_coupon_id"), f(e, "stock_id"),
	    f(e, "appid"), rn, reason, pcoupon_ctx_mode(x) ==
	    CONFIG_PC_PARTNER ? pcoupon_ctx_brand_id(x) : NULL, NULL);
}

/* use e under openid (NULL = its own); returns the class, checks the
 * numeric code WeChat put in the Request-ID. */
static enum wxpay_class
use_as(struct pcoupon *p, struct pcoupon_ctx *x, json_t *e,
    const char *openid, enum pc_err want, struct pc_result *r)
{
	char rn[48], *b = use_body(x, e, rn, sizeof rn);
	const char *why = NULL;
	enum wxpay_class k;

	pcoupon_use(p, openid ? openid : f(e, "openid"), f(e, "code"), b,
	    strlen(b), r);
	k = pcoupon_classify(r, &why);
	printf("    use %-18s -> rc %d HTTP %ld %s [%s] %s/%s\n", f(e, "code"),
	    r->w.rc, r->w.http, r->w.code, r->w.request_id,
	    wxpay_class_name(k), why);
	assert_int_equal(r->err, want);
	if (want != PC_ERR_NONE)
		assert_int_equal(r->numeric, pc_err_info(want)->numeric);
	free(b);
	return k;
}

/* ---- the cases, per mode ---------------------------------------------- */

static void
cases(enum config_pc_mode mode)
{
	struct pcoupon_ctx *x = ctx_of(mode, NULL, NULL);
	struct pcoupon *p = client(x);
	struct pc_result r, r2;
	json_t *e;
	char rn[48], *b, *b2;
	size_t i;

	pc_result_init(&r);
	pc_result_init(&r2);
	printf("  mode %s\n", mode == CONFIG_PC_BRAND ? "brand" : "partner");

	/* a valid coupon: get, use (and the same body again), return */
	e = entry("valid", mode == CONFIG_PC_BRAND ? 0 : 1);
	assert_int_equal(pcoupon_get(p, f(e, "openid"), f(e, "code"),
	    f(e, "product_coupon_id"), f(e, "stock_id"), &r), 0);
	assert_int_equal(r.w.http, 200);
	assert_true(r.w.verified);
	assert_int_equal(r.coupon.state, PC_ST_EFFECTIVE);
	assert_string_equal(r.coupon.product_coupon_id,
	    f(e, "product_coupon_id"));
	assert_string_equal(r.coupon.stock_id, f(e, "stock_id"));
	assert_string_equal(r.coupon.usage_mode, "SINGLE");
	assert_string_equal(r.coupon.brand_id, mode == CONFIG_PC_PARTNER ?
	    "120344" : "");
	b = use_body(x, e, rn, sizeof rn);
	assert_int_equal(pcoupon_use(p, f(e, "openid"), f(e, "code"), b,
	    strlen(b), &r), 0);
	assert_int_equal(pcoupon_classify(&r, NULL), WXPAY_OK);
	assert_int_equal(r.coupon.state, PC_ST_USED);
	assert_string_equal(r.coupon.use_request_no, rn);
	assert_true(r.coupon.transaction_id[0] != '\0');
	/* the identical body again: the same answer (idempotent) */
	assert_int_equal(pcoupon_use(p, f(e, "openid"), f(e, "code"), b,
	    strlen(b), &r2), 0);
	assert_int_equal(r2.w.http, 200);
	assert_string_equal(r2.coupon.use_request_no, rn);
	/* the same number with other bytes: our bug, stop (268578927) */
	b2 = xstrdup(b);
	b2[strlen(b2) - 5] = b2[strlen(b2) - 5] == '1' ? '2' : '1';
	assert_int_equal(pcoupon_use(p, f(e, "openid"), f(e, "code"), b2,
	    strlen(b2), &r2), 0);
	assert_int_equal(r2.err, PC_ERR_REQNO_MISMATCH);
	assert_int_equal(pcoupon_classify(&r2, NULL), WXPAY_CONFIG);
	free(b2);
	free(b);
	/* a second use with another number: used by another order */
	assert_int_equal(use_as(p, x, e, NULL, PC_ERR_USED_ELSEWHERE, &r),
	    WXPAY_ALREADY);
	b = simple_body(x, e, "R", rn, sizeof rn, NULL);
	assert_int_equal(pcoupon_return(p, f(e, "openid"), f(e, "code"), b,
	    strlen(b), &r), 0);
	assert_int_equal(r.w.http, 200);
	assert_int_equal(r.coupon.state, PC_ST_EFFECTIVE);
	assert_string_equal(r.coupon.return_request_no, rn);
	free(b);

	/* unknown code, another user's coupon */
	{
		json_t *u = json_deep_copy(e);

		json_object_set_new(u, "code", json_string("SIMPC999999999999"));
		assert_int_equal(use_as(p, x, u, NULL, PC_ERR_NOT_FOUND, &r),
		    WXPAY_REJECTED);
		json_decref(u);
	}
	e = entry("other_user", 0);
	assert_int_equal(use_as(p, x, e, f(e, "wrong_openid"),
	    PC_ERR_NOT_FOUND, &r), WXPAY_REJECTED);

	/* states: used, expired, deactivated, pending */
	assert_int_equal(use_as(p, x, entry("used", 0), NULL,
	    PC_ERR_USED_ELSEWHERE, &r), WXPAY_ALREADY);
	assert_int_equal(use_as(p, x, entry("expired", 0), NULL,
	    PC_ERR_EXPIRED, &r), WXPAY_REJECTED);
	assert_int_equal(use_as(p, x, entry("deactivated", 0), NULL,
	    PC_ERR_STATE, &r), WXPAY_REJECTED);
	assert_int_equal(use_as(p, x, entry("pending", 0), NULL,
	    PC_ERR_STATE, &r), WXPAY_REJECTED);
	/* the seeded used coupon names its request: a till can tell */
	e = entry("used", 0);
	assert_int_equal(pcoupon_get(p, f(e, "openid"), f(e, "code"),
	    f(e, "product_coupon_id"), f(e, "stock_id"), &r), 0);
	assert_int_equal(r.coupon.state, PC_ST_USED);
	assert_true(strncmp(r.coupon.use_request_no, "SIMUSE", 6) == 0);

	/* the list and the definitions */
	assert_int_equal(pcoupon_list(p, f(e, "openid"), PC_ST_EFFECTIVE,
	    2, NULL, &r), 0);
	assert_int_equal(r.w.http, 200);
	assert_int_equal(r.nlist, 2);
	assert_true(r.total_count > 2);
	assert_true(r.next_page_token[0] != '\0');
	for (i = 0; i < r.nlist; i++)
		assert_int_equal(r.list[i].state, PC_ST_EFFECTIVE);
	{
		char tok[PC_TOKEN_MAX];

		snprintf(tok, sizeof tok, "%s", r.next_page_token);
		assert_int_equal(pcoupon_list(p, f(e, "openid"),
		    PC_ST_EFFECTIVE, 2, tok, &r2), 0);
		assert_int_equal(r2.nlist, 2);
		assert_int_equal(r2.total_count, -1); /* first page only */
		assert_string_not_equal(r2.list[0].coupon_code,
		    r.list[0].coupon_code);
	}
	assert_int_equal(pcoupon_get_product(p, f(e, "product_coupon_id"),
	    &r), 0);
	assert_int_equal(r.w.http, 200);
	assert_non_null(strstr(r.w.body, "\"scope\":\"ALL\""));
	assert_int_equal(pcoupon_get_stock(p, f(e, "product_coupon_id"),
	    f(e, "stock_id"), &r), 0);
	assert_int_equal(r.w.http, 200);
	assert_non_null(strstr(r.w.body, f(e, "stock_id")));
	assert_int_equal(pcoupon_get_stock(p, f(e, "product_coupon_id"),
	    "999", &r), 0);
	assert_int_equal(r.err, PC_ERR_NO_OBJECT);

	pc_result_free(&r);
	pc_result_free(&r2);
	pcoupon_free(p);
	pcoupon_ctx_free(x);
}

static void
test_partner_mode_cases(void **state)
{
	(void)state;
	cases(CONFIG_PC_PARTNER);
}

static void
test_brand_mode_cases(void **state)
{
	(void)state;
	cases(CONFIG_PC_BRAND);
}

/* CONFIRMING cannot be used; 确认发放 makes it EFFECTIVE (once: the
 * same confirm again answers the same, another number is refused). */
static void
test_confirming_needs_confirm(void **state)
{
	struct pcoupon_ctx *x = ctx_of(CONFIG_PC_BRAND, NULL, NULL);
	struct pcoupon *p = client(x);
	struct pc_result r;
	json_t *e = entry("confirming", 0);
	char rn[48], *b;

	(void)state;
	pc_result_init(&r);
	assert_int_equal(use_as(p, x, e, NULL, PC_ERR_STATE, &r),
	    WXPAY_REJECTED);
	b = simple_body(x, e, "C", rn, sizeof rn, NULL);
	assert_int_equal(pcoupon_confirm(p, f(e, "openid"), f(e, "code"), b,
	    strlen(b), &r), 0);
	assert_int_equal(r.w.http, 200);
	assert_int_equal(r.coupon.state, PC_ST_EFFECTIVE);
	assert_string_equal(r.coupon.confirm_request_no, rn);
	assert_int_equal(pcoupon_confirm(p, f(e, "openid"), f(e, "code"), b,
	    strlen(b), &r), 0);
	assert_int_equal(r.w.http, 200);
	free(b);
	b = simple_body(x, e, "C", rn, sizeof rn, NULL);
	assert_int_equal(pcoupon_confirm(p, f(e, "openid"), f(e, "code"), b,
	    strlen(b), &r), 0);
	assert_int_equal(r.err, PC_ERR_STATE);
	free(b);
	assert_int_equal(use_as(p, x, e, NULL, PC_ERR_NONE, &r), WXPAY_OK);
	pc_result_free(&r);
	pcoupon_free(p);
	pcoupon_ctx_free(x);
}

/* Rounds in order; only the latest used round can be returned. */
static void
test_bundle_rounds(void **state)
{
	struct pcoupon_ctx *x = ctx_of(CONFIG_PC_PARTNER, NULL, NULL);
	struct pcoupon *p = client(x);
	struct pc_result r;
	json_t *r0 = entry("bundle", 0), *r1 = entry("bundle", 1);
	char rn[48], *b;

	(void)state;
	pc_result_init(&r);
	assert_int_equal(json_integer_value(json_object_get(r1,
	    "bundle_index")), 1);
	assert_int_equal(use_as(p, x, r1, NULL, PC_ERR_STATE, &r),
	    WXPAY_REJECTED);
	assert_int_equal(use_as(p, x, r0, NULL, PC_ERR_NONE, &r), WXPAY_OK);
	assert_int_equal(r.coupon.bundle_index, 0);
	assert_int_equal(r.coupon.bundle_total, 3);
	assert_int_equal(r.coupon.bundle_used, 1);
	assert_string_equal(r.coupon.usage_mode, "PROGRESSIVE_BUNDLE");
	assert_int_equal(use_as(p, x, r1, NULL, PC_ERR_NONE, &r), WXPAY_OK);
	assert_int_equal(r.coupon.bundle_used, 2);
	/* round 0 is not the latest used: refused; round 1 returns */
	b = simple_body(x, r0, "R", rn, sizeof rn, NULL);
	assert_int_equal(pcoupon_return(p, f(r0, "openid"), f(r0, "code"), b,
	    strlen(b), &r), 0);
	assert_int_equal(r.err, PC_ERR_STATE);
	free(b);
	b = simple_body(x, r1, "R", rn, sizeof rn, NULL);
	assert_int_equal(pcoupon_return(p, f(r1, "openid"), f(r1, "code"), b,
	    strlen(b), &r), 0);
	assert_int_equal(r.w.http, 200);
	assert_int_equal(r.coupon.state, PC_ST_EFFECTIVE);
	free(b);
	pc_result_free(&r);
	pcoupon_free(p);
	pcoupon_ctx_free(x);
}

/* A brand the partner may not act for (NO_AUTH), a brand_id that is not
 * the key's (SIGN_ERROR), and answers checked with another key. */
static void
test_wrong_brand_and_wrong_key(void **state)
{
	struct pcoupon_ctx *x;
	struct pcoupon *p;
	struct pc_result r;
	json_t *e = entry("valid", 2);
	const char *why = NULL;

	(void)state;
	pc_result_init(&r);
	x = ctx_of(CONFIG_PC_PARTNER, "999999", NULL);
	p = client(x);
	assert_int_equal(pcoupon_get(p, f(e, "openid"), f(e, "code"),
	    f(e, "product_coupon_id"), f(e, "stock_id"), &r), 0);
	assert_int_equal(r.w.http, 403);
	assert_int_equal(r.err, PC_ERR_NO_AUTH);
	assert_int_equal(pcoupon_classify(&r, &why), WXPAY_CONFIG);
	assert_string_equal(why, "no_auth");
	pcoupon_free(p);
	pcoupon_ctx_free(x);

	x = ctx_of(CONFIG_PC_BRAND, "999999", NULL);
	p = client(x);
	assert_int_equal(pcoupon_get(p, f(e, "openid"), f(e, "code"),
	    f(e, "product_coupon_id"), f(e, "stock_id"), &r), 0);
	assert_int_equal(r.w.http, 401);
	assert_int_equal(pcoupon_classify(&r, &why), WXPAY_CONFIG);
	assert_string_equal(why, "sign_error");
	pcoupon_free(p);
	pcoupon_ctx_free(x);

	/* brand mode trusting the merchant's WeChat Pay key under the
	 * brand key id: every answer is refused, never parsed */
	{
		char *other = xasprintf("%s/platform/pub_key.pem", dir);

		x = ctx_of(CONFIG_PC_BRAND, NULL, other);
		free(other);
	}
	p = client(x);
	assert_int_equal(pcoupon_get(p, f(e, "openid"), f(e, "code"),
	    f(e, "product_coupon_id"), f(e, "stock_id"), &r), QUAN_EPROTO);
	assert_int_equal(r.coupon.coupon_code[0], '\0');
	assert_int_equal(pcoupon_classify(&r, &why), WXPAY_RETRY);
	assert_string_equal(why, "bad_reply");
	pc_result_free(&r);
	pcoupon_free(p);
	pcoupon_ctx_free(x);
}

/* Faults: a 5xx and a dropped answer are retried with the same body,
 * a bad signature is refused; the coupon ends used exactly once, by our
 * request number. */
static void
test_faults_then_exactly_once(void **state)
{
	static const char *const f5xx[] = { "--faults", "5xx=1", NULL };
	static const char *const fdrop[] = { "--faults", "drop=1", NULL };
	static const char *const fsig[] = { "--faults", "badsig=1", NULL };
	struct pcoupon_ctx *x;
	struct pcoupon *p;
	struct pc_result r;
	json_t *e = entry("valid", 3);
	char rn[48], *b;
	enum config_pc_mode m = CONFIG_PC_BRAND;

	(void)state;
	pc_result_init(&r);
	assert_int_equal(restart(f5xx), 0);
	x = ctx_of(m, NULL, NULL);
	p = client(x);
	b = use_body(x, e, rn, sizeof rn);
	pcoupon_use(p, f(e, "openid"), f(e, "code"), b, strlen(b), &r);
	assert_true(r.w.http >= 500);
	assert_int_equal(pcoupon_classify(&r, NULL), WXPAY_RETRY);
	pcoupon_free(p);
	pcoupon_ctx_free(x);

	assert_int_equal(restart(fdrop), 0);
	x = ctx_of(m, NULL, NULL);
	p = client(x);
	pcoupon_use(p, f(e, "openid"), f(e, "code"), b, strlen(b), &r);
	assert_int_not_equal(r.w.rc, 0);
	assert_int_equal(pcoupon_classify(&r, NULL), WXPAY_RETRY);
	pcoupon_free(p);
	pcoupon_ctx_free(x);

	assert_int_equal(restart(fsig), 0);
	x = ctx_of(m, NULL, NULL);
	p = client(x);
	pcoupon_use(p, f(e, "openid"), f(e, "code"), b, strlen(b), &r);
	assert_int_equal(r.w.rc, QUAN_EPROTO);
	assert_int_equal(pcoupon_classify(&r, NULL), WXPAY_RETRY);
	pcoupon_free(p);
	pcoupon_ctx_free(x);

	/* faults gone: the same body answers used-by-us */
	assert_int_equal(restart(NULL), 0);
	x = ctx_of(m, NULL, NULL);
	p = client(x);
	assert_int_equal(pcoupon_use(p, f(e, "openid"), f(e, "code"), b,
	    strlen(b), &r), 0);
	assert_int_equal(r.w.http, 200);
	assert_string_equal(r.coupon.use_request_no, rn);
	free(b);
	pc_result_free(&r);
	pcoupon_free(p);
	pcoupon_ctx_free(x);
	/* exactly one use in the simulator's ledger */
	{
		char *cmd = xasprintf("sqlite3 %s/sim.db \"SELECT count(*) "
		    "FROM pc_ledger WHERE kind = 'use' AND code = '%s'\"",
		    dir, f(e, "code"));
		FILE *pp = popen(cmd, "r");
		char line[32] = "";

		free(cmd);
		assert_non_null(pp);
		assert_non_null(fgets(line, sizeof line, pp));
		pclose(pp);
		assert_int_equal(atoi(line), 1);
	}
}

/* --pc-order paid: a use naming an order the simulator never took is
 * refused (no numeric code is documented for it). */
static void
test_order_switch(void **state)
{
	static const char *const paid[] = { "--pc-order", "paid", NULL };
	struct pcoupon_ctx *x;
	struct pcoupon *p;
	struct pc_result r;
	const char *why;

	(void)state;
	pc_result_init(&r);
	assert_int_equal(restart(paid), 0);
	x = ctx_of(CONFIG_PC_PARTNER, NULL, NULL);
	p = client(x);
	assert_int_equal(use_as(p, x, entry("valid", 4), NULL, PC_ERR_NONE,
	    &r), WXPAY_REJECTED);
	assert_int_equal(r.w.http, 400);
	assert_string_equal(r.w.code, "INVALID_REQUEST");
	pcoupon_classify(&r, &why);
	assert_string_equal(why, "not_usable");
	pc_result_free(&r);
	pcoupon_free(p);
	pcoupon_ctx_free(x);
	assert_int_equal(restart(NULL), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_partner_mode_cases),
		cmocka_unit_test(test_brand_mode_cases),
		cmocka_unit_test(test_confirming_needs_confirm),
		cmocka_unit_test(test_bundle_rounds),
		cmocka_unit_test(test_wrong_brand_and_wrong_key),
		cmocka_unit_test(test_faults_then_exactly_once),
		cmocka_unit_test(test_order_switch),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
