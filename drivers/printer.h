/*
 * printer.h — receipts on an ESC/POS thermal printer
 * (shared/docs/wechatpay-codepay.md §12).
 *
 *  - struct receipt: what a receipt says, as plain data. The core fills
 *    it from a sale (this layer knows nothing of sales or coupons);
 *    money is int64_t fen, text is UTF-8.
 *  - escpos_render(): the receipt as the exact bytes a printer is sent
 *    (ESC @, FS & + GB18030, ￥ never ¥, wrapping at character
 *    boundaries by display columns, the out_trade_no as a QR, cut).
 *    Pure: the same receipt gives the same bytes, so the bytes can be
 *    stored and sent again for a reprint.
 *  - struct printer / printer_job: the device (`/dev/usb/lp0`,
 *    `tcp:HOST:9100`, `file:PATH`) and one print of those bytes as a
 *    non-blocking job with a deadline: the caller polls printer_job_fd()
 *    with its other fds, or printer_print() waits up to the deadline.
 *    A printer that is off, refuses, stalls or is out of paper is a code
 *    (enum printer_err), never a hang: the sale goes on and the stored
 *    bytes are printed later.
 */
#ifndef QUAN_PRINTER_H
#define QUAN_PRINTER_H

#include <stddef.h>
#include <stdint.h>

#include "core/receipt.h"

/* ---- rendering -------------------------------------------------------- */

#define RECEIPT_MAX_BYTES (64 * 1024)

/* A report (the X/Z screen's lines) for a width_mm printer: the store
 * name, the title large, each "label\tvalue" line with the value flush
 * right (the label wraps), cut. QUAN_EINVAL / QUAN_ETOOBIG. */
int escpos_render_doc(const struct receipt_doc *d, int width_mm, char **out,
    size_t *len);

/* 58 mm → 32 columns, 80 mm → 48 (Font A, 203 dpi; doc §12.2). 0 for
 * another width. */
int escpos_columns(int width_mm);

/* Render r for a width_mm printer: *out (malloc'd) and *len. QUAN_EINVAL
 * for a receipt that makes no sense (no store name, no out_trade_no,
 * a width that is not 58/80, negative amounts), QUAN_ETOOBIG past
 * RECEIPT_MAX_BYTES. */
int escpos_render(const struct receipt *r, int width_mm, char **out,
    size_t *len);

/* UTF-8 → GB18030 for a printer, one character at a time: ¥ becomes ￥
 * (A3 A4), characters that need 4 GB18030 bytes, control characters and
 * invalid UTF-8 become '?'. The display width in columns (ASCII 1,
 * 2-byte 2) is added to *cols when cols is not NULL. Appends to a
 * malloc'd buffer; returns its length or -1 past max. */
struct buf;
int escpos_text(struct buf *b, const char *utf8, size_t n, int *cols);

/* Split utf8 into lines of at most cols display columns, at character
 * boundaries (a Hanzi never split). Calls fn for each line (bytes of the
 * UTF-8 input). Returns the number of lines. */
int escpos_wrap(const char *utf8, int cols,
    void (*fn)(void *u, const char *s, size_t n, int width), void *u);

/* A demo sale (three items, a 商家券, a 卡券, a WeChat Pay voucher, paid
 * with a payment code): `quan print --sample`, a printer's test page. The
 * strings are static. */
void escpos_sample(struct receipt *r, enum receipt_lang lang);

/* ---- the device ------------------------------------------------------- */

enum printer_err {
	PRINTER_OK = 0,
	PRINTER_E_CONFIG,       /* the device spec is wrong */
	PRINTER_E_NODEV,        /* no such device / file (unplugged) */
	PRINTER_E_REFUSED,      /* tcp: connection refused / unreachable */
	PRINTER_E_TIMEOUT,      /* did not take the bytes by the deadline */
	PRINTER_E_OFFLINE,      /* status: off line (cover open, error) */
	PRINTER_E_PAPER,        /* status: paper end */
	PRINTER_E_PERM,         /* no permission on the device */
	PRINTER_E_IO            /* another write/connect error */
};
/* "ok", "nodev", "refused", "timeout", "offline", "paper", "perm", "io" */
const char *printer_err_name(enum printer_err e);
/* The cashier's words (zh_CN or en). Static. */
const char *printer_err_text(enum printer_err e, enum receipt_lang lang);

enum printer_kind { PRINTER_DEV = 0, PRINTER_TCP, PRINTER_FILE };

struct printer_spec {
	enum printer_kind kind;
	char path[256];             /* dev / file */
	char host[256];
	char port[8];
};
/* "/dev/...", "tcp:HOST:PORT" (PORT defaults to 9100; [v6]:PORT),
 * "file:PATH". 0 or PRINTER_E_CONFIG. */
int printer_spec_parse(const char *spec, struct printer_spec *out);

struct printer_job;

/* Start printing data (copied) on the device of spec; deadline_ms from
 * now bounds everything (connect, status, write). status_ms (≤ deadline)
 * is how long to wait for a DLE EOT answer before printing anyway
 * (0 = do not ask; printers on a one-way link never answer). Returns a
 * job, never NULL (a failure to start is a finished job with its code). */
struct printer_job *printer_job_start(const struct printer_spec *spec,
    const char *data, size_t len, int64_t now_ms, int deadline_ms,
    int status_ms);
/* The fd to poll and the events (POLLIN/POLLOUT); -1 when finished. */
int printer_job_fd(const struct printer_job *j, short *events);
/* When the job gives up if nothing happens (monotonic ms). */
int64_t printer_job_deadline(const struct printer_job *j);
/* Advance after poll (or at the deadline). Returns 1 while pending,
 * 0 when finished (then printer_job_err()). */
int printer_job_step(struct printer_job *j, int64_t now_ms);
enum printer_err printer_job_err(const struct printer_job *j);
/* errno of the failure (0 when none), for the log. */
int printer_job_errno(const struct printer_job *j);
void printer_job_free(struct printer_job *j);

/* Keep rendered bytes for a reprint: written to path.tmp (0600), synced,
 * renamed over path. QUAN_EIO with errno kept. Load: *data malloc'd;
 * QUAN_ENOTFOUND when there is none, QUAN_ETOOBIG past
 * RECEIPT_MAX_BYTES. */
int printer_keep(const char *path, const char *data, size_t len);
int printer_load(const char *path, char **data, size_t *len);

/* Start, poll and step until finished: at most deadline_ms. */
enum printer_err printer_print(const struct printer_spec *spec,
    const char *data, size_t len, int deadline_ms, int status_ms);

/* ---- the port the core prints through (core/receipt.h) -------------- */

struct printer_port_opts {
	const char *device;          /* [printer] device */
	int width_mm;                /* 58 | 80 */
	int timeout_ms, status_ms;   /* [printer] timeout_ms, status_ms */
	const char *keep_path;       /* the last receipt's bytes, or NULL */
};
/* A port on that device (stepped with tm_mono_ms() times); NULL for a device spec or width that is wrong
 * (the caller says so). Main thread. */
struct receipt_port *printer_port_new(const struct printer_port_opts *o);
void printer_port_free(struct receipt_port *p); /* NULL-safe */

#endif
