/*
 * banner.c — what the verdict box says, for the screen, the kiosk and the
 * headless printer alike. A finished sale's banner is derived from its
 * lines' final states, never from the last event alone: a sale where one
 * coupon was confirmed and another refused says "1 confirmed, 1 refused —
 * collect ¥71.00" and lists every refusal reason. A payment code at the
 * coupon step is a note (masked, neutral), not a refusal; a code already
 * in the basket points at its line.
 */
#include <stdio.h>
#include <string.h>

#include "ui/text.h"
#include "util/str.h"

/* "1345**********6789": the first and last four characters of a code
 * that must not be shown whole (a payment code is money). */
char *
ui_mask_code(const char *code, char *out, size_t n)
{
	size_t k = strlen(code), i, o = 0;

	if (n == 0)
		return out;
	for (i = 0; i < k && o + 1 < n; i++)
		out[o++] = i < 4 || i + 4 >= k ? code[i] : '*';
	out[o] = '\0';
	return out;
}

static const char *
coupon_label(const struct view_coupon *c)
{
	return c->name[0] != '\0' ? c->name : c->code;
}

/* count part p ("1 refused") after the others, ", " between */
static void
part(char *out, size_t n, int *first, int count, const char *p)
{
	size_t k = strlen(out);

	if (count <= 0)
		return;
	snprintf(out + k, n - k, "%s%s", *first ? "" : _(", "), p);
	*first = 0;
}

static void
add_reason(struct ui_banner *b, const struct view_coupon *c)
{
	char r[256], full[VIEW_NAME_MAX + 300];

	if (b->nreasons >= UI_BANNER_REASONS)
		return;
	ui_reason(c, r, sizeof r);
	if (r[0] == '\0')
		str_copy(r, sizeof r, ui_cstate_word(c->state));
	snprintf(full, sizeof full, "%s \xe2\x80\x94 %s", coupon_label(c), r);
	str_copy(b->reasons[b->nreasons++], sizeof b->reasons[0], full);
}

static void
result_banner(const struct view *v, struct ui_banner *b)
{
	int ok = 0, off = 0, bad = 0, back = 0, wait = 0, i, first = 1;
	char m[40], counts[160] = "", p[64];
	const struct view_coupon *c;

	for (i = 0; i < v->ncoupons; i++) {
		c = &v->coupons[i];
		switch (c->state) {
		case VIEW_C_CONFIRMED: ok++; break;
		case VIEW_C_OFFLINE: off++; break;
		case VIEW_C_REJECTED:
		case VIEW_C_CONFLICT:
			bad++;
			add_reason(b, c);
			break;
		case VIEW_C_RETURNED:
		case VIEW_C_RETURN_PENDING:
			back++;
			add_reason(b, c);
			break;
		default:
			wait++;
			break;
		}
	}
	if (back == v->ncoupons) {
		/* a voided sale: its coupons went back, nothing refused */
		b->kind = UI_B_NOTE;
		str_copy(b->word, sizeof b->word, ui_cstate_word(
		    v->coupons[0].state));
		b->nreasons = 0;
		snprintf(b->head, sizeof b->head, _("%d coupons"),
		    v->ncoupons);
		return;
	}
	if (ok + off == v->ncoupons)
		b->kind = off > 0 ? UI_B_OFFLINE : UI_B_OK;
	else if (wait == v->ncoupons)
		b->kind = UI_B_WAIT;
	else if (ok + off + wait == 0)
		b->kind = UI_B_BAD;
	else
		b->kind = UI_B_MIXED;
	switch (b->kind) {
	case UI_B_OK: str_copy(b->word, sizeof b->word, _("CONFIRMED")); break;
	case UI_B_OFFLINE:
		str_copy(b->word, sizeof b->word, _("ACCEPTED OFFLINE"));
		break;
	case UI_B_WAIT:
		str_copy(b->word, sizeof b->word, _("NOT CONFIRMED YET"));
		break;
	case UI_B_BAD: str_copy(b->word, sizeof b->word, _("REJECTED")); break;
	default: b->word[0] = '\0'; break;
	}
	if (b->kind != UI_B_MIXED) {
		if (v->ncoupons == 1)
			str_copy(b->head, sizeof b->head,
			    coupon_label(&v->coupons[0]));
		else
			snprintf(b->head, sizeof b->head, _("%d coupons"),
			    v->ncoupons);
		if (b->kind == UI_B_BAD && v->ncoupons == 1 &&
		    b->nreasons == 1) {
			/* the one reason, without repeating the name */
			ui_reason(&v->coupons[0], b->reasons[0],
			    sizeof b->reasons[0]);
			b->nreasons = b->reasons[0][0] != '\0';
		}
		return;
	}
	snprintf(p, sizeof p, _("%d confirmed"), ok);
	part(counts, sizeof counts, &first, ok, p);
	snprintf(p, sizeof p, _("%d accepted offline"), off);
	part(counts, sizeof counts, &first, off, p);
	snprintf(p, sizeof p, _("%d refused"), bad);
	part(counts, sizeof counts, &first, bad, p);
	snprintf(p, sizeof p, _("%d returned"), back);
	part(counts, sizeof counts, &first, back, p);
	snprintf(p, sizeof p, _("%d waiting for WeChat"), wait);
	part(counts, sizeof counts, &first, wait, p);
	snprintf(p, sizeof p, _("collect %s"),
	    ui_money(v->due_fen, m, sizeof m));
	snprintf(b->head, sizeof b->head, "%s \xe2\x80\x94 %s", counts, p);
}

void
ui_banner(const struct view *v, struct ui_banner *b)
{
	char code[VIEW_CODE_MAX];
	int i;

	memset(b, 0, sizeof *b);
	if (v->verdict == VIEW_V_NONE || v->verdict == VIEW_V_INFO)
		return;
	if (v->screen == VIEW_RESULT && v->ncoupons > 0) {
		result_banner(v, b);
		return;
	}
	if (v->last.reason == VIEW_R_PAYMENT_CODE) {
		/* money, not a coupon: neutral, and never shown whole */
		b->kind = UI_B_NOTE;
		str_copy(b->word, sizeof b->word, _("Payment code"));
		ui_mask_code(v->last.code, code, sizeof code);
		str_copy(b->head, sizeof b->head, code);
		ui_reason(&v->last, b->reasons[0], sizeof b->reasons[0]);
		b->nreasons = 1;
		return;
	}
	if (v->last.reason == VIEW_R_DUPLICATE) {
		b->kind = UI_B_NOTE;
		str_copy(b->word, sizeof b->word, _("Already scanned"));
		str_copy(b->head, sizeof b->head, coupon_label(&v->last));
		for (i = 0; i < v->ncoupons; i++)
			if (strcmp(v->coupons[i].code, v->last.code) == 0)
				break;
		if (i < v->ncoupons)
			snprintf(b->reasons[0], sizeof b->reasons[0],
			    _("it is line %d of this sale"), i + 1);
		else
			ui_reason(&v->last, b->reasons[0],
			    sizeof b->reasons[0]);
		b->nreasons = 1;
		return;
	}
	switch (v->verdict) {
	case VIEW_V_CONFIRMED: b->kind = UI_B_OK; break;
	case VIEW_V_OFFLINE: b->kind = UI_B_OFFLINE; break;
	case VIEW_V_WAIT: b->kind = UI_B_WAIT; break;
	default: b->kind = UI_B_BAD; break;
	}
	str_copy(b->word, sizeof b->word, ui_verdict_word(v->verdict));
	str_copy(b->head, sizeof b->head, coupon_label(&v->last));
	ui_reason(&v->last, b->reasons[0], sizeof b->reasons[0]);
	b->nreasons = b->reasons[0][0] != '\0';
}
