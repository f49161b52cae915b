/*
 * store_interaction.c — the calls telephony reports (DESIGN.md §7) in
 * SQLite (see store.h). An agent's history and active call are read from
 * interactions_agent / interactions_active, a number's recent contacts
 * from interactions_number. presence_before keeps what the agent's
 * presence was when the call began, so that its end can restore it.
 * store_interaction_held() is the callback side of "what is this agent
 * busy with": the callback they hold, by the callbacks_holder index.
 */
#include "store_internal.h"

#include <string.h>

#define INTERACTION_SELECT                                                                  \
    "SELECT i.id, i.direction, i.number, i.bp_id, b.name, i.agent_id, u.login, "           \
    "i.started_at, i.ended_at, i.presence_before, i.created_at FROM interactions i "       \
    "LEFT JOIN bps b ON b.id = i.bp_id LEFT JOIN users u ON u.id = i.agent_id "

static void store_interaction_row(sqlite3_stmt *s, struct cb_interaction *i)
{
    memset(i, 0, sizeof *i);
    i->id = sqlite3_column_int64(s, 0);
    const char *dir = (const char *)sqlite3_column_text(s, 1);
    i->inbound = dir && strcmp(dir, "inbound") == 0;
    store_col_text(s, 2, i->number, sizeof i->number);
    i->bp_id = sqlite3_column_int64(s, 3);
    store_col_text(s, 4, i->bp_name, sizeof i->bp_name);
    i->agent_id = sqlite3_column_int64(s, 5);
    store_col_text(s, 6, i->agent_login, sizeof i->agent_login);
    i->started_at = sqlite3_column_int64(s, 7);
    i->ended_at = sqlite3_column_int64(s, 8);
    enum presence p;
    i->presence_before =
        presence_parse((const char *)sqlite3_column_text(s, 9), &p) ? (int)p : -1;
    i->created_at = sqlite3_column_int64(s, 10);
}

static enum store_result store_interaction_rows(struct store *st, sqlite3_stmt *s,
                                                store_interaction_each *each, void *ctx)
{
    int rc;
    struct cb_interaction i;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        store_interaction_row(s, &i);
        if (!each(ctx, &i)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(s);
    return store_result_of(st, rc);
}

static enum store_result store_interaction_one(struct store *st, sqlite3_stmt *s,
                                               struct cb_interaction *out)
{
    int rc = sqlite3_step(s);
    enum store_result r = STORE_NOT_FOUND;
    if (rc == SQLITE_ROW) {
        store_interaction_row(s, out);
        r = STORE_OK;
    } else if (rc != SQLITE_DONE) {
        r = store_result_of(st, rc);
    }
    sqlite3_reset(s);
    return r;
}

enum store_result store_interaction_insert(struct store *st, struct cb_interaction *i)
{
    sqlite3_stmt *s = store_stmt(st, "INSERT INTO interactions(direction, number, bp_id, "
                                     "agent_id, started_at, ended_at, presence_before, "
                                     "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, i->inbound ? "inbound" : "outbound", -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, i->number, -1, SQLITE_STATIC);
    store_bind_id_or_null(s, 3, i->bp_id);
    store_bind_id_or_null(s, 4, i->agent_id);
    sqlite3_bind_int64(s, 5, i->started_at);
    if (i->ended_at)
        sqlite3_bind_int64(s, 6, i->ended_at);
    else
        sqlite3_bind_null(s, 6);
    store_bind_text_or_null(s, 7,
                            i->presence_before >= 0
                                ? presence_wire((enum presence)i->presence_before)
                                : NULL);
    sqlite3_bind_int64(s, 8, i->created_at);
    enum store_result r = store_exec_stmt(st, s);
    if (r == STORE_OK)
        i->id = sqlite3_last_insert_rowid(st->db);
    return r;
}

enum store_result store_interaction_get(struct store *st, int64_t id, struct cb_interaction *out)
{
    sqlite3_stmt *s = store_stmt(st, INTERACTION_SELECT "WHERE i.id = ?1");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, id);
    return store_interaction_one(st, s, out);
}

enum store_result store_interaction_end(struct store *st, int64_t id, int64_t ended_at)
{
    sqlite3_stmt *s = store_stmt(st, "UPDATE interactions SET ended_at = ?2 "
                                     "WHERE id = ?1 AND ended_at IS NULL");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, ended_at);
    enum store_result r = store_exec_stmt(st, s);
    if (r != STORE_OK || sqlite3_changes(st->db) > 0)
        return r;
    struct cb_interaction cur;
    r = store_interaction_get(st, id, &cur);
    return r == STORE_OK ? STORE_CONFLICT : r;
}

enum store_result store_interaction_active(struct store *st, int64_t agent_id,
                                           struct cb_interaction *out)
{
    sqlite3_stmt *s = store_stmt(st, INTERACTION_SELECT
                                 "WHERE i.agent_id = ?1 AND i.ended_at IS NULL "
                                 "ORDER BY i.started_at DESC, i.id DESC LIMIT 1");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, agent_id);
    return store_interaction_one(st, s, out);
}

enum store_result store_interaction_history(struct store *st, int64_t agent_id, int limit,
                                            store_interaction_each *each, void *ctx)
{
    sqlite3_stmt *s = store_stmt(st, INTERACTION_SELECT "WHERE i.agent_id = ?1 "
                                     "ORDER BY i.started_at DESC, i.id DESC LIMIT ?2");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, agent_id);
    sqlite3_bind_int(s, 2, limit);
    return store_interaction_rows(st, s, each, ctx);
}

enum store_result store_interaction_count_number(struct store *st, const char *number,
                                                 int64_t since, int64_t *count)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT count(*) FROM interactions "
                                     "WHERE number = ?1 AND started_at >= ?2");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, number, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, since);
    int rc = sqlite3_step(s);
    *count = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? STORE_OK : store_result_of(st, rc);
}

enum store_result store_interaction_held(struct store *st, int64_t agent_id,
                                         struct cb_callback *out)
{
    sqlite3_stmt *s = store_stmt(st, STORE_CALLBACK_SELECT
                                 " WHERE c.holder_id = ?1 AND c.location = " STORE_LOC_AGENT
                                 " ORDER BY c.state_since DESC, c.id DESC LIMIT 1");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, agent_id);
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
