/*
 * timing.c — Callback Timing settings (see timing.h): defaults, the JSON
 * codec, and the schedule / calling-hours / shift questions.
 *
 * Owns: the parsing and printing of spans ("HH:MM-HH:MM"), clock times and
 * closed dates; and the evaluator that turns local wall-clock boundaries
 * into instants. Everything time-related rests on one function,
 * timing_resolve(), which maps a local wall time L to the first instant at
 * which the local clock reads L or later: the instant itself when L occurs
 * once, the earlier one when it occurs twice, and the end of the DST gap
 * (the transition instant) when it does not occur at all. Because that map
 * never decreases, a day's spans become ordered, non-overlapping instant
 * intervals, consecutive days tile the time line, and a span ending at
 * 24:00 meets the next day's span starting at 00:00 exactly. Open-ness,
 * the next change and the shift start are all read off those intervals, so
 * they agree with each other by construction. Nothing here allocates.
 */
#include "timing.h"

#include "civil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TIMING_DAY_MIN 1440
#define TIMING_DAY_S INT64_C(86400)
/* Every UTC offset lies within this many seconds (RFC 8536 allows ±25 h). */
#define TIMING_OFF_SPAN INT64_C(93600)
/* Days (or jumps) the next-change search looks at before giving up. A weekly
 * pattern that is neither always open nor always closed changes within a
 * week of any day that is not a closed date, and there are at most
 * TIMING_MAX_CLOSED of those, so the bound is never reached in practice. */
#define TIMING_SEARCH_DAYS 800
/* Instants are evaluated within 1000-01-01 .. 9000-01-01 UTC, so the local
 * dates looked at (plus the search above) stay inside civil years 1..9999. */
#define TIMING_T_MIN INT64_C(-30610224000)
#define TIMING_T_MAX INT64_C(221845392000)

static const char *const timing_day_names[7] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
/* Weekdays in the order the JSON form lists them. */
static const int timing_day_order[7] = {1, 2, 3, 4, 5, 6, 0};
static const int timing_slot_choices[] = {5, 10, 15, 20, 30, 60, 120};

static const char *const timing_members[] = {
    "no_answer_s",   "max_attempts", "recall_min",   "preview_s",
    "offer_timeout_s", "wrap_up_s",  "wrap_limit_s", "window_min",
    "schedule",      "shift_start",  "calling_hours", "personal_fallback_min",
    "slot_min",      "slot_capacity", "customer_called_in_closes", "expire_overdue",
    NULL,
};
static const char *const timing_schedule_members[] = {"mon", "tue", "wed", "thu", "fri", "sat",
                                                      "sun", "closed_dates", NULL};

/* --- defaults and equality ---------------------------------------------- */

void timing_defaults(struct timing *t)
{
    memset(t, 0, sizeof *t);
    t->no_answer_s = 60;
    t->max_attempts = 3;
    t->recall_min[0] = 15;
    t->recall_min[1] = 60;
    t->recall_min[2] = 240;
    t->recall_count = 3;
    t->preview_s = 0;
    t->offer_timeout_s = 30;
    t->wrap_up_s = 0;
    t->wrap_limit_s = 120;
    t->window_min = 120;
    for (int d = 1; d <= 5; d++) {
        t->week[d][0] = (struct timing_span){8 * 60, 18 * 60};
        t->week_count[d] = 1;
    }
    t->closed_count = 0;
    t->shift_start_min = 0;
    t->calling_start_min = 8 * 60;
    t->calling_end_min = 21 * 60;
    t->personal_fallback_min = 0;
    t->slot_min = 30;
    t->slot_capacity = 0;
    t->customer_called_in_closes = true;
    t->expire_overdue = false;
}

bool timing_equal(const struct timing *a, const struct timing *b)
{
    if (a->no_answer_s != b->no_answer_s || a->max_attempts != b->max_attempts ||
        a->recall_count != b->recall_count || a->preview_s != b->preview_s ||
        a->offer_timeout_s != b->offer_timeout_s || a->wrap_up_s != b->wrap_up_s ||
        a->wrap_limit_s != b->wrap_limit_s || a->window_min != b->window_min ||
        a->closed_count != b->closed_count || a->shift_start_min != b->shift_start_min ||
        a->calling_start_min != b->calling_start_min || a->calling_end_min != b->calling_end_min ||
        a->personal_fallback_min != b->personal_fallback_min || a->slot_min != b->slot_min ||
        a->slot_capacity != b->slot_capacity ||
        a->customer_called_in_closes != b->customer_called_in_closes ||
        a->expire_overdue != b->expire_overdue)
        return false;
    for (int i = 0; i < a->recall_count && i < TIMING_MAX_RECALL; i++)
        if (a->recall_min[i] != b->recall_min[i])
            return false;
    for (int d = 0; d < 7; d++) {
        if (a->week_count[d] != b->week_count[d])
            return false;
        for (int i = 0; i < a->week_count[d] && i < TIMING_MAX_SPANS; i++)
            if (a->week[d][i].start_min != b->week[d][i].start_min ||
                a->week[d][i].end_min != b->week[d][i].end_min)
                return false;
    }
    for (int i = 0; i < a->closed_count && i < TIMING_MAX_CLOSED; i++)
        if (a->closed_days[i] != b->closed_days[i])
            return false;
    return true;
}

/* --- text forms ---------------------------------------------------------- */

static bool timing_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* True when s[0..4] has the shape "DD:DD". */
static bool timing_clock_shape(const char *s)
{
    return timing_is_digit(s[0]) && timing_is_digit(s[1]) && s[2] == ':' &&
           timing_is_digit(s[3]) && timing_is_digit(s[4]);
}

/* "HH:MM" (no seconds) into minutes after midnight; *why is static text. */
static bool timing_parse_clock(const char *s, int *min, const char **why)
{
    int secs;
    if (strlen(s) != 5 || !timing_clock_shape(s)) {
        *why = "must be a time of the form HH:MM";
        return false;
    }
    if (!civil_parse_clock(s, false, &secs, why))
        return false;
    *min = secs / 60;
    return true;
}

/* "HH:MM-HH:MM" into a span with start < end, end up to 24:00; *why is
 * static text. */
static bool timing_parse_span(const char *s, struct timing_span *span, const char **why)
{
    char a[6], b[6];
    int sa, sb;
    if (strlen(s) != 11 || s[5] != '-' || !timing_clock_shape(s) || !timing_clock_shape(s + 6)) {
        *why = "must be a span of the form HH:MM-HH:MM";
        return false;
    }
    memcpy(a, s, 5);
    a[5] = '\0';
    memcpy(b, s + 6, 5);
    b[5] = '\0';
    if (!civil_parse_clock(a, false, &sa, why)) {
        *why = "start time out of range 00:00-23:59";
        return false;
    }
    if (!civil_parse_clock(b, true, &sb, why)) {
        *why = "end time out of range 00:00-24:00";
        return false;
    }
    if (sa >= sb) {
        *why = "start must be before end";
        return false;
    }
    span->start_min = sa / 60;
    span->end_min = sb / 60;
    return true;
}

/* Minutes after midnight as "HH:MM" (values outside 0..1440 are clamped). */
static void timing_format_clock(int min, char out[6])
{
    unsigned m = min < 0 ? 0u : min > TIMING_DAY_MIN ? (unsigned)TIMING_DAY_MIN : (unsigned)min;
    snprintf(out, 6, "%02u:%02u", m / 60 % 100, m % 60);
}

static void timing_format_span(const struct timing_span *s, char out[12])
{
    timing_format_clock(s->start_min, out);
    out[5] = '-';
    timing_format_clock(s->end_min, out + 6);
}

/* --- reading JSON -------------------------------------------------------- */

/* An optional integer member from min to max into *out (an int). */
static bool timing_get_int(const cJSON *obj, const char *name, int64_t min, int64_t max, int *out,
                           struct json_error *err)
{
    int64_t v = *out;
    if (!json_get_int(obj, name, JSON_OPTIONAL, min, max, &v, err))
        return false;
    *out = (int)v;
    return true;
}

static bool timing_read_ints(const cJSON *obj, struct timing *w, struct json_error *err)
{
    int64_t recall[TIMING_MAX_RECALL];
    size_t count = 0;
    if (!timing_get_int(obj, "no_answer_s", 5, 3600, &w->no_answer_s, err) ||
        !timing_get_int(obj, "max_attempts", 1, 100, &w->max_attempts, err) ||
        !json_get_int_array(obj, "recall_min", JSON_OPTIONAL, 1, TIMING_MAX_RECALL, 1, 10080,
                            recall, &count, err) ||
        !timing_get_int(obj, "preview_s", 0, 3600, &w->preview_s, err) ||
        !timing_get_int(obj, "offer_timeout_s", 5, 3600, &w->offer_timeout_s, err) ||
        !timing_get_int(obj, "wrap_up_s", 0, 3600, &w->wrap_up_s, err) ||
        !timing_get_int(obj, "wrap_limit_s", 10, 86400, &w->wrap_limit_s, err) ||
        !timing_get_int(obj, "window_min", 1, 10080, &w->window_min, err) ||
        !timing_get_int(obj, "personal_fallback_min", 0, 10080, &w->personal_fallback_min, err) ||
        !timing_get_int(obj, "slot_capacity", 0, 10000, &w->slot_capacity, err) ||
        !json_get_bool(obj, "customer_called_in_closes", JSON_OPTIONAL,
                       &w->customer_called_in_closes, err) ||
        !json_get_bool(obj, "expire_overdue", JSON_OPTIONAL, &w->expire_overdue, err))
        return false;
    if (count > 0) {
        memset(w->recall_min, 0, sizeof w->recall_min);
        for (size_t i = 0; i < count; i++)
            w->recall_min[i] = (int)recall[i];
        w->recall_count = (int)count;
    }
    int64_t slot = w->slot_min;
    if (!json_get_int(obj, "slot_min", JSON_OPTIONAL, INT64_MIN, INT64_MAX, &slot, err))
        return false;
    bool slot_ok = false;
    for (size_t i = 0; i < sizeof timing_slot_choices / sizeof timing_slot_choices[0]; i++)
        slot_ok |= slot == timing_slot_choices[i];
    if (!slot_ok) {
        json_error_set(err, "slot_min", "must be one of 5, 10, 15, 20, 30, 60, 120");
        return false;
    }
    w->slot_min = (int)slot;
    return true;
}

/* One day of the schedule object, when present: replaces that day. */
static bool timing_read_day(const cJSON *sched, int wd, struct timing *w, struct json_error *err)
{
    const char *name = timing_day_names[wd];
    const cJSON *arr = NULL, *el;
    struct timing_span spans[TIMING_MAX_SPANS], sorted[TIMING_MAX_SPANS];
    char field[40];
    int n = 0;
    const char *why;
    if (!json_get_array(sched, name, JSON_OPTIONAL, &arr, err)) {
        json_error_prefix(err, "schedule");
        return false;
    }
    if (arr == NULL)
        return true;
    snprintf(field, sizeof field, "schedule.%s", name);
    if (cJSON_GetArraySize(arr) > TIMING_MAX_SPANS) {
        json_error_set(err, field, "at most %d spans", TIMING_MAX_SPANS);
        return false;
    }
    cJSON_ArrayForEach(el, arr) {
        if (!cJSON_IsString(el) || el->valuestring == NULL)
            why = "must be a string";
        else if (timing_parse_span(el->valuestring, &spans[n], &why))
            why = NULL;
        if (why) {
            snprintf(field, sizeof field, "schedule.%s[%d]", name, n);
            json_error_set(err, field, "%s", why);
            return false;
        }
        n++;
    }
    /* Insertion sort of a copy: overlap is judged on the sorted spans, so
     * an unsorted list that also overlaps is reported as overlapping. */
    memcpy(sorted, spans, sizeof spans);
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && sorted[j].start_min < sorted[j - 1].start_min; j--) {
            struct timing_span tmp = sorted[j];
            sorted[j] = sorted[j - 1];
            sorted[j - 1] = tmp;
        }
    for (int i = 1; i < n; i++)
        if (sorted[i].start_min < sorted[i - 1].end_min) {
            json_error_set(err, field, "spans overlap");
            return false;
        }
    for (int i = 1; i < n; i++)
        if (spans[i].start_min < spans[i - 1].start_min) {
            json_error_set(err, field, "spans out of order");
            return false;
        }
    memset(w->week[wd], 0, sizeof w->week[wd]);
    memcpy(w->week[wd], spans, (size_t)n * sizeof spans[0]);
    w->week_count[wd] = n;
    return true;
}

static int timing_cmp_day(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* schedule.closed_dates, when present: replaces the list. */
static bool timing_read_closed(const cJSON *sched, struct timing *w, struct json_error *err)
{
    const cJSON *arr = NULL, *el;
    int64_t days[TIMING_MAX_CLOSED];
    int n = 0, y, m, d;
    const char *why;
    char field[48];
    if (!json_get_array(sched, "closed_dates", JSON_OPTIONAL, &arr, err)) {
        json_error_prefix(err, "schedule");
        return false;
    }
    if (arr == NULL)
        return true;
    if (cJSON_GetArraySize(arr) > TIMING_MAX_CLOSED) {
        json_error_set(err, "schedule.closed_dates", "at most %d dates", TIMING_MAX_CLOSED);
        return false;
    }
    cJSON_ArrayForEach(el, arr) {
        if (!cJSON_IsString(el) || el->valuestring == NULL)
            why = "must be a string";
        else if (civil_parse_date(el->valuestring, &y, &m, &d, &why))
            why = NULL;
        if (why) {
            snprintf(field, sizeof field, "schedule.closed_dates[%d]", n);
            json_error_set(err, field, "%s", why);
            return false;
        }
        days[n++] = civil_days_from_date(y, m, d);
    }
    qsort(days, (size_t)n, sizeof days[0], timing_cmp_day);
    memset(w->closed_days, 0, sizeof w->closed_days);
    int u = 0;
    for (int i = 0; i < n; i++)
        if (u == 0 || days[i] != w->closed_days[u - 1])
            w->closed_days[u++] = days[i];
    w->closed_count = u;
    return true;
}

static bool timing_read_schedule(const cJSON *obj, struct timing *w, struct json_error *err)
{
    const cJSON *sched = NULL;
    if (!json_get_object(obj, "schedule", JSON_OPTIONAL, &sched, err))
        return false;
    if (sched == NULL)
        return true;
    if (!json_check_known(sched, timing_schedule_members, err)) {
        json_error_prefix(err, "schedule");
        return false;
    }
    for (int i = 0; i < 7; i++)
        if (!timing_read_day(sched, timing_day_order[i], w, err))
            return false;
    return timing_read_closed(sched, w, err);
}

static bool timing_read_clocks(const cJSON *obj, struct timing *w, struct json_error *err)
{
    const char *s = NULL, *why;
    if (!json_get_string(obj, "shift_start", JSON_OPTIONAL, 0, JSON_SINGLE_LINE, &s, err))
        return false;
    if (s && !timing_parse_clock(s, &w->shift_start_min, &why)) {
        json_error_set(err, "shift_start", "%s", why);
        return false;
    }
    s = NULL;
    if (!json_get_string(obj, "calling_hours", JSON_OPTIONAL, 0, JSON_SINGLE_LINE, &s, err))
        return false;
    if (s) {
        struct timing_span span;
        if (!timing_parse_span(s, &span, &why)) {
            json_error_set(err, "calling_hours", "%s", why);
            return false;
        }
        w->calling_start_min = span.start_min;
        w->calling_end_min = span.end_min;
    }
    return true;
}

bool timing_from_json(const cJSON *obj, bool partial, struct timing *t, struct json_error *err)
{
    struct timing w;
    if (!cJSON_IsObject(obj)) {
        json_error_set(err, NULL, "timing settings must be a JSON object");
        return false;
    }
    if (partial)
        memcpy(&w, t, sizeof w);
    else
        timing_defaults(&w);
    if (!json_check_known(obj, timing_members, err) || !timing_read_ints(obj, &w, err) ||
        !timing_read_schedule(obj, &w, err) || !timing_read_clocks(obj, &w, err))
        return false;
    memcpy(t, &w, sizeof w);
    return true;
}

/* --- writing JSON -------------------------------------------------------- */

static cJSON *timing_json_spans(const struct timing_span *spans, int n)
{
    cJSON *arr = cJSON_CreateArray();
    char buf[12];
    for (int i = 0; i < n && i < TIMING_MAX_SPANS; i++) {
        timing_format_span(&spans[i], buf);
        cJSON_AddItemToArray(arr, cJSON_CreateString(buf));
    }
    return arr;
}

cJSON *timing_to_json(const struct timing *t)
{
    cJSON *o = cJSON_CreateObject();
    char buf[CIVIL_DATE_SIZE + 12];
    json_add_int(o, "no_answer_s", t->no_answer_s);
    json_add_int(o, "max_attempts", t->max_attempts);
    cJSON *recall = cJSON_AddArrayToObject(o, "recall_min");
    for (int i = 0; i < t->recall_count && i < TIMING_MAX_RECALL; i++)
        cJSON_AddItemToArray(recall, cJSON_CreateNumber(t->recall_min[i]));
    json_add_int(o, "preview_s", t->preview_s);
    json_add_int(o, "offer_timeout_s", t->offer_timeout_s);
    json_add_int(o, "wrap_up_s", t->wrap_up_s);
    json_add_int(o, "wrap_limit_s", t->wrap_limit_s);
    json_add_int(o, "window_min", t->window_min);
    cJSON *sched = cJSON_AddObjectToObject(o, "schedule");
    for (int i = 0; i < 7; i++) {
        int wd = timing_day_order[i];
        cJSON_AddItemToObject(sched, timing_day_names[wd],
                              timing_json_spans(t->week[wd], t->week_count[wd]));
    }
    cJSON *closed = cJSON_AddArrayToObject(sched, "closed_dates");
    for (int i = 0; i < t->closed_count && i < TIMING_MAX_CLOSED; i++) {
        int y, m, d;
        civil_date_from_days(t->closed_days[i], &y, &m, &d);
        civil_format_date(y, m, d, buf);
        cJSON_AddItemToArray(closed, cJSON_CreateString(buf));
    }
    timing_format_clock(t->shift_start_min, buf);
    cJSON_AddStringToObject(o, "shift_start", buf);
    timing_format_span(&(struct timing_span){t->calling_start_min, t->calling_end_min}, buf);
    cJSON_AddStringToObject(o, "calling_hours", buf);
    json_add_int(o, "personal_fallback_min", t->personal_fallback_min);
    json_add_int(o, "slot_min", t->slot_min);
    json_add_int(o, "slot_capacity", t->slot_capacity);
    cJSON_AddBoolToObject(o, "customer_called_in_closes", t->customer_called_in_closes);
    cJSON_AddBoolToObject(o, "expire_overdue", t->expire_overdue);
    return o;
}

/* --- local wall time → instants ------------------------------------------ */

static int64_t timing_clamp(int64_t t)
{
    return t < TIMING_T_MIN ? TIMING_T_MIN : t > TIMING_T_MAX ? TIMING_T_MAX : t;
}

static int timing_offset_at(const struct tz_zone *z, int64_t t)
{
    struct civil_time ct;
    struct tz_info info;
    tz_utc_to_local(z, t, &ct, &info);
    return info.utc_offset;
}

/* The transition instant e at which the clocks jump over the local wall time
 * L (seconds, local time read as UTC): e + before <= L < e + after. */
static int64_t timing_gap_end(const struct tz_zone *z, int64_t L)
{
    int64_t t = L - TIMING_OFF_SPAN, e;
    int before = timing_offset_at(z, t);
    for (int i = 0; i < 64 && tz_next_transition(z, t, &e) && e <= L + TIMING_OFF_SPAN; i++) {
        int after = timing_offset_at(z, e);
        if (e + before <= L && L < e + after)
            return e;
        before = after;
        t = e;
    }
    return L - before; /* not reached for a gap that tz.c reported */
}

/* The first instant at which the local clock in z reads L or later. */
static int64_t timing_resolve(const struct tz_zone *z, int64_t L)
{
    struct civil_time ct;
    int64_t u;
    civil_from_epoch(L, &ct);
    switch (tz_local_to_utc(z, &ct, &u, NULL, 0)) {
    case TZ_OK:
    case TZ_AMBIGUOUS:
        return u;
    case TZ_GAP:
        return timing_gap_end(z, L);
    case TZ_RANGE:
        break;
    }
    return L - timing_offset_at(z, L); /* outside civil years 1..9999 */
}

/* The local date (days since the epoch) at instant u. */
static int64_t timing_local_day(const struct tz_zone *z, int64_t u)
{
    int64_t L = u + timing_offset_at(z, u);
    return L >= 0 ? L / TIMING_DAY_S : -((-L + TIMING_DAY_S - 1) / TIMING_DAY_S);
}

/* --- weekly rules -------------------------------------------------------- */

/* What is evaluated: the weekly schedule with its closed dates (t set), or
 * one span every day (the calling hours, t NULL). */
struct timing_rule {
    const struct timing *t;
    struct timing_span daily;
};

enum timing_kind { TIMING_MIXED, TIMING_NEVER, TIMING_EVERY_DAY_FULL };

static bool timing_closed_day(const struct timing *t, int64_t day)
{
    int lo = 0, hi = t->closed_count;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (t->closed_days[mid] < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < t->closed_count && t->closed_days[lo] == day;
}

/* The first closed date after day, or INT64_MAX. */
static int64_t timing_next_closed(const struct timing *t, int64_t day)
{
    for (int i = 0; i < t->closed_count; i++)
        if (t->closed_days[i] > day)
            return t->closed_days[i];
    return INT64_MAX;
}

/* The spans of local date day (none on a closed date). */
static int timing_rule_day(const struct timing_rule *r, int64_t day,
                           const struct timing_span **spans)
{
    if (r->t == NULL) {
        *spans = &r->daily;
        return 1;
    }
    if (timing_closed_day(r->t, day))
        return 0;
    int wd = civil_weekday(day), n = r->t->week_count[wd];
    *spans = r->t->week[wd];
    return n < 0 || n > TIMING_MAX_SPANS ? 0 : n;
}

/* True when the spans cover the whole day. */
static bool timing_full_day(const struct timing_span *s, int n)
{
    int reach = 0;
    for (int i = 0; i < n; i++) {
        if (s[i].start_min > reach)
            return false;
        if (s[i].end_min > reach)
            reach = s[i].end_min;
    }
    return reach >= TIMING_DAY_MIN;
}

/* Closed dates aside: never open, or every day open all day, or neither. */
static enum timing_kind timing_rule_kind(const struct timing_rule *r)
{
    if (r->t == NULL)
        return timing_full_day(&r->daily, 1) ? TIMING_EVERY_DAY_FULL : TIMING_MIXED;
    bool any = false, all_full = true;
    for (int d = 0; d < 7; d++) {
        int n = r->t->week_count[d];
        if (n < 0 || n > TIMING_MAX_SPANS)
            n = 0;
        any |= n > 0;
        all_full &= timing_full_day(r->t->week[d], n);
    }
    return !any ? TIMING_NEVER : all_full ? TIMING_EVERY_DAY_FULL : TIMING_MIXED;
}

static int64_t timing_day_start(const struct tz_zone *z, int64_t day)
{
    return timing_resolve(z, day * TIMING_DAY_S);
}

/* The local date whose instants [start(day), start(day + 1)) hold u. */
static int64_t timing_day_of(const struct tz_zone *z, int64_t u)
{
    int64_t day = timing_local_day(z, u);
    for (int i = 0; i < 4 && timing_day_start(z, day) > u; i++)
        day--;
    for (int i = 0; i < 4 && timing_day_start(z, day + 1) <= u; i++)
        day++;
    return day;
}

static bool timing_rule_open(const struct timing_rule *r, const struct tz_zone *z, int64_t u)
{
    const struct timing_span *s;
    u = timing_clamp(u);
    int64_t day = timing_day_of(z, u), base = day * TIMING_DAY_S;
    int n = timing_rule_day(r, day, &s);
    for (int i = 0; i < n; i++) {
        if (u < timing_resolve(z, base + s[i].start_min * 60))
            return false;
        if (u < timing_resolve(z, base + s[i].end_min * 60))
            return true;
    }
    return false;
}

/* The first instant after now at which the rule flips, or INT64_MAX. May
 * answer an instant past TIMING_T_MAX, which the caller turns into INT64_MAX
 * (timing_rule_open() is frozen from there on). */
static int64_t timing_rule_scan(const struct timing_rule *r, const struct tz_zone *z, int64_t now)
{
    enum timing_kind kind = timing_rule_kind(r);
    if (now >= TIMING_T_MAX || kind == TIMING_NEVER ||
        (kind == TIMING_EVERY_DAY_FULL && (r->t == NULL || r->t->closed_count == 0)))
        return INT64_MAX;
    now = timing_clamp(now);
    bool open = timing_rule_open(r, z, now);
    int64_t day = timing_day_of(z, now), end = now;
    for (int iter = 0; iter < TIMING_SEARCH_DAYS; iter++, day++) {
        const struct timing_span *s;
        int n = timing_rule_day(r, day, &s);
        if (open && kind == TIMING_EVERY_DAY_FULL && n > 0 && iter > 0) {
            /* Days up to the next closed date are open end to end: one jump. */
            int64_t a = timing_day_start(z, day);
            if (a > end)
                return end;
            int64_t c = timing_next_closed(r->t, day);
            if (c == INT64_MAX)
                return INT64_MAX;
            end = timing_day_start(z, c);
            day = c - 1;
            continue;
        }
        int64_t base = day * TIMING_DAY_S;
        for (int i = 0; i < n; i++) {
            int64_t a = timing_resolve(z, base + s[i].start_min * 60);
            int64_t b = timing_resolve(z, base + s[i].end_min * 60);
            if (a >= b || b <= now)
                continue; /* empty (inside a gap) or already over */
            if (!open) {
                if (a > now)
                    return a; /* the first interval ahead */
                continue;
            }
            if (a > end)
                return end;
            if (b > end)
                end = b;
        }
    }
    return INT64_MAX;
}

static int64_t timing_rule_next(const struct timing_rule *r, const struct tz_zone *z, int64_t now)
{
    int64_t next = timing_rule_scan(r, z, now);
    return next > TIMING_T_MAX ? INT64_MAX : next;
}

/* --- the questions -------------------------------------------------------- */

bool timing_is_open(const struct timing *t, const struct tz_zone *bp_zone, int64_t now)
{
    struct timing_rule r = {.t = t};
    return timing_rule_open(&r, bp_zone, now);
}

int64_t timing_next_schedule_change(const struct timing *t, const struct tz_zone *bp_zone,
                                    int64_t now)
{
    struct timing_rule r = {.t = t};
    return timing_rule_next(&r, bp_zone, now);
}

bool timing_calling_allowed(const struct timing *t, const struct tz_zone *customer_zone,
                            int64_t now)
{
    struct timing_rule r = {.daily = {t->calling_start_min, t->calling_end_min}};
    return timing_rule_open(&r, customer_zone, now);
}

int64_t timing_next_calling_change(const struct timing *t, const struct tz_zone *customer_zone,
                                   int64_t now)
{
    struct timing_rule r = {.daily = {t->calling_start_min, t->calling_end_min}};
    return timing_rule_next(&r, customer_zone, now);
}

int64_t timing_shift_start(const struct timing *t, const struct tz_zone *bp_zone, int64_t now)
{
    now = timing_clamp(now);
    int64_t s = (int64_t)t->shift_start_min * 60;
    int64_t day = timing_local_day(bp_zone, now);
    for (int i = 0; i < 4 && timing_resolve(bp_zone, day * TIMING_DAY_S + s) > now; i++)
        day--;
    for (int i = 0; i < 4 && timing_resolve(bp_zone, (day + 1) * TIMING_DAY_S + s) <= now; i++)
        day++;
    return timing_resolve(bp_zone, day * TIMING_DAY_S + s);
}
