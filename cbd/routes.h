/*
 * routes.h — every route handler of cbd, one family per route_*.c file.
 * Handlers validate input, call the engine or read the store, and build the
 * reply; business rules live in the engine, SQL in the store.
 */
#ifndef CBD_ROUTES_H
#define CBD_ROUTES_H

#include "router.h"

/* route_auth.c */
route_handler route_login, route_logout;
/* route_me.c */
route_handler route_me, route_me_presence;
/* route_directory.c */
route_handler route_zones, route_teams, route_agents;
/* route_health.c */
route_handler route_healthz;
/* -- business processes, audit (route_bps.c, route_audit.c) -- */
/* -- callbacks (route_callbacks.c, route_callback_actions.c) -- */
/* -- do-not-call, interactions, history (route_dnc.c, route_interactions.c) -- */
/* metrics.c */
route_handler metrics_route;

#endif
