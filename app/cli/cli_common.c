/*
 * cli_common.c — global options, config, logging, data dir and store for
 * every command (see cli_common.h).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_common.h"
#include "cli/cmd.h"
#include "core/checkout.h"
#include "core/datafile.h"
#include "util/config.h"
#include "util/err.h"
#include "util/log.h"
#include "util/tm.h"
#include "util/xmem.h"

#include <jansson.h>

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
	struct datafile_info info;
	char *cause = NULL;

	if (datafile_open(c->db_path, c->cfg, flags, &c->st, &info,
	    &cause) != 0) {
		/* a damaged database: the store's words name the next step
		 * (restore from the last backup) */
		fprintf(stderr, "quan %s: %s\n", name, cause);
		free(cause);
		return EXIT_FAIL;
	}
	if (info.readonly)
		fprintf(stderr, "quan %s: database is read-only; nothing "
		    "will be written\n", name);
	if (info.migrated > 0)
		fprintf(stderr, "quan %s: %d redemption%s of a coupon already "
		    "redeemed here became conflicts for a manager (quan "
		    "report)\n", name, info.migrated, info.migrated == 1 ?
		    "" : "s");
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
	datafile_close(c->st);
	c->st = NULL;
	config_free(c->cfg);
	c->cfg = NULL;
	free(c->data_dir);
	free(c->db_path);
	c->data_dir = c->db_path = NULL;
}

/* Local midnight of "YYYY-MM-DD" (or of today when s is NULL). */
const char *
cli_errmsg(const struct cli *c)
{
	return datafile_errmsg(c->st);
}

const char *
cli_damage(const struct cli *c)
{
	return datafile_damage(c->st);
}

int
cli_day_start(const char *s, int64_t *out)
{
	char buf[40];
	int sec, wday, off;
	int64_t now = tm_now(), t;

	if (s == NULL) {
		tm_local_day(now, &sec, &wday);
		*out = now - sec;
		return 0;
	}
	if (strlen(s) != 10)
		return -1;
	off = tm_offset(now);
	snprintf(buf, sizeof buf, "%.10sT00:00:00%c%02d:%02d", s,
	    off < 0 ? '-' : '+', abs(off) / 3600, abs(off) % 3600 / 60);
	if (tm_parse_rfc3339(buf, &t) != 0)
		return -1;
	/* the offset of that day may differ (DST zones): settle on the
	 * local midnight */
	tm_local_day(t, &sec, &wday);
	if (sec != 0)
		t -= sec > 43200 ? sec - 86400 : sec;
	*out = t;
	return 0;
}

/* SIGTERM/SIGINT of a long-running command: a flag, polled. */

static volatile sig_atomic_t cli_stop_flag;

static void
on_signal(int sig)
{
	(void)sig;
	cli_stop_flag = 1;
}

void
cli_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: poll() returns EINTR */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int
cli_stopping(void)
{
	return cli_stop_flag != 0;
}

int
cli_parse_int(const char *s, int lo, int hi, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

int
cli_new_checkout(struct cli *c, const char *cmd, struct checkout **co)
{
	struct checkout_opts o;
	char *cause = NULL;

	memset(&o, 0, sizeof o);
	o.cfg = c->cfg;
	o.st = c->st;
	if (checkout_new(&o, co, &cause) != 0) {
		fprintf(stderr, "quan %s: %s\n", cmd,
		    cause != NULL ? cause : "cannot start checkout");
		free(cause);
		return EXIT_FAIL;
	}
	/* Sales made from the command line are the terminal's own. */
	checkout_set_cashier(*co, "cli");
	return 0;
}

void
cli_print_json(json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);

	if (s != NULL)
		printf("%s\n", s);
	free(s);
	fflush(stdout);
}
