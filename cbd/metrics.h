/*
 * metrics.h — counters for GET /metrics (Prometheus text format): requests
 * by route and status, a latency histogram, engine batches, and callbacks by
 * location (read from the store when scraped). Recording is lock-free.
 */
#ifndef CBD_METRICS_H
#define CBD_METRICS_H

#include <stdint.h>

#include "http.h"

/* Records one finished request; route -1 when no route matched. */
void metrics_request(int route, unsigned status, int64_t latency_ms);
/* GET /metrics. */
void metrics_route(struct http_request *req);

#endif
