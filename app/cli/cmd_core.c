/*
 * cmd_core.c — the headless core commands: import, check, redeem, void,
 * status, journal. Scripts rely on their JSON and exit codes (cmd.h):
 * 0 ok, 1 failure, 2 bad usage, 3 a coupon rejected, 4 work left pending.
 */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_common.h"
#include "cli/cmd.h"
#include "core/checkout.h"
#include "core/import.h"
#include "core/journal.h"
#include "core/report.h"
#include "core/session.h"
#include "core/settle.h"
#include "store/store.h"
#include "util/config.h"
#include "util/err.h"
#include "util/money.h"
#include "util/tm.h"
#include "util/xmem.h"

#define ARGS_MAX 64

/* Options shared by check and redeem. */
struct opts {
	int json;
	int64_t amount_fen;
	int has_amount;
	int64_t price_fen;       /* --price: EXCHANGE item price, -1 none */
	char *codes[ARGS_MAX];
	int ncodes;
};

int
cli_parse_money(const char *cmd, const char *opt, const char *v, int64_t *out)
{
	if (v == NULL || money_parse_yuan(v, out) != 0) {
		fprintf(stderr, "quan %s: %s needs a yuan amount with at most "
		    "two decimals (e.g. 12.50), got '%s'\n", cmd, opt,
		    v != NULL ? v : "");
		return EXIT_USAGE;
	}
	return 0;
}

static int
parse_opts(const char *cmd, int argc, char **argv, struct opts *o)
{
	int i, rc;

	memset(o, 0, sizeof *o);
	o->price_fen = -1;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--json") == 0)
			o->json = 1;
		else if (strcmp(a, "--amount") == 0) {
			if ((rc = cli_parse_money(cmd, a, i + 1 < argc ?
			    argv[i + 1] : NULL, &o->amount_fen)) != 0)
				return rc;
			o->has_amount = 1;
			i++;
		} else if (strncmp(a, "--amount=", 9) == 0) {
			if ((rc = cli_parse_money(cmd, "--amount", a + 9,
			    &o->amount_fen)) != 0)
				return rc;
			o->has_amount = 1;
		} else if (strcmp(a, "--price") == 0) {
			if ((rc = cli_parse_money(cmd, a, i + 1 < argc ?
			    argv[i + 1] : NULL, &o->price_fen)) != 0)
				return rc;
			i++;
		} else if (strcmp(a, "--") == 0) {
			for (i++; i < argc && o->ncodes < ARGS_MAX; i++)
				o->codes[o->ncodes++] = argv[i];
			break;
		} else if (a[0] == '-' && a[1] == '-') {
			fprintf(stderr, "quan %s: unknown option %s\n", cmd, a);
			return EXIT_USAGE;
		} else {
			if (o->ncodes >= ARGS_MAX) {
				fprintf(stderr, "quan %s: at most %d codes\n",
				    cmd, ARGS_MAX);
				return EXIT_USAGE;
			}
			o->codes[o->ncodes++] = argv[i];
		}
	}
	if (!o->has_amount) {
		fprintf(stderr, "quan %s: --amount YUAN is required\n", cmd);
		return EXIT_USAGE;
	}
	return 0;
}

int
cli_new_checkout(struct cli *c, const char *cmd, struct checkout **co)
{
	struct checkout_opts o;
	char *cause = NULL;

	memset(&o, 0, sizeof o);
	o.cfg = c->cfg;
	o.st = c->st;
	if (checkout_new(&o, co, &cause) != 0) {
		fprintf(stderr, "quan %s: %s\n", cmd,
		    cause != NULL ? cause : "cannot start checkout");
		free(cause);
		return EXIT_FAIL;
	}
	/* Sales made from the command line are the terminal's own. */
	checkout_set_cashier(*co, "cli");
	return 0;
}

json_t *
cli_line_json(const struct checkout_line *l, int full)
{
	json_t *o = json_object();

	json_object_set_new(o, "code", json_string(l->code));
	json_object_set_new(o, "kind", json_string(l->kind_id));
	json_object_set_new(o, "target", json_string(l->target));
	json_object_set_new(o, "type", json_string(l->coupon_type));
	json_object_set_new(o, "name", json_string(l->name));
	json_object_set_new(o, "state",
	    json_string(checkout_cstate_name(l->state)));
	json_object_set_new(o, "reason", json_string(l->reason));
	json_object_set_new(o, "discount_fen", json_integer(l->discount_fen));
	if (full) {
		json_object_set_new(o, "request_no",
		    json_string(l->request_no));
		json_object_set_new(o, "offline_reason",
		    json_string(l->offline_reason));
	}
	if (l->needs_confirm)
		json_object_set_new(o, "needs_confirm", json_true());
	if (l->verdict.need_fen > 0) {
		json_object_set_new(o, "need_fen",
		    json_integer(l->verdict.need_fen));
		json_object_set_new(o, "have_fen",
		    json_integer(l->verdict.have_fen));
	}
	if (l->verdict.next_at > 0)
		json_object_set_new(o, "next_at",
		    json_integer(l->verdict.next_at));
	return o;
}

void
cli_print_json(json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);

	if (s != NULL)
		printf("%s\n", s);
	free(s);
	fflush(stdout);
}

static void
print_line(const struct checkout_line *l)
{
	char d[32];

	printf("  %-24s %-9s %-16s %-10s -%s  %s\n", l->code, l->kind_id,
	    checkout_cstate_name(l->state), l->coupon_type,
	    money_format(l->discount_fen, d, sizeof d), l->reason);
}

/* Add a code from the command line (text may contain anything). */
int
cli_add_code(struct checkout *co, struct store *st, const char *cmd,
    const char *code, int64_t price)
{
	int rc = checkout_add(co, code, strlen(code), price, NULL);

	if (rc != 0) {
		/* a damaged database says so, with the next step */
		fprintf(stderr, "quan %s: cannot add code: %s\n", cmd,
		    store_damaged(st) ? store_errmsg(st) : quan_strerror(rc));
		return EXIT_FAIL;
	}
	return 0;
}

int
cmd_check(int argc, char **argv)
{
	struct cli c;
	struct opts o;
	struct checkout *co = NULL;
	const struct checkout_txn *t;
	const struct checkout_line *l;
	int rc;

	if ((rc = cli_init(&c, "check", &argc, argv, 0)) != 0)
		goto out;
	if ((rc = parse_opts("check", argc, argv, &o)) != 0)
		goto out;
	if (o.ncodes != 1) {
		fprintf(stderr, "usage: quan check [--json] --amount YUAN "
		    "[--price YUAN] CODE\n");
		rc = EXIT_USAGE;
		goto out;
	}
	if ((rc = cli_open_store(&c, "check", 0)) != 0)
		goto out;
	if ((rc = cli_new_checkout(&c, "check", &co)) != 0)
		goto out;
	checkout_open(co, o.amount_fen);
	if ((rc = cli_add_code(co, c.st, "check", o.codes[0], o.price_fen)) != 0)
		goto out;
	t = checkout_current(co);
	l = &t->lines[0];
	if (o.json) {
		json_t *j = cli_line_json(l, 0);

		json_object_set_new(j, "verdict", json_string(
		    l->state == CHECKOUT_PRICED ? "ok" : "rejected"));
		json_object_set_new(j, "amount_fen",
		    json_integer(t->amount_fen));
		json_object_set_new(j, "due_fen", json_integer(t->due_fen));
		cli_print_json(j);
		json_decref(j);
	} else {
		char a[32], d[32], u[32];

		printf("%s: %s (%s)\n", l->code[0] != '\0' ? l->code :
		    "(invalid)", l->state == CHECKOUT_PRICED ? "ok" :
		    "rejected", l->reason);
		printf("amount %s  discount %s  due %s\n",
		    money_format(t->amount_fen, a, sizeof a),
		    money_format(l->discount_fen, d, sizeof d),
		    money_format(t->due_fen, u, sizeof u));
	}
	{
		json_t *d = json_pack("{s:s, s:s, s:s, s:I}", "kind",
		    l->kind_id, "verdict", l->state == CHECKOUT_PRICED ? "ok" :
		    "rejected", "reason", l->reason, "discount_fen",
		    (json_int_t)l->discount_fen);

		if (checkout_journal(co, "check", 0, d) != 0)
			fprintf(stderr, "quan check: journal: %s\n",
			    store_errmsg(c.st));
		json_decref(d);
	}
	rc = l->state == CHECKOUT_PRICED ? EXIT_OK : EXIT_REJECTED;
	checkout_cancel(co);
out:
	checkout_free(co);
	cli_done(&c);
	return rc;
}

json_t *
cli_redeem_json(const struct checkout_txn *t)
{
	json_t *j = json_object(), *a = json_array();
	int i;

	json_object_set_new(j, "txn", json_integer(t->id));
	json_object_set_new(j, "amount_fen", json_integer(t->amount_fen));
	json_object_set_new(j, "discount_fen",
	    json_integer(t->discount_fen));
	json_object_set_new(j, "due_fen", json_integer(t->due_fen));
	for (i = 0; i < t->nlines; i++)
		json_array_append_new(a, cli_line_json(&t->lines[i], 1));
	json_object_set_new(j, "coupons", a);
	return j;
}

int
cmd_redeem(int argc, char **argv)
{
	struct cli c;
	struct opts o;
	struct checkout *co = NULL;
	const struct checkout_txn *t;
	void *online = NULL;
	int rc, i, nrec = 0, any_rej = 0, any_unk = 0;

	if ((rc = cli_init(&c, "redeem", &argc, argv, 0)) != 0)
		goto out;
	if ((rc = parse_opts("redeem", argc, argv, &o)) != 0)
		goto out;
	if (o.ncodes < 1 || o.ncodes > CHECKOUT_LINES_MAX) {
		fprintf(stderr, "usage: quan redeem [--json] --amount YUAN "
		    "[--price YUAN] CODE... (1 to %d codes)\n",
		    CHECKOUT_LINES_MAX);
		rc = EXIT_USAGE;
		goto out;
	}
	if ((rc = cli_open_store(&c, "redeem", CLI_STORE_CHECK_DUE)) != 0)
		goto out;
	if ((rc = cli_new_checkout(&c, "redeem", &co)) != 0)
		goto out;
	/* redeems interrupted by a crash are settled first */
	checkout_recover(co, cli_recover_age_s(c.cfg), &nrec);
	if (cli_online_attach(&c, co, &online) != 0) {
		/* a till whose WeChat step is configured but cannot start
		 * (refused key file, bad key, ...) must be noticed on day
		 * one, not run offline within the caps for days */
		fprintf(stderr, "quan redeem: nothing redeemed: the online "
		    "step is configured but cannot start (fix the "
		    "configuration, or remove [wechatpay]/[card] to decide "
		    "offline only)\n");
		online = NULL;
		rc = EXIT_FAIL;
		goto out;
	}
	checkout_open(co, o.amount_fen);
	for (i = 0; i < o.ncodes; i++)
		if ((rc = cli_add_code(co, c.st, "redeem", o.codes[i],
		    o.price_fen)) != 0)
			goto out;
	if ((rc = cli_online_redeem(online, co)) != 0) {
		fprintf(stderr, "quan redeem: %s\n", store_errmsg(c.st));
		rc = EXIT_FAIL;
		goto out;
	}
	t = checkout_current(co);
	if (checkout_close(co) != 0)
		fprintf(stderr, "quan redeem: close: %s\n", store_errmsg(c.st));
	for (i = 0; i < t->nlines; i++) {
		enum checkout_cstate s = t->lines[i].state;

		if (s == CHECKOUT_REJECTED || s == CHECKOUT_CONFLICT)
			any_rej = 1;
		else if (s != CHECKOUT_CONFIRMED &&
		    s != CHECKOUT_ACCEPTED_OFFLINE)
			any_unk = 1;
	}
	if (o.json) {
		json_t *j = cli_redeem_json(t);

		cli_print_json(j);
		json_decref(j);
	} else {
		char a[32], d[32], u[32];

		printf("txn %" PRId64 ": amount %s  discount %s  due %s\n",
		    t->id, money_format(t->amount_fen, a, sizeof a),
		    money_format(t->discount_fen, d, sizeof d),
		    money_format(t->due_fen, u, sizeof u));
		for (i = 0; i < t->nlines; i++)
			print_line(&t->lines[i]);
	}
	rc = any_rej ? EXIT_REJECTED : any_unk ? EXIT_PENDING : EXIT_OK;
out:
	if (online != NULL)
		cli_online_detach(online);
	checkout_free(co);
	cli_done(&c);
	return rc;
}

/* The manager's PIN for quan void --by: 0 when it is a manager's; else a
 * message and EXIT_FAIL. Counted and journaled as at the till. */
static int
void_pin(struct cli *c, const char *by, const char *pin, int64_t txn)
{
	enum staff_role role;
	int64_t now = tm_now(), until;
	char t[24];
	json_t *d;
	int rc, res;

	/* the try and the sale it was for */
	snprintf(t, sizeof t, "%lld", (long long)txn);
	d = json_pack("{s:s, s:s, s:s, s:s}", "who", by, "what", "void",
	    "txn", t, "cashier", "cli");
	if (staff_locked(c->st, now, &until) == 1) {
		json_object_set_new(d, "why", json_string("locked"));
		(void)staff_try(c->st, now, -1, "login_failed", d);
		fprintf(stderr, "quan void: too many wrong PINs: locked for "
		    "%lld s more\n", (long long)(until - now));
		goto out;
	}
	rc = staff_check(c->data_dir, by, pin, &role);
	if (rc == QUAN_ENOTFOUND) {
		fprintf(stderr, "quan void: no staff yet: run quan staff "
		    "add\n");
		goto out;
	}
	res = rc == 0;
	if (rc == 0 && role != STAFF_MANAGER)
		json_object_set_new(d, "why", json_string("not a manager"));
	rc = staff_try(c->st, now, res, !res ? "login_failed" :
	    role != STAFF_MANAGER ? "approval_refused" : NULL, d);
	if (rc != 0)
		fprintf(stderr, "quan void: %s\n", store_errmsg(c->st));
	else if (!res)
		fprintf(stderr, "quan void: wrong manager id or PIN%s\n",
		    staff_locked(c->st, now, &until) == 1 ? " (too many: "
		    "locked for a minute)" : "");
	else if (role != STAFF_MANAGER)
		fprintf(stderr, "quan void: a manager's PIN is needed\n");
	else {
		json_decref(d);
		return 0;
	}
out:
	json_decref(d);
	return EXIT_FAIL;
}

int
cmd_void(int argc, char **argv)
{
	struct cli c;
	struct checkout *co = NULL;
	struct checkout_txn t;
	char *end, *cause = NULL, pin[64], *nl;
	long long id = 0;
	int rc, i, json = 0;
	const char *arg = NULL, *by = NULL, *why = NULL;

	if ((rc = cli_init(&c, "void", &argc, argv, 0)) != 0)
		goto out;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--by") == 0 && i + 1 < argc)
			by = argv[++i];
		else if (strcmp(argv[i], "--reason") == 0 && i + 1 < argc)
			why = argv[++i];
		else if (arg == NULL)
			arg = argv[i];
		else
			arg = "";
	}
	if (arg != NULL && *arg != '\0')
		id = strtoll(arg, &end, 10);
	if (arg == NULL || *arg == '\0' || *end != '\0' || id <= 0 ||
	    (why != NULL && by == NULL)) {
		fprintf(stderr, "usage: quan void [--json] [--by MANAGER "
		    "[--reason TEXT]] TXN (a transaction number; the "
		    "manager's PIN on stdin)\n");
		rc = EXIT_USAGE;
		goto out;
	}
	if (by != NULL && fgets(pin, sizeof pin, stdin) == NULL) {
		fprintf(stderr, "quan void: --by %s: no PIN on stdin\n", by);
		rc = EXIT_USAGE;
		goto out;
	}
	if ((rc = cli_open_store(&c, "void", 0)) != 0)
		goto out;
	if (by != NULL) {
		/* who voided, checked like at the till: a manager's PIN,
		 * the same lockout (shared with the till, kept in the
		 * store), every try journaled */
		if ((nl = strchr(pin, '\n')) != NULL)
			*nl = '\0';
		rc = void_pin(&c, by, pin, id);
		memset(pin, 0, sizeof pin);
		if (rc != 0)
			goto out;
	}
	if ((rc = cli_new_checkout(&c, "void", &co)) != 0)
		goto out;
	if ((rc = checkout_void(co, id, by != NULL ? by : "cli",
	    &cause)) != 0) {
		fprintf(stderr, "quan void: %s\n", cause != NULL ? cause :
		    quan_strerror(rc));
		free(cause);
		/* no such sale, or not voidable: a failure, the usage was
		 * right */
		rc = EXIT_FAIL;
		goto out;
	}
	if (by != NULL) {
		/* the approval once the act is done: none for a void that
		 * failed */
		json_t *d = json_pack("{s:s, s:s, s:s}", "who", by, "what",
		    "void", "why", why != NULL ? why : "");

		if (checkout_journal(co, "approval", id, d) != 0)
			fprintf(stderr, "quan void: journal: %s\n",
			    store_errmsg(c.st));
		json_decref(d);
	}
	if ((rc = checkout_load(co, id, &t)) != 0) {
		fprintf(stderr, "quan void: %s\n", store_errmsg(c.st));
		rc = EXIT_FAIL;
		goto out;
	}
	if (json) {
		json_t *j = json_object(), *a = json_array();

		json_object_set_new(j, "txn", json_integer(t.id));
		json_object_set_new(j, "state", json_string("voided"));
		for (i = 0; i < t.nlines; i++)
			json_array_append_new(a, cli_line_json(&t.lines[i], 1));
		json_object_set_new(j, "coupons", a);
		a = json_array();
		for (i = 0; i < t.nlines; i++)
			if (strcmp(t.lines[i].reason,
			    "voided_not_returnable") == 0)
				json_array_append_new(a,
				    json_string(t.lines[i].code));
		/* card codes consumed at WeChat: no return exists */
		json_object_set_new(j, "not_returnable", a);
		cli_print_json(j);
		json_decref(j);
	} else {
		int kept = 0;

		printf("txn %lld voided\n", id);
		for (i = 0; i < t.nlines; i++) {
			print_line(&t.lines[i]);
			kept += strcmp(t.lines[i].reason,
			    "voided_not_returnable") == 0;
		}
		if (kept > 0) {
			printf("not returnable (card coupons already used at "
			    "WeChat; the card API has no return):");
			for (i = 0; i < t.nlines; i++)
				if (strcmp(t.lines[i].reason,
				    "voided_not_returnable") == 0)
					printf(" %s", t.lines[i].code);
			printf("\n");
		}
	}
	rc = EXIT_OK;
out:
	checkout_free(co);
	cli_done(&c);
	return rc;
}

static int
count_cb(void *arg, const char *state, int64_t n, int64_t fen)
{
	json_t *o = arg, *e = json_object();

	json_object_set_new(e, "count", json_integer(n));
	json_object_set_new(e, "discount_fen", json_integer(fen));
	json_object_set_new(o, state, e);
	return 0;
}

struct defs_ctx {
	json_t *a;
	int64_t now;
};

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

static int
def_cb(void *arg, enum store_kind kind, const struct store_def *d)
{
	struct defs_ctx *x = arg;

	json_array_append_new(x->a, json_pack("{s:s, s:s, s:s, s:s, s:I}",
	    "kind", kind == STORE_CARD ? "card" : "stock", "id", d->id,
	    "type", d->type, "state", d->state, "age_s",
	    (json_int_t)(x->now - d->fetched_at)));
	return 0;
}

int
cmd_status(int argc, char **argv)
{
	struct cli c;
	struct store_cache_stats cs;
	struct report_figs rf;
	int64_t pend = 0, unk = 0, cnt = 0, expo = 0, now;
	json_t *j = NULL, *reds;
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
	if ((rc = cli_open_store(&c, "status", CLI_STORE_RO_OK |
	    CLI_STORE_CHECK)) != 0)
		goto out;
	now = tm_now();
	reds = json_object();
	j = json_object();
	if (store_outbox_depth(c.st, &pend, &unk) != 0 ||
	    store_red_counts(c.st, 0, INT64_MAX, count_cb, reds) != 0 ||
	    report_period(c.st, 0, INT64_MAX, &rf) != 0 ||
	    store_cache_stats(c.st, &cs) != 0 ||
	    store_offline_stats(c.st, now - 3600, &cnt, &expo) != 0) {
		json_decref(reds);
		fprintf(stderr, "quan status: %s\n", store_errmsg(c.st));
		rc = EXIT_FAIL;
		goto out;
	}
	json_object_set_new(j, "terminal", json_string(c.cfg->term_id));
	json_object_set_new(j, "data_dir", json_string(c.data_dir));
	json_object_set_new(j, "outbox", json_pack("{s:I, s:I, s:I}",
	    "depth", (json_int_t)(pend + unk), "pending", (json_int_t)pend,
	    "unknown", (json_int_t)unk));
	json_object_set_new(j, "redemptions", reds);
	/* what customers were given, as the X/Z and quan report count it */
	json_object_set_new(j, "redeemed", json_pack("{s:I, s:I}", "count",
	    (json_int_t)rf.n[REPORT_REDEEMED], "fen",
	    (json_int_t)rf.fen[REPORT_REDEEMED]));
	json_object_set_new(j, "offline", json_pack("{s:I, s:I}",
	    "last_hour", (json_int_t)cnt, "exposure_fen", (json_int_t)expo));
	{
		struct store_pay_sums ps;

		if (report_payments(c.st, 0, INT64_MAX, &ps) == 0)
			json_object_set_new(j, "payments",
			    cli_pay_sums_json(&ps));
	}
	json_object_set_new(j, "cache", json_pack("{s:I, s:I, s:I, s:I, s:I}",
	    "stocks", (json_int_t)cs.stocks, "cards", (json_int_t)cs.cards,
	    "codes", (json_int_t)cs.codes,
	    "stock_age_s", (json_int_t)(cs.stocks > 0 ?
	    now - cs.oldest_stock : -1),
	    "card_age_s", (json_int_t)(cs.cards > 0 ?
	    now - cs.oldest_card : -1)));
	{
		struct defs_ctx x;

		x.a = json_array();
		x.now = now;
		if (store_def_list(c.st, def_cb, &x) != 0) {
			json_decref(x.a);
			fprintf(stderr, "quan status: %s\n",
			    store_errmsg(c.st));
			rc = EXIT_FAIL;
			goto out;
		}
		json_object_set_new(j, "definitions", x.a);
	}
	{
		/* a configured WeChat client that cannot start is a
		 * configuration error, not "offline" */
		char *why = NULL;
		int on = cli_online_check(c.cfg, &why);

		json_object_set_new(j, "online_step", json_pack("{s:s, s:s}",
		    "state", on == 0 ? "ready" : on > 0 ? "not_configured" :
		    "config_error", "error", why != NULL ? why : ""));
		free(why);
	}
	{
		/* as the last sync of any process on this data dir saw it:
		 * online, offline, or tls_error (a certificate refused) */
		char ns[32], ne[SYNC_MSG_MAX], at[40];
		int64_t since = 0;

		if (settle_net_saved(c.st, ns, sizeof ns, &since, ne,
		    sizeof ne) == 0)
			json_object_set_new(j, "network", json_pack(
			    "{s:s, s:I, s:s, s:s}", "state", ns, "since",
			    (json_int_t)since, "since_at", tm_rfc3339(since,
			    at, sizeof at), "error", ne));
	}
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

/* Open the archive files named by --archive (read-only). */
static int
open_archives(int argc, char **argv, struct store ***arcs,
    const char ***names, size_t *n)
{
	char *cause = NULL;
	int i;

	*n = 0;
	*arcs = xcalloc((size_t)argc, sizeof **arcs);
	*names = xcalloc((size_t)argc, sizeof **names);
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--archive") != 0 || i + 1 >= argc)
			return EXIT_USAGE;
		(*names)[*n] = argv[++i];
		if (store_open(argv[i], STORE_O_READONLY | STORE_O_OLDER_OK,
		    &(*arcs)[*n],
		    &cause) != 0) {
			fprintf(stderr, "quan journal: %s\n", cause);
			free(cause);
			return EXIT_FAIL;
		}
		(*n)++;
	}
	return 0;
}

/* Which entries were checked how, and the head to hold against the one
 * on the last Z report (the chain cannot show its newest entries
 * deleted). */
static void
print_check(const struct journal_check *j, size_t narcs)
{
	printf("journal ok: %" PRId64 " entries%s, chain intact up to entry %"
	    PRId64 ", head %s\n", j->n, narcs > 0 ? " (archives and live)" :
	    "", j->head_seq, j->head);
	if (j->legacy_first != 0)
		printf("  entries %" PRId64 "-%" PRId64 ": legacy segment, "
		    "unkeyed SHA-256 (written before this quan keyed the "
		    "journal: anyone could have rewritten them)\n",
		    j->legacy_first, j->legacy_last);
	if (j->keyed_first != 0)
		printf("  entries %" PRId64 "-%" PRId64 ": keyed segment, "
		    "HMAC-SHA256 with %s%s\n", j->keyed_first, j->keyed_last,
		    j->key_path, j->legacy_first != 0 ? ", chained to the "
		    "legacy one" : "");
	else
		printf("  no keyed entry yet (keyed from entry %" PRId64
		    " on)\n", j->keyed_from);
	printf("  compare the head with the one on the last Z report: "
	    "entries deleted after it cannot be seen otherwise\n");
}

int
cmd_journal(int argc, char **argv)
{
	struct cli c;
	struct store **arcs = NULL;
	const char **names = NULL;
	char *cause = NULL;
	struct journal_check jc;
	size_t narcs = 0, i;
	int rc;

	if ((rc = cli_init(&c, "journal", &argc, argv, 0)) != 0)
		goto out;
	if (argc < 2 || strcmp(argv[1], "verify") != 0 ||
	    (rc = open_archives(argc, argv, &arcs, &names, &narcs)) ==
	    EXIT_USAGE) {
		fprintf(stderr, "usage: quan journal verify "
		    "[--archive FILE]...\n");
		rc = EXIT_USAGE;
		goto out;
	}
	if (rc != 0)
		goto out;
	if ((rc = cli_open_store(&c, "journal", CLI_STORE_RO_OK)) != 0)
		goto out;
	/* a chain that verifies says nothing about the other pages: the
	 * whole file is checked first */
	if (store_check(c.st) != 0) {
		/* the store's words say what to do next */
		fprintf(stderr, "quan journal: %s\n", store_errmsg(c.st));
		rc = EXIT_FAIL;
		goto out;
	}
	for (i = 0; i < narcs; i++)
		if (store_check(arcs[i]) != 0) {
			fprintf(stderr, "quan journal: archive damaged: %s\n",
			    store_errmsg(arcs[i]));
			rc = EXIT_FAIL;
			goto out;
		}
	if ((rc = journal_check(c.st, arcs, names, narcs, &jc, &cause)) !=
	    0) {
		fprintf(stderr, "quan journal: verify FAILED: %s\n",
		    cause != NULL ? cause : quan_strerror(rc));
		free(cause);
		rc = EXIT_FAIL;
		goto out;
	}
	print_check(&jc, narcs);
	rc = EXIT_OK;
out:
	for (i = 0; i < narcs; i++)
		store_close(arcs[i]);
	free(arcs);
	free(names);
	cli_done(&c);
	return rc;
}

int
cmd_import(int argc, char **argv)
{
	struct cli c;
	char *cause = NULL;
	int64_t n = 0, now;
	struct store_import_counts ic;
	int rc;
	const char *what, *path;

	memset(&ic, 0, sizeof ic);
	if ((rc = cli_init(&c, "import", &argc, argv, 0)) != 0)
		goto out;
	if (argc != 3 || (strcmp(argv[1], "stocks") != 0 &&
	    strcmp(argv[1], "cards") != 0 && strcmp(argv[1], "codes") != 0)) {
		fprintf(stderr, "usage: quan import stocks|cards|codes FILE\n");
		rc = EXIT_USAGE;
		goto out;
	}
	what = argv[1];
	path = argv[2];
	if ((rc = cli_open_store(&c, "import", 0)) != 0)
		goto out;
	now = tm_now();
	if (what[1] == 't')
		rc = import_stocks(c.st, path, now, &n, &cause);
	else if (what[1] == 'a')
		rc = import_cards(c.st, path, now, &n, &cause);
	else {
		FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "re");

		if (fp == NULL) {
			cause = xasprintf("%s: cannot open: %s", path,
			    strerror(errno));
			rc = QUAN_ENOTFOUND;
		} else {
			rc = import_codes(c.st, fp, path, now, &n, &ic,
			    &cause);
			if (fp != stdin)
				fclose(fp);
		}
	}
	if (rc != 0) {
		fprintf(stderr, "quan import: %s (nothing imported)\n",
		    cause != NULL ? cause : quan_strerror(rc));
		free(cause);
		rc = EXIT_FAIL;
		goto out;
	}
	{
		json_t *d = json_pack("{s:s, s:I}", "what", what, "count",
		    (json_int_t)n);
		struct checkout *co = NULL;

		if (cli_new_checkout(&c, "import", &co) == 0) {
			if (checkout_journal(co, "import", 0, d) != 0)
				fprintf(stderr, "quan import: journal: %s\n",
				    store_errmsg(c.st));
			checkout_free(co);
		}
		json_decref(d);
	}
	/* "1 code", "2 codes": what was stored, then what was not */
	printf("imported %" PRId64 " %.*s", n,
	    (int)strlen(what) - (n == 1 ? 1 : 0), what);
	if (ic.updated + ic.unchanged + ic.kept + ic.duplicates > 0)
		printf(" (%" PRId64 " new, %" PRId64 " updated); %" PRId64
		    " already known as they are, %" PRId64 " already used "
		    "(kept), %" PRId64 " repeated lines", ic.added, ic.updated,
		    ic.unchanged, ic.kept, ic.duplicates);
	printf("\n");
	rc = EXIT_OK;
out:
	cli_done(&c);
	return rc;
}
