/*
 * words.h — the business words that cross layers: the states of a sale,
 * of a coupon line, of an outbox row and of a cached code, as enums with
 * their machine ids (the text the store keeps in its state columns and
 * JSON carries). The store takes and returns these enums and turns them
 * into text only at its SQL edge; the core decides with them; text is
 * made only where it leaves (store, JSON, screen). See README.md for why
 * this is a layer of its own below app/util's neighbours.
 */
#ifndef QUAN_WORDS_H
#define QUAN_WORDS_H

/* A coupon line's state (the store's redemptions.state, and two basket
 * states that are never stored). */
enum checkout_cstate {
	CHECKOUT_PRICED = 0,       /* in an unredeemed basket, usable */
	CHECKOUT_REFUSED,          /* in an unredeemed basket, rejected */
	CHECKOUT_PENDING,          /* committed, not sent / not decided */
	CHECKOUT_CONFIRMED,        /* WeChat confirmed the use */
	CHECKOUT_REJECTED,
	CHECKOUT_UNKNOWN,          /* sent, outcome not known yet */
	CHECKOUT_ACCEPTED_OFFLINE, /* granted locally, to be settled */
	CHECKOUT_RETURN_PENDING,
	CHECKOUT_RETURNED,
	CHECKOUT_CONFLICT          /* used by another request */
};

/* Store name of a state ("pending", "accepted_offline" ...); the two
 * basket states are "priced" and "refused". Never NULL ("?" out of
 * range). */
const char *checkout_cstate_name(enum checkout_cstate s);
/* And back; -1 when unknown (or NULL). */
int checkout_cstate_parse(const char *s);

/* A sale's state as the store's txns.state keeps it (the engine's
 * checkout_tstate adds the states of a sale not stored yet). */
enum txn_state {
	TXN_OPEN = 0,   /* basket, or committed and being decided */
	TXN_REDEEMED,   /* decided; to be closed */
	TXN_CLOSED,
	TXN_VOIDED
};
/* "open", "redeemed", "closed", "voided"; "?" out of range. */
const char *txn_state_name(enum txn_state s);
/* And back; -1 when unknown (or NULL). */
int txn_state_parse(const char *s);

/* An outbox row's state (outbox.state): waiting to be sent or answered,
 * sent without an answer, settled, or withdrawn (a void before sending). */
enum outbox_state {
	OUTBOX_PENDING = 0,
	OUTBOX_UNKNOWN,
	OUTBOX_DONE,
	OUTBOX_CANCELLED
};
const char *outbox_state_name(enum outbox_state s);
int outbox_state_parse(const char *s);   /* -1 when unknown */

/* A known code's state in the code cache (codes.state): issued to a
 * customer, or used (here, or as WeChat last said). Codes imported with
 * WeChat's own words keep them (rules_cstate_parse reads those). */
enum code_state { CODE_ISSUED = 0, CODE_USED };
const char *code_state_name(enum code_state s);   /* "issued", "used" */
int code_state_parse(const char *s);              /* -1 when not ours */

#endif
