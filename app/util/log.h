/*
 * log.h — one line per event, prefixed with time, level and the function
 * (tmux style: log_info("%s: ...", __func__) is done for you by the macros).
 * Any thread. Never log keys, secrets, signatures or full coupon codes: pass
 * codes through log_mask().
 */
#ifndef QUAN_LOG_H
#define QUAN_LOG_H

#include <stddef.h>

enum log_level { LOG_ERROR = 0, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* Send log lines to path (append), or stderr when path is NULL. Main thread,
 * before other threads start. Returns 0 or QUAN_EIO. */
int log_open(const char *path, enum log_level level);
void log_close(void);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);

void log_write(enum log_level level, const char *func, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define log_error(...) log_write(LOG_ERROR, __func__, __VA_ARGS__)
#define log_warn(...) log_write(LOG_WARN, __func__, __VA_ARGS__)
#define log_info(...) log_write(LOG_INFO, __func__, __VA_ARGS__)
#define log_debug(...) log_write(LOG_DEBUG, __func__, __VA_ARGS__)

/* Mask a coupon code for logs: keeps the first 4 and last 2 characters
 * ("1227************17"). Writes into out (size n), returns out. */
char *log_mask(const char *code, char *out, size_t n);

#endif
