/*
 * serve_config.c — keys of cbd.conf and their flags (see serve_config.h).
 * One table lists every key with its help text; file, flags and --help all
 * read it.
 */
#include "serve_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "xalloc.h"

struct serve_key {
    const char *key;
    const char *arg; /* NULL for a boolean flag */
    const char *help;
};

static const struct serve_key serve_keys[] = {
    {"db", "PATH", "the SQLite database (required; create it with cbd init)"},
    {"listen", "HOST:PORT", "address to listen on (default 127.0.0.1:8080; port 0 picks one)"},
    {"tls-cert", "PATH", "PEM certificate: serve HTTPS (with tls-key)"},
    {"tls-key", "PATH", "PEM private key for tls-cert"},
    {"threads", "N", "HTTP threads (default: one per core)"},
    {"workers", "N", "password-hashing threads (default 2)"},
    {"durability", "full|normal", "full: every write survives power loss (default); "
                                  "normal: survives a crash of cbd, not of the machine"},
    {"log-level", "LEVEL", "debug, info (default), warn or error"},
    {"grace-s", "SECONDS", "an agent without an event stream this long is logged out, and "
                           "what they hold goes back (default 30)"},
    {"event-ring", "N", "live events kept for clients that reconnect with Last-Event-ID "
                        "(default 65536)"},
    {"test-clock", NULL, "allow tests to move time forward (POST /api/v1/test/clock); "
                         "never in production"},
};

void serve_config_defaults(struct serve_config *c)
{
    memset(c, 0, sizeof *c);
    c->listen = xstrdup("127.0.0.1:8080");
    c->workers = 2;
    c->durability = STORE_DURABILITY_FULL;
    c->log_level = LOG_LEVEL_INFO;
    c->grace_s = 30;
    c->event_ring = 65536;
}

void serve_config_clear(struct serve_config *c)
{
    free(c->db);
    free(c->listen);
    free(c->tls_cert);
    free(c->tls_key);
    memset(c, 0, sizeof *c);
}

static void serve_config_str(char **slot, const char *value)
{
    free(*slot);
    *slot = xstrdup(value);
}

bool serve_config_set(struct serve_config *c, const char *key, const char *value, char *err,
                      size_t err_size)
{
    const char *why = NULL;
    int64_t n;
    if (strcmp(key, "db") == 0 || strcmp(key, "listen") == 0 || strcmp(key, "tls-cert") == 0 ||
        strcmp(key, "tls-key") == 0) {
        if (value[0] == '\0') {
            snprintf(err, err_size, "%s: must not be empty", key);
            return false;
        }
        char **slot = key[0] == 'd' ? &c->db : key[0] == 'l' ? &c->listen
                    : strcmp(key, "tls-cert") == 0 ? &c->tls_cert : &c->tls_key;
        serve_config_str(slot, value);
        return true;
    }
    if (strcmp(key, "threads") == 0 || strcmp(key, "workers") == 0) {
        if (!conf_parse_int(value, strcmp(key, "threads") == 0 ? 0 : 1, 64, &n, &why)) {
            snprintf(err, err_size, "%s: %s", key, why);
            return false;
        }
        *(strcmp(key, "threads") == 0 ? &c->threads : &c->workers) = (int)n;
        return true;
    }
    if (strcmp(key, "grace-s") == 0) {
        if (!conf_parse_int(value, 1, 3600, &n, &why)) {
            snprintf(err, err_size, "%s: %s", key, why);
            return false;
        }
        c->grace_s = (int)n;
        return true;
    }
    if (strcmp(key, "event-ring") == 0) {
        if (!conf_parse_int(value, 16, 16 * 1024 * 1024, &n, &why)) {
            snprintf(err, err_size, "%s: %s", key, why);
            return false;
        }
        c->event_ring = (int)n;
        return true;
    }
    if (strcmp(key, "durability") == 0) {
        if (strcmp(value, "full") == 0)
            c->durability = STORE_DURABILITY_FULL;
        else if (strcmp(value, "normal") == 0)
            c->durability = STORE_DURABILITY_NORMAL;
        else {
            snprintf(err, err_size, "durability: must be full or normal");
            return false;
        }
        return true;
    }
    if (strcmp(key, "log-level") == 0) {
        if (!log_level_parse(value, &c->log_level)) {
            snprintf(err, err_size, "log-level: must be debug, info, warn or error");
            return false;
        }
        return true;
    }
    if (strcmp(key, "test-clock") == 0) {
        if (!conf_parse_bool(value, &c->test_clock, &why)) {
            snprintf(err, err_size, "test-clock: %s", why);
            return false;
        }
        return true;
    }
    snprintf(err, err_size, "unknown key '%s'", key);
    return false;
}

static bool serve_config_pair(void *ctx, const char *key, const char *value, int line, char *err,
                              size_t err_size)
{
    (void)line;
    return serve_config_set(ctx, key, value, err, err_size);
}

bool serve_config_file(struct serve_config *c, const char *path, char *err, size_t err_size)
{
    return conf_parse_file(path, serve_config_pair, c, err, err_size);
}

bool serve_config_is_flag(const char *key)
{
    for (size_t i = 0; i < sizeof serve_keys / sizeof serve_keys[0]; i++)
        if (strcmp(serve_keys[i].key, key) == 0)
            return serve_keys[i].arg == NULL;
    return false;
}

void serve_config_usage(FILE *out)
{
    for (size_t i = 0; i < sizeof serve_keys / sizeof serve_keys[0]; i++) {
        char left[48];
        snprintf(left, sizeof left, "--%s%s%s", serve_keys[i].key, serve_keys[i].arg ? " " : "",
                 serve_keys[i].arg ? serve_keys[i].arg : "");
        fprintf(out, "  %-26s %s\n", left, serve_keys[i].help);
    }
}
