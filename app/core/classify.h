/*
 * classify.h — what is this scanned string? Decides from the text alone
 * (plus the code cache and the configured per-stock/per-card patterns)
 * whether a scan is a WeChat payment code, another wallet's payment code,
 * a card claim QR, a merchant coupon (商家券), a card coupon (卡券), an
 * encrypted card code (URL with encrypt_code=), or unknown.
 *
 * Order of decision (first match wins):
 *   0. normalise: trim CR/LF/TAB/space at both ends; refuse empty input,
 *      control characters, invalid UTF-8, over-long input (reason set);
 *   1. the code cache (callback supplied by the caller): exact hit wins;
 *   2. configured patterns, in the order given;
 *   3. documented formats (wechat-card-voucher-pay.md §4.2, busifavor §7):
 *      claim QR URL, encrypt_code URL, payment code ^1[0-5][0-9]{16}$,
 *      other wallets (^(2[5-9]|30)[0-9]{14,22}$, ^62[0-9]{17}$),
 *      22-digit WECHATPAY_MODE merchant coupon, bare base64-like encrypted
 *      card code (>= 40 chars), 8..20 digits = card code, else unknown.
 * Manual entry in groups ("4096 3245 7895") is tried both as typed and
 * joined (merchant codes may legally contain spaces, §5.8); documented
 * formats see the joined form.
 *
 * A classifier is immutable after classify_new(): classify_scan() may run
 * on any thread concurrently. No allocation on the scan path.
 */
#ifndef QUAN_CLASSIFY_H
#define QUAN_CLASSIFY_H

#include <stddef.h>
#include <stdint.h>

#define CLASSIFY_CODE_MAX 128   /* longest accepted code, bytes */
#define CLASSIFY_URL_MAX 512    /* longest accepted URL scan, bytes */
#define CLASSIFY_ID_MAX 64      /* longest stock_id / card_id, bytes */
#define CLASSIFY_COUPON_MAX 32  /* documented max of a coupon_code */

enum classify_kind {
	CLASSIFY_UNKNOWN = 0,    /* well-formed but matches nothing */
	CLASSIFY_PAYMENT_CODE,   /* WeChat payment code (付款码) */
	CLASSIFY_OTHER_WALLET,   /* Alipay / UnionPay payment code */
	CLASSIFY_CLAIM_QR,       /* card claim QR: not redeemable */
	CLASSIFY_MERCHANT,       /* merchant coupon (商家券) coupon_code */
	CLASSIFY_CARD,           /* card coupon (卡券) code */
	CLASSIFY_ENCRYPTED_CARD, /* encrypt_code: needs /card/code/decrypt */
	CLASSIFY_INVALID         /* refused input; see reason */
};

/* How the kind was decided. */
enum classify_via {
	CLASSIFY_VIA_NONE = 0,   /* unknown or invalid */
	CLASSIFY_VIA_CACHE,      /* exact hit in the code cache */
	CLASSIFY_VIA_PATTERN,    /* a configured pattern (pattern index set) */
	CLASSIFY_VIA_FORMAT      /* a documented format */
};

/* Machine-readable reason, mainly for INVALID and UNKNOWN. */
enum classify_reason {
	CLASSIFY_R_NONE = 0,        /* "none": classified */
	CLASSIFY_R_EMPTY,           /* "empty": nothing left after trimming */
	CLASSIFY_R_TOO_LONG,        /* "too_long": > CLASSIFY_CODE_MAX (URLs:
	                             * > CLASSIFY_URL_MAX) */
	CLASSIFY_R_CONTROL_CHAR,    /* "control_char": byte < 0x20 or 0x7f
	                             * inside the text (NUL included) */
	CLASSIFY_R_BAD_UTF8,        /* "bad_utf8": not valid UTF-8 */
	CLASSIFY_R_BAD_ENCRYPT_CODE,/* "bad_encrypt_code": encrypt_code URL
	                             * with an empty/over-long/badly escaped
	                             * value or card_id */
	CLASSIFY_R_NO_MATCH         /* "no_match": UNKNOWN */
};

enum classify_charset {
	CLASSIFY_CS_WECHAT = 0, /* default: 0-9a-zA-Z space - _ \ / = |
	                         * (busifavor §5.8) */
	CLASSIFY_CS_DIGITS,     /* 0-9 */
	CLASSIFY_CS_ALNUM       /* 0-9a-zA-Z */
};

/* Bits in classify_result.flags. */
#define CLASSIFY_F_JOINED 0x1      /* matched on the space-joined form */
#define CLASSIFY_F_LOOKS_PAY 0x2   /* also has the payment-code shape
                                    * (ambiguity §4.3; UI may warn) */
#define CLASSIFY_F_CACHE_ERR 0x4   /* the cache callback failed; decided
                                    * without the cache */

/* A configured hint from a [stock "ID"] or [card "ID"] section. Strings
 * are copied by classify_new(). A pattern with neither prefix nor any
 * length bound is ignored (it would claim every scan). A merchant pattern
 * never matches more than CLASSIFY_COUPON_MAX bytes, and its lengths may
 * not exceed it. */
struct classify_pattern {
	enum classify_kind kind;     /* CLASSIFY_MERCHANT or CLASSIFY_CARD */
	const char *id;              /* stock_id or card_id; required */
	const char *prefix;          /* NULL or "" = none; case-sensitive */
	int min_len;                 /* bytes incl. prefix; 0 = no bound */
	int max_len;                 /* bytes incl. prefix; 0 = no bound */
	enum classify_charset charset;
};

/* What the code cache knows about one code. */
struct classify_hit {
	enum classify_kind kind;     /* CLASSIFY_MERCHANT or CLASSIFY_CARD */
	char id[CLASSIFY_ID_MAX + 1];/* stock_id or card_id ("" if unknown) */
};

/* Cache lookup supplied by the caller (the store). `code` is a normalised
 * candidate, NUL-terminated. Return 1 and fill *hit when the code is
 * known, 0 when not, a negative QUAN_E* when the lookup failed (the scan
 * then goes on without the cache and CLASSIFY_F_CACHE_ERR is set). May be
 * called up to twice per scan (as typed, then joined). Runs on the thread
 * that called classify_scan(). */
typedef int (*classify_lookup_fn)(void *arg, const char *code,
    struct classify_hit *hit);

struct classify_result {
	enum classify_kind kind;
	enum classify_via via;
	enum classify_reason reason;
	unsigned flags;                      /* CLASSIFY_F_* */
	int pattern;                         /* index of the pattern, or -1 */
	/* The normalised code ("" for INVALID). For ENCRYPTED_CARD this is
	 * the encrypt_code, percent-decoded once, '+' kept as '+'. For
	 * CLAIM_QR the trimmed URL. */
	char code[CLASSIFY_URL_MAX + 1];
	size_t code_len;
	/* stock_id (MERCHANT) or card_id (CARD, ENCRYPTED_CARD from the
	 * URL's card_id=) when known, else "". */
	char id[CLASSIFY_ID_MAX + 1];
};

struct classify;

/* Build a classifier from n patterns (n may be 0, p then may be NULL).
 * Copies everything it needs; the caller keeps ownership of p.
 * QUAN_EINVAL (with *cause, caller frees; cause may be NULL) when a pattern
 * is malformed: kind not MERCHANT/CARD, missing/over-long id, negative or
 * crossed lengths, over-long prefix. Main thread at start-up. */
int classify_new(const struct classify_pattern *p, size_t n,
    struct classify **out, char **cause);
void classify_free(struct classify *c); /* NULL-safe */

/* Classify `len` bytes of scanned text (need not be NUL-terminated).
 * c may be NULL (no patterns); lookup may be NULL (no cache).
 * Always fills *out. Returns 0 when classified (UNKNOWN included),
 * QUAN_EINVAL (bad input: empty, control char, bad UTF-8) or
 * QUAN_ETOOBIG (too long) with out->kind = CLASSIFY_INVALID and the
 * reason set. Any thread; the classifier is only read. */
int classify_scan(const struct classify *c, const char *text, size_t len,
    classify_lookup_fn lookup, void *arg, struct classify_result *out);

/* Stable ids for logs, JSON and the store (never translated):
 * kinds: "unknown", "payment_code", "other_wallet", "claim_qr", "merchant",
 * "card", "encrypted_card", "invalid"; vias: "none", "cache", "pattern",
 * "format"; reasons: see enum comments. Never NULL. */
const char *classify_kind_id(enum classify_kind k);
const char *classify_via_id(enum classify_via v);
const char *classify_reason_id(enum classify_reason r);

/* "digits" | "alnum" | "wechat" -> charset; QUAN_EINVAL otherwise. */
int classify_charset_parse(const char *s, enum classify_charset *out);

#endif
