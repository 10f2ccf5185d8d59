/*
 * reconcile.h — end-of-day reconciliation (对账): WeChat Pay's trade bill
 * (v3 GET /v3/bill/tradebill, v2 downloadbill: the same text) read into
 * rows, and its differences from the till's own payment records.
 *
 *  - recon_bill_parse(): the bill text (UTF-8, CR LF or LF, a header
 *    line of column names, rows whose fields start with '`', then a
 *    summary header and row). Columns are found by name, so the ALL,
 *    SUCCESS and REFUND bills all read. Bounded: at most
 *    RECON_BILL_MAX_BYTES, RECON_BILL_MAX_ROWS, RECON_LINE_MAX per line;
 *    anything else is QUAN_EPROTO with a cause naming the line.
 *  - recon_diff(): the bill's rows against the till's records (plain
 *    structs: the caller reads them from its store) → the differences:
 *    missing on either side, amount, state, vouchers, refunds.
 *  - recon_text() / recon_json(): the report for a person / a script.
 *
 * Pure: no I/O, no clock. Money is int64_t fen.
 */
#ifndef QUAN_RECONCILE_H
#define QUAN_RECONCILE_H

#include <stddef.h>
#include <stdint.h>

#define RECON_BILL_MAX_BYTES (64u * 1024 * 1024)
#define RECON_BILL_MAX_ROWS 500000
#define RECON_LINE_MAX 8192

/* 交易状态 of a bill row. */
enum recon_wx_state {
	RECON_WX_SUCCESS = 0,  /* paid */
	RECON_WX_REFUND,       /* a refund line (退款) */
	RECON_WX_REVOKED,      /* reversed (撤销) */
	RECON_WX_OTHER
};

struct recon_wx_row {
	int line;                    /* in the bill, for messages */
	char time[24];               /* 交易时间 as printed (Beijing) */
	char device[40];             /* 设备号 */
	char transaction_id[40];     /* 微信订单号 */
	char out_trade_no[40];       /* 商户订单号 */
	enum recon_wx_state state;
	int64_t total_fen;           /* 订单金额 (-1: column absent) */
	int64_t settlement_fen;      /* 应结订单金额 */
	int64_t voucher_fen;         /* 代金券金额 */
	char refund_id[72];          /* 微信退款单号 */
	char out_refund_no[72];      /* 商户退款单号 */
	int64_t refund_fen;          /* 申请退款金额, else 退款金额 */
	int64_t voucher_refund_fen;  /* 充值券退款金额 */
	char refund_state[16];       /* 退款状态: SUCCESS, PROCESSING ... */
	int64_t fee_fen;             /* 手续费 */
};

struct recon_bill {
	struct recon_wx_row *rows;
	int n;
	int has_summary;
	int64_t sum_count;           /* 总交易单数 */
	int64_t sum_settlement_fen;  /* 应结订单总金额 */
	int64_t sum_refund_fen;      /* 退款总金额 */
	int64_t sum_fee_fen;         /* 手续费总金额 */
};

/* Parse text into *out (free with recon_bill_free). QUAN_EPROTO /
 * QUAN_ETOOBIG with *cause (caller frees) on a bill that cannot be read;
 * *out is then empty. A summary whose 总交易单数 is not the number of
 * rows is QUAN_EPROTO too: a truncated download. */
int recon_bill_parse(const char *text, size_t len, struct recon_bill *out,
    char **cause);
void recon_bill_free(struct recon_bill *b);

/* ---- the till's side and the differences ------------------------------ */

enum recon_till_state {
	RECON_TILL_PAID = 0,
	RECON_TILL_FAILED,       /* failed: nothing should be at WeChat */
	RECON_TILL_REVERSED,
	RECON_TILL_UNKNOWN       /* unsettled at the till */
};

struct recon_till_pay {
	const char *out_trade_no;
	enum recon_till_state state;
	int64_t total_fen;
	int64_t voucher_fen;     /* what WeChat said it deducted */
};

struct recon_till_refund {
	const char *out_trade_no;
	const char *out_refund_no;
	int64_t refund_fen;
	int done;                /* 1 success, 0 still processing */
};

enum recon_kind {
	RECON_MISSING_AT_TILL = 0, /* WeChat has it, the till does not */
	RECON_MISSING_AT_WECHAT,   /* the till has it paid, WeChat not */
	RECON_AMOUNT,              /* totals differ */
	RECON_STATE,               /* paid at one, not at the other */
	RECON_VOUCHER,             /* voucher deduction differs */
	RECON_REFUND_MISSING_AT_TILL,
	RECON_REFUND_MISSING_AT_WECHAT,
	RECON_REFUND_AMOUNT
};
const char *recon_kind_name(enum recon_kind k); /* "missing_at_till" … */

struct recon_diff {
	enum recon_kind kind;
	char out_trade_no[40];
	char out_refund_no[72];
	int64_t till_fen, wx_fen;  /* the amounts compared (-1: none) */
	char till_state[16], wx_state[16];
	int wx_line;               /* bill line, 0 when none */
};

struct recon_result {
	struct recon_diff *d;
	int n;
	int matched;               /* payments that agree */
	int64_t wx_paid_fen, till_paid_fen;      /* Σ total of paid */
	int64_t wx_refund_fen, till_refund_fen;
	int64_t wx_voucher_fen, till_voucher_fen;
};

/* Compare. device, when not NULL/"", limits WeChat's rows to those of
 * this till (设备号) — the bill is the merchant's, every till's — except
 * rows whose out_trade_no the till knows. */
void recon_diff(const struct recon_bill *b, const char *device,
    const struct recon_till_pay *pays, int npays,
    const struct recon_till_refund *refunds, int nrefunds,
    struct recon_result *out);
void recon_result_free(struct recon_result *r);

/* The till's WeChat payments and refunds created in [from, to) read from
 * the store (reconcile_day.c) and compared with b, as recon_diff. Store
 * errors (out empty). */
struct store;
int recon_store_diff(struct store *st, const struct recon_bill *b,
    const char *device, int64_t from, int64_t to, struct recon_result *out);

/* The report: text for a person (new string), or a JSON object text
 * {"date", "matched", "differences": [...], "totals": {...}} (new). */
char *recon_text(const struct recon_result *r, const char *date);
char *recon_json(const struct recon_result *r, const char *date);

/* ---- the sync daemon's daily run (reconcile_daily.c) ---------------- */

/* WeChat's bills are ready after 10:00 (Beijing) the next day. */
#define RECON_DAILY_HOUR 10

/* Is yesterday's run due at now (store time)? *date yesterday
 * ("YYYY-MM-DD"), *from its local midnight, *hour now's local hour. 1
 * after RECON_DAILY_HOUR when the last run recorded is of an earlier
 * day (or none), else 0. */
int recon_daily_due(struct store *st, int64_t now, char date[16],
    int64_t *from, int *hour);
/* Record the run of date (r: what it found; no_bill: WeChat had no bill
 * for it) so it is not repeated. Own transaction; store QUAN_E*. */
int recon_daily_record(struct store *st, const char *date,
    const struct recon_result *r, int no_bill, int64_t now);
/* The last run recorded: {date, differences, matched, no_bill,
 * wx_paid_fen, till_paid_fen, at} (new), or NULL when none ran. The
 * X/Z reports and `quan status` show it. */
struct json_t;
struct json_t *recon_daily_json(struct store *st);

#endif
