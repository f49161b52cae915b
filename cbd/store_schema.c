/*
 * store_schema.c — the SQLite schema and its migrations. PRAGMA
 * user_version holds the schema version; each step of store_schema_steps
 * takes the database from version i to i + 1 inside one transaction. A
 * database whose version is newer than this cbd knows is refused.
 *
 * Instants are INTEGER seconds since the epoch (UTC). Enumerations are
 * stored by their wire names, but for callbacks.location: a small integer
 * (enum location: 0 pending, 1 in the queue, 2 with an agent, 3 completed),
 * because it sits in five indexes and a 29-byte name made every create
 * write far more index pages. The partial unique index callbacks_open_number
 * is what makes "one open callback per number and BP" hold even under races.
 */
#include "store_internal.h"

#include <stdio.h>

#include "log.h"

static const char *const store_schema_steps[] = {
    /* 0 → 1 */
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE users ("
    "  id INTEGER PRIMARY KEY,"
    "  login TEXT NOT NULL UNIQUE,"
    "  name TEXT NOT NULL,"
    "  role TEXT NOT NULL,"
    "  password_hash TEXT,"
    "  can_schedule INTEGER NOT NULL DEFAULT 0,"
    "  disabled INTEGER NOT NULL DEFAULT 0,"
    "  presence TEXT NOT NULL DEFAULT 'logged_out',"
    "  presence_since INTEGER NOT NULL DEFAULT 0,"
    "  created_at INTEGER NOT NULL);"
    "CREATE TABLE teams (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"
    "CREATE TABLE team_members ("
    "  team_id INTEGER NOT NULL REFERENCES teams(id),"
    "  user_id INTEGER NOT NULL REFERENCES users(id),"
    "  PRIMARY KEY (team_id, user_id));"
    "CREATE INDEX team_members_user ON team_members(user_id);"
    "CREATE TABLE bps ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE,"
    "  tz TEXT NOT NULL,"
    "  version INTEGER NOT NULL DEFAULT 1,"
    "  stopped INTEGER NOT NULL DEFAULT 0,"
    "  routing TEXT NOT NULL,"
    "  timing TEXT NOT NULL,"
    "  open_state INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE bp_teams ("
    "  bp_id INTEGER NOT NULL REFERENCES bps(id),"
    "  team_id INTEGER NOT NULL REFERENCES teams(id),"
    "  PRIMARY KEY (bp_id, team_id));"
    "CREATE TABLE callbacks ("
    "  id INTEGER PRIMARY KEY,"
    "  destination TEXT NOT NULL,"
    "  bp_id INTEGER NOT NULL REFERENCES bps(id),"
    "  due_at INTEGER NOT NULL,"
    "  window_end INTEGER NOT NULL,"
    "  tz TEXT NOT NULL,"
    "  routing TEXT NOT NULL,"
    "  agent_id INTEGER REFERENCES users(id),"
    "  team_id INTEGER REFERENCES teams(id),"
    "  remark TEXT NOT NULL DEFAULT '',"
    "  subject TEXT, case_data TEXT, transcription TEXT,"
    "  origin TEXT NOT NULL,"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  state TEXT NOT NULL,"
    "  location INTEGER NOT NULL,"
    "  holder_id INTEGER REFERENCES users(id),"
    "  state_since INTEGER NOT NULL,"
    "  timed_out INTEGER NOT NULL DEFAULT 0,"
    "  end_state TEXT,"
    "  flags INTEGER NOT NULL DEFAULT 0,"
    "  version INTEGER NOT NULL DEFAULT 1,"
    "  created_at INTEGER NOT NULL,"
    "  created_by INTEGER REFERENCES users(id),"
    "  completed_at INTEGER,"
    "  wake_at INTEGER,"
    "  attempt_started_at INTEGER,"
    "  attempt_connect TEXT);"
    "CREATE INDEX callbacks_wake ON callbacks(wake_at) WHERE wake_at IS NOT NULL;"
    "CREATE UNIQUE INDEX callbacks_open_number ON callbacks(bp_id, destination)"
    "  WHERE location <> 3;"
    "CREATE INDEX callbacks_location ON callbacks(location, due_at);"
    "CREATE INDEX callbacks_bp_location ON callbacks(bp_id, location, due_at);"
    "CREATE INDEX callbacks_agent ON callbacks(agent_id, location, due_at)"
    "  WHERE agent_id IS NOT NULL;"
    "CREATE INDEX callbacks_team ON callbacks(team_id, location, due_at)"
    "  WHERE team_id IS NOT NULL;"
    /* Search by agent or team without a location: walked in due order */
    "CREATE INDEX callbacks_agent_due ON callbacks(agent_id, due_at)"
    "  WHERE agent_id IS NOT NULL;"
    "CREATE INDEX callbacks_team_due ON callbacks(team_id, due_at)"
    "  WHERE team_id IS NOT NULL;"
    "CREATE INDEX callbacks_number ON callbacks(destination, due_at);"
    "CREATE INDEX callbacks_due ON callbacks(due_at);"
    "CREATE INDEX callbacks_bp_due ON callbacks(bp_id, due_at);"
    "CREATE INDEX callbacks_bp_location_window ON callbacks(bp_id, location, window_end);"
    "CREATE INDEX callbacks_holder ON callbacks(holder_id) WHERE holder_id IS NOT NULL;"
    "CREATE INDEX callbacks_completed ON callbacks(bp_id, completed_at)"
    "  WHERE completed_at IS NOT NULL;"
    "CREATE TABLE attempts ("
    "  id INTEGER PRIMARY KEY,"
    "  callback_id INTEGER NOT NULL REFERENCES callbacks(id),"
    "  at INTEGER NOT NULL,"
    "  started_at INTEGER,"
    "  agent_id INTEGER REFERENCES users(id),"
    "  state TEXT NOT NULL,"
    "  handle_s INTEGER,"
    "  connect TEXT,"
    "  bp_id INTEGER REFERENCES bps(id));" /* the callback's BP: the shift's attempts per BP */
    "CREATE INDEX attempts_callback ON attempts(callback_id, id);"
    "CREATE INDEX attempts_bp_at ON attempts(bp_id, at);"
    "CREATE TABLE interactions ("
    "  id INTEGER PRIMARY KEY,"
    "  direction TEXT NOT NULL,"
    "  number TEXT NOT NULL,"
    "  bp_id INTEGER REFERENCES bps(id),"
    "  agent_id INTEGER REFERENCES users(id),"
    "  started_at INTEGER NOT NULL,"
    "  ended_at INTEGER,"
    "  presence_before TEXT," /* the agent's presence when it began (restored at its end) */
    "  created_at INTEGER NOT NULL);"
    "CREATE INDEX interactions_agent ON interactions(agent_id, started_at);"
    "CREATE INDEX interactions_number ON interactions(number, started_at);"
    "CREATE INDEX interactions_active ON interactions(agent_id, started_at)"
    "  WHERE ended_at IS NULL;"
    "CREATE TABLE audit ("
    "  id INTEGER PRIMARY KEY,"
    "  at INTEGER NOT NULL,"
    "  user_id INTEGER REFERENCES users(id),"
    "  action TEXT NOT NULL,"
    "  target TEXT NOT NULL,"
    "  before TEXT, after TEXT);"
    "CREATE INDEX audit_user ON audit(user_id, id);"
    "CREATE INDEX audit_action ON audit(action, id);"
    "CREATE INDEX audit_target ON audit(target, id);"
    "CREATE TABLE dnc ("
    "  number TEXT PRIMARY KEY,"
    "  note TEXT NOT NULL DEFAULT '',"
    "  added_at INTEGER NOT NULL,"
    "  added_by INTEGER REFERENCES users(id));"
    "CREATE TABLE tokens ("
    "  hash BLOB PRIMARY KEY,"
    "  user_id INTEGER NOT NULL REFERENCES users(id),"
    "  kind TEXT NOT NULL,"
    "  name TEXT NOT NULL DEFAULT '',"
    "  created_at INTEGER NOT NULL,"
    "  last_used INTEGER NOT NULL);"
    "CREATE INDEX tokens_user ON tokens(user_id);"
    "CREATE TABLE idempotency ("
    "  user_id INTEGER NOT NULL,"
    "  key TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  status INTEGER NOT NULL,"
    "  body TEXT NOT NULL,"
    "  PRIMARY KEY (user_id, key));"
    "CREATE INDEX idempotency_age ON idempotency(created_at);",
    /* 1 → 2: the text of each callback's fixed members as the API shows
     * them, for Callback Search (store_callback.c), and a trigger that
     * empties it when an UPDATE changes a shown column without rewriting
     * it, so it is never stale; filled for existing rows by
     * store_schema_after */
    "ALTER TABLE callbacks ADD COLUMN shown TEXT;"
    "CREATE TRIGGER callbacks_shown_stale AFTER UPDATE OF destination, bp_id, due_at, "
    "  window_end, tz, routing, agent_id, team_id, remark, subject, case_data, transcription, "
    "  origin, attempts, state, holder_id, state_since, timed_out, end_state, flags, version, "
    "  created_at, created_by ON callbacks WHEN NEW.shown IS OLD.shown "
    "BEGIN UPDATE callbacks SET shown = NULL WHERE id = NEW.id; END;",
};

#define STORE_SCHEMA_STEPS ((int)(sizeof store_schema_steps / sizeof store_schema_steps[0]))

/* What a step needs done in C after its SQL, in the same transaction. */
static bool store_schema_after(struct store *st, int to_version)
{
    if (to_version == 2)
        return store_callback_fill_shown(st);
    return true;
}
_Static_assert(STORE_SCHEMA_STEPS == STORE_SCHEMA_VERSION, "one migration step per version");

/* Brings the schema to STORE_SCHEMA_VERSION; false with a reason in err. */
bool store_schema_migrate(struct store *st, char *err, size_t err_size)
{
    int version = 0;
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK ||
        sqlite3_step(s) != SQLITE_ROW) {
        snprintf(err, err_size, "not a cbd database: %s", sqlite3_errmsg(st->db));
        sqlite3_finalize(s);
        return false;
    }
    version = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    if (version > STORE_SCHEMA_VERSION) {
        snprintf(err, err_size,
                 "the database has schema version %d, newer than this cbd (%d): "
                 "use a newer cbd",
                 version, STORE_SCHEMA_VERSION);
        return false;
    }
    if (version > 0 && version < STORE_SCHEMA_VERSION)
        log_info("migrating the database from schema version %d to %d (one transaction; "
                 "a large database takes a while)",
                 version, STORE_SCHEMA_VERSION);
    for (; version < STORE_SCHEMA_VERSION; version++) {
        char *msg = NULL;
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d;", version + 1);
        if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK ||
            sqlite3_exec(st->db, store_schema_steps[version], NULL, NULL, &msg) != SQLITE_OK ||
            !store_schema_after(st, version + 1) ||
            sqlite3_exec(st->db, pragma, NULL, NULL, &msg) != SQLITE_OK ||
            sqlite3_exec(st->db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK) {
            snprintf(err, err_size, "migrating schema to version %d: %s", version + 1,
                     msg ? msg : sqlite3_errmsg(st->db));
            sqlite3_free(msg);
            sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
            return false;
        }
    }
    return true;
}
