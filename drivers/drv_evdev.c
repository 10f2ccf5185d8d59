/*
 * drv_evdev.c — `evdev:/dev/input/eventN`: a keyboard-wedge scanner read
 * from its own input device under an exclusive grab (EVIOCGRAB), so no
 * console, X, Wayland or input method sees or alters the keystrokes. Key
 * codes become characters with the configured layout (keymap.h), not the
 * system's. The same device may carry a person's typing (a scanner
 * between keyboard and PC): by kernel time, key by key, a press held
 * longer than hold=MS (40), autorepeated or still down at the end is the
 * person's and left out, with any Shift/AltGr/Ctrl they hold; a scan is
 * the scanner's presses up to the release of Enter or Tab, at a scanner's
 * rate (median gap <= rate=MS, 30). A gap longer than gap=MS (100) cuts a
 * burst: the keys so far are refused, and so is what follows within
 * 5 x gap (the tail of a stalled scan), never a plausible-looking code.
 * Caps Lock: the LED at open, toggled by the scanner's own presses.
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
#define KEV_MAX 1024

/* One key press since the burst began, modifiers and terminator too. */
struct kev {
	uint16_t code;
	uint8_t human;     /* decided: pressed by a person */
	uint64_t down, up; /* kernel time, us; up 0 while held */
	uint32_t sdown, sup; /* event order of press and release (a scanner
	                        sends a modifier and a key in one report:
	                        same time, order still tells) */
};

struct evdev_priv {
	int fd;
	int grabbed;
	const struct keymap *km;
	long gap_ms, minlen, hold_ms, rate_ms;
	int aim;
	char name[128];    /* EVIOCGNAME */
	/* input_event reassembly (pipes may split records) */
	uint8_t part[sizeof(struct input_event)];
	size_t npart;
	int dropping;      /* after SYN_DROPPED, until SYN_REPORT */
	int caps;          /* Caps Lock as the scanner sees it: the LED at
	                      open, toggled by the scanner's own presses */
	/* presses of the burst being typed, in order */
	struct kev k[KEV_MAX];
	size_t nk;
	int tail;          /* this burst follows a cut-off one: refuse */
	uint64_t tail_until;
	uint64_t t_mono;   /* monotonic time of the burst's first key */
	uint8_t buf[SCAN_BYTES];
	uint32_t seq;
};

static int
evdev_setup(struct drv *d, char **cause)
{
	static const char *const known[] = {"layout", "gap", "minlen",
		"prefix", "suffix", "aim", "dedupe", "hold", "rate", NULL};
	struct evdev_priv *s;
	const char *lay, *aim;
	long gap, minlen, hold, rate;

	if (drv_opts_check(d, known, cause) != QUAN_OK ||
	    drv_opt_int(d, "gap", 100, 5, 5000, &gap, cause) != QUAN_OK ||
	    drv_opt_int(d, "minlen", 3, 1, SCAN_MAX_LEN, &minlen, cause) !=
	    QUAN_OK ||
	    drv_opt_int(d, "hold", 40, 5, 1000, &hold, cause) != QUAN_OK ||
	    drv_opt_int(d, "rate", 30, 1, 1000, &rate, cause) != QUAN_OK)
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
	s->hold_ms = hold;
	s->rate_ms = rate;
	s->aim = aim == NULL || strcmp(aim, "auto") == 0;
	d->priv = s;
	return QUAN_OK;
}

static void
reset_burst(struct evdev_priv *s)
{
	s->nk = 0;
	s->tail = 0;
}

static int
evdev_open(struct drv *d, char **cause)
{
	struct evdev_priv *s = d->priv;
	int fd, clk = CLOCK_MONOTONIC;
	uint8_t led[(LED_CNT + 7) / 8];

	fd = open(d->spec.path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		*cause = xasprintf("open %s: %s", d->spec.path,
			strerror(errno));
		return QUAN_EIO;
	}
	s->grabbed = 0;
	s->caps = 0;
	if (ioctl(fd, EVIOCGRAB, (void *)1) == 0) {
		s->grabbed = 1;
		(void)ioctl(fd, EVIOCSCLOCKID, &clk);
		memset(s->name, 0, sizeof s->name);
		if (ioctl(fd, EVIOCGNAME(sizeof s->name - 1), s->name) < 0)
			s->name[0] = '\0';
		memset(led, 0, sizeof led);
		if (ioctl(fd, EVIOCGLED(sizeof led), led) >= 0)
			s->caps = (led[LED_CAPSL / 8] >> (LED_CAPSL % 8)) & 1;
		log_info("%s: grabbed '%s'%s", d->spec.path, s->name,
			s->caps ? " (Caps Lock on)" : "");
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
	s->dropping = 0;
	s->tail_until = 0;
	reset_burst(s);
	return QUAN_OK;
}

static int
evdev_fd(struct drv *d)
{
	return ((struct evdev_priv *)d->priv)->fd;
}

static int
is_modifier(unsigned code)
{
	return code == KEY_LEFTSHIFT || code == KEY_RIGHTSHIFT ||
		code == KEY_RIGHTALT || code == KEY_LEFTCTRL ||
		code == KEY_RIGHTCTRL || code == KEY_CAPSLOCK ||
		code == KEY_LEFTALT || code == KEY_NUMLOCK;
}

static int
is_terminator(unsigned code)
{
	return code == KEY_ENTER || code == KEY_KPENTER || code == KEY_TAB;
}

/*
 * A person's key, as of kernel time t: held longer than hold= (a scanner
 * releases each key within a few ms: it sends press and release reports
 * back to back), autorepeated, or still down at the time in question.
 */
static int
human_at(const struct evdev_priv *s, const struct kev *k, uint64_t t)
{
	uint64_t hold = (uint64_t)s->hold_ms * 1000;

	if (k->human)
		return 1;
	if (k->up != 0)
		return k->up - k->down > hold;
	return t > k->down && t - k->down > hold;
}

/* Report the characters typed by presses [0, n) that pass `want`
 * (1 = the person's, 0 = the scanner's) as one refusal. */
static void
reject_keys(struct drv *d, struct evdev_priv *s, size_t n, int want,
	uint64_t t, const char *why)
{
	uint8_t b[64];
	size_t i, l = 0;
	char out[8];

	for (i = 0; i < n; i++) {
		size_t c;

		if (is_modifier(s->k[i].code) || is_terminator(s->k[i].code) ||
		    human_at(s, &s->k[i], t) != want)
			continue;
		c = keymap_char(s->km, s->k[i].code, 0, out, NULL);
		if (c == 0 || l + c > sizeof b)
			continue;
		memcpy(b + l, out, c);
		l += c;
	}
	if (l > 0)
		drv_reject(d, why, b, l);
}

/* 1 when a scanner press of modifier `code` was down when the key
 * pressed as event number seq went down. */
static int
mod_down(const struct evdev_priv *s, size_t n, unsigned code, uint32_t seq,
	uint64_t t_end)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s->k[i].code == code && s->k[i].up != 0 &&
		    !human_at(s, &s->k[i], t_end) && s->k[i].sdown < seq &&
		    s->k[i].sup > seq)
			return 1;
	return 0;
}

static int
cmp_u16(const void *a, const void *b)
{
	return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

/*
 * The terminator at index term was released at t: the scanner's presses
 * before it, the person's left out, become the scan (or a refusal), typed
 * with the modifiers the scanner itself held.
 */
static void
finish(struct drv *d, struct evdev_priv *s, size_t term, uint64_t t)
{
	uint16_t ikt[IKT_KEEP], sorted[IKT_KEEP];
	size_t i, len = 0, nikt = 0, nchar = 0;
	uint64_t first = 0, last = 0;
	uint32_t ikt_max = 0;
	int bad = 0, swallow = 0;
	struct drv_raw r;

	for (i = 0; i < term; i++) {
		struct kev *k = &s->k[i];
		unsigned mods = 0;
		char out[8];
		size_t l;
		int dead = 0;

		/* still down when the scanner has finished: a person's */
		if (k->up == 0 || human_at(s, k, t) ||
		    k->code == KEY_LEFTALT || k->code == KEY_NUMLOCK)
			continue;
		if (k->code == KEY_CAPSLOCK) {
			s->caps = !s->caps;
			continue;
		}
		if (is_modifier(k->code) || is_terminator(k->code))
			continue;
		if (swallow && k->code == KEY_SPACE) {
			swallow = 0;
			continue;
		}
		if (mod_down(s, term, KEY_LEFTSHIFT, k->sdown, t) ||
		    mod_down(s, term, KEY_RIGHTSHIFT, k->sdown, t))
			mods |= KEYMAP_SHIFT;
		if (mod_down(s, term, KEY_RIGHTALT, k->sdown, t))
			mods |= KEYMAP_ALTGR;
		if (mod_down(s, term, KEY_LEFTCTRL, k->sdown, t) ||
		    mod_down(s, term, KEY_RIGHTCTRL, k->sdown, t))
			mods |= KEYMAP_CTRL;
		if (s->caps)
			mods |= KEYMAP_CAPS;
		l = keymap_char(s->km, k->code, mods, out, &dead);
		swallow = dead;
		if (nchar++ == 0) {
			first = k->down;
		} else {
			uint64_t g = (k->down - last) / 1000;

			if (nikt < IKT_KEEP)
				ikt[nikt++] = g > 65535 ? 65535 : (uint16_t)g;
			if (g > ikt_max)
				ikt_max = (uint32_t)g;
		}
		last = k->down;
		if (l == 0) {
			bad = 1;
			l = 1;
			out[0] = '?';
		}
		if (len + l > sizeof s->buf) {
			bad = 1;
			break;
		}
		memcpy(s->buf + len, out, l);
		len += l;
	}
	reject_keys(d, s, term, 1, t, "typed by a person");
	memcpy(sorted, ikt, nikt * sizeof ikt[0]);
	qsort(sorted, nikt, sizeof sorted[0], cmp_u16);
	if (len == 0) {
		;
	} else if (s->tail) {
		drv_reject(d, "tail of a scan cut off by a gap", s->buf, len);
	} else if (bad) {
		drv_reject(d, "unmapped key in scan", s->buf, len);
	} else if ((long)len < s->minlen) {
		drv_reject(d, "too short", s->buf, len);
	} else if (nikt > 0 && sorted[nikt / 2] > s->rate_ms) {
		drv_reject(d, "typed, not scanned (slow keys)", s->buf, len);
	} else {
		memset(&r, 0, sizeof r);
		r.p = s->buf;
		r.n = len;
		r.parse_aim = s->aim;
		r.strip = 1;
		r.t_mono_us = s->t_mono;
		r.dur_ms = (uint32_t)((last - first) / 1000);
		r.ikt_max_ms = ikt_max;
		r.ikt_ms = ikt;
		r.ikt_n = nikt;
		(void)drv_emit(d, &r);
	}
	/* what came after the terminator starts the next burst */
	memmove(s->k, s->k + term + 1, (s->nk - term - 1) * sizeof s->k[0]);
	s->nk -= term + 1;
	s->tail = 0;
	s->t_mono = tm_mono_us();
}

/*
 * A key went down at t after more than gap= since the last press that
 * may be the scanner's: the burst so far ended without a terminator. A
 * scanner's partial burst is refused, and what follows soon after is its
 * tail (a USB stall), refused too — a scan is never split into two.
 */
static void
burst_cut(struct drv *d, struct evdev_priv *s, uint64_t t)
{
	uint64_t last = 0;
	size_t i;
	int scanner = 0;
	char why[64];

	for (i = 0; i < s->nk; i++)
		if (!human_at(s, &s->k[i], t) && !is_modifier(s->k[i].code)) {
			scanner = 1;
			last = s->k[i].down;
		}
	reject_keys(d, s, s->nk, 1, t, "typed by a person");
	if (scanner) {
		snprintf(why, sizeof why, "gap %llu ms between keys",
			(unsigned long long)((t - last) / 1000));
		reject_keys(d, s, s->nk, 0, t, why);
		s->tail_until = last + (uint64_t)s->gap_ms * 5000;
	}
	reset_burst(s);
}

static void
key_event(struct drv *d, struct evdev_priv *s, unsigned code, int value,
	uint64_t t)
{
	size_t i;
	uint64_t latest = 0;
	int any = 0;

	if (value == 2) { /* autorepeat: a key held down by a person */
		for (i = s->nk; i-- > 0;)
			if (s->k[i].code == code && s->k[i].up == 0) {
				s->k[i].human = 1;
				break;
			}
		return;
	}
	if (value == 0) {
		for (i = s->nk; i-- > 0;)
			if (s->k[i].code == code && s->k[i].up == 0)
				break;
		if (i == (size_t)-1)
			return; /* pressed before we were watching */
		s->k[i].up = t > s->k[i].down ? t : s->k[i].down;
		s->k[i].sup = ++s->seq;
		if (is_terminator(code) && !human_at(s, &s->k[i], t))
			finish(d, s, i, t);
		return;
	}
	/* a press: first, has the burst so far been cut off? */
	for (i = 0; i < s->nk; i++)
		if (!human_at(s, &s->k[i], t)) {
			any = 1;
			if (s->k[i].down > latest)
				latest = s->k[i].down;
		}
	if (s->nk > 0 && (!any ||
	    t - latest > (uint64_t)s->gap_ms * 1000))
		burst_cut(d, s, t);
	if (s->nk == 0) {
		s->t_mono = tm_mono_us();
		if (t < s->tail_until)
			s->tail = 1;
	}
	if (s->nk == KEV_MAX) {
		reject_keys(d, s, s->nk, 0, t, "too long");
		reset_burst(s);
		s->tail = 1;
	}
	s->k[s->nk].code = (uint16_t)code;
	s->k[s->nk].human = 0;
	s->k[s->nk].down = t;
	s->k[s->nk].up = 0;
	s->k[s->nk].sdown = ++s->seq;
	s->k[s->nk].sup = 0;
	s->nk++;
}

static void
handle(struct drv *d, struct evdev_priv *s, const struct input_event *ev)
{
	uint64_t t = (uint64_t)ev->input_event_sec * 1000000ULL +
		(uint64_t)ev->input_event_usec;

	if (ev->type == EV_SYN) {
		if (ev->code == SYN_DROPPED) {
			reject_keys(d, s, s->nk, 0, t, "kernel dropped events");
			reset_burst(s);
			s->dropping = 1;
		} else if (ev->code == SYN_REPORT) {
			s->dropping = 0;
		}
		return;
	}
	if (ev->type != EV_KEY || s->dropping || ev->value < 0 ||
	    ev->value > 2)
		return;
	key_event(d, s, ev->code, ev->value, t);
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
		reject_keys(d, s, s->nk, 0, UINT64_MAX,
			"incomplete: device gone");
		reset_burst(s);
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
