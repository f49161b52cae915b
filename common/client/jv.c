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
