/*
 * completed.c — the Completed tab: report 6.04 of the business process
 * (GET /api/v1/reports/completed): end state, original entrance time, last
 * attempt time, total attempts, and on Enter every attempt with its time,
 * agent name and attempt state. The range is the current shift unless a
 * from / to date (in the BP's zone) is set. x exports the report to a CSV
 * file the supervisor names, page after page, the whole range.
 */
#include "app.h"

#include <curses.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civil.h"
#include "timefmt.h"
#include "vocab.h"

/* The report's path for business process bp in zone tz from / to (dates,
 * "" for none: the current shift). */
static void completed_query(char *path, size_t size, int64_t bp, const char *tz_name, const char *from,
                            const char *to, const char *format, const char *after)
{
    char *tz = httpc_escape(tz_name);
    int n = snprintf(path, size, "/api/v1/reports/completed?bp=%lld&format=%s&limit=%d", (long long)bp,
                     format, strcmp(format, "csv") == 0 ? 5000 : 500);
    if (from[0] || to[0])
        n += snprintf(path + n, size - (size_t)n, "&tz=%s", tz);
    if (from[0])
        n += snprintf(path + n, size - (size_t)n, "&from=%s", from);
    if (to[0])
        n += snprintf(path + n, size - (size_t)n, "&to=%s", to);
    if (after && after[0]) {
        char *e = httpc_escape(after);
        snprintf(path + n, size - (size_t)n, "&after=%s", e);
        free(e);
    }
    free(tz);
}

static const char *completed_tz(struct app *a)
{
    struct bp_row *row = app_row(a, a->bp_open);
    return jv_str(row ? row->bp : NULL, "tz");
}

void completed_reload(struct app *a)
{
    char path[512];
    struct report *r = &a->report;
    completed_query(path, sizeof path, a->bp_open, completed_tz(a), r->from, r->to, "json", "");
    r->loading = true;
    net_get(a, path, T_REPORT, ++r->seq);
}

void completed_page(struct app *a, const struct httpc_reply *r, int64_t seq)
{
    struct report *rep = &a->report;
    if ((unsigned)seq != rep->seq)
        return; /* a newer report was asked for (or another BP opened) */
    rep->loading = false;
    if (r->status != 200) {
        app_status(a, CONSOLE_ERROR, 10, "Report: %s", r->status ? r->message : "cannot reach the server");
        return;
    }
    cJSON_Delete(rep->rows);
    rep->rows = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(r->json, "completed"), 1);
    snprintf(rep->next, sizeof rep->next, "%s", jv_str(r->json, "next"));
    a->dirty = true;
}

static const char *completed_end(const char *wire)
{
    enum end_state e;
    return end_parse(wire, &e) ? end_display(e) : wire;
}

void completed_draw(struct app *a, int top, int h)
{
    struct report *r = &a->report;
    char range[96];
    if (!r->from[0] && !r->to[0])
        snprintf(range, sizeof range, "the current shift");
    else
        snprintf(range, sizeof range, "%s%s%s%s", r->from[0] ? "from " : "", r->from, r->to[0] ? " to " : "",
                 r->to);
    tui_putf(top, 1, COLS - 2, TUI_DIM, true, "Range: %s · f from · t to · x export CSV · Enter attempts%s",
             range, r->loading ? " · loading…" : "");
    static const int widths[] = {8, 16, 19, 13, 13, -8};
    static const char *const titles[] = {"ID", "Number", "End state", "Entered", "Last attempt", "Attempts"};
    tui_cells(top + 1, 1, COLS - 1, TUI_TITLE, 6, widths, titles);
    int n = cJSON_GetArraySize(r->rows), rows = h - 3;
    if (n == 0)
        tui_put(top + 2, 2, COLS - 4, TUI_DIM, r->loading ? "Loading…" : "Nothing completed in this range.", true);
    tui_list_clamp(&r->sel, &r->top, n, rows);
    for (int i = 0; i < rows && r->top + i < n; i++) {
        const cJSON *c = cJSON_GetArrayItem(r->rows, r->top + i);
        char entered[32], last[32];
        timefmt_agent(jv_instant(c, "entered_at"), entered, sizeof entered);
        if (jv_instant(c, "last_attempt_at"))
            timefmt_agent(jv_instant(c, "last_attempt_at"), last, sizeof last);
        else
            snprintf(last, sizeof last, "—");
        char id[24], att[24];
        snprintf(id, sizeof id, "%lld", (long long)jv_int(c, "id", 0));
        snprintf(att, sizeof att, "%lld", (long long)jv_int(c, "total_attempts", 0));
        const char *cells[] = {id, jv_str(c, "destination"), completed_end(jv_str(c, "end_state")), entered, last, att};
        tui_put(top + 2 + i, 0, 1, r->top + i == r->sel ? TUI_SELECTED : TUI_NORMAL, " ", false);
        tui_cells(top + 2 + i, 1, COLS - 1, r->top + i == r->sel ? TUI_SELECTED : TUI_NORMAL, 6, widths, cells);
    }
    if (r->next[0])
        tui_put(top + h - 1, 1, COLS - 2, TUI_DIM, "More than shown: narrow the range, or export it all to CSV", true);
    if (r->csv)
        tui_putf(top + h - 1, 1, COLS - 2, TUI_WARN, true, "Writing %s: %ld lines…", r->csv_path, r->csv_lines);
}

static void completed_attempts(struct app *a)
{
    const cJSON *c = cJSON_GetArrayItem(a->report.rows, a->report.sel), *at;
    if (c == NULL)
        return;
    char text[8192];
    size_t n = (size_t)snprintf(text, sizeof text, "%s · %s · %lld attempts\n", jv_str(c, "destination"),
                                completed_end(jv_str(c, "end_state")),
                                (long long)jv_int(c, "total_attempts", 0));
    int k = 0;
    cJSON_ArrayForEach(at, cJSON_GetObjectItemCaseSensitive(c, "attempts"))
    {
        char when[32];
        enum attempt_state st;
        timefmt_agent(jv_instant(at, "at"), when, sizeof when);
        const char *name = jv_str(at, "agent_name");
        if (n < sizeof text)
            n += (size_t)snprintf(text + n, sizeof text - n, "  %d. %-12s %-22s %s\n", ++k, when,
                                  name[0] ? name : "—",
                                  attempt_parse(jv_str(at, "state"), &st) ? attempt_display(st) : "?");
    }
    char title[64];
    snprintf(title, sizeof title, "Callback %lld", (long long)jv_int(c, "id", 0));
    prompt_view(a, title, text);
}

void completed_csv_page(struct app *a, const struct httpc_reply *r)
{
    struct report *rep = &a->report;
    if (rep->csv == NULL)
        return;
    if (r->status != 200) {
        fclose(rep->csv);
        rep->csv = NULL;
        app_status(a, CONSOLE_ERROR, 10, "Export stopped: %s", r->status ? r->message : "cannot reach the server");
        return;
    }
    const char *body = r->body;
    size_t len = r->body_len;
    if (rep->csv_lines > 0) {
        /* every page repeats the header line: keep only the first */
        const char *nl = memchr(body, '\n', len);
        if (nl) {
            len -= (size_t)(nl + 1 - body);
            body = nl + 1;
        }
    }
    if (fwrite(body, 1, len, rep->csv) != len) {
        app_status(a, CONSOLE_ERROR, 10, "Export stopped: %s: %s", rep->csv_path, strerror(errno));
        fclose(rep->csv);
        rep->csv = NULL;
        return;
    }
    for (size_t i = 0; i < len; i++)
        rep->csv_lines += body[i] == '\n';
    if (r->next[0]) {
        char path[512];
        completed_query(path, sizeof path, rep->csv_bp, rep->csv_tz, rep->csv_from, rep->csv_to, "csv",
                        r->next);
        net_get(a, path, T_REPORT_CSV, rep->csv_bp);
        return;
    }
    if (fclose(rep->csv) != 0)
        app_status(a, CONSOLE_ERROR, 10, "Export failed: %s: %s", rep->csv_path, strerror(errno));
    else
        app_status(a, CONSOLE_INFO, 10, "Exported %ld lines (header included) to %s", rep->csv_lines, rep->csv_path);
    rep->csv = NULL;
}

void completed_text_entered(struct app *a, enum prompt_action act, const char *text)
{
    struct report *r = &a->report;
    if (act == ACT_REPORT_FROM || act == ACT_REPORT_TO) {
        int y, m, d;
        const char *why;
        if (text[0] && !civil_parse_date(text, &y, &m, &d, &why)) {
            app_status(a, CONSOLE_ERROR, 8, "%s: %s (YYYY-MM-DD)", act == ACT_REPORT_FROM ? "From" : "To", why);
            return;
        }
        snprintf(act == ACT_REPORT_FROM ? r->from : r->to, sizeof r->from, "%s", text);
        completed_reload(a);
        return;
    }
    if (act == ACT_CSV_PATH) {
        if (text[0] == '\0')
            return;
        if (r->csv) {
            app_status(a, CONSOLE_WARN, 5, "An export is under way already");
            return;
        }
        snprintf(r->csv_path, sizeof r->csv_path, "%s", text);
        r->csv = fopen(r->csv_path, "wx");
        if (r->csv == NULL && errno == EEXIST) {
            app_status(a, CONSOLE_ERROR, 10, "%s exists already: name another file", r->csv_path);
            return;
        }
        if (r->csv == NULL) {
            app_status(a, CONSOLE_ERROR, 10, "%s: %s", r->csv_path, strerror(errno));
            return;
        }
        r->csv_lines = 0;
        r->csv_bp = a->bp_open;
        snprintf(r->csv_tz, sizeof r->csv_tz, "%s", completed_tz(a));
        snprintf(r->csv_from, sizeof r->csv_from, "%s", r->from);
        snprintf(r->csv_to, sizeof r->csv_to, "%s", r->to);
        char path[512];
        completed_query(path, sizeof path, r->csv_bp, r->csv_tz, r->csv_from, r->csv_to, "csv", "");
        net_get(a, path, T_REPORT_CSV, r->csv_bp);
    }
}

bool completed_key(struct app *a, wint_t ch, bool is_key)
{
    struct report *r = &a->report;
    if (is_key && ch == KEY_UP) {
        r->sel--;
        return true;
    }
    if (is_key && ch == KEY_DOWN) {
        r->sel++;
        return true;
    }
    if (is_key && ch == KEY_NPAGE) {
        r->sel += LINES / 2;
        return true;
    }
    if (is_key && ch == KEY_PPAGE) {
        r->sel -= LINES / 2;
        return true;
    }
    if ((!is_key && (ch == '\r' || ch == '\n')) || (is_key && ch == KEY_ENTER)) {
        completed_attempts(a);
        return true;
    }
    if (is_key)
        return false;
    if (ch == 'f') {
        prompt_text(a, ACT_REPORT_FROM, 0, "From date (YYYY-MM-DD in the BP's zone; empty: shift)", r->from, 10);
        return true;
    }
    if (ch == 't') {
        prompt_text(a, ACT_REPORT_TO, 0, "To date, counted whole (YYYY-MM-DD; empty: open)", r->to, 10);
        return true;
    }
    if (ch == 'x') {
        char name[160];
        snprintf(name, sizeof name, "completed-%s.csv", app_bp_name(a, a->bp_open));
        prompt_text(a, ACT_CSV_PATH, 0, "Export the report as CSV to the file", name, 500);
        return true;
    }
    return false;
}
