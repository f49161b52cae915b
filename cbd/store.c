/*
 * store.c — connections, transactions, per-thread readers and the
 * statement cache of the SQLite store (see store.h). The schema lives in
 * store_schema.c; each kind of record has its own store_*.c.
 *
 * The database runs in WAL mode so readers never block the writer. Every
 * connection waits up to 5 s for a lock (admin commands may run beside a
 * serving cbd).
 *
 * The statement journal is kept in memory up to STORE_STMT_JOURNAL bytes:
 * the engine runs each command of a batch in a savepoint, and every page a
 * command changes is first copied there. Past SQLite's default of 64 KiB
 * (a create touches about 15 pages) it would spill to a temporary file, a
 * write system call per page on the engine thread, for a file that is never
 * read unless a command fails and is undone before commit; it has no part
 * in durability (the WAL holds that).
 */
#include "store_internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xalloc.h"

static pthread_once_t store_config_once = PTHREAD_ONCE_INIT;

#define STORE_STMT_JOURNAL (512 * 1024)

/* Process-wide settings, before SQLite initializes itself on the first
 * open: the statement journal's size in memory (above), and memory
 * statistics off: cbd never reads them, and keeping them takes a mutex
 * shared by every thread on every allocation SQLite makes. */
static void store_config(void)
{
    sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, STORE_STMT_JOURNAL);
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

struct store *store_open(const char *path, enum store_mode mode, bool create, char *err,
                         size_t err_size)
{
    pthread_once(&store_config_once, store_config);
    int flags = SQLITE_OPEN_NOMUTEX;
    if (mode == STORE_WRITER)
        flags |= SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
    else
        flags |= SQLITE_OPEN_READONLY;
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(path, &db, flags, NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, err_size, "%s: %s", path,
                 rc == SQLITE_CANTOPEN ? "cannot open database (does it exist? try cbd init)"
                                       : (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
        sqlite3_close(db);
        return NULL;
    }
    struct store *st = xcalloc(1, sizeof *st);
    st->db = db;
    st->mode = mode;
    sqlite3_busy_timeout(db, 5000);
    sqlite3_extended_result_codes(db, 1);
    if (mode == STORE_WRITER) {
        char *msg = NULL;
        if (sqlite3_exec(db,
                         "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                         "PRAGMA foreign_keys=ON; PRAGMA wal_autocheckpoint=4000;",
                         NULL, NULL, &msg) != SQLITE_OK) {
            snprintf(err, err_size, "%s: %s", path, msg ? msg : "cannot configure database");
            sqlite3_free(msg);
            store_close(st);
            return NULL;
        }
        if (!store_schema_migrate(st, err, err_size)) {
            store_close(st);
            return NULL;
        }
    } else {
        int version = 0;
        sqlite3_stmt *s = NULL;
        if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK &&
            sqlite3_step(s) == SQLITE_ROW)
            version = sqlite3_column_int(s, 0);
        sqlite3_finalize(s);
        if (version != STORE_SCHEMA_VERSION) {
            snprintf(err, err_size,
                     version < STORE_SCHEMA_VERSION
                         ? "%s: schema version %d, this cbd reads %d: cbd serve, or any cbd "
                           "user|bp|team|token|dnc command, brings it up to date"
                         : "%s: schema version %d, newer than this cbd (%d): use a newer cbd",
                     path, version, STORE_SCHEMA_VERSION);
            store_close(st);
            return NULL;
        }
    }
    return st;
}

void store_close(struct store *st)
{
    if (st == NULL)
        return;
    for (int i = 0; i < STORE_STMT_CACHE; i++)
        sqlite3_finalize(st->cache[i].stmt);
    for (int i = 0; i < STORE_TEXT_CACHE; i++) {
        sqlite3_finalize(st->text_cache[i].stmt);
        free(st->text_cache[i].sql);
    }
    sqlite3_close(st->db);
    free(st->names);
    if (st->timings)
        for (int i = 0; i < STORE_TIMING_CACHE; i++)
            free(st->timings[i].text);
    free(st->timings);
    free(st);
}

void store_set_durability(struct store *st, enum store_durability d)
{
    sqlite3_exec(st->db,
                 d == STORE_DURABILITY_FULL ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL",
                 NULL, NULL, NULL);
}

/* ---- per-thread readers ---------------------------------------------- */

static char *store_reader_path;
static pthread_key_t store_reader_key;
static pthread_once_t store_reader_once = PTHREAD_ONCE_INIT;

static void store_reader_destroy(void *p)
{
    store_close(p);
}

static void store_reader_key_init(void)
{
    pthread_key_create(&store_reader_key, store_reader_destroy);
}

void store_readers_init(const char *path)
{
    pthread_once(&store_reader_once, store_reader_key_init);
    free(store_reader_path);
    store_reader_path = xstrdup(path);
}

struct store *store_reader(void)
{
    struct store *st = pthread_getspecific(store_reader_key);
    if (st == NULL) {
        char err[512];
        st = store_open(store_reader_path, STORE_READER, false, err, sizeof err);
        if (st == NULL) {
            log_error("reader: %s", err);
            return NULL;
        }
        pthread_setspecific(store_reader_key, st);
    }
    return st;
}

bool store_changed_elsewhere(struct store *st)
{
    sqlite3_stmt *s = store_stmt(st, "PRAGMA data_version");
    if (s == NULL || sqlite3_step(s) != SQLITE_ROW) {
        if (s)
            sqlite3_reset(s);
        return false;
    }
    int64_t v = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    bool changed = st->data_version != 0 && v != st->data_version;
    st->data_version = v;
    return changed;
}

/* ---- statements -------------------------------------------------------- */

sqlite3_stmt *store_stmt(struct store *st, const char *sql)
{
    size_t h = ((uintptr_t)sql >> 3) % STORE_STMT_CACHE;
    for (size_t i = 0; i < STORE_STMT_CACHE; i++) {
        struct store_stmt_slot *slot = &st->cache[(h + i) % STORE_STMT_CACHE];
        if (slot->sql == sql) {
            sqlite3_reset(slot->stmt);
            sqlite3_clear_bindings(slot->stmt);
            return slot->stmt;
        }
        if (slot->sql == NULL) {
            if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &slot->stmt,
                                   NULL) != SQLITE_OK) {
                log_error("store: prepare failed: %s: %s", sqlite3_errmsg(st->db), sql);
                slot->stmt = NULL;
                return NULL;
            }
            slot->sql = sql;
            return slot->stmt;
        }
    }
    log_error("store: statement cache full");
    return NULL;
}

sqlite3_stmt *store_stmt_text(struct store *st, const char *sql)
{
    for (int i = 0; i < STORE_TEXT_CACHE; i++) {
        struct store_text_slot *slot = &st->text_cache[i];
        if (slot->sql && strcmp(slot->sql, sql) == 0) {
            sqlite3_reset(slot->stmt);
            sqlite3_clear_bindings(slot->stmt);
            return slot->stmt;
        }
    }
    sqlite3_stmt *stmt = NULL;
    if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK) {
        log_error("store: prepare failed: %s: %s", sqlite3_errmsg(st->db), sql);
        return NULL;
    }
    struct store_text_slot *slot = &st->text_cache[st->text_next++ % STORE_TEXT_CACHE];
    sqlite3_finalize(slot->stmt);
    free(slot->sql);
    slot->sql = xstrdup(sql);
    slot->stmt = stmt;
    return stmt;
}

enum store_result store_result_of(struct store *st, int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_DONE:
    case SQLITE_ROW:
        return STORE_OK;
    case SQLITE_CONSTRAINT:
        return STORE_CONFLICT;
    default:
        log_error("store: %s (%d)", sqlite3_errmsg(st->db), rc);
        return STORE_ERROR;
    }
}

enum store_result store_exec_stmt(struct store *st, sqlite3_stmt *s)
{
    if (s == NULL)
        return STORE_ERROR;
    int rc = sqlite3_step(s);
    enum store_result r = store_result_of(st, rc == SQLITE_ROW ? SQLITE_DONE : rc);
    sqlite3_reset(s);
    return r;
}

void store_col_text(sqlite3_stmt *s, int col, char *out, size_t size)
{
    const unsigned char *t = sqlite3_column_text(s, col);
    size_t n = t ? (size_t)sqlite3_column_bytes(s, col) : 0;
    if (n >= size) /* cut at a character boundary */
        for (n = size - 1; n > 0 && (t[n] & 0xC0) == 0x80; n--)
            ;
    if (n)
        memcpy(out, t, n);
    out[n] = '\0';
}

char *store_col_strdup(sqlite3_stmt *s, int col)
{
    const unsigned char *t = sqlite3_column_text(s, col);
    return t ? xstrdup((const char *)t) : NULL;
}

void store_bind_text_or_null(sqlite3_stmt *s, int col, const char *v)
{
    if (v)
        sqlite3_bind_text(s, col, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(s, col);
}

void store_bind_id_or_null(sqlite3_stmt *s, int col, int64_t id)
{
    if (id)
        sqlite3_bind_int64(s, col, id);
    else
        sqlite3_bind_null(s, col);
}

/* ---- names ---------------------------------------------------------------- */

void store_name_of(struct store *st, enum store_name_kind kind, int64_t id, char *out,
                   size_t size)
{
    out[0] = '\0';
    if (id <= 0)
        return;
    if (st->names == NULL)
        st->names = xcalloc(STORE_NAME_CACHE, sizeof *st->names);
    struct store_name_slot *slot =
        &st->names[((uint64_t)id * 3 + (uint64_t)kind) % STORE_NAME_CACHE];
    if (slot->id != id || slot->kind != kind) {
        static const char *const sql[] = {
            [STORE_NAME_USER_LOGIN] = "SELECT login FROM users WHERE id = ?1",
            [STORE_NAME_TEAM] = "SELECT name FROM teams WHERE id = ?1",
            [STORE_NAME_BP] = "SELECT name FROM bps WHERE id = ?1",
        };
        sqlite3_stmt *s = store_stmt(st, sql[kind]);
        if (s == NULL)
            return;
        sqlite3_bind_int64(s, 1, id);
        bool found = sqlite3_step(s) == SQLITE_ROW;
        if (found)
            store_col_text(s, 0, slot->name, sizeof slot->name);
        sqlite3_reset(s);
        if (!found)
            return; /* not cached: it may be created later */
        slot->id = id;
        slot->kind = kind;
    }
    size_t n = strnlen(slot->name, size - 1);
    memcpy(out, slot->name, n);
    out[n] = '\0';
}

void store_login_of(struct store *st, int64_t user_id, char out[CB_LOGIN_SIZE])
{
    store_name_of(st, STORE_NAME_USER_LOGIN, user_id, out, CB_LOGIN_SIZE);
}

/* ---- transactions ------------------------------------------------------ */

static bool store_exec(struct store *st, const char *sql)
{
    sqlite3_stmt *s = store_stmt(st, sql);
    return store_exec_stmt(st, s) == STORE_OK;
}

bool store_begin(struct store *st)
{
    return store_exec(st, "BEGIN IMMEDIATE");
}

bool store_commit(struct store *st)
{
    return store_exec(st, "COMMIT");
}

void store_rollback(struct store *st)
{
    if (!sqlite3_get_autocommit(st->db))
        store_exec(st, "ROLLBACK");
}

bool store_savepoint(struct store *st)
{
    return store_exec(st, "SAVEPOINT cmd");
}

void store_savepoint_release(struct store *st)
{
    store_exec(st, "RELEASE cmd");
}

void store_savepoint_rollback(struct store *st)
{
    store_exec(st, "ROLLBACK TO cmd");
    store_exec(st, "RELEASE cmd");
}

bool store_read_begin(struct store *st)
{
    if (st->read_depth++ > 0)
        return true; /* nested: the snapshot already open serves */
    return store_exec(st, "BEGIN");
}

void store_read_end(struct store *st)
{
    if (st->read_depth > 0 && --st->read_depth > 0)
        return;
    if (!sqlite3_get_autocommit(st->db))
        store_exec(st, "COMMIT");
}

const char *store_errmsg(struct store *st)
{
    return sqlite3_errmsg(st->db);
}

/* ---- meta ---------------------------------------------------------------- */

enum store_result store_meta_get(struct store *st, const char *key, char *out, size_t size)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT value FROM meta WHERE key = ?1");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    enum store_result r = STORE_NOT_FOUND;
    if (rc == SQLITE_ROW) {
        store_col_text(s, 0, out, size);
        r = STORE_OK;
    } else if (rc != SQLITE_DONE) {
        r = store_result_of(st, rc);
    }
    sqlite3_reset(s);
    return r;
}

enum store_result store_meta_set(struct store *st, const char *key, const char *value)
{
    sqlite3_stmt *s = store_stmt(st, "INSERT INTO meta(key, value) VALUES (?1, ?2) "
                                     "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
    return store_exec_stmt(st, s);
}
