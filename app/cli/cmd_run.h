/*
 * cmd_run.h — what `quan run` (cmd_run.c) and `quan demo` (cmd_demo.c)
 * share: their options and the terminal's set-up (store, checkout, sync,
 * scanners, session, hub), after which the ui layer runs the screen
 * (ui_run) or the headless script.
 */
#ifndef QUAN_CLI_CMD_RUN_H
#define QUAN_CLI_CMD_RUN_H

struct cli;

#define SOURCES_MAX 8
#define DEMO_LINES_MAX 32

struct run_opts {
	int kiosk, demo, no_color, quiet, no_sync;
	const char *lang;
	const char *headless;      /* script path, "-" stdin */
	const char *latency_file;
	const char *autologin;
	int idle_reset_s;
	const char *sources[SOURCES_MAX];
	int nsources;
	char *demo_lines[DEMO_LINES_MAX];
	int ndemo;
};

/* Parse run/demo options shared by both; returns 0, or EXIT_USAGE. */
int parse_run_opts(int argc, char **argv, struct run_opts *o, int demo);
/* Set up the terminal on c's store, run it (screen or script), tear it
 * down; the command's exit code. */
int run_terminal(struct cli *c, struct run_opts *o);

#endif
