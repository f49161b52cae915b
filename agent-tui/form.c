/*
 * form.c — "Schedule a Callback": the scheduling form (DESIGN.md §5
 * "Creating", seed 000). Destination, Business Process, Date (typed or
 * picked on a month calendar), Start Time, Customer Time Zone (typed; a
 * list of the server's zones that match what is typed follows, so "new y"
 * finds America/New_York), Routing Type (only those the BP offers), Agent /
 * Team (following the routing type and the BP) and Remark, with the slot
 * grid of the chosen day in the customer's zone (full slots greyed).
 *
 * Opened from the panel (date and time filled), from the active interaction
 * or a Call History entry (destination, BP, date and time filled), and for
 * the new time of a Callback Requested completion. A DST gap, a past time,
 * a bad number or date are caught here before saving; the server's field
 * errors are shown beside their field; nothing typed is lost on an error.
 */
#include "app.h"

#include <ctype.h>
#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "civil.h"
#include "phone.h"
#include "serverclock.h"
#include "tz.h"

static const char *const form_labels[FF_COUNT] = {
    "Destination", "Business Process", "Date", "Start Time",
    "Customer Time Zone", "Routing Type", "Agent / Team", "Remark",
};

static bool form_is_text(int f)
{
    return f == FF_DESTINATION || f == FF_DATE || f == FF_TIME || f == FF_TZ || f == FF_REMARK;
}

static bool form_fixed(const struct app *a, int f)
{
    return a->form.origin == FORM_RESCHEDULE && (f == FF_DESTINATION || f == FF_BP);
}

/* The routing types the form's BP offers: bit 0 agent, bit 1 team. */
static unsigned form_routings(const struct app *a)
{
    const cJSON *bp = model_bp(&a->m, a->form.bp_id), *r;
    unsigned set = 0;
    cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(bp, "routing"))
    {
        if (cJSON_IsString(r) && strcmp(r->valuestring, "agent") == 0)
            set |= 1;
        if (cJSON_IsString(r) && strcmp(r->valuestring, "team") == 0)
            set |= 2;
    }
    return set ? set : 3;
}

static bool form_team_serves(const cJSON *team, int64_t bp_id)
{
    const cJSON *b;
    cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(team, "bps"))
    {
        if (jv_int(b, "id", 0) == bp_id)
            return true;
    }
    return false;
}

/* The choices of Agent / Team for the BP and routing type: logins of the
 * members of the teams serving the BP, or those teams' names. Up to max;
 * returns how many. Strings point into the model. */
static int form_targets(const struct app *a, const char **out, int max)
{
    int n = 0;
    const cJSON *team, *mem;
    cJSON_ArrayForEach(team, a->m.dir_teams)
    {
        if (!form_team_serves(team, a->form.bp_id))
            continue;
        if (a->form.routing == 1) {
            if (n < max)
                out[n++] = jv_str(team, "name");
            continue;
        }
        cJSON_ArrayForEach(mem, cJSON_GetObjectItemCaseSensitive(team, "members"))
        {
            const char *login = jv_str(mem, "login");
            bool seen = false;
            for (int i = 0; i < n; i++)
                seen = seen || strcmp(out[i], login) == 0;
            if (!seen && n < max)
                out[n++] = login;
        }
    }
    return n;
}

/* After the BP or routing changed: a routing the BP offers, a target in
 * the list (me, or my team, when I am in it). */
static void form_fit_target(struct app *a)
{
    unsigned set = form_routings(a);
    if (!(set & (1u << a->form.routing)))
        a->form.routing = (set & 1) ? 0 : 1;
    const char *t[256];
    int n = form_targets(a, t, 256);
    for (int i = 0; i < n; i++)
        if (strcmp(t[i], a->form.target) == 0)
            return;
    a->form.target[0] = '\0';
    for (int i = 0; i < n; i++) {
        bool mine = false;
        if (a->form.routing == 0)
            mine = strcmp(t[i], a->m.login) == 0;
        else {
            const cJSON *tm;
            cJSON_ArrayForEach(tm, a->m.teams)
            {
                mine = mine || strcmp(jv_str(tm, "name"), t[i]) == 0;
            }
        }
        if (mine) {
            snprintf(a->form.target, sizeof a->form.target, "%s", t[i]);
            return;
        }
    }
    if (n > 0)
        snprintf(a->form.target, sizeof a->form.target, "%s", t[0]);
}

/* Fills date and time with the next quarter hour of the clock of zone tz
 * (the agent's own clock when tz is unknown). */
static void form_fill_now(struct app *a, const char *tz)
{
    int64_t t = serverclock_now() + 15 * 60;
    t -= t % (15 * 60);
    char date[16], clock[8];
    const char *why;
    const struct tz_zone *z = tz && tz[0] ? tz_find(tz, &why) : NULL;
    if (z) {
        struct civil_time ct;
        tz_utc_to_local(z, t, &ct, NULL);
        snprintf(date, sizeof date, "%04d-%02d-%02d", ct.year, ct.month, ct.day);
        snprintf(clock, sizeof clock, "%02d:%02d", ct.hour, ct.minute);
    } else {
        time_t tt = (time_t)t;
        struct tm tm;
        localtime_r(&tt, &tm);
        strftime(date, sizeof date, "%Y-%m-%d", &tm);
        strftime(clock, sizeof clock, "%H:%M", &tm);
    }
    tui_field_set(&a->form.text[FF_DATE], date);
    tui_field_set(&a->form.text[FF_TIME], clock);
}

void form_close(struct app *a)
{
    cJSON_Delete(a->form.slots);
    a->form.slots = NULL;
    if (a->dlg == DLG_FORM)
        a->dlg = DLG_NONE;
}

void form_open(struct app *a, enum form_origin origin, const cJSON *from)
{
    if (origin != FORM_RESCHEDULE && !a->m.can_schedule) {
        app_status(a, CONSOLE_WARN, 6, "Your profile may not schedule callbacks; ask a supervisor");
        return;
    }
    if (a->m.bps == NULL || cJSON_GetArraySize(a->m.bps) == 0) {
        app_status(a, CONSOLE_WARN, 4, "The business processes are not loaded yet; try again");
        return;
    }
    form_close(a);
    struct form *f = &a->form;
    memset(f, 0, sizeof *f);
    f->origin = origin;
    tui_field_init(&f->text[FF_DESTINATION], 32, false);
    tui_field_init(&f->text[FF_DATE], 10, false);
    tui_field_init(&f->text[FF_TIME], 5, false);
    tui_field_init(&f->text[FF_TZ], 64, false);
    /* room beyond the server's 500 so that a longer remark is said, not cut */
    tui_field_init(&f->text[FF_REMARK], 600, false);
    /* the first business process one of my teams serves, else the first */
    f->bp_id = jv_int(cJSON_GetArrayItem(a->m.bps, 0), "id", 0);
    const cJSON *bp, *tm, *dt;
    bool found = false;
    cJSON_ArrayForEach(bp, a->m.bps)
    {
        cJSON_ArrayForEach(tm, a->m.teams)
        {
            cJSON_ArrayForEach(dt, a->m.dir_teams)
            {
                if (!found && jv_int(dt, "id", -1) == jv_int(tm, "id", -2) &&
                    form_team_serves(dt, jv_int(bp, "id", 0))) {
                    f->bp_id = jv_int(bp, "id", 0);
                    found = true;
                }
            }
        }
    }
    const char *tz = "";
    if (from) {
        const char *num = jv_str(from, "destination");
        tui_field_set(&f->text[FF_DESTINATION], num[0] ? num : jv_str(from, "number"));
        if (jv_int(from, "bp_id", 0) && model_bp(&a->m, jv_int(from, "bp_id", 0)))
            f->bp_id = jv_int(from, "bp_id", 0);
        if (origin == FORM_HISTORY || (origin == FORM_INTERACTION && jv_str(from, "number")[0]))
            f->interaction_id = jv_int(from, "id", 0);
    }
    if (origin == FORM_RESCHEDULE && from) {
        f->callback_id = jv_int(from, "id", 0);
        tz = jv_str(from, "tz");
        tui_field_set(&f->text[FF_TZ], tz);
        f->routing = strcmp(jv_str(from, "routing"), "team") == 0;
        snprintf(f->target, sizeof f->target, "%s",
                 f->routing ? jv_str(from, "team") : jv_str(from, "agent"));
    }
    form_fill_now(a, tz);
    f->when_filled = true;
    form_fit_target(a);
    f->focus = origin == FORM_RESCHEDULE ? FF_DATE : (origin == FORM_PANEL ? FF_DESTINATION : FF_TZ);
    a->dlg = DLG_FORM;
    a->dirty = true;
}

/* Lower case, with '_' and '/' read as spaces, for the zone search. */
static void form_fold(const char *in, char *out, size_t size)
{
    size_t i = 0;
    for (; *in && i + 1 < size; in++)
        out[i++] = (*in == '_' || *in == '/') ? ' ' : (char)tolower((unsigned char)*in);
    out[i] = '\0';
}

/* The zones matching what is typed in the zone field (every zone when it
 * is empty); up to max, pointing into the model. */
static int form_zone_matches(const struct app *a, const char **out, int max)
{
    char typed[128], want[128], name[128];
    tui_field_get(&a->form.text[FF_TZ], typed, sizeof typed);
    form_fold(typed, want, sizeof want);
    int n = 0;
    const cJSON *z;
    cJSON_ArrayForEach(z, a->m.zones)
    {
        if (!cJSON_IsString(z))
            continue;
        form_fold(z->valuestring, name, sizeof name);
        if (want[0] == '\0' || strstr(name, want)) {
            if (n < max)
                out[n] = z->valuestring;
            n++;
        }
    }
    return n;
}

static void form_error(struct app *a, int field, const char *text, const char *hint)
{
    snprintf(a->form.errors[field], sizeof a->form.errors[field], "%s%s", text, hint);
}

/* Checks what can be checked here; fills the instant. False with errors
 * set beside the fields. */
static bool form_check(struct app *a, int64_t *due)
{
    struct form *f = &a->form;
    char buf[600];
    const char *why;
    bool ok = true;
    memset(f->errors, 0, sizeof f->errors);
    f->general[0] = '\0';
    tui_field_get(&f->text[FF_DESTINATION], buf, sizeof buf);
    char e164[PHONE_E164_SIZE];
    if (buf[0] == '\0') {
        form_error(a, FF_DESTINATION, "required", "");
        ok = false;
    } else if (!phone_normalize(buf, e164, &why)) {
        form_error(a, FF_DESTINATION, why, "");
        ok = false;
    }
    int y = 0, mo = 0, d = 0, secs = 0;
    tui_field_get(&f->text[FF_DATE], buf, sizeof buf);
    bool date_ok = civil_parse_date(buf, &y, &mo, &d, &why);
    if (!date_ok) {
        form_error(a, FF_DATE, why, strstr(why, "YYYY-MM-DD") ? "" : " (YYYY-MM-DD)");
        ok = false;
    }
    tui_field_get(&f->text[FF_TIME], buf, sizeof buf);
    bool time_ok = civil_parse_clock(buf, false, &secs, &why);
    if (!time_ok) {
        form_error(a, FF_TIME, why, strstr(why, "HH:MM") ? "" : " (HH:MM)");
        ok = false;
    }
    tui_field_get(&f->text[FF_TZ], buf, sizeof buf);
    const struct tz_zone *z = buf[0] ? tz_find(buf, &why) : NULL;
    if (buf[0] == '\0') {
        form_error(a, FF_TZ, "required: type part of a name and pick it", "");
        ok = false;
    } else if (z == NULL) {
        form_error(a, FF_TZ, why, "");
        ok = false;
    }
    if (f->text[FF_REMARK].len > 500) {
        char n[64];
        snprintf(n, sizeof n, "at most 500 characters (%d typed)", f->text[FF_REMARK].len);
        form_error(a, FF_REMARK, n, "");
        ok = false;
    }
    if (f->target[0] == '\0') {
        form_error(a, FF_TARGET, "no agent or team serves this business process", "");
        ok = false;
    }
    if (date_ok && time_ok && z) {
        struct civil_time ct = {y, mo, d, secs / 3600, secs / 60 % 60, 0};
        char gap[256] = "";
        enum tz_result r = tz_local_to_utc(z, &ct, due, gap, sizeof gap);
        if (r == TZ_GAP) {
            form_error(a, FF_TIME, gap, "");
            ok = false;
        } else if (r == TZ_RANGE) {
            form_error(a, FF_DATE, "not a valid date", "");
            ok = false;
        } else if (*due < serverclock_now() - 600) {
            form_error(a, FF_TIME, "in the past in the customer's zone", "");
            ok = false;
        } else if (*due > serverclock_now() + 366 * 86400) {
            form_error(a, FF_DATE, "more than 366 days ahead", "");
            ok = false;
        }
    }
    if (!ok) {
        for (int i = 0; i < FF_COUNT; i++)
            if (f->errors[i][0]) {
                f->focus = i;
                break;
            }
    }
    return ok;
}

static void form_save(struct app *a)
{
    struct form *f = &a->form;
    int64_t due = 0;
    if (f->saving || !form_check(a, &due))
        return;
    char buf[2048];
    cJSON *target = cJSON_CreateObject();
    tui_field_get(&f->text[FF_DATE], buf, sizeof buf);
    cJSON_AddStringToObject(target, "date", buf);
    tui_field_get(&f->text[FF_TIME], buf, sizeof buf);
    cJSON_AddStringToObject(target, "time", buf);
    tui_field_get(&f->text[FF_TZ], buf, sizeof buf);
    cJSON_AddStringToObject(target, "tz", buf);
    cJSON_AddStringToObject(target, "routing", f->routing ? "team" : "agent");
    cJSON_AddStringToObject(target, f->routing ? "team" : "agent", f->target);
    tui_field_get(&f->text[FF_REMARK], buf, sizeof buf);
    if (buf[0] || f->origin != FORM_RESCHEDULE)
        cJSON_AddStringToObject(target, "remark", buf);
    f->saving = true;
    if (f->origin == FORM_RESCHEDULE) {
        cJSON *body = cJSON_CreateObject();
        cJSON_AddStringToObject(body, "status", "callback_requested");
        cJSON_AddItemToObject(body, "reschedule", target);
        if (f->not_ready)
            cJSON_AddTrueToObject(body, "not_ready");
        net_action(a, "complete", f->callback_id, body);
        cJSON_Delete(body);
        return;
    }
    tui_field_get(&f->text[FF_DESTINATION], buf, sizeof buf);
    cJSON_AddStringToObject(target, "destination", buf);
    cJSON_AddNumberToObject(target, "bp", (double)f->bp_id);
    static const char *const origins[] = {"panel", "interaction", "history", "panel"};
    cJSON_AddStringToObject(target, "origin", origins[f->origin]);
    if (f->interaction_id && f->origin != FORM_PANEL)
        cJSON_AddNumberToObject(target, "interaction", (double)f->interaction_id);
    net_create(a, target);
    cJSON_Delete(target);
}

void form_refused(struct app *a, const struct httpc_reply *r)
{
    struct form *f = &a->form;
    f->saving = false;
    if (a->dlg != DLG_FORM)
        return;
    if (r->status == 0) {
        snprintf(f->general, sizeof f->general, "Not saved: cannot reach the server (%s)", r->message);
        return;
    }
    const char *field = r->field;
    if (strncmp(field, "reschedule.", 11) == 0)
        field += 11;
    static const struct {
        const char *name;
        int f;
    } map[] = {
        {"destination", FF_DESTINATION}, {"bp", FF_BP},     {"date", FF_DATE},
        {"time", FF_TIME},               {"due_at", FF_TIME}, {"tz", FF_TZ},
        {"routing", FF_ROUTING},         {"agent", FF_TARGET}, {"team", FF_TARGET},
        {"remark", FF_REMARK},
    };
    int at = -1;
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(map[i].name, field) == 0)
            at = map[i].f;
    /* the server's message names the field first ("destination: ..."):
     * beside the field, that prefix is said by the label already */
    const char *msg = r->message;
    size_t fl = strlen(r->field);
    if (fl && strncmp(msg, r->field, fl) == 0 && msg[fl] == ':')
        msg += fl + 1 + (msg[fl + 1] == ' ');
    if (at >= 0) {
        snprintf(f->errors[at], sizeof f->errors[at], "%s", msg);
        f->focus = at;
    }
    snprintf(f->general, sizeof f->general, "Not saved: %s", r->message);
}

void form_saved(struct app *a)
{
    if (a->dlg != DLG_FORM)
        return;
    bool resched = a->form.origin == FORM_RESCHEDULE;
    char dest[64];
    tui_field_get(&a->form.text[FF_DESTINATION], dest, sizeof dest);
    app_status(a, CONSOLE_INFO, 6, resched ? "Callback rescheduled for %s" : "Callback for %s scheduled",
               dest);
    form_close(a);
}

void form_slots(struct app *a, const char *key, const cJSON *reply)
{
    (void)key;
    cJSON_Delete(a->form.slots);
    a->form.slots = reply ? cJSON_Duplicate(reply, 1) : NULL;
    a->dirty = true;
}

/* Asks for the slot grid when BP, date and zone are good and changed. */
static void form_want_slots(struct app *a)
{
    struct form *f = &a->form;
    char date[24], tz[100], key[sizeof f->slots_key];
    const char *why;
    int y, m, d;
    tui_field_get(&f->text[FF_DATE], date, sizeof date);
    tui_field_get(&f->text[FF_TZ], tz, sizeof tz);
    if (!civil_parse_date(date, &y, &m, &d, &why) || tz_find(tz, &why) == NULL)
        return;
    snprintf(key, sizeof key, "%lld|%s|%s", (long long)f->bp_id, date, tz);
    if (strcmp(key, f->slots_key) == 0)
        return;
    snprintf(f->slots_key, sizeof f->slots_key, "%s", key);
    net_slots(a, f->bp_id, date, tz);
}

/* Geometry of the form box. */
static void form_place(int *top, int *left, int *h, int *w)
{
    *w = COLS < 92 ? COLS : 90;
    *h = LINES - 2 < 22 ? LINES - 2 : 22;
    *top = (LINES - *h) / 2;
    *left = (COLS - *w) / 2;
}

#define FORM_LABEL_W 22

static void form_draw_calendar(struct app *a, int y, int x)
{
    struct form *f = &a->form;
    int dim = civil_days_in_month(f->cal_year, f->cal_month);
    if (f->cal_day > dim)
        f->cal_day = dim;
    tui_fill(y, x, 9, 24, TUI_NORMAL);
    tui_frame(y, x, 9, 24, NULL);
    static const char *const months[] = {"January", "February", "March", "April", "May", "June", "July",
                                         "August", "September", "October", "November", "December"};
    tui_putf(y, x + 2, 20, TUI_TITLE, false, " %s %d ", months[f->cal_month - 1], f->cal_year);
    tui_put(y + 1, x + 1, 22, TUI_DIM, " Mo Tu We Th Fr Sa Su", true);
    int64_t first = civil_days_from_date(f->cal_year, f->cal_month, 1);
    int wd = (civil_weekday(first) + 6) % 7; /* Monday first */
    for (int day = 1; day <= dim; day++) {
        int cell = wd + day - 1;
        tui_putf(y + 2 + cell / 7, x + 2 + (cell % 7) * 3, 2,
                 day == f->cal_day ? TUI_SELECTED : TUI_NORMAL, false, "%2d", day);
    }
}

static void form_draw_slots(struct app *a, int y, int x, int w, int rows)
{
    struct form *f = &a->form;
    const cJSON *slots = cJSON_GetObjectItemCaseSensitive(f->slots, "slots"), *s;
    if (f->slots == NULL) {
        tui_put(y, x, w, TUI_DIM, "Slots: choose a date and the customer's zone", true);
        return;
    }
    char tm[8];
    tui_field_get(&f->text[FF_TIME], tm, sizeof tm);
    tui_putf(y, x, w, TUI_DIM, true, "Slots of %s in %s  (greyed* = full, only open hours)",
             jv_str(f->slots, "date"), jv_str(f->slots, "tz"));
    /* the open slots from the one holding the chosen time, as many as fit */
    int per_row = w / 7, shown = 0, skip = 0, open = 0;
    cJSON_ArrayForEach(s, slots)
    {
        if (!jv_bool(s, "open"))
            continue;
        open++;
        if (strcmp(jv_str(s, "local"), tm) <= 0)
            skip = open - 1;
    }
    if (open == 0) {
        tui_put(y + 1, x, w, TUI_WARN, "The business process is closed all that day", true);
        return;
    }
    if (skip > open - per_row * rows)
        skip = open - per_row * rows;
    if (skip < 0)
        skip = 0;
    int k = 0;
    cJSON_ArrayForEach(s, slots)
    {
        if (!jv_bool(s, "open"))
            continue;
        if (k++ < skip)
            continue;
        if (shown >= per_row * rows)
            break;
        bool full = jv_bool(s, "full");
        const char *local = jv_str(s, "local");
        enum tui_role role = full ? TUI_DIM : (strcmp(local, tm) == 0 ? TUI_SELECTED : TUI_OK);
        tui_putf(y + 1 + shown / per_row, x + (shown % per_row) * 7, 6, role, false, "%s%s", local,
                 full ? "*" : " ");
        shown++;
    }
}

void form_draw(struct app *a)
{
    struct form *f = &a->form;
    int top, left, h, w;
    form_place(&top, &left, &h, &w);
    tui_fill(top, left, h, w, TUI_NORMAL);
    tui_frame(top, left, h, w, f->origin == FORM_RESCHEDULE ? "Callback Requested — new time"
                                                             : "Schedule a Callback");
    int fx = left + 2 + FORM_LABEL_W, fw = 28;
    int ex = fx + fw + 2, ew = left + w - 2 - ex;
    char buf[256];
    for (int i = 0; i < FF_COUNT; i++) {
        int y = top + 1 + i;
        tui_putf(y, left + 2, FORM_LABEL_W, f->focus == i ? TUI_TITLE : TUI_NORMAL, true, "%s%s",
                 f->focus == i ? "▸ " : "  ", form_labels[i]);
        if (form_is_text(i)) {
            if (form_fixed(a, i)) {
                tui_field_get(&f->text[i], buf, sizeof buf);
                tui_put(y, fx, fw, TUI_DIM, buf, true);
            } else {
                tui_field_draw(&f->text[i], y, fx, i == FF_REMARK ? w - FORM_LABEL_W - 5 : fw,
                               f->focus == i);
            }
        } else {
            const char *v = "";
            if (i == FF_BP)
                v = jv_str(model_bp(&a->m, f->bp_id), "name");
            else if (i == FF_ROUTING)
                v = f->routing ? "Team" : "Agent";
            else
                v = f->target[0] ? f->target : "(none)";
            tui_putf(y, fx, fw, form_fixed(a, i) ? TUI_DIM : TUI_FIELD, true, "%s %s %s",
                     form_fixed(a, i) ? " " : "‹", v, form_fixed(a, i) ? " " : "›");
        }
        if (f->errors[i][0] && i != FF_REMARK)
            tui_put(y, ex, ew, TUI_ERROR, f->errors[i], true);
        else if (i == FF_DATE && f->focus == FF_DATE)
            tui_put(y, ex, ew, TUI_DIM, "F4 calendar", true);
        else if (i == FF_TZ && f->focus == FF_TZ)
            tui_put(y, ex, ew, TUI_DIM, "type to search, ↓ pick", true);
        else if ((i == FF_BP || i == FF_ROUTING || i == FF_TARGET) && f->focus == i && !form_fixed(a, i))
            tui_put(y, ex, ew, TUI_DIM, "← → change", true);
    }
    if (f->errors[FF_REMARK][0])
        tui_putf(top + 1 + FF_COUNT, left + 2, w - 4, TUI_ERROR, true, "Remark: %s", f->errors[FF_REMARK]);
    int sy = top + FF_COUNT + 2, rows = h - FF_COUNT - 6;
    if (rows > 8)
        rows = 8;
    if (rows >= 1)
        form_draw_slots(a, sy, left + 2, w - 4, rows);
    if (f->saving)
        tui_put(top + h - 3, left + 2, w - 4, TUI_WARN, "Saving…", true);
    else if (f->errors[f->focus][0])
        tui_putf(top + h - 3, left + 2, w - 4, TUI_ERROR, true, "%s: %s", form_labels[f->focus],
                 f->errors[f->focus]);
    else if (f->general[0])
        tui_put(top + h - 3, left + 2, w - 4, TUI_ERROR, f->general, true);
    tui_put(top + h - 2, left + 2, w - 4, TUI_KEY,
            "Enter save · Tab/↑↓ field · ←→ choose · F4 list · Esc cancel", true);
    /* the lists open under their field, drawn last so they sit on top */
    if (f->zone_open && f->focus == FF_TZ) {
        const char *z[512];
        int n = form_zone_matches(a, z, 512);
        int rows_z = n < 8 ? n : 8, y = top + 2 + FF_TZ;
        tui_list_clamp(&f->zone_sel, &f->zone_top, n, rows_z);
        if (n == 0)
            tui_put(y, fx, fw + 8, TUI_ERROR, " no zone matches ", true);
        for (int i = 0; i < rows_z && f->zone_top + i < n && f->zone_top + i < 512; i++)
            tui_putf(y + i, fx, fw + 8, f->zone_top + i == f->zone_sel ? TUI_SELECTED : TUI_FIELD, true,
                     " %s", z[f->zone_top + i]);
        if (n > rows_z)
            tui_putf(y + rows_z, fx, fw + 8, TUI_DIM, true, " %d zones match", n);
    }
    if (f->cal_open && f->focus == FF_DATE)
        form_draw_calendar(a, top + 2 + FF_DATE, fx);
    if (f->target_open && f->focus == FF_TARGET) {
        const char *t[64];
        int n = form_targets(a, t, 64);
        for (int i = 0; i < n && i < 10; i++)
            tui_putf(top + 2 + FF_TARGET + i, fx, fw, i == f->target_sel ? TUI_SELECTED : TUI_FIELD, true,
                     " %s", t[i]);
    }
}

/* ← / → on a choice field. */
static void form_cycle(struct app *a, int dir)
{
    struct form *f = &a->form;
    if (form_fixed(a, f->focus))
        return;
    if (f->focus == FF_BP) {
        int n = cJSON_GetArraySize(a->m.bps), at = 0;
        for (int i = 0; i < n; i++)
            if (jv_int(cJSON_GetArrayItem(a->m.bps, i), "id", 0) == f->bp_id)
                at = i;
        at = (at + dir + n) % n;
        f->bp_id = jv_int(cJSON_GetArrayItem(a->m.bps, at), "id", 0);
        form_fit_target(a);
    } else if (f->focus == FF_ROUTING) {
        if (form_routings(a) == 3)
            f->routing = !f->routing;
        else
            app_status(a, CONSOLE_INFO, 3, "This business process offers only %s routing",
                       f->routing ? "team" : "agent");
        form_fit_target(a);
    } else if (f->focus == FF_TARGET) {
        const char *t[256];
        int n = form_targets(a, t, 256), at = 0;
        if (n == 0)
            return;
        for (int i = 0; i < n; i++)
            if (strcmp(t[i], f->target) == 0)
                at = i;
        at = (at + dir + n) % n;
        snprintf(f->target, sizeof f->target, "%s", t[at]);
    }
    f->errors[f->focus][0] = '\0';
}

static void form_calendar_open(struct app *a)
{
    struct form *f = &a->form;
    char buf[32];
    const char *why;
    tui_field_get(&f->text[FF_DATE], buf, sizeof buf);
    if (!civil_parse_date(buf, &f->cal_year, &f->cal_month, &f->cal_day, &why)) {
        time_t now = (time_t)serverclock_now();
        struct tm tm;
        localtime_r(&now, &tm);
        f->cal_year = tm.tm_year + 1900;
        f->cal_month = tm.tm_mon + 1;
        f->cal_day = tm.tm_mday;
    }
    f->cal_open = true;
}

static void form_calendar_key(struct app *a, wint_t ch, bool is_key)
{
    struct form *f = &a->form;
    int64_t day = civil_days_from_date(f->cal_year, f->cal_month, f->cal_day);
    int step = 0;
    if (is_key && ch == KEY_LEFT)
        step = -1;
    else if (is_key && ch == KEY_RIGHT)
        step = 1;
    else if (is_key && ch == KEY_UP)
        step = -7;
    else if (is_key && ch == KEY_DOWN)
        step = 7;
    else if (is_key && (ch == KEY_PPAGE || ch == KEY_NPAGE)) {
        f->cal_month += ch == KEY_NPAGE ? 1 : -1;
        if (f->cal_month > 12) {
            f->cal_month = 1;
            f->cal_year++;
        } else if (f->cal_month < 1) {
            f->cal_month = 12;
            f->cal_year--;
        }
        return;
    } else if ((!is_key && (ch == '\r' || ch == '\n')) || (is_key && ch == KEY_ENTER)) {
        char buf[CIVIL_DATE_SIZE];
        civil_format_date(f->cal_year, f->cal_month, f->cal_day, buf);
        tui_field_set(&f->text[FF_DATE], buf);
        f->when_filled = false;
        f->errors[FF_DATE][0] = '\0';
        f->cal_open = false;
        form_want_slots(a);
        return;
    } else if (!is_key && ch == 27) {
        f->cal_open = false;
        return;
    }
    if (step) {
        day += step;
        /* days back to a date: walk from the month's first day */
        int y = f->cal_year, m = f->cal_month;
        while (day < civil_days_from_date(y, m, 1)) {
            if (--m < 1) {
                m = 12;
                y--;
            }
        }
        while (day >= civil_days_from_date(y, m, 1) + civil_days_in_month(y, m)) {
            if (++m > 12) {
                m = 1;
                y++;
            }
        }
        f->cal_year = y;
        f->cal_month = m;
        f->cal_day = (int)(day - civil_days_from_date(y, m, 1)) + 1;
    }
}

static void form_next(struct app *a, int dir)
{
    struct form *f = &a->form;
    f->zone_open = f->cal_open = f->target_open = false;
    do
        f->focus = (f->focus + dir + FF_COUNT) % FF_COUNT;
    while (form_fixed(a, f->focus));
    form_want_slots(a);
}

void form_key(struct app *a, wint_t ch, bool is_key)
{
    struct form *f = &a->form;
    bool enter = (!is_key && (ch == '\r' || ch == '\n')) || (is_key && ch == KEY_ENTER);
    bool esc = !is_key && ch == 27;
    if (f->cal_open) {
        form_calendar_key(a, ch, is_key);
        return;
    }
    if (f->zone_open && f->focus == FF_TZ) {
        const char *z[512];
        int n = form_zone_matches(a, z, 512);
        if (is_key && ch == KEY_DOWN) {
            if (f->zone_sel < n - 1)
                f->zone_sel++;
            return;
        }
        if (is_key && ch == KEY_UP) {
            if (f->zone_sel > 0)
                f->zone_sel--;
            return;
        }
        if (enter && n > 0 && f->zone_sel < 512) {
            tui_field_set(&f->text[FF_TZ], z[f->zone_sel]);
            if (f->when_filled)
                form_fill_now(a, z[f->zone_sel]);
            f->zone_open = false;
            f->errors[FF_TZ][0] = '\0';
            form_want_slots(a);
            return;
        }
        if (esc) {
            f->zone_open = false;
            return;
        }
    }
    if (f->target_open && f->focus == FF_TARGET) {
        const char *t[64];
        int n = form_targets(a, t, 64);
        if (is_key && ch == KEY_DOWN && f->target_sel < n - 1)
            f->target_sel++;
        else if (is_key && ch == KEY_UP && f->target_sel > 0)
            f->target_sel--;
        else if (enter && f->target_sel < n) {
            snprintf(f->target, sizeof f->target, "%s", t[f->target_sel]);
            f->target_open = false;
        } else if (esc)
            f->target_open = false;
        return;
    }
    if (esc) {
        form_close(a);
        if (f->origin == FORM_RESCHEDULE)
            app_status(a, CONSOLE_INFO, 4, "Not completed: choose a status again (e)");
        return;
    }
    if (enter) {
        form_save(a);
        return;
    }
    if ((!is_key && ch == '\t') || (is_key && ch == KEY_DOWN)) {
        form_next(a, 1);
        return;
    }
    if (is_key && (ch == KEY_BTAB || ch == KEY_UP)) {
        form_next(a, -1);
        return;
    }
    if (is_key && ch == KEY_F(4)) {
        if (f->focus == FF_DATE)
            form_calendar_open(a);
        else if (f->focus == FF_TZ)
            f->zone_open = true;
        else if (f->focus == FF_TARGET) {
            f->target_open = true;
            f->target_sel = 0;
        }
        return;
    }
    if (!form_is_text(f->focus)) {
        if (is_key && (ch == KEY_LEFT || ch == KEY_RIGHT))
            form_cycle(a, ch == KEY_LEFT ? -1 : 1);
        else if (!is_key && ch == ' ') {
            if (f->focus == FF_TARGET) {
                f->target_open = true;
                f->target_sel = 0;
            } else
                form_cycle(a, 1);
        }
        return;
    }
    if (form_fixed(a, f->focus))
        return;
    if (tui_field_key(&f->text[f->focus], ch, is_key)) {
        if (f->focus == FF_DATE || f->focus == FF_TIME)
            f->when_filled = false; /* the agent's own: kept */
        f->errors[f->focus][0] = '\0';
        f->general[0] = '\0';
        if (f->focus == FF_TZ && !(is_key && (ch == KEY_LEFT || ch == KEY_RIGHT ||
                                              ch == KEY_HOME || ch == KEY_END))) {
            f->zone_open = true;
            f->zone_sel = 0;
            f->zone_top = 0;
        }
        if (f->focus == FF_DATE || f->focus == FF_TZ)
            form_want_slots(a);
    }
}

void form_click(struct app *a, int y, int x)
{
    struct form *f = &a->form;
    int top, left, h, w;
    form_place(&top, &left, &h, &w);
    (void)x;
    int row = y - top - 1;
    if (row >= 0 && row < FF_COUNT && !form_fixed(a, row) && !f->zone_open && !f->cal_open &&
        !f->target_open) {
        f->focus = row;
        form_want_slots(a);
    }
    a->dirty = true;
}
