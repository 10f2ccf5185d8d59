/*
 * drv_serial.c — `serial:/dev/ttyX`: USB-CDC / UART scanners in raw termios.
 * Bytes are framed by the suffix (default: CR and/or LF), so scans split
 * across USB packets join again; an AIM id at the start ("]Q1") gives the
 * symbology. A hang-up (read 0 / EIO) is "device gone": the manager reopens
 * with backoff. A fragment without suffix is dropped after 1 s, or flushed
 * as a scan after idle=MS for scanners that send no suffix.
 */
#include <stdio.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "drivers/drv.h"
#include "drivers/scan.h"
#include "util/err.h"
#include "util/tm.h"
#include "util/xmem.h"

#define FRAME_MAX (2 * EV_CODE_MAX)
#define STALE_US 1000000ULL

struct serial_priv {
	int fd;
	speed_t speed;
	int aim;
	long idle_ms;
	char suffix[64];  /* "" = CR or LF */
	uint8_t buf[FRAME_MAX];
	size_t len;
	int overflow;
	uint64_t t0, last;
};

static const struct {
	long baud;
	speed_t sp;
} bauds[] = {
	{1200, B1200}, {2400, B2400}, {4800, B4800}, {9600, B9600},
	{19200, B19200}, {38400, B38400}, {57600, B57600},
	{115200, B115200}, {230400, B230400},
};

static int
serial_setup(struct drv *d, char **cause)
{
	static const char *const known[] = {"baud", "prefix", "suffix", "idle",
		"aim", "dedupe", NULL};
	struct serial_priv *s;
	const char *aim, *suf;
	long baud, idle;
	size_t i;

	if (drv_opts_check(d, known, cause) != QUAN_OK ||
	    drv_opt_int(d, "baud", 9600, 50, 4000000, &baud, cause) !=
	    QUAN_OK ||
	    drv_opt_int(d, "idle", 0, 0, 10000, &idle, cause) != QUAN_OK)
		return QUAN_EINVAL;
	aim = drv_opt(d, "aim");
	if (aim != NULL && strcmp(aim, "auto") != 0 &&
	    strcmp(aim, "off") != 0) {
		*cause = xasprintf("source '%s': aim=auto|off", d->spec.name);
		return QUAN_EINVAL;
	}
	s = xcalloc(1, sizeof *s);
	s->fd = -1;
	s->aim = aim == NULL || strcmp(aim, "auto") == 0;
	s->idle_ms = idle;
	for (i = 0; i < sizeof bauds / sizeof bauds[0]; i++)
		if (bauds[i].baud == baud)
			s->speed = bauds[i].sp;
	if (s->speed == 0) {
		free(s);
		*cause = xasprintf("source '%s': unsupported baud %ld",
			d->spec.name, baud);
		return QUAN_EINVAL;
	}
	suf = drv_opt(d, "suffix");
	if (suf != NULL)
		snprintf(s->suffix, sizeof s->suffix, "%s", suf);
	d->priv = s;
	return QUAN_OK;
}

static int
serial_open(struct drv *d, char **cause)
{
	struct serial_priv *s = d->priv;
	struct termios t;
	int fd;

	fd = open(d->spec.path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		*cause = xasprintf("open %s: %s", d->spec.path,
			strerror(errno));
		return QUAN_EIO;
	}
	if (tcgetattr(fd, &t) != 0) {
		*cause = xasprintf("%s: not a terminal: %s", d->spec.path,
			strerror(errno));
		close(fd);
		return QUAN_EIO;
	}
	cfmakeraw(&t);
	t.c_cflag |= CLOCAL | CREAD;
	t.c_cflag &= ~(tcflag_t)CRTSCTS;
	t.c_iflag &= ~(tcflag_t)(IXON | IXOFF | IXANY);
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 0;
	cfsetispeed(&t, s->speed);
	cfsetospeed(&t, s->speed);
	if (tcsetattr(fd, TCSANOW, &t) != 0) {
		*cause = xasprintf("%s: termios: %s", d->spec.path,
			strerror(errno));
		close(fd);
		return QUAN_EIO;
	}
	tcflush(fd, TCIFLUSH);
	s->fd = fd;
	s->len = 0;
	s->overflow = 0;
	return QUAN_OK;
}

static int
serial_fd(struct drv *d)
{
	return ((struct serial_priv *)d->priv)->fd;
}

static void
frame_done(struct drv *d, struct serial_priv *s, size_t n)
{
	if (s->overflow)
		drv_reject(d, "frame too long", s->buf, n);
	else
		drv_emit_line(d, s->buf, n, s->aim, s->t0, s->last);
	s->len = 0;
	s->overflow = 0;
}

/* Append one byte; end the frame when the suffix completes. */
static void
serial_byte(struct drv *d, struct serial_priv *s, uint8_t c, uint64_t now)
{
	size_t sl = strlen(s->suffix);

	if (s->len == 0 && !s->overflow)
		s->t0 = now;
	s->last = now;
	if (sl == 0) {
		if (c == '\r' || c == '\n') {
			frame_done(d, s, s->len);
			return;
		}
	}
	if (s->len < sizeof s->buf) {
		s->buf[s->len++] = c;
	} else {
		s->overflow = 1;
		/* keep the tail so the suffix is still found */
		memmove(s->buf, s->buf + 1, sizeof s->buf - 1);
		s->buf[sizeof s->buf - 1] = c;
	}
	if (sl > 0 && s->len >= sl &&
	    memcmp(s->buf + s->len - sl, s->suffix, sl) == 0)
		frame_done(d, s, s->len - sl);
}

static int
serial_read(struct drv *d, char **cause)
{
	struct serial_priv *s = d->priv;
	uint8_t buf[512];
	ssize_t got, i;
	uint64_t now = tm_mono_us();

	got = read(s->fd, buf, sizeof buf);
	if (got < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (got <= 0) {
		if (s->len > 0)
			drv_reject(d, "incomplete at hang-up", s->buf, s->len);
		s->len = 0;
		*cause = xasprintf("%s: %s", d->spec.path, got == 0 ?
			"hang-up" : strerror(errno));
		return QUAN_EIO;
	}
	for (i = 0; i < got; i++)
		serial_byte(d, s, buf[i], now);
	return 0;
}

static void
serial_tick(struct drv *d, uint64_t now)
{
	struct serial_priv *s = d->priv;

	if (s->len == 0)
		return;
	if (s->idle_ms > 0 && now - s->last >= (uint64_t)s->idle_ms * 1000)
		frame_done(d, s, s->len);
	else if (s->idle_ms == 0 && now - s->last >= STALE_US) {
		drv_reject(d, "fragment without suffix", s->buf, s->len);
		s->len = 0;
		s->overflow = 0;
	}
}

static void
serial_close(struct drv *d)
{
	struct serial_priv *s = d->priv;

	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

const struct drv_ops drv_serial_ops = {
	.kind = "serial",
	.source = SCAN_SRC_SERIAL,
	.dedupe_ms = 500,
	.setup = serial_setup,
	.open = serial_open,
	.fd = serial_fd,
	.read = serial_read,
	.tick = serial_tick,
	.close = serial_close,
};
