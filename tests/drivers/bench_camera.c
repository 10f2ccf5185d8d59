/* bench_camera.c — memory of the camera source over a long run: the
 * unchanged camera driver reads frames as fast as it can from the fake
 * USB camera (fake/fake.h) with a QR code always in view (each frame is
 * captured, converted and decoded; the sliding dedupe window keeps it one
 * scan). Prints frames/s and RSS after 10 % of the frames and at the end;
 * exits 1 when RSS grew by more than --max-growth-kb between the two, or
 * when the code was not read exactly once.
 *   bench_camera [--frames N] [--format YUYV|MJPG|GREY] [--size WxH]
 *                [--max-growth-kb K]                                     */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/evq.h"
#include "drivers/imgload.h"
#include "drivers/scan.h"
#include "fake.h"
#include "util/log.h"
#include "util/tm.h"
#include "util/xmem.h"

static long
rss_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL)
		if (strncmp(line, "VmRSS:", 6) == 0)
			kb = strtol(line + 6, NULL, 10);
	fclose(f);
	return kb;
}

static uint64_t
frames(void)
{
	struct fakecam_stats st;

	fakecam_get_stats(&st);
	return st.frames;
}

int
main(int argc, char **argv)
{
	unsigned long n = 100000, max_kb = 0;
	const char *fmt = "YUYV", *size = "640x480";
	char dir[] = "/tmp/quan-benchcam-XXXXXX", *cmd, *png, *cause = NULL;
	struct evq *q;
	struct scan_mgr *m;
	struct img im;
	struct ev ev;
	long rss0, rss1;
	uint64_t t0, t1, t2, f1, f2;
	int i, scans = 0, bad = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--frames") == 0 && i + 1 < argc)
			n = strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--format") == 0 && i + 1 < argc)
			fmt = argv[++i];
		else if (strcmp(argv[i], "--size") == 0 && i + 1 < argc)
			size = argv[++i];
		else if (strcmp(argv[i], "--max-growth-kb") == 0 &&
		    i + 1 < argc)
			max_kb = strtoul(argv[++i], NULL, 10);
		else {
			fprintf(stderr, "usage: bench_camera [--frames N] "
				"[--format F] [--size WxH] "
				"[--max-growth-kb K]\n");
			return 2;
		}
	}
	if (n < 100 || mkdtemp(dir) == NULL)
		return 2;
	log_set_level(LOG_ERROR);
	cmd = xasprintf("qrencode -s 4 -o %s/qr.png 8723104455667788990011",
		dir);
	png = xasprintf("%s/qr.png", dir);
	if (system(cmd) != 0 || img_load(png, &im, &cause) != 0) {
		fprintf(stderr, "bench_camera: cannot make the code\n");
		return 1;
	}
	fakecam_reset("/dev/video0");
	if (fakecam_formats(fmt) != 0 || fakecam_sizes(size) != 0) {
		fprintf(stderr, "bench_camera: bad --format or --size\n");
		return 2;
	}
	fakecam_interval_us(0);
	fakecam_scene(im.px, im.w, im.h, 0);
	if (evq_new(&q, 64) != 0)
		return 1;
	m = scan_mgr_new(q, NULL);
	free(cmd);
	cmd = xasprintf("camera:/dev/video0,width=%d,height=%d",
		(int)strtol(size, NULL, 10), (int)strtol(strchr(size, 'x') +
		1, NULL, 10));
	if (scan_mgr_add(m, cmd, &cause) != 0 ||
	    scan_mgr_start(m, &cause) != 0) {
		fprintf(stderr, "bench_camera: %s\n", cause);
		return 1;
	}
	t0 = tm_mono_us();
	while (frames() < n / 10) {
		while (evq_get(q, &ev) == 1)
			scans += ev.type == EV_SCAN;
		usleep(20000);
	}
	rss0 = rss_kb();
	t1 = tm_mono_us();
	f1 = frames();
	while (frames() < n) {
		while (evq_get(q, &ev) == 1)
			scans += ev.type == EV_SCAN;
		usleep(20000);
	}
	t2 = tm_mono_us();
	f2 = frames();
	rss1 = rss_kb();
	scan_mgr_free(m);
	while (evq_get(q, &ev) == 1)
		scans += ev.type == EV_SCAN;
	evq_free(q);
	printf("camera %s %s: %llu frames in %.1f s, %.0f frames/s; RSS "
		"%ld kB after %llu frames, %ld kB after %llu (%+ld kB); "
		"scans %d\n", fmt, size, (unsigned long long)f2,
		(double)(t2 - t0) / 1e6, (double)(f2 - f1) * 1e6 /
		(double)(t2 - t1), rss0, (unsigned long long)f1, rss1,
		(unsigned long long)f2, rss1 - rss0, scans);
	if (scans != 1) {
		fprintf(stderr, "bench_camera: read %d times, want once\n",
			scans);
		bad = 1;
	}
	if (max_kb > 0 && rss1 - rss0 > (long)max_kb) {
		fprintf(stderr, "bench_camera: RSS grew %ld kB > %lu kB\n",
			rss1 - rss0, max_kb);
		bad = 1;
	}
	free(im.px);
	free(cmd);
	cmd = xasprintf("rm -rf %s", dir);
	if (system(cmd) != 0)
		bad = 1;
	free(cmd);
	free(png);
	return bad;
}
