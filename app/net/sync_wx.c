/*
 * sync_wx.c — executor of sync jobs over the WeChat clients (wxpay.h,
 * card.h). Each worker opens its own clients (own connections); the key
 * material and trust store are loaded once and shared read-only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/coupon.h"
#include "net/card.h"
#include "net/pay.h"
#include "net/pcoupon.h"
#include "net/sync_wx.h"
#include "net/sync_wx_int.h"
#include "net/wxpay.h"
#include "util/config.h"
#include "util/err.h"
#include "util/log.h"
#include "util/str.h"
#include "util/tm.h"
#include "util/xmem.h"

struct sync_wx {
	const struct config *cfg;
	struct wxpay_ctx *wx;     /* NULL: [wechatpay] not configured */
	char *wx_cause;
	struct card_ctx *card;    /* NULL: [card] not configured */
	char *card_cause;
	struct pay_ctx *pay;      /* NULL: payments not configured */
	char *pay_cause;
	struct pcoupon_ctx *pc;   /* NULL: [product_coupon] not configured */
	char *pc_cause;
};

struct worker_ctx {
	struct sync_wx *x;
	struct wxpay *wx;
	struct card *card;
	struct pay_client *pay;
	struct pcoupon *pc;
	char *cause;
};

/* Copy WeChat's text (messages, codes, ids) into a result: it is stored,
 * logged, printed and put in JSON, so it is cleaned of control characters
 * and bytes that are not UTF-8, and cut on a character boundary. */
static void
scopy(char *dst, size_t n, const char *src)
{
	str_clean(dst, n, src, strlen(src));
}

struct wxpay_ctx *
sync_wx_wxpay(struct sync_wx *x)
{
	return x != NULL ? x->wx : NULL;
}

struct pcoupon_ctx *
sync_wx_pcoupon(struct sync_wx *x)
{
	return x != NULL ? x->pc : NULL;
}

static const char *
nz(const char *s)
{
	return s != NULL && s[0] != '\0' ? s : NULL;
}

/* The payment context: APIv3 over the busifavor signer, or APIv2 with
 * its key file and client certificate ([pay] api). */
static void
pay_open(struct sync_wx *x)
{
	const struct config *cfg = x->cfg;
	struct pay_cfg pc;
	int rc;

	if (nz(cfg->wx_mchid) == NULL || nz(cfg->wx_appid) == NULL ||
	    (cfg->pay_api == CONFIG_PAY_V3 && x->wx == NULL)) {
		x->pay_cause = xstrdup("[wechatpay] mchid/appid (and for "
		    "api = v3 its keys) are not configured");
		return;
	}
	memset(&pc, 0, sizeof pc);
	pc.api = cfg->pay_api == CONFIG_PAY_V2 ? PAY_API_V2 : PAY_API_V3;
	pc.appid = cfg->wx_appid;
	pc.mchid = cfg->wx_mchid;
	pc.v3 = x->wx;
	pc.base_url = cfg->wx_base_url;
	pc.v2_key_file = nz(cfg->pay_v2_key_file);
	pc.v2_sign_md5 = cfg->pay_v2_md5;
	pc.client_cert = nz(cfg->pay_v2_cert);
	pc.client_key = nz(cfg->wx_private_key);
	pc.ca_file = nz(cfg->wx_ca_file);
	pc.connect_timeout_ms = cfg->wx_connect_timeout_ms;
	pc.timeout_ms = cfg->wx_timeout_ms;
	if ((rc = pay_ctx_new(&pc, &x->pay, &x->pay_cause)) != QUAN_OK) {
		log_error("pay: %s", x->pay_cause ? x->pay_cause :
		    quan_strerror(rc));
		x->pay = NULL;
	}
}

int
sync_wx_new(const struct config *cfg, struct sync_wx **out, char **cause)
{
	struct sync_wx *x = xcalloc(1, sizeof *x);
	struct wxpay_cfg wc;
	struct card_cfg cc;
	int rc;

	(void)cause;
	x->cfg = cfg;
	if (nz(cfg->wx_mchid) != NULL) {
		memset(&wc, 0, sizeof wc);
		wc.base_url = cfg->wx_base_url;
		wc.mchid = cfg->wx_mchid;
		wc.merchant_serial = cfg->wx_merchant_serial;
		wc.private_key = nz(cfg->wx_private_key);
		wc.apiv3_key = nz(cfg->wx_apiv3_key);
		wc.platform_cert = nz(cfg->wx_platform_cert);
		wc.public_key_id = nz(cfg->wx_public_key_id);
		wc.public_key = nz(cfg->wx_public_key);
		wc.ca_file = nz(cfg->wx_ca_file);
		wc.connect_timeout_ms = cfg->wx_connect_timeout_ms;
		wc.timeout_ms = cfg->wx_timeout_ms;
		rc = wxpay_ctx_new(&wc, &x->wx, &x->wx_cause);
		if (rc != QUAN_OK) {
			log_error("wechatpay: %s", x->wx_cause ? x->wx_cause :
			    quan_strerror(rc));
			x->wx = NULL;
		}
	} else {
		x->wx_cause = xstrdup("[wechatpay] mchid is not configured");
	}
	if (nz(cfg->card_appid) != NULL || nz(cfg->card_token_url) != NULL) {
		memset(&cc, 0, sizeof cc);
		cc.base_url = cfg->card_base_url;
		cc.appid = nz(cfg->card_appid);
		cc.secret = nz(cfg->card_secret);
		cc.token_url = nz(cfg->card_token_url);
		cc.ca_file = nz(cfg->card_ca_file);
		cc.connect_timeout_ms = cfg->wx_connect_timeout_ms;
		cc.timeout_ms = cfg->wx_timeout_ms;
		rc = card_ctx_new(&cc, &x->card, &x->card_cause);
		if (rc != QUAN_OK) {
			log_error("card: %s", x->card_cause ? x->card_cause :
			    quan_strerror(rc));
			x->card = NULL;
		}
	} else {
		x->card_cause = xstrdup("[card] appid / token_url is not "
		    "configured");
	}
	pay_open(x);
	(void)sync_wx_pc_ctx(cfg, &x->pc, &x->pc_cause);
	*out = x;
	return QUAN_OK;
}

int
sync_wx_config_error(const struct sync_wx *x, char **cause)
{
	int wx = nz(x->cfg->wx_mchid) != NULL && x->wx == NULL;
	int card = (nz(x->cfg->card_appid) != NULL ||
	    nz(x->cfg->card_token_url) != NULL) && x->card == NULL;
	int pc = x->cfg->pc_mode != CONFIG_PC_OFF && x->pc == NULL;

	if (!wx && !card && !pc)
		return QUAN_OK;
	if (cause != NULL)
		*cause = xasprintf("%s%s%s%s%s%s%s%s", wx ? "wechatpay: " : "",
		    wx && x->wx_cause ? x->wx_cause : "",
		    wx && card ? "; " : "", card ? "card: " : "",
		    card && x->card_cause ? x->card_cause : "",
		    pc && (wx || card) ? "; " : "",
		    pc ? "product_coupon: " : "",
		    pc && x->pc_cause ? x->pc_cause : "");
	return QUAN_ECONFIG;
}

void
sync_wx_free(struct sync_wx *x)
{
	if (x == NULL)
		return;
	pay_ctx_free(x->pay);
	pcoupon_ctx_free(x->pc);
	free(x->pc_cause);
	wxpay_ctx_free(x->wx);
	card_ctx_free(x->card);
	free(x->wx_cause);
	free(x->card_cause);
	free(x->pay_cause);
	free(x);
}

int
sync_wx_bill(const struct config *cfg, const char *date, char **text,
    size_t *len, char **cause)
{
	struct sync_wx *x = NULL;
	struct pay_client *cl = NULL;
	int rc;

	*text = NULL;
	*len = 0;
	if ((rc = sync_wx_new(cfg, &x, cause)) != 0)
		return rc;
	if (x->pay == NULL) {
		*cause = xstrdup(x->pay_cause != NULL ? x->pay_cause :
		    "payments are not configured");
		sync_wx_free(x);
		return QUAN_ECONFIG;
	}
	if ((rc = pay_client_new(x->pay, NULL, &cl, cause)) == 0)
		rc = pay_bill(cl, date, text, len, cause);
	pay_client_free(cl);
	sync_wx_free(x);
	return rc;
}

static int
w_open(void *arg, const atomic_int *stop, void **ctx, char **cause)
{
	struct sync_wx *x = arg;
	struct worker_ctx *w = xcalloc(1, sizeof *w);
	char *c = NULL;
	int rc;

	(void)cause;
	w->x = x;
	if (x->wx != NULL && (rc = wxpay_new(x->wx, stop, &w->wx, &c)) != 0) {
		log_error("wechatpay client: %s", c ? c : quan_strerror(rc));
		free(c);
		c = NULL;
		w->wx = NULL;
	}
	if (x->card != NULL &&
	    (rc = card_new(x->card, stop, &w->card, &c)) != 0) {
		log_error("card client: %s", c ? c : quan_strerror(rc));
		free(c);
		w->card = NULL;
		c = NULL;
	}
	if (x->pay != NULL &&
	    (rc = pay_client_new(x->pay, stop, &w->pay, &c)) != 0) {
		log_error("pay client: %s", c ? c : quan_strerror(rc));
		free(c);
		c = NULL;
		w->pay = NULL;
	}
	if (x->pc != NULL && (rc = pcoupon_new(x->pc, stop, &w->pc, &c)) != 0) {
		log_error("product coupon client: %s", c ? c :
		    quan_strerror(rc));
		free(c);
		w->pc = NULL;
	}
	*ctx = w;
	return QUAN_OK;
}

static void
w_close(void *ctx)
{
	struct worker_ctx *w = ctx;

	if (w == NULL)
		return;
	wxpay_free(w->wx);
	card_free(w->card);
	pay_client_free(w->pay);
	pcoupon_free(w->pc);
	free(w->cause);
	free(w);
}

static void
not_configured(struct sync_result *res, const char *why)
{
	res->status = SYNC_RETRY;
	res->rc = QUAN_ECONFIG;
	snprintf(res->reason, sizeof res->reason, "config_error");
	scopy(res->message, sizeof res->message, why ? why : "client not available");
}

void
sync_wx_status(const struct wxpay_result *r, enum wxpay_class c,
    const char *reason, int already, struct sync_result *res)
{
	res->http = (int32_t)r->http;
	res->rc = r->rc;
	scopy(res->wx_code, sizeof res->wx_code, r->code);
	scopy(res->message, sizeof res->message, r->message);
	scopy(res->reason, sizeof res->reason, reason ? reason : "");
	switch (c) {
	case WXPAY_OK:
		res->status = SYNC_OK;
		res->rc = 0;
		break;
	case WXPAY_ALREADY:
		res->status = already ? SYNC_ALREADY : SYNC_REJECTED;
		res->rc = QUAN_EREJECTED;
		break;
	case WXPAY_REJECTED:
		res->status = SYNC_REJECTED;
		res->rc = QUAN_EREJECTED;
		break;
	case WXPAY_CONFIG:
		res->status = SYNC_RETRY;
		res->rc = QUAN_ECONFIG;
		break;
	case WXPAY_RETRY:
	default:
		res->status = SYNC_RETRY;
		if (res->rc == 0)
			res->rc = r->http == 429 ? QUAN_EBUSY : QUAN_EIO;
		break;
	}
}

void
sync_wx_from_wxpay(const struct wxpay_result *r, int first_send,
    struct sync_result *res)
{
	const char *reason = NULL;
	enum wxpay_class c = wxpay_classify(r, &reason);

	sync_wx_status(r, c, reason, !first_send, res);
	scopy(res->stock_id, sizeof res->stock_id, r->stock_id);
	scopy(res->openid, sizeof res->openid, r->openid);
	scopy(res->use_request_no, sizeof res->use_request_no, r->use_request_no);
	scopy(res->coupon_state, sizeof res->coupon_state, r->coupon_state);
	if (r->time[0] != '\0')
		(void)tm_parse_rfc3339(r->time, &res->remote_time);
}

/* A use WeChat refused with RULELIMIT or INVALID_REQUEST says only "not
 * usable" (and RESOURCE_ALREADY_EXISTS on a first send only "used"):
 * when the holder is known, one query of the coupon (§5.6) names why —
 * used (at what time), expired, not yet valid, deactivated — for the
 * cashier. The refusal stands whatever the query says; a failed
 * query or a record that says no more keeps the refusal's words. */
static void
refine_refusal(struct worker_ctx *w, const struct sync_job *job,
    struct sync_result *res)
{
	struct wxpay_result q;
	enum reason why;
	int64_t at;

	if (res->status != SYNC_REJECTED || job->openid[0] == '\0' ||
	    (strcmp(res->reason, "not_usable_now") != 0 &&
	    strcmp(res->reason, "not_usable") != 0 &&
	    strcmp(res->reason, "already_used") != 0))
		return;
	wxpay_result_init(&q);
	if (wxpay_query_coupon(w->wx, job->openid, job->code,
	    w->x->cfg->wx_appid, &q) == 0 && q.http >= 200 && q.http < 300 &&
	    wxpay_classify(&q, NULL) == WXPAY_OK) {
		why = coupon_wx_refusal(q.coupon_state, (int64_t)time(NULL),
		    q.start_at, q.expire_at, q.used_at, &at);
		if (why == REASON_ALREADY_USED &&
		    strcmp(q.use_request_no, job->request_no) == 0) {
			/* used by this very request: not a use elsewhere to
			 * name; the row's answer is not ours to change here */
			log_warn("use of %s refused (%s) but WeChat's record "
			    "names our request %s", job->code, res->wx_code,
			    job->request_no);
		} else if (why != REASON_NONE) {
			log_info("use of %s refused (%s): WeChat's record "
			    "says %s", job->code, res->wx_code, reason_id(why));
			scopy(res->reason, sizeof res->reason, reason_id(why));
			res->remote_time = at;
		}
	} else {
		log_info("use refused (%s); the coupon query did not answer "
		    "(%s): keeping the refusal's words", res->wx_code,
		    q.message);
	}
	wxpay_result_free(&q);
}

static void
run_wxpay(struct worker_ctx *w, const struct sync_job *job,
    struct sync_result *res, char **blob)
{
	struct wxpay_result r;
	int first = job->attempts == 0;

	if (w->wx == NULL && job->op == SYNC_OP_PROBE) {
		/* card only: no cheap call to make; the thread stops probing */
		res->status = SYNC_RETRY;
		res->rc = QUAN_ENOTSUP;
		return;
	}
	if (w->wx == NULL) {
		not_configured(res, w->x->wx_cause);
		return;
	}
	wxpay_result_init(&r);
	switch (job->op) {
	case SYNC_OP_USE:
		(void)wxpay_use(w->wx, job->body, job->body_len, &r);
		break;
	case SYNC_OP_RETURN:
		(void)wxpay_return(w->wx, job->body, job->body_len, &r);
		/* a return that "already exists" is ours or nothing */
		first = 0;
		break;
	case SYNC_OP_QUERY:
		(void)wxpay_query_coupon(w->wx, job->openid, job->code,
		    w->x->cfg->wx_appid, &r);
		break;
	case SYNC_OP_STOCK_GET:
		(void)wxpay_get_stock(w->wx, job->target, &r);
		break;
	case SYNC_OP_PROBE:
		/* the cheapest signed GET there is; its answer is verified
		 * like any other (a wrong clock or certificate shows) */
		(void)wxpay_call(w->wx, "GET", "/v3/certificates", NULL, 0,
		    &r);
		break;
	default:
		break;
	}
	sync_wx_from_wxpay(&r, first, res);
	if (job->op == SYNC_OP_USE || job->op == SYNC_OP_RETURN)
		res->reached = r.sent;
	if (job->op == SYNC_OP_QUERY && r.used_at > 0)
		res->remote_time = r.used_at; /* when it was used */
	if (job->op == SYNC_OP_USE)
		refine_refusal(w, job, res);
	if (job->op == SYNC_OP_RETURN && res->status == SYNC_ALREADY)
		res->status = SYNC_OK; /* same return_request_no applied */
	if (job->op == SYNC_OP_STOCK_GET && res->status == SYNC_OK) {
		if (r.body != NULL && r.body_len > 0) {
			*blob = xstrndup(r.body, r.body_len);
		} else {
			res->status = SYNC_RETRY;
			res->rc = QUAN_EPROTO;
			snprintf(res->message, sizeof res->message,
			    "empty stock answer");
		}
	}
	wxpay_result_free(&r);
}

void
sync_wx_from_card(const struct card_result *r, int landed, int64_t now,
    struct sync_result *res)
{
	const char *reason = NULL;
	enum card_class c = card_classify(r, now, &reason);

	res->rc = r->rc;
	res->http = (int32_t)r->http;
	snprintf(res->wx_code, sizeof res->wx_code, "%ld", r->errcode);
	scopy(res->message, sizeof res->message, r->errmsg);
	scopy(res->reason, sizeof res->reason, reason ? reason : "");
	scopy(res->openid, sizeof res->openid, r->openid);
	scopy(res->stock_id, sizeof res->stock_id, r->card_id);
	switch (c) {
	case CARD_OK:
		res->status = SYNC_OK;
		res->rc = 0;
		break;
	case CARD_ALREADY:
		/* consumed: ours when a send of ours may have done it (the
		 * card API has no idempotency key), else someone else's */
		res->status = landed > 0 ? SYNC_OK : SYNC_ALREADY;
		res->rc = landed > 0 ? 0 : QUAN_EREJECTED;
		if (landed > 0)
			snprintf(res->reason, sizeof res->reason, "ok");
		break;
	case CARD_REJECTED:
		res->status = SYNC_REJECTED;
		res->rc = QUAN_EREJECTED;
		break;
	case CARD_CONFIG:
		res->status = SYNC_RETRY;
		res->rc = QUAN_ECONFIG;
		break;
	case CARD_RETRY:
	default:
		res->status = SYNC_RETRY;
		if (res->rc == 0)
			res->rc = reason != NULL &&
			    strncmp(reason, "quota", 5) == 0 ? QUAN_EBUSY :
			    QUAN_EIO;
		break;
	}
}

static void
run_card(struct worker_ctx *w, const struct sync_job *job,
    struct sync_result *res, char **blob)
{
	struct card_result r;
	const char *card_id = job->target[0] ? job->target : NULL;

	if (w->card == NULL) {
		not_configured(res, w->x->card_cause);
		return;
	}
	card_result_init(&r);
	if (job->op == SYNC_OP_CARD_GET) {
		(void)card_get(w->card, job->target, &r);
		sync_wx_from_card(&r, 0, tm_now(), res);
		if (res->status == SYNC_OK) {
			if (r.body != NULL && r.body_len > 0)
				*blob = xstrndup(r.body, r.body_len);
			else {
				res->status = SYNC_RETRY;
				res->rc = QUAN_EPROTO;
			}
		}
		card_result_free(&r);
		return;
	}
	if (job->op == SYNC_OP_CARD_CHECK) {
		/* the check at redeem: nothing of ours was ever sent, so a
		 * consumed code is someone else's (SYNC_ALREADY) */
		(void)card_code_get(w->card, card_id, job->code, 1, &r);
		sync_wx_from_card(&r, 0, tm_now(), res);
		if (res->status == SYNC_OK && job->openid[0] != '\0' &&
		    r.openid[0] != '\0' && strcmp(job->openid, r.openid) != 0) {
			res->status = SYNC_REJECTED;
			res->rc = QUAN_EREJECTED;
			scopy(res->reason, sizeof res->reason,
			    "card_other_user");
		}
		card_result_free(&r);
		return;
	}
	/* code/get with check_consume first (WeChat's advice), then
	 * consume. A code already consumed is ours only when a consume of
	 * ours may have reached WeChat before (the card API has no
	 * idempotency key: nothing tells our consume from another till's);
	 * when every earlier send failed before leaving (no connection, no
	 * TLS, no access token) it is someone else's: SYNC_ALREADY, and the
	 * core makes it a conflict if the till had granted it. */
	(void)card_code_get(w->card, card_id, job->code, 1, &r);
	sync_wx_from_card(&r, job->landed, tm_now(), res);
	if (res->status == SYNC_OK && r.errcode == 0) {
		card_result_free(&r);
		(void)card_code_consume(w->card, card_id, job->code, &r);
		/* a definite error answer (not -1, busy) means not applied */
		res->reached = r.rc != 0 ? r.sent : r.http != 200 ||
		    r.errcode == 0 || r.errcode == -1;
		/* 40099 now: taken since code/get (by another till, or by a
		 * late send of ours) */
		sync_wx_from_card(&r, job->landed, tm_now(), res);
	}
	card_result_free(&r);
}

void
sync_wx_from_pay(const struct pay_answer *a, struct sync_result *res)
{
	struct sync_pay *p = &res->pay;
	int i;

	memset(p, 0, sizeof *p);
	res->http = (int32_t)a->http;
	scopy(res->wx_code, sizeof res->wx_code, a->code);
	scopy(res->message, sizeof res->message, a->text);
	if (a->time[0] != '\0')
		(void)tm_parse_rfc3339(a->time, &res->remote_time);
	p->rc = a->rc;
	p->trusted = a->trusted;
	p->err = (int32_t)a->err;
	p->trade = (int32_t)a->trade;
	p->recall = a->recall;
	p->total_fen = a->total_fen;
	p->payer_fen = a->payer_fen;
	p->voucher_fen = a->voucher_fen;
	p->settlement_fen = a->settlement_fen;
	scopy(p->transaction_id, sizeof p->transaction_id, a->transaction_id);
	scopy(p->out_trade_no, sizeof p->out_trade_no, a->out_trade_no);
	p->nv_all = a->nv;
	for (i = 0; i < a->nv && i < SYNC_PAY_VOUCHERS; i++) {
		scopy(p->v[i].id, sizeof p->v[i].id, a->v[i].id);
		scopy(p->v[i].name, sizeof p->v[i].name, a->v[i].name);
		p->v[i].type = (int32_t)a->v[i].type;
		p->v[i].single = a->v[i].single;
		p->v[i].amount_fen = a->v[i].amount_fen;
	}
	p->nv = i;
	/* the sync thread's bookkeeping: an answer (whatever it says) is
	 * OK; no answer is a network retry, counted towards offline, that
	 * SYNC_F_ONCE keeps from being resent */
	res->status = a->rc == 0 || a->rc == QUAN_EPROTO ? SYNC_OK :
	    SYNC_RETRY;
	res->rc = a->rc;
	res->reached = a->rc == 0 || a->rc == QUAN_EPROTO;
}

/* One payment request. The charge's body is built here, from the job,
 * once per send: the out_trade_no (the idempotency key) is the core's. */
static void
run_pay(struct worker_ctx *w, const struct sync_job *job,
    struct sync_result *res)
{
	struct pay_answer a;
	struct pay_order o;
	char *body = NULL, *cause = NULL, desc[96];
	const struct config *cfg = w->x->cfg;

	if (w->pay == NULL) {
		not_configured(res, w->x->pay_cause);
		return;
	}
	switch (job->op) {
	case SYNC_OP_PAY:
		memset(&o, 0, sizeof o);
		snprintf(desc, sizeof desc, "%s %s", nz(cfg->store_id) ?
		    cfg->store_id : "quan", cfg->term_id);
		o.out_trade_no = job->code;
		o.auth_code = job->auth_code;
		o.description = desc;
		o.total_fen = job->amount_fen;
		o.device_id = cfg->term_id;
		o.device_ip = "127.0.0.1";
		o.store_id = nz(cfg->store_id);
		if ((body = pay_pay_body(w->x->pay, &o, &cause)) == NULL) {
			res->status = SYNC_REJECTED;
			res->rc = QUAN_EINVAL;
			scopy(res->message, sizeof res->message,
			    cause ? cause : "bad order");
			free(cause);
			pay_answer_init(&a, PAY_OP_PAY);
			a.err = PAY_E_PARAM_ERROR;
			a.trusted = 1;
			sync_wx_from_pay(&a, res);
			res->status = SYNC_REJECTED;
			return;
		}
		(void)pay_send_pay(w->pay, body, strlen(body), &a);
		free(body);
		break;
	case SYNC_OP_PAY_QUERY:
		(void)pay_query(w->pay, job->code, &a);
		break;
	default:
		(void)pay_reverse(w->pay, job->code, &a);
		break;
	}
	sync_wx_from_pay(&a, res);
}

/* A refund or its query: the answer as it is, the core's refund machine
 * decides what follows (the same out_refund_no every time). */
static void
run_refund(struct worker_ctx *w, const struct sync_job *job,
    struct sync_result *res)
{
	struct pay_refund_answer a;
	struct pay_refund_req r;
	struct sync_refund *p = &res->refund;

	if (w->pay == NULL) {
		not_configured(res, w->x->pay_cause);
		return;
	}
	memset(&a, 0, sizeof a);
	if (job->op == SYNC_OP_REFUND) {
		memset(&r, 0, sizeof r);
		r.out_trade_no = job->code;
		r.out_refund_no = job->request_no;
		r.total_fen = job->total_fen;
		r.refund_fen = job->amount_fen;
		(void)pay_refund(w->pay, &r, &a);
	} else {
		(void)pay_refund_query(w->pay, job->request_no, &a);
	}
	memset(p, 0, sizeof *p);
	res->http = (int32_t)a.http;
	scopy(res->wx_code, sizeof res->wx_code, a.code);
	scopy(res->message, sizeof res->message, a.text);
	p->rc = a.rc;
	p->trusted = a.trusted;
	p->err = (int32_t)a.err;
	p->state = (int32_t)a.state;
	p->refund_fen = a.refund_fen;
	p->payer_refund_fen = a.payer_refund_fen;
	p->voucher_refund_fen = a.voucher_refund_fen;
	scopy(p->out_refund_no, sizeof p->out_refund_no, a.out_refund_no);
	scopy(p->refund_id, sizeof p->refund_id, a.refund_id);
	res->status = a.rc == 0 || a.rc == QUAN_EPROTO ? SYNC_OK : SYNC_RETRY;
	res->rc = a.rc;
	res->reached = a.rc == 0 || a.rc == QUAN_EPROTO;
}

static void
w_run(void *ctx, const struct sync_job *job, struct sync_result *res,
    char **blob)
{
	struct worker_ctx *w = ctx;

	switch (job->op) {
	case SYNC_OP_USE:
	case SYNC_OP_RETURN:
	case SYNC_OP_QUERY:
	case SYNC_OP_STOCK_GET:
	case SYNC_OP_PROBE:
		run_wxpay(w, job, res, blob);
		break;
	case SYNC_OP_CARD_CONSUME:
	case SYNC_OP_CARD_CHECK:
	case SYNC_OP_CARD_GET:
		run_card(w, job, res, blob);
		break;
	case SYNC_OP_PAY:
	case SYNC_OP_PAY_QUERY:
	case SYNC_OP_PAY_REVERSE:
		run_pay(w, job, res);
		break;
	case SYNC_OP_PC_USE:
	case SYNC_OP_PC_RETURN:
	case SYNC_OP_PC_QUERY:
		sync_wx_run_pc(w->pc, w->x->pc, w->x->pc_cause, job, res);
		break;
	case SYNC_OP_REFUND:
	case SYNC_OP_REFUND_QUERY:
		run_refund(w, job, res);
		break;
	default:
		res->status = SYNC_REJECTED;
		res->rc = QUAN_EINVAL;
		snprintf(res->message, sizeof res->message, "unknown job %d",
		    (int)job->op);
		break;
	}
	if (res->status == SYNC_RETRY && res->rc == 0)
		res->rc = QUAN_EIO;
}

const struct sync_exec_ops sync_wx_ops = {
	.open = w_open, .run = w_run, .close = w_close
};
