/*
 * archive.c — the archive run behind archive.h: which cutoff, which
 * file, the batches (store_archive_*), the journal cut and its anchor,
 * and the meta marks that let a run cut off by a crash be finished.
 * meta "archive.file" = the file of a run not finished yet (its next
 * call goes on with it); "archive.busy" = "1" while a call runs (found at
 * the start of a call: the last one was killed, so the archive's copies
 * of rows still live are dropped first).
 */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/archive.h"
#include "core/journal.h"
#include "core/rules.h"
#include "store/store.h"
#include "util/err.h"
#include "util/log.h"
#include "util/tm.h"
#include "util/xmem.h"

#define ARCHIVE_BATCH 500
#define JOURNAL_BATCH 20000

/* The latest cutoff allowed: local midnight keep_days days ago, and
 * never inside the current Z period. */
static int64_t
cutoff_of(struct store *st, const struct archive_opts *o, int *clamped)
{
	int64_t limit, v;
	int sec, wday;
	char b[32], *end;

	tm_local_day(o->now, &sec, &wday);
	limit = o->now - sec - (int64_t)o->keep_days * 86400;
	if (store_meta_get(st, "zreport_last_at", b, sizeof b) == 0) {
		v = strtoll(b, &end, 10);
		if (*end == '\0' && v > 0 && v < limit)
			limit = v;
	}
	*clamped = o->before > limit;
	return *clamped ? limit : o->before;
}

static int
meta_set1(struct store *st, const char *k1, const char *v1, const char *k2,
    const char *v2)
{
	int rc;

	if ((rc = store_begin(st)) != 0)
		return rc;
	if ((rc = store_meta_set(st, k1, v1)) == 0 && k2 != NULL)
		rc = store_meta_set(st, k2, v2);
	if (rc != 0) {
		store_rollback(st);
		return rc;
	}
	return store_commit(st);
}

static const char *
base_name(const char *path)
{
	const char *p = strrchr(path, '/');

	return p != NULL ? p + 1 : path;
}

/* One journal batch: copy, then delete and anchor the cut in one live
 * transaction. 1 moved, 0 nothing to move, < 0 error. */
static int
journal_step(struct store *st, const struct archive_opts *o,
    struct archive_result *r)
{
	int64_t first, last, n = 0;
	char head[65];
	json_t *d;
	int rc;

	if ((rc = store_archive_journal_cut(st, r->cutoff, JOURNAL_BATCH,
	    &first, &last, head)) != 0)
		return rc;
	if (last == 0)
		return 0;
	if ((rc = store_archive_journal_copy(st, first, last)) != 0)
		return rc;
	if ((rc = store_begin(st)) != 0)
		return rc;
	d = json_pack("{s:s, s:I, s:I, s:s, s:I}", "file", base_name(r->file),
	    "first_seq", (json_int_t)first, "last_seq", (json_int_t)last,
	    "head", head, "before", (json_int_t)r->cutoff);
	if ((rc = store_archive_journal_drop(st, last, &n)) == 0)
		rc = journal_append(st, o->now, JOURNAL_ANCHOR, 0, 0, d);
	json_decref(d);
	if (rc != 0) {
		store_rollback(st);
		return rc;
	}
	if ((rc = store_commit(st)) != 0)
		return rc;
	r->journal += n;
	return 1;
}

struct ended {
	struct store *st;
	int64_t cutoff;
	struct {
		enum store_kind kind;
		char id[STORE_ID_MAX + 1];
	} *v;
	size_t n;
};

static int
ended_cb(void *arg, enum store_kind kind, const struct store_def *d)
{
	struct ended *e = arg;
	struct rules_def def;
	char *raw = NULL, *cause = NULL, key[128], have[32];
	int rc;

	snprintf(key, sizeof key, "archive.codes_dropped.%d.%s", kind, d->id);
	if (store_meta_get(e->st, key, have, sizeof have) == 0)
		return 0; /* done before */
	rc = kind == STORE_CARD ? store_card_get(e->st, d->id, &raw, NULL) :
	    store_stock_get(e->st, d->id, &raw, NULL);
	if (rc == 0)
		rc = kind == STORE_CARD ?
		    rules_parse_card(raw, strlen(raw), &def, &cause) :
		    rules_parse_stock(raw, strlen(raw), &def, &cause);
	free(raw);
	free(cause);
	if (rc == 0 && def.end_at != 0 && def.end_at < e->cutoff) {
		e->v = xrealloc(e->v, (e->n + 1) * sizeof *e->v);
		e->v[e->n].kind = kind;
		snprintf(e->v[e->n].id, sizeof e->v[e->n].id, "%s", d->id);
		e->n++;
	}
	return 0;
}

/* The code cache of stocks and cards whose validity ended before the
 * cutoff: no code of theirs can be redeemed, so the cache (and the used
 * marks that keep archived coupons refused) need not keep them. */
static int
drop_ended_codes(struct store *st, struct archive_result *r)
{
	struct ended e;
	char key[128];
	size_t i;
	int rc;

	memset(&e, 0, sizeof e);
	e.st = st;
	e.cutoff = r->cutoff;
	rc = store_def_list(st, ended_cb, &e);
	for (i = 0; i < e.n && rc == 0; i++) {
		rc = store_codes_drop(st, e.v[i].kind, e.v[i].id, &r->codes);
		snprintf(key, sizeof key, "archive.codes_dropped.%d.%s",
		    e.v[i].kind, e.v[i].id);
		if (rc == 0)
			rc = meta_set1(st, key, "1", NULL, NULL);
	}
	free(e.v);
	return rc;
}

/* The run's batches, after the archive is attached. */
static int
move(struct store *st, const struct archive_opts *o,
    struct archive_result *r)
{
	struct store_archive_count c;
	int64_t after = 0;
	int rc, batches = 0;

	memset(&c, 0, sizeof c);
	for (;;) {
		int64_t prev = after;

		if (o->max_batches > 0 && batches >= o->max_batches) {
			r->more = 1;
			goto out;
		}
		if ((rc = store_archive_sales(st, r->cutoff, o->batch > 0 ?
		    o->batch : ARCHIVE_BATCH, &after, &c)) != 0)
			return rc;
		batches++;
		if (after == prev)
			break; /* nothing left to copy */
	}
	for (;;) {
		if (o->max_batches > 0 && batches >= o->max_batches) {
			r->more = 1;
			goto out;
		}
		if ((rc = journal_step(st, o, r)) < 0)
			return rc;
		batches++;
		if (rc == 0)
			break;
	}
	rc = store_archive_notices(st, r->cutoff, &c.notices);
out:
	r->txns += c.txns;
	r->redemptions += c.redemptions;
	r->outbox += c.outbox;
	r->notices += c.notices;
	r->payments += c.payments;
	r->refunds += c.refunds;
	return rc;
}

static int run_locked(struct store *st, const struct archive_opts *o,
    struct archive_result *r, char **cause);

/* One run at a time per archive folder (`quan archive` beside the sync
 * daemon): an flock on DIR/archive.lock, released by the kernel however
 * the process ends. The fd, or -1 with *cause. */
static int
lock_dir(const char *dir, char **cause)
{
	char *path;
	int fd;

	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		*cause = xasprintf("%s: %s", dir, strerror(errno));
		return -1;
	}
	path = xasprintf("%s/archive.lock", dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		*cause = xasprintf("%s: %s", path, strerror(errno));
	else if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		*cause = xasprintf("another archive run is going on (%s)",
		    path);
		close(fd);
		fd = -1;
	}
	free(path);
	return fd;
}

int
archive_run(struct store *st, const struct archive_opts *o,
    struct archive_result *r, char **cause)
{
	int lock, rc;

	memset(r, 0, sizeof *r);
	*cause = NULL;
	(void)store_size(st, &r->size_before);
	if ((lock = lock_dir(o->dir, cause)) < 0)
		return QUAN_EBUSY;
	rc = run_locked(st, o, r, cause);
	close(lock);
	(void)store_size(st, &r->size_after);
	return rc;
}

static int
run_locked(struct store *st, const struct archive_opts *o,
    struct archive_result *r, char **cause)
{
	char pending[512] = "", busy[8] = "", month[16];
	struct tm lt;
	int rc, attached = 0;

	r->cutoff = cutoff_of(st, o, &r->clamped);
	if (store_meta_get(st, "archive.file", pending, sizeof pending) != 0)
		pending[0] = '\0';
	if (store_meta_get(st, "archive.busy", busy, sizeof busy) != 0)
		busy[0] = '\0';
	if (pending[0] != '\0') {
		/* a run not finished: the same file, whatever the date */
		snprintf(r->file, sizeof r->file, "%s", pending);
		r->resumed = strcmp(busy, "1") == 0;
	} else {
		tm_local(r->cutoff - 1, &lt);
		strftime(month, sizeof month, "%Y-%m", &lt);
		snprintf(r->file, sizeof r->file, "%s/quan-archive-%s.db",
		    o->dir, month);
	}
	if ((rc = meta_set1(st, "archive.file", r->file, "archive.busy",
	    "1")) != 0)
		goto fail;
	if ((rc = store_archive_attach(st, r->file)) != 0)
		goto fail;
	attached = 1;
	if (r->resumed) {
		log_warn("archive: the last run into %s was cut off; "
		    "finishing it", r->file);
		if ((rc = store_archive_reconcile(st)) != 0)
			goto fail;
	}
	if ((rc = move(st, o, r)) != 0)
		goto fail;
	store_archive_detach(st);
	attached = 0;
	if (!r->more && (rc = drop_ended_codes(st, r)) != 0)
		goto fail;
	if ((rc = store_begin(st)) != 0)
		goto fail;
	if (r->txns + r->journal + r->notices + r->codes > 0) {
		json_t *d = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, "
		    "s:I}",
		    "file", base_name(r->file), "before", (json_int_t)r->cutoff,
		    "txns", (json_int_t)r->txns, "redemptions",
		    (json_int_t)r->redemptions, "outbox", (json_int_t)r->outbox,
		    "journal", (json_int_t)r->journal, "notices",
		    (json_int_t)r->notices, "codes", (json_int_t)r->codes);

		rc = journal_append(st, o->now, "archive", 0, 0, d);
		json_decref(d);
	}
	if (rc == 0)
		rc = store_meta_set(st, "archive.busy", "0");
	if (rc == 0 && !r->more)
		rc = store_meta_set(st, "archive.file", "");
	if (rc != 0) {
		store_rollback(st);
		goto fail;
	}
	if ((rc = store_commit(st)) != 0)
		goto fail;
	if (!r->more && (rc = store_vacuum(st, o->full_vacuum)) != 0)
		goto fail;
	return QUAN_OK;
fail:
	*cause = xasprintf("%s", store_errmsg(st));
	if (attached)
		store_archive_detach(st);
	return rc;
}
