/*
 * events.c — live events (see events.h): the ring of published events, the
 * event streams of GET /api/v1/events, and the heartbeat thread.
 *
 * The ring. An array of ring_size pointers; event seq lives in slot
 * seq % ring_size, so the ring holds seqs (last - count, last] and a new
 * event frees the one it replaces. Each entry is one allocation holding its
 * audience and the whole SSE frame ("id: B-S\nevent: T\ndata: J\n\n"),
 * formatted once on the engine thread and copied to every stream that may
 * see it.
 *
 * A stream is small (struct events_stream, ~150 bytes plus 32 per team of an
 * agent) and keeps no buffer: it remembers the seq of the next event it has
 * not looked at and how many bytes of the current frame it has written. The
 * content reader copies what the stream may see straight into
 * libmicrohttpd's write buffer; when there is nothing, it suspends the
 * connection (allowed from a content reader, microhttpd.h) and files the
 * stream in the indexes of suspended streams:
 *   - events_idle: every suspended stream, oldest first (heartbeats and
 *     events for everyone);
 *   - events_sups: suspended supervisors and admins;
 *   - events_agents[hash(user)]: suspended agents;
 *   - events_teams[hash(team)]: one link per team of a suspended agent.
 * events_commit resumes only the streams an event's audience names, looked
 * up in these indexes. The heartbeat thread resumes streams suspended for
 * the heartbeat interval, which then write ": hb". Connections are resumed
 * outside the lock: a stream taken out of the indexes is suspended and
 * nobody else holds it, so libmicrohttpd cannot free it meanwhile. Each
 * resume is a system call (libmicrohttpd's wake-up pipe), so when an event
 * wakes more than EVENTS_INLINE_RESUME streams the engine hands the list to
 * the heartbeat thread instead of resuming 10,000 connections itself.
 *
 * The wire. The first bytes of a stream are the comment ": ok B-S", the
 * position after which it continues (the newest event without
 * Last-Event-ID; the given id when resuming). An id from another boot, one
 * older than the ring, one not yet issued or a malformed one makes the next
 * thing an "event: reset" with data {"reason": ...} and id B-S of now; a
 * stream that falls a whole ring behind its client gets the same. Then the
 * events, and ": hb" after every heartbeat interval without anything
 * (CBD_HEARTBEAT_S in the environment, default 15 s, read at start).
 *
 * Hang-ups. libmicrohttpd does not watch a suspended connection, so a
 * console that goes away while idle would only be noticed at its next
 * heartbeat — and the agent's disconnect grace would start up to a
 * heartbeat late. So every suspended stream's socket is also in an epoll
 * set waiting for the peer's hang-up (EPOLLRDHUP); the hang-up thread
 * resumes such a stream at once, and libmicrohttpd then sees the closed
 * socket. The epoll entries carry a serial number, looked up under the lock
 * in events_hup (serial → stream), so a stream resumed and freed meanwhile
 * is never touched.
 *
 * Revoked tokens. A stream keeps the hash of the token it was opened with
 * and is linked in events_all (every open stream, suspended or not) from
 * the route until libmicrohttpd frees it. The engine queues ends with a
 * batch, by token hash or by user (events_end_revoked, after another
 * process's commit, looks every open stream's token up in the store and
 * queues the ones that no longer hold). events_commit sorts them and, under
 * the lock and before the batch's events go into the ring, marks each
 * matching stream ended and takes the suspended ones out of the indexes to
 * be resumed, as a hung-up one is. An ended stream's next read ends it and
 * libmicrohttpd closes the connection: a stream being written stops at its
 * next piece (a frame cut short is dropped by SSE clients). A stream being
 * opened is not in events_all yet while its token, looked up before the
 * route ran, may be revoked; so events_ended_ms says when ends were last
 * carried out or tokens last checked, and a stream whose request began no
 * later looks its token up again in a fresh snapshot before it starts (401
 * when it no longer holds). While nothing is revoked this costs 48 bytes
 * per stream, a flag test per read and a comparison per stream opened.
 *
 * Locking: one mutex (events_lock) over the ring, the indexes, events_all
 * and every stream's fields; held for copies, list edits and the scan of
 * events_all for ends only (the store is read outside it).
 */
#include "events.h"

#include <microhttpd.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <unistd.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "conf.h"
#include "dispatch.h"
#include "engine.h"
#include "log.h"
#include "store.h"
#include "xalloc.h"

#define EVENTS_RING_DEFAULT 65536u
#define EVENTS_HB_DEFAULT_S 15
#define EVENTS_BUCKETS 1024u /* power of two */
#define EVENTS_BLOCK 64     /* libmicrohttpd's buffer for HTTP/1.0 (chunked uses its own) */
#define EVENTS_HB_SLACK_MS 250
#define EVENTS_INLINE_RESUME 32 /* more are resumed by the heartbeat thread */

/* ---- the ring ------------------------------------------------------------ */

struct events_entry {
    uint64_t seq;
    size_t len;       /* of the frame */
    bool supervisors;
    bool everyone;
    uint8_t nagents, nteams;
    char *frame;      /* points after ids[] */
    int64_t ids[];    /* nagents agent ids, then nteams team ids */
};

/* What a batch queued: an event, or streams to end. */
enum events_item { EVENTS_ITEM_EVENT, EVENTS_ITEM_END_TOKEN, EVENTS_ITEM_END_USER };

struct events_pending {
    enum events_item item;
    enum event_type type;     /* an event: */
    struct event_audience to;
    char *data;               /* owned until the entry is made, or freed */
    int64_t user_id;          /* EVENTS_ITEM_END_USER */
    unsigned char token[32];  /* EVENTS_ITEM_END_TOKEN: the hash */
};

static pthread_mutex_t events_lock = PTHREAD_MUTEX_INITIALIZER;
static struct events_entry **events_ring; /* NULL before init and after shutdown */
static unsigned events_ring_size;
static uint64_t events_last_seq; /* written by the engine thread under the lock */
static long long events_boot;
static bool events_closing;
static atomic_uint events_open;

/* engine thread only */
static struct events_pending *events_queue_items;
static size_t events_queue_len, events_queue_cap;
static size_t events_queue_ends; /* how many of the items are ends */
static struct MHD_Connection **events_wake_conns;
static size_t events_wake_cap;

static const char *const events_type_names[] = {
    [EVENT_OFFER] = "offer",     [EVENT_CALLBACK] = "callback", [EVENT_PRESENCE] = "presence",
    [EVENT_STATS] = "stats",     [EVENT_BP] = "bp",
};

/* The oldest seq still in the ring (last + 1 when empty). */
static uint64_t events_oldest(void)
{
    uint64_t count = events_last_seq < events_ring_size ? events_last_seq : events_ring_size;
    return events_last_seq - count + 1;
}

/* ---- intrusive lists ----------------------------------------------------- */

struct events_link {
    struct events_link *prev, *next;
};

static void events_list_init(struct events_link *l)
{
    l->prev = l->next = l;
}

static bool events_list_empty(const struct events_link *head)
{
    return head->next == head;
}

static void events_list_append(struct events_link *head, struct events_link *l)
{
    l->prev = head->prev;
    l->next = head;
    head->prev->next = l;
    head->prev = l;
}

/* Unlinks l; a node that is not in a list (linked to itself) stays so. */
static void events_list_del(struct events_link *l)
{
    l->prev->next = l->next;
    l->next->prev = l->prev;
    l->prev = l->next = l;
}

#define EVENTS_OF(ptr, type, member) ((type *)(void *)((char *)(ptr) - offsetof(type, member)))

/* ---- streams ------------------------------------------------------------- */

enum events_kind { EVENTS_KIND_OTHER, EVENTS_KIND_SUPERVISOR, EVENTS_KIND_AGENT };
/* What the stream writes next: the ": ok" line, a reset event, events, a
 * heartbeat comment. */
enum events_phase { EVENTS_PHASE_OK, EVENTS_PHASE_RESET, EVENTS_PHASE_LIVE, EVENTS_PHASE_HB };
enum events_reset {
    EVENTS_RESET_NONE,
    EVENTS_RESET_RESTARTED,
    EVENTS_RESET_TOO_OLD,
    EVENTS_RESET_UNKNOWN,
    EVENTS_RESET_MALFORMED,
    EVENTS_RESET_OVERRUN,
};
static const char *const events_reset_reasons[] = {
    [EVENTS_RESET_NONE] = "",
    [EVENTS_RESET_RESTARTED] = "restarted",
    [EVENTS_RESET_TOO_OLD] = "too_old",
    [EVENTS_RESET_UNKNOWN] = "unknown_id",
    [EVENTS_RESET_MALFORMED] = "malformed_id",
    [EVENTS_RESET_OVERRUN] = "overrun",
};

struct events_stream;

struct events_team {
    struct events_link link; /* in events_teams[] while suspended */
    int64_t team;
    struct events_stream *stream;
};

struct events_stream {
    struct events_link idle; /* in events_idle while suspended */
    struct events_link who;  /* in events_sups or events_agents[] while suspended */
    struct MHD_Connection *conn;
    struct events_team *teams;
    int64_t user_id;
    int64_t idle_since_ms;
    uint64_t next_seq; /* the next event to look at */
    uint32_t offset;   /* bytes of the current piece already written */
    uint16_t nteams;
    uint8_t kind, phase, reset;
    bool suspended;
    bool hb_due;
    bool hung_up;    /* the peer went away while suspended: end the stream */
    bool ended;      /* its token was revoked: write nothing more, end the stream */
    int fd;          /* the connection's socket, watched for hang-ups while suspended */
    uint64_t serial; /* its key in events_hup */
    /* last, out of the way of what every event and read touches: */
    struct events_link all;  /* in events_all while open */
    unsigned char token[32]; /* the hash of the token it was opened with */
};

static struct events_link events_idle, events_sups;
/* every open stream, and how many (ends look them all up) */
static struct events_link events_all;
static size_t events_all_len;
/* clock_mono_ms() when streams were last ended or tokens last checked: a
 * stream whose request began no later looks its token up again */
static int64_t events_ended_ms = INT64_MIN;
static struct events_link events_agents[EVENTS_BUCKETS], events_teams[EVENTS_BUCKETS];

/* ---- hang-ups: serial → suspended stream (lock held) ---------------------- */

static int events_epfd = -1;
static uint64_t events_serial;
static struct events_stream **events_hup; /* open addressing on serial */
static size_t events_hup_cap, events_hup_used;
#define EVENTS_HUP_GONE ((struct events_stream *)1)

static size_t events_hup_slot(uint64_t serial)
{
    return (size_t)((serial * 0x9E3779B97F4A7C15ull) >> 24) & (events_hup_cap - 1);
}

static void events_hup_put(struct events_stream *s);

static void events_hup_grow(void)
{
    struct events_stream **old = events_hup;
    size_t old_cap = events_hup_cap;
    events_hup_cap = old_cap ? old_cap * 2 : 1024;
    events_hup = xcalloc(events_hup_cap, sizeof *events_hup);
    events_hup_used = 0;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i] && old[i] != EVENTS_HUP_GONE)
            events_hup_put(old[i]);
    free(old);
}

static void events_hup_put(struct events_stream *s)
{
    if ((events_hup_used + 1) * 2 > events_hup_cap)
        events_hup_grow();
    size_t i = events_hup_slot(s->serial);
    while (events_hup[i] && events_hup[i] != EVENTS_HUP_GONE)
        i = (i + 1) & (events_hup_cap - 1);
    if (events_hup[i] == NULL)
        events_hup_used++;
    events_hup[i] = s;
}

static struct events_stream **events_hup_find(uint64_t serial)
{
    if (events_hup_cap == 0)
        return NULL;
    size_t i = events_hup_slot(serial);
    while (events_hup[i]) {
        if (events_hup[i] != EVENTS_HUP_GONE && events_hup[i]->serial == serial)
            return &events_hup[i];
        i = (i + 1) & (events_hup_cap - 1);
    }
    return NULL;
}

/* Starts / stops watching a suspended stream's socket (lock held). */
static void events_hup_watch(struct events_stream *s)
{
    if (events_epfd < 0 || s->fd < 0)
        return;
    s->serial = ++events_serial;
    struct epoll_event ev = {.events = EPOLLRDHUP | EPOLLHUP | EPOLLERR | EPOLLONESHOT,
                             .data.u64 = s->serial};
    if (epoll_ctl(events_epfd, EPOLL_CTL_ADD, s->fd, &ev) == 0)
        events_hup_put(s);
    else
        s->serial = 0;
}

static void events_hup_unwatch(struct events_stream *s)
{
    if (s->serial == 0)
        return;
    epoll_ctl(events_epfd, EPOLL_CTL_DEL, s->fd, NULL);
    struct events_stream **slot = events_hup_find(s->serial);
    if (slot)
        *slot = EVENTS_HUP_GONE;
    s->serial = 0;
}

static size_t events_hash(int64_t id)
{
    return (size_t)(((uint64_t)id * 0x9E3779B97F4A7C15ull) >> 32) & (EVENTS_BUCKETS - 1);
}

static bool events_visible(const struct events_stream *s, const struct events_entry *e)
{
    if (e->everyone)
        return true;
    if (s->kind == EVENTS_KIND_SUPERVISOR)
        return e->supervisors;
    if (s->kind != EVENTS_KIND_AGENT)
        return false;
    for (int i = 0; i < e->nagents; i++)
        if (e->ids[i] == s->user_id)
            return true;
    for (int i = 0; i < e->nteams; i++)
        for (int k = 0; k < s->nteams; k++)
            if (e->ids[e->nagents + i] == s->teams[k].team)
                return true;
    return false;
}

/* Files a stream as suspended (lock held). */
static void events_park(struct events_stream *s)
{
    s->suspended = true;
    s->hb_due = false;
    s->idle_since_ms = clock_mono_ms();
    events_list_append(&events_idle, &s->idle);
    if (s->kind == EVENTS_KIND_SUPERVISOR)
        events_list_append(&events_sups, &s->who);
    else if (s->kind == EVENTS_KIND_AGENT) {
        events_list_append(&events_agents[events_hash(s->user_id)], &s->who);
        for (int i = 0; i < s->nteams; i++)
            events_list_append(&events_teams[events_hash(s->teams[i].team)], &s->teams[i].link);
    }
    events_hup_watch(s);
}

/* Takes a suspended stream out of the indexes (lock held); the caller
 * resumes its connection. */
static void events_unpark(struct events_stream *s)
{
    events_list_del(&s->idle);
    events_list_del(&s->who);
    for (int i = 0; i < s->nteams; i++)
        events_list_del(&s->teams[i].link);
    s->suspended = false;
    events_hup_unwatch(s);
}

/* Collects the connections to resume into a growable array. */
struct events_wake {
    struct MHD_Connection **conns;
    size_t len, cap;
};

/* Takes s out of the indexes to be resumed, reading from seq `from` on.
 * Every event published while s was suspended either woke it or was not
 * for it, so a stream woken by event S skips straight to S, and one woken
 * by the heartbeat to the end: it never scans, nor loses its place to, the
 * events of others that the ring dropped meanwhile. */
static void events_wake_add(struct events_wake *w, struct events_stream *s, uint64_t from)
{
    if (!s->suspended)
        return;
    events_unpark(s);
    if (from > s->next_seq)
        s->next_seq = from;
    if (w->len == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 64;
        w->conns = xrealloc(w->conns, w->cap * sizeof *w->conns);
    }
    w->conns[w->len++] = s->conn;
}

static void events_wake_list(struct events_wake *w, struct events_link *head, size_t member,
                             uint64_t from)
{
    while (!events_list_empty(head))
        events_wake_add(w, (struct events_stream *)(void *)((char *)head->next - member), from);
}

static void events_resume_all(struct MHD_Connection **conns, size_t n)
{
    for (size_t i = 0; i < n; i++)
        MHD_resume_connection(conns[i]);
}

/* ---- the heartbeat thread ------------------------------------------------ */

static pthread_t events_hb_thread;
static pthread_cond_t events_hb_cond;
static bool events_hb_running, events_hb_stop;
static int64_t events_hb_ms = EVENTS_HB_DEFAULT_S * 1000;
/* Connections the engine found for an event with a large audience: the
 * heartbeat thread resumes them, so the engine thread does not spend a
 * system call per stream (lock held). */
static struct events_wake events_handoff;

/* Moves w's connections to events_handoff (lock held). */
static void events_handoff_add(struct events_wake *w)
{
    if (events_handoff.len + w->len > events_handoff.cap) {
        events_handoff.cap = (events_handoff.len + w->len) * 2;
        events_handoff.conns = xrealloc(events_handoff.conns,
                                        events_handoff.cap * sizeof *events_handoff.conns);
    }
    memcpy(events_handoff.conns + events_handoff.len, w->conns, w->len * sizeof *w->conns);
    events_handoff.len += w->len;
    w->len = 0;
    pthread_cond_signal(&events_hb_cond);
}

static void *events_hb_main(void *arg)
{
    (void)arg;
    struct events_wake w = {0};
    pthread_mutex_lock(&events_lock);
    while (!events_hb_stop) {
        int64_t now = clock_mono_ms();
        w.len = 0;
        if (events_handoff.len > 0) {
            struct events_wake mine = events_handoff;
            events_handoff = w;
            w = mine;
            pthread_mutex_unlock(&events_lock);
            events_resume_all(w.conns, w.len);
            pthread_mutex_lock(&events_lock);
            continue;
        }
        while (!events_list_empty(&events_idle)) {
            struct events_stream *s = EVENTS_OF(events_idle.next, struct events_stream, idle);
            if (s->idle_since_ms + events_hb_ms - EVENTS_HB_SLACK_MS > now)
                break;
            events_wake_add(&w, s, events_last_seq + 1);
            s->hb_due = true;
        }
        if (w.len > 0) {
            pthread_mutex_unlock(&events_lock);
            events_resume_all(w.conns, w.len);
            pthread_mutex_lock(&events_lock);
            continue;
        }
        int64_t due = now + events_hb_ms;
        if (!events_list_empty(&events_idle))
            due = EVENTS_OF(events_idle.next, struct events_stream, idle)->idle_since_ms +
                  events_hb_ms;
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        int64_t wait_ms = due - now;
        ts.tv_sec += (time_t)(wait_ms / 1000);
        ts.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&events_hb_cond, &events_lock, &ts);
    }
    pthread_mutex_unlock(&events_lock);
    free(w.conns);
    return NULL;
}

/* ---- the hang-up thread ---------------------------------------------------- */

static pthread_t events_hup_thread;
static bool events_hup_running;

static void *events_hup_main(void *arg)
{
    (void)arg;
    struct epoll_event evs[64];
    struct events_wake w = {0};
    for (;;) {
        int n = epoll_wait(events_epfd, evs, 64, 500);
        pthread_mutex_lock(&events_lock);
        bool stop = events_hb_stop;
        w.len = 0;
        for (int i = 0; i < n; i++) {
            struct events_stream **slot = events_hup_find(evs[i].data.u64);
            if (slot && (*slot)->suspended) {
                (*slot)->hung_up = true;
                events_wake_add(&w, *slot, events_last_seq + 1);
            }
        }
        pthread_mutex_unlock(&events_lock);
        events_resume_all(w.conns, w.len);
        if (stop)
            break;
    }
    free(w.conns);
    return NULL;
}

/* ---- start and stop ------------------------------------------------------ */

void events_init(long long boot, unsigned ring_size)
{
    const char *hb = getenv("CBD_HEARTBEAT_S");
    if (hb && hb[0]) {
        int64_t n;
        const char *why;
        if (conf_parse_int(hb, 1, 3600, &n, &why))
            events_hb_ms = n * 1000;
        else
            log_warn("CBD_HEARTBEAT_S: %s; using %d s", why, EVENTS_HB_DEFAULT_S);
    }
    events_list_init(&events_idle);
    events_list_init(&events_sups);
    events_list_init(&events_all);
    events_all_len = 0;
    events_ended_ms = INT64_MIN;
    for (unsigned i = 0; i < EVENTS_BUCKETS; i++) {
        events_list_init(&events_agents[i]);
        events_list_init(&events_teams[i]);
    }
    pthread_mutex_lock(&events_lock);
    events_boot = boot;
    events_ring_size = ring_size ? ring_size : EVENTS_RING_DEFAULT;
    events_ring = xcalloc(events_ring_size, sizeof *events_ring);
    events_last_seq = 0;
    events_closing = false;
    events_hb_stop = false;
    pthread_mutex_unlock(&events_lock);

    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&events_hb_cond, &attr);
    pthread_condattr_destroy(&attr);
    events_hb_running = pthread_create(&events_hb_thread, NULL, events_hb_main, NULL) == 0;
    if (!events_hb_running)
        log_error("events: cannot start the heartbeat thread");
    events_epfd = epoll_create1(EPOLL_CLOEXEC);
    events_hup_running = events_epfd >= 0 &&
                         pthread_create(&events_hup_thread, NULL, events_hup_main, NULL) == 0;
    if (!events_hup_running)
        log_warn("events: no hang-up watcher; idle consoles that leave are noticed at the next "
                 "heartbeat");
}

void events_shutdown(void)
{
    struct events_wake w = {0};
    pthread_mutex_lock(&events_lock);
    if (events_ring == NULL) {
        pthread_mutex_unlock(&events_lock);
        return;
    }
    events_closing = true;
    events_hb_stop = true;
    events_wake_list(&w, &events_idle, offsetof(struct events_stream, idle), 0);
    struct events_entry **ring = events_ring;
    unsigned size = events_ring_size;
    events_ring = NULL;
    pthread_cond_signal(&events_hb_cond);
    pthread_mutex_unlock(&events_lock);
    events_resume_all(w.conns, w.len);
    free(w.conns);
    if (events_hb_running) {
        pthread_join(events_hb_thread, NULL);
        events_hb_running = false;
    }
    if (events_hup_running) {
        pthread_join(events_hup_thread, NULL); /* sees events_hb_stop within 0.5 s */
        events_hup_running = false;
    }
    if (events_epfd >= 0) {
        close(events_epfd);
        events_epfd = -1;
    }
    free(events_hup);
    events_hup = NULL;
    events_hup_cap = events_hup_used = 0;
    /* what the engine handed over and the thread did not get to (nothing
     * is handed over once the ring is gone) */
    events_resume_all(events_handoff.conns, events_handoff.len);
    free(events_handoff.conns);
    events_handoff = (struct events_wake){0};
    pthread_cond_destroy(&events_hb_cond);
    for (unsigned i = 0; i < size; i++)
        free(ring[i]);
    free(ring);
}

unsigned events_streams(void)
{
    return atomic_load(&events_open);
}

/* ---- publishing (engine thread) ------------------------------------------ */

/* A new item at the end of the queue; the caller fills the fields of its
 * kind. */
static struct events_pending *events_queue_push(enum events_item item)
{
    if (events_queue_len == events_queue_cap) {
        events_queue_cap = events_queue_cap ? events_queue_cap * 2 : 16;
        events_queue_items = xrealloc(events_queue_items,
                                      events_queue_cap * sizeof *events_queue_items);
    }
    struct events_pending *p = &events_queue_items[events_queue_len++];
    p->item = item;
    p->data = NULL;
    if (item != EVENTS_ITEM_EVENT)
        events_queue_ends++;
    return p;
}

void events_queue(enum event_type type, const struct event_audience *to, char *data)
{
    struct events_pending *p = events_queue_push(EVENTS_ITEM_EVENT);
    p->type = type;
    p->to = *to;
    if (p->to.nagents < 0 || p->to.nagents > EVENT_MAX_AGENTS)
        p->to.nagents = p->to.nagents < 0 ? 0 : EVENT_MAX_AGENTS;
    if (p->to.nteams < 0 || p->to.nteams > EVENT_MAX_TEAMS)
        p->to.nteams = p->to.nteams < 0 ? 0 : EVENT_MAX_TEAMS;
    p->data = data;
}

size_t events_mark(void)
{
    return events_queue_len;
}

void events_rollback_to(size_t mark)
{
    while (events_queue_len > mark) {
        struct events_pending *p = &events_queue_items[--events_queue_len];
        if (p->item != EVENTS_ITEM_EVENT)
            events_queue_ends--;
        free(p->data);
    }
}

/* The entry for p with id seq: audience and SSE frame in one block. A data
 * text with line breaks becomes several data: lines. */
static struct events_entry *events_entry_new(const struct events_pending *p, uint64_t seq)
{
    const char *data = p->data ? p->data : "null";
    size_t dlen = strlen(data), lines = 1;
    for (size_t i = 0; i < dlen; i++)
        lines += data[i] == '\n';
    char head[96];
    int hlen = snprintf(head, sizeof head, "id: %lld-%llu\nevent: %s\ndata: ", events_boot,
                        (unsigned long long)seq, events_type_names[p->type]);
    size_t nids = (size_t)p->to.nagents + (size_t)p->to.nteams;
    size_t cap = (size_t)hlen + dlen + lines * 6 + 2;
    struct events_entry *e = xmalloc(sizeof *e + nids * sizeof(int64_t) + cap + 1);
    e->seq = seq;
    e->supervisors = p->to.supervisors;
    e->everyone = p->to.everyone;
    e->nagents = (uint8_t)p->to.nagents;
    e->nteams = (uint8_t)p->to.nteams;
    memcpy(e->ids, p->to.agents, (size_t)p->to.nagents * sizeof(int64_t));
    memcpy(e->ids + p->to.nagents, p->to.teams, (size_t)p->to.nteams * sizeof(int64_t));
    e->frame = (char *)(e->ids + nids);
    char *o = e->frame;
    memcpy(o, head, (size_t)hlen);
    o += hlen;
    for (size_t i = 0; i < dlen; i++) {
        if (data[i] == '\r')
            continue;
        if (data[i] == '\n') {
            memcpy(o, "\ndata: ", 7);
            o += 7;
            continue;
        }
        *o++ = data[i];
    }
    *o++ = '\n';
    *o++ = '\n';
    *o = '\0';
    e->len = (size_t)(o - e->frame);
    return e;
}

/* Finds the suspended streams e is for (lock held). */
static void events_wake_for(struct events_wake *w, const struct events_entry *e)
{
    if (e->everyone) {
        events_wake_list(w, &events_idle, offsetof(struct events_stream, idle), e->seq);
        return;
    }
    if (e->supervisors)
        events_wake_list(w, &events_sups, offsetof(struct events_stream, who), e->seq);
    /* collect first, then wake: waking unlinks every team link of a stream,
     * which may sit further along the same bucket */
    struct events_stream *found[64];
    for (int i = 0; i < e->nagents + e->nteams; i++) {
        bool agent = i < e->nagents;
        struct events_link *head = agent ? &events_agents[events_hash(e->ids[i])]
                                         : &events_teams[events_hash(e->ids[i])];
        bool more = true;
        while (more) {
            int n = 0;
            more = false;
            for (struct events_link *l = head->next; l != head; l = l->next) {
                struct events_stream *s;
                if (agent) {
                    s = EVENTS_OF(l, struct events_stream, who);
                    if (s->user_id != e->ids[i])
                        continue;
                } else {
                    struct events_team *t = EVENTS_OF(l, struct events_team, link);
                    if (t->team != e->ids[i])
                        continue;
                    s = t->stream;
                }
                if (n == (int)(sizeof found / sizeof found[0])) {
                    more = true;
                    break;
                }
                found[n++] = s;
            }
            for (int k = 0; k < n; k++)
                events_wake_add(w, found[k], e->seq);
        }
    }
}

/* ---- ending streams (engine thread; the lock where said) ------------------- */

/* The ends a batch queued, sorted for bsearch: token hashes and user ids;
 * the arrays are owned here (events_ends_free). */
struct events_ends {
    unsigned char (*tokens)[32];
    size_t ntokens;
    int64_t *users;
    size_t nusers;
};

static int events_token_cmp(const void *x, const void *y)
{
    return memcmp(x, y, 32);
}

static int events_user_cmp(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return a < b ? -1 : a > b;
}

/* Copies the queued ends into e; false (and nothing allocated) when there
 * are none. */
static bool events_ends_collect(struct events_ends *e)
{
    memset(e, 0, sizeof *e);
    if (events_queue_ends == 0)
        return false;
    e->tokens = xmalloc(events_queue_ends * sizeof *e->tokens);
    e->users = xmalloc(events_queue_ends * sizeof *e->users);
    for (size_t i = 0; i < events_queue_len; i++) {
        const struct events_pending *p = &events_queue_items[i];
        if (p->item == EVENTS_ITEM_END_TOKEN)
            memcpy(e->tokens[e->ntokens++], p->token, 32);
        else if (p->item == EVENTS_ITEM_END_USER)
            e->users[e->nusers++] = p->user_id;
    }
    qsort(e->tokens, e->ntokens, sizeof *e->tokens, events_token_cmp);
    qsort(e->users, e->nusers, sizeof *e->users, events_user_cmp);
    return true;
}

static void events_ends_free(struct events_ends *e)
{
    free(e->tokens);
    free(e->users);
}

/* Ends s (lock held): it writes nothing more; a suspended one goes into w
 * to be resumed, and its next read ends it. */
static void events_end_stream(struct events_wake *w, struct events_stream *s)
{
    s->ended = true;
    if (s->suspended)
        events_wake_add(w, s, events_last_seq + 1);
}

/* Ends every open stream e names (lock held). */
static void events_ends_apply(struct events_wake *w, const struct events_ends *e)
{
    events_ended_ms = clock_mono_ms();
    for (struct events_link *l = events_all.next; l != &events_all; l = l->next) {
        struct events_stream *s = EVENTS_OF(l, struct events_stream, all);
        if (s->ended)
            continue;
        if ((e->nusers && bsearch(&s->user_id, e->users, e->nusers, sizeof *e->users,
                                  events_user_cmp)) ||
            (e->ntokens && bsearch(s->token, e->tokens, e->ntokens, sizeof *e->tokens,
                                   events_token_cmp)))
            events_end_stream(w, s);
    }
}

void events_end_token(const unsigned char hash[32])
{
    memcpy(events_queue_push(EVENTS_ITEM_END_TOKEN)->token, hash, 32);
}

void events_end_user(int64_t user_id)
{
    events_queue_push(EVENTS_ITEM_END_USER)->user_id = user_id;
}

/* ---- publishing, continued (engine thread) --------------------------------- */

/* Ends a batch's wake, called with events_lock held: a large one goes to
 * the heartbeat thread, the lock is released, the rest are resumed here,
 * and w's buffer is kept for the next batch. */
static void events_wake_finish(struct events_wake *w)
{
    if (w->len > EVENTS_INLINE_RESUME && events_hb_running)
        events_handoff_add(w);
    pthread_mutex_unlock(&events_lock);
    events_resume_all(w->conns, w->len);
    events_wake_conns = w->conns;
    events_wake_cap = w->cap;
}

void events_commit(void)
{
    if (events_queue_len == 0)
        return;
    struct events_ends ends;
    bool ending = events_ends_collect(&ends);
    size_t n = 0;
    struct events_entry **entries = xmalloc(events_queue_len * sizeof *entries);
    uint64_t first = events_last_seq + 1; /* only this thread writes it */
    for (size_t i = 0; i < events_queue_len; i++)
        if (events_queue_items[i].item == EVENTS_ITEM_EVENT) {
            entries[n] = events_entry_new(&events_queue_items[i], first + n);
            n++;
        }
    events_rollback_to(0);

    struct events_wake w = {events_wake_conns, 0, events_wake_cap};
    pthread_mutex_lock(&events_lock);
    if (events_ring == NULL) {
        pthread_mutex_unlock(&events_lock);
        for (size_t i = 0; i < n; i++)
            free(entries[i]);
        free(entries);
        events_ends_free(&ends);
        return;
    }
    /* the ends first: a stream ended here hears nothing of this batch */
    if (ending)
        events_ends_apply(&w, &ends);
    for (size_t i = 0; i < n; i++) {
        struct events_entry **slot = &events_ring[entries[i]->seq % events_ring_size];
        struct events_entry *old = *slot;
        *slot = entries[i];
        entries[i] = old; /* freed below, outside the lock */
        events_wake_for(&w, *slot);
    }
    events_last_seq = first + n - 1;
    events_wake_finish(&w);
    for (size_t i = 0; i < n; i++)
        free(entries[i]);
    free(entries);
    events_ends_free(&ends);
}

void events_discard(void)
{
    struct events_ends ends;
    if (!events_ends_collect(&ends)) {
        events_rollback_to(0);
        return;
    }
    /* the batch failed: its events go, its ends are still carried out */
    events_rollback_to(0);
    struct events_wake w = {events_wake_conns, 0, events_wake_cap};
    pthread_mutex_lock(&events_lock);
    if (events_ring != NULL)
        events_ends_apply(&w, &ends);
    events_wake_finish(&w);
    events_ends_free(&ends);
}

/* ---- tokens that no longer hold (engine thread, and the route) --------------- */

static uint8_t events_kind_of(enum role role)
{
    switch (role) {
    case ROLE_AGENT:
        return EVENTS_KIND_AGENT;
    case ROLE_SUPERVISOR:
    case ROLE_ADMIN:
        return EVENTS_KIND_SUPERVISOR;
    default:
        return EVENTS_KIND_OTHER;
    }
}

/* Whether a stream opened with this token by user_id as kind may go on:
 * the token exists, its user is that one, not disabled and of the same
 * kind. A store error says yes: the next check, or request, decides. */
static bool events_token_holds(struct store *st, const unsigned char token[32], int64_t user_id,
                               uint8_t kind)
{
    struct cb_user u;
    int64_t last_used;
    enum store_token_kind tk;
    enum store_result r = store_token_lookup(st, token, &u, &last_used, &tk);
    if (r == STORE_ERROR)
        return true;
    return r == STORE_OK && u.id == user_id && !u.disabled && events_kind_of(u.role) == kind;
}

/* One open stream's token, user and kind. */
struct events_key {
    unsigned char token[32];
    int64_t user_id;
    uint8_t kind;
};

static int events_key_cmp(const void *x, const void *y)
{
    const struct events_key *a = x, *b = y;
    int c = memcmp(a->token, b->token, 32);
    return c ? c : (int)a->kind - (int)b->kind;
}

/* The keys of every open stream not ended yet, copied under the lock into
 * a heap array the caller frees; *n gets how many. Streams opened from now
 * on look their token up again (events_ended_ms). */
static struct events_key *events_keys_snapshot(size_t *n)
{
    struct events_key *keys = NULL;
    size_t cap = 0, i = 0;
    pthread_mutex_lock(&events_lock);
    while (events_all_len > cap) { /* allocate outside the lock */
        cap = events_all_len + 16;
        pthread_mutex_unlock(&events_lock);
        keys = xrealloc(keys, cap * sizeof *keys);
        pthread_mutex_lock(&events_lock);
    }
    for (struct events_link *l = events_all.next; l != &events_all; l = l->next) {
        const struct events_stream *s = EVENTS_OF(l, struct events_stream, all);
        if (s->ended)
            continue;
        memcpy(keys[i].token, s->token, 32);
        keys[i].user_id = s->user_id;
        keys[i].kind = s->kind;
        i++;
    }
    events_ended_ms = clock_mono_ms();
    pthread_mutex_unlock(&events_lock);
    *n = i;
    return keys;
}

void events_end_revoked(struct store *w)
{
    size_t n;
    struct events_key *keys = events_keys_snapshot(&n);
    if (n == 0) {
        free(keys);
        return;
    }
    qsort(keys, n, sizeof *keys, events_key_cmp);
    size_t ended = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && events_key_cmp(&keys[i - 1], &keys[i]) == 0)
            continue; /* several streams of one token: looked up once */
        if (!events_token_holds(w, keys[i].token, keys[i].user_id, keys[i].kind)) {
            events_end_token(keys[i].token);
            ended++;
        }
    }
    if (ended)
        log_info("events: %zu tokens of open event streams no longer hold: ending their "
                 "streams", ended);
    free(keys);
}

/* ---- the content reader -------------------------------------------------- */

/* The next event s may see, skipping the others; NULL when there is none.
 * *lost is set when the stream's place has left the ring (lock held). */
static const struct events_entry *events_next(struct events_stream *s, bool *lost)
{
    *lost = false;
    if (s->next_seq < events_oldest()) {
        *lost = true;
        return NULL;
    }
    while (s->next_seq <= events_last_seq) {
        const struct events_entry *e = events_ring[s->next_seq % events_ring_size];
        if (events_visible(s, e))
            return e;
        s->next_seq++;
    }
    return NULL;
}

static ssize_t events_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    struct events_stream *s = cls;
    char piece[128];
    size_t n = 0;
    pthread_mutex_lock(&events_lock);
    if (events_closing) {
        pthread_mutex_unlock(&events_lock);
        return MHD_CONTENT_READER_END_OF_STREAM;
    }
    if (s->hung_up || s->ended) {
        /* nobody to write to, or its token was revoked: libmicrohttpd
         * closes the connection */
        pthread_mutex_unlock(&events_lock);
        return MHD_CONTENT_READER_END_WITH_ERROR;
    }
    while (n < max) {
        const char *src = piece;
        size_t len = 0;
        switch ((enum events_phase)s->phase) {
        case EVENTS_PHASE_OK:
            len = (size_t)snprintf(piece, sizeof piece, ": ok %lld-%llu\n\n", events_boot,
                                   (unsigned long long)(s->next_seq - 1));
            break;
        case EVENTS_PHASE_RESET:
            len = (size_t)snprintf(piece, sizeof piece,
                                   "id: %lld-%llu\nevent: reset\ndata: {\"reason\":\"%s\"}\n\n",
                                   events_boot, (unsigned long long)(s->next_seq - 1),
                                   events_reset_reasons[s->reset]);
            break;
        case EVENTS_PHASE_HB:
            src = ": hb\n\n";
            len = 6;
            break;
        case EVENTS_PHASE_LIVE: {
            bool lost;
            const struct events_entry *e = events_next(s, &lost);
            if (lost) {
                if (s->offset > 0 || n > 0) {
                    /* the frame being written is gone: end the stream; the
                     * client reconnects with its last id and gets a reset */
                    pthread_mutex_unlock(&events_lock);
                    return n > 0 ? (ssize_t)n : MHD_CONTENT_READER_END_WITH_ERROR;
                }
                s->reset = EVENTS_RESET_OVERRUN;
                s->next_seq = events_last_seq + 1;
                s->phase = EVENTS_PHASE_RESET;
                continue;
            }
            if (e == NULL) {
                if (n == 0 && s->hb_due) {
                    s->hb_due = false;
                    s->phase = EVENTS_PHASE_HB;
                    continue;
                }
                goto out;
            }
            src = e->frame;
            len = e->len;
            break;
        }
        }
        size_t take = len - s->offset;
        if (take > max - n)
            take = max - n;
        memcpy(buf + n, src + s->offset, take);
        n += take;
        s->offset += (uint32_t)take;
        if (s->offset < len)
            break;
        s->offset = 0;
        switch ((enum events_phase)s->phase) {
        case EVENTS_PHASE_OK:
            s->phase = s->reset != EVENTS_RESET_NONE ? EVENTS_PHASE_RESET : EVENTS_PHASE_LIVE;
            break;
        case EVENTS_PHASE_RESET:
        case EVENTS_PHASE_HB:
            s->phase = EVENTS_PHASE_LIVE;
            break;
        case EVENTS_PHASE_LIVE:
            s->next_seq++;
            break;
        }
    }
out:
    if (n > 0) {
        s->hb_due = false;
        pthread_mutex_unlock(&events_lock);
        return (ssize_t)n;
    }
    events_park(s);
    MHD_suspend_connection(s->conn);
    pthread_mutex_unlock(&events_lock);
    return 0;
}

/* ---- presence: an agent's streams, told to the dispatcher ---------------- */

struct events_presence {
    struct engine_cmd cmd;
    int64_t agent_id;
    int delta;
};

static enum store_result events_presence_run(struct store *w, struct engine_cmd *cmd)
{
    struct events_presence *p = cmd->ctx;
    dispatch_stream(w, p->agent_id, p->delta, clock_now());
    return STORE_OK;
}

static void events_presence_done(struct engine_cmd *cmd)
{
    free(cmd->ctx);
}

static void events_presence(int64_t agent_id, int delta)
{
    struct events_presence *p = xcalloc(1, sizeof *p);
    p->agent_id = agent_id;
    p->delta = delta;
    p->cmd.run = events_presence_run;
    p->cmd.done = events_presence_done;
    p->cmd.ctx = p;
    engine_submit(&p->cmd);
}

/* ---- GET /api/v1/events -------------------------------------------------- */

static void events_stream_free(void *ctx)
{
    struct events_stream *s = ctx;
    pthread_mutex_lock(&events_lock);
    if (s->suspended) /* not expected: a suspended connection does not close */
        events_unpark(s);
    events_list_del(&s->all);
    events_all_len--;
    pthread_mutex_unlock(&events_lock);
    atomic_fetch_sub(&events_open, 1);
    if (s->kind == EVENTS_KIND_AGENT)
        events_presence(s->user_id, -1);
    free(s->teams);
    free(s);
}

struct events_teams_ctx {
    struct events_stream *s;
    size_t cap;
};

static bool events_team_each(void *ctx, const struct cb_team *t)
{
    struct events_teams_ctx *c = ctx;
    struct events_stream *s = c->s;
    for (int i = 0; i < s->nteams; i++)
        if (s->teams[i].team == t->id)
            return true;
    if (s->nteams == UINT16_MAX)
        return false;
    if (s->nteams == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 4;
        s->teams = xrealloc(s->teams, c->cap * sizeof *s->teams);
    }
    s->teams[s->nteams++].team = t->id;
    return true;
}

/* Parses "BOOT-SEQ"; false when malformed. */
static bool events_parse_id(const char *text, long long *boot, uint64_t *seq)
{
    const char *dash = strchr(text, '-');
    if (dash == NULL || dash == text || dash - text > 18 || strlen(dash + 1) == 0 ||
        strlen(dash + 1) > 19)
        return false;
    if (strspn(text, "0123456789") != (size_t)(dash - text) ||
        strspn(dash + 1, "0123456789") != strlen(dash + 1))
        return false;
    *boot = strtoll(text, NULL, 10);
    *seq = strtoull(dash + 1, NULL, 10);
    return true;
}

/* Where a stream resuming after last_id starts (lock held). */
static void events_position(struct events_stream *s, const char *last_id)
{
    s->next_seq = events_last_seq + 1;
    if (last_id == NULL || last_id[0] == '\0')
        return;
    long long boot;
    uint64_t seq;
    if (!events_parse_id(last_id, &boot, &seq))
        s->reset = EVENTS_RESET_MALFORMED;
    else if (boot != events_boot)
        s->reset = EVENTS_RESET_RESTARTED;
    else if (seq > events_last_seq)
        s->reset = EVENTS_RESET_UNKNOWN;
    else if (seq + 1 < events_oldest())
        s->reset = EVENTS_RESET_TOO_OLD;
    else
        s->next_seq = seq + 1;
}

/* Looks the stream's token up again, in a fresh snapshot: the request's
 * own (req->reading), opened before its token was looked up, is ended here
 * (the HTTP layer ends it after the handler otherwise). */
static bool events_recheck(struct http_request *req, const struct events_stream *s)
{
    if (req->reading) {
        store_read_end(req->reading);
        req->reading = NULL;
    }
    struct store *st = store_reader();
    return st == NULL || events_token_holds(st, s->token, s->user_id, s->kind);
}

void route_events(struct http_request *req)
{
    const char *last_id = http_header(req, "Last-Event-ID");
    if (last_id == NULL)
        last_id = http_query(req, "last_event_id");
    struct events_stream *s = xcalloc(1, sizeof *s);
    events_list_init(&s->idle);
    events_list_init(&s->who);
    events_list_init(&s->all);
    s->conn = req->conn;
    s->user_id = req->caller.user_id;
    memcpy(s->token, req->caller.token_hash, sizeof s->token);
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    s->fd = ci ? ci->connect_fd : -1;
    s->kind = events_kind_of(req->caller.role);
    if (s->kind == EVENTS_KIND_AGENT) {
        struct store *st = store_reader();
        struct events_teams_ctx c = {s, 0};
        if (st == NULL || store_user_teams(st, s->user_id, events_team_each, &c) != STORE_OK) {
            free(s->teams);
            free(s);
            http_reply_error(req, ERR_UNAVAILABLE, NULL, "the store is unavailable");
            return;
        }
        for (int i = 0; i < s->nteams; i++) {
            events_list_init(&s->teams[i].link);
            s->teams[i].stream = s;
        }
    }

    pthread_mutex_lock(&events_lock);
    bool closed = events_ring == NULL || events_closing, recheck = false;
    if (!closed) {
        events_position(s, last_id);
        events_list_append(&events_all, &s->all);
        events_all_len++;
        /* streams were ended since the token was looked up: ours may be
         * among the revoked, too late for it to have been found here */
        recheck = events_ended_ms >= req->started_ms;
    }
    pthread_mutex_unlock(&events_lock);
    if (closed) {
        free(s->teams);
        free(s);
        http_reply_error(req, ERR_UNAVAILABLE, NULL, "the server is shutting down");
        return;
    }
    if (recheck && !events_recheck(req, s)) {
        pthread_mutex_lock(&events_lock);
        events_list_del(&s->all);
        events_all_len--;
        pthread_mutex_unlock(&events_lock);
        free(s->teams);
        free(s);
        http_reply_error(req, ERR_UNAUTHORIZED, NULL, "invalid or expired token; log in again");
        http_add_header(req, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
        return;
    }
    atomic_fetch_add(&events_open, 1);
    req->ctx = s;
    req->ctx_free = events_stream_free;
    if (s->kind == EVENTS_KIND_AGENT)
        events_presence(s->user_id, +1);

    struct MHD_Response *resp =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, EVENTS_BLOCK, events_read, s, NULL);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                            "text/event-stream; charset=utf-8");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    http_reply_response(req, 200, resp);
}
