/*
 * flow.h — one step of a callback's life, applied for real: the transition
 * from the lifecycle table (common/lifecycle.h) with all its effects on the
 * record — attempt recorded with its handle time and connect kind, attempts
 * counted, recall interval or Failed at the limit, rescheduled, removed,
 * routed to the team, flagged — the engine's next look at it (wake_at), the
 * compare-and-set save, and the news: the dispatcher's memory, the
 * figures, the `callback` (and `offer`) events.
 *
 * Engine thread only, inside a batch. Every change to a callback's state on
 * the engine thread goes through here (or flow_save for plain edits), so
 * memory, store, figures and events never disagree.
 */
#ifndef CBD_FLOW_H
#define CBD_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "callback_input.h"
#include "model.h"
#include "store.h"

struct flow_args {
    int64_t now;
    int64_t agent_id;  /* OFFER / CALL_NOW: the agent who gets it; else the holder acts */
    int connect;       /* CONNECTED: enum connect_kind */
    const struct callback_input *reschedule; /* LC_FX_RESCHEDULE: date, time, zone, target */
    bool not_ready;    /* a completion: the agent chose Not Ready afterwards */
};

/* Applies event to cb (as loaded, with its current version). STORE_CONFLICT
 * when the event is not legal in cb's state or the version moved; cb is
 * then unchanged. On STORE_OK cb holds the saved record. */
enum store_result flow_apply(struct store *w, struct cb_callback *cb, enum lc_event event,
                             const struct flow_args *args);
/* Saves an edited or new callback (id 0: inserted) that changes no state
 * through the table — a reschedule, a reassignment, a remark — with wake_at
 * recomputed, and tells memory, figures and consoles. before / holder_before
 * are what the state and holder were (a new one: LC_COMPLETED, 0). */
enum store_result flow_save(struct store *w, struct cb_callback *cb, enum lc_state before,
                            int64_t holder_before, int64_t now);
/* When the engine must next look at cb (0: only when something else
 * happens). */
int64_t flow_wake(const struct cb_callback *cb, int64_t now);
/* Queues a `callback` event for the streams that need it: supervisors, its
 * personal agent, the agents holding it now and before. */
void flow_publish(const struct cb_callback *cb, int64_t holder_before, int64_t now);

#endif
