/*
 * engine.h — the one writer. Every change to the store — requests that
 * change state, and (with the engine issue) timers and disconnects — is a
 * command run on the engine thread, which owns the write connection.
 * Transitions are therefore serial: a compare-and-set is a check, not a
 * race.
 *
 * Group commit: the thread takes every queued command, runs each inside its
 * own savepoint in one transaction (a failing command rolls back alone),
 * commits and syncs once, then calls each command's done(). Durability
 * costs one sync per batch, not per request.
 *
 * A command is owned by its submitter; it must stay alive until done() has
 * been called. run() and done() execute on the engine thread and must not
 * block.
 */
#ifndef CBD_ENGINE_H
#define CBD_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "store.h"

struct engine_cmd {
    /* Runs inside a savepoint. A result other than STORE_OK rolls the
     * command's changes back. */
    enum store_result (*run)(struct store *writer, struct engine_cmd *cmd);
    /* Called once after the batch committed (or failed: result is then
     * STORE_ERROR). */
    void (*done)(struct engine_cmd *cmd);
    void *ctx;
    enum store_result result;
    struct engine_cmd *next; /* the engine's queue link */
};

/* What the engine does besides commands: the dispatcher's timers and the
 * events of a batch. Every hook runs on the engine thread; any may be NULL. */
struct engine_hooks {
    /* At start, before the first batch (loads the dispatcher's memory). */
    void (*start)(struct store *writer);
    /* Inside each batch, after its commands: fire what is due at now. */
    void (*tick)(struct store *writer, int64_t now);
    /* When the engine must wake next without commands (INT64_MAX: never). */
    int64_t (*next_deadline)(struct store *writer);
    /* After each batch: committed or not (events go out, or memory reloads). */
    void (*after_batch)(struct store *writer, bool committed);
    /* A counter of changes to the dispatcher's memory, read around each
     * command; when a command that changed memory is rolled back,
     * memory_undo rebuilds memory from the store (inside the batch). */
    unsigned long (*memory_mark)(void);
    void (*memory_undo)(struct store *writer);
    /* Inside a batch, before its commands, when another process changed
     * the database (cbd user, bp, team run meanwhile): re-read what memory
     * keeps of it. The engine looks at least once a second. */
    void (*outside_change)(struct store *writer, int64_t now);
};

/* Starts the engine thread; it takes ownership of writer. */
void engine_start(struct store *writer);
void engine_start_hooks(struct store *writer, const struct engine_hooks *hooks);
/* Queues a command; thread-safe. After engine_stop() the command fails at
 * once with STORE_ERROR (done() is called on the caller's thread). */
void engine_submit(struct engine_cmd *cmd);
/* Submits and waits for done(); for callers that may block (admin paths,
 * tests). done may be NULL. */
enum store_result engine_run_sync(struct engine_cmd *cmd);
/* Wakes the engine to look at its deadlines again (the test clock moved). */
void engine_kick(void);
/* Runs what is queued, stops the thread and closes the writer. */
void engine_stop(void);
/* Batches committed and commands run, for /metrics. */
void engine_counters(unsigned long long *batches, unsigned long long *commands);

#endif
