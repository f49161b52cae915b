/*
 * jv.h — reading values out of the server's JSON replies without ceremony:
 * a member as a string ("" when absent or not a string), a number (def
 * when absent), an RFC 3339 instant as epoch seconds (0 when absent or
 * bad), a boolean (false unless true). NULL objects are fine. Strings
 * returned point into the JSON tree.
 */
#ifndef CB_JV_H
#define CB_JV_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

const char *jv_str(const cJSON *o, const char *key);
int64_t jv_int(const cJSON *o, const char *key, int64_t def);
int64_t jv_instant(const cJSON *o, const char *key);
bool jv_bool(const cJSON *o, const char *key);

/* Replaces *slot (owned, may be NULL) with a deep copy of v (NULL: none). */
void jv_replace(cJSON **slot, const cJSON *v);
/* The index in arr of the object whose "id" is id, or -1. */
int jv_index_of_id(const cJSON *arr, int64_t id);

enum jv_upsert { JV_OLDER, JV_ADDED, JV_REPLACED, JV_REMOVED, JV_ABSENT };
/* Keeps arr, a list of objects with "id" and "version" (the server's
 * callbacks), as the copy item says: with keep, a copy of item in place of
 * the object with its id, or added at the end; without, that object taken
 * out. An item older than the one held (a lower "version") changes
 * nothing (JV_OLDER): events and replies may arrive out of order. */
enum jv_upsert jv_upsert_by_id(cJSON *arr, const cJSON *item, bool keep);

#endif
