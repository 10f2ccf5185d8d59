/*
 * hub.c — the store hub's connection, schema and statements (see hub.h).
 * libpq does the protocol, TLS and authentication; this file decides what
 * a till may connect to and says what the hub answered in QUAN_E* codes.
 */
#include <errno.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hub/hub.h"
#include "hub/hub_int.h"
#include "util/config.h"
#include "util/err.h"
#include "util/log.h"
#include "util/str.h"
#include "util/xmem.h"

struct hub {
	PGconn *pg;
	int ok;
};

/* --- the dsn ------------------------------------------------------------ */

static int
is_local_host(const char *h)
{
	if (h == NULL || h[0] == '\0' || h[0] == '/' || h[0] == '@')
		return 1; /* default or a Unix socket directory */
	return strcmp(h, "localhost") == 0 || strncmp(h, "127.", 4) == 0 ||
	    strcmp(h, "::1") == 0;
}

/* Every comma-separated host of a multi-host list is local. */
static int
all_local(const char *list)
{
	char buf[512], *p, *save = NULL;

	if (list == NULL || list[0] == '\0')
		return 1;
	str_copy(buf, sizeof buf, list);
	for (p = strtok_r(buf, ",", &save); p != NULL;
	    p = strtok_r(NULL, ",", &save))
		if (!is_local_host(p))
			return 0;
	return 1;
}

int
hub_dsn_check(const char *dsn, char **cause)
{
	PQconninfoOption *opts, *o;
	char *err = NULL;
	const char *host = NULL, *hostaddr = NULL, *ssl = NULL;
	const char *passfile = NULL;
	int rc = QUAN_OK;

	if (dsn == NULL || dsn[0] == '\0') {
		*cause = xstrdup("[hub] dsn is empty");
		return QUAN_ECONFIG;
	}
	if ((opts = PQconninfoParse(dsn, &err)) == NULL) {
		/* libpq's words name the bad part; the dsn may hold a
		 * password, so it is not repeated */
		*cause = xasprintf("[hub] dsn: %s", err != NULL ? err :
		    "cannot be parsed");
		if (err != NULL)
			PQfreemem(err);
		return QUAN_ECONFIG;
	}
	for (o = opts; o->keyword != NULL; o++) {
		if (o->val == NULL)
			continue;
		if (strcmp(o->keyword, "host") == 0)
			host = o->val;
		else if (strcmp(o->keyword, "hostaddr") == 0)
			hostaddr = o->val;
		else if (strcmp(o->keyword, "sslmode") == 0)
			ssl = o->val;
		else if (strcmp(o->keyword, "passfile") == 0)
			passfile = o->val;
		else if (strcmp(o->keyword, "password") == 0 &&
		    o->val[0] != '\0' && rc == QUAN_OK) {
			*cause = xstrdup("[hub] dsn: no password= in the "
			    "configuration: put it in a passfile (mode 0600, "
			    "passfile=PATH) or use a client certificate");
			rc = QUAN_ECONFIG;
		}
	}
	if (rc == QUAN_OK && passfile != NULL && passfile[0] != '\0' &&
	    config_check_key_file(passfile, cause) != 0)
		rc = QUAN_ECONFIG;
	if (rc == QUAN_OK && !(all_local(host) && all_local(hostaddr)) &&
	    (ssl == NULL || (strcmp(ssl, "require") != 0 &&
	    strcmp(ssl, "verify-ca") != 0 &&
	    strcmp(ssl, "verify-full") != 0))) {
		*cause = xasprintf("[hub] dsn: the hub is not on this machine: "
		    "TLS is required (sslmode=verify-full with sslrootcert, "
		    "or require), not sslmode=%s", ssl != NULL ? ssl :
		    "(none)");
		rc = QUAN_ECONFIG;
	}
	PQconninfoFree(opts);
	return rc;
}

/* --- connection --------------------------------------------------------- */

static void notice_quiet(void *arg, const char *msg)
{
	(void)arg;
	log_debug("hub: %s", msg);
}

/* A connection refusal in QUAN_E*: libpq gives words only, read here
 * once, at the edge. */
static int
connect_rc(const char *msg)
{
	if (strstr(msg, "password") != NULL ||
	    strstr(msg, "authentication") != NULL ||
	    strstr(msg, "no pg_hba.conf entry") != NULL ||
	    strstr(msg, "permission denied") != NULL)
		return QUAN_EPERM;
	if (strstr(msg, "SSL") != NULL || strstr(msg, "certificate") != NULL)
		return QUAN_ETLS;
	return QUAN_ENET;
}

int
hub_open(const char *dsn, int connect_timeout_s, int stmt_timeout_ms,
    struct hub **out, char **cause)
{
	const char *keys[3] = {"dbname", "connect_timeout", NULL};
	const char *vals[3];
	char tmo[16], sql[160], *m;
	struct hub *h;
	PGresult *res;
	int rc;

	*out = NULL;
	if ((rc = hub_dsn_check(dsn, cause)) != 0)
		return rc;
	snprintf(tmo, sizeof tmo, "%d", connect_timeout_s > 0 ?
	    connect_timeout_s : 2);
	vals[0] = dsn;  /* expand_dbname: the dsn, then our timeout */
	vals[1] = tmo;
	vals[2] = NULL;
	h = xcalloc(1, sizeof *h);
	h->pg = PQconnectdbParams(keys, vals, 1);
	if (h->pg == NULL || PQstatus(h->pg) != CONNECTION_OK) {
		m = xstrdup(h->pg != NULL ? PQerrorMessage(h->pg) :
		    "out of memory");
		m[strcspn(m, "\n")] = '\0';
		rc = connect_rc(m);
		*cause = xasprintf("hub: cannot connect: %s", m);
		free(m);
		hub_close(h);
		return rc;
	}
	PQsetNoticeProcessor(h->pg, notice_quiet, NULL);
	snprintf(sql, sizeof sql, "SET lock_timeout = %d; "
	    "SET statement_timeout = %d; SET application_name = 'quan'",
	    stmt_timeout_ms > 0 ? stmt_timeout_ms : 2000,
	    stmt_timeout_ms > 0 ? stmt_timeout_ms * 2 : 4000);
	res = PQexec(h->pg, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		*cause = xasprintf("hub: %s", PQresultErrorMessage(res));
		PQclear(res);
		hub_close(h);
		return QUAN_ENET;
	}
	PQclear(res);
	h->ok = 1;
	*out = h;
	return QUAN_OK;
}

void
hub_close(struct hub *h)
{
	if (h == NULL)
		return;
	if (h->pg != NULL)
		PQfinish(h->pg);
	free(h);
}

int
hub_ok(const struct hub *h)
{
	return h != NULL && h->ok && PQstatus(h->pg) == CONNECTION_OK;
}

/* A failed statement in QUAN_E*: lock or statement timeout = busy (the
 * till treats it as down), a lost connection = net. */
static int
res_rc(struct hub *h, PGresult *res)
{
	const char *st = res != NULL ?
	    PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	if (PQstatus(h->pg) != CONNECTION_OK) {
		h->ok = 0;
		return QUAN_ENET;
	}
	if (st == NULL)
		return QUAN_EIO;
	if (strcmp(st, "55P03") == 0 || strcmp(st, "57014") == 0 ||
	    strcmp(st, "40001") == 0 || strcmp(st, "40P01") == 0)
		return QUAN_EBUSY;
	if (strncmp(st, "42", 2) == 0 && strcmp(st, "42501") != 0)
		return QUAN_ENOTSUP; /* schema not as expected */
	if (strcmp(st, "42501") == 0 || strncmp(st, "28", 2) == 0)
		return QUAN_EPERM;
	if (strncmp(st, "08", 2) == 0 || strncmp(st, "57", 2) == 0) {
		h->ok = 0;
		return QUAN_ENET;
	}
	return QUAN_EIO;
}

static char *
res_msg(struct hub *h, PGresult *res)
{
	const char *m = res != NULL ? PQresultErrorMessage(res) : "";
	char *s;

	if (m == NULL || m[0] == '\0')
		m = PQerrorMessage(h->pg);
	s = xstrdup(m);
	s[strcspn(s, "\n")] = '\0';
	return s;
}

/* A statement that failed: its QUAN_E*, its words in *cause. */
static int
failed(struct hub *h, PGresult *res, char **cause)
{
	int rc = res_rc(h, res);
	char *m;

	if (cause != NULL) {
		m = res_msg(h, res);
		*cause = xasprintf("hub: %s", m);
		free(m);
	}
	PQclear(res);
	return rc;
}

int
hub_q(struct hub *h, const char *sql, int n, const char *const *vals,
    int want, PGresult **out, char **cause)
{
	PGresult *res;

	*out = NULL;
	res = PQexecParams(h->pg, sql, n, NULL, vals, NULL, NULL, 0);
	if (PQresultStatus(res) == (want ? PGRES_TUPLES_OK :
	    PGRES_COMMAND_OK)) {
		*out = res;
		return QUAN_OK;
	}
	return failed(h, res, cause);
}

int
hub_exec(struct hub *h, const char *sql, char **cause)
{
	PGresult *res = PQexec(h->pg, sql);

	if (PQresultStatus(res) == PGRES_COMMAND_OK ||
	    PQresultStatus(res) == PGRES_TUPLES_OK) {
		PQclear(res);
		return QUAN_OK;
	}
	return failed(h, res, cause);
}

int
hub_query1(struct hub *h, const char *sql, char *out, size_t n,
    char **cause)
{
	PGresult *res;
	int rc;

	out[0] = '\0';
	if ((rc = hub_q(h, sql, 0, NULL, 1, &res, cause)) != 0)
		return rc;
	if (PQntuples(res) > 0 && PQnfields(res) > 0)
		str_copy(out, n, PQgetvalue(res, 0, 0));
	PQclear(res);
	return QUAN_OK;
}

void
hub_rollback(struct hub *h)
{
	PGresult *res = PQexec(h->pg, "ROLLBACK");

	PQclear(res);
}

/* --- schema ------------------------------------------------------------- */

/* The highest version in table (0: no table yet). */
static int
version_of(struct hub *h, const char *table, int *version, char **cause)
{
	char v[32], sql[96];
	int rc;

	*version = 0;
	snprintf(sql, sizeof sql, "SELECT to_regclass('%s') IS NOT NULL",
	    table);
	if ((rc = hub_query1(h, sql, v, sizeof v, cause)) != 0)
		return rc;
	if (v[0] != 't')
		return QUAN_OK;
	snprintf(sql, sizeof sql, "SELECT coalesce(max(version), 0) FROM %s",
	    table);
	if ((rc = hub_query1(h, sql, v, sizeof v, cause)) != 0)
		return rc;
	*version = (int)strtol(v, NULL, 10);
	return QUAN_OK;
}

int
hub_version(struct hub *h, int *version, char **cause)
{
	return version_of(h, "quan_schema", version, cause);
}

int
hub_migrate(struct hub *h, const struct hub_schema *sc, int *from,
    char **cause)
{
	char sql[96];
	int rc, v, i;

	/* one migration at a time: a second waits on the advisory lock,
	 * then sees the first's version */
	snprintf(sql, sizeof sql, "BEGIN; SELECT pg_advisory_xact_lock(%ld)",
	    sc->lock_key);
	if ((rc = hub_exec(h, sql, cause)) != 0)
		return rc;
	if ((rc = version_of(h, sc->table, &v, cause)) != 0)
		goto bad;
	*from = v;
	if (v > sc->version) {
		*cause = xasprintf("%s: schema version %d is newer than this "
		    "quan knows (%d): upgrade quan", sc->what, v,
		    sc->version);
		rc = QUAN_ENOTSUP;
		goto bad;
	}
	for (i = v; i < sc->version; i++) {
		if ((rc = hub_exec(h, sc->steps[i], cause)) != 0)
			goto bad;
		snprintf(sql, sizeof sql, "INSERT INTO %s(version) VALUES(%d)",
		    sc->table, i + 1);
		if ((rc = hub_exec(h, sql, cause)) != 0)
			goto bad;
	}
	return hub_exec(h, "COMMIT", cause);
bad:
	hub_rollback(h);
	return rc;
}

int
hub_init(struct hub *h, int *from, char **cause)
{
	const struct hub_schema sc = {"quan_schema", "hub", 7239120001L,
	    HUB_SCHEMA_VERSION, hub_migrations};

	return hub_migrate(h, &sc, from, cause);
}

int
hub_check_schema(struct hub *h, char **cause)
{
	int rc, v;

	if ((rc = hub_version(h, &v, cause)) != 0)
		return rc;
	if (v == 0) {
		*cause = xstrdup("hub: no quan schema: run `quan hub init`");
		return QUAN_ENOTFOUND;
	}
	if (v > HUB_SCHEMA_VERSION) {
		*cause = xasprintf("hub: schema version %d is newer than this "
		    "quan knows (%d): upgrade quan on this till", v,
		    HUB_SCHEMA_VERSION);
		return QUAN_ENOTSUP;
	}
	if (v < HUB_SCHEMA_VERSION) {
		*cause = xasprintf("hub: schema version %d is older than this "
		    "quan's (%d): run `quan hub init`", v, HUB_SCHEMA_VERSION);
		return QUAN_ENOTSUP;
	}
	return QUAN_OK;
}

/* --- claims ------------------------------------------------------------- */

/* One statement, one round trip: take the code when it is free (no row,
 * or released) or already ours, else return who holds it. The fallback
 * SELECT sees the statement's snapshot: a claim committed by another
 * lane while this one waited on its row is not in it, so an empty result
 * is asked again (the next statement's snapshot has it). */
static const char claim_sql[] =
    "WITH ins AS (INSERT INTO claims AS c (code, kind, store_id, terminal,"
    " request_no, txn_id, state) VALUES($1,$2,$3,$4,$5,$6,$7)"
    " ON CONFLICT (code) DO UPDATE SET kind = EXCLUDED.kind,"
    " store_id = EXCLUDED.store_id, terminal = EXCLUDED.terminal,"
    " request_no = EXCLUDED.request_no, txn_id = EXCLUDED.txn_id,"
    " state = EXCLUDED.state, claimed_at = CASE WHEN c.request_no ="
    " EXCLUDED.request_no THEN c.claimed_at ELSE now() END,"
    " updated_at = now()"
    " WHERE c.state = 'released' OR c.request_no = EXCLUDED.request_no"
    " RETURNING true AS ours, terminal, request_no,"
    " extract(epoch FROM claimed_at)::bigint AS at)"
    " SELECT ours, terminal, request_no, at FROM ins UNION ALL"
    " SELECT false, terminal, request_no,"
    " extract(epoch FROM claimed_at)::bigint FROM claims"
    " WHERE code = $1 AND NOT EXISTS (SELECT 1 FROM ins)";

int
hub_claim_as(struct hub *h, const struct hub_job *j, const char *state,
    struct hub_answer *a, char **cause)
{
	char txn[24];
	const char *v[7];
	PGresult *res = NULL;
	int rc = QUAN_OK, tries;

	snprintf(txn, sizeof txn, "%" PRId64, j->txn_id);
	v[0] = j->code;
	v[1] = j->kind;
	v[2] = j->store_id;
	v[3] = j->terminal;
	v[4] = j->request_no;
	v[5] = txn;
	v[6] = state;
	a->tag = j->tag;
	for (tries = 0; tries < 3; tries++) {
		if ((rc = hub_q(h, claim_sql, 7, v, 1, &res, cause)) != 0)
			return rc;
		if (PQntuples(res) > 0)
			break;
		PQclear(res);
		res = NULL;
	}
	if (res == NULL) {
		if (cause != NULL)
			*cause = xstrdup("hub: the claim found no row three "
			    "times");
		return QUAN_EIO;
	}
	a->verdict = PQgetvalue(res, 0, 0)[0] == 't' ? HUB_V_CLAIMED :
	    HUB_V_TAKEN;
	str_copy(a->terminal, sizeof a->terminal, PQgetvalue(res, 0, 1));
	str_copy(a->request_no, sizeof a->request_no, PQgetvalue(res, 0, 2));
	a->claimed_at = strtoll(PQgetvalue(res, 0, 3), NULL, 10);
	PQclear(res);
	return QUAN_OK;
}

void
hub_claim(struct hub *h, const struct hub_job *j, struct hub_answer *a)
{
	char *cause = NULL;
	int rc;

	memset(a, 0, sizeof *a);
	a->tag = j->tag;
	if ((rc = hub_claim_as(h, j, "claimed", a, &cause)) != 0) {
		a->verdict = HUB_V_DOWN;
		a->rc = rc;
		str_copy(a->error, sizeof a->error, cause != NULL ? cause :
		    quan_strerror(rc));
	}
	free(cause);
}

/* --- imports ------------------------------------------------------------ */

const char *
hub_list_name(enum hub_list l)
{
	static const char *n[] = {"stocks", "cards", "codes", "product"};

	return (unsigned)l < sizeof n / sizeof n[0] ? n[l] : "?";
}

int
hub_import_put(struct hub *h, enum hub_list l, const char *data, size_t len,
    int64_t *version, char **cause)
{
	const char *v[2];
	char *copy;
	PGresult *res;
	int rc;

	copy = xmalloc(len + 1);
	memcpy(copy, data, len);
	copy[len] = '\0';
	if (strlen(copy) != len) {
		free(copy);
		*cause = xstrdup("hub import: the file holds a NUL byte");
		return QUAN_EINVAL;
	}
	v[0] = hub_list_name(l);
	v[1] = copy;
	rc = hub_q(h, "INSERT INTO imports(list, data) VALUES($1, $2) "
	    "RETURNING version", 2, v, 1, &res, cause);
	free(copy);
	if (rc != 0)
		return rc;
	*version = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return QUAN_OK;
}

int
hub_import_newer(struct hub *h, enum hub_list l, int64_t after,
    hub_import_fn fn, void *arg, char **cause)
{
	char a[24];
	const char *v[2];
	PGresult *res;
	int rc;

	snprintf(a, sizeof a, "%" PRId64, after);
	v[0] = hub_list_name(l);
	v[1] = a;
	if ((rc = hub_q(h, "SELECT version, data FROM imports WHERE list = $1"
	    " AND version > $2 ORDER BY version", 2, v, 1, &res,
	    cause)) != 0)
		return rc;
	for (int i = 0; rc == 0 && i < PQntuples(res); i++)
		rc = fn(arg, l, strtoll(PQgetvalue(res, i, 0), NULL, 10),
		    PQgetvalue(res, i, 1), (size_t)PQgetlength(res, i, 1));
	PQclear(res);
	return rc;
}
