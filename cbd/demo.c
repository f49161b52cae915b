/*
 * demo.c — the demo data of DESIGN.md §5a: BP Sales (America/New_York,
 * Mon–Fri 09:00–17:00, preview 10 s, slots of 30 minutes holding 4) and BP
 * Support (UTC, open all day every day, calling hours 00:00–24:00, no slot
 * cap); teams Sales Team (alice, bob) and Support Team (carol, dave);
 * agents alice, bob, carol, dave (password "<login>-demo", all may
 * schedule); supervisor sup / sup-demo; admin admin / admin-demo; a
 * telephony service token, printed once.
 *
 * Callbacks, dated relative to clock_now() ("today" is the date in New
 * York, Sales' zone): 36 in Sales over every location and end state —
 * Pending (personal to alice and bob, and team; due later today, tomorrow
 * and in the days after; one overdue, one flagged for the supervisor),
 * HandlingByBusinessProcess (due earlier today, one overdue), HandlingByAgent
 * (alice in Handling, bob in Dialing: an agent holds one callback at a time,
 * so two of the four interaction states), and Completed with each end state
 * — with attempt histories on earlier weekdays by alice and bob, with
 * realistic handle times and connect kinds. Customers are mostly in New York
 * (+1 212 555 01xx), a few in Chicago, Los Angeles and London, each with
 * their own zone. Support holds 8 Pending callbacks due hours to days ahead,
 * personal to carol and dave and team, customers in several zones: nothing
 * queued, held or completed. Alice and bob also have a few past calls in
 * their Call History. Everything goes through the store functions.
 */
#include "demo.h"

#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "civil.h"
#include "clock.h"
#include "tz.h"
#include "xalloc.h"

struct demo_user {
    const char *login, *name;
    enum role role;
    const char *team;
};

static const struct demo_user demo_users[] = {
    {"alice", "Alice Martin", ROLE_AGENT, "Sales Team"},
    {"bob", "Bob Chen", ROLE_AGENT, "Sales Team"},
    {"carol", "Carol Diaz", ROLE_AGENT, "Support Team"},
    {"dave", "Dave Okafor", ROLE_AGENT, "Support Team"},
    {"sup", "Sam Supervisor", ROLE_SUPERVISOR, NULL},
    {"admin", "Ada Admin", ROLE_ADMIN, NULL},
};

static bool demo_fail(char *err, size_t err_size, const char *what)
{
    snprintf(err, err_size, "demo: cannot create %s", what);
    return false;
}

static bool demo_bps(struct store *st, int64_t now, char *err, size_t err_size)
{
    struct cb_bp sales = {0}, support = {0};
    snprintf(sales.name, sizeof sales.name, "Sales");
    snprintf(sales.tz, sizeof sales.tz, "America/New_York");
    sales.routing = 1u << ROUTING_AGENT | 1u << ROUTING_TEAM;
    timing_defaults(&sales.timing);
    for (int d = 1; d <= 5; d++) {
        sales.timing.week[d][0] = (struct timing_span){9 * 60, 17 * 60};
        sales.timing.week_count[d] = 1;
    }
    sales.timing.preview_s = 10;
    sales.timing.slot_min = 30;
    sales.timing.slot_capacity = 4;

    snprintf(support.name, sizeof support.name, "Support");
    snprintf(support.tz, sizeof support.tz, "UTC");
    support.routing = 1u << ROUTING_AGENT | 1u << ROUTING_TEAM;
    timing_defaults(&support.timing);
    for (int d = 0; d < 7; d++) {
        support.timing.week[d][0] = (struct timing_span){0, 24 * 60};
        support.timing.week_count[d] = 1;
    }
    support.timing.preview_s = 0;
    support.timing.calling_start_min = 0;
    support.timing.calling_end_min = 24 * 60;
    support.timing.slot_capacity = 0;
    (void)now;

    struct cb_team sales_team = {0}, support_team = {0};
    snprintf(sales_team.name, sizeof sales_team.name, "Sales Team");
    snprintf(support_team.name, sizeof support_team.name, "Support Team");
    if (store_bp_insert(st, &sales) != STORE_OK || store_bp_insert(st, &support) != STORE_OK)
        return demo_fail(err, err_size, "business processes");
    if (store_team_insert(st, &sales_team) != STORE_OK ||
        store_team_insert(st, &support_team) != STORE_OK ||
        store_bp_add_team(st, sales.id, sales_team.id) != STORE_OK ||
        store_bp_add_team(st, support.id, support_team.id) != STORE_OK)
        return demo_fail(err, err_size, "teams");
    return true;
}

static bool demo_people(struct store *st, int64_t now, char *err, size_t err_size)
{
    for (size_t i = 0; i < sizeof demo_users / sizeof demo_users[0]; i++) {
        const struct demo_user *d = &demo_users[i];
        struct cb_user u = {0};
        snprintf(u.login, sizeof u.login, "%s", d->login);
        snprintf(u.name, sizeof u.name, "%s", d->name);
        u.role = d->role;
        u.can_schedule = true;
        u.created_at = now;
        char password[64], hash[AUTH_HASH_SIZE];
        snprintf(password, sizeof password, "%s-demo", d->login);
        if (!auth_hash_password(password, hash) || store_user_insert(st, &u, hash) != STORE_OK)
            return demo_fail(err, err_size, d->login);
        if (d->team) {
            struct cb_team t;
            if (store_team_by_name(st, d->team, &t) != STORE_OK ||
                store_team_add_member(st, t.id, u.id) != STORE_OK)
                return demo_fail(err, err_size, d->team);
        }
    }
    struct cb_user svc = {0};
    snprintf(svc.login, sizeof svc.login, "telephony");
    snprintf(svc.name, sizeof svc.name, "Telephony");
    svc.role = ROLE_SERVICE;
    svc.created_at = now;
    char token[AUTH_TOKEN_SIZE];
    unsigned char hash[32];
    auth_new_token(token, hash);
    if (store_user_insert(st, &svc, NULL) != STORE_OK ||
        store_token_insert(st, hash, svc.id, STORE_TOKEN_SERVICE, "telephony", now) != STORE_OK)
        return demo_fail(err, err_size, "the service token");
    printf("telephony service token (shown once): %s\n", token);
    return true;
}

/* ---- callbacks ------------------------------------------------------------ */

#define DEMO_NY "America/New_York"
#define DEMO_CHI "America/Chicago"
#define DEMO_LA "America/Los_Angeles"
#define DEMO_LON "Europe/London"
#define DEMO_MAX_TRIES 4
#define DEMO_NONE (-1)

/* One past attempt: begun (accepted) hh:mm New York time, `day` weekdays
 * before today; handle_s -1 when it never started (rejected, redirected,
 * aborted, purged). */
struct demo_try {
    int day, hh, mm;
    const char *agent; /* NULL: no agent (the schedule, a supervisor) */
    enum attempt_state state;
    int connect; /* enum connect_kind or DEMO_NONE */
    int handle_s;
};

/* When a callback is due: `soon` minutes from now (negative: ago); else
 * hh:mm in the customer's zone, `days` calendar days after today (days > 0)
 * or -days weekdays before it (days < 0). */
struct demo_due {
    bool soon;
    int minutes;
    int days, hh, mm;
};

struct demo_cb {
    const char *number, *tz;
    const char *agent;   /* personal to; NULL: the BP's team */
    const char *creator; /* login; NULL: nobody (web) */
    enum origin origin;
    enum lc_state state;
    int end; /* enum end_state when completed */
    struct demo_due due;
    const char *holder; /* offered to / held by (HandlingByAgent) */
    unsigned flags;
    const char *remark, *subject, *case_data, *transcription;
    int ntries;
    struct demo_try tries[DEMO_MAX_TRIES];
};

#define SOON(m) {true, (m), 0, 0, 0}
#define AHEAD(d, h, m) {false, 0, (d), (h), (m)}
#define AGO(d, h, m) {false, 0, -(d), (h), (m)}
#define T(d, h, m, who, st, con, hs) {(d), (h), (m), (who), ATTEMPT_##st, (con), (hs)}
#define LIVE CONNECT_LIVE
#define VM CONNECT_VOICEMAIL
#define NC DEMO_NONE

static const struct demo_cb demo_sales[] = {
    /* Pending */
    {"+12125550101", DEMO_NY, "alice", "alice", ORIGIN_PANEL, LC_PENDING, NC, SOON(60), NULL, 0,
     "Wants a quote for the premium plan before Friday", NULL, NULL, NULL, 0, {{0}}},
    {"+12125550102", DEMO_NY, "alice", "alice", ORIGIN_INTERACTION, LC_PENDING, NC,
     AHEAD(1, 10, 0), NULL, 0, "Follow up on the delivery date", NULL, NULL, NULL, 0, {{0}}},
    {"+12125550103", DEMO_NY, "alice", "alice", ORIGIN_HISTORY, LC_PENDING, NC, AHEAD(3, 14, 30),
     NULL, 0, "Left a voicemail; try again after lunch", NULL, NULL, NULL, 1,
     {T(2, 15, 10, "alice", ANSWERING_MACHINE, VM, 48)}},
    {"+12125550104", DEMO_NY, "bob", "bob", ORIGIN_HISTORY, LC_PENDING, NC, SOON(120), NULL, 0,
     "Asked for a call back about the invoice", NULL, NULL, NULL, 0, {{0}}},
    {"+12125550105", DEMO_NY, "bob", "bob", ORIGIN_PANEL, LC_PENDING, NC, AHEAD(1, 11, 30), NULL,
     0, "Renewal: offer the two-year plan", NULL, NULL, NULL, 0, {{0}}},
    {"+12125550106", DEMO_NY, "bob", "bob", ORIGIN_PANEL, LC_PENDING, NC, AHEAD(2, 16, 0), NULL, 0,
     "Busy at work until 4 pm", NULL, NULL, NULL, 1, {T(1, 10, 40, "bob", NO_ANSWER, NC, 72)}},
    {"+12125550107", DEMO_NY, NULL, NULL, ORIGIN_WEB, LC_PENDING, NC, SOON(180), NULL, 0, "",
     "Pricing for 20 seats", "{\"company\":\"Hudson Print Co.\",\"seats\":\"20\"}", NULL, 0,
     {{0}}},
    {"+13125550108", DEMO_CHI, NULL, "sup", ORIGIN_PANEL, LC_PENDING, NC, AHEAD(1, 9, 30), NULL, 0,
     "Chicago office; prefers mornings", NULL, NULL, NULL, 0, {{0}}},
    {"+14155550109", DEMO_LA, NULL, "alice", ORIGIN_INTERACTION, LC_PENDING, NC, AHEAD(1, 10, 0),
     NULL, 0, "West coast: not before 10 am their time", NULL, NULL, NULL, 0, {{0}}},
    {"+442079460110", DEMO_LON, NULL, "bob", ORIGIN_PANEL, LC_PENDING, NC, AHEAD(2, 15, 30), NULL,
     0, "UK distributor; call before 4 pm London time", NULL, NULL, NULL, 0, {{0}}},
    {"+12125550111", DEMO_NY, NULL, "telephony", ORIGIN_API, LC_PENDING, NC, AHEAD(4, 15, 0), NULL,
     0, "IVR callback request", NULL, NULL,
     "Hi, this is Dana. I was charged twice for my last order. Please call me back.", 0, {{0}}},
    {"+12125550112", DEMO_NY, NULL, "alice", ORIGIN_PANEL, LC_PENDING, NC, AGO(1, 13, 30), NULL, 0,
     "Asked for a call yesterday morning", NULL, NULL, NULL, 2,
     {T(1, 11, 5, "alice", NO_ANSWER, NC, 71), T(1, 12, 20, "bob", ANSWERING_MACHINE, VM, 52)}},
    {"+12125550113", DEMO_NY, NULL, "bob", ORIGIN_PANEL, LC_PENDING, NC, SOON(30), NULL,
     CB_FLAG_SUPERVISOR, "Line dropped while talking; check with the customer", NULL, NULL, NULL,
     1, {T(1, 16, 5, "bob", DISCONNECTED, LIVE, 140)}},
    /* HandlingByBusinessProcess */
    {"+12125550114", DEMO_NY, NULL, "alice", ORIGIN_PANEL, LC_QUEUED, NC, SOON(-20), NULL, 0,
     "Question about the warranty", NULL, NULL, NULL, 0, {{0}}},
    {"+12125550115", DEMO_NY, NULL, "bob", ORIGIN_INTERACTION, LC_QUEUED, NC, SOON(-45), NULL, 0,
     "Second try: no answer yesterday", NULL, NULL, NULL, 1,
     {T(1, 14, 30, "bob", NO_ANSWER, NC, 73)}},
    {"+12125550116", DEMO_NY, "alice", "alice", ORIGIN_PANEL, LC_QUEUED, NC, SOON(-10), NULL, 0,
     "Alice promised to call back", NULL, NULL, NULL, 0, {{0}}},
    {"+12125550117", DEMO_NY, NULL, "sup", ORIGIN_PANEL, LC_QUEUED, NC, AGO(1, 15, 0), NULL, 0,
     "Overdue since yesterday afternoon", NULL, NULL, NULL, 2,
     {T(1, 15, 2, "alice", REDIRECTED, NC, -1), T(1, 16, 58, NULL, ABORTED, NC, -1)}},
    {"+442079460118", DEMO_LON, NULL, "bob", ORIGIN_PANEL, LC_QUEUED, NC, SOON(-5), NULL, 0,
     "London customer; calling hours end 9 pm their time", NULL, NULL, NULL, 0, {{0}}},
    {"+12125550119", DEMO_NY, "bob", "bob", ORIGIN_HISTORY, LC_QUEUED, NC, SOON(-60), NULL, 0,
     "Returning a missed call", NULL, NULL, NULL, 0, {{0}}},
    /* HandlingByAgent */
    {"+12125550120", DEMO_NY, NULL, "alice", ORIGIN_PANEL, LC_HANDLING, NC, SOON(-15), "alice", 0,
     "Upgrade from basic to premium", NULL, NULL, NULL, 0, {{0}}},
    {"+12125550121", DEMO_NY, "bob", "bob", ORIGIN_PANEL, LC_DIALING, NC, SOON(-30), "bob", 0,
     "Second attempt after no answer", NULL, NULL, NULL, 1,
     {T(2, 10, 15, "bob", NO_ANSWER, NC, 72)}},
    /* Completed, every end state */
    {"+12125550122", DEMO_NY, NULL, "alice", ORIGIN_PANEL, LC_COMPLETED, END_HANDLED,
     AGO(5, 9, 30), NULL, 0, "Order status", NULL, NULL, NULL, 1,
     {T(5, 9, 41, "alice", HANDLED, LIVE, 312)}},
    {"+12125550123", DEMO_NY, "bob", "bob", ORIGIN_INTERACTION, LC_COMPLETED, END_HANDLED,
     AGO(4, 10, 0), NULL, 0, "Billing address change", NULL, NULL, NULL, 2,
     {T(4, 10, 3, "bob", NO_ANSWER, NC, 72), T(4, 11, 20, "bob", HANDLED, LIVE, 486)}},
    {"+12125550124", DEMO_NY, NULL, "sup", ORIGIN_PANEL, LC_COMPLETED, END_HANDLED,
     AGO(3, 13, 0), NULL, 0, "Leave the new opening hours on voicemail if needed", NULL, NULL,
     NULL, 2,
     {T(3, 13, 6, "alice", ANSWERING_MACHINE, VM, 55), T(3, 14, 25, "bob", HANDLED, VM, 64)}},
    {"+13125550125", DEMO_CHI, NULL, NULL, ORIGIN_WEB, LC_COMPLETED, END_HANDLED, AGO(2, 10, 0),
     NULL, 0, "", "Bulk order of 200 units", "{\"company\":\"Lakeside Foods\",\"units\":\"200\"}",
     NULL, 2, {T(2, 11, 2, "bob", REJECTED, NC, -1), T(2, 11, 4, "alice", HANDLED, LIVE, 655)}},
    {"+12125550126", DEMO_NY, "alice", "alice", ORIGIN_HISTORY, LC_COMPLETED, END_HANDLED,
     AGO(1, 9, 0), NULL, 0, "Confirm the installation slot", NULL, NULL, NULL, 1,
     {T(1, 9, 12, "alice", HANDLED, LIVE, 198)}},
    {"+12125550127", DEMO_NY, NULL, "bob", ORIGIN_PANEL, LC_COMPLETED, END_WRONG_DESTINATION,
     AGO(4, 14, 0), NULL, 0, "Asked for a brochure", NULL, NULL, NULL, 1,
     {T(4, 14, 8, "alice", WRONG_DESTINATION, LIVE, 34)}},
    {"+14155550128", DEMO_LA, NULL, "alice", ORIGIN_INTERACTION, LC_COMPLETED,
     END_WRONG_DESTINATION, AGO(2, 11, 0), NULL, 0, "Number taken down by phone", NULL, NULL, NULL,
     2, {T(2, 15, 3, "bob", NO_ANSWER, NC, 73), T(2, 16, 10, "alice", WRONG_DESTINATION, NC, 70)}},
    {"+12125550129", DEMO_NY, NULL, "sup", ORIGIN_PANEL, LC_COMPLETED, END_FAILED, AGO(5, 10, 0),
     NULL, 0, "Contract renewal reminder", NULL, NULL, NULL, 3,
     {T(5, 10, 4, "alice", NO_ANSWER, NC, 72), T(5, 10, 31, "bob", NO_ANSWER, NC, 71),
      T(4, 9, 15, "alice", NO_ANSWER, NC, 74)}},
    {"+12125550130", DEMO_NY, "bob", "bob", ORIGIN_HISTORY, LC_COMPLETED, END_FAILED,
     AGO(3, 9, 30), NULL, 0, "Survey follow-up", NULL, NULL, NULL, 3,
     {T(3, 9, 35, "bob", ANSWERING_MACHINE, VM, 51), T(3, 11, 2, "bob", NO_ANSWER, NC, 72),
      T(2, 9, 50, "bob", ANSWERING_MACHINE, VM, 47)}},
    {"+12125550131", DEMO_NY, NULL, "alice", ORIGIN_PANEL, LC_COMPLETED, END_PURGED,
     AGO(3, 16, 0), NULL, 0, "Duplicate of another request", NULL, NULL, NULL, 1,
     {T(2, 9, 5, NULL, PURGED, NC, -1)}},
    {"+12125550132", DEMO_NY, "alice", "alice", ORIGIN_PANEL, LC_COMPLETED, END_PURGED,
     AGO(1, 10, 0), NULL, 0, "Customer cancelled the order", NULL, NULL, NULL, 2,
     {T(1, 10, 12, "alice", NO_ANSWER, NC, 73), T(1, 13, 40, NULL, PURGED, NC, -1)}},
    {"+12125550133", DEMO_NY, NULL, "bob", ORIGIN_PANEL, LC_COMPLETED, END_EXPIRED, AGO(4, 15, 30),
     NULL, 0, "Only free today", NULL, NULL, NULL, 1,
     {T(4, 15, 40, "alice", NO_ANSWER, NC, 72)}},
    {"+442079460134", DEMO_LON, NULL, NULL, ORIGIN_WEB, LC_COMPLETED, END_EXPIRED, AGO(2, 14, 0),
     NULL, 0, "", "Trade fair meeting", NULL, NULL, 0, {{0}}},
    {"+12125550135", DEMO_NY, NULL, "alice", ORIGIN_PANEL, LC_COMPLETED, END_CUSTOMER_CALLED_IN,
     AGO(3, 11, 0), NULL, 0, "Wants to change the delivery address", NULL, NULL, NULL, 0, {{0}}},
    {"+12125550136", DEMO_NY, "bob", "bob", ORIGIN_HISTORY, LC_COMPLETED, END_CUSTOMER_CALLED_IN,
     AGO(1, 14, 0), NULL, 0, "Question about the discount code", NULL, NULL, NULL, 1,
     {T(1, 14, 5, "bob", NO_ANSWER, NC, 72)}},
};

static const struct demo_cb demo_support[] = {
    {"+442079460201", DEMO_LON, "carol", "carol", ORIGIN_PANEL, LC_PENDING, NC, SOON(120), NULL, 0,
     "Router replacement: confirm the delivery address", NULL, NULL, NULL, 0, {{0}}},
    {"+12125550181", DEMO_NY, "carol", "carol", ORIGIN_INTERACTION, LC_PENDING, NC,
     AHEAD(1, 10, 0), NULL, 0, "Follow-up on ticket 4821", NULL, NULL, NULL, 0, {{0}}},
    {"+13125550182", DEMO_CHI, "dave", "dave", ORIGIN_HISTORY, LC_PENDING, NC, SOON(300), NULL, 0,
     "Password reset did not work", NULL, NULL, NULL, 0, {{0}}},
    {"+61255500183", "Australia/Sydney", "dave", "dave", ORIGIN_PANEL, LC_PENDING, NC,
     AHEAD(2, 15, 0), NULL, 0, "Call after 3 pm Sydney time", NULL, NULL, NULL, 0, {{0}}},
    {"+442079460204", "UTC", NULL, "sup", ORIGIN_PANEL, LC_PENDING, NC, SOON(26 * 60), NULL, 0,
     "Travelling; times agreed in UTC", NULL, NULL, NULL, 0, {{0}}},
    {"+442079460205", DEMO_LON, NULL, NULL, ORIGIN_WEB, LC_PENDING, NC, AHEAD(3, 11, 0), NULL, 0,
     "", "Billing question", "{\"account\":\"UK-20931\"}", NULL, 0, {{0}}},
    {"+13035550186", "America/Denver", NULL, "telephony", ORIGIN_API, LC_PENDING, NC,
     AHEAD(5, 18, 30), NULL, 0, "IVR callback request", NULL, NULL,
     "My internet drops every evening around six.", 0, {{0}}},
    {"+14155550187", DEMO_LA, NULL, "dave", ORIGIN_PANEL, LC_PENDING, NC, AHEAD(1, 8, 30), NULL, 0,
     "Wants a technician visit", NULL, NULL, NULL, 0, {{0}}},
};

/* Past calls in alice's and bob's Call History (besides the two inbound
 * calls that closed callbacks as CustomerCalledIn). */
static const struct {
    const char *agent, *number;
    bool inbound;
    int day, hh, mm, duration_s;
} demo_calls[] = {
    {"alice", "+12125550102", true, 1, 15, 20, 260},
    {"alice", "+14155550109", true, 1, 16, 5, 180},
    {"alice", "+12125550126", false, 1, 9, 12, 198},
    {"alice", "+12125550199", true, 2, 10, 40, 95},
    {"bob", "+12125550104", true, 2, 13, 15, 320},
    {"bob", "+12125550104", true, 3, 10, 5, 60},
    {"bob", "+12125550119", true, 1, 11, 45, 75},
    {"bob", "+12125550123", true, 4, 9, 50, 140},
};

#undef SOON
#undef AHEAD
#undef AGO
#undef T
#undef LIVE
#undef VM
#undef NC

struct demo {
    struct store *st;
    int64_t now;
    const struct tz_zone *ny;
    int64_t today; /* days since the epoch of today's date in New York */
    char *err;
    size_t err_size;
};

static bool demo_failed(struct demo *d, const char *what, const char *detail)
{
    snprintf(d->err, d->err_size, "demo: %s: %s", what, detail);
    return false;
}

/* The instant of hh:mm local to zone on the date `day` (days since the
 * epoch); a time that DST skips moves an hour on. */
static int64_t demo_at(const struct tz_zone *zone, int64_t day, int hh, int mm)
{
    struct civil_time ct = {0};
    civil_date_from_days(day, &ct.year, &ct.month, &ct.day);
    ct.hour = hh;
    ct.minute = mm;
    int64_t t = 0;
    if (tz_local_to_utc(zone, &ct, &t, NULL, 0) == TZ_GAP) {
        ct.hour++;
        tz_local_to_utc(zone, &ct, &t, NULL, 0);
    }
    return t;
}

/* The date (days since the epoch) n weekdays before today in New York. */
static int64_t demo_workday(const struct demo *d, int n)
{
    int64_t day = d->today;
    while (n > 0) {
        day--;
        int wd = civil_weekday(day);
        if (wd != 0 && wd != 6)
            n--;
    }
    return day;
}

static int64_t demo_try_start(const struct demo *d, const struct demo_try *t)
{
    return demo_at(d->ny, demo_workday(d, t->day), t->hh, t->mm);
}

static int64_t demo_due(const struct demo *d, const struct tz_zone *zone,
                        const struct demo_due *due)
{
    if (due->soon) {
        int64_t t = d->now + (int64_t)due->minutes * 60;
        /* ahead: on a half hour, as the form offers; ago: to the minute */
        return due->minutes > 0 ? (t + 1799) / 1800 * 1800 : t / 60 * 60;
    }
    if (due->days > 0) {
        struct civil_time ct;
        tz_utc_to_local(zone, d->now, &ct, NULL);
        return demo_at(zone, civil_days_from_date(ct.year, ct.month, ct.day) + due->days,
                       due->hh, due->mm);
    }
    return demo_at(d->ny, demo_workday(d, -due->days), due->hh, due->mm);
}

static bool demo_user_id(struct demo *d, const char *login, int64_t *id)
{
    *id = 0;
    if (login == NULL)
        return true;
    struct cb_user u;
    if (store_user_by_login(d->st, login, &u, NULL, 0) != STORE_OK)
        return demo_failed(d, "no such user", login);
    *id = u.id;
    return true;
}

/* An interaction from telephony's point of view, ended. */
static bool demo_call(struct demo *d, int64_t bp_id, const char *agent, const char *number,
                      bool inbound, int64_t started_at, int duration_s)
{
    struct cb_interaction i;
    memset(&i, 0, sizeof i);
    i.inbound = inbound;
    snprintf(i.number, sizeof i.number, "%s", number);
    i.bp_id = bp_id;
    i.started_at = started_at;
    i.ended_at = started_at + duration_s;
    i.presence_before = -1;
    i.created_at = i.ended_at;
    if (!demo_user_id(d, agent, &i.agent_id))
        return false;
    if (store_interaction_insert(d->st, &i) != STORE_OK)
        return demo_failed(d, "interaction", number);
    return true;
}

/* One callback of the table, with its attempts (and, for a customer who
 * called in, the call). The audit log starts empty: purges in the demo
 * history have their "purged" attempt but no audit entry. */
static bool demo_callback(struct demo *d, const struct cb_bp *bp, int64_t team_id,
                          const struct demo_cb *s, int index)
{
    const char *why;
    const struct tz_zone *zone = tz_find(s->tz, &why);
    if (zone == NULL)
        return demo_failed(d, s->tz, why);
    struct cb_callback cb;
    memset(&cb, 0, sizeof cb);
    snprintf(cb.destination, sizeof cb.destination, "%s", s->number);
    cb.bp_id = bp->id;
    snprintf(cb.tz, sizeof cb.tz, "%s", s->tz);
    cb.routing = s->agent ? ROUTING_AGENT : ROUTING_TEAM;
    if (!demo_user_id(d, s->agent, &cb.agent_id) || !demo_user_id(d, s->creator, &cb.created_by) ||
        !demo_user_id(d, s->holder, &cb.holder_id))
        return false;
    if (!s->agent)
        cb.team_id = team_id;
    cb.origin = s->origin;
    cb.state = s->state;
    cb.end_state = s->state == LC_COMPLETED ? s->end : -1;
    cb.attempt_connect = -1;
    cb.flags = s->flags;
    cb.due_at = demo_due(d, zone, &s->due);
    cb.window_end = cb.due_at + (int64_t)bp->timing.window_min * 60;

    /* attempts: dates, the count of those that increment, the last one */
    int64_t first = INT64_MAX, last = 0;
    for (int k = 0; k < s->ntries; k++) {
        const struct demo_try *t = &s->tries[k];
        int64_t start = demo_try_start(d, t);
        if (start < first)
            first = start;
        int64_t end = start + (t->handle_s > 0 ? t->handle_s : 0);
        if (end > last)
            last = end;
        if (t->state == ATTEMPT_NO_ANSWER || t->state == ATTEMPT_ANSWERING_MACHINE)
            cb.attempts++;
    }
    /* created a while before it was first due or tried, and before today */
    int64_t created = cb.due_at < first ? cb.due_at : first;
    int64_t yesterday_end = demo_at(d->ny, demo_workday(d, 1), 16, 50);
    if (created > yesterday_end)
        created = yesterday_end;
    cb.created_at = created - (int64_t)(25 + (index * 37) % 240) * 60;

    int64_t called_in = 0;
    switch (s->state) {
    case LC_PENDING:
        cb.state_since = last ? last : cb.created_at;
        break;
    case LC_QUEUED:
        cb.state_since = cb.due_at > last ? cb.due_at : last;
        if (cb.state_since < d->now - 3600)
            cb.state_since = d->now - 25 * 60; /* queued again when the schedule opened */
        break;
    case LC_COMPLETED:
        if (s->end == END_EXPIRED)
            cb.completed_at = cb.window_end + 60;
        else if (s->end == END_CUSTOMER_CALLED_IN)
            cb.completed_at = called_in = last ? last + 50 * 60 : cb.due_at - 20 * 60;
        else
            cb.completed_at = last;
        cb.state_since = cb.completed_at;
        break;
    default: /* held: just now */
        cb.state_since = d->now - (s->state == LC_HANDLING ? 180 : 20);
        cb.attempt_started_at = cb.state_since - (s->state == LC_HANDLING ? 40 : 0);
        if (s->state == LC_HANDLING)
            cb.attempt_connect = CONNECT_LIVE;
        break;
    }
    char *remark = xstrdup(s->remark);
    cb.remark = remark;
    cb.subject = s->subject ? xstrdup(s->subject) : NULL;
    cb.case_data = s->case_data ? xstrdup(s->case_data) : NULL;
    cb.transcription = s->transcription ? xstrdup(s->transcription) : NULL;
    enum store_result r = store_callback_insert(d->st, &cb);
    cb_callback_clear(&cb);
    if (r != STORE_OK)
        return demo_failed(d, "callback", s->number);

    for (int k = 0; k < s->ntries; k++) {
        const struct demo_try *t = &s->tries[k];
        struct cb_attempt a;
        memset(&a, 0, sizeof a);
        a.callback_id = cb.id;
        int64_t start = demo_try_start(d, t);
        a.started_at = t->handle_s >= 0 ? start : 0;
        a.at = start + (t->handle_s > 0 ? t->handle_s : 0);
        a.state = t->state;
        a.handle_s = t->handle_s;
        a.connect = t->connect;
        if (!demo_user_id(d, t->agent, &a.agent_id))
            return false;
        if (store_attempt_insert(d->st, &a) != STORE_OK)
            return demo_failed(d, "attempt", s->number);
    }
    /* the inbound call that closed it, answered by the other Sales agent */
    const char *answered_by = s->agent && strcmp(s->agent, "bob") == 0 ? "alice" : "bob";
    return called_in == 0 || demo_call(d, bp->id, answered_by, s->number, true, called_in, 240);
}

static bool demo_callbacks(struct store *st, int64_t now, char *err, size_t err_size)
{
    struct demo d = {st, now, NULL, 0, err, err_size};
    const char *why;
    d.ny = tz_find(DEMO_NY, &why);
    if (d.ny == NULL)
        return demo_failed(&d, DEMO_NY, why);
    struct civil_time ct;
    tz_utc_to_local(d.ny, now, &ct, NULL);
    d.today = civil_days_from_date(ct.year, ct.month, ct.day);

    struct cb_bp sales, support;
    struct cb_team sales_team, support_team;
    if (store_bp_by_name(st, "Sales", &sales) != STORE_OK ||
        store_bp_by_name(st, "Support", &support) != STORE_OK ||
        store_team_by_name(st, "Sales Team", &sales_team) != STORE_OK ||
        store_team_by_name(st, "Support Team", &support_team) != STORE_OK)
        return demo_failed(&d, "callbacks", "business processes or teams missing");
    int index = 0;
    for (size_t i = 0; i < sizeof demo_sales / sizeof demo_sales[0]; i++)
        if (!demo_callback(&d, &sales, sales_team.id, &demo_sales[i], index++))
            return false;
    for (size_t i = 0; i < sizeof demo_support / sizeof demo_support[0]; i++)
        if (!demo_callback(&d, &support, support_team.id, &demo_support[i], index++))
            return false;
    for (size_t i = 0; i < sizeof demo_calls / sizeof demo_calls[0]; i++) {
        int64_t start = demo_at(d.ny, demo_workday(&d, demo_calls[i].day), demo_calls[i].hh,
                                demo_calls[i].mm);
        if (!demo_call(&d, sales.id, demo_calls[i].agent, demo_calls[i].number,
                       demo_calls[i].inbound, start, demo_calls[i].duration_s))
            return false;
    }
    return true;
}

bool demo_create(struct store *st, char *err, size_t err_size)
{
    int64_t now = clock_now();
    err[0] = '\0';
    return demo_bps(st, now, err, err_size) && demo_people(st, now, err, err_size) &&
           demo_callbacks(st, now, err, err_size) && store_meta_set(st, "demo", "1") == STORE_OK;
}
