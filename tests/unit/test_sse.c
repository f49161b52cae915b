/*
 * test_sse.c — the event-stream reader: events as cbd frames them, every
 * line end (LF, CRLF, CR, a CRLF split across pieces), multi-line data,
 * comments, ids that persist, an event without data, the byte order mark,
 * a stream fed one byte at a time giving the same events as fed whole, and
 * the limits.
 */
#include "sse.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Collects "event|id|data;" per event and "#comment;" per comment. */
struct collect {
    char out[8192];
};

static void collect_event(void *ctx, const struct sse_event *ev)
{
    struct collect *c = ctx;
    size_t n = strlen(c->out);
    snprintf(c->out + n, sizeof c->out - n, "%s|%s|%s;", ev->event, ev->id, ev->data);
}

static void collect_comment(void *ctx, const char *text)
{
    struct collect *c = ctx;
    size_t n = strlen(c->out);
    snprintf(c->out + n, sizeof c->out - n, "#%s;", text);
}

/* Feeds text in pieces of step bytes (0: whole); returns what was seen. */
static const char *run(const char *text, size_t step, bool *ok)
{
    static struct collect c;
    struct sse_parser p;
    memset(&c, 0, sizeof c);
    sse_init(&p, collect_event, collect_comment, &c);
    size_t len = strlen(text);
    *ok = true;
    if (step == 0)
        step = len ? len : 1;
    for (size_t i = 0; i < len; i += step)
        if (!sse_feed(&p, text + i, len - i < step ? len - i : step))
            *ok = false;
    sse_free(&p);
    return c.out;
}

static void same_every_way(const char *text, const char *want, const char *name)
{
    bool ok;
    tap_is_str(run(text, 0, &ok), want, "%s (whole)", name);
    for (size_t step = 1; step <= 3; step++)
        tap_is_str(run(text, step, &ok), want, "%s (pieces of %zu)", name, step);
}

int main(void)
{
    bool ok;
    same_every_way(": ok 1-9\n\nid: 1-10\nevent: offer\ndata: {\"id\":45}\n\n",
                   "#ok 1-9;offer|1-10|{\"id\":45};", "cbd's frames");
    same_every_way("id: 1-1\r\nevent: bp\r\ndata: x\r\n\r\n", "bp|1-1|x;", "CRLF");
    same_every_way("id: 1-1\revent: bp\rdata: x\r\r", "bp|1-1|x;", "CR");
    same_every_way("data: a\ndata: b\ndata:\ndata:c\n\n", "message||a\nb\n\nc;",
                   "data lines joined, one space stripped, empty kept");
    same_every_way("id: 7\ndata: one\n\ndata: two\n\n", "message|7|one;message|7|two;",
                   "the id persists");
    same_every_way("event: x\n\ndata: y\n\n", "message||y;",
                   "an event without data dispatches nothing and its type is forgotten");
    same_every_way("\xEF\xBB\xBF" "data: bom\n\n", "message||bom;", "byte order mark skipped");
    same_every_way("data: no end", "", "an unfinished event is not dispatched");
    same_every_way("retry: 10\nfoo: bar\ndata\n\n", "message||;",
                   "retry and unknown fields ignored; 'data' alone is an empty line");
    same_every_way(":\n: hb\n", "#;#hb;", "comments");

    /* the CR of a CRLF in one piece and its LF in the next: one line end */
    {
        struct collect c;
        struct sse_parser p;
        memset(&c, 0, sizeof c);
        sse_init(&p, collect_event, collect_comment, &c);
        sse_feed(&p, "data: a\r", 8);
        sse_feed(&p, "\n\r", 2);
        sse_feed(&p, "\ndata: b\n\n", 10);
        tap_is_str(c.out, "message||a;message||b;", "CRLF split across pieces");
        sse_feed(&p, "id: 9\ndata: c\n\nid: a\0b\ndata: d\n\n", 32);
        tap_is_str(c.out, "message||a;message||b;message|9|c;message|9|d;",
                   "an id holding a NUL is ignored");
        c.out[0] = '\0';
        sse_feed(&p, "data: a\n\ndata: b\n\n", 18);
        sse_set_last_id(&p, "3-4");
        tap_is_str(sse_last_id(&p), "3-4", "last id set");
        sse_feed(&p, "data: half", 10);
        sse_restart(&p);
        sse_feed(&p, "\n\n", 2);
        tap_is_str(c.out, "message|9|a;message|9|b;", "restart forgets a half-read event");
        tap_is_str(sse_last_id(&p), "3-4", "restart keeps the last id");
        sse_free(&p);
    }

    /* limits */
    {
        size_t n = SSE_LINE_MAX + 10;
        char *big = malloc(n + 1);
        memset(big, 'x', n);
        memcpy(big, "data: ", 6);
        big[n] = '\0';
        run(big, 0, &ok);
        tap_ok(!ok, "a line over SSE_LINE_MAX breaks the stream");
        free(big);
        struct collect c;
        struct sse_parser p;
        memset(&c, 0, sizeof c);
        sse_init(&p, collect_event, collect_comment, &c);
        char line[64 * 1024 + 8];
        memset(line, 'y', sizeof line);
        memcpy(line, "data: ", 6);
        line[sizeof line - 1] = '\n';
        bool all = true;
        for (int i = 0; i < 80 && all; i++)
            all = sse_feed(&p, line, sizeof line);
        tap_ok(!all, "an event over SSE_DATA_MAX breaks the stream");
        tap_ok(!sse_feed(&p, "\n", 1), "and it stays broken");
        tap_is_str(c.out, "", "nothing was dispatched");
        sse_free(&p);
    }
    return tap_done();
}
