/*
 * cli_print.c — the [printer] for the commands (cli_print.h).
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli_common.h"
#include "cli/cli_print.h"
#include "drivers/printer.h"
#include "util/config.h"
#include "util/tm.h"
#include "util/xmem.h"

struct receipt_port *
cli_printer_port(struct cli *c, const char *what, const char *device)
{
	struct printer_port_opts o;
	struct receipt_port *p;
	char *keep;

	if (device == NULL)
		device = c->cfg->printer_device;
	if (device[0] == '\0')
		return NULL;
	keep = xasprintf("%s/receipt-last.bin", c->data_dir);
	o.device = device;
	o.width_mm = c->cfg->printer_width_mm;
	o.timeout_ms = c->cfg->printer_timeout_ms;
	o.status_ms = c->cfg->printer_status_ms;
	o.keep_path = keep;
	p = printer_port_new(&o);
	free(keep);
	if (p == NULL)
		fprintf(stderr, "quan %s: printer '%s' is not /dev/... | "
		    "tcp:ADDRESS[:PORT] | file:PATH\n", what, device);
	return p;
}

enum receipt_job
cli_print_wait(struct receipt_port *p)
{
	enum receipt_job j;

	while ((j = p->step(p->arg, (int64_t)tm_mono_ms())) ==
	    RECEIPT_JOB_PRINTING) {
		struct pollfd f;
		int t = p->timeout_ms(p->arg, (int64_t)tm_mono_ms());

		f.fd = p->fd(p->arg, &f.events);
		f.revents = 0;
		(void)poll(&f, f.fd >= 0 && f.events ? 1 : 0, t < 0 ? 0 : t);
	}
	return j;
}
