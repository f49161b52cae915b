/*
 * route_callback_actions.c — what an agent does with a callback
 * (DESIGN.md §3): POST /callbacks/{id}/accept, /reject, /dial, /call-now,
 * /connected {kind} and /complete {status, reschedule?, not_ready?}.
 *
 * Each runs on the engine thread, where the callback's state is checked and
 * changed in one step: two agents can never both win. Only the agent the
 * callback is offered to or held by may act on it (409 otherwise); Call Now
 * takes the agent's own Pending personal callback. The calling hours (in
 * the customer's zone) and the do-not-call list are checked at every entry
 * into Dialing — accept without a preview, dial from Preview, Call Now; a
 * callback that may not be dialed now goes back to the queue (accept, dial)
 * or stays Pending (Call Now), and the answer is 409 saying why. An optional
 * "version" in the body makes the step a compare-and-set.
 */
#include "routes.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "callback_input.h"
#include "clock.h"
#include "dispatch.h"
#include "flow.h"
#include "present.h"
#include "store.h"
#include "xalloc.h"

enum action_kind { ACTION_ACCEPT, ACTION_REJECT, ACTION_DIAL, ACTION_CALL_NOW, ACTION_CONNECTED,
                   ACTION_COMPLETE };

struct action {
    enum action_kind kind;
    int64_t id;
    int64_t version; /* 0: any */
    int connect;     /* ACTION_CONNECTED */
    enum status status;
    bool not_ready;
    bool has_reschedule;
    struct callback_input reschedule;
};

static void action_free(void *p)
{
    struct action *a = p;
    callback_input_clear(&a->reschedule);
    free(a);
}

static void action_reply(struct http_request *req, const struct cb_callback *cb, int64_t now)
{
    struct jsonw w;
    jsonw_init(&w);
    present_callback_write(&w, cb, now);
    http_reply_jsonw(req, 200, &w);
}

/* Why the customer may not be dialed now, or NULL when they may. */
static const char *action_dial_refusal(struct store *w, const struct cb_callback *cb, int64_t now,
                                       char *why, size_t why_size)
{
    const struct cb_bp *bp = dispatch_bp(cb->bp_id);
    const char *bad;
    const struct tz_zone *ctz = tz_find(cb->tz, &bad);
    if (bp && ctz && !timing_calling_allowed(&bp->timing, ctz, now)) {
        struct civil_time local;
        tz_utc_to_local(ctz, now, &local, NULL);
        snprintf(why, why_size,
                 "the customer's calling hours forbid dialing now (%02d:%02d in %s; calling hours "
                 "%02d:%02d-%02d:%02d)",
                 local.hour, local.minute, cb->tz, bp->timing.calling_start_min / 60,
                 bp->timing.calling_start_min % 60, bp->timing.calling_end_min / 60,
                 bp->timing.calling_end_min % 60);
        return why;
    }
    if (store_dnc_has(w, cb->destination) == STORE_OK) {
        snprintf(why, why_size, "%s is on the do-not-call list", cb->destination);
        return why;
    }
    return NULL;
}

static enum store_result action_conflict(struct http_request *req, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static enum store_result action_conflict(struct http_request *req, const char *fmt, ...)
{
    char message[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    http_reply_error(req, ERR_CONFLICT, NULL, message);
    return STORE_CONFLICT;
}

static enum store_result action_run(struct store *w, struct http_request *req)
{
    struct action *a = req->ctx;
    int64_t now = clock_now();
    int64_t me = req->caller.user_id;
    struct cb_callback cb;
    enum store_result r = store_callback_get(w, a->id, &cb);
    if (r == STORE_NOT_FOUND) {
        http_reply_error(req, ERR_NOT_FOUND, NULL, "no such callback");
        return r;
    }
    if (r != STORE_OK)
        return r;
    char why[300];
    struct flow_args args = {.now = now, .connect = -1, .not_ready = a->not_ready};
    enum lc_event event = LC__EVENT_COUNT;
    bool blocked = false;
    const struct cb_bp *bp = dispatch_bp(cb.bp_id);

    if (a->version && a->version != cb.version) {
        http_reply_error(req, ERR_VERSION_CONFLICT, "version", NULL);
        r = STORE_CONFLICT;
        goto out;
    }
    if (a->kind == ACTION_CALL_NOW) {
        if (cb.state != LC_PENDING || cb.routing != ROUTING_AGENT || cb.agent_id != me) {
            r = action_conflict(req, "Call Now takes one of your own Pending callbacks; this "
                                     "one is %s",
                                location_display(lifecycle_location(cb.state)));
            goto out;
        }
        if (bp == NULL || bp->stopped) {
            r = action_conflict(req, "callbacks of %s are stopped", cb.bp_name);
            goto out;
        }
        if (dispatch_holding(me)) {
            snprintf(why, sizeof why, "you already hold callback %lld; finish it first",
                     (long long)dispatch_holding(me));
            http_reply_error(req, ERR_CONFLICT, NULL, why);
            r = STORE_CONFLICT;
            goto out;
        }
        if (action_dial_refusal(w, &cb, now, why, sizeof why)) {
            http_reply_error(req, ERR_CONFLICT, NULL, why);
            r = STORE_CONFLICT;
            goto out;
        }
        event = LC_EV_CALL_NOW;
        args.agent_id = me;
    } else {
        if (!lifecycle_held(cb.state) || cb.holder_id != me) {
            r = action_conflict(req, "the callback is not with you (it is %s)",
                                location_display(lifecycle_location(cb.state)));
            goto out;
        }
        switch (a->kind) {
        case ACTION_ACCEPT:
            if (cb.state != LC_OFFERED) {
                r = action_conflict(req, "only an offered callback can be accepted; this one is %s",
                                    istate_display(cb.state == LC_PREVIEW   ? ISTATE_PREVIEW
                                                   : cb.state == LC_HANDLING ? ISTATE_HANDLING
                                                                             : ISTATE_DIALING));
                goto out;
            }
            if (bp && bp->timing.preview_s > 0) {
                event = LC_EV_ACCEPT;
            } else if (action_dial_refusal(w, &cb, now, why, sizeof why)) {
                event = LC_EV_BLOCKED;
                blocked = true;
            } else {
                event = LC_EV_ACCEPT_DIAL;
            }
            break;
        case ACTION_REJECT:
            event = LC_EV_REJECT;
            break;
        case ACTION_DIAL:
            if (cb.state != LC_PREVIEW) {
                r = action_conflict(req, "dial leaves Preview; this callback is %s",
                                    cb.state == LC_OFFERED ? "Offered" : "past Preview");
                goto out;
            }
            if (action_dial_refusal(w, &cb, now, why, sizeof why)) {
                event = LC_EV_BLOCKED;
                blocked = true;
            } else {
                event = LC_EV_DIAL;
            }
            break;
        case ACTION_CONNECTED:
            if (cb.state != LC_DIALING) {
                r = action_conflict(req, "%s", cb.state == LC_TIMED_OUT
                                                   ? "dialing has stopped (no answer in time); "
                                                     "complete the callback"
                                                   : "only a callback being dialed can connect");
                goto out;
            }
            event = LC_EV_CONNECTED;
            args.connect = a->connect;
            break;
        case ACTION_COMPLETE: {
            enum status def;
            unsigned allowed = lifecycle_statuses(cb.state, &def);
            if (!(allowed & (1u << a->status))) {
                char list[200] = "";
                for (int s = 0; s < STATUS__COUNT; s++)
                    if (allowed & (1u << s)) {
                        size_t n = strlen(list);
                        snprintf(list + n, sizeof list - n, "%s%s", n ? ", " : "",
                                 status_wire((enum status)s));
                    }
                snprintf(why, sizeof why, "%s is not allowed while %s%s; allowed: %s",
                         status_display(a->status),
                         cb.state == LC_TIMED_OUT ? "dialing has stopped"
                                                  : lifecycle_state_wire(cb.state),
                         "", list[0] ? list : "none");
                http_reply_error(req, ERR_CONFLICT, "status", why);
                r = STORE_CONFLICT;
                goto out;
            }
            event = lifecycle_complete_event(a->status);
            if (a->status == STATUS_CALLBACK_REQUESTED) {
                struct json_error err;
                struct cb_bp target_bp;
                if (store_bp_get(w, cb.bp_id, &target_bp) != STORE_OK) {
                    r = STORE_ERROR;
                    goto out;
                }
                if (callback_input_target(w, &a->reschedule, &target_bp, &err) != CI_OK) {
                    json_error_prefix(&err, "reschedule");
                    http_reply_field_error(req, &err);
                    r = STORE_CONFLICT;
                    goto out;
                }
                /* the new time takes a place in its slot like any create */
                r = route_callbacks_slot_check(w, req, &target_bp, a->reschedule.due_at,
                                               a->reschedule.when_local ? "reschedule.time"
                                                                        : "reschedule.due_at",
                                               cb.id, cb.due_at);
                if (r != STORE_OK)
                    goto out;
                args.reschedule = &a->reschedule;
            }
            break;
        }
        default:
            break;
        }
    }
    if (lifecycle_step(cb.state, event) == NULL) {
        static const char *const verbs[] = {"accept", "reject", "dial", "call", "connect",
                                            "complete"};
        enum istate is;
        r = action_conflict(req, "cannot %s a callback that is %s", verbs[a->kind],
                            lifecycle_istate(cb.state, &is)
                                ? istate_display(is)
                                : location_display(lifecycle_location(cb.state)));
        goto out;
    }
    r = flow_apply(w, &cb, event, &args);
    if (r == STORE_CONFLICT) {
        http_reply_error(req, ERR_CONFLICT, NULL, "the callback changed meanwhile; reload it");
        goto out;
    }
    if (r != STORE_OK)
        goto out;
    if (blocked) /* the step back to the queue stands; the agent hears why */
        http_reply_error(req, ERR_CONFLICT, NULL, why);
    else
        action_reply(req, &cb, now);
out:
    cb_callback_clear(&cb);
    return r;
}

/* Parses the body (may be empty) and hands the action to the engine. */
static void action_start(struct http_request *req, enum action_kind kind)
{
    int64_t id = 0;
    char *end = NULL;
    const char *p = req->params[0];
    long long v = strtoll(p, &end, 10);
    if (*p == '\0' || *end != '\0' || v <= 0) {
        http_reply_error(req, ERR_NOT_FOUND, NULL, "no such callback");
        return;
    }
    id = v;
    struct action *a = xcalloc(1, sizeof *a);
    a->kind = kind;
    a->id = id;
    a->connect = -1;
    callback_input_init(&a->reschedule);
    req->ctx = a;
    req->ctx_free = action_free;
    cJSON *body = NULL;
    struct json_error err;
    if (req->body_len > 0 || kind == ACTION_CONNECTED || kind == ACTION_COMPLETE) {
        body = http_body_json(req);
        if (body == NULL)
            return;
    }
    static const char *const plain[] = {"version", NULL};
    static const char *const connected[] = {"version", "kind", NULL};
    static const char *const complete[] = {"version", "status", "reschedule", "not_ready", NULL};
    const char *const *known = kind == ACTION_CONNECTED ? connected
                             : kind == ACTION_COMPLETE  ? complete
                                                        : plain;
    bool ok = body == NULL ||
              (json_check_known(body, known, &err) &&
               json_get_int(body, "version", JSON_OPTIONAL, 1, JSON_INT_LIMIT, &a->version, &err));
    if (ok && kind == ACTION_CONNECTED) {
        static const char *const kinds[] = {"live", "voicemail", NULL};
        int k = 0;
        ok = json_get_choice(body, "kind", JSON_REQUIRED, kinds, &k, &err);
        a->connect = k == 0 ? CONNECT_LIVE : CONNECT_VOICEMAIL;
    }
    if (ok && kind == ACTION_COMPLETE) {
        static const char *const statuses[] = {"handled", "answering_machine", "no_answer",
                                               "cancel", "callback_requested",
                                               "wrong_destination", NULL};
        int s = 0;
        ok = json_get_choice(body, "status", JSON_REQUIRED, statuses, &s, &err) &&
             json_get_bool(body, "not_ready", JSON_OPTIONAL, &a->not_ready, &err);
        a->status = (enum status)s;
        const cJSON *resched = NULL;
        if (ok)
            ok = json_get_object(body, "reschedule", JSON_OPTIONAL, &resched, &err);
        if (ok && a->status == STATUS_CALLBACK_REQUESTED && resched == NULL) {
            json_error_set(&err, "reschedule",
                           "missing: Callback Requested needs the new date, time and target");
            ok = false;
        } else if (ok && resched && a->status != STATUS_CALLBACK_REQUESTED) {
            json_error_set(&err, "reschedule", "only with status callback_requested");
            ok = false;
        }
        if (ok && resched) {
            /* date and time are in the callback's zone unless tz is given */
            struct store *rd = store_reader();
            struct cb_callback cb;
            if (rd && store_callback_get(rd, id, &cb) == STORE_OK) {
                memcpy(a->reschedule.tz, cb.tz, sizeof a->reschedule.tz);
                cb_callback_clear(&cb);
            }
            ok = callback_input_parse(resched, CALLBACK_INPUT_RESCHEDULE, &a->reschedule, &err) &&
                 callback_input_when(&a->reschedule, clock_now(), &err);
            if (!ok)
                json_error_prefix(&err, "reschedule");
            a->has_reschedule = ok;
        }
    }
    cJSON_Delete(body);
    if (!ok) {
        http_reply_field_error(req, &err);
        return;
    }
    http_engine(req, action_run);
}

void route_callback_accept(struct http_request *req)
{
    action_start(req, ACTION_ACCEPT);
}

void route_callback_reject(struct http_request *req)
{
    action_start(req, ACTION_REJECT);
}

void route_callback_dial(struct http_request *req)
{
    action_start(req, ACTION_DIAL);
}

void route_callback_call_now(struct http_request *req)
{
    action_start(req, ACTION_CALL_NOW);
}

void route_callback_connected(struct http_request *req)
{
    action_start(req, ACTION_CONNECTED);
}

void route_callback_complete(struct http_request *req)
{
    action_start(req, ACTION_COMPLETE);
}
