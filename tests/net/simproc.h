/*
 * simproc.h — test helper: run `quan sim …` commands and keep one
 * `quan sim serve DIR --listen 127.0.0.1:0` running for a test (its URL
 * read from the first stdout line). QUAN_BIN names the built quan.
 * Test-only.
 */
#ifndef QUAN_TESTS_NET_SIMPROC_H
#define QUAN_TESTS_NET_SIMPROC_H

#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

/* Run argv (stdout to /dev/null); its exit status, -1 on failure. */
int simproc_run(const char *const *argv);
/* `quan sim init DIR` + `quan sim seed DIR`: 0 or -1. */
int simproc_init_seed(const char *bin, const char *dir);
/* Start `bin sim serve dir --listen 127.0.0.1:0 --no-rewrite-conf
 * [extra...]` (extra NULL-terminated, may be NULL); url gets
 * "https://127.0.0.1:PORT". stderr goes to dir/serve.log. 0 or -1. */
int simproc_start(const char *bin, const char *dir,
    const char *const *extra, char *url, size_t n, pid_t *pid);
/* SIGTERM and reap (no-op when *pid <= 0). */
void simproc_stop(pid_t *pid);

/* A test's simulator fixture: a fresh dir (template "/tmp/NAME.XXXXXX"
 * filled into dir[n]), init + seed, its quan.conf and seed.json loaded,
 * SIGPIPE ignored, logs at error, curl initialised. 0 or -1. Then
 * simproc_free_fixture: stop the server, free, remove the dir unless
 * QUAN_KEEP_TMP is set. */
struct config;
int simproc_fixture(const char *bin, const char *name, char *dir, size_t n,
    struct config **cfg, json_t **seed);
void simproc_free_fixture(const char *dir, pid_t *pid, struct config *cfg,
    json_t *seed);

#endif
