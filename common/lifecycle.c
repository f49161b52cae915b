/*
 * lifecycle.c — the transition table of the callback lifecycle (see
 * lifecycle.h and DESIGN.md §3). Each row is one legal (state, event) pair;
 * a pair that is not here is illegal. The completion statuses allowed in a
 * state follow from the COMPLETE_* rows; only the defaults are listed apart.
 */
#include "lifecycle.h"

#include <string.h>

#define N LC_NONE
#define A(x) ATTEMPT_##x
#define E(x) END_##x

static const struct lc_transition lifecycle_table[] = {
    /* Pending */
    {LC_PENDING, LC_EV_DUE, LC_QUEUED, N, N, 0},
    {LC_PENDING, LC_EV_SEND_TO_QUEUE, LC_QUEUED, N, N, 0},
    {LC_PENDING, LC_EV_PURGE, LC_COMPLETED, A(PURGED), E(PURGED), LC_FX_REMOVE},
    {LC_PENDING, LC_EV_CALL_NOW, LC_DIALING, N, N, LC_FX_START_ATTEMPT},
    {LC_PENDING, LC_EV_CUSTOMER_CALLED_IN, LC_COMPLETED, N, E(CUSTOMER_CALLED_IN), LC_FX_REMOVE},
    {LC_PENDING, LC_EV_EXPIRE, LC_COMPLETED, N, E(EXPIRED), LC_FX_REMOVE},
    {LC_PENDING, LC_EV_FALLBACK, LC_PENDING, A(FALLBACK), N, LC_FX_TO_TEAM},
    {LC_PENDING, LC_EV_RESCHEDULE, LC_PENDING, N, N, LC_FX_RESCHEDULE},

    /* In the queue (HandlingByBusinessProcess) */
    {LC_QUEUED, LC_EV_OFFER, LC_OFFERED, N, N, 0},
    {LC_QUEUED, LC_EV_ABORT, LC_PENDING, A(ABORTED), N, 0},
    /* replaced by a new create (the supervisor's purge route takes Pending only) */
    {LC_QUEUED, LC_EV_PURGE, LC_COMPLETED, A(PURGED), E(PURGED), LC_FX_REMOVE},
    {LC_QUEUED, LC_EV_CUSTOMER_CALLED_IN, LC_COMPLETED, N, E(CUSTOMER_CALLED_IN), LC_FX_REMOVE},
    {LC_QUEUED, LC_EV_EXPIRE, LC_COMPLETED, N, E(EXPIRED), LC_FX_REMOVE},
    {LC_QUEUED, LC_EV_FALLBACK, LC_QUEUED, A(FALLBACK), N, LC_FX_TO_TEAM},

    /* Offered */
    {LC_OFFERED, LC_EV_ACCEPT, LC_PREVIEW, N, N, LC_FX_START_ATTEMPT},
    {LC_OFFERED, LC_EV_ACCEPT_DIAL, LC_DIALING, N, N, LC_FX_START_ATTEMPT},
    {LC_OFFERED, LC_EV_REJECT, LC_QUEUED, A(REJECTED), N, LC_FX_NO_REOFFER},
    {LC_OFFERED, LC_EV_OFFER_TIMEOUT, LC_QUEUED, A(REDIRECTED), N, LC_FX_AGENT_NOT_READY},
    {LC_OFFERED, LC_EV_BLOCKED, LC_QUEUED, A(BLOCKED), N, 0},
    {LC_OFFERED, LC_EV_ABORT, LC_PENDING, A(ABORTED), N, 0},
    {LC_OFFERED, LC_EV_DISCONNECT, LC_QUEUED, A(DISCONNECTED), N, 0},
    {LC_OFFERED, LC_EV_CUSTOMER_CALLED_IN, LC_OFFERED, N, N, LC_FX_FLAG_AGENT},

    /* Preview */
    {LC_PREVIEW, LC_EV_DIAL, LC_DIALING, N, N, 0},
    {LC_PREVIEW, LC_EV_PREVIEW_END, LC_DIALING, N, N, 0},
    {LC_PREVIEW, LC_EV_BLOCKED, LC_QUEUED, A(BLOCKED), N, 0},
    {LC_PREVIEW, LC_EV_DISCONNECT, LC_QUEUED, A(DISCONNECTED), N, 0},
    {LC_PREVIEW, LC_EV_CUSTOMER_CALLED_IN, LC_PREVIEW, N, N, LC_FX_FLAG_AGENT},

    /* Dialing, before the no-answer time-out */
    {LC_DIALING, LC_EV_CONNECTED, LC_HANDLING, N, N, 0},
    {LC_DIALING, LC_EV_NO_ANSWER_TIMEOUT, LC_TIMED_OUT, N, N, 0},
    {LC_DIALING, LC_EV_COMPLETE_NO_ANSWER, LC_PENDING, A(NO_ANSWER), N,
     LC_FX_INCREMENT | LC_FX_RECALL},
    {LC_DIALING, LC_EV_COMPLETE_CANCEL, LC_QUEUED, A(CANCEL), N, 0},
    {LC_DIALING, LC_EV_COMPLETE_CALLBACK_REQUESTED, LC_PENDING, A(CALLBACK_REQUESTED), N,
     LC_FX_RESCHEDULE},
    {LC_DIALING, LC_EV_COMPLETE_WRONG_DESTINATION, LC_COMPLETED, A(WRONG_DESTINATION),
     E(WRONG_DESTINATION), LC_FX_REMOVE},
    {LC_DIALING, LC_EV_DISCONNECT, LC_QUEUED, A(DISCONNECTED), N, 0},
    {LC_DIALING, LC_EV_CUSTOMER_CALLED_IN, LC_DIALING, N, N, LC_FX_FLAG_AGENT},

    /* Dialing after the time-out: dialing has stopped, No Answer preselected */
    {LC_TIMED_OUT, LC_EV_WRAP_LIMIT, LC_PENDING, A(NO_ANSWER), N, LC_FX_INCREMENT | LC_FX_RECALL},
    {LC_TIMED_OUT, LC_EV_COMPLETE_NO_ANSWER, LC_PENDING, A(NO_ANSWER), N,
     LC_FX_INCREMENT | LC_FX_RECALL},
    {LC_TIMED_OUT, LC_EV_COMPLETE_CALLBACK_REQUESTED, LC_PENDING, A(CALLBACK_REQUESTED), N,
     LC_FX_RESCHEDULE},
    {LC_TIMED_OUT, LC_EV_COMPLETE_WRONG_DESTINATION, LC_COMPLETED, A(WRONG_DESTINATION),
     E(WRONG_DESTINATION), LC_FX_REMOVE},
    {LC_TIMED_OUT, LC_EV_DISCONNECT, LC_QUEUED, A(DISCONNECTED), N, 0},
    {LC_TIMED_OUT, LC_EV_CUSTOMER_CALLED_IN, LC_TIMED_OUT, N, N, LC_FX_FLAG_AGENT},

    /* Handling: the customer is (or was) on the line */
    {LC_HANDLING, LC_EV_COMPLETE_HANDLED, LC_COMPLETED, A(HANDLED), E(HANDLED), LC_FX_REMOVE},
    {LC_HANDLING, LC_EV_COMPLETE_ANSWERING_MACHINE, LC_PENDING, A(ANSWERING_MACHINE), N,
     LC_FX_INCREMENT | LC_FX_RECALL},
    {LC_HANDLING, LC_EV_COMPLETE_NO_ANSWER, LC_PENDING, A(NO_ANSWER), N,
     LC_FX_INCREMENT | LC_FX_RECALL},
    {LC_HANDLING, LC_EV_COMPLETE_CALLBACK_REQUESTED, LC_PENDING, A(CALLBACK_REQUESTED), N,
     LC_FX_RESCHEDULE},
    {LC_HANDLING, LC_EV_COMPLETE_WRONG_DESTINATION, LC_COMPLETED, A(WRONG_DESTINATION),
     E(WRONG_DESTINATION), LC_FX_REMOVE},
    {LC_HANDLING, LC_EV_DISCONNECT, LC_PENDING, A(DISCONNECTED), N, LC_FX_FLAG_SUPERVISOR},
    {LC_HANDLING, LC_EV_CUSTOMER_CALLED_IN, LC_HANDLING, N, N, LC_FX_FLAG_AGENT},
};

#undef N
#undef A
#undef E

/* The preselected completion status per state; only states with statuses. */
static const struct {
    enum lc_state state;
    enum status status;
} lifecycle_defaults[] = {
    {LC_DIALING, STATUS_CANCEL},
    {LC_TIMED_OUT, STATUS_NO_ANSWER},
    {LC_HANDLING, STATUS_HANDLED},
};

#define LC_WIRE(name, wire) [name] = wire,
static const char *const lifecycle_state_names[LC__STATE_COUNT] = {LC_STATE_LIST(LC_WIRE)};
static const char *const lifecycle_event_names[LC__EVENT_COUNT] = {LC_EVENT_LIST(LC_WIRE)};
#undef LC_WIRE

_Static_assert(LC_EV_COMPLETE_WRONG_DESTINATION - LC_EV_COMPLETE_HANDLED ==
                   STATUS_WRONG_DESTINATION - STATUS_HANDLED,
               "COMPLETE_* events follow enum status");

const char *lifecycle_state_wire(enum lc_state s)
{
    return (unsigned)s < LC__STATE_COUNT ? lifecycle_state_names[s] : "?";
}

const char *lifecycle_event_wire(enum lc_event e)
{
    return (unsigned)e < LC__EVENT_COUNT ? lifecycle_event_names[e] : "?";
}

static bool lifecycle_lookup(const char *const *names, int count, const char *s, int *out)
{
    for (int i = 0; s != NULL && i < count; i++)
        if (names[i][0] == s[0] && strcmp(names[i], s) == 0) {
            *out = i;
            return true;
        }
    return false;
}

bool lifecycle_state_parse(const char *s, enum lc_state *out)
{
    int i;
    if (!lifecycle_lookup(lifecycle_state_names, LC__STATE_COUNT, s, &i))
        return false;
    *out = (enum lc_state)i;
    return true;
}

bool lifecycle_event_parse(const char *s, enum lc_event *out)
{
    int i;
    if (!lifecycle_lookup(lifecycle_event_names, LC__EVENT_COUNT, s, &i))
        return false;
    *out = (enum lc_event)i;
    return true;
}

const struct lc_transition *lifecycle_step(enum lc_state from, enum lc_event event)
{
    for (size_t i = 0; i < sizeof lifecycle_table / sizeof lifecycle_table[0]; i++)
        if (lifecycle_table[i].from == from && lifecycle_table[i].event == event)
            return &lifecycle_table[i];
    return NULL;
}

enum lc_event lifecycle_complete_event(enum status s)
{
    return (enum lc_event)(LC_EV_COMPLETE_HANDLED + (int)s);
}

unsigned lifecycle_statuses(enum lc_state s, enum status *default_status)
{
    unsigned set = 0;
    for (int st = 0; st < STATUS__COUNT; st++)
        if (lifecycle_step(s, lifecycle_complete_event((enum status)st)) != NULL)
            set |= 1u << st;
    for (size_t i = 0; default_status && i < sizeof lifecycle_defaults / sizeof lifecycle_defaults[0]; i++)
        if (lifecycle_defaults[i].state == s)
            *default_status = lifecycle_defaults[i].status;
    return set;
}

enum location lifecycle_location(enum lc_state s)
{
    switch (s) {
    case LC_PENDING:
        return LOCATION_PENDING;
    case LC_QUEUED:
        return LOCATION_HANDLING_BY_BP;
    case LC_COMPLETED:
        return LOCATION_COMPLETED;
    default:
        return LOCATION_HANDLING_BY_AGENT;
    }
}

bool lifecycle_istate(enum lc_state s, enum istate *out)
{
    switch (s) {
    case LC_OFFERED:
        *out = ISTATE_OFFERED;
        return true;
    case LC_PREVIEW:
        *out = ISTATE_PREVIEW;
        return true;
    case LC_DIALING:
    case LC_TIMED_OUT:
        *out = ISTATE_DIALING;
        return true;
    case LC_HANDLING:
        *out = ISTATE_HANDLING;
        return true;
    default:
        return false;
    }
}

bool lifecycle_held(enum lc_state s)
{
    enum istate unused;
    return lifecycle_istate(s, &unused);
}

bool lifecycle_fails(int attempts, int max_attempts)
{
    return max_attempts > 0 && attempts >= max_attempts;
}

int lifecycle_recall_minutes(const int *intervals, int count, int attempts)
{
    if (count <= 0)
        return 0;
    int i = attempts < 1 ? 0 : attempts - 1;
    return intervals[i < count ? i : count - 1];
}
