/*
 * lifecycle.h — the callback lifecycle as one pure transition table.
 *
 * A callback is in one lifecycle state (lc_state): Pending, in the queue
 * (HandlingByBusinessProcess), with an agent as Offered / Preview / Dialing /
 * Dialing-timed-out / Handling (HandlingByAgent), or Completed. An event
 * (lc_event) — a timer, an agent's answer, a supervisor's action — takes it
 * to the next state with effects (attempt increment, recall, reschedule,
 * removal, …) and the attempt state to record. Conditions that depend on
 * data (is the BP active, do the calling hours allow, is there a preview)
 * are the engine's: it picks the event, the table says what it does.
 *
 * The server applies it; the consoles read it to know which completion
 * statuses to offer and which is the default. Nobody re-encodes it.
 * Everything here is static data and pure functions.
 */
#ifndef CB_LIFECYCLE_H
#define CB_LIFECYCLE_H

#include <stdbool.h>

#include "vocab.h"

#define LC_STATE_LIST(X)                                   \
    X(LC_PENDING, "pending")                               \
    X(LC_QUEUED, "queued")                                 \
    X(LC_OFFERED, "offered")                               \
    X(LC_PREVIEW, "preview")                               \
    X(LC_DIALING, "dialing")                               \
    X(LC_TIMED_OUT, "dialing_timed_out")                   \
    X(LC_HANDLING, "handling")                             \
    X(LC_COMPLETED, "completed")

/* Events. COMPLETE_* are the completion statuses, in the order of enum status. */
#define LC_EVENT_LIST(X)                                                              \
    X(LC_EV_DUE, "due")                         /* timer: due, BP active, hours allow */ \
    X(LC_EV_SEND_TO_QUEUE, "send_to_queue")     /* supervisor */                       \
    X(LC_EV_PURGE, "purge")                     /* supervisor */                       \
    X(LC_EV_OFFER, "offer")                     /* engine picked an agent */           \
    X(LC_EV_ACCEPT, "accept")                   /* agent accepts; BP has a preview */  \
    X(LC_EV_ACCEPT_DIAL, "accept_dial")         /* agent accepts; no preview */        \
    X(LC_EV_REJECT, "reject")                                                          \
    X(LC_EV_OFFER_TIMEOUT, "offer_timeout")                                            \
    X(LC_EV_DIAL, "dial")                       /* agent leaves Preview */             \
    X(LC_EV_PREVIEW_END, "preview_end")         /* timer */                            \
    X(LC_EV_BLOCKED, "blocked")                 /* hours or do-not-call forbid Dialing */ \
    X(LC_EV_CALL_NOW, "call_now")               /* agent dials own Pending one */      \
    X(LC_EV_CONNECTED, "connected")             /* live or voicemail */                \
    X(LC_EV_NO_ANSWER_TIMEOUT, "no_answer_timeout")                                    \
    X(LC_EV_WRAP_LIMIT, "wrap_limit")           /* timed-out Dialing left alone */     \
    X(LC_EV_COMPLETE_HANDLED, "complete_handled")                                      \
    X(LC_EV_COMPLETE_ANSWERING_MACHINE, "complete_answering_machine")                  \
    X(LC_EV_COMPLETE_NO_ANSWER, "complete_no_answer")                                  \
    X(LC_EV_COMPLETE_CANCEL, "complete_cancel")                                        \
    X(LC_EV_COMPLETE_CALLBACK_REQUESTED, "complete_callback_requested")                \
    X(LC_EV_COMPLETE_WRONG_DESTINATION, "complete_wrong_destination")                  \
    X(LC_EV_ABORT, "abort")                     /* schedule closed or BP stopped */    \
    X(LC_EV_DISCONNECT, "disconnect")           /* the agent's console is gone */      \
    X(LC_EV_CUSTOMER_CALLED_IN, "customer_called_in")                                  \
    X(LC_EV_EXPIRE, "expire")                   /* past window_end, BP expires */      \
    X(LC_EV_FALLBACK, "fallback")               /* personal → team */                  \
    X(LC_EV_RESCHEDULE, "reschedule")           /* supervisor or agent edit */

#define LC_ENUM(name, wire) name,
enum lc_state { LC_STATE_LIST(LC_ENUM) LC__STATE_COUNT };
enum lc_event { LC_EVENT_LIST(LC_ENUM) LC__EVENT_COUNT };
#undef LC_ENUM

/* Effects of a transition, as bit flags. */
enum lc_effect {
    LC_FX_INCREMENT = 1 << 0,       /* attempts + 1 */
    LC_FX_RECALL = 1 << 1,          /* due_at = now + recall interval; Failed at max_attempts */
    LC_FX_RESCHEDULE = 1 << 2,      /* new date, time, zone and target from the request */
    LC_FX_REMOVE = 1 << 3,          /* completed with the transition's end state */
    LC_FX_AGENT_NOT_READY = 1 << 4, /* the agent is set Not Ready */
    LC_FX_NO_REOFFER = 1 << 5,      /* not offered to this agent again for 60 s */
    LC_FX_FLAG_SUPERVISOR = 1 << 6, /* flagged for the supervisor */
    LC_FX_FLAG_AGENT = 1 << 7,      /* flagged for the agent holding it */
    LC_FX_TO_TEAM = 1 << 8,         /* personal routing becomes the agent's team */
    LC_FX_START_ATTEMPT = 1 << 9,   /* an attempt begins: handle time counts from here */
};

#define LC_NONE (-1)

struct lc_transition {
    enum lc_state from;
    enum lc_event event;
    enum lc_state to;
    int attempt; /* enum attempt_state recorded, or LC_NONE */
    int end;     /* enum end_state when LC_FX_REMOVE, else LC_NONE */
    unsigned effects;
};

const char *lifecycle_state_wire(enum lc_state s);
const char *lifecycle_event_wire(enum lc_event e);
bool lifecycle_state_parse(const char *s, enum lc_state *out);
bool lifecycle_event_parse(const char *s, enum lc_event *out);

/* The transition for (from, event); NULL when the event is illegal there.
 * The pointer is into static data. */
const struct lc_transition *lifecycle_step(enum lc_state from, enum lc_event event);

/* The completion statuses allowed in a state, as a bit set of (1u << status);
 * *default_status (if not NULL) gets the preselected one. 0 when none. */
unsigned lifecycle_statuses(enum lc_state s, enum status *default_status);
enum lc_event lifecycle_complete_event(enum status s);

/* Where a callback in that state is, and the agent's interaction state
 * (false when no agent holds it). */
enum location lifecycle_location(enum lc_state s);
bool lifecycle_istate(enum lc_state s, enum istate *out);
/* True when an agent holds the callback in that state. */
bool lifecycle_held(enum lc_state s);

/* After an increment: true when attempts reached max_attempts (→ Failed). */
bool lifecycle_fails(int attempts, int max_attempts);
/* The recall interval in minutes after attempt number `attempts` (1-based):
 * intervals[attempts-1], the last value repeating. 0 when count is 0. */
int lifecycle_recall_minutes(const int *intervals, int count, int attempts);

#endif
