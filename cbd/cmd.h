/*
 * cmd.h — the subcommands of the cbd program, one cmd_*.c file each, and
 * what they share: reading an action's command line from a table of its
 * options, and opening the database named by --db for administration.
 * Each cmd_* function takes the arguments after its name and returns the
 * process exit status (0 ok, 1 failure, 2 usage).
 */
#ifndef CBD_CMD_H
#define CBD_CMD_H

#include <cjson/cJSON.h>
#include <stdio.h>

#include "store.h"

int cmd_serve(int argc, char **argv);
int cmd_init(int argc, char **argv);

/* Administration (DESIGN.md §5a): cmd_user.c, cmd_bp.c, cmd_team.c,
 * cmd_token.c, cmd_dnc.c. argv[0] is the action ("add", "list", …). */
int cmd_user(int argc, char **argv);
int cmd_bp(int argc, char **argv);
int cmd_team(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_dnc(int argc, char **argv);
/* cmd_report.c: `cbd report completed` (report 6.04). */
int cmd_report(int argc, char **argv);

/* What the admin commands share (cmd_common.c). */

/* One action of a command group: run gets prog ("cbd user add") and the
 * arguments from the action's name on. */
struct cmd_action {
    const char *name;
    int (*run)(const char *prog, int argc, char **argv);
    const char *synopsis; /* after "cbd GROUP " */
};
/* Picks the action named by argv[0] and runs it; --help lists them. */
int cmd_dispatch(const char *group, const struct cmd_action *actions, size_t count, int argc,
                 char **argv);

/* One option of an admin action, for cmd_read_args(): "--NAME" alone
 * (CMD_FLAG), or with a value as "--NAME VALUE" or "--NAME=VALUE" —
 * kept once, the last one winning (CMD_VALUE), or every time, in order
 * (CMD_LIST). A unique prefix of NAME does as well (getopt_long). The
 * places belong to the caller, who sets what an absent option leaves
 * there; values point into argv, nothing is copied. */
enum cmd_opt_kind { CMD_FLAG, CMD_VALUE, CMD_LIST };
struct cmd_opt {
    const char *name; /* without "--"; NULL ends a table */
    enum cmd_opt_kind kind;
    bool *flag;           /* CMD_FLAG: set to true */
    const char **value;   /* CMD_VALUE: the value; CMD_LIST: an array of max */
    int *count, max;      /* CMD_LIST: how many are in value, at most max */
    const char *too_many; /* CMD_LIST: the usage error for one more */
};

/* The command line of an admin action: what cmd_read_args() reads, and
 * what it found. */
struct cmd_args {
    /* what --help prints after "usage: PROG " */
    const char *usage;
    /* the action's own options, or NULL (--db and --help are always read) */
    const struct cmd_opt *opts;
    /* how many operands must follow the options, and their name for the
     * usage error when they do not: none, "unexpected argument 'X'"; one,
     * "one NAME, please" or "NAME is missing"; more, "expected NAME" */
    int noperands;
    const char *operands;
    /* found: the --db path and the operands, both in argv */
    const char *db;
    char **operand;
};

/* The decimal text of a constant, for a CMD_LIST's too_many. */
#define CMD_TEXT(n) CMD_TEXT_(n)
#define CMD_TEXT_(n) #n

/* The value of cmd_read_args() when the action goes on. */
#define CMD_GO_ON (-1)

/* Reads argv (from the action's name on; reordered in place) as a->opts
 * and --db PATH (required) say, into the places a->opts name and into
 * a->db and a->operand. Returns CMD_GO_ON; or 0 after printing the usage
 * for --help / -h; or 2 after printing the usage error: the first bad
 * option from the left (unknown, without its value, one too many of a
 * CMD_LIST), else no --db, else the wrong number of operands. */
int cmd_read_args(const char *prog, int argc, char **argv, struct cmd_args *a);

/* Opens the database for an admin command (must exist); NULL after printing
 * why to stderr. The caller closes it (store_close). */
struct store *cmd_open_db(const char *path);
/* cmd_open_db() and store_begin(): the database in a write transaction, for
 * the caller to end (cmd_commit or store_rollback) and close; NULL (the
 * exit status is 1) after printing why. */
struct store *cmd_begin(const char *prog, const char *path);
/* Commits the transaction of st when r is STORE_OK; otherwise, or when the
 * commit fails, prints "PROG: database error: …" and rolls back. Returns
 * the exit status, 0 or 1. */
int cmd_commit(const char *prog, struct store *st, enum store_result r);
/* Prints "PROG: database error: " and the last error of st; returns 1. */
int cmd_store_fail(const char *prog, struct store *st);

/* Prints "PROG: message" and a pointer to --help; returns 2. */
int cmd_usage_error(const char *prog, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints "PROG: message"; returns 1. */
int cmd_fail(const char *prog, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* True for a login of 1 to 63 characters from [a-z0-9._-]. */
bool cmd_valid_login(const char *s);
/* 0 when login is valid; otherwise the usage error "WHAT 'LOGIN': use 1 to
 * 63 of a-z, 0-9, '.', '_', '-'" (what: "login", "service") and its 2. */
int cmd_check_login(const char *prog, const char *what, const char *login);
/* True for a display name: 1..max_bytes bytes of UTF-8 without control
 * characters or surrounding spaces; why (static text) says what is wrong. */
bool cmd_valid_name(const char *s, size_t max_bytes, const char **why);
/* "yes" / "no" (also "true" / "false", "1" / "0"). */
bool cmd_parse_yes_no(const char *s, bool *out);
/* Reads a password: one line of standard input with from_stdin, else asked
 * twice without echo on the terminal. Returns 0, or the exit status after
 * printing why. */
int cmd_read_password(const char *prog, const char *login, bool from_stdin, char *out,
                      size_t size);
/* Writes an admin audit entry (user none, now): action "admin.user.add",
 * target "user:7"; takes ownership of before and after (may be NULL). */
enum store_result cmd_audit(struct store *st, const char *action, const char *target,
                            cJSON *before, cJSON *after);
/* The instant as "2026-11-22 14:30Z", or "-" for 0; out has 24 bytes. */
void cmd_format_instant(int64_t t, char out[24]);

/* True when s is all digits: such a name would read as an id in the API. */
bool cmd_all_digits(const char *s);
/* The BP named, or numbered, ref into out; exit status 0, or 1 after
 * saying why. */
int cmd_find_bp(const char *prog, struct store *st, const char *ref, struct cb_bp *out);
/* Looks up every team name into out[0..n); exit status 0, or 1 after saying
 * which is missing. */
int cmd_find_teams(const char *prog, struct store *st, const char *const *names, int n,
                   struct cb_team *out);

/* A text table printed with columns aligned (widths in characters). */
struct cmd_table {
    size_t cols, rows, cap;
    char **cells;
};
void cmd_table_init(struct cmd_table *t, size_t cols, const char *const *headers);
/* Adds a row of t->cols strings (copied; NULL prints as "-"). */
void cmd_table_add(struct cmd_table *t, const char *const *cells);
/* Prints the table and frees it. */
void cmd_table_print(struct cmd_table *t, FILE *out);

#endif
