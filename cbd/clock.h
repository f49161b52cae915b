/*
 * clock.h — what time it is for cbd. Every rule that looks at the time asks
 * clock_now(). With the test clock (cbd serve --test-clock, refused unless
 * asked for) tests move time forward instead of sleeping: the offset is
 * added to the real time, so time still passes between steps.
 */
#ifndef CBD_CLOCK_H
#define CBD_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

/* Seconds since the epoch, UTC, test offset included. Thread-safe. */
int64_t clock_now(void);
/* Milliseconds of a monotonic clock, for latencies (never offset). */
int64_t clock_mono_ms(void);
void clock_enable_test(void);
bool clock_is_test(void);
/* Moves the test clock forward by seconds (>= 0). False when not enabled. */
bool clock_advance(int64_t seconds);

#endif
