/*
 * notify.c — a desktop notification for every offer, through libnotify,
 * without ever blocking the console.
 *
 * libnotify's calls are synchronous D-Bus calls: with no session bus they
 * fail at once, but a notification server that owns the name and never
 * answers holds each call for 25 s (../shared/TESTING.md §1). So libnotify
 * lives on a thread of its own with its own GLib main context, which it
 * iterates: the console's loop hands it offers and withdrawals through
 * g_main_context_invoke() and hears back through a pipe, which the loop
 * polls with the keyboard and the network: "A ID" (the notification's
 * Accept action), "R ID" (Reject), "E TEXT" (notifications do not work:
 * said once in the status line). GLib's and libnotify's log messages are
 * swallowed, never written over the curses screen.
 *
 * Each notification: summary "Callback offer: NUMBER", body with the BP,
 * the due time and the remark (markup-escaped), critical urgency, expiring
 * with the offer, Accept / Reject actions when the server supports them;
 * closed when the offer is resolved.
 */
#include "app.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <libnotify/notify.h>

#include "serverclock.h"
#include "timefmt.h"

static GMainContext *notify_ctx;
static GMainLoop *notify_loop;
static pthread_t notify_thread;
static bool notify_running;
static int notify_pipe[2] = {-1, -1};
/* worker thread only: the notification shown per callback id */
static GHashTable *notify_shown;
static bool notify_inited;
static bool notify_has_actions;

struct notify_msg {
    int64_t id;
    char *summary, *body;
    int timeout_ms;
};

static void notify_send_line(char kind, const char *text)
{
    char line[600];
    int n = snprintf(line, sizeof line, "%c %s\n", kind, text);
    if (n > (int)sizeof line - 1)
        n = (int)sizeof line - 1, line[n - 1] = '\n';
    if (write(notify_pipe[1], line, (size_t)n) < 0) {
        /* the console is gone or its pipe is full: nothing to tell */
    }
}

static void notify_log_silent(const gchar *domain, GLogLevelFlags level, const gchar *message,
                              gpointer data)
{
    (void)domain;
    (void)level;
    (void)message;
    (void)data;
}

static void notify_action(NotifyNotification *n, char *action, gpointer data)
{
    (void)n;
    char id[32];
    snprintf(id, sizeof id, "%lld", (long long)(intptr_t)data);
    notify_send_line(strcmp(action, "accept") == 0 ? 'A' : 'R', id);
}

static void notify_closed(NotifyNotification *n, gpointer data)
{
    /* a late "closed" of an older notification for the same callback must
     * not take a newer one (a re-offer) with it */
    if (g_hash_table_lookup(notify_shown, data) == n)
        g_hash_table_remove(notify_shown, data);
}

static bool notify_caps_known;

static bool notify_ensure_init(void)
{
    if (!notify_inited) {
        if (!notify_init("cb-agent")) {
            notify_send_line('E', "libnotify could not start");
            return false;
        }
        notify_inited = true;
    }
    /* a server that did not answer the question at the first offer is
     * asked again at the next one */
    if (!notify_caps_known) {
        GList *caps = notify_get_server_caps();
        notify_caps_known = caps != NULL;
        for (GList *c = caps; c; c = c->next)
            if (strcmp((const char *)c->data, "actions") == 0)
                notify_has_actions = true;
        g_list_free_full(caps, g_free);
    }
    return true;
}

static gboolean notify_do_show(gpointer p)
{
    struct notify_msg *m = p;
    if (notify_ensure_init()) {
        gpointer key = (gpointer)(intptr_t)m->id;
        NotifyNotification *old = g_hash_table_lookup(notify_shown, key);
        if (old)
            notify_notification_close(old, NULL);
        g_hash_table_remove(notify_shown, key);
        NotifyNotification *n = notify_notification_new(m->summary, m->body, "call-start");
        notify_notification_set_urgency(n, NOTIFY_URGENCY_CRITICAL);
        notify_notification_set_timeout(n, m->timeout_ms > 0 ? m->timeout_ms : NOTIFY_EXPIRES_DEFAULT);
        notify_notification_set_category(n, "call.incoming");
        notify_notification_set_app_name(n, "cb-agent");
        if (notify_has_actions) {
            notify_notification_add_action(n, "accept", "Accept", notify_action, key, NULL);
            notify_notification_add_action(n, "reject", "Reject", notify_action, key, NULL);
        }
        g_signal_connect(n, "closed", G_CALLBACK(notify_closed), key);
        GError *err = NULL;
        if (notify_notification_show(n, &err)) {
            g_hash_table_insert(notify_shown, key, n);
        } else {
            notify_send_line('E', err && err->message ? err->message : "the notification was refused");
            g_clear_error(&err);
            g_object_unref(n);
        }
    }
    g_free(m->summary);
    g_free(m->body);
    g_free(m);
    return G_SOURCE_REMOVE;
}

static gboolean notify_do_withdraw(gpointer p)
{
    NotifyNotification *n = g_hash_table_lookup(notify_shown, p);
    if (n) {
        notify_notification_close(n, NULL);
        g_hash_table_remove(notify_shown, p);
    }
    return G_SOURCE_REMOVE;
}

static void *notify_main(void *arg)
{
    (void)arg;
    g_main_context_push_thread_default(notify_ctx);
    notify_shown = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_object_unref);
    g_main_loop_run(notify_loop);
    return NULL;
}

void notify_start(struct app *a)
{
    (void)a;
    g_log_set_default_handler(notify_log_silent, NULL);
    g_log_set_handler("libnotify", G_LOG_LEVEL_MASK | G_LOG_FLAG_FATAL | G_LOG_FLAG_RECURSION,
                      notify_log_silent, NULL);
    g_log_set_handler("GLib-GIO", G_LOG_LEVEL_MASK, notify_log_silent, NULL);
    g_log_set_handler("GLib-GObject", G_LOG_LEVEL_MASK, notify_log_silent, NULL);
    if (pipe(notify_pipe) != 0)
        return;
    fcntl(notify_pipe[0], F_SETFL, O_NONBLOCK);
    fcntl(notify_pipe[1], F_SETFL, O_NONBLOCK);
    fcntl(notify_pipe[0], F_SETFD, FD_CLOEXEC);
    fcntl(notify_pipe[1], F_SETFD, FD_CLOEXEC);
    notify_ctx = g_main_context_new();
    notify_loop = g_main_loop_new(notify_ctx, FALSE);
    if (pthread_create(&notify_thread, NULL, notify_main, NULL) == 0)
        notify_running = true;
}

int notify_fd(void)
{
    return notify_pipe[0];
}

void notify_offer(const cJSON *cb)
{
    if (!notify_running || cb == NULL)
        return;
    struct notify_msg *m = g_new0(struct notify_msg, 1);
    m->id = jv_int(cb, "id", 0);
    char due[32], cust[96];
    int64_t due_at = jv_instant(cb, "due_at");
    timefmt_agent(due_at, due, sizeof due);
    timefmt_customer(due_at, jv_str(cb, "tz"), cust, sizeof cust);
    int64_t until = jv_instant(cb, "state_until");
    int64_t left = until ? until - serverclock_now() : 0;
    m->timeout_ms = left > 0 ? (int)(left * 1000) : 0;
    m->summary = g_strdup_printf("Callback offer: %s", jv_str(cb, "destination"));
    char *bp = g_markup_escape_text(jv_str(cb, "bp"), -1);
    char *remark = g_markup_escape_text(jv_str(cb, "remark"), -1);
    char *custe = g_markup_escape_text(cust, -1);
    m->body = g_strdup_printf("%s · due %s%s%s%s · %llds to accept%s%s", bp, due, cust[0] ? " (" : "",
                              custe, cust[0] ? ")" : "", (long long)(left > 0 ? left : 0),
                              remark[0] ? "\n" : "", remark);
    g_free(bp);
    g_free(remark);
    g_free(custe);
    g_main_context_invoke(notify_ctx, notify_do_show, m);
}

void notify_withdraw(int64_t id)
{
    if (notify_running)
        g_main_context_invoke(notify_ctx, notify_do_withdraw, (gpointer)(intptr_t)id);
}

/* Lines from the notification thread; a line cut between two reads waits
 * here for its end. */
static char notify_buf[4096];
static size_t notify_len;

static void notify_line(struct app *a, char *line)
{
    if (line[0] == 'E') {
        if (!a->notifications_off)
            app_status(a, CONSOLE_WARN, 10, "Desktop notifications are off (%s)", line + 2);
        a->notifications_off = true;
        return;
    }
    int64_t id = strtoll(line + 2, NULL, 10);
    if (a->m.interaction == NULL || jv_int(a->m.interaction, "id", 0) != id ||
        strcmp(model_istate(&a->m), "offered") != 0)
        return; /* the offer is gone already */
    net_action(a, line[0] == 'A' ? "accept" : "reject", id, NULL);
}

void notify_drain(struct app *a)
{
    ssize_t n = read(notify_pipe[0], notify_buf + notify_len, sizeof notify_buf - 1 - notify_len);
    if (n <= 0)
        return;
    notify_len += (size_t)n;
    char *start = notify_buf, *nl;
    while ((nl = memchr(start, '\n', notify_len - (size_t)(start - notify_buf))) != NULL) {
        *nl = '\0';
        notify_line(a, start);
        start = nl + 1;
    }
    notify_len -= (size_t)(start - notify_buf);
    memmove(notify_buf, start, notify_len);
    if (notify_len == sizeof notify_buf - 1)
        notify_len = 0; /* no line is that long: drop it */
    a->dirty = true;
}

void notify_stop(void)
{
    /* a notification server that never answers may hold the thread for
     * 25 s: the console does not wait for it, the process exit ends it */
    if (notify_running)
        g_main_loop_quit(notify_loop);
}
