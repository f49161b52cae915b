/*
 * tz.h — IANA time zones from the system tz database, without the TZ
 * variable.
 *
 * Zones are read from TZif files under TZDIR (default /usr/share/zoneinfo)
 * on first use and kept for the life of the process in a cache guarded by a
 * mutex, so every function here is thread-safe. A struct tz_zone returned by
 * tz_find() is owned by the module and stays valid until exit.
 *
 * Unknown zone names are an error (glibc silently falls back to UTC; this
 * module does not). A local time that a DST change skips is an error that
 * names the gap; a local time that occurs twice resolves to the earlier
 * instant.
 */
#ifndef CB_TZ_H
#define CB_TZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "civil.h"

struct tz_zone;

enum tz_result {
    TZ_OK = 0,
    TZ_AMBIGUOUS, /* the local time occurs twice; *out is the earlier instant */
    TZ_GAP,       /* the local time does not exist; see why */
    TZ_RANGE,     /* the civil time is not valid (bad date, hour > 23, …) */
};

/* What holds at one instant in a zone. */
struct tz_info {
    int utc_offset; /* seconds east of UTC */
    bool is_dst;
    char abbr[16]; /* "EST", "CEST", "+0530", … */
};

/* The zone of that name, or NULL with *why set ("unknown time zone", or
 * "unreadable time zone data" for a corrupt file). The zone is owned by the
 * module. Names under right/ and posix/ are refused: they are copies
 * (right/ counts leap seconds and is 27 s off); so are "localtime",
 * "posixrules" and "Factory". TZDIR is read once, at the first use. */
const struct tz_zone *tz_find(const char *name, const char **why);
const char *tz_name(const struct tz_zone *zone);

/* Local civil time in zone → instant. On TZ_GAP, why (if not NULL) gets a
 * sentence naming the gap, e.g. "2026-03-08 02:30 does not exist in
 * America/New_York (clocks go from 02:00 to 03:00)". */
enum tz_result tz_local_to_utc(const struct tz_zone *zone, const struct civil_time *local,
                               int64_t *out, char *why, size_t why_size);
/* Instant → local civil time in zone, and the offset / DST / abbreviation in
 * force (info may be NULL). Instants beyond ±2^55 s are taken as that bound. */
void tz_utc_to_local(const struct tz_zone *zone, int64_t t, struct civil_time *local,
                     struct tz_info *info);
/* The next instant after t at which the zone's UTC offset or DST flag
 * changes (changes of abbreviation alone are skipped); false if there is
 * none. */
bool tz_next_transition(const struct tz_zone *zone, int64_t t, int64_t *out);

/* The canonical zone names (Zone lines of tzdata.zi whose file is valid
 * TZif, no links, no right/ or posix/ copies, no Factory), plus "UTC", sorted
 * and NULL-terminated. Without tzdata.zi, every TZif file under TZDIR that
 * is not a symbolic link. The array and strings are owned by the module. */
const char *const *tz_zone_names(size_t *count);

/* For tests and fuzzing: a zone parsed from TZif bytes in memory, bypassing
 * TZDIR and the cache; NULL with *why set if the data is not valid TZif.
 * The caller owns the zone and frees it with tz_free(). */
struct tz_zone *tz_from_tzif(const char *name, const void *data, size_t size, const char **why);
/* Frees a zone from tz_from_tzif() (never one from tz_find()); NULL is fine. */
void tz_free(struct tz_zone *zone);

#endif
