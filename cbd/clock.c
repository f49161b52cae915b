/*
 * clock.c — real time plus the test clock's offset (see clock.h). The
 * offset only grows, and only when the test clock was enabled at start.
 */
#include "clock.h"

#include <stdatomic.h>
#include <time.h>

static atomic_bool clock_test_enabled;
static atomic_llong clock_offset;

int64_t clock_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec + atomic_load(&clock_offset);
}

int64_t clock_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void clock_enable_test(void)
{
    atomic_store(&clock_test_enabled, true);
}

bool clock_is_test(void)
{
    return atomic_load(&clock_test_enabled);
}

bool clock_advance(int64_t seconds)
{
    if (!atomic_load(&clock_test_enabled) || seconds < 0)
        return false;
    atomic_fetch_add(&clock_offset, seconds);
    return true;
}
