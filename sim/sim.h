/*
 * sim.h — cbd-sim, a traffic simulator that is a real client of the API:
 * virtual agents that log in, keep their event stream open, are Ready,
 * and accept, dial and complete what they are offered with a realistic
 * mix of outcomes; callbacks scheduled as web requests and agents would;
 * inbound calls reported as telephony would. agent.c owns the virtual
 * agents, traffic.c the scheduling and the calls, main.c the options and
 * the loop. Timers are a small array of (due, what) the loop fires.
 */
#ifndef CB_SIM_H
#define CB_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "httpc.h"
#include "session.h"

#define SIM_MAX_AGENTS 64
#define SIM_MAX_TIMERS 1024

struct sim_agent {
    struct sim *sim;
    char login[64];
    char password[128];
    struct session s;
    bool ready;       /* logged in and made Ready */
    int64_t held;     /* the callback offered to / held by it, 0 none */
    char held_state[16];
    bool acting;      /* an action for the held callback is scheduled */
    int64_t call_id;  /* an inbound call under way, 0 none */
    int64_t login_at; /* when to log in (again), 0: not due */
};

enum sim_timer_kind {
    TIMER_ACCEPT,
    TIMER_DIAL,
    TIMER_CONNECT_LIVE,
    TIMER_CONNECT_VOICEMAIL,
    TIMER_COMPLETE,
    TIMER_CALL_END,
};

struct sim_timer {
    int64_t due_ms;
    enum sim_timer_kind kind;
    int agent;
    int64_t id;
    const char *status; /* TIMER_COMPLETE */
};

struct sim {
    char server[512];
    char service_token[128];
    char sup_login[64], sup_password[128];
    double callbacks_per_min, calls_per_min;
    int duration_s;
    bool quiet;
    struct httpc *sup;     /* the supervisor's requests (scheduling) */
    struct httpc *service; /* telephony's requests */
    bool sup_ready;
    struct sim_agent agents[SIM_MAX_AGENTS];
    int n_agents;
    struct sim_timer timers[SIM_MAX_TIMERS];
    int n_timers;
    int64_t next_callback_ms, next_call_ms;
    unsigned seed;
    long created, completed, calls;
};

int64_t sim_now_ms(void);
/* A whole number in [lo, hi]. */
int sim_rand(struct sim *s, int lo, int hi);
void sim_log(struct sim *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sim_timer_add(struct sim *s, int64_t in_ms, enum sim_timer_kind kind, int agent, int64_t id,
                   const char *status);

/* agent.c */
void agent_start(struct sim *s, int i);
void agent_fire(struct sim *s, const struct sim_timer *t);
void agent_tick(struct sim *s, int i);

/* traffic.c */
void traffic_start(struct sim *s);
void traffic_tick(struct sim *s);
void traffic_fire(struct sim *s, const struct sim_timer *t);

#endif
