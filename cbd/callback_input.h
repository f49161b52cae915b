/*
 * callback_input.h — what a client asks for when it schedules, edits or
 * reschedules a callback, read from JSON and checked (DESIGN.md §5
 * "Creating"), before anything is written.
 *
 * Three steps, each usable alone:
 *
 *   callback_input_parse()   the members of the body: types, lengths, the
 *                            destination normalized, the zone known, date +
 *                            time well formed. Pure: no store, no clock.
 *   callback_input_when()    date + time in tz (or due_at) → the instant,
 *                            checked against now: a DST gap, more than 10
 *                            minutes in the past, more than 366 days ahead.
 *   callback_input_bp() /    the business process named, the routing type it
 *   callback_input_target()  offers, the agent or team that serves it (store
 *                            reads; no SQL here).
 *
 * Then callback_input_apply() writes what was given into a cb_callback.
 * The caller presets what absent members mean (an edit presets tz with the
 * callback's zone) by filling the struct after callback_input_init(): parse
 * only overwrites what the body holds. Errors name the member the client
 * sent ("time: in the past", "destination: on the do-not-call list").
 */
#ifndef CBD_CALLBACK_INPUT_H
#define CBD_CALLBACK_INPUT_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include "json.h"
#include "model.h"
#include "store.h"

/* Limits of DESIGN.md §5 and issue 3. */
#define CALLBACK_REMARK_MAX 500         /* characters */
#define CALLBACK_SUBJECT_MAX 200        /* characters */
#define CALLBACK_CASE_DATA_MAX 4096     /* bytes, printed compactly */
#define CALLBACK_TRANSCRIPTION_MAX 20000 /* characters */
#define CALLBACK_PAST_GRACE_S 600       /* up to this far in the past means "due now" */
#define CALLBACK_AHEAD_MAX_S (366 * 86400)
#define CALLBACK_WINDOW_MIN_MAX 10080   /* a week, in minutes */

enum callback_input_mode {
    CALLBACK_INPUT_CREATE,     /* POST /callbacks: destination, bp, routing, tz, when required */
    CALLBACK_INPUT_EDIT,       /* PATCH /callbacks/{id}: version required, the rest optional */
    CALLBACK_INPUT_RESCHEDULE, /* a completion's "reschedule": when required, zone and
                                  target optional (they keep the callback's) */
};

/* Which members the body gave (bits of callback_input.given). */
enum callback_input_given {
    CI_DESTINATION = 1u << 0,
    CI_BP = 1u << 1,
    CI_TARGET = 1u << 2, /* routing with agent or team */
    CI_TZ = 1u << 3,
    CI_WHEN = 1u << 4, /* date + time, or due_at */
    CI_WINDOW = 1u << 5,
    CI_REMARK = 1u << 6,
    CI_SUBJECT = 1u << 7,
    CI_CASE_DATA = 1u << 8,
    CI_TRANSCRIPTION = 1u << 9,
    CI_ORIGIN = 1u << 10,
    CI_INTERACTION = 1u << 11,
    CI_REPLACE = 1u << 12,
    CI_VERSION = 1u << 13,
};

enum callback_input_result { CI_OK, CI_INVALID, CI_STORE_ERROR };

struct callback_input {
    unsigned given;
    char destination[PHONE_E164_SIZE];
    int64_t bp_id;              /* the bp by id, or 0 when named */
    char bp_name[CB_NAME_SIZE]; /* the bp by name */
    enum routing routing;
    char agent[CB_LOGIN_SIZE];  /* login, when routing is agent */
    char team[CB_NAME_SIZE];    /* name, when routing is team */
    int64_t agent_id;           /* set by callback_input_target() */
    int64_t team_id;
    char tz[CB_TZ_SIZE];        /* canonical name of the customer's zone */
    bool when_local;            /* date + time given (else due_at) */
    struct civil_time local;    /* date + time, when when_local */
    int64_t due_at;             /* due_at given, or set by callback_input_when() */
    int window_min;             /* 0: the BP's (create) or the current length (edit) */
    char *remark;               /* owned copies; NULL when not given */
    char *subject;
    char *case_data;            /* compact JSON object text */
    char *transcription;
    enum origin origin;
    int64_t interaction_id;     /* validated, not stored (no column for it yet) */
    bool replace;
    int64_t version;
};

/* Empties in (origin api, nothing given). */
void callback_input_init(struct callback_input *in);
/* Frees the owned strings; in can be parsed again after callback_input_init(). */
void callback_input_clear(struct callback_input *in);

/* Reads body (an object) for mode into in: unknown members refused, each
 * member type- and length-checked, the members the mode requires present.
 * False with err naming the member. */
bool callback_input_parse(const cJSON *body, enum callback_input_mode mode,
                          struct callback_input *in, struct json_error *err);

/* When CI_WHEN is given: resolves date + time in in->tz (ambiguous → the
 * earlier instant) into in->due_at, then moves a due time up to 10 minutes
 * in the past to now; refuses one earlier ("time: in the past", or
 * "due_at: …" when due_at was sent), one in a DST gap (field "time") and one
 * more than 366 days ahead. True without CI_WHEN. */
bool callback_input_when(struct callback_input *in, int64_t now, struct json_error *err);

/* The business process the body names (CI_BP), into bp: "bp: unknown
 * business process". */
enum callback_input_result callback_input_bp(struct store *st, const struct callback_input *in,
                                             struct cb_bp *bp, struct json_error *err);

/* With CI_TARGET: the routing type is one bp offers, the agent exists, is an
 * agent, is enabled and is in a team serving bp, or the team serves bp;
 * sets in->agent_id / in->team_id. True (CI_OK) without CI_TARGET. */
enum callback_input_result callback_input_target(struct store *st, struct callback_input *in,
                                                 const struct cb_bp *bp, struct json_error *err);

/* Writes what was given into cb (text members copied). window_end becomes
 * due_at + window_min minutes; with window_min 0 a new due time keeps cb's
 * current window length, so a create sets in->window_min to the BP's
 * default first when the body gave none. */
void callback_input_apply(const struct callback_input *in, struct cb_callback *cb);

#endif
