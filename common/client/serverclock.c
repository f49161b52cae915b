/*
 * serverclock.c — the server's clock as the console estimates it (see
 * serverclock.h). A Date header says the server's second, floor(server
 * time); received at monotonic time m, date - m lies in (S - 1 - latency, S]
 * where S is the server's clock minus the monotonic clock, a constant while
 * neither is stepped. The largest of the recent samples is therefore the
 * closest from below. Samples are taken against the monotonic clock, so a
 * step of the PC's own clock (an NTP correction, a user setting the time)
 * changes nothing in them: serverclock_now() compares the estimate with the
 * PC's clock at each call. The samples belong to the transfer thread; the
 * estimate is atomic for readers on other threads.
 */
#include "serverclock.h"

#include <math.h>
#include <stdatomic.h>
#include <time.h>

#define SERVERCLOCK_SAMPLES 8
#define SERVERCLOCK_NONE INT64_MIN

static double serverclock_samples[SERVERCLOCK_SAMPLES];
static int serverclock_count, serverclock_next;
/* the largest sample, in microseconds: server time = monotonic time + this */
static _Atomic int64_t serverclock_best_us = SERVERCLOCK_NONE;

static double serverclock_seconds(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void serverclock_observe(int64_t date)
{
    serverclock_samples[serverclock_next] = (double)date - serverclock_seconds(CLOCK_MONOTONIC);
    serverclock_next = (serverclock_next + 1) % SERVERCLOCK_SAMPLES;
    if (serverclock_count < SERVERCLOCK_SAMPLES)
        serverclock_count++;
    double best = serverclock_samples[0];
    for (int i = 1; i < serverclock_count; i++)
        if (serverclock_samples[i] > best)
            best = serverclock_samples[i];
    atomic_store(&serverclock_best_us, (int64_t)llround(best * 1e6));
}

int64_t serverclock_now(void)
{
    int64_t best = atomic_load(&serverclock_best_us);
    double local = serverclock_seconds(CLOCK_REALTIME);
    if (best == SERVERCLOCK_NONE)
        return (int64_t)floor(local);
    double server = serverclock_seconds(CLOCK_MONOTONIC) + (double)best / 1e6;
    /* within the resolution of Date, the PC's clock is the steadier one */
    if (fabs(server - local) < 2.0)
        return (int64_t)floor(local);
    return (int64_t)floor(server);
}
