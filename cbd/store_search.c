/*
 * store_search.c — Callback Search (see store.h). The WHERE clause is put
 * together from the filters in a fixed order, so there are few distinct
 * statements; each is prepared once per connection and kept in the store's
 * cache of generated statements (store_stmt_text). Paging is by keyset — (due_at, id) or, for
 * overdue-only searches, (window_end, id) — so every page costs the same
 * however deep it is, and each filter combination has an index to walk.
 * A row reads the stored text of the callback's fixed members (callbacks.shown,
 * see store_callback.c) and the few columns the rest is made of: SQLite
 * extracting two dozen columns per row was half the cost of a page.
 */
#include "store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#define STORE_SEARCH_SELECT \
    "SELECT c.id, c.shown, c.state, c.wake_at, c.due_at, c.window_end FROM callbacks c"

/* row from a row of STORE_SEARCH_SELECT; *rendered gets text made from the
 * callback's columns when the stored text is missing (freed by the caller). */
static enum store_result store_search_row(struct store *st, sqlite3_stmt *s,
                                          struct store_search_row *row, char **rendered)
{
    row->id = sqlite3_column_int64(s, 0);
    row->shown = (const char *)sqlite3_column_text(s, 1);
    row->shown_len = (size_t)sqlite3_column_bytes(s, 1);
    lifecycle_state_parse((const char *)sqlite3_column_text(s, 2), &row->state);
    row->wake_at = sqlite3_column_int64(s, 3);
    row->due_at = sqlite3_column_int64(s, 4);
    row->window_end = sqlite3_column_int64(s, 5);
    *rendered = NULL;
    if (row->shown != NULL)
        return STORE_OK;
    struct cb_callback cb;
    enum store_result r = store_callback_get(st, row->id, &cb);
    if (r != STORE_OK)
        return r;
    *rendered = store_callback_shown(st, &cb, &row->shown_len);
    row->shown = *rendered;
    cb_callback_clear(&cb);
    return STORE_OK;
}

enum store_result store_callback_search(struct store *st, const struct store_search *q,
                                        store_search_each *each, void *ctx)
{
    bool by_window = q->overdue == 1;
    const char *key = by_window ? "c.window_end" : "c.due_at";
    char sql[2048];
    size_t n = (size_t)snprintf(sql, sizeof sql, "%s WHERE 1", STORE_SEARCH_SELECT);
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
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_search_row row;
        char *rendered;
        enum store_result r = store_search_row(st, s, &row, &rendered);
        bool more = r == STORE_OK && each(ctx, &row);
        free(rendered);
        if (r != STORE_OK) {
            sqlite3_reset(s);
            return r;
        }
        if (!more) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(s);
    return store_result_of(st, rc);
}
