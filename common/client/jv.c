/*
 * jv.c — the JSON value readers of jv.h.
 */
#include "jv.h"

#include "civil.h"

const char *jv_str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : "";
}

int64_t jv_int(const cJSON *o, const char *key, int64_t def)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : def;
}

int64_t jv_instant(const cJSON *o, const char *key)
{
    int64_t t = 0;
    const char *why;
    const char *s = jv_str(o, key);
    if (s[0] && civil_parse_rfc3339(s, &t, &why))
        return t;
    return 0;
}

bool jv_bool(const cJSON *o, const char *key)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, key));
}

void jv_replace(cJSON **slot, const cJSON *v)
{
    cJSON_Delete(*slot);
    *slot = v ? cJSON_Duplicate(v, 1) : NULL;
}

int jv_index_of_id(const cJSON *arr, int64_t id)
{
    int i = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, arr)
    {
        if (jv_int(it, "id", 0) == id)
            return i;
        i++;
    }
    return -1;
}

enum jv_upsert jv_upsert_by_id(cJSON *arr, const cJSON *item, bool keep)
{
    int at = jv_index_of_id(arr, jv_int(item, "id", 0));
    if (at >= 0 && jv_int(item, "version", 0) < jv_int(cJSON_GetArrayItem(arr, at), "version", 0))
        return JV_OLDER;
    if (!keep) {
        if (at < 0)
            return JV_ABSENT;
        cJSON_DeleteItemFromArray(arr, at);
        return JV_REMOVED;
    }
    if (at >= 0) {
        cJSON_ReplaceItemInArray(arr, at, cJSON_Duplicate(item, 1));
        return JV_REPLACED;
    }
    cJSON_AddItemToArray(arr, cJSON_Duplicate(item, 1));
    return JV_ADDED;
}
