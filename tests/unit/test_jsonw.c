/*
 * test_jsonw.c — the JSON text writer: commas and nesting, string escaping
 * (every control character, quotes, backslash, UTF-8 passing through),
 * integers to the int64 limits, instants (on many days, through the
 * writer's cache of dates) and null; every output parses
 * back with cJSON to the same values.
 */
#include "civil.h"
#include "json.h"
#include "jsonw.h"
#include "tap.h"

#include <stdio.h>
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

    /* instants on many days, in an order that reuses and evicts the
     * writer's cache of dates: each is what civil_format_rfc3339 says */
    static const int64_t days[] = {0, 1, 5, 1, 4, 0, 8, -1, -4, 20000, 20004, 20000, 2932896};
    bool same = true;
    for (size_t i = 0; i < sizeof days / sizeof days[0]; i++)
        for (int64_t secs = 0; secs < 86400; secs += 86399 / 3) {
            int64_t t = days[i] * 86400 + secs;
            char want[CIVIL_RFC3339_SIZE + 2];
            char plain[CIVIL_RFC3339_SIZE];
            civil_format_rfc3339(t, plain);
            snprintf(want, sizeof want, "\"%s\"", plain);
            jsonw_init(&w);
            for (size_t k = 0; k <= i; k++) /* fill the cache with earlier days */
                jsonw_instant(&w, days[k] * 86400 + 1);
            size_t before = w.len;
            jsonw_instant(&w, t);
            const char *got = w.buf + before + (w.buf[before] == ',' ? 1 : 0);
            if (strcmp(got, want) != 0) {
                same = false;
                tap_diag("instant %lld: got %s, want %s", (long long)t, got, want);
            }
            jsonw_clear(&w);
        }
    tap_ok(same, "instants on many days agree with civil_format_rfc3339");

    /* members written at depth 0 and added to an object as text */
    jsonw_init(&w);
    jsonw_key(&w, "b");
    jsonw_string(&w, "two \"2\"");
    jsonw_key(&w, "c");
    jsonw_null(&w);
    size_t members_len;
    char *members = jsonw_take(&w, &members_len);
    tap_is_str(members, "\"b\":\"two \\\"2\\\"\",\"c\":null", "members at depth 0 have no comma first");
    jsonw_init(&w);
    jsonw_array_begin(&w);
    for (int i = 0; i < 2; i++) {
        jsonw_object_begin(&w);
        jsonw_key(&w, "a");
        jsonw_int(&w, i);
        jsonw_members(&w, members, members_len);
        jsonw_key(&w, "d");
        jsonw_bool(&w, true);
        jsonw_object_end(&w);
    }
    jsonw_object_begin(&w); /* members first, then more */
    jsonw_members(&w, members, members_len);
    jsonw_members(&w, "", 0);
    jsonw_key(&w, "d");
    jsonw_bool(&w, false);
    jsonw_object_end(&w);
    jsonw_array_end(&w);
    tap_is_str(w.buf,
               "[{\"a\":0,\"b\":\"two \\\"2\\\"\",\"c\":null,\"d\":true},"
               "{\"a\":1,\"b\":\"two \\\"2\\\"\",\"c\":null,\"d\":true},"
               "{\"b\":\"two \\\"2\\\"\",\"c\":null,\"d\":false}]",
               "members added inside objects: commas where JSON needs them");
    jsonw_clear(&w);
    free(members);

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
