/*
 * serverclock.c — the offset of the server's clock (see serverclock.h).
 * A Date header says the server's second, floor(server time); taken at
 * local time l, date - l lies in (D - 1 - latency, D] for the true offset D.
 * The largest of the recent samples is therefore the closest from below;
 * it is rounded to whole seconds. The samples belong to the transfer
 * thread; the offset is atomic for readers on other threads.
 */
#include "serverclock.h"

#include <math.h>
#include <stdatomic.h>
#include <time.h>

#define SERVERCLOCK_SAMPLES 8

static double serverclock_samples[SERVERCLOCK_SAMPLES];
static int serverclock_count, serverclock_next;
static _Atomic int64_t serverclock_offset_s;

void serverclock_observe(int64_t date)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    double local = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
    serverclock_samples[serverclock_next] = (double)date - local;
    serverclock_next = (serverclock_next + 1) % SERVERCLOCK_SAMPLES;
    if (serverclock_count < SERVERCLOCK_SAMPLES)
        serverclock_count++;
    double best = serverclock_samples[0];
    for (int i = 1; i < serverclock_count; i++)
        if (serverclock_samples[i] > best)
            best = serverclock_samples[i];
    int64_t off = (int64_t)llround(best);
    if (off > -2 && off < 2)
        off = 0;
    atomic_store(&serverclock_offset_s, off);
}

int64_t serverclock_offset(void)
{
    return atomic_load(&serverclock_offset_s);
}

int64_t serverclock_now(void)
{
    return (int64_t)time(NULL) + serverclock_offset();
}
