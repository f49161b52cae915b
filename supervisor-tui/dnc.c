/*
 * dnc.c — the do-not-call list: a page of it at a time (PgDn for more),
 * searched by number, with add, remove and import from a file (one number
 * per line, optionally "number,note"; blank lines and lines starting with
 * '#' skipped). Every change is confirmed first; the server audits it.
 */
#include "app.h"

#include <curses.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timefmt.h"

#define DNC_IMPORT_MAX 10000

void dnc_reload(struct app *a)
{
    char path[256];
    char *q = httpc_escape(a->dnc_q);
    snprintf(path, sizeof path, "/api/v1/dnc?limit=200%s%s", a->dnc_q[0] ? "&q=" : "", a->dnc_q[0] ? q : "");
    free(q);
    net_get(a, path, T_DNC, 0);
}

static void dnc_more(struct app *a)
{
    if (a->dnc_next[0] == '\0') {
        app_status(a, CONSOLE_INFO, 3, "This is the end of the list");
        return;
    }
    char path[512];
    char *q = httpc_escape(a->dnc_q), *after = httpc_escape(a->dnc_next);
    snprintf(path, sizeof path, "/api/v1/dnc?limit=200&after=%s%s%s", after, a->dnc_q[0] ? "&q=" : "",
             a->dnc_q[0] ? q : "");
    free(q);
    free(after);
    net_get(a, path, T_DNC, 1);
}

void dnc_draw(struct app *a, int top, int h)
{
    int n = cJSON_GetArraySize(a->dnc);
    tui_putf(top, 1, COLS - 2, TUI_DIM, true, "Search: %s · / search · a add · d remove · I import a file%s",
             a->dnc_q[0] ? a->dnc_q : "(all)", a->import_left ? " · importing…" : "");
    static const int widths[] = {18, 14, 10, 60};
    static const char *const titles[] = {"Number", "Added", "By", "Note"};
    tui_cells(top + 1, 1, COLS - 1, TUI_TITLE, 4, widths, titles);
    int rows = h - 2;
    if (n == 0)
        tui_put(top + 2, 2, COLS - 4, TUI_DIM, "No numbers.", true);
    tui_list_clamp(&a->dnc_sel, &a->dnc_top, n, rows);
    for (int i = 0; i < rows && a->dnc_top + i < n; i++) {
        const cJSON *e = cJSON_GetArrayItem(a->dnc, a->dnc_top + i);
        char added[32];
        timefmt_agent(jv_instant(e, "added_at"), added, sizeof added);
        const char *by = jv_str(e, "added_by");
        enum tui_role role = a->dnc_top + i == a->dnc_sel ? TUI_SELECTED : TUI_NORMAL;
        const char *cells[] = {jv_str(e, "number"), added, by[0] ? by : "cbd", jv_str(e, "note")};
        tui_put(top + 2 + i, 0, 1, role, " ", false);
        tui_cells(top + 2 + i, 1, COLS - 1, role, 4, widths, cells);
    }
}

static void dnc_import_next(struct app *a);

void dnc_reply(struct app *a, int tag, int64_t arg, const struct httpc_reply *r)
{
    switch (tag) {
    case T_DNC:
        if (r->status != 200) {
            app_status(a, CONSOLE_ERROR, 8, "Do-not-call: %s", r->status ? r->message : "cannot reach the server");
            return;
        }
        if (arg == 0 || a->dnc == NULL) {
            cJSON_Delete(a->dnc);
            a->dnc = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(r->json, "dnc"), 1);
            a->dnc_sel = a->dnc_top = 0;
        } else {
            const cJSON *it;
            cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(r->json, "dnc"))
                cJSON_AddItemToArray(a->dnc, cJSON_Duplicate(it, 1));
        }
        snprintf(a->dnc_next, sizeof a->dnc_next, "%s", jv_str(r->json, "next"));
        return;
    case T_DNC_ADD:
        if (r->status == 201)
            app_status(a, CONSOLE_INFO, 6, "%s is on the do-not-call list", jv_str(r->json, "number"));
        else
            app_status(a, CONSOLE_ERROR, 10, "Not added: %s", r->status ? r->message : "cannot reach the server");
        dnc_reload(a);
        return;
    case T_DNC_REMOVE:
        if (r->status == 200)
            app_status(a, CONSOLE_INFO, 6, "%s is off the do-not-call list", jv_str(r->json, "number"));
        else
            app_status(a, CONSOLE_ERROR, 10, "Not removed: %s", r->status ? r->message : "cannot reach the server");
        dnc_reload(a);
        return;
    case T_DNC_IMPORT:
        if (r->status == 0 || r->status == 401) {
            /* the server went away: stop, saying how far it got */
            app_status(a, CONSOLE_ERROR, 15,
                       "Import stopped at line %lld: %s; %d imported, %d listed already, %d refused", (long long)arg,
                       r->status ? "the session ended" : "cannot reach the server", a->import_ok, a->import_dup,
                       a->import_bad);
            cJSON_Delete(a->import_lines);
            a->import_lines = NULL;
            a->import_left = 0;
            return;
        }
        if (r->status == 201)
            a->import_ok++;
        else if (strcmp(r->code, "duplicate") == 0)
            a->import_dup++;
        else {
            a->import_bad++;
            if (a->import_first_error[0] == '\0')
                snprintf(a->import_first_error, sizeof a->import_first_error, "line %lld: %s",
                         (long long)arg, r->status ? r->message : "cannot reach the server");
        }
        dnc_import_next(a);
        return;
    default:
        return;
    }
}

/* Sends the next line of the import; one at a time, so the order of the
 * file is kept and the server is not flooded. */
static void dnc_import_next(struct app *a)
{
    cJSON *lines = a->import_lines;
    if (cJSON_GetArraySize(lines) == 0) {
        a->import_left = 0;
        cJSON_Delete(a->import_lines);
        a->import_lines = NULL;
        if (a->import_bad)
            app_status(a, CONSOLE_ERROR, 15, "Imported %d, %d listed already, %d refused (%s)", a->import_ok,
                       a->import_dup, a->import_bad, a->import_first_error);
        else
            app_status(a, CONSOLE_INFO, 10, "Imported %d, %d listed already", a->import_ok, a->import_dup);
        dnc_reload(a);
        return;
    }
    cJSON *line = cJSON_DetachItemFromArray(lines, 0);
    a->import_left = cJSON_GetArraySize(lines) + 1;
    cJSON *body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "number", jv_str(line, "number"));
    cJSON_AddStringToObject(body, "note", jv_str(line, "note"));
    net_send(a, "POST", "/api/v1/dnc", body, T_DNC_IMPORT, jv_int(line, "line", 0));
    cJSON_Delete(body);
    cJSON_Delete(line);
}

/* Reads the file into a->import_lines; false with the status set. */
static bool dnc_import_read(struct app *a, const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        app_status(a, CONSOLE_ERROR, 10, "%s: %s", path, strerror(errno));
        return false;
    }
    cJSON_Delete(a->import_lines);
    a->import_lines = cJSON_CreateArray();
    char buf[1024];
    int line_no = 0, n = 0;
    while (fgets(buf, sizeof buf, f)) {
        line_no++;
        buf[strcspn(buf, "\r\n")] = '\0';
        char *s = buf;
        while (*s == ' ' || *s == '\t')
            s++;
        if (*s == '\0' || *s == '#')
            continue;
        if (++n > DNC_IMPORT_MAX) {
            fclose(f);
            app_status(a, CONSOLE_ERROR, 10, "%s: more than %d numbers; split the file", path, DNC_IMPORT_MAX);
            return false;
        }
        char *comma = strchr(s, ',');
        if (comma)
            *comma = '\0';
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "number", s);
        cJSON_AddStringToObject(o, "note", comma ? comma + 1 : "");
        cJSON_AddNumberToObject(o, "line", line_no);
        cJSON_AddItemToArray(a->import_lines, o);
    }
    fclose(f);
    if (n == 0) {
        app_status(a, CONSOLE_WARN, 8, "%s holds no numbers", path);
        return false;
    }
    return true;
}

void dnc_text_entered(struct app *a, enum prompt_action act, const char *text)
{
    switch (act) {
    case ACT_DNC_SEARCH:
        snprintf(a->dnc_q, sizeof a->dnc_q, "%s", text);
        dnc_reload(a);
        break;
    case ACT_DNC_ADD_NUMBER:
        if (text[0] == '\0')
            return;
        snprintf(a->dnc_number, sizeof a->dnc_number, "%s", text);
        prompt_text(a, ACT_DNC_ADD_NOTE, 0, "Note (why; may be empty)", "", 200);
        break;
    case ACT_DNC_ADD_NOTE:
        snprintf(a->dnc_note, sizeof a->dnc_note, "%s", text);
        prompt_confirm(a, ACT_DNC_ADD_CONFIRM, 0, "Put %s on the do-not-call list? It will not be dialed.",
                       a->dnc_number);
        break;
    case ACT_DNC_IMPORT_PATH:
        if (text[0] == '\0')
            return;
        snprintf(a->import_path, sizeof a->import_path, "%s", text);
        if (dnc_import_read(a, a->import_path))
            prompt_confirm(a, ACT_DNC_IMPORT_CONFIRM, 0, "Put %d numbers from %s on the do-not-call list?",
                           cJSON_GetArraySize(a->import_lines), a->import_path);
        break;
    default:
        break;
    }
}

void dnc_confirmed(struct app *a, enum prompt_action act)
{
    if (act == ACT_DNC_ADD_CONFIRM) {
        cJSON *body = cJSON_CreateObject();
        cJSON_AddStringToObject(body, "number", a->dnc_number);
        cJSON_AddStringToObject(body, "note", a->dnc_note);
        net_send(a, "POST", "/api/v1/dnc", body, T_DNC_ADD, 0);
        cJSON_Delete(body);
    } else if (act == ACT_DNC_REMOVE) {
        /* the number the question named, whatever the list shows now */
        char *num = httpc_escape(a->dnc_number);
        char path[128];
        snprintf(path, sizeof path, "/api/v1/dnc/%s", num);
        free(num);
        net_send(a, "DELETE", path, NULL, T_DNC_REMOVE, 0);
    } else if (act == ACT_DNC_IMPORT_CONFIRM) {
        a->import_ok = a->import_dup = a->import_bad = 0;
        a->import_first_error[0] = '\0';
        dnc_import_next(a);
    }
}

bool dnc_key(struct app *a, wint_t ch, bool is_key)
{
    if (is_key) {
        if (ch == KEY_UP)
            a->dnc_sel--;
        else if (ch == KEY_DOWN)
            a->dnc_sel++;
        else if (ch == KEY_NPAGE) {
            a->dnc_sel += LINES / 2;
            if (a->dnc_sel >= cJSON_GetArraySize(a->dnc))
                dnc_more(a);
        } else if (ch == KEY_PPAGE)
            a->dnc_sel -= LINES / 2;
        else
            return false;
        return true;
    }
    switch (ch) {
    case '/':
        prompt_text(a, ACT_DNC_SEARCH, 0, "Number starts with (+…) or holds (digits)", a->dnc_q, 32);
        return true;
    case 'a':
        prompt_text(a, ACT_DNC_ADD_NUMBER, 0, "Number to put on the do-not-call list", "", 32);
        return true;
    case 'd': {
        const cJSON *e = cJSON_GetArrayItem(a->dnc, a->dnc_sel);
        if (e) {
            snprintf(a->dnc_number, sizeof a->dnc_number, "%s", jv_str(e, "number"));
            prompt_confirm(a, ACT_DNC_REMOVE, 0, "Take %s off the do-not-call list? It may be dialed again.",
                           a->dnc_number);
        }
        return true;
    }
    case 'I':
        if (a->import_left) {
            app_status(a, CONSOLE_WARN, 4, "An import is under way");
            return true;
        }
        prompt_text(a, ACT_DNC_IMPORT_PATH, 0, "Import numbers from the file", "", 500);
        return true;
    default:
        return false;
    }
}
