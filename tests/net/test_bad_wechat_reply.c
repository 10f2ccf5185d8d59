/* test_badreply.c — bad server replies through the whole sync path (real
 * sync thread, real WeChat Pay client, real store): an HTTPS server with
 * the simulator's certificates answers coupons/use with garbage JSON, a
 * body over the cap, wrong types, missing fields, a bad signature, a
 * SIGNTEST probe, no signature headers, a truncated body and a dropped
 * connection. Each must leave the outbox row open (unknown, to resend)
 * with a clear last_error and the coupon still accepted offline; a good
 * answer then confirms it with the same body and request number.
 * Labelled tsan (sync thread + curl + libmicrohttpd threads). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/evq.h"
#include "core/settle.h"
#include "crypto/wxsign.h"
#include "net/http.h"
#include "net/httpd.h"
#include "net/sync.h"
#include "net/sync_wx.h"
#include "sim/sim.h"
#include "store/store.h"
#include "util/config.h"
#include "util/err.h"
#include "util/str.h"
#include "util/tm.h"
#include "util/xmem.h"

enum mode {
	M_GARBAGE = 0, M_HUGE, M_TYPES, M_MISSING, M_BADSIG, M_SIGNTEST,
	M_NOHDR, M_TRUNC, M_DROP, M_CTRL, M_LONGZH, M_NMODES, M_GOOD = 100
};

static const char *const mode_name[] = {"garbage JSON", "huge body",
	"wrong types", "missing fields", "bad signature", "SIGNTEST probe",
	"no signature headers", "truncated body", "dropped connection",
	"control characters", "long Chinese message"};

struct srv {
	atomic_int mode;
	atomic_int hits;
	struct wx_key *key;
	char serial[128];
	char last_body[512];   /* written by the handler thread */
	atomic_int body_ok;
};

static void
sign_into(struct srv *s, struct httpd_resp *rs, const char *body,
    size_t len, int corrupt)
{
	char ts[24], nonce[40], *msg, *sig = NULL;

	snprintf(ts, sizeof ts, "%lld", (long long)tm_now());
	snprintf(nonce, sizeof nonce, "N%lld", (long long)tm_mono_us());
	msg = xasprintf("%s\n%s\n%.*s\n", ts, nonce, (int)len, body);
	assert_int_equal(wx_sign(s->key, msg, strlen(msg), &sig), 0);
	free(msg);
	if (corrupt == 1)
		sig[5] = sig[5] == 'A' ? 'B' : 'A';
	httpd_resp_header(rs, "Wechatpay-Timestamp", ts);
	httpd_resp_header(rs, "Wechatpay-Nonce", nonce);
	httpd_resp_header(rs, "Wechatpay-Signature", corrupt == 2 ?
	    "WECHATPAY/SIGNTEST/AAAAAAAAAAAAAAAAAAAA" : sig);
	httpd_resp_header(rs, "Wechatpay-Serial", s->serial);
	httpd_resp_header(rs, "Request-ID", "test-request-id");
	free(sig);
}

static void
handler(void *arg, const struct httpd_req *req, struct httpd_resp *rs)
{
	struct srv *s = arg;
	const char *good = "{\"stock_id\":\"1212\",\"openid\":\"oUser\","
	    "\"wechatpay_use_time\":\"2026-11-30T12:00:00+08:00\"}";
	const char *body;
	size_t len;
	char *big;
	int m = atomic_load(&s->mode);

	atomic_fetch_add(&s->hits, 1);
	body = httpd_req_body(req, &len);
	if (strcmp(httpd_req_path(req),
	    "/v3/marketing/busifavor/coupons/use") == 0 && len < 512) {
		/* every send carries the same body (checked by the test) */
		if (s->last_body[0] != '\0' && strcmp(s->last_body, body) != 0)
			atomic_store(&s->body_ok, 0);
		snprintf(s->last_body, sizeof s->last_body, "%s", body);
	}
	httpd_resp_status(rs, 200);
	httpd_resp_header(rs, "Content-Type", "application/json");
	switch (m) {
	case M_GARBAGE:
		httpd_resp_body(rs, "{\"stock_id\":", 12);
		sign_into(s, rs, "{\"stock_id\":", 12, 0);
		break;
	case M_HUGE:
		big = xmalloc(2 * 1024 * 1024);
		memset(big, ' ', 2 * 1024 * 1024);
		big[0] = '{';
		big[2 * 1024 * 1024 - 1] = '}';
		httpd_resp_body(rs, big, 2 * 1024 * 1024);
		free(big);
		break;
	case M_TYPES: {
		const char *b = "{\"stock_id\":1212,\"openid\":[],"
		    "\"wechatpay_use_time\":true}";

		httpd_resp_body(rs, b, strlen(b));
		sign_into(s, rs, b, strlen(b), 0);
		break;
	}
	case M_MISSING:
		httpd_resp_body(rs, "{}", 2);
		sign_into(s, rs, "{}", 2, 0);
		break;
	case M_BADSIG:
		httpd_resp_body(rs, good, strlen(good));
		sign_into(s, rs, good, strlen(good), 1);
		break;
	case M_SIGNTEST:
		httpd_resp_body(rs, good, strlen(good));
		sign_into(s, rs, good, strlen(good), 2);
		break;
	case M_NOHDR:
		httpd_resp_body(rs, good, strlen(good));
		break;
	case M_TRUNC:
		httpd_resp_body(rs, good, strlen(good));
		sign_into(s, rs, good, strlen(good), 0);
		httpd_resp_truncate(rs, 10);
		break;
	case M_DROP:
		httpd_resp_drop(rs);
		break;
	case M_CTRL: {
		/* a signed 500 whose message would clear the screen of
		 * whoever reads `quan sync` or the log, and forge a line */
		const char *b = "{\"code\":\"SYSTEM_ERROR\",\"message\":"
		    "\"busy\\u001b[2J\\n2026-01-01 error: fake\\u009b1m\"}";

		httpd_resp_status(rs, 500);
		httpd_resp_body(rs, b, strlen(b));
		sign_into(s, rs, b, strlen(b), 0);
		break;
	}
	case M_LONGZH: {
		/* longer than the stored text: cut, but never inside a
		 * character (the stored words go into status/report JSON) */
		char b[1024];
		int i, o;

		o = snprintf(b, sizeof b, "{\"code\":\"SYSTEM_ERROR\","
		    "\"message\":\"");
		for (i = 0; i < 59; i++)
			o += snprintf(b + o, sizeof b - (size_t)o, "系");
		o += snprintf(b + o, sizeof b - (size_t)o, "\"}");
		httpd_resp_status(rs, 500);
		httpd_resp_body(rs, b, (size_t)o);
		sign_into(s, rs, b, (size_t)o, 0);
		break;
	}
	default:
		httpd_resp_body(rs, good, strlen(good));
		sign_into(s, rs, good, strlen(good), 0);
		break;
	}
}

static char *
slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *b = xcalloc(1, 65536);

	assert_non_null(fp);
	assert_true(fread(b, 1, 65535, fp) > 0);
	fclose(fp);
	return b;
}

static void
test_bad_replies(void **state)
{
	char dir[] = "/tmp/quan-badreply-XXXXXX", path[512], *cause = NULL;
	char *cert_pem, *key_pem;
	struct srv srv;
	struct httpd_opts ho;
	struct httpd *h = NULL;
	struct config *cfg = NULL;
	struct store *st = NULL;
	struct store_txn t;
	struct store_red red;
	struct store_outbox o;
	struct evq *to_sync, *results;
	struct sync_wx *x = NULL;
	struct sync *sy = NULL;
	struct settle *se = NULL;
	struct settle_opts so;
	struct sync_cfg sc;
	struct wx_cert *pc = NULL;
	unsigned port = 0;
	int64_t now = tm_now();
	int m, i, n, round;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(sim_init(dir, 18443, 0, &cause), 0);
	assert_int_equal(http_global_init(), 0);
	memset(&srv, 0, sizeof srv);
	atomic_init(&srv.body_ok, 1);
	snprintf(path, sizeof path, "%s/platform/key.pem", dir);
	assert_int_equal(wx_key_load_file(path, &srv.key, &cause), 0);
	snprintf(path, sizeof path, "%s/platform/cert.pem", dir);
	assert_int_equal(wx_cert_load_file(path, &pc, &cause), 0);
	snprintf(srv.serial, sizeof srv.serial, "%s", wx_cert_serial(pc));
	wx_cert_free(pc);
	snprintf(path, sizeof path, "%s/server/cert.pem", dir);
	cert_pem = slurp(path);
	snprintf(path, sizeof path, "%s/server/key.pem", dir);
	key_pem = slurp(path);
	memset(&ho, 0, sizeof ho);
	ho.cert_pem = cert_pem;
	ho.key_pem = key_pem;
	ho.handler = handler;
	ho.arg = &srv;
	assert_int_equal(httpd_start(&ho, &h, &port, &cause), 0);

	snprintf(path, sizeof path, "%s/quan.conf", dir);
	assert_int_equal(config_load(path, &cfg, &cause), 0);
	free(cfg->wx_base_url);
	cfg->wx_base_url = xasprintf("https://127.0.0.1:%u", port);
	free(cfg->wx_public_key_id);
	cfg->wx_public_key_id = xstrdup(""); /* platform-certificate mode */
	free(cfg->wx_public_key);
	cfg->wx_public_key = xstrdup("");
	cfg->wx_timeout_ms = 2000;
	assert_int_equal(tm_set_zone("Asia/Shanghai"), 0);

	snprintf(path, sizeof path, "%s/quan.db", dir);
	assert_int_equal(store_open(path, 0, &st, &cause), 0);
	memset(&t, 0, sizeof t);
	t.amount_fen = 10000;
	t.state = TXN_REDEEMED;
	t.opened_at = now;
	assert_int_equal(store_txn_insert(st, &t), 0);
	memset(&red, 0, sizeof red);
	red.txn_id = t.id;
	red.line = 1;
	snprintf(red.code, sizeof red.code, "QA0000000042");
	red.kind = STORE_MERCHANT;
	snprintf(red.target, sizeof red.target, "1212");
	snprintf(red.coupon_type, sizeof red.coupon_type, "NORMAL");
	snprintf(red.idem_key, sizeof red.idem_key, "T01U000000000042");
	red.state = CHECKOUT_ACCEPTED_OFFLINE;
	red.discount_fen = 100;
	red.use_time = now;
	red.offline_at = now;
	red.created_at = red.updated_at = now;
	assert_int_equal(store_red_insert(st, &red), 0);
	memset(&o, 0, sizeof o);
	o.red_id = red.id;
	o.op = STORE_OP_USE;
	o.kind = STORE_MERCHANT;
	snprintf(o.request_no, sizeof o.request_no, "%s", red.idem_key);
	o.next_at = now;
	o.created_at = now;
	assert_int_equal(store_outbox_insert(st, &o), 0);

	assert_int_equal(evq_new(&to_sync, 16), 0);
	assert_int_equal(evq_new(&results, 256), 0);
	assert_int_equal(sync_wx_new(cfg, &x, &cause), 0);
	settle_opts_defaults(&so);
	so.refresh_s = 0;
	so.once = 100;
	assert_int_equal(settle_new(&se, st, cfg, &so, to_sync), 0);
	sync_cfg_defaults(&sc);
	sc.workers = 1;
	sc.max_tries = 1;      /* one send per round: one reply kind each */
	sc.rate_per_s = 0;
	assert_int_equal(sync_start(&sy, &sc, to_sync, results, &sync_wx_ops,
	    x, &cause), 0);

	for (round = 0; round <= M_NMODES; round++) {
		struct store_outbox now_o;
		struct store_red now_r;

		m = round < M_NMODES ? round : M_GOOD;
		atomic_store(&srv.mode, m);
		assert_int_equal(settle_pump(se, tm_now(), &n), 0);
		assert_int_equal(n, 1);
		for (i = 0; i < 600 && settle_inflight(se) > 0; i++) {
			struct ev ev;

			if (evq_wait(results, &ev, 50))
				assert_int_equal(settle_apply(se, &ev,
				    tm_now()), 0);
		}
		assert_int_equal(settle_inflight(se), 0);
		assert_int_equal(store_outbox_get(st, o.id, &now_o), 0);
		assert_int_equal(store_red_get(st, red.id, &now_r), 0);
		assert_int_equal(now_o.attempts, round + 1);
		if (m == M_GOOD) {
			assert_int_equal(now_o.state, OUTBOX_DONE);
			assert_int_equal(now_r.state, CHECKOUT_CONFIRMED);
			printf("good answer: confirmed after %d sends\n",
			    now_o.attempts);
		} else {
			printf("%-20s -> row %s, last_error \"%s\"\n",
			    mode_name[m], outbox_state_name(now_o.state),
			    now_o.last_error);
			assert_int_equal(now_o.state, OUTBOX_UNKNOWN);
			assert_int_equal(now_r.state, CHECKOUT_ACCEPTED_OFFLINE);
			assert_true(strlen(now_o.last_error) > 10);
			/* WeChat's words are stored cleaned: UTF-8, whole
			 * characters, no control characters */
			assert_true(str_is_clean(now_o.last_error));
			if (m == M_CTRL)
				assert_non_null(strstr(now_o.last_error,
				    "busy\\x1b[2J\\n2026"));
		}
	}
	/* every resend was byte-identical */
	assert_int_equal(atomic_load(&srv.body_ok), 1);
	assert_non_null(strstr(srv.last_body,
	    "\"use_request_no\":\"T01U000000000042\""));

	sync_stop(sy);
	settle_free(se);
	sync_wx_free(x);
	evq_free(to_sync);
	evq_free(results);
	store_close(st);
	config_free(cfg);
	httpd_stop(h);
	wx_key_free(srv.key);
	free(cert_pem);
	free(key_pem);
	snprintf(path, sizeof path, "rm -rf %s", dir);
	assert_int_equal(system(path), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_replies),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
