/*
 * fuzz_conf.c — conf_parse() on arbitrary bytes with a callback that takes
 * every pair: no crash, no leak, and every pair handed over keeps the
 * promises of conf.h (a well-formed key, line numbers that only grow, no
 * control character but tab in a value, an error that names the line).
 */
#include "conf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool cond)
{
    if (!cond)
        abort();
}

static bool fuzz_pair(void *ctx, const char *key, const char *value, int line, char *err,
                      size_t err_size)
{
    int *last = ctx;
    bool b;
    int64_t v;
    (void)err;
    (void)err_size;
    check(line > *last);
    *last = line;
    check(key[0] != '\0' && strspn(key, "abcdefghijklmnopqrstuvwxyz0123456789_.-") == strlen(key));
    for (const unsigned char *p = (const unsigned char *)value; *p; p++)
        check(*p >= 0x20 || *p == '\t');
    check(strlen(key) + strlen(value) <= CONF_LINE_MAX);
    conf_parse_bool(value, &b, NULL);
    conf_parse_int(value, -1000, 1000, &v, NULL);
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[256];
    int last = 0;
    if (!conf_parse("fuzz.conf", (const char *)data, size, fuzz_pair, &last, err, sizeof err))
        check(strncmp(err, "fuzz.conf:", 10) == 0);
    return 0;
}
