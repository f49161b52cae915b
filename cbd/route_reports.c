/*
 * route_reports.c — GET /api/v1/reports/completed (supervisor): report
 * 6.04 as JSON {"completed": [...], "next": "CURSOR"} or as CSV
 * (text/csv, one line per attempt; the cursor of the next page, if any, in
 * the X-Next-Cursor header). Parameters, order and forms are report.c's;
 * a page is read inside one read snapshot of this thread's reader.
 */
#include "routes.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "report.h"

enum route_report_param { RR_BP, RR_FROM, RR_TO, RR_TZ, RR_FORMAT, RR_LIMIT, RR_AFTER, RR__COUNT };

static const char *const route_report_names[RR__COUNT] = {"bp",     "from",  "to",   "tz",
                                                          "format", "limit", "after"};


struct route_report_page {
    enum report_format format;
    struct jsonw *w; /* json */
    FILE *csv;       /* csv */
};

static bool route_report_each(void *ctx, const struct store_report_row *row)
{
    struct route_report_page *p = ctx;
    if (p->format == REPORT_CSV)
        report_csv_row(p->csv, row);
    else
        report_json_row(p->w, row);
    return true;
}

void route_reports_completed(struct http_request *req)
{
    struct {
        const char *value[RR__COUNT];
    } a;
    struct json_error err;
    if (!http_query_args(req, route_report_names, RR__COUNT, a.value, &err)) {
        http_reply_field_error(req, &err);
        return;
    }
    struct report_args args = {a.value[RR_BP],     a.value[RR_FROM],  a.value[RR_TO],
                               a.value[RR_TZ],     a.value[RR_FORMAT], a.value[RR_LIMIT],
                               a.value[RR_AFTER]};
    struct report_query q;
    if (!report_parse(&args, false, &q, &err)) {
        http_reply_field_error(req, &err);
        return;
    }
    struct store *rd = store_reader();
    if (rd == NULL) {
        http_reply_error(req, ERR_UNAVAILABLE, NULL, NULL);
        return;
    }
    store_read_begin(rd);
    enum store_result r = report_find_bp(rd, &q);
    if (r == STORE_NOT_FOUND) {
        store_read_end(rd);
        json_error_set(&err, "bp", "unknown business process");
        http_reply_field_error(req, &err);
        return;
    }
    struct jsonw w;
    jsonw_init(&w);
    char *csv_text = NULL;
    size_t csv_len = 0;
    struct route_report_page page = {.format = q.format, .w = &w};
    bool more = false;
    char cursor[REPORT_CURSOR_SIZE] = "";
    if (r == STORE_OK) {
        if (q.format == REPORT_CSV) {
            page.csv = open_memstream(&csv_text, &csv_len);
            report_csv_header(page.csv);
        } else {
            jsonw_object_begin(&w);
            jsonw_key(&w, "completed");
            jsonw_array_begin(&w);
        }
        r = report_run(rd, &q, clock_now(), route_report_each, &page, &more, cursor);
    }
    store_read_end(rd);
    if (page.csv)
        fclose(page.csv); /* csv_text and csv_len are final now */
    if (r != STORE_OK) {
        jsonw_clear(&w);
        free(csv_text);
        http_reply_error(req, ERR_INTERNAL, NULL, "storage error");
        return;
    }
    if (q.format == REPORT_CSV) {
        jsonw_clear(&w);
        http_reply_text(req, 200, "text/csv; charset=utf-8", csv_text, csv_len);
        if (more)
            http_add_header(req, "X-Next-Cursor", cursor);
        return;
    }
    jsonw_array_end(&w);
    if (more) {
        jsonw_key(&w, "next");
        jsonw_string(&w, cursor);
    }
    jsonw_object_end(&w);
    http_reply_jsonw(req, 200, &w);
}
