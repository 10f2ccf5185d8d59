/*
 * session_print.c — receipts and reports on paper at the terminal and
 * the kiosk, through the printer port the owner gives the session
 * (session_opts.printer, core/receipt.h). A paid sale is complete before
 * its receipt is asked for; the print is a job stepped on the session's
 * ticks with non-blocking I/O and a deadline, so a printer that is off,
 * unplugged or out of paper never holds the till: the cashier is told
 * "receipt not printed" and reprints later (SC_PRINT). Main thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/receipt.h"
#include "core/session_int.h"
#include "util/config.h"
#include "util/err.h"
#include "util/log.h"
#include "util/tm.h"
#include "util/xmem.h"

static void
started(struct session *s, int rc, int receipt)
{
	if (rc != 0) {
		session_set_msg(s, VIEW_M_ERROR, rc == QUAN_ENOTFOUND ?
		    "no receipt to print again" : "cannot print this");
		session_touch(s);
		return;
	}
	s->print_receipt = receipt;
	s->print_out = 1;
	session_print_step(s);
}

void
session_print_sale(struct session *s, int64_t txn)
{
	struct receipt_port *p = s->o.printer;
	struct receipt_sale *rs;
	int rc;

	if (p == NULL || txn <= 0)
		return;
	rs = xcalloc(1, sizeof *rs);
	rc = receipt_of_sale(s->o.co, s->o.st, s->o.cfg, txn,
	    receipt_lang_of(s->o.cfg), rs);
	if (rc == 0)
		rc = p->print(p->arg, &rs->r);
	else
		log_error("session: the receipt of sale %lld: %s",
		    (long long)txn, quan_strerror(rc));
	free(rs);
	started(s, rc, 1);
}

/* The report on screen, on paper: the same lines, labels translated. */
static void
print_report(struct session *s)
{
	struct receipt_port *p = s->o.printer;
	struct receipt_doc d;
	const char *lines[VIEW_LINES_MAX];
	char (*buf)[VIEW_LINE_MAX * 2] = xcalloc(VIEW_LINES_MAX, sizeof *buf);
	const char *(*tr)(const char *) = s->o.tr;
	char title[VIEW_LINE_MAX * 2];
	int i;

	for (i = 0; i < s->v.nlines && i < VIEW_LINES_MAX; i++) {
		const char *l = s->v.lines[i], *tab = strchr(l, '\t');
		char label[VIEW_LINE_MAX];

		if (tab == NULL) {
			snprintf(buf[i], sizeof buf[i], "%s",
			    tr != NULL ? tr(l) : l);
		} else {
			snprintf(label, sizeof label, "%.*s", (int)(tab - l),
			    l);
			snprintf(buf[i], sizeof buf[i], "%s\t%s",
			    tr != NULL ? tr(label) : label, tab + 1);
		}
		lines[i] = buf[i];
	}
	snprintf(title, sizeof title, "%s", tr != NULL ? tr(s->v.title) :
	    s->v.title);
	memset(&d, 0, sizeof d);
	d.lang = receipt_lang_of(s->o.cfg);
	d.store_name = s->o.cfg->printer_header[0] != '\0' ?
	    s->o.cfg->printer_header : s->o.cfg->store_id[0] != '\0' ?
	    s->o.cfg->store_id : "quan";
	d.title = title;
	d.lines = lines;
	d.nlines = i;
	started(s, p->print_doc(p->arg, &d), 0);
	free(buf);
}

void
session_print_key(struct session *s)
{
	struct receipt_port *p = s->o.printer;

	if (p == NULL) {
		session_set_msg(s, VIEW_M_ERROR, "no printer configured");
		session_touch(s);
		return;
	}
	if (s->v.screen == VIEW_REPORT)
		print_report(s);
	else
		started(s, p->reprint(p->arg), 1);
}

void
session_print_step(struct session *s)
{
	struct receipt_port *p = s->o.printer;
	enum receipt_job j;

	if (p == NULL || !s->print_out)
		return;
	j = p->step(p->arg, (int64_t)tm_mono_ms());
	if (j == RECEIPT_JOB_PRINTING)
		return;
	s->print_out = 0;
	if (j == RECEIPT_JOB_FAILED) {
		log_warn("session: %s not printed: %s", s->print_receipt ?
		    "receipt" : "report", p->why_id(p->arg));
		/* the sale is done; the paper is not */
		session_set_msg(s, s->print_receipt ? VIEW_M_NOT_PRINTED :
		    VIEW_M_REPORT_NOT_PRINTED,
		    p->why(p->arg, receipt_lang_of(s->o.cfg)));
		session_touch(s);
	}
}

int
session_print_timeout_ms(const struct session *s)
{
	struct receipt_port *p = s->o.printer;

	if (p == NULL || !s->print_out)
		return -1;
	return p->timeout_ms(p->arg, (int64_t)tm_mono_ms());
}
