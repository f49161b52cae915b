/*
 * stats.h — the supervisor figures of DESIGN.md §4, per business process,
 * for the current shift: Proc, Clbk To Be Proc, Clbk Avg Time, Clbk Purged,
 * % Clbk Reached, % Clbk Fail (and CLBK Stat from dispatch). Kept in memory
 * and changed by each transition (cost per event, not per callback stored);
 * loaded from the store at start and whenever a BP's shift rolls over.
 *
 * The stats_on_* functions and stats_tick run on the engine thread; GET
 * /stats reads a snapshot under a lock from any thread. stats_tick queues
 * at most one `stats` event per BP per second, and only for BPs whose
 * figures changed.
 */
#ifndef CBD_STATS_H
#define CBD_STATS_H

#include <stdbool.h>
#include <stdint.h>

#include "http.h"
#include "model.h"
#include "store.h"

/* Loads the figures of every BP's current shift (engine thread). */
bool stats_start(struct store *w, int64_t now);
/* A callback moved from location `before` to its current state (a new one:
 * before = -1). Counts completions, purges, reached (Handled with the last
 * attempt answered live) and what is still to be processed. */
void stats_on_callback(const struct cb_callback *cb, int before, bool reached, int64_t now);
/* An attempt was recorded for a callback of bp_id (handle time counts when
 * the attempt was accepted and completed). */
void stats_on_attempt(int64_t bp_id, const struct cb_attempt *a, int64_t now);
/* A BP was added or its timing (shift start) changed: reload its figures. */
void stats_bp_changed(struct store *w, int64_t bp_id, int64_t now);
/* Rolls shifts over and queues the coalesced `stats` events. */
void stats_tick(struct store *w, int64_t now);
/* The next instant stats_tick has work (a pending event or a shift start). */
int64_t stats_next_deadline(void);
/* After each batch (engine_hooks.after_batch): a batch that did not commit
 * reloads every figure from the store, dropping what it had counted. */
void stats_after_batch(struct store *w, bool committed);

/* One BP's figures as GET /stats shows them, with the counts behind the
 * row (GET /bps/{id}/performance checks its own counts against them). */
struct stats_view {
    int64_t shift_start, shift_next; /* the shift [start, next) holding now */
    int64_t proc, purged, reached;   /* reached_pct is reached over proc */
    cJSON *row;                      /* the row of GET /stats; the caller's (stats_view_clear) */
};
/* From the published figures (any thread): false when they are not loaded,
 * do not hold bp_id yet, or are of a shift that has ended by now (the engine
 * has not rolled it over yet). */
bool stats_view_published(int64_t bp_id, int64_t now, struct stats_view *out);
/* Counted from st (a reader, inside the caller's read transaction) for the
 * shift holding now, as the engine counts them after a load or a rollover:
 * the same shift and row as GET /stats gives. */
enum store_result stats_view_load(struct store *st, const struct cb_bp *bp, int64_t now,
                                  struct stats_view *out);
/* Frees the row of a view. */
void stats_view_clear(struct stats_view *v);

/* GET /api/v1/stats. */
void route_stats(struct http_request *req);

#endif
