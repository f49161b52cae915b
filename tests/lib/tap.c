/*
 * tap.c — Test Anything Protocol output for the C unit tests (see tap.h).
 * Holds only counters; everything printed goes straight to stdout.
 */
#include "tap.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_count;
static int tap_failed;
static int tap_planned = -1;

void tap_plan(int count)
{
    tap_planned = count;
    printf("1..%d\n", count);
    fflush(stdout);
}

static bool tap_report(bool cond, const char *fmt, va_list ap)
{
    tap_count++;
    if (!cond)
        tap_failed++;
    printf("%sok %d - ", cond ? "" : "not ", tap_count);
    vprintf(fmt, ap);
    putchar('\n');
    fflush(stdout);
    return cond;
}

bool tap_ok(bool cond, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tap_report(cond, fmt, ap);
    va_end(ap);
    return cond;
}

bool tap_is_str(const char *got, const char *want, const char *fmt, ...)
{
    bool same = (got == NULL && want == NULL) ||
                (got != NULL && want != NULL && strcmp(got, want) == 0);
    va_list ap;
    va_start(ap, fmt);
    tap_report(same, fmt, ap);
    va_end(ap);
    if (!same)
        tap_diag("got '%s', want '%s'", got ? got : "(null)", want ? want : "(null)");
    return same;
}

bool tap_is_int(long long got, long long want, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tap_report(got == want, fmt, ap);
    va_end(ap);
    if (got != want)
        tap_diag("got %lld, want %lld", got, want);
    return got == want;
}

void tap_diag(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("# ", stdout);
    vprintf(fmt, ap);
    putchar('\n');
    va_end(ap);
    fflush(stdout);
}

int tap_done(void)
{
    if (tap_planned < 0)
        printf("1..%d\n", tap_count);
    else if (tap_planned != tap_count)
        tap_diag("planned %d tests but ran %d", tap_planned, tap_count);
    fflush(stdout);
    return (tap_failed == 0 && (tap_planned < 0 || tap_planned == tap_count)) ? 0 : 1;
}
