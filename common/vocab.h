/*
 * vocab.h — the domain vocabulary, one X-macro list per word family.
 *
 * Each list gives the enum constant, its wire name (snake_case, as in the
 * API) and its display name (the seed documents' words, as the consoles
 * show them). From one list come the enum, and three functions:
 *
 *   const char *NAME_wire(enum NAME v);      "handling_by_business_process"
 *   const char *NAME_display(enum NAME v);   "HandlingByBusinessProcess"
 *   bool NAME_parse(const char *s, enum NAME *out);   wire name → value
 *
 * Returned strings are static. An out-of-range value formats as "?".
 * Error codes carry their HTTP status and a default message as well.
 */
#ifndef CB_VOCAB_H
#define CB_VOCAB_H

#include <stdbool.h>

#define PRESENCE_LIST(X)                                   \
    X(PRESENCE_LOGGED_OUT, "logged_out", "Logged Out")     \
    X(PRESENCE_NOT_READY, "not_ready", "Not Ready")        \
    X(PRESENCE_READY, "ready", "Ready")                    \
    X(PRESENCE_BUSY, "busy", "Busy")

/* Where a callback is (the supervisor's Callback Search). */
#define LOCATION_LIST(X)                                                                 \
    X(LOCATION_PENDING, "pending", "Pending")                                            \
    X(LOCATION_HANDLING_BY_BP, "handling_by_business_process", "HandlingByBusinessProcess") \
    X(LOCATION_HANDLING_BY_AGENT, "handling_by_agent", "HandlingByAgent")                \
    X(LOCATION_COMPLETED, "completed", "Completed")

/* The agent's view of a callback they hold. */
#define ISTATE_LIST(X)                         \
    X(ISTATE_OFFERED, "offered", "Offered")    \
    X(ISTATE_PREVIEW, "preview", "Preview")    \
    X(ISTATE_DIALING, "dialing", "Dialing")    \
    X(ISTATE_HANDLING, "handling", "Handling")

/* What the agent picks in the completion dialog. */
#define STATUS_LIST(X)                                                    \
    X(STATUS_HANDLED, "handled", "Handled")                               \
    X(STATUS_ANSWERING_MACHINE, "answering_machine", "Answering Machine") \
    X(STATUS_NO_ANSWER, "no_answer", "No Answer")                         \
    X(STATUS_CANCEL, "cancel", "Cancel")                                  \
    X(STATUS_CALLBACK_REQUESTED, "callback_requested", "Callback Requested") \
    X(STATUS_WRONG_DESTINATION, "wrong_destination", "Wrong Destination")

/* What one attempt came to: the statuses (same order, so a status converts
 * to its attempt state directly), and what else can end one. "blocked": the
 * calling hours or the do-not-call list forbade dialing at the moment the
 * callback would have entered Dialing, so it went back to the queue. */
#define ATTEMPT_LIST(X)                                                            \
    X(ATTEMPT_HANDLED, "handled", "Handled")                                       \
    X(ATTEMPT_ANSWERING_MACHINE, "answering_machine", "Answering Machine")         \
    X(ATTEMPT_NO_ANSWER, "no_answer", "No Answer")                                 \
    X(ATTEMPT_CANCEL, "cancel", "Cancel")                                          \
    X(ATTEMPT_CALLBACK_REQUESTED, "callback_requested", "Callback Requested")      \
    X(ATTEMPT_WRONG_DESTINATION, "wrong_destination", "Wrong Destination")         \
    X(ATTEMPT_REJECTED, "rejected", "Rejected")                                    \
    X(ATTEMPT_REDIRECTED, "redirected", "Redirected")                              \
    X(ATTEMPT_ABORTED, "aborted", "Aborted")                                       \
    X(ATTEMPT_DISCONNECTED, "disconnected", "Disconnected")                        \
    X(ATTEMPT_FALLBACK, "fallback", "Fallback")                                    \
    X(ATTEMPT_PURGED, "purged", "Purged")                                          \
    X(ATTEMPT_BLOCKED, "blocked", "Blocked")

/* How a completed callback ended. */
#define END_LIST(X)                                                         \
    X(END_HANDLED, "handled", "Handled")                                    \
    X(END_WRONG_DESTINATION, "wrong_destination", "WrongDestination")       \
    X(END_FAILED, "failed", "Failed")                                       \
    X(END_PURGED, "purged", "Purged")                                       \
    X(END_EXPIRED, "expired", "Expired")                                    \
    X(END_CUSTOMER_CALLED_IN, "customer_called_in", "CustomerCalledIn")

#define ROLE_LIST(X)                                 \
    X(ROLE_AGENT, "agent", "Agent")                  \
    X(ROLE_SUPERVISOR, "supervisor", "Supervisor")   \
    X(ROLE_ADMIN, "admin", "Administrator")          \
    X(ROLE_SERVICE, "service", "Service")

#define ROUTING_LIST(X)                    \
    X(ROUTING_AGENT, "agent", "Agent")     \
    X(ROUTING_TEAM, "team", "Team")

#define ORIGIN_LIST(X)                                 \
    X(ORIGIN_PANEL, "panel", "Callback Panel")         \
    X(ORIGIN_INTERACTION, "interaction", "Active Interaction") \
    X(ORIGIN_HISTORY, "history", "Call History")       \
    X(ORIGIN_WEB, "web", "Web")                        \
    X(ORIGIN_API, "api", "API")

/* CLBK Stat of a business process; the first that applies wins. */
#define CLBK_STAT_LIST(X)                                   \
    X(CLBK_STAT_STOPPED, "stopped", "Stopped")              \
    X(CLBK_STAT_OFF_SCHEDULE, "off_schedule", "Off Schedule HRS") \
    X(CLBK_STAT_ACTIVE, "active", "Active")

/* How a live answer was reported in Connected. */
#define CONNECT_LIST(X)                          \
    X(CONNECT_LIVE, "live", "Live")              \
    X(CONNECT_VOICEMAIL, "voicemail", "Voicemail")

/* Error codes of the API: constant, wire code, HTTP status, default message. */
#define ERROR_LIST(X)                                                                   \
    X(ERR_BAD_REQUEST, "bad_request", 400, "the request is malformed")                  \
    X(ERR_UNAUTHORIZED, "unauthorized", 401, "log in first")                            \
    X(ERR_FORBIDDEN, "forbidden", 403, "your role may not do this")                     \
    X(ERR_NOT_FOUND, "not_found", 404, "no such resource")                              \
    X(ERR_METHOD_NOT_ALLOWED, "method_not_allowed", 405, "method not allowed here")     \
    X(ERR_CONFLICT, "conflict", 409, "the request conflicts with the current state")    \
    X(ERR_VERSION_CONFLICT, "version_conflict", 409, "changed by someone else; reload") \
    X(ERR_DUPLICATE, "duplicate", 409, "an open callback for this number exists")       \
    X(ERR_SLOT_FULL, "slot_full", 409, "that time slot is full")                        \
    X(ERR_PAYLOAD_TOO_LARGE, "payload_too_large", 413, "the body is over 64 KiB")       \
    X(ERR_INVALID_FIELD, "invalid_field", 422, "a field is wrong")                      \
    X(ERR_RATE_LIMITED, "rate_limited", 429, "too many requests; wait and retry")       \
    X(ERR_INTERNAL, "internal", 500, "internal error")                                  \
    X(ERR_UNAVAILABLE, "unavailable", 503, "the server is shutting down")

#define VOCAB_ENUM(name, wire, display) name,

enum presence { PRESENCE_LIST(VOCAB_ENUM) PRESENCE__COUNT };
enum location { LOCATION_LIST(VOCAB_ENUM) LOCATION__COUNT };
enum istate { ISTATE_LIST(VOCAB_ENUM) ISTATE__COUNT };
enum status { STATUS_LIST(VOCAB_ENUM) STATUS__COUNT };
enum attempt_state { ATTEMPT_LIST(VOCAB_ENUM) ATTEMPT__COUNT };
enum end_state { END_LIST(VOCAB_ENUM) END__COUNT };
enum role { ROLE_LIST(VOCAB_ENUM) ROLE__COUNT };
enum routing { ROUTING_LIST(VOCAB_ENUM) ROUTING__COUNT };
enum origin { ORIGIN_LIST(VOCAB_ENUM) ORIGIN__COUNT };
enum clbk_stat { CLBK_STAT_LIST(VOCAB_ENUM) CLBK_STAT__COUNT };
enum connect_kind { CONNECT_LIST(VOCAB_ENUM) CONNECT__COUNT };

#define ERROR_ENUM(name, code, http, message) name,
enum error_code { ERROR_LIST(ERROR_ENUM) ERR__COUNT };

#define VOCAB_DECLARE(type, prefix)                    \
    const char *prefix##_wire(enum type v);            \
    const char *prefix##_display(enum type v);         \
    bool prefix##_parse(const char *s, enum type *out);

VOCAB_DECLARE(presence, presence)
VOCAB_DECLARE(location, location)
VOCAB_DECLARE(istate, istate)
VOCAB_DECLARE(status, status)
VOCAB_DECLARE(attempt_state, attempt)
VOCAB_DECLARE(end_state, end)
VOCAB_DECLARE(role, role)
VOCAB_DECLARE(routing, routing)
VOCAB_DECLARE(origin, origin)
VOCAB_DECLARE(clbk_stat, clbk_stat)
VOCAB_DECLARE(connect_kind, connect)

/* Wire code ("invalid_field"), HTTP status (422) and default message. */
const char *error_wire(enum error_code e);
int error_http_status(enum error_code e);
const char *error_message(enum error_code e);
bool error_parse(const char *s, enum error_code *out);

/* The attempt state a completion status records. */
enum attempt_state status_attempt_state(enum status s);

#endif
