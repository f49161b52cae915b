/*
 * timefmt.h — instants as a console user reads them: in their own zone
 * (the process's local time), and in the customer's zone when that shows a
 * different clock. Text goes into the caller's buffers.
 */
#ifndef CB_TIMEFMT_H
#define CB_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

/* "14:30" today, "Tue 14:30" within a week, "Nov 30 14:30" later or
 * before, in the agent's zone. */
void timefmt_agent(int64_t t, char *out, size_t size);
/* "HH:MM" in the agent's zone. */
void timefmt_clock(int64_t t, char *out, size_t size);
/* The same instant in zone tz as "14:30 America/New_York" when its clock
 * differs from the agent's, else "". */
void timefmt_customer(int64_t t, const char *tz, char *out, size_t size);
/* A duration as "m:ss" or "h:mm:ss"; negative shows as 0:00. */
void timefmt_span(int64_t seconds, char *out, size_t size);

#endif
