/*
 * router.h — the one route table of cbd: method, path pattern, who may call
 * it, and the handler. Patterns are literal segments and "{name}" captures
 * (one segment each, passed in req->params in order). A path that matches
 * a pattern with another method is 405; one that matches nothing is 404.
 */
#ifndef CBD_ROUTER_H
#define CBD_ROUTER_H

#include "http.h"

/* Who may call a route: a bit set over enum role, or ROUTE_PUBLIC. Admin is
 * added wherever supervisor is allowed. */
#define ROUTE_ROLE(r) (1u << (r))
#define ROUTE_AGENT ROUTE_ROLE(ROLE_AGENT)
#define ROUTE_SUPERVISOR (ROUTE_ROLE(ROLE_SUPERVISOR) | ROUTE_ROLE(ROLE_ADMIN))
#define ROUTE_ADMIN ROUTE_ROLE(ROLE_ADMIN)
#define ROUTE_SERVICE ROUTE_ROLE(ROLE_SERVICE)
#define ROUTE_USERS (ROUTE_AGENT | ROUTE_SUPERVISOR)
#define ROUTE_ANY (ROUTE_USERS | ROUTE_SERVICE)
#define ROUTE_PUBLIC 0u

typedef void route_handler(struct http_request *req);

struct route {
    const char *method;
    const char *pattern;
    unsigned roles;
    route_handler *handler;
};

enum router_result { ROUTER_FOUND, ROUTER_NOT_FOUND, ROUTER_BAD_METHOD };

/* Finds the route for method + path and fills req->route and req->params.
 * On ROUTER_BAD_METHOD, allow gets the methods the path takes ("GET, PATCH"). */
enum router_result router_match(struct http_request *req, char *allow, size_t allow_size);
/* The table, for /metrics labels: count and index of a route. */
size_t router_count(void);
size_t router_index(const struct route *r);
const struct route *router_at(size_t i);

#endif
