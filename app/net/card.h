/*
 * card.h — WeChat card-coupon (微信卡券) API client: access_token
 * handling (stable_token or /cgi-bin/token with the AppSecret, or a
 * central token service), code/get with check_consume, code/consume,
 * code/decrypt and card/get, with errcodes classified into cashier
 * reasons.
 *
 * struct card_ctx is shared by all threads: it holds the token cache behind
 * a mutex. The mutex is held while a token is fetched, so exactly one fetch
 * runs at a time and the other threads wait for its result (bounded by the
 * HTTP timeout) instead of knocking each other's tokens out. struct card is
 * one thread's client (own connection), never shared.
 *
 * Token service contract (config [card] token_url, HTTPS):
 *   GET {token_url}?appid=APPID            -> 200 {"access_token":"...",
 *                                                  "expires_in":SECONDS}
 *   GET {token_url}?appid=APPID&refresh=1  -> same, after the terminal saw
 *       40001/42001/40014 with the token it holds (the service refreshes if
 *       it still holds that token). Anything else is an error.
 */
#ifndef QUAN_CARD_H
#define QUAN_CARD_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

struct card_cfg {
	const char *base_url;   /* "https://api.weixin.qq.com" */
	const char *appid;
	const char *secret;     /* path of the AppSecret file (0600); not
				   needed with token_url */
	const char *token_url;  /* central token service; overrides secret */
	const char *ca_file;    /* optional CA bundle */
	long connect_timeout_ms;/* 0 = 2000 */
	long timeout_ms;        /* 0 = 5000 */
	int classic_token;      /* 1 = GET /cgi-bin/token; 0 (default) =
				   POST /cgi-bin/stable_token */
};

struct card_ctx;
struct card;

/* Errors: QUAN_ECONFIG (no appid, neither secret nor token_url), QUAN_EPERM
 * (secret file mode), QUAN_EIO. Main thread. */
int card_ctx_new(const struct card_cfg *cfg, struct card_ctx **out,
    char **cause);
void card_ctx_free(struct card_ctx *c); /* NULL-safe, after all clients */
/* Drop the cached token (tests, or an operator's "refresh now"). */
void card_ctx_forget_token(struct card_ctx *c);
/* Number of token fetches so far (for tests and status). */
long card_ctx_token_fetches(struct card_ctx *c);

int card_new(struct card_ctx *c, const atomic_int *stop, struct card **out,
    char **cause);
void card_free(struct card *k); /* NULL-safe */
long card_connections(const struct card *k); /* opened so far */

#define CARD_MSG_MAX 256
#define CARD_ID_MAX 130

struct card_result {
	/* 0: an answer was parsed (see errcode); QUAN_ENET / ETIMEDOUT /
	 * ECLOSED: no answer, outcome unknown; QUAN_EPROTO: garbage answer
	 * (outcome unknown); QUAN_ETOOBIG; QUAN_ECONFIG: no token could be
	 * had (cause in errmsg). */
	int rc;
	long http;
	long errcode;                /* 0 ok */
	char errmsg[CARD_MSG_MAX];
	char card_id[CARD_ID_MAX];
	char openid[CARD_ID_MAX];
	char code[CARD_ID_MAX];      /* decrypt: the plain code */
	char user_card_status[32];   /* code/get: NORMAL, CONSUMED, ... */
	int can_consume;             /* code/get: 1, 0, or -1 if absent */
	int64_t begin_time, end_time;/* code/get card validity; 0 absent */
	char card_type[32];          /* card/get: CASH, DISCOUNT, ... */
	int token_retried;           /* 1 if the token was refreshed once */
	int sent;                    /* the call's last request may have
					reached WeChat (0: it never left: no
					access_token, no connection, no TLS
					session; see http_request_sent) */
	char *body;                  /* raw JSON (malloc'd) */
	size_t body_len;
	uint64_t elapsed_us;
};

void card_result_init(struct card_result *r);
void card_result_free(struct card_result *r); /* NULL-safe; re-inits */

enum card_class {
	CARD_OK = 0,       /* done / usable */
	CARD_RETRY,        /* unknown outcome or transient (-1, 45011, token
			      still bad after one refresh): retry later */
	CARD_ALREADY,      /* 40099 consumed (ours if we sent it before) */
	CARD_REJECTED,     /* definite: invalid code, deleted, expired... */
	CARD_CONFIG        /* 45009 daily quota, 48001, 40164, 45030, bad
			      secret: stop and alarm, keep the row */
};

/* Classify; *reason gets a static cashier reason id: ok, network,
 * bad_reply, wechat_busy, token_invalid, quota_minute, quota_exceeded,
 * config_error, already_used, invalid_code, deleted_or_gifting,
 * card_invalid, card_id_missing, expired, not_yet_valid, not_usable,
 * rejected. For a code/get answer with errcode 0 it also checks
 * can_consume, user_card_status (NORMAL) and begin/end_time against now.
 * Pure, any thread. */
enum card_class card_classify(const struct card_result *r, int64_t now,
    const char **reason);
const char *card_class_name(enum card_class c);

/* Operations (owner thread; res initialised once with card_result_init,
 * reset by each call). Each gets a token first, and on 40001/42001/40014
 * refreshes it once and repeats the call once. Return res->rc. Codes are
 * never logged in clear (log_mask). */
/* With check_consume, a 40127 answer (expired, deleted, unavailable or
 * being gifted — WeChat does not say which) is followed by one code/get
 * without check_consume whose user_card_status / times are copied into
 * res (errcode stays 40127) so card_classify can name the reason. */
int card_code_get(struct card *k, const char *card_id, const char *code,
    int check_consume, struct card_result *res);
int card_code_consume(struct card *k, const char *card_id, const char *code,
    struct card_result *res);
int card_code_decrypt(struct card *k, const char *encrypt_code,
    struct card_result *res);
int card_get(struct card *k, const char *card_id, struct card_result *res);

/* Parse one card API answer body (exposed for tests). Returns res->rc. */
int card_parse(const char *body, size_t len, struct card_result *res);

#endif
