/*
 * cmd_reconcile.c — `quan reconcile --date D [--json]`: the day's trade
 * bill downloaded from WeChat (net/sync_wx.h), read and compared with the
 * till's payments and refunds (core/reconcile.h); every difference is
 * printed and the exit code says whether there was any.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_common.h"
#include "cli/cmd.h"
#include "core/reconcile.h"
#include "net/sync_wx.h"
#include "util/config.h"
#include "util/err.h"
#include "util/tm.h"

static int
usage(void)
{
	fprintf(stderr, "usage: quan reconcile [--json] [--date YYYY-MM-DD] "
	    "(default: yesterday)\n");
	return EXIT_USAGE;
}

int
cmd_reconcile(int argc, char **argv)
{
	struct cli c;
	struct recon_bill b;
	struct recon_result r;
	char date[16], *text = NULL, *cause = NULL, *out;
	const char *d = NULL;
	int64_t from, now;
	size_t len = 0;
	int rc, i, json = 0, sec, wday;

	memset(&b, 0, sizeof b);
	memset(&r, 0, sizeof r);
	if ((rc = cli_init(&c, "reconcile", &argc, argv, 0)) != 0)
		return rc;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--date") == 0 && i + 1 < argc)
			d = argv[++i];
		else {
			rc = usage();
			goto out;
		}
	}
	if (d == NULL) {
		/* yesterday, in the store's timezone */
		now = tm_now();
		tm_local_day(now, &sec, &wday);
		char t[40];

		tm_rfc3339(now - sec - 43200, t, sizeof t);
		snprintf(date, sizeof date, "%.10s", t);
		d = date;
	}
	if (cli_day_start(d, &from) != 0) {
		fprintf(stderr, "quan reconcile: --date %s: not YYYY-MM-DD\n",
		    d);
		rc = EXIT_USAGE;
		goto out;
	}
	if ((rc = cli_open_store(&c, "reconcile", 0)) != 0)
		goto out;
	if ((rc = sync_wx_bill(c.cfg, d, &text, &len, &cause)) != 0) {
		fprintf(stderr, "quan reconcile: the bill of %s: %s\n", d,
		    rc == QUAN_ENOTFOUND ? "WeChat has none (no trade that "
		    "day, or not ready yet: bills are ready after 10:00 the "
		    "next day)" : cause != NULL ? cause : quan_strerror(rc));
		rc = rc == QUAN_ENOTFOUND ? EXIT_PENDING : EXIT_FAIL;
		goto out;
	}
	if ((rc = recon_bill_parse(text, len, &b, &cause)) != 0) {
		fprintf(stderr, "quan reconcile: the bill of %s cannot be "
		    "read: %s\n", d, cause != NULL ? cause : quan_strerror(rc));
		rc = EXIT_FAIL;
		goto out;
	}
	if ((rc = recon_store_diff(c.st, &b, c.cfg->term_id, from,
	    from + 86400, &r)) != 0) {
		fprintf(stderr, "quan reconcile: %s\n", cli_errmsg(&c));
		rc = EXIT_FAIL;
		goto out;
	}
	out = json ? recon_json(&r, d) : recon_text(&r, d);
	fputs(out, stdout);
	if (out[0] != '\0' && out[strlen(out) - 1] != '\n')
		fputc('\n', stdout);
	free(out);
	/* 0: WeChat and the till agree; 3: differences listed */
	rc = r.n > 0 ? EXIT_REJECTED : EXIT_OK;
out:
	recon_result_free(&r);
	recon_bill_free(&b);
	free(text);
	free(cause);
	cli_done(&c);
	return rc;
}
