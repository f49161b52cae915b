/*
 * cmd_team.c — `cbd team add|member`: teams, the BPs they serve and their
 * members (DESIGN.md §5a). Audited as "admin.team.add",
 * "admin.team.member.add" and "admin.team.member.remove" with target
 * "team:ID".
 */
#include "cmd.h"

#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "present.h"

#define CMD_TEAM_MAX_BPS 32

static bool cmd_team_bp_json(void *ctx, int64_t id, const char *name)
{
    cJSON *o = cJSON_CreateObject();
    json_add_int(o, "id", id);
    cJSON_AddStringToObject(o, "name", name);
    cJSON_AddItemToArray(ctx, o);
    return true;
}

static const char cmd_team_add_usage[] =
    "--db PATH NAME [--bp BP]...\n\n"
    "Adds a team; each --bp (a business process name or id) is one it\n"
    "serves.\n";

static int cmd_team_add(const char *prog, int argc, char **argv)
{
    const char *bps[CMD_TEAM_MAX_BPS];
    int nbps = 0;
    const struct cmd_opt opts[] = {
        {"bp", CMD_LIST, .value = bps, .count = &nbps, .max = CMD_TEAM_MAX_BPS,
         .too_many = "at most " CMD_TEXT(CMD_TEAM_MAX_BPS) " --bp options"},
        {NULL},
    };
    struct cmd_args a = {.usage = cmd_team_add_usage, .opts = opts, .noperands = 1,
                         .operands = "NAME"};
    int status = cmd_read_args(prog, argc, argv, &a);
    if (status != CMD_GO_ON)
        return status;
    const char *name = a.operand[0], *why;
    if (!cmd_valid_name(name, CB_NAME_SIZE - 1, &why))
        return cmd_usage_error(prog, "name: %s", why);
    if (cmd_all_digits(name))
        return cmd_usage_error(prog, "name '%s': must not be only digits (it would read as an id)",
                               name);

    struct store *st = cmd_begin(prog, a.db);
    if (st == NULL)
        return 1;
    status = 0;
    struct cb_bp found[CMD_TEAM_MAX_BPS];
    struct cb_team t = {0};
    snprintf(t.name, sizeof t.name, "%s", name);
    for (int i = 0; i < nbps; i++)
        if ((status = cmd_find_bp(prog, st, bps[i], &found[i])) != 0)
            goto rollback;
    enum store_result r = store_team_insert(st, &t);
    if (r == STORE_CONFLICT) {
        status = cmd_fail(prog, "team '%s' exists", name);
        goto rollback;
    }
    for (int i = 0; r == STORE_OK && i < nbps; i++)
        r = store_bp_add_team(st, found[i].id, t.id);
    char target[48];
    snprintf(target, sizeof target, "team:%lld", (long long)t.id);
    if (r == STORE_OK) {
        cJSON *after = present_team(&t);
        store_team_bps(st, t.id, cmd_team_bp_json, cJSON_AddArrayToObject(after, "bps"));
        r = cmd_audit(st, "admin.team.add", target, NULL, after);
    }
    if ((status = cmd_commit(prog, st, r)) == 0)
        printf("added team %s (id %lld)\n", t.name, (long long)t.id);
    goto out;
rollback:
    store_rollback(st);
out:
    store_close(st);
    return status;
}

static const char cmd_team_member_usage[] =
    "--db PATH TEAM add|remove LOGIN\n\n"
    "Adds LOGIN to TEAM or removes them from it.\n";

static int cmd_team_member(const char *prog, int argc, char **argv)
{
    struct cmd_args a = {.usage = cmd_team_member_usage, .noperands = 3,
                         .operands = "TEAM add|remove LOGIN"};
    int status = cmd_read_args(prog, argc, argv, &a);
    if (status != CMD_GO_ON)
        return status;
    const char *team = a.operand[0], *verb = a.operand[1], *login = a.operand[2];
    bool adding = strcmp(verb, "add") == 0;
    if (!adding && strcmp(verb, "remove") != 0)
        return cmd_usage_error(prog, "'%s': expected add or remove", verb);
    if ((status = cmd_check_login(prog, "login", login)) != 0)
        return status;

    struct store *st = cmd_begin(prog, a.db);
    if (st == NULL)
        return 1;
    struct cb_team t;
    struct cb_user u;
    enum store_result r = store_team_by_name(st, team, &t);
    if (r != STORE_OK) {
        status = r == STORE_NOT_FOUND ? cmd_fail(prog, "team '%s' does not exist", team)
                                      : cmd_store_fail(prog, st);
        goto rollback;
    }
    r = store_user_by_login(st, login, &u, NULL, 0);
    if (r != STORE_OK) {
        status = r == STORE_NOT_FOUND ? cmd_fail(prog, "no user '%s'", login)
                                      : cmd_store_fail(prog, st);
        goto rollback;
    }
    if (u.role == ROLE_SERVICE) {
        status = cmd_fail(prog, "'%s' is a service user and cannot join a team", login);
        goto rollback;
    }
    r = store_team_has_member(st, t.id, u.id);
    if (r != STORE_OK && r != STORE_NOT_FOUND) {
        status = cmd_store_fail(prog, st);
        goto rollback;
    }
    bool member = r == STORE_OK;
    if (adding && member) {
        printf("%s is already in %s\n", login, t.name);
        goto rollback;
    }
    if (!adding && !member) {
        status = cmd_fail(prog, "%s is not in team '%s'", login, t.name);
        goto rollback;
    }
    r = adding ? store_team_add_member(st, t.id, u.id) : store_team_remove_member(st, t.id, u.id);
    char target[48];
    snprintf(target, sizeof target, "team:%lld", (long long)t.id);
    if (r == STORE_OK) {
        cJSON *what = cJSON_CreateObject();
        json_add_int(what, "user_id", u.id);
        cJSON_AddStringToObject(what, "login", u.login);
        r = cmd_audit(st, adding ? "admin.team.member.add" : "admin.team.member.remove", target,
                      adding ? NULL : what, adding ? what : NULL);
    }
    if ((status = cmd_commit(prog, st, r)) == 0)
        printf("%s %s %s %s\n", adding ? "added" : "removed", login, adding ? "to" : "from",
               t.name);
    goto out;
rollback:
    store_rollback(st);
out:
    store_close(st);
    return status;
}

static const struct cmd_action cmd_team_actions[] = {
    {"add", cmd_team_add, "add --db PATH NAME [--bp BP]..."},
    {"member", cmd_team_member, "member --db PATH TEAM add|remove LOGIN"},
};

int cmd_team(int argc, char **argv)
{
    return cmd_dispatch("team", cmd_team_actions,
                        sizeof cmd_team_actions / sizeof cmd_team_actions[0], argc, argv);
}
