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

#endif
