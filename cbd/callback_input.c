/*
 * callback_input.c — a schedule / edit / reschedule request read and
 * checked (see callback_input.h). Members are read in the order a person
 * fills the scheduling form, so the first thing wrong is the first named.
 * Short values are copied into the struct and text into owned strings, so
 * the struct outlives the request body it came from.
 */
#include "callback_input.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civil.h"
#include "phone.h"
#include "tz.h"
#include "xalloc.h"

static const char *const callback_input_known[][18] = {
    [CALLBACK_INPUT_CREATE] = {"destination", "bp", "routing", "agent", "team", "tz", "date",
                               "time", "due_at", "window_min", "remark", "subject", "case_data",
                               "transcription", "origin", "interaction", "replace", NULL},
    [CALLBACK_INPUT_EDIT] = {"version", "routing", "agent", "team", "tz", "date", "time",
                             "due_at", "window_min", "remark", NULL},
    [CALLBACK_INPUT_RESCHEDULE] = {"routing", "agent", "team", "tz", "date", "time", "due_at",
                                   "window_min", "remark", NULL},
};

static const char *const callback_input_routings[] = {"agent", "team", NULL};

#define ORIGIN_WIRE(name, wire, display) wire,
static const char *const callback_input_origins[] = {ORIGIN_LIST(ORIGIN_WIRE) NULL};
#undef ORIGIN_WIRE

void callback_input_init(struct callback_input *in)
{
    memset(in, 0, sizeof *in);
    in->origin = ORIGIN_API;
}

void callback_input_clear(struct callback_input *in)
{
    free(in->remark);
    free(in->subject);
    free(in->case_data);
    free(in->transcription);
    in->remark = in->subject = in->case_data = in->transcription = NULL;
}

/* A short single-line string member copied into out (size bytes); one that
 * does not fit is refused with too_long. */
static bool callback_input_short(const cJSON *body, const char *name, enum json_need need,
                                 char *out, size_t size, const char *too_long, bool *given,
                                 struct json_error *err)
{
    const char *s = NULL;
    if (!json_get_string(body, name, need, 0, JSON_SINGLE_LINE, &s, err))
        return false;
    *given = s != NULL;
    if (s == NULL)
        return true;
    if (strlen(s) >= size) {
        json_error_set(err, name, "%s", too_long);
        return false;
    }
    memcpy(out, s, strlen(s) + 1);
    return true;
}

/* A text member copied into *out (replacing what was there). */
static bool callback_input_text(const cJSON *body, const char *name, size_t max_chars,
                                unsigned flags, char **out, bool *given, struct json_error *err)
{
    const char *s = NULL;
    if (!json_get_string(body, name, JSON_OPTIONAL, max_chars, flags | JSON_ALLOW_EMPTY, &s,
                         err))
        return false;
    *given = s != NULL;
    if (s) {
        free(*out);
        *out = xstrdup(s);
    }
    return true;
}

static bool callback_input_destination(const cJSON *body, enum json_need need,
                                       struct callback_input *in, struct json_error *err)
{
    const char *s = NULL;
    if (!json_get_string(body, "destination", need, 64, JSON_SINGLE_LINE, &s, err))
        return false;
    if (s == NULL)
        return true;
    const char *why = NULL;
    if (!phone_normalize(s, in->destination, &why)) {
        json_error_set(err, "destination", "%s", why ? why : "not an E.164 number");
        return false;
    }
    in->given |= CI_DESTINATION;
    return true;
}

/* "bp": an id (a number) or a name (a string). */
static bool callback_input_bp_ref(const cJSON *body, enum json_need need,
                                  struct callback_input *in, struct json_error *err)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(body, "bp");
    if (item == NULL || cJSON_IsNull(item)) {
        if (need == JSON_REQUIRED) {
            json_error_set(err, "bp", "missing");
            return false;
        }
        return true;
    }
    if (cJSON_IsNumber(item)) {
        if (!json_get_id(body, "bp", JSON_REQUIRED, &in->bp_id, err))
            return false;
    } else if (cJSON_IsString(item)) {
        bool given;
        if (!callback_input_short(body, "bp", JSON_REQUIRED, in->bp_name, sizeof in->bp_name,
                                  "unknown business process", &given, err))
            return false;
        in->bp_id = 0;
    } else {
        json_error_set(err, "bp", "must be an id or a name");
        return false;
    }
    in->given |= CI_BP;
    return true;
}

/* routing with agent or team; the one not used must be absent or null. */
static bool callback_input_routing(const cJSON *body, enum json_need need,
                                   struct callback_input *in, struct json_error *err)
{
    bool has_routing = json_has(body, "routing");
    if (!has_routing) {
        if (need == JSON_REQUIRED) {
            json_error_set(err, "routing", "missing");
            return false;
        }
        if (json_has(body, "agent") || json_has(body, "team")) {
            json_error_set(err, "routing", "missing (give it with agent or team)");
            return false;
        }
        return true;
    }
    int choice = 0;
    if (!json_get_choice(body, "routing", JSON_REQUIRED, callback_input_routings, &choice, err))
        return false;
    in->routing = choice == 0 ? ROUTING_AGENT : ROUTING_TEAM;
    bool given;
    if (in->routing == ROUTING_AGENT) {
        if (!callback_input_short(body, "agent", JSON_REQUIRED, in->agent, sizeof in->agent,
                                  "no such agent", &given, err))
            return false;
        if (json_has(body, "team")) {
            json_error_set(err, "team", "must be absent or null when routing is agent");
            return false;
        }
        in->team[0] = '\0';
    } else {
        if (!callback_input_short(body, "team", JSON_REQUIRED, in->team, sizeof in->team,
                                  "no such team", &given, err))
            return false;
        if (json_has(body, "agent")) {
            json_error_set(err, "agent", "must be absent or null when routing is team");
            return false;
        }
        in->agent[0] = '\0';
    }
    in->given |= CI_TARGET;
    return true;
}

static bool callback_input_tz(const cJSON *body, enum json_need need, struct callback_input *in,
                              struct json_error *err)
{
    const char *s = NULL;
    if (!json_get_string(body, "tz", need, 64, JSON_SINGLE_LINE, &s, err))
        return false;
    if (s == NULL)
        return true;
    const char *why = NULL;
    const struct tz_zone *zone = tz_find(s, &why);
    if (zone == NULL) {
        json_error_set(err, "tz", "%s", why ? why : "unknown time zone");
        return false;
    }
    snprintf(in->tz, sizeof in->tz, "%s", tz_name(zone));
    in->given |= CI_TZ;
    return true;
}

/* date + time, or due_at; never both. */
static bool callback_input_when_members(const cJSON *body, enum json_need need,
                                        struct callback_input *in, struct json_error *err)
{
    bool has_date = json_has(body, "date"), has_time = json_has(body, "time");
    bool has_due = json_has(body, "due_at");
    if (has_due && (has_date || has_time)) {
        json_error_set(err, "due_at", "give either date and time or due_at, not both");
        return false;
    }
    if (has_date || has_time) {
        const char *date = NULL, *clock = NULL, *why = NULL;
        if (!json_get_string(body, "date", JSON_REQUIRED, 32, JSON_SINGLE_LINE, &date, err))
            return false;
        if (!civil_parse_date(date, &in->local.year, &in->local.month, &in->local.day, &why)) {
            json_error_set(err, "date", "%s", why);
            return false;
        }
        if (!json_get_string(body, "time", JSON_REQUIRED, 32, JSON_SINGLE_LINE, &clock, err))
            return false;
        int seconds = 0;
        if (!civil_parse_clock(clock, false, &seconds, &why)) {
            json_error_set(err, "time", "%s", why);
            return false;
        }
        in->local.hour = seconds / 3600;
        in->local.minute = seconds / 60 % 60;
        in->local.second = seconds % 60;
        in->when_local = true;
        in->given |= CI_WHEN;
        return true;
    }
    if (has_due) {
        if (!json_get_instant(body, "due_at", JSON_REQUIRED, &in->due_at, err))
            return false;
        in->when_local = false;
        in->given |= CI_WHEN;
        return true;
    }
    if (need == JSON_REQUIRED) {
        json_error_set(err, "date", "missing (give date and time, or due_at)");
        return false;
    }
    return true;
}

bool callback_input_parse(const cJSON *body, enum callback_input_mode mode,
                          struct callback_input *in, struct json_error *err)
{
    if (!json_check_known(body, callback_input_known[mode], err))
        return false;
    bool create = mode == CALLBACK_INPUT_CREATE;
    enum json_need create_need = create ? JSON_REQUIRED : JSON_OPTIONAL;
    if (mode == CALLBACK_INPUT_EDIT) {
        if (!json_get_int(body, "version", JSON_REQUIRED, 1, JSON_INT_LIMIT, &in->version, err))
            return false;
        in->given |= CI_VERSION;
    }
    if (create && (!callback_input_destination(body, JSON_REQUIRED, in, err) ||
                   !callback_input_bp_ref(body, JSON_REQUIRED, in, err)))
        return false;
    if (!callback_input_routing(body, create_need, in, err) ||
        !callback_input_tz(body, create_need, in, err) ||
        !callback_input_when_members(body, mode == CALLBACK_INPUT_EDIT ? JSON_OPTIONAL
                                                                      : JSON_REQUIRED,
                                     in, err))
        return false;
    int64_t window = 0;
    if (!json_get_int(body, "window_min", JSON_OPTIONAL, 1, CALLBACK_WINDOW_MIN_MAX, &window,
                      err))
        return false;
    if (window) {
        in->window_min = (int)window;
        in->given |= CI_WINDOW;
    }
    bool given = false;
    if (!callback_input_text(body, "remark", CALLBACK_REMARK_MAX, 0, &in->remark, &given, err))
        return false;
    in->given |= given ? CI_REMARK : 0;
    if (!create)
        return true;

    if (!callback_input_text(body, "subject", CALLBACK_SUBJECT_MAX, JSON_SINGLE_LINE,
                             &in->subject, &given, err))
        return false;
    in->given |= given ? CI_SUBJECT : 0;
    const cJSON *case_data = NULL;
    if (!json_get_string_map(body, "case_data", JSON_OPTIONAL, CALLBACK_CASE_DATA_MAX, &case_data,
                             err))
        return false;
    if (case_data) {
        free(in->case_data);
        in->case_data = json_print(case_data);
        in->given |= CI_CASE_DATA;
    }
    if (!callback_input_text(body, "transcription", CALLBACK_TRANSCRIPTION_MAX, 0,
                             &in->transcription, &given, err))
        return false;
    in->given |= given ? CI_TRANSCRIPTION : 0;
    int origin = 0;
    if (json_has(body, "origin")) {
        if (!json_get_choice(body, "origin", JSON_REQUIRED, callback_input_origins, &origin, err))
            return false;
        in->origin = (enum origin)origin;
        in->given |= CI_ORIGIN;
    }
    if (json_has(body, "interaction")) {
        if (!json_get_id(body, "interaction", JSON_REQUIRED, &in->interaction_id, err))
            return false;
        in->given |= CI_INTERACTION;
    }
    if (json_has(body, "replace")) {
        if (!json_get_bool(body, "replace", JSON_REQUIRED, &in->replace, err))
            return false;
        in->given |= CI_REPLACE;
    }
    return true;
}

bool callback_input_when(struct callback_input *in, int64_t now, struct json_error *err)
{
    if (!(in->given & CI_WHEN))
        return true;
    const char *field = in->when_local ? "time" : "due_at";
    if (in->when_local) {
        const char *why = NULL;
        const struct tz_zone *zone = tz_find(in->tz, &why);
        if (zone == NULL) {
            json_error_set(err, "tz", "%s", why ? why : "unknown time zone");
            return false;
        }
        char gap[160] = "";
        int64_t t = 0;
        switch (tz_local_to_utc(zone, &in->local, &t, gap, sizeof gap)) {
        case TZ_OK:
        case TZ_AMBIGUOUS: /* the earlier instant, as the design says */
            break;
        case TZ_GAP:
            json_error_set(err, "time", "%s", gap);
            return false;
        case TZ_RANGE:
            json_error_set(err, "date", "not a valid date");
            return false;
        }
        in->due_at = t;
    }
    if (in->due_at < now - CALLBACK_PAST_GRACE_S) {
        json_error_set(err, field, "in the past");
        return false;
    }
    if (in->due_at < now)
        in->due_at = now; /* a few minutes late still means "now" */
    if (in->due_at > now + CALLBACK_AHEAD_MAX_S) {
        json_error_set(err, field, "more than 366 days ahead");
        return false;
    }
    return true;
}

enum callback_input_result callback_input_bp(struct store *st, const struct callback_input *in,
                                             struct cb_bp *bp, struct json_error *err)
{
    enum store_result r = in->bp_id ? store_bp_get(st, in->bp_id, bp)
                                    : store_bp_by_name(st, in->bp_name, bp);
    if (r == STORE_NOT_FOUND) {
        json_error_set(err, "bp", "unknown business process");
        return CI_INVALID;
    }
    return r == STORE_OK ? CI_OK : CI_STORE_ERROR;
}

enum callback_input_result callback_input_target(struct store *st, struct callback_input *in,
                                                 const struct cb_bp *bp, struct json_error *err)
{
    if (!(in->given & CI_TARGET))
        return CI_OK;
    if (!(bp->routing & (1u << in->routing))) {
        json_error_set(err, "routing", "%s routing is not offered by %s",
                       routing_wire(in->routing), bp->name);
        return CI_INVALID;
    }
    enum store_result r;
    if (in->routing == ROUTING_AGENT) {
        struct cb_user u;
        r = store_user_by_login(st, in->agent, &u, NULL, 0);
        if (r == STORE_NOT_FOUND || (r == STORE_OK && u.role != ROLE_AGENT)) {
            json_error_set(err, "agent", "no such agent");
            return CI_INVALID;
        }
        if (r != STORE_OK)
            return CI_STORE_ERROR;
        if (u.disabled) {
            json_error_set(err, "agent", "%s is disabled", u.login);
            return CI_INVALID;
        }
        r = store_bp_has_agent(st, bp->id, u.id);
        if (r == STORE_NOT_FOUND) {
            json_error_set(err, "agent", "%s is not in a team serving %s", u.login, bp->name);
            return CI_INVALID;
        }
        if (r != STORE_OK)
            return CI_STORE_ERROR;
        in->agent_id = u.id;
        in->team_id = 0;
        return CI_OK;
    }
    struct cb_team t;
    r = store_team_by_name(st, in->team, &t);
    if (r == STORE_NOT_FOUND) {
        json_error_set(err, "team", "no such team");
        return CI_INVALID;
    }
    if (r != STORE_OK)
        return CI_STORE_ERROR;
    r = store_bp_has_team(st, bp->id, t.id);
    if (r == STORE_NOT_FOUND) {
        json_error_set(err, "team", "%s does not serve %s", t.name, bp->name);
        return CI_INVALID;
    }
    if (r != STORE_OK)
        return CI_STORE_ERROR;
    in->team_id = t.id;
    in->agent_id = 0;
    return CI_OK;
}

static void callback_input_set_text(char **field, const char *value)
{
    free(*field);
    *field = value ? xstrdup(value) : NULL;
}

void callback_input_apply(const struct callback_input *in, struct cb_callback *cb)
{
    if (in->given & CI_DESTINATION)
        memcpy(cb->destination, in->destination, sizeof cb->destination);
    if (in->given & CI_TARGET) {
        cb->routing = in->routing;
        cb->agent_id = in->agent_id;
        cb->team_id = in->team_id;
        snprintf(cb->agent_login, sizeof cb->agent_login, "%s", in->agent);
        snprintf(cb->team_name, sizeof cb->team_name, "%s", in->team);
    }
    if (in->given & CI_TZ)
        memcpy(cb->tz, in->tz, sizeof cb->tz);
    if ((in->given & CI_WHEN) || in->window_min > 0) {
        int64_t due = in->given & CI_WHEN ? in->due_at : cb->due_at;
        int64_t length = in->window_min > 0 ? (int64_t)in->window_min * 60
                                            : cb->window_end - cb->due_at;
        cb->due_at = due;
        cb->window_end = due + (length > 0 ? length : 0);
    }
    if (in->given & CI_REMARK)
        callback_input_set_text(&cb->remark, in->remark);
    if (in->given & CI_SUBJECT)
        callback_input_set_text(&cb->subject, in->subject);
    if (in->given & CI_CASE_DATA)
        callback_input_set_text(&cb->case_data, in->case_data);
    if (in->given & CI_TRANSCRIPTION)
        callback_input_set_text(&cb->transcription, in->transcription);
    if (in->given & CI_ORIGIN)
        cb->origin = in->origin;
}
