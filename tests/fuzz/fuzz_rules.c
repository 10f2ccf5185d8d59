/* fuzz_rules.c — libFuzzer target for the stock and card JSON parsers
 * and, when a document parses, for pricing it at times and amounts taken
 * from the input. Checks the money invariants; ASan/UBSan catch the rest. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/rules.h"
#include "util/money.h"
#include "util/tm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t
hash(const uint8_t *d, size_t n)
{
	uint64_t h = 1469598103934665603u;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ d[i]) * 1099511628211u;
	return h;
}

static void
price(const struct rules_def *d, uint64_t h)
{
	struct rules_coupon cp = { "C", (enum rules_cstate)(h % 6), 0, 0, 0 };
	struct rules_item it[3];
	struct rules_verdict v[3];
	int64_t amount = (int64_t)(h % 2000000), disc, due, sum = 0;
	int64_t now;
	size_t i, n = 1 + (h >> 8) % 3;

	if ((h >> 12) & 1)
		cp.received_at = d->begin_at + (int64_t)((h >> 16) % 5000000);
	/* around the validity, and anywhere */
	now = d->begin_at + (int64_t)((h >> 20) % 40000000) - 86400;
	if ((h >> 60) == 0)
		now = (int64_t)((h >> 24) % 4102444800u);
	for (i = 0; i < n; i++) {
		it[i].def = d;
		it[i].cp = i == 2 ? NULL : &cp;
		it[i].item_price_fen = (h >> (30 + i)) & 1 ?
		    (int64_t)((h >> 34) % 3000000) : -1;
	}
	if (rules_price_basket(amount, it, n, now, v, &disc, &due) != 0)
		abort();
	for (i = 0; i < n; i++) {
		if (v[i].discount_fen < 0 || v[i].due_fen < 0)
			abort();
		if (v[i].reason != RULES_OK && v[i].discount_fen != 0)
			abort();
		if (v[i].next_at != 0) {
			struct rules_verdict v2;

			/* a promised moment is later and really usable */
			if (v[i].next_at <= now ||
			    rules_check_time(d, it[i].cp, v[i].next_at, &v2) !=
			    RULES_OK)
				abort();
		}
		sum += v[i].discount_fen;
	}
	if (sum != disc || amount - disc != due || due < 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int zoned;
	struct rules_def d;
	uint64_t h = hash(data, size);

	if (!zoned) {
		tm_set_zone("Asia/Shanghai");
		zoned = 1;
	}
	if (rules_parse_stock((const char *)data, size, &d, NULL) == 0) {
		if (d.family != RULES_MERCHANT || d.id[0] == '\0' ||
		    d.n_windows > RULES_MAX_WINDOWS ||
		    d.n_periods > RULES_MAX_PERIODS || d.pay_percent < 1 ||
		    d.pay_percent > 100 || d.amount_fen < 0 ||
		    d.minimum_fen < 0 || d.amount_fen > MONEY_MAX_FEN)
			abort();
		price(&d, h);
	}
	if (rules_parse_card((const char *)data, size, &d, NULL) == 0) {
		if (d.family != RULES_CARD || d.id[0] == '\0' ||
		    d.n_windows > RULES_MAX_WINDOWS || d.pay_percent < 1 ||
		    d.pay_percent > 100 || d.amount_fen < 0 ||
		    d.minimum_fen < 0)
			abort();
		price(&d, h);
	}
	return 0;
}
