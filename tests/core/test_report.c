/*
 * test_report.c — one definition of each report figure: what counts as
 * redeemed (confirmed, accepted offline; not pending or unknown, not a
 * card coupon kept after a void), and every state lands in one figure.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/coupon.h"
#include "core/report.h"

static void
test_redeemed_is_what_was_given(void **state)
{
	(void)state;
	assert_int_equal(report_fig_of("confirmed", "ok"), REPORT_REDEEMED);
	assert_int_equal(report_fig_of("accepted_offline", "ok"),
	    REPORT_REDEEMED);
	/* being decided or settled: nothing granted by it yet */
	assert_int_equal(report_fig_of("pending", "ok"), REPORT_OPEN);
	assert_int_equal(report_fig_of("unknown", "offline_cap_hour"),
	    REPORT_OPEN);
	/* used at WeChat, sale voided, no return: not redeemed value */
	assert_int_equal(report_fig_of("confirmed", "voided_not_returnable"),
	    REPORT_KEPT);
	assert_int_equal(report_fig_of("voided_not_returnable", NULL),
	    REPORT_KEPT);
	assert_int_equal(report_fig_of("return_pending", "voided"),
	    REPORT_RETURNED);
	assert_int_equal(report_fig_of("returned", "voided"),
	    REPORT_RETURNED);
	assert_int_equal(report_fig_of("rejected", "expired"),
	    REPORT_REJECTED);
	assert_int_equal(report_fig_of("conflict", "duplicate_redemption"),
	    REPORT_CONFLICT);
	assert_int_equal(report_fig_of(NULL, NULL), REPORT_OPEN);
	assert_string_equal(report_fig_id(REPORT_REDEEMED), "redeemed");
}

static void
test_add_counts_each_row_once(void **state)
{
	struct report_figs f;
	int c, k;
	int64_t n = 0;

	(void)state;
	memset(&f, 0, sizeof f);
	for (c = CHECKOUT_PENDING; c <= CHECKOUT_CONFLICT; c++)
		report_add(&f, checkout_cstate_name((enum checkout_cstate)c),
		    NULL, 1, 100);
	report_add(&f, "confirmed", "voided_not_returnable", 1, 100);
	for (k = 0; k < REPORT_FIG_COUNT; k++)
		n += f.n[k];
	assert_int_equal(n, CHECKOUT_CONFLICT - CHECKOUT_PENDING + 2);
	assert_int_equal(f.n[REPORT_REDEEMED], 2);
	assert_int_equal(f.fen[REPORT_REDEEMED], 200);
	assert_int_equal(f.n[REPORT_OPEN], 2);
	assert_int_equal(f.n[REPORT_KEPT], 1);
	assert_int_equal(f.n[REPORT_RETURNED], 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_redeemed_is_what_was_given),
		cmocka_unit_test(test_add_counts_each_row_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
