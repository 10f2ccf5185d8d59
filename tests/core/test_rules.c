/* test_rules.c — stock/card JSON parsing (good and hostile), every coupon
 * type, time-window edges in Asia/Shanghai, rounding edges, several coupons
 * per basket, and the classify + price latency. Table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "core/classify.h"
#include "core/rules.h"
#include "util/err.h"
#include "util/money.h"
#include "util/tm.h"

static int64_t
T(const char *s)
{
	int64_t t = 0;

	if (tm_parse_rfc3339(s, &t) != 0)
		fail_msg("bad time in test: %s", s);
	return t;
}

#define Y2026 "\"available_begin_time\":\"2026-01-01T00:00:00+08:00\"," \
	"\"available_end_time\":\"2026-12-31T23:59:59+08:00\""
#define RUNNING "\"stock_state\":\"RUNNING\","
#define SUB_NORMAL "\"fixed_normal_coupon\":{\"discount_amount\":2000," \
	"\"transaction_minimum\":10000}"
#define SUB_DISC "\"discount_coupon\":{\"discount_percent\":88," \
	"\"transaction_minimum\":0}"
#define SUB_EXCH "\"exchange_coupon\":{\"exchange_price\":100," \
	"\"transaction_minimum\":0}"

/* A stock as GET /v3/marketing/busifavor/stocks/{id} returns it. */
static char *
stock_json(const char *id, const char *type, const char *state,
    const char *avail, const char *sub)
{
	static char buf[8192];
	int n;

	n = snprintf(buf, sizeof buf,
	    "{\"stock_id\":\"%s\",\"stock_name\":\"\xe6\xbb\xa1\xe5\x87\x8f\","
	    "\"belong_merchant\":\"1900000001\",\"comment\":\"x\","
	    "\"goods_name\":\"all goods\",\"stock_type\":\"%s\",%s"
	    "\"coupon_use_rule\":{\"coupon_available_time\":{%s},%s,"
	    "\"use_method\":\"OFF_LINE\"},"
	    "\"stock_send_rule\":{\"max_coupons\":100,"
	    "\"max_coupons_per_user\":1},"
	    "\"coupon_code_mode\":\"MERCHANT_UPLOAD\","
	    "\"send_count_information\":{\"total_send_num\":1},"
	    "\"some_future_key\":[1,2,{\"a\":null}]}",
	    id, type, state, avail, sub);
	assert_true(n > 0 && (size_t)n < sizeof buf);
	return buf;
}

static void
parse_stock_ok(const char *json, struct rules_def *d)
{
	char *cause = NULL;
	int rc = rules_parse_stock(json, strlen(json), d, &cause);

	if (rc != 0)
		fail_msg("stock did not parse (%d): %s\n%s", rc,
		    cause ? cause : "?", json);
	assert_null(cause);
}

#define CARD_BASE(status, date) \
	"\"base_info\":{\"id\":\"pFS7Fjg8kV1IdDz01r4SQwMkuCKc\"," \
	"\"title\":\"t\",\"sub_title\":\"s\",\"code_type\":" \
	"\"CODE_TYPE_QRCODE\",\"status\":\"" status "\",\"date_info\":" date \
	",\"sku\":{\"quantity\":5}}"
#define RANGE2026 "{\"type\":\"DATE_TYPE_FIX_TIME_RANGE\"," \
	"\"begin_timestamp\":1767196800,\"end_timestamp\":1798732799}"

static void
parse_card_ok(const char *json, struct rules_def *d)
{
	char *cause = NULL;
	int rc = rules_parse_card(json, strlen(json), d, &cause);

	if (rc != 0)
		fail_msg("card did not parse (%d): %s\n%s", rc,
		    cause ? cause : "?", json);
	assert_null(cause);
}

static int
setup(void **state)
{
	(void)state;
	return tm_set_zone("Asia/Shanghai");
}

/* ---- parsing ---- */

static void
test_parse_stock_types(void **state)
{
	struct rules_def d;

	(void)state;
	assert_int_equal(T("2026-01-01T00:00:00+08:00"), 1767196800);
	parse_stock_ok(stock_json("1212", "NORMAL", RUNNING, Y2026,
	    SUB_NORMAL), &d);
	assert_int_equal(d.family, RULES_MERCHANT);
	assert_int_equal(d.type, RULES_T_NORMAL);
	assert_string_equal(d.id, "1212");
	assert_string_equal(d.name, "\xe6\xbb\xa1\xe5\x87\x8f");
	assert_string_equal(d.goods, "all goods");
	assert_string_equal(d.state, "RUNNING");
	assert_int_equal(d.usable, 1);
	assert_int_equal(d.stackable, 1);
	assert_int_equal(d.per_txn, 1);
	assert_int_equal(d.amount_fen, 2000);
	assert_int_equal(d.minimum_fen, 10000);
	assert_int_equal(d.pay_percent, 100);
	assert_int_equal(d.date, RULES_DATE_RANGE);
	assert_int_equal(d.begin_at, 1767196800);
	assert_int_equal(d.end_at, 1798732799);
	assert_int_equal(d.n_windows, 0);
	assert_int_equal(d.n_periods, 0);

	parse_stock_ok(stock_json("2323", "DISCOUNT", RUNNING, Y2026,
	    SUB_DISC), &d);
	assert_int_equal(d.type, RULES_T_DISCOUNT);
	assert_int_equal(d.pay_percent, 88);
	assert_int_equal(d.minimum_fen, 0);

	parse_stock_ok(stock_json("3434", "EXCHANGE", RUNNING, Y2026,
	    SUB_EXCH), &d);
	assert_int_equal(d.type, RULES_T_EXCHANGE);
	assert_int_equal(d.amount_fen, 100);

	/* state values; absent state is not usable */
	parse_stock_ok(stock_json("1", "NORMAL", "\"stock_state\":\"PAUSED\",",
	    Y2026, SUB_NORMAL), &d);
	assert_int_equal(d.usable, 0);
	assert_string_equal(d.state, "PAUSED");
	parse_stock_ok(stock_json("1", "NORMAL", "", Y2026, SUB_NORMAL), &d);
	assert_int_equal(d.usable, 0);
	assert_string_equal(d.state, "");

	/* relative days */
	parse_stock_ok(stock_json("1", "NORMAL", RUNNING, Y2026
	    ",\"available_day_after_receive\":3,\"wait_days_after_receive\":1",
	    SUB_NORMAL), &d);
	assert_int_equal(d.date, RULES_DATE_RELATIVE);
	assert_int_equal(d.valid_days, 3);
	assert_int_equal(d.wait_days, 1);

	/* weekly: strings for week_day (old wiki), 86400 end clamps */
	parse_stock_ok(stock_json("1", "NORMAL", RUNNING, Y2026
	    ",\"available_week\":{\"week_day\":[\"1\",\"2\",3],"
	    "\"available_day_time\":[{\"begin_time\":3600,"
	    "\"end_time\":86400}]}", SUB_NORMAL), &d);
	assert_int_equal(d.n_windows, 1);
	assert_int_equal(d.windows[0].wmask, 0x0e);
	assert_int_equal(d.windows[0].begin, 3600);
	assert_int_equal(d.windows[0].end, 86399);
	/* weekdays without times: whole days; times without weekdays: all */
	parse_stock_ok(stock_json("1", "NORMAL", RUNNING, Y2026
	    ",\"available_week\":{\"week_day\":[0,6]}", SUB_NORMAL), &d);
	assert_int_equal(d.n_windows, 1);
	assert_int_equal(d.windows[0].wmask, 0x41);
	assert_int_equal(d.windows[0].end, 86399);
	parse_stock_ok(stock_json("1", "NORMAL", RUNNING, Y2026
	    ",\"available_week\":{\"available_day_time\":[{\"begin_time\":0,"
	    "\"end_time\":100},{\"begin_time\":200,\"end_time\":300}]}",
	    SUB_NORMAL), &d);
	assert_int_equal(d.n_windows, 2);
	assert_int_equal(d.windows[1].wmask, 0x7f);
	parse_stock_ok(stock_json("1", "NORMAL", RUNNING, Y2026
	    ",\"available_week\":{}", SUB_NORMAL), &d);
	assert_int_equal(d.n_windows, 0);

	/* the misspelled key, exactly as WeChat sends it */
	parse_stock_ok(stock_json("1", "NORMAL", RUNNING, Y2026
	    ",\"irregulary_avaliable_time\":[{\"begin_time\":"
	    "\"2026-05-01T00:00:00+08:00\",\"end_time\":"
	    "\"2026-05-05T23:59:59+08:00\"}]", SUB_NORMAL), &d);
	assert_int_equal(d.n_periods, 1);
	assert_int_equal(d.periods[0].begin, T("2026-05-01T00:00:00+08:00"));
	/* the correct spelling is not what WeChat sends: ignored */
	parse_stock_ok(stock_json("1", "NORMAL", RUNNING, Y2026
	    ",\"irregular_available_time\":[{\"begin_time\":"
	    "\"2026-05-01T00:00:00+08:00\",\"end_time\":"
	    "\"2026-05-05T23:59:59+08:00\"}]", SUB_NORMAL), &d);
	assert_int_equal(d.n_periods, 0);
	/* explicit nulls are treated as absent */
	parse_stock_ok(stock_json("1", "NORMAL", RUNNING, Y2026
	    ",\"available_week\":null,\"irregulary_avaliable_time\":null",
	    SUB_NORMAL), &d);
	assert_int_equal(d.n_windows, 0);
}

struct bad {
	const char *json;
	int rc;
	const char *cause; /* substring */
};

static void
check_bad(const struct bad *b, size_t n, int card)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct rules_def d;
		char *cause = NULL;
		int rc;

		memset(&d, 0x5a, sizeof d);
		rc = card ? rules_parse_card(b[i].json, strlen(b[i].json), &d,
		    &cause) : rules_parse_stock(b[i].json, strlen(b[i].json),
		    &d, &cause);
		if (rc != b[i].rc || cause == NULL ||
		    strstr(cause, b[i].cause) == NULL)
			fail_msg("bad case %zu: rc %d cause \"%s\", want %d "
			    "\"%s\"", i, rc, cause ? cause : "(null)",
			    b[i].rc, b[i].cause);
		/* on error the def is reset, never half-filled */
		assert_int_equal(d.n_windows, 0);
		assert_int_equal(d.n_periods, 0);
		assert_int_equal(d.usable, 0);
		assert_string_equal(d.id, "");
		free(cause);
	}
}

static void
test_parse_stock_hostile(void **state)
{
	static char big[64][4096];
	static const struct bad cases[] = {
		{ "", QUAN_EINVAL, "json" },
		{ "not json", QUAN_EINVAL, "json" },
		{ "[]", QUAN_EINVAL, "stock: expected object" },
		{ "null", QUAN_EINVAL, "json" },
		{ "{}", QUAN_EINVAL, "stock_id: missing" },
		{ "{\"stock_id\":1212}", QUAN_EINVAL,
		  "stock_id: expected string, got integer" },
		{ "{\"stock_id\":\"\"}", QUAN_EINVAL, "stock_id: empty" },
		{ "{\"stock_id\":\"12 12\"}", QUAN_EINVAL, "stock_id: char" },
		{ "{\"stock_id\":\"1\",\"stock_id\":\"2\"}", QUAN_EINVAL,
		  "duplicate" },
		{ "{\"stock_id\":\"1\"}", QUAN_EINVAL, "stock_type: missing" },
		{ "{\"stock_id\":\"1\",\"stock_type\":\"RANDOM\"}",
		  QUAN_ENOTSUP, "stock_type" },
		{ "{\"stock_id\":\"1\",\"stock_type\":\"NORMAL\"}",
		  QUAN_EINVAL, "coupon_use_rule: missing" },
		{ "{\"stock_id\":\"1\",\"stock_type\":\"NORMAL\","
		  "\"coupon_use_rule\":[]}", QUAN_EINVAL,
		  "coupon_use_rule: expected object, got array" },
		{ "{\"stock_id\":\"1\",\"stock_type\":\"NORMAL\","
		  "\"stock_state\":\"RUN NING\"}", QUAN_EINVAL,
		  "stock_state" },
		{ "{\"stock_id\":\"1\",\"stock_type\":\"NORMAL\","
		  "\"coupon_use_rule\":{}}", QUAN_EINVAL,
		  "coupon_available_time: missing" },
	};
	static const struct {
		const char *avail;
		const char *sub;
		int rc;
		const char *cause;
	} rule_cases[] = {
		{ Y2026, "\"discount_coupon\":{\"discount_percent\":88,"
		  "\"transaction_minimum\":0}", QUAN_EINVAL,
		  "fixed_normal_coupon: missing" },
		{ Y2026, "\"fixed_normal_coupon\":{\"discount_amount\":-1,"
		  "\"transaction_minimum\":0}", QUAN_EINVAL,
		  "discount_amount: -1 outside" },
		{ Y2026, "\"fixed_normal_coupon\":{\"discount_amount\":0,"
		  "\"transaction_minimum\":0}", QUAN_EINVAL,
		  "discount_amount: 0 outside" },
		{ Y2026, "\"fixed_normal_coupon\":{\"discount_amount\":\"100\","
		  "\"transaction_minimum\":0}", QUAN_EINVAL,
		  "discount_amount: expected integer, got string" },
		{ Y2026, "\"fixed_normal_coupon\":{\"discount_amount\":1.5,"
		  "\"transaction_minimum\":0}", QUAN_EINVAL,
		  "got real number" },
		{ Y2026, "\"fixed_normal_coupon\":{\"discount_amount\":"
		  "100000000001,\"transaction_minimum\":0}", QUAN_EINVAL,
		  "discount_amount: 100000000001 outside" },
		{ Y2026, "\"fixed_normal_coupon\":{\"discount_amount\":"
		  "99999999999999999999999,\"transaction_minimum\":0}",
		  QUAN_EINVAL, "json" },
		{ Y2026, "\"fixed_normal_coupon\":{\"discount_amount\":"
		  "9223372036854775807,\"transaction_minimum\":0}",
		  QUAN_EINVAL, "outside" },
		{ Y2026, "\"fixed_normal_coupon\":{\"discount_amount\":100,"
		  "\"transaction_minimum\":-5}", QUAN_EINVAL,
		  "transaction_minimum: -5 outside" },
		{ Y2026, "\"fixed_normal_coupon\":{\"discount_amount\":100}",
		  QUAN_EINVAL, "transaction_minimum: missing" },
		{ Y2026, "\"fixed_normal_coupon\":null", QUAN_EINVAL,
		  "fixed_normal_coupon: missing" },
		{ "\"available_begin_time\":\"2026-01-01\","
		  "\"available_end_time\":\"2026-12-31T23:59:59+08:00\"",
		  SUB_NORMAL, QUAN_EINVAL, "available_begin_time: not an RFC" },
		{ "\"available_begin_time\":\"2026-01-01T00:00:00+08:00\"",
		  SUB_NORMAL, QUAN_EINVAL, "available_end_time: missing" },
		{ "\"available_begin_time\":\"2027-01-01T00:00:00+08:00\","
		  "\"available_end_time\":\"2026-12-31T23:59:59+08:00\"",
		  SUB_NORMAL, QUAN_EINVAL, "after available_end_time" },
		{ "\"available_begin_time\":12,"
		  "\"available_end_time\":\"2026-12-31T23:59:59+08:00\"",
		  SUB_NORMAL, QUAN_EINVAL, "expected string" },
		{ Y2026 ",\"available_day_after_receive\":-1", SUB_NORMAL,
		  QUAN_EINVAL, "available_day_after_receive: -1" },
		{ Y2026 ",\"wait_days_after_receive\":100000", SUB_NORMAL,
		  QUAN_EINVAL, "wait_days_after_receive" },
		{ Y2026 ",\"available_week\":{\"week_day\":[7]}", SUB_NORMAL,
		  QUAN_EINVAL, "week_day" },
		{ Y2026 ",\"available_week\":{\"week_day\":[-1]}", SUB_NORMAL,
		  QUAN_EINVAL, "week_day" },
		{ Y2026 ",\"available_week\":{\"week_day\":[\"x\"]}",
		  SUB_NORMAL, QUAN_EINVAL, "week_day" },
		{ Y2026 ",\"available_week\":{\"week_day\":1}", SUB_NORMAL,
		  QUAN_EINVAL, "week_day: expected array" },
		{ Y2026 ",\"available_week\":[]", SUB_NORMAL, QUAN_EINVAL,
		  "available_week: expected object" },
		{ Y2026 ",\"available_week\":{\"available_day_time\":"
		  "[{\"begin_time\":0,\"end_time\":90000}]}", SUB_NORMAL,
		  QUAN_EINVAL, "end_time: 90000 outside" },
		{ Y2026 ",\"available_week\":{\"available_day_time\":"
		  "[{\"begin_time\":7200,\"end_time\":3600}]}", SUB_NORMAL,
		  QUAN_EINVAL, "after end_time" },
		{ Y2026 ",\"available_week\":{\"available_day_time\":"
		  "[{\"begin_time\":7200}]}", SUB_NORMAL, QUAN_EINVAL,
		  "end_time: missing" },
		{ Y2026 ",\"available_week\":{\"available_day_time\":[1]}",
		  SUB_NORMAL, QUAN_EINVAL, "expected object" },
		{ Y2026 ",\"irregulary_avaliable_time\":{}", SUB_NORMAL,
		  QUAN_EINVAL, "irregulary_avaliable_time: expected array" },
		{ Y2026 ",\"irregulary_avaliable_time\":[{\"begin_time\":"
		  "\"2026-05-02T00:00:00+08:00\",\"end_time\":"
		  "\"2026-05-01T00:00:00+08:00\"}]", SUB_NORMAL, QUAN_EINVAL,
		  "begin_time after end_time" },
		{ Y2026 ",\"irregulary_avaliable_time\":[{\"begin_time\":"
		  "\"2026-05-02T00:00:00+08:00\"}]", SUB_NORMAL, QUAN_EINVAL,
		  "end_time: missing" },
		{ Y2026, "\"discount_coupon\":{\"discount_percent\":0,"
		  "\"transaction_minimum\":0}", QUAN_EINVAL,
		  "discount_percent: 0 outside 1..99" },
		{ Y2026, "\"discount_coupon\":{\"discount_percent\":100,"
		  "\"transaction_minimum\":0}", QUAN_EINVAL,
		  "discount_percent: 100 outside" },
		{ Y2026, "\"exchange_coupon\":{\"exchange_price\":-100,"
		  "\"transaction_minimum\":0}", QUAN_EINVAL,
		  "exchange_price: -100" },
	};
	static const char *types[] = { "NORMAL", "NORMAL", "NORMAL", "NORMAL",
		"NORMAL", "NORMAL", "NORMAL", "NORMAL", "NORMAL", "NORMAL",
		"NORMAL", "NORMAL", "NORMAL", "NORMAL", "NORMAL", "NORMAL",
		"NORMAL", "NORMAL", "NORMAL", "NORMAL", "NORMAL", "NORMAL",
		"NORMAL", "NORMAL", "NORMAL", "NORMAL", "NORMAL", "NORMAL",
		"NORMAL", "DISCOUNT", "DISCOUNT", "EXCHANGE" };
	struct bad b[sizeof rule_cases / sizeof rule_cases[0]];
	struct rules_def d;
	char *cause = NULL, *huge, *deep;
	size_t i, n;

	(void)state;
	assert_int_equal(sizeof types / sizeof types[0],
	    sizeof rule_cases / sizeof rule_cases[0]);
	check_bad(cases, sizeof cases / sizeof cases[0], 0);
	for (i = 0; i < sizeof rule_cases / sizeof rule_cases[0]; i++) {
		int len = snprintf(big[i], sizeof big[i], "%s",
		    stock_json("1", types[i], RUNNING, rule_cases[i].avail,
		    rule_cases[i].sub));

		assert_true(len > 0 && (size_t)len < sizeof big[i]);
		b[i].json = big[i];
		b[i].rc = rule_cases[i].rc;
		b[i].cause = rule_cases[i].cause;
	}
	check_bad(b, sizeof b / sizeof b[0], 0);

	/* more periods than the cap */
	{
		static char avail[8192];
		size_t o = 0;

		o += (size_t)snprintf(avail + o, sizeof avail - o,
		    "%s,\"irregulary_avaliable_time\":[", Y2026);
		for (i = 0; i <= RULES_MAX_PERIODS; i++)
			o += (size_t)snprintf(avail + o, sizeof avail - o,
			    "%s{\"begin_time\":\"2026-05-01T00:00:00Z\","
			    "\"end_time\":\"2026-05-01T00:00:00Z\"}",
			    i ? "," : "");
		snprintf(avail + o, sizeof avail - o, "]");
		assert_true(o < sizeof avail - 2);
		struct bad one = { stock_json("1", "NORMAL", RUNNING, avail,
		    SUB_NORMAL), QUAN_EINVAL, "more than 64" };
		check_bad(&one, 1, 0);
	}

	/* over the size cap, and deep nesting: errors, no crash */
	n = 2 * 1024 * 1024;
	huge = malloc(n);
	assert_non_null(huge);
	memset(huge, ' ', n);
	huge[0] = '{';
	huge[n - 1] = '}';
	assert_int_equal(rules_parse_stock(huge, n, &d, &cause), QUAN_ETOOBIG);
	free(cause);
	cause = NULL;
	n = 200000;
	deep = malloc(n);
	assert_non_null(deep);
	memset(deep, '[', n / 2);
	memset(deep + n / 2, ']', n / 2);
	assert_int_equal(rules_parse_stock(deep, n, &d, &cause), QUAN_EINVAL);
	assert_non_null(cause);
	free(cause);
	cause = NULL;
	assert_int_equal(rules_parse_stock(NULL, 0, &d, &cause), QUAN_EINVAL);
	free(cause);
	/* NUL inside the text */
	assert_int_equal(rules_parse_stock("{\"a\":\"\\u0000\"}", 14, &d,
	    NULL), QUAN_EINVAL);
	free(huge);
	free(deep);
}

static void
test_parse_card(void **state)
{
	struct rules_def d;

	(void)state;
	parse_card_ok("{\"card_type\":\"CASH\",\"cash\":{"
	    CARD_BASE("CARD_STATUS_VERIFY_OK", RANGE2026)
	    ",\"least_cost\":5000,\"reduce_cost\":1000}}", &d);
	assert_int_equal(d.family, RULES_CARD);
	assert_int_equal(d.type, RULES_T_CASH);
	assert_string_equal(d.id, "pFS7Fjg8kV1IdDz01r4SQwMkuCKc");
	assert_int_equal(d.usable, 1);
	assert_int_equal(d.minimum_fen, 5000);
	assert_int_equal(d.amount_fen, 1000);
	assert_int_equal(d.begin_at, 1767196800);
	assert_int_equal(d.end_at, 1798732799);
	assert_string_equal(rules_type_id(d.type), "CASH");

	/* `discount` is percent OFF: 30 -> the customer pays 70 % */
	parse_card_ok("{\"card_type\":\"DISCOUNT\",\"discount\":{"
	    CARD_BASE("CARD_STATUS_DISPATCH", RANGE2026)
	    ",\"discount\":30}}", &d);
	assert_int_equal(d.type, RULES_T_CARD_DISCOUNT);
	assert_int_equal(d.pay_percent, 70);
	assert_int_equal(d.usable, 1);
	assert_string_equal(rules_type_id(d.type), "DISCOUNT");

	parse_card_ok("{\"card_type\":\"GIFT\",\"gift\":{"
	    CARD_BASE("CARD_STATUS_VERIFY_OK", RANGE2026)
	    ",\"gift\":\"\xe4\xb8\x80\xe6\x9d\xaf\xe5\x92\x96\xe5\x95\xa1\"}}",
	    &d);
	assert_int_equal(d.type, RULES_T_GIFT);
	assert_string_equal(d.detail,
	    "\xe4\xb8\x80\xe6\x9d\xaf\xe5\x92\x96\xe5\x95\xa1");

	parse_card_ok("{\"card_type\":\"GROUPON\",\"groupon\":{"
	    CARD_BASE("CARD_STATUS_VERIFY_OK", RANGE2026)
	    ",\"deal_detail\":\"2 for 1\"}}", &d);
	assert_int_equal(d.type, RULES_T_GROUPON);
	assert_string_equal(d.detail, "2 for 1");

	/* a whole /card/get reply, FIX_TERM, general coupon, conditions */
	parse_card_ok("{\"errcode\":0,\"errmsg\":\"ok\",\"card\":{"
	    "\"card_type\":\"GENERAL_COUPON\",\"general_coupon\":{"
	    CARD_BASE("CARD_STATUS_VERIFY_OK", "{\"type\":"
	    "\"DATE_TYPE_FIX_TERM\",\"fixed_term\":2,\"fixed_begin_term\":0}")
	    ",\"advanced_info\":{\"use_condition\":{\"least_cost\":3000,"
	    "\"can_use_with_other_discount\":false},\"time_limit\":["
	    "{\"type\":\"MONDAY\",\"begin_hour\":10,\"end_hour\":21},"
	    "{\"type\":\"SATURDAY\"},{\"type\":\"HOLIDAY\"}]},"
	    "\"default_detail\":\"any drink\"}}}", &d);
	assert_int_equal(d.type, RULES_T_GENERAL);
	assert_string_equal(rules_type_id(d.type), "GENERAL_COUPON");
	assert_int_equal(d.date, RULES_DATE_RELATIVE);
	assert_int_equal(d.valid_days, 2);
	assert_int_equal(d.wait_days, 0);
	assert_int_equal(d.minimum_fen, 3000);
	assert_int_equal(d.stackable, 0);
	assert_int_equal(d.n_windows, 2);
	assert_int_equal(d.windows[0].wmask, 0x02);
	assert_int_equal(d.windows[0].begin, 36000);
	assert_int_equal(d.windows[0].end, 75600);
	assert_int_equal(d.windows[1].wmask, 0x40);
	assert_int_equal(d.windows[1].begin, 0);
	assert_int_equal(d.windows[1].end, 86399);
	assert_string_equal(d.detail, "any drink");

	/* old integer date type, string bool, permanent */
	parse_card_ok("{\"card_type\":\"CASH\",\"cash\":{"
	    CARD_BASE("CARD_STATUS_VERIFY_OK", "{\"type\":1,"
	    "\"begin_timestamp\":1,\"end_timestamp\":2}")
	    ",\"reduce_cost\":1,\"advanced_info\":{\"use_condition\":{"
	    "\"can_use_with_other_discount\":\"true\"}}}}", &d);
	assert_int_equal(d.date, RULES_DATE_RANGE);
	assert_int_equal(d.stackable, 1);
	assert_int_equal(d.minimum_fen, 0);
	parse_card_ok("{\"card_type\":\"CASH\",\"cash\":{"
	    CARD_BASE("CARD_STATUS_NOT_VERIFY", "{\"type\":"
	    "\"DATE_TYPE_PERMANENT\"}") ",\"reduce_cost\":1}}", &d);
	assert_int_equal(d.date, RULES_DATE_PERMANENT);
	assert_int_equal(d.usable, 0);
	assert_string_equal(d.state, "CARD_STATUS_NOT_VERIFY");

	/* the stricter minimum wins when both are given */
	parse_card_ok("{\"card_type\":\"CASH\",\"cash\":{"
	    CARD_BASE("CARD_STATUS_VERIFY_OK", RANGE2026)
	    ",\"least_cost\":5000,\"reduce_cost\":1000,\"advanced_info\":"
	    "{\"use_condition\":{\"least_cost\":3000}}}}", &d);
	assert_int_equal(d.minimum_fen, 5000);
}

static void
test_parse_card_hostile(void **state)
{
	static const struct bad cases[] = {
		{ "{}", QUAN_EINVAL, "card_type: missing" },
		{ "{\"card_type\":\"MEMBER_CARD\"}", QUAN_ENOTSUP,
		  "card_type" },
		{ "{\"card_type\":\"CASH\"}", QUAN_EINVAL, "cash: missing" },
		{ "{\"card_type\":\"CASH\",\"cash\":{}}", QUAN_EINVAL,
		  "base_info: missing" },
		{ "{\"errcode\":40001,\"card\":{}}", QUAN_EINVAL,
		  "errcode: 40001" },
		{ "{\"card_type\":\"CASH\",\"cash\":{\"base_info\":{\"id\":"
		  "\"p1\"}}}", QUAN_EINVAL, "date_info: missing" },
		{ "{\"card_type\":\"CASH\",\"cash\":{\"base_info\":{\"id\":"
		  "\"p1\",\"date_info\":{\"type\":\"DATE_TYPE_X\"}}}}",
		  QUAN_EINVAL, "date_info.type: unknown" },
		{ "{\"card_type\":\"CASH\",\"cash\":{\"base_info\":{\"id\":"
		  "\"p1\",\"date_info\":{\"type\":3}}}}", QUAN_EINVAL,
		  "date_info.type" },
		{ "{\"card_type\":\"CASH\",\"cash\":{\"base_info\":{\"id\":"
		  "\"p1\",\"date_info\":{\"type\":\"DATE_TYPE_FIX_TERM\","
		  "\"fixed_term\":0}}}}", QUAN_EINVAL, "fixed_term: 0" },
		{ "{\"card_type\":\"CASH\",\"cash\":{\"base_info\":{\"id\":"
		  "\"p1\",\"date_info\":{\"type\":\"DATE_TYPE_FIX_TIME_RANGE\","
		  "\"begin_timestamp\":5,\"end_timestamp\":4}}}}", QUAN_EINVAL,
		  "begin_timestamp after" },
		{ "{\"card_type\":\"CASH\",\"cash\":{" CARD_BASE("X", RANGE2026)
		  ",\"reduce_cost\":-1}}", QUAN_EINVAL, "reduce_cost: -1" },
		{ "{\"card_type\":\"CASH\",\"cash\":{" CARD_BASE("X", RANGE2026)
		  "}}", QUAN_EINVAL, "reduce_cost: missing" },
		{ "{\"card_type\":\"DISCOUNT\",\"discount\":{"
		  CARD_BASE("X", RANGE2026) ",\"discount\":100}}", QUAN_EINVAL,
		  "discount.discount: 100" },
		{ "{\"card_type\":\"DISCOUNT\",\"discount\":{"
		  CARD_BASE("X", RANGE2026) ",\"discount\":0}}", QUAN_EINVAL,
		  "discount.discount: 0" },
		{ "{\"card_type\":\"GIFT\",\"gift\":{" CARD_BASE("X", RANGE2026)
		  ",\"gift\":7}}", QUAN_EINVAL, "gift: expected string" },
		{ "{\"card_type\":\"CASH\",\"cash\":{" CARD_BASE("X", RANGE2026)
		  ",\"reduce_cost\":1,\"advanced_info\":{\"use_condition\":{"
		  "\"can_use_with_other_discount\":\"maybe\"}}}}", QUAN_EINVAL,
		  "can_use_with_other_discount" },
		{ "{\"card_type\":\"CASH\",\"cash\":{" CARD_BASE("X", RANGE2026)
		  ",\"reduce_cost\":1,\"advanced_info\":{\"time_limit\":["
		  "{\"type\":\"FUNDAY\"}]}}}", QUAN_EINVAL, "unknown day" },
		{ "{\"card_type\":\"CASH\",\"cash\":{" CARD_BASE("X", RANGE2026)
		  ",\"reduce_cost\":1,\"advanced_info\":{\"time_limit\":["
		  "{\"type\":\"MONDAY\",\"begin_hour\":25}]}}}", QUAN_EINVAL,
		  "begin_hour: 25" },
		{ "{\"card_type\":\"CASH\",\"cash\":{" CARD_BASE("X", RANGE2026)
		  ",\"reduce_cost\":1,\"advanced_info\":{\"time_limit\":["
		  "{\"type\":\"MONDAY\",\"begin_hour\":20,\"end_hour\":10}]}}}",
		  QUAN_EINVAL, "begin after end" },
		{ "{\"card_type\":\"CASH\",\"cash\":{\"base_info\":{\"id\":"
		  "\"p/1\"}}}", QUAN_EINVAL, "base_info.id" },
	};

	(void)state;
	check_bad(cases, sizeof cases / sizeof cases[0], 1);
}

/* ---- pricing: one coupon ---- */

enum { D_NORMAL, D_DISC, D_EXCH, D_NORMAL0, D_CASH, D_CDISC, D_GIFT,
	D_GENERAL, D_PAUSED, D_NOSTATE, D_UNVERIFIED, D_PERM, D__N };

static struct rules_def defs[D__N];

static void
load_defs(void)
{
	parse_stock_ok(stock_json("1212", "NORMAL", RUNNING, Y2026,
	    SUB_NORMAL), &defs[D_NORMAL]);
	parse_stock_ok(stock_json("2323", "DISCOUNT", RUNNING, Y2026,
	    SUB_DISC), &defs[D_DISC]);
	parse_stock_ok(stock_json("3434", "EXCHANGE", RUNNING, Y2026,
	    SUB_EXCH), &defs[D_EXCH]);
	parse_stock_ok(stock_json("1313", "NORMAL", RUNNING, Y2026,
	    "\"fixed_normal_coupon\":{\"discount_amount\":2000,"
	    "\"transaction_minimum\":0}"), &defs[D_NORMAL0]);
	parse_card_ok("{\"card_type\":\"CASH\",\"cash\":{"
	    CARD_BASE("CARD_STATUS_VERIFY_OK", RANGE2026)
	    ",\"least_cost\":5000,\"reduce_cost\":1000}}", &defs[D_CASH]);
	parse_card_ok("{\"card_type\":\"DISCOUNT\",\"discount\":{"
	    CARD_BASE("CARD_STATUS_VERIFY_OK", RANGE2026)
	    ",\"discount\":30}}", &defs[D_CDISC]);
	snprintf(defs[D_CDISC].id, sizeof defs[D_CDISC].id, "pDISC");
	parse_card_ok("{\"card_type\":\"GIFT\",\"gift\":{"
	    CARD_BASE("CARD_STATUS_VERIFY_OK", RANGE2026)
	    ",\"gift\":\"coffee\"}}", &defs[D_GIFT]);
	parse_card_ok("{\"card_type\":\"GENERAL_COUPON\",\"general_coupon\":{"
	    CARD_BASE("CARD_STATUS_VERIFY_OK", RANGE2026)
	    ",\"default_detail\":\"see poster\"}}", &defs[D_GENERAL]);
	parse_stock_ok(stock_json("4545", "NORMAL",
	    "\"stock_state\":\"PAUSED\",", Y2026, SUB_NORMAL),
	    &defs[D_PAUSED]);
	parse_stock_ok(stock_json("4646", "NORMAL", "", Y2026, SUB_NORMAL),
	    &defs[D_NOSTATE]);
	parse_card_ok("{\"card_type\":\"CASH\",\"cash\":{"
	    CARD_BASE("CARD_STATUS_NOT_VERIFY", RANGE2026)
	    ",\"reduce_cost\":1000}}", &defs[D_UNVERIFIED]);
	parse_card_ok("{\"card_type\":\"CASH\",\"cash\":{"
	    CARD_BASE("CARD_STATUS_VERIFY_OK",
	    "{\"type\":\"DATE_TYPE_PERMANENT\"}") ",\"reduce_cost\":300}}",
	    &defs[D_PERM]);
}

#define NOW "2026-11-30T12:00:00+08:00"

static void
test_price_table(void **state)
{
	static const struct {
		int def;
		enum rules_cstate st;
		const char *now;
		int64_t amount, remaining, item;
		enum rules_reason want;
		int64_t discount, due, need, have;
		int confirm;
	} cases[] = {
		/* NORMAL: threshold inclusive */
		{ D_NORMAL, RULES_CS_AVAILABLE, NOW, 10000, 10000, -1,
		  RULES_OK, 2000, 8000, 0, 0, 0 },
		{ D_NORMAL, RULES_CS_UNKNOWN, NOW, 10000, 10000, -1,
		  RULES_OK, 2000, 8000, 0, 0, 0 },
		{ D_NORMAL, RULES_CS_AVAILABLE, NOW, 9999, 9999, -1,
		  RULES_R_BELOW_MINIMUM, 0, 9999, 10000, 9999, 0 },
		{ D_NORMAL, RULES_CS_AVAILABLE, NOW, 0, 0, -1,
		  RULES_R_BELOW_MINIMUM, 0, 0, 10000, 0, 0 },
		/* threshold on the original amount, discount capped at what
		 * remains */
		{ D_NORMAL, RULES_CS_AVAILABLE, NOW, 10000, 1500, -1,
		  RULES_OK, 1500, 0, 0, 0, 0 },
		{ D_NORMAL, RULES_CS_AVAILABLE, NOW, 10000, 0, -1,
		  RULES_R_NO_BENEFIT, 0, 0, 0, 0, 0 },
		{ D_NORMAL0, RULES_CS_AVAILABLE, NOW, 1, 1, -1,
		  RULES_OK, 1, 0, 0, 0, 0 },
		/* DISCOUNT 88 = pay 88 % */
		{ D_DISC, RULES_CS_AVAILABLE, NOW, 10000, 10000, -1,
		  RULES_OK, 1200, 8800, 0, 0, 0 },
		{ D_DISC, RULES_CS_AVAILABLE, NOW, 0, 0, -1,
		  RULES_R_NO_BENEFIT, 0, 0, 0, 0, 0 },
		/* EXCHANGE: the cashier enters the item price */
		{ D_EXCH, RULES_CS_AVAILABLE, NOW, 3000, 3000, -1,
		  RULES_R_NEEDS_ITEM_PRICE, 0, 3000, 0, 0, 0 },
		{ D_EXCH, RULES_CS_AVAILABLE, NOW, 3000, 3000, 1500,
		  RULES_OK, 1400, 1600, 0, 0, 0 },
		{ D_EXCH, RULES_CS_AVAILABLE, NOW, 3000, 3000, 3000,
		  RULES_OK, 2900, 100, 0, 0, 0 },
		{ D_EXCH, RULES_CS_AVAILABLE, NOW, 3000, 3000, 100,
		  RULES_R_NO_BENEFIT, 0, 3000, 0, 0, 0 },
		{ D_EXCH, RULES_CS_AVAILABLE, NOW, 3000, 3000, 50,
		  RULES_R_NO_BENEFIT, 0, 3000, 0, 0, 0 },
		{ D_EXCH, RULES_CS_AVAILABLE, NOW, 3000, 3000, 5000,
		  RULES_R_ITEM_PRICE_OVER_BASKET, 0, 3000, 5000, 3000, 0 },
		{ D_EXCH, RULES_CS_AVAILABLE, NOW, 3000, 500, 1500,
		  RULES_OK, 500, 0, 0, 0, 0 },
		/* CASH: least_cost inclusive */
		{ D_CASH, RULES_CS_AVAILABLE, NOW, 5000, 5000, -1,
		  RULES_OK, 1000, 4000, 0, 0, 0 },
		{ D_CASH, RULES_CS_AVAILABLE, NOW, 4999, 4999, -1,
		  RULES_R_BELOW_MINIMUM, 0, 4999, 5000, 4999, 0 },
		/* card DISCOUNT 30 = 30 % off */
		{ D_CDISC, RULES_CS_AVAILABLE, NOW, 999, 999, -1,
		  RULES_OK, 300, 699, 0, 0, 0 },
		{ D_CDISC, RULES_CS_AVAILABLE, NOW, 1000, 1000, -1,
		  RULES_OK, 300, 700, 0, 0, 0 },
		/* GIFT/GENERAL: describe, confirm; value only if entered */
		{ D_GIFT, RULES_CS_AVAILABLE, NOW, 5000, 5000, -1,
		  RULES_OK, 0, 5000, 0, 0, 1 },
		{ D_GIFT, RULES_CS_AVAILABLE, NOW, 5000, 5000, 1800,
		  RULES_OK, 1800, 3200, 0, 0, 1 },
		{ D_GIFT, RULES_CS_AVAILABLE, NOW, 5000, 1000, 1800,
		  RULES_OK, 1000, 0, 0, 0, 1 },
		{ D_GIFT, RULES_CS_AVAILABLE, NOW, 5000, 5000, 6000,
		  RULES_R_ITEM_PRICE_OVER_BASKET, 0, 5000, 6000, 5000, 1 },
		{ D_GENERAL, RULES_CS_AVAILABLE, NOW, 0, 0, -1,
		  RULES_OK, 0, 0, 0, 0, 1 },
		{ D_PERM, RULES_CS_AVAILABLE, "2099-01-01T00:00:00+08:00", 500,
		  500, -1, RULES_OK, 300, 200, 0, 0, 0 },
		/* states: coupon first, then stock/card */
		{ D_NORMAL, RULES_CS_USED, NOW, 10000, 10000, -1,
		  RULES_R_ALREADY_USED, 0, 10000, 0, 0, 0 },
		{ D_PAUSED, RULES_CS_USED, NOW, 10000, 10000, -1,
		  RULES_R_ALREADY_USED, 0, 10000, 0, 0, 0 },
		{ D_NORMAL, RULES_CS_EXPIRED, NOW, 10000, 10000, -1,
		  RULES_R_EXPIRED, 0, 10000, 0, 0, 0 },
		{ D_NORMAL, RULES_CS_GONE, NOW, 10000, 10000, -1,
		  RULES_R_COUPON_UNAVAILABLE, 0, 10000, 0, 0, 0 },
		{ D_NORMAL, RULES_CS_OTHER, NOW, 10000, 10000, -1,
		  RULES_R_COUPON_UNAVAILABLE, 0, 10000, 0, 0, 0 },
		{ D_PAUSED, RULES_CS_AVAILABLE, NOW, 10000, 10000, -1,
		  RULES_R_STOCK_NOT_RUNNING, 0, 10000, 0, 0, 0 },
		{ D_NOSTATE, RULES_CS_AVAILABLE, NOW, 10000, 10000, -1,
		  RULES_R_STOCK_NOT_RUNNING, 0, 10000, 0, 0, 0 },
		{ D_UNVERIFIED, RULES_CS_AVAILABLE, NOW, 10000, 10000, -1,
		  RULES_R_CARD_NOT_USABLE, 0, 10000, 0, 0, 0 },
		/* time before amounts */
		{ D_NORMAL, RULES_CS_AVAILABLE, "2027-01-01T00:00:00+08:00", 1,
		  1, -1, RULES_R_EXPIRED, 0, 1, 0, 0, 0 },
		/* bad amounts */
		{ D_NORMAL, RULES_CS_AVAILABLE, NOW, -1, 0, -1,
		  RULES_R_BAD_AMOUNT, 0, 0, 0, 0, 0 },
		{ D_NORMAL, RULES_CS_AVAILABLE, NOW, MONEY_MAX_FEN + 1, 0, -1,
		  RULES_R_BAD_AMOUNT, 0, 0, 0, 0, 0 },
		{ D_NORMAL, RULES_CS_AVAILABLE, NOW, 100, 200, -1,
		  RULES_R_BAD_AMOUNT, 0, 200, 0, 0, 0 },
		{ D_NORMAL, RULES_CS_AVAILABLE, NOW, 100, -5, -1,
		  RULES_R_BAD_AMOUNT, 0, 0, 0, 0, 0 },
		{ D_DISC, RULES_CS_AVAILABLE, NOW, MONEY_MAX_FEN,
		  MONEY_MAX_FEN, -1, RULES_OK, 12000000000,
		  88000000000, 0, 0, 0 },
	};
	size_t i;

	(void)state;
	load_defs();
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct rules_coupon cp = { "C1", cases[i].st, 0, 0,
			cases[i].st == RULES_CS_EXPIRED ? 77 : 0 };
		struct rules_basket b = { cases[i].amount, cases[i].remaining,
			cases[i].item };
		struct rules_verdict v;
		enum rules_reason r;

		r = rules_price(&defs[cases[i].def], &cp, T(cases[i].now), &b,
		    &v);
		if (r != cases[i].want || v.reason != r ||
		    v.discount_fen != cases[i].discount ||
		    v.due_fen != cases[i].due || v.need_fen != cases[i].need ||
		    v.have_fen != cases[i].have ||
		    v.needs_confirm != cases[i].confirm)
			fail_msg("price case %zu: %s disc %lld due %lld need "
			    "%lld have %lld confirm %d", i, rules_reason_id(r),
			    (long long)v.discount_fen, (long long)v.due_fen,
			    (long long)v.need_fen, (long long)v.have_fen,
			    v.needs_confirm);
		if (r == RULES_OK)
			assert_int_equal(v.discount_fen + v.due_fen,
			    cases[i].remaining);
		if (cases[i].st == RULES_CS_EXPIRED)
			assert_int_equal(v.valid_until, 77);
	}
	/* NULL inputs: a verdict, not a crash */
	{
		struct rules_verdict v;
		struct rules_basket b = { 1, 1, -1 };

		assert_int_equal(rules_price(NULL, NULL, 0, &b, &v),
		    RULES_R_BAD_AMOUNT);
		assert_int_equal(rules_price(&defs[D_NORMAL0], NULL, T(NOW),
		    NULL, &v), RULES_R_BAD_AMOUNT);
		assert_int_equal(rules_price(&defs[D_NORMAL0], NULL, T(NOW),
		    &b, &v), RULES_OK);
		assert_int_equal(rules_check_time(NULL, NULL, 0, &v),
		    RULES_R_BAD_AMOUNT);
	}
}

/* ---- rounding ---- */

static void
test_rounding(void **state)
{
	static const struct {
		int def;
		int64_t amount, payable;
	} edges[] = {
		{ D_DISC, 1, 0 },       /* 0.88 -> 0: customer pays nothing */
		{ D_DISC, 9, 7 },       /* 7.92 -> 7 */
		{ D_DISC, 10, 8 },      /* 8.8 -> 8 */
		{ D_DISC, 99, 87 },     /* 87.12 -> 87 */
		{ D_DISC, 100, 88 },    /* exact */
		{ D_DISC, 101, 88 },    /* 88.88 -> 88 */
		{ D_DISC, 12345, 10863 },
		{ D_CDISC, 1, 0 },      /* 0.7 -> 0 */
		{ D_CDISC, 3, 2 },      /* 2.1 -> 2 */
		{ D_CDISC, 999, 699 },  /* 699.3 -> 699 */
		{ D_CDISC, 12345, 8641 },
	};
	struct rules_def d;
	struct rules_verdict v;
	size_t i;
	int64_t a;
	int32_t p;

	(void)state;
	load_defs();
	d = defs[D_DISC];
	for (i = 0; i < sizeof edges / sizeof edges[0]; i++) {
		struct rules_basket b = { edges[i].amount, edges[i].amount,
			-1 };

		assert_int_equal(rules_price(&defs[edges[i].def], NULL, T(NOW),
		    &b, &v), RULES_OK);
		if (v.due_fen != edges[i].payable)
			fail_msg("rounding %zu: %lld -> %lld, want %lld", i,
			    (long long)edges[i].amount, (long long)v.due_fen,
			    (long long)edges[i].payable);
	}
	/* the rule for every percent and small amount: payable is the
	 * largest fen amount not above the exact percentage */
	for (p = 1; p <= 99; p++) {
		d.pay_percent = p;
		for (a = 1; a <= 2000; a++) {
			struct rules_basket b = { a, a, -1 };

			assert_int_equal(rules_price(&d, NULL, T(NOW), &b, &v),
			    RULES_OK);
			assert_true(v.due_fen * 100 <= a * p);
			assert_true((v.due_fen + 1) * 100 > a * p);
			assert_int_equal(v.discount_fen + v.due_fen, a);
			assert_true(v.discount_fen >= 1);
		}
	}
}

/* ---- time windows ---- */

struct tcase {
	const char *now;
	int64_t received;       /* epoch; 0 unknown */
	enum rules_reason want;
	const char *next_at;    /* NULL = 0 */
	int32_t wbegin, wend;   /* -1 = not set */
	const char *from;       /* NULL = don't check */
	const char *until;
};

static void
run_time_cases(const struct rules_def *d, const struct tcase *c, size_t n,
    const char *name)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct rules_coupon cp = { "X", RULES_CS_AVAILABLE,
			c[i].received, 0, 0 };
		struct rules_verdict v;
		enum rules_reason r = rules_check_time(d, &cp, T(c[i].now),
		    &v);
		int64_t want_next = c[i].next_at ? T(c[i].next_at) : 0;

		if (r != c[i].want || v.next_at != want_next ||
		    v.window_begin != c[i].wbegin ||
		    v.window_end != c[i].wend ||
		    (c[i].from != NULL && v.valid_from != T(c[i].from)) ||
		    (c[i].until != NULL && v.valid_until != T(c[i].until))) {
			char nb[40], fb[40], ub[40];

			fail_msg("%s case %zu (%s): %s next %s window %d..%d "
			    "from %s until %s", name, i, c[i].now,
			    rules_reason_id(r),
			    v.next_at ? tm_rfc3339(v.next_at, nb, sizeof nb) :
			    "0", v.window_begin, v.window_end,
			    tm_rfc3339(v.valid_from, fb, sizeof fb),
			    tm_rfc3339(v.valid_until, ub, sizeof ub));
		}
		/* a reported next_at really is usable */
		if (v.next_at != 0) {
			struct rules_verdict v2;

			assert_int_equal(rules_check_time(d, &cp, v.next_at,
			    &v2), RULES_OK);
			assert_true(v.next_at > T(c[i].now));
		}
	}
}

#define OKC(now) { now, 0, RULES_OK, NULL, -1, -1, NULL, NULL }

static void
test_time_range(void **state)
{
	static const struct tcase c[] = {
		{ "2025-12-31T23:59:59+08:00", 0, RULES_R_NOT_YET_VALID,
		  "2026-01-01T00:00:00+08:00", -1, -1,
		  "2026-01-01T00:00:00+08:00", "2026-12-31T23:59:59+08:00" },
		{ "2025-12-31T16:00:00Z", 0, RULES_OK, NULL, -1, -1, NULL,
		  NULL },
		OKC("2026-01-01T00:00:00+08:00"),
		OKC("2026-12-31T23:59:59+08:00"),
		{ "2027-01-01T00:00:00+08:00", 0, RULES_R_EXPIRED, NULL, -1,
		  -1, NULL, "2026-12-31T23:59:59+08:00" },
	};

	(void)state;
	load_defs();
	run_time_cases(&defs[D_NORMAL], c, sizeof c / sizeof c[0], "range");
	run_time_cases(&defs[D_CASH], c, sizeof c / sizeof c[0],
	    "card range");
}

static void
test_time_weekly(void **state)
{
	/* Mon-Fri, 10:00-13:59:59 and 17:00-20:59:59 */
	static const struct tcase wk[] = {
		{ "2026-11-30T09:59:59+08:00", 0,
		  RULES_R_OUTSIDE_WEEKLY_WINDOW, "2026-11-30T10:00:00+08:00",
		  36000, 50399, NULL, NULL },
		OKC("2026-11-30T10:00:00+08:00"),
		OKC("2026-11-30T13:59:59+08:00"),
		{ "2026-11-30T14:00:00+08:00", 0,
		  RULES_R_OUTSIDE_WEEKLY_WINDOW, "2026-11-30T17:00:00+08:00",
		  61200, 75599, NULL, NULL },
		OKC("2026-11-30T20:59:59+08:00"),
		{ "2026-11-30T21:00:00+08:00", 0,
		  RULES_R_OUTSIDE_WEEKLY_WINDOW, "2026-12-01T10:00:00+08:00",
		  36000, 50399, NULL, NULL },
		{ "2026-12-04T21:00:00+08:00", 0,
		  RULES_R_OUTSIDE_WEEKLY_WINDOW, "2026-12-07T10:00:00+08:00",
		  36000, 50399, NULL, NULL },
		{ "2026-12-05T12:00:00+08:00", 0,
		  RULES_R_OUTSIDE_WEEKLY_WINDOW, "2026-12-07T10:00:00+08:00",
		  36000, 50399, NULL, NULL },
		/* the last week of the stock: no window before the end */
		{ "2026-12-31T21:00:00+08:00", 0,
		  RULES_R_OUTSIDE_WEEKLY_WINDOW, NULL, -1, -1, NULL, NULL },
	};
	/* Saturday only (week_day as a string, as the old wiki sent it):
	 * the day starts at 16:00 UTC on Friday in Asia/Shanghai */
	static const struct tcase sat[] = {
		{ "2026-11-27T23:59:59+08:00", 0,
		  RULES_R_OUTSIDE_WEEKLY_WINDOW, "2026-11-28T00:00:00+08:00",
		  0, 86399, NULL, NULL },
		{ "2026-11-27T15:59:59Z", 0, RULES_R_OUTSIDE_WEEKLY_WINDOW,
		  "2026-11-27T16:00:00Z", 0, 86399, NULL, NULL },
		OKC("2026-11-27T16:00:00Z"),
		OKC("2026-11-28T00:00:00+08:00"),
		OKC("2026-11-28T23:59:59+08:00"),
		{ "2026-11-29T00:00:00+08:00", 0,
		  RULES_R_OUTSIDE_WEEKLY_WINDOW, "2026-12-05T00:00:00+08:00",
		  0, 86399, NULL, NULL },
	};
	/* Sunday (0) evening window ending at 24:00 and Monday morning */
	static const struct tcase sun[] = {
		OKC("2026-11-29T23:59:59+08:00"),
		{ "2026-11-30T00:00:00+08:00", 0,
		  RULES_R_OUTSIDE_WEEKLY_WINDOW, "2026-12-06T22:00:00+08:00",
		  79200, 86399, NULL, NULL },
		{ "2026-11-29T21:59:59+08:00", 0,
		  RULES_R_OUTSIDE_WEEKLY_WINDOW, "2026-11-29T22:00:00+08:00",
		  79200, 86399, NULL, NULL },
	};
	struct rules_def d;

	(void)state;
	parse_stock_ok(stock_json("1", "NORMAL", RUNNING, Y2026
	    ",\"available_week\":{\"week_day\":[1,2,3,4,5],"
	    "\"available_day_time\":[{\"begin_time\":36000,"
	    "\"end_time\":50399},{\"begin_time\":61200,\"end_time\":75599}]}",
	    SUB_NORMAL), &d);
	run_time_cases(&d, wk, sizeof wk / sizeof wk[0], "weekly");
	parse_stock_ok(stock_json("1", "NORMAL", RUNNING, Y2026
	    ",\"available_week\":{\"week_day\":[\"6\"]}", SUB_NORMAL), &d);
	run_time_cases(&d, sat, sizeof sat / sizeof sat[0], "saturday");
	parse_stock_ok(stock_json("1", "NORMAL", RUNNING, Y2026
	    ",\"available_week\":{\"week_day\":[0],\"available_day_time\":"
	    "[{\"begin_time\":79200,\"end_time\":86400}]}", SUB_NORMAL), &d);
	run_time_cases(&d, sun, sizeof sun / sizeof sun[0], "sunday");
}

static void
test_time_periods(void **state)
{
	static const struct tcase c[] = {
		{ "2026-04-30T23:59:59+08:00", 0, RULES_R_OUTSIDE_PERIODS,
		  "2026-05-01T00:00:00+08:00", -1, -1, NULL, NULL },
		OKC("2026-05-01T00:00:00+08:00"),
		OKC("2026-05-05T23:59:59+08:00"),
		{ "2026-05-06T00:00:00+08:00", 0, RULES_R_OUTSIDE_PERIODS,
		  "2026-10-01T00:00:00+08:00", -1, -1, NULL, NULL },
		OKC("2026-10-07T23:59:59+08:00"),
		{ "2026-10-08T00:00:00+08:00", 0, RULES_R_OUTSIDE_PERIODS,
		  NULL, -1, -1, NULL, NULL },
	};
	/* periods AND Saturdays: 2026-10-01 is a Thursday */
	static const struct tcase both[] = {
		{ "2026-10-01T12:00:00+08:00", 0,
		  RULES_R_OUTSIDE_WEEKLY_WINDOW, "2026-10-03T00:00:00+08:00",
		  0, 86399, NULL, NULL },
		{ "2026-05-06T00:00:00+08:00", 0, RULES_R_OUTSIDE_PERIODS,
		  "2026-10-03T00:00:00+08:00", 0, 86399, NULL, NULL },
		OKC("2026-10-03T09:00:00+08:00"),
		{ "2026-10-04T00:00:00+08:00", 0,
		  RULES_R_OUTSIDE_WEEKLY_WINDOW, NULL, -1, -1, NULL, NULL },
	};
	struct rules_def d;
#define PERIODS ",\"irregulary_avaliable_time\":[{\"begin_time\":" \
	"\"2026-05-01T00:00:00+08:00\",\"end_time\":" \
	"\"2026-05-05T23:59:59+08:00\"},{\"begin_time\":" \
	"\"2026-10-01T00:00:00+08:00\",\"end_time\":" \
	"\"2026-10-07T23:59:59+08:00\"}]"

	(void)state;
	parse_stock_ok(stock_json("1", "NORMAL", RUNNING, Y2026 PERIODS,
	    SUB_NORMAL), &d);
	run_time_cases(&d, c, sizeof c / sizeof c[0], "periods");
	parse_stock_ok(stock_json("1", "NORMAL", RUNNING, Y2026 PERIODS
	    ",\"available_week\":{\"week_day\":[6]}", SUB_NORMAL), &d);
	run_time_cases(&d, both, sizeof both / sizeof both[0],
	    "periods+week");
}

static void
test_time_relative(void **state)
{
	int64_t recv = T("2026-03-10T22:00:00+08:00");
	/* valid 3 days after becoming effective, effective 1 day after
	 * receipt (at local midnight) */
	const struct tcase c[] = {
		{ "2026-03-10T23:59:59+08:00", recv, RULES_R_NOT_YET_VALID,
		  "2026-03-11T00:00:00+08:00", -1, -1,
		  "2026-03-11T00:00:00+08:00", "2026-03-13T23:59:59+08:00" },
		OKC("2026-03-11T00:00:00+08:00"),
		OKC("2026-03-13T23:59:59+08:00"),
		{ "2026-03-14T00:00:00+08:00", recv, RULES_R_EXPIRED, NULL,
		  -1, -1, "2026-03-11T00:00:00+08:00",
		  "2026-03-13T23:59:59+08:00" },
		{ "2026-03-12T00:00:00+08:00", 0,
		  RULES_R_RECEIVE_TIME_UNKNOWN, NULL, -1, -1, NULL, NULL },
		/* unknown receipt but the stock itself is over */
		{ "2027-01-01T00:00:00+08:00", 0, RULES_R_EXPIRED, NULL, -1,
		  -1, NULL, NULL },
		/* received at the end of the stock: the stock end caps it */
		{ "2027-01-01T00:00:00+08:00",
		  T("2026-12-30T10:00:00+08:00"), RULES_R_EXPIRED, NULL, -1,
		  -1, "2026-12-31T00:00:00+08:00",
		  "2026-12-31T23:59:59+08:00" },
	};
	/* valid only on the day of receipt (1 day, no wait) */
	const struct tcase one[] = {
		OKC("2026-03-10T22:00:00+08:00"),
		{ "2026-03-10T21:59:59+08:00", recv, RULES_R_NOT_YET_VALID,
		  "2026-03-10T22:00:00+08:00", -1, -1, NULL, NULL },
		OKC("2026-03-10T23:59:59+08:00"),
		{ "2026-03-11T00:00:00+08:00", recv, RULES_R_EXPIRED, NULL,
		  -1, -1, "2026-03-10T22:00:00+08:00",
		  "2026-03-10T23:59:59+08:00" },
	};
	struct tcase cc[sizeof c / sizeof c[0]];
	struct tcase oo[sizeof one / sizeof one[0]];
	struct rules_def d;
	size_t i;

	(void)state;
	memcpy(cc, c, sizeof c);
	memcpy(oo, one, sizeof one);
	for (i = 0; i < sizeof cc / sizeof cc[0]; i++)
		if (cc[i].want == RULES_OK)
			cc[i].received = recv;
	for (i = 0; i < sizeof oo / sizeof oo[0]; i++)
		oo[i].received = recv;
	parse_stock_ok(stock_json("1", "NORMAL", RUNNING, Y2026
	    ",\"available_day_after_receive\":3,\"wait_days_after_receive\":1",
	    SUB_NORMAL), &d);
	run_time_cases(&d, cc, sizeof cc / sizeof cc[0], "relative");
	parse_stock_ok(stock_json("1", "NORMAL", RUNNING, Y2026
	    ",\"available_day_after_receive\":1", SUB_NORMAL), &d);
	run_time_cases(&d, oo, sizeof oo / sizeof oo[0], "one day");

	/* per-user times from a §5.6 query win over the computation */
	{
		struct rules_coupon cp = { "X", RULES_CS_AVAILABLE, 0,
			T("2026-03-01T00:00:00+08:00"),
			T("2026-03-02T23:59:59+08:00") };
		struct rules_verdict v;

		assert_int_equal(rules_check_time(&d, &cp,
		    T("2026-03-02T23:59:59+08:00"), &v), RULES_OK);
		assert_int_equal(rules_check_time(&d, &cp,
		    T("2026-03-03T00:00:00+08:00"), &v), RULES_R_EXPIRED);
		assert_int_equal(v.valid_until,
		    T("2026-03-02T23:59:59+08:00"));
	}
}

static void
test_time_card_term(void **state)
{
	int64_t recv = T("2026-03-10T22:00:00+08:00");
	struct tcase c[] = {
		OKC("2026-03-10T22:00:00+08:00"),
		OKC("2026-03-11T23:59:59+08:00"),
		{ "2026-03-12T00:00:00+08:00", 0, RULES_R_EXPIRED, NULL, -1,
		  -1, NULL, "2026-03-11T23:59:59+08:00" },
	};
	struct tcase w[] = {
		{ "2026-03-10T23:00:00+08:00", 0, RULES_R_NOT_YET_VALID,
		  "2026-03-11T00:00:00+08:00", -1, -1,
		  "2026-03-11T00:00:00+08:00", "2026-03-11T23:59:59+08:00" },
		OKC("2026-03-11T00:00:00+08:00"),
		OKC("2026-03-11T12:00:00+08:00"),
		{ "2026-03-12T00:00:00+08:00", 0, RULES_R_EXPIRED, NULL, -1,
		  -1, NULL, "2026-03-11T23:59:59+08:00" },
	};
	struct rules_def d;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof c / sizeof c[0]; i++)
		c[i].received = recv;
	for (i = 0; i < sizeof w / sizeof w[0]; i++)
		w[i].received = recv;
	parse_card_ok("{\"card_type\":\"CASH\",\"cash\":{"
	    CARD_BASE("CARD_STATUS_VERIFY_OK", "{\"type\":"
	    "\"DATE_TYPE_FIX_TERM\",\"fixed_term\":2,\"fixed_begin_term\":0}")
	    ",\"reduce_cost\":100}}", &d);
	run_time_cases(&d, c, sizeof c / sizeof c[0], "fix_term");
	parse_card_ok("{\"card_type\":\"CASH\",\"cash\":{"
	    CARD_BASE("CARD_STATUS_VERIFY_OK", "{\"type\":"
	    "\"DATE_TYPE_FIX_TERM\",\"fixed_term\":1,\"fixed_begin_term\":1}")
	    ",\"reduce_cost\":100}}", &d);
	run_time_cases(&d, w, sizeof w / sizeof w[0], "fix_term wait");
	/* a common end_timestamp cuts every user's term */
	parse_card_ok("{\"card_type\":\"CASH\",\"cash\":{"
	    CARD_BASE("CARD_STATUS_VERIFY_OK", "{\"type\":"
	    "\"DATE_TYPE_FIX_TERM\",\"fixed_term\":30,"
	    "\"end_timestamp\":1773244799}") ",\"reduce_cost\":100}}", &d);
	{
		struct rules_coupon cp = { "X", RULES_CS_AVAILABLE, recv, 0,
			0 };
		struct rules_verdict v;

		assert_int_equal(T("2026-03-11T23:59:59+08:00"), 1773244799);
		assert_int_equal(rules_check_time(&d, &cp, 1773244799, &v),
		    RULES_OK);
		assert_int_equal(rules_check_time(&d, &cp, 1773244800, &v),
		    RULES_R_EXPIRED);
	}
}

/* Days relative to receipt count local calendar days, also across a DST
 * change (a store zone other than China's: the 23-hour day). */
static void
test_time_dst(void **state)
{
	struct rules_def d;
	struct rules_coupon cp = { "X", RULES_CS_AVAILABLE, 0, 0, 0 };
	struct rules_verdict v;

	(void)state;
	assert_int_equal(tm_set_zone("Europe/Berlin"), 0);
	parse_stock_ok(stock_json("1", "NORMAL", RUNNING, Y2026
	    ",\"available_day_after_receive\":1,\"wait_days_after_receive\":1",
	    SUB_NORMAL), &d);
	cp.received_at = T("2026-03-28T22:00:00+01:00");
	/* effective the next local day; 2026-03-29 has 23 hours */
	assert_int_equal(rules_check_time(&d, &cp,
	    T("2026-03-28T23:59:59+01:00"), &v), RULES_R_NOT_YET_VALID);
	assert_int_equal(v.valid_from, T("2026-03-29T00:00:00+01:00"));
	assert_int_equal(v.valid_until, T("2026-03-29T23:59:59+02:00"));
	assert_int_equal(rules_check_time(&d, &cp,
	    T("2026-03-29T23:59:59+02:00"), &v), RULES_OK);
	assert_int_equal(rules_check_time(&d, &cp,
	    T("2026-03-30T00:30:00+02:00"), &v), RULES_R_EXPIRED);
	assert_int_equal(tm_set_zone("Asia/Shanghai"), 0);
}

/* ---- several coupons ---- */

static void
test_basket(void **state)
{
	struct rules_coupon c1 = { "C1", RULES_CS_AVAILABLE, 0, 0, 0 };
	struct rules_coupon c2 = { "C2", RULES_CS_AVAILABLE, 0, 0, 0 };
	struct rules_coupon c3 = { "C3", RULES_CS_AVAILABLE, 0, 0, 0 };
	struct rules_coupon used = { "C4", RULES_CS_USED, 0, 0, 0 };
	struct rules_verdict v[RULES_MAX_COUPONS + 1];
	struct rules_item it[RULES_MAX_COUPONS + 1];
	struct rules_def nonstack;
	int64_t disc, due, now = T(NOW);
	size_t i;

	(void)state;
	load_defs();
	/* NORMAL (10000 min, 20 off), DISCOUNT 88, CASH (50 min, 10 off) */
	it[0] = (struct rules_item){ &defs[D_NORMAL], &c1, -1 };
	it[1] = (struct rules_item){ &defs[D_DISC], &c2, -1 };
	it[2] = (struct rules_item){ &defs[D_CASH], &c3, -1 };
	assert_int_equal(rules_price_basket(12000, it, 3, now, v, &disc,
	    &due), 0);
	assert_int_equal(v[0].discount_fen, 2000);
	assert_int_equal(v[1].discount_fen, 1200);  /* 88 % of 10000 */
	assert_int_equal(v[2].discount_fen, 1000);
	assert_int_equal(disc, 4200);
	assert_int_equal(due, 7800);
	/* the order matters: DISCOUNT first; NORMAL's threshold is checked
	 * against the ORIGINAL 10500 although only 9240 remains */
	it[0] = (struct rules_item){ &defs[D_DISC], &c2, -1 };
	it[1] = (struct rules_item){ &defs[D_NORMAL], &c1, -1 };
	assert_int_equal(rules_price_basket(10500, it, 2, now, v, &disc,
	    &due), 0);
	assert_int_equal(v[0].due_fen, 9240);
	assert_int_equal(v[1].reason, RULES_OK);
	assert_int_equal(v[1].discount_fen, 2000);
	assert_int_equal(due, 7240);
	assert_int_equal(disc, 3260);

	/* at most one per stock; a rejected one does not count */
	it[0] = (struct rules_item){ &defs[D_NORMAL], &used, -1 };
	it[1] = (struct rules_item){ &defs[D_NORMAL], &c1, -1 };
	it[2] = (struct rules_item){ &defs[D_NORMAL], &c2, -1 };
	assert_int_equal(rules_price_basket(30000, it, 3, now, v, &disc,
	    &due), 0);
	assert_int_equal(v[0].reason, RULES_R_ALREADY_USED);
	assert_int_equal(v[1].reason, RULES_OK);
	assert_int_equal(v[2].reason, RULES_R_PER_TXN_LIMIT);
	assert_int_equal(v[2].limit, 1);
	assert_int_equal(v[2].due_fen, 28000);
	assert_int_equal(due, 28000);
	/* per_txn configured to 2 */
	{
		struct rules_def two = defs[D_NORMAL];

		two.per_txn = 2;
		it[0] = (struct rules_item){ &two, &c1, -1 };
		it[1] = (struct rules_item){ &two, &c2, -1 };
		it[2] = (struct rules_item){ &two, &c3, -1 };
		assert_int_equal(rules_price_basket(30000, it, 3, now, v,
		    &disc, &due), 0);
		assert_int_equal(v[0].reason, RULES_OK);
		assert_int_equal(v[1].reason, RULES_OK);
		assert_int_equal(v[2].reason, RULES_R_PER_TXN_LIMIT);
		assert_int_equal(v[2].limit, 2);
		assert_int_equal(due, 26000);
	}
	/* the same code twice */
	it[0] = (struct rules_item){ &defs[D_NORMAL0], &c1, -1 };
	it[1] = (struct rules_item){ &defs[D_DISC], &c1, -1 };
	assert_int_equal(rules_price_basket(30000, it, 2, now, v, &disc,
	    &due), 0);
	assert_int_equal(v[1].reason, RULES_R_DUPLICATE);
	/* due never below 0; later coupons have nothing left */
	it[0] = (struct rules_item){ &defs[D_NORMAL0], &c1, -1 };
	it[1] = (struct rules_item){ &defs[D_DISC], &c2, -1 };
	it[2] = (struct rules_item){ &defs[D_GIFT], &c3, 500 };
	assert_int_equal(rules_price_basket(1500, it, 3, now, v, &disc,
	    &due), 0);
	assert_int_equal(v[0].discount_fen, 1500);
	assert_int_equal(v[1].reason, RULES_R_NO_BENEFIT);
	assert_int_equal(v[2].reason, RULES_OK);
	assert_int_equal(v[2].discount_fen, 0);
	assert_int_equal(due, 0);
	assert_int_equal(disc, 1500);
	/* a card that forbids other discounts */
	nonstack = defs[D_CASH];
	nonstack.stackable = 0;
	it[0] = (struct rules_item){ &defs[D_NORMAL0], &c1, -1 };
	it[1] = (struct rules_item){ &nonstack, &c2, -1 };
	assert_int_equal(rules_price_basket(9000, it, 2, now, v, &disc,
	    &due), 0);
	assert_int_equal(v[1].reason, RULES_R_NOT_STACKABLE);
	assert_int_equal(due, 7000);
	it[0] = (struct rules_item){ &nonstack, &c2, -1 };
	it[1] = (struct rules_item){ &defs[D_NORMAL0], &c1, -1 };
	assert_int_equal(rules_price_basket(9000, it, 2, now, v, &disc,
	    &due), 0);
	assert_int_equal(v[0].reason, RULES_OK);
	assert_int_equal(v[1].reason, RULES_R_NOT_STACKABLE);
	assert_int_equal(due, 8000);
	/* empty basket */
	assert_int_equal(rules_price_basket(9000, NULL, 0, now, NULL, &disc,
	    &due), 0);
	assert_int_equal(due, 9000);
	assert_int_equal(disc, 0);
	/* bad input: every verdict says so */
	it[0] = (struct rules_item){ &defs[D_NORMAL0], &c1, -1 };
	assert_int_equal(rules_price_basket(-1, it, 1, now, v, &disc, &due),
	    QUAN_EINVAL);
	assert_int_equal(v[0].reason, RULES_R_BAD_AMOUNT);
	assert_int_equal(due, 0);
	for (i = 0; i <= RULES_MAX_COUPONS; i++)
		it[i] = (struct rules_item){ &defs[D_NORMAL0], NULL, -1 };
	assert_int_equal(rules_price_basket(100, it, RULES_MAX_COUPONS + 1,
	    now, v, &disc, &due), QUAN_EINVAL);
	assert_int_equal(v[0].reason, RULES_R_BAD_AMOUNT);
	it[1].def = NULL;
	assert_int_equal(rules_price_basket(100, it, 2, now, v, &disc, &due),
	    QUAN_EINVAL);
	/* many coupons without codes: only per_txn limits them */
	assert_int_equal(rules_price_basket(100000, it, 1, now, v, &disc,
	    &due), 0);
	assert_int_equal(due, 98000);
}

/* Random baskets: invariants hold whatever the mix. */
static void
test_basket_invariants(void **state)
{
	struct rules_coupon cps[8];
	struct rules_item it[8];
	struct rules_verdict v[8];
	char codes[8][8];
	uint32_t x = 7;
	int round, i;

	(void)state;
	load_defs();
	for (round = 0; round < 20000; round++) {
		int64_t amount, disc, due, sum = 0;
		int n;

		x = x * 1103515245u + 12345u;
		n = (int)((x >> 16) % 8) + 1;
		x = x * 1103515245u + 12345u;
		amount = (int64_t)((x >> 8) % 30000);
		for (i = 0; i < n; i++) {
			x = x * 1103515245u + 12345u;
			snprintf(codes[i], sizeof codes[i], "K%u",
			    (x >> 20) % 6);
			cps[i] = (struct rules_coupon){ codes[i],
				(enum rules_cstate)((x >> 8) % 3), 0, 0, 0 };
			it[i].def = &defs[(x >> 4) % D__N];
			it[i].cp = &cps[i];
			it[i].item_price_fen = (x >> 12) % 3 ?
			    (int64_t)((x >> 2) % 4000) : -1;
		}
		assert_int_equal(rules_price_basket(amount, it, (size_t)n,
		    T(NOW), v, &disc, &due), 0);
		for (i = 0; i < n; i++) {
			assert_true(v[i].discount_fen >= 0);
			assert_true(v[i].due_fen >= 0);
			if (v[i].reason != RULES_OK)
				assert_int_equal(v[i].discount_fen, 0);
			sum += v[i].discount_fen;
		}
		assert_int_equal(sum, disc);
		assert_int_equal(amount - disc, due);
		assert_true(due >= 0);
	}
}

static void
test_ids(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < RULES_R__COUNT; i++) {
		const char *id = rules_reason_id((enum rules_reason)i);

		assert_non_null(id);
		assert_int_equal(rules_reason_from_id(id), i);
	}
	assert_string_equal(rules_reason_id(RULES_R_BELOW_MINIMUM),
	    "below_minimum");
	assert_string_equal(rules_reason_id(RULES_R_OUTSIDE_WEEKLY_WINDOW),
	    "outside_weekly_window");
	assert_string_equal(rules_reason_id(RULES_R_NEEDS_ITEM_PRICE),
	    "needs_item_price");
	assert_string_equal(rules_reason_id((enum rules_reason)999),
	    "invalid");
	assert_int_equal(rules_reason_from_id("nope"), -1);
	assert_int_equal(rules_reason_from_id(NULL), -1);
	assert_int_equal(rules_cstate_parse("SENDED"), RULES_CS_AVAILABLE);
	assert_int_equal(rules_cstate_parse("NORMAL"), RULES_CS_AVAILABLE);
	assert_int_equal(rules_cstate_parse("CONSUMED"), RULES_CS_USED);
	assert_int_equal(rules_cstate_parse("USED"), RULES_CS_USED);
	assert_int_equal(rules_cstate_parse("EXPIRE"), RULES_CS_EXPIRED);
	assert_int_equal(rules_cstate_parse("DEACTIVATED"), RULES_CS_GONE);
	assert_int_equal(rules_cstate_parse("UNAVAILABLE"), RULES_CS_GONE);
	assert_int_equal(rules_cstate_parse("REDEEM_CONFIRMING"),
	    RULES_CS_OTHER);
	assert_int_equal(rules_cstate_parse(""), RULES_CS_UNKNOWN);
	assert_int_equal(rules_cstate_parse(NULL), RULES_CS_UNKNOWN);
}

/* ---- latency: classify + price, the scan -> verdict hot path ---- */

static uint64_t
ns_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int
fake_lookup(void *arg, const char *code, struct classify_hit *hit)
{
	(void)arg;
	if (code[0] == 'Q') {
		hit->kind = CLASSIFY_MERCHANT;
		snprintf(hit->id, sizeof hit->id, "1212");
		return 1;
	}
	return 0;
}

static void
test_latency(void **state)
{
	enum { N = 100000 };
	static const struct classify_pattern pat[] = {
		{ CLASSIFY_MERCHANT, "1212", "QA", 10, 32, CLASSIFY_CS_ALNUM },
		{ CLASSIFY_CARD, "pX", "88", 12, 12, CLASSIFY_CS_DIGITS },
	};
	static const char *scans[] = { "QA0000000001\r\n", "4096 3245 7895",
		"881234567890", "134567890123456789" };
	uint64_t *lat = malloc(N * sizeof *lat);
	struct classify *c;
	struct rules_def wk;
	int64_t now0 = T(NOW);
	int i;

	(void)state;
	assert_non_null(lat);
	load_defs();
	/* the worst realistic rule: weekly windows and periods */
	parse_stock_ok(stock_json("1212", "NORMAL", RUNNING, Y2026 PERIODS
	    ",\"available_week\":{\"week_day\":[1,2,3,4,5,6],"
	    "\"available_day_time\":[{\"begin_time\":36000,"
	    "\"end_time\":50399},{\"begin_time\":61200,\"end_time\":75599}]}",
	    SUB_NORMAL), &wk);
	assert_int_equal(classify_new(pat, 2, &c, NULL), 0);
	for (i = 0; i < N; i++) {
		struct classify_result r;
		struct rules_coupon cp = { "QA0000000001", RULES_CS_AVAILABLE,
			0, 0, 0 };
		struct rules_item it = { &wk, &cp, -1 };
		struct rules_verdict v;
		int64_t disc, due;
		const char *s = scans[i % 4];
		uint64_t t0 = ns_now();

		classify_scan(c, s, strlen(s), fake_lookup, NULL, &r);
		rules_price_basket(12000, &it, 1, now0 + (i % 86400), &v,
		    &disc, &due);
		lat[i] = ns_now() - t0;
	}
	qsort(lat, N, sizeof *lat, cmp_u64);
	print_message("classify+price latency: p50 %llu ns, p99 %llu ns, "
	    "max %llu ns (%d runs)\n", (unsigned long long)lat[N / 2],
	    (unsigned long long)lat[N * 99 / 100],
	    (unsigned long long)lat[N - 1], N);
	assert_true(lat[N * 99 / 100] < 1000000); /* < 1 ms */
	classify_free(c);
	free(lat);
}

/* The worst definition the parser accepts for the next_at search: 16
 * Sunday windows and 64 one-hour Monday periods, never usable. Each
 * rejection must still price in well under 1 ms. */
static void
test_latency_worst(void **state)
{
	enum { N = 2000 };
	static char js[65536];
	uint64_t *lat = malloc(N * sizeof *lat);
	struct rules_def d;
	size_t o = 0;
	int i;

	(void)state;
	assert_non_null(lat);
	o += (size_t)snprintf(js + o, sizeof js - o, "{\"stock_id\":\"1\","
	    "\"stock_type\":\"NORMAL\",\"stock_state\":\"RUNNING\","
	    "\"coupon_use_rule\":{\"coupon_available_time\":{%s,"
	    "\"available_week\":{\"week_day\":[0],\"available_day_time\":[",
	    Y2026);
	for (i = 0; i < RULES_MAX_WINDOWS; i++)
		o += (size_t)snprintf(js + o, sizeof js - o,
		    "%s{\"begin_time\":%d,\"end_time\":%d}", i ? "," : "",
		    i * 3600, i * 3600 + 60);
	o += (size_t)snprintf(js + o, sizeof js - o,
	    "]},\"irregulary_avaliable_time\":[");
	for (i = 0; i < RULES_MAX_PERIODS; i++) {
		char b[40], e[40];
		int64_t t = T("2026-01-05T00:00:00+08:00") +
		    (int64_t)i * 7 * 86400; /* Mondays */

		tm_rfc3339(t, b, sizeof b);
		tm_rfc3339(t + 3600, e, sizeof e);
		o += (size_t)snprintf(js + o, sizeof js - o,
		    "%s{\"begin_time\":\"%s\",\"end_time\":\"%s\"}",
		    i ? "," : "", b, e);
	}
	o += (size_t)snprintf(js + o, sizeof js - o, "]},%s}}", SUB_NORMAL);
	assert_true(o < sizeof js - 1);
	parse_stock_ok(js, &d);
	assert_int_equal(d.n_windows, RULES_MAX_WINDOWS);
	assert_int_equal(d.n_periods, RULES_MAX_PERIODS);
	for (i = 0; i < N; i++) {
		struct rules_basket b = { 20000, 20000, -1 };
		struct rules_verdict v;
		uint64_t t0 = ns_now();

		assert_int_not_equal(rules_price(&d, NULL,
		    T("2026-01-01T05:00:00+08:00") + i * 97, &b, &v), RULES_OK);
		lat[i] = ns_now() - t0;
		assert_int_equal(v.next_at, 0);
	}
	qsort(lat, N, sizeof *lat, cmp_u64);
	print_message("worst-case rejection latency: p50 %llu ns, p99 %llu "
	    "ns\n", (unsigned long long)lat[N / 2],
	    (unsigned long long)lat[N * 99 / 100]);
	/* the median: the 8 ms -> 13 us search is what this guards, and a
	 * tail is the scheduler's on a loaded machine or under qemu (arm64
	 * preset: p50 ~70 us, p99 up to 12 ms) */
	assert_true(lat[N / 2] < 1000000);
	free(lat);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_stock_types),
		cmocka_unit_test(test_parse_stock_hostile),
		cmocka_unit_test(test_parse_card),
		cmocka_unit_test(test_parse_card_hostile),
		cmocka_unit_test(test_price_table),
		cmocka_unit_test(test_rounding),
		cmocka_unit_test(test_time_range),
		cmocka_unit_test(test_time_weekly),
		cmocka_unit_test(test_time_periods),
		cmocka_unit_test(test_time_relative),
		cmocka_unit_test(test_time_card_term),
		cmocka_unit_test(test_time_dst),
		cmocka_unit_test(test_basket),
		cmocka_unit_test(test_basket_invariants),
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_latency),
		cmocka_unit_test(test_latency_worst),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
