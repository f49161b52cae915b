/*
 * store.h — the one interface to storage. Routes and engine call these
 * functions; no SQL lives anywhere else. A struct store is one connection:
 * the engine thread owns the only writer, every HTTP thread has its own
 * reader (store_reader()), and admin commands open a writer of their own.
 * Kept narrow and domain-shaped so that a PostgreSQL backend can implement
 * the same functions later (DESIGN.md §8).
 *
 * Results: STORE_OK, STORE_NOT_FOUND, STORE_CONFLICT (a uniqueness or
 * version check failed), STORE_ERROR (logged here). Records returned are
 * filled into caller-owned structs; heap fields inside them are freed with
 * the record's *_clear().
 */
#ifndef CBD_STORE_H
#define CBD_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

struct store;

enum store_result { STORE_OK = 0, STORE_NOT_FOUND, STORE_CONFLICT, STORE_ERROR };

enum store_mode {
    STORE_WRITER, /* creates the file if asked, migrates the schema */
    STORE_READER, /* read-only queries */
};

enum store_durability {
    STORE_DURABILITY_FULL,   /* every commit synced: survives power loss */
    STORE_DURABILITY_NORMAL, /* WAL not synced per commit: survives kill -9 */
};

#define STORE_SCHEMA_VERSION 2

/* Opens the database at path. A writer creates it when create is true and
 * migrates it to STORE_SCHEMA_VERSION; a database from a newer cbd is
 * refused. On failure returns NULL and writes the reason into err. */
struct store *store_open(const char *path, enum store_mode mode, bool create, char *err,
                         size_t err_size);
void store_close(struct store *st);
void store_set_durability(struct store *st, enum store_durability d);
/* This thread's reader on the path given to store_readers_init(); opened on
 * first use, closed by store_readers_close() at thread exit. */
void store_readers_init(const char *path);
struct store *store_reader(void);

/* Transactions. begin takes the write lock at once (BEGIN IMMEDIATE). */
bool store_begin(struct store *st);
bool store_commit(struct store *st);
void store_rollback(struct store *st);
bool store_savepoint(struct store *st);
void store_savepoint_release(struct store *st);
void store_savepoint_rollback(struct store *st);
/* True while a read snapshot is open (store_read_begin / store_read_end):
 * several queries then see one consistent state. They nest: an inner pair
 * runs inside the outer snapshot, which the outermost end closes (the HTTP
 * layer opens one around the token lookup and the handler, so a request
 * costs one snapshot, not two). */
bool store_read_begin(struct store *st);
void store_read_end(struct store *st);

/* Key/value facts about the database (boot counter, demo flag, …). */
enum store_result store_meta_get(struct store *st, const char *key, char *out, size_t size);
enum store_result store_meta_set(struct store *st, const char *key, const char *value);

/* The last error message of this connection (static until the next call). */
const char *store_errmsg(struct store *st);


/* ---- users and teams (store_user.c) ------------------------------------ */

typedef bool store_user_each(void *ctx, const struct cb_user *u);
typedef bool store_team_each(void *ctx, const struct cb_team *t);

/* Inserts u (id ignored) and sets u->id; STORE_CONFLICT when the login
 * is taken. password_hash may be NULL (no password login, e.g. service). */
enum store_result store_user_insert(struct store *st, struct cb_user *u, const char *password_hash);
enum store_result store_user_get(struct store *st, int64_t id, struct cb_user *out);
/* The user of that login and (if hash is not NULL) the password hash, "" when
 * none. */
enum store_result store_user_by_login(struct store *st, const char *login, struct cb_user *out,
                                      char *hash, size_t hash_size);
enum store_result store_user_update(struct store *st, const struct cb_user *u);
enum store_result store_user_set_password(struct store *st, int64_t id, const char *hash);
enum store_result store_user_set_presence(struct store *st, int64_t id, enum presence p,
                                          int64_t since);
/* Every user with one of the roles in role_mask (bit set over enum role),
 * by login; stops early when each returns false. */
enum store_result store_user_list(struct store *st, unsigned role_mask, store_user_each *each,
                                  void *ctx);
/* Members of a team, by login. */
enum store_result store_team_members(struct store *st, int64_t team_id, store_user_each *each,
                                     void *ctx);

enum store_result store_team_insert(struct store *st, struct cb_team *t);
enum store_result store_team_get(struct store *st, int64_t id, struct cb_team *out);
enum store_result store_team_by_name(struct store *st, const char *name, struct cb_team *out);
enum store_result store_team_list(struct store *st, store_team_each *each, void *ctx);
/* Teams of a user, by name. */
enum store_result store_user_teams(struct store *st, int64_t user_id, store_team_each *each,
                                   void *ctx);
/* Adds or removes a member; adding twice is not an error. */
enum store_result store_team_add_member(struct store *st, int64_t team_id, int64_t user_id);
enum store_result store_team_remove_member(struct store *st, int64_t team_id, int64_t user_id);
/* True (STORE_OK) when the user is in the team; STORE_NOT_FOUND when not. */
enum store_result store_team_has_member(struct store *st, int64_t team_id, int64_t user_id);

/* ---- tokens (store_token.c) --------------------------------------------- */

enum store_token_kind { STORE_TOKEN_SESSION, STORE_TOKEN_SERVICE };

enum store_result store_token_insert(struct store *st, const unsigned char hash[32],
                                     int64_t user_id, enum store_token_kind kind,
                                     const char *name, int64_t now);
/* The user behind a token hash, when it was last used and its kind. */
enum store_result store_token_lookup(struct store *st, const unsigned char hash[32],
                                     struct cb_user *user, int64_t *last_used,
                                     enum store_token_kind *kind);
enum store_result store_token_touch(struct store *st, const unsigned char hash[32], int64_t now);
enum store_result store_token_delete(struct store *st, const unsigned char hash[32]);
/* Deletes session tokens idle since before; *count gets how many. */
enum store_result store_token_expire(struct store *st, int64_t before, int *count);
/* Session tokens a user still holds. */
enum store_result store_token_count(struct store *st, int64_t user_id, int *count);
/* Deletes every session token of a user (a new password ends the sessions). */
enum store_result store_token_delete_user(struct store *st, int64_t user_id);

/* ---- business processes (store_bp.c) ------------------------------------ */

typedef bool store_ref_each(void *ctx, int64_t id, const char *name);
typedef bool store_bp_each(void *ctx, const struct cb_bp *bp);

/* Inserts bp (id and version set here); STORE_CONFLICT when the name is taken. */
enum store_result store_bp_insert(struct store *st, struct cb_bp *bp);
enum store_result store_bp_get(struct store *st, int64_t id, struct cb_bp *out);
enum store_result store_bp_by_name(struct store *st, const char *name, struct cb_bp *out);
enum store_result store_bp_list(struct store *st, store_bp_each *each, void *ctx);
/* Writes tz, routing, timing and stopped when bp->version still equals the
 * stored one, then bumps the version (bp->version gets the new one);
 * STORE_CONFLICT when someone changed it meanwhile. */
enum store_result store_bp_update(struct store *st, struct cb_bp *bp);
enum store_result store_bp_add_team(struct store *st, int64_t bp_id, int64_t team_id);
/* Records whether the engine found the BP open (its schedule, not stopped);
 * no version change: it is the engine's bookkeeping. */
enum store_result store_bp_set_open(struct store *st, int64_t id, bool open);
enum store_result store_bp_teams(struct store *st, int64_t bp_id, store_ref_each *each, void *ctx);
enum store_result store_team_bps(struct store *st, int64_t team_id, store_ref_each *each, void *ctx);
/* STORE_OK when the team serves the BP, STORE_NOT_FOUND when not. */
enum store_result store_bp_has_team(struct store *st, int64_t bp_id, int64_t team_id);
/* STORE_OK when the user is in a team that serves the BP. */
enum store_result store_bp_has_agent(struct store *st, int64_t bp_id, int64_t user_id);

/* ---- callbacks and attempts (store_callback.c, store_search.c) ----------- */

typedef bool store_callback_each(void *ctx, const struct cb_callback *cb);
typedef bool store_attempt_each(void *ctx, const struct cb_attempt *a);

/* Inserts cb (id, version set here; its names filled from its ids, as
 * store_callback_update does too); STORE_CONFLICT when an open callback for
 * the same number and BP exists (the unique index says so). */
enum store_result store_callback_insert(struct store *st, struct cb_callback *cb);
/* One callback with the names of its BP, agent, team, holder and creator. */
enum store_result store_callback_get(struct store *st, int64_t id, struct cb_callback *out);
/* The id of the open callback for number in bp. */
enum store_result store_callback_open_by_number(struct store *st, int64_t bp_id,
                                                const char *number, int64_t *id);
/* Writes every mutable field of cb when cb->version equals the stored one,
 * then bumps the version (cb->version gets it); STORE_CONFLICT when stale,
 * STORE_NOT_FOUND when no such callback. bp_id, subject, case_data,
 * transcription, origin, created_at and created_by are fixed at insert and
 * not written here, yet the stored text Search copies is made from cb: they
 * must be as stored (make one of them editable and write it here too). */
enum store_result store_callback_update(struct store *st, struct cb_callback *cb);
/* Callbacks per location (counts[enum location]). */
enum store_result store_callback_count_by_location(struct store *st, int64_t counts[]);
/* Open callbacks of bp due in [from, to). */
enum store_result store_callback_count_due(struct store *st, int64_t bp_id, int64_t from,
                                           int64_t to, int64_t *count);
/* The agent's personal callbacks not yet with an agent nor completed
 * (Pending or in the queue), by due time then id; at most limit. */
enum store_result store_callback_personal(struct store *st, int64_t agent_id, int limit,
                                          store_callback_each *each, void *ctx);

struct store_search {
    int64_t bp_id;    /* 0: any */
    int location;     /* enum location, or -1: any */
    int64_t agent_id; /* personal callbacks of this agent; 0: any */
    int64_t team_id;  /* team callbacks of this team; 0: any */
    const char *number; /* normalized E.164, or NULL */
    int overdue;      /* 1: only overdue, 0: only not overdue, -1: any */
    int64_t now;      /* what "overdue" is measured against */
    int64_t visible_to; /* an agent: only their own and their teams'; 0: all */
    int limit;        /* 1..500 */
    bool after;       /* continue after (after_key, after_id) */
    int64_t after_key;
    int64_t after_id;
};

/* A row of Callback Search: the id, the members that change only with a
 * new version as JSON text (present_callback_fixed), and what the rest of
 * the object is made of (present_callback_rest). */
struct store_search_row {
    int64_t id;
    const char *shown; /* "destination":…,"created_by":…; valid during the call */
    size_t shown_len;
    enum lc_state state;
    int64_t wake_at, due_at, window_end;
};
typedef bool store_search_each(void *ctx, const struct store_search_row *row);

/* Matching callbacks ordered by due time (by window end when only overdue
 * ones are asked for), then id; at most q->limit + 1 rows are read so the
 * caller can tell whether a next page exists. Served from indexes; each row
 * reads the stored text of the callback instead of its two dozen columns
 * (rendered from them when the text is missing). */
enum store_result store_callback_search(struct store *st, const struct store_search *q,
                                        store_search_each *each, void *ctx);

/* Appends an attempt (id set here). */
enum store_result store_attempt_insert(struct store *st, struct cb_attempt *a);
/* Attempts of a callback, oldest first, with agent login and name. */
enum store_result store_attempt_list(struct store *st, int64_t callback_id,
                                     store_attempt_each *each, void *ctx);

/* -- the engine's wakes (store_wake.c) -- */

/* Up to max ids of callbacks whose wake_at is at or before now, earliest
 * first; *n gets how many. */
enum store_result store_wake_due(struct store *st, int64_t now, int max, int64_t *ids, int *n);
/* The earliest wake_at of all callbacks; INT64_MAX when none. */
enum store_result store_wake_next(struct store *st, int64_t *at);
/* Sets wake_at alone (0: none) — the engine's bookkeeping, not a change a
 * client sees, so the version stays. */
enum store_result store_wake_set(struct store *st, int64_t id, int64_t at);
/* Wakes now the Pending callbacks of a BP that are due (the BP opened or
 * started). */
enum store_result store_wake_bp(struct store *st, int64_t bp_id, int64_t now);
/* Gives every open callback without a wake_at one at its due time (Pending)
 * or now (held by an agent), e.g. after cbd init --demo. */
enum store_result store_wake_fill(struct store *st, int64_t now);
/* True when another connection (another process: cbd user, bp, team, …)
 * committed a change since the last call on st; the first call only
 * records where the database is. */
bool store_changed_elsewhere(struct store *st);
/* The login of a user (from the connection's cache of names); "" when none. */
void store_login_of(struct store *st, int64_t user_id, char out[CB_LOGIN_SIZE]);
/* Every callback in a location (the queue and what agents hold, at start). */
enum store_result store_callback_in_location(struct store *st, enum location loc,
                                             store_callback_each *each, void *ctx);

/* -- audit (store_audit.c) -- */

typedef bool store_audit_each(void *ctx, const struct cb_audit *a);

/* Filters of store_audit_list(); zero / NULL members do not filter. */
struct store_audit_query {
    int64_t user_id;    /* who acted */
    const char *action; /* "bp" matches "bp" and "bp.*"; "bp.stop" only itself (and "bp.stop.*") */
    const char *target; /* exact, e.g. "bp:1" */
    int64_t before_id;  /* only entries older than this id (the paging cursor) */
    int limit;          /* 1..500 */
};

/* Appends one audit entry. user_id 0 is stored as no user (the system);
 * before_json / after_json are JSON text or NULL. */
enum store_result store_audit_insert(struct store *st, int64_t at, int64_t user_id,
                                     const char *action, const char *target,
                                     const char *before_json, const char *after_json);
/* Matching entries newest first (by id) with the acting user's login; at most
 * q->limit + 1 rows are read so the caller can tell whether a next page
 * exists. Each entry's heap text is freed after each() returns. */
enum store_result store_audit_list(struct store *st, const struct store_audit_query *q,
                                   store_audit_each *each, void *ctx);

/* Slot counts (store_slots.c): counts[i] = open callbacks of bp due in
 * [bounds[i], bounds[i + 1]) for i < n; bounds ascending, n + 1 of them.
 * One index range read, whatever n is. */
enum store_result store_slots_count_due(struct store *st, int64_t bp_id, const int64_t bounds[],
                                        int n, int64_t counts[]);

/* -- idempotency keys (store_idem.c) -- */

/* Keys are kept this long (DESIGN.md §3). */
#define STORE_IDEM_KEEP_S (24 * 3600)

/* The reply stored for (user_id, key) at or after not_before: its status
 * and body (heap text the caller frees). STORE_NOT_FOUND when there is none
 * or it is older. */
enum store_result store_idem_get(struct store *st, int64_t user_id, const char *key,
                                 int64_t not_before, int *status, char **body);
/* Records the first reply for (user_id, key), replacing an expired row. */
enum store_result store_idem_put(struct store *st, int64_t user_id, const char *key, int64_t now,
                                 int status, const char *body);
/* Deletes up to 1000 keys made before `before`; *count (may be NULL) gets
 * how many went. */
enum store_result store_idem_expire(struct store *st, int64_t before, int *count);

/* -- do-not-call list and interactions (store_dnc.c, store_interaction.c) -- */

#define CB_DNC_NOTE_SIZE 1024 /* 200 characters of UTF-8 and the NUL */

/* One number on the do-not-call list. */
struct cb_dnc {
    char number[PHONE_E164_SIZE]; /* normalized E.164: the key */
    char note[CB_DNC_NOTE_SIZE];
    int64_t added_at;
    int64_t added_by; /* 0: an admin command */
    char added_by_login[CB_LOGIN_SIZE];
};

typedef bool store_dnc_each(void *ctx, const struct cb_dnc *d);

/* Filters of store_dnc_list(); NULL members do not filter. */
struct store_dnc_query {
    const char *prefix;    /* "+1212": a range of the primary key */
    const char *substring; /* "5550": anywhere in the number (reads every row) */
    const char *after;     /* the paging cursor: numbers greater than this */
    int limit;             /* 1..500 */
};

/* Lists number; STORE_CONFLICT when it is listed already. added_by 0 is
 * stored as no user. */
enum store_result store_dnc_add(struct store *st, const char *number, const char *note,
                                int64_t added_at, int64_t added_by);
/* STORE_NOT_FOUND when the number was not listed. */
enum store_result store_dnc_remove(struct store *st, const char *number);
/* STORE_OK when number is listed, STORE_NOT_FOUND when not. */
enum store_result store_dnc_has(struct store *st, const char *number);
enum store_result store_dnc_get(struct store *st, const char *number, struct cb_dnc *out);
/* Matching entries by number; at most q->limit + 1 rows are read so the
 * caller can tell whether a next page exists. */
enum store_result store_dnc_list(struct store *st, const struct store_dnc_query *q,
                                 store_dnc_each *each, void *ctx);

/* A call telephony reported (DESIGN.md §7). */
struct cb_interaction {
    int64_t id;
    bool inbound; /* stored as "inbound" / "outbound" */
    char number[PHONE_E164_SIZE];
    int64_t bp_id; /* 0 when none */
    char bp_name[CB_NAME_SIZE];
    int64_t agent_id; /* 0 when none */
    char agent_login[CB_LOGIN_SIZE];
    int64_t started_at;
    int64_t ended_at; /* 0 while active */
    int presence_before; /* enum presence of the agent when it began, or -1 */
    int64_t created_at;
};

typedef bool store_interaction_each(void *ctx, const struct cb_interaction *i);

/* Inserts i (id set here). */
enum store_result store_interaction_insert(struct store *st, struct cb_interaction *i);
/* One interaction with its BP and agent names. */
enum store_result store_interaction_get(struct store *st, int64_t id, struct cb_interaction *out);
/* Sets ended_at of an active interaction; STORE_CONFLICT when it has ended
 * already, STORE_NOT_FOUND when there is no such interaction. */
enum store_result store_interaction_end(struct store *st, int64_t id, int64_t ended_at);
/* The agent's latest interaction that has not ended. */
enum store_result store_interaction_active(struct store *st, int64_t agent_id,
                                           struct cb_interaction *out);
/* The agent's interactions, newest first, at most limit. */
enum store_result store_interaction_history(struct store *st, int64_t agent_id, int limit,
                                            store_interaction_each *each, void *ctx);
/* How many interactions with number began at or after since. */
enum store_result store_interaction_count_number(struct store *st, const char *number,
                                                 int64_t since, int64_t *count);
/* The callback the agent holds now (offered to them or in their hands:
 * location HandlingByAgent, holder the agent); STORE_NOT_FOUND when none.
 * Heap fields of out are the caller's (cb_callback_clear). */
enum store_result store_interaction_held(struct store *st, int64_t agent_id,
                                         struct cb_callback *out);

/* -- figures and reports (store_report.c) -- */

/* What the figures of DESIGN.md §4 are made of, for one BP and one shift
 * [from, to) (stats.c derives the percentages and the mean). */
struct store_shift_counts {
    int64_t completed;    /* completed in the shift, any end state (purged included) */
    int64_t purged;       /* of which purged */
    int64_t reached;      /* of which handled with the last attempt answered live */
    int64_t handled_n;    /* the shift's attempts (by their time) that have a handle time */
    int64_t handle_sum_s; /* the sum of those handle times */
    int64_t to_be_proc;   /* callbacks of the BP not completed, whatever their due time */
};

/* The counts of bp_id's shift [from, to): three index range reads
 * (callbacks_completed, attempts_bp_at, callbacks_bp_location), never a
 * scan of the BP's history. */
enum store_result store_report_shift(struct store *st, int64_t bp_id, int64_t from, int64_t to,
                                     struct store_shift_counts *out);

/* A shift hour by hour, for GET /bps/{id}/performance. */
#define STORE_PERF_HOURS 24
struct store_performance {
    int64_t processed[STORE_PERF_HOURS]; /* completed in the hour, every end state but purged */
    int64_t reached[STORE_PERF_HOURS];   /* of which reached (as store_shift_counts counts it) */
    int64_t purged;                      /* purged in [from, to) */
    int64_t attempts[ATTEMPT__COUNT];    /* attempts by state, at in [from, attempts_to) */
};

/* bp_id's completions in [from, to) by hours of 3600 s from `from` (hour h
 * holds completed_at in [from + 3600 h, from + 3600 (h + 1)); the last of
 * `hours` (1..STORE_PERF_HOURS) also holds what comes after it), and its
 * attempts in [from, attempts_to) by state: two index range reads
 * (callbacks_completed, attempts_bp_at). */
enum store_result store_report_performance(struct store *st, int64_t bp_id, int64_t from,
                                           int64_t to, int64_t attempts_to, int hours,
                                           struct store_performance *out);

/* One completed callback of report 6.04 with every attempt, oldest first. */
struct store_report_row {
    int64_t id;
    char destination[PHONE_E164_SIZE];
    int64_t bp_id;
    char bp_name[CB_NAME_SIZE];
    int end_state;         /* enum end_state */
    int64_t created_at;    /* the original entrance time */
    int64_t completed_at;
    int attempts_used;     /* the callback's attempt counter (what counts toward the limit) */
    struct cb_attempt *attempts; /* every recorded attempt, with agent login and name */
    int nattempts;
};

typedef bool store_report_each(void *ctx, const struct store_report_row *row);

/* Continue after (after_at, after_id) — completed_at and id of the last row
 * of the previous page; INT64_MIN and 0 to start. */
struct store_report_query {
    int64_t bp_id;
    int64_t from, to; /* completed_at in [from, to) */
    int64_t after_at, after_id;
    int limit;        /* callbacks: at most limit are passed to each */
};

/* Completed callbacks of one BP by completion time then id, each with its
 * attempts (one index range of callbacks_completed joined to
 * attempts_callback). The row and its attempts live until each() returns. */
enum store_result store_report_completed(struct store *st, const struct store_report_query *q,
                                         store_report_each *each, void *ctx);

#endif
