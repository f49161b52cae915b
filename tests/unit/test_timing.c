/*
 * test_timing.c — Callback Timing settings: defaults, the JSON codec (round
 * trip, partial updates, every class of bad input with its exact message),
 * and the schedule / calling-hours / shift evaluation, including DST gaps
 * and folds, checked against an independent minute-by-minute oracle in
 * several zones.
 *
 * The oracle: let M(u) be the latest local wall time the zone's clock has
 * shown at or before u (the local time, held still while DST repeats an
 * hour). A span boundary takes effect at the first instant the clock reads
 * it or later, so the schedule is open at u exactly when M(u), read as a
 * date and a time of day, falls inside a span of that date.
 */
#include "json.h"
#include "tap.h"
#include "timing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* --- helpers ------------------------------------------------------------- */

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

static int64_t utc(int y, int mo, int d, int h, int mi, int s)
{
    struct civil_time ct = {y, mo, d, h, mi, s};
    return civil_to_epoch(&ct);
}

/* A local time that exists once (or the earlier of two). */
static int64_t local(const struct tz_zone *z, int y, int mo, int d, int h, int mi)
{
    struct civil_time ct = {y, mo, d, h, mi, 0};
    int64_t u = 0;
    enum tz_result r = tz_local_to_utc(z, &ct, &u, NULL, 0);
    if (r != TZ_OK && r != TZ_AMBIGUOUS)
        tap_diag("local time %04d-%02d-%02d %02d:%02d does not exist", y, mo, d, h, mi);
    return u;
}

static const char *fmt(int64_t t, char buf[CIVIL_RFC3339_SIZE])
{
    if (t == INT64_MAX)
        return "never";
    civil_format_rfc3339(t, buf);
    return buf;
}

static bool parse(const char *text, bool partial, struct timing *t, struct json_error *err)
{
    cJSON *root = json_parse_body(text, strlen(text), err);
    if (root == NULL)
        return false;
    bool ok = timing_from_json(root, partial, t, err);
    cJSON_Delete(root);
    return ok;
}

/* Settings from defaults plus the given JSON (not partial). */
static struct timing settings(const char *text)
{
    struct timing t;
    struct json_error err;
    timing_defaults(&t);
    if (!parse(text, false, &t, &err))
        tap_diag("settings %s: %s", text, err.message);
    return t;
}

static void is_time(int64_t got, int64_t want, const char *what)
{
    char a[CIVIL_RFC3339_SIZE], b[CIVIL_RFC3339_SIZE];
    if (!tap_ok(got == want, "%s", what))
        tap_diag("got %s, want %s", fmt(got, a), fmt(want, b));
}

/* --- defaults and JSON --------------------------------------------------- */

static const char *const defaults_json =
    "{\"no_answer_s\":60,\"max_attempts\":3,\"recall_min\":[15,60,240],\"preview_s\":0,"
    "\"offer_timeout_s\":30,\"wrap_up_s\":0,\"wrap_limit_s\":120,\"window_min\":120,"
    "\"schedule\":{\"mon\":[\"08:00-18:00\"],\"tue\":[\"08:00-18:00\"],\"wed\":[\"08:00-18:00\"],"
    "\"thu\":[\"08:00-18:00\"],\"fri\":[\"08:00-18:00\"],\"sat\":[],\"sun\":[],"
    "\"closed_dates\":[]},\"shift_start\":\"00:00\",\"calling_hours\":\"08:00-21:00\","
    "\"personal_fallback_min\":0,\"slot_min\":30,\"slot_capacity\":0,"
    "\"customer_called_in_closes\":true,\"expire_overdue\":false}";

static void test_defaults(void)
{
    struct timing t;
    memset(&t, 0xa5, sizeof t);
    timing_defaults(&t);
    tap_ok(t.no_answer_s == 60 && t.max_attempts == 3 && t.recall_count == 3 &&
               t.recall_min[0] == 15 && t.recall_min[1] == 60 && t.recall_min[2] == 240 &&
               t.recall_min[3] == 0,
           "defaults: no answer 60 s, 3 attempts, recall 15/60/240");
    tap_ok(t.preview_s == 0 && t.offer_timeout_s == 30 && t.wrap_up_s == 0 &&
               t.wrap_limit_s == 120 && t.window_min == 120,
           "defaults: preview 0, offer 30 s, wrap-up 0, wrap limit 120 s, window 120 min");
    bool week = t.week_count[0] == 0 && t.week_count[6] == 0;
    for (int d = 1; d <= 5; d++)
        week = week && t.week_count[d] == 1 && t.week[d][0].start_min == 480 &&
               t.week[d][0].end_min == 1080;
    tap_ok(week && t.closed_count == 0, "defaults: Mon-Fri 08:00-18:00, weekend closed, no closed dates");
    tap_ok(t.shift_start_min == 0 && t.calling_start_min == 480 && t.calling_end_min == 1260,
           "defaults: shift 00:00, calling hours 08:00-21:00");
    tap_ok(t.personal_fallback_min == 0 && t.slot_min == 30 && t.slot_capacity == 0 &&
               t.customer_called_in_closes && !t.expire_overdue,
           "defaults: fallback 0, slots 30 min uncapped, called-in closes, no expiry");

    cJSON *j = timing_to_json(&t);
    char *text = json_print(j);
    tap_is_str(text, defaults_json, "defaults print in the documented JSON form");
    free(text);
    cJSON_Delete(j);

    struct timing u;
    struct json_error err;
    memset(&u, 0, sizeof u);
    tap_ok(parse("{}", false, &u, &err) && timing_equal(&u, &t), "{} read in full gives the defaults");
    tap_ok(parse(defaults_json, false, &u, &err) && timing_equal(&u, &t),
           "the printed defaults read back as the defaults");
}

static void test_roundtrip(void)
{
    const char *in =
        "{\"no_answer_s\":45,\"max_attempts\":7,\"recall_min\":[5,10,20,40,80,160,320,640,"
        "1280,2560,5120,10080,1,2,3,4],\"preview_s\":20,\"offer_timeout_s\":15,\"wrap_up_s\":"
        "10,\"wrap_limit_s\":300,\"window_min\":60,\"schedule\":{\"mon\":[\"00:00-01:00\","
        "\"01:30-02:30\",\"12:00-13:00\",\"13:00-24:00\"],\"tue\":[\"00:00-24:00\"],\"wed\":[],"
        "\"thu\":[\"09:00-17:00\"],\"fri\":[\"23:59-24:00\"],\"sat\":[\"10:00-14:00\"],\"sun\":"
        "[\"00:00-00:01\"],\"closed_dates\":[\"2026-01-01\",\"2026-12-25\",\"2027-07-04\"]},"
        "\"shift_start\":\"06:30\",\"calling_hours\":\"00:00-24:00\",\"personal_fallback_min\":"
        "90,\"slot_min\":15,\"slot_capacity\":12,\"customer_called_in_closes\":false,"
        "\"expire_overdue\":true}";
    struct timing t, u;
    struct json_error err;
    timing_defaults(&t);
    bool ok = parse(in, false, &t, &err);
    if (!tap_ok(ok, "every member set to a non-default value is accepted"))
        tap_diag("%s", err.message);
    tap_ok(t.recall_count == 16 && t.recall_min[15] == 4 && t.week_count[1] == 4 &&
               t.week[1][3].end_min == 1440 && t.closed_count == 3 && t.shift_start_min == 390 &&
               t.calling_start_min == 0 && t.calling_end_min == 1440 && t.slot_capacity == 12,
           "values land in the struct");
    cJSON *j = timing_to_json(&t);
    char *text = json_print(j);
    tap_is_str(text, in, "printed back exactly as given");
    memset(&u, 0, sizeof u);
    tap_ok(parse(text, false, &u, &err) && timing_equal(&t, &u), "and read back equal");
    free(text);
    cJSON_Delete(j);

    /* Closed dates come back sorted and unique. */
    t = settings("{\"schedule\":{\"closed_dates\":[\"2026-12-25\",\"2026-01-01\",\"2026-12-25\"]}}");
    j = timing_to_json(&t);
    text = json_print(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "schedule"), "closed_dates"));
    tap_is_str(text, "[\"2026-01-01\",\"2026-12-25\"]", "closed dates stored sorted, duplicates dropped");
    free(text);
    cJSON_Delete(j);
}

static void test_partial(void)
{
    struct timing t, before, full;
    struct json_error err;
    t = settings("{\"no_answer_s\":30,\"schedule\":{\"mon\":[\"07:00-19:00\"],\"closed_dates\":"
                 "[\"2026-12-25\"]},\"calling_hours\":\"09:00-20:00\"}");
    before = t;
    tap_ok(parse("{\"max_attempts\":5,\"schedule\":{\"sat\":[\"10:00-14:00\"]}}", true, &t, &err),
           "partial update accepted");
    tap_ok(t.max_attempts == 5 && t.no_answer_s == 30 && t.calling_start_min == 540,
           "partial: the member given changes, the others keep their values");
    tap_ok(t.week_count[6] == 1 && t.week[6][0].start_min == 600 && t.week_count[1] == 1 &&
               t.week[1][0].start_min == 420 && t.week_count[2] == 1 &&
               t.week[2][0].start_min == 480 && t.closed_count == 1,
           "partial: a schedule naming sat replaces sat only; mon, tue and closed dates kept");
    tap_ok(parse("{\"schedule\":{\"closed_dates\":[]}}", true, &t, &err) && t.closed_count == 0 &&
               t.week_count[6] == 1,
           "partial: closed_dates given replaces the list, days kept");
    tap_ok(parse("{\"schedule\":{\"mon\":[]},\"no_answer_s\":null}", true, &t, &err) &&
               t.week_count[1] == 0 && t.no_answer_s == 30,
           "partial: an empty day closes it; null counts as absent");
    t = before;
    full = before;
    tap_ok(parse("{\"max_attempts\":5,\"schedule\":{\"sat\":[\"10:00-14:00\"]}}", false, &full, &err) &&
               full.max_attempts == 5 && full.no_answer_s == 60 && full.calling_start_min == 480 &&
               full.week_count[1] == 1 && full.week[1][0].start_min == 480 &&
               full.closed_count == 0 && full.week_count[6] == 1,
           "not partial: absent members and days take the defaults");
}

struct bad_case {
    const char *json;
    const char *message;
    const char *field;
};

static void test_bad_input(void)
{
    static const struct bad_case cases[] = {
        /* wrong types */
        {"{\"no_answer_s\":\"60\"}", "no_answer_s: must be an integer from 5 to 3600", "no_answer_s"},
        {"{\"no_answer_s\":60.5}", "no_answer_s: must be an integer from 5 to 3600", "no_answer_s"},
        {"{\"recall_min\":15}", "recall_min: must be an array of 1 to 16 integers", "recall_min"},
        {"{\"customer_called_in_closes\":1}", "customer_called_in_closes: must be true or false",
         "customer_called_in_closes"},
        {"{\"expire_overdue\":\"no\"}", "expire_overdue: must be true or false", "expire_overdue"},
        {"{\"slot_min\":\"30\"}", "slot_min: must be an integer", "slot_min"},
        {"{\"schedule\":[]}", "schedule: must be an object", "schedule"},
        {"{\"schedule\":{\"mon\":\"09:00-17:00\"}}", "schedule.mon: must be an array", "schedule.mon"},
        {"{\"schedule\":{\"mon\":[900]}}", "schedule.mon[0]: must be a string", "schedule.mon[0]"},
        {"{\"schedule\":{\"closed_dates\":\"2026-12-25\"}}",
         "schedule.closed_dates: must be an array", "schedule.closed_dates"},
        {"{\"schedule\":{\"closed_dates\":[20261225]}}", "schedule.closed_dates[0]: must be a string",
         "schedule.closed_dates[0]"},
        {"{\"shift_start\":6}", "shift_start: must be a string", "shift_start"},
        {"{\"calling_hours\":[\"08:00-21:00\"]}", "calling_hours: must be a string", "calling_hours"},
        /* out of range */
        {"{\"no_answer_s\":4}", "no_answer_s: must be an integer from 5 to 3600", "no_answer_s"},
        {"{\"no_answer_s\":3601}", "no_answer_s: must be an integer from 5 to 3600", "no_answer_s"},
        {"{\"max_attempts\":0}", "max_attempts: must be an integer from 1 to 100", "max_attempts"},
        {"{\"max_attempts\":101}", "max_attempts: must be an integer from 1 to 100", "max_attempts"},
        {"{\"recall_min\":[]}", "recall_min: must be an array of 1 to 16 integers", "recall_min"},
        {"{\"recall_min\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17]}",
         "recall_min: must be an array of 1 to 16 integers", "recall_min"},
        {"{\"recall_min\":[15,0]}", "recall_min[1]: must be an integer from 1 to 10080", "recall_min"},
        {"{\"recall_min\":[10081]}", "recall_min[0]: must be an integer from 1 to 10080", "recall_min"},
        {"{\"preview_s\":-1}", "preview_s: must be an integer from 0 to 3600", "preview_s"},
        {"{\"offer_timeout_s\":4}", "offer_timeout_s: must be an integer from 5 to 3600", "offer_timeout_s"},
        {"{\"wrap_up_s\":3601}", "wrap_up_s: must be an integer from 0 to 3600", "wrap_up_s"},
        {"{\"wrap_limit_s\":9}", "wrap_limit_s: must be an integer from 10 to 86400", "wrap_limit_s"},
        {"{\"window_min\":0}", "window_min: must be an integer from 1 to 10080", "window_min"},
        {"{\"personal_fallback_min\":10081}",
         "personal_fallback_min: must be an integer from 0 to 10080", "personal_fallback_min"},
        {"{\"slot_min\":7}", "slot_min: must be one of 5, 10, 15, 20, 30, 60, 120", "slot_min"},
        {"{\"slot_min\":0}", "slot_min: must be one of 5, 10, 15, 20, 30, 60, 120", "slot_min"},
        {"{\"slot_min\":1e300}", "slot_min: must be an integer", "slot_min"},
        {"{\"slot_capacity\":10001}", "slot_capacity: must be an integer from 0 to 10000", "slot_capacity"},
        /* bad span text */
        {"{\"schedule\":{\"mon\":[\"9:00-17:00\"]}}",
         "schedule.mon[0]: must be a span of the form HH:MM-HH:MM", "schedule.mon[0]"},
        {"{\"schedule\":{\"mon\":[\"09:00 - 17:00\"]}}",
         "schedule.mon[0]: must be a span of the form HH:MM-HH:MM", "schedule.mon[0]"},
        {"{\"schedule\":{\"mon\":[\"09:00:00-17:00\"]}}",
         "schedule.mon[0]: must be a span of the form HH:MM-HH:MM", "schedule.mon[0]"},
        {"{\"schedule\":{\"mon\":[\"09:00\"]}}",
         "schedule.mon[0]: must be a span of the form HH:MM-HH:MM", "schedule.mon[0]"},
        {"{\"schedule\":{\"mon\":[\"\"]}}",
         "schedule.mon[0]: must be a span of the form HH:MM-HH:MM", "schedule.mon[0]"},
        {"{\"schedule\":{\"fri\":[\"08:00-12:00\",\"ab:cd-14:00\"]}}",
         "schedule.fri[1]: must be a span of the form HH:MM-HH:MM", "schedule.fri[1]"},
        {"{\"schedule\":{\"mon\":[\"25:00-26:00\"]}}",
         "schedule.mon[0]: start time out of range 00:00-23:59", "schedule.mon[0]"},
        {"{\"schedule\":{\"mon\":[\"24:00-24:00\"]}}",
         "schedule.mon[0]: start time out of range 00:00-23:59", "schedule.mon[0]"},
        {"{\"schedule\":{\"mon\":[\"09:60-17:00\"]}}",
         "schedule.mon[0]: start time out of range 00:00-23:59", "schedule.mon[0]"},
        {"{\"schedule\":{\"mon\":[\"09:00-24:30\"]}}",
         "schedule.mon[0]: end time out of range 00:00-24:00", "schedule.mon[0]"},
        /* start >= end */
        {"{\"schedule\":{\"mon\":[\"17:00-09:00\"]}}", "schedule.mon[0]: start must be before end",
         "schedule.mon[0]"},
        {"{\"schedule\":{\"sun\":[\"09:00-09:00\"]}}", "schedule.sun[0]: start must be before end",
         "schedule.sun[0]"},
        {"{\"calling_hours\":\"21:00-08:00\"}", "calling_hours: start must be before end", "calling_hours"},
        {"{\"calling_hours\":\"00:00-00:00\"}", "calling_hours: start must be before end", "calling_hours"},
        {"{\"calling_hours\":\"8:00-21:00\"}", "calling_hours: must be a span of the form HH:MM-HH:MM",
         "calling_hours"},
        {"{\"calling_hours\":\"08:00-25:00\"}", "calling_hours: end time out of range 00:00-24:00",
         "calling_hours"},
        /* overlap, order, count */
        {"{\"schedule\":{\"tue\":[\"09:00-12:00\",\"11:00-13:00\"]}}", "schedule.tue: spans overlap",
         "schedule.tue"},
        {"{\"schedule\":{\"tue\":[\"09:00-12:00\",\"09:00-10:00\"]}}", "schedule.tue: spans overlap",
         "schedule.tue"},
        {"{\"schedule\":{\"tue\":[\"13:00-17:00\",\"09:00-14:00\"]}}", "schedule.tue: spans overlap",
         "schedule.tue"},
        {"{\"schedule\":{\"tue\":[\"13:00-17:00\",\"09:00-12:00\"]}}",
         "schedule.tue: spans out of order", "schedule.tue"},
        {"{\"schedule\":{\"wed\":[\"01:00-02:00\",\"03:00-04:00\",\"05:00-06:00\",\"07:00-08:00\","
         "\"09:00-10:00\"]}}",
         "schedule.wed: at most 4 spans", "schedule.wed"},
        /* dates */
        {"{\"schedule\":{\"closed_dates\":[\"2026-12-25\",\"2026-02-30\"]}}",
         "schedule.closed_dates[1]: no such day in that month", "schedule.closed_dates[1]"},
        {"{\"schedule\":{\"closed_dates\":[\"2026/12/25\"]}}",
         "schedule.closed_dates[0]: not a date of the form YYYY-MM-DD", "schedule.closed_dates[0]"},
        {"{\"schedule\":{\"closed_dates\":[\"2026-13-01\"]}}",
         "schedule.closed_dates[0]: month out of range 01-12", "schedule.closed_dates[0]"},
        /* clock */
        {"{\"shift_start\":\"24:00\"}", "shift_start: time out of range 00:00-23:59", "shift_start"},
        {"{\"shift_start\":\"6:00\"}", "shift_start: must be a time of the form HH:MM", "shift_start"},
        {"{\"shift_start\":\"06:00:00\"}", "shift_start: must be a time of the form HH:MM", "shift_start"},
        {"{\"shift_start\":\"\"}", "shift_start: must not be empty", "shift_start"},
        /* unknown members and day names */
        {"{\"colour\":\"red\"}", "colour: unknown field", "colour"},
        {"{\"no_answer_s\":60,\"schedule\":{\"monday\":[]}}", "schedule.monday: unknown field",
         "schedule.monday"},
        {"{\"schedule\":{\"Mon\":[]}}", "schedule.Mon: unknown field", "schedule.Mon"},
        {"{\"routing\":[\"agent\"]}", "routing: unknown field", "routing"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct timing t, before;
        struct json_error err;
        memset(&err, 0, sizeof err);
        t = settings("{\"schedule\":{\"closed_dates\":[\"2026-12-25\"]},\"max_attempts\":9}");
        memcpy(&before, &t, sizeof t);
        bool ok = parse(cases[i].json, i % 2 == 0, &t, &err);
        bool same = memcmp(&before, &t, sizeof t) == 0;
        tap_ok(!ok && same && strcmp(err.message, cases[i].message) == 0 &&
                   strcmp(err.field, cases[i].field) == 0,
               "%s refused: %s", cases[i].json, ok ? "(accepted)" : err.message);
        if (!ok && strcmp(err.message, cases[i].message) != 0)
            tap_diag("want %s", cases[i].message);
        if (!ok && strcmp(err.field, cases[i].field) != 0)
            tap_diag("field %s, want %s", err.field, cases[i].field);
    }

    /* 65 closed dates. */
    char big[2048] = "{\"schedule\":{\"closed_dates\":[";
    for (int i = 0; i < 65; i++) {
        char d[24];
        snprintf(d, sizeof d, "%s\"2027-%02d-%02d\"", i ? "," : "", 1 + i / 28, 1 + i % 28);
        strcat(big, d);
    }
    strcat(big, "]}}");
    struct timing t;
    struct json_error err;
    timing_defaults(&t);
    tap_ok(!parse(big, false, &t, &err) &&
               strcmp(err.message, "schedule.closed_dates: at most 64 dates") == 0,
           "65 closed dates refused: %s", err.message);
    big[strlen(big) - 16] = '\0'; /* drop the last date: 64 */
    strcat(big, "]}}");
    tap_ok(parse(big, false, &t, &err) && t.closed_count == 64, "64 closed dates accepted");

    /* Not an object. */
    cJSON *arr = cJSON_CreateArray();
    tap_ok(!timing_from_json(arr, false, &t, &err) &&
               strcmp(err.message, "timing settings must be a JSON object") == 0 && err.field[0] == 0,
           "an array is refused: %s", err.message);
    tap_ok(!timing_from_json(NULL, true, &t, &err), "NULL is refused");
    cJSON_Delete(arr);

    /* Limits accepted. */
    tap_ok(parse("{\"no_answer_s\":5,\"max_attempts\":100,\"recall_min\":[10080],\"preview_s\":3600,"
                 "\"offer_timeout_s\":3600,\"wrap_up_s\":3600,\"wrap_limit_s\":86400,"
                 "\"window_min\":10080,\"personal_fallback_min\":10080,\"slot_min\":120,"
                 "\"slot_capacity\":10000,\"shift_start\":\"23:59\",\"calling_hours\":\"00:00-24:00\","
                 "\"schedule\":{\"mon\":[\"08:00-12:00\",\"12:00-13:00\",\"14:00-15:00\",\"23:00-24:00\"]}}",
                 false, &t, &err),
           "every upper bound, 4 touching spans and calling 00:00-24:00 accepted");
    const int slots[] = {5, 10, 15, 20, 30, 60, 120};
    int good = 0;
    for (size_t i = 0; i < sizeof slots / sizeof slots[0]; i++) {
        char j[48];
        snprintf(j, sizeof j, "{\"slot_min\":%d}", slots[i]);
        good += parse(j, false, &t, &err) && t.slot_min == slots[i];
    }
    tap_is_int(good, 7, "slot_min 5, 10, 15, 20, 30, 60, 120 accepted");
}

/* --- evaluation: hand-picked cases --------------------------------------- */

static void test_sales_week(void)
{
    const struct tz_zone *ny = zone("America/New_York");
    struct timing t = settings("{\"schedule\":{\"mon\":[\"09:00-17:00\"],\"tue\":[\"09:00-17:00\"],"
                               "\"wed\":[\"09:00-17:00\"],\"thu\":[\"09:00-17:00\"],"
                               "\"fri\":[\"09:00-17:00\"]}}");
    /* Week of Monday 2026-11-16 (EST). */
    int opened = 0, wrong = 0;
    for (int d = 16; d <= 22; d++)
        for (int h = 0; h < 24; h++) {
            int64_t u = local(ny, 2026, 11, d, h, 0);
            bool want = d <= 20 && h >= 9 && h < 17;
            bool got = timing_is_open(&t, ny, u);
            opened += got;
            wrong += got != want;
        }
    tap_ok(wrong == 0 && opened == 40, "Sales: New York Mon-Fri 09:00-17:00, hour by hour (%d open)",
           opened);
    tap_ok(!timing_is_open(&t, ny, local(ny, 2026, 11, 16, 9, 0) - 1) &&
               timing_is_open(&t, ny, local(ny, 2026, 11, 16, 9, 0)) &&
               timing_is_open(&t, ny, local(ny, 2026, 11, 16, 17, 0) - 1) &&
               !timing_is_open(&t, ny, local(ny, 2026, 11, 16, 17, 0)),
           "Sales: opens at 09:00:00, closes at 17:00:00 sharp");
    is_time(timing_next_schedule_change(&t, ny, local(ny, 2026, 11, 16, 10, 0)),
            utc(2026, 11, 16, 22, 0, 0), "Sales: open Monday 10:00 → closes 17:00 EST (22:00Z)");
    is_time(timing_next_schedule_change(&t, ny, local(ny, 2026, 11, 16, 9, 0)),
            utc(2026, 11, 16, 22, 0, 0), "Sales: at the opening instant the next change is the close");
    is_time(timing_next_schedule_change(&t, ny, local(ny, 2026, 11, 20, 17, 0)),
            utc(2026, 11, 23, 14, 0, 0), "Sales: Friday 17:00 → Monday 09:00 EST");
    is_time(timing_next_schedule_change(&t, ny, local(ny, 2026, 11, 16, 8, 59)),
            utc(2026, 11, 16, 14, 0, 0), "Sales: Monday 08:59 → 09:00");

    /* Thanksgiving closed. */
    struct json_error err;
    tap_ok(parse("{\"schedule\":{\"closed_dates\":[\"2026-11-26\"]}}", true, &t, &err),
           "closed date added");
    tap_ok(!timing_is_open(&t, ny, local(ny, 2026, 11, 26, 12, 0)) &&
               timing_is_open(&t, ny, local(ny, 2026, 11, 25, 12, 0)) &&
               timing_is_open(&t, ny, local(ny, 2026, 11, 27, 12, 0)),
           "closed date: Thursday closed all day, Wednesday and Friday open");
    is_time(timing_next_schedule_change(&t, ny, local(ny, 2026, 11, 25, 17, 0)),
            local(ny, 2026, 11, 27, 9, 0), "closed date: Wednesday 17:00 → Friday 09:00");
    is_time(timing_next_schedule_change(&t, ny, local(ny, 2026, 11, 26, 12, 0)),
            local(ny, 2026, 11, 27, 9, 0), "closed date: during it → Friday 09:00");
    t = settings("{\"schedule\":{\"mon\":[],\"tue\":[],\"wed\":[],\"thu\":[],\"fri\":[]}}");
    tap_ok(!timing_is_open(&t, ny, local(ny, 2026, 11, 16, 12, 0)) &&
               timing_next_schedule_change(&t, ny, local(ny, 2026, 11, 16, 12, 0)) == INT64_MAX,
           "no spans at all: always closed, never changes");
}

static void test_support_24_7(void)
{
    const struct tz_zone *z = zone("UTC");
    const char *all = "{\"schedule\":{\"mon\":[\"00:00-24:00\"],\"tue\":[\"00:00-24:00\"],"
                      "\"wed\":[\"00:00-24:00\"],\"thu\":[\"00:00-24:00\"],\"fri\":[\"00:00-24:00\"],"
                      "\"sat\":[\"00:00-24:00\"],\"sun\":[\"00:00-24:00\"]}}";
    struct timing t = settings(all);
    int shut = 0;
    for (int64_t u = utc(2026, 11, 16, 0, 0, 0); u < utc(2026, 11, 30, 0, 0, 0); u += 1800)
        shut += !timing_is_open(&t, z, u);
    tap_ok(shut == 0, "Support: UTC 00:00-24:00 every day is open at every half hour for 2 weeks");
    tap_ok(timing_is_open(&t, z, utc(2026, 11, 22, 23, 59, 59)) &&
               timing_is_open(&t, z, utc(2026, 11, 23, 0, 0, 0)),
           "Support: open across midnight");
    is_time(timing_next_schedule_change(&t, z, utc(2026, 11, 22, 12, 0, 0)), INT64_MAX,
            "Support: next change never");
    is_time(timing_next_schedule_change(&t, zone("America/New_York"), utc(2026, 3, 7, 12, 0, 0)),
            INT64_MAX, "24/7 in New York across a DST change: never");

    struct json_error err;
    tap_ok(parse("{\"schedule\":{\"closed_dates\":[\"2026-12-25\",\"2026-12-26\",\"2027-12-25\"]}}",
                 true, &t, &err),
           "24/7 with closed dates");
    is_time(timing_next_schedule_change(&t, z, utc(2026, 11, 22, 12, 0, 0)),
            utc(2026, 12, 25, 0, 0, 0), "24/7: closes at the first closed date");
    is_time(timing_next_schedule_change(&t, z, utc(2026, 12, 25, 12, 0, 0)),
            utc(2026, 12, 27, 0, 0, 0), "24/7: two closed days in a row reopen after both");
    is_time(timing_next_schedule_change(&t, z, utc(2026, 12, 27, 0, 0, 0)),
            utc(2027, 12, 25, 0, 0, 0), "24/7: the next closed date a year ahead is found");
    is_time(timing_next_schedule_change(&t, z, utc(2027, 12, 26, 0, 0, 0)), INT64_MAX,
            "24/7: after the last closed date, never");
    tap_ok(parse("{\"schedule\":{\"closed_dates\":[\"2026-12-25\",\"9165-10-26\"]}}", true, &t,
                 &err),
           "a closed date past year 9000 is accepted");
    is_time(timing_next_schedule_change(&t, z, utc(2026, 12, 26, 0, 0, 0)), INT64_MAX,
            "24/7: a closed date past the year-9000 horizon is never reached");
    tap_ok(timing_is_open(&t, z, utc(9165, 10, 26, 12, 0, 0)) &&
               timing_next_schedule_change(&t, z, utc(9500, 1, 1, 0, 0, 0)) == INT64_MAX,
           "past the horizon the answer is frozen");
    t = settings("{\"schedule\":{\"mon\":[\"00:00-12:00\",\"12:00-24:00\"],\"tue\":[\"00:00-24:00\"],"
                 "\"wed\":[\"00:00-24:00\"],\"thu\":[\"00:00-24:00\"],\"fri\":[\"00:00-24:00\"],"
                 "\"sat\":[\"00:00-24:00\"],\"sun\":[\"00:00-24:00\"]}}");
    is_time(timing_next_schedule_change(&t, z, utc(2026, 11, 22, 12, 0, 0)), INT64_MAX,
            "touching spans that cover every day: never");

    /* Only Mondays, and 64 Mondays closed: the next opening is 65 weeks on. */
    char big[2048] = "{\"schedule\":{\"mon\":[\"10:00-11:00\"],\"tue\":[],\"wed\":[],\"thu\":[],"
                     "\"fri\":[],\"closed_dates\":[";
    int64_t day = civil_days_from_date(2026, 11, 23);
    for (int i = 0; i < 64; i++, day += 7) {
        int y, m, d;
        char s[32];
        civil_date_from_days(day, &y, &m, &d);
        snprintf(s, sizeof s, "%s\"%04d-%02d-%02d\"", i ? "," : "", y % 10000, m % 100, d % 100);
        strcat(big, s);
    }
    strcat(big, "]}}");
    t = settings(big);
    is_time(timing_next_schedule_change(&t, z, utc(2026, 11, 22, 0, 0, 0)),
            day * 86400 + 10 * 3600, "one weekday with 64 of them closed: found 65 weeks ahead");
}

static void test_dst_ny(void)
{
    const struct tz_zone *ny = zone("America/New_York");
    /* 2026-03-08: 02:00 EST → 03:00 EDT at 07:00Z. */
    struct timing t = settings("{\"schedule\":{\"sun\":[\"02:30-05:00\"],\"mon\":[],\"tue\":[],"
                               "\"wed\":[],\"thu\":[],\"fri\":[]}}");
    tap_ok(!timing_is_open(&t, ny, utc(2026, 3, 8, 6, 59, 59)) &&
               timing_is_open(&t, ny, utc(2026, 3, 8, 7, 0, 0)),
           "spring forward: a span from 02:30 opens when the clocks jump to 03:00 EDT (07:00Z)");
    is_time(timing_next_schedule_change(&t, ny, utc(2026, 3, 7, 12, 0, 0)), utc(2026, 3, 8, 7, 0, 0),
            "spring forward: next change is the jump");
    is_time(timing_next_schedule_change(&t, ny, utc(2026, 3, 8, 7, 0, 0)), utc(2026, 3, 8, 9, 0, 0),
            "spring forward: then 05:00 EDT (09:00Z)");
    is_time(timing_next_schedule_change(&t, ny, utc(2026, 3, 8, 9, 0, 0)), utc(2026, 3, 15, 6, 30, 0),
            "spring forward: a week later 02:30 EDT exists again (06:30Z)");
    t = settings("{\"schedule\":{\"sun\":[\"01:00-02:30\",\"02:45-04:00\"],\"mon\":[],\"tue\":[],"
                 "\"wed\":[],\"thu\":[],\"fri\":[]}}");
    is_time(timing_next_schedule_change(&t, ny, utc(2026, 3, 8, 6, 30, 0)), utc(2026, 3, 8, 8, 0, 0),
            "spring forward: spans ending and starting inside the gap join (open 01:00 EST to "
            "04:00 EDT)");
    t = settings("{\"schedule\":{\"sun\":[\"02:10-02:50\"],\"mon\":[],\"tue\":[],"
                 "\"wed\":[],\"thu\":[],\"fri\":[]}}");
    tap_ok(!timing_is_open(&t, ny, utc(2026, 3, 8, 7, 0, 0)), "a span wholly inside the gap never opens");
    is_time(timing_next_schedule_change(&t, ny, utc(2026, 3, 8, 0, 0, 0)), utc(2026, 3, 15, 6, 10, 0),
            "a span wholly inside the gap: the next change is a week later");

    /* 2026-11-01: 02:00 EDT → 01:00 EST at 06:00Z; 01:30 occurs at 05:30Z and 06:30Z. */
    t = settings("{\"schedule\":{\"sun\":[\"01:30-03:00\"],\"mon\":[],\"tue\":[],\"wed\":[],"
                 "\"thu\":[],\"fri\":[]}}");
    tap_ok(!timing_is_open(&t, ny, utc(2026, 11, 1, 5, 29, 59)) &&
               timing_is_open(&t, ny, utc(2026, 11, 1, 5, 30, 0)) &&
               timing_is_open(&t, ny, utc(2026, 11, 1, 6, 0, 0)) &&
               timing_is_open(&t, ny, utc(2026, 11, 1, 6, 15, 0)) &&
               timing_is_open(&t, ny, utc(2026, 11, 1, 7, 59, 59)) &&
               !timing_is_open(&t, ny, utc(2026, 11, 1, 8, 0, 0)),
           "fall back: a span from 01:30 opens at the first 01:30 (EDT) and stays open through "
           "the repeated hour to 03:00 EST");
    is_time(timing_next_schedule_change(&t, ny, utc(2026, 11, 1, 5, 0, 0)), utc(2026, 11, 1, 5, 30, 0),
            "fall back: opens at 05:30Z");
    is_time(timing_next_schedule_change(&t, ny, utc(2026, 11, 1, 5, 30, 0)), utc(2026, 11, 1, 8, 0, 0),
            "fall back: no flip in the repeated hour; closes 08:00Z");
    t = settings("{\"schedule\":{\"sun\":[\"00:00-01:30\"],\"mon\":[],\"tue\":[],\"wed\":[],"
                 "\"thu\":[],\"fri\":[]}}");
    tap_ok(timing_is_open(&t, ny, utc(2026, 11, 1, 5, 29, 59)) &&
               !timing_is_open(&t, ny, utc(2026, 11, 1, 5, 30, 0)) &&
               !timing_is_open(&t, ny, utc(2026, 11, 1, 6, 0, 0)),
           "fall back: a span ending 01:30 closes at the first 01:30 and stays closed");
    is_time(timing_next_schedule_change(&t, ny, utc(2026, 11, 1, 5, 30, 0)), utc(2026, 11, 8, 5, 0, 0),
            "fall back: next opening is the next Sunday 00:00 EST");

    /* Saturday 22:00-24:00 joined to Sunday 00:00-02:00. */
    t = settings("{\"schedule\":{\"sat\":[\"22:00-24:00\"],\"sun\":[\"00:00-02:00\"],\"mon\":[],"
                 "\"tue\":[],\"wed\":[],\"thu\":[],\"fri\":[]}}");
    is_time(timing_next_schedule_change(&t, ny, local(ny, 2026, 11, 14, 23, 0)),
            local(ny, 2026, 11, 15, 2, 0), "24:00 meets the next day's 00:00: no change at midnight");
    tap_ok(timing_is_open(&t, ny, local(ny, 2026, 11, 15, 0, 0)), "open at midnight itself");
}

static void test_calling_hours(void)
{
    const struct tz_zone *tokyo = zone("Asia/Tokyo"), *la = zone("America/Los_Angeles");
    struct timing t;
    timing_defaults(&t);
    int64_t u = utc(2026, 6, 15, 5, 0, 0); /* Tokyo 14:00 Mon, Los Angeles 22:00 Sun (PDT) */
    tap_ok(timing_calling_allowed(&t, tokyo, u), "14:00 in Tokyo: may call");
    tap_ok(!timing_calling_allowed(&t, la, u), "22:00 in Los Angeles at the same instant: may not");
    is_time(timing_next_calling_change(&t, tokyo, u), utc(2026, 6, 15, 12, 0, 0),
            "Tokyo: stops at 21:00 JST (12:00Z)");
    is_time(timing_next_calling_change(&t, la, u), utc(2026, 6, 15, 15, 0, 0),
            "Los Angeles: starts at 08:00 PDT (15:00Z)");
    u = utc(2026, 6, 15, 16, 0, 0); /* Tokyo 01:00, LA 09:00 */
    tap_ok(!timing_calling_allowed(&t, tokyo, u) && timing_calling_allowed(&t, la, u),
           "16:00Z: Tokyo asleep, Los Angeles callable");
    tap_ok(!timing_calling_allowed(&t, la, utc(2026, 6, 15, 15, 0, 0) - 1) &&
               timing_calling_allowed(&t, la, utc(2026, 6, 15, 15, 0, 0)) &&
               timing_calling_allowed(&t, la, utc(2026, 6, 16, 4, 0, 0) - 1) &&
               !timing_calling_allowed(&t, la, utc(2026, 6, 16, 4, 0, 0)),
           "Los Angeles: [08:00, 21:00) to the second");
    tap_ok(timing_calling_allowed(&t, la, utc(2026, 6, 13, 18, 0, 0)),
           "calling hours apply every day, weekends included");
    struct json_error err;
    tap_ok(parse("{\"calling_hours\":\"00:00-24:00\"}", true, &t, &err) &&
               timing_calling_allowed(&t, la, utc(2026, 6, 15, 10, 0, 0)) &&
               timing_next_calling_change(&t, la, utc(2026, 6, 15, 10, 0, 0)) == INT64_MAX,
           "calling hours 00:00-24:00: always, never changes");
    /* DST: 2026-03-08, 08:00 PDT is 15:00Z, the day before 08:00 PST was 16:00Z. */
    timing_defaults(&t);
    is_time(timing_next_calling_change(&t, la, utc(2026, 3, 8, 5, 0, 0)), utc(2026, 3, 8, 15, 0, 0),
            "Los Angeles spring forward: opens at 08:00 PDT");
    is_time(timing_next_calling_change(&t, la, utc(2026, 3, 7, 5, 0, 0)), utc(2026, 3, 7, 16, 0, 0),
            "Los Angeles the day before: opens at 08:00 PST");
}

static void test_shift(void)
{
    const struct tz_zone *ny = zone("America/New_York");
    struct timing t;
    timing_defaults(&t);
    is_time(timing_shift_start(&t, ny, utc(2026, 11, 18, 15, 0, 0)), utc(2026, 11, 18, 5, 0, 0),
            "shift 00:00 New York: local midnight");
    is_time(timing_shift_start(&t, ny, utc(2026, 11, 18, 5, 0, 0)), utc(2026, 11, 18, 5, 0, 0),
            "shift start at now exactly is now");
    is_time(timing_shift_start(&t, ny, utc(2026, 11, 18, 4, 59, 59)), utc(2026, 11, 17, 5, 0, 0),
            "a second before it, the previous one");
    t.shift_start_min = 6 * 60;
    is_time(timing_shift_start(&t, ny, local(ny, 2026, 11, 18, 3, 0)), local(ny, 2026, 11, 17, 6, 0),
            "shift 06:00 at 03:00: yesterday's");
    t.shift_start_min = 2 * 60 + 30;
    is_time(timing_shift_start(&t, ny, utc(2026, 3, 8, 12, 0, 0)), utc(2026, 3, 8, 7, 0, 0),
            "shift 02:30 on the spring-forward day starts at the jump (07:00Z)");
    t.shift_start_min = 60 + 30;
    is_time(timing_shift_start(&t, ny, utc(2026, 11, 1, 6, 45, 0)), utc(2026, 11, 1, 5, 30, 0),
            "shift 01:30 on the fall-back day: the earlier 01:30, even during the second");

    t.shift_start_min = 0;
    const struct tz_zone *beirut = zone("Asia/Beirut");
    /* 2026-03-29 00:00 EET does not exist: clocks go to 01:00 EEST at 22:00Z. */
    is_time(timing_shift_start(&t, beirut, utc(2026, 3, 29, 7, 0, 0)), utc(2026, 3, 28, 22, 0, 0),
            "Beirut: midnight skipped, the shift starts at 01:00 EEST (22:00Z)");
    is_time(timing_shift_start(&t, beirut, utc(2026, 3, 28, 22, 0, 0)), utc(2026, 3, 28, 22, 0, 0),
            "Beirut: at the jump itself");
    is_time(timing_shift_start(&t, beirut, utc(2026, 3, 28, 21, 59, 59)), utc(2026, 3, 27, 22, 0, 0),
            "Beirut: just before the jump, the previous midnight");
    const struct tz_zone *santiago = zone("America/Santiago");
    is_time(timing_shift_start(&t, santiago, utc(2026, 9, 6, 12, 0, 0)), utc(2026, 9, 6, 4, 0, 0),
            "Santiago: midnight skipped on 2026-09-06, the shift starts at the jump (04:00Z)");
    const struct tz_zone *havana = zone("America/Havana");
    /* 2027-11-07: 01:00 CDT → 00:00 CST at 05:00Z; midnight at 04:00Z and 05:00Z. */
    is_time(timing_shift_start(&t, havana, utc(2027, 11, 7, 5, 30, 0)), utc(2027, 11, 7, 4, 0, 0),
            "Havana: midnight repeated, the shift starts at the first one");
    is_time(timing_shift_start(&t, havana, utc(2027, 11, 8, 5, 0, 0)), utc(2027, 11, 8, 5, 0, 0),
            "Havana: next day's midnight CST");
}

/* --- evaluation: the oracle ---------------------------------------------- */

static int64_t floor_div(int64_t a, int64_t b)
{
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/* The oracle of the file comment for local wall time m (seconds, local read
 * as UTC), weekly schedule (t) or daily calling hours (t->calling_*). */
static bool oracle_open(const struct timing *t, bool calling, int64_t m)
{
    int64_t day = floor_div(m, 86400);
    int tod = (int)((m - day * 86400) / 60);
    if (calling)
        return tod >= t->calling_start_min && tod < t->calling_end_min;
    for (int i = 0; i < t->closed_count; i++)
        if (t->closed_days[i] == day)
            return false;
    int wd = civil_weekday(day);
    for (int i = 0; i < t->week_count[wd]; i++)
        if (tod >= t->week[wd][i].start_min && tod < t->week[wd][i].end_min)
            return true;
    return false;
}

static int64_t local_wall(const struct tz_zone *z, int64_t u)
{
    struct civil_time ct;
    tz_utc_to_local(z, u, &ct, NULL);
    return civil_to_epoch(&ct);
}

/* Checks is_open / next_change (or the calling pair) at every minute, and at
 * every minute plus 30 s, of [t0, t0 + days) against the oracle; and the
 * shift start. Returns the number of mismatches. */
static int brute(const struct timing *t, bool calling, const struct tz_zone *z, int64_t t0, int days,
                 int *changes)
{
    const int lead = 3 * 1440, tail = 10 * 1440;
    int n = days * 1440, total = lead + n + tail, bad = 0;
    bool *open = malloc((size_t)total);
    int64_t *shift = malloc((size_t)total * sizeof *shift);
    int64_t m = INT64_MIN, last_shift = INT64_MIN;
    int64_t s = (int64_t)t->shift_start_min * 60;
    for (int i = 0; i < total; i++) {
        int64_t u = t0 + ((int64_t)i - lead) * 60;
        int64_t w = local_wall(z, u);
        int64_t prev = m;
        if (w > m)
            m = w;
        open[i] = oracle_open(t, calling, m);
        /* A shift start point day*86400 + s crossed by the running max. */
        if (prev != INT64_MIN) {
            int64_t k = floor_div(m - s, 86400) * 86400 + s;
            if (k > prev && k <= m)
                last_shift = u;
        }
        shift[i] = last_shift;
    }
    *changes = 0;
    for (int i = lead; i < lead + n; i++) {
        int64_t u = t0 + ((int64_t)i - lead) * 60;
        int j = i + 1;
        while (j < total && open[j] == open[i])
            j++;
        int64_t want = j < total ? t0 + ((int64_t)j - lead) * 60 : INT64_MAX;
        *changes += open[i] != open[i - 1];
        for (int half = 0; half < (i % 5 == 0 ? 2 : 1); half++) {
            int64_t now = u + half * 30;
            bool got = calling ? timing_calling_allowed(t, z, now) : timing_is_open(t, z, now);
            int64_t next = calling ? timing_next_calling_change(t, z, now)
                                   : timing_next_schedule_change(t, z, now);
            bool next_ok = want == INT64_MAX ? next > t0 + ((int64_t)total - lead - 1) * 60
                                             : next == want;
            if (got != open[i] || !next_ok) {
                if (bad++ < 5) {
                    char a[CIVIL_RFC3339_SIZE], b[CIVIL_RFC3339_SIZE], c[CIVIL_RFC3339_SIZE];
                    tap_diag("%s at %s: open %d (oracle %d), next %s (oracle %s)", tz_name(z),
                             fmt(now, a), got, open[i], fmt(next, b), fmt(want, c));
                }
            }
        }
        if (!calling && i % 7 == 0 && shift[i] != INT64_MIN) {
            int64_t got = timing_shift_start(t, z, u + 59);
            if (got != shift[i] && bad++ < 5) {
                char a[CIVIL_RFC3339_SIZE], b[CIVIL_RFC3339_SIZE], c[CIVIL_RFC3339_SIZE];
                tap_diag("%s shift at %s: %s (oracle %s)", tz_name(z), fmt(u + 59, a), fmt(got, b),
                         fmt(shift[i], c));
            }
        }
    }
    free(open);
    free(shift);
    return bad;
}

static void test_brute_force(void)
{
    static const struct {
        const char *zone;
        int y, m, d; /* a DST change (or any date) */
    } windows[] = {
        {"America/New_York", 2026, 3, 8},     {"America/New_York", 2026, 11, 1},
        {"Europe/London", 2026, 3, 29},       {"Europe/London", 2026, 10, 25},
        {"Australia/Lord_Howe", 2026, 4, 5},  {"Australia/Lord_Howe", 2026, 10, 4},
        {"Asia/Kolkata", 2026, 6, 14},        {"Asia/Beirut", 2026, 3, 29},
        {"America/Havana", 2027, 11, 7},      {"America/Santiago", 2026, 9, 6},
    };
    static const struct {
        const char *name, *json;
    } schedules[] = {
        {"Mon-Fri 09:00-17:00",
         "{\"schedule\":{\"mon\":[\"09:00-17:00\"],\"tue\":[\"09:00-17:00\"],\"wed\":[\"09:00-17:00\"],"
         "\"thu\":[\"09:00-17:00\"],\"fri\":[\"09:00-17:00\"]},\"shift_start\":\"00:00\"}"},
        {"spans at DST hours",
         "{\"schedule\":{\"sun\":[\"00:00-01:00\",\"01:30-02:30\",\"02:45-03:00\",\"22:00-24:00\"],"
         "\"mon\":[\"00:00-08:00\",\"12:00-13:00\",\"13:00-24:00\"],\"tue\":[\"00:00-24:00\"],"
         "\"wed\":[],\"thu\":[\"01:45-02:15\"],\"fri\":[\"02:00-02:30\",\"23:59-24:00\"],"
         "\"sat\":[\"01:00-02:00\",\"02:00-03:00\",\"23:00-24:00\"]},\"shift_start\":\"01:30\"}"},
        {"nights across midnight",
         "{\"schedule\":{\"sun\":[\"00:00-02:00\",\"20:00-24:00\"],\"mon\":[\"00:00-02:00\","
         "\"20:00-24:00\"],\"tue\":[\"00:00-02:00\",\"20:00-24:00\"],\"wed\":[\"00:00-02:00\","
         "\"20:00-24:00\"],\"thu\":[\"00:00-02:00\",\"20:00-24:00\"],\"fri\":[\"00:00-02:00\","
         "\"20:00-24:00\"],\"sat\":[\"00:00-02:00\",\"20:00-24:00\"]},\"shift_start\":\"02:15\"}"},
        {"24/7 with closed dates",
         "{\"schedule\":{\"sun\":[\"00:00-24:00\"],\"mon\":[\"00:00-24:00\"],\"tue\":[\"00:00-24:00\"],"
         "\"wed\":[\"00:00-24:00\"],\"thu\":[\"00:00-24:00\"],\"fri\":[\"00:00-24:00\"],"
         "\"sat\":[\"00:00-24:00\"]},\"shift_start\":\"00:00\"}"},
    };
    for (size_t w = 0; w < sizeof windows / sizeof windows[0]; w++) {
        const struct tz_zone *z = zone(windows[w].zone);
        int64_t change_day = civil_days_from_date(windows[w].y, windows[w].m, windows[w].d);
        int64_t t0 = (change_day - 7) * 86400;
        for (size_t s = 0; s < sizeof schedules / sizeof schedules[0]; s++) {
            struct timing t = settings(schedules[s].json);
            /* Closed: the Tuesday before the change, and (24/7) the day after. */
            t.closed_days[t.closed_count++] = change_day - 5;
            if (s == 3) {
                t.closed_days[t.closed_count++] = change_day + 1;
                t.closed_days[t.closed_count++] = change_day + 2;
            }
            int changes = 0;
            int bad = brute(&t, false, z, t0, 14, &changes);
            tap_ok(bad == 0, "%s, 2 weeks around %04d-%02d-%02d, %s: %d changes, %d mismatches",
                   windows[w].zone, windows[w].y, windows[w].m, windows[w].d, schedules[s].name,
                   changes, bad);
        }
        static const char *const calling[] = {"08:00-21:00", "00:00-02:30", "01:30-24:00",
                                              "00:30-01:45"};
        for (size_t c = 0; c < sizeof calling / sizeof calling[0]; c++) {
            char j[64];
            snprintf(j, sizeof j, "{\"calling_hours\":\"%s\"}", calling[c]);
            struct timing t = settings(j);
            int changes = 0;
            int bad = brute(&t, true, z, t0, 14, &changes);
            tap_ok(bad == 0, "%s around %04d-%02d-%02d, calling hours %s: %d changes, %d mismatches",
                   windows[w].zone, windows[w].y, windows[w].m, windows[w].d, calling[c], changes,
                   bad);
        }
    }
}

int main(void)
{
    test_defaults();
    test_roundtrip();
    test_partial();
    test_bad_input();
    test_sales_week();
    test_support_24_7();
    test_dst_ny();
    test_calling_hours();
    test_shift();
    test_brute_force();
    return tap_done();
}
