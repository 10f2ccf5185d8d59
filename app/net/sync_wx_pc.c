/*
 * sync_wx_pc.c — the sync thread's executor for 商品券 jobs
 * (SYNC_OP_PC_USE / PC_RETURN / PC_QUERY, core/syncmsg.h) over the
 * product-coupon client (pcoupon.h) in the mode of [product_coupon]. The
 * request body is built from the job's plain fields only (use_time fixed
 * in the row), so every retry sends the same bytes under the same
 * out_request_no; the answer goes back as struct sync_pc_answer with the
 * numeric code of the Request-ID. Runs on the sync thread's workers,
 * never on the core's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/coupon.h"
#include "net/pcoupon.h"
#include "net/sync_wx_int.h"
#include "util/config.h"
#include "util/err.h"
#include "util/log.h"
#include "util/str.h"
#include "util/tm.h"
#include "util/xmem.h"

static void
scopy(char *dst, size_t n, const char *src)
{
	str_clean(dst, n, src, strlen(src));
}

int
sync_wx_pc_ctx(const struct config *cfg, struct pcoupon_ctx **out,
    char **cause)
{
	int rc;

	*out = NULL;
	if (cfg->pc_mode == CONFIG_PC_OFF) {
		*cause = xstrdup("[product_coupon] mode is not configured");
		return QUAN_OK;
	}
	rc = pcoupon_ctx_new(cfg, out, cause);
	if (rc != QUAN_OK) {
		log_error("product coupons: %s", *cause ? *cause :
		    quan_strerror(rc));
		*out = NULL;
	}
	return rc;
}

/* The request body of a PC job (new), or NULL with *cause. */
char *
sync_wx_pc_body(const struct sync_job *job, const struct pcoupon_ctx *c,
    char **cause)
{
	const struct sync_pc *pc = &job->pc;
	const char *brand = NULL, *appid = pc->appid[0] != '\0' ? pc->appid :
	    pcoupon_ctx_appid(c);
	char t[40];

	/* partner mode: the job's brand, else the configured one */
	if (pcoupon_ctx_mode(c) == CONFIG_PC_PARTNER)
		brand = pc->brand_id[0] != '\0' ? pc->brand_id :
		    pcoupon_ctx_brand_id(c);

	if (job->op == SYNC_OP_PC_RETURN)
		return pc_simple_body(pc->product_coupon_id, job->target,
		    appid, job->request_no, NULL, brand, cause);
	if (job->op == SYNC_OP_PC_USE) {
		struct pc_use_req q;

		memset(&q, 0, sizeof q);
		q.product_coupon_id = pc->product_coupon_id;
		q.stock_id = job->target;
		q.appid = appid;
		/* WeChat's zone, as the simulator and §6.3 write it */
		{
			time_t tt = (time_t)(pc->use_time + 8 * 3600);
			struct tm tmv;

			gmtime_r(&tt, &tmv);
			strftime(t, sizeof t, "%Y-%m-%dT%H:%M:%S+08:00", &tmv);
		}
		q.use_time = t;
		q.out_request_no = job->request_no;
		q.store_id = pc->store_id;
		q.transaction_id = pc->transaction_id;
		q.out_trade_no = pc->out_trade_no;
		q.mchid = pc->mchid;
		q.sub_mchid = pc->sub_mchid;
		return pc_use_body(&q, brand, cause);
	}
	*cause = xstrdup("not a body-carrying product coupon job");
	return NULL;
}

void
sync_wx_from_pc(const struct pc_result *r, enum sync_op op,
    struct sync_result *res)
{
	const char *reason = NULL;
	enum wxpay_class c = pcoupon_classify(r, &reason);
	struct sync_pc_answer *a = &res->pcr;
	const struct pc_entity *e = &r->coupon;

	/* 272756745 on use: maybe our own earlier use (the core queries
	 * and compares use_request_no); CONFIG (NO_AUTH, appid, SIGN_ERROR,
	 * a changed body) stops and alarms, keeping the row; RETRY covers
	 * 5xx, 429, 270924289, 272756746 (locked: the same number again)
	 * and no or an untrusted answer */
	sync_wx_status(&r->w, c, reason, op == SYNC_OP_PC_USE, res);
	memset(a, 0, sizeof *a);
	a->wx_num = r->numeric;
	if (r->w.rc == 0 && r->w.http >= 200 && r->w.http < 300) {
		scopy(a->coupon_state, sizeof a->coupon_state,
		    pc_state_name((int)e->state));
		scopy(a->stock_id, sizeof a->stock_id, e->stock_id);
		scopy(a->use_request_no, sizeof a->use_request_no,
		    e->use_request_no);
		scopy(a->return_request_no, sizeof a->return_request_no,
		    e->return_request_no);
		scopy(a->transaction_id, sizeof a->transaction_id,
		    e->transaction_id);
		scopy(a->out_trade_no, sizeof a->out_trade_no,
		    e->out_trade_no);
		a->use_time = e->use_time;
		a->valid_begin = e->valid_begin;
		a->valid_end = e->valid_end;
		a->bundle_index = e->bundle_index;
		a->bundle_total = e->bundle_total;
		a->bundle_used = e->bundle_used;
		res->remote_time = e->use_time;
	}
}

void
sync_wx_run_pc(struct pcoupon *p, const struct pcoupon_ctx *c,
    const char *why_not, const struct sync_job *job,
    struct sync_result *res)
{
	struct pc_result r;
	char *body = NULL, *cause = NULL;

	if (p == NULL) {
		res->status = SYNC_RETRY;
		res->rc = QUAN_ECONFIG;
		snprintf(res->reason, sizeof res->reason, "config_error");
		scopy(res->message, sizeof res->message, why_not ? why_not :
		    "product coupon client not available");
		return;
	}
	pc_result_init(&r);
	if (job->op == SYNC_OP_PC_QUERY) {
		(void)pcoupon_get(p, job->openid, job->code,
		    job->pc.product_coupon_id, job->target, &r);
	} else if ((body = sync_wx_pc_body(job, c, &cause)) == NULL) {
		/* the row cannot make a request: a definite refusal */
		res->status = SYNC_REJECTED;
		res->rc = QUAN_EINVAL;
		snprintf(res->reason, sizeof res->reason, "bad_request");
		scopy(res->message, sizeof res->message, cause ? cause : "?");
		free(cause);
		return;
	} else if (job->op == SYNC_OP_PC_USE) {
		(void)pcoupon_use(p, job->openid, job->code, body,
		    strlen(body), &r);
	} else {
		(void)pcoupon_return(p, job->openid, job->code, body,
		    strlen(body), &r);
	}
	sync_wx_from_pc(&r, job->op, res);
	if (job->op != SYNC_OP_PC_QUERY)
		res->reached = r.w.sent;
	pc_result_free(&r);
	free(body);
}
