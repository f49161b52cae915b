/*
 * test_lifecycle.c — every (state, event) pair of the lifecycle table, legal
 * and illegal, against an expectation written out here from DESIGN.md §3;
 * the completion statuses and defaults per state; the vocabulary lists.
 */
#include "lifecycle.h"
#include "tap.h"

#include <string.h>

/* Expected next state for each (state, event): a row per event, a column per
 * state in lc_state order (pending, queued, offered, preview, dialing,
 * timed_out, handling, completed); "-" = illegal. */
static const struct {
    const char *event;
    const char *next[LC__STATE_COUNT];
} expect[] = {
    {"due", {"queued", "-", "-", "-", "-", "-", "-", "-"}},
    {"send_to_queue", {"queued", "-", "-", "-", "-", "-", "-", "-"}},
    {"purge", {"completed", "completed", "-", "-", "-", "-", "-", "-"}},
    {"offer", {"-", "offered", "-", "-", "-", "-", "-", "-"}},
    {"accept", {"-", "-", "preview", "-", "-", "-", "-", "-"}},
    {"accept_dial", {"-", "-", "dialing", "-", "-", "-", "-", "-"}},
    {"reject", {"-", "-", "queued", "-", "-", "-", "-", "-"}},
    {"offer_timeout", {"-", "-", "queued", "-", "-", "-", "-", "-"}},
    {"dial", {"-", "-", "-", "dialing", "-", "-", "-", "-"}},
    {"preview_end", {"-", "-", "-", "dialing", "-", "-", "-", "-"}},
    {"blocked", {"-", "-", "queued", "queued", "-", "-", "-", "-"}},
    {"call_now", {"dialing", "-", "-", "-", "-", "-", "-", "-"}},
    {"connected", {"-", "-", "-", "-", "handling", "-", "-", "-"}},
    {"no_answer_timeout", {"-", "-", "-", "-", "dialing_timed_out", "-", "-", "-"}},
    {"wrap_limit", {"-", "-", "-", "-", "-", "pending", "-", "-"}},
    {"complete_handled", {"-", "-", "-", "-", "-", "-", "completed", "-"}},
    {"complete_answering_machine", {"-", "-", "-", "-", "-", "-", "pending", "-"}},
    {"complete_no_answer", {"-", "-", "-", "-", "pending", "pending", "pending", "-"}},
    {"complete_cancel", {"-", "-", "-", "-", "queued", "-", "-", "-"}},
    {"complete_callback_requested", {"-", "-", "-", "-", "pending", "pending", "pending", "-"}},
    {"complete_wrong_destination",
     {"-", "-", "-", "-", "completed", "completed", "completed", "-"}},
    {"abort", {"-", "pending", "pending", "-", "-", "-", "-", "-"}},
    {"disconnect", {"-", "-", "queued", "queued", "queued", "queued", "pending", "-"}},
    {"customer_called_in",
     {"completed", "completed", "offered", "preview", "dialing", "dialing_timed_out", "handling",
      "-"}},
    {"expire", {"completed", "completed", "-", "-", "-", "-", "-", "-"}},
    {"fallback", {"pending", "queued", "-", "-", "-", "-", "-", "-"}},
    {"reschedule", {"pending", "-", "-", "-", "-", "-", "-", "-"}},
};

static void test_matrix(void)
{
    tap_is_int((long long)(sizeof expect / sizeof expect[0]), LC__EVENT_COUNT,
               "the expectation covers every event");
    int legal = 0;
    for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++) {
        enum lc_event ev;
        if (!tap_ok(lifecycle_event_parse(expect[i].event, &ev), "event '%s' exists",
                    expect[i].event))
            continue;
        for (int s = 0; s < LC__STATE_COUNT; s++) {
            const struct lc_transition *t = lifecycle_step((enum lc_state)s, ev);
            const char *want = expect[i].next[s];
            const char *got = t ? lifecycle_state_wire(t->to) : "-";
            tap_is_str(got, want, "%s + %s -> %s", lifecycle_state_wire((enum lc_state)s),
                       expect[i].event, want);
            if (t) {
                legal++;
                tap_ok((int)t->from == s && t->event == ev, "row is the one asked for");
            }
        }
    }
    tap_ok(legal > 40, "%d legal pairs", legal);
    tap_ok(lifecycle_step(LC__STATE_COUNT, LC_EV_DUE) == NULL &&
               lifecycle_step(LC_PENDING, LC__EVENT_COUNT) == NULL,
           "out-of-range state or event is illegal");
}

static void test_effects(void)
{
    const struct lc_transition *t;

    t = lifecycle_step(LC_HANDLING, LC_EV_COMPLETE_HANDLED);
    tap_ok(t && (t->effects & LC_FX_REMOVE) && t->end == END_HANDLED &&
               t->attempt == ATTEMPT_HANDLED && !(t->effects & LC_FX_INCREMENT),
           "Handled removes with end state handled, no increment");
    t = lifecycle_step(LC_HANDLING, LC_EV_COMPLETE_ANSWERING_MACHINE);
    tap_ok(t && t->effects == (LC_FX_INCREMENT | LC_FX_RECALL) && t->end == LC_NONE,
           "Answering Machine: attempts + 1 and recall");
    for (int s = LC_DIALING; s <= LC_HANDLING; s++) {
        t = lifecycle_step((enum lc_state)s, LC_EV_COMPLETE_NO_ANSWER);
        tap_ok(t && t->effects == (LC_FX_INCREMENT | LC_FX_RECALL) &&
                   t->attempt == ATTEMPT_NO_ANSWER,
               "No Answer in %s: attempts + 1 and recall", lifecycle_state_wire((enum lc_state)s));
        t = lifecycle_step((enum lc_state)s, LC_EV_COMPLETE_CALLBACK_REQUESTED);
        tap_ok(t && t->effects == LC_FX_RESCHEDULE && t->to == LC_PENDING,
               "Callback Requested in %s: rescheduled, attempts kept",
               lifecycle_state_wire((enum lc_state)s));
        t = lifecycle_step((enum lc_state)s, LC_EV_COMPLETE_WRONG_DESTINATION);
        tap_ok(t && t->end == END_WRONG_DESTINATION && (t->effects & LC_FX_REMOVE),
               "Wrong Destination in %s: removed", lifecycle_state_wire((enum lc_state)s));
    }
    t = lifecycle_step(LC_DIALING, LC_EV_COMPLETE_CANCEL);
    tap_ok(t && t->effects == 0 && t->attempt == ATTEMPT_CANCEL, "Cancel: back to queue, no increment");
    t = lifecycle_step(LC_OFFERED, LC_EV_REJECT);
    tap_ok(t && t->attempt == ATTEMPT_REJECTED && t->effects == LC_FX_NO_REOFFER,
           "reject: rejected, not re-offered to that agent, no increment");
    t = lifecycle_step(LC_OFFERED, LC_EV_OFFER_TIMEOUT);
    tap_ok(t && t->attempt == ATTEMPT_REDIRECTED && t->effects == LC_FX_AGENT_NOT_READY,
           "offer time-out: redirected, agent Not Ready");
    t = lifecycle_step(LC_QUEUED, LC_EV_ABORT);
    tap_ok(t && t->attempt == ATTEMPT_ABORTED && t->to == LC_PENDING, "abort while queued");
    t = lifecycle_step(LC_TIMED_OUT, LC_EV_WRAP_LIMIT);
    tap_ok(t && t->attempt == ATTEMPT_NO_ANSWER && (t->effects & LC_FX_INCREMENT),
           "wrap limit completes as No Answer");
    t = lifecycle_step(LC_HANDLING, LC_EV_DISCONNECT);
    tap_ok(t && t->to == LC_PENDING && (t->effects & LC_FX_FLAG_SUPERVISOR) &&
               t->attempt == ATTEMPT_DISCONNECTED,
           "disconnect while Handling: Pending, flagged for the supervisor");
    for (int s = LC_OFFERED; s <= LC_TIMED_OUT; s++) {
        t = lifecycle_step((enum lc_state)s, LC_EV_DISCONNECT);
        tap_ok(t && t->to == LC_QUEUED && !(t->effects & LC_FX_INCREMENT),
               "disconnect in %s: back to queue, no increment",
               lifecycle_state_wire((enum lc_state)s));
    }
    t = lifecycle_step(LC_PENDING, LC_EV_FALLBACK);
    tap_ok(t && t->attempt == ATTEMPT_FALLBACK && t->effects == LC_FX_TO_TEAM, "fallback to team");
    t = lifecycle_step(LC_DIALING, LC_EV_CUSTOMER_CALLED_IN);
    tap_ok(t && t->to == LC_DIALING && t->effects == LC_FX_FLAG_AGENT,
           "customer called in while held: only flagged");
    t = lifecycle_step(LC_QUEUED, LC_EV_CUSTOMER_CALLED_IN);
    tap_ok(t && t->end == END_CUSTOMER_CALLED_IN, "customer called in while queued: closed");
    t = lifecycle_step(LC_PENDING, LC_EV_PURGE);
    tap_ok(t && t->end == END_PURGED && t->attempt == ATTEMPT_PURGED, "purge");

    /* every REMOVE row has an end state and every end state a row; nothing else ends */
    int bad = 0;
    for (int s = 0; s < LC__STATE_COUNT; s++)
        for (int e = 0; e < LC__EVENT_COUNT; e++) {
            t = lifecycle_step((enum lc_state)s, (enum lc_event)e);
            if (!t)
                continue;
            bool removes = t->effects & LC_FX_REMOVE;
            if (removes != (t->to == LC_COMPLETED) || removes != (t->end != LC_NONE))
                bad++;
            if ((t->effects & LC_FX_RECALL) && !(t->effects & LC_FX_INCREMENT))
                bad++;
            if ((t->effects & LC_FX_START_ATTEMPT) && !lifecycle_held(t->to))
                bad++;
        }
    tap_is_int(bad, 0, "REMOVE ⇔ Completed ⇔ end state; RECALL implies INCREMENT");
}

static void test_statuses(void)
{
    static const struct {
        enum lc_state state;
        unsigned set;
        int def;
    } want[] = {
        {LC_PENDING, 0, -1},
        {LC_QUEUED, 0, -1},
        {LC_OFFERED, 0, -1},
        {LC_PREVIEW, 0, -1},
        {LC_DIALING,
         1u << STATUS_NO_ANSWER | 1u << STATUS_CANCEL | 1u << STATUS_CALLBACK_REQUESTED |
             1u << STATUS_WRONG_DESTINATION,
         STATUS_CANCEL},
        {LC_TIMED_OUT,
         1u << STATUS_NO_ANSWER | 1u << STATUS_CALLBACK_REQUESTED | 1u << STATUS_WRONG_DESTINATION,
         STATUS_NO_ANSWER},
        {LC_HANDLING,
         1u << STATUS_HANDLED | 1u << STATUS_ANSWERING_MACHINE | 1u << STATUS_NO_ANSWER |
             1u << STATUS_CALLBACK_REQUESTED | 1u << STATUS_WRONG_DESTINATION,
         STATUS_HANDLED},
        {LC_COMPLETED, 0, -1},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        enum status def = (enum status)-1;
        unsigned set = lifecycle_statuses(want[i].state, &def);
        tap_is_int(set, want[i].set, "statuses allowed in %s", lifecycle_state_wire(want[i].state));
        tap_is_int((int)def, want[i].def, "default status in %s",
                   lifecycle_state_wire(want[i].state));
        if (want[i].def >= 0)
            tap_ok(set & (1u << want[i].def), "the default is among the allowed");
    }
    tap_ok(!(lifecycle_statuses(LC_TIMED_OUT, NULL) & (1u << STATUS_CANCEL)),
           "no Cancel after the time-out");
}

static void test_places(void)
{
    enum istate is;
    tap_ok(lifecycle_location(LC_PENDING) == LOCATION_PENDING &&
               lifecycle_location(LC_QUEUED) == LOCATION_HANDLING_BY_BP &&
               lifecycle_location(LC_OFFERED) == LOCATION_HANDLING_BY_AGENT &&
               lifecycle_location(LC_TIMED_OUT) == LOCATION_HANDLING_BY_AGENT &&
               lifecycle_location(LC_COMPLETED) == LOCATION_COMPLETED,
           "locations");
    tap_ok(lifecycle_istate(LC_TIMED_OUT, &is) && is == ISTATE_DIALING, "timed out is Dialing");
    tap_ok(!lifecycle_istate(LC_QUEUED, &is) && !lifecycle_held(LC_PENDING) &&
               lifecycle_held(LC_HANDLING),
           "held only with an agent");
    tap_ok(!lifecycle_fails(2, 3) && lifecycle_fails(3, 3) && !lifecycle_fails(9, 0),
           "fails when attempts reach max");
    int rec[] = {15, 60, 240};
    tap_ok(lifecycle_recall_minutes(rec, 3, 1) == 15 && lifecycle_recall_minutes(rec, 3, 3) == 240 &&
               lifecycle_recall_minutes(rec, 3, 7) == 240 && lifecycle_recall_minutes(rec, 0, 1) == 0,
           "recall intervals, the last repeating");
}

static void test_vocab(void)
{
    enum location loc;
    enum status st;
    enum error_code ec;
    tap_is_str(location_wire(LOCATION_HANDLING_BY_BP), "handling_by_business_process", "wire");
    tap_is_str(location_display(LOCATION_HANDLING_BY_BP), "HandlingByBusinessProcess", "display");
    tap_ok(location_parse("handling_by_agent", &loc) && loc == LOCATION_HANDLING_BY_AGENT, "parse");
    tap_ok(!location_parse("HandlingByAgent", &loc) && !location_parse(NULL, &loc) &&
               !location_parse("", &loc),
           "parse takes wire names only");
    tap_is_str(status_display(STATUS_ANSWERING_MACHINE), "Answering Machine", "status display");
    tap_ok(status_parse("callback_requested", &st) && st == STATUS_CALLBACK_REQUESTED, "status");
    tap_is_str(clbk_stat_display(CLBK_STAT_OFF_SCHEDULE), "Off Schedule HRS", "CLBK Stat");
    tap_is_str(presence_wire((enum presence)99), "?", "out of range formats as ?");
    tap_ok(error_parse("slot_full", &ec) && error_http_status(ec) == 409, "slot_full is 409");
    tap_is_int(error_http_status(ERR_INVALID_FIELD), 422, "invalid_field is 422");
    tap_is_int(error_http_status(ERR_PAYLOAD_TOO_LARGE), 413, "413");
    tap_is_str(attempt_wire(status_attempt_state(STATUS_WRONG_DESTINATION)), "wrong_destination",
               "a status is an attempt state");
    tap_is_str(end_display(END_CUSTOMER_CALLED_IN), "CustomerCalledIn", "end state display");
}

int main(void)
{
    test_matrix();
    test_effects();
    test_statuses();
    test_places();
    test_vocab();
    return tap_done();
}
