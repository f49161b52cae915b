/*
 * net.c — cb-supervisor's conversation with cbd: the login (a supervisor's
 * or an admin's; an agent is refused), the first load (business processes,
 * figures, agents, who holds what), the event stream kept open by the
 * session (stats, bp, callback and presence events keep every view live;
 * a "reset" loads everything again), and the replies of every request,
 * handed to the view that asked.
 */
#include "app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define V1 "/api/v1"

static void net_done(void *ctx, int tag, int64_t arg, const struct httpc_reply *r);

void net_get(struct app *a, const char *path, int tag, int64_t arg)
{
    httpc_request(a->s.http, "GET", path, NULL, 0, net_done, a, tag, arg);
}

void net_send(struct app *a, const char *method, const char *path, const cJSON *body, int tag,
              int64_t arg)
{
    httpc_request(a->s.http, method, path, body, 0, net_done, a, tag, arg);
}

void net_load_all(struct app *a)
{
    net_get(a, V1 "/bps", T_BPS, 0);
    net_get(a, V1 "/agents", T_AGENTS, 0);
    detail_load_holding(a);
    if (a->view == VIEW_DETAIL)
        detail_tab_changed(a);
    if (a->view == VIEW_DNC)
        dnc_reload(a);
}

void net_logout(struct app *a)
{
    if (!a->logged_in) {
        a->quit = true;
        return;
    }
    session_logout(&a->s, net_done, a, T_LOGOUT);
    app_status(a, CONSOLE_INFO, 0, "Logging out…");
}

/* The columns of a stats row, for change marks. */
static const char *const net_stat_keys[COL_COUNT] = {
    [COL_STAT] = "clbk_stat", [COL_PROC] = "proc",          [COL_TBP] = "to_be_proc",
    [COL_AVG] = "avg_time_s", [COL_PURGED] = "purged",      [COL_REACHED] = "reached_pct",
    [COL_FAIL] = "fail_pct",
};

static void net_apply_stats(struct app *a, const cJSON *row)
{
    struct bp_row *r = app_row(a, jv_int(row, "bp_id", 0));
    if (r == NULL)
        return;
    time_t now = time(NULL);
    if (r->stats) {
        for (int c = COL_STAT; c < COL_COUNT; c++) {
            const cJSON *x = cJSON_GetObjectItemCaseSensitive(r->stats, net_stat_keys[c]);
            const cJSON *y = cJSON_GetObjectItemCaseSensitive(row, net_stat_keys[c]);
            if (!cJSON_Compare(x, y, true))
                r->changed[c] = now;
        }
    }
    cJSON_Delete(r->stats);
    r->stats = cJSON_Duplicate(row, 1);
    performance_stats_changed(a, r->id);
    if (r->bp && jv_str(row, "clbk_stat")[0])
        cJSON_ReplaceItemInObjectCaseSensitive(r->bp, "clbk_stat",
                                               cJSON_CreateString(jv_str(row, "clbk_stat")));
    a->dirty = true;
}

static void net_apply_bp(struct app *a, const cJSON *bp)
{
    int64_t id = jv_int(bp, "id", 0);
    struct bp_row *r = app_row(a, id);
    if (r == NULL) {
        a->rows = realloc(a->rows, (size_t)(a->n_rows + 1) * sizeof *a->rows);
        if (a->rows == NULL)
            abort();
        r = &a->rows[a->n_rows++];
        memset(r, 0, sizeof *r);
        r->id = id;
    } else if (r->bp && strcmp(jv_str(r->bp, "clbk_stat"), jv_str(bp, "clbk_stat")) != 0) {
        r->changed[COL_STAT] = time(NULL);
    }
    cJSON_Delete(r->bp);
    r->bp = cJSON_Duplicate(bp, 1);
    if (r->stats)
        cJSON_ReplaceItemInObjectCaseSensitive(r->stats, "clbk_stat",
                                               cJSON_CreateString(jv_str(bp, "clbk_stat")));
    timing_bp_event(a, bp);
    a->dirty = true;
}

static void net_event(void *ctx, const char *type, const cJSON *data)
{
    struct app *a = ctx;
    if (strcmp(type, "stats") == 0)
        net_apply_stats(a, data);
    else if (strcmp(type, "bp") == 0 && cJSON_IsObject(data))
        net_apply_bp(a, data);
    else if (strcmp(type, "callback") == 0 && cJSON_IsObject(data)) {
        detail_callback_event(a, data);
        search_callback_event(a, data);
    } else if (strcmp(type, "presence") == 0)
        agents_presence_event(a, data);
    else if (strcmp(type, "reset") == 0)
        net_load_all(a);
    a->dirty = true;
}

static void net_conn(void *ctx)
{
    struct app *a = ctx;
    if (a->s.conn == SESSION_UP && a->s.was_up) {
        app_status(a, CONSOLE_INFO, 4, "Connected again");
    }
    a->dirty = true;
}

static void net_lost(void *ctx)
{
    struct app *a = ctx;
    a->logged_in = false;
    cJSON_Delete(a->import_lines); /* an import under way ends with the session */
    a->import_lines = NULL;
    a->import_left = 0;
    login_set_error(&a->login, "Your session ended; log in again");
    a->login.focus = 2;
    a->dirty = true;
}

static void net_login_done(void *ctx, const struct httpc_reply *r)
{
    struct app *a = ctx;
    static const char *const roles[] = {"supervisor", "admin", NULL};
    a->dirty = true;
    if (!console_login_reply(&a->login, &a->s, r, a->conf.server, roles, "a supervisor", "cb-agent"))
        return;
    const cJSON *user = cJSON_GetObjectItemCaseSensitive(r->json, "user");
    snprintf(a->me, sizeof a->me, "%s", jv_str(user, "login"));
    snprintf(a->my_name, sizeof a->my_name, "%s", jv_str(user, "name"));
    a->logged_in = true;
    a->login.busy = false;
    session_start(&a->s);
    net_load_all(a);
    app_status(a, CONSOLE_INFO, 5, "Logged in as %s", a->my_name);
}

static const struct session_ops net_session_ops = {
    .on_login = net_login_done,
    .on_event = net_event,
    .on_conn = net_conn,
    .on_lost = net_lost,
};

void net_init(struct app *a)
{
    session_init(&a->s, &net_session_ops, a);
}

static void net_done(void *ctx, int tag, int64_t arg, const struct httpc_reply *r)
{
    struct app *a = ctx;
    a->dirty = true;
    if (tag == T_LOGOUT) {
        a->quit = true;
        return;
    }
    if (r->status == 401 && a->logged_in) {
        session_end(&a->s);
        net_lost(a);
        return;
    }
    /* replies whose errors their view shows itself */
    switch (tag) {
    case T_SEARCH:
        search_page(a, r, arg);
        return;
    case T_SEARCH_ACTION:
        search_action_done(a, arg, r);
        return;
    case T_CALLBACK_VIEW:
        search_view_reply(a, r);
        return;
    case T_CALLBACK_EDIT:
        search_edit_reply(a, r);
        return;
    case T_TIMING_SAVE:
        timing_saved(a, r);
        return;
    case T_REPORT:
        completed_page(a, r, arg);
        return;
    case T_REPORT_CSV:
        completed_csv_page(a, r);
        return;
    case T_DNC:
    case T_DNC_ADD:
    case T_DNC_REMOVE:
    case T_DNC_IMPORT:
        dnc_reply(a, tag, arg, r);
        return;
    default:
        break;
    }
    if (r->status != 200) {
        if (r->status == 0)
            app_status(a, CONSOLE_ERROR, 8, "Cannot reach the server (%s)", r->message);
        else
            app_status(a, CONSOLE_ERROR, 8, "%s", r->message[0] ? r->message : "refused");
        return;
    }
    const cJSON *it;
    switch (tag) {
    case T_BPS:
        cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(r->json, "bps")) net_apply_bp(a, it);
        net_get(a, V1 "/stats", T_STATS, 0);
        break;
    case T_STATS:
        cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(r->json, "stats"))
        {
            struct bp_row *row = app_row(a, jv_int(it, "bp_id", 0));
            if (row) {
                /* a reload is not a change: no highlight */
                cJSON_Delete(row->stats);
                row->stats = cJSON_Duplicate(it, 1);
            }
        }
        break;
    case T_AGENTS:
        jv_replace(&a->agents, cJSON_GetObjectItemCaseSensitive(r->json, "agents"));
        break;
    case T_HOLDING:
    case T_CURRENT_QUEUE:
    case T_CURRENT_AGENT: {
        if (tag != T_HOLDING && arg != a->bp_open)
            break;
        cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(r->json, "callbacks"))
            detail_snapshot_item(a, it);
        /* every page: a thousand agents hold a thousand callbacks */
        const char *next = jv_str(r->json, "next");
        if (next[0]) {
            char path[512];
            char *after = httpc_escape(next);
            if (tag == T_HOLDING)
                snprintf(path, sizeof path, V1 "/callbacks?location=handling_by_agent&limit=500&after=%s", after);
            else
                snprintf(path, sizeof path, V1 "/callbacks?bp=%lld&location=%s&limit=500&after=%s",
                         (long long)arg,
                         tag == T_CURRENT_QUEUE ? "handling_by_business_process" : "handling_by_agent", after);
            free(after);
            net_get(a, path, tag, arg);
        }
        break;
    }
    case T_BP_STOP:
    case T_BP_START:
        net_apply_bp(a, r->json);
        app_status(a, CONSOLE_INFO, 5, "%s: callbacks %s", jv_str(r->json, "name"),
                   tag == T_BP_STOP ? "stopped" : "started");
        break;
    case T_BP_RELOAD:
        net_apply_bp(a, r->json);
        timing_load(a);
        break;
    case T_PERF:
        if (arg == a->bp_open)
            jv_replace(&a->perf, r->json);
        break;
    default:
        break;
    }
}
