/*
 * cmd_run.c — `quan run` (the cashier terminal; also the default command),
 * `quan run --kiosk`, `quan demo` (simulator + seeded cache + terminal).
 * One process: the main thread polls
 * keys, the to-core queue, the sync results queue; it dispatches to the
 * session and redraws when the view's generation changed. Only the main
 * thread draws. Scanners post from the drivers' threads; the sync runtime
 * (app/net/runtime.h) talks through its results queue, read by the
 * session.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#ifdef QUAN_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#else
#define sd_notify(u, s) ((void)(u), (void)(s), 0)
#define sd_watchdog_enabled(u, p) ((void)(u), (void)(p), 0)
#endif

#include "cli/cli_common.h"
#include "cli/cli_hub.h"
#include "cli/cmd.h"
#include "core/checkout.h"
#include "core/evq.h"
#include "core/journal.h"
#include "core/session.h"
#include "drivers/scan.h"
#include "net/runtime.h"
#include "ui/headless.h"
#include "ui/text.h"
#include "ui/ui.h"
#include "util/config.h"
#include "util/err.h"
#include "util/log.h"
#include "util/tm.h"
#include "util/xmem.h"

#define SOURCES_MAX 8
#define DEMO_LINES_MAX 32
#define SYNC_HEALTH_MS 15000

struct run_opts {
	int kiosk, demo, no_color, quiet, no_sync;
	const char *lang;
	const char *headless;      /* script path, "-" stdin */
	const char *latency_file;
	const char *autologin;
	int idle_reset_s;
	const char *sources[SOURCES_MAX];
	int nsources;
	char *demo_lines[DEMO_LINES_MAX];
	int ndemo;
};

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

/* Parse run/demo options shared by both; returns 0, or EXIT_USAGE. */
static int
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
	struct ui *ui;
	uint64_t last_results_ms;
	char *net_error;   /* a configured WeChat client cannot start */
	struct hubthr *hub; /* [hub] dsn: the claims thread (cli_hub.h) */
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
	t->last_results_ms = tm_mono_ms();
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
	ui_free(t->ui);
	t->ui = NULL;
	session_free(t->s);
	t->s = NULL;
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

static void
drain_core(struct term *t)
{
	struct ev *ev = xmalloc(sizeof *ev);

	while (evq_get(t->to_core, ev))
		session_dispatch(t->s, ev);
	free(ev);
}

/* Watchdog: only while the UI loop runs (we are in it) and the sync thread
 * answers (it publishes its state every few seconds). */
static void
watchdog(struct term *t, uint64_t *next_ms, uint64_t period_ms)
{
	uint64_t now = tm_mono_ms();

	if (period_ms == 0 || now < *next_ms)
		return;
	*next_ms = now + period_ms;
	if (t->rt != NULL && now - t->last_results_ms > SYNC_HEALTH_MS) {
		log_warn("sync thread silent for %llu ms: watchdog not fed",
		    (unsigned long long)(now - t->last_results_ms));
		return;
	}
	sd_notify(0, "WATCHDOG=1");
}

static int
loop(struct term *t)
{
	struct pollfd p[3];
	struct ev tick;
	int n, timeout, ui_to, rc;
	uint64_t wd_usec = 0, wd_next = 0, wd_period = 0;

	memset(&tick, 0, offsetof(struct ev, u));
	tick.type = EV_TICK;
	if (sd_watchdog_enabled(0, &wd_usec) > 0)
		wd_period = wd_usec / 2000; /* half the interval, in ms */
	sd_notify(0, "READY=1");
	ui_render(t->ui, session_view(t->s));
	while (!session_done(t->s) && !got_term) {
		n = 0;
		p[n].fd = STDIN_FILENO;
		p[n++].events = POLLIN;
		p[n].fd = evq_fd(t->to_core);
		p[n++].events = POLLIN;
		if (t->rt != NULL) {
			p[n].fd = evq_fd(net_rt_results(t->rt));
			p[n++].events = POLLIN;
		}
		timeout = session_timeout_ms(t->s);
		ui_to = ui_timeout_ms(t->ui);
		if (ui_to >= 0 && (timeout < 0 || ui_to < timeout))
			timeout = ui_to;
		if (wd_period > 0 && (timeout < 0 ||
		    (uint64_t)timeout > wd_period))
			timeout = (int)wd_period;
		rc = poll(p, (nfds_t)n, timeout);
		if (rc < 0 && errno != EINTR)
			break;
		if (rc > 0 && (p[0].revents & (POLLHUP | POLLERR)) != 0 &&
		    (p[0].revents & POLLIN) == 0)
			break; /* the terminal went away */
		/* keys, and KEY_RESIZE after a SIGWINCH cut the poll short */
		if (rc != 0)
			ui_keys(t->ui, session_view(t->s), t->to_core);
		drain_core(t);
		if (n == 3 && rc > 0 && (p[2].revents & POLLIN) != 0) {
			t->last_results_ms = tm_mono_ms();
			session_sync(t->s);
		}
		session_dispatch(t->s, &tick);
		ui_tick(t->ui, session_view(t->s));
		watchdog(t, &wd_next, wd_period);
	}
	sd_notify(0, "STOPPING=1");
	return EXIT_OK;
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
static int
run_terminal(struct cli *c, struct run_opts *o)
{
	struct term t;
	struct ui_opts uo;
	char *cause = NULL, *logp;
	int rc, errfd, saved_err = -1;

	memset(&t, 0, sizeof t);
	t.c = c;
	t.o = o;
	ui_text_init(o->lang != NULL ? o->lang :
	    c->cfg->language[0] != '\0' ? c->cfg->language : NULL);
	if (o->headless == NULL && c->cfg->log_file[0] == '\0') {
		/* stderr belongs to the screen: log to the data dir */
		logp = xasprintf("%s/quan.log", c->data_dir);
		log_open(logp, log_get_level());
		free(logp);
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
	if (ui_new(&t.ui, &uo, &cause) != 0) {
		fprintf(stderr, "quan: %s\n", cause);
		free(cause);
		rc = EXIT_USAGE;
		goto out;
	}
	/* stray stderr writes (any layer) would tear the screen: send them to
	 * DATA/quan.log while curses owns the terminal */
	if (isatty(STDERR_FILENO)) {
		logp = xasprintf("%s/quan.log", c->data_dir);
		errfd = open(logp, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
		    0600);
		free(logp);
		if (errfd >= 0) {
			saved_err = dup(STDERR_FILENO);
			dup2(errfd, STDERR_FILENO);
			close(errfd);
		}
	}
	rc = loop(&t);
out:
	term_down(&t);
	if (saved_err >= 0) {
		dup2(saved_err, STDERR_FILENO);
		close(saved_err);
	}
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

/* ---- quan demo --------------------------------------------------------- */

static char *
self_exe(void)
{
	char p[4096];
	ssize_t n = readlink("/proc/self/exe", p, sizeof p - 1);

	if (n <= 0)
		return xstrdup("quan");
	p[n] = '\0';
	return xstrdup(p);
}

/* Run `quan ARGS...` and wait; output to the demo log. 0 on exit 0. */
static int
run_quan(const char *exe, const char *logpath, char *const args[])
{
	pid_t pid;
	int st, fd;

	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
		    0600);
		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		fd = open("/dev/null", O_RDONLY);
		if (fd >= 0)
			dup2(fd, STDIN_FILENO);
		execv(exe, args);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* Start `quan sim serve DIR --listen 127.0.0.1:0`; wait for its
 * "listening https://..." line (10 s). */
static pid_t
start_sim(const char *exe, const char *simdir, const char *logpath,
    char *url, size_t n)
{
	int pfd[2], fd;
	pid_t pid;
	char buf[512];
	size_t got = 0;
	uint64_t end = tm_mono_ms() + 15000;
	struct pollfd p;
	ssize_t k;
	char *nl;

	if (pipe(pfd) != 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		char *args[] = { (char *)exe, (char *)"sim", (char *)"serve",
		    (char *)simdir, (char *)"--listen",
		    (char *)"127.0.0.1:0", NULL };

		setpgid(0, 0);
		/* the simulator dies with the demo, even a killed one */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() == 1)
			_exit(1);
		close(pfd[0]);
		dup2(pfd[1], STDOUT_FILENO);
		fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
		    0600);
		if (fd >= 0)
			dup2(fd, STDERR_FILENO);
		fd = open("/dev/null", O_RDONLY);
		if (fd >= 0)
			dup2(fd, STDIN_FILENO);
		execv(exe, args);
		_exit(127);
	}
	close(pfd[1]);
	while (tm_mono_ms() < end && got + 1 < sizeof buf) {
		p.fd = pfd[0];
		p.events = POLLIN;
		if (poll(&p, 1, 200) <= 0)
			continue;
		k = read(pfd[0], buf + got, sizeof buf - 1 - got);
		if (k <= 0)
			break;
		got += (size_t)k;
		buf[got] = '\0';
		if ((nl = strchr(buf, '\n')) != NULL) {
			*nl = '\0';
			if (strncmp(buf, "listening ", 10) == 0) {
				size_t ul = strlen(buf + 10);

				if (ul >= n)
					ul = n - 1;
				memcpy(url, buf + 10, ul);
				url[ul] = '\0';
				/* keep the pipe's read end open: the sim may
				 * print more; closing it could SIGPIPE it */
				fcntl(pfd[0], F_SETFD, FD_CLOEXEC);
				return pid;
			}
			memmove(buf, nl + 1, got - (size_t)(nl + 1 - buf));
			got -= (size_t)(nl + 1 - buf);
		}
	}
	close(pfd[0]);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	return -1;
}

static void
stop_sim(pid_t pid)
{
	uint64_t end = tm_mono_ms() + 3000;
	int st;

	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	while (tm_mono_ms() < end) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return;
		poll(NULL, 0, 50);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* Demo panel from the simulator's seed.json ({"merchant": {"valid": [...],
 * "expired": [...], ...}, "card": {...}}): one valid code of each coupon
 * type, then one code per failure case, then a payment code and garbage. */
static void
demo_add(struct run_opts *o, const char *label, const char *code)
{
	int i;

	if (o->ndemo >= DEMO_LINES_MAX || code == NULL)
		return;
	for (i = 0; i < o->ndemo; i++)
		if (strstr(o->demo_lines[i], code) != NULL)
			return;
	o->demo_lines[o->ndemo++] = xasprintf("%s\t%s", label, code);
}

static const char *
demo_first(json_t *seed, const char *fam, const char *kase)
{
	json_t *v = json_array_get(json_object_get(json_object_get(seed, fam),
	    kase), 0);

	return json_string_value(json_object_get(v, "code"));
}

/* pass 0: the first valid code of each type (cards: only the first type);
 * pass 1: the other card types. */
static void
demo_valid(json_t *seed, struct run_opts *o, int f, int pass)
{
	const char *type, *code, *seen[12];
	json_t *v;
	char label[64];
	size_t i, k, nseen = 0;

	json_array_foreach(json_object_get(json_object_get(seed,
	    f == 0 ? "merchant" : "card"), "valid"), i, v) {
		type = json_string_value(json_object_get(v,
		    f == 0 ? "stock_type" : "card_type"));
		code = json_string_value(json_object_get(v, "code"));
		if (type == NULL || code == NULL)
			continue;
		for (k = 0; k < nseen; k++)
			if (strcmp(seen[k], type) == 0)
				break;
		if (k < nseen || nseen >= 12)
			continue;
		seen[nseen++] = type;
		if (f == 1 && (pass == 0) != (nseen == 1))
			continue;
		snprintf(label, sizeof label, "%s %s", f == 0 ? "valid" :
		    "card", type);
		demo_add(o, label, code);
	}
}

static void
demo_lines(json_t *seed, struct run_opts *o)
{
	static const char *const more[] = { "not_yet_valid",
	    "outside_window", "stock_paused", "deactivated", "unknown",
	    NULL };
	int i;

	demo_valid(seed, o, 0, 0);
	demo_valid(seed, o, 1, 0);
	demo_add(o, "used", demo_first(seed, "merchant", "used"));
	demo_add(o, "expired", demo_first(seed, "merchant", "expired"));
	demo_add(o, "below_minimum", demo_first(seed, "merchant",
	    "below_minimum"));
	demo_add(o, "payment code", "134567890123456789");
	demo_add(o, "garbage", "hello?world");
	demo_valid(seed, o, 1, 1);
	demo_add(o, "card consumed", demo_first(seed, "card", "consumed"));
	for (i = 0; more[i] != NULL; i++)
		demo_add(o, strcmp(more[i], "unknown") == 0 ? "unknown code" :
		    more[i], demo_first(seed, "merchant", more[i]));
}

static int
demo_refuse(const char *why)
{
	fprintf(stderr, "quan demo: %s\n", why);
	return EXIT_USAGE;
}

int
cmd_demo(int argc, char **argv)
{
	struct cli c;
	struct run_opts o;
	char *exe = NULL, *simdir = NULL, *conf = NULL, *logp = NULL;
	char *seed = NULL, *imp = NULL, *cause = NULL, *tmp = NULL;
	char url[256] = "";
	pid_t sim = -1;
	json_t *sj;
	json_error_t je;
	int rc, i;
	struct stat sb;
	static const char *const kinds[] = { "stocks", "cards", "codes" };
	static const char *const files[] = { "stocks.json", "cards.json",
	    "codes.csv" };

	memset(&c, 0, sizeof c);
	memset(&o, 0, sizeof o);
	if ((rc = cli_parse_globals(&c, &argc, argv)) != 0)
		return rc;
	if ((rc = parse_run_opts(argc, argv, &o, 1)) != 0)
		return rc;
	if (o.headless == NULL && (!isatty(STDIN_FILENO) ||
	    !isatty(STDOUT_FILENO)))
		return demo_refuse("needs a terminal: run it in a terminal "
		    "window, or give --headless SCRIPT");
	o.demo = 1;
	exe = self_exe();
	/* a fresh data directory */
	if (c.data_opt != NULL) {
		if (stat(c.data_opt, &sb) == 0) {
			tmp = xasprintf("%s/quan.db", c.data_opt);
			if (stat(tmp, &sb) == 0) {
				rc = demo_refuse("--data must be a new or "
				    "empty directory (it holds quan.db)");
				goto out;
			}
		}
		if (mkdir(c.data_opt, 0700) != 0 && errno != EEXIST) {
			fprintf(stderr, "quan demo: %s: %s\n", c.data_opt,
			    strerror(errno));
			rc = EXIT_FAIL;
			goto out;
		}
	} else {
		const char *td = getenv("TMPDIR");

		free(tmp);
		tmp = xasprintf("%s/quan-demo-XXXXXX", td != NULL && *td ?
		    td : "/tmp");
		if (mkdtemp(tmp) == NULL) {
			fprintf(stderr, "quan demo: %s: %s\n", tmp,
			    strerror(errno));
			rc = EXIT_FAIL;
			goto out;
		}
		c.data_opt = tmp;
		tmp = NULL;
	}
	simdir = xasprintf("%s/sim", c.data_opt);
	logp = xasprintf("%s/demo.log", c.data_opt);
	conf = xasprintf("%s/quan.conf", simdir);
	fprintf(stderr, "quan demo: data in %s (log %s)\n", c.data_opt, logp);
	{
		char *a1[] = { exe, (char *)"sim", (char *)"init", simdir,
		    NULL };
		char *a2[] = { exe, (char *)"sim", (char *)"seed", simdir,
		    NULL };

		if (run_quan(exe, logp, a1) != 0) {
			fprintf(stderr, "quan demo: `quan sim init` failed; "
			    "see %s\n", logp);
			rc = EXIT_FAIL;
			goto out;
		}
		if (run_quan(exe, logp, a2) != 0) {
			fprintf(stderr, "quan demo: `quan sim seed` failed; "
			    "see %s\n", logp);
			rc = EXIT_FAIL;
			goto out;
		}
	}
	sim = start_sim(exe, simdir, logp, url, sizeof url);
	if (sim < 0) {
		fprintf(stderr, "quan demo: the simulator did not start; "
		    "see %s\n", logp);
		rc = EXIT_FAIL;
		goto out;
	}
	fprintf(stderr, "quan demo: simulator at %s\n", url);
	for (i = 0; i < 3; i++) {
		char *path = xasprintf("%s/import/%s", simdir, files[i]);
		char *args[] = { exe, (char *)"import", (char *)"--config",
		    conf, (char *)"--data", (char *)c.data_opt,
		    (char *)kinds[i], path, NULL };

		if (stat(path, &sb) == 0 && run_quan(exe, logp, args) != 0) {
			fprintf(stderr, "quan demo: import %s failed; see "
			    "%s\n", kinds[i], logp);
			free(path);
			rc = EXIT_FAIL;
			goto out;
		}
		free(path);
	}
	/* demo staff: cashier 1001/1234, manager 9001/9999 */
	c.config_opt = conf;
	if ((rc = cli_setup(&c, "demo")) != 0)
		goto out;
	if (staff_set(c.data_dir, "1001", STAFF_CASHIER, "1234", &cause) != 0
	    || staff_set(c.data_dir, "9001", STAFF_MANAGER, "9999",
	    &cause) != 0) {
		fprintf(stderr, "quan demo: %s\n", cause);
		free(cause);
		rc = EXIT_FAIL;
		goto out;
	}
	if ((rc = cli_open_store(&c, "demo", 0)) != 0)
		goto out;
	seed = xasprintf("%s/seed.json", simdir);
	sj = json_load_file(seed, 0, &je);
	if (sj != NULL) {
		demo_lines(sj, &o);
		json_decref(sj);
	}
	o.autologin = "1001";
	rc = run_terminal(&c, &o);
out:
	stop_sim(sim);
	if (sim > 0 && o.headless == NULL)
		fprintf(stderr, "quan demo: simulator stopped; data kept in "
		    "%s\n", c.data_opt != NULL ? c.data_opt : "?");
	for (i = 0; i < o.ndemo; i++)
		free(o.demo_lines[i]);
	cli_done(&c);
	free(exe);
	free(simdir);
	free(conf);
	free(logp);
	free(seed);
	free(imp);
	free(tmp);
	return rc;
}
