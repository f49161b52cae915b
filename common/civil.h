/*
 * civil.h — proleptic Gregorian calendar arithmetic and the text forms of
 * dates, clock times and RFC 3339 instants.
 *
 * An instant is an int64_t count of seconds since 1970-01-01T00:00:00Z
 * (leap seconds not counted, as in the tz database's non-"right" zones).
 * Nothing here knows about time zones: tz.h converts between local civil
 * times and instants. All functions are pure and thread-safe.
 */
#ifndef CB_CIVIL_H
#define CB_CIVIL_H

#include <stdbool.h>
#include <stdint.h>

/* "2026-11-22T14:30:00Z" plus the terminating NUL. */
#define CIVIL_RFC3339_SIZE 21
/* "2026-11-22" plus NUL. */
#define CIVIL_DATE_SIZE 11

struct civil_time {
    int year;   /* 1..9999 */
    int month;  /* 1..12 */
    int day;    /* 1..31 */
    int hour;   /* 0..23 */
    int minute; /* 0..59 */
    int second; /* 0..59 */
};

bool civil_is_leap_year(int year);
int civil_days_in_month(int year, int month);
bool civil_date_valid(int year, int month, int day);
/* Days since 1970-01-01 of a (valid) date; negative before it. */
int64_t civil_days_from_date(int year, int month, int day);
void civil_date_from_days(int64_t days, int *year, int *month, int *day);
/* 0 = Sunday … 6 = Saturday. */
int civil_weekday(int64_t days);
/* The civil time read as if it were UTC, as an instant. */
int64_t civil_to_epoch(const struct civil_time *ct);
void civil_from_epoch(int64_t t, struct civil_time *ct);

/* Strict "YYYY-MM-DD". On failure *why says what is wrong (static text). */
bool civil_parse_date(const char *s, int *year, int *month, int *day, const char **why);
/* "HH:MM" or "HH:MM:SS", 00:00 … 23:59:59; "24:00" too when allow_24 is true.
 * The result is seconds after midnight. */
bool civil_parse_clock(const char *s, bool allow_24, int *seconds, const char **why);
/* An RFC 3339 instant: "YYYY-MM-DDTHH:MM:SS" with an optional fraction
 * (ignored) and "Z" or a "+HH:MM" / "-HH:MM" offset. */
bool civil_parse_rfc3339(const char *s, int64_t *out, const char **why);
/* Writes the instant as "YYYY-MM-DDTHH:MM:SSZ" into out. */
void civil_format_rfc3339(int64_t t, char out[CIVIL_RFC3339_SIZE]);
void civil_format_date(int year, int month, int day, char out[CIVIL_DATE_SIZE]);

#endif
