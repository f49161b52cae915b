/*
 * sse.h — an incremental reader of Server-Sent Events (the event stream of
 * GET /api/v1/events), as the WHATWG "event stream interpretation" has it.
 *
 * Bytes go in as they arrive, in pieces of any size; whole events come out
 * through a callback. Lines end with CRLF, LF or CR (a CR at the end of one
 * piece and an LF at the start of the next are one line end). "data" lines
 * are joined with LF, "event" names the event ("message" when absent), "id"
 * sets the last event id, which persists across events as the spec says
 * (an id holding a NUL is ignored); "retry" and unknown fields are ignored.
 * Lines starting with ':' are comments, handed to their own callback (the
 * server's ": ok BOOT-SEQ" greeting and ": hb" heartbeats). A byte order
 * mark at the very start is skipped. A line longer than SSE_LINE_MAX or an
 * event with more than SSE_DATA_MAX bytes of data is an error: the stream
 * must be dropped and opened again.
 *
 * The parser owns its buffers; strings handed to callbacks live only during
 * the call.
 */
#ifndef CB_SSE_H
#define CB_SSE_H

#include <stdbool.h>
#include <stddef.h>

#define SSE_LINE_MAX (1024 * 1024)
#define SSE_DATA_MAX (4 * 1024 * 1024)
#define SSE_ID_MAX 128

struct sse_event {
    const char *id;    /* the last event id ("" when none yet) */
    const char *event; /* the event type, "message" when the event named none */
    const char *data;  /* the data lines joined with LF, NUL-terminated */
    size_t data_len;
};

typedef void sse_event_fn(void *ctx, const struct sse_event *ev);
typedef void sse_comment_fn(void *ctx, const char *text);

struct sse_parser {
    sse_event_fn *on_event;
    sse_comment_fn *on_comment; /* may be NULL */
    void *ctx;
    char *line; /* the line being read */
    size_t line_len, line_cap;
    char *data; /* data of the event being read */
    size_t data_len, data_cap;
    bool has_data;
    char event[64];
    char last_id[SSE_ID_MAX];
    bool after_cr; /* the last byte seen was a CR */
    bool started;  /* past the possible byte order mark */
    unsigned bom_len; /* bytes of a byte order mark matched so far */
    bool failed;
};

void sse_init(struct sse_parser *p, sse_event_fn *on_event, sse_comment_fn *on_comment,
              void *ctx);
/* Feeds len bytes. False once the stream broke a limit (and from then on):
 * the caller drops the connection. */
bool sse_feed(struct sse_parser *p, const char *buf, size_t len);
/* Forgets a half-read line and event (a new connection), keeping the last
 * event id, which the caller sends as Last-Event-ID. */
void sse_restart(struct sse_parser *p);
/* The last event id seen, "" when none. */
const char *sse_last_id(const struct sse_parser *p);
/* Sets the last event id (a client that kept it elsewhere). */
void sse_set_last_id(struct sse_parser *p, const char *id);
void sse_free(struct sse_parser *p);

#endif
