/*
 * timefmt.c — the time texts of timefmt.h. The agent's zone is the
 * process's local time (TZ or /etc/localtime, through localtime_r); the
 * customer's comes from the common tz module, which never consults TZ.
 */
#include "timefmt.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "serverclock.h"
#include "tz.h"

void timefmt_clock(int64_t t, char *out, size_t size)
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    strftime(out, size, "%H:%M", &tm);
}

void timefmt_agent(int64_t t, char *out, size_t size)
{
    time_t tt = (time_t)t, now = (time_t)serverclock_now();
    struct tm tm, tn;
    localtime_r(&tt, &tm);
    localtime_r(&now, &tn);
    if (tm.tm_year == tn.tm_year && tm.tm_yday == tn.tm_yday)
        strftime(out, size, "%H:%M", &tm);
    else if (t > now && t - now < 6 * 86400)
        strftime(out, size, "%a %H:%M", &tm);
    else
        strftime(out, size, "%b %d %H:%M", &tm);
}

void timefmt_customer(int64_t t, const char *tz, char *out, size_t size)
{
    out[0] = '\0';
    const char *why;
    const struct tz_zone *z = tz && tz[0] ? tz_find(tz, &why) : NULL;
    if (z == NULL)
        return;
    struct civil_time ct;
    tz_utc_to_local(z, t, &ct, NULL);
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    if (ct.hour == tm.tm_hour && ct.minute == tm.tm_min && ct.day == tm.tm_mday)
        return;
    snprintf(out, size, "%02d:%02d %s", ct.hour, ct.minute, tz);
}

void timefmt_span(int64_t s, char *out, size_t size)
{
    if (s < 0)
        s = 0;
    if (s >= 3600)
        snprintf(out, size, "%lld:%02lld:%02lld", (long long)(s / 3600), (long long)(s / 60 % 60),
                 (long long)(s % 60));
    else
        snprintf(out, size, "%lld:%02lld", (long long)(s / 60), (long long)(s % 60));
}
