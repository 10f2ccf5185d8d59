/*
 * test_wxbody.c — the one builder of the WeChat coupon bodies: the use
 * body byte for byte as WeChat's own example (busifavor D1), fields left
 * out when empty, escaping, bad UTF-8 refused, the return, deactivate and
 * consume bodies, and settle_body (rows stored without a body) giving
 * the very bytes the checkout stores at redeem.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/settle.h"
#include "core/wxbody.h"
#include "store/store.h"
#include "util/config.h"
#include "util/err.h"
#include "util/tm.h"

/* WeChat's example use (2015-05-20T13:29:35+08:00), as documented. */
#define D1_USE "{\"coupon_code\":\"sxxe34343434\",\"stock_id\":\"100088\"," \
	"\"appid\":\"wx1234567889999\",\"use_time\":" \
	"\"2015-05-20T13:29:35+08:00\",\"use_request_no\":" \
	"\"1002600620019090123143254435\"}"

static void
use_body_is_wechats_example(void **state)
{
	char *b;

	(void)state;
	b = wxbody_use("sxxe34343434", "100088", "wx1234567889999",
	    1432099775, "1002600620019090123143254435", NULL);
	assert_non_null(b);
	assert_string_equal(b, D1_USE);
	free(b);
}

static void
use_body_leaves_out_empty_stock_and_openid(void **state)
{
	char *b;

	(void)state;
	b = wxbody_use("1227944959000000911017", NULL, "wxa", 1432099775,
	    "T01-1", "oid");
	assert_string_equal(b, "{\"coupon_code\":\"1227944959000000911017\","
	    "\"appid\":\"wxa\",\"use_time\":\"2015-05-20T13:29:35+08:00\","
	    "\"use_request_no\":\"T01-1\",\"openid\":\"oid\"}");
	free(b);
	b = wxbody_use("c", "", "wxa", 1432099775, "r", "");
	assert_string_equal(b, "{\"coupon_code\":\"c\",\"appid\":\"wxa\","
	    "\"use_time\":\"2015-05-20T13:29:35+08:00\","
	    "\"use_request_no\":\"r\"}");
	free(b);
}

static void
use_body_escapes_and_refuses(void **state)
{
	char *b;

	(void)state;
	b = wxbody_use("a\\b\"c", "1", "wxa", 1, "r", NULL);
	assert_non_null(strstr(b, "\"a\\\\b\\\"c\""));
	free(b);
	/* non-ASCII is escaped: the stored body is plain ASCII */
	b = wxbody_use("\xe5\x88\xb8", "1", "wxa", 1, "r", NULL);
	assert_non_null(strstr(b, "\"\\u5238\""));
	free(b);
	assert_null(wxbody_use("\xff\xfe", "1", "wxa", 1, "r", NULL));
	assert_null(wxbody_use("", "1", "wxa", 1, "r", NULL));
	assert_null(wxbody_use(NULL, "1", "wxa", 1, "r", NULL));
	assert_null(wxbody_use("c", "1", "wxa", 0, "r", NULL));
}

static void
return_deactivate_and_consume_bodies(void **state)
{
	char *b;

	(void)state;
	b = wxbody_return("c1", "s1", "R1");
	assert_string_equal(b, "{\"coupon_code\":\"c1\",\"stock_id\":\"s1\","
	    "\"return_request_no\":\"R1\"}");
	free(b);
	/* a return goes out even with its stock unknown: WeChat's refusal
	 * closes the row, nothing holds it back */
	b = wxbody_return("c1", "", "R1");
	assert_string_equal(b, "{\"coupon_code\":\"c1\",\"stock_id\":\"\","
	    "\"return_request_no\":\"R1\"}");
	free(b);
	assert_null(wxbody_return("", "s1", "R1"));
	b = wxbody_deactivate("c1", "s1", "D1", "lost");
	assert_string_equal(b, "{\"coupon_code\":\"c1\",\"stock_id\":\"s1\","
	    "\"deactivate_request_no\":\"D1\",\"deactivate_reason\":"
	    "\"lost\"}");
	free(b);
	assert_null(wxbody_deactivate("c1", NULL, "D1", NULL));
	b = wxbody_consume("123456789012", "pXyz");
	assert_string_equal(b, "{\"code\":\"123456789012\","
	    "\"card_id\":\"pXyz\"}");
	free(b);
	b = wxbody_consume("123456789012", "");
	assert_string_equal(b, "{\"code\":\"123456789012\"}");
	free(b);
}

/* settle builds the body of a row stored without one with the same
 * builder, so a retried row sends what a fresh redeem would have. */
static void
settle_body_is_the_builders(void **state)
{
	char appid[] = "wx1234567889999";
	struct config cfg;
	struct store_outbox o;
	char *b = NULL;

	(void)state;
	memset(&cfg, 0, sizeof cfg);
	cfg.wx_appid = appid;
	memset(&o, 0, sizeof o);
	o.op = STORE_OP_USE;
	o.kind = STORE_MERCHANT;
	snprintf(o.code, sizeof o.code, "%s", "sxxe34343434");
	snprintf(o.target, sizeof o.target, "%s", "100088");
	snprintf(o.request_no, sizeof o.request_no, "%s",
	    "1002600620019090123143254435");
	o.use_time = 1432099775;
	assert_int_equal(settle_body(&cfg, &o, &b), QUAN_OK);
	assert_string_equal(b, D1_USE);
	free(b);
	o.op = STORE_OP_RETURN;
	assert_int_equal(settle_body(&cfg, &o, &b), QUAN_OK);
	assert_string_equal(b, "{\"coupon_code\":\"sxxe34343434\","
	    "\"stock_id\":\"100088\",\"return_request_no\":"
	    "\"1002600620019090123143254435\"}");
	free(b);
	o.op = STORE_OP_CONSUME;
	o.kind = STORE_CARD;
	assert_int_equal(settle_body(&cfg, &o, &b), QUAN_OK);
	assert_string_equal(b, "{\"code\":\"sxxe34343434\","
	    "\"card_id\":\"100088\"}");
	free(b);
	o.kind = STORE_MERCHANT;
	o.op = STORE_OP_USE;
	snprintf(o.code, sizeof o.code, "%s", "\xff\xfe");
	b = NULL;
	assert_int_equal(settle_body(&cfg, &o, &b), QUAN_EINVAL);
	assert_null(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(use_body_is_wechats_example),
		cmocka_unit_test(use_body_leaves_out_empty_stock_and_openid),
		cmocka_unit_test(use_body_escapes_and_refuses),
		cmocka_unit_test(return_deactivate_and_consume_bodies),
		cmocka_unit_test(settle_body_is_the_builders),
	};

	tm_set_zone("Asia/Shanghai");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
