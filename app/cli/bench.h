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

#endif
