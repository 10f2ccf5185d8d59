/*
 * test_paysm.c — the payment state machine of wechatpay-codepay.md §6.2,
 * pure: paid at once, untrusted "paid" answers, USERPAYING queried every
 * interval to the deadline, reverse never before t0 + 15 s, recall=Y
 * retries, confirming queries (REVOKED → reversed, SUCCESS → paid),
 * definite failures with their reason, return_code=FAIL, PAYERROR,
 * REFUND, REVERSE_EXPIRE, cancel and late answers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/paysm.h"
#include "util/err.h"

static struct pay_answer
ans(enum pay_op op, enum pay_err err, enum pay_trade trade)
{
	struct pay_answer a;

	pay_answer_init(&a, op);
	a.trusted = 1;
	a.http = 200;
	a.err = err;
	a.trade = trade;
	if (trade == PAY_TS_SUCCESS) {
		a.total_fen = 100;
		snprintf(a.transaction_id, sizeof a.transaction_id, "42");
	}
	return a;
}

static struct pay_answer
lost(enum pay_op op)
{
	struct pay_answer a;

	pay_answer_init(&a, op);
	a.rc = QUAN_ETIMEDOUT;
	a.err = PAY_E_NET;
	return a;
}

static void
test_machine_paths(void **state)
{
	struct pay_params p;
	struct pay_machine m;
	struct pay_answer a;
	int64_t t;
	int n;

	(void)state;
	pay_params_default(&p);
	/* paid at once */
	pay_machine_start(&m, 1000);
	assert_int_equal(m.next_op, PAY_OP_PAY);
	a = ans(PAY_OP_PAY, PAY_E_NONE, PAY_TS_SUCCESS);
	assert_int_equal(pay_machine_feed(&m, &p, &a, 1200), 1);
	assert_int_equal(m.outcome, PAY_PAID);
	assert_int_equal(m.next_op, PAY_OP_NONE);
	assert_string_equal(m.paid.transaction_id, "42");
	/* an untrusted "SUCCESS" is not paid: query */
	pay_machine_start(&m, 0);
	a = ans(PAY_OP_PAY, PAY_E_NONE, PAY_TS_SUCCESS);
	a.trusted = 0;
	pay_machine_feed(&m, &p, &a, 100);
	assert_int_equal(m.outcome, PAY_PENDING);
	assert_int_equal(m.next_op, PAY_OP_QUERY);
	assert_int_equal(m.next_at_ms, 5100);
	/* USERPAYING, queried every 5 s, then SUCCESS */
	pay_machine_start(&m, 0);
	a = ans(PAY_OP_PAY, PAY_E_USERPAYING, PAY_TS_NONE);
	pay_machine_feed(&m, &p, &a, 300);
	assert_int_equal(m.phase, PAY_PH_QUERY);
	assert_int_equal(m.next_at_ms, 5300);
	a = ans(PAY_OP_QUERY, PAY_E_NONE, PAY_TS_USERPAYING);
	pay_machine_feed(&m, &p, &a, 5400);
	assert_int_equal(m.next_at_ms, 10400);
	a = ans(PAY_OP_QUERY, PAY_E_NONE, PAY_TS_SUCCESS);
	pay_machine_feed(&m, &p, &a, 10500);
	assert_int_equal(m.outcome, PAY_PAID);
	/* USERPAYING for ever: queries until 45 s, reverse, REVOKED */
	pay_machine_start(&m, 0);
	a = ans(PAY_OP_PAY, PAY_E_USERPAYING, PAY_TS_NONE);
	pay_machine_feed(&m, &p, &a, 100);
	for (n = 0, t = m.next_at_ms; m.next_op == PAY_OP_QUERY && n < 20;
	    n++, t = m.next_at_ms) {
		a = ans(PAY_OP_QUERY, PAY_E_NONE, PAY_TS_USERPAYING);
		pay_machine_feed(&m, &p, &a, t);
	}
	assert_int_equal(n, 9);           /* 5.1 … 40.1 s, then 45 s */
	assert_int_equal(m.next_op, PAY_OP_REVERSE);
	assert_int_equal(m.next_at_ms, 45000);
	a = ans(PAY_OP_REVERSE, PAY_E_NONE, PAY_TS_NONE);
	pay_machine_feed(&m, &p, &a, 45100);
	assert_int_equal(m.phase, PAY_PH_CONFIRM);
	assert_int_equal(m.next_op, PAY_OP_QUERY);
	a = ans(PAY_OP_QUERY, PAY_E_NONE, PAY_TS_REVOKED);
	pay_machine_feed(&m, &p, &a, 45200);
	assert_int_equal(m.outcome, PAY_REVERSED);
	/* the reverse did not take: the confirming query finds it paid */
	pay_machine_start(&m, 0);
	pay_machine_cancel(&m, &p, 2000);
	assert_int_equal(m.next_op, PAY_OP_REVERSE);
	assert_int_equal(m.next_at_ms, 15000); /* never before t0 + 15 s */
	a = ans(PAY_OP_REVERSE, PAY_E_NONE, PAY_TS_NONE);
	pay_machine_feed(&m, &p, &a, 15000);
	a = ans(PAY_OP_QUERY, PAY_E_NONE, PAY_TS_SUCCESS);
	pay_machine_feed(&m, &p, &a, 15100);
	assert_int_equal(m.outcome, PAY_PAID);
	/* a short deadline still waits 15 s to reverse */
	p.deadline_ms = 3000;
	pay_machine_start(&m, 0);
	a = lost(PAY_OP_PAY);
	pay_machine_feed(&m, &p, &a, 10);
	assert_int_equal(m.next_at_ms, 3000);
	a = lost(PAY_OP_QUERY);
	pay_machine_feed(&m, &p, &a, 3000);
	assert_int_equal(m.next_op, PAY_OP_REVERSE);
	assert_int_equal(m.next_at_ms, 15000);
	/* the charge never reached WeChat (lost before it): queries and
	 * the reverse say ORDERNOTEXIST; one confirming query, then failed
	 * — not an alarm after ten reverses */
	a = ans(PAY_OP_REVERSE, PAY_E_ORDERNOTEXIST, PAY_TS_NONE);
	pay_machine_feed(&m, &p, &a, 15000);
	assert_int_equal(m.phase, PAY_PH_CONFIRM);
	assert_int_equal(m.next_op, PAY_OP_QUERY);
	a = ans(PAY_OP_QUERY, PAY_E_ORDERNOTEXIST, PAY_TS_NONE);
	pay_machine_feed(&m, &p, &a, 15100);
	assert_int_equal(m.outcome, PAY_FAILED);
	assert_int_equal(m.err, PAY_E_ORDERNOTEXIST);
	assert_int_equal(m.reverses, 1);
	pay_params_default(&p);
}

static void
test_machine_failures(void **state)
{
	struct pay_params p;
	struct pay_machine m;
	struct pay_answer a;
	int i;

	(void)state;
	pay_params_default(&p);
	/* definite failures end at once with their reason */
	{
		static const enum pay_err fails[] = { PAY_E_AUTHCODEEXPIRE,
		    PAY_E_AUTH_CODE_ERROR, PAY_E_AUTH_CODE_INVALID,
		    PAY_E_NOTENOUGH, PAY_E_NOTSUPORTCARD, PAY_E_ORDERCLOSED,
		    PAY_E_ORDERREVERSED, PAY_E_BUYER_MISMATCH,
		    PAY_E_TRADE_ERROR, PAY_E_NOAUTH, PAY_E_SIGNERROR,
		    PAY_E_PARAM_ERROR, PAY_E_RULE_LIMIT };

		for (i = 0; i < (int)(sizeof fails / sizeof fails[0]); i++) {
			pay_machine_start(&m, 0);
			a = ans(PAY_OP_PAY, fails[i], PAY_TS_NONE);
			pay_machine_feed(&m, &p, &a, 10);
			assert_int_equal(m.outcome, PAY_FAILED);
			assert_int_equal(m.err, fails[i]);
		}
	}
	/* unknowns query */
	{
		static const enum pay_err unk[] = { PAY_E_SYSTEMERROR,
		    PAY_E_BANKERROR, PAY_E_USERPAYING, PAY_E_ORDERPAID,
		    PAY_E_OUT_TRADE_NO_USED, PAY_E_FREQUENCY_LIMITED,
		    PAY_E_HTTP };

		for (i = 0; i < (int)(sizeof unk / sizeof unk[0]); i++) {
			pay_machine_start(&m, 0);
			a = ans(PAY_OP_PAY, unk[i], PAY_TS_NONE);
			pay_machine_feed(&m, &p, &a, 10);
			assert_int_equal(m.outcome, PAY_PENDING);
			assert_int_equal(m.next_op, PAY_OP_QUERY);
		}
	}
	/* return_code=FAIL: one confirming query, nothing there → failed */
	pay_machine_start(&m, 0);
	a = ans(PAY_OP_PAY, PAY_E_RETURN_FAIL, PAY_TS_NONE);
	pay_machine_feed(&m, &p, &a, 10);
	assert_int_equal(m.phase, PAY_PH_CONFIRM);
	assert_int_equal(m.next_at_ms, 10);
	a = ans(PAY_OP_QUERY, PAY_E_ORDERNOTEXIST, PAY_TS_NONE);
	pay_machine_feed(&m, &p, &a, 20);
	assert_int_equal(m.outcome, PAY_FAILED);
	assert_int_equal(m.err, PAY_E_RETURN_FAIL);
	/* ... or it was paid after all */
	pay_machine_start(&m, 0);
	a = ans(PAY_OP_PAY, PAY_E_RETURN_FAIL, PAY_TS_NONE);
	pay_machine_feed(&m, &p, &a, 10);
	a = ans(PAY_OP_QUERY, PAY_E_NONE, PAY_TS_SUCCESS);
	pay_machine_feed(&m, &p, &a, 20);
	assert_int_equal(m.outcome, PAY_PAID);
	/* PAYERROR while querying: reverse to close it */
	pay_machine_start(&m, 0);
	a = lost(PAY_OP_PAY);
	pay_machine_feed(&m, &p, &a, 10);
	a = ans(PAY_OP_QUERY, PAY_E_NONE, PAY_TS_PAYERROR);
	pay_machine_feed(&m, &p, &a, 5010);
	assert_int_equal(m.next_op, PAY_OP_REVERSE);
	assert_int_equal(m.next_at_ms, 15000);
	/* recall=Y: again every 2 s, at most 10 times, then unknown */
	for (i = 0; i < 10; i++) {
		assert_int_equal(m.next_op, PAY_OP_REVERSE);
		a = ans(PAY_OP_REVERSE, PAY_E_SYSTEMERROR, PAY_TS_NONE);
		a.recall = 1;
		pay_machine_feed(&m, &p, &a, 15000 + i * 2000);
		if (i < 9)
			assert_int_equal(m.next_at_ms, 17000 + i * 2000);
	}
	assert_int_equal(m.outcome, PAY_UNKNOWN);
	/* REVERSE_EXPIRE: refund path, a person looks */
	pay_machine_start(&m, 0);
	pay_machine_cancel(&m, &p, 0);
	a = ans(PAY_OP_REVERSE, PAY_E_REVERSE_EXPIRE, PAY_TS_NONE);
	pay_machine_feed(&m, &p, &a, 15000);
	assert_int_equal(m.outcome, PAY_UNKNOWN);
	assert_int_equal(m.err, PAY_E_REVERSE_EXPIRE);
	/* a refund nobody here made */
	pay_machine_start(&m, 0);
	a = lost(PAY_OP_PAY);
	pay_machine_feed(&m, &p, &a, 10);
	a = ans(PAY_OP_QUERY, PAY_E_NONE, PAY_TS_REFUND);
	pay_machine_feed(&m, &p, &a, 5010);
	assert_int_equal(m.outcome, PAY_UNKNOWN);
	/* CLOSED / REVOKED found while querying */
	pay_machine_start(&m, 0);
	a = lost(PAY_OP_PAY);
	pay_machine_feed(&m, &p, &a, 10);
	a = ans(PAY_OP_QUERY, PAY_E_NONE, PAY_TS_CLOSED);
	pay_machine_feed(&m, &p, &a, 5010);
	assert_int_equal(m.outcome, PAY_FAILED);
	assert_int_equal(m.err, PAY_E_ORDERCLOSED);
}

static void
test_machine_cancel_and_late_answers(void **state)
{
	struct pay_params p;
	struct pay_machine m;
	struct pay_answer a;

	(void)state;
	pay_params_default(&p);
	pay_machine_start(&m, 0);
	a = ans(PAY_OP_PAY, PAY_E_USERPAYING, PAY_TS_NONE);
	pay_machine_feed(&m, &p, &a, 10);
	/* 顾客已付款: query now */
	pay_machine_query_now(&m, 1000);
	assert_int_equal(m.next_at_ms, 1000);
	/* the cashier cancels at 20 s: reverse now */
	pay_machine_cancel(&m, &p, 20000);
	assert_int_equal(m.next_op, PAY_OP_REVERSE);
	assert_int_equal(m.next_at_ms, 20000);
	assert_int_equal(m.err, PAY_E_CANCELLED);
	/* a late query answer is ignored, even a paid one */
	a = ans(PAY_OP_QUERY, PAY_E_NONE, PAY_TS_SUCCESS);
	assert_int_equal(pay_machine_feed(&m, &p, &a, 20001), 0);
	assert_int_equal(m.next_op, PAY_OP_REVERSE);
	/* reverse lost: retried */
	a = lost(PAY_OP_REVERSE);
	pay_machine_feed(&m, &p, &a, 20100);
	assert_int_equal(m.next_op, PAY_OP_REVERSE);
	assert_int_equal(m.next_at_ms, 22100);
	/* done, then the reverse confirms: REVOKED */
	a = ans(PAY_OP_REVERSE, PAY_E_NONE, PAY_TS_NONE);
	pay_machine_feed(&m, &p, &a, 22100);
	a = ans(PAY_OP_QUERY, PAY_E_NONE, PAY_TS_REVOKED);
	pay_machine_feed(&m, &p, &a, 22200);
	assert_int_equal(m.outcome, PAY_REVERSED);
	/* nothing moves a final machine */
	pay_machine_cancel(&m, &p, 30000);
	assert_int_equal(m.outcome, PAY_REVERSED);
	a = ans(PAY_OP_QUERY, PAY_E_NONE, PAY_TS_SUCCESS);
	assert_int_equal(pay_machine_feed(&m, &p, &a, 30000), 0);
	assert_string_equal(pay_outcome_name(m.outcome), "reversed");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_machine_paths),
		cmocka_unit_test(test_machine_failures),
		cmocka_unit_test(test_machine_cancel_and_late_answers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
