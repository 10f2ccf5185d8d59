/*
 * scan.c — the scanner manager: spec parsing, the driver thread polling fd
 * sources with reopen backoff, threads for camera/image sources, and the
 * common path every scan takes (drv_emit): prefix/suffix, AIM id, charset,
 * caps, dedupe, diagnostics ring, evq.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "drivers/dec.h"
#include "drivers/dedupe.h"
#include "drivers/drv.h"
#include "drivers/scan.h"
#include "drivers/scantext.h"
#include "util/err.h"
#include "util/log.h"
#include "util/tm.h"
#include "util/xmem.h"

#define RING 16
#define BACKOFF_MIN_MS 250
#define BACKOFF_MAX_MS 5000

struct scan_mgr {
	struct evq *q;
	struct scan_opts o;
	struct drv **d;
	size_t nd;
	pthread_t poll_thr;
	int poll_started;
	pthread_t *thr;
	int *thr_started;
	int started;
	int stopping;          /* under mu */
	int wake[2];           /* wakes the poll thread on stop */
	pthread_mutex_t mu;
	pthread_cond_t cv;     /* drv_sleep */
	struct dedupe *dd;
	struct ev_scan ring[RING];
	size_t ring_n, ring_next;
	scan_reject_fn reject;
	void *reject_ctx;
};

static const struct drv_ops *const all_ops[] = {
	&drv_stdin_ops, &drv_serial_ops, &drv_evdev_ops, &drv_image_ops,
	&drv_camera_ops,
};

struct scan_mgr *
scan_mgr_new(struct evq *q, const struct scan_opts *opts)
{
	struct scan_mgr *m = xcalloc(1, sizeof *m);
	pthread_condattr_t ca;

	m->q = q;
	m->o.dedupe_ms = -1;
	if (opts != NULL)
		m->o = *opts;
	if (m->o.max_len == 0 || m->o.max_len > SCAN_MAX_LEN)
		m->o.max_len = SCAN_MAX_LEN;
	m->wake[0] = m->wake[1] = -1;
	pthread_mutex_init(&m->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&m->cv, &ca);
	pthread_condattr_destroy(&ca);
	m->dd = dedupe_new(64);
	return m;
}

int
drv_spec_parse(const char *spec, struct drv_spec *s, char **cause)
{
	const char *colon, *comma, *rest, *kend;
	size_t kl, pl;

	memset(s, 0, sizeof *s);
	if (spec == NULL || *spec == '\0') {
		*cause = xstrdup("empty source spec");
		return QUAN_EINVAL;
	}
	snprintf(s->name, sizeof s->name, "%s", spec);
	comma = strchr(spec, ',');
	colon = strchr(spec, ':');
	if (colon != NULL && (comma == NULL || colon < comma)) {
		kend = colon;
		rest = colon + 1;
		comma = strchr(rest, ',');
		pl = comma != NULL ? (size_t)(comma - rest) : strlen(rest);
		if (pl == 0 || pl >= sizeof s->path) {
			*cause = xasprintf("source '%s': bad path", spec);
			return QUAN_EINVAL;
		}
		memcpy(s->path, rest, pl);
	} else {
		kend = comma != NULL ? comma : spec + strlen(spec);
	}
	kl = (size_t)(kend - spec);
	if (kl == 0 || kl >= sizeof s->kind) {
		*cause = xasprintf("source '%s': bad kind", spec);
		return QUAN_EINVAL;
	}
	memcpy(s->kind, spec, kl);
	/* the name shown in events: without options */
	if (comma != NULL && (size_t)(comma - spec) < sizeof s->name)
		s->name[comma - spec] = '\0';
	while (comma != NULL) {
		const char *k = comma + 1, *eq, *e;
		char raw[64];
		size_t l;

		comma = strchr(k, ',');
		e = comma != NULL ? comma : k + strlen(k);
		eq = memchr(k, '=', (size_t)(e - k));
		if (eq == NULL || eq == k || (size_t)(eq - k) >= 16 ||
		    (size_t)(e - eq - 1) >= sizeof raw ||
		    s->nopt >= DRV_OPT_MAX) {
			*cause = xasprintf("source '%s': bad option near '%.*s'"
				" (want key=value)", spec, (int)(e - k), k);
			return QUAN_EINVAL;
		}
		memcpy(s->opt[s->nopt].key, k, (size_t)(eq - k));
		l = (size_t)(e - eq - 1);
		memcpy(raw, eq + 1, l);
		raw[l] = '\0';
		if (scantext_unescape(raw, s->opt[s->nopt].val,
		    sizeof s->opt[s->nopt].val) != QUAN_OK) {
			*cause = xasprintf("source '%s': bad escape in '%s'",
				spec, raw);
			return QUAN_EINVAL;
		}
		s->nopt++;
	}
	return QUAN_OK;
}

const char *
drv_opt(const struct drv *d, const char *key)
{
	size_t i;

	for (i = 0; i < d->spec.nopt; i++)
		if (strcmp(d->spec.opt[i].key, key) == 0)
			return d->spec.opt[i].val;
	return NULL;
}

int
drv_opt_int(const struct drv *d, const char *key, long def, long min,
	long max, long *out, char **cause)
{
	const char *v = drv_opt(d, key);
	char *end;
	long x;

	*out = def;
	if (v == NULL)
		return QUAN_OK;
	errno = 0;
	x = strtol(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || x < min || x > max) {
		*cause = xasprintf("source '%s': %s=%s is not a number in "
			"%ld..%ld", d->spec.name, key, v, min, max);
		return QUAN_EINVAL;
	}
	*out = x;
	return QUAN_OK;
}

int
drv_opts_check(const struct drv *d, const char *const *known, char **cause)
{
	size_t i, k;

	for (i = 0; i < d->spec.nopt; i++) {
		if (strcmp(d->spec.opt[i].key, "charset") == 0)
			continue; /* every source's: scan_mgr_add */
		for (k = 0; known[k] != NULL; k++)
			if (strcmp(known[k], d->spec.opt[i].key) == 0)
				break;
		if (known[k] == NULL) {
			*cause = xasprintf("source '%s': unknown option '%s'",
				d->spec.name, d->spec.opt[i].key);
			return QUAN_EINVAL;
		}
	}
	return QUAN_OK;
}

int
scan_mgr_add(struct scan_mgr *m, const char *spec, char **cause)
{
	struct drv *d = xcalloc(1, sizeof *d);
	const char *cs;
	size_t i;
	long dd;
	int rc;

	*cause = NULL;
	if ((rc = drv_spec_parse(spec, &d->spec, cause)) != QUAN_OK)
		goto fail;
	for (i = 0; i < sizeof all_ops / sizeof all_ops[0]; i++)
		if (strcmp(all_ops[i]->kind, d->spec.kind) == 0)
			d->ops = all_ops[i];
	if (d->ops == NULL) {
		*cause = xasprintf("source '%s': unknown kind '%s' (camera, "
			"image, evdev, serial, stdin)", spec, d->spec.kind);
		rc = QUAN_EINVAL;
		goto fail;
	}
	if (d->ops->source != SCAN_SRC_STDIN && d->spec.path[0] == '\0') {
		*cause = xasprintf("source '%s': needs %s:PATH", spec,
			d->spec.kind);
		rc = QUAN_EINVAL;
		goto fail;
	}
	d->mgr = m;
	d->dedupe_ms = m->o.dedupe_ms >= 0 ? m->o.dedupe_ms :
		d->ops->dedupe_ms;
	if ((rc = drv_opt_int(d, "dedupe", d->dedupe_ms, 0, 600000, &dd,
	    cause)) != QUAN_OK)
		goto fail;
	d->dedupe_ms = (int)dd;
	cs = drv_opt(d, "charset");
	if (cs != NULL && strcmp(cs, "gb18030") != 0 &&
	    strcmp(cs, "utf-8") != 0) {
		*cause = xasprintf("source '%s': charset=utf-8|gb18030", spec);
		rc = QUAN_EINVAL;
		goto fail;
	}
	d->gb18030 = cs != NULL && strcmp(cs, "gb18030") == 0;
	if ((rc = d->ops->setup(d, cause)) != QUAN_OK)
		goto fail;
	m->d = xrealloc(m->d, (m->nd + 1) * sizeof *m->d);
	m->d[m->nd++] = d;
	return QUAN_OK;
fail:
	free(d);
	return rc;
}

void
scan_mgr_on_reject(struct scan_mgr *m, scan_reject_fn fn, void *ctx)
{
	m->reject = fn;
	m->reject_ctx = ctx;
}

int
drv_stopping(struct drv *d)
{
	int s;

	pthread_mutex_lock(&d->mgr->mu);
	s = d->mgr->stopping;
	pthread_mutex_unlock(&d->mgr->mu);
	return s;
}

int
drv_sleep(struct drv *d, uint32_t ms)
{
	struct scan_mgr *m = d->mgr;
	struct timespec ts;
	int s;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&m->mu);
	while (!m->stopping &&
	    pthread_cond_timedwait(&m->cv, &m->mu, &ts) != ETIMEDOUT)
		;
	s = m->stopping;
	pthread_mutex_unlock(&m->mu);
	return s;
}

void
drv_finish(struct drv *d)
{
	pthread_mutex_lock(&d->mgr->mu);
	d->done = 1;
	pthread_mutex_unlock(&d->mgr->mu);
}

void
drv_fault(struct drv *d, int up, const char *what)
{
	struct ev ev;
	int rc;

	memset(&ev, 0, sizeof ev);
	ev.type = EV_DRIVER_FAULT;
	ev.t_mono_us = tm_mono_us();
	snprintf(ev.u.fault.source_name, sizeof ev.u.fault.source_name, "%s",
		d->spec.name);
	ev.u.fault.up = up;
	snprintf(ev.u.fault.what, sizeof ev.u.fault.what, "%s",
		what != NULL ? what : "");
	if (up)
		log_info("%s: back: %s", d->spec.name, ev.u.fault.what);
	else
		log_warn("%s: gone: %s", d->spec.name, ev.u.fault.what);
	if ((rc = evq_post(d->mgr->q, &ev)) != QUAN_OK)
		log_error("%s: fault not queued: %s", d->spec.name,
			quan_strerror(rc));
}

void
drv_reject(struct drv *d, const char *why, const uint8_t *p, size_t n)
{
	char text[64], masked[64];
	size_t i, l = n < sizeof text - 1 ? n : sizeof text - 1;

	for (i = 0; i < l; i++)
		text[i] = (p[i] >= 0x20 && p[i] < 0x7F) ? (char)p[i] : '?';
	text[l] = '\0';
	log_warn("%s: scan refused (%s): %zu bytes '%s'", d->spec.name, why, n,
		log_mask(text, masked, sizeof masked));
	if (d->mgr->reject != NULL)
		d->mgr->reject(d->mgr->reject_ctx, d->spec.name, why, p, n);
}

int
drv_emit(struct drv *d, const struct drv_raw *r)
{
	struct scan_mgr *m = d->mgr;
	const uint8_t *p = r->p;
	size_t n = r->n;
	const char *sym = r->symbology;
	char aim[4] = "";
	struct ev ev;
	struct ev_scan *sc = &ev.u.scan;
	int gs1 = 0, rc, dup, i;

	if (r->strip && scantext_strip(&p, &n, drv_opt(d, "prefix"),
	    drv_opt(d, "suffix")) != QUAN_OK) {
		drv_reject(d, "prefix missing", r->p, r->n);
		return QUAN_EPROTO;
	}
	if (r->aim != NULL)
		snprintf(aim, sizeof aim, "%s", r->aim);
	if (r->parse_aim) {
		size_t k = scantext_aim(p, n, aim);

		p += k;
		n -= k;
	}
	if (sym == NULL)
		sym = aim[0] != '\0' ? scantext_aim_symbology(aim, n, &gs1) :
			"";
	else if (aim[0] != '\0')
		(void)scantext_aim_symbology(aim, n, &gs1);
	if (n == 0) {
		drv_reject(d, "empty", r->p, r->n);
		return QUAN_EINVAL;
	}
	if (n > m->o.max_len) {
		drv_reject(d, "too long", p, n);
		return QUAN_ETOOBIG;
	}
	memset(&ev, 0, sizeof ev);
	ev.type = EV_SCAN;
	rc = scantext_decode(p, n, m->o.max_len, d->gb18030 ?
		SCANTEXT_GB18030 : SCANTEXT_UTF8, sc->text, sizeof sc->text,
		sc->encoding);
	if (rc != QUAN_OK) {
		drv_reject(d, "too long", p, n);
		return rc;
	}
	sc->source = d->ops->source;
	snprintf(sc->source_name, sizeof sc->source_name, "%s",
		r->source_name != NULL ? r->source_name : d->spec.name);
	snprintf(sc->symbology, sizeof sc->symbology, "%s", sym);
	memcpy(sc->aim, aim, sizeof sc->aim);
	memcpy(sc->raw, p, n);
	sc->raw_len = n;
	sc->flags = r->flags | (gs1 ? SCAN_F_GS1 : 0);
	if (strcmp(sc->encoding, "binary") == 0)
		sc->flags |= SCAN_F_BINARY;
	sc->t_mono_us = r->t_mono_us != 0 ? r->t_mono_us : tm_mono_us();
	sc->dur_ms = r->dur_ms;
	sc->ikt_max_ms = r->ikt_max_ms;
	if (r->ikt_ms != NULL) {
		size_t k = r->ikt_n < 48 ? r->ikt_n : 48;

		memcpy(sc->ikt_ms, r->ikt_ms, k * sizeof sc->ikt_ms[0]);
		sc->ikt_n = (uint16_t)k;
	}
	ev.t_mono_us = sc->t_mono_us;
	pthread_mutex_lock(&m->mu);
	dup = dedupe_seen(m->dd, d->spec.name, sc->symbology, sc->raw,
		sc->raw_len, sc->t_mono_us, (uint32_t)d->dedupe_ms);
	if (!dup) {
		m->ring[m->ring_next] = *sc;
		m->ring_next = (m->ring_next + 1) % RING;
		if (m->ring_n < RING)
			m->ring_n++;
	}
	pthread_mutex_unlock(&m->mu);
	if (dup) {
		log_debug("%s: duplicate within %d ms dropped", d->spec.name,
			d->dedupe_ms);
		return 1;
	}
	rc = evq_post(m->q, &ev);
	/* threaded sources (image replay, camera) may wait up to 2 s for a
	 * slow reader; the poll thread never waits (other sources share it) */
	for (i = 0; rc == QUAN_EFULL && d->ops->run != NULL && i < 200; i++) {
		if (drv_sleep(d, 10))
			break;
		rc = evq_post(m->q, &ev);
	}
	if (rc != QUAN_OK) {
		drv_reject(d, "event queue full", p, n);
		return rc;
	}
	return 0;
}

void
drv_emit_decoded(struct drv *d, const struct dec_result *res, uint64_t t0,
	uint32_t dur_ms, const char *source_name)
{
	struct drv_raw r;

	memset(&r, 0, sizeof r);
	r.p = res->data;
	r.n = res->len;
	r.symbology = res->symbology;
	r.aim = scantext_aim_for(res->symbology, res->gs1);
	r.flags = res->flags | (res->gs1 ? SCAN_F_GS1 : 0);
	r.t_mono_us = t0;
	r.dur_ms = dur_ms;
	r.source_name = source_name;
	(void)drv_emit(d, &r);
}

void
drv_emit_line(struct drv *d, const uint8_t *p, size_t n, int parse_aim,
	uint64_t t0, uint64_t t_end)
{
	struct drv_raw r;

	if (n == 0)
		return;
	memset(&r, 0, sizeof r);
	r.p = p;
	r.n = n;
	r.parse_aim = parse_aim;
	r.strip = 1;
	r.t_mono_us = t0;
	r.dur_ms = (uint32_t)((t_end - t0) / 1000);
	(void)drv_emit(d, &r);
}

size_t
scan_mgr_recent(struct scan_mgr *m, struct ev_scan *out, size_t n)
{
	size_t i, k;

	pthread_mutex_lock(&m->mu);
	k = n < m->ring_n ? n : m->ring_n;
	for (i = 0; i < k; i++)
		out[i] = m->ring[(m->ring_next + RING - 1 - i) % RING];
	pthread_mutex_unlock(&m->mu);
	return k;
}

int
scan_mgr_done(struct scan_mgr *m)
{
	size_t i;
	int done = 1;

	pthread_mutex_lock(&m->mu);
	for (i = 0; i < m->nd; i++)
		if (!m->d[i]->ops->finite || !m->d[i]->done)
			done = 0;
	pthread_mutex_unlock(&m->mu);
	return done;
}

static int
is_stopping(struct scan_mgr *m)
{
	int s;

	pthread_mutex_lock(&m->mu);
	s = m->stopping;
	pthread_mutex_unlock(&m->mu);
	return s;
}

/* Fd drivers: try to open a closed device whose retry time has come. */
static void
try_open(struct drv *d, uint64_t now)
{
	char *cause = NULL;

	if (d->is_open || d->done || now < d->next_try_us)
		return;
	if (d->ops->open(d, &cause) == QUAN_OK) {
		d->is_open = 1;
		d->backoff_ms = 0;
		if (d->down_reported)
			drv_fault(d, 1, "reopened");
		d->down_reported = 0;
	} else {
		if (!d->down_reported)
			drv_fault(d, 0, cause != NULL ? cause : "open failed");
		d->down_reported = 1;
		d->backoff_ms = d->backoff_ms == 0 ? BACKOFF_MIN_MS :
			d->backoff_ms * 2;
		if (d->backoff_ms > BACKOFF_MAX_MS)
			d->backoff_ms = BACKOFF_MAX_MS;
		d->next_try_us = now + (uint64_t)d->backoff_ms * 1000;
	}
	free(cause);
}

static void *
poll_main(void *arg)
{
	struct scan_mgr *m = arg;
	struct pollfd *pf = xcalloc(m->nd + 1, sizeof *pf);
	struct drv **who = xcalloc(m->nd + 1, sizeof *who);
	size_t i, np;

	while (!is_stopping(m)) {
		uint64_t now = tm_mono_us(), next = now + 50000;
		int timeout;

		for (i = 0; i < m->nd; i++) {
			struct drv *d = m->d[i];

			if (d->ops->run != NULL)
				continue;
			try_open(d, now);
			if (!d->is_open && !d->done && d->next_try_us < next)
				next = d->next_try_us;
		}
		pf[0].fd = m->wake[0];
		pf[0].events = POLLIN;
		np = 1;
		for (i = 0; i < m->nd; i++) {
			struct drv *d = m->d[i];

			if (d->ops->run != NULL || !d->is_open)
				continue;
			pf[np].fd = d->ops->fd(d);
			pf[np].events = POLLIN;
			pf[np].revents = 0;
			who[np++] = d;
		}
		timeout = next > now ? (int)((next - now + 999) / 1000) : 0;
		if (poll(pf, np, timeout) < 0 && errno != EINTR) {
			log_error("poll: %s", strerror(errno));
			break;
		}
		for (i = 1; i < np; i++) {
			struct drv *d = who[i];
			char *cause = NULL;
			int rc;

			if (pf[i].revents == 0)
				continue;
			rc = d->ops->read(d, &cause);
			if (rc == 1) {
				d->ops->close(d);
				d->is_open = 0;
				drv_finish(d);
			} else if (rc < 0) {
				d->ops->close(d);
				d->is_open = 0;
				if (!d->down_reported)
					drv_fault(d, 0, cause != NULL ? cause :
						"device gone");
				d->down_reported = 1;
				d->backoff_ms = BACKOFF_MIN_MS;
				d->next_try_us = tm_mono_us() +
					BACKOFF_MIN_MS * 1000ULL;
			}
			free(cause);
		}
		now = tm_mono_us();
		for (i = 0; i < m->nd; i++)
			if (m->d[i]->is_open && m->d[i]->ops->tick != NULL)
				m->d[i]->ops->tick(m->d[i], now);
	}
	for (i = 0; i < m->nd; i++)
		if (m->d[i]->ops->run == NULL && m->d[i]->is_open) {
			m->d[i]->ops->close(m->d[i]);
			m->d[i]->is_open = 0;
		}
	free(pf);
	free(who);
	return NULL;
}

static void *
thread_main(void *arg)
{
	struct drv *d = arg;

	d->ops->run(d);
	return NULL;
}

int
scan_mgr_start(struct scan_mgr *m, char **cause)
{
	size_t i;
	int need_poll = 0;

	*cause = NULL;
	if (m->started)
		return QUAN_EINVAL;
	m->started = 1;
	if (pipe(m->wake) != 0) {
		*cause = xasprintf("pipe: %s", strerror(errno));
		return QUAN_EIO;
	}
	m->thr = xcalloc(m->nd + 1, sizeof *m->thr);
	m->thr_started = xcalloc(m->nd + 1, sizeof *m->thr_started);
	for (i = 0; i < m->nd; i++) {
		if (m->d[i]->ops->run == NULL) {
			need_poll = 1;
			continue;
		}
		if (pthread_create(&m->thr[i], NULL, thread_main,
		    m->d[i]) != 0) {
			*cause = xasprintf("%s: cannot start thread",
				m->d[i]->spec.name);
			return QUAN_EIO;
		}
		m->thr_started[i] = 1;
	}
	if (need_poll) {
		if (pthread_create(&m->poll_thr, NULL, poll_main, m) != 0) {
			*cause = xstrdup("cannot start the driver thread");
			return QUAN_EIO;
		}
		m->poll_started = 1;
	}
	return QUAN_OK;
}

void
scan_mgr_free(struct scan_mgr *m)
{
	size_t i;

	if (m == NULL)
		return;
	pthread_mutex_lock(&m->mu);
	m->stopping = 1;
	pthread_cond_broadcast(&m->cv);
	pthread_mutex_unlock(&m->mu);
	if (m->wake[1] >= 0 && write(m->wake[1], "x", 1) < 0)
		log_debug("wake: %s", strerror(errno));
	if (m->poll_started)
		pthread_join(m->poll_thr, NULL);
	for (i = 0; i < m->nd; i++)
		if (m->thr_started != NULL && m->thr_started[i])
			pthread_join(m->thr[i], NULL);
	for (i = 0; i < m->nd; i++) {
		if (m->d[i]->ops->free != NULL)
			m->d[i]->ops->free(m->d[i]);
		free(m->d[i]->priv);
		free(m->d[i]);
	}
	if (m->wake[0] >= 0)
		close(m->wake[0]);
	if (m->wake[1] >= 0)
		close(m->wake[1]);
	free(m->d);
	free(m->thr);
	free(m->thr_started);
	dedupe_free(m->dd);
	pthread_cond_destroy(&m->cv);
	pthread_mutex_destroy(&m->mu);
	free(m);
}
