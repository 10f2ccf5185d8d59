/*
 * bench.h — `quan bench SUBJECT`: one dispatcher (cmd_bench.c), one function
 * per area. Each takes argv with argv[0] the subject ("lookup", "sync",
 * "decode") and returns a process exit status (cmd.h).
 */
#ifndef QUAN_BENCH_H
#define QUAN_BENCH_H

int bench_lookup(int argc, char **argv); /* core: app/cli/cmd_core*.c */
int bench_sync(int argc, char **argv);   /* sync: app/cli/cmd_net*.c */
int bench_decode(int argc, char **argv); /* drivers: app/cli/cmd_drivers.c */
int bench_sale(int argc, char **argv);   /* core: app/cli/cmd_sale_bench.c */

/* Shared by the benches that need WeChat (app/cli/cmd_net_bench.c):
 * start `quan sim serve DIR` on a free loopback port (its quan.conf is
 * pointed at it), and mint n coupons of a new stock into the store. */
#include <sys/types.h>
struct cli;
struct net_rt;
struct sync_wx;
pid_t bench_spawn_sim(const char *dir, char *err, size_t n);
int bench_mint(struct cli *c, struct sync_wx *x, int n,
    char (**codes_out)[32], char *err, size_t errn);
/* Stop the runtime (if started) and the simulator (sim > 0), close the
 * cli, remove dir (NULL: keep; QUAN_BENCH_KEEP set: keep). */
void bench_teardown(struct cli *c, struct net_rt *rt, pid_t sim,
    const char *dir);

#endif
