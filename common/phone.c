/*
 * phone.c — E.164 normalization (see phone.h).
 *
 * Two passes over the trimmed input: the first classifies every byte, so a
 * number with letters is reported as such however it is laid out; the second
 * checks the structure ("+" first and once, parentheses balanced) and
 * collects the digits. Every message is a static string.
 */
#include "phone.h"

#include <stddef.h>
#include <string.h>

static bool phone_fail(const char **why, const char *msg)
{
    if (why)
        *why = msg;
    return false;
}

static bool phone_is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static bool phone_is_separator(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '-' || c == '.' || c == '(' || c == ')';
}

bool phone_normalize(const char *in, char out[PHONE_E164_SIZE], const char **why)
{
    if (in == NULL)
        return phone_fail(why, "empty");
    const unsigned char *b = (const unsigned char *)in;
    const unsigned char *e = b + strlen(in);
    while (b < e && phone_is_space(*b))
        b++;
    while (e > b && phone_is_space(e[-1]))
        e--;
    if (b == e)
        return phone_fail(why, "empty");

    bool letters = false, non_ascii = false, other = false;
    size_t pluses = 0;
    for (const unsigned char *p = b; p < e; p++) {
        unsigned char c = *p;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
            letters = true;
        else if (c >= 0x80)
            non_ascii = true;
        else if (c == '+')
            pluses++;
        else if (!(c >= '0' && c <= '9') && !phone_is_separator(c))
            other = true;
    }
    if (letters)
        return phone_fail(why, "contains letters");
    if (non_ascii)
        return phone_fail(why, "contains a character that is not an ASCII digit");
    if (other)
        return phone_fail(why, "contains a character that is not a digit");
    if (pluses == 0)
        return phone_fail(why, "must start with + and the country code");

    /* Only opening parentheses may come before the one "+". */
    const unsigned char *p = b;
    int depth = 0;
    while (p < e && *p == '(') {
        depth++;
        p++;
    }
    if (pluses > 1 || p == e || *p != '+')
        return phone_fail(why, "+ may appear only once, at the start");
    p++;

    size_t digits = 0;
    char first = '\0';
    for (; p < e; p++) {
        if (*p == '(') {
            depth++;
        } else if (*p == ')') {
            if (--depth < 0)
                return phone_fail(why, "unbalanced parentheses");
        } else if (*p >= '0' && *p <= '9') {
            if (digits == 0)
                first = (char)*p;
            if (digits < PHONE_MAX_DIGITS)
                out[1 + digits] = (char)*p;
            digits++;
        }
    }
    if (depth != 0)
        return phone_fail(why, "unbalanced parentheses");
    if (digits < PHONE_MIN_DIGITS)
        return phone_fail(why, "too short: an E.164 number has 8 to 15 digits");
    if (digits > PHONE_MAX_DIGITS)
        return phone_fail(why, "too long: an E.164 number has 8 to 15 digits");
    if (first == '0')
        return phone_fail(why, "the country code cannot start with 0");
    out[0] = '+';
    out[1 + digits] = '\0';
    return true;
}

bool phone_is_e164(const char *s)
{
    if (s == NULL || s[0] != '+' || s[1] < '1' || s[1] > '9')
        return false;
    size_t n = 0;
    for (const char *p = s + 1; *p; p++, n++)
        if (*p < '0' || *p > '9')
            return false;
    return n >= PHONE_MIN_DIGITS && n <= PHONE_MAX_DIGITS;
}
