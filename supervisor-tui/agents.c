/*
 * agents.c — the Agents view: every agent, whether logged in and their
 * presence, the callback each holds (number, state) and for how long,
 * live from `presence` and `callback` events.
 */
#include "app.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "serverclock.h"
#include "timefmt.h"
#include "vocab.h"

void agents_presence_event(struct app *a, const cJSON *ev)
{
    int64_t id = jv_int(ev, "agent_id", 0);
    cJSON *ag;
    cJSON_ArrayForEach(ag, a->agents)
    {
        if (jv_int(ag, "id", 0) == id) {
            cJSON_ReplaceItemInObjectCaseSensitive(ag, "presence",
                                                   cJSON_CreateString(jv_str(ev, "presence")));
            a->dirty = true;
            return;
        }
    }
}

/* The callback an agent holds, from a->holding, or NULL. */
static const cJSON *agents_held(const struct app *a, const char *login)
{
    const cJSON *cb;
    cJSON_ArrayForEach(cb, a->holding)
    {
        if (strcmp(jv_str(cb, "holder"), login) == 0)
            return cb;
    }
    return NULL;
}

void agents_draw(struct app *a, int top, int h)
{
    int n = cJSON_GetArraySize(a->agents), logged = 0;
    const cJSON *ag;
    cJSON_ArrayForEach(ag, a->agents)
    {
        logged += strcmp(jv_str(ag, "presence"), "logged_out") != 0;
    }
    tui_putf(top, 1, COLS - 2, TUI_DIM, true, "%d agents, %d logged in — live", n, logged);
    static const int widths[] = {10, 18, 10, 7, 16, 10, 8};
    static const char *const titles[] = {"Login", "Name", "Presence", "Holds", "Number", "State", "For"};
    tui_cells(top + 1, 1, COLS - 1, TUI_TITLE, 7, widths, titles);
    int rows = h - 2;
    tui_list_clamp(&a->agents_sel, &a->agents_top, n, rows);
    int64_t now = serverclock_now();
    for (int i = 0; i < rows && a->agents_top + i < n; i++) {
        const cJSON *u = cJSON_GetArrayItem(a->agents, a->agents_top + i);
        const cJSON *cb = agents_held(a, jv_str(u, "login"));
        enum presence p;
        const char *pres = presence_parse(jv_str(u, "presence"), &p) ? presence_display(p) : "?";
        char held[16] = "—", for_s[32] = "", state[24] = "";
        if (cb) {
            enum istate is;
            snprintf(held, sizeof held, "#%lld", (long long)jv_int(cb, "id", 0));
            snprintf(state, sizeof state, "%s",
                     istate_parse(jv_str(cb, "state"), &is) ? istate_display(is) : "");
            timefmt_span(now - jv_instant(cb, "state_since"), for_s, sizeof for_s);
        }
        enum tui_role role = a->agents_top + i == a->agents_sel ? TUI_SELECTED
                             : strcmp(jv_str(u, "presence"), "logged_out") == 0 ? TUI_DIM
                                                                                 : TUI_NORMAL;
        const char *cells[] = {jv_str(u, "login"), jv_str(u, "name"), pres, held,
                               cb ? jv_str(cb, "destination") : "", state, for_s};
        tui_put(top + 2 + i, 0, 1, role, " ", false);
        tui_cells(top + 2 + i, 1, COLS - 1, role, 7, widths, cells);
    }
}

bool agents_key(struct app *a, wint_t ch, bool is_key)
{
    if (is_key && ch == KEY_UP)
        a->agents_sel--;
    else if (is_key && ch == KEY_DOWN)
        a->agents_sel++;
    else if (!is_key && ch == 'r')
        net_get(a, "/api/v1/agents", T_AGENTS, 0);
    else
        return false;
    return true;
}
