/*
 * imgload.c — PNG (libpng simplified API), JPEG (libjpeg, grayscale out)
 * and PNM to 8-bit luma. The format is taken from the file's magic bytes.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jpeglib.h>
#include <png.h>

#include "drivers/imgload.h"
#include "util/err.h"
#include "util/xmem.h"

int
img_is_image_name(const char *path)
{
	static const char *const ext[] = {".png", ".jpg", ".jpeg", ".pgm",
		".ppm", ".pnm"};
	const char *dot = strrchr(path, '.');
	size_t i;

	if (dot == NULL)
		return 0;
	for (i = 0; i < sizeof ext / sizeof ext[0]; i++)
		if (strcasecmp(dot, ext[i]) == 0)
			return 1;
	return 0;
}

static int
size_ok(long w, long h)
{
	return w > 0 && h > 0 && w <= IMG_MAX_SIDE && h <= IMG_MAX_SIDE &&
		(unsigned long)w * (unsigned long)h <= IMG_MAX_PIXELS;
}

static int
load_png(const char *path, struct img *out, char **cause)
{
	png_image im;
	int rc = QUAN_EINVAL;

	memset(&im, 0, sizeof im);
	im.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_file(&im, path)) {
		*cause = xasprintf("%s: %s", path, im.message);
		return QUAN_EINVAL;
	}
	if (!size_ok((long)im.width, (long)im.height)) {
		*cause = xasprintf("%s: %ux%u is too large", path, im.width,
			im.height);
		rc = QUAN_ETOOBIG;
		goto out;
	}
	im.format = PNG_FORMAT_GRAY;
	out->w = (int)im.width;
	out->h = (int)im.height;
	out->px = xmalloc((size_t)out->w * (size_t)out->h);
	/* transparent pixels composite onto white, as on a screen */
	{
		png_color white = {255, 255, 255};

		if (!png_image_finish_read(&im, &white, out->px, 0, NULL)) {
			*cause = xasprintf("%s: %s", path, im.message);
			free(out->px);
			out->px = NULL;
			goto out;
		}
	}
	return QUAN_OK;
out:
	png_image_free(&im);
	return rc;
}

struct jerr {
	struct jpeg_error_mgr pub;
	jmp_buf jb;
	char msg[JMSG_LENGTH_MAX];
};

static void
jpeg_quiet(j_common_ptr c)
{
	(void)c; /* corrupt-data warnings: the result is checked instead */
}

static void
jpeg_fail(j_common_ptr c)
{
	struct jerr *e = (struct jerr *)c->err;

	(*c->err->format_message)(c, e->msg);
	longjmp(e->jb, 1);
}

static int
load_jpeg(const char *path, FILE *fp, struct img *out, char **cause)
{
	struct jpeg_decompress_struct c;
	struct jerr e;
	uint8_t *volatile px = NULL;
	JSAMPROW row;

	memset(&c, 0, sizeof c);
	c.err = jpeg_std_error(&e.pub);
	e.pub.error_exit = jpeg_fail;
	e.pub.output_message = jpeg_quiet;
	if (setjmp(e.jb)) {
		*cause = xasprintf("%s: %s", path, e.msg);
		jpeg_destroy_decompress(&c);
		free(px);
		return QUAN_EINVAL;
	}
	jpeg_create_decompress(&c);
	jpeg_stdio_src(&c, fp);
	jpeg_read_header(&c, TRUE);
	if (!size_ok((long)c.image_width, (long)c.image_height)) {
		*cause = xasprintf("%s: too large", path);
		jpeg_destroy_decompress(&c);
		return QUAN_ETOOBIG;
	}
	c.out_color_space = JCS_GRAYSCALE;
	jpeg_start_decompress(&c);
	px = xmalloc((size_t)c.output_width * c.output_height);
	while (c.output_scanline < c.output_height) {
		row = px + (size_t)c.output_scanline * c.output_width;
		jpeg_read_scanlines(&c, &row, 1);
	}
	out->w = (int)c.output_width;
	out->h = (int)c.output_height;
	out->px = px;
	jpeg_finish_decompress(&c);
	jpeg_destroy_decompress(&c);
	return QUAN_OK;
}

/* Next PNM header integer, skipping whitespace and # comments. */
static int
pnm_int(FILE *fp, long *v)
{
	int c, n = 0;

	*v = 0;
	for (;;) {
		c = fgetc(fp);
		if (c == '#') {
			while ((c = fgetc(fp)) != EOF && c != '\n')
				;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		break;
	}
	while (c >= '0' && c <= '9') {
		if (*v > 100000000L)
			return QUAN_EINVAL;
		*v = *v * 10 + (c - '0');
		n++;
		c = fgetc(fp);
	}
	return n > 0 ? QUAN_OK : QUAN_EINVAL;
}

static int
load_pnm(const char *path, FILE *fp, int kind, struct img *out, char **cause)
{
	long w, h, maxv, v[3];
	int color = kind == '3' || kind == '6', ascii = kind <= '3';
	int bps, c, k;
	size_t i, npx;

	if (pnm_int(fp, &w) || pnm_int(fp, &h) || pnm_int(fp, &maxv) ||
	    maxv < 1 || maxv > 65535) {
		*cause = xasprintf("%s: bad PNM header", path);
		return QUAN_EINVAL;
	}
	if (!size_ok(w, h)) {
		*cause = xasprintf("%s: bad or too large size %ldx%ld", path,
			w, h);
		return QUAN_ETOOBIG;
	}
	bps = maxv > 255 ? 2 : 1;
	npx = (size_t)w * (size_t)h;
	{
		/* the data must be there before we allocate for it (ASCII:
		 * at least a digit and a separator per sample) */
		long here = ftell(fp), end;
		size_t need = npx * (color ? 3u : 1u) * (ascii ? 2u :
			(size_t)bps) - (ascii ? 1u : 0u);

		if (here < 0 || fseek(fp, 0, SEEK_END) != 0 ||
		    (end = ftell(fp)) < 0 || fseek(fp, here, SEEK_SET) != 0 ||
		    (unsigned long)(end - here) < need) {
			*cause = xasprintf("%s: truncated PNM data", path);
			return QUAN_EINVAL;
		}
	}
	out->px = xmalloc(npx);
	for (i = 0; i < npx; i++) {
		for (k = 0; k < (color ? 3 : 1); k++) {
			if (ascii) {
				if (pnm_int(fp, &v[k]))
					goto short_read;
			} else {
				if ((c = fgetc(fp)) == EOF)
					goto short_read;
				v[k] = c;
				if (bps == 2) {
					if ((c = fgetc(fp)) == EOF)
						goto short_read;
					v[k] = v[k] * 256 + c;
				}
			}
			if (v[k] > maxv)
				v[k] = maxv;
			v[k] = v[k] * 255 / maxv;
		}
		/* BT.601 luma, integer */
		out->px[i] = color ? (uint8_t)((v[0] * 299 + v[1] * 587 +
			v[2] * 114 + 500) / 1000) : (uint8_t)v[0];
	}
	out->w = (int)w;
	out->h = (int)h;
	return QUAN_OK;
short_read:
	free(out->px);
	out->px = NULL;
	*cause = xasprintf("%s: truncated PNM data", path);
	return QUAN_EINVAL;
}

int
img_load(const char *path, struct img *out, char **cause)
{
	uint8_t magic[8];
	FILE *fp;
	size_t n;
	int rc;

	memset(out, 0, sizeof *out);
	*cause = NULL;
	if ((fp = fopen(path, "rbe")) == NULL) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return errno == ENOENT ? QUAN_ENOTFOUND : QUAN_EIO;
	}
	n = fread(magic, 1, sizeof magic, fp);
	if (n >= 8 && png_sig_cmp(magic, 0, 8) == 0) {
		fclose(fp);
		return load_png(path, out, cause);
	}
	rewind(fp);
	if (n >= 3 && magic[0] == 0xFF && magic[1] == 0xD8 && magic[2] == 0xFF)
		rc = load_jpeg(path, fp, out, cause);
	else if (n >= 2 && magic[0] == 'P' && magic[1] >= '2' &&
	    magic[1] <= '6' && magic[1] != '4') {
		fseek(fp, 2, SEEK_SET);
		rc = load_pnm(path, fp, magic[1], out, cause);
	} else {
		*cause = xasprintf("%s: not a PNG, JPEG or PGM/PPM file", path);
		rc = QUAN_EINVAL;
	}
	fclose(fp);
	return rc;
}
