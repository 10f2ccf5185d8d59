/*
 * draw_lists.c — list screens (sales, reports, scanner diagnostics,
 * settings, detail), help, login and the demo panel.
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
void
draw_demo(struct ui *u, int x, int w, int top, int bottom)
{
	char l[256], label[128];
	const char *tab;
	int i, y = top, lw, need = 0, end;
	size_t k;

	for (i = top; i < bottom; i++) {
		dr_fill(i, x, w, A_NORMAL);
		mvaddch(i, x, ACS_VLINE);
	}
	dr_put(y++, x + 2, w - 2, _("Demo codes (type, Enter)"),
	    crt_attr(CRT_TITLE), 0);
	dr_put(y++, x + 2, w - 2, _("Manager 9001, PIN 9999"), crt_attr(CRT_DIM),
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
			dr_put(y, x + 2, w - 2, _(label), crt_attr(CRT_DIM), 0);
			dr_put(y++, x + w - ui_width(tab + 1), ui_width(tab + 1),
			    tab + 1, A_BOLD, 0);
			u->demo_shown++;
			continue;
		}
		if (y + 1 >= end)
			break;
		dr_put(y++, x + 2, w - 2, _(label), crt_attr(CRT_DIM), 0);
		snprintf(l, sizeof l, " %s", tab + 1);
		dr_put(y++, x + 2, w - 2, l, A_BOLD, 0);
		u->demo_shown++;
	}
	if (end < bottom) {
		snprintf(l, sizeof l, _("F11: more codes (%d-%d of %d)"),
		    u->demo_first + 1, u->demo_first + u->demo_shown,
		    u->o.ndemo);
		/* the panel is 28 columns at 80: the short form rather
		 * than a cut one ("(11-17 of 17)", the Chinese) */
		if (ui_width(l) > w - 2)
			snprintf(l, sizeof l, _("F11: more %d-%d/%d"),
			    u->demo_first + 1, u->demo_first +
			    u->demo_shown, u->o.ndemo);
		dr_put(bottom - 1, x + 2, w - 2, l, crt_attr(CRT_WARN), 0);
	}
}

/* One coupon row: "n name [kind] -discount state"; the kind column goes
 * when the window is narrow (80 columns with the demo panel). */
/* s in w columns, right-aligned (CJK widths counted) */
static void
rfit(const char *s, int w, char *out, size_t n)
{
	char f[128];
	int pad = w - ui_width(s);

	ui_fit(s, w, 0, f, sizeof f);
	snprintf(out, n, "%*s%s", pad > 0 ? pad : 0, "", f);
}

int
ui_sale_line(const char *l)
{
	return l[0] == '#' || strstr(l, "\t#") != NULL;
}

/* The sales list's column names, over the columns of its lines
 * ("voided: #7      12:03      100.00  ->      95.00  1001"). */
static void
txns_header(int y, int w)
{
	char sale[160], tm[160], amt[160], due[160], st[160], b[1024];

	ui_fit(_("Sale"), 7, 1, sale, sizeof sale);
	ui_fit(_("Time"), 5, 1, tm, sizeof tm);
	rfit(_("Amount"), 10, amt, sizeof amt);
	rfit(_("Due"), 10, due, sizeof due);
	ui_fit(_("State"), 9, 1, st, sizeof st);
	/* the state comes first, as each line's label */
	snprintf(b, sizeof b, "%s  %s %s  %s     %s  %s", _("State"), sale, tm,
	    amt, due, _("Cashier"));
	(void)st;
	dr_put(y, 1, w - 1, b, (int)A_BOLD | (int)A_UNDERLINE, 0);
}

#define LIST_ROWS_MAX (VIEW_LINES_MAX * 4)

/* List screens: each line wrapped at word boundaries (a long void reason
 * is not cut), scrolled by rows (Up/Down, PgUp/PgDn; the sales list
 * follows its selection), with a last row that says there is more. */
void
draw_lines(struct ui *u, const struct view *v, int top, int bottom, int w)
{
	static char text[LIST_ROWS_MAX][VIEW_LINE_MAX * 2];
	int line_of[LIST_ROWS_MAX];
	char b[VIEW_LINE_MAX * 2], more[160];
	const char *rest;
	int i, y = top + 1, nrows = 0, avail, first_sel = -1, r, ind;

	if (v->screen == VIEW_TXNS && v->nlines > 0 &&
	    ui_sale_line(v->lines[0]))
		txns_header(y++, w);
	for (i = 0; i < v->nlines && nrows < LIST_ROWS_MAX; i++) {
		ui_line(v->lines[i], b, sizeof b);
		rest = b;
		ind = 0;
		do {
			if (i == v->selected && first_sel < 0)
				first_sel = nrows;
			ui_wrap(rest, w - 2 - ind, &rest, text[nrows] + ind,
			    sizeof text[0] - (size_t)ind);
			memset(text[nrows], ' ', (size_t)ind);
			line_of[nrows++] = i;
			ind = 4;  /* continuation rows are indented */
		} while (*rest != '\0' && nrows < LIST_ROWS_MAX);
	}
	avail = bottom - y;
	if (nrows > avail)
		avail--;            /* the row that says there is more */
	if (avail < 1)
		avail = 1;
	u->list_page = avail;
	if (v->screen == VIEW_TXNS && first_sel >= 0) {
		if (first_sel < u->list_top)
			u->list_top = first_sel;
		else if (first_sel >= u->list_top + avail)
			u->list_top = first_sel - avail + 1;
	}
	if (u->list_top > nrows - avail)
		u->list_top = nrows - avail;
	if (u->list_top < 0)
		u->list_top = 0;
	for (r = u->list_top; r < nrows && r < u->list_top + avail &&
	    y < bottom; r++) {
		i = line_of[r];
		if (v->screen == VIEW_TXNS) {
			/* a marker that shows without colour or reverse
			 * video too: the sale F8 voids, Enter opens */
			dr_put(y, 0, 1, i == v->selected &&
			    (r == 0 || line_of[r - 1] != i) ? ">" : " ",
			    A_BOLD, 0);
		}
		dr_put(y++, 1, w - 1, text[r], v->screen == VIEW_TXNS &&
		    i == v->selected ? A_REVERSE : A_NORMAL, 0);
	}
	if (nrows > avail) {
		snprintf(more, sizeof more, _("rows %d-%d of %d: Up/Down, "
		    "PgUp/PgDn for more"), u->list_top + 1,
		    u->list_top + avail < nrows ? u->list_top + avail : nrows,
		    nrows);
		dr_put(bottom - 1, 1, w - 1, more, crt_attr(CRT_WARN), 0);
	}
}

/* Digits, '.' and the yuan sign in a 3x5 block font (kiosk amount), centred
 * at row y; other characters are skipped. */
void
draw_help(int top, int bottom, int w, int kiosk)
{
	static const char *const help[] = {
		N_("Log in with your id and PIN."),
		N_("Enter the amount, then scan coupons (or type the code and "
		   "Enter)."),
		N_("Enter on an empty scan field redeems the coupons; so does "
		    "+ (also right after a scan)."),
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
			dr_put(y++, 2, w - 2, part, A_NORMAL, 0);
			rest += k;
			while (*rest == ' ')
				rest++;
		}
	}
}

void
draw_login(const struct view *v, int top, int bottom, int w)
{
	int y = top + (bottom - top) / 3;

	(void)v;
	dr_center(y, 0, w, "quan \xe5\x88\xb8", crt_attr(CRT_TITLE));
	dr_center(y + 2, 0, w, _("Coupon redemption terminal"), A_NORMAL);
	dr_center(y + 4, 0, w, _("Enter your cashier id, then your PIN."),
	    A_NORMAL);
}
