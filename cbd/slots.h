/*
 * slots.h — the slot grid of a business process (DESIGN.md §3 Capacity).
 *
 * Slots are a BP resource: they are aligned to multiples of slot_min
 * minutes of the BP zone's local time of day, whatever zone a customer
 * looks at them from. A slot starts at every instant at which the BP's
 * local clock reads such a boundary — both times when DST repeats an hour,
 * and at the transition itself when DST skips the boundary's neighbours and
 * lands on one — and lasts until the next start. So a slot is usually
 * slot_min long, and a DST change that lands the clock off the grid (a
 * 30-minute change under 60-minute slots) stretches or shrinks one slot;
 * slots never overlap and they tile the time line.
 *
 * Everything here but slots_next_free() is pure and thread-safe; that one
 * reads the store (the caller's connection) for how full slots are.
 */
#ifndef CBD_SLOTS_H
#define CBD_SLOTS_H

#include <stdint.h>

#include "model.h"
#include "store.h"
#include "tz.h"

/* How far slots_next_free() looks ahead. */
#define SLOTS_SEARCH_DAYS 14

struct slot {
    int64_t start;
    int64_t end; /* the next slot's start */
};

/* The instants bounding the local date y-m-d in zone: *from is the first
 * instant at which the local clock reads 00:00 of that date or later (the
 * end of the gap when DST skips midnight), *to the same for the next date.
 * An empty range (from == to) when the zone skipped the whole date. */
void slots_day(const struct tz_zone *zone, int y, int m, int d, int64_t *from, int64_t *to);
/* The slots of slot_min minutes in bp_zone whose start lies in [from, to),
 * in order, written into out (at most max of them, the caller's array).
 * Returns how many there are, which may exceed max (call again with more
 * room then). */
int slots_grid(const struct tz_zone *bp_zone, int slot_min, int64_t from, int64_t to,
               struct slot out[], int max);
/* The start of the slot that contains instant t. */
int64_t slots_start_of(const struct tz_zone *bp_zone, int slot_min, int64_t t);
/* Up to max start instants (into the caller's out) of the slots, from the
 * one containing after onwards and at most SLOTS_SEARCH_DAYS ahead, whose
 * start is inside the BP's schedule and that have room left (every open
 * slot when the BP sets no capacity). Returns how many were found, 0 when
 * none (or on a store error, which is logged). */
int slots_next_free(struct store *st, const struct cb_bp *bp, int64_t after, int64_t out[],
                    int max);

#endif
