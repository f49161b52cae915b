/*
 * http.h — cbd's HTTP layer over libmicrohttpd: one struct http_request per
 * request, the body read up to 64 KiB, the route table consulted, the
 * caller authenticated and the role checked before any handler runs, and
 * replies built as JSON (or text) by the functions below.
 *
 * A handler either replies at once (http_reply_*) or defers: it calls
 * http_defer(), hands req->cmd to the engine, and the engine's done()
 * replies and calls http_resume(). A request and everything hanging off it
 * is freed when libmicrohttpd reports the request complete.
 */
#ifndef CBD_HTTP_H
#define CBD_HTTP_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "json.h"
#include "jsonw.h"
#include "vocab.h"

#define HTTP_BODY_MAX (64 * 1024)
#define HTTP_MAX_PARAMS 4

struct MHD_Connection;
struct MHD_Response;
struct route;

/* Who is calling: filled from the bearer token before the handler runs. */
struct http_caller {
    int64_t user_id;
    char login[64];
    enum role role;
    bool can_schedule;
    unsigned char token_hash[32];
};

struct http_request;
typedef enum store_result http_engine_fn(struct store *writer, struct http_request *req);

struct http_request {
    struct MHD_Connection *conn;
    const char *method;
    const char *path;
    const struct route *route;
    const char *params[HTTP_MAX_PARAMS]; /* {captures} of the route pattern */
    char *path_copy;                     /* owns the strings params point into */
    char *body;
    size_t body_len;
    bool body_too_large;
    struct http_caller caller;
    bool authenticated;
    char client_addr[64];
    int64_t started_ms;
    unsigned status;
    struct MHD_Response *response; /* ready to queue */
    bool suspended;
    struct engine_cmd cmd;   /* for handlers that defer to the engine */
    http_engine_fn *engine_fn;
    void *ctx;               /* a handler's own state */
    void (*ctx_free)(void *ctx);
    struct store *reading;   /* this thread's reader, its snapshot open from the
                              * token lookup until the handler returns */
};

struct http_config {
    const char *listen;    /* "HOST:PORT"; port 0 picks a free one */
    const char *tls_cert;  /* PEM file paths, both or neither */
    const char *tls_key;
    unsigned threads;      /* 0: one per core */
};

/* Starts serving; writes the bound "http://HOST:PORT" into url. False with
 * a reason in err. */
bool http_start(const struct http_config *cfg, char *url, size_t url_size, char *err,
                size_t err_size);
/* Stops accepting, waits (up to timeout_ms) for requests in flight, stops. */
void http_stop(int timeout_ms);

/* Replies; each takes ownership of what it is given. */
void http_reply_json(struct http_request *req, unsigned status, cJSON *root);
/* Replies with the text of a JSON writer (jsonw.h), which is emptied. */
void http_reply_jsonw(struct http_request *req, unsigned status, struct jsonw *w);
void http_reply_text(struct http_request *req, unsigned status, const char *content_type,
                     char *text, size_t len);
/* The error body of DESIGN.md §5, status from the error table; field may be
 * NULL. message NULL means the code's default message. */
void http_reply_error(struct http_request *req, enum error_code code, const char *field,
                      const char *message);
/* A field error from a json getter: 422 naming err->field. */
void http_reply_field_error(struct http_request *req, const struct json_error *err);
/* Replies with a response built by the caller (a stream: events.c); takes
 * ownership of resp. */
void http_reply_response(struct http_request *req, unsigned status, struct MHD_Response *resp);
/* Adds a header to the reply that was just built. */
void http_add_header(struct http_request *req, const char *name, const char *value);

/* The parsed JSON body (an object), or NULL after replying 400. The tree
 * belongs to the caller (cJSON_Delete). */
cJSON *http_body_json(struct http_request *req);
/* Reads the query string into values[] (values[i] for names[i], NULL when
 * absent, "" for a name without a value). False with err naming the first
 * parameter that is not in names ("unknown parameter") or comes twice
 * ("given twice"). */
bool http_query_args(struct http_request *req, const char *const *names, int count,
                     const char **values, struct json_error *err);
/* A query-string argument or a request header; NULL when absent. */
const char *http_query(struct http_request *req, const char *name);
const char *http_header(struct http_request *req, const char *name);

/* Suspends the connection until http_resume(); call before handing the
 * request to another thread. */
void http_defer(struct http_request *req);
/* Resumes a deferred request whose reply has been set; any thread. */
void http_resume(struct http_request *req);

/* Runs run(writer, req) on the engine thread inside the batch's
 * transaction, then resumes the request. run builds the reply itself; if it
 * returns anything but STORE_OK its changes are rolled back (and it must
 * have set an error reply). If the batch fails to commit, the reply becomes
 * a 500 whatever run said. */
void http_engine(struct http_request *req, http_engine_fn *run);
/* The same for a request that is already deferred (req->engine_fn set). */
void http_engine_resubmit(struct http_request *req);

/* Requests in flight (for /metrics and shutdown). */
unsigned http_in_flight(void);

#endif
