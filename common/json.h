/*
 * json.h — request bodies in, replies out: checked access to cJSON trees.
 *
 * Reading. json_parse_body() turns a request body into a root object; the
 * typed getters then read one member each and either store it or fill a
 * struct json_error naming the field, in the API's words ("remark: longer
 * than 500 characters"). Every getter follows the same rule:
 *
 *   - present and valid            → stores into *out, returns true;
 *   - absent or null, JSON_OPTIONAL → leaves *out untouched, returns true
 *                                     (so a caller presets the default);
 *   - absent or null, JSON_REQUIRED → "NAME: missing", returns false;
 *   - otherwise                     → a message, returns false, *out untouched.
 *
 * A caller that must tell "absent" from "given" (a PATCH) asks json_has()
 * first; json_is_null() tells an explicit null from an absent member. Member
 * names are case-sensitive. Numbers are doubles in cJSON: an integer is
 * accepted when the double is integral and within ±(2^53 - 1), so every
 * accepted integer is the one the client wrote ("1.0" counts as 1; 2^53 + 1,
 * which a double cannot hold, is refused rather than rounded).
 *
 * Strings handed out point into the tree and live as long as it does.
 *
 * Writing. json_error_body() builds the API's error body, json_print() the
 * text of a reply; the json_add_* helpers add members that cJSON has no
 * direct form for (64-bit integers, nullable strings, instants).
 *
 * Thread-safe as far as cJSON is: a tree belongs to one thread at a time.
 * (cJSON records the position of a parse error in a global on its own; it
 * is never read here, the position comes from the parse call itself.)
 */
#ifndef CB_JSON_H
#define CB_JSON_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest magnitude of an integer read from or written to JSON: 2^53 - 1. */
#define JSON_INT_LIMIT INT64_C(9007199254740991)
/* Bodies nested deeper than this are refused before cJSON sees them. */
#define JSON_MAX_DEPTH 64
/* json_add_instant() writes null for this instant. */
#define JSON_NO_INSTANT INT64_MIN

/* A field-level error: field is the member the client sent ("" for the body
 * as a whole) and message the full sentence, "field: what is wrong". */
struct json_error {
    char field[64];
    char message[200];
};

enum json_need { JSON_OPTIONAL, JSON_REQUIRED };

/* Flags of json_get_string(). */
enum json_string_flag {
    JSON_ALLOW_EMPTY = 1u << 0, /* "" is a value, not "must not be empty" */
    JSON_SINGLE_LINE = 1u << 1, /* also refuse tab, CR and LF */
};

/*
 * Parses a request body of len bytes (need not be NUL-terminated). Returns
 * the root object, which the caller frees with cJSON_Delete(), or NULL with
 * err filled: "body: empty", "body: malformed JSON at byte N (a control
 * character)" and the like (N counts from 0; "near byte N" where cJSON
 * found the fault, its position being approximate), "body: nested deeper
 * than 64 levels", "body: must be a JSON object" — all with err->field ""
 * — or "NAME: duplicate field" with err->field NAME. Stricter than cJSON
 * alone: raw control characters, \u0000, numbers outside RFC 8259's grammar
 * ("01", "1.") and duplicate member names are refused.
 */
cJSON *json_parse_body(const char *data, size_t len, struct json_error *err);

/* Refuses the first member of obj not in allowed (a NULL-terminated list):
 * "colour: unknown field". True when obj is not an object. */
bool json_check_known(const cJSON *obj, const char *const *allowed, struct json_error *err);

/* True when obj has the member and it is not null. */
bool json_has(const cJSON *obj, const char *name);
/* True when obj has the member and it is null. */
bool json_is_null(const cJSON *obj, const char *name);

/*
 * A string of at most max_chars characters (UTF-8 code points; 0 = no
 * limit), valid UTF-8, without control characters other than tab, CR and LF
 * (none at all with JSON_SINGLE_LINE), not empty unless JSON_ALLOW_EMPTY.
 * *out points into the tree.
 */
bool json_get_string(const cJSON *obj, const char *name, enum json_need need, size_t max_chars,
                     unsigned flags, const char **out, struct json_error *err);
/* An integer from min to max (clamped to ±JSON_INT_LIMIT). */
bool json_get_int(const cJSON *obj, const char *name, enum json_need need, int64_t min,
                  int64_t max, int64_t *out, struct json_error *err);
bool json_get_bool(const cJSON *obj, const char *name, enum json_need need, bool *out,
                   struct json_error *err);
/* A row id: an integer from 1 to JSON_INT_LIMIT. */
bool json_get_id(const cJSON *obj, const char *name, enum json_need need, int64_t *out,
                 struct json_error *err);
/* A member that is an object / an array; *out points into the tree. */
bool json_get_object(const cJSON *obj, const char *name, enum json_need need, const cJSON **out,
                     struct json_error *err);
bool json_get_array(const cJSON *obj, const char *name, enum json_need need, const cJSON **out,
                    struct json_error *err);
/* An array of min_count..max_count integers, each from min to max, copied
 * into out (room for max_count) with *count set. */
bool json_get_int_array(const cJSON *obj, const char *name, enum json_need need, size_t min_count,
                        size_t max_count, int64_t min, int64_t max, int64_t *out, size_t *count,
                        struct json_error *err);
/* An object whose keys are non-empty and whose values are all strings (as
 * json_get_string() with JSON_ALLOW_EMPTY), at most max_bytes long printed
 * compactly. *out points into the tree. */
bool json_get_string_map(const cJSON *obj, const char *name, enum json_need need, size_t max_bytes,
                         const cJSON **out, struct json_error *err);
/* An RFC 3339 instant string ("2026-11-22T14:30:00Z", or with an offset),
 * as seconds since the epoch. */
bool json_get_instant(const cJSON *obj, const char *name, enum json_need need, int64_t *out,
                      struct json_error *err);
/* A string that is one of choices (NULL-terminated); *out is its index.
 * "routing: must be one of agent, team". */
bool json_get_choice(const cJSON *obj, const char *name, enum json_need need,
                     const char *const *choices, int *out, struct json_error *err);

/* Fills err: field (made printable and cut to fit) and the message
 * "field: " + what printf makes of fmt. With field NULL or "" the message is
 * just fmt's and err->field is "" (the body as a whole). */
void json_error_set(struct json_error *err, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* For a member of a nested object: turns "date: missing" (field "date")
 * into "reschedule.date: missing" (field "reschedule.date"). */
void json_error_prefix(struct json_error *err, const char *prefix);

/* {"error": {"code": code, "message": message, "field": field}}, field left
 * out when NULL or "". The caller frees the tree with cJSON_Delete(). */
cJSON *json_error_body(const char *code, const char *message, const char *field);
/* The compact text of item; the caller frees it with free(). Never NULL. */
char *json_print(const cJSON *item);
/* Adds name: v as a number, printed exactly. (From 10^15 up it is a raw
 * item, not cJSON_Number, as cJSON would print it rounded.) */
void json_add_int(cJSON *obj, const char *name, int64_t v);
/* Adds name: s, or name: null when s is NULL. s is copied. */
void json_add_string_or_null(cJSON *obj, const char *name, const char *s);
/* Adds name: "2026-11-22T14:30:00Z", or null when t is JSON_NO_INSTANT. */
void json_add_instant(cJSON *obj, const char *name, int64_t t);

#endif
