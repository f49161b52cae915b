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
/* route_test_clock.c (only with --test-clock) */
route_handler route_test_clock_get, route_test_clock_advance;
/* route_health.c */
route_handler route_healthz;
/* -- business processes, audit (route_bps.c, route_audit.c) -- */
route_handler route_bps_list, route_bps_get, route_bps_patch, route_bps_stop, route_bps_start,
    route_bps_slots;
route_handler route_audit;
/* The BP the path's {id} names (id or name) on this thread's reader, into
 * *bp (the caller's); false after replying 404 (or 500 / 503). */
bool route_bps_read(struct http_request *req, struct store **st, struct cb_bp *bp);
/* -- callbacks (route_callbacks.c, route_callback_actions.c) -- */
route_handler route_callbacks_create, route_callbacks_search, route_callbacks_get,
    route_callbacks_patch, route_me_callbacks;
/* route_callback_admin.c (supervisor) */
route_handler route_callback_queue, route_callback_purge;
/* Shared by the callback route files. The {id} of the path, or false after
 * replying 404. */
bool route_callbacks_id(struct http_request *req, int64_t *id);
/* STORE_OK when caller may see cb (supervisors: all; an agent: routed to
 * them, held by them, or routed to one of their teams), else STORE_NOT_FOUND. */
enum store_result route_callbacks_visible(struct store *st, const struct http_caller *caller,
                                          const struct cb_callback *cb);
/* Replies status with callback id as read from st now (with "history" when
 * asked). */
enum store_result route_callbacks_reply(struct store *st, struct http_request *req,
                                        unsigned status, int64_t id, bool history);
/* JSON object text {names[i]: values[i] or null} of n members, for audit
 * before / after; the caller frees it. */
char *route_callbacks_audit_text(const char *const *names, const char *const *values, int n);
/* Applies transition t to cb (state, holder, end state, completion time),
 * writes it as a compare-and-set on cb->version and records the attempt t
 * names (no agent). */
enum store_result route_callback_admin_step(struct store *w, struct cb_callback *cb,
                                            const struct lc_transition *t, int64_t now);
/* When bp caps its slots and the slot of due_at is full: replies 409
 * slot_full naming field and the next free slots, and returns
 * STORE_CONFLICT. self_id / self_due: the callback being moved (it does not
 * count against itself). Engine thread. */
enum store_result route_callbacks_slot_check(struct store *w, struct http_request *req,
                                             const struct cb_bp *bp, int64_t due_at,
                                             const char *field, int64_t self_id, int64_t self_due);
/* route_callback_actions.c: what an agent does with a callback */
route_handler route_callback_accept, route_callback_reject, route_callback_dial,
    route_callback_call_now, route_callback_connected, route_callback_complete;
/* -- do-not-call, interactions, history (route_dnc.c, route_interactions.c) -- */
route_handler route_dnc_list, route_dnc_add, route_dnc_remove;
route_handler route_interactions_post, route_me_history, route_me_interaction;
/* -- figures and reports (stats.c, route_reports.c) -- */
route_handler route_stats, route_reports_completed;
/* route_performance.c: GET /bps/{id}/performance */
route_handler route_performance;
/* metrics.c */
route_handler metrics_route;

#endif
