/*
 * session_view.c — the checkout engine's results mapped to the view
 * (line states, reasons in the cashier's words, the sale's verdict) and
 * the status bar. Main thread.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "core/checkout.h"
#include "core/coupon.h"
#include "core/redeem.h"
#include "core/report.h"
#include "core/refund.h"
#include "core/session.h"
#include "core/session_int.h"
#include "core/settle.h"
#include "store/store.h"
#include "util/config.h"
#include "util/err.h"
#include "util/log.h"
#include "util/money.h"
#include "util/str.h"
#include "util/tm.h"
#include "util/xmem.h"

/* ---- mapping engine results to the view ------------------------------ */

/* Refused for an offline cap (a manager may lift it)? */
int
session_is_cap(enum reason r)
{
	return reason_info(r)->cap;
}

/* When was code used here (its latest live redemption)? */
static int64_t
used_at(struct session *s, const char *code)
{
	int64_t t = 0;

	if (s->o.st != NULL)
		(void)store_red_used_at(s->o.st, code, &t);
	return t;
}

static void
map_reason(struct session *s, const struct checkout_line *l,
    struct view_coupon *c)
{
	enum reason r = l->reason;
	const struct reason_info *ri = reason_info(r);
	size_t i;

	c->reason = ri->view;
	c->r_code = (int)r;
	c->r_t = 0;
	c->r_need_fen = c->r_have_fen = 0;
	c->r_text[0] = '\0';
	switch (r) {
	case REASON_BELOW_MINIMUM:
		c->r_need_fen = l->verdict.need_fen;
		c->r_have_fen = l->verdict.have_fen;
		break;
	case REASON_ALREADY_USED:
	case REASON_USED_BY_OTHER_REQUEST:
		/* used here (its live row), else when WeChat's record says */
		c->r_t = r == REASON_ALREADY_USED ? used_at(s, l->code) : 0;
		if (c->r_t == 0 && l->state != CHECKOUT_PRICED)
			c->r_t = l->remote_at;
		break;
	case REASON_OFFLINE_CAP_COUPON:
		/* the approval screen weighs the value against the cap */
		if (s->o.cfg == NULL)
			break;
		c->r_need_fen = s->o.cfg->off_max_coupon_fen;
		if (l->hub == HUB_V_DOWN &&
		    s->o.cfg->hub_max_coupon_fen < c->r_need_fen)
			c->r_need_fen = s->o.cfg->hub_max_coupon_fen;
		c->r_have_fen = l->verdict.discount_fen; /* what it would
		                                            take off */
		str_copy(c->r_text, sizeof c->r_text, ri->en);
		break;
	case REASON_OFFLINE_CAP_EXPOSURE:
		if (s->o.cfg == NULL)
			break;
		c->r_need_fen = s->o.cfg->off_max_exposure_fen;
		c->r_have_fen = l->verdict.discount_fen;
		str_copy(c->r_text, sizeof c->r_text, ri->en);
		break;
	case REASON_EXPIRED:
		/* WeChat's record of this code first (its own window) */
		c->r_t = l->remote_at > 0 && l->state == CHECKOUT_REJECTED ?
		    l->remote_at : l->verdict.valid_until;
		break;
	case REASON_NOT_YET_VALID:
		c->r_t = l->remote_at > 0 && l->state == CHECKOUT_REJECTED ?
		    l->remote_at : l->verdict.next_at != 0 ?
		    l->verdict.next_at : l->verdict.valid_from;
		break;
	case REASON_NEEDS_ONLINE:
		/* taken provisionally: not an offline refusal (yet) */
		if (l->needs_answer && (l->state == CHECKOUT_PRICED ||
		    l->state == CHECKOUT_PENDING))
			c->reason = VIEW_R_VALUE_PENDING;
		break;
	case REASON_OTHER:
		/* not ours: WeChat's code, its id in words */
		c->reason = l->state == CHECKOUT_REJECTED ? VIEW_R_REMOTE :
		    VIEW_R_OTHER;
		str_copy(c->r_text, sizeof c->r_text, l->reason_text);
		for (i = 0; c->r_text[i] != '\0'; i++)
			if (c->r_text[i] == '_')
				c->r_text[i] = ' ';
		break;
	default:
		/* the table's words (the front-end picks the language) */
		if (ri->en != NULL)
			str_copy(c->r_text, sizeof c->r_text, ri->en);
		break;
	}
}

static void
map_line(struct session *s, const struct checkout_line *l,
    struct view_coupon *c)
{
	str_copy(c->code, sizeof c->code, l->code);
	str_copy(c->name, sizeof c->name, l->name);
	str_copy(c->kind, sizeof c->kind,
	    l->coupon_type[0] != '\0' ? l->coupon_type : l->kind_id);
	c->discount_fen = l->discount_fen;
	c->give_item = l->needs_confirm;
	c->state = checkout_cstate_view(l->state);
	/* a reason only where the coupon did not go through (yet), and on
	 * a provisional line (its value comes with WeChat's answer) */
	if (c->state == VIEW_C_REJECTED || c->state == VIEW_C_UNKNOWN ||
	    c->state == VIEW_C_CONFLICT || c->state == VIEW_C_PENDING ||
	    (c->state == VIEW_C_PRICED && l->needs_answer)) {
		map_reason(s, l, c);
	} else {
		c->reason = VIEW_R_NONE;
		c->r_code = REASON_NONE;
		c->r_t = c->r_need_fen = c->r_have_fen = 0;
		c->r_text[0] = '\0';
		if (c->state == VIEW_C_PRICED && l->unverified) {
			c->reason = VIEW_R_WAIT_WECHAT;
			c->r_code = REASON_WAIT_WECHAT;
		}
	}
	/* over an offline cap (rejected, or sent with no answer): a manager
	 * may accept it */
	if ((l->state == CHECKOUT_REJECTED || l->state == CHECKOUT_UNKNOWN) &&
	    session_is_cap(l->reason))
		c->state = VIEW_C_NEEDS_APPROVAL;
}

/* Copy the engine's txn into the view's sale; manual flags survive. */
void
session_map_txn(struct session *s, const struct checkout_txn *t)
{
	int i, manual[VIEW_COUPONS_MAX];

	for (i = 0; i < VIEW_COUPONS_MAX; i++)
		manual[i] = i < s->v.ncoupons ? s->v.coupons[i].manual : 0;
	s->v.amount_fen = t->amount_fen;
	s->v.discount_fen = t->discount_fen;
	s->v.due_fen = t->due_fen;
	s->v.ncoupons = 0;
	for (i = 0; i < t->nlines && i < VIEW_COUPONS_MAX; i++) {
		map_line(s, &t->lines[i], &s->v.coupons[i]);
		s->v.coupons[i].manual = manual[i];
		s->v.ncoupons++;
	}
	session_pc_map(s, t);
	if (t->id != 0)
		snprintf(s->v.txn, sizeof s->v.txn, "%lld", (long long)t->id);
	if (s->v.selected >= s->v.ncoupons)
		s->v.selected = s->v.ncoupons - 1;
}

/* Overall verdict of a redeemed sale: worst first. */
enum view_verdict
session_sale_verdict(const struct view *v, int *worst)
{
	int i, bad = -1, off = -1, ok = -1, wait = -1;

	for (i = 0; i < v->ncoupons; i++) {
		switch (v->coupons[i].state) {
		case VIEW_C_REJECTED:
		case VIEW_C_CONFLICT:
		case VIEW_C_NEEDS_APPROVAL:
			if (bad < 0)
				bad = i;
			break;
		case VIEW_C_OFFLINE:
			if (off < 0)
				off = i;
			break;
		case VIEW_C_UNKNOWN:
		case VIEW_C_PENDING:
			if (wait < 0)
				wait = i;
			break;
		default:
			if (ok < 0)
				ok = i;
			break;
		}
	}
	*worst = bad >= 0 ? bad : wait >= 0 ? wait : off >= 0 ? off : ok;
	return bad >= 0 ? VIEW_V_REJECTED : wait >= 0 ? VIEW_V_WAIT :
	    off >= 0 ? VIEW_V_OFFLINE : ok >= 0 ? VIEW_V_CONFIRMED :
	    VIEW_V_NONE;
}

void
session_set_verdict(struct session *s, enum view_verdict vd, int idx,
    uint64_t scan_us)
{
	s->v.verdict = vd;
	s->v.verdict_seq++;
	s->v.verdict_scan_us = scan_us;
	s->v.verdict_coupon = idx;
	if (idx >= 0 && idx < s->v.ncoupons)
		s->v.last = s->v.coupons[idx];
	else
		memset(&s->v.last, 0, sizeof s->v.last);
}

/* ---- status ---------------------------------------------------------- */

void
session_refresh_status(struct session *s)
{
	struct settle_status st;
	int64_t oldest = 0, card = 0, age = -1, now = tm_now();
	int online = s->v.online, outbox = s->v.outbox;
	int64_t p = 0, u = 0;

	if (s->o.settle != NULL) {
		settle_status(s->o.settle, &st);
		switch (settle_net_state(&st, now)) {
		case SETTLE_NET_ONLINE:
			online = VIEW_NET_ONLINE;
			break;
		case SETTLE_NET_OFFLINE:
			online = VIEW_NET_OFFLINE;
			break;
		case SETTLE_NET_TLS:
			/* WeChat's certificate refused: waiting will not
			 * fix it, someone must look (net_error says why) */
			online = VIEW_NET_TLS;
			if (strcmp(s->v.net_error, st.last_error) != 0) {
				str_copy(s->v.net_error, sizeof s->v.net_error,
				    st.last_error);
				session_touch(s);
			}
			break;
		case SETTLE_NET_CONNECTING:
			online = VIEW_NET_CONNECTING;
			break;
		}
		outbox = (int)(st.pending + st.unknown);
	} else if (s->o.st != NULL &&
	    store_outbox_depth(s->o.st, &p, &u) == 0) {
		outbox = (int)(p + u);
	}
	if (s->o.st != NULL && tm_mono_ms() >= s->next_cache_ms &&
	    store_def_oldest(s->o.st, &oldest, &card) == 0) {
		int64_t an = 0, af = 0;

		s->next_cache_ms = tm_mono_ms() + 30000;
		if (card != 0 && (oldest == 0 || card < oldest))
			oldest = card;
		s->oldest_def = oldest;
		/* the manager's alarm, as often as the cache age */
		if (refund_alarm(s->o.st, &an, &af) == 0 &&
		    (int)an != s->v.alarms) {
			s->v.alarms = (int)an;
			session_touch(s);
		}
	}
	if (s->o.settle != NULL && !s->net_config &&
	    st.last_rc == QUAN_ECLOCK &&
	    st.last_error_at >= now - 120) {
		/* every reply refused for its timestamp: not "offline" but a
		 * wrong till clock, which someone must fix */
		online = VIEW_NET_CLOCK;
		if (strcmp(s->v.net_error, st.last_error) != 0) {
			str_copy(s->v.net_error, sizeof s->v.net_error,
			    st.last_error);
			session_touch(s);
		}
	}
	if (s->net_config)
		online = VIEW_NET_CONFIG; /* until the config is fixed */
	if (s->oldest_def > 0)
		age = now > s->oldest_def ? now - s->oldest_def : 0;
	/* bump the view only when something a cashier sees changed
	 * (cache age in whole minutes) */
	if (online != s->v.online || outbox != s->v.outbox ||
	    (age < 0) != (s->v.cache_age_s < 0) ||
	    age / 60 != s->v.cache_age_s / 60) {
		s->v.online = online;
		s->v.outbox = outbox;
		s->v.cache_age_s = age;
		session_touch(s);
	} else {
		s->v.cache_age_s = age;
	}
}
