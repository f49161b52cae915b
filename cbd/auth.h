/*
 * auth.h — passwords, bearer tokens and the login rate limit.
 *
 * Passwords are hashed with Argon2id (libsodium's crypto_pwhash_str, the
 * "interactive" cost: about 60 ms and 64 MiB), never on the engine thread.
 * A token is 256 random bits written as 43 base64url characters; the store
 * keeps only its BLAKE2b-256 hash. Session tokens expire after 12 idle
 * hours; service tokens (telephony) do not. Failed logins are limited per
 * login and per client address, in memory, without revealing whether the
 * login exists.
 */
#ifndef CBD_AUTH_H
#define CBD_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http.h"

#define AUTH_TOKEN_SIZE 44 /* 43 characters + NUL */
#define AUTH_HASH_SIZE 128 /* crypto_pwhash_STRBYTES */
#define AUTH_IDLE_EXPIRY_S (12 * 3600)

enum auth_result { AUTH_OK, AUTH_INVALID, AUTH_UNAVAILABLE };

/* Must run once before anything else here (sodium_init). */
bool auth_init(void);
/* Argon2id hash of password into out; false when out of memory. Slow. */
bool auth_hash_password(const char *password, char out[AUTH_HASH_SIZE]);
/* True when password matches hash. Slow. With hash "" it still spends the
 * same time and answers false, so a missing user looks like a wrong
 * password. */
bool auth_verify_password(const char *hash, const char *password);
/* A new random token and its hash. */
void auth_new_token(char token[AUTH_TOKEN_SIZE], unsigned char hash[32]);
void auth_token_hash(const char *token, unsigned char hash[32]);

/* The caller behind a bearer token (reads this thread's store reader).
 * Refreshes the token's idle clock now and then through the engine. */
enum auth_result auth_resolve(const char *token, struct http_caller *out);

/* Login rate limit: false while login or addr has too many recent failures. */
bool auth_login_allowed(const char *login, const char *addr, int64_t now);
void auth_login_failed(const char *login, const char *addr, int64_t now);
void auth_login_succeeded(const char *login);

#endif
