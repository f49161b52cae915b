/*
 * present_callback.c — a callback and its attempts as the API shows them
 * (DESIGN.md §5 "Shapes"). "state" is the agent's interaction state and is
 * null unless an agent holds the callback; "overdue" is measured against
 * the now the caller passes, so one reply is consistent in itself.
 *
 * The object is written in three parts: the id; the fixed members, which
 * change only when the callback is saved with a new version — the store
 * keeps their text beside the row (store_callback.c) and Callback Search
 * copies it instead of reading two dozen columns; and the rest —
 * state_until, the engine's wake, and overdue, which moves with the clock —
 * written at every reply.
 */
#include "present.h"

#include <stdlib.h>

#include "json.h"

void present_callback_fixed(struct jsonw *w, const struct cb_callback *cb)
{
    enum location location = lifecycle_location(cb->state);
    enum istate is;
    jsonw_key(w, "destination");
    jsonw_string(w, cb->destination);
    jsonw_key(w, "bp_id");
    jsonw_int(w, cb->bp_id);
    jsonw_key(w, "bp");
    jsonw_string(w, cb->bp_name);
    jsonw_key(w, "due_at");
    jsonw_instant(w, cb->due_at);
    jsonw_key(w, "window_end");
    jsonw_instant(w, cb->window_end);
    jsonw_key(w, "tz");
    jsonw_string(w, cb->tz);
    jsonw_key(w, "routing");
    jsonw_string(w, routing_wire(cb->routing));
    jsonw_key(w, "agent");
    jsonw_string_or_null(w, cb->routing == ROUTING_AGENT && cb->agent_id ? cb->agent_login : NULL);
    jsonw_key(w, "team");
    jsonw_string_or_null(w, cb->routing == ROUTING_TEAM && cb->team_id ? cb->team_name : NULL);
    jsonw_key(w, "remark");
    jsonw_string(w, cb->remark ? cb->remark : "");
    jsonw_key(w, "subject");
    jsonw_string_or_null(w, cb->subject);
    jsonw_key(w, "case_data");
    /* stored as the compact text of an object checked on the way in */
    if (cb->case_data && cb->case_data[0] == '{')
        jsonw_raw(w, cb->case_data);
    else
        jsonw_null(w);
    jsonw_key(w, "transcription");
    jsonw_string_or_null(w, cb->transcription);
    jsonw_key(w, "origin");
    jsonw_string(w, origin_wire(cb->origin));
    jsonw_key(w, "attempts");
    jsonw_int(w, cb->attempts);
    jsonw_key(w, "location");
    jsonw_string(w, location_wire(location));
    jsonw_key(w, "state");
    jsonw_string_or_null(w, lifecycle_istate(cb->state, &is) ? istate_wire(is) : NULL);
    jsonw_key(w, "holder");
    jsonw_string_or_null(w, cb->holder_id && lifecycle_held(cb->state) ? cb->holder_login : NULL);
    /* when the agent's state began (state_until, when it ends, is among
     * the changing members): what the console counts down; null when
     * nobody holds it */
    jsonw_key(w, "state_since");
    if (lifecycle_held(cb->state) && cb->state_since > 0)
        jsonw_instant(w, cb->state_since);
    else
        jsonw_null(w);
    jsonw_key(w, "timed_out");
    jsonw_bool(w, cb->timed_out);
    jsonw_key(w, "end_state");
    jsonw_string_or_null(w, cb->end_state >= 0 ? end_wire((enum end_state)cb->end_state) : NULL);
    jsonw_key(w, "flags");
    jsonw_array_begin(w);
    if (cb->flags & CB_FLAG_SUPERVISOR)
        jsonw_string(w, "supervisor");
    if (cb->flags & CB_FLAG_CUSTOMER_CALLED_IN)
        jsonw_string(w, "customer_called_in");
    jsonw_array_end(w);
    jsonw_key(w, "version");
    jsonw_int(w, cb->version);
    jsonw_key(w, "created_at");
    jsonw_instant(w, cb->created_at);
    jsonw_key(w, "created_by");
    jsonw_string_or_null(w, cb->created_by ? cb->created_by_login : NULL);
}

void present_callback_rest(struct jsonw *w, enum lc_state state, int64_t wake_at,
                           int64_t window_end, int64_t now)
{
    /* when the agent's state ends by itself (offer time-out, end of
     * preview, no answer, the wrap limit of a timed-out dial): the engine's
     * wake, which it moves without a new version */
    jsonw_key(w, "state_until");
    if (lifecycle_held(state) && state != LC_HANDLING && wake_at > 0)
        jsonw_instant(w, wake_at);
    else
        jsonw_null(w);
    jsonw_key(w, "overdue");
    jsonw_bool(w, lifecycle_location(state) != LOCATION_COMPLETED && window_end < now);
    jsonw_object_end(w);
}

void present_callback_write(struct jsonw *w, const struct cb_callback *cb, int64_t now)
{
    jsonw_object_begin(w);
    jsonw_key(w, "id");
    jsonw_int(w, cb->id);
    present_callback_fixed(w, cb);
    present_callback_rest(w, cb->state, cb->wake_at, cb->window_end, now);
}

cJSON *present_callback(const struct cb_callback *cb, int64_t now)
{
    struct jsonw w;
    jsonw_init(&w);
    present_callback_write(&w, cb, now);
    cJSON *o = cJSON_Parse(w.buf);
    jsonw_clear(&w);
    if (o == NULL)
        abort(); /* the writer produced invalid JSON: a bug, not an input */
    return o;
}

cJSON *present_attempt(const struct cb_attempt *a)
{
    cJSON *o = cJSON_CreateObject();
    json_add_instant(o, "at", a->at);
    json_add_instant(o, "started_at", a->started_at ? a->started_at : JSON_NO_INSTANT);
    json_add_string_or_null(o, "agent", a->agent_id ? a->agent_login : NULL);
    json_add_string_or_null(o, "agent_name", a->agent_id ? a->agent_name : NULL);
    cJSON_AddStringToObject(o, "state", attempt_wire(a->state));
    if (a->handle_s >= 0)
        cJSON_AddNumberToObject(o, "handle_s", a->handle_s);
    else
        cJSON_AddNullToObject(o, "handle_s");
    json_add_string_or_null(o, "connect",
                            a->connect >= 0 ? connect_wire((enum connect_kind)a->connect) : NULL);
    return o;
}

static bool present_history_each(void *ctx, const struct cb_attempt *a)
{
    cJSON_AddItemToArray(ctx, present_attempt(a));
    return true;
}

enum store_result present_callback_history(struct store *st, cJSON *callback, int64_t id)
{
    cJSON *history = cJSON_AddArrayToObject(callback, "history");
    return store_attempt_list(st, id, present_history_each, history);
}
