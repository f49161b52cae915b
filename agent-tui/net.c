/*
 * net.c — the agent console's conversation with cbd: the login (through
 * the session, session.h, which also keeps the event stream open), the
 * loads that fill the model, the events (a "reset" reloads everything), the
 * agent's actions and their replies. Every request is asynchronous
 * (httpc.h); replies come back in net_done() on the loop's thread and
 * change the model.
 */
#include "app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum net_tag {
    T_ME,
    T_PENDING,
    T_INTERACTION,
    T_HISTORY,
    T_BPS,
    T_TEAMS,
    T_AGENTS,
    T_ZONES,
    T_PRESENCE,
    T_ACTION,
    T_CREATE,
    T_COMPLETE_RESCHEDULE,
    T_SLOTS,
    T_LOGOUT,
};

#define V1 "/api/v1"

static void net_done(void *ctx, int tag, int64_t arg, const struct httpc_reply *r);

static void net_get(struct app *a, const char *path, int tag)
{
    httpc_request(a->s.http, "GET", path, NULL, 0, net_done, a, tag, 0);
}

void net_load_all(struct app *a)
{
    net_get(a, V1 "/me", T_ME);
    net_get(a, V1 "/me/callbacks", T_PENDING);
    net_get(a, V1 "/me/interaction", T_INTERACTION);
    net_get(a, V1 "/me/history?limit=50", T_HISTORY);
    net_get(a, V1 "/bps", T_BPS);
    net_get(a, V1 "/teams", T_TEAMS);
    net_get(a, V1 "/agents", T_AGENTS);
    if (a->m.zones == NULL)
        net_get(a, V1 "/zones", T_ZONES);
}

void net_history(struct app *a)
{
    net_get(a, V1 "/me/history?limit=50", T_HISTORY);
}

/* Back to the login screen, with a message (the token ended). */
static void net_session_lost(struct app *a, const char *why)
{
    session_end(&a->s);
    a->logged_in = false;
    a->logout_pending = false;
    model_clear(&a->m);
    a->dlg = DLG_NONE;
    form_close(a);
    login_set_error(&a->login, why);
    a->login.focus = 2;
    a->dirty = true;
}

/* The interaction ended: a deferred logout can go on now. */
static void net_after_interaction(struct app *a, int64_t before_id, const char *before_state)
{
    int64_t now_id = jv_int(a->m.interaction, "id", 0);
    if (before_id && strcmp(before_state, "offered") == 0 &&
        (now_id != before_id || strcmp(model_istate(&a->m), "offered") != 0))
        notify_withdraw(before_id);
    if (before_id && now_id == 0 && a->dlg == DLG_COMPLETE)
        a->dlg = DLG_NONE; /* it ended by itself (wrap limit, supervisor) */
    if (a->logout_pending && a->m.interaction == NULL)
        net_logout(a);
}

/* An event's or a reply's callback: into the model, with the offer's
 * announcement. */
static void net_callback(struct app *a, const cJSON *cb)
{
    int64_t before_id = jv_int(a->m.interaction, "id", 0);
    bool before_timed_out = jv_bool(a->m.interaction, "timed_out");
    char before_state[16];
    snprintf(before_state, sizeof before_state, "%s", model_istate(&a->m));
    if (model_apply_callback(&a->m, cb)) {
        notify_offer(a->m.interaction);
        a->bell = true;
        app_status(a, CONSOLE_INFO, 5, "Callback offered: %s (%s)", jv_str(cb, "destination"),
                   jv_str(cb, "bp"));
        if (a->m.contacts_recent == 0 && jv_int(cb, "id", 0) != before_id) {
            /* the count of recent contacts comes with GET /me/interaction */
            net_get(a, V1 "/me/interaction", T_INTERACTION);
        }
    }
    net_after_interaction(a, before_id, before_state);
    /* dialing has stopped: the completion dialog comes up by itself,
     * without Cancel, No Answer preselected (seed 002) */
    if (a->m.interaction && jv_int(a->m.interaction, "id", 0) == before_id && !before_timed_out &&
        jv_bool(a->m.interaction, "timed_out")) {
        /* a dialog opened while dialing offers Cancel, which no longer
         * holds: it gives way to the one of the new state */
        if (a->dlg == DLG_NONE || a->dlg == DLG_COMPLETE ||
            (a->dlg == DLG_CONFIRM && a->confirm == CONFIRM_CANCEL_DIAL))
            dialog_complete_open(a);
        a->bell = true;
    }
    a->dirty = true;
}

static void net_event(void *ctx, const char *type, const cJSON *data)
{
    struct app *a = ctx;
    if (strcmp(type, "offer") == 0 || strcmp(type, "callback") == 0) {
        if (cJSON_IsObject(data))
            net_callback(a, data);
    } else if (strcmp(type, "presence") == 0) {
        model_apply_presence(&a->m, data);
        a->dirty = true;
    } else if (strcmp(type, "bp") == 0) {
        if (cJSON_IsObject(data))
            model_apply_bp(&a->m, data);
    } else if (strcmp(type, "reset") == 0) {
        /* missed events cannot be replayed: load everything again */
        net_load_all(a);
    }
}

static void net_conn(void *ctx)
{
    struct app *a = ctx;
    if (a->s.conn == SESSION_UP && a->s.was_up)
        app_status(a, CONSOLE_INFO, 4, "Connected again");
    a->dirty = true;
}

static void net_lost(void *ctx)
{
    net_session_lost(ctx, "Your session ended; log in again");
}

static void net_login_done(void *ctx, const struct httpc_reply *r);

static const struct session_ops net_session_ops = {
    .on_login = net_login_done,
    .on_event = net_event,
    .on_conn = net_conn,
    .on_lost = net_lost,
};

void net_init(struct app *a)
{
    session_init(&a->s, &net_session_ops, a);
}

void net_presence(struct app *a, bool ready)
{
    cJSON *body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "presence", ready ? "ready" : "not_ready");
    httpc_request(a->s.http, "PUT", V1 "/me/presence", body, 0, net_done, a, T_PRESENCE, ready);
    cJSON_Delete(body);
}

void net_action(struct app *a, const char *action, int64_t id, const cJSON *body)
{
    char path[128];
    snprintf(path, sizeof path, V1 "/callbacks/%lld/%s", (long long)id, action);
    int tag = T_ACTION;
    if (strcmp(action, "complete") == 0 && cJSON_GetObjectItemCaseSensitive(body, "reschedule"))
        tag = T_COMPLETE_RESCHEDULE;
    a->action_busy = true;
    httpc_request(a->s.http, "POST", path, body, 0, net_done, a, tag, id);
}

void net_create(struct app *a, const cJSON *body)
{
    httpc_request(a->s.http, "POST", V1 "/callbacks", body, 0, net_done, a, T_CREATE, 0);
}

void net_slots(struct app *a, int64_t bp_id, const char *date, const char *tz)
{
    char *etz = httpc_escape(tz);
    char path[512];
    snprintf(path, sizeof path, V1 "/bps/%lld/slots?date=%s&tz=%s", (long long)bp_id, date, etz);
    free(etz);
    httpc_request(a->s.http, "GET", path, NULL, 0, net_done, a, T_SLOTS, 0);
}

void net_logout(struct app *a)
{
    if (!a->logged_in) {
        a->quit = true;
        return;
    }
    if (a->m.interaction) {
        if (!a->logout_pending) {
            a->logout_pending = true;
            net_presence(a, false); /* no new offer meanwhile */
        }
        app_status(a, CONSOLE_WARN, 0,
                   "Logout waits until callback %lld (%s) is resolved; q again: quit now",
                   (long long)jv_int(a->m.interaction, "id", 0), model_istate(&a->m));
        a->dirty = true;
        return;
    }
    session_logout(&a->s, net_done, a, T_LOGOUT);
    app_status(a, CONSOLE_INFO, 0, "Logging out…");
}

static void net_error_status(struct app *a, const char *what, const struct httpc_reply *r)
{
    if (r->status == 0)
        app_status(a, CONSOLE_ERROR, 8, "%s: cannot reach the server (%s)", what, r->message);
    else
        app_status(a, CONSOLE_ERROR, 8, "%s: %s", what, r->message[0] ? r->message : "refused");
}

static void net_login_done(void *ctx, const struct httpc_reply *r)
{
    struct app *a = ctx;
    static const char *const roles[] = {"agent", NULL};
    a->dirty = true;
    if (!console_login_reply(&a->login, &a->s, r, a->conf.server, roles, "an agent", "cb-supervisor"))
        return;
    const cJSON *user = cJSON_GetObjectItemCaseSensitive(r->json, "user");
    model_clear(&a->m);
    model_set_me(&a->m, user);
    a->logged_in = true;
    a->logout_pending = false;
    a->login.busy = false;
    session_start(&a->s);
    net_load_all(a);
    app_status(a, CONSOLE_INFO, 5, "Logged in as %s; r makes you Ready", a->m.name);
}

static void net_done(void *ctx, int tag, int64_t arg, const struct httpc_reply *r)
{
    struct app *a = ctx;
    a->dirty = true;
    if (tag == T_LOGOUT) {
        a->quit = true;
        return;
    }
    if (r->status == 401 && a->logged_in) {
        net_session_lost(a, "Your session ended; log in again");
        return;
    }
    if (r->status != 200 && r->status != 201) {
        switch (tag) {
        case T_ACTION:
            a->action_busy = false;
            net_error_status(a, "Refused", r);
            /* the callback may have moved on: show what it is now */
            net_get(a, V1 "/me/interaction", T_INTERACTION);
            net_get(a, V1 "/me/callbacks", T_PENDING);
            return;
        case T_CREATE:
        case T_COMPLETE_RESCHEDULE:
            a->action_busy = false;
            form_refused(a, r);
            if (tag == T_COMPLETE_RESCHEDULE)
                net_get(a, V1 "/me/interaction", T_INTERACTION);
            return;
        case T_SLOTS:
            form_slots(a, "", NULL);
            return;
        default:
            net_error_status(a, tag == T_PRESENCE ? "Presence not changed" : "Loading", r);
            return;
        }
    }
    switch (tag) {
    case T_ME:
        model_set_me(&a->m, r->json);
        break;
    case T_PENDING:
        model_set_pending(&a->m, r->json);
        break;
    case T_INTERACTION: {
        int64_t before_id = jv_int(a->m.interaction, "id", 0);
        char before_state[16];
        snprintf(before_state, sizeof before_state, "%s", model_istate(&a->m));
        model_set_interaction(&a->m, r->json);
        if (strcmp(model_istate(&a->m), "offered") == 0 &&
            (before_id != jv_int(a->m.interaction, "id", 0) || strcmp(before_state, "offered") != 0))
            notify_offer(a->m.interaction);
        net_after_interaction(a, before_id, before_state);
        a->m.loaded = true;
        break;
    }
    case T_HISTORY:
        model_set_history(&a->m, r->json);
        break;
    case T_BPS:
        model_set_directory(&a->m, "bps", r->json);
        break;
    case T_TEAMS:
        model_set_directory(&a->m, "teams", r->json);
        break;
    case T_AGENTS:
        model_set_directory(&a->m, "agents", r->json);
        break;
    case T_ZONES:
        model_set_directory(&a->m, "zones", r->json);
        break;
    case T_PRESENCE:
        /* while the stream is up, presence events are the truth: this reply
         * may come after a newer one (an offer made the agent Busy) */
        if (a->s.conn != SESSION_UP)
            model_set_me(&a->m, r->json);
        if (strcmp(jv_str(r->json, "presence"), "busy") == 0 && !a->logout_pending)
            app_status(a, CONSOLE_INFO, 6, "%s once this callback or after-call work is done",
                       arg ? "Ready" : "Not Ready");
        break;
    case T_ACTION:
        a->action_busy = false;
        net_callback(a, r->json);
        break;
    case T_COMPLETE_RESCHEDULE:
        a->action_busy = false;
        net_callback(a, r->json);
        form_saved(a);
        break;
    case T_CREATE:
        net_callback(a, r->json);
        form_saved(a);
        break;
    case T_SLOTS:
        form_slots(a, jv_str(r->json, "date"), r->json);
        break;
    default:
        break;
    }
    (void)arg;
}
