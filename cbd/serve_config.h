/*
 * serve_config.h — the settings of `cbd serve`: read from cbd.conf
 * (--config PATH) and then from flags, every key being also a flag
 * ("listen = 127.0.0.1:8080" or --listen 127.0.0.1:8080). Strings in the
 * struct are owned by it and freed by serve_config_clear().
 */
#ifndef CBD_SERVE_CONFIG_H
#define CBD_SERVE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "log.h"
#include "store.h"

struct serve_config {
    char *db;
    char *listen;
    char *tls_cert;
    char *tls_key;
    int threads;
    int workers;
    enum store_durability durability;
    enum log_level log_level;
    bool test_clock;
    int grace_s;
    int event_ring; /* live events kept for Last-Event-ID (events.c) */
};

void serve_config_defaults(struct serve_config *c);
void serve_config_clear(struct serve_config *c);
/* Applies cbd.conf at path; false with "path:line: message" in err. */
bool serve_config_file(struct serve_config *c, const char *path, char *err, size_t err_size);
/* Applies one setting by key ("listen", "durability", …); false with a
 * message in err naming the key. */
bool serve_config_set(struct serve_config *c, const char *key, const char *value, char *err,
                      size_t err_size);
/* True when the key takes no value as a flag (a boolean). */
bool serve_config_is_flag(const char *key);
/* Writes the keys and their meaning, for --help. */
void serve_config_usage(FILE *out);

#endif
