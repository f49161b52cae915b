/*
 * login.c — the login screen of login.h, centred on the terminal.
 */
#include "login.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

static const char *const login_labels[3] = {"Server", "Login", "Password"};

void login_init(struct login_form *f, const char *title, const char *server, const char *user,
                const char *password)
{
    memset(f, 0, sizeof *f);
    f->title = title;
    tui_field_init(&f->fields[0], 500, false);
    tui_field_init(&f->fields[1], 63, false);
    tui_field_init(&f->fields[2], 1024, true);
    tui_field_set(&f->fields[0], server ? server : "");
    tui_field_set(&f->fields[1], user ? user : "");
    tui_field_set(&f->fields[2], password ? password : "");
    login_focus_first_empty(f);
}

void login_focus_first_empty(struct login_form *f)
{
    f->focus = 2;
    for (int i = 0; i < 3; i++)
        if (f->fields[i].len == 0) {
            f->focus = i;
            break;
        }
}

void login_set_error(struct login_form *f, const char *error)
{
    snprintf(f->error, sizeof f->error, "%s", error ? error : "");
    f->busy = false;
}

void login_values(const struct login_form *f, char *server, size_t server_size, char *user,
                  size_t user_size, char *password, size_t password_size)
{
    tui_field_get(&f->fields[0], server, server_size);
    tui_field_get(&f->fields[1], user, user_size);
    tui_field_get(&f->fields[2], password, password_size);
}

enum login_result login_key(struct login_form *f, wint_t ch, bool is_key)
{
    if (f->busy)
        return (!is_key && (ch == 27 || ch == 17)) ? LOGIN_QUIT : LOGIN_NONE;
    if (!is_key && (ch == 27 || ch == 17))
        return LOGIN_QUIT;
    if ((is_key && ch == KEY_DOWN) || (!is_key && ch == '\t')) {
        f->focus = (f->focus + 1) % 3;
        return LOGIN_NONE;
    }
    if (is_key && (ch == KEY_UP || ch == KEY_BTAB)) {
        f->focus = (f->focus + 2) % 3;
        return LOGIN_NONE;
    }
    if ((!is_key && (ch == '\r' || ch == '\n')) || (is_key && ch == KEY_ENTER)) {
        for (int i = 0; i < 3; i++)
            if (f->fields[i].len == 0) {
                f->focus = i;
                snprintf(f->error, sizeof f->error, "%s: required", login_labels[i]);
                return LOGIN_NONE;
            }
        f->error[0] = '\0';
        f->busy = true;
        return LOGIN_SUBMIT;
    }
    if (tui_field_key(&f->fields[f->focus], ch, is_key))
        f->error[0] = '\0';
    return LOGIN_NONE;
}

/* Where the form sits: top row and left column of the box. */
static void login_place(int *top, int *left, int *w)
{
    *w = COLS < 64 ? COLS - 2 : 62;
    *top = LINES / 2 - 5;
    if (*top < 0)
        *top = 0;
    *left = (COLS - *w) / 2;
}

void login_click(struct login_form *f, int y, int x)
{
    int top, left, w;
    login_place(&top, &left, &w);
    (void)x;
    for (int i = 0; i < 3; i++)
        if (y == top + 2 + i * 2)
            f->focus = i;
}

void login_draw(struct login_form *f)
{
    erase();
    int top, left, w;
    login_place(&top, &left, &w);
    tui_frame(top, left, 11, w, f->title);
    for (int i = 0; i < 3; i++) {
        int y = top + 2 + i * 2;
        tui_putf(y, left + 2, 10, TUI_NORMAL, true, "%s", login_labels[i]);
        tui_field_draw(&f->fields[i], y, left + 12, w - 14, f->focus == i && !f->busy);
    }
    if (f->busy)
        tui_put(top + 8, left + 2, w - 4, TUI_WARN, "Logging in…", true);
    else if (f->error[0])
        tui_put(top + 8, left + 2, w - 4, TUI_ERROR, f->error, true);
    tui_put(top + 9, left + 2, w - 4, TUI_DIM, "Enter log in · Tab next field · Esc quit", true);
}
