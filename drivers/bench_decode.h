/*
 * bench_decode.h — what `quan bench decode` measures (the program parses
 * and prints): frames per second of one core through the camera pipeline
 * (frames_feed with the frame budget) on camera-like frames with a QR in
 * the middle, in a corner, or none; and the decoder's memory over many
 * decodes of a small QR. The QRs are rendered by qrencode.
 */
#ifndef QUAN_BENCH_DECODE_H
#define QUAN_BENCH_DECODE_H

struct bench_fps_fig {
	int w, h;
	double fps;                 /* CPU time of one core */
	unsigned long frames, read;
};

struct bench_decode_fig {
	int budget;                 /* ms per frame */
	struct bench_fps_fig f640, f720, corner, nocode;
	unsigned long decodes, decodes_ok;
	double decode_us;           /* per decode, wall */
	long rss_start_kb, rss_10pct_kb, rss_end_kb;
	unsigned long long recreated; /* scanner rebuilt by the decoder */
};

/* secs of frames per case, then `decodes` decodes. 0, or -1 with *cause
 * (caller frees). */
int bench_decode_run(double secs, int budget, unsigned long decodes,
    struct bench_decode_fig *f, char **cause);

#endif
