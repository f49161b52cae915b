/*
 * test_phone.c — E.164 normalization: the layouts people type, and every
 * class of refusal with its exact message.
 */
#include "phone.h"
#include "tap.h"

#include <stdio.h>
#include <string.h>

static const char *const TOO_SHORT = "too short: an E.164 number has 8 to 15 digits";
static const char *const TOO_LONG = "too long: an E.164 number has 8 to 15 digits";
static const char *const NO_PLUS = "must start with + and the country code";
static const char *const PLUS_PLACE = "+ may appear only once, at the start";
static const char *const LETTERS = "contains letters";
static const char *const OTHER = "contains a character that is not a digit";
static const char *const NON_ASCII = "contains a character that is not an ASCII digit";
static const char *const PARENS = "unbalanced parentheses";
static const char *const ZERO_CC = "the country code cannot start with 0";

/* The input made printable for a TAP line (control bytes as \xHH). */
static const char *show(const char *s)
{
    static char buf[256];
    size_t n = 0;
    for (; s && *s && n + 5 < sizeof buf; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7f)
            n += (size_t)snprintf(buf + n, sizeof buf - n, "\\x%02x", c);
        else
            buf[n++] = (char)c;
    }
    buf[n] = '\0';
    return buf;
}

static void test_good(void)
{
    static const struct { const char *in, *want; } good[] = {
        {"+15551234567", "+15551234567"},
        {"+1 (555) 123-4567", "+15551234567"},
        {"+44 20.7946.0958", "+442079460958"},
        {"+44 20 7946 0958", "+442079460958"},
        {"(+44) 20 7946 0958", "+442079460958"},
        {"+33-1-23-45-67-89", "+33123456789"},
        {"  +49 30 123456  ", "+4930123456"},
        {"\t+49 30 123456\n", "+4930123456"},
        {"+1\t555\t123\t4567", "+15551234567"},
        {"+ 1 555 123 4567", "+15551234567"},
        {"+12345678", "+12345678"},             /* 8 digits: the shortest */
        {"+123456789012345", "+123456789012345"}, /* 15 digits: the longest */
        {"+1 (555) (123) 4567", "+15551234567"},
        {"+1..555--123  4567", "+15551234567"},
        {"+81 3-1234-5678", "+81312345678"},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        char out[PHONE_E164_SIZE] = "";
        const char *why = NULL;
        bool ok = phone_normalize(good[i].in, out, &why);
        tap_ok(ok && strcmp(out, good[i].want) == 0, "'%s' -> %s (got %s, %s)", show(good[i].in),
               good[i].want, ok ? out : "(refused)", why ? why : "-");
        tap_ok(phone_is_e164(out), "  and '%s' is E.164", out);
    }
}

static void test_bad(void)
{
    static const struct { const char *in, *why; } bad[] = {
        {"", "empty"},
        {"   ", "empty"},
        {"\t\n", "empty"},
        {"+1 555 CALL NOW", LETTERS},
        {"+1 555 123 4567 ext 12", LETTERS},
        {"+1 555 123 4567 x12", LETTERS},
        {"abc", LETTERS},
        {"+１５５５１２３４５６７", NON_ASCII},
        {"+1555123456\xc3\xa9", NON_ASCII},
        {"+1 555/123/4567", OTHER},
        {"+1 555 123 4567#", OTHER},
        {"+1,555,123,4567", OTHER},
        {"+1_555_123_4567", OTHER},
        {"+1 555\n123 4567", OTHER},
        {"+1 555\x01 123 4567", OTHER},
        {"15551234567", NO_PLUS},
        {"0015551234567", NO_PLUS},
        {"00 44 20 7946 0958", NO_PLUS},
        {"(555) 123-4567", NO_PLUS},
        {"1+5551234567", PLUS_PLACE},
        {"+1+5551234567", PLUS_PLACE},
        {"++15551234567", PLUS_PLACE},
        {"+15551234567+", PLUS_PLACE},
        {"- +15551234567", PLUS_PLACE},
        {"(1)+5551234567", PLUS_PLACE},
        {"+1 (555 123-4567", PARENS},
        {"+1 555) 123-4567", PARENS},
        {"+1 )555( 1234567", PARENS},
        {"(+44 20 7946 0958", PARENS},
        {"+", TOO_SHORT},
        {"+ ( )", TOO_SHORT},
        {"+1234567", TOO_SHORT},
        {"+1 555", TOO_SHORT},
        {"+1234567890123456", TOO_LONG},
        {"+1 555 123 4567 8901 2345 6789", TOO_LONG},
        {"+0 555 123 4567", ZERO_CC},
        {"+044 20 7946 0958", ZERO_CC},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char out[PHONE_E164_SIZE];
        const char *why = NULL;
        bool ok = phone_normalize(bad[i].in, out, &why);
        tap_ok(!ok, "'%s' refused", show(bad[i].in));
        tap_is_str(why, bad[i].why, "  because: %s", bad[i].why);
    }
    char out[PHONE_E164_SIZE];
    const char *why = NULL;
    tap_ok(!phone_normalize(NULL, out, &why) && why && strcmp(why, "empty") == 0,
           "NULL refused as empty");
    tap_ok(!phone_normalize("123", out, NULL), "why may be NULL");
}

static void test_is_e164(void)
{
    tap_ok(phone_is_e164("+15551234567"), "stored form accepted");
    tap_ok(phone_is_e164("+12345678") && phone_is_e164("+123456789012345"), "8 and 15 digits");
    const char *bad[] = {NULL,          "",           "+",           "15551234567",
                         "+1234567",    "+1234567890123456", "+05551234567",
                         "+1 5551234567", "+1555123456a", "++15551234567", "+15551234567 "};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        tap_ok(!phone_is_e164(bad[i]), "'%s' is not stored form", bad[i] ? bad[i] : "(null)");
}

int main(void)
{
    test_good();
    test_bad();
    test_is_e164();
    return tap_done();
}
