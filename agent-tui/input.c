/*
 * input.c — keys and clicks to actions. One table lists every key of the
 * main screen with when it applies and what it does; the key bar at the
 * bottom is drawn from the same table (only the keys that work now), and a
 * click on a key bar label does what the key does. Dialogs and the form
 * take their own keys (dialog.c, form.c); the help view lists them all.
 */
#include "app.h"

#include <curses.h>
#include <string.h>

#include "timefmt.h"

typedef bool input_when_fn(const struct app *a);
typedef void input_do_fn(struct app *a);

struct input_binding {
    wint_t key;
    bool is_key;
    const char *label; /* in the key bar, or NULL */
    const char *bar_key;
    input_when_fn *when;
    input_do_fn *act;
};

static bool when_always(const struct app *a)
{
    (void)a;
    return true;
}

static bool when_offered(const struct app *a)
{
    return strcmp(model_istate(&a->m), "offered") == 0 && !a->action_busy;
}

static bool when_preview(const struct app *a)
{
    return strcmp(model_istate(&a->m), "preview") == 0 && !a->action_busy;
}

static bool when_dialing(const struct app *a)
{
    return strcmp(model_istate(&a->m), "dialing") == 0 && !jv_bool(a->m.interaction, "timed_out") &&
           !a->action_busy;
}

static bool when_completable(const struct app *a)
{
    const char *st = model_istate(&a->m);
    return (strcmp(st, "dialing") == 0 || strcmp(st, "handling") == 0) && !a->action_busy;
}

static bool when_pending_row(const struct app *a)
{
    return a->pane == PANE_PENDING && cJSON_GetArraySize(a->m.pending) > 0;
}

static bool when_history_row(const struct app *a)
{
    return a->pane == PANE_HISTORY && cJSON_GetArraySize(a->m.history) > 0;
}

static bool when_active(const struct app *a)
{
    return a->m.interaction != NULL || a->m.active_call != NULL;
}

static void do_help(struct app *a)
{
    a->dlg_under_help = a->dlg;
    a->dlg = DLG_HELP;
}

static void do_presence(struct app *a)
{
    net_presence(a, strcmp(a->m.presence, "ready") != 0 && strcmp(a->m.presence, "busy") != 0);
}

static void do_pending(struct app *a)
{
    a->pane = a->pane == PANE_PENDING ? PANE_NONE : PANE_PENDING;
}

static void do_history(struct app *a)
{
    a->pane = a->pane == PANE_HISTORY ? PANE_NONE : PANE_HISTORY;
    if (a->pane == PANE_HISTORY)
        net_history(a);
}

static void do_schedule(struct app *a)
{
    form_open(a, FORM_PANEL, NULL);
}

static void do_schedule_active(struct app *a)
{
    form_open(a, FORM_INTERACTION, a->m.interaction ? a->m.interaction : a->m.active_call);
}

static void do_quit(struct app *a)
{
    if (a->logout_pending) {
        /* asked twice: the agent insists, but what they hold goes back */
        dialog_confirm(a, CONFIRM_QUIT, 0, "Quit now without waiting? The callback you hold goes back when the grace ends.");
        return;
    }
    net_logout(a);
}

static void do_quit_now(struct app *a)
{
    dialog_confirm(a, CONFIRM_QUIT, 0, "Quit without logging out? What you hold returns when the grace ends.");
}

static void do_accept(struct app *a)
{
    net_action(a, "accept", jv_int(a->m.interaction, "id", 0), NULL);
}

static void do_reject(struct app *a)
{
    net_action(a, "reject", jv_int(a->m.interaction, "id", 0), NULL);
}

static void do_dial(struct app *a)
{
    net_action(a, "dial", jv_int(a->m.interaction, "id", 0), NULL);
}

static void do_connected(struct app *a, const char *kind)
{
    cJSON *body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "kind", kind);
    net_action(a, "connected", jv_int(a->m.interaction, "id", 0), body);
    cJSON_Delete(body);
}

static void do_live(struct app *a)
{
    do_connected(a, "live");
}

static void do_voicemail(struct app *a)
{
    do_connected(a, "voicemail");
}

static void do_cancel(struct app *a)
{
    dialog_confirm(a, CONFIRM_CANCEL_DIAL, jv_int(a->m.interaction, "id", 0),
                   "Cancel dialing %s? The callback goes back to the queue.",
                   jv_str(a->m.interaction, "destination"));
}

static void do_end(struct app *a)
{
    dialog_complete_open(a);
}

static void do_call_now(struct app *a)
{
    const cJSON *cb = cJSON_GetArrayItem(a->m.pending, a->sel_pending);
    if (cb == NULL)
        return;
    char due[32];
    timefmt_agent(jv_instant(cb, "due_at"), due, sizeof due);
    dialog_confirm(a, CONFIRM_CALL_NOW, jv_int(cb, "id", 0), "Call %s now (due %s)?",
                   jv_str(cb, "destination"), due);
}

static void do_history_schedule(struct app *a)
{
    const cJSON *c = cJSON_GetArrayItem(a->m.history, a->sel_history);
    if (c)
        form_open(a, FORM_HISTORY, c);
}

static const struct input_binding input_table[] = {
    {'a', false, "Accept", "a", when_offered, do_accept},
    {'x', false, "Reject", "x", when_offered, do_reject},
    {'d', false, "Dial now", "d", when_preview, do_dial},
    {'c', false, "Connected", "c", when_dialing, do_live},
    {'v', false, "Voicemail", "v", when_dialing, do_voicemail},
    {'X', false, "Cancel", "X", when_dialing, do_cancel},
    {'e', false, "End", "e", when_completable, do_end},
    {'n', false, "Call Now", "n", when_pending_row, do_call_now},
    {'\r', false, "Schedule", "Enter", when_history_row, do_history_schedule},
    {'r', false, "Ready", "r", when_always, do_presence},
    {'p', false, "Pending", "p", when_always, do_pending},
    {'s', false, "Schedule", "s", when_always, do_schedule},
    {'S', false, "From call", "S", when_active, do_schedule_active},
    {'h', false, "History", "h", when_always, do_history},
    {'?', false, "Help", "?", when_always, do_help},
    {KEY_F(1), true, NULL, NULL, when_always, do_help},
    {'q', false, "Quit", "q", when_always, do_quit},
    {'Q', false, NULL, NULL, when_always, do_quit_now},
};
#define INPUT_N (sizeof input_table / sizeof input_table[0])

/* Where each label of the key bar was drawn, for clicks. */
static struct {
    int x0, x1;
    const struct input_binding *b;
} input_bar[INPUT_N];
static int input_bar_n, input_bar_y = -1;

void input_keybar_draw(struct app *a, int y)
{
    tui_fill(y, 0, 1, COLS, TUI_BAR);
    int x = 0;
    input_bar_n = 0;
    input_bar_y = y;
    for (size_t i = 0; i < INPUT_N; i++) {
        const struct input_binding *b = &input_table[i];
        if (b->label == NULL || !b->when(a))
            continue;
        const char *label = b->label;
        if (b->act == do_presence)
            label = strcmp(a->m.presence, "ready") == 0 || strcmp(a->m.presence, "busy") == 0
                        ? "Not Ready" : "Ready";
        int need = tui_width(b->bar_key) + tui_width(label) + 3;
        if (x + need > COLS)
            break;
        int x0 = x;
        x += tui_putf(y, x, COLS - x, TUI_KEY, false, " %s", b->bar_key);
        x += tui_putf(y, x, COLS - x, TUI_BAR, false, " %s ", label);
        input_bar[input_bar_n].x0 = x0;
        input_bar[input_bar_n].x1 = x;
        input_bar[input_bar_n].b = b;
        input_bar_n++;
    }
}

static void input_list_move(struct app *a, int delta, bool absolute)
{
    int *sel = a->pane == PANE_PENDING ? &a->sel_pending : &a->sel_history;
    int n = cJSON_GetArraySize(a->pane == PANE_PENDING ? a->m.pending : a->m.history);
    if (a->pane == PANE_NONE || n == 0)
        return;
    *sel = absolute ? delta : *sel + delta;
    if (*sel < 0)
        *sel = 0;
    if (*sel >= n)
        *sel = n - 1;
}

static void input_mouse(struct app *a)
{
    MEVENT ev;
    if (getmouse(&ev) != OK)
        return;
    if (a->dlg == DLG_FORM) {
        if (ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED))
            form_click(a, ev.y, ev.x);
        return;
    }
    if (a->dlg == DLG_COMPLETE) {
        if (ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED))
            dialog_click(a, ev.y, ev.x);
        return;
    }
    if (a->dlg != DLG_NONE)
        return;
    if (ev.bstate & BUTTON4_PRESSED) {
        input_list_move(a, -3, false);
        return;
    }
    if (ev.bstate & BUTTON5_PRESSED) {
        input_list_move(a, 3, false);
        return;
    }
    if (!(ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_DOUBLE_CLICKED)))
        return;
    if (ev.y == input_bar_y) {
        for (int i = 0; i < input_bar_n; i++)
            if (ev.x >= input_bar[i].x0 && ev.x < input_bar[i].x1 && input_bar[i].b->when(a)) {
                input_bar[i].b->act(a);
                return;
            }
        return;
    }
    if (ev.y == 0 && ev.x < COLS / 2) {
        do_pending(a); /* the header's pending count opens the panel */
        return;
    }
    int row = view_row_at(a, ev.y);
    if (row >= 0) {
        input_list_move(a, row, true);
        if ((ev.bstate & BUTTON1_DOUBLE_CLICKED) && a->pane == PANE_HISTORY)
            do_history_schedule(a);
    }
}

void input_key(struct app *a, wint_t ch, bool is_key)
{
    a->dirty = true;
    if (is_key && ch == KEY_MOUSE) {
        input_mouse(a);
        return;
    }
    if (a->dlg == DLG_FORM) {
        form_key(a, ch, is_key);
        return;
    }
    if (a->dlg != DLG_NONE) {
        dialog_key(a, ch, is_key);
        return;
    }
    if (is_key) {
        switch (ch) {
        case KEY_UP:
            input_list_move(a, -1, false);
            return;
        case KEY_DOWN:
            input_list_move(a, 1, false);
            return;
        case KEY_PPAGE:
            input_list_move(a, -(LINES / 2), false);
            return;
        case KEY_NPAGE:
            input_list_move(a, LINES / 2, false);
            return;
        case KEY_HOME:
            input_list_move(a, 0, true);
            return;
        case KEY_END:
            input_list_move(a, 1 << 20, true);
            return;
        case KEY_ENTER:
            ch = '\r';
            is_key = false;
            break;
        default:
            break;
        }
    }
    if (!is_key && ch == '\n')
        ch = '\r';
    if (!is_key && ch == 27) {
        if (a->pane != PANE_NONE)
            a->pane = PANE_NONE;
        return;
    }
    for (size_t i = 0; i < INPUT_N; i++) {
        const struct input_binding *b = &input_table[i];
        if (b->key == ch && b->is_key == is_key) {
            if (b->when(a))
                b->act(a);
            else if (b->key != '\r')
                app_status(a, CONSOLE_WARN, 3, "That key does nothing now (? lists the keys)");
            return;
        }
    }
}
