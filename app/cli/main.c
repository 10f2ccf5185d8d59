/*
 * main.c — quan's entry point: find the command and run it ("run" when
 * there is none). Global options (--config, --data, -v) are read by each
 * command through cli_common.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cmd.h"
#include "cli/help.h"
#include "cli/help_pages.h"

static const struct cmd cmds[] = {
#define CMD(name) {#name, cmd_##name, &help_page_##name},
#include "cli/cmds.def"
#undef CMD
};

static void
usage(FILE *fp)
{
	help_print(fp, &help_page_quan);
}

int
cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("quan %s\n", QUAN_VERSION);
	return EXIT_OK;
}

static const struct cmd *
find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		if (strcmp(cmds[i].name, name) == 0)
			return &cmds[i];
	return NULL;
}

/* Number of argv slots the global option at argv[i] takes (0: not one). */
static int
global_len(int argc, char **argv, int i)
{
	const char *a = argv[i];

	if (strcmp(a, "--config") == 0 || strcmp(a, "--data") == 0)
		return i + 1 < argc ? 2 : 0;
	if (strncmp(a, "--config=", 9) == 0 || strncmp(a, "--data=", 7) == 0 ||
	    strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0)
		return 1;
	return 0;
}

/*
 * "quan --config F status" is "quan status --config F": global options
 * before the command name are moved behind the command's own arguments
 * (before a "--", which ends option parsing). Returns the command's slot
 * in the rebuilt argv, or 0 when the first non-global word is no command
 * (then the options belong to the default command, run).
 */
static int
hoist_command(int argc, char **argv)
{
	char *tmp[64];
	int i = 1, k, n, ng = 0, dd;

	while (i < argc && (k = global_len(argc, argv, i)) > 0)
		i += k;
	if (i == 1 || i >= argc || find_cmd(argv[i]) == NULL ||
	    (size_t)(i - 1) > sizeof tmp / sizeof tmp[0])
		return 0;
	for (k = 1; k < i; k++)
		tmp[ng++] = argv[k];
	/* argv[1..] = command, its arguments up to "--", globals, rest */
	n = i;
	for (k = i; k < argc; k++)
		argv[k - ng] = argv[k];
	for (dd = n - ng; dd < argc - ng; dd++)
		if (strcmp(argv[dd], "--") == 0)
			break;
	memmove(argv + dd + ng, argv + dd,
	    (size_t)(argc - ng - dd) * sizeof *argv);
	for (k = 0; k < ng; k++)
		argv[dd + k] = tmp[k];
	return 1;
}

int
main(int argc, char **argv)
{
	const char *name;
	const struct cmd *c;
	int i;

	hoist_command(argc, argv);
	name = argc > 1 ? argv[1] : "run";
	/* "quan help CMD" is "quan CMD --help"; "quan help config" is
	 * quan.conf(5) */
	if (strcmp(name, "help") == 0 && argc == 3 &&
	    strcmp(argv[2], "config") == 0) {
		help_print(stdout, &help_page_quan_conf);
		return EXIT_OK;
	}
	if (strcmp(name, "help") == 0 && argc == 3 &&
	    (c = find_cmd(argv[2])) != NULL) {
		argv[1] = argv[2];
		argv[2] = (char *)"--help";
		name = argv[1];
	}
	for (i = 1; i < argc && global_len(argc, argv, i) > 0; )
		i += global_len(argc, argv, i);
	if (i < argc && (strcmp(argv[i], "-h") == 0 ||
	    strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "help") == 0)) {
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
	if ((c = find_cmd(name)) == NULL) {
		fprintf(stderr, "quan: unknown command '%s'\n\n", name);
		usage(stderr);
		return EXIT_USAGE;
	}
	/* "quan CMD --help": the command's help page, on stdout, exit 0 */
	if (argc > 2 && (strcmp(argv[2], "--help") == 0 ||
	    strcmp(argv[2], "-h") == 0)) {
		help_print(stdout, c->help);
		printf("\nGlobal options: --config FILE (or QUAN_CONFIG), "
		    "--data DIR (or QUAN_DATA), -v.\n");
		return EXIT_OK;
	}
	if (argc <= 1) {
		argv[0] = "run";
		return c->fn(1, argv);
	}
	return c->fn(argc - 1, argv + 1);
}
