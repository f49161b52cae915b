/*
 * timing.h — a business process's Callback Timing settings (DESIGN.md §2):
 * the struct, its defaults, its JSON form (one codec for the API, the
 * store and the consoles), and the questions the engine asks of it — is the
 * schedule open now, do the customer's calling hours allow a call now, when
 * does either change next, when did the current shift start.
 *
 * Schedule and shift are in the BP's zone; calling hours in the customer's.
 * All functions are pure (given a zone from tz.h) and thread-safe.
 *
 * JSON form (every member optional on input when partial):
 *   {"no_answer_s": 60, "max_attempts": 3, "recall_min": [15, 60, 240],
 *    "preview_s": 0, "offer_timeout_s": 30, "wrap_up_s": 0,
 *    "wrap_limit_s": 120, "window_min": 120,
 *    "schedule": {"mon": ["08:00-18:00"], "tue": [...], ..., "sun": [],
 *                 "closed_dates": ["2026-12-25"]},
 *    "shift_start": "00:00", "calling_hours": "08:00-21:00",
 *    "personal_fallback_min": 0, "slot_min": 30, "slot_capacity": 0,
 *    "customer_called_in_closes": true, "expire_overdue": false}
 * A day's spans are "HH:MM-HH:MM" (end "24:00" allowed), sorted, not
 * overlapping; a day may have none (closed).
 *
 * Accepted values (anything else is refused, naming the member):
 *   no_answer_s 5..3600, max_attempts 1..100, recall_min 1..16 values each
 *   1..10080 (a week), preview_s 0..3600, offer_timeout_s 5..3600,
 *   wrap_up_s 0..3600, wrap_limit_s 10..86400, window_min 1..10080,
 *   personal_fallback_min 0..10080, slot_min one of 5, 10, 15, 20, 30, 60,
 *   120 (each divides a day), slot_capacity 0..10000.
 *   schedule: an object with only the keys mon … sun and closed_dates; each
 *   day an array of at most TIMING_MAX_SPANS spans, each with start < end,
 *   in order of time, touching allowed ("08:00-12:00", "12:00-13:00") but
 *   not overlapping. closed_dates: at most TIMING_MAX_CLOSED "YYYY-MM-DD"
 *   dates in any order, stored sorted without duplicates.
 *   shift_start "HH:MM"; calling_hours one span, start < end
 *   ("00:00-24:00" = always).
 * A member that is null counts as absent. The schedule object replaces only
 * what it names: each day given replaces that day, closed_dates given
 * replaces the whole list, and what it leaves out keeps its value (the
 * current one when partial, the default otherwise).
 *
 * Time rules. A span boundary (a local wall time on a date) takes effect at
 * the first instant the local clock reads that time or later: when DST
 * skips it, at the end of the gap (the transition instant); when DST
 * repeats it, at the earlier instant, and the repeated hour does not undo
 * it. So a span starting at 01:30 on a fall-back night opens once and stays
 * open through the repeated hour, and one starting at 02:30 on a
 * spring-forward night opens when the clocks jump to 03:00; one ending at
 * 01:30 on a fall-back night closes at the first 01:30 and stays closed. A
 * span wholly inside a gap never opens. A span ending at 24:00 meets the
 * next day's span starting at 00:00: no change at midnight. A closed date
 * closes that local date from its 00:00 to the next day's, by the same
 * rule. The shift start follows the same rule too.
 */
#ifndef CB_TIMING_H
#define CB_TIMING_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include "json.h"
#include "tz.h"

#define TIMING_MAX_RECALL 16
#define TIMING_MAX_SPANS 4
#define TIMING_MAX_CLOSED 64

/* [start, end) in minutes after local midnight; end may be 1440. */
struct timing_span {
    int start_min;
    int end_min;
};

struct timing {
    int no_answer_s;
    int max_attempts;
    int recall_min[TIMING_MAX_RECALL];
    int recall_count;
    int preview_s;
    int offer_timeout_s;
    int wrap_up_s;
    int wrap_limit_s;
    int window_min;
    struct timing_span week[7][TIMING_MAX_SPANS]; /* [0] = Sunday, as civil_weekday() */
    int week_count[7];
    int64_t closed_days[TIMING_MAX_CLOSED]; /* civil_days_from_date(), sorted */
    int closed_count;
    int shift_start_min;
    int calling_start_min; /* calling hours, [start, end) local to the customer */
    int calling_end_min;
    int personal_fallback_min;
    int slot_min;
    int slot_capacity; /* 0 = no cap */
    bool customer_called_in_closes;
    bool expire_overdue;
};

/* The defaults of DESIGN.md §2 (Mon–Fri 08:00–18:00, calling 08:00–21:00…).
 * Unused array entries are zero. */
void timing_defaults(struct timing *t);
/* True when a and b hold the same settings (unused array entries and
 * padding are ignored). */
bool timing_equal(const struct timing *a, const struct timing *b);

/* Reads the JSON form into t. With partial, members that are absent keep
 * the value already in t (a PATCH); otherwise they take the defaults.
 * Unknown members, wrong types and out-of-range values are refused with
 * err naming the member ("recall_min: …", "schedule.mon: …"). On failure t
 * is left as it was. obj must be an object ("timing settings must be a
 * JSON object" otherwise, field ""). */
bool timing_from_json(const cJSON *obj, bool partial, struct timing *t, struct json_error *err);
/* The JSON form of t; the caller frees it with cJSON_Delete(). */
cJSON *timing_to_json(const struct timing *t);

/* True when the weekly schedule is open at now in the BP's zone (closed
 * dates closed all day). The evaluation functions below allocate nothing
 * and cost about a microsecond; they take instants outside the years
 * 1000..9000 (UTC) as the nearest of those bounds. */
bool timing_is_open(const struct timing *t, const struct tz_zone *bp_zone, int64_t now);
/* The first instant after now at which timing_is_open() changes; INT64_MAX
 * when it never does (always open or always closed, or not before the year
 * 9000). Searches day by day (with every day open all day, the days up to
 * the next closed date are one step) and gives up with INT64_MAX after 800
 * steps, which valid settings never need. */
int64_t timing_next_schedule_change(const struct timing *t, const struct tz_zone *bp_zone,
                                    int64_t now);
/* True when the customer's local time at now is inside the calling hours. */
bool timing_calling_allowed(const struct timing *t, const struct tz_zone *customer_zone,
                            int64_t now);
/* The first instant after now at which timing_calling_allowed() changes;
 * INT64_MAX when never. */
int64_t timing_next_calling_change(const struct timing *t, const struct tz_zone *customer_zone,
                                   int64_t now);
/* The start of the current shift: the latest shift_start (local, BP zone)
 * at or before now; a start that DST skips begins at the first valid instant
 * after it. */
int64_t timing_shift_start(const struct timing *t, const struct tz_zone *bp_zone, int64_t now);

#endif
