/*
 * fake_evdev.c — a keyboard-wedge barcode scanner as the kernel's evdev
 * shows it (fake.h): EVIOCGVERSION, EVIOCGID, EVIOCGNAME, EVIOCGPHYS,
 * EVIOCGBIT, EVIOCGLED, EVIOCGKEY, EVIOCSCLOCKID, EVIOCGRAB (a second grab
 * is EBUSY, as in the kernel), and struct input_event records read in
 * whole records only, with the kernel time the test gave them. While
 * grabbed, only the grabbing descriptor receives events. Unplugged: read
 * and ioctl fail with ENODEV, poll reports POLLERR | POLLHUP, open ENOENT.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/input.h>

#include "fake.h"
#include "fake_int.h"

#define QCAP 65536

static struct kbd {
	int enabled;
	char path[128];
	char name[64];
	int present;
	unsigned gen;
	int caps_led;
	int grab_fd;
	struct input_event *q;   /* ring */
	size_t head, n;
	unsigned fd_gen[FAKE_FD_MAX];
	struct fakekbd_stats st;
} kbd = {.grab_fd = -1};

void
fakekbd_reset(const char *path, const char *name)
{
	pthread_mutex_lock(&fake_mu);
	if (kbd.q == NULL)
		kbd.q = calloc(QCAP, sizeof *kbd.q);
	kbd.head = kbd.n = 0;
	snprintf(kbd.path, sizeof kbd.path, "%s", path);
	snprintf(kbd.name, sizeof kbd.name, "%s", name);
	kbd.enabled = 1;
	kbd.present = 1;
	kbd.caps_led = 0;
	kbd.grab_fd = -1;
	memset(&kbd.st, 0, sizeof kbd.st);
	pthread_mutex_unlock(&fake_mu);
}

void
fakekbd_led_caps(int on)
{
	pthread_mutex_lock(&fake_mu);
	kbd.caps_led = on;
	pthread_mutex_unlock(&fake_mu);
}

void
fakekbd_event(unsigned type, unsigned code, int value, uint64_t t_us)
{
	struct input_event *e;

	pthread_mutex_lock(&fake_mu);
	if (kbd.q != NULL && kbd.n < QCAP) {
		e = &kbd.q[(kbd.head + kbd.n++) % QCAP];
		memset(e, 0, sizeof *e);
		e->input_event_sec = (long)(t_us / 1000000);
		e->input_event_usec = (long)(t_us % 1000000);
		e->type = (uint16_t)type;
		e->code = (uint16_t)code;
		e->value = value;
		pthread_cond_broadcast(&fake_cv);
	}
	pthread_mutex_unlock(&fake_mu);
}

int
fakekbd_drained(void)
{
	int d;

	pthread_mutex_lock(&fake_mu);
	d = kbd.n == 0;
	pthread_mutex_unlock(&fake_mu);
	return d;
}

void
fakekbd_unplug(void)
{
	pthread_mutex_lock(&fake_mu);
	kbd.present = 0;
	kbd.gen++;
	kbd.grab_fd = -1;
	kbd.head = kbd.n = 0; /* what was not read is lost with the device */
	pthread_cond_broadcast(&fake_cv);
	pthread_mutex_unlock(&fake_mu);
}

void
fakekbd_replug(void)
{
	pthread_mutex_lock(&fake_mu);
	kbd.present = 1;
	pthread_mutex_unlock(&fake_mu);
}

void
fakekbd_get_stats(struct fakekbd_stats *st)
{
	pthread_mutex_lock(&fake_mu);
	*st = kbd.st;
	st->grabbed = kbd.grab_fd >= 0;
	pthread_mutex_unlock(&fake_mu);
}

static void load_pending(void);

static int
kbd_match(const char *path)
{
	int m;

	load_pending();
	pthread_mutex_lock(&fake_mu);
	m = kbd.enabled && strcmp(path, kbd.path) == 0;
	pthread_mutex_unlock(&fake_mu);
	return m;
}

static int
kbd_open(int fd, int flags)
{
	int rc = 0;

	(void)flags;
	pthread_mutex_lock(&fake_mu);
	if (!kbd.present) {
		kbd.st.open_fails++;
		rc = -ENOENT;
	} else {
		kbd.fd_gen[fd] = kbd.gen;
		kbd.st.opens++;
		kbd.st.fds_open++;
	}
	pthread_mutex_unlock(&fake_mu);
	return rc;
}

static void
kbd_close(int fd)
{
	pthread_mutex_lock(&fake_mu);
	if (kbd.grab_fd == fd)
		kbd.grab_fd = -1; /* closing releases the grab */
	kbd.st.fds_open--;
	pthread_mutex_unlock(&fake_mu);
}

/* Copy a bit array of `bits` bits with the given bits set into arg. */
static int
bits(void *arg, size_t len, const unsigned *set, size_t nset, size_t nbits)
{
	size_t i, need = (nbits + 7) / 8, l = len < need ? len : need;
	uint8_t *b = arg;

	memset(b, 0, l);
	for (i = 0; i < nset; i++)
		if (set[i] / 8 < l)
			b[set[i] / 8] |= (uint8_t)(1u << (set[i] % 8));
	return (int)l;
}

static int
kbd_ioctl_locked(int fd, unsigned long req, void *arg)
{
	size_t len = _IOC_SIZE(req);

	if (kbd.fd_gen[fd] != kbd.gen)
		return -ENODEV;
	switch (req) {
	case EVIOCGVERSION:
		*(int *)arg = EV_VERSION;
		return 0;
	case EVIOCGID: {
		struct input_id *id = arg;

		id->bustype = BUS_USB;
		id->vendor = 0x0c2e;  /* a common scanner maker's id */
		id->product = 0x0b61;
		id->version = 0x0100;
		return 0;
	}
	case EVIOCSCLOCKID:
		return 0;
	case EVIOCGRAB:
		if (arg != NULL) {
			if (kbd.grab_fd >= 0)
				return kbd.grab_fd == fd ? -EBUSY : (
					kbd.st.grab_busy++, -EBUSY);
			kbd.grab_fd = fd;
			kbd.st.grabs++;
		} else {
			if (kbd.grab_fd != fd)
				return -EINVAL;
			kbd.grab_fd = -1;
		}
		return 0;
	default:
		break;
	}
	if (_IOC_TYPE(req) != 'E' || _IOC_DIR(req) != _IOC_READ)
		return -ENOTTY;
	switch (_IOC_NR(req)) {
	case 0x06: /* EVIOCGNAME(len) */
		kbd.st.names_asked++;
		snprintf(arg, len, "%s", kbd.name);
		return (int)(strlen(kbd.name) + 1 < len ? strlen(kbd.name) + 1 :
			len);
	case 0x07: /* EVIOCGPHYS(len) */
		snprintf(arg, len, "usb-0000:00:14.0-2/input0");
		return (int)(len < 26 ? len : 26);
	case 0x18: { /* EVIOCGKEY(len): nothing held */
		return bits(arg, len, NULL, 0, KEY_CNT);
	}
	case 0x19: { /* EVIOCGLED(len) */
		unsigned caps = LED_CAPSL;

		return bits(arg, len, &caps, kbd.caps_led ? 1 : 0, LED_CNT);
	}
	case 0x20: { /* EVIOCGBIT(0, len): event types */
		static const unsigned t[] = {EV_SYN, EV_KEY, EV_MSC, EV_LED,
			EV_REP};

		return bits(arg, len, t, sizeof t / sizeof t[0], EV_CNT);
	}
	case 0x20 + EV_KEY: { /* EVIOCGBIT(EV_KEY, len): a full keyboard */
		unsigned k[KEY_KPDOT + 1];
		size_t i;

		for (i = 0; i <= KEY_KPDOT; i++)
			k[i] = (unsigned)i;
		return bits(arg, len, k, KEY_KPDOT + 1, KEY_CNT);
	}
	default:
		return -ENOTTY;
	}
}

static int
kbd_ioctl(int fd, unsigned long req, void *arg)
{
	int rc;

	pthread_mutex_lock(&fake_mu);
	rc = kbd_ioctl_locked(fd, req, arg);
	pthread_mutex_unlock(&fake_mu);
	return rc;
}

/* events for fd now: none while another descriptor holds the grab */
static int
mine(int fd)
{
	return kbd.grab_fd < 0 || kbd.grab_fd == fd;
}

static ssize_t
kbd_read(int fd, void *buf, size_t n)
{
	size_t rec = sizeof(struct input_event), k = 0;
	int nb = (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0;
	ssize_t rc;

	if (n < rec)
		return -EINVAL;
	pthread_mutex_lock(&fake_mu);
	for (;;) {
		if (kbd.fd_gen[fd] != kbd.gen) {
			rc = -ENODEV;
			goto out;
		}
		if (kbd.n > 0 && mine(fd))
			break;
		if (nb) {
			rc = -EAGAIN;
			goto out;
		}
		fake_wait_until(fake_now_us() + 100000);
	}
	while (kbd.n > 0 && (k + 1) * rec <= n) {
		memcpy((uint8_t *)buf + k * rec, &kbd.q[kbd.head], rec);
		kbd.head = (kbd.head + 1) % QCAP;
		kbd.n--;
		k++;
	}
	kbd.st.events_read += k;
	rc = (ssize_t)(k * rec);
out:
	pthread_mutex_unlock(&fake_mu);
	return rc;
}

static short
kbd_revents(int fd, short events, uint64_t *next)
{
	short r = 0;

	(void)events;
	(void)next;
	pthread_mutex_lock(&fake_mu);
	if (kbd.fd_gen[fd] != kbd.gen)
		r = POLLERR | POLLHUP;
	else if (kbd.n > 0 && mine(fd))
		r = POLLIN | POLLRDNORM;
	pthread_mutex_unlock(&fake_mu);
	return r;
}

const struct fake_dev fake_evdev_dev = {
	.name = "evdev",
	.match = kbd_match,
	.open = kbd_open,
	.close = kbd_close,
	.ioctl = kbd_ioctl,
	.read = kbd_read,
	.revents = kbd_revents,
};

/* LD_PRELOAD: FAKEKBD=/dev/input/event0 and FAKEKBD_EVENTS=FILE of
 * "t_us type code value" lines, queued at the first open (file I/O in a
 * preloaded constructor can run before a sanitizer runtime is ready). */
static char *pending;

static void
load_pending(void)
{
	unsigned long long t;
	unsigned type, code;
	int value;
	char *ev;
	FILE *f;

	pthread_mutex_lock(&fake_mu);
	ev = pending;
	pending = NULL;
	pthread_mutex_unlock(&fake_mu);
	if (ev == NULL)
		return;
	if ((f = fopen(ev, "r")) != NULL) {
		while (fscanf(f, "%llu %u %u %d", &t, &type, &code,
		    &value) == 4)
			fakekbd_event(type, code, value, t);
		fclose(f);
	} else {
		fprintf(stderr, "fakekbd: cannot read %s\n", ev);
	}
	free(ev);
}

__attribute__((constructor)) static void
kbd_env(void)
{
	const char *p = getenv("FAKEKBD"), *ev = getenv("FAKEKBD_EVENTS");

	if (p == NULL || *p == '\0')
		return;
	fakekbd_reset(p, "quan fake barcode scanner");
	if (ev != NULL)
		pending = strdup(ev);
}
