/*
 * help.h — the help pages: app/cli/help/NAME.txt, turned by
 * toolchain/help.awk into this table at build time (and into quan(1),
 * quan.conf(5) and the bash completion, so none of them can drift).
 * Page "quan" is the program, "quan.conf" the config file, every other
 * page the command of its name.
 */
#ifndef QUAN_CLI_HELP_H
#define QUAN_CLI_HELP_H

#include <stdio.h>

struct help_page {
	const char *name;
	const char *usage;   /* forms "quan CMD ...\n", continuations indented */
	const char *summary; /* one line, no newline */
	const char *body;    /* as written in the page */
};

extern const struct help_page *const help_pages[]; /* NULL-terminated */

/* The page called name, or NULL. */
const struct help_page *help_find(const char *name);

/* "usage: quan ..." lines of a page (later forms under the first). */
void help_print_usage(FILE *fp, const struct help_page *p);

/* The whole page: usage, summary, body; on the program's page the
 * @COMMANDS@ line becomes the list of commands. */
void help_print(FILE *fp, const struct help_page *p);

#endif
