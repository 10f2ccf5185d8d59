/*
 * rules.c — pure coupon evaluation on struct rules_def: validity in the
 * store's zone, thresholds, integer-fen discounts with the customer-
 * favourable rounding described in rules.h and app/core/RULES.md, and the
 * several-coupons basket. No allocation, no I/O.
 */
#include <string.h>

#include "core/rules.h"
#include "util/err.h"
#include "util/money.h"
#include "util/tm.h"

#define DAY 86400

static const char *const reason_ids[RULES_R__COUNT] = {
	[RULES_OK] = "ok",
	[RULES_R_BELOW_MINIMUM] = "below_minimum",
	[RULES_R_NOT_YET_VALID] = "not_yet_valid",
	[RULES_R_EXPIRED] = "expired",
	[RULES_R_OUTSIDE_WEEKLY_WINDOW] = "outside_weekly_window",
	[RULES_R_OUTSIDE_PERIODS] = "outside_periods",
	[RULES_R_STOCK_NOT_RUNNING] = "stock_not_running",
	[RULES_R_CARD_NOT_USABLE] = "card_not_usable",
	[RULES_R_ALREADY_USED] = "already_used",
	[RULES_R_COUPON_UNAVAILABLE] = "coupon_unavailable",
	[RULES_R_PER_TXN_LIMIT] = "per_txn_limit",
	[RULES_R_DUPLICATE] = "duplicate_code",
	[RULES_R_NOT_STACKABLE] = "not_stackable",
	[RULES_R_NEEDS_ITEM_PRICE] = "needs_item_price",
	[RULES_R_ITEM_PRICE_OVER_BASKET] = "item_price_over_basket",
	[RULES_R_NO_BENEFIT] = "no_benefit",
	[RULES_R_RECEIVE_TIME_UNKNOWN] = "receive_time_unknown",
	[RULES_R_BAD_AMOUNT] = "bad_amount",
};

const char *
rules_reason_id(enum rules_reason r)
{
	if ((int)r < 0 || r >= RULES_R__COUNT)
		return "invalid";
	return reason_ids[r];
}

int
rules_reason_from_id(const char *id)
{
	int i;

	if (id == NULL)
		return -1;
	for (i = 0; i < RULES_R__COUNT; i++)
		if (strcmp(reason_ids[i], id) == 0)
			return i;
	return -1;
}

const char *
rules_type_id(enum rules_type t)
{
	switch (t) {
	case RULES_T_NORMAL: return "NORMAL";
	case RULES_T_DISCOUNT: return "DISCOUNT";
	case RULES_T_EXCHANGE: return "EXCHANGE";
	case RULES_T_CASH: return "CASH";
	case RULES_T_CARD_DISCOUNT: return "DISCOUNT";
	case RULES_T_GIFT: return "GIFT";
	case RULES_T_GROUPON: return "GROUPON";
	case RULES_T_GENERAL: return "GENERAL_COUPON";
	}
	return "UNKNOWN";
}

enum rules_cstate
rules_cstate_parse(const char *s)
{
	static const struct {
		const char *s;
		enum rules_cstate st;
	} map[] = {
		{ "SENDED", RULES_CS_AVAILABLE },
		{ "NORMAL", RULES_CS_AVAILABLE },
		{ "USED", RULES_CS_USED }, { "CONSUMED", RULES_CS_USED },
		{ "EXPIRED", RULES_CS_EXPIRED }, { "EXPIRE", RULES_CS_EXPIRED },
		{ "DELETED", RULES_CS_GONE }, { "DELETE", RULES_CS_GONE },
		{ "DEACTIVATED", RULES_CS_GONE },
		{ "UNAVAILABLE", RULES_CS_GONE },
	};
	size_t i;

	if (s == NULL || *s == '\0')
		return RULES_CS_UNKNOWN;
	for (i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(s, map[i].s) == 0)
			return map[i].st;
	return RULES_CS_OTHER;
}

/* ---- local calendar helpers (store zone) ---- */

/* Local midnight of the local day of t. The wall-clock seconds-of-day
 * differ from the seconds elapsed since midnight on a DST-change day, so
 * the first guess is corrected once (shifts are at most a few hours). */
static int64_t
day_start(int64_t t)
{
	int sec, wday;
	int64_t m;

	tm_local_day(t, &sec, &wday);
	m = t - sec;
	tm_local_day(m, &sec, &wday);
	if (sec != 0)
		m += sec > DAY / 2 ? DAY - sec : -sec;
	return m;
}

/* Local midnight k days after the local day of t (DST-safe: steps to
 * noon, then back to that day's midnight). */
static int64_t
day_start_plus(int64_t t, int32_t k)
{
	return day_start(day_start(t) + (int64_t)k * DAY + DAY / 2);
}

static int
in_windows(const struct rules_def *d, int64_t t, int *which)
{
	int sec, wday, i;

	*which = -1;
	if (d->n_windows == 0)
		return 1;
	tm_local_day(t, &sec, &wday);
	for (i = 0; i < d->n_windows; i++) {
		const struct rules_window *w = &d->windows[i];

		if ((w->wmask & (1u << wday)) && sec >= w->begin &&
		    sec <= w->end) {
			*which = i;
			return 1;
		}
	}
	return 0;
}

static int
in_periods(const struct rules_def *d, int64_t t)
{
	int i;

	if (d->n_periods == 0)
		return 1;
	for (i = 0; i < d->n_periods; i++)
		if (t >= d->periods[i].begin && t <= d->periods[i].end)
			return 1;
	return 0;
}

static int
time_ok(const struct rules_def *d, int64_t from, int64_t until, int64_t t,
    int *which)
{
	*which = -1;
	if (from != 0 && t < from)
		return 0;
	if (until != 0 && t > until)
		return 0;
	return in_periods(d, t) && in_windows(d, t, which);
}

static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Earliest t in [a, b] inside a weekly window, 0 if none within the 8
 * local days from a (the week repeats, so 8 days are enough). Days are
 * stepped with the UTC offset at a (one localtime call per interval, not
 * per window); a candidate is then checked with the real local time and,
 * if a DST change moved the wall clock, shifted once and checked again. */
static int64_t
first_in_interval(const struct rules_def *d, int64_t a, int64_t b,
    int64_t from, int64_t until, int *win)
{
	int64_t off = tm_offset(a);
	int64_t day0 = floor_div(a + off, DAY);
	int k, w, which;

	for (k = 0; k < 8; k++) {
		int64_t day = day0 + k;
		int64_t ds = day * DAY - off;
		int wday = (int)(((day % 7) + 7 + 4) % 7); /* 1970-01-01: Thu */
		int64_t best = 0;
		int bw = -1;

		if (ds > b)
			break;
		for (w = 0; w < d->n_windows; w++) {
			const struct rules_window *rw = &d->windows[w];
			int64_t s = ds + rw->begin, e = ds + rw->end;

			if (!(rw->wmask & (1u << wday)))
				continue;
			if (s < a)
				s = a;
			if (e > b)
				e = b;
			if (s <= e && (best == 0 || s < best)) {
				best = s;
				bw = w;
			}
		}
		if (best == 0)
			continue;
		if (!time_ok(d, from, until, best, &which) && best != a) {
			int sec, wd;

			tm_local_day(best, &sec, &wd);
			best -= sec - d->windows[bw].begin;
		}
		if (best >= a && best <= b && time_ok(d, from, until, best,
		    &which)) {
			*win = which;
			return best;
		}
	}
	return 0;
}

/* Earliest moment > now at which every time rule holds: the usable set is
 * validity ∩ (one of the periods) ∩ (a weekly window). Each period (or the
 * validity alone) is an interval searched by first_in_interval. Cost: at
 * most RULES_MAX_PERIODS intervals x 8 days x RULES_MAX_WINDOWS integer
 * steps and a few localtime calls per interval. 0 when none is found. */
static int64_t
next_usable(const struct rules_def *d, int64_t now, int64_t from,
    int64_t until, struct rules_verdict *v)
{
	int64_t best = 0, lo = from > now ? from : now + 1;
	int64_t hi = until != 0 ? until : INT64_MAX;
	int i, n = d->n_periods > 0 ? d->n_periods : 1, which = -1;

	for (i = 0; i < n; i++) {
		int64_t a = lo, b = hi, t;
		int w = -1;

		if (d->n_periods > 0) {
			if (d->periods[i].begin > a)
				a = d->periods[i].begin;
			if (d->periods[i].end < b)
				b = d->periods[i].end;
		}
		if (a > b || (best != 0 && a >= best))
			continue;
		if (d->n_windows == 0) {
			t = time_ok(d, from, until, a, &w) ? a : 0;
		} else {
			t = first_in_interval(d, a, b, from, until, &w);
		}
		if (t != 0 && (best == 0 || t < best)) {
			best = t;
			which = w;
		}
	}
	if (best != 0 && which >= 0) {
		v->window_begin = d->windows[which].begin;
		v->window_end = d->windows[which].end;
	}
	return best;
}

static void
verdict_init(struct rules_verdict *v, int64_t remaining)
{
	memset(v, 0, sizeof *v);
	v->reason = RULES_OK;
	v->due_fen = remaining;
	v->window_begin = -1;
	v->window_end = -1;
}

static int64_t
max_nz(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

static int64_t
min_nz(int64_t a, int64_t b)
{
	if (a == 0)
		return b;
	if (b == 0)
		return a;
	return a < b ? a : b;
}

/* The coupon's own state, as far as the till knows it: used, expired or
 * gone refuse it whatever the basket (RULES_OK: nothing known against
 * it). */
static enum rules_reason
own_state(const struct rules_coupon *cp, struct rules_verdict *v)
{
	switch (cp != NULL ? cp->state : RULES_CS_UNKNOWN) {
	case RULES_CS_USED:
		return v->reason = RULES_R_ALREADY_USED;
	case RULES_CS_EXPIRED:
		v->valid_until = cp->expire_at;
		return v->reason = RULES_R_EXPIRED;
	case RULES_CS_GONE:
	case RULES_CS_OTHER:
		return v->reason = RULES_R_COUPON_UNAVAILABLE;
	default:
		return RULES_OK;
	}
}

static enum rules_reason
check_time(const struct rules_def *d, const struct rules_coupon *cp,
    int64_t now, struct rules_verdict *v)
{
	int64_t from, until;
	int which;

	if (own_state(cp, v) != RULES_OK)
		return v->reason;
	if (!d->usable)
		return v->reason = d->family == RULES_CARD ?
		    RULES_R_CARD_NOT_USABLE : RULES_R_STOCK_NOT_RUNNING;
	if (d->date == RULES_DATE_PERMANENT) {
		from = until = 0;
	} else {
		from = d->begin_at;
		until = d->end_at;
	}
	if (d->date == RULES_DATE_RELATIVE) {
		int64_t start = cp != NULL ? cp->start_at : 0;
		int64_t expire = cp != NULL ? cp->expire_at : 0;
		int64_t recv = cp != NULL ? cp->received_at : 0;

		if (start <= 0 && recv > 0)
			start = d->wait_days > 0 ?
			    day_start_plus(recv, d->wait_days) : recv;
		if (expire <= 0 && d->valid_days > 0) {
			if (start <= 0) {
				/* Cannot place the validity; the stock-wide
				 * bounds may still reject it outright. */
				if (until != 0 && now > until) {
					v->valid_until = until;
					return v->reason = RULES_R_EXPIRED;
				}
				return v->reason =
				    RULES_R_RECEIVE_TIME_UNKNOWN;
			}
			expire = day_start_plus(start, d->valid_days) - 1;
		}
		if (start <= 0 && d->wait_days > 0)
			return v->reason = RULES_R_RECEIVE_TIME_UNKNOWN;
		if (start > 0)
			from = max_nz(from, start);
		if (expire > 0)
			until = min_nz(until, expire);
	} else if (cp != NULL) {
		/* Per-user times from WeChat narrow the stock's range. */
		if (cp->start_at > 0)
			from = max_nz(from, cp->start_at);
		if (cp->expire_at > 0)
			until = min_nz(until, cp->expire_at);
	}
	v->valid_from = from;
	v->valid_until = until;
	if (until != 0 && now > until)
		return v->reason = RULES_R_EXPIRED;
	if (from != 0 && now < from) {
		v->next_at = next_usable(d, now, from, until, v);
		return v->reason = RULES_R_NOT_YET_VALID;
	}
	if (!in_periods(d, now)) {
		v->next_at = next_usable(d, now, from, until, v);
		return v->reason = RULES_R_OUTSIDE_PERIODS;
	}
	if (!in_windows(d, now, &which)) {
		v->next_at = next_usable(d, now, from, until, v);
		return v->reason = RULES_R_OUTSIDE_WEEKLY_WINDOW;
	}
	return RULES_OK;
}

enum rules_reason
rules_check_time(const struct rules_def *def, const struct rules_coupon *cp,
    int64_t now, struct rules_verdict *v)
{
	verdict_init(v, 0);
	if (def == NULL)
		return v->reason = RULES_R_BAD_AMOUNT;
	return check_time(def, cp, now, v);
}

static int
amount_ok(int64_t a)
{
	return a >= 0 && a <= MONEY_MAX_FEN;
}

static int
needs_confirm(enum rules_type t)
{
	return t == RULES_T_GIFT || t == RULES_T_GROUPON ||
	    t == RULES_T_GENERAL;
}

enum rules_reason
rules_price(const struct rules_def *def, const struct rules_coupon *cp,
    int64_t now, const struct rules_basket *b, struct rules_verdict *v)
{
	int64_t rem, d = 0;

	verdict_init(v, b != NULL ? b->remaining_fen : 0);
	if (def == NULL || b == NULL || !amount_ok(b->amount_fen) ||
	    !amount_ok(b->remaining_fen) || b->remaining_fen > b->amount_fen ||
	    b->item_price_fen > MONEY_MAX_FEN) {
		if (b == NULL || !amount_ok(b->remaining_fen))
			v->due_fen = 0;
		return v->reason = RULES_R_BAD_AMOUNT;
	}
	rem = b->remaining_fen;
	if (check_time(def, cp, now, v) != RULES_OK)
		return v->reason;
	if (def->minimum_fen > 0 && b->amount_fen < def->minimum_fen) {
		v->need_fen = def->minimum_fen;
		v->have_fen = b->amount_fen;
		return v->reason = RULES_R_BELOW_MINIMUM;
	}
	switch (def->type) {
	case RULES_T_NORMAL:
	case RULES_T_CASH:
		d = def->amount_fen < rem ? def->amount_fen : rem;
		break;
	case RULES_T_DISCOUNT:
	case RULES_T_CARD_DISCOUNT:
		if (def->pay_percent < 0 || def->pay_percent > 100)
			return v->reason = RULES_R_BAD_AMOUNT;
		/* Customer-favourable: payable rounded DOWN to the fen.
		 * rem <= 1e11 so rem * 100 cannot overflow. */
		d = rem - rem * def->pay_percent / 100;
		break;
	case RULES_T_EXCHANGE:
		if (b->item_price_fen < 0)
			return v->reason = RULES_R_NEEDS_ITEM_PRICE;
		if (b->item_price_fen > b->amount_fen) {
			v->need_fen = b->item_price_fen;
			v->have_fen = b->amount_fen;
			return v->reason = RULES_R_ITEM_PRICE_OVER_BASKET;
		}
		d = b->item_price_fen - def->amount_fen;
		if (d <= 0)
			return v->reason = RULES_R_NO_BENEFIT;
		if (d > rem)
			d = rem;
		break;
	case RULES_T_GIFT:
	case RULES_T_GROUPON:
	case RULES_T_GENERAL:
		v->needs_confirm = 1;
		if (b->item_price_fen > b->amount_fen) {
			v->need_fen = b->item_price_fen;
			v->have_fen = b->amount_fen;
			return v->reason = RULES_R_ITEM_PRICE_OVER_BASKET;
		}
		d = b->item_price_fen > 0 ? b->item_price_fen : 0;
		if (d > rem)
			d = rem;
		break;
	default:
		return v->reason = RULES_R_BAD_AMOUNT;
	}
	if (d <= 0 && !needs_confirm(def->type))
		return v->reason = RULES_R_NO_BENEFIT;
	v->discount_fen = d;
	v->due_fen = rem - d;
	return RULES_OK;
}

int
rules_price_basket(int64_t amount_fen, const struct rules_item *items,
    size_t n, int64_t now, struct rules_verdict *v, int64_t *discount_fen,
    int64_t *due_fen)
{
	int64_t rem = amount_fen;
	int nonstack = 0, accepted = 0;
	size_t i, j;

	*discount_fen = 0;
	*due_fen = amount_ok(amount_fen) ? amount_fen : 0;
	if (!amount_ok(amount_fen) || n > RULES_MAX_COUPONS ||
	    (n > 0 && (items == NULL || v == NULL))) {
		for (i = 0; v != NULL && i < n && i < RULES_MAX_COUPONS; i++) {
			verdict_init(&v[i], *due_fen);
			v[i].reason = RULES_R_BAD_AMOUNT;
		}
		return QUAN_EINVAL;
	}
	for (i = 0; i < n; i++)
		if (items[i].def == NULL) {
			for (j = 0; j < n; j++) {
				verdict_init(&v[j], amount_fen);
				v[j].reason = RULES_R_BAD_AMOUNT;
			}
			return QUAN_EINVAL;
		}
	for (i = 0; i < n; i++) {
		const struct rules_item *it = &items[i];
		const char *code = it->cp != NULL ? it->cp->code : NULL;
		struct rules_basket b;
		int same = 0, dup = 0, limit;

		verdict_init(&v[i], rem);
		for (j = 0; j < i; j++) {
			const struct rules_item *o = &items[j];

			if (code != NULL && o->cp != NULL &&
			    o->cp->code != NULL &&
			    o->def->family == it->def->family &&
			    strcmp(o->cp->code, code) == 0)
				dup = 1;
			if (v[j].reason == RULES_OK &&
			    o->def->family == it->def->family &&
			    strcmp(o->def->id, it->def->id) == 0)
				same++;
		}
		if (dup) {
			v[i].reason = RULES_R_DUPLICATE;
			continue;
		}
		/* a used (expired, gone) coupon says so before any limit of
		 * the basket: "already used", not "too many of this stock" */
		if (own_state(it->cp, &v[i]) != RULES_OK)
			continue;
		limit = it->def->per_txn > 0 ? it->def->per_txn : 1;
		if (same >= limit) {
			v[i].reason = RULES_R_PER_TXN_LIMIT;
			v[i].limit = limit;
			continue;
		}
		if (nonstack || (!it->def->stackable && accepted > 0)) {
			v[i].reason = RULES_R_NOT_STACKABLE;
			continue;
		}
		b.amount_fen = amount_fen;
		b.remaining_fen = rem;
		b.item_price_fen = it->item_price_fen;
		if (rules_price(it->def, it->cp, now, &b, &v[i]) != RULES_OK)
			continue;
		rem = v[i].due_fen;
		*discount_fen += v[i].discount_fen;
		accepted++;
		if (!it->def->stackable)
			nonstack = 1;
	}
	*due_fen = rem;
	return QUAN_OK;
}
