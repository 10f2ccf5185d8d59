/*
 * fake_sys.c — the interposed system calls of libquanfake (fake.h): a
 * descriptor that was opened on a fake device path belongs to that device
 * and every call on it goes there; everything else goes to the next
 * definition (libc, or a sanitizer's interceptor in front of it). The
 * descriptor numbers are real (eventfd), so they never collide with the
 * process's own files. libv4l2's entry points are answered here too:
 * ZBar calls v4l2_open/v4l2_ioctl/v4l2_mmap, and libv4l2 would reach the
 * kernel by raw syscalls, past any interposition.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

#include "fake_int.h"

pthread_mutex_t fake_mu = PTHREAD_MUTEX_INITIALIZER;
pthread_cond_t fake_cv;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static const struct fake_dev *owner[FAKE_FD_MAX]; /* under fake_mu */

static int (*r_open)(const char *, int, ...);
static int (*r_openat)(int, const char *, int, ...);
static int (*r_close)(int);
static int (*r_ioctl)(int, unsigned long, ...);
static ssize_t (*r_read)(int, void *, size_t);
static int (*r_poll)(struct pollfd *, nfds_t, int);
static int (*r_select)(int, fd_set *, fd_set *, fd_set *, struct timeval *);
static void *(*r_mmap)(void *, size_t, int, int, int, off_t);
static int (*r_munmap)(void *, size_t);
/* libv4l2, for devices that are not ours (NULL when not loaded) */
static int (*r_v4l2_open)(const char *, int, ...);
static int (*r_v4l2_close)(int);
static int (*r_v4l2_ioctl)(int, unsigned long, ...);
static void *(*r_v4l2_mmap)(void *, size_t, int, int, int, int64_t);

static void
init(void)
{
	pthread_condattr_t ca;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&fake_cv, &ca);
	pthread_condattr_destroy(&ca);
	*(void **)&r_open = dlsym(RTLD_NEXT, "open");
	*(void **)&r_openat = dlsym(RTLD_NEXT, "openat");
	*(void **)&r_close = dlsym(RTLD_NEXT, "close");
	*(void **)&r_ioctl = dlsym(RTLD_NEXT, "ioctl");
	*(void **)&r_read = dlsym(RTLD_NEXT, "read");
	*(void **)&r_poll = dlsym(RTLD_NEXT, "poll");
	*(void **)&r_select = dlsym(RTLD_NEXT, "select");
	*(void **)&r_mmap = dlsym(RTLD_NEXT, "mmap");
	*(void **)&r_munmap = dlsym(RTLD_NEXT, "munmap");
	*(void **)&r_v4l2_open = dlsym(RTLD_NEXT, "v4l2_open");
	*(void **)&r_v4l2_close = dlsym(RTLD_NEXT, "v4l2_close");
	*(void **)&r_v4l2_ioctl = dlsym(RTLD_NEXT, "v4l2_ioctl");
	*(void **)&r_v4l2_mmap = dlsym(RTLD_NEXT, "v4l2_mmap");
}

#define INIT() pthread_once(&once, init)

/* before the devices' own constructors (which read the environment) */
__attribute__((constructor(101))) static void
early(void)
{
	INIT();
}

uint64_t
fake_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
}

void
fake_wait_until(uint64_t t_us)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(t_us / 1000000ULL);
	ts.tv_nsec = (long)(t_us % 1000000ULL) * 1000L;
	pthread_cond_timedwait(&fake_cv, &fake_mu, &ts);
}

void *
fake_real_mmap(void *addr, size_t len, int prot, int flags, int fd,
	off_t off)
{
	INIT();
	return r_mmap(addr, len, prot, flags, fd, off);
}

int
fake_real_munmap(void *addr, size_t len)
{
	INIT();
	return r_munmap(addr, len);
}

int
fake_real_close(int fd)
{
	INIT();
	return r_close(fd);
}

static const struct fake_dev *const devs[] = {
	&fake_v4l2_dev, &fake_evdev_dev,
};

static const struct fake_dev *
dev_of(int fd)
{
	const struct fake_dev *d;

	if (fd < 0 || fd >= FAKE_FD_MAX)
		return NULL;
	pthread_mutex_lock(&fake_mu);
	d = owner[fd];
	pthread_mutex_unlock(&fake_mu);
	return d;
}

static int
errout(int e)
{
	errno = e;
	return -1;
}

/* The fake open, or -2 when path is not a fake device. */
static int
fake_open(const char *path, int flags)
{
	size_t i;
	int fd, rc;

	if (path == NULL)
		return -2;
	for (i = 0; i < sizeof devs / sizeof devs[0]; i++) {
		if (!devs[i]->match(path))
			continue;
		fd = eventfd(0, EFD_CLOEXEC);
		if (fd < 0)
			return -1;
		if (fd >= FAKE_FD_MAX) {
			r_close(fd);
			return errout(EMFILE);
		}
		if ((rc = devs[i]->open(fd, flags)) < 0) {
			r_close(fd);
			return errout(-rc);
		}
		pthread_mutex_lock(&fake_mu);
		owner[fd] = devs[i];
		pthread_mutex_unlock(&fake_mu);
		return fd;
	}
	return -2;
}

/* the mode argument exists only with O_CREAT / O_TMPFILE */
#define MODE_ARG(flags, mode) do { \
	va_list ap_; \
	if ((flags) & (O_CREAT | O_TMPFILE)) { \
		va_start(ap_, flags); \
		(mode) = (mode_t)va_arg(ap_, int); \
		va_end(ap_); \
	} \
} while (0)

int
open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	int fd;

	INIT();
	if ((fd = fake_open(path, flags)) != -2)
		return fd;
	MODE_ARG(flags, mode);
	return r_open(path, flags, mode);
}

int open64(const char *path, int flags, ...) __attribute__((alias("open")));

int
openat(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;
	int fd;

	INIT();
	if ((fd = fake_open(path, flags)) != -2)
		return fd;
	MODE_ARG(flags, mode);
	return r_openat(dirfd, path, flags, mode);
}

int openat64(int dirfd, const char *path, int flags, ...)
	__attribute__((alias("openat")));

int
close(int fd)
{
	const struct fake_dev *d;

	INIT();
	if ((d = dev_of(fd)) == NULL)
		return r_close(fd);
	d->close(fd);
	pthread_mutex_lock(&fake_mu);
	owner[fd] = NULL;
	pthread_mutex_unlock(&fake_mu);
	return r_close(fd);
}

int
ioctl(int fd, unsigned long req, ...)
{
	const struct fake_dev *d;
	va_list ap;
	void *arg;
	int rc;

	INIT();
	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if ((d = dev_of(fd)) == NULL)
		return r_ioctl(fd, req, arg);
	rc = d->ioctl(fd, req, arg);
	return rc < 0 ? errout(-rc) : rc;
}

ssize_t
read(int fd, void *buf, size_t n)
{
	const struct fake_dev *d;
	ssize_t rc;

	INIT();
	if ((d = dev_of(fd)) == NULL)
		return r_read(fd, buf, n);
	rc = d->read(fd, buf, n);
	return rc < 0 ? errout((int)-rc) : rc;
}

void *
mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	const struct fake_dev *d;

	INIT();
	if ((flags & MAP_ANONYMOUS) || (d = dev_of(fd)) == NULL ||
	    d->mmap == NULL)
		return r_mmap(addr, len, prot, flags, fd, off);
	return d->mmap(addr, len, prot, flags, fd, off);
}

void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
	__attribute__((alias("mmap")));

int
munmap(void *addr, size_t len)
{
	size_t i;

	INIT();
	for (i = 0; i < sizeof devs / sizeof devs[0]; i++)
		if (devs[i]->munmap != NULL && devs[i]->munmap(addr, len))
			break;
	return r_munmap(addr, len);
}

/*
 * poll: fake descriptors are answered from their device state; the rest
 * by the real poll, in slices that end when a fake descriptor may become
 * ready by itself (the next camera frame) or its state changes.
 */
int
poll(struct pollfd *fds, nfds_t n, int timeout)
{
	struct pollfd stack[32], *cp;
	short fstack[32], *fr;
	uint64_t deadline, now;
	nfds_t i;
	int any = 0, total;

	INIT();
	for (i = 0; i < n; i++)
		if (dev_of(fds[i].fd) != NULL)
			any = 1;
	if (!any)
		return r_poll(fds, n, timeout);
	cp = n <= 32 ? stack : malloc(n * sizeof *cp);
	fr = n <= 32 ? fstack : malloc(n * sizeof *fr);
	if (cp == NULL || fr == NULL) {
		if (cp != stack)
			free(cp);
		if (fr != fstack)
			free(fr);
		return errout(ENOMEM);
	}
	now = fake_now_us();
	deadline = timeout < 0 ? UINT64_MAX : now + (uint64_t)timeout * 1000;
	for (;;) {
		uint64_t next = deadline, slice;
		int ready = 0, r;

		for (i = 0; i < n; i++) {
			const struct fake_dev *d = dev_of(fds[i].fd);
			uint64_t t = 0;

			cp[i] = fds[i];
			cp[i].revents = 0;
			fr[i] = 0;
			if (d == NULL)
				continue;
			cp[i].fd = -1; /* the real poll skips it */
			fr[i] = d->revents(fds[i].fd, fds[i].events, &t);
			if (fr[i] != 0)
				ready++;
			else if (t != 0 && t < next)
				next = t;
		}
		now = fake_now_us();
		slice = ready > 0 || next <= now ? 0 : next - now;
		/* state changes by a control call are seen within 20 ms */
		if (slice > 20000)
			slice = 20000;
		r = r_poll(cp, n, (int)((slice + 999) / 1000));
		if (r < 0) {
			int e = errno;

			if (cp != stack)
				free(cp);
			if (fr != fstack)
				free(fr);
			return errout(e);
		}
		total = 0;
		for (i = 0; i < n; i++) {
			fds[i].revents = cp[i].fd < 0 && fds[i].fd >= 0 ?
				fr[i] : cp[i].revents;
			if (fds[i].revents != 0)
				total++;
		}
		if (total > 0 || fake_now_us() >= deadline)
			break;
	}
	if (cp != stack)
		free(cp);
	if (fr != fstack)
		free(fr);
	return total;
}

/* select: the same, through poll. */
int
select(int nfds, fd_set *rd, fd_set *wr, fd_set *ex, struct timeval *tv)
{
	struct pollfd pf[64];
	int fd, np = 0, any = 0, r, timeout, k;

	INIT();
	for (fd = 0; fd < nfds && fd < FD_SETSIZE; fd++)
		if (((rd != NULL && FD_ISSET(fd, rd)) ||
		    (wr != NULL && FD_ISSET(fd, wr))) && dev_of(fd) != NULL)
			any = 1;
	if (!any)
		return r_select(nfds, rd, wr, ex, tv);
	for (fd = 0; fd < nfds && fd < FD_SETSIZE; fd++) {
		short ev = 0;

		if (rd != NULL && FD_ISSET(fd, rd))
			ev |= POLLIN;
		if (wr != NULL && FD_ISSET(fd, wr))
			ev |= POLLOUT;
		if (ev == 0)
			continue;
		if (np == 64)
			return errout(EINVAL);
		pf[np].fd = fd;
		pf[np].events = ev;
		pf[np++].revents = 0;
	}
	timeout = tv == NULL ? -1 : (int)(tv->tv_sec * 1000 +
		tv->tv_usec / 1000);
	if ((r = poll(pf, (nfds_t)np, timeout)) < 0)
		return r;
	if (rd != NULL)
		FD_ZERO(rd);
	if (wr != NULL)
		FD_ZERO(wr);
	if (ex != NULL)
		FD_ZERO(ex);
	r = 0;
	for (k = 0; k < np; k++) {
		if (rd != NULL && (pf[k].revents & (POLLIN | POLLERR |
		    POLLHUP))) {
			FD_SET(pf[k].fd, rd);
			r++;
		}
		if (wr != NULL && (pf[k].revents & POLLOUT)) {
			FD_SET(pf[k].fd, wr);
			r++;
		}
	}
	return r;
}

/* libv4l2 (ZBar's way to the camera): ours here, others to libv4l2 */
int
v4l2_open(const char *path, int flags, ...)
{
	int fd;

	INIT();
	if ((fd = fake_open(path, flags)) != -2 || r_v4l2_open == NULL)
		return fd == -2 ? open(path, flags) : fd;
	return r_v4l2_open(path, flags);
}

int
v4l2_close(int fd)
{
	INIT();
	if (dev_of(fd) != NULL || r_v4l2_close == NULL)
		return close(fd);
	return r_v4l2_close(fd);
}

int
v4l2_ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;

	INIT();
	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (dev_of(fd) != NULL || r_v4l2_ioctl == NULL)
		return ioctl(fd, req, arg);
	return r_v4l2_ioctl(fd, req, arg);
}

void *
v4l2_mmap(void *addr, size_t len, int prot, int flags, int fd, int64_t off)
{
	INIT();
	if (dev_of(fd) != NULL || r_v4l2_mmap == NULL)
		return mmap(addr, len, prot, flags, fd, (off_t)off);
	return r_v4l2_mmap(addr, len, prot, flags, fd, off);
}

int
v4l2_munmap(void *addr, size_t len)
{
	return munmap(addr, len);
}
