/*
 * agents.c — the engine benchmark's load generator (issue 4): N virtual
 * agents and one callback creator in one process, on libcurl's multi
 * interface driven by epoll. Run by tests/bench/engine.sh, which starts the
 * server and creates the agents' accounts.
 *
 *   bench_agents --url URL --pid PID [options]      (loopback only)
 *
 * Each agent logs in (POST /login; all logins happen before anything is
 * measured), opens its event stream (GET /events, parsed line by line as it
 * arrives), goes Ready (PUT /me/presence) and then, for every "offer" event,
 * runs a whole lifecycle: POST accept, POST connected {"kind":"live"}, POST
 * complete {"status":"handled"}. With wrap_up_s 0 the agent is Ready again
 * after the complete and waits for the next offer. An agent that the server
 * sets Not Ready (an offer it missed timed out) goes Ready again.
 *
 * The creator, logged in as a supervisor, POSTs team callbacks in the BP,
 * due now, each to a distinct number. Phases:
 *   1. warm-up and 2. the measured window: the creator keeps the callbacks it
 *      created but has not yet seen offered (the queue, as the client sees
 *      it) below --backlog (default N/2), so agents always have work; up to
 *      --creators creates are in flight at once. Figures: complete replies
 *      200 per second; the re-offer latency: the longest idle agent is
 *      offered first, so an agent that completes while more callbacks are
 *      queued than there are idle agents is offerable at once — its
 *      complete's 200 to its next offer event (none when the agents were
 *      never the bottleneck).
 *   3. settle: no creates until the queue is seen empty.
 *   4. the latency phase: creates paced at a fixed rate (default half the
 *      window's throughput) so that agents are mostly idle; for each create
 *      sent and answered while at least one agent was idle (as the client
 *      sees it), the time from its 201 to its offer event. The server
 *      commits the callback before it sends either, so an offer may be read
 *      before the 201: such a sample counts as 0 and is counted apart. The
 *      time from sending the create to the offer (an upper bound that
 *      includes the create's round trip) is printed beside it.
 * Around the window it reads the server's RSS and CPU time (/proc/PID), its
 * group-commit counters (GET /metrics, admin token), its own CPU time
 * (getrusage) and the machine's (/proc/stat), so a reader sees what the
 * generator and other processes took of the machine, and counts the events
 * and bytes the agents' streams received.
 *
 * Requests share --pool kept-alive connections (CURLMOPT_MAX_HOST_CONNECTIONS
 * is N streams + pool); RLIMIT_NOFILE is raised to its hard limit.
 *
 * Bounded: at most AGENTS_MAX agents and CREATES_MAX creates; every phase
 * has a time limit; the process exits by itself. Lines starting "RESULT "
 * are key=value figures for engine.sh.
 */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define AGENTS_MAX 20000
#define CREATES_MAX 200000
#define ID_MAP_SIZE (1u << 19) /* > 2 x CREATES_MAX, a power of two */
#define PENDING_MAX 8
#define LINE_MAX_BYTES (256 * 1024)
#define LOGIN_PHASE_S 300.0
#define SETUP_PHASE_S 60.0
#define SETTLE_PHASE_S 15.0

/* ---- options ---- */

static const char *opt_url;
static int opt_pid;
static int opt_agents = 1000;
static const char *opt_prefix = "bench";
static const char *opt_password = "bench-password";
static const char *opt_sup_user = "sup", *opt_sup_password = "sup-demo";
static const char *opt_admin_user = "admin", *opt_admin_password = "admin-demo";
static const char *opt_bp = "Support";
static const char *opt_teams[64];
static int opt_nteams;
static double opt_warmup = 3, opt_window = 20, opt_latency_s = 10, opt_latency_rate;
static int opt_backlog = -1;
static int opt_pool = 128;
static int opt_login_conc = 32;
static int opt_creators = 48;
static int opt_run = 1;

/* ---- time ---- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "bench_agents: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(2);
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (p == NULL)
        die("%s", "out of memory");
    return p;
}

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (p == NULL)
        die("%s", "out of memory");
    return p;
}

/* ---- samples ---- */

struct samples {
    double *v;
    size_t n, cap;
};

static void samples_add(struct samples *s, double x)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 1024;
        s->v = xrealloc(s->v, s->cap * sizeof *s->v);
    }
    s->v[s->n++] = x;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Percentile p (0..100) in milliseconds, nearest rank; sorts s. */
static double samples_pct(struct samples *s, double p)
{
    if (s->n == 0)
        return -1;
    qsort(s->v, s->n, sizeof *s->v, cmp_double);
    size_t k = (size_t)(p / 100.0 * (double)s->n + 0.999999);
    if (k < 1)
        k = 1;
    if (k > s->n)
        k = s->n;
    return s->v[k - 1] * 1000.0;
}

/* ---- phases and counters ---- */

enum phase { P_LOGIN, P_STREAMS, P_READY, P_WARMUP, P_WINDOW, P_SETTLE, P_LATENCY, P_DONE };
static enum phase phase = P_LOGIN;
static double phase_t0;

enum kind { K_LOGIN, K_PRESENCE, K_ACCEPT, K_CONNECTED, K_COMPLETE, K_CREATE, K_STREAM, K_COUNT };
static const char *const kind_name[K_COUNT] = {"login",    "presence", "accept", "connected",
                                               "complete", "create",   "events"};
/* replies by kind and status (0: a transport error), over the whole run and
 * within the window */
static unsigned long replies[K_COUNT][600], replies_window[K_COUNT][600];

static unsigned long lifecycles_window, lifecycles_latency, lifecycles_total;
static unsigned long offers_total, offers_overflow, offers_unexpected;
static unsigned long resets, stream_ends, rereadies, first_offers;
static unsigned long created_ok, creates_sent, creates_inflight;
static unsigned long reoffer_before_reply, latency_before_reply, latency_skipped_busy;
static struct samples reoffer_lat, create_lat, create_sent_lat;
static long n_idle; /* agents Ready with nothing held or pending, as seen here */
static unsigned long logged_in, streams_ok, readied;
static unsigned long long stream_bytes, events_seen[5]; /* by parser event kind */

/* ---- transfers ---- */

struct agent;

struct xfer {
    CURL *h;
    enum kind kind;
    struct agent *agent; /* NULL: the creator */
    char *buf;           /* reply body */
    size_t len, cap;
    double t_sent;
    bool busy, idle_at_send;
    enum phase phase_at_send;
    char body[320];
    char url[256];
};

enum agent_state { A_NEW, A_IDLE, A_BUSY };

struct agent {
    int no;
    char login[64];
    struct curl_slist *hdrs, *stream_hdrs;
    struct xfer act;
    CURL *stream;
    enum agent_state state;
    bool idle_counted, ready, stream_open, stream_ok, need_ready;
    long long cb; /* the callback in hand */
    long long pending[PENDING_MAX];
    double pending_t[PENDING_MAX];
    int npending;
    double t_ready;
    bool ready_by_complete, work_queued_at_ready;
    /* SSE parser */
    char *line;
    size_t line_len, line_cap;
    enum { EV_NONE, EV_OFFER, EV_PRESENCE, EV_RESET, EV_OTHER } ev;
};

static struct agent *agents;
static CURLM *multi;
static int epfd;
static double timer_at = -1;
static char base_url[200];
static struct curl_slist *sup_hdrs;
static char admin_auth[256];
static struct xfer *creators;

/* ---- callbacks created: id -> times ---- */

struct cbent {
    long long id; /* 0: free */
    double t_sent, t_reply, t_offer;
    bool has_reply, has_offer, idle_send, idle_reply, done;
    enum phase phase;
};
static struct cbent *cbmap;

static struct cbent *cbmap_get(long long id)
{
    uint64_t h = (uint64_t)id * 0x9E3779B97F4A7C15ull;
    for (uint32_t i = (uint32_t)(h >> 40) & (ID_MAP_SIZE - 1);; i = (i + 1) & (ID_MAP_SIZE - 1)) {
        if (cbmap[i].id == id)
            return &cbmap[i];
        if (cbmap[i].id == 0) {
            cbmap[i].id = id;
            return &cbmap[i];
        }
    }
}

/* A created callback whose 201 and offer are both known gives a sample. */
static void cbent_settle(struct cbent *e)
{
    if (e->done || !e->has_reply || !e->has_offer)
        return;
    e->done = true;
    if (e->phase != P_LATENCY)
        return;
    if (!e->idle_send || !e->idle_reply) {
        latency_skipped_busy++;
        return;
    }
    double d = e->t_offer - e->t_reply;
    if (d < 0) {
        latency_before_reply++;
        d = 0;
    }
    samples_add(&create_lat, d);
    samples_add(&create_sent_lat, e->t_offer - e->t_sent);
}

static long queued_estimate(void)
{
    return (long)created_ok - (long)first_offers;
}

/* ---- libcurl plumbing ---- */

static size_t body_write(char *data, size_t size, size_t n, void *userp)
{
    struct xfer *x = userp;
    size_t len = size * n;
    if (x->len + len + 1 > x->cap) {
        x->cap = (x->len + len + 1) * 2;
        x->buf = xrealloc(x->buf, x->cap);
    }
    memcpy(x->buf + x->len, data, len);
    x->len += len;
    x->buf[x->len] = 0;
    return len;
}

static int sock_cb(CURL *e, curl_socket_t s, int what, void *userp, void *socketp)
{
    (void)e;
    (void)userp;
    (void)socketp;
    if (what == CURL_POLL_REMOVE) {
        epoll_ctl(epfd, EPOLL_CTL_DEL, s, NULL);
        return 0;
    }
    struct epoll_event ev = {0};
    ev.data.fd = s;
    ev.events = (what & CURL_POLL_IN ? EPOLLIN : 0u) | (what & CURL_POLL_OUT ? EPOLLOUT : 0u);
    if (epoll_ctl(epfd, EPOLL_CTL_MOD, s, &ev) != 0 && errno == ENOENT)
        epoll_ctl(epfd, EPOLL_CTL_ADD, s, &ev);
    return 0;
}

static int timer_cb(CURLM *m, long timeout_ms, void *userp)
{
    (void)m;
    (void)userp;
    timer_at = timeout_ms < 0 ? -1 : now_s() + (double)timeout_ms / 1000.0;
    return 0;
}

static void xfer_init(struct xfer *x, struct agent *a)
{
    x->h = curl_easy_init();
    x->agent = a;
    curl_easy_setopt(x->h, CURLOPT_WRITEFUNCTION, body_write);
    curl_easy_setopt(x->h, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(x->h, CURLOPT_PRIVATE, x);
    curl_easy_setopt(x->h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(x->h, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(x->h, CURLOPT_TIMEOUT, 60L);
}

/* Starts a request on x: method "GET", "POST" or "PUT", a path under the
 * base URL, an optional JSON body. */
static void xfer_start(struct xfer *x, enum kind kind, const char *method, const char *path,
                       const char *body, struct curl_slist *hdrs)
{
    x->kind = kind;
    x->len = 0;
    x->busy = true;
    x->t_sent = now_s();
    x->phase_at_send = phase;
    snprintf(x->url, sizeof x->url, "%s%s", base_url, path);
    curl_easy_setopt(x->h, CURLOPT_URL, x->url);
    curl_easy_setopt(x->h, CURLOPT_HTTPHEADER, hdrs);
    if (body) {
        snprintf(x->body, sizeof x->body, "%s", body);
        curl_easy_setopt(x->h, CURLOPT_POSTFIELDS, x->body);
        curl_easy_setopt(x->h, CURLOPT_POSTFIELDSIZE, (long)strlen(x->body));
    } else {
        curl_easy_setopt(x->h, CURLOPT_HTTPGET, 1L);
    }
    curl_easy_setopt(x->h, CURLOPT_CUSTOMREQUEST, strcmp(method, "PUT") == 0 ? "PUT" : NULL);
    curl_multi_add_handle(multi, x->h);
}

static void count_reply(enum kind k, long status)
{
    if (status < 0 || status >= 600)
        status = 0;
    replies[k][status]++;
    if (phase == P_WINDOW)
        replies_window[k][status]++;
}

/* ---- agents ---- */

static void agent_idle_update(struct agent *a)
{
    bool idle = a->ready && a->state == A_IDLE && a->npending == 0 && !a->act.busy;
    if (idle != a->idle_counted) {
        n_idle += idle ? 1 : -1;
        a->idle_counted = idle;
    }
}

static void agent_action(struct agent *a, enum kind k, long long id)
{
    char path[96];
    static const char *const verb[K_COUNT] = {[K_ACCEPT] = "accept",
                                              [K_CONNECTED] = "connected",
                                              [K_COMPLETE] = "complete"};
    static const char *const body[K_COUNT] = {[K_ACCEPT] = "{}",
                                              [K_CONNECTED] = "{\"kind\":\"live\"}",
                                              [K_COMPLETE] = "{\"status\":\"handled\"}"};
    snprintf(path, sizeof path, "/api/v1/callbacks/%lld/%s", id, verb[k]);
    xfer_start(&a->act, k, "POST", path, body[k], a->hdrs);
}

static void agent_put_ready(struct agent *a)
{
    a->need_ready = false;
    xfer_start(&a->act, K_PRESENCE, "PUT", "/api/v1/me/presence", "{\"presence\":\"ready\"}",
               a->hdrs);
}

/* What an agent does next once its last request is answered. Never called
 * from inside libcurl (adding a handle there is refused). */
static void agent_kick(struct agent *a)
{
    if (a->act.busy || a->state == A_BUSY || phase == P_DONE || phase < P_READY) {
        agent_idle_update(a);
        return;
    }
    if (a->need_ready) {
        agent_put_ready(a);
    } else if (a->npending > 0 && a->ready) {
        long long id = a->pending[0];
        double t = a->pending_t[0];
        memmove(a->pending, a->pending + 1, (size_t)(a->npending - 1) * sizeof a->pending[0]);
        memmove(a->pending_t, a->pending_t + 1, (size_t)(a->npending - 1) * sizeof a->pending_t[0]);
        a->npending--;
        if (a->ready_by_complete && a->work_queued_at_ready &&
            (phase == P_WARMUP || phase == P_WINDOW)) {
            double d = t - a->t_ready;
            if (d < 0) {
                reoffer_before_reply++;
                d = 0;
            }
            if (phase == P_WINDOW)
                samples_add(&reoffer_lat, d);
        }
        a->ready_by_complete = false;
        a->state = A_BUSY;
        a->cb = id;
        agent_action(a, K_ACCEPT, id);
    }
    agent_idle_update(a);
}

/* agents whose next step waits for the main loop */
static int *kick_list;
static int nkick;
static bool *kick_marked;

static void kick_later(struct agent *a)
{
    if (!kick_marked[a->no]) {
        kick_marked[a->no] = true;
        kick_list[nkick++] = a->no;
    }
}

static void on_offer(struct agent *a, const char *data)
{
    double t = now_s();
    long long id = 0;
    const char *p = strstr(data, "\"id\":");
    if (p)
        id = strtoll(p + 5, NULL, 10);
    if (id <= 0) {
        offers_unexpected++;
        return;
    }
    offers_total++;
    struct cbent *e = cbmap_get(id);
    if (!e->has_offer) {
        e->has_offer = true;
        e->t_offer = t;
        first_offers++;
        cbent_settle(e);
    }
    if (a->npending == PENDING_MAX) {
        offers_overflow++;
        return;
    }
    a->pending[a->npending] = id;
    a->pending_t[a->npending] = t;
    a->npending++;
    kick_later(a);
}

static void sse_line(struct agent *a, const char *line, size_t len)
{
    if (len == 0) {
        a->ev = EV_NONE;
        return;
    }
    if (line[0] == ':') {
        if (!a->stream_ok && len >= 4 && memcmp(line, ": ok", 4) == 0) {
            a->stream_ok = true;
            streams_ok++;
        }
        return;
    }
    if (len > 7 && memcmp(line, "event: ", 7) == 0) {
        const char *t = line + 7;
        size_t tl = len - 7;
        if (tl == 5 && memcmp(t, "offer", 5) == 0)
            a->ev = EV_OFFER;
        else if (tl == 8 && memcmp(t, "presence", 8) == 0)
            a->ev = EV_PRESENCE;
        else if (tl == 5 && memcmp(t, "reset", 5) == 0) {
            a->ev = EV_RESET;
            resets++;
        } else
            a->ev = EV_OTHER;
        events_seen[a->ev]++;
        return;
    }
    if (len > 6 && memcmp(line, "data: ", 6) == 0) {
        if (a->ev == EV_OFFER) {
            char tmp[64];
            size_t n = len - 6 < sizeof tmp - 1 ? len - 6 : sizeof tmp - 1;
            memcpy(tmp, line + 6, n);
            tmp[n] = 0;
            on_offer(a, tmp);
        } else if (a->ev == EV_PRESENCE) {
            /* presence events on an agent's stream are its own */
            if (memmem(line, len, "\"presence\":\"not_ready\"", 22) ||
                memmem(line, len, "\"presence\":\"logged_out\"", 23)) {
                a->need_ready = true;
                a->ready = false;
                rereadies++;
                kick_later(a);
            }
        }
    }
}

static size_t sse_write(char *data, size_t size, size_t n, void *userp)
{
    struct agent *a = userp;
    size_t len = size * n, off = 0;
    a->stream_open = true;
    stream_bytes += len;
    while (off < len) {
        char *nl = memchr(data + off, '\n', len - off);
        size_t seg = nl ? (size_t)(nl - (data + off)) : len - off;
        if (nl == NULL || a->line_len > 0) {
            /* keep the part of a line split across writes; long data
             * lines of events nobody reads here are only skipped */
            if (a->line_len + seg <= LINE_MAX_BYTES) {
                if (a->line_len + seg + 1 > a->line_cap) {
                    a->line_cap = (a->line_len + seg + 1) * 2;
                    a->line = xrealloc(a->line, a->line_cap);
                }
                memcpy(a->line + a->line_len, data + off, seg);
                a->line_len += seg;
            }
            if (nl == NULL)
                break;
            sse_line(a, a->line, a->line_len);
            a->line_len = 0;
        } else {
            sse_line(a, data + off, seg);
        }
        off += seg + 1;
    }
    return len;
}

static void agent_open_stream(struct agent *a)
{
    a->stream = curl_easy_init();
    char url[256];
    snprintf(url, sizeof url, "%s/api/v1/events", base_url);
    curl_easy_setopt(a->stream, CURLOPT_URL, url);
    curl_easy_setopt(a->stream, CURLOPT_HTTPHEADER, a->stream_hdrs);
    curl_easy_setopt(a->stream, CURLOPT_WRITEFUNCTION, sse_write);
    curl_easy_setopt(a->stream, CURLOPT_WRITEDATA, a);
    curl_easy_setopt(a->stream, CURLOPT_PRIVATE, NULL);
    curl_easy_setopt(a->stream, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(a->stream, CURLOPT_TCP_NODELAY, 1L);
    curl_multi_add_handle(multi, a->stream);
}

static void agent_set_token(struct agent *a, const char *token)
{
    char h[256];
    snprintf(h, sizeof h, "Authorization: Bearer %s", token);
    a->hdrs = curl_slist_append(NULL, h);
    a->hdrs = curl_slist_append(a->hdrs, "Content-Type: application/json");
    a->stream_hdrs = curl_slist_append(NULL, h);
    a->stream_hdrs = curl_slist_append(a->stream_hdrs, "Accept: text/event-stream");
}

/* ---- the creator ---- */

static unsigned long dest_counter;

static void creator_send(struct xfer *x)
{
    char due[32], body[320];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(due, sizeof due, "%Y-%m-%dT%H:%M:%SZ", &tm);
    const char *team = opt_teams[dest_counter % (unsigned long)opt_nteams];
    dest_counter++;
    snprintf(body, sizeof body,
             "{\"destination\":\"+19%02d%08lu\",\"bp\":\"%s\",\"routing\":\"team\","
             "\"team\":\"%s\",\"tz\":\"UTC\",\"due_at\":\"%s\",\"remark\":\"bench\"}",
             opt_run % 100, dest_counter, opt_bp, team, due);
    x->idle_at_send = n_idle > 0;
    creates_sent++;
    creates_inflight++;
    xfer_start(x, K_CREATE, "POST", "/api/v1/callbacks", body, sup_hdrs);
}

static double latency_rate, latency_rate_used;
static double latency_t0;
static unsigned long latency_base; /* creates_sent when the latency phase began */

static void creator_tick(void)
{
    if (phase != P_WARMUP && phase != P_WINDOW && phase != P_LATENCY)
        return;
    for (int i = 0; i < opt_creators; i++) {
        struct xfer *x = &creators[i];
        if (x->busy || creates_sent >= CREATES_MAX)
            continue;
        if (phase == P_LATENCY) {
            double due = latency_rate * (now_s() - latency_t0);
            if ((double)(creates_sent - latency_base) >= due)
                return;
        } else if (queued_estimate() + (long)creates_inflight >= opt_backlog) {
            return;
        }
        creator_send(x);
    }
}

/* ---- snapshots around the window ---- */

struct snap {
    double t;
    unsigned long long bytes, events[5];
    double cpu_total, cpu_idle; /* the machine's, in seconds over all cores */
    long rss_kib;
    double srv_cpu, cli_user, cli_sys;
    unsigned long long batches, commands;
    bool metrics_ok;
};

static long proc_rss_kib(int pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    FILE *f = fopen(path, "r");
    long kib = -1;
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0)
            kib = strtol(line + 6, NULL, 10);
    fclose(f);
    return kib;
}

/* user + system CPU seconds of a process (fields 14 and 15 of stat) */
static double proc_cpu_s(int pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    unsigned long ut = 0, st = 0;
    if (p == NULL || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut,
                            &st) != 2)
        return -1;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static void machine_cpu(double *total, double *idle)
{
    unsigned long long v[10] = {0};
    FILE *f = fopen("/proc/stat", "r");
    *total = *idle = 0;
    if (f == NULL)
        return;
    if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
               &v[4], &v[5], &v[6], &v[7]) == 8) {
        for (int i = 0; i < 8; i++)
            *total += (double)v[i];
        *idle = (double)(v[3] + v[4]);
        *total /= (double)sysconf(_SC_CLK_TCK);
        *idle /= (double)sysconf(_SC_CLK_TCK);
    }
    fclose(f);
}

static CURL *metrics_h;
static struct xfer metrics_x;

static unsigned long long metric_value(const char *text, const char *name)
{
    size_t nl = strlen(name);
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
        if (strncmp(p, name, nl) == 0 && p[nl] == ' ')
            return strtoull(p + nl + 1, NULL, 10);
    return 0;
}

static void snap_take(struct snap *s)
{
    s->t = now_s();
    s->bytes = stream_bytes;
    memcpy(s->events, events_seen, sizeof s->events);
    s->rss_kib = proc_rss_kib(opt_pid);
    s->srv_cpu = proc_cpu_s(opt_pid);
    machine_cpu(&s->cpu_total, &s->cpu_idle);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    s->cli_user = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
    s->cli_sys = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    /* a blocking scrape on its own connection: a millisecond or so */
    metrics_x.len = 0;
    long status = 0;
    s->metrics_ok = curl_easy_perform(metrics_h) == CURLE_OK &&
                    curl_easy_getinfo(metrics_h, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK &&
                    status == 200 && metrics_x.buf != NULL;
    if (s->metrics_ok) {
        s->batches = metric_value(metrics_x.buf, "cbd_engine_batches_total");
        s->commands = metric_value(metrics_x.buf, "cbd_engine_commands_total");
    }
}

/* ---- logins (blocking ones for the supervisor and the admin) ---- */

static char *token_from(const char *body)
{
    cJSON *j = cJSON_Parse(body);
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "token");
    char *tok = cJSON_IsString(t) ? strdup(t->valuestring) : NULL;
    cJSON_Delete(j);
    return tok;
}

static char *login_blocking(const char *user, const char *password)
{
    struct xfer x = {0};
    xfer_init(&x, NULL);
    char url[256], body[256];
    snprintf(url, sizeof url, "%s/api/v1/login", base_url);
    snprintf(body, sizeof body, "{\"user\":\"%s\",\"password\":\"%s\"}", user, password);
    curl_easy_setopt(x.h, CURLOPT_URL, url);
    curl_easy_setopt(x.h, CURLOPT_POSTFIELDS, body);
    long status = 0;
    char *tok = NULL;
    if (curl_easy_perform(x.h) == CURLE_OK &&
        curl_easy_getinfo(x.h, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK && status == 200 &&
        x.buf)
        tok = token_from(x.buf);
    curl_easy_cleanup(x.h);
    free(x.buf);
    if (tok == NULL)
        die("login of %s failed", user);
    return tok;
}

static int next_login;
static unsigned long login_failed, logins_active;

static void login_start(struct agent *a)
{
    char body[256];
    snprintf(body, sizeof body, "{\"user\":\"%s\",\"password\":\"%s\"}", a->login, opt_password);
    logins_active++;
    xfer_start(&a->act, K_LOGIN, "POST", "/api/v1/login", body, NULL);
}

static void logins_top_up(void)
{
    while (next_login < opt_agents && logins_active < (unsigned long)opt_login_conc)
        login_start(&agents[next_login++]);
}

/* ---- replies ---- */

static void on_reply(struct xfer *x, long status, CURLcode rc)
{
    struct agent *a = x->agent;
    double t = now_s();
    x->busy = false;
    count_reply(x->kind, rc == CURLE_OK ? status : 0);
    bool ok = rc == CURLE_OK && status == 200;
    switch (x->kind) {
    case K_LOGIN: {
        logins_active--;
        char *tok = ok && x->buf ? token_from(x->buf) : NULL;
        if (tok) {
            agent_set_token(a, tok);
            free(tok);
            logged_in++;
        } else {
            login_failed++;
        }
        logins_top_up();
        return;
    }
    case K_PRESENCE:
        if (ok) {
            if (!a->ready && phase == P_READY)
                readied++;
            a->ready = true;
            a->t_ready = t;
            a->ready_by_complete = false;
        }
        break;
    case K_ACCEPT:
    case K_CONNECTED:
        if (ok) {
            agent_action(a, x->kind == K_ACCEPT ? K_CONNECTED : K_COMPLETE, a->cb);
            return;
        }
        a->state = A_IDLE;
        a->cb = 0;
        break;
    case K_COMPLETE:
        if (ok) {
            lifecycles_total++;
            if (phase == P_WINDOW)
                lifecycles_window++;
            else if (phase == P_LATENCY)
                lifecycles_latency++;
            a->t_ready = t;
            a->ready_by_complete = true;
            /* the longest idle agent is offered first: this one is next
             * only if more is queued than there are idle agents */
            a->work_queued_at_ready = queued_estimate() > n_idle;
        }
        a->state = A_IDLE;
        a->cb = 0;
        break;
    case K_CREATE: {
        creates_inflight--;
        if (rc != CURLE_OK || status != 201 || x->buf == NULL)
            return;
        const char *p = strstr(x->buf, "\"id\":");
        long long id = p ? strtoll(p + 5, NULL, 10) : 0;
        if (id <= 0)
            return;
        created_ok++;
        struct cbent *e = cbmap_get(id);
        e->t_sent = x->t_sent;
        e->t_reply = t;
        e->has_reply = true;
        e->idle_send = x->idle_at_send;
        e->idle_reply = n_idle > 0;
        e->phase = x->phase_at_send == phase ? phase : P_DONE;
        cbent_settle(e);
        return;
    }
    default:
        return;
    }
    agent_kick(a);
}

static void process_done(void)
{
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(multi, &left)) != NULL) {
        if (m->msg != CURLMSG_DONE)
            continue;
        CURL *h = m->easy_handle;
        CURLcode rc = m->data.result;
        long status = 0;
        char *priv = NULL;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_getinfo(h, CURLINFO_PRIVATE, &priv);
        curl_multi_remove_handle(multi, h);
        if (priv == NULL) {
            /* an event stream ended (streams carry no private pointer) */
            struct agent *a = NULL;
            for (int i = 0; i < opt_agents && a == NULL; i++)
                if (agents[i].stream == h)
                    a = &agents[i];
            count_reply(K_STREAM, rc == CURLE_OK ? status : 0);
            stream_ends++;
            if (a) {
                a->stream_open = false;
                if (stream_ends <= 5)
                    fprintf(stderr, "bench_agents: stream of %s ended: HTTP %ld, %s\n", a->login,
                            status, curl_easy_strerror(rc));
            }
            continue;
        }
        on_reply((struct xfer *)(void *)priv, status, rc);
    }
}

static void run_kicks(void)
{
    for (int i = 0; i < nkick; i++) {
        kick_marked[kick_list[i]] = false;
        agent_kick(&agents[kick_list[i]]);
    }
    nkick = 0;
}

/* ---- output ---- */

static bool reply_good(int k, int s)
{
    return (s == 200 && k != K_CREATE) || (s == 201 && k == K_CREATE);
}

static unsigned long errors_in(unsigned long (*r)[600])
{
    unsigned long n = 0;
    for (int k = 0; k < K_COUNT; k++)
        for (int s = 0; s < 600; s++)
            if (!reply_good(k, s))
                n += r[k][s];
    return n;
}

static void print_errors(unsigned long (*r)[600], const char *title)
{
    bool any = false;
    for (int k = 0; k < K_COUNT; k++)
        for (int s = 0; s < 600; s++) {
            if (r[k][s] == 0 || reply_good(k, s))
                continue;
            if (!any)
                printf("%s", title);
            any = true;
            if (s == 0)
                printf(" %s:transport-error x%lu", kind_name[k], r[k][s]);
            else
                printf(" %s:%d x%lu", kind_name[k], s, r[k][s]);
        }
    if (any)
        printf("\n");
    else
        printf("%s none\n", title);
}

static void usage(void)
{
    fprintf(stderr,
            "usage: bench_agents --url URL --pid PID [--agents N] [--prefix P] [--password PW]\n"
            "  [--team NAME]... [--bp NAME] [--warmup S] [--window S] [--latency-s S]\n"
            "  [--latency-rate R] [--backlog B] [--pool P] [--creators C] [--run K]\n");
    exit(2);
}

static void parse_args(int argc, char **argv)
{
    static const struct option longs[] = {
        {"url", 1, 0, 'u'},          {"pid", 1, 0, 'p'},         {"agents", 1, 0, 'n'},
        {"prefix", 1, 0, 'x'},       {"password", 1, 0, 'w'},    {"team", 1, 0, 't'},
        {"bp", 1, 0, 'b'},           {"warmup", 1, 0, 'W'},      {"window", 1, 0, 'd'},
        {"latency-s", 1, 0, 'L'},    {"latency-rate", 1, 0, 'R'}, {"backlog", 1, 0, 'B'},
        {"pool", 1, 0, 'P'},         {"creators", 1, 0, 'C'},    {"run", 1, 0, 'r'},
        {"login-concurrency", 1, 0, 'l'}, {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        switch (c) {
        case 'u': opt_url = optarg; break;
        case 'p': opt_pid = atoi(optarg); break;
        case 'n': opt_agents = atoi(optarg); break;
        case 'x': opt_prefix = optarg; break;
        case 'w': opt_password = optarg; break;
        case 't':
            if (opt_nteams < 64)
                opt_teams[opt_nteams++] = optarg;
            break;
        case 'b': opt_bp = optarg; break;
        case 'W': opt_warmup = atof(optarg); break;
        case 'd': opt_window = atof(optarg); break;
        case 'L': opt_latency_s = atof(optarg); break;
        case 'R': opt_latency_rate = atof(optarg); break;
        case 'B': opt_backlog = atoi(optarg); break;
        case 'P': opt_pool = atoi(optarg); break;
        case 'C': opt_creators = atoi(optarg); break;
        case 'r': opt_run = atoi(optarg); break;
        case 'l': opt_login_conc = atoi(optarg); break;
        default: usage();
        }
    }
    if (opt_url == NULL || opt_pid <= 0 || opt_agents < 1 || opt_agents > AGENTS_MAX ||
        opt_window <= 0 || opt_window > 600 || opt_warmup < 0 || opt_warmup > 120 ||
        opt_latency_s < 0 || opt_latency_s > 120 || opt_pool < 1 || opt_creators < 1 ||
        opt_creators > 256)
        usage();
    if (strncmp(opt_url, "http://127.", 11) != 0 && strncmp(opt_url, "http://localhost", 16) != 0 &&
        strncmp(opt_url, "http://[::1]", 12) != 0)
        die("%s: loopback addresses only", opt_url);
    if (opt_nteams == 0)
        opt_teams[opt_nteams++] = "Support Team";
    if (opt_backlog < 0)
        opt_backlog = opt_agents / 2 > 1 ? opt_agents / 2 : 1;
    snprintf(base_url, sizeof base_url, "%s", opt_url);
    size_t bl = strlen(base_url);
    if (bl && base_url[bl - 1] == '/')
        base_url[bl - 1] = 0;
}

static void raise_nofile(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    getrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_cur < (rlim_t)opt_agents * 2 + (rlim_t)opt_pool + 64)
        fprintf(stderr, "bench_agents: descriptor limit %lu may be too low\n",
                (unsigned long)rl.rlim_cur);
}

static void set_phase(enum phase p)
{
    phase = p;
    phase_t0 = now_s();
}

int main(int argc, char **argv)
{
    parse_args(argc, argv);
    raise_nofile();
    curl_global_init(CURL_GLOBAL_DEFAULT);
    epfd = epoll_create1(EPOLL_CLOEXEC);
    multi = curl_multi_init();
    long conns = (long)opt_agents + opt_pool;
    curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, sock_cb);
    curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, timer_cb);
    /* every agent's stream holds a connection for good; requests share
     * opt_pool kept-alive connections on top of those */
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, conns);
    curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, conns);
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, conns + 16);

    agents = xcalloc((size_t)opt_agents, sizeof *agents);
    kick_list = xcalloc((size_t)opt_agents, sizeof *kick_list);
    kick_marked = xcalloc((size_t)opt_agents, sizeof *kick_marked);
    cbmap = xcalloc(ID_MAP_SIZE, sizeof *cbmap);
    for (int i = 0; i < opt_agents; i++) {
        struct agent *a = &agents[i];
        a->no = i;
        snprintf(a->login, sizeof a->login, "%s%04d", opt_prefix, i);
        xfer_init(&a->act, a);
    }

    char *sup = login_blocking(opt_sup_user, opt_sup_password);
    char h[256];
    snprintf(h, sizeof h, "Authorization: Bearer %s", sup);
    sup_hdrs = curl_slist_append(NULL, h);
    sup_hdrs = curl_slist_append(sup_hdrs, "Content-Type: application/json");
    free(sup);
    creators = xcalloc((size_t)opt_creators, sizeof *creators);
    for (int i = 0; i < opt_creators; i++)
        xfer_init(&creators[i], NULL);

    char *admin = login_blocking(opt_admin_user, opt_admin_password);
    snprintf(admin_auth, sizeof admin_auth, "Authorization: Bearer %s", admin);
    free(admin);
    struct curl_slist *admin_hdrs = curl_slist_append(NULL, admin_auth);
    metrics_h = curl_easy_init();
    char murl[256];
    snprintf(murl, sizeof murl, "%s/metrics", base_url);
    curl_easy_setopt(metrics_h, CURLOPT_URL, murl);
    curl_easy_setopt(metrics_h, CURLOPT_HTTPHEADER, admin_hdrs);
    curl_easy_setopt(metrics_h, CURLOPT_WRITEFUNCTION, body_write);
    curl_easy_setopt(metrics_h, CURLOPT_WRITEDATA, &metrics_x);
    curl_easy_setopt(metrics_h, CURLOPT_TIMEOUT, 10L);

    printf("== %d agents (%s0000..), team callbacks in %s for ", opt_agents, opt_prefix, opt_bp);
    if (opt_nteams <= 3)
        for (int i = 0; i < opt_nteams; i++)
            printf("%s\"%s\"", i ? ", " : "", opt_teams[i]);
    else
        printf("%d teams (\"%s\" ...)", opt_nteams, opt_teams[0]);
    printf("; %d pooled request connections, %d creates at once, backlog <= %d\n", opt_pool,
           opt_creators, opt_backlog);
    fflush(stdout);

    set_phase(P_LOGIN);
    double t_start = now_s(), t_login = 0, t_streams = 0, t_last_note = t_start;
    logins_top_up();
    struct snap s0 = {0}, s1 = {0};
    double window_rate = 0;
    bool latency_stopped = false;
    struct epoll_event evs[512];

    while (phase != P_DONE) {
        double now = now_s();
        int wait_ms = 5;
        if (timer_at >= 0) {
            double d = (timer_at - now) * 1000.0;
            if (d < wait_ms)
                wait_ms = d < 0 ? 0 : (int)d;
        }
        int n = epoll_wait(epfd, evs, 512, wait_ms);
        int running;
        for (int i = 0; i < n; i++) {
            int fl = 0;
            if (evs[i].events & (EPOLLIN | EPOLLHUP))
                fl |= CURL_CSELECT_IN;
            if (evs[i].events & EPOLLOUT)
                fl |= CURL_CSELECT_OUT;
            if (evs[i].events & EPOLLERR)
                fl |= CURL_CSELECT_ERR;
            curl_multi_socket_action(multi, evs[i].data.fd, fl, &running);
        }
        if (timer_at >= 0 && now_s() >= timer_at) {
            timer_at = -1;
            curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running);
        }
        process_done();
        run_kicks();

        now = now_s();
        double in_phase = now - phase_t0;
        switch (phase) {
        case P_LOGIN:
            if (now - t_last_note > 10) {
                fprintf(stderr, "bench_agents: %lu logins done...\n", logged_in);
                t_last_note = now;
            }
            if (logged_in + login_failed == (unsigned long)opt_agents) {
                if (login_failed)
                    die("%lu of the agents' logins failed", login_failed);
                t_login = now - t_start;
                for (int i = 0; i < opt_agents; i++)
                    agent_open_stream(&agents[i]);
                set_phase(P_STREAMS);
            } else if (in_phase > LOGIN_PHASE_S) {
                die("logins took more than %.0f s", LOGIN_PHASE_S);
            }
            break;
        case P_STREAMS:
            if (streams_ok == (unsigned long)opt_agents) {
                t_streams = in_phase;
                set_phase(P_READY);
                for (int i = 0; i < opt_agents; i++)
                    agent_put_ready(&agents[i]);
            } else if (in_phase > SETUP_PHASE_S) {
                fprintf(stderr, "bench_agents: %lu of %d streams open\n", streams_ok, opt_agents);
                die("event streams took more than %.0f s to open", SETUP_PHASE_S);
            }
            break;
        case P_READY:
            if (readied == (unsigned long)opt_agents) {
                set_phase(P_WARMUP);
            } else if (in_phase > SETUP_PHASE_S) {
                fprintf(stderr, "bench_agents: %lu of %d agents Ready\n", readied, opt_agents);
                die("going Ready took more than %.0f s", SETUP_PHASE_S);
            }
            break;
        case P_WARMUP:
            if (in_phase >= opt_warmup) {
                snap_take(&s0);
                set_phase(P_WINDOW);
                fprintf(stderr, "READY_FOR_PERF\n");
            }
            break;
        case P_WINDOW:
            if (in_phase >= opt_window) {
                snap_take(&s1);
                window_rate = (double)lifecycles_window / (s1.t - s0.t);
                set_phase(opt_latency_s > 0 ? P_SETTLE : P_DONE);
            }
            break;
        case P_SETTLE:
            if ((queued_estimate() <= 0 && creates_inflight == 0) || in_phase > SETTLE_PHASE_S) {
                latency_rate = opt_latency_rate > 0 ? opt_latency_rate
                                                    : (window_rate / 2 > 10 ? window_rate / 2 : 10);
                latency_rate_used = latency_rate;
                latency_base = creates_sent;
                set_phase(P_LATENCY);
                latency_t0 = phase_t0;
            }
            break;
        case P_LATENCY:
            if (in_phase >= opt_latency_s && !latency_stopped) {
                latency_stopped = true;
                latency_rate = 0;
                latency_base = creates_sent;
            }
            /* after the phase, wait up to 3 s for the offers of its creates */
            if (latency_stopped && ((queued_estimate() <= 0 && creates_inflight == 0) ||
                                    in_phase >= opt_latency_s + 3))
                phase = P_DONE;
            break;
        case P_DONE:
            break;
        }
        creator_tick();
    }

    /* ---- figures ---- */
    double win = s1.t - s0.t;
    double lat_s = opt_latency_s;
    printf("setup: %d logins in %.1f s (%.0f/s), %d event streams open in %.2f s\n", opt_agents,
           t_login, (double)opt_agents / (t_login > 0 ? t_login : 1), opt_agents, t_streams);
    printf("window: %.1f s after %.1f s of warm-up\n", win, opt_warmup);
    printf("lifecycles (accept, connected, complete 200): %lu in the window = %.0f/s with %d "
           "agents\n",
           lifecycles_window, window_rate, opt_agents);
    double cpb = s1.commands - s0.commands && s1.batches - s0.batches
                     ? (double)(s1.commands - s0.commands) / (double)(s1.batches - s0.batches)
                     : 0;
    printf("  requests in the window: creates %lu, accepts %lu, connected %lu, completes %lu\n",
           replies_window[K_CREATE][201], replies_window[K_ACCEPT][200],
           replies_window[K_CONNECTED][200], replies_window[K_COMPLETE][200]);
    print_errors(replies_window, "  errors in the window:");
    print_errors(replies, "  errors over the whole run:");
    double rp50 = samples_pct(&reoffer_lat, 50), rp99 = samples_pct(&reoffer_lat, 99),
           rmax = samples_pct(&reoffer_lat, 100);
    printf("offer latency at saturation (an agent completes while more is queued than there are "
           "idle agents: its complete's 200 -> its next offer):\n");
    if (reoffer_lat.n)
        printf("  p50 %.2f ms, p99 %.2f ms, max %.2f ms over %zu offers (%lu offers read before "
               "the 200: counted as 0)\n",
               rp50, rp99, rmax, reoffer_lat.n, reoffer_before_reply);
    else
        printf("  n/a: never more queued than idle agents (the agents were not the bottleneck)\n");
    size_t nlat = create_lat.n;
    double cp50 = samples_pct(&create_lat, 50), cp99 = samples_pct(&create_lat, 99),
           cmax = samples_pct(&create_lat, 100);
    double sp50 = samples_pct(&create_sent_lat, 50), sp99 = samples_pct(&create_sent_lat, 99);
    printf("offer latency with idle agents (creates paced at %.0f/s for %.0f s; %lu lifecycles = "
           "%.0f/s):\n",
           latency_rate_used, lat_s, lifecycles_latency, lat_s > 0 ? (double)lifecycles_latency / lat_s : 0);
    printf("  create's 201 -> offer event: p50 %.2f ms, p99 %.2f ms, max %.2f ms over %zu creates "
           "(%lu offers read before their 201: counted as 0; %lu creates skipped, no idle agent "
           "seen)\n",
           cp50, cp99, cmax, nlat, latency_before_reply, latency_skipped_busy);
    printf("  create sent -> offer event (includes the create's round trip): p50 %.2f ms, p99 "
           "%.2f ms\n",
           sp50, sp99);
    double srv_cpu = s1.srv_cpu - s0.srv_cpu;
    double cli_u = s1.cli_user - s0.cli_user, cli_s = s1.cli_sys - s0.cli_sys;
    printf("server: RSS %ld KiB at the window's start, %ld KiB at its end; CPU %.0f%% of one core "
           "(%.1f s in %.1f s)\n",
           s0.rss_kib, s1.rss_kib, 100 * srv_cpu / win, srv_cpu, win);
    if (s0.metrics_ok && s1.metrics_ok)
        printf("engine: %llu group commits, %llu commands in the window = %.2f commands per "
               "commit (%.0f commits/s)\n",
               s1.batches - s0.batches, s1.commands - s0.commands, cpb,
               (double)(s1.batches - s0.batches) / win);
    else
        printf("engine: GET /metrics failed\n");
    printf("generator: CPU %.0f%% of one core (user %.1f s, system %.1f s in %.1f s)\n",
           100 * (cli_u + cli_s) / win, cli_u, cli_s, win);
    double busy = (s1.cpu_total - s0.cpu_total) - (s1.cpu_idle - s0.cpu_idle);
    printf("machine: %.0f%% of one core busy in all (%ld cores); other processes than cbd and "
           "this generator: %.0f%%\n",
           100 * busy / win, sysconf(_SC_NPROCESSORS_ONLN),
           100 * (busy - srv_cpu - cli_u - cli_s) / win);
    printf("events read by the agents in the window: %.0f/s (offer %.0f/s, callback and others "
           "%.0f/s, presence %.0f/s), %.1f MB/s\n",
           (double)(s1.events[EV_OFFER] + s1.events[EV_OTHER] + s1.events[EV_PRESENCE] +
                    s1.events[EV_RESET] - s0.events[EV_OFFER] - s0.events[EV_OTHER] -
                    s0.events[EV_PRESENCE] - s0.events[EV_RESET]) / win,
           (double)(s1.events[EV_OFFER] - s0.events[EV_OFFER]) / win,
           (double)(s1.events[EV_OTHER] - s0.events[EV_OTHER]) / win,
           (double)(s1.events[EV_PRESENCE] - s0.events[EV_PRESENCE]) / win,
           (double)(s1.bytes - s0.bytes) / win / 1e6);
    printf("streams: %lu resets, %lu ended early; agents set Not Ready and made Ready again: %lu; "
           "offers dropped (agent had %d pending): %lu\n",
           resets, stream_ends, rereadies, PENDING_MAX, offers_overflow);
    printf("RESULT agents=%d window_s=%.1f lifecycles_per_s=%.1f reoffer_p50_ms=%.2f "
           "reoffer_p99_ms=%.2f offer_p50_ms=%.2f offer_p99_ms=%.2f offer_samples=%zu "
           "latency_rate=%.0f rss0_kib=%ld rss1_kib=%ld server_cpu_pct=%.0f client_cpu_pct=%.0f "
           "commits=%llu commands=%llu commands_per_commit=%.2f errors=%lu resets=%lu other_cpu_pct=%.0f\n",
           opt_agents, win, window_rate, rp50, rp99, cp50, cp99, nlat, latency_rate_used, s0.rss_kib,
           s1.rss_kib, 100 * srv_cpu / win, 100 * (cli_u + cli_s) / win,
           s1.batches - s0.batches, s1.commands - s0.commands, cpb, errors_in(replies_window),
           resets, 100 * (busy - srv_cpu - cli_u - cli_s) / win);
    fflush(stdout);

    for (int i = 0; i < opt_agents; i++) {
        if (agents[i].stream) {
            curl_multi_remove_handle(multi, agents[i].stream);
            curl_easy_cleanup(agents[i].stream);
        }
        curl_multi_remove_handle(multi, agents[i].act.h);
        curl_easy_cleanup(agents[i].act.h);
    }
    curl_multi_cleanup(multi);
    return 0;
}
