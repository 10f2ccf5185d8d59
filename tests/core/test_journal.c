/* test_journal.c — the keyed audit chain (app/core/journal.h, issue 17
 * item 3 and the journal item of issue 9): known answers for fixed
 * entries under a fixed key (hex literals computed outside quan with
 * `openssl dgst -sha256 -mac HMAC -macopt hexkey:KEY` over the canonical
 * bytes of app/core/README.md, "Audit journal"), a store written before
 * the key (legacy SHA-256 entries, then the keyed part chained to them),
 * and an attacker who edits an entry and re-hashes like one would: the
 * edited entry alone, the whole chain with plain SHA-256, with a wrong
 * key — every one fails, and the same rewrite with the right key passes
 * (so the forger writes the journal's own form). The keyed part cannot be
 * cut off or have its start moved, a lost or open key file is named, and
 * the chain verifies across an archive cut where tampering is found. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/archive.h"
#include "core/journal.h"
#include "crypto/crypto.h"
#include "store/store.h"
#include "util/err.h"
#include "util/xmem.h"

/* the fixed key: bytes 00 01 02 ... 1f */
#define KEY_HEX "000102030405060708090a0b0c0d0e0f" \
	"101112131415161718191a1b1c1d1e1f"
#define ZERO_HASH "00000000000000000000000000000000" \
	"00000000000000000000000000000000"
#define T1 1700000000LL

/* A keyed store's first entries (journal_keyed, redeem, confirm). */
#define H1 "ecbbf1f1db5058d95c7c81414bb0c1fc9af2eb21ee431ca8dca7293f5665b395"
#define H2 "746d4cf58cc60e8955e07294d6f2e07f2dc57b6f7a97a83a994349bb150675dc"
#define H3 "7f538751022507cd90a56649ec313c508b1815e8f2f77511c9205c48d1a8971d"
/* A store of schema 5: two legacy entries (plain SHA-256), then the keyed
 * part from entry 3 on. */
#define L1 "141608cfa2eece8bfa5b61e581dacc1639656aac8e30372761b0573a5ebb4782"
#define L2 "fe91ce6b80680bafd6449d44b35853e3ccd54e8488228efe9b592c22a461fbf1"
#define K3 "c4c5da1c93d7631b805ea8f24b4e51aea7bc6730327d6f716a6818399732bec6"
#define K4 "62ad48312f01471641a1fd310520e39d9f947b261f93b1b9b4b6807b34426b8f"

struct row {
	int64_t seq, at, txn, red;
	char kind[32], data[256], prev[65], hash[65];
};

struct fx {
	char dir[64], db[96], key[96];
	struct store *st;
	struct row r[16];
	size_t n;
};

static void
put_file(const char *path, const char *text, mode_t mode)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	assert_int_equal(chmod(path, mode), 0);
}

static void sql(const char *db, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
sql(const char *db, const char *fmt, ...)
{
	char path[128], *cmd;
	va_list ap;
	FILE *fp;

	snprintf(path, sizeof path, "%s.sql", db);
	fp = fopen(path, "w");
	assert_non_null(fp);
	va_start(ap, fmt);
	vfprintf(fp, fmt, ap);
	va_end(ap);
	fclose(fp);
	cmd = xasprintf("sqlite3 %s < %s", db, path);
	assert_int_equal(system(cmd), 0);
	free(cmd);
}

static int
setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof *f);

	snprintf(f->dir, sizeof f->dir, "/tmp/quan-journal-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->db, sizeof f->db, "%s/quan.db", f->dir);
	snprintf(f->key, sizeof f->key, "%s/%s", f->dir, JOURNAL_KEY_FILE);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char *cmd = xasprintf("rm -rf %s", f->dir);

	store_close(f->st);
	(void)system(cmd);
	free(cmd);
	free(f);
	return 0;
}

/* A new process on the data dir: the key is read again. */
static void
reopen(struct fx *f)
{
	char *cause = NULL;

	store_close(f->st);
	f->st = NULL;
	if (store_open(f->db, 0, &f->st, &cause) != 0)
		fail_msg("%s", cause);
}

static void
append(struct fx *f, int64_t at, const char *kind, int64_t txn,
    int64_t red, const char *json)
{
	json_t *d = json_loads(json, 0, NULL);

	assert_non_null(d);
	assert_int_equal(store_begin(f->st), 0);
	assert_int_equal(journal_append(f->st, at, kind, txn, red, d), 0);
	assert_int_equal(store_commit(f->st), 0);
	json_decref(d);
}

static int
row_cb(void *arg, const struct store_jrow *j)
{
	struct fx *f = arg;
	struct row *r = &f->r[f->n++];

	assert_true(f->n <= 16);
	r->seq = j->seq;
	r->at = j->at;
	r->txn = j->txn_id;
	r->red = j->red_id;
	snprintf(r->kind, sizeof r->kind, "%s", j->kind);
	snprintf(r->data, sizeof r->data, "%s", j->data);
	snprintf(r->prev, sizeof r->prev, "%s", j->prev);
	snprintf(r->hash, sizeof r->hash, "%s", j->hash);
	return 0;
}

static void
load_rows(struct fx *f)
{
	f->n = 0;
	assert_int_equal(store_journal_walk(f->st, row_cb, f), 0);
}

static int
check(struct fx *f, struct journal_check *jc, char **cause)
{
	reopen(f);
	*cause = NULL;
	return journal_check(f->st, NULL, NULL, 0, jc, cause);
}

static void
must_pass(struct fx *f, struct journal_check *jc)
{
	char *cause = NULL;

	if (check(f, jc, &cause) != 0)
		fail_msg("verify: %s", cause);
}

/* Fails, naming what: returns the cause (caller frees). */
static char *
must_fail(struct fx *f, const char *why)
{
	struct journal_check jc;
	char *cause = NULL;

	if (check(f, &jc, &cause) == 0)
		fail_msg("verify passed: %s", why);
	assert_non_null(cause);
	return cause;
}

/* --- the attacker: the documented canonical form, hashed as told ----- */
enum forge { PLAIN, WRONG_KEY, RIGHT_KEY };

static void
forge_hash(enum forge how, const struct row *r, char out[65])
{
	uint8_t key[32], h[CRYPTO_SHA256_LEN];
	char *canon = xasprintf("%s\n%" PRId64 "\n%" PRId64 "\n%s\n%" PRId64
	    "\n%" PRId64 "\n%s", r->prev, r->seq, r->at, r->kind, r->txn,
	    r->red, r->data);
	size_t i;

	for (i = 0; i < sizeof key; i++)
		key[i] = (uint8_t)(how == RIGHT_KEY ? i : 0xa5 ^ i);
	if (how == PLAIN)
		crypto_sha256(canon, strlen(canon), h);
	else
		assert_int_equal(crypto_hmac_sha256(key, sizeof key, canon,
		    strlen(canon), h), 0);
	crypto_hex(h, sizeof h, out);
	free(canon);
}

/* Write rows[from..] back (data, prev, hash) and the head, as an
 * attacker with the sqlite3 tool would. */
static void
write_rows(struct fx *f, const char *db, size_t from)
{
	char *s = xstrdup("BEGIN;");
	size_t i;

	for (i = from; i < f->n; i++) {
		char *t = xasprintf("%sUPDATE journal SET data = '%s', prev = "
		    "'%s', hash = '%s' WHERE seq = %" PRId64 ";", s,
		    f->r[i].data, f->r[i].prev, f->r[i].hash, f->r[i].seq);

		free(s);
		s = t;
	}
	sql(db, "%sUPDATE meta SET value = '%" PRId64 ":%s' WHERE key = "
	    "'journal_head'; COMMIT;", s, f->r[f->n - 1].seq,
	    f->r[f->n - 1].hash);
	free(s);
}

/* Re-hash rows[from..] the attacker's way, each prev the hash before. */
static void
rechain(struct fx *f, size_t from, enum forge how)
{
	size_t i;

	for (i = from; i < f->n; i++) {
		if (i > 0)
			memcpy(f->r[i].prev, f->r[i - 1].hash, 65);
		forge_hash(how, &f->r[i], f->r[i].hash);
	}
}

/* The keyed store of the known answers: a key made before the first
 * start, then a redeem and its confirm. */
static void
keyed_store(struct fx *f)
{
	char *cause = NULL;

	put_file(f->key, KEY_HEX "\n", 0600);
	reopen(f);
	assert_int_equal(journal_key_open(f->st, T1, 1, &cause), 0);
	append(f, T1, "redeem", 7, 9,
	    "{\"discount_fen\":500,\"code\":\"QA****0001\"}");
	append(f, T1 + 60, "confirm", 7, 9, "{\"state\":\"confirmed\"}");
	load_rows(f);
	assert_int_equal(f->n, 3);
}

/* Known answers: fixed entries under the fixed key give these hashes.
 * A change of the canonical bytes — the previous hash left out, a field
 * dropped or reordered, plain SHA-256 instead of the HMAC — changes
 * them. */
static void
test_known_answers_keyed(void **state)
{
	struct fx *f = *state;
	struct journal_check jc;
	struct stat sb;

	keyed_store(f);
	assert_string_equal(f->r[0].kind, JOURNAL_KEYED);
	assert_string_equal(f->r[0].data, "{\"legacy_entries\":0}");
	assert_string_equal(f->r[0].prev, ZERO_HASH);
	assert_string_equal(f->r[0].hash, H1);
	assert_string_equal(f->r[1].data,
	    "{\"code\":\"QA****0001\",\"discount_fen\":500}");
	assert_string_equal(f->r[1].prev, H1);
	assert_string_equal(f->r[1].hash, H2);
	assert_string_equal(f->r[2].hash, H3);
	must_pass(f, &jc);
	assert_int_equal(jc.n, 3);
	assert_int_equal(jc.legacy_first, 0);
	assert_int_equal(jc.keyed_first, 1);
	assert_int_equal(jc.keyed_last, 3);
	assert_string_equal(jc.head, H3);
	assert_int_equal(stat(f->key, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
}

/* A store of schema 5 with unkeyed entries: migration 6 keys the journal
 * from the next entry on; the old entries verify as the legacy segment
 * and the first keyed entry is chained to the last of them. Opened again,
 * nothing is added twice. */
static void
legacy_store(struct fx *f)
{
	char *cause = NULL, v[32];

	assert_int_equal(store_create_version(f->db, 5, &cause), 0);
	sql(f->db, "INSERT INTO journal VALUES(1, 1600000000, 'txn', 1, 0, "
	    "'{\"amount_fen\":10000}', '" ZERO_HASH "', '" L1 "');"
	    "INSERT INTO journal VALUES(2, 1600000005, 'redeem', 1, 1, "
	    "'{\"discount_fen\":300}', '" L1 "', '" L2 "');"
	    "INSERT INTO meta VALUES('journal_head', '2:" L2 "');");
	put_file(f->key, KEY_HEX "\n", 0600);
	reopen(f);
	assert_int_equal(store_meta_get(f->st, STORE_META_KEYED_FROM, v,
	    sizeof v), 0);
	assert_string_equal(v, "3");
	assert_int_equal(journal_key_open(f->st, T1, 1, &cause), 0);
	append(f, T1 + 60, "confirm", 1, 1, "{\"state\":\"confirmed\"}");
	load_rows(f);
	assert_int_equal(f->n, 4);
}

static void
test_known_answers_legacy_then_keyed(void **state)
{
	struct fx *f = *state;
	struct journal_check jc;
	char *cause = NULL;

	legacy_store(f);
	assert_string_equal(f->r[2].kind, JOURNAL_KEYED);
	assert_string_equal(f->r[2].data, "{\"legacy_entries\":2}");
	assert_string_equal(f->r[2].prev, L2);
	assert_string_equal(f->r[2].hash, K3);
	assert_string_equal(f->r[3].hash, K4);
	must_pass(f, &jc);
	assert_int_equal(jc.legacy_first, 1);
	assert_int_equal(jc.legacy_last, 2);
	assert_int_equal(jc.keyed_first, 3);
	assert_int_equal(jc.keyed_last, 4);
	/* a second start adds no second journal_keyed entry */
	assert_int_equal(journal_key_open(f->st, T1 + 99, 1, &cause), 0);
	load_rows(f);
	assert_int_equal(f->n, 4);
}

/* The splice of issue 17: raise the discount of entry 2, re-hash it and
 * fix the next entry's prev like an attacker would. */
static void
test_splice_fails(void **state)
{
	struct fx *f = *state;
	struct journal_check jc;
	struct row saved[16];
	char *cause;

	keyed_store(f);
	memcpy(saved, f->r, sizeof saved);
	snprintf(f->r[1].data, sizeof f->r[1].data,
	    "{\"code\":\"QA****0001\",\"discount_fen\":5000}");
	/* the edited entry re-hashed (plain SHA-256: the attacker has no
	 * key), the next prev fixed */
	forge_hash(PLAIN, &f->r[1], f->r[1].hash);
	memcpy(f->r[2].prev, f->r[1].hash, 65);
	write_rows(f, f->db, 1);
	cause = must_fail(f, "edit, re-hash, next prev fixed");
	assert_non_null(strstr(cause, "entry 2"));
	free(cause);
	/* the whole chain recomputed with plain SHA-256 */
	rechain(f, 0, PLAIN);
	write_rows(f, f->db, 0);
	cause = must_fail(f, "whole chain recomputed with SHA-256");
	assert_non_null(strstr(cause, "without the journal key"));
	free(cause);
	/* the whole chain recomputed with another key */
	rechain(f, 0, WRONG_KEY);
	write_rows(f, f->db, 0);
	free(must_fail(f, "whole chain recomputed with a wrong key"));
	/* control: with the terminal's key the same rewrite verifies, so
	 * the forger above wrote the journal's own canonical form */
	rechain(f, 0, RIGHT_KEY);
	write_rows(f, f->db, 0);
	must_pass(f, &jc);
	assert_string_equal(jc.head, f->r[2].hash);
	/* restored, it verifies with the known answers */
	memcpy(f->r, saved, sizeof saved);
	write_rows(f, f->db, 0);
	must_pass(f, &jc);
	assert_string_equal(jc.head, H3);
}

/* An edit in the legacy segment, re-hashed through it with SHA-256 (which
 * anyone can do), breaks the first keyed entry: the keyed part is
 * anchored to the legacy one. */
static void
test_legacy_edit_breaks_keyed_anchor(void **state)
{
	struct fx *f = *state;
	char *cause;

	legacy_store(f);
	snprintf(f->r[1].data, sizeof f->r[1].data, "{\"discount_fen\":3000}");
	rechain(f, 1, PLAIN);            /* legacy 2, and on, with SHA */
	write_rows(f, f->db, 1);
	cause = must_fail(f, "legacy edit re-hashed through the keyed part");
	assert_non_null(strstr(cause, "entry 3"));
	free(cause);
}

/* The keyed part cannot be cut off: its entries deleted (the head
 * rewritten), its start moved past them, or every entry deleted. */
static void
test_keyed_part_cannot_be_cut(void **state)
{
	struct fx *f = *state;
	char *cause;

	legacy_store(f);
	sql(f->db, "DELETE FROM journal WHERE seq >= 3; UPDATE meta SET value "
	    "= '2:" L2 "' WHERE key = 'journal_head';");
	cause = must_fail(f, "keyed entries deleted, head rewritten");
	assert_non_null(strstr(cause, "cut off"));
	free(cause);
	/* ... and the start moved past the end */
	sql(f->db, "UPDATE meta SET value = '3' WHERE key = '"
	    STORE_META_KEYED_FROM "'; DELETE FROM journal;"
	    "DELETE FROM meta WHERE key = 'journal_head';");
	cause = must_fail(f, "every entry deleted");
	assert_non_null(strstr(cause, "keyed entries were deleted"));
	free(cause);
	sql(f->db, "UPDATE meta SET value = '1' WHERE key = '"
	    STORE_META_KEYED_FROM "';");
	cause = must_fail(f, "every entry deleted, start reset");
	assert_non_null(strstr(cause, "cut off"));
	free(cause);
}

/* The start of the keyed part moved one entry later, that entry (the
 * journal_keyed one) re-hashed with SHA-256 as a legacy one. */
static void
test_keyed_start_cannot_move(void **state)
{
	struct fx *f = *state;
	char *cause;

	legacy_store(f);
	rechain(f, 2, PLAIN);
	write_rows(f, f->db, 2);
	sql(f->db, "UPDATE meta SET value = '4' WHERE key = '"
	    STORE_META_KEYED_FROM "';");
	cause = must_fail(f, "keyed start moved");
	assert_non_null(strstr(cause, "entry 4"));
	free(cause);
}

/* A lost key: verify names it, and no start makes a new one over the
 * keyed journal; a key file others can read is refused. */
static void
test_lost_or_open_key(void **state)
{
	struct fx *f = *state;
	char *cause = NULL;

	keyed_store(f);
	assert_int_equal(unlink(f->key), 0);
	cause = must_fail(f, "key file lost");
	assert_non_null(strstr(cause, JOURNAL_KEY_FILE));
	assert_non_null(strstr(cause, "restore"));
	free(cause);
	reopen(f);
	assert_int_equal(journal_key_open(f->st, T1, 1, &cause),
	    QUAN_ENOTFOUND);
	assert_non_null(strstr(cause, "will not make a new key"));
	free(cause);
	assert_int_not_equal(access(f->key, F_OK), 0);
	/* the appends of any other path refuse as well */
	{
		json_t *d = json_object();

		assert_int_equal(store_begin(f->st), 0);
		assert_int_not_equal(journal_append(f->st, T1, "x", 0, 0, d),
		    0);
		store_rollback(f->st);
		json_decref(d);
	}
	assert_int_not_equal(access(f->key, F_OK), 0);
	/* restored, but readable by others: refused with the chmod */
	put_file(f->key, KEY_HEX "\n", 0644);
	reopen(f);
	assert_int_not_equal(journal_key_open(f->st, T1, 1, &cause), 0);
	assert_non_null(strstr(cause, "chmod 600"));
	free(cause);
	assert_int_equal(chmod(f->key, 0600), 0);
	reopen(f);
	assert_int_equal(journal_key_open(f->st, T1, 1, &cause), 0);
}

/* The archive cut: the keyed chain verifies across live and the archive
 * file; an entry edited at the cut (the last one moved, re-hashed) or the
 * live start re-chained is found. */
static void
test_keyed_chain_across_archive_cut(void **state)
{
	struct fx *f = *state;
	struct archive_opts o;
	struct archive_result r;
	struct journal_check jc;
	struct store *a = NULL;
	char *cause = NULL, adir[128], arc[600];
	const char *name;
	size_t i;

	keyed_store(f);
	for (i = 0; i < 4; i++)
		append(f, T1 + 100 + (int64_t)i, "close", 8 + (int64_t)i, 0,
		    "{}");
	memset(&o, 0, sizeof o);
	snprintf(adir, sizeof adir, "%s/archive", f->dir);
	o.dir = adir;
	o.now = T1 + 400 * 86400LL;
	o.before = T1 + 200 * 86400LL;
	if (archive_run(f->st, &o, &r, &cause) != 0)
		fail_msg("archive: %s", cause);
	assert_true(r.journal >= 5);
	snprintf(arc, sizeof arc, "%s", r.file);
	name = arc;
	assert_int_equal(store_open(arc, STORE_O_READONLY, &a, &cause), 0);
	reopen(f);
	if (journal_check(f->st, &a, &name, 1, &jc, &cause) != 0)
		fail_msg("%s", cause);
	assert_int_equal(jc.keyed_first, 1);
	assert_int_equal(jc.legacy_first, 0);
	store_close(a);
	/* the last entry moved, edited and re-hashed (SHA-256) */
	load_rows(f);
	{
		struct fx g;

		memset(&g, 0, sizeof g);
		assert_int_equal(store_open(arc, 0, &a, &cause), 0);
		assert_int_equal(store_journal_walk(a, row_cb, &g), 0);
		store_close(a);
		snprintf(g.r[g.n - 1].data, 256, "{\"edited\":1}");
		forge_hash(PLAIN, &g.r[g.n - 1], g.r[g.n - 1].hash);
		sql(arc, "UPDATE journal SET data = '%s', hash = '%s' WHERE "
		    "seq = %" PRId64 ";", g.r[g.n - 1].data,
		    g.r[g.n - 1].hash, g.r[g.n - 1].seq);
		assert_int_equal(store_open(arc, STORE_O_READONLY, &a,
		    &cause), 0);
		assert_int_not_equal(journal_check(f->st, &a, &name, 1, &jc,
		    &cause), 0);
		free(cause);
		store_close(a);
	}
	/* the live start re-chained to another head with a wrong key */
	rechain(f, 0, WRONG_KEY);
	write_rows(f, f->db, 0);
	free(must_fail(f, "live start re-chained"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_known_answers_keyed,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_known_answers_legacy_then_keyed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_splice_fails, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_legacy_edit_breaks_keyed_anchor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keyed_part_cannot_be_cut,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_keyed_start_cannot_move,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_lost_or_open_key, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_keyed_chain_across_archive_cut, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
