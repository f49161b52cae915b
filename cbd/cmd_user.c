/*
 * cmd_user.c — `cbd user add|passwd|list|set`: the people who log in
 * (DESIGN.md §5a). Passwords are hashed with Argon2id before the write
 * transaction begins, so a slow hash never holds the database lock. Every
 * change is audited as "admin.user.*" with target "user:ID" and the user as
 * JSON before and after. Service users (telephony) are made by `cbd token
 * add`; here they can only be renamed or disabled.
 */
#include "cmd.h"

#include <string.h>

#include "auth.h"
#include "clock.h"
#include "json.h"
#include "present.h"

#define CMD_USER_MAX_TEAMS 32

/* The user as the audit log keeps it: present_user() and "disabled". */
static cJSON *cmd_user_json(struct store *st, const struct cb_user *u)
{
    cJSON *o = present_user(st, u);
    cJSON_AddBoolToObject(o, "disabled", u->disabled);
    return o;
}

static const char cmd_user_add_usage[] =
    "--db PATH LOGIN --name NAME --role agent|supervisor|admin\n"
    "           [--team TEAM]... [--can-schedule] [--password-stdin]\n\n"
    "Adds a user who logs in with LOGIN ([a-z0-9._-], at most 63 characters).\n"
    "The password is read from standard input with --password-stdin, else asked\n"
    "twice on the terminal; it must have at least 8 characters.\n\n"
    "  --name NAME        the name shown to others\n"
    "  --role ROLE        agent, supervisor or admin\n"
    "  --team TEAM        a team to join (repeatable)\n"
    "  --can-schedule     the agent may schedule callbacks\n"
    "  --password-stdin   read the password from standard input\n";

static int cmd_user_add(const char *prog, int argc, char **argv)
{
    const char *name = NULL, *role_text = NULL, *teams[CMD_USER_MAX_TEAMS];
    int nteams = 0;
    bool can_schedule = false, pw_stdin = false;
    const struct cmd_opt opts[] = {
        {"name", CMD_VALUE, .value = &name},
        {"role", CMD_VALUE, .value = &role_text},
        {"team", CMD_LIST, .value = teams, .count = &nteams, .max = CMD_USER_MAX_TEAMS,
         .too_many = "at most " CMD_TEXT(CMD_USER_MAX_TEAMS) " --team options"},
        {"can-schedule", CMD_FLAG, .flag = &can_schedule},
        {"password-stdin", CMD_FLAG, .flag = &pw_stdin},
        {NULL},
    };
    struct cmd_args a = {.usage = cmd_user_add_usage, .opts = opts, .noperands = 1,
                         .operands = "LOGIN"};
    int status = cmd_read_args(prog, argc, argv, &a);
    if (status != CMD_GO_ON)
        return status;
    const char *login = a.operand[0], *why;
    if ((status = cmd_check_login(prog, "login", login)) != 0)
        return status;
    if (name == NULL)
        return cmd_usage_error(prog, "--name NAME is required");
    if (!cmd_valid_name(name, CB_NAME_SIZE - 1, &why))
        return cmd_usage_error(prog, "--name: %s", why);
    enum role role;
    if (role_text == NULL)
        return cmd_usage_error(prog, "--role is required (agent, supervisor or admin)");
    if (!role_parse(role_text, &role) || role == ROLE_SERVICE)
        return cmd_usage_error(prog, "--role '%s': must be agent, supervisor or admin", role_text);

    struct store *st = cmd_open_db(a.db);
    if (st == NULL)
        return 1;
    struct cb_user u = {0};
    struct cb_team found[CMD_USER_MAX_TEAMS];
    char password[1024], hash[AUTH_HASH_SIZE];
    if (store_user_by_login(st, login, &u, NULL, 0) == STORE_OK) {
        status = cmd_fail(prog, "login '%s' exists", login);
        goto out;
    }
    if ((status = cmd_find_teams(prog, st, teams, nteams, found)) != 0)
        goto out;
    if ((status = cmd_read_password(prog, login, pw_stdin, password, sizeof password)) != 0)
        goto out;
    bool hashed = auth_hash_password(password, hash);
    explicit_bzero(password, sizeof password);
    if (!hashed) {
        status = cmd_fail(prog, "cannot hash the password (out of memory?)");
        goto out;
    }
    memset(&u, 0, sizeof u);
    snprintf(u.login, sizeof u.login, "%s", login);
    snprintf(u.name, sizeof u.name, "%s", name);
    u.role = role;
    u.can_schedule = can_schedule;
    u.created_at = clock_now();
    if (!store_begin(st)) {
        status = cmd_store_fail(prog, st);
        goto out;
    }
    enum store_result r = store_user_insert(st, &u, hash);
    if (r == STORE_CONFLICT) {
        store_rollback(st);
        status = cmd_fail(prog, "login '%s' exists", login);
        goto out;
    }
    for (int i = 0; r == STORE_OK && i < nteams; i++)
        r = store_team_add_member(st, found[i].id, u.id);
    char target[48];
    snprintf(target, sizeof target, "user:%lld", (long long)u.id);
    if (r == STORE_OK)
        r = cmd_audit(st, "admin.user.add", target, NULL, cmd_user_json(st, &u));
    if ((status = cmd_commit(prog, st, r)) == 0)
        printf("added %s %s (id %lld)\n", role_wire(role), login, (long long)u.id);
out:
    store_close(st);
    return status;
}

static const char cmd_user_passwd_usage[] =
    "--db PATH LOGIN [--password-stdin]\n\n"
    "Sets the password of LOGIN: read from standard input with\n"
    "--password-stdin, else asked twice on the terminal.\n";

static int cmd_user_passwd(const char *prog, int argc, char **argv)
{
    bool pw_stdin = false;
    const struct cmd_opt opts[] = {
        {"password-stdin", CMD_FLAG, .flag = &pw_stdin},
        {NULL},
    };
    struct cmd_args a = {.usage = cmd_user_passwd_usage, .opts = opts, .noperands = 1,
                         .operands = "LOGIN"};
    int status = cmd_read_args(prog, argc, argv, &a);
    if (status != CMD_GO_ON)
        return status;
    const char *login = a.operand[0];
    if ((status = cmd_check_login(prog, "login", login)) != 0)
        return status;

    struct store *st = cmd_open_db(a.db);
    if (st == NULL)
        return 1;
    struct cb_user u;
    char password[1024], hash[AUTH_HASH_SIZE], target[48];
    enum store_result r = store_user_by_login(st, login, &u, NULL, 0);
    if (r != STORE_OK) {
        status = r == STORE_NOT_FOUND ? cmd_fail(prog, "no user '%s'", login)
                                      : cmd_store_fail(prog, st);
        goto out;
    }
    if (u.role == ROLE_SERVICE) {
        status = cmd_fail(prog, "'%s' is a service user: it logs in with a token", login);
        goto out;
    }
    if ((status = cmd_read_password(prog, login, pw_stdin, password, sizeof password)) != 0)
        goto out;
    bool hashed = auth_hash_password(password, hash);
    explicit_bzero(password, sizeof password);
    if (!hashed) {
        status = cmd_fail(prog, "cannot hash the password (out of memory?)");
        goto out;
    }
    snprintf(target, sizeof target, "user:%lld", (long long)u.id);
    bool done = store_begin(st) && store_user_set_password(st, u.id, hash) == STORE_OK &&
                store_token_delete_user(st, u.id) == STORE_OK &&
                cmd_audit(st, "admin.user.passwd", target, NULL, NULL) == STORE_OK;
    if ((status = cmd_commit(prog, st, done ? STORE_OK : STORE_ERROR)) == 0)
        printf("password of %s changed; their sessions are ended\n", login);
out:
    store_close(st);
    return status;
}

/* ---- list ------------------------------------------------------------- */

struct cmd_user_list_ctx {
    struct store *st;
    struct cmd_table table;
};

static bool cmd_user_list_team(void *ctx, const struct cb_team *t)
{
    char *teams = ctx; /* 512 bytes */
    size_t used = strlen(teams);
    snprintf(teams + used, 512 - used, "%s%s", used ? ", " : "", t->name);
    return true;
}

static bool cmd_user_list_each(void *ctx, const struct cb_user *u)
{
    struct cmd_user_list_ctx *c = ctx;
    char teams[512] = "";
    store_user_teams(c->st, u->id, cmd_user_list_team, teams);
    const char *cells[] = {
        u->login,
        u->name,
        role_wire(u->role),
        teams,
        u->can_schedule ? "yes" : "no",
        u->role == ROLE_AGENT ? presence_wire(u->presence) : NULL,
        u->disabled ? "yes" : "no",
    };
    cmd_table_add(&c->table, cells);
    return true;
}

static const char cmd_user_list_usage[] =
    "--db PATH\n\n"
    "Lists every user: login, name, role, teams, whether they may schedule\n"
    "callbacks, presence (agents) and whether they are disabled.\n";

static int cmd_user_list(const char *prog, int argc, char **argv)
{
    struct cmd_args a = {.usage = cmd_user_list_usage};
    int status = cmd_read_args(prog, argc, argv, &a);
    if (status != CMD_GO_ON)
        return status;
    struct store *st = cmd_open_db(a.db);
    if (st == NULL)
        return 1;
    static const char *const headers[] = {"LOGIN", "NAME", "ROLE", "TEAMS",
                                          "CAN_SCHEDULE", "PRESENCE", "DISABLED"};
    struct cmd_user_list_ctx ctx = {st, {0}};
    cmd_table_init(&ctx.table, 7, headers);
    store_read_begin(st);
    enum store_result r = store_user_list(st, ~0u, cmd_user_list_each, &ctx);
    store_read_end(st);
    status = r == STORE_OK ? 0 : cmd_store_fail(prog, st);
    cmd_table_print(&ctx.table, stdout);
    store_close(st);
    return status;
}

/* ---- set -------------------------------------------------------------- */

static const char cmd_user_set_usage[] =
    "--db PATH LOGIN [--name NAME] [--role ROLE]\n"
    "           [--can-schedule yes|no] [--disabled yes|no]\n"
    "           [--add-team TEAM]... [--remove-team TEAM]...\n\n"
    "Changes a user. A disabled user cannot log in and their tokens stop\n"
    "working at once.\n";

static int cmd_user_set(const char *prog, int argc, char **argv)
{
    const char *name = NULL, *role_text = NULL, *sched_text = NULL, *disabled_text = NULL;
    const char *add[CMD_USER_MAX_TEAMS], *rem[CMD_USER_MAX_TEAMS];
    int nadd = 0, nrem = 0;
    const struct cmd_opt opts[] = {
        {"name", CMD_VALUE, .value = &name},
        {"role", CMD_VALUE, .value = &role_text},
        {"can-schedule", CMD_VALUE, .value = &sched_text},
        {"disabled", CMD_VALUE, .value = &disabled_text},
        {"add-team", CMD_LIST, .value = add, .count = &nadd, .max = CMD_USER_MAX_TEAMS,
         .too_many = "too many team options"},
        {"remove-team", CMD_LIST, .value = rem, .count = &nrem, .max = CMD_USER_MAX_TEAMS,
         .too_many = "too many team options"},
        {NULL},
    };
    struct cmd_args a = {.usage = cmd_user_set_usage, .opts = opts, .noperands = 1,
                         .operands = "LOGIN"};
    int status = cmd_read_args(prog, argc, argv, &a);
    if (status != CMD_GO_ON)
        return status;
    const char *login = a.operand[0], *why;
    if ((status = cmd_check_login(prog, "login", login)) != 0)
        return status;
    if (name && !cmd_valid_name(name, CB_NAME_SIZE - 1, &why))
        return cmd_usage_error(prog, "--name: %s", why);
    enum role role = ROLE_AGENT;
    if (role_text && (!role_parse(role_text, &role) || role == ROLE_SERVICE))
        return cmd_usage_error(prog, "--role '%s': must be agent, supervisor or admin", role_text);
    bool sched = false, disabled = false;
    if (sched_text && !cmd_parse_yes_no(sched_text, &sched))
        return cmd_usage_error(prog, "--can-schedule '%s': yes or no", sched_text);
    if (disabled_text && !cmd_parse_yes_no(disabled_text, &disabled))
        return cmd_usage_error(prog, "--disabled '%s': yes or no", disabled_text);
    if (!name && !role_text && !sched_text && !disabled_text && nadd == 0 && nrem == 0)
        return cmd_usage_error(prog, "nothing to change");

    struct store *st = cmd_begin(prog, a.db);
    if (st == NULL)
        return 1;
    struct cb_user u;
    struct cb_team add_t[CMD_USER_MAX_TEAMS], rem_t[CMD_USER_MAX_TEAMS];
    enum store_result r = store_user_by_login(st, login, &u, NULL, 0);
    if (r != STORE_OK) {
        status = r == STORE_NOT_FOUND ? cmd_fail(prog, "no user '%s'", login)
                                      : cmd_store_fail(prog, st);
        goto rollback;
    }
    if (u.role == ROLE_SERVICE && (role_text || sched_text || nadd || nrem)) {
        status = cmd_fail(prog, "'%s' is a service user: only --name and --disabled apply", login);
        goto rollback;
    }
    if ((status = cmd_find_teams(prog, st, add, nadd, add_t)) != 0 ||
        (status = cmd_find_teams(prog, st, rem, nrem, rem_t)) != 0)
        goto rollback;
    for (int i = 0; i < nrem; i++) {
        r = store_team_has_member(st, rem_t[i].id, u.id);
        if (r != STORE_OK) {
            status = r == STORE_NOT_FOUND
                         ? cmd_fail(prog, "%s is not in team '%s'", login, rem_t[i].name)
                         : cmd_store_fail(prog, st);
            goto rollback;
        }
    }
    cJSON *before = cmd_user_json(st, &u);
    if (name)
        snprintf(u.name, sizeof u.name, "%s", name);
    if (role_text)
        u.role = role;
    if (sched_text)
        u.can_schedule = sched;
    if (disabled_text)
        u.disabled = disabled;
    r = store_user_update(st, &u);
    for (int i = 0; r == STORE_OK && i < nadd; i++)
        r = store_team_add_member(st, add_t[i].id, u.id);
    for (int i = 0; r == STORE_OK && i < nrem; i++) {
        r = store_team_remove_member(st, rem_t[i].id, u.id);
        if (r == STORE_NOT_FOUND) /* named twice */
            r = STORE_OK;
    }
    char target[48];
    snprintf(target, sizeof target, "user:%lld", (long long)u.id);
    if (r == STORE_OK)
        r = cmd_audit(st, "admin.user.set", target, before, cmd_user_json(st, &u));
    else
        cJSON_Delete(before);
    if ((status = cmd_commit(prog, st, r)) == 0)
        printf("changed %s\n", login);
    goto out;
rollback:
    store_rollback(st);
out:
    store_close(st);
    return status;
}

static const struct cmd_action cmd_user_actions[] = {
    {"add", cmd_user_add,
     "add --db PATH LOGIN --name NAME --role ROLE [--team TEAM]... [--can-schedule] "
     "[--password-stdin]"},
    {"passwd", cmd_user_passwd, "passwd --db PATH LOGIN [--password-stdin]"},
    {"list", cmd_user_list, "list --db PATH"},
    {"set", cmd_user_set,
     "set --db PATH LOGIN [--name NAME] [--role ROLE] [--can-schedule yes|no] "
     "[--disabled yes|no] [--add-team TEAM]... [--remove-team TEAM]..."},
};

int cmd_user(int argc, char **argv)
{
    return cmd_dispatch("user", cmd_user_actions,
                        sizeof cmd_user_actions / sizeof cmd_user_actions[0], argc, argv);
}
