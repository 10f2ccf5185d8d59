/*
 * main.c — quan's entry point: find the command and run it ("run" when
 * there is none). Global options (--config, --data, -v) are read by each
 * command through cli_common.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cmd.h"

static const struct cmd cmds[] = {
#define CMD(name, usage, help) {#name, cmd_##name, usage, help},
#include "cli/cmds.def"
#undef CMD
};

static void
usage(FILE *fp)
{
	size_t i;

	fprintf(fp, "usage: quan [COMMAND] [OPTIONS]\n\ncommands:\n");
	for (i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		fprintf(fp, "  %-10s %-34s %s\n", cmds[i].name, cmds[i].usage,
			cmds[i].help);
	fprintf(fp, "\nGlobal options: --config FILE (or QUAN_CONFIG), "
		"--data DIR (or QUAN_DATA), -v (more log).\n");
}

int
cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("quan %s\n", QUAN_VERSION);
	return EXIT_OK;
}

int
main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : "run";
	size_t i;

	if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0 ||
	    strcmp(name, "help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(name, "--version") == 0)
		name = "version";
	/* "quan --data D" is "quan run --data D": options with no command
	 * belong to the default command. argv[0] stands in for its name. */
	if (name[0] == '-') {
		argv[0] = "run";
		return cmd_run(argc, argv);
	}
	for (i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		if (strcmp(cmds[i].name, name) == 0)
			return cmds[i].fn(argc > 1 ? argc - 1 : 1,
				argc > 1 ? argv + 1 : argv);
	fprintf(stderr, "quan: unknown command '%s'\n\n", name);
	usage(stderr);
	return EXIT_USAGE;
}
