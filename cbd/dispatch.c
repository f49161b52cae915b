/*
 * dispatch.c — the engine's live state and rules (see dispatch.h).
 *
 * Memory, all on the engine thread:
 *   - dispatch_bps: every BP with its zone, whether it is open now (not
 *     stopped and inside its schedule) and when that next changes;
 *   - agents: presence, when they became Ready (the longest idle gets a team
 *     callback first), the callback they hold, wrap-up, event streams and
 *     the disconnect grace, the callbacks they rejected in the last minute;
 *   - queues: the queued callbacks (HandlingByBusinessProcess) of each agent
 *     (personal) and each team, in due order, with an index from callback id
 *     to its queue.
 * The store holds everything durable; memory is rebuilt from it at start
 * and after a batch that failed to commit.
 */
#include "dispatch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "events.h"
#include "flow.h"
#include "log.h"
#include "present.h"
#include "stats.h"
#include "xalloc.h"

#define DISPATCH_SCAN 16      /* queue entries looked at per queue and agent */
#define DISPATCH_WAKES 256    /* callbacks woken per batch */
#define DISPATCH_NOREOFFER 4
#define DISPATCH_MAX_TEAMS 16
#define DISPATCH_REOFFER_S 60

struct dbp {
    struct cb_bp bp;
    const struct tz_zone *zone;
    bool open;
    int64_t next_change;
};

struct dq_entry {
    int64_t id;
    int64_t due;
    const struct tz_zone *tz;
    int64_t blocked_until; /* the customer's calling hours reopen then; 0: not blocked */
};

/* A queue in due order, and beside it the entries parked until their
 * customer's calling hours reopen (so they never stand in front of those
 * who may be called now). */
struct dqueue {
    enum routing kind;
    int64_t target; /* agent id or team id */
    struct dq_entry *v;
    size_t n, cap;
    struct dq_entry *parked;
    size_t np, pcap;
    int64_t parked_min; /* the earliest blocked_until among parked; 0 when none */
};

struct dagent {
    int64_t id;
    bool loaded;
    enum presence presence;
    enum presence after_busy; /* what they go back to after a callback or wrap-up */
    int64_t ready_since;
    int64_t holding;
    int64_t holding_bp;
    int64_t wrap_until;
    int streams;
    int64_t grace_until;
    int64_t teams[DISPATCH_MAX_TEAMS];
    int nteams;
    struct {
        int64_t cb, until;
    } noreoffer[DISPATCH_NOREOFFER];
    struct dqueue *personal;
    bool offered_now; /* set during one matching pass */
};

struct dteam {
    int64_t id;
    struct dqueue *queue;
};

static struct dispatch_config dispatch_cfg;
static unsigned long dispatch_mutations; /* bumped by every change to memory */
static struct dbp *dispatch_bps;
static size_t dispatch_nbps;
static struct dagent **dispatch_agents;
static size_t dispatch_nagents, dispatch_cap_agents;
static struct dteam *dispatch_teams;
static size_t dispatch_nteams;
/* callback id → its queue, open addressing; DISPATCH_TOMB marks a deleted slot */
struct dq_slot {
    int64_t id;
    struct dqueue *q;
};
static struct dq_slot *dispatch_qindex;
static size_t dispatch_qindex_cap, dispatch_qindex_used;
#define DISPATCH_TOMB (-1)

/* ---- business processes ------------------------------------------------- */

static struct dbp *dispatch_find_bp(int64_t id)
{
    for (size_t i = 0; i < dispatch_nbps; i++)
        if (dispatch_bps[i].bp.id == id)
            return &dispatch_bps[i];
    return NULL;
}

const struct cb_bp *dispatch_bp(int64_t id)
{
    struct dbp *b = dispatch_find_bp(id);
    return b ? &b->bp : NULL;
}

const struct tz_zone *dispatch_bp_zone(int64_t id)
{
    struct dbp *b = dispatch_find_bp(id);
    return b ? b->zone : NULL;
}

static void dispatch_bp_evaluate(struct dbp *b, int64_t now)
{
    b->open = !b->bp.stopped && b->zone && timing_is_open(&b->bp.timing, b->zone, now);
    b->next_change = b->zone ? timing_next_schedule_change(&b->bp.timing, b->zone, now)
                             : INT64_MAX;
}

static bool dispatch_bp_load_each(void *ctx, const struct cb_bp *bp)
{
    int64_t now = *(int64_t *)ctx;
    struct dbp *b = dispatch_find_bp(bp->id);
    if (b == NULL) {
        dispatch_bps = xrealloc(dispatch_bps, (dispatch_nbps + 1) * sizeof *dispatch_bps);
        b = &dispatch_bps[dispatch_nbps++];
    }
    memset(b, 0, sizeof *b);
    b->bp = *bp;
    const char *why = NULL;
    b->zone = tz_find(bp->tz, &why);
    if (b->zone == NULL)
        log_error("business process %s: time zone %s: %s", bp->name, bp->tz, why);
    dispatch_bp_evaluate(b, now);
    return true;
}

/* ---- agents --------------------------------------------------------------- */

static struct dagent *dispatch_agent_find(int64_t id)
{
    for (size_t i = 0; i < dispatch_nagents; i++)
        if (dispatch_agents[i]->id == id)
            return dispatch_agents[i];
    return NULL;
}

static bool dispatch_agent_team(void *ctx, const struct cb_team *t)
{
    struct dagent *a = ctx;
    if (a->nteams < DISPATCH_MAX_TEAMS)
        a->teams[a->nteams++] = t->id;
    return true;
}

/* The agent's record, loaded from the store on first use; NULL when the id
 * is not an agent. */
static struct dagent *dispatch_agent(struct store *w, int64_t id)
{
    if (id <= 0)
        return NULL;
    struct dagent *a = dispatch_agent_find(id);
    if (a && a->loaded)
        return a;
    struct cb_user u;
    if (w == NULL || store_user_get(w, id, &u) != STORE_OK || u.role != ROLE_AGENT)
        return a;
    if (a == NULL) {
        if (dispatch_nagents == dispatch_cap_agents) {
            dispatch_cap_agents = dispatch_cap_agents ? dispatch_cap_agents * 2 : 64;
            dispatch_agents = xrealloc(dispatch_agents, dispatch_cap_agents * sizeof *dispatch_agents);
        }
        a = xcalloc(1, sizeof *a);
        a->id = id;
        dispatch_agents[dispatch_nagents++] = a;
    }
    a->loaded = true;
    a->presence = u.presence;
    a->after_busy = PRESENCE_READY;
    a->ready_since = u.presence_since;
    a->nteams = 0;
    store_user_teams(w, id, dispatch_agent_team, a);
    return a;
}

static void dispatch_publish_presence(const struct dagent *a, int64_t now)
{
    struct event_audience to = {.supervisors = true, .nagents = 1};
    to.agents[0] = a->id;
    struct jsonw jw;
    jsonw_init(&jw);
    jsonw_object_begin(&jw);
    jsonw_key(&jw, "agent_id");
    jsonw_int(&jw, a->id);
    jsonw_key(&jw, "presence");
    jsonw_string(&jw, presence_wire(a->presence));
    jsonw_key(&jw, "holding");
    if (a->holding)
        jsonw_int(&jw, a->holding);
    else
        jsonw_null(&jw);
    jsonw_key(&jw, "wrap_up_until");
    jsonw_instant(&jw, a->wrap_until ? a->wrap_until : JSON_NO_INSTANT);
    jsonw_key(&jw, "at");
    jsonw_instant(&jw, now);
    jsonw_object_end(&jw);
    events_queue(EVENT_PRESENCE, &to, jsonw_take(&jw, NULL));
}

/* Writes the agent's presence and tells the consoles. */
static enum store_result dispatch_agent_set(struct store *w, struct dagent *a, enum presence p,
                                            int64_t now)
{
    dispatch_mutations++;
    if (a->presence == p)
        return STORE_OK;
    enum store_result r = store_user_set_presence(w, a->id, p, now);
    if (r != STORE_OK)
        return r;
    a->presence = p;
    if (p == PRESENCE_READY)
        a->ready_since = now;
    dispatch_publish_presence(a, now);
    return STORE_OK;
}

static bool dispatch_available(const struct dagent *a, int64_t now)
{
    return a->loaded && a->presence == PRESENCE_READY && a->holding == 0 &&
           (a->wrap_until == 0 || a->wrap_until <= now);
}

/* ---- queues --------------------------------------------------------------- */

static void dispatch_qindex_put(int64_t id, struct dqueue *q);

static struct dqueue *dispatch_queue_new(enum routing kind, int64_t target)
{
    struct dqueue *q = xcalloc(1, sizeof *q);
    q->kind = kind;
    q->target = target;
    return q;
}

static struct dqueue *dispatch_team_queue(int64_t team_id)
{
    for (size_t i = 0; i < dispatch_nteams; i++)
        if (dispatch_teams[i].id == team_id)
            return dispatch_teams[i].queue;
    dispatch_teams = xrealloc(dispatch_teams, (dispatch_nteams + 1) * sizeof *dispatch_teams);
    dispatch_teams[dispatch_nteams].id = team_id;
    dispatch_teams[dispatch_nteams].queue = dispatch_queue_new(ROUTING_TEAM, team_id);
    return dispatch_teams[dispatch_nteams++].queue;
}

static struct dqueue *dispatch_queue_for(struct store *w, const struct cb_callback *cb)
{
    if (cb->routing == ROUTING_TEAM)
        return dispatch_team_queue(cb->team_id);
    struct dagent *a = dispatch_agent(w, cb->agent_id);
    if (a == NULL) {
        /* not an agent we can load: keep a record so the queue has a home */
        a = dispatch_agent_find(cb->agent_id);
        if (a == NULL) {
            if (dispatch_nagents == dispatch_cap_agents) {
                dispatch_cap_agents = dispatch_cap_agents ? dispatch_cap_agents * 2 : 64;
                dispatch_agents =
                    xrealloc(dispatch_agents, dispatch_cap_agents * sizeof *dispatch_agents);
            }
            a = xcalloc(1, sizeof *a);
            a->id = cb->agent_id;
            dispatch_agents[dispatch_nagents++] = a;
        }
    }
    if (a->personal == NULL)
        a->personal = dispatch_queue_new(ROUTING_AGENT, a->id);
    return a->personal;
}

static size_t dispatch_qhash(int64_t id, size_t cap)
{
    return (size_t)(((uint64_t)id * 0x9E3779B97F4A7C15ull) >> 20) & (cap - 1);
}

static void dispatch_qindex_grow(void)
{
    size_t cap = dispatch_qindex_cap ? dispatch_qindex_cap * 2 : 1024;
    struct dq_slot *old = dispatch_qindex;
    size_t old_cap = dispatch_qindex_cap;
    dispatch_qindex = xcalloc(cap, sizeof *dispatch_qindex);
    dispatch_qindex_cap = cap;
    dispatch_qindex_used = 0;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].id > 0)
            dispatch_qindex_put(old[i].id, old[i].q);
    free(old);
}

static void dispatch_qindex_put(int64_t id, struct dqueue *q)
{
    if ((dispatch_qindex_used + 1) * 2 > dispatch_qindex_cap)
        dispatch_qindex_grow();
    size_t i = dispatch_qhash(id, dispatch_qindex_cap);
    while (dispatch_qindex[i].id > 0 && dispatch_qindex[i].id != id)
        i = (i + 1) & (dispatch_qindex_cap - 1);
    if (dispatch_qindex[i].id != id)
        dispatch_qindex_used++;
    dispatch_qindex[i].id = id;
    dispatch_qindex[i].q = q;
}

static struct dq_slot *dispatch_qindex_slot(int64_t id)
{
    if (dispatch_qindex_cap == 0)
        return NULL;
    size_t i = dispatch_qhash(id, dispatch_qindex_cap);
    while (dispatch_qindex[i].id != 0) {
        if (dispatch_qindex[i].id == id)
            return &dispatch_qindex[i];
        i = (i + 1) & (dispatch_qindex_cap - 1);
    }
    return NULL;
}

static void dispatch_parked_min(struct dqueue *q)
{
    q->parked_min = 0;
    for (size_t i = 0; i < q->np; i++)
        if (q->parked_min == 0 || q->parked[i].blocked_until < q->parked_min)
            q->parked_min = q->parked[i].blocked_until;
}

static void dispatch_queue_remove(int64_t id)
{
    struct dq_slot *slot = dispatch_qindex_slot(id);
    if (slot == NULL)
        return;
    struct dqueue *q = slot->q;
    slot->id = DISPATCH_TOMB;
    slot->q = NULL;
    for (size_t i = 0; i < q->n; i++)
        if (q->v[i].id == id) {
            memmove(&q->v[i], &q->v[i + 1], (q->n - i - 1) * sizeof q->v[0]);
            q->n--;
            return;
        }
    for (size_t i = 0; i < q->np; i++)
        if (q->parked[i].id == id) {
            q->parked[i] = q->parked[--q->np];
            dispatch_parked_min(q);
            return;
        }
}

/* Puts an entry into the due-ordered part of q. */
static void dispatch_queue_insert(struct dqueue *q, struct dq_entry e)
{
    if (q->n == q->cap) {
        q->cap = q->cap ? q->cap * 2 : 16;
        q->v = xrealloc(q->v, q->cap * sizeof q->v[0]);
    }
    /* keep (due, id) order: find the place from the end (new ones are
     * usually the latest) */
    size_t i = q->n;
    while (i > 0 && (q->v[i - 1].due > e.due || (q->v[i - 1].due == e.due && q->v[i - 1].id > e.id)))
        i--;
    memmove(&q->v[i + 1], &q->v[i], (q->n - i) * sizeof q->v[0]);
    q->n++;
    q->v[i] = e;
}

/* Moves entry i of q aside until `until`. */
static void dispatch_park(struct dqueue *q, size_t i, int64_t until)
{
    struct dq_entry e = q->v[i];
    e.blocked_until = until;
    memmove(&q->v[i], &q->v[i + 1], (q->n - i - 1) * sizeof q->v[0]);
    q->n--;
    if (q->np == q->pcap) {
        q->pcap = q->pcap ? q->pcap * 2 : 8;
        q->parked = xrealloc(q->parked, q->pcap * sizeof q->parked[0]);
    }
    q->parked[q->np++] = e;
    if (q->parked_min == 0 || until < q->parked_min)
        q->parked_min = until;
}

/* Brings back the parked entries whose time has come (all of them with
 * now = INT64_MAX: what parked them changed). */
static void dispatch_unpark(struct dqueue *q, int64_t now)
{
    if (q->parked_min == 0 || q->parked_min > now)
        return;
    for (size_t i = 0; i < q->np;) {
        if (q->parked[i].blocked_until <= now) {
            struct dq_entry e = q->parked[i];
            e.blocked_until = 0;
            q->parked[i] = q->parked[--q->np];
            dispatch_queue_insert(q, e);
        } else {
            i++;
        }
    }
    dispatch_parked_min(q);
}

static void dispatch_queue_add(struct store *w, const struct cb_callback *cb)
{
    dispatch_queue_remove(cb->id);
    struct dqueue *q = dispatch_queue_for(w, cb);
    const char *why;
    dispatch_queue_insert(q, (struct dq_entry){cb->id, cb->due_at, tz_find(cb->tz, &why), 0});
    dispatch_qindex_put(cb->id, q);
}

/* ---- what a saved callback means for memory ------------------------------ */

void dispatch_callback_saved(const struct cb_callback *cb, enum lc_state before,
                             int64_t holder_before)
{
    dispatch_mutations++;
    if (cb->state == LC_QUEUED)
        dispatch_queue_add(NULL, cb);
    else if (before == LC_QUEUED)
        dispatch_queue_remove(cb->id);
    if (holder_before && holder_before != cb->holder_id) {
        struct dagent *a = dispatch_agent_find(holder_before);
        if (a && a->holding == cb->id)
            a->holding = 0;
    }
    if (cb->holder_id && lifecycle_held(cb->state)) {
        struct dagent *a = dispatch_agent_find(cb->holder_id);
        if (a) {
            a->holding = cb->id;
            a->holding_bp = cb->bp_id;
        }
    }
}

void dispatch_takes(struct store *w, int64_t agent_id, int64_t now)
{
    struct dagent *a = dispatch_agent(w, agent_id);
    if (a == NULL)
        return;
    if (a->presence == PRESENCE_READY || a->presence == PRESENCE_NOT_READY)
        a->after_busy = a->presence;
    a->wrap_until = 0;
    dispatch_agent_set(w, a, PRESENCE_BUSY, now);
}

/* ---- presence, streams, wrap-up ------------------------------------------- */

static void dispatch_disconnect(struct store *w, struct dagent *a, int64_t now);

enum store_result dispatch_presence(struct store *w, int64_t agent_id, enum presence p,
                                    int64_t now)
{
    struct dagent *a = dispatch_agent(w, agent_id);
    if (a == NULL)
        return store_user_set_presence(w, agent_id, p, now);
    if (p == PRESENCE_LOGGED_OUT) {
        if (a->holding)
            dispatch_disconnect(w, a, now);
        a->wrap_until = 0;
        a->grace_until = 0;
        return dispatch_agent_set(w, a, PRESENCE_LOGGED_OUT, now);
    }
    if ((p == PRESENCE_READY || p == PRESENCE_NOT_READY) &&
        (a->holding || (a->wrap_until && a->wrap_until > now))) {
        a->after_busy = p; /* takes effect when the callback or wrap-up ends */
        if (a->presence != PRESENCE_LOGGED_OUT)
            return STORE_OK;
        /* logging in while still holding one (after a restart): Busy */
        if (a->streams == 0 && dispatch_cfg.grace_s > 0)
            a->grace_until = now + dispatch_cfg.grace_s;
        return dispatch_agent_set(w, a, PRESENCE_BUSY, now);
    }
    if (a->presence == PRESENCE_LOGGED_OUT) {
        /* logging in: teams may have changed (cbd team member) since we
         * last read them */
        a->nteams = 0;
        store_user_teams(w, a->id, dispatch_agent_team, a);
        if (a->streams == 0 && dispatch_cfg.grace_s > 0)
            a->grace_until = now + dispatch_cfg.grace_s; /* a stream must follow */
    }
    a->wrap_until = 0;
    return dispatch_agent_set(w, a, p, now);
}

void dispatch_stream(struct store *w, int64_t agent_id, int delta, int64_t now)
{
    dispatch_mutations++;
    struct dagent *a = dispatch_agent(w, agent_id);
    if (a == NULL)
        return;
    a->streams += delta;
    if (a->streams < 0)
        a->streams = 0;
    if (a->streams > 0)
        a->grace_until = 0;
    else if (a->presence != PRESENCE_LOGGED_OUT || a->holding)
        a->grace_until = now + dispatch_cfg.grace_s;
}

void dispatch_no_reoffer(int64_t agent_id, int64_t callback_id, int64_t until)
{
    struct dagent *a = dispatch_agent_find(agent_id);
    if (a == NULL)
        return;
    int slot = 0;
    for (int i = 0; i < DISPATCH_NOREOFFER; i++)
        if (a->noreoffer[i].until < a->noreoffer[slot].until)
            slot = i;
    a->noreoffer[slot].cb = callback_id;
    a->noreoffer[slot].until = until;
}

static bool dispatch_refused_recently(const struct dagent *a, int64_t cb, int64_t now)
{
    for (int i = 0; i < DISPATCH_NOREOFFER; i++)
        if (a->noreoffer[i].cb == cb && a->noreoffer[i].until > now)
            return true;
    return false;
}

void dispatch_completed(struct store *w, int64_t agent_id, bool not_ready, int64_t now)
{
    struct dagent *a = dispatch_agent(w, agent_id);
    if (a == NULL)
        return;
    struct dbp *b = dispatch_find_bp(a->holding_bp);
    a->holding = 0;
    if (not_ready)
        a->after_busy = PRESENCE_NOT_READY;
    int wrap = b ? b->bp.timing.wrap_up_s : 0;
    if (wrap > 0 && a->presence != PRESENCE_LOGGED_OUT) {
        a->wrap_until = now + wrap;
        dispatch_agent_set(w, a, PRESENCE_BUSY, now);
        return;
    }
    a->wrap_until = 0;
    if (a->presence != PRESENCE_LOGGED_OUT)
        dispatch_agent_set(w, a, a->after_busy, now);
}

void dispatch_released(struct store *w, int64_t agent_id, int64_t now)
{
    struct dagent *a = dispatch_agent(w, agent_id);
    if (a == NULL || a->holding)
        return;
    if (a->presence == PRESENCE_BUSY && (a->wrap_until == 0 || a->wrap_until <= now))
        dispatch_agent_set(w, a, a->after_busy, now);
}

int64_t dispatch_holding(int64_t agent_id)
{
    struct dagent *a = dispatch_agent_find(agent_id);
    return a ? a->holding : 0;
}

enum presence dispatch_agent_presence(int64_t agent_id)
{
    struct dagent *a = dispatch_agent_find(agent_id);
    return a && a->loaded ? a->presence : PRESENCE_LOGGED_OUT;
}

/* ---- applying events to one callback ------------------------------------- */

/* Loads a callback and applies event; what happened to the agent follows
 * from flow_apply and the release rules here. */
static enum store_result dispatch_step(struct store *w, int64_t id, enum lc_event event,
                                       int64_t agent_id, int64_t now)
{
    struct cb_callback cb;
    enum store_result r = store_callback_get(w, id, &cb);
    if (r != STORE_OK)
        return r;
    struct flow_args args = {.now = now, .agent_id = agent_id, .connect = -1};
    r = flow_apply(w, &cb, event, &args);
    cb_callback_clear(&cb);
    return r;
}

/* An agent who is gone: what they hold goes back (DESIGN.md §3). */
static void dispatch_disconnect(struct store *w, struct dagent *a, int64_t now)
{
    if (a->holding) {
        int64_t id = a->holding;
        if (dispatch_step(w, id, LC_EV_DISCONNECT, 0, now) != STORE_OK)
            log_error("agent %lld: could not take back callback %lld", (long long)a->id,
                      (long long)id);
        a->holding = 0;
    }
}

/* Entry into the queue: due, BP open, calling hours, not on the DNC list.
 * Returns when to look again when it may not enter now (0: it entered or
 * something else will wake it). */
static int64_t dispatch_try_queue(struct store *w, struct cb_callback *cb, struct dbp *b,
                                  int64_t now)
{
    if (cb->due_at > now)
        return cb->due_at;
    if (b->bp.stopped)
        return 0; /* POST /bps/{id}/start wakes it */
    if (!b->open)
        return b->next_change;
    const char *why;
    const struct tz_zone *ctz = tz_find(cb->tz, &why);
    if (ctz && !timing_calling_allowed(&b->bp.timing, ctz, now)) {
        int64_t next = timing_next_calling_change(&b->bp.timing, ctz, now);
        return next == INT64_MAX ? 0 : next;
    }
    if (store_dnc_has(w, cb->destination) == STORE_OK)
        return now + 3600; /* look again in an hour: it may leave the list */
    struct flow_args args = {.now = now, .connect = -1};
    return flow_apply(w, cb, LC_EV_DUE, &args) == STORE_OK ? 0 : now + 60;
}

/* The engine looks at one callback whose wake_at has come. */
static void dispatch_wake_one(struct store *w, int64_t id, int64_t now)
{
    struct cb_callback cb;
    if (store_callback_get(w, id, &cb) != STORE_OK)
        return;
    struct dbp *b = dispatch_find_bp(cb.bp_id);
    const struct timing *t = b ? &b->bp.timing : NULL;
    int64_t again = 0;
    bool handled = false;
    if (b == NULL) {
        again = 0;
    } else if ((cb.state == LC_PENDING || cb.state == LC_QUEUED) && t->expire_overdue &&
               cb.window_end <= now) {
        handled = dispatch_step(w, id, LC_EV_EXPIRE, 0, now) == STORE_OK;
    } else if ((cb.state == LC_PENDING || cb.state == LC_QUEUED) &&
               cb.routing == ROUTING_AGENT && t->personal_fallback_min > 0 &&
               cb.due_at + (int64_t)t->personal_fallback_min * 60 <= now &&
               dispatch_agent_presence(cb.agent_id) != PRESENCE_READY) {
        handled = dispatch_step(w, id, LC_EV_FALLBACK, 0, now) == STORE_OK;
        if (!handled)
            again = now + 600; /* no team to fall back to: look again later */
    } else {
        switch (cb.state) {
        case LC_PENDING:
            again = dispatch_try_queue(w, &cb, b, now);
            handled = again == 0 && cb.state == LC_QUEUED;
            break;
        case LC_OFFERED:
            if (cb.state_since + t->offer_timeout_s <= now)
                handled = dispatch_step(w, id, LC_EV_OFFER_TIMEOUT, 0, now) == STORE_OK;
            break;
        case LC_PREVIEW:
            if (cb.state_since + t->preview_s <= now) {
                const char *why;
                const struct tz_zone *ctz = tz_find(cb.tz, &why);
                bool may = ctz && timing_calling_allowed(t, ctz, now) &&
                           store_dnc_has(w, cb.destination) != STORE_OK;
                handled = dispatch_step(w, id, may ? LC_EV_PREVIEW_END : LC_EV_BLOCKED, 0, now) ==
                          STORE_OK;
            }
            break;
        case LC_DIALING:
            if (cb.state_since + t->no_answer_s <= now)
                handled = dispatch_step(w, id, LC_EV_NO_ANSWER_TIMEOUT, 0, now) == STORE_OK;
            break;
        case LC_TIMED_OUT:
            if (cb.state_since + t->wrap_limit_s <= now)
                handled = dispatch_step(w, id, LC_EV_WRAP_LIMIT, 0, now) == STORE_OK;
            break;
        default:
            break;
        }
    }
    if (!handled) {
        /* not yet, or not now: the next look is the rule's own time, never
         * now again (that would spin) */
        int64_t wake = again ? again : flow_wake(&cb, now);
        if (cb.state == LC_PENDING && again == 0 && wake <= now)
            wake = 0; /* waits for a start of its BP */
        if (wake && wake <= now)
            wake = now + 1;
        store_wake_set(w, id, wake);
    }
    cb_callback_clear(&cb);
}

/* ---- a BP opens, closes, stops, starts -------------------------------------- */

struct dispatch_abort {
    struct store *w;
    int64_t bp_id;
    int64_t now;
};

/* Queued and offered callbacks of a BP that closed go back to Pending. */
static void dispatch_bp_abort(struct store *w, int64_t bp_id, int64_t now)
{
    int64_t *ids = NULL;
    size_t n = 0, cap = 0;
    for (size_t i = 0; i < dispatch_qindex_cap; i++) {
        if (dispatch_qindex[i].id <= 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            ids = xrealloc(ids, cap * sizeof *ids);
        }
        ids[n++] = dispatch_qindex[i].id;
    }
    for (size_t i = 0; i < dispatch_nagents; i++)
        if (dispatch_agents[i]->holding) {
            if (n == cap) {
                cap = cap ? cap * 2 : 64;
                ids = xrealloc(ids, cap * sizeof *ids);
            }
            ids[n++] = dispatch_agents[i]->holding;
        }
    for (size_t i = 0; i < n; i++) {
        struct cb_callback cb;
        if (store_callback_get(w, ids[i], &cb) != STORE_OK)
            continue;
        bool mine = cb.bp_id == bp_id && (cb.state == LC_QUEUED || cb.state == LC_OFFERED);
        cb_callback_clear(&cb);
        if (mine)
            dispatch_step(w, ids[i], LC_EV_ABORT, 0, now);
    }
    free(ids);
}

enum store_result dispatch_bp_changed(struct store *w, int64_t bp_id, int64_t now)
{
    dispatch_mutations++;
    struct cb_bp bp;
    enum store_result r = store_bp_get(w, bp_id, &bp);
    if (r != STORE_OK)
        return r;
    struct dbp *b = dispatch_find_bp(bp_id);
    bool was_open = b && b->open, was_stopped = b && b->bp.stopped;
    dispatch_bp_load_each(&now, &bp);
    b = dispatch_find_bp(bp_id);
    /* a stop, or the schedule closing, sends back what is queued and
     * offered; what a supervisor queues while it is closed waits there */
    if ((was_open && !b->open) || (!was_stopped && b->bp.stopped))
        dispatch_bp_abort(w, bp_id, now);
    if (!was_open && b->open)
        r = store_wake_bp(w, bp_id, now);
    if (r == STORE_OK && b->open != b->bp.was_open) {
        r = store_bp_set_open(w, bp_id, b->open);
        b->bp.was_open = b->open;
    }
    dispatch_recheck(); /* new calling hours: the parked may be callable */
    /* new timing (fallback, expiry) means new wake times for the queued */
    for (size_t i = 0; r == STORE_OK && i < dispatch_qindex_cap; i++) {
        if (dispatch_qindex[i].id <= 0)
            continue;
        struct cb_callback cb;
        if (store_callback_get(w, dispatch_qindex[i].id, &cb) != STORE_OK)
            continue;
        int64_t wake = flow_wake(&cb, now);
        if (cb.bp_id == bp_id && cb.state == LC_QUEUED && wake != cb.wake_at)
            r = store_wake_set(w, cb.id, wake);
        cb_callback_clear(&cb);
    }
    stats_bp_changed(w, bp_id, now);
    return r;
}

struct dispatch_bps_seen {
    struct cb_bp *v;
    size_t n, cap;
};

static bool dispatch_bp_seen_each(void *ctx, const struct cb_bp *bp)
{
    struct dispatch_bps_seen *l = ctx;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->v = xrealloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n++] = *bp;
    return true;
}

void dispatch_outside_change(struct store *w, int64_t now)
{
    log_info("the database was changed by another process: reading changed business "
             "processes and agents' teams again");
    dispatch_mutations++;
    /* the list first: dispatch_bp_changed writes to bps, which must not
     * change under a running SELECT. Only a new BP or one with a new
     * version (cbd bp add, bp set) is read again, and every stream hears
     * of it, as after PATCH /bps/{id} */
    struct dispatch_bps_seen l = {NULL, 0, 0};
    if (store_bp_list(w, dispatch_bp_seen_each, &l) == STORE_OK)
        for (size_t i = 0; i < l.n; i++) {
            const struct dbp *b = dispatch_find_bp(l.v[i].id);
            if (b && b->bp.version == l.v[i].version)
                continue;
            if (dispatch_bp_changed(w, l.v[i].id, now) != STORE_OK)
                continue;
            struct event_audience everyone = {.everyone = true};
            cJSON *view = present_bp(w, &l.v[i], now);
            events_queue(EVENT_BP, &everyone, json_print(view));
            cJSON_Delete(view);
        }
    free(l.v);
    for (size_t i = 0; i < dispatch_nagents; i++) {
        struct dagent *a = dispatch_agents[i];
        if (!a->loaded)
            continue;
        a->nteams = 0;
        store_user_teams(w, a->id, dispatch_agent_team, a);
        if (a->presence == PRESENCE_LOGGED_OUT)
            continue;
        /* disabled (cbd user set --disabled), no longer an agent, or every
         * session ended (cbd user passwd): logged out, as the last logout
         * does, so nothing more is offered to a console that cannot answer */
        struct cb_user u;
        int sessions = 1;
        enum store_result r = store_user_get(w, a->id, &u);
        if (r == STORE_OK && !u.disabled && u.role == ROLE_AGENT)
            r = store_token_count(w, a->id, &sessions);
        if (r == STORE_OK && (u.disabled || u.role != ROLE_AGENT || sessions == 0)) {
            log_info("agent %lld: %s: logged out", (long long)a->id,
                     u.disabled ? "disabled" : u.role != ROLE_AGENT ? "no longer an agent"
                                                                   : "no session left");
            dispatch_presence(w, a->id, PRESENCE_LOGGED_OUT, now);
            events_end_user(a->id); /* and their consoles' event streams end */
        }
    }
    /* anyone else's streams whose token no longer holds: supervisors and
     * admins disabled or whose tokens were revoked (cbd user passwd), an
     * agent logged out already, a user given another role */
    events_end_revoked(w);
}

/* ---- matching queued callbacks to Ready agents ------------------------------ */

static int dispatch_by_idle(const void *x, const void *y)
{
    const struct dagent *a = *(struct dagent *const *)x, *b = *(struct dagent *const *)y;
    return a->ready_since < b->ready_since ? -1 : a->ready_since > b->ready_since ? 1
           : a->id < b->id                 ? -1
                                           : a->id > b->id;
}

/* The first entry of q the agent may be offered now, or NULL. */
static struct dq_entry *dispatch_queue_pick(struct dqueue *q, const struct dagent *a,
                                            bool allow_refused, int64_t now)
{
    for (size_t i = 0; i < q->n && i < DISPATCH_SCAN; i++) {
        struct dq_entry *e = &q->v[i];
        if (!allow_refused && dispatch_refused_recently(a, e->id, now))
            continue;
        return e;
    }
    return NULL;
}

/* True when the entry's customer may be called now; otherwise parks it
 * until they may be. */
static bool dispatch_entry_callable(struct dq_entry *e, const struct dbp *b, int64_t now)
{
    if (e->tz == NULL || timing_calling_allowed(&b->bp.timing, e->tz, now))
        return true;
    int64_t next = timing_next_calling_change(&b->bp.timing, e->tz, now);
    struct dq_slot *slot = dispatch_qindex_slot(e->id);
    if (slot) {
        struct dqueue *q = slot->q;
        dispatch_park(q, (size_t)(e - q->v), next == INT64_MAX ? now + 3600 : next);
    }
    return false;
}

/* Offers what can be offered; returns how many offers went out. */
static int dispatch_match(struct store *w, int64_t now)
{
    for (size_t i = 0; i < dispatch_nteams; i++)
        dispatch_unpark(dispatch_teams[i].queue, now);
    for (size_t i = 0; i < dispatch_nagents; i++)
        if (dispatch_agents[i]->personal)
            dispatch_unpark(dispatch_agents[i]->personal, now);
    struct dagent **ready = NULL;
    size_t n = 0;
    for (size_t i = 0; i < dispatch_nagents; i++)
        if (dispatch_available(dispatch_agents[i], now)) {
            ready = xrealloc(ready, (n + 1) * sizeof *ready);
            ready[n++] = dispatch_agents[i];
            dispatch_agents[i]->offered_now = false;
        }
    if (n == 0) {
        free(ready);
        return 0;
    }
    qsort(ready, n, sizeof *ready, dispatch_by_idle);
    int offers = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t k = 0; k < n; k++) {
            struct dagent *a = ready[k];
            if (a->offered_now || !dispatch_available(a, now))
                continue;
            for (int tries = 0; tries < 8; tries++) {
                struct dq_entry *best = NULL;
                struct dqueue *candidates[DISPATCH_MAX_TEAMS + 1];
                int nc = 0;
                if (a->personal)
                    candidates[nc++] = a->personal;
                for (int t = 0; t < a->nteams; t++)
                    candidates[nc++] = dispatch_team_queue(a->teams[t]);
                for (int c = 0; c < nc; c++) {
                    struct dq_entry *e = dispatch_queue_pick(candidates[c], a, pass == 1, now);
                    if (e && (best == NULL || e->due < best->due ||
                              (e->due == best->due && e->id < best->id)))
                        best = e;
                }
                if (best == NULL)
                    break;
                struct cb_callback cb;
                int64_t id = best->id;
                if (store_callback_get(w, id, &cb) != STORE_OK || cb.state != LC_QUEUED) {
                    if (cb.id)
                        cb_callback_clear(&cb);
                    dispatch_queue_remove(id); /* memory was behind: drop it */
                    continue;
                }
                struct dbp *b = dispatch_find_bp(cb.bp_id);
                char cb_number[PHONE_E164_SIZE];
                memcpy(cb_number, cb.destination, sizeof cb_number);
                cb_callback_clear(&cb);
                if (b == NULL || !b->open) {
                    /* its BP closed: the abort takes it out; never offer it */
                    struct dq_slot *slot = dispatch_qindex_slot(id);
                    if (slot)
                        dispatch_park(slot->q, (size_t)(best - slot->q->v),
                                      b && b->next_change != INT64_MAX ? b->next_change : now + 60);
                    continue;
                }
                if (!dispatch_entry_callable(best, b, now))
                    continue;
                if (store_dnc_has(w, cb_number) == STORE_OK) {
                    /* put on the do-not-call list meanwhile: wait beside the
                     * queue; taking it off the list brings it back */
                    struct dq_slot *slot = dispatch_qindex_slot(id);
                    if (slot)
                        dispatch_park(slot->q, (size_t)(best - slot->q->v), now + 3600);
                    continue;
                }
                if (dispatch_step(w, id, LC_EV_OFFER, a->id, now) == STORE_OK) {
                    a->offered_now = true;
                    offers++;
                } else {
                    struct dq_slot *slot = dispatch_qindex_slot(id);
                    if (slot)
                        dispatch_park(slot->q, (size_t)(best - slot->q->v), now + 1);
                }
                break;
            }
        }
    }
    free(ready);
    return offers;
}

/* ---- the tick and the deadline ----------------------------------------------- */

void dispatch_tick(struct store *w, int64_t now)
{
    for (size_t i = 0; i < dispatch_nbps; i++) {
        struct dbp *b = &dispatch_bps[i];
        if (b->next_change > now)
            continue;
        bool was_open = b->open;
        dispatch_bp_evaluate(b, now);
        if (was_open && !b->open)
            dispatch_bp_abort(w, b->bp.id, now);
        else if (!was_open && b->open)
            store_wake_bp(w, b->bp.id, now);
        if (b->open != b->bp.was_open && store_bp_set_open(w, b->bp.id, b->open) == STORE_OK)
            b->bp.was_open = b->open;
        struct event_audience everyone = {.everyone = true};
        cJSON *j = present_bp(w, &b->bp, now);
        events_queue(EVENT_BP, &everyone, json_print(j));
        cJSON_Delete(j);
    }
    for (size_t i = 0; i < dispatch_nagents; i++) {
        struct dagent *a = dispatch_agents[i];
        if (a->grace_until && a->grace_until <= now && a->streams > 0)
            a->grace_until = 0; /* a stream came back in time */
        if (a->grace_until && a->grace_until <= now && a->streams == 0) {
            a->grace_until = 0;
            log_info("agent %lld: no event stream for %d s: logged out", (long long)a->id,
                     dispatch_cfg.grace_s);
            dispatch_presence(w, a->id, PRESENCE_LOGGED_OUT, now);
        }
        if (a->wrap_until && a->wrap_until <= now) {
            a->wrap_until = 0;
            if (a->holding == 0 && a->presence == PRESENCE_BUSY)
                dispatch_agent_set(w, a, a->after_busy, now);
        }
        for (int k = 0; k < DISPATCH_NOREOFFER; k++)
            if (a->noreoffer[k].until && a->noreoffer[k].until <= now)
                a->noreoffer[k].until = a->noreoffer[k].cb = 0; /* over: matching looks again */
    }
    for (int round = 0; round < 4; round++) {
        int64_t ids[DISPATCH_WAKES];
        int n = 0;
        if (store_wake_due(w, now, DISPATCH_WAKES, ids, &n) != STORE_OK || n == 0)
            break;
        for (int i = 0; i < n; i++)
            dispatch_wake_one(w, ids[i], now);
        if (n < DISPATCH_WAKES)
            break;
    }
    dispatch_match(w, now);
    stats_tick(w, now);
}

int64_t dispatch_next_deadline(struct store *w)
{
    int64_t next = INT64_MAX;
    for (size_t i = 0; i < dispatch_nbps; i++)
        if (dispatch_bps[i].next_change < next)
            next = dispatch_bps[i].next_change;
    for (size_t i = 0; i < dispatch_nagents; i++) {
        const struct dagent *a = dispatch_agents[i];
        if (a->grace_until && a->grace_until < next)
            next = a->grace_until;
        if (a->wrap_until && a->wrap_until < next)
            next = a->wrap_until;
        for (int k = 0; k < DISPATCH_NOREOFFER; k++)
            if (a->noreoffer[k].until && a->noreoffer[k].until < next)
                next = a->noreoffer[k].until; /* cleared in dispatch_tick once passed */
    }
    for (size_t i = 0; i < dispatch_nteams + dispatch_nagents; i++) {
        struct dqueue *q = i < dispatch_nteams ? dispatch_teams[i].queue
                                               : dispatch_agents[i - dispatch_nteams]->personal;
        if (q && q->parked_min && q->parked_min < next)
            next = q->parked_min;
    }
    int64_t wake;
    if (store_wake_next(w, &wake) == STORE_OK && wake < next)
        next = wake;
    int64_t s = stats_next_deadline();
    return s < next ? s : next;
}

/* ---- start and reload ------------------------------------------------------------ */

static void dispatch_free(void)
{
    for (size_t i = 0; i < dispatch_nagents; i++) {
        if (dispatch_agents[i]->personal) {
            free(dispatch_agents[i]->personal->v);
            free(dispatch_agents[i]->personal->parked);
            free(dispatch_agents[i]->personal);
        }
        free(dispatch_agents[i]);
    }
    free(dispatch_agents);
    for (size_t i = 0; i < dispatch_nteams; i++) {
        free(dispatch_teams[i].queue->v);
        free(dispatch_teams[i].queue->parked);
        free(dispatch_teams[i].queue);
    }
    free(dispatch_teams);
    free(dispatch_bps);
    free(dispatch_qindex);
    dispatch_agents = NULL;
    dispatch_teams = NULL;
    dispatch_bps = NULL;
    dispatch_qindex = NULL;
    dispatch_nagents = dispatch_cap_agents = dispatch_nteams = dispatch_nbps = 0;
    dispatch_qindex_cap = dispatch_qindex_used = 0;
}

struct dispatch_load {
    struct store *w;
    int64_t now;
    bool start;
};

static bool dispatch_load_queued(void *ctx, const struct cb_callback *cb)
{
    struct dispatch_load *l = ctx;
    dispatch_queue_add(l->w, cb);
    return true;
}

static bool dispatch_load_held(void *ctx, const struct cb_callback *cb)
{
    struct dispatch_load *l = ctx;
    struct dagent *a = dispatch_agent(l->w, cb->holder_id);
    if (a == NULL)
        return true;
    a->holding = cb->id;
    a->holding_bp = cb->bp_id;
    return true;
}

static bool dispatch_load_agent(void *ctx, const struct cb_user *u)
{
    struct dispatch_load *l = ctx;
    if (u->presence == PRESENCE_LOGGED_OUT)
        return true;
    struct dagent *a = dispatch_agent(l->w, u->id);
    if (a && l->start)
        a->grace_until = l->now + dispatch_cfg.grace_s; /* consoles reconnect after a restart */
    return true;
}

static bool dispatch_load(struct store *w, bool start)
{
    int64_t now = clock_now();
    struct dispatch_load l = {w, now, start};
    int64_t t = now;
    bool ok = store_bp_list(w, dispatch_bp_load_each, &t) == STORE_OK &&
              store_user_list(w, 1u << ROLE_AGENT, dispatch_load_agent, &l) == STORE_OK &&
              store_callback_in_location(w, LOCATION_HANDLING_BY_BP, dispatch_load_queued, &l) ==
                  STORE_OK &&
              store_callback_in_location(w, LOCATION_HANDLING_BY_AGENT, dispatch_load_held, &l) ==
                  STORE_OK;
    for (size_t i = 0; ok && start && i < dispatch_nagents; i++) {
        struct dagent *a = dispatch_agents[i];
        if (!a->loaded)
            continue;
        if (a->holding)
            a->after_busy = PRESENCE_READY;
        if (a->holding && a->presence == PRESENCE_LOGGED_OUT)
            a->grace_until = now + dispatch_cfg.grace_s; /* held by someone gone */
        if (!a->holding && a->presence == PRESENCE_BUSY)
            dispatch_agent_set(w, a, PRESENCE_NOT_READY, now);
    }
    return ok;
}

/* Rebuilds memory from the store, keeping what the store does not hold:
 * event streams and disconnect graces. */
static void dispatch_reload(struct store *w)
{
    size_t n = dispatch_nagents;
    struct {
        int64_t id, grace;
        int streams;
    } *keep = xcalloc(n ? n : 1, sizeof *keep);
    for (size_t i = 0; i < n; i++) {
        keep[i].id = dispatch_agents[i]->id;
        keep[i].grace = dispatch_agents[i]->grace_until;
        keep[i].streams = dispatch_agents[i]->streams;
    }
    dispatch_free();
    dispatch_load(w, false);
    for (size_t i = 0; i < n; i++) {
        struct dagent *a = dispatch_agent_find(keep[i].id);
        if (a) {
            a->grace_until = keep[i].grace;
            a->streams = keep[i].streams;
        }
    }
    free(keep);
}

bool dispatch_start(struct store *w, const struct dispatch_config *cfg)
{
    dispatch_cfg = *cfg;
    dispatch_free();
    int64_t now = clock_now();
    if (!store_begin(w))
        return false;
    bool ok = store_wake_fill(w, now) == STORE_OK && dispatch_load(w, true);
    /* a BP whose schedule closed while cbd was down: what was queued and
     * offered goes back, as if cbd had been there to see it close */
    for (size_t i = 0; ok && i < dispatch_nbps; i++) {
        struct dbp *b = &dispatch_bps[i];
        if (b->bp.was_open && !b->open)
            dispatch_bp_abort(w, b->bp.id, now);
        if (b->bp.was_open != b->open) {
            ok = store_bp_set_open(w, b->bp.id, b->open) == STORE_OK;
            b->bp.was_open = b->open;
        }
    }
    if (!ok || !store_commit(w)) {
        store_rollback(w);
        return false;
    }
    events_commit();
    return true;
}

void dispatch_recheck(void)
{
    for (size_t i = 0; i < dispatch_nteams; i++)
        dispatch_unpark(dispatch_teams[i].queue, INT64_MAX);
    for (size_t i = 0; i < dispatch_nagents; i++)
        if (dispatch_agents[i]->personal)
            dispatch_unpark(dispatch_agents[i]->personal, INT64_MAX);
}

unsigned long dispatch_memory_mark(void)
{
    return dispatch_mutations;
}

void dispatch_memory_undo(struct store *w)
{
    log_warn("engine: a command was rolled back after changing memory; reloading");
    dispatch_reload(w);
}

void dispatch_after_batch(struct store *w, bool committed)
{
    stats_after_batch(w, committed);
    if (committed)
        return;
    log_warn("engine: a batch failed; reloading the dispatcher from the store");
    dispatch_reload(w);
}
