/*
 * cmd.h — the command table. Each command is `int cmd_NAME(int argc,
 * char **argv)` with argv[0] the command name, returning the process exit
 * status: 0 ok, 1 failure, 2 bad usage, 3 a coupon rejected / nothing read,
 * 4 work left pending. A command lives in cmd_NAME.c, or with its small
 * family (cmd_redeem.c: check, redeem, void); all are listed in cmds.def;
 * each has its help page, app/cli/help/NAME.txt (a command without one
 * does not link). A command parses, calls a layer, prints.
 */
#ifndef QUAN_CMD_H
#define QUAN_CMD_H

enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,
	EXIT_USAGE = 2,
	EXIT_REJECTED = 3,
	EXIT_PENDING = 4,
	EXIT_COLLECT = 5   /* quan sale: paid, a 商品券 refused after it:
	                      collect_fen more is owed */
};

struct help_page;

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const struct help_page *help; /* usage, summary, text (cli/help.h) */
};

#define CMD(name) int cmd_##name(int argc, char **argv);
#include "cli/cmds.def"
#undef CMD

#endif
