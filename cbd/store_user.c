/*
 * store_user.c — users, teams and team membership in SQLite (see store.h).
 */
#include "store_internal.h"

#include <string.h>

#define USER_COLUMNS "id, login, name, role, can_schedule, disabled, presence, " \
                     "presence_since, created_at"

static void store_user_row(sqlite3_stmt *s, struct cb_user *u)
{
    memset(u, 0, sizeof *u);
    u->id = sqlite3_column_int64(s, 0);
    store_col_text(s, 1, u->login, sizeof u->login);
    store_col_text(s, 2, u->name, sizeof u->name);
    role_parse((const char *)sqlite3_column_text(s, 3), &u->role);
    u->can_schedule = sqlite3_column_int(s, 4) != 0;
    u->disabled = sqlite3_column_int(s, 5) != 0;
    presence_parse((const char *)sqlite3_column_text(s, 6), &u->presence);
    u->presence_since = sqlite3_column_int64(s, 7);
    u->created_at = sqlite3_column_int64(s, 8);
}

/* Steps a single-row query into a user; STORE_NOT_FOUND when no row. */
static enum store_result store_user_one(struct store *st, sqlite3_stmt *s, struct cb_user *out,
                                        char *hash, size_t hash_size)
{
    int rc = sqlite3_step(s);
    enum store_result r = STORE_NOT_FOUND;
    if (rc == SQLITE_ROW) {
        store_user_row(s, out);
        if (hash)
            store_col_text(s, 9, hash, hash_size);
        r = STORE_OK;
    } else if (rc != SQLITE_DONE) {
        r = store_result_of(st, rc);
    }
    sqlite3_reset(s);
    return r;
}

static enum store_result store_user_each_row(struct store *st, sqlite3_stmt *s,
                                             store_user_each *each, void *ctx)
{
    int rc;
    struct cb_user u;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        store_user_row(s, &u);
        if (!each(ctx, &u)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(s);
    return store_result_of(st, rc);
}

enum store_result store_user_insert(struct store *st, struct cb_user *u, const char *password_hash)
{
    sqlite3_stmt *s = store_stmt(st, "INSERT INTO users(login, name, role, password_hash, "
                                     "can_schedule, disabled, created_at) "
                                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, u->login, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, u->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, role_wire(u->role), -1, SQLITE_STATIC);
    store_bind_text_or_null(s, 4, password_hash);
    sqlite3_bind_int(s, 5, u->can_schedule);
    sqlite3_bind_int(s, 6, u->disabled);
    sqlite3_bind_int64(s, 7, u->created_at);
    enum store_result r = store_exec_stmt(st, s);
    if (r == STORE_OK)
        u->id = sqlite3_last_insert_rowid(st->db);
    return r;
}

enum store_result store_user_get(struct store *st, int64_t id, struct cb_user *out)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT " USER_COLUMNS " FROM users WHERE id = ?1");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, id);
    return store_user_one(st, s, out, NULL, 0);
}

enum store_result store_user_by_login(struct store *st, const char *login, struct cb_user *out,
                                      char *hash, size_t hash_size)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT " USER_COLUMNS ", password_hash FROM users "
                                     "WHERE login = ?1");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, login, -1, SQLITE_STATIC);
    return store_user_one(st, s, out, hash, hash_size);
}

enum store_result store_user_update(struct store *st, const struct cb_user *u)
{
    sqlite3_stmt *s = store_stmt(st, "UPDATE users SET name = ?2, role = ?3, can_schedule = ?4, "
                                     "disabled = ?5 WHERE id = ?1");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, u->id);
    sqlite3_bind_text(s, 2, u->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, role_wire(u->role), -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 4, u->can_schedule);
    sqlite3_bind_int(s, 5, u->disabled);
    enum store_result r = store_exec_stmt(st, s);
    return r == STORE_OK && sqlite3_changes(st->db) == 0 ? STORE_NOT_FOUND : r;
}

enum store_result store_user_set_password(struct store *st, int64_t id, const char *hash)
{
    sqlite3_stmt *s = store_stmt(st, "UPDATE users SET password_hash = ?2 WHERE id = ?1");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_text(s, 2, hash, -1, SQLITE_STATIC);
    enum store_result r = store_exec_stmt(st, s);
    return r == STORE_OK && sqlite3_changes(st->db) == 0 ? STORE_NOT_FOUND : r;
}

enum store_result store_user_set_presence(struct store *st, int64_t id, enum presence p,
                                          int64_t since)
{
    sqlite3_stmt *s = store_stmt(st, "UPDATE users SET presence = ?2, presence_since = ?3 "
                                     "WHERE id = ?1");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_text(s, 2, presence_wire(p), -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, since);
    enum store_result r = store_exec_stmt(st, s);
    return r == STORE_OK && sqlite3_changes(st->db) == 0 ? STORE_NOT_FOUND : r;
}

enum store_result store_user_list(struct store *st, unsigned role_mask, store_user_each *each,
                                  void *ctx)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT " USER_COLUMNS " FROM users ORDER BY login");
    if (s == NULL)
        return STORE_ERROR;
    int rc;
    struct cb_user u;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        store_user_row(s, &u);
        if ((role_mask & (1u << u.role)) && !each(ctx, &u)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(s);
    return store_result_of(st, rc);
}

enum store_result store_team_members(struct store *st, int64_t team_id, store_user_each *each,
                                     void *ctx)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT u.id, u.login, u.name, u.role, u.can_schedule, "
                                     "u.disabled, u.presence, u.presence_since, u.created_at "
                                     "FROM team_members m JOIN users u ON u.id = m.user_id "
                                     "WHERE m.team_id = ?1 ORDER BY u.login");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, team_id);
    return store_user_each_row(st, s, each, ctx);
}

/* ---- teams ---------------------------------------------------------------- */

static enum store_result store_team_one(struct store *st, sqlite3_stmt *s, struct cb_team *out)
{
    int rc = sqlite3_step(s);
    enum store_result r = STORE_NOT_FOUND;
    if (rc == SQLITE_ROW) {
        out->id = sqlite3_column_int64(s, 0);
        store_col_text(s, 1, out->name, sizeof out->name);
        r = STORE_OK;
    } else if (rc != SQLITE_DONE) {
        r = store_result_of(st, rc);
    }
    sqlite3_reset(s);
    return r;
}

static enum store_result store_team_each_row(struct store *st, sqlite3_stmt *s,
                                             store_team_each *each, void *ctx)
{
    int rc;
    struct cb_team t;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        t.id = sqlite3_column_int64(s, 0);
        store_col_text(s, 1, t.name, sizeof t.name);
        if (!each(ctx, &t)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(s);
    return store_result_of(st, rc);
}

enum store_result store_team_insert(struct store *st, struct cb_team *t)
{
    sqlite3_stmt *s = store_stmt(st, "INSERT INTO teams(name) VALUES (?1)");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, t->name, -1, SQLITE_STATIC);
    enum store_result r = store_exec_stmt(st, s);
    if (r == STORE_OK)
        t->id = sqlite3_last_insert_rowid(st->db);
    return r;
}

enum store_result store_team_get(struct store *st, int64_t id, struct cb_team *out)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT id, name FROM teams WHERE id = ?1");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, id);
    return store_team_one(st, s, out);
}

enum store_result store_team_by_name(struct store *st, const char *name, struct cb_team *out)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT id, name FROM teams WHERE name = ?1");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    return store_team_one(st, s, out);
}

enum store_result store_team_list(struct store *st, store_team_each *each, void *ctx)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT id, name FROM teams ORDER BY name");
    if (s == NULL)
        return STORE_ERROR;
    return store_team_each_row(st, s, each, ctx);
}

enum store_result store_user_teams(struct store *st, int64_t user_id, store_team_each *each,
                                   void *ctx)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT t.id, t.name FROM team_members m "
                                     "JOIN teams t ON t.id = m.team_id "
                                     "WHERE m.user_id = ?1 ORDER BY t.name");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, user_id);
    return store_team_each_row(st, s, each, ctx);
}

enum store_result store_team_add_member(struct store *st, int64_t team_id, int64_t user_id)
{
    sqlite3_stmt *s = store_stmt(st, "INSERT OR IGNORE INTO team_members(team_id, user_id) "
                                     "VALUES (?1, ?2)");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, team_id);
    sqlite3_bind_int64(s, 2, user_id);
    return store_exec_stmt(st, s);
}

enum store_result store_team_remove_member(struct store *st, int64_t team_id, int64_t user_id)
{
    sqlite3_stmt *s = store_stmt(st, "DELETE FROM team_members WHERE team_id = ?1 AND user_id = ?2");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, team_id);
    sqlite3_bind_int64(s, 2, user_id);
    enum store_result r = store_exec_stmt(st, s);
    return r == STORE_OK && sqlite3_changes(st->db) == 0 ? STORE_NOT_FOUND : r;
}

enum store_result store_team_has_member(struct store *st, int64_t team_id, int64_t user_id)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT 1 FROM team_members WHERE team_id = ?1 AND user_id = ?2");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, team_id);
    sqlite3_bind_int64(s, 2, user_id);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOT_FOUND : store_result_of(st, rc);
}
