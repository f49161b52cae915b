/*
 * route_health.c — GET /healthz: liveness. Answers 200 when this thread can
 * read the store, 503 otherwise.
 */
#include "routes.h"

#include "store.h"

void route_healthz(struct http_request *req)
{
    struct store *st = store_reader();
    char boot[32];
    if (st == NULL || store_meta_get(st, "boot", boot, sizeof boot) == STORE_ERROR) {
        http_reply_error(req, ERR_UNAVAILABLE, NULL, "the store is unavailable");
        return;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "status", "ok");
    http_reply_json(req, 200, o);
}
