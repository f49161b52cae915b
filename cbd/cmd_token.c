/*
 * cmd_token.c — `cbd token add --service NAME`: a bearer token for a
 * service (telephony reporting calls, DESIGN.md §7). The service user NAME
 * is created when missing; the token is printed once and only its hash is
 * stored. Service tokens do not expire; disabling the user (`cbd user set
 * NAME --disabled yes`) stops them. Audited as "admin.token.add" with
 * target "user:ID" (never the token).
 */
#include "cmd.h"

#include <string.h>

#include "auth.h"
#include "clock.h"
#include "json.h"

static const char cmd_token_add_usage[] =
    "--db PATH --service NAME\n\n"
    "Prints a new token for the service user NAME (created if missing),\n"
    "once: keep it, it cannot be shown again.\n";

static int cmd_token_add(const char *prog, int argc, char **argv)
{
    const char *service = NULL;
    const struct cmd_opt opts[] = {
        {"service", CMD_VALUE, .value = &service},
        {NULL},
    };
    struct cmd_args a = {.usage = cmd_token_add_usage, .opts = opts};
    int status = cmd_read_args(prog, argc, argv, &a);
    if (status != CMD_GO_ON)
        return status;
    if (service == NULL)
        return cmd_usage_error(prog, "--service NAME is required");
    if ((status = cmd_check_login(prog, "service", service)) != 0)
        return status;

    struct store *st = cmd_begin(prog, a.db);
    if (st == NULL)
        return 1;
    int64_t now = clock_now();
    struct cb_user u;
    bool created = false;
    enum store_result r = store_user_by_login(st, service, &u, NULL, 0);
    if (r == STORE_OK && u.role != ROLE_SERVICE) {
        status = cmd_fail(prog, "'%s' is not a service user (role %s)", service, role_wire(u.role));
        goto rollback;
    }
    if (r == STORE_NOT_FOUND) {
        memset(&u, 0, sizeof u);
        snprintf(u.login, sizeof u.login, "%s", service);
        snprintf(u.name, sizeof u.name, "%s", service);
        u.role = ROLE_SERVICE;
        u.created_at = now;
        r = store_user_insert(st, &u, NULL);
        created = true;
    }
    char token[AUTH_TOKEN_SIZE];
    unsigned char hash[32];
    auth_new_token(token, hash);
    if (r == STORE_OK)
        r = store_token_insert(st, hash, u.id, STORE_TOKEN_SERVICE, service, now);
    char target[48];
    snprintf(target, sizeof target, "user:%lld", (long long)u.id);
    if (r == STORE_OK) {
        cJSON *after = cJSON_CreateObject();
        cJSON_AddStringToObject(after, "service", service);
        cJSON_AddBoolToObject(after, "user_created", created);
        r = cmd_audit(st, "admin.token.add", target, NULL, after);
    }
    if ((status = cmd_commit(prog, st, r)) == 0) {
        if (created)
            printf("added service user %s (id %lld)\n", service, (long long)u.id);
        printf("service token for %s (shown once): %s\n", service, token);
    }
    explicit_bzero(token, sizeof token);
    goto out;
rollback:
    store_rollback(st);
out:
    store_close(st);
    return status;
}

static const struct cmd_action cmd_token_actions[] = {
    {"add", cmd_token_add, "add --db PATH --service NAME"},
};

int cmd_token(int argc, char **argv)
{
    return cmd_dispatch("token", cmd_token_actions,
                        sizeof cmd_token_actions / sizeof cmd_token_actions[0], argc, argv);
}
