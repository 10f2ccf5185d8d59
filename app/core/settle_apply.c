/*
 * settle_apply.c — sync results to redemption states (see settle.h): a
 * use, query, return or definition answered, retried later or closed,
 * what WeChat taught about a stock or card, and the net state kept in
 * the store. Main thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/coupon.h"
#include "core/ledger.h"
#include "core/settle.h"
#include "core/settle_int.h"
#include "core/wxbody.h"
#include "store/store.h"
#include "store/store_pay.h"
#include "util/config.h"
#include "util/err.h"
#include "util/log.h"
#include "util/str.h"
#include "util/tm.h"
#include "util/xmem.h"

/* ---- results ---------------------------------------------------------- */

/* "CODE: message" of a result into out, cut on a character boundary
 * (WeChat's messages are Chinese: a cut byte would make the stored text,
 * and the JSON of status and report built from it, invalid UTF-8). */
static void
err_text(char *out, size_t n, const struct sync_result *r)
{
	char b[SYNC_WXCODE_MAX + SYNC_MSG_MAX + 8];

	snprintf(b, sizeof b, "%s%s%s", r->wx_code[0] ? r->wx_code :
	    quan_strerror(r->rc), r->message[0] ? ": " : "", r->message);
	str_clean(out, n, b, sizeof b);
}

static void
set_err(struct settle *s, const struct sync_result *r, int64_t now)
{
	err_text(s->stat.last_error, sizeof s->stat.last_error, r);
	s->stat.last_error_at = now;
}

static int
retry_later(struct settle *s, const struct store_outbox *o,
    const struct sync_result *r, int64_t now)
{
	int64_t d = s->o.retry_base_s > 0 ? s->o.retry_base_s : 1;
	char err[STORE_TEXT_MAX];
	int i;

	for (i = 1; i < o->attempts && d < s->o.retry_max_s; i++)
		d *= 2;
	if (d > s->o.retry_max_s)
		d = s->o.retry_max_s;
	if (r->status == SYNC_STOPPED)
		d = 0;
	else
		d = d / 2 + (int64_t)(settle_rnd(s) % (uint32_t)(d - d / 2 + 1));
	err_text(err, sizeof err, r);
	s->stat.retries++;
	if (r->status != SYNC_STOPPED)
		set_err(s, r, now);
	if (s->o.once > 0) {
		struct tried *t = settle_tried_get(s, o->id, 1);

		if (++t->n == s->o.once)
			s->nexhausted++;
	}
	return store_outbox_retry(s->st, o->id, now + d, err);
}

/* The final answer for row o: the ledger moves the coupon, closes the
 * row, updates the known code and journals it, inside the transaction of
 * the batch being applied. A row settled already (a duplicate answer) is
 * not an error (the ledger refuses before writing anything). */
static int
finish(struct settle *s, const struct store_outbox *o,
    enum checkout_cstate state,
    const struct sync_result *r, const char *reason, int64_t now)
{
	char ref[32];
	int rc;

	if (r->remote_time > 0)
		snprintf(ref, sizeof ref, "%lld", (long long)r->remote_time);
	rc = ledger_settle_in(s->st, o->id, state, r->wx_code, reason,
	    r->remote_time > 0 ? ref : NULL, now);
	if (rc == QUAN_EINVAL) {
		log_warn("outbox %lld: %s not applied (settled already?)",
		    (long long)o->id, checkout_cstate_name(state));
		return QUAN_OK;
	}
	return rc;
}

/* A merchant coupon sent without its stock id (a WeChat-assigned code the
 * cache did not know): keep the stock WeChat's answer names, so that its
 * definition can be fetched and its return carries it. */
static int
learn_stock(struct settle *s, const struct store_outbox *o,
    const struct sync_result *r)
{
	if (o->kind != STORE_MERCHANT || o->target[0] != '\0' ||
	    r->stock_id[0] == '\0')
		return QUAN_OK;
	log_info("outbox %lld: WeChat names stock %s", (long long)o->id,
	    r->stock_id);
	return store_red_set_def(s->st, o->red_id, r->stock_id, NULL);
}

/* The consume of a card coupon checked at the redeem, sent once its sale
 * was paid, refused by WeChat (used elsewhere in between, deleted, given
 * away): the customer had the discount and the coupon is not burnt here.
 * Never dropped: a conflict with reason card_consume_refused, journaled,
 * counted and listed by status, report and the X report as a loss. */
static int
card_lost(struct settle *s, const struct store_outbox *o,
    const struct sync_result *r, int64_t now)
{
	s->stat.conflicts++;
	log_warn("outbox %lld: card consume refused after the payment (%s): "
	    "a loss line for the manager", (long long)o->id,
	    r->wx_code[0] ? r->wx_code : r->reason);
	return finish(s, o, CHECKOUT_CONFLICT, r, "card_consume_refused", now);
}

/* A card code consumed at WeChat by someone else: no consume of ours can
 * have landed (every earlier send failed before leaving). Not granted
 * here (the till was waiting, or refused it): rejected already_used. The
 * till granted it offline: the customer had the discount and the coupon
 * was used elsewhere too, a conflict for a manager, never confirmed. */
static int
card_taken(struct settle *s, const struct store_outbox *o,
    const struct sync_result *r, int64_t now)
{
	struct store_red red;
	int rc;

	if ((rc = store_red_get(s->st, o->red_id, &red)) != QUAN_OK)
		return rc;
	set_err(s, r, now);
	if (red.state == CHECKOUT_CONFIRMED)
		return card_lost(s, o, r, now);
	if (red.state != CHECKOUT_ACCEPTED_OFFLINE) {
		s->stat.rejected++;
		return finish(s, o, CHECKOUT_REJECTED, r, "already_used", now);
	}
	s->stat.conflicts++;
	log_warn("outbox %lld: card code consumed elsewhere; no consume of "
	    "ours reached WeChat (%d sends, %d never left): conflict",
	    (long long)o->id, o->attempts, o->unreached + (r->reached == 0));
	return finish(s, o, CHECKOUT_CONFLICT, r, "used_by_other_request", now);
}

/* Was the card coupon of row o granted on a check (confirmed before its
 * consume was answered)? */
static int
card_checked(struct settle *s, const struct store_outbox *o)
{
	struct store_red red;

	return store_red_get(s->st, o->red_id, &red) == QUAN_OK &&
	    red.state == CHECKOUT_CONFIRMED;
}

static int
apply_use(struct settle *s, const struct store_outbox *o,
    const struct sync_result *r, int64_t now)
{
	struct sync_job j;
	int rc;

	switch (r->status) {
	case SYNC_OK:
		s->stat.confirmed++;
		if ((rc = learn_stock(s, o, r)) != QUAN_OK)
			return rc;
		return finish(s, o, CHECKOUT_CONFIRMED, r, NULL, now);
	case SYNC_REJECTED:
		set_err(s, r, now);
		if (o->kind == STORE_CARD && card_checked(s, o))
			return card_lost(s, o, r, now);
		s->stat.rejected++;
		return finish(s, o, CHECKOUT_REJECTED, r, r->reason, now);
	case SYNC_ALREADY:
		if (o->kind == STORE_CARD)
			return card_taken(s, o, r, now);
		/* Used by some request. Ours, if WeChat's record has our
		 * request number: ask when we know the holder. */
		if (o->kind == STORE_MERCHANT && o->openid[0] != '\0' &&
		    settle_room_for(s) > 0) {
			memset(&j, 0, sizeof j);
			j.tag = o->id;
			j.op = SYNC_OP_QUERY;
			j.attempts = o->attempts;
			str_copy(j.code, sizeof j.code, o->code);
			str_copy(j.target, sizeof j.target, o->target);
			str_copy(j.request_no, sizeof j.request_no,
			    o->request_no);
			str_copy(j.openid, sizeof j.openid, o->openid);
			settle_post_job(s, &j, now);
			return QUAN_OK;
		}
		if (o->kind == STORE_MERCHANT && o->openid[0] != '\0')
			return retry_later(s, o, r, now);
		s->stat.conflicts++;
		set_err(s, r, now);
		return finish(s, o, CHECKOUT_CONFLICT, r, "used_by_other_request",
		    now);
	case SYNC_RETRY:
	case SYNC_STOPPED:
	default:
		return retry_later(s, o, r, now);
	}
}

/* The check (code/get) of a card coupon of a sale paid here, in its
 * redeem's online step: usable → confirmed ("checked": granted, its
 * consume row stays held until the payment is paid); refused or consumed
 * already → rejected, the held consume cancelled; no answer → nothing
 * (the offline policy decides). An answer after the decision is late:
 * ignored. */
static int
apply_check(struct settle *s, const struct store_outbox *o,
    const struct sync_result *r, int64_t now)
{
	struct store_red red;
	enum reason why;
	json_t *x;
	int rc;

	if (o->state != OUTBOX_PENDING ||
	    o->next_at != STORE_OUTBOX_HELD ||
	    (rc = store_red_get(s->st, o->red_id, &red)) != QUAN_OK ||
	    red.state != CHECKOUT_PENDING)
		return QUAN_OK;
	if (r->status != SYNC_OK && r->status != SYNC_REJECTED &&
	    r->status != SYNC_ALREADY) {
		if (r->status != SYNC_STOPPED)
			set_err(s, r, now);
		return QUAN_OK;
	}
	str_copy(red.wx_code, sizeof red.wx_code, r->wx_code);
	if (red.openid[0] == '\0' && r->openid[0] != '\0')
		str_copy(red.openid, sizeof red.openid, r->openid);
	x = json_pack("{s:s, s:s, s:I}", "op", "check", "wx_code",
	    r->wx_code, "outbox", (json_int_t)o->id);
	if (r->status == SYNC_OK) {
		s->stat.confirmed++;
		rc = ledger_change(s->st, &red, CHECKOUT_CONFIRMED,
		    REASON_NONE, NULL, "card_checked", now, x);
		json_decref(x);
		return rc;
	}
	s->stat.rejected++;
	set_err(s, r, now);
	why = r->status == SYNC_ALREADY ? REASON_ALREADY_USED :
	    reason_parse(r->reason);
	red.discount_fen = 0;
	rc = ledger_change(s->st, &red, CHECKOUT_REJECTED, why, r->reason,
	    "reject", now, x);
	json_decref(x);
	if (rc == 0)
		rc = store_outbox_close(s->st, o->id, OUTBOX_CANCELLED,
		    r->wx_code, now);
	if (rc == 0 && r->status == SYNC_ALREADY)
		rc = store_code_set_state(s->st, red.code, red.kind,
		    code_state_name(CODE_USED));
	return rc;
}

static int
apply_query(struct settle *s, const struct store_outbox *o,
    const struct sync_result *r, int64_t now)
{
	struct sync_result x = *r;

	if (r->status == SYNC_OK) {
		if (strcmp(r->use_request_no, o->request_no) == 0 &&
		    strcmp(r->coupon_state, "USED") == 0) {
			int rc;

			s->stat.confirmed++;
			if ((rc = learn_stock(s, o, r)) != QUAN_OK)
				return rc;
			str_copy(x.wx_code, sizeof x.wx_code, "");
			return finish(s, o, CHECKOUT_CONFIRMED, &x, NULL, now);
		}
		/* Used, but not by us: our use was never applied. */
		s->stat.rejected++;
		snprintf(x.wx_code, sizeof x.wx_code,
		    "RESOURCE_ALREADY_EXISTS");
		snprintf(x.message, sizeof x.message,
		    "used by request %.64s (state %.24s)",
		    r->use_request_no, r->coupon_state);
		set_err(s, &x, now);
		return finish(s, o, CHECKOUT_REJECTED, &x, "used_by_other_request",
		    now);
	}
	if (r->status == SYNC_REJECTED) {
		s->stat.conflicts++;
		set_err(s, r, now);
		return finish(s, o, CHECKOUT_CONFLICT, r, "used_by_other_request",
		    now);
	}
	return retry_later(s, o, r, now);
}

static int
apply_return(struct settle *s, const struct store_outbox *o,
    const struct sync_result *r, int64_t now)
{
	switch (r->status) {
	case SYNC_OK:
		s->stat.returned++;
		return finish(s, o, CHECKOUT_RETURNED, r, NULL, now);
	case SYNC_REJECTED:
	case SYNC_ALREADY:
		/* WeChat refuses the return (expired, not USED ...): the
		 * ledger makes the coupon a conflict for a manager. */
		s->stat.conflicts++;
		set_err(s, r, now);
		return finish(s, o, CHECKOUT_REJECTED, r, "return_refused", now);
	default:
		return retry_later(s, o, r, now);
	}
}

static int
apply_def(struct settle *s, const struct sync_result *r, int64_t now)
{
	struct refresh *ref;
	struct store_def d;
	json_t *j, *v;
	json_error_t je;
	int i = (int)(r->tag - REFRESH_TAG_BASE), rc = QUAN_OK;

	if (i < 0 || i >= s->nrefs)
		return QUAN_OK;
	ref = &s->refs[i];
	if (r->status != SYNC_OK) {
		ref->out = 0;
		if (r->status != SYNC_STOPPED)
			set_err(s, r, now);
		return QUAN_OK;
	}
	if (r->chunk_total == 0 || r->chunk_total > DEF_MAX ||
	    r->chunk_len > SYNC_CHUNK_MAX ||
	    r->chunk_off + r->chunk_len > r->chunk_total)
		goto bad;
	if (ref->json == NULL || ref->total != r->chunk_total) {
		free(ref->json);
		ref->json = xcalloc(1, (size_t)r->chunk_total + 1);
		ref->total = r->chunk_total;
		ref->have = 0;
	}
	memcpy(ref->json + r->chunk_off, r->chunk, r->chunk_len);
	ref->have += r->chunk_len;
	if (r->chunk_off + r->chunk_len < r->chunk_total)
		return QUAN_OK; /* more to come */
	ref->out = 0;
	if (ref->have != ref->total)
		goto bad; /* a chunk was dropped: next round */
	j = json_loadb(ref->json, ref->total, 0, &je);
	if (j == NULL || !json_is_object(j)) {
		json_decref(j);
		goto bad;
	}
	memset(&d, 0, sizeof d);
	str_copy(d.id, sizeof d.id, ref->id);
	d.raw = ref->json;
	d.fetched_at = now;
	if (ref->card) {
		json_t *card = json_object_get(j, "card");
		json_t *base;
		const char *t = json_string_value(json_object_get(card,
		    "card_type"));

		str_copy(d.type, sizeof d.type, t ? t : "");
		base = json_object_get(json_object_get(card, t ? t : ""),
		    "base_info");
		v = json_object_get(base, "status");
		str_copy(d.state, sizeof d.state,
		    json_string_value(v) ? json_string_value(v) : "");
		v = json_object_get(base, "title");
		str_copy(d.name, sizeof d.name,
		    json_string_value(v) ? json_string_value(v) : "");
		rc = store_card_put(s->st, &d);
	} else {
		v = json_object_get(j, "stock_type");
		str_copy(d.type, sizeof d.type,
		    json_string_value(v) ? json_string_value(v) : "");
		v = json_object_get(j, "stock_state");
		str_copy(d.state, sizeof d.state,
		    json_string_value(v) ? json_string_value(v) : "");
		v = json_object_get(j, "stock_name");
		str_copy(d.name, sizeof d.name,
		    json_string_value(v) ? json_string_value(v) : "");
		rc = store_stock_put(s->st, &d);
	}
	json_decref(j);
	free(ref->json);
	ref->json = NULL;
	return rc;
bad:
	log_warn("definition of %s %s: bad or incomplete reply; retry later",
	    ref->card ? "card" : "stock", ref->id);
	free(ref->json);
	ref->json = NULL;
	ref->out = 0;
	return QUAN_OK;
}

enum settle_net
settle_net_state(const struct settle_status *st, int64_t now)
{
	if (st->online != 1 && st->last_rc == QUAN_ETLS &&
	    st->last_error_at >= now - 120)
		return SETTLE_NET_TLS;
	return st->online > 0 ? SETTLE_NET_ONLINE : st->online == 0 ?
	    SETTLE_NET_OFFLINE : SETTLE_NET_CONNECTING;
}

const char *
settle_net_name(enum settle_net n)
{
	switch (n) {
	case SETTLE_NET_ONLINE:
		return "online";
	case SETTLE_NET_OFFLINE:
		return "offline";
	case SETTLE_NET_TLS:
		return "tls_error";
	case SETTLE_NET_CONNECTING:
		break;
	}
	return "connecting";
}

/* Keep the network state in meta when it changed (inside the caller's
 * transaction), for `quan status`. */
static int
save_net(struct settle *s, int64_t now)
{
	enum settle_net n = settle_net_state(&s->stat, now);
	char err[sizeof s->stat.last_error];
	json_t *j;
	char *txt;
	int rc;

	if (n == SETTLE_NET_CONNECTING || (int)n == s->saved_net)
		return QUAN_OK;
	str_clean(err, sizeof err, s->stat.last_error,
	    strlen(s->stat.last_error));
	j = json_pack("{s:s, s:I, s:s}", "state", settle_net_name(n), "since",
	    (json_int_t)now, "error", n == SETTLE_NET_ONLINE ? "" : err);
	txt = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	rc = txt != NULL ? store_meta_set(s->st, "net_state", txt) : QUAN_OK;
	free(txt);
	if (rc == QUAN_OK)
		s->saved_net = (int)n;
	return rc;
}

int
settle_net_saved(struct store *st, char *state, size_t sn, int64_t *since,
    char *error, size_t en)
{
	char v[512];
	json_t *j;
	int rc;

	if ((rc = store_meta_get(st, "net_state", v, sizeof v)) != QUAN_OK)
		return rc;
	if ((j = json_loads(v, 0, NULL)) == NULL)
		return QUAN_ENOTFOUND;
	str_copy(state, sn, json_string_value(json_object_get(j, "state")) ?
	    json_string_value(json_object_get(j, "state")) : "?");
	*since = (int64_t)json_integer_value(json_object_get(j, "since"));
	str_copy(error, en, json_string_value(json_object_get(j, "error")) ?
	    json_string_value(json_object_get(j, "error")) : "");
	json_decref(j);
	return QUAN_OK;
}

static int
apply_one(struct settle *s, const struct ev *ev, int64_t now)
{
	struct sync_result r;
	struct sync_state st;
	struct store_outbox o;
	int rc;

	s->applied++;
	if (ev->type == EV_SYNC_STATE) {
		syncmsg_get(ev, &st, sizeof st);
		/* known once something was answered (the thread's own
		 * online/offline from then on) or failed with no answer ever
		 * (offline); before that: still "connecting" */
		if (st.last_ok > 0 || s->stat.last_ok > 0)
			s->stat.online = st.online;
		else if (st.failed > 0)
			s->stat.online = 0;
		if (st.last_ok > s->stat.last_ok)
			s->stat.last_ok = st.last_ok;
		if (st.last_err_at > 0 && st.last_err_at >=
		    s->stat.last_error_at) {
			snprintf(s->stat.last_error,
			    sizeof s->stat.last_error, "%s", st.last_error);
			s->stat.last_error_at = st.last_err_at;
			s->stat.last_rc = st.last_rc;
		}
		return save_net(s, now);
	}
	if (ev->type != EV_SYNC_DONE)
		return QUAN_OK;
	syncmsg_get(ev, &r, sizeof r);
	if (r.op == SYNC_OP_NOTICE)
		return QUAN_OK; /* the callback receiver's, not ours */
	if (sync_op_is_pay(r.op)) {
		if (r.status != SYNC_RETRY)
			s->stat.last_ok = now;
		return s->pay_fn != NULL ? s->pay_fn(s->pay_arg, &r, now) :
		    QUAN_OK;
	}
	if (sync_op_is_pc(r.op)) {
		if (r.status != SYNC_RETRY)
			s->stat.last_ok = now;
		return s->pc_fn != NULL ? s->pc_fn(s->pc_arg, &r, now) :
		    QUAN_OK;
	}
	if (sync_op_is_refund(r.op)) {
		if (r.status != SYNC_RETRY)
			s->stat.last_ok = now;
		return s->refund_fn != NULL ? s->refund_fn(s->refund_arg, &r,
		    now) : QUAN_OK;
	}
	if (r.op == SYNC_OP_STOCK_GET || r.op == SYNC_OP_CARD_GET) {
		/* the last chunk (or a failure) ends the job */
		if (r.status != SYNC_OK ||
		    r.chunk_off + r.chunk_len >= r.chunk_total)
			settle_out_del(s, r.tag);
		return apply_def(s, &r, now);
	}
	settle_out_del(s, r.tag);
	rc = store_outbox_get(s->st, r.tag, &o);
	if (rc == QUAN_ENOTFOUND)
		return QUAN_OK;
	if (rc != QUAN_OK)
		return rc;
	if (o.state == OUTBOX_DONE ||
	    o.state == OUTBOX_CANCELLED)
		return QUAN_OK; /* a duplicate answer */
	if (r.status == SYNC_OK || r.status == SYNC_REJECTED)
		s->stat.last_ok = now;
	/* the job's sends never left (no connection, no TLS, no token):
	 * recorded, so a later "already consumed" is not taken for ours */
	if ((r.op == SYNC_OP_USE || r.op == SYNC_OP_CARD_CONSUME) &&
	    r.reached == 0) {
		log_info("outbox %lld: send %d never reached WeChat (%d tries)",
		    (long long)o.id, o.attempts, (int)r.tries);
		if ((rc = store_outbox_unreached(s->st, o.id)) != 0)
			return rc;
	}
	switch (r.op) {
	case SYNC_OP_USE:
	case SYNC_OP_CARD_CONSUME:
		return apply_use(s, &o, &r, now);
	case SYNC_OP_CARD_CHECK:
		return apply_check(s, &o, &r, now);
	case SYNC_OP_QUERY:
		return apply_query(s, &o, &r, now);
	case SYNC_OP_RETURN:
		return apply_return(s, &o, &r, now);
	default:
		return QUAN_OK;
	}
}

void
settle_set_pc(struct settle *s, settle_pay_fn fn, void *arg)
{
	s->pc_fn = fn;
	s->pc_arg = arg;
}

void
settle_set_pay(struct settle *s, settle_pay_fn fn, void *arg)
{
	s->pay_fn = fn;
	s->pay_arg = arg;
}

void
settle_set_refund(struct settle *s, settle_pay_fn fn, void *arg)
{
	s->refund_fn = fn;
	s->refund_arg = arg;
}

int
settle_apply(struct settle *s, const struct ev *ev, int64_t now)
{
	int rc;

	if ((rc = store_begin(s->st)) != QUAN_OK)
		return rc;
	if ((rc = apply_one(s, ev, now)) != QUAN_OK) {
		store_rollback(s->st);
		return rc;
	}
	if ((rc = store_commit(s->st)) != QUAN_OK)
		store_rollback(s->st);
	return rc;
}

int
settle_drain(struct settle *s, struct evq *results, int64_t now, int *n)
{
	struct ev ev;
	int rc, k = 0, open = 0;

	if (n != NULL)
		*n = 0;
	/* every answer waiting is applied in ONE transaction: one fsync for
	 * the batch. A failure rolls the batch back; its rows stay unknown
	 * and are resent with the same body (nothing is lost). */
	while (evq_get(results, &ev)) {
		if (!open) {
			if ((rc = store_begin(s->st)) != QUAN_OK)
				return rc;
			open = 1;
		}
		if ((rc = apply_one(s, &ev, now)) != QUAN_OK) {
			log_error("applying a sync result: %s (%s)",
			    quan_strerror(rc), store_errmsg(s->st));
			store_rollback(s->st);
			return rc;
		}
		if (ev.type == EV_SYNC_DONE)
			k++;
		if (k >= 1000)
			break; /* bound the transaction; the rest next call */
	}
	if (open && (rc = store_commit(s->st)) != QUAN_OK) {
		store_rollback(s->st);
		return rc;
	}
	if (n != NULL)
		*n = k;
	return QUAN_OK;
}

void
settle_status(struct settle *s, struct settle_status *out)
{
	(void)store_outbox_depth(s->st, &s->stat.pending, &s->stat.unknown);
	s->stat.inflight = s->nouts;
	*out = s->stat;
}
