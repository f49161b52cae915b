/*
 * timing.c — the Callback Timing tab: every setting of the business
 * process's Callback Timing, editable. Enter edits the selected setting (a
 * yes/no one flips), w saves the changed ones with the version they were
 * based on, so that of two supervisors editing at once the second is
 * refused ("changed by someone else") instead of overwriting silently; l
 * reloads. The server's field errors are shown beside their setting, and
 * nothing typed is lost on an error.
 */
#include "app.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum tkind { TK_INT, TK_INTS, TK_TEXT, TK_BOOL, TK_DAY, TK_DATES };

static const struct {
    const char *key; /* member of timing (a day: member of timing.schedule) */
    const char *label;
    enum tkind kind;
} timing_rows[] = {
    {"no_answer_s", "Duration For No Answer (s)", TK_INT},
    {"max_attempts", "Attempts Before Failure", TK_INT},
    {"recall_min", "Recall Intervals (min)", TK_INTS},
    {"preview_s", "Preview (s, 0 = none)", TK_INT},
    {"offer_timeout_s", "Offer time-out (s)", TK_INT},
    {"wrap_up_s", "Wrap-up (s)", TK_INT},
    {"wrap_limit_s", "Wrap limit (s)", TK_INT},
    {"window_min", "Completion window (min)", TK_INT},
    {"calling_hours", "Calling hours (customer)", TK_TEXT},
    {"shift_start", "Shift start", TK_TEXT},
    {"personal_fallback_min", "Personal fallback (min)", TK_INT},
    {"slot_min", "Slot length (min)", TK_INT},
    {"slot_capacity", "Slot capacity (0 = none)", TK_INT},
    {"customer_called_in_closes", "Inbound call closes it", TK_BOOL},
    {"expire_overdue", "Expire when overdue", TK_BOOL},
    {"mon", "Schedule Monday", TK_DAY},
    {"tue", "Schedule Tuesday", TK_DAY},
    {"wed", "Schedule Wednesday", TK_DAY},
    {"thu", "Schedule Thursday", TK_DAY},
    {"fri", "Schedule Friday", TK_DAY},
    {"sat", "Schedule Saturday", TK_DAY},
    {"sun", "Schedule Sunday", TK_DAY},
    {"closed_dates", "Closed dates", TK_DATES},
};
#define TIMING_N ((int)(sizeof timing_rows / sizeof timing_rows[0]))

/* The value of a row: from the edits when changed, else as loaded. */
static const cJSON *timing_value(const struct timing_edit *t, int i, bool *edited)
{
    const char *k = timing_rows[i].key;
    bool in_schedule = timing_rows[i].kind == TK_DAY || timing_rows[i].kind == TK_DATES;
    const cJSON *e = in_schedule ? cJSON_GetObjectItemCaseSensitive(
                                       cJSON_GetObjectItemCaseSensitive(t->edits, "schedule"), k)
                                 : cJSON_GetObjectItemCaseSensitive(t->edits, k);
    *edited = e != NULL;
    if (e)
        return e;
    return in_schedule ? cJSON_GetObjectItemCaseSensitive(
                             cJSON_GetObjectItemCaseSensitive(t->orig, "schedule"), k)
                       : cJSON_GetObjectItemCaseSensitive(t->orig, k);
}

/* A value as the text the user reads and edits. */
static void timing_text(const cJSON *v, char *out, size_t size)
{
    out[0] = '\0';
    if (cJSON_IsBool(v)) {
        snprintf(out, size, "%s", cJSON_IsTrue(v) ? "yes" : "no");
    } else if (cJSON_IsNumber(v)) {
        snprintf(out, size, "%lld", (long long)v->valuedouble);
    } else if (cJSON_IsString(v)) {
        snprintf(out, size, "%s", v->valuestring);
    } else if (cJSON_IsArray(v)) {
        size_t n = 0;
        const cJSON *it;
        cJSON_ArrayForEach(it, v)
        {
            char one[64];
            timing_text(it, one, sizeof one);
            n += (size_t)snprintf(out + n, n < size ? size - n : 0, "%s%s", n ? ", " : "", one);
            if (n >= size)
                break;
        }
        if (cJSON_GetArraySize(v) == 0)
            snprintf(out, size, "(closed)");
    }
}

void timing_load(struct app *a)
{
    struct timing_edit *t = &a->timing;
    struct bp_row *r = app_row(a, a->bp_open);
    cJSON_Delete(t->orig);
    cJSON_Delete(t->edits);
    int sel = t->bp_id == a->bp_open ? t->sel : 0, top = t->bp_id == a->bp_open ? t->top : 0;
    memset(t, 0, sizeof *t);
    t->sel = sel;
    t->top = top;
    t->bp_id = a->bp_open;
    t->version = jv_int(r ? r->bp : NULL, "version", 0);
    const cJSON *timing = cJSON_GetObjectItemCaseSensitive(r ? r->bp : NULL, "timing");
    t->orig = timing ? cJSON_Duplicate(timing, 1) : cJSON_CreateObject();
    t->edits = cJSON_CreateObject();
    a->dirty = true;
}

static int timing_changes(const struct timing_edit *t)
{
    int n = cJSON_GetArraySize(t->edits);
    const cJSON *sch = cJSON_GetObjectItemCaseSensitive(t->edits, "schedule");
    return sch ? n - 1 + cJSON_GetArraySize(sch) : n;
}

void timing_enter(struct app *a)
{
    struct timing_edit *t = &a->timing;
    if (t->orig == NULL || t->bp_id != a->bp_open || timing_changes(t) == 0) {
        timing_load(a);
        return;
    }
    struct bp_row *r = app_row(a, a->bp_open);
    if (jv_int(r ? r->bp : NULL, "version", 0) > t->version)
        t->stale = true; /* kept, but a save would now be refused */
}

void timing_reload(struct app *a)
{
    net_get(a, "/api/v1/bps", T_BPS, 0);
    char path[96];
    snprintf(path, sizeof path, "/api/v1/bps/%lld", (long long)a->timing.bp_id);
    net_get(a, path, T_BP_RELOAD, a->timing.bp_id);
}

void timing_bp_event(struct app *a, const cJSON *bp)
{
    struct timing_edit *t = &a->timing;
    if (t->orig == NULL || jv_int(bp, "id", 0) != t->bp_id || jv_int(bp, "version", 0) <= t->version)
        return;
    if (cJSON_GetArraySize(t->edits) == 0 && !t->saving) {
        timing_load(a); /* nothing of mine to lose: show theirs */
        return;
    }
    t->stale = true;
}

void timing_draw(struct app *a, int top, int h)
{
    struct timing_edit *t = &a->timing;
    if (t->orig == NULL || t->bp_id != a->bp_open)
        timing_load(a);
    int rows = h - 2;
    if (t->sel < 0)
        t->sel = 0;
    if (t->sel >= TIMING_N)
        t->sel = TIMING_N - 1;
    if (t->sel < t->top)
        t->top = t->sel;
    if (t->sel >= t->top + rows)
        t->top = t->sel - rows + 1;
    int changed = timing_changes(t);
    if (t->stale)
        tui_putf(top, 1, COLS - 2, TUI_ERROR, true,
                 "Changed by someone else since you loaded it (version %lld): l reloads", (long long)t->version);
    else
        tui_putf(top, 1, COLS - 2, changed ? TUI_WARN : TUI_DIM, true,
                 "Version %lld · %d unsaved change%s · Enter edit · w save · l reload", (long long)t->version,
                 changed, changed == 1 ? "" : "s");
    for (int i = 0; i < rows && t->top + i < TIMING_N; i++) {
        int k = t->top + i;
        bool edited;
        char val[256];
        timing_text(timing_value(t, k, &edited), val, sizeof val);
        int y = top + 1 + i;
        enum tui_role role = k == t->sel ? TUI_SELECTED : TUI_NORMAL;
        tui_putf(y, 1, 30, role, true, " %s", timing_rows[k].label);
        tui_putf(y, 31, 28, k == t->sel ? TUI_SELECTED : (edited ? TUI_WARN : TUI_NORMAL), true, "%s%s", val,
                 edited ? " *" : "");
        if (t->errors[k][0])
            tui_put(y, 60, COLS - 61, TUI_ERROR, t->errors[k], true);
    }
    if (t->saving)
        tui_put(top + h - 1, 1, COLS - 2, TUI_WARN, "Saving…", true);
}

/* Parses text as the row's kind; NULL with why when it is not one. The
 * server checks ranges; this only shapes the JSON. */
static cJSON *timing_parse(int i, const char *text, const char **why)
{
    enum tkind k = timing_rows[i].kind;
    char *end;
    if (k == TK_INT) {
        long long v = strtoll(text, &end, 10);
        while (*end == ' ')
            end++;
        if (end == text || *end) {
            *why = "a whole number";
            return NULL;
        }
        return cJSON_CreateNumber((double)v);
    }
    if (k == TK_TEXT)
        return cJSON_CreateString(text);
    /* a comma-separated list */
    cJSON *arr = cJSON_CreateArray();
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", text);
    if (strcmp(buf, "(closed)") == 0)
        buf[0] = '\0';
    for (char *tok = strtok(buf, ", "); tok; tok = strtok(NULL, ", ")) {
        if (k == TK_INTS) {
            long long v = strtoll(tok, &end, 10);
            if (*end) {
                cJSON_Delete(arr);
                *why = "whole numbers separated by commas";
                return NULL;
            }
            cJSON_AddItemToArray(arr, cJSON_CreateNumber((double)v));
        } else {
            cJSON_AddItemToArray(arr, cJSON_CreateString(tok));
        }
    }
    return arr;
}

static void timing_set(struct timing_edit *t, int i, cJSON *v)
{
    const char *key = timing_rows[i].key;
    cJSON *into = t->edits;
    if (timing_rows[i].kind == TK_DAY || timing_rows[i].kind == TK_DATES) {
        into = cJSON_GetObjectItemCaseSensitive(t->edits, "schedule");
        if (into == NULL)
            into = cJSON_AddObjectToObject(t->edits, "schedule");
    }
    cJSON_DeleteItemFromObjectCaseSensitive(into, key);
    cJSON_AddItemToObject(into, key, v);
    t->errors[i][0] = '\0';
}

void timing_value_entered(struct app *a, const char *text)
{
    struct timing_edit *t = &a->timing;
    const char *why = NULL;
    cJSON *v = timing_parse(t->sel, text, &why);
    if (v == NULL) {
        snprintf(t->errors[t->sel], sizeof t->errors[t->sel], "%s", why);
        return;
    }
    timing_set(t, t->sel, v);
    a->dirty = true;
}

static void timing_save(struct app *a)
{
    struct timing_edit *t = &a->timing;
    if (cJSON_GetArraySize(t->edits) == 0) {
        app_status(a, CONSOLE_INFO, 3, "Nothing changed");
        return;
    }
    if (t->stale) {
        app_status(a, CONSOLE_ERROR, 6, "Changed by someone else meanwhile: l reloads first");
        return;
    }
    cJSON *body = cJSON_CreateObject();
    cJSON_AddNumberToObject(body, "version", (double)t->version);
    cJSON_AddItemToObject(body, "timing", cJSON_Duplicate(t->edits, 1));
    char path[96];
    snprintf(path, sizeof path, "/api/v1/bps/%lld", (long long)t->bp_id);
    net_send(a, "PATCH", path, body, T_TIMING_SAVE, t->bp_id);
    cJSON_Delete(body);
    t->saving = true;
    memset(t->errors, 0, sizeof t->errors);
}

void timing_saved(struct app *a, const struct httpc_reply *r)
{
    struct timing_edit *t = &a->timing;
    t->saving = false;
    if (r->status == 200) {
        struct bp_row *row = app_row(a, jv_int(r->json, "id", 0));
        if (row) {
            cJSON_Delete(row->bp);
            row->bp = cJSON_Duplicate(r->json, 1);
        }
        timing_load(a);
        app_status(a, CONSOLE_INFO, 5, "Callback Timing saved (version %lld)", (long long)t->version);
        return;
    }
    if (r->status == 0) {
        app_status(a, CONSOLE_ERROR, 8, "Not saved: cannot reach the server (%s)", r->message);
        return;
    }
    if (strcmp(r->code, "version_conflict") == 0) {
        t->stale = true;
        app_status(a, CONSOLE_ERROR, 10,
                   "Not saved: another supervisor changed it first; l reloads their version");
        return;
    }
    /* "timing.preview_s", "timing.schedule.mon": beside the setting */
    const char *f = r->field;
    if (strncmp(f, "timing.", 7) == 0)
        f += 7;
    if (strncmp(f, "schedule.", 9) == 0)
        f += 9;
    char key[64];
    snprintf(key, sizeof key, "%s", f);
    char *dot = strpbrk(key, ".[");
    if (dot)
        *dot = '\0';
    for (int i = 0; i < TIMING_N; i++)
        if (strcmp(timing_rows[i].key, key) == 0) {
            snprintf(t->errors[i], sizeof t->errors[i], "%s", r->message);
            t->sel = i;
        }
    app_status(a, CONSOLE_ERROR, 8, "Not saved: %s", r->message);
}

bool timing_key(struct app *a, wint_t ch, bool is_key)
{
    struct timing_edit *t = &a->timing;
    if (is_key && ch == KEY_UP) {
        t->sel--;
        return true;
    }
    if (is_key && ch == KEY_DOWN) {
        t->sel++;
        return true;
    }
    if (is_key && (ch == KEY_LEFT || ch == KEY_RIGHT)) {
        a->tab = ch == KEY_LEFT ? TAB_PERFORMANCE : TAB_SEARCH;
        detail_tab_changed(a);
        return true;
    }
    bool enter = (!is_key && (ch == '\r' || ch == '\n' || ch == ' ')) || (is_key && ch == KEY_ENTER);
    if (enter) {
        bool edited;
        const cJSON *v = timing_value(t, t->sel, &edited);
        if (timing_rows[t->sel].kind == TK_BOOL) {
            timing_set(t, t->sel, cJSON_CreateBool(!cJSON_IsTrue(v)));
            return true;
        }
        char text[512];
        timing_text(v, text, sizeof text);
        if (timing_rows[t->sel].kind == TK_DAY && strcmp(text, "(closed)") == 0)
            text[0] = '\0';
        char title[96];
        snprintf(title, sizeof title, "%s%s", timing_rows[t->sel].label,
                 timing_rows[t->sel].kind == TK_DAY ? " (HH:MM-HH:MM, …; empty: closed)" : "");
        prompt_text(a, ACT_TIMING_VALUE, t->sel, title, text, 400);
        return true;
    }
    if (!is_key && ch == 'w') {
        timing_save(a);
        return true;
    }
    if (!is_key && ch == 'l') {
        int n = timing_changes(t);
        if (n > 0)
            prompt_confirm(a, ACT_TIMING_RELOAD, 0, "Drop your %d unsaved change%s and reload?", n,
                           n == 1 ? "" : "s");
        else
            timing_reload(a);
        return true;
    }
    return false;
}
