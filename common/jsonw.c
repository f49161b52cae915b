/*
 * jsonw.c — the buffer-backed JSON writer (see jsonw.h). Digits and dates
 * are formatted by hand: they are most of what a callback holds.
 */
#include "jsonw.h"

#include <stdlib.h>
#include <string.h>

#include "civil.h"
#include "json.h"
#include "xalloc.h"

void jsonw_init(struct jsonw *w)
{
    memset(w, 0, sizeof *w);
    w->cap = 1024;
    w->buf = xmalloc(w->cap);
    w->buf[0] = '\0';
    w->first[0] = true;
}

void jsonw_clear(struct jsonw *w)
{
    free(w->buf);
    memset(w, 0, sizeof *w);
}

char *jsonw_take(struct jsonw *w, size_t *len)
{
    char *out = w->buf;
    if (len)
        *len = w->len;
    jsonw_init(w);
    return out;
}

static void jsonw_reserve(struct jsonw *w, size_t more)
{
    if (w->len + more + 1 > w->cap) {
        while (w->len + more + 1 > w->cap)
            w->cap *= 2;
        w->buf = xrealloc(w->buf, w->cap);
    }
}

static void jsonw_put(struct jsonw *w, const char *s, size_t n)
{
    jsonw_reserve(w, n);
    memcpy(w->buf + w->len, s, n);
    w->len += n;
    w->buf[w->len] = '\0';
}

static void jsonw_char(struct jsonw *w, char c)
{
    jsonw_reserve(w, 1);
    w->buf[w->len++] = c;
    w->buf[w->len] = '\0';
}

/* Before a value: a comma when it is not the first element of an array
 * (members of an object get theirs in jsonw_key()). */
static void jsonw_value(struct jsonw *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (w->depth > 0 && !w->first[w->depth])
        jsonw_char(w, ',');
    w->first[w->depth] = false;
}

static void jsonw_open(struct jsonw *w, char c)
{
    jsonw_value(w);
    jsonw_char(w, c);
    if (w->depth + 1 < JSONW_MAX_DEPTH)
        w->depth++;
    w->first[w->depth] = true;
}

static void jsonw_close(struct jsonw *w, char c)
{
    jsonw_char(w, c);
    if (w->depth > 0)
        w->depth--;
}

void jsonw_object_begin(struct jsonw *w)
{
    jsonw_open(w, '{');
}

void jsonw_object_end(struct jsonw *w)
{
    jsonw_close(w, '}');
}

void jsonw_array_begin(struct jsonw *w)
{
    jsonw_open(w, '[');
}

void jsonw_array_end(struct jsonw *w)
{
    jsonw_close(w, ']');
}

/* True for the bytes a JSON string can hold as they are. */
static inline bool jsonw_plain(unsigned char c)
{
    return c >= 0x20 && c != '"' && c != '\\';
}

static void jsonw_quoted(struct jsonw *w, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    jsonw_char(w, '"');
    const unsigned char *p = (const unsigned char *)s;
    for (;;) {
        const unsigned char *run = p;
        while (*p && jsonw_plain(*p))
            p++;
        if (p > run)
            jsonw_put(w, (const char *)run, (size_t)(p - run));
        if (*p == '\0')
            break;
        char esc[6] = {'\\', 0, 0, 0, 0, 0};
        size_t n = 2;
        switch (*p) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        default:
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[*p >> 4];
            esc[5] = hex[*p & 15];
            n = 6;
        }
        jsonw_put(w, esc, n);
        p++;
    }
    jsonw_char(w, '"');
}

void jsonw_key(struct jsonw *w, const char *name)
{
    /* names are the program's own identifiers: nothing to escape */
    size_t n = strlen(name);
    jsonw_reserve(w, n + 4);
    if (!w->first[w->depth])
        w->buf[w->len++] = ',';
    w->first[w->depth] = false;
    w->buf[w->len++] = '"';
    memcpy(w->buf + w->len, name, n);
    w->len += n;
    w->buf[w->len++] = '"';
    w->buf[w->len++] = ':';
    w->buf[w->len] = '\0';
    w->after_key = true;
}

void jsonw_string(struct jsonw *w, const char *s)
{
    jsonw_value(w);
    jsonw_quoted(w, s);
}

void jsonw_string_or_null(struct jsonw *w, const char *s)
{
    if (s)
        jsonw_string(w, s);
    else
        jsonw_null(w);
}

void jsonw_int(struct jsonw *w, int64_t v)
{
    jsonw_value(w);
    char digits[24];
    int n = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        digits[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    jsonw_reserve(w, (size_t)n + 1);
    if (v < 0)
        w->buf[w->len++] = '-';
    while (n > 0)
        w->buf[w->len++] = digits[--n];
    w->buf[w->len] = '\0';
}

void jsonw_bool(struct jsonw *w, bool v)
{
    jsonw_value(w);
    jsonw_put(w, v ? "true" : "false", v ? 4 : 5);
}

void jsonw_null(struct jsonw *w)
{
    jsonw_value(w);
    jsonw_put(w, "null", 4);
}

static void jsonw_digits(char *out, int v, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        out[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

void jsonw_instant(struct jsonw *w, int64_t t)
{
    if (t == JSON_NO_INSTANT) {
        jsonw_null(w);
        return;
    }
    struct civil_time ct;
    civil_from_epoch(t, &ct);
    if (ct.year < 0 || ct.year > 9999) {
        char buf[CIVIL_RFC3339_SIZE];
        civil_format_rfc3339(t, buf);
        jsonw_string(w, buf);
        return;
    }
    char s[22] = "\"0000-00-00T00:00:00Z\"";
    jsonw_digits(s + 1, ct.year, 4);
    jsonw_digits(s + 6, ct.month, 2);
    jsonw_digits(s + 9, ct.day, 2);
    jsonw_digits(s + 12, ct.hour, 2);
    jsonw_digits(s + 15, ct.minute, 2);
    jsonw_digits(s + 18, ct.second, 2);
    jsonw_value(w);
    jsonw_put(w, s, 22);
}

void jsonw_raw(struct jsonw *w, const char *json)
{
    jsonw_value(w);
    jsonw_put(w, json, strlen(json));
}
