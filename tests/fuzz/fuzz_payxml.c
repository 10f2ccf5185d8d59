/* fuzz_payxml.c — libFuzzer target for APIv2's flat-XML reader and the
 * reading of a v2 answer (payxml_parse, pay_v2_answer for each op).
 *
 * Input: one flags byte, then the document. Flag 1 re-signs a document
 * that parses (HMAC-SHA256 with the test key) before it is read as an
 * answer, so the fuzzer reaches the field reading a real sign guards.
 *
 * Checks the reader's promises, not only "no crash": a parsed document
 * has at most PAYXML_MAX_FIELDS named fields, writing it and reading it
 * back gives the same fields; an answer is "paid" only with an amount
 * and a transaction id, amounts are -1 or ≥ 0, at most PAY_VOUCHERS_MAX
 * vouchers, and its texts are clean UTF-8. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/pay.h"
#include "net/payxml.h"
#include "util/str.h"
#include "util/xmem.h"

#define KEY "192006250b4c09247ec02edce69f6a2d"

static void
check_answer(const struct pay_answer *a)
{
	int i;

	/* paid only with an amount and WeChat's transaction id */
	if (pay_answer_paid(a) && (a->total_fen < 1 ||
	    a->transaction_id[0] == '\0'))
		abort();
	/* an answer with an error is never paid, whatever else it says */
	if (pay_answer_paid(a) && a->err != PAY_E_NONE)
		abort();
	if (a->nv < 0 || a->nv > PAY_VOUCHERS_MAX)
		abort();
	if (a->total_fen < -1 || a->payer_fen < -1)
		abort();
	for (i = 0; i < a->nv; i++)
		if (a->v[i].amount_fen < 0)
			abort();
	if (!str_is_clean(a->text) || !str_is_clean(a->transaction_id))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum pay_op ops[] = { PAY_OP_PAY, PAY_OP_QUERY,
	    PAY_OP_REVERSE };
	struct payxml x, y;
	struct pay_answer a;
	const char *doc;
	char *out = NULL;
	size_t n, i, len = 0;
	int flags;

	if (size < 1)
		return 0;
	flags = data[0];
	doc = (const char *)data + 1;
	n = size - 1;
	memset(&x, 0, sizeof x);
	memset(&y, 0, sizeof y);
	if (payxml_parse(doc, n, &x, NULL) == 0) {
		if (x.n > PAYXML_MAX_FIELDS)
			abort();
		for (i = 0; i < x.n; i++)
			if (x.f[i].name[0] == '\0' || x.f[i].value == NULL)
				abort();
		out = payxml_write(&x, &len);
		if (payxml_parse(out, len, &y, NULL) != 0 || y.n != x.n)
			abort();
		for (i = 0; i < x.n; i++)
			if (strcmp(x.f[i].name, y.f[i].name) != 0 ||
			    strcmp(x.f[i].value, y.f[i].value) != 0)
				abort();
		free(out);
		out = NULL;
		if (flags & 1) {
			char s[PAYXML_SIGN_MAX];

			if (payxml_sign(&x, KEY, PAYXML_SIGN_HMAC_SHA256,
			    s) == 0 && payxml_set(&x, "sign", s) == 0)
				out = payxml_write(&x, &len);
		}
	}
	for (i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		if (out != NULL)
			pay_v2_answer(ops[i], out, len, KEY, 0, NULL, &a);
		else
			pay_v2_answer(ops[i], doc, n, KEY, 0, NULL, &a);
		check_answer(&a);
	}
	free(out);
	payxml_free(&x);
	payxml_free(&y);
	return 0;
}
