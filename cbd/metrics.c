/*
 * metrics.c — request counters and the /metrics page (see metrics.h).
 * Counters are fixed arrays of atomics indexed by route and by a short list
 * of statuses; the page is built on each scrape.
 */
#include "metrics.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "engine.h"
#include "events.h"
#include "router.h"
#include "store.h"
#include "xalloc.h"

#define METRICS_ROUTES 96
static const unsigned metrics_statuses[] = {200, 201, 204, 400, 401, 403, 404, 405,
                                            409, 413, 422, 429, 500, 503, 0};
#define METRICS_STATUSES (sizeof metrics_statuses / sizeof metrics_statuses[0])
static const int64_t metrics_buckets_ms[] = {1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500};
#define METRICS_BUCKETS (sizeof metrics_buckets_ms / sizeof metrics_buckets_ms[0])

static atomic_ullong metrics_count[METRICS_ROUTES + 1][METRICS_STATUSES];
static atomic_ullong metrics_hist[METRICS_BUCKETS + 1];
static atomic_ullong metrics_latency_sum_ms;

void metrics_request(int route, unsigned status, int64_t latency_ms)
{
    size_t r = route < 0 || route >= METRICS_ROUTES ? METRICS_ROUTES : (size_t)route;
    size_t s = METRICS_STATUSES - 1;
    for (size_t i = 0; i + 1 < METRICS_STATUSES; i++)
        if (metrics_statuses[i] == status)
            s = i;
    atomic_fetch_add(&metrics_count[r][s], 1);
    size_t b = 0;
    while (b < METRICS_BUCKETS && latency_ms > metrics_buckets_ms[b])
        b++;
    atomic_fetch_add(&metrics_hist[b], 1);
    atomic_fetch_add(&metrics_latency_sum_ms, (unsigned long long)(latency_ms < 0 ? 0 : latency_ms));
}

struct metrics_buf {
    char *data;
    size_t len, cap;
};

static void metrics_printf(struct metrics_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void metrics_printf(struct metrics_buf *b, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n >= 0 && (size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        b->cap = b->cap * 2 + (size_t)(n > 0 ? n : 0) + 256;
        b->data = xrealloc(b->data, b->cap);
    }
}

void metrics_route(struct http_request *req)
{
    struct metrics_buf b = {xmalloc(8192), 0, 8192};
    metrics_printf(&b, "# HELP cbd_http_requests_total HTTP requests by route and status.\n"
                       "# TYPE cbd_http_requests_total counter\n");
    for (size_t r = 0; r <= METRICS_ROUTES; r++) {
        const struct route *rt = r < router_count() ? router_at(r) : NULL;
        if (r < METRICS_ROUTES && rt == NULL)
            continue;
        for (size_t s = 0; s < METRICS_STATUSES; s++) {
            unsigned long long n = atomic_load(&metrics_count[r][s]);
            if (n == 0)
                continue;
            char status[16];
            if (metrics_statuses[s])
                snprintf(status, sizeof status, "%u", metrics_statuses[s]);
            else
                snprintf(status, sizeof status, "other");
            if (rt)
                metrics_printf(&b, "cbd_http_requests_total{route=\"%s %s\",status=\"%s\"} %llu\n",
                               rt->method, rt->pattern, status, n);
            else
                metrics_printf(&b, "cbd_http_requests_total{route=\"unmatched\",status=\"%s\"} %llu\n",
                               status, n);
        }
    }
    metrics_printf(&b, "# HELP cbd_http_request_duration_seconds Request latency.\n"
                       "# TYPE cbd_http_request_duration_seconds histogram\n");
    unsigned long long cum = 0;
    for (size_t i = 0; i <= METRICS_BUCKETS; i++) {
        cum += atomic_load(&metrics_hist[i]);
        if (i < METRICS_BUCKETS)
            metrics_printf(&b, "cbd_http_request_duration_seconds_bucket{le=\"%.3f\"} %llu\n",
                           (double)metrics_buckets_ms[i] / 1000.0, cum);
        else
            metrics_printf(&b, "cbd_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n", cum);
    }
    metrics_printf(&b, "cbd_http_request_duration_seconds_sum %.3f\n",
                   (double)atomic_load(&metrics_latency_sum_ms) / 1000.0);
    metrics_printf(&b, "cbd_http_request_duration_seconds_count %llu\n", cum);

    unsigned long long batches, commands;
    engine_counters(&batches, &commands);
    metrics_printf(&b, "# HELP cbd_engine_batches_total Group commits.\n"
                       "# TYPE cbd_engine_batches_total counter\n"
                       "cbd_engine_batches_total %llu\n"
                       "# HELP cbd_engine_commands_total Commands run by the engine.\n"
                       "# TYPE cbd_engine_commands_total counter\n"
                       "cbd_engine_commands_total %llu\n",
                   batches, commands);
    metrics_printf(&b, "# HELP cbd_http_in_flight Requests being served.\n"
                       "# TYPE cbd_http_in_flight gauge\ncbd_http_in_flight %u\n",
                   http_in_flight());
    metrics_printf(&b, "# HELP cbd_event_streams Open event streams (GET /api/v1/events).\n"
                       "# TYPE cbd_event_streams gauge\ncbd_event_streams %u\n",
                   events_streams());

    struct store *st = store_reader();
    int64_t counts[LOCATION__COUNT] = {0};
    if (st && store_callback_count_by_location(st, counts) == STORE_OK) {
        metrics_printf(&b, "# HELP cbd_callbacks Callbacks by location.\n"
                           "# TYPE cbd_callbacks gauge\n");
        for (int i = 0; i < LOCATION__COUNT; i++)
            metrics_printf(&b, "cbd_callbacks{location=\"%s\"} %lld\n",
                           location_wire((enum location)i), (long long)counts[i]);
    }
    http_reply_text(req, 200, "text/plain; version=0.0.4; charset=utf-8", b.data, b.len);
}
