/*
 * phone.h — telephone numbers in E.164 form.
 *
 * A callback's destination is stored and compared as "+" followed by 8 to 15
 * digits, the first not 0 ("+15551234567"). phone_normalize() turns what a
 * person types ("+1 (555) 123-4567", "+44 20.7946.0958") into that form, or
 * says in a short sentence why it cannot. Only the international form is
 * accepted: there is no default country, so "555 1234" and the "00" prefix
 * are refused rather than guessed at. Pure functions, thread-safe.
 */
#ifndef CB_PHONE_H
#define CB_PHONE_H

#include <stdbool.h>

/* "+" + up to 15 digits + NUL. */
#define PHONE_E164_SIZE 17
#define PHONE_MIN_DIGITS 8
#define PHONE_MAX_DIGITS 15

/*
 * Normalizes a typed number into out ("+" and digits only). Accepted: leading
 * and trailing whitespace; one "+" first (an opening parenthesis may come
 * before it, as in "(+44) 20 7946 0958"); then digits with spaces, tabs,
 * dashes, dots and balanced, unnested parentheses as separators. On failure
 * returns false, leaves out unspecified and sets *why (when why is not NULL)
 * to a static message, e.g. "too short: an E.164 number has 8 to 15 digits".
 */
bool phone_normalize(const char *in, char out[PHONE_E164_SIZE], const char **why);

/* True when s is already in stored form: "+", 8-15 digits, the first not 0. */
bool phone_is_e164(const char *s);

#endif
