/*
 * model.c — the agent console's model (model.h): replaces and patches the
 * JSON trees it holds from what the server says.
 */
#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civil.h"

void model_init(struct model *m)
{
    memset(m, 0, sizeof *m);
    snprintf(m->presence, sizeof m->presence, "logged_out");
}

void model_clear(struct model *m)
{
    cJSON_Delete(m->teams);
    cJSON_Delete(m->pending);
    cJSON_Delete(m->interaction);
    cJSON_Delete(m->active_call);
    cJSON_Delete(m->history);
    cJSON_Delete(m->bps);
    cJSON_Delete(m->dir_teams);
    cJSON_Delete(m->agents);
    cJSON_Delete(m->zones);
    model_init(m);
}

void model_set_me(struct model *m, const cJSON *user)
{
    m->me_id = jv_int(user, "id", 0);
    snprintf(m->login, sizeof m->login, "%s", jv_str(user, "login"));
    snprintf(m->name, sizeof m->name, "%s", jv_str(user, "name"));
    m->can_schedule = jv_bool(user, "can_schedule");
    const char *p = jv_str(user, "presence");
    if (p[0])
        snprintf(m->presence, sizeof m->presence, "%s", p);
    jv_replace(&m->teams, cJSON_GetObjectItemCaseSensitive(user, "teams"));
    m->dirty = true;
}

static int model_by_due(const void *a, const void *b)
{
    int64_t x = jv_instant(*(const cJSON *const *)a, "due_at");
    int64_t y = jv_instant(*(const cJSON *const *)b, "due_at");
    if (x != y)
        return x < y ? -1 : 1;
    int64_t i = jv_int(*(const cJSON *const *)a, "id", 0);
    int64_t j = jv_int(*(const cJSON *const *)b, "id", 0);
    return (i > j) - (i < j);
}

/* Sorts the panel by due time (then id), as the server sends it. */
static void model_sort_pending(struct model *m)
{
    int n = cJSON_GetArraySize(m->pending);
    if (n < 2)
        return;
    cJSON **items = cJSON_malloc((size_t)n * sizeof *items);
    int i = 0;
    while (cJSON_GetArraySize(m->pending) > 0)
        items[i++] = cJSON_DetachItemFromArray(m->pending, 0);
    qsort(items, (size_t)n, sizeof *items, model_by_due);
    for (i = 0; i < n; i++)
        cJSON_AddItemToArray(m->pending, items[i]);
    cJSON_free(items);
}

void model_set_pending(struct model *m, const cJSON *reply)
{
    jv_replace(&m->pending, cJSON_GetObjectItemCaseSensitive(reply, "callbacks"));
    if (m->pending == NULL)
        m->pending = cJSON_CreateArray();
    m->pending_count = (int)jv_int(reply, "count", cJSON_GetArraySize(m->pending));
    m->dirty = true;
}

void model_set_interaction(struct model *m, const cJSON *reply)
{
    const cJSON *i = cJSON_GetObjectItemCaseSensitive(reply, "interaction");
    char before[16]; /* a copy: the tree it comes from is replaced below */
    snprintf(before, sizeof before, "%s", model_istate(m));
    int64_t before_id = jv_int(m->interaction, "id", 0);
    if (cJSON_IsObject(i) && jv_int(i, "id", 0) == before_id &&
        jv_int(i, "version", 0) < jv_int(m->interaction, "version", 0)) {
        /* a reply older than the events already applied: only its count
         * of recent contacts is news */
        m->contacts_recent = (int)jv_int(i, "contacts_recent", m->contacts_recent);
        m->dirty = true;
        return;
    }
    jv_replace(&m->interaction, cJSON_IsObject(i) ? i : NULL);
    if (m->interaction) {
        m->contacts_recent = (int)jv_int(m->interaction, "contacts_recent", 0);
        if (before_id != jv_int(m->interaction, "id", 0) || strcmp(before, model_istate(m)) != 0)
            m->interaction_seen = time(NULL);
    }
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(reply, "active_call");
    jv_replace(&m->active_call, cJSON_IsObject(c) ? c : NULL);
    m->dirty = true;
}

void model_set_history(struct model *m, const cJSON *reply)
{
    jv_replace(&m->history, cJSON_GetObjectItemCaseSensitive(reply, "history"));
    m->dirty = true;
}

void model_set_directory(struct model *m, const char *key, const cJSON *reply)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(reply, key);
    if (strcmp(key, "bps") == 0)
        jv_replace(&m->bps, v);
    else if (strcmp(key, "teams") == 0)
        jv_replace(&m->dir_teams, v);
    else if (strcmp(key, "agents") == 0)
        jv_replace(&m->agents, v);
    else if (strcmp(key, "zones") == 0)
        jv_replace(&m->zones, v);
    m->dirty = true;
}

const char *model_istate(const struct model *m)
{
    return m->interaction ? jv_str(m->interaction, "state") : "";
}

/* Is this callback one of my panel's: personal to me, Pending or queued? */
static bool model_in_panel(const struct model *m, const cJSON *cb)
{
    const char *loc = jv_str(cb, "location");
    return strcmp(jv_str(cb, "routing"), "agent") == 0 &&
           strcmp(jv_str(cb, "agent"), m->login) == 0 &&
           (strcmp(loc, "pending") == 0 || strcmp(loc, "handling_by_business_process") == 0);
}

bool model_apply_callback(struct model *m, const cJSON *cb)
{
    int64_t id = jv_int(cb, "id", 0);
    bool offered_now = false;
    /* the interaction */
    bool mine = strcmp(jv_str(cb, "holder"), m->login) == 0 &&
                strcmp(jv_str(cb, "location"), "handling_by_agent") == 0;
    int64_t cur = jv_int(m->interaction, "id", 0);
    if (mine) {
        int64_t v_old = jv_int(m->interaction, "version", -1);
        if (cur != id || jv_int(cb, "version", 0) >= v_old) {
            const char *before = model_istate(m);
            offered_now = strcmp(jv_str(cb, "state"), "offered") == 0 &&
                          (cur != id || strcmp(before, "offered") != 0);
            bool changed = cur != id || strcmp(before, jv_str(cb, "state")) != 0;
            int contacts = cur == id ? m->contacts_recent
                                     : (int)jv_int(cb, "contacts_recent", 0);
            jv_replace(&m->interaction, cb);
            m->contacts_recent = contacts;
            if (changed)
                m->interaction_seen = time(NULL);
        }
    } else if (cur == id && jv_int(cb, "version", 0) >= jv_int(m->interaction, "version", 0)) {
        jv_replace(&m->interaction, NULL);
    }
    /* the panel */
    if (m->pending == NULL)
        m->pending = cJSON_CreateArray();
    switch (jv_upsert_by_id(m->pending, cb, model_in_panel(m, cb))) {
    case JV_OLDER:
        return offered_now; /* an older copy than the one shown */
    case JV_ADDED:
        m->pending_count++;
        model_sort_pending(m);
        break;
    case JV_REPLACED:
        model_sort_pending(m);
        break;
    case JV_REMOVED:
        if (m->pending_count > 0)
            m->pending_count--;
        break;
    case JV_ABSENT:
        break;
    }
    m->dirty = true;
    return offered_now;
}

void model_apply_presence(struct model *m, const cJSON *ev)
{
    if (jv_int(ev, "agent_id", 0) != m->me_id)
        return;
    snprintf(m->presence, sizeof m->presence, "%s", jv_str(ev, "presence"));
    m->dirty = true;
}

void model_apply_bp(struct model *m, const cJSON *bp)
{
    int at = jv_index_of_id(m->bps, jv_int(bp, "id", 0));
    if (at >= 0)
        cJSON_ReplaceItemInArray(m->bps, at, cJSON_Duplicate(bp, 1));
    else if (m->bps)
        cJSON_AddItemToArray(m->bps, cJSON_Duplicate(bp, 1));
    m->dirty = true;
}

const cJSON *model_bp(const struct model *m, int64_t id)
{
    int at = jv_index_of_id(m->bps, id);
    return at >= 0 ? cJSON_GetArrayItem(m->bps, at) : NULL;
}
