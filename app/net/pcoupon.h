/*
 * pcoupon.h — the WeChat Pay 商品券 (product coupon) client, both access
 * modes (../shared/docs/wechatpay-product-coupon.md §1.2, §3, §4):
 *
 *   partner  /v3/marketing/partner/product-coupon/…, the [wechatpay]
 *            merchant's APIv3 signature, brand_id in every body/query;
 *   brand    /brand/marketing/product-coupon/…, the brand's own
 *            WECHATPAY-BRAND-SHA256-RSA2048 signature, answers verified
 *            with the brand's WeChat Pay public key only, callbacks
 *            decrypted with the 品牌API密钥.
 *
 * Both ride on the APIv3 transport of wxpay.h (signing, verification
 * before parsing, unknown-outcome rules). Every answer is verified: an
 * unsigned reply or one signed with another key is never parsed. The
 * numeric business error WeChat appends to Request-ID (§2, §7) becomes a
 * code of the one table below (enum pc_err); the sync thread acts on
 * codes, never on message text.
 *
 * Objects as in wxpay.h: struct pcoupon_ctx (keys, trust) is made once on
 * the main thread and shared read-only; struct pcoupon is one thread's
 * client.
 */
#ifndef QUAN_NET_PCOUPON_H
#define QUAN_NET_PCOUPON_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "core/coupon.h"
#include "core/pcoupon.h"
#include "net/wxpay.h"
#include "util/config.h"

/* Field sizes of a parsed answer (NUL included); the registry's are
 * core/pcoupon.h's. */
#define PCE_CODE 41           /* coupon_code string(40) */
#define PCE_ID 64             /* product_coupon_id, stock_id, brand_id */
#define PCE_REQNO 129         /* out_request_no ≤40, send_request_no ≤128 */
#define PC_TOKEN_MAX 256      /* list page_token */

/* ---- numeric error codes (Request-ID suffix, §7): the one table ------- */

enum pc_err {
	PC_ERR_NONE = 0,        /* no numeric code (2xx, or none sent) */
	PC_ERR_OTHER,           /* a code this table does not list */
	PC_ERR_STATE,           /* 268578367 用户券状态非法 (CONFIRMING, …) */
	PC_ERR_EXPIRED,         /* 268578776 用户券已过期 */
	PC_ERR_EXPIRED_FINAL,   /* 272756790 券已过期，不能再进行其他操作 */
	PC_ERR_USED_ELSEWHERE,  /* 272756745 券已被其他订单核销 */
	PC_ERR_USE_LOCKED,      /* 272756746 券已被其他订单核销锁定 */
	PC_ERR_DELETED,         /* 272756769 券已被删除 */
	PC_ERR_NOT_FOUND,       /* 268578851 用户券不存在 */
	PC_ERR_OUT_OF_PERIOD,   /* 272755717 不在使用有效期（规则周期） */
	PC_ERR_OUT_OF_WINDOW,   /* 272755715 不在使用有效期（批次有效期） */
	PC_ERR_STORE,           /* 268584404 核销门店非法 */
	PC_ERR_STORE_ALL,       /* 268578813 当前券批次全部门店可用 */
	PC_ERR_USER_LIMIT,      /* 272756740 用户领取券张数已达上限 */
	PC_ERR_STOCK_NOT_SENDING, /* 268577984 批次状态不是发放中 */
	PC_ERR_SEND_REENTRY,    /* 272755200 发券请求重入但单号不一致 */
	PC_ERR_REQNO_MISMATCH,  /* 268578927 相同单号但请求数据不一致 */
	PC_ERR_OPENID,          /* 268578532 (brand) / 268578526 (partner) */
	PC_ERR_APPID,           /* 268578704 AppID非法 */
	PC_ERR_NO_OBJECT,       /* 268578608 当前访问对象不存在 */
	PC_ERR_NO_AUTH,         /* 268579803 服务商没有此接口权限 */
	PC_ERR_PARAM,           /* 268435461..464, 268578101, 268578224 */
	PC_ERR_BACK_OFFICE,     /* 268578404, 268586067, 270087680 */
	PC_ERR_RATE             /* 270924289 频率过快 */
};

/* What the caller does with an answer (the same words as wxpay.h). */
struct pc_err_info {
	long numeric;            /* WeChat's number (first of a group) */
	enum pc_err err;
	const char *name;        /* "coupon_state_invalid" (logs, JSON) */
	enum wxpay_class klass;  /* retry / rejected / config / already */
};
/* The row of a numeric code; the PC_ERR_OTHER row when unknown. */
const struct pc_err_info *pc_err_of_numeric(long numeric);
/* The row of an enum value (never NULL). */
const struct pc_err_info *pc_err_info(enum pc_err e);
/* The numeric suffix of a Request-ID ("…-268578704" → 268578704);
 * 0 when there is none (a plain id, or not digits after the last '-'). */
long pc_request_id_code(const char *request_id);

/* ---- the parsed UserProductCouponEntity (what the till needs) --------- */

struct pc_entity {
	char coupon_code[PCE_CODE];
	enum pc_state state;            /* core/pcoupon.h */
	char product_coupon_id[PCE_ID];
	char stock_id[PCE_ID];
	char brand_id[PCE_ID];          /* partner answers; else "" */
	int64_t valid_begin, valid_end;    /* epoch s; 0 = absent */
	int64_t receive_time;
	char send_request_no[PCE_REQNO];
	char confirm_request_no[PCE_REQNO];
	/* single_usage_detail, or progressive_bundle_usage_detail */
	char use_request_no[PCE_REQNO];
	int64_t use_time;
	char transaction_id[PCE_ID];
	char out_trade_no[PCE_ID];
	char return_request_no[PCE_REQNO];
	/* user_product_coupon_bundle_info (bundles only) */
	char user_coupon_bundle_id[PCE_ID];
	int bundle_index;                  /* -1 when not a bundle */
	int bundle_total, bundle_used;
	/* product_coupon.usage_mode / type / scope words ("" absent) */
	char usage_mode[24];
	char type[16];
	char scope[16];
};

/* 商品券 times (with or without seconds) are read by
 * tm_parse_rfc3339_min (util/tm.h), the one RFC 3339 reader. */

/* Parse one entity (a JSON object text of n bytes) into out; unknown keys
 * are ignored, wrong types and over-long values refused (QUAN_EPROTO with
 * *cause). Pure. */
int pc_coupon_parse(const char *json, size_t n, struct pc_entity *out,
    char **cause);

/* ---- context and client ----------------------------------------------- */

struct pcoupon_ctx;
struct pcoupon;

/* From [product_coupon] (mode partner or brand) and, in partner mode,
 * [wechatpay]: QUAN_ECONFIG when the mode is off or a key is missing,
 * QUAN_EPERM for a key file others can read (like every key). Main
 * thread. */
int pcoupon_ctx_new(const struct config *cfg, struct pcoupon_ctx **out,
    char **cause);
void pcoupon_ctx_free(struct pcoupon_ctx *c);
enum config_pc_mode pcoupon_ctx_mode(const struct pcoupon_ctx *c);
const char *pcoupon_ctx_brand_id(const struct pcoupon_ctx *c);
const char *pcoupon_ctx_appid(const struct pcoupon_ctx *c);
/* The trust store that verifies this mode's answers and callbacks
 * (borrowed), and the key that decrypts its callbacks (APIv3 key in
 * partner mode, 品牌API密钥 in brand mode; NULL when not configured). */
struct wx_trust *pcoupon_ctx_trust(struct pcoupon_ctx *c);
const uint8_t *pcoupon_ctx_callback_key(const struct pcoupon_ctx *c);
/* The callback resource's associated data of this mode:
 * "product_coupon_sp" (partner) or "product_coupon" (brand). */
const char *pcoupon_ctx_aad(const struct pcoupon_ctx *c);
/* Test hook (as wxpay_ctx_set_clock). */
void pcoupon_ctx_set_clock(struct pcoupon_ctx *c, int64_t (*now)(void));

int pcoupon_new(struct pcoupon_ctx *c, const atomic_int *stop,
    struct pcoupon **out, char **cause);
void pcoupon_free(struct pcoupon *p);

/* ---- results ---------------------------------------------------------- */

struct pc_result {
	struct wxpay_result w;   /* transport, status, code, Request-ID,
				    the verified raw body */
	long numeric;            /* Request-ID suffix; 0 = none */
	enum pc_err err;
	struct pc_entity coupon; /* use/return/deactivate/confirm/get */
	/* list: the page's coupons (malloc'd), the total (-1 = absent) and
	 * the next page's token ("" = last page) */
	struct pc_entity *list;
	size_t nlist;
	int64_t total_count;
	char next_page_token[PC_TOKEN_MAX];
};
void pc_result_init(struct pc_result *r);
void pc_result_free(struct pc_result *r);

/* The class of an answer and a static reason id (as wxpay_classify;
 * the numeric code decides first). Pure. */
enum wxpay_class pcoupon_classify(const struct pc_result *r,
    const char **reason);

/* ---- request bodies --------------------------------------------------- */

/* The body of use: built once, stored with the outbox row and resent
 * byte for byte (the same out_request_no with other bytes is 268578927).
 * Exactly one of transaction_id / (out_trade_no + mchid) names the order;
 * sub_mchid and store_id may be NULL. brand_id is added in partner mode
 * (pass pcoupon_ctx_brand_id, NULL in brand mode). New string, or NULL
 * with *cause on a missing/over-long field. Pure. */
struct pc_use_req {
	const char *product_coupon_id, *stock_id, *appid;
	const char *use_time;          /* RFC 3339 */
	const char *out_request_no;    /* 6-40 of [0-9A-Za-z_-] */
	const char *store_id;          /* NULL = none */
	const char *transaction_id;    /* or: */
	const char *out_trade_no, *mchid, *sub_mchid;
};
char *pc_use_body(const struct pc_use_req *q, const char *brand_id,
    char **cause);
/* return / confirm: {product_coupon_id, stock_id, appid, out_request_no
 * [, brand_id]}; deactivate adds deactivate_reason (≤150 chars). */
char *pc_simple_body(const char *product_coupon_id, const char *stock_id,
    const char *appid, const char *out_request_no, const char *reason,
    const char *brand_id, char **cause);
/* 1 if s is a valid out_request_no (6-40 of [0-9A-Za-z_-]). */
int pc_reqno_ok(const char *s);
/* The same rule with another upper bound (send_request_no: 128). */
int pc_reqno_valid(const char *s, size_t max);

/* ---- operations (owner thread; each resets res first, returns
 * res->w.rc) ------------------------------------------------------------- */

/* POST …/users/{openid}/coupons/{code}/{use|return|deactivate|confirm}
 * with a stored body. */
int pcoupon_use(struct pcoupon *p, const char *openid, const char *code,
    const char *body, size_t len, struct pc_result *res);
int pcoupon_return(struct pcoupon *p, const char *openid, const char *code,
    const char *body, size_t len, struct pc_result *res);
int pcoupon_deactivate(struct pcoupon *p, const char *openid,
    const char *code, const char *body, size_t len, struct pc_result *res);
int pcoupon_confirm(struct pcoupon *p, const char *openid, const char *code,
    const char *body, size_t len, struct pc_result *res);
/* GET …/users/{openid}/coupons/{code}?product_coupon_id&stock_id&appid */
int pcoupon_get(struct pcoupon *p, const char *openid, const char *code,
    const char *product_coupon_id, const char *stock_id,
    struct pc_result *res);
/* GET …/users/{openid}/coupons?appid[&coupon_state][&page_size]
 * [&page_token]: one page into res->list. state PC_ST_UNKNOWN = any;
 * page_size 0 = WeChat's default (20); page_token NULL/"" = first. */
int pcoupon_list(struct pcoupon *p, const char *openid,
    enum pc_state state, int page_size, const char *page_token,
    struct pc_result *res);
/* GET …/product-coupons/{id} and …/product-coupons/{id}/stocks/{sid}:
 * the definitions; the verified JSON is res->w.body for the rules. */
int pcoupon_get_product(struct pcoupon *p, const char *product_coupon_id,
    struct pc_result *res);
int pcoupon_get_stock(struct pcoupon *p, const char *product_coupon_id,
    const char *stock_id, struct pc_result *res);

/* POST …/notify-configs {notify_url}: where WeChat sends this mode's
 * SEND notifications (partner: 服务商-wide, no brand_id). */
int pcoupon_set_notify(struct pcoupon *p, const char *notify_url,
    struct pc_result *res);

#endif
