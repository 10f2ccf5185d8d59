/* fuzz_pcoupon.c — libFuzzer target for the 商品券 answer reader
 * (pc_coupon_parse: the UserProductCouponEntity of use, return,
 * deactivate, confirm and get; app/net/pcoupon_parse.c) and the RFC 3339
 * reader it uses (tm_parse_rfc3339_min, seconds optional).
 *
 * Checks its promises, not only "no crash": a parsed coupon has a
 * non-empty, NUL-terminated code, a state of the enum, a bundle index of
 * -1 or a count, and every string NUL-terminated inside its field. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/pcoupon.h"
#include "util/tm.h"
#include "util/err.h"
#include "util/xmem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
terminated(const char *s, size_t n)
{
	if (memchr(s, '\0', n) == NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pc_entity e;
	char *cause = NULL, *s;
	int64_t t;
	int rc;

	rc = pc_coupon_parse((const char *)data, size, &e, &cause);
	if (rc == QUAN_OK) {
		terminated(e.coupon_code, sizeof e.coupon_code);
		if (e.coupon_code[0] == '\0' || (int)e.state < 0 ||
		    (int)e.state >= PC_ST_COUNT || e.bundle_index < -1)
			abort();
		terminated(e.use_request_no, sizeof e.use_request_no);
		terminated(e.product_coupon_id, sizeof e.product_coupon_id);
		terminated(e.stock_id, sizeof e.stock_id);
		terminated(e.usage_mode, sizeof e.usage_mode);
	} else if (rc != QUAN_EPROTO || cause == NULL) {
		abort();
	}
	free(cause);
	/* the time reader on the same bytes as a string */
	s = xmalloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	(void)tm_parse_rfc3339_min(s, &t);
	free(s);
	return 0;
}
