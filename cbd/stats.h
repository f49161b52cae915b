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

/* GET /api/v1/stats. */
void route_stats(struct http_request *req);

#endif
