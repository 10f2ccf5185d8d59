/* test_scan_verdict.c — what the checkout says at the scan, before any
 * redeem (issue 16 findings 3 and 9): a coupon whose own state the till
 * cannot know (the code cache only holds what an import said: whether
 * it was used or expired since, only WeChat knows) is priced with its
 * expected value but marked unverified when WeChat will be asked, so the
 * cashier sees "to be confirmed by WeChat", not "valid"; without an
 * online step the offline policy decides and nothing is promised from
 * WeChat; a code used here is refused "already_used" at once, and that
 * before the per-sale limit of its stock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/checkout.h"
#include "core/import.h"
#include "store/store.h"
#include "util/config.h"
#include "util/tm.h"
#include "util/xmem.h"

#ifndef DATA_DIR
#error DATA_DIR must point at tests/core/data
#endif

#define A "QA00000000000001"
#define B "QA00000000000002"

#include "session_fixture.h"

static const struct checkout_line *
scan(struct fx *f, const char *code)
{
	int i;

	assert_int_equal(checkout_add(f->co, code, strlen(code), -1, &i), 0);
	return &checkout_current(f->co)->lines[i];
}

static void
test_scan_of_a_coupon_only_wechat_can_vouch_for_waits_for_wechat(
    void **state)
{
	struct fx *f = *state;
	const struct checkout_line *l;

	/* with an online step: priced at its value, not vouched for */
	checkout_set_online(f->co, 1);
	assert_int_equal(checkout_open(f->co, 12000), 0);
	l = scan(f, A);
	assert_int_equal(l->state, CHECKOUT_PRICED);
	assert_int_equal(l->reason, REASON_NONE);
	assert_true(l->discount_fen > 0);
	assert_int_equal(l->unverified, 1);
	assert_int_equal(checkout_current(f->co)->due_fen,
	    12000 - l->discount_fen);
	assert_int_equal(checkout_cancel(f->co), 0);
	/* without one the offline policy decides: nothing to wait for */
	checkout_set_online(f->co, 0);
	assert_int_equal(checkout_open(f->co, 12000), 0);
	l = scan(f, A);
	assert_int_equal(l->state, CHECKOUT_PRICED);
	assert_int_equal(l->unverified, 0);
	assert_int_equal(checkout_cancel(f->co), 0);
}

static void
test_used_code_says_already_used_before_the_per_sale_limit(void **state)
{
	struct fx *f = *state;
	const struct checkout_line *l;

	/* B is redeemed in one sale ... */
	assert_int_equal(checkout_open(f->co, 12000), 0);
	(void)scan(f, B);
	assert_int_equal(checkout_redeem(f->co), 0);
	assert_int_equal(checkout_close(f->co), 0);
	/* ... then scanned after A, of the same stock (per_txn 1): the
	 * till knows it is used, and says that, not "too many" */
	checkout_set_online(f->co, 1);
	assert_int_equal(checkout_open(f->co, 12000), 0);
	l = scan(f, A);
	assert_int_equal(l->state, CHECKOUT_PRICED);
	l = scan(f, B);
	assert_int_equal(l->state, CHECKOUT_REFUSED);
	assert_int_equal(l->reason, REASON_ALREADY_USED);
	assert_int_equal(l->unverified, 0);
	assert_string_equal(checkout_line_reason(l), "already_used");
	assert_int_equal(checkout_cancel(f->co), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_scan_of_a_coupon_only_wechat_can_vouch_for_waits_for_wechat,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_used_code_says_already_used_before_the_per_sale_limit,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
