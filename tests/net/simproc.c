/*
 * simproc.c — the simulator process helpers of simproc.h.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net/http.h"
#include "util/config.h"
#include "util/log.h"
#include "util/xmem.h"

#include "simproc.h"

int
simproc_run(const char *const *argv)
{
	pid_t p = fork();
	int st = 0;

	if (p == 0) {
		int fd = open("/dev/null", O_WRONLY);

		if (fd >= 0) {
			dup2(fd, 1);
			close(fd);
		}
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	if (p < 0 || waitpid(p, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int
simproc_init_seed(const char *bin, const char *dir)
{
	const char *init[] = { bin, "sim", "init", dir, NULL };
	const char *seed[] = { bin, "sim", "seed", dir, NULL };

	return simproc_run(init) == 0 && simproc_run(seed) == 0 ? 0 : -1;
}

int
simproc_start(const char *bin, const char *dir, const char *const *extra,
    char *url, size_t n, pid_t *pid)
{
	char line[256], log[512];
	const char *lp;
	struct pollfd pl;
	int pfd[2];
	FILE *f;

	if (pipe(pfd) != 0)
		return -1;
	snprintf(log, sizeof log, "%s/serve.log", dir);
	*pid = fork();
	if (*pid == 0) {
		const char *argv[24];
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644), i = 0;

		dup2(pfd[1], 1);
		if (fd >= 0)
			dup2(fd, 2);
		close(pfd[0]);
		argv[i++] = bin;
		argv[i++] = "sim";
		argv[i++] = "serve";
		argv[i++] = dir;
		argv[i++] = "--listen";
		argv[i++] = "127.0.0.1:0";
		argv[i++] = "--no-rewrite-conf";
		while (extra != NULL && *extra != NULL && i < 23)
			argv[i++] = *extra++;
		argv[i] = NULL;
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(pfd[1]);
	if (*pid < 0) {
		close(pfd[0]);
		return -1;
	}
	pl.fd = pfd[0];
	pl.events = POLLIN;
	if (poll(&pl, 1, 30000) != 1 || (f = fdopen(pfd[0], "r")) == NULL) {
		fprintf(stderr, "sim serve did not answer (see %s)\n", log);
		close(pfd[0]);
		return -1;
	}
	if (fgets(line, sizeof line, f) == NULL) {
		fprintf(stderr, "sim serve printed nothing (see %s)\n", log);
		fclose(f);
		return -1;
	}
	fclose(f);
	line[strcspn(line, "\r\n")] = '\0';
	if (strncmp(line, "listening ", 10) != 0 ||
	    (lp = strstr(line, "https://")) == NULL) {
		fprintf(stderr, "unexpected first line '%s'\n", line);
		return -1;
	}
	snprintf(url, n, "%s", lp);
	return 0;
}

void
simproc_stop(pid_t *pid)
{
	int st;

	if (*pid > 0) {
		kill(*pid, SIGTERM);
		waitpid(*pid, &st, 0);
		*pid = -1;
	}
}

int
simproc_fixture(const char *bin, const char *name, char *dir, size_t n,
    struct config **cfg, json_t **seed)
{
	char *p, *cause = NULL;
	json_error_t je;
	int rc;

	signal(SIGPIPE, SIG_IGN);
	log_set_level(LOG_ERROR);
	snprintf(dir, n, "/tmp/%s.XXXXXX", name);
	if (http_global_init() != 0 || mkdtemp(dir) == NULL ||
	    simproc_init_seed(bin, dir) != 0)
		return -1;
	p = xasprintf("%s/quan.conf", dir);
	rc = config_load(p, cfg, &cause);
	free(p);
	if (rc != 0) {
		fprintf(stderr, "config: %s\n", cause ? cause : "?");
		free(cause);
		return -1;
	}
	p = xasprintf("%s/seed.json", dir);
	*seed = json_load_file(p, 0, &je);
	free(p);
	return *seed != NULL ? 0 : -1;
}

void
simproc_free_fixture(const char *dir, pid_t *pid, struct config *cfg,
    json_t *seed)
{
	const char *rm[] = { "/bin/rm", "-rf", dir, NULL };

	simproc_stop(pid);
	json_decref(seed);
	config_free(cfg);
	if (getenv("QUAN_KEEP_TMP") == NULL)
		simproc_run(rm);
}
