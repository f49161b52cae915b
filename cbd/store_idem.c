/*
 * store_idem.c — Idempotency-Key replies in SQLite (see store.h). A row
 * holds the first reply (status and body text) a user got for a key; it is
 * written in the same transaction as what the request changed, so a key
 * never outlives or precedes its effect. Rows older than the caller's
 * horizon count as absent, are overwritten when the key is used again and
 * are deleted in small batches by store_idem_expire().
 */
#include "store_internal.h"

#include <stdlib.h>

#include "xalloc.h"

/* At most this many rows per store_idem_expire() call: a sweep stays cheap
 * and the next one takes the rest. */
#define STORE_IDEM_SWEEP 1000

enum store_result store_idem_get(struct store *st, int64_t user_id, const char *key,
                                 int64_t not_before, int *status, char **body)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT status, body FROM idempotency WHERE user_id = ?1 "
                                     "AND key = ?2 AND created_at >= ?3");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, user_id);
    sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, not_before);
    int rc = sqlite3_step(s);
    enum store_result r = STORE_NOT_FOUND;
    if (rc == SQLITE_ROW) {
        *status = sqlite3_column_int(s, 0);
        *body = store_col_strdup(s, 1);
        if (*body == NULL)
            *body = xstrdup("");
        r = STORE_OK;
    } else if (rc != SQLITE_DONE) {
        r = store_result_of(st, rc);
    }
    sqlite3_reset(s);
    return r;
}

enum store_result store_idem_put(struct store *st, int64_t user_id, const char *key, int64_t now,
                                 int status, const char *body)
{
    sqlite3_stmt *s = store_stmt(st, "INSERT OR REPLACE INTO idempotency(user_id, key, "
                                     "created_at, status, body) VALUES (?1, ?2, ?3, ?4, ?5)");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, user_id);
    sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, now);
    sqlite3_bind_int(s, 4, status);
    sqlite3_bind_text(s, 5, body, -1, SQLITE_STATIC);
    return store_exec_stmt(st, s);
}

enum store_result store_idem_expire(struct store *st, int64_t before, int *count)
{
    sqlite3_stmt *s = store_stmt(st, "DELETE FROM idempotency WHERE rowid IN (SELECT rowid FROM "
                                     "idempotency WHERE created_at < ?1 ORDER BY created_at "
                                     "LIMIT ?2)");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, before);
    sqlite3_bind_int(s, 2, STORE_IDEM_SWEEP);
    enum store_result r = store_exec_stmt(st, s);
    if (count)
        *count = r == STORE_OK ? sqlite3_changes(st->db) : 0;
    return r;
}
