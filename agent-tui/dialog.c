/*
 * dialog.c — the small dialogs over the main screen: a yes/no
 * confirmation, the completion-status dialog (only the statuses the
 * callback's state allows, the default preselected, as the server's
 * lifecycle table says) and the help view. Escape backs out of each.
 */
#include "app.h"

#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lifecycle.h"
#include "vocab.h"

void dialog_confirm(struct app *a, enum confirm_action action, int64_t id, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->confirm_text, sizeof a->confirm_text, fmt, ap);
    va_end(ap);
    a->confirm = action;
    a->confirm_id = id;
    a->dlg = DLG_CONFIRM;
    a->dirty = true;
}

/* The lifecycle state the interaction is in, for the status table. */
static enum lc_state dialog_lc_state(const struct app *a)
{
    const char *st = model_istate(&a->m);
    if (strcmp(st, "handling") == 0)
        return LC_HANDLING;
    if (strcmp(st, "dialing") == 0)
        return jv_bool(a->m.interaction, "timed_out") ? LC_TIMED_OUT : LC_DIALING;
    return LC_OFFERED;
}

void dialog_complete_open(struct app *a)
{
    enum status def;
    unsigned set = lifecycle_statuses(dialog_lc_state(a), &def);
    if (set == 0) {
        app_status(a, CONSOLE_WARN, 4, "Nothing to complete in this state");
        return;
    }
    a->complete_n = 0;
    a->complete_opts[a->complete_n++] = status_wire(def);
    for (int s = 0; s < 6; s++)
        if ((set & (1u << s)) && (enum status)s != def)
            a->complete_opts[a->complete_n++] = status_wire((enum status)s);
    a->complete_sel = 0;
    a->complete_not_ready = false;
    a->dlg = DLG_COMPLETE;
    a->dirty = true;
}

static void dialog_box(int h, int w, const char *title, int *y, int *x)
{
    if (w > COLS - 2)
        w = COLS - 2;
    if (h > LINES - 2)
        h = LINES - 2;
    *y = (LINES - h) / 2;
    *x = (COLS - w) / 2;
    tui_fill(*y, *x, h, w, TUI_NORMAL);
    tui_frame(*y, *x, h, w, title);
}

/* At most 18 lines, so that the help fits 80x24 whole. */
static const char *const dialog_help_lines[] = {
    "Anywhere",
    "  r  Ready / Not Ready       p  Pending Callback Panel    h  Call History",
    "  s  schedule a callback     S  one for the active call   ?  F1  this help",
    "  q  log out and quit (waits for a held callback)         Q  quit at once",
    "An offer, a callback held",
    "  a  accept the offer        x  reject it                 d  dial now (Preview)",
    "  c  connected (live)        v  connected to voicemail",
    "  X  cancel dialing (asks)   e  end: the completion status",
    "Lists",
    "  Up Down PgUp PgDn Home End move; the mouse wheel scrolls, a click selects",
    "  n  Call Now on the selected pending callback (asks)",
    "  Enter  in Call History: schedule a callback for that call",
    "Forms and dialogs",
    "  Tab Up Down  next / previous field     Enter  choose, save",
    "  Left Right   change a choice           F4 Space  open a list or calendar",
    "  Esc          back out without saving",
};

void dialog_draw(struct app *a)
{
    int y, x;
    if (a->dlg == DLG_CONFIRM) {
        int w = tui_width(a->confirm_text) + 6;
        if (w < 40)
            w = 40;
        dialog_box(6, w, "Confirm", &y, &x);
        tui_put(y + 2, x + 3, w - 6, TUI_NORMAL, a->confirm_text, false);
        tui_put(y + 4, x + 3, w - 6, TUI_KEY, "[y] Yes    [n] No    Esc back", false);
        return;
    }
    if (a->dlg == DLG_COMPLETE) {
        int h = a->complete_n + 7, w = 56;
        dialog_box(h, w, "Complete the callback", &y, &x);
        tui_put(y + 1, x + 3, w - 6, TUI_DIM, "How did it end?", false);
        for (int i = 0; i < a->complete_n; i++) {
            enum status s;
            status_parse(a->complete_opts[i], &s);
            tui_putf(y + 2 + i, x + 3, w - 6, i == a->complete_sel ? TUI_SELECTED : TUI_NORMAL, true,
                     " %s %d  %s%s", i == a->complete_sel ? "(•)" : "( )", i + 1, status_display(s),
                     i == 0 ? "  (default)" : "");
        }
        tui_putf(y + 3 + a->complete_n, x + 3, w - 6, TUI_NORMAL, true, "[%c] n  Not Ready afterwards",
                 a->complete_not_ready ? 'x' : ' ');
        tui_put(y + h - 2, x + 3, w - 6, TUI_KEY, "↑↓ or 1-6 choose · Enter complete · Esc back", false);
        return;
    }
    if (a->dlg == DLG_HELP) {
        int n = (int)(sizeof dialog_help_lines / sizeof dialog_help_lines[0]);
        int h = n + 4, w = 78;
        dialog_box(h, w, "cb-agent keys", &y, &x);
        for (int i = 0; i < n && y + 1 + i < LINES - 2; i++) {
            const char *l = dialog_help_lines[i];
            tui_put(y + 1 + i, x + 2, w - 4, l[0] == ' ' ? TUI_NORMAL : TUI_TITLE, l, false);
        }
        tui_put(y + h - 2, x + 2, w - 4, TUI_KEY, "Esc or ? closes", false);
    }
}

static void dialog_complete_send(struct app *a)
{
    const char *status = a->complete_opts[a->complete_sel];
    if (strcmp(status, "callback_requested") == 0) {
        /* the new date, time and target come from the scheduling form */
        bool nr = a->complete_not_ready;
        a->dlg = DLG_NONE;
        form_open(a, FORM_RESCHEDULE, a->m.interaction);
        a->form.not_ready = nr;
        return;
    }
    cJSON *body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "status", status);
    if (a->complete_not_ready)
        cJSON_AddTrueToObject(body, "not_ready");
    net_action(a, "complete", jv_int(a->m.interaction, "id", 0), body);
    cJSON_Delete(body);
    a->dlg = DLG_NONE;
}

void dialog_key(struct app *a, wint_t ch, bool is_key)
{
    a->dirty = true;
    bool esc = !is_key && ch == 27;
    if (a->dlg == DLG_HELP) {
        if (esc || (!is_key && (ch == '?' || ch == 'q')) || (is_key && ch == KEY_F(1)))
            a->dlg = a->dlg_under_help;
        return;
    }
    if (a->dlg == DLG_CONFIRM) {
        if (esc || (!is_key && (ch == 'n' || ch == 'N'))) {
            a->dlg = DLG_NONE;
            return;
        }
        if (!is_key && (ch == 'y' || ch == 'Y')) {
            a->dlg = DLG_NONE;
            switch (a->confirm) {
            case CONFIRM_CALL_NOW:
                net_action(a, "call-now", a->confirm_id, NULL);
                break;
            case CONFIRM_CANCEL_DIAL: {
                cJSON *body = cJSON_CreateObject();
                cJSON_AddStringToObject(body, "status", "cancel");
                net_action(a, "complete", a->confirm_id, body);
                cJSON_Delete(body);
                break;
            }
            case CONFIRM_QUIT:
                a->quit = true;
                break;
            }
        }
        return;
    }
    if (a->dlg == DLG_COMPLETE) {
        if (esc) {
            a->dlg = DLG_NONE;
            return;
        }
        if (a->m.interaction == NULL) {
            a->dlg = DLG_NONE;
            return;
        }
        if (is_key && ch == KEY_UP && a->complete_sel > 0)
            a->complete_sel--;
        else if (is_key && ch == KEY_DOWN && a->complete_sel < a->complete_n - 1)
            a->complete_sel++;
        else if (!is_key && ch >= '1' && ch < '1' + (wint_t)a->complete_n)
            a->complete_sel = (int)(ch - '1');
        else if (!is_key && (ch == 'n' || ch == ' '))
            a->complete_not_ready = !a->complete_not_ready;
        else if ((!is_key && (ch == '\r' || ch == '\n')) || (is_key && ch == KEY_ENTER))
            dialog_complete_send(a);
    }
}

void dialog_click(struct app *a, int y, int x)
{
    (void)x;
    if (a->dlg != DLG_COMPLETE)
        return;
    int h = a->complete_n + 7;
    if (h > LINES - 2)
        h = LINES - 2;
    int top = (LINES - h) / 2;
    int row = y - (top + 2);
    if (row >= 0 && row < a->complete_n) {
        if (a->complete_sel == row)
            dialog_complete_send(a);
        else
            a->complete_sel = row;
        a->dirty = true;
    }
}
