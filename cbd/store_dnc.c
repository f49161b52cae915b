/*
 * store_dnc.c — the do-not-call list in SQLite (see store.h). Numbers are
 * kept normalized ("+" and digits) as the primary key, so a lookup is one
 * key probe and a prefix search ("+1212") is one range of that key:
 * [prefix, prefix + ":") — ':' is the character after '9', and every
 * stored number continues its prefix with digits only. A substring search
 * cannot use the key and reads the list in key order.
 */
#include "store_internal.h"

#include <stdio.h>
#include <string.h>

static void store_dnc_row(sqlite3_stmt *s, struct cb_dnc *d)
{
    memset(d, 0, sizeof *d);
    store_col_text(s, 0, d->number, sizeof d->number);
    store_col_text(s, 1, d->note, sizeof d->note);
    d->added_at = sqlite3_column_int64(s, 2);
    d->added_by = sqlite3_column_int64(s, 3);
    store_col_text(s, 4, d->added_by_login, sizeof d->added_by_login);
}

#define DNC_SELECT "SELECT d.number, d.note, d.added_at, d.added_by, u.login FROM dnc d " \
                   "LEFT JOIN users u ON u.id = d.added_by "

enum store_result store_dnc_add(struct store *st, const char *number, const char *note,
                                int64_t added_at, int64_t added_by)
{
    sqlite3_stmt *s = store_stmt(st, "INSERT INTO dnc(number, note, added_at, added_by) "
                                     "VALUES (?1, ?2, ?3, ?4)");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, number, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, note ? note : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, added_at);
    store_bind_id_or_null(s, 4, added_by);
    return store_exec_stmt(st, s);
}

enum store_result store_dnc_remove(struct store *st, const char *number)
{
    sqlite3_stmt *s = store_stmt(st, "DELETE FROM dnc WHERE number = ?1");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, number, -1, SQLITE_STATIC);
    enum store_result r = store_exec_stmt(st, s);
    return r == STORE_OK && sqlite3_changes(st->db) == 0 ? STORE_NOT_FOUND : r;
}

enum store_result store_dnc_has(struct store *st, const char *number)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT 1 FROM dnc WHERE number = ?1");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, number, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc == SQLITE_ROW)
        return STORE_OK;
    return rc == SQLITE_DONE ? STORE_NOT_FOUND : store_result_of(st, rc);
}

enum store_result store_dnc_get(struct store *st, const char *number, struct cb_dnc *out)
{
    sqlite3_stmt *s = store_stmt(st, DNC_SELECT "WHERE d.number = ?1");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, number, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    enum store_result r = STORE_NOT_FOUND;
    if (rc == SQLITE_ROW) {
        store_dnc_row(s, out);
        r = STORE_OK;
    } else if (rc != SQLITE_DONE) {
        r = store_result_of(st, rc);
    }
    sqlite3_reset(s);
    return r;
}

enum store_result store_dnc_list(struct store *st, const struct store_dnc_query *q,
                                 store_dnc_each *each, void *ctx)
{
    /* One key range [?1, ?2) whatever the filters: no prefix means from ""
     * to "," (every stored number starts with "+", which sorts just before
     * ','); a cursor A raises the lower bound to A + "0", the least stored
     * number after A. */
    sqlite3_stmt *s = store_stmt(st, DNC_SELECT
                                 "WHERE d.number >= ?1 AND d.number < ?2 "
                                 "AND (?3 IS NULL OR instr(d.number, ?3) > 0) "
                                 "ORDER BY d.number LIMIT ?4");
    if (s == NULL)
        return STORE_ERROR;
    char lower[PHONE_E164_SIZE + 2] = "", upper[PHONE_E164_SIZE + 2] = ",";
    if (q->prefix && q->prefix[0]) {
        snprintf(lower, sizeof lower, "%s", q->prefix);
        snprintf(upper, sizeof upper, "%s:", q->prefix);
    }
    if (q->after && q->after[0]) {
        char next[PHONE_E164_SIZE + 2];
        snprintf(next, sizeof next, "%s0", q->after);
        if (strcmp(next, lower) > 0)
            snprintf(lower, sizeof lower, "%s", next);
    }
    sqlite3_bind_text(s, 1, lower, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, upper, -1, SQLITE_TRANSIENT);
    store_bind_text_or_null(s, 3, q->substring && q->substring[0] ? q->substring : NULL);
    sqlite3_bind_int(s, 4, q->limit + 1);
    int rc;
    struct cb_dnc d;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        store_dnc_row(s, &d);
        if (!each(ctx, &d)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(s);
    return store_result_of(st, rc);
}
