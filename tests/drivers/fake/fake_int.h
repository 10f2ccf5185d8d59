/* fake_int.h — inside libquanfake: the device table behind the
 * interposed calls (fake_sys.c) and the two devices (fake_v4l2.c,
 * fake_evdev.c). */
#ifndef QUAN_FAKE_INT_H
#define QUAN_FAKE_INT_H

#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define FAKE_FD_MAX 4096

struct fake_dev {
	const char *name;
	/* 1 when path is this device and it is enabled */
	int (*match)(const char *path);
	/* a new descriptor fd: 0 or -errno (ENOENT while unplugged) */
	int (*open)(int fd, int flags);
	void (*close)(int fd);
	/* >= 0 or -errno */
	int (*ioctl)(int fd, unsigned long req, void *arg);
	ssize_t (*read)(int fd, void *buf, size_t n);
	/* poll events ready now; *next_us (monotonic) set when they may
	 * appear by themselves later (0: not by time) */
	short (*revents)(int fd, short events, uint64_t *next_us);
	void *(*mmap)(void *addr, size_t len, int prot, int flags, int fd,
		off_t off);
	/* 1 when [addr, addr + len) was mapped by mmap above: unmapped */
	int (*munmap)(void *addr, size_t len);
};

extern const struct fake_dev fake_v4l2_dev;
extern const struct fake_dev fake_evdev_dev;

/* one lock for all fake state; the condition wakes blocked readers */
extern pthread_mutex_t fake_mu;
extern pthread_cond_t fake_cv;

uint64_t fake_now_us(void);
/* wait on fake_cv (fake_mu held) until abs monotonic us, or a signal */
void fake_wait_until(uint64_t t_us);
/* the real libc calls */
void *fake_real_mmap(void *addr, size_t len, int prot, int flags, int fd,
	off_t off);
int fake_real_munmap(void *addr, size_t len);
int fake_real_close(int fd);

/* libv4l2's entry points (libv4l2.h), answered by fake_sys.c */
int v4l2_open(const char *path, int flags, ...);
int v4l2_close(int fd);
int v4l2_ioctl(int fd, unsigned long req, ...);
void *v4l2_mmap(void *addr, size_t len, int prot, int flags, int fd,
	int64_t off);
int v4l2_munmap(void *addr, size_t len);

#endif
