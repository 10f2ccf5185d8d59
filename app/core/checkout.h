/*
 * checkout.h — the checkout engine: one sale (a "basket") at a time.
 *
 *   checkout_open(amount)  -> checkout_add(scan) ... (each line classified
 *   and priced, or rejected with a machine-readable reason)
 *   -> checkout_redeem()   -> amount due -> checkout_close() or
 *   checkout_void(txn).
 *
 * Redeem is two calls and two commits. checkout_commit() commits, in ONE
 * SQLite transaction and before any network call: the txn row, one
 * redemption row per coupon (state pending, with its idempotency key =
 * terminal id + "U" + a per-terminal sequence, and the use_time fixed
 * now), one outbox row per coupon holding the exact request body, and the
 * journal entries. The caller then sends those rows (core/redeem.h drives
 * it: the settle area, answers applied through ledger.h) without this
 * engine waiting; checkout_decide() decides every coupon: what WeChat
 * answered stands, every coupon still unanswered is decided by the
 * offline policy (config [offline] + per stock/card policy), each decision
 * with its reason recorded. checkout_redeem() is both at once (no network).
 * Coupon states:
 *
 *   pending -> confirmed | rejected | unknown | accepted_offline | conflict
 *   (voided) confirmed/accepted_offline/unknown -> return_pending
 *            -> returned
 *
 * The engine is single-threaded (main thread), never includes SQLite:
 * it calls store_*. Time comes from opts.now so tests can fix it. Results
 * are published as plain structs (struct checkout_txn), borrowed from the
 * engine and valid until its next call.
 */
#ifndef QUAN_CHECKOUT_H
#define QUAN_CHECKOUT_H

#include <stddef.h>
#include <stdint.h>

#include "core/classify.h"
#include "core/coupon.h"
#include "core/hubmsg.h"
#include "core/rules.h"

struct config;
struct store;
struct json_t;

#define CHECKOUT_LINES_MAX RULES_MAX_COUPONS
#define CHECKOUT_CODE_MAX CLASSIFY_CODE_MAX
#define CHECKOUT_KEY_MAX 32      /* idempotency key: [0-9A-Za-z_-]{1,32} */
#define CHECKOUT_REASON_MAX 48
#define CHECKOUT_TEXT_MAX 160


/* One coupon line. */
struct checkout_line {
	char code[CHECKOUT_CODE_MAX + 1];   /* normalised code */
	enum classify_kind kind;            /* from the classifier */
	char kind_id[24];                   /* classify_kind_id(kind) */
	char target[RULES_ID_MAX + 1];      /* stock_id / card_id, "" */
	char coupon_type[24];               /* NORMAL, CASH, ... or "" */
	char name[RULES_NAME_MAX + 1];      /* stock_name / title */
	enum checkout_cstate state;
	/* Why (core/coupon.h's table): REASON_NONE when accepted; a
	 * rules, classifier, engine or offline-policy reason when refused
	 * or decided; REASON_OTHER with reason_text = WeChat's code when
	 * WeChat refused it for a reason the table does not know. */
	enum reason reason;
	char reason_text[CHECKOUT_REASON_MAX];  /* REASON_OTHER only */
	/* WeChat's time for its answer (the redemption's remote_ref, epoch
	 * s; 0 none): on a refusal, when the code was used, or the end or
	 * start of its window as WeChat's record of it says */
	int64_t remote_at;
	struct rules_verdict verdict;       /* the pricing figures */
	int64_t discount_fen;               /* granted (0 when not) */
	int64_t item_price_fen;             /* -1 none */
	int needs_confirm;                  /* GIFT/GROUPON/GENERAL */
	char request_no[CHECKOUT_KEY_MAX + 1]; /* after redeem */
	int64_t red_id;                     /* after redeem */
	char offline_reason[CHECKOUT_TEXT_MAX]; /* the offline decision */
	/* 1: a merchant coupon whose stock definition is not cached (a
	 * WeChat-assigned code the code cache does not know), accepted
	 * provisionally because an online step is installed: discount 0
	 * and reason "needs_online" until WeChat's use answer names the
	 * stock; checkout_redeem then prices it (or returns it at once
	 * with the rules reason). Never granted offline. */
	int needs_answer;
	/* 1: priced at the scan, but its own state (used, expired, not yet
	 * valid, consumed) is not known to the till — the code cache only
	 * says what an import or a notification said — and WeChat is asked
	 * at redeem: the cashier sees "waiting for WeChat" with the value
	 * expected, not "valid". Only with an online step (without one the
	 * offline policy decides, and says so). */
	int unverified;
	/* checkout_load: granted offline, then refused by WeChat — the
	 * customer kept discount_fen (core/report.h's offline loss) */
	int offline_loss;
	/* The store hub's verdict on its claim (enum hub_verdict,
	 * core/hubmsg.h; 0: no hub): HUB_V_DOWN makes the offline policy
	 * the stricter of its own and [hub] when_down, the decision marked
	 * "store hub down". */
	int hub;
};

enum checkout_tstate {
	CHECKOUT_T_NONE = 0,   /* no sale */
	CHECKOUT_T_OPEN,       /* basket being filled */
	CHECKOUT_T_REDEEMED,   /* committed; due known; to be closed */
	CHECKOUT_T_CLOSED,
	CHECKOUT_T_VOIDED,
	CHECKOUT_T_DECIDING    /* committed (rows pending, out to WeChat);
	                          checkout_decide next */
};

struct checkout_txn {
	int64_t id;                 /* 0 until redeemed */
	enum checkout_tstate state;
	int64_t amount_fen, discount_fen, due_fen;
	int nlines;
	struct checkout_line lines[CHECKOUT_LINES_MAX];
};

struct checkout_opts {
	const struct config *cfg;    /* borrowed; outlives the engine */
	struct store *st;            /* borrowed */
	int64_t (*now)(void *arg);   /* epoch s; NULL = tm_now */
	void *now_arg;
	int online;                  /* 1: WeChat is asked between commit
	                              * and decide (checkout_set_online) */
	int pay_after;               /* 1: this process takes each sale's
	                              * payment after the redeem
	                              * (checkout_set_pay_after) */
	int journal_scans;           /* 1: journal every checkout_add ("scan"
	                              * with its verdict); the cashier UI sets
	                              * it, headless commands journal at
	                              * redeem/check instead */
};

struct checkout;

/* Create an engine: builds the classifier from the config's [stock]/[card]
 * sections. QUAN_ECONFIG with *cause (caller frees). Borrows opts'
 * pointers. Main thread. */
int checkout_new(const struct checkout_opts *opts, struct checkout **out,
    char **cause);
void checkout_free(struct checkout *co);   /* NULL-safe */
/* Who rings up the sales that follow (cashier id, "" = nobody): stored on
 * each txn and in its journal entry, so reports say who sold what. Copies
 * (at most 31 bytes). Main thread. */
void checkout_set_cashier(struct checkout *co, const char *id);
/* 1: the caller sends each sale's rows to WeChat between checkout_commit
 * and checkout_decide (a merchant coupon whose stock is not cached is then
 * taken provisionally, see needs_answer); 0: no network. */
void checkout_set_online(struct checkout *co, int online);
/* 1: the payment is taken here after the redeem (`quan sale`, the
 * terminal; doc §11): each sale's first commit names this process as its
 * payer (txns.pay_owner: a redeemed sale left without a payment when the
 * process is gone is voided by recovery, payment_recover_unpaid), and
 * its card coupons are only checked (code/get) in the online step: their
 * consume rows are held (STORE_OUTBOX_HELD) until the payment is paid,
 * then sent; a failed or reversed payment leaves them untouched.
 * 0 (`quan redeem`: the customer pays elsewhere): consumed at once. */
void checkout_set_pay_after(struct checkout *co, int on);
/* The store the engine writes (borrowed from its opts). */
struct store *checkout_store(const struct checkout *co);

/* Start a sale of amount_fen (0..MONEY_MAX_FEN). QUAN_EBUSY when a basket
 * is open (cancel or redeem it first), QUAN_EINVAL on a bad amount. */
int checkout_open(struct checkout *co, int64_t amount_fen);
/* Add a scanned/typed code (len bytes, need not be NUL-terminated).
 * item_price_fen: EXCHANGE item price or the value a cashier assigns to
 * GIFT/GROUPON/GENERAL coupons; -1 none. The line is always added (priced
 * or refused) and the whole basket re-priced; *line_out (may be NULL)
 * gets its index. Returns 0, QUAN_EINVAL when no basket is open,
 * QUAN_EFULL when the basket already has CHECKOUT_LINES_MAX lines, or a
 * store error (then nothing was added). */
int checkout_add(struct checkout *co, const char *text, size_t len,
    int64_t item_price_fen, int *line_out);
/* Drop line i of an unredeemed basket (re-prices the rest). */
int checkout_remove(struct checkout *co, int i);
/* Drop the unredeemed basket (journals "cancel" when it had lines). */
int checkout_cancel(struct checkout *co);
/* First commit of the open basket (see the file comment): the txn becomes
 * CHECKOUT_T_DECIDING, its lines PENDING (or REJECTED at pricing).
 * QUAN_EINVAL when no basket is open, or a store error (QUAN_EFULL "disk
 * full" ...): then nothing was written and the basket stays open. */
int checkout_commit(struct checkout *co);
/* Second commit of a DECIDING txn: every line's final state for now (what
 * WeChat answered, else the offline policy), and the due amount. Returns 0
 * (whatever the coupons' verdicts), QUAN_EINVAL when no txn is deciding,
 * or a store error with nothing granted: if the decision could not be
 * stored — commit failed, or QUAN_EBUSY: the
 * txn was recovered meanwhile by another process (`quan sync`, stalled
 * past the age rule) and is not overwritten — the sale is left to
 * checkout_recover() and the published txn says what it will do: state
 * VOIDED, every line REJECTED "not_recorded", no discount, due = amount.
 * The caller must show the error. *nreturned (may be NULL) counts the
 * coupons WeChat applied that the basket's rules refuse: their returns are
 * queued in the outbox, for the caller to send. */
int checkout_decide(struct checkout *co, int *nreturned);
/* Between checkout_commit and the send to WeChat: the store hub's verdict
 * (enum hub_verdict) on line i's claim. HUB_V_TAKEN: another lane's live
 * claim holds the code (holder = its terminal, at = its claim time):
 * the line is rejected "hub_taken" now, its use cancelled before any
 * send, the words "already used at lane T02 at 14:05" in its
 * offline_reason; HUB_V_DOWN: the hub gave no answer (see `hub` in
 * struct checkout_line). QUAN_EINVAL when no txn is deciding or the line
 * has no row; store errors. */
int checkout_hub_verdict(struct checkout *co, int i, int verdict,
    const char *holder, int64_t at);
/* checkout_commit then checkout_decide, with nothing sent in between (a
 * till without network, tests). */
int checkout_redeem(struct checkout *co);
/* Manager override of an offline refusal on the redeemed (not yet
 * closed) sale: line i, rejected or unknown with an "offline_*" reason,
 * becomes accepted_offline; a never-sent use row is put back in the
 * outbox; the granted discounts and the due are recomputed; the journal
 * records who and why. QUAN_EINVAL when the line cannot be overridden
 * (not an offline refusal, or no longer priceable); QUAN_EEXIST when
 * another sale redeemed the code since it was refused here (the line's
 * reason becomes "already_used"; nothing is granted). */
int checkout_override(struct checkout *co, int i, const char *who,
    const char *why);
/* Mark the redeemed sale paid and closed. */
int checkout_close(struct checkout *co);
/* The same for a redeemed txn by id (a payment settled later, by `quan
 * sync`); one already closed is left as it is (0). QUAN_EINVAL when it
 * is neither. */
int checkout_close_txn(struct checkout *co, int64_t txn_id);
/* Void a redeemed or closed sale by id (it need not be the current one):
 * coupons granted become return_pending with a return outbox row (or
 * returned at once when their use was never sent; card consumes cannot be
 * undone and are journaled as such). who: cashier/manager id for the
 * journal. QUAN_ENOTFOUND, QUAN_EINVAL (already voided / not redeemed),
 * store errors; *cause (may be NULL) says why. */
int checkout_void(struct checkout *co, int64_t txn_id, const char *who,
    char **cause);

/* Could sale txn_id be voided now (redeemed or closed)? 0 yes;
 * QUAN_ENOTFOUND (no such sale), QUAN_EINVAL (voided already, or not
 * decided yet) with *cause (may be NULL; caller frees) in words. Asked
 * before a manager is asked for a PIN, and again by checkout_void inside
 * its transaction (one rule). */
int checkout_voidable(struct checkout *co, int64_t txn_id, char **cause);

/* Recover redeems interrupted between their two commits (crash, power
 * loss, disk full): txns still 'open' and opened more than older_than_s
 * ago. Their never-sent coupons become rejected ("interrupted", outbox
 * cancelled), sent ones stay unknown for the sync area with no discount
 * (a use that landed is then given back), merchant coupons WeChat already
 * confirmed become return_pending with their return queued, and the txn
 * is voided with nothing granted (the cashier never saw a verdict). *n
 * gets the number recovered. Call at start-up. */
int checkout_recover(struct checkout *co, int64_t older_than_s, int *n);

/* The current sale; borrowed, valid until the next checkout call. */
const struct checkout_txn *checkout_current(const struct checkout *co);
/* Load a stored txn and its coupons into *out (for reports/UI). */
int checkout_load(struct checkout *co, int64_t txn_id,
    struct checkout_txn *out);

/* Journal an event that is not a coupon state change (login, approval,
 * config change, check). data may be NULL. Own transaction. */
int checkout_journal(struct checkout *co, const char *kind,
    int64_t txn_id, const struct json_t *data);

/* Set l's reason from a stored or engine id (the store's edge): the
 * table's enum, or REASON_OTHER keeping the id in reason_text. */
void checkout_line_set_reason(struct checkout_line *l, const char *id);
/* And the other way (JSON, journal, store): reason_text of the line. */
const char *checkout_line_reason(const struct checkout_line *l);
/* A redemption's remote_ref as a time (epoch s), 0 when it is not one. */
int64_t checkout_remote_at(const char *remote_ref);

/* The classifier and the code-cache lookup the engine uses (for the
 * benchmark and the UI's diagnostics). Borrowed. */
const struct classify *checkout_classifier(const struct checkout *co);
int checkout_lookup(void *co, const char *code, struct classify_hit *hit);

#endif
