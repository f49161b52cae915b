/*
 * tap.h — Test Anything Protocol output for the C unit tests.
 *
 * Each test binary calls tap_plan() (or tap_done() at the end when the count
 * is not known up front), then one tap_ok() per check. prove reads the
 * output. Messages are copied to stdout at once; nothing is kept.
 */
#ifndef CB_TAP_H
#define CB_TAP_H

#include <stdbool.h>

void tap_plan(int count);
/* Prints "ok N - name" or "not ok N - name"; returns cond. */
bool tap_ok(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Compares two strings (NULL allowed) and prints both when they differ. */
bool tap_is_str(const char *got, const char *want, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Compares two integers and prints both when they differ. */
bool tap_is_int(long long got, long long want, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints the plan if none was given; returns the exit status (0 = all ok). */
int tap_done(void);

#endif
