/*
 * cmd_init.c — `cbd init --db PATH [--demo]`: creates the database with the
 * current schema; with --demo, fills it with the demo data of DESIGN.md §5a
 * (demo.c). Refuses a database that already holds users.
 */
#include "cmd.h"

#include <string.h>

#include "auth.h"
#include "demo.h"

int cmd_init(int argc, char **argv)
{
    const char *db = NULL;
    bool demo = false;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("usage: cbd init --db PATH [--demo]\n\n"
                   "Creates the database PATH. With --demo, adds the demo business processes,\n"
                   "teams, users and callbacks, and prints the telephony service token.\n");
            return 0;
        } else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
            db = argv[++i];
        } else if (strncmp(argv[i], "--db=", 5) == 0) {
            db = argv[i] + 5;
        } else if (strcmp(argv[i], "--demo") == 0) {
            demo = true;
        } else {
            fprintf(stderr, "cbd init: unexpected argument '%s'\n", argv[i]);
            return 2;
        }
    }
    if (db == NULL || db[0] == '\0') {
        fprintf(stderr, "cbd init: --db PATH is required\n");
        return 2;
    }
    if (!auth_init()) {
        fprintf(stderr, "cbd init: libsodium failed to initialise\n");
        return 1;
    }
    char err[512];
    struct store *st = store_open(db, STORE_WRITER, true, err, sizeof err);
    if (st == NULL) {
        fprintf(stderr, "cbd init: %s\n", err);
        return 1;
    }
    char seen[32];
    if (store_meta_get(st, "initialized", seen, sizeof seen) == STORE_OK) {
        fprintf(stderr, "cbd init: %s is already initialized\n", db);
        store_close(st);
        return 1;
    }
    int status = 0;
    if (!store_begin(st) || store_meta_set(st, "initialized", "1") != STORE_OK ||
        (demo && !demo_create(st, err, sizeof err)) || !store_commit(st)) {
        fprintf(stderr, "cbd init: %s\n", demo && err[0] ? err : store_errmsg(st));
        store_rollback(st);
        status = 1;
    }
    store_close(st);
    if (status == 0)
        printf("initialized %s%s\n", db, demo ? " with the demo data" : "");
    return status;
}
