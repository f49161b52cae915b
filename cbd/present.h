/*
 * present.h — records as the API shows them (DESIGN.md §5 "Shapes"). Each
 * function returns a new cJSON tree that the caller owns.
 */
#ifndef CBD_PRESENT_H
#define CBD_PRESENT_H

#include <cjson/cJSON.h>

#include "model.h"
#include "store.h"

/* {id, login, name, role, can_schedule, presence, teams: [{id, name}]};
 * teams read from st (omitted when st is NULL). */
cJSON *present_user(struct store *st, const struct cb_user *u);
cJSON *present_team(const struct cb_team *t);

#endif
