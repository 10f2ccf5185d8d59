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
#include "core/journal.h"
#include "core/ledger.h"
#include "crypto/crypto.h"
#include "store/store.h"
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

/* SHA-256 (hex) of the config file's bytes, or of "" for defaults. */
static void
config_digest(const struct config *cfg, char out[65])
{
	uint8_t h[CRYPTO_SHA256_LEN];
	char *data = NULL;
	size_t n = 0;
	FILE *fp;

	if (cfg->path[0] != '\0' && (fp = fopen(cfg->path, "re")) != NULL) {
		data = xmalloc(1 << 20);
		n = fread(data, 1, 1 << 20, fp);
		fclose(fp);
	}
	crypto_sha256(data != NULL ? data : "", n, h);
	crypto_hex(h, sizeof h, out);
	free(data);
}

/* Journal a configuration change: the digest of the config in use differs
 * from the one recorded at the last start. Best effort (logged). */
static void
journal_config(struct cli *c)
{
	char now_d[65], old[96];
	json_t *d;
	int rc;

	config_digest(c->cfg, now_d);
	rc = store_meta_get(c->st, "config_sha256", old, sizeof old);
	if (rc == 0 && strcmp(old, now_d) == 0)
		return;
	if (store_begin(c->st) != 0)
		goto fail;
	d = json_pack("{s:s, s:s, s:s, s:s}", "path", c->cfg->path,
	    "terminal", c->cfg->term_id, "from", rc == 0 ? old : "",
	    "to", now_d);
	rc = journal_append(c->st, tm_now(), "config_change", 0, 0, d);
	json_decref(d);
	if (rc == 0)
		rc = store_meta_set(c->st, "config_sha256", now_d);
	if (rc != 0) {
		store_rollback(c->st);
		goto fail;
	}
	if (store_commit(c->st) == 0)
		return;
fail:
	log_warn("%s: cannot journal the config change: %s", __func__,
	    store_errmsg(c->st));
}

int
cli_open_store(struct cli *c, const char *name, int flags)
{
	char *cause = NULL;
	int rc, ro_ok = (flags & CLI_STORE_RO_OK) != 0;
	int check = flags & (CLI_STORE_CHECK | CLI_STORE_CHECK_DUE);

	flags &= ~(CLI_STORE_RO_OK | CLI_STORE_CHECK | CLI_STORE_CHECK_DUE);
	rc = store_open(c->db_path, flags, &c->st, &cause);
	if (rc == QUAN_EPERM && ro_ok) {
		/* a read-only medium: reading commands still work */
		free(cause);
		cause = NULL;
		flags |= STORE_O_READONLY;
		rc = store_open(c->db_path, flags, &c->st, &cause);
		if (rc == 0)
			fprintf(stderr, "quan %s: database is read-only; "
			    "nothing will be written\n", name);
	}
	if (rc != 0) {
		/* a damaged database: the store's words name the next step
		 * (restore from the last backup) */
		fprintf(stderr, "quan %s: %s\n", name, cause);
		free(cause);
		return EXIT_FAIL;
	}
	/* a page damaged where this command never reads would not stop it:
	 * the whole file is checked first (always, or once per 10 min for
	 * quan redeem and quan sync), and damage found by any process stops
	 * all of them (store_damaged) */
	if ((check == CLI_STORE_CHECK && store_quick_check(c->st) != 0) ||
	    (check == CLI_STORE_CHECK_DUE && store_quick_check_due(c->st,
	    tm_now(), CLI_CHECK_EVERY_S) != 0) || store_damaged(c->st)) {
		fprintf(stderr, "quan %s: %s\n", name, store_errmsg(c->st));
		return EXIT_FAIL;
	}
	if ((flags & STORE_O_READONLY) == 0) {
		int n = 0;

		/* the journal's key (made at the first start, with the first
		 * keyed entry); never a new one over a keyed journal. The
		 * reading commands (status, report, journal verify) go on
		 * without it: verify names a key it needs and cannot read */
		if (!ro_ok && journal_key_open(c->st, tm_now(), 1, &cause) !=
		    0) {
			fprintf(stderr, "quan %s: %s\n", name, cause);
			free(cause);
			return EXIT_FAIL;
		}
		journal_config(c);
		/* rows an older store held live twice, made conflicts by
		 * the schema migration just now: journaled once */
		if (ledger_journal_migrated(c->st, tm_now(), &n) != 0)
			log_warn("quan %s: cannot journal the migrated "
			    "conflicts: %s", name, store_errmsg(c->st));
		else if (n > 0)
			fprintf(stderr, "quan %s: %d redemption%s of a coupon "
			    "already redeemed here became conflicts for a "
			    "manager (quan report)\n", name, n, n == 1 ? "" :
			    "s");
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

int64_t
cli_recover_age_s(const struct config *cfg)
{
	return 60 + cfg->wx_online_wait_ms / 1000;
}

/* Local midnight of "YYYY-MM-DD" (or of today when s is NULL). */
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
