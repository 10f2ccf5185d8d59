/*
 * fake.h — the fake devices of the driver tests: a V4L2 camera and an
 * evdev keyboard-wedge scanner, served by libquanfake.so from inside the
 * process. The library interposes open/openat/close/ioctl/read/poll/
 * select/mmap/munmap (and libv4l2's v4l2_* calls, which ZBar uses) for the
 * two device paths only; every other file goes to libc untouched. It works
 * linked into a test (the test then drives it through these calls) or as
 * LD_PRELOAD under the real quan binary (configured from the environment:
 * FAKECAM, FAKECAM_FORMATS, FAKECAM_SIZES, FAKECAM_FPS, FAKECAM_PLAYLIST;
 * FAKEKBD, FAKEKBD_EVENTS). The driver code under test is unchanged: this
 * machine has no /dev/video* and no /dev/uinput, so this is the device.
 * All calls are thread-safe.
 */
#ifndef QUAN_FAKE_H
#define QUAN_FAKE_H

#include <stddef.h>
#include <stdint.h>

/* ---- camera ---- */

struct fakecam_stats {
	unsigned opens;          /* successful open() of the device path */
	unsigned open_fails;     /* open() while unplugged (ENOENT) */
	uint64_t open_try_us[32];/* monotonic time of every open attempt */
	unsigned open_tries;
	unsigned fds_open;       /* descriptors still open */
	unsigned mapped;         /* buffer mappings still in place */
	unsigned streamons;
	uint32_t fourcc;         /* negotiated format and size */
	uint32_t width, height;
	uint64_t frames;         /* frames handed out (DQBUF), all opens */
	unsigned enodev;         /* calls refused with ENODEV */
};

/* Serve a camera at path (e.g. "/dev/video0"): formats YUYV and MJPG,
 * 640x480 and 1280x720, 30 frames/s, an empty grey scene. Resets
 * everything, statistics included. */
void fakecam_reset(const char *path);
/* Offered pixel formats in ENUM_FMT order: "YUYV,MJPG,GREY" (any of
 * those three). 0, or -1 for an unknown name. */
int fakecam_formats(const char *csv);
/* Offered frame sizes: "640x480,1280x720". 0 or -1. */
int fakecam_sizes(const char *csv);
/* Time between frames (0: as fast as they are asked for). */
void fakecam_interval_us(uint32_t us);
/* Append a scene shown for `count` frames (0: for ever, ends the list):
 * a w x h luma image, copied, centred in each frame on grey. Frames count
 * from the first frame ever delivered, across reopens: the scene in front
 * of the lens goes on while the camera is unplugged. */
void fakecam_scene(const uint8_t *px, int w, int h, unsigned count);
/* Load a binary PGM (P5) as a scene. 0, or -1 when it cannot be read. */
int fakecam_scene_file(const char *pgm, unsigned count);
/* The device vanishes (open descriptors answer ENODEV, poll POLLERR,
 * open ENOENT) / comes back (new opens work). */
void fakecam_unplug(void);
void fakecam_replug(void);
void fakecam_get_stats(struct fakecam_stats *st);

/* ---- keyboard-wedge scanner (evdev) ---- */

struct fakekbd_stats {
	unsigned opens, open_fails;
	unsigned grabs;          /* successful EVIOCGRAB 1 */
	unsigned grab_busy;      /* EVIOCGRAB refused: grabbed elsewhere */
	int grabbed;             /* grabbed now */
	unsigned fds_open;
	uint64_t events_read;
	unsigned names_asked;    /* EVIOCGNAME */
};

/* Serve an evdev keyboard at path with this name (EVIOCGNAME). Resets. */
void fakekbd_reset(const char *path, const char *name);
/* Caps Lock LED state reported by EVIOCGLED. */
void fakekbd_led_caps(int on);
/* Queue one event with kernel time t_us; readable at once. */
void fakekbd_event(unsigned type, unsigned code, int value, uint64_t t_us);
/* 1 when every queued event has been read. */
int fakekbd_drained(void);
void fakekbd_unplug(void);
void fakekbd_replug(void);
void fakekbd_get_stats(struct fakekbd_stats *st);

#endif
