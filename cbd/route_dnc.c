/*
 * route_dnc.c — the do-not-call list over the API (DESIGN.md §3, §5),
 * supervisors only:
 *
 *   GET    /dnc?q=&limit=&after=  {"dnc": [{number, note, added_at, added_by}],
 *                                  "next": CURSOR} (no "next" on the last page)
 *   POST   /dnc {number, note?}   201 with the entry; 409 duplicate when listed
 *   DELETE /dnc/{number}          200 with the removed entry; 404 when not listed
 *
 * Numbers are normalized (phone.h) before anything else. q filters: "+1212"
 * (a leading "+", which a query string may also carry as "%2B" or as a
 * space, the decoded "+") is a prefix of the number and served by a range
 * of the list's key; bare digits ("5550") match anywhere in the number.
 * Spaces, dashes, dots and parentheses in q are ignored. The cursor is the
 * digits of the last number of the page. In the path, "+" may come as "+",
 * "%2B" or be left out ("/dnc/12125550100").
 *
 * Changes run on the engine and are audited ("dnc.add", "dnc.remove",
 * target "dnc:NUMBER", the entry before / after).
 */
#include "routes.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "dispatch.h"
#include "conf.h"
#include "store.h"
#include "xalloc.h"

#define ROUTE_DNC_PAGE_DEFAULT 100
#define ROUTE_DNC_PAGE_MAX 500
#define ROUTE_DNC_NOTE_MAX 200

static cJSON *route_dnc_present(const struct cb_dnc *d)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "number", d->number);
    cJSON_AddStringToObject(o, "note", d->note);
    json_add_instant(o, "added_at", d->added_at);
    json_add_string_or_null(o, "added_by", d->added_by ? d->added_by_login : NULL);
    return o;
}

static char *route_dnc_text(const struct cb_dnc *d)
{
    cJSON *o = route_dnc_present(d);
    char *text = json_print(o);
    cJSON_Delete(o);
    return text;
}

/* ---- GET /dnc ------------------------------------------------------------ */

enum { RD_Q, RD_LIMIT, RD_AFTER, RD__COUNT };
static const char *const route_dnc_names[RD__COUNT] = {"q", "limit", "after"};

/* q → "+digits" (prefix) or "digits" (substring); false on anything else. */
static bool route_dnc_parse_q(const char *q, char out[PHONE_E164_SIZE], bool *prefix)
{
    size_t n = 0;
    *prefix = false;
    const char *p = q;
    while (*p == ' ' || *p == '(')
        p++;
    if (*p == '+' || (p > q && q[0] == ' ')) { /* "+", or a "+" decoded as a space */
        *prefix = true;
        if (*p == '+')
            p++;
    }
    out[n++] = '+';
    for (; *p; p++) {
        if (*p >= '0' && *p <= '9') {
            if (n > PHONE_MAX_DIGITS)
                return false;
            out[n++] = *p;
        } else if (!strchr(" -.()", *p)) {
            return false;
        }
    }
    out[n] = '\0';
    if (!*prefix) /* a substring: the digits alone */
        memmove(out, out + 1, n);
    return true;
}

struct route_dnc_page {
    cJSON *array;
    int limit, count;
    bool more;
    char last[PHONE_E164_SIZE];
};

static bool route_dnc_each(void *ctx, const struct cb_dnc *d)
{
    struct route_dnc_page *p = ctx;
    if (p->count == p->limit) {
        p->more = true;
        return false;
    }
    cJSON_AddItemToArray(p->array, route_dnc_present(d));
    snprintf(p->last, sizeof p->last, "%s", d->number);
    p->count++;
    return true;
}

void route_dnc_list(struct http_request *req)
{
    struct {
        const char *value[RD__COUNT];
    } a;
    struct json_error err;
    if (!http_query_args(req, route_dnc_names, RD__COUNT, a.value, &err)) {
        http_reply_field_error(req, &err);
        return;
    }
    struct store_dnc_query q = {NULL, NULL, NULL, ROUTE_DNC_PAGE_DEFAULT};
    char filter[PHONE_E164_SIZE], after[PHONE_E164_SIZE];
    bool prefix;
    if (a.value[RD_Q] && a.value[RD_Q][0]) {
        if (!route_dnc_parse_q(a.value[RD_Q], filter, &prefix)) {
            json_error_set(&err, "q", "digits only, optionally after a + (at most %d)",
                           PHONE_MAX_DIGITS);
            http_reply_field_error(req, &err);
            return;
        }
        if (prefix)
            q.prefix = filter;
        else
            q.substring = filter;
    }
    if (a.value[RD_LIMIT]) {
        int64_t n;
        const char *v = a.value[RD_LIMIT];
        if (!(v[0] >= '1' && v[0] <= '9') ||
            !conf_parse_int(v, 1, ROUTE_DNC_PAGE_MAX, &n, NULL)) {
            json_error_set(&err, "limit", "must be an integer from 1 to %d", ROUTE_DNC_PAGE_MAX);
            http_reply_field_error(req, &err);
            return;
        }
        q.limit = (int)n;
    }
    if (a.value[RD_AFTER]) {
        const char *v = a.value[RD_AFTER];
        size_t len = strlen(v);
        if (len < 1 || len > PHONE_MAX_DIGITS || strspn(v, "0123456789") != len) {
            json_error_set(&err, "after", "bad cursor");
            http_reply_field_error(req, &err);
            return;
        }
        snprintf(after, sizeof after, "+%s", v);
        q.after = after;
    }
    struct store *st = store_reader();
    if (st == NULL) {
        http_reply_error(req, ERR_UNAVAILABLE, NULL, NULL);
        return;
    }
    cJSON *o = cJSON_CreateObject();
    struct route_dnc_page page = {cJSON_AddArrayToObject(o, "dnc"), q.limit, 0, false, ""};
    enum store_result r = store_dnc_list(st, &q, route_dnc_each, &page);
    if (r != STORE_OK) {
        cJSON_Delete(o);
        http_reply_error(req, ERR_INTERNAL, NULL, NULL);
        return;
    }
    if (page.more)
        cJSON_AddStringToObject(o, "next", page.last + 1);
    http_reply_json(req, 200, o);
}

/* ---- POST /dnc, DELETE /dnc/{number} ------------------------------------- */

struct route_dnc_change {
    char number[PHONE_E164_SIZE];
    char *note;
};

static void route_dnc_change_free(void *p)
{
    struct route_dnc_change *c = p;
    free(c->note);
    free(c);
}

static enum store_result route_dnc_add_run(struct store *w, struct http_request *req)
{
    struct route_dnc_change *c = req->ctx;
    int64_t now = clock_now();
    enum store_result r = store_dnc_add(w, c->number, c->note, now, req->caller.user_id);
    if (r == STORE_CONFLICT) {
        char message[80];
        snprintf(message, sizeof message, "number: %s is already on the do-not-call list",
                 c->number);
        http_reply_error(req, ERR_DUPLICATE, "number", message);
        return r;
    }
    struct cb_dnc d;
    if (r == STORE_OK)
        r = store_dnc_get(w, c->number, &d);
    if (r != STORE_OK)
        return r;
    char target[32], *after = route_dnc_text(&d);
    snprintf(target, sizeof target, "dnc:%s", d.number);
    r = store_audit_insert(w, now, req->caller.user_id, "dnc.add", target, NULL, after);
    free(after);
    if (r == STORE_OK)
        http_reply_json(req, 201, route_dnc_present(&d));
    return r;
}

void route_dnc_add(struct http_request *req)
{
    cJSON *body = http_body_json(req);
    if (body == NULL)
        return;
    static const char *const known[] = {"number", "note", NULL};
    struct json_error err;
    const char *number = NULL, *note = "", *why = NULL;
    struct route_dnc_change *c = xcalloc(1, sizeof *c);
    req->ctx = c;
    req->ctx_free = route_dnc_change_free;
    bool ok = json_check_known(body, known, &err) &&
              json_get_string(body, "number", JSON_REQUIRED, 64, JSON_SINGLE_LINE, &number, &err) &&
              json_get_string(body, "note", JSON_OPTIONAL, ROUTE_DNC_NOTE_MAX,
                              JSON_SINGLE_LINE | JSON_ALLOW_EMPTY, &note, &err);
    if (ok && !phone_normalize(number, c->number, &why)) {
        json_error_set(&err, "number", "%s", why ? why : "not an E.164 number");
        ok = false;
    }
    if (ok)
        c->note = xstrdup(note);
    cJSON_Delete(body);
    if (!ok) {
        http_reply_field_error(req, &err);
        return;
    }
    http_engine(req, route_dnc_add_run);
}

static enum store_result route_dnc_remove_run(struct store *w, struct http_request *req)
{
    struct route_dnc_change *c = req->ctx;
    struct cb_dnc d;
    enum store_result r = store_dnc_get(w, c->number, &d);
    if (r == STORE_NOT_FOUND) {
        http_reply_error(req, ERR_NOT_FOUND, NULL, "that number is not on the do-not-call list");
        return r;
    }
    if (r == STORE_OK)
        r = store_dnc_remove(w, c->number);
    if (r != STORE_OK)
        return r;
    char target[32], *before = route_dnc_text(&d);
    snprintf(target, sizeof target, "dnc:%s", d.number);
    r = store_audit_insert(w, clock_now(), req->caller.user_id, "dnc.remove", target, before,
                           NULL);
    free(before);
    if (r == STORE_OK) {
        dispatch_recheck(); /* a queued callback to that number may be offered again */
        http_reply_json(req, 200, route_dnc_present(&d));
    }
    return r;
}

void route_dnc_remove(struct http_request *req)
{
    struct route_dnc_change *c = xcalloc(1, sizeof *c);
    req->ctx = c;
    req->ctx_free = route_dnc_change_free;
    char raw[72];
    const char *param = req->params[0], *why = NULL;
    if (strlen(param) >= sizeof raw - 1) {
        why = "too long";
    } else {
        /* a "+" may have arrived decoded as a space, or not at all */
        const char *p = param;
        while (*p == ' ')
            p++;
        snprintf(raw, sizeof raw, "%s%s", *p == '+' ? "" : "+", p);
        if (!phone_normalize(raw, c->number, &why) && why == NULL)
            why = "not an E.164 number";
    }
    if (why) {
        struct json_error err;
        json_error_set(&err, "number", "%s", why);
        http_reply_field_error(req, &err);
        return;
    }
    http_engine(req, route_dnc_remove_run);
}
