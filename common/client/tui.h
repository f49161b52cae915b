/*
 * tui.h — what both consoles draw with: curses set up the same way (UTF-8,
 * keypad, 25 ms Escape, mouse clicks and wheel, no cursor), colours as
 * semantic roles with a monochrome fallback (NO_COLOR, or a terminal
 * without colour), text drawn by display columns (wide characters take
 * two, what does not fit is cut with '…'), and a one-line text field.
 *
 * Everything draws into stdscr; tui_flush() sends the terminal only the
 * cells that changed since the last flush, which is curses' own diffing.
 */
#ifndef CB_TUI_H
#define CB_TUI_H

#include <stdbool.h>
#include <stddef.h>
#include <wchar.h>

enum tui_role {
    TUI_NORMAL,
    TUI_BAR,      /* header and key bar */
    TUI_SELECTED, /* the selected row */
    TUI_TITLE,    /* titles of panes and dialogs */
    TUI_KEY,      /* a key name in the key bar */
    TUI_OK,       /* Ready, connected, Active */
    TUI_WARN,     /* Not Ready, reconnecting, overdue, Off Schedule */
    TUI_ERROR,    /* errors, Stopped */
    TUI_DIM,      /* greyed: full slots, disabled */
    TUI_ALERT,    /* an offer: stands out */
    TUI_CHANGED,  /* a cell that just changed */
    TUI_FIELD,    /* an input field */
    TUI_ROLE_COUNT
};

/* Sets up the terminal (setlocale must have been called). */
void tui_start(void);
/* Gives the terminal back. Safe to call twice. */
void tui_end(void);
bool tui_colour(void);
int tui_attr(enum tui_role role);
void tui_flush(void);

/* Display columns of a UTF-8 string (invalid bytes count one each). */
int tui_width(const char *s);
/* Draws s at (y, x) in at most width columns with role, cutting with '…'
 * what does not fit; pads with spaces to width when pad. Returns the
 * columns drawn. */
int tui_put(int y, int x, int width, enum tui_role role, const char *s, bool pad);
/* printf, then tui_put. */
int tui_putf(int y, int x, int width, enum tui_role role, bool pad, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
/* A table row: n cells from x, cell i in widths[i] display columns
 * (cut with '…' when longer; a negative width right-aligns), one space
 * between cells, the row padded to w columns in role. */
void tui_cells(int y, int x, int w, enum tui_role role, int n, const int *widths,
               const char *const *cells);
/* Keeps a list's selection within its n rows (0 when empty) and its first
 * row shown so that the selection is among the rows visible rows; top may
 * be NULL for a list that does not scroll. */
void tui_list_clamp(int *sel, int *top, int n, int rows);
/* Fills a rectangle with spaces in role. */
void tui_fill(int y, int x, int h, int w, enum tui_role role);
/* A frame with a title. */
void tui_frame(int y, int x, int h, int w, const char *title);
/* A horizontal rule. */
void tui_hline(int y, int x, int w);

/* A one-line text field editing wide characters. */
#define TUI_FIELD_MAX 512
struct tui_field {
    wchar_t text[TUI_FIELD_MAX];
    int len, cur, scroll;
    int max; /* characters allowed, <= TUI_FIELD_MAX - 1 */
    bool secret;
};
void tui_field_init(struct tui_field *f, int max, bool secret);
void tui_field_set(struct tui_field *f, const char *utf8);
/* The text as UTF-8 into out (out_size bytes). */
void tui_field_get(const struct tui_field *f, char *out, size_t out_size);
/* Handles an editing key (a character, or KEY_* when is_key): insert,
 * Backspace, Delete, Left, Right, Home, End, ^A, ^E, ^U, ^K, ^W. True when
 * the key was used. */
bool tui_field_key(struct tui_field *f, wint_t ch, bool is_key);
/* Draws the field in width columns; with focus, shows the cursor there. */
void tui_field_draw(struct tui_field *f, int y, int x, int width, bool focus);

#endif
