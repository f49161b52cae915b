/*
 * model.h — what the agent console knows: who the agent is, their
 * presence, the pending panel, the callback they are offered or hold, the
 * active call, Call History and the directory (business processes, teams,
 * agents, zones). Only net.c changes it, from replies
 * and events; it never calls curses. Views read it and redraw when
 * model_dirty says so.
 *
 * Every cJSON tree here is owned by the model and replaced whole.
 */
#ifndef CB_AGENT_MODEL_H
#define CB_AGENT_MODEL_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "jv.h"

struct model {
    /* who */
    int64_t me_id;
    char login[64];
    char name[128];
    bool can_schedule;
    char presence[16]; /* logged_out, not_ready, ready, busy */
    cJSON *teams;      /* [{id, name}] */
    /* work */
    cJSON *pending;     /* my personal callbacks, Pending or queued, by due time */
    int pending_count;
    cJSON *interaction; /* the callback offered to me or held by me, or NULL */
    int contacts_recent;
    time_t interaction_seen; /* when it was first seen in this state */
    cJSON *active_call;      /* telephony's active call, or NULL */
    cJSON *history;          /* Call History, newest first */
    /* directory */
    cJSON *bps, *dir_teams, *agents, *zones;
    /* loading */
    bool loaded; /* the first full load is done */
    bool dirty;
};

void model_init(struct model *m);
void model_clear(struct model *m);

/* The user object from login or GET /me. */
void model_set_me(struct model *m, const cJSON *user);
/* GET /me/callbacks. */
void model_set_pending(struct model *m, const cJSON *reply);
/* GET /me/interaction. */
void model_set_interaction(struct model *m, const cJSON *reply);
void model_set_history(struct model *m, const cJSON *reply);
/* A directory reply: key is "bps", "teams", "agents" or "zones". */
void model_set_directory(struct model *m, const char *key, const cJSON *reply);

/* A callback from an event or an action's reply: updates the interaction
 * and the panel. Returns true when it is now offered to me and was not. */
bool model_apply_callback(struct model *m, const cJSON *cb);
/* A presence event. */
void model_apply_presence(struct model *m, const cJSON *ev);
/* A bp event. */
void model_apply_bp(struct model *m, const cJSON *bp);

/* The business process with that id, or NULL. */
const cJSON *model_bp(const struct model *m, int64_t id);
/* The interaction's state ("offered", …) or "". */
const char *model_istate(const struct model *m);

#endif
