/*
 * report.c — report 6.04, Completed Callback Interaction (see report.h):
 * its parameters, the walk over BPs and pages, and its JSON and CSV forms.
 *
 * The cursor is "BP.AT.ID" (the BP id, completion time and id of the last
 * callback given), in strict decimal; BPs are walked in name order (names
 * never change and BPs are never deleted, so the walk resumes where it
 * stopped).
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "civil.h"
#include "timing.h"
#include "tz.h"
#include "xalloc.h"

/* ---- parameters ------------------------------------------------------------- */

/* A strict decimal: digits only, no sign, no leading zero; false past max. */
static bool report_decimal(const char *s, size_t len, int64_t max, int64_t *out)
{
    if (len == 0 || len > 19 || (s[0] == '0' && len > 1))
        return false;
    int64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        int d = s[i] - '0';
        if (v > (max - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

bool report_set_cursor(struct report_query *q, const char *s)
{
    const char *d1 = strchr(s, '.');
    const char *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
    if (d2 == NULL)
        return false;
    const char *at = d1 + 1;
    bool negative = at[0] == '-';
    if (negative)
        at++;
    int64_t bp, when, id;
    if (!report_decimal(s, (size_t)(d1 - s), JSON_INT_LIMIT, &bp) || bp < 1 ||
        !report_decimal(at, (size_t)(d2 - at), INT64_MAX, &when) || (negative && when == 0) ||
        !report_decimal(d2 + 1, strlen(d2 + 1), JSON_INT_LIMIT, &id) || id < 1)
        return false;
    q->after = true;
    q->after_bp = bp;
    q->after_at = negative ? -when : when;
    q->after_id = id;
    return true;
}

/* 00:00 of the date in zone, or the first valid instant after it when DST
 * skips midnight there. */
static bool report_midnight(const struct tz_zone *zone, int64_t days, int64_t *out)
{
    struct civil_time ct = {0};
    civil_date_from_days(days, &ct.year, &ct.month, &ct.day);
    for (int minute = 0; minute < 48 * 60; minute++) {
        struct civil_time t = ct;
        t.hour = minute / 60 % 24;
        t.minute = minute % 60;
        if (minute >= 24 * 60)
            civil_date_from_days(days + 1, &t.year, &t.month, &t.day);
        enum tz_result r = tz_local_to_utc(zone, &t, out, NULL, 0);
        if (r == TZ_OK || r == TZ_AMBIGUOUS)
            return true;
    }
    return false;
}

/* from / to: an RFC 3339 instant, or a date in zone (to: the end of that
 * day). */
static bool report_when(const char *name, const char *v, const struct tz_zone *zone, bool to,
                        int64_t *out, struct json_error *err)
{
    int y, m, d;
    const char *why = NULL;
    if (strlen(v) == 10 && civil_parse_date(v, &y, &m, &d, &why)) {
        if (!report_midnight(zone, civil_days_from_date(y, m, d) + (to ? 1 : 0), out)) {
            json_error_set(err, name, "that day does not exist in %s", tz_name(zone));
            return false;
        }
        return true;
    }
    /* an unescaped "+" of an offset arrives as a space (form encoding) */
    char typed[64];
    snprintf(typed, sizeof typed, "%s", v);
    for (char *p = typed; *p; p++)
        if (*p == ' ')
            *p = '+';
    if (strlen(v) >= sizeof typed || !civil_parse_rfc3339(typed, out, &why)) {
        json_error_set(err, name, "not a date (YYYY-MM-DD) or an RFC 3339 instant");
        return false;
    }
    return true;
}

bool report_parse(const struct report_args *a, bool allow_table, struct report_query *q,
                  struct json_error *err)
{
    memset(q, 0, sizeof q[0]);
    q->format = REPORT_JSON;
    q->limit = REPORT_LIMIT_DEFAULT;
    q->after_at = INT64_MIN;
    if (a->bp) {
        if (a->bp[0] == '\0') {
            json_error_set(err, "bp", "unknown business process");
            return false;
        }
        q->bp_ref = a->bp;
    }
    const char *why = NULL;
    const struct tz_zone *zone = tz_find(a->tz ? a->tz : "UTC", &why);
    if (zone == NULL) {
        json_error_set(err, "tz", "%s", why ? why : "unknown time zone");
        return false;
    }
    if (a->from) {
        if (!report_when("from", a->from, zone, false, &q->from, err))
            return false;
        q->has_from = true;
    }
    if (a->to) {
        if (!report_when("to", a->to, zone, true, &q->to, err))
            return false;
        q->has_to = true;
    }
    if (q->has_from && q->has_to && q->to <= q->from) {
        json_error_set(err, "to", "must be later than from");
        return false;
    }
    if (a->format) {
        if (strcmp(a->format, "json") == 0) {
            q->format = REPORT_JSON;
        } else if (strcmp(a->format, "csv") == 0) {
            q->format = REPORT_CSV;
        } else if (allow_table && strcmp(a->format, "table") == 0) {
            q->format = REPORT_TABLE;
        } else {
            json_error_set(err, "format", allow_table ? "must be csv, json or table"
                                                      : "must be json or csv");
            return false;
        }
    }
    if (a->limit) {
        int64_t n = 0;
        if (!report_decimal(a->limit, strlen(a->limit), REPORT_LIMIT_MAX, &n) || n < 1) {
            json_error_set(err, "limit", "must be an integer from 1 to %d", REPORT_LIMIT_MAX);
            return false;
        }
        q->limit = (int)n;
    }
    if (a->after && !report_set_cursor(q, a->after)) {
        json_error_set(err, "after", "bad cursor");
        return false;
    }
    return true;
}

enum store_result report_find_bp(struct store *st, struct report_query *q)
{
    q->bp_id = 0;
    if (q->bp_ref == NULL)
        return STORE_OK;
    struct cb_bp bp;
    int64_t n = 0;
    enum store_result r = STORE_NOT_FOUND;
    if (report_decimal(q->bp_ref, strlen(q->bp_ref), JSON_INT_LIMIT, &n) && n > 0)
        r = store_bp_get(st, n, &bp);
    if (r == STORE_NOT_FOUND)
        r = store_bp_by_name(st, q->bp_ref, &bp);
    if (r == STORE_OK)
        q->bp_id = bp.id;
    return r;
}

/* ---- the walk ------------------------------------------------------------------ */

struct report_walk {
    const struct report_query *q;
    int64_t now;
    store_report_each *each;
    void *ctx;
    int count;
    bool more;
    bool resumed; /* the BP of the cursor has been reached */
    struct store *st;
    enum store_result r;
    int64_t last_bp, last_at, last_id;
};

static bool report_walk_row(void *ctx, const struct store_report_row *row)
{
    struct report_walk *k = ctx;
    if (k->count == k->q->limit) {
        k->more = true;
        return false;
    }
    k->count++;
    k->last_bp = row->bp_id;
    k->last_at = row->completed_at;
    k->last_id = row->id;
    return k->each(k->ctx, row);
}

static bool report_walk_bp(void *ctx, const struct cb_bp *bp)
{
    struct report_walk *k = ctx;
    const struct report_query *q = k->q;
    if (q->bp_id && bp->id != q->bp_id)
        return true;
    struct store_report_query sq = {.bp_id = bp->id, .after_at = INT64_MIN, .after_id = 0};
    if (q->after && !k->resumed) {
        if (bp->id != q->after_bp)
            return true; /* before the cursor's BP */
        k->resumed = true;
        sq.after_at = q->after_at;
        sq.after_id = q->after_id;
    }
    if (q->has_from || q->has_to) {
        sq.from = q->has_from ? q->from : INT64_MIN;
        sq.to = q->has_to ? q->to : INT64_MAX;
    } else {
        const char *why = NULL;
        const struct tz_zone *zone = tz_find(bp->tz, &why);
        if (zone == NULL)
            zone = tz_find("UTC", &why);
        sq.from = timing_shift_start(&bp->timing, zone, k->now);
        sq.to = timing_shift_start(&bp->timing, zone, sq.from + 26 * 3600);
        if (sq.to <= sq.from)
            sq.to = sq.from + 24 * 3600;
    }
    /* one more than fits, to know whether a next page exists */
    sq.limit = q->limit - k->count + 1;
    k->r = store_report_completed(k->st, &sq, report_walk_row, k);
    return k->r == STORE_OK && !k->more;
}

enum store_result report_run(struct store *st, const struct report_query *q, int64_t now,
                             store_report_each *each, void *ctx, bool *more,
                             char cursor[REPORT_CURSOR_SIZE])
{
    struct report_walk k = {.q = q, .now = now, .each = each, .ctx = ctx, .st = st,
                            .r = STORE_OK};
    enum store_result r = store_bp_list(st, report_walk_bp, &k); /* by name */
    if (r == STORE_OK)
        r = k.r;
    *more = r == STORE_OK && k.more;
    cursor[0] = '\0';
    if (*more)
        snprintf(cursor, REPORT_CURSOR_SIZE, "%lld.%lld.%lld", (long long)k.last_bp,
                 (long long)k.last_at, (long long)k.last_id);
    return r;
}

/* ---- forms ---------------------------------------------------------------------- */

int64_t report_last_attempt(const struct store_report_row *row)
{
    return row->nattempts ? row->attempts[row->nattempts - 1].at : 0;
}

void report_json_row(struct jsonw *w, const struct store_report_row *row)
{
    int64_t last = report_last_attempt(row);
    jsonw_object_begin(w);
    jsonw_key(w, "id");
    jsonw_int(w, row->id);
    jsonw_key(w, "destination");
    jsonw_string(w, row->destination);
    jsonw_key(w, "bp_id");
    jsonw_int(w, row->bp_id);
    jsonw_key(w, "bp");
    jsonw_string(w, row->bp_name);
    jsonw_key(w, "end_state");
    jsonw_string_or_null(w, row->end_state >= 0 ? end_wire((enum end_state)row->end_state) : NULL);
    jsonw_key(w, "entered_at");
    jsonw_instant(w, row->created_at);
    jsonw_key(w, "completed_at");
    jsonw_instant(w, row->completed_at);
    jsonw_key(w, "last_attempt_at");
    jsonw_instant(w, last ? last : JSON_NO_INSTANT);
    jsonw_key(w, "attempts_used");
    jsonw_int(w, row->attempts_used);
    jsonw_key(w, "total_attempts");
    jsonw_int(w, row->nattempts);
    jsonw_key(w, "attempts");
    jsonw_array_begin(w);
    for (int i = 0; i < row->nattempts; i++) {
        const struct cb_attempt *a = &row->attempts[i];
        jsonw_object_begin(w);
        jsonw_key(w, "at");
        jsonw_instant(w, a->at);
        jsonw_key(w, "started_at");
        jsonw_instant(w, a->started_at ? a->started_at : JSON_NO_INSTANT);
        jsonw_key(w, "agent");
        jsonw_string_or_null(w, a->agent_id ? a->agent_login : NULL);
        jsonw_key(w, "agent_name");
        jsonw_string_or_null(w, a->agent_id ? a->agent_name : NULL);
        jsonw_key(w, "state");
        jsonw_string(w, attempt_wire(a->state));
        jsonw_key(w, "handle_s");
        if (a->handle_s >= 0)
            jsonw_int(w, a->handle_s);
        else
            jsonw_null(w);
        jsonw_key(w, "connect");
        jsonw_string_or_null(w, a->connect >= 0 ? connect_wire((enum connect_kind)a->connect)
                                                : NULL);
        jsonw_object_end(w);
    }
    jsonw_array_end(w);
    jsonw_object_end(w);
}

/* One CSV field: quoted when it holds a comma, quote, CR or LF. */
static void report_csv_field(FILE *out, const char *s, bool last)
{
    if (s[strcspn(s, ",\"\r\n")] == '\0') {
        fputs(s, out);
    } else {
        fputc('"', out);
        for (const char *p = s; *p; p++) {
            if (*p == '"')
                fputc('"', out);
            fputc(*p, out);
        }
        fputc('"', out);
    }
    fputs(last ? "\r\n" : ",", out);
}

static void report_csv_instant(FILE *out, int64_t t)
{
    char buf[CIVIL_RFC3339_SIZE] = "";
    if (t)
        civil_format_rfc3339(t, buf);
    report_csv_field(out, buf, false);
}

static void report_csv_int(FILE *out, int64_t v, bool present, bool last)
{
    char buf[24] = "";
    if (present)
        snprintf(buf, sizeof buf, "%lld", (long long)v);
    report_csv_field(out, buf, last);
}

void report_csv_header(FILE *out)
{
    fputs("callback_id,destination,bp,end_state,entered_at,completed_at,last_attempt_at,"
          "attempts_used,total_attempts,attempt_no,attempt_at,attempt_started_at,agent,"
          "agent_name,attempt_state,handle_s,connect\r\n",
          out);
}

void report_csv_row(FILE *out, const struct store_report_row *row)
{
    int lines = row->nattempts ? row->nattempts : 1;
    for (int i = 0; i < lines; i++) {
        const struct cb_attempt *a = row->nattempts ? &row->attempts[i] : NULL;
        report_csv_int(out, row->id, true, false);
        report_csv_field(out, row->destination, false);
        report_csv_field(out, row->bp_name, false);
        report_csv_field(out, row->end_state >= 0 ? end_wire((enum end_state)row->end_state) : "",
                         false);
        report_csv_instant(out, row->created_at);
        report_csv_instant(out, row->completed_at);
        report_csv_instant(out, report_last_attempt(row));
        report_csv_int(out, row->attempts_used, true, false);
        report_csv_int(out, row->nattempts, true, false);
        report_csv_int(out, i + 1, a != NULL, false);
        report_csv_instant(out, a ? a->at : 0);
        report_csv_instant(out, a ? a->started_at : 0);
        report_csv_field(out, a && a->agent_id ? a->agent_login : "", false);
        report_csv_field(out, a && a->agent_id ? a->agent_name : "", false);
        report_csv_field(out, a ? attempt_wire(a->state) : "", false);
        report_csv_int(out, a ? a->handle_s : 0, a && a->handle_s >= 0, false);
        report_csv_field(out, a && a->connect >= 0 ? connect_wire((enum connect_kind)a->connect)
                                                   : "",
                         true);
    }
}
