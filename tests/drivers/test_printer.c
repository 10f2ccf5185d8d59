/* test_printer.c — receipts: GB18030 text and ￥, wrapping by display
 * columns at character boundaries, byte-exact rendering of sample
 * receipts (58 mm Chinese, 80 mm English, a refund) against the files in
 * receipts/ plus the doc's QR bytes, and the device: a file, and a TCP
 * fake printer in a thread that prints, stalls, refuses or answers
 * "paper end" to DLE EOT. Threads: labelled tsan. */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "drivers/printer.h"
#include "util/buf.h"
#include "util/err.h"

/* ---- text ------------------------------------------------------------- */

static void
test_text_is_gb18030_with_fullwidth_yuan(void **state)
{
	struct buf b;
	int cols = 0;

	(void)state;
	buf_init(&b, 1024);
	/* ¥ (U+00A5) would be 81 30 84 36: printed as ￥ A3 A4 */
	assert_true(escpos_text(&b, "¥￥可乐Cola", strlen("¥￥可乐Cola"),
	    &cols) > 0);
	assert_int_equal(b.len, 12);
	assert_memory_equal(b.b, "\xa3\xa4\xa3\xa4\xbf\xc9\xc0\xd6" "Cola", 12);
	assert_int_equal(cols, 12);
	/* 4-byte GB18030 (emoji), controls and broken UTF-8 become '?' */
	buf_reset(&b);
	cols = 0;
	assert_true(escpos_text(&b, "a\xf0\x9f\x98\x80\x1b\xe5\x8f", 8,
	    &cols) > 0);
	assert_int_equal(b.len, 5);
	assert_memory_equal(b.b, "a????", 5);
	assert_int_equal(cols, 5);
	buf_free(&b);
}

struct lines {
	char s[16][64];
	int w[16];
	int n;
};

static void
collect(void *u, const char *s, size_t n, int width)
{
	struct lines *l = u;

	assert_true(l->n < 16 && n < 64);
	memcpy(l->s[l->n], s, n);
	l->s[l->n][n] = '\0';
	l->w[l->n++] = width;
}

static void
test_wrap_splits_at_characters_by_columns(void **state)
{
	static const char *const want[] = {
		"超长", "商品", "名称A", "BC可", "口可", "乐" };
	struct lines l;
	int i;

	(void)state;
	memset(&l, 0, sizeof l);
	assert_int_equal(escpos_wrap("超长商品名称ABC可口可乐", 5, collect,
	    &l), 6);
	for (i = 0; i < 6; i++) {
		assert_string_equal(l.s[i], want[i]);
		assert_true(l.w[i] <= 5);
	}
	assert_int_equal(l.w[2], 5);
	/* empty text: one empty line */
	memset(&l, 0, sizeof l);
	assert_int_equal(escpos_wrap("", 10, collect, &l), 1);
	assert_int_equal(l.w[0], 0);
}

/* ---- rendering -------------------------------------------------------- */

static void
sample(struct receipt *r, enum receipt_lang lang)
{
	escpos_sample(r, lang);
}

/* The doc's QR bytes (§12.1) for QT01202612010001, module size 6. */
static const char qr58[] =
    "\x1d\x28\x6b\x04\x00\x31\x41\x32\x00"
    "\x1d\x28\x6b\x03\x00\x31\x43\x06"
    "\x1d\x28\x6b\x03\x00\x31\x45\x31"
    "\x1d\x28\x6b\x13\x00\x31\x50\x30" "QT01202612010001"
    "\x1d\x28\x6b\x03\x00\x31\x51\x30";

static const char *
memfind(const char *h, size_t hn, const char *n, size_t nn)
{
	size_t i;

	for (i = 0; nn <= hn && i <= hn - nn; i++)
		if (memcmp(h + i, n, nn) == 0)
			return h + i;
	return NULL;
}

/* The text lines of rendered bytes (commands removed): each at most
 * cols columns (bytes = columns once 4-byte characters are gone; a
 * double-width line counts twice). */
static void
check_columns(const char *b, size_t n, int cols)
{
	size_t i = 0;
	int w = 0, dbl = 0, lines = 0;

	while (i < n) {
		unsigned char c = (unsigned char)b[i];

		if (c == 0x1b || c == 0x1c) {
			if (c == 0x1b && b[i + 1] == 0x21)
				dbl = (b[i + 2] & 0x20) != 0;
			i += c == 0x1c || b[i + 1] == 0x40 ? 2 : 3;
		} else if (c == 0x1d && b[i + 1] == 0x28) {
			i += 5 + (size_t)(unsigned char)b[i + 3] +
			    256u * (unsigned char)b[i + 4];
		} else if (c == 0x1d) {
			i += 3;
		} else if (c == '\n') {
			assert_true(w * (dbl ? 2 : 1) <= cols);
			w = 0;
			lines++;
			i++;
		} else {
			assert_true(c >= 0x20);
			w++;
			i++;
		}
	}
	assert_true(lines > 10);
}

static void
golden(const char *name, const char *b, size_t n)
{
	char path[512];
	FILE *f;
	char *want;
	long wn;

	snprintf(path, sizeof path, "%s/%s", RECEIPTS_DIR, name);
	if (getenv("QUAN_RECEIPTS_WRITE") != NULL) {
		f = fopen(path, "wb");
		assert_non_null(f);
		assert_int_equal(fwrite(b, 1, n, f), n);
		fclose(f);
	}
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	wn = ftell(f);
	rewind(f);
	want = malloc((size_t)wn + 1);
	assert_int_equal(fread(want, 1, (size_t)wn, f), (size_t)wn);
	fclose(f);
	assert_int_equal((long)n, wn);
	assert_memory_equal(b, want, n);
	free(want);
}

static void
test_sale_58mm_chinese_matches_bytes(void **state)
{
	struct receipt r;
	char *b;
	size_t n;

	(void)state;
	sample(&r, RECEIPT_ZH);
	assert_int_equal(escpos_render(&r, 58, &b, &n), QUAN_OK);
	golden("sale_zh_58.bin", b, n);
	/* ESC @, FS &, centred double size store name */
	assert_memory_equal(b, "\x1b\x40\x1c\x26\x1b\x61\x01\x1b\x21\x30"
	    "quan\xb2\xe2\xca\xd4\xb5\xea", 20);
	assert_non_null(memfind(b, n, qr58, sizeof qr58 - 1));
	/* ends: leave Chinese mode, feed, cut */
	assert_memory_equal(b + n - 8, "\x1c\x2e\x1b\x64\x04\x1d\x56\x01", 8);
	/* never the 4-byte ¥; the voucher and the amount paid are there */
	assert_null(memfind(b, n, "\x81\x30\x84\x36", 4));
	assert_non_null(memfind(b, n, "-\xa3\xa4" "2.00", 7));
	assert_non_null(memfind(b, n, "\xa3\xa4" "59.40", 7));
	/* the coupon code is masked */
	assert_null(memfind(b, n, "1234567890124434", 16));
	assert_non_null(memfind(b, n, "****4434", 8));
	check_columns(b, n, 32);
	free(b);
}

static void
test_sale_80mm_english_cash_matches_bytes(void **state)
{
	struct receipt r;
	char *b;
	size_t n;

	(void)state;
	sample(&r, RECEIPT_EN);
	r.ndiscounts = 2;            /* no WeChat voucher with cash */
	r.tender = RECEIPT_TENDER_CASH;
	r.paid_fen = 10000;
	r.change_fen = 10000 - 6140;
	r.transaction_id = NULL;
	assert_int_equal(escpos_render(&r, 80, &b, &n), QUAN_OK);
	golden("sale_en_80.bin", b, n);
	assert_non_null(memfind(b, n, "Change", 6));
	assert_non_null(memfind(b, n, "\xa3\xa4" "38.60", 7));
	/* module size 8 on 80 mm */
	assert_non_null(memfind(b, n, "\x1d\x28\x6b\x03\x00\x31\x43\x08", 8));
	check_columns(b, n, 48);
	/* the same receipt on 58 mm: same content, narrower lines */
	free(b);
	assert_int_equal(escpos_render(&r, 58, &b, &n), QUAN_OK);
	check_columns(b, n, 32);
	free(b);
}

static void
test_refund_receipt_says_what_goes_back(void **state)
{
	struct receipt r;
	char *b;
	size_t n;

	(void)state;
	sample(&r, RECEIPT_ZH);
	r.refund = 1;
	r.out_refund_no = "RQT01202612010001";
	r.refund_fen = 7340 - 1200;
	r.refund_payer_fen = 5940;
	assert_int_equal(escpos_render(&r, 58, &b, &n), QUAN_OK);
	golden("refund_zh_58.bin", b, n);
	assert_non_null(memfind(b, n, "RQT01202612010001", 17));
	/* 退还顾客 ￥59.40 */
	assert_non_null(memfind(b, n, "\xcd\xcb\xbb\xb9\xb9\xcb\xbf\xcd", 8));
	assert_non_null(memfind(b, n, "\xa3\xa4" "59.40", 7));
	check_columns(b, n, 32);
	free(b);
}

static void
test_render_refuses_nonsense(void **state)
{
	struct receipt r;
	char *b;
	size_t n;

	(void)state;
	sample(&r, RECEIPT_ZH);
	assert_int_equal(escpos_render(&r, 60, &b, &n), QUAN_EINVAL);
	assert_null(b);
	r.out_trade_no = "";
	assert_int_equal(escpos_render(&r, 58, &b, &n), QUAN_EINVAL);
	sample(&r, RECEIPT_ZH);
	r.out_trade_no = "QT 01"; /* the QR carries it raw */
	assert_int_equal(escpos_render(&r, 58, &b, &n), QUAN_EINVAL);
	sample(&r, RECEIPT_ZH);
	r.due_fen = -1;
	assert_int_equal(escpos_render(&r, 58, &b, &n), QUAN_EINVAL);
	sample(&r, RECEIPT_ZH);
	r.refund = 1;              /* a refund without its number */
	assert_int_equal(escpos_render(&r, 58, &b, &n), QUAN_EINVAL);
	assert_int_equal(escpos_columns(58), 32);
	assert_int_equal(escpos_columns(80), 48);
}

/* ---- device specs and the file device --------------------------------- */

static void
test_spec_parse(void **state)
{
	struct printer_spec s;

	(void)state;
	assert_int_equal(printer_spec_parse("/dev/usb/lp0", &s), 0);
	assert_int_equal(s.kind, PRINTER_DEV);
	assert_int_equal(printer_spec_parse("tcp:192.168.1.50", &s), 0);
	assert_string_equal(s.host, "192.168.1.50");
	assert_string_equal(s.port, "9100");
	assert_int_equal(printer_spec_parse("tcp:[fe80::1]:9101", &s), 0);
	assert_string_equal(s.host, "fe80::1");
	assert_string_equal(s.port, "9101");
	assert_int_equal(printer_spec_parse("file:/tmp/r.bin", &s), 0);
	assert_int_equal(s.kind, PRINTER_FILE);
	assert_int_equal(printer_spec_parse("lp0", &s), PRINTER_E_CONFIG);
	assert_int_equal(printer_spec_parse("tcp:h:0", &s), PRINTER_E_CONFIG);
	assert_int_equal(printer_spec_parse("tcp:h:x", &s), PRINTER_E_CONFIG);
	assert_int_equal(printer_spec_parse("file:", &s), PRINTER_E_CONFIG);
	/* a name would need a blocking DNS lookup: refused when printing */
	assert_int_equal(printer_spec_parse("tcp:printer.lan:9100", &s), 0);
	assert_int_equal(printer_print(&s, "x", 1, 500, 0), PRINTER_E_CONFIG);
}

static void
test_file_device_appends_receipts(void **state)
{
	char dir[] = "/tmp/quan-printer-XXXXXX", spec[128], got[16];
	struct printer_spec s;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(spec, sizeof spec, "file:%s/out.bin", dir);
	assert_int_equal(printer_spec_parse(spec, &s), 0);
	assert_int_equal(printer_print(&s, "abc", 3, 1000, 200), PRINTER_OK);
	assert_int_equal(printer_print(&s, "de", 2, 1000, 200), PRINTER_OK);
	f = fopen(s.path, "rb");
	assert_non_null(f);
	assert_int_equal(fread(got, 1, sizeof got, f), 5);
	fclose(f);
	assert_memory_equal(got, "abcde", 5);
	unlink(s.path);
	/* a folder that is not there: the printer is "not connected" */
	snprintf(spec, sizeof spec, "file:%s/gone/out.bin", dir);
	assert_int_equal(printer_spec_parse(spec, &s), 0);
	assert_int_equal(printer_print(&s, "abc", 3, 1000, 0), PRINTER_E_NODEV);
	snprintf(spec, sizeof spec, "%s/no-such-lp0", dir);
	assert_int_equal(printer_spec_parse(spec, &s), 0);
	assert_int_equal(printer_print(&s, "abc", 3, 1000, 0), PRINTER_E_NODEV);
	rmdir(dir);
}

static void
test_kept_receipt_reprints_the_same_bytes(void **state)
{
	char dir[] = "/tmp/quan-keep-XXXXXX", path[128], *b, *got;
	struct receipt r;
	struct stat st;
	size_t n, gn;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/last.bin", dir);
	assert_int_equal(printer_load(path, &got, &gn), QUAN_ENOTFOUND);
	escpos_sample(&r, RECEIPT_ZH);
	assert_int_equal(escpos_render(&r, 58, &b, &n), QUAN_OK);
	assert_int_equal(printer_keep(path, b, n), QUAN_OK);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(printer_load(path, &got, &gn), QUAN_OK);
	assert_int_equal(gn, n);
	assert_memory_equal(got, b, n);
	free(got);
	free(b);
	unlink(path);
	rmdir(dir);
}

/* ---- a TCP printer ---------------------------------------------------- */

enum fake_mode {
	FAKE_PRINTS,      /* answers status "ok", reads everything */
	FAKE_SILENT,      /* reads, never answers status (one-way link) */
	FAKE_PAPER_OUT,   /* answers: off line, paper end */
	FAKE_STALL        /* accepts, never reads or answers */
};

struct fake {
	int lfd, port;
	enum fake_mode mode;
	pthread_t t;
	char got[256 * 1024];
	size_t ngot;
	int wrote_status;
	int stop[2];              /* FAKE_STALL: written when to hang up */
};

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void *
fake_run(void *arg)
{
	struct fake *f = arg;
	int fd = accept(f->lfd, NULL, NULL);
	ssize_t n;

	if (fd < 0)
		return NULL;
	if (f->mode == FAKE_STALL) {
		/* hold the connection, never read, until told */
		struct pollfd p = { f->stop[0], POLLIN, 0 };

		poll(&p, 1, 5000);
		close(fd);
		return NULL;
	}
	for (;;) {
		n = read(fd, f->got + f->ngot, sizeof f->got - f->ngot);
		if (n <= 0)
			break;
		f->ngot += (size_t)n;
		/* a status question in what came: answer it */
		if (f->mode != FAKE_SILENT && !f->wrote_status &&
		    f->ngot >= 6 && memcmp(f->got, "\x10\x04\x01\x10\x04\x04",
		    6) == 0) {
			if (f->mode == FAKE_PAPER_OUT)
				n = write(fd, "\x1a\x72", 2);
			else
				n = write(fd, "\x12\x12", 2);
			f->wrote_status = 1;
		}
	}
	close(fd);
	return NULL;
}

static void
fake_start(struct fake *f, enum fake_mode mode)
{
	struct sockaddr_in a;
	socklen_t al = sizeof a;
	int one = 1, small = 1024;

	memset(f, 0, sizeof *f);
	f->mode = mode;
	assert_int_equal(pipe(f->stop), 0);
	f->lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(f->lfd >= 0);
	setsockopt(f->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (mode == FAKE_STALL) /* a printer's small buffer, kept full */
		setsockopt(f->lfd, SOL_SOCKET, SO_RCVBUF, &small,
		    sizeof small);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(f->lfd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(f->lfd, 1), 0);
	assert_int_equal(getsockname(f->lfd, (struct sockaddr *)&a, &al), 0);
	f->port = ntohs(a.sin_port);
	assert_int_equal(pthread_create(&f->t, NULL, fake_run, f), 0);
}

static void
fake_stop(struct fake *f)
{
	assert_int_equal(write(f->stop[1], "x", 1), 1);
	pthread_join(f->t, NULL);
	close(f->lfd);
	close(f->stop[0]);
	close(f->stop[1]);
}

static void
spec_for(struct fake *f, struct printer_spec *s)
{
	char spec[64];

	snprintf(spec, sizeof spec, "tcp:127.0.0.1:%d", f->port);
	assert_int_equal(printer_spec_parse(spec, s), 0);
}

static void
test_tcp_printer_gets_the_exact_bytes(void **state)
{
	struct fake f;
	struct printer_spec s;
	struct receipt r;
	char *b;
	size_t n;

	(void)state;
	sample(&r, RECEIPT_ZH);
	assert_int_equal(escpos_render(&r, 58, &b, &n), QUAN_OK);
	fake_start(&f, FAKE_PRINTS);
	spec_for(&f, &s);
	assert_int_equal(printer_print(&s, b, n, 3000, 500), PRINTER_OK);
	fake_stop(&f);
	/* the status question, then the receipt, nothing else */
	assert_int_equal(f.ngot, n + 6);
	assert_memory_equal(f.got + 6, b, n);
	free(b);
}

static void
test_tcp_printer_without_status_still_prints(void **state)
{
	struct fake f;
	struct printer_spec s;
	int64_t t0;

	(void)state;
	fake_start(&f, FAKE_SILENT);
	spec_for(&f, &s);
	t0 = now_ms();
	assert_int_equal(printer_print(&s, "receipt", 7, 3000, 200),
	    PRINTER_OK);
	assert_true(now_ms() - t0 >= 190);  /* waited for the answer ... */
	assert_true(now_ms() - t0 < 2500);  /* ... not for the deadline */
	fake_stop(&f);
	assert_int_equal(f.ngot, 13);
	assert_memory_equal(f.got + 6, "receipt", 7);
}

static void
test_paper_out_is_reported_and_nothing_sent(void **state)
{
	struct fake f;
	struct printer_spec s;

	(void)state;
	fake_start(&f, FAKE_PAPER_OUT);
	spec_for(&f, &s);
	assert_int_equal(printer_print(&s, "receipt", 7, 3000, 1000),
	    PRINTER_E_PAPER);
	fake_stop(&f);
	assert_int_equal(f.ngot, 6); /* only the question */
	assert_string_equal(printer_err_name(PRINTER_E_PAPER), "paper");
	assert_string_equal(printer_err_text(PRINTER_E_PAPER, RECEIPT_ZH),
	    "打印机缺纸");
}

static void
test_stalled_printer_times_out_at_the_deadline(void **state)
{
	static char big[512 * 1024];
	struct fake f;
	struct printer_spec s;
	int64_t t0, dt;

	(void)state;
	memset(big, 'x', sizeof big);
	fake_start(&f, FAKE_STALL);
	spec_for(&f, &s);
	t0 = now_ms();
	assert_int_equal(printer_print(&s, big, sizeof big, 400, 100),
	    PRINTER_E_TIMEOUT);
	dt = now_ms() - t0;
	assert_true(dt >= 390 && dt < 1500);
	fake_stop(&f);
}

static void
test_refused_connection_is_a_code(void **state)
{
	struct sockaddr_in a;
	socklen_t al = sizeof a;
	struct printer_spec s;
	char spec[64];
	int fd;

	(void)state;
	/* a port nobody listens on: bound, then closed */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &al), 0);
	close(fd);
	snprintf(spec, sizeof spec, "tcp:127.0.0.1:%d", ntohs(a.sin_port));
	assert_int_equal(printer_spec_parse(spec, &s), 0);
	assert_int_equal(printer_print(&s, "x", 1, 2000, 200),
	    PRINTER_E_REFUSED);
}

static void
test_job_is_driven_by_poll(void **state)
{
	struct fake f;
	struct printer_spec s;
	struct printer_job *j;
	int64_t now = now_ms();
	short ev;
	int steps = 0;

	(void)state;
	fake_start(&f, FAKE_PRINTS);
	spec_for(&f, &s);
	j = printer_job_start(&s, "abc", 3, now, 3000, 500);
	/* the job never blocks: the caller owns the waiting */
	while (printer_job_step(j, now_ms())) {
		assert_true(printer_job_fd(j, &ev) >= 0);
		assert_true(printer_job_deadline(j) <= now + 3000);
		usleep(1000);
		steps++;
	}
	assert_int_equal(printer_job_err(j), PRINTER_OK);
	assert_true(printer_job_fd(j, &ev) < 0);
	printer_job_free(j);
	fake_stop(&f);
	assert_int_equal(f.ngot, 9);
	(void)steps;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_is_gb18030_with_fullwidth_yuan),
		cmocka_unit_test(test_wrap_splits_at_characters_by_columns),
		cmocka_unit_test(test_sale_58mm_chinese_matches_bytes),
		cmocka_unit_test(test_sale_80mm_english_cash_matches_bytes),
		cmocka_unit_test(test_refund_receipt_says_what_goes_back),
		cmocka_unit_test(test_render_refuses_nonsense),
		cmocka_unit_test(test_spec_parse),
		cmocka_unit_test(test_file_device_appends_receipts),
		cmocka_unit_test(test_kept_receipt_reprints_the_same_bytes),
		cmocka_unit_test(test_tcp_printer_gets_the_exact_bytes),
		cmocka_unit_test(test_tcp_printer_without_status_still_prints),
		cmocka_unit_test(test_paper_out_is_reported_and_nothing_sent),
		cmocka_unit_test(test_stalled_printer_times_out_at_the_deadline),
		cmocka_unit_test(test_refused_connection_is_a_code),
		cmocka_unit_test(test_job_is_driven_by_poll),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
