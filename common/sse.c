/*
 * sse.c — the event-stream reader declared in sse.h: a byte-at-a-time line
 * splitter feeding a field interpreter. The line and data buffers grow as
 * needed up to their limits and are owned by the parser.
 */
#include "sse.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

void sse_init(struct sse_parser *p, sse_event_fn *on_event, sse_comment_fn *on_comment, void *ctx)
{
    memset(p, 0, sizeof *p);
    p->on_event = on_event;
    p->on_comment = on_comment;
    p->ctx = ctx;
}

void sse_free(struct sse_parser *p)
{
    free(p->line);
    free(p->data);
    p->line = p->data = NULL;
    p->line_cap = p->data_cap = 0;
}

void sse_restart(struct sse_parser *p)
{
    p->line_len = 0;
    p->data_len = 0;
    p->has_data = false;
    p->event[0] = '\0';
    p->after_cr = false;
    p->started = false;
    p->bom_len = 0;
    p->failed = false;
}

const char *sse_last_id(const struct sse_parser *p)
{
    return p->last_id;
}

void sse_set_last_id(struct sse_parser *p, const char *id)
{
    size_t n = strlen(id);
    if (n >= sizeof p->last_id)
        n = sizeof p->last_id - 1;
    memcpy(p->last_id, id, n);
    p->last_id[n] = '\0';
}

static void sse_dispatch(struct sse_parser *p)
{
    if (p->has_data) {
        /* the data buffer ends with the LF of its last line: drop it */
        if (p->data_len > 0)
            p->data_len--;
        p->data[p->data_len] = '\0';
        struct sse_event ev = {
            .id = p->last_id,
            .event = p->event[0] ? p->event : "message",
            .data = p->data,
            .data_len = p->data_len,
        };
        p->on_event(p->ctx, &ev);
    }
    p->data_len = 0;
    p->has_data = false;
    p->event[0] = '\0';
}

static bool sse_append_data(struct sse_parser *p, const char *v, size_t n)
{
    if (p->data_len + n + 2 > SSE_DATA_MAX)
        return false;
    if (p->data_len + n + 2 > p->data_cap) {
        size_t cap = p->data_cap ? p->data_cap : 1024;
        while (cap < p->data_len + n + 2)
            cap *= 2;
        p->data = xrealloc(p->data, cap);
        p->data_cap = cap;
    }
    memcpy(p->data + p->data_len, v, n);
    p->data_len += n;
    p->data[p->data_len++] = '\n';
    p->data[p->data_len] = '\0';
    p->has_data = true;
    return true;
}

/* One complete line, without its end. */
static bool sse_line(struct sse_parser *p, char *line, size_t len)
{
    if (len == 0) {
        sse_dispatch(p);
        return true;
    }
    if (line[0] == ':') {
        if (p->on_comment) {
            size_t skip = (len > 1 && line[1] == ' ') ? 2 : 1;
            line[len] = '\0';
            p->on_comment(p->ctx, line + skip);
        }
        return true;
    }
    char *colon = memchr(line, ':', len);
    size_t name_len = colon ? (size_t)(colon - line) : len;
    const char *value = "";
    size_t value_len = 0;
    if (colon) {
        value = colon + 1;
        value_len = len - name_len - 1;
        if (value_len > 0 && value[0] == ' ') {
            value++;
            value_len--;
        }
    }
#define SSE_FIELD(s) (name_len == sizeof(s) - 1 && memcmp(line, s, name_len) == 0)
    if (SSE_FIELD("data"))
        return sse_append_data(p, value, value_len);
    if (SSE_FIELD("event")) {
        if (value_len >= sizeof p->event)
            value_len = sizeof p->event - 1;
        memcpy(p->event, value, value_len);
        p->event[value_len] = '\0';
    } else if (SSE_FIELD("id")) {
        if (memchr(value, '\0', value_len) == NULL && value_len < sizeof p->last_id) {
            memcpy(p->last_id, value, value_len);
            p->last_id[value_len] = '\0';
        }
    }
#undef SSE_FIELD
    return true;
}

bool sse_feed(struct sse_parser *p, const char *buf, size_t len)
{
    if (p->failed)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = buf[i];
        if (!p->started) {
            /* a UTF-8 byte order mark at the very start is skipped, even
             * when it arrives split across pieces */
            static const unsigned char bom[3] = {0xEF, 0xBB, 0xBF};
            if ((unsigned char)c == bom[p->bom_len]) {
                if (++p->bom_len == 3)
                    p->started = true;
                continue;
            }
            p->started = true;
            if (p->bom_len > 0) { /* not a mark after all: those bytes are text */
                if (p->line == NULL) {
                    p->line = xmalloc(256);
                    p->line_cap = 256;
                }
                memcpy(p->line, bom, p->bom_len);
                p->line_len = p->bom_len;
            }
        }
        if (c == '\n' && p->after_cr) {
            p->after_cr = false;
            continue;
        }
        p->after_cr = false;
        if (c == '\r' || c == '\n') {
            p->after_cr = c == '\r';
            if (p->line == NULL) {
                p->line = xmalloc(256);
                p->line_cap = 256;
            }
            if (!sse_line(p, p->line, p->line_len)) {
                p->failed = true;
                return false;
            }
            p->line_len = 0;
            continue;
        }
        if (p->line_len + 2 > p->line_cap) {
            if (p->line_len + 2 > SSE_LINE_MAX) {
                p->failed = true;
                return false;
            }
            size_t cap = p->line_cap ? p->line_cap * 2 : 256;
            p->line = xrealloc(p->line, cap);
            p->line_cap = cap;
        }
        p->line[p->line_len++] = c;
    }
    return true;
}
