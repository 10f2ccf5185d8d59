/*
 * drv_stdin.c — `stdin`: one scan per line (LF or CR LF), the fallback a
 * keyboard wedge also gives and the way scripts feed quan. Lines longer
 * than the cap are refused whole. An AIM id at the start is parsed unless
 * aim=off.
 */
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drivers/drv.h"
#include "drivers/scan.h"
#include "util/err.h"
#include "util/tm.h"
#include "util/xmem.h"

#define LINE_MAX_BYTES (2 * EV_CODE_MAX)

struct stdin_priv {
	int fd;
	int aim;
	uint8_t line[LINE_MAX_BYTES];
	size_t len;
	int overflow;
	uint64_t t0;
};

static int
stdin_setup(struct drv *d, char **cause)
{
	static const char *const known[] = {"prefix", "suffix", "aim",
		"dedupe", NULL};
	struct stdin_priv *s;
	const char *aim;

	if (drv_opts_check(d, known, cause) != QUAN_OK)
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
	d->priv = s;
	return QUAN_OK;
}

static int
stdin_open(struct drv *d, char **cause)
{
	struct stdin_priv *s = d->priv;

	(void)cause;
	s->fd = STDIN_FILENO;
	s->len = 0;
	s->overflow = 0;
	return QUAN_OK;
}

static int
stdin_fd(struct drv *d)
{
	return ((struct stdin_priv *)d->priv)->fd;
}

static void
stdin_line(struct drv *d, struct stdin_priv *s)
{
	size_t n = s->len;

	if (n > 0 && s->line[n - 1] == '\r')
		n--;
	if (s->overflow)
		drv_reject(d, "line too long", s->line, n);
	else
		drv_emit_line(d, s->line, n, s->aim, s->t0, tm_mono_us());
	s->len = 0;
	s->overflow = 0;
}

static int
stdin_read(struct drv *d, char **cause)
{
	struct stdin_priv *s = d->priv;
	uint8_t buf[4096];
	ssize_t got;
	ssize_t i;

	got = read(s->fd, buf, sizeof buf);
	if (got < 0) {
		if (errno == EINTR || errno == EAGAIN)
			return 0;
		*cause = xasprintf("read: %s", strerror(errno));
		return QUAN_EIO;
	}
	if (got == 0) {
		if (s->len > 0)
			stdin_line(d, s);
		return 1;
	}
	for (i = 0; i < got; i++) {
		if (s->len == 0 && !s->overflow)
			s->t0 = tm_mono_us();
		if (buf[i] == '\n') {
			stdin_line(d, s);
			continue;
		}
		if (s->len < sizeof s->line)
			s->line[s->len++] = buf[i];
		else
			s->overflow = 1;
	}
	return 0;
}

static void
stdin_close(struct drv *d)
{
	((struct stdin_priv *)d->priv)->fd = -1;
}

const struct drv_ops drv_stdin_ops = {
	.kind = "stdin",
	.source = SCAN_SRC_STDIN,
	.finite = 1,
	.dedupe_ms = 500,
	.setup = stdin_setup,
	.open = stdin_open,
	.fd = stdin_fd,
	.read = stdin_read,
	.close = stdin_close,
};
