/*
 * route_audit.c — GET /audit: the supervisor's view of who did what
 * (DESIGN.md §3, last point), newest first, 100 a page by default.
 *
 * Filters: user (an id or a login), action ("bp" takes every "bp.*"
 * action, "bp.stop" only that one), target (exact, "bp:1"). Paging: the
 * reply's "next" is an opaque cursor, given back as before=; it is absent
 * on the last page. Entries keep the target before and after the change as
 * JSON text; they are shown as JSON objects (null when there is none).
 */
#include "routes.h"

#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "store.h"

#define ROUTE_AUDIT_LIMIT 100
#define ROUTE_AUDIT_LIMIT_MAX 500

struct route_audit_ctx {
    cJSON *array;
    int limit;
    int rows;
    int64_t last_id; /* of the last entry put on the page */
};

/* JSON text as a tree; null when absent or (never expected) unreadable. */
static cJSON *route_audit_json(const char *text)
{
    cJSON *j = text ? cJSON_Parse(text) : NULL;
    return j ? j : cJSON_CreateNull();
}

static bool route_audit_each(void *ctx, const struct cb_audit *a)
{
    struct route_audit_ctx *c = ctx;
    if (++c->rows > c->limit)
        return false; /* the extra row only says there is a next page */
    cJSON *o = cJSON_CreateObject();
    json_add_int(o, "id", a->id);
    json_add_instant(o, "at", a->at);
    if (a->user_id) {
        cJSON *u = cJSON_AddObjectToObject(o, "user");
        json_add_int(u, "id", a->user_id);
        cJSON_AddStringToObject(u, "login", a->login);
    } else {
        cJSON_AddNullToObject(o, "user");
    }
    cJSON_AddStringToObject(o, "action", a->action);
    cJSON_AddStringToObject(o, "target", a->target);
    cJSON_AddItemToObject(o, "before", route_audit_json(a->before));
    cJSON_AddItemToObject(o, "after", route_audit_json(a->after));
    cJSON_AddItemToArray(c->array, o);
    c->last_id = a->id;
    return true;
}

static bool route_audit_fail(struct http_request *req, const char *field, const char *why)
{
    struct json_error err;
    json_error_set(&err, field, "%s", why);
    http_reply_field_error(req, &err);
    return false;
}

/* An action filter: lowercase words joined by dots ("bp", "bp.stop"). */
static bool route_audit_action_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 63 || s[0] == '.' || s[n - 1] == '.')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
              s[i] == '-' || (s[i] == '.' && s[i + 1] != '.')))
            return false;
    return true;
}

/* Fills q from the query string; false after replying 422. */
static bool route_audit_query(struct http_request *req, struct store *st,
                              struct store_audit_query *q)
{
    static const char *const names[] = {"user", "action", "target", "limit", "before"};
    const char *arg[5];
    struct json_error err;
    if (!http_query_args(req, names, 5, arg, &err)) {
        http_reply_field_error(req, &err);
        return false;
    }
    const char *user = arg[0], *action = arg[1], *target = arg[2], *limit = arg[3];
    const char *before = arg[4];
    int64_t v;
    q->limit = ROUTE_AUDIT_LIMIT;
    if (limit) {
        if (!conf_parse_int(limit, 1, ROUTE_AUDIT_LIMIT_MAX, &v, NULL))
            return route_audit_fail(req, "limit", "must be an integer from 1 to 500");
        q->limit = (int)v;
    }
    if (before) {
        if (before[0] < '0' || before[0] > '9' || !conf_parse_int(before, 1, JSON_INT_LIMIT, &v, NULL))
            return route_audit_fail(req, "before", "not a cursor this server gave");
        q->before_id = v;
    }
    if (user) {
        struct cb_user u;
        enum store_result r = STORE_NOT_FOUND;
        if (user[0] >= '0' && user[0] <= '9' && conf_parse_int(user, 1, JSON_INT_LIMIT, &v, NULL))
            r = store_user_get(st, v, &u);
        if (r == STORE_NOT_FOUND)
            r = store_user_by_login(st, user, &u, NULL, 0);
        if (r == STORE_NOT_FOUND)
            return route_audit_fail(req, "user", "no such user");
        if (r != STORE_OK) {
            http_reply_error(req, ERR_INTERNAL, NULL, NULL);
            return false;
        }
        q->user_id = u.id;
    }
    if (action) {
        if (!route_audit_action_ok(action))
            return route_audit_fail(req, "action", "must be an action name such as bp or bp.stop");
        q->action = action;
    }
    if (target) {
        size_t n = strlen(target);
        bool printable = n > 0 && n < 128;
        for (size_t i = 0; i < n && printable; i++)
            printable = (unsigned char)target[i] >= 0x20 && target[i] != 0x7f;
        if (!printable)
            return route_audit_fail(req, "target", "must be 1 to 127 printable characters");
        q->target = target;
    }
    return true;
}

void route_audit(struct http_request *req)
{
    struct store *st = store_reader();
    if (st == NULL) {
        http_reply_error(req, ERR_UNAVAILABLE, NULL, NULL);
        return;
    }
    struct store_audit_query q = {0};
    if (!route_audit_query(req, st, &q))
        return;
    cJSON *o = cJSON_CreateObject();
    struct route_audit_ctx c = {cJSON_AddArrayToObject(o, "audit"), q.limit, 0, 0};
    enum store_result r = store_audit_list(st, &q, route_audit_each, &c);
    if (r != STORE_OK) {
        cJSON_Delete(o);
        http_reply_error(req, ERR_INTERNAL, NULL, NULL);
        return;
    }
    if (c.rows > c.limit) {
        char next[24];
        snprintf(next, sizeof next, "%lld", (long long)c.last_id);
        cJSON_AddStringToObject(o, "next", next);
    }
    http_reply_json(req, 200, o);
}
