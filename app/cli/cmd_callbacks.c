/*
 * cmd_callbacks.c — `quan callbacks serve` (receive COUPON.SEND
 * notifications, verified and decrypted, into the cache) and `quan
 * callbacks register URL` (tell WeChat where to send them).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_common.h"
#include "cli/cmd.h"
#include "core/evq.h"
#include "core/syncmsg.h"
#include "crypto/wxsign.h"
#include "net/callbacks.h"
#include "net/http.h"
#include "net/pcoupon.h"
#include "net/sync_wx.h"
#include "net/wxpay.h"
#include "util/config.h"
#include "util/err.h"
#include "util/log.h"
#include "util/str.h"
#include "util/tm.h"
#include "util/xmem.h"

/* "ADDR:PORT", ":PORT", "PORT" or "[V6]:PORT". */
static int
parse_listen(const char *s, char *addr, size_t n, unsigned *port)
{
	const char *colon;
	int p;

	if (s[0] == '[') {
		const char *e = strchr(s, ']');

		if (e == NULL || e[1] != ':' || (size_t)(e - s - 1) >= n)
			return -1;
		memcpy(addr, s + 1, (size_t)(e - s - 1));
		addr[e - s - 1] = '\0';
		colon = e + 1;
	} else if ((colon = strrchr(s, ':')) != NULL) {
		if ((size_t)(colon - s) >= n)
			return -1;
		memcpy(addr, s, (size_t)(colon - s));
		addr[colon - s] = '\0';
	} else {
		addr[0] = '\0';
		colon = s - 1;
	}
	if (cli_parse_int(colon + 1, 0, 65535, &p) != 0)
		return -1;
	if (addr[0] == '\0')
		snprintf(addr, n, "127.0.0.1");
	*port = (unsigned)p;
	return 0;
}

/* A PEM file: the key must be 0600 (wx_secret_read checks), the
 * certificate is public. At most 64 KiB. */
static char *
read_text(const char *path, int secret, char **cause)
{
	char *txt = NULL;
	size_t n;
	FILE *fp;

	if (secret) {
		if (wx_secret_read(path, 64 * 1024, &txt, cause) != 0)
			return NULL;
		return txt;
	}
	if ((fp = fopen(path, "r")) == NULL) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return NULL;
	}
	txt = xmalloc(64 * 1024 + 1);
	n = fread(txt, 1, 64 * 1024 + 1, fp);
	fclose(fp);
	if (n > 64 * 1024) {
		free(txt);
		*cause = xasprintf("%s: larger than 64 KiB", path);
		return NULL;
	}
	txt[n] = '\0';
	return txt;
}

/* Store one COUPON.SEND and say so. */
static void
store_notice(struct cli *c, const struct sync_notice *n)
{
	char m[64], *cause = NULL;
	int rc = callbacks_store_notice(c->st, n, &cause);

	if (rc == 1)
		log_info("notification %s seen before: ignored", n->id);
	else if (rc != 0)
		log_error("notification %s not stored: %s", n->id, cause);
	else {
		printf("received %s %s stock %s\n", n->id,
		    log_mask(n->code, m, sizeof m), n->stock_id);
		fflush(stdout);
	}
	free(cause);
}

/* Store one product coupon SEND, then confirm what is still CONFIRMING. */
static void
store_pc_notice(struct cli *c, const struct pc_notice *n)
{
	char m[64], *cause = NULL;
	int rc = callbacks_pc_store(c->st, n, &cause);

	if (rc == 1)
		log_info("notification %s seen before: ignored", n->c.notify_id);
	else if (rc != 0)
		log_error("notification %s not stored: %s", n->c.notify_id,
		    cause);
	else {
		printf("received %s %s %s stock %s\n", n->event,
		    n->c.notify_id, log_mask(n->c.code, m, sizeof m),
		    n->c.stock_id);
		fflush(stdout);
	}
	free(cause);
}

/* 确认发放 of every row still CONFIRMING; *next_at: when to try again. */
static void
confirm_pass(struct cli *c, struct pcoupon *p, const struct pcoupon_ctx *x,
    int64_t *next_at)
{
	char *cause = NULL;
	int done = 0, rc;

	if (p == NULL)
		return;
	rc = callbacks_pc_confirm(c->st, p, x, tm_now(), &done, &cause);
	if (done > 0) {
		printf("confirmed %d product coupon%s\n", done, done == 1 ?
		    "" : "s");
		fflush(stdout);
	}
	if (rc != QUAN_OK && rc != QUAN_EBUSY)
		log_error("confirm: %s", cause ? cause : quan_strerror(rc));
	free(cause);
	*next_at = tm_now() + (rc == QUAN_OK ? 30 : 5);
}

/* Every event the receiver posted: COUPON.SEND or a product SEND. */
static void
drain(struct cli *c, struct evq *q, struct pcoupon *p,
    const struct pcoupon_ctx *x, int64_t *next_at)
{
	struct sync_notice n;
	struct pc_notice pn;
	struct ev ev;
	int pc = 0;

	while (evq_get(q, &ev)) {
		syncmsg_get(&ev, &n, sizeof n);
		if (n.op == SYNC_OP_NOTICE) {
			store_notice(c, &n);
		} else if (n.op == SYNC_OP_PC_NOTICE) {
			syncmsg_get(&ev, &pn, sizeof pn);
			store_pc_notice(c, &pn);
			pc = 1;
		}
	}
	if (pc || (p != NULL && tm_now() >= *next_at))
		confirm_pass(c, p, x, next_at);
}

static int
callbacks_serve(struct cli *c, int argc, char **argv)
{
	struct callbacks_opts co;
	struct callbacks *cb = NULL;
	struct sync_wx *x = NULL;
	struct wxpay_ctx *wx;
	struct pcoupon_ctx *pcx = NULL;
	struct pcoupon *pcc = NULL;
	struct evq *q = NULL;
	int64_t next_confirm = 0;
	const char *listen = "127.0.0.1:0", *cert = NULL, *key = NULL;
	char addr[64], *cause = NULL, *cert_pem = NULL, *key_pem = NULL;
	unsigned port, bound = 0;
	int i, rc = EXIT_FAIL;

	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--listen") == 0 && i + 1 < argc)
			listen = argv[++i];
		else if (strcmp(argv[i], "--cert") == 0 && i + 1 < argc)
			cert = argv[++i];
		else if (strcmp(argv[i], "--key") == 0 && i + 1 < argc)
			key = argv[++i];
		else
			goto usage;
	}
	if (parse_listen(listen, addr, sizeof addr, &port) != 0 ||
	    (cert == NULL) != (key == NULL))
		goto usage;
	if (cert != NULL && ((cert_pem = read_text(cert, 0, &cause)) == NULL ||
	    (key_pem = read_text(key, 1, &cause)) == NULL)) {
		fprintf(stderr, "quan callbacks: %s\n", cause);
		goto out;
	}
	cli_signals();
	(void)http_global_init();
	if (sync_wx_new(c->cfg, &x, &cause) != 0)
		goto out;
	wx = sync_wx_wxpay(x);
	if (wx != NULL && wxpay_ctx_apiv3_key(wx) == NULL)
		wx = NULL;
	if ((pcx = sync_wx_pcoupon(x)) != NULL &&
	    pcoupon_ctx_callback_key(pcx) == NULL) {
		fprintf(stderr, "quan callbacks: [product_coupon] needs %s to "
		    "decrypt its notifications\n", c->cfg->pc_mode ==
		    CONFIG_PC_BRAND ? "api_key (the 品牌API密钥)" :
		    "[wechatpay] apiv3_key");
		goto out;
	}
	if (wx == NULL && pcx == NULL) {
		fprintf(stderr, "quan callbacks: the [wechatpay] section with "
		    "apiv3_key (or [product_coupon]) is needed to verify and "
		    "decrypt callbacks\n");
		goto out;
	}
	if (pcx != NULL && pcoupon_new(pcx, NULL, &pcc, &cause) != 0) {
		fprintf(stderr, "quan callbacks: %s\n", cause);
		goto out;
	}
	if (wx != NULL && wx_trust_count(wxpay_ctx_trust(wx)) == 0) {
		struct wxpay *w = NULL;

		/* platform-certificate mode with nothing preloaded */
		if (wxpay_new(wx, NULL, &w, &cause) != 0 ||
		    wxpay_refresh_certs(w, &cause) != 0) {
			fprintf(stderr, "quan callbacks: no platform "
			    "certificate: %s\n", cause ? cause : "?");
			wxpay_free(w);
			goto out;
		}
		wxpay_free(w);
	}
	evq_new(&q, 1024);
	memset(&co, 0, sizeof co);
	co.addr = addr;
	co.port = port;
	co.cert_pem = cert_pem;
	co.key_pem = key_pem;
	co.trust = wx ? wxpay_ctx_trust(wx) : NULL;
	co.apiv3_key = wx ? wxpay_ctx_apiv3_key(wx) : NULL;
	co.pc_trust = pcx ? pcoupon_ctx_trust(pcx) : NULL;
	co.pc_key = pcx ? pcoupon_ctx_callback_key(pcx) : NULL;
	co.out = q;
	if (callbacks_start(&co, &cb, &bound, &cause) != 0) {
		fprintf(stderr, "quan callbacks: %s\n", cause);
		goto out;
	}
	printf("listening %s://%s:%u\n", cert ? "https" : "http", addr,
	    bound);
	fflush(stdout);
	while (!cli_stopping()) {
		struct pollfd p = {.fd = evq_fd(q), .events = POLLIN};

		(void)poll(&p, 1, 500);
		drain(c, q, pcc, pcx, &next_confirm);
	}
	rc = EXIT_OK;
out:
	callbacks_stop(cb);
	if (q != NULL) {
		next_confirm = INT64_MAX; /* stopping: store, no new calls */
		drain(c, q, NULL, pcx, &next_confirm);
		evq_free(q);
	}
	pcoupon_free(pcc);
	sync_wx_free(x);
	free(cert_pem);
	if (key_pem != NULL) {
		memset(key_pem, 0, strlen(key_pem));
		free(key_pem);
	}
	free(cause);
	return rc;
usage:
	fprintf(stderr, "usage: quan callbacks serve [--listen ADDR:PORT] "
	    "[--cert PEM --key PEM]\n");
	return EXIT_USAGE;
}

/* The 商品券 notify URL of the configured mode (notify-configs). */
static int
register_pc(struct pcoupon_ctx *x, const char *url)
{
	struct pcoupon *p = NULL;
	struct pc_result r;
	const char *reason = NULL;
	char *cause = NULL, wm[sizeof r.w.message], wc[sizeof r.w.code * 4];
	int rc = -1;

	pc_result_init(&r);
	if (pcoupon_new(x, NULL, &p, &cause) != 0) {
		fprintf(stderr, "quan callbacks register: %s\n", cause);
	} else if (pcoupon_set_notify(p, url, &r),
	    pcoupon_classify(&r, &reason) != WXPAY_OK) {
		fprintf(stderr, "quan callbacks register: product coupons: "
		    "%s %s (%s)\n", r.w.code[0] ? str_clean(wc, sizeof wc,
		    r.w.code, strlen(r.w.code)) : quan_strerror(r.w.rc),
		    str_clean(wm, sizeof wm,
		    r.w.message, strlen(r.w.message)), reason ? reason : "?");
	} else {
		printf("product coupon notify_url %s set (%s mode)\n", url,
		    pcoupon_ctx_mode(x) == CONFIG_PC_BRAND ? "brand" :
		    "partner");
		rc = 0;
	}
	pc_result_free(&r);
	pcoupon_free(p);
	free(cause);
	return rc;
}

static int
callbacks_register(struct cli *c, const char *url)
{
	struct sync_wx *x = NULL;
	struct wxpay *w = NULL;
	struct wxpay_ctx *wx;
	struct wxpay_result r;
	const char *reason = NULL;
	char *cause = NULL;
	int rc = EXIT_FAIL;

	wxpay_result_init(&r);
	if (strncmp(url, "https://", 8) != 0 || strchr(url, '?') != NULL ||
	    strlen(url) > 256) {
		fprintf(stderr, "quan callbacks register: the URL must be "
		    "https://, at most 256 characters, without a query\n");
		return EXIT_USAGE;
	}
	(void)http_global_init();
	if (sync_wx_new(c->cfg, &x, &cause) != 0)
		goto out;
	if (sync_wx_pcoupon(x) != NULL && register_pc(sync_wx_pcoupon(x),
	    url) != 0)
		goto out;
	if ((wx = sync_wx_wxpay(x)) == NULL) {
		if (sync_wx_pcoupon(x) != NULL)
			rc = EXIT_OK; /* a brand-only till */
		else
			fprintf(stderr, "quan callbacks register: [wechatpay] "
			    "is not configured\n");
		goto out;
	}
	if (wxpay_new(wx, NULL, &w, &cause) != 0) {
		fprintf(stderr, "quan callbacks register: %s\n", cause);
		goto out;
	}
	(void)wxpay_set_callback(w, url, &r);
	if (wxpay_classify(&r, &reason) != WXPAY_OK) {
		char wc[sizeof r.code * 4], wm[sizeof r.message];

		/* WeChat's words, cleaned for the terminal */
		fprintf(stderr, "quan callbacks register: %s %s (%s)\n",
		    r.code[0] ? str_clean(wc, sizeof wc, r.code,
		    strlen(r.code)) : quan_strerror(r.rc), str_clean(wm,
		    sizeof wm, r.message, strlen(r.message)),
		    reason ? reason : "?");
		goto out;
	}
	{
		char nu[sizeof r.notify_url];

		printf("notify_url %s set for %s\n", str_clean(nu, sizeof nu,
		    r.notify_url[0] ? r.notify_url : url, strlen(
		    r.notify_url[0] ? r.notify_url : url)), c->cfg->wx_mchid);
	}
	rc = EXIT_OK;
out:
	wxpay_result_free(&r);
	wxpay_free(w);
	sync_wx_free(x);
	free(cause);
	return rc;
}

int
cmd_callbacks(int argc, char **argv)
{
	struct cli c;
	int rc;

	if ((rc = cli_init(&c, "callbacks", &argc, argv, 0)) != 0)
		goto out;
	if (argc >= 2 && strcmp(argv[1], "serve") == 0) {
		if ((rc = cli_open_store(&c, "callbacks", 0)) == 0)
			rc = callbacks_serve(&c, argc, argv);
	} else if (argc == 3 && strcmp(argv[1], "register") == 0) {
		rc = callbacks_register(&c, argv[2]);
	} else {
		fprintf(stderr, "usage: quan callbacks serve [--listen "
		    "ADDR:PORT] [--cert PEM --key PEM]\n"
		    "       quan callbacks register https://URL\n");
		rc = EXIT_USAGE;
	}
out:
	cli_done(&c);
	return rc;
}
