/*
 * paysm.c — the protocol-neutral half of 付款码支付 (paysm.h): the err_code and
 * trade_state tables (one table: name, enum, what the till does) and the
 * payment state machine of wechatpay-codepay.md §6.2. Pure; any thread.
 */
#include <stdio.h>
#include <string.h>

#include "core/paysm.h"
#include "util/err.h"

/* One row per name WeChat uses; several names may share an enum (v2 and
 * v3 spellings). The first row of an enum gives its name. */
static const struct {
	const char *name;
	enum pay_err err;
	enum pay_err_class cls;
} errs[] = {
	{ "SYSTEMERROR", PAY_E_SYSTEMERROR, PAY_EC_UNKNOWN },
	{ "SYSTEM_ERROR", PAY_E_SYSTEMERROR, PAY_EC_UNKNOWN },
	{ "SERVICE_UNAVAILABLE", PAY_E_SYSTEMERROR, PAY_EC_UNKNOWN },
	{ "BANKERROR", PAY_E_BANKERROR, PAY_EC_UNKNOWN },
	{ "BANK_ERROR", PAY_E_BANKERROR, PAY_EC_UNKNOWN },
	{ "USERPAYING", PAY_E_USERPAYING, PAY_EC_UNKNOWN },
	{ "ORDERPAID", PAY_E_ORDERPAID, PAY_EC_UNKNOWN },
	{ "ORDER_PAID", PAY_E_ORDERPAID, PAY_EC_UNKNOWN },
	{ "OUT_TRADE_NO_USED", PAY_E_OUT_TRADE_NO_USED, PAY_EC_UNKNOWN },
	{ "FREQUENCY_LIMITED", PAY_E_FREQUENCY_LIMITED, PAY_EC_UNKNOWN },
	{ "AUTHCODEEXPIRE", PAY_E_AUTHCODEEXPIRE, PAY_EC_FAILED },
	{ "AUTH_CODE_ERROR", PAY_E_AUTH_CODE_ERROR, PAY_EC_FAILED },
	{ "AUTH_CODE_INVALID", PAY_E_AUTH_CODE_INVALID, PAY_EC_FAILED },
	{ "NOTENOUGH", PAY_E_NOTENOUGH, PAY_EC_FAILED },
	{ "NOT_ENOUGH", PAY_E_NOTENOUGH, PAY_EC_FAILED },
	{ "NOTSUPORTCARD", PAY_E_NOTSUPORTCARD, PAY_EC_FAILED },
	{ "ORDERCLOSED", PAY_E_ORDERCLOSED, PAY_EC_FAILED },
	{ "ORDER_CLOSED", PAY_E_ORDERCLOSED, PAY_EC_FAILED },
	{ "ORDERREVERSED", PAY_E_ORDERREVERSED, PAY_EC_FAILED },
	{ "BUYER_MISMATCH", PAY_E_BUYER_MISMATCH, PAY_EC_FAILED },
	{ "TRADE_ERROR", PAY_E_TRADE_ERROR, PAY_EC_FAILED },
	{ "RULE_LIMIT", PAY_E_RULE_LIMIT, PAY_EC_FAILED },
	{ "RULELIMIT", PAY_E_RULE_LIMIT, PAY_EC_FAILED },
	{ "ACCOUNT_ERROR", PAY_E_ACCOUNT_ERROR, PAY_EC_FAILED },
	{ "NOAUTH", PAY_E_NOAUTH, PAY_EC_CONFIG },
	{ "NO_AUTH", PAY_E_NOAUTH, PAY_EC_CONFIG },
	{ "PARAM_ERROR", PAY_E_PARAM_ERROR, PAY_EC_CONFIG },
	{ "LACK_PARAMS", PAY_E_LACK_PARAMS, PAY_EC_CONFIG },
	{ "XML_FORMAT_ERROR", PAY_E_XML_FORMAT_ERROR, PAY_EC_CONFIG },
	{ "REQUIRE_POST_METHOD", PAY_E_REQUIRE_POST_METHOD, PAY_EC_CONFIG },
	{ "NOT_UTF8", PAY_E_NOT_UTF8, PAY_EC_CONFIG },
	{ "SIGNERROR", PAY_E_SIGNERROR, PAY_EC_CONFIG },
	{ "SIGN_ERROR", PAY_E_SIGNERROR, PAY_EC_CONFIG },
	{ "APPID_NOT_EXIST", PAY_E_APPID_NOT_EXIST, PAY_EC_CONFIG },
	{ "MCHID_NOT_EXIST", PAY_E_MCHID_NOT_EXIST, PAY_EC_CONFIG },
	{ "MCH_NOT_EXISTS", PAY_E_MCHID_NOT_EXIST, PAY_EC_CONFIG },
	{ "APPID_MCHID_NOT_MATCH", PAY_E_APPID_MCHID_NOT_MATCH, PAY_EC_CONFIG },
	/* 商户系统异常、重复请求、频率限制…: may or may not have been
	 * taken; one confirming query decides */
	{ "INVALID_REQUEST", PAY_E_INVALID_REQUEST, PAY_EC_CONFIRM },
	{ "ORDERNOTEXIST", PAY_E_ORDERNOTEXIST, PAY_EC_UNKNOWN },
	{ "ORDER_NOT_EXIST", PAY_E_ORDERNOTEXIST, PAY_EC_UNKNOWN },
	{ "RESOURCE_NOT_EXISTS", PAY_E_ORDERNOTEXIST, PAY_EC_UNKNOWN },
	{ "INVALID_TRANSACTIONID", PAY_E_INVALID_TRANSACTIONID,
	    PAY_EC_CONFIG },
	{ "REVERSE_EXPIRE", PAY_E_REVERSE_EXPIRE, PAY_EC_FAILED },
	/* refunds: UNKNOWN = send the same out_refund_no again / query */
	{ "BIZERR_NEED_RETRY", PAY_E_BIZERR_NEED_RETRY, PAY_EC_UNKNOWN },
	{ "TRADE_OVERDUE", PAY_E_TRADE_OVERDUE, PAY_EC_FAILED },
	{ "ERROR", PAY_E_ERROR, PAY_EC_FAILED },
	{ "USER_ACCOUNT_ABNORMAL", PAY_E_USER_ACCOUNT_ABNORMAL,
	    PAY_EC_FAILED },
	{ "INVALID_REQ_TOO_MUCH", PAY_E_INVALID_REQ_TOO_MUCH,
	    PAY_EC_UNKNOWN },
	{ "REFUNDNOTEXIST", PAY_E_REFUNDNOTEXIST, PAY_EC_FAILED },
	/* ours */
	{ "return_fail", PAY_E_RETURN_FAIL, PAY_EC_CONFIRM },
	{ "net", PAY_E_NET, PAY_EC_UNKNOWN },
	{ "bad_reply", PAY_E_BAD_REPLY, PAY_EC_UNKNOWN },
	{ "http", PAY_E_HTTP, PAY_EC_UNKNOWN },
	{ "cancelled", PAY_E_CANCELLED, PAY_EC_FAILED },
	{ "other", PAY_E_OTHER, PAY_EC_FAILED },
};
#define NERRS (sizeof errs / sizeof errs[0])

/* The index of the first row of e (its name), or NERRS. */
static size_t
err_row(enum pay_err e)
{
	size_t i;

	for (i = 0; i < NERRS; i++)
		if (errs[i].err == e)
			break;
	return i;
}

const char *
pay_err_name(enum pay_err e)
{
	size_t i = err_row(e);

	return e == PAY_E_NONE ? "" : i < NERRS ? errs[i].name : "other";
}

enum pay_err_class
pay_err_class(enum pay_err e)
{
	size_t i = err_row(e);

	return e == PAY_E_NONE ? PAY_EC_NONE : i < NERRS ? errs[i].cls :
	    PAY_EC_FAILED;
}

enum pay_err
pay_err_parse(const char *code)
{
	size_t i;

	if (code == NULL || *code == '\0')
		return PAY_E_NONE;
	for (i = 0; i < NERRS; i++)
		/* only WeChat's upper-case names, not our own words */
		if (code[0] >= 'A' && code[0] <= 'Z' &&
		    strcmp(errs[i].name, code) == 0)
			return errs[i].err;
	return PAY_E_OTHER;
}

static const char *const trades[] = {
	[PAY_TS_NONE] = "",
	[PAY_TS_SUCCESS] = "SUCCESS",
	[PAY_TS_REFUND] = "REFUND",
	[PAY_TS_NOTPAY] = "NOTPAY",
	[PAY_TS_CLOSED] = "CLOSED",
	[PAY_TS_REVOKED] = "REVOKED",
	[PAY_TS_USERPAYING] = "USERPAYING",
	[PAY_TS_PAYERROR] = "PAYERROR",
	[PAY_TS_ACCEPT] = "ACCEPT",
	[PAY_TS_OTHER] = "OTHER",
};

const char *
pay_trade_name(enum pay_trade t)
{
	return (unsigned)t < sizeof trades / sizeof trades[0] ? trades[t] :
	    "OTHER";
}

enum pay_trade
pay_trade_parse(const char *s)
{
	size_t i;

	if (s == NULL || *s == '\0')
		return PAY_TS_NONE;
	for (i = 1; i < PAY_TS_OTHER; i++)
		if (strcmp(trades[i], s) == 0)
			return (enum pay_trade)i;
	return PAY_TS_OTHER;
}

const char *
pay_voucher_type_name(enum pay_voucher_type t)
{
	return t == PAY_VT_NOCASH ? "nocash" : "prefunded";
}

enum pay_outcome
pay_outcome_parse(const char *s)
{
	int o;

	for (o = PAY_PAID; s != NULL && o <= PAY_UNKNOWN; o++)
		if (strcmp(pay_outcome_name((enum pay_outcome)o), s) == 0)
			return (enum pay_outcome)o;
	return PAY_PENDING;
}

const char *
pay_outcome_name(enum pay_outcome o)
{
	switch (o) {
	case PAY_PENDING:
		return "pending";
	case PAY_PAID:
		return "paid";
	case PAY_FAILED:
		return "failed";
	case PAY_REVERSED:
		return "reversed";
	case PAY_UNKNOWN:
		return "unknown";
	}
	return "?";
}

void
pay_answer_init(struct pay_answer *a, enum pay_op op)
{
	memset(a, 0, sizeof *a);
	a->op = op;
	a->total_fen = a->payer_fen = a->settlement_fen = -1;
}

int
pay_answer_paid(const struct pay_answer *a)
{
	return a->rc == 0 && a->trusted && a->err == PAY_E_NONE &&
	    a->trade == PAY_TS_SUCCESS;
}

int
pay_out_trade_no_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0, i;

	if (n < 6 || n > PAY_OUT_TRADE_NO_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		    (c >= 'A' && c <= 'Z') || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

int
pay_is_auth_code(const char *s)
{
	size_t i;

	if (s == NULL || strlen(s) != 18 || s[0] != '1' || s[1] < '0' ||
	    s[1] > '5')
		return 0;
	for (i = 2; i < 18; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* ---- the machine ------------------------------------------------------ */

void
pay_params_default(struct pay_params *p)
{
	p->deadline_ms = 45000;
	p->query_interval_ms = 5000;
	p->reverse_after_ms = 15000;
	p->reverse_backoff_ms = 2000;
	p->reverse_max = 10;
}

void
pay_machine_start(struct pay_machine *m, int64_t now_ms)
{
	memset(m, 0, sizeof *m);
	pay_answer_init(&m->paid, PAY_OP_NONE);
	m->phase = PAY_PH_PAY;
	m->outcome = PAY_PENDING;
	m->next_op = PAY_OP_PAY;
	m->next_at_ms = now_ms;
	m->t0_ms = now_ms;
}

static void
finish(struct pay_machine *m, enum pay_outcome o, enum pay_err e)
{
	m->phase = PAY_PH_DONE;
	m->outcome = o;
	m->err = e;
	m->next_op = PAY_OP_NONE;
}

static int64_t
max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

static void
to_reverse(struct pay_machine *m, const struct pay_params *p, int64_t now)
{
	m->phase = PAY_PH_REVERSE;
	m->next_op = PAY_OP_REVERSE;
	m->next_at_ms = max64(now, m->t0_ms + p->reverse_after_ms);
}

/* Outcome still unknown: query again, or reverse once the deadline is
 * reached. */
static void
keep_querying(struct pay_machine *m, const struct pay_params *p, int64_t now)
{
	int64_t deadline = m->t0_ms + p->deadline_ms;

	if (now >= deadline) {
		to_reverse(m, p, now);
		return;
	}
	m->phase = PAY_PH_QUERY;
	m->next_op = PAY_OP_QUERY;
	m->next_at_ms = now + p->query_interval_ms;
	if (m->next_at_ms > deadline)
		m->next_at_ms = deadline; /* one last look at the deadline */
}

static void
paid(struct pay_machine *m, const struct pay_answer *a)
{
	m->paid = *a;
	finish(m, PAY_PAID, PAY_E_NONE);
}

static void
feed_pay(struct pay_machine *m, const struct pay_params *p,
    const struct pay_answer *a, int64_t now)
{
	enum pay_err e = a->err;

	if (pay_answer_paid(a)) {
		paid(m, a);
		return;
	}
	if (a->rc != 0 || !a->trusted) {
		/* no answer or one we cannot believe: never "paid", never
		 * "failed" — ask */
		m->err = a->rc == QUAN_EPROTO || a->rc == 0 ?
		    PAY_E_BAD_REPLY : PAY_E_NET;
		keep_querying(m, p, now);
		return;
	}
	if (e == PAY_E_NONE)
		e = PAY_E_USERPAYING; /* v3 202 {"trade_state":"USERPAYING"} */
	m->err = e;
	switch (pay_err_class(e)) {
	case PAY_EC_UNKNOWN:
	case PAY_EC_NONE:
		keep_querying(m, p, now);
		break;
	case PAY_EC_CONFIRM:
		m->phase = PAY_PH_CONFIRM;
		m->next_op = PAY_OP_QUERY;
		m->next_at_ms = now;
		break;
	case PAY_EC_FAILED:
	case PAY_EC_CONFIG:
		finish(m, PAY_FAILED, e);
		break;
	}
}

static void
feed_query(struct pay_machine *m, const struct pay_params *p,
    const struct pay_answer *a, int64_t now)
{
	if (pay_answer_paid(a)) {
		paid(m, a);
		return;
	}
	if (a->rc == 0 && a->trusted && a->err == PAY_E_NONE) {
		switch (a->trade) {
		case PAY_TS_REVOKED:
			finish(m, PAY_FAILED, PAY_E_ORDERREVERSED);
			return;
		case PAY_TS_CLOSED:
			finish(m, PAY_FAILED, PAY_E_ORDERCLOSED);
			return;
		case PAY_TS_REFUND:
			/* paid, then refunded by someone: a person looks */
			m->paid = *a;
			finish(m, PAY_UNKNOWN, PAY_E_OTHER);
			return;
		case PAY_TS_PAYERROR:
			m->err = PAY_E_TRADE_ERROR;
			to_reverse(m, p, now); /* close it for good */
			return;
		default:
			break;
		}
	}
	keep_querying(m, p, now);
}

/* A confirming query: after a protocol-level failure of the charge, or
 * after a reverse. */
static void
feed_confirm(struct pay_machine *m, const struct pay_params *p,
    const struct pay_answer *a, int64_t now)
{
	int trusted = a->rc == 0 && a->trusted;

	if (pay_answer_paid(a)) {
		paid(m, a); /* the reverse did not take / it went through */
		return;
	}
	m->confirms++;
	if (trusted && a->err == PAY_E_NONE &&
	    (a->trade == PAY_TS_REVOKED || a->trade == PAY_TS_CLOSED)) {
		finish(m, m->reversing ? PAY_REVERSED : PAY_FAILED,
		    m->reversing ? PAY_E_ORDERREVERSED : m->err);
		return;
	}
	if (trusted && (a->err == PAY_E_ORDERNOTEXIST ||
	    (a->err == PAY_E_NONE && a->trade == PAY_TS_NOTPAY &&
	    !m->reversing))) {
		/* nothing was charged */
		finish(m, PAY_FAILED, !m->reversing ? m->err :
		    a->err == PAY_E_ORDERNOTEXIST ? PAY_E_ORDERNOTEXIST :
		    PAY_E_ORDERREVERSED);
		return;
	}
	if (!m->reversing && trusted && a->err == PAY_E_NONE &&
	    a->trade == PAY_TS_USERPAYING) {
		keep_querying(m, p, now); /* it was taken after all */
		return;
	}
	if (m->confirms >= p->reverse_max) {
		finish(m, PAY_UNKNOWN, m->err);
		return;
	}
	m->next_op = PAY_OP_QUERY;
	m->next_at_ms = now + p->reverse_backoff_ms;
}

static void
feed_reverse(struct pay_machine *m, const struct pay_params *p,
    const struct pay_answer *a, int64_t now)
{
	int trusted = a->rc == 0 && a->trusted;

	m->reverses++;
	if (trusted && a->err == PAY_E_NONE && !a->recall) {
		m->phase = PAY_PH_CONFIRM;
		m->reversing = 1;
		m->confirms = 0;
		m->next_op = PAY_OP_QUERY;
		m->next_at_ms = now;
		return;
	}
	if (trusted && a->err == PAY_E_REVERSE_EXPIRE) {
		finish(m, PAY_UNKNOWN, PAY_E_REVERSE_EXPIRE); /* refund path */
		return;
	}
	/* ORDERNOTEXIST: WeChat has no such order (the charge never
	 * reached it): the confirming query decides */
	if (trusted && !a->recall && a->err != PAY_E_NONE &&
	    (pay_err_class(a->err) != PAY_EC_UNKNOWN ||
	    a->err == PAY_E_ORDERNOTEXIST)) {
		/* refused for good (e.g. already closed): look once */
		m->phase = PAY_PH_CONFIRM;
		m->reversing = 1;
		m->confirms = 0;
		m->next_op = PAY_OP_QUERY;
		m->next_at_ms = now;
		return;
	}
	/* recall=Y, SYSTEMERROR, no answer, untrusted: again */
	if (m->reverses >= p->reverse_max) {
		finish(m, PAY_UNKNOWN, a->err != PAY_E_NONE ? a->err :
		    PAY_E_NET);
		return;
	}
	m->next_op = PAY_OP_REVERSE;
	m->next_at_ms = now + p->reverse_backoff_ms;
}

int
pay_machine_feed(struct pay_machine *m, const struct pay_params *p,
    const struct pay_answer *a, int64_t now_ms)
{
	if (m->phase == PAY_PH_DONE || a->op != m->next_op)
		return 0;
	switch (m->phase) {
	case PAY_PH_PAY:
		feed_pay(m, p, a, now_ms);
		break;
	case PAY_PH_QUERY:
		feed_query(m, p, a, now_ms);
		break;
	case PAY_PH_CONFIRM:
		feed_confirm(m, p, a, now_ms);
		break;
	case PAY_PH_REVERSE:
		feed_reverse(m, p, a, now_ms);
		break;
	case PAY_PH_DONE:
		return 0;
	}
	return 1;
}

void
pay_machine_cancel(struct pay_machine *m, const struct pay_params *p,
    int64_t now_ms)
{
	if (m->phase == PAY_PH_DONE || m->phase == PAY_PH_REVERSE ||
	    (m->phase == PAY_PH_CONFIRM && m->reversing))
		return;
	m->err = PAY_E_CANCELLED;
	to_reverse(m, p, now_ms);
}

void
pay_machine_withdraw(struct pay_machine *m)
{
	if (m->phase == PAY_PH_PAY)
		finish(m, PAY_FAILED, PAY_E_CANCELLED);
}

void
pay_machine_query_now(struct pay_machine *m, int64_t now_ms)
{
	if (m->phase == PAY_PH_QUERY)
		m->next_at_ms = now_ms;
}
