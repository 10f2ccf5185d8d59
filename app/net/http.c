/*
 * http.c — the libcurl client behind http.h: one easy handle per thread,
 * reset (connections kept) before each request, capped body, captured
 * headers, stop flag through the progress callback.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "net/http.h"
#include "util/err.h"
#include "util/log.h"
#include "util/tm.h"
#include "util/xmem.h"

#define HDR_BYTES_MAX (64 * 1024)

struct http {
	CURL *c;
	char *ca_file;
	char *client_cert, *client_key; /* mutual TLS (/secapi/) or NULL */
	char *ua;
	long connect_ms, total_ms;
	size_t max_body;
	const atomic_int *stop;
	int allow_http;
	char errbuf[CURL_ERROR_SIZE];
	/* per transfer */
	struct http_resp *resp;
	size_t hdr_bytes;
	int toobig;
	long connects;   /* connections opened, all transfers */
	int fresh;       /* next transfer on a new connection */
	int sent;        /* the last request may have reached the server */
	int pooled;      /* the last transfer ended well: its connection
			    may be kept for the next */
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static int global_rc = -1;

static void
global_init_once(void)
{
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ?
	    QUAN_OK : QUAN_EIO;
}

int
http_global_init(void)
{
	pthread_once(&global_once, global_init_once);
	return global_rc;
}

void
http_global_cleanup(void)
{
	if (global_rc == QUAN_OK)
		curl_global_cleanup();
}

static char curl_ver[48];
static pthread_once_t ver_once = PTHREAD_ONCE_INIT;

static void
ver_once_fn(void)
{
	curl_version_info_data *d = curl_version_info(CURLVERSION_NOW);

	snprintf(curl_ver, sizeof curl_ver, "curl/%s",
	    d && d->version ? d->version : "unknown");
}

const char *
http_curl_version(void)
{
	pthread_once(&ver_once, ver_once_fn);
	return curl_ver;
}

void
http_resp_init(struct http_resp *r)
{
	memset(r, 0, sizeof *r);
	buf_init(&r->body, HTTP_BODY_MAX_DEFAULT);
}

void
http_resp_free(struct http_resp *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nhdr; i++) {
		free(r->hdr[i].name);
		free(r->hdr[i].value);
	}
	buf_free(&r->body);
	r->nhdr = 0;
	r->status = 0;
	r->elapsed_us = 0;
}

const char *
http_resp_header(const struct http_resp *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nhdr; i++)
		if (strcasecmp(r->hdr[i].name, name) == 0)
			return r->hdr[i].value;
	return NULL;
}

char *
http_escape(const char *s)
{
	static const char hx[] = "0123456789ABCDEF";
	size_t n = strlen(s), o = 0, i;
	char *out = xmalloc(3 * n + 1);

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (isalnum(c) || c == '-' || c == '.' || c == '_' ||
		    c == '~') {
			out[o++] = (char)c;
		} else {
			out[o++] = '%';
			out[o++] = hx[c >> 4];
			out[o++] = hx[c & 15];
		}
	}
	out[o] = '\0';
	return out;
}

int
http_new(const struct http_opts *o, struct http **out, char **cause)
{
	struct http *h;

	*out = NULL;
	if (http_global_init() != QUAN_OK) {
		if (cause)
			*cause = xstrdup("curl_global_init failed");
		return QUAN_EIO;
	}
	h = xcalloc(1, sizeof *h);
	h->c = curl_easy_init();
	if (h->c == NULL) {
		free(h);
		if (cause)
			*cause = xstrdup("curl_easy_init failed");
		return QUAN_EIO;
	}
	h->ca_file = o && o->ca_file && *o->ca_file ? xstrdup(o->ca_file) :
	    NULL;
	h->client_cert = o && o->client_cert && *o->client_cert ?
	    xstrdup(o->client_cert) : NULL;
	h->client_key = o && o->client_key && *o->client_key ?
	    xstrdup(o->client_key) : NULL;
	h->ua = o && o->user_agent ? xstrdup(o->user_agent) :
	    xasprintf("quan/%s (Linux) %s", QUAN_VERSION, http_curl_version());
	h->connect_ms = o && o->connect_timeout_ms > 0 ?
	    o->connect_timeout_ms : 2000;
	h->total_ms = o && o->timeout_ms > 0 ? o->timeout_ms : 5000;
	h->max_body = o && o->max_body > 0 ? o->max_body :
	    HTTP_BODY_MAX_DEFAULT;
	h->stop = o ? o->stop : NULL;
	h->allow_http = o ? o->allow_http : 0;
	*out = h;
	return QUAN_OK;
}

int
http_new_timed(const char *ca_file, long connect_ms, long total_ms,
    const atomic_int *stop, struct http **out, char **cause)
{
	struct http_opts o;

	memset(&o, 0, sizeof o);
	o.ca_file = ca_file;
	o.connect_timeout_ms = connect_ms;
	o.timeout_ms = total_ms;
	o.stop = stop;
	return http_new(&o, out, cause);
}

long
http_connections(const struct http *h)
{
	return h->connects;
}

void
http_free(struct http *h)
{
	if (h == NULL)
		return;
	curl_easy_cleanup(h->c);
	free(h->ca_file);
	free(h->client_cert);
	free(h->client_key);
	free(h->ua);
	free(h);
}

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct http *h = arg;

	if (buf_add(&h->resp->body, p, size * n) != QUAN_OK) {
		h->toobig = 1;
		return 0; /* CURLE_WRITE_ERROR */
	}
	return size * n;
}

static void
hdr_clear(struct http_resp *r)
{
	size_t i;

	for (i = 0; i < r->nhdr; i++) {
		free(r->hdr[i].name);
		free(r->hdr[i].value);
	}
	r->nhdr = 0;
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct http *h = arg;
	struct http_resp *r = h->resp;
	size_t len = size * n, nl, vs, ve;
	const char *colon;

	h->hdr_bytes += len;
	if (h->hdr_bytes > HDR_BYTES_MAX) {
		h->toobig = 1;
		return 0;
	}
	/* A new status line (after 100 Continue, say) starts a new set. */
	if (len >= 5 && memcmp(p, "HTTP/", 5) == 0) {
		hdr_clear(r);
		return len;
	}
	colon = memchr(p, ':', len);
	if (colon == NULL || r->nhdr >= HTTP_HDR_MAX)
		return len;
	nl = (size_t)(colon - p);
	vs = nl + 1;
	ve = len;
	while (vs < ve && (p[vs] == ' ' || p[vs] == '\t'))
		vs++;
	while (ve > vs && (p[ve - 1] == '\r' || p[ve - 1] == '\n' ||
	    p[ve - 1] == ' ' || p[ve - 1] == '\t'))
		ve--;
	r->hdr[r->nhdr].name = xstrndup(p, nl);
	r->hdr[r->nhdr].value = xstrndup(p + vs, ve - vs);
	r->nhdr++;
	return len;
}

static int
on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut,
    curl_off_t un)
{
	struct http *h = arg;

	(void)dt;
	(void)dn;
	(void)ut;
	(void)un;
	return h->stop != NULL && atomic_load(h->stop) != 0;
}

static int
map_curl(CURLcode cc)
{
	switch (cc) {
	case CURLE_OPERATION_TIMEDOUT:
		return QUAN_ETIMEDOUT;
	case CURLE_ABORTED_BY_CALLBACK:
		return QUAN_ECLOSED;
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_BAD_FUNCTION_ARGUMENT:
		return QUAN_EINVAL;
	/* the peer could not be authenticated (untrusted, expired, other
	 * host) or no TLS session came up: not "offline", someone must
	 * look at the certificates or the CA file */
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
		return QUAN_ETLS;
	default:
		return QUAN_ENET;
	}
}

/* Could a transfer that ended with cc have delivered its request? Not
 * when nothing of it left: it never got a connection and a TLS session
 * (no address, refused, unreachable, a handshake or certificate failure,
 * a connect timeout, a stop while connecting), which libcurl tells by a
 * pretransfer time, a request size and an upload size all 0 (reset for
 * each transfer). Anything else — a send or receive error, a timeout or
 * a stop while waiting, a dropped connection — may have. reuse: a kept
 * connection may have been tried first; libcurl resends over a new one
 * when it dies, so a failure to connect then says nothing about the
 * first send. */
static int
may_have_sent(CURL *c, CURLcode cc, int reuse)
{
	curl_off_t pre = 0, up = 0;
	long req = 0;

	if (cc == CURLE_OK || reuse)
		return 1;
	if (curl_easy_getinfo(c, CURLINFO_PRETRANSFER_TIME_T, &pre) !=
	    CURLE_OK || curl_easy_getinfo(c, CURLINFO_REQUEST_SIZE, &req) !=
	    CURLE_OK || curl_easy_getinfo(c, CURLINFO_SIZE_UPLOAD_T, &up) !=
	    CURLE_OK)
		return 1;
	return pre > 0 || req > 0 || up > 0;
}

int
http_request_sent(const struct http *h)
{
	return h->sent;
}

void
http_fresh_next(struct http *h)
{
	h->fresh = 1;
}

int
http_request(struct http *h, const char *method, const char *url,
    const char *const *headers, const void *body, size_t body_len,
    struct http_resp *resp, char **cause)
{
	struct curl_slist *sl = NULL, *t;
	CURLcode cc;
	uint64_t t0;
	long status = 0;
	size_t i, ul;
	int rc, reuse;

	http_resp_free(resp);
	buf_init(&resp->body, h->max_body);
	h->sent = 0;
	if (method == NULL || url == NULL) {
		if (cause)
			*cause = xstrdup("http_request: no method or URL");
		return QUAN_EINVAL;
	}
	if (h->stop != NULL && atomic_load(h->stop) != 0) {
		if (cause)
			*cause = xstrdup("stopped");
		return QUAN_ECLOSED;
	}
	h->resp = resp;
	h->hdr_bytes = 0;
	h->toobig = 0;
	h->errbuf[0] = '\0';
	/* Reset options, keep live connections and TLS sessions. */
	curl_easy_reset(h->c);
	for (i = 0; headers != NULL && headers[i] != NULL; i++) {
		t = curl_slist_append(sl, headers[i]);
		if (t == NULL)
			goto oom;
		sl = t;
	}
	/* No "Expect: 100-continue" round trip; explicit no-compression. */
	if ((t = curl_slist_append(sl, "Expect:")) == NULL)
		goto oom;
	sl = t;
	curl_easy_setopt(h->c, CURLOPT_URL, url);
	curl_easy_setopt(h->c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h->c, CURLOPT_PROTOCOLS_STR,
	    h->allow_http ? "http,https" : "https");
	curl_easy_setopt(h->c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h->c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h->c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (h->ca_file != NULL)
		curl_easy_setopt(h->c, CURLOPT_CAINFO, h->ca_file);
	if (h->client_cert != NULL) {
		curl_easy_setopt(h->c, CURLOPT_SSLCERT, h->client_cert);
		curl_easy_setopt(h->c, CURLOPT_SSLKEY, h->client_key);
	}
	curl_easy_setopt(h->c, CURLOPT_CONNECTTIMEOUT_MS, h->connect_ms);
	curl_easy_setopt(h->c, CURLOPT_TIMEOUT_MS, h->total_ms);
	curl_easy_setopt(h->c, CURLOPT_USERAGENT, h->ua);
	curl_easy_setopt(h->c, CURLOPT_HTTPHEADER, sl);
	curl_easy_setopt(h->c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h->c, CURLOPT_WRITEDATA, h);
	curl_easy_setopt(h->c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h->c, CURLOPT_HEADERDATA, h);
	curl_easy_setopt(h->c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h->c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(h->c, CURLOPT_XFERINFODATA, h);
	curl_easy_setopt(h->c, CURLOPT_ERRORBUFFER, h->errbuf);
	curl_easy_setopt(h->c, CURLOPT_TCP_NODELAY, 1L);
	reuse = !h->fresh && h->pooled;
	if (h->fresh) {
		/* not on a reused connection: never resent by libcurl */
		curl_easy_setopt(h->c, CURLOPT_FRESH_CONNECT, 1L);
		h->fresh = 0;
	}
	curl_easy_setopt(h->c, CURLOPT_MAXREDIRS, 0L);
	if (strcmp(method, "GET") == 0 && body == NULL) {
		curl_easy_setopt(h->c, CURLOPT_HTTPGET, 1L);
	} else {
		if (strcmp(method, "POST") == 0)
			curl_easy_setopt(h->c, CURLOPT_POST, 1L);
		else
			curl_easy_setopt(h->c, CURLOPT_CUSTOMREQUEST, method);
		if (body != NULL || strcmp(method, "POST") == 0) {
			curl_easy_setopt(h->c, CURLOPT_POSTFIELDS,
			    body ? body : "");
			curl_easy_setopt(h->c, CURLOPT_POSTFIELDSIZE_LARGE,
			    (curl_off_t)body_len);
		}
	}
	t0 = tm_mono_us();
	cc = curl_easy_perform(h->c);
	resp->elapsed_us = tm_mono_us() - t0;
	h->sent = may_have_sent(h->c, cc, reuse);
	h->pooled = cc == CURLE_OK;
	curl_easy_getinfo(h->c, CURLINFO_RESPONSE_CODE, &status);
	resp->status = status;
	{
		long nc = 0;
		if (curl_easy_getinfo(h->c, CURLINFO_NUM_CONNECTS, &nc) ==
		    CURLE_OK)
			h->connects += nc;
	}
	curl_slist_free_all(sl);
	h->resp = NULL;
	if (cc == CURLE_OK)
		return QUAN_OK;
	/* Causes name the URL without its query: queries may carry an
	 * access_token or an AppSecret. */
	ul = strcspn(url, "?");
	if (h->toobig) {
		rc = QUAN_ETOOBIG;
		if (cause)
			*cause = xasprintf("%.*s: response over the %zu-byte "
			    "cap", (int)ul, url, h->max_body);
	} else {
		rc = map_curl(cc);
		if (cause)
			*cause = xasprintf("%.*s: %s", (int)ul, url,
			    h->errbuf[0] ? h->errbuf : curl_easy_strerror(cc));
	}
	return rc;
oom:
	curl_slist_free_all(sl);
	h->resp = NULL;
	if (cause)
		*cause = xstrdup("out of memory building headers");
	return QUAN_ENOMEM;
}
