/*
 * events.h — live events for the consoles (GET /api/v1/events, Server-Sent
 * Events; DESIGN.md §5 and §9).
 *
 * The engine thread queues events while it runs a batch (events_queue) and,
 * once the batch has committed, publishes them (events_commit) — or drops
 * them when the batch failed (events_discard), so no console ever hears of
 * a change that did not happen. Published events go into a ring of recent
 * events with increasing ids "BOOT-SEQ"; each stream is suspended until
 * there is something new for it and receives only the events whose
 * audience includes its user. A stream that resumes with a Last-Event-ID
 * still in the ring gets everything after it; one whose id is from another
 * boot or has fallen out of the ring gets a `reset` event and reloads.
 *
 * A stream lives as long as the token it was opened with: when that token
 * is revoked (POST /logout), its user disabled, left without a session or
 * given another role (admin commands while serving), the engine ends the
 * stream (events_end_token, events_end_user, events_end_revoked): it sends
 * nothing more and its connection is closed; the console reconnects and
 * gets 401.
 *
 * events_queue, _commit, _discard, _mark, _rollback_to and the events_end_
 * functions are called on the engine thread only; events_init and
 * events_shutdown by `cbd serve` around the HTTP server; events_streams and
 * the route from any thread.
 *
 * On the wire (events.c has the details): a stream starts with the comment
 * ": ok BOOT-SEQ", the id after which it continues; then "id: BOOT-SEQ",
 * "event: TYPE", "data: JSON" frames; ": hb" comments every 15 s of silence
 * (CBD_HEARTBEAT_S overrides, for tests). Last-Event-ID (header, or
 * ?last_event_id= for EventSource reconnects) resumes; an id that cannot be
 * resumed gives "event: reset" with data {"reason": "restarted" | "too_old" |
 * "unknown_id" | "malformed_id" | "overrun"} and the id of now.
 */
#ifndef CBD_EVENTS_H
#define CBD_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http.h"

enum event_type {
    EVENT_OFFER,    /* a callback offered to one agent: the callback object */
    EVENT_CALLBACK, /* a callback changed: the callback object */
    EVENT_PRESENCE, /* an agent's presence: {agent_id, presence, holding, wrap_up_until, at} */
    EVENT_STATS,    /* one row of GET /stats */
    EVENT_BP,       /* a business process changed: the BP object */
};

#define EVENT_MAX_AGENTS 8
#define EVENT_MAX_TEAMS 8

/* Who receives an event. Supervisors and admins receive what is marked for
 * supervisors; an agent receives what names them or one of their teams. */
struct event_audience {
    bool supervisors;
    bool everyone; /* every stream (a BP change) */
    int64_t agents[EVENT_MAX_AGENTS];
    int nagents;
    int64_t teams[EVENT_MAX_TEAMS];
    int nteams;
};

/* Starts the ring; boot is this run's number (meta "boot"). */
void events_init(long long boot, unsigned ring_size);
/* Queues an event until the batch commits; takes ownership of data (JSON
 * text, heap-allocated). */
void events_queue(enum event_type type, const struct event_audience *to, char *data);
/* Publishes what was queued and wakes the streams that need it. */
void events_commit(void);
/* Drops the events queued (the batch failed); the ends queued are still
 * carried out (below). */
void events_discard(void);
/* For a command's savepoint: events_mark() before the command runs, and
 * events_rollback_to(mark) when its savepoint is rolled back, so the events
 * it queued are dropped with its changes. */
size_t events_mark(void);
void events_rollback_to(size_t mark);
/* Ending the streams of revoked tokens. Like events_queue, an end is
 * queued with the batch and carried out when it commits (events_commit),
 * before the batch's events are published: an ended stream receives no
 * event committed in that batch or later, writes nothing more (not even
 * what it had not yet sent) and its connection is closed. A command rolled
 * back to its savepoint drops its ends with its events (events_rollback_to);
 * a batch that fails to commit still carries its ends out (events_discard):
 * a stream ended in vain costs its console a reconnect, which its token
 * then decides, while one kept open might show what it no longer may see. */
/* The streams opened with the token of this hash, which is copied (POST
 * /logout). */
void events_end_token(const unsigned char hash[32]);
/* Every stream of a user (disabled, no session left, no longer an agent). */
void events_end_user(int64_t user_id);
/* After another process's commit (cbd user passwd, user set --disabled or
 * --role): looks every open stream's token up in w and ends the streams
 * whose token is gone, whose user is disabled, or whose user no longer has
 * the role the stream was opened with (agent; supervisor or admin; service). */
void events_end_revoked(struct store *w);
/* Ends every stream (shutdown, before http_stop) and refuses new ones; any
 * thread. */
void events_shutdown(void);
/* Open streams, for /metrics. */
unsigned events_streams(void);

/* GET /api/v1/events. */
void route_events(struct http_request *req);

#endif
