/*
 * fake_v4l2.c — a cheap USB camera for the tests (fake.h): QUERYCAP,
 * ENUM_FMT / ENUM_FRAMESIZES / ENUM_FRAMEINTERVALS, G_FMT / S_FMT /
 * TRY_FMT (an unsupported format or size is replaced by a supported one,
 * as real drivers do), REQBUFS / QUERYBUF / QBUF / DQBUF with mmap'd
 * buffers only (USERPTR refused, as many UVC drivers do), STREAMON /
 * STREAMOFF, and frames at the configured interval in YUYV, GREY or
 * MJPEG (libjpeg) made from the scene images. Unplug makes every call on
 * an open descriptor fail with ENODEV and poll report POLLERR | POLLHUP.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <jpeglib.h>
#include <linux/videodev2.h>

#include "fake.h"
#include "fake_int.h"

#define NFMT 4
#define NSIZE 6
#define NSCENE 16
#define NBUF 8
#define NMAP 32

struct scene {
	uint8_t *px;
	int w, h;
	unsigned count; /* 0: for ever */
	/* the last frame made from it (format, size) */
	uint8_t *frame;
	size_t flen;
	uint32_t ffmt, fw, fh;
};

static struct cam {
	int enabled;
	char path[128];
	int present;
	unsigned gen;            /* bumped on unplug */
	uint32_t fmts[NFMT];
	int nfmt;
	uint32_t sizes[NSIZE][2];
	int nsize;
	uint32_t interval_us;
	struct scene sc[NSCENE];
	int nsc;
	/* negotiated */
	uint32_t fourcc, w, h;
	/* buffers (one owner descriptor at a time) */
	int owner_fd;
	unsigned owner_gen;
	int memfd;
	uint8_t *mem;
	size_t bufsz;
	unsigned nbuf;
	int queued[NBUF];        /* FIFO of queued indices */
	unsigned nq;
	int streaming;
	uint64_t next_due;
	uint32_t seq;
	void *maps[NMAP];
	size_t maplen[NMAP];
	unsigned fd_gen[FAKE_FD_MAX];
	struct fakecam_stats st;
} cam = {.owner_fd = -1, .memfd = -1};

static uint32_t
fourcc_of(const char *s, size_t l)
{
	if (l == 4 && memcmp(s, "YUYV", 4) == 0)
		return V4L2_PIX_FMT_YUYV;
	if (l == 4 && memcmp(s, "MJPG", 4) == 0)
		return V4L2_PIX_FMT_MJPEG;
	if (l == 4 && memcmp(s, "GREY", 4) == 0)
		return V4L2_PIX_FMT_GREY;
	return 0;
}

static void
free_scenes(void)
{
	int i;

	for (i = 0; i < cam.nsc; i++) {
		free(cam.sc[i].px);
		free(cam.sc[i].frame);
	}
	cam.nsc = 0;
}

static void
free_buffers(void)
{
	if (cam.mem != NULL)
		fake_real_munmap(cam.mem, cam.bufsz * cam.nbuf);
	if (cam.memfd >= 0)
		fake_real_close(cam.memfd);
	cam.mem = NULL;
	cam.memfd = -1;
	cam.nbuf = 0;
	cam.nq = 0;
	cam.streaming = 0;
	cam.owner_fd = -1;
}

void
fakecam_reset(const char *path)
{
	pthread_mutex_lock(&fake_mu);
	free_buffers();
	free_scenes();
	memset(cam.fd_gen, 0, sizeof cam.fd_gen);
	memset(&cam.st, 0, sizeof cam.st);
	memset(cam.maps, 0, sizeof cam.maps);
	snprintf(cam.path, sizeof cam.path, "%s", path);
	cam.enabled = 1;
	cam.present = 1;
	cam.fmts[0] = V4L2_PIX_FMT_YUYV;
	cam.fmts[1] = V4L2_PIX_FMT_MJPEG;
	cam.nfmt = 2;
	cam.sizes[0][0] = 640;
	cam.sizes[0][1] = 480;
	cam.sizes[1][0] = 1280;
	cam.sizes[1][1] = 720;
	cam.nsize = 2;
	cam.interval_us = 33333;
	cam.fourcc = cam.fmts[0];
	cam.w = 640;
	cam.h = 480;
	pthread_mutex_unlock(&fake_mu);
}

int
fakecam_formats(const char *csv)
{
	uint32_t f[NFMT];
	int n = 0;

	while (*csv != '\0') {
		size_t l = strcspn(csv, ",");

		if (n == NFMT || (f[n++] = fourcc_of(csv, l)) == 0)
			return -1;
		csv += l + (csv[l] == ',');
	}
	if (n == 0)
		return -1;
	pthread_mutex_lock(&fake_mu);
	memcpy(cam.fmts, f, sizeof f);
	cam.nfmt = n;
	cam.fourcc = f[0];
	pthread_mutex_unlock(&fake_mu);
	return 0;
}

int
fakecam_sizes(const char *csv)
{
	uint32_t s[NSIZE][2];
	int n = 0;
	unsigned w, h;

	while (*csv != '\0') {
		size_t l = strcspn(csv, ",");

		if (n == NSIZE || sscanf(csv, "%ux%u", &w, &h) != 2 || w < 16 ||
		    h < 16 || w > 4096 || h > 4096 || (w & 1))
			return -1;
		s[n][0] = w;
		s[n++][1] = h;
		csv += l + (csv[l] == ',');
	}
	if (n == 0)
		return -1;
	pthread_mutex_lock(&fake_mu);
	memcpy(cam.sizes, s, sizeof s);
	cam.nsize = n;
	cam.w = s[0][0];
	cam.h = s[0][1];
	pthread_mutex_unlock(&fake_mu);
	return 0;
}

void
fakecam_interval_us(uint32_t us)
{
	pthread_mutex_lock(&fake_mu);
	cam.interval_us = us;
	pthread_cond_broadcast(&fake_cv);
	pthread_mutex_unlock(&fake_mu);
}

void
fakecam_scene(const uint8_t *px, int w, int h, unsigned count)
{
	struct scene *s;

	pthread_mutex_lock(&fake_mu);
	if (cam.nsc < NSCENE && w > 0 && h > 0) {
		s = &cam.sc[cam.nsc++];
		memset(s, 0, sizeof *s);
		s->px = malloc((size_t)w * h);
		if (s->px != NULL)
			memcpy(s->px, px, (size_t)w * h);
		s->w = w;
		s->h = h;
		s->count = count;
	}
	pthread_mutex_unlock(&fake_mu);
}

int
fakecam_scene_file(const char *pgm, unsigned count)
{
	FILE *f = fopen(pgm, "rb");
	unsigned w, h, max;
	uint8_t *px;
	int ok;

	if (f == NULL)
		return -1;
	ok = fscanf(f, "P5 %u %u %u", &w, &h, &max) == 3 && max == 255 &&
		w > 0 && h > 0 && w <= 4096 && h <= 4096 && fgetc(f) != EOF;
	px = ok ? malloc((size_t)w * h) : NULL;
	ok = px != NULL && fread(px, 1, (size_t)w * h, f) == (size_t)w * h;
	fclose(f);
	if (ok)
		fakecam_scene(px, (int)w, (int)h, count);
	free(px);
	return ok ? 0 : -1;
}

void
fakecam_unplug(void)
{
	pthread_mutex_lock(&fake_mu);
	cam.present = 0;
	cam.gen++;
	cam.streaming = 0;
	pthread_cond_broadcast(&fake_cv);
	pthread_mutex_unlock(&fake_mu);
}

void
fakecam_replug(void)
{
	pthread_mutex_lock(&fake_mu);
	cam.present = 1;
	pthread_mutex_unlock(&fake_mu);
}

void
fakecam_get_stats(struct fakecam_stats *st)
{
	pthread_mutex_lock(&fake_mu);
	*st = cam.st;
	st->fourcc = cam.fourcc;
	st->width = cam.w;
	st->height = cam.h;
	pthread_mutex_unlock(&fake_mu);
}

/* ---- frames ---- */

/* The scene for frame number k. */
static struct scene *
scene_at(uint64_t k)
{
	int i;

	for (i = 0; i < cam.nsc; i++) {
		if (cam.sc[i].count == 0 || k < cam.sc[i].count)
			return &cam.sc[i];
		k -= cam.sc[i].count;
	}
	return cam.nsc > 0 ? &cam.sc[cam.nsc - 1] : NULL;
}

/* The scene centred on grey, w x h luma. */
static void
compose(const struct scene *s, uint8_t *y, uint32_t w, uint32_t h)
{
	int r, x0, y0, cw;

	memset(y, 140, (size_t)w * h);
	if (s == NULL || s->px == NULL)
		return;
	x0 = ((int)w - s->w) / 2;
	y0 = ((int)h - s->h) / 2;
	cw = s->w < (int)w ? s->w : (int)w;
	for (r = 0; r < s->h; r++) {
		int fy = y0 + r;

		if (fy < 0 || fy >= (int)h)
			continue;
		memcpy(y + (size_t)fy * w + (x0 > 0 ? x0 : 0),
			s->px + (size_t)r * s->w + (x0 < 0 ? -x0 : 0),
			(size_t)cw);
	}
}

static size_t
jpeg(const uint8_t *y, uint32_t w, uint32_t h, uint8_t **out)
{
	struct jpeg_compress_struct c;
	struct jpeg_error_mgr err;
	unsigned char *buf = NULL;
	unsigned long len = 0;
	uint8_t *row = malloc((size_t)w * 3);
	JSAMPROW rp = row;
	uint32_t i, x;

	c.err = jpeg_std_error(&err);
	jpeg_create_compress(&c);
	jpeg_mem_dest(&c, &buf, &len);
	c.image_width = w;
	c.image_height = h;
	c.input_components = 3;
	c.in_color_space = JCS_RGB;
	jpeg_set_defaults(&c);
	jpeg_set_quality(&c, 85, TRUE);
	jpeg_start_compress(&c, TRUE);
	for (i = 0; i < h; i++) {
		for (x = 0; x < w; x++)
			row[3 * x] = row[3 * x + 1] = row[3 * x + 2] =
				y[(size_t)i * w + x];
		jpeg_write_scanlines(&c, &rp, 1);
	}
	jpeg_finish_compress(&c);
	jpeg_destroy_compress(&c);
	free(row);
	*out = malloc(len);
	memcpy(*out, buf, len);
	free(buf);
	return len;
}

/* The frame bytes of scene s in the negotiated format (cached). */
static const uint8_t *
frame_of(struct scene *s, size_t *len)
{
	static struct scene blank;
	uint32_t w = cam.w, h = cam.h;
	uint8_t *y;
	size_t i, n = (size_t)w * h;

	if (s == NULL)
		s = &blank;
	if (s->frame != NULL && s->ffmt == cam.fourcc && s->fw == w &&
	    s->fh == h) {
		*len = s->flen;
		return s->frame;
	}
	free(s->frame);
	y = malloc(n);
	compose(s, y, w, h);
	if (cam.fourcc == V4L2_PIX_FMT_GREY) {
		s->frame = y;
		s->flen = n;
	} else if (cam.fourcc == V4L2_PIX_FMT_YUYV) {
		s->frame = malloc(2 * n);
		for (i = 0; i < n; i++) {
			s->frame[2 * i] = y[i];
			s->frame[2 * i + 1] = 128;
		}
		s->flen = 2 * n;
		free(y);
	} else {
		s->flen = jpeg(y, w, h, &s->frame);
		free(y);
	}
	s->ffmt = cam.fourcc;
	s->fw = w;
	s->fh = h;
	*len = s->flen;
	return s->frame;
}

static void load_pending(void);

/* ---- the device ---- */

static int
cam_match(const char *path)
{
	int m;

	load_pending();
	pthread_mutex_lock(&fake_mu);
	m = cam.enabled && strcmp(path, cam.path) == 0;
	pthread_mutex_unlock(&fake_mu);
	return m;
}

static int
cam_open(int fd, int flags)
{
	int rc = 0;

	(void)flags;
	pthread_mutex_lock(&fake_mu);
	if (cam.st.open_tries < 32)
		cam.st.open_try_us[cam.st.open_tries] = fake_now_us();
	cam.st.open_tries++;
	if (!cam.present) {
		cam.st.open_fails++;
		rc = -ENOENT;
	} else {
		cam.fd_gen[fd] = cam.gen;
		cam.st.opens++;
		cam.st.fds_open++;
	}
	pthread_mutex_unlock(&fake_mu);
	return rc;
}

static void
cam_close(int fd)
{
	pthread_mutex_lock(&fake_mu);
	if (cam.owner_fd == fd)
		free_buffers();
	cam.st.fds_open--;
	pthread_cond_broadcast(&fake_cv);
	pthread_mutex_unlock(&fake_mu);
}

static int
gone(int fd)
{
	if (cam.fd_gen[fd] == cam.gen)
		return 0;
	cam.st.enodev++;
	return 1;
}

static uint32_t
bpl(uint32_t f, uint32_t w)
{
	return f == V4L2_PIX_FMT_YUYV ? 2 * w : f == V4L2_PIX_FMT_GREY ? w : 0;
}

static uint32_t
sizeimage(uint32_t f, uint32_t w, uint32_t h)
{
	return f == V4L2_PIX_FMT_GREY ? w * h : 2 * w * h;
}

static void
fill_pix(struct v4l2_pix_format *p, uint32_t f, uint32_t w, uint32_t h)
{
	memset(p, 0, sizeof *p);
	p->width = w;
	p->height = h;
	p->pixelformat = f;
	p->field = V4L2_FIELD_NONE;
	p->bytesperline = bpl(f, w);
	p->sizeimage = sizeimage(f, w, h);
	p->colorspace = f == V4L2_PIX_FMT_MJPEG ? V4L2_COLORSPACE_JPEG :
		V4L2_COLORSPACE_SRGB;
}

/* S_FMT/TRY_FMT: the nearest offered size, the first format when the
 * one asked for is not offered. */
static void
adjust(struct v4l2_pix_format *p)
{
	uint32_t f = cam.fmts[0], w, h;
	int i, best = 0;
	long bd = -1;

	for (i = 0; i < cam.nfmt; i++)
		if (cam.fmts[i] == p->pixelformat)
			f = p->pixelformat;
	for (i = 0; i < cam.nsize; i++) {
		long dw = (long)cam.sizes[i][0] - (long)p->width;
		long dh = (long)cam.sizes[i][1] - (long)p->height;
		long d = dw * dw + dh * dh;

		if (bd < 0 || d < bd) {
			bd = d;
			best = i;
		}
	}
	w = cam.sizes[best][0];
	h = cam.sizes[best][1];
	fill_pix(p, f, w, h);
}

static int
reqbufs(int fd, struct v4l2_requestbuffers *rb)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), sz;
	unsigned n;

	if (rb->type != V4L2_BUF_TYPE_VIDEO_CAPTURE)
		return -EINVAL;
	if (rb->memory != V4L2_MEMORY_MMAP)
		return -EINVAL;
	if (cam.owner_fd >= 0 && cam.owner_fd != fd)
		return -EBUSY;
	if (rb->count == 0) {
		free_buffers();
		return 0;
	}
	if (cam.streaming)
		return -EBUSY;
	free_buffers();
	n = rb->count < 2 ? 2 : rb->count > NBUF ? NBUF : rb->count;
	sz = (sizeimage(cam.fourcc, cam.w, cam.h) + page - 1) / page * page;
	cam.memfd = memfd_create("fakecam", MFD_CLOEXEC);
	if (cam.memfd < 0 || ftruncate(cam.memfd, (off_t)(sz * n)) != 0)
		return -ENOMEM;
	cam.mem = fake_real_mmap(NULL, sz * n, PROT_READ | PROT_WRITE,
		MAP_SHARED, cam.memfd, 0);
	if (cam.mem == MAP_FAILED) {
		cam.mem = NULL;
		return -ENOMEM;
	}
	cam.bufsz = sz;
	cam.nbuf = n;
	cam.nq = 0;
	cam.owner_fd = fd;
	rb->count = n;
	rb->capabilities = V4L2_BUF_CAP_SUPPORTS_MMAP;
	return 0;
}

static int
is_queued(unsigned idx)
{
	unsigned i;

	for (i = 0; i < cam.nq; i++)
		if (cam.queued[i] == (int)idx)
			return 1;
	return 0;
}

static void
fill_buf(struct v4l2_buffer *b, unsigned idx)
{
	b->index = idx;
	b->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	b->memory = V4L2_MEMORY_MMAP;
	b->length = sizeimage(cam.fourcc, cam.w, cam.h);
	b->m.offset = (uint32_t)(idx * cam.bufsz);
	b->field = V4L2_FIELD_NONE;
	b->flags = V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC |
		(is_queued(idx) ? V4L2_BUF_FLAG_QUEUED : 0);
}

static int
dqbuf(int fd, struct v4l2_buffer *b, int nonblock)
{
	const uint8_t *src;
	size_t len;
	uint64_t now;
	unsigned idx;

	for (;;) {
		if (gone(fd))
			return -ENODEV;
		if (!cam.streaming || cam.owner_fd != fd)
			return -EINVAL;
		if (cam.nq == 0)
			return -EINVAL; /* vb2: nothing queued, will not wait */
		now = fake_now_us();
		if (now >= cam.next_due)
			break;
		if (nonblock)
			return -EAGAIN;
		fake_wait_until(cam.next_due);
	}
	idx = (unsigned)cam.queued[0];
	memmove(cam.queued, cam.queued + 1, --cam.nq * sizeof cam.queued[0]);
	src = frame_of(scene_at(cam.st.frames), &len);
	if (len > sizeimage(cam.fourcc, cam.w, cam.h))
		len = sizeimage(cam.fourcc, cam.w, cam.h);
	memcpy(cam.mem + (size_t)idx * cam.bufsz, src, len);
	memset(b, 0, sizeof *b);
	fill_buf(b, idx);
	b->flags |= V4L2_BUF_FLAG_DONE;
	b->bytesused = (uint32_t)len;
	b->sequence = cam.seq++;
	b->timestamp.tv_sec = (long)(now / 1000000);
	b->timestamp.tv_usec = (long)(now % 1000000);
	cam.st.frames++;
	cam.next_due = (cam.next_due > now - cam.interval_us ? cam.next_due :
		now) + cam.interval_us;
	return 0;
}

static int
cam_ioctl_locked(int fd, unsigned long req, void *arg, int nonblock)
{
	int i;

	if (gone(fd))
		return -ENODEV;
	switch (req) {
	case VIDIOC_QUERYCAP: {
		struct v4l2_capability *c = arg;

		memset(c, 0, sizeof *c);
		snprintf((char *)c->driver, sizeof c->driver, "uvcvideo");
		snprintf((char *)c->card, sizeof c->card,
			"quan fake USB camera");
		snprintf((char *)c->bus_info, sizeof c->bus_info,
			"usb-0000:00:14.0-1");
		c->version = 0x060100;
		c->device_caps = V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_STREAMING;
		c->capabilities = c->device_caps | V4L2_CAP_DEVICE_CAPS;
		return 0;
	}
	case VIDIOC_ENUM_FMT: {
		struct v4l2_fmtdesc *d = arg;
		uint32_t f;

		if (d->type != V4L2_BUF_TYPE_VIDEO_CAPTURE ||
		    d->index >= (uint32_t)cam.nfmt)
			return -EINVAL;
		f = cam.fmts[d->index];
		memset(d->description, 0, sizeof d->description);
		snprintf((char *)d->description, sizeof d->description, "%s",
			f == V4L2_PIX_FMT_MJPEG ? "Motion-JPEG" :
			f == V4L2_PIX_FMT_YUYV ? "YUYV 4:2:2" :
			"8-bit Greyscale");
		d->pixelformat = f;
		d->flags = f == V4L2_PIX_FMT_MJPEG ? V4L2_FMT_FLAG_COMPRESSED :
			0;
		return 0;
	}
	case VIDIOC_ENUM_FRAMESIZES: {
		struct v4l2_frmsizeenum *s = arg;
		int ok = 0;

		for (i = 0; i < cam.nfmt; i++)
			ok |= cam.fmts[i] == s->pixel_format;
		if (!ok || s->index >= (uint32_t)cam.nsize)
			return -EINVAL;
		s->type = V4L2_FRMSIZE_TYPE_DISCRETE;
		s->discrete.width = cam.sizes[s->index][0];
		s->discrete.height = cam.sizes[s->index][1];
		return 0;
	}
	case VIDIOC_ENUM_FRAMEINTERVALS: {
		struct v4l2_frmivalenum *v = arg;

		if (v->index != 0)
			return -EINVAL;
		v->type = V4L2_FRMIVAL_TYPE_DISCRETE;
		v->discrete.numerator = cam.interval_us > 0 ?
			cam.interval_us : 1;
		v->discrete.denominator = 1000000;
		return 0;
	}
	case VIDIOC_G_FMT: {
		struct v4l2_format *f = arg;

		if (f->type != V4L2_BUF_TYPE_VIDEO_CAPTURE)
			return -EINVAL;
		fill_pix(&f->fmt.pix, cam.fourcc, cam.w, cam.h);
		return 0;
	}
	case VIDIOC_TRY_FMT:
	case VIDIOC_S_FMT: {
		struct v4l2_format *f = arg;

		if (f->type != V4L2_BUF_TYPE_VIDEO_CAPTURE)
			return -EINVAL;
		adjust(&f->fmt.pix);
		if (req == VIDIOC_TRY_FMT)
			return 0;
		if (cam.nbuf > 0 && (f->fmt.pix.pixelformat != cam.fourcc ||
		    f->fmt.pix.width != cam.w || f->fmt.pix.height != cam.h))
			return -EBUSY;
		cam.fourcc = f->fmt.pix.pixelformat;
		cam.w = f->fmt.pix.width;
		cam.h = f->fmt.pix.height;
		return 0;
	}
	case VIDIOC_REQBUFS:
		return reqbufs(fd, arg);
	case VIDIOC_QUERYBUF: {
		struct v4l2_buffer *b = arg;

		if (cam.owner_fd != fd || b->index >= cam.nbuf ||
		    b->memory != V4L2_MEMORY_MMAP)
			return -EINVAL;
		fill_buf(b, b->index);
		return 0;
	}
	case VIDIOC_QBUF: {
		struct v4l2_buffer *b = arg;

		if (cam.owner_fd != fd || b->index >= cam.nbuf ||
		    b->memory != V4L2_MEMORY_MMAP || is_queued(b->index))
			return -EINVAL;
		cam.queued[cam.nq++] = (int)b->index;
		pthread_cond_broadcast(&fake_cv);
		return 0;
	}
	case VIDIOC_DQBUF:
		return dqbuf(fd, arg, nonblock);
	case VIDIOC_STREAMON:
		if (cam.owner_fd != fd || cam.nbuf == 0)
			return -EINVAL;
		if (!cam.streaming) {
			cam.streaming = 1;
			cam.st.streamons++;
			cam.next_due = fake_now_us() + cam.interval_us;
		}
		return 0;
	case VIDIOC_STREAMOFF:
		if (cam.owner_fd != fd)
			return -EINVAL;
		cam.streaming = 0;
		cam.nq = 0; /* every buffer back to the application */
		pthread_cond_broadcast(&fake_cv);
		return 0;
	default:
		return -ENOTTY; /* controls, crop, parm: none here */
	}
}

static int
cam_ioctl(int fd, unsigned long req, void *arg)
{
	int rc, nb = (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0;

	pthread_mutex_lock(&fake_mu);
	rc = cam_ioctl_locked(fd, req, arg, nb);
	pthread_mutex_unlock(&fake_mu);
	return rc;
}

static ssize_t
cam_read(int fd, void *buf, size_t n)
{
	(void)fd;
	(void)buf;
	(void)n;
	return -EINVAL; /* no READWRITE capability */
}

static short
cam_revents(int fd, short events, uint64_t *next)
{
	short r = 0;

	(void)events;
	pthread_mutex_lock(&fake_mu);
	if (cam.fd_gen[fd] != cam.gen)
		r = POLLERR | POLLHUP;
	else if (!cam.streaming || cam.owner_fd != fd || cam.nq == 0)
		r = POLLERR;
	else if (fake_now_us() >= cam.next_due)
		r = POLLIN | POLLRDNORM;
	else
		*next = cam.next_due;
	pthread_mutex_unlock(&fake_mu);
	return r;
}

static void *
cam_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	void *p = MAP_FAILED;
	int i;

	pthread_mutex_lock(&fake_mu);
	if (gone(fd)) {
		errno = ENODEV;
	} else if (cam.owner_fd != fd || cam.bufsz == 0 || off < 0 ||
	    (size_t)off % cam.bufsz != 0 ||
	    (size_t)off / cam.bufsz >= cam.nbuf || len > cam.bufsz) {
		errno = EINVAL;
	} else {
		p = fake_real_mmap(addr, len, prot, flags, cam.memfd, off);
		for (i = 0; p != MAP_FAILED && i < NMAP; i++)
			if (cam.maps[i] == NULL) {
				cam.maps[i] = p;
				cam.maplen[i] = len;
				cam.st.mapped++;
				break;
			}
	}
	pthread_mutex_unlock(&fake_mu);
	return p;
}

static int
cam_munmap(void *addr, size_t len)
{
	int i, found = 0;

	(void)len;
	pthread_mutex_lock(&fake_mu);
	for (i = 0; i < NMAP; i++)
		if (addr != NULL && cam.maps[i] == addr) {
			cam.maps[i] = NULL;
			cam.st.mapped--;
			found = 1;
		}
	pthread_mutex_unlock(&fake_mu);
	return found;
}

const struct fake_dev fake_v4l2_dev = {
	.name = "v4l2",
	.match = cam_match,
	.open = cam_open,
	.close = cam_close,
	.ioctl = cam_ioctl,
	.read = cam_read,
	.revents = cam_revents,
	.mmap = cam_mmap,
	.munmap = cam_munmap,
};

/* FAKECAM_PLAYLIST, loaded at the first open: file I/O in a preloaded
 * library's constructor can run before a sanitizer runtime is ready. */
static char *pending;

static void
load_pending(void)
{
	char *list, *tok, *save = NULL;

	pthread_mutex_lock(&fake_mu);
	list = pending;
	pending = NULL;
	pthread_mutex_unlock(&fake_mu);
	if (list == NULL)
		return;
	for (tok = strtok_r(list, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		char *star = strchr(tok, '*');
		unsigned n = star != NULL ? (unsigned)strtoul(tok, NULL, 10) :
			0;

		if (fakecam_scene_file(star != NULL ? star + 1 : tok, n) != 0)
			fprintf(stderr, "fakecam: cannot load %s\n", tok);
	}
	free(list);
}

/* LD_PRELOAD under the real program: configured from the environment. */
__attribute__((constructor)) static void
cam_env(void)
{
	const char *p = getenv("FAKECAM"), *v;

	if (p == NULL || *p == '\0')
		return;
	fakecam_reset(p);
	if ((v = getenv("FAKECAM_FORMATS")) != NULL && fakecam_formats(v) != 0)
		fprintf(stderr, "fakecam: bad FAKECAM_FORMATS %s\n", v);
	if ((v = getenv("FAKECAM_SIZES")) != NULL && fakecam_sizes(v) != 0)
		fprintf(stderr, "fakecam: bad FAKECAM_SIZES %s\n", v);
	if ((v = getenv("FAKECAM_FPS")) != NULL && strtol(v, NULL, 10) > 0)
		fakecam_interval_us((uint32_t)(1000000 / strtol(v, NULL, 10)));
	/* FAKECAM_PLAYLIST = N*file.pgm,...,file.pgm (no count: for ever) */
	if ((v = getenv("FAKECAM_PLAYLIST")) != NULL)
		pending = strdup(v);
}
