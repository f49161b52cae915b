/*
 * route_callbacks.c — scheduling and finding callbacks: POST /callbacks,
 * GET /callbacks (Callback Search), GET /callbacks/{id}, PATCH
 * /callbacks/{id} and the agent's panel, GET /me/callbacks.
 *
 * What a request asks for is read and checked on the HTTP thread
 * (callback_input.c, against this thread's reader); what depends on the
 * current state — the do-not-call list, the one open callback per number
 * and BP, slot capacity, the version of an edit, Idempotency-Key replies —
 * is decided on the engine thread, which runs one command at a time, so two
 * racing requests can never both pass a check meant for one.
 *
 * Who sees what: supervisors see every callback; an agent sees the
 * callbacks routed to them, held by them, or routed to one of their teams
 * (a callback they may not see is 404 to them, as if it did not exist). An
 * agent may edit the callbacks routed to them and those of their teams; a
 * visible or invisible other one is 403.
 */
#include "routes.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "callback_input.h"
#include "clock.h"
#include "flow.h"
#include "log.h"
#include "present.h"
#include "slots.h"
#include "store.h"
#include "xalloc.h"

#define ROUTE_CALLBACKS_JSON "application/json; charset=utf-8"
#define ROUTE_CALLBACKS_KEY_MAX 200   /* Idempotency-Key, characters */
#define ROUTE_CALLBACKS_PAGE_DEFAULT 50
#define ROUTE_CALLBACKS_PAGE_MAX 500
#define ROUTE_CALLBACKS_NEXT_FREE 3   /* slots named by a slot_full reply */
#define ROUTE_CALLBACKS_SWEEP_S 60    /* expired idempotency keys swept this often */
#define ROUTE_CALLBACKS_PANEL_MAX 1000 /* /me/callbacks */
#define ROUTE_CALLBACKS_ROW_BYTES 512  /* a callback's JSON, typically (for sizing a page) */

/* ---- shared with route_callback_admin.c --------------------------------- */

bool route_callbacks_id(struct http_request *req, int64_t *id)
{
    const char *s = req->params[0];
    int64_t v = 0;
    size_t n = s ? strlen(s) : 0;
    bool ok = n > 0 && n <= 16 && s[0] != '0';
    for (size_t i = 0; ok && i < n; i++) {
        ok = s[i] >= '0' && s[i] <= '9';
        v = v * 10 + (s[i] - '0');
    }
    if (!ok || v > JSON_INT_LIMIT) {
        http_reply_error(req, ERR_NOT_FOUND, NULL, "no such callback");
        return false;
    }
    *id = v;
    return true;
}

enum store_result route_callbacks_visible(struct store *st, const struct http_caller *caller,
                                          const struct cb_callback *cb)
{
    if (caller->role != ROLE_AGENT)
        return STORE_OK;
    if (cb->agent_id == caller->user_id || cb->holder_id == caller->user_id)
        return STORE_OK;
    if (cb->team_id)
        return store_team_has_member(st, cb->team_id, caller->user_id);
    return STORE_NOT_FOUND;
}

enum store_result route_callbacks_reply(struct store *st, struct http_request *req,
                                        unsigned status, int64_t id, bool history)
{
    struct cb_callback cb;
    enum store_result r = store_callback_get(st, id, &cb);
    if (r != STORE_OK)
        return r == STORE_NOT_FOUND ? STORE_ERROR : r; /* it was just written */
    if (!history) { /* written straight out: no cJSON tree to build and print */
        struct jsonw w;
        jsonw_init(&w);
        present_callback_write(&w, &cb, clock_now());
        cb_callback_clear(&cb);
        http_reply_jsonw(req, status, &w);
        return STORE_OK;
    }
    cJSON *o = present_callback(&cb, clock_now());
    cb_callback_clear(&cb);
    if ((r = present_callback_history(st, o, id)) != STORE_OK) {
        cJSON_Delete(o);
        return r;
    }
    http_reply_json(req, status, o);
    return STORE_OK;
}

char *route_callbacks_audit_text(const char *const *names, const char *const *values, int n)
{
    cJSON *o = cJSON_CreateObject();
    for (int i = 0; i < n; i++)
        json_add_string_or_null(o, names[i], values[i]);
    char *text = json_print(o);
    cJSON_Delete(o);
    return text;
}

/* ---- create ------------------------------------------------------------- */

struct route_create {
    struct callback_input in;
    struct cb_callback cb;
    struct cb_bp bp;
    char key[ROUTE_CALLBACKS_KEY_MAX + 1]; /* "" when no Idempotency-Key */
    int64_t replaced_id;                   /* the callback replace: true purged */
    enum location replaced_location;
};

static void route_create_free(void *p)
{
    struct route_create *c = p;
    callback_input_clear(&c->in);
    cb_callback_clear(&c->cb);
    free(c);
}

/* The Idempotency-Key header: absent (key ""), or 1..200 printable ASCII
 * characters; otherwise replies 422 and returns false. */
static bool route_callbacks_key(struct http_request *req, char *key, size_t size)
{
    const char *k = http_header(req, "Idempotency-Key");
    key[0] = '\0';
    if (k == NULL)
        return true;
    size_t n = strlen(k);
    bool ok = n > 0 && n <= ROUTE_CALLBACKS_KEY_MAX && n < size;
    for (size_t i = 0; ok && i < n; i++)
        ok = k[i] >= 0x20 && k[i] <= 0x7e;
    if (!ok) {
        struct json_error err;
        json_error_set(&err, "Idempotency-Key", "must be 1 to %d printable ASCII characters",
                       ROUTE_CALLBACKS_KEY_MAX);
        http_reply_field_error(req, &err);
        return false;
    }
    memcpy(key, k, n + 1);
    return true;
}

/* Replies with a stored first result, byte for byte. Takes body. */
static void route_callbacks_replay(struct http_request *req, int status, char *body)
{
    http_reply_text(req, (unsigned)status, ROUTE_CALLBACKS_JSON, body, strlen(body));
}

static void route_callbacks_duplicate(struct http_request *req, int64_t existing,
                                      enum error_code code, const char *message)
{
    cJSON *body = json_error_body(error_wire(code), message, "destination");
    json_add_int(cJSON_GetObjectItemCaseSensitive(body, "error"), "existing", existing);
    http_reply_json(req, (unsigned)error_http_status(code), body);
}

/* 409 slot_full, naming up to three free slots, when the slot holding
 * due_at is full; callback self (0: none), now due at self_due, does not
 * count against itself. */
enum store_result route_callbacks_slot_check(struct store *w, struct http_request *req,
                                             const struct cb_bp *bp, int64_t due_at,
                                             const char *field, int64_t self_id, int64_t self_due)
{
    const struct timing *tm = &bp->timing;
    if (tm->slot_capacity <= 0)
        return STORE_OK;
    const char *why = NULL;
    const struct tz_zone *zone = tz_find(bp->tz, &why);
    if (zone == NULL) {
        log_error("business process %s: time zone %s: %s", bp->name, bp->tz, why);
        return STORE_OK;
    }
    struct slot slot;
    slot.start = slots_start_of(zone, tm->slot_min, due_at);
    slot.end = slot.start + (int64_t)tm->slot_min * 60;
    slots_grid(zone, tm->slot_min, slot.start, slot.start + 1, &slot, 1);
    int64_t count = 0;
    enum store_result r = store_callback_count_due(w, bp->id, slot.start, slot.end, &count);
    if (r != STORE_OK)
        return r;
    if (self_id && self_due >= slot.start && self_due < slot.end)
        count--;
    if (count < tm->slot_capacity)
        return STORE_OK;
    int64_t next[ROUTE_CALLBACKS_NEXT_FREE];
    int n = slots_next_free(w, bp, due_at, next, ROUTE_CALLBACKS_NEXT_FREE);
    char start[CIVIL_RFC3339_SIZE], message[200];
    civil_format_rfc3339(slot.start, start);
    snprintf(message, sizeof message, "%s: the slot starting %s is full (%d callbacks)", field,
             start, tm->slot_capacity);
    cJSON *body = json_error_body(error_wire(ERR_SLOT_FULL), message, field);
    cJSON *free_slots = cJSON_AddArrayToObject(cJSON_GetObjectItemCaseSensitive(body, "error"),
                                               "next_free");
    for (int i = 0; i < n; i++) {
        char at[CIVIL_RFC3339_SIZE];
        civil_format_rfc3339(next[i], at);
        cJSON_AddItemToArray(free_slots, cJSON_CreateString(at));
    }
    http_reply_json(req, (unsigned)error_http_status(ERR_SLOT_FULL), body);
    return STORE_CONFLICT;
}

/* replace: true — the open callback id is purged (Pending or queued), or
 * the create is refused when an agent holds it. */
static enum store_result route_callbacks_replace(struct store *w, struct http_request *req,
                                                 int64_t id, int64_t now)
{
    struct route_create *c = req->ctx;
    struct cb_callback old;
    enum store_result r = store_callback_get(w, id, &old);
    if (r != STORE_OK)
        return r == STORE_NOT_FOUND ? STORE_ERROR : r;
    const struct lc_transition *t = lifecycle_step(old.state, LC_EV_PURGE);
    if (t == NULL) {
        cb_callback_clear(&old);
        route_callbacks_duplicate(req, id, ERR_CONFLICT,
                                  "destination: the open callback for this number is with an "
                                  "agent and cannot be replaced");
        return STORE_CONFLICT;
    }
    c->replaced_id = id;
    c->replaced_location = lifecycle_location(old.state);
    r = route_callback_admin_step(w, &old, t, now);
    cb_callback_clear(&old);
    return r;
}

/* Deletes expired idempotency keys now and then (engine thread only). */
static void route_callbacks_sweep(struct store *w, int64_t now)
{
    static int64_t last;
    if (now - last < ROUTE_CALLBACKS_SWEEP_S)
        return;
    last = now;
    int n = 0;
    if (store_idem_expire(w, now - STORE_IDEM_KEEP_S, &n) == STORE_OK && n > 0)
        log_debug("idempotency: %d expired keys deleted", n);
}

static enum store_result route_callbacks_create_run(struct store *w, struct http_request *req)
{
    struct route_create *c = req->ctx;
    struct cb_callback *cb = &c->cb;
    int64_t now = clock_now();
    enum store_result r;
    if (c->key[0]) {
        int status = 0;
        char *body = NULL;
        r = store_idem_get(w, req->caller.user_id, c->key, now - STORE_IDEM_KEEP_S, &status,
                           &body);
        if (r == STORE_OK) {
            route_callbacks_replay(req, status, body);
            return STORE_OK;
        }
        if (r != STORE_NOT_FOUND)
            return r;
    }
    route_callbacks_sweep(w, now);

    r = store_dnc_has(w, cb->destination);
    if (r == STORE_OK) {
        http_reply_error(req, ERR_INVALID_FIELD, "destination",
                         "destination: on the do-not-call list");
        return STORE_CONFLICT;
    }
    if (r != STORE_NOT_FOUND)
        return r;

    int64_t existing = 0;
    r = store_callback_open_by_number(w, cb->bp_id, cb->destination, &existing);
    if (r == STORE_OK) {
        if (!c->in.replace) {
            route_callbacks_duplicate(req, existing, ERR_DUPLICATE,
                                      "destination: an open callback for this number exists "
                                      "in this business process");
            return STORE_CONFLICT;
        }
        if ((r = route_callbacks_replace(w, req, existing, now)) != STORE_OK)
            return r;
    } else if (r != STORE_NOT_FOUND) {
        return r;
    }

    r = route_callbacks_slot_check(w, req, &c->bp, cb->due_at,
                                   c->in.when_local ? "time" : "due_at", 0, 0);
    if (r != STORE_OK)
        return r;

    r = flow_save(w, cb, LC_COMPLETED, 0, now);
    if (r == STORE_CONFLICT) { /* the unique index: an open one appeared after all */
        if (store_callback_open_by_number(w, cb->bp_id, cb->destination, &existing) != STORE_OK)
            existing = 0;
        route_callbacks_duplicate(req, existing, ERR_DUPLICATE,
                                  "destination: an open callback for this number exists in "
                                  "this business process");
        return STORE_CONFLICT;
    }
    if (r != STORE_OK)
        return r;

    if (c->replaced_id) {
        char target[64], by[32];
        snprintf(target, sizeof target, "callback:%lld", (long long)c->replaced_id);
        snprintf(by, sizeof by, "%lld", (long long)cb->id);
        const char *names[] = {"location", "end_state", "replaced_by"};
        const char *before_v[] = {location_wire(c->replaced_location), NULL, NULL};
        const char *after_v[] = {location_wire(LOCATION_COMPLETED), end_wire(END_PURGED), by};
        char *before = route_callbacks_audit_text(names, before_v, 2);
        char *after = route_callbacks_audit_text(names, after_v, 3);
        r = store_audit_insert(w, now, req->caller.user_id, "callback.replace", target, before,
                               after);
        free(before);
        free(after);
        if (r != STORE_OK)
            return r;
    }

    struct cb_callback stored;
    if ((r = store_callback_get(w, cb->id, &stored)) != STORE_OK)
        return r == STORE_NOT_FOUND ? STORE_ERROR : r;
    /* this runs on the engine thread, which every write waits for: the
     * reply is written straight out, not built as a cJSON tree and printed */
    struct jsonw jw;
    jsonw_init(&jw);
    present_callback_write(&jw, &stored, now);
    cb_callback_clear(&stored);
    size_t len;
    char *text = jsonw_take(&jw, &len);
    if (c->key[0] &&
        (r = store_idem_put(w, req->caller.user_id, c->key, now, 201, text)) != STORE_OK) {
        free(text);
        return r;
    }
    http_reply_text(req, 201, ROUTE_CALLBACKS_JSON, text, len);
    return STORE_OK;
}

void route_callbacks_create(struct http_request *req)
{
    if (req->caller.role == ROLE_AGENT && !req->caller.can_schedule) {
        http_reply_error(req, ERR_FORBIDDEN, NULL, "your profile may not schedule callbacks");
        return;
    }
    struct route_create *c = xcalloc(1, sizeof *c);
    callback_input_init(&c->in);
    req->ctx = c;
    req->ctx_free = route_create_free;
    if (!route_callbacks_key(req, c->key, sizeof c->key))
        return;
    struct store *rd = store_reader();
    if (rd == NULL) {
        http_reply_error(req, ERR_UNAVAILABLE, NULL, NULL);
        return;
    }
    int64_t now = clock_now();
    if (c->key[0]) { /* a repeat answers before its body is even read */
        int status = 0;
        char *stored = NULL;
        enum store_result r = store_idem_get(rd, req->caller.user_id, c->key,
                                             now - STORE_IDEM_KEEP_S, &status, &stored);
        if (r == STORE_OK) {
            route_callbacks_replay(req, status, stored);
            return;
        }
        if (r != STORE_NOT_FOUND) {
            http_reply_error(req, ERR_INTERNAL, NULL, "storage error");
            return;
        }
    }
    cJSON *body = http_body_json(req);
    if (body == NULL)
        return;
    struct json_error err;
    bool ok = callback_input_parse(body, CALLBACK_INPUT_CREATE, &c->in, &err) &&
              callback_input_when(&c->in, now, &err);
    cJSON_Delete(body);
    if (!ok) {
        http_reply_field_error(req, &err);
        return;
    }
    store_read_begin(rd);
    enum callback_input_result cr = callback_input_bp(rd, &c->in, &c->bp, &err);
    if (cr == CI_OK)
        cr = callback_input_target(rd, &c->in, &c->bp, &err);
    store_read_end(rd);
    if (cr != CI_OK) {
        if (cr == CI_INVALID)
            http_reply_field_error(req, &err);
        else
            http_reply_error(req, ERR_INTERNAL, NULL, "storage error");
        return;
    }

    struct cb_callback *cb = &c->cb;
    cb->bp_id = c->bp.id;
    snprintf(cb->bp_name, sizeof cb->bp_name, "%s", c->bp.name);
    cb->remark = xstrdup("");
    cb->origin = ORIGIN_API;
    if (!(c->in.given & CI_WINDOW))
        c->in.window_min = c->bp.timing.window_min;
    callback_input_apply(&c->in, cb);
    cb->attempts = 0;
    cb->state = LC_PENDING;
    cb->state_since = now;
    cb->end_state = -1;
    cb->attempt_connect = -1;
    cb->created_at = now;
    cb->created_by = req->caller.user_id;
    http_engine(req, route_callbacks_create_run);
}

/* ---- one callback -------------------------------------------------------- */

void route_callbacks_get(struct http_request *req)
{
    int64_t id;
    if (!route_callbacks_id(req, &id))
        return;
    struct store *rd = store_reader();
    if (rd == NULL) {
        http_reply_error(req, ERR_UNAVAILABLE, NULL, NULL);
        return;
    }
    store_read_begin(rd);
    struct cb_callback cb;
    enum store_result r = store_callback_get(rd, id, &cb);
    if (r == STORE_OK) {
        r = route_callbacks_visible(rd, &req->caller, &cb);
        cb_callback_clear(&cb);
    }
    if (r == STORE_OK)
        r = route_callbacks_reply(rd, req, 200, id, true);
    store_read_end(rd);
    if (r == STORE_NOT_FOUND)
        http_reply_error(req, ERR_NOT_FOUND, NULL, "no such callback");
    else if (r != STORE_OK)
        http_reply_error(req, ERR_INTERNAL, NULL, "storage error");
}

/* ---- edit ---------------------------------------------------------------- */

struct route_patch {
    int64_t id;
    struct callback_input in;
    struct cb_bp bp;
};

static void route_patch_free(void *p)
{
    struct route_patch *c = p;
    callback_input_clear(&c->in);
    free(c);
}

/* May this caller edit cb? Supervisors any; an agent the callbacks routed
 * to them or to one of their teams. */
static enum store_result route_callbacks_may_edit(struct store *st,
                                                  const struct http_caller *caller,
                                                  const struct cb_callback *cb)
{
    if (caller->role != ROLE_AGENT)
        return STORE_OK;
    if (cb->routing == ROUTING_AGENT)
        return cb->agent_id == caller->user_id ? STORE_OK : STORE_NOT_FOUND;
    return cb->team_id ? store_team_has_member(st, cb->team_id, caller->user_id)
                       : STORE_NOT_FOUND;
}

/* One audit entry of a supervisor's edit. */
static enum store_result route_callbacks_audit_edit(struct store *w, struct http_request *req,
                                                    int64_t now, const char *action, int64_t id,
                                                    cJSON *before, cJSON *after)
{
    char target[64];
    snprintf(target, sizeof target, "callback:%lld", (long long)id);
    char *b = json_print(before), *a = json_print(after);
    cJSON_Delete(before);
    cJSON_Delete(after);
    enum store_result r = store_audit_insert(w, now, req->caller.user_id, action, target, b, a);
    free(b);
    free(a);
    return r;
}

static cJSON *route_callbacks_when_json(const struct cb_callback *cb)
{
    cJSON *o = cJSON_CreateObject();
    json_add_instant(o, "due_at", cb->due_at);
    json_add_instant(o, "window_end", cb->window_end);
    cJSON_AddStringToObject(o, "tz", cb->tz);
    return o;
}

static cJSON *route_callbacks_target_json(const struct cb_callback *cb)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "routing", routing_wire(cb->routing));
    json_add_string_or_null(o, "agent", cb->routing == ROUTING_AGENT ? cb->agent_login : NULL);
    json_add_string_or_null(o, "team", cb->routing == ROUTING_TEAM ? cb->team_name : NULL);
    return o;
}

static cJSON *route_callbacks_remark_json(const struct cb_callback *cb)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "remark", cb->remark ? cb->remark : "");
    return o;
}

static enum store_result route_callbacks_patch_apply(struct store *w, struct http_request *req,
                                                     struct cb_callback *cb)
{
    struct route_patch *c = req->ctx;
    const struct callback_input *in = &c->in;
    int64_t now = clock_now();
    if (cb->version != in->version) {
        http_reply_error(req, ERR_VERSION_CONFLICT, "version", NULL);
        return STORE_CONFLICT;
    }
    bool moves = in->given & (CI_WHEN | CI_TZ | CI_WINDOW | CI_TARGET);
    if (moves && lifecycle_step(cb->state, LC_EV_RESCHEDULE) == NULL) {
        char message[200];
        snprintf(message, sizeof message,
                 "the callback is %s: only a Pending one can be rescheduled or reassigned",
                 location_display(lifecycle_location(cb->state)));
        http_reply_error(req, ERR_CONFLICT, NULL, message);
        return STORE_CONFLICT;
    }
    if ((in->given & CI_REMARK) && cb->state == LC_COMPLETED) {
        http_reply_error(req, ERR_CONFLICT, NULL,
                         "the callback is Completed: its remark can no longer change");
        return STORE_CONFLICT;
    }
    struct cb_callback before = *cb; /* shallow: only its fixed fields are read */
    char *old_remark = xstrdup(cb->remark ? cb->remark : "");
    callback_input_apply(in, cb);
    enum store_result r = STORE_OK;
    if (in->given & CI_WHEN) {
        struct cb_bp bp;
        if ((r = store_bp_get(w, cb->bp_id, &bp)) == STORE_OK)
            r = route_callbacks_slot_check(w, req, &bp, cb->due_at,
                                           in->when_local ? "time" : "due_at", cb->id,
                                           before.due_at);
    }
    bool changed = cb->due_at != before.due_at || cb->window_end != before.window_end ||
                   strcmp(cb->tz, before.tz) != 0 || cb->routing != before.routing ||
                   cb->agent_id != before.agent_id || cb->team_id != before.team_id ||
                   strcmp(cb->remark, old_remark) != 0;
    if (r == STORE_OK && changed) {
        if (req->caller.role != ROLE_AGENT &&
            (cb->due_at != before.due_at || cb->agent_id != before.agent_id ||
             cb->team_id != before.team_id))
            cb->flags &= ~(unsigned)CB_FLAG_SUPERVISOR; /* the supervisor has seen to it */
        r = flow_save(w, cb, cb->state, cb->holder_id, now);
        if (r == STORE_CONFLICT)
            http_reply_error(req, ERR_VERSION_CONFLICT, "version", NULL);
    }
    bool audited = req->caller.role != ROLE_AGENT;
    if (r == STORE_OK && audited &&
        (cb->due_at != before.due_at || cb->window_end != before.window_end ||
         strcmp(cb->tz, before.tz) != 0))
        r = route_callbacks_audit_edit(w, req, now, "callback.reschedule", cb->id,
                                       route_callbacks_when_json(&before),
                                       route_callbacks_when_json(cb));
    if (r == STORE_OK && audited &&
        (cb->routing != before.routing || cb->agent_id != before.agent_id ||
         cb->team_id != before.team_id))
        r = route_callbacks_audit_edit(w, req, now, "callback.reassign", cb->id,
                                       route_callbacks_target_json(&before),
                                       route_callbacks_target_json(cb));
    if (r == STORE_OK && audited && strcmp(cb->remark, old_remark) != 0) {
        struct cb_callback old_view = before;
        old_view.remark = old_remark;
        r = route_callbacks_audit_edit(w, req, now, "callback.remark", cb->id,
                                       route_callbacks_remark_json(&old_view),
                                       route_callbacks_remark_json(cb));
    }
    free(old_remark);
    if (r == STORE_OK)
        r = route_callbacks_reply(w, req, 200, cb->id, false);
    return r;
}

static enum store_result route_callbacks_patch_run(struct store *w, struct http_request *req)
{
    struct route_patch *c = req->ctx;
    struct cb_callback cb;
    enum store_result r = store_callback_get(w, c->id, &cb);
    if (r == STORE_NOT_FOUND)
        http_reply_error(req, ERR_NOT_FOUND, NULL, "no such callback");
    if (r != STORE_OK)
        return r;
    r = route_callbacks_patch_apply(w, req, &cb);
    cb_callback_clear(&cb);
    return r;
}

void route_callbacks_patch(struct http_request *req)
{
    int64_t id;
    if (!route_callbacks_id(req, &id))
        return;
    struct store *rd = store_reader();
    if (rd == NULL) {
        http_reply_error(req, ERR_UNAVAILABLE, NULL, NULL);
        return;
    }
    struct route_patch *c = xcalloc(1, sizeof *c);
    c->id = id;
    callback_input_init(&c->in);
    req->ctx = c;
    req->ctx_free = route_patch_free;

    store_read_begin(rd);
    struct cb_callback cb;
    enum store_result r = store_callback_get(rd, id, &cb);
    if (r == STORE_OK) {
        snprintf(c->in.tz, sizeof c->in.tz, "%s", cb.tz);
        enum store_result m = route_callbacks_may_edit(rd, &req->caller, &cb);
        if (m == STORE_OK)
            r = store_bp_get(rd, cb.bp_id, &c->bp);
        else if (m == STORE_NOT_FOUND)
            r = STORE_CONFLICT; /* exists, not theirs: 403 */
        else
            r = m;
        cb_callback_clear(&cb);
    }
    store_read_end(rd);
    if (r != STORE_OK) {
        if (r == STORE_NOT_FOUND)
            http_reply_error(req, ERR_NOT_FOUND, NULL, "no such callback");
        else if (r == STORE_CONFLICT)
            http_reply_error(req, ERR_FORBIDDEN, NULL,
                             "you may edit only your own callbacks and your teams'");
        else
            http_reply_error(req, ERR_INTERNAL, NULL, "storage error");
        return;
    }

    cJSON *body = http_body_json(req);
    if (body == NULL)
        return;
    struct json_error err;
    bool ok = callback_input_parse(body, CALLBACK_INPUT_EDIT, &c->in, &err) &&
              callback_input_when(&c->in, clock_now(), &err);
    cJSON_Delete(body);
    if (!ok) {
        http_reply_field_error(req, &err);
        return;
    }
    if (c->in.given & CI_TARGET) {
        store_read_begin(rd);
        enum callback_input_result cr = callback_input_target(rd, &c->in, &c->bp, &err);
        store_read_end(rd);
        if (cr != CI_OK) {
            if (cr == CI_INVALID)
                http_reply_field_error(req, &err);
            else
                http_reply_error(req, ERR_INTERNAL, NULL, "storage error");
            return;
        }
    }
    http_engine(req, route_callbacks_patch_run);
}

/* ---- search -------------------------------------------------------------- */

enum route_search_param { RS_BP, RS_LOCATION, RS_AGENT, RS_TEAM, RS_NUMBER, RS_OVERDUE,
                          RS_LIMIT, RS_AFTER, RS__COUNT };

static const char *const route_search_names[RS__COUNT] = {
    "bp", "location", "agent", "team", "number", "overdue", "limit", "after"};

/* A strict decimal: digits only, no sign, no leading zero; false past max. */
static bool route_search_decimal(const char *s, size_t len, int64_t max, int64_t *out)
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

/* The cursor "KEY.ID": the sort key (an instant, maybe negative) and id of
 * the last row of the previous page, in strict decimal. */
static bool route_search_cursor(const char *s, int64_t *key, int64_t *id)
{
    const char *dot = strchr(s, '.');
    if (dot == NULL)
        return false;
    bool negative = s[0] == '-';
    const char *k = negative ? s + 1 : s;
    int64_t kv;
    if (!route_search_decimal(k, (size_t)(dot - k), INT64_MAX, &kv) ||
        (negative && kv == 0) ||
        !route_search_decimal(dot + 1, strlen(dot + 1), JSON_INT_LIMIT, id) || *id < 1)
        return false;
    *key = negative ? -kv : kv;
    return true;
}

/* A BP, team or agent named by id or by name; 0 when there is none. */
static enum store_result route_search_ref(struct store *st, enum route_search_param p,
                                          const char *v, int64_t *id)
{
    int64_t n = 0;
    enum store_result r = STORE_NOT_FOUND;
    bool numeric = route_search_decimal(v, strlen(v), JSON_INT_LIMIT, &n) && n > 0;
    if (p == RS_BP) {
        struct cb_bp bp;
        if (numeric)
            r = store_bp_get(st, n, &bp);
        if (r == STORE_NOT_FOUND)
            r = store_bp_by_name(st, v, &bp);
        *id = r == STORE_OK ? bp.id : 0;
    } else if (p == RS_TEAM) {
        struct cb_team t;
        if (numeric)
            r = store_team_get(st, n, &t);
        if (r == STORE_NOT_FOUND)
            r = store_team_by_name(st, v, &t);
        *id = r == STORE_OK ? t.id : 0;
    } else {
        struct cb_user u;
        if (numeric)
            r = store_user_get(st, n, &u);
        if (r == STORE_NOT_FOUND || (r == STORE_OK && u.role != ROLE_AGENT))
            r = store_user_by_login(st, v, &u, NULL, 0);
        if (r == STORE_OK && u.role != ROLE_AGENT)
            r = STORE_NOT_FOUND;
        *id = r == STORE_OK ? u.id : 0;
    }
    return r;
}

/* Fills q from the query string (q->number points into number); CI_INVALID
 * with err naming the parameter. */
static enum callback_input_result route_search_query(struct http_request *req, struct store *st,
                                                     struct store_search *q,
                                                     char number[PHONE_E164_SIZE],
                                                     struct json_error *err)
{
    struct {
        const char *value[RS__COUNT];
    } a;
    if (!http_query_args(req, route_search_names, RS__COUNT, a.value, err))
        return CI_INVALID;
    static const char *const ref_why[RS__COUNT] = {
        [RS_BP] = "unknown business process", [RS_TEAM] = "no such team",
        [RS_AGENT] = "no such agent"};
    int64_t *ref_out[RS__COUNT] = {[RS_BP] = &q->bp_id, [RS_TEAM] = &q->team_id,
                                   [RS_AGENT] = &q->agent_id};
    for (int p = 0; p < RS__COUNT; p++) {
        const char *v = a.value[p];
        if (v == NULL)
            continue;
        const char *name = route_search_names[p];
        switch ((enum route_search_param)p) {
        case RS_BP:
        case RS_TEAM:
        case RS_AGENT: {
            enum store_result r = v[0] ? route_search_ref(st, p, v, ref_out[p]) : STORE_NOT_FOUND;
            if (r == STORE_NOT_FOUND) {
                json_error_set(err, name, "%s", ref_why[p]);
                return CI_INVALID;
            }
            if (r != STORE_OK)
                return CI_STORE_ERROR;
            break;
        }
        case RS_LOCATION: {
            enum location loc;
            if (!location_parse(v, &loc)) {
                json_error_set(err, name, "must be one of pending, handling_by_business_process, "
                                          "handling_by_agent, completed");
                return CI_INVALID;
            }
            q->location = (int)loc;
            break;
        }
        case RS_NUMBER: {
            /* An unescaped "+" arrives as a space (form encoding): take it
             * back, so ?number=+1212... works as typed. */
            char typed[64];
            if (v[0] == ' ' && v[1] >= '1' && v[1] <= '9') {
                snprintf(typed, sizeof typed, "+%s", v + 1);
                v = typed;
            }
            const char *why = NULL;
            if (!phone_normalize(v, number, &why)) {
                json_error_set(err, name, "%s", why ? why : "not an E.164 number");
                return CI_INVALID;
            }
            q->number = number;
            break;
        }
        case RS_OVERDUE:
            if (strcmp(v, "true") == 0) {
                q->overdue = 1;
            } else if (strcmp(v, "false") == 0) {
                q->overdue = 0;
            } else {
                json_error_set(err, name, "must be true or false");
                return CI_INVALID;
            }
            break;
        case RS_LIMIT: {
            int64_t n = 0;
            if (!route_search_decimal(v, strlen(v), ROUTE_CALLBACKS_PAGE_MAX, &n) || n < 1) {
                json_error_set(err, name, "must be an integer from 1 to %d",
                               ROUTE_CALLBACKS_PAGE_MAX);
                return CI_INVALID;
            }
            q->limit = (int)n;
            break;
        }
        case RS_AFTER:
            if (!route_search_cursor(v, &q->after_key, &q->after_id)) {
                json_error_set(err, name, "bad cursor");
                return CI_INVALID;
            }
            q->after = true;
            break;
        case RS__COUNT:
            break;
        }
    }
    return CI_OK;
}

struct route_search_page {
    struct jsonw *w;
    int limit, count;
    bool more, by_window;
    int64_t now, last_key, last_id;
};

static bool route_search_each(void *ctx, const struct store_search_row *row)
{
    struct route_search_page *p = ctx;
    if (p->count == p->limit) {
        p->more = true;
        return false;
    }
    jsonw_object_begin(p->w);
    jsonw_key(p->w, "id");
    jsonw_int(p->w, row->id);
    jsonw_members(p->w, row->shown, row->shown_len);
    present_callback_rest(p->w, row->state, row->wake_at, row->window_end, p->now);
    p->count++;
    p->last_key = p->by_window ? row->window_end : row->due_at;
    p->last_id = row->id;
    return true;
}

void route_callbacks_search(struct http_request *req)
{
    struct store *rd = store_reader();
    if (rd == NULL) {
        http_reply_error(req, ERR_UNAVAILABLE, NULL, NULL);
        return;
    }
    struct store_search q;
    memset(&q, 0, sizeof q);
    q.location = -1;
    q.overdue = -1;
    q.limit = ROUTE_CALLBACKS_PAGE_DEFAULT;
    q.now = clock_now();
    q.visible_to = req->caller.role == ROLE_AGENT ? req->caller.user_id : 0;
    char number[PHONE_E164_SIZE];
    struct json_error err;
    store_read_begin(rd);
    enum callback_input_result cr = route_search_query(req, rd, &q, number, &err);
    struct jsonw w;
    jsonw_init(&w);
    struct route_search_page page = {.w = &w, .limit = q.limit, .now = q.now,
                                     .by_window = q.overdue == 1};
    enum store_result r = STORE_OK;
    if (cr == CI_OK) {
        jsonw_grow(&w, (size_t)q.limit * ROUTE_CALLBACKS_ROW_BYTES); /* no copying as it grows */
        jsonw_object_begin(&w);
        jsonw_key(&w, "callbacks");
        jsonw_array_begin(&w);
        r = store_callback_search(rd, &q, route_search_each, &page);
        jsonw_array_end(&w);
    }
    store_read_end(rd);
    if (cr != CI_OK || r != STORE_OK) {
        jsonw_clear(&w);
        if (cr == CI_INVALID)
            http_reply_field_error(req, &err);
        else
            http_reply_error(req, ERR_INTERNAL, NULL, "storage error");
        return;
    }
    if (page.more) {
        char cursor[48];
        snprintf(cursor, sizeof cursor, "%lld.%lld", (long long)page.last_key,
                 (long long)page.last_id);
        jsonw_key(&w, "next");
        jsonw_string(&w, cursor);
    }
    jsonw_object_end(&w);
    http_reply_jsonw(req, 200, &w);
}

/* ---- the agent's panel --------------------------------------------------- */

struct route_panel {
    cJSON *array;
    int64_t now;
    int count;
};

static bool route_panel_each(void *ctx, const struct cb_callback *cb)
{
    struct route_panel *p = ctx;
    cJSON_AddItemToArray(p->array, present_callback(cb, p->now));
    p->count++;
    return true;
}

void route_me_callbacks(struct http_request *req)
{
    struct store *rd = store_reader();
    if (rd == NULL) {
        http_reply_error(req, ERR_UNAVAILABLE, NULL, NULL);
        return;
    }
    cJSON *o = cJSON_CreateObject();
    struct route_panel p = {cJSON_AddArrayToObject(o, "callbacks"), clock_now(), 0};
    enum store_result r = store_callback_personal(rd, req->caller.user_id,
                                                  ROUTE_CALLBACKS_PANEL_MAX, route_panel_each, &p);
    if (r != STORE_OK) {
        cJSON_Delete(o);
        http_reply_error(req, ERR_INTERNAL, NULL, "storage error");
        return;
    }
    cJSON_AddNumberToObject(o, "count", p.count);
    http_reply_json(req, 200, o);
}
