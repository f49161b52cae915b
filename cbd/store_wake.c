/*
 * store_wake.c — the engine's timers kept in the store (see store.h):
 * callbacks.wake_at is when the engine must next look at a callback, and
 * the partial index callbacks_wake makes "what is due now" and "when is the
 * next" index lookups, whatever the number of callbacks. Timers therefore
 * survive a restart: what fell due while cbd was down is due at once.
 */
#include "store_internal.h"

#include <stdint.h>

enum store_result store_wake_due(struct store *st, int64_t now, int max, int64_t *ids, int *n)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT id FROM callbacks WHERE wake_at IS NOT NULL AND "
                                     "wake_at <= ?1 ORDER BY wake_at LIMIT ?2");
    *n = 0;
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, now);
    sqlite3_bind_int(s, 2, max);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW && *n < max)
        ids[(*n)++] = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? STORE_OK : store_result_of(st, rc);
}

enum store_result store_wake_next(struct store *st, int64_t *at)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT min(wake_at) FROM callbacks WHERE wake_at IS NOT NULL");
    *at = INT64_MAX;
    if (s == NULL)
        return STORE_ERROR;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
        *at = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? STORE_OK : store_result_of(st, rc);
}

enum store_result store_wake_set(struct store *st, int64_t id, int64_t at)
{
    sqlite3_stmt *s = store_stmt(st, "UPDATE callbacks SET wake_at = ?2 WHERE id = ?1");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, id);
    if (at)
        sqlite3_bind_int64(s, 2, at);
    else
        sqlite3_bind_null(s, 2);
    return store_exec_stmt(st, s);
}

enum store_result store_wake_bp(struct store *st, int64_t bp_id, int64_t now)
{
    sqlite3_stmt *s = store_stmt(st, "UPDATE callbacks SET wake_at = ?2 WHERE bp_id = ?1 AND "
                                     "location = " STORE_LOC_PENDING " AND due_at <= ?2 AND "
                                     "(wake_at IS NULL OR wake_at > ?2)");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, bp_id);
    sqlite3_bind_int64(s, 2, now);
    return store_exec_stmt(st, s);
}

enum store_result store_wake_fill(struct store *st, int64_t now)
{
    sqlite3_stmt *s = store_stmt(st, "UPDATE callbacks SET wake_at = CASE location "
                                     "WHEN " STORE_LOC_PENDING " THEN due_at ELSE ?1 END "
                                     "WHERE wake_at IS NULL AND location IN "
                                     "(" STORE_LOC_PENDING ", " STORE_LOC_AGENT ") AND "
                                     "state <> 'handling'");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, now);
    return store_exec_stmt(st, s);
}

enum store_result store_callback_in_location(struct store *st, enum location loc,
                                             store_callback_each *each, void *ctx)
{
    sqlite3_stmt *s = store_stmt(st, STORE_CALLBACK_SELECT " WHERE c.location = ?1 "
                                                           "ORDER BY c.due_at, c.id");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int(s, 1, (int)loc);
    int rc;
    struct cb_callback cb;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        store_callback_row(st, s, &cb);
        bool more = each(ctx, &cb);
        cb_callback_clear(&cb);
        if (!more) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(s);
    return store_result_of(st, rc);
}
