/*
 * cmd_hub.c — `quan hub init|sync|import|status`: the store hub
 * (app/hub) from the command line, and cli_hub_attach, which gives a
 * till's redeem its claims thread when [hub] dsn is set.
 */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli_common.h"
#include "cli/cli_hub.h"
#include "cli/cmd.h"
#include "core/import.h"
#include "core/redeem.h"
#include "hub/hub.h"
#include "hub/hub_chain.h"
#include "hub/hub_sync.h"
#include "hub/hub_thread.h"
#include "util/config.h"
#include "util/err.h"
#include "util/money.h"
#include "util/str.h"
#include "util/tm.h"
#include "util/xmem.h"

struct hubthr *
cli_hub_attach(const struct config *cfg, struct redeem *rd,
    struct evq *wake)
{
	struct hubthr *t = NULL;
	char *cause = NULL;

	if (cfg->hub_dsn[0] == '\0' || rd == NULL)
		return NULL;
	if (hubthr_start(cfg->hub_dsn, cfg->hub_wait_ms, wake, &t,
	    &cause) != 0) {
		/* a dsn the rules refuse: every claim counts as down */
		fprintf(stderr, "quan: %s\n", cause);
		free(cause);
		return NULL;
	}
	redeem_set_hub(rd, hubthr_jobs(t), hubthr_answers(t),
	    cfg->hub_wait_ms, cfg->term_id, cfg->store_id);
	return t;
}

void
cli_hub_detach(struct hubthr *t)
{
	hubthr_stop(t);
}

/* The dsn: --dsn DSN, else [hub] dsn. */
static const char *
dsn_of(const struct cli *c, int *argc, char **argv)
{
	int i;

	for (i = 1; i + 1 < *argc; i++)
		if (strcmp(argv[i], "--dsn") == 0) {
			const char *d = argv[i + 1];

			memmove(&argv[i], &argv[i + 2],
			    (size_t)(*argc - i - 2 + 1) * sizeof *argv);
			*argc -= 2;
			return d;
		}
	return c->cfg->hub_dsn;
}

static int
open_hub(const char *name, const char *dsn, int check, struct hub **h)
{
	char *cause = NULL;
	int rc;

	if (dsn == NULL || dsn[0] == '\0') {
		fprintf(stderr, "quan hub %s: no hub: set [hub] dsn or give "
		    "--dsn\n", name);
		return EXIT_FAIL;
	}
	rc = hub_open(dsn, 5, 5000, h, &cause);
	if (rc == 0 && check && (rc = hub_check_schema(*h, &cause)) != 0) {
		hub_close(*h);
		*h = NULL;
	}
	if (rc != 0) {
		fprintf(stderr, "quan hub %s: %s\n", name, cause);
		free(cause);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

static int
hub_cmd_init(struct cli *c, int argc, char **argv)
{
	const char *dsn = dsn_of(c, &argc, argv);
	struct hub *h = NULL;
	char *cause = NULL;
	int from = 0, rc, v;

	int hq = argc == 2 && strcmp(argv[1], "--hq") == 0;

	if (argc != 1 && !hq) {
		fprintf(stderr, "usage: quan hub init [--hq] [--dsn DSN]\n");
		return EXIT_USAGE;
	}
	if ((rc = open_hub("init", dsn, 0, &h)) != 0)
		return rc;
	if ((rc = (hq ? hub_hq_init : hub_init)(h, &from, &cause)) != 0) {
		fprintf(stderr, "quan hub init: %s\n", cause);
		free(cause);
		hub_close(h);
		return EXIT_FAIL;
	}
	v = hq ? HUB_HQ_SCHEMA_VERSION : HUB_SCHEMA_VERSION;
	if (from == v)
		printf("%s schema: version %d (already)\n", hq ?
		    "headquarters" : "hub", from);
	else
		printf("%s schema: version %d (was %d)\n", hq ?
		    "headquarters" : "hub", v, from);
	hub_close(h);
	return EXIT_OK;
}

static int
hub_cmd_sync(struct cli *c, int argc, char **argv)
{
	const char *dsn = dsn_of(c, &argc, argv);
	struct config_hub_ids id = {c->cfg->store_id, c->cfg->term_id};
	struct hub_sync_counts k;
	struct hub *h = NULL;
	char *cause = NULL;
	int once = 0, json = 0, i, rc, failed = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--once") == 0)
			once = 1;
		else if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else {
			fprintf(stderr, "usage: quan hub sync [--once] "
			    "[--json] [--dsn DSN]\n");
			return EXIT_USAGE;
		}
	}
	if ((rc = cli_open_store(c, "hub sync", 0)) != 0)
		return rc;
	cli_signals();
	do {
		if (h == NULL && open_hub("sync", dsn, 1, &h) != 0) {
			failed = 1;
		} else {
			rc = hub_sync_pass(h, c->st, c->data_dir, &id,
			    tm_now(), &k, &cause);
			failed = rc != 0;
			if (failed) {
				fprintf(stderr, "quan hub sync: %s\n",
				    cause != NULL ? cause :
				    quan_strerror(rc));
				free(cause);
				cause = NULL;
				if (!hub_ok(h)) {
					hub_close(h);
					h = NULL;
				}
			} else if (json) {
				printf("{\"imported\":%" PRId64 ",\"pushed\":%"
				    PRId64 ",\"clashes\":%" PRId64
				    ",\"conflicts\":%" PRId64 ",\"registry\":%"
				    PRId64 "}\n", k.imported, k.pushed,
				    k.clashes, k.conflicts, k.registry);
			} else if (once || k.pushed || k.imported ||
			    k.conflicts || k.registry) {
				printf("hub sync: %" PRId64 " imported, %"
				    PRId64 " pushed, %" PRId64 " clashes "
				    "found, %" PRId64 " conflicts of this "
				    "lane, %" PRId64 " product coupons passed on\n",
				    k.imported, k.pushed, k.clashes,
				    k.conflicts, k.registry);
			}
			fflush(stdout);
		}
		for (i = 0; !once && !cli_stopping() &&
		    i < c->cfg->hub_poll_s * 10; i++)
			poll(NULL, 0, 100);
	} while (!once && !cli_stopping());
	hub_close(h);
	return failed ? EXIT_FAIL : EXIT_OK;
}

static int
hub_cmd_import(struct cli *c, int argc, char **argv)
{
	const char *dsn = dsn_of(c, &argc, argv);
	enum import_list il;
	enum hub_list l;
	struct hub *h = NULL;
	char *cause = NULL, *data = NULL;
	size_t len = 0, cap = 0, got;
	int64_t version = 0, n = 0;
	FILE *fp;
	int rc;

	if (argc != 3) {
		fprintf(stderr, "usage: quan hub import "
		    "stocks|cards|codes|product FILE [--dsn DSN]\n");
		return EXIT_USAGE;
	}
	if (import_list_parse(argv[1], &il) != 0) {
		fprintf(stderr, "quan hub import: stocks, cards, codes or "
		    "product, not %s\n", argv[1]);
		return EXIT_USAGE;
	}
	/* a file refused here is never stored at the hub */
	l = il == IMPORT_STOCKS ? HUB_LIST_STOCKS : il == IMPORT_CARDS ?
	    HUB_LIST_CARDS : il == IMPORT_PRODUCT ? HUB_LIST_PRODUCT :
	    HUB_LIST_CODES;
	if (import_check(il, argv[2], &n, &cause) != 0) {
		fprintf(stderr, "quan hub import: %s (nothing stored at the "
		    "hub)\n", cause != NULL ? cause : "refused");
		free(cause);
		return EXIT_FAIL;
	}
	if ((fp = fopen(argv[2], "rb")) == NULL) {
		fprintf(stderr, "quan hub import: %s: %s\n", argv[2],
		    strerror(errno));
		return EXIT_FAIL;
	}
	do {
		if (len == cap)
			data = xrealloc(data, cap = cap ? cap * 2 : 65536);
		got = fread(data + len, 1, cap - len, fp);
		len += got;
	} while (got > 0);
	fclose(fp);
	if ((rc = open_hub("import", dsn, 1, &h)) != 0) {
		free(data);
		return rc;
	}
	rc = hub_import_put(h, l, data, len, &version, &cause);
	free(data);
	hub_close(h);
	if (rc != 0) {
		fprintf(stderr, "quan hub import: %s\n", cause);
		free(cause);
		return EXIT_FAIL;
	}
	printf("hub import: %s version %" PRId64 " stored (%" PRId64
	    " records); every till applies it at its next quan hub sync "
	    "pass\n", argv[1], version, n);
	return EXIT_OK;
}

static int
hub_cmd_status(struct cli *c, int argc, char **argv)
{
	const char *dsn = dsn_of(c, &argc, argv);
	struct hub *h = NULL;
	char live[32], conf[32], ver[32], *cause = NULL;
	int rc, v = 0;

	if (argc != 1) {
		fprintf(stderr, "usage: quan hub status [--dsn DSN]\n");
		return EXIT_USAGE;
	}
	if ((rc = open_hub("status", dsn, 0, &h)) != 0)
		return rc;
	if ((rc = hub_version(h, &v, &cause)) != 0 ||
	    (v > 0 && ((rc = hub_query1(h, "SELECT count(*) FROM claims "
	    "WHERE state <> 'released'", live, sizeof live, &cause)) != 0 ||
	    (rc = hub_query1(h, "SELECT count(*) FROM conflicts", conf,
	    sizeof conf, &cause)) != 0))) {
		fprintf(stderr, "quan hub status: %s\n", cause);
		free(cause);
		hub_close(h);
		return EXIT_FAIL;
	}
	(void)ver;
	if (v == 0)
		printf("hub: reachable, no quan schema (quan hub init)\n");
	else
		printf("hub: schema version %d, %s live claims, %s "
		    "conflicts\n", v, live, conf);
	hub_close(h);
	return EXIT_OK;
}

int
cmd_hub(int argc, char **argv)
{
	struct cli c;
	int rc;

	if ((rc = cli_init(&c, "hub", &argc, argv, 0)) != 0)
		return rc;
	if (argc < 2) {
		fprintf(stderr, "usage: quan hub init|sync|import|status ...\n");
		cli_done(&c);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "init") == 0)
		rc = hub_cmd_init(&c, argc - 1, argv + 1);
	else if (strcmp(argv[1], "sync") == 0)
		rc = hub_cmd_sync(&c, argc - 1, argv + 1);
	else if (strcmp(argv[1], "import") == 0)
		rc = hub_cmd_import(&c, argc - 1, argv + 1);
	else if (strcmp(argv[1], "status") == 0)
		rc = hub_cmd_status(&c, argc - 1, argv + 1);
	else {
		fprintf(stderr, "quan hub: unknown subcommand %s\n", argv[1]);
		rc = EXIT_USAGE;
	}
	cli_done(&c);
	return rc;
}

/* ---- quan report --chain ---------------------------------------------- */

int
cli_hub_chain_report(int argc, char **argv)
{
	struct cli c;
	struct chain_report r;
	const char *dsn = NULL, *date = NULL;
	struct hub *h = NULL;
	char *cause = NULL;
	int64_t from, to;
	size_t i;
	int rc, json = 0;

	memset(&r, 0, sizeof r);
	if ((rc = cli_init(&c, "report", &argc, argv, 0)) != 0)
		return rc;
	for (i = 1; i < (size_t)argc; i++) {
		if (strcmp(argv[i], "--chain") == 0)
			continue;
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--dsn") == 0 && i + 1 < (size_t)argc)
			dsn = argv[++i];
		else if (strcmp(argv[i], "--date") == 0 &&
		    i + 1 < (size_t)argc)
			date = argv[++i];
		else {
			rc = EXIT_USAGE;
			break;
		}
	}
	if (rc != 0 || dsn == NULL) {
		fprintf(stderr, "usage: quan report [--json] [--date "
		    "YYYY-MM-DD] [--chain --dsn HQ]\n");
		cli_done(&c);
		return EXIT_USAGE;
	}
	if (cli_day_start(date, &from) != 0) {
		fprintf(stderr, "quan report: bad --date %s (YYYY-MM-DD)\n",
		    date);
		cli_done(&c);
		return EXIT_USAGE;
	}
	to = from + 86400;
	if ((rc = open_hub("report --chain", dsn, 0, &h)) != 0) {
		cli_done(&c);
		return rc;
	}
	if ((rc = hub_chain_report(h, from, to, &r, &cause)) != 0) {
		fprintf(stderr, "quan report --chain: %s\n", cause);
		free(cause);
		hub_close(h);
		cli_done(&c);
		return EXIT_FAIL;
	}
	hub_close(h);
	if (json) {
		json_t *j = hub_chain_json(&r, from, to);
		char *txt = json_dumps(j, JSON_COMPACT);

		printf("%s\n", txt);
		free(txt);
		json_decref(j);
	} else {
		hub_chain_text(&r, from, to, stdout);
	}
	hub_chain_free(&r);
	cli_done(&c);
	return EXIT_OK;
}
