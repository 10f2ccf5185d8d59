/* log.c — line logger; one write(2)-sized fprintf per line, so lines from
 * several threads do not interleave. Messages often carry text from the
 * network (headers, WeChat's error messages): every line is cleaned
 * (str_clean) so a control character or a stray byte cannot forge a line
 * or drive the terminal that reads the log. */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/err.h"
#include "util/log.h"
#include "util/str.h"

static FILE *log_fp;                     /* NULL = stderr */
static enum log_level log_level = LOG_WARN;

int
log_open(const char *path, enum log_level level)
{
	struct stat st;
	int fd;

	log_level = level;
	if (path == NULL)
		return QUAN_OK;
	log_close();
	/* the log names sales, staff and errors: 0600, also when an older
	 * quan (or an editor) left it readable by others */
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0600)) < 0)
		return QUAN_EIO;
	if (fstat(fd, &st) != 0 || (!S_ISREG(st.st_mode) &&
	    !S_ISCHR(st.st_mode)) || (S_ISREG(st.st_mode) &&
	    (st.st_mode & 077) != 0 && fchmod(fd, 0600) != 0) ||
	    (log_fp = fdopen(fd, "a")) == NULL) {
		close(fd);
		return QUAN_EIO;
	}
	setvbuf(log_fp, NULL, _IOLBF, 0);
	return QUAN_OK;
}

void
log_close(void)
{
	if (log_fp != NULL)
		fclose(log_fp);
	log_fp = NULL;
}

void
log_set_level(enum log_level level)
{
	log_level = level;
}

enum log_level
log_get_level(void)
{
	return log_level;
}

void
log_write(enum log_level level, const char *func, const char *fmt, ...)
{
	static const char *names[] = {"error", "warn", "info", "debug"};
	char line[1024], msg[1024], ts[32];
	struct timespec now;
	struct tm tm;
	va_list ap;
	int n;

	if (level > log_level)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
	n = snprintf(line, sizeof line, "%s.%03ldZ %s %s: ", ts,
		now.tv_nsec / 1000000, names[level], func);
	if (n < 0 || (size_t)n >= sizeof line)
		n = 0;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	str_clean(line + n, sizeof line - (size_t)n, msg, sizeof msg);
	fprintf(log_fp != NULL ? log_fp : stderr, "%s\n", line);
}

char *
log_mask(const char *code, char *out, size_t n)
{
	size_t len = strlen(code), i, j = 0;

	if (n == 0)
		return out;
	for (i = 0; i < len && j + 1 < n; i++)
		out[j++] = (len <= 6 || i < 4 || i >= len - 2) ? code[i] : '*';
	out[j] = '\0';
	return out;
}
