/*
 * serverclock.h — the server's clock as the console sees it. Countdowns
 * (an offer's 30 seconds), "overdue", "in state for" and the form's "not in
 * the past" compare the server's instants with now; a PC whose clock is off
 * by minutes would show them wrong. Every reply's Date header (httpc.c)
 * gives the server's second; the console keeps where the server's clock is
 * against its monotonic clock and serverclock_now() reads it. A difference
 * under 2 seconds from the PC's own clock is ignored: Date has a resolution
 * of one second, and a steady local clock is better than one that jumps by
 * a second now and then.
 *
 * serverclock_observe() is called from the thread that runs the transfers;
 * serverclock_now() may be called from any thread.
 */
#ifndef CB_SERVERCLOCK_H
#define CB_SERVERCLOCK_H

#include <stdint.h>

/* A reply said the server's clock showed date (seconds since the epoch). */
void serverclock_observe(int64_t date);
/* Now on the server's clock, in seconds since the epoch (the PC's clock
 * until a reply said otherwise, or while the two differ by under 2 s). */
int64_t serverclock_now(void);

#endif
