/* fuzz_classify.c — libFuzzer target for classify_scan: arbitrary bytes
 * with a few configured patterns and a fake cache. Checks the result is
 * self-consistent; ASan/UBSan catch the rest. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/classify.h"
#include "util/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct classify *cls;

static int
lookup(void *arg, const char *code, struct classify_hit *hit)
{
	size_t n = strlen(code);

	(void)arg;
	if (n > CLASSIFY_CODE_MAX)
		abort(); /* candidates are capped */
	if (n == 12 && code[0] == 'Q') {
		hit->kind = CLASSIFY_MERCHANT;
		/* unterminated on purpose: classify must cut it */
		memset(hit->id, 'x', sizeof hit->id);
		return 1;
	}
	if (n == 5 && code[0] == 'E')
		return QUAN_EIO;
	return 0;
}

static void
init(void)
{
	static const struct classify_pattern p[] = {
		{ CLASSIFY_MERCHANT, "1212", "QA", 10, 32, CLASSIFY_CS_ALNUM },
		{ CLASSIFY_CARD, "pCUSTOM", NULL, 6, 6, CLASSIFY_CS_DIGITS },
		{ CLASSIFY_MERCHANT, "5555", "X-", 4, 0, CLASSIFY_CS_WECHAT },
	};

	if (classify_new(p, sizeof p / sizeof p[0], &cls, NULL) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct classify_result r;
	int rc;

	if (cls == NULL)
		init();
	rc = classify_scan(cls, (const char *)data, size, lookup, NULL, &r);
	if (rc != 0 && r.kind != CLASSIFY_INVALID)
		abort();
	if (rc == 0 && r.kind == CLASSIFY_INVALID)
		abort();
	if (strlen(r.code) != r.code_len || strlen(r.id) > CLASSIFY_ID_MAX)
		abort();
	if (r.kind == CLASSIFY_INVALID && r.code_len != 0)
		abort();
	if (r.kind == CLASSIFY_PAYMENT_CODE && r.code_len != 18)
		abort();
	(void)classify_kind_id(r.kind);
	(void)classify_reason_id(r.reason);
	return 0;
}
