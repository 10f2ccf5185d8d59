/*
 * report.c — one definition of each report figure (see report.h).
 */
#include <string.h>

#include <jansson.h>

#include "core/coupon.h"
#include "core/paysm.h"
#include "core/refund.h"
#include "core/report.h"
#include "store/store.h"

enum report_fig
report_fig_of(const char *state, const char *reason)
{
	int cs = checkout_cstate_parse(state);

	if (state != NULL && reason_parse(state) ==
	    REASON_VOIDED_NOT_RETURNABLE)
		return REPORT_KEPT;
	return cs < 0 ? REPORT_OPEN : report_fig(cs, reason);
}

enum report_fig
report_fig(enum checkout_cstate cs, const char *reason)
{
	if (cs == CHECKOUT_CONFIRMED &&
	    reason_parse(reason) == REASON_VOIDED_NOT_RETURNABLE)
		return REPORT_KEPT;
	switch (cs) {
	case CHECKOUT_CONFIRMED:
	case CHECKOUT_ACCEPTED_OFFLINE:
		return REPORT_REDEEMED;
	case CHECKOUT_RETURN_PENDING:
	case CHECKOUT_RETURNED:
		return REPORT_RETURNED;
	case CHECKOUT_REJECTED:
	case CHECKOUT_REFUSED:
		return REPORT_REJECTED;
	case CHECKOUT_CONFLICT:
		return REPORT_CONFLICT;
	default:
		return REPORT_OPEN;
	}
}

const char *
report_fig_id(enum report_fig f)
{
	static const char *const ids[REPORT_FIG_COUNT] = {
		"redeemed", "open", "kept", "returned", "rejected", "conflict"
	};

	return (int)f >= 0 && f < REPORT_FIG_COUNT ? ids[f] : "open";
}

void
report_add(struct report_figs *f, const char *state, const char *reason,
    int64_t n, int64_t fen)
{
	enum report_fig k = report_fig_of(state, reason);

	f->n[k] += n;
	f->fen[k] += fen;
}

const char *
report_group_name(enum checkout_cstate state, int kept)
{
	return kept ? reason_id(REASON_VOIDED_NOT_RETURNABLE) :
	    checkout_cstate_name(state);
}

void
report_add_group(struct report_figs *f, enum checkout_cstate state,
    int kept, int64_t n, int64_t fen)
{
	enum report_fig k = kept ? REPORT_KEPT : report_fig(state, NULL);

	f->n[k] += n;
	f->fen[k] += fen;
}

static int
add_group(void *arg, enum checkout_cstate state, int kept, int64_t n,
    int64_t fen)
{
	report_add_group(arg, state, kept, n, fen);
	return 0;
}

int
report_period(struct store *st, int64_t from, int64_t to,
    struct report_figs *out)
{
	memset(out, 0, sizeof *out);
	return store_red_counts(st, from, to, add_group, out);
}

int
report_payments(struct store *st, int64_t from, int64_t to,
    struct store_pay_sums *out)
{
	return store_pay_sums(st, from, to, out);
}

/* The rules of store_pay_sums, row group by row group: a payment counts
 * once it is paid (by tender; vouchers and the payer's share only there),
 * failed and reversed charges are failures, pending and unknown are still
 * open. */
void
report_pay_add(struct store_pay_sums *o, const char *tender,
    const char *state, int64_t n, int64_t amount_fen, int64_t payer_fen,
    int64_t voucher_fen, int64_t voucher_lines)
{
	enum pay_outcome out = pay_outcome_parse(state);

	if (out == PAY_PAID) {
		o->paid_count += n;
		o->voucher_fen += voucher_fen;
		o->voucher_count += voucher_lines;
		if (strcmp(tender, "wechat") == 0) {
			o->wechat_count += n;
			o->wechat_fen += amount_fen;
			o->payer_fen += payer_fen;
		} else if (strcmp(tender, "cash") == 0) {
			o->cash_count += n;
			o->cash_fen += amount_fen;
		} else if (strcmp(tender, "other") == 0) {
			o->other_count += n;
			o->other_fen += amount_fen;
		}
	} else if (out == PAY_FAILED || out == PAY_REVERSED) {
		o->failed_count += n;
	} else if (out == PAY_PENDING || out == PAY_UNKNOWN) {
		o->unknown_count += n;
	}
}

void
report_refund_add(struct report_refunds *o, const char *tender,
    const char *state, int64_t n, int64_t amount_fen, int64_t payer_fen)
{
	if (strcmp(state, refund_state_name(REFUND_SUCCESS)) == 0) {
		o->count += n;
		o->fen += amount_fen;
		o->payer_fen += payer_fen;
		if (strcmp(tender, "wechat") == 0) {
			o->wechat_count += n;
			o->wechat_fen += amount_fen;
		} else if (strcmp(tender, "cash") == 0) {
			o->cash_count += n;
			o->cash_fen += amount_fen;
		} else {
			o->other_count += n;
			o->other_fen += amount_fen;
		}
	} else if (strcmp(state, refund_state_name(REFUND_ABNORMAL)) == 0) {
		o->abnormal_count += n;
		o->abnormal_fen += amount_fen;
	} else if (strcmp(state, refund_state_name(REFUND_FAILED)) == 0) {
		o->failed_count += n;
	} else { /* pending, processing */
		o->open_count += n;
		o->open_fen += amount_fen;
	}
}

static int
refund_group(void *arg, const char *tender, const char *state, int64_t n,
    int64_t amount_fen, int64_t payer_fen)
{
	report_refund_add(arg, tender != NULL ? tender : "",
	    state != NULL ? state : "", n, amount_fen, payer_fen);
	return 0;
}

int
report_refunds(struct store *st, int64_t from, int64_t to,
    struct report_refunds *out)
{
	memset(out, 0, sizeof *out);
	return store_refund_groups(st, from, to, refund_group, out);
}

json_t *
report_refunds_json(const struct report_refunds *r)
{
	return json_pack("{s:I, s:I, s:I, s:{s:{s:I, s:I}, s:{s:I, s:I}, "
	    "s:{s:I, s:I}}, s:{s:I, s:I}, s:{s:I, s:I}, s:I}",
	    "count", (json_int_t)r->count, "fen", (json_int_t)r->fen,
	    "payer_fen", (json_int_t)r->payer_fen,
	    "by_tender",
	    "wechat", "count", (json_int_t)r->wechat_count,
	    "fen", (json_int_t)r->wechat_fen,
	    "cash", "count", (json_int_t)r->cash_count,
	    "fen", (json_int_t)r->cash_fen,
	    "other", "count", (json_int_t)r->other_count,
	    "fen", (json_int_t)r->other_fen,
	    "open", "count", (json_int_t)r->open_count,
	    "fen", (json_int_t)r->open_fen,
	    "abnormal", "count", (json_int_t)r->abnormal_count,
	    "fen", (json_int_t)r->abnormal_fen,
	    "failed", (json_int_t)r->failed_count);
}

int
report_is_offline_loss(enum checkout_cstate cs, int64_t offline_at,
    int64_t discount_fen)
{
	return offline_at > 0 && discount_fen > 0 &&
	    (cs == CHECKOUT_REJECTED || cs == CHECKOUT_CONFLICT);
}

struct loss_walk {
	struct report_loss *out;
	json_t *txns;
	int64_t last_txn;
};

static int
loss_row(void *arg, const struct store_red *r)
{
	struct loss_walk *w = arg;
	size_t i;
	json_t *v;

	if (!report_is_offline_loss(r->state, r->offline_at, r->discount_fen))
		return 0;
	w->out->n++;
	w->out->fen += r->discount_fen;
	if (w->txns == NULL || r->txn_id == w->last_txn)
		return 0;
	json_array_foreach(w->txns, i, v)
		if (json_integer_value(v) == r->txn_id)
			return 0;
	w->last_txn = r->txn_id;
	json_array_append_new(w->txns, json_integer(r->txn_id));
	return 0;
}

int
report_offline_losses(struct store *st, int64_t from, int64_t to,
    struct report_loss *out, json_t *txns)
{
	struct loss_walk w;
	int rc;

	memset(out, 0, sizeof *out);
	w.out = out;
	w.txns = txns;
	w.last_txn = 0;
	rc = store_red_list(st, from, to, NULL, loss_row, &w);
	return rc < 0 ? rc : 0;
}
