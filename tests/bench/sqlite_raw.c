/*
 * sqlite_raw.c — the reference for the create benchmark: how many one-row
 * transactions per second SQLite itself commits on this disk, in WAL mode
 * with synchronous=FULL (cbd's default durability), from one thread.
 *
 *   sqlite_raw DIR SECONDS   prints "raw_tx_per_s N"
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double sqlite_raw_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: sqlite_raw DIR SECONDS\n");
        return 2;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/raw.db", argv[1]);
    remove(path);
    sqlite3 *db;
    if (sqlite3_open(path, &db) != SQLITE_OK) {
        fprintf(stderr, "open %s: %s\n", path, sqlite3_errmsg(db));
        return 1;
    }
    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                     "CREATE TABLE t (id INTEGER PRIMARY KEY, destination TEXT, due_at INTEGER,"
                     " remark TEXT);", NULL, NULL, NULL);
    sqlite3_stmt *ins;
    sqlite3_prepare_v2(db, "INSERT INTO t(destination, due_at, remark) VALUES (?1, ?2, 'x')", -1,
                       &ins, NULL);
    double secs = atof(argv[2]), start = sqlite_raw_now(), end = start + secs;
    long n = 0;
    while (sqlite_raw_now() < end) {
        char num[32];
        snprintf(num, sizeof num, "+1555%07ld", n);
        sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
        sqlite3_bind_text(ins, 1, num, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(ins, 2, n);
        sqlite3_step(ins);
        sqlite3_reset(ins);
        sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
        n++;
    }
    printf("raw_tx_per_s %.0f\n", (double)n / (sqlite_raw_now() - start));
    sqlite3_finalize(ins);
    sqlite3_close(db);
    remove(path);
    return 0;
}
