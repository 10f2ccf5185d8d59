/*
 * session.c — the terminal session state machine (see session.h). Screens
 * and keys in, struct view out; the checkout engine decides, the store
 * remembers, settle talks to the sync thread. Every visible change bumps
 * view.gen through touch(). Main thread only.
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
#include "core/session.h"
#include "core/settle.h"
#include "store/store.h"
#include "util/config.h"
#include "util/err.h"
#include "util/log.h"
#include "util/money.h"
#include "util/str.h"
#include "util/tm.h"
#include "util/xmem.h"

#define DIAG_MAX 12
#define TICK_MS 1000
#define HELD_MAX 32         /* scans/keys held while a redeem is out */
#define REDEEM_SHOW_MS 100  /* the redeem's waiting time ticks by this */
#define TXN_LIST_MAX VIEW_LINES_MAX

struct session {
	struct session_opts o;
	struct view v;

	char login_id[VIEW_ID_MAX];

	/* manager approval in progress */
	enum view_screen back;     /* screen to return to */
	char appr_id[VIEW_ID_MAX];
	int64_t act_txn;           /* txn the action is about */

	int64_t cur_txn;           /* current sale id once redeemed, 0 none */
	int net_config;            /* a configured client cannot start */
	int quit_armed;            /* quit asked once with a sale open */
	int64_t last_txn;          /* the sale finished last (F8 from the
	                              next sale's amount voids it), 0 none */
	char price_code[EV_CODE_MAX]; /* EXCHANGE code waiting for a price */
	int price_manual;
	struct checkout_txn tmp;   /* scratch for checkout_load */
	char ids[TXN_LIST_MAX][40];/* TXNS: txn id per line */

	struct ev_scan diag[DIAG_MAX];
	int ndiag, diag_next;

	uint64_t last_input_ms;
	uint64_t next_tick_ms;
	uint64_t next_cache_ms;    /* cache stats count codes: every 30 s */
	int64_t oldest_def;        /* oldest stock/card fetch (epoch), 0 */
	int done;

	/* the redeem out to WeChat, and what came in meanwhile */
	struct redeem *rd;
	uint64_t redeem_t_us;      /* the confirm key's time */
	struct ev held[HELD_MAX];
	int nheld;
};

static const char *const cmd_names[SC_COUNT] = {
	"none", "submit", "confirm", "cancel", "new", "help", "txns",
	"xreport", "zreport", "diag", "settings", "void", "logout", "quit",
	"up", "down", "detail", "remove", "override", "idle"
};

const char *
session_cmd_name(enum session_cmd c)
{
	return c >= 0 && c < SC_COUNT ? cmd_names[c] : "none";
}

enum session_cmd
session_cmd_parse(const char *name)
{
	int i;

	for (i = 1; i < SC_COUNT; i++)
		if (strcmp(cmd_names[i], name) == 0)
			return (enum session_cmd)i;
	return SC_NONE;
}

static const char *
action_id(enum view_action a)
{
	switch (a) {
	case VIEW_A_VOID: return "void";
	case VIEW_A_OVERRIDE: return "offline_override";
	case VIEW_A_ZREPORT: return "zreport";
	case VIEW_A_EXIT: return "exit";
	case VIEW_A_NONE: break;
	}
	return "none";
}

static void
touch(struct session *s)
{
	s->v.gen++;
}

static void
set_msg(struct session *s, enum view_msg m, const char *text)
{
	s->v.msg = m;
	str_copy(s->v.msg_text, sizeof s->v.msg_text, text != NULL ? text : "");
}

static void
journal(struct session *s, const char *kind, int64_t txn, const char *who,
    const char *what, const char *why)
{
	json_t *d = json_object();

	if (who != NULL)
		json_object_set_new(d, "who", json_string(who));
	if (what != NULL)
		json_object_set_new(d, "what", json_string(what));
	if (why != NULL)
		json_object_set_new(d, "why", json_string(why));
	if (s->v.cashier[0] != '\0')
		json_object_set_new(d, "cashier", json_string(s->v.cashier));
	if (s->o.co != NULL && checkout_journal(s->o.co, kind, txn, d) != 0)
		log_warn("journal %s failed", kind);
	json_decref(d);
}

/* ---- mapping engine results to the view ------------------------------ */

static enum view_cstate
map_state(enum checkout_cstate c)
{
	switch (c) {
	case CHECKOUT_PRICED: return VIEW_C_PRICED;
	case CHECKOUT_REFUSED: return VIEW_C_REJECTED;
	case CHECKOUT_PENDING: return VIEW_C_PENDING;
	case CHECKOUT_CONFIRMED: return VIEW_C_CONFIRMED;
	case CHECKOUT_REJECTED: return VIEW_C_REJECTED;
	case CHECKOUT_UNKNOWN: return VIEW_C_UNKNOWN;
	case CHECKOUT_ACCEPTED_OFFLINE: return VIEW_C_OFFLINE;
	case CHECKOUT_RETURN_PENDING: return VIEW_C_RETURN_PENDING;
	case CHECKOUT_RETURNED: return VIEW_C_RETURNED;
	case CHECKOUT_CONFLICT: return VIEW_C_CONFLICT;
	}
	return VIEW_C_PENDING;
}

/* Refused for an offline cap (a manager may lift it)? */
static int
is_cap(const char *r)
{
	return reason_info(reason_parse(r))->cap;
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
	enum reason r = reason_parse(l->reason);
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
		c->r_t = used_at(s, l->code);
		break;
	case REASON_EXPIRED:
		c->r_t = l->verdict.valid_until;
		break;
	case REASON_NOT_YET_VALID:
		c->r_t = l->verdict.next_at != 0 ? l->verdict.next_at :
		    l->verdict.valid_from;
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
		str_copy(c->r_text, sizeof c->r_text, l->reason);
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
	c->state = map_state(l->state);
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
	}
	/* over an offline cap (rejected, or sent with no answer): a manager
	 * may accept it */
	if ((l->state == CHECKOUT_REJECTED || l->state == CHECKOUT_UNKNOWN) &&
	    is_cap(l->reason))
		c->state = VIEW_C_NEEDS_APPROVAL;
}

/* Copy the engine's txn into the view's sale; manual flags survive. */
static void
map_txn(struct session *s, const struct checkout_txn *t)
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
	if (t->id != 0)
		snprintf(s->v.txn, sizeof s->v.txn, "%lld", (long long)t->id);
	if (s->v.selected >= s->v.ncoupons)
		s->v.selected = s->v.ncoupons - 1;
}

/* Overall verdict of a redeemed sale: worst first. */
static enum view_verdict
sale_verdict(const struct view *v, int *worst)
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

static void
set_verdict(struct session *s, enum view_verdict vd, int idx,
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

static void
refresh_status(struct session *s)
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
				touch(s);
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
		s->next_cache_ms = tm_mono_ms() + 30000;
		if (card != 0 && (oldest == 0 || card < oldest))
			oldest = card;
		s->oldest_def = oldest;
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
			touch(s);
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
		touch(s);
	} else {
		s->v.cache_age_s = age;
	}
}

/* ---- screens ---------------------------------------------------------- */

static void
go(struct session *s, enum view_screen scr, enum view_field f)
{
	s->v.screen = scr;
	s->v.field = f;
	touch(s);
}

static void
clear_sale(struct session *s)
{
	s->v.txn[0] = '\0';
	s->v.amount_fen = s->v.discount_fen = s->v.due_fen = 0;
	s->v.ncoupons = 0;
	s->v.selected = -1;
	s->v.verdict = VIEW_V_NONE;
	s->v.verdict_coupon = -1;
	memset(&s->v.last, 0, sizeof s->v.last);
	if (s->cur_txn != 0)
		s->last_txn = s->cur_txn;
	s->cur_txn = 0;
}

/* Leave whatever sale is current: close a redeemed one, drop an open one. */
static void
end_sale(struct session *s)
{
	const struct checkout_txn *t;

	if (s->o.co == NULL)
		return;
	t = checkout_current(s->o.co);
	if (t == NULL)
		return;
	if (t->state == CHECKOUT_T_OPEN)
		checkout_cancel(s->o.co);
	else if (t->state == CHECKOUT_T_REDEEMED)
		checkout_close(s->o.co);
}

static void
to_amount(struct session *s)
{
	end_sale(s);
	clear_sale(s);
	go(s, VIEW_AMOUNT, VIEW_FIELD_AMOUNT);
}

static void
login_ok(struct session *s, const char *id, enum staff_role role)
{
	str_copy(s->v.cashier, sizeof s->v.cashier, id);
	s->v.role = role == STAFF_MANAGER ? VIEW_ROLE_MANAGER :
	    VIEW_ROLE_CASHIER;
	checkout_set_cashier(s->o.co, id);
	journal(s, "login", 0, id, NULL, NULL);
	set_msg(s, VIEW_M_NONE, NULL);
	to_amount(s);
}

static void
logout(struct session *s)
{
	end_sale(s);
	if (s->v.cashier[0] != '\0')
		journal(s, "logout", 0, s->v.cashier, NULL, NULL);
	s->v.cashier[0] = '\0';
	checkout_set_cashier(s->o.co, "");
	s->v.role = VIEW_ROLE_NONE;
	clear_sale(s);
	s->last_txn = 0; /* another cashier's sale is not "the last one" */
	s->login_id[0] = '\0';
	go(s, VIEW_LOGIN, VIEW_FIELD_CASHIER);
}

/* One PIN try, counted in the store with quan void's (staff_try): every
 * wrong one journaled, STAFF_PIN_TRIES in a row lock PIN entry. */
static int
check_pin(struct session *s, const char *id, const char *pin,
    enum staff_role *role)
{
	int64_t now = tm_now(), until;
	json_t *d;
	int rc;

	if (s->o.st != NULL && staff_locked(s->o.st, now, &until) == 1) {
		d = json_pack("{s:s, s:s, s:s}", "who", id, "why", "locked",
		    "cashier", s->v.cashier);
		(void)staff_try(s->o.st, now, -1, "login_failed", d);
		json_decref(d);
		set_msg(s, VIEW_M_LOCKED, NULL);
		return QUAN_EBUSY;
	}
	rc = staff_check(s->o.data_dir, id, pin, role);
	if (rc == QUAN_ENOTFOUND) {
		set_msg(s, VIEW_M_ERROR, "no staff yet: run quan staff add");
		return rc;
	}
	if (rc != 0) {
		d = json_pack("{s:s, s:s}", "who", id, "cashier",
		    s->v.cashier);
		if (s->o.st == NULL || staff_try(s->o.st, now, 0,
		    "login_failed", d) != 0)
			log_warn("journal login_failed failed");
		json_decref(d);
		set_msg(s, VIEW_M_BAD_LOGIN, NULL);
		return rc;
	}
	if (s->o.st != NULL)
		(void)staff_try(s->o.st, now, 1, NULL, NULL);
	return 0;
}

static void
on_login_submit(struct session *s, const char *text)
{
	enum staff_role role;

	if (s->v.field == VIEW_FIELD_CASHIER) {
		if (text[0] == '\0')
			return;
		str_copy(s->login_id, sizeof s->login_id, text);
		set_msg(s, VIEW_M_NONE, NULL);
		go(s, VIEW_LOGIN, VIEW_FIELD_PIN);
		return;
	}
	if (check_pin(s, s->login_id, text, &role) == 0) {
		login_ok(s, s->login_id, role);
		return;
	}
	go(s, VIEW_LOGIN, VIEW_FIELD_CASHIER);
}

static void
on_amount_submit(struct session *s, const char *text)
{
	int64_t fen;
	int rc;

	if (text[0] == '\0')
		return;
	if (money_parse_yuan(text, &fen) != 0) {
		set_msg(s, VIEW_M_BAD_AMOUNT, NULL);
		touch(s);
		return;
	}
	end_sale(s);
	clear_sale(s);
	rc = checkout_open(s->o.co, fen);
	if (rc != 0) {
		set_msg(s, VIEW_M_ERROR, quan_strerror(rc));
		touch(s);
		return;
	}
	s->v.amount_fen = fen;
	s->v.due_fen = fen;
	set_msg(s, VIEW_M_NONE, NULL);
	go(s, VIEW_BASKET, VIEW_FIELD_CODE);
}

static void
add_diag(struct session *s, const struct ev_scan *sc)
{
	s->diag[s->diag_next] = *sc;
	s->diag_next = (s->diag_next + 1) % DIAG_MAX;
	if (s->ndiag < DIAG_MAX)
		s->ndiag++;
}

static void
on_scan(struct session *s, const struct ev *ev)
{
	const struct ev_scan *sc = &ev->u.scan;
	const struct checkout_txn *t;
	struct view_coupon c;
	int rc, line = -1;
	size_t len;

	add_diag(s, sc);
	if (s->v.screen == VIEW_DIAG) {
		/* stay on the diagnostics screen: show the new scan */
		session_dispatch(s, &(struct ev){ .type = EV_KEY,
		    .u.key.cmd = SC_DIAG });
		return;
	}
	if (s->v.screen == VIEW_RESULT && s->v.role != VIEW_ROLE_NONE) {
		/* a coupon for the next customer before an amount */
		set_msg(s, VIEW_M_ERROR, "enter the amount first");
		touch(s);
		return;
	}
	if (s->v.screen != VIEW_BASKET) {
		if (s->v.screen == VIEW_AMOUNT) {
			set_msg(s, VIEW_M_ERROR, "enter the amount first");
			touch(s);
		}
		return;
	}
	s->v.field = VIEW_FIELD_CODE; /* a scan ends an item-price prompt */
	if (sc->source == SCAN_SRC_MANUAL) {
		/* typed by hand: the journal says so (code masked) */
		char masked[64];

		log_mask(sc->text, masked, sizeof masked);
		journal(s, "manual_entry", 0, s->v.cashier, masked, NULL);
	}
	memset(&c, 0, sizeof c);
	len = strlen(sc->text);
	if (len == 0) {
		/* bytes that are not clean text: refuse with the reason */
		snprintf(c.code, sizeof c.code, "(%zu bytes)", sc->raw_len);
		c.state = VIEW_C_REJECTED;
		c.reason = VIEW_R_GARBAGE;
		s->v.last = c;
		s->v.verdict = VIEW_V_REJECTED;
		s->v.verdict_seq++;
		s->v.verdict_scan_us = sc->t_mono_us;
		s->v.verdict_coupon = -1;
		touch(s);
		return;
	}
	rc = checkout_add(s->o.co, sc->text, len, -1, &line);
	if (rc != 0) {
		set_msg(s, VIEW_M_ERROR, rc == QUAN_EFULL ?
		    "the sale is full" : quan_strerror(rc));
		touch(s);
		return;
	}
	t = checkout_current(s->o.co);
	map_txn(s, t);
	if (line >= 0 && line < s->v.ncoupons) {
		s->v.coupons[line].manual = sc->source == SCAN_SRC_MANUAL;
		s->v.selected = line;
		set_verdict(s, s->v.coupons[line].state == VIEW_C_REJECTED ?
		    VIEW_V_REJECTED : VIEW_V_INFO, line, sc->t_mono_us);
		if (t->lines[line].state == CHECKOUT_REFUSED &&
		    strcmp(t->lines[line].reason, "needs_item_price") == 0) {
			/* an exchange coupon: ask what the item costs */
			str_copy(s->price_code, sizeof s->price_code, sc->text);
			s->price_manual = sc->source == SCAN_SRC_MANUAL;
			checkout_remove(s->o.co, line);
			map_txn(s, checkout_current(s->o.co));
			s->v.verdict = VIEW_V_NONE;
			s->v.last = s->v.coupons[0];
			go(s, VIEW_BASKET, VIEW_FIELD_ITEM_PRICE);
			return;
		}
		if (s->v.coupons[line].state == VIEW_C_REJECTED &&
		    t->lines[line].state == CHECKOUT_REFUSED) {
			/* a refused line does not stay in the basket: the
			 * verdict box keeps its reason */
			checkout_remove(s->o.co, line);
			map_txn(s, checkout_current(s->o.co));
		}
	}
	set_msg(s, VIEW_M_NONE, NULL);
	touch(s);
}

static void
show_result(struct session *s, uint64_t t_us)
{
	int worst;
	enum view_verdict vd = sale_verdict(&s->v, &worst);

	set_verdict(s, vd, worst, t_us);
	go(s, VIEW_RESULT, VIEW_FIELD_AMOUNT);
}

static int
needs_approval(const struct view *v)
{
	int i;

	for (i = 0; i < v->ncoupons; i++)
		if (v->coupons[i].state == VIEW_C_NEEDS_APPROVAL)
			return 1;
	return 0;
}

/* First line of the current redeemed sale refused for an offline cap (a
 * manager may still accept it), or -1. */
static int
over_cap(struct session *s)
{
	const struct checkout_txn *t = checkout_current(s->o.co);
	int i;

	if (t == NULL || t->state != CHECKOUT_T_REDEEMED)
		return -1;
	for (i = 0; i < t->nlines && i < s->v.ncoupons; i++)
		if ((t->lines[i].state == CHECKOUT_REJECTED ||
		    t->lines[i].state == CHECKOUT_UNKNOWN) &&
		    is_cap(t->lines[i].reason))
			return i;
	return -1;
}

static void
start_approval(struct session *s, enum view_action a, int64_t txn)
{
	s->back = s->v.screen;
	s->v.action = a;
	s->v.approve_step = 0;
	s->act_txn = txn;
	/* the sale approved is the action's (a void from the sales list
	 * is not the current sale; a Z report has none) */
	if (txn > 0)
		snprintf(s->v.act_txn, sizeof s->v.act_txn, "%lld",
		    (long long)txn);
	else
		s->v.act_txn[0] = '\0';
	s->appr_id[0] = '\0';
	go(s, VIEW_APPROVE, VIEW_FIELD_CASHIER);
}

/* The redeem is decided (rc: checkout_decide's): show its verdicts. */
static void
redeemed(struct session *s, int rc, uint64_t t_us)
{
	const struct checkout_txn *t = checkout_current(s->o.co);
	int i;

	s->v.redeeming = 0;
	s->v.redeem_ms = 0;
	if (rc != 0) {
		set_msg(s, VIEW_M_ERROR, quan_strerror(rc));
		touch(s);
		if (t == NULL || t->id == 0)
			return;
		/* The sale could not be recorded (disk full, I/O error):
		 * whatever WeChat answered, the till must grant nothing,
		 * because the recovery of this open sale voids it and gives
		 * its coupons back. Showing the in-memory CONFIRMED here let
		 * a customer keep both the coupon and the discount. */
		s->cur_txn = t->id;
		map_txn(s, t);
		for (i = 0; i < s->v.ncoupons; i++) {
			s->v.coupons[i].state = VIEW_C_REJECTED;
			s->v.coupons[i].reason = VIEW_R_OTHER;
			s->v.coupons[i].r_code = REASON_OTHER;
			s->v.coupons[i].discount_fen = 0;
			str_copy(s->v.coupons[i].r_text,
			    sizeof s->v.coupons[i].r_text,
			    "sale NOT recorded: give no discount");
		}
		s->v.discount_fen = 0;
		s->v.due_fen = s->v.amount_fen;
		show_result(s, t_us);
		set_msg(s, VIEW_M_ERROR, quan_strerror(rc));
		return;
	}
	s->cur_txn = t->id;
	map_txn(s, t);
	if (needs_approval(&s->v)) {
		for (i = 0; i < s->v.ncoupons; i++)
			if (s->v.coupons[i].state == VIEW_C_NEEDS_APPROVAL)
				break;
		s->v.last = s->v.coupons[i];
		s->v.screen = VIEW_RESULT;
		start_approval(s, VIEW_A_OVERRIDE, s->cur_txn);
		return;
	}
	show_result(s, t_us);
}

/* Decide the redeem out if its wait is over; then handle what was held
 * back meanwhile, in order. */
static void
redeem_check(struct session *s)
{
	struct ev *ev;
	int i, n;

	if (!redeem_step(s->rd)) {
		if (redeem_active(s->rd) && s->v.redeem_ms / REDEEM_SHOW_MS !=
		    redeem_elapsed_ms(s->rd) / REDEEM_SHOW_MS) {
			s->v.redeem_ms = (uint32_t)redeem_elapsed_ms(s->rd);
			touch(s);
		}
		return;
	}
	redeemed(s, redeem_rc(s->rd), s->redeem_t_us);
	n = s->nheld;
	s->nheld = 0;
	ev = xmalloc((size_t)n * sizeof *ev + 1);
	memcpy(ev, s->held, (size_t)n * sizeof *ev);
	for (i = 0; i < n; i++)
		session_dispatch(s, &ev[i]);
	free(ev);
}

static void
on_confirm(struct session *s, const struct ev *ev)
{
	const struct checkout_txn *t;
	int rc;

	if (s->v.screen != VIEW_BASKET)
		return;
	t = checkout_current(s->o.co);
	if (t == NULL || t->state != CHECKOUT_T_OPEN || t->nlines == 0) {
		set_msg(s, VIEW_M_EMPTY_BASKET, NULL);
		touch(s);
		return;
	}
	if ((rc = redeem_start(s->rd)) != 0) {
		/* the first commit failed: nothing written, basket open */
		redeemed(s, rc, ev->t_mono_us);
		return;
	}
	s->redeem_t_us = ev->t_mono_us;
	if (redeem_active(s->rd)) {
		/* out to WeChat: the loop goes on (keys, clock, status) */
		s->v.redeeming = 1;
		s->v.redeem_ms = 0;
		touch(s);
		return;
	}
	redeem_check(s);
}

/* ---- list screens ----------------------------------------------------- */

static void
lines_reset(struct session *s, const char *title)
{
	s->v.nlines = 0;
	s->v.selected = 0;
	str_copy(s->v.title, sizeof s->v.title, title);
}

static void
line_add(struct session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
line_add(struct session *s, const char *fmt, ...)
{
	va_list ap;

	if (s->v.nlines >= VIEW_LINES_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(s->v.lines[s->v.nlines], VIEW_LINE_MAX, fmt, ap);
	va_end(ap);
	s->v.nlines++;
}

static int64_t
day_start(int64_t now)
{
	int sec, wday;

	tm_local_day(now, &sec, &wday);
	return now - sec;
}

static int64_t
period_start(struct session *s, int64_t now)
{
	char b[32];
	char *end;
	long long v;

	if (s->o.st != NULL &&
	    store_meta_get(s->o.st, "zreport_last_at", b, sizeof b) == 0) {
		v = strtoll(b, &end, 10);
		if (*end == '\0' && v > 0 && v <= now)
			return v;
	}
	return day_start(now);
}

struct txn_collect {
	int64_t ids[TXN_LIST_MAX];
	int n;
	const char *filter;
};

static int
txn_collect_cb(void *arg, const struct store_red *r)
{
	struct txn_collect *c = arg;
	int i;

	if (c->filter[0] != '\0' && strstr(r->code, c->filter) == NULL)
		return 0;
	for (i = 0; i < c->n; i++)
		if (c->ids[i] == r->txn_id)
			return 0;
	if (c->n < TXN_LIST_MAX)
		c->ids[c->n++] = r->txn_id;
	else {
		/* keep the newest: shift */
		memmove(c->ids, c->ids + 1, (TXN_LIST_MAX - 1) *
		    sizeof c->ids[0]);
		c->ids[TXN_LIST_MAX - 1] = r->txn_id;
	}
	return 0;
}

static void
show_txns(struct session *s, const char *filter)
{
	struct txn_collect c;
	struct store_txn t;
	int64_t now = tm_now(), id;
	char a[32], d[32], hm[16], *end;
	struct tm lt;
	int i;

	memset(&c, 0, sizeof c);
	c.filter = filter;
	lines_reset(s, filter[0] != '\0' ? filter : "");
	if (filter[0] != '\0') {
		id = strtoll(filter, &end, 10);
		if (*end == '\0' && id > 0 && s->o.st != NULL &&
		    store_txn_get(s->o.st, id, &t) == 0) {
			c.ids[c.n++] = id;
			c.filter = "\x01"; /* no code matches */
		}
	}
	if (s->o.st != NULL)
		store_red_list(s->o.st, day_start(now), now + 1, NULL,
		    txn_collect_cb, &c);
	for (i = c.n - 1; i >= 0; i--) {
		if (s->o.st == NULL ||
		    store_txn_get(s->o.st, c.ids[i], &t) != 0)
			continue;
		tm_local(t.opened_at, &lt);
		strftime(hm, sizeof hm, "%H:%M", &lt);
		snprintf(s->ids[s->v.nlines], sizeof s->ids[0], "%lld",
		    (long long)t.id);
		line_add(s, "#%-6lld %s  %10s  -> %10s  %-9s %s",
		    (long long)t.id, hm,
		    money_format(t.amount_fen, a, sizeof a),
		    money_format(t.due_fen, d, sizeof d), t.state, t.cashier);
	}
	if (s->v.nlines == 0)
		line_add(s, "%s", "No sales yet today");
	go(s, VIEW_TXNS, VIEW_FIELD_SEARCH);
}

struct counts {
	struct session *s;
	struct report_figs f;     /* core/report.h: one definition each */
};

static int
counts_cb(void *arg, const char *state, int64_t n, int64_t fen)
{
	struct counts *c = arg;
	char m[32];

	line_add(c->s, "%s\t%lld  \xc2\xa5%s", state, (long long)n,
	    money_format(fen, m, sizeof m));
	report_add(&c->f, state, NULL, n, fen);
	return 0;
}

/* The voids of a report's period: who approved, why, the coupon value of
 * the sale (from the journal's void_txn and approval entries). */
#define REPORT_VOIDS_MAX 32
struct voids {
	struct store *st;
	int64_t n, fen;
	int shown;
	struct {
		int64_t txn;
		char by[32], why[64];
	} v[REPORT_VOIDS_MAX];
};

static int
void_cb(void *arg, const struct store_jrow *j)
{
	struct voids *v = arg;
	struct store_txn t;
	json_t *d = json_loads(j->data, 0, NULL);
	const char *by = json_string_value(json_object_get(d, "by"));

	v->n++;
	if (store_txn_get(v->st, j->txn_id, &t) == 0)
		v->fen += t.discount_fen;
	if (v->shown < REPORT_VOIDS_MAX) {
		v->v[v->shown].txn = j->txn_id;
		str_copy(v->v[v->shown].by, sizeof v->v[v->shown].by,
		    by != NULL ? by : "");
		v->v[v->shown].why[0] = '\0';
		v->shown++;
	}
	json_decref(d);
	return 0;
}

static int
void_why_cb(void *arg, const struct store_jrow *j)
{
	struct voids *v = arg;
	json_t *d = json_loads(j->data, 0, NULL);
	const char *what = json_string_value(json_object_get(d, "what"));
	const char *why = json_string_value(json_object_get(d, "why"));
	int i;

	if (what != NULL && strcmp(what, "void") == 0 && why != NULL)
		for (i = 0; i < v->shown; i++)
			if (v->v[i].txn == j->txn_id)
				str_copy(v->v[i].why, sizeof v->v[i].why, why);
	json_decref(d);
	return 0;
}

static void
report_voids(struct session *s, int64_t from)
{
	struct voids *v = xcalloc(1, sizeof *v);
	char m[32];
	int i;

	v->st = s->o.st;
	if (store_journal_kind(s->o.st, "void_txn", from, void_cb, v) != 0 ||
	    store_journal_kind(s->o.st, "approval", from, void_why_cb,
	    v) != 0)
		log_warn("report: reading the voids failed");
	line_add(s, "Voids\t%lld  \xc2\xa5%s", (long long)v->n,
	    money_format(v->fen, m, sizeof m));
	for (i = 0; i < v->shown; i++)
		line_add(s, "Voided sale\t%lld: %s%s%s%s",
		    (long long)v->v[i].txn, v->v[i].by, v->v[i].why[0] != '\0' ? " (" : "",
		    v->v[i].why, v->v[i].why[0] != '\0' ? ")" : "");
	free(v);
}

static void
show_report(struct session *s, int z, const char *approver, const char *why)
{
	int64_t now = tm_now(), from = period_start(s, now), zno = 0;
	int64_t off_n = 0, exposure = 0, seq = 0;
	char hash[65] = "", m[32], t1[32], t2[32], b[32];
	struct counts c;
	struct tm lt;
	int rc;

	memset(&c, 0, sizeof c);
	c.s = s;
	lines_reset(s, z ? "Z report" : "X report");
	s->v.zreport = z;
	if (s->o.st == NULL) {
		go(s, VIEW_REPORT, VIEW_FIELD_NONE);
		return;
	}
	if (z) {
		if (store_begin(s->o.st) == 0 &&
		    store_seq_next(s->o.st, "zreport", &zno) == 0) {
			snprintf(b, sizeof b, "%lld", (long long)now);
			store_meta_set(s->o.st, "zreport_last_at", b);
			rc = store_commit(s->o.st);
		} else {
			store_rollback(s->o.st);
			rc = QUAN_EIO;
		}
		if (rc != 0) {
			set_msg(s, VIEW_M_ERROR, "cannot number the Z report");
			go(s, VIEW_REPORT, VIEW_FIELD_NONE);
			return;
		}
		line_add(s, "Z number\t%lld", (long long)zno);
	}
	tm_local(from, &lt);
	strftime(t1, sizeof t1, "%Y-%m-%d %H:%M", &lt);
	tm_local(now, &lt);
	strftime(t2, sizeof t2, "%Y-%m-%d %H:%M", &lt);
	line_add(s, "Period\t%s .. %s", t1, t2);
	line_add(s, "Terminal\t%s", s->v.term_id);
	line_add(s, "%s", "Coupons by state (count, discount):");
	store_red_counts(s->o.st, from, now + 1, counts_cb, &c);
	line_add(s, "Redeemed (confirmed + offline)\t%lld  \xc2\xa5%s",
	    (long long)c.f.n[REPORT_REDEEMED],
	    money_format(c.f.fen[REPORT_REDEEMED], m, sizeof m));
	/* used at WeChat, sale voided, no return exists: not redeemed
	 * value, but the customer's coupon is gone */
	line_add(s, "Voided, not returnable (card)\t%lld  \xc2\xa5%s",
	    (long long)c.f.n[REPORT_KEPT],
	    money_format(c.f.fen[REPORT_KEPT], m, sizeof m));
	line_add(s, "Conflicts (used elsewhere)\t%lld",
	    (long long)c.f.n[REPORT_CONFLICT]);
	line_add(s, "Rejected\t%lld", (long long)c.f.n[REPORT_REJECTED]);
	report_voids(s, from);
	store_offline_stats(s->o.st, from, &off_n, &exposure);
	line_add(s, "Accepted offline\t%lld", (long long)off_n);
	line_add(s, "Offline exposure (unsettled)\t\xc2\xa5%s",
	    money_format(exposure, m, sizeof m));
	line_add(s, "Outbox (to settle)\t%d", s->v.outbox);
	store_journal_last(s->o.st, &seq, hash);
	line_add(s, "Journal entries\t%lld", (long long)seq);
	line_add(s, "Journal chain head\t%.32s", hash);
	if (hash[0] != '\0')
		line_add(s, "%s", hash + 32);
	if (z) {
		line_add(s, "Approved by\t%s (%s)", approver, why);
		snprintf(b, sizeof b, "%lld", (long long)zno);
		journal(s, "zreport", 0, approver, b, why);
		set_msg(s, VIEW_M_ZDONE, b);
	}
	go(s, VIEW_REPORT, VIEW_FIELD_NONE);
}

static void
show_diag(struct session *s)
{
	int i, k;
	const struct ev_scan *d;
	char txt[64];

	lines_reset(s, "");
	line_add(s, "%s", "Last scans, newest first:");
	for (i = 0; i < s->ndiag; i++) {
		k = (s->diag_next - 1 - i + 2 * DIAG_MAX) % DIAG_MAX;
		d = &s->diag[k];
		str_copy(txt, sizeof txt, d->text[0] != '\0' ? d->text :
		    "(not text)");
		line_add(s, "%-20.20s %-8.8s %-7.7s %3zu B gap %3u ms %s",
		    d->source_name, d->symbology[0] ? d->symbology : "-",
		    d->encoding[0] ? d->encoding : "-", d->raw_len,
		    d->ikt_max_ms, txt);
	}
	if (s->ndiag == 0)
		line_add(s, "%s", "No scans yet");
	go(s, VIEW_DIAG, VIEW_FIELD_NONE);
}

static void
show_settings(struct session *s)
{
	const struct config *c = s->o.cfg;
	char m[32];
	int i;

	lines_reset(s, "");
	if (c == NULL) {
		go(s, VIEW_SETTINGS, VIEW_FIELD_NONE);
		return;
	}
	line_add(s, "Config file\t%s", c->path[0] ? c->path : "(defaults)");
	line_add(s, "Terminal\t%s", c->term_id);
	line_add(s, "Store\t%s", c->store_id);
	line_add(s, "Timezone\t%s", c->timezone);
	line_add(s, "WeChat Pay URL\t%s", c->wx_base_url);
	line_add(s, "Online wait\t%d ms", c->wx_online_wait_ms);
	line_add(s, "Offline: max one coupon\t\xc2\xa5%s",
	    money_format(c->off_max_coupon_fen, m, sizeof m));
	line_add(s, "Offline: max per hour\t%d", c->off_max_per_hour);
	line_add(s, "Offline: max exposure\t\xc2\xa5%s",
	    money_format(c->off_max_exposure_fen, m, sizeof m));
	line_add(s, "Offline: max cache age\t%lld s",
	    (long long)c->off_max_cache_age_s);
	line_add(s, "Offline: default policy\t%s",
	    config_policy_name(c->off_default_policy));
	for (i = 0; i < c->ntargets; i++)
		line_add(s, "%s %s\t%s",
		    c->targets[i].kind == CONFIG_STOCK ? "stock" : "card",
		    c->targets[i].id, config_policy_name(config_policy_of(c,
		    c->targets[i].kind, c->targets[i].id)));
	go(s, VIEW_SETTINGS, VIEW_FIELD_NONE);
}

static void
show_detail(struct session *s)
{
	const struct checkout_txn *t = NULL;
	const struct checkout_line *l;
	char m[32];
	int i = s->v.selected;

	if (s->o.co != NULL)
		t = checkout_current(s->o.co);
	if (t == NULL || i < 0 || i >= t->nlines)
		return;
	l = &t->lines[i];
	s->back = s->v.screen;
	lines_reset(s, "");
	line_add(s, "Code\t%s", l->code);
	line_add(s, "Kind\t%s", l->kind_id);
	line_add(s, "Type\t%s", l->coupon_type);
	line_add(s, "Stock / card\t%s", l->target);
	line_add(s, "Name\t%s", l->name);
	line_add(s, "State\t%s", checkout_cstate_name(l->state));
	line_add(s, "Reason\t%s", l->reason);
	line_add(s, "Discount\t\xc2\xa5%s",
	    money_format(l->discount_fen, m, sizeof m));
	if (l->request_no[0] != '\0')
		line_add(s, "Request no\t%s", l->request_no);
	if (l->offline_reason[0] != '\0')
		line_add(s, "Offline decision\t%s", l->offline_reason);
	if (l->needs_confirm)
		line_add(s, "%s", "Hand over the item, then confirm");
	go(s, VIEW_DETAIL, VIEW_FIELD_NONE);
	s->v.selected = -1;
}

/* ---- approvals -------------------------------------------------------- */

static const char *
reason_word(const char *t)
{
	if (strcmp(t, "1") == 0) return "wrong item";
	if (strcmp(t, "2") == 0) return "customer changed mind";
	if (strcmp(t, "3") == 0) return "offline risk accepted";
	if (strcmp(t, "4") == 0) return "end of day";
	return t;
}

static void
approval_back(struct session *s)
{
	s->v.action = VIEW_A_NONE;
	s->v.approve_step = 0;
	switch (s->back) {
	case VIEW_RESULT:
		go(s, VIEW_RESULT, VIEW_FIELD_AMOUNT);
		break;
	case VIEW_BASKET:
		go(s, VIEW_BASKET, VIEW_FIELD_CODE);
		break;
	case VIEW_TXNS:
		go(s, VIEW_TXNS, VIEW_FIELD_SEARCH);
		break;
	case VIEW_LOGIN:
		go(s, VIEW_LOGIN, VIEW_FIELD_CASHIER);
		break;
	default:
		go(s, VIEW_AMOUNT, VIEW_FIELD_AMOUNT);
		break;
	}
}

/* Lines still over a cap after the manager step: not accepted. Shown as
 * rejected when the engine rejected them, as "waiting for WeChat" when
 * they were sent (WeChat may still confirm them; the screen follows). */
static void
declined(struct session *s)
{
	const struct checkout_txn *t = checkout_current(s->o.co);
	int i;

	for (i = 0; i < s->v.ncoupons; i++)
		if (s->v.coupons[i].state == VIEW_C_NEEDS_APPROVAL)
			s->v.coupons[i].state = t != NULL && i < t->nlines &&
			    t->lines[i].state == CHECKOUT_UNKNOWN ?
			    VIEW_C_UNKNOWN : VIEW_C_REJECTED;
}

/* Accept every line over an offline cap, as manager who approved. */
static int
session_override(struct session *s, const char *who, const char *why)
{
	const struct checkout_txn *t = checkout_current(s->o.co);
	int i, rc = 0;

	for (i = 0; t != NULL && i < t->nlines; i++) {
		if ((t->lines[i].state != CHECKOUT_REJECTED &&
		    t->lines[i].state != CHECKOUT_UNKNOWN) ||
		    !is_cap(t->lines[i].reason))
			continue;
		rc = checkout_override(s->o.co, i, who, why);
		if (rc != 0)
			break;
		t = checkout_current(s->o.co);
	}
	return rc;
}

/* The message after a void: which coupons cannot be given back (a card
 * code consumed at WeChat has no return), by name or masked code. */
static void
void_msg(struct session *s, int64_t txn, const char *id)
{
	char t[VIEW_ERR_MAX], m[64];
	size_t o;
	int i, kept = 0, others = 0;

	if (checkout_load(s->o.co, txn, &s->tmp) != 0) {
		set_msg(s, VIEW_M_VOIDED, id);
		return;
	}
	o = (size_t)snprintf(t, sizeof t, "%s\t", id);
	for (i = 0; i < s->tmp.nlines; i++) {
		const struct checkout_line *l = &s->tmp.lines[i];

		if (strcmp(l->reason, "voided_not_returnable") != 0) {
			if (l->state == CHECKOUT_RETURN_PENDING ||
			    l->state == CHECKOUT_RETURNED)
				others++;
			continue;
		}
		if (o < sizeof t)
			o += (size_t)snprintf(t + o, sizeof t - o, "%s%s",
			    kept > 0 ? ", " : "", l->name[0] != '\0' ?
			    l->name : log_mask(l->code, m, sizeof m));
		kept++;
	}
	if (kept == 0)
		set_msg(s, VIEW_M_VOIDED, id);
	else
		set_msg(s, others > 0 ? VIEW_M_VOIDED_KEPT :
		    VIEW_M_VOIDED_KEPT_ALL, t);
}

static void
do_action(struct session *s, const char *why)
{
	char *cause = NULL, b[40];
	const struct checkout_txn *t;
	int rc;
	enum view_action a = s->v.action;

	snprintf(b, sizeof b, "%lld", (long long)s->act_txn);
	/* a void's approval is journaled once the void is done: no
	 * approval entry for a void that failed */
	if (a != VIEW_A_VOID)
		journal(s, "approval", s->act_txn, s->appr_id, action_id(a),
		    why);
	switch (a) {
	case VIEW_A_VOID:
		rc = checkout_void(s->o.co, s->act_txn, s->appr_id, &cause);
		s->v.action = VIEW_A_NONE;
		if (rc != 0) {
			set_msg(s, VIEW_M_ERROR, cause != NULL ? cause :
			    quan_strerror(rc));
			free(cause);
			approval_back(s);
			return;
		}
		journal(s, "approval", s->act_txn, s->appr_id, action_id(a),
		    why);
		void_msg(s, s->act_txn, b);
		if (s->act_txn == s->cur_txn &&
		    checkout_load(s->o.co, s->cur_txn, &s->tmp) == 0) {
			map_txn(s, &s->tmp);
			go(s, VIEW_RESULT, VIEW_FIELD_AMOUNT);
		} else if (s->back == VIEW_TXNS) {
			show_txns(s, "");
		} else {
			go(s, VIEW_AMOUNT, VIEW_FIELD_AMOUNT);
		}
		return;
	case VIEW_A_OVERRIDE:
		s->v.action = VIEW_A_NONE;
		rc = session_override(s, s->appr_id, why);
		t = checkout_current(s->o.co);
		if (t != NULL)
			map_txn(s, t);
		if (rc != 0)
			set_msg(s, VIEW_M_ERROR, rc == QUAN_ENOTSUP ?
			    "override not available: coupon stays rejected" :
			    rc == QUAN_EEXIST ? "override refused: another "
			    "sale used this coupon meanwhile" :
			    quan_strerror(rc));
		else
			set_msg(s, VIEW_M_APPROVED, s->appr_id);
		declined(s);
		show_result(s, 0);
		return;
	case VIEW_A_ZREPORT:
		s->v.action = VIEW_A_NONE;
		show_report(s, 1, s->appr_id, why);
		return;
	case VIEW_A_EXIT:
		s->v.action = VIEW_A_NONE;
		s->done = 1;
		set_msg(s, VIEW_M_APPROVED, s->appr_id);
		touch(s);
		return;
	case VIEW_A_NONE:
		break;
	}
	approval_back(s);
}

static void
on_approve_submit(struct session *s, const char *text)
{
	enum staff_role role;

	switch (s->v.approve_step) {
	case 0:
		if (text[0] == '\0')
			return;
		str_copy(s->appr_id, sizeof s->appr_id, text);
		s->v.approve_step = 1;
		set_msg(s, VIEW_M_NONE, NULL);
		touch(s);
		return;
	case 1:
		if (check_pin(s, s->appr_id, text, &role) != 0) {
			s->v.approve_step = 0;
			touch(s);
			return;
		}
		if (role != STAFF_MANAGER) {
			journal(s, "approval_refused", s->act_txn, s->appr_id,
			    action_id(s->v.action), "not a manager");
			set_msg(s, VIEW_M_NOT_MANAGER, NULL);
			s->v.approve_step = 0;
			touch(s);
			return;
		}
		s->v.approve_step = 2;
		set_msg(s, VIEW_M_NONE, NULL);
		touch(s);
		return;
	default:
		if (text[0] == '\0') {
			set_msg(s, VIEW_M_NEED_REASON, NULL);
			touch(s);
			return;
		}
		set_msg(s, VIEW_M_NONE, NULL);
		do_action(s, reason_word(text));
		return;
	}
}

static void
on_cancel(struct session *s)
{
	switch (s->v.screen) {
	case VIEW_LOGIN:
		go(s, VIEW_LOGIN, VIEW_FIELD_CASHIER);
		break;
	case VIEW_APPROVE:
		if (s->v.action == VIEW_A_OVERRIDE) {
			declined(s);
			journal(s, "override_declined", s->act_txn,
			    s->v.cashier, NULL, NULL);
			s->v.action = VIEW_A_NONE;
			set_msg(s, VIEW_M_CANCELLED, NULL);
			show_result(s, 0);
			return;
		}
		set_msg(s, VIEW_M_CANCELLED, NULL);
		approval_back(s);
		break;
	case VIEW_BASKET:
		if (s->v.field == VIEW_FIELD_ITEM_PRICE) {
			go(s, VIEW_BASKET, VIEW_FIELD_CODE);
			break;
		}
		/* drop the unredeemed sale */
		to_amount(s);
		set_msg(s, VIEW_M_CANCELLED, NULL);
		break;
	case VIEW_DETAIL:
		if (s->back == VIEW_BASKET)
			go(s, VIEW_BASKET, VIEW_FIELD_CODE);
		else if (s->back == VIEW_RESULT)
			go(s, VIEW_RESULT, VIEW_FIELD_AMOUNT);
		else
			go(s, VIEW_AMOUNT, VIEW_FIELD_AMOUNT);
		break;
	case VIEW_TXNS:
	case VIEW_REPORT:
	case VIEW_DIAG:
	case VIEW_SETTINGS:
	case VIEW_HELP:
		if (s->v.role == VIEW_ROLE_NONE)
			go(s, VIEW_LOGIN, VIEW_FIELD_CASHIER);
		else if (s->cur_txn != 0 || s->v.ncoupons > 0) {
			/* back to the sale that was on screen */
			if (s->cur_txn != 0 && s->o.co != NULL &&
			    checkout_load(s->o.co, s->cur_txn, &s->tmp) == 0)
				map_txn(s, &s->tmp);
			go(s, s->cur_txn != 0 ? VIEW_RESULT : VIEW_BASKET,
			    s->cur_txn != 0 ? VIEW_FIELD_AMOUNT :
			    VIEW_FIELD_CODE);
		} else
			go(s, VIEW_AMOUNT, VIEW_FIELD_AMOUNT);
		break;
	default:
		break;
	}
}

static void
on_void(struct session *s)
{
	int64_t id = 0;
	char *end;

	if (s->v.screen == VIEW_TXNS && s->v.selected >= 0 &&
	    s->v.selected < s->v.nlines) {
		id = strtoll(s->ids[s->v.selected], &end, 10);
		if (*end != '\0')
			id = 0;
	} else if (s->cur_txn != 0) {
		id = s->cur_txn;
	} else if (s->last_txn != 0 && s->v.screen == VIEW_AMOUNT &&
	    s->v.ncoupons == 0) {
		/* right after a sale: that one (the approval screen names
		 * it, so the manager sees which sale is voided) */
		id = s->last_txn;
	}
	if (id <= 0) {
		set_msg(s, VIEW_M_NOTHING_TO_VOID, NULL);
		touch(s);
		return;
	}
	snprintf(s->v.txn, sizeof s->v.txn, "%lld", (long long)id);
	start_approval(s, VIEW_A_VOID, id);
}

/* A code typed at the scan field and sent as SUBMIT, or a retried code. */
static void
manual_code(struct session *s, const struct ev *ev, const char *text,
    enum scan_source src)
{
	struct ev *e = xcalloc(1, sizeof *e);

	e->type = EV_SCAN;
	e->t_mono_us = ev->t_mono_us;
	e->u.scan.source = src;
	str_copy(e->u.scan.source_name, sizeof e->u.scan.source_name,
	    src == SCAN_SRC_MANUAL ? "manual" : "keyboard");
	str_copy(e->u.scan.text, sizeof e->u.scan.text, text);
	e->u.scan.raw_len = strlen(e->u.scan.text);
	memcpy(e->u.scan.raw, e->u.scan.text, e->u.scan.raw_len);
	e->u.scan.t_mono_us = ev->t_mono_us;
	on_scan(s, e);
	free(e);
}

/* The price of the item an exchange coupon buys: add the coupon with it. */
static void
on_item_price(struct session *s, const struct ev *ev, const char *text)
{
	const struct checkout_txn *t;
	int64_t fen;
	int line = -1, rc;

	if (text[0] == '\0')
		return;
	if (money_parse_yuan(text, &fen) != 0) {
		set_msg(s, VIEW_M_BAD_AMOUNT, NULL);
		touch(s);
		return;
	}
	rc = checkout_add(s->o.co, s->price_code, strlen(s->price_code), fen,
	    &line);
	s->v.field = VIEW_FIELD_CODE;
	if (rc != 0) {
		set_msg(s, VIEW_M_ERROR, quan_strerror(rc));
		touch(s);
		return;
	}
	t = checkout_current(s->o.co);
	map_txn(s, t);
	if (line >= 0 && line < s->v.ncoupons) {
		s->v.coupons[line].manual = s->price_manual;
		s->v.selected = line;
		set_verdict(s, s->v.coupons[line].state == VIEW_C_REJECTED ?
		    VIEW_V_REJECTED : VIEW_V_INFO, line, ev->t_mono_us);
		if (t->lines[line].state == CHECKOUT_REFUSED) {
			checkout_remove(s->o.co, line);
			map_txn(s, checkout_current(s->o.co));
		}
	}
	touch(s);
}

static void
on_key(struct session *s, const struct ev *ev)
{
	const char *text = ev->u.key.text;
	int logged = s->v.role != VIEW_ROLE_NONE;
	enum session_cmd cmd = (enum session_cmd)ev->u.key.cmd;

	s->last_input_ms = tm_mono_ms();
	if (cmd != SC_QUIT)
		s->quit_armed = 0;
	if (s->v.msg != VIEW_M_NONE && cmd != SC_SUBMIT) {
		set_msg(s, VIEW_M_NONE, NULL);
		touch(s);
	}
	if (s->v.screen == VIEW_APPROVE && cmd != SC_SUBMIT &&
	    cmd != SC_CANCEL && cmd != SC_QUIT)
		return;
	switch (cmd) {
	case SC_SUBMIT:
		switch (s->v.screen) {
		case VIEW_LOGIN: on_login_submit(s, text); break;
		case VIEW_AMOUNT:
		case VIEW_RESULT: on_amount_submit(s, text); break;
		case VIEW_APPROVE: on_approve_submit(s, text); break;
		case VIEW_TXNS: show_txns(s, text); break;
		case VIEW_BASKET:
			if (s->v.field == VIEW_FIELD_ITEM_PRICE)
				on_item_price(s, ev, text);
			else
				manual_code(s, ev, text, SCAN_SRC_MANUAL);
			break;
		default: break;
		}
		break;
	case SC_CONFIRM:
		on_confirm(s, ev);
		break;
	case SC_CANCEL:
		on_cancel(s);
		break;
	case SC_NEW:
		if (logged && !s->o.kiosk)
			to_amount(s);
		break;
	case SC_HELP:
		if (!s->o.kiosk)
			go(s, VIEW_HELP, VIEW_FIELD_NONE);
		break;
	case SC_TXNS:
		if (logged && !s->o.kiosk)
			show_txns(s, "");
		break;
	case SC_XREPORT:
		if (logged && !s->o.kiosk)
			show_report(s, 0, NULL, NULL);
		break;
	case SC_ZREPORT:
		if (logged && !s->o.kiosk)
			start_approval(s, VIEW_A_ZREPORT, 0);
		break;
	case SC_DIAG:
		if (!s->o.kiosk)
			show_diag(s);
		break;
	case SC_SETTINGS:
		if (!s->o.kiosk)
			show_settings(s);
		break;
	case SC_VOID:
		if (logged && !s->o.kiosk)
			on_void(s);
		break;
	case SC_LOGOUT:
		if (logged && !s->o.kiosk)
			logout(s);
		break;
	case SC_QUIT:
		if (s->o.kiosk) {
			if (s->v.screen != VIEW_APPROVE)
				start_approval(s, VIEW_A_EXIT, 0);
		} else if (!s->quit_armed && s->v.screen == VIEW_BASKET &&
		    s->v.ncoupons > 0) {
			/* a slip of the hand mid-sale must not close the
			 * till: ask once (the next F10 / Ctrl-C quits) */
			s->quit_armed = 1;
			set_msg(s, VIEW_M_QUIT_CONFIRM, NULL);
			touch(s);
		} else {
			end_sale(s);
			if (s->v.cashier[0] != '\0')
				journal(s, "logout", 0, s->v.cashier, NULL,
				    NULL);
			s->done = 1;
			touch(s);
		}
		break;
	case SC_UP:
		if (s->v.selected > 0) {
			s->v.selected--;
			touch(s);
		}
		break;
	case SC_DOWN: {
		int max = s->v.screen == VIEW_BASKET ||
		    s->v.screen == VIEW_RESULT ? s->v.ncoupons : s->v.nlines;

		if (s->v.selected + 1 < max) {
			s->v.selected++;
			touch(s);
		}
		break;
	}
	case SC_DETAIL:
		if (s->v.screen == VIEW_BASKET || s->v.screen == VIEW_RESULT)
			show_detail(s);
		break;
	case SC_REMOVE:
		if (s->v.screen == VIEW_BASKET && s->v.selected >= 0 &&
		    checkout_remove(s->o.co, s->v.selected) == 0) {
			map_txn(s, checkout_current(s->o.co));
			s->v.verdict = VIEW_V_NONE;
			touch(s);
		}
		break;
	case SC_OVERRIDE:
		if (s->v.screen == VIEW_RESULT && over_cap(s) >= 0) {
			s->v.last = s->v.coupons[over_cap(s)];
			start_approval(s, VIEW_A_OVERRIDE, s->cur_txn);
		}
		break;
	case SC_IDLE:
		if (s->o.kiosk && s->v.screen != VIEW_AMOUNT)
			to_amount(s);
		break;
	case SC_NONE:
	case SC_COUNT:
		break;
	}
}

/* ---- sync ------------------------------------------------------------- */

static void
refresh_sale(struct session *s)
{
	int worst, before[VIEW_COUPONS_MAX], i, changed = 0;
	enum view_verdict vd;

	if (s->cur_txn == 0 || s->o.co == NULL ||
	    (s->v.screen != VIEW_RESULT && s->v.screen != VIEW_DETAIL))
		return;
	for (i = 0; i < s->v.ncoupons; i++)
		before[i] = s->v.coupons[i].state;
	if (checkout_load(s->o.co, s->cur_txn, &s->tmp) != 0)
		return;
	map_txn(s, &s->tmp);
	for (i = 0; i < s->v.ncoupons; i++)
		if ((int)s->v.coupons[i].state != before[i])
			changed = 1;
	if (!changed)
		return;
	if (s->v.screen == VIEW_RESULT) {
		vd = sale_verdict(&s->v, &worst);
		set_verdict(s, vd, worst, 0);
	}
	touch(s);
}

void
session_sync(struct session *s)
{
	int n = 0;

	if (s->o.settle == NULL || s->o.results == NULL)
		return;
	/* a redeem past its deadline is decided before later answers */
	redeem_check(s);
	if (settle_drain(s->o.settle, s->o.results, tm_now(), &n) != 0)
		log_warn("settle drain failed");
	if (n > 0)
		refresh_sale(s);
	refresh_status(s);
	redeem_check(s);
	settle_pump(s->o.settle, tm_now(), NULL);
}

int
session_busy(const struct session *s)
{
	return redeem_active(s->rd);
}

/* ---- entry points ----------------------------------------------------- */

int
session_new(struct session **out, const struct session_opts *opts,
    char **cause)
{
	struct session *s;
	enum staff_role role = STAFF_CASHIER;

	if (opts->co == NULL || opts->data_dir == NULL) {
		*cause = xasprintf("session: no checkout engine or data dir");
		return QUAN_EINVAL;
	}
	s = xcalloc(1, sizeof *s);
	s->o = *opts;
	if (s->o.idle_reset_s <= 0)
		s->o.idle_reset_s = 30;
	s->v.kiosk = opts->kiosk;
	s->v.demo = opts->demo;
	s->v.online = opts->settle != NULL ? VIEW_NET_CONNECTING :
	    VIEW_NET_NONE;
	if (opts->net_error != NULL && opts->net_error[0] != '\0') {
		str_copy(s->v.net_error, sizeof s->v.net_error,
		    opts->net_error);
		s->v.online = VIEW_NET_CONFIG;
		s->net_config = 1;
	}
	s->o.net_error = NULL; /* copied: not borrowed */
	s->v.cache_age_s = -1;
	s->v.selected = -1;
	s->v.verdict_coupon = -1;
	if (opts->cfg != NULL)
		str_copy(s->v.term_id, sizeof s->v.term_id, opts->cfg->term_id);
	s->v.screen = VIEW_LOGIN;
	s->v.field = VIEW_FIELD_CASHIER;
	s->last_input_ms = tm_mono_ms();
	s->next_tick_ms = tm_mono_ms();
	s->rd = redeem_new(opts->co, opts->settle, opts->results,
	    opts->cfg != NULL ? opts->cfg->wx_online_wait_ms : 0);
	refresh_status(s);
	if (opts->autologin != NULL) {
		if (opts->kiosk)
			role = STAFF_CASHIER;
		login_ok(s, opts->autologin, role);
	}
	s->v.gen = 1;
	*out = s;
	return QUAN_OK;
}

void
session_free(struct session *s)
{
	if (s == NULL)
		return;
	/* a redeem still out is decided now: the sale is then closed like
	 * any other left on screen */
	redeem_free(s->rd);
	checkout_set_online(s->o.co, 0);
	end_sale(s);
	free(s);
}

static void
on_tick(struct session *s)
{
	uint64_t now = tm_mono_ms();

	if (now >= s->next_tick_ms) {
		s->next_tick_ms = now + TICK_MS;
		if (s->o.settle != NULL) {
			settle_expire(s->o.settle, tm_now());
			settle_pump(s->o.settle, tm_now(), NULL);
		}
		refresh_status(s);
	}
	redeem_check(s);   /* the deadline, and the time shown */
	/* (never under a redeem out: its verdict is still to come) */
	if (s->o.kiosk && s->v.screen != VIEW_AMOUNT &&
	    !redeem_active(s->rd) && s->v.screen != VIEW_APPROVE &&
	    now - s->last_input_ms >= (uint64_t)s->o.idle_reset_s * 1000) {
		to_amount(s);
		s->last_input_ms = now;
	}
}

void
session_dispatch(struct session *s, const struct ev *ev)
{
	if ((ev->type == EV_SCAN || ev->type == EV_KEY) &&
	    redeem_active(s->rd)) {
		/* what the cashier does while the sale is out to WeChat
		 * waits for its verdict, as it would with a blocked loop */
		if (s->nheld < HELD_MAX)
			s->held[s->nheld++] = *ev;
		else
			log_warn("a redeem is out: %s dropped",
			    ev->type == EV_SCAN ? "scan" : "key");
		return;
	}
	switch (ev->type) {
	case EV_SCAN:
		s->last_input_ms = tm_mono_ms();
		if (s->v.msg != VIEW_M_NONE)
			set_msg(s, VIEW_M_NONE, NULL);
		on_scan(s, ev);
		break;
	case EV_KEY:
		on_key(s, ev);
		break;
	case EV_TICK:
		on_tick(s);
		break;
	case EV_SYNC_DONE:
	case EV_SYNC_STATE:
		if (s->o.settle != NULL) {
			settle_apply(s->o.settle, ev, tm_now());
			refresh_sale(s);
			refresh_status(s);
			redeem_check(s);
		}
		break;
	case EV_DRIVER_FAULT:
		set_msg(s, VIEW_M_ERROR, ev->u.fault.up ? "scanner back" :
		    "scanner gone: check the cable");
		touch(s);
		break;
	case EV_QUIT:
		s->done = 1;
		touch(s);
		break;
	default:
		break;
	}
}

const struct view *
session_view(const struct session *s)
{
	return &s->v;
}

int
session_done(const struct session *s)
{
	return s->done;
}

int
session_timeout_ms(const struct session *s)
{
	uint64_t now = tm_mono_ms();
	int64_t t = (int64_t)s->next_tick_ms - (int64_t)now;
	int64_t idle;

	if (t < 0)
		t = 0;
	if (s->o.kiosk && s->v.screen != VIEW_AMOUNT) {
		idle = (int64_t)(s->last_input_ms +
		    (uint64_t)s->o.idle_reset_s * 1000) - (int64_t)now;
		if (idle < 0)
			idle = 0;
		if (idle < t)
			t = idle;
	}
	if (redeem_active(s->rd)) {
		/* the deadline, and the waiting time on screen ticking */
		idle = redeem_timeout_ms(s->rd);
		if (idle > REDEEM_SHOW_MS)
			idle = REDEEM_SHOW_MS;
		if (idle < t)
			t = idle;
	}
	return (int)t;
}
