/*
 * session.h — the terminal session: the state machine behind the cashier
 * screen (login, amount, scanning, verdicts, manager approvals, void, X/Z
 * reports, list screens). It is driven only by events (EV_SCAN from the
 * drivers, EV_KEY semantic commands from a front-end, sync results, ticks)
 * and publishes a struct view (core/view.h). It never draws and never
 * includes curses; the curses UI and the headless driver are its
 * front-ends. Main thread only.
 */
#ifndef QUAN_SESSION_H
#define QUAN_SESSION_H

#include <stdint.h>

#include "core/ev.h"
#include "core/view.h"

struct checkout;
struct config;
struct evq;
struct receipt_port;
struct settle;
struct store;

/* Semantic commands a front-end sends as EV_KEY (ev.u.key.cmd). */
enum session_cmd {
	SC_NONE = 0,
	SC_SUBMIT,     /* text = the input field's content */
	SC_CONFIRM,    /* redeem the basket (Enter on an empty scan field) */
	SC_CANCEL,     /* back / abort the current step */
	SC_NEW,        /* start a new sale */
	SC_HELP,
	SC_TXNS,       /* today's transactions; SUBMIT there searches */
	SC_XREPORT,
	SC_ZREPORT,    /* needs a manager */
	SC_DIAG,       /* scanner diagnostics */
	SC_SETTINGS,
	SC_VOID,       /* void current/selected txn; needs a manager */
	SC_LOGOUT,
	SC_QUIT,       /* leave the program (kiosk: needs a manager) */
	SC_UP,
	SC_DOWN,
	SC_DETAIL,     /* detail of the selected coupon */
	SC_REMOVE,     /* drop the selected coupon from an unredeemed basket */
	SC_OVERRIDE,   /* manager override of an offline cap */
	SC_IDLE,       /* kiosk: idle timeout passed, reset */
	SC_CASH,       /* take the due in cash (tendered, change) */
	SC_OTHER,      /* another tender with a reference */
	SC_PRINT,      /* reprint the last receipt; on a report: print it */
	SC_COUNT
};

/* Name of a command for scripts/logs ("submit", "confirm" ...); and back:
 * SC_NONE when unknown. */
const char *session_cmd_name(enum session_cmd c);
enum session_cmd session_cmd_parse(const char *name);

struct session_opts {
	const struct config *cfg; /* borrowed; must outlive the session */
	const char *data_dir;     /* borrowed: the staff file */
	struct store *st;         /* borrowed */
	struct checkout *co;      /* borrowed checkout engine */
	struct settle *settle;    /* borrowed; NULL = no sync thread */
	struct evq *results;      /* borrowed: sync results (with settle) */
	int kiosk;                /* self-service: big verdict, idle reset */
	int demo;                 /* banner + demo codes panel */
	const char *autologin;    /* cashier id logged in at start, or NULL */
	int idle_reset_s;         /* kiosk idle reset (default 30) */
	struct receipt_port *printer; /* borrowed; NULL = no printer */
	/* the front-end's words for a msgid (reports on paper), or NULL */
	const char *(*tr)(const char *msgid);
	const char *net_error;    /* a configured WeChat client cannot start
	                             (why; copied), NULL/"" = none: the
	                             status shows CONFIG ERROR, not OFFLINE */
};

struct session;

/* Create a session in the login screen (or logged in as opts->autologin).
 * QUAN_E* with *cause on failure. Borrows opts' pointers. Main thread. */
int session_new(struct session **out, const struct session_opts *opts,
    char **cause);
void session_free(struct session *s); /* NULL-safe */
/* The session's redeem engine (core/redeem.h), for its owner to give it
 * a store hub (redeem_set_hub) right after session_new. Borrowed. */
struct redeem *session_redeemer(struct session *s);

/* Handle one event (copied as needed). Main thread. */
void session_dispatch(struct session *s, const struct ev *ev);
/* The published view; borrowed, valid until the next dispatch. */
const struct view *session_view(const struct session *s);
/* 1 once the session has agreed to end the program. */
int session_done(const struct session *s);
/* Milliseconds until the session wants an EV_TICK (-1 = none). */
int session_timeout_ms(const struct session *s);
/* The sync results queue is readable: apply what is there (settle; the
 * session is the queue's only reader), decide a redeem whose answers are
 * in, and refresh the view. Main thread. */
void session_sync(struct session *s);
/* 1 while a redeem is out to WeChat (the view says redeeming): scans
 * and keys wait in the session and are handled, in order, once it is
 * decided. A front-end that plays a script waits for 0. */
int session_busy(const struct session *s);
/* 1 while the sale's payment is out (charging, the customer entering the
 * password, reversing): keys still work (Esc cancels); a front-end that
 * plays a script waits for 0 to see the payment's verdict. */
int session_paying(const struct session *s);

/* Staff (cashiers and managers) with salted slow PIN hashes
 * (PBKDF2-HMAC-SHA256), in DATA/staff (mode 0600). */
enum staff_role { STAFF_CASHIER = 1, STAFF_MANAGER = 2 };
#define STAFF_ID_MAX 15
/* Add or replace one person. id: [0-9A-Za-z]{1,15}; pin: 4-12 digits.
 * QUAN_EINVAL with *cause on bad input, QUAN_EIO on file errors. */
int staff_set(const char *data_dir, const char *id, enum staff_role role,
    const char *pin, char **cause);
/* Check a PIN: 0 with *role, QUAN_EPERM on a wrong id/PIN, QUAN_ENOTFOUND
 * when there is no staff file. */
int staff_check(const char *data_dir, const char *id, const char *pin,
    enum staff_role *role);
/* Number of people in the staff file (0 when none). */
int staff_count(const char *data_dir);

/* Wrong PINs of one data dir, whichever program asks (the terminal's
 * login and approvals, quan void --by): STAFF_PIN_TRIES wrong in a row
 * lock PIN entry for STAFF_PIN_LOCK_S. Kept in the store (meta
 * "pin_lock"), so a new process per try cannot start afresh. */
#define STAFF_PIN_TRIES 5
#define STAFF_PIN_LOCK_S 60
/* 1 (and *until, epoch s) while locked, 0 not, < 0 a store error. */
int staff_locked(struct store *st, int64_t now, int64_t *until);
/* Record one try in one store transaction: the counter (result 0 a
 * wrong PIN counts, 1 a right one resets it, -1 a try refused while
 * locked leaves it) and, when kind is not NULL, the journal entry kind
 * with data d (borrowed, may be NULL). The store's QUAN_E*. */
struct json_t;
int staff_try(struct store *st, int64_t now, int result, const char *kind,
    const struct json_t *d);

/* A manager's approval asked outside the terminal (quan void --by): the
 * till's rule in one place — refused while PIN entry is locked (the try
 * journaled "login_failed" why "locked"), a wrong id/PIN counted and
 * journaled "login_failed", a cashier's PIN journaled
 * "approval_refused" why "not a manager", a manager's resets the
 * counter. Each entry names who, what (e.g. "void"), the txn and the
 * cashier (the program). The verdict in *v (*until while locked);
 * returns 0 or a store error. */
enum staff_verdict {
	STAFF_V_MANAGER = 0,
	STAFF_V_LOCKED,
	STAFF_V_WRONG,        /* wrong id or PIN (*until set when this try
	                         locked PIN entry, else 0) */
	STAFF_V_NOT_MANAGER,
	STAFF_V_NO_STAFF      /* no staff file: quan staff add */
};
int staff_approve(struct store *st, const char *data_dir, const char *who,
    const char *pin, const char *what, int64_t txn, const char *cashier,
    int64_t now, enum staff_verdict *v, int64_t *until);

#endif
