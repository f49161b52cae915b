/*
 * store_token.c — bearer tokens in SQLite (see store.h). Only a hash of
 * each token is stored; the token itself is shown once, at login or by
 * `cbd token add`.
 */
#include "store_internal.h"

#include <string.h>

enum store_result store_token_insert(struct store *st, const unsigned char hash[32],
                                     int64_t user_id, enum store_token_kind kind,
                                     const char *name, int64_t now)
{
    sqlite3_stmt *s = store_stmt(st, "INSERT INTO tokens(hash, user_id, kind, name, created_at, "
                                     "last_used) VALUES (?1, ?2, ?3, ?4, ?5, ?5)");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, user_id);
    sqlite3_bind_text(s, 3, kind == STORE_TOKEN_SERVICE ? "service" : "session", -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, name ? name : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 5, now);
    return store_exec_stmt(st, s);
}

enum store_result store_token_lookup(struct store *st, const unsigned char hash[32],
                                     struct cb_user *user, int64_t *last_used,
                                     enum store_token_kind *kind)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT u.id, u.login, u.name, u.role, u.can_schedule, "
                                     "u.disabled, u.presence, u.presence_since, u.created_at, "
                                     "t.last_used, t.kind "
                                     "FROM tokens t JOIN users u ON u.id = t.user_id "
                                     "WHERE t.hash = ?1");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    enum store_result r = STORE_NOT_FOUND;
    if (rc == SQLITE_ROW) {
        memset(user, 0, sizeof *user);
        user->id = sqlite3_column_int64(s, 0);
        store_col_text(s, 1, user->login, sizeof user->login);
        store_col_text(s, 2, user->name, sizeof user->name);
        role_parse((const char *)sqlite3_column_text(s, 3), &user->role);
        user->can_schedule = sqlite3_column_int(s, 4) != 0;
        user->disabled = sqlite3_column_int(s, 5) != 0;
        presence_parse((const char *)sqlite3_column_text(s, 6), &user->presence);
        user->presence_since = sqlite3_column_int64(s, 7);
        user->created_at = sqlite3_column_int64(s, 8);
        *last_used = sqlite3_column_int64(s, 9);
        const unsigned char *k = sqlite3_column_text(s, 10);
        *kind = k && strcmp((const char *)k, "service") == 0 ? STORE_TOKEN_SERVICE
                                                             : STORE_TOKEN_SESSION;
        r = STORE_OK;
    } else if (rc != SQLITE_DONE) {
        r = store_result_of(st, rc);
    }
    sqlite3_reset(s);
    return r;
}

enum store_result store_token_touch(struct store *st, const unsigned char hash[32], int64_t now)
{
    sqlite3_stmt *s = store_stmt(st, "UPDATE tokens SET last_used = ?2 WHERE hash = ?1");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, now);
    return store_exec_stmt(st, s);
}

enum store_result store_token_delete(struct store *st, const unsigned char hash[32])
{
    sqlite3_stmt *s = store_stmt(st, "DELETE FROM tokens WHERE hash = ?1");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
    enum store_result r = store_exec_stmt(st, s);
    return r == STORE_OK && sqlite3_changes(st->db) == 0 ? STORE_NOT_FOUND : r;
}

enum store_result store_token_expire(struct store *st, int64_t before, int *count)
{
    sqlite3_stmt *s = store_stmt(st, "DELETE FROM tokens WHERE kind = 'session' AND last_used < ?1");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, before);
    enum store_result r = store_exec_stmt(st, s);
    *count = r == STORE_OK ? sqlite3_changes(st->db) : 0;
    return r;
}

enum store_result store_token_count(struct store *st, int64_t user_id, int *count)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT count(*) FROM tokens WHERE user_id = ?1 "
                                     "AND kind = 'session'");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, user_id);
    int rc = sqlite3_step(s);
    *count = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? STORE_OK : store_result_of(st, rc);
}

enum store_result store_token_delete_user(struct store *st, int64_t user_id)
{
    sqlite3_stmt *s = store_stmt(st, "DELETE FROM tokens WHERE user_id = ?1 AND kind = 'session'");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, user_id);
    return store_exec_stmt(st, s);
}
