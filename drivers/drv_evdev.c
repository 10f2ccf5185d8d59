/*
 * drv_evdev.c — `evdev:/dev/input/eventN`: a keyboard-wedge scanner read
 * from its own input device under an exclusive grab (EVIOCGRAB), so no
 * console, X, Wayland or input method sees or alters the keystrokes. Key
 * codes become characters with the configured layout (keymap.h), not the
 * system's. A scan is a burst of keys closed by Enter or Tab; a gap longer
 * than gap=MS (default 100) between keys means typing or a stall, and the
 * keys so far are dropped rather than emitted as a plausible-looking tail.
 * Kernel timestamps give the inter-key timing kept in the event.
 * Files or FIFOs holding struct input_event records work too (replay, tests):
 * the grab is then skipped with a log line.
 */
#include <stdio.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "drivers/drv.h"
#include "drivers/keymap.h"
#include "drivers/scan.h"
#include "util/err.h"
#include "util/log.h"
#include "util/tm.h"
#include "util/xmem.h"

/* after core/ev.h: its EV_* macros must not rename ev.h's enum */
#include <linux/input.h>

#define SCAN_BYTES (2 * EV_CODE_MAX)
#define IKT_KEEP 48

struct evdev_priv {
	int fd;
	int grabbed;
	const struct keymap *km;
	long gap_ms, minlen;
	int aim;
	/* input_event reassembly (pipes may split records) */
	uint8_t part[sizeof(struct input_event)];
	size_t npart;
	/* keyboard state */
	int lshift, rshift, altgr, lctrl, rctrl, caps;
	int dropping;      /* after SYN_DROPPED, until SYN_REPORT */
	int swallow_space; /* after a dead key */
	/* the scan being typed */
	uint8_t buf[SCAN_BYTES];
	size_t len;
	int bad;
	uint64_t t_first, t_last; /* kernel time, us */
	uint64_t t_mono;
	uint16_t ikt[IKT_KEEP];
	size_t ikt_n;
	uint32_t ikt_max;
};

static int
evdev_setup(struct drv *d, char **cause)
{
	static const char *const known[] = {"layout", "gap", "minlen",
		"prefix", "suffix", "aim", "dedupe", NULL};
	struct evdev_priv *s;
	const char *lay, *aim;
	long gap, minlen;

	if (drv_opts_check(d, known, cause) != QUAN_OK ||
	    drv_opt_int(d, "gap", 100, 5, 5000, &gap, cause) != QUAN_OK ||
	    drv_opt_int(d, "minlen", 3, 1, SCAN_MAX_LEN, &minlen, cause) !=
	    QUAN_OK)
		return QUAN_EINVAL;
	lay = drv_opt(d, "layout");
	if (lay == NULL)
		lay = "us";
	aim = drv_opt(d, "aim");
	if (aim != NULL && strcmp(aim, "auto") != 0 &&
	    strcmp(aim, "off") != 0) {
		*cause = xasprintf("source '%s': aim=auto|off", d->spec.name);
		return QUAN_EINVAL;
	}
	s = xcalloc(1, sizeof *s);
	s->fd = -1;
	if ((s->km = keymap_find(lay)) == NULL) {
		free(s);
		*cause = xasprintf("source '%s': layout '%s' unknown (%s)",
			d->spec.name, lay, keymap_names());
		return QUAN_EINVAL;
	}
	s->gap_ms = gap;
	s->minlen = minlen;
	s->aim = aim == NULL || strcmp(aim, "auto") == 0;
	d->priv = s;
	return QUAN_OK;
}

static void
reset_scan(struct evdev_priv *s)
{
	s->len = 0;
	s->bad = 0;
	s->ikt_n = 0;
	s->ikt_max = 0;
	s->swallow_space = 0;
}

static int
evdev_open(struct drv *d, char **cause)
{
	struct evdev_priv *s = d->priv;
	int fd, clk = CLOCK_MONOTONIC;

	fd = open(d->spec.path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		*cause = xasprintf("open %s: %s", d->spec.path,
			strerror(errno));
		return QUAN_EIO;
	}
	s->grabbed = 0;
	if (ioctl(fd, EVIOCGRAB, (void *)1) == 0) {
		s->grabbed = 1;
		(void)ioctl(fd, EVIOCSCLOCKID, &clk);
	} else if (errno == EBUSY) {
		*cause = xasprintf("%s: grabbed by another program",
			d->spec.path);
		close(fd);
		return QUAN_EBUSY;
	} else {
		log_info("%s: not an input device (%s): replaying records",
			d->spec.path, strerror(errno));
	}
	s->fd = fd;
	s->npart = 0;
	s->lshift = s->rshift = s->altgr = s->lctrl = s->rctrl = 0;
	s->caps = 0;
	s->dropping = 0;
	reset_scan(s);
	return QUAN_OK;
}

static int
evdev_fd(struct drv *d)
{
	return ((struct evdev_priv *)d->priv)->fd;
}

static void
end_scan(struct drv *d, struct evdev_priv *s)
{
	struct drv_raw r;

	if (s->len == 0)
		return;
	if (s->bad) {
		drv_reject(d, "unmapped key in scan", s->buf, s->len);
	} else if ((long)s->len < s->minlen) {
		drv_reject(d, "too short", s->buf, s->len);
	} else {
		memset(&r, 0, sizeof r);
		r.p = s->buf;
		r.n = s->len;
		r.parse_aim = s->aim;
		r.strip = 1;
		r.t_mono_us = s->t_mono;
		r.dur_ms = (uint32_t)((s->t_last - s->t_first) / 1000);
		r.ikt_max_ms = s->ikt_max;
		r.ikt_ms = s->ikt;
		r.ikt_n = s->ikt_n;
		(void)drv_emit(d, &r);
	}
	reset_scan(s);
}

/* A non-modifier key went down at kernel time t (us). */
static void
key_down(struct drv *d, struct evdev_priv *s, unsigned code, uint64_t t)
{
	char out[8];
	unsigned mods = 0;
	size_t l;
	int dead = 0;

	if (s->len > 0 && t >= s->t_last &&
	    t - s->t_last > (uint64_t)s->gap_ms * 1000) {
		char why[64];

		snprintf(why, sizeof why, "gap %llu ms between keys",
			(unsigned long long)((t - s->t_last) / 1000));
		drv_reject(d, why, s->buf, s->len);
		reset_scan(s);
	}
	if (code == KEY_ENTER || code == KEY_KPENTER || code == KEY_TAB) {
		end_scan(d, s);
		return;
	}
	if (s->swallow_space) {
		s->swallow_space = 0;
		if (code == KEY_SPACE) {
			s->t_last = t;
			return;
		}
	}
	if (s->lshift || s->rshift)
		mods |= KEYMAP_SHIFT;
	if (s->altgr)
		mods |= KEYMAP_ALTGR;
	if (s->lctrl || s->rctrl)
		mods |= KEYMAP_CTRL;
	if (s->caps)
		mods |= KEYMAP_CAPS;
	l = keymap_char(s->km, code, mods, out, &dead);
	if (s->len == 0) {
		s->t_first = t;
		s->t_mono = tm_mono_us();
	} else {
		uint64_t g = t >= s->t_last ? (t - s->t_last) / 1000 : 0;

		if (s->ikt_n < IKT_KEEP)
			s->ikt[s->ikt_n++] = g > 65535 ? 65535 : (uint16_t)g;
		if (g > s->ikt_max)
			s->ikt_max = (uint32_t)g;
	}
	s->t_last = t;
	if (l == 0) {
		s->bad = 1;
		l = 1;
		out[0] = '?';
	}
	if (s->len + l > sizeof s->buf) {
		s->bad = 1;
		return;
	}
	memcpy(s->buf + s->len, out, l);
	s->len += l;
	s->swallow_space = dead;
}

static void
handle(struct drv *d, struct evdev_priv *s, const struct input_event *ev)
{
	uint64_t t = (uint64_t)ev->input_event_sec * 1000000ULL +
		(uint64_t)ev->input_event_usec;
	int down = ev->value == 1, up = ev->value == 0;

	if (ev->type == EV_SYN) {
		if (ev->code == SYN_DROPPED) {
			if (s->len > 0)
				drv_reject(d, "kernel dropped events",
					s->buf, s->len);
			reset_scan(s);
			s->dropping = 1;
		} else if (ev->code == SYN_REPORT) {
			s->dropping = 0;
		}
		return;
	}
	if (ev->type != EV_KEY || s->dropping || (!down && !up))
		return; /* value 2 = autorepeat: never from a scanner */
	switch (ev->code) {
	case KEY_LEFTSHIFT:
		s->lshift = down;
		return;
	case KEY_RIGHTSHIFT:
		s->rshift = down;
		return;
	case KEY_RIGHTALT:
		s->altgr = down;
		return;
	case KEY_LEFTCTRL:
		s->lctrl = down;
		return;
	case KEY_RIGHTCTRL:
		s->rctrl = down;
		return;
	case KEY_CAPSLOCK:
		if (down)
			s->caps = !s->caps;
		return;
	case KEY_LEFTALT:
	case KEY_NUMLOCK:
		return;
	default:
		break;
	}
	if (down)
		key_down(d, s, ev->code, t);
}

static int
evdev_read(struct drv *d, char **cause)
{
	struct evdev_priv *s = d->priv;
	uint8_t buf[64 * sizeof(struct input_event)];
	ssize_t got;
	size_t off = 0, rec = sizeof(struct input_event);

	memcpy(buf, s->part, s->npart);
	got = read(s->fd, buf + s->npart, sizeof buf - s->npart);
	if (got < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (got <= 0) {
		if (s->len > 0)
			drv_reject(d, "incomplete: device gone", s->buf,
				s->len);
		reset_scan(s);
		*cause = xasprintf("%s: %s", d->spec.path, got == 0 ?
			"end of input" : strerror(errno));
		return QUAN_EIO;
	}
	got += (ssize_t)s->npart;
	while (off + rec <= (size_t)got) {
		struct input_event ev;

		memcpy(&ev, buf + off, rec);
		handle(d, s, &ev);
		off += rec;
	}
	s->npart = (size_t)got - off;
	memcpy(s->part, buf + off, s->npart);
	return 0;
}

static void
evdev_close(struct drv *d)
{
	struct evdev_priv *s = d->priv;

	if (s->fd >= 0) {
		if (s->grabbed)
			(void)ioctl(s->fd, EVIOCGRAB, (void *)0);
		close(s->fd);
	}
	s->fd = -1;
	s->grabbed = 0;
}

const struct drv_ops drv_evdev_ops = {
	.kind = "evdev",
	.source = SCAN_SRC_EVDEV,
	.dedupe_ms = 500,
	.setup = evdev_setup,
	.open = evdev_open,
	.fd = evdev_fd,
	.read = evdev_read,
	.close = evdev_close,
};
