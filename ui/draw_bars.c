/*
 * draw_bars.c — drawing helpers with display-width layout for CJK, the
 * colour roles of states and verdicts, the status bar, the function-key
 * bar and the input line.
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

/* ---- drawing helpers ------------------------------------------------ */

/* Put s at (y, x) in at most w columns; pad to w when pad. */
void
dr_put(int y, int x, int w, const char *s, int attr, int pad)
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

void
dr_fill(int y, int x, int w, int attr)
{
	dr_put(y, x, w, "", attr, 1);
}

void
dr_center(int y, int x, int w, const char *s, int attr)
{
	int sw = ui_width(s);
	int off = sw < w ? (w - sw) / 2 : 0;

	dr_fill(y, x, w, attr);
	dr_put(y, x + off, w - off, s, attr, 0);
}

int
dr_cstate_role(enum view_cstate s)
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

int
dr_verdict_role(enum view_verdict v)
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

void
draw_status(const struct view *v)
{
	char b[512], age[32], clock[16], who[64];
	struct tm lt;
	int x;
	const char *net;
	int net_attr;

	tm_local(tm_now(), &lt);
	strftime(clock, sizeof clock, "%H:%M", &lt);
	dr_fill(0, 0, COLS, crt_attr(CRT_STATUS));
	net = ui_net_word(v->online);
	if (v->online == VIEW_NET_ONLINE)
		net_attr = crt_attr(CRT_STATUS) | A_BOLD;
	else if (v->online == VIEW_NET_CONNECTING)
		net_attr = crt_attr(CRT_STATUS);
	else
		net_attr = crt_attr(CRT_OFFLINE);
	x = 0;
	snprintf(b, sizeof b, " quan %s ", v->term_id);
	dr_put(0, x, COLS - x, b, crt_attr(CRT_STATUS) | A_BOLD, 0);
	x += ui_width(b);
	snprintf(b, sizeof b, " %s ", net);
	dr_put(0, x, COLS - x, b, net_attr, 0);
	x += ui_width(b);
	if (v->alarms > 0) {
		/* refunds ABNORMAL: a manager must pay them back */
		snprintf(b, sizeof b, " %s %d ", _("ALARM refund"),
		    v->alarms);
		dr_put(0, x, COLS - x, b, crt_attr(CRT_OFFLINE) | A_BOLD, 0);
		x += ui_width(b);
	}
	if (v->cashier[0] != '\0')
		snprintf(who, sizeof who, "%s %s", ui_role_word(v->role),
		    v->cashier);
	else
		str_copy(who, sizeof who, _("logged out"));
	snprintf(b, sizeof b, " %s %d \xe2\x94\x82 %s %s \xe2\x94\x82 %s "
	    "\xe2\x94\x82 %s", _("outbox"), v->outbox, _("cache"),
	    ui_age(v->cache_age_s, age, sizeof age), who, clock);
	dr_put(0, x, COLS - x, b, crt_attr(CRT_STATUS), 0);
}

void
draw_fnbar(const struct view *v, int kiosk)
{
	static const char *const labels[10] = {
		N_("Help"), N_("New"), N_("Sales"), N_("X-rep"), N_("Z-rep"),
		N_("Scans"), N_("Setup"), N_("Void"), N_("Logout"), N_("Quit")
	};
	char k[8], lab[64];
	int i, x = 0, slot, y = LINES - 1;

	dr_fill(y, 0, COLS, crt_attr(CRT_KEYLABEL));
	if (kiosk) {
		/* the kiosk's buttons: what finishes the sale, once there
		 * is something to redeem; + first, the deliberate key (an
		 * Enter right after a scan is taken for the scanner's) */
		dr_put(y, 0, COLS, v->screen == VIEW_BASKET &&
		    v->ncoupons > 0 ? _(" + or Enter = finish: redeem my "
		    "coupons    Esc = back") : _(" Esc back"),
		    crt_attr(CRT_KEYLABEL), 1);
		return;
	}
	slot = COLS / 10;
	if (slot < 6)
		slot = 6;
	for (i = 0; i < 10 && x < COLS; i++) {
		snprintf(k, sizeof k, "%d", i + 1);
		dr_put(y, x, 2, k, crt_attr(CRT_KEY), 1);
		/* the label runs up to the next key's number (its own
		 * colour/bold separates them): at 80 columns "9 Logout"
		 * fits (it read "9 Logou") */
		ui_fit(_(labels[i]), slot - 2, 1, lab, sizeof lab);
		dr_put(y, x + 2, slot - 2, lab, crt_attr(CRT_KEYLABEL), 1);
		x += slot;
	}
}

/* Rows entry i of the demo panel takes at width w (1 or 2). */
void
draw_input(struct ui *u, const struct view *v, int y, int big)
{
	char b[INPUT_MAX * 2 + 64], shown[INPUT_MAX + 8], p[INPUT_MAX];
	const char *prompt = ui_prompt(v), *tail;
	size_t i;
	int x, need, room;

	dr_fill(y, 0, COLS, A_NORMAL);
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
	/* what is typed stays visible: the prompt gives way (a long one,
	 * such as the reason's choices, is cut with "..."; the approval
	 * screen lists them), and a text wider than the line shows its
	 * end, where the cursor is */
	snprintf(b, sizeof b, "%s: ", prompt);
	need = ui_width(shown) + 1;
	if (need < 24)
		need = 24;
	x = ui_width(b);
	if (x + need > COLS) {
		x = COLS - need;
		if (x < 0)
			x = 0;
		if (x >= 6) {
			ui_fit(prompt, x - 5, 0, p, sizeof p);
			snprintf(b, sizeof b, "%s...: ", p);
		} else
			b[0] = '\0';
		x = ui_width(b);
	}
	dr_put(y, 0, COLS, b, big ? A_BOLD : A_NORMAL, 0);
	room = COLS - x - 1;
	tail = shown;
	while (*tail != '\0' && ui_width(tail) > room) {
		tail++;
		while (((unsigned char)*tail & 0xc0) == 0x80)
			tail++;
	}
	dr_put(y, x, COLS - x, tail, crt_attr(CRT_INPUT), 1);
	curs_set(1);
	x += ui_width(tail);
	if (x >= COLS)
		x = COLS - 1;
	move(y, x);
}
