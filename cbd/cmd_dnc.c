/*
 * cmd_dnc.c — `cbd dnc add|remove|list|import`: the do-not-call list
 * (DESIGN.md §3: checked at every entry into Dialing). Numbers are
 * normalized to E.164 (phone.h) before they are stored or looked up.
 *
 * import reads one number per line; '#' starts a comment, blank lines are
 * skipped. It is all or nothing: every bad line is reported with its line
 * number and then nothing is imported. Numbers already listed (or repeated
 * in the file) are skipped and counted. One audit entry covers the import.
 * Changes are audited as "admin.dnc.add", "admin.dnc.remove" (target
 * "dnc:NUMBER") and "admin.dnc.import" (target "dnc").
 */
#include "cmd.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "json.h"
#include "xalloc.h"

#define CMD_DNC_NOTE_CHARS 200
#define CMD_DNC_LINE_MAX 256
#define CMD_DNC_REPORT_MAX 20 /* bad lines shown before "… and N more" */

/* A note: at most 200 characters of UTF-8, single line; "" allowed. */
static bool cmd_dnc_valid_note(const char *note, const char **why)
{
    if (note[0] == '\0')
        return true;
    if (!cmd_valid_name(note, CB_DNC_NOTE_SIZE - 1, why))
        return false;
    size_t chars = 0;
    for (const char *p = note; *p; p++)
        if (((unsigned char)*p & 0xc0) != 0x80)
            chars++;
    if (chars > CMD_DNC_NOTE_CHARS) {
        *why = "longer than 200 characters";
        return false;
    }
    return true;
}

static cJSON *cmd_dnc_json(const struct cb_dnc *d)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "number", d->number);
    cJSON_AddStringToObject(o, "note", d->note);
    json_add_instant(o, "added_at", d->added_at);
    json_add_string_or_null(o, "added_by", d->added_by ? d->added_by_login : NULL);
    return o;
}

/* Reads the command line of add (note not NULL: it takes --note) and
 * remove: the database into *db, NUMBER normalized into number; the
 * strings point into argv. CMD_GO_ON, or the exit status. */
static int cmd_dnc_number_args(const char *prog, int argc, char **argv, const char *usage,
                               const char **db, char number[PHONE_E164_SIZE], const char **note)
{
    const struct cmd_opt opts[] = {
        {"note", CMD_VALUE, .value = note},
        {NULL},
    };
    struct cmd_args a = {.usage = usage, .opts = note ? opts : NULL, .noperands = 1,
                         .operands = "NUMBER"};
    int status = cmd_read_args(prog, argc, argv, &a);
    if (status != CMD_GO_ON)
        return status;
    *db = a.db;
    const char *why = "";
    if (!phone_normalize(a.operand[0], number, &why))
        return cmd_usage_error(prog, "number '%s': %s", a.operand[0], why);
    if (note && *note && !cmd_dnc_valid_note(*note, &why))
        return cmd_usage_error(prog, "--note: %s", why);
    return CMD_GO_ON;
}

static const char cmd_dnc_add_usage[] =
    "--db PATH NUMBER [--note TEXT]\n\n"
    "Puts NUMBER (E.164, e.g. +1 212 555 0100) on the do-not-call list.\n";

static int cmd_dnc_add(const char *prog, int argc, char **argv)
{
    const char *db = NULL, *note = NULL;
    char number[PHONE_E164_SIZE];
    int status = cmd_dnc_number_args(prog, argc, argv, cmd_dnc_add_usage, &db, number, &note);
    if (status != CMD_GO_ON)
        return status;
    struct store *st = cmd_begin(prog, db);
    if (st == NULL)
        return 1;
    status = 0;
    struct cb_dnc d;
    char target[32];
    snprintf(target, sizeof target, "dnc:%s", number);
    enum store_result r = store_dnc_add(st, number, note ? note : "", clock_now(), 0);
    if (r == STORE_CONFLICT) {
        status = cmd_fail(prog, "%s is already on the do-not-call list", number);
        goto rollback;
    }
    if (r == STORE_OK && (r = store_dnc_get(st, number, &d)) == STORE_OK)
        r = cmd_audit(st, "admin.dnc.add", target, NULL, cmd_dnc_json(&d));
    if ((status = cmd_commit(prog, st, r)) == 0)
        printf("added %s to the do-not-call list\n", number);
    goto out;
rollback:
    store_rollback(st);
out:
    store_close(st);
    return status;
}

static const char cmd_dnc_remove_usage[] =
    "--db PATH NUMBER\n\n"
    "Takes NUMBER off the do-not-call list.\n";

static int cmd_dnc_remove(const char *prog, int argc, char **argv)
{
    const char *db = NULL;
    char number[PHONE_E164_SIZE];
    int status = cmd_dnc_number_args(prog, argc, argv, cmd_dnc_remove_usage, &db, number, NULL);
    if (status != CMD_GO_ON)
        return status;
    struct store *st = cmd_begin(prog, db);
    if (st == NULL)
        return 1;
    status = 0;
    struct cb_dnc d;
    char target[32];
    snprintf(target, sizeof target, "dnc:%s", number);
    enum store_result r = store_dnc_get(st, number, &d);
    if (r == STORE_NOT_FOUND) {
        status = cmd_fail(prog, "%s is not on the do-not-call list", number);
        goto rollback;
    }
    if (r == STORE_OK && (r = store_dnc_remove(st, number)) == STORE_OK)
        r = cmd_audit(st, "admin.dnc.remove", target, cmd_dnc_json(&d), NULL);
    if ((status = cmd_commit(prog, st, r)) == 0)
        printf("removed %s from the do-not-call list\n", number);
    goto out;
rollback:
    store_rollback(st);
out:
    store_close(st);
    return status;
}

/* ---- list ------------------------------------------------------------- */

struct cmd_dnc_list_ctx {
    struct cmd_table table;
    int seen;
    char last[PHONE_E164_SIZE];
};

#define CMD_DNC_PAGE 500

static bool cmd_dnc_list_each(void *ctx, const struct cb_dnc *d)
{
    struct cmd_dnc_list_ctx *c = ctx;
    if (++c->seen > CMD_DNC_PAGE)
        return false; /* the probe row of the next page */
    char added[24];
    cmd_format_instant(d->added_at, added);
    const char *cells[] = {d->number, added, d->added_by ? d->added_by_login : "(admin)", d->note};
    cmd_table_add(&c->table, cells);
    snprintf(c->last, sizeof c->last, "%s", d->number);
    return true;
}

static const char cmd_dnc_list_usage[] = "--db PATH\n\nLists the do-not-call list by number.\n";

static int cmd_dnc_list(const char *prog, int argc, char **argv)
{
    struct cmd_args a = {.usage = cmd_dnc_list_usage};
    int status = cmd_read_args(prog, argc, argv, &a);
    if (status != CMD_GO_ON)
        return status;
    struct store *st = cmd_open_db(a.db);
    if (st == NULL)
        return 1;
    static const char *const headers[] = {"NUMBER", "ADDED_AT", "ADDED_BY", "NOTE"};
    struct cmd_dnc_list_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    cmd_table_init(&ctx.table, 4, headers);
    enum store_result r;
    store_read_begin(st);
    do { /* page by page, so a long list is never one huge statement */
        struct store_dnc_query q = {NULL, NULL, ctx.last[0] ? ctx.last : NULL, CMD_DNC_PAGE};
        ctx.seen = 0;
        r = store_dnc_list(st, &q, cmd_dnc_list_each, &ctx);
    } while (r == STORE_OK && ctx.seen > CMD_DNC_PAGE);
    store_read_end(st);
    status = r == STORE_OK ? 0 : cmd_store_fail(prog, st);
    cmd_table_print(&ctx.table, stdout);
    store_close(st);
    return status;
}

/* ---- import ----------------------------------------------------------- */

struct cmd_dnc_numbers {
    char (*v)[PHONE_E164_SIZE];
    size_t n, cap;
};

/* Reads every number of in into nums; the count of bad lines (each
 * reported on stderr, the first CMD_DNC_REPORT_MAX of them). */
static size_t cmd_dnc_read(const char *prog, const char *path, FILE *in,
                           struct cmd_dnc_numbers *nums)
{
    char *line = NULL;
    size_t cap = 0, bad = 0, lineno = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, in)) >= 0) {
        lineno++;
        const char *why = NULL;
        if ((size_t)len != strlen(line))
            why = "holds a NUL byte";
        else if (len > CMD_DNC_LINE_MAX)
            why = "longer than 256 bytes";
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *p = line;
        while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
            p++;
        char *end = p + strlen(p);
        while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' ||
                           end[-1] == '\n'))
            *--end = '\0';
        if (why == NULL && *p == '\0')
            continue;
        char number[PHONE_E164_SIZE];
        if (why == NULL && phone_normalize(p, number, &why)) {
            if (nums->n == nums->cap) {
                nums->cap = nums->cap ? nums->cap * 2 : 256;
                nums->v = xrealloc(nums->v, nums->cap * sizeof *nums->v);
            }
            memcpy(nums->v[nums->n++], number, PHONE_E164_SIZE);
            continue;
        }
        if (bad++ < CMD_DNC_REPORT_MAX)
            fprintf(stderr, "%s: %s:%zu: '%.40s': %s\n", prog, path, lineno, p, why);
    }
    free(line);
    if (bad > CMD_DNC_REPORT_MAX)
        fprintf(stderr, "%s: … and %zu more bad lines\n", prog, bad - CMD_DNC_REPORT_MAX);
    return bad;
}

static const char cmd_dnc_import_usage[] =
    "--db PATH FILE [--note TEXT]\n\n"
    "Adds every number of FILE ('-': standard input), one per line; '#'\n"
    "starts a comment and blank lines are skipped. If any line is not a\n"
    "number, each such line is reported and nothing is imported. Numbers\n"
    "already listed are skipped and counted. --note is kept with each.\n";

static int cmd_dnc_import(const char *prog, int argc, char **argv)
{
    const char *note = "";
    const struct cmd_opt opts[] = {
        {"note", CMD_VALUE, .value = &note},
        {NULL},
    };
    struct cmd_args a = {.usage = cmd_dnc_import_usage, .opts = opts, .noperands = 1,
                         .operands = "FILE"};
    int status = cmd_read_args(prog, argc, argv, &a);
    if (status != CMD_GO_ON)
        return status;
    const char *path = a.operand[0], *why;
    if (!cmd_dnc_valid_note(note, &why))
        return cmd_usage_error(prog, "--note: %s", why);

    FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (in == NULL)
        return cmd_fail(prog, "%s: %s", path, strerror(errno));
    struct cmd_dnc_numbers nums = {NULL, 0, 0};
    size_t bad = cmd_dnc_read(prog, path, in, &nums);
    bool read_error = ferror(in) != 0;
    if (in != stdin)
        fclose(in);
    if (read_error) {
        free(nums.v);
        return cmd_fail(prog, "%s: read error", path);
    }
    if (bad) {
        free(nums.v);
        return cmd_fail(prog, "%zu bad line%s: nothing imported", bad, bad == 1 ? "" : "s");
    }

    struct store *st = cmd_open_db(a.db);
    if (st == NULL) {
        free(nums.v);
        return 1;
    }
    size_t added = 0, skipped = 0;
    int64_t now = clock_now();
    enum store_result r = store_begin(st) ? STORE_OK : STORE_ERROR;
    for (size_t i = 0; r == STORE_OK && i < nums.n; i++) {
        r = store_dnc_add(st, nums.v[i], note, now, 0);
        if (r == STORE_CONFLICT) {
            skipped++;
            r = STORE_OK;
        } else if (r == STORE_OK) {
            added++;
        }
    }
    if (r == STORE_OK) {
        cJSON *after = cJSON_CreateObject();
        cJSON_AddStringToObject(after, "file", path);
        json_add_int(after, "imported", (int64_t)added);
        json_add_int(after, "skipped", (int64_t)skipped);
        r = cmd_audit(st, "admin.dnc.import", "dnc", NULL, after);
    }
    if ((status = cmd_commit(prog, st, r)) == 0)
        printf("imported %zu number%s; skipped %zu duplicate%s\n", added, added == 1 ? "" : "s",
               skipped, skipped == 1 ? "" : "s");
    store_close(st);
    free(nums.v);
    return status;
}

static const struct cmd_action cmd_dnc_actions[] = {
    {"add", cmd_dnc_add, "add --db PATH NUMBER [--note TEXT]"},
    {"remove", cmd_dnc_remove, "remove --db PATH NUMBER"},
    {"list", cmd_dnc_list, "list --db PATH"},
    {"import", cmd_dnc_import, "import --db PATH FILE [--note TEXT]"},
};

int cmd_dnc(int argc, char **argv)
{
    return cmd_dispatch("dnc", cmd_dnc_actions, sizeof cmd_dnc_actions / sizeof cmd_dnc_actions[0],
                        argc, argv);
}
