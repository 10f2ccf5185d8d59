/*
 * cmd_import.c — `quan import`: stock and card definitions and coupon
 * codes into the cache (core/import.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli_common.h"
#include "cli/cli_pcoupon.h"
#include "cli/cmd.h"
#include "core/import.h"
#include "core/journal.h"
#include "core/pcoupon_import.h"
#include "store/store.h"
#include "util/err.h"
#include "util/tm.h"
#include "util/xmem.h"

/* `quan import product FILE`: 商品券 definitions and registry rows. */
static int
import_product_cmd(struct cli *c, const char *path, int64_t now)
{
	struct pc_import_counts k;
	char *cause = NULL;
	json_t *d;
	int rc;

	if ((rc = import_product(c->st, path, now, &k, &cause)) != 0) {
		fprintf(stderr, "quan import: %s (nothing imported)\n",
		    cause != NULL ? cause : quan_strerror(rc));
		free(cause);
		return EXIT_FAIL;
	}
	d = json_pack("{s:s, s:I, s:I, s:I}", "what", "product",
	    "product_coupons", (json_int_t)k.products, "stocks",
	    (json_int_t)k.stocks, "coupons", (json_int_t)k.coupons);
	if (journal_record(c->st, now, "import", d, &cause) != 0) {
		fprintf(stderr, "quan import: journal: %s\n", cause);
		free(cause);
	}
	json_decref(d);
	printf("imported %" PRId64 " product coupons, %" PRId64 " stocks, %"
	    PRId64 " coupons\n", k.products, k.stocks, k.coupons);
	return EXIT_OK;
}

int
cmd_import(int argc, char **argv)
{
	struct cli c;
	char *cause = NULL;
	int64_t n = 0, now;
	struct store_import_counts ic;
	int rc;
	const char *what, *path;

	memset(&ic, 0, sizeof ic);
	if ((rc = cli_init(&c, "import", &argc, argv, 0)) != 0)
		goto out;
	if (argc == 3 && strcmp(argv[1], "product") == 0 &&
	    strcmp(argv[2], "--fetch") == 0) {
		int np = 0, ns = 0;

		if ((rc = cli_open_store(&c, "import", 0)) != 0)
			goto out;
		if (cli_pc_fetch(&c, tm_now(), &np, &ns, &cause) != 0) {
			fprintf(stderr, "quan import: product --fetch: %s\n",
			    cause != NULL ? cause : "failed");
			free(cause);
			rc = EXIT_FAIL;
			goto out;
		}
		printf("fetched %d product coupons, %d stocks\n", np, ns);
		rc = EXIT_OK;
		goto out;
	}
	if (argc != 3 || (strcmp(argv[1], "stocks") != 0 &&
	    strcmp(argv[1], "cards") != 0 && strcmp(argv[1], "codes") != 0 &&
	    strcmp(argv[1], "product") != 0)) {
		fprintf(stderr, "usage: quan import "
		    "stocks|cards|codes|product FILE | product --fetch\n");
		rc = EXIT_USAGE;
		goto out;
	}
	what = argv[1];
	path = argv[2];
	if ((rc = cli_open_store(&c, "import", 0)) != 0)
		goto out;
	now = tm_now();
	if (what[0] == 'p') {
		rc = import_product_cmd(&c, path, now);
		goto out;
	}
	if (what[1] == 't')
		rc = import_stocks(c.st, path, now, &n, &cause);
	else if (what[1] == 'a')
		rc = import_cards(c.st, path, now, &n, &cause);
	else {
		FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "re");

		if (fp == NULL) {
			cause = xasprintf("%s: cannot open: %s", path,
			    strerror(errno));
			rc = QUAN_ENOTFOUND;
		} else {
			rc = import_codes(c.st, fp, path, now, &n, &ic,
			    &cause);
			if (fp != stdin)
				fclose(fp);
		}
	}
	if (rc != 0) {
		fprintf(stderr, "quan import: %s (nothing imported)\n",
		    cause != NULL ? cause : quan_strerror(rc));
		free(cause);
		rc = EXIT_FAIL;
		goto out;
	}
	{
		json_t *d = json_pack("{s:s, s:I}", "what", what, "count",
		    (json_int_t)n);

		if (journal_record(c.st, now, "import", d, &cause) != 0) {
			fprintf(stderr, "quan import: journal: %s\n", cause);
			free(cause);
		}
		json_decref(d);
	}
	/* "1 code", "2 codes": what was stored, then what was not */
	printf("imported %" PRId64 " %.*s", n,
	    (int)strlen(what) - (n == 1 ? 1 : 0), what);
	if (ic.updated + ic.unchanged + ic.kept + ic.duplicates > 0)
		printf(" (%" PRId64 " new, %" PRId64 " updated); %" PRId64
		    " already known as they are, %" PRId64 " already used "
		    "(kept), %" PRId64 " repeated lines", ic.added, ic.updated,
		    ic.unchanged, ic.kept, ic.duplicates);
	printf("\n");
	rc = EXIT_OK;
out:
	cli_done(&c);
	return rc;
}
