/*
 * cmd_bp.c — `cbd bp add|set|list`: business processes, their zone,
 * routing types, teams and Callback Timing (DESIGN.md §2, §5a). Timing is
 * given as the JSON form of timing.h; `bp set --timing` changes only the
 * members it names. Every change is audited as "admin.bp.*" with target
 * "bp:ID" and the BP as the API shows it before and after. A serving cbd
 * reads BPs from the database on each request; its timers (engine) pick
 * changes up when they next look.
 */
#include "cmd.h"

#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "json.h"
#include "present.h"
#include "tz.h"

#define CMD_BP_MAX_TEAMS 32

/* "agent,team" → bit set; false on an unknown or empty list. */
static bool cmd_bp_parse_routing(const char *text, unsigned *out)
{
    char buf[64];
    if (strlen(text) >= sizeof buf)
        return false;
    snprintf(buf, sizeof buf, "%s", text);
    unsigned set = 0;
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ')
            tok++;
        enum routing r;
        if (!routing_parse(tok, &r))
            return false;
        set |= 1u << r;
    }
    *out = set;
    return set != 0;
}

/* Parses --timing JSON into t (partial: absent members keep their value);
 * exit status 0, or 2 after saying what is wrong. */
static int cmd_bp_parse_timing(const char *prog, const char *text, bool partial, struct timing *t)
{
    struct json_error err;
    cJSON *obj = json_parse_body(text, strlen(text), &err);
    if (obj == NULL)
        return cmd_usage_error(prog, "--timing: %s", err.message);
    bool ok = timing_from_json(obj, partial, t, &err);
    cJSON_Delete(obj);
    if (!ok)
        return cmd_usage_error(prog, "--timing: %s", err.message);
    return 0;
}

/* The command line of add and set: NAME and the options they share. */
struct cmd_bp_args {
    const char *db, *name, *tz, *routing, *timing;
    const char *teams[CMD_BP_MAX_TEAMS];
    int nteams;
};

/* Reads the command line into a (its strings in argv), the teams from the
 * option team_opt ("team" on add, "add-team" on set); CMD_GO_ON, or the
 * exit status. */
static int cmd_bp_args(const char *prog, int argc, char **argv, const char *team_opt,
                       const char *usage, struct cmd_bp_args *a)
{
    memset(a, 0, sizeof *a);
    const struct cmd_opt opts[] = {
        {"tz", CMD_VALUE, .value = &a->tz},
        {"routing", CMD_VALUE, .value = &a->routing},
        {"timing", CMD_VALUE, .value = &a->timing},
        {team_opt, CMD_LIST, .value = a->teams, .count = &a->nteams, .max = CMD_BP_MAX_TEAMS,
         .too_many = "at most " CMD_TEXT(CMD_BP_MAX_TEAMS) " teams"},
        {NULL},
    };
    struct cmd_args args = {.usage = usage, .opts = opts, .noperands = 1, .operands = "NAME"};
    int status = cmd_read_args(prog, argc, argv, &args);
    if (status == CMD_GO_ON) {
        a->db = args.db;
        a->name = args.operand[0];
    }
    return status;
}

static const char cmd_bp_add_usage[] =
    "--db PATH NAME --tz ZONE [--routing agent,team] [--team TEAM]...\n"
    "           [--timing JSON]\n\n"
    "Adds a business process in the IANA zone ZONE. --routing lists the routing\n"
    "types it offers (default agent,team; only agent makes every callback\n"
    "personal). --timing sets Callback Timing as JSON (cbd-api(7)); what it does\n"
    "not name takes the defaults.\n";

static int cmd_bp_add(const char *prog, int argc, char **argv)
{
    struct cmd_bp_args a;
    int status = cmd_bp_args(prog, argc, argv, "team", cmd_bp_add_usage, &a);
    if (status != CMD_GO_ON)
        return status;
    const char *why;
    if (!cmd_valid_name(a.name, CB_NAME_SIZE - 1, &why))
        return cmd_usage_error(prog, "name: %s", why);
    if (cmd_all_digits(a.name))
        return cmd_usage_error(prog, "name '%s': must not be only digits (it would read as an id)",
                               a.name);
    struct cb_bp bp = {0};
    snprintf(bp.name, sizeof bp.name, "%s", a.name);
    if (a.tz == NULL)
        return cmd_usage_error(prog, "--tz ZONE is required");
    if (tz_find(a.tz, &why) == NULL || strlen(a.tz) >= sizeof bp.tz)
        return cmd_usage_error(prog, "--tz '%s': unknown time zone", a.tz);
    snprintf(bp.tz, sizeof bp.tz, "%s", a.tz);
    bp.routing = 1u << ROUTING_AGENT | 1u << ROUTING_TEAM;
    if (a.routing && !cmd_bp_parse_routing(a.routing, &bp.routing))
        return cmd_usage_error(prog, "--routing '%s': a list of agent, team", a.routing);
    timing_defaults(&bp.timing);
    if (a.timing && (status = cmd_bp_parse_timing(prog, a.timing, false, &bp.timing)) != 0)
        return status;

    struct store *st = cmd_begin(prog, a.db);
    if (st == NULL)
        return 1;
    struct cb_team teams[CMD_BP_MAX_TEAMS];
    if ((status = cmd_find_teams(prog, st, a.teams, a.nteams, teams)) != 0)
        goto rollback;
    enum store_result r = store_bp_insert(st, &bp);
    if (r == STORE_CONFLICT) {
        status = cmd_fail(prog, "business process '%s' exists", a.name);
        goto rollback;
    }
    for (int i = 0; r == STORE_OK && i < a.nteams; i++)
        r = store_bp_add_team(st, bp.id, teams[i].id);
    char target[48];
    snprintf(target, sizeof target, "bp:%lld", (long long)bp.id);
    if (r == STORE_OK)
        r = cmd_audit(st, "admin.bp.add", target, NULL, present_bp(st, &bp, clock_now()));
    if ((status = cmd_commit(prog, st, r)) == 0)
        printf("added business process %s (id %lld)\n", bp.name, (long long)bp.id);
    goto out;
rollback:
    store_rollback(st);
out:
    store_close(st);
    return status;
}

static const char cmd_bp_set_usage[] =
    "--db PATH NAME [--tz ZONE] [--routing agent,team] [--timing JSON]\n"
    "           [--add-team TEAM]...\n\n"
    "Changes a business process (NAME or id). --timing names only the Callback\n"
    "Timing settings to change, e.g. --timing '{\"preview_s\": 10}'.\n";

static int cmd_bp_set(const char *prog, int argc, char **argv)
{
    struct cmd_bp_args a;
    int status = cmd_bp_args(prog, argc, argv, "add-team", cmd_bp_set_usage, &a);
    if (status != CMD_GO_ON)
        return status;
    const char *why;
    if (a.tz && (tz_find(a.tz, &why) == NULL || strlen(a.tz) >= CB_TZ_SIZE))
        return cmd_usage_error(prog, "--tz '%s': unknown time zone", a.tz);
    unsigned routing = 0;
    if (a.routing && !cmd_bp_parse_routing(a.routing, &routing))
        return cmd_usage_error(prog, "--routing '%s': a list of agent, team", a.routing);
    if (!a.tz && !a.routing && !a.timing && a.nteams == 0)
        return cmd_usage_error(prog, "nothing to change");
    if (a.timing) { /* check the JSON before touching the database */
        struct timing scratch;
        timing_defaults(&scratch);
        if ((status = cmd_bp_parse_timing(prog, a.timing, true, &scratch)) != 0)
            return status;
    }

    struct store *st = cmd_begin(prog, a.db);
    if (st == NULL)
        return 1;
    struct cb_team teams[CMD_BP_MAX_TEAMS];
    struct cb_bp bp;
    if ((status = cmd_find_bp(prog, st, a.name, &bp)) != 0 ||
        (status = cmd_find_teams(prog, st, a.teams, a.nteams, teams)) != 0)
        goto rollback;
    int64_t now = clock_now();
    cJSON *before = present_bp(st, &bp, now);
    if (a.tz)
        snprintf(bp.tz, sizeof bp.tz, "%s", a.tz);
    if (a.routing)
        bp.routing = routing;
    if (a.timing && (status = cmd_bp_parse_timing(prog, a.timing, true, &bp.timing)) != 0) {
        cJSON_Delete(before);
        goto rollback;
    }
    enum store_result r = store_bp_update(st, &bp);
    for (int i = 0; r == STORE_OK && i < a.nteams; i++)
        r = store_bp_add_team(st, bp.id, teams[i].id);
    char target[48];
    snprintf(target, sizeof target, "bp:%lld", (long long)bp.id);
    if (r == STORE_OK)
        r = cmd_audit(st, "admin.bp.set", target, before, present_bp(st, &bp, now));
    else
        cJSON_Delete(before);
    if ((status = cmd_commit(prog, st, r)) == 0)
        printf("changed business process %s (version %lld)\n", bp.name, (long long)bp.version);
    goto out;
rollback:
    store_rollback(st);
out:
    store_close(st);
    return status;
}

/* ---- list ------------------------------------------------------------- */

struct cmd_bp_list_ctx {
    struct store *st;
    int64_t now;
    struct cmd_table table;
};

static bool cmd_bp_list_team(void *ctx, int64_t id, const char *name)
{
    (void)id;
    char *teams = ctx; /* 512 bytes */
    size_t used = strlen(teams);
    snprintf(teams + used, 512 - used, "%s%s", used ? ", " : "", name);
    return true;
}

static bool cmd_bp_list_each(void *ctx, const struct cb_bp *bp)
{
    struct cmd_bp_list_ctx *c = ctx;
    char id[24], version[24], routing[32] = "", teams[512] = "", preview[16], slots[32];
    snprintf(id, sizeof id, "%lld", (long long)bp->id);
    snprintf(version, sizeof version, "%lld", (long long)bp->version);
    for (int r = 0; r < ROUTING__COUNT; r++)
        if (bp->routing & (1u << r)) {
            size_t used = strlen(routing);
            snprintf(routing + used, sizeof routing - used, "%s%s", used ? "," : "",
                     routing_wire((enum routing)r));
        }
    store_bp_teams(c->st, bp->id, cmd_bp_list_team, teams);
    snprintf(preview, sizeof preview, "%ds", bp->timing.preview_s);
    if (bp->timing.slot_capacity)
        snprintf(slots, sizeof slots, "%d min x %d", bp->timing.slot_min,
                 bp->timing.slot_capacity);
    else
        snprintf(slots, sizeof slots, "no cap");
    const char *cells[] = {id,      bp->name, bp->tz, routing, teams,
                           preview, slots,
                           clbk_stat_display(present_bp_clbk_stat(bp, c->now)),
                           version};
    cmd_table_add(&c->table, cells);
    return true;
}

static const char cmd_bp_list_usage[] =
    "--db PATH\n\n"
    "Lists the business processes: id, name, zone, routing types, teams,\n"
    "preview length, slots, CLBK Stat now and version.\n";

static int cmd_bp_list(const char *prog, int argc, char **argv)
{
    struct cmd_args a = {.usage = cmd_bp_list_usage};
    int status = cmd_read_args(prog, argc, argv, &a);
    if (status != CMD_GO_ON)
        return status;
    struct store *st = cmd_open_db(a.db);
    if (st == NULL)
        return 1;
    static const char *const headers[] = {"ID",      "NAME",  "TZ",        "ROUTING", "TEAMS",
                                          "PREVIEW", "SLOTS", "CLBK_STAT", "VERSION"};
    struct cmd_bp_list_ctx ctx = {st, clock_now(), {0}};
    cmd_table_init(&ctx.table, 9, headers);
    store_read_begin(st);
    enum store_result r = store_bp_list(st, cmd_bp_list_each, &ctx);
    store_read_end(st);
    status = r == STORE_OK ? 0 : cmd_store_fail(prog, st);
    cmd_table_print(&ctx.table, stdout);
    store_close(st);
    return status;
}

static const struct cmd_action cmd_bp_actions[] = {
    {"add", cmd_bp_add,
     "add --db PATH NAME --tz ZONE [--routing agent,team] [--team TEAM]... [--timing JSON]"},
    {"set", cmd_bp_set,
     "set --db PATH NAME [--tz ZONE] [--routing agent,team] [--timing JSON] "
     "[--add-team TEAM]..."},
    {"list", cmd_bp_list, "list --db PATH"},
};

int cmd_bp(int argc, char **argv)
{
    return cmd_dispatch("bp", cmd_bp_actions, sizeof cmd_bp_actions / sizeof cmd_bp_actions[0],
                        argc, argv);
}
