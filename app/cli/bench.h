/*
 * bench.h — `quan bench SUBJECT`: one dispatcher (cmd_bench.c), one function
 * per area. Each takes argv with argv[0] the subject ("lookup", "sync",
 * "decode") and returns a process exit status (cmd.h).
 */
#ifndef QUAN_BENCH_H
#define QUAN_BENCH_H

int bench_lookup(int argc, char **argv); /* cmd_bench_lookup.c */
int bench_sync(int argc, char **argv);   /* cmd_bench_sync.c */
int bench_decode(int argc, char **argv); /* cmd_scan.c */
int bench_sale(int argc, char **argv);   /* cmd_bench_sale.c */
int bench_pay(int argc, char **argv);    /* cmd_pay_bench.c */
int bench_hub(int argc, char **argv);    /* cmd_hub_bench.c */

/* `quan bench decode --set DIR` (app/cli/cmd_bench_decode_set.c): quan, zbarimg
 * and ZXingReader on one image set, quan seeing each image for `frames`
 * camera frames (0: 15); the table and totals to out (NULL: none). 0 or
 * -1. */
struct set_fig {
	unsigned images, with_code, frames;
	unsigned read[3], misread[3], crashed[3]; /* quan, zbarimg, zxing */
	double ms[3], ms_max[3];
};
#include <stdio.h>
int bench_decode_set(const char *dir, int budget_ms, int frames,
    FILE *out, struct set_fig *fig);
void bench_decode_set_json(const struct set_fig *fig);

/* Shared by the benches that need WeChat (app/cli/cmd_bench_sync.c):
 * start `quan sim serve DIR` on a free loopback port (its quan.conf is
 * pointed at it). */
#include <sys/types.h>
struct cli;
pid_t bench_spawn_sim(const char *dir, char *err, size_t n);
/* Stop the simulator (sim > 0), close the cli, remove dir (NULL: keep;
 * QUAN_BENCH_KEEP set: keep). */
void bench_teardown(struct cli *c, pid_t sim, const char *dir);

#endif
