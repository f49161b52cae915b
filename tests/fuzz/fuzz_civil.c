/*
 * fuzz_civil.c — libFuzzer target for the date / clock / RFC 3339 parsers.
 *
 * The input, as a string, goes to every parser. None may crash, and what
 * they accept must survive a round-trip: a date prints back as the same
 * text, a clock time re-parses to the same seconds, and an RFC 3339 instant
 * formats to text that parses to the same instant and formats the same.
 * The first 8 bytes also drive the day-count and epoch conversions.
 */
#include "civil.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool cond, const char *what)
{
    if (!cond) {
        fprintf(stderr, "invariant broken: %s\n", what);
        abort();
    }
}

static void fuzz_date(const char *s)
{
    int y, m, d;
    const char *why = NULL;
    if (civil_parse_date(s, &y, &m, &d, &why)) {
        char out[CIVIL_DATE_SIZE];
        check(civil_date_valid(y, m, d), "a parsed date is valid");
        civil_format_date(y, m, d, out);
        check(strcmp(out, s) == 0, "date parse -> format gives the same text");
    } else {
        check(why != NULL, "a refused date says why");
    }
}

static void fuzz_clock(const char *s, bool allow_24)
{
    int secs;
    const char *why = NULL;
    if (civil_parse_clock(s, allow_24, &secs, &why)) {
        check(secs >= 0 && (secs < 86400 || (allow_24 && secs == 86400)), "clock in range");
        char out[16];
        snprintf(out, sizeof out, "%02d:%02d:%02d", secs / 3600, secs / 60 % 60, secs % 60);
        int again;
        check(civil_parse_clock(out, allow_24, &again, &why) && again == secs,
              "clock parse -> format -> parse");
    } else {
        check(why != NULL, "a refused clock time says why");
    }
}

static void fuzz_rfc3339(const char *s)
{
    int64_t t, again;
    const char *why = NULL;
    if (!civil_parse_rfc3339(s, &t, &why)) {
        check(why != NULL, "a refused instant says why");
        return;
    }
    char out[CIVIL_RFC3339_SIZE], out2[CIVIL_RFC3339_SIZE];
    civil_format_rfc3339(t, out);
    check(civil_parse_rfc3339(out, &again, &why), "a formatted instant parses");
    check(again == t, "rfc3339 parse -> format -> parse gives the same instant");
    civil_format_rfc3339(again, out2);
    check(strcmp(out, out2) == 0, "and formats the same");
}

static void fuzz_numbers(const uint8_t *data, size_t size)
{
    uint64_t v = 0;
    for (size_t i = 0; i < 8 && i < size; i++)
        v = v << 8 | data[i];
    /* Days within years 1..9999 and instants within them. */
    int64_t lo = civil_days_from_date(1, 1, 1), hi = civil_days_from_date(9999, 12, 31);
    int64_t days = lo + (int64_t)(v % (uint64_t)(hi - lo + 1));
    int y, m, d;
    civil_date_from_days(days, &y, &m, &d);
    check(civil_date_valid(y, m, d) && civil_days_from_date(y, m, d) == days, "days round-trip");
    check(civil_weekday(days) >= 0 && civil_weekday(days) <= 6, "weekday in range");
    int64_t t = days * 86400 + (int64_t)(v >> 40) % 86400;
    struct civil_time ct;
    civil_from_epoch(t, &ct);
    check(civil_to_epoch(&ct) == t, "epoch round-trip");
    char out[CIVIL_RFC3339_SIZE];
    civil_format_rfc3339(t, out);
    int64_t again;
    check(civil_parse_rfc3339(out, &again, NULL) && again == t, "format -> parse of any instant");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 256)
        return 0;
    char s[257];
    memcpy(s, data, size);
    s[size] = '\0';
    fuzz_date(s);
    fuzz_clock(s, false);
    fuzz_clock(s, true);
    fuzz_rfc3339(s);
    fuzz_numbers(data, size);
    return 0;
}
