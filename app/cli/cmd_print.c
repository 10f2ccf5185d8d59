/*
 * cmd_print.c — `quan print`: the printer's test page (a demo receipt),
 * the last receipt again (--last), or a stored sale's receipt again
 * (--reprint TXN: rendered from the store, the same bytes as at the
 * sale), on the [printer] device (drivers/printer.h). The bytes of a
 * receipt are kept before they are sent, so a failed print is printed
 * later with --last.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_common.h"
#include "cli/cli_print.h"
#include "cli/cmd.h"
#include "core/checkout.h"
#include "drivers/printer.h"
#include "util/config.h"
#include "util/err.h"
#include "util/xmem.h"

static int
print_usage(void)
{
	fprintf(stderr, "usage: quan print (--sample [--lang zh_CN|en] "
	    "[--width 58|80] | --last | --reprint TXN) [--device SPEC] "
	    "[--json]\n");
	return EXIT_USAGE;
}

/* A stored sale's receipt, started on p. */
static int
reprint_sale(struct cli *g, struct receipt_port *p, int64_t txn,
    enum receipt_lang lang)
{
	struct checkout *co = NULL;
	struct receipt_sale *rs;
	int rc;

	if (cli_open_store(g, "print", 0) != 0 ||
	    cli_new_checkout(g, "print", &co) != 0)
		return QUAN_EIO;
	rs = xcalloc(1, sizeof *rs);
	rc = receipt_of_sale(co, g->st, g->cfg, txn, lang, rs);
	if (rc != 0)
		fprintf(stderr, "quan print: sale %lld: %s\n", (long long)txn,
		    rc == QUAN_ENOTFOUND ? "no such sale" : rc == QUAN_EINVAL ?
		    "not a completed sale (open or voided)" :
		    quan_strerror(rc));
	else
		rc = p->print(p->arg, &rs->r);
	free(rs);
	checkout_free(co);
	return rc;
}

int
cmd_print(int argc, char **argv)
{
	struct cli g;
	struct receipt r;
	struct receipt_port *p = NULL;
	enum receipt_lang lang = RECEIPT_ZH;
	enum receipt_job j;
	const char *device = NULL, *langopt = NULL;
	char *end;
	long long txn = 0;
	int i, sample = 0, last = 0, json = 0, width = 0, rc = EXIT_FAIL;

	memset(&g, 0, sizeof g);
	if (cli_parse_globals(&g, &argc, argv) != 0)
		return EXIT_USAGE;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--sample") == 0)
			sample = 1;
		else if (strcmp(argv[i], "--last") == 0)
			last = 1;
		else if (strcmp(argv[i], "--reprint") == 0 && i + 1 < argc) {
			txn = strtoll(argv[++i], &end, 10);
			if (*end != '\0' || txn <= 0)
				return print_usage();
		} else if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--device") == 0 && i + 1 < argc)
			device = argv[++i];
		else if (strcmp(argv[i], "--lang") == 0 && i + 1 < argc)
			langopt = argv[++i];
		else if (strcmp(argv[i], "--width") == 0 && i + 1 < argc)
			width = strcmp(argv[++i], "58") == 0 ? 58 :
			    strcmp(argv[i], "80") == 0 ? 80 : -1;
		else
			return print_usage();
	}
	if (sample + last + (txn > 0) != 1 || width < 0 || (langopt !=
	    NULL && strcmp(langopt, "en") != 0 && strcmp(langopt, "zh_CN") !=
	    0))
		return print_usage();
	if (cli_setup(&g, "print") != 0)
		goto out;
	if (width != 0)
		g.cfg->printer_width_mm = width;
	if ((device == NULL ? g.cfg->printer_device : device)[0] == '\0') {
		fprintf(stderr, "quan print: no printer: set [printer] device "
		    "or give --device\n");
		goto out;
	}
	if ((p = cli_printer_port(&g, "print", device)) == NULL)
		goto out;
	if (langopt == NULL)
		langopt = g.cfg->language;
	if (strcmp(langopt, "en") == 0)
		lang = RECEIPT_EN;
	if (sample) {
		escpos_sample(&r, lang);
		if (g.cfg->printer_header[0] != '\0')
			r.store_name = g.cfg->printer_header;
		if (p->print(p->arg, &r) != QUAN_OK) {
			fprintf(stderr, "quan print: cannot render the sample "
			    "receipt\n");
			goto out;
		}
	} else if (last) {
		if (p->reprint(p->arg) != QUAN_OK) {
			fprintf(stderr, "quan print: no receipt to print "
			    "again\n");
			goto out;
		}
	} else if (reprint_sale(&g, p, txn, lang) != 0) {
		goto out;
	}
	j = cli_print_wait(p);
	if (json)
		printf("{\"printed\":%s,\"error\":\"%s\",\"bytes\":%zu}\n",
		    j == RECEIPT_JOB_PRINTED ? "true" : "false",
		    p->why_id(p->arg), p->bytes(p->arg));
	else if (j == RECEIPT_JOB_PRINTED)
		printf("%s (%zu bytes)\n", p->why(p->arg, lang),
		    p->bytes(p->arg));
	else
		printf("%s — quan print --last\n", p->why(p->arg, lang));
	rc = j == RECEIPT_JOB_PRINTED ? EXIT_OK : EXIT_FAIL;
out:
	printer_port_free(p);
	cli_done(&g);
	return rc;
}
