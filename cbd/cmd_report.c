/*
 * cmd_report.c — `cbd report completed`: report 6.04 on the command line,
 * the same report as GET /api/v1/reports/completed (report.c) printed to
 * standard output as an aligned table (default), CSV or JSON. It reads the
 * database with a read-only connection, so it runs beside a serving cbd,
 * and walks every page itself: the output is the whole report.
 *
 * Exit status: 0 printed; 1 the database cannot be read or the BP does not
 * exist; 2 the command line is wrong (unknown option, bad date, format or
 * zone).
 */
#include "cmd.h"

#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "report.h"
#include "xalloc.h"

#define CMD_REPORT_COLS 12

struct cmd_report_out {
    enum report_format format;
    struct cmd_table table;
    unsigned long rows;
};

static void cmd_report_table_row(struct cmd_table *t, const struct store_report_row *row)
{
    char id[24], entered[24], last[24], tries[24];
    snprintf(id, sizeof id, "%lld", (long long)row->id);
    cmd_format_instant(row->created_at, entered);
    cmd_format_instant(report_last_attempt(row), last);
    snprintf(tries, sizeof tries, "%d", row->nattempts);
    const char *end = row->end_state >= 0 ? end_display((enum end_state)row->end_state) : "-";
    int lines = row->nattempts ? row->nattempts : 1;
    for (int i = 0; i < lines; i++) {
        const struct cb_attempt *a = row->nattempts ? &row->attempts[i] : NULL;
        char no[16] = "-", at[24] = "-", handle[24] = "-";
        if (a) {
            snprintf(no, sizeof no, "%d", i + 1);
            cmd_format_instant(a->at, at);
            if (a->handle_s >= 0)
                snprintf(handle, sizeof handle, "%ds", a->handle_s);
        }
        /* the callback's columns on its first line only (" ": not "-") */
        bool first = i == 0;
        const char *cells[CMD_REPORT_COLS] = {
            first ? id : " ",
            first ? row->destination : " ",
            first ? row->bp_name : " ",
            first ? end : " ",
            first ? entered : " ",
            first ? last : " ",
            first ? tries : " ",
            no,
            at,
            a && a->agent_id ? a->agent_name : "-",
            a ? attempt_display(a->state) : "-",
            handle,
        };
        cmd_table_add(t, cells);
    }
}

/* Prints the table (when print) and frees it. */
static void cmd_report_table_end(struct cmd_table *t, bool print)
{
    if (print) {
        cmd_table_print(t, stdout);
        return;
    }
    for (size_t i = 0; i < t->rows * t->cols; i++)
        free(t->cells[i]);
    free(t->cells);
    memset(t, 0, sizeof *t);
}

static bool cmd_report_each(void *ctx, const struct store_report_row *row)
{
    struct cmd_report_out *o = ctx;
    if (o->format == REPORT_CSV) {
        report_csv_row(stdout, row);
    } else if (o->format == REPORT_JSON) {
        struct jsonw w;
        jsonw_init(&w);
        report_json_row(&w, row);
        char *text = jsonw_take(&w, NULL);
        printf("%s\n    %s", o->rows ? "," : "", text);
        free(text);
    } else {
        cmd_report_table_row(&o->table, row);
    }
    o->rows++;
    return true;
}

static const char cmd_report_usage[] =
    "--db PATH [--bp BP] [--from T] [--to T] [--tz ZONE]\n"
    "       [--format table|csv|json]\n\n"
    "Prints report 6.04, Completed Callback Interaction: every completed callback\n"
    "with its end state, entrance time, last attempt time and every attempt (time,\n"
    "agent, attempt state, handle time), ordered by business process, then\n"
    "completion time.\n\n"
    "  --bp BP        one business process, by id or name (default: all)\n"
    "  --from T       completed at or after T: a date YYYY-MM-DD (its 00:00 in\n"
    "                 --tz) or an RFC 3339 instant\n"
    "  --to T         completed before T; a date counts whole\n"
    "  --tz ZONE      the IANA zone of the dates (default UTC)\n"
    "  --format F     table (default; aligned for a terminal), csv (RFC 4180,\n"
    "                 one line per attempt) or json\n\n"
    "Without --from and --to: the current shift of each business process.\n";

static int cmd_report_completed(const char *prog, int argc, char **argv)
{
    struct report_args args = {0};
    args.format = "table";
    const struct cmd_opt opts[] = {
        {"bp", CMD_VALUE, .value = &args.bp},
        {"from", CMD_VALUE, .value = &args.from},
        {"to", CMD_VALUE, .value = &args.to},
        {"tz", CMD_VALUE, .value = &args.tz},
        {"format", CMD_VALUE, .value = &args.format},
        {NULL},
    };
    struct cmd_args a = {.usage = cmd_report_usage, .opts = opts};
    int status = cmd_read_args(prog, argc, argv, &a);
    if (status != CMD_GO_ON)
        return status;
    struct report_query q;
    struct json_error err;
    if (!report_parse(&args, true, &q, &err))
        return cmd_usage_error(prog, "--%s", err.message);
    q.limit = REPORT_LIMIT_MAX;

    char why[512];
    struct store *st = store_open(a.db, STORE_READER, false, why, sizeof why);
    if (st == NULL)
        return cmd_fail(prog, "%s", why);
    status = 0;
    struct cmd_report_out out = {.format = q.format};
    static const char *const headers[CMD_REPORT_COLS] = {
        "ID", "DESTINATION", "BP", "END STATE", "ENTERED", "LAST ATTEMPT", "TRIES",
        "#", "ATTEMPT AT", "AGENT", "ATTEMPT STATE", "HANDLE"};
    if (q.format == REPORT_TABLE)
        cmd_table_init(&out.table, CMD_REPORT_COLS, headers);
    else if (q.format == REPORT_CSV)
        report_csv_header(stdout);
    else
        printf("{\"completed\": [");
    int64_t now = clock_now();
    enum store_result r = STORE_OK;
    for (;;) {
        bool more = false;
        char cursor[REPORT_CURSOR_SIZE];
        store_read_begin(st);
        r = report_find_bp(st, &q);
        if (r == STORE_OK)
            r = report_run(st, &q, now, cmd_report_each, &out, &more, cursor);
        store_read_end(st);
        if (r != STORE_OK || !more)
            break;
        if (!report_set_cursor(&q, cursor)) { /* our own cursor: cannot fail */
            r = STORE_ERROR;
            break;
        }
    }
    if (r == STORE_NOT_FOUND) {
        status = cmd_fail(prog, "no business process '%s'", q.bp_ref);
    } else if (r != STORE_OK) {
        status = cmd_store_fail(prog, st);
    }
    if (q.format == REPORT_TABLE) {
        if (status == 0 && out.rows == 0)
            printf("no completed callbacks\n");
        cmd_report_table_end(&out.table, status == 0 && out.rows > 0);
    } else if (q.format == REPORT_JSON && status == 0) {
        printf("%s]}\n", out.rows ? "\n" : "");
    }
    store_close(st);
    return status;
}

static const struct cmd_action cmd_report_actions[] = {
    {"completed", cmd_report_completed,
     "completed --db PATH [--bp BP] [--from T] [--to T] [--tz ZONE] [--format table|csv|json]"},
};

int cmd_report(int argc, char **argv)
{
    return cmd_dispatch("report", cmd_report_actions,
                        sizeof cmd_report_actions / sizeof cmd_report_actions[0], argc, argv);
}
