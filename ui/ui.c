/*
 * ui.c — the cashier screen. Draws the view model (status bar, body per
 * screen, verdict box, input line, function-key bar, demo panel) with
 * display-width layout for CJK, and maps keys to session commands. The
 * input line is the only state kept here: a code typed at the scan field
 * becomes an EV_SCAN (keyboard wedge when the keys came in a burst, manual
 * otherwise).
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
#include "util/err.h"
#include "util/log.h"
#include "util/str.h"
#include "util/tm.h"
#include "util/xmem.h"

#define INPUT_MAX 240
#define WEDGE_GAP_MS 60   /* keys closer than this came from a scanner */
#define BEEP_GAP_MS 180

struct ui {
	struct ui_opts o;
	uint64_t drawn_gen;
	int dirty;
	int rows, cols;

	/* input line */
	char in[INPUT_MAX + 8];
	size_t in_len;
	int in_field;             /* field, or 100 + approval step */
	int submitted;            /* Enter sent, its effect not drawn yet:
	                             keys typed since are type-ahead */
	enum view_screen in_screen;
	uint64_t key_first_us, key_last_us;
	uint32_t key_gap_max_ms;

	/* demo panel: first entry shown, entries that fit last time */
	int demo_first, demo_shown;

	/* beeps */
	uint64_t beep_seq;
	int beeps_left;
	uint64_t beep_next_ms;

	/* latency */
	uint64_t lat_seq;
	uint64_t lat_n, lat_max;
	FILE *lat_fp;

	int minute;           /* clock minute drawn */
};

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

void
ui_latency(const struct ui *u, struct ui_lat *out)
{
	out->n = u->lat_n;
	out->max_us = u->lat_max;
}

/* ---- drawing helpers ------------------------------------------------ */

/* Put s at (y, x) in at most w columns; pad to w when pad. */
static void
put(int y, int x, int w, const char *s, int attr, int pad)
{
	char buf[1024];

	if (w <= 0 || y < 0 || y >= LINES || x >= COLS)
		return;
	if (x + w > COLS)
		w = COLS - x;
	ui_fit(s, w, pad, buf, sizeof buf);
	attrset((attr_t)attr);
	mvaddstr(y, x, buf);
	attrset(A_NORMAL);
}

static void
fill(int y, int x, int w, int attr)
{
	put(y, x, w, "", attr, 1);
}

static void
putc_center(int y, int x, int w, const char *s, int attr)
{
	int sw = ui_width(s);
	int off = sw < w ? (w - sw) / 2 : 0;

	fill(y, x, w, attr);
	put(y, x + off, w - off, s, attr, 0);
}

static int
cstate_role(enum view_cstate s)
{
	switch (s) {
	case VIEW_C_CONFIRMED:
	case VIEW_C_RETURNED:
		return CRT_OK;
	case VIEW_C_OFFLINE:
	case VIEW_C_PENDING:
	case VIEW_C_UNKNOWN:
	case VIEW_C_RETURN_PENDING:
	case VIEW_C_NEEDS_APPROVAL:
		return CRT_WARN;
	case VIEW_C_REJECTED:
	case VIEW_C_CONFLICT:
		return CRT_BAD;
	case VIEW_C_PRICED:
		break;
	}
	return CRT_NORMAL;
}

static int
verdict_role(enum view_verdict v)
{
	switch (v) {
	case VIEW_V_CONFIRMED: return CRT_OK;
	case VIEW_V_OFFLINE: return CRT_WARN;
	case VIEW_V_WAIT: return CRT_WARN;
	case VIEW_V_REJECTED: return CRT_BAD;
	default: break;
	}
	return CRT_NORMAL;
}

static void
draw_status(const struct view *v)
{
	char b[512], age[32], clock[16], who[64];
	struct tm lt;
	int x;
	const char *net;
	int net_attr;

	tm_local(tm_now(), &lt);
	strftime(clock, sizeof clock, "%H:%M", &lt);
	fill(0, 0, COLS, crt_attr(CRT_STATUS));
	net = ui_net_word(v->online);
	if (v->online == VIEW_NET_ONLINE)
		net_attr = crt_attr(CRT_STATUS) | A_BOLD;
	else if (v->online == VIEW_NET_CONNECTING)
		net_attr = crt_attr(CRT_STATUS);
	else
		net_attr = crt_attr(CRT_OFFLINE);
	x = 0;
	snprintf(b, sizeof b, " quan %s ", v->term_id);
	put(0, x, COLS - x, b, crt_attr(CRT_STATUS) | A_BOLD, 0);
	x += ui_width(b);
	snprintf(b, sizeof b, " %s ", net);
	put(0, x, COLS - x, b, net_attr, 0);
	x += ui_width(b);
	if (v->cashier[0] != '\0')
		snprintf(who, sizeof who, "%s %s", ui_role_word(v->role),
		    v->cashier);
	else
		str_copy(who, sizeof who, _("logged out"));
	snprintf(b, sizeof b, " %s %d \xe2\x94\x82 %s %s \xe2\x94\x82 %s "
	    "\xe2\x94\x82 %s", _("outbox"), v->outbox, _("cache"),
	    ui_age(v->cache_age_s, age, sizeof age), who, clock);
	put(0, x, COLS - x, b, crt_attr(CRT_STATUS), 0);
}

static void
draw_fnbar(const struct view *v, int kiosk)
{
	static const char *const labels[10] = {
		N_("Help"), N_("New"), N_("Sales"), N_("X-rep"), N_("Z-rep"),
		N_("Scans"), N_("Setup"), N_("Void"), N_("Logout"), N_("Quit")
	};
	char k[8], lab[64];
	int i, x = 0, slot, y = LINES - 1;

	fill(y, 0, COLS, crt_attr(CRT_KEYLABEL));
	if (kiosk) {
		put(y, 0, COLS, _(" Esc back"), crt_attr(CRT_KEYLABEL), 1);
		return;
	}
	(void)v;
	slot = COLS / 10;
	if (slot < 6)
		slot = 6;
	for (i = 0; i < 10 && x < COLS; i++) {
		snprintf(k, sizeof k, "%d", i + 1);
		put(y, x, 2, k, crt_attr(CRT_KEY), 1);
		/* the label runs up to the next key's number (its own
		 * colour/bold separates them): at 80 columns "9 Logout"
		 * fits (it read "9 Logou") */
		ui_fit(_(labels[i]), slot - 2, 1, lab, sizeof lab);
		put(y, x + 2, slot - 2, lab, crt_attr(CRT_KEYLABEL), 1);
		x += slot;
	}
}

/* Rows entry i of the demo panel takes at width w (1 or 2). */
static int
demo_rows(const struct ui *u, int i, int w)
{
	const char *tab = strchr(u->o.demo_lines[i], '\t');
	char label[128];
	size_t k;

	if (tab == NULL)
		return 0;
	k = (size_t)(tab - u->o.demo_lines[i]);
	if (k >= sizeof label)
		k = sizeof label - 1;
	memcpy(label, u->o.demo_lines[i], k);
	label[k] = '\0';
	return ui_width(_(label)) + 1 + ui_width(tab + 1) <= w - 2 ? 1 : 2;
}

/* The demo codes, a page at a time when they do not all fit (80x24):
 * F11 shows the next page; the last row says so. */
static void
draw_demo(struct ui *u, int x, int w, int top, int bottom)
{
	char l[256], label[128];
	const char *tab;
	int i, y = top, lw, need = 0, end;
	size_t k;

	for (i = top; i < bottom; i++) {
		fill(i, x, w, A_NORMAL);
		mvaddch(i, x, ACS_VLINE);
	}
	put(y++, x + 2, w - 2, _("Demo codes (type, Enter)"),
	    crt_attr(CRT_TITLE), 0);
	put(y++, x + 2, w - 2, _("Manager 9001, PIN 9999"), crt_attr(CRT_DIM),
	    0);
	for (i = 0; i < u->o.ndemo; i++)
		need += demo_rows(u, i, w);
	if (u->demo_first >= u->o.ndemo)
		u->demo_first = 0;
	end = bottom;
	if (need > bottom - y)
		end = bottom - 1; /* keep a row for the page hint */
	else
		u->demo_first = 0;
	u->demo_shown = 0;
	for (i = u->demo_first; i < u->o.ndemo && y < end; i++) {
		tab = strchr(u->o.demo_lines[i], '\t');
		if (tab == NULL)
			continue;
		k = (size_t)(tab - u->o.demo_lines[i]);
		if (k >= sizeof label)
			k = sizeof label - 1;
		memcpy(label, u->o.demo_lines[i], k);
		label[k] = '\0';
		lw = ui_width(_(label));
		if (lw + 1 + ui_width(tab + 1) <= w - 2) {
			/* label and code on one line */
			put(y, x + 2, w - 2, _(label), crt_attr(CRT_DIM), 0);
			put(y++, x + w - ui_width(tab + 1), ui_width(tab + 1),
			    tab + 1, A_BOLD, 0);
			u->demo_shown++;
			continue;
		}
		if (y + 1 >= end)
			break;
		put(y++, x + 2, w - 2, _(label), crt_attr(CRT_DIM), 0);
		snprintf(l, sizeof l, " %s", tab + 1);
		put(y++, x + 2, w - 2, l, A_BOLD, 0);
		u->demo_shown++;
	}
	if (end < bottom) {
		snprintf(l, sizeof l, _("F11: more codes (%d-%d of %d)"),
		    u->demo_first + 1, u->demo_first + u->demo_shown,
		    u->o.ndemo);
		put(bottom - 1, x + 2, w - 2, l, crt_attr(CRT_WARN), 0);
	}
}

/* One coupon row: "n name [kind] -discount state"; the kind column goes
 * when the window is narrow (80 columns with the demo panel). */
static void
draw_coupon(int y, int x, int w, int i, const struct view_coupon *c,
    int selected)
{
	char b[512], m[40], name[256], kind[32], st[64];
	int wide = w >= 64, nw = w - (wide ? 44 : 33), attr, bw;

	if (nw < 8)
		nw = 8;
	ui_fit(c->name[0] != '\0' ? c->name : c->code, nw, 1, name,
	    sizeof name);
	ui_money(c->discount_fen, m, sizeof m);
	ui_fit(c->kind, 10, 1, kind, sizeof kind);
	snprintf(b, sizeof b, "%c%2d %s %s%s-%-9s", selected ? '>' : ' ',
	    i + 1, name, wide ? kind : "", wide ? " " : "", m);
	put(y, x, w, b, selected ? A_BOLD : A_NORMAL, 1);
	bw = ui_width(b);
	ui_fit(ui_cstate_word(c->state), w - bw - 1, 0, st, sizeof st);
	attr = crt_attr(cstate_role(c->state));
	put(y, x + bw + 1, w - bw - 1, st, attr, 0);
	if (c->reason == VIEW_R_VALUE_PENDING &&
	    w - bw - 2 - ui_width(st) > 8) {
		/* provisional: say why the discount is 0.00 for now */
		char r[256], f[256];

		ui_reason(c, r, sizeof r);
		ui_fit(r, w - bw - 2 - ui_width(st), 1, f, sizeof f);
		put(y, x + bw + 2 + ui_width(st), ui_width(f), f,
		    crt_attr(CRT_DIM), 0);
		return;
	}
	if ((c->manual || c->give_item) && w - bw - 1 - ui_width(st) > 12) {
		const char *tag = c->give_item ? _("[give item]") :
		    _("[typed]");

		put(y, x + w - ui_width(tag), ui_width(tag), tag,
		    c->give_item ? (int)A_BOLD : crt_attr(CRT_DIM), 0);
	}
}

static void
draw_verdict(const struct view *v, int y, int x, int w, int big)
{
	char reason[512], line[1400], name[VIEW_NAME_MAX + 32], part[512];
	const char *word = ui_verdict_word(v->verdict);
	int attr = crt_attr(verdict_role(v->verdict)), i, h = big ? 7 : 3;
	char spaced[256];
	size_t o = 0;
	const char *p;

	if (v->verdict == VIEW_V_NONE || v->verdict == VIEW_V_INFO)
		return;
	ui_reason(&v->last, reason, sizeof reason);
	for (i = 0; i < h; i++)
		fill(y + i, x, w, attr);
	if (big) {
		/* letter-spaced word in the middle of a tall box */
		for (p = word; *p != '\0' && o + 4 < sizeof spaced; p++) {
			spaced[o++] = *p;
			if (p[1] != '\0' && (p[1] & 0xc0) != 0x80)
				spaced[o++] = ' ';
		}
		spaced[o] = '\0';
		putc_center(y + 2, x, w, spaced, attr);
		putc_center(y + 4, x, w, reason, attr);
		return;
	}
	if (v->screen == VIEW_RESULT && v->ncoupons > 1 &&
	    v->verdict != VIEW_V_REJECTED)
		snprintf(name, sizeof name, _("%d coupons"), v->ncoupons);
	else
		str_copy(name, sizeof name, v->last.name[0] != '\0' ?
		    v->last.name : v->last.code);
	snprintf(line, sizeof line, " %s  %s", word, name);
	if (ui_width(line) + 3 + ui_width(reason) <= w) {
		/* it all fits on the middle row */
		snprintf(line, sizeof line, " %s  %s%s%s", word, name,
		    reason[0] != '\0' ? " \xe2\x80\x94 " : "", reason);
		put(y + 1, x, w, line, attr, 1);
		return;
	}
	/* word and coupon, then the reason over the next row(s) */
	put(y, x, w, line, attr, 1);
	ui_fit(reason, w - 2, 0, part, sizeof part);
	put(y + 1, x + 1, w - 1, part, attr, 1);
	put(y + 2, x + 1, w - 1, reason + strlen(part), attr, 1);
}

static void
draw_sale(const struct view *v, int top, int bottom, int w, int kiosk)
{
	char b[512], m1[40], m2[40], m3[40];
	int i, y = top + 1, rows;

	ui_money(v->amount_fen, m1, sizeof m1);
	ui_money(v->discount_fen, m2, sizeof m2);
	ui_money(v->due_fen, m3, sizeof m3);
	if (v->txn[0] != '\0')
		snprintf(b, sizeof b, "%s %s   %s %s", _("Sale"), v->txn,
		    _("Amount"), m1);
	else
		snprintf(b, sizeof b, "%s %s", _("Amount"), m1);
	put(y++, 1, w - 1, b, A_BOLD, 0);
	y++;
	rows = bottom - y - (kiosk ? 9 : 5);
	for (i = 0; i < v->ncoupons && i < rows; i++)
		draw_coupon(y++, 1, w - 2, i, &v->coupons[i], i == v->selected);
	if (v->ncoupons == 0)
		put(y++, 3, w - 3, _("(no coupons yet)"), crt_attr(CRT_DIM), 0);
	y++;
	snprintf(b, sizeof b, "%s -%s    %s %s", _("Discount"), m2, _("DUE"),
	    m3);
	put(y++, 1, w - 1, b, A_BOLD, 0);
	if (kiosk)
		draw_verdict(v, bottom - 8, 0, w, 1);
	else
		draw_verdict(v, bottom - 3, 0, w, 0);
}

static void
draw_lines(const struct view *v, int top, int bottom, int w)
{
	char b[VIEW_LINE_MAX * 2];
	int i, y = top + 1, first = 0, rows = bottom - top - 1;

	if (v->selected >= rows)
		first = v->selected - rows + 1;
	for (i = first; i < v->nlines && y < bottom; i++) {
		ui_line(v->lines[i], b, sizeof b);
		if (v->screen == VIEW_TXNS) {
			/* a marker that shows without colour or reverse
			 * video too: the sale F8 voids, Enter opens */
			put(y, 0, 1, i == v->selected ? ">" : " ", A_BOLD, 0);
		}
		put(y++, 1, w - 1, b, i == v->selected ? A_REVERSE : A_NORMAL,
		    0);
	}
}

/* Digits, '.' and the yuan sign in a 3x5 block font (kiosk amount), centred
 * at row y; other characters are skipped. */
static void
big_text(const char *s, int y, int w)
{
	static const char *const font[12][5] = {
		{ "###", "# #", "# #", "# #", "###" }, /* 0 */
		{ " # ", "## ", " # ", " # ", "###" },
		{ "###", "  #", "###", "#  ", "###" },
		{ "###", "  #", "###", "  #", "###" },
		{ "# #", "# #", "###", "  #", "  #" },
		{ "###", "#  ", "###", "  #", "###" },
		{ "###", "#  ", "###", "# #", "###" },
		{ "###", "  #", "  #", "  #", "  #" },
		{ "###", "# #", "###", "# #", "###" },
		{ "###", "# #", "###", "  #", "###" }, /* 9 */
		{ "   ", "   ", "   ", "   ", " # " }, /* . */
		{ "# #", " # ", "###", " # ", " # " }  /* yen */
	};
	int idx[24], n = 0, i, r, c, x0;
	char row[24 * 4 + 1];

	idx[n++] = 11;
	for (; *s != '\0' && n < 24; s++) {
		if (*s >= '0' && *s <= '9')
			idx[n++] = *s - '0';
		else if (*s == '.')
			idx[n++] = 10;
	}
	if (n * 4 > w)
		return;
	x0 = (w - n * 4) / 2;
	for (r = 0; r < 5; r++) {
		for (i = 0; i < n; i++) {
			for (c = 0; c < 3; c++)
				row[i * 4 + c] = font[idx[i]][r][c];
			row[i * 4 + 3] = ' ';
		}
		row[n * 4] = '\0';
		/* '#' cells as full blocks (U+2588) */
		for (i = 0; row[i] != '\0'; i++)
			mvaddstr(y + r, x0 + i, row[i] == '#' ?
			    "\xe2\x96\x88" : " ");
	}
}

static void
draw_help(int top, int bottom, int w, int kiosk)
{
	static const char *const help[] = {
		N_("Log in with your id and PIN."),
		N_("Enter the amount, then scan coupons (or type the code and "
		   "Enter)."),
		N_("Enter on an empty scan field redeems the coupons."),
		N_("Up/Down select a coupon, Tab shows it, Del removes it."),
		N_("F2 new sale, F3 today's sales, F4 X report, F5 Z report."),
		N_("F6 scanner diagnostics, F7 settings, F8 void (manager)."),
		N_("F9 log out, F10 quit, Esc goes back."),
		N_("Verdicts: CONFIRMED (1 beep), ACCEPTED OFFLINE (2 beeps),"
		   " REJECTED (3 beeps)."),
	};
	char part[1024];
	const char *rest;
	char *sp;
	int i, y = top + 1;
	size_t k;

	(void)kiosk;
	/* a line wider than the screen wraps at a space (80 columns with
	 * the demo panel cut "REJECTED (3 beeps)" off) */
	for (i = 0; i < (int)(sizeof help / sizeof help[0]) && y < bottom;
	    i++) {
		rest = _(help[i]);
		while (*rest != '\0' && y < bottom) {
			ui_fit(rest, w - 2, 0, part, sizeof part);
			k = strlen(part);
			if (k == 0)
				break;
			if (rest[k] != '\0' &&
			    (sp = strrchr(part, ' ')) != NULL && sp > part) {
				*sp = '\0';
				k = (size_t)(sp - part);
			}
			put(y++, 2, w - 2, part, A_NORMAL, 0);
			rest += k;
			while (*rest == ' ')
				rest++;
		}
	}
}

static void
draw_login(const struct view *v, int top, int bottom, int w)
{
	int y = top + (bottom - top) / 3;

	(void)v;
	putc_center(y, 0, w, "quan \xe5\x88\xb8", crt_attr(CRT_TITLE));
	putc_center(y + 2, 0, w, _("Coupon redemption terminal"), A_NORMAL);
	putc_center(y + 4, 0, w, _("Enter your cashier id, then your PIN."),
	    A_NORMAL);
}

static void
draw_approve(const struct view *v, int top, int bottom, int w)
{
	char b[512];
	int y = top + 2;

	(void)bottom;
	put(y++, 2, w - 2, _("A manager must approve:"), A_BOLD, 0);
	put(y++, 4, w - 4, ui_action_word(v->action), crt_attr(CRT_WARN), 0);
	y++;
	if (v->last.reason != VIEW_R_NONE) {
		ui_reason(&v->last, b, sizeof b);
		put(y++, 4, w - 4, b, A_NORMAL, 0);
	}
	if (v->act_txn[0] != '\0') {
		snprintf(b, sizeof b, "%s %s", _("Sale"), v->act_txn);
		put(y++, 4, w - 4, b, A_NORMAL, 0);
	}
	y++;
	put(y++, 2, w - 2, _("Esc cancels."), crt_attr(CRT_DIM), 0);
}

static void
draw_input(struct ui *u, const struct view *v, int y, int big)
{
	char b[INPUT_MAX * 2 + 64], shown[INPUT_MAX + 8];
	const char *prompt = ui_prompt(v);
	size_t i;
	int x;

	fill(y, 0, COLS, A_NORMAL);
	if (v->field == VIEW_FIELD_NONE && v->screen != VIEW_APPROVE) {
		curs_set(0);
		return;
	}
	if (v->field == VIEW_FIELD_PIN ||
	    (v->screen == VIEW_APPROVE && v->approve_step == 1)) {
		for (i = 0; i < u->in_len && i < INPUT_MAX; i++)
			shown[i] = '*';
		shown[i] = '\0';
	} else {
		str_copy(shown, sizeof shown, u->in);
	}
	snprintf(b, sizeof b, "%s: ", prompt);
	put(y, 0, COLS, b, big ? A_BOLD : A_NORMAL, 0);
	x = ui_width(b);
	if (x > COLS - 10)
		x = COLS - 10;
	put(y, x, COLS - x, shown, crt_attr(CRT_INPUT), 1);
	curs_set(1);
	x += ui_width(shown);
	if (x >= COLS)
		x = COLS - 1;
	move(y, x);
}

static void
draw(struct ui *u, const struct view *v)
{
	char b[512];
	int body_top = 1, body_bottom = LINES - 3, main_w = COLS, pw = 0;
	int kiosk = v->kiosk || u->o.kiosk;

	erase();
	draw_status(v);
	if (u->o.ndemo > 0 && COLS >= 72) {
		pw = COLS >= 110 ? 40 : 30;
		main_w = COLS - pw;
	}
	/* title + banners */
	fill(body_top, 0, main_w, A_NORMAL);
	put(body_top, 1, main_w - 1, ui_screen_title(v->screen),
	    crt_attr(CRT_TITLE), 0);
	if (v->demo) {
		snprintf(b, sizeof b, " %s ", main_w >= 70 ?
		    _("DEMO - simulator, not real WeChat") : _("DEMO"));
		put(body_top, main_w - ui_width(b) > 20 ?
		    main_w - ui_width(b) : 20, main_w, b,
		    crt_attr(CRT_DEMO), 0);
	}
	if (kiosk && v->screen != VIEW_APPROVE) {
		snprintf(b, sizeof b, "%s ", _(" SELF-SERVICE"));
		put(body_top, main_w - ui_width(b), ui_width(b), b,
		    crt_attr(CRT_DEMO), 0);
	}
	switch (v->screen) {
	case VIEW_LOGIN:
		draw_login(v, body_top, body_bottom, main_w);
		break;
	case VIEW_AMOUNT:
		if (kiosk) {
			putc_center(body_top + 2, 0, main_w,
			    _("Enter the amount to pay, then scan your coupon"),
			    A_BOLD);
			big_text(u->in, body_top + 4, main_w);
		}
		draw_verdict(v, body_bottom - 8, 0, main_w, kiosk);
		break;
	case VIEW_BASKET:
	case VIEW_RESULT:
		draw_sale(v, body_top, body_bottom, main_w, kiosk);
		break;
	case VIEW_APPROVE:
		draw_approve(v, body_top, body_bottom, main_w);
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
			put(body_top, 1 + ui_width(ui_screen_title(v->screen))
			    + 2, main_w / 2, _(v->title), A_BOLD, 0);
		draw_lines(v, body_top, body_bottom, main_w);
		break;
	case VIEW_SCREEN_COUNT:
		break;
	}
	/* the panel ends above the message line (LINES - 3), which is
	 * drawn over the whole width below */
	if (pw > 0)
		draw_demo(u, main_w, pw, body_top, body_bottom);
	/* message line; a configuration error stays there while there
	 * is nothing else to say */
	ui_msg(v, b, sizeof b);
	if (b[0] == '\0' && v->online == VIEW_NET_CONFIG)
		snprintf(b, sizeof b, _("Configuration error: %s"),
		    v->net_error);
	else if (b[0] == '\0' && v->online == VIEW_NET_CLOCK)
		snprintf(b, sizeof b, _("Till clock wrong, WeChat refuses "
		    "its requests: %s"), v->net_error);
	else if (b[0] == '\0' && v->online == VIEW_NET_TLS)
		snprintf(b, sizeof b, _("WeChat's certificate is refused "
		    "(check ca_file and the clock): %s"), v->net_error);
	fill(LINES - 3, 0, COLS, A_NORMAL);
	if (b[0] != '\0')
		put(LINES - 3, 1, COLS - 1, b, v->redeeming ?
		    crt_attr(CRT_WARN) :
		    v->msg == VIEW_M_VOIDED || v->msg == VIEW_M_APPROVED ||
		    v->msg == VIEW_M_ZDONE ? (int)A_BOLD :
		    crt_attr(CRT_BAD), 0);
	draw_fnbar(v, kiosk);
	draw_input(u, v, LINES - 2, kiosk);
}

/* ---- render / beeps / latency --------------------------------------- */

static void
start_beeps(struct ui *u, const struct view *v)
{
	if (v->verdict_seq == u->beep_seq)
		return;
	u->beep_seq = v->verdict_seq;
	switch (v->verdict) {
	case VIEW_V_CONFIRMED: u->beeps_left = 1; break;
	case VIEW_V_OFFLINE: u->beeps_left = 2; break;
	case VIEW_V_WAIT: u->beeps_left = 0; break;
	case VIEW_V_REJECTED: u->beeps_left = 3; break;
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
			u->lat_n++;
			if (now > u->lat_max)
				u->lat_max = now;
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

/* ---- keys ----------------------------------------------------------- */

static void
post_cmd(struct evq *q, enum session_cmd cmd, const char *text)
{
	struct ev ev;

	memset(&ev, 0, offsetof(struct ev, u) + sizeof ev.u.key);
	ev.type = EV_KEY;
	ev.t_mono_us = tm_mono_us();
	ev.u.key.cmd = (int)cmd;
	if (text != NULL)
		str_copy(ev.u.key.text, sizeof ev.u.key.text, text);
	if (evq_post(q, &ev) != 0)
		log_warn("event queue full: key dropped");
}

static void
post_scan(struct ui *u, struct evq *q)
{
	struct ev *ev = xcalloc(1, sizeof *ev);
	int wedge = u->key_gap_max_ms <= WEDGE_GAP_MS && u->in_len >= 4;

	ev->type = EV_SCAN;
	ev->t_mono_us = tm_mono_us();
	ev->u.scan.source = wedge ? SCAN_SRC_KEYBOARD : SCAN_SRC_MANUAL;
	str_copy(ev->u.scan.source_name, sizeof ev->u.scan.source_name,
	    wedge ? "keyboard" : "manual");
	memcpy(ev->u.scan.raw, u->in, u->in_len);
	ev->u.scan.raw_len = u->in_len;
	str_copy(ev->u.scan.text, sizeof ev->u.scan.text, u->in);
	ev->u.scan.t_mono_us = ev->t_mono_us;
	ev->u.scan.ikt_max_ms = u->key_gap_max_ms;
	ev->u.scan.dur_ms = (uint32_t)((u->key_last_us - u->key_first_us) /
	    1000);
	snprintf(ev->u.scan.encoding, sizeof ev->u.scan.encoding, "utf-8");
	if (evq_post(q, ev) != 0)
		log_warn("event queue full: scan dropped");
	free(ev);
}

static void
add_char(struct ui *u, uint32_t wc)
{
	char mb[MB_LEN_MAX + 1];
	mbstate_t st;
	size_t k;
	uint64_t now = tm_mono_us();
	uint32_t gap;

	memset(&st, 0, sizeof st);
	k = wcrtomb(mb, (wchar_t)wc, &st);
	if (k == (size_t)-1 || u->in_len + k > INPUT_MAX)
		return;
	if (u->in_len == 0) {
		u->key_first_us = now;
		u->key_gap_max_ms = 0;
	} else {
		gap = (uint32_t)((now - u->key_last_us) / 1000);
		if (gap > u->key_gap_max_ms)
			u->key_gap_max_ms = gap;
	}
	u->key_last_us = now;
	memcpy(u->in + u->in_len, mb, k);
	u->in_len += k;
	u->in[u->in_len] = '\0';
}

static void
backspace(struct ui *u)
{
	while (u->in_len > 0) {
		u->in_len--;
		if (((unsigned char)u->in[u->in_len] & 0xc0) != 0x80)
			break;
	}
	u->in[u->in_len] = '\0';
}

static void
enter(struct ui *u, const struct view *v, struct evq *q)
{
	if (v->field == VIEW_FIELD_CODE && v->screen != VIEW_APPROVE) {
		if (u->in_len == 0) {
			post_cmd(q, SC_CONFIRM, NULL);
		} else
			post_scan(u, q);
	} else if (v->field == VIEW_FIELD_NONE && v->screen != VIEW_APPROVE) {
		post_cmd(q, v->screen == VIEW_RESULT ? SC_NEW : SC_DETAIL,
		    NULL);
	} else {
		post_cmd(q, SC_SUBMIT, u->in);
	}
	u->in_len = 0;
	u->in[0] = '\0';
	u->submitted = 1;
}

static void
fkey(struct ui *u, int n, struct evq *q)
{
	static const enum session_cmd map[13] = {
		SC_NONE, SC_HELP, SC_NEW, SC_TXNS, SC_XREPORT, SC_ZREPORT,
		SC_DIAG, SC_SETTINGS, SC_VOID, SC_LOGOUT, SC_QUIT, SC_NONE,
		SC_OVERRIDE
	};

	if (u->o.kiosk) {
		/* only F10 (ask for a manager to leave) does anything */
		if (n == 10)
			post_cmd(q, SC_QUIT, NULL);
		return;
	}
	if (n == 11 && u->o.ndemo > 0) {
		/* the demo panel's next page (back to the first at the end) */
		u->demo_first += u->demo_shown > 0 ? u->demo_shown : 1;
		if (u->demo_first >= u->o.ndemo)
			u->demo_first = 0;
		u->dirty = 1;
		return;
	}
	if (n >= 1 && n <= 12 && map[n] != SC_NONE)
		post_cmd(q, map[n], NULL);
}

int
ui_keys(struct ui *u, const struct view *v, struct evq *q)
{
	uint32_t wc;
	enum crt_key k;
	int changed = 0;

	while ((k = crt_getkey(&wc)) != CRT_K_NONE) {
		changed = 1;
		switch (k) {
		case CRT_K_CHAR:
			add_char(u, wc);
			break;
		case CRT_K_BACKSPACE:
			backspace(u);
			break;
		case CRT_K_ENTER:
			enter(u, v, q);
			break;
		case CRT_K_ESC:
			if (u->in_len > 0) {
				u->in_len = 0;
				u->in[0] = '\0';
			} else {
				post_cmd(q, SC_CANCEL, NULL);
			}
			break;
		case CRT_K_UP:
			post_cmd(q, SC_UP, NULL);
			break;
		case CRT_K_DOWN:
			post_cmd(q, SC_DOWN, NULL);
			break;
		case CRT_K_TAB:
		case CRT_K_RIGHT:
			if (!u->o.kiosk)
				post_cmd(q, SC_DETAIL, NULL);
			break;
		case CRT_K_DELETE:
			if (!u->o.kiosk)
				post_cmd(q, SC_REMOVE, NULL);
			break;
		case CRT_K_FN:
			fkey(u, (int)wc, q);
			break;
		case CRT_K_CTRL:
			if (wc == 'L') {
				clearok(curscr, TRUE);
			} else if (wc == 'C' && !u->o.kiosk) {
				post_cmd(q, SC_QUIT, NULL);
			}
			/* kiosk: Ctrl-C, Ctrl-Z, Ctrl-\ do nothing */
			break;
		case CRT_K_RESIZE:
			clearok(curscr, TRUE);
			break;
		default:
			break;
		}
	}
	if (changed) {
		u->dirty = 1;
		ui_render(u, v);
	}
	return changed;
}
