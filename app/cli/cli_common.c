/*
 * cli_common.c — global options, config, logging, data dir and store for
 * every command (see cli_common.h).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_common.h"
#include "cli/cmd.h"
#include "store/store.h"
#include "util/config.h"
#include "util/err.h"
#include "util/log.h"
#include "util/tm.h"
#include "util/xmem.h"

int
cli_parse_globals(struct cli *c, int *argc, char **argv)
{
	int i, j = 1;

	for (i = 1; i < *argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0) {
			while (i < *argc)
				argv[j++] = argv[i++];
			break;
		}
		if (strcmp(a, "--config") == 0 || strcmp(a, "--data") == 0) {
			if (i + 1 >= *argc) {
				fprintf(stderr, "quan: %s needs a value\n", a);
				return EXIT_USAGE;
			}
			if (a[2] == 'c')
				c->config_opt = argv[++i];
			else
				c->data_opt = argv[++i];
		} else if (strncmp(a, "--config=", 9) == 0)
			c->config_opt = a + 9;
		else if (strncmp(a, "--data=", 7) == 0)
			c->data_opt = a + 7;
		else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0)
			c->verbose++;
		else
			argv[j++] = argv[i];
	}
	*argc = j;
	argv[j] = NULL;
	return 0;
}

int
cli_setup(struct cli *c, const char *name)
{
	char *cause = NULL;
	int level, rc;

	/* a file-size limit (ulimit -f) must surface as "disk full", not
	 * kill the process in the middle of a write */
	signal(SIGXFSZ, SIG_IGN);
	rc = config_load_default(c->config_opt, &c->cfg, &cause);
	if (rc != 0) {
		fprintf(stderr, "quan %s: %s\n", name, cause);
		free(cause);
		return EXIT_FAIL;
	}
	level = (int)c->cfg->log_level + c->verbose;
	if (level > LOG_DEBUG)
		level = LOG_DEBUG;
	if (log_open(c->cfg->log_file[0] != '\0' ? c->cfg->log_file : NULL,
	    (enum log_level)level) != 0) {
		fprintf(stderr, "quan %s: cannot open log file %s\n", name,
		    c->cfg->log_file);
		return EXIT_FAIL;
	}
	if (tm_set_zone(c->cfg->timezone) != 0) {
		fprintf(stderr, "quan %s: unknown timezone %s\n", name,
		    c->cfg->timezone);
		return EXIT_FAIL;
	}
	if ((rc = config_data_dir(c->data_opt, &c->data_dir, &cause)) != 0) {
		fprintf(stderr, "quan %s: %s\n", name, cause);
		free(cause);
		return EXIT_FAIL;
	}
	c->db_path = xasprintf("%s/quan.db", c->data_dir);
	return 0;
}

int
cli_open_store(struct cli *c, const char *name, int flags)
{
	char *cause = NULL;

	if (store_open(c->db_path, flags, &c->st, &cause) != 0) {
		fprintf(stderr, "quan %s: %s\n", name, cause);
		free(cause);
		return EXIT_FAIL;
	}
	return 0;
}

int
cli_init(struct cli *c, const char *name, int *argc, char **argv,
    int open_store)
{
	int rc;

	memset(c, 0, sizeof *c);
	if ((rc = cli_parse_globals(c, argc, argv)) != 0)
		return rc;
	if ((rc = cli_setup(c, name)) != 0)
		return rc;
	if (open_store && (rc = cli_open_store(c, name, 0)) != 0)
		return rc;
	return 0;
}

void
cli_done(struct cli *c)
{
	store_close(c->st);
	c->st = NULL;
	config_free(c->cfg);
	c->cfg = NULL;
	free(c->data_dir);
	free(c->db_path);
	c->data_dir = c->db_path = NULL;
}

__attribute__((weak)) int
cli_online_attach(struct cli *c, struct checkout *co, void **state)
{
	(void)c;
	(void)co;
	*state = NULL;
	return 0;
}

__attribute__((weak)) void
cli_online_detach(void *state)
{
	(void)state;
}
