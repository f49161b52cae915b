/*
 * serverclock.h — the server's clock as the console sees it. Countdowns
 * (an offer's 30 seconds), "overdue", "in state for" and the form's "not in
 * the past" compare the server's instants with now; a PC whose clock is off
 * by minutes would show them wrong. Every reply's Date header (httpc.c)
 * gives the server's second; the console keeps the offset from its own
 * clock and serverclock_now() applies it. Offsets under 2 seconds are left
 * at 0: Date has a resolution of one second, and a steady local clock is
 * better than one that jumps by a second now and then.
 *
 * serverclock_observe() is called from the thread that runs the transfers;
 * serverclock_now() may be called from any thread.
 */
#ifndef CB_SERVERCLOCK_H
#define CB_SERVERCLOCK_H

#include <stdint.h>

/* A reply said the server's clock showed date (seconds since the epoch). */
void serverclock_observe(int64_t date);
/* Now on the server's clock, in seconds since the epoch. */
int64_t serverclock_now(void);
/* Seconds to add to the local clock (0 until a reply said otherwise). */
int64_t serverclock_offset(void);

#endif
