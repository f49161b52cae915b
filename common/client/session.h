/*
 * session.h — a console's session with cbd: the login, the token, and the
 * event stream kept open. When the stream drops, it is opened again by
 * itself after 1, 2, 4, then every 8 seconds, with Last-Event-ID so the
 * server replays what was missed (or sends "reset" when it cannot). Events
 * and changes of the connection go to the program's callbacks; a 401 on the
 * stream means the session ended.
 *
 * The session owns its HTTP client (http), through which the program sends
 * its own requests, with the token set.
 */
#ifndef CB_SESSION_H
#define CB_SESSION_H

#include <stdbool.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "httpc.h"
#include "sse.h"

enum session_conn { SESSION_DOWN, SESSION_CONNECTING, SESSION_UP };

struct session_ops {
    /* The login's reply (r->status 200 with {token, user}, or the error);
     * the token is set already when it succeeded. */
    void (*on_login)(void *ctx, const struct httpc_reply *r);
    /* An event: its type and its data as JSON (NULL when not JSON). */
    void (*on_event)(void *ctx, const char *type, const cJSON *data);
    /* The connection changed (see conn, conn_why, retry_at). */
    void (*on_conn)(void *ctx);
    /* The server no longer knows the token. */
    void (*on_lost)(void *ctx);
};

struct session {
    struct httpc *http; /* NULL until the first login */
    char token[128];
    bool logged_in;
    enum session_conn conn;
    char conn_why[256];
    time_t retry_at;
    int backoff_s;
    bool was_up; /* the stream was open once: a later open is a reconnection */
    struct sse_parser sse;
    const struct session_ops *ops;
    void *ctx;
};

void session_init(struct session *s, const struct session_ops *ops, void *ctx);
/* Sends the login to server (a new HTTP client when the server changed).
 * False with why set when the server URL is not one. Never from inside one
 * of the session's or its client's callbacks: it may free the client that
 * is calling (the same holds for session_free). */
bool session_login(struct session *s, const char *server, const char *user, const char *password,
                   const char **why);
/* After a successful login: keep the stream open from now on. */
void session_start(struct session *s);
/* Opens the stream again when it is due; call once per loop turn. */
void session_tick(struct session *s);
/* Forgets the token and drops every transfer (no callbacks). */
void session_end(struct session *s);
/* Sends POST /logout (done, ctx as for httpc_request) and drops the stream. */
void session_logout(struct session *s, httpc_done_fn *done, void *ctx, int tag);
void session_free(struct session *s);

#endif
