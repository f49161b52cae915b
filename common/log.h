/*
 * log.h — one line per event on stderr.
 *
 * A line is "2026-11-22T14:30:00Z info message". Under systemd, when stderr
 * is the journal's stream (the JOURNAL_STREAM variable names its
 * device:inode), the line is "<6>message" instead: the journal reads the
 * priority from the sd-daemon(3) prefix and stamps the time itself.
 *
 * A message never spans lines: newlines and other control characters in it
 * become visible escapes ("\n", "\x1b"), and a trailing newline is dropped.
 * Each line goes out in one write(2) under a lock, so lines from threads
 * never interleave; errno is left as it was, so "%m" works. Messages longer
 * than LOG_LINE_MAX bytes are cut, ending in "...". All functions are
 * thread-safe.
 */
#ifndef CB_LOG_H
#define CB_LOG_H

#include <stdarg.h>
#include <stdbool.h>

#define LOG_LINE_MAX 8192

/* Named LOG_LEVEL_* so as not to clash with <syslog.h>'s LOG_INFO. */
enum log_level { LOG_LEVEL_DEBUG, LOG_LEVEL_INFO, LOG_LEVEL_WARN, LOG_LEVEL_ERROR };

/* Messages below level are dropped; the default is LOG_LEVEL_INFO. */
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* "debug", "info", "warn" (or "warning"), "error" → *out; false otherwise. */
bool log_level_parse(const char *s, enum log_level *out);
/* The level's name as written in lines ("warn"); a static string. */
const char *log_level_name(enum log_level level);

/* Where lines go (default 2, stderr). Also decides again whether fd is the
 * journal's stream, from JOURNAL_STREAM as it is now. The fd stays the
 * caller's. */
void log_set_output_fd(int fd);

void log_write(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_vwrite(enum log_level level, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
