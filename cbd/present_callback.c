/*
 * present_callback.c — a callback and its attempts as the API shows them
 * (DESIGN.md §5 "Shapes"). "state" is the agent's interaction state and is
 * null unless an agent holds the callback; "overdue" is measured against
 * the now the caller passes, so one reply is consistent in itself.
 */
#include "present.h"

#include "json.h"

cJSON *present_callback(const struct cb_callback *cb, int64_t now)
{
    cJSON *o = cJSON_CreateObject();
    json_add_int(o, "id", cb->id);
    cJSON_AddStringToObject(o, "destination", cb->destination);
    json_add_int(o, "bp_id", cb->bp_id);
    cJSON_AddStringToObject(o, "bp", cb->bp_name);
    json_add_instant(o, "due_at", cb->due_at);
    json_add_instant(o, "window_end", cb->window_end);
    cJSON_AddStringToObject(o, "tz", cb->tz);
    cJSON_AddStringToObject(o, "routing", routing_wire(cb->routing));
    json_add_string_or_null(o, "agent",
                            cb->routing == ROUTING_AGENT && cb->agent_id ? cb->agent_login : NULL);
    json_add_string_or_null(o, "team",
                            cb->routing == ROUTING_TEAM && cb->team_id ? cb->team_name : NULL);
    cJSON_AddStringToObject(o, "remark", cb->remark ? cb->remark : "");
    json_add_string_or_null(o, "subject", cb->subject);
    cJSON *case_data = cb->case_data ? cJSON_Parse(cb->case_data) : NULL;
    if (case_data && cJSON_IsObject(case_data)) {
        cJSON_AddItemToObject(o, "case_data", case_data);
    } else {
        cJSON_Delete(case_data);
        cJSON_AddNullToObject(o, "case_data");
    }
    json_add_string_or_null(o, "transcription", cb->transcription);
    cJSON_AddStringToObject(o, "origin", origin_wire(cb->origin));
    cJSON_AddNumberToObject(o, "attempts", cb->attempts);
    enum location location = lifecycle_location(cb->state);
    cJSON_AddStringToObject(o, "location", location_wire(location));
    enum istate is;
    json_add_string_or_null(o, "state", lifecycle_istate(cb->state, &is) ? istate_wire(is) : NULL);
    json_add_string_or_null(o, "holder",
                            cb->holder_id && lifecycle_held(cb->state) ? cb->holder_login : NULL);
    cJSON_AddBoolToObject(o, "timed_out", cb->timed_out);
    json_add_string_or_null(o, "end_state",
                            cb->end_state >= 0 ? end_wire((enum end_state)cb->end_state) : NULL);
    cJSON_AddBoolToObject(o, "overdue", location != LOCATION_COMPLETED && cb->window_end < now);
    cJSON *flags = cJSON_AddArrayToObject(o, "flags");
    if (cb->flags & CB_FLAG_SUPERVISOR)
        cJSON_AddItemToArray(flags, cJSON_CreateString("supervisor"));
    if (cb->flags & CB_FLAG_CUSTOMER_CALLED_IN)
        cJSON_AddItemToArray(flags, cJSON_CreateString("customer_called_in"));
    json_add_int(o, "version", cb->version);
    json_add_instant(o, "created_at", cb->created_at);
    json_add_string_or_null(o, "created_by", cb->created_by ? cb->created_by_login : NULL);
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
