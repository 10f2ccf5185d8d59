/*
 * sim_int.h — what the simulator's files share: the server state, the
 * request context handed to endpoint handlers, and helpers for errors,
 * JSON fields and time. Not for use outside app/sim.
 */
#ifndef QUAN_SIM_INT_H
#define QUAN_SIM_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include <jansson.h>

#include "crypto/wxsign.h"
#include "net/httpd.h"
#include "sim/sim.h"
#include "store/simdb.h"

#define SIM_ID_MAX 128

/* Identities written by init into DIR/sim.json (not secret). */
struct sim_ids {
	char mchid[32];
	char appid[64];
	char merchant_serial[WX_SERIAL_MAX];
	char platform_serial[WX_SERIAL_MAX];
	char pub_key_id[WX_SERIAL_MAX];
	char card_appid[64];
	unsigned port;
	/* 商品券: the brand both access modes act for (empty in a DIR
	 * initialised before product coupons: those endpoints refuse) */
	char brand_id[32];
	char brand_serial[WX_SERIAL_MAX];      /* brand API certificate */
	char brand_pub_key_id[WX_SERIAL_MAX];  /* brand WeChat Pay pub key */
};

/* Fault injection settings (faults.c). Fractions are per million. */
struct sim_faults {
	unsigned lat_min_ms, lat_max_ms;
	uint32_t p5xx, pdrop, pbadsig, psigntest, ptrunc;
	unsigned burst_n, burst_every;  /* 429: burst_n of every burst_every */
	int skew_s;                     /* response timestamps off by this */
	char only[128];                 /* path prefix the faults apply to */
};

struct sim {
	char *dir;
	struct sim_ids ids;
	struct simdb *db;
	pthread_mutex_t mu;             /* guards db and the counters below */

	struct wx_key *platform_key;
	struct wx_key *pubkey_key;      /* the "WeChat Pay public key" pair */
	struct wx_pub *merchant_pub;
	char *platform_cert_pem;
	uint8_t apiv3[WX_APIV3_KEY_LEN];
	char *card_secret;
	char *apiv2_key;                /* DIR/apiv2.key, or NULL (init
					   before payments: v2 refused) */
	char *ca_file;                  /* DIR/ca.pem, for callback TLS */
	/* 商品券 brand mode: the brand certificate's public key (checks
	 * requests), the brand WeChat Pay key pair (signs answers and
	 * callbacks) and the 品牌API密钥 (encrypts callbacks); NULL/unset
	 * in an old DIR */
	struct wx_pub *brand_pub;
	struct wx_key *brand_pubkey_key;
	uint8_t brand_apikey[WX_APIV3_KEY_LEN];
	int pc_order;                   /* use: 0 none, 1 exists, 2 paid */

	struct sim_faults faults;
	uint64_t seed;
	atomic_uint_fast64_t seq;       /* request sequence number */

	int callback_retry_s, callback_attempts, callback_sign;
	int use_qps;
	int64_t qps_sec;                /* use-rate window (under mu) */
	int qps_n;
	int token_ttl_s, token_grace_s, card_quota;
	int64_t quota_day;              /* card quota window (under mu) */
	json_t *quota;                  /* path -> count today (under mu) */
	json_t *stats;                  /* "route\tstatus" -> n, not yet in
					   the db (under mu) */
	int64_t stats_flushed_ms;       /* under mu */

	pthread_t cb_thread;
	int cb_started;
	pthread_cond_t cb_cond;
	int stopping;                   /* under mu */
};

/* One request being answered. */
struct sim_ctx {
	struct sim *s;
	const struct httpd_req *req;
	const char *method;
	char *seg[16];                  /* decoded path segments */
	int nseg;
	const char *query;              /* raw query */
	json_t *body;                   /* parsed JSON body or NULL */
	int64_t now;
	const char *loc;                /* "body", "query" or "path" */
	uint64_t seq;                   /* request sequence number */
	/* the answer */
	int status;
	json_t *resp;                   /* JSON body, or NULL for none */
	char *raw;                      /* APIv2: the XML body instead of
					   resp (no v3 signature headers) */
	char route[160];                /* "POST /v3/.../coupons/use" */
	long numeric;                   /* 商品券 error number: Request-ID
					   gets "-<numeric>" */
	int brand;                      /* a /brand/ request: answer signed
					   with the brand's key */
};

/* ---- schema.c -------------------------------------------------------- */
/* Open DIR/sim.db (path) with the simulator's schema (simdb_open). */
int sim_db_open(const char *path, struct simdb **out, char **cause);

/* ---- dir.c ----------------------------------------------------------- */
char *sim_path(const char *dir, const char *name); /* dir/name, new */
/* The first max bytes of a file, NUL-terminated (new), or NULL with
 * *cause set. */
char *sim_read_file(const char *path, size_t max, char **cause);
/* Load the shared identities from DIR/sim.json. */
int sim_ids_load(const char *dir, struct sim_ids *ids, char **cause);

/* ---- answer.c -------------------------------------------------------- */
/* Set an APIv3 error answer {"code","message"[,"detail":{"field":..}]}. */
void sim_err(struct sim_ctx *c, int status, const char *code,
	const char *message);
void sim_err_field(struct sim_ctx *c, const char *field, const char *issue);
void sim_ok(struct sim_ctx *c, int status, json_t *body); /* takes body */
/* Random helpers: 64 random bits; a fresh id of digits; a random alnum
 * string. */
uint64_t sim_rnd64(void);
void sim_rand_digits(char *out, size_t n);
void sim_rand_alnum(char *out, size_t n);

/* ---- stats.c --------------------------------------------------------- */
/* Count one answer of route with status (takes mu). */
void sim_stats_count(struct sim *s, const char *route, int status);
/* Write the in-memory request counters into the stats table. Caller holds
 * mu. Done by the callback thread about once a second and at shutdown. */
void sim_stats_flush(struct sim *s);

/* ---- busifavor.c ----------------------------------------------------- */
/* Route a /v3/ request; returns 0 if handled, QUAN_ENOTFOUND if no route.
 * Called without s->mu held. */
int sim_v3_route(struct sim_ctx *c);
/* Build the GET-stock object for a stock row (new). Caller holds mu. */
json_t *sim_stock_object(struct sim *s, json_t *row);
/* Per-user coupon availability from a stock body at receive time. */
void sim_coupon_window(json_t *stock_body, int64_t receive, int64_t *start,
	int64_t *expire);

/* ---- card.c ---------------------------------------------------------- */
int sim_card_route(struct sim_ctx *c);
/* The encrypt_code for a card code under the card secret (new string). */
char *sim_card_encrypt_code(const char *secret, const char *code);

/* ---- pay.c ----------------------------------------------------------- */
/* 付款码支付: route /v3/pay/... (returns QUAN_ENOTFOUND when not one of
 * its paths) and the APIv2 paths /pay/micropay, /pay/orderquery,
 * /secapi/pay/reverse (body = the raw XML). Called without s->mu. */
int sim_pay_v3_route(struct sim_ctx *c);
int sim_pay_v2_route(struct sim_ctx *c, const char *body, size_t len);
/* The order row of otn (new; NULL when none), a USERPAYING order whose
 * time has come paid first. Caller holds mu and a transaction. */
json_t *sim_pay_order(struct sim *s, const char *otn, int64_t now);
/* APIv2 answers: the return/result head, then sign and send. */
struct payxml;
void sim_pay_v2_head(struct sim *s, struct payxml *x, const char *err);
void sim_pay_v2_answer(struct sim_ctx *c, struct payxml *x, int md5);

/* ---- payrefund.c ------------------------------------------------------ */
/* /v3/refund/domestic/refunds[/{out_refund_no}] and the verified v2
 * /secapi/pay/refund (query 0) or /pay/refundquery (query 1) request in,
 * the answer built in out. Called without s->mu. */
int sim_refund_v3_route(struct sim_ctx *c);
void sim_refund_v2(struct sim_ctx *c, int query, struct payxml *in,
	struct payxml *out, int md5);

/* ---- bill.c ----------------------------------------------------------- */
/* GET /v3/bill/tradebill?bill_date=, its /v3/billdownload/file, and the
 * verified v2 /pay/downloadbill request: the day's trade bill from the
 * ledger. Called without s->mu. */
int sim_bill_v3_route(struct sim_ctx *c);
void sim_bill_v2(struct sim_ctx *c, struct payxml *in, struct payxml *out,
	int md5);

/* Seed the voucher activities and return the seed.json "pay" section
 * (codes per case) for users[0..2]. Caller holds the seed transaction. */
json_t *sim_pay_seed(struct simdb *db, const char *const users[3],
	int *err);

/* ---- pcoupon*.c: 商品券, both access modes ----------------------------- */
/* Route /brand/marketing/product-coupon/… (brand = 1, after the brand
 * signature checks) or /v3/marketing/partner/product-coupon/… (0);
 * QUAN_ENOTFOUND when not one of its paths. Called without s->mu. */
int sim_pc_route(struct sim_ctx *c, int brand);
/* Seed products, stocks and user coupons of every case and return the
 * seed.json "product" section. Caller holds the seed transaction. */
/* `quan import product` rows (registry only: --fetch brings the
 * definitions) of every coupon of the seed's product section. */
json_t *sim_pc_import(const json_t *product);
json_t *sim_pc_seed(struct simdb *db, const struct sim_ids *ids,
	const char *const users[3], int64_t now, int *err);

/* ---- faults.c -------------------------------------------------------- */
int sim_faults_parse(const char *spec, struct sim_faults *f, char **cause);
/* Deterministic draw in [0, 1e6) for request seq and fault kind k. */
uint32_t sim_draw(uint64_t seed, uint64_t seq, unsigned k);

/* ---- callback.c ------------------------------------------------------ */
/* Queue a COUPON.SEND notification (caller holds mu, inside the send
 * transaction). No-op without a registered URL. */
void sim_callback_queue(struct sim *s, const char *code, const char *stock_id,
	const char *openid, int64_t send_time, const char *channel);
/* Queue one encrypted notification to url (caller holds mu): resource
 * pt encrypted under key with aad; brand = 1 signs its deliveries with
 * the brand's WeChat Pay key, else as --callback-sign says. */
void sim_callback_queue_env(struct sim *s, const char *url,
	const char *event_type, const char *summary, const char *original_type,
	const uint8_t *key, const char *aad, const char *pt, const char *code,
	const char *stock_id, int brand);
int sim_callback_start(struct sim *s);
void sim_callback_stop(struct sim *s);

/* ---- answer.c: JSON fields ------------------------------------------ */
/* Field validators: on failure they set a PARAM_ERROR on c and return -1.
 * sim_str: required (req) string of 1..max UTF-8 chars; out borrowed. */
int sim_str(struct sim_ctx *c, json_t *o, const char *key, int req,
	size_t max, const char **out);
int sim_int(struct sim_ctx *c, json_t *o, const char *key, int req,
	int64_t min, int64_t max, int64_t *out);
int sim_time(struct sim_ctx *c, json_t *o, const char *key, int req,
	int64_t *out);
/* RFC 3339 in +08:00 (WeChat's zone), into out (>= 26 bytes). */
char *sim_rfc3339(int64_t t, char *out, size_t n);
/* Character count of a UTF-8 string. */
size_t sim_utf8_len(const char *s);

#endif
