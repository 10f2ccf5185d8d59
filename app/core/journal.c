/*
 * journal.c — keyed hash-chained audit entries (see journal.h). The
 * canonical entry is "prev\nseq\nat\nkind\ntxn\nred\ndata" with data as
 * compact, key-sorted, ASCII JSON and prev the previous entry's hash in
 * lower-case hex (64 zeros for the first); hash = HMAC-SHA256(key,
 * canonical) from meta journal.keyed_from on, SHA-256(canonical) before it
 * (legacy entries of a store older than schema 6), in lower-case hex.
 * meta "journal_head" = "seq:hash". The key lives in DIR/journal.key and,
 * once loaded, with the store handle (store_aux).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/journal.h"
#include "crypto/crypto.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/config.h"
#include "util/err.h"
#include "util/xmem.h"

static const char zero_hash[] =
    "0000000000000000000000000000000000000000000000000000000000000000";

/* The key kept with a store handle. */
struct jkey {
	uint8_t key[JOURNAL_KEY_LEN];
	int64_t keyed_from;
};

/* key NULL: a legacy entry (plain SHA-256). */
static void
chain_hash(const uint8_t *key, const char *prev, const struct store_jrow *j,
    char out[65])
{
	struct buf b;
	uint8_t h[CRYPTO_SHA256_LEN];

	buf_init(&b, 1u << 24);
	buf_printf(&b, "%s\n%" PRId64 "\n%" PRId64 "\n%s\n%" PRId64 "\n%"
	    PRId64 "\n", prev, j->seq, j->at, j->kind, j->txn_id, j->red_id);
	buf_adds(&b, j->data);
	if (key == NULL)
		crypto_sha256(buf_str(&b), b.len, h);
	else if (crypto_hmac_sha256(key, JOURNAL_KEY_LEN, buf_str(&b), b.len,
	    h) != 0)
		memset(h, 0, sizeof h); /* never matches a stored hash */
	crypto_hex(h, sizeof h, out);
	buf_free(&b);
}

/* DIR/journal.key for the database at the store's path. */
static char *
key_path(struct store *st)
{
	const char *db = store_path(st), *slash = strrchr(db, '/');

	if (slash == NULL)
		return xasprintf("%s", JOURNAL_KEY_FILE);
	return xasprintf("%.*s/%s", (int)(slash - db), db, JOURNAL_KEY_FILE);
}

static int
keyed_from(struct store *st, int64_t *from, char **cause)
{
	char v[32], *end;
	int rc = store_meta_get(st, STORE_META_KEYED_FROM, v, sizeof v);

	if (rc == QUAN_ENOTFOUND) {
		*cause = xasprintf("journal: meta %s is missing (every store "
		    "of schema 6 has it): the database was edited",
		    STORE_META_KEYED_FROM);
		return QUAN_ECORRUPT;
	}
	if (rc != 0) {
		*cause = xasprintf("%s", store_errmsg(st));
		return rc;
	}
	*from = strtoll(v, &end, 10);
	if (*end != '\0' || *from < 1) {
		*cause = xasprintf("journal: meta %s = \"%s\" is not an entry "
		    "number: the database was edited", STORE_META_KEYED_FROM,
		    v);
		return QUAN_ECORRUPT;
	}
	return QUAN_OK;
}

static int
unhex(const char *s, uint8_t *out, size_t n)
{
	size_t i;
	int hi, lo;

	for (i = 0; i < n; i++) {
		hi = s[2 * i] >= '0' && s[2 * i] <= '9' ? s[2 * i] - '0' :
		    s[2 * i] >= 'a' && s[2 * i] <= 'f' ? s[2 * i] - 'a' + 10 : -1;
		lo = s[2 * i + 1] >= '0' && s[2 * i + 1] <= '9' ?
		    s[2 * i + 1] - '0' : s[2 * i + 1] >= 'a' &&
		    s[2 * i + 1] <= 'f' ? s[2 * i + 1] - 'a' + 10 : -1;
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* Read an existing key file: QUAN_ENOTFOUND when there is none. */
static int
key_read(const char *path, uint8_t key[JOURNAL_KEY_LEN], char **cause)
{
	char text[2 * JOURNAL_KEY_LEN + 2];
	struct stat sb;
	ssize_t n;
	int fd, rc;

	if (stat(path, &sb) != 0 && errno == ENOENT)
		return QUAN_ENOTFOUND;
	if ((rc = config_check_key_file(path, cause)) != 0)
		return rc;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return QUAN_EIO;
	}
	n = read(fd, text, sizeof text);
	close(fd);
	if (n < 2 * JOURNAL_KEY_LEN || (n > 2 * JOURNAL_KEY_LEN &&
	    (n != 2 * JOURNAL_KEY_LEN + 1 || text[n - 1] != '\n')) ||
	    unhex(text, key, JOURNAL_KEY_LEN) != 0) {
		*cause = xasprintf("%s: not a journal key (64 lower-case hex "
		    "digits); restore it from the backup of the data dir",
		    path);
		return QUAN_ECORRUPT;
	}
	return QUAN_OK;
}

/* fsync the folder holding path (best effort). */
static void
sync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash == NULL ? xstrdup(".") :
	    xasprintf("%.*s", (int)(slash - path), path);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	free(dir);
}

/* Make a new key file: written and synced under a name of this process,
 * then linked into place, which fails when the file exists — so of two
 * processes starting at once one key wins, whole, and the other reads it. */
static int
key_make(const char *path, uint8_t key[JOURNAL_KEY_LEN], char **cause)
{
	char text[2 * JOURNAL_KEY_LEN + 2], *tmp;
	int fd, ok, rc = QUAN_OK;

	if (crypto_random(key, JOURNAL_KEY_LEN) != 0) {
		*cause = xasprintf("journal key: the random generator failed");
		return QUAN_EIO;
	}
	tmp = xasprintf("%s.%ld.tmp", path, (long)getpid());
	(void)unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		*cause = xasprintf("%s: cannot create the journal key: %s",
		    path, strerror(errno));
		rc = errno == ENOSPC ? QUAN_EFULL : QUAN_EIO;
		free(tmp);
		return rc;
	}
	crypto_hex(key, JOURNAL_KEY_LEN, text);
	text[2 * JOURNAL_KEY_LEN] = '\n';
	ok = write(fd, text, sizeof text - 1) == (ssize_t)(sizeof text - 1) &&
	    fsync(fd) == 0;
	memset(text, 0, sizeof text);
	if (close(fd) != 0)
		ok = 0;
	if (!ok) {
		*cause = xasprintf("%s: cannot write the journal key: %s",
		    path, strerror(errno));
		rc = errno == ENOSPC ? QUAN_EFULL : QUAN_EIO;
	} else if (link(tmp, path) != 0) {
		if (errno == EEXIST)
			rc = key_read(path, key, cause); /* another's won */
		else {
			*cause = xasprintf("%s: cannot create the journal "
			    "key: %s", path, strerror(errno));
			rc = QUAN_EIO;
		}
	}
	(void)unlink(tmp);
	free(tmp);
	if (rc == QUAN_OK)
		sync_dir(path); /* the name lasts before an entry needs it */
	return rc;
}

static void
jkey_free(void *p)
{
	if (p != NULL)
		memset(p, 0, sizeof(struct jkey));
	free(p);
}

/* The key of st: kept, else read, else (create, no keyed entry yet) made. */
static int
key_load(struct store *st, int create, struct jkey **out, char **cause)
{
	struct jkey *k = store_aux(st);
	int64_t last = 0;
	char h[65], *path;
	int rc;

	if (k != NULL) {
		*out = k;
		return QUAN_OK;
	}
	k = xcalloc(1, sizeof *k);
	if ((rc = keyed_from(st, &k->keyed_from, cause)) != 0 ||
	    (rc = store_journal_last(st, &last, h)) != 0) {
		if (rc != 0 && *cause == NULL)
			*cause = xasprintf("%s", store_errmsg(st));
		jkey_free(k);
		return rc;
	}
	path = key_path(st);
	rc = key_read(path, k->key, cause);
	if (rc == QUAN_ENOTFOUND && create && last >= k->keyed_from)
		*cause = xasprintf("%s is missing, and the journal is keyed "
		    "from entry %" PRId64 " on: quan will not make a new key "
		    "over it (those entries could never be checked again). "
		    "Restore %s from the backup of the data dir (mode 0600), "
		    "then start quan again", path, k->keyed_from,
		    JOURNAL_KEY_FILE);
	else if (rc == QUAN_ENOTFOUND && !create)
		*cause = xasprintf("%s is missing", path);
	else if (rc == QUAN_ENOTFOUND)
		rc = key_make(path, k->key, cause);
	free(path);
	if (rc != 0) {
		jkey_free(k);
		return rc;
	}
	store_set_aux(st, k, jkey_free);
	*out = k;
	return QUAN_OK;
}

static int
insert_row(struct store *st, const struct jkey *k, int64_t seq,
    const char *prev, int64_t now, const char *kind, int64_t txn_id,
    int64_t red_id, const char *text)
{
	struct store_jrow j;
	char head[96];
	int rc;

	memset(&j, 0, sizeof j);
	snprintf(j.prev, sizeof j.prev, "%s", prev);
	j.seq = seq;
	j.at = now;
	snprintf(j.kind, sizeof j.kind, "%s", kind);
	j.txn_id = txn_id;
	j.red_id = red_id;
	j.data = text;
	chain_hash(seq >= k->keyed_from ? k->key : NULL, j.prev, &j, j.hash);
	if ((rc = store_journal_insert(st, &j)) != 0)
		return rc;
	snprintf(head, sizeof head, "%" PRId64 ":%s", j.seq, j.hash);
	return store_meta_set(st, "journal_head", head);
}

/* Inside a transaction: the JOURNAL_KEYED entry when the next entry is
 * the first keyed one. *last/prev advance past it. */
static int
open_keyed(struct store *st, const struct jkey *k, int64_t now,
    int64_t *last, char prev[65])
{
	char data[64];
	int rc;

	if (*last + 1 != k->keyed_from)
		return QUAN_OK;
	snprintf(data, sizeof data, "{\"legacy_entries\":%" PRId64 "}",
	    k->keyed_from - 1);
	if ((rc = insert_row(st, k, *last + 1, prev, now, JOURNAL_KEYED, 0, 0,
	    data)) != 0)
		return rc;
	return store_journal_last(st, last, prev);
}

int
journal_key_open(struct store *st, int64_t now, int create, char **cause)
{
	struct jkey *k;
	int64_t last = 0;
	char prev[65];
	int rc;

	*cause = NULL;
	if ((rc = key_load(st, create, &k, cause)) != 0 || !create)
		return rc;
	/* keyed already (every start but the first): no write lock taken,
	 * so a start never waits behind an import's transaction */
	if ((rc = store_journal_last(st, &last, prev)) != 0)
		goto fail;
	if (last + 1 != k->keyed_from)
		return QUAN_OK;
	if ((rc = store_begin(st)) != 0)
		goto fail;
	if ((rc = store_journal_last(st, &last, prev)) == 0) {
		if (prev[0] == '\0')
			snprintf(prev, sizeof prev, "%s", zero_hash);
		rc = open_keyed(st, k, now, &last, prev);
	}
	if (rc != 0) {
		store_rollback(st);
		goto fail;
	}
	if ((rc = store_commit(st)) == 0)
		return QUAN_OK;
fail:
	*cause = xasprintf("journal: %s", store_errmsg(st));
	return rc;
}

int
journal_append(struct store *st, int64_t now, const char *kind,
    int64_t txn_id, int64_t red_id, const struct json_t *data)
{
	struct jkey *k;
	char *text = NULL, *cause = NULL, prev[65];
	int64_t last;
	int rc;

	if ((rc = key_load(st, 1, &k, &cause)) != 0) {
		free(cause); /* the terminal's start said it (journal_key_open) */
		return rc;
	}
	if ((rc = store_journal_last(st, &last, prev)) != 0)
		return rc;
	if (prev[0] == '\0')
		snprintf(prev, sizeof prev, "%s", zero_hash);
	if (last + 1 < k->keyed_from)
		return QUAN_ECORRUPT; /* entries deleted below the keyed part */
	if ((rc = open_keyed(st, k, now, &last, prev)) != 0)
		return rc;
	if (data != NULL)
		text = json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS |
		    JSON_ENSURE_ASCII);
	rc = insert_row(st, k, last + 1, prev, now, kind, txn_id, red_id,
	    text != NULL ? text : "{}");
	free(text);
	return rc;
}

int
journal_record(struct store *st, int64_t now, const char *kind,
    const struct json_t *data, char **cause)
{
	int rc;

	*cause = NULL;
	if ((rc = store_begin(st)) != 0)
		goto fail;
	if ((rc = journal_append(st, now, kind, 0, 0, data)) != 0 ||
	    (rc = store_commit(st)) != 0) {
		*cause = xstrdup(store_errmsg(st));
		store_rollback(st);
		return rc;
	}
	return 0;
fail:
	*cause = xstrdup(store_errmsg(st));
	return rc;
}

/* One journal walked: a live store's, or an archive file's. Its first
 * entry's prev is taken as given (the chain may start after a cut); the
 * archive anchors in it are kept for the cut checks. */
struct anchor {
	int64_t last_seq;
	char head[65];
};

/* What every journal of one verify shares: the live store's key
 * (NULL: none found) and where the keyed part starts. */
struct vctx {
	const struct jkey *key;
	int64_t keyed_from;
	const char *key_path;
	const char *key_why;      /* why there is no key */
};

struct seg {
	const struct vctx *c;
	const char *name;         /* for messages: "live" or the file */
	int64_t legacy_first, legacy_last, keyed_first, keyed_last;
	int64_t first, last;      /* 0 when empty */
	char first_prev[65], last_hash[65];
	struct anchor *anchors;
	size_t nanchors;
	char *cause;
};

static void
take_anchor(struct seg *g, const struct store_jrow *j)
{
	json_t *d;
	const char *head;

	if (strcmp(j->kind, JOURNAL_ANCHOR) != 0)
		return;
	d = json_loads(j->data, 0, NULL);
	head = json_string_value(json_object_get(d, "head"));
	if (head != NULL) {
		g->anchors = xrealloc(g->anchors, (g->nanchors + 1) *
		    sizeof *g->anchors);
		g->anchors[g->nanchors].last_seq = json_integer_value(
		    json_object_get(d, "last_seq"));
		snprintf(g->anchors[g->nanchors].head, 65, "%s", head);
		g->nanchors++;
	}
	json_decref(d);
}

static int
verify_row(void *arg, const struct store_jrow *j)
{
	struct seg *g = arg;
	char want[65];
	int keyed;

	if (g->first == 0) {
		g->first = j->seq;
		g->last = j->seq - 1;
		snprintf(g->first_prev, sizeof g->first_prev, "%s", j->prev);
		snprintf(g->last_hash, sizeof g->last_hash, "%s", j->prev);
	}
	if (j->seq != g->last + 1) {
		g->cause = xasprintf("%s journal entry %" PRId64 " follows %"
		    PRId64 ": entries deleted or reordered", g->name, j->seq,
		    g->last);
		return QUAN_ECORRUPT;
	}
	if (strcmp(j->prev, g->last_hash) != 0) {
		g->cause = xasprintf("%s journal entry %" PRId64 ": previous "
		    "hash does not match entry %" PRId64 " (deleted, "
		    "reordered or edited)", g->name, j->seq, g->last);
		return QUAN_ECORRUPT;
	}
	keyed = j->seq >= g->c->keyed_from;
	if (keyed && g->c->key == NULL) {
		g->cause = xasprintf("%s journal entry %" PRId64 " is keyed "
		    "and the journal key cannot be used (%s); a lost key: "
		    "restore %s from the backup of the data dir (mode 0600), "
		    "then verify again", g->name, j->seq, g->c->key_why,
		    JOURNAL_KEY_FILE);
		return QUAN_ECORRUPT;
	}
	if (j->seq == g->c->keyed_from && strcmp(j->kind, JOURNAL_KEYED)) {
		g->cause = xasprintf("%s journal entry %" PRId64 " (%s) is "
		    "where the keyed chain starts (meta %s), but it is not the "
		    "%s entry: the boundary was moved", g->name, j->seq,
		    j->kind, STORE_META_KEYED_FROM, JOURNAL_KEYED);
		return QUAN_ECORRUPT;
	}
	chain_hash(keyed ? g->c->key->key : NULL, j->prev, j, want);
	if (strcmp(want, j->hash) != 0) {
		g->cause = xasprintf("%s journal entry %" PRId64 " (%s): hash "
		    "mismatch (%s): the entry was edited%s", g->name, j->seq,
		    j->kind, keyed ? "keyed HMAC-SHA256" : "legacy unkeyed "
		    "SHA-256", keyed ? ", or hashed without the journal key" :
		    "");
		return QUAN_ECORRUPT;
	}
	if (keyed) {
		if (g->keyed_first == 0)
			g->keyed_first = j->seq;
		g->keyed_last = j->seq;
	} else {
		if (g->legacy_first == 0)
			g->legacy_first = j->seq;
		g->legacy_last = j->seq;
	}
	take_anchor(g, j);
	snprintf(g->last_hash, sizeof g->last_hash, "%s", j->hash);
	g->last = j->seq;
	return 0;
}

static int
walk_seg(struct store *st, struct seg *g, char **cause)
{
	int rc = store_journal_walk(st, verify_row, g);

	if (rc != 0) {
		*cause = g->cause != NULL ? g->cause :
		    xasprintf("%s", store_errmsg(st));
		g->cause = NULL;
	}
	return rc;
}

/* Is the cut before entry seq (whose prev is prev) vouched for by an
 * anchor in one of the n journals? */
static int
anchored(const struct seg *g, size_t n, int64_t seq, const char *prev)
{
	size_t i, k;

	for (i = 0; i < n; i++)
		for (k = 0; k < g[i].nanchors; k++)
			if (g[i].anchors[k].last_seq == seq - 1 &&
			    strcmp(g[i].anchors[k].head, prev) == 0)
				return 1;
	return 0;
}

/* The start of journal i: entry 1 after the zero hash, the entry after
 * the journal before it, or a cut an anchor vouches for. */
static int
check_start(const struct seg *g, size_t n, size_t i, char **cause)
{
	const struct seg *s = &g[i];

	if (s->first == 1) {
		if (strcmp(s->first_prev, zero_hash) == 0)
			return 0;
		*cause = xasprintf("%s journal entry 1: previous hash is not "
		    "the start of a chain", s->name);
		return QUAN_ECORRUPT;
	}
	if (i > 0 && g[i - 1].last + 1 == s->first) {
		if (strcmp(g[i - 1].last_hash, s->first_prev) == 0)
			return 0;
		*cause = xasprintf("%s journal entry %" PRId64 " does not "
		    "follow entry %" PRId64 " of %s (edited or replaced)",
		    s->name, s->first, g[i - 1].last, g[i - 1].name);
		return QUAN_ECORRUPT;
	}
	if (anchored(g, n, s->first, s->first_prev))
		return 0;
	*cause = xasprintf("%s journal starts at entry %" PRId64 " and no "
	    "archive anchor says where entries up to %" PRId64 " went "
	    "(deleted?%s)", s->name, s->first, s->first - 1, i > 0 ? "" :
	    " or give the archive that holds them, or the one after it, "
	    "with --archive");
	return QUAN_ECORRUPT;
}

static void
seg_free(struct seg *g)
{
	free(g->anchors);
	free(g->cause);
}

/* The live journal's end against meta "journal_head" (a deleted tail). */
static int
check_head(struct store *st, const struct seg *g, char **cause)
{
	char head[96], want[96];
	int rc = store_meta_get(st, "journal_head", head, sizeof head);

	if (rc == QUAN_ENOTFOUND) {
		if (g->last == 0)
			return QUAN_OK;
		*cause = xasprintf("journal head record missing");
		return QUAN_ECORRUPT;
	}
	if (rc != 0) {
		*cause = xasprintf("%s", store_errmsg(st));
		return rc;
	}
	snprintf(want, sizeof want, "%" PRId64 ":%s", g->last, g->last_hash);
	if (strcmp(head, want) != 0) {
		*cause = xasprintf("journal ends at entry %" PRId64 " but its "
		    "head says %s: entries deleted at the end", g->last, head);
		return QUAN_ECORRUPT;
	}
	return QUAN_OK;
}

int
journal_verify(struct store *st, int64_t *n, char **cause)
{
	return journal_verify_archives(st, NULL, NULL, 0, n, cause);
}

int
journal_verify_archives(struct store *live, struct store *const *arcs,
    const char *const *names, size_t narcs, int64_t *n, char **cause)
{
	struct journal_check jc;
	int rc = journal_check(live, arcs, names, narcs, &jc, cause);

	*n = jc.n;
	return rc;
}

/* The keyed part as a whole: it starts at keyed_from with the
 * JOURNAL_KEYED entry (checked per row) and runs to the end; none at
 * all while a key exists means it was cut off. */
static int
check_keyed(const struct vctx *c, const struct journal_check *o,
    int64_t last, char **cause)
{
	if (c->keyed_from > last + 1) {
		*cause = xasprintf("the journal is keyed from entry %" PRId64
		    " on (meta %s) but ends at entry %" PRId64 ": keyed "
		    "entries were deleted", c->keyed_from,
		    STORE_META_KEYED_FROM, last);
		return QUAN_ECORRUPT;
	}
	if (o->keyed_first == 0 && c->key != NULL) {
		*cause = xasprintf("%s exists but no journal entry is keyed: "
		    "the keyed part (from entry %" PRId64 ") was cut off (a "
		    "till stopped between making its key and its first keyed "
		    "entry writes it at its next start)", c->key_path,
		    c->keyed_from);
		return QUAN_ECORRUPT;
	}
	return QUAN_OK;
}

static void
span(int64_t *first, int64_t *last, int64_t f, int64_t l)
{
	if (f != 0 && (*first == 0 || f < *first))
		*first = f;
	if (l > *last)
		*last = l;
}

int
journal_check(struct store *live, struct store *const *arcs,
    const char *const *names, size_t narcs, struct journal_check *o,
    char **cause)
{
	struct seg *g;
	struct vctx c;
	struct jkey *key = NULL;
	char *kwhy = NULL, *kpath;
	size_t i, k, m = narcs + 1;
	int rc = 0;

	memset(o, 0, sizeof *o);
	*cause = NULL;
	memset(&c, 0, sizeof c);
	kpath = key_path(live);
	snprintf(o->key_path, sizeof o->key_path, "%s", kpath);
	c.key_path = kpath;
	if ((rc = keyed_from(live, &c.keyed_from, cause)) != 0) {
		free(kpath);
		return rc;
	}
	o->keyed_from = c.keyed_from;
	if (key_load(live, 0, &key, &kwhy) == 0)
		c.key = key;
	c.key_why = kwhy != NULL ? kwhy : "none";
	g = xcalloc(m, sizeof *g);
	for (i = 0; i < m; i++)
		g[i].c = &c;
	for (i = 0; i < narcs && rc == 0; i++) {
		g[i].name = names[i];
		rc = walk_seg(arcs[i], &g[i], cause);
	}
	g[narcs].name = "live";
	if (rc == 0)
		rc = walk_seg(live, &g[narcs], cause);
	if (rc != 0)
		goto out;
	/* in chain order: archives by their first entry, live last */
	for (i = 1; i < narcs; i++)
		for (k = i; k > 0 && g[k].first < g[k - 1].first; k--) {
			struct seg t = g[k];

			g[k] = g[k - 1];
			g[k - 1] = t;
		}
	for (i = 0; i < m && rc == 0; i++) {
		if (g[i].last == 0)
			continue; /* an archive of sales only, an empty live */
		if (i > 0 && g[i - 1].last >= g[i].first) {
			*cause = xasprintf("%s and %s both hold journal entry "
			    "%" PRId64, g[i - 1].name, g[i].name, g[i].first);
			rc = QUAN_ECORRUPT;
			break;
		}
		rc = check_start(g, m, i, cause);
		/* an archive's last entry: followed by the next journal, or
		 * its cut vouched for by an anchor */
		if (rc == 0 && i + 1 < m && !(g[i + 1].first ==
		    g[i].last + 1) && !anchored(g, m, g[i].last + 1,
		    g[i].last_hash)) {
			*cause = xasprintf("%s ends at journal entry %" PRId64
			    " and no anchor names that cut (its anchor may be "
			    "in a later archive: give that one too)",
			    g[i].name, g[i].last);
			rc = QUAN_ECORRUPT;
		}
	}
	for (i = 0; i < m; i++) {
		o->n += g[i].last != 0 ? g[i].last - g[i].first + 1 : 0;
		span(&o->legacy_first, &o->legacy_last, g[i].legacy_first,
		    g[i].legacy_last);
		span(&o->keyed_first, &o->keyed_last, g[i].keyed_first,
		    g[i].keyed_last);
	}
	if (rc == 0)
		rc = check_head(live, &g[narcs], cause);
	if (rc == 0)
		rc = check_keyed(&c, o, o->legacy_last > o->keyed_last ?
		    o->legacy_last : o->keyed_last, cause);
	if (rc == 0 && store_journal_last(live, &o->head_seq, o->head) != 0) {
		*cause = xasprintf("%s", store_errmsg(live));
		rc = QUAN_EIO;
	}
out:
	for (i = 0; i < m; i++)
		seg_free(&g[i]);
	free(g);
	free(kwhy);
	free(kpath);
	return rc;
}
