/*
 * console.c — the pieces of console.h.
 */
#include "console.h"

#include <curses.h>
#include <getopt.h>
#include <stdarg.h>
#include <string.h>

#include "jv.h"
#include "tui.h"

int console_options(struct clientconf *c, int argc, char **argv, const char *prog,
                    void (*usage)(FILE *out))
{
    static const struct option opts[] = {
        {"server", required_argument, NULL, 's'},
        {"user", required_argument, NULL, 'u'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    int ch;
    while ((ch = getopt_long(argc, argv, "s:u:hV", opts, NULL)) != -1) {
        switch (ch) {
        case 's':
            if (strlen(optarg) >= sizeof c->server) {
                fprintf(stderr, "%s: --server: too long (at most %zu bytes)\n", prog, sizeof c->server - 1);
                return 2;
            }
            snprintf(c->server, sizeof c->server, "%s", optarg);
            break;
        case 'u':
            if (strlen(optarg) >= sizeof c->user) {
                fprintf(stderr, "%s: --user: too long (at most %zu bytes)\n", prog, sizeof c->user - 1);
                return 2;
            }
            snprintf(c->user, sizeof c->user, "%s", optarg);
            break;
        case 'h':
            usage(stdout);
            return 0;
        case 'V':
            printf("%s %s\n", prog, CB_VERSION);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "%s: unexpected argument '%s'\n", prog, argv[optind]);
        usage(stderr);
        return 2;
    }
    char err[600];
    if (!clientconf_resolve(c, err, sizeof err)) {
        fprintf(stderr, "%s: %s\n", prog, err);
        return 2;
    }
    return -1;
}

bool console_login_send(struct login_form *f, struct session *s, struct clientconf *c)
{
    char server[512], user[64], password[1025];
    login_values(f, server, sizeof server, user, sizeof user, password, sizeof password);
    const char *why;
    bool ok = session_login(s, server, user, password, &why);
    if (!ok) {
        char msg[600];
        snprintf(msg, sizeof msg, "Server: %s", why);
        login_set_error(f, msg);
        f->focus = 0;
    } else {
        snprintf(c->server, sizeof c->server, "%s", server);
        snprintf(c->user, sizeof c->user, "%s", user);
    }
    memset(password, 0, sizeof password);
    return ok;
}

bool console_key(struct login_form *f, struct session *s, struct clientconf *c, bool logged_in,
                 wint_t ch, bool is_key, bool *quit)
{
    if (is_key && ch == KEY_RESIZE)
        return true;
    if (logged_in)
        return false;
    if (is_key && ch == KEY_MOUSE) {
        MEVENT ev;
        if (getmouse(&ev) == OK)
            login_click(f, ev.y, ev.x);
        return true;
    }
    enum login_result r = login_key(f, ch, is_key);
    if (r == LOGIN_QUIT)
        *quit = true;
    else if (r == LOGIN_SUBMIT)
        console_login_send(f, s, c);
    return true;
}

bool console_draw_begin(struct login_form *f, bool logged_in, int min_cols, int min_lines)
{
    if (!logged_in) {
        login_draw(f);
        return false;
    }
    erase();
    if (LINES < min_lines || COLS < min_cols) {
        tui_putf(0, 0, COLS, TUI_ERROR, true, "Terminal too small (at least %d×%d)", min_cols, min_lines);
        return false;
    }
    return true;
}

bool console_login_reply(struct login_form *f, struct session *s, const struct httpc_reply *r,
                         const char *server, const char *const *roles, const char *not_role,
                         const char *hint)
{
    if (r->status == 0) {
        char msg[600];
        snprintf(msg, sizeof msg, "Cannot reach %s: %s", server, r->message);
        login_set_error(f, msg);
        return false;
    }
    if (r->status != 200) {
        login_set_error(f, r->message[0] ? r->message : "login refused");
        if (r->status == 401)
            f->focus = 2;
        return false;
    }
    const cJSON *user = cJSON_GetObjectItemCaseSensitive(r->json, "user");
    const char *role = jv_str(user, "role");
    for (const char *const *ok = roles; *ok; ok++)
        if (strcmp(role, *ok) == 0) {
            f->busy = false;
            return true;
        }
    char msg[300];
    snprintf(msg, sizeof msg, "%s is a%s %s, not %s: use %s", jv_str(user, "login"),
             strchr("aeiou", role[0]) && role[0] ? "n" : "", role, not_role, hint);
    session_logout(s, NULL, NULL, 0);
    login_set_error(f, msg);
    return false;
}

bool console_wait(struct session *s, int extra_fd, int max_ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int timeout = 1000 - (int)(ts.tv_nsec / 1000000) + 5;
    if (max_ms >= 0 && max_ms < timeout)
        timeout = max_ms;
    long curl_ms = s->http ? httpc_timeout_ms(s->http) : -1;
    if (curl_ms >= 0 && curl_ms < timeout)
        timeout = (int)curl_ms;
    struct pollfd fds[2] = {{.fd = 0, .events = POLLIN}, {.fd = extra_fd, .events = POLLIN}};
    unsigned nfds = extra_fd >= 0 ? 2 : 1;
    if (s->http)
        httpc_wait(s->http, fds, nfds, timeout);
    else
        poll(fds, nfds, timeout);
    return nfds == 2 && (fds[1].revents & POLLIN);
}

void console_run(struct session *s)
{
    if (s->http) {
        httpc_run(s->http);
        session_tick(s);
    }
}

void console_status_set(struct console_status *st, enum console_level level, int seconds,
                        const char *fmt, va_list ap)
{
    vsnprintf(st->text, sizeof st->text, fmt, ap);
    st->level = level;
    st->until = seconds > 0 ? time(NULL) + seconds : 0;
}

bool console_status_expire(struct console_status *st, time_t now)
{
    if (st->until && now >= st->until) {
        st->text[0] = '\0';
        st->until = 0;
        return true;
    }
    return false;
}

void console_status_draw(const struct console_status *st, const struct session *s, int y,
                         const char *down_suffix)
{
    if (st->text[0]) {
        enum tui_role r = st->level == CONSOLE_ERROR  ? TUI_ERROR
                          : st->level == CONSOLE_WARN ? TUI_WARN : TUI_NORMAL;
        tui_put(y, 1, COLS - 2, r, st->text, true);
    } else if (s->conn == SESSION_DOWN && s->conn_why[0]) {
        tui_putf(y, 1, COLS - 2, TUI_ERROR, true, "Connection lost: %s%s", s->conn_why,
                 down_suffix ? down_suffix : "");
    }
}
