/*
 * json.c — checked reading of request bodies and building of replies over
 * cJSON (see json.h).
 *
 * json_parse_body() scans the raw bytes once before cJSON sees them, for
 * what cJSON 1.7.15 lets through: control characters (it takes every byte
 * up to 32 as whitespace and copies them raw into strings), \u0000 (which
 * would silently cut a string short) and deep nesting (its own limit is
 * 1000 levels of recursion). It parses a NUL-terminated copy, so cJSON never
 * reads past the body, and then refuses duplicate member names, which cJSON
 * keeps and which would make "the" value of a field ambiguous.
 *
 * The getters share one shape: json_member() finds the member and deals with
 * absent / null / required, and each getter checks the type and the range.
 * Names that come from the client (unknown or duplicate fields, case_data
 * keys) are made printable before they go into a message.
 */
#include "json.h"

#include "civil.h"
#include "xalloc.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cJSON reports exhaustion by returning NULL; like xalloc, give up. */
static void *json_mem(void *p)
{
    if (p == NULL) {
        fputs("out of memory in cJSON\n", stderr);
        abort();
    }
    return p;
}

/* Length of the valid UTF-8 sequence at s (NUL-terminated) and its code
 * point, or 0 when the bytes there are not UTF-8 (overlong forms,
 * surrogates and values past U+10FFFF included). */
static size_t json_utf8_decode(const unsigned char *s, unsigned long *cp)
{
    unsigned char c = s[0], lo = 0x80, hi = 0xBF;
    size_t n;
    unsigned long v;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        v = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        v = c & 0x0Fu;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        v = c & 0x07u;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        unsigned char d = s[i];
        if (d < (i == 1 ? lo : 0x80) || d > (i == 1 ? hi : 0xBF))
            return 0;
        v = (v << 6) | (d & 0x3Fu);
    }
    *cp = v;
    return n;
}

static bool json_is_control(unsigned long cp)
{
    return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F);
}

enum json_text { JSON_TEXT_OK, JSON_TEXT_BAD_UTF8, JSON_TEXT_CONTROL, JSON_TEXT_NEWLINE };

/* Checks a string's encoding and characters; *chars gets its length in
 * code points. */
static enum json_text json_check_text(const char *s, unsigned flags, size_t *chars)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t count = 0;
    while (*p) {
        unsigned long cp;
        size_t n = json_utf8_decode(p, &cp);
        if (n == 0)
            return JSON_TEXT_BAD_UTF8;
        if ((cp == '\n' || cp == '\r') && (flags & JSON_SINGLE_LINE))
            return JSON_TEXT_NEWLINE;
        if (json_is_control(cp) &&
            !((cp == '\t' || cp == '\n' || cp == '\r') && !(flags & JSON_SINGLE_LINE)))
            return JSON_TEXT_CONTROL;
        p += n;
        count++;
    }
    *chars = count;
    return JSON_TEXT_OK;
}

/* Copies a name for a message: valid, printable UTF-8 is kept, anything else
 * becomes '?', and the copy is cut at a character boundary to fit. */
static void json_printable(char *dst, size_t size, const char *src)
{
    size_t o = 0;
    const unsigned char *p = (const unsigned char *)(src ? src : "");
    if (*p == '\0' && src != NULL && size > 2) {
        memcpy(dst, "\"\"", 3); /* an empty member name, shown as "" */
        return;
    }
    while (*p) {
        unsigned long cp;
        size_t n = json_utf8_decode(p, &cp);
        if (n == 0 || json_is_control(cp)) {
            if (o + 1 >= size)
                break;
            dst[o++] = '?';
            p += n ? n : 1;
            continue;
        }
        if (o + n >= size)
            break;
        memcpy(dst + o, p, n);
        o += n;
        p += n;
    }
    dst[o] = '\0';
}

/* Sets err->field to the printable form of field and the message to that
 * field followed by what fmt makes (fmt starts with ": ", "[2]: " ...). */
__attribute__((format(printf, 3, 4)))
static bool json_fail(struct json_error *err, const char *field, const char *fmt, ...)
{
    json_printable(err->field, sizeof err->field, field);
    size_t n = strlen(err->field);
    memcpy(err->message, err->field, n + 1);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message + n, sizeof err->message - n, fmt, ap);
    va_end(ap);
    return false;
}

void json_error_set(struct json_error *err, const char *field, const char *fmt, ...)
{
    char what[sizeof err->message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (field == NULL || field[0] == '\0') {
        err->field[0] = '\0';
        memcpy(err->message, what, sizeof what);
    } else {
        json_fail(err, field, ": %s", what);
    }
}

/* dst = a + sep + b, cut to fit size. */
static void json_join(char *dst, size_t size, const char *a, const char *sep, const char *b)
{
    size_t o = 0;
    const char *parts[3] = {a, sep, b};
    for (int i = 0; i < 3; i++)
        for (const char *p = parts[i]; *p && o + 1 < size; p++)
            dst[o++] = *p;
    dst[o] = '\0';
}

void json_error_prefix(struct json_error *err, const char *prefix)
{
    char field[sizeof err->field], message[sizeof err->message];
    size_t old = strlen(err->field);
    if (old > 0) {
        json_join(field, sizeof field, prefix, ".", err->field);
        if (strncmp(err->message, err->field, old) == 0)
            json_join(message, sizeof message, prefix, ".", err->message);
        else
            json_join(message, sizeof message, prefix, ": ", err->message);
    } else {
        json_join(field, sizeof field, prefix, "", "");
        json_join(message, sizeof message, prefix, ": ", err->message);
    }
    memcpy(err->field, field, sizeof field);
    memcpy(err->message, message, sizeof message);
}

/* --- parsing a body ------------------------------------------------------ */

static bool json_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* The end of the RFC 8259 number starting at data[i], or i itself where it
 * is not one: cJSON alone would take "01", "1." and "-.5". */
static size_t json_number_end(const char *data, size_t len, size_t i)
{
    size_t start = i;
    if (i < len && data[i] == '-')
        i++;
    if (i < len && data[i] == '0')
        i++;
    else if (i < len && json_is_digit(data[i]))
        while (i < len && json_is_digit(data[i]))
            i++;
    else
        return start;
    if (i < len && data[i] == '.') {
        if (++i >= len || !json_is_digit(data[i]))
            return start;
        while (i < len && json_is_digit(data[i]))
            i++;
    }
    if (i < len && (data[i] == 'e' || data[i] == 'E')) {
        i++;
        if (i < len && (data[i] == '+' || data[i] == '-'))
            i++;
        if (i >= len || !json_is_digit(data[i]))
            return start;
        while (i < len && json_is_digit(data[i]))
            i++;
    }
    if (i < len && (json_is_digit(data[i]) || data[i] == '.'))
        return start; /* "01", "1.2.3" */
    return i;
}

/* What cJSON does not check, or reports only roughly: control characters,
 * \u0000, the grammar of numbers, depth, brackets that do not match and a
 * body that stops short. Positions reported here are exact. */
static bool json_prescan(const char *data, size_t len, struct json_error *err)
{
    bool in_string = false, escaped = false;
    char open[JSON_MAX_DEPTH]; /* the brackets not yet closed */
    int depth = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)data[i];
        if (c < 0x20 && (in_string || (c != '\t' && c != '\n' && c != '\r'))) {
            json_error_set(err, NULL, "body: malformed JSON at byte %zu (a control character)", i);
            return false;
        }
        if (in_string) {
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
                if (len - i >= 6 && memcmp(data + i + 1, "u0000", 5) == 0) {
                    json_error_set(err, NULL, "body: \\u0000 is not allowed in a string (byte %zu)", i);
                    return false;
                }
            } else if (c == '"') {
                in_string = false;
            }
        } else if (c == '"') {
            in_string = true;
        } else if (c == '-' || json_is_digit((char)c)) {
            size_t end = json_number_end(data, len, i);
            if (end == i) {
                json_error_set(err, NULL, "body: malformed JSON at byte %zu (a number)", i);
                return false;
            }
            i = end - 1;
        } else if (c == '{' || c == '[') {
            if (depth == JSON_MAX_DEPTH) {
                json_error_set(err, NULL, "body: nested deeper than %d levels", JSON_MAX_DEPTH);
                return false;
            }
            open[depth++] = (char)c;
        } else if (c == '}' || c == ']') {
            if (depth == 0 || open[depth - 1] != (c == '}' ? '{' : '[')) {
                json_error_set(err, NULL, "body: malformed JSON at byte %zu (unbalanced brackets)", i);
                return false;
            }
            depth--;
        }
    }
    if (in_string || depth > 0) {
        json_error_set(err, NULL, "body: malformed JSON at byte %zu (it ends too early)", len);
        return false;
    }
    return true;
}

static int json_name_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Refuses an object, anywhere in the tree, that has a member name twice.
 * Recursion is bounded by JSON_MAX_DEPTH. */
static bool json_check_duplicates(const cJSON *item, struct json_error *err)
{
    bool ok = true;
    const char **names = NULL;
    size_t n = 0;
    const cJSON *child;
    if (cJSON_IsObject(item)) {
        cJSON_ArrayForEach(child, item)
            n++;
        names = xmalloc(n * sizeof *names);
        n = 0;
        cJSON_ArrayForEach(child, item)
            names[n++] = child->string ? child->string : "";
        qsort(names, n, sizeof *names, json_name_cmp);
        for (size_t i = 1; i < n && ok; i++)
            if (strcmp(names[i - 1], names[i]) == 0)
                ok = json_fail(err, names[i], ": duplicate field");
    }
    cJSON_ArrayForEach(child, item) {
        if (!ok)
            break;
        if (cJSON_IsObject(child) || cJSON_IsArray(child))
            ok = json_check_duplicates(child, err);
    }
    free(names);
    return ok;
}

cJSON *json_parse_body(const char *data, size_t len, struct json_error *err)
{
    cJSON *root = NULL;
    char *copy = NULL;
    size_t i = 0;
    while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r'))
        i++;
    if (i == len) {
        json_error_set(err, NULL, "body: empty");
        goto out;
    }
    if (!json_prescan(data, len, err))
        goto out;
    /* No NUL inside (the scan refused control characters), so the copy's
     * strlen is len and cJSON stops at its terminator. */
    copy = xmalloc(len + 1);
    memcpy(copy, data, len);
    copy[len] = '\0';
    const char *end = NULL;
    root = cJSON_ParseWithOpts(copy, &end, false);
    if (root == NULL) {
        /* cJSON's position is where it gave up, a byte or so off at times. */
        size_t at = end != NULL && end >= copy ? (size_t)(end - copy) : 0;
        json_error_set(err, NULL, "body: malformed JSON near byte %zu", at);
        goto out;
    }
    /* end is just after the value: only whitespace may follow. */
    size_t at = (size_t)(end - copy);
    while (at < len && (copy[at] == ' ' || copy[at] == '\t' || copy[at] == '\n' || copy[at] == '\r'))
        at++;
    if (at < len) {
        json_error_set(err, NULL, "body: malformed JSON at byte %zu (text after the JSON value)", at);
        cJSON_Delete(root);
        root = NULL;
        goto out;
    }
    if (!cJSON_IsObject(root)) {
        json_error_set(err, NULL, "body: must be a JSON object");
        cJSON_Delete(root);
        root = NULL;
        goto out;
    }
    if (!json_check_duplicates(root, err)) {
        cJSON_Delete(root);
        root = NULL;
    }
out:
    free(copy);
    return root;
}

bool json_check_known(const cJSON *obj, const char *const *allowed, struct json_error *err)
{
    const cJSON *child;
    if (!cJSON_IsObject(obj))
        return true;
    cJSON_ArrayForEach(child, obj) {
        const char *name = child->string ? child->string : "";
        bool known = false;
        for (const char *const *a = allowed; *a && !known; a++)
            known = strcmp(*a, name) == 0;
        if (!known)
            return json_fail(err, name, ": unknown field");
    }
    return true;
}

/* --- getters ------------------------------------------------------------- */

static const cJSON *json_find(const cJSON *obj, const char *name)
{
    return cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, name) : NULL;
}

bool json_has(const cJSON *obj, const char *name)
{
    const cJSON *item = json_find(obj, name);
    return item != NULL && !cJSON_IsNull(item);
}

bool json_is_null(const cJSON *obj, const char *name)
{
    return cJSON_IsNull(json_find(obj, name));
}

/* The member, or *item NULL when absent or null; false only when it is
 * required and not there. */
static bool json_member(const cJSON *obj, const char *name, enum json_need need,
                        const cJSON **item, struct json_error *err)
{
    const cJSON *it = json_find(obj, name);
    if (it == NULL || cJSON_IsNull(it)) {
        *item = NULL;
        return need == JSON_OPTIONAL || json_fail(err, name, ": missing");
    }
    *item = it;
    return true;
}

/* The integral value of a number item within [min, max] (both already
 * within ±JSON_INT_LIMIT), or false. */
static bool json_integral(const cJSON *item, int64_t min, int64_t max, int64_t *out)
{
    if (!cJSON_IsNumber(item))
        return false;
    double d = item->valuedouble;
    if (!isfinite(d) || d != floor(d) || d < -(double)JSON_INT_LIMIT || d > (double)JSON_INT_LIMIT)
        return false;
    int64_t v = (int64_t)d;
    if (v < min || v > max)
        return false;
    *out = v;
    return true;
}

/* "must be an integer from 1 to 100", and the shorter forms for open ends. */
static void json_int_expect(char *buf, size_t size, int64_t min, int64_t max)
{
    if (min <= -JSON_INT_LIMIT && max >= JSON_INT_LIMIT)
        snprintf(buf, size, "an integer");
    else if (max >= JSON_INT_LIMIT)
        snprintf(buf, size, "an integer of at least %lld", (long long)min);
    else if (min <= -JSON_INT_LIMIT)
        snprintf(buf, size, "an integer of at most %lld", (long long)max);
    else
        snprintf(buf, size, "an integer from %lld to %lld", (long long)min, (long long)max);
}

static int64_t json_clamp(int64_t v)
{
    return v < -JSON_INT_LIMIT ? -JSON_INT_LIMIT : v > JSON_INT_LIMIT ? JSON_INT_LIMIT : v;
}

/* Checks the text of the string s, the value of name (or of name.key in a
 * string map), and fills err when it is refused. */
static bool json_text_ok(const char *s, const char *name, const char *key, unsigned flags,
                         size_t max_chars, struct json_error *err)
{
    size_t chars = 0;
    const char *sep = key ? "." : "";
    char shown[64] = "";
    if (key)
        json_printable(shown, sizeof shown, key);
    switch (json_check_text(s, flags, &chars)) {
    case JSON_TEXT_BAD_UTF8:
        return json_fail(err, name, "%s%s: not valid UTF-8", sep, shown);
    case JSON_TEXT_CONTROL:
        return json_fail(err, name, "%s%s: contains a control character", sep, shown);
    case JSON_TEXT_NEWLINE:
        return json_fail(err, name, "%s%s: must be a single line", sep, shown);
    case JSON_TEXT_OK:
        break;
    }
    if (chars == 0 && !(flags & JSON_ALLOW_EMPTY))
        return json_fail(err, name, "%s%s: must not be empty", sep, shown);
    if (max_chars > 0 && chars > max_chars)
        return json_fail(err, name, "%s%s: longer than %zu characters", sep, shown, max_chars);
    return true;
}

bool json_get_string(const cJSON *obj, const char *name, enum json_need need, size_t max_chars,
                     unsigned flags, const char **out, struct json_error *err)
{
    const cJSON *item;
    if (!json_member(obj, name, need, &item, err))
        return false;
    if (item == NULL)
        return true;
    if (!cJSON_IsString(item) || item->valuestring == NULL)
        return json_fail(err, name, ": must be a string");
    if (!json_text_ok(item->valuestring, name, NULL, flags, max_chars, err))
        return false;
    *out = item->valuestring;
    return true;
}

bool json_get_int(const cJSON *obj, const char *name, enum json_need need, int64_t min,
                  int64_t max, int64_t *out, struct json_error *err)
{
    const cJSON *item;
    if (!json_member(obj, name, need, &item, err))
        return false;
    if (item == NULL)
        return true;
    min = json_clamp(min);
    max = json_clamp(max);
    if (!json_integral(item, min, max, out)) {
        char expect[96];
        json_int_expect(expect, sizeof expect, min, max);
        return json_fail(err, name, ": must be %s", expect);
    }
    return true;
}

bool json_get_bool(const cJSON *obj, const char *name, enum json_need need, bool *out,
                   struct json_error *err)
{
    const cJSON *item;
    if (!json_member(obj, name, need, &item, err))
        return false;
    if (item == NULL)
        return true;
    if (!cJSON_IsBool(item))
        return json_fail(err, name, ": must be true or false");
    *out = cJSON_IsTrue(item);
    return true;
}

bool json_get_id(const cJSON *obj, const char *name, enum json_need need, int64_t *out,
                 struct json_error *err)
{
    const cJSON *item;
    if (!json_member(obj, name, need, &item, err))
        return false;
    if (item == NULL)
        return true;
    if (!json_integral(item, 1, JSON_INT_LIMIT, out))
        return json_fail(err, name, ": must be a positive integer");
    return true;
}

bool json_get_object(const cJSON *obj, const char *name, enum json_need need, const cJSON **out,
                     struct json_error *err)
{
    const cJSON *item;
    if (!json_member(obj, name, need, &item, err))
        return false;
    if (item == NULL)
        return true;
    if (!cJSON_IsObject(item))
        return json_fail(err, name, ": must be an object");
    *out = item;
    return true;
}

bool json_get_array(const cJSON *obj, const char *name, enum json_need need, const cJSON **out,
                    struct json_error *err)
{
    const cJSON *item;
    if (!json_member(obj, name, need, &item, err))
        return false;
    if (item == NULL)
        return true;
    if (!cJSON_IsArray(item))
        return json_fail(err, name, ": must be an array");
    *out = item;
    return true;
}

bool json_get_int_array(const cJSON *obj, const char *name, enum json_need need, size_t min_count,
                        size_t max_count, int64_t min, int64_t max, int64_t *out, size_t *count,
                        struct json_error *err)
{
    const cJSON *item, *el;
    if (!json_member(obj, name, need, &item, err))
        return false;
    if (item == NULL)
        return true;
    size_t n = 0;
    if (cJSON_IsArray(item))
        cJSON_ArrayForEach(el, item)
            n++;
    if (!cJSON_IsArray(item) || n < min_count || n > max_count) {
        if (min_count == max_count)
            return json_fail(err, name, ": must be an array of %zu integer%s", min_count,
                             min_count == 1 ? "" : "s");
        return json_fail(err, name, ": must be an array of %zu to %zu integers", min_count,
                         max_count);
    }
    min = json_clamp(min);
    max = json_clamp(max);
    size_t i = 0;
    int64_t tmp;
    cJSON_ArrayForEach(el, item) {
        if (!json_integral(el, min, max, &tmp)) {
            char expect[96];
            json_int_expect(expect, sizeof expect, min, max);
            return json_fail(err, name, "[%zu]: must be %s", i, expect);
        }
        i++;
    }
    i = 0;
    cJSON_ArrayForEach(el, item)
        json_integral(el, min, max, &out[i++]);
    *count = n;
    return true;
}

bool json_get_string_map(const cJSON *obj, const char *name, enum json_need need, size_t max_bytes,
                         const cJSON **out, struct json_error *err)
{
    const cJSON *item, *el;
    if (!json_member(obj, name, need, &item, err))
        return false;
    if (item == NULL)
        return true;
    if (!cJSON_IsObject(item))
        return json_fail(err, name, ": must be an object with string values");
    cJSON_ArrayForEach(el, item) {
        const char *key = el->string ? el->string : "";
        size_t chars;
        if (key[0] == '\0')
            return json_fail(err, name, ": keys must not be empty");
        if (json_check_text(key, JSON_SINGLE_LINE, &chars) != JSON_TEXT_OK)
            return json_fail(err, name, ": a key is not valid UTF-8 or holds a control character");
        if (!cJSON_IsString(el) || el->valuestring == NULL) {
            char shown[64];
            json_printable(shown, sizeof shown, key);
            return json_fail(err, name, ".%s: must be a string", shown);
        }
        if (!json_text_ok(el->valuestring, name, key, JSON_ALLOW_EMPTY, 0, err))
            return false;
    }
    char *text = json_print(item);
    size_t size = strlen(text);
    free(text);
    if (size > max_bytes)
        return json_fail(err, name, ": larger than %zu bytes", max_bytes);
    *out = item;
    return true;
}

bool json_get_instant(const cJSON *obj, const char *name, enum json_need need, int64_t *out,
                      struct json_error *err)
{
    const cJSON *item;
    if (!json_member(obj, name, need, &item, err))
        return false;
    if (item == NULL)
        return true;
    const char *why = NULL;
    int64_t t;
    const char *s = cJSON_IsString(item) && item->valuestring ? item->valuestring : "";
    if (!civil_parse_rfc3339(s, &t, &why))
        return json_fail(err, name, ": %s", why);
    *out = t;
    return true;
}

bool json_get_choice(const cJSON *obj, const char *name, enum json_need need,
                     const char *const *choices, int *out, struct json_error *err)
{
    const cJSON *item;
    if (!json_member(obj, name, need, &item, err))
        return false;
    if (item == NULL)
        return true;
    if (cJSON_IsString(item) && item->valuestring) {
        for (int i = 0; choices[i]; i++) {
            if (strcmp(choices[i], item->valuestring) == 0) {
                *out = i;
                return true;
            }
        }
    }
    char list[160] = "";
    size_t n = 0;
    for (int i = 0; choices[i] && n < sizeof list; i++)
        n += (size_t)snprintf(list + n, sizeof list - n, "%s%s", i ? ", " : "", choices[i]);
    return json_fail(err, name, ": must be one of %s", list);
}

/* --- building replies ---------------------------------------------------- */

cJSON *json_error_body(const char *code, const char *message, const char *field)
{
    cJSON *root = json_mem(cJSON_CreateObject());
    cJSON *error = json_mem(cJSON_AddObjectToObject(root, "error"));
    json_mem(cJSON_AddStringToObject(error, "code", code));
    json_mem(cJSON_AddStringToObject(error, "message", message));
    if (field != NULL && field[0] != '\0')
        json_mem(cJSON_AddStringToObject(error, "field", field));
    return root;
}

char *json_print(const cJSON *item)
{
    return json_mem(cJSON_PrintUnformatted(item));
}

void json_add_int(cJSON *obj, const char *name, int64_t v)
{
    /* cJSON 1.7.15 prints a number of 10^15 or more with 15 significant
     * digits (its round-trip check is relative), so those go in as text. */
    if (v > -INT64_C(1000000000000000) && v < INT64_C(1000000000000000)) {
        json_mem(cJSON_AddNumberToObject(obj, name, (double)v));
    } else {
        char text[24];
        snprintf(text, sizeof text, "%lld", (long long)v);
        json_mem(cJSON_AddRawToObject(obj, name, text));
    }
}

void json_add_string_or_null(cJSON *obj, const char *name, const char *s)
{
    if (s == NULL)
        json_mem(cJSON_AddNullToObject(obj, name));
    else
        json_mem(cJSON_AddStringToObject(obj, name, s));
}

void json_add_instant(cJSON *obj, const char *name, int64_t t)
{
    char buf[CIVIL_RFC3339_SIZE];
    if (t == JSON_NO_INSTANT) {
        json_mem(cJSON_AddNullToObject(obj, name));
        return;
    }
    civil_format_rfc3339(t, buf);
    json_mem(cJSON_AddStringToObject(obj, name, buf));
}
