/*
 * traffic.c — what reaches cbd from outside the agents' consoles in
 * cbd-sim: callbacks scheduled as a web form or an agent would (a
 * supervisor's login makes them: most in Support, due within the minute;
 * some in Sales, due in its open hours of the next days; customers in
 * several zones), and inbound calls that telephony reports with the service
 * token (to a virtual agent, ended after 5–20 s).
 */
#include "sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "civil.h"
#include "jv.h"

static struct session traffic_sup;
static int64_t traffic_login_at; /* when to log the supervisor in again, 0: not due */

static const char *const traffic_zones[] = {"America/New_York", "Europe/London", "America/Chicago",
                                            "Europe/Berlin", "UTC", "America/Los_Angeles"};
static const char *const traffic_remarks[] = {
    "Asked about the premium plan",   "Router drops every evening", "Billing question on last invoice",
    "Wants to change delivery date",  "Callback from the web form", "Follow-up on a repair",
    "Upgrade from basic to premium",  "Password reset did not work",
};

static void traffic_created(void *ctx, int tag, int64_t arg, const struct httpc_reply *r)
{
    struct sim *s = ctx;
    (void)tag;
    (void)arg;
    if (r->status == 401) {
        s->sup_ready = false; /* the token ended: log in again */
        traffic_login_at = sim_now_ms() + 1000;
        return;
    }
    if (r->status == 201) {
        s->created++;
        sim_log(s, "scheduled callback %lld in %s for %s", (long long)jv_int(r->json, "id", 0),
                jv_str(r->json, "bp"), jv_str(r->json, "destination"));
    } else {
        sim_log(s, "scheduling refused: %s", r->status ? r->message : "cannot reach the server");
    }
}

static void traffic_login_done(void *ctx, const struct httpc_reply *r)
{
    struct sim *s = ctx;
    if (r->status == 200) {
        s->sup_ready = true;
        return;
    }
    sim_log(s, "%s: login refused: %s; trying again in 5 s", s->sup_login,
            r->status ? r->message : "cannot reach the server");
    traffic_login_at = sim_now_ms() + 5000;
}

static void traffic_lost(void *ctx)
{
    struct sim *s = ctx;
    s->sup_ready = false;
    traffic_login_at = sim_now_ms() + 1000;
}

static void traffic_ignore_event(void *ctx, const char *type, const cJSON *data)
{
    (void)ctx;
    (void)type;
    (void)data;
}

static void traffic_ignore(void *ctx)
{
    (void)ctx;
}

static const struct session_ops traffic_ops = {
    .on_login = traffic_login_done,
    .on_event = traffic_ignore_event,
    .on_conn = traffic_ignore,
    .on_lost = traffic_lost,
};

void traffic_start(struct sim *s)
{
    session_init(&traffic_sup, &traffic_ops, s);
    const char *why;
    if (!session_login(&traffic_sup, s->server, s->sup_login, s->sup_password, &why))
        sim_log(s, "%s", why);
    s->sup = NULL;
    if (s->service_token[0]) {
        s->service = httpc_new(s->server);
        httpc_set_token(s->service, s->service_token);
    }
    int64_t now = sim_now_ms();
    s->next_callback_ms = now + 2000;
    s->next_call_ms = now + 5000;
}

static void traffic_schedule(struct sim *s)
{
    char number[32];
    bool sales = sim_rand(s, 1, 100) <= 30;
    snprintf(number, sizeof number, "+1%03d555%04d", sim_rand(s, 201, 989), sim_rand(s, 0, 9999));
    cJSON *body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "destination", number);
    cJSON_AddStringToObject(body, "bp", sales ? "Sales" : "Support");
    cJSON_AddStringToObject(body, "routing", "team");
    cJSON_AddStringToObject(body, "team", sales ? "Sales Team" : "Support Team");
    const char *tz = traffic_zones[sim_rand(s, 0, (int)(sizeof traffic_zones / sizeof traffic_zones[0]) - 1)];
    char due[CIVIL_RFC3339_SIZE];
    time_t t = time(NULL);
    if (sales) {
        /* one of the next three days at a whole hour; the server refuses a
         * full slot, which is part of the traffic too */
        t += 86400 * sim_rand(s, 1, 3);
        t -= t % 3600;
        t += 3600 * sim_rand(s, 0, 8);
        tz = "America/New_York";
    } else {
        t += sim_rand(s, 0, 60);
    }
    civil_format_rfc3339((int64_t)t, due);
    cJSON_AddStringToObject(body, "due_at", due);
    cJSON_AddStringToObject(body, "tz", tz);
    cJSON_AddStringToObject(body, "remark",
                            traffic_remarks[sim_rand(s, 0, (int)(sizeof traffic_remarks / sizeof traffic_remarks[0]) - 1)]);
    cJSON_AddStringToObject(body, "origin", sim_rand(s, 0, 1) ? "web" : "panel");
    httpc_request(traffic_sup.http, "POST", "/api/v1/callbacks", body, 0, traffic_created, s, 0, 0);
    cJSON_Delete(body);
}

static void traffic_call_done(void *ctx, int tag, int64_t arg, const struct httpc_reply *r)
{
    struct sim *s = ctx;
    (void)tag;
    if (r->status != 201) {
        if (r->status != 200)
            sim_log(s, "call report refused: %s", r->status ? r->message : "cannot reach the server");
        return;
    }
    int64_t id = jv_int(cJSON_GetObjectItemCaseSensitive(r->json, "interaction"), "id", 0);
    s->agents[arg].call_id = id;
    s->calls++;
    sim_timer_add(s, sim_rand(s, 5000, 20000), TIMER_CALL_END, (int)arg, id, NULL);
}

static void traffic_call(struct sim *s)
{
    if (s->service == NULL || s->n_agents == 0)
        return;
    int i = sim_rand(s, 0, s->n_agents - 1);
    struct sim_agent *ag = &s->agents[i];
    if (!ag->ready || ag->held || ag->call_id)
        return; /* on a callback or a call: telephony would not route to it */
    char number[32];
    snprintf(number, sizeof number, "+44207946%04d", sim_rand(s, 0, 9999));
    cJSON *body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "direction", "inbound");
    cJSON_AddStringToObject(body, "number", number);
    cJSON_AddStringToObject(body, "agent", ag->login);
    httpc_request(s->service, "POST", "/api/v1/interactions", body, 0, traffic_call_done, s, 0, i);
    cJSON_Delete(body);
    sim_log(s, "inbound call from %s to %s", number, ag->login);
}

void traffic_fire(struct sim *s, const struct sim_timer *t)
{
    if (t->kind != TIMER_CALL_END || s->service == NULL)
        return;
    char now[CIVIL_RFC3339_SIZE];
    civil_format_rfc3339((int64_t)time(NULL), now);
    cJSON *body = cJSON_CreateObject();
    cJSON_AddNumberToObject(body, "id", (double)t->id);
    cJSON_AddStringToObject(body, "ended_at", now);
    httpc_request(s->service, "POST", "/api/v1/interactions", body, 0, traffic_call_done, s, 0, t->agent);
    cJSON_Delete(body);
    s->agents[t->agent].call_id = 0;
}

void traffic_tick(struct sim *s)
{
    if (traffic_sup.http)
        httpc_run(traffic_sup.http);
    if (s->service)
        httpc_run(s->service);
    int64_t now = sim_now_ms();
    if (traffic_login_at && now >= traffic_login_at) {
        traffic_login_at = 0;
        const char *why;
        session_login(&traffic_sup, s->server, s->sup_login, s->sup_password, &why);
    }
    if (s->sup_ready && s->callbacks_per_min > 0 && now >= s->next_callback_ms) {
        traffic_schedule(s);
        double mean = 60000.0 / s->callbacks_per_min;
        s->next_callback_ms = now + (int64_t)(mean * sim_rand(s, 50, 150) / 100);
    }
    if (s->calls_per_min > 0 && now >= s->next_call_ms) {
        traffic_call(s);
        double mean = 60000.0 / s->calls_per_min;
        s->next_call_ms = now + (int64_t)(mean * sim_rand(s, 50, 150) / 100);
    }
}
