/*
 * session.c — the login and the self-healing event stream of session.h.
 */
#include "session.h"

#include <stdio.h>
#include <string.h>

#include "clientconf.h"

#define SESSION_LOGIN_TAG 1

static void session_event(void *ctx, const struct sse_event *ev)
{
    struct session *s = ctx;
    cJSON *data = cJSON_ParseWithLength(ev->data, ev->data_len);
    s->ops->on_event(s->ctx, ev->event, data);
    cJSON_Delete(data);
}

static void session_comment(void *ctx, const char *text)
{
    struct session *s = ctx;
    /* ": ok BOOT-SEQ": where the stream starts. A console that has seen no
     * event yet resumes from there after a drop, so that a restarted server
     * answers with "reset" instead of leaving what changed meanwhile unsaid */
    if (strncmp(text, "ok ", 3) == 0 && sse_last_id(&s->sse)[0] == '\0')
        sse_set_last_id(&s->sse, text + 3);
    if (strncmp(text, "ok", 2) == 0 && s->conn != SESSION_UP) {
        s->conn = SESSION_UP;
        s->conn_why[0] = '\0';
        s->backoff_s = 0;
        s->ops->on_conn(s->ctx);
        s->was_up = true;
    }
}

void session_init(struct session *s, const struct session_ops *ops, void *ctx)
{
    memset(s, 0, sizeof *s);
    s->ops = ops;
    s->ctx = ctx;
    s->conn = SESSION_DOWN;
    sse_init(&s->sse, session_event, session_comment, s);
}

static void session_login_done(void *ctx, int tag, int64_t arg, const struct httpc_reply *r)
{
    struct session *s = ctx;
    (void)tag;
    (void)arg;
    if (r->status == 200) {
        const cJSON *tok = cJSON_GetObjectItemCaseSensitive(r->json, "token");
        snprintf(s->token, sizeof s->token, "%s", cJSON_IsString(tok) ? tok->valuestring : "");
        httpc_set_token(s->http, s->token);
        s->logged_in = true;
    }
    s->ops->on_login(s->ctx, r);
}

bool session_login(struct session *s, const char *server, const char *user, const char *password,
                   const char **why)
{
    if (!clientconf_server_ok(server, why))
        return false;
    size_t n = strlen(server);
    while (n > 0 && server[n - 1] == '/')
        n--; /* httpc keeps the base without its trailing slashes */
    if (s->http == NULL || strlen(httpc_base(s->http)) != n || strncmp(httpc_base(s->http), server, n) != 0) {
        httpc_free(s->http);
        s->http = httpc_new(server);
    }
    session_end(s);
    cJSON *body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "user", user);
    cJSON_AddStringToObject(body, "password", password);
    httpc_request(s->http, "POST", "/api/v1/login", body, 15, session_login_done, s,
                  SESSION_LOGIN_TAG, 0);
    cJSON *pw = cJSON_GetObjectItemCaseSensitive(body, "password");
    memset(pw->valuestring, 0, strlen(pw->valuestring));
    cJSON_Delete(body);
    return true;
}

static bool session_data(void *ctx, const char *data, size_t len)
{
    struct session *s = ctx;
    return sse_feed(&s->sse, data, len);
}

static void session_stream_end(void *ctx, long status, const char *why)
{
    struct session *s = ctx;
    if (status == 401) {
        session_end(s);
        s->ops->on_lost(s->ctx);
        return;
    }
    s->conn = SESSION_DOWN;
    snprintf(s->conn_why, sizeof s->conn_why, "%s", why && why[0] ? why : "connection lost");
    s->backoff_s = s->backoff_s == 0 ? 1 : (s->backoff_s >= 8 ? 8 : s->backoff_s * 2);
    s->retry_at = time(NULL) + s->backoff_s;
    s->ops->on_conn(s->ctx);
}

static void session_open_stream(struct session *s)
{
    char last[SSE_ID_MAX];
    snprintf(last, sizeof last, "%s", sse_last_id(&s->sse));
    sse_restart(&s->sse);
    s->conn = SESSION_CONNECTING;
    httpc_stream_open(s->http, "/api/v1/events", last, session_data, session_stream_end, s);
    s->ops->on_conn(s->ctx);
}

void session_start(struct session *s)
{
    s->backoff_s = 0;
    s->retry_at = 0;
    s->was_up = false;
    sse_set_last_id(&s->sse, "");
    session_open_stream(s);
}

void session_tick(struct session *s)
{
    if (s->logged_in && s->http && !httpc_stream_active(s->http) && time(NULL) >= s->retry_at)
        session_open_stream(s);
}

void session_end(struct session *s)
{
    if (s->http) {
        httpc_stream_close(s->http);
        httpc_cancel_requests(s->http);
        httpc_set_token(s->http, NULL);
    }
    memset(s->token, 0, sizeof s->token);
    s->logged_in = false;
    s->conn = SESSION_DOWN;
    s->conn_why[0] = '\0';
}

void session_logout(struct session *s, httpc_done_fn *done, void *ctx, int tag)
{
    if (s->http == NULL)
        return;
    httpc_stream_close(s->http);
    httpc_request(s->http, "POST", "/api/v1/logout", NULL, 3, done, ctx, tag, 0);
    s->logged_in = false;
}

void session_free(struct session *s)
{
    httpc_free(s->http);
    s->http = NULL;
    sse_free(&s->sse);
}
