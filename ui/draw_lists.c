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
		dr_put(bottom - 1, x + 2, w - 2, l, crt_attr(CRT_WARN), 0);
	}
}

/* One coupon row: "n name [kind] -discount state"; the kind column goes
 * when the window is narrow (80 columns with the demo panel). */
void
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
			dr_put(y, 0, 1, i == v->selected ? ">" : " ", A_BOLD, 0);
		}
		dr_put(y++, 1, w - 1, b, i == v->selected ? A_REVERSE : A_NORMAL,
		    0);
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
