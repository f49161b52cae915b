/*
 * worker.c — the slow-work thread pool (see worker.h): a FIFO of jobs under
 * one mutex, taken by a fixed number of threads.
 */
#include "worker.h"

#include <pthread.h>
#include <stdbool.h>

#include "xalloc.h"

#define WORKER_MAX 16

static pthread_mutex_t worker_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t worker_wake = PTHREAD_COND_INITIALIZER;
static struct worker_job *worker_head, *worker_tail;
static pthread_t worker_threads[WORKER_MAX];
static unsigned worker_count;
static bool worker_stopping;

static void *worker_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&worker_lock);
    for (;;) {
        while (worker_head == NULL && !worker_stopping)
            pthread_cond_wait(&worker_wake, &worker_lock);
        struct worker_job *job = worker_head;
        if (job == NULL)
            break;
        worker_head = job->next;
        if (worker_head == NULL)
            worker_tail = NULL;
        pthread_mutex_unlock(&worker_lock);
        job->run(job);
        pthread_mutex_lock(&worker_lock);
    }
    pthread_mutex_unlock(&worker_lock);
    return NULL;
}

void worker_start(unsigned threads)
{
    worker_stopping = false;
    worker_count = threads < 1 ? 1 : threads > WORKER_MAX ? WORKER_MAX : threads;
    for (unsigned i = 0; i < worker_count; i++)
        pthread_create(&worker_threads[i], NULL, worker_main, NULL);
}

void worker_submit(struct worker_job *job)
{
    job->next = NULL;
    pthread_mutex_lock(&worker_lock);
    if (worker_count == 0 || worker_stopping) {
        pthread_mutex_unlock(&worker_lock);
        job->run(job);
        return;
    }
    if (worker_tail)
        worker_tail->next = job;
    else
        worker_head = job;
    worker_tail = job;
    pthread_cond_signal(&worker_wake);
    pthread_mutex_unlock(&worker_lock);
}

void worker_stop(void)
{
    pthread_mutex_lock(&worker_lock);
    worker_stopping = true;
    pthread_cond_broadcast(&worker_wake);
    pthread_mutex_unlock(&worker_lock);
    for (unsigned i = 0; i < worker_count; i++)
        pthread_join(worker_threads[i], NULL);
    worker_count = 0;
}
