/*
 * route_directory.c — the directory the scheduling form needs: GET /zones
 * (canonical IANA names), GET /teams and GET /agents.
 */
#include "routes.h"

#include "present.h"
#include "store.h"
#include "tz.h"

void route_zones(struct http_request *req)
{
    size_t n = 0;
    const char *const *names = tz_zone_names(&n);
    cJSON *o = cJSON_CreateObject();
    cJSON *a = cJSON_AddArrayToObject(o, "zones");
    for (size_t i = 0; i < n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(names[i]));
    http_reply_json(req, 200, o);
}

struct route_dir_ctx {
    struct store *st;
    cJSON *array;
};

static bool route_teams_member(void *ctx, const struct cb_user *u)
{
    cJSON *o = cJSON_CreateObject();
    json_add_int(o, "id", u->id);
    cJSON_AddStringToObject(o, "login", u->login);
    cJSON_AddStringToObject(o, "name", u->name);
    cJSON_AddItemToArray(ctx, o);
    return true;
}

static bool route_teams_bp(void *ctx, int64_t id, const char *name)
{
    cJSON *o = cJSON_CreateObject();
    json_add_int(o, "id", id);
    cJSON_AddStringToObject(o, "name", name);
    cJSON_AddItemToArray(ctx, o);
    return true;
}

static bool route_teams_each(void *ctx, const struct cb_team *t)
{
    struct route_dir_ctx *c = ctx;
    cJSON *o = present_team(t);
    cJSON *members = cJSON_AddArrayToObject(o, "members");
    store_team_members(c->st, t->id, route_teams_member, members);
    cJSON *bps = cJSON_AddArrayToObject(o, "bps");
    store_team_bps(c->st, t->id, route_teams_bp, bps);
    cJSON_AddItemToArray(c->array, o);
    return true;
}

void route_teams(struct http_request *req)
{
    struct store *st = store_reader();
    if (st == NULL) {
        http_reply_error(req, ERR_UNAVAILABLE, NULL, NULL);
        return;
    }
    cJSON *o = cJSON_CreateObject();
    struct route_dir_ctx c = {st, cJSON_AddArrayToObject(o, "teams")};
    store_read_begin(st);
    enum store_result r = store_team_list(st, route_teams_each, &c);
    store_read_end(st);
    if (r != STORE_OK) {
        cJSON_Delete(o);
        http_reply_error(req, ERR_INTERNAL, NULL, NULL);
        return;
    }
    http_reply_json(req, 200, o);
}

static bool route_agents_each(void *ctx, const struct cb_user *u)
{
    struct route_dir_ctx *c = ctx;
    cJSON_AddItemToArray(c->array, present_user(c->st, u));
    return true;
}

void route_agents(struct http_request *req)
{
    struct store *st = store_reader();
    if (st == NULL) {
        http_reply_error(req, ERR_UNAVAILABLE, NULL, NULL);
        return;
    }
    cJSON *o = cJSON_CreateObject();
    struct route_dir_ctx c = {st, cJSON_AddArrayToObject(o, "agents")};
    store_read_begin(st);
    enum store_result r = store_user_list(st, 1u << ROLE_AGENT, route_agents_each, &c);
    store_read_end(st);
    if (r != STORE_OK) {
        cJSON_Delete(o);
        http_reply_error(req, ERR_INTERNAL, NULL, NULL);
        return;
    }
    http_reply_json(req, 200, o);
}
