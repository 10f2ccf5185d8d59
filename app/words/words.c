/*
 * words.c — the state names of words.h: one array per family, indexed by
 * the enum, read both ways.
 */
#include <string.h>

#include "words/words.h"

static const char *const cstate_names[] = {
	"priced", "refused", "pending", "confirmed", "rejected", "unknown",
	"accepted_offline", "return_pending", "returned", "conflict"
};
static const char *const txn_names[] = {
	"open", "redeemed", "closed", "voided"
};
static const char *const outbox_names[] = {
	"pending", "unknown", "done", "cancelled"
};
static const char *const code_names[] = { "issued", "used" };

#define N(a) (sizeof (a) / sizeof (a)[0])
_Static_assert(N(cstate_names) == CHECKOUT_CONFLICT + 1, "cstate names");
_Static_assert(N(txn_names) == TXN_VOIDED + 1, "txn names");
_Static_assert(N(outbox_names) == OUTBOX_CANCELLED + 1, "outbox names");
_Static_assert(N(code_names) == CODE_USED + 1, "code names");

/* Index of s in names[0..n), -1 when absent (or NULL). */
static int
name_index(const char *const *names, size_t n, const char *s)
{
	size_t i;

	for (i = 0; s != NULL && i < n; i++)
		if (strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

/* names[i], "?" out of range. */
static const char *
name_of(const char *const *names, size_t n, unsigned i)
{
	return i < n ? names[i] : "?";
}

const char *
checkout_cstate_name(enum checkout_cstate s)
{
	return name_of(cstate_names, N(cstate_names), (unsigned)s);
}

int
checkout_cstate_parse(const char *s)
{
	return name_index(cstate_names, N(cstate_names), s);
}

const char *
txn_state_name(enum txn_state s)
{
	return name_of(txn_names, N(txn_names), (unsigned)s);
}

int
txn_state_parse(const char *s)
{
	return name_index(txn_names, N(txn_names), s);
}

const char *
outbox_state_name(enum outbox_state s)
{
	return name_of(outbox_names, N(outbox_names), (unsigned)s);
}

int
outbox_state_parse(const char *s)
{
	return name_index(outbox_names, N(outbox_names), s);
}

const char *
code_state_name(enum code_state s)
{
	return name_of(code_names, N(code_names), (unsigned)s);
}

int
code_state_parse(const char *s)
{
	return name_index(code_names, N(code_names), s);
}
