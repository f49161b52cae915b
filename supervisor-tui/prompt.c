/*
 * prompt.c — the one modal dialog of cb-supervisor at a time: a yes/no
 * confirmation (nothing destructive happens without one), a line of text,
 * a menu (the BP actions), a read-only text view (one callback with every
 * attempt), and the help. Escape backs out of each. What a confirmation or
 * a line leads to is named by its action and handed back to the view that
 * asked.
 */
#include "app.h"

#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* The dialog, emptied and opened as kind with its action, argument and
 * title; the screen will show it. */
static struct prompt *prompt_open(struct app *a, enum prompt_kind kind, enum prompt_action act,
                                  int64_t arg, const char *title)
{
    struct prompt *p = &a->prompt;
    memset(p, 0, sizeof *p);
    p->kind = kind;
    p->action = act;
    p->arg = arg;
    snprintf(p->title, sizeof p->title, "%s", title);
    a->dirty = true;
    return p;
}

void prompt_confirm(struct app *a, enum prompt_action act, int64_t arg, const char *fmt, ...)
{
    struct prompt *p = prompt_open(a, PROMPT_CONFIRM, act, arg, "Confirm");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->text, sizeof p->text, fmt, ap);
    va_end(ap);
}

void prompt_text(struct app *a, enum prompt_action act, int64_t arg, const char *title,
                 const char *initial, int max)
{
    struct prompt *p = prompt_open(a, PROMPT_TEXT, act, arg, title);
    tui_field_init(&p->field, max, false);
    tui_field_set(&p->field, initial ? initial : "");
}

void prompt_menu(struct app *a, enum prompt_action act, int64_t arg, const char *title,
                 const char *const *items, int n)
{
    struct prompt *p = prompt_open(a, PROMPT_MENU, act, arg, title);
    for (int i = 0; i < n && i < 8; i++)
        p->items[p->n_items++] = items[i];
}

void prompt_view(struct app *a, const char *title, const char *text)
{
    struct prompt *p = prompt_open(a, PROMPT_VIEW, ACT_NONE, 0, title);
    snprintf(p->text, sizeof p->text, "%s", text);
}

static const char *const prompt_help_text =
    "Everywhere\n"
    "  1 Monitor   2 Agents   3 Do-not-call      ? F1 help    q quit\n"
    "  Esc         back (a dialog, the detail view)\n"
    "Business Process Monitor\n"
    "  Up Down     select a business process     Enter  its detail\n"
    "  < >         sort by the column left/right  i  reverse the order\n"
    "  m  right-click   actions: stop / start callbacks (confirmed)\n"
    "  click on a column title sorts by it\n"
    "Business process detail\n"
    "  Tab S-Tab Left Right  Performance, Timing, Search, Current, Completed\n"
    "  Timing:    Enter edit a setting   w save (with the version)   l reload\n"
    "  Search:    l location  n number  t agent/team  o overdue  c clear\n"
    "             Space mark  * mark page  Q send to queue  P purge (confirmed)\n"
    "             Enter one callback with every attempt  e reschedule/reassign\n"
    "             PgDn PgUp next / previous page\n"
    "  Completed: f from  t to (YYYY-MM-DD, BP zone)  x export CSV  Enter attempts\n"
    "Agents\n"
    "  Up Down     select\n"
    "Do-not-call\n"
    "  /  search   a add   d remove (confirmed)   I import a file\n"
    "  PgDn PgUp   pages";

void prompt_draw(struct app *a)
{
    struct prompt *p = &a->prompt;
    if (p->kind == PROMPT_NONE)
        return;
    const char *text = p->kind == PROMPT_HELP ? prompt_help_text : p->text;
    int lines = 1, longest = tui_width(p->title) + 6;
    {
        const char *s = text;
        while (*s) {
            const char *e = strchr(s, '\n');
            size_t n = e ? (size_t)(e - s) : strlen(s);
            char line[512];
            snprintf(line, sizeof line, "%.*s", (int)(n < 511 ? n : 511), s);
            int w = tui_width(line);
            if (w > longest)
                longest = w;
            if (!e)
                break;
            lines++;
            s = e + 1;
        }
    }
    int h, w = longest + 6;
    if (p->kind == PROMPT_MENU) {
        h = p->n_items + 4;
        w = 40;
    } else if (p->kind == PROMPT_TEXT) {
        h = 6;
        w = 64;
    } else {
        h = lines + (p->kind == PROMPT_CONFIRM ? 5 : 4);
    }
    if (w > COLS)
        w = COLS;
    if (w < 30)
        w = 30;
    if (h > LINES - 2)
        h = LINES - 2;
    int y = (LINES - h) / 2, x = (COLS - w) / 2;
    tui_fill(y, x, h, w, TUI_NORMAL);
    tui_frame(y, x, h, w, p->kind == PROMPT_HELP ? "cb-supervisor keys" : p->title);
    if (p->kind == PROMPT_MENU) {
        for (int i = 0; i < p->n_items; i++)
            tui_putf(y + 1 + i, x + 2, w - 4, i == p->sel ? TUI_SELECTED : TUI_NORMAL, true, " %s",
                     p->items[i]);
        tui_put(y + h - 2, x + 2, w - 4, TUI_KEY, "↑↓ Enter choose · Esc back", false);
        return;
    }
    if (p->kind == PROMPT_TEXT) {
        tui_field_draw(&p->field, y + 2, x + 2, w - 4, true);
        tui_put(y + h - 2, x + 2, w - 4, TUI_KEY, "Enter OK · Esc back", false);
        return;
    }
    /* confirm, view, help: the text, scrolled */
    int body = h - (p->kind == PROMPT_CONFIRM ? 4 : 3);
    const char *s = text;
    int line_no = 0, row = 0;
    while (*s && row < body) {
        const char *e = strchr(s, '\n');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        if (line_no >= p->scroll) {
            char line[512];
            snprintf(line, sizeof line, "%.*s", (int)(n < 511 ? n : 511), s);
            enum tui_role role = (p->kind == PROMPT_HELP && line[0] != ' ') ? TUI_TITLE : TUI_NORMAL;
            tui_put(y + 1 + row, x + 2, w - 4, role, line, false);
            row++;
        }
        line_no++;
        if (!e)
            break;
        s = e + 1;
    }
    if (p->kind == PROMPT_CONFIRM)
        tui_put(y + h - 2, x + 2, w - 4, TUI_KEY, "[y] Yes    [n] No    Esc back", false);
    else
        tui_put(y + h - 1, x + 2, w - 4, TUI_DIM, " ↑↓ scroll · Esc close ", false);
}

/* What to do once a dialog is answered. */
static void prompt_answer(struct app *a, enum prompt_action act, int64_t arg, const char *text,
                          int menu_sel)
{
    switch (act) {
    case ACT_QUIT:
        net_logout(a);
        break;
    case ACT_BP_MENU:
        if (menu_sel == 0)
            detail_open(a, arg);
        else if (menu_sel == 1)
            prompt_confirm(a, ACT_BP_STOP, arg,
                           "Stop the callbacks of %s? Queued and offered callbacks go back to Pending.",
                           app_bp_name(a, arg));
        else if (menu_sel == 2)
            prompt_confirm(a, ACT_BP_START, arg, "Start the callbacks of %s?", app_bp_name(a, arg));
        break;
    case ACT_BP_STOP:
    case ACT_BP_START: {
        char path[96];
        snprintf(path, sizeof path, "/api/v1/bps/%lld/%s", (long long)arg,
                 act == ACT_BP_STOP ? "stop" : "start");
        net_send(a, "POST", path, NULL, act == ACT_BP_STOP ? T_BP_STOP : T_BP_START, arg);
        break;
    }
    case ACT_PURGE:
    case ACT_QUEUE:
    case ACT_EDIT_CONFIRM:
        search_confirmed(a, act);
        break;
    case ACT_SEARCH_NUMBER:
    case ACT_SEARCH_TARGET:
    case ACT_EDIT_DATE:
    case ACT_EDIT_TIME:
    case ACT_EDIT_TARGET:
        search_text_entered(a, act, text);
        break;
    case ACT_CSV_PATH:
    case ACT_REPORT_FROM:
    case ACT_REPORT_TO:
        completed_text_entered(a, act, text);
        break;
    case ACT_TIMING_VALUE:
        timing_value_entered(a, text);
        break;
    case ACT_TIMING_RELOAD:
        timing_reload(a);
        break;
    case ACT_DNC_ADD_NUMBER:
    case ACT_DNC_ADD_NOTE:
    case ACT_DNC_IMPORT_PATH:
    case ACT_DNC_SEARCH:
        dnc_text_entered(a, act, text);
        break;
    case ACT_DNC_ADD_CONFIRM:
    case ACT_DNC_REMOVE:
    case ACT_DNC_IMPORT_CONFIRM:
        dnc_confirmed(a, act);
        break;
    default:
        break;
    }
}

void prompt_key(struct app *a, wint_t ch, bool is_key)
{
    struct prompt *p = &a->prompt;
    a->dirty = true;
    bool enter = (!is_key && (ch == '\r' || ch == '\n')) || (is_key && ch == KEY_ENTER);
    bool esc = !is_key && ch == 27;
    enum prompt_action act = p->action;
    int64_t arg = p->arg;
    if (esc) {
        p->kind = PROMPT_NONE;
        return;
    }
    switch (p->kind) {
    case PROMPT_CONFIRM:
        if (!is_key && (ch == 'y' || ch == 'Y')) {
            p->kind = PROMPT_NONE;
            prompt_answer(a, act, arg, "", 0);
        } else if (!is_key && (ch == 'n' || ch == 'N')) {
            p->kind = PROMPT_NONE;
        }
        return;
    case PROMPT_TEXT:
        if (enter) {
            char text[1024];
            tui_field_get(&p->field, text, sizeof text);
            p->kind = PROMPT_NONE;
            prompt_answer(a, act, arg, text, 0);
        } else {
            tui_field_key(&p->field, ch, is_key);
        }
        return;
    case PROMPT_MENU:
        if (is_key && ch == KEY_UP && p->sel > 0)
            p->sel--;
        else if (is_key && ch == KEY_DOWN && p->sel < p->n_items - 1)
            p->sel++;
        else if (enter) {
            int sel = p->sel;
            p->kind = PROMPT_NONE;
            prompt_answer(a, act, arg, "", sel);
        }
        return;
    case PROMPT_VIEW:
    case PROMPT_HELP:
        if (is_key && ch == KEY_DOWN)
            p->scroll++;
        else if (is_key && ch == KEY_UP && p->scroll > 0)
            p->scroll--;
        else if (is_key && ch == KEY_NPAGE)
            p->scroll += LINES / 2;
        else if (is_key && ch == KEY_PPAGE)
            p->scroll = p->scroll > LINES / 2 ? p->scroll - LINES / 2 : 0;
        else if (enter || (!is_key && (ch == 'q' || ch == '?')) || (is_key && ch == KEY_F(1)))
            p->kind = PROMPT_NONE;
        return;
    default:
        return;
    }
}

void prompt_click(struct app *a, int y, int x)
{
    struct prompt *p = &a->prompt;
    (void)x;
    if (p->kind != PROMPT_MENU)
        return;
    int h = p->n_items + 4, top = (LINES - h) / 2;
    int row = y - top - 1;
    if (row >= 0 && row < p->n_items) {
        if (row == p->sel) {
            p->kind = PROMPT_NONE;
            prompt_answer(a, p->action, p->arg, "", row);
        } else {
            p->sel = row;
        }
        a->dirty = true;
    }
}
