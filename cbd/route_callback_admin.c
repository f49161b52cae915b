/*
 * route_callback_admin.c — a supervisor's hand on one Pending callback:
 * POST /callbacks/{id}/queue sends it to the queue at once (it then waits
 * there for the BP and the calling hours), POST /callbacks/{id}/purge
 * removes it (end state Purged, with a purged attempt in its history).
 * Both go through the lifecycle table, are refused with 409 naming where
 * the callback is when it is not Pending, and are audited. An optional body
 * {"version": N} makes the action a compare-and-set.
 */
#include "routes.h"

#include <stdio.h>
#include <stdlib.h>

#include "clock.h"
#include "flow.h"
#include "present.h"
#include "store.h"
#include "xalloc.h"

enum store_result route_callback_admin_step(struct store *w, struct cb_callback *cb,
                                            const struct lc_transition *t, int64_t now)
{
    struct flow_args args = {.now = now, .connect = -1};
    return flow_apply(w, cb, t->event, &args);
}

struct route_admin {
    int64_t id;
    int64_t version; /* 0: not given */
    enum lc_event event;
};

static enum store_result route_callback_admin_run(struct store *w, struct http_request *req)
{
    struct route_admin *c = req->ctx;
    int64_t now = clock_now();
    struct cb_callback cb;
    enum store_result r = store_callback_get(w, c->id, &cb);
    if (r == STORE_NOT_FOUND)
        http_reply_error(req, ERR_NOT_FOUND, NULL, "no such callback");
    if (r != STORE_OK)
        return r;
    const char *verb = c->event == LC_EV_PURGE ? "purged" : "sent to the queue";
    const struct lc_transition *t = lifecycle_step(cb.state, c->event);
    if (c->version && c->version != cb.version) {
        http_reply_error(req, ERR_VERSION_CONFLICT, "version", NULL);
        r = STORE_CONFLICT;
    } else if (cb.state != LC_PENDING || t == NULL) {
        char message[200];
        snprintf(message, sizeof message, "the callback is %s: only a Pending one can be %s",
                 location_display(lifecycle_location(cb.state)), verb);
        http_reply_error(req, ERR_CONFLICT, NULL, message);
        r = STORE_CONFLICT;
    }
    if (r != STORE_OK) {
        cb_callback_clear(&cb);
        return r;
    }
    enum location before = lifecycle_location(cb.state);
    r = route_callback_admin_step(w, &cb, t, now);
    if (r == STORE_OK) {
        char target[64];
        snprintf(target, sizeof target, "callback:%lld", (long long)cb.id);
        const char *names[] = {"location", "end_state"};
        const char *before_v[] = {location_wire(before), NULL};
        const char *after_v[] = {location_wire(lifecycle_location(cb.state)),
                                 cb.end_state >= 0 ? end_wire((enum end_state)cb.end_state)
                                                   : NULL};
        char *b = route_callbacks_audit_text(names, before_v, 1);
        char *a = route_callbacks_audit_text(names, after_v, cb.end_state >= 0 ? 2 : 1);
        r = store_audit_insert(w, now, req->caller.user_id,
                               c->event == LC_EV_PURGE ? "callback.purge" : "callback.queue",
                               target, b, a);
        free(b);
        free(a);
    }
    if (r == STORE_OK)
        r = route_callbacks_reply(w, req, 200, cb.id, false);
    else if (r == STORE_CONFLICT)
        http_reply_error(req, ERR_VERSION_CONFLICT, "version", NULL);
    cb_callback_clear(&cb);
    return r;
}

static void route_callback_admin(struct http_request *req, enum lc_event event)
{
    struct route_admin *c = xcalloc(1, sizeof *c);
    req->ctx = c;
    req->ctx_free = free;
    c->event = event;
    if (!route_callbacks_id(req, &c->id))
        return;
    if (req->body_len > 0) {
        cJSON *body = http_body_json(req);
        if (body == NULL)
            return;
        static const char *const known[] = {"version", NULL};
        struct json_error err;
        bool ok = json_check_known(body, known, &err) &&
                  json_get_int(body, "version", JSON_OPTIONAL, 1, JSON_INT_LIMIT, &c->version,
                               &err);
        cJSON_Delete(body);
        if (!ok) {
            http_reply_field_error(req, &err);
            return;
        }
    }
    http_engine(req, route_callback_admin_run);
}

void route_callback_queue(struct http_request *req)
{
    route_callback_admin(req, LC_EV_SEND_TO_QUEUE);
}

void route_callback_purge(struct http_request *req)
{
    route_callback_admin(req, LC_EV_PURGE);
}
