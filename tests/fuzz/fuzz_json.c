/*
 * fuzz_json.c — json_parse_body() on arbitrary bytes, then every getter on
 * every member of every object in the tree, both optional and required:
 * nothing may crash or leak, and what a getter accepts must hold its
 * promise (a string within its limit, an integer within its range).
 */
#include "json.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool cond)
{
    if (!cond)
        abort();
}

static void fuzz_member(const cJSON *obj, const char *name, enum json_need need)
{
    static const char *const choices[] = {"agent", "team", "live", "voicemail", NULL};
    struct json_error err;
    const char *s = NULL;
    int64_t v = 0, arr[8];
    size_t count = 0;
    bool b = false;
    int which = -1;
    const cJSON *sub = NULL;

    if (json_get_string(obj, name, need, 8, 0, &s, &err) && s != NULL)
        check(strlen(s) <= 32 && s[0] != '\0');
    s = NULL;
    if (json_get_string(obj, name, need, 0, JSON_ALLOW_EMPTY | JSON_SINGLE_LINE, &s, &err) && s)
        check(strchr(s, '\n') == NULL);
    v = 0;
    if (json_get_int(obj, name, need, 1, 100, &v, &err) && json_has(obj, name))
        check(v >= 1 && v <= 100);
    json_get_int(obj, name, need, INT64_MIN, INT64_MAX, &v, &err);
    v = 0;
    if (json_get_id(obj, name, need, &v, &err) && json_has(obj, name))
        check(v >= 1 && v <= JSON_INT_LIMIT);
    json_get_bool(obj, name, need, &b, &err);
    json_get_object(obj, name, need, &sub, &err);
    json_get_array(obj, name, need, &sub, &err);
    if (json_get_int_array(obj, name, need, 1, 8, -5, 10080, arr, &count, &err) &&
        json_has(obj, name)) {
        check(count >= 1 && count <= 8);
        for (size_t i = 0; i < count; i++)
            check(arr[i] >= -5 && arr[i] <= 10080);
    }
    json_get_string_map(obj, name, need, 4096, &sub, &err);
    json_get_instant(obj, name, need, &v, &err);
    if (json_get_choice(obj, name, need, choices, &which, &err) && json_has(obj, name))
        check(which >= 0 && which < 4);
    if (!json_get_string(obj, name, need, 4, 0, &s, &err)) {
        check(strlen(err.field) < sizeof err.field && strlen(err.message) < sizeof err.message);
        json_error_prefix(&err, "outer");
    }
}

static void fuzz_walk(const cJSON *item)
{
    static const char *const allowed[] = {"destination", "bp", "routing", "remark", NULL};
    struct json_error err;
    const cJSON *child;
    if (cJSON_IsObject(item)) {
        json_check_known(item, allowed, &err);
        cJSON_ArrayForEach(child, item) {
            fuzz_member(item, child->string, JSON_OPTIONAL);
            fuzz_member(item, child->string, JSON_REQUIRED);
        }
        fuzz_member(item, "absent", JSON_REQUIRED);
    }
    cJSON_ArrayForEach(child, item)
        fuzz_walk(child);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct json_error err;
    cJSON *root = json_parse_body((const char *)data, size, &err);
    if (root == NULL) {
        check(err.field[0] == '\0' || strstr(err.message, "duplicate field") != NULL);
        cJSON *body = json_error_body("malformed", err.message, err.field);
        free(json_print(body));
        cJSON_Delete(body);
        return 0;
    }
    fuzz_walk(root);
    char *text = json_print(root);
    /* What was accepted and printed parses again. */
    cJSON *again = json_parse_body(text, strlen(text), &err);
    check(again != NULL);
    cJSON_Delete(again);
    free(text);
    cJSON_Delete(root);
    return 0;
}
