/*
 * conf.h — "key = value" configuration files (cbd.conf, client.conf).
 *
 * The format, line by line (LF or CRLF; a UTF-8 byte order mark at the
 * start is skipped):
 *
 *   - blank lines, and lines whose first non-blank character is '#', are
 *     ignored. There are no comments after a value: "name = a # b" has the
 *     value "a # b", so values may hold '#';
 *   - otherwise "key = value", spaces and tabs around both trimmed. Keys are
 *     [a-z0-9_.-]+ and appear once per file. The value may be empty;
 *   - a value that starts with '"' is quoted: it runs to the next unescaped
 *     '"', keeps its spaces, and knows two escapes, \" and \\. Nothing but
 *     blanks may follow the closing quote. An unquoted value is taken as
 *     written, quotes inside it included;
 *   - a line holds at most CONF_LINE_MAX bytes and no control characters
 *     other than tab (a NUL byte included).
 *
 * Errors read "NAME:LINE: what", e.g. "cbd.conf:7: expected key = value".
 * This reader knows no key: the caller's on_pair callback does, and its
 * refusals get the same "NAME:LINE: " prefix.
 */
#ifndef CB_CONF_H
#define CB_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONF_LINE_MAX 4096
/* conf_parse_file() refuses files larger than this. */
#define CONF_FILE_MAX (1024 * 1024)

/*
 * Called once per pair, in file order. key and value are NUL-terminated and
 * live only during the call. To refuse the pair, write a message into err
 * (err_size bytes; "unknown key 'colour'", no prefix) and return false:
 * parsing stops there.
 */
typedef bool conf_pair_fn(void *ctx, const char *key, const char *value, int line, char *err,
                          size_t err_size);

/* Parses len bytes of text, name being the file's name for messages. True
 * when every line was good and on_pair took every pair; otherwise false with
 * the first error in err. */
bool conf_parse(const char *name, const char *text, size_t len, conf_pair_fn *on_pair, void *ctx,
                char *err, size_t err_size);

/* Reads the file at path and parses it with path as its name. An unreadable
 * file gives "PATH: No such file or directory" (the strerror text). */
bool conf_parse_file(const char *path, conf_pair_fn *on_pair, void *ctx, char *err,
                     size_t err_size);

/* Value helpers for callbacks; on failure *why (static) says what is wrong. */
/* yes/no, true/false, on/off, 1/0. */
bool conf_parse_bool(const char *value, bool *out, const char **why);
/* A decimal integer from min to max, optionally signed, nothing around it. */
bool conf_parse_int(const char *value, int64_t min, int64_t max, int64_t *out, const char **why);

#endif
