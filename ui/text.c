/*
 * text.c — the words of the terminal (gettext, English msgids) and CJK
 * display-width layout. Everything the cashier reads is built here, so the
 * curses screen and the headless printer say the same thing.
 */
#include <langinfo.h>
#include <libintl.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "core/coupon.h"
#include "ui/text.h"
#include "util/money.h"
#include "util/tm.h"

#ifndef QUAN_LOCALEDIR
#define QUAN_LOCALEDIR "/usr/local/share/locale"
#endif

static const char *cur_lang = "en";

static int
dir_has_catalogue(const char *dir)
{
	char p[PATH_MAX + 64];

	snprintf(p, sizeof p, "%s/zh_CN/LC_MESSAGES/quan.mo", dir);
	return access(p, R_OK) == 0;
}

static void
bind_catalogue(void)
{
	char exe[PATH_MAX], dir[PATH_MAX + 32];
	const char *env = getenv("QUAN_LOCALEDIR");
	ssize_t n;
	char *slash;

	if (env != NULL && *env != '\0') {
		bindtextdomain("quan", env);
		return;
	}
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash != NULL) {
			*slash = '\0';
			snprintf(dir, sizeof dir, "%s/locale", exe);
			if (dir_has_catalogue(dir)) {
				bindtextdomain("quan", dir);
				return;
			}
			snprintf(dir, sizeof dir, "%s/../share/locale", exe);
			if (dir_has_catalogue(dir)) {
				bindtextdomain("quan", dir);
				return;
			}
		}
	}
	bindtextdomain("quan", QUAN_LOCALEDIR);
}

const char *
ui_text_init(const char *lang)
{
	const char *env;

	setlocale(LC_ALL, "");
	if (strcmp(nl_langinfo(CODESET), "UTF-8") != 0)
		setlocale(LC_ALL, "C.UTF-8");
	if (lang == NULL || *lang == '\0') {
		env = getenv("LC_ALL");
		if (env == NULL || *env == '\0')
			env = getenv("LC_MESSAGES");
		if (env == NULL || *env == '\0')
			env = getenv("LANG");
		lang = env != NULL ? env : "en";
	}
	cur_lang = strncmp(lang, "zh", 2) == 0 ? "zh_CN" : "en";
	/* LANGUAGE picks the catalogue even when only C.UTF-8 exists. */
	setenv("LANGUAGE", cur_lang, 1);
	bind_catalogue();
	bind_textdomain_codeset("quan", "UTF-8");
	textdomain("quan");
	return cur_lang;
}

const char *
ui_tr(const char *msgid)
{
	if (msgid == NULL || *msgid == '\0')
		return "";
	return dgettext("quan", msgid);
}

const char *
ui_cstate_word(enum view_cstate s)
{
	switch (s) {
	case VIEW_C_PRICED: return _("valid");
	case VIEW_C_PENDING: return _("pending");
	case VIEW_C_CONFIRMED: return _("CONFIRMED");
	case VIEW_C_OFFLINE: return _("ACCEPTED OFFLINE");
	case VIEW_C_UNKNOWN: return _("waiting for WeChat");
	case VIEW_C_REJECTED: return _("REJECTED");
	case VIEW_C_RETURN_PENDING: return _("return pending");
	case VIEW_C_RETURNED: return _("returned");
	case VIEW_C_CONFLICT: return _("CONFLICT");
	case VIEW_C_NEEDS_APPROVAL: return _("needs manager");
	}
	return "?";
}

const char *
ui_kind_word(const char *kind)
{
	return coupon_kind_words(kind, strcmp(cur_lang, "zh_CN") == 0);
}

const char *
ui_coupon_word(const struct view_coupon *c)
{
	if (c->state == VIEW_C_PRICED && c->reason == VIEW_R_WAIT_WECHAT)
		return _("to be confirmed by WeChat");
	return ui_cstate_word(c->state);
}

const char *
ui_verdict_word(enum view_verdict v)
{
	switch (v) {
	case VIEW_V_CONFIRMED: return _("CONFIRMED");
	case VIEW_V_OFFLINE: return _("ACCEPTED OFFLINE");
	case VIEW_V_REJECTED: return _("REJECTED");
	case VIEW_V_WAIT: return _("NOT CONFIRMED YET");
	case VIEW_V_INFO:
	case VIEW_V_NONE: break;
	}
	return "";
}

const char *
ui_screen_title(enum view_screen s)
{
	switch (s) {
	case VIEW_LOGIN: return _("Log in");
	case VIEW_AMOUNT: return _("New sale");
	case VIEW_BASKET: return _("Scan coupons");
	case VIEW_RESULT: return _("Sale result");
	case VIEW_APPROVE: return _("Manager approval");
	case VIEW_TXNS: return _("Today's sales");
	case VIEW_REPORT: return _("Report");
	case VIEW_DIAG: return _("Scanner diagnostics");
	case VIEW_SETTINGS: return _("Settings (read-only)");
	case VIEW_HELP: return _("Help");
	case VIEW_DETAIL: return _("Coupon detail");
	case VIEW_PAY: return _("Payment");
	case VIEW_SCREEN_COUNT: break;
	}
	return "";
}

const char *
ui_role_word(enum view_role r)
{
	switch (r) {
	case VIEW_ROLE_CASHIER: return _("cashier");
	case VIEW_ROLE_MANAGER: return _("manager");
	case VIEW_ROLE_NONE: break;
	}
	return "";
}

const char *
ui_net_word(int online)
{
	switch (online) {
	case VIEW_NET_ONLINE: return _("ONLINE");
	case VIEW_NET_OFFLINE: return _("OFFLINE");
	case VIEW_NET_CONNECTING: return _("CONNECTING...");
	case VIEW_NET_CONFIG: return _("CONFIG ERROR");
	case VIEW_NET_CLOCK: return _("CLOCK WRONG");
	case VIEW_NET_TLS: return _("TLS ERROR");
	default: break;
	}
	return _("NO SYNC");
}

const char *
ui_action_word(enum view_action a)
{
	switch (a) {
	case VIEW_A_VOID: return _("Void the sale");
	case VIEW_A_OVERRIDE: return _("Accept over the offline limit");
	case VIEW_A_ZREPORT: return _("End of day (Z report)");
	case VIEW_A_EXIT: return _("Leave the terminal");
	case VIEW_A_NONE: break;
	}
	return "";
}

char *
ui_money(int64_t fen, char *out, size_t n)
{
	char m[32];

	snprintf(out, n, "\xc2\xa5%s", money_format(fen, m, sizeof m));
	return out;
}

char *
ui_age(int64_t s, char *out, size_t n)
{
	if (s < 0)
		snprintf(out, n, "%s", _("never"));
	else if (s < 120)
		snprintf(out, n, _("%llds"), (long long)s);
	else if (s < 7200)
		snprintf(out, n, _("%lldm"), (long long)(s / 60));
	else if (s < 172800)
		snprintf(out, n, _("%lldh"), (long long)(s / 3600));
	else
		snprintf(out, n, _("%lldd"), (long long)(s / 86400));
	return out;
}

static char *
when(int64_t t, char *out, size_t n)
{
	struct tm now, tt;

	tm_local(tm_now(), &now);
	tm_local(t, &tt);
	if (now.tm_year == tt.tm_year && now.tm_yday == tt.tm_yday)
		strftime(out, n, "%H:%M", &tt);
	else
		strftime(out, n, "%Y-%m-%d %H:%M", &tt);
	return out;
}

/* A reason's words in the cashier's language: the coupon reason table's
 * where it has them (core/coupon.h), else the session's text (WeChat's
 * words) through the catalogue. */
static const char *
reason_words(const struct view_coupon *c)
{
	const struct reason_info *ri = reason_info((enum reason)c->r_code);

	if (c->r_code != REASON_OTHER && c->r_code != REASON_NONE &&
	    ri->en != NULL)
		return strcmp(cur_lang, "zh_CN") == 0 ? ri->zh : ri->en;
	return _(c->r_text);
}

char *
ui_reason(const struct view_coupon *c, char *out, size_t n)
{
	char a[48], b[48];

	out[0] = '\0';
	switch (c->reason) {
	case VIEW_R_NONE:
		break;
	case VIEW_R_ALREADY_USED:
		if (c->r_t > 0)
			snprintf(out, n, _("already used at %s"),
			    when(c->r_t, a, sizeof a));
		else
			snprintf(out, n, "%s", _("already used"));
		break;
	case VIEW_R_BELOW_MINIMUM:
		snprintf(out, n, _("needs %s, basket %s"),
		    ui_money(c->r_need_fen, a, sizeof a),
		    ui_money(c->r_have_fen, b, sizeof b));
		break;
	case VIEW_R_EXPIRED:
		if (c->r_t > 0)
			snprintf(out, n, _("expired at %s"),
			    when(c->r_t, a, sizeof a));
		else
			snprintf(out, n, "%s", _("expired"));
		break;
	case VIEW_R_NOT_YET:
		if (c->r_t > 0)
			snprintf(out, n, _("not valid before %s"),
			    when(c->r_t, a, sizeof a));
		else
			snprintf(out, n, "%s", _("not valid yet"));
		break;
	case VIEW_R_NOT_TODAY:
		snprintf(out, n, "%s", _("not valid at this day or hour"));
		break;
	case VIEW_R_UNKNOWN_CODE:
		snprintf(out, n, "%s", _("not a coupon this till knows"));
		break;
	case VIEW_R_PAYMENT_CODE:
		snprintf(out, n, "%s",
		    _("this is a payment code, not a coupon: take payment "
		    "at the payment terminal"));
		break;
	case VIEW_R_GARBAGE:
		snprintf(out, n, "%s", _("not a readable coupon code"));
		break;
	case VIEW_R_DUPLICATE:
		snprintf(out, n, "%s", _("already in this sale"));
		break;
	case VIEW_R_PER_TXN:
		snprintf(out, n, "%s",
		    _("too many of this coupon in one sale"));
		break;
	case VIEW_R_OFFLINE_POLICY:
		snprintf(out, n, "%s",
		    _("offline: this coupon can only be used online"));
		break;
	case VIEW_R_VALUE_PENDING:
		snprintf(out, n, "%s",
		    _("value known after WeChat answers"));
		break;
	case VIEW_R_WAIT_WECHAT:
		/* the state word says it; the value is the expected one */
		break;
	case VIEW_R_OFFLINE_CAP:
		if (c->r_text[0] != '\0')
			snprintf(out, n, _("offline limit reached: %s"),
			    reason_words(c));
		else
			snprintf(out, n, "%s", _("offline limit reached"));
		break;
	case VIEW_R_CACHE_OLD:
		snprintf(out, n, "%s",
		    _("offline: coupon list too old to decide"));
		break;
	case VIEW_R_STOCK_STATE:
		snprintf(out, n, "%s", _("this coupon batch is not active"));
		break;
	case VIEW_R_REMOTE:
		snprintf(out, n, _("WeChat: %s"), reason_words(c));
		break;
	case VIEW_R_OTHER:
	case VIEW_R_COUNT:
		snprintf(out, n, "%s", reason_words(c));
		break;
	}
	return out;
}

char *
ui_msg(const struct view *v, char *out, size_t n)
{
	out[0] = '\0';
	if (v->redeeming) {
		/* the sale is out to WeChat: say so, with the time ticking */
		snprintf(out, n, _("Redeeming: asking WeChat... %u.%u s"),
		    (unsigned)(v->redeem_ms / 1000),
		    (unsigned)(v->redeem_ms / 100 % 10));
		return out;
	}
	switch (v->msg) {
	case VIEW_M_NONE: break;
	case VIEW_M_BAD_LOGIN:
		snprintf(out, n, "%s", _("Wrong id or PIN")); break;
	case VIEW_M_NOT_MANAGER:
		snprintf(out, n, "%s", _("A manager's PIN is needed")); break;
	case VIEW_M_BAD_AMOUNT:
		snprintf(out, n, "%s",
		    _("Amount: yuan with at most two decimals, e.g. 88.50"));
		break;
	case VIEW_M_EMPTY_BASKET:
		snprintf(out, n, "%s", _("Scan a coupon first")); break;
	case VIEW_M_VOIDED:
		snprintf(out, n,
		    _("Sale %s voided; coupons are being returned"),
		    v->msg_text);
		break;
	case VIEW_M_VOIDED_KEPT:
	case VIEW_M_VOIDED_KEPT_ALL: {
		/* msg_text = "txn\tnames" */
		char id[40];
		const char *tab = strchr(v->msg_text, '\t');
		size_t l = tab != NULL ? (size_t)(tab - v->msg_text) : 0;

		if (l >= sizeof id)
			l = sizeof id - 1;
		memcpy(id, v->msg_text, l);
		id[l] = '\0';
		snprintf(out, n, v->msg == VIEW_M_VOIDED_KEPT ?
		    _("Sale %s voided; the other coupons are being returned. "
		    "Not returnable (card coupon already used at WeChat): %s") :
		    _("Sale %s voided. Not returnable (card coupon already "
		    "used at WeChat): %s"), id, tab != NULL ? tab + 1 : "");
		break;
	}
	case VIEW_M_REFUNDING:
		snprintf(out, n, _("Sale %s was paid: refunding it; it is "
		    "voided once the money is back"), v->msg_text);
		break;
	case VIEW_M_REFUNDED:
		snprintf(out, n, _("Sale %s refunded and voided"), v->msg_text);
		break;
	case VIEW_M_REFUND_FAILED: {
		char id[40];
		const char *tab = strchr(v->msg_text, '\t');

		snprintf(id, sizeof id, "%.*s", tab != NULL ?
		    (int)(tab - v->msg_text) : 0, v->msg_text);
		snprintf(out, n, _("Sale %s NOT refunded (%s): it stays paid"),
		    id, tab != NULL ? tab + 1 : "");
		break;
	}
	case VIEW_M_PC_COLLECT:
		snprintf(out, n, _("Product coupon refused by WeChat after the "
		    "payment: collect %s more, or a manager voids the sale"),
		    v->msg_text);
		break;
	case VIEW_M_NOT_PRINTED:
		snprintf(out, n, _("Sale complete; receipt not printed (%s): "
		    "Ctrl-P prints it again"), v->msg_text);
		break;
	case VIEW_M_REPORT_NOT_PRINTED:
		snprintf(out, n, _("Report not printed (%s): Ctrl-P to try "
		    "again"), v->msg_text);
		break;
	case VIEW_M_QUIT_CONFIRM:
		snprintf(out, n, "%s", _("A sale is open: press F10 (or "
		    "Ctrl-C) again to quit and drop it, any other key to go "
		    "on"));
		break;
	case VIEW_M_APPROVED:
		snprintf(out, n, _("Approved by %s"), v->msg_text); break;
	case VIEW_M_CANCELLED:
		snprintf(out, n, "%s", _("Cancelled")); break;
	case VIEW_M_LOCKED:
		if (v->msg_text[0] != '\0')
			snprintf(out, n, _("Too many wrong PINs: PIN entry is "
			    "locked for %s s more"), v->msg_text);
		else
			snprintf(out, n, "%s",
			    _("Too many wrong PINs: wait a minute"));
		break;
	case VIEW_M_ERROR:
		snprintf(out, n, _("Error: %s"), _(v->msg_text)); break;
	case VIEW_M_NEED_REASON:
		snprintf(out, n, "%s", _("A reason is needed")); break;
	case VIEW_M_NOTHING_TO_VOID:
		snprintf(out, n, "%s", _("No sale to void")); break;
	case VIEW_M_NOT_VOIDABLE:
		snprintf(out, n, _("Sale %s is voided already: nothing to "
		    "void"), v->msg_text);
		break;
	case VIEW_M_ZDONE:
		snprintf(out, n, _("Z report %s written; day closed"),
		    v->msg_text);
		break;
	}
	return out;
}

const char *
ui_prompt(const struct view *v)
{
	if (v->screen == VIEW_APPROVE) {
		switch (v->approve_step) {
		case 0: return _("Manager id");
		case 1: return _("Manager PIN");
		default: return _("Reason (1 wrong item, 2 customer changed "
		    "mind, 3 offline risk ok, 4 end of day, or words)");
		}
	}
	if (v->screen == VIEW_PAY && (v->pay == VIEW_PAY_SENDING ||
	    v->pay == VIEW_PAY_USERPAYING || v->pay == VIEW_PAY_CANCELLING))
		return _("Waiting for WeChat (Esc cancels)");
	switch (v->field) {
	case VIEW_FIELD_CASHIER: return _("Cashier id");
	case VIEW_FIELD_PIN: return _("PIN");
	case VIEW_FIELD_AMOUNT: return _("Amount (yuan)");
	case VIEW_FIELD_CODE:
		/* with coupons in the basket, say how to finish */
		if (v->screen == VIEW_BASKET && v->ncoupons > 0)
			return v->kiosk ? _("Scan another coupon, or press "
			    "+ (or Enter) to finish") : _("Scan or type a coupon code "
			    "(Enter on empty, or +: redeem)");
		return _("Scan or type a coupon code");
	case VIEW_FIELD_REASON: return _("Reason");
	case VIEW_FIELD_SEARCH: return _("Search code or sale");
	case VIEW_FIELD_ITEM_PRICE: return _("Item price (yuan)");
	case VIEW_FIELD_PAY_CODE: return _("Scan the payment code");
	case VIEW_FIELD_CASH: return _("Cash tendered (yuan)");
	case VIEW_FIELD_REF: return _("Reference");
	case VIEW_FIELD_NONE: break;
	}
	return "";
}

/* One marked word (view.h: VIEW_WORD, kind, id) in the cashier's
 * language, from the tables: coupon states, reasons, kinds and types,
 * actions, msgids. An id the tables do not know shows as it is. */
static const char *
mark_word(char kind, const char *id, char *out, size_t n)
{
	struct view_coupon c;
	int v;

	switch (kind) {
	case 's':
		v = checkout_cstate_parse(id);
		return v < 0 ? id : ui_cstate_word(checkout_cstate_view(
		    (enum checkout_cstate)v));
	case 'k':
		return ui_kind_word(id);
	case 'a':
		v = (int)strtol(id, NULL, 10);
		return v > VIEW_A_NONE && v <= VIEW_A_EXIT ?
		    ui_action_word((enum view_action)v) : id;
	case 'r':
		memset(&c, 0, sizeof c);
		c.r_code = reason_parse(id);
		c.reason = reason_info((enum reason)c.r_code)->view;
		snprintf(c.r_text, sizeof c.r_text, "%s", id);
		ui_reason(&c, out, n);
		return out[0] != '\0' ? out : id;
	case 'm':
		return _(id);
	}
	return id;
}

/* value with its marked words put in words */
static void
expand_words(const char *v, char *out, size_t n)
{
	char id[VIEW_LINE_MAX], w[VIEW_LINE_MAX];
	const char *e;
	size_t o = 0, k;
	int r;

	out[0] = '\0';
	while (*v != '\0' && o + 1 < n) {
		if (*v != VIEW_WORD || v[1] == '\0' ||
		    (e = strchr(v + 2, VIEW_WORD)) == NULL) {
			out[o++] = *v++;
			out[o] = '\0';
			continue;
		}
		k = (size_t)(e - (v + 2));
		if (k >= sizeof id)
			k = sizeof id - 1;
		memcpy(id, v + 2, k);
		id[k] = '\0';
		r = snprintf(out + o, n - o, "%s",
		    mark_word(v[1], id, w, sizeof w));
		o += r < 0 ? 0 : (size_t)r < n - o ? (size_t)r : n - o - 1;
		v = e + 1;
	}
}

char *
ui_line(const char *line, char *out, size_t n)
{
	const char *tab = strchr(line, '\t');
	char label[VIEW_LINE_MAX], val[VIEW_LINE_MAX * 2];
	size_t k;

	if (tab == NULL) {
		snprintf(out, n, "%s", _(line));
		return out;
	}
	k = (size_t)(tab - line);
	if (k >= sizeof label)
		k = sizeof label - 1;
	memcpy(label, line, k);
	label[k] = '\0';
	expand_words(tab + 1, val, sizeof val);
	{
		/* a note in parentheses closing the value ("... (customer
		 * changed mind)": an approval's reason from the menu) is a
		 * msgid too; typed words stay as typed */
		const char *v = val, *p = strrchr(v, '(');
		size_t vl = strlen(v);
		char note[VIEW_LINE_MAX];

		if (p != NULL && p > v && p[-1] == ' ' && vl > 0 &&
		    v[vl - 1] == ')' && (size_t)(v + vl - 1 - p - 1) <
		    sizeof note) {
			k = (size_t)(v + vl - 1 - p - 1);
			memcpy(note, p + 1, k);
			note[k] = '\0';
			snprintf(out, n, "%s: %.*s(%s)", _(label),
			    (int)(p - v), v, _(note));
			return out;
		}
	}
	snprintf(out, n, "%s: %s", _(label), val);
	return out;
}

/* Decode one UTF-8 character; returns bytes used (1 on invalid). */
static size_t
dec(const char *s, wchar_t *wc)
{
	mbstate_t st;
	size_t k;

	memset(&st, 0, sizeof st);
	k = mbrtowc(wc, s, MB_CUR_MAX, &st);
	if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
		*wc = L'?';
		return 1;
	}
	return k;
}

int
ui_width(const char *s)
{
	wchar_t wc;
	int w = 0, cw;

	while (*s != '\0') {
		s += dec(s, &wc);
		cw = wcwidth(wc);
		w += cw < 0 ? 1 : cw;
	}
	return w;
}

char *
ui_fit(const char *s, int w, int pad, char *out, size_t n)
{
	size_t o = 0, k;
	wchar_t wc;
	int used = 0, cw;

	if (n == 0)
		return out;
	while (*s != '\0') {
		k = dec(s, &wc);
		cw = wcwidth(wc);
		if (cw < 0)
			cw = 1;
		if (used + cw > w || o + k + 1 > n)
			break;
		memcpy(out + o, s, k);
		o += k;
		used += cw;
		s += k;
	}
	while (pad && used < w && o + 1 < n) {
		out[o++] = ' ';
		used++;
	}
	out[o] = '\0';
	return out;
}

char *
ui_fold_width(char *s)
{
	unsigned char *r = (unsigned char *)s, *w = (unsigned char *)s;
	unsigned cp;

	while (*r != '\0') {
		if (r[0] == 0xef && (r[1] == 0xbc || r[1] == 0xbd) &&
		    r[2] >= 0x80 && r[2] <= 0xbf) {
			cp = 0xf000u | ((unsigned)(r[1] & 0x3f) << 6) |
			    (r[2] & 0x3fu);
			if (cp >= 0xff01 && cp <= 0xff5e) {
				*w++ = (unsigned char)(cp - 0xfee0);
				r += 3;
				continue;
			}
		}
		if (r[0] == 0xe3 && r[1] == 0x80 && r[2] == 0x80) {
			*w++ = ' ';
			r += 3;
			continue;
		}
		*w++ = *r++;
	}
	*w = '\0';
	return s;
}

char *
ui_wrap(const char *s, int w, const char **rest, char *out, size_t n)
{
	size_t o = 0, k, brk = 0, brk_next = 0;
	const char *p = s;
	wchar_t wc;
	int used = 0, cw;

	if (n == 0)
		return out;
	while (*p != '\0') {
		k = dec(p, &wc);
		cw = wcwidth(wc);
		if (cw < 0)
			cw = 1;
		if (used + cw > w || o + k + 1 > n)
			break;
		memcpy(out + o, p, k);
		o += k;
		used += cw;
		p += k;
		if (wc == L' ') {
			brk = o - 1;        /* cut before the space */
			brk_next = (size_t)(p - s);
		} else if (cw == 2) {
			brk = o;            /* a CJK line may break anywhere */
			brk_next = (size_t)(p - s);
		}
	}
	if (*p != '\0' && brk > 0) {
		o = brk;
		p = s + brk_next;
	}
	out[o] = '\0';
	while (*p == ' ')
		p++;
	if (rest != NULL)
		*rest = p;
	return out;
}
