/*
 * app.h — cb-supervisor as one object: the session, what the dashboard
 * knows (model), and the state of each view. The files each own one part:
 * net.c talks to cbd and keeps the model current from the event stream;
 * monitor.c is the Business Process Monitor; detail.c the BP detail with
 * its tabs (performance.c, timing.c, search.c, current in detail.c,
 * completed.c); agents.c the Agents view; dnc.c the do-not-call list;
 * prompt.c the small dialogs (confirm, a line of text, a menu, a text
 * view); input.c the global keys and help; main.c the loop.
 */
#ifndef CB_SUPER_APP_H
#define CB_SUPER_APP_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <wchar.h>

#include "clientconf.h"
#include "console.h"
#include "httpc.h"
#include "jv.h"
#include "login.h"
#include "session.h"
#include "tui.h"

enum view { VIEW_MONITOR, VIEW_DETAIL, VIEW_AGENTS, VIEW_DNC };
enum tab { TAB_PERFORMANCE, TAB_TIMING, TAB_SEARCH, TAB_CURRENT, TAB_COMPLETED, TAB_COUNT };

/* The monitor's columns, in order. */
enum col { COL_BP, COL_STAT, COL_PROC, COL_TBP, COL_AVG, COL_PURGED, COL_REACHED, COL_FAIL, COL_COUNT };

/* A BP's row: the business process and its figures, and when each cell
 * last changed (for the brief highlight). */
struct bp_row {
    int64_t id;
    cJSON *bp;    /* GET /bps object, owned */
    cJSON *stats; /* its /stats row, owned, or NULL */
    time_t changed[COL_COUNT];
};

/* The prompt (one modal dialog at a time). */
enum prompt_kind { PROMPT_NONE, PROMPT_CONFIRM, PROMPT_TEXT, PROMPT_MENU, PROMPT_VIEW, PROMPT_HELP };

/* What a confirmation or a typed line leads to. */
enum prompt_action {
    ACT_NONE,
    ACT_BP_STOP,
    ACT_BP_START,
    ACT_BP_MENU,
    ACT_PURGE,
    ACT_QUEUE,
    ACT_CSV_PATH,
    ACT_DNC_ADD_NUMBER,
    ACT_DNC_ADD_NOTE,
    ACT_DNC_ADD_CONFIRM,
    ACT_DNC_REMOVE,
    ACT_DNC_IMPORT_PATH,
    ACT_DNC_IMPORT_CONFIRM,
    ACT_DNC_SEARCH,
    ACT_SEARCH_NUMBER,
    ACT_SEARCH_TARGET,
    ACT_REPORT_FROM,
    ACT_REPORT_TO,
    ACT_EDIT_DATE,
    ACT_EDIT_TIME,
    ACT_EDIT_TARGET,
    ACT_EDIT_CONFIRM,
    ACT_TIMING_VALUE,
    ACT_TIMING_RELOAD,
    ACT_QUIT,
};

struct prompt {
    enum prompt_kind kind;
    enum prompt_action action;
    char title[128];
    char text[8192];          /* the question, or the text to view */
    struct tui_field field;   /* PROMPT_TEXT */
    const char *items[8];     /* PROMPT_MENU */
    int n_items, sel, scroll;
    int64_t arg;
};

/* Callback Search of the open BP. */
struct search {
    int location; /* 0 any, 1 pending, 2 in queue, 3 with agent */
    char number[40];
    char target[80]; /* an agent login or a team name */
    int overdue;     /* 0 any, 1 overdue only, 2 not overdue */
    cJSON *page;     /* the rows shown */
    char next[160];  /* cursor of the next page, "" on the last */
    char cursors[64][160]; /* the cursor of each page so far ("" for the first) */
    int page_no;
    int sel, top;
    int64_t marked[512];
    int n_marked;
    int64_t confirm_ids[512]; /* what the open confirmation names */
    int n_confirm;
    unsigned seq; /* of the page asked for last: an older reply is dropped */
    bool loading;
    /* a bulk action under way */
    int bulk_left, bulk_ok, bulk_refused;
    char bulk_first_refusal[256];
    /* reschedule / reassign of one callback */
    int64_t edit_id, edit_version;
    char edit_date[16], edit_time[8], edit_target[80];
};

struct timing_edit {
    int64_t bp_id;
    int64_t version; /* the version the edits are based on */
    cJSON *orig;     /* the timing object as loaded */
    cJSON *edits;    /* the members changed, as the PATCH will send them */
    char errors[32][160];
    int sel, top;
    bool saving, stale;
};

struct report {
    char from[16], to[16];
    cJSON *rows;
    char next[160];
    int sel, top;
    bool loading;
    unsigned seq; /* of the report asked for last: an older reply is dropped */
    /* the CSV being written */
    FILE *csv;
    char csv_path[512];
    long csv_lines;
    /* the export's own query, kept from its start */
    int64_t csv_bp;
    char csv_tz[64], csv_from[16], csv_to[16];
};

struct app {
    struct session s;
    struct clientconf conf;
    struct login_form login;
    bool logged_in;
    char me[64], my_name[128];
    bool quit;
    /* the model */
    struct bp_row *rows;
    int n_rows;
    cJSON *agents;   /* GET /agents: user objects */
    cJSON *holding;  /* callbacks with agents, from /callbacks and events: for the Agents view */
    /* callbacks that events took out of the lists, so that a snapshot
     * answered later does not bring them back (a ring of the latest) */
    struct {
        int64_t id, version;
    } gone[4096];
    int gone_next;
    cJSON *current;  /* the open BP's callbacks in queue or with agents */
    cJSON *perf;     /* GET /bps/{id}/performance of the open BP */
    cJSON *dnc;      /* a page of the do-not-call list */
    char dnc_q[40], dnc_next[160];
    int dnc_sel, dnc_top;
    /* screen */
    enum view view;
    enum tab tab;
    int64_t bp_open; /* the BP of the detail view */
    int mon_sel, mon_top;
    enum col sort_col;
    bool sort_desc;
    int agents_sel, agents_top;
    int cur_sel, cur_top;
    struct search search;
    struct timing_edit timing;
    struct report report;
    struct prompt prompt;
    /* a DNC entry being added / a file being imported */
    char dnc_number[40], dnc_note[210], import_path[512];
    cJSON *import_lines;
    int import_left, import_ok, import_dup, import_bad;
    char import_first_error[256];
    struct console_status st;
    bool dirty;
    struct timespec drawn_at;
};

void app_status(struct app *a, enum console_level level, int seconds, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The BP row with that id, or NULL. */
struct bp_row *app_row(struct app *a, int64_t id);
const char *app_bp_name(struct app *a, int64_t id);

/* net.c */
void net_init(struct app *a);
void net_load_all(struct app *a);
/* A request whose reply goes to done(a, tag-specific handling) in net.c. */
void net_get(struct app *a, const char *path, int tag, int64_t arg);
void net_send(struct app *a, const char *method, const char *path, const cJSON *body, int tag,
              int64_t arg);
void net_logout(struct app *a);
enum net_tag {
    T_BPS,
    T_STATS,
    T_AGENTS,
    T_HOLDING,
    T_BP_STOP,
    T_BP_START,
    T_PERF,
    T_CURRENT_QUEUE,
    T_CURRENT_AGENT,
    T_SEARCH,
    T_SEARCH_ACTION,
    T_CALLBACK_VIEW,
    T_CALLBACK_EDIT,
    T_TIMING_SAVE,
    T_BP_RELOAD,
    T_REPORT,
    T_REPORT_CSV,
    T_DNC,
    T_DNC_ADD,
    T_DNC_REMOVE,
    T_DNC_IMPORT,
    T_LOGOUT,
};

/* monitor.c */
void monitor_draw(struct app *a, int top, int h);
bool monitor_key(struct app *a, wint_t ch, bool is_key);
void monitor_click(struct app *a, int y, int x, bool right);
/* The rows in the order shown. */
int monitor_order(struct app *a, struct bp_row **out, int max);
void monitor_bp_menu(struct app *a, int64_t bp_id);
/* Does a cell still carry its change highlight? */
bool monitor_flashing(const struct app *a);

/* detail.c (the tab frame and Current Interactions) */
void detail_open(struct app *a, int64_t bp_id);
void detail_draw(struct app *a, int top, int h);
bool detail_key(struct app *a, wint_t ch, bool is_key);
void detail_click(struct app *a, int y, int x);
void detail_tab_changed(struct app *a);
/* A callback changed: keep Current Interactions and the Agents view current. */
void detail_callback_event(struct app *a, const cJSON *cb);
/* A callback from a list reply (a snapshot): as an event, unless an event
 * already said it left (a newer version). */
void detail_snapshot_item(struct app *a, const cJSON *cb);
/* Starts loading who holds what (every page), the list emptied first. */
void detail_load_holding(struct app *a);

/* performance.c */
void performance_draw(struct app *a, int top, int h);
/* The open BP's figures changed: fetch the tab again (at most every 2 s). */
void performance_stats_changed(struct app *a, int64_t bp_id);
void performance_tick(struct app *a);

/* timing.c */
void timing_load(struct app *a);
/* The tab shown again: unsaved edits of the same BP are kept. */
void timing_enter(struct app *a);
/* Reloads the BP (after a confirmation when edits would be lost). */
void timing_reload(struct app *a);
void timing_draw(struct app *a, int top, int h);
bool timing_key(struct app *a, wint_t ch, bool is_key);
void timing_value_entered(struct app *a, const char *text);
void timing_saved(struct app *a, const struct httpc_reply *r);
void timing_bp_event(struct app *a, const cJSON *bp);

/* search.c */
void search_reload(struct app *a);
void search_draw(struct app *a, int top, int h);
bool search_key(struct app *a, wint_t ch, bool is_key);
void search_click(struct app *a, int row);
void search_page(struct app *a, const struct httpc_reply *r, int64_t seq);
void search_action_done(struct app *a, int64_t id, const struct httpc_reply *r);
void search_confirmed(struct app *a, enum prompt_action act);
void search_text_entered(struct app *a, enum prompt_action act, const char *text);
void search_callback_event(struct app *a, const cJSON *cb);
void search_view_reply(struct app *a, const struct httpc_reply *r);
void search_edit_reply(struct app *a, const struct httpc_reply *r);

/* completed.c */
void completed_reload(struct app *a);
void completed_draw(struct app *a, int top, int h);
bool completed_key(struct app *a, wint_t ch, bool is_key);
void completed_page(struct app *a, const struct httpc_reply *r, int64_t seq);
void completed_csv_page(struct app *a, const struct httpc_reply *r);
void completed_text_entered(struct app *a, enum prompt_action act, const char *text);

/* agents.c */
void agents_draw(struct app *a, int top, int h);
bool agents_key(struct app *a, wint_t ch, bool is_key);
void agents_presence_event(struct app *a, const cJSON *ev);

/* dnc.c */
void dnc_reload(struct app *a);
void dnc_draw(struct app *a, int top, int h);
bool dnc_key(struct app *a, wint_t ch, bool is_key);
void dnc_reply(struct app *a, int tag, int64_t arg, const struct httpc_reply *r);
void dnc_text_entered(struct app *a, enum prompt_action act, const char *text);
void dnc_confirmed(struct app *a, enum prompt_action act);

/* prompt.c */
void prompt_confirm(struct app *a, enum prompt_action act, int64_t arg, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void prompt_text(struct app *a, enum prompt_action act, int64_t arg, const char *title,
                 const char *initial, int max);
void prompt_menu(struct app *a, enum prompt_action act, int64_t arg, const char *title,
                 const char *const *items, int n);
/* A read-only text (lines separated by \n) the user scrolls and closes. */
void prompt_view(struct app *a, const char *title, const char *text);
void prompt_draw(struct app *a);
void prompt_key(struct app *a, wint_t ch, bool is_key);
void prompt_click(struct app *a, int y, int x);

/* input.c */
void input_key(struct app *a, wint_t ch, bool is_key);
void input_keybar_draw(struct app *a, int y);
void input_help(struct app *a);

#endif
