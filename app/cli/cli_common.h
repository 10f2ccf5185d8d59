/*
 * cli_common.h — what every `quan` command shares: the global options
 * (--config FILE / QUAN_CONFIG, --data DIR / QUAN_DATA, -v more log), the
 * configuration, logging, timezone and the store under the data dir.
 * Commands of every area reuse it. Main thread.
 */
#ifndef QUAN_CLI_COMMON_H
#define QUAN_CLI_COMMON_H

#include <stdint.h>

#include "core/datafile.h"

struct config;
struct store;

struct cli {
	struct config *cfg;     /* loaded config (defaults when none) */
	char *data_dir;         /* resolved, created 0700 */
	char *db_path;          /* data_dir/quan.db */
	struct store *st;       /* NULL until cli_open_store */
	int verbose;            /* -v count */
	const char *config_opt; /* --config as given, or NULL */
	const char *data_opt;   /* --data as given, or NULL */
};

/* Remove the global options from argv (anywhere after argv[0]), keeping
 * the rest in order; *argc is updated. Returns 0, or EXIT_USAGE with a
 * message on stderr (an option without its value). */
int cli_parse_globals(struct cli *c, int *argc, char **argv);
/* Load config (+ log level/file, timezone) and resolve the data dir.
 * Prints "quan NAME: error" to stderr and returns EXIT_FAIL on failure
 * (config errors name file:line:key). */
int cli_setup(struct cli *c, const char *name);
/* Open DATA/quan.db through core/datafile.h (flags DATAFILE_RO_OK,
 * DATAFILE_CHECK, DATAFILE_CHECK_DUE), saying on stderr when it is
 * read-only or a migration made conflicts. EXIT_FAIL with a message (a
 * damaged database: the damage and the next step). */
int cli_open_store(struct cli *c, const char *name, int flags);
/* Both, in one call: parse globals, set up, open the store. */
int cli_init(struct cli *c, const char *name, int *argc, char **argv,
    int open_store);
void cli_done(struct cli *c);   /* closes and frees; NULL-safe fields */
/* The store's words on its last error (what failed and, for a damaged
 * file, the next step); cli_damage: the same when the file is damaged,
 * else NULL. */
const char *cli_errmsg(const struct cli *c);
const char *cli_damage(const struct cli *c);

/* SIGTERM/SIGINT set a flag (no SA_RESTART: poll() returns EINTR);
 * SIGPIPE ignored. */
void cli_signals(void);
int cli_stopping(void);

/* A decimal int in [lo, hi], the whole string: 0, or -1. */
int cli_parse_int(const char *s, int lo, int hi, int *out);

/* A checkout engine over the cli's config and store, cashier "cli" (the
 * sales of the command line are the terminal's own). 0, or EXIT_FAIL
 * with "quan CMD: why" on stderr. */
struct checkout;
int cli_new_checkout(struct cli *c, const char *cmd, struct checkout **co);
/* One JSON value on a line of stdout (compact, keys in order), flushed. */
struct json_t;
void cli_print_json(struct json_t *o);

/* The sale commands' shared pieces (app/cli/cmd_redeem.c), used by
 * `quan check|redeem|void` and `quan sale` (cmd_sale.c): a yuan amount
 * of option opt (EXIT_USAGE with a message); a code from the command
 * line added to the open basket (EXIT_FAIL with a message); a line as
 * JSON (full: request_no, offline_reason too); the redeem object of a
 * sale: txn, amount_fen, discount_fen, due_fen, coupons[] (new). */
struct checkout_line;
struct checkout_txn;
int cli_parse_money(const char *cmd, const char *opt, const char *v,
    int64_t *out);
int cli_add_code(struct checkout *co, const struct cli *c, const char *cmd,
    const char *code, int64_t price);
struct json_t *cli_line_json(const struct checkout_line *l, int full);
struct json_t *cli_redeem_json(const struct checkout_txn *t);

/* The online step of a sale (app/cli/cmd_redeem.c): the runtime's
 * (net/runtime.h net_online_*) and, with [hub] dsn set, the store hub's
 * claims thread attached to its redeem engine (cli_hub.h). on is NULL
 * when no WeChat client is configured (offline policy). */
struct net_online;
struct hubthr;
struct cli_online {
	struct net_online *on;
	struct hubthr *hub;
};
/* 0, or EXIT_FAIL with "quan CMD: ..." on stderr when the configured
 * online step cannot start (nothing must then be sold). */
int cli_online_start(struct cli *c, const char *cmd, struct checkout *co,
    struct cli_online *o);
/* Say why the online step could not decide online (if so), end the hub
 * after the redeem engine, then the runtime. NULL-safe parts. */
void cli_online_stop(struct cli_online *o, const char *cmd);

/* Local midnight (store timezone) of "YYYY-MM-DD", or of today when s is
 * NULL. 0, or -1 on a malformed date. */
int cli_day_start(const char *s, int64_t *out);

/* The archive folder: [store] archive_dir, else DATA/archive (caller
 * frees; app/cli/cmd_archive.c). */
char *cli_archive_dir(const struct cli *c);

#endif
