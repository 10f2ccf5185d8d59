/*
 * archive.h — bounded history on the till: settled sales (with their
 * coupons and outbox rows), journal entries and notification ids older
 * than a cutoff move out of the live store into a dated archive file
 * (DIR/quan-archive-YYYY-MM.db, a store file of its own, mode 0600), so
 * the live file stays the size of its window. `quan archive --before
 * DATE` runs it; `quan sync` runs it hourly when [store] keep_days is set.
 *
 * A sale moves with its payments (and their vouchers) and refunds, so
 * a sale and its money are always in the same file. What never moves: a
 * sale still open, any coupon pending, unknown, accepted offline, being
 * returned or in conflict (or an outbox row not done), a payment still
 * pending or unknown, a refund under way or ABNORMAL, anything that changed at or after the cutoff, and anything a
 * report of the last keep_days days or of the current Z period reads —
 * the cutoff is clamped to local midnight keep_days days ago and to the
 * last Z report. A confirmed coupon's code stays in the code cache as
 * used, so an archived coupon is still refused offline as already used;
 * the codes of a stock or card whose validity ended before the cutoff
 * (none can be redeemed any more) leave the cache, which so stays the
 * size of the campaigns still running.
 *
 * The journal moves as a prefix of its chain; each cut is anchored in the
 * live chain by an entry JOURNAL_ANCHOR (journal.h) naming the file, the
 * last entry moved and its hash, and `quan journal verify --archive FILE`
 * checks archive and live as one chain. Each step is short transactions
 * of one file; killed at any point, the next run finishes the same file
 * and nothing is lost or held twice (store.h, archive).
 *
 * Where the archive goes is one place (the file named here, through
 * store_archive_*): sending archives to the store hub later is a new sink
 * for the same batches, not a new rule.
 */
#ifndef QUAN_ARCHIVE_H
#define QUAN_ARCHIVE_H

#include <stdint.h>

struct store;

struct archive_opts {
	int64_t before;      /* epoch s: move what is older (then clamped) */
	int keep_days;       /* days kept live whatever `before` says */
	const char *dir;     /* archive folder (created 0700) */
	int64_t now;         /* epoch s */
	int batch;           /* sales per transaction (0: 500) */
	int max_batches;     /* stop after this many (0: run to the end);
	                        result.more says whether work is left */
	int full_vacuum;     /* a file without auto-vacuum: VACUUM it once */
};

struct archive_result {
	int64_t cutoff;      /* what was used after clamping */
	int clamped;         /* 1: opts.before was later than allowed */
	char file[512];      /* the archive file ("" when nothing to do) */
	int64_t txns, redemptions, outbox, journal, notices;
	int64_t codes;       /* cached codes of ended stocks/cards dropped */
	int64_t payments, refunds; /* moved with their sales */
	int resumed;         /* a run cut off before was finished */
	int more;            /* max_batches reached: call again */
	int64_t size_before, size_after; /* the database file, bytes */
};

/* One run; one at a time per archive folder (an flock on
 * DIR/archive.lock: QUAN_EBUSY while another runs). QUAN_E* with *cause
 * (caller frees) on failure; what was moved before a failure stays moved
 * (each batch is whole). Main thread. */
int archive_run(struct store *st, const struct archive_opts *o,
    struct archive_result *r, char **cause);

#endif
