/*
 * cmd_status.c — `quan status`: the outbox, redemptions by state,
 * offline exposure, the cache (core/report.h), the online step and the
 * network as last seen, as text or JSON.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli_common.h"
#include "cli/cmd.h"
#include "core/report.h"
#include "net/runtime.h"
#include "util/config.h"
#include "util/money.h"
#include "util/tm.h"

static int64_t
jint(const json_t *o, const char *k)
{
	return (int64_t)json_integer_value(json_object_get(o, k));
}

/* `quan status` for a person (--json gives the same as one object). */
static void
print_status_text(const json_t *j)
{
	const json_t *ob = json_object_get(j, "outbox");
	const json_t *off = json_object_get(j, "offline");
	const json_t *ca = json_object_get(j, "cache");
	const json_t *on = json_object_get(j, "online_step");
	const json_t *reds = json_object_get(j, "redemptions"), *e;
	const char *k, *st = json_string_value(json_object_get(on, "state"));
	char m[32];
	size_t i;

	printf("terminal %s, data %s\n",
	    json_string_value(json_object_get(j, "terminal")),
	    json_string_value(json_object_get(j, "data_dir")));
	{
		/* first, so it is not missed */
		const json_t *a = json_object_get(json_object_get(j,
		    "alarms"), "refund_abnormal");

		if (jint(a, "count") > 0)
			printf("ALARM: %" PRId64 " refund(s) ABNORMAL, %s: %s\n",
			    jint(a, "count"), money_format(jint(a, "fen"), m,
			    sizeof m), json_string_value(json_object_get(a,
			    "words")));
	}
	printf("online step: %s%s%s\n", st != NULL ? st : "?",
	    st != NULL && strcmp(st, "config_error") == 0 ? ": " : "",
	    st != NULL && strcmp(st, "config_error") == 0 ?
	    json_string_value(json_object_get(on, "error")) : "");
	{
		const json_t *nw = json_object_get(j, "network");
		const char *ns = json_string_value(json_object_get(nw,
		    "state"));
		const char *ne = json_string_value(json_object_get(nw,
		    "error"));

		if (ns == NULL)
			printf("network: not known yet (no sync has run)\n");
		else
			printf("network: %s since %s%s%s\n", ns,
			    json_string_value(json_object_get(nw, "since_at")),
			    ne != NULL && ne[0] != '\0' ? ": " : "",
			    ne != NULL ? ne : "");
	}
	printf("outbox: %" PRId64 " to settle (%" PRId64 " pending, %" PRId64
	    " sent, outcome unknown)\n", jint(ob, "depth"),
	    jint(ob, "pending"), jint(ob, "unknown"));
	printf("coupons by state:");
	json_object_foreach((json_t *)reds, k, e)
		printf(" %s %" PRId64 " (%s)", k, jint(e, "count"),
		    money_format(jint(e, "discount_fen"), m, sizeof m));
	printf("%s\n", json_object_size(reds) == 0 ? " none" : "");
	printf("redeemed: %" PRId64 " coupons, %s\n",
	    jint(json_object_get(j, "redeemed"), "count"),
	    money_format(jint(json_object_get(j, "redeemed"), "fen"), m,
	    sizeof m));
	printf("offline: %" PRId64 " accepted in the last hour, unsettled "
	    "exposure %s\n", jint(off, "last_hour"),
	    money_format(jint(off, "exposure_fen"), m, sizeof m));
	printf("cache: %" PRId64 " stocks, %" PRId64 " cards, %" PRId64
	    " codes\n", jint(ca, "stocks"), jint(ca, "cards"),
	    jint(ca, "codes"));
	for (i = 0; i < json_array_size(json_object_get(j, "definitions"));
	    i++) {
		e = json_array_get(json_object_get(j, "definitions"), i);
		printf("  %s %s %s %s, fetched %" PRId64 " s ago\n",
		    json_string_value(json_object_get(e, "kind")),
		    json_string_value(json_object_get(e, "id")),
		    json_string_value(json_object_get(e, "type")),
		    json_string_value(json_object_get(e, "state")),
		    jint(e, "age_s"));
	}
}

int
cmd_status(int argc, char **argv)
{
	struct cli c;
	json_t *j = NULL;
	char *cause = NULL;
	int rc, i, json = 0;

	if ((rc = cli_init(&c, "status", &argc, argv, 0)) != 0)
		goto out;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else {
			fprintf(stderr, "usage: quan status [--json]\n");
			rc = EXIT_USAGE;
			goto out;
		}
	}
	if ((rc = cli_open_store(&c, "status", DATAFILE_RO_OK |
	    DATAFILE_CHECK)) != 0)
		goto out;
	j = json_object();
	json_object_set_new(j, "terminal", json_string(c.cfg->term_id));
	json_object_set_new(j, "data_dir", json_string(c.data_dir));
	if (report_status_json(c.st, tm_now(), j, &cause) != 0) {
		fprintf(stderr, "quan status: %s\n", cause);
		free(cause);
		rc = EXIT_FAIL;
		goto out;
	}
	{
		/* a configured WeChat client that cannot start is a
		 * configuration error, not "offline" */
		char *why = NULL;
		int on = net_rt_check(c.cfg, &why);

		json_object_set_new(j, "online_step", json_pack("{s:s, s:s}",
		    "state", on == 0 ? "ready" : on > 0 ? "not_configured" :
		    "config_error", "error", why != NULL ? why : ""));
		free(why);
	}
	report_network_json(c.st, j);
	if (json)
		cli_print_json(j);
	else
		print_status_text(j);
	rc = EXIT_OK;
out:
	json_decref(j);
	cli_done(&c);
	return rc;
}
