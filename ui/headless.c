/*
 * headless.c — scripts in, view states out (see headless.h). The same
 * session and the same words as the curses screen, without a terminal:
 * this is how the logic is tested and how a field bug is replayed.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/evq.h"
#include "core/session.h"
#include "ui/headless.h"
#include "ui/text.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/str.h"
#include "util/tm.h"
#include "util/xmem.h"

#define LINE_MAX_ 1024

static const char *
screen_id(enum view_screen s)
{
	static const char *const ids[VIEW_SCREEN_COUNT] = {
		"login", "amount", "basket", "result", "approve", "txns",
		"report", "diag", "settings", "help", "detail", "pay"
	};

	return s < VIEW_SCREEN_COUNT ? ids[s] : "?";
}

static const char *
pay_id(enum view_pay_state p)
{
	static const char *const ids[] = {
		"none", "sending", "userpaying", "cancelling", "paid",
		"failed", "reversed", "unknown"
	};

	return (unsigned)p < sizeof ids / sizeof ids[0] ? ids[p] : "?";
}

/* The payment as a script reads it: state, tender, figures, vouchers. */
static void
headless_pay_text(struct buf *b, const struct view *v)
{
	static const char *const tenders[] = {"-", "wechat", "cash", "other"};
	char m1[40], m2[40], m3[40], m4[40];
	int i;

	buf_printf(b, "pay: %s tender=%s due=%s elapsed=%us%s%s\n",
	    pay_id(v->pay), tenders[v->tender & 3],
	    ui_money(v->pay_due_fen, m1, sizeof m1), v->pay_elapsed_s,
	    v->pay_reason[0] ? " reason=" : "", v->pay_reason);
	if (v->pay != VIEW_PAY_PAID)
		return;
	for (i = 0; i < v->nvouchers; i++)
		buf_printf(b, "voucher: %s %s -%s\n", v->vouchers[i].name,
		    v->vouchers[i].nocash ? "nocash" : "prefunded",
		    ui_money(v->vouchers[i].amount_fen, m1, sizeof m1));
	buf_printf(b, "paid: payer=%s vouchers=%s tendered=%s change=%s%s%s"
	    "\n", ui_money(v->pay_payer_fen, m1, sizeof m1),
	    ui_money(v->pay_voucher_fen, m2, sizeof m2),
	    ui_money(v->pay_tendered_fen, m3, sizeof m3),
	    ui_money(v->pay_change_fen, m4, sizeof m4),
	    v->pay_ref[0] ? " ref=" : "", v->pay_ref);
}

char *
headless_view_text(const struct view *v)
{
	struct buf b;
	char m1[40], m2[40], m3[40], r[512], age[32], line[VIEW_LINE_MAX * 2];
	struct ui_banner bn;
	int i, one;

	buf_init(&b, 1 << 20);
	buf_printf(&b, "== view %llu screen=%s %s%s%s\n",
	    (unsigned long long)v->gen, screen_id(v->screen),
	    ui_screen_title(v->screen), v->demo ? " DEMO" : "",
	    v->kiosk ? " KIOSK" : "");
	buf_printf(&b, "status: %s outbox=%d cache=%s cashier=%s %s\n",
	    ui_net_word(v->online), v->outbox,
	    ui_age(v->cache_age_s, age, sizeof age),
	    v->cashier[0] ? v->cashier : "-", ui_role_word(v->role));
	if (v->online == VIEW_NET_CONFIG || v->online == VIEW_NET_CLOCK ||
	    v->online == VIEW_NET_TLS)
		buf_printf(&b, "net: %s\n", v->net_error);
	if (v->alarms > 0)
		buf_printf(&b, "alarm: %s %d\n", _("ALARM refund"), v->alarms);
	if (v->screen == VIEW_BASKET || v->screen == VIEW_RESULT ||
	    (v->screen == VIEW_APPROVE && v->ncoupons > 0)) {
		buf_printf(&b, "sale: %s amount=%s discount=%s due=%s\n",
		    v->txn[0] ? v->txn : "-",
		    ui_money(v->amount_fen, m1, sizeof m1),
		    ui_money(v->discount_fen, m2, sizeof m2),
		    ui_money(v->due_fen, m3, sizeof m3));
		for (i = 0; i < v->ncoupons; i++) {
			ui_reason(&v->coupons[i], r, sizeof r);
			buf_printf(&b, "coupon %d: %s [%s] %s -%s %s%s%s%s%s%s"
			    "\n",
			    i + 1, v->coupons[i].code,
			    ui_kind_word(v->coupons[i].kind),
			    v->coupons[i].name,
			    ui_money(v->coupons[i].discount_fen, m1,
			    sizeof m1), ui_coupon_word(&v->coupons[i]),
			    r[0] ? " (" : "", r, r[0] ? ")" : "",
			    v->coupons[i].manual ? " typed" : "",
			    v->coupons[i].give_item ? " give-item" : "");
		}
	}
	ui_banner(v, &bn);
	if (bn.kind != UI_B_NONE) {
		/* what the verdict box says: derived from the lines for a
		 * finished sale */
		one = bn.nreasons == 1 && bn.kind != UI_B_MIXED;
		buf_printf(&b, "verdict: %s%s%s%s%s\n", bn.word,
		    bn.word[0] ? " " : "", bn.head,
		    one ? " \xe2\x80\x94 " : "", one ? bn.reasons[0] : "");
		for (i = 0; !one && i < bn.nreasons; i++)
			buf_printf(&b, "verdict reason: %s\n", bn.reasons[i]);
	}
	if (v->pay_offer && v->pay == VIEW_PAY_NONE &&
	    v->screen == VIEW_RESULT)
		buf_printf(&b, "pay: due=%s offered\n",
		    ui_money(v->pay_due_fen, m1, sizeof m1));
	if (v->screen == VIEW_PAY)
		headless_pay_text(&b, v);
	if (v->screen == VIEW_APPROVE)
		buf_printf(&b, "approve: %s step=%d sale=%s\n",
		    ui_action_word(v->action), v->approve_step,
		    v->act_txn[0] != '\0' ? v->act_txn : "-");
	if (v->screen >= VIEW_TXNS && v->screen != VIEW_HELP) {
		if (v->title[0])
			buf_printf(&b, "title: %s\n", _(v->title));
		for (i = 0; i < v->nlines; i++) {
			ui_line(v->lines[i], line, sizeof line);
			buf_printf(&b, "line: %s\n", line);
		}
	}
	ui_msg(v, r, sizeof r);
	if (r[0])
		buf_printf(&b, "msg: %s\n", r);
	buf_printf(&b, "prompt: %s\n", ui_prompt(v));
	return buf_take(&b);
}

/* Apply everything queued for the session; a redeem sent to WeChat is
 * waited for (results and ticks, as the screen's loop does), so each
 * script line sees its outcome. */
static void
drain(struct session *s, struct evq *q, int results_fd)
{
	struct ev *ev = xmalloc(sizeof *ev);
	struct pollfd p;
	int ms;

	memset(ev, 0, sizeof *ev);
	for (;;) {
		while (evq_get(q, ev))
			session_dispatch(s, ev);
		/* a redeem or a payment out: its outcome first */
		ms = session_busy(s) || session_paying(s) ?
		    session_timeout_ms(s) : 0;
		if (results_fd >= 0) {
			p.fd = results_fd;
			p.events = POLLIN;
			if (poll(&p, 1, ms > 0 ? ms : 0) > 0)
				session_sync(s);
		} else if (ms > 0) {
			poll(NULL, 0, ms);
		}
		if (!session_busy(s) && !session_paying(s))
			break;
		memset(ev, 0, offsetof(struct ev, u));
		ev->type = EV_TICK;
		session_dispatch(s, ev);
		if (!session_busy(s) && !session_paying(s))
			break;
	}
	free(ev);
}

static void
post_key(struct evq *q, enum session_cmd cmd, const char *text)
{
	struct ev *ev = xcalloc(1, sizeof *ev);

	ev->type = EV_KEY;
	ev->t_mono_us = tm_mono_us();
	ev->u.key.cmd = (int)cmd;
	str_copy(ev->u.key.text, sizeof ev->u.key.text,
	    text != NULL ? text : "");
	evq_post(q, ev);
	free(ev);
}

static void
post_scan(struct evq *q, const char *code, enum scan_source src)
{
	struct ev *ev = xcalloc(1, sizeof *ev);
	size_t n = strlen(code);

	if (n >= sizeof ev->u.scan.text)
		n = sizeof ev->u.scan.text - 1;
	ev->type = EV_SCAN;
	ev->t_mono_us = tm_mono_us();
	ev->u.scan.source = src;
	str_copy(ev->u.scan.source_name, sizeof ev->u.scan.source_name,
	    src == SCAN_SRC_MANUAL ? "manual" : "script");
	memcpy(ev->u.scan.raw, code, n);
	ev->u.scan.raw_len = n;
	memcpy(ev->u.scan.text, code, n);
	ev->u.scan.t_mono_us = ev->t_mono_us;
	snprintf(ev->u.scan.encoding, sizeof ev->u.scan.encoding, "utf-8");
	evq_post(q, ev);
	free(ev);
}

static int
sale_settled(const struct view *v)
{
	int i;

	for (i = 0; i < v->ncoupons; i++)
		if (v->coupons[i].state == VIEW_C_PENDING ||
		    v->coupons[i].state == VIEW_C_UNKNOWN ||
		    v->coupons[i].state == VIEW_C_OFFLINE ||
		    v->coupons[i].state == VIEW_C_RETURN_PENDING)
			return 0;
	return 1;
}

/* Wait up to ms, applying sync results; until settled when until_settled
 * is 1, until the connection state is known (not CONNECTING) when 2. */
static void
wait_ms(struct session *s, struct evq *q, int fd, int ms, int until_settled)
{
	uint64_t end = tm_mono_ms() + (uint64_t)ms, now;
	struct pollfd p;
	struct ev tick;

	memset(&tick, 0, offsetof(struct ev, u));
	tick.type = EV_TICK;
	while ((now = tm_mono_ms()) < end) {
		if (until_settled == 1 && sale_settled(session_view(s)))
			return;
		if (until_settled == 2 &&
		    session_view(s)->online != VIEW_NET_CONNECTING)
			return;
		p.fd = fd;
		p.events = POLLIN;
		if (fd >= 0)
			poll(&p, 1, (int)(end - now > 100 ? 100 : end - now));
		else
			poll(NULL, 0, (int)(end - now > 100 ? 100 : end - now));
		session_dispatch(s, &tick);
		drain(s, q, fd);
	}
}

int
headless_run(struct session *s, struct evq *q, const struct headless_opts *o)
{
	char line[LINE_MAX_], *cmd, *arg, *nl, *last = NULL;
	int lineno = 0, rc = 0, show;
	enum session_cmd sc;
	struct ev tick;

	memset(&tick, 0, offsetof(struct ev, u));
	tick.type = EV_TICK;
	last = headless_view_text(session_view(s));
	if (!o->quiet)
		fputs(last, o->out);
	/* each step's view is out before the next line is awaited, so a
	 * script fed through a pipe can wait for it */
	while ((void)fflush(o->out), fgets(line, sizeof line, o->in) !=
	    NULL) {
		lineno++;
		nl = strchr(line, '\n');
		if (nl != NULL)
			*nl = '\0';
		nl = strchr(line, '\r');
		if (nl != NULL)
			*nl = '\0';
		cmd = line + strspn(line, " \t");
		if (*cmd == '\0' || *cmd == '#')
			continue;
		arg = cmd + strcspn(cmd, " \t");
		if (*arg != '\0') {
			*arg++ = '\0';
			arg += strspn(arg, " \t");
		}
		show = 1;
		if (strncmp(cmd, "expect", 6) != 0)
			ui_fold_width(arg); /* what the screen's keys do */
		if (!o->quiet)
			fprintf(o->out, "> %s%s%s\n", cmd,
			    *arg ? " " : "", arg);
		if (strcmp(cmd, "login") == 0) {
			char *pin = arg + strcspn(arg, " \t");

			if (*pin != '\0')
				*pin++ = '\0';
			post_key(q, SC_SUBMIT, arg);
			drain(s, q, o->results_fd);
			post_key(q, SC_SUBMIT, pin);
		} else if (strcmp(cmd, "amount") == 0 ||
		    strcmp(cmd, "submit") == 0) {
			post_key(q, SC_SUBMIT, arg);
		} else if (strcmp(cmd, "scan") == 0) {
			post_scan(q, arg, SCAN_SRC_KEYBOARD);
		} else if (strcmp(cmd, "type") == 0) {
			post_scan(q, arg, SCAN_SRC_MANUAL);
		} else if (strcmp(cmd, "confirm") == 0) {
			post_key(q, SC_CONFIRM, NULL);
		} else if (strcmp(cmd, "cancel") == 0) {
			post_key(q, SC_CANCEL, NULL);
		} else if (strcmp(cmd, "key") == 0) {
			char *t = arg + strcspn(arg, " \t");

			if (*t != '\0') {
				*t++ = '\0';
				t += strspn(t, " \t");
			}
			sc = session_cmd_parse(arg);
			if (sc == SC_NONE) {
				fprintf(stderr, "%s:%d: unknown command '%s'\n",
				    o->name, lineno, arg);
				rc = 2;
				break;
			}
			post_key(q, sc, t);
		} else if (strcmp(cmd, "tick") == 0) {
			evq_post(q, &tick);
		} else if (strcmp(cmd, "sleep") == 0 ||
		    strcmp(cmd, "wait-sync") == 0 ||
		    strcmp(cmd, "wait-net") == 0) {
			wait_ms(s, q, o->results_fd, (int)strtol(arg, NULL, 10),
			    strcmp(cmd, "wait-sync") == 0 ? 1 :
			    strcmp(cmd, "wait-net") == 0 ? 2 : 0);
		} else if (strcmp(cmd, "print") == 0) {
			free(last);
			last = headless_view_text(session_view(s));
			fputs(last, o->out);
			continue;
		} else if (strcmp(cmd, "expect") == 0 ||
		    strcmp(cmd, "expect-not") == 0) {
			int want = cmd[6] == '\0';

			if ((strstr(last, arg) != NULL) != want) {
				fprintf(o->out, "%s:%d: FAILED %s '%s' in:\n%s",
				    o->name, lineno, cmd, arg, last);
				rc = 3;
			}
			continue;
		} else {
			fprintf(stderr, "%s:%d: unknown script line '%s'\n",
			    o->name, lineno, cmd);
			rc = 2;
			break;
		}
		drain(s, q, o->results_fd);
		if (show) {
			free(last);
			last = headless_view_text(session_view(s));
			if (!o->quiet)
				fputs(last, o->out);
		}
		if (session_done(s))
			break;
	}
	free(last);
	fflush(o->out);
	return rc;
}
