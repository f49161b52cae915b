/*
 * demo.c — the demo data of DESIGN.md §5a: BP Sales (America/New_York,
 * Mon–Fri 09:00–17:00, preview 10 s, slots of 30 minutes holding 4) and BP
 * Support (UTC, open all day every day, calling hours 00:00–24:00, no slot
 * cap); teams Sales Team (alice, bob) and Support Team (carol, dave);
 * agents alice, bob, carol, dave (password "<login>-demo", all may
 * schedule); supervisor sup / sup-demo; admin admin / admin-demo; a
 * telephony service token, printed once.
 */
#include "demo.h"

#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "clock.h"
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

bool demo_create(struct store *st, char *err, size_t err_size)
{
    int64_t now = clock_now();
    err[0] = '\0';
    return demo_bps(st, now, err, err_size) && demo_people(st, now, err, err_size) &&
           store_meta_set(st, "demo", "1") == STORE_OK;
}
