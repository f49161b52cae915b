/*
 * log.c — event lines on stderr or the journal (see log.h).
 *
 * State: the minimum level (an atomic, read without the lock on every call
 * so that dropped debug lines cost nothing), and under log_lock the output
 * fd and whether it is the journal's stream, decided on the first line and
 * again at every log_set_output_fd(). A line is formatted and escaped on the
 * caller's stack, then written with one writev(2) while holding the lock.
 */
#include "log.h"

#include "civil.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_int log_min_level = LOG_LEVEL_INFO;
static int log_fd = STDERR_FILENO; /* under log_lock */
static int log_journal = -1;       /* under log_lock: -1 not yet known, 0 no, 1 yes */

static const char *const log_names[] = {"debug", "info", "warn", "error"};
/* sd-daemon(3): SD_DEBUG, SD_INFO, SD_WARNING, SD_ERR. */
static const int log_priorities[] = {7, 6, 4, 3};

static enum log_level log_clamp(enum log_level level)
{
    if ((int)level < LOG_LEVEL_DEBUG)
        return LOG_LEVEL_DEBUG;
    if ((int)level > LOG_LEVEL_ERROR)
        return LOG_LEVEL_ERROR;
    return level;
}

void log_set_level(enum log_level level)
{
    atomic_store(&log_min_level, (int)log_clamp(level));
}

enum log_level log_get_level(void)
{
    return (enum log_level)atomic_load(&log_min_level);
}

bool log_level_parse(const char *s, enum log_level *out)
{
    if (s == NULL)
        return false;
    for (int i = LOG_LEVEL_DEBUG; i <= LOG_LEVEL_ERROR; i++) {
        if (strcmp(s, log_names[i]) == 0) {
            *out = (enum log_level)i;
            return true;
        }
    }
    if (strcmp(s, "warning") == 0) {
        *out = LOG_LEVEL_WARN;
        return true;
    }
    return false;
}

const char *log_level_name(enum log_level level)
{
    return log_names[log_clamp(level)];
}

/* True when JOURNAL_STREAM ("DEVICE:INODE", decimal) names fd's file. */
static bool log_is_journal(int fd)
{
    const char *env = getenv("JOURNAL_STREAM");
    struct stat st;
    char *end;
    if (env == NULL || *env < '0' || *env > '9')
        return false;
    errno = 0;
    uintmax_t dev = strtoumax(env, &end, 10);
    if (errno != 0 || *end != ':' || end[1] < '0' || end[1] > '9')
        return false;
    uintmax_t ino = strtoumax(end + 1, &end, 10);
    if (errno != 0 || *end != '\0' || fstat(fd, &st) != 0)
        return false;
    return (uintmax_t)st.st_dev == dev && (uintmax_t)st.st_ino == ino;
}

void log_set_output_fd(int fd)
{
    int saved = errno;
    pthread_mutex_lock(&log_lock);
    log_fd = fd;
    log_journal = log_is_journal(fd);
    pthread_mutex_unlock(&log_lock);
    errno = saved;
}

/* Copies msg (len bytes) into out (size bytes, NUL-terminated) as one line:
 * control characters become \n, \r or \xHH escapes, tabs stay. When it does
 * not all fit, or cut is already true, the copy ends in "...". Returns the
 * length written. */
static size_t log_escape(char *out, size_t size, const char *msg, size_t len, bool cut)
{
    size_t o = 0;
    size_t room = size - 4; /* keep space for "..." and the NUL */
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)msg[i];
        char esc[5];
        size_t n;
        if (c == '\n') {
            memcpy(esc, "\\n", 2);
            n = 2;
        } else if (c == '\r') {
            memcpy(esc, "\\r", 2);
            n = 2;
        } else if ((c < 0x20 && c != '\t') || c == 0x7f) {
            static const char hex[] = "0123456789abcdef";
            esc[0] = '\\';
            esc[1] = 'x';
            esc[2] = hex[c >> 4];
            esc[3] = hex[c & 15];
            n = 4;
        } else {
            esc[0] = (char)c;
            n = 1;
        }
        if (o + n > room) {
            cut = true;
            break;
        }
        memcpy(out + o, esc, n);
        o += n;
    }
    if (cut) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
    return o;
}

/* Writes all of iov, continuing after a short write or an interruption. */
static void log_output(int fd, struct iovec *iov, int count)
{
    while (count > 0) {
        ssize_t n = writev(fd, iov, count);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return; /* nowhere left to report it */
        }
        while (count > 0 && (size_t)n >= iov->iov_len) {
            n -= (ssize_t)iov->iov_len;
            iov++;
            count--;
        }
        if (count > 0) {
            iov->iov_base = (char *)iov->iov_base + n;
            iov->iov_len -= (size_t)n;
        }
    }
}

void log_vwrite(enum log_level level, const char *fmt, va_list ap)
{
    level = log_clamp(level);
    if ((int)level < atomic_load(&log_min_level))
        return;
    int saved = errno;
    char msg[LOG_LINE_MAX], line[LOG_LINE_MAX + 1];
    int n = vsnprintf(msg, sizeof msg, fmt, ap);
    size_t len = n < 0 ? 0 : (size_t)n;
    bool cut = len >= sizeof msg;
    if (cut)
        len = sizeof msg - 1;
    while (!cut && len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == '\r'))
        len--;
    size_t body = log_escape(line, sizeof line - 1, msg, len, cut);
    line[body++] = '\n';

    char prefix[64];
    pthread_mutex_lock(&log_lock);
    if (log_journal < 0)
        log_journal = log_is_journal(log_fd);
    if (log_journal) {
        snprintf(prefix, sizeof prefix, "<%d>", log_priorities[level]);
    } else {
        char stamp[CIVIL_RFC3339_SIZE];
        civil_format_rfc3339((int64_t)time(NULL), stamp);
        snprintf(prefix, sizeof prefix, "%s %s ", stamp, log_names[level]);
    }
    struct iovec iov[2] = {{prefix, strlen(prefix)}, {line, body}};
    log_output(log_fd, iov, 2);
    pthread_mutex_unlock(&log_lock);
    errno = saved;
}

void log_write(enum log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vwrite(level, fmt, ap);
    va_end(ap);
}

void log_debug(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vwrite(LOG_LEVEL_DEBUG, fmt, ap);
    va_end(ap);
}

void log_info(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vwrite(LOG_LEVEL_INFO, fmt, ap);
    va_end(ap);
}

void log_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vwrite(LOG_LEVEL_WARN, fmt, ap);
    va_end(ap);
}

void log_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vwrite(LOG_LEVEL_ERROR, fmt, ap);
    va_end(ap);
}
