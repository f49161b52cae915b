/*
 * cmd.h — the subcommands of the cbd program, one cmd_*.c file each, and
 * what they share: opening the database named by --db for administration.
 * Each cmd_* function takes the arguments after its name and returns the
 * process exit status (0 ok, 1 failure, 2 usage).
 */
#ifndef CBD_CMD_H
#define CBD_CMD_H

#include <stdio.h>

#include "store.h"

int cmd_serve(int argc, char **argv);
int cmd_init(int argc, char **argv);

/* Opens the database for an admin command (must exist); NULL after printing
 * why to stderr. */
struct store *cmd_open_db(const char *path);
/* Finds "--db PATH" / "--db=PATH" in argv and removes it; NULL when absent. */
const char *cmd_take_db(int *argc, char **argv);

#endif
