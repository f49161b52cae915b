/*
 * store_internal.h — what the store_*.c files share and nobody else sees:
 * the connection struct, the prepared-statement cache and small helpers to
 * bind and read columns.
 */
#ifndef CBD_STORE_INTERNAL_H
#define CBD_STORE_INTERNAL_H

#include <sqlite3.h>

#include "store.h"

#define STORE_STMT_CACHE 128

struct store_stmt_slot {
    const char *sql; /* a string literal: its address is the key */
    sqlite3_stmt *stmt;
};

#define STORE_TEXT_CACHE 48

struct store_text_slot {
    char *sql; /* owned copy: the key */
    sqlite3_stmt *stmt;
};

/* Kinds of names in the name cache. */
enum store_name_kind { STORE_NAME_USER_LOGIN, STORE_NAME_TEAM, STORE_NAME_BP };

#define STORE_NAME_CACHE 512

struct store_name_slot {
    int64_t id; /* 0: empty */
    enum store_name_kind kind;
    char name[CB_NAME_SIZE];
};

/* Callback Timing as parsed from the text of bps.timing, keyed by that
 * text: parsing the JSON was most of the cost of reading a BP, which every
 * create and every search by BP does. The text is the key, so an edited BP
 * (here or by another process) simply misses; nothing to invalidate. */
#define STORE_TIMING_CACHE 8

struct store_timing_slot {
    char *text; /* owned copy of the stored JSON; NULL: empty */
    struct timing timing;
};

struct store {
    sqlite3 *db;
    struct store_name_slot *names; /* STORE_NAME_CACHE slots, allocated on first use */
    struct store_timing_slot *timings; /* STORE_TIMING_CACHE slots, allocated on first use */
    enum store_mode mode;
    struct store_stmt_slot cache[STORE_STMT_CACHE];
    struct store_text_slot text_cache[STORE_TEXT_CACHE];
    unsigned text_next; /* round-robin victim when the text cache is full */
    int read_depth;     /* store_read_begin() calls not yet ended */
    int64_t data_version; /* PRAGMA data_version when last asked (store_changed_elsewhere) */
};

/* The cached, reset statement for sql (a string literal). Owned by the
 * store; NULL (logged) if it fails to prepare. */
sqlite3_stmt *store_stmt(struct store *st, const char *sql);
/* The cached, reset statement for generated SQL text, keyed by its content.
 * Owned by the store; NULL (logged) if it fails to prepare. */
sqlite3_stmt *store_stmt_text(struct store *st, const char *sql);
/* Runs a statement that returns no rows to completion; resets it. */
enum store_result store_exec_stmt(struct store *st, sqlite3_stmt *s);
/* sqlite result code → store_result, logging real errors. */
enum store_result store_result_of(struct store *st, int rc);
/* Column text copied into a fixed buffer ("" for NULL). */
void store_col_text(sqlite3_stmt *s, int col, char *out, size_t size);
/* Column text as a new heap string, NULL for NULL. */
char *store_col_strdup(sqlite3_stmt *s, int col);
/* Binds a string or NULL. */
void store_bind_text_or_null(sqlite3_stmt *s, int col, const char *v);
/* Binds an id or NULL when it is 0. */
void store_bind_id_or_null(sqlite3_stmt *s, int col, int64_t id);

/* callbacks.location as stored: enum location's numbers, for SQL text. */
#define STORE_LOC_PENDING "0"
#define STORE_LOC_QUEUED "1"
#define STORE_LOC_AGENT "2"
#define STORE_LOC_COMPLETED "3"
_Static_assert(LOCATION_PENDING == 0 && LOCATION_HANDLING_BY_BP == 1 &&
                   LOCATION_HANDLING_BY_AGENT == 2 && LOCATION_COMPLETED == 3,
               "callbacks.location stores enum location's numbers");

/* The callback columns store_callback_row() reads; append a WHERE / ORDER
 * BY. No joins: the names of the BP, agent, team, holder and creator come
 * from the connection's name cache (store_name_of). Callback Search reads
 * the stored text of the shown members instead (callbacks.shown). */
#define STORE_CALLBACK_SELECT                                                              \
    "SELECT c.id, c.destination, c.bp_id, c.due_at, c.window_end, c.tz, c.routing, "       \
    "c.agent_id, c.team_id, c.remark, c.subject, c.case_data, c.transcription, c.origin, " \
    "c.attempts, c.state, c.holder_id, c.timed_out, c.end_state, c.flags, c.version, "     \
    "c.created_at, c.created_by, c.state_since, c.wake_at, c.completed_at, "               \
    "c.attempt_started_at, c.attempt_connect FROM callbacks c"

/* Fills cb from a row of STORE_CALLBACK_SELECT; heap fields are cb's. */
void store_callback_row(struct store *st, sqlite3_stmt *s, struct cb_callback *cb);
/* The text of cb's fixed members as the API shows them (present.h), with
 * cb's names refreshed from its ids first: what callbacks.shown holds. The
 * caller frees it. */
char *store_callback_shown(struct store *st, struct cb_callback *cb, size_t *len);
/* Gives every callback whose callbacks.shown is NULL its text (after the
 * migration that added the column). */
bool store_callback_fill_shown(struct store *st);

/* The login of user id, the name of team id or of BP id into out ("" when
 * id is 0 or unknown). Names never change once created — cbd has no rename
 * — so the cache is never invalidated; a rename, if one is ever added, must
 * clear it. */
void store_name_of(struct store *st, enum store_name_kind kind, int64_t id, char *out,
                   size_t size);
/* Brings the schema to STORE_SCHEMA_VERSION; false with a reason in err. */
bool store_schema_migrate(struct store *st, char *err, size_t err_size);

#endif
