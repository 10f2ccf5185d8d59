/*
 * session_lists.c — the list screens: the sales of the day, the
 * X and Z reports, diagnostics, settings and a sale's detail. Main thread.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "core/checkout.h"
#include "core/coupon.h"
#include "core/reconcile.h"
#include "core/redeem.h"
#include "core/refund.h"
#include "core/report.h"
#include "core/session.h"
#include "core/session_int.h"
#include "core/settle.h"
#include "store/store.h"
#include "util/config.h"
#include "util/err.h"
#include "util/log.h"
#include "util/money.h"
#include "util/str.h"
#include "util/tm.h"
#include "util/xmem.h"

/* ---- list screens ----------------------------------------------------- */

static void
lines_reset(struct session *s, const char *title)
{
	s->v.nlines = 0;
	s->v.selected = 0;
	str_copy(s->v.title, sizeof s->v.title, title);
}

static void
line_add(struct session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
line_add(struct session *s, const char *fmt, ...)
{
	va_list ap;

	if (s->v.nlines >= VIEW_LINES_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(s->v.lines[s->v.nlines], VIEW_LINE_MAX, fmt, ap);
	va_end(ap);
	s->v.nlines++;
}

static int64_t
day_start(int64_t now)
{
	int sec, wday;

	tm_local_day(now, &sec, &wday);
	return now - sec;
}

static int64_t
period_start(struct session *s, int64_t now)
{
	char b[32];
	char *end;
	long long v;

	if (s->o.st != NULL &&
	    store_meta_get(s->o.st, "zreport_last_at", b, sizeof b) == 0) {
		v = strtoll(b, &end, 10);
		if (*end == '\0' && v > 0 && v <= now)
			return v;
	}
	return day_start(now);
}

struct txn_collect {
	int64_t ids[TXN_LIST_MAX];
	int n;
	const char *filter;
	/* offline losses of the day's sales (report.h), by txn */
	int64_t loss_txn[TXN_LIST_MAX], loss_fen[TXN_LIST_MAX];
	int nloss;
};

/* The offline loss of sale id among those collected (0 none). */
static int64_t
txn_loss(const struct txn_collect *c, int64_t id)
{
	int i;

	for (i = 0; i < c->nloss; i++)
		if (c->loss_txn[i] == id)
			return c->loss_fen[i];
	return 0;
}

static int
txn_collect_cb(void *arg, const struct store_red *r)
{
	struct txn_collect *c = arg;
	int i;

	if (report_is_offline_loss(r->state, r->offline_at, r->discount_fen)) {
		for (i = 0; i < c->nloss && c->loss_txn[i] != r->txn_id; i++)
			;
		if (i == c->nloss && c->nloss < TXN_LIST_MAX) {
			c->loss_txn[c->nloss] = r->txn_id;
			c->loss_fen[c->nloss++] = 0;
		}
		if (i < c->nloss)
			c->loss_fen[i] += r->discount_fen;
	}
	if (c->filter[0] != '\0' && strstr(r->code, c->filter) == NULL)
		return 0;
	for (i = 0; i < c->n; i++)
		if (c->ids[i] == r->txn_id)
			return 0;
	if (c->n < TXN_LIST_MAX)
		c->ids[c->n++] = r->txn_id;
	else {
		/* keep the newest: shift */
		memmove(c->ids, c->ids + 1, (TXN_LIST_MAX - 1) *
		    sizeof c->ids[0]);
		c->ids[TXN_LIST_MAX - 1] = r->txn_id;
	}
	return 0;
}

/* A sale's state as the list's label (an English msgid the front-end
 * translates): "open" is being decided, "redeemed" waits for payment. */
static const char *
txn_state_word(enum txn_state state)
{
	switch (state) {
	case TXN_OPEN: return "deciding";
	case TXN_REDEEMED: return "to pay";
	case TXN_CLOSED: return "completed";
	case TXN_VOIDED: return "voided";
	}
	return "?";
}

void
session_show_txns(struct session *s, const char *filter)
{
	struct txn_collect c;
	struct store_txn t;
	int64_t now = tm_now(), id, loss;
	char a[32], d[32], l[32], hm[16], *end;
	struct tm lt;
	int i;

	memset(&c, 0, sizeof c);
	c.filter = filter;
	lines_reset(s, filter[0] != '\0' ? filter : "");
	if (filter[0] != '\0') {
		id = strtoll(filter, &end, 10);
		if (*end == '\0' && id > 0 && s->o.st != NULL &&
		    store_txn_get(s->o.st, id, &t) == 0) {
			c.ids[c.n++] = id;
			c.filter = "\x01"; /* no code matches */
		}
	}
	if (s->o.st != NULL)
		store_red_list(s->o.st, day_start(now), now + 1, NULL,
		    txn_collect_cb, &c);
	for (i = c.n - 1; i >= 0; i--) {
		if (s->o.st == NULL ||
		    store_txn_get(s->o.st, c.ids[i], &t) != 0)
			continue;
		tm_local(t.opened_at, &lt);
		strftime(hm, sizeof hm, "%H:%M", &lt);
		snprintf(s->ids[s->v.nlines], sizeof s->ids[0], "%lld",
		    (long long)t.id);
		loss = txn_loss(&c, t.id);
		/* the label is the sale's state in words (the front-end
		 * translates labels), or its offline loss, which matters
		 * more than being closed */
		line_add(s, "%s\t#%-6lld %s  %10s  -> %10s  %s%s%s",
		    loss > 0 ? "offline loss" : txn_state_word(t.state),
		    (long long)t.id, hm,
		    money_format(t.amount_fen, a, sizeof a),
		    money_format(t.due_fen, d, sizeof d), t.cashier,
		    loss > 0 ? "  -\xc2\xa5" : "",
		    loss > 0 ? money_format(loss, l, sizeof l) : "");
	}
	if (s->v.nlines == 0)
		line_add(s, "%s", "No sales yet today");
	session_go(s, VIEW_TXNS, VIEW_FIELD_SEARCH);
}

struct counts {
	struct session *s;
	struct report_figs f;     /* core/report.h: one definition each */
};

static int
counts_cb(void *arg, enum checkout_cstate state, int kept, int64_t n,
    int64_t fen)
{
	struct counts *c = arg;
	char m[32];

	line_add(c->s, "%s\t%lld  \xc2\xa5%s", report_group_name(state, kept),
	    (long long)n, money_format(fen, m, sizeof m));
	report_add_group(&c->f, state, kept, n, fen);
	return 0;
}

/* The voids of a report's period: who approved, why, the coupon value of
 * the sale (from the journal's void_txn and approval entries). */
#define REPORT_VOIDS_MAX 32
struct voids {
	struct store *st;
	int64_t n, fen;
	int shown;
	struct {
		int64_t txn;
		char by[32], why[120]; /* the line holds VIEW_LINE_MAX */
	} v[REPORT_VOIDS_MAX];
};

static int
void_cb(void *arg, const struct store_jrow *j)
{
	struct voids *v = arg;
	struct store_txn t;
	json_t *d = json_loads(j->data, 0, NULL);
	const char *by = json_string_value(json_object_get(d, "by"));

	v->n++;
	if (store_txn_get(v->st, j->txn_id, &t) == 0)
		v->fen += t.discount_fen;
	if (v->shown < REPORT_VOIDS_MAX) {
		v->v[v->shown].txn = j->txn_id;
		str_copy(v->v[v->shown].by, sizeof v->v[v->shown].by,
		    by != NULL ? by : "");
		v->v[v->shown].why[0] = '\0';
		v->shown++;
	}
	json_decref(d);
	return 0;
}

static int
void_why_cb(void *arg, const struct store_jrow *j)
{
	struct voids *v = arg;
	json_t *d = json_loads(j->data, 0, NULL);
	const char *what = json_string_value(json_object_get(d, "what"));
	const char *why = json_string_value(json_object_get(d, "why"));
	int i;

	if (what != NULL && strcmp(what, session_action_id(VIEW_A_VOID)) == 0 &&
	    why != NULL)
		for (i = 0; i < v->shown; i++)
			if (v->v[i].txn == j->txn_id)
				str_copy(v->v[i].why, sizeof v->v[i].why, why);
	json_decref(d);
	return 0;
}

static void
report_voids(struct session *s, int64_t from)
{
	struct voids *v = xcalloc(1, sizeof *v);
	char m[32];
	int i;

	v->st = s->o.st;
	if (store_journal_kind(s->o.st, "void_txn", from, void_cb, v) != 0 ||
	    store_journal_kind(s->o.st, "approval", from, void_why_cb,
	    v) != 0)
		log_warn("report: reading the voids failed");
	line_add(s, "Voids\t%lld  \xc2\xa5%s", (long long)v->n,
	    money_format(v->fen, m, sizeof m));
	for (i = 0; i < v->shown; i++)
		line_add(s, "Voided sale\t%lld: %s%s%s%s",
		    (long long)v->v[i].txn, v->v[i].by,
		    v->v[i].why[0] != '\0' ? " (" : "", v->v[i].why,
		    v->v[i].why[0] != '\0' ? ")" : "");
	free(v);
}

/* The refunds of the period (core/report.h): paid sales stay paid, the
 * money given back is here; nothing for a period without refunds. */
static void
report_refund_lines(struct session *s, int64_t from, int64_t to)
{
	struct report_refunds r;
	char a[32], b[32], c[32];

	if (report_refunds(s->o.st, from, to, &r) != 0 || r.count +
	    r.open_count + r.abnormal_count + r.failed_count == 0)
		return;
	line_add(s, "Refunded (WeChat / cash / other)\t%lld  \xc2\xa5%s / "
	    "\xc2\xa5%s / \xc2\xa5%s", (long long)r.count,
	    money_format(r.wechat_fen, a, sizeof a),
	    money_format(r.cash_fen, b, sizeof b),
	    money_format(r.other_fen, c, sizeof c));
	if (r.open_count + r.abnormal_count > 0)
		line_add(s, "Refunds open / abnormal\t%lld  \xc2\xa5%s / "
		    "%lld  \xc2\xa5%s", (long long)r.open_count,
		    money_format(r.open_fen, a, sizeof a),
		    (long long)r.abnormal_count,
		    money_format(r.abnormal_fen, b, sizeof b));
}

/* The payments of the period (core/report.h), by tender: three lines,
 * and none for a till that took no payment in the period (the Z report
 * must still fit 80x24 with its journal head). */
static void
report_pay_lines(struct session *s, int64_t from, int64_t to)
{
	struct store_pay_sums p;
	char m[32], v[32];

	if (report_payments(s->o.st, from, to, &p) != 0)
		return;
	if (p.wechat_count + p.cash_count + p.other_count + p.failed_count +
	    p.unknown_count == 0)
		return;
	line_add(s, "WeChat Pay (vouchers)\t%lld  \xc2\xa5%s (\xc2\xa5%s)",
	    (long long)p.wechat_count, money_format(p.wechat_fen, m, sizeof m),
	    money_format(p.voucher_fen, v, sizeof v));
	line_add(s, "Cash / other tender\t%lld  \xc2\xa5%s / %lld  \xc2\xa5%s",
	    (long long)p.cash_count, money_format(p.cash_fen, m, sizeof m),
	    (long long)p.other_count, money_format(p.other_fen, v, sizeof v));
	line_add(s, "Charges failed / not settled\t%lld / %lld",
	    (long long)p.failed_count, (long long)p.unknown_count);
	report_refund_lines(s, from, to);
}

/* The sync daemon's last daily 对账 (core/reconcile.h), when WeChat's
 * bill and the till did not agree: the manager's line. */
static void
report_reconcile_line(struct session *s)
{
	json_t *j = recon_daily_json(s->o.st);
	json_int_t n = json_integer_value(json_object_get(j, "differences"));
	const char *d = json_string_value(json_object_get(j, "date"));

	if (j != NULL && n > 0 && d != NULL)
		line_add(s, "Reconcile: differences with WeChat\t%s: %lld",
		    d, (long long)n);
	json_decref(j);
}

void
session_show_report(struct session *s, int z, const char *approver,
    const char *why)
{
	int64_t now = tm_now(), from = period_start(s, now), zno = 0;
	int64_t off_n = 0, exposure = 0, seq = 0;
	char hash[65] = "", m[32], t1[32], t2[32], b[32];
	struct counts c;
	struct tm lt;
	int rc;

	memset(&c, 0, sizeof c);
	c.s = s;
	lines_reset(s, z ? "Z report" : "X report");
	s->v.zreport = z;
	if (s->o.st == NULL) {
		session_go(s, VIEW_REPORT, VIEW_FIELD_NONE);
		return;
	}
	if (z) {
		if (store_begin(s->o.st) == 0 &&
		    store_seq_next(s->o.st, "zreport", &zno) == 0) {
			snprintf(b, sizeof b, "%lld", (long long)now);
			store_meta_set(s->o.st, "zreport_last_at", b);
			rc = store_commit(s->o.st);
		} else {
			store_rollback(s->o.st);
			rc = QUAN_EIO;
		}
		if (rc != 0) {
			session_set_msg(s, VIEW_M_ERROR,
			    "cannot number the Z report");
			session_go(s, VIEW_REPORT, VIEW_FIELD_NONE);
			return;
		}
		line_add(s, "Z number\t%lld", (long long)zno);
	}
	tm_local(from, &lt);
	strftime(t1, sizeof t1, "%Y-%m-%d %H:%M", &lt);
	tm_local(now, &lt);
	strftime(t2, sizeof t2, "%Y-%m-%d %H:%M", &lt);
	line_add(s, "Period\t%s .. %s", t1, t2);
	line_add(s, "Terminal\t%s", s->v.term_id);
	line_add(s, "%s", "Coupons by state (count, discount):");
	store_red_counts(s->o.st, from, now + 1, counts_cb, &c);
	line_add(s, "Redeemed (confirmed + offline)\t%lld  \xc2\xa5%s",
	    (long long)c.f.n[REPORT_REDEEMED],
	    money_format(c.f.fen[REPORT_REDEEMED], m, sizeof m));
	/* used at WeChat, sale voided, no return exists: not redeemed
	 * value, but the customer's coupon is gone */
	line_add(s, "Voided, not returnable (card)\t%lld  \xc2\xa5%s",
	    (long long)c.f.n[REPORT_KEPT],
	    money_format(c.f.fen[REPORT_KEPT], m, sizeof m));
	line_add(s, "Conflicts (used elsewhere)\t%lld",
	    (long long)c.f.n[REPORT_CONFLICT]);
	line_add(s, "Rejected\t%lld", (long long)c.f.n[REPORT_REJECTED]);
	{
		/* the alarm (refund.h): refunds WeChat could not pay back,
		 * whenever made; only when there are any (80x24) */
		int64_t an = 0, af = 0;

		if (refund_alarm(s->o.st, &an, &af) == 0 && an > 0)
			line_add(s, "ALARM refunds ABNORMAL (pay back by hand)"
			    "\t%lld  \xc2\xa5%s", (long long)an,
			    money_format(af, m, sizeof m));
	}
	{
		/* granted here and at another lane while the store hub was
		 * down: only when there are any (80x24) */
		json_t *hc = report_hub_conflicts_json(s->o.st, from, now + 1);

		if (json_array_size(hc) > 0)
			line_add(s, "Hub conflicts (other lanes)\t%zu",
			    json_array_size(hc));
		json_decref(hc);
	}
	{
		/* given offline, refused by WeChat since (report.h): only
		 * when there is any (80x24) */
		struct report_loss lo;

		if (report_offline_losses(s->o.st, from, now + 1, &lo,
		    NULL) == 0 && lo.n > 0)
			line_add(s, "Offline losses (refused by WeChat)\t%lld"
			    "  \xc2\xa5%s", (long long)lo.n,
			    money_format(lo.fen, m, sizeof m));
	}
	report_voids(s, from);
	report_pay_lines(s, from, now + 1);
	report_reconcile_line(s);
	store_offline_stats(s->o.st, from, &off_n, &exposure);
	line_add(s, "Accepted offline\t%lld", (long long)off_n);
	line_add(s, "Offline exposure (unsettled)\t\xc2\xa5%s",
	    money_format(exposure, m, sizeof m));
	line_add(s, "Outbox (to settle)\t%d", s->v.outbox);
	store_journal_last(s->o.st, &seq, hash);
	line_add(s, "Journal entries\t%lld", (long long)seq);
	line_add(s, "Journal chain head\t%.32s", hash);
	if (hash[0] != '\0')
		line_add(s, "%s", hash + 32);
	if (z) {
		line_add(s, "Approved by\t%s (%s)", approver, why);
		snprintf(b, sizeof b, "%lld", (long long)zno);
		session_journal(s, "zreport", 0, approver, b, why);
		session_set_msg(s, VIEW_M_ZDONE, b);
	}
	session_go(s, VIEW_REPORT, VIEW_FIELD_NONE);
}

void
session_show_diag(struct session *s)
{
	int i, k;
	const struct ev_scan *d;
	char txt[64];

	lines_reset(s, "");
	line_add(s, "%s", "Last scans, newest first:");
	for (i = 0; i < s->ndiag; i++) {
		k = (s->diag_next - 1 - i + 2 * DIAG_MAX) % DIAG_MAX;
		d = &s->diag[k];
		str_copy(txt, sizeof txt, d->text[0] != '\0' ? d->text :
		    "(not text)");
		line_add(s, "%-20.20s %-8.8s %-7.7s %3zu B gap %3u ms %s",
		    d->source_name, d->symbology[0] ? d->symbology : "-",
		    d->encoding[0] ? d->encoding : "-", d->raw_len,
		    d->ikt_max_ms, txt);
	}
	if (s->ndiag == 0)
		line_add(s, "%s", "No scans yet");
	session_go(s, VIEW_DIAG, VIEW_FIELD_NONE);
}

void
session_show_settings(struct session *s)
{
	const struct config *c = s->o.cfg;
	char m[32];
	int i;

	lines_reset(s, "");
	if (c == NULL) {
		session_go(s, VIEW_SETTINGS, VIEW_FIELD_NONE);
		return;
	}
	line_add(s, "Config file\t%s", c->path[0] ? c->path : "(defaults)");
	line_add(s, "Terminal\t%s", c->term_id);
	line_add(s, "Store\t%s", c->store_id);
	line_add(s, "Timezone\t%s", c->timezone);
	line_add(s, "WeChat Pay URL\t%s", c->wx_base_url);
	line_add(s, "Online wait\t%d ms", c->wx_online_wait_ms);
	line_add(s, "Offline: max one coupon\t\xc2\xa5%s",
	    money_format(c->off_max_coupon_fen, m, sizeof m));
	line_add(s, "Offline: max per hour\t%d", c->off_max_per_hour);
	line_add(s, "Offline: max exposure\t\xc2\xa5%s",
	    money_format(c->off_max_exposure_fen, m, sizeof m));
	line_add(s, "Offline: max cache age\t%lld s",
	    (long long)c->off_max_cache_age_s);
	line_add(s, "Offline: default policy\t%s",
	    config_policy_name(c->off_default_policy));
	for (i = 0; i < c->ntargets; i++)
		line_add(s, "%s %s\t%s",
		    c->targets[i].kind == CONFIG_STOCK ? "stock" : "card",
		    c->targets[i].id, config_policy_name(config_policy_of(c,
		    c->targets[i].kind, c->targets[i].id)));
	session_go(s, VIEW_SETTINGS, VIEW_FIELD_NONE);
}

/* id marked as a word of kind k (view.h: VIEW_WORD) for the front-end
 * to put in the cashier's language; buf[n] holds it. */
static const char *
word(char *buf, size_t n, char k, const char *id)
{
	snprintf(buf, n, "%c%c%s%c", VIEW_WORD, k, id, VIEW_WORD);
	return buf;
}

void
session_show_detail(struct session *s)
{
	const struct checkout_txn *t = NULL;
	const struct checkout_line *l;
	char m[32], w[VIEW_LINE_MAX];
	int i = s->v.selected;

	if (s->o.co != NULL)
		t = checkout_current(s->o.co);
	if (t == NULL || i < 0 || i >= t->nlines)
		return;
	l = &t->lines[i];
	s->back = s->v.screen;
	lines_reset(s, "");
	line_add(s, "Code\t%s", l->code);
	line_add(s, "Kind\t%s", word(w, sizeof w, 'k', l->kind_id));
	if (l->coupon_type[0] != '\0')
		line_add(s, "Type\t%s", word(w, sizeof w, 'k',
		    l->coupon_type));
	line_add(s, "Stock / card\t%s", l->target);
	line_add(s, "Name\t%s", l->name);
	line_add(s, "State\t%s", word(w, sizeof w, 's',
	    checkout_cstate_name(l->state)));
	if (l->reason != REASON_NONE)
		line_add(s, "Reason\t%s", word(w, sizeof w, 'r',
		    checkout_line_reason(l)));
	line_add(s, "Discount\t\xc2\xa5%s",
	    money_format(l->discount_fen, m, sizeof m));
	if (l->request_no[0] != '\0')
		line_add(s, "Request no\t%s", l->request_no);
	if (l->offline_reason[0] != '\0')
		line_add(s, "Offline decision\t%s", word(w, sizeof w, 'r',
		    l->offline_reason));
	if (l->offline_loss)
		line_add(s, "Offline loss (refused by WeChat)\t\xc2\xa5%s",
		    money_format(l->discount_fen, m, sizeof m));
	if (l->needs_confirm)
		line_add(s, "%s", "Hand over the item, then confirm");
	session_go(s, VIEW_DETAIL, VIEW_FIELD_NONE);
	s->v.selected = -1;
}

/* ---- one sale from the sales list -------------------------------------- */

struct sale_approvals {
	struct session *s;
	int64_t txn;
};

static int
sale_approval_cb(void *arg, const struct store_jrow *j)
{
	struct sale_approvals *a = arg;
	json_t *d;
	const char *what, *by, *why;
	char w[VIEW_LINE_MAX], id[16];
	enum view_action act;

	if (j->txn_id != a->txn)
		return 0;
	d = json_loads(j->data, 0, NULL);
	what = json_string_value(json_object_get(d, "what"));
	by = json_string_value(json_object_get(d, "who"));
	why = json_string_value(json_object_get(d, "why"));
	for (act = VIEW_A_VOID; act <= VIEW_A_EXIT; act++)
		if (what != NULL && strcmp(what, session_action_id(act)) == 0)
			break;
	if (act <= VIEW_A_EXIT) {
		snprintf(id, sizeof id, "%d", (int)act);
		what = word(w, sizeof w, 'a', id);
	}
	line_add(a->s, "Approved by\t%s: %s%s%s%s",
	    what != NULL ? what : "?", by != NULL ? by : "?", why != NULL && *why ? " (" : "",
	    why != NULL ? why : "", why != NULL && *why ? ")" : "");
	json_decref(d);
	return 0;
}

/* The sale selected in the sales list: its figures, each coupon with its
 * state and reason, and who approved what for it (the journal). Esc goes
 * back to the list. */
void
session_show_sale(struct session *s)
{
	struct sale_approvals a;
	struct store_txn t;
	const struct checkout_line *l;
	char m[32], hm[16], *end, w[VIEW_LINE_MAX], r[VIEW_LINE_MAX];
	char k[VIEW_LINE_MAX];
	struct tm lt;
	int64_t id;
	int i;

	if (s->v.selected < 0 || s->v.selected >= s->v.nlines ||
	    s->o.st == NULL || s->o.co == NULL)
		return;
	id = strtoll(s->ids[s->v.selected], &end, 10);
	if (*end != '\0' || id <= 0 || store_txn_get(s->o.st, id, &t) != 0 ||
	    checkout_load(s->o.co, id, &s->tmp) != 0)
		return;
	s->back = VIEW_TXNS;
	lines_reset(s, "");
	tm_local(t.opened_at, &lt);
	strftime(hm, sizeof hm, "%H:%M", &lt);
	line_add(s, "Sale\t#%lld  %s  %s", (long long)t.id, hm, t.cashier);
	line_add(s, "Amount\t\xc2\xa5%s", money_format(t.amount_fen, m,
	    sizeof m));
	line_add(s, "Discount\t\xc2\xa5%s", money_format(t.discount_fen, m,
	    sizeof m));
	line_add(s, "Due\t\xc2\xa5%s", money_format(t.due_fen, m, sizeof m));
	line_add(s, "State\t%s", word(w, sizeof w, 'm',
	    txn_state_word(t.state)));
	for (i = 0; i < s->tmp.nlines; i++) {
		l = &s->tmp.lines[i];
		if (l->reason != REASON_NONE)
			word(r, sizeof r, 'r', reason_text(l->reason,
			    l->reason_text));
		line_add(s, "Coupon\t%d. %s  %s  -\xc2\xa5%s  %s%s%s", i + 1,
		    l->name[0] != '\0' ? l->name : word(k, sizeof k, 'k',
		    l->coupon_type), l->code,
		    money_format(l->discount_fen, m, sizeof m),
		    word(w, sizeof w, 's', checkout_cstate_name(l->state)),
		    l->reason != REASON_NONE ? "  " : "",
		    l->reason != REASON_NONE ? r : "");
	}
	a.s = s;
	a.txn = id;
	if (store_journal_kind(s->o.st, "approval", t.opened_at - 1,
	    sale_approval_cb, &a) != 0)
		log_warn("sale detail: reading the approvals failed");
	session_go(s, VIEW_DETAIL, VIEW_FIELD_NONE);
	s->v.selected = -1;
}
