/*
 * detail.c — a business process's detail: its name, CLBK Stat and the tab
 * bar (Callback Performance, Callback Timing, Callback Search, Current
 * Interactions, Completed), switched with Tab, Shift-Tab or the arrows; and
 * the Current Interactions tab itself: the BP's callbacks in the queue and
 * with agents right now, loaded once and then kept live from `callback`
 * events, with their state, agent and time in state.
 *
 * It also keeps a->holding, the callbacks agents hold, for the Agents view.
 */
#include "app.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "serverclock.h"
#include "timefmt.h"
#include "vocab.h"

static const char *const detail_tabs[TAB_COUNT] = {
    "Callback Performance", "Callback Timing", "Callback Search", "Current Interactions", "Completed",
};

void detail_tab_changed(struct app *a)
{
    char path[160];
    switch (a->tab) {
    case TAB_PERFORMANCE:
        snprintf(path, sizeof path, "/api/v1/bps/%lld/performance", (long long)a->bp_open);
        net_get(a, path, T_PERF, a->bp_open);
        break;
    case TAB_TIMING:
        timing_enter(a);
        break;
    case TAB_SEARCH:
        search_reload(a);
        break;
    case TAB_CURRENT:
        cJSON_Delete(a->current);
        a->current = cJSON_CreateArray();
        snprintf(path, sizeof path,
                 "/api/v1/callbacks?bp=%lld&location=handling_by_business_process&limit=500",
                 (long long)a->bp_open);
        net_get(a, path, T_CURRENT_QUEUE, a->bp_open);
        snprintf(path, sizeof path, "/api/v1/callbacks?bp=%lld&location=handling_by_agent&limit=500",
                 (long long)a->bp_open);
        net_get(a, path, T_CURRENT_AGENT, a->bp_open);
        break;
    case TAB_COMPLETED:
        completed_reload(a);
        break;
    default:
        break;
    }
    a->dirty = true;
}

void detail_open(struct app *a, int64_t bp_id)
{
    if (bp_id == 0 || app_row(a, bp_id) == NULL)
        return;
    if (a->bp_open != bp_id) {
        cJSON_Delete(a->search.page); /* the page of the BP shown before */
        memset(&a->search, 0, sizeof a->search);
        a->search.location = 1; /* Pending: the callbacks to be processed first */
        memset(a->report.from, 0, sizeof a->report.from);
        memset(a->report.to, 0, sizeof a->report.to);
        cJSON_Delete(a->perf);
        a->perf = NULL;
    }
    a->bp_open = bp_id;
    a->view = VIEW_DETAIL;
    detail_tab_changed(a);
}

void detail_load_holding(struct app *a)
{
    cJSON_Delete(a->holding);
    a->holding = cJSON_CreateArray();
    net_get(a, "/api/v1/callbacks?location=handling_by_agent&limit=500", T_HOLDING, 0);
}

/* Puts cb in, or takes it out of, the Agents view's list and Current
 * Interactions. */
static void detail_apply(struct app *a, const cJSON *cb)
{
    const char *loc = jv_str(cb, "location");
    bool with_agent = strcmp(loc, "handling_by_agent") == 0;
    bool queued = strcmp(loc, "handling_by_business_process") == 0;
    if (a->holding == NULL)
        a->holding = cJSON_CreateArray();
    jv_upsert_by_id(a->holding, cb, with_agent);
    if (a->current && jv_int(cb, "bp_id", 0) == a->bp_open)
        jv_upsert_by_id(a->current, cb, with_agent || queued);
    a->dirty = true;
}

void detail_snapshot_item(struct app *a, const cJSON *cb)
{
    int64_t id = jv_int(cb, "id", 0), version = jv_int(cb, "version", 0);
    for (size_t i = 0; i < sizeof a->gone / sizeof a->gone[0]; i++)
        if (a->gone[i].id == id && a->gone[i].version >= version)
            return; /* an event said as much or more already */
    detail_apply(a, cb);
}

void detail_callback_event(struct app *a, const cJSON *cb)
{
    /* remembered against a snapshot that answers later with an older copy
     * (one that an event already moved out of a list) */
    size_t k = (size_t)a->gone_next++ % (sizeof a->gone / sizeof a->gone[0]);
    a->gone[k].id = jv_int(cb, "id", 0);
    a->gone[k].version = jv_int(cb, "version", 0);
    detail_apply(a, cb);
}

static void detail_current_draw(struct app *a, int top, int h)
{
    int n = cJSON_GetArraySize(a->current);
    int queued = 0;
    for (int i = 0; i < n; i++)
        queued += strcmp(jv_str(cJSON_GetArrayItem(a->current, i), "location"), "handling_by_agent") != 0;
    tui_putf(top, 1, COLS - 2, TUI_DIM, true, "%d in queue, %d with agents — live", queued, n - queued);
    static const int widths[] = {7, 16, 10, 12, -8, -8, 24};
    static const char *const titles[] = {"ID", "Number", "State", "Agent", "In state", "Attempts", "Due"};
    tui_cells(top + 1, 1, COLS - 1, TUI_TITLE, 7, widths, titles);
    int rows = h - 2;
    if (n == 0) {
        tui_put(top + 2, 1, COLS - 2, TUI_DIM, "Nothing in the queue or with agents.", true);
        return;
    }
    tui_list_clamp(&a->cur_sel, &a->cur_top, n, rows);
    int64_t now = serverclock_now();
    for (int i = 0; i < rows && a->cur_top + i < n; i++) {
        const cJSON *cb = cJSON_GetArrayItem(a->current, a->cur_top + i);
        const char *st = jv_str(cb, "state");
        enum istate is;
        const char *state = st[0] && istate_parse(st, &is) ? istate_display(is) : "In queue";
        int64_t since = jv_instant(cb, "state_since");
        if (since == 0)
            since = jv_instant(cb, "due_at");
        char in[32], due[32];
        timefmt_span(now - since, in, sizeof in);
        timefmt_agent(jv_instant(cb, "due_at"), due, sizeof due);
        const char *holder = jv_str(cb, "holder");
        char id[24], att[24], due2[64];
        snprintf(id, sizeof id, "%lld", (long long)jv_int(cb, "id", 0));
        snprintf(att, sizeof att, "%lld", (long long)jv_int(cb, "attempts", 0));
        snprintf(due2, sizeof due2, "%s%s", due, jv_bool(cb, "timed_out") ? "  dialing stopped" : "");
        const char *cells[] = {id, jv_str(cb, "destination"), state, holder[0] ? holder : "—", in, att, due2};
        tui_cells(top + 2 + i, 0, COLS, a->cur_top + i == a->cur_sel ? TUI_SELECTED : TUI_NORMAL, 7,
                  (const int[]){8, 16, 10, 12, -8, -8, 24}, cells);
    }
}

void detail_draw(struct app *a, int top, int h)
{
    struct bp_row *r = app_row(a, a->bp_open);
    if (r == NULL)
        return;
    const char *stat = jv_str(r->bp, "clbk_stat");
    enum clbk_stat cs;
    tui_putf(top, 1, COLS - 2, TUI_TITLE, true, "%s  ·  %s  ·  zone %s", jv_str(r->bp, "name"),
             clbk_stat_parse(stat, &cs) ? clbk_stat_display(cs) : stat, jv_str(r->bp, "tz"));
    int x = 1;
    for (int t = 0; t < TAB_COUNT; t++) {
        char label[64];
        snprintf(label, sizeof label, " %s ", detail_tabs[t]);
        if (COLS < 100) {
            static const char *const short_tabs[TAB_COUNT] = {"Performance", "Timing", "Search",
                                                              "Current", "Completed"};
            snprintf(label, sizeof label, " %s ", short_tabs[t]);
        }
        x += tui_put(top + 1, x, COLS - x, t == (int)a->tab ? TUI_SELECTED : TUI_BAR, label, false) + 1;
    }
    int body = top + 2, bh = h - 2;
    switch (a->tab) {
    case TAB_PERFORMANCE:
        performance_draw(a, body, bh);
        break;
    case TAB_TIMING:
        timing_draw(a, body, bh);
        break;
    case TAB_SEARCH:
        search_draw(a, body, bh);
        break;
    case TAB_CURRENT:
        detail_current_draw(a, body, bh);
        break;
    case TAB_COMPLETED:
        completed_draw(a, body, bh);
        break;
    default:
        break;
    }
}

bool detail_key(struct app *a, wint_t ch, bool is_key)
{
    if ((!is_key && ch == '\t') || (is_key && ch == KEY_RIGHT && a->tab != TAB_TIMING)) {
        a->tab = (enum tab)((a->tab + 1) % TAB_COUNT);
        detail_tab_changed(a);
        return true;
    }
    if ((is_key && ch == KEY_BTAB) || (is_key && ch == KEY_LEFT && a->tab != TAB_TIMING)) {
        a->tab = (enum tab)((a->tab + TAB_COUNT - 1) % TAB_COUNT);
        detail_tab_changed(a);
        return true;
    }
    if (!is_key && ch == 'm') {
        monitor_bp_menu(a, a->bp_open);
        return true;
    }
    switch (a->tab) {
    case TAB_TIMING:
        return timing_key(a, ch, is_key);
    case TAB_SEARCH:
        return search_key(a, ch, is_key);
    case TAB_COMPLETED:
        return completed_key(a, ch, is_key);
    case TAB_CURRENT:
        if (is_key && ch == KEY_UP)
            a->cur_sel--;
        else if (is_key && ch == KEY_DOWN)
            a->cur_sel++;
        else
            return false;
        return true;
    case TAB_PERFORMANCE:
        if (!is_key && ch == 'r') {
            detail_tab_changed(a);
            return true;
        }
        return false;
    default:
        return false;
    }
}

void detail_click(struct app *a, int y, int x)
{
    /* the tab bar is row 2 of the screen */
    if (y == 2) {
        int cx = 1;
        for (int t = 0; t < TAB_COUNT; t++) {
            static const char *const short_tabs[TAB_COUNT] = {"Performance", "Timing", "Search",
                                                              "Current", "Completed"};
            int w = tui_width(COLS < 100 ? short_tabs[t] : detail_tabs[t]) + 2;
            if (x >= cx && x < cx + w) {
                a->tab = (enum tab)t;
                detail_tab_changed(a);
                return;
            }
            cx += w + 1;
        }
        return;
    }
    if (a->tab == TAB_SEARCH)
        search_click(a, y - 5);
    else if (a->tab == TAB_CURRENT)
        a->cur_sel = a->cur_top + (y - 5);
}
