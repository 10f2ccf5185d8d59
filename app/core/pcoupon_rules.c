/*
 * pcoupon_rules.c — 商品券 rules and pricing (pcoupon_rules.h). The time
 * checks are core/rules.c's (a 商品券 stock's windows become a rules_def
 * for the moment of the check); the rest is here.
 */
#include <string.h>

#include "core/pcoupon_rules.h"
#include "core/rules.h"
#include "util/money.h"

const struct pc_rule *
pc_rule_of(const struct pc_product *p, const struct pc_stock *k)
{
	if (k != NULL && k->has_rule && k->rule.type != PC_TYPE_UNKNOWN)
		return &k->rule;
	if (p != NULL && p->single.type != PC_TYPE_UNKNOWN)
		return &p->single;
	return NULL;
}

int64_t
pc_rule_discount(const struct pc_rule *r, int64_t e)
{
	int64_t d;

	if (r == NULL || e <= 0 || e > MONEY_MAX_FEN)
		return 0;
	switch (r->type) {
	case PC_TYPE_NORMAL:
		d = r->discount_amount_fen < e ? r->discount_amount_fen : e;
		return d > 0 ? d : 0;
	case PC_TYPE_DISCOUNT:
		if (r->percent_off < 1 || r->percent_off > 99)
			return 0;
		/* the customer's favour: what is paid rounds DOWN (e is at
		 * most MONEY_MAX_FEN: e * 100 cannot overflow) */
		return e - e * (100 - r->percent_off) / 100;
	case PC_TYPE_EXCHANGE:
		d = e - r->exchange_price_fen;
		return d > 0 ? d : 0;
	default:
		return 0;
	}
}

/* Is id one of the comma-separated list (empty list: any)? */
static int
in_list(const char *list, const char *id)
{
	size_t n = strlen(id);
	const char *p = list;

	if (list == NULL || list[0] == '\0')
		return 1;
	while (*p != '\0') {
		size_t m;

		while (*p == ',' || *p == ' ')
			p++;
		m = strcspn(p, ", ");
		if (m == n && m > 0 && strncmp(p, id, n) == 0)
			return 1;
		p += m;
	}
	return 0;
}

static enum reason
state_reason(const struct pc_coupon *c, struct pc_verdict *v)
{
	switch (c->state) {
	case PC_ST_CONFIRMING:
		return REASON_PC_CONFIRMING;
	case PC_ST_PENDING:
		v->r_t = c->valid_begin;
		return REASON_PC_PENDING;
	case PC_ST_USED:
		return REASON_ALREADY_USED;
	case PC_ST_EXPIRED:
		v->r_t = c->valid_end;
		return REASON_EXPIRED;
	case PC_ST_DELETED:
		return REASON_PC_DELETED;
	case PC_ST_DEACTIVATED:
		return REASON_PC_DEACTIVATED;
	default:
		return REASON_NONE; /* EFFECTIVE, or not known: the rest
		                       decides, and WeChat at use */
	}
}

static int
def_usable(enum pc_def_state s)
{
	/* a stock that stopped or paused sending still redeems what it
	 * sent; one under audit or deactivated does not */
	return s != PC_DEF_AUDITING && s != PC_DEF_DEACTIVATED;
}

/* The validity of c under stock k, by core/rules.c's time checks. */
static enum reason
check_time(const struct pc_coupon *c, const struct pc_stock *k,
    int64_t now, struct pc_verdict *v)
{
	struct rules_def d;
	struct rules_coupon rc;
	struct rules_verdict rv;
	int i;

	memset(&d, 0, sizeof d);
	memset(&rc, 0, sizeof rc);
	d.family = RULES_MERCHANT;
	d.type = RULES_T_NORMAL;
	d.usable = 1;
	d.pay_percent = 100;
	d.date = RULES_DATE_RANGE;
	if (k != NULL) {
		d.begin_at = k->begin;
		d.end_at = k->end;
		for (i = 0; i < k->nweekly && i < PC_WEEKLY_MAX &&
		    i < RULES_MAX_WINDOWS; i++) {
			d.windows[i].wmask = k->weekly[i].wmask;
			d.windows[i].begin = k->weekly[i].begin;
			d.windows[i].end = k->weekly[i].end;
		}
		d.n_windows = i;
		for (i = 0; i < k->nirregular && i < PC_IRREGULAR_MAX; i++) {
			d.periods[i].begin = k->irregular[i].begin;
			d.periods[i].end = k->irregular[i].end;
		}
		d.n_periods = i;
	}
	rc.code = c->code;
	rc.state = RULES_CS_AVAILABLE;
	rc.received_at = c->receive_time;
	rc.start_at = c->valid_begin;
	rc.expire_at = c->valid_end;
	rules_check_time(&d, &rc, now, &rv);
	v->valid_from = rv.valid_from;
	v->valid_until = rv.valid_until;
	switch (rv.reason) {
	case RULES_OK:
		return REASON_NONE;
	case RULES_R_EXPIRED:
		v->r_t = rv.valid_until;
		return REASON_EXPIRED;
	case RULES_R_NOT_YET_VALID:
		v->r_t = rv.valid_from;
		return REASON_NOT_YET_VALID;
	case RULES_R_OUTSIDE_WEEKLY_WINDOW:
		v->r_t = rv.next_at;
		return REASON_OUTSIDE_WEEKLY_WINDOW;
	case RULES_R_OUTSIDE_PERIODS:
		v->r_t = rv.next_at;
		return REASON_OUTSIDE_PERIODS;
	default:
		return REASON_COUPON_UNAVAILABLE;
	}
}

/* Bundle round c may be used once every earlier round is used. */
static enum reason
check_round(const struct pc_coupon *c, const struct pc_coupon *rounds,
    int nrounds)
{
	int i;

	for (i = 0; rounds != NULL && i < nrounds; i++)
		if (rounds[i].bundle_index < c->bundle_index &&
		    rounds[i].state != PC_ST_USED)
			return REASON_PC_BUNDLE_ROUND;
	return REASON_NONE;
}

enum reason
pc_check(const struct pc_coupon *c, const struct pc_product *p,
    const struct pc_stock *k, const struct pc_coupon *rounds, int nrounds,
    const struct pc_env *env, struct pc_verdict *v)
{
	const struct pc_rule *r;
	enum reason why;

	memset(v, 0, sizeof *v);
	if (c == NULL || env == NULL)
		return v->reason = REASON_BAD_AMOUNT;
	if ((why = state_reason(c, v)) != REASON_NONE)
		return v->reason = why;
	if (p == NULL || k == NULL)
		return v->reason = REASON_NO_DEFINITION;
	if (!def_usable(p->state) || !def_usable(k->state))
		return v->reason = REASON_STOCK_NOT_RUNNING;
	r = pc_rule_of(p, k);
	if (p->scope == PC_SCOPE_UNKNOWN || p->usage == PC_USAGE_UNKNOWN ||
	    r == NULL || (r->type == PC_TYPE_EXCHANGE &&
	    p->scope != PC_SCOPE_SINGLE))
		return v->reason = REASON_PC_UNSUPPORTED;
	v->rule = *r;
	if (c->brand_id[0] != '\0' && !in_list(env->brands, c->brand_id))
		return v->reason = REASON_PC_WRONG_BRAND;
	/* a till redeems at the counter: offline (scan) or with the payment
	 * code; a coupon only for mini programs or apps is not ours */
	if (k->methods != 0 && (k->methods & (PC_METHOD_OFFLINE |
	    PC_METHOD_PAYMENT_CODE)) == 0)
		return v->reason = REASON_PC_UNSUPPORTED;
	if (k->store_scope == PC_STORES_SPECIFIC) {
		const char *sid = env->store_id != NULL ? env->store_id : "";
		int i, found = k->nstores == 0 && sid[0] != '\0';

		/* an unknown list with a store id configured: WeChat checks
		 * (268584404); no store id: cannot name this store at all */
		for (i = 0; i < k->nstores && !found; i++)
			found = strcmp(k->stores[i], sid) == 0;
		if (!found)
			return v->reason = REASON_PC_STORE_SCOPE;
	}
	if (p->usage == PC_USAGE_BUNDLE &&
	    (why = check_round(c, rounds, nrounds)) != REASON_NONE)
		return v->reason = why;
	return v->reason = check_time(c, k, env->now, v);
}

enum reason
pc_price(const struct pc_coupon *c, const struct pc_product *p,
    const struct pc_stock *k, const struct pc_coupon *rounds, int nrounds,
    const struct pc_env *env, const struct pc_basket *b,
    struct pc_verdict *v)
{
	int64_t e, d;

	if (b == NULL || b->amount_fen < 0 || b->amount_fen > MONEY_MAX_FEN ||
	    b->remaining_fen < 0 || b->remaining_fen > b->amount_fen ||
	    b->item_price_fen > MONEY_MAX_FEN) {
		memset(v, 0, sizeof *v);
		return v->reason = REASON_BAD_AMOUNT;
	}
	if (pc_check(c, p, k, rounds, nrounds, env, v) != REASON_NONE) {
		v->due_fen = b->remaining_fen;
		return v->reason;
	}
	v->due_fen = b->remaining_fen;
	if (p->scope == PC_SCOPE_SINGLE) {
		e = b->item_price_fen >= 0 ? b->item_price_fen :
		    p->original_price_fen;
		if (e <= 0)
			return v->reason = REASON_NEEDS_ITEM_PRICE;
		if (e > b->amount_fen) {
			v->need_fen = e;
			v->have_fen = b->amount_fen;
			return v->reason = REASON_ITEM_PRICE_OVER_BASKET;
		}
	} else {
		e = b->amount_fen;
	}
	v->eligible_fen = e;
	if (v->rule.threshold_fen > 0 && e < v->rule.threshold_fen) {
		v->need_fen = v->rule.threshold_fen;
		v->have_fen = e;
		return v->reason = REASON_BELOW_MINIMUM;
	}
	d = pc_rule_discount(&v->rule, e);
	if (d <= 0)
		return v->reason = REASON_NO_BENEFIT;
	/* at least 1 fen stays to be charged by WeChat Pay */
	if (d > b->remaining_fen - 1)
		d = b->remaining_fen - 1;
	if (d <= 0)
		return v->reason = REASON_PC_COVERS_ALL;
	v->discount_fen = d;
	v->due_fen = b->remaining_fen - d;
	return v->reason = REASON_NONE;
}

enum reason
pc_return_check(const struct pc_coupon *c, const struct pc_coupon *rounds,
    int nrounds)
{
	int i;

	for (i = 0; rounds != NULL && i < nrounds; i++)
		if (rounds[i].bundle_index > c->bundle_index &&
		    rounds[i].state == PC_ST_USED)
			return REASON_PC_BUNDLE_ROUND;
	return REASON_NONE;
}

/* ---- WeChat's words ---------------------------------------------------- */

static int
word_index(const char *const *w, int n, const char *s)
{
	int i;

	for (i = 1; s != NULL && i < n; i++)
		if (w[i] != NULL && strcmp(w[i], s) == 0)
			return i;
	return 0;
}

static const char *const type_words[] = {
	NULL, "NORMAL", "DISCOUNT", "EXCHANGE"
};
static const char *const scope_words[] = { NULL, "ALL", "SINGLE" };
static const char *const usage_words[] = {
	NULL, "SINGLE", "PROGRESSIVE_BUNDLE"
};
static const char *const store_scope_words[] = {
	"NONE", "ALL", "SPECIFIC"
};
static const char *const def_words[] = {
	NULL, "AUDITING", "EFFECTIVE", "SENDING", "PAUSED", "STOPPED",
	"DEACTIVATED"
};
#define N(a) ((int)(sizeof a / sizeof a[0]))

const char *
pc_type_name(enum pc_type t)
{
	return t > 0 && (int)t < N(type_words) ? type_words[t] : "?";
}

enum pc_type
pc_type_parse(const char *s)
{
	return (enum pc_type)word_index(type_words, N(type_words), s);
}

enum pc_scope
pc_scope_parse(const char *s)
{
	return (enum pc_scope)word_index(scope_words, N(scope_words), s);
}

enum pc_usage
pc_usage_parse(const char *s)
{
	return (enum pc_usage)word_index(usage_words, N(usage_words), s);
}

enum pc_store_scope
pc_store_scope_parse(const char *s)
{
	int i;

	for (i = 0; s != NULL && i < N(store_scope_words); i++)
		if (strcmp(store_scope_words[i], s) == 0)
			return (enum pc_store_scope)i;
	return (enum pc_store_scope)-1;
}

enum pc_def_state
pc_def_state_parse(const char *s)
{
	return (enum pc_def_state)word_index(def_words, N(def_words), s);
}
