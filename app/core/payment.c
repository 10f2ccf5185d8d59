/*
 * payment.c — a sale's payment driven by its owner's loop (payment.h):
 * the rows, the machine per payment, the requests posted as sync jobs and
 * the answers applied inside settle's drain.
 */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/checkout.h"
#include "core/coupon.h"
#include "core/evq.h"
#include "core/journal.h"
#include "core/payment.h"
#include "core/settle.h"
#include "core/syncmsg.h"
#include "crypto/crypto.h"
#include "store/store.h"
#include "store/store_pay.h"
#include "util/config.h"
#include "util/err.h"
#include "util/log.h"
#include "util/tm.h"
#include "util/xmem.h"

#include "core/payment_int.h"

const char *
payment_tender_name(enum payment_tender t)
{
	switch (t) {
	case PAYMENT_T_WECHAT:
		return "wechat";
	case PAYMENT_T_CASH:
		return "cash";
	case PAYMENT_T_OTHER:
		return "other";
	case PAYMENT_T_NONE:
		break;
	}
	return "none";
}

static enum payment_tender
tender_parse(const char *s)
{
	if (strcmp(s, "wechat") == 0)
		return PAYMENT_T_WECHAT;
	if (strcmp(s, "cash") == 0)
		return PAYMENT_T_CASH;
	if (strcmp(s, "other") == 0)
		return PAYMENT_T_OTHER;
	return PAYMENT_T_NONE;
}

static const char *const phase_names[] = {
	[PAY_PH_PAY] = "pay", [PAY_PH_QUERY] = "query",
	[PAY_PH_CONFIRM] = "confirm", [PAY_PH_REVERSE] = "reverse",
	[PAY_PH_DONE] = "done"
};

enum pay_phase
payment_phase_parse(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof phase_names / sizeof phase_names[0]; i++)
		if (strcmp(s, phase_names[i]) == 0)
			return (enum pay_phase)i;
	return PAY_PH_QUERY;
}

static enum pay_outcome
outcome_parse(const char *s)
{
	return pay_outcome_parse(s);
}

static const char *
outcome_store(enum pay_outcome o)
{
	return o == PAY_PENDING ? "pending" : pay_outcome_name(o);
}

static int settle_pay(void *arg, const struct sync_result *r, int64_t now);
static int close_paid(struct store *st, int64_t txn_id, int64_t now);

struct payment *
payment_new(struct checkout *co, struct store *st, const struct config *cfg,
    struct settle *se)
{
	struct payment *pm = xcalloc(1, sizeof *pm);

	pm->co = co;
	pm->st = st;
	pm->cfg = cfg;
	pm->se = se;
	pay_params_default(&pm->params);
	pm->params.deadline_ms = (int64_t)cfg->pay_deadline_s * 1000;
	pm->params.query_interval_ms = cfg->pay_query_interval_ms;
	if (se != NULL)
		settle_set_pay(se, settle_pay, pm);
	return pm;
}

static void
entry_free(struct entry *e)
{
	if (e == NULL)
		return;
	memset(e->auth_code, 0, sizeof e->auth_code);
	free(e);
}

void
payment_free(struct payment *pm)
{
	int i;

	if (pm == NULL)
		return;
	if (pm->se != NULL)
		settle_set_pay(pm->se, NULL, NULL);
	for (i = 0; i < pm->n; i++)
		entry_free(pm->e[i]);
	free(pm);
}

struct entry *
payment_find(const struct payment *pm, int64_t id)
{
	int i;

	for (i = 0; i < pm->n; i++)
		if (pm->e[i]->id == id)
			return pm->e[i];
	return NULL;
}

static void
drop(struct payment *pm, int64_t id)
{
	int i;

	for (i = 0; i < pm->n; i++)
		if (pm->e[i]->id == id) {
			entry_free(pm->e[i]);
			pm->e[i] = pm->e[--pm->n];
			return;
		}
}

/* The journal entry of a payment's final state (inside a transaction). */
static int
journal_final(struct store *st, const struct store_pay *p, int64_t now)
{
	json_t *d = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:s, s:s}",
	    "out_trade_no", p->out_trade_no, "tender", p->tender,
	    "state", p->state, "amount_fen", (json_int_t)p->amount_fen,
	    "payer_fen", (json_int_t)p->payer_fen,
	    "voucher_fen", (json_int_t)p->voucher_fen,
	    "transaction_id", p->transaction_id, "reason", p->reason);
	int rc;

	if (p->tender[0] == 'c')
		json_object_set_new(d, "change_fen",
		    json_integer(p->change_fen));
	if (p->reference[0] != '\0')
		json_object_set_new(d, "reference",
		    json_string(p->reference));
	rc = journal_append(st, now, "payment", p->txn_id, 0, d);
	json_decref(d);
	return rc;
}

/* A new row for txn_id: the invariant (one live payment) is the
 * store's. */
static int
new_row(struct payment *pm, struct store_pay *p, int64_t txn_id,
    int64_t amount_fen, const char *tender)
{
	int64_t seq;
	int rc;

	memset(p, 0, sizeof *p);
	if ((rc = store_seq_next(pm->st, "request_no", &seq)) != 0)
		return rc;
	/* the redemption keys' style: terminal id + tag + sequence */
	snprintf(p->out_trade_no, sizeof p->out_trade_no, "%sP%012" PRId64,
	    pm->cfg->term_id, seq);
	if (!pay_out_trade_no_ok(p->out_trade_no))
		return QUAN_ECONFIG;
	p->txn_id = txn_id;
	snprintf(p->tender, sizeof p->tender, "%s", tender);
	snprintf(p->state, sizeof p->state, "pending");
	snprintf(p->phase, sizeof p->phase, "pay");
	p->amount_fen = amount_fen;
	p->settlement_fen = amount_fen;
	p->t0_ms = tm_now_ms();
	p->created_at = p->updated_at = tm_now();
	p->owner = (int64_t)getpid();
	return QUAN_OK;
}

/* The sale must be redeemed (not closed, not voided) and owe amount. */
static int
check_txn(struct payment *pm, int64_t txn_id, int64_t amount_fen)
{
	struct store_txn t;
	int rc;

	if ((rc = store_txn_get(pm->st, txn_id, &t)) != 0)
		return rc;
	if (t.state != TXN_REDEEMED ||
	    amount_fen != t.due_fen)
		return QUAN_EINVAL;
	return QUAN_OK;
}

/* Commit a final row at once (cash, other). */
static int
instant(struct payment *pm, struct store_pay *p, int64_t *id)
{
	int rc;

	snprintf(p->state, sizeof p->state, "paid");
	snprintf(p->phase, sizeof p->phase, "done");
	p->payer_fen = p->amount_fen;
	/* paid: the sale is closed and its card coupons' consumes
	 * released in the same commit */
	if ((rc = store_pay_insert(pm->st, p)) != 0 ||
	    (rc = journal_final(pm->st, p, p->created_at)) != 0 ||
	    (rc = close_paid(pm->st, p->txn_id, p->created_at)) != 0)
		return rc;
	*id = p->id;
	return QUAN_OK;
}

static int
begin_new(struct payment *pm, struct store_pay *p, int64_t txn_id,
    int64_t amount_fen, const char *tender)
{
	int rc;

	if (amount_fen < 1)
		return QUAN_EINVAL;
	if ((rc = store_begin(pm->st)) != 0)
		return rc;
	if ((rc = check_txn(pm, txn_id, amount_fen)) != 0 ||
	    (rc = new_row(pm, p, txn_id, amount_fen, tender)) != 0) {
		store_rollback(pm->st);
		return rc;
	}
	return QUAN_OK;
}

static int
end_new(struct payment *pm, int rc)
{
	if (rc == 0 && (rc = store_commit(pm->st)) == 0)
		return QUAN_OK;
	store_rollback(pm->st);
	return rc;
}

int
payment_cash(struct payment *pm, int64_t txn_id, int64_t amount_fen,
    int64_t tendered_fen, int64_t *id)
{
	struct store_pay p;
	int rc;

	if (tendered_fen < amount_fen)
		return QUAN_EINVAL;
	if ((rc = begin_new(pm, &p, txn_id, amount_fen, "cash")) != 0)
		return rc;
	p.tendered_fen = tendered_fen;
	p.change_fen = tendered_fen - amount_fen;
	return end_new(pm, instant(pm, &p, id));
}

int
payment_other(struct payment *pm, int64_t txn_id, int64_t amount_fen,
    const char *reference, int64_t *id)
{
	struct store_pay p;
	size_t i, n = reference != NULL ? strlen(reference) : 0;
	int rc;

	if (n < 1 || n >= sizeof p.reference)
		return QUAN_EINVAL;
	for (i = 0; i < n; i++)
		if ((unsigned char)reference[i] < 0x20 || reference[i] == 0x7f)
			return QUAN_EINVAL;
	if ((rc = begin_new(pm, &p, txn_id, amount_fen, "other")) != 0)
		return rc;
	snprintf(p.reference, sizeof p.reference, "%s", reference);
	return end_new(pm, instant(pm, &p, id));
}

static void
auth_hash(const char *code, char out[17])
{
	uint8_t h[CRYPTO_SHA256_LEN];
	char hex[2 * CRYPTO_SHA256_LEN + 1];

	crypto_sha256(code, strlen(code), h);
	crypto_hex(h, sizeof h, hex);
	snprintf(out, 17, "%.16s", hex);
}

int
payment_charge(struct payment *pm, int64_t txn_id, int64_t amount_fen,
    const char *auth_code, int64_t *id)
{
	struct store_pay p;
	struct entry *e;
	size_t n = auth_code != NULL ? strlen(auth_code) : 0;
	int rc;

	if (pm->se == NULL)
		return QUAN_ENET;
	if (n < 1 || n >= sizeof e->auth_code)
		return QUAN_EINVAL;
	if (pm->n >= PAYMENTS_MAX)
		return QUAN_EBUSY;
	if ((rc = begin_new(pm, &p, txn_id, amount_fen, "wechat")) != 0)
		return rc;
	auth_hash(auth_code, p.auth_hash);
	if ((rc = end_new(pm, store_pay_insert(pm->st, &p))) != 0)
		return rc;
	e = xcalloc(1, sizeof *e);
	e->id = p.id;
	e->row = p;
	snprintf(e->auth_code, sizeof e->auth_code, "%s", auth_code);
	pay_machine_start(&e->m, p.t0_ms);
	pm->e[pm->n++] = e;
	*id = p.id;
	return QUAN_OK;
}

/* ---- answers (inside settle's drain transaction) ---------------------- */

static enum pay_op
op_of(int sync_op)
{
	switch (sync_op) {
	case SYNC_OP_PAY:
		return PAY_OP_PAY;
	case SYNC_OP_PAY_QUERY:
		return PAY_OP_QUERY;
	case SYNC_OP_PAY_REVERSE:
		return PAY_OP_REVERSE;
	default:
		return PAY_OP_NONE;
	}
}

/* The answer as the machine reads it. No answer (network, thread
 * stopped, client not configured) is PAY_E_NET: outcome unknown — except
 * a charge whose client does not exist, which cannot have left. */
static void
to_answer(const struct sync_result *r, struct pay_answer *a)
{
	const struct sync_pay *p = &r->pay;
	int i;

	pay_answer_init(a, op_of(r->op));
	a->http = r->http;
	snprintf(a->code, sizeof a->code, "%s", r->wx_code);
	snprintf(a->text, sizeof a->text, "%s", r->message);
	if (r->status == SYNC_RETRY || r->status == SYNC_STOPPED) {
		a->rc = r->rc != 0 ? r->rc : QUAN_ENET;
		a->err = PAY_E_NET;
		if (r->rc == QUAN_ECONFIG && r->op == SYNC_OP_PAY)
			a->err = PAY_E_NOAUTH;
		return;
	}
	a->rc = p->rc;
	a->trusted = p->trusted;
	a->err = (enum pay_err)p->err;
	a->trade = (enum pay_trade)p->trade;
	a->recall = p->recall;
	a->total_fen = p->total_fen;
	a->payer_fen = p->payer_fen;
	a->voucher_fen = p->voucher_fen;
	a->settlement_fen = p->settlement_fen;
	snprintf(a->transaction_id, sizeof a->transaction_id, "%s",
	    p->transaction_id);
	snprintf(a->out_trade_no, sizeof a->out_trade_no, "%s",
	    p->out_trade_no);
	for (i = 0; i < p->nv && i < PAY_VOUCHERS_MAX; i++) {
		snprintf(a->v[i].id, sizeof a->v[i].id, "%s", p->v[i].id);
		snprintf(a->v[i].name, sizeof a->v[i].name, "%s",
		    p->v[i].name);
		a->v[i].type = (enum pay_voucher_type)p->v[i].type;
		a->v[i].single = p->v[i].single;
		a->v[i].amount_fen = p->v[i].amount_fen;
	}
	a->nv = i;
}

/* A paid sale is closed in the same transaction as its answer (what
 * checkout_close_txn does, inside the drain's transaction). */
static int
close_paid(struct store *st, int64_t txn_id, int64_t now)
{
	struct store_txn t;
	int rc;

	if ((rc = store_txn_get(st, txn_id, &t)) != 0)
		return rc;
	if (t.state != TXN_REDEEMED)
		return QUAN_OK;
	t.state = TXN_CLOSED;
	t.closed_at = now;
	if ((rc = store_txn_update(st, &t)) != 0)
		return rc;
	if ((rc = journal_append(st, now, "close", t.id, 0, NULL)) != 0)
		return rc;
	return payment_release_cards(st, t.id, now);
}

int
payment_release_cards(struct store *st, int64_t txn_id, int64_t now)
{
	json_t *d;
	int rc, n = 0;

	if ((rc = store_outbox_release_txn(st, txn_id, now, &n)) != 0 ||
	    n == 0)
		return rc;
	d = json_pack("{s:i}", "cards", n);
	rc = journal_append(st, now, "card_consume_release", txn_id, 0, d);
	json_decref(d);
	return rc;
}

/* The row after the machine moved (phase, state, reason, the paid
 * answer's figures); vouchers and the journal entry when final. */
static int
persist(struct payment *pm, struct entry *e, int64_t now)
{
	struct store_pay *p = &e->row;
	const struct pay_answer *a = &e->m.paid;
	int rc, i;

	snprintf(p->phase, sizeof p->phase, "%s", phase_names[e->m.phase]);
	snprintf(p->state, sizeof p->state, "%s",
	    outcome_store(e->m.outcome));
	snprintf(p->reason, sizeof p->reason, "%s", e->m.err != PAY_E_NONE ?
	    pay_err_name(e->m.err) : "");
	p->reverses = e->m.reverses;
	p->updated_at = now;
	if (e->m.outcome == PAY_PAID) {
		snprintf(p->transaction_id, sizeof p->transaction_id, "%s",
		    a->transaction_id);
		p->payer_fen = a->payer_fen >= 0 ? a->payer_fen :
		    p->amount_fen - a->voucher_fen;
		p->voucher_fen = a->voucher_fen > 0 ? a->voucher_fen : 0;
		p->settlement_fen = a->settlement_fen >= 0 ?
		    a->settlement_fen : p->amount_fen;
		e->nv = a->nv < PAYMENT_VOUCHERS_MAX ? a->nv :
		    PAYMENT_VOUCHERS_MAX;
		for (i = 0; i < e->nv; i++) {
			struct store_pay_voucher *v = &e->v[i];

			memset(v, 0, sizeof *v);
			v->idx = i;
			snprintf(v->id, sizeof v->id, "%s", a->v[i].id);
			snprintf(v->name, sizeof v->name, "%s", a->v[i].name);
			snprintf(v->type, sizeof v->type, "%s",
			    a->v[i].type == PAY_VT_NOCASH ? "nocash" :
			    "prefunded");
			snprintf(v->stock_id, sizeof v->stock_id, "%s",
			    a->v[i].stock_id);
			v->amount_fen = a->v[i].amount_fen;
		}
		if ((rc = store_pay_vouchers_put(pm->st, e->id, e->v,
		    e->nv)) != 0)
			return rc;
	}
	if ((rc = store_pay_update(pm->st, p)) != 0)
		return rc;
	if (e->m.outcome == PAY_PENDING)
		return QUAN_OK;
	if ((rc = journal_final(pm->st, p, now)) != 0)
		return rc;
	return e->m.outcome == PAY_PAID ? close_paid(pm->st, p->txn_id, now) :
	    QUAN_OK;
}

static int
settle_pay(void *arg, const struct sync_result *r, int64_t now)
{
	struct payment *pm = arg;
	struct entry *e = payment_find(pm, r->tag);
	struct pay_answer a;
	enum pay_outcome before;

	if (e == NULL || !e->out || op_of(r->op) != e->out_op)
		return QUAN_OK; /* late, or another process's */
	e->out = 0;
	e->net_ms += r->latency_ms;
	to_answer(r, &a);
	if (a.err == PAY_E_USERPAYING || a.trade == PAY_TS_USERPAYING)
		e->userpaying = 1;
	if (a.rc == 0 && a.trusted && a.trade == PAY_TS_SUCCESS &&
	    a.total_fen >= 0 && a.total_fen != e->row.amount_fen)
		log_warn("payment %s: WeChat's total %" PRId64 " differs "
		    "from the %" PRId64 " asked", e->row.out_trade_no,
		    a.total_fen, e->row.amount_fen);
	before = e->m.outcome;
	(void)pay_machine_feed(&e->m, &pm->params, &a, tm_now_ms());
	if (e->m.outcome != PAY_PENDING && before == PAY_PENDING)
		pm->newly_final = 1;
	log_info("payment %s: %s answered %s%s -> %s", e->row.out_trade_no,
	    a.op == PAY_OP_PAY ? "charge" : a.op == PAY_OP_QUERY ? "query" :
	    "reverse", a.err != PAY_E_NONE ? pay_err_name(a.err) :
	    pay_trade_name(a.trade), a.trusted ? "" : " (untrusted)",
	    pay_outcome_name(e->m.outcome));
	return persist(pm, e, now);
}

/* ---- requests --------------------------------------------------------- */

static int
post(struct payment *pm, struct entry *e, int64_t now_ms)
{
	struct sync_job j;
	int rc;

	memset(&j, 0, sizeof j);
	j.tag = e->id;
	j.flags = SYNC_F_ONCE | SYNC_F_ONLINE;
	j.op = e->m.next_op == PAY_OP_PAY ? SYNC_OP_PAY :
	    e->m.next_op == PAY_OP_QUERY ? SYNC_OP_PAY_QUERY :
	    SYNC_OP_PAY_REVERSE;
	snprintf(j.code, sizeof j.code, "%s", e->row.out_trade_no);
	snprintf(j.request_no, sizeof j.request_no, "%s",
	    e->row.out_trade_no);
	if (j.op == SYNC_OP_PAY) {
		if (e->auth_code[0] == '\0') {
			/* a charge is never re-sent without its code:
			 * query instead (adopted payments start there) */
			e->m.phase = PAY_PH_QUERY;
			e->m.next_op = PAY_OP_QUERY;
			j.op = SYNC_OP_PAY_QUERY;
		} else {
			j.amount_fen = e->row.amount_fen;
			snprintf(j.auth_code, sizeof j.auth_code, "%s",
			    e->auth_code);
		}
	}
	/* the row (out_trade_no, amount) was committed before the charge;
	 * each answer is persisted when applied, before the request it
	 * leads to: a crash anywhere is settled by `quan sync` with this
	 * out_trade_no. The count and t0 go with the next answer. */
	e->row.requests++;
	e->row.owner = (int64_t)getpid();
	if (j.op == SYNC_OP_PAY)
		e->row.t0_ms = now_ms;
	if ((rc = settle_post(pm->se, &j)) != 0) {
		memset(j.auth_code, 0, sizeof j.auth_code);
		return rc;
	}
	memset(j.auth_code, 0, sizeof j.auth_code);
	if (j.op == SYNC_OP_PAY)
		memset(e->auth_code, 0, sizeof e->auth_code);
	e->out = 1;
	e->out_op = e->m.next_op;
	return QUAN_OK;
}

int
payment_step(struct payment *pm)
{
	int64_t now = tm_now_ms();
	int i, rc, fin;

	for (i = 0; i < pm->n; i++) {
		struct entry *e = pm->e[i];

		if (e->out || e->m.outcome != PAY_PENDING ||
		    e->m.next_op == PAY_OP_NONE || now < e->m.next_at_ms ||
		    pm->se == NULL)
			continue;
		if ((rc = post(pm, e, now)) != 0)
			log_warn("payment %s: request not sent now: %s",
			    e->row.out_trade_no, quan_strerror(rc));
	}
	fin = pm->newly_final;
	pm->newly_final = 0;
	/* what `quan sync` took over is settled here: nobody else will */
	for (i = 0; fin && i < pm->n; i++) {
		struct entry *e = pm->e[i];

		if (!e->adopted || e->m.outcome == PAY_PENDING ||
		    e->m.outcome == PAY_UNKNOWN)
			continue;
		if ((rc = payment_settle_sale(pm, e->id)) != 0)
			log_error("payment %s: settling sale %" PRId64 ": %s",
			    e->row.out_trade_no, e->row.txn_id,
			    quan_strerror(rc));
		else
			i = -1; /* the array changed: from the start */
	}
	return fin;
}

int
payment_timeout_ms(const struct payment *pm)
{
	int64_t now = tm_now_ms(), best = -1, d;
	int i;

	for (i = 0; i < pm->n; i++) {
		const struct entry *e = pm->e[i];

		if (e->m.outcome != PAY_PENDING)
			continue;
		/* an answer awaited: the sync thread's timeouts bound it;
		 * look again each second */
		d = e->out ? 1000 : e->m.next_at_ms - now;
		if (d < 0)
			d = 0;
		if (best < 0 || d < best)
			best = d;
	}
	return best > 60000 ? 60000 : (int)best;
}

int
payment_active(const struct payment *pm)
{
	int i, k = 0;

	for (i = 0; i < pm->n; i++)
		k += pm->e[i]->m.outcome == PAY_PENDING;
	return k;
}

int
payment_cancel(struct payment *pm, int64_t id)
{
	struct entry *e = payment_find(pm, id);

	if (e == NULL || e->m.outcome != PAY_PENDING)
		return QUAN_ENOTFOUND;
	if (e->row.requests == 0 && !e->out && e->m.phase == PAY_PH_PAY) {
		/* the charge never left (use first: a 商品券 refused before
		 * it): failed now, nothing to reverse, nothing to wait for */
		int rc;

		pay_machine_withdraw(&e->m);
		memset(e->auth_code, 0, sizeof e->auth_code);
		if ((rc = store_begin(pm->st)) != 0)
			return rc;
		if ((rc = persist(pm, e, tm_now())) != 0) {
			store_rollback(pm->st);
			return rc;
		}
		if ((rc = store_commit(pm->st)) != 0)
			return rc;
		pm->newly_final = 1;
		return QUAN_OK;
	}
	pay_machine_cancel(&e->m, &pm->params, tm_now_ms());
	/* a charge not sent yet never leaves */
	memset(e->auth_code, 0, sizeof e->auth_code);
	return QUAN_OK;
}

int
payment_query_now(struct payment *pm, int64_t id)
{
	struct entry *e = payment_find(pm, id);

	if (e == NULL || e->m.outcome != PAY_PENDING)
		return QUAN_ENOTFOUND;
	pay_machine_query_now(&e->m, tm_now_ms());
	return QUAN_OK;
}

int
payment_view(struct payment *pm, int64_t id, struct payment_view *out)
{
	struct entry *e = payment_find(pm, id);
	struct store_pay p;
	int rc, i;

	memset(out, 0, sizeof *out);
	if (e != NULL) {
		p = e->row;
	} else if ((rc = store_pay_get(pm->st, id, &p)) != 0) {
		return rc;
	}
	out->id = p.id;
	out->txn_id = p.txn_id;
	out->tender = tender_parse(p.tender);
	out->outcome = outcome_parse(p.state);
	out->phase = payment_phase_parse(p.phase);
	out->err = p.reason[0] ? pay_err_parse(p.reason) : PAY_E_NONE;
	if (out->err == PAY_E_OTHER) {
		/* our own words (net, bad_reply, ...) */
		for (i = PAY_E_NONE; i <= PAY_E_OTHER; i++)
			if (strcmp(pay_err_name((enum pay_err)i),
			    p.reason) == 0)
				out->err = (enum pay_err)i;
	}
	snprintf(out->out_trade_no, sizeof out->out_trade_no, "%s",
	    p.out_trade_no);
	snprintf(out->transaction_id, sizeof out->transaction_id, "%s",
	    p.transaction_id);
	snprintf(out->reference, sizeof out->reference, "%s", p.reference);
	out->amount_fen = p.amount_fen;
	out->payer_fen = p.payer_fen;
	out->voucher_fen = p.voucher_fen;
	out->tendered_fen = p.tendered_fen;
	out->change_fen = p.change_fen;
	out->elapsed_ms = p.t0_ms > 0 && out->outcome == PAY_PENDING ?
	    tm_now_ms() - p.t0_ms : 0;
	if (e != NULL) {
		out->waiting_customer = e->userpaying &&
		    e->m.outcome == PAY_PENDING;
		out->net_ms = e->net_ms;
		out->nv = e->nv;
		memcpy(out->v, e->v, sizeof e->v[0] * (size_t)e->nv);
		return QUAN_OK;
	}
	return store_pay_vouchers_get(pm->st, id, out->v,
	    PAYMENT_VOUCHERS_MAX, &out->nv);
}

int
payment_settle_sale(struct payment *pm, int64_t id)
{
	struct store_pay p;
	struct store_txn t;
	char *cause = NULL;
	int rc;

	if ((rc = store_pay_get(pm->st, id, &p)) != 0)
		return rc;
	if ((rc = store_txn_get(pm->st, p.txn_id, &t)) != 0)
		return rc;
	if (outcome_parse(p.state) == PAY_PAID) {
		/* closed with the answer; the checkout learns it. The card
		 * consumes released with it go out now */
		rc = checkout_close_txn(pm->co, p.txn_id);
		if (rc == 0 && pm->se != NULL && settle_txn_send(pm->se,
		    p.txn_id, 0) != 0)
			log_warn("payment %s: the card consumes go out with "
			    "the next sync", p.out_trade_no);
	} else if (t.state != TXN_REDEEMED) {
		goto done; /* settled already */
	} else if (outcome_parse(p.state) == PAY_FAILED ||
	    outcome_parse(p.state) == PAY_REVERSED) {
		rc = checkout_void(pm->co, p.txn_id, "payment", &cause);
		if (rc == 0 && pm->se != NULL && (rc = settle_txn_send(pm->se,
		    p.txn_id, 0)) != 0)
			log_warn("payment %s: sending the returns: %s",
			    p.out_trade_no, quan_strerror(rc));
		rc = rc == QUAN_OK || pm->se == NULL ? rc : QUAN_OK;
		if (cause != NULL)
			log_warn("payment %s: void: %s", p.out_trade_no,
			    cause);
		free(cause);
	} else {
		return QUAN_OK; /* pending / unknown: not settled here */
	}
	if (rc != 0)
		return rc;
done:
	drop(pm, id);
	return QUAN_OK;
}

