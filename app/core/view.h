/*
 * view.h — the view model the terminal session publishes for a front-end
 * (the curses UI or the headless printer). Plain values, no pointers, no
 * translated text: the front-end turns ids and figures into words in the
 * cashier's language. List screens (title, lines) carry English msgids
 * ("label\tvalue"), which the front-end translates by the label before
 * the tab (ui_line). A word of the value that has words in the tables is
 * marked, never written out: VIEW_WORD, a kind letter, the machine id,
 * VIEW_WORD ("\x1fsconfirmed\x1f"): s a coupon line's state
 * (checkout_cstate_name), r a reason
 * id (reason_text: WeChat's codes stay as they are), k a kind or type
 * (coupon_kind_words), a an approved action (enum view_action in
 * decimal), m an English msgid (session_lists.c writes them). `gen` goes up on every change; a front-end redraws
 * when it differs from the generation it drew last. Written and read on the
 * main thread only.
 */
#ifndef QUAN_VIEW_H
#define QUAN_VIEW_H

#include <stdint.h>

#define VIEW_ID_MAX 16
#define VIEW_CODE_MAX 48     /* code as shown (masked or full for demo) */
#define VIEW_NAME_MAX 96     /* coupon / stock name, UTF-8 */
#define VIEW_COUPONS_MAX 16
#define VIEW_LINES_MAX 40    /* report / list lines */
#define VIEW_LINE_MAX 160
#define VIEW_ERR_MAX 160
#define VIEW_WORD '\x1f'  /* marks a word the front-end translates */

/* Which screen the front-end shows. */
enum view_screen {
	VIEW_LOGIN = 0,   /* cashier id, then PIN */
	VIEW_AMOUNT,      /* enter the basket amount */
	VIEW_BASKET,      /* scan coupons, see due; confirm */
	VIEW_RESULT,      /* after redeem: per-coupon verdicts */
	VIEW_APPROVE,     /* manager id + PIN + reason for an action */
	VIEW_TXNS,        /* today's transactions (search) */
	VIEW_REPORT,      /* X or Z report lines */
	VIEW_DIAG,        /* last scans with raw bytes and timing */
	VIEW_SETTINGS,    /* read-only settings */
	VIEW_HELP,
	VIEW_DETAIL,      /* one coupon's detail lines */
	VIEW_PAY,         /* the due taken: payment code, cash, other */
	VIEW_SCREEN_COUNT
};

/* What the input field on the current screen collects. */
enum view_field {
	VIEW_FIELD_NONE = 0,
	VIEW_FIELD_CASHIER,   /* cashier id */
	VIEW_FIELD_PIN,       /* shown masked */
	VIEW_FIELD_AMOUNT,    /* yuan */
	VIEW_FIELD_CODE,      /* scan field: wedge scans and manual codes */
	VIEW_FIELD_REASON,    /* approval reason (a number or words) */
	VIEW_FIELD_SEARCH,    /* txns search */
	VIEW_FIELD_ITEM_PRICE, /* price of the item an EXCHANGE coupon buys */
	VIEW_FIELD_PAY_CODE,  /* VIEW_PAY: the customer's payment code */
	VIEW_FIELD_CASH,      /* VIEW_PAY: cash handed over (yuan) */
	VIEW_FIELD_REF        /* VIEW_PAY: another tender's reference */
};

/* Where the sale's payment stands (VIEW_PAY; also shown on RESULT). */
enum view_pay_state {
	VIEW_PAY_NONE = 0,    /* not asked: scan the code or choose tender */
	VIEW_PAY_SENDING,     /* the charge is out to WeChat */
	VIEW_PAY_USERPAYING,  /* the customer is entering the password */
	VIEW_PAY_CANCELLING,  /* cancelled by the cashier: being reversed */
	VIEW_PAY_PAID,
	VIEW_PAY_FAILED,      /* not paid (pay_reason): another code or
	                         tender, or cancel to give the coupons back */
	VIEW_PAY_REVERSED,    /* given back / closed: as FAILED */
	VIEW_PAY_UNKNOWN      /* not known by the deadline: quan sync
	                         settles it (never charge again here) */
};

enum view_tender {
	VIEW_T_NONE = 0, VIEW_T_WECHAT, VIEW_T_CASH, VIEW_T_OTHER
};

#define VIEW_VOUCHERS_MAX 4

/* A WeChat voucher (代金券) deducted inside the payment. */
struct view_voucher {
	char name[VIEW_NAME_MAX];
	int nocash;              /* 免充值 (else 预充值) */
	int64_t amount_fen;
};

/* Per-coupon state as the cashier sees it. */
enum view_cstate {
	VIEW_C_PRICED = 0,    /* scanned, valid, not redeemed yet */
	VIEW_C_PENDING,
	VIEW_C_CONFIRMED,
	VIEW_C_OFFLINE,       /* accepted offline */
	VIEW_C_UNKNOWN,       /* sent, outcome not known yet */
	VIEW_C_REJECTED,
	VIEW_C_RETURN_PENDING,
	VIEW_C_RETURNED,
	VIEW_C_CONFLICT,
	VIEW_C_NEEDS_APPROVAL /* over an offline cap: manager may override */
};

/* The verdict the last action produced (drives colour and beep). */
enum view_verdict {
	VIEW_V_NONE = 0,
	VIEW_V_CONFIRMED,
	VIEW_V_OFFLINE,
	VIEW_V_REJECTED,
	VIEW_V_INFO,         /* neutral: a coupon priced at the scan */
	VIEW_V_WAIT          /* sent, WeChat's answer not known yet: not
	                        accepted (yet) */
};

/* Plain-words reasons; the front-end formats them with the figures. */
enum view_reason {
	VIEW_R_NONE = 0,
	VIEW_R_ALREADY_USED,     /* t = when, if known */
	VIEW_R_BELOW_MINIMUM,    /* need_fen, have_fen */
	VIEW_R_EXPIRED,          /* t = end */
	VIEW_R_NOT_YET,          /* t = begin */
	VIEW_R_NOT_TODAY,        /* outside its days/hours */
	VIEW_R_UNKNOWN_CODE,     /* not a coupon quan knows */
	VIEW_R_PAYMENT_CODE,     /* a WeChat payment code, not a coupon */
	VIEW_R_GARBAGE,          /* not text / too long / bad characters */
	VIEW_R_DUPLICATE,        /* already in this basket */
	VIEW_R_PER_TXN,          /* too many of this stock in one sale */
	VIEW_R_OFFLINE_POLICY,   /* this coupon needs the network */
	VIEW_R_OFFLINE_CAP,      /* an offline cap: text says which */
	VIEW_R_CACHE_OLD,        /* cache too old for offline */
	VIEW_R_STOCK_STATE,      /* stock paused / stopped */
	VIEW_R_REMOTE,           /* WeChat said no: text has its words */
	VIEW_R_OTHER,            /* text has the words */
	VIEW_R_VALUE_PENDING,    /* provisional (stock unknown to the till):
	                            its value is known after WeChat answers */
	VIEW_R_WAIT_WECHAT,      /* priced, but whether it is still usable
	                            (used, expired, not yet valid) only
	                            WeChat knows: asked at redeem */
	VIEW_R_COUNT
};

enum view_role { VIEW_ROLE_NONE = 0, VIEW_ROLE_CASHIER, VIEW_ROLE_MANAGER };

/* Actions that need a manager. */
enum view_action {
	VIEW_A_NONE = 0,
	VIEW_A_VOID,          /* void the current/selected transaction */
	VIEW_A_OVERRIDE,      /* accept over an offline cap */
	VIEW_A_ZREPORT,       /* end of day */
	VIEW_A_EXIT           /* leave kiosk mode / quit */
};

enum view_msg {
	VIEW_M_NONE = 0,
	VIEW_M_BAD_LOGIN,     /* wrong id or PIN */
	VIEW_M_NOT_MANAGER,   /* that PIN is not a manager's */
	VIEW_M_BAD_AMOUNT,
	VIEW_M_EMPTY_BASKET,
	VIEW_M_VOIDED,        /* text = txn */
	VIEW_M_APPROVED,
	VIEW_M_CANCELLED,
	VIEW_M_LOCKED,        /* too many bad PINs, wait */
	VIEW_M_ERROR,         /* err has the words */
	VIEW_M_NEED_REASON,
	VIEW_M_NOTHING_TO_VOID,
	VIEW_M_ZDONE,         /* Z report n written */
	VIEW_M_VOIDED_KEPT,   /* text = "txn\tnames": voided, these card
	                         coupons cannot be returned, the rest are */
	VIEW_M_VOIDED_KEPT_ALL, /* the same, nothing else to return */
	VIEW_M_QUIT_CONFIRM,  /* a sale is open: quit again to drop it */
	VIEW_M_NOT_VOIDABLE,  /* text = txn: voided already (or not
	                         decided): refused before any PIN */
	VIEW_M_REFUNDING,     /* text = txn: a paid sale's money is being
	                         given back; voided once it is */
	VIEW_M_REFUNDED,      /* text = txn: refunded and voided */
	VIEW_M_REFUND_FAILED, /* text = "txn\treason": not refunded, the
	                         sale stays */
	VIEW_M_PC_COLLECT,    /* text = "¥X": a 商品券 WeChat refused after
	                         the payment: collect the difference */
	VIEW_M_NOT_PRINTED,   /* text = the printer's words: the sale is
	                         complete, its receipt not printed (SC_PRINT
	                         prints it again) */
	VIEW_M_REPORT_NOT_PRINTED /* text = the printer's words */
};

/* view.online */
#define VIEW_NET_NONE (-1)
#define VIEW_NET_OFFLINE 0
#define VIEW_NET_ONLINE 1
#define VIEW_NET_CONNECTING 2
#define VIEW_NET_CONFIG 3
#define VIEW_NET_CLOCK 4      /* WeChat's replies refused: the till's
                                 clock is off by minutes (net_error) */
#define VIEW_NET_TLS 5        /* WeChat's TLS certificate refused
                                 (untrusted, expired, other host) */

struct view_coupon {
	char code[VIEW_CODE_MAX];
	char name[VIEW_NAME_MAX];
	char kind[24];           /* "NORMAL", "DISCOUNT", "CASH", "card" ... */
	int64_t discount_fen;
	enum view_cstate state;
	enum view_reason reason;
	int64_t r_t;             /* reason time (epoch s), 0 = none */
	int64_t r_need_fen, r_have_fen;
	int r_code;              /* enum reason (core/coupon.h): its words
	                            in both languages, where it has any */
	char r_text[VIEW_ERR_MAX]; /* English words for REMOTE/OTHER/
	                            OFFLINE_CAP (WeChat's, or the table's) */
	int manual;              /* typed by hand, not scanned */
	int give_item;           /* GIFT/GROUPON/GENERAL: hand over what the
	                            coupon describes, then confirm */
};

struct view {
	uint64_t gen;
	enum view_screen screen;
	enum view_field field;
	int kiosk, demo;

	/* status line: always visible */
	char cashier[VIEW_ID_MAX];
	enum view_role role;
	int online;              /* VIEW_NET_*: -1 no sync thread, 0 offline,
	                            1 online, 2 connecting (nothing answered
	                            or failed yet), 3 configuration error */
	char net_error[320];     /* VIEW_NET_CONFIG / _CLOCK / _TLS: why */
	int outbox;              /* remote ops still to settle */
	int alarms;              /* refunds ABNORMAL (refund_alarm): a
	                            manager must pay them back by hand */
	int64_t cache_age_s;     /* -1 = no cache */
	char term_id[VIEW_ID_MAX];

	/* sale */
	char txn[40];            /* current transaction id, "" none */
	int64_t amount_fen, discount_fen, due_fen;
	struct view_coupon coupons[VIEW_COUPONS_MAX];
	int ncoupons;
	int selected;            /* coupon/line index for detail, -1 none */

	/* the last verdict (scan or redeem) */
	enum view_verdict verdict;
	uint64_t verdict_seq;    /* +1 per verdict: the UI beeps once per seq */
	uint64_t verdict_scan_us;/* t_mono_us of the scan that caused it */
	int verdict_coupon;      /* index into coupons, -1 none */
	struct view_coupon last; /* the coupon the verdict is about */
	int redeeming;           /* the sale is out to WeChat: keys wait */
	uint32_t redeem_ms;      /* for this long (updated as it ticks) */

	/* manager approval */
	enum view_action action;
	int approve_step;        /* 0 manager id, 1 PIN, 2 reason */
	char act_txn[40];        /* the sale the action is about ("" none:
	                            Z report, kiosk exit) */

	enum view_msg msg;
	char msg_text[VIEW_ERR_MAX];

	/* list screens (txns, reports, diag, settings, detail) */
	char title[VIEW_LINE_MAX];
	char lines[VIEW_LINES_MAX][VIEW_LINE_MAX];
	int nlines;
	int zreport;             /* VIEW_REPORT: 1 = Z, 0 = X */

	/* the payment of the current sale (VIEW_PAY, RESULT's prompt) */
	int pay_offer;           /* RESULT: a due is left to take here */
	enum view_pay_state pay;
	enum view_tender tender;
	uint32_t pay_elapsed_s;  /* since the charge (ticks each second) */
	int64_t pay_due_fen;     /* what is charged */
	int64_t pay_payer_fen;   /* the customer's own money */
	int64_t pay_voucher_fen; /* deducted by WeChat vouchers */
	int64_t pay_tendered_fen, pay_change_fen; /* cash */
	char pay_reason[48];     /* WeChat's code or ours ("NOTENOUGH") */
	char pay_ref[65];        /* other: the reference typed */
	char pay_otn[33];        /* out_trade_no */
	struct view_voucher vouchers[VIEW_VOUCHERS_MAX];
	int nvouchers;
	uint64_t pay_seq;        /* +1 per payment verdict (beep once) */
	int idle_left_s;         /* kiosk: seconds until the idle reset to
	                            the start, 0 none (counting down) */
};

#endif
