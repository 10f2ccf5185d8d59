/*
 * cmd_run.c — `quan run` (the cashier terminal; also the default command)
 * and `quan run --kiosk`: parse the options, set up the layers the
 * terminal runs on (checkout, the sync runtime of app/net, scanners of
 * drivers/, the session, the hub's claims thread), hand them to the ui
 * layer (ui_run: the loop and the screen; headless_run: a script), tear
 * down. `quan demo` (cmd_demo.c) starts a simulator and uses the same.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli_common.h"
#include "cli/cli_hub.h"
#include "cli/cli_print.h"
#include "cli/cmd.h"
#include "cli/cmd_run.h"
#include "core/checkout.h"
#include "core/evq.h"
#include "core/session.h"
#include "drivers/printer.h"
#include "drivers/scan.h"
#include "net/runtime.h"
#include "ui/headless.h"
#include "ui/text.h"
#include "ui/ui.h"
#include "util/config.h"
#include "util/err.h"
#include "util/log.h"
#include "util/xmem.h"

static volatile sig_atomic_t got_term;

static void
on_term(int sig)
{
	(void)sig;
	got_term = 1;
}

static void
usage_run(FILE *fp, int demo)
{
	if (demo)
		fprintf(fp, "usage: quan demo [--source SPEC]... "
		    "[--lang zh_CN|en] [--no-color] [--quiet]\n"
		    "                 [--headless SCRIPT] [--latency-file "
		    "FILE] [--idle-reset S]\n"
		    "  (global: --data DIR, -v; the demo makes its own "
		    "config and simulator)\n");
	if (demo)
		return;
	fprintf(fp, "usage: quan run [--kiosk] [--source SPEC]... "
	    "[--lang zh_CN|en] [--no-color] [--quiet]\n"
	    "                [--headless SCRIPT] [--no-sync] "
	    "[--latency-file FILE] [--idle-reset S]\n"
	    "  (global: --config FILE, --data DIR, -v)\n");
}

int
parse_run_opts(int argc, char **argv, struct run_opts *o, int demo)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--kiosk") == 0 && !demo)
			o->kiosk = 1;
		else if (strcmp(a, "--no-color") == 0)
			o->no_color = 1;
		else if (strcmp(a, "--quiet") == 0)
			o->quiet = 1;
		else if (strcmp(a, "--no-sync") == 0)
			o->no_sync = 1;
		else if ((strcmp(a, "--lang") == 0 ||
		    strcmp(a, "--headless") == 0 ||
		    strcmp(a, "--latency-file") == 0 ||
		    strcmp(a, "--source") == 0 ||
		    strcmp(a, "--idle-reset") == 0) && v != NULL) {
			i++;
			if (a[2] == 'l' && a[3] == 'a' && a[4] == 'n')
				o->lang = v;
			else if (a[2] == 'h')
				o->headless = v;
			else if (a[2] == 'l')
				o->latency_file = v;
			else if (a[2] == 'i')
				o->idle_reset_s = (int)strtol(v, NULL, 10);
			else if (o->nsources < SOURCES_MAX)
				o->sources[o->nsources++] = v;
			else {
				fprintf(stderr, "quan: at most %d sources\n",
				    SOURCES_MAX);
				return EXIT_USAGE;
			}
		} else {
			fprintf(stderr, "quan %s: unknown option '%s'\n",
			    argv[0], a);
			usage_run(stderr, demo);
			return EXIT_USAGE;
		}
	}
	if (o->lang != NULL && strncmp(o->lang, "zh", 2) != 0 &&
	    strncmp(o->lang, "en", 2) != 0) {
		fprintf(stderr, "quan: --lang is zh_CN or en\n");
		return EXIT_USAGE;
	}
	return 0;
}

/* Everything one terminal needs, set up and torn down in order. */
struct term {
	struct cli *c;
	struct run_opts *o;
	struct evq *to_core;
	struct checkout *co;
	struct net_rt *rt;         /* NULL: no sync (--no-sync, none set) */
	struct scan_mgr *scan;
	struct session *s;
	char *net_error;   /* a configured WeChat client cannot start */
	struct hubthr *hub; /* [hub] dsn: the claims thread (cli_hub.h) */
	struct receipt_port *printer; /* [printer] device, or NULL */
};

static int
start_sync(struct term *t)
{
	struct net_rt_opts o;
	char *cause = NULL;

	if (t->o->no_sync || !net_rt_configured(t->c->cfg))
		return 0;
	net_rt_defaults(t->c->cfg, &o);
	o.settle.probe = 1; /* online/offline known before the first sale */
	if (net_rt_start(&t->rt, t->c->st, t->c->cfg, &o, &cause) != 0) {
		fprintf(stderr, "quan: sync: %s\n", cause);
		log_error("sync: %s", cause);
		free(cause);
		return EXIT_FAIL;
	}
	/* a refused key file is shown as a configuration error, not as
	 * "offline" (the other client, if any, still runs) */
	if (net_rt_config_error(t->rt, &t->net_error) != 0)
		log_error("sync: configuration error: %s", t->net_error);
	return 0;
}

static int
start_scanners(struct term *t)
{
	struct scan_opts so;
	const char *const *src = t->o->sources;
	char *cause = NULL;
	int i, n = t->o->nsources;

	if (n == 0) {
		/* [scanner] source = SPEC lines of the config */
		src = (const char *const *)t->c->cfg->scan_sources;
		n = t->c->cfg->nscan_sources;
	}
	if (n == 0)
		return 0;
	memset(&so, 0, sizeof so);
	so.dedupe_ms = t->c->cfg->scan_dedupe_ms;
	so.max_len = t->c->cfg->scan_max_len > 0 ?
	    (size_t)t->c->cfg->scan_max_len : 0;
	t->scan = scan_mgr_new(t->to_core, &so);
	for (i = 0; i < n; i++) {
		if (scan_mgr_add(t->scan, src[i], &cause) != 0) {
			fprintf(stderr, "quan: scanner %s: %s\n", src[i],
			    cause);
			free(cause);
			return EXIT_USAGE;
		}
	}
	if (scan_mgr_start(t->scan, &cause) != 0) {
		fprintf(stderr, "quan: scanners: %s\n", cause);
		free(cause);
		return EXIT_FAIL;
	}
	return 0;
}

static void
term_down(struct term *t)
{
	session_free(t->s);
	t->s = NULL;
	printer_port_free(t->printer);
	t->printer = NULL;
	cli_hub_detach(t->hub);
	t->hub = NULL;
	if (t->scan != NULL)
		scan_mgr_free(t->scan);
	t->scan = NULL;
	/* the session, the results queue's reader, is gone: the runtime
	 * applies what is still coming in */
	net_rt_stop(t->rt);
	t->rt = NULL;
	checkout_free(t->co);
	t->co = NULL;
	evq_free(t->to_core);
	t->to_core = NULL;
	free(t->net_error);
	t->net_error = NULL;
}

static int
term_up(struct term *t)
{
	struct checkout_opts co;
	struct session_opts so;
	char *cause = NULL;
	int rc, n = 0;

	if (evq_new(&t->to_core, 1024) != 0) {
		fprintf(stderr, "quan: cannot create the event queue\n");
		return EXIT_FAIL;
	}
	memset(&co, 0, sizeof co);
	co.cfg = t->c->cfg;
	co.st = t->c->st;
	co.journal_scans = 1;   /* every scan and its verdict in the journal */
	co.pay_after = 1;       /* the till takes the payment: card coupons
				   are consumed once it is paid */
	if (checkout_new(&co, &t->co, &cause) != 0) {
		fprintf(stderr, "quan: %s\n", cause);
		free(cause);
		return EXIT_FAIL;
	}
	/* a sale cut off by a crash or power loss: settle its rows now */
	if (net_recover(t->co, t->c->cfg, &n) != 0)
		log_warn("recovering interrupted sales failed");
	else if (n > 0)
		log_warn("recovered %d interrupted sale(s)", n);
	if ((rc = start_sync(t)) != 0)
		return rc;
	if ((rc = start_scanners(t)) != 0)
		return rc;
	memset(&so, 0, sizeof so);
	so.cfg = t->c->cfg;
	so.data_dir = t->c->data_dir;
	so.st = t->c->st;
	so.co = t->co;
	so.settle = t->rt != NULL ? net_rt_settle(t->rt) : NULL;
	so.results = t->rt != NULL ? net_rt_results(t->rt) : NULL;
	so.kiosk = t->o->kiosk;
	so.demo = t->o->demo;
	so.net_error = t->net_error;
	so.autologin = t->o->autologin;
	so.idle_reset_s = t->o->idle_reset_s;
	/* receipts after paid sales; a wrong device is said, not fatal */
	t->printer = cli_printer_port(t->c, "run", NULL);
	so.printer = t->printer;
	so.tr = ui_tr;
	if (session_new(&t->s, &so, &cause) != 0) {
		fprintf(stderr, "quan: %s\n", cause);
		free(cause);
		return EXIT_FAIL;
	}
	/* claims at the store hub before each grant; its answers wake the
	 * loop through the results queue */
	t->hub = cli_hub_attach(t->c->cfg, session_redeemer(t->s),
	    t->rt != NULL ? net_rt_results(t->rt) : NULL);
	return 0;
}

static int
run_headless(struct term *t)
{
	struct headless_opts ho;
	FILE *in = stdin;
	int rc;

	if (strcmp(t->o->headless, "-") != 0) {
		in = fopen(t->o->headless, "r");
		if (in == NULL) {
			fprintf(stderr, "quan: %s: %s\n", t->o->headless,
			    strerror(errno));
			return EXIT_USAGE;
		}
	}
	memset(&ho, 0, sizeof ho);
	ho.in = in;
	ho.name = t->o->headless;
	ho.out = stdout;
	ho.quiet = t->o->quiet;
	ho.results_fd = t->rt != NULL ? evq_fd(net_rt_results(t->rt)) : -1;
	rc = headless_run(t->s, t->to_core, &ho);
	if (in != stdin)
		fclose(in);
	return rc == 0 ? EXIT_OK : rc == 2 ? EXIT_USAGE : EXIT_REJECTED;
}

/* Set up, run (screen or script), tear down. */
int
run_terminal(struct cli *c, struct run_opts *o)
{
	struct term t;
	struct ui_opts uo;
	struct ui_run_opts ro;
	char *cause = NULL, *logp;
	int rc;

	memset(&t, 0, sizeof t);
	t.c = c;
	t.o = o;
	ui_text_init(o->lang != NULL ? o->lang :
	    c->cfg->language[0] != '\0' ? c->cfg->language : NULL);
	logp = xasprintf("%s/quan.log", c->data_dir);
	if (o->headless == NULL && c->cfg->log_file[0] == '\0') {
		/* stderr belongs to the screen: log to the data dir */
		log_open(logp, log_get_level());
	}
	signal(SIGTERM, on_term);
	signal(SIGHUP, on_term);
	signal(SIGINT, on_term);
	signal(SIGPIPE, SIG_IGN);
	if ((rc = term_up(&t)) != 0)
		goto out;
	if (o->headless != NULL) {
		rc = run_headless(&t);
		goto out;
	}
	memset(&uo, 0, sizeof uo);
	uo.no_color = o->no_color;
	uo.quiet = o->quiet;
	uo.kiosk = o->kiosk;
	uo.demo_lines = (const char *const *)o->demo_lines;
	uo.ndemo = o->ndemo;
	uo.latency_file = o->latency_file;
	memset(&ro, 0, sizeof ro);
	ro.s = t.s;
	ro.to_core = t.to_core;
	ro.results = t.rt != NULL ? net_rt_results(t.rt) : NULL;
	ro.err_log = logp;
	ro.stop = &got_term;
	if (ui_run(&uo, &ro, &cause) != 0) {
		fprintf(stderr, "quan: %s\n", cause);
		free(cause);
		rc = EXIT_USAGE;
	} else
		rc = EXIT_OK;
out:
	term_down(&t);
	free(logp);
	return rc;
}

int
cmd_run(int argc, char **argv)
{
	struct cli c;
	struct run_opts o;
	int rc;

	memset(&o, 0, sizeof o);
	if ((rc = cli_init(&c, "run", &argc, argv, 0)) != 0)
		return rc;
	if ((rc = parse_run_opts(argc, argv, &o, 0)) != 0)
		goto out;
	if (o.headless == NULL && (!isatty(STDIN_FILENO) ||
	    !isatty(STDOUT_FILENO))) {
		fprintf(stderr, "quan run: needs a terminal (or --headless "
		    "SCRIPT)\n");
		rc = EXIT_USAGE;
		goto out;
	}
	if ((rc = cli_open_store(&c, "run", DATAFILE_CHECK)) != 0)
		goto out;
	if (staff_count(c.data_dir) == 0 && !o.kiosk) {
		/* the hint names this data dir: without it the cashier
		 * would land in the default one */
		fprintf(stderr, "quan run: no cashiers yet; add one with\n"
		    "  quan staff%s%s add ID --role cashier|manager --pin "
		    "PIN\n", c.data_opt != NULL ? " --data " : "",
		    c.data_opt != NULL ? c.data_opt : "");
		rc = EXIT_FAIL;
		goto out;
	}
	if (o.kiosk)
		o.autologin = "kiosk";
	rc = run_terminal(&c, &o);
out:
	cli_done(&c);
	return rc;
}

