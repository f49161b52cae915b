/*
 * test_conf.c — the key = value reader: a good file with every feature,
 * each error with its line number, callback refusals, the value helpers,
 * and files that cannot be read.
 */
#include "conf.h"
#include "tap.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Collects "key=[value]@line;" for every pair. */
struct collect {
    char out[4096];
    int calls;
};

static bool collect_pair(void *ctx, const char *key, const char *value, int line, char *err,
                         size_t err_size)
{
    struct collect *c = ctx;
    size_t n = strlen(c->out);
    snprintf(c->out + n, sizeof c->out - n, "%s=[%s]@%d;", key, value, line);
    c->calls++;
    (void)err;
    (void)err_size;
    return true;
}

/* Knows listen, db, max_attempts (1-100) and debug (bool); refuses others. */
static bool strict_pair(void *ctx, const char *key, const char *value, int line, char *err,
                        size_t err_size)
{
    const char *why = NULL;
    int64_t v;
    bool b;
    (void)ctx;
    (void)line;
    if (strcmp(key, "listen") == 0 || strcmp(key, "db") == 0)
        return true;
    if (strcmp(key, "max_attempts") == 0) {
        if (conf_parse_int(value, 1, 100, &v, &why))
            return true;
        snprintf(err, err_size, "max_attempts: %s (1 to 100)", why);
        return false;
    }
    if (strcmp(key, "debug") == 0) {
        if (conf_parse_bool(value, &b, &why))
            return true;
        snprintf(err, err_size, "debug: %s", why);
        return false;
    }
    if (strcmp(key, "silent") == 0)
        return false; /* refuses without a message */
    snprintf(err, err_size, "unknown key '%s'", key);
    return false;
}

static void good_file(const char *text, size_t len, const char *want, const char *what)
{
    struct collect c = {"", 0};
    char err[256] = "";
    bool ok = conf_parse("cbd.conf", text, len, collect_pair, &c, err, sizeof err);
    tap_ok(ok, "%s: accepted%s%s", what, ok ? "" : " - ", err);
    tap_is_str(c.out, want, "  pairs of %s", what);
}

static void bad_file(const char *text, size_t len, conf_pair_fn *fn, const char *want)
{
    struct collect c = {"", 0};
    char err[256] = "";
    bool ok = conf_parse("cbd.conf", text, len, fn ? fn : collect_pair, &c, err, sizeof err);
    tap_ok(!ok, "refused: %s", want);
    tap_is_str(err, want, "  message");
}

static void test_good(void)
{
    const char *text = "# cbd.conf\n"
                       "\n"
                       "listen = 127.0.0.1:8080\n"
                       "   db=/var/lib/cbd/cbd.db   \n"
                       "\t# an indented comment\n"
                       "name = \"  spaced out  \"\n"
                       "quote = \"say \\\"hi\\\" \\\\ bye\"\n"
                       "hash = a # not a comment\n"
                       "empty =\n"
                       "empty_quoted = \"\"\n"
                       "inner = a \"b\" c\n"
                       "eq = a=b=c\n"
                       "utf8 = caf\xc3\xa9\n"
                       "log.level-2_x = debug\n"
                       "tabbed\t=\tvalue\twith\ttabs\t\n"
                       "last = no newline at the end";
    good_file(text, strlen(text),
              "listen=[127.0.0.1:8080]@3;db=[/var/lib/cbd/cbd.db]@4;name=[  spaced out  ]@6;"
              "quote=[say \"hi\" \\ bye]@7;hash=[a # not a comment]@8;empty=[]@9;"
              "empty_quoted=[]@10;inner=[a \"b\" c]@11;eq=[a=b=c]@12;utf8=[caf\xc3\xa9]@13;"
              "log.level-2_x=[debug]@14;tabbed=[value\twith\ttabs]@15;"
              "last=[no newline at the end]@16;",
              "every feature");
    const char *crlf = "a = 1\r\nb = \"x y\"\r\n\r\nc = 3\r\n";
    good_file(crlf, strlen(crlf), "a=[1]@1;b=[x y]@2;c=[3]@4;", "CRLF line ends");
    const char *bom = "\xef\xbb\xbfkey = v\n";
    good_file(bom, strlen(bom), "key=[v]@1;", "a byte order mark");
    good_file("", 0, "", "an empty file");
    good_file(NULL, 0, "", "no text at all");
    good_file("\n\n# only comments\n   \n", 21, "", "only comments and blanks");
    /* Only len bytes count. */
    good_file("a = 1\nb = 2", 5, "a=[1]@1;", "text cut by len");
    char err[64];
    tap_ok(conf_parse("x", "a = 1\n", 6, NULL, NULL, err, sizeof err), "no callback: syntax only");
}

static void test_errors(void)
{
    bad_file("listen = x\njust words\n", 22, NULL, "cbd.conf:2: expected key = value");
    bad_file("a = 1\n\n\n= value\n", 16, NULL, "cbd.conf:4: expected key = value");
    bad_file("\"listen\" = x\n", 13, NULL,
             "cbd.conf:1: invalid key '\"listen\"': keys use a-z, 0-9, '_', '.' and '-'");
    bad_file("Listen = x\n", 11, NULL,
             "cbd.conf:1: invalid key 'Listen': keys use a-z, 0-9, '_', '.' and '-'");
    bad_file("my key = x\n", 11, NULL,
             "cbd.conf:1: invalid key 'my key': keys use a-z, 0-9, '_', '.' and '-'");
    bad_file("caf\xc3\xa9 = x\n", 11, NULL,
             "cbd.conf:1: invalid key 'caf?" "?': keys use a-z, 0-9, '_', '.' and '-'");
    bad_file("a = 1\nb = 2\nname = \"open\n", 25, NULL, "cbd.conf:3: unterminated quote");
    bad_file("name = \"ends in escape\\\"\n", 25, NULL, "cbd.conf:1: unterminated quote");
    bad_file("name = \"x\" y\n", 13, NULL, "cbd.conf:1: text after the closing quote");
    bad_file("name = \"a\\nb\"\n", 14, NULL,
             "cbd.conf:1: unknown escape in a quoted value (only \\\" and \\\\)");
    const char *dup = "listen = a\ndb = b\n# c\n\nx = 1\ny = 2\nz = 3\nw = 4\nlisten = c\n";
    bad_file(dup, strlen(dup), NULL, "cbd.conf:9: duplicate key 'listen'");
    bad_file("a = 1\nb = x\0y\n", 13, NULL, "cbd.conf:2: contains a NUL byte");
    bad_file("\0", 1, NULL, "cbd.conf:1: contains a NUL byte");
    bad_file("a = 1\nb = \x1b[31m\n", 16, NULL, "cbd.conf:2: contains a control character");
    bad_file("a = 1\rb = 2\n", 12, NULL, "cbd.conf:1: contains a control character");

}

static void test_callback(void)
{
    const char *text = "listen = 127.0.0.1:0\nmax_attempts = 3\ndebug = yes\n";
    char err[256] = "";
    tap_ok(conf_parse("cbd.conf", text, strlen(text), strict_pair, NULL, err, sizeof err),
           "known keys accepted by the callback");
    bad_file("listen = x\ncolour = red\n", 24, strict_pair, "cbd.conf:2: unknown key 'colour'");
    bad_file("\n\nmax_attempts = 0\n", 19, strict_pair,
             "cbd.conf:3: max_attempts: out of range (1 to 100)");
    bad_file("max_attempts = three\n", 21, strict_pair,
             "cbd.conf:1: max_attempts: not an integer (1 to 100)");
    bad_file("debug = maybe\n", 14, strict_pair,
             "cbd.conf:1: debug: expected yes or no (or true/false, on/off, 1/0)");
    bad_file("silent = 1\n", 11, strict_pair, "cbd.conf:1: invalid value for 'silent'");

    /* Parsing stops at the first refusal: later lines are not seen. */
    struct collect c = {"", 0};
    conf_parse("cbd.conf", "a = 1\nb\nc = 3\n", 14, collect_pair, &c, err, sizeof err);
    tap_is_int(c.calls, 1, "nothing after an error reaches the callback");
    /* A small err buffer is cut, not overrun; a NULL one is allowed. */
    char small[12];
    conf_parse("cbd.conf", "oops\n", 5, NULL, NULL, small, sizeof small);
    tap_is_str(small, "cbd.conf:1:", "message cut to the buffer");
    tap_ok(!conf_parse("cbd.conf", "oops\n", 5, NULL, NULL, NULL, 0), "NULL err buffer");
}

/* Line length: CONF_LINE_MAX bytes pass (CR not counted), one more does not. */
static void test_long_line(void)
{
    char *text = malloc(CONF_LINE_MAX + 32), err[256] = "";
    size_t n = (size_t)sprintf(text, "ok = 1\nk = ");
    memset(text + n, 'v', CONF_LINE_MAX - 4);
    n += CONF_LINE_MAX - 4;
    memcpy(text + n, "\r\n", 2);
    struct collect c = {"", 0};
    tap_ok(conf_parse("cbd.conf", text, n + 2, collect_pair, &c, err, sizeof err) && c.calls == 2,
           "a line of exactly %d bytes", CONF_LINE_MAX);
    text[n] = 'v';
    text[n + 1] = '\n';
    bad_file(text, n + 2, NULL, "cbd.conf:2: line longer than 4096 bytes");
    free(text);
}

static void test_values(void)
{
    static const struct { const char *s; bool v; } bools[] = {
        {"yes", true}, {"true", true}, {"on", true}, {"1", true}, {"YES", true},
        {"no", false}, {"false", false}, {"off", false}, {"0", false}, {"Off", false},
    };
    for (size_t i = 0; i < sizeof bools / sizeof bools[0]; i++) {
        bool b = !bools[i].v;
        tap_ok(conf_parse_bool(bools[i].s, &b, NULL) && b == bools[i].v, "bool '%s'", bools[i].s);
    }
    const char *bad_bools[] = {"", "y", "2", "yes ", "enabled"};
    for (size_t i = 0; i < sizeof bad_bools / sizeof bad_bools[0]; i++) {
        bool b;
        const char *why = NULL;
        tap_ok(!conf_parse_bool(bad_bools[i], &b, &why) && why != NULL, "bool '%s' refused",
               bad_bools[i]);
    }
    int64_t v = 0;
    const char *why = NULL;
    tap_ok(conf_parse_int("42", 0, 100, &v, &why) && v == 42, "int 42");
    tap_ok(conf_parse_int("-5", -10, 10, &v, &why) && v == -5, "int -5");
    tap_ok(conf_parse_int("+7", 0, 10, &v, &why) && v == 7, "int +7");
    tap_ok(conf_parse_int("9223372036854775807", 0, INT64_MAX, &v, &why) && v == INT64_MAX,
           "int INT64_MAX");
    static const struct { const char *s, *why; } bad_ints[] = {
        {"", "not an integer"},   {" 5", "not an integer"}, {"5 ", "not an integer"},
        {"0x10", "not an integer"}, {"1e3", "not an integer"}, {"-", "not an integer"},
        {"+-5", "not an integer"}, {"101", "out of range"},  {"-1", "out of range"},
        {"99999999999999999999", "out of range"},
    };
    for (size_t i = 0; i < sizeof bad_ints / sizeof bad_ints[0]; i++) {
        why = NULL;
        tap_ok(!conf_parse_int(bad_ints[i].s, 0, 100, &v, &why) && why &&
                   strcmp(why, bad_ints[i].why) == 0, "int '%s' refused: %s", bad_ints[i].s,
               bad_ints[i].why);
    }
}

static void test_file(void)
{
    char path[] = "/tmp/test_conf_XXXXXX";
    int fd = mkstemp(path);
    const char *text = "listen = 127.0.0.1:0\nbogus line\n";
    if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
        tap_diag("short write");
    close(fd);
    char err[512] = "";
    struct collect c = {"", 0};
    tap_ok(!conf_parse_file(path, collect_pair, &c, err, sizeof err), "file with an error refused");
    char want[512];
    snprintf(want, sizeof want, "%s:2: expected key = value", path);
    tap_is_str(err, want, "  message names the path and line");
    tap_is_str(c.out, "listen=[127.0.0.1:0]@1;", "  the good line before it was seen");

    fd = open(path, O_WRONLY | O_TRUNC);
    text = "listen = 127.0.0.1:0\n";
    if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
        tap_diag("short write");
    close(fd);
    tap_ok(conf_parse_file(path, NULL, NULL, err, sizeof err), "good file accepted");
    unlink(path);

    tap_ok(!conf_parse_file("/nonexistent/cbd.conf", NULL, NULL, err, sizeof err), "missing file");
    tap_is_str(err, "/nonexistent/cbd.conf: No such file or directory", "  message");
    tap_ok(!conf_parse_file("/tmp", NULL, NULL, err, sizeof err), "a directory");
    tap_is_str(err, "/tmp: Is a directory", "  message");
}

int main(void)
{
    test_good();
    test_errors();
    test_callback();
    test_long_line();
    test_values();
    test_file();
    return tap_done();
}
