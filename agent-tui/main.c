/*
 * main.c — cb-agent, the agent console: options, configuration, and the
 * one loop. The loop never blocks on anything but its wait: it sleeps in
 * httpc_wait() until a key, a network transfer, the notification pipe or
 * the next second's countdown needs it, then reads every key waiting,
 * moves the transfers on, and redraws when something changed.
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

static void usage(FILE *out)
{
    fprintf(out,
            "usage: cb-agent [--server URL] [--user LOGIN]\n"
            "       cb-agent --help | --version\n"
            "\n"
            "The agent console of cbd: the pending callbacks, offers with their\n"
            "countdown, dialing and completion, scheduling, Call History.\n"
            "\n"
            "  -s, --server URL   the cbd server (default: CB_SERVER, the file, or\n"
            "                     http://127.0.0.1:8080)\n"
            "  -u, --user LOGIN   the agent's login (default: CB_USER or the file)\n"
            "  -h, --help         this text\n"
            "  -V, --version      the version\n"
            "\n"
            "The password comes from CB_PASSWORD or the file, else the login screen\n"
            "asks. The file is $XDG_CONFIG_HOME/cb/client.conf (~/.config/cb/client.conf)\n"
            "with the keys server, user and password. Press ? in the console for the\n"
            "keys. See cb-agent(1).\n");
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

/* Does the screen show anything that changes by the second? */
static bool main_ticking(const struct app *a)
{
    return a->m.interaction != NULL || a->s.conn == SESSION_DOWN || a->st.until != 0;
}

static void main_key(struct app *a, wint_t ch, bool is_key)
{
    a->dirty = true;
    if (!console_key(&a->login, &a->s, &a->conf, a->logged_in, ch, is_key, &a->quit))
        input_key(a, ch, is_key);
}

int main(int argc, char **argv)
{
    struct app *a = &app;
    int rc = console_options(&a->conf, argc, argv, "cb-agent", usage);
    if (rc >= 0)
        return rc;
    setlocale(LC_ALL, "");
    signal(SIGPIPE, SIG_IGN);
    model_init(&a->m);
    net_init(a);
    login_init(&a->login, "cb-agent — log in", a->conf.server, a->conf.user, a->conf.password);
    memset(a->conf.password, 0, sizeof a->conf.password);
    notify_start(a);
    tui_start();
    a->dirty = true;
    /* everything given: log in at once, the screen shows it happening */
    if (a->login.fields[0].len && a->login.fields[1].len && a->login.fields[2].len) {
        a->login.busy = true;
        console_login_send(&a->login, &a->s, &a->conf);
    }
    while (!a->quit) {
        time_t now = time(NULL);
        if (main_ticking(a) && now != a->drawn_second)
            a->dirty = true;
        if (console_status_expire(&a->st, now))
            a->dirty = true;
        if (a->dirty) {
            a->dirty = false;
            a->drawn_second = now;
            view_draw(a);
            if (a->bell) {
                beep();
                a->bell = false;
            }
        }
        bool notified = console_wait(&a->s, notify_fd(), -1);
        wint_t ch;
        int r;
        while ((r = get_wch(&ch)) != ERR)
            main_key(a, ch, r == KEY_CODE_YES);
        if (notified)
            notify_drain(a);
        console_run(&a->s);
    }
    tui_end();
    notify_stop();
    session_free(&a->s);
    model_clear(&a->m);
    return 0;
}
