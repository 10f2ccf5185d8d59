/*
 * httpd.c — libmicrohttpd behind the small httpd.h interface: one thread per
 * connection (handlers may block, e.g. for injected latency), the raw
 * request target captured before libmicrohttpd decodes it (signatures cover
 * the target as sent), bodies capped, and two deliberate misbehaviours for
 * fault injection: dropping the connection and truncating the body.
 */
#include "net/httpd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <gnutls/gnutls.h>
#include <microhttpd.h>

#include "util/buf.h"
#include "util/err.h"
#include "util/log.h"
#include "util/xmem.h"

#define HTTPD_DEFAULT_MAX_BODY (64 * 1024)
#define HTTPD_MAX_HEADERS 32

struct httpd {
	struct MHD_Daemon *d;
	httpd_handler_fn handler;
	void *arg;
	size_t max_body;
	int client_trust;   /* client certificates are asked for */
};

struct httpd_req {
	struct MHD_Connection *conn;
	char *target;    /* raw "/path?query" */
	char *path;      /* raw path */
	const char *query;
	const char *method;
	struct buf body;
	int toobig;
	int client_ok;   /* a client certificate that verified */
	char peer[64];
};

struct httpd_resp {
	int status;
	char *body;
	size_t len;
	int drop;
	int truncate;
	size_t keep;
	size_t nhdr;
	char *hname[HTTPD_MAX_HEADERS];
	char *hval[HTTPD_MAX_HEADERS];
};

struct trunc_state {
	char *body;
	size_t keep;
};

static void *
uri_cb(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct httpd_req *r = xcalloc(1, sizeof *r);
	const union MHD_ConnectionInfo *ci;
	char *q;

	(void)cls;
	r->conn = conn;
	r->target = xstrdup(uri ? uri : "/");
	r->path = xstrdup(r->target);
	q = strchr(r->path, '?');
	if (q != NULL) {
		*q = '\0';
		r->query = r->target + (q - r->path) + 1;
	} else {
		r->query = "";
	}
	ci = MHD_get_connection_info(conn,
		MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci != NULL && ci->client_addr != NULL) {
		const struct sockaddr *sa = ci->client_addr;
		if (sa->sa_family == AF_INET)
			inet_ntop(AF_INET,
				&((const struct sockaddr_in *)(const void *)sa)
				->sin_addr, r->peer, sizeof r->peer);
		else if (sa->sa_family == AF_INET6)
			inet_ntop(AF_INET6,
				&((const struct sockaddr_in6 *)(const void *)sa)
				->sin6_addr, r->peer, sizeof r->peer);
	}
	return r;
}

static void
completed_cb(void *cls, struct MHD_Connection *conn, void **req_cls,
	enum MHD_RequestTerminationCode toe)
{
	struct httpd_req *r = *req_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (r == NULL)
		return;
	buf_free(&r->body);
	free(r->target);
	free(r->path);
	free(r);
	*req_cls = NULL;
}

static ssize_t
trunc_reader(void *cls, uint64_t pos, char *out, size_t max)
{
	struct trunc_state *t = cls;
	size_t n;

	if (pos >= t->keep)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	n = t->keep - (size_t)pos;
	if (n > max)
		n = max;
	memcpy(out, t->body + pos, n);
	return (ssize_t)n;
}

static void
trunc_free(void *cls)
{
	struct trunc_state *t = cls;

	free(t->body);
	free(t);
}

static void
resp_clear(struct httpd_resp *rs)
{
	size_t i;

	free(rs->body);
	for (i = 0; i < rs->nhdr; i++) {
		free(rs->hname[i]);
		free(rs->hval[i]);
	}
}

static enum MHD_Result
send_simple(struct MHD_Connection *conn, int status, const char *body)
{
	struct MHD_Response *mr;
	enum MHD_Result ret;

	mr = MHD_create_response_from_buffer(strlen(body), (void *)body,
		MHD_RESPMEM_MUST_COPY);
	if (mr == NULL)
		return MHD_NO;
	MHD_add_response_header(mr, "Content-Type", "application/json");
	ret = MHD_queue_response(conn, (unsigned)status, mr);
	MHD_destroy_response(mr);
	return ret;
}

/* 1 when the TLS peer sent a certificate that verifies against the
 * trust given (client_trust_pem). */
static int
client_verified(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn,
		MHD_CONNECTION_INFO_GNUTLS_SESSION);
	gnutls_session_t ss;
	unsigned int n = 0, status = 1;

	if (ci == NULL || ci->tls_session == NULL)
		return 0;
	ss = (gnutls_session_t)ci->tls_session;
	if (gnutls_certificate_get_peers(ss, &n) == NULL || n == 0)
		return 0;
	return gnutls_certificate_verify_peers2(ss, &status) == 0 &&
		status == 0;
}

static enum MHD_Result
access_cb(void *cls, struct MHD_Connection *conn, const char *url,
	const char *method, const char *version, const char *upload_data,
	size_t *upload_data_size, void **req_cls)
{
	struct httpd *h = cls;
	struct httpd_req *r = *req_cls;
	struct httpd_resp rs;
	struct MHD_Response *mr;
	enum MHD_Result ret;
	size_t i;

	(void)url;
	(void)version;
	if (r == NULL)
		return MHD_NO;
	if (r->method == NULL) {
		/* First call: headers are known, no body yet. */
		const char *cl;

		r->method = method;
		buf_init(&r->body, h->max_body);
		if (h->client_trust)
			r->client_ok = client_verified(conn);
		cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
			"Content-Length");
		if (cl != NULL) {
			char *end;
			unsigned long long v;

			errno = 0;
			v = strtoull(cl, &end, 10);
			if (errno != 0 || end == cl || v > h->max_body)
				r->toobig = 1;
		}
		if (r->toobig)
			return send_simple(conn, 413,
				"{\"code\":\"PARAM_ERROR\",\"message\":"
				"\"request body too large\"}");
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		if (!r->toobig && buf_add(&r->body, upload_data,
		    *upload_data_size) != 0)
			r->toobig = 1;
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (r->toobig)
		return send_simple(conn, 413,
			"{\"code\":\"PARAM_ERROR\",\"message\":"
			"\"request body too large\"}");

	memset(&rs, 0, sizeof rs);
	rs.status = 500;
	h->handler(h->arg, r, &rs);
	if (rs.drop) {
		resp_clear(&rs);
		return MHD_NO;
	}
	if (rs.truncate && rs.keep < rs.len) {
		struct trunc_state *t = xcalloc(1, sizeof *t);

		t->body = rs.body;
		t->keep = rs.keep;
		rs.body = NULL;
		mr = MHD_create_response_from_callback(rs.len, 4096,
			trunc_reader, t, trunc_free);
	} else {
		mr = MHD_create_response_from_buffer(rs.len,
			rs.body ? rs.body : (void *)"",
			MHD_RESPMEM_MUST_COPY);
	}
	if (mr == NULL) {
		resp_clear(&rs);
		return MHD_NO;
	}
	for (i = 0; i < rs.nhdr; i++)
		MHD_add_response_header(mr, rs.hname[i], rs.hval[i]);
	ret = MHD_queue_response(conn, (unsigned)rs.status, mr);
	MHD_destroy_response(mr);
	resp_clear(&rs);
	return ret;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[256];

	(void)cls;
	vsnprintf(line, sizeof line, fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	log_debug("microhttpd: %s", line);
}

int
httpd_start(const struct httpd_opts *o, struct httpd **out,
	unsigned *port_out, char **cause)
{
	struct httpd *h;
	struct sockaddr_storage ss;
	const char *addr = o->addr ? o->addr : "127.0.0.1";
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION |
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
	const union MHD_DaemonInfo *di;

	*out = NULL;
	if (o->handler == NULL) {
		*cause = xstrdup("no request handler");
		return QUAN_EINVAL;
	}
	memset(&ss, 0, sizeof ss);
	if (inet_pton(AF_INET, addr,
	    &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)o->port);
	} else if (inet_pton(AF_INET6, addr,
	    &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)o->port);
		flags |= MHD_USE_IPv6;
	} else {
		*cause = xasprintf("not an IP address: %s", addr);
		return QUAN_EINVAL;
	}
	if (o->port > 65535) {
		*cause = xasprintf("bad port %u", o->port);
		return QUAN_EINVAL;
	}
	if (o->cert_pem != NULL)
		flags |= MHD_USE_TLS;

	h = xcalloc(1, sizeof *h);
	h->handler = o->handler;
	h->arg = o->arg;
	h->max_body = o->max_body ? o->max_body : HTTPD_DEFAULT_MAX_BODY;
	h->client_trust = o->cert_pem != NULL && o->client_trust_pem != NULL;
	if (h->client_trust)
		h->d = MHD_start_daemon(flags, (uint16_t)o->port, NULL, NULL,
			access_cb, h,
			MHD_OPTION_EXTERNAL_LOGGER, mhd_log, h,
			MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
			MHD_OPTION_URI_LOG_CALLBACK, uri_cb, h,
			MHD_OPTION_NOTIFY_COMPLETED, completed_cb, h,
			MHD_OPTION_CONNECTION_TIMEOUT,
			(unsigned)(o->timeout_s ? o->timeout_s : 30),
			MHD_OPTION_CONNECTION_LIMIT,
			(unsigned)(o->max_conns ? o->max_conns : 256),
			MHD_OPTION_HTTPS_MEM_KEY, o->key_pem,
			MHD_OPTION_HTTPS_MEM_CERT, o->cert_pem,
			/* asks every client for a certificate (not required:
			 * the handler decides per path) */
			MHD_OPTION_HTTPS_MEM_TRUST, o->client_trust_pem,
			MHD_OPTION_END);
	else if (o->cert_pem != NULL)
		h->d = MHD_start_daemon(flags, (uint16_t)o->port, NULL, NULL,
			access_cb, h,
			MHD_OPTION_EXTERNAL_LOGGER, mhd_log, h,
			MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
			MHD_OPTION_URI_LOG_CALLBACK, uri_cb, h,
			MHD_OPTION_NOTIFY_COMPLETED, completed_cb, h,
			MHD_OPTION_CONNECTION_TIMEOUT,
			(unsigned)(o->timeout_s ? o->timeout_s : 30),
			MHD_OPTION_CONNECTION_LIMIT,
			(unsigned)(o->max_conns ? o->max_conns : 256),
			MHD_OPTION_HTTPS_MEM_KEY, o->key_pem,
			MHD_OPTION_HTTPS_MEM_CERT, o->cert_pem,
			MHD_OPTION_END);
	else
		h->d = MHD_start_daemon(flags, (uint16_t)o->port, NULL, NULL,
			access_cb, h,
			MHD_OPTION_EXTERNAL_LOGGER, mhd_log, h,
			MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
			MHD_OPTION_URI_LOG_CALLBACK, uri_cb, h,
			MHD_OPTION_NOTIFY_COMPLETED, completed_cb, h,
			MHD_OPTION_CONNECTION_TIMEOUT,
			(unsigned)(o->timeout_s ? o->timeout_s : 30),
			MHD_OPTION_CONNECTION_LIMIT,
			(unsigned)(o->max_conns ? o->max_conns : 256),
			MHD_OPTION_END);
	if (h->d == NULL) {
		*cause = xasprintf("cannot listen on %s:%u (in use, or bad "
			"TLS certificate/key)", addr, o->port);
		free(h);
		return QUAN_EIO;
	}
	if (port_out != NULL) {
		di = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
		*port_out = di ? di->port : o->port;
	}
	*out = h;
	return 0;
}

void
httpd_stop(struct httpd *h)
{
	if (h == NULL)
		return;
	MHD_stop_daemon(h->d);
	free(h);
}

const char *
httpd_req_method(const struct httpd_req *r)
{
	return r->method;
}

const char *
httpd_req_target(const struct httpd_req *r)
{
	return r->target;
}

const char *
httpd_req_path(const struct httpd_req *r)
{
	return r->path;
}

const char *
httpd_req_query(const struct httpd_req *r)
{
	return r->query;
}

const char *
httpd_req_header(const struct httpd_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *
httpd_req_body(const struct httpd_req *r, size_t *len)
{
	*len = r->body.len;
	return buf_str(&r->body);
}

int
httpd_req_client_cert_ok(const struct httpd_req *r)
{
	return r->client_ok;
}

const char *
httpd_req_peer(const struct httpd_req *r)
{
	return r->peer;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *
httpd_pct_decode(const char *s, size_t n)
{
	char *out = xmalloc(n + 1);
	size_t i, j = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '%') {
			int hi, lo;

			if (i + 2 >= n)
				goto bad;
			hi = hexval((unsigned char)s[i + 1]);
			lo = hexval((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				goto bad;
			out[j++] = (char)(hi * 16 + lo);
			i += 2;
		} else if (s[i] == '\0') {
			goto bad;
		} else {
			out[j++] = s[i];
		}
	}
	out[j] = '\0';
	return out;
bad:
	free(out);
	return NULL;
}

char *
httpd_query_get(const char *query, const char *name)
{
	size_t nl = strlen(name);
	const char *p = query;

	while (p != NULL && *p != '\0') {
		const char *amp = strchr(p, '&');
		size_t seg = amp ? (size_t)(amp - p) : strlen(p);

		if (seg >= nl && strncmp(p, name, nl) == 0 &&
		    (seg == nl || p[nl] == '=')) {
			if (seg == nl)
				return xstrdup("");
			return httpd_pct_decode(p + nl + 1, seg - nl - 1);
		}
		p = amp ? amp + 1 : NULL;
	}
	return NULL;
}

void
httpd_resp_status(struct httpd_resp *r, int status)
{
	r->status = status;
}

void
httpd_resp_body(struct httpd_resp *r, const char *body, size_t len)
{
	free(r->body);
	r->body = NULL;
	r->len = 0;
	if (len > 0) {
		r->body = xmalloc(len);
		memcpy(r->body, body, len);
		r->len = len;
	}
}

void
httpd_resp_header(struct httpd_resp *r, const char *name, const char *value)
{
	if (r->nhdr >= HTTPD_MAX_HEADERS) {
		log_warn("too many response headers, dropping %s", name);
		return;
	}
	r->hname[r->nhdr] = xstrdup(name);
	r->hval[r->nhdr] = xstrdup(value);
	r->nhdr++;
}

void
httpd_resp_drop(struct httpd_resp *r)
{
	r->drop = 1;
}

void
httpd_resp_truncate(struct httpd_resp *r, size_t keep)
{
	r->truncate = 1;
	r->keep = keep;
}
