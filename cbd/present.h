/*
 * present.h — records as the API shows them (DESIGN.md §5 "Shapes"). Each
 * function returns a new cJSON tree that the caller owns.
 */
#ifndef CBD_PRESENT_H
#define CBD_PRESENT_H

#include <cjson/cJSON.h>

#include "jsonw.h"

#include "model.h"
#include "store.h"

/* {id, login, name, role, can_schedule, presence, teams: [{id, name}]};
 * teams read from st (omitted when st is NULL). */
cJSON *present_user(struct store *st, const struct cb_user *u);
cJSON *present_team(const struct cb_team *t);

/* present_callback.c: the callback object of DESIGN.md §5 (plus "holder",
 * the login of the agent offered or holding it); overdue measured at now. */
cJSON *present_callback(const struct cb_callback *cb, int64_t now);
/* The same object written as text into w (for pages of callbacks). */
void present_callback_write(struct jsonw *w, const struct cb_callback *cb, int64_t now);
/* Its parts after {"id":N: the members that change only with a new version
 * (all but the id; the names in cb must be current), written into the open
 * object; then the members that change without one (state_until from the
 * engine's wake_at, overdue measured at now) and the closing brace. */
void present_callback_fixed(struct jsonw *w, const struct cb_callback *cb);
void present_callback_rest(struct jsonw *w, enum lc_state state, int64_t wake_at,
                           int64_t window_end, int64_t now);
/* {at, started_at, agent, agent_name, state, handle_s, connect}. */
cJSON *present_attempt(const struct cb_attempt *a);
/* Adds "history": every attempt of callback id, oldest first, read from st. */
enum store_result present_callback_history(struct store *st, cJSON *callback, int64_t id);

/* present_bp.c: {id, name, tz, version, routing: [...], teams: [{id, name}],
 * timing: {...}, clbk_stat} with CLBK Stat as of now; teams read from st
 * (omitted when st is NULL). */
cJSON *present_bp(struct store *st, const struct cb_bp *bp, int64_t now);
/* CLBK Stat of bp at now: Stopped, else Off Schedule when its schedule is
 * closed (or its zone unreadable), else Active. */
enum clbk_stat present_bp_clbk_stat(const struct cb_bp *bp, int64_t now);

#endif
