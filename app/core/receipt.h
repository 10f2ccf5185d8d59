/*
 * receipt.h — what a receipt says, as plain data, and how the core asks
 * for one to be printed without knowing the printer.
 *
 *  - struct receipt: a sale's (or a refund's) receipt. Money int64_t fen,
 *    text UTF-8. drivers/printer.h renders it as ESC/POS bytes.
 *  - receipt_of_sale(): the receipt of a stored sale (its granted
 *    coupons, its paid payment and the vouchers WeChat deducted) — the
 *    same bytes at the sale and at every reprint, because everything
 *    comes from the store.
 *  - struct receipt_doc: a report on paper (the X/Z screen's lines, as
 *    they are shown: "label\tvalue").
 *  - struct receipt_port: a printer as the core sees it. The driver layer
 *    implements it (drivers/printer.h printer_port_new); every call
 *    returns at once — a print is a job the owner's loop steps, so a
 *    printer that is off, unplugged or out of paper never holds a sale.
 */
#ifndef QUAN_RECEIPT_H
#define QUAN_RECEIPT_H

#include <stddef.h>
#include <stdint.h>

struct checkout;
struct config;
struct store;

enum receipt_lang { RECEIPT_ZH = 0, RECEIPT_EN };

struct receipt_item {
	const char *name;           /* UTF-8 */
	int64_t qty;                /* ≥ 1 */
	int64_t unit_fen;
	int64_t amount_fen;         /* qty × unit, as the till priced it */
};

enum receipt_discount_kind {
	RECEIPT_MERCHANT_COUPON = 0, /* 商家券 */
	RECEIPT_CARD_COUPON,         /* 卡券 */
	RECEIPT_VOUCHER,             /* 微信支付代金券 (deducted by WeChat) */
	RECEIPT_PRODUCT_COUPON       /* 商品券 */
};

struct receipt_discount {
	enum receipt_discount_kind kind;
	const char *name;           /* stock name / card title / voucher */
	const char *code;           /* coupon code (printed masked) or NULL */
	int64_t fen;                /* the discount, > 0 */
};

enum receipt_tender {
	RECEIPT_TENDER_NONE = 0,    /* nothing due */
	RECEIPT_TENDER_WECHAT,      /* 付款码 */
	RECEIPT_TENDER_CASH,
	RECEIPT_TENDER_OTHER        /* card terminal, paper voucher ... */
};

struct receipt {
	enum receipt_lang lang;
	int refund;                 /* 1: a 退款单 for out_refund_no */
	const char *store_name;     /* header, large and centred */
	const char *store_id, *terminal_id, *cashier; /* may be NULL */
	const char *out_trade_no;   /* printed and as the QR */
	const char *time;           /* local "YYYY-MM-DD HH:MM:SS" */
	const struct receipt_item *items;
	int nitems;
	int64_t subtotal_fen;
	const struct receipt_discount *discounts; /* coupons, then vouchers */
	int ndiscounts;
	int64_t due_fen;            /* after coupons (what was charged) */
	enum receipt_tender tender;
	int64_t paid_fen;           /* WeChat: what the customer paid;
				       cash: tendered; other: amount */
	int64_t change_fen;         /* cash only */
	const char *transaction_id; /* WeChat, or NULL */
	const char *tender_ref;     /* other: the cashier's reference */
	const char *out_refund_no;  /* refund */
	int64_t refund_fen;         /* refund: the refund's amount */
	int64_t refund_payer_fen;   /* refund: back to the customer */
	const char *footer;         /* optional last line */
};

/* ---- a stored sale's receipt ------------------------------------------ */

#define RECEIPT_DISCOUNTS_MAX 48

/* The receipt of a sale and the storage its strings point into. */
struct receipt_sale {
	struct receipt r;
	struct receipt_discount d[RECEIPT_DISCOUNTS_MAX];
	char names[RECEIPT_DISCOUNTS_MAX][136];
	char codes[RECEIPT_DISCOUNTS_MAX][72];
	char store_name[128], store_id[64], terminal_id[40], cashier[32];
	char out_trade_no[40], time[24], transaction_id[40], ref[65];
};

/* Fill *out with the receipt of stored sale txn_id, in lang: header
 * ([printer] header, else the store id), the coupons granted (merchant
 * and card, with their discount; codes printed masked), the paid
 * payment — tender, what the customer paid or handed over and the
 * change — and each WeChat voucher with its amount. A sale with no
 * payment (the coupons paid it all) carries its txn number as the order.
 * QUAN_ENOTFOUND: no such sale; QUAN_EINVAL: a sale not closed (still
 * open, or voided); store errors. co: the checkout engine (names of the
 * coupons). */
int receipt_of_sale(struct checkout *co, struct store *st,
    const struct config *cfg, int64_t txn_id, enum receipt_lang lang,
    struct receipt_sale *out);
/* The language of receipts: [terminal] language "en" → EN, else ZH. */
enum receipt_lang receipt_lang_of(const struct config *cfg);

/* ---- a report on paper ------------------------------------------------ */

struct receipt_doc {
	enum receipt_lang lang;
	const char *store_name;
	const char *title;          /* "X report" ... (already in lang) */
	const char *const *lines;   /* "label\tvalue" or plain text */
	int nlines;
};

/* ---- the printer as the core sees it ---------------------------------- */

enum receipt_job {
	RECEIPT_JOB_NONE = 0,       /* nothing asked yet */
	RECEIPT_JOB_PRINTING,
	RECEIPT_JOB_PRINTED,
	RECEIPT_JOB_FAILED          /* words in the port's last_error */
};

struct receipt_port {
	void *arg;
	/* Render r (or doc) and start printing it; the bytes are kept for
	 * a reprint first. Never waits. 0, or QUAN_EINVAL for a receipt
	 * that cannot be rendered. A job already printing is replaced. */
	int (*print)(void *arg, const struct receipt *r);
	int (*print_doc)(void *arg, const struct receipt_doc *doc);
	/* The last kept bytes again; QUAN_ENOTFOUND when none. */
	int (*reprint)(void *arg);
	/* Advance the job (non-blocking I/O); its state. */
	enum receipt_job (*step)(void *arg, int64_t now_ms);
	/* ms until the job needs stepping again (-1: no job out). */
	int (*timeout_ms)(void *arg, int64_t now_ms);
	/* The fd the job waits on and its poll events (-1: none now), for
	 * an owner that polls rather than ticks. */
	int (*fd)(void *arg, short *events);
	/* How the last job ended, in lang (static words: "printed", "printer
	 * out of paper" ...), as an id ("ok", "paper" ...), and its size. */
	const char *(*why)(void *arg, enum receipt_lang lang);
	const char *(*why_id)(void *arg);
	size_t (*bytes)(void *arg);
};

#endif
