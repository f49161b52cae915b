/*
 * present.c — JSON views of users and teams (see present.h). Callbacks,
 * attempts and business processes have their own present_*.c files.
 */
#include "present.h"

#include "json.h"

cJSON *present_team(const struct cb_team *t)
{
    cJSON *o = cJSON_CreateObject();
    json_add_int(o, "id", t->id);
    cJSON_AddStringToObject(o, "name", t->name);
    return o;
}

static bool present_team_each(void *ctx, const struct cb_team *t)
{
    cJSON_AddItemToArray(ctx, present_team(t));
    return true;
}

cJSON *present_user(struct store *st, const struct cb_user *u)
{
    cJSON *o = cJSON_CreateObject();
    json_add_int(o, "id", u->id);
    cJSON_AddStringToObject(o, "login", u->login);
    cJSON_AddStringToObject(o, "name", u->name);
    cJSON_AddStringToObject(o, "role", role_wire(u->role));
    cJSON_AddBoolToObject(o, "can_schedule", u->can_schedule);
    if (u->role == ROLE_AGENT)
        cJSON_AddStringToObject(o, "presence", presence_wire(u->presence));
    if (st) {
        cJSON *teams = cJSON_AddArrayToObject(o, "teams");
        store_user_teams(st, u->id, present_team_each, teams);
    }
    return o;
}
