/*
 * test_jsonw.c — the JSON text writer: commas and nesting, string escaping
 * (every control character, quotes, backslash, UTF-8 passing through),
 * integers to the int64 limits, instants and null; every output parses
 * back with cJSON to the same values.
 */
#include "json.h"
#include "jsonw.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

static char *jsonw_sample(void)
{
    struct jsonw w;
    jsonw_init(&w);
    jsonw_object_begin(&w);
    jsonw_key(&w, "a");
    jsonw_int(&w, 1);
    jsonw_key(&w, "list");
    jsonw_array_begin(&w);
    jsonw_int(&w, 0);
    jsonw_int(&w, -42);
    jsonw_object_begin(&w);
    jsonw_object_end(&w);
    jsonw_array_begin(&w);
    jsonw_array_end(&w);
    jsonw_string(&w, "x");
    jsonw_array_end(&w);
    jsonw_key(&w, "n");
    jsonw_null(&w);
    jsonw_key(&w, "t");
    jsonw_bool(&w, true);
    jsonw_key(&w, "f");
    jsonw_bool(&w, false);
    jsonw_key(&w, "s");
    jsonw_string_or_null(&w, NULL);
    jsonw_key(&w, "raw");
    jsonw_raw(&w, "{\"k\":\"v\"}");
    jsonw_object_end(&w);
    size_t len;
    char *text = jsonw_take(&w, &len);
    jsonw_clear(&w);
    tap_is_int((long long)len, (long long)strlen(text), "length reported");
    return text;
}

int main(void)
{
    char *text = jsonw_sample();
    tap_is_str(text,
               "{\"a\":1,\"list\":[0,-42,{},[],\"x\"],\"n\":null,\"t\":true,\"f\":false,"
               "\"s\":null,\"raw\":{\"k\":\"v\"}}",
               "commas, nesting, literals");
    free(text);

    /* every byte 1..127 and some UTF-8 survive a round trip through cJSON */
    char all[200];
    int n = 0;
    for (int c = 1; c < 128; c++)
        all[n++] = (char)c;
    strcpy(all + n, "é€😀");
    struct jsonw w;
    jsonw_init(&w);
    jsonw_array_begin(&w);
    jsonw_string(&w, all);
    jsonw_int(&w, INT64_MAX);
    jsonw_int(&w, INT64_MIN);
    jsonw_int(&w, 9007199254740991);
    jsonw_instant(&w, 1795357800);
    jsonw_instant(&w, 0);
    jsonw_instant(&w, -1);
    jsonw_instant(&w, JSON_NO_INSTANT);
    jsonw_array_end(&w);
    text = jsonw_take(&w, NULL);
    jsonw_clear(&w);
    tap_ok(strstr(text, "\\u0001") && strstr(text, "\\n") && strstr(text, "\\\"") &&
               strstr(text, "\\\\") && strstr(text, "\\u001f") && strstr(text, "é€😀"),
           "control characters escaped, UTF-8 kept");
    tap_ok(strstr(text, ",9223372036854775807,-9223372036854775808,9007199254740991,") != NULL,
           "int64 limits written exactly");
    tap_ok(strstr(text, "\"2026-11-22T14:30:00Z\",\"1970-01-01T00:00:00Z\",\"1969-12-31T23:59:59Z\",null]") != NULL,
           "instants and null");
    cJSON *back = cJSON_Parse(text);
    tap_ok(back && cJSON_IsArray(back) && cJSON_GetArraySize(back) == 8, "parses back");
    tap_is_str(back ? cJSON_GetArrayItem(back, 0)->valuestring : NULL, all, "the string is the same");
    cJSON_Delete(back);
    free(text);

    /* a long string grows the buffer */
    char *big = malloc(100001);
    memset(big, 'q', 100000);
    big[100000] = '\0';
    jsonw_init(&w);
    jsonw_string(&w, big);
    tap_is_int((long long)w.len, 100002, "a 100,000-byte string");
    jsonw_clear(&w);
    free(big);
    return tap_done();
}
