/*
 * cmd_net.c — the net area's commands: `quan sync` (settle the outbox with
 * WeChat until SIGTERM, or once), `quan report` (the day's redemptions by
 * kind and state, offline exposure, conflicts and rejections), `quan
 * callbacks serve|register`, and the online step of `quan redeem`
 * (cli_online_attach). The runtime they share (queues, sync thread,
 * settle) is in net_rt below; the benchmark is in cmd_net_bench.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/cli_common.h"
#include "cli/cli_hub.h"
#include "cli/cmd.h"
#include "cli/cmd_net.h"
#include "core/archive.h"
#include "core/checkout.h"
#include "core/redeem.h"
#include "core/report.h"
#include "core/evq.h"
#include "core/payment.h"
#include "core/settle.h"
#include "core/syncmsg.h"
#include "crypto/wxsign.h"
#include "net/callbacks.h"
#include "net/http.h"
#include "net/sync.h"
#include "net/sync_wx.h"
#include "net/wxpay.h"
#include "store/store.h"
#include "store/store_pay.h"
#include "util/config.h"
#include "util/err.h"
#include "util/log.h"
#include "util/money.h"
#include "util/str.h"
#include "util/tm.h"
#include "util/xmem.h"

/* ---- signals ---------------------------------------------------------- */

static volatile sig_atomic_t net_stop_flag;

static void
on_signal(int sig)
{
	(void)sig;
	net_stop_flag = 1;
}

void
net_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: poll() returns EINTR */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int
net_stopping(void)
{
	return net_stop_flag != 0;
}

/* ---- runtime ---------------------------------------------------------- */

void
net_rt_defaults(const struct config *cfg, struct net_rt_opts *o)
{
	memset(o, 0, sizeof *o);
	sync_cfg_defaults(&o->sync);
	o->sync.rate_per_s = cfg->wx_rate_per_s;
	o->sync.backoff_max_ms = 5000;
	settle_opts_defaults(&o->settle);
	o->settle.queue_cap = NET_TO_SYNC_CAP;
}

int
net_rt_start(struct net_rt *rt, struct cli *c, const struct net_rt_opts *o,
    const char *name)
{
	char *cause = NULL;
	int rc;

	memset(rt, 0, sizeof *rt);
	rt->c = c;
	if (http_global_init() != 0) {
		fprintf(stderr, "quan %s: libcurl init failed\n", name);
		return EXIT_FAIL;
	}
	if (evq_new(&rt->to_sync, NET_TO_SYNC_CAP) != 0 ||
	    evq_new(&rt->results, NET_RESULTS_CAP) != 0) {
		fprintf(stderr, "quan %s: cannot create queues\n", name);
		goto fail;
	}
	if ((rc = sync_wx_new(c->cfg, &rt->x, &cause)) != 0) {
		fprintf(stderr, "quan %s: %s\n", name,
		    cause ? cause : quan_strerror(rc));
		goto fail;
	}
	settle_new(&rt->se, c->st, c->cfg, &o->settle, rt->to_sync);
	if ((rc = sync_start(&rt->s, &o->sync, rt->to_sync, rt->results,
	    &sync_wx_ops, rt->x, &cause)) != 0) {
		fprintf(stderr, "quan %s: %s\n", name,
		    cause ? cause : quan_strerror(rc));
		goto fail;
	}
	return 0;
fail:
	free(cause);
	net_rt_stop(rt);
	return EXIT_FAIL;
}

void
net_rt_stop(struct net_rt *rt)
{
	sync_stop(rt->s);
	rt->s = NULL;
	/* answers that came in while stopping still count */
	if (rt->se != NULL && rt->results != NULL)
		(void)settle_drain(rt->se, rt->results, tm_now(), NULL);
	settle_free(rt->se);
	rt->se = NULL;
	sync_wx_free(rt->x);
	rt->x = NULL;
	evq_free(rt->to_sync);
	evq_free(rt->results);
	rt->to_sync = rt->results = NULL;
}

/* Wait up to ms for the results queue (or a signal). */
static void
wait_results(struct net_rt *rt, int ms)
{
	struct pollfd p = {.fd = evq_fd(rt->results), .events = POLLIN};

	if (poll(&p, 1, ms) < 0 && errno != EINTR)
		log_error("poll: %s", strerror(errno));
}

/* Publish the sync state for other processes (`quan status`, the UI of
 * another terminal process) in meta: sync.online, sync.last_ok,
 * sync.last_error, sync.last_error_at, sync.updated_at. */
static void
publish_meta(struct net_rt *rt)
{
	struct settle_status st;
	char v[32];

	settle_status(rt->se, &st);
	if (store_begin(rt->c->st) != 0)
		return;
	/* "1" online, "0" offline, "-1" nothing answered or failed yet */
	(void)store_meta_set(rt->c->st, "sync.online", st.online > 0 ? "1" :
	    st.online == 0 ? "0" : "-1");
	snprintf(v, sizeof v, "%lld", (long long)st.last_ok);
	(void)store_meta_set(rt->c->st, "sync.last_ok", v);
	(void)store_meta_set(rt->c->st, "sync.last_error", st.last_error);
	snprintf(v, sizeof v, "%lld", (long long)st.last_error_at);
	(void)store_meta_set(rt->c->st, "sync.last_error_at", v);
	snprintf(v, sizeof v, "%lld", (long long)tm_now());
	(void)store_meta_set(rt->c->st, "sync.updated_at", v);
	if (store_commit(rt->c->st) != 0)
		store_rollback(rt->c->st);
}

/* Recover the redeems a crash left open (checkout_recover; it takes at
 * most 64 txns a call). Their rows become due: the pump that follows
 * sends them. A store error is logged; the drain goes on. */
static void
recover_open(struct net_rt *rt)
{
	int n, total = 0, rounds = 0;

	do {
		if (checkout_recover(rt->recover, rt->recover_age_s, &n) != 0) {
			log_error("sync: recovering interrupted sales: %s",
			    store_errmsg(rt->c->st));
			return;
		}
		total += n;
	} while (n == 64 && ++rounds < 64);
	if (total > 0)
		log_warn("sync: recovered %d interrupted sale(s)", total);
}

/* [store] keep_days: move settled history past it to the archive
 * (app/core/archive.h), at most 20 batches a pass so the settling goes
 * on in between; once through, again in an hour. */
static void
archive_pass(struct net_rt *rt)
{
	struct archive_opts o;
	struct archive_result r;
	char *dir = cli_archive_dir(rt->c), *cause = NULL;

	memset(&o, 0, sizeof o);
	o.now = tm_now();
	o.before = o.now;
	o.keep_days = rt->c->cfg->store_keep_days;
	o.dir = dir;
	o.max_batches = 20;
	if (archive_run(rt->c->st, &o, &r, &cause) != 0) {
		log_error("sync: archive: %s", cause != NULL ? cause : "?");
		rt->archive_at = tm_mono_ms() + 600000;
	} else {
		if (r.txns + r.journal > 0)
			log_info("sync: archived %lld sales, %lld journal "
			    "entries to %s", (long long)r.txns,
			    (long long)r.journal, r.file);
		rt->archive_at = tm_mono_ms() + (r.more ? 0 : 3600000);
	}
	free(cause);
	free(dir);
}

/* `sync --once` against a WeChat that never answered since start and is
 * now known offline (two network failures in a row: connection refused,
 * no route): one pass is over, the rows stay for the next run. A flaky
 * WeChat that answers now and then is not "unreachable": it is retried
 * up to the --timeout. */
static int
unreachable(struct net_rt *rt)
{
	struct settle_status st;

	settle_status(rt->se, &st);
	return st.online == 0 && st.last_ok == 0;
}

int
net_rt_run(struct net_rt *rt, int once, uint64_t max_ms)
{
	uint64_t end = max_ms ? tm_mono_ms() + max_ms : 0, meta_at = 0;
	uint64_t recover_at = 0, check_at = tm_mono_ms() + 60000;
	struct payment *pm = NULL;
	int posted, n, rc, wait;

	/* payments a gone process left open are taken over with the
	 * redeems it left (core/payment.h) */
	if (rt->recover != NULL)
		pm = payment_new(rt->recover, rt->c->st, rt->c->cfg, rt->se);
	for (;;) {
		/* the periodic pass checks the whole file (at most every
		 * CLI_CHECK_EVERY_S, whoever checked last): damage stops
		 * the daemon before it writes again */
		if (tm_mono_ms() >= check_at) {
			if ((rc = store_quick_check_due(rt->c->st, tm_now(),
			    CLI_CHECK_EVERY_S)) != 0)
				break;
			check_at = tm_mono_ms() + 60000;
		}
		if (tm_mono_ms() >= meta_at) {
			publish_meta(rt);
			meta_at = tm_mono_ms() + 2000;
		}
		if (rt->recover != NULL && tm_mono_ms() >= recover_at) {
			recover_open(rt);
			if (payment_adopt(pm, &n) != 0)
				log_error("sync: taking over open payments: %s",
				    store_errmsg(rt->c->st));
			recover_at = tm_mono_ms() + (once ? 1000 : 30000);
		}
		if ((rc = settle_drain(rt->se, rt->results, tm_now(), &n)) != 0)
			break;
		if (pm != NULL)
			(void)payment_step(pm);
		if ((rc = settle_pump(rt->se, tm_now(), &posted)) != 0)
			break;
		if (rt->archive && !once && tm_mono_ms() >= rt->archive_at)
			archive_pass(rt);
		if ((once && posted == 0 && settle_inflight(rt->se) == 0 &&
		    evq_len(rt->results) == 0 && (pm == NULL ||
		    payment_active(pm) == 0)) || net_stopping() ||
		    (end && tm_mono_ms() >= end) || (once && unreachable(rt))) {
			publish_meta(rt);
			rc = 0;
			break;
		}
		wait = pm != NULL ? payment_timeout_ms(pm) : -1;
		wait_results(rt, wait >= 0 && wait < 200 ? wait : 200);
	}
	payment_free(pm);
	return rc;
}

/* ---- quan sync -------------------------------------------------------- */

/* Payments still pending or unknown (settled by a later run). */
static int
open_payments(struct store *st)
{
	int64_t ids[1];
	int n = 0;

	return store_pay_list_open(st, ids, 1, &n) == 0 ? n : 0;
}

static json_t *
status_json(const struct settle_status *st)
{
	return json_pack("{s:b, s:I, s:I, s:i, s:I, s:I, s:I, s:I, s:I, "
	    "s:s, s:I}",
	    "online", st->online > 0,
	    "pending", (json_int_t)st->pending,
	    "unknown", (json_int_t)st->unknown,
	    "inflight", st->inflight,
	    "confirmed", (json_int_t)st->confirmed,
	    "rejected", (json_int_t)st->rejected,
	    "conflicts", (json_int_t)st->conflicts,
	    "returned", (json_int_t)st->returned,
	    "retries", (json_int_t)st->retries,
	    "last_error", st->last_error,
	    "last_error_at", (json_int_t)st->last_error_at);
}

static int
parse_int(const char *s, int lo, int hi, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

/* One `quan sync` per data dir: an exclusive flock on DATA/sync.lock
 * (released when the process ends, also by kill -9), with the holder's
 * pid in it. Returns the fd (kept open), or -1 with a message. */
static int
sync_lock(const struct cli *c)
{
	char *path = xasprintf("%s/sync.lock", c->data_dir), pid[32] = "";
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	ssize_t n;

	if (fd < 0) {
		fprintf(stderr, "quan sync: %s: %s\n", path, strerror(errno));
		free(path);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		n = read(fd, pid, sizeof pid - 1);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		fprintf(stderr, "quan sync: already running for %s%s%s%s: "
		    "it settles the outbox; stop it first or let it work\n",
		    c->data_dir, pid[0] ? " (pid " : "", pid,
		    pid[0] ? ")" : "");
		close(fd);
		free(path);
		return -1;
	}
	if (ftruncate(fd, 0) == 0) {
		n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
		if (write(fd, pid, (size_t)n) != n)
			log_warn("sync: %s: cannot write the pid", path);
	}
	free(path);
	return fd;
}

int
cmd_sync(int argc, char **argv)
{
	struct cli c;
	struct net_rt rt;
	struct net_rt_opts o;
	struct settle_status st;
	struct checkout_opts co;
	struct checkout *rec = NULL;
	char *cause = NULL;
	int i, rc, once = 0, json = 0, rate = -1, workers = 0, lock = -1;
	int timeout_s = 30;

	memset(&rt, 0, sizeof rt);
	if ((rc = cli_init(&c, "sync", &argc, argv, 0)) != 0 ||
	    (rc = cli_open_store(&c, "sync", CLI_STORE_CHECK_DUE)) != 0)
		goto out;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--once") == 0)
			once = 1;
		else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc &&
		    parse_int(argv[i + 1], 1, 86400, &timeout_s) == 0)
			i++;
		else if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--rate") == 0 && i + 1 < argc &&
		    parse_int(argv[i + 1], 0, 100000, &rate) == 0)
			i++;
		else if (strcmp(argv[i], "--workers") == 0 && i + 1 < argc &&
		    parse_int(argv[i + 1], 1, 16, &workers) == 0)
			i++;
		else {
			fprintf(stderr, "usage: quan sync [--once [--timeout S]] "
			    "[--json] [--rate N] [--workers N]\n");
			rc = EXIT_USAGE;
			goto out;
		}
	}
	if ((lock = sync_lock(&c)) < 0) {
		rc = EXIT_FAIL;
		goto out;
	}
	net_signals();
	net_rt_defaults(c.cfg, &o);
	if (rate >= 0)
		o.sync.rate_per_s = rate;
	if (workers > 0)
		o.sync.workers = workers;
	if (once) {
		o.settle.once = 3;
		o.settle.refresh_s = 0;
	}
	/* a redeem cut off by a crash (txn left open) is recovered here as
	 * in quan redeem / quan run, so a store running only this daemon
	 * settles every coupon (no online step: recovery decides alone) */
	memset(&co, 0, sizeof co);
	co.cfg = c.cfg;
	co.st = c.st;
	if (checkout_new(&co, &rec, &cause) != 0) {
		fprintf(stderr, "quan sync: %s\n", cause ? cause : "checkout");
		free(cause);
		rc = EXIT_FAIL;
		goto out;
	}
	if ((rc = net_rt_start(&rt, &c, &o, "sync")) != 0)
		goto out;
	rt.recover = rec;
	rt.recover_age_s = cli_recover_age_s(c.cfg);
	rt.archive = c.cfg->store_keep_days > 0;
	if (sync_wx_config_error(rt.x, &cause) != 0) {
		/* the other client may still work: keep settling, but say it
		 * where the operator looks (stderr, journal of the unit) */
		fprintf(stderr, "quan sync: configuration error: %s; its "
		    "rows wait until it is fixed\n", cause);
		free(cause);
		cause = NULL;
	}
	if (!once)
		log_info("sync: running until SIGTERM");
	/* --once is one bounded pass (a cron job must not pile up behind a
	 * slow WeChat): what is left after --timeout stays for the next */
	rc = net_rt_run(&rt, once, once ? (uint64_t)timeout_s * 1000 : 0);
	if (rc != 0)
		fprintf(stderr, "quan sync: %s (%s)\n", quan_strerror(rc),
		    store_errmsg(c.st));
	settle_status(rt.se, &st);
	net_rt_stop(&rt);
	(void)store_outbox_depth(c.st, &st.pending, &st.unknown);
	if (json) {
		json_t *j = status_json(&st);
		char *txt = json_dumps(j, JSON_COMPACT);

		printf("%s\n", txt);
		free(txt);
		json_decref(j);
	} else {
		printf("sync: confirmed %" PRIu64 ", rejected %" PRIu64
		    ", conflicts %" PRIu64 ", returned %" PRIu64
		    "; left: %" PRId64 " pending, %" PRId64 " unknown%s%s\n",
		    st.confirmed, st.rejected, st.conflicts, st.returned,
		    st.pending, st.unknown, st.last_error[0] ?
		    "; last error: " : "", st.last_error);
	}
	/* the daemon stopped by SIGTERM exits 0 (systemd); --once says
	 * whether anything is left */
	if (rc != 0)
		rc = EXIT_FAIL;
	else if (once)
		rc = st.pending + st.unknown > 0 || open_payments(c.st) > 0 ?
		    EXIT_PENDING : EXIT_OK;
out:
	checkout_free(rec);
	if (lock >= 0)
		close(lock);
	cli_done(&c);
	return rc;
}

/* ---- quan report ------------------------------------------------------ */

static int64_t
rep_int(const json_t *o, const char *k)
{
	return (int64_t)json_integer_value(json_object_get(o, k));
}

static const char *
rep_str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s != NULL ? s : "";
}

/* `quan report` for a person (--json gives the same as one object). */
static void
report_text(const json_t *j)
{
	const json_t *red = json_object_get(j, "redeemed");
	const json_t *off = json_object_get(j, "offline");
	const json_t *ob = json_object_get(j, "outbox");
	const json_t *kinds = json_object_get(j, "by_kind"), *k, *e, *a;
	const char *kn, *sn, *list[2] = { "conflicts", "rejections" };
	char m[32];
	size_t i, l;

	printf("report %s .. %s\n", rep_str(j, "from"), rep_str(j, "to"));
	printf("redeemed: %" PRId64 " coupons, %s\n", rep_int(red, "count"),
	    money_format(rep_int(red, "fen"), m, sizeof m));
	json_object_foreach((json_t *)kinds, kn, k) {
		printf("  %s:", kn);
		json_object_foreach((json_t *)k, sn, e)
			printf(" %s %" PRId64 " (%s)", sn, rep_int(e, "count"),
			    money_format(rep_int(e, "fen"), m, sizeof m));
		printf("\n");
	}
	printf("offline: %" PRId64 " accepted today, unsettled exposure %s\n",
	    rep_int(off, "accepted_today"),
	    money_format(rep_int(off, "unsettled_exposure_fen"), m, sizeof m));
	printf("outbox: %" PRId64 " pending, %" PRId64 " unknown\n",
	    rep_int(ob, "pending"), rep_int(ob, "unknown"));
	if ((e = json_object_get(j, "payments")) != NULL) {
		const json_t *w = json_object_get(e, "wechat");
		const json_t *ca = json_object_get(e, "cash");
		const json_t *ot = json_object_get(e, "other");
		char b[4][32];

		printf("payments: wechat %" PRId64 " %s (customers %s, "
		    "vouchers %s)\n", rep_int(w, "count"),
		    money_format(rep_int(w, "fen"), b[0], sizeof b[0]),
		    money_format(rep_int(w, "payer_fen"), b[1], sizeof b[1]),
		    money_format(rep_int(w, "voucher_fen"), b[2],
		    sizeof b[2]));
		printf("  cash %" PRId64 " %s, other %" PRId64 " %s; failed "
		    "%" PRId64 ", open %" PRId64 "\n", rep_int(ca, "count"),
		    money_format(rep_int(ca, "fen"), b[0], sizeof b[0]),
		    rep_int(ot, "count"), money_format(rep_int(ot, "fen"),
		    b[3], sizeof b[3]), rep_int(e, "failed"),
		    rep_int(e, "open"));
	}
	for (l = 0; l < 2; l++) {
		a = json_object_get(j, list[l]);
		printf("%s: %zu\n", list[l], json_array_size(a));
		for (i = 0; i < json_array_size(a); i++) {
			e = json_array_get(a, i);
			printf("  txn %" PRId64 " %s %s %s %s%s%s\n",
			    rep_int(e, "txn"), rep_str(e, "code"), rep_str(e, "kind"),
			    rep_str(e, "state"), rep_str(e, "reason"),
			    rep_str(e, "wx_code")[0] ? " wx " : "",
			    rep_str(e, "wx_code"));
		}
	}
	a = json_object_get(j, "hub_conflicts");
	if (json_array_size(a) > 0)
		printf("hub conflicts: %zu\n", json_array_size(a));
	for (i = 0; i < json_array_size(a); i++) {
		e = json_array_get(a, i);
		printf("  %s granted at lane %s (%s) and at lane %s (%s)\n",
		    rep_str(e, "code"), rep_str(e, "holder_lane"),
		    rep_str(e, "holder_request_no"), rep_str(e, "lane"),
		    rep_str(e, "request_no"));
	}
}

struct rep {
	json_t *kinds;       /* kind -> state -> {count, fen} */
	json_t *conflicts, *rejections;
	struct report_figs f; /* core/report.h: redeemed as the X/Z */
};

static int
rep_row(void *arg, const struct store_red *r)
{
	struct rep *p = arg;
	const char *kind = store_kind_name(r->kind), *st = r->state;
	json_t *k, *s;
	char m[64];

	k = json_object_get(p->kinds, kind);
	if (k == NULL) {
		k = json_object();
		json_object_set_new(p->kinds, kind, k);
	}
	/* a card coupon used at WeChat whose sale was voided: no return
	 * exists; shown apart, never as redeemed value */
	if (report_fig_of(r->state, r->reason) == REPORT_KEPT)
		st = "voided_not_returnable";
	s = json_object_get(k, st);
	if (s == NULL) {
		s = json_pack("{s:I, s:I}", "count", (json_int_t)0, "fen",
		    (json_int_t)0);
		json_object_set_new(k, st, s);
	}
	json_object_set_new(s, "count", json_integer(
	    json_integer_value(json_object_get(s, "count")) + 1));
	json_object_set_new(s, "fen", json_integer(
	    json_integer_value(json_object_get(s, "fen")) + r->discount_fen));
	report_add(&p->f, r->state, r->reason, 1, r->discount_fen);
	/* rejections include coupons the till refused after WeChat applied
	 * them and gave back (a stock only the answer named that failed the
	 * basket's rules, a late confirmation): returned, not voided */
	if (strcmp(r->state, "conflict") == 0 ||
	    strcmp(r->state, "rejected") == 0 ||
	    ((strcmp(r->state, "returned") == 0 ||
	    strcmp(r->state, "return_pending") == 0) &&
	    strncmp(r->reason, "voided", 6) != 0 &&
	    strcmp(r->reason, "card_consume_irreversible") != 0)) {
		json_t *e = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, "
		    "s:I}", "txn", (json_int_t)r->txn_id,
		    "code", log_mask(r->code, m, sizeof m),
		    "kind", kind, "target", r->target, "state", r->state,
		    "wx_code", r->wx_code, "reason", r->reason,
		    "discount_fen", (json_int_t)r->discount_fen);

		json_array_append_new(strcmp(r->state, "conflict") == 0 ?
		    p->conflicts : p->rejections, e);
	}
	return 0;
}

int
cmd_report(int argc, char **argv)
{
	struct cli c;
	struct rep p;
	const char *date = NULL;
	char from_s[40], to_s[40];
	int64_t from, to, off_n, off_fen, pend, unk;
	json_t *j;
	char *txt;
	int i, rc, json = 0;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--chain") == 0)
			return cli_hub_chain_report(argc, argv);
	memset(&p, 0, sizeof p);
	if ((rc = cli_init(&c, "report", &argc, argv, 0)) != 0)
		goto out;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--date") == 0 && i + 1 < argc)
			date = argv[++i];
		else {
			fprintf(stderr, "usage: quan report [--json] "
			    "[--date YYYY-MM-DD] [--chain --dsn HQ]\n");
			rc = EXIT_USAGE;
			goto out;
		}
	}
	if (cli_day_start(date, &from) != 0) {
		fprintf(stderr, "quan report: bad --date %s (YYYY-MM-DD)\n",
		    date);
		rc = EXIT_USAGE;
		goto out;
	}
	/* a report only reads: it works on a read-only database (a copy
	 * on a medium, a till whose disk went read-only) as status does.
	 * The whole-file check runs when none ran in the last 10 min (as
	 * for redeem and sync): a quick_check of every page on each report
	 * made one day's report of a 1.6 GB store take 7.6 s */
	if ((rc = cli_open_store(&c, "report", CLI_STORE_RO_OK |
	    CLI_STORE_CHECK_DUE)) != 0)
		goto out;
	to = from + 86400;
	p.kinds = json_object();
	p.conflicts = json_array();
	p.rejections = json_array();
	if ((rc = store_red_list(c.st, from, to, NULL, rep_row, &p)) < 0 ||
	    (rc = store_offline_stats(c.st, from, &off_n, &off_fen)) != 0 ||
	    (rc = store_outbox_depth(c.st, &pend, &unk)) != 0) {
		fprintf(stderr, "quan report: %s\n", store_errmsg(c.st));
		rc = EXIT_FAIL;
		goto out;
	}
	tm_rfc3339(from, from_s, sizeof from_s);
	tm_rfc3339(to, to_s, sizeof to_s);
	j = json_pack("{s:s, s:s, s:{s:I, s:I}, s:O, s:{s:I, s:I}, "
	    "s:{s:I, s:I}, s:O, s:O, s:o}",
	    "from", from_s, "to", to_s,
	    "redeemed", "count", (json_int_t)p.f.n[REPORT_REDEEMED], "fen",
	    (json_int_t)p.f.fen[REPORT_REDEEMED],
	    "by_kind", p.kinds,
	    "offline", "accepted_today", (json_int_t)off_n,
	    "unsettled_exposure_fen", (json_int_t)off_fen,
	    "outbox", "pending", (json_int_t)pend, "unknown", (json_int_t)unk,
	    "conflicts", p.conflicts, "rejections", p.rejections,
	    "hub_conflicts", cli_hub_conflicts(c.st, from, to));
	{
		struct store_pay_sums ps;

		if (report_payments(c.st, from, to, &ps) == 0)
			json_object_set_new(j, "payments",
			    cli_pay_sums_json(&ps));
	}
	if (json) {
		txt = json_dumps(j, JSON_COMPACT);
		printf("%s\n", txt);
		free(txt);
	} else
		report_text(j);
	json_decref(j);
	rc = EXIT_OK;
out:
	json_decref(p.kinds);
	json_decref(p.conflicts);
	json_decref(p.rejections);
	cli_done(&c);
	return rc;
}

/* ---- quan callbacks --------------------------------------------------- */

/* "ADDR:PORT", ":PORT", "PORT" or "[V6]:PORT". */
static int
parse_listen(const char *s, char *addr, size_t n, unsigned *port)
{
	const char *colon;
	int p;

	if (s[0] == '[') {
		const char *e = strchr(s, ']');

		if (e == NULL || e[1] != ':' || (size_t)(e - s - 1) >= n)
			return -1;
		memcpy(addr, s + 1, (size_t)(e - s - 1));
		addr[e - s - 1] = '\0';
		colon = e + 1;
	} else if ((colon = strrchr(s, ':')) != NULL) {
		if ((size_t)(colon - s) >= n)
			return -1;
		memcpy(addr, s, (size_t)(colon - s));
		addr[colon - s] = '\0';
	} else {
		addr[0] = '\0';
		colon = s - 1;
	}
	if (parse_int(colon + 1, 0, 65535, &p) != 0)
		return -1;
	if (addr[0] == '\0')
		snprintf(addr, n, "127.0.0.1");
	*port = (unsigned)p;
	return 0;
}

/* A PEM file: the key must be 0600 (wx_secret_read checks), the
 * certificate is public. At most 64 KiB. */
static char *
read_text(const char *path, int secret, char **cause)
{
	char *txt = NULL;
	size_t n;
	FILE *fp;

	if (secret) {
		if (wx_secret_read(path, 64 * 1024, &txt, cause) != 0)
			return NULL;
		return txt;
	}
	if ((fp = fopen(path, "r")) == NULL) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return NULL;
	}
	txt = xmalloc(64 * 1024 + 1);
	n = fread(txt, 1, 64 * 1024 + 1, fp);
	fclose(fp);
	if (n > 64 * 1024) {
		free(txt);
		*cause = xasprintf("%s: larger than 64 KiB", path);
		return NULL;
	}
	txt[n] = '\0';
	return txt;
}

/* Store one COUPON.SEND: dedupe by id, add the code to the cache. */
static void
store_notice(struct cli *c, const struct sync_notice *n)
{
	struct store_code sc;
	char m[64];
	int rc;

	if ((rc = store_begin(c->st)) != 0)
		goto fail;
	rc = store_notify_seen(c->st, n->id, tm_now());
	if (rc == QUAN_EEXIST) {
		store_rollback(c->st);
		log_info("notification %s seen before: ignored", n->id);
		return;
	}
	if (rc != 0)
		goto fail_tx;
	memset(&sc, 0, sizeof sc);
	snprintf(sc.code, sizeof sc.code, "%s", n->code);
	sc.kind = STORE_MERCHANT;
	snprintf(sc.target, sizeof sc.target, "%s", n->stock_id);
	snprintf(sc.state, sizeof sc.state, "issued");
	snprintf(sc.openid, sizeof sc.openid, "%s", n->openid);
	sc.received_at = n->send_time;
	if ((rc = store_code_put(c->st, &sc)) != 0)
		goto fail_tx;
	if ((rc = store_commit(c->st)) != 0)
		goto fail_tx;
	printf("received %s %s stock %s\n", n->id,
	    log_mask(n->code, m, sizeof m), n->stock_id);
	fflush(stdout);
	return;
fail_tx:
	store_rollback(c->st);
fail:
	log_error("notification %s not stored: %s", n->id,
	    store_errmsg(c->st));
}

static int
callbacks_serve(struct cli *c, int argc, char **argv)
{
	struct callbacks_opts co;
	struct callbacks *cb = NULL;
	struct sync_wx *x = NULL;
	struct wxpay_ctx *wx;
	struct evq *q = NULL;
	struct sync_notice n;
	struct ev ev;
	const char *listen = "127.0.0.1:0", *cert = NULL, *key = NULL;
	char addr[64], *cause = NULL, *cert_pem = NULL, *key_pem = NULL;
	unsigned port, bound = 0;
	int i, rc = EXIT_FAIL;

	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--listen") == 0 && i + 1 < argc)
			listen = argv[++i];
		else if (strcmp(argv[i], "--cert") == 0 && i + 1 < argc)
			cert = argv[++i];
		else if (strcmp(argv[i], "--key") == 0 && i + 1 < argc)
			key = argv[++i];
		else
			goto usage;
	}
	if (parse_listen(listen, addr, sizeof addr, &port) != 0 ||
	    (cert == NULL) != (key == NULL))
		goto usage;
	if (cert != NULL && ((cert_pem = read_text(cert, 0, &cause)) == NULL ||
	    (key_pem = read_text(key, 1, &cause)) == NULL)) {
		fprintf(stderr, "quan callbacks: %s\n", cause);
		goto out;
	}
	net_signals();
	(void)http_global_init();
	if (sync_wx_new(c->cfg, &x, &cause) != 0 ||
	    (wx = sync_wx_wxpay(x)) == NULL ||
	    wxpay_ctx_apiv3_key(wx) == NULL) {
		fprintf(stderr, "quan callbacks: the [wechatpay] section with "
		    "apiv3_key is needed to verify and decrypt callbacks\n");
		goto out;
	}
	if (wx_trust_count(wxpay_ctx_trust(wx)) == 0) {
		struct wxpay *w = NULL;

		/* platform-certificate mode with nothing preloaded */
		if (wxpay_new(wx, NULL, &w, &cause) != 0 ||
		    wxpay_refresh_certs(w, &cause) != 0) {
			fprintf(stderr, "quan callbacks: no platform "
			    "certificate: %s\n", cause ? cause : "?");
			wxpay_free(w);
			goto out;
		}
		wxpay_free(w);
	}
	evq_new(&q, 1024);
	memset(&co, 0, sizeof co);
	co.addr = addr;
	co.port = port;
	co.cert_pem = cert_pem;
	co.key_pem = key_pem;
	co.trust = wxpay_ctx_trust(wx);
	co.apiv3_key = wxpay_ctx_apiv3_key(wx);
	co.out = q;
	if (callbacks_start(&co, &cb, &bound, &cause) != 0) {
		fprintf(stderr, "quan callbacks: %s\n", cause);
		goto out;
	}
	printf("listening %s://%s:%u\n", cert ? "https" : "http", addr,
	    bound);
	fflush(stdout);
	while (!net_stopping()) {
		struct pollfd p = {.fd = evq_fd(q), .events = POLLIN};

		(void)poll(&p, 1, 500);
		while (evq_get(q, &ev)) {
			syncmsg_get(&ev, &n, sizeof n);
			if (n.op == SYNC_OP_NOTICE)
				store_notice(c, &n);
		}
	}
	rc = EXIT_OK;
out:
	callbacks_stop(cb);
	if (q != NULL) {
		while (evq_get(q, &ev)) {
			syncmsg_get(&ev, &n, sizeof n);
			if (n.op == SYNC_OP_NOTICE)
				store_notice(c, &n);
		}
		evq_free(q);
	}
	sync_wx_free(x);
	free(cert_pem);
	if (key_pem != NULL) {
		memset(key_pem, 0, strlen(key_pem));
		free(key_pem);
	}
	free(cause);
	return rc;
usage:
	fprintf(stderr, "usage: quan callbacks serve [--listen ADDR:PORT] "
	    "[--cert PEM --key PEM]\n");
	return EXIT_USAGE;
}

static int
callbacks_register(struct cli *c, const char *url)
{
	struct sync_wx *x = NULL;
	struct wxpay *w = NULL;
	struct wxpay_ctx *wx;
	struct wxpay_result r;
	const char *reason = NULL;
	char *cause = NULL;
	int rc = EXIT_FAIL;

	wxpay_result_init(&r);
	if (strncmp(url, "https://", 8) != 0 || strchr(url, '?') != NULL ||
	    strlen(url) > 256) {
		fprintf(stderr, "quan callbacks register: the URL must be "
		    "https://, at most 256 characters, without a query\n");
		return EXIT_USAGE;
	}
	(void)http_global_init();
	if (sync_wx_new(c->cfg, &x, &cause) != 0 ||
	    (wx = sync_wx_wxpay(x)) == NULL) {
		fprintf(stderr, "quan callbacks register: [wechatpay] is not "
		    "configured\n");
		goto out;
	}
	if (wxpay_new(wx, NULL, &w, &cause) != 0) {
		fprintf(stderr, "quan callbacks register: %s\n", cause);
		goto out;
	}
	(void)wxpay_set_callback(w, url, &r);
	if (wxpay_classify(&r, &reason) != WXPAY_OK) {
		char wc[sizeof r.code * 4], wm[sizeof r.message];

		/* WeChat's words, cleaned for the terminal */
		fprintf(stderr, "quan callbacks register: %s %s (%s)\n",
		    r.code[0] ? str_clean(wc, sizeof wc, r.code,
		    strlen(r.code)) : quan_strerror(r.rc), str_clean(wm,
		    sizeof wm, r.message, strlen(r.message)),
		    reason ? reason : "?");
		goto out;
	}
	{
		char nu[sizeof r.notify_url];

		printf("notify_url %s set for %s\n", str_clean(nu, sizeof nu,
		    r.notify_url[0] ? r.notify_url : url, strlen(
		    r.notify_url[0] ? r.notify_url : url)), c->cfg->wx_mchid);
	}
	rc = EXIT_OK;
out:
	wxpay_result_free(&r);
	wxpay_free(w);
	sync_wx_free(x);
	free(cause);
	return rc;
}

int
cmd_callbacks(int argc, char **argv)
{
	struct cli c;
	int rc;

	if ((rc = cli_init(&c, "callbacks", &argc, argv, 0)) != 0)
		goto out;
	if (argc >= 2 && strcmp(argv[1], "serve") == 0) {
		if ((rc = cli_open_store(&c, "callbacks", 0)) == 0)
			rc = callbacks_serve(&c, argc, argv);
	} else if (argc == 3 && strcmp(argv[1], "register") == 0) {
		rc = callbacks_register(&c, argv[2]);
	} else {
		fprintf(stderr, "usage: quan callbacks serve [--listen "
		    "ADDR:PORT] [--cert PEM --key PEM]\n"
		    "       quan callbacks register https://URL\n");
		rc = EXIT_USAGE;
	}
out:
	cli_done(&c);
	return rc;
}

/* ---- the online step of quan redeem ----------------------------------- */

/* The runtime of one `quan redeem` and the redeem engine on it. */
struct cli_online {
	struct net_rt rt;
	struct redeem *rd;
	struct hubthr *hub;   /* [hub] dsn: claims first (cli_hub.h) */
};

int
cli_online_check(const struct config *cfg, char **cause)
{
	struct sync_wx *x = NULL;
	int rc;

	*cause = NULL;
	if (cfg->wx_mchid[0] == '\0' && cfg->card_appid[0] == '\0' &&
	    cfg->card_token_url[0] == '\0')
		return 1;
	if ((rc = sync_wx_new(cfg, &x, cause)) != 0)
		return rc == QUAN_ECONFIG ? rc : QUAN_ECONFIG;
	rc = sync_wx_config_error(x, cause);
	sync_wx_free(x);
	return rc;
}

int
cli_online_attach(struct cli *c, struct checkout *co, void **state)
{
	struct cli_online *on;
	struct net_rt *rt;
	struct net_rt_opts o;
	char *cause = NULL;

	*state = NULL;
	if (c->cfg->wx_mchid[0] == '\0' && c->cfg->card_appid[0] == '\0' &&
	    c->cfg->card_token_url[0] == '\0')
		return 0; /* no network configured: offline policy only */
	on = xcalloc(1, sizeof *on);
	rt = &on->rt;
	net_rt_defaults(c->cfg, &o);
	o.settle.refresh_s = 0;
	if (net_rt_start(rt, c, &o, "redeem") != 0) {
		free(on);
		return QUAN_EIO;
	}
	if (sync_wx_config_error(rt->x, &cause) != 0) {
		fprintf(stderr, "quan redeem: configuration error: %s\n",
		    cause);
		free(cause);
		net_rt_stop(rt);
		free(on);
		return QUAN_ECONFIG;
	}
	on->rd = redeem_new(co, rt->se, rt->results,
	    c->cfg->wx_online_wait_ms);
	on->hub = cli_hub_attach(c->cfg, on->rd, rt->results);
	*state = on;
	return 0;
}

int
cli_online_redeem(void *state, struct checkout *co)
{
	struct cli_online *on = state;

	return on != NULL ? redeem_run(on->rd) : checkout_redeem(co);
}

int
cli_online_parts(void *state, struct settle **se, struct evq **results)
{
	struct cli_online *on = state;

	if (on == NULL)
		return -1;
	*se = on->rt.se;
	*results = on->rt.results;
	return 0;
}

void
cli_online_flush(void *state, int ms)
{
	struct cli_online *on = state;
	uint64_t end = tm_mono_ms() + (uint64_t)ms;

	while (on != NULL && settle_inflight(on->rt.se) > 0 &&
	    tm_mono_ms() < end) {
		wait_results(&on->rt, 100);
		if (settle_drain(on->rt.se, on->rt.results, tm_now(),
		    NULL) != 0)
			break;
	}
}

void
cli_online_detach(void *state)
{
	struct cli_online *on = state;
	struct net_rt *rt;
	struct settle_status ss;
	uint64_t end;

	if (on == NULL)
		return;
	redeem_free(on->rd);
	cli_hub_detach(on->hub);
	rt = &on->rt;
	settle_status(rt->se, &ss);
	if (ss.last_rc == QUAN_ECLOCK)
		/* not "offline": WeChat's replies are refused for their
		 * timestamp because this till's clock is wrong */
		fprintf(stderr, "quan redeem: this till's clock is wrong, so "
		    "WeChat's replies are refused (%s): fix the clock (NTP); "
		    "until then coupons are decided offline\n",
		    ss.last_error);
	else if (settle_net_state(&ss, tm_now()) == SETTLE_NET_TLS)
		/* not "offline" either: nothing will change by waiting */
		fprintf(stderr, "quan redeem: WeChat's TLS certificate is "
		    "refused (%s): check ca_file, the CA store and the clock; "
		    "until then coupons are decided offline\n",
		    ss.last_error);
	/* requests still out may land for up to 1 s more (their answers are
	 * then applied here); after that they are stopped — committed as
	 * sent, the next `quan sync` resends the identical request — so a
	 * script waiting for our exit is not held up to the transfer
	 * timeout after the verdict was printed */
	end = tm_mono_ms() + (rt->c->cfg->wx_timeout_ms < 1000 ?
	    (uint64_t)rt->c->cfg->wx_timeout_ms : 1000);
	while (settle_inflight(rt->se) > 0 && tm_mono_ms() < end) {
		struct settle_status st;

		settle_status(rt->se, &st);
		if (!st.online)
			break; /* WeChat unreachable: `quan sync` resends */
		wait_results(rt, 100);
		if (settle_drain(rt->se, rt->results, tm_now(), NULL) != 0)
			break;
	}
	net_rt_stop(rt);
	free(on);
}
