/*
 * civil.c — Gregorian calendar arithmetic and date / clock / RFC 3339 text
 * (see civil.h). The day-count conversions are Howard Hinnant's
 * days_from_civil algorithm, exact over the whole int range used here.
 */
#include "civil.h"

#include <stdio.h>
#include <string.h>

bool civil_is_leap_year(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int civil_days_in_month(int year, int month)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12)
        return 0;
    return days[month - 1] + (month == 2 && civil_is_leap_year(year));
}

bool civil_date_valid(int year, int month, int day)
{
    return year >= 1 && year <= 9999 && month >= 1 && month <= 12 && day >= 1 &&
           day <= civil_days_in_month(year, month);
}

int64_t civil_days_from_date(int year, int month, int day)
{
    int64_t y = (int64_t)year - (month <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t mp = (month + 9) % 12;
    int64_t doy = (153 * mp + 2) / 5 + day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void civil_date_from_days(int64_t days, int *year, int *month, int *day)
{
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    *year = (int)(yoe + era * 400 + (m <= 2));
    *month = (int)m;
    *day = (int)d;
}

int civil_weekday(int64_t days)
{
    int64_t w = (days + 4) % 7; /* 1970-01-01 was a Thursday */
    return (int)(w < 0 ? w + 7 : w);
}

int64_t civil_to_epoch(const struct civil_time *ct)
{
    return civil_days_from_date(ct->year, ct->month, ct->day) * 86400 +
           ct->hour * 3600 + ct->minute * 60 + ct->second;
}

void civil_from_epoch(int64_t t, struct civil_time *ct)
{
    int64_t days = t / 86400;
    int64_t rem = t % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    civil_date_from_days(days, &ct->year, &ct->month, &ct->day);
    ct->hour = (int)(rem / 3600);
    ct->minute = (int)(rem / 60 % 60);
    ct->second = (int)(rem % 60);
}

/* Reads exactly n decimal digits; false if any is not a digit. */
static bool civil_digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

static bool civil_fail(const char **why, const char *msg)
{
    if (why)
        *why = msg;
    return false;
}

bool civil_parse_date(const char *s, int *year, int *month, int *day, const char **why)
{
    int y, m, d;
    if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
        !civil_digits(s, 4, &y) || !civil_digits(s + 5, 2, &m) || !civil_digits(s + 8, 2, &d))
        return civil_fail(why, "not a date of the form YYYY-MM-DD");
    if (m < 1 || m > 12)
        return civil_fail(why, "month out of range 01-12");
    if (y < 1 || !civil_date_valid(y, m, d))
        return civil_fail(why, "no such day in that month");
    *year = y;
    *month = m;
    *day = d;
    return true;
}

bool civil_parse_clock(const char *s, bool allow_24, int *seconds, const char **why)
{
    int h, m, sec = 0;
    size_t len = s ? strlen(s) : 0;
    if ((len != 5 && len != 8) || s[2] != ':' || !civil_digits(s, 2, &h) ||
        !civil_digits(s + 3, 2, &m) || (len == 8 && (s[5] != ':' || !civil_digits(s + 6, 2, &sec))))
        return civil_fail(why, "not a time of the form HH:MM");
    if (allow_24 && h == 24 && m == 0 && sec == 0) {
        *seconds = 86400;
        return true;
    }
    if (h > 23 || m > 59 || sec > 59)
        return civil_fail(why, allow_24 ? "time out of range 00:00-24:00" : "time out of range 00:00-23:59");
    *seconds = h * 3600 + m * 60 + sec;
    return true;
}

bool civil_parse_rfc3339(const char *s, int64_t *out, const char **why)
{
    struct civil_time ct;
    size_t len = s ? strlen(s) : 0;
    if (len < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
        s[13] != ':' || s[16] != ':' || !civil_digits(s, 4, &ct.year) ||
        !civil_digits(s + 5, 2, &ct.month) || !civil_digits(s + 8, 2, &ct.day) ||
        !civil_digits(s + 11, 2, &ct.hour) || !civil_digits(s + 14, 2, &ct.minute) ||
        !civil_digits(s + 17, 2, &ct.second))
        return civil_fail(why, "not an RFC 3339 time such as 2026-11-22T14:30:00Z");
    if (!civil_date_valid(ct.year, ct.month, ct.day) || ct.hour > 23 || ct.minute > 59 ||
        ct.second > 59)
        return civil_fail(why, "date or time out of range");
    const char *p = s + 19;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            return civil_fail(why, "empty fraction of a second");
        while (*p >= '0' && *p <= '9')
            p++;
    }
    int offset = 0;
    if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
        offset = 0;
    } else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
        int oh, om;
        if (!civil_digits(p + 1, 2, &oh) || !civil_digits(p + 4, 2, &om) || oh > 23 || om > 59)
            return civil_fail(why, "bad UTC offset");
        offset = (oh * 60 + om) * 60 * (*p == '-' ? -1 : 1);
    } else {
        return civil_fail(why, "needs Z or a +HH:MM offset at the end");
    }
    /* An offset can push the instant out of years 1..9999, which nothing
     * here can print or read back. */
    int64_t t = civil_to_epoch(&ct) - offset;
    if (t < -62135596800 || t > 253402300799)
        return civil_fail(why, "instant out of range 0001-9999");
    *out = t;
    return true;
}

void civil_format_rfc3339(int64_t t, char out[CIVIL_RFC3339_SIZE])
{
    struct civil_time ct;
    civil_from_epoch(t, &ct);
    if (ct.year < 0 || ct.year > 9999) { /* outside what the format can say */
        snprintf(out, CIVIL_RFC3339_SIZE, "%s", ct.year < 0 ? "0000-01-01T00:00:00Z"
                                                             : "9999-12-31T23:59:59Z");
        return;
    }
    snprintf(out, CIVIL_RFC3339_SIZE, "%04d-%02d-%02dT%02d:%02d:%02dZ", ct.year, ct.month,
             ct.day, ct.hour, ct.minute, ct.second);
}

void civil_format_date(int year, int month, int day, char out[CIVIL_DATE_SIZE])
{
    unsigned y = (unsigned)year % 10000u, m = (unsigned)month % 100u, d = (unsigned)day % 100u;
    snprintf(out, CIVIL_DATE_SIZE, "%04u-%02u-%02u", y, m, d);
}
