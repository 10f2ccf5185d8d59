/*
 * config.h — quan's configuration: an INI file (inih) read into one plain
 * struct, with defaults, validation that names file:line:key, the data
 * directory, and the key-file permission check. The contract is
 * README.md, Configuration. Main thread; the struct is
 * read-only once loaded and may then be shared by borrowing.
 */
#ifndef QUAN_CONFIG_H
#define QUAN_CONFIG_H

#include <stdint.h>

#include "util/log.h"

#define CONFIG_TERMINAL_ID_MAX 8   /* [0-9A-Za-z]{1,8} */
#define CONFIG_ID_MAX 64           /* stock_id / card_id length cap */
#define CONFIG_PREFIX_MAX 32
#define CONFIG_TARGETS_MAX 256     /* [stock] + [card] sections */

/* Offline policy of one stock/card (issue #2 item 7). */
enum config_policy {
	CONFIG_POLICY_ONLINE_ONLY = 0,
	CONFIG_POLICY_OFFLINE_KNOWN_ONLY,
	CONFIG_POLICY_OFFLINE_OK
};

/* Classifier charset hint of a stock/card. */
enum config_charset {
	CONFIG_CHARSET_ANY = 0,  /* not configured */
	CONFIG_CHARSET_DIGITS,   /* [0-9] */
	CONFIG_CHARSET_ALNUM,    /* [0-9A-Za-z] */
	CONFIG_CHARSET_WECHAT    /* busifavor §5.8: alnum, space - _ \ / = | */
};

enum config_target_kind { CONFIG_STOCK = 0, CONFIG_CARD };

/* [product_coupon] mode: how 商品券 calls are signed (or none). */
enum config_pc_mode { CONFIG_PC_OFF = 0, CONFIG_PC_PARTNER, CONFIG_PC_BRAND };

/* [pay] api: which WeChat Pay API takes payment codes. */
enum config_pay_api { CONFIG_PAY_V3 = 0, CONFIG_PAY_V2 };

/* [product_coupon] order: when a 商品券 is used against the payment. */
enum config_pc_order {
	CONFIG_PC_PAY_FIRST = 0, /* charge, then use(transaction_id) */
	CONFIG_PC_USE_FIRST      /* use(out_trade_no), charge, return on a
	                            failed charge */
};

/* One [stock "ID"] or [card "ID"] section. */
struct config_target {
	enum config_target_kind kind;
	char id[CONFIG_ID_MAX + 1];
	int has_policy;              /* 0: default_policy applies */
	enum config_policy policy;
	char prefix[CONFIG_PREFIX_MAX + 1]; /* "" = none */
	int min_len;                 /* 0 = none */
	int max_len;                 /* 0 = none */
	enum config_charset charset;
	int per_txn;                 /* max coupons of it in one txn; >= 1 */
};

/* Every key of the contract. Strings are never NULL ("" = unset); path
 * values are already resolved against the config file's folder. */
struct config {
	char *path;                  /* the file read, or "" for defaults */

	/* [terminal] */
	char term_id[CONFIG_TERMINAL_ID_MAX + 1];
	char *store_id;
	char *timezone;
	char *language;
	char *log_file;
	enum log_level log_level;

	/* [wechatpay] */
	char *wx_mchid;
	char *wx_appid;
	char *wx_merchant_serial;
	char *wx_private_key;
	char *wx_apiv3_key;
	char *wx_platform_cert;
	char *wx_public_key_id;
	char *wx_public_key;
	char *wx_base_url;
	char *wx_ca_file;
	int wx_connect_timeout_ms;
	int wx_timeout_ms;
	int wx_online_wait_ms;
	int wx_rate_per_s;

	/* [card] */
	char *card_appid;
	char *card_secret;
	char *card_token_url;
	char *card_base_url;
	char *card_ca_file;

	/* [offline] */
	int64_t off_max_coupon_fen;
	int off_max_per_hour;
	int64_t off_max_exposure_fen;
	int64_t off_max_cache_age_s;
	enum config_policy off_default_policy;

	/* [scanner] (drivers/scan.h): source = SPEC may repeat */
#define CONFIG_SCAN_SOURCES_MAX 8
	char *scan_sources[CONFIG_SCAN_SOURCES_MAX];
	int nscan_sources;
	int scan_dedupe_ms;          /* -1: per-source default */
	int scan_max_len;            /* 0: SCAN_MAX_LEN */

	/* [store]: settled history older than keep_days moves to archive
	 * files (app/core/archive.h); 0 = never on its own */
	int store_keep_days;
	char *store_archive_dir;     /* "" = DATA/archive */

	/* [hub]: the store hub (app/hub/hub.h); dsn "" = none */
	char *hub_dsn;               /* libpq connection string */
	enum config_policy hub_when_down; /* hub unreachable: at most this */
	int64_t hub_max_coupon_fen;  /* hub down: value cap per coupon */
	int hub_max_per_hour;        /* hub down: acceptances per hour */
	int hub_wait_ms;             /* a claim's deadline (1000) */
	int hub_poll_s;              /* quan hub sync: seconds per pass */

	/* [pay]: 付款码支付 (app/net/pay.h) */
	enum config_pay_api pay_api; /* v3 (default) or v2 */
	char *pay_v2_key_file;       /* APIv2 key, mode 0600 (checked at
					load); "" = none */
	char *pay_v2_cert;           /* apiclient_cert.pem for /secapi/ */
	int pay_v2_md5;              /* v2_sign_type = MD5 (sandbox) */
	int pay_deadline_s;          /* query until, then reverse (45) */
	int pay_query_interval_ms;   /* between queries (5000) */

	/* [product_coupon]: 商品券 (app/net/pcoupon.h). partner: the
	 * [wechatpay] merchant signs, brand_id on every call; brand: the
	 * brand's own 品牌API certificate, public key and API key */
	enum config_pc_mode pc_mode; /* off unless configured */
	char *pc_brand_id;
	char *pc_appid;              /* the coupons' appid */
	char *pc_brand_serial;       /* brand API certificate serial */
	char *pc_private_key;        /* its key, 0600 (checked at load) */
	char *pc_public_key_id;      /* brand WeChat Pay public key id */
	char *pc_public_key;         /* its PEM (trust file) */
	char *pc_api_key;            /* 品牌API密钥 (callbacks), 0600 */
	char *pc_base_url;           /* "" = [wechatpay] base_url */
	char *pc_ca_file;            /* "" = [wechatpay] ca_file */

	/* [product_coupon] (till side; the protocol keys are app/net's) */
	enum config_pc_order pc_order;
	char *pc_store_id;           /* brand store id sent with use (stock
					store_scope SPECIFIC); "" = none */
	char *pc_brands;             /* brand_ids this till redeems,
					comma-separated; "" = any */

	/* [printer]: the receipt printer (drivers/printer.h) */
	char *printer_device;        /* /dev/usb/lp0 | tcp:HOST:PORT |
					file:PATH; "" = none */
	int printer_width_mm;        /* 58 or 80 */
	char *printer_header;        /* store name on top; "" = store_id */
	int printer_timeout_ms;      /* whole print job (3000) */
	int printer_status_ms;       /* wait for DLE EOT (500; 0 = never ask) */

	/* [stock "..."] and [card "..."] in file order */
	struct config_target *targets;
	int ntargets;
};

/* Fill *out with the built-in defaults (caller frees with config_free). */
void config_defaults(struct config **out);
/* Read FILE over the defaults. QUAN_ECONFIG with *cause "FILE:LINE: key:
 * what is wrong" for unknown sections/keys, bad values (a URL that is not
 * https://), an unreadable file or one group/other can write.
 * Borrows path; *out is new on success only. Main thread. */
int config_load(const char *path, struct config **out, char **cause);
/* --config value, else $QUAN_CONFIG, else defaults. opt may be NULL. */
int config_load_default(const char *opt, struct config **out, char **cause);
void config_free(struct config *c);  /* NULL-safe */

/* Effective policy of a stock or card id (its section, else the default). */
enum config_policy config_policy_of(const struct config *c,
    enum config_target_kind kind, const char *id);
/* The section of a stock/card, or NULL. Borrowed from c. */
const struct config_target *config_target_find(const struct config *c,
    enum config_target_kind kind, const char *id);
const char *config_policy_name(enum config_policy p);
/* "online_only" ... -> policy; QUAN_EINVAL when unknown. */
int config_policy_parse(const char *s, enum config_policy *out);

/* A secret file must exist, be a regular file and have no group/other
 * permission bits: QUAN_ENOTFOUND / QUAN_EPERM with a *cause saying so
 * ("chmod 600 FILE"). Borrows path. Any thread. */
int config_check_key_file(const char *path, char **cause);
/* A trust file (CA bundle, platform certificate, WeChat Pay public key)
 * must be a regular file that group/other cannot write: QUAN_ENOTFOUND /
 * QUAN_EPERM with a *cause saying so ("chmod go-w FILE"). "" or NULL is
 * QUAN_OK (not configured). Any thread. */
int config_check_trust_file(const char *path, char **cause);

/* The data directory: opt (--data), else $QUAN_DATA, else
 * $XDG_DATA_HOME/quan, else $HOME/.local/share/quan. Created (with
 * parents) mode 0700 when missing; an existing one open to group/other is
 * tightened (mode & 0700), or refused with QUAN_EPERM ("chmod 700 DIR")
 * when it cannot be. *out is a new string. QUAN_EIO/QUAN_ECONFIG with
 * *cause. */
int config_data_dir(const char *opt, char **out, char **cause);

#endif
