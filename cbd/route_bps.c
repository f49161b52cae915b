/*
 * route_bps.c — business processes over the API (DESIGN.md §5): the list
 * and one BP with routing types, teams, Callback Timing and CLBK Stat;
 * PATCH of timing / routing / zone with a version check; stop and start;
 * and the slot grid of one day in a customer's zone.
 *
 * A BP in the path is named by id or by name ("/bps/1", "/bps/Sales"); a
 * number that is no BP's id is tried as a name. Reads use this thread's
 * reader; every change runs on the engine thread, re-reads the BP there,
 * and is audited with the BP before and after ("bp.timing", "bp.stop",
 * "bp.start", target "bp:ID"). A change that changes nothing — stopping a
 * stopped BP, a PATCH that repeats the current settings — answers 200 with
 * the BP as it is: no new version, no audit entry.
 *
 * The slot grid takes date=YYYY-MM-DD (years 1900-2999) and an optional
 * tz= (the BP's zone by default); the slots themselves are the BP's (see
 * slots.h), listed when they start within that local day of tz, with how
 * many open callbacks each holds — one index range read for the whole day.
 */
#include "routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "dispatch.h"
#include "conf.h"
#include "events.h"
#include "present.h"
#include "slots.h"
#include "store.h"
#include "tz.h"
#include "xalloc.h"

/* ---- finding the BP ------------------------------------------------------ */

static enum store_result route_bps_find(struct store *st, const char *ref, struct cb_bp *out)
{
    int64_t id;
    if (ref[0] >= '0' && ref[0] <= '9' && conf_parse_int(ref, 1, JSON_INT_LIMIT, &id, NULL)) {
        enum store_result r = store_bp_get(st, id, out);
        if (r != STORE_NOT_FOUND)
            return r;
    }
    return store_bp_by_name(st, ref, out);
}

/* Replies for a failed find: 404 or 500. */
static void route_bps_find_failed(struct http_request *req, enum store_result r)
{
    if (r == STORE_NOT_FOUND)
        http_reply_error(req, ERR_NOT_FOUND, NULL, "no such business process");
    else
        http_reply_error(req, ERR_INTERNAL, NULL, NULL);
}

bool route_bps_read(struct http_request *req, struct store **st, struct cb_bp *bp)
{
    *st = store_reader();
    if (*st == NULL) {
        http_reply_error(req, ERR_UNAVAILABLE, NULL, NULL);
        return false;
    }
    enum store_result r = route_bps_find(*st, req->params[0], bp);
    if (r != STORE_OK) {
        route_bps_find_failed(req, r);
        return false;
    }
    return true;
}

/* ---- GET /bps, GET /bps/{id} -------------------------------------------- */

struct route_bps_list_ctx {
    struct store *st;
    cJSON *array;
    int64_t now;
};

static bool route_bps_list_each(void *ctx, const struct cb_bp *bp)
{
    struct route_bps_list_ctx *c = ctx;
    cJSON_AddItemToArray(c->array, present_bp(c->st, bp, c->now));
    return true;
}

void route_bps_list(struct http_request *req)
{
    struct store *st = store_reader();
    if (st == NULL) {
        http_reply_error(req, ERR_UNAVAILABLE, NULL, NULL);
        return;
    }
    cJSON *o = cJSON_CreateObject();
    struct route_bps_list_ctx c = {st, cJSON_AddArrayToObject(o, "bps"), clock_now()};
    store_read_begin(st);
    enum store_result r = store_bp_list(st, route_bps_list_each, &c);
    store_read_end(st);
    if (r != STORE_OK) {
        cJSON_Delete(o);
        http_reply_error(req, ERR_INTERNAL, NULL, NULL);
        return;
    }
    http_reply_json(req, 200, o);
}

void route_bps_get(struct http_request *req)
{
    struct store *st;
    struct cb_bp bp;
    if (!route_bps_read(req, &st, &bp))
        return;
    store_read_begin(st);
    cJSON *o = present_bp(st, &bp, clock_now());
    store_read_end(st);
    http_reply_json(req, 200, o);
}

/* ---- changes: audit and version conflicts -------------------------------- */

/* The BP as the audit log keeps it: the API view without teams, with
 * "stopped" instead of the time-dependent CLBK Stat. */
static char *route_bps_audit_text(const struct cb_bp *bp)
{
    cJSON *o = present_bp(NULL, bp, 0);
    cJSON_DeleteItemFromObject(o, "clbk_stat");
    cJSON_AddBoolToObject(o, "stopped", bp->stopped);
    char *text = json_print(o);
    cJSON_Delete(o);
    return text;
}

/* Writes new (version bumped here) and its audit entry, then replies 200
 * with it; on a conflict replies 409 and returns the error. */
static enum store_result route_bps_commit(struct store *w, struct http_request *req,
                                          const struct cb_bp *old, struct cb_bp *new_bp,
                                          const char *action)
{
    enum store_result r = store_bp_update(w, new_bp);
    if (r == STORE_CONFLICT || r == STORE_NOT_FOUND) {
        http_reply_error(req, r == STORE_CONFLICT ? ERR_VERSION_CONFLICT : ERR_NOT_FOUND, NULL,
                         NULL);
        return r;
    }
    if (r != STORE_OK)
        return r;
    int64_t now = clock_now();
    char target[32];
    snprintf(target, sizeof target, "bp:%lld", (long long)old->id);
    char *before = route_bps_audit_text(old), *after = route_bps_audit_text(new_bp);
    r = store_audit_insert(w, now, req->caller.user_id, action, target, before, after);
    free(before);
    free(after);
    if (r != STORE_OK)
        return r;
    /* the engine follows: a stop or a schedule closing aborts what is
     * queued and offered; a start or opening queues what is due */
    r = dispatch_bp_changed(w, old->id, now);
    if (r != STORE_OK)
        return r;
    /* every stream hears of a BP change once the batch commits */
    cJSON *view = present_bp(w, new_bp, now);
    struct event_audience everyone = {.everyone = true};
    events_queue(EVENT_BP, &everyone, json_print(view));
    http_reply_json(req, 200, view);
    return STORE_OK;
}

/* ---- PATCH /bps/{id} ------------------------------------------------------ */

struct route_bps_patch_ctx {
    cJSON *body; /* owned; timing points into it */
    int64_t bp_id;
    int64_t version;
    const cJSON *timing; /* NULL: unchanged */
    bool has_routing;
    unsigned routing;
    const char *tz; /* canonical name owned by tz.h; NULL: unchanged */
};

static void route_bps_patch_free(void *p)
{
    struct route_bps_patch_ctx *c = p;
    cJSON_Delete(c->body);
    free(c);
}

/* "routing": a non-empty array of distinct routing types. */
static bool route_bps_read_routing(const cJSON *body, struct route_bps_patch_ctx *c,
                                   struct json_error *err)
{
    const cJSON *arr = NULL, *el;
    if (!json_get_array(body, "routing", JSON_OPTIONAL, &arr, err))
        return false;
    if (arr == NULL)
        return true;
    unsigned set = 0;
    int i = 0;
    cJSON_ArrayForEach(el, arr) {
        char field[32];
        snprintf(field, sizeof field, "routing[%d]", i++);
        enum routing r;
        if (!cJSON_IsString(el) || !routing_parse(el->valuestring, &r)) {
            json_error_set(err, field, "must be one of agent, team");
            return false;
        }
        if (set & (1u << r)) {
            json_error_set(err, field, "%s given twice", routing_wire(r));
            return false;
        }
        set |= 1u << r;
    }
    if (set == 0) {
        json_error_set(err, "routing", "must name at least one of agent, team");
        return false;
    }
    c->has_routing = true;
    c->routing = set;
    return true;
}

/* Reads and checks the body against the BP as the reader sees it (the
 * engine applies it to the BP as it is then; the checks do not depend on
 * the current values). */
static bool route_bps_patch_parse(const cJSON *body, const struct cb_bp *bp,
                                  struct route_bps_patch_ctx *c, struct json_error *err)
{
    static const char *const known[] = {"version", "timing", "routing", "tz", NULL};
    const char *tz = NULL, *why;
    if (!json_check_known(body, known, err) ||
        !json_get_int(body, "version", JSON_REQUIRED, 1, JSON_INT_LIMIT, &c->version, err) ||
        !json_get_object(body, "timing", JSON_OPTIONAL, &c->timing, err) ||
        !route_bps_read_routing(body, c, err) ||
        !json_get_string(body, "tz", JSON_OPTIONAL, CB_TZ_SIZE - 1, JSON_SINGLE_LINE, &tz, err))
        return false;
    if (tz) {
        const struct tz_zone *zone = tz_find(tz, &why);
        if (zone == NULL) {
            json_error_set(err, "tz", "%s", why);
            return false;
        }
        c->tz = tz_name(zone);
    }
    if (c->timing) {
        struct timing t = bp->timing;
        if (!timing_from_json(c->timing, true, &t, err)) {
            json_error_prefix(err, "timing");
            return false;
        }
    }
    return true;
}

static enum store_result route_bps_patch_run(struct store *w, struct http_request *req)
{
    struct route_bps_patch_ctx *c = req->ctx;
    struct cb_bp bp;
    enum store_result r = store_bp_get(w, c->bp_id, &bp);
    if (r != STORE_OK) {
        route_bps_find_failed(req, r);
        return r;
    }
    if (bp.version != c->version) {
        cJSON *e = json_error_body(error_wire(ERR_VERSION_CONFLICT),
                                   "version: the business process was changed by someone else; "
                                   "reload it",
                                   "version");
        json_add_int(cJSON_GetObjectItemCaseSensitive(e, "error"), "current_version", bp.version);
        http_reply_json(req, 409, e);
        return STORE_CONFLICT;
    }
    struct cb_bp next = bp;
    if (c->timing) {
        struct json_error err;
        if (!timing_from_json(c->timing, true, &next.timing, &err)) {
            json_error_prefix(&err, "timing");
            http_reply_field_error(req, &err);
            return STORE_CONFLICT;
        }
    }
    if (c->has_routing)
        next.routing = c->routing;
    if (c->tz)
        snprintf(next.tz, sizeof next.tz, "%s", c->tz);
    if (timing_equal(&next.timing, &bp.timing) && next.routing == bp.routing &&
        strcmp(next.tz, bp.tz) == 0) {
        http_reply_json(req, 200, present_bp(w, &bp, clock_now()));
        return STORE_OK;
    }
    return route_bps_commit(w, req, &bp, &next, "bp.timing");
}

void route_bps_patch(struct http_request *req)
{
    cJSON *body = http_body_json(req);
    if (body == NULL)
        return;
    struct store *st;
    struct cb_bp bp;
    if (!route_bps_read(req, &st, &bp)) {
        cJSON_Delete(body);
        return;
    }
    struct route_bps_patch_ctx *c = xcalloc(1, sizeof *c);
    c->body = body;
    c->bp_id = bp.id;
    req->ctx = c;
    req->ctx_free = route_bps_patch_free;
    struct json_error err;
    if (!route_bps_patch_parse(body, &bp, c, &err)) {
        http_reply_field_error(req, &err);
        return;
    }
    http_engine(req, route_bps_patch_run);
}

/* ---- POST /bps/{id}/stop, /start ----------------------------------------- */

struct route_bps_switch_ctx {
    int64_t bp_id;
    bool stop;
};

static enum store_result route_bps_switch_run(struct store *w, struct http_request *req)
{
    struct route_bps_switch_ctx *c = req->ctx;
    struct cb_bp bp;
    enum store_result r = store_bp_get(w, c->bp_id, &bp);
    if (r != STORE_OK) {
        route_bps_find_failed(req, r);
        return r;
    }
    if (bp.stopped == c->stop) {
        http_reply_json(req, 200, present_bp(w, &bp, clock_now()));
        return STORE_OK;
    }
    struct cb_bp next = bp;
    next.stopped = c->stop;
    return route_bps_commit(w, req, &bp, &next, c->stop ? "bp.stop" : "bp.start");
}

static void route_bps_switch(struct http_request *req, bool stop)
{
    struct store *st;
    struct cb_bp bp;
    if (!route_bps_read(req, &st, &bp))
        return;
    struct route_bps_switch_ctx *c = xcalloc(1, sizeof *c);
    c->bp_id = bp.id;
    c->stop = stop;
    req->ctx = c;
    req->ctx_free = free;
    http_engine(req, route_bps_switch_run);
}

void route_bps_stop(struct http_request *req)
{
    route_bps_switch(req, true);
}

void route_bps_start(struct http_request *req)
{
    route_bps_switch(req, false);
}

/* ---- GET /bps/{id}/slots?date=&tz= --------------------------------------- */

/* The date and zone of the query; false after replying 422. */
static bool route_bps_slots_query(struct http_request *req, const struct cb_bp *bp, int *y,
                                  int *m, int *d, const struct tz_zone **zone)
{
    struct json_error err;
    static const char *const names[] = {"date", "tz"};
    const char *arg[2];
    if (!http_query_args(req, names, 2, arg, &err)) {
        http_reply_field_error(req, &err);
        return false;
    }
    const char *date = arg[0], *tz = arg[1], *why;
    if (date == NULL || date[0] == '\0') {
        json_error_set(&err, "date", "missing");
        http_reply_field_error(req, &err);
        return false;
    }
    if (!civil_parse_date(date, y, m, d, &why)) {
        json_error_set(&err, "date", "%s", why);
        http_reply_field_error(req, &err);
        return false;
    }
    if (*y < 1900 || *y > 2999) {
        json_error_set(&err, "date", "must be between 1900-01-01 and 2999-12-31");
        http_reply_field_error(req, &err);
        return false;
    }
    *zone = tz_find(tz ? tz : bp->tz, &why);
    if (*zone == NULL) {
        json_error_set(&err, "tz", "%s", why);
        http_reply_field_error(req, &err);
        return false;
    }
    return true;
}

static cJSON *route_bps_slot_json(const struct cb_bp *bp, const struct tz_zone *bp_zone,
                                  const struct tz_zone *zone, const struct slot *s, int64_t used)
{
    int cap = bp->timing.slot_capacity;
    struct civil_time lt;
    tz_utc_to_local(zone, s->start, &lt, NULL);
    char local[8];
    snprintf(local, sizeof local, "%02d:%02d", lt.hour % 100, lt.minute % 100);
    cJSON *o = cJSON_CreateObject();
    json_add_instant(o, "start", s->start);
    cJSON_AddStringToObject(o, "local", local);
    cJSON_AddBoolToObject(o, "open", timing_is_open(&bp->timing, bp_zone, s->start));
    if (cap > 0) {
        json_add_int(o, "capacity", cap);
        json_add_int(o, "used", used);
        json_add_int(o, "free", used < cap ? cap - used : 0);
    } else {
        cJSON_AddNullToObject(o, "capacity");
        json_add_int(o, "used", used);
        cJSON_AddNullToObject(o, "free");
    }
    cJSON_AddBoolToObject(o, "full", cap > 0 && used >= cap);
    return o;
}

void route_bps_slots(struct http_request *req)
{
    struct store *st;
    struct cb_bp bp;
    int y, m, d;
    const struct tz_zone *zone, *bp_zone;
    const char *why;
    if (!route_bps_read(req, &st, &bp) || !route_bps_slots_query(req, &bp, &y, &m, &d, &zone))
        return;
    bp_zone = tz_find(bp.tz, &why);
    if (bp_zone == NULL) {
        http_reply_error(req, ERR_INTERNAL, NULL, "the business process has an unknown zone");
        return;
    }
    int64_t from, to;
    slots_day(zone, y, m, d, &from, &to);
    int room = 320;
    struct slot *grid = xmalloc((size_t)room * sizeof *grid);
    int n = slots_grid(bp_zone, bp.timing.slot_min, from, to, grid, room);
    if (n > room) {
        room = n;
        grid = xrealloc(grid, (size_t)room * sizeof *grid);
        n = slots_grid(bp_zone, bp.timing.slot_min, from, to, grid, room);
    }
    int64_t *bounds = xmalloc((size_t)(n + 1) * sizeof *bounds);
    int64_t *counts = xcalloc((size_t)n + 1, sizeof *counts);
    for (int i = 0; i < n; i++)
        bounds[i] = grid[i].start;
    bounds[n] = n > 0 ? grid[n - 1].end : from;
    enum store_result r = store_slots_count_due(st, bp.id, bounds, n, counts);
    if (r != STORE_OK) {
        http_reply_error(req, ERR_INTERNAL, NULL, NULL);
    } else {
        char date[CIVIL_DATE_SIZE];
        civil_format_date(y, m, d, date);
        cJSON *o = cJSON_CreateObject();
        json_add_int(o, "bp_id", bp.id);
        cJSON_AddStringToObject(o, "date", date);
        cJSON_AddStringToObject(o, "tz", tz_name(zone));
        json_add_int(o, "slot_min", bp.timing.slot_min);
        cJSON *slots = cJSON_AddArrayToObject(o, "slots");
        for (int i = 0; i < n; i++)
            cJSON_AddItemToArray(slots, route_bps_slot_json(&bp, bp_zone, zone, &grid[i],
                                                            counts[i]));
        http_reply_json(req, 200, o);
    }
    free(grid);
    free(bounds);
    free(counts);
}
