/*
 * auth.c — Argon2id passwords, tokens and the failed-login limiter (see
 * auth.h). The limiter is a fixed-size open-addressing table of counters
 * (one for each login and one for each address), guarded by a mutex; when
 * the table is full the oldest entry in the probe range is reused, so
 * memory stays bounded whatever an attacker sends.
 */
#include "auth.h"

#include <pthread.h>
#include <stdio.h>
#include <sodium.h>
#include <string.h>

#include "clock.h"
#include "engine.h"
#include "log.h"
#include "store.h"
#include "xalloc.h"

#define AUTH_WINDOW_S (15 * 60)
#define AUTH_MAX_PER_LOGIN 5
#define AUTH_MAX_PER_ADDR 30
#define AUTH_SLOTS 4096
#define AUTH_PROBE 16
#define AUTH_TOUCH_EVERY_S 60

bool auth_init(void)
{
    return sodium_init() >= 0;
}

bool auth_hash_password(const char *password, char out[AUTH_HASH_SIZE])
{
    return crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                             crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0;
}

static char auth_dummy_hash[AUTH_HASH_SIZE];
static pthread_once_t auth_dummy_once = PTHREAD_ONCE_INIT;

static void auth_dummy_init(void)
{
    auth_hash_password("not a password anyone has", auth_dummy_hash);
}

bool auth_verify_password(const char *hash, const char *password)
{
    if (hash == NULL || hash[0] == '\0') {
        /* spend the same time as a real check, then say no */
        pthread_once(&auth_dummy_once, auth_dummy_init);
        int same = crypto_pwhash_str_verify(auth_dummy_hash, password, strlen(password));
        (void)same;
        return false;
    }
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

void auth_new_token(char token[AUTH_TOKEN_SIZE], unsigned char hash[32])
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(token, AUTH_TOKEN_SIZE, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    auth_token_hash(token, hash);
}

void auth_token_hash(const char *token, unsigned char hash[32])
{
    crypto_generichash(hash, 32, (const unsigned char *)token, strlen(token), NULL, 0);
}

/* ---- resolving a token ---------------------------------------------------- */

struct auth_touch {
    struct engine_cmd cmd;
    unsigned char hash[32];
    int64_t now;
};

static enum store_result auth_touch_run(struct store *w, struct engine_cmd *cmd)
{
    struct auth_touch *t = cmd->ctx;
    return store_token_touch(w, t->hash, t->now);
}

static void auth_touch_done(struct engine_cmd *cmd)
{
    free(cmd->ctx);
}

enum auth_result auth_resolve(const char *token, struct http_caller *out)
{
    size_t len = strlen(token);
    if (len != AUTH_TOKEN_SIZE - 1)
        return AUTH_INVALID;
    struct store *st = store_reader();
    if (st == NULL)
        return AUTH_UNAVAILABLE;
    unsigned char hash[32];
    auth_token_hash(token, hash);
    struct cb_user user;
    int64_t last_used = 0;
    enum store_token_kind kind;
    enum store_result r = store_token_lookup(st, hash, &user, &last_used, &kind);
    if (r == STORE_ERROR)
        return AUTH_UNAVAILABLE;
    if (r != STORE_OK || user.disabled)
        return AUTH_INVALID;
    int64_t now = clock_now();
    if (kind == STORE_TOKEN_SESSION && now - last_used > AUTH_IDLE_EXPIRY_S)
        return AUTH_INVALID;
    if (now - last_used >= AUTH_TOUCH_EVERY_S) {
        struct auth_touch *t = xcalloc(1, sizeof *t);
        memcpy(t->hash, hash, 32);
        t->now = now;
        t->cmd.run = auth_touch_run;
        t->cmd.done = auth_touch_done;
        t->cmd.ctx = t;
        engine_submit(&t->cmd);
    }
    memset(out, 0, sizeof *out);
    out->user_id = user.id;
    snprintf(out->login, sizeof out->login, "%s", user.login);
    out->role = user.role;
    out->can_schedule = user.can_schedule;
    memcpy(out->token_hash, hash, 32);
    return AUTH_OK;
}

/* ---- failed-login limiter -------------------------------------------------- */

struct auth_slot {
    unsigned char key[16]; /* hash of "l:" + login or "a:" + address */
    int64_t window_start;
    int failures;
    bool used;
};

static struct auth_slot auth_slots[AUTH_SLOTS];
static pthread_mutex_t auth_lock = PTHREAD_MUTEX_INITIALIZER;

static void auth_key(char kind, const char *s, unsigned char key[16])
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, 16);
    crypto_generichash_update(&st, (const unsigned char *)&kind, 1);
    crypto_generichash_update(&st, (const unsigned char *)s, strlen(s));
    crypto_generichash_final(&st, key, 16);
}

/* The slot for key, claimed if absent. Caller holds auth_lock. */
static struct auth_slot *auth_slot_for(const unsigned char key[16], int64_t now, bool claim)
{
    size_t h;
    memcpy(&h, key, sizeof h);
    struct auth_slot *oldest = NULL;
    for (size_t i = 0; i < AUTH_PROBE; i++) {
        struct auth_slot *s = &auth_slots[(h + i) % AUTH_SLOTS];
        if (s->used && memcmp(s->key, key, 16) == 0) {
            if (now - s->window_start >= AUTH_WINDOW_S) {
                s->window_start = now;
                s->failures = 0;
            }
            return s;
        }
        if (!s->used || now - s->window_start >= AUTH_WINDOW_S) {
            if (oldest == NULL || oldest->used)
                oldest = s;
        } else if (oldest == NULL || (oldest->used && s->window_start < oldest->window_start)) {
            oldest = s;
        }
    }
    if (!claim)
        return NULL;
    memcpy(oldest->key, key, 16);
    oldest->used = true;
    oldest->window_start = now;
    oldest->failures = 0;
    return oldest;
}

bool auth_login_allowed(const char *login, const char *addr, int64_t now)
{
    unsigned char kl[16], ka[16];
    auth_key('l', login, kl);
    auth_key('a', addr, ka);
    pthread_mutex_lock(&auth_lock);
    struct auth_slot *sl = auth_slot_for(kl, now, false);
    struct auth_slot *sa = auth_slot_for(ka, now, false);
    bool ok = (sl == NULL || sl->failures < AUTH_MAX_PER_LOGIN) &&
              (sa == NULL || sa->failures < AUTH_MAX_PER_ADDR);
    pthread_mutex_unlock(&auth_lock);
    return ok;
}

void auth_login_failed(const char *login, const char *addr, int64_t now)
{
    unsigned char kl[16], ka[16];
    auth_key('l', login, kl);
    auth_key('a', addr, ka);
    pthread_mutex_lock(&auth_lock);
    auth_slot_for(kl, now, true)->failures++;
    auth_slot_for(ka, now, true)->failures++;
    pthread_mutex_unlock(&auth_lock);
}

void auth_login_succeeded(const char *login)
{
    unsigned char kl[16];
    auth_key('l', login, kl);
    pthread_mutex_lock(&auth_lock);
    struct auth_slot *s = auth_slot_for(kl, clock_now(), false);
    if (s)
        s->used = false;
    pthread_mutex_unlock(&auth_lock);
}
