/*
 * model.h — the records cbd keeps: users, teams, business processes with
 * their Callback Timing, callbacks and their attempts, interactions, audit
 * entries. Plain structs filled by the store and read by routes and engine.
 *
 * Short text lives in fixed arrays; free text (remark, subject, case data,
 * transcription) is heap memory owned by the record and released by its
 * *_clear() function. Instants are seconds since the epoch, UTC; 0 means
 * "none" where a field is optional.
 */
#ifndef CBD_MODEL_H
#define CBD_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "lifecycle.h"
#include "phone.h"
#include "timing.h"
#include "vocab.h"

#define CB_LOGIN_SIZE 64
#define CB_NAME_SIZE 128
#define CB_TZ_SIZE 64

struct cb_user {
    int64_t id;
    char login[CB_LOGIN_SIZE];
    char name[CB_NAME_SIZE];
    enum role role;
    bool can_schedule;
    bool disabled;
    enum presence presence;
    int64_t presence_since;
    int64_t created_at;
};

struct cb_team {
    int64_t id;
    char name[CB_NAME_SIZE];
};

struct cb_bp {
    int64_t id;
    char name[CB_NAME_SIZE];
    char tz[CB_TZ_SIZE];
    int64_t version;
    bool stopped;
    bool was_open; /* open when the engine last looked (a closing while cbd was down) */
    unsigned routing; /* bit set of (1u << enum routing) */
    struct timing timing;
};

/* Flags on a callback. */
enum cb_flag {
    CB_FLAG_SUPERVISOR = 1 << 0,        /* agent vanished while Handling */
    CB_FLAG_CUSTOMER_CALLED_IN = 1 << 1, /* inbound call while an agent held it */
};

struct cb_callback {
    int64_t id;
    char destination[PHONE_E164_SIZE];
    int64_t bp_id;
    char bp_name[CB_NAME_SIZE];
    int64_t due_at;
    int64_t window_end;
    char tz[CB_TZ_SIZE];
    enum routing routing;
    int64_t agent_id; /* 0 unless routing is agent */
    char agent_login[CB_LOGIN_SIZE];
    int64_t team_id; /* 0 unless routing is team */
    char team_name[CB_NAME_SIZE];
    char *remark;        /* never NULL once loaded; "" when none */
    char *subject;       /* NULL when none */
    char *case_data;     /* JSON object text, NULL when none */
    char *transcription; /* NULL when none */
    enum origin origin;
    int attempts;
    enum lc_state state;
    int64_t holder_id; /* the agent offered or holding it, 0 when none */
    char holder_login[CB_LOGIN_SIZE];
    int64_t state_since;
    bool timed_out;
    int end_state; /* enum end_state, or -1 */
    unsigned flags;
    int64_t version;
    int64_t created_at;
    int64_t created_by;
    char created_by_login[CB_LOGIN_SIZE];
    int64_t completed_at;
    int64_t wake_at;            /* when the engine must look at it next; 0: never */
    int64_t attempt_started_at; /* accept / Call Now of the attempt under way; 0: none */
    int attempt_connect;        /* enum connect_kind of the attempt under way, or -1 */
};

struct cb_attempt {
    int64_t id;
    int64_t callback_id;
    int64_t at;         /* when the attempt ended (its state was recorded) */
    int64_t started_at; /* accept / call now; 0 if it never started */
    int64_t agent_id;
    char agent_login[CB_LOGIN_SIZE];
    char agent_name[CB_NAME_SIZE];
    enum attempt_state state;
    int handle_s; /* accept to completion, seconds; -1 when not handled */
    int connect;  /* enum connect_kind, or -1 */
};

struct cb_audit {
    int64_t id;
    int64_t at;
    int64_t user_id;
    char login[CB_LOGIN_SIZE];
    char action[64];
    char target[128];
    char *before; /* JSON text or NULL */
    char *after;  /* JSON text or NULL */
};

void cb_callback_clear(struct cb_callback *cb);
void cb_audit_clear(struct cb_audit *a);

#endif
