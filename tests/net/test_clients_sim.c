/*
 * test_clients_sim.c — the WeChat Pay and card clients against the real
 * simulator over HTTPS: `quan sim init` + `quan sim seed` into a temp dir,
 * `quan sim serve --listen 127.0.0.1:0` (URL read from its first stdout
 * line), then every client operation in both trust modes (public key and
 * downloaded platform certificates), every seeded cashier case with its
 * classification, card tokens (refresh after invalidation, one fetch for
 * many threads), keep-alive, and the simulator's faults (SIGTEST, bad
 * signature, clock skew, 5xx, 429, dropped and truncated answers).
 * QUAN_BIN is the path of the built quan binary.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdatomic.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <jansson.h>

#include "core/wxbody.h"
#include "crypto/wxsign.h"
#include "net/card.h"
#include "net/http.h"
#include "net/httpd.h"
#include "net/wxpay.h"
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

/* ---- process helpers (simproc.h) -------------------------------------- */

/* Start `quan sim serve DIR --listen 127.0.0.1:0 --token-grace 0
 * [--faults F]`; fill url. */
static int
start_server(const char *faults)
{
	const char *extra[] = { "--token-grace", "0", "--faults", faults,
	    NULL };

	if (faults == NULL)
		extra[2] = NULL;
	return simproc_start(QUAN_BIN, dir, extra, url, sizeof url, &server);
}

static void
stop_server(void)
{
	simproc_stop(&server);
}

/* ---- fixtures --------------------------------------------------------- */

static char *
dpath(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

static int
setup(void **state)
{
	(void)state;
	tm_set_zone("Asia/Shanghai");
	if (simproc_fixture(QUAN_BIN, "test_clients_sim", dir, sizeof dir,
	    &cfg, &seed) != 0) {
		fprintf(stderr, "simulator fixture failed in %s\n", dir);
		return -1;
	}
	return start_server(NULL);
}

static int
teardown(void **state)
{
	(void)state;
	simproc_free_fixture(dir, &server, cfg, seed);
	return 0;
}

/* The i-th seeded entry of a case ("merchant"/"card"). */
static json_t *
seeded(const char *kind, const char *cas, size_t i)
{
	json_t *a = json_object_get(json_object_get(seed, kind), cas);

	assert_true(json_is_array(a));
	assert_true(i < json_array_size(a));
	return json_array_get(a, i);
}

static const char *
field(json_t *e, const char *k)
{
	json_t *v = json_object_get(e, k);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

enum trust_mode { PUBKEY, PLATFORM, WRONG_PUBKEY };

static struct wxpay_ctx *
wx_ctx(enum trust_mode mode)
{
	struct wxpay_cfg c;
	struct wxpay_ctx *x = NULL;
	char *cause = NULL, *wrong = NULL;
	int rc;

	memset(&c, 0, sizeof c);
	c.base_url = url;
	c.mchid = cfg->wx_mchid;
	c.merchant_serial = cfg->wx_merchant_serial;
	c.private_key = cfg->wx_private_key;
	c.apiv3_key = cfg->wx_apiv3_key;
	c.ca_file = cfg->wx_ca_file;
	if (mode == PUBKEY) {
		c.public_key_id = cfg->wx_public_key_id;
		c.public_key = cfg->wx_public_key;
	} else if (mode == WRONG_PUBKEY) {
		struct wx_key *k = NULL;
		struct wx_pub *p = NULL;

		wrong = dpath("wrong_pub.pem");
		assert_int_equal(wx_key_generate(2048, &k), 0);
		assert_int_equal(wx_pub_from_key(k, &p), 0);
		assert_int_equal(wx_pub_save(p, wrong, NULL), 0);
		wx_pub_free(p);
		wx_key_free(k);
		c.public_key_id = cfg->wx_public_key_id;
		c.public_key = wrong;
		c.apiv3_key = NULL;
	}
	/* PLATFORM: no platform_cert preloaded: it must be downloaded. */
	rc = wxpay_ctx_new(&c, &x, &cause);
	if (rc != 0)
		fprintf(stderr, "wxpay_ctx_new: %s\n", cause);
	assert_int_equal(rc, 0);
	free(wrong);
	return x;
}

static char *
use_body(json_t *e, char *reqno, size_t n)
{
	snprintf(reqno, n, "T01%05d%08lld", ++req_seq, (long long)tm_now() %
	    100000000);
	return wxbody_use(field(e, "code"), field(e, "stock_id"),
	    cfg->wx_appid, tm_now(), reqno, NULL);
}

/* Use entry e; returns the class, prints code/reason for the report. */
static enum wxpay_class
use_entry(struct wxpay *w, json_t *e, const char *label,
    struct wxpay_result *r)
{
	char reqno[40], *body = use_body(e, reqno, sizeof reqno);
	const char *why;
	enum wxpay_class k;

	assert_non_null(body);
	wxpay_use(w, body, strlen(body), r);
	k = wxpay_classify(r, &why);
	printf("    use %-15s -> rc %d HTTP %ld %s: %s/%s\n", label, r->rc,
	    r->http, r->code[0] ? r->code : "-", wxpay_class_name(k), why);
	free(body);
	return k;
}

/* ---- merchant coupons ------------------------------------------------- */

static void
test_wxpay_pubkey_mode(void **state)
{
	struct wxpay_ctx *x = wx_ctx(PUBKEY);
	struct wxpay *w = NULL;
	struct wxpay_result r, q;
	json_t *e = seeded("merchant", "valid", 0);
	char reqno[40], reqno2[40], *body, *body2, *rb;
	const char *why;

	(void)state;
	assert_int_equal(wxpay_new(x, NULL, &w, NULL), 0);
	wxpay_result_init(&r);
	wxpay_result_init(&q);
	/* Redeem. */
	body = use_body(e, reqno, sizeof reqno);
	assert_int_equal(wxpay_use(w, body, strlen(body), &r), 0);
	assert_int_equal(wxpay_classify(&r, &why), WXPAY_OK);
	assert_int_equal(r.verified, 1);
	assert_string_equal(r.stock_id, field(e, "stock_id"));
	assert_true(r.openid[0] != '\0');
	assert_true(r.time[0] != '\0');
	assert_true(r.request_id[0] != '\0');
	/* Same request number, same bytes: the original success again. */
	assert_int_equal(wxpay_use(w, body, strlen(body), &r), 0);
	assert_int_equal(wxpay_classify(&r, NULL), WXPAY_OK);
	/* Another request number: used by another request. */
	body2 = use_body(e, reqno2, sizeof reqno2);
	assert_int_equal(wxpay_use(w, body2, strlen(body2), &r), 0);
	assert_int_equal(wxpay_classify(&r, &why), WXPAY_ALREADY);
	assert_string_equal(r.code, "RESOURCE_ALREADY_EXISTS");
	/* Whose? The query says ours. */
	assert_int_equal(wxpay_query_coupon(w, field(e, "openid"),
	    field(e, "code"), cfg->wx_appid, &q), 0);
	assert_int_equal(wxpay_classify(&q, NULL), WXPAY_OK);
	assert_string_equal(q.coupon_state, "USED");
	assert_string_equal(q.use_request_no, reqno);
	/* Return (退券), then it is usable again. */
	rb = wxbody_return(field(e, "code"), field(e, "stock_id"),
	    "T01R0000001");
	assert_int_equal(wxpay_return(w, rb, strlen(rb), &r), 0);
	assert_int_equal(wxpay_classify(&r, &why), WXPAY_OK);
	assert_true(r.time[0] != '\0');
	free(rb);
	assert_int_equal(wxpay_query_coupon(w, field(e, "openid"),
	    field(e, "code"), cfg->wx_appid, &q), 0);
	assert_string_equal(q.coupon_state, "SENDED");
	/* Deactivate another, then it cannot be used. */
	e = seeded("merchant", "valid", 1);
	rb = wxbody_deactivate(field(e, "code"), field(e, "stock_id"),
	    "T01D0000001", "test");
	assert_int_equal(wxpay_deactivate(w, rb, strlen(rb), &r), 0);
	assert_int_equal(wxpay_classify(&r, NULL), WXPAY_OK);
	free(rb);
	assert_int_equal(use_entry(w, e, "deactivated now", &r),
	    WXPAY_REJECTED);
	/* Stock definition and pre-stored codes. */
	assert_int_equal(wxpay_get_stock(w, field(e, "stock_id"), &r), 0);
	assert_int_equal(wxpay_classify(&r, NULL), WXPAY_OK);
	assert_string_equal(r.stock_id, field(e, "stock_id"));
	assert_string_equal(r.stock_state, "RUNNING");
	assert_non_null(strstr(r.body, "coupon_use_rule"));
	{
		size_t i;
		json_t *a = json_object_get(json_object_get(seed, "merchant"),
		    "valid");
		const char *up = NULL;

		for (i = 0; i < json_array_size(a) && up == NULL; i++)
			if (strcmp(field(json_array_get(a, i),
			    "coupon_code_mode"), "MERCHANT_UPLOAD") == 0)
				up = field(json_array_get(a, i), "stock_id");
		assert_non_null(up);
		assert_int_equal(wxpay_list_codes(w, up, 10, 0, &r), 0);
		assert_int_equal(wxpay_classify(&r, NULL), WXPAY_OK);
		assert_true(r.total_count >= 1);
	}
	assert_int_equal(wxpay_get_stock(w, "99999999", &r), 0);
	assert_int_equal(wxpay_classify(&r, &why), WXPAY_REJECTED);
	/* Callback URL. */
	assert_int_equal(wxpay_set_callback(w, "https://127.0.0.1:9/wx/cb",
	    &r), 0);
	assert_int_equal(wxpay_classify(&r, NULL), WXPAY_OK);
	assert_string_equal(r.notify_url, "https://127.0.0.1:9/wx/cb");
	assert_int_equal(wxpay_get_callback(w, &r), 0);
	assert_string_equal(r.notify_url, "https://127.0.0.1:9/wx/cb");
	/* All of it over one kept-alive connection. */
	assert_int_equal(wxpay_connections(w), 1);
	free(body);
	free(body2);
	wxpay_result_free(&r);
	wxpay_result_free(&q);
	wxpay_free(w);
	wxpay_ctx_free(x);
}

static void
test_wxpay_cases(void **state)
{
	static const struct {
		const char *cas;
		enum wxpay_class k;
	} cases[] = {
		{ "expired", WXPAY_REJECTED },
		{ "not_yet_valid", WXPAY_REJECTED },
		{ "used", WXPAY_ALREADY },
		{ "deactivated", WXPAY_REJECTED },
		{ "unknown", WXPAY_REJECTED },
		{ "stock_paused", WXPAY_REJECTED },
		{ "outside_window", WXPAY_REJECTED },
	};
	struct wxpay_ctx *x = wx_ctx(PUBKEY);
	struct wxpay *w = NULL;
	struct wxpay_result r;
	size_t i, j;

	(void)state;
	assert_int_equal(wxpay_new(x, NULL, &w, NULL), 0);
	wxpay_result_init(&r);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		json_t *a = json_object_get(json_object_get(seed, "merchant"),
		    cases[i].cas);
		for (j = 0; j < json_array_size(a); j++)
			assert_int_equal(use_entry(w, json_array_get(a, j),
			    cases[i].cas, &r), cases[i].k);
	}
	/* A bad request (appid missing is refused by the builder; send a
	 * body without use_time by hand). */
	{
		static const char bad[] = "{\"coupon_code\":\"x\",\"appid\":"
		    "\"wx\",\"use_request_no\":\"r\"}";
		const char *why;

		wxpay_use(w, bad, strlen(bad), &r);
		assert_int_equal(wxpay_classify(&r, &why), WXPAY_REJECTED);
		assert_string_equal(r.code, "PARAM_ERROR");
	}
	wxpay_result_free(&r);
	wxpay_free(w);
	wxpay_ctx_free(x);
}

static void
test_wxpay_platform_mode(void **state)
{
	struct wxpay_ctx *x = wx_ctx(PLATFORM);
	struct wxpay *w = NULL;
	struct wxpay_result r;
	char *cause = NULL;

	(void)state;
	assert_int_equal(wx_trust_count(wxpay_ctx_trust(x)), 0);
	assert_int_equal(wxpay_new(x, NULL, &w, NULL), 0);
	wxpay_result_init(&r);
	/* The first answer names an unknown serial: certificates are
	 * downloaded, decrypted and the answer verified. */
	assert_int_equal(use_entry(w, seeded("merchant", "valid", 2),
	    "platform mode", &r), WXPAY_OK);
	assert_int_equal(r.verified, 1);
	assert_true(wx_trust_count(wxpay_ctx_trust(x)) >= 1);
	assert_int_equal(wxpay_refresh_certs(w, &cause), 0);
	assert_int_equal(use_entry(w, seeded("merchant", "valid", 3),
	    "platform mode", &r), WXPAY_OK);
	free(cause);
	wxpay_result_free(&r);
	wxpay_free(w);
	wxpay_ctx_free(x);
}

static void
test_wxpay_wrong_key(void **state)
{
	struct wxpay_ctx *x = wx_ctx(WRONG_PUBKEY);
	struct wxpay *w = NULL;
	struct wxpay_result r;

	(void)state;
	assert_int_equal(wxpay_new(x, NULL, &w, NULL), 0);
	wxpay_result_init(&r);
	/* Applied by the server but not trusted here: unknown outcome. */
	assert_int_equal(use_entry(w, seeded("merchant", "valid", 4),
	    "wrong pubkey", &r), WXPAY_RETRY);
	assert_int_equal(r.rc, QUAN_EPROTO);
	assert_int_equal(r.verified, 0);
	wxpay_result_free(&r);
	wxpay_free(w);
	wxpay_ctx_free(x);
}

/* ---- card ------------------------------------------------------------- */

static struct card_ctx *
card_ctx(int classic)
{
	struct card_cfg c;
	struct card_ctx *x = NULL;
	char *cause = NULL;

	memset(&c, 0, sizeof c);
	c.base_url = url;
	c.appid = cfg->card_appid;
	c.secret = cfg->card_secret;
	c.ca_file = cfg->card_ca_file;
	c.classic_token = classic;
	if (card_ctx_new(&c, &x, &cause) != 0)
		fprintf(stderr, "card_ctx_new: %s\n", cause);
	assert_non_null(x);
	return x;
}

static enum card_class
card_case(struct card *k, json_t *e, const char *label, int consume,
    struct card_result *r)
{
	const char *why, *cid = NULL;
	enum card_class c;
	json_t *cu = json_object_get(e, "custom_code");

	if (json_is_true(cu) || json_object_get(e, "card_id") != NULL)
		cid = field(e, "card_id");
	if (consume)
		card_code_consume(k, cid, field(e, "code"), r);
	else
		card_code_get(k, cid, field(e, "code"), 1, r);
	c = card_classify(r, tm_now(), &why);
	printf("    card %-7s %-14s -> rc %d errcode %ld: %s/%s\n",
	    consume ? "consume" : "get", label, r->rc, r->errcode,
	    card_class_name(c), why);
	return c;
}

static void
test_card_ops(void **state)
{
	static const struct {
		const char *cas;
		enum card_class k;
		const char *why;
	} cases[] = {
		{ "consumed", CARD_ALREADY, "already_used" },
		{ "expired", CARD_REJECTED, "expired" },
		{ "not_yet_valid", CARD_REJECTED, "not_yet_valid" },
		{ "unavailable", CARD_REJECTED, "not_usable" },
		{ "deleted", CARD_REJECTED, "deleted_or_gifting" },
		{ "unknown", CARD_REJECTED, "invalid_code" },
	};
	struct card_ctx *x = card_ctx(0);
	struct card *k = NULL;
	struct card_result r;
	json_t *e = seeded("card", "valid", 0);
	size_t i, j;

	(void)state;
	assert_int_equal(card_new(x, NULL, &k, NULL), 0);
	card_result_init(&r);
	assert_int_equal(card_case(k, e, "valid", 0, &r), CARD_OK);
	assert_int_equal(r.can_consume, 1);
	assert_string_equal(r.card_id, field(e, "card_id"));
	assert_int_equal(card_case(k, e, "valid", 1, &r), CARD_OK);
	assert_int_equal(r.sent, 1);
	assert_int_equal(card_case(k, e, "again", 1, &r), CARD_ALREADY);
	assert_int_equal(r.errcode, 40099);
	assert_int_equal(card_case(k, e, "after use", 0, &r), CARD_ALREADY);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		json_t *a = json_object_get(json_object_get(seed, "card"),
		    cases[i].cas);
		for (j = 0; j < json_array_size(a); j++) {
			const char *why;
			assert_int_equal(card_case(k, json_array_get(a, j),
			    cases[i].cas, 0, &r), cases[i].k);
			card_classify(&r, tm_now(), &why);
			assert_string_equal(why, cases[i].why);
		}
	}
	/* card/get and code/decrypt. */
	assert_int_equal(card_get(k, field(e, "card_id"), &r), 0);
	assert_int_equal(card_classify(&r, tm_now(), NULL), CARD_OK);
	assert_string_equal(r.card_type, field(e, "card_type"));
	e = seeded("card", "valid", 1);
	assert_int_equal(card_code_decrypt(k, field(e, "encrypt_code"), &r),
	    0);
	assert_int_equal(r.errcode, 0);
	assert_string_equal(r.code, field(e, "code"));
	assert_int_equal(card_code_decrypt(k, "AAAA", &r), 0);
	assert_int_not_equal(r.errcode, 0);
	/* One token for all of it; one kept-alive connection for every
	 * call but the two consumes, which each go over a new one (never
	 * resent by libcurl on a dropped reused connection). */
	assert_int_equal(card_ctx_token_fetches(x), 1);
	assert_int_equal(card_connections(k), 3);
	card_ctx_forget_token(x);
	assert_int_equal(card_get(k, field(e, "card_id"), &r), 0);
	assert_int_equal(card_ctx_token_fetches(x), 2);
	card_free(k);
	card_ctx_free(x);
	/* WeChat unreachable: no access token, so a consume never left */
	{
		struct card_cfg c;

		memset(&c, 0, sizeof c);
		c.base_url = "https://127.0.0.1:1";
		c.appid = cfg->card_appid;
		c.secret = cfg->card_secret;
		assert_int_equal(card_ctx_new(&c, &x, NULL), 0);
		assert_int_equal(card_new(x, NULL, &k, NULL), 0);
		assert_int_not_equal(card_code_consume(k, NULL,
		    field(e, "code"), &r), 0);
		assert_int_equal(r.sent, 0);
		card_free(k);
		card_ctx_free(x);
	}
	card_result_free(&r);
}

/* Two token owners with /cgi-bin/token (grace 0): the second fetch kills
 * the first token; the first client sees 40001, refreshes once, retries. */
static void
test_card_token_refresh(void **state)
{
	struct card_ctx *a = card_ctx(1), *b = card_ctx(1);
	struct card *ka = NULL, *kb = NULL;
	struct card_result r;
	json_t *e = seeded("card", "valid", 2);

	(void)state;
	assert_int_equal(card_new(a, NULL, &ka, NULL), 0);
	assert_int_equal(card_new(b, NULL, &kb, NULL), 0);
	card_result_init(&r);
	assert_int_equal(card_get(ka, field(e, "card_id"), &r), 0);
	assert_int_equal(r.errcode, 0);
	assert_int_equal(r.token_retried, 0);
	assert_int_equal(card_get(kb, field(e, "card_id"), &r), 0);
	assert_int_equal(r.errcode, 0);
	assert_int_equal(card_get(ka, field(e, "card_id"), &r), 0);
	printf("    token refresh: errcode %ld retried %d fetches %ld\n",
	    r.errcode, r.token_retried, card_ctx_token_fetches(a));
	assert_int_equal(r.errcode, 0);
	assert_int_equal(r.token_retried, 1);
	assert_int_equal(card_ctx_token_fetches(a), 2);
	card_result_free(&r);
	card_free(ka);
	card_free(kb);
	card_ctx_free(a);
	card_ctx_free(b);
}

struct worker {
	struct wxpay_ctx *wx;
	struct card_ctx *card;
	int idx;
	int ok;
};

static void *
worker_main(void *p)
{
	struct worker *wk = p;
	struct wxpay *w = NULL;
	struct card *k = NULL;
	struct wxpay_result r;
	struct card_result cr;
	json_t *e;
	char reqno[40], *body;

	if (wxpay_new(wk->wx, NULL, &w, NULL) != 0 ||
	    card_new(wk->card, NULL, &k, NULL) != 0)
		return NULL;
	wxpay_result_init(&r);
	card_result_init(&cr);
	e = seeded("merchant", "valid", (size_t)(10 + wk->idx));
	snprintf(reqno, sizeof reqno, "T01W%d%lld", wk->idx,
	    (long long)tm_now());
	body = wxbody_use(field(e, "code"), field(e, "stock_id"),
	    cfg->wx_appid, tm_now(), reqno, NULL);
	wxpay_use(w, body, strlen(body), &r);
	if (wxpay_classify(&r, NULL) == WXPAY_OK)
		wk->ok++;
	e = seeded("card", "valid", (size_t)(10 + wk->idx));
	card_code_get(k, json_is_true(json_object_get(e, "custom_code")) ?
	    field(e, "card_id") : NULL, field(e, "code"), 1, &cr);
	if (card_classify(&cr, tm_now(), NULL) == CARD_OK)
		wk->ok++;
	free(body);
	wxpay_result_free(&r);
	card_result_free(&cr);
	wxpay_free(w);
	card_free(k);
	return NULL;
}

static void
test_threads_share_token(void **state)
{
	struct wxpay_ctx *x = wx_ctx(PLATFORM);
	struct card_ctx *c = card_ctx(0);
	struct worker wk[4];
	pthread_t th[4];
	int i;

	(void)state;
	for (i = 0; i < 4; i++) {
		wk[i].wx = x;
		wk[i].card = c;
		wk[i].idx = i;
		wk[i].ok = 0;
		assert_int_equal(pthread_create(&th[i], NULL, worker_main,
		    &wk[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(wk[i].ok, 2);
	}
	/* Four threads, one token fetch. */
	assert_int_equal(card_ctx_token_fetches(c), 1);
	card_ctx_free(c);
	wxpay_ctx_free(x);
}

/* ---- faults ----------------------------------------------------------- */

static void
test_faults(void **state)
{
	static const struct {
		const char *spec;
		int rc;
		enum wxpay_class k;
		const char *reason;
	} cases[] = {
		{ "signtest=1", QUAN_EPROTO, WXPAY_RETRY, "bad_reply" },
		{ "badsig=1", QUAN_EPROTO, WXPAY_RETRY, "bad_reply" },
		{ "skew=600", QUAN_ECLOCK, WXPAY_RETRY, "bad_reply" },
		{ "skew=-300", QUAN_ECLOCK, WXPAY_RETRY, "bad_reply" },
		{ "5xx=1", 0, WXPAY_RETRY, "wechat_busy" },
		{ "429=1/1", 0, WXPAY_RETRY, "rate_limited" },
		{ "drop=1", QUAN_ENET, WXPAY_RETRY, "network" },
		{ "trunc=1", QUAN_ENET, WXPAY_RETRY, "network" },
		{ "skew=290", 0, WXPAY_OK, "ok" },
	};
	struct wxpay_result r;
	struct card_result cr;
	size_t i;

	(void)state;
	wxpay_result_init(&r);
	card_result_init(&cr);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct wxpay_ctx *x;
		struct wxpay *w = NULL;
		const char *why;
		enum wxpay_class k;

		stop_server();
		assert_int_equal(start_server(cases[i].spec), 0);
		x = wx_ctx(PUBKEY);
		assert_int_equal(wxpay_new(x, NULL, &w, NULL), 0);
		k = use_entry(w, seeded("merchant", "valid", 20 + i),
		    cases[i].spec, &r);
		printf("      message: %.120s\n", r.message);
		/* every one reached the simulator (a drop: after applying) */
		assert_int_equal(r.sent, 1);
		assert_int_equal(r.rc, cases[i].rc);
		assert_int_equal(k, cases[i].k);
		wxpay_classify(&r, &why);
		assert_string_equal(why, cases[i].reason);
		if (strcmp(cases[i].spec, "signtest=1") == 0)
			assert_non_null(strstr(r.message, "SIGNTEST"));
		wxpay_free(w);
		wxpay_ctx_free(x);
	}
	/* Card API faults: -1 busy and 45011. */
	{
		static const char *const specs[] = { "5xx=1", "429=1/1" };
		static const char *const why_want[] = { "wechat_busy",
		    "quota_minute" };
		for (i = 0; i < 2; i++) {
			struct card_ctx *c;
			struct card *k = NULL;
			const char *why;

			stop_server();
			assert_int_equal(start_server(specs[i]), 0);
			c = card_ctx(0);
			assert_int_equal(card_new(c, NULL, &k, NULL), 0);
			card_get(k, field(seeded("card", "valid", 3),
			    "card_id"), &cr);
			printf("    card %s -> rc %d http %ld errcode %ld\n",
			    specs[i], cr.rc, cr.http, cr.errcode);
			/* the token call meets the fault first: the call
			 * itself never left */
			assert_int_equal(cr.sent, cr.rc == 0);
			assert_int_equal(card_classify(&cr, tm_now(), &why),
			    CARD_RETRY);
			assert_string_equal(why, why_want[i]);
			card_free(k);
			card_ctx_free(c);
		}
	}
	stop_server();
	assert_int_equal(start_server(NULL), 0);
	card_result_free(&cr);
	wxpay_result_free(&r);
}


/* ---- central token service (card.h contract) -------------------------- */

struct toksvc {
	int calls, refreshes;
	int bogus_first; /* hand out a dead token first */
	pthread_mutex_t mu;
};

/* GET /token?appid=..[&refresh=1]: fetch the simulator's stable token the
 * way a store's central service would, answer the documented JSON. */
static void
toksvc_handler(void *arg, const struct httpd_req *req, struct httpd_resp *rs)
{
	struct toksvc *t = arg;
	char *appid = httpd_query_get(httpd_req_query(req), "appid");
	char *refresh = httpd_query_get(httpd_req_query(req), "refresh");
	struct http_opts o;
	struct http *h = NULL;
	struct http_resp r;
	char *secret = NULL, *body, *u;
	const char *hdrs[] = { "Content-Type: application/json", NULL };
	int bogus;

	pthread_mutex_lock(&t->mu);
	t->calls++;
	if (refresh != NULL && strcmp(refresh, "1") == 0)
		t->refreshes++;
	bogus = t->bogus_first;
	t->bogus_first = 0;
	pthread_mutex_unlock(&t->mu);
	if (appid == NULL || strcmp(appid, cfg->card_appid) != 0) {
		httpd_resp_status(rs, 400);
		goto out;
	}
	if (bogus) {
		static const char b[] = "{\"access_token\":\"DEADTOKEN\","
		    "\"expires_in\":7200}";
		httpd_resp_status(rs, 200);
		httpd_resp_body(rs, b, strlen(b));
		goto out;
	}
	memset(&o, 0, sizeof o);
	o.ca_file = cfg->card_ca_file;
	http_resp_init(&r);
	if (http_new(&o, &h, NULL) != 0 ||
	    wx_secret_read(cfg->card_secret, 128, &secret, NULL) != 0) {
		httpd_resp_status(rs, 500);
		http_free(h);
		goto out;
	}
	body = xasprintf("{\"grant_type\":\"client_credential\",\"appid\":"
	    "\"%s\",\"secret\":\"%s\",\"force_refresh\":false}", appid,
	    secret);
	u = xasprintf("%s/cgi-bin/stable_token", url);
	if (http_request(h, "POST", u, hdrs, body, strlen(body), &r,
	    NULL) == 0 && r.status == 200) {
		httpd_resp_status(rs, 200);
		httpd_resp_body(rs, buf_str(&r.body), r.body.len);
	} else
		httpd_resp_status(rs, 502);
	free(u);
	wx_wipe_free(body);
	wx_wipe_free(secret);
	http_resp_free(&r);
	http_free(h);
out:
	free(appid);
	free(refresh);
}

static char *
slurp(const char *name)
{
	char *p = dpath(name), *s = NULL;
	FILE *f = fopen(p, "r");
	long n;

	free(p);
	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	s = xcalloc(1, (size_t)n + 1);
	if (fread(s, 1, (size_t)n, f) != (size_t)n) {
		free(s);
		s = NULL;
	}
	fclose(f);
	return s;
}

static void
test_card_token_service(void **state)
{
	struct toksvc t = { 0, 0, 1, PTHREAD_MUTEX_INITIALIZER };
	struct httpd_opts ho;
	struct httpd *srv = NULL;
	struct card_cfg c;
	struct card_ctx *x = NULL;
	struct card *k = NULL;
	struct card_result r;
	char *cert = slurp("server/cert.pem"), *key = slurp("server/key.pem");
	char *cause = NULL, tu[128];
	unsigned port = 0;
	json_t *e = seeded("card", "valid", 5);

	(void)state;
	assert_non_null(cert);
	assert_non_null(key);
	memset(&ho, 0, sizeof ho);
	ho.addr = "127.0.0.1";
	ho.cert_pem = cert;
	ho.key_pem = key;
	ho.handler = toksvc_handler;
	ho.arg = &t;
	assert_int_equal(httpd_start(&ho, &srv, &port, &cause), 0);
	snprintf(tu, sizeof tu, "https://127.0.0.1:%u/token", port);
	memset(&c, 0, sizeof c);
	c.base_url = url;
	c.appid = cfg->card_appid;
	c.token_url = tu;
	c.ca_file = cfg->card_ca_file;
	assert_int_equal(card_ctx_new(&c, &x, &cause), 0);
	assert_int_equal(card_new(x, NULL, &k, NULL), 0);
	card_result_init(&r);
	/* The service first hands out a dead token: WeChat refuses it, the
	 * client asks the service again with refresh=1 and retries once. */
	assert_int_equal(card_get(k, field(e, "card_id"), &r), 0);
	printf("    token service: errcode %ld retried %d calls %d "
	    "refreshes %d\n", r.errcode, r.token_retried, t.calls,
	    t.refreshes);
	assert_int_equal(r.errcode, 0);
	assert_int_equal(r.token_retried, 1);
	assert_int_equal(t.calls, 2);
	assert_int_equal(t.refreshes, 1);
	/* Cached afterwards. */
	assert_int_equal(card_get(k, field(e, "card_id"), &r), 0);
	assert_int_equal(r.errcode, 0);
	assert_int_equal(t.calls, 2);
	card_result_free(&r);
	card_free(k);
	card_ctx_free(x);
	httpd_stop(srv);
	free(cause);
	wx_wipe_free(key);
	free(cert);
}

/* ---- transport edges -------------------------------------------------- */

static void *
stopper(void *p)
{
	atomic_int *stop = p;

	usleep(200 * 1000);
	atomic_store(stop, 1);
	return NULL;
}

/* GET u fails with want, and http_request_sent says it never left. */
static void
never_left(struct http *h, const char *u, int want, struct http_resp *r)
{
	char *cause = NULL;
	int rc = http_request(h, "GET", u, NULL, NULL, 0, r, &cause);

	printf("    %s: rc %d (%s)\n", u, rc, cause);
	assert_int_equal(rc, want);
	assert_int_equal(http_request_sent(h), 0);
	free(cause);
}

static void
test_transport_edges(void **state)
{
	struct http_opts o;
	struct http *h = NULL;
	struct http_resp r;
	struct wxpay_cfg wc;
	struct wxpay_ctx *x = NULL;
	struct wxpay *w = NULL;
	struct wxpay_result res;
	char *cause = NULL, *u;
	atomic_int stop;
	pthread_t th;
	uint64_t t0;
	int rc;

	(void)state;
	http_resp_init(&r);
	wxpay_result_init(&res);
	/* TLS is verified: without the simulator's CA the handshake fails,
	 * before the request could leave, as a TLS error of its own (the
	 * till shows TLS ERROR, not OFFLINE) */
	memset(&o, 0, sizeof o);
	assert_int_equal(http_new(&o, &h, NULL), 0);
	u = xasprintf("%s/cgi-bin/token", url);
	never_left(h, u, QUAN_ETLS, &r);
	/* https only. */
	never_left(h, "http://127.0.0.1:1/x", QUAN_EINVAL, &r);
	/* connection refused */
	never_left(h, "https://127.0.0.1:1/x", QUAN_ENET, &r);
	http_free(h);
	/* A body over the cap. */
	o.ca_file = cfg->wx_ca_file;
	o.max_body = 16;
	assert_int_equal(http_new(&o, &h, NULL), 0);
	rc = http_request(h, "GET", u, NULL, NULL, 0, &r, &cause);
	printf("    cap 16: rc %d (%s)\n", rc, cause);
	assert_int_equal(rc, QUAN_ETOOBIG);
	assert_int_equal(http_request_sent(h), 1); /* it was answered */
	free(cause);
	cause = NULL;
	http_free(h);
	http_resp_free(&r);
	free(u);

	/* Slow server: total timeout, and the stop flag. */
	stop_server();
	assert_int_equal(start_server("latency=3000"), 0);
	memset(&wc, 0, sizeof wc);
	wc.base_url = url;
	wc.mchid = cfg->wx_mchid;
	wc.merchant_serial = cfg->wx_merchant_serial;
	wc.private_key = cfg->wx_private_key;
	wc.public_key_id = cfg->wx_public_key_id;
	wc.public_key = cfg->wx_public_key;
	wc.ca_file = cfg->wx_ca_file;
	wc.timeout_ms = 500;
	assert_int_equal(wxpay_ctx_new(&wc, &x, NULL), 0);
	atomic_init(&stop, 0);
	assert_int_equal(wxpay_new(x, &stop, &w, NULL), 0);
	t0 = tm_mono_ms();
	assert_int_equal(wxpay_get_stock(w, field(seeded("merchant", "valid",
	    0), "stock_id"), &res), QUAN_ETIMEDOUT);
	assert_true(tm_mono_ms() - t0 < 2000);
	assert_int_equal(wxpay_classify(&res, NULL), WXPAY_RETRY);
	wxpay_free(w);
	wxpay_ctx_free(x);
	wc.timeout_ms = 10000;
	assert_int_equal(wxpay_ctx_new(&wc, &x, NULL), 0);
	assert_int_equal(wxpay_new(x, &stop, &w, NULL), 0);
	assert_int_equal(pthread_create(&th, NULL, stopper, &stop), 0);
	t0 = tm_mono_ms();
	assert_int_equal(wxpay_get_stock(w, field(seeded("merchant", "valid",
	    0), "stock_id"), &res), QUAN_ECLOSED);
	printf("    stop flag: aborted after %llu ms\n",
	    (unsigned long long)(tm_mono_ms() - t0));
	assert_true(tm_mono_ms() - t0 < 2000);
	pthread_join(th, NULL);
	wxpay_free(w);
	wxpay_ctx_free(x);
	wxpay_result_free(&res);
	stop_server();
	assert_int_equal(start_server(NULL), 0);
}


static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Round-trip figures of a signed, verified call over keep-alive (sign on
 * both sides + verify here): printed for the report. */
static void
test_latency(void **state)
{
	struct wxpay_ctx *x = wx_ctx(PUBKEY);
	struct wxpay *w = NULL;
	struct wxpay_result r;
	uint64_t us[200], t0;
	const char *sid = field(seeded("merchant", "valid", 0), "stock_id");
	size_t i, n = sizeof us / sizeof us[0];

	(void)state;
	assert_int_equal(wxpay_new(x, NULL, &w, NULL), 0);
	wxpay_result_init(&r);
	t0 = tm_mono_us();
	for (i = 0; i < n; i++) {
		uint64_t a = tm_mono_us();
		assert_int_equal(wxpay_get_stock(w, sid, &r), 0);
		us[i] = tm_mono_us() - a;
	}
	t0 = tm_mono_us() - t0;
	qsort(us, n, sizeof us[0], cmp_u64);
	printf("    %zu signed get-stock calls, 1 connection: %.0f/s, p50 "
	    "%.2f ms, p99 %.2f ms\n", n, (double)n * 1e6 / (double)t0,
	    (double)us[n / 2] / 1000.0, (double)us[n * 99 / 100] / 1000.0);
	assert_int_equal(wxpay_connections(w), 1);
	assert_true(us[n * 99 / 100] < 1000000);
	wxpay_result_free(&r);
	wxpay_free(w);
	wxpay_ctx_free(x);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wxpay_pubkey_mode),
		cmocka_unit_test(test_wxpay_cases),
		cmocka_unit_test(test_wxpay_platform_mode),
		cmocka_unit_test(test_wxpay_wrong_key),
		cmocka_unit_test(test_card_ops),
		cmocka_unit_test(test_card_token_refresh),
		cmocka_unit_test(test_threads_share_token),
		cmocka_unit_test(test_faults),
		cmocka_unit_test(test_card_token_service),
		cmocka_unit_test(test_transport_edges),
		cmocka_unit_test(test_latency),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
