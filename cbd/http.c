/*
 * http.c — libmicrohttpd glue (see http.h): the listening socket, the daemon
 * and its limits, the per-request context, body accumulation with the
 * 64 KiB cap, authentication and the role check, suspend / resume for
 * deferred replies, and graceful shutdown.
 *
 * Order of checks for every request: the body size (413, from
 * Content-Length before the body is read, or once it passes 64 KiB), the
 * route (404 / 405), the caller's token (401), the role (403); only then
 * does a handler look anything up — so 403 comes before 404 for a resource.
 */
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "auth.h"
#include "clock.h"
#include "log.h"
#include "metrics.h"
#include "router.h"
#include "store.h"
#include "xalloc.h"

static struct MHD_Daemon *http_daemon;
static atomic_uint http_requests_in_flight;
static char *http_tls_cert_pem, *http_tls_key_pem;

unsigned http_in_flight(void)
{
    return atomic_load(&http_requests_in_flight);
}

/* ---- replies ------------------------------------------------------------- */

static void http_set_response(struct http_request *req, unsigned status,
                              struct MHD_Response *resp)
{
    if (req->response)
        MHD_destroy_response(req->response);
    req->response = resp;
    req->status = status;
}

void http_reply_response(struct http_request *req, unsigned status, struct MHD_Response *resp)
{
    http_set_response(req, status, resp);
}

void http_reply_text(struct http_request *req, unsigned status, const char *content_type,
                     char *text, size_t len)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    http_set_response(req, status, resp);
}

void http_reply_json(struct http_request *req, unsigned status, cJSON *root)
{
    char *text = json_print(root);
    cJSON_Delete(root);
    http_reply_text(req, status, "application/json; charset=utf-8", text, strlen(text));
}

void http_reply_jsonw(struct http_request *req, unsigned status, struct jsonw *w)
{
    size_t len;
    char *text = jsonw_take(w, &len);
    http_reply_text(req, status, "application/json; charset=utf-8", text, len);
}

void http_reply_error(struct http_request *req, enum error_code code, const char *field,
                      const char *message)
{
    http_reply_json(req, (unsigned)error_http_status(code),
                    json_error_body(error_wire(code), message ? message : error_message(code),
                                    field));
}

void http_reply_field_error(struct http_request *req, const struct json_error *err)
{
    http_reply_error(req, ERR_INVALID_FIELD, err->field[0] ? err->field : NULL, err->message);
}

void http_add_header(struct http_request *req, const char *name, const char *value)
{
    if (req->response)
        MHD_add_response_header(req->response, name, value);
}

cJSON *http_body_json(struct http_request *req)
{
    struct json_error err;
    cJSON *root = json_parse_body(req->body ? req->body : "", req->body_len, &err);
    if (root == NULL)
        http_reply_error(req, ERR_BAD_REQUEST, err.field[0] ? err.field : NULL, err.message);
    return root;
}

struct http_query_walk {
    const char *const *names;
    int count;
    const char **values;
    char bad[64];        /* the first unknown or repeated parameter */
    const char *problem; /* what is wrong with it */
};

static enum MHD_Result http_query_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value)
{
    (void)kind;
    struct http_query_walk *q = cls;
    if (q->problem)
        return MHD_YES;
    for (int i = 0; i < q->count; i++)
        if (strcmp(key, q->names[i]) == 0) {
            if (q->values[i]) {
                q->problem = "given twice";
                snprintf(q->bad, sizeof q->bad, "%.63s", key);
            } else {
                q->values[i] = value ? value : "";
            }
            return MHD_YES;
        }
    q->problem = "unknown parameter";
    snprintf(q->bad, sizeof q->bad, "%.63s", key);
    return MHD_YES;
}

bool http_query_args(struct http_request *req, const char *const *names, int count,
                     const char **values, struct json_error *err)
{
    struct http_query_walk q = {names, count, values, "", NULL};
    for (int i = 0; i < count; i++)
        values[i] = NULL;
    MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, http_query_arg, &q);
    if (q.problem) {
        json_error_set(err, q.bad, "%s", q.problem);
        return false;
    }
    return true;
}

const char *http_query(struct http_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_header(struct http_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

void http_defer(struct http_request *req)
{
    req->suspended = true;
    MHD_suspend_connection(req->conn);
}

void http_resume(struct http_request *req)
{
    MHD_resume_connection(req->conn);
}

static enum store_result http_engine_run(struct store *writer, struct engine_cmd *cmd)
{
    struct http_request *req = cmd->ctx;
    enum store_result r = req->engine_fn(writer, req);
    if (r != STORE_OK && req->response == NULL)
        http_reply_error(req, ERR_INTERNAL, NULL, "storage error");
    return r;
}

static void http_engine_done(struct engine_cmd *cmd)
{
    struct http_request *req = cmd->ctx;
    if (cmd->result == STORE_ERROR)
        http_reply_error(req, ERR_INTERNAL, NULL, "storage error; nothing was changed");
    http_resume(req);
}

void http_engine_resubmit(struct http_request *req)
{
    req->cmd.run = http_engine_run;
    req->cmd.done = http_engine_done;
    req->cmd.ctx = req;
    engine_submit(&req->cmd);
}

void http_engine(struct http_request *req, http_engine_fn *run)
{
    req->engine_fn = run;
    http_defer(req);
    http_engine_resubmit(req);
}

/* ---- the request cycle --------------------------------------------------- */

static void http_request_free(struct http_request *req)
{
    if (req->ctx_free)
        req->ctx_free(req->ctx);
    if (req->response)
        MHD_destroy_response(req->response);
    free(req->body);
    free(req->path_copy);
    free(req);
}

static enum MHD_Result http_queue(struct http_request *req)
{
    if (clock_is_test()) {
        /* the consoles take the server's clock from Date (serverclock.h):
         * on the test clock, say its time, not libmicrohttpd's real one */
        static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
        static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
        char date[64];
        time_t now = (time_t)clock_now();
        struct tm tm;
        gmtime_r(&now, &tm);
        snprintf(date, sizeof date, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday],
                 tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                 tm.tm_sec);
        MHD_add_response_header(req->response, MHD_HTTP_HEADER_DATE, date);
    }
    enum MHD_Result r = MHD_queue_response(req->conn, req->status, req->response);
    MHD_destroy_response(req->response);
    req->response = NULL;
    return r;
}

static void http_client_addr(struct http_request *req)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    req->client_addr[0] = '\0';
    if (ci == NULL || ci->client_addr == NULL)
        return;
    getnameinfo(ci->client_addr,
                ci->client_addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                                       : sizeof(struct sockaddr_in),
                req->client_addr, sizeof req->client_addr, NULL, 0, NI_NUMERICHOST);
}

/* Route, token and role, in that order. True when the handler may run;
 * otherwise a reply is set. */
static bool http_admit(struct http_request *req)
{
    char allow[128];
    switch (router_match(req, allow, sizeof allow)) {
    case ROUTER_NOT_FOUND:
        http_reply_error(req, ERR_NOT_FOUND, NULL, "no such route");
        return false;
    case ROUTER_BAD_METHOD:
        http_reply_error(req, ERR_METHOD_NOT_ALLOWED, NULL, NULL);
        http_add_header(req, MHD_HTTP_HEADER_ALLOW, allow);
        return false;
    case ROUTER_FOUND:
        break;
    }
    if (req->route->roles == ROUTE_PUBLIC)
        return true;
    const char *authz = http_header(req, MHD_HTTP_HEADER_AUTHORIZATION);
    if (authz == NULL || strncasecmp(authz, "Bearer ", 7) != 0) {
        http_reply_error(req, ERR_UNAUTHORIZED, NULL, "missing bearer token; log in first");
        http_add_header(req, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
        return false;
    }
    /* one snapshot for the token and the handler's reads (they nest in it):
     * each snapshot costs SQLite a lock and an unlock of the WAL index */
    req->reading = store_reader();
    if (req->reading)
        store_read_begin(req->reading);
    switch (auth_resolve(authz + 7, &req->caller)) {
    case AUTH_OK:
        break;
    case AUTH_UNAVAILABLE:
        http_reply_error(req, ERR_UNAVAILABLE, NULL, "the store is unavailable");
        return false;
    default:
        http_reply_error(req, ERR_UNAUTHORIZED, NULL, "invalid or expired token; log in again");
        http_add_header(req, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
        return false;
    }
    req->authenticated = true;
    if (!(req->route->roles & ROUTE_ROLE(req->caller.role))) {
        http_reply_error(req, ERR_FORBIDDEN, NULL, NULL);
        return false;
    }
    return true;
}

static enum MHD_Result http_access(void *cls, struct MHD_Connection *conn, const char *url,
                                   const char *method, const char *version,
                                   const char *upload_data, size_t *upload_data_size,
                                   void **con_cls)
{
    (void)cls;
    (void)version;
    struct http_request *req = *con_cls;
    if (req == NULL) {
        req = xcalloc(1, sizeof *req);
        req->conn = conn;
        req->method = method;
        req->path = url;
        req->started_ms = clock_mono_ms();
        *con_cls = req;
        atomic_fetch_add(&http_requests_in_flight, 1);
        http_client_addr(req);
        const char *len = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                      MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (len && strtoull(len, NULL, 10) > HTTP_BODY_MAX) {
            /* refuse before reading: libmicrohttpd discards the body and
             * closes the connection */
            http_reply_error(req, ERR_PAYLOAD_TOO_LARGE, NULL, NULL);
            return http_queue(req);
        }
        return MHD_YES;
    }
    if (req->response && !req->suspended)
        return http_queue(req);
    if (req->suspended) { /* resumed: the reply is ready */
        req->suspended = false;
        if (req->response == NULL)
            http_reply_error(req, ERR_INTERNAL, NULL, NULL);
        return http_queue(req);
    }
    if (*upload_data_size > 0) {
        size_t n = *upload_data_size;
        if (!req->body_too_large && req->body_len + n <= HTTP_BODY_MAX) {
            req->body = xrealloc(req->body, req->body_len + n + 1);
            memcpy(req->body + req->body_len, upload_data, n);
            req->body_len += n;
            req->body[req->body_len] = '\0';
        } else if (!req->body_too_large) {
            req->body_too_large = true;
            free(req->body);
            req->body = NULL;
            req->body_len = 0;
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    /* the whole request is here */
    if (req->body_too_large)
        http_reply_error(req, ERR_PAYLOAD_TOO_LARGE, NULL, NULL);
    else if (http_admit(req))
        req->route->handler(req);
    if (req->reading) {
        store_read_end(req->reading);
        req->reading = NULL;
    }
    if (req->suspended)
        return MHD_YES;
    if (req->response == NULL)
        http_reply_error(req, ERR_INTERNAL, NULL, "handler gave no reply");
    return http_queue(req);
}

static void http_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                           enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    struct http_request *req = *con_cls;
    if (req == NULL)
        return;
    metrics_request(req->route ? (int)router_index(req->route) : -1, req->status,
                    clock_mono_ms() - req->started_ms);
    http_request_free(req);
    *con_cls = NULL;
    atomic_fetch_sub(&http_requests_in_flight, 1);
}

static void http_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char buf[512];
    vsnprintf(buf, sizeof buf, fmt, ap);
    size_t n = strlen(buf);
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = '\0';
    log_debug("libmicrohttpd: %s", buf);
}

/* ---- the listening socket ---------------------------------------------- */

/* Splits "HOST:PORT" or "[V6]:PORT"; false on a malformed value. */
static bool http_split_listen(const char *addr, char *host, size_t host_size, char *port,
                              size_t port_size)
{
    const char *colon;
    if (addr[0] == '[') {
        const char *end = strchr(addr, ']');
        if (end == NULL || end[1] != ':')
            return false;
        snprintf(host, host_size, "%.*s", (int)(end - addr - 1), addr + 1);
        colon = end + 1;
    } else {
        colon = strrchr(addr, ':');
        if (colon == NULL)
            return false;
        snprintf(host, host_size, "%.*s", (int)(colon - addr), addr);
    }
    snprintf(port, port_size, "%s", colon + 1);
    if (host[0] == '\0' || port[0] == '\0' || strspn(port, "0123456789") != strlen(port) ||
        atoi(port) > 65535)
        return false;
    return true;
}

static int http_listen_socket(const char *addr, bool tls, char *url, size_t url_size, char *err,
                              size_t err_size)
{
    char host[256], port[16];
    if (!http_split_listen(addr, host, sizeof host, port, sizeof port)) {
        snprintf(err, err_size, "listen: '%s' is not HOST:PORT", addr);
        return -1;
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        snprintf(err, err_size, "listen: %s: %s", host, gai_strerror(rc));
        return -1;
    }
    int fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd >= 0)
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd < 0 || bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, 1024) != 0) {
        snprintf(err, err_size, "listen: %s: %s", addr, strerror(errno));
        if (fd >= 0)
            close(fd);
        freeaddrinfo(res);
        return -1;
    }
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    getsockname(fd, (struct sockaddr *)&ss, &sl);
    char h[INET6_ADDRSTRLEN + 2] = "", p[16] = "";
    getnameinfo((struct sockaddr *)&ss, sl, h, sizeof h, p, sizeof p,
                NI_NUMERICHOST | NI_NUMERICSERV);
    snprintf(url, url_size, "%s://%s%s%s:%s", tls ? "https" : "http", ss.ss_family == AF_INET6 ? "[" : "", h,
             ss.ss_family == AF_INET6 ? "]" : "", p);
    freeaddrinfo(res);
    return fd;
}

static char *http_read_file(const char *path, char *err, size_t err_size)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(err, err_size, "%s: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = NULL;
    size_t len = 0, cap = 0, n;
    char chunk[4096];
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (len + n + 1 > cap) {
            cap = (len + n + 1) * 2;
            buf = xrealloc(buf, cap);
        }
        memcpy(buf + len, chunk, n);
        len += n;
    }
    fclose(f);
    if (buf == NULL) {
        snprintf(err, err_size, "%s: empty file", path);
        return NULL;
    }
    buf[len] = '\0';
    return buf;
}

/* Raises the descriptor limit to its hard maximum; returns the soft limit. */
static unsigned http_raise_nofile(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return 1024;
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    return rl.rlim_cur > 1000000 ? 1000000 : (unsigned)rl.rlim_cur;
}

bool http_start(const struct http_config *cfg, char *url, size_t url_size, char *err,
                size_t err_size)
{
    bool tls = cfg->tls_cert && cfg->tls_key;
    if ((cfg->tls_cert == NULL) != (cfg->tls_key == NULL)) {
        snprintf(err, err_size, "tls-cert and tls-key go together");
        return false;
    }
    if (tls) {
        http_tls_cert_pem = http_read_file(cfg->tls_cert, err, err_size);
        http_tls_key_pem = http_tls_cert_pem ? http_read_file(cfg->tls_key, err, err_size) : NULL;
        if (http_tls_key_pem == NULL)
            return false;
    }
    int fd = http_listen_socket(cfg->listen, tls, url, url_size, err, err_size);
    if (fd < 0)
        return false;
    unsigned nofile = http_raise_nofile();
    unsigned threads = cfg->threads;
    if (threads == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (unsigned)n : 2;
    }
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    if (tls)
        flags |= MHD_USE_TLS;
    struct MHD_OptionItem opts[] = {
        {MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)http_log, NULL},
        {MHD_OPTION_LISTEN_SOCKET, fd, NULL},
        {MHD_OPTION_THREAD_POOL_SIZE, threads, NULL},
        {MHD_OPTION_CONNECTION_LIMIT, nofile > 64 ? nofile - 64 : nofile, NULL},
        {MHD_OPTION_CONNECTION_MEMORY_LIMIT, 8 * 1024, NULL},
        {MHD_OPTION_PER_IP_CONNECTION_LIMIT, 0, NULL},
        {MHD_OPTION_CONNECTION_TIMEOUT, 120, NULL},
        {MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024, NULL},
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)http_completed, NULL},
        {tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, http_tls_cert_pem},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, http_tls_key_pem},
        {MHD_OPTION_END, 0, NULL},
    };
    http_daemon = MHD_start_daemon(flags, 0, NULL, NULL, http_access, NULL, MHD_OPTION_ARRAY,
                                   opts, MHD_OPTION_END);
    if (http_daemon == NULL) {
        snprintf(err, err_size, "cannot start the HTTP server on %s", cfg->listen);
        close(fd);
        return false;
    }
    return true;
}

void http_stop(int timeout_ms)
{
    if (http_daemon == NULL)
        return;
    MHD_socket fd = MHD_quiesce_daemon(http_daemon);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    for (int waited = 0; http_in_flight() > 0 && waited < timeout_ms; waited += 10)
        usleep(10 * 1000);
    MHD_stop_daemon(http_daemon);
    http_daemon = NULL;
    free(http_tls_cert_pem);
    free(http_tls_key_pem);
    http_tls_cert_pem = http_tls_key_pem = NULL;
}
