/*
 * httpc.h — the consoles' HTTP client: JSON requests to cbd and one
 * long-lived event stream, all on one libcurl multi handle, never blocking.
 *
 * The caller's loop asks httpc_timeout_ms() how long it may sleep, waits with
 * httpc_wait() (which also watches the caller's own descriptors: the
 * keyboard, a notification pipe), then calls httpc_run(), which moves every
 * transfer on and calls the completion callbacks of those that finished.
 * Callbacks run only inside httpc_run(), on the caller's thread.
 *
 * Replies: status 0 means the server was not reached (error says why, in
 * libcurl's words); otherwise the HTTP status, the body parsed as JSON when
 * it is JSON (json, owned by httpc and freed after the callback), and for an
 * error body its code, message and field. The token set with
 * httpc_set_token() goes with every request as a bearer token.
 */
#ifndef CB_HTTPC_H
#define CB_HTTPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <poll.h>

#include <cjson/cJSON.h>

struct httpc;

struct httpc_reply {
    long status;          /* HTTP status, or 0 when the server was not reached */
    const char *body;     /* the raw body, NUL-terminated ("" when none) */
    size_t body_len;
    const cJSON *json;    /* the body as JSON, or NULL */
    const char *code;     /* error code of an error body ("" when none) */
    const char *message;  /* its message, or the transport error ("" when none) */
    const char *field;    /* its field ("" when none) */
    const char *next;     /* the header X-Next-Cursor (a CSV page's cursor), "" when none */
};

/* Called once per request, inside httpc_run(). tag and arg are the caller's. */
typedef void httpc_done_fn(void *ctx, int tag, int64_t arg, const struct httpc_reply *r);
/* Event-stream bytes as they arrive; return false to drop the stream. */
typedef bool httpc_data_fn(void *ctx, const char *data, size_t len);
/* The stream ended: status as in a reply (200 when it had been open). */
typedef void httpc_end_fn(void *ctx, long status, const char *why);

/* base is the server's URL ("http://127.0.0.1:8080"), copied. The caller
 * owns the client and ends it with httpc_free(), which drops every transfer
 * without calling their callbacks. */
struct httpc *httpc_new(const char *base);
void httpc_free(struct httpc *h);
/* The bearer token (copied); NULL or "" for none. */
void httpc_set_token(struct httpc *h, const char *token);
const char *httpc_base(const struct httpc *h);

/* Starts METHOD base+path with body (may be NULL; not taken) as JSON.
 * done(ctx, tag, arg, reply) is called when it ends (after at most
 * timeout_s seconds, 10 when 0). */
void httpc_request(struct httpc *h, const char *method, const char *path, const cJSON *body,
                   int timeout_s, httpc_done_fn *done, void *ctx, int tag, int64_t arg);
/* Opens the event stream at path, sending last_id (if not empty) as
 * Last-Event-ID. One stream at a time: an open one is dropped first. A
 * stream with no byte for 45 s (the server sends a heartbeat every 15 s) is
 * taken as dead. */
void httpc_stream_open(struct httpc *h, const char *path, const char *last_id,
                       httpc_data_fn *data, httpc_end_fn *end, void *ctx);
/* Drops the stream without calling its end callback. */
void httpc_stream_close(struct httpc *h);
bool httpc_stream_active(const struct httpc *h);
/* Drops every request (not the stream) without calling their callbacks. */
void httpc_cancel_requests(struct httpc *h);
/* Requests under way. */
int httpc_pending(const struct httpc *h);

/* s escaped for a query string; the caller frees the result. */
char *httpc_escape(const char *s);

/* How long the caller may sleep before httpc_run() is due, in ms (-1: no
 * limit from libcurl). */
long httpc_timeout_ms(struct httpc *h);
/* Sleeps until a transfer or one of the caller's fds (events POLLIN, see
 * revents in fds) is ready or timeout_ms passes. fds may be NULL. */
void httpc_wait(struct httpc *h, struct pollfd *fds, unsigned nfds, int timeout_ms);
/* Moves every transfer on and calls the callbacks of those that ended. */
void httpc_run(struct httpc *h);

#endif
