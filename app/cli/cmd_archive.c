/*
 * cmd_archive.c — `quan archive --before DATE`: move settled history older
 * than DATE (local midnight; clamped to keep [store] keep_days and the
 * current Z period) into DATA/archive/quan-archive-YYYY-MM.db (or
 * [store] archive_dir). The rules are app/core/archive.h; this parses,
 * calls and prints.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli_common.h"
#include "cli/cmd.h"
#include "core/archive.h"
#include "util/config.h"
#include "util/err.h"
#include "util/tm.h"
#include "util/xmem.h"

/* The archive folder of this data dir (caller frees). */
char *
cli_archive_dir(const struct cli *c)
{
	return c->cfg->store_archive_dir[0] != '\0' ?
	    xstrdup(c->cfg->store_archive_dir) :
	    xasprintf("%s/archive", c->data_dir);
}

int
cmd_archive(int argc, char **argv)
{
	struct cli c;
	struct archive_opts o;
	struct archive_result r;
	const char *date = NULL;
	char *cause = NULL, *dir = NULL, cut[40];
	int64_t before = 0;
	int i, rc, json = 0, vacuum = 0, batch = 0;

	if ((rc = cli_init(&c, "archive", &argc, argv, 1)) != 0)
		goto out;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--vacuum") == 0)
			vacuum = 1;
		else if (strcmp(argv[i], "--before") == 0 && i + 1 < argc)
			date = argv[++i];
		else if (strcmp(argv[i], "--batch") == 0 && i + 1 < argc &&
		    (batch = (int)strtol(argv[i + 1], NULL, 10)) >= 1 &&
		    batch <= 100000)
			i++;
		else
			date = NULL, i = argc + 1;
	}
	if (date == NULL || i > argc || cli_day_start(date, &before) != 0) {
		fprintf(stderr, "usage: quan archive --before YYYY-MM-DD "
		    "[--batch SALES] [--vacuum] [--json]\n");
		rc = EXIT_USAGE;
		goto out;
	}
	dir = cli_archive_dir(&c);
	memset(&o, 0, sizeof o);
	o.before = before;
	o.keep_days = c.cfg->store_keep_days;
	o.dir = dir;
	o.now = tm_now();
	o.full_vacuum = vacuum;
	o.batch = batch;
	if ((rc = archive_run(c.st, &o, &r, &cause)) != 0) {
		fprintf(stderr, "quan archive: %s (what was moved before "
		    "stays moved; run it again to finish)\n",
		    cause != NULL ? cause : quan_strerror(rc));
		free(cause);
		rc = EXIT_FAIL;
		goto out;
	}
	tm_rfc3339(r.cutoff, cut, sizeof cut);
	if (json) {
		json_t *j = json_pack("{s:s, s:b, s:s, s:I, s:I, s:I, s:I, s:I, "
		    "s:I, s:b, s:I, s:I, s:I, s:I}", "before", cut, "clamped", r.clamped,
		    "file", r.file, "txns", (json_int_t)r.txns, "redemptions",
		    (json_int_t)r.redemptions, "outbox", (json_int_t)r.outbox,
		    "journal", (json_int_t)r.journal, "notices",
		    (json_int_t)r.notices, "codes_dropped", (json_int_t)r.codes,
		    "resumed", r.resumed,
		    "payments", (json_int_t)r.payments, "refunds",
		    (json_int_t)r.refunds,
		    "size_before", (json_int_t)r.size_before, "size_after",
		    (json_int_t)r.size_after);
		char *t = json_dumps(j, JSON_COMPACT);

		printf("%s\n", t);
		free(t);
		json_decref(j);
	} else {
		if (r.clamped)
			printf("archive: before %s (kept: the last %d days and "
			    "the current Z period)\n", cut,
			    c.cfg->store_keep_days);
		printf("archive: %" PRId64 " sales, %" PRId64 " coupons, %"
		    PRId64 " outbox rows, %" PRId64 " journal entries, %"
		    PRId64 " notifications moved to %s%s\n", r.txns,
		    r.redemptions, r.outbox, r.journal, r.notices, r.file,
		    r.resumed ? " (finished a run cut off before)" : "");
		if (r.codes > 0)
			printf("archive: %" PRId64 " cached codes of ended "
			    "stocks/cards dropped\n", r.codes);
		printf("archive: database %" PRId64 " -> %" PRId64 " bytes\n",
		    r.size_before, r.size_after);
	}
	rc = EXIT_OK;
out:
	free(dir);
	cli_done(&c);
	return rc;
}
