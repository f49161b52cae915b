/*
 * main.c — cb-supervisor, the live dashboard of cbd: options,
 * configuration and the one loop. The loop waits in httpc_wait() for a
 * key, the network or the next second; keys redraw at once, while changes
 * from the event stream redraw at most five times a second, so a stream of
 * events from a thousand busy agents costs a few redraws, each of which
 * sends the terminal only the cells that changed.
 */
#include <curses.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "vocab.h"

#define MAIN_REDRAW_MS 200

static void usage(FILE *out)
{
    fprintf(out,
            "usage: cb-supervisor [--server URL] [--user LOGIN]\n"
            "       cb-supervisor --help | --version\n"
            "\n"
            "The live supervisor dashboard of cbd: the Business Process Monitor, each\n"
            "business process's performance, timing, callback search, current\n"
            "interactions and completed report, the agents, the do-not-call list.\n"
            "\n"
            "  -s, --server URL   the cbd server (default: CB_SERVER, the file, or\n"
            "                     http://127.0.0.1:8080)\n"
            "  -u, --user LOGIN   a supervisor's login (default: CB_USER or the file)\n"
            "  -h, --help         this text\n"
            "  -V, --version      the version\n"
            "\n"
            "The password comes from CB_PASSWORD or the file, else the login screen\n"
            "asks. The file is $XDG_CONFIG_HOME/cb/client.conf (~/.config/cb/client.conf)\n"
            "with the keys server, user and password. Press ? for the keys. See\n"
            "cb-supervisor(1).\n");
}

static struct app app;

void app_status(struct app *a, enum console_level level, int seconds, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    console_status_set(&a->st, level, seconds, fmt, ap);
    va_end(ap);
    a->dirty = true;
}

struct bp_row *app_row(struct app *a, int64_t id)
{
    for (int i = 0; i < a->n_rows; i++)
        if (a->rows[i].id == id)
            return &a->rows[i];
    return NULL;
}

const char *app_bp_name(struct app *a, int64_t id)
{
    struct bp_row *r = app_row(a, id);
    return r ? jv_str(r->bp, "name") : "?";
}

extern int input_header_x[3];

static void main_draw(struct app *a)
{
    if (!console_draw_begin(&a->login, a->logged_in, 60, 10)) {
        tui_flush();
        return;
    }
    tui_fill(0, 0, 1, COLS, TUI_BAR);
    int x = tui_putf(0, 0, COLS < 100 ? 24 : COLS, TUI_BAR, false, " %s (%s) │", a->my_name, a->me);
    static const char *const names[3] = {"1 Monitor", "2 Agents", "3 Do-not-call"};
    static const enum view views[3] = {VIEW_MONITOR, VIEW_AGENTS, VIEW_DNC};
    for (int i = 0; i < 3; i++) {
        input_header_x[i] = x;
        bool on = a->view == views[i] || (views[i] == VIEW_MONITOR && a->view == VIEW_DETAIL);
        x += tui_putf(0, x, COLS - x, on ? TUI_SELECTED : TUI_BAR, false, " %s ", names[i]) + 1;
    }
    char conn[96];
    enum tui_role cr = TUI_OK;
    if (a->s.conn == SESSION_UP)
        snprintf(conn, sizeof conn, "● live");
    else if (a->s.conn == SESSION_CONNECTING)
        snprintf(conn, sizeof conn, "○ connecting…"), cr = TUI_WARN;
    else {
        long in = (long)(a->s.retry_at - time(NULL));
        snprintf(conn, sizeof conn, "✕ disconnected, retry in %lds", in < 0 ? 0 : in);
        cr = TUI_ERROR;
    }
    /* the connection is always shown: it takes the room it needs, over the
     * end of the view names if the terminal is that narrow */
    int w = tui_width(conn) + 2;
    tui_putf(0, COLS - w, w, cr, true, " %s ", conn);
    int top = 1, h = LINES - 3;
    switch (a->view) {
    case VIEW_MONITOR:
        monitor_draw(a, top, h);
        break;
    case VIEW_DETAIL:
        detail_draw(a, top, h);
        break;
    case VIEW_AGENTS:
        agents_draw(a, top, h);
        break;
    case VIEW_DNC:
        dnc_draw(a, top, h);
        break;
    }
    console_status_draw(&a->st, &a->s, LINES - 2, " — the figures shown are as of then");
    input_keybar_draw(a, LINES - 1);
    prompt_draw(a);
    tui_flush();
}

static void main_key(struct app *a, wint_t ch, bool is_key)
{
    a->dirty = true;
    if (!console_key(&a->login, &a->s, &a->conf, a->logged_in, ch, is_key, &a->quit))
        input_key(a, ch, is_key);
}

static long main_ms_since(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - t->tv_sec) * 1000 + (now.tv_nsec - t->tv_nsec) / 1000000;
}

int main(int argc, char **argv)
{
    struct app *a = &app;
    int rc = console_options(&a->conf, argc, argv, "cb-supervisor", usage);
    if (rc >= 0)
        return rc;
    setlocale(LC_ALL, "");
    signal(SIGPIPE, SIG_IGN);
    net_init(a);
    a->sort_col = COL_BP;
    login_init(&a->login, "cb-supervisor — log in", a->conf.server, a->conf.user, a->conf.password);
    memset(a->conf.password, 0, sizeof a->conf.password);
    tui_start();
    a->dirty = true;
    if (a->login.fields[0].len && a->login.fields[1].len && a->login.fields[2].len) {
        a->login.busy = true;
        console_login_send(&a->login, &a->s, &a->conf);
    }
    bool key_seen = true;
    time_t drawn_second = 0;
    while (!a->quit) {
        time_t now = time(NULL);
        /* the clock-driven parts: countdowns, highlights ending, reconnect */
        if (now != drawn_second && (a->view == VIEW_DETAIL || a->view == VIEW_AGENTS ||
                                    a->s.conn == SESSION_DOWN || monitor_flashing(a) || a->st.until))
            a->dirty = true;
        if (console_status_expire(&a->st, now))
            a->dirty = true;
        int timeout = 1000;
        if (a->dirty) {
            long since = main_ms_since(&a->drawn_at);
            if (key_seen || since >= MAIN_REDRAW_MS) {
                a->dirty = false;
                key_seen = false;
                drawn_second = now;
                clock_gettime(CLOCK_MONOTONIC, &a->drawn_at);
                main_draw(a);
            } else {
                timeout = (int)(MAIN_REDRAW_MS - since);
            }
        }
        console_wait(&a->s, -1, timeout);
        wint_t ch;
        int r;
        while ((r = get_wch(&ch)) != ERR) {
            main_key(a, ch, r == KEY_CODE_YES);
            key_seen = true;
        }
        console_run(&a->s);
        performance_tick(a);
    }
    tui_end();
    session_free(&a->s);
    return 0;
}
