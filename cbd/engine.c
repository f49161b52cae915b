/*
 * engine.c — the writer thread, its command queue and group commit (see
 * engine.h). The queue is a mutex-guarded singly linked list; the thread
 * swaps the whole list out at once, so a batch is everything that arrived
 * while the previous batch was being committed.
 */
#include "engine.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "clock.h"
#include "events.h"
#include "log.h"

static pthread_mutex_t engine_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t engine_wake = PTHREAD_COND_INITIALIZER;
static struct engine_cmd *engine_head, *engine_tail;
static bool engine_running, engine_stopping;
static pthread_t engine_thread;
static struct store *engine_writer;
static atomic_ullong engine_batches, engine_commands;
static struct engine_hooks engine_hooks;

/* Did another process change the database? (Asked before each batch and
 * once a second when idle; the engine's own commits do not count.) */
static bool engine_outside_changed(void)
{
    return engine_hooks.outside_change && store_changed_elsewhere(engine_writer);
}

static void engine_run_batch(struct engine_cmd *batch, bool outside)
{
    static bool pending; /* seen, not yet handled: the batch could not begin */
    bool tx = store_begin(engine_writer);
    pending = pending || outside || engine_outside_changed();
    if (tx && pending) {
        engine_hooks.outside_change(engine_writer, clock_now());
        pending = false;
    }
    for (struct engine_cmd *c = batch; c; c = c->next) {
        if (!tx) {
            c->result = STORE_ERROR;
            continue;
        }
        if (!store_savepoint(engine_writer)) {
            c->result = STORE_ERROR;
            continue;
        }
        size_t events = events_mark();
        unsigned long memory = engine_hooks.memory_mark ? engine_hooks.memory_mark() : 0;
        c->result = c->run(engine_writer, c);
        if (c->result == STORE_OK) {
            store_savepoint_release(engine_writer);
        } else {
            /* the command's changes are undone: so are its events, and the
             * dispatcher's memory if the command had touched it */
            store_savepoint_rollback(engine_writer);
            events_rollback_to(events);
            if (engine_hooks.memory_undo && engine_hooks.memory_mark &&
                engine_hooks.memory_mark() != memory)
                engine_hooks.memory_undo(engine_writer);
        }
    }
    if (tx && engine_hooks.tick)
        engine_hooks.tick(engine_writer, clock_now());
    bool committed = tx && store_commit(engine_writer);
    if (!committed) {
        log_error("engine: commit failed: %s", store_errmsg(engine_writer));
        store_rollback(engine_writer);
        for (struct engine_cmd *c = batch; c; c = c->next)
            c->result = STORE_ERROR;
    }
    if (engine_hooks.after_batch)
        engine_hooks.after_batch(engine_writer, committed);
    if (committed)
        events_commit();
    else
        events_discard();
    atomic_fetch_add(&engine_batches, 1);
    struct engine_cmd *next;
    for (struct engine_cmd *c = batch; c; c = next) {
        next = c->next; /* done() may free c */
        atomic_fetch_add(&engine_commands, 1);
        if (c->done)
            c->done(c);
    }
}

/* Waits for a command, the next deadline or a change made by another
 * process (*outside); true when there is work. Called with engine_lock
 * held. */
static bool engine_wait(bool *outside)
{
    *outside = false;
    while (engine_head == NULL && !engine_stopping) {
        int64_t due = engine_hooks.next_deadline ? engine_hooks.next_deadline(engine_writer)
                                                 : INT64_MAX;
        if (due == INT64_MAX && !engine_hooks.outside_change) {
            pthread_cond_wait(&engine_wake, &engine_lock);
            continue;
        }
        int64_t now = clock_now();
        if (due <= now)
            return true;
        /* clock_now() reaches `due` when the real clock reaches the start
         * of second due - offset; wait for that, a second at most (the test
         * clock may jump meanwhile, another process may commit;
         * engine_kick() also wakes us) */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        int64_t offset = now - (int64_t)ts.tv_sec;
        if (due != INT64_MAX && due - offset <= (int64_t)ts.tv_sec + 1) {
            ts.tv_sec = (time_t)(due - offset);
            ts.tv_nsec = 0;
        } else {
            ts.tv_sec += 1;
        }
        if (pthread_cond_timedwait(&engine_wake, &engine_lock, &ts) == ETIMEDOUT &&
            engine_head == NULL) {
            if (clock_now() >= due)
                return true;
            if (engine_outside_changed())
                return *outside = true;
        }
    }
    return engine_head != NULL;
}

static void *engine_main(void *arg)
{
    (void)arg;
    /* where the database is before the start hook reads it: a commit made
     * meanwhile is then seen as a change */
    if (engine_hooks.outside_change)
        store_changed_elsewhere(engine_writer);
    if (engine_hooks.start)
        engine_hooks.start(engine_writer);
    pthread_mutex_lock(&engine_lock);
    for (;;) {
        bool outside;
        bool work = engine_wait(&outside);
        if (!work && engine_stopping)
            break;
        struct engine_cmd *batch = engine_head;
        engine_head = engine_tail = NULL;
        pthread_mutex_unlock(&engine_lock);
        engine_run_batch(batch, outside); /* an empty batch runs the timers alone */
        pthread_mutex_lock(&engine_lock);
    }
    pthread_mutex_unlock(&engine_lock);
    return NULL;
}

void engine_start_hooks(struct store *writer, const struct engine_hooks *hooks)
{
    engine_hooks = *hooks;
    engine_start(writer);
}

void engine_start(struct store *writer)
{
    engine_writer = writer;
    engine_stopping = false;
    engine_running = true;
    pthread_create(&engine_thread, NULL, engine_main, NULL);
}

void engine_submit(struct engine_cmd *cmd)
{
    cmd->next = NULL;
    pthread_mutex_lock(&engine_lock);
    if (!engine_running || engine_stopping) {
        pthread_mutex_unlock(&engine_lock);
        cmd->result = STORE_ERROR;
        if (cmd->done)
            cmd->done(cmd);
        return;
    }
    if (engine_tail)
        engine_tail->next = cmd;
    else
        engine_head = cmd;
    engine_tail = cmd;
    pthread_cond_signal(&engine_wake);
    pthread_mutex_unlock(&engine_lock);
}

struct engine_sync {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool finished;
    void (*done)(struct engine_cmd *);
    void *ctx;
};

static void engine_sync_done(struct engine_cmd *cmd)
{
    struct engine_sync *sync = cmd->ctx;
    cmd->ctx = sync->ctx;
    if (sync->done)
        sync->done(cmd);
    pthread_mutex_lock(&sync->lock);
    sync->finished = true;
    pthread_cond_signal(&sync->cond);
    pthread_mutex_unlock(&sync->lock);
}

enum store_result engine_run_sync(struct engine_cmd *cmd)
{
    struct engine_sync sync = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false,
                               cmd->done, cmd->ctx};
    cmd->done = engine_sync_done;
    cmd->ctx = &sync;
    engine_submit(cmd);
    pthread_mutex_lock(&sync.lock);
    while (!sync.finished)
        pthread_cond_wait(&sync.cond, &sync.lock);
    pthread_mutex_unlock(&sync.lock);
    cmd->done = sync.done;
    return cmd->result;
}

void engine_kick(void)
{
    pthread_mutex_lock(&engine_lock);
    pthread_cond_signal(&engine_wake);
    pthread_mutex_unlock(&engine_lock);
}

void engine_stop(void)
{
    pthread_mutex_lock(&engine_lock);
    if (!engine_running) {
        pthread_mutex_unlock(&engine_lock);
        return;
    }
    engine_stopping = true;
    pthread_cond_signal(&engine_wake);
    pthread_mutex_unlock(&engine_lock);
    pthread_join(engine_thread, NULL);
    engine_running = false;
    store_close(engine_writer);
    engine_writer = NULL;
}

void engine_counters(unsigned long long *batches, unsigned long long *commands)
{
    *batches = atomic_load(&engine_batches);
    *commands = atomic_load(&engine_commands);
}
