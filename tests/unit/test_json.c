/*
 * test_json.c — request-body parsing, every typed getter against missing,
 * null, mistyped, out-of-range and good values with the exact message, and
 * the reply builders.
 */
#include "json.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parses a test body; the caller deletes it. NULL (and a diagnostic) when
 * the body itself is refused. */
static cJSON *body(const char *text)
{
    struct json_error err = {"", ""};
    cJSON *root = json_parse_body(text, strlen(text), &err);
    if (root == NULL)
        tap_diag("test body refused: %s", err.message);
    return root;
}

/* One refusal: false returned, the field named, the message exact. */
static void refused(bool ok, const struct json_error *err, const char *field, const char *message)
{
    tap_ok(!ok && strcmp(err->field, field) == 0, "refused, field '%s' (got '%s')", field,
           err->field);
    tap_is_str(err->message, message, "  message: %s", message);
}

static void parse_refused(const char *text, size_t len, const char *message)
{
    struct json_error err = {"x", "x"};
    cJSON *root = json_parse_body(text, len, &err);
    tap_ok(root == NULL && err.field[0] == '\0', "body refused as a whole");
    tap_is_str(err.message, message, "  message: %s", message);
    cJSON_Delete(root);
}

/* {"a": [[...]]} with k arrays: k + 1 levels. The caller frees it. */
static char *nested(int k)
{
    char *s = malloc((size_t)k * 2 + 8);
    size_t n = (size_t)sprintf(s, "{\"a\":");
    memset(s + n, '[', (size_t)k);
    memset(s + n + (size_t)k, ']', (size_t)k);
    strcpy(s + n + 2 * (size_t)k, "}");
    return s;
}

static void test_parse_body(void)
{
    struct json_error err = {"", ""};
    cJSON *root = json_parse_body("{\"a\": 1}", 8, &err);
    tap_ok(root != NULL && cJSON_IsObject(root), "an object parses");
    cJSON_Delete(root);
    /* Only len bytes are read: no NUL terminator needed, the rest ignored. */
    char buf[] = {'{', '}', 'x', 'y'};
    root = json_parse_body(buf, 2, &err);
    tap_ok(root != NULL, "body without a NUL terminator parses (len bytes only)");
    cJSON_Delete(root);
    root = json_parse_body(" \r\n\t{ \"a\" : [ 1 , 2 ] }\n", 23, &err);
    tap_ok(root != NULL, "JSON whitespace around and inside");
    cJSON_Delete(root);

    parse_refused("", 0, "body: empty");
    parse_refused(NULL, 0, "body: empty");
    parse_refused(" \n\t ", 4, "body: empty");
    parse_refused("{", 1, "body: malformed JSON at byte 1 (it ends too early)");
    parse_refused("{\"a\":[1,2", 9, "body: malformed JSON at byte 9 (it ends too early)");
    parse_refused("{\"a\":\"abc", 9, "body: malformed JSON at byte 9 (it ends too early)");
    parse_refused("{\"a\":[1,2}", 10, "body: malformed JSON at byte 9 (unbalanced brackets)");
    parse_refused("{\"a\":1}]", 8, "body: malformed JSON at byte 7 (unbalanced brackets)");
    parse_refused("{\"a\":}", 6, "body: malformed JSON near byte 5");
    parse_refused("{\"a\":1} x", 9, "body: malformed JSON at byte 8 (text after the JSON value)");
    parse_refused("{\"a\":1}}", 8, "body: malformed JSON at byte 7 (unbalanced brackets)");
    parse_refused("{\"a\":1} {}", 10, "body: malformed JSON at byte 8 (text after the JSON value)");
    parse_refused("{\"a\":1,}", 8, "body: malformed JSON near byte 8");
    parse_refused("{'a':1}", 7, "body: malformed JSON near byte 2");
    parse_refused("{\"a\" 1}", 7, "body: malformed JSON near byte 5");
    parse_refused("{\"a\":tru}", 9, "body: malformed JSON near byte 5");
    parse_refused("{\"a\":NaN}", 9, "body: malformed JSON near byte 5");
    parse_refused("{\"a\":\"\\x\"}", 10, "body: malformed JSON near byte 6");
    parse_refused("{\"a\":\"\\ud800\"}", 14, "body: malformed JSON near byte 6");
    parse_refused("{\"a\":01}", 8, "body: malformed JSON at byte 5 (a number)");
    parse_refused("{\"a\":1.}", 8, "body: malformed JSON at byte 5 (a number)");
    parse_refused("{\"a\":-}", 7, "body: malformed JSON at byte 5 (a number)");
    parse_refused("{\"a\":1e}", 8, "body: malformed JSON at byte 5 (a number)");
    parse_refused("{\"a\":.5}", 8, "body: malformed JSON near byte 5");
    parse_refused("{\"a\":\"x\x01\"}", 10, "body: malformed JSON at byte 7 (a control character)");
    parse_refused("{\"a\":\"x\ny\"}", 10, "body: malformed JSON at byte 7 (a control character)");
    parse_refused("{\x0c\"a\":1}", 8, "body: malformed JSON at byte 1 (a control character)");
    parse_refused("{\"a\":\"x\0y\"}", 10, "body: malformed JSON at byte 7 (a control character)");
    parse_refused("{\"a\":\"x\\u0000y\"}", 16, "body: \\u0000 is not allowed in a string (byte 7)");
    parse_refused("[1, 2]", 6, "body: must be a JSON object");
    parse_refused("\"text\"", 6, "body: must be a JSON object");
    parse_refused("42", 2, "body: must be a JSON object");
    parse_refused("null", 4, "body: must be a JSON object");

    root = body("{\"a\":\"x\\\\u0000y\"}");
    tap_ok(root != NULL, "an escaped backslash before u0000 is just text");
    cJSON_Delete(root);
    root = body("{\"a\":[0,-1,10,2.5e3,-0.5E-3,1e+5]}");
    tap_ok(root != NULL, "every number form of RFC 8259");
    cJSON_Delete(root);

    /* Duplicate member names, at the top and deeper down. */
    struct json_error e2 = {"", ""};
    root = json_parse_body("{\"bp\":1,\"x\":2,\"bp\":3}", 21, &e2);
    tap_ok(root == NULL, "duplicate member refused");
    refused(root != NULL, &e2, "bp", "bp: duplicate field");
    root = json_parse_body("{\"a\":[{\"k\":1,\"k\":2}]}", 21, &e2);
    refused(root != NULL, &e2, "k", "k: duplicate field");

    /* Depth: 64 levels pass, 65 do not; a million brackets are refused at
     * once, never recursed into. */
    char *deep = nested(63);
    root = json_parse_body(deep, strlen(deep), &e2);
    tap_ok(root != NULL, "64 levels of nesting parse");
    cJSON_Delete(root);
    free(deep);
    deep = nested(64);
    parse_refused(deep, strlen(deep), "body: nested deeper than 64 levels");
    free(deep);
    size_t big = 1000000;
    char *huge = malloc(big + 2);
    huge[0] = '{';
    memset(huge + 1, '[', big);
    huge[big + 1] = '}';
    parse_refused(huge, big + 2, "body: nested deeper than 64 levels");
    memset(huge, '[', big);
    parse_refused(huge, big, "body: nested deeper than 64 levels");
    memset(huge, '{', big);
    parse_refused(huge, big, "body: nested deeper than 64 levels");
    free(huge);
}

static void test_string(void)
{
    cJSON *o = body("{\"remark\":\"hello\",\"empty\":\"\",\"nul\":null,\"num\":5,"
                    "\"nl\":\"a\\nb\",\"tab\":\"a\\tb\",\"esc\":\"\\u001b[2J\","
                    "\"c1\":\"\\u009b\",\"del\":\"a\\u007f\",\"cafe\":\"caf\\u00e9\","
                    "\"ff\":\"ab\xff\",\"overlong\":\"\xc0\xaf\",\"surrogate\":\"\xed\xa0\x80\","
                    "\"cut\":\"\xe2\x82\",\"past\":\"\xf4\x90\x80\x80\",\"emoji\":\"\xf0\x9f\x98\x80\","
                    "\"arr\":[\"x\"]}");
    struct json_error err = {"", ""};
    const char *s = "preset";
    tap_ok(json_get_string(o, "remark", JSON_REQUIRED, 500, 0, &s, &err) && strcmp(s, "hello") == 0,
           "string: good value");
    s = "preset";
    tap_ok(json_get_string(o, "absent", JSON_OPTIONAL, 500, 0, &s, &err) &&
               strcmp(s, "preset") == 0, "string: optional and absent leaves the default");
    tap_ok(json_get_string(o, "nul", JSON_OPTIONAL, 500, 0, &s, &err) &&
               strcmp(s, "preset") == 0, "string: optional and null leaves the default");
    refused(json_get_string(o, "absent", JSON_REQUIRED, 500, 0, &s, &err), &err, "absent",
            "absent: missing");
    refused(json_get_string(o, "nul", JSON_REQUIRED, 500, 0, &s, &err), &err, "nul", "nul: missing");
    refused(json_get_string(o, "num", JSON_OPTIONAL, 500, 0, &s, &err), &err, "num",
            "num: must be a string");
    refused(json_get_string(o, "arr", JSON_OPTIONAL, 500, 0, &s, &err), &err, "arr",
            "arr: must be a string");
    refused(json_get_string(o, "empty", JSON_OPTIONAL, 500, 0, &s, &err), &err, "empty",
            "empty: must not be empty");
    tap_ok(json_get_string(o, "empty", JSON_OPTIONAL, 500, JSON_ALLOW_EMPTY, &s, &err) &&
               strcmp(s, "") == 0, "string: empty allowed with JSON_ALLOW_EMPTY");
    tap_ok(strcmp(s, "") == 0, "  and stored");
    refused(json_get_string(o, "remark", JSON_OPTIONAL, 4, 0, &s, &err), &err, "remark",
            "remark: longer than 4 characters");
    tap_ok(json_get_string(o, "remark", JSON_OPTIONAL, 5, 0, &s, &err), "string: exactly at the limit");
    tap_ok(json_get_string(o, "cafe", JSON_OPTIONAL, 4, 0, &s, &err),
           "string: 'café' is 4 characters (5 bytes)");
    tap_ok(json_get_string(o, "emoji", JSON_OPTIONAL, 1, 0, &s, &err), "string: an emoji is 1 character");
    tap_ok(json_get_string(o, "remark", JSON_OPTIONAL, 0, 0, &s, &err), "string: 0 means no limit");
    tap_ok(json_get_string(o, "nl", JSON_OPTIONAL, 0, 0, &s, &err) &&
               json_get_string(o, "tab", JSON_OPTIONAL, 0, 0, &s, &err),
           "string: newline and tab allowed by default");
    refused(json_get_string(o, "nl", JSON_OPTIONAL, 0, JSON_SINGLE_LINE, &s, &err), &err, "nl",
            "nl: must be a single line");
    refused(json_get_string(o, "tab", JSON_OPTIONAL, 0, JSON_SINGLE_LINE, &s, &err), &err, "tab",
            "tab: contains a control character");
    refused(json_get_string(o, "esc", JSON_OPTIONAL, 0, 0, &s, &err), &err, "esc",
            "esc: contains a control character");
    refused(json_get_string(o, "c1", JSON_OPTIONAL, 0, 0, &s, &err), &err, "c1",
            "c1: contains a control character");
    refused(json_get_string(o, "del", JSON_OPTIONAL, 0, 0, &s, &err), &err, "del",
            "del: contains a control character");
    const char *bad_utf8[] = {"ff", "overlong", "surrogate", "cut", "past"};
    for (size_t i = 0; i < sizeof bad_utf8 / sizeof bad_utf8[0]; i++) {
        char want[64];
        snprintf(want, sizeof want, "%s: not valid UTF-8", bad_utf8[i]);
        refused(json_get_string(o, bad_utf8[i], JSON_OPTIONAL, 0, 0, &s, &err), &err, bad_utf8[i],
                want);
    }
    /* 500 two-byte characters (1000 bytes) pass a 500-character limit; 501
     * do not. */
    char *text = malloc(2100);
    size_t n = (size_t)sprintf(text, "{\"remark\":\"");
    for (int i = 0; i < 501; i++)
        n += (size_t)sprintf(text + n, "\xc3\xa9");
    sprintf(text + n, "\"}");
    cJSON *long_body = body(text);
    refused(json_get_string(long_body, "remark", JSON_REQUIRED, 500, 0, &s, &err), &err, "remark",
            "remark: longer than 500 characters");
    tap_ok(json_get_string(long_body, "remark", JSON_REQUIRED, 501, 0, &s, &err) && strlen(s) == 1002,
           "string: 501 characters within a 501 limit");
    cJSON_Delete(long_body);
    free(text);
    cJSON_Delete(o);
}

static void test_int(void)
{
    cJSON *o = body("{\"i\":42,\"zero\":0,\"f\":1.5,\"one\":1.0,\"big\":1e300,\"negz\":-0,"
                    "\"s\":\"3\",\"t\":true,\"nul\":null,\"safe\":9007199254740991,"
                    "\"nsafe\":-9007199254740991,\"p53\":9007199254740992,"
                    "\"p53p1\":9007199254740993,\"inf\":1e400,\"neg\":-7,\"frac\":1e-300}");
    struct json_error err = {"", ""};
    int64_t v = -99;
    tap_ok(json_get_int(o, "i", JSON_REQUIRED, 1, 100, &v, &err) && v == 42, "int: good value");
    v = -99;
    tap_ok(json_get_int(o, "absent", JSON_OPTIONAL, 1, 100, &v, &err) && v == -99,
           "int: optional and absent leaves the default");
    tap_ok(json_get_int(o, "nul", JSON_OPTIONAL, 1, 100, &v, &err) && v == -99,
           "int: optional and null leaves the default");
    refused(json_get_int(o, "absent", JSON_REQUIRED, 1, 100, &v, &err), &err, "absent",
            "absent: missing");
    refused(json_get_int(o, "nul", JSON_REQUIRED, 1, 100, &v, &err), &err, "nul", "nul: missing");
    const char *const range = ": must be an integer from 1 to 100";
    const char *bad[] = {"zero", "f", "big", "s", "t", "inf", "neg", "frac", "negz"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char want[96];
        snprintf(want, sizeof want, "%s%s", bad[i], range);
        refused(json_get_int(o, bad[i], JSON_OPTIONAL, 1, 100, &v, &err), &err, bad[i], want);
    }
    tap_ok(v == -99, "int: refusals leave the value alone");
    tap_ok(json_get_int(o, "one", JSON_OPTIONAL, 1, 100, &v, &err) && v == 1, "int: 1.0 is 1");
    tap_ok(json_get_int(o, "negz", JSON_OPTIONAL, 0, 100, &v, &err) && v == 0, "int: -0 is 0");
    tap_ok(json_get_int(o, "neg", JSON_OPTIONAL, -10, 10, &v, &err) && v == -7, "int: negative");
    tap_ok(json_get_int(o, "safe", JSON_OPTIONAL, INT64_MIN, INT64_MAX, &v, &err) &&
               v == INT64_C(9007199254740991), "int: 2^53-1 accepted");
    tap_ok(json_get_int(o, "nsafe", JSON_OPTIONAL, INT64_MIN, INT64_MAX, &v, &err) &&
               v == -INT64_C(9007199254740991), "int: -(2^53-1) accepted");
    refused(json_get_int(o, "p53", JSON_OPTIONAL, INT64_MIN, INT64_MAX, &v, &err), &err, "p53",
            "p53: must be an integer");
    refused(json_get_int(o, "p53p1", JSON_OPTIONAL, INT64_MIN, INT64_MAX, &v, &err), &err, "p53p1",
            "p53p1: must be an integer");
    refused(json_get_int(o, "big", JSON_OPTIONAL, INT64_MIN, INT64_MAX, &v, &err), &err, "big",
            "big: must be an integer");
    refused(json_get_int(o, "neg", JSON_OPTIONAL, 0, INT64_MAX, &v, &err), &err, "neg",
            "neg: must be an integer of at least 0");
    refused(json_get_int(o, "i", JSON_OPTIONAL, INT64_MIN, 10, &v, &err), &err, "i",
            "i: must be an integer of at most 10");
    cJSON_Delete(o);
}

static void test_bool_id(void)
{
    cJSON *o = body("{\"yes\":true,\"no\":false,\"one\":1,\"str\":\"true\",\"nul\":null,"
                    "\"id\":7,\"zero\":0,\"neg\":-1,\"f\":1.5,\"sid\":\"7\",\"max\":9007199254740991,"
                    "\"over\":9007199254740992,\"big\":1e300}");
    struct json_error err = {"", ""};
    bool b = false;
    tap_ok(json_get_bool(o, "yes", JSON_REQUIRED, &b, &err) && b, "bool: true");
    tap_ok(json_get_bool(o, "no", JSON_REQUIRED, &b, &err) && !b, "bool: false");
    b = true;
    tap_ok(json_get_bool(o, "absent", JSON_OPTIONAL, &b, &err) && b, "bool: absent leaves the default");
    tap_ok(json_get_bool(o, "nul", JSON_OPTIONAL, &b, &err) && b, "bool: null leaves the default");
    refused(json_get_bool(o, "absent", JSON_REQUIRED, &b, &err), &err, "absent", "absent: missing");
    refused(json_get_bool(o, "nul", JSON_REQUIRED, &b, &err), &err, "nul", "nul: missing");
    refused(json_get_bool(o, "one", JSON_OPTIONAL, &b, &err), &err, "one", "one: must be true or false");
    refused(json_get_bool(o, "str", JSON_OPTIONAL, &b, &err), &err, "str", "str: must be true or false");

    int64_t id = -1;
    tap_ok(json_get_id(o, "id", JSON_REQUIRED, &id, &err) && id == 7, "id: good value");
    tap_ok(json_get_id(o, "max", JSON_REQUIRED, &id, &err) && id == INT64_C(9007199254740991),
           "id: 2^53-1 accepted");
    id = -1;
    tap_ok(json_get_id(o, "absent", JSON_OPTIONAL, &id, &err) && id == -1, "id: absent leaves the default");
    tap_ok(json_get_id(o, "nul", JSON_OPTIONAL, &id, &err) && id == -1, "id: null leaves the default");
    refused(json_get_id(o, "absent", JSON_REQUIRED, &id, &err), &err, "absent", "absent: missing");
    const char *bad[] = {"zero", "neg", "f", "sid", "over", "big", "yes"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char want[64];
        snprintf(want, sizeof want, "%s: must be a positive integer", bad[i]);
        refused(json_get_id(o, bad[i], JSON_OPTIONAL, &id, &err), &err, bad[i], want);
    }
    cJSON_Delete(o);
}

static void test_object_array(void)
{
    cJSON *o = body("{\"obj\":{\"date\":5},\"arr\":[1,\"x\"],\"str\":\"x\",\"nul\":null}");
    struct json_error err = {"", ""};
    const cJSON *sub = NULL;
    tap_ok(json_get_object(o, "obj", JSON_REQUIRED, &sub, &err) && cJSON_IsObject(sub), "object: good");
    sub = NULL;
    tap_ok(json_get_object(o, "nul", JSON_OPTIONAL, &sub, &err) && sub == NULL, "object: null optional");
    tap_ok(json_get_object(o, "absent", JSON_OPTIONAL, &sub, &err) && sub == NULL,
           "object: absent optional");
    refused(json_get_object(o, "absent", JSON_REQUIRED, &sub, &err), &err, "absent", "absent: missing");
    refused(json_get_object(o, "arr", JSON_OPTIONAL, &sub, &err), &err, "arr", "arr: must be an object");
    refused(json_get_object(o, "str", JSON_OPTIONAL, &sub, &err), &err, "str", "str: must be an object");
    tap_ok(json_get_array(o, "arr", JSON_REQUIRED, &sub, &err) && cJSON_IsArray(sub), "array: good");
    sub = NULL;
    tap_ok(json_get_array(o, "nul", JSON_OPTIONAL, &sub, &err) && sub == NULL, "array: null optional");
    refused(json_get_array(o, "nul", JSON_REQUIRED, &sub, &err), &err, "nul", "nul: missing");
    refused(json_get_array(o, "obj", JSON_OPTIONAL, &sub, &err), &err, "obj", "obj: must be an array");

    /* A getter on a nested object, its error moved under the parent. */
    json_get_object(o, "obj", JSON_REQUIRED, &sub, &err);
    const char *s = NULL;
    bool ok = json_get_string(sub, "time", JSON_REQUIRED, 0, 0, &s, &err);
    json_error_prefix(&err, "obj");
    refused(ok, &err, "obj.time", "obj.time: missing");
    ok = json_get_string(sub, "date", JSON_REQUIRED, 0, 0, &s, &err);
    json_error_prefix(&err, "reschedule");
    refused(ok, &err, "reschedule.date", "reschedule.date: must be a string");
    /* A getter on no object at all sees every member absent. */
    tap_ok(json_get_string(NULL, "x", JSON_OPTIONAL, 0, 0, &s, &err), "getter on NULL: absent");
    refused(json_get_string(NULL, "x", JSON_REQUIRED, 0, 0, &s, &err), &err, "x", "x: missing");
    cJSON_Delete(o);
}

static void test_int_array(void)
{
    cJSON *o = body("{\"good\":[15,60,240],\"empty\":[],\"many\":[1,2,3,4,5],\"str\":[1,\"x\"],"
                    "\"zero\":[1,0],\"frac\":[1.5],\"obj\":{\"a\":1},\"nul\":null,\"num\":3}");
    struct json_error err = {"", ""};
    int64_t out[4] = {-1, -1, -1, -1};
    size_t count = 99;
    tap_ok(json_get_int_array(o, "good", JSON_REQUIRED, 1, 4, 1, 10080, out, &count, &err) &&
               count == 3 && out[0] == 15 && out[1] == 60 && out[2] == 240 && out[3] == -1,
           "int array: good");
    count = 99;
    tap_ok(json_get_int_array(o, "absent", JSON_OPTIONAL, 1, 4, 1, 10080, out, &count, &err) &&
               count == 99, "int array: absent leaves the count");
    tap_ok(json_get_int_array(o, "nul", JSON_OPTIONAL, 1, 4, 1, 10080, out, &count, &err) &&
               count == 99, "int array: null leaves the count");
    refused(json_get_int_array(o, "absent", JSON_REQUIRED, 1, 4, 1, 10080, out, &count, &err), &err,
            "absent", "absent: missing");
    refused(json_get_int_array(o, "empty", JSON_OPTIONAL, 1, 4, 1, 10080, out, &count, &err), &err,
            "empty", "empty: must be an array of 1 to 4 integers");
    refused(json_get_int_array(o, "many", JSON_OPTIONAL, 1, 4, 1, 10080, out, &count, &err), &err,
            "many", "many: must be an array of 1 to 4 integers");
    refused(json_get_int_array(o, "obj", JSON_OPTIONAL, 1, 4, 1, 10080, out, &count, &err), &err,
            "obj", "obj: must be an array of 1 to 4 integers");
    refused(json_get_int_array(o, "num", JSON_OPTIONAL, 3, 3, 1, 10080, out, &count, &err), &err,
            "num", "num: must be an array of 3 integers");
    refused(json_get_int_array(o, "str", JSON_OPTIONAL, 1, 4, 1, 10080, out, &count, &err), &err,
            "str", "str[1]: must be an integer from 1 to 10080");
    refused(json_get_int_array(o, "zero", JSON_OPTIONAL, 1, 4, 1, 10080, out, &count, &err), &err,
            "zero", "zero[1]: must be an integer from 1 to 10080");
    refused(json_get_int_array(o, "frac", JSON_OPTIONAL, 1, 4, 1, 10080, out, &count, &err), &err,
            "frac", "frac[0]: must be an integer from 1 to 10080");
    tap_ok(count == 99 && out[0] == 15, "int array: refusals leave out and count alone");
    tap_ok(json_get_int_array(o, "empty", JSON_OPTIONAL, 0, 4, 1, 10080, out, &count, &err) &&
               count == 0, "int array: empty allowed when min_count is 0");
    cJSON_Delete(o);
}

static void test_string_map(void)
{
    cJSON *o = body("{\"cd\":{\"order\":\"A-1\",\"note\":\"\"},\"num\":{\"order\":5},"
                    "\"nested\":{\"o\":{}},\"emptykey\":{\"\":\"x\"},\"arr\":[\"x\"],"
                    "\"bad\":{\"k\":\"\xff\"},\"ctl\":{\"k\":\"\\u001b\"},\"badkey\":{\"k\\n\":\"v\"},"
                    "\"nul\":null,\"empty\":{}}");
    struct json_error err = {"", ""};
    const cJSON *map = NULL;
    tap_ok(json_get_string_map(o, "cd", JSON_REQUIRED, 4096, &map, &err) && map != NULL &&
               cJSON_GetArraySize(map) == 2, "string map: good");
    /* {"order":"A-1","note":""} is 25 bytes printed. */
    tap_ok(json_get_string_map(o, "cd", JSON_REQUIRED, 25, &map, &err), "string map: exactly at the size limit");
    refused(json_get_string_map(o, "cd", JSON_REQUIRED, 24, &map, &err), &err, "cd",
            "cd: larger than 24 bytes");
    tap_ok(json_get_string_map(o, "empty", JSON_REQUIRED, 4096, &map, &err), "string map: {} is fine");
    map = NULL;
    tap_ok(json_get_string_map(o, "nul", JSON_OPTIONAL, 4096, &map, &err) && map == NULL,
           "string map: null optional");
    tap_ok(json_get_string_map(o, "absent", JSON_OPTIONAL, 4096, &map, &err) && map == NULL,
           "string map: absent optional");
    refused(json_get_string_map(o, "absent", JSON_REQUIRED, 4096, &map, &err), &err, "absent",
            "absent: missing");
    refused(json_get_string_map(o, "num", JSON_OPTIONAL, 4096, &map, &err), &err, "num",
            "num.order: must be a string");
    refused(json_get_string_map(o, "nested", JSON_OPTIONAL, 4096, &map, &err), &err, "nested",
            "nested.o: must be a string");
    refused(json_get_string_map(o, "emptykey", JSON_OPTIONAL, 4096, &map, &err), &err, "emptykey",
            "emptykey: keys must not be empty");
    refused(json_get_string_map(o, "arr", JSON_OPTIONAL, 4096, &map, &err), &err, "arr",
            "arr: must be an object with string values");
    refused(json_get_string_map(o, "bad", JSON_OPTIONAL, 4096, &map, &err), &err, "bad",
            "bad.k: not valid UTF-8");
    refused(json_get_string_map(o, "ctl", JSON_OPTIONAL, 4096, &map, &err), &err, "ctl",
            "ctl.k: contains a control character");
    refused(json_get_string_map(o, "badkey", JSON_OPTIONAL, 4096, &map, &err), &err, "badkey",
            "badkey: a key is not valid UTF-8 or holds a control character");
    cJSON_Delete(o);
}

static void test_instant_choice(void)
{
    cJSON *o = body("{\"due_at\":\"2026-11-22T14:30:00Z\",\"off\":\"2026-11-22T09:30:00-05:00\","
                    "\"word\":\"tomorrow\",\"num\":1795357800,\"feb30\":\"2026-02-30T00:00:00Z\","
                    "\"local\":\"2026-11-22T14:30:00+0500\",\"nul\":null,"
                    "\"routing\":\"team\",\"upper\":\"Team\",\"rnum\":1}");
    struct json_error err = {"", ""};
    int64_t t = -1;
    tap_ok(json_get_instant(o, "due_at", JSON_REQUIRED, &t, &err) && t == 1795357800, "instant: Z form");
    tap_ok(json_get_instant(o, "off", JSON_REQUIRED, &t, &err) && t == 1795357800, "instant: offset form");
    t = -1;
    tap_ok(json_get_instant(o, "nul", JSON_OPTIONAL, &t, &err) && t == -1, "instant: null optional");
    tap_ok(json_get_instant(o, "absent", JSON_OPTIONAL, &t, &err) && t == -1, "instant: absent optional");
    refused(json_get_instant(o, "absent", JSON_REQUIRED, &t, &err), &err, "absent", "absent: missing");
    refused(json_get_instant(o, "word", JSON_OPTIONAL, &t, &err), &err, "word",
            "word: not an RFC 3339 time such as 2026-11-22T14:30:00Z");
    refused(json_get_instant(o, "num", JSON_OPTIONAL, &t, &err), &err, "num",
            "num: not an RFC 3339 time such as 2026-11-22T14:30:00Z");
    refused(json_get_instant(o, "feb30", JSON_OPTIONAL, &t, &err), &err, "feb30",
            "feb30: date or time out of range");
    refused(json_get_instant(o, "local", JSON_OPTIONAL, &t, &err), &err, "local",
            "local: needs Z or a +HH:MM offset at the end");

    static const char *const routing[] = {"agent", "team", NULL};
    int which = -1;
    tap_ok(json_get_choice(o, "routing", JSON_REQUIRED, routing, &which, &err) && which == 1,
           "choice: good");
    which = -1;
    tap_ok(json_get_choice(o, "absent", JSON_OPTIONAL, routing, &which, &err) && which == -1,
           "choice: absent optional");
    refused(json_get_choice(o, "absent", JSON_REQUIRED, routing, &which, &err), &err, "absent",
            "absent: missing");
    refused(json_get_choice(o, "upper", JSON_OPTIONAL, routing, &which, &err), &err, "upper",
            "upper: must be one of agent, team");
    refused(json_get_choice(o, "rnum", JSON_OPTIONAL, routing, &which, &err), &err, "rnum",
            "rnum: must be one of agent, team");
    cJSON_Delete(o);
}

static void test_known(void)
{
    static const char *const allowed[] = {"destination", "bp", "remark", NULL};
    struct json_error err = {"", ""};
    cJSON *o = body("{\"destination\":\"+15551234567\",\"bp\":1,\"remark\":null}");
    tap_ok(json_check_known(o, allowed, &err), "known fields only: accepted");
    cJSON_Delete(o);
    o = body("{\"destination\":\"+15551234567\",\"colour\":\"red\"}");
    refused(json_check_known(o, allowed, &err), &err, "colour", "colour: unknown field");
    cJSON_Delete(o);
    o = body("{\"Destination\":\"+15551234567\"}");
    refused(json_check_known(o, allowed, &err), &err, "Destination", "Destination: unknown field");
    cJSON_Delete(o);
    o = body("{\"\":1}");
    refused(json_check_known(o, allowed, &err), &err, "\"\"", "\"\": unknown field");
    cJSON_Delete(o);
    o = body("{\"a\\u001bb\xff\":1}");
    refused(json_check_known(o, allowed, &err), &err, "a?b?", "a?b?: unknown field");
    cJSON_Delete(o);
    o = body("{\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\":1}");
    json_check_known(o, allowed, &err);
    tap_is_int((long long)strlen(err.field), 63, "a long unknown name is cut to fit the field");
    cJSON_Delete(o);
    o = body("{\"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
             "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
             "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
             "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\":1}");
    json_check_known(o, allowed, &err);
    tap_is_int((long long)strlen(err.field), 62, "  and cut between characters, not inside one");
    cJSON_Delete(o);
    cJSON *arr = cJSON_CreateArray();
    tap_ok(json_check_known(arr, allowed, &err), "not an object: nothing to check");
    cJSON_Delete(arr);

    o = body("{\"a\":1,\"n\":null}");
    tap_ok(json_has(o, "a") && !json_has(o, "n") && !json_has(o, "z"), "json_has: present and not null");
    tap_ok(!json_is_null(o, "a") && json_is_null(o, "n") && !json_is_null(o, "z"),
           "json_is_null: present as null");
    tap_ok(!json_has(o, "A"), "member names are case-sensitive");
    cJSON_Delete(o);
}

static void test_build(void)
{
    cJSON *e = json_error_body("invalid_field", "destination: not an E.164 number", "destination");
    char *text = json_print(e);
    tap_is_str(text, "{\"error\":{\"code\":\"invalid_field\",\"message\":\"destination: not an E.164 "
                     "number\",\"field\":\"destination\"}}", "error body with a field");
    free(text);
    cJSON_Delete(e);
    e = json_error_body("malformed", "body: \"quoted\"", NULL);
    text = json_print(e);
    tap_is_str(text, "{\"error\":{\"code\":\"malformed\",\"message\":\"body: \\\"quoted\\\"\"}}",
               "error body without a field, quotes escaped");
    free(text);
    cJSON_Delete(e);
    e = json_error_body("malformed", "body: empty", "");
    text = json_print(e);
    tap_is_str(text, "{\"error\":{\"code\":\"malformed\",\"message\":\"body: empty\"}}",
               "an empty field is left out too");
    free(text);
    cJSON_Delete(e);

    cJSON *o = cJSON_CreateObject();
    json_add_int(o, "id", INT64_C(9007199254740991));
    json_add_int(o, "small", INT64_C(999999999999999));
    json_add_int(o, "neg", -5);
    json_add_int(o, "zero", 0);
    json_add_string_or_null(o, "s", "x\"y");
    json_add_string_or_null(o, "n", NULL);
    json_add_instant(o, "due_at", 1795357800);
    json_add_instant(o, "end", JSON_NO_INSTANT);
    json_add_instant(o, "epoch", 0);
    text = json_print(o);
    tap_is_str(text, "{\"id\":9007199254740991,\"small\":999999999999999,\"neg\":-5,\"zero\":0,\"s\":\"x\\\"y\",\"n\":null,"
                     "\"due_at\":\"2026-11-22T14:30:00Z\",\"end\":null,\"epoch\":\"1970-01-01T00:00:00Z\"}",
               "json_add_int / string_or_null / instant");
    /* What the builders write, the getters read back. */
    int64_t v = 0;
    struct json_error err = {"", ""};
    tap_ok(json_get_id(o, "small", JSON_REQUIRED, &v, &err) && v == INT64_C(999999999999999),
           "json_add_int round-trips 10^15-1");
    cJSON *big = json_parse_body(text, strlen(text), &err);
    tap_ok(json_get_id(big, "id", JSON_REQUIRED, &v, &err) && v == INT64_C(9007199254740991),
           "  and 2^53-1 through its text");
    cJSON_Delete(big);
    tap_ok(json_get_instant(o, "due_at", JSON_REQUIRED, &v, &err) && v == 1795357800,
           "json_add_instant round-trips");
    free(text);
    cJSON_Delete(o);

    json_error_set(&err, "due_at", "more than %d days ahead", 366);
    tap_ok(strcmp(err.field, "due_at") == 0, "json_error_set: field");
    tap_is_str(err.message, "due_at: more than 366 days ahead", "json_error_set: message");
    json_error_set(&err, NULL, "body: too %s", "big");
    tap_ok(err.field[0] == '\0', "json_error_set without a field");
    tap_is_str(err.message, "body: too big", "  message as given");
    json_error_prefix(&err, "reschedule");
    tap_is_str(err.message, "reschedule: body: too big", "json_error_prefix on a fieldless error");
}

int main(void)
{
    test_parse_body();
    test_string();
    test_int();
    test_bool_id();
    test_object_array();
    test_int_array();
    test_string_map();
    test_instant_choice();
    test_known();
    test_build();
    return tap_done();
}
