/*
 * store_report.c — the SQL behind the supervisor figures (stats.c) and the
 * Completed Callback report 6.04 (report.c). Both read index ranges only:
 * completed callbacks by (bp_id, completed_at) through the partial index
 * callbacks_completed, attempts by (bp_id, at) through attempts_bp_at
 * (attempts.bp_id is the callback's BP, copied when the attempt is
 * recorded), open callbacks by (bp_id, location) through
 * callbacks_bp_location. Their cost grows with one shift or one page, not
 * with the history. The same ranges, grouped by hour and by attempt state,
 * give GET /bps/{id}/performance (store_report_performance).
 */
#include "store_internal.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

/* "Reached", of a completed callback c: Handled, and the last attempt (the
 * one that completed it) connected live — one step of attempts_callback. */
#define STORE_REACHED_SQL                                                       \
    "(c.end_state = 'handled' AND (SELECT a.connect FROM attempts a "           \
    "WHERE a.callback_id = c.id ORDER BY a.id DESC LIMIT 1) = 'live')"

enum store_result store_report_shift(struct store *st, int64_t bp_id, int64_t from, int64_t to,
                                     struct store_shift_counts *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *s = store_stmt(
        st, "SELECT count(*), total(c.end_state = 'purged'), total(" STORE_REACHED_SQL ") "
            "FROM callbacks c WHERE c.bp_id = ?1 AND c.completed_at >= ?2 AND c.completed_at < ?3");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, bp_id);
    sqlite3_bind_int64(s, 2, from);
    sqlite3_bind_int64(s, 3, to);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        out->completed = sqlite3_column_int64(s, 0);
        out->purged = sqlite3_column_int64(s, 1);
        out->reached = sqlite3_column_int64(s, 2);
        rc = SQLITE_DONE;
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store_result_of(st, rc);

    s = store_stmt(st, "SELECT count(handle_s), total(handle_s) FROM attempts "
                       "WHERE bp_id = ?1 AND at >= ?2 AND at < ?3");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, bp_id);
    sqlite3_bind_int64(s, 2, from);
    sqlite3_bind_int64(s, 3, to);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        out->handled_n = sqlite3_column_int64(s, 0);
        out->handle_sum_s = sqlite3_column_int64(s, 1);
        rc = SQLITE_DONE;
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store_result_of(st, rc);

    s = store_stmt(st, "SELECT count(*) FROM callbacks WHERE bp_id = ?1 AND location IN "
                       "(" STORE_LOC_PENDING ", " STORE_LOC_QUEUED ", " STORE_LOC_AGENT ")");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, bp_id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        out->to_be_proc = sqlite3_column_int64(s, 0);
        rc = SQLITE_DONE;
    }
    sqlite3_reset(s);
    return store_result_of(st, rc);
}

enum store_result store_report_performance(struct store *st, int64_t bp_id, int64_t from,
                                           int64_t to, int64_t attempts_to, int hours,
                                           struct store_performance *out)
{
    memset(out, 0, sizeof *out);
    if (hours < 1)
        hours = 1;
    if (hours > STORE_PERF_HOURS)
        hours = STORE_PERF_HOURS;
    /* at most `hours` groups; the index gives the rows in completion order */
    sqlite3_stmt *s = store_stmt(
        st, "SELECT min((c.completed_at - ?2) / 3600, ?4 - 1) AS h, "
            "total(c.end_state <> 'purged'), total(c.end_state = 'purged'), "
            "total(" STORE_REACHED_SQL ") "
            "FROM callbacks c WHERE c.bp_id = ?1 AND c.completed_at >= ?2 AND c.completed_at < ?3 "
            "GROUP BY h");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, bp_id);
    sqlite3_bind_int64(s, 2, from);
    sqlite3_bind_int64(s, 3, to);
    sqlite3_bind_int(s, 4, hours);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        int64_t h = sqlite3_column_int64(s, 0);
        if (h < 0 || h >= hours)
            continue; /* cannot happen: from <= completed_at, clamped to hours - 1 */
        out->processed[h] += sqlite3_column_int64(s, 1);
        out->purged += sqlite3_column_int64(s, 2);
        out->reached[h] += sqlite3_column_int64(s, 3);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store_result_of(st, rc);

    s = store_stmt(st, "SELECT state, count(*) FROM attempts "
                       "WHERE bp_id = ?1 AND at >= ?2 AND at < ?3 GROUP BY state");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, bp_id);
    sqlite3_bind_int64(s, 2, from);
    sqlite3_bind_int64(s, 3, attempts_to);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        enum attempt_state a;
        const char *state = (const char *)sqlite3_column_text(s, 0);
        if (state && attempt_parse(state, &a))
            out->attempts[a] += sqlite3_column_int64(s, 1);
    }
    sqlite3_reset(s);
    return store_result_of(st, rc);
}

/* The callbacks of a page and, joined to each, its attempts in order; a
 * callback without attempts comes once with NULL attempt columns. */
#define STORE_REPORT_SQL                                                                        \
    "SELECT c.id, c.destination, c.end_state, c.created_at, c.completed_at, c.attempts, "      \
    "a.id, a.at, a.started_at, a.agent_id, u.login, u.name, a.state, a.handle_s, a.connect "    \
    "FROM (SELECT id, destination, end_state, created_at, completed_at, attempts "              \
    "      FROM callbacks WHERE bp_id = ?1 AND completed_at >= ?2 AND completed_at < ?3 "        \
    "      AND (completed_at > ?4 OR (completed_at = ?4 AND id > ?5)) "                          \
    "      ORDER BY completed_at, id LIMIT ?6) c "                                              \
    "LEFT JOIN attempts a ON a.callback_id = c.id "                                             \
    "LEFT JOIN users u ON u.id = a.agent_id "                                                   \
    "ORDER BY c.completed_at, c.id, a.id"

static void store_report_attempt(sqlite3_stmt *s, struct store_report_row *row, int *cap)
{
    if (row->nattempts == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        row->attempts = xrealloc(row->attempts, (size_t)*cap * sizeof *row->attempts);
    }
    struct cb_attempt *a = &row->attempts[row->nattempts++];
    memset(a, 0, sizeof *a);
    a->id = sqlite3_column_int64(s, 6);
    a->callback_id = row->id;
    a->at = sqlite3_column_int64(s, 7);
    a->started_at = sqlite3_column_int64(s, 8); /* NULL reads as 0: never started */
    a->agent_id = sqlite3_column_int64(s, 9);
    store_col_text(s, 10, a->agent_login, sizeof a->agent_login);
    store_col_text(s, 11, a->agent_name, sizeof a->agent_name);
    const char *state = (const char *)sqlite3_column_text(s, 12);
    if (state == NULL || !attempt_parse(state, &a->state))
        a->state = ATTEMPT_ABORTED;
    a->handle_s = sqlite3_column_type(s, 13) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 13);
    enum connect_kind k;
    const char *connect = (const char *)sqlite3_column_text(s, 14);
    a->connect = connect && connect_parse(connect, &k) ? (int)k : -1;
}

enum store_result store_report_completed(struct store *st, const struct store_report_query *q,
                                         store_report_each *each, void *ctx)
{
    sqlite3_stmt *s = store_stmt(st, STORE_REPORT_SQL);
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, q->bp_id);
    /* the cursor narrows the index range itself, so a late page costs what
     * the first one does */
    sqlite3_bind_int64(s, 2, q->after_at > q->from ? q->after_at : q->from);
    sqlite3_bind_int64(s, 3, q->to);
    sqlite3_bind_int64(s, 4, q->after_at);
    sqlite3_bind_int64(s, 5, q->after_id);
    sqlite3_bind_int(s, 6, q->limit);
    struct store_report_row row;
    memset(&row, 0, sizeof row);
    row.end_state = -1;
    store_name_of(st, STORE_NAME_BP, q->bp_id, row.bp_name, sizeof row.bp_name);
    int cap = 0, rc = SQLITE_DONE;
    bool go = true;
    while (go && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(s, 0);
        if (row.id != id) {
            if (row.id && !each(ctx, &row)) {
                go = false;
                break;
            }
            row.id = id;
            row.bp_id = q->bp_id;
            store_col_text(s, 1, row.destination, sizeof row.destination);
            enum end_state e;
            const char *end = (const char *)sqlite3_column_text(s, 2);
            row.end_state = end && end_parse(end, &e) ? (int)e : -1;
            row.created_at = sqlite3_column_int64(s, 3);
            row.completed_at = sqlite3_column_int64(s, 4);
            row.attempts_used = sqlite3_column_int(s, 5);
            row.nattempts = 0;
        }
        if (sqlite3_column_type(s, 6) != SQLITE_NULL)
            store_report_attempt(s, &row, &cap);
    }
    if (go) {
        if (rc == SQLITE_DONE && row.id)
            each(ctx, &row);
    } else {
        rc = SQLITE_DONE;
    }
    sqlite3_reset(s);
    free(row.attempts);
    return store_result_of(st, rc);
}
