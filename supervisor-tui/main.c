/*
 * main.c — cb-supervisor — the supervisor dashboard: entry point.
 *
 * For now only --help and --version; the program itself lands with its
 * issue.
 */
#include <stdio.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(out, "usage: cb-supervisor [--help] [--version]\n");
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(argv[i], "--version") == 0) {
            printf("cb-supervisor %s\n", CB_VERSION);
            return 0;
        }
        fprintf(stderr, "cb-supervisor: unknown argument '%s'\n", argv[i]);
        usage(stderr);
        return 2;
    }
    usage(stderr);
    return 2;
}
