/*
 * tz.c — IANA time zones read from TZif files (see tz.h).
 *
 * Owns: the TZif reader (versions 1–4; the 64-bit block and the POSIX TZ
 * footer when the file is version 2 or later), the footer rule evaluator,
 * the process-wide cache of parsed zones (a sorted array of pointers guarded
 * by a mutex; zones are immutable once built and live until exit), and the
 * list of canonical zone names (built once under pthread_once).
 *
 * Everything is expressed through one function, tz_state(), that gives the
 * local time type in force at an instant, and one, tz_next_event(), that
 * gives the next instant at which it may change (a TZif transition or a
 * footer rule transition). Local → UTC, gap detection and the next-change
 * search are built on those two, so they agree with each other by
 * construction.
 *
 * Files with leap-second records (the right/ copies) are refused: their
 * instants count leap seconds. TZDIR is read once, at the first call that
 * needs the database. Instants are clamped to ±2^55 s (about ±1.1 billion
 * years) so that no arithmetic can overflow whatever a file contains. A
 * parsed zone is a few KiB; all of them together stay under a few MiB.
 * Before its first transition a zone is in its type 0 (RFC 8536); from its
 * last transition on, the footer rule applies when there is one. Besides
 * names that are not zone files, "localtime", "posixrules" and "Factory" are
 * refused: the first two are copies that depend on the machine, and Factory
 * ("-00") is not a place a customer can be in.
 */
#include "tz.h"

#include "xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TZ_DEFAULT_DIR "/usr/share/zoneinfo"
#define TZ_NAME_MAX 64
#define TZ_FILE_MAX (1024 * 1024)
#define TZ_T_LIMIT ((int64_t)1 << 55)
/* RFC 8536 §3.2: UT offsets should lie in [-89999, 93599]; we require it. */
#define TZ_OFF_MIN (-89999)
#define TZ_OFF_MAX 93599
/* A footer rule is searched this far ahead before giving up on a change. */
#define TZ_FOOTER_HORIZON ((int64_t)8 * 366 * 86400)

#define TZ_WHY_UNKNOWN "unknown time zone"
#define TZ_WHY_CORRUPT "unreadable time zone data"

struct tz_type {
    int32_t utoff;
    bool isdst;
    char abbr[16];
};

/* One transition date of a POSIX TZ rule: Jn, n or Mm.w.d, plus a time of
 * day (seconds, -167 h … 167 h) in the local time in force before it. */
struct tz_rule {
    char kind; /* 'J', 'D' (zero-based day n) or 'M' */
    int day;   /* J: 1..365, D: 0..365, M: weekday 0..6 */
    int week;  /* M: 1..5 */
    int month; /* M: 1..12 */
    int32_t secs;
};

struct tz_footer {
    bool present;
    bool has_dst;
    struct tz_type std, dst;
    struct tz_rule start, end; /* start: std → dst; end: dst → std */
};

struct tz_zone {
    char *name;
    size_t ntrans;
    int64_t *trans;
    unsigned char *trans_type;
    size_t ntypes;
    struct tz_type *types;
    struct tz_footer footer;
};

/* A footer rule transition in some year, for sorting. */
struct tz_event {
    int64_t t;
    int year;
    int order; /* 0 = start, 1 = end: ties break by year, then by this */
    bool to_dst;
};

/* ------------------------------------------------------------------------
 * Small helpers
 * --------------------------------------------------------------------- */

static int64_t tz_clamp(int64_t t)
{
    return t < -TZ_T_LIMIT ? -TZ_T_LIMIT : t > TZ_T_LIMIT ? TZ_T_LIMIT : t;
}

static uint32_t tz_be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t tz_be32_signed(const unsigned char *p)
{
    uint32_t u = tz_be32(p);
    return (u & 0x80000000u) ? (int64_t)u - ((int64_t)1 << 32) : (int64_t)u;
}

static int64_t tz_be64_signed(const unsigned char *p)
{
    uint64_t u = (uint64_t)tz_be32(p) << 32 | tz_be32(p + 4);
    return (u >> 63) ? -(int64_t)(~u) - 1 : (int64_t)u;
}

static bool tz_is_alpha(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool tz_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* ------------------------------------------------------------------------
 * POSIX TZ strings (the TZif footer)
 * --------------------------------------------------------------------- */

/* Reads 1..max_digits decimal digits as a number. */
static bool tz_parse_num(const char **sp, int max_digits, int *out)
{
    const char *s = *sp;
    int v = 0, n = 0;
    while (n < max_digits && tz_is_digit(*s)) {
        v = v * 10 + (*s++ - '0');
        n++;
    }
    if (n == 0 || tz_is_digit(*s))
        return false;
    *sp = s;
    *out = v;
    return true;
}

/* A zone abbreviation: three or more letters, or <…> with letters, digits,
 * '+' and '-' (at least three). Copied truncated to fit. */
static bool tz_parse_abbr(const char **sp, char out[16])
{
    const char *s = *sp, *start;
    size_t len;
    if (*s == '<') {
        start = ++s;
        while (tz_is_alpha(*s) || tz_is_digit(*s) || *s == '+' || *s == '-')
            s++;
        if (*s != '>')
            return false;
        len = (size_t)(s - start);
        s++;
    } else {
        start = s;
        while (tz_is_alpha(*s))
            s++;
        len = (size_t)(s - start);
    }
    if (len < 3)
        return false;
    if (len > 15)
        len = 15;
    memcpy(out, start, len);
    out[len] = '\0';
    *sp = s;
    return true;
}

/* [+-]hh[:mm[:ss]] with hh ≤ max_hours; the result is signed seconds. */
static bool tz_parse_hms(const char **sp, int max_hours, int32_t *out)
{
    const char *s = *sp;
    int sign = 1, h, m = 0, sec = 0;
    if (*s == '+' || *s == '-')
        sign = *s++ == '-' ? -1 : 1;
    if (!tz_parse_num(&s, 3, &h) || h > max_hours)
        return false;
    if (*s == ':') {
        s++;
        if (!tz_parse_num(&s, 2, &m) || m > 59)
            return false;
        if (*s == ':') {
            s++;
            if (!tz_parse_num(&s, 2, &sec) || sec > 59)
                return false;
        }
    }
    *sp = s;
    *out = sign * (h * 3600 + m * 60 + sec);
    return true;
}

/* A rule date Jn, n or Mm.w.d, then an optional /time (default 02:00). */
static bool tz_parse_rule(const char **sp, struct tz_rule *r)
{
    const char *s = *sp;
    memset(r, 0, sizeof *r);
    if (*s == 'J') {
        s++;
        r->kind = 'J';
        if (!tz_parse_num(&s, 3, &r->day) || r->day < 1 || r->day > 365)
            return false;
    } else if (*s == 'M') {
        s++;
        r->kind = 'M';
        if (!tz_parse_num(&s, 2, &r->month) || r->month < 1 || r->month > 12 || *s++ != '.' ||
            !tz_parse_num(&s, 1, &r->week) || r->week < 1 || r->week > 5 || *s++ != '.' ||
            !tz_parse_num(&s, 1, &r->day) || r->day > 6)
            return false;
    } else {
        r->kind = 'D';
        if (!tz_parse_num(&s, 3, &r->day) || r->day > 365)
            return false;
    }
    r->secs = 7200;
    if (*s == '/') {
        s++;
        if (!tz_parse_hms(&s, 167, &r->secs))
            return false;
    }
    *sp = s;
    return true;
}

/* "std offset [dst [offset] [,start[/time],end[/time]]]"; an empty string
 * means no footer. A DST part without rules gets the US rules, as tzcode
 * does. Offsets are limited to 24:59:59 either way (POSIX). */
static bool tz_parse_footer(const char *s, struct tz_footer *f)
{
    int32_t off;
    memset(f, 0, sizeof *f);
    if (*s == '\0')
        return true;
    f->present = true;
    if (!tz_parse_abbr(&s, f->std.abbr) || !tz_parse_hms(&s, 24, &off))
        return false;
    f->std.utoff = -off;
    if (*s == '\0')
        return true;
    f->has_dst = true;
    f->dst.isdst = true;
    if (!tz_parse_abbr(&s, f->dst.abbr))
        return false;
    f->dst.utoff = f->std.utoff + 3600;
    if (*s != ',' && *s != '\0') {
        if (!tz_parse_hms(&s, 24, &off))
            return false;
        f->dst.utoff = -off;
    }
    if (*s == '\0') {
        const char *dflt = "M3.2.0,M11.1.0";
        return tz_parse_rule(&dflt, &f->start) && *dflt++ == ',' &&
               tz_parse_rule(&dflt, &f->end);
    }
    return *s++ == ',' && tz_parse_rule(&s, &f->start) && *s++ == ',' &&
           tz_parse_rule(&s, &f->end) && *s == '\0';
}

/* Days since the epoch of the local date the rule names in that year. */
static int64_t tz_rule_day(const struct tz_rule *r, int year)
{
    int64_t jan1 = civil_days_from_date(year, 1, 1);
    if (r->kind == 'J')
        return jan1 + r->day - 1 + (civil_is_leap_year(year) && r->day >= 60);
    if (r->kind == 'D')
        return jan1 + r->day;
    int64_t first = civil_days_from_date(year, r->month, 1);
    int64_t day = first + (r->day - civil_weekday(first) + 7) % 7 + 7 * (r->week - 1);
    if (day >= first + civil_days_in_month(year, r->month))
        day -= 7;
    return day;
}

static void tz_sort_events(struct tz_event *ev, int n)
{
    for (int i = 1; i < n; i++) {
        struct tz_event e = ev[i];
        int j = i;
        while (j > 0 && (ev[j - 1].t > e.t ||
                         (ev[j - 1].t == e.t && (ev[j - 1].year > e.year ||
                                                 (ev[j - 1].year == e.year &&
                                                  ev[j - 1].order > e.order))))) {
            ev[j] = ev[j - 1];
            j--;
        }
        ev[j] = e;
    }
}

/* The footer's rule transitions of years y0..y0+nyears-1, sorted; ev must
 * hold 2 * nyears entries. */
static int tz_footer_events(const struct tz_footer *f, int y0, int nyears, struct tz_event *ev)
{
    int n = 0;
    for (int y = y0; y < y0 + nyears; y++) {
        ev[n++] = (struct tz_event){tz_rule_day(&f->start, y) * 86400 + f->start.secs -
                                        f->std.utoff,
                                    y, 0, true};
        ev[n++] = (struct tz_event){tz_rule_day(&f->end, y) * 86400 + f->end.secs - f->dst.utoff,
                                    y, 1, false};
    }
    tz_sort_events(ev, n);
    return n;
}

/* The year of t in the footer's standard time (t already clamped). */
static int tz_footer_year(const struct tz_footer *f, int64_t t)
{
    struct civil_time ct;
    civil_from_epoch(t + f->std.utoff, &ct);
    return ct.year;
}

/* The footer's type at t. Rule transitions of a year lie within about
 * eight days of that year, so the last one at or before t is among those
 * of the years y-2 .. y+1. */
static const struct tz_type *tz_footer_state(const struct tz_footer *f, int64_t t)
{
    struct tz_event ev[8];
    const struct tz_type *out = &f->std;
    if (!f->has_dst)
        return out;
    int n = tz_footer_events(f, tz_footer_year(f, t) - 2, 4, ev);
    for (int i = 0; i < n && ev[i].t <= t; i++)
        out = ev[i].to_dst ? &f->dst : &f->std;
    return out;
}

/* The first footer rule transition after t, if any. */
static bool tz_footer_next(const struct tz_footer *f, int64_t t, int64_t *out)
{
    struct tz_event ev[10];
    if (!f->has_dst || t >= TZ_T_LIMIT)
        return false;
    int n = tz_footer_events(f, tz_footer_year(f, t) - 2, 5, ev);
    for (int i = 0; i < n; i++) {
        if (ev[i].t > t) {
            *out = ev[i].t;
            return true;
        }
    }
    return false;
}

/* ------------------------------------------------------------------------
 * The type in force at an instant, and the instants where it may change
 * --------------------------------------------------------------------- */

static const struct tz_type *tz_state(const struct tz_zone *z, int64_t t)
{
    t = tz_clamp(t);
    if (z->ntrans == 0)
        return z->footer.present ? tz_footer_state(&z->footer, t) : &z->types[0];
    if (t < z->trans[0])
        return &z->types[0];
    if (t >= z->trans[z->ntrans - 1] && z->footer.present)
        return tz_footer_state(&z->footer, t);
    size_t lo = 0, hi = z->ntrans; /* invariant: trans[lo] <= t < trans[hi] */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (z->trans[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    return &z->types[z->trans_type[lo]];
}

/* The next instant after t at which tz_state() may give something else. */
static bool tz_next_event(const struct tz_zone *z, int64_t t, int64_t *out)
{
    if (z->ntrans > 0 && t < z->trans[z->ntrans - 1]) {
        size_t lo = 0, hi = z->ntrans - 1; /* first index with trans > t */
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (z->trans[mid] > t)
                hi = mid;
            else
                lo = mid + 1;
        }
        *out = z->trans[lo];
        return true;
    }
    return z->footer.present && tz_footer_next(&z->footer, tz_clamp(t), out);
}

static bool tz_same_type(const struct tz_type *a, const struct tz_type *b)
{
    return a->utoff == b->utoff && a->isdst == b->isdst;
}

/* ------------------------------------------------------------------------
 * TZif
 * --------------------------------------------------------------------- */

/* Bytes of a data block with these header counts and time size. */
static uint64_t tz_block_size(const uint32_t c[6], unsigned tsize)
{
    /* c: isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt */
    return (uint64_t)c[3] * tsize + c[3] + (uint64_t)c[4] * 6 + c[5] +
           (uint64_t)c[2] * (tsize + 4) + c[1] + c[0];
}

/* Frees a zone the caller owns (from tz_from_tzif or a failed load). */
void tz_free(struct tz_zone *zone)
{
    if (zone == NULL)
        return;
    free(zone->name);
    free(zone->trans);
    free(zone->trans_type);
    free(zone->types);
    free(zone);
}

/* Parses the data block at p (counts c, times of tsize bytes) into z. */
static bool tz_parse_block(struct tz_zone *z, const unsigned char *p, const uint32_t c[6],
                           unsigned tsize)
{
    if (c[4] < 1 || c[4] > 256 || c[5] < 1 || (c[0] != 0 && c[0] != c[4]) ||
        (c[1] != 0 && c[1] != c[4]) || c[2] != 0) /* leap seconds: a right/ copy */
        return false;
    z->ntrans = c[3];
    z->ntypes = c[4];
    z->trans = xcalloc(z->ntrans, sizeof *z->trans);
    z->trans_type = xcalloc(z->ntrans, 1);
    z->types = xcalloc(z->ntypes, sizeof *z->types);
    for (size_t i = 0; i < z->ntrans; i++, p += tsize) {
        z->trans[i] = tsize == 8 ? tz_be64_signed(p) : tz_be32_signed(p);
        if (i > 0 && z->trans[i] <= z->trans[i - 1])
            return false;
    }
    for (size_t i = 0; i < z->ntrans; i++, p++) {
        if (*p >= z->ntypes)
            return false;
        z->trans_type[i] = *p;
    }
    const unsigned char *chars = p + 6 * z->ntypes;
    for (size_t i = 0; i < z->ntypes; i++, p += 6) {
        int64_t utoff = tz_be32_signed(p);
        if (utoff < TZ_OFF_MIN || utoff > TZ_OFF_MAX || p[4] > 1 || p[5] >= c[5])
            return false;
        z->types[i].utoff = (int32_t)utoff;
        z->types[i].isdst = p[4];
        size_t len = strnlen((const char *)chars + p[5], c[5] - p[5]);
        if (len > 15)
            len = 15;
        memcpy(z->types[i].abbr, chars + p[5], len);
    }
    p = chars + c[5];
    for (size_t i = 0; i < (size_t)c[1] + c[0]; i++)
        if (p[i] > 1)
            return false;
    return true;
}

/* Parses TZif bytes; the returned zone belongs to the caller (tz_free). */
struct tz_zone *tz_from_tzif(const char *name, const void *data, size_t size, const char **why)
{
    const unsigned char *p = data;
    struct tz_zone *z = xcalloc(1, sizeof *z);
    char *footer = NULL;
    bool ok = false;
    uint32_t c[6];
    z->name = xstrdup(name);
    if (size < 44 || memcmp(p, "TZif", 4) != 0 ||
        (p[4] != '\0' && (p[4] < '2' || p[4] > '4')))
        goto out;
    for (int i = 0; i < 6; i++)
        c[i] = tz_be32(p + 20 + 4 * i);
    uint64_t v1 = tz_block_size(c, 4);
    if (p[4] == '\0') {
        ok = v1 <= size - 44 && tz_parse_block(z, p + 44, c, 4);
        goto out;
    }
    if (v1 > size - 44 || size - 44 - v1 < 44)
        goto out;
    const unsigned char *h2 = p + 44 + v1;
    if (memcmp(h2, "TZif", 4) != 0 || h2[4] < '2' || h2[4] > '4')
        goto out;
    for (int i = 0; i < 6; i++)
        c[i] = tz_be32(h2 + 20 + 4 * i);
    uint64_t v2 = tz_block_size(c, 8);
    size_t rest = size - (size_t)(h2 + 44 - p);
    if (v2 > rest)
        goto out;
    const char *foot = (const char *)h2 + 44 + v2;
    size_t foot_len = rest - (size_t)v2;
    const char *nl = foot_len > 1 && foot[0] == '\n' ? memchr(foot + 1, '\n', foot_len - 1) : NULL;
    if (nl == NULL)
        goto out;
    footer = xstrndup(foot + 1, (size_t)(nl - foot - 1));
    if (strlen(footer) != (size_t)(nl - foot - 1)) /* an embedded NUL */
        goto out;
    ok = tz_parse_block(z, h2 + 44, c, 8) && tz_parse_footer(footer, &z->footer);
out:
    free(footer);
    if (!ok) {
        tz_free(z);
        z = NULL;
        if (why)
            *why = TZ_WHY_CORRUPT;
    }
    return z;
}

/* ------------------------------------------------------------------------
 * The database on disk
 * --------------------------------------------------------------------- */

static pthread_once_t tz_dir_once = PTHREAD_ONCE_INIT;
static char *tz_dir;

static void tz_dir_init(void)
{
    const char *d = getenv("TZDIR");
    tz_dir = xstrdup(d && *d ? d : TZ_DEFAULT_DIR);
}

static const char *tz_dir_get(void)
{
    pthread_once(&tz_dir_once, tz_dir_init);
    return tz_dir;
}

/* Whether name may name a zone file: [A-Za-z0-9/_+-.], at most
 * TZ_NAME_MAX bytes, relative, no empty component or one starting with
 * '.', nothing under right/ or posix/, and none of the refused names. */
static bool tz_name_ok(const char *name)
{
    static const char *const refused[] = {"localtime", "posixrules", "Factory", "right",
                                          "posix"};
    size_t len = strnlen(name, TZ_NAME_MAX + 1);
    if (len == 0 || len > TZ_NAME_MAX || strncmp(name, "right/", 6) == 0 ||
        strncmp(name, "posix/", 6) == 0)
        return false;
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        if (strcmp(name, refused[i]) == 0)
            return false;
    for (size_t i = 0; i < len; i++) {
        char ch = name[i];
        bool comp_start = i == 0 || name[i - 1] == '/';
        if (!(tz_is_alpha(ch) || tz_is_digit(ch) || ch == '/' || ch == '_' || ch == '+' ||
              ch == '-' || ch == '.'))
            return false;
        if (comp_start && (ch == '/' || ch == '.'))
            return false;
    }
    return name[len - 1] != '/';
}

/* Reads a regular file of at most TZ_FILE_MAX bytes; the caller frees the
 * buffer. NULL if it cannot, with *missing telling "no such zone file"
 * (absent, a directory, not a regular file) from a read error. */
static unsigned char *tz_read_file(const char *path, size_t *size, bool *missing)
{
    unsigned char *buf = NULL;
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    *missing = fd < 0 && (errno == ENOENT || errno == ENOTDIR || errno == EISDIR ||
                          errno == ENAMETOOLONG || errno == ELOOP);
    if (fd < 0)
        return NULL;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > TZ_FILE_MAX) {
        *missing = !S_ISREG(st.st_mode);
        goto out;
    }
    buf = xmalloc((size_t)st.st_size + 1);
    size_t got = 0;
    while (got < (size_t)st.st_size + 1) { /* +1: notices a file that grew */
        ssize_t n = read(fd, buf + got, (size_t)st.st_size + 1 - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    if (got != (size_t)st.st_size) {
        free(buf);
        buf = NULL;
        goto out;
    }
    *size = got;
out:
    close(fd);
    return buf;
}

/* The zone file name under TZDIR, parsed and not cached; the caller frees
 * it with tz_free(). */
static struct tz_zone *tz_load(const char *name, const char **why)
{
    struct tz_zone *z = NULL;
    size_t size = 0;
    char *path = NULL;
    unsigned char *buf = NULL;
    if (!tz_name_ok(name)) {
        *why = TZ_WHY_UNKNOWN;
        goto out;
    }
    path = xasprintf("%s/%s", tz_dir_get(), name);
    bool missing = false;
    buf = tz_read_file(path, &size, &missing);
    if (buf == NULL) {
        *why = missing ? TZ_WHY_UNKNOWN : TZ_WHY_CORRUPT;
        goto out;
    }
    if (size < 4 || memcmp(buf, "TZif", 4) != 0) {
        *why = TZ_WHY_UNKNOWN;
        goto out;
    }
    z = tz_from_tzif(name, buf, size, why);
out:
    free(buf);
    free(path);
    return z;
}

/* ------------------------------------------------------------------------
 * The cache
 * --------------------------------------------------------------------- */

static pthread_mutex_t tz_cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct tz_zone **tz_cache; /* sorted by name */
static size_t tz_cache_len, tz_cache_cap;

/* Index of the first cached zone whose name is not below name; call with
 * the lock held. */
static size_t tz_cache_lower(const char *name)
{
    size_t lo = 0, hi = tz_cache_len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(tz_cache[mid]->name, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The cached zone of that name, or NULL. */
static const struct tz_zone *tz_cache_get(const char *name)
{
    const struct tz_zone *z = NULL;
    pthread_mutex_lock(&tz_cache_lock);
    size_t i = tz_cache_lower(name);
    if (i < tz_cache_len && strcmp(tz_cache[i]->name, name) == 0)
        z = tz_cache[i];
    pthread_mutex_unlock(&tz_cache_lock);
    return z;
}

/* Adds z unless another thread added that name first; returns the zone
 * that is in the cache (z is freed if it lost the race). */
static const struct tz_zone *tz_cache_put(struct tz_zone *z)
{
    const struct tz_zone *out;
    pthread_mutex_lock(&tz_cache_lock);
    size_t i = tz_cache_lower(z->name);
    if (i < tz_cache_len && strcmp(tz_cache[i]->name, z->name) == 0) {
        out = tz_cache[i];
        tz_free(z);
    } else {
        if (tz_cache_len == tz_cache_cap) {
            tz_cache_cap = tz_cache_cap ? 2 * tz_cache_cap : 64;
            tz_cache = xrealloc(tz_cache, tz_cache_cap * sizeof *tz_cache);
        }
        memmove(tz_cache + i + 1, tz_cache + i, (tz_cache_len - i) * sizeof *tz_cache);
        tz_cache[i] = z;
        tz_cache_len++;
        out = z;
    }
    pthread_mutex_unlock(&tz_cache_lock);
    return out;
}

/* The cached zone, loaded on first use; owned by the module until exit. */
const struct tz_zone *tz_find(const char *name, const char **why)
{
    const char *dummy;
    if (why == NULL)
        why = &dummy;
    if (name == NULL || !tz_name_ok(name)) {
        *why = TZ_WHY_UNKNOWN;
        return NULL;
    }
    const struct tz_zone *z = tz_cache_get(name);
    if (z == NULL) {
        struct tz_zone *loaded = tz_load(name, why);
        z = loaded ? tz_cache_put(loaded) : NULL;
    }
    return z;
}

/* The zone's name, owned by the zone. */
const char *tz_name(const struct tz_zone *zone)
{
    return zone->name;
}

/* ------------------------------------------------------------------------
 * Conversions
 * --------------------------------------------------------------------- */

/* Fills the caller's local and info; allocates nothing. */
void tz_utc_to_local(const struct tz_zone *zone, int64_t t, struct civil_time *local,
                     struct tz_info *info)
{
    t = tz_clamp(t);
    const struct tz_type *ty = tz_state(zone, t);
    civil_from_epoch(t + ty->utoff, local);
    if (info) {
        info->utc_offset = ty->utoff;
        info->is_dst = ty->isdst;
        memcpy(info->abbr, ty->abbr, sizeof info->abbr);
    }
}

/* Walks candidate events until the offset or DST flag changes; allocates
 * nothing. */
bool tz_next_transition(const struct tz_zone *zone, int64_t t, int64_t *out)
{
    t = tz_clamp(t);
    const struct tz_type *cur = tz_state(zone, t);
    int64_t last = zone->ntrans ? tz_clamp(zone->trans[zone->ntrans - 1]) : -TZ_T_LIMIT;
    int64_t horizon = (t > last ? t : last) + TZ_FOOTER_HORIZON;
    int64_t e;
    while (tz_next_event(zone, t, &e) && e <= TZ_T_LIMIT) {
        if (!tz_same_type(tz_state(zone, e), cur)) {
            *out = e;
            return true;
        }
        if (e > horizon)
            break;
        t = e;
    }
    return false;
}

/* "HH:MM", with ":SS" when not zero, and the date first when asked. */
static void tz_format_local(char *buf, size_t size, int64_t local, bool with_date)
{
    struct civil_time ct;
    civil_from_epoch(local, &ct);
    int n = 0;
    if (with_date)
        n = snprintf(buf, size, "%04d-%02d-%02d ", ct.year, ct.month, ct.day);
    if (n < 0 || (size_t)n >= size)
        return;
    if (ct.second)
        snprintf(buf + n, size - (size_t)n, "%02d:%02d:%02d", ct.hour, ct.minute, ct.second);
    else
        snprintf(buf + n, size - (size_t)n, "%02d:%02d", ct.hour, ct.minute);
}

/* Writes why for a gap (gap true) or fold at local time L: finds the
 * transition e with e + before <= L < e + after (gap) or
 * e + after <= L < e + before (fold) among those in [lo, hi]. */
static void tz_explain(const struct tz_zone *z, int64_t L, int64_t lo, int64_t hi, bool gap,
                       char *why, size_t why_size)
{
    char when[32], from[32] = "", to[32] = "";
    tz_format_local(when, sizeof when, L, true);
    const struct tz_type *prev = tz_state(z, lo);
    int64_t t = lo, e;
    while (tz_next_event(z, t, &e) && e <= hi) {
        const struct tz_type *cur = tz_state(z, e);
        int64_t a = e + prev->utoff, b = e + cur->utoff; /* clocks go from a to b */
        if (gap ? (a <= L && L < b) : (b <= L && L < a)) {
            int64_t day = L - (L % 86400 + 86400) % 86400;
            bool same_day = a >= day && a < day + 86400 && b >= day && b < day + 86400;
            tz_format_local(from, sizeof from, a, !same_day);
            tz_format_local(to, sizeof to, b, !same_day);
            break;
        }
        prev = cur;
        t = e;
    }
    if (gap && from[0])
        snprintf(why, why_size, "%s does not exist in %s (clocks go from %s to %s)", when,
                 z->name, from, to);
    else if (gap)
        snprintf(why, why_size, "%s does not exist in %s", when, z->name);
    else if (from[0])
        snprintf(why, why_size,
                 "%s occurs twice in %s (clocks go back from %s to %s); the earlier is used",
                 when, z->name, from, to);
    else
        snprintf(why, why_size, "%s occurs twice in %s; the earlier is used", when, z->name);
}

/* Writes into the caller's out and why buffers; allocates nothing. */
enum tz_result tz_local_to_utc(const struct tz_zone *zone, const struct civil_time *local,
                               int64_t *out, char *why, size_t why_size)
{
    int32_t offs[260];
    int64_t cands[260];
    size_t noffs = 0, ncands = 0;
    enum tz_result res;
    if (!civil_date_valid(local->year, local->month, local->day) || local->hour < 0 ||
        local->hour > 23 || local->minute < 0 || local->minute > 59 || local->second < 0 ||
        local->second > 59) {
        if (why && why_size)
            snprintf(why, why_size, "not a valid date and time");
        return TZ_RANGE;
    }
    int64_t L = civil_to_epoch(local);
    /* Any instant whose local time is L lies in [lo, hi], and its offset is
     * one of those in force somewhere in that window. */
    int64_t lo = L - TZ_OFF_MAX, hi = L - TZ_OFF_MIN, t = lo, e;
    offs[noffs++] = tz_state(zone, lo)->utoff;
    while (tz_next_event(zone, t, &e) && e <= hi) {
        int32_t o = tz_state(zone, e)->utoff;
        size_t i = 0;
        while (i < noffs && offs[i] != o)
            i++;
        if (i == noffs && noffs < sizeof offs / sizeof offs[0])
            offs[noffs++] = o;
        t = e;
    }
    for (size_t i = 0; i < noffs; i++) {
        int64_t u = L - offs[i];
        if (tz_state(zone, u)->utoff == offs[i])
            cands[ncands++] = u;
    }
    if (ncands == 0) {
        res = TZ_GAP;
        if (why && why_size)
            tz_explain(zone, L, lo, hi, true, why, why_size);
    } else {
        int64_t best = cands[0];
        for (size_t i = 1; i < ncands; i++)
            if (cands[i] < best)
                best = cands[i];
        *out = best;
        res = ncands > 1 ? TZ_AMBIGUOUS : TZ_OK;
        if (why && why_size) {
            if (res == TZ_AMBIGUOUS)
                tz_explain(zone, L, lo, hi, false, why, why_size);
            else
                why[0] = '\0';
        }
    }
    return res;
}

/* ------------------------------------------------------------------------
 * Zone names
 * --------------------------------------------------------------------- */

static pthread_once_t tz_names_once = PTHREAD_ONCE_INIT;
static char **tz_names;
static size_t tz_names_len;

struct tz_name_list {
    char **v;
    size_t len, cap;
};

/* Adds name if it is a loadable zone. */
static void tz_names_try(struct tz_name_list *l, const char *name)
{
    const char *why;
    struct tz_zone *z = tz_load(name, &why);
    if (z == NULL)
        return;
    tz_free(z);
    if (l->len == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 512;
        l->v = xrealloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->len++] = xstrdup(name);
}

/* Walks TZDIR/rel (depth-limited), adding every regular TZif file that is
 * not a symbolic link, skipping right/ and posix/. */
static void tz_names_walk(struct tz_name_list *l, const char *rel, int depth)
{
    char *path = xasprintf("%s%s%s", tz_dir_get(), *rel ? "/" : "", rel);
    DIR *d = opendir(path);
    struct dirent *de;
    if (d == NULL || depth > 4)
        goto out;
    while ((de = readdir(d)) != NULL) {
        struct stat st;
        if (de->d_name[0] == '.' || (*rel == '\0' && (strcmp(de->d_name, "right") == 0 ||
                                                      strcmp(de->d_name, "posix") == 0)))
            continue;
        if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
            continue;
        char *sub = xasprintf("%s%s%s", rel, *rel ? "/" : "", de->d_name);
        if (S_ISDIR(st.st_mode))
            tz_names_walk(l, sub, depth + 1);
        else if (S_ISREG(st.st_mode))
            tz_names_try(l, sub);
        free(sub);
    }
out:
    if (d)
        closedir(d);
    free(path);
}

static int tz_names_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Zone lines of TZDIR/tzdata.zi, or the whole tree when it is missing; plus
 * "UTC", the one link everybody expects to find. */
static void tz_names_init(void)
{
    struct tz_name_list l = {0};
    char *path = xasprintf("%s/tzdata.zi", tz_dir_get());
    FILE *f = fopen(path, "re");
    if (f) {
        char line[512];
        bool at_start = true; /* a long line comes in pieces */
        while (fgets(line, sizeof line, f)) {
            bool zone_line = at_start && line[0] == 'Z' && line[1] == ' ';
            at_start = strchr(line, '\n') != NULL;
            if (!zone_line)
                continue;
            line[2 + strcspn(line + 2, " \t\r\n")] = '\0';
            tz_names_try(&l, line + 2);
        }
        fclose(f);
    } else {
        tz_names_walk(&l, "", 0);
    }
    tz_names_try(&l, "UTC");
    if (l.len)
        qsort(l.v, l.len, sizeof *l.v, tz_names_cmp);
    size_t n = 0;
    for (size_t i = 0; i < l.len; i++) {
        if (n > 0 && strcmp(l.v[n - 1], l.v[i]) == 0)
            free(l.v[i]);
        else
            l.v[n++] = l.v[i];
    }
    tz_names = xrealloc(l.v, (n + 1) * sizeof *tz_names);
    tz_names[n] = NULL;
    tz_names_len = n;
    free(path);
}

/* The list built once; array and strings are owned by the module. */
const char *const *tz_zone_names(size_t *count)
{
    pthread_once(&tz_names_once, tz_names_init);
    if (count)
        *count = tz_names_len;
    return (const char *const *)tz_names;
}
