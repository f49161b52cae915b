/*
 * fuzz_sse.c — the event-stream reader on arbitrary bytes, fed whole and
 * split at a point taken from the input: no crash, and both ways give the
 * same events.
 */
#include "sse.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct digest {
    uint64_t h;
    size_t events;
};

static void digest_event(void *ctx, const struct sse_event *ev)
{
    struct digest *d = ctx;
    if (ev->data[ev->data_len] != '\0')
        abort(); /* data is always terminated (it may hold NULs of its own) */
    for (size_t i = 0; i < ev->data_len; i++)
        d->h = d->h * 1099511628211u + (unsigned char)ev->data[i];
    for (const char *s = ev->event; *s; s++)
        d->h = d->h * 31 + (unsigned char)*s;
    for (const char *s = ev->id; *s; s++)
        d->h = d->h * 17 + (unsigned char)*s;
    d->events++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct digest a = {0, 0}, b = {0, 0};
    struct sse_parser p;
    sse_init(&p, digest_event, NULL, &a);
    bool ok_a = sse_feed(&p, (const char *)data, size);
    sse_free(&p);
    size_t cut = size ? data[0] % (size + 1) : 0;
    sse_init(&p, digest_event, NULL, &b);
    bool ok_b = sse_feed(&p, (const char *)data, cut);
    ok_b = sse_feed(&p, (const char *)data + cut, size - cut) && ok_b;
    sse_free(&p);
    if (ok_a != ok_b || a.h != b.h || a.events != b.events)
        abort();
    return 0;
}
