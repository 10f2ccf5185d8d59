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

void
draw_verdict(const struct view *v, int y, int x, int w, int big)
{
	char reason[512], line[1400], name[VIEW_NAME_MAX + 32], part[512];
	const char *word = ui_verdict_word(v->verdict);
	int attr = crt_attr(dr_verdict_role(v->verdict)), i, h = big ? 7 : 3;
	char spaced[256];
	size_t o = 0;
	const char *p;

	if (v->verdict == VIEW_V_NONE || v->verdict == VIEW_V_INFO)
		return;
	ui_reason(&v->last, reason, sizeof reason);
	for (i = 0; i < h; i++)
		dr_fill(y + i, x, w, attr);
	if (big) {
		/* letter-spaced word in the middle of a tall box */
		for (p = word; *p != '\0' && o + 4 < sizeof spaced; p++) {
			spaced[o++] = *p;
			if (p[1] != '\0' && (p[1] & 0xc0) != 0x80)
				spaced[o++] = ' ';
		}
		spaced[o] = '\0';
		dr_center(y + 2, x, w, spaced, attr);
		dr_center(y + 4, x, w, reason, attr);
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
		dr_put(y + 1, x, w, line, attr, 1);
		return;
	}
	/* word and coupon, then the reason over the next row(s) */
	dr_put(y, x, w, line, attr, 1);
	ui_fit(reason, w - 2, 0, part, sizeof part);
	dr_put(y + 1, x + 1, w - 1, part, attr, 1);
	dr_put(y + 2, x + 1, w - 1, reason + strlen(part), attr, 1);
}

void
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
	dr_put(y++, 1, w - 1, b, A_BOLD, 0);
	y++;
	rows = bottom - y - (kiosk ? 9 : 5);
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
		draw_verdict(v, bottom - 3, 0, w, 0);
}

void
draw_approve(const struct view *v, int top, int bottom, int w)
{
	char b[512];
	int y = top + 2;

	(void)bottom;
	dr_put(y++, 2, w - 2, _("A manager must approve:"), A_BOLD, 0);
	dr_put(y++, 4, w - 4, ui_action_word(v->action), crt_attr(CRT_WARN), 0);
	y++;
	if (v->last.reason != VIEW_R_NONE) {
		ui_reason(&v->last, b, sizeof b);
		dr_put(y++, 4, w - 4, b, A_NORMAL, 0);
	}
	if (v->act_txn[0] != '\0') {
		snprintf(b, sizeof b, "%s %s", _("Sale"), v->act_txn);
		dr_put(y++, 4, w - 4, b, A_NORMAL, 0);
	}
	y++;
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
