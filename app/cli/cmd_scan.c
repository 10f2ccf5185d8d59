/*
 * cmd_scan.c — `quan scan` (read scanner sources, print one JSON line or
 * a diagnostics block per scan) and `quan bench decode` (decoder speed,
 * memory over many decodes; --set: cmd_bench_decode_set.c). JSON is printed by
 * hand with full escaping (no jansson needed for these flat objects).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/bench.h"
#include "cli/cli_common.h"
#include "cli/cmd.h"
#include "core/evq.h"
#include "drivers/bench_decode.h"
#include "drivers/dec.h"
#include "drivers/frames.h"
#include "drivers/imgload.h"
#include "drivers/scan.h"
#include "drivers/scantext.h"
#include "util/config.h"
#include "util/err.h"
#include "util/log.h"
#include "util/tm.h"
#include "util/xmem.h"

static volatile sig_atomic_t scan_stop;
static int scan_hex; /* --hex: bytes in hex on every line */

static void
on_signal(int sig)
{
	(void)sig;
	scan_stop = 1;
}

static void
json_str(FILE *fp, const char *s, size_t n)
{
	size_t i;

	fputc('"', fp);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(fp, "\\%c", c);
		else if (c < 0x20 || c == 0x7F)
			fprintf(fp, "\\u%04x", c);
		else
			fputc(c, fp);
	}
	fputc('"', fp);
}

static const char *
kind_name(enum scan_source s)
{
	switch (s) {
	case SCAN_SRC_STDIN: return "stdin";
	case SCAN_SRC_KEYBOARD: return "keyboard";
	case SCAN_SRC_EVDEV: return "evdev";
	case SCAN_SRC_SERIAL: return "serial";
	case SCAN_SRC_CAMERA: return "camera";
	case SCAN_SRC_IMAGE: return "image";
	case SCAN_SRC_MANUAL: return "manual";
	}
	return "?";
}

static void
flags_str(uint32_t f, char *out, size_t n)
{
	snprintf(out, n, "%s%s%s%s", f & SCAN_F_GS1 ? "gs1," : "",
		f & SCAN_F_BINARY ? "binary," : "",
		f & SCAN_F_INVERTED ? "inverted," : "",
		f & SCAN_F_PREPROC ? "preprocessed," : "");
	if (out[0] != '\0')
		out[strlen(out) - 1] = '\0';
}

static void
print_json(const struct ev_scan *sc)
{
	char hex[2 * EV_CODE_MAX + 1], fl[64];

	flockfile(stdout);
	printf("{\"source\":");
	json_str(stdout, sc->source_name, strlen(sc->source_name));
	printf(",\"kind\":\"%s\",\"symbology\":", kind_name(sc->source));
	json_str(stdout, sc->symbology, strlen(sc->symbology));
	printf(",\"aim\":");
	json_str(stdout, sc->aim, strlen(sc->aim));
	printf(",\"text\":");
	json_str(stdout, sc->text, strlen(sc->text));
	printf(",\"encoding\":\"%s\",\"len\":%zu", sc->encoding, sc->raw_len);
	if ((sc->flags & SCAN_F_BINARY) || scan_hex) {
		scantext_hex(sc->raw, sc->raw_len, hex, sizeof hex);
		printf(",\"hex\":\"%s\"", hex);
	}
	flags_str(sc->flags, fl, sizeof fl);
	printf(",\"flags\":\"%s\",\"t_mono_us\":%llu,\"wall_ms\":%lld", fl,
		(unsigned long long)sc->t_mono_us, (long long)tm_now_ms());
	if (sc->source == SCAN_SRC_EVDEV)
		printf(",\"dur_ms\":%u,\"ikt_max_ms\":%u", sc->dur_ms,
			sc->ikt_max_ms);
	printf("}\n");
	fflush(stdout);
	funlockfile(stdout);
}

static void
hexdump(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		printf("%s%02x", i == 0 ? "" : i % 16 == 0 ? "\n             " :
			" ", p[i]);
	printf("\n");
}

static void
print_diag(const struct ev_scan *sc, unsigned no)
{
	char fl[64];
	size_t i;

	flags_str(sc->flags, fl, sizeof fl);
	flockfile(stdout);
	printf("--- scan %u from %s (%s)\n", no, sc->source_name,
		kind_name(sc->source));
	printf("  symbology  %s%s%s%s\n", sc->symbology[0] ? sc->symbology :
		"(unknown)", sc->aim[0] ? " (AIM " : "", sc->aim,
		sc->aim[0] ? ")" : "");
	printf("  encoding   %s%s%s\n", sc->encoding, fl[0] ? ", flags " : "",
		fl);
	printf("  text       %s\n", sc->text[0] ? sc->text :
		"(not clean text: see bytes)");
	printf("  bytes %-4zu ", sc->raw_len);
	hexdump(sc->raw, sc->raw_len);
	if (sc->ikt_n > 0 || sc->dur_ms > 0) {
		printf("  timing     %u ms first to last, max gap %u ms",
			sc->dur_ms, sc->ikt_max_ms);
		if (sc->ikt_n > 0) {
			printf(", gaps ms:");
			for (i = 0; i < sc->ikt_n; i++)
				printf(" %u", sc->ikt_ms[i]);
		}
		printf("\n");
	}
	fflush(stdout);
	funlockfile(stdout);
}

struct scan_cli {
	int diag;
	unsigned rejects;
};

static void
on_reject(void *ctx, const char *source, const char *why, const uint8_t *p,
	size_t n)
{
	struct scan_cli *c = ctx;

	if (c->diag) {
		flockfile(stdout);
		printf("--- refused from %s: %s\n  bytes %-4zu ", source, why,
			n);
		hexdump(p, n);
		fflush(stdout);
		funlockfile(stdout);
	} else {
		fprintf(stderr, "quan scan: %s: %s\n", source, why);
	}
}

static int
parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno == 0 && end != s && *end == '\0' && *out <= max;
}

static void
scan_usage(void)
{
	fprintf(stderr, "usage: quan scan [--json [--hex]|--diag] "
		"[--source SPEC]... "
		"[--dedupe-ms N] [--max-len N] [--timeout S] [--count N]\n"
		"  sources default to [scanner] source = ... in the config "
		"(--config FILE), else stdin\n"
		"  SPEC: camera:/dev/videoN[,width=,height=] | image:PATH | "
		"evdev:/dev/input/eventN[,layout=us|de|fr]\n"
		"        | serial:/dev/ttyX[,baud=,prefix=,suffix=] | stdin\n"
		"exit: 0 at least one scan, 3 none, 1 error, 2 usage\n");
}

int
cmd_scan(int argc, char **argv)
{
	struct scan_opts o = {-1, 0};
	struct scan_cli cli = {0, 0};
	struct cli g;
	struct config *cfg = NULL;
	const char **specs = xcalloc((size_t)argc + CONFIG_SCAN_SOURCES_MAX + 1,
		sizeof *specs);
	struct evq *q = NULL;
	struct scan_mgr *m = NULL;
	struct sigaction sa;
	unsigned long timeout_s = 0, count = 0, v;
	size_t nspec = 0;
	unsigned scans = 0;
	uint64_t t_end = 0;
	char *cause = NULL;
	int i, rc = EXIT_FAIL, have_dd = 0, have_ml = 0;

	memset(&g, 0, sizeof g);
	if (cli_parse_globals(&g, &argc, argv) != 0) {
		rc = EXIT_USAGE;
		goto out;
	}
	if (g.verbose > 0)
		log_set_level(LOG_INFO);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--json") == 0) {
			cli.diag = 0;
		} else if (strcmp(a, "--hex") == 0) {
			scan_hex = 1;
		} else if (strcmp(a, "--diag") == 0) {
			cli.diag = 1;
		} else if (strcmp(a, "--source") == 0 && i + 1 < argc) {
			specs[nspec++] = argv[++i];
		} else if (strcmp(a, "--dedupe-ms") == 0 && i + 1 < argc &&
		    parse_ulong(argv[i + 1], 600000, &v)) {
			o.dedupe_ms = (int)v;
			have_dd = 1;
			i++;
		} else if (strcmp(a, "--max-len") == 0 && i + 1 < argc &&
		    parse_ulong(argv[i + 1], SCAN_MAX_LEN, &v) && v > 0) {
			o.max_len = v;
			have_ml = 1;
			i++;
		} else if (strcmp(a, "--timeout") == 0 && i + 1 < argc &&
		    parse_ulong(argv[i + 1], 86400, &timeout_s)) {
			i++;
		} else if (strcmp(a, "--count") == 0 && i + 1 < argc &&
		    parse_ulong(argv[i + 1], 1000000, &count)) {
			i++;
		} else {
			scan_usage();
			rc = EXIT_USAGE;
			goto out;
		}
	}
	/* [scanner] in the config: sources when none are given, defaults */
	if (config_load_default(g.config_opt, &cfg, &cause) != QUAN_OK) {
		fprintf(stderr, "quan scan: %s\n", cause);
		goto out;
	}
	if (!have_dd)
		o.dedupe_ms = cfg->scan_dedupe_ms;
	if (!have_ml && cfg->scan_max_len > 0)
		o.max_len = (size_t)cfg->scan_max_len;
	for (i = 0; nspec == 0 && i < cfg->nscan_sources; i++)
		specs[i] = cfg->scan_sources[i];
	if (nspec == 0)
		nspec = (size_t)cfg->nscan_sources;
	if (nspec == 0)
		specs[nspec++] = "stdin";
	if (log_get_level() < LOG_INFO)
		log_set_level(LOG_ERROR); /* refusals are printed below */
	if (evq_new(&q, 1024) != QUAN_OK)
		goto out;
	m = scan_mgr_new(q, &o);
	for (i = 0; i < (int)nspec; i++)
		if (scan_mgr_add(m, specs[i], &cause) != QUAN_OK) {
			fprintf(stderr, "quan scan: %s\n", cause);
			rc = EXIT_USAGE;
			goto out;
		}
	scan_mgr_on_reject(m, on_reject, &cli);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (scan_mgr_start(m, &cause) != QUAN_OK) {
		fprintf(stderr, "quan scan: %s\n", cause);
		goto out;
	}
	if (timeout_s > 0)
		t_end = tm_mono_ms() + timeout_s * 1000;
	while (!scan_stop) {
		struct ev ev;

		if (evq_wait(q, &ev, 100) == 1) {
			if (ev.type == EV_SCAN) {
				scans++;
				if (cli.diag)
					print_diag(&ev.u.scan, scans);
				else
					print_json(&ev.u.scan);
				if (count > 0 && scans >= count)
					break;
			} else if (ev.type == EV_DRIVER_FAULT) {
				fprintf(stderr, "quan scan: %s: %s: %s\n",
					ev.u.fault.source_name,
					ev.u.fault.up ? "back" : "gone",
					ev.u.fault.what);
			}
			continue;
		}
		if (scan_mgr_done(m) && evq_len(q) == 0)
			break;
		if (t_end != 0 && tm_mono_ms() >= t_end)
			break;
	}
	rc = scans > 0 ? EXIT_OK : EXIT_REJECTED;
out:
	scan_mgr_free(m);
	evq_free(q);
	config_free(cfg);
	free(cause);
	free(specs);
	return rc;
}

/* ---- bench decode ---- */

int
bench_decode(int argc, char **argv)
{
	unsigned long decodes = 200000, v;
	const char *set = NULL;
	int json = 0, verbose = 0, i, budget = 30, have_set = 0, nframes = 0;
	double secs = 3.0;
	struct bench_decode_fig f;
	struct set_fig sf;
	char *cause = NULL;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "-v") == 0)
			verbose = 1;
		else if (strcmp(argv[i], "--decodes") == 0 && i + 1 < argc &&
		    parse_ulong(argv[i + 1], 100000000, &decodes))
			i++;
		else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc &&
		    parse_ulong(argv[i + 1], 600, &v) && v > 0) {
			secs = (double)v;
			i++;
		} else if (strcmp(argv[i], "--budget") == 0 && i + 1 < argc &&
		    parse_ulong(argv[i + 1], 10000, &v)) {
			budget = (int)v;
			i++;
		} else if (strcmp(argv[i], "--frames") == 0 && i + 1 < argc &&
		    parse_ulong(argv[i + 1], 1000, &v) && v > 0) {
			nframes = (int)v;
			i++;
		} else if (strcmp(argv[i], "--set") == 0 && i + 1 < argc)
			set = argv[++i];
		else {
			fprintf(stderr, "usage: quan bench decode [--json] "
				"[--seconds S] [--budget MS] [--decodes N] "
				"[--set DIR [--frames N]] [-v]\n");
			return EXIT_USAGE;
		}
	}
	if (bench_decode_run(secs, budget, decodes, &f, &cause) != 0) {
		fprintf(stderr, "quan bench decode: %s\n", cause != NULL ?
		    cause : "failed");
		free(cause);
		return EXIT_FAIL;
	}
	if (set != NULL)
		have_set = bench_decode_set(set, budget, nframes, !json ?
			stdout : verbose ? stderr : NULL, &sf) == 0;
	if (json) {
		printf("{\"fps_640x480\":%.1f,\"read_640x480\":%lu,"
			"\"frames_640x480\":%lu,\"fps_1280x720\":%.1f,"
			"\"read_1280x720\":%lu,\"frames_1280x720\":%lu,"
			"\"budget_ms\":%d,\"decodes\":%lu,\"decodes_ok\":%lu,"
			"\"decode_us\":%.1f,\"rss_start_kb\":%ld,"
			"\"rss_10pct_kb\":%ld,\"rss_end_kb\":%ld,"
			"\"scanner_recreated\":%llu,"
			"\"fps_640x480_corner\":%.1f,"
			"\"read_640x480_corner\":%lu,"
			"\"fps_640x480_nocode\":%.1f",
			f.f640.fps, f.f640.read, f.f640.frames, f.f720.fps,
			f.f720.read, f.f720.frames, budget, decodes,
			f.decodes_ok, f.decode_us, f.rss_start_kb,
			f.rss_10pct_kb, f.rss_end_kb, f.recreated,
			f.corner.fps, f.corner.read, f.nocode.fps);
		if (have_set)
			bench_decode_set_json(&sf);
		printf("}\n");
	} else {
		printf("decode 640x480  %.1f fps on one core (CPU time; "
			"%lu/%lu frames read, budget %d ms)\n", f.f640.fps,
			f.f640.read, f.f640.frames, budget);
		printf("decode 1280x720 %.1f fps (%lu/%lu frames read)\n",
			f.f720.fps, f.f720.read, f.f720.frames);
		printf("decode 640x480  %.1f fps with the code in a corner "
			"(%lu/%lu read), %.1f fps without a code\n",
			f.corner.fps, f.corner.read, f.corner.frames,
			f.nocode.fps);
		printf("memory          RSS %ld kB start, %ld kB at 10%%, %ld "
			"kB after %lu decodes (%lu read, %.1f us each, scanner "
			"recreated %llu times)\n", f.rss_start_kb,
			f.rss_10pct_kb, f.rss_end_kb, decodes, f.decodes_ok,
			f.decode_us, f.recreated);
	}
	return set != NULL && !have_set ? EXIT_FAIL : EXIT_OK;
}
