/*
 * draw_sale.c — the sale: coupon rows of the basket, the totals, the
 * verdict box (big in the kiosk) and the manager's approval screen.
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

void
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
	ui_fit(ui_kind_word(c->kind), 10, 1, kind, sizeof kind);
	snprintf(b, sizeof b, "%c%2d %s %s%s-%-9s", selected ? '>' : ' ',
	    i + 1, name, wide ? kind : "", wide ? " " : "", m);
	dr_put(y, x, w, b, selected ? A_BOLD : A_NORMAL, 1);
	bw = ui_width(b);
	ui_fit(ui_coupon_word(c), w - bw - 1, 0, st, sizeof st);
	attr = crt_attr(dr_cstate_role(c->state));
	dr_put(y, x + bw + 1, w - bw - 1, st, attr, 0);
	if (c->reason == VIEW_R_VALUE_PENDING &&
	    w - bw - 2 - ui_width(st) > 8) {
		/* provisional: say why the discount is 0.00 for now */
		char r[256], f[256];

		ui_reason(c, r, sizeof r);
		ui_fit(r, w - bw - 2 - ui_width(st), 1, f, sizeof f);
		dr_put(y, x + bw + 2 + ui_width(st), ui_width(f), f,
		    crt_attr(CRT_DIM), 0);
		return;
	}
	if ((c->manual || c->give_item) && w - bw - 1 - ui_width(st) > 12) {
		const char *tag = c->give_item ? _("[give item]") :
		    _("[typed]");

		dr_put(y, x + w - ui_width(tag), ui_width(tag), tag,
		    c->give_item ? (int)A_BOLD : crt_attr(CRT_DIM), 0);
	}
}

#define BLINE 700 /* one line of the verdict box, bytes */

static int
banner_attr(enum ui_banner_kind k)
{
	switch (k) {
	case UI_B_OK: return crt_attr(CRT_OK);
	case UI_B_OFFLINE:
	case UI_B_WAIT:
	case UI_B_MIXED: return crt_attr(CRT_WARN);
	case UI_B_BAD: return crt_attr(CRT_BAD);
	default: break;
	}
	return (int)A_BOLD | (int)A_REVERSE; /* a note: neutral, no colour */
}

/* The box's lines: "WORD  head", then each reason wrapped at word
 * boundaries to w; or all of it on one line when it fits. */
static int
banner_lines(const struct ui_banner *b, int w, char out[][BLINE], int max)
{
	char line[400];
	const char *rest;
	int n = 0, i;

	snprintf(line, sizeof line, " %s%s%s", b->word,
	    b->word[0] != '\0' ? "  " : "", b->head);
	if (b->nreasons == 1 &&
	    ui_width(line) + 3 + ui_width(b->reasons[0]) <= w) {
		snprintf(out[n++], BLINE, "%s \xe2\x80\x94 %s", line,
		    b->reasons[0]);
		return n;
	}
	ui_fit(line, w, 0, out[n++], BLINE);
	for (i = 0; i < b->nreasons && n < max; i++) {
		rest = b->reasons[i];
		while (*rest != '\0' && n < max) {
			out[n][0] = ' ';
			ui_wrap(rest, w - 2, &rest, out[n] + 1, BLINE - 1);
			n++;
		}
	}
	return n;
}

int
verdict_rows(const struct view *v, int w)
{
	struct ui_banner b;
	char l[VERDICT_ROWS_MAX][BLINE];
	int n;

	ui_banner(v, &b);
	if (b.kind == UI_B_NONE)
		return 0;
	n = banner_lines(&b, w, l, VERDICT_ROWS_MAX);
	return n < 3 ? 3 : n;
}

void
draw_verdict(const struct view *v, int y, int x, int w, int big)
{
	struct ui_banner b;
	char l[VERDICT_ROWS_MAX][BLINE], spaced[256];
	const char *p, *rest;
	int attr, i, n, h, top;
	size_t o = 0;

	ui_banner(v, &b);
	if (b.kind == UI_B_NONE)
		return;
	attr = banner_attr(b.kind);
	if (big) {
		for (i = 0; i < 7; i++)
			dr_fill(y + i, x, w, attr);
		/* letter-spaced word in the middle of a tall box; a mixed
		 * result says its counts and the due instead */
		for (p = b.word; *p != '\0' && o + 4 < sizeof spaced; p++) {
			spaced[o++] = *p;
			if (p[1] != '\0' && (p[1] & 0xc0) != 0x80)
				spaced[o++] = ' ';
		}
		spaced[o] = '\0';
		dr_center(y + 1, x, w, b.word[0] != '\0' ? spaced : b.head,
		    attr);
		n = y + 3;
		for (i = 0; i < b.nreasons && n < y + 7; i++) {
			rest = b.reasons[i];
			while (*rest != '\0' && n < y + 7) {
				ui_wrap(rest, w - 4, &rest, l[0], sizeof l[0]);
				dr_center(n++, x, w, l[0], attr);
			}
		}
		return;
	}
	n = banner_lines(&b, w, l, VERDICT_ROWS_MAX);
	h = n < 3 ? 3 : n;
	for (i = 0; i < h; i++)
		dr_fill(y + i, x, w, attr);
	top = y + (h - n) / 2;
	for (i = 0; i < n; i++)
		dr_put(top + i, x, w, l[i], attr, 1);
}

void
draw_sale(const struct view *v, int top, int bottom, int w, int kiosk)
{
	char b[512], m1[40], m2[40], m3[40];
	int i, y = top + 1, rows, vr = kiosk ? 7 : verdict_rows(v, w);

	if (!kiosk && vr < 3)
		vr = 3;
	ui_money(v->amount_fen, m1, sizeof m1);
	ui_money(v->discount_fen, m2, sizeof m2);
	ui_money(v->due_fen, m3, sizeof m3);
	if (v->txn[0] != '\0')
		snprintf(b, sizeof b, "%s %s   %s %s", _("Sale"), v->txn,
		    _("Amount"), m1);
	else
		snprintf(b, sizeof b, "%s %s", _("Amount"), m1);
	dr_put(y++, 1, w - 1, b, A_BOLD, 0);
	y++;
	rows = bottom - y - vr - 2;
	for (i = 0; i < v->ncoupons && i < rows; i++)
		draw_coupon(y++, 1, w - 2, i, &v->coupons[i], i == v->selected);
	if (v->ncoupons == 0)
		dr_put(y++, 3, w - 3, _("(no coupons yet)"), crt_attr(CRT_DIM), 0);
	y++;
	snprintf(b, sizeof b, "%s -%s    %s %s", _("Discount"), m2, _("DUE"),
	    m3);
	dr_put(y++, 1, w - 1, b, A_BOLD, 0);
	if (v->screen == VIEW_RESULT)
		draw_pay_offer(v, y++, w, kiosk);
	if (kiosk)
		draw_verdict(v, bottom - 8, 0, w, 1);
	else
		draw_verdict(v, bottom - vr, 0, w, 0);
}

void
draw_approve(const struct view *v, int top, int bottom, int w, int kiosk)
{
	static const char *const why[] = {
		N_("1  wrong item"), N_("2  customer changed mind"),
		N_("3  offline risk accepted"), N_("4  end of day"),
		N_("or type the reason in words")
	};
	char b[512], m1[40], m2[40], part[512];
	const char *rest;
	int y = top + 2, i;

	if (kiosk) {
		/* the customer is not asked for a manager's PIN: they call
		 * someone, who types it */
		dr_center(y++, 0, w, _("Please call a member of staff"),
		    crt_attr(CRT_WARN) | (int)A_BOLD);
		dr_center(y++, 0, w, _("Staff only: manager id and PIN"),
		    crt_attr(CRT_DIM));
		y++;
	} else
		dr_put(y++, 2, w - 2, _("A manager must approve:"), A_BOLD,
		    0);
	dr_put(y++, 4, w - 4, ui_action_word(v->action), crt_attr(CRT_WARN), 0);
	y++;
	if (v->last.reason != VIEW_R_NONE) {
		ui_reason(&v->last, b, sizeof b);
		for (rest = b; *rest != '\0' && y < bottom;)
			dr_put(y++, 4, w - 4, ui_wrap(rest, w - 5, &rest, part,
			    sizeof part), A_NORMAL, 0);
	}
	if (v->action == VIEW_A_OVERRIDE && v->last.r_need_fen > 0) {
		/* the figures the manager weighs */
		snprintf(b, sizeof b, _("Coupon value %s, offline limit %s"),
		    ui_money(v->last.r_have_fen, m1, sizeof m1),
		    ui_money(v->last.r_need_fen, m2, sizeof m2));
		dr_put(y++, 4, w - 4, b, A_BOLD, 0);
	}
	if (v->action == VIEW_A_OVERRIDE ||
	    (v->action == VIEW_A_VOID && v->act_txn[0] == '\0')) {
		snprintf(b, sizeof b, _("Sale amount %s, due %s"),
		    ui_money(v->amount_fen, m1, sizeof m1),
		    ui_money(v->due_fen, m2, sizeof m2));
		dr_put(y++, 4, w - 4, b, A_NORMAL, 0);
	}
	if (v->act_txn[0] != '\0') {
		snprintf(b, sizeof b, "%s %s", _("Sale"), v->act_txn);
		dr_put(y++, 4, w - 4, b, A_NORMAL, 0);
	}
	if (v->approve_step == 2) {
		/* the reason's choices, which the input line has no room
		 * for at 80 columns */
		y++;
		dr_put(y++, 2, w - 2, _("Reason:"), A_BOLD, 0);
		for (i = 0; i < (int)(sizeof why / sizeof why[0]) &&
		    y < bottom - 1; i++)
			dr_put(y++, 4, w - 4, _(why[i]), A_NORMAL, 0);
	}
	y++;
	if (y < bottom)
		dr_put(y++, 2, w - 2, _("Esc cancels."), crt_attr(CRT_DIM), 0);
}

/* RESULT: the due still to take, and how (terminal: code, cash, other;
 * kiosk: the customer's payment code). */
void
draw_pay_offer(const struct view *v, int y, int w, int kiosk)
{
	if (!v->pay_offer || v->pay != VIEW_PAY_NONE)
		return;
	dr_put(y, 1, w - 1, kiosk ? _("Now show your WeChat payment code "
	    "to the scanner") : _("Scan the customer's payment code, or "
	    "^T cash, ^O other tender"), crt_attr(CRT_WARN), 0);
}

static void
pay_box(const char *word, const char *sub, int role, int y, int w, int big)
{
	int attr = crt_attr(role), i, h = big ? 5 : 3;

	for (i = 0; i < h; i++)
		dr_fill(y + i, 0, w, attr);
	dr_center(y + 1, 0, w, word, attr | A_BOLD);
	if (sub != NULL && sub[0] != '\0')
		dr_center(y + (big ? 3 : 2), 0, w, sub, attr);
}

/* What WeChat deducted and what the customer paid (or the cash). */
static int
pay_figures(const struct view *v, int y, int w)
{
	char b[512], m[40], m2[40];
	int i;

	for (i = 0; i < v->nvouchers; i++) {
		ui_money(v->vouchers[i].amount_fen, m, sizeof m);
		snprintf(b, sizeof b, "  %s %s (%s)  -%s", _("Voucher"),
		    v->vouchers[i].name, v->vouchers[i].nocash ?
		    _("no-cash") : _("pre-funded"), m);
		dr_put(y++, 1, w - 1, b, A_NORMAL, 0);
	}
	switch (v->tender) {
	case VIEW_T_WECHAT:
		ui_money(v->pay_payer_fen, m, sizeof m);
		snprintf(b, sizeof b, "%s %s", _("Customer paid (WeChat)"), m);
		break;
	case VIEW_T_CASH:
		ui_money(v->pay_tendered_fen, m, sizeof m);
		ui_money(v->pay_change_fen, m2, sizeof m2);
		snprintf(b, sizeof b, "%s %s    %s %s", _("Cash tendered"), m,
		    _("CHANGE"), m2);
		break;
	case VIEW_T_OTHER:
		snprintf(b, sizeof b, "%s: %s", _("Other tender"), v->pay_ref);
		break;
	case VIEW_T_NONE:
		b[0] = '\0';
		break;
	}
	dr_put(y++, 1, w - 1, b, A_BOLD, 0);
	return y;
}

void
draw_pay(const struct view *v, int top, int bottom, int w, int kiosk)
{
	char b[512], m[40], sub[256];
	int y = top + 1, big = kiosk, by = bottom - (kiosk ? 8 : 4);

	ui_money(v->pay_due_fen, m, sizeof m);
	snprintf(b, sizeof b, "%s %s   %s %s", _("Sale"), v->txn, _("DUE"), m);
	dr_put(y++, 1, w - 1, b, A_BOLD, 0);
	y++;
	switch (v->pay) {
	case VIEW_PAY_NONE:
		dr_put(y++, 1, w - 1, v->field == VIEW_FIELD_CASH ?
		    _("Type the cash handed over; the change is shown") :
		    v->field == VIEW_FIELD_REF ? _("Type the reference of "
		    "the other tender (card slip, voucher number)") :
		    _("Scan the customer's payment code"), A_NORMAL, 0);
		break;
	case VIEW_PAY_SENDING:
	case VIEW_PAY_USERPAYING:
	case VIEW_PAY_CANCELLING:
		snprintf(sub, sizeof sub, _("%u s"), v->pay_elapsed_s);
		pay_box(v->pay == VIEW_PAY_SENDING ? _("CHARGING WECHAT") :
		    v->pay == VIEW_PAY_USERPAYING ?
		    _("CUSTOMER IS ENTERING THE PASSWORD") :
		    _("CANCELLING: REVERSING THE PAYMENT"), sub, CRT_WARN, by,
		    w, big);
		if (v->pay != VIEW_PAY_CANCELLING && !kiosk)
			dr_put(y++, 1, w - 1, _("Esc cancels (the payment is "
			    "reversed)"), crt_attr(CRT_DIM), 0);
		break;
	case VIEW_PAY_PAID:
		y = pay_figures(v, y, w);
		sub[0] = '\0';
		if (v->tender == VIEW_T_CASH) {
			ui_money(v->pay_change_fen, m, sizeof m);
			snprintf(sub, sizeof sub, "%s %s", _("CHANGE"), m);
		}
		pay_box(_("PAID"), sub, CRT_OK, by, w, big);
		break;
	case VIEW_PAY_FAILED:
	case VIEW_PAY_REVERSED:
		snprintf(sub, sizeof sub, "%s%s%s", v->pay == VIEW_PAY_REVERSED ?
		    _("reversed") : _("failed"), v->pay_reason[0] ? ": " : "",
		    v->pay_reason);
		pay_box(_("NOT PAID"), sub, CRT_BAD, by, w, big);
		dr_put(y++, 1, w - 1, kiosk ? _("Scan another payment code, "
		    "or ask the staff") : _("Scan another code, ^T cash, ^O "
		    "other; Esc gives the coupons back"), A_NORMAL, 0);
		break;
	case VIEW_PAY_UNKNOWN:
		pay_box(_("PAYMENT NOT KNOWN"), _("do not charge again: quan "
		    "sync settles it"), CRT_WARN, by, w, big);
		break;
	}
}
