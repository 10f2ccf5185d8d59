/*
 * imgload.h — load PNG, JPEG or PGM/PPM (P2 P3 P5 P6) files as 8-bit luma
 * (Y800), the only format ZBar scans. libpng and libjpeg do the decoding;
 * PNM is parsed here. Any thread.
 */
#ifndef QUAN_IMGLOAD_H
#define QUAN_IMGLOAD_H

#include <stddef.h>
#include <stdint.h>

#define IMG_MAX_SIDE 16384
#define IMG_MAX_PIXELS (64u * 1024u * 1024u)

struct img {
	uint8_t *px; /* w * h bytes, row-major; free() */
	int w, h;
};

/* 1 when the file name has a loadable extension (.png .jpg .jpeg .pgm
 * .ppm .pnm, any case). */
int img_is_image_name(const char *path);

/*
 * Load path into *out (caller frees out->px). QUAN_ENOTFOUND / QUAN_EIO
 * when unreadable, QUAN_EINVAL for a malformed or unknown format,
 * QUAN_ETOOBIG past IMG_MAX_*; *cause says why (caller frees).
 */
int img_load(const char *path, struct img *out, char **cause);

#endif
