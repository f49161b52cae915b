/*
 * httpc.c — the non-blocking HTTP client of httpc.h on libcurl's multi
 * interface. Each transfer is a struct httpc_xfer owned by the client until
 * it ends; its body grows in a buffer of its own (capped at 16 MiB). The
 * stream is a transfer like the others; its bytes gather in its buffer while
 * libcurl works and go to the caller from httpc_run() once libcurl has
 * returned, so that what the caller does with an event (start a request,
 * drop the stream) never runs inside libcurl's own callback, where libcurl
 * refuses new transfers and a freed handle would still be in use.
 */
#include "httpc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "serverclock.h"
#include "xalloc.h"

#define HTTPC_BODY_MAX (16 * 1024 * 1024)

struct httpc_xfer {
    struct httpc *h;
    CURL *easy;
    struct curl_slist *headers;
    char *req_body;
    char *buf;
    size_t len, cap;
    bool too_big;
    bool is_stream;
    bool stream_ok; /* the stream's reply is 200: its bytes are events */
    char errbuf[CURL_ERROR_SIZE];
    char next_cursor[128]; /* X-Next-Cursor */
    httpc_done_fn *done;
    void *ctx;
    int tag;
    int64_t arg;
    struct httpc_xfer *next;
};

struct httpc {
    CURLM *multi;
    char *base;
    char *auth; /* "Authorization: Bearer ..." or NULL */
    struct httpc_xfer *xfers;
    struct httpc_xfer *stream;
    httpc_data_fn *stream_data;
    httpc_end_fn *stream_end;
    void *stream_ctx;
    unsigned stream_gen; /* goes up whenever a stream opens or closes */
};

static int httpc_global_refs;

struct httpc *httpc_new(const char *base)
{
    if (httpc_global_refs++ == 0)
        curl_global_init(CURL_GLOBAL_DEFAULT);
    struct httpc *h = xcalloc(1, sizeof *h);
    h->multi = curl_multi_init();
    if (h->multi == NULL)
        abort();
    size_t n = strlen(base);
    while (n > 0 && base[n - 1] == '/')
        n--;
    h->base = xstrndup(base, n);
    return h;
}

static void httpc_xfer_free(struct httpc *h, struct httpc_xfer *x)
{
    struct httpc_xfer **pp = &h->xfers;
    while (*pp && *pp != x)
        pp = &(*pp)->next;
    if (*pp)
        *pp = x->next;
    if (h->stream == x) {
        h->stream = NULL;
        h->stream_gen++;
    }
    curl_multi_remove_handle(h->multi, x->easy);
    curl_easy_cleanup(x->easy);
    curl_slist_free_all(x->headers);
    free(x->req_body);
    free(x->buf);
    free(x);
}

void httpc_free(struct httpc *h)
{
    if (h == NULL)
        return;
    while (h->xfers)
        httpc_xfer_free(h, h->xfers);
    curl_multi_cleanup(h->multi);
    free(h->base);
    free(h->auth);
    free(h);
    if (--httpc_global_refs == 0)
        curl_global_cleanup();
}

void httpc_set_token(struct httpc *h, const char *token)
{
    free(h->auth);
    h->auth = (token && token[0]) ? xasprintf("Authorization: Bearer %s", token) : NULL;
}

const char *httpc_base(const struct httpc *h)
{
    return h->base;
}

static size_t httpc_write(char *data, size_t size, size_t nmemb, void *userp)
{
    struct httpc_xfer *x = userp;
    size_t n = size * nmemb;
    if (x->is_stream && !x->stream_ok) {
        long status = 0;
        curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
        x->stream_ok = status == 200;
        /* an error reply to the stream request: its body is kept like any */
    }
    if (x->len + n + 1 > HTTPC_BODY_MAX) {
        x->too_big = true;
        return 0;
    }
    if (x->len + n + 1 > x->cap) {
        size_t cap = x->cap ? x->cap : 4096;
        while (cap < x->len + n + 1)
            cap *= 2;
        x->buf = xrealloc(x->buf, cap);
        x->cap = cap;
    }
    memcpy(x->buf + x->len, data, n);
    x->len += n;
    x->buf[x->len] = '\0';
    return n;
}

/* When the header line data (n bytes) is "name: value", its value without
 * leading spaces and the line's end, cut to fit out. */
static bool httpc_header_value(const char *data, size_t n, const char *name, char *out,
                               size_t size)
{
    size_t i = strlen(name), k = 0;
    if (n <= i || strncasecmp(data, name, i) != 0)
        return false;
    while (i < n && data[i] == ' ')
        i++;
    while (i < n && data[i] != '\r' && data[i] != '\n' && k + 1 < size)
        out[k++] = data[i++];
    out[k] = '\0';
    return true;
}

/* Keeps the headers the consoles read: X-Next-Cursor, and Date for the
 * server's clock (serverclock.h). */
static size_t httpc_header(char *data, size_t size, size_t nmemb, void *userp)
{
    struct httpc_xfer *x = userp;
    size_t n = size * nmemb;
    char date[128];
    if (n < sizeof date && httpc_header_value(data, n, "date:", date, sizeof date)) {
        time_t t = curl_getdate(date, NULL);
        if (t > 0)
            serverclock_observe((int64_t)t);
    } else {
        httpc_header_value(data, n, "x-next-cursor:", x->next_cursor, sizeof x->next_cursor);
    }
    return n;
}

static struct httpc_xfer *httpc_xfer_new(struct httpc *h, const char *method, const char *path)
{
    struct httpc_xfer *x = xcalloc(1, sizeof *x);
    x->h = h;
    x->easy = curl_easy_init();
    if (x->easy == NULL)
        abort();
    char *url = xasprintf("%s%s", h->base, path);
    curl_easy_setopt(x->easy, CURLOPT_URL, url);
    free(url);
    curl_easy_setopt(x->easy, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(x->easy, CURLOPT_WRITEFUNCTION, httpc_write);
    curl_easy_setopt(x->easy, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(x->easy, CURLOPT_HEADERFUNCTION, httpc_header);
    curl_easy_setopt(x->easy, CURLOPT_HEADERDATA, x);
    curl_easy_setopt(x->easy, CURLOPT_PRIVATE, x);
    curl_easy_setopt(x->easy, CURLOPT_ERRORBUFFER, x->errbuf);
    curl_easy_setopt(x->easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(x->easy, CURLOPT_CONNECTTIMEOUT, 5L);
    curl_easy_setopt(x->easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(x->easy, CURLOPT_USERAGENT, "cb-console/" CB_VERSION);
    if (h->auth)
        x->headers = curl_slist_append(x->headers, h->auth);
    x->next = h->xfers;
    h->xfers = x;
    return x;
}

void httpc_request(struct httpc *h, const char *method, const char *path, const cJSON *body,
                   int timeout_s, httpc_done_fn *done, void *ctx, int tag, int64_t arg)
{
    struct httpc_xfer *x = httpc_xfer_new(h, method, path);
    x->done = done;
    x->ctx = ctx;
    x->tag = tag;
    x->arg = arg;
    if (body) {
        x->req_body = cJSON_PrintUnformatted(body);
        if (x->req_body == NULL)
            abort();
        x->headers = curl_slist_append(x->headers, "Content-Type: application/json");
        curl_easy_setopt(x->easy, CURLOPT_POSTFIELDS, x->req_body);
    } else if (strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0) {
        curl_easy_setopt(x->easy, CURLOPT_POSTFIELDS, "");
    }
    if (strcmp(method, "GET") == 0)
        curl_easy_setopt(x->easy, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, x->headers);
    curl_easy_setopt(x->easy, CURLOPT_TIMEOUT, (long)(timeout_s > 0 ? timeout_s : 10));
    if (curl_multi_add_handle(h->multi, x->easy) != CURLM_OK)
        abort(); /* only from inside a libcurl callback, which httpc never calls back from */
}

void httpc_stream_open(struct httpc *h, const char *path, const char *last_id,
                       httpc_data_fn *data, httpc_end_fn *end, void *ctx)
{
    httpc_stream_close(h);
    struct httpc_xfer *x = httpc_xfer_new(h, "GET", path);
    x->is_stream = true;
    h->stream = x;
    h->stream_gen++;
    h->stream_data = data;
    h->stream_end = end;
    h->stream_ctx = ctx;
    x->headers = curl_slist_append(x->headers, "Accept: text/event-stream");
    if (last_id && last_id[0]) {
        char *hdr = xasprintf("Last-Event-ID: %s", last_id);
        x->headers = curl_slist_append(x->headers, hdr);
        free(hdr);
    }
    curl_easy_setopt(x->easy, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, x->headers);
    curl_easy_setopt(x->easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(x->easy, CURLOPT_LOW_SPEED_TIME, 45L);
    curl_multi_add_handle(h->multi, x->easy);
}

void httpc_stream_close(struct httpc *h)
{
    if (h->stream)
        httpc_xfer_free(h, h->stream);
}

bool httpc_stream_active(const struct httpc *h)
{
    return h->stream != NULL;
}

void httpc_cancel_requests(struct httpc *h)
{
    struct httpc_xfer *x = h->xfers;
    while (x) {
        struct httpc_xfer *next = x->next;
        if (!x->is_stream)
            httpc_xfer_free(h, x);
        x = next;
    }
}

int httpc_pending(const struct httpc *h)
{
    int n = 0;
    for (const struct httpc_xfer *x = h->xfers; x; x = x->next)
        n += !x->is_stream;
    return n;
}

long httpc_timeout_ms(struct httpc *h)
{
    long ms = -1;
    curl_multi_timeout(h->multi, &ms);
    return ms;
}

void httpc_wait(struct httpc *h, struct pollfd *fds, unsigned nfds, int timeout_ms)
{
    struct curl_waitfd extra[8];
    if (nfds > 8)
        nfds = 8;
    for (unsigned i = 0; i < nfds; i++) {
        extra[i].fd = fds[i].fd;
        extra[i].events = CURL_WAIT_POLLIN;
        extra[i].revents = 0;
    }
    int numfds = 0;
    curl_multi_poll(h->multi, extra, nfds, timeout_ms < 0 ? 1000 : timeout_ms, &numfds);
    for (unsigned i = 0; i < nfds; i++)
        fds[i].revents = (extra[i].revents & CURL_WAIT_POLLIN) ? POLLIN : 0;
}

static void httpc_stream_deliver(struct httpc *h);

static void httpc_finish(struct httpc *h, struct httpc_xfer *x, CURLcode rc)
{
    long status = 0;
    curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
    if (x->is_stream) {
        if (x->stream_ok) {
            unsigned gen = h->stream_gen;
            httpc_stream_deliver(h); /* the last bytes before the end */
            if (h->stream_gen != gen)
                return; /* the caller dropped it meanwhile (and freed x) */
        }
        httpc_end_fn *end = h->stream_end;
        void *ctx = h->stream_ctx;
        char why[CURL_ERROR_SIZE + 64];
        if (rc == CURLE_OK || status != 200)
            snprintf(why, sizeof why, "%s", status == 200 ? "the server ended the stream" : "");
        else
            snprintf(why, sizeof why, "%s", x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc));
        if (status != 200 && x->buf) {
            cJSON *j = cJSON_ParseWithLength(x->buf, x->len);
            const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
            const cJSON *m = cJSON_GetObjectItemCaseSensitive(e, "message");
            if (cJSON_IsString(m))
                snprintf(why, sizeof why, "%s", m->valuestring);
            cJSON_Delete(j);
        }
        if (rc != CURLE_OK && status != 200 && why[0] == '\0')
            snprintf(why, sizeof why, "%s", x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc));
        httpc_xfer_free(h, x);
        end(ctx, rc == CURLE_OK || status == 200 ? status : 0, why);
        return;
    }
    struct httpc_reply r = {.status = 0, .body = "", .code = "", .message = "", .field = "", .next = x->next_cursor};
    cJSON *json = NULL;
    if (rc != CURLE_OK || status == 0) {
        r.message = x->too_big ? "the reply is too large"
                               : (x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc));
    } else {
        r.status = status;
        if (x->buf) {
            r.body = x->buf;
            r.body_len = x->len;
            json = cJSON_ParseWithLength(x->buf, x->len);
        }
        r.json = json;
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(json, "error");
        if (status >= 400 && cJSON_IsObject(e)) {
            const cJSON *c = cJSON_GetObjectItemCaseSensitive(e, "code");
            const cJSON *m = cJSON_GetObjectItemCaseSensitive(e, "message");
            const cJSON *f = cJSON_GetObjectItemCaseSensitive(e, "field");
            r.code = cJSON_IsString(c) ? c->valuestring : "";
            r.message = cJSON_IsString(m) ? m->valuestring : "";
            r.field = cJSON_IsString(f) ? f->valuestring : "";
        } else if (status >= 400) {
            r.message = "the server answered with an error";
        }
    }
    httpc_done_fn *done = x->done;
    void *ctx = x->ctx;
    int tag = x->tag;
    int64_t arg = x->arg;
    /* the transfer is unlinked before the callback, which may start others
     * or cancel everything; the reply's strings live until it returns */
    struct httpc_xfer **pp = &h->xfers;
    while (*pp && *pp != x)
        pp = &(*pp)->next;
    if (*pp)
        *pp = x->next;
    x->next = NULL;
    curl_multi_remove_handle(h->multi, x->easy);
    if (done)
        done(ctx, tag, arg, &r);
    cJSON_Delete(json);
    curl_easy_cleanup(x->easy);
    curl_slist_free_all(x->headers);
    free(x->req_body);
    free(x->buf);
    free(x);
}

/* Hands the stream's bytes gathered during curl_multi_perform() to the
 * caller; the caller may close or reopen the stream meanwhile. */
static void httpc_stream_deliver(struct httpc *h)
{
    struct httpc_xfer *x = h->stream;
    if (x == NULL || !x->stream_ok || x->len == 0)
        return;
    char *data = x->buf;
    size_t len = x->len;
    x->buf = NULL;
    x->len = x->cap = 0;
    unsigned gen = h->stream_gen;
    bool keep = h->stream_data(h->stream_ctx, data, len);
    free(data);
    if (!keep && h->stream_gen == gen) {
        /* bytes the caller cannot read: the stream ends like any drop, so
         * the caller backs off before opening it again */
        httpc_end_fn *end = h->stream_end;
        void *ctx = h->stream_ctx;
        httpc_stream_close(h);
        end(ctx, 0, "the event stream could not be read");
    }
}

void httpc_run(struct httpc *h)
{
    int running = 0;
    curl_multi_perform(h->multi, &running);
    httpc_stream_deliver(h);
    CURLMsg *m;
    int left = 0;
    while ((m = curl_multi_info_read(h->multi, &left)) != NULL) {
        if (m->msg != CURLMSG_DONE)
            continue;
        struct httpc_xfer *x = NULL;
        curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&x);
        CURLcode rc = m->data.result;
        if (x)
            httpc_finish(h, x, rc);
    }
}

char *httpc_escape(const char *s)
{
    char *e = curl_easy_escape(NULL, s, 0);
    if (e == NULL)
        abort();
    char *out = xstrdup(e);
    curl_free(e);
    return out;
}
