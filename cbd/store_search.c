/*
 * store_search.c — Callback Search (see store.h). The WHERE clause is put
 * together from the filters in a fixed order, so there are few distinct
 * statements; each is prepared once per connection and kept in the store's
 * cache of generated statements (store_stmt_text). Paging is by keyset — (due_at, id) or, for
 * overdue-only searches, (window_end, id) — so every page costs the same
 * however deep it is, and each filter combination has an index to walk.
 * Only the columns the API shows are read (STORE_CALLBACK_SELECT_SHOWN).
 */
#include "store_internal.h"

#include <stdio.h>
#include <string.h>


enum store_result store_callback_search(struct store *st, const struct store_search *q,
                                        store_callback_each *each, void *ctx)
{
    bool by_window = q->overdue == 1;
    const char *key = by_window ? "c.window_end" : "c.due_at";
    char sql[2048];
    size_t n = (size_t)snprintf(sql, sizeof sql, "%s WHERE 1", STORE_CALLBACK_SELECT_SHOWN);
#define ADD(...) n += (size_t)snprintf(sql + n, sizeof sql - n, __VA_ARGS__)
    if (q->bp_id)
        ADD(" AND c.bp_id = ?1");
    if (q->location >= 0)
        ADD(" AND c.location = ?2");
    if (q->overdue == 1) /* a completed callback is never overdue */
        ADD(" AND c.location IN (" STORE_LOC_PENDING ", " STORE_LOC_QUEUED ", " STORE_LOC_AGENT ")");
    if (q->agent_id)
        ADD(" AND c.agent_id = ?3");
    if (q->team_id)
        ADD(" AND c.team_id = ?4");
    if (q->number)
        ADD(" AND c.destination = ?5");
    if (q->overdue == 1)
        ADD(" AND c.window_end < ?6");
    else if (q->overdue == 0)
        ADD(" AND (c.window_end >= ?6 OR c.location = " STORE_LOC_COMPLETED ")");
    if (q->visible_to)
        ADD(" AND (c.agent_id = ?7 OR c.holder_id = ?7 OR c.team_id IN "
            "(SELECT team_id FROM team_members WHERE user_id = ?7))");
    if (q->after)
        ADD(" AND (%s, c.id) > (?8, ?9)", key);
    ADD(" ORDER BY %s, c.id LIMIT ?10", key);
#undef ADD
    if (n >= sizeof sql)
        return STORE_ERROR;
    sqlite3_stmt *s = store_stmt_text(st, sql);
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, q->bp_id);
    if (q->location >= 0)
        sqlite3_bind_int(s, 2, q->location);
    sqlite3_bind_int64(s, 3, q->agent_id);
    sqlite3_bind_int64(s, 4, q->team_id);
    if (q->number)
        sqlite3_bind_text(s, 5, q->number, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 6, q->now);
    sqlite3_bind_int64(s, 7, q->visible_to);
    sqlite3_bind_int64(s, 8, q->after_key);
    sqlite3_bind_int64(s, 9, q->after_id);
    sqlite3_bind_int(s, 10, q->limit + 1);
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
