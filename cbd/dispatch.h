/*
 * dispatch.h — the engine's live state and rules (DESIGN.md §3): business
 * processes with their open / closed state, agents with presence, the
 * callback each holds, wrap-up and disconnect grace, the queue of every BP,
 * and the matching of queued callbacks to Ready agents. It all lives on the
 * engine thread: every function here is called from there only (inside a
 * batch), so nothing here needs a lock.
 *
 * Time is driven by deadlines: each callback's wake_at in the store (due,
 * offer time-out, preview end, no-answer time-out, wrap limit, fallback,
 * expiry, calling hours reopening) and, in memory, BP schedule changes,
 * agents' wrap-up ends and disconnect graces. The engine sleeps until
 * dispatch_next_deadline() or the next command.
 *
 * After a batch, dispatch_after_batch() learns whether it committed; when it
 * did not, the memory is rebuilt from the store, so memory never believes
 * in a change the store does not hold.
 */
#ifndef CBD_DISPATCH_H
#define CBD_DISPATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"
#include "store.h"
#include "tz.h"

struct dispatch_config {
    int grace_s; /* an agent without an event stream this long is logged out */
};

/* Loads everything from the store (engine thread, before serving). */
bool dispatch_start(struct store *w, const struct dispatch_config *cfg);
/* Fires what is due at now and offers what can be offered. */
void dispatch_tick(struct store *w, int64_t now);
/* The earliest deadline in memory or store; INT64_MAX when none. */
int64_t dispatch_next_deadline(struct store *w);
/* The batch committed (events go out) or failed (memory reloaded). */
void dispatch_after_batch(struct store *w, bool committed);

/* Another process changed the database (cbd bp, team, user while serving):
 * every BP is read again as after an edit (new ones join, a schedule that
 * now says closed sends back what was queued) and every agent's teams; an
 * agent disabled, no longer an agent or left without a session is logged
 * out (what they held goes back as when an agent vanishes). */
void dispatch_outside_change(struct store *w, int64_t now);

/* Looks again at every queued callback set aside (calling hours, the
 * do-not-call list): something that kept them aside changed. */
void dispatch_recheck(void);

/* Counts changes to memory (engine_hooks.memory_mark), and rebuilds memory
 * from the store after a command that changed it was rolled back. */
unsigned long dispatch_memory_mark(void);
void dispatch_memory_undo(struct store *w);

/* A BP as the engine knows it (NULL when unknown). Valid until the next
 * dispatch call. */
const struct cb_bp *dispatch_bp(int64_t id);
const struct tz_zone *dispatch_bp_zone(int64_t id);
/* Re-reads a BP after an edit, stop or start; a BP that stopped or closed
 * aborts its queued and offered callbacks (attempt state aborted). */
enum store_result dispatch_bp_changed(struct store *w, int64_t bp_id, int64_t now);

/* A callback was written (created, edited, moved): memory follows. before
 * is the state it had (LC_COMPLETED with id 0 for a new one). */
void dispatch_callback_saved(const struct cb_callback *cb, enum lc_state before,
                             int64_t holder_before);

/* Presence set by the agent (ready / not_ready) or by login / logout. */
enum store_result dispatch_presence(struct store *w, int64_t agent_id, enum presence p,
                                    int64_t now);
/* An agent's event streams: opened (+1) or closed (-1). */
void dispatch_stream(struct store *w, int64_t agent_id, int delta, int64_t now);
/* The agent may not be offered this callback for 60 s (they rejected it). */
void dispatch_no_reoffer(int64_t agent_id, int64_t callback_id, int64_t until);
/* The agent completed a callback: wrap-up, then Ready unless not_ready. */
void dispatch_completed(struct store *w, int64_t agent_id, bool not_ready, int64_t now);
/* The agent now holds a callback (offered, or Call Now): Busy, remembering
 * what they were. */
void dispatch_takes(struct store *w, int64_t agent_id, int64_t now);
/* A callback went back without a completion (rejected, blocked, aborted):
 * the agent is what they were before it. */
void dispatch_released(struct store *w, int64_t agent_id, int64_t now);
/* The callback an agent holds now, 0 when none. */
int64_t dispatch_holding(int64_t agent_id);
/* The agent's presence as the engine knows it. */
enum presence dispatch_agent_presence(int64_t agent_id);

#endif
