/*
 * vocab.c — wire names, display names and parsers of the vocabulary lists
 * in vocab.h. Everything here is generated from those lists; nothing is
 * spelled twice.
 */
#include "vocab.h"

#include <string.h>

struct vocab_entry {
    const char *wire;
    const char *display;
};

#define VOCAB_ENTRY(name, wire, display) [name] = {wire, display},

#define VOCAB_DEFINE(type, prefix, LIST, COUNT)                         \
    static const struct vocab_entry prefix##_table[COUNT] = {LIST(VOCAB_ENTRY)}; \
    const char *prefix##_wire(enum type v)                              \
    {                                                                   \
        return (unsigned)v < COUNT ? prefix##_table[v].wire : "?";      \
    }                                                                   \
    const char *prefix##_display(enum type v)                           \
    {                                                                   \
        return (unsigned)v < COUNT ? prefix##_table[v].display : "?";   \
    }                                                                   \
    bool prefix##_parse(const char *s, enum type *out)                  \
    {                                                                   \
        for (int i = 0; s != NULL && i < (COUNT); i++)                  \
            if (s[0] == prefix##_table[i].wire[0] &&                    \
                strcmp(s, prefix##_table[i].wire) == 0) {               \
                *out = (enum type)i;                                    \
                return true;                                            \
            }                                                           \
        return false;                                                   \
    }

VOCAB_DEFINE(presence, presence, PRESENCE_LIST, PRESENCE__COUNT)
VOCAB_DEFINE(location, location, LOCATION_LIST, LOCATION__COUNT)
VOCAB_DEFINE(istate, istate, ISTATE_LIST, ISTATE__COUNT)
VOCAB_DEFINE(status, status, STATUS_LIST, STATUS__COUNT)
VOCAB_DEFINE(attempt_state, attempt, ATTEMPT_LIST, ATTEMPT__COUNT)
VOCAB_DEFINE(end_state, end, END_LIST, END__COUNT)
VOCAB_DEFINE(role, role, ROLE_LIST, ROLE__COUNT)
VOCAB_DEFINE(routing, routing, ROUTING_LIST, ROUTING__COUNT)
VOCAB_DEFINE(origin, origin, ORIGIN_LIST, ORIGIN__COUNT)
VOCAB_DEFINE(clbk_stat, clbk_stat, CLBK_STAT_LIST, CLBK_STAT__COUNT)
VOCAB_DEFINE(connect_kind, connect, CONNECT_LIST, CONNECT__COUNT)

struct error_entry {
    const char *code;
    int http;
    const char *message;
};

#define ERROR_ENTRY(name, code, http, message) [name] = {code, http, message},
static const struct error_entry error_table[ERR__COUNT] = {ERROR_LIST(ERROR_ENTRY)};

const char *error_wire(enum error_code e)
{
    return (unsigned)e < ERR__COUNT ? error_table[e].code : "internal";
}

int error_http_status(enum error_code e)
{
    return (unsigned)e < ERR__COUNT ? error_table[e].http : 500;
}

const char *error_message(enum error_code e)
{
    return (unsigned)e < ERR__COUNT ? error_table[e].message : "internal error";
}

bool error_parse(const char *s, enum error_code *out)
{
    for (int i = 0; s != NULL && i < ERR__COUNT; i++)
        if (strcmp(s, error_table[i].code) == 0) {
            *out = (enum error_code)i;
            return true;
        }
    return false;
}

#define VOCAB_SAME(st, at) _Static_assert((int)st == (int)at, #st " must equal " #at);
VOCAB_SAME(STATUS_HANDLED, ATTEMPT_HANDLED)
VOCAB_SAME(STATUS_ANSWERING_MACHINE, ATTEMPT_ANSWERING_MACHINE)
VOCAB_SAME(STATUS_NO_ANSWER, ATTEMPT_NO_ANSWER)
VOCAB_SAME(STATUS_CANCEL, ATTEMPT_CANCEL)
VOCAB_SAME(STATUS_CALLBACK_REQUESTED, ATTEMPT_CALLBACK_REQUESTED)
VOCAB_SAME(STATUS_WRONG_DESTINATION, ATTEMPT_WRONG_DESTINATION)

enum attempt_state status_attempt_state(enum status s)
{
    /* The first STATUS__COUNT attempt states are the statuses, in order. */
    return (enum attempt_state)s;
}
