/*
 * test_log.c — the line format captured through a pipe, level filtering,
 * escaping of newlines and control characters, cutting of long messages,
 * the journal's priority prefixes, and lines from many threads at once.
 */
#include "log.h"
#include "civil.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int pipe_rd = -1, pipe_wr = -1;

/* Everything written to the pipe since the last call ("" when nothing). */
static const char *captured(void)
{
    static char buf[3 * LOG_LINE_MAX];
    size_t n = 0;
    for (;;) {
        ssize_t r = read(pipe_rd, buf + n, sizeof buf - 1 - n);
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    buf[n] = '\0';
    return buf;
}

/* Checks "TIMESTAMP LEVEL MESSAGE\n" with a timestamp of about now. */
static void check_line(const char *got, const char *level, const char *message)
{
    int64_t t = 0;
    char stamp[CIVIL_RFC3339_SIZE];
    size_t len = strlen(got);
    bool ok = len > 21 && got[20] == ' ';
    if (ok) {
        memcpy(stamp, got, 20);
        stamp[20] = '\0';
        ok = civil_parse_rfc3339(stamp, &t, NULL) && stamp[19] == 'Z' &&
             llabs((long long)(t - (int64_t)time(NULL))) <= 5;
    }
    tap_ok(ok, "line starts with the UTC time now: %.21s", got);
    char want[LOG_LINE_MAX + 64];
    snprintf(want, sizeof want, "%s %s\n", level, message);
    tap_is_str(ok ? got + 21 : got, want, "  then '%s %s' and a newline", level, message);
}

static void test_format_and_levels(void)
{
    log_set_output_fd(pipe_wr);
    tap_is_int(log_get_level(), LOG_LEVEL_INFO, "default level is info");
    log_info("hello %d", 5);
    check_line(captured(), "info", "hello 5");
    log_warn("disk %s", "slow");
    check_line(captured(), "warn", "disk slow");
    log_error("gone");
    check_line(captured(), "error", "gone");
    log_debug("noise");
    tap_is_str(captured(), "", "debug dropped at level info");
    log_set_level(LOG_LEVEL_DEBUG);
    log_debug("detail");
    check_line(captured(), "debug", "detail");
    log_set_level(LOG_LEVEL_WARN);
    log_info("dropped");
    log_debug("dropped");
    tap_is_str(captured(), "", "info and debug dropped at level warn");
    log_write(LOG_LEVEL_ERROR, "via log_write %s", "ok");
    check_line(captured(), "error", "via log_write ok");
    log_set_level(LOG_LEVEL_ERROR);
    log_warn("dropped");
    tap_is_str(captured(), "", "warn dropped at level error");
    log_set_level(LOG_LEVEL_INFO);
}

static void test_escaping(void)
{
    log_info("first\nsecond\r\nthird");
    check_line(captured(), "info", "first\\nsecond\\r\\nthird");
    log_info("trailing newline dropped\n");
    check_line(captured(), "info", "trailing newline dropped");
    log_info("esc \x1b[2J bell \a del \x7f tab\tkept");
    check_line(captured(), "info", "esc \\x1b[2J bell \\x07 del \\x7f tab\tkept");
    log_info("caf\xc3\xa9 stays UTF-8");
    check_line(captured(), "info", "caf\xc3\xa9 stays UTF-8");
    log_info("%s", "");
    check_line(captured(), "info", "");

    errno = ENOENT;
    log_error("open cbd.conf: %m");
    int after = errno;
    check_line(captured(), "error", "open cbd.conf: No such file or directory");
    tap_is_int(after, ENOENT, "errno left as it was");

    char *big = malloc(3 * LOG_LINE_MAX);
    memset(big, 'x', 3 * LOG_LINE_MAX - 1);
    big[3 * LOG_LINE_MAX - 1] = '\0';
    log_info("%s", big);
    const char *got = captured();
    size_t len = strlen(got);
    tap_ok(len > 4 && len <= 21 + 5 + LOG_LINE_MAX && strcmp(got + len - 4, "...\n") == 0 &&
               strchr(got, '\n') == got + len - 1, "a long message is cut to one line ending in ... (%zu bytes)", len);
    /* Escapes that would cross the limit are not split. */
    memset(big, '\n', LOG_LINE_MAX);
    big[LOG_LINE_MAX - 1] = 'z';
    big[LOG_LINE_MAX] = '\0';
    log_info("%s", big + LOG_LINE_MAX / 2);
    got = captured();
    len = strlen(got);
    tap_ok(len > 6 && strcmp(got + len - 4, "...\n") == 0 && got[len - 5] == 'n' &&
               got[len - 6] == '\\', "escaped newlines cut between escapes");
    free(big);
}

static void test_journal(void)
{
    struct stat st;
    char env[64];
    fstat(pipe_wr, &st);
    snprintf(env, sizeof env, "%ju:%ju", (uintmax_t)st.st_dev, (uintmax_t)st.st_ino);
    setenv("JOURNAL_STREAM", env, 1);
    log_set_output_fd(pipe_wr);
    log_set_level(LOG_LEVEL_DEBUG);
    log_info("to the journal");
    tap_is_str(captured(), "<6>to the journal\n", "journal: info is <6>, no timestamp");
    log_debug("d");
    tap_is_str(captured(), "<7>d\n", "journal: debug is <7>");
    log_warn("w");
    tap_is_str(captured(), "<4>w\n", "journal: warn is <4>");
    log_error("e\nf");
    tap_is_str(captured(), "<3>e\\nf\n", "journal: error is <3>, newline escaped");

    snprintf(env, sizeof env, "%ju:%ju", (uintmax_t)st.st_dev, (uintmax_t)st.st_ino + 1);
    setenv("JOURNAL_STREAM", env, 1);
    log_set_output_fd(pipe_wr);
    log_info("plain");
    check_line(captured(), "info", "plain");
    const char *bad[] = {"", "garbage", "1:", ":1", "1:2:3", "-1:5", "99999999999999999999999:1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        setenv("JOURNAL_STREAM", bad[i], 1);
        log_set_output_fd(pipe_wr);
        log_info("x");
        const char *got = captured();
        tap_ok(got[0] != '<', "JOURNAL_STREAM '%s' is not the journal", bad[i]);
    }
    unsetenv("JOURNAL_STREAM");
    log_set_output_fd(pipe_wr);
    log_set_level(LOG_LEVEL_INFO);
}

static void test_parse(void)
{
    static const struct { const char *s; enum log_level level; } good[] = {
        {"debug", LOG_LEVEL_DEBUG}, {"info", LOG_LEVEL_INFO}, {"warn", LOG_LEVEL_WARN},
        {"warning", LOG_LEVEL_WARN}, {"error", LOG_LEVEL_ERROR},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        enum log_level l = LOG_LEVEL_ERROR + 1;
        tap_ok(log_level_parse(good[i].s, &l) && l == good[i].level, "level '%s'", good[i].s);
    }
    const char *bad[] = {"INFO", "", "verbose", "err", "info "};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        enum log_level l = LOG_LEVEL_INFO;
        tap_ok(!log_level_parse(bad[i], &l) && l == LOG_LEVEL_INFO, "level '%s' refused", bad[i]);
    }
    enum log_level l;
    tap_ok(!log_level_parse(NULL, &l), "NULL refused");
    tap_is_str(log_level_name(LOG_LEVEL_WARN), "warn", "name of warn");
    tap_is_str(log_level_name(LOG_LEVEL_DEBUG), "debug", "name of debug");
}

#define THREADS 8
#define LINES 400

static void *thread_main(void *arg)
{
    int id = (int)(long)arg;
    char pad[3000];
    for (int i = 0; i < LINES; i++) {
        size_t n = (size_t)((id * 131 + i * 17) % 2900);
        memset(pad, 'a' + id, n);
        pad[n] = '\0';
        log_info("thread %d line %d %s|", id, i, pad);
    }
    return NULL;
}

static void test_threads(void)
{
    char path[] = "/tmp/test_log_XXXXXX";
    int fd = mkstemp(path);
    log_set_output_fd(fd);
    pthread_t th[THREADS];
    for (long i = 0; i < THREADS; i++)
        pthread_create(&th[i], NULL, thread_main, (void *)i);
    for (int i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL);
    log_set_output_fd(pipe_wr);

    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0;
    int lines = 0, bad = 0, seen[THREADS] = {0};
    while (getline(&line, &cap, f) > 0) {
        int id = -1, n = -1, off = 0;
        lines++;
        if (sscanf(line + 21, "info thread %d line %d %n", &id, &n, &off) != 2 || id < 0 ||
            id >= THREADS || n != seen[id]) {
            bad++;
            continue;
        }
        seen[id]++;
        size_t want = (size_t)((id * 131 + n * 17) % 2900);
        const char *p = line + 21 + off;
        for (size_t k = 0; k < want; k++)
            if (p[k] != 'a' + id)
                bad++;
        if (strcmp(p + want, "|\n") != 0)
            bad++;
    }
    free(line);
    fclose(f);
    unlink(path);
    close(fd);
    tap_is_int(lines, THREADS * LINES, "%d threads wrote %d lines each", THREADS, LINES);
    tap_is_int(bad, 0, "every line whole and in order per thread");
}

int main(void)
{
    int fds[2];
    if (pipe(fds) != 0)
        return 1;
    pipe_rd = fds[0];
    pipe_wr = fds[1];
    fcntl(pipe_rd, F_SETFL, O_NONBLOCK);
    fcntl(pipe_wr, F_SETPIPE_SZ, 1 << 20);
    unsetenv("JOURNAL_STREAM");
    test_format_and_levels();
    test_escaping();
    test_journal();
    test_parse();
    test_threads();
    return tap_done();
}
