/*
 * jsonw.h — JSON text written straight into a growing buffer, for replies
 * that list many records (a page of callbacks). cJSON builds a tree of
 * nodes, each allocated and then printed with printf and a scanf check per
 * number; for a page of 50 callbacks that cost four times the rest of the
 * request (measured with perf, see tests/bench/). This writer does the
 * same job with one buffer and no per-value allocation. Everything that is
 * not a hot list still uses cJSON.
 *
 * Commas are placed by the writer: call jsonw_key() before each member of
 * an object, nothing before an array element. Strings are escaped as RFC
 * 8259 asks (quotes, backslash, control characters); valid UTF-8 passes
 * through. The buffer belongs to the writer until jsonw_take() hands it to
 * the caller, who frees it with free().
 */
#ifndef CB_JSONW_H
#define CB_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define JSONW_MAX_DEPTH 32

struct jsonw {
    char *buf;
    size_t len, cap;
    int depth;
    bool first[JSONW_MAX_DEPTH]; /* no member / element written yet at this depth */
    bool after_key;              /* a member name was written; its value comes next */
    int64_t day[4];              /* days of recent instants (by day % 4) and */
    char date[4][10];            /* their "YYYY-MM-DD": a page repeats few days */
};

void jsonw_init(struct jsonw *w);
/* Frees the buffer (when it was not taken). */
void jsonw_clear(struct jsonw *w);
/* The text, NUL-terminated; *len (if not NULL) gets its length. The caller
 * owns it; the writer is left as jsonw_clear() leaves it (jsonw_init() it
 * to write again). */
char *jsonw_take(struct jsonw *w, size_t *len);

void jsonw_object_begin(struct jsonw *w);
void jsonw_object_end(struct jsonw *w);
void jsonw_array_begin(struct jsonw *w);
void jsonw_array_end(struct jsonw *w);
/* Makes room for more bytes and the terminating NUL: jsonw_key()'s slow
 * path, and a hint for a caller that knows a reply will be large. */
void jsonw_grow(struct jsonw *w, size_t more);

/* The name of the next member of the current object: one of the program's
 * own identifiers, written without escaping. Inline, because a page of
 * callbacks writes over a thousand of them and the name's length then folds
 * to a constant. */
static inline void jsonw_key(struct jsonw *w, const char *name)
{
    size_t n = strlen(name);
    if (w->len + n + 5 > w->cap)
        jsonw_grow(w, n + 4);
    char *p = w->buf + w->len;
    if (!w->first[w->depth])
        *p++ = ',';
    w->first[w->depth] = false;
    *p++ = '"';
    memcpy(p, name, n);
    p += n;
    *p++ = '"';
    *p++ = ':';
    *p = '\0';
    w->len = (size_t)(p - w->buf);
    w->after_key = true;
}
void jsonw_string(struct jsonw *w, const char *s);
/* A string, or null when s is NULL. */
void jsonw_string_or_null(struct jsonw *w, const char *s);
void jsonw_int(struct jsonw *w, int64_t v);
void jsonw_bool(struct jsonw *w, bool v);
void jsonw_null(struct jsonw *w);
/* "2026-11-22T14:30:00Z", or null for JSON_NO_INSTANT (json.h). */
void jsonw_instant(struct jsonw *w, int64_t t);
/* Text that is already JSON (a stored object), written as it is. */
void jsonw_raw(struct jsonw *w, const char *json);
/* Members of the current object that are already JSON text ("a":1,"b":2,
 * as a writer at depth 0 writes them), added as they are. */
void jsonw_members(struct jsonw *w, const char *members, size_t len);

#endif
