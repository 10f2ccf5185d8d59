/*
 * escpos.c — a receipt as ESC/POS bytes (doc §12): ESC @, FS & and
 * GB18030 text laid out by display columns (ASCII 1, Hanzi 2) for 58 mm
 * (32) or 80 mm (48) paper, ￥ (A3 A4) instead of ¥ (4 bytes), the
 * out_trade_no as a native QR (GS ( k), feed and cut.
 */
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/printer.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/money.h"

int
escpos_columns(int width_mm)
{
	return width_mm == 58 ? 32 : width_mm == 80 ? 48 : 0;
}

/* ---- characters ------------------------------------------------------- */

/* The code point of the UTF-8 character at s (n bytes left) and its
 * length; -1 (length 1) when invalid. */
static long
utf8_next(const unsigned char *s, size_t n, size_t *clen)
{
	long cp;
	size_t k, i;

	*clen = 1;
	if (s[0] < 0x80)
		return s[0];
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		k = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		k = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		k = 4, cp = s[0] & 0x07;
	else
		return -1;
	if (n < k)
		return -1;
	for (i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((k == 3 && cp < 0x800) || (k == 4 && (cp < 0x10000 ||
	    cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	*clen = k;
	return cp;
}

/* One character for the printer: out (1 or 2 bytes), its columns. */
static int
enc_char(iconv_t cd, const unsigned char *s, size_t n, size_t *clen,
    char out[4], int *olen)
{
	long cp = utf8_next(s, n, clen);
	char tmp[8], *in = (char *)s, *o = tmp;
	size_t inleft = *clen, oleft = sizeof tmp;

	if (cp >= 0x20 && cp < 0x7f) {
		out[0] = (char)cp;
		*olen = 1;
		return 1;
	}
	if (cp == 0xa5 || cp == 0xffe5) { /* ¥ → ￥ (doc §12.2) */
		memcpy(out, "\xa3\xa4", 2);
		*olen = 2;
		return 2;
	}
	/* controls (C0, DEL, C1), invalid UTF-8, and what GB18030 needs 4
	 * bytes for (a GBK font prints garbage): '?' */
	if (cp < 0xa0 || cd == (iconv_t)-1)
		goto unknown;
	iconv(cd, NULL, NULL, NULL, NULL);
	if (iconv(cd, &in, &inleft, &o, &oleft) == (size_t)-1 ||
	    sizeof tmp - oleft != 2)
		goto unknown;
	memcpy(out, tmp, 2);
	*olen = 2;
	return 2;
unknown:
	out[0] = '?';
	*olen = 1;
	return 1;
}

static iconv_t
gb_open(void)
{
	return iconv_open("GB18030", "UTF-8");
}

static void
gb_close(iconv_t cd)
{
	if (cd != (iconv_t)-1)
		iconv_close(cd);
}

static int
text_cd(iconv_t cd, struct buf *b, const char *utf8, size_t n, int *cols)
{
	const unsigned char *s = (const unsigned char *)utf8;
	size_t i = 0, clen;
	char o[4];
	int olen, w = 0;

	while (i < n) {
		w += enc_char(cd, s + i, n - i, &clen, o, &olen);
		if (buf_add(b, o, (size_t)olen) != 0)
			return -1;
		i += clen;
	}
	if (cols != NULL)
		*cols += w;
	return (int)b->len;
}

int
escpos_text(struct buf *b, const char *utf8, size_t n, int *cols)
{
	iconv_t cd = gb_open();
	int r = text_cd(cd, b, utf8, n, cols);

	gb_close(cd);
	return r;
}

static int
wrap_cd(iconv_t cd, const char *utf8, int cols,
    void (*fn)(void *u, const char *s, size_t n, int width), void *u)
{
	const unsigned char *s = (const unsigned char *)utf8;
	size_t n = strlen(utf8), i = 0, start = 0, clen;
	int w = 0, lines = 0, cw, olen;
	char o[4];

	if (cols < 2)
		cols = 2;
	while (i < n) {
		cw = enc_char(cd, s + i, n - i, &clen, o, &olen);
		if (w + cw > cols) {
			fn(u, utf8 + start, i - start, w);
			lines++;
			start = i;
			w = 0;
		}
		w += cw;
		i += clen;
	}
	if (i > start || lines == 0) {
		fn(u, utf8 + start, i - start, w);
		lines++;
	}
	return lines;
}

int
escpos_wrap(const char *utf8, int cols,
    void (*fn)(void *u, const char *s, size_t n, int width), void *u)
{
	iconv_t cd = gb_open();
	int r = wrap_cd(cd, utf8, cols, fn, u);

	gb_close(cd);
	return r;
}

/* ---- layout ----------------------------------------------------------- */

struct out {
	struct buf b;
	iconv_t cd;
	int cols;
	int err;
	const struct receipt *r;
	/* a row being wrapped: the text to put right of its first line */
	const char *right;
	int rightw;
	int first;
	int indent;
};

static void
raw(struct out *o, const void *p, size_t n)
{
	if (buf_add(&o->b, p, n) != 0)
		o->err = QUAN_ETOOBIG;
}

static void
pad(struct out *o, int n)
{
	while (n-- > 0)
		raw(o, " ", 1);
}

static int
width_of(struct out *o, const char *s)
{
	struct buf t;
	int w = 0;

	buf_init(&t, RECEIPT_MAX_BYTES);
	text_cd(o->cd, &t, s, strlen(s), &w);
	buf_free(&t);
	return w;
}

static void
text(struct out *o, const char *s, size_t n)
{
	if (text_cd(o->cd, &o->b, s, n, NULL) < 0)
		o->err = QUAN_ETOOBIG;
}

static void
texts(struct out *o, const char *s)
{
	text(o, s, strlen(s));
}

static void
nl(struct out *o)
{
	raw(o, "\n", 1);
}

/* One wrapped line of a row: text, then (first line only) the right
 * part flush right. */
static void
row_line(void *u, const char *s, size_t n, int width)
{
	struct out *o = u;

	if (!o->first)
		pad(o, o->indent);
	text(o, s, n);
	if (o->first && o->right != NULL) {
		pad(o, o->cols - (o->first ? 0 : o->indent) - width -
		    o->rightw);
		texts(o, o->right);
	}
	nl(o);
	o->first = 0;
}

/* left … right on one line; left wraps (at characters) in the room the
 * right part leaves, continuation lines indented by indent. */
static void
row(struct out *o, const char *left, const char *right, int indent)
{
	int rw = right ? width_of(o, right) : 0;
	int room = o->cols - (rw ? rw + 1 : 0);

	o->right = right;
	o->rightw = rw;
	o->first = 1;
	o->indent = indent;
	if (room < 8) { /* a long right part: on a line of its own */
		o->right = NULL;
		wrap_cd(o->cd, left, o->cols, row_line, o);
		if (right != NULL) {
			pad(o, o->cols - rw);
			texts(o, right);
			nl(o);
		}
		return;
	}
	wrap_cd(o->cd, left, room, row_line, o);
}

/* "label value" on one line when it fits, else the value on its own. */
static void
kv(struct out *o, const char *label, const char *value)
{
	char line[512];

	if (value == NULL || *value == '\0')
		return;
	snprintf(line, sizeof line, "%s%s", label, value);
	if (width_of(o, line) <= o->cols) {
		texts(o, line);
		nl(o);
		return;
	}
	texts(o, label);
	nl(o);
	row(o, value, NULL, 0);
}

static void
rule(struct out *o)
{
	int i;

	for (i = 0; i < o->cols; i++)
		raw(o, "-", 1);
	nl(o);
}

static const char *
yuan(int64_t fen, int minus, char *b, size_t n)
{
	char m[32];

	money_format(fen, m, sizeof m);
	snprintf(b, n, "%s\xef\xbf\xa5%s", minus ? "-" : "", m);
	return b;
}

/* ---- labels ----------------------------------------------------------- */

enum lbl {
	L_STORE, L_TILL, L_CASHIER, L_ORDER, L_ITEM, L_QTY, L_PRICE, L_AMOUNT,
	L_SUBTOTAL, L_MCOUPON, L_CARD, L_CODE, L_DUE, L_VOUCHER, L_WXPAID,
	L_TENDER, L_TENDER_WX, L_TENDER_CASH, L_TENDER_OTHER, L_WXTXN,
	L_MCHNO, L_CASH, L_CHANGE, L_OTHER, L_REF, L_REFUND_TITLE,
	L_REFUND_NO, L_REFUND, L_REFUND_PAYER, L_NOCASH_NOTE, L_PCOUPON, L_N
};

static const char *const labels[2][L_N] = {
	[RECEIPT_ZH] = {
		"门店:", "收银台:", "收银员:", "单号:", "品名", "数量", "单价",
		"金额", "商品合计", "商家券", "卡券", "  券码 ", "应收",
		"微信支付优惠", "微信支付实付", "支付方式:", "微信支付(付款码)",
		"现金", "其他", "微信支付单号:", "商户单号:", "现金实收",
		"找零", "其他支付", "参考号:", "退款单", "退款单号:",
		"退款金额", "退还顾客", "(微信优惠不退现金)", "商品券",
	},
	[RECEIPT_EN] = {
		"Store: ", "Till: ", "Cashier: ", "Order: ", "Item", "Qty",
		"Price", "Amount", "Subtotal", "Coupon", "Card", "  code ",
		"Due", "WeChat Pay discount", "Paid by WeChat Pay", "Tender: ",
		"WeChat Pay (code)", "Cash", "Other", "WeChat Pay no.: ",
		"Merchant no.: ", "Cash received", "Change", "Other tender",
		"Ref: ", "REFUND", "Refund no.: ", "Refunded", "To the customer",
		"(WeChat discounts are not paid out)", "Product coupon",
	},
};

static const char *
L(const struct out *o, enum lbl l)
{
	return labels[o->r->lang == RECEIPT_EN][l];
}

/* ---- sections --------------------------------------------------------- */

static void
header(struct out *o)
{
	const struct receipt *r = o->r;
	char line[256];

	raw(o, "\x1b\x40", 2);            /* ESC @ */
	raw(o, "\x1c\x26", 2);            /* FS & Chinese mode */
	raw(o, "\x1b\x61\x01", 3);        /* centre */
	raw(o, "\x1b\x21\x30", 3);        /* double width and height */
	{
		int keep = o->cols;

		o->cols /= 2;
		row(o, r->store_name, NULL, 0);
		o->cols = keep;
	}
	raw(o, "\x1b\x21\x00", 3);
	if (r->refund) {
		raw(o, "\x1b\x45\x01", 3); /* bold */
		texts(o, L(o, L_REFUND_TITLE));
		nl(o);
		raw(o, "\x1b\x45\x00", 3);
	}
	raw(o, "\x1b\x61\x00", 3);        /* left */
	line[0] = '\0';
	if (r->store_id != NULL && *r->store_id)
		snprintf(line, sizeof line, "%s%s", L(o, L_STORE),
		    r->store_id);
	if (r->terminal_id != NULL && *r->terminal_id) {
		size_t k = strlen(line);

		snprintf(line + k, sizeof line - k, "%s%s%s", k ? " " : "",
		    L(o, L_TILL), r->terminal_id);
	}
	if (line[0])
		row(o, line, NULL, 0);
	kv(o, L(o, L_CASHIER), r->cashier);
	kv(o, L(o, L_ORDER), r->out_trade_no);
	if (r->time != NULL && *r->time)
		row(o, r->time, NULL, 0);
	rule(o);
}

/* Column widths of an item row: qty, unit price, amount. */
static void
item_cols(const struct out *o, int *qw, int *uw, int *aw)
{
	if (o->cols >= 48)
		*qw = 5, *uw = 9, *aw = 10;
	else
		*qw = 4, *uw = 7, *aw = 8;
}

static void
items(struct out *o)
{
	const struct receipt *r = o->r;
	char right[96], q[32], u[32], a[32];
	int qw, uw, aw, i;

	if (r->nitems == 0) /* a sale rung up as one amount */
		return;
	item_cols(o, &qw, &uw, &aw);
	/* heading: the labels right-aligned in their columns */
	{
		int w = width_of(o, L(o, L_ITEM));

		texts(o, L(o, L_ITEM));
		pad(o, o->cols - qw - uw - aw - w);
		pad(o, qw - width_of(o, L(o, L_QTY)));
		texts(o, L(o, L_QTY));
		pad(o, uw - width_of(o, L(o, L_PRICE)));
		texts(o, L(o, L_PRICE));
		pad(o, aw - width_of(o, L(o, L_AMOUNT)));
		texts(o, L(o, L_AMOUNT));
		nl(o);
	}
	for (i = 0; i < r->nitems; i++) {
		const struct receipt_item *it = &r->items[i];

		snprintf(q, sizeof q, "%lld", (long long)it->qty);
		money_format(it->unit_fen, u, sizeof u);
		money_format(it->amount_fen, a, sizeof a);
		snprintf(right, sizeof right, "%*s%*s%*s", qw, q, uw, u, aw,
		    a);
		o->right = right;
		o->rightw = (int)strlen(right);
		o->first = 1;
		o->indent = 0;
		wrap_cd(o->cd, it->name ? it->name : "",
		    o->cols - o->rightw - 1, row_line, o);
	}
	rule(o);
}

static void
masked(const char *code, char *out, size_t n)
{
	size_t k = strlen(code);

	/* bearer secrets: only the last 4 (doc §12.3) */
	snprintf(out, n, "****%s", k > 4 ? code + k - 4 : "");
}

static void
discount(struct out *o, const struct receipt_discount *d)
{
	char left[300], amt[48], m[32];
	enum lbl l = d->kind == RECEIPT_MERCHANT_COUPON ? L_MCOUPON :
	    d->kind == RECEIPT_CARD_COUPON ? L_CARD :
	    d->kind == RECEIPT_PRODUCT_COUPON ? L_PCOUPON : L_VOUCHER;

	snprintf(left, sizeof left, "%s%s%s", L(o, l),
	    d->name && *d->name ? " " : "", d->name ? d->name : "");
	row(o, left, yuan(d->fen, 1, amt, sizeof amt), 2);
	if (d->code != NULL && *d->code && d->kind != RECEIPT_VOUCHER) {
		masked(d->code, m, sizeof m);
		snprintf(left, sizeof left, "%s%s", L(o, L_CODE), m);
		row(o, left, NULL, 2);
	}
}

static void
amounts(struct out *o)
{
	const struct receipt *r = o->r;
	char amt[48];
	int i;

	row(o, L(o, L_SUBTOTAL), yuan(r->subtotal_fen, 0, amt, sizeof amt), 0);
	for (i = 0; i < r->ndiscounts; i++)
		if (r->discounts[i].kind != RECEIPT_VOUCHER)
			discount(o, &r->discounts[i]);
	raw(o, "\x1b\x45\x01", 3);
	row(o, L(o, L_DUE), yuan(r->due_fen, 0, amt, sizeof amt), 0);
	raw(o, "\x1b\x45\x00", 3);
	for (i = 0; i < r->ndiscounts; i++)
		if (r->discounts[i].kind == RECEIPT_VOUCHER)
			discount(o, &r->discounts[i]);
	switch (r->tender) {
	case RECEIPT_TENDER_WECHAT:
		row(o, L(o, L_WXPAID), yuan(r->paid_fen, 0, amt, sizeof amt),
		    0);
		break;
	case RECEIPT_TENDER_CASH:
		row(o, L(o, L_CASH), yuan(r->paid_fen, 0, amt, sizeof amt), 0);
		row(o, L(o, L_CHANGE), yuan(r->change_fen, 0, amt,
		    sizeof amt), 0);
		break;
	case RECEIPT_TENDER_OTHER:
		row(o, L(o, L_OTHER), yuan(r->paid_fen, 0, amt, sizeof amt),
		    0);
		break;
	case RECEIPT_TENDER_NONE:
		break;
	}
	rule(o);
}

static void
tender(struct out *o)
{
	const struct receipt *r = o->r;
	static const enum lbl names[] = {
		[RECEIPT_TENDER_NONE] = L_N, [RECEIPT_TENDER_WECHAT] =
		L_TENDER_WX, [RECEIPT_TENDER_CASH] = L_TENDER_CASH,
		[RECEIPT_TENDER_OTHER] = L_TENDER_OTHER };

	if (r->tender != RECEIPT_TENDER_NONE)
		kv(o, L(o, L_TENDER), L(o, names[r->tender]));
	if (r->tender == RECEIPT_TENDER_WECHAT)
		kv(o, L(o, L_WXTXN), r->transaction_id);
	if (r->tender == RECEIPT_TENDER_OTHER)
		kv(o, L(o, L_REF), r->tender_ref);
	kv(o, L(o, L_MCHNO), r->out_trade_no);
}

static void
refund(struct out *o)
{
	const struct receipt *r = o->r;
	char amt[48];

	kv(o, L(o, L_REFUND_NO), r->out_refund_no);
	if (r->transaction_id && *r->transaction_id)
		kv(o, L(o, L_WXTXN), r->transaction_id);
	rule(o);
	row(o, L(o, L_REFUND), yuan(r->refund_fen, 0, amt, sizeof amt), 0);
	raw(o, "\x1b\x45\x01", 3);
	row(o, L(o, L_REFUND_PAYER), yuan(r->refund_payer_fen, 0, amt,
	    sizeof amt), 0);
	raw(o, "\x1b\x45\x00", 3);
	if (r->refund_payer_fen < r->refund_fen)
		row(o, L(o, L_NOCASH_NOTE), NULL, 0);
	rule(o);
}

/* GS ( k: model 2, module size, EC level M, store, print (doc §12.1). */
static void
qr(struct out *o, const char *data)
{
	size_t n = strlen(data), k = n + 3;
	unsigned char hdr[8];
	int module = o->cols >= 48 ? 8 : 6;

	raw(o, "\x1b\x61\x01", 3);
	raw(o, "\x1d\x28\x6b\x04\x00\x31\x41\x32\x00", 9);
	raw(o, "\x1d\x28\x6b\x03\x00\x31\x43", 7);
	hdr[0] = (unsigned char)module;
	raw(o, hdr, 1);
	raw(o, "\x1d\x28\x6b\x03\x00\x31\x45\x31", 8);
	hdr[0] = 0x1d, hdr[1] = 0x28, hdr[2] = 0x6b;
	hdr[3] = (unsigned char)(k & 0xff), hdr[4] = (unsigned char)(k >> 8);
	hdr[5] = 0x31, hdr[6] = 0x50, hdr[7] = 0x30;
	raw(o, hdr, 8);
	raw(o, data, n);
	raw(o, "\x1d\x28\x6b\x03\x00\x31\x51\x30", 8);
	nl(o);
	raw(o, "\x1b\x61\x00", 3);
}

static int
valid(const struct receipt *r, int cols)
{
	int i;

	if (cols == 0 || r->store_name == NULL || *r->store_name == '\0' ||
	    r->out_trade_no == NULL || *r->out_trade_no == '\0' ||
	    strlen(r->out_trade_no) > 64 || r->nitems < 0 ||
	    r->ndiscounts < 0 || (r->nitems > 0 && r->items == NULL) ||
	    (r->ndiscounts > 0 && r->discounts == NULL) ||
	    r->subtotal_fen < 0 || r->due_fen < 0 || r->paid_fen < 0 ||
	    r->change_fen < 0 || r->refund_fen < 0 || r->refund_payer_fen < 0)
		return 0;
	if (r->refund && (r->out_refund_no == NULL || !*r->out_refund_no))
		return 0;
	for (i = 0; i < r->nitems; i++)
		if (r->items[i].qty < 1 || r->items[i].unit_fen < 0 ||
		    r->items[i].amount_fen < 0)
			return 0;
	for (i = 0; i < r->ndiscounts; i++)
		if (r->discounts[i].fen < 0)
			return 0;
	for (i = 0; r->out_trade_no[i]; i++) /* the QR carries it raw */
		if (r->out_trade_no[i] < 0x21 || r->out_trade_no[i] > 0x7e)
			return 0;
	return 1;
}

int
escpos_render(const struct receipt *r, int width_mm, char **out,
    size_t *len)
{
	struct out o;

	*out = NULL;
	*len = 0;
	memset(&o, 0, sizeof o);
	o.cols = escpos_columns(width_mm);
	if (!valid(r, o.cols))
		return QUAN_EINVAL;
	o.r = r;
	o.cd = gb_open();
	buf_init(&o.b, RECEIPT_MAX_BYTES);
	header(&o);
	if (r->refund) {
		refund(&o);
	} else {
		items(&o);
		amounts(&o);
		tender(&o);
	}
	qr(&o, r->out_trade_no);
	if (r->footer != NULL && *r->footer) {
		raw(&o, "\x1b\x61\x01", 3);
		row(&o, r->footer, NULL, 0);
		raw(&o, "\x1b\x61\x00", 3);
	}
	raw(&o, "\x1c\x2e", 2);          /* FS . leave Chinese mode */
	raw(&o, "\x1b\x64\x04", 3);      /* feed 4 lines past the cutter */
	raw(&o, "\x1d\x56\x01", 3);      /* GS V 1: partial cut */
	gb_close(o.cd);
	if (o.err != 0) {
		buf_free(&o.b);
		return o.err;
	}
	*len = o.b.len;
	*out = buf_take(&o.b);
	return QUAN_OK;
}

/* ---- a report on paper ----------------------------------------------- */

int
escpos_render_doc(const struct receipt_doc *d, int width_mm, char **out,
    size_t *len)
{
	struct out o;
	int i;

	*out = NULL;
	*len = 0;
	memset(&o, 0, sizeof o);
	o.cols = escpos_columns(width_mm);
	if (o.cols == 0 || d->store_name == NULL || *d->store_name == '\0' ||
	    d->title == NULL || d->nlines < 0 || (d->nlines > 0 &&
	    d->lines == NULL))
		return QUAN_EINVAL;
	o.cd = gb_open();
	buf_init(&o.b, RECEIPT_MAX_BYTES);
	raw(&o, "\x1b\x40\x1c\x26", 4);      /* ESC @, FS & */
	raw(&o, "\x1b\x61\x01", 3);
	row(&o, d->store_name, NULL, 0);
	raw(&o, "\x1b\x21\x30", 3);          /* the title, large */
	{
		int keep = o.cols;

		o.cols /= 2;
		row(&o, d->title, NULL, 0);
		o.cols = keep;
	}
	raw(&o, "\x1b\x21\x00\x1b\x61\x00", 6);
	rule(&o);
	for (i = 0; i < d->nlines; i++) {
		const char *l = d->lines[i], *tab = strchr(l, '\t');
		char left[512];

		if (tab == NULL) {
			row(&o, l, NULL, 0);
			continue;
		}
		snprintf(left, sizeof left, "%.*s", (int)(tab - l), l);
		if (width_of(&o, left) + 1 + width_of(&o, tab + 1) <= o.cols) {
			row(&o, left, tab + 1, 2);
			continue;
		}
		/* a long label: on its own, the figure flush right below */
		row(&o, left, NULL, 2);
		pad(&o, o.cols - width_of(&o, tab + 1));
		texts(&o, tab + 1);
		nl(&o);
	}
	rule(&o);
	raw(&o, "\x1c\x2e", 2);
	raw(&o, "\x1b\x64\x04", 3);
	raw(&o, "\x1d\x56\x01", 3);
	gb_close(o.cd);
	if (o.err != 0) {
		buf_free(&o.b);
		return o.err;
	}
	*len = o.b.len;
	*out = buf_take(&o.b);
	return QUAN_OK;
}

/* ---- the demo receipt ------------------------------------------------- */

static const struct receipt_item sample_items[] = {
	{ "可乐", 2, 300, 600 },
	{ "进口有机冷压初榨橄榄油礼盒装（500ml×2）", 1, 5990, 5990 },
	{ "Cola Zero 330ml can, lime flavour", 3, 250, 750 },
};

static const struct receipt_discount sample_discounts[] = {
	{ RECEIPT_MERCHANT_COUPON, "满50减10", "1234567890124434", 1000 },
	{ RECEIPT_CARD_COUPON, "会员立减券", "880012345678", 200 },
	{ RECEIPT_VOUCHER, "满10减2", NULL, 200 },
};

void
escpos_sample(struct receipt *r, enum receipt_lang lang)
{
	memset(r, 0, sizeof *r);
	r->lang = lang;
	r->store_name = "quan测试店 上海南京西路旗舰店";
	r->store_id = "SH001";
	r->terminal_id = "POS01";
	r->cashier = "1001";
	r->out_trade_no = "QT01202612010001";
	r->time = "2026-12-01 10:15:30";
	r->items = sample_items;
	r->nitems = 3;
	r->subtotal_fen = 7340;
	r->discounts = sample_discounts;
	r->ndiscounts = 3;
	r->due_fen = 6140;
	r->tender = RECEIPT_TENDER_WECHAT;
	r->paid_fen = 5940;
	r->transaction_id = "4200001234202612011234567890";
	r->footer = "谢谢惠顾 Thank you";
}
