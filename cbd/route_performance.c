/*
 * route_performance.c — GET /api/v1/bps/{id}/performance (supervisor): one
 * business process's current shift for the supervisor console's "Callback
 * Performance" tab — its row of GET /stats, its attempts by state since the
 * shift began, and its completions hour by hour: hours of 3600 s from the
 * shift start up to the one holding now, at most 24 (the 25th hour of a
 * shift the day clocks go back is counted in the 24th).
 *
 * The shift and the row are stats.c's (stats_view_*); the hours and the
 * attempts are two index range reads on this thread's reader
 * (store_report_performance), so the cost follows the shift's rows, not the
 * history. The hours add up to the row's Proc and reached count: the row
 * comes from the figures the engine publishes after each commit, so the
 * store may be a batch ahead of it; when the counts disagree the read is
 * tried once more, and then the row is counted from the store inside the
 * same read transaction as the hours (as the engine counts it after a load
 * or a rollover) — which is also what happens when the published figures
 * are of a shift that has just ended. Nothing runs on the engine thread.
 */
#include "routes.h"

#include "clock.h"
#include "stats.h"

#define ROUTE_PERFORMANCE_TRIES 2

/* How many hours of the shift to show: up to the one holding now. */
static int route_performance_hours(int64_t shift_start, int64_t now)
{
    int64_t n = (now - shift_start) / 3600 + 1;
    return n < 1 ? 1 : n > STORE_PERF_HOURS ? STORE_PERF_HOURS : (int)n;
}

/* The hours add up to the row's counts. */
static bool route_performance_agree(const struct stats_view *v, const struct store_performance *p,
                                    int hours)
{
    int64_t proc = 0, reached = 0;
    for (int h = 0; h < hours; h++) {
        proc += p->processed[h];
        reached += p->reached[h];
    }
    return proc == v->proc && reached == v->reached && p->purged == v->purged;
}

/* The reply; takes v's row. The caller owns the result. */
static cJSON *route_performance_json(const struct cb_bp *bp, struct stats_view *v,
                                     const struct store_performance *p, int hours)
{
    cJSON *o = cJSON_CreateObject();
    json_add_int(o, "bp_id", bp->id);
    cJSON_AddStringToObject(o, "bp", bp->name);
    json_add_instant(o, "shift_start", v->shift_start);
    cJSON_AddItemToObject(o, "stats", v->row);
    v->row = NULL;
    cJSON *a = cJSON_AddObjectToObject(o, "attempts");
    for (int i = 0; i < ATTEMPT__COUNT; i++)
        json_add_int(a, attempt_wire((enum attempt_state)i), p->attempts[i]);
    cJSON *arr = cJSON_AddArrayToObject(o, "hours");
    for (int h = 0; h < hours; h++) {
        cJSON *e = cJSON_CreateObject();
        json_add_instant(e, "start", v->shift_start + 3600 * (int64_t)h);
        json_add_int(e, "processed", p->processed[h]);
        json_add_int(e, "reached", p->reached[h]);
        cJSON_AddItemToArray(arr, e);
    }
    return o;
}

void route_performance(struct http_request *req)
{
    struct store *rd;
    struct cb_bp bp;
    if (!route_bps_read(req, &rd, &bp))
        return;
    int64_t now = clock_now();
    struct stats_view v;
    struct store_performance p;
    enum store_result r = STORE_OK;
    bool agreed = false;
    int hours = 1;
    /* the published row first: the transaction begins after it is read, so
     * the store holds at least what it counts */
    for (int i = 0; i < ROUTE_PERFORMANCE_TRIES && !agreed && r == STORE_OK; i++) {
        if (!stats_view_published(bp.id, now, &v))
            break;
        hours = route_performance_hours(v.shift_start, now);
        store_read_begin(rd);
        r = store_report_performance(rd, bp.id, v.shift_start, v.shift_next, now + 1, hours, &p);
        store_read_end(rd);
        agreed = r == STORE_OK && route_performance_agree(&v, &p, hours);
        if (!agreed)
            stats_view_clear(&v);
    }
    if (!agreed && r == STORE_OK) {
        /* the row and the hours from one read snapshot */
        store_read_begin(rd);
        r = stats_view_load(rd, &bp, now, &v);
        if (r == STORE_OK) {
            hours = route_performance_hours(v.shift_start, now);
            r = store_report_performance(rd, bp.id, v.shift_start, v.shift_next, now + 1, hours, &p);
        }
        store_read_end(rd);
    }
    if (r != STORE_OK) {
        stats_view_clear(&v);
        http_reply_error(req, ERR_INTERNAL, NULL, "storage error");
        return;
    }
    http_reply_json(req, 200, route_performance_json(&bp, &v, &p, hours));
}
