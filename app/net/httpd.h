/*
 * httpd.h — a small HTTPS (or plain HTTP) server over libmicrohttpd, used by
 * the WeChat simulator and by the callback receiver. One handler callback
 * sees each complete request (method, raw target, headers, capped body) and
 * fills in a response; the wrapper hides every libmicrohttpd type.
 */
#ifndef QUAN_HTTPD_H
#define QUAN_HTTPD_H

#include <stddef.h>
#include <stdint.h>

struct httpd;
struct httpd_req;  /* one request; valid only during the handler call */
struct httpd_resp; /* the answer the handler builds */

/* Called once per complete request on a server thread (one thread per
 * connection, so several run at once). Borrows req; fills resp with
 * httpd_resp_*(). The default response is 500 with an empty body. */
typedef void (*httpd_handler_fn)(void *arg, const struct httpd_req *req,
	struct httpd_resp *resp);

struct httpd_opts {
	const char *addr;      /* IPv4/IPv6 literal; NULL = "127.0.0.1" */
	unsigned port;         /* 0 = pick a free port */
	const char *cert_pem;  /* server certificate chain (PEM text), or NULL
				  for plain HTTP */
	const char *key_pem;   /* its private key (PEM text) */
	const char *client_trust_pem; /* with cert_pem: ask each client for a
				  certificate and verify it against these
				  (PEM text); NULL = do not ask */
	size_t max_body;       /* body cap; larger bodies get 413. 0 = 64 KiB */
	unsigned timeout_s;    /* idle connection timeout; 0 = 30 */
	unsigned max_conns;    /* concurrent connections (one thread each);
				  0 = 256; more are refused at accept */
	httpd_handler_fn handler;
	void *arg;
};

/* Start listening and serving. On success *out is running and *port_out
 * (if not NULL) holds the bound port. Errors: QUAN_EINVAL (bad address),
 * QUAN_EIO (bind/TLS failure) with *cause set (caller frees). Main thread. */
int httpd_start(const struct httpd_opts *o, struct httpd **out,
	unsigned *port_out, char **cause);
/* Stop accepting, close connections, wait for handlers to return and free.
 * NULL-safe. Never from a handler. */
void httpd_stop(struct httpd *h);

/* Request accessors (handler thread only; strings borrowed from req). */
const char *httpd_req_method(const struct httpd_req *r);
/* The request target exactly as sent on the wire: "/path?query". */
const char *httpd_req_target(const struct httpd_req *r);
/* The raw path (no query, not percent-decoded) and raw query ("" if none). */
const char *httpd_req_path(const struct httpd_req *r);
const char *httpd_req_query(const struct httpd_req *r);
/* Header value by case-insensitive name, or NULL. */
const char *httpd_req_header(const struct httpd_req *r, const char *name);
/* Body bytes (NUL-terminated for convenience; may contain NULs). */
const char *httpd_req_body(const struct httpd_req *r, size_t *len);
/* 1 when the client sent a certificate that verified against
 * client_trust_pem (mutual TLS), else 0. */
int httpd_req_client_cert_ok(const struct httpd_req *r);
/* Peer address as text ("127.0.0.1"). */
const char *httpd_req_peer(const struct httpd_req *r);

/* Percent-decode a query parameter of the raw query into a new string
 * (caller frees). '+' is kept as '+'. Returns NULL when absent. */
char *httpd_query_get(const char *query, const char *name);
/* Percent-decode s (length n) into a new string; NULL when the encoding is
 * malformed or decodes to a NUL byte. Caller frees. */
char *httpd_pct_decode(const char *s, size_t n);

/* Response builders. Set status and body (copied); add headers (copied).
 * httpd_resp_drop: close the connection without answering.
 * httpd_resp_truncate: announce the full length but send only `keep` bytes
 * of the body, then close (fault injection). */
void httpd_resp_status(struct httpd_resp *r, int status);
void httpd_resp_body(struct httpd_resp *r, const char *body, size_t len);
void httpd_resp_header(struct httpd_resp *r, const char *name,
	const char *value);
void httpd_resp_drop(struct httpd_resp *r);
void httpd_resp_truncate(struct httpd_resp *r, size_t keep);

#endif
