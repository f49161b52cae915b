/*
 * monitor.c — the Business Process Monitor: one row per business process
 * with CLBK Stat (Active, Off Schedule HRS, Stopped — each its own colour,
 * and readable without colour: Stopped in bold capitals with '■', Off
 * Schedule with '◐', Active with '●'), Proc, Clbk To Be Proc, Clbk Avg
 * Time, Clbk Purged, % Clbk Reached and % Clbk Fail, live from the `stats`
 * and `bp` events; a cell that changed is highlighted for two seconds.
 * Sorted by any column (< and >, i to reverse, or a click on its title);
 * m or a right click opens the actions of a business process.
 */
#include "app.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MONITOR_FLASH_S 2

static const struct {
    const char *title;
    int width;
} monitor_cols[COL_COUNT] = {
    [COL_BP] = {"Business Process", 22},  [COL_STAT] = {"CLBK Stat", 18},
    [COL_PROC] = {"Proc", 6},             [COL_TBP] = {"Clbk To Be Proc", 15},
    [COL_AVG] = {"Clbk Avg Time", 13},    [COL_PURGED] = {"Clbk Purged", 11},
    [COL_REACHED] = {"% Clbk Reached", 14}, [COL_FAIL] = {"% Clbk Fail", 11},
};

/* Columns narrower at 80 columns: the titles the seed uses, shortened. */
static const char *const monitor_short[COL_COUNT] = {
    [COL_BP] = "BP",       [COL_STAT] = "CLBK Stat", [COL_PROC] = "Proc",  [COL_TBP] = "To Proc",
    [COL_AVG] = "Avg",     [COL_PURGED] = "Purged",  [COL_REACHED] = "%Rch", [COL_FAIL] = "%Fail",
};

static int monitor_widths(int *w)
{
    int total = 0;
    for (int c = 0; c < COL_COUNT; c++)
        total += (w[c] = monitor_cols[c].width) + 1;
    if (total <= COLS)
        return 0;
    /* narrow layout */
    static const int narrow[COL_COUNT] = {16, 18, 5, 7, 6, 6, 6, 6};
    total = 0;
    for (int c = 0; c < COL_COUNT; c++)
        total += (w[c] = narrow[c]) + 1;
    if (total < COLS)
        w[COL_BP] += COLS - total;
    return 1;
}

static const char *monitor_stat_text(const char *stat, enum tui_role *role)
{
    if (strcmp(stat, "stopped") == 0) {
        *role = TUI_ERROR;
        return "■ STOPPED";
    }
    if (strcmp(stat, "off_schedule") == 0) {
        *role = TUI_WARN;
        return "◐ Off Schedule HRS";
    }
    *role = TUI_OK;
    return "● Active";
}

static struct app *monitor_sort_app;

static double monitor_num(const struct bp_row *r, enum col c)
{
    static const char *const keys[COL_COUNT] = {
        [COL_PROC] = "proc",       [COL_TBP] = "to_be_proc",     [COL_AVG] = "avg_time_s",
        [COL_PURGED] = "purged",   [COL_REACHED] = "reached_pct", [COL_FAIL] = "fail_pct",
    };
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(r->stats, keys[c]);
    return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

static int monitor_cmp(const void *x, const void *y)
{
    const struct bp_row *a = *(struct bp_row *const *)x, *b = *(struct bp_row *const *)y;
    struct app *app = monitor_sort_app;
    int r = 0;
    enum col c = app->sort_col;
    if (c == COL_BP)
        r = strcmp(jv_str(a->bp, "name"), jv_str(b->bp, "name"));
    else if (c == COL_STAT)
        r = strcmp(jv_str(a->bp, "clbk_stat"), jv_str(b->bp, "clbk_stat"));
    else {
        double p = monitor_num(a, c), q = monitor_num(b, c);
        r = (p > q) - (p < q);
    }
    if (r == 0)
        r = (a->id > b->id) - (a->id < b->id);
    return app->sort_desc ? -r : r;
}

int monitor_order(struct app *a, struct bp_row **out, int max)
{
    int n = 0;
    for (int i = 0; i < a->n_rows && n < max; i++)
        if (a->rows[i].bp)
            out[n++] = &a->rows[i];
    monitor_sort_app = a;
    qsort(out, (size_t)n, sizeof *out, monitor_cmp);
    return n;
}

static void monitor_cell(struct bp_row *r, enum col c, char *buf, size_t size)
{
    const cJSON *s = r->stats;
    switch (c) {
    case COL_BP:
        snprintf(buf, size, "%s", jv_str(r->bp, "name"));
        break;
    case COL_PROC:
        snprintf(buf, size, "%lld", (long long)jv_int(s, "proc", 0));
        break;
    case COL_TBP:
        snprintf(buf, size, "%lld", (long long)jv_int(s, "to_be_proc", 0));
        break;
    case COL_AVG: {
        long long t = (long long)jv_int(s, "avg_time_s", 0);
        snprintf(buf, size, "%lld:%02lld", t / 60, t % 60);
        break;
    }
    case COL_PURGED:
        snprintf(buf, size, "%lld", (long long)jv_int(s, "purged", 0));
        break;
    case COL_REACHED:
    case COL_FAIL: {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(s, c == COL_REACHED ? "reached_pct" : "fail_pct");
        snprintf(buf, size, "%.1f", cJSON_IsNumber(v) ? v->valuedouble : 0.0);
        break;
    }
    default:
        buf[0] = '\0';
    }
}

void monitor_draw(struct app *a, int top, int h)
{
    int w[COL_COUNT];
    bool narrow = monitor_widths(w);
    /* the title row: the sort column marked */
    int x = 0;
    tui_fill(top, 0, 1, COLS, TUI_TITLE);
    for (int c = 0; c < COL_COUNT; c++) {
        char t[64];
        snprintf(t, sizeof t, "%s%s", narrow ? monitor_short[c] : monitor_cols[c].title,
                 a->sort_col == (enum col)c ? (a->sort_desc ? "▼" : "▲") : "");
        tui_put(top, x, w[c], a->sort_col == (enum col)c ? TUI_SELECTED : TUI_TITLE, t, true);
        x += w[c] + 1;
    }
    struct bp_row *order[1024];
    int n = monitor_order(a, order, 1024);
    int rows = h - 1;
    if (n == 0) {
        tui_put(top + 1, 1, COLS - 2, TUI_DIM, a->n_rows ? "" : "Loading…", true);
        return;
    }
    tui_list_clamp(&a->mon_sel, &a->mon_top, n, rows);
    time_t now = time(NULL);
    for (int i = 0; i < rows && a->mon_top + i < n; i++) {
        struct bp_row *r = order[a->mon_top + i];
        bool sel = a->mon_top + i == a->mon_sel;
        x = 0;
        for (int c = 0; c < COL_COUNT; c++) {
            char buf[64];
            enum tui_role role = sel ? TUI_SELECTED : TUI_NORMAL;
            if (c == COL_STAT) {
                enum tui_role sr;
                snprintf(buf, sizeof buf, "%s", monitor_stat_text(jv_str(r->bp, "clbk_stat"), &sr));
                if (!sel)
                    role = sr;
            } else {
                monitor_cell(r, (enum col)c, buf, sizeof buf);
            }
            if (r->changed[c] && now - r->changed[c] < MONITOR_FLASH_S)
                role = TUI_CHANGED;
            if (c >= COL_PROC) {
                char right[64];
                snprintf(right, sizeof right, "%*s", w[c], buf);
                tui_put(top + 1 + i, x, w[c], role, right, true);
            } else {
                tui_put(top + 1 + i, x, w[c], role, buf, true);
            }
            if (sel && x + w[c] < COLS)
                tui_put(top + 1 + i, x + w[c], 1, TUI_SELECTED, " ", false);
            x += w[c] + 1;
        }
    }
}

/* Does any cell still carry its highlight? (The loop redraws to end it.) */
bool monitor_flashing(const struct app *a)
{
    time_t now = time(NULL);
    for (int i = 0; i < a->n_rows; i++)
        for (int c = 0; c < COL_COUNT; c++)
            if (a->rows[i].changed[c] && now - a->rows[i].changed[c] <= MONITOR_FLASH_S)
                return true;
    return false;
}

static int64_t monitor_selected(struct app *a)
{
    struct bp_row *order[1024];
    int n = monitor_order(a, order, 1024);
    return a->mon_sel < n ? order[a->mon_sel]->id : 0;
}

void monitor_bp_menu(struct app *a, int64_t bp_id)
{
    if (bp_id == 0)
        return;
    static const char *const items[] = {"Open the detail", "Stop callbacks", "Start callbacks"};
    char title[128];
    snprintf(title, sizeof title, "%s", app_bp_name(a, bp_id));
    prompt_menu(a, ACT_BP_MENU, bp_id, title, items, 3);
}

bool monitor_key(struct app *a, wint_t ch, bool is_key)
{
    if (is_key) {
        switch (ch) {
        case KEY_UP:
            a->mon_sel--;
            return true;
        case KEY_DOWN:
            a->mon_sel++;
            return true;
        case KEY_PPAGE:
            a->mon_sel -= LINES / 2;
            return true;
        case KEY_NPAGE:
            a->mon_sel += LINES / 2;
            return true;
        case KEY_HOME:
            a->mon_sel = 0;
            return true;
        case KEY_END:
            a->mon_sel = 1 << 20;
            return true;
        case KEY_ENTER:
            detail_open(a, monitor_selected(a));
            return true;
        default:
            return false;
        }
    }
    switch (ch) {
    case '\r':
    case '\n':
        detail_open(a, monitor_selected(a));
        return true;
    case '<':
        a->sort_col = (enum col)((a->sort_col + COL_COUNT - 1) % COL_COUNT);
        return true;
    case '>':
        a->sort_col = (enum col)((a->sort_col + 1) % COL_COUNT);
        return true;
    case 'i':
        a->sort_desc = !a->sort_desc;
        return true;
    case 'm':
        monitor_bp_menu(a, monitor_selected(a));
        return true;
    default:
        return false;
    }
}

void monitor_click(struct app *a, int y, int x, bool right)
{
    /* the title row is the first of the view (row 1 of the screen) */
    if (y == 1) {
        int w[COL_COUNT], cx = 0;
        monitor_widths(w);
        for (int c = 0; c < COL_COUNT; c++) {
            if (x >= cx && x < cx + w[c] + 1) {
                if (a->sort_col == (enum col)c)
                    a->sort_desc = !a->sort_desc;
                else
                    a->sort_col = (enum col)c, a->sort_desc = false;
            }
            cx += w[c] + 1;
        }
        return;
    }
    int row = a->mon_top + (y - 2);
    if (row < 0 || row >= a->n_rows)
        return;
    a->mon_sel = row;
    if (right)
        monitor_bp_menu(a, monitor_selected(a));
}
