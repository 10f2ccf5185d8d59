/*
 * sim.h — the WeChat simulator (`quan sim`): a local HTTPS server speaking
 * the WeChat Pay APIv3 merchant-coupon API and the card-coupon API with
 * real signatures, real state (SQLite under DIR) and injectable faults.
 * The entry points below are what the `quan sim ...` commands call; all
 * run on the main thread and print their own diagnostics to stderr.
 */
#ifndef QUAN_SIM_H
#define QUAN_SIM_H

#include <stdint.h>

/* Create DIR with the test CA, server, merchant and platform keys and
 * certificates, the public key + id, APIv3 key, card appid/secret, and a
 * client config DIR/quan.conf for base URL https://127.0.0.1:PORT.
 * Refuses a DIR that already holds sim.json unless force. */
int sim_init(const char *dir, unsigned port, int force, char **cause);

struct sim_serve_opts {
	const char *listen;       /* "127.0.0.1:PORT"; NULL = 127.0.0.1 and the
				     port written by init */
	const char *faults;       /* fault spec (see sim_faults_help) or NULL */
	uint64_t seed;            /* PRNG seed for faults */
	int callback_retry_s;     /* interval between callback attempts (60) */
	int callback_attempts;    /* attempts in total (11) */
	int use_qps;              /* coupons/use per second (500; 0 off) */
	int token_ttl_s;          /* card access_token lifetime (7200) */
	int token_grace_s;        /* old token kept valid this long (300) */
	int card_quota;           /* card API calls per day per path (0 off) */
	int no_rewrite_conf;      /* do not rewrite base_url in DIR/quan.conf */
	int callback_sign;        /* 0 platform cert, 1 public key, 2 both in
				     turn (WeChat's migration) */
	int pc_order;             /* 商品券 use: does the associated order
				     have to exist? 0 none, 1 exists,
				     2 paid (doc §5.4: unknown at WeChat) */
};

/* --pc-order: "none" | "exists" | "paid" -> 0 | 1 | 2; -1 otherwise. */
int sim_pc_order_parse(const char *s);

/* Serve until SIGTERM/SIGINT. Prints "listening https://ADDR:PORT" as the
 * first stdout line once ready. Returns 0 after a clean stop. */
int sim_serve(const char *dir, const struct sim_serve_opts *o, char **cause);

/* Populate DIR/sim.db with stocks, cards and coupons for every cashier
 * case; write DIR/seed.json and DIR/import/{stocks.json,cards.json,
 * codes.csv}. Works whether or not the server runs. */
int sim_seed(const char *dir, int force, char **cause);

/* Report redemption counts, request counts and the callback log as JSON
 * (json != 0) or text, to stdout. *defects gets the number of coupons
 * redeemed more than once net of returns. */
int sim_inspect(const char *dir, int json, int *defects, char **cause);

/* Benchmark: create a stock and n coupons, then redeem them all over
 * conns keep-alive connections with signed requests and verified answers
 * against the server at url (NULL = the port in DIR/sim.json; it must run
 * with --use-qps 0). Prints redemptions/s (JSON if json). */
int sim_bench(const char *dir, const char *url, int n, int conns, int json,
	char **cause);

/* The fault-spec grammar, for --help. */
const char *sim_faults_help(void);

#endif
