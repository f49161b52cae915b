/*
 * worker.h — a small pool of threads for slow work that must not run on
 * the engine thread or stall an HTTP thread: Argon2id password hashing
 * (~60 ms and 64 MiB each). A job is owned by its submitter and must stay
 * alive until its run() has returned; run() does the work and whatever
 * comes next (submitting to the engine, resuming a request).
 */
#ifndef CBD_WORKER_H
#define CBD_WORKER_H

struct worker_job {
    void (*run)(struct worker_job *job);
    void *ctx;
    struct worker_job *next;
};

void worker_start(unsigned threads);
/* Queues a job; thread-safe. After worker_stop() it runs on the caller. */
void worker_submit(struct worker_job *job);
/* Runs what is queued and joins the threads. */
void worker_stop(void);

#endif
