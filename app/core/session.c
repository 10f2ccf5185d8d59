/*
 * session.c — the terminal session state machine (see session.h). Screens
 * and keys in, struct view out; the checkout engine decides, the store
 * remembers, settle talks to the sync thread. Every visible change bumps
 * view.gen through session_touch(). Main thread only. This file holds
 * the entry points, the dispatch of keys and ticks, login and the moves
 * between screens; session_int.h lists the session's other files.
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



static const char *const cmd_names[SC_COUNT] = {
	"none", "submit", "confirm", "cancel", "new", "help", "txns",
	"xreport", "zreport", "diag", "settings", "void", "logout", "quit",
	"up", "down", "detail", "remove", "override", "idle", "cash", "other",
	"print"
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

const char *
session_action_id(enum view_action a)
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

void
session_touch(struct session *s)
{
	s->v.gen++;
}

void
session_set_msg(struct session *s, enum view_msg m, const char *text)
{
	s->v.msg = m;
	str_copy(s->v.msg_text, sizeof s->v.msg_text, text != NULL ? text : "");
}

void
session_journal(struct session *s, const char *kind, int64_t txn,
    const char *who, const char *what, const char *why)
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

/* ---- screens ---------------------------------------------------------- */

void
session_go(struct session *s, enum view_screen scr, enum view_field f)
{
	s->v.screen = scr;
	s->v.field = f;
	session_touch(s);
}

void
session_clear_sale(struct session *s)
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
	session_pay_reset(s);
	session_pc_reset(s);
}

/* Leave whatever sale is current: close a redeemed one, drop an open one. */
void
session_end_sale(struct session *s)
{
	const struct checkout_txn *t;

	if (s->o.co == NULL)
		return;
	t = checkout_current(s->o.co);
	if (t == NULL)
		return;
	if (t->state == CHECKOUT_T_OPEN)
		checkout_cancel(s->o.co);
	else if (t->state == CHECKOUT_T_REDEEMED &&
	    !session_pay_keep_sale(s)) {
		session_pc_leave(s);
		checkout_close(s->o.co);
	}
}

void
session_to_amount(struct session *s)
{
	session_end_sale(s);
	session_clear_sale(s);
	session_go(s, VIEW_AMOUNT, VIEW_FIELD_AMOUNT);
}

static void
login_ok(struct session *s, const char *id, enum staff_role role)
{
	str_copy(s->v.cashier, sizeof s->v.cashier, id);
	s->v.role = role == STAFF_MANAGER ? VIEW_ROLE_MANAGER :
	    VIEW_ROLE_CASHIER;
	checkout_set_cashier(s->o.co, id);
	session_journal(s, "login", 0, id, NULL, NULL);
	session_set_msg(s, VIEW_M_NONE, NULL);
	session_to_amount(s);
}

static void
logout(struct session *s)
{
	session_end_sale(s);
	if (s->v.cashier[0] != '\0')
		session_journal(s, "logout", 0, s->v.cashier, NULL, NULL);
	s->v.cashier[0] = '\0';
	checkout_set_cashier(s->o.co, "");
	s->v.role = VIEW_ROLE_NONE;
	session_clear_sale(s);
	s->last_txn = 0; /* another cashier's sale is not "the last one" */
	s->login_id[0] = '\0';
	session_go(s, VIEW_LOGIN, VIEW_FIELD_CASHIER);
}

/* One PIN try, counted in the store with quan void's (staff_try): every
 * wrong one journaled, STAFF_PIN_TRIES in a row lock PIN entry. */
int
session_check_pin(struct session *s, const char *id, const char *pin,
    enum staff_role *role)
{
	int64_t now = tm_now(), until;
	json_t *d;
	char secs[24];
	int rc;

	if (s->o.st != NULL && staff_locked(s->o.st, now, &until) == 1) {
		d = json_pack("{s:s, s:s, s:s}", "who", id, "why", "locked",
		    "cashier", s->v.cashier);
		(void)staff_try(s->o.st, now, -1, "login_failed", d);
		json_decref(d);
		/* the screen says for how long */
		snprintf(secs, sizeof secs, "%lld",
		    (long long)(until > now ? until - now : 1));
		session_set_msg(s, VIEW_M_LOCKED, secs);
		return QUAN_EBUSY;
	}
	rc = staff_check(s->o.data_dir, id, pin, role);
	if (rc == QUAN_ENOTFOUND) {
		session_set_msg(s, VIEW_M_ERROR,
		    "no staff yet: run quan staff add");
		return rc;
	}
	if (rc != 0) {
		d = json_pack("{s:s, s:s}", "who", id, "cashier",
		    s->v.cashier);
		if (s->o.st == NULL || staff_try(s->o.st, now, 0,
		    "login_failed", d) != 0)
			log_warn("journal login_failed failed");
		json_decref(d);
		session_set_msg(s, VIEW_M_BAD_LOGIN, NULL);
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
		session_set_msg(s, VIEW_M_NONE, NULL);
		session_go(s, VIEW_LOGIN, VIEW_FIELD_PIN);
		return;
	}
	if (session_check_pin(s, s->login_id, text, &role) == 0) {
		login_ok(s, s->login_id, role);
		return;
	}
	session_go(s, VIEW_LOGIN, VIEW_FIELD_CASHIER);
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
	session_on_scan(s, e);
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
		session_set_msg(s, VIEW_M_BAD_AMOUNT, NULL);
		session_touch(s);
		return;
	}
	rc = checkout_add(s->o.co, s->price_code, strlen(s->price_code), fen,
	    &line);
	s->v.field = VIEW_FIELD_CODE;
	if (rc != 0) {
		session_set_msg(s, VIEW_M_ERROR, quan_strerror(rc));
		session_touch(s);
		return;
	}
	t = checkout_current(s->o.co);
	session_map_txn(s, t);
	if (line >= 0 && line < s->v.ncoupons) {
		s->v.coupons[line].manual = s->price_manual;
		s->v.selected = line;
		session_set_verdict(s,
		    s->v.coupons[line].state == VIEW_C_REJECTED ?
		    VIEW_V_REJECTED : VIEW_V_INFO, line, ev->t_mono_us);
		if (t->lines[line].state == CHECKOUT_REFUSED) {
			checkout_remove(s->o.co, line);
			session_map_txn(s, checkout_current(s->o.co));
		}
	}
	session_touch(s);
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
		session_set_msg(s, VIEW_M_NONE, NULL);
		session_touch(s);
	}
	if (s->v.screen == VIEW_APPROVE && cmd != SC_SUBMIT &&
	    cmd != SC_CANCEL && cmd != SC_QUIT)
		return;
	switch (cmd) {
	case SC_SUBMIT:
		switch (s->v.screen) {
		case VIEW_LOGIN: on_login_submit(s, text); break;
		case VIEW_AMOUNT: session_on_amount_submit(s, text); break;
		case VIEW_RESULT:
			/* a payment code typed where the due is offered */
			if (!s->v.pay_offer || !session_pay_scan(s, text))
				session_on_amount_submit(s, text);
			break;
		case VIEW_PAY: session_pay_submit(s, text); break;
		case VIEW_APPROVE: session_on_approve_submit(s, text); break;
		case VIEW_TXNS: session_show_txns(s, text); break;
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
		session_on_confirm(s, ev);
		break;
	case SC_CANCEL:
		if (s->v.screen != VIEW_PAY || !session_pay_cancel(s))
			session_on_cancel(s);
		break;
	case SC_CASH:
	case SC_OTHER:
		if (logged)
			session_pay_key(s, cmd);
		break;
	case SC_PRINT:
		if (logged)
			session_print_key(s);
		break;
	case SC_NEW:
		if (logged && !s->o.kiosk)
			session_to_amount(s);
		break;
	case SC_HELP:
		if (!s->o.kiosk)
			session_go(s, VIEW_HELP, VIEW_FIELD_NONE);
		break;
	case SC_TXNS:
		if (logged && !s->o.kiosk)
			session_show_txns(s, "");
		break;
	case SC_XREPORT:
		if (logged && !s->o.kiosk)
			session_show_report(s, 0, NULL, NULL);
		break;
	case SC_ZREPORT:
		if (logged && !s->o.kiosk)
			session_start_approval(s, VIEW_A_ZREPORT, 0);
		break;
	case SC_DIAG:
		if (!s->o.kiosk)
			session_show_diag(s);
		break;
	case SC_SETTINGS:
		if (!s->o.kiosk)
			session_show_settings(s);
		break;
	case SC_VOID:
		if (logged && !s->o.kiosk)
			session_on_void(s);
		break;
	case SC_LOGOUT:
		if (logged && !s->o.kiosk)
			logout(s);
		break;
	case SC_QUIT:
		if (s->o.kiosk) {
			if (s->v.screen != VIEW_APPROVE)
				session_start_approval(s, VIEW_A_EXIT, 0);
		} else if (!s->quit_armed && s->v.screen == VIEW_BASKET &&
		    s->v.ncoupons > 0) {
			/* a slip of the hand mid-sale must not close the
			 * till: ask once (the next F10 / Ctrl-C quits) */
			s->quit_armed = 1;
			session_set_msg(s, VIEW_M_QUIT_CONFIRM, NULL);
			session_touch(s);
		} else {
			session_end_sale(s);
			if (s->v.cashier[0] != '\0')
				session_journal(s, "logout", 0, s->v.cashier,
				    NULL,
				    NULL);
			s->done = 1;
			session_touch(s);
		}
		break;
	case SC_UP:
		if (s->v.selected > 0) {
			s->v.selected--;
			session_touch(s);
		}
		break;
	case SC_DOWN: {
		int max = s->v.screen == VIEW_BASKET ||
		    s->v.screen == VIEW_RESULT ? s->v.ncoupons : s->v.nlines;

		if (s->v.selected + 1 < max) {
			s->v.selected++;
			session_touch(s);
		}
		break;
	}
	case SC_DETAIL:
		if (s->v.screen == VIEW_BASKET || s->v.screen == VIEW_RESULT)
			session_show_detail(s);
		else if (s->v.screen == VIEW_TXNS)
			session_show_sale(s);
		break;
	case SC_REMOVE:
		if (s->v.screen == VIEW_BASKET && s->v.selected >= 0 &&
		    checkout_remove(s->o.co, s->v.selected) == 0) {
			session_map_txn(s, checkout_current(s->o.co));
			s->v.verdict = VIEW_V_NONE;
			session_touch(s);
		} else if (s->v.screen == VIEW_BASKET && s->v.selected >= 0 &&
		    session_pc_remove(s, s->v.selected)) {
			s->v.verdict = VIEW_V_NONE;
		}
		break;
	case SC_OVERRIDE:
		if (s->v.screen == VIEW_RESULT && session_over_cap(s) >= 0) {
			s->v.last = s->v.coupons[session_over_cap(s)];
			session_start_approval(s, VIEW_A_OVERRIDE, s->cur_txn);
		}
		break;
	case SC_IDLE:
		if (s->o.kiosk && s->v.screen != VIEW_AMOUNT)
			session_to_amount(s);
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
	session_map_txn(s, &s->tmp);
	for (i = 0; i < s->v.ncoupons; i++)
		if ((int)s->v.coupons[i].state != before[i])
			changed = 1;
	if (!changed)
		return;
	if (s->v.screen == VIEW_RESULT) {
		vd = session_sale_verdict(&s->v, &worst);
		session_set_verdict(s, vd, worst, 0);
	}
	session_touch(s);
}

void
session_sync(struct session *s)
{
	int n = 0;

	if (s->o.settle == NULL || s->o.results == NULL)
		return;
	/* a redeem past its deadline is decided before later answers */
	session_redeem_check(s);
	if (settle_drain(s->o.settle, s->o.results, tm_now(), &n) != 0)
		log_warn("settle drain failed");
	if (n > 0)
		refresh_sale(s);
	session_refresh_status(s);
	session_redeem_check(s);
	session_pay_check(s);
	settle_pump(s->o.settle, tm_now(), NULL);
}

int
session_paying(const struct session *s)
{
	return session_pay_waiting(s) || s->refund_id != 0;
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
	session_pay_init(s);
	session_pc_init(s);
	session_refresh_status(s);
	if (opts->autologin != NULL) {
		if (opts->kiosk)
			role = STAFF_CASHIER;
		login_ok(s, opts->autologin, role);
	}
	s->v.gen = 1;
	*out = s;
	return QUAN_OK;
}

struct redeem *
session_redeemer(struct session *s)
{
	return s->rd;
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
	session_end_sale(s);
	/* a payment still out stays open in the store for quan sync */
	session_pay_free(s);
	session_pc_free(s);
	free(s);
}

static void
on_tick(struct session *s)
{
	uint64_t now = tm_mono_ms();
	int left;

	if (now >= s->next_tick_ms) {
		s->next_tick_ms = now + TICK_MS;
		if (s->o.settle != NULL) {
			settle_expire(s->o.settle, tm_now());
			settle_pump(s->o.settle, tm_now(), NULL);
		}
		session_refresh_status(s);
	}
	session_redeem_check(s);   /* the deadline, and the time shown */
	session_pay_check(s);      /* the payment's requests and counter */
	session_print_step(s);     /* the receipt, never waited for */
	/* (never under a redeem or a payment out: its verdict is still to
	 * come) */
	if (s->o.kiosk && s->v.screen != VIEW_AMOUNT &&
	    !redeem_active(s->rd) && s->v.screen != VIEW_APPROVE &&
	    !session_pay_waiting(s) &&
	    now - s->last_input_ms >= (uint64_t)s->o.idle_reset_s * 1000) {
		session_to_amount(s);
		s->last_input_ms = now;
	}
	/* the kiosk shows the idle reset coming */
	left = 0;
	if (s->o.kiosk && s->v.screen != VIEW_AMOUNT &&
	    !redeem_active(s->rd) && s->v.screen != VIEW_APPROVE)
		left = (int)((s->last_input_ms + (uint64_t)s->o.idle_reset_s *
		    1000 - now + 999) / 1000);
	if (left != s->v.idle_left_s) {
		s->v.idle_left_s = left;
		session_touch(s);
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
			session_set_msg(s, VIEW_M_NONE, NULL);
		session_on_scan(s, ev);
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
			session_refresh_status(s);
			session_redeem_check(s);
			session_pay_check(s);
		}
		break;
	case EV_DRIVER_FAULT:
		session_set_msg(s, VIEW_M_ERROR,
		    ev->u.fault.up ? "scanner back" :
		    "scanner gone: check the cable");
		session_touch(s);
		break;
	case EV_QUIT:
		s->done = 1;
		session_touch(s);
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
	idle = session_pay_timeout_ms(s);
	if (idle >= 0 && idle < t)
		t = idle;
	idle = session_print_timeout_ms(s);
	if (idle >= 0 && idle < t)
		t = idle;
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
