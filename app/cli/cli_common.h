/*
 * cli_common.h — what every `quan` command shares: the global options
 * (--config FILE / QUAN_CONFIG, --data DIR / QUAN_DATA, -v more log), the
 * configuration, logging, timezone and the store under the data dir.
 * Commands of every area reuse it. Main thread.
 */
#ifndef QUAN_CLI_COMMON_H
#define QUAN_CLI_COMMON_H

#include <stdint.h>

struct config;
struct store;
struct checkout;
struct checkout_line;
struct checkout_txn;
struct json_t;
struct settle;
struct evq;

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
/* Open DATA/quan.db (flags as store_open, plus CLI_STORE_RO_OK: fall back
 * to a read-only open when the file cannot be written; CLI_STORE_CHECK:
 * PRAGMA quick_check first; CLI_STORE_CHECK_DUE: the same when the last
 * check of any process is CLI_CHECK_EVERY_S old). Journals a config
 * change when the config differs from the last start's. EXIT_FAIL with a
 * message (a damaged database: the damage and the next step). */
#define CLI_STORE_RO_OK 0x100
#define CLI_STORE_CHECK 0x200
#define CLI_STORE_CHECK_DUE 0x400
#define CLI_CHECK_EVERY_S 600
int cli_open_store(struct cli *c, const char *name, int flags);
/* Both, in one call: parse globals, set up, open the store. */
int cli_init(struct cli *c, const char *name, int *argc, char **argv,
    int open_store);
void cli_done(struct cli *c);   /* closes and frees; NULL-safe fields */

/* The sync area's online step for `quan redeem` (app/cli/cmd_net.c):
 * attach starts the runtime and a redeem engine (core/redeem.h) over co
 * when WeChat is configured (*state NULL when not); cli_online_redeem
 * redeems the open basket through it (offline when state is NULL),
 * waiting for its own answers; detach releases it. */
int cli_online_attach(struct cli *c, struct checkout *co, void **state);
int cli_online_redeem(void *state, struct checkout *co);
void cli_online_detach(void *state);
/* The runtime under an attached online step: its settle and results
 * queue (a sale's payment runs on them). 0, or -1 when state is NULL. */
int cli_online_parts(void *state, struct settle **se, struct evq **results);
/* Wait up to ms for answers still out on it, applying them. */
void cli_online_flush(void *state, int ms);
/* Can the configured WeChat clients start (keys load, key files 0600,
 * certificates parse)? 0 ready, 1 nothing configured, QUAN_ECONFIG with
 * *cause (caller frees) naming the client and the reason. */
int cli_online_check(const struct config *cfg, char **cause);

/* The age rule of checkout_recover() for the headless commands (`quan
 * redeem`, `quan sync`): an open txn older than 60 s + online_wait_ms is
 * no longer being decided by any till (the online step waits at most
 * online_wait_ms plus 1 s of grace), so it was cut off by a crash. */
int64_t cli_recover_age_s(const struct config *cfg);

/* Shared by the core commands (app/cli/cmd_core.c) and `quan sale`. */
int cli_parse_money(const char *cmd, const char *opt, const char *v,
    int64_t *out);
int cli_new_checkout(struct cli *c, const char *cmd, struct checkout **co);
int cli_add_code(struct checkout *co, struct store *st, const char *cmd,
    const char *code, int64_t price);
struct json_t *cli_line_json(const struct checkout_line *l, int full);
/* The redeem object of a sale: txn, amount_fen, discount_fen, due_fen,
 * coupons[] (new). */
struct json_t *cli_redeem_json(const struct checkout_txn *t);
void cli_print_json(struct json_t *o);
/* The payment figures of core/report.h as JSON (app/cli/cmd_sale.c). */
struct store_pay_sums;
struct json_t *cli_pay_sums_json(const struct store_pay_sums *p);

/* Local midnight (store timezone) of "YYYY-MM-DD", or of today when s is
 * NULL. 0, or -1 on a malformed date. */
int cli_day_start(const char *s, int64_t *out);

/* The archive folder: [store] archive_dir, else DATA/archive (caller
 * frees; app/cli/cmd_archive.c). */
char *cli_archive_dir(const struct cli *c);

#endif
