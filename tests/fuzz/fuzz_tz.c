/*
 * fuzz_tz.c — libFuzzer target for the time zone module.
 *
 * Two kinds of input:
 *   - bytes starting with "TZif": parsed with tz_from_tzif(); if accepted,
 *     the zone's transitions are walked and local times around each one are
 *     converted, checking that tz_next_transition() reports real changes,
 *     that local → UTC → local round-trips, and that tz_local_to_utc()
 *     agrees with a brute-force search over every offset the walk saw;
 *   - text "ZONE\nYYYY-MM-DD HH:MM[:SS]\nINSTANT": tz_find() on the name
 *     (real zones under TZDIR), then both conversions and their round-trips.
 *     When the second line is not a date, its bytes are used as raw civil
 *     fields (possibly invalid: then TZ_RANGE is required).
 * Any broken invariant aborts.
 */
#include "civil.h"
#include "tz.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_WALK 300
#define MAX_OFFS 64

static void check(bool cond, const char *what)
{
    if (!cond) {
        fprintf(stderr, "invariant broken: %s\n", what);
        abort();
    }
}

static bool same_civil(const struct civil_time *a, const struct civil_time *b)
{
    return a->year == b->year && a->month == b->month && a->day == b->day &&
           a->hour == b->hour && a->minute == b->minute && a->second == b->second;
}

static bool civil_ok(const struct civil_time *ct)
{
    return civil_date_valid(ct->year, ct->month, ct->day) && ct->hour >= 0 && ct->hour <= 23 &&
           ct->minute >= 0 && ct->minute <= 59 && ct->second >= 0 && ct->second <= 59;
}

/* local → UTC, and back when the local time exists. */
static enum tz_result roundtrip_local(const struct tz_zone *z, const struct civil_time *ct)
{
    char why[256];
    int64_t t = 0;
    enum tz_result r = tz_local_to_utc(z, ct, &t, why, sizeof why);
    check((r == TZ_RANGE) == !civil_ok(ct), "TZ_RANGE exactly for invalid civil times");
    if (r == TZ_OK || r == TZ_AMBIGUOUS) {
        struct civil_time back;
        tz_utc_to_local(z, t, &back, NULL);
        check(same_civil(&back, ct), "local -> utc -> local round-trip");
    }
    if (r == TZ_GAP)
        check(strstr(why, "does not exist in") != NULL, "a gap is explained");
    return r;
}

/* UTC → local, and back: the instant must be one of the local time's. */
static void roundtrip_utc(const struct tz_zone *z, int64_t t)
{
    struct civil_time ct;
    struct tz_info info;
    tz_utc_to_local(z, t, &ct, &info);
    check(memchr(info.abbr, '\0', sizeof info.abbr) != NULL, "abbreviation terminated");
    if (ct.year < 1 || ct.year > 9999 || t < -((int64_t)1 << 55) || t > ((int64_t)1 << 55))
        return;
    int64_t u = 0;
    enum tz_result r = tz_local_to_utc(z, &ct, &u, NULL, 0);
    check(r == TZ_OK || r == TZ_AMBIGUOUS, "an instant's local time exists");
    check(r == TZ_AMBIGUOUS ? u <= t : u == t, "utc -> local -> utc gives it back (or earlier)");
}

static void fuzz_tzif(const uint8_t *data, size_t size)
{
    const char *why = NULL;
    struct tz_zone *z = tz_from_tzif("Fuzz/Zone", data, size, &why);
    if (z == NULL) {
        check(why != NULL, "a refused file says why");
        return;
    }
    int32_t offs[MAX_OFFS];
    size_t noffs = 0;
    bool complete = false;
    int64_t t = INT64_MIN, starts[MAX_WALK + 1];
    size_t nstarts = 0;
    struct tz_info cur, at, before;
    struct civil_time ct;
    tz_utc_to_local(z, t, &ct, &cur);
    offs[noffs++] = cur.utc_offset;
    for (int i = 0; i < MAX_WALK; i++) {
        int64_t e;
        if (!tz_next_transition(z, t, &e)) {
            complete = true;
            break;
        }
        check(e > t, "next transition is after t");
        tz_utc_to_local(z, e, &ct, &at);
        tz_utc_to_local(z, e - 1, &ct, &before);
        check(at.utc_offset != cur.utc_offset || at.is_dst != cur.is_dst, "a transition changes something");
        check(before.utc_offset == cur.utc_offset && before.is_dst == cur.is_dst,
              "nothing changes before the next transition");
        size_t k = 0;
        while (k < noffs && offs[k] != at.utc_offset)
            k++;
        if (k == noffs && noffs < MAX_OFFS)
            offs[noffs++] = at.utc_offset;
        starts[nstarts++] = e;
        cur = at;
        t = e;
    }
    if (noffs == MAX_OFFS)
        complete = false;

    /* Around the first few transitions: local times at the edges. */
    for (size_t i = 0; i < nstarts && i < 24; i++) {
        int64_t e = starts[i];
        if (e < -62135596800 + 200000 || e > 253402300799 - 200000)
            continue;
        tz_utc_to_local(z, e - 1, &ct, &before);
        tz_utc_to_local(z, e, &ct, &at);
        int64_t a = e + before.utc_offset, b = e + at.utc_offset;
        int64_t probes[] = {a - 1, a, b - 1, b, (a + b) / 2, a + 1};
        for (size_t p = 0; p < sizeof probes / sizeof probes[0]; p++) {
            civil_from_epoch(probes[p], &ct);
            int64_t got = 0;
            enum tz_result r = tz_local_to_utc(z, &ct, &got, NULL, 0);
            roundtrip_local(z, &ct);
            /* Brute force over every offset seen. */
            int64_t L = civil_to_epoch(&ct), best = INT64_MAX;
            int n = 0;
            for (size_t k = 0; k < noffs; k++) {
                struct tz_info info;
                struct civil_time tmp;
                tz_utc_to_local(z, L - offs[k], &tmp, &info);
                if (info.utc_offset == offs[k]) {
                    n++;
                    if (L - offs[k] < best)
                        best = L - offs[k];
                }
            }
            if (n >= 1)
                check(r != TZ_GAP && got <= best, "brute force finds no more than tz");
            if (n >= 2)
                check(r == TZ_AMBIGUOUS, "brute force ambiguity seen by tz");
            if (complete) {
                check((n == 0) == (r == TZ_GAP) && (n >= 2) == (r == TZ_AMBIGUOUS),
                      "tz agrees with brute force");
                check(n == 0 || got == best, "tz picks the earliest");
            }
            roundtrip_utc(z, e + (int64_t)p - 3);
        }
    }
    static const int64_t instants[] = {INT64_MIN, -62135596800, -1, 0, 1, 1772953200,
                                       4102444800, 253402300799, INT64_MAX};
    for (size_t i = 0; i < sizeof instants / sizeof instants[0]; i++)
        roundtrip_utc(z, instants[i]);
    tz_free(z);
}

static void fuzz_text(const uint8_t *data, size_t size)
{
    char buf[512];
    if (size >= sizeof buf)
        return;
    memcpy(buf, data, size);
    buf[size] = '\0';
    char *name = buf, *when = strchr(buf, '\n'), *inst = NULL;
    if (when) {
        *when++ = '\0';
        inst = strchr(when, '\n');
        if (inst)
            *inst++ = '\0';
    }
    const char *why = NULL;
    const struct tz_zone *z = tz_find(name, &why);
    if (z == NULL) {
        check(why != NULL, "a refused name says why");
        return;
    }
    check(strcmp(tz_name(z), name) == 0, "tz_name is the name asked for");
    check(tz_find(name, NULL) == z, "the cache gives the same zone");
    if (when == NULL)
        return;
    struct civil_time ct = {0};
    int secs;
    const char *space = strchr(when, ' ');
    char date[16];
    if (space && space - when == 10) {
        memcpy(date, when, 10);
        date[10] = '\0';
    } else {
        date[0] = '\0';
    }
    if (date[0] && civil_parse_date(date, &ct.year, &ct.month, &ct.day, &why) &&
        civil_parse_clock(space + 1, false, &secs, &why)) {
        ct.hour = secs / 3600;
        ct.minute = secs / 60 % 60;
        ct.second = secs % 60;
    } else {
        /* Raw fields from the bytes, valid or not. */
        const unsigned char *u = (const unsigned char *)when;
        size_t n = strlen(when);
        int v[6] = {2026, 3, 8, 2, 30, 0};
        for (size_t i = 0; i < n && i < 12; i += 2)
            v[i / 2] = (i / 2 == 0 ? 0 : -1) + ((u[i] << 8 | (i + 1 < n ? u[i + 1] : 0)) %
                                                (i / 2 == 0 ? 10002 : i / 2 <= 2 ? 34 : 62));
        ct = (struct civil_time){v[0], v[1], v[2], v[3], v[4], v[5]};
    }
    roundtrip_local(z, &ct);
    if (inst) {
        int64_t t = strtoll(inst, NULL, 10);
        roundtrip_utc(z, t);
        int64_t e;
        if (tz_next_transition(z, t, &e)) {
            struct tz_info a, b;
            struct civil_time tmp;
            check(e > t, "next transition after t");
            tz_utc_to_local(z, e - 1, &tmp, &a);
            tz_utc_to_local(z, e, &tmp, &b);
            check(a.utc_offset != b.utc_offset || a.is_dst != b.is_dst, "it changes something");
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size >= 4 && memcmp(data, "TZif", 4) == 0)
        fuzz_tzif(data, size);
    else
        fuzz_text(data, size);
    return 0;
}
