/*
 * hub.h — the store hub: one PostgreSQL database shared by the tills of a
 * store (and published to headquarters). The only home of <libpq-fe.h>.
 *
 *   hub_open(dsn)        connect, refusing a plain connection off the
 *                        machine, a password in the dsn, a passfile others
 *                        can read; lock_timeout and statement_timeout set
 *                        so a locked claim table is "down", not a hang
 *   hub_init             create / migrate the schema (versioned)
 *   hub_claim            one statement: the code is ours or who holds it
 *   hub_push_batch       the till's redemptions as they are now: claims
 *                        follow their state, a clash becomes a conflict
 *   hub_push_sales       its sales, their payments and its journal head,
 *                        for the chain view (hub_sales.c)
 *
 * A struct hub is one connection, used by one thread at a time: the hub
 * thread (hub_thread.c) for a till's claims, `quan hub ...` commands.
 * Errors are QUAN_E* codes; *cause (caller frees) has the words, never a
 * password.
 */
#ifndef QUAN_HUB_H
#define QUAN_HUB_H

#include <stddef.h>
#include <stdint.h>

#include "core/hubmsg.h"

#define HUB_SCHEMA_VERSION 3

struct hub;

/* Check a dsn against the house rules without connecting: no password=
 * (a 0600 passfile or a client certificate instead), a passfile that is
 * 0600, and TLS (sslmode require, verify-ca or verify-full) unless every
 * host is a Unix socket or loopback. QUAN_ECONFIG with *cause. */
int hub_dsn_check(const char *dsn, char **cause);
/* Connect (connect_timeout_s bounds it) and set the session's
 * lock_timeout / statement_timeout (ms). QUAN_ECONFIG (dsn refused),
 * QUAN_EPERM (authentication refused), QUAN_ETLS (TLS required, the
 * server offers none or its certificate fails), QUAN_ENET. */
int hub_open(const char *dsn, int connect_timeout_s, int stmt_timeout_ms,
    struct hub **out, char **cause);
void hub_close(struct hub *h);   /* NULL-safe */

/* The schema's version (0: none yet). */
int hub_version(struct hub *h, int *version, char **cause);
/* Create or migrate to HUB_SCHEMA_VERSION in one transaction; a hub at a
 * newer version is refused (QUAN_ENOTSUP, "upgrade quan"). *from gets
 * the version found. */
int hub_init(struct hub *h, int *from, char **cause);
/* What a till needs before it claims: the schema exists and is this
 * version (QUAN_ENOTSUP newer, QUAN_ENOTFOUND none: run quan hub init). */
int hub_check_schema(struct hub *h, char **cause);

/* Claim j->code for j->request_no: verdict CLAIMED (inserted, re-taken
 * after a release, or already ours), TAKEN with the holder in *a, or
 * DOWN with a->rc / a->error (the connection is then closed by the
 * caller's policy: hub_ok says whether it is still usable). */
void hub_claim(struct hub *h, const struct hub_job *j, struct hub_answer *a);
/* 1 while the connection is good. */
int hub_ok(const struct hub *h);

/* One till redemption as it is now (hub_push_batch). */
struct hub_row {
	int64_t seq;                     /* cursor: its last journal entry */
	int64_t txn_id;
	char code[HUB_CODE_MAX];
	char kind[12];
	char request_no[HUB_REQNO_MAX];
	char state[24];                  /* the till's state */
	char reason[48];
	int64_t discount_fen;
	int64_t offline_at;
	int64_t created_at, updated_at;
};

/* A clash the push found: our live redemption, another lane's claim. */
struct hub_clash {
	int64_t id;                      /* conflict row at the hub */
	char code[HUB_CODE_MAX];
	char holder_terminal[HUB_TERM_MAX], holder_request_no[HUB_REQNO_MAX];
	char our_terminal[HUB_TERM_MAX], our_request_no[HUB_REQNO_MAX];
};
typedef int (*hub_clash_fn)(void *arg, const struct hub_clash *c);

/* In one hub transaction: every row's claim follows its state (live:
 * claimed/granted, ours or a clash; rejected/returned: released when
 * ours) and the row is kept in the hub's redemptions (the chain view).
 * A clash is recorded once in the hub's conflicts and given to fn.
 * QUAN_E* with *cause; nothing is kept then (the caller retries). */
int hub_push_batch(struct hub *h, const char *store_id, const char *terminal,
    const struct hub_row *rows, size_t n, hub_clash_fn fn, void *arg,
    char **cause);
/* Conflicts at the hub naming this terminal with id > after, in id
 * order, to fn (another lane's replay found our claim held twice). */
int hub_conflicts_since(struct hub *h, const char *terminal, int64_t after,
    hub_clash_fn fn, void *arg, char **cause);

/* --- sales, payments and journal heads (hub_sales.c) ----------------- */
/* One sale as it is now. */
struct hub_sale {
	int64_t txn_id;
	char state[12];                  /* open|redeemed|closed|voided */
	char cashier[32];
	int64_t amount_fen, discount_fen, due_fen;
	int64_t opened_at, closed_at;
	int64_t voided_at;               /* 0: not voided */
	char voided_by[32];              /* the approving manager */
};
/* One charge or tender of a sale as it is now. */
struct hub_payment {
	char out_trade_no[33];
	int64_t txn_id;
	char tender[8];                  /* wechat | cash | other */
	char state[12];                  /* pending|paid|failed|reversed|unknown */
	int64_t amount_fen, payer_fen, voucher_fen;
	int64_t voucher_lines;           /* WeChat voucher lines applied */
	int64_t created_at, updated_at;
};
/* A till's journal head: its last entry's seq and hash. */
struct hub_head {
	int64_t seq;
	char hash[65];
	int64_t at;                      /* when pushed */
};
/* In one hub transaction: the sales and payments upserted by key, the
 * lane's journal head replaced (never moved back). QUAN_E* with *cause;
 * nothing is kept then (the caller retries: every statement is
 * idempotent). */
int hub_push_sales(struct hub *h, const char *store_id, const char *terminal,
    const struct hub_sale *s, size_t ns, const struct hub_payment *p,
    size_t np, const struct hub_head *head, char **cause);

/* --- definitions and code lists kept at the hub (hub import) --------- */
enum hub_list {
	HUB_LIST_STOCKS = 0, HUB_LIST_CARDS, HUB_LIST_CODES,
	HUB_LIST_PRODUCT     /* (3) 商品券 definitions and registry rows */
};
const char *hub_list_name(enum hub_list l);
/* Store one import file's bytes as the hub's next version of that list. */
int hub_import_put(struct hub *h, enum hub_list l, const char *data,
    size_t len, int64_t *version, char **cause);
/* The newest version of list l newer than after: fn gets its bytes. */
typedef int (*hub_import_fn)(void *arg, enum hub_list l, int64_t version,
    const char *data, size_t len);
int hub_import_newer(struct hub *h, enum hub_list l, int64_t after,
    hub_import_fn fn, void *arg, char **cause);

/* Run one SQL text with no parameters and no rows wanted (tests, bench
 * setup). */
int hub_exec(struct hub *h, const char *sql, char **cause);
/* One text value of the first row of sql ("" when no row). */
int hub_query1(struct hub *h, const char *sql, char *out, size_t n,
    char **cause);

#endif
