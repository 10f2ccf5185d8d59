/*
 * printer_port.c — the receipt printer as the core sees it (core/
 * receipt.h's struct receipt_port): render, keep the bytes for a reprint,
 * then one non-blocking job (printer_job) that the owner's loop steps.
 * Nothing here waits: a dead printer is a job that fails at its deadline.
 */
#include <stdlib.h>
#include <string.h>

#include "drivers/printer.h"
#include "util/err.h"
#include "util/log.h"
#include "util/tm.h"
#include "util/xmem.h"

struct pport {
	struct receipt_port port;    /* first: the port is the handle */
	struct printer_port_opts o;
	struct printer_spec spec;
	char *keep;
	struct printer_job *job;
	enum receipt_job state;
	enum printer_err err;
	size_t len;                  /* bytes of the last job */
};

/* Start printing data (taken); kept for a reprint first when keep. */
static int
start(struct pport *p, char *data, size_t len, int keep)
{
	if (keep && p->keep != NULL &&
	    printer_keep(p->keep, data, len) != QUAN_OK)
		log_warn("printer: cannot keep %s for a reprint", p->keep);
	printer_job_free(p->job);
	p->job = printer_job_start(&p->spec, data, len, (int64_t)tm_mono_ms(),
	    p->o.timeout_ms, p->o.status_ms);
	free(data);
	p->state = RECEIPT_JOB_PRINTING;
	p->err = PRINTER_OK;
	p->len = len;
	return QUAN_OK;
}

static int
pp_print(void *arg, const struct receipt *r)
{
	struct pport *p = arg;
	char *data;
	size_t len;
	int rc;

	if ((rc = escpos_render(r, p->o.width_mm, &data, &len)) != QUAN_OK)
		return rc;
	return start(p, data, len, 1);
}

static int
pp_print_doc(void *arg, const struct receipt_doc *d)
{
	struct pport *p = arg;
	char *data;
	size_t len;
	int rc;

	if ((rc = escpos_render_doc(d, p->o.width_mm, &data, &len)) !=
	    QUAN_OK)
		return rc;
	/* a report is not the receipt a customer asks for again */
	return start(p, data, len, 0);
}

static int
pp_reprint(void *arg)
{
	struct pport *p = arg;
	char *data;
	size_t len;
	int rc;

	if (p->keep == NULL)
		return QUAN_ENOTFOUND;
	if ((rc = printer_load(p->keep, &data, &len)) != QUAN_OK)
		return rc;
	return start(p, data, len, 0);
}

static enum receipt_job
pp_step(void *arg, int64_t now_ms)
{
	struct pport *p = arg;

	if (p->job == NULL || p->state != RECEIPT_JOB_PRINTING)
		return p->state;
	if (printer_job_step(p->job, now_ms))
		return p->state;
	p->err = printer_job_err(p->job);
	printer_job_free(p->job);
	p->job = NULL;
	p->state = p->err == PRINTER_OK ? RECEIPT_JOB_PRINTED :
	    RECEIPT_JOB_FAILED;
	return p->state;
}

static int
pp_timeout_ms(void *arg, int64_t now_ms)
{
	struct pport *p = arg;
	int64_t d;

	if (p->job == NULL || p->state != RECEIPT_JOB_PRINTING)
		return -1;
	/* stepped on the loop's ticks: often enough to feed a printer that
	 * takes the bytes, never past the job's deadline */
	d = printer_job_deadline(p->job) - now_ms;
	return d < 0 ? 0 : d > 20 ? 20 : (int)d;
}

static const char *
pp_why_id(void *arg)
{
	return printer_err_name(((struct pport *)arg)->err);
}

static size_t
pp_bytes(void *arg)
{
	return ((struct pport *)arg)->len;
}

static int
pp_fd(void *arg, short *events)
{
	struct pport *p = arg;

	*events = 0;
	if (p->job == NULL || p->state != RECEIPT_JOB_PRINTING)
		return -1;
	return printer_job_fd(p->job, events);
}

static const char *
pp_why(void *arg, enum receipt_lang lang)
{
	struct pport *p = arg;

	return printer_err_text(p->err, lang);
}

struct receipt_port *
printer_port_new(const struct printer_port_opts *o)
{
	struct pport *p;
	struct printer_spec spec;

	if (o->device == NULL || o->device[0] == '\0' ||
	    printer_spec_parse(o->device, &spec) != 0 ||
	    escpos_columns(o->width_mm) == 0)
		return NULL;
	p = xcalloc(1, sizeof *p);
	p->o = *o;
	p->spec = spec;
	p->keep = o->keep_path != NULL ? xstrdup(o->keep_path) : NULL;
	p->port.arg = p;
	p->port.print = pp_print;
	p->port.print_doc = pp_print_doc;
	p->port.reprint = pp_reprint;
	p->port.step = pp_step;
	p->port.timeout_ms = pp_timeout_ms;
	p->port.why = pp_why;
	p->port.fd = pp_fd;
	p->port.why_id = pp_why_id;
	p->port.bytes = pp_bytes;
	return &p->port;
}

void
printer_port_free(struct receipt_port *port)
{
	struct pport *p = (struct pport *)port;

	if (p == NULL)
		return;
	printer_job_free(p->job);
	free(p->keep);
	free(p);
}
