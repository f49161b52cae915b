/*
 * test_slots.c — the slot grid of cbd/slots.c: day bounds (DST days, a
 * midnight that DST skips), the grid across spring-forward, fall-back and a
 * 30-minute change under hour slots, the slot containing an instant, and
 * slots_next_free() over a store stub that counts callbacks from a table.
 *
 * slots.c is compiled into this test directly (it needs nothing of cbd but
 * the one store function stubbed below), so the unit tests keep linking
 * only the common library.
 */
#include "../../cbd/slots.c"

#include <stdio.h>
#include <string.h>

#include "tap.h"

/* ---- the store stub -------------------------------------------------------- */

#define FAKE_MAX 64
static int64_t fake_due[FAKE_MAX];
static int64_t fake_bp[FAKE_MAX];
static int fake_count;
static int fake_reads;

static void fake_add(int64_t bp, int64_t due, int n)
{
    for (int i = 0; i < n && fake_count < FAKE_MAX; i++) {
        fake_bp[fake_count] = bp;
        fake_due[fake_count++] = due;
    }
}

enum store_result store_slots_count_due(struct store *st, int64_t bp_id, const int64_t bounds[],
                                        int n, int64_t counts[])
{
    (void)st;
    fake_reads++;
    for (int i = 0; i < n; i++) {
        counts[i] = 0;
        for (int k = 0; k < fake_count; k++)
            if (fake_bp[k] == bp_id && fake_due[k] >= bounds[i] && fake_due[k] < bounds[i + 1])
                counts[i]++;
    }
    return STORE_OK;
}

/* ---- helpers ------------------------------------------------------------ */

static const struct tz_zone *zone(const char *name)
{
    const char *why = NULL;
    const struct tz_zone *z = tz_find(name, &why);
    if (z == NULL) {
        tap_diag("tz_find(%s): %s", name, why ? why : "?");
        exit(1);
    }
    return z;
}

static int64_t utc(int y, int mo, int d, int h, int mi)
{
    struct civil_time ct = {y, mo, d, h, mi, 0};
    return civil_to_epoch(&ct);
}

static const char *fmt(int64_t t)
{
    static char buf[4][CIVIL_RFC3339_SIZE];
    static int i;
    i = (i + 1) % 4;
    civil_format_rfc3339(t, buf[i]);
    return buf[i];
}

/* The grid tiles: each slot ends where the next starts, all lie in order. */
static bool tiles(const struct slot *s, int n)
{
    for (int i = 0; i < n; i++)
        if (s[i].end <= s[i].start || (i + 1 < n && s[i].end != s[i + 1].start))
            return false;
    return true;
}

static struct cb_bp bp_sales(void)
{
    struct cb_bp bp;
    memset(&bp, 0, sizeof bp);
    bp.id = 1;
    snprintf(bp.name, sizeof bp.name, "Sales");
    snprintf(bp.tz, sizeof bp.tz, "America/New_York");
    timing_defaults(&bp.timing);
    for (int d = 1; d <= 5; d++) {
        bp.timing.week[d][0] = (struct timing_span){9 * 60, 17 * 60};
        bp.timing.week_count[d] = 1;
    }
    bp.timing.slot_min = 30;
    bp.timing.slot_capacity = 4;
    return bp;
}

/* ---- tests -------------------------------------------------------------- */

static void test_days(void)
{
    int64_t from, to;
    slots_day(zone("America/New_York"), 2027, 3, 14, &from, &to);
    tap_is_str(fmt(from), "2027-03-14T05:00:00Z", "spring-forward day starts at EST midnight");
    tap_is_str(fmt(to), "2027-03-15T04:00:00Z", "and ends at EDT midnight (23 hours)");
    slots_day(zone("America/New_York"), 2027, 11, 7, &from, &to);
    tap_is_int(to - from, 25 * 3600, "fall-back day: 25 hours");
    /* Santiago skips from 00:00 -04 to 01:00 -03 on 2027-09-05. */
    slots_day(zone("America/Santiago"), 2027, 9, 5, &from, &to);
    tap_is_str(fmt(from), "2027-09-05T04:00:00Z", "a skipped midnight: the day starts at the jump");
    tap_is_str(fmt(to), "2027-09-06T03:00:00Z", "and ends at the next midnight");
    slots_day(zone("Asia/Kathmandu"), 2027, 1, 13, &from, &to);
    tap_is_str(fmt(from), "2027-01-12T18:15:00Z", "+05:45 midnight");
}

static void test_grid(void)
{
    struct slot s[400];
    int64_t from, to;
    const struct tz_zone *ny = zone("America/New_York");

    slots_day(ny, 2027, 1, 13, &from, &to);
    int n = slots_grid(ny, 30, from, to, s, 400);
    tap_ok(n == 48 && tiles(s, n) && s[0].start == from && s[n - 1].end == to,
           "winter day: 48 slots tiling the day (%d)", n);

    slots_day(ny, 2027, 3, 14, &from, &to);
    n = slots_grid(ny, 30, from, to, s, 400);
    tap_ok(n == 46 && tiles(s, n), "spring forward: 46 slots (%d)", n);
    tap_is_str(fmt(s[4].start), "2027-03-14T07:00:00Z", "01:30 EST is followed by 03:00 EDT");
    tap_is_int(s[3].end - s[3].start, 1800, "the 01:30 slot still lasts 30 minutes");

    slots_day(ny, 2027, 11, 7, &from, &to);
    n = slots_grid(ny, 60, from, to, s, 400);
    tap_ok(n == 25 && tiles(s, n), "fall back, hour slots: 25 (%d)", n);
    tap_is_int(s[2].start - s[1].start, 3600, "01:00 EDT and 01:00 EST are both slots");

    n = slots_grid(ny, 30, from, to, s, 10);
    tap_is_int(n, 50, "too little room: the count is still returned");

    n = slots_grid(ny, 5, from, to, NULL, 0);
    tap_is_int(n, 300, "5-minute slots on a 25-hour day: 300");

    /* Lord Howe: 02:00 DST back to 01:30 standard on 2027-04-04. */
    const struct tz_zone *lh = zone("Australia/Lord_Howe");
    slots_day(lh, 2027, 4, 4, &from, &to);
    n = slots_grid(lh, 60, from, to, s, 400);
    tap_ok(n == 24 && tiles(s, n), "Lord Howe fall back: 24 hour slots on 24.5 hours (%d)", n);
    tap_is_int(s[1].end - s[1].start, 5400, "the 01:00 slot stretches to 90 minutes");
    n = slots_grid(lh, 30, from, to, s, 400);
    tap_is_int(n, 49, "Lord Howe, half-hour slots: 49 (01:30 twice)");

    /* Santiago from a skipped midnight: the first slot is 01:00 local. */
    const struct tz_zone *scl = zone("America/Santiago");
    slots_day(scl, 2027, 9, 5, &from, &to);
    n = slots_grid(scl, 30, from, to, s, 400);
    tap_ok(n == 46 && s[0].start == from, "Santiago skipped midnight: 46 slots from the jump (%d)", n);

    /* The grid is the BP's: a Kathmandu BP seen over a UTC day. */
    const struct tz_zone *ktm = zone("Asia/Kathmandu");
    n = slots_grid(ktm, 30, utc(2027, 1, 13, 0, 0), utc(2027, 1, 14, 0, 0), s, 400);
    tap_ok(n == 48 && strcmp(fmt(s[0].start), "2027-01-13T00:15:00Z") == 0,
           "+05:45 BP: slots at :15 and :45 UTC (%d, %s)", n, fmt(s[0].start));
    tap_is_int(slots_grid(ny, 30, from, from, s, 400), 0, "an empty range has no slots");
}

static void test_start_of(void)
{
    const struct tz_zone *ny = zone("America/New_York");
    tap_is_str(fmt(slots_start_of(ny, 30, utc(2027, 1, 13, 15, 17))), "2027-01-13T15:00:00Z",
               "mid-slot");
    tap_is_str(fmt(slots_start_of(ny, 30, utc(2027, 1, 13, 15, 30))), "2027-01-13T15:30:00Z",
               "on a start");
    tap_is_str(fmt(slots_start_of(ny, 120, utc(2027, 1, 13, 6, 59))), "2027-01-13T05:00:00Z",
               "two-hour slots follow local midnight");
    /* 2027-11-07 06:10Z is 01:10 EST, the second 01:00. */
    tap_is_str(fmt(slots_start_of(ny, 60, utc(2027, 11, 7, 6, 10))), "2027-11-07T06:00:00Z",
               "in the repeated hour: its own slot");
    const struct tz_zone *lh = zone("Australia/Lord_Howe");
    /* 2027-04-03 15:20Z is 01:50 standard, after the clocks went back at
     * 15:00Z: still inside the stretched 01:00 slot that began at 14:00Z. */
    tap_is_str(fmt(slots_start_of(lh, 60, utc(2027, 4, 3, 15, 20))), "2027-04-03T14:00:00Z",
               "inside a stretched slot");
}

static void test_next_free(void)
{
    struct cb_bp bp = bp_sales();
    int64_t out[8];
    /* Friday 2027-01-15 16:40 New York = 21:40Z; the 16:30 slot is open. */
    int64_t fri = utc(2027, 1, 15, 21, 40);
    int n = slots_next_free(NULL, &bp, fri, out, 3);
    tap_ok(n == 3 && strcmp(fmt(out[0]), "2027-01-15T21:30:00Z") == 0 &&
               strcmp(fmt(out[1]), "2027-01-18T14:00:00Z") == 0 &&
               strcmp(fmt(out[2]), "2027-01-18T14:30:00Z") == 0,
           "from the slot containing after, then Monday 09:00 (%d found)", n);

    fake_add(1, utc(2027, 1, 15, 21, 45), 4);  /* Friday 16:30 full */
    fake_add(1, utc(2027, 1, 18, 14, 40), 4);  /* Monday 09:30 full */
    fake_add(1, utc(2027, 1, 18, 14, 0), 3);   /* Monday 09:00: one left */
    fake_add(2, utc(2027, 1, 18, 15, 0), 9);   /* another BP */
    fake_reads = 0;
    n = slots_next_free(NULL, &bp, fri, out, 3);
    tap_ok(n == 3 && strcmp(fmt(out[0]), "2027-01-18T14:00:00Z") == 0 &&
               strcmp(fmt(out[1]), "2027-01-18T15:00:00Z") == 0 &&
               strcmp(fmt(out[2]), "2027-01-18T15:30:00Z") == 0,
           "full slots are skipped (%d found)", n);
    tap_ok(fake_reads <= 4, "one store read per day looked at (%d)", fake_reads);

    bp.timing.slot_capacity = 0;
    n = slots_next_free(NULL, &bp, fri, out, 2);
    tap_ok(n == 2 && strcmp(fmt(out[0]), "2027-01-15T21:30:00Z") == 0,
           "no cap: the next open slots, full or not (%s)", fmt(out[0]));

    for (int d = 0; d < 7; d++)
        bp.timing.week_count[d] = 0;
    tap_is_int(slots_next_free(NULL, &bp, fri, out, 3), 0, "never open: none");

    struct cb_bp always = bp_sales();
    snprintf(always.tz, sizeof always.tz, "UTC");
    always.id = 3;
    always.timing.slot_min = 60;
    for (int d = 0; d < 7; d++) {
        always.timing.week[d][0] = (struct timing_span){0, 24 * 60};
        always.timing.week_count[d] = 1;
    }
    int64_t many[400];
    n = slots_next_free(NULL, &always, utc(2027, 1, 13, 10, 30), many, 400);
    tap_ok(n == 14 * 24 + 1 && many[0] == utc(2027, 1, 13, 10, 0) &&
               many[n - 1] == utc(2027, 1, 27, 10, 0),
           "the search stops after 14 days (%d, last %s)", n, fmt(many[n > 0 ? n - 1 : 0]));

    snprintf(always.tz, sizeof always.tz, "Nowhere/Else");
    tap_is_int(slots_next_free(NULL, &always, 0, many, 3), 0, "an unknown BP zone: none");
}

int main(void)
{
    test_days();
    test_grid();
    test_start_of();
    test_next_free();
    return tap_done();
}
