/*
 * fuzz_timing.c — timing_from_json() on arbitrary bodies, in full and as a
 * partial update of two different bases. A refusal must leave the settings
 * untouched and say why; whatever is accepted must print (timing_to_json)
 * to a form that reads back to the same settings and prints the same text,
 * and the evaluation functions must answer consistently at a few instants
 * in UTC and America/New_York: the next change is after now, the answer
 * flips there and not one second before, and the shift started at most
 * 25 hours ago.
 */
#include "json.h"
#include "timing.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A copy of t with everything outside the counted entries, and padding,
 * zeroed, so two equal settings compare equal with memcmp. */
static void normalise(const struct timing *t, struct timing *out)
{
    memset(out, 0, sizeof *out);
    out->no_answer_s = t->no_answer_s;
    out->max_attempts = t->max_attempts;
    out->recall_count = t->recall_count;
    for (int i = 0; i < t->recall_count; i++)
        out->recall_min[i] = t->recall_min[i];
    out->preview_s = t->preview_s;
    out->offer_timeout_s = t->offer_timeout_s;
    out->wrap_up_s = t->wrap_up_s;
    out->wrap_limit_s = t->wrap_limit_s;
    out->window_min = t->window_min;
    for (int d = 0; d < 7; d++) {
        out->week_count[d] = t->week_count[d];
        for (int i = 0; i < t->week_count[d]; i++)
            out->week[d][i] = t->week[d][i];
    }
    out->closed_count = t->closed_count;
    for (int i = 0; i < t->closed_count; i++)
        out->closed_days[i] = t->closed_days[i];
    out->shift_start_min = t->shift_start_min;
    out->calling_start_min = t->calling_start_min;
    out->calling_end_min = t->calling_end_min;
    out->personal_fallback_min = t->personal_fallback_min;
    out->slot_min = t->slot_min;
    out->slot_capacity = t->slot_capacity;
    out->customer_called_in_closes = t->customer_called_in_closes;
    out->expire_overdue = t->expire_overdue;
}

static void check_invariants(const struct timing *t)
{
    if (t->recall_count < 1 || t->recall_count > TIMING_MAX_RECALL || t->closed_count < 0 ||
        t->closed_count > TIMING_MAX_CLOSED || t->calling_start_min >= t->calling_end_min ||
        t->shift_start_min < 0 || t->shift_start_min >= 1440)
        abort();
    for (int d = 0; d < 7; d++) {
        if (t->week_count[d] < 0 || t->week_count[d] > TIMING_MAX_SPANS)
            abort();
        for (int i = 0; i < t->week_count[d]; i++) {
            const struct timing_span *s = &t->week[d][i];
            if (s->start_min < 0 || s->start_min >= s->end_min || s->end_min > 1440 ||
                (i > 0 && s->start_min < t->week[d][i - 1].end_min))
                abort();
        }
    }
    for (int i = 1; i < t->closed_count; i++)
        if (t->closed_days[i] <= t->closed_days[i - 1])
            abort();
}

static void check_roundtrip(const struct timing *t)
{
    struct timing back, a, b;
    struct json_error err;
    cJSON *j = timing_to_json(t);
    char *text = json_print(j);
    cJSON *root = json_parse_body(text, strlen(text), &err);
    if (root == NULL)
        abort();
    memset(&back, 0x5a, sizeof back);
    if (!timing_from_json(root, false, &back, &err))
        abort();
    normalise(t, &a);
    normalise(&back, &b);
    if (memcmp(&a, &b, sizeof a) != 0 || !timing_equal(t, &back))
        abort();
    cJSON *j2 = timing_to_json(&back);
    char *text2 = json_print(j2);
    if (strcmp(text, text2) != 0)
        abort();
    free(text2);
    cJSON_Delete(j2);
    cJSON_Delete(root);
    free(text);
    cJSON_Delete(j);
}

static void check_eval(const struct timing *t, const struct tz_zone *z, int64_t now)
{
    bool open = timing_is_open(t, z, now);
    int64_t next = timing_next_schedule_change(t, z, now);
    if (next <= now)
        abort();
    if (next != INT64_MAX &&
        (timing_is_open(t, z, next) == open || timing_is_open(t, z, next - 1) != open))
        abort();
    bool call = timing_calling_allowed(t, z, now);
    next = timing_next_calling_change(t, z, now);
    if (next <= now)
        abort();
    if (next != INT64_MAX && (timing_calling_allowed(t, z, next) == call ||
                              timing_calling_allowed(t, z, next - 1) != call))
        abort();
    int64_t shift = timing_shift_start(t, z, now);
    if (shift > now || now - shift >= 25 * 3600)
        abort();
}

static void check_accepted(const struct timing *t, const uint8_t *data, size_t size)
{
    static const int64_t fixed[] = {
        1772951400, /* 2026-03-08T06:30:00Z, before the New York jump */
        1772953200, /* 2026-03-08T07:00:00Z, the jump */
        1793511000, /* 2026-11-01T05:30:00Z, the first 01:30 EDT */
        1793512800, /* 2026-11-01T06:00:00Z, the fall back */
        1795435200, /* 2026-11-23T12:00:00Z */
    };
    const char *why;
    const struct tz_zone *zones[2] = {tz_find("UTC", &why), tz_find("America/New_York", &why)};
    uint64_t h = 1469598103934665603u;
    for (size_t i = 0; i < size; i++)
        h = (h ^ data[i]) * 1099511628211u;
    int64_t hashed = (int64_t)(h % (UINT64_C(130) * 365 * 86400)); /* 1970 .. 2100 */
    check_invariants(t);
    check_roundtrip(t);
    for (int zi = 0; zi < 2; zi++) {
        if (zones[zi] == NULL)
            abort();
        for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
            check_eval(t, zones[zi], fixed[i] + (int64_t)(h % 7) * 86400);
        check_eval(t, zones[zi], hashed);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct json_error err;
    memset(&err, 0, sizeof err);
    cJSON *root = json_parse_body((const char *)data, size, &err);
    if (root == NULL) {
        if (err.message[0] == '\0')
            abort();
        return 0;
    }
    struct timing bases[3];
    timing_defaults(&bases[0]);
    timing_defaults(&bases[1]);
    timing_defaults(&bases[2]);
    /* A base with every day full and a closed date, for the partial runs. */
    for (int d = 0; d < 7; d++) {
        memset(bases[2].week[d], 0, sizeof bases[2].week[d]);
        bases[2].week[d][0] = (struct timing_span){0, 1440};
        bases[2].week_count[d] = 1;
    }
    bases[2].closed_days[0] = 20812; /* 2026-12-25 */
    bases[2].closed_count = 1;
    for (int run = 0; run < 3; run++) {
        struct timing t, before;
        memcpy(&t, &bases[run], sizeof t);
        memcpy(&before, &t, sizeof t);
        memset(&err, 0, sizeof err);
        if (timing_from_json(root, run > 0, &t, &err)) {
            check_accepted(&t, data, size);
        } else {
            size_t fl = strlen(err.field);
            if (memcmp(&before, &t, sizeof t) != 0 || err.message[0] == '\0' ||
                (fl > 0 && strncmp(err.message, err.field, fl) != 0))
                abort();
        }
    }
    cJSON_Delete(root);
    return 0;
}
