/*
 * test_coupon.c — coupon states and the reason table: every state name
 * and every reason id reads back as itself, every reason the rules give is in it, words in both languages
 * wherever there are words, the offline caps are the ones a manager may
 * lift, and an id that is not ours (WeChat's) stays text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/coupon.h"
#include "core/rules.h"

static void
test_ids_round_trip(void **state)
{
	int r;

	(void)state;
	for (r = 0; r < REASON_OTHER; r++) {
		const struct reason_info *ri = reason_info((enum reason)r);

		assert_non_null(ri->id);
		assert_int_equal(reason_parse(ri->id), r);
		assert_string_equal(reason_id((enum reason)r), ri->id);
		/* words in both languages, or in neither */
		assert_int_equal(ri->en == NULL, ri->zh == NULL);
	}
	assert_int_equal(reason_parse(""), REASON_NONE);
	assert_int_equal(reason_parse(NULL), REASON_NONE);
	assert_int_equal(reason_parse("ok"), REASON_NONE);
	/* a code WeChat may add tomorrow is not ours: kept as text */
	assert_int_equal(reason_parse("SOMETHING_NEW"), REASON_OTHER);
	assert_int_equal(reason_info((enum reason)-1), reason_info(
	    REASON_OTHER));
	assert_int_equal(reason_info(REASON_COUNT), reason_info(
	    REASON_OTHER));
}

static void
test_states_round_trip(void **state)
{
	int c;

	(void)state;
	for (c = CHECKOUT_PRICED; c <= CHECKOUT_CONFLICT; c++)
		assert_int_equal(checkout_cstate_parse(checkout_cstate_name(
		    (enum checkout_cstate)c)), c);
	assert_string_equal(checkout_cstate_name(CHECKOUT_ACCEPTED_OFFLINE),
	    "accepted_offline");
	assert_int_equal(checkout_cstate_parse("voided_not_returnable"), -1);
	assert_int_equal(checkout_cstate_parse(NULL), -1);
	assert_string_equal(checkout_cstate_name((enum checkout_cstate)99),
	    "?");
}

static void
test_every_rules_reason_in_table(void **state)
{
	int i;

	(void)state;
	for (i = 1; i < RULES_R__COUNT; i++)
		assert_int_not_equal(reason_parse(rules_reason_id(
		    (enum rules_reason)i)), REASON_OTHER);
}

static void
test_caps_and_offline(void **state)
{
	int r, caps = 0;

	(void)state;
	for (r = 0; r < REASON_COUNT; r++) {
		const struct reason_info *ri = reason_info((enum reason)r);

		if (ri->cap) {
			caps++;
			assert_true(ri->offline);
			assert_int_equal(ri->view, VIEW_R_OFFLINE_CAP);
		}
		if (ri->offline)
			assert_memory_equal(ri->id, "offline_", 8);
	}
	assert_int_equal(caps, 3);
	assert_true(reason_info(reason_parse("offline_cap_hour"))->cap);
	assert_false(reason_info(reason_parse("offline_cache_old"))->cap);
	assert_int_equal(reason_info(reason_parse("needs_online"))->view,
	    VIEW_R_OFFLINE_POLICY);
}

/* Every refusal app/net reads from WeChat's answers (wxpay_classify,
 * card_classify) has the table's words in both languages, so no
 * machine id (not_usable_now, rejected ...) reaches the screen. */
static void
test_wechat_refusals_have_words(void **state)
{
	static const char *const ids[] = {
		"coupon_unknown", "not_usable_now", "user_unknown",
		"bad_request", "not_usable", "rejected", "deleted_or_gifting",
		"invalid_code", "card_invalid", "card_id_missing", "expired",
		"not_yet_valid", "already_used", "used_by_other_request",
		"voided", "voided_before_send", "card_consume_irreversible",
		"duplicate_redemption", "claim_qr", "store_error",
		"bad_definition", "wait_wechat",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof ids / sizeof ids[0]; i++) {
		enum reason r = reason_parse(ids[i]);
		const struct reason_info *ri = reason_info(r);

		assert_int_not_equal(r, REASON_OTHER);
		/* words of its own, or a view reason the screen words */
		assert_true(ri->zh != NULL || ri->view != VIEW_R_OTHER);
	}
	assert_true(reason_is_void(reason_parse("voided_not_returnable")));
	assert_true(reason_is_void(reason_parse("card_consume_irreversible")));
	assert_false(reason_is_void(reason_parse("expired")));
	assert_string_equal(reason_text(REASON_OTHER, "SOMETHING_NEW"),
	    "SOMETHING_NEW");
	assert_string_equal(reason_text(REASON_EXPIRED, "x"), "expired");
}

/* WeChat's record of a refused merchant coupon (busifavor query) in the
 * cashier's words: used with its time, expired with its end, not yet
 * valid with its start, deactivated, deleted; a record that says no more
 * (available, in its dates) or a state quan does not know keeps the
 * refusal's words (REASON_NONE). */
static void
test_wechat_record_names_the_refusal(void **state)
{
	const int64_t now = 1765000000, start = now - 86400,
	    end = now + 86400, used = now - 3600;
	int64_t at;

	(void)state;
	assert_int_equal(coupon_wx_refusal("USED", now, start, end, used,
	    &at), REASON_ALREADY_USED);
	assert_int_equal(at, used);
	assert_int_equal(coupon_wx_refusal("USED", now, start, end, 0, &at),
	    REASON_ALREADY_USED);
	assert_int_equal(at, 0); /* "already used", no time */
	assert_int_equal(coupon_wx_refusal("EXPIRED", now, start - 86400,
	    start, 0, &at), REASON_EXPIRED);
	assert_int_equal(at, start);
	/* SENDED past its end (WeChat flips the state in its own time) */
	assert_int_equal(coupon_wx_refusal("SENDED", now, start - 86400,
	    now - 1, 0, &at), REASON_EXPIRED);
	assert_int_equal(at, now - 1);
	assert_int_equal(coupon_wx_refusal("SENDED", now, end, end + 86400,
	    0, &at), REASON_NOT_YET_VALID);
	assert_int_equal(at, end);
	assert_int_equal(coupon_wx_refusal("DEACTIVATED", now, start, end, 0,
	    &at), REASON_WX_DEACTIVATED);
	assert_int_equal(at, 0);
	assert_int_equal(coupon_wx_refusal("DELETED", now, start, end, 0,
	    &at), REASON_WX_DELETED_OR_GIFTING);
	/* available and in its dates: an hours/days rule or the stock —
	 * the refusal's own words stay */
	assert_int_equal(coupon_wx_refusal("SENDED", now, start, end, 0, &at),
	    REASON_NONE);
	assert_int_equal(at, 0);
	assert_int_equal(coupon_wx_refusal("REDEEM_CONFIRMING", now, start,
	    end, 0, &at), REASON_NONE);
	assert_int_equal(coupon_wx_refusal(NULL, now, start, end, 0, &at),
	    REASON_NONE);
	/* every reason it gives has words in both languages on screen */
	assert_non_null(reason_info(REASON_WX_DEACTIVATED)->zh);
	assert_string_equal(reason_id(REASON_WX_DEACTIVATED),
	    "wx_deactivated");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids_round_trip),
		cmocka_unit_test(test_states_round_trip),
		cmocka_unit_test(test_every_rules_reason_in_table),
		cmocka_unit_test(test_caps_and_offline),
		cmocka_unit_test(test_wechat_refusals_have_words),
		cmocka_unit_test(test_wechat_record_names_the_refusal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
