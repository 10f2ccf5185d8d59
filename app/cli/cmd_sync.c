/*
 * cmd_sync.c — `quan sync`: settle the outbox with WeChat until SIGTERM,
 * or one bounded pass (--once). The runtime is app/net/runtime.h; this
 * file parses, locks the data dir and prints.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/cli_common.h"
#include "cli/cmd.h"
#include "core/checkout.h"
#include "core/payment.h"
#include "core/pcoupon_sale.h"
#include "core/refund.h"
#include "core/settle.h"
#include "net/runtime.h"
#include "util/config.h"
#include "util/err.h"
#include "util/log.h"
#include "util/tm.h"
#include "util/xmem.h"

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
	struct net_rt *rt = NULL;
	struct net_rt_opts o;
	struct net_rt_run_opts ro;
	struct settle_status st;
	struct checkout_opts co;
	struct checkout *rec = NULL;
	struct pcsale *pcs = NULL;
	char *cause = NULL, *adir = NULL;
	int i, rc, once = 0, json = 0, rate = -1, workers = 0, lock = -1;
	int timeout_s = 30, pc_open = 0;

	if ((rc = cli_init(&c, "sync", &argc, argv, 0)) != 0 ||
	    (rc = cli_open_store(&c, "sync", DATAFILE_CHECK_DUE)) != 0)
		goto out;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--once") == 0)
			once = 1;
		else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc &&
		    cli_parse_int(argv[i + 1], 1, 86400, &timeout_s) == 0)
			i++;
		else if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--rate") == 0 && i + 1 < argc &&
		    cli_parse_int(argv[i + 1], 0, 100000, &rate) == 0)
			i++;
		else if (strcmp(argv[i], "--workers") == 0 && i + 1 < argc &&
		    cli_parse_int(argv[i + 1], 1, 16, &workers) == 0)
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
	cli_signals();
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
	if (net_rt_start(&rt, c.st, c.cfg, &o, &cause) != 0) {
		fprintf(stderr, "quan sync: %s\n", cause);
		free(cause);
		rc = EXIT_FAIL;
		goto out;
	}
	if (net_rt_config_error(rt, &cause) != 0) {
		/* the other client may still work: keep settling, but say it
		 * where the operator looks (stderr, journal of the unit) */
		fprintf(stderr, "quan sync: configuration error: %s; its "
		    "rows wait until it is fixed\n", cause);
		free(cause);
		cause = NULL;
	}
	/* 商品券 uses and returns left by a till (crash, no answer, a
	 * void): resent with their own numbers; answers come back through
	 * the settle's hook while the run drains */
	pcs = pcsale_new(c.st, c.cfg, net_rt_settle(rt));
	if (pcsale_resume(pcs, tm_now(), NULL) != 0)
		fprintf(stderr, "quan sync: product coupons: %s\n",
		    cli_errmsg(&c));
	if (!once)
		log_info("sync: running until SIGTERM");
	/* --once is one bounded pass (a cron job must not pile up behind a
	 * slow WeChat): what is left after --timeout stays for the next */
	memset(&ro, 0, sizeof ro);
	ro.once = once;
	ro.max_ms = once ? (uint64_t)timeout_s * 1000 : 0;
	ro.recover = rec;
	ro.keep_days = c.cfg->store_keep_days;
	ro.archive_dir = adir = cli_archive_dir(&c);
	ro.reconcile_daily = !once;
	ro.stopping = cli_stopping;
	rc = net_rt_run(rt, &ro);
	if (once && rc == 0)
		(void)pcsale_run(pcs, net_rt_results(rt), 0,
		    timeout_s * 1000 > 10000 ? 10000 : timeout_s * 1000);
	if (rc != 0)
		fprintf(stderr, "quan sync: %s (%s)\n", quan_strerror(rc),
		    cli_errmsg(&c));
	pc_open = pcsale_open(pcs);
	pcsale_free(pcs);   /* before the settle it hooks into goes */
	pcs = NULL;
	net_rt_stop_status(rt, &st);
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
	 * whether anything is left (payments still pending or unknown are
	 * settled by a later run) */
	if (rc != 0)
		rc = EXIT_FAIL;
	else if (once)
		rc = st.pending + st.unknown > 0 ||
		    payment_open_count(c.st) > 0 ||
		    refund_open_count(c.st) > 0 || pc_open ?
		    EXIT_PENDING : EXIT_OK;
out:
	pcsale_free(pcs);
	free(adir);
	checkout_free(rec);
	if (lock >= 0)
		close(lock);
	cli_done(&c);
	return rc;
}
