/*
 * http.h — a small libcurl client for one thread: one easy handle reused for
 * keep-alive, TLS always verified (optional CA file), no compression, a
 * capped response body, response headers captured, connect/total timeouts
 * and a stop flag that aborts a transfer in flight. Used by the WeChat Pay
 * and card clients; hides every curl type.
 */
#ifndef QUAN_HTTP_H
#define QUAN_HTTP_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

#define HTTP_BODY_MAX_DEFAULT (1024 * 1024) /* 1 MiB */
#define HTTP_HDR_MAX 64                     /* response headers kept */

/* Once per process, from main before any thread starts (idempotent and
 * guarded by pthread_once, so a later call from a thread is harmless).
 * 0 or QUAN_EIO. */
int http_global_init(void);
void http_global_cleanup(void);
/* "curl/7.88.1" (static). */
const char *http_curl_version(void);

struct http_opts {
	const char *ca_file;       /* PEM bundle; NULL = system store */
	long connect_timeout_ms;   /* 0 = 2000 */
	long timeout_ms;           /* whole transfer; 0 = 5000 */
	size_t max_body;           /* response cap; 0 = 1 MiB */
	const atomic_int *stop;    /* non-zero aborts transfers (checked by
				      curl's progress callback: within ~1 s
				      while waiting); may be NULL */
	const char *user_agent;    /* NULL = "quan/VERSION (Linux) curl/X" */
	int allow_http;            /* 1 = plain http:// allowed (tests of the
				      token service); default https only */
	const char *client_cert;   /* PEM certificate for mutual TLS (APIv2
				      /secapi/), with client_key; NULL =
				      none */
	const char *client_key;    /* its private key (PEM, mode 0600) */
};

struct http; /* one per thread; not shared */

struct http_header {
	char *name;
	char *value;
};

/* A received response. */
struct http_resp {
	long status;                 /* HTTP status */
	struct buf body;             /* raw body bytes, capped */
	struct http_header hdr[HTTP_HDR_MAX];
	size_t nhdr;
	uint64_t elapsed_us;
};

/* New client; copies opts (strings included). 0, or QUAN_EIO with cause.
 * Any thread; the handle then belongs to that thread. */
int http_new(const struct http_opts *o, struct http **out, char **cause);
/* http_new with only a CA file (NULL or "" = system store), the connect
 * and total timeouts (0 = defaults) and a stop flag (kept; may be NULL):
 * what the WeChat clients set. Same errors and thread rules. */
int http_new_timed(const char *ca_file, long connect_ms, long total_ms,
    const atomic_int *stop, struct http **out, char **cause);
void http_free(struct http *h); /* NULL-safe */

/* Send one request and wait for the answer. headers: NULL-terminated list
 * of "Name: value" lines (copied by curl). body may be NULL (no body).
 * The method is sent verbatim ("GET", "POST", "PATCH", "DELETE", ...).
 * Returns 0 when a complete HTTP response arrived (any status; see
 * resp->status), else:
 *   QUAN_ENET      could not connect / DNS / connection reset, or the
 *                  body was truncated: the request may or may not have
 *                  been applied;
 *   QUAN_ETLS      the server's certificate is not trusted, expired or
 *                  for another host, the CA file is unusable, or the TLS
 *                  handshake failed: the request was not sent;
 *   QUAN_ETIMEDOUT connect or total timeout (outcome unknown);
 *   QUAN_ETOOBIG   the response body passed the cap;
 *   QUAN_ECLOSED   stopped through the stop flag;
 *   QUAN_EINVAL    bad URL or arguments.
 * *cause says what happened (caller frees). resp must have been
 * http_resp_init()ed once; it is reset first; free it with http_resp_free
 * even on failure. Owner thread only. */
int http_request(struct http *h, const char *method, const char *url,
    const char *const *headers, const void *body, size_t body_len,
    struct http_resp *resp, char **cause);

/* Could the last http_request have reached the server? 1 when it may
 * have (an answer came, or the request was sent in whole or in part, or
 * the transfer failed after connecting: a timeout, a dropped connection,
 * a stop while waiting), 0 when it certainly did not (no DNS answer,
 * connection refused or unreachable, TLS handshake or certificate
 * failure, never got past connecting, stopped before it started). For a
 * request that is not idempotent this tells a later "already done" from
 * WeChat apart: ours only if a send may have landed. Owner thread. */
int http_request_sent(const struct http *h);

/* The next http_request goes over a new connection. libcurl resends a
 * request by itself when a reused keep-alive connection dies before any
 * answer; for a request that is not idempotent (card code/consume, whose
 * resend reads "already consumed") that resend must not happen: on a new
 * connection it does not, and the caller's own retry (which checks first)
 * decides. Owner thread only. */
void http_fresh_next(struct http *h);

/* Connections opened by this client so far (keep-alive check). */
long http_connections(const struct http *h);

void http_resp_init(struct http_resp *r);
void http_resp_free(struct http_resp *r); /* NULL-safe; leaves it empty */
/* Value of a response header, case-insensitive name; NULL if absent. */
const char *http_resp_header(const struct http_resp *r, const char *name);

/* Percent-encode s for a URL path segment (unreserved chars kept).
 * New string, caller frees. */
char *http_escape(const char *s);

#endif
