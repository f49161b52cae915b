/*
 * report.h — the Completed Callback report 6.04 (DESIGN.md §4): completed
 * callbacks with end state, original entrance time, last attempt time and
 * every attempt (time, agent, attempt state, handle time, connect kind).
 * One implementation of its parameters, its order, its paging and its JSON
 * and CSV forms, shared by GET /api/v1/reports/completed (route_reports.c)
 * and `cbd report completed` (cmd_report.c).
 *
 * Parameters (text, as a query string or the command line gives them):
 *   bp      a BP by id or name; absent: every BP.
 *   from    RFC 3339 instant, or a date YYYY-MM-DD meaning that day's
 *           00:00 in tz (the first valid instant after it when DST skips it).
 *   to      the same; an instant is excluded, a date is included whole (the
 *           range ends at the next day's 00:00).
 *   tz      the IANA zone of the dates; default UTC.
 *   format  json (default) or csv; the command line also takes table.
 *   limit   callbacks per page, 1..10000, default 1000.
 *   after   the cursor `next` of the previous page.
 * Without from and to the report covers the current shift of each BP (its
 * own zone and shift start); with only one of them the range is open on
 * the other side.
 *
 * Order: by BP name, then completion time, then id. Each page reads index
 * ranges only (store_report_completed), so its cost is bounded by limit.
 */
#ifndef CBD_REPORT_H
#define CBD_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "json.h"
#include "jsonw.h"
#include "store.h"

#define REPORT_LIMIT_DEFAULT 1000
#define REPORT_LIMIT_MAX 10000
#define REPORT_CURSOR_SIZE 72

enum report_format { REPORT_JSON, REPORT_CSV, REPORT_TABLE };

/* The parameters as text; NULL members are absent. */
struct report_args {
    const char *bp, *from, *to, *tz, *format, *limit, *after;
};

struct report_query {
    const char *bp_ref; /* as given (resolve with report_find_bp); NULL: every BP */
    int64_t bp_id;      /* 0: every BP */
    bool has_from, has_to;
    int64_t from, to;   /* completed_at in [from, to) */
    enum report_format format;
    int limit;
    bool after; /* continue after (after_bp, after_at, after_id) */
    int64_t after_bp, after_at, after_id;
};

/* Checks and converts every parameter but the BP's existence; false with
 * err naming the parameter ("from: not a date (YYYY-MM-DD) or an RFC 3339
 * instant"). table is accepted as a format only when allow_table. */
bool report_parse(const struct report_args *a, bool allow_table, struct report_query *q,
                  struct json_error *err);
/* Sets q to continue after the cursor "BP.AT.ID" (`next` of a page: the
 * BP id, completion time and id of its last callback); false when s is not
 * one. */
bool report_set_cursor(struct report_query *q, const char *s);
/* The BP named by id or name into q->bp_id; STORE_NOT_FOUND when none. */
enum store_result report_find_bp(struct store *st, struct report_query *q);

/* Passes the page's callbacks to each, at most q->limit. When more follow,
 * *more is set and cursor gets the `next` value. Read inside one read
 * snapshot for a consistent page. */
enum store_result report_run(struct store *st, const struct report_query *q, int64_t now,
                             store_report_each *each, void *ctx, bool *more,
                             char cursor[REPORT_CURSOR_SIZE]);

/* One callback as a JSON object written into w (an element of the
 * "completed" array). */
void report_json_row(struct jsonw *w, const struct store_report_row *row);
/* The CSV header line, and a callback's lines: one per attempt, the
 * callback's columns repeated (one line with empty attempt columns when it
 * has none). RFC 4180: CRLF line ends, fields quoted when they hold a
 * comma, quote or line break. */
void report_csv_header(FILE *out);
void report_csv_row(FILE *out, const struct store_report_row *row);
/* When the last attempt was recorded; 0 when there is none. */
int64_t report_last_attempt(const struct store_report_row *row);

#endif
