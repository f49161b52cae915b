/*
 * route_auth.c — POST /login and POST /logout.
 *
 * Login never runs Argon2id on an HTTP thread or the engine thread: the
 * request is suspended, a worker verifies the password (spending the same
 * time for an unknown login), and the engine stores the new token's hash.
 * Every failure — unknown login, wrong password, disabled user — answers
 * the same 401, and counts toward the per-login and per-address limit.
 *
 * Logout runs on the engine: the token is deleted, an agent left without a
 * session is logged out, and the event streams opened with the token end
 * once the batch has committed (events_end_token).
 */
#include "routes.h"

#include <sodium.h>
#include <string.h>

#include "auth.h"
#include "clock.h"
#include "dispatch.h"
#include "events.h"
#include "log.h"
#include "present.h"
#include "store.h"
#include "worker.h"
#include "xalloc.h"

struct route_login_ctx {
    struct worker_job job;
    struct http_request *req;
    char login[64];
    char *password;
    struct cb_user user;
    char token[AUTH_TOKEN_SIZE];
    unsigned char hash[32];
};

static void route_login_free(void *p)
{
    struct route_login_ctx *c = p;
    if (c->password) {
        sodium_memzero(c->password, strlen(c->password));
        free(c->password);
    }
    sodium_memzero(c->token, sizeof c->token);
    free(c);
}

static enum store_result route_login_store(struct store *w, struct http_request *req)
{
    struct route_login_ctx *c = req->ctx;
    int64_t now = clock_now();
    enum store_result r = store_token_insert(w, c->hash, c->user.id, STORE_TOKEN_SESSION, "", now);
    if (r != STORE_OK)
        return r;
    if (c->user.role == ROLE_AGENT && dispatch_agent_presence(c->user.id) == PRESENCE_LOGGED_OUT) {
        r = dispatch_presence(w, c->user.id, PRESENCE_NOT_READY, now);
        if (r != STORE_OK)
            return r;
        store_user_get(w, c->user.id, &c->user);
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "token", c->token);
    cJSON_AddItemToObject(o, "user", present_user(w, &c->user));
    http_reply_json(req, 200, o);
    return STORE_OK;
}

static void route_login_verify(struct worker_job *job)
{
    struct route_login_ctx *c = job->ctx;
    struct http_request *req = c->req;
    struct store *st = store_reader();
    char hash[AUTH_HASH_SIZE] = "";
    bool found = st && store_user_by_login(st, c->login, &c->user, hash, sizeof hash) == STORE_OK;
    if (st == NULL) {
        http_reply_error(req, ERR_UNAVAILABLE, NULL, "the store is unavailable");
        http_resume(req);
        return;
    }
    bool ok = auth_verify_password(found ? hash : "", c->password);
    if (!ok || c->user.disabled || c->user.role == ROLE_SERVICE) {
        auth_login_failed(c->login, req->client_addr, clock_now());
        log_info("login refused for '%s' from %s", c->login, req->client_addr);
        http_reply_error(req, ERR_UNAUTHORIZED, NULL, "wrong login or password");
        http_resume(req);
        return;
    }
    auth_login_succeeded(c->login);
    auth_new_token(c->token, c->hash);
    /* the request is still suspended: hand it to the engine to store */
    req->engine_fn = route_login_store;
    http_engine_resubmit(req);
}

void route_login(struct http_request *req)
{
    cJSON *body = http_body_json(req);
    if (body == NULL)
        return;
    static const char *const known[] = {"user", "password", NULL};
    struct json_error err;
    const char *login = NULL, *password = NULL;
    if (!json_check_known(body, known, &err) ||
        !json_get_string(body, "user", JSON_REQUIRED, 63, JSON_SINGLE_LINE, &login, &err) ||
        !json_get_string(body, "password", JSON_REQUIRED, 1024, 0, &password, &err)) {
        http_reply_field_error(req, &err);
        cJSON_Delete(body);
        return;
    }
    if (!auth_login_allowed(login, req->client_addr, clock_now())) {
        http_reply_error(req, ERR_RATE_LIMITED, NULL,
                         "too many failed logins; wait 15 minutes and try again");
        cJSON_Delete(body);
        return;
    }
    struct route_login_ctx *c = xcalloc(1, sizeof *c);
    c->req = req;
    snprintf(c->login, sizeof c->login, "%s", login);
    c->password = xstrdup(password);
    cJSON_Delete(body);
    req->ctx = c;
    req->ctx_free = route_login_free;
    c->job.run = route_login_verify;
    c->job.ctx = c;
    http_defer(req);
    worker_submit(&c->job);
}

static enum store_result route_logout_run(struct store *w, struct http_request *req)
{
    enum store_result r = store_token_delete(w, req->caller.token_hash);
    if (r != STORE_OK && r != STORE_NOT_FOUND)
        return r;
    int left = 0;
    if (req->caller.role == ROLE_AGENT && store_token_count(w, req->caller.user_id, &left) == STORE_OK &&
        left == 0) {
        r = dispatch_presence(w, req->caller.user_id, PRESENCE_LOGGED_OUT, clock_now());
        if (r != STORE_OK)
            return r;
    }
    /* carried out when the batch commits, before its events (the presence
     * above among them) are published */
    events_end_token(req->caller.token_hash);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "logged_out", true);
    http_reply_json(req, 200, o);
    return STORE_OK;
}

void route_logout(struct http_request *req)
{
    http_engine(req, route_logout_run);
}
