/*
 * slots.c — the slot grid (see slots.h).
 *
 * Between two UTC-offset transitions of the BP zone the local clock runs
 * with UTC at a fixed offset, and since slot_min divides a day, the local
 * time of day is on the grid exactly when (t + offset) is a multiple of the
 * slot length. So the grid is computed on instants, one constant-offset
 * stretch at a time: the first start at or after t is the first multiple in
 * t's stretch, or else the same question asked again from the next
 * transition. Repeated and skipped local hours then need no special case.
 */
#include "slots.h"

#include <stdlib.h>

#include "log.h"
#include "xalloc.h"

#define SLOTS_DAY_S INT64_C(86400)
/* Every UTC offset lies within this many seconds (RFC 8536 allows ±25 h). */
#define SLOTS_OFF_SPAN INT64_C(93600)
/* Transitions looked through for one start; real zones need one or two. */
#define SLOTS_MAX_HOPS 64

static int slots_offset_at(const struct tz_zone *zone, int64_t t)
{
    struct civil_time ct;
    struct tz_info info;
    tz_utc_to_local(zone, t, &ct, &info);
    return info.utc_offset;
}

/* The first start of the grid of period p seconds at or after t. */
static int64_t slots_next_start(const struct tz_zone *zone, int64_t p, int64_t t)
{
    for (int hop = 0; hop < SLOTS_MAX_HOPS; hop++) {
        int64_t local = t + slots_offset_at(zone, t);
        int64_t r = ((local % p) + p) % p;
        int64_t s = r == 0 ? t : t + (p - r);
        int64_t next;
        if (!tz_next_transition(zone, t, &next) || s < next)
            return s;
        t = next;
    }
    return t; /* a zone changing offset every few minutes: start there */
}

/* The transition e at which the clocks jump over local wall time L (local
 * seconds read as UTC): e + before <= L < e + after. */
static int64_t slots_gap_end(const struct tz_zone *zone, int64_t L)
{
    int64_t t = L - SLOTS_OFF_SPAN, e;
    int before = slots_offset_at(zone, t);
    for (int i = 0; i < SLOTS_MAX_HOPS && tz_next_transition(zone, t, &e) &&
                    e <= L + SLOTS_OFF_SPAN;
         i++) {
        int after = slots_offset_at(zone, e);
        if (e + before <= L && L < e + after)
            return e;
        before = after;
        t = e;
    }
    return L - before;
}

/* The first instant at which zone's local clock reads midnight of the date
 * `days` (since the epoch) or later. */
static int64_t slots_midnight(const struct tz_zone *zone, int64_t days)
{
    struct civil_time ct = {0};
    civil_date_from_days(days, &ct.year, &ct.month, &ct.day);
    int64_t u;
    switch (tz_local_to_utc(zone, &ct, &u, NULL, 0)) {
    case TZ_OK:
    case TZ_AMBIGUOUS:
        return u;
    case TZ_GAP:
        return slots_gap_end(zone, days * SLOTS_DAY_S);
    case TZ_RANGE:
        break;
    }
    return days * SLOTS_DAY_S - slots_offset_at(zone, days * SLOTS_DAY_S);
}

void slots_day(const struct tz_zone *zone, int y, int m, int d, int64_t *from, int64_t *to)
{
    int64_t days = civil_days_from_date(y, m, d);
    *from = slots_midnight(zone, days);
    *to = slots_midnight(zone, days + 1);
    if (*to < *from)
        *to = *from;
}

int slots_grid(const struct tz_zone *bp_zone, int slot_min, int64_t from, int64_t to,
               struct slot out[], int max)
{
    int64_t p = (int64_t)slot_min * 60;
    int n = 0;
    int64_t s = slots_next_start(bp_zone, p, from);
    while (s < to) {
        int64_t next = slots_next_start(bp_zone, p, s + 1);
        if (n < max)
            out[n] = (struct slot){s, next};
        n++;
        s = next;
    }
    return n;
}

int64_t slots_start_of(const struct tz_zone *bp_zone, int slot_min, int64_t t)
{
    int64_t p = (int64_t)slot_min * 60;
    /* A slot is shorter than two periods unless offset changes pile up, so
     * the first try almost always finds a start at or before t. */
    int64_t back = 2 * p, s = slots_next_start(bp_zone, p, t - back);
    while (s > t && back < 8 * SLOTS_DAY_S) {
        back *= 2;
        s = slots_next_start(bp_zone, p, t - back);
    }
    if (s > t)
        return t;
    for (;;) {
        int64_t next = slots_next_start(bp_zone, p, s + 1);
        if (next > t)
            return s;
        s = next;
    }
}

int slots_next_free(struct store *st, const struct cb_bp *bp, int64_t after, int64_t out[],
                    int max)
{
    const char *why;
    const struct tz_zone *zone = tz_find(bp->tz, &why);
    if (zone == NULL) {
        log_error("business process %s: time zone %s: %s", bp->name, bp->tz, why);
        return 0;
    }
    const struct timing *tm = &bp->timing;
    int64_t from = slots_start_of(zone, tm->slot_min, after);
    int64_t limit = after + SLOTS_SEARCH_DAYS * SLOTS_DAY_S;
    int room = (int)(SLOTS_DAY_S / 300) + 16, found = 0;
    struct slot *grid = xmalloc((size_t)room * sizeof *grid);
    int64_t *bounds = xmalloc((size_t)(room + 1) * sizeof *bounds);
    int64_t *counts = xmalloc((size_t)room * sizeof *counts);
    /* A day at a time: one store read per day, and the search stops as
     * soon as enough slots are found. */
    while (found < max && from < limit) {
        int64_t to = from + SLOTS_DAY_S < limit ? from + SLOTS_DAY_S : limit;
        int n = slots_grid(zone, tm->slot_min, from, to, grid, room);
        if (n > room) {
            room = n;
            grid = xrealloc(grid, (size_t)room * sizeof *grid);
            bounds = xrealloc(bounds, (size_t)(room + 1) * sizeof *bounds);
            counts = xrealloc(counts, (size_t)room * sizeof *counts);
            n = slots_grid(zone, tm->slot_min, from, to, grid, room);
        }
        if (n == 0) {
            from = to;
            continue;
        }
        if (tm->slot_capacity > 0) {
            for (int i = 0; i < n; i++)
                bounds[i] = grid[i].start;
            bounds[n] = grid[n - 1].end;
            if (store_slots_count_due(st, bp->id, bounds, n, counts) != STORE_OK)
                break;
        }
        for (int i = 0; i < n && found < max; i++)
            if (timing_is_open(tm, zone, grid[i].start) &&
                (tm->slot_capacity == 0 || counts[i] < tm->slot_capacity))
                out[found++] = grid[i].start;
        from = to;
    }
    free(grid);
    free(bounds);
    free(counts);
    return found;
}
