/*
 * bench_sale.c — see bench_sale.h. The history is written with the
 * store's own insert calls and the real journal chain, in transactions of
 * 10,000 sales, so a million sales take a minute or so rather than a
 * million redeems.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/bench_sale.h"
#include "core/checkout.h"
#include "core/redeem.h"
#include "core/journal.h"
#include "core/ledger.h"
#include "core/session.h"
#include "core/wxbody.h"
#include "store/store.h"
#include "util/err.h"
#include "util/tm.h"
#include "util/xmem.h"

#define FILL_TXN 10000

static const char stock_json[] =
    "{\"stock_name\":\"bench sale 10 off\",\"belong_merchant\":"
    "\"1900000001\",\"goods_name\":\"all\",\"stock_type\":\"NORMAL\","
    "\"coupon_use_rule\":{\"coupon_available_time\":{"
    "\"available_begin_time\":\"2020-01-01T00:00:00+08:00\","
    "\"available_end_time\":\"2099-12-31T23:59:59+08:00\"},"
    "\"fixed_normal_coupon\":{\"discount_amount\":1000,"
    "\"transaction_minimum\":1},\"use_method\":\"OFF_LINE\"},"
    "\"stock_send_rule\":{\"max_coupons\":100000000,"
    "\"max_coupons_per_user\":1},\"coupon_code_mode\":\"MERCHANT_UPLOAD\","
    "\"stock_state\":\"RUNNING\",\"stock_id\":\"" BENCH_SALE_STOCK "\"}";

int
bench_sale_stock(struct store *st, int64_t now)
{
	struct store_def d;
	int rc;

	memset(&d, 0, sizeof d);
	snprintf(d.id, sizeof d.id, "%s", BENCH_SALE_STOCK);
	d.raw = stock_json;
	snprintf(d.type, sizeof d.type, "NORMAL");
	snprintf(d.state, sizeof d.state, "RUNNING");
	snprintf(d.name, sizeof d.name, "bench sale 10 off");
	d.fetched_at = now;
	if ((rc = store_begin(st)) != 0)
		return rc;
	if ((rc = store_stock_put(st, &d)) != 0) {
		store_rollback(st);
		return rc;
	}
	return store_commit(st);
}

/* What past sale i was: state of its coupon, reason, journal kind. */
static void
past_kind(int64_t i, enum checkout_cstate *state, const char **reason,
    const char **jkind, int *card, int *voided)
{
	int k = (int)(i % 1000);

	*card = k % 10 == 3;
	*voided = 0;
	*state = CHECKOUT_CONFIRMED;
	*reason = reason_id(REASON_NONE);
	*jkind = "confirm";
	if (k == 998) {
		*state = CHECKOUT_CONFLICT;
		*reason = "used_elsewhere";
		*jkind = "conflict";
	} else if (k % 100 >= 85 && k % 100 < 92) {
		*state = CHECKOUT_REJECTED;
		*reason = "RESOURCE_ALREADY_USED";
		*jkind = "reject";
	} else if (k % 100 >= 92 && k % 100 < 97) {
		*voided = 1;
		*jkind = "returned";
		if (*card) {
			*reason = reason_id(REASON_VOIDED_NOT_RETURNABLE);
			*jkind = "void_card_irreversible";
		} else
			*state = CHECKOUT_RETURNED;
	}
}

static int
past_journal(struct store *st, int64_t t, const char *kind, int64_t txn,
    int64_t red, const char *key, const char *state)
{
	json_t *d = json_pack("{s:s, s:s, s:s, s:I}", "code", "HP****",
	    "key", key, "to", state, "discount_fen", (json_int_t)1000);
	int rc = journal_append(st, t, kind, txn, red, d);

	json_decref(d);
	return rc;
}

/* One past sale at time t. */
static int
past_sale(struct store *st, int64_t i, int64_t t)
{
	struct store_txn x;
	struct store_red r;
	struct store_outbox o;
	enum checkout_cstate cs;
	const char *state, *reason, *jkind;
	char *body;
	int card, voided, rc;

	past_kind(i, &cs, &reason, &jkind, &card, &voided);
	state = checkout_cstate_name(cs);
	memset(&x, 0, sizeof x);
	x.amount_fen = 12000;
	x.discount_fen = cs == CHECKOUT_CONFIRMED && !voided ? 1000 : 0;
	x.due_fen = x.amount_fen - x.discount_fen;
	x.state = voided ? TXN_VOIDED : TXN_CLOSED;
	x.opened_at = t;
	x.closed_at = t + 20;
	snprintf(x.cashier, sizeof x.cashier, "1001");
	if ((rc = store_txn_insert(st, &x)) != 0)
		return rc;
	memset(&r, 0, sizeof r);
	r.txn_id = x.id;
	snprintf(r.code, sizeof r.code, "HP%014" PRId64, i);
	r.kind = card ? STORE_CARD : STORE_MERCHANT;
	snprintf(r.target, sizeof r.target, card ? "pBENCHCARD" :
	    BENCH_SALE_STOCK);
	snprintf(r.coupon_type, sizeof r.coupon_type, card ? "CASH" :
	    "NORMAL");
	snprintf(r.idem_key, sizeof r.idem_key, "T01P%012" PRId64, i);
	if (voided && !card)
		snprintf(r.return_key, sizeof r.return_key, "T01Q%012" PRId64,
		    i);
	r.state = cs;
	snprintf(r.reason, sizeof r.reason, "%s", reason);
	r.discount_fen = cs == CHECKOUT_REJECTED ? 0 : 1000;
	r.use_time = t;
	r.created_at = t;
	r.updated_at = t + 30;
	if ((rc = store_red_insert(st, &r)) != 0)
		return rc;
	memset(&o, 0, sizeof o);
	o.red_id = r.id;
	o.op = card ? STORE_OP_CONSUME : STORE_OP_USE;
	snprintf(o.request_no, sizeof o.request_no, "%s", r.idem_key);
	body = card ? wxbody_consume(r.code, r.target) : wxbody_use(r.code,
	    r.target, "wxbench", t, r.idem_key, NULL);
	snprintf(o.body, sizeof o.body, "%s", body != NULL ? body : "");
	free(body);
	o.next_at = o.created_at = t;
	if ((rc = store_outbox_insert(st, &o)) != 0 ||
	    (rc = store_outbox_close(st, o.id, OUTBOX_DONE, "", t + 1)) != 0)
		return rc;
	if (r.return_key[0] != '\0') {
		o.op = STORE_OP_RETURN;
		snprintf(o.request_no, sizeof o.request_no, "%s",
		    r.return_key);
		if ((rc = store_outbox_insert(st, &o)) != 0 ||
		    (rc = store_outbox_close(st, o.id, OUTBOX_DONE, "",
		    t + 30)) != 0)
			return rc;
	}
	if ((rc = store_code_put_v(st, r.code, r.kind, r.target,
	    cs == CHECKOUT_CONFIRMED ? "used" : "issued", "",
	    t - 86400)) != 0)
		return rc;
	if ((rc = past_journal(st, t, "txn", x.id, 0, "", "open")) != 0 ||
	    (rc = past_journal(st, t, "redeem", x.id, r.id, r.idem_key,
	    "pending")) != 0 ||
	    (rc = past_journal(st, t + 1, jkind, x.id, r.id, r.idem_key,
	    state)) != 0)
		return rc;
	return past_journal(st, t + 20, voided ? "void_txn" : "close", x.id,
	    0, "", txn_state_name(x.state));
}

int
bench_sale_history(struct store *st, int64_t n, int64_t end, char **cause)
{
	int64_t days = n / 1000 > 0 ? n / 1000 : 1, span = days * 86400;
	int64_t i, t0 = end - span;
	int rc = 0;

	*cause = NULL;
	store_set_cache_kb(st, 64 * 1024);
	for (i = 0; i < n && rc == 0; i++) {
		if (i % FILL_TXN == 0 && (rc = store_begin(st)) != 0)
			break;
		rc = past_sale(st, i, t0 + (int64_t)((__int128)span * i / n));
		if (rc == 0 && (i % FILL_TXN == FILL_TXN - 1 || i == n - 1))
			rc = store_commit(st);
	}
	if (rc != 0) {
		*cause = xasprintf("past sale %" PRId64 ": %s", i,
		    store_errmsg(st));
		store_rollback(st);
	}
	store_set_cache_kb(st, 0);
	return rc;
}

int
bench_sale_codes(struct store *st, const char *tag, int n,
    char (*codes)[32], int64_t now)
{
	int i, rc;

	if ((rc = store_begin(st)) != 0)
		return rc;
	for (i = 0; i < n; i++) {
		snprintf(codes[i], 32, "HS%.8s%08d", tag, i);
		if ((rc = store_code_put_v(st, codes[i], STORE_MERCHANT,
		    BENCH_SALE_STOCK, "issued", "", now - 3600)) != 0) {
			store_rollback(st);
			return rc;
		}
	}
	return store_commit(st);
}

static int
row_ids(void *arg, const struct store_outbox *o)
{
	int64_t *ids = arg;

	if (ids[0] < 7)
		ids[++ids[0]] = o->id;
	return 0;
}

/* CPU time of this thread, µs: the sale's own work, without the waits
 * for the disk (fsync) that a shared machine makes noisy. */
static uint64_t
cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

int
bench_sale_run(struct checkout *co, struct redeem *rd, struct store *st,
    char (*codes)[32],
    int n, int settle, uint64_t *lat_us, uint64_t *settle_us,
    uint64_t *cpu, int *granted)
{
	const struct checkout_txn *t;
	int i, k, rc;

	*granted = 0;
	for (i = 0; i < n; i++) {
		uint64_t t0 = tm_mono_us(), c0 = cpu_us();
		int64_t ids[8] = { 0 };

		if ((rc = checkout_open(co, 12000)) != 0 ||
		    (rc = checkout_add(co, codes[i], strlen(codes[i]), -1,
		    NULL)) != 0 || (rc = rd != NULL ? redeem_run(rd) :
		    checkout_redeem(co)) != 0)
			return rc;
		t = checkout_current(co);
		if (t->nlines == 1 && (t->lines[0].state ==
		    CHECKOUT_CONFIRMED || t->lines[0].state ==
		    CHECKOUT_ACCEPTED_OFFLINE))
			(*granted)++;
		if ((rc = checkout_close(co)) != 0)
			return rc;
		lat_us[i] = tm_mono_us() - t0;
		if (cpu != NULL)
			cpu[i] = cpu_us() - c0;
		if (!settle)
			continue;
		t0 = tm_mono_us();
		if ((rc = store_outbox_list_txn(st, t->id, row_ids, ids)) != 0)
			return rc;
		for (k = 1; k <= ids[0]; k++)
			if ((rc = ledger_settle(st, ids[k], CHECKOUT_CONFIRMED, "",
			    NULL, "bench", tm_now())) != 0)
				return rc;
		settle_us[i] = tm_mono_us() - t0;
	}
	return QUAN_OK;
}

int
bench_sale_xreport(const struct config *cfg, struct store *st,
    struct checkout *co, const char *data_dir, int k, uint64_t *us)
{
	struct session_opts so;
	struct session *s = NULL;
	struct ev ev;
	char *cause = NULL;
	int i, rc;

	memset(&so, 0, sizeof so);
	so.cfg = cfg;
	so.data_dir = data_dir;
	so.st = st;
	so.co = co;
	so.autologin = "bench";
	if ((rc = session_new(&s, &so, &cause)) != 0) {
		free(cause);
		return rc;
	}
	memset(&ev, 0, sizeof ev);
	ev.type = EV_KEY;
	for (i = 0; i < k && rc == 0; i++) {
		uint64_t t0 = tm_mono_us();

		ev.u.key.cmd = SC_XREPORT;
		session_dispatch(s, &ev);
		us[i] = tm_mono_us() - t0;
		if (session_view(s)->screen != VIEW_REPORT)
			rc = QUAN_EIO;
		ev.u.key.cmd = SC_CANCEL;
		session_dispatch(s, &ev);
	}
	session_free(s);
	return rc;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

uint64_t
bench_sale_pct(uint64_t *v, int n, int permille)
{
	int i;

	if (n <= 0)
		return 0;
	qsort(v, (size_t)n, sizeof *v, cmp_u64);
	i = (int)((int64_t)n * permille / 1000);
	return v[i < n ? i : n - 1];
}
