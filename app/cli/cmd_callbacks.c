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

static int
callbacks_serve(struct cli *c, int argc, char **argv)
{
	struct callbacks_opts co;
	struct callbacks *cb = NULL;
	struct sync_wx *x = NULL;
	struct wxpay_ctx *wx;
	struct evq *q = NULL;
	struct sync_notice n;
	struct ev ev;
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
	if (sync_wx_new(c->cfg, &x, &cause) != 0 ||
	    (wx = sync_wx_wxpay(x)) == NULL ||
	    wxpay_ctx_apiv3_key(wx) == NULL) {
		fprintf(stderr, "quan callbacks: the [wechatpay] section with "
		    "apiv3_key is needed to verify and decrypt callbacks\n");
		goto out;
	}
	if (wx_trust_count(wxpay_ctx_trust(wx)) == 0) {
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
	co.trust = wxpay_ctx_trust(wx);
	co.apiv3_key = wxpay_ctx_apiv3_key(wx);
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
		while (evq_get(q, &ev)) {
			syncmsg_get(&ev, &n, sizeof n);
			if (n.op == SYNC_OP_NOTICE)
				store_notice(c, &n);
		}
	}
	rc = EXIT_OK;
out:
	callbacks_stop(cb);
	if (q != NULL) {
		while (evq_get(q, &ev)) {
			syncmsg_get(&ev, &n, sizeof n);
			if (n.op == SYNC_OP_NOTICE)
				store_notice(c, &n);
		}
		evq_free(q);
	}
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
	if (sync_wx_new(c->cfg, &x, &cause) != 0 ||
	    (wx = sync_wx_wxpay(x)) == NULL) {
		fprintf(stderr, "quan callbacks register: [wechatpay] is not "
		    "configured\n");
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
