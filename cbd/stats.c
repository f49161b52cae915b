/*
 * stats.c — the supervisor figures of DESIGN.md §4 (see stats.h).
 *
 * Per BP the engine thread keeps the counts of the current shift [start,
 * next): callbacks completed (Proc: every end state but Purged), purged,
 * reached (Handled with the last attempt answered live), the attempts with
 * a handle time and the sum of those times, and the callbacks not yet
 * completed (Clbk To Be Proc, whatever their due time). stats_start loads
 * them with three index range reads per BP (store_report_shift); then each
 * transition adjusts them (stats_on_callback / stats_on_attempt), so a
 * change costs a few additions, not a count. At the next shift start the
 * counts restart from zero, except To Be Proc.
 *
 * Derived figures, as the API shows them:
 *   avg_time_s   handle_sum / handled, rounded to the nearest second (half
 *                up); 0 when no attempt of the shift has a handle time.
 *   reached_pct  reached / proc as a percentage with one decimal, rounded
 *                half up (66.7); fail_pct = 100 - reached_pct, so the two
 *                always add up to 100; both 0 when proc is 0.
 *
 * HTTP threads read a snapshot under stats_lock. The counts a batch
 * changed are copied there when it has committed (stats_after_batch, the
 * engine's after-batch hook), so a reader never sees a figure the store
 * does not hold yet; a batch that fails to commit reloads everything from
 * the store instead. (Until the hook is wired in, each change is copied at
 * once.) GET /stats whose snapshot is from a shift that has ended, or that
 * comes before the first load, is answered on the engine thread after the
 * rollover instead, so it is never stale.
 *
 * `stats` events: stats_tick queues the row of each BP whose figures or
 * CLBK Stat changed, at most once per BP per second; stats_next_deadline
 * wakes the engine for the one held back, for the next shift start and
 * for the next opening or closing of each schedule.
 *
 * One BP's view (stats_view_*, for GET /bps/{id}/performance) is its row
 * from the snapshot, or — before the first load, or once the snapshot's
 * shift has ended and the engine has not rolled it over yet — counted from
 * a reader by the load itself (stats_load_one), so the shift and the
 * figures are always this file's.
 */
#include "stats.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "events.h"
#include "json.h"
#include "log.h"
#include "present.h"
#include "xalloc.h"

/* The counts of one BP's current shift. */
struct stats_fig {
    int64_t shift_start, shift_next; /* [start, next) */
    int64_t proc, purged, reached;
    int64_t handled_n, handle_sum_s;
    int64_t to_be_proc;
};

/* A BP as the engine thread keeps it. */
struct stats_bp {
    struct cb_bp bp;
    const struct tz_zone *zone;
    struct stats_fig fig;
    int clbk_stat;     /* enum clbk_stat at the last look */
    int64_t clbk_next; /* when the schedule opens or closes next */
    bool dirty;        /* changed since the last `stats` event */
    bool unpublished;  /* changed since the snapshot was last copied */
    int64_t sent_at;   /* when the last `stats` event went out */
};

/* What GET /stats reads. */
struct stats_snap {
    struct cb_bp bp;
    struct stats_fig fig;
};

/* Engine thread only. */
static struct stats_bp *stats_rows;
static size_t stats_count;
static bool stats_ready;       /* stats_start has loaded the rows */
static bool stats_hooked;      /* stats_after_batch is called: publish at commit */
static bool stats_all_pending; /* the snapshot must be rebuilt at commit */

/* Guards the snapshot and stats_loaded. */
static pthread_mutex_t stats_lock = PTHREAD_MUTEX_INITIALIZER;
static struct stats_snap *stats_snaps;
static size_t stats_snap_count;
static bool stats_loaded;

/* ---- shifts ---------------------------------------------------------------- */

static const struct tz_zone *stats_zone(const struct cb_bp *bp)
{
    const char *why = NULL;
    const struct tz_zone *z = tz_find(bp->tz, &why);
    if (z == NULL) {
        log_error("figures of %s: time zone %s: %s; shifts taken in UTC", bp->name, bp->tz,
                  why ? why : "unknown");
        z = tz_find("UTC", &why);
    }
    return z;
}

/* The shift holding now: [start, next). Consecutive shift starts are 23 to
 * 25 hours apart (DST), so the start in force 26 hours after this one is
 * the next. */
static void stats_shift(const struct stats_bp *r, int64_t now, int64_t *start, int64_t *next)
{
    *start = timing_shift_start(&r->bp.timing, r->zone, now);
    *next = timing_shift_start(&r->bp.timing, r->zone, *start + 26 * 3600);
    if (*next <= *start)
        *next = *start + 24 * 3600;
}

/* Moves r to the shift holding now; the counts of a new shift start from
 * zero (To Be Proc is not per shift). True when it moved. */
static bool stats_roll(struct stats_bp *r, int64_t now)
{
    if (now >= r->fig.shift_start && now < r->fig.shift_next)
        return false;
    int64_t start, next;
    stats_shift(r, now, &start, &next);
    if (start == r->fig.shift_start) {
        r->fig.shift_next = next;
        return false;
    }
    int64_t open = r->fig.to_be_proc;
    memset(&r->fig, 0, sizeof r->fig);
    r->fig.to_be_proc = open;
    r->fig.shift_start = start;
    r->fig.shift_next = next;
    r->dirty = true;
    return true;
}

static void stats_look_schedule(struct stats_bp *r, int64_t now)
{
    r->clbk_stat = (int)present_bp_clbk_stat(&r->bp, now);
    r->clbk_next = r->bp.stopped ? INT64_MAX
                                 : timing_next_schedule_change(&r->bp.timing, r->zone, now);
}

/* Loads r's BP figures from the store for the shift holding now. */
static enum store_result stats_load_one(struct store *w, struct stats_bp *r, int64_t now)
{
    r->zone = stats_zone(&r->bp);
    int64_t start, next;
    stats_shift(r, now, &start, &next);
    struct store_shift_counts c;
    enum store_result res = store_report_shift(w, r->bp.id, start, next, &c);
    if (res != STORE_OK)
        return res;
    memset(&r->fig, 0, sizeof r->fig);
    r->fig.shift_start = start;
    r->fig.shift_next = next;
    r->fig.proc = c.completed - c.purged;
    r->fig.purged = c.purged;
    r->fig.reached = c.reached;
    r->fig.handled_n = c.handled_n;
    r->fig.handle_sum_s = c.handle_sum_s;
    r->fig.to_be_proc = c.to_be_proc;
    stats_look_schedule(r, now);
    r->dirty = true;
    return STORE_OK;
}

/* ---- the snapshot ---------------------------------------------------------- */

/* Rebuilds the snapshot from every row. */
static void stats_copy_all(void)
{
    pthread_mutex_lock(&stats_lock);
    free(stats_snaps);
    stats_snaps = xcalloc(stats_count ? stats_count : 1, sizeof *stats_snaps);
    for (size_t i = 0; i < stats_count; i++) {
        stats_snaps[i].bp = stats_rows[i].bp;
        stats_snaps[i].fig = stats_rows[i].fig;
        stats_rows[i].unpublished = false;
    }
    stats_snap_count = stats_count;
    stats_loaded = true;
    pthread_mutex_unlock(&stats_lock);
    stats_all_pending = false;
}

/* After a load or a new BP: the snapshot is rebuilt when the batch commits
 * (at once outside a batch, or before stats_after_batch is wired in). */
static void stats_publish_all(bool at_once)
{
    if (at_once || !stats_hooked)
        stats_copy_all();
    else
        stats_all_pending = true;
}

/* Row i changed: its counts reach the snapshot when the batch commits, so
 * readers never see a figure the store does not hold yet. */
static void stats_publish(size_t i)
{
    if (stats_hooked) {
        stats_rows[i].unpublished = true;
        return;
    }
    pthread_mutex_lock(&stats_lock);
    if (i < stats_snap_count)
        stats_snaps[i].fig = stats_rows[i].fig;
    pthread_mutex_unlock(&stats_lock);
}

static struct stats_bp *stats_find(int64_t bp_id, size_t *index)
{
    for (size_t i = 0; i < stats_count; i++)
        if (stats_rows[i].bp.id == bp_id) {
            *index = i;
            return &stats_rows[i];
        }
    return NULL;
}

/* ---- loading ---------------------------------------------------------------- */

struct stats_load {
    struct stats_bp *rows;
    size_t count, cap;
};

static bool stats_load_each(void *ctx, const struct cb_bp *bp)
{
    struct stats_load *l = ctx;
    if (l->count == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 8;
        l->rows = xrealloc(l->rows, l->cap * sizeof *l->rows);
    }
    struct stats_bp *r = &l->rows[l->count++];
    memset(r, 0, sizeof *r);
    r->bp = *bp;
    return true;
}

bool stats_start(struct store *w, int64_t now)
{
    struct stats_load l = {0};
    enum store_result res = store_bp_list(w, stats_load_each, &l); /* by name */
    for (size_t i = 0; res == STORE_OK && i < l.count; i++)
        res = stats_load_one(w, &l.rows[i], now);
    if (res != STORE_OK) {
        log_error("figures: loading failed: %s", store_errmsg(w));
        free(l.rows);
        return false;
    }
    free(stats_rows);
    stats_rows = l.rows;
    stats_count = l.count;
    stats_ready = true;
    stats_publish_all(false);
    return true;
}

void stats_bp_changed(struct store *w, int64_t bp_id, int64_t now)
{
    if (!stats_ready)
        return; /* the load will read it */
    struct stats_bp fresh;
    memset(&fresh, 0, sizeof fresh);
    if (store_bp_get(w, bp_id, &fresh.bp) != STORE_OK ||
        stats_load_one(w, &fresh, now) != STORE_OK) {
        log_error("figures: reloading business process %lld failed: %s", (long long)bp_id,
                  store_errmsg(w));
        return;
    }
    size_t i;
    struct stats_bp *r = stats_find(bp_id, &i);
    if (r) {
        fresh.sent_at = r->sent_at;
        *r = fresh;
    } else {
        /* a new BP: in name order, as store_bp_list() gives them */
        stats_rows = xrealloc(stats_rows, (stats_count + 1) * sizeof *stats_rows);
        for (i = 0; i < stats_count && strcmp(stats_rows[i].bp.name, fresh.bp.name) < 0; i++)
            ;
        memmove(&stats_rows[i + 1], &stats_rows[i], (stats_count - i) * sizeof *stats_rows);
        stats_rows[i] = fresh;
        stats_count++;
    }
    stats_publish_all(false);
}

void stats_after_batch(struct store *w, bool committed)
{
    stats_hooked = true;
    if (committed) {
        if (stats_all_pending) {
            stats_copy_all();
            return;
        }
        pthread_mutex_lock(&stats_lock);
        for (size_t i = 0; i < stats_count && i < stats_snap_count; i++)
            if (stats_rows[i].unpublished) {
                stats_snaps[i].fig = stats_rows[i].fig;
                stats_rows[i].unpublished = false;
            }
        pthread_mutex_unlock(&stats_lock);
        return;
    }
    /* what the rolled-back batch counted is gone: count again */
    if (stats_ready && stats_start(w, clock_now()))
        stats_copy_all();
}

/* ---- changes ---------------------------------------------------------------- */

void stats_on_callback(const struct cb_callback *cb, int before, bool reached, int64_t now)
{
    size_t i;
    struct stats_bp *r = stats_find(cb->bp_id, &i);
    if (r == NULL)
        return; /* not loaded yet: the load will count it from the store */
    bool rolled = stats_roll(r, now);
    bool open_now = lifecycle_location(cb->state) != LOCATION_COMPLETED;
    bool open_before = before >= 0 && before != (int)LOCATION_COMPLETED;
    bool is_new = before < 0;
    bool changed = false;
    if (open_now && (is_new || !open_before)) {
        r->fig.to_be_proc++;
        changed = true;
    } else if (!open_now && open_before) {
        r->fig.to_be_proc--;
        changed = true;
    }
    if (!open_now && (is_new || open_before) && cb->completed_at >= r->fig.shift_start &&
        cb->completed_at < r->fig.shift_next) {
        if (cb->end_state == (int)END_PURGED) {
            r->fig.purged++;
        } else {
            r->fig.proc++;
            if (reached && cb->end_state == (int)END_HANDLED)
                r->fig.reached++;
        }
        changed = true;
    }
    if (changed)
        r->dirty = true;
    if (changed || rolled)
        stats_publish(i);
}

void stats_on_attempt(int64_t bp_id, const struct cb_attempt *a, int64_t now)
{
    size_t i;
    struct stats_bp *r = stats_find(bp_id, &i);
    if (r == NULL)
        return;
    bool changed = stats_roll(r, now);
    if (a->handle_s >= 0 && a->at >= r->fig.shift_start && a->at < r->fig.shift_next) {
        r->fig.handled_n++;
        r->fig.handle_sum_s += a->handle_s;
        r->dirty = changed = true;
    }
    if (changed)
        stats_publish(i);
}

/* ---- the row ------------------------------------------------------------------ */

/* One row of GET /stats (and of a `stats` event); the caller owns it. */
static cJSON *stats_row_json(const struct cb_bp *bp, const struct stats_fig *f, int64_t now)
{
    cJSON *o = cJSON_CreateObject();
    json_add_int(o, "bp_id", bp->id);
    cJSON_AddStringToObject(o, "bp", bp->name);
    cJSON_AddStringToObject(o, "clbk_stat", clbk_stat_wire(present_bp_clbk_stat(bp, now)));
    json_add_int(o, "proc", f->proc);
    json_add_int(o, "to_be_proc", f->to_be_proc);
    json_add_int(o, "avg_time_s",
                 f->handled_n ? (f->handle_sum_s + f->handled_n / 2) / f->handled_n : 0);
    json_add_int(o, "purged", f->purged);
    int64_t tenths = f->proc ? (f->reached * 1000 + f->proc / 2) / f->proc : 0;
    cJSON_AddNumberToObject(o, "reached_pct", (double)tenths / 10.0);
    cJSON_AddNumberToObject(o, "fail_pct", f->proc ? (double)(1000 - tenths) / 10.0 : 0.0);
    json_add_instant(o, "shift_start", f->shift_start);
    return o;
}

/* ---- one BP's view (GET /bps/{id}/performance) ------------------------------ */

static void stats_view_fill(struct stats_view *out, const struct cb_bp *bp,
                            const struct stats_fig *f, int64_t now)
{
    out->shift_start = f->shift_start;
    out->shift_next = f->shift_next;
    out->proc = f->proc;
    out->purged = f->purged;
    out->reached = f->reached;
    out->row = stats_row_json(bp, f, now);
}

bool stats_view_published(int64_t bp_id, int64_t now, struct stats_view *out)
{
    memset(out, 0, sizeof *out);
    struct stats_snap snap;
    bool found = false;
    pthread_mutex_lock(&stats_lock);
    for (size_t i = 0; stats_loaded && !found && i < stats_snap_count; i++)
        if (stats_snaps[i].bp.id == bp_id) {
            snap = stats_snaps[i];
            found = true;
        }
    pthread_mutex_unlock(&stats_lock);
    if (!found || now < snap.fig.shift_start || now >= snap.fig.shift_next)
        return false;
    stats_view_fill(out, &snap.bp, &snap.fig, now);
    return true;
}

enum store_result stats_view_load(struct store *st, const struct cb_bp *bp, int64_t now,
                                  struct stats_view *out)
{
    memset(out, 0, sizeof *out);
    struct stats_bp r;
    memset(&r, 0, sizeof r);
    r.bp = *bp;
    enum store_result res = stats_load_one(st, &r, now);
    if (res == STORE_OK)
        stats_view_fill(out, &r.bp, &r.fig, now);
    return res;
}

void stats_view_clear(struct stats_view *v)
{
    cJSON_Delete(v->row);
    v->row = NULL;
}

/* ---- time ---------------------------------------------------------------------- */

void stats_tick(struct store *w, int64_t now)
{
    (void)w;
    for (size_t i = 0; i < stats_count; i++) {
        struct stats_bp *r = &stats_rows[i];
        bool rolled = stats_roll(r, now);
        if (now >= r->clbk_next) {
            int was = r->clbk_stat;
            stats_look_schedule(r, now);
            if (r->clbk_stat != was)
                r->dirty = true;
        }
        if (rolled)
            stats_publish(i);
        if (r->dirty && now >= r->sent_at + 1) {
            struct event_audience to = {.supervisors = true};
            cJSON *o = stats_row_json(&r->bp, &r->fig, now);
            events_queue(EVENT_STATS, &to, json_print(o));
            cJSON_Delete(o);
            r->dirty = false;
            r->sent_at = now;
        }
    }
}

int64_t stats_next_deadline(void)
{
    int64_t next = INT64_MAX;
    for (size_t i = 0; i < stats_count; i++) {
        const struct stats_bp *r = &stats_rows[i];
        if (r->fig.shift_next < next)
            next = r->fig.shift_next;
        if (r->clbk_next < next)
            next = r->clbk_next;
        if (r->dirty && r->sent_at + 1 < next)
            next = r->sent_at + 1;
    }
    return next;
}

/* ---- GET /api/v1/stats ------------------------------------------------------- */

/* {"stats": [...]} of n rows. */
static cJSON *stats_reply_rows(const struct stats_snap *rows, size_t n, int64_t now)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *arr = cJSON_AddArrayToObject(root, "stats");
    for (size_t i = 0; i < n; i++)
        cJSON_AddItemToArray(arr, stats_row_json(&rows[i].bp, &rows[i].fig, now));
    return root;
}

/* The reply from the snapshot, or NULL when it is not loaded or a shift
 * in it has ended. */
static cJSON *stats_reply(int64_t now)
{
    pthread_mutex_lock(&stats_lock);
    bool fresh = stats_loaded;
    for (size_t i = 0; fresh && i < stats_snap_count; i++)
        if (now < stats_snaps[i].fig.shift_start || now >= stats_snaps[i].fig.shift_next)
            fresh = false;
    size_t n = fresh ? stats_snap_count : 0;
    struct stats_snap *copy = fresh ? xcalloc(n ? n : 1, sizeof *copy) : NULL;
    if (fresh && n)
        memcpy(copy, stats_snaps, n * sizeof *copy);
    pthread_mutex_unlock(&stats_lock);
    if (!fresh)
        return NULL;
    cJSON *root = stats_reply_rows(copy, n, now);
    free(copy);
    return root;
}

/* On the engine thread: load or roll over, then answer from the rows
 * themselves (the snapshot follows at commit; the reply goes out after it). */
static enum store_result stats_route_run(struct store *w, struct http_request *req)
{
    int64_t now = clock_now();
    if (stats_ready) {
        stats_tick(w, now);
    } else if (!stats_start(w, now)) {
        http_reply_error(req, ERR_INTERNAL, NULL, "storage error");
        return STORE_ERROR;
    }
    struct stats_snap *rows = xcalloc(stats_count ? stats_count : 1, sizeof *rows);
    for (size_t i = 0; i < stats_count; i++) {
        rows[i].bp = stats_rows[i].bp;
        rows[i].fig = stats_rows[i].fig;
    }
    http_reply_json(req, 200, stats_reply_rows(rows, stats_count, now));
    free(rows);
    return STORE_OK;
}

void route_stats(struct http_request *req)
{
    cJSON *root = stats_reply(clock_now());
    if (root)
        http_reply_json(req, 200, root);
    else
        http_engine(req, stats_route_run); /* load or roll over first */
}
