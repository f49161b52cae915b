/*
 * store_audit.c — the audit log in SQLite (see store.h): who did what to
 * which target, when, with the target's state before and after as JSON
 * text. Entries are only ever appended. Listing is newest first by id and
 * keyset-paged on it; the indexes audit_user(user_id, id) and
 * audit_target(target, id) serve those filters in order, and
 * audit_action(action, id) narrows an action filter to its range.
 */
#include "store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

void cb_audit_clear(struct cb_audit *a)
{
    free(a->before);
    free(a->after);
    a->before = a->after = NULL;
}

enum store_result store_audit_insert(struct store *st, int64_t at, int64_t user_id,
                                     const char *action, const char *target,
                                     const char *before_json, const char *after_json)
{
    sqlite3_stmt *s = store_stmt(st, "INSERT INTO audit(at, user_id, action, target, before, "
                                     "after) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, at);
    store_bind_id_or_null(s, 2, user_id);
    sqlite3_bind_text(s, 3, action, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, target, -1, SQLITE_STATIC);
    store_bind_text_or_null(s, 5, before_json);
    store_bind_text_or_null(s, 6, after_json);
    return store_exec_stmt(st, s);
}

static void store_audit_row(sqlite3_stmt *s, struct cb_audit *a)
{
    memset(a, 0, sizeof *a);
    a->id = sqlite3_column_int64(s, 0);
    a->at = sqlite3_column_int64(s, 1);
    a->user_id = sqlite3_column_int64(s, 2);
    store_col_text(s, 3, a->login, sizeof a->login);
    store_col_text(s, 4, a->action, sizeof a->action);
    store_col_text(s, 5, a->target, sizeof a->target);
    a->before = store_col_strdup(s, 6);
    a->after = store_col_strdup(s, 7);
}

enum store_result store_audit_list(struct store *st, const struct store_audit_query *q,
                                   store_audit_each *each, void *ctx)
{
    char sql[1024];
    size_t n = (size_t)snprintf(sql, sizeof sql,
                                "SELECT a.id, a.at, a.user_id, u.login, a.action, a.target, "
                                "a.before, a.after FROM audit a "
                                "LEFT JOIN users u ON u.id = a.user_id WHERE 1");
#define ADD(...) n += (size_t)snprintf(sql + n, sizeof sql - n, __VA_ARGS__)
    if (q->user_id)
        ADD(" AND a.user_id = ?1");
    /* "bp" matches "bp" itself and the range ["bp.", "bp/"), i.e. "bp.*"
     * ('/' is the byte after '.'), so both halves are index ranges. */
    if (q->action)
        ADD(" AND (a.action = ?2 OR (a.action >= ?3 AND a.action < ?4))");
    if (q->target)
        ADD(" AND a.target = ?5");
    if (q->before_id)
        ADD(" AND a.id < ?6");
    ADD(" ORDER BY a.id DESC LIMIT ?7");
#undef ADD
    if (n >= sizeof sql)
        return STORE_ERROR;
    sqlite3_stmt *s = store_stmt_text(st, sql);
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, q->user_id);
    if (q->action) {
        sqlite3_bind_text(s, 2, q->action, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 3, xasprintf("%s.", q->action), -1, free);
        sqlite3_bind_text(s, 4, xasprintf("%s/", q->action), -1, free);
    }
    if (q->target)
        sqlite3_bind_text(s, 5, q->target, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 6, q->before_id);
    sqlite3_bind_int(s, 7, q->limit + 1);
    int rc;
    struct cb_audit a;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        store_audit_row(s, &a);
        bool more = each(ctx, &a);
        cb_audit_clear(&a);
        if (!more) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return store_result_of(st, rc);
}
