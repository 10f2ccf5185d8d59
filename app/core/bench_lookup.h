/*
 * bench_lookup.h — the measurements behind `quan bench lookup` (the
 * program only parses and prints): a code cache of N codes built through
 * the real import path in a data dir of its own, then the scan -> verdict
 * path (classify + cache lookup + pricing: checkout_add) over many random
 * scans, nine in ten of them hits.
 */
#ifndef QUAN_BENCH_LOOKUP_H
#define QUAN_BENCH_LOOKUP_H

#include <stdint.h>

struct bench_lookup_fig {
	int64_t codes;             /* imported */
	uint64_t import_ns, import_cpu_ns;
	int64_t db_bytes;          /* as the store counts it */
	int64_t file_bytes;        /* the main file on disk */
	uint64_t quick_check_ns;   /* the start-up / periodic check */
	int64_t lookups, priced;
	uint64_t p50_ns, p99_ns, max_ns; /* scan -> verdict */
	long peak_rss_kb;
};

/* Build and measure in dir (an empty folder; its files stay: the caller
 * removes them, see bench_lookup_clean). 0, or -1 with *cause (caller
 * frees). */
int bench_lookup_run(const char *dir, int64_t ncodes, int64_t nlookups,
    struct bench_lookup_fig *f, char **cause);
/* Remove what bench_lookup_run put into dir, and dir. */
void bench_lookup_clean(const char *dir);

#endif
