/*
 * test_tz.c — the time zone module on known cases: DST gaps and folds
 * (New York, Lord Howe's 30-minute DST, Apia skipping 2011-12-30), zones
 * without DST, the footer rule far in the future (checked against the
 * explicit transitions zic wrote up to 2037), refused names, corrupt TZif
 * data (in memory and through a temporary TZDIR in a child process), the
 * zone list, and concurrent use from several threads.
 */
#include "civil.h"
#include "tap.h"
#include "tz.h"
#include "xalloc.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define ZONEINFO "/usr/share/zoneinfo"

static struct civil_time mk(int y, int mo, int d, int h, int mi, int s)
{
    struct civil_time ct = {y, mo, d, h, mi, s};
    return ct;
}

static int64_t epoch(int y, int mo, int d, int h, int mi, int s)
{
    struct civil_time ct = mk(y, mo, d, h, mi, s);
    return civil_to_epoch(&ct);
}

static const struct tz_zone *find(const char *name)
{
    const char *why = NULL;
    const struct tz_zone *z = tz_find(name, &why);
    if (z == NULL)
        tap_diag("tz_find(%s): %s", name, why ? why : "(no reason)");
    return z;
}

static bool same_civil(const struct civil_time *a, const struct civil_time *b)
{
    return a->year == b->year && a->month == b->month && a->day == b->day &&
           a->hour == b->hour && a->minute == b->minute && a->second == b->second;
}

/* Reads a whole file (test data); the caller frees it. */
static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    size_t cap = 0, n = 0;
    if (f == NULL)
        return NULL;
    for (;;) {
        if (n == cap)
            buf = xrealloc(buf, cap = cap ? 2 * cap : 4096);
        size_t got = fread(buf + n, 1, cap - n, f);
        if (got == 0)
            break;
        n += got;
    }
    fclose(f);
    *len = n;
    return buf;
}

static bool write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return false;
    bool ok = fwrite(data, 1, len, f) == len;
    return fclose(f) == 0 && ok;
}

/* ---- a TZif writer for synthetic zones ------------------------------- */

struct b_type {
    int32_t utoff;
    int isdst;
    const char *abbr;
};

struct buf {
    unsigned char *p;
    size_t len, cap;
};

static void put(struct buf *b, const void *data, size_t n)
{
    if (n == 0)
        return;
    if (b->len + n > b->cap) {
        b->cap = (b->len + n) * 2;
        b->p = xrealloc(b->p, b->cap);
    }
    memcpy(b->p + b->len, data, n);
    b->len += n;
}

static void put_be(struct buf *b, uint64_t v, int bytes)
{
    unsigned char tmp[8];
    for (int i = 0; i < bytes; i++)
        tmp[i] = (unsigned char)(v >> (8 * (bytes - 1 - i)));
    put(b, tmp, (size_t)bytes);
}

static void put_header(struct buf *b, char version, uint32_t timecnt, uint32_t typecnt,
                       uint32_t charcnt)
{
    unsigned char h[20] = {'T', 'Z', 'i', 'f', (unsigned char)version};
    put(b, h, sizeof h);
    put_be(b, 0, 4); /* isutcnt */
    put_be(b, 0, 4); /* isstdcnt */
    put_be(b, 0, 4); /* leapcnt */
    put_be(b, timecnt, 4);
    put_be(b, typecnt, 4);
    put_be(b, charcnt, 4);
}

/* A TZif file (version '\0', '2' or '3'); for version 2+, the v1 block is
 * the minimal one RFC 8536 allows and *v2_header (if not NULL) gets the
 * offset of the second header. The caller frees the result. */
static unsigned char *build_tzif(char version, size_t ntrans, const int64_t *times,
                                 const unsigned char *idx, size_t ntypes,
                                 const struct b_type *types, const char *footer, size_t *len,
                                 size_t *v2_header)
{
    struct buf b = {0};
    char chars[256];
    size_t nchars = 0, desig[16];
    for (size_t i = 0; i < ntypes; i++) {
        desig[i] = nchars;
        size_t l = strlen(types[i].abbr) + 1;
        memcpy(chars + nchars, types[i].abbr, l);
        nchars += l;
    }
    int tsize = version == '\0' ? 4 : 8;
    if (version != '\0') {
        put_header(&b, version, 0, 1, 1);
        put(&b, "\0\0\0\0\0\0\0", 7);
        if (v2_header)
            *v2_header = b.len;
    }
    put_header(&b, version, (uint32_t)ntrans, (uint32_t)ntypes, (uint32_t)nchars);
    for (size_t i = 0; i < ntrans; i++)
        put_be(&b, (uint64_t)times[i], tsize);
    put(&b, idx, ntrans);
    for (size_t i = 0; i < ntypes; i++) {
        put_be(&b, (uint32_t)types[i].utoff, 4);
        unsigned char tail[2] = {(unsigned char)types[i].isdst, (unsigned char)desig[i]};
        put(&b, tail, 2);
    }
    put(&b, chars, nchars);
    if (version != '\0') {
        put(&b, "\n", 1);
        put(&b, footer, strlen(footer));
        put(&b, "\n", 1);
    }
    *len = b.len;
    return b.p;
}

/* A zone with no transitions and only this footer; the caller frees it. */
static struct tz_zone *footer_zone(const char *footer)
{
    struct b_type ty = {0, 0, "XXX"};
    size_t len;
    const char *why = NULL;
    unsigned char *data = build_tzif('2', 0, NULL, NULL, 1, &ty, footer, &len, NULL);
    struct tz_zone *z = tz_from_tzif(footer, data, len, &why);
    free(data);
    return z;
}

/* ---- known cases --------------------------------------------------- */

static void test_new_york(void)
{
    const struct tz_zone *ny = find("America/New_York");
    if (!tap_ok(ny != NULL, "America/New_York found"))
        return;
    tap_is_str(tz_name(ny), "America/New_York", "tz_name");
    tap_ok(tz_find("America/New_York", NULL) == ny, "a second lookup gives the cached zone");

    char why[200] = "";
    int64_t t = 0;
    struct civil_time ct = mk(2026, 3, 8, 2, 30, 0);
    tap_is_int(tz_local_to_utc(ny, &ct, &t, why, sizeof why), TZ_GAP, "2026-03-08 02:30 is a gap");
    tap_is_str(why,
               "2026-03-08 02:30 does not exist in America/New_York (clocks go from 02:00 to 03:00)",
               "the gap is named");
    ct = mk(2026, 3, 8, 1, 59, 59);
    tap_ok(tz_local_to_utc(ny, &ct, &t, why, sizeof why) == TZ_OK && t == 1772953199 &&
               why[0] == '\0', "01:59:59 just before the gap is EST");
    ct = mk(2026, 3, 8, 3, 0, 0);
    tap_ok(tz_local_to_utc(ny, &ct, &t, why, sizeof why) == TZ_OK && t == 1772953200,
           "03:00 right after the gap is EDT");

    ct = mk(2026, 11, 1, 1, 30, 0);
    tap_is_int(tz_local_to_utc(ny, &ct, &t, why, sizeof why), TZ_AMBIGUOUS,
               "2026-11-01 01:30 is ambiguous");
    tap_is_int(t, 1793511000, "it resolves to the earlier instant (EDT)");
    tap_diag("%s", why);
    struct civil_time back;
    struct tz_info info;
    tz_utc_to_local(ny, 1793511000, &back, &info);
    tap_ok(same_civil(&back, &ct) && info.utc_offset == -14400 && info.is_dst &&
               strcmp(info.abbr, "EDT") == 0, "1793511000 is 01:30 EDT");
    tz_utc_to_local(ny, 1793514600, &back, &info);
    tap_ok(same_civil(&back, &ct) && info.utc_offset == -18000 && !info.is_dst &&
               strcmp(info.abbr, "EST") == 0, "the later, 1793514600, is 01:30 EST");

    int64_t next = 0;
    tap_ok(tz_next_transition(ny, epoch(2026, 1, 1, 0, 0, 0), &next) && next == 1772953200,
           "next transition after 2026-01-01 is 2026-03-08 07:00Z");
    tap_ok(tz_next_transition(ny, 1772953200, &next) && next == 1793512800,
           "and the one after is 2026-11-01 06:00Z");
    tap_ok(tz_next_transition(ny, 1793512799, &next) && next == 1793512800,
           "one second before a transition finds it");

    /* Far future: the footer rule (EST5EDT,M3.2.0,M11.1.0). */
    ct = mk(2100, 3, 14, 2, 30, 0);
    tap_ok(tz_local_to_utc(ny, &ct, &t, why, sizeof why) == TZ_GAP &&
               strstr(why, "clocks go from 02:00 to 03:00") != NULL,
           "2100-03-14 02:30 is a gap (footer rule)");
    ct = mk(2100, 11, 7, 1, 30, 0);
    tap_ok(tz_local_to_utc(ny, &ct, &t, NULL, 0) == TZ_AMBIGUOUS &&
               t == epoch(2100, 11, 7, 5, 30, 0), "2100-11-07 01:30 is ambiguous, earlier EDT");
    tz_utc_to_local(ny, epoch(2100, 7, 4, 16, 0, 0), &back, &info);
    tap_ok(back.hour == 12 && info.utc_offset == -14400 && info.is_dst &&
               strcmp(info.abbr, "EDT") == 0, "2100-07-04 16:00Z is 12:00 EDT");
    tap_ok(tz_next_transition(ny, epoch(2099, 12, 1, 0, 0, 0), &next) &&
               next == epoch(2100, 3, 14, 7, 0, 0), "next transition in 2100 from the footer");
    ct = mk(9999, 12, 31, 23, 59, 59);
    tap_ok(tz_local_to_utc(ny, &ct, &t, NULL, 0) == TZ_OK && t == epoch(10000, 1, 1, 4, 59, 59),
           "9999-12-31 23:59:59 converts");
    ct = mk(1, 1, 1, 0, 0, 0);
    tap_ok(tz_local_to_utc(ny, &ct, &t, NULL, 0) == TZ_OK && t == epoch(1, 1, 1, 4, 56, 2),
           "0001-01-01 converts (LMT -4:56:02)");
}

static void test_lord_howe(void)
{
    /* +10:30 standard, +11 summer: a 30-minute gap and fold. */
    const struct tz_zone *z = find("Australia/Lord_Howe");
    if (!tap_ok(z != NULL, "Australia/Lord_Howe found"))
        return;
    char why[200];
    int64_t t;
    struct civil_time ct = mk(2026, 10, 4, 2, 15, 0);
    tap_ok(tz_local_to_utc(z, &ct, &t, why, sizeof why) == TZ_GAP, "Lord Howe 2026-10-04 02:15 is a gap");
    tap_is_str(why,
               "2026-10-04 02:15 does not exist in Australia/Lord_Howe (clocks go from 02:00 to 02:30)",
               "the 30-minute gap is named");
    ct = mk(2026, 10, 4, 2, 30, 0);
    tap_ok(tz_local_to_utc(z, &ct, &t, NULL, 0) == TZ_OK && t == epoch(2026, 10, 4, 2, 30, 0) - 39600,
           "02:30 is +11");
    ct = mk(2026, 4, 5, 1, 45, 0);
    tap_ok(tz_local_to_utc(z, &ct, &t, why, sizeof why) == TZ_AMBIGUOUS &&
               t == epoch(2026, 4, 5, 1, 45, 0) - 39600, "Lord Howe 2026-04-05 01:45 is ambiguous, earlier +11");
    tap_diag("%s", why);
    ct = mk(2026, 4, 5, 1, 29, 59);
    tap_ok(tz_local_to_utc(z, &ct, &t, NULL, 0) == TZ_OK, "01:29:59 before the fold is unambiguous");
    ct = mk(2026, 4, 5, 2, 0, 0);
    tap_ok(tz_local_to_utc(z, &ct, &t, NULL, 0) == TZ_OK && t == epoch(2026, 4, 5, 2, 0, 0) - 37800,
           "02:00 after the fold is +10:30");
    struct tz_info info;
    struct civil_time back;
    tz_utc_to_local(z, epoch(2026, 1, 15, 0, 0, 0), &back, &info);
    tap_ok(info.utc_offset == 39600 && info.is_dst && strcmp(info.abbr, "+11") == 0,
           "January is +11, DST");
}

static void test_apia(void)
{
    /* 2011-12-29 24:00 (-10) became 2011-12-31 00:00 (+14): no 30 December. */
    const struct tz_zone *z = find("Pacific/Apia");
    if (!tap_ok(z != NULL, "Pacific/Apia found"))
        return;
    char why[200];
    int64_t t, jump = epoch(2011, 12, 30, 10, 0, 0);
    int gaps = 0;
    for (int h = 0; h < 24; h++) {
        struct civil_time ct = mk(2011, 12, 30, h, 17, 0);
        gaps += tz_local_to_utc(z, &ct, &t, why, sizeof why) == TZ_GAP;
    }
    tap_is_int(gaps, 24, "every hour of 2011-12-30 is in the gap");
    tap_is_str(why,
               "2011-12-30 23:17 does not exist in Pacific/Apia (clocks go from 2011-12-30 00:00 to "
               "2011-12-31 00:00)", "the day-long gap is named with dates");
    struct civil_time ct = mk(2011, 12, 29, 23, 59, 59);
    tap_ok(tz_local_to_utc(z, &ct, &t, NULL, 0) == TZ_OK && t == jump - 1, "2011-12-29 23:59:59 is -10");
    ct = mk(2011, 12, 31, 0, 0, 0);
    tap_ok(tz_local_to_utc(z, &ct, &t, NULL, 0) == TZ_OK && t == jump, "2011-12-31 00:00 is +14");
    int64_t next;
    tap_ok(tz_next_transition(z, epoch(2011, 12, 1, 0, 0, 0), &next) && next == jump,
           "the dateline jump is a transition");
    struct tz_info info;
    struct civil_time back;
    tz_utc_to_local(z, jump, &back, &info);
    tap_ok(info.utc_offset == 14 * 3600 && back.day == 31, "after it, +14 on the 31st");
}

static void test_kolkata(void)
{
    const struct tz_zone *z = find("Asia/Kolkata");
    if (!tap_ok(z != NULL, "Asia/Kolkata found"))
        return;
    int64_t t, next;
    struct civil_time ct = mk(2026, 6, 15, 12, 0, 0), back;
    struct tz_info info;
    tap_ok(tz_local_to_utc(z, &ct, &t, NULL, 0) == TZ_OK && t == epoch(2026, 6, 15, 6, 30, 0),
           "Kolkata 12:00 is 06:30Z");
    tz_utc_to_local(z, t, &back, &info);
    tap_ok(same_civil(&back, &ct) && info.utc_offset == 19800 && !info.is_dst &&
               strcmp(info.abbr, "IST") == 0, "and back, +05:30 IST");
    tap_ok(!tz_next_transition(z, t, &next), "no transition after 2026 in Kolkata");
    ct = mk(2100, 2, 28, 23, 0, 0);
    tap_ok(tz_local_to_utc(z, &ct, &t, NULL, 0) == TZ_OK && t == epoch(2100, 2, 28, 17, 30, 0),
           "2100 too");

    const struct tz_zone *utc = find("UTC");
    tap_ok(utc && !tz_next_transition(utc, 0, &next), "UTC has no transitions");
    if (utc) {
        tz_utc_to_local(utc, 1795357800, &back, &info);
        tap_ok(back.hour == 14 && info.utc_offset == 0 && strcmp(info.abbr, "UTC") == 0, "UTC is UTC");
    }
}

static void test_dublin_and_friends(void)
{
    /* Europe/Dublin: "IST-1GMT0,M10.5.0,M3.5.0/1" — winter GMT is the DST. */
    const struct tz_zone *z = find("Europe/Dublin");
    struct tz_info info;
    struct civil_time back;
    if (z) {
        tz_utc_to_local(z, epoch(2100, 1, 15, 12, 0, 0), &back, &info);
        tap_ok(info.utc_offset == 0 && info.is_dst && strcmp(info.abbr, "GMT") == 0,
               "Dublin winter 2100 is GMT with the DST flag (negative DST)");
        tz_utc_to_local(z, epoch(2100, 7, 15, 12, 0, 0), &back, &info);
        tap_ok(info.utc_offset == 3600 && !info.is_dst && strcmp(info.abbr, "IST") == 0,
               "Dublin summer 2100 is IST, standard time");
    }
    /* Africa/Casablanca: offsets move for Ramadan (negative DST) and the
     * rules keep changing; tz_next_transition must find exactly the changes
     * an hour-by-hour scan finds. */
    z = find("Africa/Casablanca");
    if (z) {
        int64_t from = epoch(2024, 1, 1, 0, 0, 0), to = epoch(2028, 1, 1, 0, 0, 0), t = from, next;
        int found = 0, scanned = 0;
        while (tz_next_transition(z, t, &next) && next < to) {
            found++;
            t = next;
        }
        struct tz_info prev;
        tz_utc_to_local(z, from, &back, &prev);
        for (t = from + 3600; t < to; t += 3600) {
            tz_utc_to_local(z, t, &back, &info);
            scanned += info.utc_offset != prev.utc_offset || info.is_dst != prev.is_dst;
            prev = info;
        }
        tap_ok(found == scanned && found > 0,
               "Casablanca 2024-2027: %d transitions found, %d by an hourly scan", found, scanned);
    }
}

static void test_range(void)
{
    const struct tz_zone *z = find("Europe/Berlin");
    if (!z)
        return;
    struct civil_time bad[] = {mk(2026, 2, 29, 12, 0, 0), mk(2026, 13, 1, 0, 0, 0),
                               mk(2026, 0, 1, 0, 0, 0),   mk(2026, 1, 0, 0, 0, 0),
                               mk(2026, 1, 1, 24, 0, 0),  mk(2026, 1, 1, 0, 60, 0),
                               mk(2026, 1, 1, 0, 0, 60),  mk(2026, 1, 1, -1, 0, 0),
                               mk(0, 1, 1, 0, 0, 0),      mk(10000, 1, 1, 0, 0, 0),
                               mk(2026, 1, 1, 0, -1, 0),  mk(2026, 1, 1, 0, 0, -1)};
    int ok = 0;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char why[100];
        int64_t t;
        ok += tz_local_to_utc(z, &bad[i], &t, why, sizeof why) == TZ_RANGE;
    }
    tap_is_int(ok, (int)(sizeof bad / sizeof bad[0]), "invalid civil times are TZ_RANGE");
    /* Extreme instants do not crash and stay consistent. */
    struct civil_time back;
    struct tz_info info;
    int64_t next;
    tz_utc_to_local(z, INT64_MAX, &back, &info);
    tz_utc_to_local(z, INT64_MIN, &back, &info);
    tap_ok(!tz_next_transition(z, INT64_MAX, &next), "no transition after INT64_MAX");
    tap_ok(tz_next_transition(z, INT64_MIN, &next) && next < 0, "the first transition from INT64_MIN");
}

static void test_refused(void)
{
    static const char *const names[] = {
        "Nonexistent/Zone", "right/UTC", "posix/UTC", "../etc/passwd", "/etc/passwd", "",
        "localtime", "posixrules", "Factory", "America/../UTC", "America//New_York",
        "America/New_York/", "./UTC", "America/.hidden", "zone.tab", "tzdata.zi", "America",
        "right", "posix", "Europe/Lon don", "Europe/London\n", "UTC;rm",
        "America/New_York_is_a_fine_place_but_this_name_is_far_too_long_for_a_zone"};
    int refused = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *why = NULL;
        if (tz_find(names[i], &why) == NULL && why && strcmp(why, "unknown time zone") == 0)
            refused++;
        else
            tap_diag("'%s' not refused as unknown (%s)", names[i], why ? why : "found");
    }
    tap_is_int(refused, (int)(sizeof names / sizeof names[0]),
               "bad, relative, right/, posix/ and non-zone names are unknown time zones");
    const char *why = NULL;
    tap_ok(tz_find(NULL, &why) == NULL && why, "NULL name refused");
    tap_ok(tz_find("Nonexistent/Zone", NULL) == NULL, "why may be NULL");
    tap_ok(find("US/Eastern") != NULL && find("Asia/Calcutta") != NULL, "links are accepted");
}

/* ---- the footer rule against zic's own expansion -------------------- */

/* Every change 2029–2037 computed from the footer alone must match the
 * explicit transitions zic wrote into the (fat) file. (Zones whose rules
 * before 2037 are not the footer's, like Asia/Gaza's Ramadan dates, are
 * left to the oracle test.) */
static void test_footer_vs_explicit(void)
{
    static const char *const zones[] = {
        "America/New_York", "Europe/Dublin", "Australia/Lord_Howe", "America/Mexico_City",
        "Pacific/Chatham", "America/Nuuk", "Antarctica/Troll", "America/Santiago",
        "Pacific/Auckland", "Africa/Cairo", "America/Havana", "Europe/London",
        "Australia/Sydney", "Asia/Jerusalem", "America/St_Johns", "Europe/Berlin",
        "America/Sao_Paulo", "Asia/Kolkata", "Pacific/Norfolk", "America/Miquelon"};
    int bad = 0, checked = 0, transitions = 0;
    int64_t from = epoch(2029, 1, 1, 0, 0, 0), to = epoch(2037, 12, 1, 0, 0, 0);
    for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++) {
        char path[256];
        size_t len;
        snprintf(path, sizeof path, ZONEINFO "/%s", zones[i]);
        unsigned char *data = slurp(path, &len);
        const struct tz_zone *real = find(zones[i]);
        if (data == NULL || real == NULL || len < 2) {
            bad++;
            free(data);
            continue;
        }
        size_t end = len - 1, start = end;
        while (start > 0 && data[start - 1] != '\n')
            start--;
        char *footer = xstrndup((const char *)data + start, end - start);
        struct tz_zone *fz = footer_zone(footer);
        if (fz == NULL) {
            tap_diag("footer '%s' of %s not parsed", footer, zones[i]);
            bad++;
        }
        for (int64_t a = from, b = from; fz && a < to;) {
            int64_t na, nb;
            bool ha = tz_next_transition(real, a, &na), hb = tz_next_transition(fz, b, &nb);
            struct tz_info ia, ib;
            struct civil_time ca, cb;
            tz_utc_to_local(real, ha ? na : a, &ca, &ia);
            tz_utc_to_local(fz, hb ? nb : b, &cb, &ib);
            checked++;
            if (ha != hb || (ha && (na != nb || ia.utc_offset != ib.utc_offset ||
                                    ia.is_dst != ib.is_dst || strcmp(ia.abbr, ib.abbr) != 0))) {
                tap_diag("%s footer '%s': file says %lld (%d %d %s), footer says %lld (%d %d %s)",
                         zones[i], footer, ha ? (long long)na : -1LL, ia.utc_offset, ia.is_dst,
                         ia.abbr, hb ? (long long)nb : -1LL, ib.utc_offset, ib.is_dst, ib.abbr);
                bad++;
                break;
            }
            if (!ha)
                break;
            transitions++;
            a = na;
            b = nb;
        }
        tz_free(fz);
        free(footer);
        free(data);
    }
    tap_ok(bad == 0 && transitions > 300,
           "footer rules of %zu zones reproduce zic's %d transitions 2029-2037 (%d checks)",
           sizeof zones / sizeof zones[0], transitions, checked);
}

/* ---- POSIX TZ forms not in today's data ----------------------------- */

static void test_footer_forms(void)
{
    struct tz_zone *z;
    int64_t t, next;
    struct tz_info info;
    struct civil_time back, ct;

    /* DST all year (tzfile(5)'s example of the v3 extension). */
    z = footer_zone("EST5EDT,0/0,J365/25");
    tap_ok(z != NULL, "EST5EDT,0/0,J365/25 parses");
    if (z) {
        int dst = 0;
        for (int m = 1; m <= 12; m++) {
            tz_utc_to_local(z, epoch(2030, m, 1, 3, 0, 0), &back, &info);
            dst += info.is_dst && info.utc_offset == -14400;
        }
        tz_utc_to_local(z, epoch(2031, 1, 1, 5, 0, 0), &back, &info);
        dst += info.is_dst;
        tap_is_int(dst, 13, "all-year DST stays EDT, also across New Year");
        tap_ok(!tz_next_transition(z, epoch(2030, 6, 1, 0, 0, 0), &next),
               "and has no next transition");
        ct = mk(2031, 1, 1, 0, 30, 0);
        tap_ok(tz_local_to_utc(z, &ct, &t, NULL, 0) == TZ_OK, "no gap at New Year");
    }
    tz_free(z);

    /* Negative transition times (America/Godthab 2014-2023 style). */
    z = footer_zone("<-03>3<-02>,M3.5.0/-2,M10.5.0/-1");
    tap_ok(z != NULL, "negative transition times parse");
    if (z) {
        /* Last Sunday of March 2030 is the 31st; -2:00 is Saturday 22:00 local. */
        tap_ok(tz_next_transition(z, epoch(2030, 1, 1, 0, 0, 0), &next) &&
                   next == epoch(2030, 3, 30, 22, 0, 0) + 3 * 3600,
               "M3.5.0/-2 is the Saturday before, 22:00");
        ct = mk(2030, 3, 30, 22, 30, 0);
        tap_ok(tz_local_to_utc(z, &ct, &t, NULL, 0) == TZ_GAP, "with its gap");
    }
    tz_free(z);

    /* Over 24 hours: Jerusalem's "M3.4.4/26" is Friday 02:00. */
    z = footer_zone("IST-2IDT,M3.4.4/26,M10.5.0");
    if (tap_ok(z != NULL, "IST-2IDT,M3.4.4/26,M10.5.0 parses")) {
        /* 4th Thursday of March 2040 is the 22nd; +26 h is Friday the 23rd 02:00. */
        tap_ok(tz_next_transition(z, epoch(2040, 1, 1, 0, 0, 0), &next) &&
                   next == epoch(2040, 3, 23, 0, 0, 0), "M3.4.4/26 is Friday 02:00 local");
    }
    tz_free(z);

    /* Julian forms: Jn never counts Feb 29; n does. */
    z = footer_zone("AAA3BBB,J60/0,300/0");
    if (tap_ok(z != NULL, "Jn and n forms parse")) {
        tap_ok(tz_next_transition(z, epoch(2028, 1, 1, 0, 0, 0), &next) &&
                   next == epoch(2028, 3, 1, 3, 0, 0), "J60 is 1 March in a leap year");
        tap_ok(tz_next_transition(z, next, &next) && next == epoch(2028, 10, 27, 2, 0, 0),
               "zero-based 300 is 27 October in a leap year");
        tap_ok(tz_next_transition(z, epoch(2027, 1, 1, 0, 0, 0), &next) &&
                   next == epoch(2027, 3, 1, 3, 0, 0), "J60 is 1 March in 2027");
        tap_ok(tz_next_transition(z, next, &next) && next == epoch(2027, 10, 28, 2, 0, 0),
               "zero-based 300 is 28 October in 2027");
    }
    tz_free(z);

    /* No rules given: the US rules, and DST one hour ahead by default. */
    z = footer_zone("EST5EDT");
    if (tap_ok(z != NULL, "a DST part without rules parses")) {
        tz_utc_to_local(z, epoch(2030, 7, 1, 0, 0, 0), &back, &info);
        tap_ok(info.utc_offset == -14400 && info.is_dst, "defaults: M3.2.0,M11.1.0, +1 h");
    }
    tz_free(z);

    /* Southern hemisphere footer with explicit offsets and odd minutes. */
    z = footer_zone("<+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45");
    if (tap_ok(z != NULL, "Chatham's footer parses")) {
        ct = mk(2050, 9, 25, 3, 0, 0); /* last Sunday of September 2050 */
        char why[200];
        tap_ok(tz_local_to_utc(z, &ct, &t, why, sizeof why) == TZ_GAP &&
                   strstr(why, "clocks go from 02:45 to 03:45") != NULL,
               "Chatham 2050 gap 02:45 to 03:45");
    }
    tz_free(z);

    static const char *const bad[] = {
        "EST",       "ES5",        "EST5EDT,M3.2.0",       "EST25",          "EST5EDT,M13.1.0,M11.1.0",
        "EST5EDT,J0,J365", "EST5EDT,M3.2.0/168,M11.1.0", "EST5EDT,M3.6.0,M11.1.0",
        "EST5EDT,M3.2.7,M11.1.0", "EST5EDT,366,J1", "<+03", "<+3>-3", "EST5:60",
        "EST5EDT,M3.2.0,M11.1.0x", "EST 5",     "EST5EDT4,M3.2.0/2:60,M11.1.0", "5EST"};
    int refused = 0;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        z = footer_zone(bad[i]);
        if (z == NULL)
            refused++;
        else
            tap_diag("footer '%s' accepted", bad[i]);
        tz_free(z);
    }
    tap_is_int(refused, (int)(sizeof bad / sizeof bad[0]), "malformed footers are refused");
    z = footer_zone("EST5EDT,M3.2.0/-167,M11.1.0/167:59:59");
    tap_ok(z != NULL, "transition times of ±167 h are allowed");
    tz_free(z);
}

/* ---- TZif structure --------------------------------------------------- */

static void test_tzif_synthetic(void)
{
    static const struct b_type types[] = {{-18000, 0, "EST"}, {-14400, 1, "EDT"}, {-18000, 0, "XST"}};
    int64_t times[] = {epoch(2030, 3, 10, 7, 0, 0), epoch(2030, 11, 3, 6, 0, 0),
                       epoch(2031, 1, 1, 5, 0, 0)};
    unsigned char idx[] = {1, 0, 2};
    size_t len, v2;
    const char *why = NULL;
    struct tz_zone *z;
    int64_t next;
    struct tz_info info;
    struct civil_time back;

    /* Version 1: 32-bit data, no footer. */
    unsigned char *data = build_tzif('\0', 3, times, idx, 3, types, "", &len, NULL);
    z = tz_from_tzif("V1", data, len, &why);
    tap_ok(z != NULL, "a version 1 file parses");
    if (z) {
        tz_utc_to_local(z, epoch(2030, 6, 1, 0, 0, 0), &back, &info);
        tap_ok(info.is_dst && strcmp(info.abbr, "EDT") == 0, "v1: summer 2030 is EDT");
        tap_ok(tz_next_transition(z, times[1], &next) == false,
               "a transition that changes only the abbreviation is skipped");
        tz_utc_to_local(z, epoch(2040, 6, 1, 0, 0, 0), &back, &info);
        tap_ok(strcmp(info.abbr, "XST") == 0, "v1: the last type holds forever");
        tz_utc_to_local(z, 0, &back, &info);
        tap_ok(strcmp(info.abbr, "EST") == 0, "before the first transition: type 0");
    }
    tz_free(z);
    free(data);

    /* Version 2 with a footer; version 3; every prefix is refused. */
    data = build_tzif('2', 3, times, idx, 3, types, "EST5EDT,M3.2.0,M11.1.0", &len, &v2);
    z = tz_from_tzif("V2", data, len, &why);
    tap_ok(z != NULL, "a version 2 file parses");
    if (z) {
        tap_ok(tz_next_transition(z, times[2], &next) && next == epoch(2031, 3, 9, 7, 0, 0),
               "v2: after the last transition the footer takes over");
    }
    tz_free(z);
    int prefixes = 0;
    for (size_t n = 0; n < len; n++) {
        z = tz_from_tzif("cut", data, n, &why);
        prefixes += z == NULL && strcmp(why, "unreadable time zone data") == 0;
        tz_free(z);
    }
    tap_is_int(prefixes, (int)len, "every truncation of a v2 file is refused");

    /* Corrupt header counts in the v2 block. */
    struct {
        size_t field; /* 0 isut … 5 char */
        uint32_t value;
        const char *what;
    } patches[] = {
        {4, 0, "typecnt 0"},         {4, 300, "typecnt 300"},       {2, 1, "leap seconds"},
        {3, 0xFFFFFFFFu, "huge timecnt"}, {5, 0, "charcnt 0"},       {5, 0x7FFFFFFFu, "huge charcnt"},
        {0, 2, "isutcnt != typecnt"}, {1, 1, "isstdcnt != typecnt"}, {3, 4, "timecnt too big"},
    };
    int refused = 0;
    for (size_t i = 0; i < sizeof patches / sizeof patches[0]; i++) {
        unsigned char *copy = xmalloc(len);
        memcpy(copy, data, len);
        unsigned char *f = copy + v2 + 20 + 4 * patches[i].field;
        for (int k = 0; k < 4; k++)
            f[k] = (unsigned char)(patches[i].value >> (24 - 8 * k));
        z = tz_from_tzif("patched", copy, len, &why);
        if (z == NULL)
            refused++;
        else
            tap_diag("%s accepted", patches[i].what);
        tz_free(z);
        free(copy);
    }
    tap_is_int(refused, (int)(sizeof patches / sizeof patches[0]), "corrupt header counts refused");
    unsigned char *copy = xmalloc(len);
    memcpy(copy, data, len);
    copy[v2] = 'X';
    z = tz_from_tzif("magic2", copy, len, &why);
    tap_ok(z == NULL, "a bad second header is refused");
    copy[v2] = 'T';
    copy[4] = '9';
    z = tz_from_tzif("version", copy, len, &why);
    tap_ok(z == NULL, "an unknown version is refused");
    free(copy);
    free(data);

    /* Bad content. */
    unsigned char bad_idx[] = {1, 3, 2};
    int64_t unordered[] = {times[0], times[0], times[2]};
    struct b_type bad_dst[] = {{-18000, 2, "EST"}};
    struct b_type bad_off[] = {{100000, 0, "EST"}};
    data = build_tzif('2', 3, times, bad_idx, 3, types, "", &len, NULL);
    tap_ok((z = tz_from_tzif("x", data, len, &why)) == NULL, "type index out of range refused");
    tz_free(z);
    free(data);
    data = build_tzif('2', 3, unordered, idx, 3, types, "", &len, NULL);
    tap_ok((z = tz_from_tzif("x", data, len, &why)) == NULL, "transitions not increasing refused");
    tz_free(z);
    free(data);
    data = build_tzif('2', 0, NULL, NULL, 1, bad_dst, "", &len, NULL);
    tap_ok((z = tz_from_tzif("x", data, len, &why)) == NULL, "isdst 2 refused");
    tz_free(z);
    free(data);
    data = build_tzif('2', 0, NULL, NULL, 1, bad_off, "", &len, NULL);
    tap_ok((z = tz_from_tzif("x", data, len, &why)) == NULL, "offset beyond 26 h refused");
    tz_free(z);
    free(data);
    data = build_tzif('3', 0, NULL, NULL, 1, types, "EST5EDT,M3.2.0,M11.1.0", &len, NULL);
    data[len - 1] = 'x';
    tap_ok((z = tz_from_tzif("x", data, len, &why)) == NULL, "footer without its newline refused");
    tz_free(z);
    free(data);
    data = build_tzif('3', 0, NULL, NULL, 1, types, "", &len, NULL);
    tap_ok((z = tz_from_tzif("x", data, len, &why)) != NULL, "v3, no transitions, empty footer");
    if (z) {
        tz_utc_to_local(z, 0, &back, &info);
        tap_ok(info.utc_offset == -18000 && !tz_next_transition(z, 0, &next), "is type 0 forever");
    }
    tz_free(z);
    free(data);

    /* A real file with bytes flipped: never a crash, and any zone that
     * parses still round-trips. */
    data = slurp(ZONEINFO "/America/New_York", &len);
    int parsed = 0, broken = 0;
    static const unsigned char flips[] = {0x01, 0x80, 0xff};
    for (size_t i = 0; data && i < len; i++) {
        for (size_t k = 0; k < sizeof flips; k++) {
            data[i] ^= flips[k];
            z = tz_from_tzif("flipped", data, len, &why);
            if (z) {
                parsed++;
                struct civil_time ct = mk(2026, 3, 8, 2, 30, 0);
                for (int h = 0; h < 48; h += 7) {
                    int64_t t;
                    ct.hour = h % 24;
                    ct.day = 8 + h / 24;
                    enum tz_result r = tz_local_to_utc(z, &ct, &t, NULL, 0);
                    if (r == TZ_OK || r == TZ_AMBIGUOUS) {
                        tz_utc_to_local(z, t, &back, &info);
                        broken += !same_civil(&back, &ct);
                    }
                }
            }
            tz_free(z);
            data[i] ^= flips[k];
        }
    }
    tap_ok(data != NULL && broken == 0, "%zu single-byte corruptions of New_York: %d still parse, no crash",
           3 * len, parsed);
    free(data);
}

/* ---- a temporary TZDIR, in a fresh process (TZDIR is read once) ------- */

static int child_checks(const char *mode)
{
    int fails = 0;
    const char *why = NULL;
    size_t n = 0;
    const char *const *names = tz_zone_names(&n);
    if (strcmp(mode, "zi") == 0) {
        if (tz_find("Good/NY", &why) == NULL) {
            printf("# child: Good/NY not found: %s\n", why);
            fails++;
        }
        if (tz_find("Bad/Trunc", &why) != NULL || strcmp(why, "unreadable time zone data") != 0) {
            printf("# child: Bad/Trunc: %s\n", why);
            fails++;
        }
        if (tz_find("Bad/Text", &why) != NULL || strcmp(why, "unknown time zone") != 0) {
            printf("# child: Bad/Text: %s\n", why);
            fails++;
        }
        if (tz_find("America/New_York", &why) != NULL) {
            printf("# child: America/New_York found outside TZDIR\n");
            fails++;
        }
        if (n != 1 || strcmp(names[0], "Good/NY") != 0 || names[1] != NULL) {
            printf("# child: tzdata.zi names wrong (%zu)\n", n);
            fails++;
        }
    } else {
        if (n != 2 || strcmp(names[0], "Good/NY") != 0 || strcmp(names[1], "UTC") != 0) {
            printf("# child: walked names wrong (%zu):", n);
            for (size_t i = 0; i < n; i++)
                printf(" %s", names[i]);
            printf("\n");
            fails++;
        }
    }
    fflush(stdout);
    return fails;
}

static void mkdirs(const char *root, const char *const *dirs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char *p = xasprintf("%s/%s", root, dirs[i]);
        mkdir(p, 0700);
        free(p);
    }
}

static void put_file(const char *root, const char *name, const void *data, size_t len)
{
    char *p = xasprintf("%s/%s", root, name);
    if (!write_file(p, data, len))
        tap_diag("cannot write %s: %s", p, strerror(errno));
    free(p);
}

static int run_child(const char *self, const char *dir, const char *mode)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        setenv("TZDIR", dir, 1);
        execl(self, self, "--child", mode, (char *)NULL);
        _exit(127);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void test_tzdir(void)
{
    char tmpl[] = "/tmp/test_tz.XXXXXX";
    char *root = mkdtemp(tmpl);
    size_t ny_len, utc_len;
    unsigned char *ny = slurp(ZONEINFO "/America/New_York", &ny_len);
    unsigned char *utc = slurp(ZONEINFO "/Etc/UTC", &utc_len);
    char self[4096];
    ssize_t sl = readlink("/proc/self/exe", self, sizeof self - 1);
    if (!root || !ny || !utc || sl <= 0) {
        tap_ok(false, "temporary TZDIR set up");
        free(ny);
        free(utc);
        return;
    }
    self[sl] = '\0';
    static const char *const dirs[] = {"Good", "Bad", "right", "posix", "Link"};
    mkdirs(root, dirs, sizeof dirs / sizeof dirs[0]);
    put_file(root, "Good/NY", ny, ny_len);
    put_file(root, "Bad/Trunc", ny, ny_len / 2);
    put_file(root, "Bad/Text", "TZ? not this\n", 13);
    put_file(root, "right/UTC", utc, utc_len);
    put_file(root, "posix/UTC", utc, utc_len);
    put_file(root, "UTC", utc, utc_len);
    put_file(root, "posixrules", ny, ny_len);
    put_file(root, "localtime", utc, utc_len);
    put_file(root, "Factory", utc, utc_len);
    put_file(root, "zone.tab", "# nothing\n", 10);
    char *link = xasprintf("%s/Link/NY", root);
    if (symlink("../Good/NY", link) != 0)
        tap_diag("symlink: %s", strerror(errno));
    free(link);

    tap_is_int(run_child(self, root, "walk"), 0,
               "without tzdata.zi the tree walk skips right/, posix/, links, non-TZif and refused names");
    static const char zi[] = "# version test\nR X 1 2 - Mar 1 2 1 D\nZ Good/NY -5 - EST\n"
                             "Z Bad/Trunc 0 - UTC\nZ Bad/Text 0 - UTC\nZ Missing/Zone 0 - UTC\n"
                             "Z Factory 0 - -00\nZ ../Good/NY 0 - UTC\nL Good/NY Link/NY\n";
    put_file(root, "tzdata.zi", zi, sizeof zi - 1);
    char *utc_path = xasprintf("%s/UTC", root);
    unlink(utc_path); /* no UTC here: the list must come from tzdata.zi alone */
    free(utc_path);
    tap_is_int(run_child(self, root, "zi"), 0,
               "TZDIR is honoured: corrupt file unreadable, text file unknown, tzdata.zi lists Good/NY only");

    static const char *const files[] = {"Good/NY", "Bad/Trunc", "Bad/Text", "right/UTC", "posix/UTC",
                                        "UTC", "posixrules", "localtime", "Factory", "zone.tab",
                                        "Link/NY", "tzdata.zi"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char *p = xasprintf("%s/%s", root, files[i]);
        unlink(p);
        free(p);
    }
    for (size_t i = sizeof dirs / sizeof dirs[0]; i-- > 0;) {
        char *p = xasprintf("%s/%s", root, dirs[i]);
        rmdir(p);
        free(p);
    }
    rmdir(root);
    free(ny);
    free(utc);
}

/* ---- names ------------------------------------------------------------ */

static void test_names(void)
{
    size_t n = 0;
    const char *const *names = tz_zone_names(&n);
    bool has_ny = false, has_utc = false, sorted = true, clean = true;
    for (size_t i = 0; i < n; i++) {
        has_ny |= strcmp(names[i], "America/New_York") == 0;
        has_utc |= strcmp(names[i], "UTC") == 0;
        if (i > 0 && strcmp(names[i - 1], names[i]) >= 0)
            sorted = false;
        if (strncmp(names[i], "right/", 6) == 0 || strncmp(names[i], "posix/", 6) == 0 ||
            strcmp(names[i], "Factory") == 0 || strcmp(names[i], "localtime") == 0 ||
            strcmp(names[i], "posixrules") == 0)
            clean = false;
    }
    tap_ok(n > 300 && names[n] == NULL, "%zu zone names, NULL-terminated", n);
    tap_ok(has_ny && has_utc, "the list has America/New_York and UTC");
    tap_ok(sorted, "sorted, without duplicates");
    tap_ok(clean, "no right/, posix/, Factory, localtime or posixrules");
    tap_ok(!has_ny || find("US/Eastern") != NULL, "links resolve but are not listed");
    bool no_links = true;
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], "US/Eastern") == 0 || strcmp(names[i], "Asia/Calcutta") == 0)
            no_links = false;
    tap_ok(no_links, "US/Eastern and Asia/Calcutta are links, not listed");
    size_t n2;
    tap_ok(tz_zone_names(&n2) == names && n2 == n, "the list is built once");
}

/* ---- threads ---------------------------------------------------------- */

#define NTHREADS 8
#define NZONES 48

struct worker {
    const char *const *names;
    size_t nnames;
    int id;
    pthread_barrier_t *barrier;
    const struct tz_zone *found[NZONES];
    uint64_t sum;
    int mismatches;
};

/* A checksum of many conversions in the worker's zones. */
static uint64_t convert_many(const struct tz_zone *const *zones, int first, int *mismatches)
{
    uint64_t sum = 0;
    uint32_t x = 12345;
    for (int i = 0; i < 4000; i++) {
        x = x * 1103515245u + 12345u;
        const struct tz_zone *z = zones[(first + i) % NZONES];
        if (z == NULL)
            continue;
        struct civil_time ct = mk(1970 + (int)(x >> 8) % 80, 1 + (int)(x >> 3) % 12,
                                  1 + (int)(x >> 12) % 28, (int)(x >> 16) % 24, (int)(x >> 4) % 60, 0);
        int64_t t = 0;
        enum tz_result r = tz_local_to_utc(z, &ct, &t, NULL, 0);
        struct civil_time back;
        struct tz_info info;
        tz_utc_to_local(z, t, &back, &info);
        if ((r == TZ_OK || r == TZ_AMBIGUOUS) && !same_civil(&back, &ct))
            (*mismatches)++;
        int64_t next = 0;
        tz_next_transition(z, t, &next);
        sum = sum * 31 + (uint64_t)t + (uint64_t)r + (uint64_t)next + (uint64_t)info.utc_offset;
    }
    return sum;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    pthread_barrier_wait(w->barrier);
    /* Everybody loads the same zones at once, in different orders. */
    for (int i = 0; i < NZONES; i++) {
        int k = (i * 7 + w->id * 5) % NZONES;
        w->found[k] = tz_find(w->names[(size_t)k * w->nnames / NZONES], NULL);
    }
    w->sum = convert_many(w->found, w->id * 6, &w->mismatches);
    return NULL;
}

static void test_threads(void)
{
    size_t n;
    const char *const *names = tz_zone_names(&n);
    pthread_barrier_t barrier;
    pthread_barrier_init(&barrier, NULL, NTHREADS);
    static struct worker w[NTHREADS];
    pthread_t th[NTHREADS];
    for (int i = 0; i < NTHREADS; i++) {
        w[i] = (struct worker){.names = names, .nnames = n, .id = i, .barrier = &barrier};
        pthread_create(&th[i], NULL, worker_main, &w[i]);
    }
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(th[i], NULL);
    pthread_barrier_destroy(&barrier);
    int same = 0, mism = 0, sums = 0, found = 0;
    for (int i = 0; i < NTHREADS; i++) {
        for (int k = 0; k < NZONES; k++) {
            same += w[i].found[k] == w[0].found[k];
            found += w[i].found[k] != NULL;
        }
        mism += w[i].mismatches;
        int dummy = 0;
        sums += convert_many(w[0].found, i * 6, &dummy) == w[i].sum;
    }
    tap_ok(found == NTHREADS * NZONES && same == NTHREADS * NZONES,
           "%d threads loading %d zones at once get one zone object per name", NTHREADS, NZONES);
    tap_ok(mism == 0 && sums == NTHREADS,
           "concurrent conversions round-trip and match a single-threaded rerun");
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--child") == 0)
        return child_checks(argv[2]);
    test_tzdir();
    test_new_york();
    test_lord_howe();
    test_apia();
    test_kolkata();
    test_dublin_and_friends();
    test_range();
    test_refused();
    test_footer_vs_explicit();
    test_footer_forms();
    test_tzif_synthetic();
    test_names();
    test_threads();
    return tap_done();
}
