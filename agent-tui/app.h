/*
 * app.h — the agent console as one object: the model, the connection, and
 * the state of the screen (which pane, which row, which dialog). The files
 * each own one part and share this struct: net.c talks to cbd, view.c
 * draws the main screen, form.c the scheduling form, dialog.c the small
 * dialogs, input.c maps keys and clicks to actions, notify.c the desktop
 * notifications, main.c the loop.
 */
#ifndef CB_AGENT_APP_H
#define CB_AGENT_APP_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <wchar.h>

#include "clientconf.h"
#include "console.h"
#include "httpc.h"
#include "login.h"
#include "model.h"
#include "session.h"
#include "tui.h"

enum pane { PANE_NONE, PANE_PENDING, PANE_HISTORY };
enum dialog { DLG_NONE, DLG_HELP, DLG_CONFIRM, DLG_COMPLETE, DLG_FORM };

/* What a confirmation leads to. */
enum confirm_action { CONFIRM_CALL_NOW, CONFIRM_CANCEL_DIAL, CONFIRM_QUIT };

/* How the scheduling form was opened (DESIGN.md §7, the seed's three ways),
 * and the reschedule of a Callback Requested completion. */
enum form_origin { FORM_PANEL, FORM_INTERACTION, FORM_HISTORY, FORM_RESCHEDULE };

enum form_field {
    FF_DESTINATION,
    FF_BP,
    FF_DATE,
    FF_TIME,
    FF_TZ,
    FF_ROUTING,
    FF_TARGET,
    FF_REMARK,
    FF_COUNT
};

struct form {
    enum form_origin origin;
    int64_t interaction_id; /* the call it comes from, or 0 */
    int64_t callback_id;    /* FORM_RESCHEDULE: the callback being completed */
    bool not_ready;         /* FORM_RESCHEDULE: Not Ready afterwards */
    struct tui_field text[FF_COUNT]; /* destination, date, time, tz, remark */
    int64_t bp_id;
    int routing; /* 0 agent, 1 team */
    char target[128];
    int focus;
    char errors[FF_COUNT][160];
    char general[256];
    bool saving;
    /* date and time are still the ones the form filled in: choosing the
     * customer's zone fills them again on that zone's clock */
    bool when_filled;
    /* the zone list under the zone field */
    int zone_sel, zone_top;
    bool zone_open;
    /* the month calendar under the date field */
    bool cal_open;
    int cal_year, cal_month, cal_day;
    /* the agent / team list */
    bool target_open;
    int target_sel;
    /* the slot grid of the day in the customer's zone */
    cJSON *slots;
    char slots_key[160]; /* bp|date|tz the grid is for */
};

struct app {
    struct model m;
    struct clientconf conf;
    struct session s; /* the login, the token, the event stream, the HTTP client */
    struct login_form login;
    bool logged_in; /* past the login screen (an agent's login) */
    bool quit;
    /* negotiated logout: asked while an offer or a callback was held */
    bool logout_pending;
    /* screen */
    enum pane pane;
    int sel_pending, top_pending;
    int sel_history, top_history;
    enum dialog dlg;
    enum dialog dlg_under_help;
    enum confirm_action confirm;
    int64_t confirm_id;
    char confirm_text[256];
    /* the completion dialog */
    const char *complete_opts[8];
    int complete_n, complete_sel;
    bool complete_not_ready;
    bool action_busy;
    struct form form;
    struct console_status st;
    bool notifications_off;
    bool dirty;
    bool bell; /* ring the terminal bell at the next draw (an offer) */
    /* the interaction as last drawn, to redraw the countdown each second */
    time_t drawn_second;
};

/* status line: a message for a few seconds (0: until replaced) */
void app_status(struct app *a, enum console_level level, int seconds, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* net.c */
void net_init(struct app *a);
void net_load_all(struct app *a);
void net_presence(struct app *a, bool ready);
/* POST /callbacks/{id}/{action} with body (may be NULL; not taken). */
void net_action(struct app *a, const char *action, int64_t id, const cJSON *body);
void net_create(struct app *a, const cJSON *body);
void net_slots(struct app *a, int64_t bp_id, const char *date, const char *tz);
void net_history(struct app *a);
/* Logs out (negotiated: deferred while an offer or a held callback). */
void net_logout(struct app *a);

/* view.c */
void view_draw(struct app *a);
/* The pane row at screen row y, or -1. */
int view_row_at(const struct app *a, int y);

/* dialog.c */
void dialog_confirm(struct app *a, enum confirm_action action, int64_t id, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void dialog_complete_open(struct app *a);
void dialog_draw(struct app *a);
void dialog_key(struct app *a, wint_t ch, bool is_key);
/* A click in a dialog: the completion dialog picks the row (twice: sends). */
void dialog_click(struct app *a, int y, int x);

/* form.c */
void form_open(struct app *a, enum form_origin origin, const cJSON *from);
void form_draw(struct app *a);
void form_key(struct app *a, wint_t ch, bool is_key);
void form_click(struct app *a, int y, int x);
/* The server refused the save: shown beside the field it names. */
void form_refused(struct app *a, const struct httpc_reply *r);
void form_saved(struct app *a);
void form_slots(struct app *a, const char *key, const cJSON *reply);
void form_close(struct app *a);

/* input.c */
void input_key(struct app *a, wint_t ch, bool is_key);
void input_help_draw(struct app *a);
/* The key bar at the bottom: the keys that work now. */
void input_keybar_draw(struct app *a, int y);

/* notify.c */
void notify_start(struct app *a);
int notify_fd(void);
void notify_offer(const cJSON *cb);
void notify_withdraw(int64_t id);
void notify_drain(struct app *a);
void notify_stop(void);

#endif
