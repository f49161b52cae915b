/*
 * test_civil.c — calendar arithmetic and the date / clock / RFC 3339 parsers,
 * including every class of malformed input.
 */
#include "civil.h"
#include "tap.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static void test_days_roundtrip(void)
{
    /* Every day from 1600 to 2400 round-trips and matches glibc's timegm. */
    int bad = 0;
    for (int64_t d = civil_days_from_date(1600, 1, 1); d < civil_days_from_date(2400, 1, 1); d++) {
        int y, m, dd;
        civil_date_from_days(d, &y, &m, &dd);
        if (civil_days_from_date(y, m, dd) != d || !civil_date_valid(y, m, dd))
            bad++;
        if (y >= 1902 && y < 2100 && dd == 1) {
            struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = dd};
            if (timegm(&tm) != d * 86400)
                bad++;
        }
    }
    tap_is_int(bad, 0, "days_from_date / date_from_days round-trip 1600-2400 and agree with timegm");
    tap_is_int(civil_weekday(civil_days_from_date(2026, 11, 22)), 0, "2026-11-22 is a Sunday");
    tap_is_int(civil_weekday(civil_days_from_date(1969, 12, 31)), 3, "1969-12-31 is a Wednesday");
    tap_ok(civil_days_in_month(2024, 2) == 29 && civil_days_in_month(2100, 2) == 28 &&
               civil_days_in_month(2000, 2) == 29, "leap years");
}

static void test_date_parse(void)
{
    int y, m, d;
    const char *why = NULL;
    tap_ok(civil_parse_date("2026-11-22", &y, &m, &d, &why) && y == 2026 && m == 11 && d == 22,
           "parse 2026-11-22");
    tap_ok(civil_parse_date("2028-02-29", &y, &m, &d, &why), "parse leap day");
    static const struct { const char *in, *why; } bad[] = {
        {"2026-02-29", "no such day in that month"},
        {"2026-13-01", "month out of range 01-12"},
        {"2026-00-10", "month out of range 01-12"},
        {"2026-11-31", "no such day in that month"},
        {"2026-11-00", "no such day in that month"},
        {"0000-01-01", "no such day in that month"},
        {"2026/11/22", "not a date of the form YYYY-MM-DD"},
        {"2026-11-2", "not a date of the form YYYY-MM-DD"},
        {"26-11-22", "not a date of the form YYYY-MM-DD"},
        {"2026-11-22x", "not a date of the form YYYY-MM-DD"},
        {"", "not a date of the form YYYY-MM-DD"},
        {"tomorrow!!", "not a date of the form YYYY-MM-DD"},
        {"２026-11-22", "not a date of the form YYYY-MM-DD"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        why = NULL;
        bool ok = civil_parse_date(bad[i].in, &y, &m, &d, &why);
        tap_ok(!ok && why && strcmp(why, bad[i].why) == 0, "date '%s' refused: %s", bad[i].in,
               why ? why : "(accepted)");
    }
    tap_ok(!civil_parse_date(NULL, &y, &m, &d, &why), "NULL date refused");
}

static void test_clock_parse(void)
{
    int s;
    const char *why = NULL;
    tap_ok(civil_parse_clock("14:30", false, &s, &why) && s == 52200, "14:30");
    tap_ok(civil_parse_clock("00:00:59", false, &s, &why) && s == 59, "00:00:59");
    tap_ok(civil_parse_clock("23:59", false, &s, &why) && s == 86340, "23:59");
    tap_ok(!civil_parse_clock("24:00", false, &s, &why), "24:00 refused for a start time");
    tap_ok(civil_parse_clock("24:00", true, &s, &why) && s == 86400, "24:00 allowed as an end");
    const char *bad[] = {"24:01", "12:60", "12:00:60", "1:30", "12.30", "12:3", "ab:cd", "", "12:30:",
                         "12:30pm"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        tap_ok(!civil_parse_clock(bad[i], true, &s, &why), "clock '%s' refused (%s)", bad[i], why);
}

static void test_rfc3339(void)
{
    int64_t t;
    const char *why = NULL;
    char buf[CIVIL_RFC3339_SIZE];
    tap_ok(civil_parse_rfc3339("2026-11-22T14:30:00Z", &t, &why) && t == 1795357800,
           "parse Z instant");
    civil_format_rfc3339(t, buf);
    tap_is_str(buf, "2026-11-22T14:30:00Z", "format round-trips");
    tap_ok(civil_parse_rfc3339("2026-11-22T09:30:00-05:00", &t, &why) && t == 1795357800,
           "offset -05:00");
    tap_ok(civil_parse_rfc3339("2026-11-22T14:30:00.123Z", &t, &why) && t == 1795357800,
           "fraction ignored");
    civil_format_rfc3339(0, buf);
    tap_is_str(buf, "1970-01-01T00:00:00Z", "epoch");
    civil_format_rfc3339(-1, buf);
    tap_is_str(buf, "1969-12-31T23:59:59Z", "one second before the epoch");
    const char *bad[] = {"2026-11-22 14:30:00Z", "2026-11-22T14:30:00", "2026-11-22T14:30Z",
                         "2026-11-22T25:00:00Z", "2026-02-30T00:00:00Z", "2026-11-22T14:30:00+5",
                         "2026-11-22T14:30:00.Z", "2026-11-22T14:30:00Zjunk", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        tap_ok(!civil_parse_rfc3339(bad[i], &t, &why), "instant '%s' refused (%s)", bad[i], why);
}

int main(void)
{
    test_days_roundtrip();
    test_date_parse();
    test_clock_parse();
    test_rfc3339();
    return tap_done();
}
