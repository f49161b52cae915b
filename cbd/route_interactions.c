/*
 * route_interactions.c — calls that telephony reports (DESIGN.md §7) and
 * what an agent sees of them.
 *
 * POST /interactions (service token) reports a call:
 *   {"direction": "inbound"|"outbound", "number": "+1 212 555 0100",
 *    "bp": ID or NAME (optional), "agent": LOGIN (optional),
 *    "started_at": RFC 3339 (default now), "ended_at": RFC 3339 (optional)}
 * → 201 {"interaction": {...}, "closed": [ids], "flagged": [ids]}. What it does,
 * in one engine command:
 *   - stores the interaction;
 *   - inbound, with a BP whose timing has customer_called_in_closes: the open
 *     callback for that number in that BP (there is at most one), if it was
 *     created before the call began, goes through the lifecycle event
 *     customer_called_in: Pending or queued → completed with end state
 *     customer_called_in ("closed"); offered to or held by an agent → flagged
 *     CB_FLAG_CUSTOMER_CALLED_IN for that agent ("flagged"), nothing else;
 *   - with an agent and no ended_at (the call is active): an agent who is
 *     Ready or Not Ready becomes Busy; the presence they had is kept with the
 *     interaction (an agent already Busy because of another active call keeps
 *     that call's). A logged-out agent stays logged out.
 * Ending a call: {"id": N, "ended_at": T} (no other member) sets the end of
 * interaction N → 200 with the same shape (closed / flagged empty); 404 for
 * no such interaction, 409 when it has ended already. If the agent is still
 * Busy, has no other active call and holds no callback, their presence goes
 * back to what it was when the call began (Ready or Not Ready).
 * Times: started_at at most 366 days ago, neither instant more than 5
 * minutes ahead of the server's clock, ended_at not before started_at.
 *
 * GET /me/history (agent): {"history": [{id, direction, number, bp_id, bp,
 * started_at, ended_at, contacts_recent}]}, newest first, limit 1..200
 * (default 50); contacts_recent counts the interactions with that number
 * that began in the last 30 days (this one included).
 *
 * GET /me/interaction (agent): {"interaction": the callback the agent holds
 * (offered or in their hands) with "contacts_recent" added, or null,
 * "active_call": their latest active interaction or null}.
 */
#include "routes.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "dispatch.h"
#include "conf.h"
#include "present.h"
#include "store.h"
#include "xalloc.h"

#define ROUTE_INTERACTIONS_RECENT_S (30 * 86400)
#define ROUTE_INTERACTIONS_AHEAD_S 300
#define ROUTE_INTERACTIONS_BACK_S (366 * 86400)
#define ROUTE_HISTORY_DEFAULT 50
#define ROUTE_HISTORY_MAX 200

static cJSON *route_interactions_present(const struct cb_interaction *i)
{
    cJSON *o = cJSON_CreateObject();
    json_add_int(o, "id", i->id);
    cJSON_AddStringToObject(o, "direction", i->inbound ? "inbound" : "outbound");
    cJSON_AddStringToObject(o, "number", i->number);
    if (i->bp_id)
        json_add_int(o, "bp_id", i->bp_id);
    else
        cJSON_AddNullToObject(o, "bp_id");
    json_add_string_or_null(o, "bp", i->bp_id ? i->bp_name : NULL);
    json_add_string_or_null(o, "agent", i->agent_id ? i->agent_login : NULL);
    json_add_instant(o, "started_at", i->started_at);
    json_add_instant(o, "ended_at", i->ended_at ? i->ended_at : JSON_NO_INSTANT);
    return o;
}

/* ---- POST /interactions -------------------------------------------------- */

struct route_interaction_ctx {
    int64_t end_id; /* "id" given: this reports the end of that interaction */
    bool inbound;
    char number[PHONE_E164_SIZE];
    int64_t bp_id;                /* "bp" as an id, or 0 */
    char bp_name[CB_NAME_SIZE];   /* "bp" as a name, or "" */
    char agent[CB_LOGIN_SIZE];    /* "" when none */
    int64_t started_at, ended_at; /* ended_at 0: none */
};

/* Replies 422 naming field. */
static enum store_result route_interactions_invalid(struct http_request *req, const char *field,
                                                    const char *message)
{
    struct json_error err;
    json_error_set(&err, field, "%s", message);
    http_reply_field_error(req, &err);
    return STORE_CONFLICT;
}

/* Applies customer_called_in to the open callback of the number in bp;
 * adds its id to closed or flagged. */
static enum store_result route_interactions_called_in(struct store *w,
                                                      const struct cb_interaction *i,
                                                      int64_t now, cJSON *closed, cJSON *flagged)
{
    int64_t id;
    enum store_result r = store_callback_open_by_number(w, i->bp_id, i->number, &id);
    if (r == STORE_NOT_FOUND)
        return STORE_OK;
    struct cb_callback cb;
    if (r != STORE_OK || (r = store_callback_get(w, id, &cb)) != STORE_OK)
        return r;
    const struct lc_transition *t = lifecycle_step(cb.state, LC_EV_CUSTOMER_CALLED_IN);
    if (t == NULL || cb.created_at > i->started_at) {
        /* a call from before the callback existed does not answer it */
    } else if (t->effects & LC_FX_REMOVE) {
        r = route_callback_admin_step(w, &cb, t, now);
        if (r == STORE_OK)
            cJSON_AddItemToArray(closed, cJSON_CreateNumber((double)cb.id));
    } else if (t->effects & LC_FX_FLAG_AGENT) {
        if (!(cb.flags & CB_FLAG_CUSTOMER_CALLED_IN))
            r = route_callback_admin_step(w, &cb, t, now);
        if (r == STORE_OK)
            cJSON_AddItemToArray(flagged, cJSON_CreateNumber((double)cb.id));
    }
    cb_callback_clear(&cb);
    return r;
}

/* The reply of both forms: {interaction, closed, flagged}. */
static enum store_result route_interactions_reply(struct store *w, struct http_request *req,
                                                  unsigned status, int64_t id, cJSON *closed,
                                                  cJSON *flagged)
{
    struct cb_interaction i;
    enum store_result r = store_interaction_get(w, id, &i);
    if (r != STORE_OK) {
        cJSON_Delete(closed);
        cJSON_Delete(flagged);
        return r;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "interaction", route_interactions_present(&i));
    cJSON_AddItemToObject(o, "closed", closed);
    cJSON_AddItemToObject(o, "flagged", flagged);
    http_reply_json(req, status, o);
    return STORE_OK;
}

static enum store_result route_interactions_create_run(struct store *w, struct http_request *req)
{
    struct route_interaction_ctx *c = req->ctx;
    int64_t now = clock_now();
    struct cb_interaction i;
    memset(&i, 0, sizeof i);
    i.inbound = c->inbound;
    memcpy(i.number, c->number, sizeof i.number);
    i.started_at = c->started_at;
    i.ended_at = c->ended_at;
    i.presence_before = -1;
    i.created_at = now;

    struct cb_bp bp;
    bool have_bp = c->bp_id || c->bp_name[0];
    enum store_result r = STORE_OK;
    if (c->bp_id) {
        r = store_bp_get(w, c->bp_id, &bp);
        if (r == STORE_NOT_FOUND) /* a number that is no BP's id may be a name */
            r = store_bp_by_name(w, c->bp_name, &bp);
    } else if (c->bp_name[0]) {
        r = store_bp_by_name(w, c->bp_name, &bp);
    }
    if (r == STORE_NOT_FOUND)
        return route_interactions_invalid(req, "bp", "no such business process");
    if (r != STORE_OK)
        return r;
    if (have_bp)
        i.bp_id = bp.id;

    struct cb_user agent;
    if (c->agent[0]) {
        r = store_user_by_login(w, c->agent, &agent, NULL, 0);
        if (r == STORE_NOT_FOUND || (r == STORE_OK && agent.role != ROLE_AGENT))
            return route_interactions_invalid(req, "agent", "no such agent");
        if (r != STORE_OK)
            return r;
        i.agent_id = agent.id;
        if (i.ended_at == 0) {
            i.presence_before = (int)agent.presence;
            struct cb_interaction other;
            if (agent.presence == PRESENCE_BUSY &&
                store_interaction_active(w, agent.id, &other) == STORE_OK &&
                other.presence_before >= 0)
                i.presence_before = other.presence_before; /* busy because of that call */
            if (agent.presence == PRESENCE_READY || agent.presence == PRESENCE_NOT_READY) {
                r = dispatch_presence(w, agent.id, PRESENCE_BUSY, now);
                if (r != STORE_OK)
                    return r;
            }
        }
    }
    if ((r = store_interaction_insert(w, &i)) != STORE_OK)
        return r;
    cJSON *closed = cJSON_CreateArray(), *flagged = cJSON_CreateArray();
    if (i.inbound && have_bp && bp.timing.customer_called_in_closes)
        r = route_interactions_called_in(w, &i, now, closed, flagged);
    if (r != STORE_OK) {
        cJSON_Delete(closed);
        cJSON_Delete(flagged);
        return r;
    }
    return route_interactions_reply(w, req, 201, i.id, closed, flagged);
}

static enum store_result route_interactions_end_run(struct store *w, struct http_request *req)
{
    struct route_interaction_ctx *c = req->ctx;
    int64_t now = clock_now();
    struct cb_interaction i;
    enum store_result r = store_interaction_get(w, c->end_id, &i);
    if (r == STORE_NOT_FOUND) {
        http_reply_error(req, ERR_NOT_FOUND, NULL, "no such interaction");
        return r;
    }
    if (r != STORE_OK)
        return r;
    if (i.ended_at) {
        char message[96];
        snprintf(message, sizeof message, "interaction %lld has ended already", (long long)i.id);
        http_reply_error(req, ERR_CONFLICT, NULL, message);
        return STORE_CONFLICT;
    }
    if (c->ended_at < i.started_at)
        return route_interactions_invalid(req, "ended_at", "before the call started");
    if ((r = store_interaction_end(w, i.id, c->ended_at)) != STORE_OK)
        return r;
    struct cb_user agent;
    if (i.agent_id && (i.presence_before == PRESENCE_READY ||
                       i.presence_before == PRESENCE_NOT_READY)) {
        r = store_user_get(w, i.agent_id, &agent);
        if (r != STORE_OK)
            return r;
        struct cb_interaction other;
        struct cb_callback held;
        enum store_result other_r = store_interaction_active(w, agent.id, &other);
        enum store_result held_r = store_interaction_held(w, agent.id, &held);
        if (held_r == STORE_OK)
            cb_callback_clear(&held);
        if (other_r == STORE_ERROR || held_r == STORE_ERROR)
            return STORE_ERROR;
        if (agent.presence == PRESENCE_BUSY && other_r == STORE_NOT_FOUND &&
            held_r == STORE_NOT_FOUND) {
            r = dispatch_presence(w, agent.id, (enum presence)i.presence_before, now);
            if (r != STORE_OK)
                return r;
        }
    }
    return route_interactions_reply(w, req, 200, i.id, cJSON_CreateArray(), cJSON_CreateArray());
}

/* Reads the body into c; false with err filled. */
static bool route_interactions_parse(const cJSON *body, struct route_interaction_ctx *c,
                                     int64_t now, struct json_error *err)
{
    static const char *const known[] = {"id",    "direction",  "number",   "bp",
                                        "agent", "started_at", "ended_at", NULL};
    if (!json_check_known(body, known, err))
        return false;
    if (json_has(body, "id")) {
        if (!json_get_id(body, "id", JSON_REQUIRED, &c->end_id, err))
            return false;
        for (int k = 1; known[k]; k++)
            if (strcmp(known[k], "ended_at") != 0 && cJSON_GetObjectItemCaseSensitive(body, known[k])) {
                json_error_set(err, known[k], "not allowed when ending an interaction (id given)");
                return false;
            }
        if (!json_get_instant(body, "ended_at", JSON_REQUIRED, &c->ended_at, err))
            return false;
        if (c->ended_at > now + ROUTE_INTERACTIONS_AHEAD_S) {
            json_error_set(err, "ended_at", "in the future");
            return false;
        }
        return true;
    }
    static const char *const directions[] = {"inbound", "outbound", NULL};
    int direction = 0;
    const char *number = NULL, *agent = NULL, *why = NULL;
    if (!json_get_choice(body, "direction", JSON_REQUIRED, directions, &direction, err) ||
        !json_get_string(body, "number", JSON_REQUIRED, 64, JSON_SINGLE_LINE, &number, err))
        return false;
    c->inbound = direction == 0;
    if (!phone_normalize(number, c->number, &why)) {
        json_error_set(err, "number", "%s", why ? why : "not an E.164 number");
        return false;
    }
    const cJSON *bp = cJSON_GetObjectItemCaseSensitive(body, "bp");
    if (bp && !cJSON_IsNull(bp)) {
        const char *name = NULL;
        if (cJSON_IsNumber(bp)) {
            if (!json_get_id(body, "bp", JSON_REQUIRED, &c->bp_id, err))
                return false;
            snprintf(c->bp_name, sizeof c->bp_name, "%lld", (long long)c->bp_id);
        } else if (cJSON_IsString(bp)) {
            if (!json_get_string(body, "bp", JSON_REQUIRED, CB_NAME_SIZE - 1, JSON_SINGLE_LINE,
                                 &name, err))
                return false;
            snprintf(c->bp_name, sizeof c->bp_name, "%s", name);
        } else {
            json_error_set(err, "bp", "must be a business process id or name");
            return false;
        }
    }
    if (!json_get_string(body, "agent", JSON_OPTIONAL, CB_LOGIN_SIZE - 1, JSON_SINGLE_LINE,
                         &agent, err))
        return false;
    if (agent)
        snprintf(c->agent, sizeof c->agent, "%s", agent);
    c->started_at = now;
    if (!json_get_instant(body, "started_at", JSON_OPTIONAL, &c->started_at, err) ||
        !json_get_instant(body, "ended_at", JSON_OPTIONAL, &c->ended_at, err))
        return false;
    if (c->started_at > now + ROUTE_INTERACTIONS_AHEAD_S) {
        json_error_set(err, "started_at", "in the future");
        return false;
    }
    if (c->started_at < now - ROUTE_INTERACTIONS_BACK_S) {
        json_error_set(err, "started_at", "more than 366 days ago");
        return false;
    }
    if (json_has(body, "ended_at")) {
        if (c->ended_at > now + ROUTE_INTERACTIONS_AHEAD_S) {
            json_error_set(err, "ended_at", "in the future");
            return false;
        }
        if (c->ended_at < c->started_at) {
            json_error_set(err, "ended_at", "before started_at");
            return false;
        }
    }
    return true;
}

void route_interactions_post(struct http_request *req)
{
    cJSON *body = http_body_json(req);
    if (body == NULL)
        return;
    struct route_interaction_ctx *c = xcalloc(1, sizeof *c);
    req->ctx = c;
    req->ctx_free = free;
    struct json_error err;
    bool ok = route_interactions_parse(body, c, clock_now(), &err);
    cJSON_Delete(body);
    if (!ok) {
        http_reply_field_error(req, &err);
        return;
    }
    http_engine(req, c->end_id ? route_interactions_end_run : route_interactions_create_run);
}

/* ---- GET /me/history ----------------------------------------------------- */

struct route_history_args {
    const char *limit;
    char bad[64];
    const char *problem;
};

static enum MHD_Result route_history_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                         const char *value)
{
    (void)kind;
    struct route_history_args *a = cls;
    if (a->problem)
        return MHD_YES;
    if (strcmp(key, "limit") == 0 && a->limit == NULL) {
        a->limit = value ? value : "";
        return MHD_YES;
    }
    a->problem = strcmp(key, "limit") == 0 ? "given twice" : "unknown parameter";
    snprintf(a->bad, sizeof a->bad, "%.63s", key);
    return MHD_YES;
}

struct route_history_ctx {
    struct store *st;
    cJSON *array;
    int64_t since;
    enum store_result r;
};

static bool route_history_each(void *ctx, const struct cb_interaction *i)
{
    struct route_history_ctx *c = ctx;
    int64_t recent = 0;
    c->r = store_interaction_count_number(c->st, i->number, c->since, &recent);
    if (c->r != STORE_OK)
        return false;
    cJSON *o = route_interactions_present(i);
    cJSON_DeleteItemFromObject(o, "agent"); /* always the caller */
    json_add_int(o, "contacts_recent", recent);
    cJSON_AddItemToArray(c->array, o);
    return true;
}

void route_me_history(struct http_request *req)
{
    struct route_history_args a;
    memset(&a, 0, sizeof a);
    MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, route_history_arg, &a);
    struct json_error err;
    if (a.problem) {
        json_error_set(&err, a.bad, "%s", a.problem);
        http_reply_field_error(req, &err);
        return;
    }
    int64_t limit = ROUTE_HISTORY_DEFAULT;
    if (a.limit && (!(a.limit[0] >= '1' && a.limit[0] <= '9') ||
                    !conf_parse_int(a.limit, 1, ROUTE_HISTORY_MAX, &limit, NULL))) {
        json_error_set(&err, "limit", "must be an integer from 1 to %d", ROUTE_HISTORY_MAX);
        http_reply_field_error(req, &err);
        return;
    }
    struct store *st = store_reader();
    if (st == NULL) {
        http_reply_error(req, ERR_UNAVAILABLE, NULL, NULL);
        return;
    }
    cJSON *o = cJSON_CreateObject();
    struct route_history_ctx c = {st, cJSON_AddArrayToObject(o, "history"),
                                  clock_now() - ROUTE_INTERACTIONS_RECENT_S, STORE_OK};
    store_read_begin(st);
    enum store_result r = store_interaction_history(st, req->caller.user_id, (int)limit,
                                                    route_history_each, &c);
    store_read_end(st);
    if (r != STORE_OK || c.r != STORE_OK) {
        cJSON_Delete(o);
        http_reply_error(req, ERR_INTERNAL, NULL, NULL);
        return;
    }
    http_reply_json(req, 200, o);
}

/* ---- GET /me/interaction ------------------------------------------------- */

void route_me_interaction(struct http_request *req)
{
    struct store *st = store_reader();
    if (st == NULL) {
        http_reply_error(req, ERR_UNAVAILABLE, NULL, NULL);
        return;
    }
    int64_t now = clock_now();
    cJSON *o = cJSON_CreateObject();
    struct cb_callback cb;
    struct cb_interaction call;
    store_read_begin(st);
    enum store_result r = store_interaction_held(st, req->caller.user_id, &cb);
    if (r == STORE_OK) {
        cJSON *cbj = present_callback(&cb, now);
        int64_t recent = 0;
        r = store_interaction_count_number(st, cb.destination, now - ROUTE_INTERACTIONS_RECENT_S,
                                           &recent);
        json_add_int(cbj, "contacts_recent", recent);
        cJSON_AddItemToObject(o, "interaction", cbj);
        cb_callback_clear(&cb);
    } else if (r == STORE_NOT_FOUND) {
        cJSON_AddNullToObject(o, "interaction");
        r = STORE_OK;
    }
    if (r == STORE_OK) {
        r = store_interaction_active(st, req->caller.user_id, &call);
        if (r == STORE_OK) {
            cJSON_AddItemToObject(o, "active_call", route_interactions_present(&call));
        } else if (r == STORE_NOT_FOUND) {
            cJSON_AddNullToObject(o, "active_call");
            r = STORE_OK;
        }
    }
    store_read_end(st);
    if (r != STORE_OK) {
        cJSON_Delete(o);
        http_reply_error(req, ERR_INTERNAL, NULL, NULL);
        return;
    }
    http_reply_json(req, 200, o);
}
