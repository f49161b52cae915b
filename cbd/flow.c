/*
 * flow.c — applying a lifecycle step to a callback (see flow.h). The table
 * says what happens; this file makes it so: the record's fields, the
 * attempt row, the save, and who must hear about it.
 */
#include "flow.h"

#include <stdio.h>
#include <string.h>

#include "dispatch.h"
#include "events.h"
#include "log.h"
#include "present.h"
#include "stats.h"
#include "xalloc.h"

int64_t flow_wake(const struct cb_callback *cb, int64_t now)
{
    const struct cb_bp *bp = dispatch_bp(cb->bp_id);
    if (bp == NULL)
        return 0;
    const struct timing *t = &bp->timing;
    int64_t wake = 0;
#define FLOW_EARLIER(x) (wake = (wake == 0 || (x) < wake) ? (x) : wake)
    switch (cb->state) {
    case LC_PENDING:
        /* flagged for the supervisor (the agent vanished while Handling):
         * never straight to another agent; it waits for the supervisor */
        if (!(cb->flags & CB_FLAG_SUPERVISOR))
            FLOW_EARLIER(cb->due_at);
        if (t->expire_overdue)
            FLOW_EARLIER(cb->window_end);
        break;
    case LC_QUEUED:
        if (cb->routing == ROUTING_AGENT && t->personal_fallback_min > 0)
            FLOW_EARLIER(cb->due_at + (int64_t)t->personal_fallback_min * 60);
        if (t->expire_overdue)
            FLOW_EARLIER(cb->window_end);
        break;
    case LC_OFFERED:
        FLOW_EARLIER(cb->state_since + t->offer_timeout_s);
        break;
    case LC_PREVIEW:
        FLOW_EARLIER(cb->state_since + t->preview_s);
        break;
    case LC_DIALING:
        FLOW_EARLIER(cb->state_since + t->no_answer_s);
        break;
    case LC_TIMED_OUT:
        FLOW_EARLIER(cb->state_since + t->wrap_limit_s);
        break;
    case LC_HANDLING:
    case LC_COMPLETED:
    default:
        break;
    }
#undef FLOW_EARLIER
    (void)now;
    return wake;
}

void flow_publish(const struct cb_callback *cb, int64_t holder_before, int64_t now)
{
    struct event_audience to = {.supervisors = true};
    if (cb->agent_id)
        to.agents[to.nagents++] = cb->agent_id;
    if (cb->holder_id && cb->holder_id != cb->agent_id)
        to.agents[to.nagents++] = cb->holder_id;
    if (holder_before && holder_before != cb->holder_id && holder_before != cb->agent_id)
        to.agents[to.nagents++] = holder_before;
    /* not the whole team: an agent's console shows their own callbacks and
     * the one they hold; a team of a thousand would otherwise get every
     * step of every team callback (DESIGN.md §9: only the streams that need
     * it) */
    struct jsonw w;
    jsonw_init(&w);
    present_callback_write(&w, cb, now);
    events_queue(EVENT_CALLBACK, &to, jsonw_take(&w, NULL));
}

static void flow_publish_offer(const struct cb_callback *cb, int64_t now)
{
    struct event_audience to = {.nagents = 1};
    to.agents[0] = cb->holder_id;
    struct jsonw w;
    jsonw_init(&w);
    present_callback_write(&w, cb, now);
    events_queue(EVENT_OFFER, &to, jsonw_take(&w, NULL));
}

/* The team a personal callback falls back to: the first team of its agent
 * that serves the BP. */
struct flow_team_pick {
    struct store *w;
    int64_t bp_id;
    int64_t team_id;
    char name[CB_NAME_SIZE];
};

static bool flow_team_each(void *ctx, const struct cb_team *t)
{
    struct flow_team_pick *p = ctx;
    if (store_bp_has_team(p->w, p->bp_id, t->id) != STORE_OK)
        return true;
    p->team_id = t->id;
    snprintf(p->name, sizeof p->name, "%s", t->name);
    return false;
}

static enum store_result flow_save_raw(struct store *w, struct cb_callback *cb)
{
    return cb->id ? store_callback_update(w, cb) : store_callback_insert(w, cb);
}

enum store_result flow_save(struct store *w, struct cb_callback *cb, enum lc_state before,
                            int64_t holder_before, int64_t now)
{
    bool is_new = cb->id == 0;
    cb->wake_at = flow_wake(cb, now); /* the store fills cb's names as it saves */
    enum store_result r = flow_save_raw(w, cb);
    if (r != STORE_OK)
        return r;
    dispatch_callback_saved(cb, before, holder_before);
    stats_on_callback(cb, is_new ? -1 : (int)lifecycle_location(before), false, now);
    flow_publish(cb, holder_before, now);
    return STORE_OK;
}

enum store_result flow_apply(struct store *w, struct cb_callback *cb, enum lc_event event,
                             const struct flow_args *a)
{
    const struct lc_transition *t = lifecycle_step(cb->state, event);
    const struct cb_bp *bp = dispatch_bp(cb->bp_id);
    if (t == NULL || bp == NULL)
        return STORE_CONFLICT;
    int64_t now = a->now;
    /* next is the record after the step; it owns copies of the text fields,
     * so a failure leaves cb as it was and a success replaces it whole */
    struct cb_callback next = *cb;
    next.remark = xstrdup(cb->remark ? cb->remark : "");
    next.subject = cb->subject ? xstrdup(cb->subject) : NULL;
    next.case_data = cb->case_data ? xstrdup(cb->case_data) : NULL;
    next.transcription = cb->transcription ? xstrdup(cb->transcription) : NULL;
    enum lc_state before = cb->state;
    int64_t holder_before = cb->holder_id;

    struct cb_attempt att;
    bool record = t->attempt != LC_NONE;
    if (record) {
        memset(&att, 0, sizeof att);
        att.callback_id = cb->id;
        att.at = now;
        att.started_at = cb->attempt_started_at;
        att.agent_id = cb->holder_id;
        att.state = (enum attempt_state)t->attempt;
        att.handle_s = cb->attempt_started_at ? (int)(now - cb->attempt_started_at) : -1;
        att.connect = cb->attempt_connect;
        next.attempt_started_at = 0;
        next.attempt_connect = -1;
    }
    if (t->effects & LC_FX_START_ATTEMPT) {
        next.attempt_started_at = now;
        next.attempt_connect = -1;
    }
    if (event == LC_EV_CONNECTED)
        next.attempt_connect = a->connect;

    next.state = t->to;
    if (t->to != before)
        next.state_since = now;
    next.timed_out = t->to == LC_TIMED_OUT;
    if (lifecycle_held(t->to))
        next.holder_id = (event == LC_EV_OFFER || event == LC_EV_CALL_NOW) ? a->agent_id
                                                                          : cb->holder_id;
    else
        next.holder_id = 0;
    store_login_of(w, next.holder_id, next.holder_login);

    if (t->effects & LC_FX_INCREMENT)
        next.attempts++;
    if (t->effects & LC_FX_RECALL) {
        if (lifecycle_fails(next.attempts, bp->timing.max_attempts)) {
            next.state = LC_COMPLETED;
            next.end_state = END_FAILED;
            next.completed_at = now;
        } else {
            int64_t window = cb->window_end - cb->due_at;
            if (window < 60)
                window = (int64_t)bp->timing.window_min * 60;
            int minutes = lifecycle_recall_minutes(bp->timing.recall_min, bp->timing.recall_count,
                                                   next.attempts);
            next.due_at = now + (int64_t)minutes * 60;
            next.window_end = next.due_at + window;
        }
    }
    enum store_result r = STORE_OK;
    if (t->effects & LC_FX_RESCHEDULE) {
        if (a->reschedule == NULL) {
            r = STORE_CONFLICT;
            goto fail;
        }
        callback_input_apply(a->reschedule, &next);
    }
    if (t->effects & LC_FX_REMOVE) {
        next.end_state = t->end;
        next.completed_at = now;
    }
    if (t->effects & LC_FX_TO_TEAM) {
        struct flow_team_pick pick = {w, cb->bp_id, 0, ""};
        store_user_teams(w, cb->agent_id, flow_team_each, &pick);
        if (pick.team_id == 0) {
            r = STORE_CONFLICT; /* the agent serves the BP in no team: stays personal */
            goto fail;
        }
        next.routing = ROUTING_TEAM;
        next.agent_id = 0;
        next.agent_login[0] = '\0';
        next.team_id = pick.team_id;
        snprintf(next.team_name, sizeof next.team_name, "%s", pick.name);
    }
    if (t->effects & LC_FX_FLAG_SUPERVISOR)
        next.flags |= CB_FLAG_SUPERVISOR;
    if (event == LC_EV_SEND_TO_QUEUE || event == LC_EV_RESCHEDULE)
        next.flags &= ~(unsigned)CB_FLAG_SUPERVISOR; /* the supervisor has seen to it */
    if (t->effects & LC_FX_FLAG_AGENT)
        next.flags |= CB_FLAG_CUSTOMER_CALLED_IN;
    next.wake_at = flow_wake(&next, now);

    r = store_callback_update(w, &next);
    if (r == STORE_OK && record)
        r = store_attempt_insert(w, &att);
    if (r != STORE_OK)
        goto fail;
    /* the record is saved: now memory, figures and consoles follow */
    bool reached = next.end_state == END_HANDLED && cb->attempt_connect == CONNECT_LIVE;
    cb_callback_clear(cb);
    *cb = next;
    dispatch_callback_saved(cb, before, holder_before);
    stats_on_callback(cb, (int)lifecycle_location(before), reached, now);
    if (record)
        stats_on_attempt(cb->bp_id, &att, now);
    if (event == LC_EV_OFFER)
        flow_publish_offer(cb, now);
    flow_publish(cb, holder_before, now);
    if (event == LC_EV_OFFER || event == LC_EV_CALL_NOW)
        dispatch_takes(w, cb->holder_id, now);
    if (t->effects & LC_FX_NO_REOFFER)
        dispatch_no_reoffer(holder_before, cb->id, now + 60);
    if (holder_before && lifecycle_held(before) && !lifecycle_held(cb->state)) {
        /* the agent lets go of it: how depends on why */
        bool completion = event == LC_EV_WRAP_LIMIT || (event >= LC_EV_COMPLETE_HANDLED &&
                                                        event <= LC_EV_COMPLETE_WRONG_DESTINATION);
        if (completion)
            dispatch_completed(w, holder_before, a->not_ready, now);
        else if (t->effects & LC_FX_AGENT_NOT_READY)
            dispatch_presence(w, holder_before, PRESENCE_NOT_READY, now);
        else if (event != LC_EV_DISCONNECT)
            dispatch_released(w, holder_before, now);
    }
    return STORE_OK;
fail:
    cb_callback_clear(&next);
    return r;
}
