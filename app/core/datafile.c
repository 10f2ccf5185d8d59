/*
 * datafile.c — the store opened the one way (datafile.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/datafile.h"
#include "core/journal.h"
#include "core/ledger.h"
#include "crypto/crypto.h"
#include "store/store.h"
#include "util/config.h"
#include "util/err.h"
#include "util/log.h"
#include "util/tm.h"
#include "util/xmem.h"

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
journal_config(struct store *st, const struct config *cfg)
{
	char now_d[65], old[96];
	json_t *d;
	int rc;

	config_digest(cfg, now_d);
	rc = store_meta_get(st, "config_sha256", old, sizeof old);
	if (rc == 0 && strcmp(old, now_d) == 0)
		return;
	if (store_begin(st) != 0)
		goto fail;
	d = json_pack("{s:s, s:s, s:s, s:s}", "path", cfg->path,
	    "terminal", cfg->term_id, "from", rc == 0 ? old : "",
	    "to", now_d);
	rc = journal_append(st, tm_now(), "config_change", 0, 0, d);
	json_decref(d);
	if (rc == 0)
		rc = store_meta_set(st, "config_sha256", now_d);
	if (rc != 0) {
		store_rollback(st);
		goto fail;
	}
	if (store_commit(st) == 0)
		return;
fail:
	log_warn("%s: cannot journal the config change: %s", __func__,
	    store_errmsg(st));
}

int
datafile_open(const char *db_path, const struct config *cfg, int flags,
    struct store **out, struct datafile_info *info, char **cause)
{
	struct store *st = NULL;
	int rc, sflags = 0, ro_ok = (flags & DATAFILE_RO_OK) != 0;

	*out = NULL;
	*cause = NULL;
	memset(info, 0, sizeof *info);
	rc = store_open(db_path, sflags, &st, cause);
	if (rc == QUAN_EPERM && ro_ok) {
		/* a read-only medium: reading commands still work */
		free(*cause);
		*cause = NULL;
		sflags |= STORE_O_READONLY;
		if ((rc = store_open(db_path, sflags, &st, cause)) == 0)
			info->readonly = 1;
	}
	if (rc != 0)
		return rc;
	/* a page damaged where this command never reads would not stop it:
	 * the whole file is checked first (always, or once per 10 min for
	 * quan redeem and quan sync), and damage found by any process stops
	 * all of them (store_damaged) */
	if (((flags & DATAFILE_CHECK) && (rc = store_quick_check(st)) != 0) ||
	    ((flags & DATAFILE_CHECK_DUE) && (rc = store_quick_check_due(st,
	    tm_now(), DATAFILE_CHECK_EVERY_S)) != 0) || store_damaged(st)) {
		*cause = xstrdup(store_errmsg(st));
		store_close(st);
		return rc != 0 ? rc : QUAN_ECORRUPT;
	}
	if (!info->readonly) {
		/* the journal's key (made at the first start, with the first
		 * keyed entry); never a new one over a keyed journal. The
		 * reading commands (status, report, journal verify) go on
		 * without it: verify names a key it needs and cannot read */
		if (!ro_ok && (rc = journal_key_open(st, tm_now(), 1,
		    cause)) != 0) {
			store_close(st);
			return rc;
		}
		journal_config(st, cfg);
		/* rows an older store held live twice, made conflicts by
		 * the schema migration just now: journaled once */
		if (ledger_journal_migrated(st, tm_now(),
		    &info->migrated) != 0)
			log_warn("cannot journal the migrated conflicts: %s",
			    store_errmsg(st));
	}
	*out = st;
	return 0;
}

void
datafile_close(struct store *st)
{
	store_close(st);
}

const char *
datafile_errmsg(struct store *st)
{
	return store_errmsg(st);
}

const char *
datafile_damage(struct store *st)
{
	return store_damaged(st) ? store_errmsg(st) : NULL;
}

int
datafile_size(struct store *st, int64_t *bytes)
{
	return store_size(st, bytes);
}
