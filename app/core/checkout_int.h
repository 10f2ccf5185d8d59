/*
 * checkout_int.h — the checkout engine's handle and what its files share;
 * private to app/core. The engine is cut by subject:
 *
 * checkout.c           the handle, the basket (open, add, remove, price),
 *                      cancel, close
 * checkout_redeem.c    the two-commit redeem: rows and keys first, then
 *                      decisions (online, offline policy, override)
 * checkout_recorded.c  sales already recorded: void, load, recover
 */
#ifndef QUAN_CORE_CHECKOUT_INT_H
#define QUAN_CORE_CHECKOUT_INT_H

#include <jansson.h>
#include <stdint.h>

#include "core/checkout.h"
#include "core/rules.h"
#include "store/store.h"

#define DEF_SLOTS 32

struct defslot {
	int used;
	enum store_kind kind;
	char id[RULES_ID_MAX + 1];
	int rc;                    /* 0 ok, QUAN_ENOTFOUND, QUAN_EINVAL */
	int64_t fetched_at;
	struct rules_def def;
};

/* Per-line data the published struct does not carry. */
struct lpriv {
	int slot;                  /* def slot, -1 none */
	int known;                 /* the code cache knows it (right kind) */
	int verified;              /* ... in a state WeChat reported usable
	                              (SENDED, NORMAL), not the import's */
	char code_state[STORE_STATE_MAX];
	struct rules_coupon cp;
};

struct checkout {
	struct checkout_opts o;
	struct classify *cls;
	struct checkout_txn cur;
	struct lpriv lp[CHECKOUT_LINES_MAX];
	struct defslot defs[DEF_SLOTS];
	int next_slot;
	char cashier[32];            /* stamped on every txn opened */
};

/* checkout.c */
int64_t checkout_now_of(const struct checkout *co);
/* The parsed definition of a stock/card, from a small cache of slots.
 * Returns the slot or -1 with *reason set. */
int checkout_def_slot(struct checkout *co, enum store_kind kind, const char *id,
    enum reason *reason);

/* checkout_redeem.c */
void checkout_line_json(json_t *d, const struct checkout_line *l);

#endif
