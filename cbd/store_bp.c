/*
 * store_bp.c — business processes and the teams that serve them, in SQLite
 * (see store.h). Callback Timing is kept as its JSON form (timing.h), the
 * routing types as a comma-separated list of wire names. The parsed timing
 * is cached per connection, keyed by that JSON text (store_internal.h), so
 * reading a BP — every create and every search by BP does — costs a row,
 * not a JSON parse; the slots' text copies belong to the store.
 */
#include "store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xalloc.h"

#define BP_COLUMNS "id, name, tz, version, stopped, routing, timing, open_state"

static void store_bp_routing_text(unsigned routing, char *out, size_t size)
{
    out[0] = '\0';
    for (int r = 0; r < ROUTING__COUNT; r++)
        if (routing & (1u << r)) {
            size_t used = strlen(out);
            snprintf(out + used, size - used, "%s%s", used ? "," : "", routing_wire((enum routing)r));
        }
}

static unsigned store_bp_routing_parse(const char *text)
{
    unsigned set = 0;
    char buf[64];
    snprintf(buf, sizeof buf, "%s", text ? text : "");
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        enum routing r;
        if (routing_parse(tok, &r))
            set |= 1u << r;
    }
    return set;
}

/* The timing held in text, parsed once per connection for each distinct
 * text (store_internal.h); false when the text is unreadable. */
static bool store_bp_timing(struct store *st, int64_t id, const char *text, struct timing *out)
{
    if (st->timings == NULL)
        st->timings = xcalloc(STORE_TIMING_CACHE, sizeof *st->timings);
    struct store_timing_slot *slot = &st->timings[(uint64_t)id % STORE_TIMING_CACHE];
    if (slot->text && strcmp(slot->text, text) == 0) {
        *out = slot->timing;
        return true;
    }
    struct json_error err;
    cJSON *t = cJSON_Parse(text);
    bool ok = t != NULL && timing_from_json(t, false, out, &err);
    cJSON_Delete(t);
    if (ok) {
        free(slot->text);
        slot->text = xstrdup(text);
        slot->timing = *out;
    }
    return ok;
}

static void store_bp_row(struct store *st, sqlite3_stmt *s, struct cb_bp *bp)
{
    memset(bp, 0, sizeof *bp);
    bp->id = sqlite3_column_int64(s, 0);
    store_col_text(s, 1, bp->name, sizeof bp->name);
    store_col_text(s, 2, bp->tz, sizeof bp->tz);
    bp->version = sqlite3_column_int64(s, 3);
    bp->stopped = sqlite3_column_int(s, 4) != 0;
    bp->routing = store_bp_routing_parse((const char *)sqlite3_column_text(s, 5));
    timing_defaults(&bp->timing);
    const char *text = (const char *)sqlite3_column_text(s, 6);
    if (text == NULL || !store_bp_timing(st, bp->id, text, &bp->timing)) {
        timing_defaults(&bp->timing);
        log_error("business process %s: stored timing unreadable; using defaults", bp->name);
    }
    bp->was_open = sqlite3_column_int(s, 7) != 0;
}

static enum store_result store_bp_one(struct store *st, sqlite3_stmt *s, struct cb_bp *out)
{
    int rc = sqlite3_step(s);
    enum store_result r = STORE_NOT_FOUND;
    if (rc == SQLITE_ROW) {
        store_bp_row(st, s, out);
        r = STORE_OK;
    } else if (rc != SQLITE_DONE) {
        r = store_result_of(st, rc);
    }
    sqlite3_reset(s);
    return r;
}

static char *store_bp_timing_text(const struct timing *t)
{
    cJSON *j = timing_to_json(t);
    char *text = json_print(j);
    cJSON_Delete(j);
    return text;
}

enum store_result store_bp_insert(struct store *st, struct cb_bp *bp)
{
    sqlite3_stmt *s = store_stmt(st, "INSERT INTO bps(name, tz, version, stopped, routing, timing) "
                                     "VALUES (?1, ?2, 1, ?3, ?4, ?5)");
    if (s == NULL)
        return STORE_ERROR;
    char routing[64];
    store_bp_routing_text(bp->routing, routing, sizeof routing);
    char *timing = store_bp_timing_text(&bp->timing);
    sqlite3_bind_text(s, 1, bp->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, bp->tz, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 3, bp->stopped);
    sqlite3_bind_text(s, 4, routing, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, timing, -1, SQLITE_STATIC);
    enum store_result r = store_exec_stmt(st, s);
    free(timing);
    if (r == STORE_OK) {
        bp->id = sqlite3_last_insert_rowid(st->db);
        bp->version = 1;
    }
    return r;
}

enum store_result store_bp_get(struct store *st, int64_t id, struct cb_bp *out)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT " BP_COLUMNS " FROM bps WHERE id = ?1");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, id);
    return store_bp_one(st, s, out);
}

enum store_result store_bp_by_name(struct store *st, const char *name, struct cb_bp *out)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT " BP_COLUMNS " FROM bps WHERE name = ?1");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    return store_bp_one(st, s, out);
}

enum store_result store_bp_list(struct store *st, store_bp_each *each, void *ctx)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT " BP_COLUMNS " FROM bps ORDER BY name");
    if (s == NULL)
        return STORE_ERROR;
    int rc;
    struct cb_bp bp;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        store_bp_row(st, s, &bp);
        if (!each(ctx, &bp)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(s);
    return store_result_of(st, rc);
}

enum store_result store_bp_update(struct store *st, struct cb_bp *bp)
{
    sqlite3_stmt *s = store_stmt(st, "UPDATE bps SET tz = ?3, routing = ?4, timing = ?5, "
                                     "stopped = ?6, version = version + 1 "
                                     "WHERE id = ?1 AND version = ?2");
    if (s == NULL)
        return STORE_ERROR;
    char routing[64];
    store_bp_routing_text(bp->routing, routing, sizeof routing);
    char *timing = store_bp_timing_text(&bp->timing);
    sqlite3_bind_int64(s, 1, bp->id);
    sqlite3_bind_int64(s, 2, bp->version);
    sqlite3_bind_text(s, 3, bp->tz, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, routing, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, timing, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 6, bp->stopped);
    enum store_result r = store_exec_stmt(st, s);
    free(timing);
    if (r != STORE_OK)
        return r;
    if (sqlite3_changes(st->db) == 0) {
        struct cb_bp cur;
        return store_bp_get(st, bp->id, &cur) == STORE_OK ? STORE_CONFLICT : STORE_NOT_FOUND;
    }
    bp->version++;
    return STORE_OK;
}

enum store_result store_bp_add_team(struct store *st, int64_t bp_id, int64_t team_id)
{
    sqlite3_stmt *s = store_stmt(st, "INSERT OR IGNORE INTO bp_teams(bp_id, team_id) VALUES (?1, ?2)");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, bp_id);
    sqlite3_bind_int64(s, 2, team_id);
    return store_exec_stmt(st, s);
}

static enum store_result store_ref_rows(struct store *st, sqlite3_stmt *s, store_ref_each *each,
                                        void *ctx)
{
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        if (!each(ctx, sqlite3_column_int64(s, 0), (const char *)sqlite3_column_text(s, 1))) {
            rc = SQLITE_DONE;
            break;
        }
    sqlite3_reset(s);
    return store_result_of(st, rc);
}

enum store_result store_bp_teams(struct store *st, int64_t bp_id, store_ref_each *each, void *ctx)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT t.id, t.name FROM bp_teams b JOIN teams t "
                                     "ON t.id = b.team_id WHERE b.bp_id = ?1 ORDER BY t.name");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, bp_id);
    return store_ref_rows(st, s, each, ctx);
}

enum store_result store_team_bps(struct store *st, int64_t team_id, store_ref_each *each, void *ctx)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT p.id, p.name FROM bp_teams b JOIN bps p "
                                     "ON p.id = b.bp_id WHERE b.team_id = ?1 ORDER BY p.name");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, team_id);
    return store_ref_rows(st, s, each, ctx);
}

static enum store_result store_exists(struct store *st, sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOT_FOUND : store_result_of(st, rc);
}

enum store_result store_bp_has_team(struct store *st, int64_t bp_id, int64_t team_id)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT 1 FROM bp_teams WHERE bp_id = ?1 AND team_id = ?2");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, bp_id);
    sqlite3_bind_int64(s, 2, team_id);
    return store_exists(st, s);
}

enum store_result store_bp_has_agent(struct store *st, int64_t bp_id, int64_t user_id)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT 1 FROM bp_teams b JOIN team_members m "
                                     "ON m.team_id = b.team_id WHERE b.bp_id = ?1 AND m.user_id = ?2 "
                                     "LIMIT 1");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, bp_id);
    sqlite3_bind_int64(s, 2, user_id);
    return store_exists(st, s);
}

enum store_result store_bp_set_open(struct store *st, int64_t id, bool open)
{
    sqlite3_stmt *s = store_stmt(st, "UPDATE bps SET open_state = ?2 WHERE id = ?1");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int(s, 2, open);
    return store_exec_stmt(st, s);
}
