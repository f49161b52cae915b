/*
 * conf.c — the "key = value" reader (see conf.h for the format).
 *
 * conf_parse() walks the text a line at a time without copying it; only a
 * pair's key and value are copied, NUL-terminated, into one scratch buffer
 * of a line's size (a quoted value is unescaped there). The keys seen so far
 * are kept to refuse duplicates; files are a few dozen lines, so a linear
 * search is enough.
 */
#include "conf.h"

#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* Writes "NAME:LINE: what" into err; returns false. */
__attribute__((format(printf, 5, 6)))
static bool conf_fail(char *err, size_t err_size, const char *name, int line, const char *fmt, ...)
{
    if (err == NULL || err_size == 0)
        return false;
    int n = snprintf(err, err_size, "%s:%d: ", name, line);
    if (n >= 0 && (size_t)n < err_size) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err + n, err_size - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return false;
}

static bool conf_is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static bool conf_is_key_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

/* A bad key as it may be shown: non-ASCII bytes as '?', cut at 40. */
static void conf_show_key(char *out, size_t size, const char *key, size_t len)
{
    size_t o = 0;
    for (size_t i = 0; i < len && o + 1 < size && o < 40; i++)
        out[o++] = (unsigned char)key[i] < 0x80 ? key[i] : '?';
    out[o] = '\0';
}

struct conf_state {
    const char *name;
    conf_pair_fn *on_pair;
    void *ctx;
    char *err;
    size_t err_size;
    char *scratch;   /* CONF_LINE_MAX + 2 bytes: key NUL value NUL */
    char **keys;     /* keys seen so far */
    size_t nkeys, cap;
};

/* Unescapes the quoted value at v (v[0] == '"', len bytes, already trimmed)
 * into out. */
static bool conf_unquote(struct conf_state *st, int line, const char *v, size_t len, char *out)
{
    size_t o = 0;
    for (size_t i = 1; i < len; i++) {
        if (v[i] == '"') {
            if (i + 1 != len)
                return conf_fail(st->err, st->err_size, st->name, line,
                                 "text after the closing quote");
            out[o] = '\0';
            return true;
        }
        if (v[i] == '\\' && i + 1 < len) {
            i++;
            if (v[i] != '"' && v[i] != '\\')
                return conf_fail(st->err, st->err_size, st->name, line,
                                 "unknown escape in a quoted value (only \\\" and \\\\)");
        }
        out[o++] = v[i];
    }
    return conf_fail(st->err, st->err_size, st->name, line, "unterminated quote");
}

/* One line of n bytes (no newline, no control characters but tab). */
static bool conf_line(struct conf_state *st, int line, const char *s, size_t n)
{
    while (n > 0 && conf_is_blank(*s)) {
        s++;
        n--;
    }
    while (n > 0 && conf_is_blank(s[n - 1]))
        n--;
    if (n == 0 || s[0] == '#')
        return true;

    const char *eq = memchr(s, '=', n);
    if (eq == NULL || eq == s)
        return conf_fail(st->err, st->err_size, st->name, line, "expected key = value");
    size_t klen = (size_t)(eq - s);
    while (klen > 0 && conf_is_blank(s[klen - 1]))
        klen--;
    for (size_t i = 0; i < klen; i++) {
        if (!conf_is_key_char(s[i])) {
            char shown[48];
            conf_show_key(shown, sizeof shown, s, klen);
            return conf_fail(st->err, st->err_size, st->name, line,
                             "invalid key '%s': keys use a-z, 0-9, '_', '.' and '-'", shown);
        }
    }
    const char *v = eq + 1;
    size_t vlen = n - (size_t)(v - s);
    while (vlen > 0 && conf_is_blank(*v)) {
        v++;
        vlen--;
    }

    char *key = st->scratch, *value = st->scratch + klen + 1;
    memcpy(key, s, klen);
    key[klen] = '\0';
    if (vlen > 0 && v[0] == '"') {
        if (!conf_unquote(st, line, v, vlen, value))
            return false;
    } else {
        memcpy(value, v, vlen);
        value[vlen] = '\0';
    }

    for (size_t i = 0; i < st->nkeys; i++)
        if (strcmp(st->keys[i], key) == 0)
            return conf_fail(st->err, st->err_size, st->name, line, "duplicate key '%s'", key);
    if (st->nkeys == st->cap) {
        st->cap = st->cap ? st->cap * 2 : 16;
        st->keys = xrealloc(st->keys, st->cap * sizeof *st->keys);
    }
    st->keys[st->nkeys++] = xstrdup(key);

    if (st->on_pair != NULL) {
        char msg[256] = "";
        if (!st->on_pair(st->ctx, key, value, line, msg, sizeof msg)) {
            if (msg[0] == '\0')
                return conf_fail(st->err, st->err_size, st->name, line, "invalid value for '%s'",
                                 key);
            return conf_fail(st->err, st->err_size, st->name, line, "%s", msg);
        }
    }
    return true;
}

bool conf_parse(const char *name, const char *text, size_t len, conf_pair_fn *on_pair, void *ctx,
                char *err, size_t err_size)
{
    struct conf_state st = {
        .name = name, .on_pair = on_pair, .ctx = ctx, .err = err, .err_size = err_size,
        .scratch = xmalloc(CONF_LINE_MAX + 2),
    };
    bool ok = true;
    size_t pos = 0;
    int line = 0;
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        pos = 3;
    while (ok && pos < len) {
        const char *s = text + pos;
        const char *nl = memchr(s, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - s) : len - pos;
        pos += n + (nl != NULL);
        line++;
        if (n > 0 && s[n - 1] == '\r')
            n--;
        if (n > CONF_LINE_MAX) {
            ok = conf_fail(err, err_size, name, line, "line longer than %d bytes", CONF_LINE_MAX);
            break;
        }
        for (size_t i = 0; i < n && ok; i++) {
            unsigned char c = (unsigned char)s[i];
            if (c == '\0')
                ok = conf_fail(err, err_size, name, line, "contains a NUL byte");
            else if ((c < 0x20 && c != '\t') || c == 0x7f)
                ok = conf_fail(err, err_size, name, line, "contains a control character");
        }
        if (ok)
            ok = conf_line(&st, line, s, n);
    }
    for (size_t i = 0; i < st.nkeys; i++)
        free(st.keys[i]);
    free(st.keys);
    free(st.scratch);
    return ok;
}

bool conf_parse_file(const char *path, conf_pair_fn *on_pair, void *ctx, char *err,
                     size_t err_size)
{
    bool ok = false;
    char *text = NULL, ebuf[128];
    size_t len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        goto fail_errno;
    text = xmalloc(CONF_FILE_MAX + 1);
    for (;;) {
        ssize_t n = read(fd, text + len, CONF_FILE_MAX + 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            goto fail_errno;
        if (n == 0)
            break;
        len += (size_t)n;
        if (len > CONF_FILE_MAX) {
            if (err && err_size)
                snprintf(err, err_size, "%s: larger than %d bytes", path, CONF_FILE_MAX);
            goto out;
        }
    }
    ok = conf_parse(path, text, len, on_pair, ctx, err, err_size);
    goto out;
fail_errno:
    if (err && err_size)
        snprintf(err, err_size, "%s: %s", path, strerror_r(errno, ebuf, sizeof ebuf));
out:
    if (fd >= 0)
        close(fd);
    free(text);
    return ok;
}

bool conf_parse_bool(const char *value, bool *out, const char **why)
{
    static const char *const yes[] = {"yes", "true", "on", "1"};
    static const char *const no[] = {"no", "false", "off", "0"};
    for (size_t i = 0; value && i < sizeof yes / sizeof yes[0]; i++) {
        if (strcasecmp(value, yes[i]) == 0) {
            *out = true;
            return true;
        }
        if (strcasecmp(value, no[i]) == 0) {
            *out = false;
            return true;
        }
    }
    if (why)
        *why = "expected yes or no (or true/false, on/off, 1/0)";
    return false;
}

bool conf_parse_int(const char *value, int64_t min, int64_t max, int64_t *out, const char **why)
{
    const char *p = value ? value : "";
    if (*p == '+' || *p == '-')
        p++;
    if (*p < '0' || *p > '9') {
        if (why)
            *why = "not an integer";
        return false;
    }
    errno = 0;
    char *end;
    long long v = strtoll(value, &end, 10);
    if (*end != '\0') {
        if (why)
            *why = "not an integer";
        return false;
    }
    if (errno == ERANGE || v < min || v > max) {
        if (why)
            *why = "out of range";
        return false;
    }
    *out = v;
    return true;
}
