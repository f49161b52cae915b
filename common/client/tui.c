/*
 * tui.c — the curses set-up, colour roles, column-aware text drawing and
 * the text field of tui.h. Colour pairs are numbered after the roles; in
 * monochrome each role has an attribute of its own instead, so every state
 * stays readable without colour.
 */
#include "tui.h"

#include <curses.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool tui_active;
static bool tui_has_colour;

void tui_start(void)
{
    initscr();
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    set_escdelay(25);
    curs_set(0);
    mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_DOUBLE_CLICKED | BUTTON3_CLICKED |
                  BUTTON3_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED,
              NULL);
    mouseinterval(0);
    const char *no_colour = getenv("NO_COLOR");
    tui_has_colour = has_colors() && !(no_colour && no_colour[0]);
    if (tui_has_colour) {
        start_color();
        use_default_colors();
        static const short pairs[TUI_ROLE_COUNT][2] = {
            [TUI_NORMAL] = {-1, -1},
            [TUI_BAR] = {COLOR_WHITE, COLOR_BLUE},
            [TUI_SELECTED] = {COLOR_BLACK, COLOR_CYAN},
            [TUI_TITLE] = {COLOR_CYAN, -1},
            [TUI_KEY] = {COLOR_YELLOW, COLOR_BLUE},
            [TUI_OK] = {COLOR_GREEN, -1},
            [TUI_WARN] = {COLOR_YELLOW, -1},
            [TUI_ERROR] = {COLOR_RED, -1},
            [TUI_DIM] = {COLOR_BLACK, -1},
            [TUI_ALERT] = {COLOR_WHITE, COLOR_RED},
            [TUI_CHANGED] = {COLOR_BLACK, COLOR_YELLOW},
            [TUI_FIELD] = {COLOR_WHITE, COLOR_BLACK},
        };
        for (int r = 1; r < TUI_ROLE_COUNT; r++)
            init_pair((short)r, pairs[r][0], pairs[r][1]);
    }
    tui_active = true;
}

void tui_end(void)
{
    if (!tui_active)
        return;
    tui_active = false;
    endwin();
}

bool tui_colour(void)
{
    return tui_has_colour;
}

int tui_attr(enum tui_role role)
{
    if (tui_has_colour) {
        int a = role == TUI_NORMAL ? A_NORMAL : (int)COLOR_PAIR(role);
        if (role == TUI_TITLE || role == TUI_KEY || role == TUI_ALERT || role == TUI_ERROR)
            a |= A_BOLD;
        if (role == TUI_DIM)
            a |= A_BOLD; /* bright black: grey */
        return a;
    }
    switch (role) {
    case TUI_BAR:
    case TUI_SELECTED:
    case TUI_CHANGED:
        return A_REVERSE;
    case TUI_ALERT:
        return A_REVERSE | A_BOLD;
    case TUI_TITLE:
    case TUI_KEY:
    case TUI_ERROR:
        return A_BOLD;
    case TUI_WARN:
    case TUI_FIELD:
        return A_UNDERLINE;
    case TUI_DIM:
        return A_DIM;
    default:
        return A_NORMAL;
    }
}

void tui_flush(void)
{
    wnoutrefresh(stdscr);
    doupdate();
}

/* Decodes one UTF-8 character; *adv gets its length (1 for a bad byte,
 * which decodes as U+FFFD). */
static wchar_t tui_decode(const char *s, int *adv)
{
    mbstate_t st;
    memset(&st, 0, sizeof st);
    wchar_t wc;
    size_t n = mbrtowc(&wc, s, MB_CUR_MAX, &st);
    if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
        *adv = 1;
        return L'\xFFFD';
    }
    *adv = (int)n;
    return wc;
}

static int tui_wcw(wchar_t wc)
{
    int w = wcwidth(wc);
    return w < 0 ? 1 : w;
}

int tui_width(const char *s)
{
    int w = 0, adv;
    while (*s) {
        wchar_t wc = tui_decode(s, &adv);
        w += tui_wcw(wc);
        s += adv;
    }
    return w;
}

int tui_put(int y, int x, int width, enum tui_role role, const char *s, bool pad)
{
    if (width <= 0 || y < 0 || y >= LINES || x >= COLS)
        return 0;
    if (x + width > COLS)
        width = COLS - x;
    int total = tui_width(s);
    int used = 0, adv;
    attr_t a = (attr_t)tui_attr(role);
    move(y, x);
    while (*s) {
        wchar_t wc = tui_decode(s, &adv);
        if (wc < L' ' || wc == 0x7f)
            wc = L'?';
        int w = tui_wcw(wc);
        /* leave room for the ellipsis when the text does not fit */
        if (used + w > width || (total > width && used + w > width - 1))
            break;
        cchar_t cc;
        wchar_t str[2] = {wc, L'\0'};
        setcchar(&cc, str, a, (short)PAIR_NUMBER(a), NULL);
        add_wch(&cc);
        used += w;
        s += adv;
    }
    if (*s && used < width) {
        cchar_t cc;
        setcchar(&cc, L"\x2026", a, (short)PAIR_NUMBER(a), NULL);
        add_wch(&cc);
        used++;
    }
    if (pad) {
        attrset(a);
        for (; used < width; used++)
            addch(' ');
        attrset(A_NORMAL);
    }
    return used;
}

int tui_putf(int y, int x, int width, enum tui_role role, bool pad, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return tui_put(y, x, width, role, buf, pad);
}

void tui_cells(int y, int x, int w, enum tui_role role, int n, const int *widths,
               const char *const *cells)
{
    tui_put(y, x, w, role, "", true);
    int cx = x;
    for (int i = 0; i < n && cx < x + w; i++) {
        int cw = widths[i] < 0 ? -widths[i] : widths[i];
        if (cx + cw > x + w)
            cw = x + w - cx;
        int tw = tui_width(cells[i]);
        if (widths[i] < 0 && tw < cw)
            tui_put(y, cx + cw - tw, tw, role, cells[i], false);
        else
            tui_put(y, cx, cw, role, cells[i], false);
        cx += cw + 1;
    }
}

void tui_list_clamp(int *sel, int *top, int n, int rows)
{
    if (*sel >= n)
        *sel = n - 1;
    if (*sel < 0)
        *sel = 0;
    if (top == NULL)
        return;
    if (rows < 1)
        rows = 1;
    if (*sel < *top)
        *top = *sel;
    if (*sel >= *top + rows)
        *top = *sel - rows + 1;
    if (*top < 0)
        *top = 0;
}

void tui_fill(int y, int x, int h, int w, enum tui_role role)
{
    for (int i = 0; i < h; i++)
        tui_put(y + i, x, w, role, "", true);
}

void tui_frame(int y, int x, int h, int w, const char *title)
{
    if (h < 2 || w < 2)
        return;
    mvhline(y, x + 1, ACS_HLINE, w - 2);
    mvhline(y + h - 1, x + 1, ACS_HLINE, w - 2);
    mvvline(y + 1, x, ACS_VLINE, h - 2);
    mvvline(y + 1, x + w - 1, ACS_VLINE, h - 2);
    mvaddch(y, x, ACS_ULCORNER);
    mvaddch(y, x + w - 1, ACS_URCORNER);
    mvaddch(y + h - 1, x, ACS_LLCORNER);
    mvaddch(y + h - 1, x + w - 1, ACS_LRCORNER);
    if (title && title[0])
        tui_putf(y, x + 2, w - 4, TUI_TITLE, false, " %s ", title);
}

void tui_hline(int y, int x, int w)
{
    if (w > 0)
        mvhline(y, x, ACS_HLINE, w);
}

void tui_field_init(struct tui_field *f, int max, bool secret)
{
    memset(f, 0, sizeof *f);
    f->max = max > 0 && max < TUI_FIELD_MAX ? max : TUI_FIELD_MAX - 1;
    f->secret = secret;
}

void tui_field_set(struct tui_field *f, const char *utf8)
{
    f->len = 0;
    int adv;
    while (*utf8 && f->len < f->max) {
        f->text[f->len++] = tui_decode(utf8, &adv);
        utf8 += adv;
    }
    f->text[f->len] = L'\0';
    f->cur = f->len;
    f->scroll = 0;
}

void tui_field_get(const struct tui_field *f, char *out, size_t out_size)
{
    size_t n = 0;
    mbstate_t st;
    memset(&st, 0, sizeof st);
    for (int i = 0; i < f->len; i++) {
        char mb[MB_LEN_MAX];
        size_t k = wcrtomb(mb, f->text[i], &st);
        if (k == (size_t)-1)
            continue;
        if (n + k + 1 > out_size)
            break;
        memcpy(out + n, mb, k);
        n += k;
    }
    out[n] = '\0';
}

bool tui_field_key(struct tui_field *f, wint_t ch, bool is_key)
{
    if (is_key) {
        switch (ch) {
        case KEY_BACKSPACE:
            goto backspace;
        case KEY_DC:
            goto delete;
        case KEY_LEFT:
            if (f->cur > 0)
                f->cur--;
            return true;
        case KEY_RIGHT:
            if (f->cur < f->len)
                f->cur++;
            return true;
        case KEY_HOME:
            f->cur = 0;
            return true;
        case KEY_END:
            f->cur = f->len;
            return true;
        default:
            return false;
        }
    }
    switch (ch) {
    case 127:
    case 8:
    backspace:
        if (f->cur == 0)
            return true;
        memmove(f->text + f->cur - 1, f->text + f->cur, (size_t)(f->len - f->cur) * sizeof(wchar_t));
        f->cur--;
        f->len--;
        f->text[f->len] = L'\0';
        return true;
    case 4: /* ^D */
    delete:
        if (f->cur < f->len) {
            memmove(f->text + f->cur, f->text + f->cur + 1,
                    (size_t)(f->len - f->cur - 1) * sizeof(wchar_t));
            f->len--;
            f->text[f->len] = L'\0';
        }
        return true;
    case 1: /* ^A */
        f->cur = 0;
        return true;
    case 5: /* ^E */
        f->cur = f->len;
        return true;
    case 21: /* ^U */
        f->len = f->cur = 0;
        f->text[0] = L'\0';
        return true;
    case 11: /* ^K */
        f->len = f->cur;
        f->text[f->len] = L'\0';
        return true;
    case 23: /* ^W: the word before the cursor */
        {
            int i = f->cur;
            while (i > 0 && f->text[i - 1] == L' ')
                i--;
            while (i > 0 && f->text[i - 1] != L' ')
                i--;
            memmove(f->text + i, f->text + f->cur, (size_t)(f->len - f->cur) * sizeof(wchar_t));
            f->len -= f->cur - i;
            f->cur = i;
            f->text[f->len] = L'\0';
        }
        return true;
    default:
        break;
    }
    if (ch < L' ' || ch == 0x7f || (ch >= 0x80 && ch < 0xa0))
        return false;
    if (f->len >= f->max)
        return true; /* full: the key is taken and nothing happens */
    memmove(f->text + f->cur + 1, f->text + f->cur, (size_t)(f->len - f->cur) * sizeof(wchar_t));
    f->text[f->cur++] = (wchar_t)ch;
    f->len++;
    f->text[f->len] = L'\0';
    return true;
}

void tui_field_draw(struct tui_field *f, int y, int x, int width, bool focus)
{
    if (width < 2)
        return;
    /* keep the cursor in view */
    if (f->cur < f->scroll)
        f->scroll = f->cur;
    int cols = 0;
    for (int i = f->scroll; i < f->cur; i++)
        cols += f->secret ? 1 : tui_wcw(f->text[i]);
    while (cols > width - 1 && f->scroll < f->cur) {
        cols -= f->secret ? 1 : tui_wcw(f->text[f->scroll]);
        f->scroll++;
    }
    attr_t a = (attr_t)tui_attr(TUI_FIELD);
    if (focus)
        a |= A_BOLD;
    move(y, x);
    int used = 0, cur_col = x;
    for (int i = f->scroll; i < f->len; i++) {
        wchar_t wc = f->secret ? L'*' : f->text[i];
        int w = tui_wcw(wc);
        if (used + w > width)
            break;
        if (i == f->cur)
            cur_col = x + used;
        cchar_t cc;
        wchar_t str[2] = {wc, L'\0'};
        setcchar(&cc, str, a, (short)PAIR_NUMBER(a), NULL);
        add_wch(&cc);
        used += w;
    }
    if (f->cur >= f->len)
        cur_col = x + used;
    attrset(a);
    for (; used < width; used++)
        addch(' ');
    attrset(A_NORMAL);
    if (focus) {
        /* the cursor cell shown reversed: the terminal cursor stays hidden */
        move(y, cur_col);
        chgat(1, A_REVERSE, (short)PAIR_NUMBER(a), NULL);
    }
}
