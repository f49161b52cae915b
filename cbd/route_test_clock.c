/*
 * route_test_clock.c — GET and POST /api/v1/test/clock: the test clock.
 * Only a server started with --test-clock answers; any other answers 404 as
 * if the route did not exist. POST {"advance_s": N} moves time forward by N
 * seconds (0..31,622,400, a leap year); time never moves back. Both reply
 * {"now": instant}.
 */
#include "routes.h"

#include "clock.h"
#include "engine.h"

static void route_test_clock_reply(struct http_request *req)
{
    cJSON *o = cJSON_CreateObject();
    json_add_instant(o, "now", clock_now());
    http_reply_json(req, 200, o);
}

void route_test_clock_get(struct http_request *req)
{
    if (!clock_is_test()) {
        http_reply_error(req, ERR_NOT_FOUND, NULL, "no such route");
        return;
    }
    route_test_clock_reply(req);
}

void route_test_clock_advance(struct http_request *req)
{
    if (!clock_is_test()) {
        http_reply_error(req, ERR_NOT_FOUND, NULL, "no such route");
        return;
    }
    cJSON *body = http_body_json(req);
    if (body == NULL)
        return;
    static const char *const known[] = {"advance_s", NULL};
    struct json_error err;
    int64_t seconds = 0;
    if (!json_check_known(body, known, &err) ||
        !json_get_int(body, "advance_s", JSON_REQUIRED, 0, 366 * 86400, &seconds, &err)) {
        http_reply_field_error(req, &err);
        cJSON_Delete(body);
        return;
    }
    cJSON_Delete(body);
    clock_advance(seconds);
    engine_kick();
    route_test_clock_reply(req);
}
