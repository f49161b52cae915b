/*
 * cmd_common.c — what the admin commands (cbd user, bp, team, token, dnc,
 * report) share: picking the action; reading its command line from a table
 * of its options (cmd_read_args, getopt_long underneath: options go
 * before, between or after the operands, "--" ends them, a unique prefix
 * names one); opening the database named by --db and ending a change's one
 * transaction; the two kinds of failure (exit 2: the command line is wrong
 * — an unknown option, a missing argument, a value that is not a role,
 * zone, login or number; exit 1: it is well formed but cannot be done —
 * the login exists, the team does not, the database is unreadable); checks
 * of names and logins, password entry, the audit entry every change
 * writes, and aligned tables.
 *
 * Admin commands open a writer of their own on the database (never
 * creating it); SQLite's locking lets them run beside a serving cbd, each
 * change in one short transaction.
 */
#include "cmd.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "auth.h"
#include "civil.h"
#include "clock.h"
#include "json.h"
#include "xalloc.h"

struct store *cmd_open_db(const char *path)
{
    char err[512];
    struct store *st = store_open(path, STORE_WRITER, false, err, sizeof err);
    if (st == NULL)
        fprintf(stderr, "cbd: %s\n", err);
    return st;
}

struct store *cmd_begin(const char *prog, const char *path)
{
    struct store *st = cmd_open_db(path);
    if (st != NULL && !store_begin(st)) {
        cmd_store_fail(prog, st);
        store_close(st);
        st = NULL;
    }
    return st;
}

int cmd_commit(const char *prog, struct store *st, enum store_result r)
{
    if (r == STORE_OK && store_commit(st))
        return 0;
    int status = cmd_store_fail(prog, st); /* before the rollback clears the error */
    store_rollback(st);
    return status;
}

int cmd_store_fail(const char *prog, struct store *st)
{
    return cmd_fail(prog, "database error: %s", store_errmsg(st));
}

/* ---- the command line of an action -------------------------------------- */

/* Finds "--db PATH" / "--db=PATH" in argv and removes it; NULL when absent
 * or empty. */
static const char *cmd_take_db(int *argc, char **argv)
{
    const char *db = NULL;
    int out = 0;
    for (int i = 0; i < *argc; i++) {
        if (strcmp(argv[i], "--") == 0) { /* the rest are operands */
            while (i < *argc)
                argv[out++] = argv[i++];
            break;
        }
        if (strcmp(argv[i], "--db") == 0 && i + 1 < *argc) {
            db = argv[++i];
        } else if (strncmp(argv[i], "--db=", 5) == 0) {
            db = argv[i] + 5;
        } else {
            argv[out++] = argv[i];
        }
    }
    *argc = out;
    argv[out] = NULL;
    return db && db[0] ? db : NULL;
}

/* Reports what getopt_long() (opterr 0, optstring starting with ':')
 * refused: c is '?' or ':'. Returns 2. */
static int cmd_bad_option(const char *prog, int c, char **argv)
{
    const char *arg = optind > 0 ? argv[optind - 1] : "?";
    if (c == ':')
        return cmd_usage_error(prog, "option '%s' needs a value", arg);
    if (strncmp(arg, "--", 2) == 0)
        return cmd_usage_error(prog, optopt ? "option '%s' takes no value" : "unknown option '%s'",
                               arg);
    return cmd_usage_error(prog, "unknown option '-%c'", optopt);
}

/* getopt_long() returns CMD_OPT_VAL + i for the action's option i: never
 * 'h', '?' or ':', and never 0, which would read as "unknown" in optopt. */
#define CMD_OPT_VAL 256

/* Keeps what the option o was given (its value arg); false after printing
 * the usage error of a list that is full. */
static bool cmd_opt_keep(const char *prog, const struct cmd_opt *o, const char *arg)
{
    switch (o->kind) {
    case CMD_FLAG: *o->flag = true; break;
    case CMD_VALUE: *o->value = arg; break;
    case CMD_LIST:
        if (*o->count >= o->max) {
            cmd_usage_error(prog, "%s", o->too_many);
            return false;
        }
        o->value[(*o->count)++] = arg;
        break;
    }
    return true;
}

int cmd_read_args(const char *prog, int argc, char **argv, struct cmd_args *a)
{
    a->db = cmd_take_db(&argc, argv);
    a->operand = NULL;
    size_t n = 0;
    while (a->opts && a->opts[n].name)
        n++;
    /* getopt_long's table: the action's options in order, then --help, then
     * the zeros that end it (freed here) */
    struct option *table = xcalloc(n + 2, sizeof *table);
    for (size_t i = 0; i < n; i++)
        table[i] = (struct option){a->opts[i].name,
                                   a->opts[i].kind == CMD_FLAG ? no_argument : required_argument,
                                   NULL, CMD_OPT_VAL + (int)i};
    table[n] = (struct option){"help", no_argument, NULL, 'h'};
    int status = CMD_GO_ON, c;
    optind = 0; /* glibc: start afresh */
    opterr = 0;
    while (status == CMD_GO_ON && (c = getopt_long(argc, argv, ":h", table, NULL)) != -1) {
        if (c >= CMD_OPT_VAL) {
            if (!cmd_opt_keep(prog, &a->opts[c - CMD_OPT_VAL], optarg))
                status = 2;
        } else if (c == 'h') {
            printf("usage: %s %s", prog, a->usage);
            status = 0;
        } else {
            status = cmd_bad_option(prog, c, argv);
        }
    }
    free(table);
    if (status != CMD_GO_ON)
        return status;
    if (a->db == NULL)
        return cmd_usage_error(prog, "--db PATH is required");
    int left = argc - optind;
    if (left != a->noperands) {
        if (a->noperands == 0)
            return cmd_usage_error(prog, "unexpected argument '%s'", argv[optind]);
        if (a->noperands == 1)
            return cmd_usage_error(prog, left ? "one %s, please" : "%s is missing", a->operands);
        return cmd_usage_error(prog, "expected %s", a->operands);
    }
    a->operand = argv + optind;
    return CMD_GO_ON;
}

static void cmd_group_usage(FILE *out, const char *group, const struct cmd_action *actions,
                            size_t count)
{
    fprintf(out, "usage:\n");
    for (size_t i = 0; i < count; i++)
        fprintf(out, "  cbd %s %s\n", group, actions[i].synopsis);
    fprintf(out, "\n'cbd %s ACTION --help' tells more; see also cbd(8).\n", group);
}

int cmd_dispatch(const char *group, const struct cmd_action *actions, size_t count, int argc,
                 char **argv)
{
    if (argc < 1) {
        fprintf(stderr, "cbd %s: which action?\n", group);
        cmd_group_usage(stderr, group, actions, count);
        return 2;
    }
    if (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0 ||
        strcmp(argv[0], "help") == 0) {
        cmd_group_usage(stdout, group, actions, count);
        return 0;
    }
    for (size_t i = 0; i < count; i++)
        if (strcmp(argv[0], actions[i].name) == 0) {
            if (!auth_init()) {
                fprintf(stderr, "cbd %s: libsodium failed to initialise\n", group);
                return 1;
            }
            char prog[64];
            snprintf(prog, sizeof prog, "cbd %s %s", group, actions[i].name);
            return actions[i].run(prog, argc, argv);
        }
    fprintf(stderr, "cbd %s: unknown action '%s'\n", group, argv[0]);
    cmd_group_usage(stderr, group, actions, count);
    return 2;
}

int cmd_usage_error(const char *prog, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", prog);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nTry '%s --help'.\n", prog);
    va_end(ap);
    return 2;
}

int cmd_fail(const char *prog, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", prog);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 1;
}

bool cmd_valid_login(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 63)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '.' ||
              s[i] == '_' || s[i] == '-'))
            return false;
    return true;
}

int cmd_check_login(const char *prog, const char *what, const char *login)
{
    if (cmd_valid_login(login))
        return 0;
    return cmd_usage_error(prog, "%s '%s': use 1 to 63 of a-z, 0-9, '.', '_', '-'", what, login);
}

/* Length of the UTF-8 sequence at s (1..4), 0 when it is not valid. */
static size_t cmd_utf8_len(const unsigned char *s)
{
    if (s[0] < 0x80)
        return 1;
    size_t n;
    unsigned cp;
    if ((s[0] & 0xe0) == 0xc0) {
        n = 2;
        cp = s[0] & 0x1f;
    } else if ((s[0] & 0xf0) == 0xe0) {
        n = 3;
        cp = s[0] & 0x0f;
    } else if ((s[0] & 0xf8) == 0xf0) {
        n = 4;
        cp = s[0] & 0x07;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    static const unsigned min[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

bool cmd_valid_name(const char *s, size_t max_bytes, const char **why)
{
    size_t n = strlen(s);
    if (n == 0) {
        *why = "must not be empty";
        return false;
    }
    if (n > max_bytes) {
        *why = "too long";
        return false;
    }
    if (s[0] == ' ' || s[n - 1] == ' ') {
        *why = "must not begin or end with a space";
        return false;
    }
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        size_t len = cmd_utf8_len(p);
        if (len == 0) {
            *why = "not valid UTF-8";
            return false;
        }
        if (*p < 0x20 || *p == 0x7f) {
            *why = "must not hold control characters";
            return false;
        }
        p += len;
    }
    return true;
}

bool cmd_parse_yes_no(const char *s, bool *out)
{
    if (strcmp(s, "yes") == 0 || strcmp(s, "true") == 0 || strcmp(s, "1") == 0)
        *out = true;
    else if (strcmp(s, "no") == 0 || strcmp(s, "false") == 0 || strcmp(s, "0") == 0)
        *out = false;
    else
        return false;
    return true;
}

/* Reads one line into out without its line end; false at end of input or
 * when the line does not fit. */
static bool cmd_read_line(FILE *in, char *out, size_t size, bool *too_long)
{
    *too_long = false;
    if (fgets(out, (int)size, in) == NULL)
        return false;
    size_t n = strlen(out);
    if (n > 0 && out[n - 1] == '\n') {
        out[--n] = '\0';
    } else if (!feof(in)) {
        *too_long = true;
        int c;
        while ((c = fgetc(in)) != EOF && c != '\n')
            ;
        return false;
    }
    if (n > 0 && out[n - 1] == '\r')
        out[--n] = '\0';
    return true;
}

/* Asks for a line on the terminal with echo off. */
static bool cmd_ask_hidden(const char *prompt, char *out, size_t size)
{
    struct termios old, quiet;
    fprintf(stderr, "%s", prompt);
    fflush(stderr);
    bool restore = tcgetattr(STDIN_FILENO, &old) == 0;
    if (restore) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        quiet.c_lflag |= ECHONL;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    bool too_long;
    bool ok = cmd_read_line(stdin, out, size, &too_long);
    if (restore)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    return ok;
}

#define CMD_PASSWORD_MIN 8
#define CMD_PASSWORD_MAX 1023

int cmd_read_password(const char *prog, const char *login, bool from_stdin, char *out,
                      size_t size)
{
    if (from_stdin) {
        bool too_long;
        if (!cmd_read_line(stdin, out, size, &too_long)) {
            if (too_long)
                return cmd_fail(prog, "the password is longer than %d bytes", CMD_PASSWORD_MAX);
            return cmd_fail(prog, "no password on standard input");
        }
    } else if (isatty(STDIN_FILENO)) {
        char prompt[128], again[CMD_PASSWORD_MAX + 2];
        snprintf(prompt, sizeof prompt, "Password for %s: ", login);
        if (!cmd_ask_hidden(prompt, out, size) ||
            !cmd_ask_hidden("Password again: ", again, sizeof again))
            return cmd_fail(prog, "no password given");
        bool same = strcmp(out, again) == 0;
        explicit_bzero(again, sizeof again);
        if (!same)
            return cmd_fail(prog, "the passwords differ");
    } else {
        return cmd_usage_error(prog, "standard input is not a terminal: give the password "
                                     "with --password-stdin");
    }
    size_t n = strlen(out);
    if (n < CMD_PASSWORD_MIN)
        return cmd_fail(prog, "the password is shorter than %d characters", CMD_PASSWORD_MIN);
    if (n > CMD_PASSWORD_MAX)
        return cmd_fail(prog, "the password is longer than %d bytes", CMD_PASSWORD_MAX);
    return 0;
}

enum store_result cmd_audit(struct store *st, const char *action, const char *target,
                            cJSON *before, cJSON *after)
{
    char *b = before ? json_print(before) : NULL;
    char *a = after ? json_print(after) : NULL;
    enum store_result r = store_audit_insert(st, clock_now(), 0, action, target, b, a);
    free(b);
    free(a);
    cJSON_Delete(before);
    cJSON_Delete(after);
    return r;
}

void cmd_format_instant(int64_t t, char out[24])
{
    if (t == 0) {
        snprintf(out, 24, "-");
        return;
    }
    struct civil_time ct;
    civil_from_epoch(t, &ct);
    snprintf(out, 24, "%04d-%02d-%02d %02d:%02dZ", ct.year, ct.month, ct.day, ct.hour,
             ct.minute);
}

/* ---- tables ------------------------------------------------------------ */

void cmd_table_init(struct cmd_table *t, size_t cols, const char *const *headers)
{
    memset(t, 0, sizeof *t);
    t->cols = cols;
    cmd_table_add(t, headers);
}

void cmd_table_add(struct cmd_table *t, const char *const *cells)
{
    if (t->rows == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 16;
        t->cells = xrealloc(t->cells, t->cap * t->cols * sizeof *t->cells);
    }
    for (size_t c = 0; c < t->cols; c++)
        t->cells[t->rows * t->cols + c] = xstrdup(cells[c] && cells[c][0] ? cells[c] : "-");
    t->rows++;
}

/* Characters (code points) in a UTF-8 string. */
static size_t cmd_width(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xc0) != 0x80)
            n++;
    return n;
}

void cmd_table_print(struct cmd_table *t, FILE *out)
{
    size_t *w = xcalloc(t->cols, sizeof *w);
    for (size_t r = 0; r < t->rows; r++)
        for (size_t c = 0; c < t->cols; c++) {
            size_t n = cmd_width(t->cells[r * t->cols + c]);
            if (n > w[c])
                w[c] = n;
        }
    for (size_t r = 0; r < t->rows; r++) {
        for (size_t c = 0; c < t->cols; c++) {
            const char *cell = t->cells[r * t->cols + c];
            fputs(cell, out);
            if (c + 1 < t->cols)
                for (size_t pad = cmd_width(cell); pad < w[c] + 2; pad++)
                    fputc(' ', out);
            free(t->cells[r * t->cols + c]);
        }
        fputc('\n', out);
    }
    free(w);
    free(t->cells);
    memset(t, 0, sizeof *t);
}

bool cmd_all_digits(const char *s)
{
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

int cmd_find_bp(const char *prog, struct store *st, const char *ref, struct cb_bp *out)
{
    enum store_result r = store_bp_by_name(st, ref, out);
    if (r == STORE_NOT_FOUND && ref[0] && cmd_all_digits(ref) && strlen(ref) < 19)
        r = store_bp_get(st, strtoll(ref, NULL, 10), out);
    if (r == STORE_NOT_FOUND)
        return cmd_fail(prog, "business process '%s' does not exist", ref);
    return r == STORE_OK ? 0 : cmd_store_fail(prog, st);
}

int cmd_find_teams(const char *prog, struct store *st, const char *const *names, int n,
                   struct cb_team *out)
{
    for (int i = 0; i < n; i++) {
        enum store_result r = store_team_by_name(st, names[i], &out[i]);
        if (r == STORE_NOT_FOUND)
            return cmd_fail(prog, "team '%s' does not exist", names[i]);
        if (r != STORE_OK)
            return cmd_store_fail(prog, st);
    }
    return 0;
}
