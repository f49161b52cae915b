/*
 * agent.c — the virtual agents of cbd-sim. Each one is a session of its
 * own (login, event stream kept open). When a callback is offered to it,
 * it accepts after 1–3 s; a Preview it dials after 1–3 s; a dial ends, a
 * few seconds later, as a live answer (60 %), voicemail (15 %), no answer
 * (20 %) or a cancel (5 %); a live call is completed after 5–25 s as
 * Handled (85 %), Callback Requested (10 %, tomorrow) or Wrong Destination
 * (5 %). It stays Ready between callbacks.
 */
#include "sim.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "civil.h"
#include "jv.h"

static void agent_done(void *ctx, int tag, int64_t arg, const struct httpc_reply *r)
{
    struct sim_agent *ag = ctx;
    (void)tag;
    if (r->status >= 400 || r->status == 0)
        sim_log(ag->sim, "%s: callback %lld: %s", ag->login, (long long)arg,
                r->status ? r->message : "cannot reach the server");
}

static void agent_action(struct sim_agent *ag, const char *action, int64_t id, const cJSON *body)
{
    char path[128];
    snprintf(path, sizeof path, "/api/v1/callbacks/%lld/%s", (long long)id, action);
    httpc_request(ag->s.http, "POST", path, body, 0, agent_done, ag, 0, id);
}

static int agent_index(struct sim *s, const struct sim_agent *ag)
{
    return (int)(ag - s->agents);
}

/* The callback as the agent now sees it: schedule its next step. */
static void agent_saw(struct sim_agent *ag, const cJSON *cb)
{
    struct sim *s = ag->sim;
    int64_t id = jv_int(cb, "id", 0);
    bool mine = strcmp(jv_str(cb, "holder"), ag->login) == 0 &&
                strcmp(jv_str(cb, "location"), "handling_by_agent") == 0;
    if (!mine) {
        if (ag->held == id) {
            ag->held = 0;
            ag->acting = false;
        }
        return;
    }
    const char *st = jv_str(cb, "state");
    if (ag->held == id && strcmp(ag->held_state, st) == 0 && !jv_bool(cb, "timed_out"))
        return; /* nothing new */
    ag->held = id;
    snprintf(ag->held_state, sizeof ag->held_state, "%s", st);
    int i = agent_index(s, ag);
    if (strcmp(st, "offered") == 0) {
        sim_log(s, "%s: offered callback %lld (%s, %s)", ag->login, (long long)id, jv_str(cb, "bp"),
                jv_str(cb, "destination"));
        sim_timer_add(s, sim_rand(s, 1000, 3000), TIMER_ACCEPT, i, id, NULL);
    } else if (strcmp(st, "preview") == 0) {
        sim_timer_add(s, sim_rand(s, 1000, 3000), TIMER_DIAL, i, id, NULL);
    } else if (strcmp(st, "dialing") == 0 && jv_bool(cb, "timed_out")) {
        sim_timer_add(s, 1000, TIMER_COMPLETE, i, id, "no_answer");
    } else if (strcmp(st, "dialing") == 0) {
        int roll = sim_rand(s, 1, 100);
        int64_t in = sim_rand(s, 2000, 6000);
        if (roll <= 60)
            sim_timer_add(s, in, TIMER_CONNECT_LIVE, i, id, NULL);
        else if (roll <= 75)
            sim_timer_add(s, in, TIMER_CONNECT_VOICEMAIL, i, id, NULL);
        else if (roll <= 95)
            sim_timer_add(s, in + 2000, TIMER_COMPLETE, i, id, "no_answer");
        else
            sim_timer_add(s, in, TIMER_COMPLETE, i, id, "cancel");
    }
    /* handling: its completion was scheduled with the connect */
}

static void agent_event(void *ctx, const char *type, const cJSON *data)
{
    struct sim_agent *ag = ctx;
    if ((strcmp(type, "offer") == 0 || strcmp(type, "callback") == 0) && cJSON_IsObject(data))
        agent_saw(ag, data);
}

static void agent_presence_done(void *ctx, int tag, int64_t arg, const struct httpc_reply *r)
{
    struct sim_agent *ag = ctx;
    (void)tag;
    (void)arg;
    if (r->status == 200) {
        ag->ready = true;
        sim_log(ag->sim, "%s: Ready", ag->login);
    }
}

static void agent_held_done(void *ctx, int tag, int64_t arg, const struct httpc_reply *r)
{
    (void)tag;
    (void)arg;
    const cJSON *cb = cJSON_GetObjectItemCaseSensitive(r->json, "interaction");
    if (r->status == 200 && cJSON_IsObject(cb))
        agent_saw(ctx, cb);
}

static void agent_login_done(void *ctx, const struct httpc_reply *r)
{
    struct sim_agent *ag = ctx;
    if (r->status != 200) {
        sim_log(ag->sim, "%s: login refused: %s; trying again in 5 s", ag->login,
                r->status ? r->message : "cannot reach the server");
        ag->login_at = sim_now_ms() + 5000;
        return;
    }
    session_start(&ag->s);
    cJSON *body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "presence", "ready");
    httpc_request(ag->s.http, "PUT", "/api/v1/me/presence", body, 0, agent_presence_done, ag, 0, 0);
    cJSON_Delete(body);
    /* a callback it held before a restart of the simulator */
    httpc_request(ag->s.http, "GET", "/api/v1/me/interaction", NULL, 0, agent_held_done, ag, 0, 0);
}

static void agent_conn(void *ctx)
{
    (void)ctx;
}

static void agent_lost(void *ctx)
{
    struct sim_agent *ag = ctx;
    ag->ready = false;
    ag->held = 0;
    sim_log(ag->sim, "%s: session ended; logging in again", ag->login);
    /* not from here, inside the session's own callback: from agent_tick */
    ag->login_at = sim_now_ms() + 1000;
}

static const struct session_ops agent_ops = {
    .on_login = agent_login_done,
    .on_event = agent_event,
    .on_conn = agent_conn,
    .on_lost = agent_lost,
};

void agent_start(struct sim *s, int i)
{
    struct sim_agent *ag = &s->agents[i];
    ag->sim = s;
    session_init(&ag->s, &agent_ops, ag);
    const char *why;
    if (!session_login(&ag->s, s->server, ag->login, ag->password, &why))
        sim_log(s, "%s: %s", ag->login, why);
}

void agent_tick(struct sim *s, int i)
{
    struct sim_agent *ag = &s->agents[i];
    if (ag->login_at && sim_now_ms() >= ag->login_at) {
        ag->login_at = 0;
        const char *why;
        if (!session_login(&ag->s, s->server, ag->login, ag->password, &why))
            sim_log(s, "%s: %s", ag->login, why);
    }
    if (ag->s.http) {
        httpc_run(ag->s.http);
        session_tick(&ag->s);
    }
}

void agent_fire(struct sim *s, const struct sim_timer *t)
{
    struct sim_agent *ag = &s->agents[t->agent];
    if (ag->held != t->id)
        return; /* it went elsewhere meanwhile */
    cJSON *body = NULL;
    switch (t->kind) {
    case TIMER_ACCEPT:
        agent_action(ag, "accept", t->id, NULL);
        break;
    case TIMER_DIAL:
        agent_action(ag, "dial", t->id, NULL);
        break;
    case TIMER_CONNECT_LIVE:
    case TIMER_CONNECT_VOICEMAIL: {
        bool live = t->kind == TIMER_CONNECT_LIVE;
        body = cJSON_CreateObject();
        cJSON_AddStringToObject(body, "kind", live ? "live" : "voicemail");
        agent_action(ag, "connected", t->id, body);
        const char *status = "answering_machine";
        int64_t talk = sim_rand(s, 2000, 4000);
        if (live) {
            int roll = sim_rand(s, 1, 100);
            status = roll <= 85 ? "handled" : (roll <= 95 ? "callback_requested" : "wrong_destination");
            talk = sim_rand(s, 5000, 25000);
        }
        sim_timer_add(s, talk, TIMER_COMPLETE, t->agent, t->id, status);
        break;
    }
    case TIMER_COMPLETE: {
        body = cJSON_CreateObject();
        cJSON_AddStringToObject(body, "status", t->status);
        if (strcmp(t->status, "callback_requested") == 0) {
            /* 10:00 in the customer's zone (the callback's) on tomorrow's
             * UTC date */
            char date[CIVIL_RFC3339_SIZE];
            civil_format_rfc3339((int64_t)time(NULL) + 86400, date);
            date[CIVIL_DATE_SIZE - 1] = '\0'; /* "YYYY-MM-DD" */
            cJSON *r = cJSON_AddObjectToObject(body, "reschedule");
            cJSON_AddStringToObject(r, "date", date);
            cJSON_AddStringToObject(r, "time", "10:00");
        }
        agent_action(ag, "complete", t->id, body);
        sim_log(s, "%s: callback %lld completed as %s", ag->login, (long long)t->id, t->status);
        s->completed++;
        break;
    }
    default:
        break;
    }
    cJSON_Delete(body);
}
