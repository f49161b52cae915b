/*
 * main.c — cbd's entry point: picks the subcommand and hands it the rest
 * of the arguments. The subcommands live in cmd_*.c.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"

struct main_cmd {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *synopsis;
};

static const struct main_cmd main_cmds[] = {
    {"serve", cmd_serve, "serve --db PATH [--listen HOST:PORT] [--config FILE] ..."},
    {"init", cmd_init, "init --db PATH [--demo]"},
    {"user", cmd_user, "user add|passwd|list|set --db PATH ..."},
    {"bp", cmd_bp, "bp add|set|list --db PATH ..."},
    {"team", cmd_team, "team add|member --db PATH ..."},
    {"token", cmd_token, "token add --db PATH --service NAME"},
    {"dnc", cmd_dnc, "dnc add|remove|list|import --db PATH ..."},
    {"report", cmd_report, "report completed --db PATH [--bp BP] [--from T] [--to T] ..."},
};

static void main_usage(FILE *out)
{
    fprintf(out, "usage: cbd COMMAND [ARGS]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof main_cmds / sizeof main_cmds[0]; i++)
        fprintf(out, "  cbd %s\n", main_cmds[i].synopsis);
    fprintf(out, "\n'cbd COMMAND --help' tells more; see also cbd(8).\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        main_usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        main_usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("cbd %s\n", CB_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof main_cmds / sizeof main_cmds[0]; i++)
        if (strcmp(argv[1], main_cmds[i].name) == 0)
            return main_cmds[i].run(argc - 2, argv + 2);
    fprintf(stderr, "cbd: unknown command '%s'\n", argv[1]);
    main_usage(stderr);
    return 2;
}
