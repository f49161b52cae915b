/*
 * store_callback.c — callbacks and their attempts in SQLite (see store.h).
 * The location column is derived from the lifecycle state on every write,
 * so indexes can serve Callback Search by location. Search itself lives in
 * store_search.c.
 *
 * Every write also stores the text of the callback's fixed members as the
 * API shows them (callbacks.shown, present_callback_fixed) for Search to
 * copy. A trigger (store_schema.c) empties that text when any UPDATE changes
 * a shown column without writing it, and Search renders a callback whose
 * text is empty from its columns: the text can be missing, never stale.
 */
#include "store_internal.h"

#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "present.h"
#include "xalloc.h"

void cb_callback_clear(struct cb_callback *cb)
{
    free(cb->remark);
    free(cb->subject);
    free(cb->case_data);
    free(cb->transcription);
    cb->remark = cb->subject = cb->case_data = cb->transcription = NULL;
}

/* The names of cb's BP, agent, team, holder and creator, from its ids. */
static void store_callback_names(struct store *st, struct cb_callback *cb)
{
    store_name_of(st, STORE_NAME_BP, cb->bp_id, cb->bp_name, sizeof cb->bp_name);
    store_name_of(st, STORE_NAME_USER_LOGIN, cb->agent_id, cb->agent_login, sizeof cb->agent_login);
    store_name_of(st, STORE_NAME_TEAM, cb->team_id, cb->team_name, sizeof cb->team_name);
    store_name_of(st, STORE_NAME_USER_LOGIN, cb->holder_id, cb->holder_login,
                  sizeof cb->holder_login);
    store_name_of(st, STORE_NAME_USER_LOGIN, cb->created_by, cb->created_by_login,
                  sizeof cb->created_by_login);
}

void store_callback_row(struct store *st, sqlite3_stmt *s, struct cb_callback *cb)
{
    memset(cb, 0, sizeof *cb);
    int c = 0;
    cb->id = sqlite3_column_int64(s, c++);
    store_col_text(s, c++, cb->destination, sizeof cb->destination);
    cb->bp_id = sqlite3_column_int64(s, c++);
    cb->due_at = sqlite3_column_int64(s, c++);
    cb->window_end = sqlite3_column_int64(s, c++);
    store_col_text(s, c++, cb->tz, sizeof cb->tz);
    routing_parse((const char *)sqlite3_column_text(s, c++), &cb->routing);
    cb->agent_id = sqlite3_column_int64(s, c++);
    cb->team_id = sqlite3_column_int64(s, c++);
    cb->remark = store_col_strdup(s, c++);
    if (cb->remark == NULL)
        cb->remark = xstrdup("");
    cb->subject = store_col_strdup(s, c++);
    cb->case_data = store_col_strdup(s, c++);
    cb->transcription = store_col_strdup(s, c++);
    origin_parse((const char *)sqlite3_column_text(s, c++), &cb->origin);
    cb->attempts = sqlite3_column_int(s, c++);
    lifecycle_state_parse((const char *)sqlite3_column_text(s, c++), &cb->state);
    cb->holder_id = sqlite3_column_int64(s, c++);
    cb->timed_out = sqlite3_column_int(s, c++) != 0;
    enum end_state e;
    cb->end_state = end_parse((const char *)sqlite3_column_text(s, c++), &e) ? (int)e : -1;
    cb->flags = (unsigned)sqlite3_column_int(s, c++);
    cb->version = sqlite3_column_int64(s, c++);
    cb->created_at = sqlite3_column_int64(s, c++);
    cb->created_by = sqlite3_column_int64(s, c++);
    cb->state_since = sqlite3_column_int64(s, c++);
    cb->wake_at = sqlite3_column_int64(s, c++);
    cb->completed_at = sqlite3_column_int64(s, c++);
    cb->attempt_started_at = sqlite3_column_int64(s, c++);
    enum connect_kind ck;
    cb->attempt_connect =
        connect_parse((const char *)sqlite3_column_text(s, c++), &ck) ? (int)ck : -1;
    store_callback_names(st, cb);
}

char *store_callback_shown(struct store *st, struct cb_callback *cb, size_t *len)
{
    store_callback_names(st, cb);
    struct jsonw w;
    jsonw_init(&w);
    present_callback_fixed(&w, cb);
    char *text = jsonw_take(&w, len);
    return text;
}

bool store_callback_fill_shown(struct store *st)
{
    /* in batches of ids, so no row changes under a running SELECT; each
     * batch starts after the last id of the one before, so the whole fill
     * walks the table once */
    enum { BATCH = 512 };
    int64_t ids[BATCH], last = 0;
    for (;;) {
        sqlite3_stmt *s = store_stmt(st, "SELECT id FROM callbacks WHERE id > ?2 AND "
                                         "shown IS NULL ORDER BY id LIMIT ?1");
        sqlite3_stmt *u = store_stmt(st, "UPDATE callbacks SET shown = ?2 WHERE id = ?1");
        if (s == NULL || u == NULL)
            return false;
        sqlite3_bind_int(s, 1, BATCH);
        sqlite3_bind_int64(s, 2, last);
        int n = 0, rc = SQLITE_DONE;
        while (n < BATCH && (rc = sqlite3_step(s)) == SQLITE_ROW)
            ids[n++] = sqlite3_column_int64(s, 0);
        sqlite3_reset(s);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            return store_result_of(st, rc) == STORE_OK;
        if (n == 0)
            return true;
        last = ids[n - 1];
        for (int i = 0; i < n; i++) {
            struct cb_callback cb;
            if (store_callback_get(st, ids[i], &cb) != STORE_OK)
                return false;
            size_t len;
            char *shown = store_callback_shown(st, &cb, &len);
            sqlite3_bind_int64(u, 1, cb.id);
            sqlite3_bind_text(u, 2, shown, (int)len, SQLITE_STATIC);
            enum store_result r = store_exec_stmt(st, u);
            sqlite3_bind_null(u, 2);
            free(shown);
            cb_callback_clear(&cb);
            if (r != STORE_OK)
                return false;
        }
    }
}

/* Binds wake_at, attempt_started_at and attempt_connect from column col on. */
static void store_bind_callback_flow(sqlite3_stmt *s, int col, const struct cb_callback *cb)
{
    if (cb->wake_at)
        sqlite3_bind_int64(s, col, cb->wake_at);
    else
        sqlite3_bind_null(s, col);
    if (cb->attempt_started_at)
        sqlite3_bind_int64(s, col + 1, cb->attempt_started_at);
    else
        sqlite3_bind_null(s, col + 1);
    store_bind_text_or_null(s, col + 2,
                            cb->attempt_connect >= 0
                                ? connect_wire((enum connect_kind)cb->attempt_connect)
                                : NULL);
}

enum store_result store_callback_insert(struct store *st, struct cb_callback *cb)
{
    sqlite3_stmt *s = store_stmt(
        st, "INSERT INTO callbacks(destination, bp_id, due_at, window_end, tz, routing, agent_id, "
            "team_id, remark, subject, case_data, transcription, origin, attempts, state, "
            "location, holder_id, state_since, timed_out, end_state, flags, version, created_at, "
            "created_by, completed_at, wake_at, attempt_started_at, attempt_connect, shown) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, "
            "?18, ?19, ?20, ?21, 1, ?22, ?23, ?24, ?25, ?26, ?27, ?28)");
    if (s == NULL)
        return STORE_ERROR;
    cb->version = 1;
    size_t shown_len;
    char *shown = store_callback_shown(st, cb, &shown_len);
    sqlite3_bind_text(s, 28, shown, (int)shown_len, SQLITE_STATIC);
    sqlite3_bind_text(s, 1, cb->destination, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, cb->bp_id);
    sqlite3_bind_int64(s, 3, cb->due_at);
    sqlite3_bind_int64(s, 4, cb->window_end);
    sqlite3_bind_text(s, 5, cb->tz, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 6, routing_wire(cb->routing), -1, SQLITE_STATIC);
    store_bind_id_or_null(s, 7, cb->agent_id);
    store_bind_id_or_null(s, 8, cb->team_id);
    sqlite3_bind_text(s, 9, cb->remark ? cb->remark : "", -1, SQLITE_STATIC);
    store_bind_text_or_null(s, 10, cb->subject);
    store_bind_text_or_null(s, 11, cb->case_data);
    store_bind_text_or_null(s, 12, cb->transcription);
    sqlite3_bind_text(s, 13, origin_wire(cb->origin), -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 14, cb->attempts);
    sqlite3_bind_text(s, 15, lifecycle_state_wire(cb->state), -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 16, (int)lifecycle_location(cb->state));
    store_bind_id_or_null(s, 17, cb->holder_id);
    sqlite3_bind_int64(s, 18, cb->state_since);
    sqlite3_bind_int(s, 19, cb->timed_out);
    store_bind_text_or_null(s, 20, cb->end_state >= 0 ? end_wire((enum end_state)cb->end_state) : NULL);
    sqlite3_bind_int(s, 21, (int)cb->flags);
    sqlite3_bind_int64(s, 22, cb->created_at);
    store_bind_id_or_null(s, 23, cb->created_by);
    if (cb->completed_at)
        sqlite3_bind_int64(s, 24, cb->completed_at);
    else
        sqlite3_bind_null(s, 24);
    store_bind_callback_flow(s, 25, cb);
    enum store_result r = store_exec_stmt(st, s);
    sqlite3_bind_null(s, 28); /* the statement stays cached; shown does not */
    free(shown);
    if (r == STORE_OK)
        cb->id = sqlite3_last_insert_rowid(st->db);
    return r;
}

enum store_result store_callback_get(struct store *st, int64_t id, struct cb_callback *out)
{
    sqlite3_stmt *s = store_stmt(st, STORE_CALLBACK_SELECT " WHERE c.id = ?1");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, id);
    int rc = sqlite3_step(s);
    enum store_result r = STORE_NOT_FOUND;
    if (rc == SQLITE_ROW) {
        store_callback_row(st, s, out);
        r = STORE_OK;
    } else if (rc != SQLITE_DONE) {
        r = store_result_of(st, rc);
    }
    sqlite3_reset(s);
    return r;
}

enum store_result store_callback_open_by_number(struct store *st, int64_t bp_id,
                                                const char *number, int64_t *id)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT id FROM callbacks WHERE bp_id = ?1 AND "
                                     "destination = ?2 AND location <> " STORE_LOC_COMPLETED);
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, bp_id);
    sqlite3_bind_text(s, 2, number, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    enum store_result r = STORE_NOT_FOUND;
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(s, 0);
        r = STORE_OK;
    } else if (rc != SQLITE_DONE) {
        r = store_result_of(st, rc);
    }
    sqlite3_reset(s);
    return r;
}

enum store_result store_callback_update(struct store *st, struct cb_callback *cb)
{
    sqlite3_stmt *s = store_stmt(
        st, "UPDATE callbacks SET destination = ?3, due_at = ?4, window_end = ?5, tz = ?6, "
            "routing = ?7, agent_id = ?8, team_id = ?9, remark = ?10, attempts = ?11, state = ?12, "
            "location = ?13, holder_id = ?14, state_since = ?15, timed_out = ?16, end_state = ?17, "
            "flags = ?18, completed_at = ?19, wake_at = ?20, attempt_started_at = ?21, "
            "attempt_connect = ?22, shown = ?23, version = version + 1 "
            "WHERE id = ?1 AND version = ?2");
    if (s == NULL)
        return STORE_ERROR;
    cb->version++; /* the text shows the version this write makes */
    size_t shown_len;
    char *shown = store_callback_shown(st, cb, &shown_len);
    cb->version--;
    sqlite3_bind_text(s, 23, shown, (int)shown_len, SQLITE_STATIC);
    sqlite3_bind_int64(s, 1, cb->id);
    sqlite3_bind_int64(s, 2, cb->version);
    sqlite3_bind_text(s, 3, cb->destination, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, cb->due_at);
    sqlite3_bind_int64(s, 5, cb->window_end);
    sqlite3_bind_text(s, 6, cb->tz, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 7, routing_wire(cb->routing), -1, SQLITE_STATIC);
    store_bind_id_or_null(s, 8, cb->agent_id);
    store_bind_id_or_null(s, 9, cb->team_id);
    sqlite3_bind_text(s, 10, cb->remark ? cb->remark : "", -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 11, cb->attempts);
    sqlite3_bind_text(s, 12, lifecycle_state_wire(cb->state), -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 13, (int)lifecycle_location(cb->state));
    store_bind_id_or_null(s, 14, cb->holder_id);
    sqlite3_bind_int64(s, 15, cb->state_since);
    sqlite3_bind_int(s, 16, cb->timed_out);
    store_bind_text_or_null(s, 17, cb->end_state >= 0 ? end_wire((enum end_state)cb->end_state) : NULL);
    sqlite3_bind_int(s, 18, (int)cb->flags);
    if (cb->completed_at)
        sqlite3_bind_int64(s, 19, cb->completed_at);
    else
        sqlite3_bind_null(s, 19);
    store_bind_callback_flow(s, 20, cb);
    enum store_result r = store_exec_stmt(st, s);
    sqlite3_bind_null(s, 23);
    free(shown);
    if (r != STORE_OK)
        return r;
    if (sqlite3_changes(st->db) == 0) {
        sqlite3_stmt *e = store_stmt(st, "SELECT 1 FROM callbacks WHERE id = ?1");
        if (e == NULL)
            return STORE_ERROR;
        sqlite3_bind_int64(e, 1, cb->id);
        int rc = sqlite3_step(e);
        sqlite3_reset(e);
        return rc == SQLITE_ROW ? STORE_CONFLICT : STORE_NOT_FOUND;
    }
    cb->version++;
    return STORE_OK;
}

enum store_result store_callback_count_by_location(struct store *st, int64_t counts[])
{
    sqlite3_stmt *s = store_stmt(st, "SELECT location, count(*) FROM callbacks GROUP BY location");
    if (s == NULL)
        return STORE_ERROR;
    for (int i = 0; i < LOCATION__COUNT; i++)
        counts[i] = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        int loc = sqlite3_column_int(s, 0);
        if (loc >= 0 && loc < LOCATION__COUNT)
            counts[loc] = sqlite3_column_int64(s, 1);
    }
    sqlite3_reset(s);
    return store_result_of(st, rc);
}

enum store_result store_callback_count_due(struct store *st, int64_t bp_id, int64_t from,
                                           int64_t to, int64_t *count)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT count(*) FROM callbacks WHERE bp_id = ?1 AND "
                                     "location IN (" STORE_LOC_PENDING ", " STORE_LOC_QUEUED ", "
                                     STORE_LOC_AGENT ") AND due_at >= ?2 AND due_at < ?3");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, bp_id);
    sqlite3_bind_int64(s, 2, from);
    sqlite3_bind_int64(s, 3, to);
    int rc = sqlite3_step(s);
    *count = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? STORE_OK : store_result_of(st, rc);
}

/* ---- attempts ------------------------------------------------------------ */

enum store_result store_attempt_insert(struct store *st, struct cb_attempt *a)
{
    /* bp_id copies the callback's BP so a shift's attempts per BP are one
     * index range (attempts_bp_at; the figures of stats.c) */
    sqlite3_stmt *s = store_stmt(st, "INSERT INTO attempts(callback_id, at, started_at, agent_id, "
                                     "state, handle_s, connect, bp_id) VALUES (?1, ?2, ?3, ?4, ?5, "
                                     "?6, ?7, (SELECT bp_id FROM callbacks WHERE id = ?1))");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, a->callback_id);
    sqlite3_bind_int64(s, 2, a->at);
    if (a->started_at)
        sqlite3_bind_int64(s, 3, a->started_at);
    else
        sqlite3_bind_null(s, 3);
    store_bind_id_or_null(s, 4, a->agent_id);
    sqlite3_bind_text(s, 5, attempt_wire(a->state), -1, SQLITE_STATIC);
    if (a->handle_s >= 0)
        sqlite3_bind_int(s, 6, a->handle_s);
    else
        sqlite3_bind_null(s, 6);
    store_bind_text_or_null(s, 7, a->connect >= 0 ? connect_wire((enum connect_kind)a->connect) : NULL);
    enum store_result r = store_exec_stmt(st, s);
    if (r == STORE_OK)
        a->id = sqlite3_last_insert_rowid(st->db);
    return r;
}

enum store_result store_attempt_list(struct store *st, int64_t callback_id,
                                     store_attempt_each *each, void *ctx)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT a.id, a.callback_id, a.at, a.started_at, a.agent_id, "
                                     "u.login, u.name, a.state, a.handle_s, a.connect "
                                     "FROM attempts a LEFT JOIN users u ON u.id = a.agent_id "
                                     "WHERE a.callback_id = ?1 ORDER BY a.id");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, callback_id);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct cb_attempt a;
        memset(&a, 0, sizeof a);
        a.id = sqlite3_column_int64(s, 0);
        a.callback_id = sqlite3_column_int64(s, 1);
        a.at = sqlite3_column_int64(s, 2);
        a.started_at = sqlite3_column_int64(s, 3);
        a.agent_id = sqlite3_column_int64(s, 4);
        store_col_text(s, 5, a.agent_login, sizeof a.agent_login);
        store_col_text(s, 6, a.agent_name, sizeof a.agent_name);
        attempt_parse((const char *)sqlite3_column_text(s, 7), &a.state);
        a.handle_s = sqlite3_column_type(s, 8) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 8);
        enum connect_kind ck;
        a.connect = connect_parse((const char *)sqlite3_column_text(s, 9), &ck) ? (int)ck : -1;
        if (!each(ctx, &a)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(s);
    return store_result_of(st, rc);
}

enum store_result store_callback_personal(struct store *st, int64_t agent_id, int limit,
                                          store_callback_each *each, void *ctx)
{
    sqlite3_stmt *s = store_stmt(st, STORE_CALLBACK_SELECT
                                 " WHERE c.agent_id = ?1 AND c.routing = 'agent' AND c.location IN "
                                 "(" STORE_LOC_PENDING ", " STORE_LOC_QUEUED ") "
                                 "ORDER BY c.due_at, c.id LIMIT ?2");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, agent_id);
    sqlite3_bind_int(s, 2, limit);
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
