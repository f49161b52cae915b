/*
 * input.c — cb-supervisor's keys and clicks: the keys that work in every
 * view (switching views, help, quit, Escape back), then the view's own;
 * the key bar names the keys of the view shown; clicks go to the header
 * (views), the dialog, or the view under them.
 */
#include "app.h"

#include <curses.h>
#include <string.h>

void input_help(struct app *a)
{
    memset(&a->prompt, 0, sizeof a->prompt);
    a->prompt.kind = PROMPT_HELP;
    a->dirty = true;
}

void input_keybar_draw(struct app *a, int y)
{
    const char *keys;
    switch (a->view) {
    case VIEW_MONITOR:
        keys = COLS < 100 ? "Enter detail · m actions · <> sort · i reverse · 1 2 3 views · ? help · q quit"
                          : "Enter detail · m actions · < > sort · i reverse · 1 Monitor 2 Agents 3 DNC · ? help · q quit";
        break;
    case VIEW_DETAIL:
        keys = a->tab == TAB_TIMING      ? "Tab tabs · Enter edit · w save · l reload · m actions · Esc back · ? help"
               : a->tab == TAB_SEARCH    ? "Tab tabs · l n t o filters · Space mark · Q queue · P purge · e edit · Esc back"
               : a->tab == TAB_COMPLETED ? "Tab tabs · f from · t to · x export CSV · Enter attempts · Esc back"
               : a->tab == TAB_CURRENT   ? "Tab tabs · ↑↓ select · m actions · Esc back · ? help"
                                         : "Tab tabs · r refresh · m actions · Esc back · ? help";
        break;
    case VIEW_AGENTS:
        keys = "↑↓ select · r reload · 1 Monitor 2 Agents 3 DNC · ? help · q quit";
        break;
    default:
        keys = "/ search · a add · d remove · I import · PgDn more · 1 Monitor 2 Agents · ? help · q quit";
        break;
    }
    tui_put(y, 0, COLS, TUI_BAR, "", true);
    tui_putf(y, 0, COLS, TUI_BAR, true, " %s", keys);
}

static void input_view(struct app *a, enum view v)
{
    a->view = v;
    if (v == VIEW_AGENTS) {
        net_get(a, "/api/v1/agents", T_AGENTS, 0);
        detail_load_holding(a);
    } else if (v == VIEW_DNC) {
        dnc_reload(a);
    }
}

static void input_mouse(struct app *a)
{
    MEVENT ev;
    if (getmouse(&ev) != OK)
        return;
    bool left = ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_DOUBLE_CLICKED);
    bool right = ev.bstate & (BUTTON3_CLICKED | BUTTON3_PRESSED);
    if (a->prompt.kind != PROMPT_NONE) {
        if (left)
            prompt_click(a, ev.y, ev.x);
        return;
    }
    if (ev.bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED)) {
        input_key(a, ev.bstate & BUTTON4_PRESSED ? KEY_UP : KEY_DOWN, true);
        return;
    }
    if (!left && !right)
        return;
    if (ev.y == 0) {
        /* the header's view names */
        static const struct {
            const char *label;
            enum view v;
        } tabs[] = {{"1 Monitor", VIEW_MONITOR}, {"2 Agents", VIEW_AGENTS}, {"3 Do-not-call", VIEW_DNC}};
        extern int input_header_x[3];
        for (int i = 0; i < 3; i++)
            if (ev.x >= input_header_x[i] && ev.x < input_header_x[i] + tui_width(tabs[i].label) + 2)
                input_view(a, tabs[i].v);
        return;
    }
    if (a->view == VIEW_MONITOR) {
        monitor_click(a, ev.y, ev.x, right);
        if (ev.bstate & BUTTON1_DOUBLE_CLICKED)
            input_key(a, '\r', false);
    } else if (a->view == VIEW_DETAIL) {
        if (right)
            monitor_bp_menu(a, a->bp_open);
        else
            detail_click(a, ev.y, ev.x);
    } else if (a->view == VIEW_AGENTS) {
        a->agents_sel = a->agents_top + (ev.y - 3);
    } else if (a->view == VIEW_DNC) {
        a->dnc_sel = a->dnc_top + (ev.y - 3);
    }
}

int input_header_x[3];

void input_key(struct app *a, wint_t ch, bool is_key)
{
    a->dirty = true;
    if (is_key && ch == KEY_MOUSE) {
        input_mouse(a);
        return;
    }
    if (a->prompt.kind != PROMPT_NONE) {
        prompt_key(a, ch, is_key);
        return;
    }
    if ((!is_key && ch == '?') || (is_key && ch == KEY_F(1))) {
        input_help(a);
        return;
    }
    /* the view first: a view may use a key that is global elsewhere */
    bool used = false;
    switch (a->view) {
    case VIEW_MONITOR:
        used = monitor_key(a, ch, is_key);
        break;
    case VIEW_DETAIL:
        used = detail_key(a, ch, is_key);
        break;
    case VIEW_AGENTS:
        used = agents_key(a, ch, is_key);
        break;
    case VIEW_DNC:
        used = dnc_key(a, ch, is_key);
        break;
    }
    if (used || is_key)
        return;
    switch (ch) {
    case 27:
        if (a->view != VIEW_MONITOR)
            a->view = VIEW_MONITOR;
        break;
    case '1':
        input_view(a, VIEW_MONITOR);
        break;
    case '2':
        input_view(a, VIEW_AGENTS);
        break;
    case '3':
        input_view(a, VIEW_DNC);
        break;
    case 'q':
        if (a->report.csv)
            prompt_confirm(a, ACT_QUIT, 0, "A CSV export is being written; quit and leave it unfinished?");
        else if (a->import_left)
            prompt_confirm(a, ACT_QUIT, 0, "An import is under way; quit and leave it unfinished?");
        else
            net_logout(a);
        break;
    default:
        app_status(a, CONSOLE_WARN, 3, "That key does nothing here (? lists the keys)");
        break;
    }
}
