/* test_sync_wx.c — the reply → state mappings production runs
 * (sync_wx_from_wxpay, sync_wx_from_card in app/net/sync_wx.c), for every
 * error code and coupon state the docs list
 * (/work/shared/docs/wechatpay-v3-busifavor.md §5.15 "business codes" and
 * the public codes; wechat-card-voucher-pay.md §1 "error codes" and the
 * user_card_status values of code/get): status, rc and cashier reason,
 * and the two rules that decide whose a use is — RESOURCE_ALREADY_EXISTS
 * on a first send is somebody else's, a consumed card code is ours only
 * when a send of ours may have landed (issue 17 item 4). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "net/sync_wx_int.h"
#include "util/err.h"

#define NOW 1780286400LL

struct wx_case {
	long http;
	const char *code;
	int first_send;
	enum sync_status status;
	int rc;
	const char *reason;
};

/* busifavor: public codes, the business table, the generic ones */
static const struct wx_case wx_cases[] = {
	{ 200, "", 1, SYNC_OK, 0, "ok" },
	{ 204, "", 1, SYNC_OK, 0, "ok" },
	{ 400, "PARAM_ERROR", 1, SYNC_REJECTED, QUAN_EREJECTED, "bad_request" },
	{ 400, "INVALID_REQUEST", 1, SYNC_REJECTED, QUAN_EREJECTED,
	    "not_usable" },
	{ 401, "SIGN_ERROR", 1, SYNC_RETRY, QUAN_ECONFIG, "sign_error" },
	{ 401, "", 1, SYNC_RETRY, QUAN_ECONFIG, "sign_error" },
	{ 400, "SYSTEM_ERROR", 1, SYNC_RETRY, QUAN_EIO, "wechat_busy" },
	{ 500, "SYSTEM_ERROR", 0, SYNC_RETRY, QUAN_EIO, "wechat_busy" },
	{ 502, "SERVICE_UNAVAILABLE", 1, SYNC_RETRY, QUAN_EIO,
	    "wechat_busy" },
	{ 503, "", 1, SYNC_RETRY, QUAN_EIO, "wechat_busy" },
	/* first send: nobody else could have sent this request no */
	{ 400, "RESOURCE_ALREADY_EXISTS", 1, SYNC_REJECTED, QUAN_EREJECTED,
	    "already_used" },
	/* after a send of ours: maybe ours, the caller queries */
	{ 400, "RESOURCE_ALREADY_EXISTS", 0, SYNC_ALREADY, QUAN_EREJECTED,
	    "already_used" },
	{ 404, "RESOURCE_NOT_EXISTS", 1, SYNC_REJECTED, QUAN_EREJECTED,
	    "coupon_unknown" },
	{ 403, "NOAUTH", 1, SYNC_RETRY, QUAN_ECONFIG, "config_error" },
	{ 403, "NO_AUTH", 1, SYNC_RETRY, QUAN_ECONFIG, "config_error" },
	{ 400, "APPID_MCHID_NOT_MATCH", 1, SYNC_RETRY, QUAN_ECONFIG,
	    "config_error" },
	{ 400, "MCH_NOT_EXISTS", 1, SYNC_RETRY, QUAN_ECONFIG,
	    "config_error" },
	{ 404, "USER_NOT_EXISTS", 1, SYNC_REJECTED, QUAN_EREJECTED,
	    "user_unknown" },
	{ 429, "FREQUENCY_LIMITED", 0, SYNC_RETRY, QUAN_EBUSY,
	    "rate_limited" },
	{ 429, "RATELIMIT_EXCEEDED", 1, SYNC_RETRY, QUAN_EBUSY,
	    "rate_limited" },
	{ 403, "RULELIMIT", 1, SYNC_REJECTED, QUAN_EREJECTED,
	    "not_usable_now" },
	{ 403, "RULE_LIMIT", 1, SYNC_REJECTED, QUAN_EREJECTED,
	    "not_usable_now" },
	/* any other 4xx: reject and show the message; 3xx: not an answer */
	{ 400, "USER_ACCOUNT_ABNORMAL", 1, SYNC_REJECTED, QUAN_EREJECTED,
	    "rejected" },
	{ 302, "", 1, SYNC_RETRY, QUAN_EIO, "bad_reply" },
};

static void
test_wxpay_codes(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof wx_cases / sizeof wx_cases[0]; i++) {
		const struct wx_case *c = &wx_cases[i];
		struct wxpay_result r;
		struct sync_result res;

		wxpay_result_init(&r);
		memset(&res, 0, sizeof res);
		r.http = c->http;
		snprintf(r.code, sizeof r.code, "%s", c->code);
		snprintf(r.message, sizeof r.message, "msg");
		sync_wx_from_wxpay(&r, c->first_send, &res);
		if (res.status != c->status || res.rc != c->rc ||
		    strcmp(res.reason, c->reason) != 0)
			fail_msg("%ld %s (first %d): status %d rc %d %s, want "
			    "%d %d %s", c->http, c->code, c->first_send,
			    res.status, res.rc, res.reason, c->status, c->rc,
			    c->reason);
		assert_string_equal(res.wx_code, c->code);
		assert_int_equal(res.http, c->http);
		wxpay_result_free(&r);
	}
}

/* No answer, or one that failed verification: outcome unknown, the same
 * request is sent again. The answer's fields reach the result, WeChat's
 * words cleaned of control characters. */
static void
test_wxpay_unknown_and_fields(void **state)
{
	static const struct { int rc; const char *reason; } t[] = {
		{ QUAN_ENET, "network" }, { QUAN_ETIMEDOUT, "network" },
		{ QUAN_ECLOSED, "network" }, { QUAN_EPROTO, "bad_reply" },
		{ QUAN_ETOOBIG, "bad_reply" },
	};
	/* every coupon_state the docs list passes through verbatim: the
	 * core reads it (a query answer), never this mapping */
	static const char *const states[] = { "SENDED", "USED", "EXPIRED",
		"DELETED", "DEACTIVATED", "PENDING_REDEEM", "REDEEM_CONFIRMING",
		"REDEEM_FAILED", "REDEEM_EXPIRED" };
	struct wxpay_result r;
	struct sync_result res;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		wxpay_result_init(&r);
		memset(&res, 0, sizeof res);
		r.rc = t[i].rc;
		sync_wx_from_wxpay(&r, 0, &res);
		assert_int_equal(res.status, SYNC_RETRY);
		assert_int_equal(res.rc, t[i].rc);
		assert_string_equal(res.reason, t[i].reason);
	}
	for (i = 0; i < sizeof states / sizeof states[0]; i++) {
		wxpay_result_init(&r);
		memset(&res, 0, sizeof res);
		r.http = 200;
		snprintf(r.coupon_state, sizeof r.coupon_state, "%s",
		    states[i]);
		snprintf(r.stock_id, sizeof r.stock_id, "1212");
		snprintf(r.use_request_no, sizeof r.use_request_no,
		    "T01U000000000042");
		snprintf(r.time, sizeof r.time, "2026-06-01T12:00:00+08:00");
		snprintf(r.message, sizeof r.message, "a\x1b[2Jb\nc");
		sync_wx_from_wxpay(&r, 1, &res);
		assert_int_equal(res.status, SYNC_OK);
		assert_string_equal(res.coupon_state, states[i]);
		assert_string_equal(res.stock_id, "1212");
		assert_string_equal(res.use_request_no, "T01U000000000042");
		assert_int_equal(res.remote_time, NOW);
		assert_null(strchr(res.message, '\x1b'));
		assert_null(strchr(res.message, '\n'));
	}
}

struct card_case {
	long http, errcode;
	const char *status;          /* user_card_status, "" absent */
	int can_consume;             /* -1 absent */
	int64_t begin, end;
	int landed;
	enum sync_status want;
	int rc;
	const char *reason;
};

static const struct card_case card_cases[] = {
	{ 200, 0, "NORMAL", 1, NOW - 10, NOW + 10, 0, SYNC_OK, 0, "ok" },
	{ 200, 0, "", -1, 0, 0, 0, SYNC_OK, 0, "ok" },   /* consume reply */
	/* code/get with check_consume false: the state in the answer */
	{ 200, 0, "CONSUMED", 0, 0, 0, 0, SYNC_ALREADY, QUAN_EREJECTED,
	    "already_used" },
	{ 200, 0, "CONSUMED", 0, 0, 0, 1, SYNC_OK, 0, "ok" },
	{ 200, 0, "EXPIRE", 0, 0, 0, 0, SYNC_REJECTED, QUAN_EREJECTED,
	    "expired" },
	{ 200, 0, "GIFTING", 0, 0, 0, 0, SYNC_REJECTED, QUAN_EREJECTED,
	    "deleted_or_gifting" },
	{ 200, 0, "GIFT_TIMEOUT", 0, 0, 0, 0, SYNC_REJECTED, QUAN_EREJECTED,
	    "deleted_or_gifting" },
	{ 200, 0, "DELETE", 0, 0, 0, 0, SYNC_REJECTED, QUAN_EREJECTED,
	    "deleted_or_gifting" },
	{ 200, 0, "UNAVAILABLE", 0, 0, 0, 0, SYNC_REJECTED, QUAN_EREJECTED,
	    "not_usable" },
	{ 200, 0, "NORMAL", 0, 0, 0, 0, SYNC_REJECTED, QUAN_EREJECTED,
	    "not_usable" },
	{ 200, 0, "NORMAL", 1, NOW + 60, NOW + 600, 0, SYNC_REJECTED,
	    QUAN_EREJECTED, "not_yet_valid" },
	{ 200, 0, "NORMAL", 1, NOW - 600, NOW - 60, 0, SYNC_REJECTED,
	    QUAN_EREJECTED, "expired" },
	/* the error table */
	{ 200, -1, "", -1, 0, 0, 0, SYNC_RETRY, QUAN_EIO, "wechat_busy" },
	{ 200, 40001, "", -1, 0, 0, 0, SYNC_RETRY, QUAN_EIO,
	    "token_invalid" },
	{ 200, 42001, "", -1, 0, 0, 0, SYNC_RETRY, QUAN_EIO,
	    "token_invalid" },
	{ 200, 40014, "", -1, 0, 0, 0, SYNC_RETRY, QUAN_EIO,
	    "token_invalid" },
	{ 200, 40056, "", -1, 0, 0, 0, SYNC_REJECTED, QUAN_EREJECTED,
	    "invalid_code" },
	{ 200, 40116, "", -1, 0, 0, 0, SYNC_REJECTED, QUAN_EREJECTED,
	    "invalid_code" },
	/* consumed: someone else's unless a send of ours may have landed */
	{ 200, 40099, "", -1, 0, 0, 0, SYNC_ALREADY, QUAN_EREJECTED,
	    "already_used" },
	{ 200, 40099, "", -1, 0, 0, 1, SYNC_OK, 0, "ok" },
	{ 200, 40127, "", -1, 0, 0, 0, SYNC_REJECTED, QUAN_EREJECTED,
	    "deleted_or_gifting" },
	{ 200, 40127, "EXPIRE", 0, 0, 0, 0, SYNC_REJECTED, QUAN_EREJECTED,
	    "expired" },
	{ 200, 40127, "UNAVAILABLE", 0, 0, 0, 0, SYNC_REJECTED,
	    QUAN_EREJECTED, "not_usable" },
	{ 200, 40078, "", -1, 0, 0, 0, SYNC_REJECTED, QUAN_EREJECTED,
	    "card_invalid" },
	{ 200, 41012, "", -1, 0, 0, 0, SYNC_REJECTED, QUAN_EREJECTED,
	    "card_id_missing" },
	{ 200, 45030, "", -1, 0, 0, 0, SYNC_RETRY, QUAN_ECONFIG,
	    "config_error" },
	{ 200, 45009, "", -1, 0, 0, 0, SYNC_RETRY, QUAN_ECONFIG,
	    "quota_exceeded" },
	{ 200, 45011, "", -1, 0, 0, 0, SYNC_RETRY, QUAN_EBUSY,
	    "quota_minute" },
	{ 200, 48001, "", -1, 0, 0, 0, SYNC_RETRY, QUAN_ECONFIG,
	    "config_error" },
	{ 200, 40164, "", -1, 0, 0, 0, SYNC_RETRY, QUAN_ECONFIG,
	    "config_error" },
	{ 200, 40013, "", -1, 0, 0, 0, SYNC_RETRY, QUAN_ECONFIG,
	    "config_error" },
	/* a creation-side code the till never expects: refused, not kept */
	{ 200, 40071, "", -1, 0, 0, 0, SYNC_REJECTED, QUAN_EREJECTED,
	    "rejected" },
	/* not an answer of the card API */
	{ 502, 0, "", -1, 0, 0, 0, SYNC_RETRY, QUAN_EIO, "wechat_busy" },
	{ 404, 0, "", -1, 0, 0, 0, SYNC_RETRY, QUAN_EIO, "bad_reply" },
};

static void
test_card_codes_and_states(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof card_cases / sizeof card_cases[0]; i++) {
		const struct card_case *c = &card_cases[i];
		struct card_result r;
		struct sync_result res;
		char want_code[32];

		card_result_init(&r);
		memset(&res, 0, sizeof res);
		r.http = c->http;
		r.errcode = c->errcode;
		snprintf(r.user_card_status, sizeof r.user_card_status, "%s",
		    c->status);
		r.can_consume = c->can_consume;
		r.begin_time = c->begin;
		r.end_time = c->end;
		snprintf(r.card_id, sizeof r.card_id, "pCard");
		sync_wx_from_card(&r, c->landed, NOW, &res);
		if (res.status != c->want || res.rc != c->rc ||
		    strcmp(res.reason, c->reason) != 0)
			fail_msg("card %ld/%ld %s landed %d: status %d rc %d "
			    "%s, want %d %d %s", c->http, c->errcode,
			    c->status, c->landed, res.status, res.rc,
			    res.reason, c->want, c->rc, c->reason);
		snprintf(want_code, sizeof want_code, "%ld", c->errcode);
		assert_string_equal(res.wx_code, want_code);
		assert_string_equal(res.stock_id, "pCard");
		card_result_free(&r);
	}
}

/* Transport failures of the card client. */
static void
test_card_unknown(void **state)
{
	static const struct { int rc; enum sync_status st; int want_rc;
		const char *reason; } t[] = {
		{ QUAN_ENET, SYNC_RETRY, QUAN_ENET, "network" },
		{ QUAN_ETIMEDOUT, SYNC_RETRY, QUAN_ETIMEDOUT, "network" },
		{ QUAN_EPROTO, SYNC_RETRY, QUAN_EPROTO, "bad_reply" },
		{ QUAN_ETOOBIG, SYNC_RETRY, QUAN_ETOOBIG, "bad_reply" },
		{ QUAN_EBUSY, SYNC_RETRY, QUAN_EBUSY, "quota_minute" },
		{ QUAN_ECONFIG, SYNC_RETRY, QUAN_ECONFIG, "config_error" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct card_result r;
		struct sync_result res;

		card_result_init(&r);
		memset(&res, 0, sizeof res);
		r.rc = t[i].rc;
		sync_wx_from_card(&r, 1, NOW, &res);
		assert_int_equal(res.status, t[i].st);
		assert_int_equal(res.rc, t[i].want_rc);
		assert_string_equal(res.reason, t[i].reason);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wxpay_codes),
		cmocka_unit_test(test_wxpay_unknown_and_fields),
		cmocka_unit_test(test_card_codes_and_states),
		cmocka_unit_test(test_card_unknown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
