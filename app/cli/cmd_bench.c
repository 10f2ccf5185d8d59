/*
 * cmd_bench.c — `quan bench lookup|sync|decode`: routes to the area that
 * owns each benchmark (bench.h).
 */
#include <stdio.h>
#include <string.h>

#include "cli/bench.h"
#include "cli/cmd.h"

int
cmd_bench(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} subj[] = {
		{"lookup", bench_lookup},
		{"sync", bench_sync},
		{"decode", bench_decode},
		{"sale", bench_sale},
		{"pay", bench_pay},
		{"hub", bench_hub},
	};
	size_t i;

	if (argc < 2) {
		fprintf(stderr, "usage: quan bench lookup|sync|decode|sale|pay|hub "
			"[OPTIONS]\n");
		return EXIT_USAGE;
	}
	for (i = 0; i < sizeof subj / sizeof subj[0]; i++)
		if (strcmp(argv[1], subj[i].name) == 0)
			return subj[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "quan bench: unknown subject '%s' "
		"(lookup, sync, decode, sale, pay, hub)\n", argv[1]);
	return EXIT_USAGE;
}
