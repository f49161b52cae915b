/*
 * console.h — what the two consoles do alike around their own screens: the
 * command line (--server, --user, --help, --version) and the configuration
 * it leads to; the login screen's keys and clicks; the reply to a login,
 * refused with a message when the role is not the console's; and the
 * status line, a message that lasts a few seconds.
 */
#ifndef CB_CONSOLE_H
#define CB_CONSOLE_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>
#include <wchar.h>

#include "clientconf.h"
#include "httpc.h"
#include "login.h"
#include "session.h"

/* Reads the options into c and resolves the rest (clientconf.h). Returns
 * -1 to go on, else the status to exit with (0 after --help / --version,
 * 2 after a usage or configuration error, said on stderr). */
int console_options(struct clientconf *c, int argc, char **argv, const char *prog,
                    void (*usage)(FILE *out));

/* What every key goes through first: a resize (true: nothing else to do),
 * and before the login every key and click of the login screen (true; the
 * login is sent when asked, *quit set when the user quits). False: the key
 * is the console's own. */
bool console_key(struct login_form *f, struct session *s, struct clientconf *c, bool logged_in,
                 wint_t ch, bool is_key, bool *quit);
/* Sends the login the login screen holds (false with the screen saying
 * why when the server URL is not one). */
bool console_login_send(struct login_form *f, struct session *s, struct clientconf *c);
/* Starts a redraw: the login screen before the login, a notice on a
 * terminal smaller than min_cols × min_lines; true when the console's own
 * screen is to be drawn (the screen erased). */
bool console_draw_begin(struct login_form *f, bool logged_in, int min_cols, int min_lines);

/* The reply to the login: true when it is the login of one of roles (NULL
 * terminated); otherwise the login screen says why (wrong password, server
 * not reached, or "LOGIN is a ROLE, not ..." with hint, the session then
 * logged out again) and false. */
bool console_login_reply(struct login_form *f, struct session *s, const struct httpc_reply *r,
                         const char *server, const char *const *roles, const char *not_role,
                         const char *hint);

/* The loop's one wait: until a key, the session's network, extra_fd (when
 * >= 0) or the next whole second (the countdowns), and at most max_ms.
 * True when extra_fd became readable. */
bool console_wait(struct session *s, int extra_fd, int max_ms);
/* After the keys: moves the session's transfers on (their callbacks run
 * here) and opens the stream again when that is due. */
void console_run(struct session *s);

enum console_level { CONSOLE_INFO, CONSOLE_WARN, CONSOLE_ERROR };

struct console_status {
    char text[512];
    enum console_level level;
    time_t until; /* 0: until replaced */
};

void console_status_set(struct console_status *st, enum console_level level, int seconds,
                        const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));
/* Forgets a message whose time is over; true when it did. */
bool console_status_expire(struct console_status *st, time_t now);
/* Draws the status line at row y: the message, else "Connection lost"
 * while the session is down. */
void console_status_draw(const struct console_status *st, const struct session *s, int y,
                         const char *down_suffix);

#endif
