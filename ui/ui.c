/*
 * ui.c — the cashier screen: its life (curses up and down), the frame of
 * each screen (status bar, title, body, message line, function keys,
 * input line), redraw on a new view generation, verdict beeps and the
 * latency figures. The parts are drawn by draw_bars.c (bars, input),
 * draw_sale.c (basket, verdict, approval), draw_lists.c (lists, help,
 * login, demo panel) and kiosk.c; keys.c maps keys to session events.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include <ncursesw/curses.h>

#include "core/evq.h"
#include "core/session.h"
#include "ui/crt.h"
#include "ui/text.h"
#include "ui/ui.h"
#include "ui/ui_int.h"
#include "util/err.h"
#include "util/log.h"
#include "util/str.h"
#include "util/tm.h"
#include "util/xmem.h"

int
ui_new(struct ui **out, const struct ui_opts *opts, char **cause)
{
	struct ui *u;

	if (crt_init(opts->no_color) != 0) {
		*cause = xasprintf("the terminal UI needs a terminal on stdin "
		    "and stdout");
		return QUAN_EIO;
	}
	u = xcalloc(1, sizeof *u);
	u->o = *opts;
	u->dirty = 1;
	u->minute = -1;
	if (opts->latency_file != NULL) {
		u->lat_fp = fopen(opts->latency_file, "a");
		if (u->lat_fp == NULL)
			log_warn("cannot open latency file %s",
			    opts->latency_file);
	}
	*out = u;
	return QUAN_OK;
}

void
ui_free(struct ui *u)
{
	if (u == NULL)
		return;
	crt_end();
	if (u->lat_fp != NULL)
		fclose(u->lat_fp);
	free(u);
}

static void
hint_words(const struct ui *u, const struct view *v, char *b, size_t n)
{
	switch (u->hint) {
	case UI_H_ENTER_SOON:
		snprintf(b, n, "%s", _("Enter right after a scan does not "
		    "redeem: press Enter again to redeem"));
		break;
	case UI_H_ESC_KEEPS:
		snprintf(b, n, "%s", _("Esc keeps the basket; F2 twice "
		    "clears it"));
		break;
	case UI_H_CLEAR:
		snprintf(b, n, _("Clear the basket (%d coupons)? F2 again "
		    "clears it, any other key keeps it"), v->ncoupons);
		break;
	case UI_H_CLEAR_KIOSK:
		snprintf(b, n, "%s", _("Esc again cancels and clears your "
		    "coupons"));
		break;
	case UI_H_NONE:
		break;
	}
}

static void
draw(struct ui *u, const struct view *v)
{
	char b[512];
	int body_top = 1, body_bottom = LINES - 3, main_w = COLS, pw = 0;
	int kiosk = v->kiosk || u->o.kiosk;

	erase();
	if (v->screen != u->list_screen) {
		u->list_top = 0;   /* a list opens at its top */
		u->list_screen = v->screen;
	}
	draw_status(v);
	if (u->o.ndemo > 0 && COLS >= 72) {
		pw = COLS >= 110 ? 40 : 30;
		main_w = COLS - pw;
	}
	/* title + banners */
	dr_fill(body_top, 0, main_w, A_NORMAL);
	dr_put(body_top, 1, main_w - 1, ui_screen_title(v->screen),
	    crt_attr(CRT_TITLE), 0);
	if (v->demo) {
		snprintf(b, sizeof b, " %s ", main_w >= 70 ?
		    _("DEMO - simulator, not real WeChat") : _("DEMO"));
		dr_put(body_top, main_w - ui_width(b) > 20 ?
		    main_w - ui_width(b) : 20, main_w, b,
		    crt_attr(CRT_DEMO), 0);
	}
	if (kiosk && v->screen != VIEW_APPROVE) {
		snprintf(b, sizeof b, "%s ", _(" SELF-SERVICE"));
		dr_put(body_top, main_w - ui_width(b), ui_width(b), b,
		    crt_attr(CRT_DEMO), 0);
	}
	switch (v->screen) {
	case VIEW_LOGIN:
		draw_login(v, body_top, body_bottom, main_w);
		break;
	case VIEW_AMOUNT:
		if (kiosk) {
			dr_center(body_top + 2, 0, main_w,
			    _("Enter the amount on your receipt (staff can "
			    "help), then scan your coupon"),
			    A_BOLD);
			dr_big_text(u->in, body_top + 4, main_w);
		}
		draw_verdict(v, body_bottom - 8, 0, main_w, kiosk);
		break;
	case VIEW_BASKET:
	case VIEW_RESULT:
		draw_sale(v, body_top, body_bottom, main_w, kiosk);
		break;
	case VIEW_APPROVE:
		draw_approve(v, body_top, body_bottom, main_w, kiosk);
		break;
	case VIEW_PAY:
		draw_pay(v, body_top, body_bottom, main_w, kiosk);
		break;
	case VIEW_HELP:
		draw_help(body_top, body_bottom, main_w, kiosk);
		break;
	case VIEW_TXNS:
	case VIEW_REPORT:
	case VIEW_DIAG:
	case VIEW_SETTINGS:
	case VIEW_DETAIL:
		if (v->title[0] != '\0')
			dr_put(body_top, 1 + ui_width(ui_screen_title(v->screen))
			    + 2, main_w / 2, _(v->title), A_BOLD, 0);
		draw_lines(u, v, body_top, body_bottom, main_w);
		break;
	case VIEW_SCREEN_COUNT:
		break;
	}
	if (kiosk && v->idle_left_s > 0 && v->screen != VIEW_APPROVE) {
		/* the idle reset, counting down */
		snprintf(b, sizeof b, _("Back to the start in %d s: press "
		    "any key to stay"), v->idle_left_s);
		dr_center(body_bottom - 1, 0, main_w, b, crt_attr(CRT_WARN));
	}
	/* the panel ends above the message line (LINES - 3), which is
	 * drawn over the whole width below */
	if (pw > 0)
		draw_demo(u, main_w, pw, body_top, body_bottom);
	/* message line; a configuration error stays there while there
	 * is nothing else to say */
	ui_msg(v, b, sizeof b);
	if (ui_hint_live(u, v))
		hint_words(u, v, b, sizeof b);
	if (b[0] == '\0' && v->online == VIEW_NET_CONFIG)
		snprintf(b, sizeof b, _("Configuration error: %s"),
		    v->net_error);
	else if (b[0] == '\0' && v->online == VIEW_NET_CLOCK)
		snprintf(b, sizeof b, _("Till clock wrong, WeChat refuses "
		    "its requests: %s"), v->net_error);
	else if (b[0] == '\0' && v->online == VIEW_NET_TLS)
		snprintf(b, sizeof b, _("WeChat's certificate is refused "
		    "(check ca_file and the clock): %s"), v->net_error);
	dr_fill(LINES - 3, 0, COLS, A_NORMAL);
	if (b[0] != '\0')
		dr_put(LINES - 3, 1, COLS - 1, b, ui_hint_live(u, v) ?
		    (int)A_BOLD : v->redeeming ?
		    crt_attr(CRT_WARN) :
		    v->msg == VIEW_M_VOIDED || v->msg == VIEW_M_APPROVED ||
		    v->msg == VIEW_M_ZDONE ? (int)A_BOLD :
		    crt_attr(CRT_BAD), 0);
	draw_fnbar(v, kiosk);
	draw_input(u, v, LINES - 2, kiosk);
}

/* ---- render / beeps / latency --------------------------------------- */

/* Beeps follow what the verdict box says (a mixed sale: 3, something was
 * refused; a note such as a payment code: 1). */
static void
start_beeps(struct ui *u, const struct view *v)
{
	struct ui_banner b;

	if (v->verdict_seq == u->beep_seq)
		return;
	u->beep_seq = v->verdict_seq;
	ui_banner(v, &b);
	switch (b.kind) {
	case UI_B_OK: u->beeps_left = 1; break;
	case UI_B_OFFLINE: u->beeps_left = 2; break;
	case UI_B_BAD:
	case UI_B_MIXED: u->beeps_left = 3; break;
	case UI_B_NOTE: u->beeps_left = 1; break;
	default: u->beeps_left = 0; break;
	}
	u->beep_next_ms = tm_mono_ms();
}

void
ui_render(struct ui *u, const struct view *v)
{
	struct tm lt;
	uint64_t now;
	int fkey_id;

	fkey_id = v->screen == VIEW_APPROVE ? 100 + v->approve_step :
	    (int)v->field;
	if (v->screen != u->in_screen || fkey_id != u->in_field) {
		/* a new field: start with an empty line, unless the keys were
		 * typed ahead after the Enter that moved to it */
		if (!u->submitted) {
			u->in_len = 0;
			u->in[0] = '\0';
		}
		u->in_screen = v->screen;
		u->in_field = fkey_id;
		u->dirty = 1;
	}
	if (v->gen != u->drawn_gen)
		u->submitted = 0;
	tm_local(tm_now(), &lt);
	if (lt.tm_min != u->minute) {
		u->minute = lt.tm_min;
		u->dirty = 1;
	}
	if (!u->dirty && v->gen == u->drawn_gen)
		return;
	getmaxyx(stdscr, u->rows, u->cols);
	draw(u, v);
	refresh();
	u->drawn_gen = v->gen;
	u->dirty = 0;
	if (v->verdict_seq != u->lat_seq) {
		u->lat_seq = v->verdict_seq;
		if (v->verdict_scan_us != 0) {
			now = tm_mono_us();
			now = now > v->verdict_scan_us ?
			    now - v->verdict_scan_us : 0;
			if (u->lat_fp != NULL) {
				fprintf(u->lat_fp, "%llu %d\n",
				    (unsigned long long)now, (int)v->verdict);
				fflush(u->lat_fp);
			}
		}
		start_beeps(u, v);
	}
}

int
ui_timeout_ms(const struct ui *u)
{
	uint64_t now = tm_mono_ms();
	int64_t t;
	int ms;
	time_t wall = time(NULL);

	ms = (int)(60 - wall % 60) * 1000;  /* the clock's next minute */
	if (u->beeps_left > 0) {
		t = (int64_t)u->beep_next_ms - (int64_t)now;
		if (t < 0)
			t = 0;
		if (t < ms)
			ms = (int)t;
	}
	return ms;
}

void
ui_tick(struct ui *u, const struct view *v)
{
	uint64_t now = tm_mono_ms();

	if (u->beeps_left > 0 && now >= u->beep_next_ms) {
		if (!u->o.quiet)
			crt_beep();
		u->beeps_left--;
		u->beep_next_ms = now + BEEP_GAP_MS;
	}
	ui_render(u, v);
}
