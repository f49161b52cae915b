/*
 * login.h — the login screen both consoles open with: server, login and
 * password fields, a line for what went wrong, Enter to log in, Tab and the
 * arrows to move, Escape or ^Q to quit. It only edits and draws; the
 * program sends the login and reports the result with login_set_error().
 */
#ifndef CB_LOGIN_H
#define CB_LOGIN_H

#include <stdbool.h>
#include <wchar.h>

#include "tui.h"

enum login_result { LOGIN_NONE, LOGIN_SUBMIT, LOGIN_QUIT };

struct login_form {
    const char *title; /* "cb-agent", "cb-supervisor" */
    struct tui_field fields[3]; /* server, user, password */
    int focus;
    bool busy; /* a login is under way */
    char error[512];
};

void login_init(struct login_form *f, const char *title, const char *server, const char *user,
                const char *password);
/* Focus goes to the first empty field. */
void login_focus_first_empty(struct login_form *f);
void login_set_error(struct login_form *f, const char *error);
void login_values(const struct login_form *f, char *server, size_t server_size, char *user,
                  size_t user_size, char *password, size_t password_size);
enum login_result login_key(struct login_form *f, wint_t ch, bool is_key);
/* A click at (y, x) focuses the field under it. */
void login_click(struct login_form *f, int y, int x);
void login_draw(struct login_form *f);

#endif
