/*
 * cmd_sim.c — `quan sim init|serve|seed|inspect|bench`: the command line
 * of the WeChat simulator (app/sim). Parses options, calls sim.h, maps
 * errors to exit codes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "sim/sim.h"
#include "util/log.h"


static void
sim_usage(FILE *fp)
{
	fprintf(fp,
"usage: quan sim init DIR [--port N] [--force]\n"
"       quan sim serve DIR [--listen ADDR:PORT] [--faults SPEC] [--seed N]\n"
"                  [--callback-retry-s S] [--callback-attempts N]\n"
"                  [--use-qps N] [--token-ttl S] [--token-grace S]\n"
"                  [--card-quota N] [--callback-sign platform|pubkey|both]\n"
"                  [--pc-order none|exists|paid] [--no-rewrite-conf] [-v]\n"
"       quan sim seed DIR [--force]\n"
"       quan sim inspect DIR [--json]\n"
"       quan sim bench DIR [--url URL] [-n N] [--conns C] [--json]\n"
"\n"
"init   create keys, certificates, secrets and DIR/quan.conf (a client\n"
"       config for this simulator; base URL port from --port, default\n"
"       18443)\n"
"serve  serve the WeChat Pay APIv3 merchant-coupon API and the card API\n"
"       over HTTPS; first stdout line: 'listening https://ADDR:PORT'.\n"
"       --listen 127.0.0.1:0 picks a free port and rewrites base_url in\n"
"       DIR/quan.conf (unless --no-rewrite-conf). Loopback only unless an\n"
"       address is given. SIGTERM/SIGINT stop it cleanly.\n"
"       --callback-retry-s S  COUPON.SEND retry interval (60)\n"
"       --callback-attempts N attempts in total (11)\n"
"       --callback-sign K     sign callbacks with the platform cert\n"
"                             (default), the public key, or both in turn\n"
"       --use-qps N           coupons/use limit per second (500; 0 = off)\n"
"       --token-ttl S         card access_token lifetime (7200)\n"
"       --token-grace S       old token valid after a new one (300)\n"
"       --card-quota N        card API calls per path per day (0 = off)\n"
"       --pc-order CHECK      商品券 use: the order must exist, be paid,\n"
"                             or none (not checked; default)\n"
"seed   stocks, cards and coupons for every cashier case; writes\n"
"       DIR/seed.json and DIR/import/{stocks.json,cards.json,codes.csv}\n"
"inspect  redemptions per coupon (more than one = defect), requests by\n"
"       status, callback log; exit 1 if any defect\n"
"bench  redemptions/s against a running 'serve --use-qps 0'\n"
"\n%s", sim_faults_help());
}

static int
parse_num(const char *opt, const char *v, long long min, long long max,
	long long *out)
{
	char *end;
	long long x;

	if (v == NULL) {
		fprintf(stderr, "quan sim: %s needs a value\n", opt);
		return -1;
	}
	errno = 0;
	x = strtoll(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || x < min || x > max) {
		fprintf(stderr, "quan sim: bad value for %s: '%s'\n", opt, v);
		return -1;
	}
	*out = x;
	return 0;
}

static int
fail(char *cause)
{
	fprintf(stderr, "quan sim: %s\n", cause ? cause : "failed");
	free(cause);
	return EXIT_FAIL;
}

static int
bad_usage(void)
{
	sim_usage(stderr);
	return EXIT_USAGE;
}

/* argv of the subcommands that take DIR and at most one flag (seed,
 * inspect): *dir and *set (1 when flag is given). 0, or an exit status. */
static int
dir_and_flag(int argc, char **argv, const char *flag, const char **dir,
	int *set)
{
	int i;

	*dir = NULL;
	*set = 0;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], flag) == 0)
			*set = 1;
		else if (argv[i][0] != '-' && *dir == NULL)
			*dir = argv[i];
		else
			return bad_usage();
	}
	return *dir == NULL ? bad_usage() : 0;
}

static int
do_init(int argc, char **argv)
{
	const char *dir = NULL;
	long long port = 18443;
	int force = 0, i;
	char *cause = NULL;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--port") == 0) {
			if (parse_num("--port", argv[i + 1], 1, 65535,
			    &port) != 0)
				return EXIT_USAGE;
			i++;
		} else if (strcmp(argv[i], "--force") == 0) {
			force = 1;
		} else if (argv[i][0] != '-' && dir == NULL) {
			dir = argv[i];
		} else
			return bad_usage();
	}
	if (dir == NULL)
		return bad_usage();
	if (sim_init(dir, (unsigned)port, force, &cause) != 0)
		return fail(cause);
	printf("initialised %s (client config: %s/quan.conf)\n", dir, dir);
	return EXIT_OK;
}

static int
do_serve(int argc, char **argv)
{
	struct sim_serve_opts o;
	const char *dir = NULL;
	char *cause = NULL;
	long long v;
	int i;

	memset(&o, 0, sizeof o);
	o.use_qps = 500;
	o.token_grace_s = 300;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *n = i + 1 < argc ? argv[i + 1] :
			NULL;

		if (strcmp(a, "--listen") == 0 && n) {
			o.listen = n;
			i++;
		} else if (strcmp(a, "--faults") == 0 && n) {
			o.faults = n;
			i++;
		} else if (strcmp(a, "--seed") == 0) {
			if (parse_num(a, n, 0, INT64_MAX, &v) != 0)
				return EXIT_USAGE;
			o.seed = (uint64_t)v;
			i++;
		} else if (strcmp(a, "--callback-retry-s") == 0) {
			if (parse_num(a, n, 1, 86400, &v) != 0)
				return EXIT_USAGE;
			o.callback_retry_s = (int)v;
			i++;
		} else if (strcmp(a, "--callback-attempts") == 0) {
			if (parse_num(a, n, 1, 100, &v) != 0)
				return EXIT_USAGE;
			o.callback_attempts = (int)v;
			i++;
		} else if (strcmp(a, "--use-qps") == 0) {
			if (parse_num(a, n, 0, 1000000, &v) != 0)
				return EXIT_USAGE;
			o.use_qps = (int)v;
			i++;
		} else if (strcmp(a, "--token-ttl") == 0) {
			if (parse_num(a, n, 1, 86400 * 30, &v) != 0)
				return EXIT_USAGE;
			o.token_ttl_s = (int)v;
			i++;
		} else if (strcmp(a, "--token-grace") == 0) {
			if (parse_num(a, n, 0, 86400, &v) != 0)
				return EXIT_USAGE;
			o.token_grace_s = (int)v;
			i++;
		} else if (strcmp(a, "--card-quota") == 0) {
			if (parse_num(a, n, 0, 100000000, &v) != 0)
				return EXIT_USAGE;
			o.card_quota = (int)v;
			i++;
		} else if (strcmp(a, "--callback-sign") == 0 && n) {
			if (strcmp(n, "platform") == 0)
				o.callback_sign = 0;
			else if (strcmp(n, "pubkey") == 0)
				o.callback_sign = 1;
			else if (strcmp(n, "both") == 0)
				o.callback_sign = 2;
			else {
				fprintf(stderr, "quan sim: --callback-sign "
					"platform|pubkey|both\n");
				return EXIT_USAGE;
			}
			i++;
		} else if (strcmp(a, "--pc-order") == 0 && n) {
			if ((o.pc_order = sim_pc_order_parse(n)) < 0) {
				fprintf(stderr, "quan sim: --pc-order "
					"none|exists|paid\n");
				return EXIT_USAGE;
			}
			i++;
		} else if (strcmp(a, "--no-rewrite-conf") == 0) {
			o.no_rewrite_conf = 1;
		} else if (strcmp(a, "-v") == 0) {
			/* every request (route and status) is logged */
			log_set_level(LOG_DEBUG);
		} else if (a[0] != '-' && dir == NULL) {
			dir = a;
		} else
			return bad_usage();
	}
	if (dir == NULL)
		return bad_usage();
	if (sim_serve(dir, &o, &cause) != 0)
		return fail(cause);
	return EXIT_OK;
}

static int
do_seed(int argc, char **argv)
{
	const char *dir;
	char *cause = NULL;
	int force, rc;

	if ((rc = dir_and_flag(argc, argv, "--force", &dir, &force)) != 0)
		return rc;
	if (sim_seed(dir, force, &cause) != 0)
		return fail(cause);
	return EXIT_OK;
}

static int
do_inspect(int argc, char **argv)
{
	const char *dir;
	char *cause = NULL;
	int json, defects = 0, rc;

	if ((rc = dir_and_flag(argc, argv, "--json", &dir, &json)) != 0)
		return rc;
	if (sim_inspect(dir, json, &defects, &cause) != 0)
		return fail(cause);
	return defects > 0 ? EXIT_FAIL : EXIT_OK;
}

static int
do_bench(int argc, char **argv)
{
	const char *dir = NULL, *url = NULL;
	char *cause = NULL;
	long long n = 2000, conns = 2;
	int json = 0, i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] :
			NULL;

		if (strcmp(a, "--url") == 0 && v) {
			url = v;
			i++;
		} else if (strcmp(a, "-n") == 0) {
			if (parse_num(a, v, 1, 10000000, &n) != 0)
				return EXIT_USAGE;
			i++;
		} else if (strcmp(a, "--conns") == 0) {
			if (parse_num(a, v, 1, 64, &conns) != 0)
				return EXIT_USAGE;
			i++;
		} else if (strcmp(a, "--json") == 0) {
			json = 1;
		} else if (a[0] != '-' && dir == NULL) {
			dir = a;
		} else
			return bad_usage();
	}
	if (dir == NULL)
		return bad_usage();
	if (sim_bench(dir, url, (int)n, (int)conns, json, &cause) != 0)
		return fail(cause);
	return EXIT_OK;
}

int
cmd_sim(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "";

	if (strcmp(sub, "init") == 0)
		return do_init(argc - 1, argv + 1);
	if (strcmp(sub, "serve") == 0)
		return do_serve(argc - 1, argv + 1);
	if (strcmp(sub, "seed") == 0)
		return do_seed(argc - 1, argv + 1);
	if (strcmp(sub, "inspect") == 0)
		return do_inspect(argc - 1, argv + 1);
	if (strcmp(sub, "bench") == 0)
		return do_bench(argc - 1, argv + 1);
	if (strcmp(sub, "-h") == 0 || strcmp(sub, "--help") == 0 ||
	    strcmp(sub, "help") == 0) {
		sim_usage(stdout);
		return EXIT_OK;
	}
	return bad_usage();
}
