/*
 * clientconf.c — the console configuration sources of clientconf.h, read
 * with the common key = value reader (conf.h).
 */
#include "clientconf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "conf.h"

bool clientconf_server_ok(const char *s, const char **why)
{
    const char *host = NULL;
    if (strncmp(s, "http://", 7) == 0)
        host = s + 7;
    else if (strncmp(s, "https://", 8) == 0)
        host = s + 8;
    if (host == NULL) {
        *why = "not an http:// or https:// URL";
        return false;
    }
    if (host[0] == '\0' || host[0] == '/' || host[0] == ':') {
        *why = "the URL names no host";
        return false;
    }
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == 0x7f) {
            *why = "the URL holds a space or control character";
            return false;
        }
    return true;
}

static bool clientconf_set(char *dst, size_t size, const char *value, const char *what, char *err,
                           size_t err_size)
{
    if (dst[0] != '\0')
        return true; /* an earlier source won */
    if (strlen(value) >= size) {
        snprintf(err, err_size, "%s: too long (at most %zu bytes)", what, size - 1);
        return false;
    }
    memcpy(dst, value, strlen(value) + 1);
    return true;
}

static bool clientconf_pair(void *ctx, const char *key, const char *value, int line, char *err,
                            size_t err_size)
{
    struct clientconf *c = ctx;
    (void)line;
    if (strcmp(key, "server") == 0)
        return clientconf_set(c->server, sizeof c->server, value, "server", err, err_size);
    if (strcmp(key, "user") == 0)
        return clientconf_set(c->user, sizeof c->user, value, "user", err, err_size);
    if (strcmp(key, "password") == 0)
        return clientconf_set(c->password, sizeof c->password, value, "password", err, err_size);
    snprintf(err, err_size, "unknown key '%s' (known: server, user, password)", key);
    return false;
}

bool clientconf_resolve(struct clientconf *c, char *err, size_t err_size)
{
    static const struct {
        const char *env;
        size_t off, size;
    } envs[] = {
        {"CB_SERVER", offsetof(struct clientconf, server), sizeof c->server},
        {"CB_USER", offsetof(struct clientconf, user), sizeof c->user},
        {"CB_PASSWORD", offsetof(struct clientconf, password), sizeof c->password},
    };
    err[0] = '\0';
    for (size_t i = 0; i < sizeof envs / sizeof envs[0]; i++) {
        const char *v = getenv(envs[i].env);
        if (v && v[0] && !clientconf_set((char *)c + envs[i].off, envs[i].size, v, envs[i].env, err, err_size))
            return false;
    }
    const char *xdg = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");
    c->path[0] = '\0';
    if (xdg && xdg[0])
        snprintf(c->path, sizeof c->path, "%s/cb/client.conf", xdg);
    else if (home && home[0])
        snprintf(c->path, sizeof c->path, "%s/.config/cb/client.conf", home);
    struct stat sb;
    if (c->path[0] && stat(c->path, &sb) == 0) {
        if (!conf_parse_file(c->path, clientconf_pair, c, err, err_size))
            return false;
    } else {
        c->path[0] = '\0';
    }
    if (c->server[0] == '\0')
        snprintf(c->server, sizeof c->server, "http://127.0.0.1:8080");
    const char *why;
    if (!clientconf_server_ok(c->server, &why)) {
        snprintf(err, err_size, "server '%s': %s", c->server, why);
        return false;
    }
    return true;
}
