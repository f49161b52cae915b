/*
 * present_bp.c — a business process as the API shows it (DESIGN.md §5,
 * "bps"), and its CLBK Stat (§2): Stopped over Off Schedule HRS over
 * Active, the schedule read in the BP's own zone at the given instant.
 */
#include "present.h"

#include "json.h"
#include "log.h"
#include "tz.h"

enum clbk_stat present_bp_clbk_stat(const struct cb_bp *bp, int64_t now)
{
    if (bp->stopped)
        return CLBK_STAT_STOPPED;
    const char *why;
    const struct tz_zone *zone = tz_find(bp->tz, &why);
    if (zone == NULL) {
        log_error("business process %s: time zone %s: %s", bp->name, bp->tz, why);
        return CLBK_STAT_OFF_SCHEDULE;
    }
    return timing_is_open(&bp->timing, zone, now) ? CLBK_STAT_ACTIVE : CLBK_STAT_OFF_SCHEDULE;
}

static bool present_bp_team(void *ctx, int64_t id, const char *name)
{
    cJSON *o = cJSON_CreateObject();
    json_add_int(o, "id", id);
    cJSON_AddStringToObject(o, "name", name);
    cJSON_AddItemToArray(ctx, o);
    return true;
}

cJSON *present_bp(struct store *st, const struct cb_bp *bp, int64_t now)
{
    cJSON *o = cJSON_CreateObject();
    json_add_int(o, "id", bp->id);
    cJSON_AddStringToObject(o, "name", bp->name);
    cJSON_AddStringToObject(o, "tz", bp->tz);
    json_add_int(o, "version", bp->version);
    cJSON *routing = cJSON_AddArrayToObject(o, "routing");
    for (int r = 0; r < ROUTING__COUNT; r++)
        if (bp->routing & (1u << r))
            cJSON_AddItemToArray(routing, cJSON_CreateString(routing_wire((enum routing)r)));
    if (st) {
        cJSON *teams = cJSON_AddArrayToObject(o, "teams");
        store_bp_teams(st, bp->id, present_bp_team, teams);
    }
    cJSON_AddItemToObject(o, "timing", timing_to_json(&bp->timing));
    cJSON_AddStringToObject(o, "clbk_stat", clbk_stat_wire(present_bp_clbk_stat(bp, now)));
    return o;
}
