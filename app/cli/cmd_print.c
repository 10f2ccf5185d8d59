/*
 * cmd_print.c — `quan print`: the printer's test page (a demo receipt)
 * or the last receipt again, on the [printer] device (drivers/printer.h).
 * The bytes are kept before they are sent, so a failed print is reprinted
 * later with --last.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_common.h"
#include "cli/cmd.h"
#include "drivers/printer.h"
#include "util/config.h"
#include "util/err.h"
#include "util/xmem.h"

static int
print_usage(void)
{
	fprintf(stderr, "usage: quan print (--sample [--lang zh_CN|en] "
	    "[--width 58|80] | --last) [--device SPEC] [--json]\n");
	return EXIT_USAGE;
}

int
cmd_print(int argc, char **argv)
{
	struct cli g;
	struct printer_spec spec;
	struct receipt r;
	enum receipt_lang lang = RECEIPT_ZH;
	enum printer_err pe;
	const char *device = NULL, *langopt = NULL;
	char *data = NULL, *path = NULL;
	size_t len = 0;
	int i, sample = 0, last = 0, json = 0, width = 0, rc = EXIT_FAIL;

	memset(&g, 0, sizeof g);
	if (cli_parse_globals(&g, &argc, argv) != 0)
		return EXIT_USAGE;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--sample") == 0)
			sample = 1;
		else if (strcmp(argv[i], "--last") == 0)
			last = 1;
		else if (strcmp(argv[i], "--json") == 0)
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
	if (sample == last || width < 0 || (langopt != NULL &&
	    strcmp(langopt, "en") != 0 && strcmp(langopt, "zh_CN") != 0))
		return print_usage();
	if (cli_setup(&g, "print") != 0)
		goto out;
	if (device == NULL)
		device = g.cfg->printer_device;
	if (device[0] == '\0') {
		fprintf(stderr, "quan print: no printer: set [printer] device "
		    "or give --device\n");
		goto out;
	}
	if (printer_spec_parse(device, &spec) != 0) {
		fprintf(stderr, "quan print: '%s' is not /dev/... | "
		    "tcp:ADDRESS[:PORT] | file:PATH\n", device);
		goto out;
	}
	if (langopt == NULL)
		langopt = g.cfg->language;
	if (strcmp(langopt, "en") == 0)
		lang = RECEIPT_EN;
	path = xasprintf("%s/receipt-last.bin", g.data_dir);
	if (sample) {
		escpos_sample(&r, lang);
		if (g.cfg->printer_header[0] != '\0')
			r.store_name = g.cfg->printer_header;
		if (escpos_render(&r, width ? width : g.cfg->printer_width_mm,
		    &data, &len) != QUAN_OK) {
			fprintf(stderr, "quan print: cannot render the sample "
			    "receipt\n");
			goto out;
		}
		if (printer_keep(path, data, len) != QUAN_OK)
			fprintf(stderr, "quan print: warning: cannot keep %s "
			    "for a reprint\n", path);
	} else if (printer_load(path, &data, &len) != QUAN_OK) {
		fprintf(stderr, "quan print: no receipt to print again (%s)\n",
		    path);
		goto out;
	}
	pe = printer_print(&spec, data, len, g.cfg->printer_timeout_ms,
	    g.cfg->printer_status_ms);
	if (json)
		printf("{\"printed\":%s,\"error\":\"%s\",\"bytes\":%zu}\n",
		    pe == PRINTER_OK ? "true" : "false", printer_err_name(pe),
		    len);
	else if (pe == PRINTER_OK)
		printf("%s (%zu bytes)\n", printer_err_text(pe, lang), len);
	else
		printf("%s — quan print --last\n", printer_err_text(pe, lang));
	rc = pe == PRINTER_OK ? EXIT_OK : EXIT_FAIL;
out:
	free(data);
	free(path);
	cli_done(&g);
	return rc;
}
