/*
 * faultvfs.c — a SQLite VFS shim for the fault loops, loaded into a quan
 * process with LD_PRELOAD by the tests only (libquan_faultvfs.so): the
 * quan binary under test is the one that ships, unchanged and unaware.
 *
 * At load it registers itself as the default VFS in front of the real one
 * ("unix") and counts the steps that make a commit durable: every xWrite
 * and xSync of a main database, WAL or rollback journal file (temp files
 * are not steps). At step N it does what it is told:
 *
 *   QUAN_FAULT_AT=N       the step to act on (unset or 0: count only)
 *   QUAN_FAULT_DO=ioerr   fail it: SQLITE_IOERR_WRITE / SQLITE_IOERR_FSYNC
 *                 full    a write fails with SQLITE_FULL (a sync: IOERR)
 *                 exit    _exit(QUAN_FAULT_EXIT_CODE) before the step runs
 *                         (a power cut: what was not synced may be lost,
 *                         which _exit does not simulate; a crash is)
 *   QUAN_FAULT_ON=step    what counts: step (writes and syncs, default),
 *                 write   writes only, sync syncs only, commit the write of
 *                         a WAL frame that carries the commit mark
 *   QUAN_FAULT_PERSIST=1  every counted step from N on fails too (a disk
 *                         that stays full), not only the Nth
 *   QUAN_FAULT_DELAY_MS=D the faulted step first waits D ms (a slow fsync on
 *                         a loaded disk): whatever another thread does
 *                         meanwhile -- a request that leaves before its
 *                         "sent" is durable -- has time to happen
 *   QUAN_FAULT_REPORT=F   appends "fired DO N" when the fault fires and,
 *                         at a normal exit, "steps K" (K counted steps)
 *
 * The environment is read once, at load. Steps are counted with atomics
 * (the sync thread never writes SQLite, but the count must not race if it
 * ever did).
 */
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#define QUAN_FAULT_EXIT_CODE 86

enum f_do { F_IOERR, F_FULL, F_EXIT };
enum f_on { ON_STEP, ON_WRITE, ON_SYNC, ON_COMMIT };

struct f_file {
	sqlite3_file base;
	int counted;   /* main db, WAL or journal */
	int wal;
	sqlite3_file *real; /* follows this struct in the same allocation */
};

static sqlite3_vfs *real_vfs;
static long long f_at;
static enum f_do f_do;
static enum f_on f_on;
static int f_persist;
static long f_delay_ms;
static const char *f_report;
static atomic_llong f_steps;
static atomic_int f_fired;

static void
f_note(const char *what, long long n)
{
	char line[64];
	int fd, len;

	if (f_report == NULL)
		return;
	len = snprintf(line, sizeof line, "%s %lld\n", what, n);
	fd = open(f_report, O_WRONLY | O_CREAT | O_APPEND, 0600);
	if (fd < 0)
		return;
	if (write(fd, line, (size_t)len) != len) {
		/* nothing to do: the loop sees a missing line */
	}
	close(fd);
}

/* Count one step; returns 1 when it must fail. */
static int
f_step(void)
{
	long long n = atomic_fetch_add(&f_steps, 1) + 1;

	if (f_at <= 0 || n < f_at || (n > f_at && !f_persist))
		return 0;
	if (f_delay_ms > 0 && n == f_at) {
		struct timespec ts = { f_delay_ms / 1000,
		    (f_delay_ms % 1000) * 1000000L };

		while (nanosleep(&ts, &ts) != 0)
			;
	}
	if (atomic_exchange(&f_fired, 1) == 0 || f_do == F_EXIT)
		f_note(f_do == F_EXIT ? "fired exit" : f_do == F_FULL ?
		    "fired full" : "fired ioerr", n);
	if (f_do == F_EXIT)
		_exit(QUAN_FAULT_EXIT_CODE);
	return 1;
}

#define REAL(f) (((struct f_file *)(f))->real)

static int
f_close(sqlite3_file *f)
{
	int rc = REAL(f)->pMethods->xClose(REAL(f));

	f->pMethods = NULL;
	return rc;
}

static int
f_read(sqlite3_file *f, void *p, int n, sqlite3_int64 off)
{
	return REAL(f)->pMethods->xRead(REAL(f), p, n, off);
}

static int
f_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
	struct f_file *ff = (struct f_file *)f;

	if (ff->counted && f_on != ON_SYNC) {
		const unsigned char *b = p;
		/* a WAL frame header (24 bytes after the 32-byte file
		 * header) whose "database size after commit" is not 0 */
		int commit = ff->wal && n == 24 && off >= 32 &&
		    (b[4] | b[5] | b[6] | b[7]) != 0;

		if ((f_on != ON_COMMIT || commit) && f_step())
			return f_do == F_FULL ? SQLITE_FULL :
			    SQLITE_IOERR_WRITE;
	}
	return REAL(f)->pMethods->xWrite(REAL(f), p, n, off);
}

static int
f_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	return REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int
f_sync(sqlite3_file *f, int flags)
{
	if (((struct f_file *)f)->counted && (f_on == ON_STEP ||
	    f_on == ON_SYNC) && f_step())
		return SQLITE_IOERR_FSYNC;
	return REAL(f)->pMethods->xSync(REAL(f), flags);
}

static int
f_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int
f_lock(sqlite3_file *f, int l)
{
	return REAL(f)->pMethods->xLock(REAL(f), l);
}

static int
f_unlock(sqlite3_file *f, int l)
{
	return REAL(f)->pMethods->xUnlock(REAL(f), l);
}

static int
f_check(sqlite3_file *f, int *out)
{
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int
f_fcntl(sqlite3_file *f, int op, void *arg)
{
	return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int
f_sector(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int
f_devchar(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int
f_shmmap(sqlite3_file *f, int pg, int sz, int extend, void volatile **pp)
{
	return REAL(f)->pMethods->xShmMap(REAL(f), pg, sz, extend, pp);
}

static int
f_shmlock(sqlite3_file *f, int off, int n, int flags)
{
	return REAL(f)->pMethods->xShmLock(REAL(f), off, n, flags);
}

static void
f_shmbarrier(sqlite3_file *f)
{
	REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int
f_shmunmap(sqlite3_file *f, int del)
{
	return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}

static int
f_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **pp)
{
	return REAL(f)->pMethods->xFetch(REAL(f), off, n, pp);
}

static int
f_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	return REAL(f)->pMethods->xUnfetch(REAL(f), off, p);
}

static const sqlite3_io_methods f_io = {
	3, f_close, f_read, f_write, f_truncate, f_sync, f_size, f_lock,
	f_unlock, f_check, f_fcntl, f_sector, f_devchar, f_shmmap, f_shmlock,
	f_shmbarrier, f_shmunmap, f_fetch, f_unfetch
};

static int
f_open(sqlite3_vfs *v, const char *name, sqlite3_file *f, int flags,
    int *oflags)
{
	struct f_file *ff = (struct f_file *)f;
	int rc;

	(void)v;
	ff->real = (sqlite3_file *)(ff + 1);
	ff->counted = (flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL |
	    SQLITE_OPEN_MAIN_JOURNAL)) != 0;
	ff->wal = (flags & SQLITE_OPEN_WAL) != 0;
	rc = real_vfs->xOpen(real_vfs, name, ff->real, flags, oflags);
	/* the real file's methods must be version 3 (WAL needs shm) */
	f->pMethods = ff->real->pMethods != NULL ? &f_io : NULL;
	return rc;
}

static int
f_delete(sqlite3_vfs *v, const char *name, int sync)
{
	(void)v;
	return real_vfs->xDelete(real_vfs, name, sync);
}

static int
f_access(sqlite3_vfs *v, const char *name, int flags, int *out)
{
	(void)v;
	return real_vfs->xAccess(real_vfs, name, flags, out);
}

static int
f_fullpath(sqlite3_vfs *v, const char *name, int n, char *out)
{
	(void)v;
	return real_vfs->xFullPathname(real_vfs, name, n, out);
}

static void *
f_dlopen(sqlite3_vfs *v, const char *name)
{
	(void)v;
	return real_vfs->xDlOpen(real_vfs, name);
}

static void
f_dlerror(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	real_vfs->xDlError(real_vfs, n, out);
}

static void (*f_dlsym(sqlite3_vfs *v, void *h, const char *sym))(void)
{
	(void)v;
	return real_vfs->xDlSym(real_vfs, h, sym);
}

static void
f_dlclose(sqlite3_vfs *v, void *h)
{
	(void)v;
	real_vfs->xDlClose(real_vfs, h);
}

static int
f_random(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	return real_vfs->xRandomness(real_vfs, n, out);
}

static int
f_sleep(sqlite3_vfs *v, int us)
{
	(void)v;
	return real_vfs->xSleep(real_vfs, us);
}

static int
f_time(sqlite3_vfs *v, double *out) /* SQLite's own signature */
{
	(void)v;
	return real_vfs->xCurrentTime(real_vfs, out);
}

static int
f_lasterr(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	return real_vfs->xGetLastError(real_vfs, n, out);
}

static int
f_time64(sqlite3_vfs *v, sqlite3_int64 *out)
{
	(void)v;
	return real_vfs->xCurrentTimeInt64(real_vfs, out);
}

/* szOsFile and mxPathname are the real VFS's, set at load */
static sqlite3_vfs f_vfs = {
	.iVersion = 2, .zName = "quan-fault", .xOpen = f_open,
	.xDelete = f_delete, .xAccess = f_access, .xFullPathname = f_fullpath,
	.xDlOpen = f_dlopen, .xDlError = f_dlerror, .xDlSym = f_dlsym,
	.xDlClose = f_dlclose, .xRandomness = f_random, .xSleep = f_sleep,
	.xCurrentTime = f_time, .xGetLastError = f_lasterr,
	.xCurrentTimeInt64 = f_time64,
};

static void
f_atexit(void)
{
	f_note("steps", atomic_load(&f_steps));
}

__attribute__((constructor)) static void
f_init(void)
{
	const char *e;

	real_vfs = sqlite3_vfs_find(NULL);
	if (real_vfs == NULL || real_vfs->iVersion < 2) {
		fprintf(stderr, "faultvfs: no usable default VFS\n");
		_exit(2);
	}
	e = getenv("QUAN_FAULT_AT");
	f_at = e != NULL ? strtoll(e, NULL, 10) : 0;
	e = getenv("QUAN_FAULT_DO");
	f_do = e == NULL || strcmp(e, "ioerr") == 0 ? F_IOERR :
	    strcmp(e, "full") == 0 ? F_FULL : strcmp(e, "exit") == 0 ? F_EXIT :
	    (fprintf(stderr, "faultvfs: QUAN_FAULT_DO=%s?\n", e), _exit(2),
	    F_IOERR);
	e = getenv("QUAN_FAULT_ON");
	f_on = e == NULL || strcmp(e, "step") == 0 ? ON_STEP :
	    strcmp(e, "write") == 0 ? ON_WRITE : strcmp(e, "sync") == 0 ?
	    ON_SYNC : strcmp(e, "commit") == 0 ? ON_COMMIT :
	    (fprintf(stderr, "faultvfs: QUAN_FAULT_ON=%s?\n", e), _exit(2),
	    ON_STEP);
	e = getenv("QUAN_FAULT_PERSIST");
	f_persist = e != NULL && strcmp(e, "1") == 0;
	f_report = getenv("QUAN_FAULT_REPORT");
	e = getenv("QUAN_FAULT_DELAY_MS");
	f_delay_ms = e != NULL ? strtol(e, NULL, 10) : 0;
	f_vfs.szOsFile = (int)sizeof(struct f_file) + real_vfs->szOsFile;
	f_vfs.mxPathname = real_vfs->mxPathname;
	if (sqlite3_vfs_register(&f_vfs, 1) != SQLITE_OK) {
		fprintf(stderr, "faultvfs: cannot register\n");
		_exit(2);
	}
	atexit(f_atexit);
}
