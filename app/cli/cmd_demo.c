/*
 * cmd_demo.c — `quan demo`: a fresh data directory, a seeded simulator on
 * loopback (its output and the set-up steps in DATA/demo.log), the
 * simulator's stocks, cards and codes imported, demo staff, then the
 * terminal (run_terminal, cmd_run.c) with a panel of codes for every case.
 * The simulator is stopped on the way out, also when the demo is killed.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/cli_common.h"
#include "cli/cmd.h"
#include "cli/cmd_run.h"
#include "core/session.h"
#include "util/err.h"
#include "util/tm.h"
#include "util/xmem.h"

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

/* One line of the demo's own into its log (the steps' output is there). */
static void demo_log(const char *logpath, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
demo_log(const char *logpath, const char *fmt, ...)
{
	va_list ap;
	FILE *fp = fopen(logpath, "a");

	if (fp == NULL)
		return;
	va_start(ap, fmt);
	vfprintf(fp, fmt, ap);
	va_end(ap);
	fclose(fp);
}

static void
stop_sim(pid_t pid, const char *logpath)
{
	uint64_t end = tm_mono_ms() + 3000;
	int st;

	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	while (tm_mono_ms() < end) {
		if (waitpid(pid, &st, WNOHANG) == pid) {
			demo_log(logpath, "quan demo: simulator pid %d "
			    "stopped\n", (int)pid);
			return;
		}
		poll(NULL, 0, 50);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	demo_log(logpath, "quan demo: simulator pid %d killed (it did not "
	    "stop within 3 s)\n", (int)pid);
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
	json_t *f = strcmp(fam, "product/cases") == 0 ? json_object_get(
	    json_object_get(seed, "product"), "cases") :
	    json_object_get(seed, fam);
	json_t *v = json_array_get(json_object_get(f, kase), 0);

	return json_string_value(json_object_get(v, "code"));
}

/* The seed's payment code of a case ("success" ...); a code that is not
 * a payment code before the seed had one. */
static const char *
pay_code(json_t *seed, const char *kase)
{
	const char *c = json_string_value(json_object_get(json_object_get(
	    seed, "pay"), kase));

	return c != NULL ? c : "134567890123456789";
}

/* 商品券 of the seed's product section: the first valid one of each type
 * (scope + type), then the cashier's refusal cases. */
static void
demo_product(json_t *seed, struct run_opts *o)
{
	static const char *const bad[][2] = { { "used", "product: used" },
	    { "expired", "product: expired" },
	    { "confirming", "product: confirming" },
	    { "other_user", "product: other user" } };
	json_t *cases = json_object_get(json_object_get(seed, "product"),
	    "cases"), *v;
	char label[64];
	size_t i;

	json_array_foreach(json_object_get(cases, "valid"), i, v) {
		const char *t = json_string_value(json_object_get(v, "type"));
		const char *sc = json_string_value(json_object_get(v,
		    "scope"));

		/* SINGLE coupons need the item's price: the whole-order
		 * ones at the till */
		if (sc != NULL && strcmp(sc, "ALL") != 0)
			continue;
		snprintf(label, sizeof label, "product %s", t != NULL ? t :
		    "?");
		demo_add(o, label, json_string_value(json_object_get(v,
		    "code")));
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		demo_add(o, bad[i][1], demo_first(seed, "product/cases",
		    bad[i][0]));
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
	/* the seed's payment codes (a code pays one order): the sale's due
	 * paid with WeChat vouchers applied, after the password, short */
	demo_add(o, "payment code", pay_code(seed, "success"));
	demo_add(o, "garbage", "hello?world");
	demo_add(o, "pay: password", pay_code(seed,
	    "userpaying_then_success"));
	demo_add(o, "pay: not enough", pay_code(seed, "notenough"));
	demo_product(seed, o);
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
	static const char *const kinds[] = { "stocks", "cards", "codes",
	    "product", "product" };
	static const char *const files[] = { "stocks.json", "cards.json",
	    "codes.csv", "product.json", "--fetch" };

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
	/* a fresh data directory: --data, else QUAN_DATA, else a new one
	 * under TMPDIR */
	if (c.data_opt == NULL && getenv("QUAN_DATA") != NULL &&
	    *getenv("QUAN_DATA") != '\0')
		c.data_opt = getenv("QUAN_DATA");
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
	fprintf(stderr, "quan demo: simulator at %s (pid %d)\n", url,
	    (int)sim);
	demo_log(logp, "quan demo: simulator pid %d listening at %s\n",
	    (int)sim, url);
	/* 商品券: the registry rows, then their definitions fetched from
	 * the simulator (as the back office would) */
	for (i = 0; i < 5; i++) {
		char *path = files[i][0] == '-' ? xstrdup(files[i]) :
		    xasprintf("%s/import/%s", simdir, files[i]);
		char *args[] = { exe, (char *)"import", (char *)"--config",
		    conf, (char *)"--data", (char *)c.data_opt,
		    (char *)kinds[i], path, NULL };

		if ((files[i][0] == '-' || stat(path, &sb) == 0) &&
		    run_quan(exe, logp, args) != 0) {
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
	stop_sim(sim, logp);
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
