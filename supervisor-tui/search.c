/*
 * search.c — the Callback Search tab: the business process's callbacks to
 * be processed, paged from the server by cursor (a page is as many rows as
 * fit; PgDn and PgUp walk the pages, so a BP with a million callbacks
 * scrolls as fast as one with ten), with filters on the location, the
 * number, the agent or team and being overdue. Rows show the Number of
 * Attempts and the Interaction Location in the seed's words.
 *
 * On Pending rows: send to queue and purge, for the selected row or every
 * marked one, after a confirmation that says how many; the server's
 * refusal of a row that stopped being Pending meanwhile is counted and
 * shown. Enter shows one callback with every attempt; e reschedules or
 * reassigns a Pending one (with its version, so a change made meanwhile is
 * refused, not overwritten).
 */
#include "app.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serverclock.h"
#include "timefmt.h"
#include "tz.h"
#include "vocab.h"

static const char *const search_locations[] = {"", "pending", "handling_by_business_process",
                                               "handling_by_agent"};
static const char *const search_location_names[] = {"any", "Pending", "HandlingByBusinessProcess",
                                                    "HandlingByAgent"};
/* The rows a page holds: what fits under the header, the tabs, the filter
 * line and the column titles, above the hint line, the status line and the
 * key bar; known before the tab is first drawn. */
static int search_rows_fit(void)
{
    int rows = LINES - 8;
    return rows < 5 ? 5 : (rows > 200 ? 200 : rows);
}

/* Is name an agent's login (else it is taken as a team's name)? */
static bool search_is_agent(const struct app *a, const char *name)
{
    const cJSON *ag;
    cJSON_ArrayForEach(ag, a->agents)
    {
        if (strcmp(jv_str(ag, "login"), name) == 0)
            return true;
    }
    return false;
}

static void search_fetch(struct app *a, const char *cursor)
{
    struct search *s = &a->search;
    char path[1024];
    int n = snprintf(path, sizeof path, "/api/v1/callbacks?bp=%lld&limit=%d", (long long)a->bp_open,
                     search_rows_fit());
    if (s->location)
        n += snprintf(path + n, sizeof path - (size_t)n, "&location=%s", search_locations[s->location]);
    if (s->number[0]) {
        char *e = httpc_escape(s->number);
        n += snprintf(path + n, sizeof path - (size_t)n, "&number=%s", e);
        free(e);
    }
    if (s->target[0]) {
        char *e = httpc_escape(s->target);
        n += snprintf(path + n, sizeof path - (size_t)n, "&%s=%s",
                      search_is_agent(a, s->target) ? "agent" : "team", e);
        free(e);
    }
    if (s->overdue)
        n += snprintf(path + n, sizeof path - (size_t)n, "&overdue=%s", s->overdue == 1 ? "true" : "false");
    if (cursor && cursor[0]) {
        char *e = httpc_escape(cursor);
        snprintf(path + n, sizeof path - (size_t)n, "&after=%s", e);
        free(e);
    }
    s->loading = true;
    net_get(a, path, T_SEARCH, ++s->seq);
}

void search_reload(struct app *a)
{
    struct search *s = &a->search;
    s->page_no = 0;
    s->cursors[0][0] = '\0';
    search_fetch(a, "");
}

void search_page(struct app *a, const struct httpc_reply *r, int64_t seq)
{
    struct search *s = &a->search;
    if ((unsigned)seq != s->seq)
        return; /* a newer page was asked for (or another BP opened) */
    s->loading = false;
    if (r->status != 200) {
        app_status(a, CONSOLE_ERROR, 8, "Search: %s", r->status ? r->message : "cannot reach the server");
        return;
    }
    cJSON_Delete(s->page);
    s->page = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(r->json, "callbacks"), 1);
    snprintf(s->next, sizeof s->next, "%s", jv_str(r->json, "next"));
    a->dirty = true;
}

void search_callback_event(struct app *a, const cJSON *cb)
{
    /* only a row shown is refreshed: the page is the server's */
    struct search *s = &a->search;
    if (jv_index_of_id(s->page, jv_int(cb, "id", 0)) >= 0 && jv_upsert_by_id(s->page, cb, true) == JV_REPLACED)
        a->dirty = true;
}

static bool search_marked(const struct search *s, int64_t id)
{
    for (int i = 0; i < s->n_marked; i++)
        if (s->marked[i] == id)
            return true;
    return false;
}

static void search_toggle(struct search *s, int64_t id)
{
    for (int i = 0; i < s->n_marked; i++)
        if (s->marked[i] == id) {
            s->marked[i] = s->marked[--s->n_marked];
            return;
        }
    if (s->n_marked < (int)(sizeof s->marked / sizeof s->marked[0]))
        s->marked[s->n_marked++] = id;
}

static const char *search_loc_display(const char *wire)
{
    enum location l;
    return location_parse(wire, &l) ? location_display(l) : wire;
}

void search_draw(struct app *a, int top, int h)
{
    struct search *s = &a->search;
    static const char *const overdue_names[] = {"any", "overdue", "not overdue"};
    tui_putf(top, 1, COLS - 2, TUI_DIM, true, "page %d%s · l %s · n %s · t %s · o %s · c clear",
             s->page_no + 1, s->loading ? " (loading…)" : "", search_location_names[s->location],
             s->number[0] ? s->number : "any number", s->target[0] ? s->target : "any agent/team",
             overdue_names[s->overdue]);
    /* below 112 columns the window end gives way, so that the target shows */
    static const int wide[] = {2, 7, 16, 25, -3, 12, 12, 24};
    static const int narrow[] = {2, 6, 14, 25, -3, 12, 30};
    static const char *const titles[] = {"", "ID", "Number", "Interaction Location", "Att", "Due",
                                         "Window end", "Target"};
    static const char *const narrow_titles[] = {"", "ID", "Number", "Interaction Location", "Att", "Due",
                                                "Target"};
    bool is_narrow = COLS < 112;
    const int *widths = is_narrow ? narrow : wide;
    int ncells = is_narrow ? 7 : 8;
    tui_cells(top + 1, 0, COLS, TUI_TITLE, ncells, widths, is_narrow ? narrow_titles : titles);
    int n = cJSON_GetArraySize(s->page), rows = h - 3;
    if (n == 0) {
        tui_put(top + 2, 2, COLS - 4, TUI_DIM, s->loading ? "Loading…" : "No callbacks match.", true);
    }
    tui_list_clamp(&s->sel, NULL, n, 0);
    int64_t now = serverclock_now();
    for (int i = 0; i < rows && i < n; i++) {
        const cJSON *cb = cJSON_GetArrayItem(s->page, i);
        char due[32], end[32], target[96];
        timefmt_agent(jv_instant(cb, "due_at"), due, sizeof due);
        timefmt_agent(jv_instant(cb, "window_end"), end, sizeof end);
        bool overdue = jv_bool(cb, "overdue") || (jv_instant(cb, "window_end") < now &&
                                                   strcmp(jv_str(cb, "location"), "completed") != 0);
        snprintf(target, sizeof target, "%s %s", jv_str(cb, "routing"),
                 strcmp(jv_str(cb, "routing"), "agent") == 0 ? jv_str(cb, "agent") : jv_str(cb, "team"));
        enum tui_role role = i == s->sel ? TUI_SELECTED : (overdue ? TUI_WARN : TUI_NORMAL);
        char mark[8], id[24], att[24];
        snprintf(mark, sizeof mark, "%s%s", search_marked(s, jv_int(cb, "id", 0)) ? "▶" : " ", overdue ? "!" : " ");
        snprintf(id, sizeof id, "%lld", (long long)jv_int(cb, "id", 0));
        snprintf(att, sizeof att, "%lld", (long long)jv_int(cb, "attempts", 0));
        const char *cells[] = {mark, id, jv_str(cb, "destination"), search_loc_display(jv_str(cb, "location")),
                               att, due, is_narrow ? target : end, target};
        tui_cells(top + 2 + i, 0, COLS, role, ncells, widths, cells);
    }
    tui_putf(top + h - 1, 1, COLS - 2, TUI_DIM, true,
             "%d marked · Space mark · * mark Pending · Q queue · P purge · Enter view · e edit · PgDn/PgUp",
             s->n_marked);
}

/* The ids an action applies to: the marked rows, else the selected one. */
static int search_targets(struct app *a, int64_t *ids, int max)
{
    struct search *s = &a->search;
    if (s->n_marked > 0) {
        int n = s->n_marked < max ? s->n_marked : max;
        memcpy(ids, s->marked, (size_t)n * sizeof *ids);
        return n;
    }
    const cJSON *cb = cJSON_GetArrayItem(s->page, s->sel);
    if (cb == NULL)
        return 0;
    ids[0] = jv_int(cb, "id", 0);
    return 1;
}

void search_confirmed(struct app *a, enum prompt_action act)
{
    struct search *s = &a->search;
    if (act == ACT_EDIT_CONFIRM) {
        cJSON *body = cJSON_CreateObject();
        cJSON_AddNumberToObject(body, "version", (double)s->edit_version);
        cJSON_AddStringToObject(body, "date", s->edit_date);
        cJSON_AddStringToObject(body, "time", s->edit_time);
        if (s->edit_target[0]) {
            bool is_agent = search_is_agent(a, s->edit_target);
            cJSON_AddStringToObject(body, "routing", is_agent ? "agent" : "team");
            cJSON_AddStringToObject(body, is_agent ? "agent" : "team", s->edit_target);
        }
        char path[96];
        snprintf(path, sizeof path, "/api/v1/callbacks/%lld", (long long)s->edit_id);
        net_send(a, "PATCH", path, body, T_CALLBACK_EDIT, s->edit_id);
        cJSON_Delete(body);
        return;
    }
    int64_t *ids = s->confirm_ids;
    int n = s->n_confirm;
    s->n_confirm = 0;
    s->bulk_left = n;
    s->bulk_ok = s->bulk_refused = 0;
    s->bulk_first_refusal[0] = '\0';
    for (int i = 0; i < n; i++) {
        char path[96];
        snprintf(path, sizeof path, "/api/v1/callbacks/%lld/%s", (long long)ids[i],
                 act == ACT_PURGE ? "purge" : "queue");
        net_send(a, "POST", path, NULL, T_SEARCH_ACTION, act == ACT_PURGE ? -ids[i] : ids[i]);
    }
    s->n_marked = 0;
}

void search_action_done(struct app *a, int64_t arg, const struct httpc_reply *r)
{
    struct search *s = &a->search;
    bool purge = arg < 0;
    int64_t id = purge ? -arg : arg;
    if (r->status == 200) {
        s->bulk_ok++;
        search_callback_event(a, r->json);
    } else {
        s->bulk_refused++;
        if (s->bulk_first_refusal[0] == '\0')
            snprintf(s->bulk_first_refusal, sizeof s->bulk_first_refusal, "#%lld: %s", (long long)id,
                     r->status ? r->message : "cannot reach the server");
    }
    if (--s->bulk_left > 0)
        return;
    if (s->bulk_refused)
        app_status(a, CONSOLE_ERROR, 12, "%d %s, %d refused — %s", s->bulk_ok,
                   purge ? "purged" : "sent to queue", s->bulk_refused, s->bulk_first_refusal);
    else
        app_status(a, CONSOLE_INFO, 6, "%d %s", s->bulk_ok, purge ? "purged" : "sent to queue");
    search_fetch(a, s->cursors[s->page_no]);
}

void search_view_reply(struct app *a, const struct httpc_reply *r)
{
    if (r->status != 200) {
        app_status(a, CONSOLE_ERROR, 8, "%s", r->status ? r->message : "cannot reach the server");
        return;
    }
    const cJSON *cb = r->json, *at;
    char text[8192], due[32], end[32], created[32];
    timefmt_agent(jv_instant(cb, "due_at"), due, sizeof due);
    timefmt_agent(jv_instant(cb, "window_end"), end, sizeof end);
    timefmt_agent(jv_instant(cb, "created_at"), created, sizeof created);
    const char *es = jv_str(cb, "end_state");
    size_t n = (size_t)snprintf(text, sizeof text,
                                "Number     %s\nLocation   %s%s%s\nDue        %s (window to %s), customer zone %s\n"
                                "Routing    %s %s\nAttempts   %lld\nRemark     %s\nCreated    %s by %s (%s)\n"
                                "History:\n",
                                jv_str(cb, "destination"), search_loc_display(jv_str(cb, "location")),
                                es[0] ? ", " : "", es, due, end, jv_str(cb, "tz"), jv_str(cb, "routing"),
                                strcmp(jv_str(cb, "routing"), "agent") == 0 ? jv_str(cb, "agent")
                                                                            : jv_str(cb, "team"),
                                (long long)jv_int(cb, "attempts", 0), jv_str(cb, "remark"), created,
                                jv_str(cb, "created_by"), jv_str(cb, "origin"));
    int k = 0;
    cJSON_ArrayForEach(at, cJSON_GetObjectItemCaseSensitive(cb, "history"))
    {
        char when[32];
        enum attempt_state st;
        timefmt_agent(jv_instant(at, "at"), when, sizeof when);
        const char *agent = jv_str(at, "agent_name");
        if (n < sizeof text)
            n += (size_t)snprintf(text + n, sizeof text - n, "  %d. %-12s %-20s %s\n", ++k, when,
                                  attempt_parse(jv_str(at, "state"), &st) ? attempt_display(st) : "?",
                                  agent[0] ? agent : "—");
    }
    if (k == 0 && n < sizeof text)
        snprintf(text + n, sizeof text - n, "  (no attempts yet)");
    char title[64];
    snprintf(title, sizeof title, "Callback %lld", (long long)jv_int(cb, "id", 0));
    prompt_view(a, title, text);
}

void search_edit_reply(struct app *a, const struct httpc_reply *r)
{
    if (r->status == 200) {
        search_callback_event(a, r->json);
        app_status(a, CONSOLE_INFO, 6, "Callback %lld changed", (long long)jv_int(r->json, "id", 0));
    } else {
        app_status(a, CONSOLE_ERROR, 12, "Not changed: %s%s%s",
                   r->status ? r->message : "cannot reach the server",
                   strcmp(r->code, "version_conflict") == 0 ? " (it changed meanwhile; look again)" : "",
                   "");
    }
    search_fetch(a, a->search.cursors[a->search.page_no]);
}

void search_text_entered(struct app *a, enum prompt_action act, const char *text)
{
    struct search *s = &a->search;
    switch (act) {
    case ACT_SEARCH_NUMBER:
        snprintf(s->number, sizeof s->number, "%s", text);
        search_reload(a);
        break;
    case ACT_SEARCH_TARGET:
        snprintf(s->target, sizeof s->target, "%s", text);
        search_reload(a);
        break;
    case ACT_EDIT_DATE:
        snprintf(s->edit_date, sizeof s->edit_date, "%s", text);
        prompt_text(a, ACT_EDIT_TIME, s->edit_id, "New start time (HH:MM, customer's zone)", s->edit_time, 5);
        break;
    case ACT_EDIT_TIME:
        snprintf(s->edit_time, sizeof s->edit_time, "%s", text);
        prompt_text(a, ACT_EDIT_TARGET, s->edit_id, "Agent login or team name", s->edit_target, 60);
        break;
    case ACT_EDIT_TARGET:
        snprintf(s->edit_target, sizeof s->edit_target, "%s", text);
        prompt_confirm(a, ACT_EDIT_CONFIRM, s->edit_id, "Reschedule callback %lld to %s %s, for %s?",
                       (long long)s->edit_id, s->edit_date, s->edit_time,
                       s->edit_target[0] ? s->edit_target : "the same target");
        break;
    default:
        break;
    }
}

/* e: reschedule / reassign the selected Pending callback. */
static void search_edit(struct app *a)
{
    struct search *s = &a->search;
    const cJSON *cb = cJSON_GetArrayItem(s->page, s->sel);
    if (cb == NULL)
        return;
    if (strcmp(jv_str(cb, "location"), "pending") != 0) {
        app_status(a, CONSOLE_WARN, 5, "Only a Pending callback can be rescheduled or reassigned");
        return;
    }
    s->edit_id = jv_int(cb, "id", 0);
    s->edit_version = jv_int(cb, "version", 0);
    const char *why;
    const struct tz_zone *z = tz_find(jv_str(cb, "tz"), &why);
    struct civil_time ct = {0};
    if (z)
        tz_utc_to_local(z, jv_instant(cb, "due_at"), &ct, NULL);
    snprintf(s->edit_date, sizeof s->edit_date, "%04d-%02d-%02d", ct.year, ct.month, ct.day);
    snprintf(s->edit_time, sizeof s->edit_time, "%02d:%02d", ct.hour, ct.minute);
    snprintf(s->edit_target, sizeof s->edit_target, "%s",
             strcmp(jv_str(cb, "routing"), "agent") == 0 ? jv_str(cb, "agent") : jv_str(cb, "team"));
    char title[128];
    snprintf(title, sizeof title, "New date for callback %lld (YYYY-MM-DD, in %s)", (long long)s->edit_id,
             jv_str(cb, "tz"));
    prompt_text(a, ACT_EDIT_DATE, s->edit_id, title, s->edit_date, 10);
}

static void search_bulk(struct app *a, enum prompt_action act)
{
    /* the rows are taken now, as the question names them: the page may
     * change before the answer */
    struct search *s = &a->search;
    s->n_confirm = search_targets(a, s->confirm_ids, 512);
    int64_t *ids = s->confirm_ids;
    int n = s->n_confirm;
    if (n == 0)
        return;
    const char *verb = act == ACT_PURGE ? "Purge" : "Send to queue";
    if (n == 1)
        prompt_confirm(a, act, 0, "%s callback %lld?%s", verb, (long long)ids[0],
                       act == ACT_PURGE ? " It ends as Purged and is not called." : "");
    else
        prompt_confirm(a, act, 0, "%s %d callbacks?%s", verb, n,
                       act == ACT_PURGE ? " They end as Purged and are not called." : "");
}

bool search_key(struct app *a, wint_t ch, bool is_key)
{
    struct search *s = &a->search;
    if (is_key) {
        switch (ch) {
        case KEY_UP:
            s->sel--;
            return true;
        case KEY_DOWN:
            s->sel++;
            return true;
        case KEY_NPAGE:
            if (s->next[0] && s->page_no < 63) {
                s->page_no++;
                snprintf(s->cursors[s->page_no], sizeof s->cursors[0], "%s", s->next);
                s->sel = 0;
                search_fetch(a, s->cursors[s->page_no]);
            } else {
                app_status(a, CONSOLE_INFO, 3, "This is the last page");
            }
            return true;
        case KEY_PPAGE:
            if (s->page_no > 0) {
                s->page_no--;
                s->sel = 0;
                search_fetch(a, s->cursors[s->page_no]);
            }
            return true;
        case KEY_ENTER:
            ch = '\r';
            break;
        default:
            return false;
        }
    }
    const cJSON *cb = cJSON_GetArrayItem(s->page, s->sel);
    char path[96];
    switch (ch) {
    case 'l':
        s->location = (s->location + 1) % 4;
        search_reload(a);
        return true;
    case 'o':
        s->overdue = (s->overdue + 1) % 3;
        search_reload(a);
        return true;
    case 'n':
        prompt_text(a, ACT_SEARCH_NUMBER, 0, "Number (empty: any)", s->number, 32);
        return true;
    case 't':
        prompt_text(a, ACT_SEARCH_TARGET, 0, "Agent login or team name (empty: any)", s->target, 60);
        return true;
    case 'c':
        s->location = 1;
        s->overdue = 0;
        s->number[0] = s->target[0] = '\0';
        s->n_marked = 0;
        search_reload(a);
        return true;
    case ' ':
        if (cb)
            search_toggle(s, jv_int(cb, "id", 0));
        s->sel++;
        return true;
    case '*': {
        const cJSON *it;
        cJSON_ArrayForEach(it, s->page)
        {
            if (strcmp(jv_str(it, "location"), "pending") == 0 && !search_marked(s, jv_int(it, "id", 0)))
                search_toggle(s, jv_int(it, "id", 0));
        }
        return true;
    }
    case 'Q':
        search_bulk(a, ACT_QUEUE);
        return true;
    case 'P':
        search_bulk(a, ACT_PURGE);
        return true;
    case 'e':
        search_edit(a);
        return true;
    case '\r':
    case '\n':
        if (cb) {
            snprintf(path, sizeof path, "/api/v1/callbacks/%lld", (long long)jv_int(cb, "id", 0));
            net_get(a, path, T_CALLBACK_VIEW, jv_int(cb, "id", 0));
        }
        return true;
    default:
        return false;
    }
}

void search_click(struct app *a, int row)
{
    if (row >= 0 && row < cJSON_GetArraySize(a->search.page))
        a->search.sel = row;
}
