/*
 * cmd_staff.c — `quan staff add ID`: a cashier or manager and their PIN
 * (hashed in DATA/staff), the change in the audit journal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli_common.h"
#include "cli/cmd.h"
#include "core/journal.h"
#include "core/session.h"
#include "util/tm.h"

int
cmd_staff(int argc, char **argv)
{
	struct cli c;
	const char *role = "cashier", *pin = NULL, *id = NULL;
	char *cause = NULL, buf[64], *nl;
	int i, rc, before;

	if ((rc = cli_init(&c, "staff", &argc, argv, 0)) != 0)
		return rc;
	if (argc < 3 || strcmp(argv[1], "add") != 0) {
		fprintf(stderr, "usage: quan staff add ID [--role cashier|"
		    "manager] [--pin PIN | PIN on stdin]\n");
		rc = EXIT_USAGE;
		goto out;
	}
	id = argv[2];
	for (i = 3; i < argc; i++) {
		if (strcmp(argv[i], "--role") == 0 && i + 1 < argc)
			role = argv[++i];
		else if (strcmp(argv[i], "--pin") == 0 && i + 1 < argc)
			pin = argv[++i];
		else {
			fprintf(stderr, "quan staff: unknown option '%s'\n",
			    argv[i]);
			rc = EXIT_USAGE;
			goto out;
		}
	}
	if (strcmp(role, "cashier") != 0 && strcmp(role, "manager") != 0) {
		fprintf(stderr, "quan staff: --role is cashier or manager\n");
		rc = EXIT_USAGE;
		goto out;
	}
	if (pin == NULL) {
		if (fgets(buf, sizeof buf, stdin) == NULL) {
			fprintf(stderr, "quan staff: no PIN on stdin\n");
			rc = EXIT_USAGE;
			goto out;
		}
		nl = strchr(buf, '\n');
		if (nl != NULL)
			*nl = '\0';
		pin = buf;
	}
	before = staff_count(c.data_dir);
	if (staff_set(c.data_dir, id, strcmp(role, "manager") == 0 ?
	    STAFF_MANAGER : STAFF_CASHIER, pin, &cause) != 0) {
		fprintf(stderr, "quan staff: %s\n", cause);
		free(cause);
		rc = EXIT_USAGE;
		goto out;
	}
	/* same count: the id existed, its PIN/role were replaced */
	printf("%s %s %s\n", role, id, staff_count(c.data_dir) > before ?
	    "added" : "updated (PIN and role replaced)");
	/* who was added or changed, and when, in the audit journal */
	if (cli_open_store(&c, "staff", 0) == 0) {
		json_t *d = json_pack("{s:s, s:s, s:s}", "id", id, "role",
		    role, "what", staff_count(c.data_dir) > before ?
		    "added" : "pin_changed");

		if (journal_record(c.st, tm_now(), "staff", d, &cause) != 0) {
			fprintf(stderr, "quan staff: journal: %s\n", cause);
			free(cause);
		}
		json_decref(d);
	}
	rc = EXIT_OK;
out:
	cli_done(&c);
	return rc;
}
