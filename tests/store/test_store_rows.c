/*
 * test_store_rows.c — the store's rows read back as written: meta and
 * sequences, a sale and its redemptions (one live redemption per code
 * whatever the order of the writes, counts per state with a voided card
 * apart, offline figures), cached definitions and codes (a code listed
 * again keeps its state), journal rows in order, and a transaction rolled
 * back leaves nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "store_fixture.h"
#include "util/err.h"

static void
meta_and_sequences(void **state)
{
	struct fx *f = *state;
	char v[32];
	int64_t a = 0, b = 0, c = 0;

	assert_int_equal(store_meta_get(f->st, "k", v, sizeof v),
	    QUAN_ENOTFOUND);
	assert_int_equal(store_meta_set(f->st, "k", "one"), 0);
	assert_int_equal(store_meta_set(f->st, "k", "two"), 0);
	assert_int_equal(store_meta_get(f->st, "k", v, sizeof v), 0);
	assert_string_equal(v, "two");
	assert_int_equal(store_seq_next(f->st, "z", &a), 0);
	assert_int_equal(store_seq_next(f->st, "z", &b), 0);
	assert_int_equal(store_seq_next(f->st, "other", &c), 0);
	assert_int_equal(a, 1);
	assert_int_equal(b, 2);
	assert_int_equal(c, 1);
}

static void
a_sale_reads_back_as_written(void **state)
{
	struct fx *f = *state;
	struct store_txn x, y;
	struct store_red r, g;
	int64_t id = fx_txn(f->st, "open", 1000), ids[4];
	int n = 0;

	assert_true(id > 0);
	assert_int_equal(store_txn_get(f->st, id, &x), 0);
	assert_int_equal(x.state, TXN_OPEN);
	assert_string_equal(x.cashier, "1001");
	assert_int_equal(store_txn_list_open(f->st, 2000, ids, 4, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ids[0], id);
	assert_int_equal(store_txn_list_open(f->st, 1000, ids, 4, &n), 0);
	assert_int_equal(n, 0);
	x.discount_fen = 500;
	x.due_fen = 9500;
	x.state = TXN_CLOSED;
	x.closed_at = 1010;
	assert_int_equal(store_txn_update(f->st, &x), 0);
	assert_int_equal(store_txn_get(f->st, id, &y), 0);
	assert_int_equal(y.due_fen, 9500);
	assert_int_equal(y.state, TXN_CLOSED);
	assert_int_equal(y.closed_at, 1010);
	assert_int_equal(store_txn_get(f->st, id + 1, &y), QUAN_ENOTFOUND);

	assert_int_equal(fx_red(f->st, id, 0, "R1", "pending", "T1", 1000,
	    &r), 0);
	r.state = CHECKOUT_CONFIRMED;
	snprintf(r.wx_code, sizeof r.wx_code, "OK");
	snprintf(r.return_key, sizeof r.return_key, "T1-R");
	r.updated_at = 1005;
	assert_int_equal(store_red_update(f->st, &r), 0);
	assert_int_equal(store_red_set_def(f->st, r.id, NULL, "CASH"), 0);
	assert_int_equal(store_red_get(f->st, r.id, &g), 0);
	assert_int_equal(g.state, CHECKOUT_CONFIRMED);
	assert_string_equal(g.wx_code, "OK");
	assert_string_equal(g.return_key, "T1-R");
	assert_string_equal(g.target, "1212");
	assert_string_equal(g.coupon_type, "CASH");
	assert_int_equal(g.use_time, 1000);
	assert_int_equal(g.updated_at, 1005);
}

static void
one_live_redemption_per_code(void **state)
{
	struct fx *f = *state;
	struct store_red r;
	int64_t a = fx_txn(f->st, "closed", 100);
	int64_t b = fx_txn(f->st, "closed", 200), at = -1;

	assert_int_equal(store_red_code_active(f->st, "L1"), 0);
	assert_int_equal(store_red_used_at(f->st, "L1", &at), 0);
	assert_int_equal(at, 0);
	/* rejected rows are not live: any number of them */
	assert_int_equal(fx_red(f->st, a, 0, "L1", "rejected", "", 100, NULL),
	    0);
	assert_int_equal(fx_red(f->st, a, 1, "L1", "rejected", "", 101, NULL),
	    0);
	assert_int_equal(store_red_code_active(f->st, "L1"), 0);
	assert_int_equal(fx_red(f->st, a, 2, "L1", "accepted_offline", "T2",
	    120, &r), 0);
	assert_int_equal(store_red_code_active(f->st, "L1"), 1);
	assert_int_equal(store_red_used_at(f->st, "L1", &at), 0);
	assert_int_equal(at, 120);
	/* a second live row is refused, inserted or updated into */
	assert_int_equal(fx_red(f->st, b, 0, "L1", "pending", "T3", 200,
	    NULL), QUAN_EEXIST);
	assert_int_equal(fx_red(f->st, b, 0, "L1", "rejected", "", 200, &r),
	    0);
	r.state = CHECKOUT_CONFIRMED;
	assert_int_equal(store_red_update(f->st, &r), QUAN_EEXIST);
	/* returned: the code is free again */
	assert_int_equal(fx_red(f->st, b, 1, "L2", "returned", "T4", 200,
	    NULL), 0);
	assert_int_equal(store_red_code_active(f->st, "L2"), 0);
}

struct counts {
	int64_t n[8], fen[8];
	char st[8][32];
	int k;
};

static int
count_cb(void *arg, enum checkout_cstate state, int kept, int64_t n,
    int64_t fen)
{
	struct counts *c = arg;

	if (c->k < 8) {
		/* the kept group is a confirmed row's, named apart */
		if (kept)
			assert_int_equal(state, CHECKOUT_CONFIRMED);
		snprintf(c->st[c->k], sizeof c->st[c->k], "%s", kept ?
		    "voided_not_returnable" : checkout_cstate_name(state));
		c->n[c->k] = n;
		c->fen[c->k++] = fen;
	}
	return 0;
}

static void
counts_per_state_keep_a_voided_card_apart(void **state)
{
	struct fx *f = *state;
	struct store_red r;
	int64_t t = fx_txn(f->st, "closed", 100), cnt = -1, expo = -1;
	struct counts c = { .k = 0 };

	assert_int_equal(fx_red(f->st, t, 0, "S1", "confirmed", "U1", 100,
	    NULL), 0);
	assert_int_equal(fx_red(f->st, t, 1, "S2", "confirmed", "U2", 100,
	    &r), 0);
	snprintf(r.reason, sizeof r.reason, "voided_not_returnable");
	assert_int_equal(store_red_update(f->st, &r), 0);
	assert_int_equal(fx_red(f->st, t, 2, "S3", "accepted_offline", "U3",
	    100, &r), 0);
	r.offline_at = 150;
	assert_int_equal(store_red_update(f->st, &r), 0);
	assert_int_equal(fx_red(f->st, t, 3, "S4", "confirmed", "U4", 300,
	    NULL), 0); /* outside the period */
	assert_int_equal(store_red_counts(f->st, 0, 200, count_cb, &c), 0);
	assert_int_equal(c.k, 3);
	assert_string_equal(c.st[0], "accepted_offline");
	assert_int_equal(c.n[0], 1);
	assert_string_equal(c.st[1], "confirmed");
	assert_int_equal(c.n[1], 1);
	assert_int_equal(c.fen[1], 500);
	assert_string_equal(c.st[2], "voided_not_returnable");
	assert_int_equal(c.n[2], 1);
	assert_int_equal(store_offline_stats(f->st, 100, &cnt, &expo), 0);
	assert_int_equal(cnt, 1);
	assert_int_equal(expo, 500);
	assert_int_equal(store_offline_stats(f->st, 151, &cnt, &expo), 0);
	assert_int_equal(cnt, 0);
	assert_int_equal(expo, 500);
}

static void
definitions_and_codes(void **state)
{
	struct fx *f = *state;
	struct store_def d;
	struct store_code c;
	struct store_cache_stats cs;
	char *raw = NULL;
	int64_t at = 0, os = -1, oc = -1;

	memset(&d, 0, sizeof d);
	snprintf(d.id, sizeof d.id, "1212");
	d.raw = "{\"stock_id\":\"1212\"}";
	snprintf(d.type, sizeof d.type, "NORMAL");
	snprintf(d.state, sizeof d.state, "RUNNING");
	snprintf(d.name, sizeof d.name, "十元券");
	d.fetched_at = 50;
	assert_int_equal(store_stock_put(f->st, &d), 0);
	d.fetched_at = 60; /* fetched again: replaced */
	assert_int_equal(store_stock_put(f->st, &d), 0);
	assert_int_equal(store_stock_get(f->st, "1212", &raw, &at), 0);
	assert_string_equal(raw, "{\"stock_id\":\"1212\"}");
	assert_int_equal(at, 60);
	free(raw);
	assert_int_equal(store_card_get(f->st, "1212", &raw, &at),
	    QUAN_ENOTFOUND);
	snprintf(d.id, sizeof d.id, "pCard");
	d.fetched_at = 40;
	assert_int_equal(store_card_put(f->st, &d), 0);
	assert_int_equal(store_def_oldest(f->st, &os, &oc), 0);
	assert_int_equal(os, 60);
	assert_int_equal(oc, 40);

	assert_int_equal(store_code_put_v(f->st, "C9", STORE_MERCHANT, "1212",
	    NULL, "oid", 70), 0);
	assert_int_equal(store_code_set_state(f->st, "C9", STORE_MERCHANT,
	    "used"), 0);
	/* listed again (a new import): the state stays, the stock follows */
	assert_int_equal(store_code_put_v(f->st, "C9", STORE_MERCHANT, "1313",
	    "issued", "", 0), 0);
	assert_int_equal(store_code_get(f->st, "C9", &c), 0);
	assert_string_equal(c.state, "used");
	assert_string_equal(c.target, "1313");
	assert_string_equal(c.openid, "oid");
	assert_int_equal(c.received_at, 70);
	assert_int_equal(store_code_get(f->st, "C0", &c), QUAN_ENOTFOUND);
	assert_int_equal(store_cache_stats(f->st, &cs), 0);
	assert_int_equal(cs.stocks, 1);
	assert_int_equal(cs.cards, 1);
	assert_int_equal(cs.codes, 1);
}

struct jseen {
	int64_t seq[4];
	char kind[4][32];
	int n;
};

static int
j_cb(void *arg, const struct store_jrow *j)
{
	struct jseen *s = arg;

	if (s->n < 4) {
		s->seq[s->n] = j->seq;
		snprintf(s->kind[s->n++], 32, "%s", j->kind);
	}
	return 0;
}

static void
journal_rows_in_order(void **state)
{
	struct fx *f = *state;
	struct store_jrow j;
	struct jseen s = { .n = 0 };
	char hash[65];
	int64_t seq = -1;

	assert_int_equal(store_journal_last(f->st, &seq, hash), 0);
	assert_int_equal(seq, 0);
	assert_string_equal(hash, "");
	memset(&j, 0, sizeof j);
	j.data = "{}";
	for (j.seq = 1; j.seq <= 3; j.seq++) {
		j.at = 100 * j.seq;
		snprintf(j.kind, sizeof j.kind, "%s",
		    j.seq == 2 ? "void" : "redeem");
		snprintf(j.hash, sizeof j.hash, "%064lld", (long long)j.seq);
		assert_int_equal(store_journal_insert(f->st, &j), 0);
	}
	/* a seq is written once */
	j.seq = 2;
	assert_int_equal(store_journal_insert(f->st, &j), QUAN_EEXIST);
	assert_int_equal(store_journal_last(f->st, &seq, hash), 0);
	assert_int_equal(seq, 3);
	assert_string_equal(hash, "0000000000000000000000000000000000000000"
	    "000000000000000000000003");
	assert_int_equal(store_journal_walk(f->st, j_cb, &s), 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.seq[2], 3);
	s.n = 0;
	assert_int_equal(store_journal_kind(f->st, "void", 0, j_cb, &s), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.seq[0], 2);
}

static void
rollback_leaves_nothing(void **state)
{
	struct fx *f = *state;
	char v[8];
	struct store_txn x;

	assert_int_equal(store_begin(f->st), 0);
	assert_int_equal(store_meta_set(f->st, "gone", "1"), 0);
	assert_true(fx_txn(f->st, "open", 1) > 0);
	store_rollback(f->st);
	assert_int_equal(store_meta_get(f->st, "gone", v, sizeof v),
	    QUAN_ENOTFOUND);
	assert_int_equal(store_txn_get(f->st, 1, &x), QUAN_ENOTFOUND);
	assert_int_equal(store_begin(f->st), 0);
	assert_int_equal(store_meta_set(f->st, "kept", "1"), 0);
	assert_int_equal(store_commit(f->st), 0);
	assert_int_equal(store_meta_get(f->st, "kept", v, sizeof v), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(meta_and_sequences, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(a_sale_reads_back_as_written,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(one_live_redemption_per_code,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
		    counts_per_state_keep_a_voided_card_apart, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(definitions_and_codes,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(journal_rows_in_order,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(rollback_leaves_nothing,
		    fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
