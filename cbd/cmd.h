/*
 * cmd.h — the subcommands of the cbd program, one cmd_*.c file each, and
 * what they share: opening the database named by --db for administration.
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

/* Opens the database for an admin command (must exist); NULL after printing
 * why to stderr. */
struct store *cmd_open_db(const char *path);
/* Finds "--db PATH" / "--db=PATH" in argv and removes it; NULL when absent. */
const char *cmd_take_db(int *argc, char **argv);

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
/* Prints "PROG: message" and a pointer to --help; returns 2. */
int cmd_usage_error(const char *prog, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Reports what getopt_long() (opterr 0, optstring starting with ':')
 * refused: c is '?' or ':'. Returns 2. */
int cmd_bad_option(const char *prog, int c, char **argv);
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
