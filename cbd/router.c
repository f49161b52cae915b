/*
 * router.c — the route table and path matching (see router.h). The table
 * is small and matched linearly, segment by segment, without allocating
 * beyond one copy of the path that owns the captured parameters.
 */
#include "router.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "routes.h"
#include "xalloc.h"

#define V1 "/api/v1"

static const struct route router_table[] = {
    {"GET", "/healthz", ROUTE_PUBLIC, route_healthz},
    {"GET", "/metrics", ROUTE_ADMIN, metrics_route},
    {"POST", V1 "/login", ROUTE_PUBLIC, route_login},
    {"POST", V1 "/logout", ROUTE_USERS, route_logout},
    {"GET", V1 "/me", ROUTE_USERS, route_me},
    {"PUT", V1 "/me/presence", ROUTE_AGENT, route_me_presence},
    {"GET", V1 "/zones", ROUTE_ANY, route_zones},
    {"GET", V1 "/teams", ROUTE_ANY, route_teams},
    {"GET", V1 "/agents", ROUTE_ANY, route_agents},
    /* -- live events (events.c) -- */
    {"GET", V1 "/events", ROUTE_ANY, route_events},
    {"GET", V1 "/test/clock", ROUTE_PUBLIC, route_test_clock_get},
    {"POST", V1 "/test/clock", ROUTE_PUBLIC, route_test_clock_advance},
    /* -- business processes, audit (route_bps.c, route_audit.c) -- */
    {"GET", V1 "/bps", ROUTE_ANY, route_bps_list},
    {"GET", V1 "/bps/{id}", ROUTE_ANY, route_bps_get},
    {"PATCH", V1 "/bps/{id}", ROUTE_SUPERVISOR, route_bps_patch},
    {"POST", V1 "/bps/{id}/stop", ROUTE_SUPERVISOR, route_bps_stop},
    {"POST", V1 "/bps/{id}/start", ROUTE_SUPERVISOR, route_bps_start},
    {"GET", V1 "/bps/{id}/slots", ROUTE_ANY, route_bps_slots},
    {"GET", V1 "/audit", ROUTE_SUPERVISOR, route_audit},
    /* -- callbacks (route_callbacks.c, route_callback_actions.c) -- */
    {"POST", V1 "/callbacks", ROUTE_USERS, route_callbacks_create},
    {"GET", V1 "/callbacks", ROUTE_USERS, route_callbacks_search},
    {"GET", V1 "/callbacks/{id}", ROUTE_USERS, route_callbacks_get},
    {"PATCH", V1 "/callbacks/{id}", ROUTE_USERS, route_callbacks_patch},
    {"POST", V1 "/callbacks/{id}/queue", ROUTE_SUPERVISOR, route_callback_queue},
    {"POST", V1 "/callbacks/{id}/purge", ROUTE_SUPERVISOR, route_callback_purge},
    {"GET", V1 "/me/callbacks", ROUTE_AGENT, route_me_callbacks},
    {"POST", V1 "/callbacks/{id}/accept", ROUTE_AGENT, route_callback_accept},
    {"POST", V1 "/callbacks/{id}/reject", ROUTE_AGENT, route_callback_reject},
    {"POST", V1 "/callbacks/{id}/dial", ROUTE_AGENT, route_callback_dial},
    {"POST", V1 "/callbacks/{id}/call-now", ROUTE_AGENT, route_callback_call_now},
    {"POST", V1 "/callbacks/{id}/connected", ROUTE_AGENT, route_callback_connected},
    {"POST", V1 "/callbacks/{id}/complete", ROUTE_AGENT, route_callback_complete},
    /* -- do-not-call, interactions, history (route_dnc.c, route_interactions.c) -- */
    {"GET", V1 "/dnc", ROUTE_SUPERVISOR, route_dnc_list},
    {"POST", V1 "/dnc", ROUTE_SUPERVISOR, route_dnc_add},
    {"DELETE", V1 "/dnc/{number}", ROUTE_SUPERVISOR, route_dnc_remove},
    {"POST", V1 "/interactions", ROUTE_SERVICE, route_interactions_post},
    {"GET", V1 "/me/history", ROUTE_AGENT, route_me_history},
    {"GET", V1 "/me/interaction", ROUTE_AGENT, route_me_interaction},
    /* -- figures and reports (stats.c, route_reports.c) -- */
    {"GET", V1 "/stats", ROUTE_SUPERVISOR, route_stats},
    {"GET", V1 "/bps/{id}/performance", ROUTE_SUPERVISOR, route_performance},
    {"GET", V1 "/reports/completed", ROUTE_SUPERVISOR, route_reports_completed},
};

#define ROUTER_COUNT (sizeof router_table / sizeof router_table[0])

size_t router_count(void)
{
    return ROUTER_COUNT;
}

size_t router_index(const struct route *r)
{
    return (size_t)(r - router_table);
}

const struct route *router_at(size_t i)
{
    return i < ROUTER_COUNT ? &router_table[i] : NULL;
}

/* Matches path segments against pattern; on success fills params (pointers
 * into the NUL-separated copy). */
static bool router_match_one(const char *pattern, char *path_copy, size_t path_len,
                             const char **params, int *nparams)
{
    const char *p = pattern;
    size_t i = 0;
    int n = 0;
    while (*p && i < path_len) {
        if (*p != '/' || path_copy[i] != '\0')
            return false; /* segments start at a separator (turned into NUL) */
        p++;
        i++;
        const char *seg_end = strchr(p, '/');
        size_t plen = seg_end ? (size_t)(seg_end - p) : strlen(p);
        size_t slen = strlen(path_copy + i);
        if (plen >= 2 && p[0] == '{') {
            if (slen == 0 || n >= HTTP_MAX_PARAMS)
                return false;
            params[n++] = path_copy + i;
        } else if (plen != slen || memcmp(p, path_copy + i, plen) != 0) {
            return false;
        }
        p += plen;
        i += slen;
    }
    if (*p != '\0' || i != path_len)
        return false;
    *nparams = n;
    return true;
}

enum router_result router_match(struct http_request *req, char *allow, size_t allow_size)
{
    size_t len = strlen(req->path);
    free(req->path_copy);
    req->path_copy = xstrndup(req->path, len);
    for (size_t i = 0; i < len; i++)
        if (req->path_copy[i] == '/')
            req->path_copy[i] = '\0';
    bool path_known = false;
    allow[0] = '\0';
    for (size_t r = 0; r < ROUTER_COUNT; r++) {
        const char *params[HTTP_MAX_PARAMS];
        int n = 0;
        if (!router_match_one(router_table[r].pattern, req->path_copy, len, params, &n))
            continue;
        if (strcmp(router_table[r].method, req->method) == 0) {
            req->route = &router_table[r];
            memcpy(req->params, params, sizeof params);
            return ROUTER_FOUND;
        }
        if (!strstr(allow, router_table[r].method)) {
            size_t used = strlen(allow);
            snprintf(allow + used, allow_size - used, "%s%s", used ? ", " : "",
                     router_table[r].method);
        }
        path_known = true;
    }
    return path_known ? ROUTER_BAD_METHOD : ROUTER_NOT_FOUND;
}
