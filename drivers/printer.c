/*
 * printer.c — one print job on an ESC/POS printer without blocking the
 * till: non-blocking open/connect/write under one deadline, a DLE EOT
 * status question first (answered by most USB and network printers;
 * one-way links never answer, so no answer is not an error), and on
 * TCP a final wait until the printer's side has acknowledged every byte
 * (a printer that stopped reading is a timeout, not a silent loss).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "drivers/printer.h"
#include "util/err.h"
#include "util/xmem.h"

static const char *const err_names[] = {
	"ok", "config", "nodev", "refused", "timeout", "offline", "paper",
	"perm", "io" };

const char *
printer_err_name(enum printer_err e)
{
	return (unsigned)e < sizeof err_names / sizeof *err_names ?
	    err_names[e] : "io";
}

const char *
printer_err_text(enum printer_err e, enum receipt_lang lang)
{
	static const char *const zh[] = {
		"已打印", "打印机配置错误", "打印机未连接", "打印机拒绝连接",
		"打印机无响应", "打印机离线(盖子打开或故障)", "打印机缺纸",
		"无权访问打印机", "打印机通信错误" };
	static const char *const en[] = {
		"printed", "printer misconfigured", "printer not connected",
		"printer refused the connection", "printer not responding",
		"printer off line (cover open or fault)", "printer out of paper",
		"no permission on the printer", "printer I/O error" };

	if ((unsigned)e >= sizeof zh / sizeof *zh)
		e = PRINTER_E_IO;
	return lang == RECEIPT_EN ? en[e] : zh[e];
}

int
printer_spec_parse(const char *spec, struct printer_spec *out)
{
	const char *h, *p;
	size_t hl;

	memset(out, 0, sizeof *out);
	if (spec == NULL)
		return PRINTER_E_CONFIG;
	if (strncmp(spec, "file:", 5) == 0) {
		out->kind = PRINTER_FILE;
		if (spec[5] == '\0' || strlen(spec + 5) >= sizeof out->path)
			return PRINTER_E_CONFIG;
		snprintf(out->path, sizeof out->path, "%s", spec + 5);
		return 0;
	}
	if (strncmp(spec, "tcp:", 4) == 0) {
		out->kind = PRINTER_TCP;
		h = spec + 4;
		if (*h == '[') {            /* [v6]:port */
			p = strchr(h, ']');
			if (p == NULL)
				return PRINTER_E_CONFIG;
			hl = (size_t)(p - h - 1);
			h++;
			p++;
			if (*p != '\0' && *p != ':')
				return PRINTER_E_CONFIG;
		} else {
			p = strrchr(h, ':');
			hl = p ? (size_t)(p - h) : strlen(h);
		}
		if (hl == 0 || hl >= sizeof out->host)
			return PRINTER_E_CONFIG;
		memcpy(out->host, h, hl);
		if (p == NULL || *p == '\0') {
			snprintf(out->port, sizeof out->port, "9100");
		} else {
			char *end;
			long n = strtol(p + 1, &end, 10);

			if (p[1] == '\0' || *end != '\0' || n < 1 ||
			    n > 65535)
				return PRINTER_E_CONFIG;
			snprintf(out->port, sizeof out->port, "%ld", n);
		}
		return 0;
	}
	if (spec[0] == '/') {
		out->kind = PRINTER_DEV;
		if (strlen(spec) >= sizeof out->path)
			return PRINTER_E_CONFIG;
		snprintf(out->path, sizeof out->path, "%s", spec);
		return 0;
	}
	return PRINTER_E_CONFIG;
}

/* ---- the job ---------------------------------------------------------- */

enum phase {
	PH_CONNECT,     /* tcp: waiting for the connection */
	PH_ASK,         /* writing DLE EOT 1, DLE EOT 4 */
	PH_STATUS,      /* reading the two answers */
	PH_WRITE,       /* writing the receipt */
	PH_DRAIN,       /* tcp: waiting for the printer's ACKs */
	PH_DONE
};

static const char ask[] = "\x10\x04\x01\x10\x04\x04";

struct printer_job {
	enum phase ph;
	enum printer_kind kind;
	int fd, readable;
	char *data;
	size_t len, off;
	int64_t deadline, status_until;
	int status_ms;
	unsigned char st[2];
	int nst;
	enum printer_err err;
	int sys;
};

static void
finish(struct printer_job *j, enum printer_err e, int sys)
{
	j->err = e;
	j->sys = sys;
	j->ph = PH_DONE;
	if (j->fd >= 0)
		close(j->fd);
	j->fd = -1;
}

static enum printer_err
open_err(int e)
{
	switch (e) {
	case ENOENT: case ENODEV: case ENXIO: case ENOTDIR:
		return PRINTER_E_NODEV;
	case EACCES: case EPERM: case EROFS:
		return PRINTER_E_PERM;
	case ECONNREFUSED: case EHOSTUNREACH: case ENETUNREACH:
	case ECONNRESET: case EADDRNOTAVAIL:
		return PRINTER_E_REFUSED;
	case ETIMEDOUT:
		return PRINTER_E_TIMEOUT;
	default:
		return PRINTER_E_IO;
	}
}

static void
after_open(struct printer_job *j, int64_t now)
{
	if (j->readable && j->status_ms > 0) {
		j->ph = PH_ASK;
		j->off = 0;
		j->status_until = now + j->status_ms;
		if (j->status_until > j->deadline)
			j->status_until = j->deadline;
	} else {
		j->ph = PH_WRITE;
		j->off = 0;
	}
}

static void
start_tcp(struct printer_job *j, const struct printer_spec *s, int64_t now)
{
	struct addrinfo hints, *ai = NULL;
	int fd, r, small = 4096;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	/* an address, never a name: a DNS lookup would block the till */
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	if (getaddrinfo(s->host, s->port, &hints, &ai) != 0 || ai == NULL) {
		finish(j, PRINTER_E_CONFIG, 0);
		return;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd < 0) {
		freeaddrinfo(ai);
		finish(j, PRINTER_E_IO, errno);
		return;
	}
	/* a small send buffer: bytes in flight are bytes a dead printer
	 * could swallow without a word */
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
	j->fd = fd;
	j->readable = 1;
	r = connect(fd, ai->ai_addr, ai->ai_addrlen);
	freeaddrinfo(ai);
	if (r == 0) {
		after_open(j, now);
	} else if (errno == EINPROGRESS) {
		j->ph = PH_CONNECT;
	} else {
		finish(j, open_err(errno), errno);
	}
}

static void
start_path(struct printer_job *j, const struct printer_spec *s, int64_t now)
{
	int fd;

	if (s->kind == PRINTER_FILE) {
		fd = open(s->path, O_WRONLY | O_CREAT | O_APPEND | O_NONBLOCK |
		    O_CLOEXEC | O_NOCTTY, 0600);
	} else {
		/* read too when the device lets us: the status answers */
		fd = open(s->path, O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
		if (fd >= 0)
			j->readable = 1;
		else if (errno == EACCES || errno == EINVAL)
			fd = open(s->path, O_WRONLY | O_NONBLOCK | O_CLOEXEC |
			    O_NOCTTY);
	}
	if (fd < 0) {
		finish(j, open_err(errno), errno);
		return;
	}
	j->fd = fd;
	after_open(j, now);
}

struct printer_job *
printer_job_start(const struct printer_spec *spec, const char *data,
    size_t len, int64_t now_ms, int deadline_ms, int status_ms)
{
	struct printer_job *j = xcalloc(1, sizeof *j);

	j->fd = -1;
	j->kind = spec->kind;
	j->data = xmalloc(len ? len : 1);
	memcpy(j->data, data, len);
	j->len = len;
	j->deadline = now_ms + (deadline_ms > 0 ? deadline_ms : 1);
	j->status_ms = spec->kind == PRINTER_FILE ? 0 : status_ms;
	if (spec->kind == PRINTER_TCP)
		start_tcp(j, spec, now_ms);
	else
		start_path(j, spec, now_ms);
	return j;
}

int
printer_job_fd(const struct printer_job *j, short *events)
{
	*events = 0;
	switch (j->ph) {
	case PH_CONNECT: case PH_ASK: case PH_WRITE:
		*events = POLLOUT;
		return j->fd;
	case PH_STATUS:
		*events = POLLIN;
		return j->fd;
	case PH_DRAIN:
		return j->fd; /* no event tells: poll by time */
	case PH_DONE:
		break;
	}
	return -1;
}

int64_t
printer_job_deadline(const struct printer_job *j)
{
	if (j->ph == PH_STATUS && j->status_until < j->deadline)
		return j->status_until;
	return j->deadline;
}

/* Write from data[off..len); 1 when all written, 0 to wait, -1 failed. */
static int
put(struct printer_job *j, const char *data, size_t len)
{
	ssize_t n;
	int e;

	while (j->off < len) {
		if (j->kind == PRINTER_TCP)
			n = send(j->fd, data + j->off, len - j->off,
			    MSG_NOSIGNAL);
		else
			n = write(j->fd, data + j->off, len - j->off);
		if (n > 0) {
			j->off += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		e = n < 0 ? errno : EIO;
		/* a printer that hangs up or vanishes mid-receipt */
		finish(j, e == EPIPE || e == ECONNRESET ? PRINTER_E_OFFLINE :
		    e == ENODEV || e == ENXIO ? PRINTER_E_NODEV : PRINTER_E_IO,
		    e);
		return -1;
	}
	return 1;
}

/* A real-time status byte has bit 1 and bit 4 set, bits 0 and 7 clear. */
static int
status_byte(unsigned char b)
{
	return (b & 0x93) == 0x12;
}

static void
judge_status(struct printer_job *j, int64_t now)
{
	/* DLE EOT 4: bits 5-6 roll paper end; DLE EOT 1: bit 3 off line */
	if (j->nst >= 2 && status_byte(j->st[1]) && (j->st[1] & 0x60)) {
		finish(j, PRINTER_E_PAPER, 0);
		return;
	}
	if (j->nst >= 1 && status_byte(j->st[0]) && (j->st[0] & 0x08)) {
		finish(j, PRINTER_E_OFFLINE, 0);
		return;
	}
	(void)now;
	j->ph = PH_WRITE;
	j->off = 0;
}

int
printer_job_step(struct printer_job *j, int64_t now)
{
	int r, e;
	socklen_t el;

	if (j->ph == PH_DONE)
		return 0;
	switch (j->ph) {
	case PH_CONNECT:
		el = sizeof e;
		e = 0;
		if (getsockopt(j->fd, SOL_SOCKET, SO_ERROR, &e, &el) == 0 &&
		    e != 0) {
			finish(j, open_err(e), e);
			return 0;
		}
		{
			struct pollfd p = { j->fd, POLLOUT, 0 };

			if (poll(&p, 1, 0) == 1 && (p.revents & POLLOUT)) {
				after_open(j, now);
				return printer_job_step(j, now);
			}
		}
		break;
	case PH_ASK:
		r = put(j, ask, sizeof ask - 1);
		if (r < 0)
			return 0;
		if (r == 1) {
			j->ph = PH_STATUS;
			j->nst = 0;
		}
		break;
	case PH_STATUS:
		for (;;) {
			ssize_t n = read(j->fd, j->st + j->nst,
			    (size_t)(2 - j->nst));

			if (n > 0) {
				j->nst += (int)n;
				if (j->nst == 2)
					break;
				continue;
			}
			if (n == 0) { /* the printer hung up */
				finish(j, PRINTER_E_OFFLINE, 0);
				return 0;
			}
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK) {
				/* a write-only device: no status */
				j->nst = 0;
				now = j->status_until;
			}
			break;
		}
		if (j->nst == 2 || now >= j->status_until) {
			judge_status(j, now);
			if (j->ph == PH_DONE)
				return 0;
			return printer_job_step(j, now);
		}
		break;
	case PH_WRITE:
		r = put(j, j->data, j->len);
		if (r < 0)
			return 0;
		if (r == 1) {
			if (j->kind != PRINTER_TCP) {
				finish(j, PRINTER_OK, 0);
				return 0;
			}
			j->ph = PH_DRAIN;
			return printer_job_step(j, now);
		}
		break;
	case PH_DRAIN: {
		int q = 0;

		if (ioctl(j->fd, SIOCOUTQ, &q) != 0 || q == 0) {
			finish(j, PRINTER_OK, 0);
			return 0;
		}
		break;
	}
	case PH_DONE:
		return 0;
	}
	if (now >= j->deadline) {
		finish(j, PRINTER_E_TIMEOUT, 0);
		return 0;
	}
	return 1;
}

enum printer_err
printer_job_err(const struct printer_job *j)
{
	return j->err;
}

int
printer_job_errno(const struct printer_job *j)
{
	return j->sys;
}

void
printer_job_free(struct printer_job *j)
{
	if (j == NULL)
		return;
	if (j->fd >= 0)
		close(j->fd);
	free(j->data);
	free(j);
}

int
printer_keep(const char *path, const char *data, size_t len)
{
	char tmp[512];
	int fd, e;
	size_t off = 0;

	if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
		return QUAN_EINVAL;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return QUAN_EIO;
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail;
		off += (size_t)n;
	}
	if (fsync(fd) != 0)
		goto fail;
	close(fd);
	if (rename(tmp, path) != 0) {
		e = errno;
		unlink(tmp);
		errno = e;
		return QUAN_EIO;
	}
	return QUAN_OK;
fail:
	e = errno;
	close(fd);
	unlink(tmp);
	errno = e;
	return QUAN_EIO;
}

int
printer_load(const char *path, char **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b;
	size_t n;

	*data = NULL;
	*len = 0;
	if (f == NULL)
		return errno == ENOENT ? QUAN_ENOTFOUND : QUAN_EIO;
	b = xmalloc(RECEIPT_MAX_BYTES + 1);
	n = fread(b, 1, RECEIPT_MAX_BYTES + 1, f);
	if (ferror(f) || n == 0 || n > RECEIPT_MAX_BYTES) {
		int rc = n > RECEIPT_MAX_BYTES ? QUAN_ETOOBIG : QUAN_EIO;

		fclose(f);
		free(b);
		return rc;
	}
	fclose(f);
	*data = b;
	*len = n;
	return QUAN_OK;
}

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

enum printer_err
printer_print(const struct printer_spec *spec, const char *data,
    size_t len, int deadline_ms, int status_ms)
{
	int64_t now = mono_ms();
	struct printer_job *j = printer_job_start(spec, data, len, now,
	    deadline_ms, status_ms);
	enum printer_err e;

	while (printer_job_step(j, now)) {
		struct pollfd p;
		int64_t wait = printer_job_deadline(j) - now;

		p.fd = printer_job_fd(j, &p.events);
		p.revents = 0;
		if (p.events == 0 && wait > 10)
			wait = 10; /* draining: look again soon */
		if (wait < 0)
			wait = 0;
		poll(&p, p.events ? 1 : 0, (int)wait);
		now = mono_ms();
	}
	e = printer_job_err(j);
	printer_job_free(j);
	return e;
}
