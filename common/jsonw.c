/*
 * jsonw.c — the buffer-backed JSON writer (see jsonw.h). Digits and dates
 * are formatted by hand: they are most of what a callback holds. A writer
 * keeps the "YYYY-MM-DD" of the last few days it wrote (a page of callbacks
 * repeats a handful), so most instants cost a table look-up and six digits.
 * A string is escaped in one pass through a table, into room reserved for
 * its worst case.
 */
#include "jsonw.h"

#include <stdlib.h>
#include <string.h>

#include "civil.h"
#include "json.h"
#include "xalloc.h"

/* Marks the cache of dates empty (no instant falls on this day). */
static void jsonw_forget_days(struct jsonw *w)
{
    for (int i = 0; i < 4; i++)
        w->day[i] = INT64_MIN;
}

void jsonw_init(struct jsonw *w)
{
    memset(w, 0, sizeof *w);
    w->cap = 1024;
    w->buf = xmalloc(w->cap);
    w->buf[0] = '\0';
    w->first[0] = true;
    jsonw_forget_days(w);
}

void jsonw_clear(struct jsonw *w)
{
    free(w->buf);
    memset(w, 0, sizeof *w);
    jsonw_forget_days(w);
}

char *jsonw_take(struct jsonw *w, size_t *len)
{
    char *out = w->buf;
    if (len)
        *len = w->len;
    w->buf = NULL; /* handed over: jsonw_clear() has nothing left to free */
    jsonw_clear(w);
    return out;
}

void jsonw_grow(struct jsonw *w, size_t more)
{
    if (w->len + more + 1 > w->cap) {
        while (w->len + more + 1 > w->cap)
            w->cap *= 2;
        w->buf = xrealloc(w->buf, w->cap);
    }
}

static inline void jsonw_reserve(struct jsonw *w, size_t more)
{
    if (w->len + more + 1 > w->cap)
        jsonw_grow(w, more);
}

static inline void jsonw_put(struct jsonw *w, const char *s, size_t n)
{
    jsonw_reserve(w, n);
    memcpy(w->buf + w->len, s, n);
    w->len += n;
    w->buf[w->len] = '\0';
}

static inline void jsonw_char(struct jsonw *w, char c)
{
    jsonw_reserve(w, 1);
    w->buf[w->len++] = c;
    w->buf[w->len] = '\0';
}

/* Before a value: a comma when it is not the first element of an array
 * (members of an object get theirs in jsonw_key()). */
static inline void jsonw_value(struct jsonw *w)
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

/* The escape of each byte: 0 when it stands as it is, 'u' for \u00XX, else
 * the letter after the backslash. */
static const char jsonw_escape[256] = {
    ['\0'] = 'u', [1] = 'u', [2] = 'u', [3] = 'u', [4] = 'u', [5] = 'u', [6] = 'u', [7] = 'u',
    ['\b'] = 'b', ['\t'] = 't', ['\n'] = 'n', [11] = 'u', ['\f'] = 'f', ['\r'] = 'r',
    [14] = 'u', [15] = 'u', [16] = 'u', [17] = 'u', [18] = 'u', [19] = 'u', [20] = 'u',
    [21] = 'u', [22] = 'u', [23] = 'u', [24] = 'u', [25] = 'u', [26] = 'u', [27] = 'u',
    [28] = 'u', [29] = 'u', [30] = 'u', [31] = 'u', ['"'] = '"', ['\\'] = '\\',
};

static void jsonw_quoted(struct jsonw *w, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = strlen(s);
    jsonw_reserve(w, n * 6 + 2); /* every byte escaped as \u00XX, and the quotes */
    char *o = w->buf + w->len;
    *o++ = '"';
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char e = jsonw_escape[*p];
        if (e == 0) {
            *o++ = (char)*p;
        } else if (e != 'u') {
            *o++ = '\\';
            *o++ = e;
        } else {
            memcpy(o, "\\u00", 4);
            o[4] = hex[*p >> 4];
            o[5] = hex[*p & 15];
            o += 6;
        }
    }
    *o++ = '"';
    *o = '\0';
    w->len = (size_t)(o - w->buf);
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
    int64_t day = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int secs = (int)(t - day * 86400);
    char *date = w->date[day & 3];
    if (w->day[day & 3] != day) {
        struct civil_time ct;
        civil_from_epoch(t, &ct);
        if (ct.year < 0 || ct.year > 9999) {
            char buf[CIVIL_RFC3339_SIZE];
            civil_format_rfc3339(t, buf);
            jsonw_string(w, buf);
            return;
        }
        memcpy(date, "0000-00-00", 10);
        jsonw_digits(date, ct.year, 4);
        jsonw_digits(date + 5, ct.month, 2);
        jsonw_digits(date + 8, ct.day, 2);
        w->day[day & 3] = day;
    }
    char s[22] = "\"0000-00-00T00:00:00Z\"";
    memcpy(s + 1, date, 10);
    jsonw_digits(s + 12, secs / 3600, 2);
    jsonw_digits(s + 15, secs / 60 % 60, 2);
    jsonw_digits(s + 18, secs % 60, 2);
    jsonw_value(w);
    jsonw_put(w, s, 22);
}

void jsonw_raw(struct jsonw *w, const char *json)
{
    jsonw_value(w);
    jsonw_put(w, json, strlen(json));
}

void jsonw_members(struct jsonw *w, const char *members, size_t len)
{
    if (len == 0)
        return;
    if (!w->first[w->depth])
        jsonw_char(w, ',');
    w->first[w->depth] = false;
    jsonw_put(w, members, len);
}
