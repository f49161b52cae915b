/*
 * clientconf.h — where a console finds its server, login and password:
 * the command line first, then CB_SERVER, CB_USER and CB_PASSWORD, then
 * the file $XDG_CONFIG_HOME/cb/client.conf (~/.config/cb/client.conf) with
 * the keys server, user and password, then the default server
 * http://127.0.0.1:8080. What is still missing is asked on the login screen.
 */
#ifndef CB_CLIENTCONF_H
#define CB_CLIENTCONF_H

#include <stdbool.h>
#include <stddef.h>

struct clientconf {
    char server[512];
    char user[64];
    char password[1025];
    char path[1024]; /* the file read, "" when there was none */
};

/* Fills what c does not hold yet (the caller put the command line's values
 * in first) from the environment, then from the file. False with err set
 * when the file exists but is wrong (a bad line, an unknown key), or a value
 * is too long or the server is not an http:// or https:// URL. */
bool clientconf_resolve(struct clientconf *c, char *err, size_t err_size);
/* True when s is an http:// or https:// URL with a host; else why says what
 * is wrong. */
bool clientconf_server_ok(const char *s, const char **why);

#endif
