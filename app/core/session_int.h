/*
 * session_int.h — the terminal session's handle and what its files
 * share; private to app/core. The session is cut by subject:
 *
 * session.c          entry points, dispatch of keys and ticks, login,
 *                    the screens' moves, sync
 * session_view.c     the engine's results mapped to the view, status bar
 * session_sale.c     a sale: amount, scans, confirm, the redeem's result
 * session_lists.c    the list screens: sales, X/Z report, diag, settings,
 *                    detail
 * session_approve.c  manager approvals: override, void, cancel
 * session_staff.c    who may log in (its own head comment)
 * session_pay.c      the sale's payment: code, cash, other, the wait
 * session_pcoupon.c  商品券 lines: scan, price, uses with the payment
 */
#ifndef QUAN_CORE_SESSION_INT_H
#define QUAN_CORE_SESSION_INT_H

#include <stdint.h>

#include "core/checkout.h"
#include "core/ev.h"
#include "core/redeem.h"
#include "core/session.h"
#include "core/view.h"

struct payment;
struct session_pc;
#include "store/store.h"

#define DIAG_MAX 12
#define TICK_MS 1000
#define HELD_MAX 32         /* scans/keys held while a redeem is out */
#define REDEEM_SHOW_MS 100  /* the redeem's waiting time ticks by this */
#define TXN_LIST_MAX VIEW_LINES_MAX

struct session {
	struct session_opts o;
	struct view v;

	char login_id[VIEW_ID_MAX];

	/* manager approval in progress */
	enum view_screen back;     /* screen to return to */
	char appr_id[VIEW_ID_MAX];
	int64_t act_txn;           /* txn the action is about */

	int64_t cur_txn;           /* current sale id once redeemed, 0 none */
	int net_config;            /* a configured client cannot start */
	int quit_armed;            /* quit asked once with a sale open */
	int64_t last_txn;          /* the sale finished last (F8 from the
	                              next sale's amount voids it), 0 none */
	char price_code[EV_CODE_MAX]; /* EXCHANGE code waiting for a price */
	int price_manual;
	struct checkout_txn tmp;   /* scratch for checkout_load */
	char ids[TXN_LIST_MAX][40];/* TXNS: txn id per line */

	struct ev_scan diag[DIAG_MAX];
	int ndiag, diag_next;

	uint64_t last_input_ms;
	uint64_t next_tick_ms;
	uint64_t next_cache_ms;    /* cache stats count codes: every 30 s */
	int64_t oldest_def;        /* oldest stock/card fetch (epoch), 0 */
	int done;

	/* the redeem out to WeChat, and what came in meanwhile */
	struct redeem *rd;
	uint64_t redeem_t_us;      /* the confirm key's time */
	struct ev held[HELD_MAX];
	int nheld;

	/* the sale's payment (session_pay.c) */
	struct payment *pm;
	int64_t pay_id;            /* the charge shown, 0 none */
	struct refund *rf;         /* a paid sale voided: its refund */
	int64_t refund_id;         /* the refund out, 0 none */

	struct session_pc *pc;     /* 商品券 lines (session_pcoupon.c) */
	/* paper (session_print.c) */
	int print_out;             /* a job is printing */
	int print_receipt;         /* it is a receipt (else a report) */
};

/* session_print.c: the receipt of a paid sale, a reprint of the last
 * one or the report on screen on paper (SC_PRINT); the job is stepped on
 * ticks and its failure told, never waited for. */
void session_print_sale(struct session *s, int64_t txn);
void session_print_key(struct session *s);
void session_print_step(struct session *s);
int session_print_timeout_ms(const struct session *s);

/* session.c */
const char *session_action_id(enum view_action a);
void session_touch(struct session *s);
void session_set_msg(struct session *s, enum view_msg m, const char *text);
void session_journal(struct session *s, const char *kind, int64_t txn,
    const char *who, const char *what, const char *why);
void session_go(struct session *s, enum view_screen scr, enum view_field f);
void session_clear_sale(struct session *s);
/* Leave whatever sale is current: close a redeemed one, drop an open one. */
void session_end_sale(struct session *s);
void session_to_amount(struct session *s);
/* One PIN try, counted in the store with quan void's (staff_try): every
 * wrong one journaled, STAFF_PIN_TRIES in a row lock PIN entry. */
int session_check_pin(struct session *s, const char *id, const char *pin,
    enum staff_role *role);

/* session_view.c */
/* Refused for an offline cap (a manager may lift it)? */
int session_is_cap(enum reason r);
/* Copy the engine's txn into the view's sale; manual flags survive. */
void session_map_txn(struct session *s, const struct checkout_txn *t);
/* Overall verdict of a redeemed sale: worst first. */
enum view_verdict session_sale_verdict(const struct view *v, int *worst);
void session_set_verdict(struct session *s, enum view_verdict vd, int idx,
    uint64_t scan_us);
void session_refresh_status(struct session *s);

/* session_sale.c */
void session_on_amount_submit(struct session *s, const char *text);
void session_on_scan(struct session *s, const struct ev *ev);
void session_show_result(struct session *s, uint64_t t_us);
/* First line of the current redeemed sale refused for an offline cap (a
 * manager may still accept it), or -1. */
int session_over_cap(struct session *s);
void session_start_approval(struct session *s, enum view_action a, int64_t txn);
/* Decide the redeem out if its wait is over; then handle what was held
 * back meanwhile, in order. */
void session_redeem_check(struct session *s);
void session_on_confirm(struct session *s, const struct ev *ev);

/* session_lists.c */
void session_show_txns(struct session *s, const char *filter);
void session_show_report(struct session *s, int z, const char *approver,
    const char *why);
void session_show_diag(struct session *s);
void session_show_settings(struct session *s);
void session_show_detail(struct session *s);
/* the sale selected in the sales list, in detail (session_lists.c) */
void session_show_sale(struct session *s);

/* session_approve.c */
void session_on_approve_submit(struct session *s, const char *text);
void session_on_cancel(struct session *s);
void session_on_void(struct session *s);

/* session_pay.c */
void session_pay_init(struct session *s);
void session_pay_free(struct session *s);
void session_pay_reset(struct session *s);
/* After the coupons' result: offer the due (view.pay_offer). */
void session_pay_offer(struct session *s);
/* A payment code scanned or typed on RESULT / PAY: 1 when handled. */
int session_pay_scan(struct session *s, const char *code);
/* SC_CASH / SC_OTHER. */
void session_pay_key(struct session *s, enum session_cmd cmd);
/* SUBMIT on VIEW_PAY. */
void session_pay_submit(struct session *s, const char *text);
/* SC_CANCEL on VIEW_PAY: 1 when handled. */
int session_pay_cancel(struct session *s);
/* Map the payment to the view (after drains and ticks). */
void session_pay_check(struct session *s);
/* The sale is being left: 1 when it must not be closed (voided here
 * after a failed payment, or its payment still out). */
int session_pay_keep_sale(struct session *s);
int session_pay_waiting(const struct session *s);
int session_pay_active(const struct session *s);
/* The manager voids sale txn: a paid one is refunded first (1: the
 * refund is out or done, the session says so), 0 when it was not paid
 * (void it as before). */
int session_pay_void(struct session *s, int64_t txn, const char *by);
/* ms until session_pay_check should run (-1 none). */
int session_pay_timeout_ms(const struct session *s);

/* session_pcoupon.c (its head comment) */
void session_pc_init(struct session *s);
void session_pc_free(struct session *s);
void session_pc_reset(struct session *s);
int session_pc_count(const struct session *s);
/* The 商品券 discount granted (provisional before the redeem). */
int64_t session_pc_discount(const struct session *s);
/* Use first: the uses are out, the charge waits for them. */
int session_pc_holding(const struct session *s);
/* Append the lines of sale t to the view (session_map_txn). */
void session_pc_map(struct session *s, const struct checkout_txn *t);
/* A scan on the basket: 1 when it was a 商品券 (line or verdict). */
int session_pc_scan(struct session *s, const struct ev_scan *sc);
/* SC_REMOVE of view line idx: 1 when it was a 商品券 line. */
int session_pc_remove(struct session *s, int idx);
/* The sale txn is recorded (its other coupons decided): price. */
void session_pc_redeemed(struct session *s, int64_t txn);
/* Cash / other asked: 1 (and the words said) when a 商品券 forbids it. */
int session_pc_cash_refused(struct session *s);
/* The charge pay_id is committed, not sent: the uses committed (use
 * first: sent, the charge held). The store's QUAN_E* (QUAN_EEXIST: a
 * coupon is in use in another sale). */
int session_pc_charged(struct session *s, int64_t pay_id);
void session_pc_paid(struct session *s, const char *transaction_id);
void session_pc_failed(struct session *s);
/* The redeemed sale is closed without a charge: its 商品券 discount is
 * taken back (no use was made). */
void session_pc_leave(struct session *s);
/* Sale txn voided (refunded first when paid): its used 商品券 get their
 * returns (a bundle: the latest used round), sent now when online. */
void session_pc_voided(struct session *s, int64_t txn);
/* After drains and ticks: the uses' answers to the view. */
void session_pc_check(struct session *s);

#endif
