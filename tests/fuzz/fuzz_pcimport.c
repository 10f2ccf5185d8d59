/* fuzz_pcimport.c — libFuzzer target for the 商品券 JSON readers (`quan
 * import product`, the definitions fetched from WeChat): a document
 * {"product_coupons", "stocks", "coupons"} is parsed and, when it parses,
 * every coupon is priced against the definitions it names at a time and
 * an amount taken from the input. Checks the money invariants (discount
 * in 0..remaining-1, due = remaining - discount); ASan/UBSan catch the
 * rest. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/pcoupon_json.h"
#include "core/pcoupon_rules.h"
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
price_all(const struct pc_doc *d, uint64_t h)
{
	size_t i, j, k;

	for (i = 0; i < d->ncoupons; i++) {
		const struct pc_coupon *c = &d->coupons[i];
		const struct pc_product *p = NULL;
		const struct pc_stock *s = NULL;
		struct pc_env env = { 0, "S1", (h & 1) ? "" : "120344" };
		struct pc_basket b;
		struct pc_verdict v;

		for (j = 0; j < d->nproducts; j++)
			if (!strcmp(d->products[j].product_coupon_id,
			    c->product_coupon_id))
				p = &d->products[j];
		for (k = 0; k < d->nstocks; k++)
			if (!strcmp(d->stocks[k].stock_id, c->stock_id))
				s = &d->stocks[k];
		env.now = (c->valid_begin ? c->valid_begin : 1700000000) +
		    (int64_t)((h >> 8) % 40000000) - 86400;
		b.amount_fen = (int64_t)((h >> 20) % 2000000);
		b.remaining_fen = b.amount_fen - (int64_t)((h >> 40) % 100);
		if (b.remaining_fen < 0)
			b.remaining_fen = 0;
		b.item_price_fen = (h >> 50) & 1 ? -1 :
		    (int64_t)((h >> 30) % 300000);
		pc_price(c, p, s, d->coupons, (int)d->ncoupons, &env, &b, &v);
		if (v.reason == REASON_NONE && (v.discount_fen < 1 ||
		    v.discount_fen > b.remaining_fen - 1 ||
		    v.due_fen != b.remaining_fen - v.discount_fen))
			abort();
		if (v.reason != REASON_NONE && v.discount_fen != 0)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int zoned;
	json_error_t e;
	struct pc_doc d;
	json_t *root;
	char *cause = NULL;

	if (!zoned) {
		(void)tm_set_zone("Asia/Shanghai");
		zoned = 1;
	}
	/* the text entry point, then the document for pricing */
	(void)pc_parse_text((const char *)data, size, &cause);
	free(cause);
	cause = NULL;
	root = json_loadb((const char *)data, size, 0, &e);
	if (root == NULL)
		return 0;
	if (pc_doc_parse(root, NULL, NULL, &d, &cause) == 0) {
		price_all(&d, hash(data, size));
		pc_doc_free(&d);
	}
	free(cause);
	json_decref(root);
	return 0;
}
