/*
 * route_me.c — GET /me (who I am) and PUT /me/presence (Ready / Not Ready).
 */
#include "routes.h"

#include "clock.h"
#include "dispatch.h"
#include "present.h"
#include "store.h"

void route_me(struct http_request *req)
{
    struct store *st = store_reader();
    struct cb_user u;
    enum store_result r = st ? store_user_get(st, req->caller.user_id, &u) : STORE_ERROR;
    if (r != STORE_OK) {
        http_reply_error(req, r == STORE_NOT_FOUND ? ERR_UNAUTHORIZED : ERR_INTERNAL, NULL, NULL);
        return;
    }
    http_reply_json(req, 200, present_user(st, &u));
}

static enum store_result route_me_presence_run(struct store *w, struct http_request *req)
{
    enum presence *want = req->ctx;
    enum store_result r = dispatch_presence(w, req->caller.user_id, *want, clock_now());
    struct cb_user u;
    if (r == STORE_OK)
        r = store_user_get(w, req->caller.user_id, &u);
    if (r != STORE_OK)
        return r;
    http_reply_json(req, 200, present_user(w, &u));
    return STORE_OK;
}

void route_me_presence(struct http_request *req)
{
    cJSON *body = http_body_json(req);
    if (body == NULL)
        return;
    static const char *const known[] = {"presence", NULL};
    static const char *const choices[] = {"ready", "not_ready", NULL};
    struct json_error err;
    int choice = 0;
    if (!json_check_known(body, known, &err) ||
        !json_get_choice(body, "presence", JSON_REQUIRED, choices, &choice, &err)) {
        http_reply_field_error(req, &err);
        cJSON_Delete(body);
        return;
    }
    cJSON_Delete(body);
    static enum presence values[] = {PRESENCE_READY, PRESENCE_NOT_READY};
    req->ctx = &values[choice];
    http_engine(req, route_me_presence_run);
}
