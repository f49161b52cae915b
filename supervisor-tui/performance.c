/*
 * performance.c — the Callback Performance tab: the business process's
 * figures of the current shift as a snapshot, its attempts by outcome, and
 * a chart of callbacks processed and reached in each hour of the shift
 * (GET /api/v1/bps/{id}/performance). It is fetched again when the BP's
 * figures change (a `stats` event), at most every two seconds.
 */
#include "app.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "timefmt.h"
#include "vocab.h"

static time_t performance_due;

void performance_stats_changed(struct app *a, int64_t bp_id)
{
    if (a->view == VIEW_DETAIL && a->tab == TAB_PERFORMANCE && bp_id == a->bp_open &&
        performance_due == 0)
        performance_due = time(NULL) + 2;
}

void performance_tick(struct app *a)
{
    if (performance_due && time(NULL) >= performance_due) {
        performance_due = 0;
        if (a->view == VIEW_DETAIL && a->tab == TAB_PERFORMANCE)
            detail_tab_changed(a);
    }
}

void performance_draw(struct app *a, int top, int h)
{
    const cJSON *p = a->perf;
    if (p == NULL || jv_int(p, "bp_id", 0) != a->bp_open) {
        tui_put(top + 1, 2, COLS - 4, TUI_DIM, "Loading…", true);
        return;
    }
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(p, "stats");
    char shift[32], avg[32];
    timefmt_agent(jv_instant(p, "shift_start"), shift, sizeof shift);
    timefmt_span(jv_int(s, "avg_time_s", 0), avg, sizeof avg);
    const cJSON *rp = cJSON_GetObjectItemCaseSensitive(s, "reached_pct");
    const cJSON *fp = cJSON_GetObjectItemCaseSensitive(s, "fail_pct");
    tui_putf(top, 2, COLS - 4, TUI_DIM, true, "Shift since %s (r refreshes)", shift);
    tui_putf(top + 1, 2, COLS - 4, TUI_NORMAL, true,
             "Proc %lld  To Be Proc %lld  Avg Time %s  Purged %lld  Reached %.1f%%  Fail %.1f%%",
             (long long)jv_int(s, "proc", 0), (long long)jv_int(s, "to_be_proc", 0), avg,
             (long long)jv_int(s, "purged", 0), cJSON_IsNumber(rp) ? rp->valuedouble : 0.0,
             cJSON_IsNumber(fp) ? fp->valuedouble : 0.0);
    /* attempts by outcome, several to a line */
    tui_put(top + 3, 2, COLS - 4, TUI_TITLE, "Attempts by outcome", true);
    const cJSON *att = cJSON_GetObjectItemCaseSensitive(p, "attempts"), *it;
    int x = 2, y = top + 4;
    cJSON_ArrayForEach(it, att)
    {
        enum attempt_state st;
        const char *name = attempt_parse(it->string, &st) ? attempt_display(st) : it->string;
        char cell[64];
        snprintf(cell, sizeof cell, "%s %d", name, cJSON_IsNumber(it) ? it->valueint : 0);
        int w = tui_width(cell) + 3;
        if (x + w > COLS - 2) {
            x = 2;
            y++;
        }
        tui_put(y, x, w, cJSON_IsNumber(it) && it->valueint ? TUI_NORMAL : TUI_DIM, cell, true);
        x += w;
    }
    /* the chart: one column pair per hour, processed (█) and reached (▒) */
    int chart_top = y + 2, chart_h = top + h - chart_top - 2;
    const cJSON *hours = cJSON_GetObjectItemCaseSensitive(p, "hours");
    int n = cJSON_GetArraySize(hours);
    if (chart_h < 3 || n == 0)
        return;
    tui_put(chart_top - 1, 2, COLS - 4, TUI_TITLE, "Per hour: █ processed  ▒ reached", true);
    int maxv = 1;
    cJSON_ArrayForEach(it, hours)
    {
        if (jv_int(it, "processed", 0) > maxv)
            maxv = (int)jv_int(it, "processed", 0);
    }
    int colw = (COLS - 8) / (n > 0 ? n : 1);
    if (colw > 4)
        colw = 4;
    if (colw < 2)
        colw = 2;
    tui_putf(chart_top, 0, 5, TUI_DIM, true, "%4d", maxv);
    for (int i = 0; i < n && 6 + i * colw + 1 < COLS; i++) {
        const cJSON *hr = cJSON_GetArrayItem(hours, i);
        int proc = (int)jv_int(hr, "processed", 0), reach = (int)jv_int(hr, "reached", 0);
        int ph = proc * chart_h / maxv, rh = reach * chart_h / maxv;
        if (proc > 0 && ph == 0)
            ph = 1;
        if (reach > 0 && rh == 0)
            rh = 1;
        int cx = 6 + i * colw;
        for (int k = 0; k < chart_h; k++) {
            int row = chart_top + chart_h - 1 - k;
            tui_put(row, cx, 1, TUI_OK, k < ph ? "█" : " ", false);
            tui_put(row, cx + 1, 1, TUI_TITLE, k < rh ? "▒" : " ", false);
        }
        char hh[8];
        timefmt_clock(jv_instant(hr, "start"), hh, sizeof hh);
        if (i % 3 == 0)
            tui_put(chart_top + chart_h, cx, 5, TUI_DIM, hh, false);
    }
}
