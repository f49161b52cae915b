/*
 * view.c — the agent's main screen, drawn from the model: the header (name,
 * presence, the pending count, the connection), the interaction box with
 * its countdown, the pending panel or Call History, the status line and
 * the key bar. Everything is drawn into curses' screen and flushed once;
 * curses sends the terminal only what changed.
 */
#include "app.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "serverclock.h"
#include "timefmt.h"
#include "vocab.h"

/* Rows of the layout at the current size. */
struct layout {
    int box_top, box_h; /* the interaction box (0 high when none) */
    int pane_top, pane_h;
};

static void view_layout(const struct app *a, struct layout *l)
{
    int body_top = 1, body_h = LINES - 3;
    l->box_top = body_top;
    l->box_h = a->m.interaction ? 10 : 0;
    if (l->box_h > body_h)
        l->box_h = body_h;
    l->pane_top = body_top + l->box_h;
    l->pane_h = body_h - l->box_h;
}

static const char *view_presence_text(const char *p)
{
    enum presence pr;
    if (presence_parse(p, &pr))
        return presence_display(pr);
    return p;
}

static void view_header(struct app *a)
{
    tui_fill(0, 0, 1, COLS, TUI_BAR);
    int x = tui_putf(0, 0, COLS, TUI_BAR, false, " %s (%s) ", a->m.name, a->m.login);
    enum tui_role pr = strcmp(a->m.presence, "ready") == 0 ? TUI_OK
                       : strcmp(a->m.presence, "busy") == 0 ? TUI_ALERT : TUI_WARN;
    x += tui_put(0, x, 2, TUI_BAR, "│ ", false);
    x += tui_putf(0, x, 20, pr, false, " %s ", view_presence_text(a->m.presence));
    x += tui_putf(0, x, COLS - x, TUI_BAR, false, " │ Pending %d ", a->m.pending_count);
    if (a->logout_pending)
        x += tui_put(0, x, COLS - x, TUI_ALERT, " logout waiting ", false);
    char conn[160];
    enum tui_role cr = TUI_OK;
    if (a->s.conn == SESSION_UP) {
        snprintf(conn, sizeof conn, "● connected");
    } else if (a->s.conn == SESSION_CONNECTING) {
        snprintf(conn, sizeof conn, "○ connecting…");
        cr = TUI_WARN;
    } else {
        long in = (long)(a->s.retry_at - time(NULL));
        snprintf(conn, sizeof conn, "✕ disconnected, retry in %lds", in < 0 ? 0 : in);
        cr = TUI_ERROR;
    }
    int w = tui_width(conn) + 2;
    if (COLS - w > x)
        tui_putf(0, COLS - w, w, cr, true, " %s ", conn);
}

/* "label value" pairs on one line; returns the next column. */
static int view_pair(int y, int x, int w, const char *label, const char *value, enum tui_role role)
{
    if (w <= 0)
        return x;
    int used = tui_putf(y, x, w, TUI_DIM, false, "%s ", label);
    used += tui_put(y, x + used, w - used, role, value, false);
    return x + used + 2;
}

static void view_interaction(struct app *a, const struct layout *l)
{
    const cJSON *cb = a->m.interaction;
    if (cb == NULL || l->box_h < 3)
        return;
    const char *st = jv_str(cb, "state");
    bool timed_out = jv_bool(cb, "timed_out");
    int64_t now = serverclock_now();
    int64_t since = jv_instant(cb, "state_since"), until = jv_instant(cb, "state_until");
    char title[200], count[64] = "";
    enum tui_role trole = TUI_TITLE;
    if (strcmp(st, "offered") == 0) {
        snprintf(title, sizeof title, "OFFERED — callback %lld", (long long)jv_int(cb, "id", 0));
        timefmt_span(until - now, count, sizeof count);
        trole = TUI_ALERT;
    } else if (strcmp(st, "preview") == 0) {
        snprintf(title, sizeof title, "PREVIEW — callback %lld", (long long)jv_int(cb, "id", 0));
        timefmt_span(until - now, count, sizeof count);
    } else if (strcmp(st, "dialing") == 0 && timed_out) {
        snprintf(title, sizeof title, "DIALING STOPPED — no answer in time");
        trole = TUI_WARN;
    } else if (strcmp(st, "dialing") == 0) {
        snprintf(title, sizeof title, "DIALING — callback %lld", (long long)jv_int(cb, "id", 0));
        timefmt_span(until - now, count, sizeof count);
    } else {
        snprintf(title, sizeof title, "HANDLING — callback %lld", (long long)jv_int(cb, "id", 0));
        timefmt_span(now - since, count, sizeof count);
    }
    int y = l->box_top, h = l->box_h, w = COLS;
    tui_fill(y, 0, h, w, TUI_NORMAL);
    tui_frame(y, 0, h, w, NULL);
    tui_putf(y, 2, w - 4, trole, false, " %s ", title);
    if (count[0]) {
        char right[96];
        if (strcmp(st, "handling") == 0)
            snprintf(right, sizeof right, " talk time %s ", count);
        else if (strcmp(st, "offered") == 0)
            snprintf(right, sizeof right, " %s left to accept ", count);
        else if (strcmp(st, "preview") == 0)
            snprintf(right, sizeof right, " dials in %s ", count);
        else
            snprintf(right, sizeof right, " no answer in %s ", count);
        int rw = tui_width(right);
        tui_put(y, w - rw - 2, rw, strcmp(st, "handling") == 0 ? TUI_OK : TUI_WARN, right, false);
    }
    int in = 2, iw = w - 4, row = y + 1;
    char due[64], cust[96], buf[256];
    int64_t due_at = jv_instant(cb, "due_at");
    timefmt_agent(due_at, due, sizeof due);
    timefmt_customer(due_at, jv_str(cb, "tz"), cust, sizeof cust);
    if (strcmp(st, "dialing") == 0 && !timed_out) {
        tui_putf(row++, in, iw, TUI_ALERT, false, " Dial %s now ", jv_str(cb, "destination"));
    } else {
        int x = view_pair(row, in, iw, "Number", jv_str(cb, "destination"), TUI_TITLE);
        x = view_pair(row, x, iw - x + in, "BP", jv_str(cb, "bp"), TUI_NORMAL);
        snprintf(buf, sizeof buf, "%s%s%s%s", due, cust[0] ? " (customer " : "", cust,
                 cust[0] ? ")" : "");
        view_pair(row, x, iw - x + in, "Due", buf, jv_bool(cb, "overdue") ? TUI_WARN : TUI_NORMAL);
        row++;
    }
    const char *remark = jv_str(cb, "remark");
    view_pair(row++, in, iw, "Remark", remark[0] ? remark : "—", TUI_NORMAL);
    {
        snprintf(buf, sizeof buf, "%lld", (long long)jv_int(cb, "attempts", 0));
        int x = view_pair(row, in, iw, "Attempts", buf, TUI_NORMAL);
        snprintf(buf, sizeof buf, "%d in 30 days", a->m.contacts_recent);
        x = view_pair(row, x, iw - x + in, "Contacts", buf,
                      a->m.contacts_recent > 0 ? TUI_WARN : TUI_NORMAL);
        const char *subject = jv_str(cb, "subject");
        view_pair(row, x, iw - x + in, "Subject", subject[0] ? subject : "—", TUI_NORMAL);
        row++;
    }
    {
        const cJSON *cd = cJSON_GetObjectItemCaseSensitive(cb, "case_data"), *it;
        size_t n = 0;
        buf[0] = '\0';
        cJSON_ArrayForEach(it, cd)
        {
            if (cJSON_IsString(it) && n < sizeof buf)
                n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s: %s", n ? ", " : "",
                                      it->string, it->valuestring);
        }
        view_pair(row++, in, iw, "Case", buf[0] ? buf : "—", TUI_NORMAL);
    }
    const char *tr = jv_str(cb, "transcription");
    if (tr[0] && row < y + h - 2)
        view_pair(row++, in, iw, "Transcription", tr, TUI_NORMAL);
    if (timed_out && row < y + h - 2) {
        char left[32];
        timefmt_span(until - now, left, sizeof left);
        tui_putf(row++, in, iw, TUI_WARN, false,
                 "Dialing stopped: complete it (e); No Answer by itself in %s",
                 left);
    }
    /* the actions of this state, as buttons on the last inner row */
    const char *keys;
    if (strcmp(st, "offered") == 0)
        keys = "[a] Accept   [x] Reject";
    else if (strcmp(st, "preview") == 0)
        keys = "[d] Dial now";
    else if (strcmp(st, "dialing") == 0 && !timed_out)
        keys = "[c] Connected   [v] Voicemail   [X] Cancel   [e] End…   [S] Schedule";
    else if (strcmp(st, "dialing") == 0)
        keys = "[e] Complete…   [S] Schedule";
    else
        keys = "[e] End…   [S] Schedule";
    tui_put(y + h - 2, in, iw, a->action_busy ? TUI_DIM : TUI_KEY, keys, false);
}

static void view_pending(struct app *a, const struct layout *l)
{
    int y = l->pane_top, h = l->pane_h;
    if (h < 3)
        return;
    char title[64];
    snprintf(title, sizeof title, "Pending callbacks (%d)", a->m.pending_count);
    tui_frame(y, 0, h, COLS, title);
    int n = cJSON_GetArraySize(a->m.pending);
    int rows = h - 3;
    static const int widths[] = {1, 12, 22, 16, 13, 30};
    static const char *const titles[] = {"", "Due", "Customer time", "Number", "Window", "BP"};
    tui_cells(y + 1, 1, COLS - 2, TUI_DIM, 6, widths, titles);
    if (n == 0) {
        tui_put(y + 2, 2, COLS - 4, TUI_DIM, "No pending callbacks. s schedules one.", true);
        return;
    }
    tui_list_clamp(&a->sel_pending, &a->top_pending, n, rows);
    int64_t now = serverclock_now();
    for (int i = 0; i < rows && a->top_pending + i < n; i++) {
        int k = a->top_pending + i;
        const cJSON *cb = cJSON_GetArrayItem(a->m.pending, k);
        char due[32], cust[96], win[32], we[16];
        int64_t due_at = jv_instant(cb, "due_at"), end = jv_instant(cb, "window_end");
        timefmt_agent(due_at, due, sizeof due);
        timefmt_customer(due_at, jv_str(cb, "tz"), cust, sizeof cust);
        timefmt_clock(end, we, sizeof we);
        snprintf(win, sizeof win, "until %s", we);
        bool overdue = jv_bool(cb, "overdue") || (end && end < now);
        bool queued = strcmp(jv_str(cb, "location"), "handling_by_business_process") == 0;
        enum tui_role role = k == a->sel_pending ? TUI_SELECTED : (overdue ? TUI_WARN : TUI_NORMAL);
        char bp[96];
        snprintf(bp, sizeof bp, "%s%s", jv_str(cb, "bp"), overdue ? "  OVERDUE" : (queued ? "  in queue" : ""));
        const char *cells[] = {overdue ? "!" : " ", due, cust[0] ? cust : "same", jv_str(cb, "destination"),
                               win, bp};
        tui_cells(y + 2 + i, 1, COLS - 2, role, 6, widths, cells);
    }
    tui_putf(y + h - 1, 2, COLS - 4, TUI_DIM, false, " ↑↓ select · n Call Now · s Schedule · p close ");
}

static void view_history(struct app *a, const struct layout *l)
{
    int y = l->pane_top, h = l->pane_h;
    if (h < 3)
        return;
    tui_frame(y, 0, h, COLS, "Call History");
    int n = cJSON_GetArraySize(a->m.history);
    int rows = h - 3;
    static const int widths[] = {13, 9, 16, 12, -8, -8};
    static const char *const titles[] = {"Started", "Direction", "Number", "BP", "Length", "Contacts"};
    tui_cells(y + 1, 2, COLS - 3, TUI_DIM, 6, widths, titles);
    if (n == 0) {
        tui_put(y + 2, 2, COLS - 4, TUI_DIM, "No calls yet.", true);
        return;
    }
    tui_list_clamp(&a->sel_history, &a->top_history, n, rows);
    for (int i = 0; i < rows && a->top_history + i < n; i++) {
        int k = a->top_history + i;
        const cJSON *c = cJSON_GetArrayItem(a->m.history, k);
        char when[32], len[32];
        int64_t s = jv_instant(c, "started_at"), e = jv_instant(c, "ended_at");
        timefmt_agent(s, when, sizeof when);
        if (e)
            timefmt_span(e - s, len, sizeof len);
        else
            snprintf(len, sizeof len, "active");
        const char *bp = jv_str(c, "bp");
        char contacts[24];
        snprintf(contacts, sizeof contacts, "%lld", (long long)jv_int(c, "contacts_recent", 0));
        const char *cells[] = {when, jv_str(c, "direction"), jv_str(c, "number"), bp[0] ? bp : "—", len, contacts};
        enum tui_role role = k == a->sel_history ? TUI_SELECTED : TUI_NORMAL;
        tui_put(y + 2 + i, 1, 1, role, " ", false);
        tui_cells(y + 2 + i, 2, COLS - 3, role, 6, widths, cells);
    }
    tui_putf(y + h - 1, 2, COLS - 4, TUI_DIM, false,
             " ↑↓ select · Enter schedule a callback for this call · h close ");
}

static void view_idle(struct app *a, const struct layout *l)
{
    int y = l->pane_top + 1;
    if (l->pane_h < 4)
        return;
    const char *msg;
    if (!a->m.loaded)
        msg = "Loading…";
    else if (strcmp(a->m.presence, "ready") == 0)
        msg = "Ready: callbacks are offered here as they fall due.";
    else if (strcmp(a->m.presence, "busy") == 0)
        msg = "Busy (after-call work or a call in progress).";
    else
        msg = "Not Ready: press r to be Ready and receive callbacks.";
    tui_put(y, 2, COLS - 4, TUI_NORMAL, msg, true);
    tui_putf(y + 2, 2, COLS - 4, TUI_DIM, true, "p pending panel · s schedule · h Call History · ? help");
    if (a->m.active_call) {
        tui_putf(y + 4, 2, COLS - 4, TUI_OK, true, "Active call: %s %s (%s) — S schedules a callback for it",
                 jv_str(a->m.active_call, "direction"), jv_str(a->m.active_call, "number"),
                 jv_str(a->m.active_call, "bp"));
    }
}

int view_row_at(const struct app *a, int y)
{
    struct layout l;
    view_layout(a, &l);
    int first = l.pane_top + 2, rows = l.pane_h - 3;
    if (y < first || y >= first + rows)
        return -1;
    if (a->pane == PANE_PENDING)
        return a->top_pending + (y - first);
    if (a->pane == PANE_HISTORY)
        return a->top_history + (y - first);
    return -1;
}

void view_draw(struct app *a)
{
    if (!console_draw_begin(&a->login, a->logged_in, 40, 10)) {
        tui_flush();
        return;
    }
    struct layout l;
    view_layout(a, &l);
    view_header(a);
    view_interaction(a, &l);
    if (a->pane == PANE_PENDING)
        view_pending(a, &l);
    else if (a->pane == PANE_HISTORY)
        view_history(a, &l);
    else
        view_idle(a, &l);
    /* the status line */
    console_status_draw(&a->st, &a->s, LINES - 2, NULL);
    input_keybar_draw(a, LINES - 1);
    if (a->dlg == DLG_FORM)
        form_draw(a);
    else if (a->dlg != DLG_NONE)
        dialog_draw(a);
    tui_flush();
}
