/*
 * cmd_journal.c — `quan journal verify`: the hash-chained journal checked
 * (core/journal.h), also across archive files (--archive).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_common.h"
#include "cli/cmd.h"
#include "core/journal.h"
#include "util/xmem.h"

/* The files named by --archive: 0, or EXIT_USAGE. */
static int
archive_args(int argc, char **argv, const char ***names, size_t *n)
{
	int i;

	*n = 0;
	*names = xcalloc((size_t)argc, sizeof **names);
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--archive") != 0 || i + 1 >= argc)
			return EXIT_USAGE;
		(*names)[(*n)++] = argv[++i];
	}
	return 0;
}

/* Which entries were checked how, and the head to hold against the one
 * on the last Z report (the chain cannot show its newest entries
 * deleted). */
static void
print_check(const struct journal_check *j, size_t narcs)
{
	printf("journal ok: %" PRId64 " entries%s, chain intact up to entry %"
	    PRId64 ", head %s\n", j->n, narcs > 0 ? " (archives and live)" :
	    "", j->head_seq, j->head);
	if (j->legacy_first != 0)
		printf("  entries %" PRId64 "-%" PRId64 ": legacy segment, "
		    "unkeyed SHA-256 (written before this quan keyed the "
		    "journal: anyone could have rewritten them)\n",
		    j->legacy_first, j->legacy_last);
	if (j->keyed_first != 0)
		printf("  entries %" PRId64 "-%" PRId64 ": keyed segment, "
		    "HMAC-SHA256 with %s%s\n", j->keyed_first, j->keyed_last,
		    j->key_path, j->legacy_first != 0 ? ", chained to the "
		    "legacy one" : "");
	else
		printf("  no keyed entry yet (keyed from entry %" PRId64
		    " on)\n", j->keyed_from);
	printf("  compare the head with the one on the last Z report: "
	    "entries deleted after it cannot be seen otherwise\n");
}

int
cmd_journal(int argc, char **argv)
{
	struct cli c;
	const char **names = NULL;
	char *cause = NULL;
	struct journal_check jc;
	size_t narcs = 0;
	int rc;

	if ((rc = cli_init(&c, "journal", &argc, argv, 0)) != 0)
		goto out;
	if (argc < 2 || strcmp(argv[1], "verify") != 0 ||
	    archive_args(argc, argv, &names, &narcs) != 0) {
		fprintf(stderr, "usage: quan journal verify "
		    "[--archive FILE]...\n");
		rc = EXIT_USAGE;
		goto out;
	}
	if ((rc = cli_open_store(&c, "journal", DATAFILE_RO_OK)) != 0)
		goto out;
	if (journal_check_files(c.st, names, narcs, &jc, &cause) != 0) {
		fprintf(stderr, "quan journal: %s\n", cause != NULL ? cause :
		    "?");
		free(cause);
		rc = EXIT_FAIL;
		goto out;
	}
	print_check(&jc, narcs);
	rc = EXIT_OK;
out:
	free(names);
	cli_done(&c);
	return rc;
}
