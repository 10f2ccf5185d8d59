/*
 * headless.h — the front-end without a terminal (house style practice 20):
 * a script of events in, view states out. Each line of the script becomes
 * events for the session; after each step the view is printed as text
 * (same words as the screen, in the chosen language). `expect TEXT` lines
 * make a script a test. Main thread.
 *
 * Script lines ('#' starts a comment):
 *   login ID PIN           cashier id, then PIN
 *   amount YUAN            the sale amount
 *   scan CODE              a scanner scan (keyboard wedge)
 *   type CODE              a code typed by hand (marked manual)
 *   confirm | cancel       redeem the basket / go back
 *   key CMD [TEXT]         any session command (submit, void, zreport ...)
 *   submit TEXT            the current field's text (PIN, reason, search)
 *   tick                   a timer tick
 *   sleep MS               wait, applying sync results meanwhile
 *   wait-sync MS           wait until the sale has no pending/unknown
 *                          coupon (or MS pass), applying sync results
 *   wait-net MS            wait until the connection state is known
 *                          (not CONNECTING...: an answer or a failure)
 *   print                  print the whole view now
 *   expect TEXT            the last view printed contains TEXT, else fail
 *   expect-not TEXT        ... does not contain TEXT
 */
#ifndef QUAN_UI_HEADLESS_H
#define QUAN_UI_HEADLESS_H

#include <stdio.h>

#include "core/view.h"

struct session;
struct evq;

struct headless_opts {
	FILE *in;          /* the script */
	const char *name;  /* for messages: file name */
	FILE *out;         /* view states */
	int quiet;         /* print only on `print` and failures */
	int results_fd;    /* sync results fd to wait on, -1 none */
};

/* Run the script to its end. Returns 0 when every expect held, 3 when one
 * failed (the rest still runs), 2 on a bad script line. */
int headless_run(struct session *s, struct evq *to_core,
    const struct headless_opts *o);

/* The view as text (what `print` writes), into a new string. */
char *headless_view_text(const struct view *v);

#endif
