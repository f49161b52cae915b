#!/usr/bin/python3
# The callback lifecycle's completions (DESIGN.md §3, issue 4 "Tests that
# must exist"), against a real cbd with the test clock, in the demo's
# Support BP (always open, calling hours 00:00-24:00, no preview):
#   - every completion status in every state it is offered in (Dialing
#     before the no-answer time-out, Dialing after it, Handling) and its
#     effect: attempts, location / state / end state, due_at moved by the
#     recall interval, the attempt row (state, agent, handle time, connect);
#   - 409 for every status not offered in that state, and in Offered,
#     Preview, Pending, in the queue and Completed, with nothing changed;
#   - recall intervals 15, 60, 240 minutes with the last repeating, each
#     honoured by the engine (not queued before), and max_attempts → Failed;
#   - Callback Requested: Pending with the new date, time, zone and target,
#     attempts kept; bad reschedules are 422 naming "reschedule..." and
#     change nothing;
#   - Cancel back to the queue, attempts unchanged;
#   - the no-answer time-out: timed_out, the statuses allowed shrink, Cancel
#     and Connected refused, and wrap_limit_s later a No Answer by itself;
#   - wrap_up_s: the agent is Busy, then Ready (or Not Ready when the
#     completion said so), and gets no offer meanwhile.
# carol is the working agent; dave stays Not Ready unless said otherwise.
# Both keep an event stream open so the grace period never logs them out
# while the test clock jumps hours ahead.
import datetime, os, sys, time
from zoneinfo import ZoneInfo
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from cbdtest import Server, Tap, EventStream, V1, iso, parse_instant, wait_for

UTC = datetime.timezone.utc
CB = V1 + "/callbacks"
ALL = ["handled", "answering_machine", "no_answer", "cancel", "callback_requested", "wrong_destination"]
# DESIGN.md §3, the completion table
ALLOWED = {
    "dialing": ["no_answer", "cancel", "callback_requested", "wrong_destination"],
    "timed_out": ["no_answer", "callback_requested", "wrong_destination"],
    "handling": ["handled", "answering_machine", "no_answer", "callback_requested", "wrong_destination"],
}

t = Tap()
with Server(t, args=["--test-clock", "--grace-s", "3600"]) as s:
    sup, carol, dave = s.login("sup"), s.login("carol"), s.login("dave")
    streams = [EventStream(s, carol), EventStream(s, dave)]
    t.is_([e.status for e in streams], [200, 200], "carol and dave keep an event stream open")
    s.purge_pending("Support", sup)
    t.is_(s.callbacks(sup, bp="Support", location="pending"), [], "the demo's Support callbacks are purged")
    t.is_(s.set_presence(carol, "ready").status, 200, "carol is Ready")
    t.is_(s.presence(dave), "not_ready", "dave is Not Ready (logged in)")

    seq = [0]
    made = []

    def pump():
        for e in streams:
            e.pump(0)
            e.take()

    def new_cb(due=None, **over):
        """A Support callback (team by default), due now on the test clock."""
        seq[0] += 1
        b = {"destination": "+4420712%05d" % seq[0], "bp": "Support", "routing": "team",
             "team": "Support Team", "tz": "UTC", "due_at": iso(due if due is not None else s.now())}
        b.update(over)
        r = s.create_callback(sup, **b)
        if r.status != 201:
            raise RuntimeError("create: %r" % r)
        made.append(r.json["id"])
        return r.json["id"]

    def get(cid):
        return s.callback(cid, sup)

    def complete(cid, status, tok=carol, **extra):
        body = {"status": status}
        body.update(extra)
        return s.post(CB + "/%d/complete" % cid, tok, body)

    def tomorrow():
        return (datetime.datetime.fromtimestamp(s.now(), UTC) + datetime.timedelta(days=1)).date()

    def resched(**over):
        b = {"date": tomorrow().isoformat(), "time": "10:30"}
        b.update(over)
        return b

    def body_for(status):
        return {"reschedule": resched()} if status == "callback_requested" else {}

    def offered_to(cid, tok=carol, timeout=5.0):
        pump()
        return s.wait_offer(tok, cid, timeout) is not None

    def accept(cid, tok=carol):
        return s.post(CB + "/%d/accept" % cid, tok)

    def dialing(name, cid=None):
        """A callback offered to carol and accepted: Dialing (before the time-out)."""
        if cid is None:
            cid = new_cb()
        ok = offered_to(cid)
        r = accept(cid)
        t.ok(ok and r.status == 200 and r.json.get("state") == "dialing" and r.json.get("holder") == "carol",
             "%s: offered to carol, accepted: Dialing (no preview in Support)" % name, r)
        return cid

    def timed_out(name, cid=None):
        cid = dialing(name, cid)
        s.advance(61)  # no_answer_s 60
        c = s.wait_callback(cid, sup, lambda c: c["timed_out"])
        t.is_((c["timed_out"], c["location"], c["state"], c["holder"]),
              (True, "handling_by_agent", "dialing", "carol"),
              "%s: past no_answer_s: still Dialing with carol, timed_out" % name)
        return cid

    def handling(name, kind="live", cid=None):
        cid = dialing(name, cid)
        r = s.post(CB + "/%d/connected" % cid, carol, {"kind": kind})
        t.is_((r.status, (r.json or {}).get("state")), (200, "handling"), "%s: connected %s: Handling" % (name, kind))
        return cid

    def refused_all(cid, statuses, where, tok=carol):
        """Each status is 409 and changes nothing."""
        before = get(cid)
        got = []
        for st in statuses:
            r = complete(cid, st, tok, **body_for(st))
            got.append((st, r.status, r.error()[0]))
        t.is_(got, [(st, 409, "conflict") for st in statuses],
              "%s: %s refused with 409" % (where, ", ".join(statuses) if statuses else "nothing"))
        t.is_(get(cid), before, "%s: the refusals changed nothing" % where)

    def last_attempt(cid):
        h = get(cid)["history"]
        return h[-1] if h else None

    def recall_ok(name, reply, before, after, minutes, attempts):
        due = parse_instant(reply["due_at"])
        t.ok(before + minutes * 60 <= due <= after + minutes * 60,
             "%s: due_at = completion + %d min (%s)" % (name, minutes, reply["due_at"]),
             "completion between %s and %s" % (iso(before), iso(after)))
        t.is_((reply["attempts"], reply["location"], reply["state"], reply["holder"], reply["end_state"],
               reply["timed_out"]),
              (attempts, "pending", None, None, None, False),
              "%s: attempts %d, back to Pending, nobody holds it" % (name, attempts))

    def cleanup():
        """Purges what this file made that is still Pending (so it never comes back)."""
        for cid in made:
            c = get(cid)
            if c and c["location"] == "pending":
                s.post(CB + "/%d/purge" % cid, sup)
        pump()

    # ======================================================================
    # 409 in the states that offer no completion status at all
    # ======================================================================
    # Pending (due tomorrow, carol's own), in the queue (dave's personal, he is
    # Not Ready), Offered, Preview, Completed
    pend = new_cb(due=s.now() + 86400, routing="agent", agent="carol", team=None)
    refused_all(pend, ALL, "Pending (carol's own)")
    queued = new_cb(routing="agent", agent="dave", team=None)
    c = s.wait_callback(queued, sup, lambda c: c["location"] == "handling_by_business_process")
    t.is_((c["location"], c["state"]), ("handling_by_business_process", None),
          "dave's personal callback due now waits in the queue (dave is Not Ready)")
    refused_all(queued, ALL, "in the queue, as carol")
    refused_all(queued, ALL, "in the queue, as dave (not offered to him)", tok=dave)

    off = new_cb()
    t.ok(offered_to(off), "a team callback due now is offered to carol")
    refused_all(off, ALL, "Offered")
    refused_all(off, ALL, "Offered, as dave (not his)", tok=dave)
    r = s.post(CB + "/%d/connected" % off, carol, {"kind": "live"})
    t.is_(r.status, 409, "Offered: connected is 409")

    r = s.set_timing("Support", sup, preview_s=30)
    t.is_(r.status, 200, "Support: preview_s 30 for the Preview case")
    r = accept(off)
    t.is_((r.status, r.json and r.json["state"]), (200, "preview"), "accepted with preview_s 30: Preview")
    refused_all(off, ALL, "Preview")
    r = s.post(CB + "/%d/dial" % off, carol)
    t.is_((r.status, r.json and r.json["state"]), (200, "dialing"), "dial: Dialing")
    t.is_(s.set_timing("Support", sup, preview_s=0).status, 200, "Support: preview_s back to 0")

    # ======================================================================
    # Dialing before the time-out
    # ======================================================================
    refused_all(off, ["handled", "answering_machine"], "Dialing")
    refused_all(off, ALLOWED["dialing"], "Dialing, as dave (not his)", tok=dave)
    r = complete(off, "wrong_destination")
    t.is_((r.status, r.json and r.json["location"], r.json and r.json["end_state"], r.json and r.json["holder"]),
          (200, "completed", "wrong_destination", None), "Dialing + Wrong Destination: Completed, WrongDestination")
    a = last_attempt(off)
    t.ok(a and a["state"] == "wrong_destination" and a["agent"] == "carol" and a["connect"] is None
         and isinstance(a["handle_s"], int) and a["handle_s"] >= 0,
         "... attempt row: wrong_destination, carol, handle_s >= 0, no connect", a)
    t.is_(len(get(off)["history"]), 1, "... exactly one attempt row")
    refused_all(off, ALL, "Completed")
    for what, body in (("accept", None), ("reject", None), ("dial", None), ("connected", {"kind": "live"})):
        r = s.post(CB + "/%d/%s" % (off, what), carol, body)
        t.is_(r.status, 409, "Completed: %s is 409" % what)
    t.ok(wait_for(lambda: s.presence(carol) == "ready", 3), "carol is Ready again after the completion (wrap_up_s 0)")

    # No Answer while Dialing
    na = dialing("D+no_answer")
    s.advance(4)
    b4 = s.now()
    r = complete(na, "no_answer")
    af = s.now()
    t.is_(r.status, 200, "Dialing + No Answer: 200")
    recall_ok("Dialing + No Answer", r.json, b4, af, 15, 1)
    a = last_attempt(na)
    t.ok(a and a["state"] == "no_answer" and a["agent"] == "carol" and a["connect"] is None
         and 4 <= a["handle_s"] <= 4 + (af - b4) + 2,
         "... attempt row: no_answer, carol, handle_s the 4 s since accept, no connect", a)

    # Cancel while Dialing: back to the queue, no increment; offered again
    cx = dialing("D+cancel")
    r = complete(cx, "cancel")
    t.is_((r.status, r.json and r.json["location"], r.json and r.json["attempts"], r.json and r.json["end_state"]),
          (200, "handling_by_business_process", 0, None), "Dialing + Cancel: back to the queue, attempts 0")
    a = last_attempt(cx)
    t.ok(a and a["state"] == "cancel" and a["agent"] == "carol", "... attempt row: cancel, carol", a)
    t.ok(offered_to(cx), "... and it is offered again from the queue (carol is Ready)")
    t.is_(get(cx)["attempts"], 0, "... attempts still 0")
    r = accept(cx)
    r = complete(cx, "wrong_destination")
    t.is_(r.status, 200, "(clean-up: Wrong Destination)")

    # Cancel is the only status Dialing offers that no other state offers;
    # the default when nothing is said: status is required
    cd = dialing("D: status required")
    r = s.post(CB + "/%d/complete" % cd, carol, {})
    t.is_((r.status, r.error()), (422, ("invalid_field", "status")), "complete without status: 422 naming status")
    r = s.post(CB + "/%d/complete" % cd, carol, {"status": "reached"})
    t.is_((r.status, r.error()), (422, ("invalid_field", "status")), "complete with an unknown status: 422")

    # Callback Requested while Dialing, and the bad reschedules first
    before = get(cd)
    today = datetime.datetime.fromtimestamp(s.now(), UTC).date()
    ny = ZoneInfo("America/New_York")
    gap = None
    for k in range(2, 366):
        d = today + datetime.timedelta(days=k)
        x = datetime.datetime(d.year, d.month, d.day, 2, 30, tzinfo=ny)
        back = x.astimezone(UTC).astimezone(ny)
        if (back.hour, back.minute) != (2, 30):
            gap = d
            break
    bad = [
        ("DST gap %s 02:30 New York" % gap, {"date": gap.isoformat(), "time": "02:30", "tz": "America/New_York"}),
        ("yesterday", {"date": (today - datetime.timedelta(days=1)).isoformat(), "time": "10:00"}),
        ("more than 366 days ahead", {"date": (today + datetime.timedelta(days=400)).isoformat(), "time": "10:00"}),
        ("no date", {"time": "10:00"}),
        ("no time", {"date": tomorrow().isoformat()}),
        ("unknown zone", resched(tz="Mars/Olympus")),
        ("bad time", resched(time="25:00")),
        ("agent not serving Support", resched(routing="agent", agent="alice")),
        ("team not serving Support", resched(routing="team", team="Sales Team")),
        ("agent nobody", resched(routing="agent", agent="nobody")),
    ]
    for name, rs in bad:
        r = complete(cd, "callback_requested", reschedule=rs)
        f = r.error()[1] or ""
        t.ok(r.status == 422 and r.error()[0] == "invalid_field" and f.startswith("reschedule."),
             "reschedule %s: 422 naming reschedule.* (%s)" % (name, f), r)
    r = complete(cd, "callback_requested")
    t.is_((r.status, r.error()), (422, ("invalid_field", "reschedule")), "Callback Requested without reschedule: 422")
    r = complete(cd, "no_answer", reschedule=resched())
    t.is_((r.status, r.error()), (422, ("invalid_field", "reschedule")),
          "reschedule with another status: 422 naming reschedule")
    t.is_(get(cd), before, "no bad reschedule changed anything (still Dialing with carol)")

    d1 = tomorrow()
    r = complete(cd, "callback_requested",
                 reschedule={"date": d1.isoformat(), "time": "10:30", "tz": "Europe/Paris",
                             "routing": "agent", "agent": "dave"})
    want = datetime.datetime(d1.year, d1.month, d1.day, 10, 30, tzinfo=ZoneInfo("Europe/Paris"))
    t.is_(r.status, 200, "Dialing + Callback Requested: 200")
    j = r.json or {}
    t.is_((j.get("location"), j.get("state"), j.get("holder"), j.get("due_at"), j.get("tz"), j.get("routing"),
           j.get("agent"), j.get("team"), j.get("attempts"), j.get("end_state")),
          ("pending", None, None, iso(want.timestamp()), "Europe/Paris", "agent", "dave", None, 0, None),
          "... Pending, due %s 10:30 Paris, personal to dave, attempts kept (0)" % d1)
    a = last_attempt(cd)
    t.ok(a and a["state"] == "callback_requested" and a["agent"] == "carol",
         "... attempt row: callback_requested, carol", a)
    t.is_(get(cd), dict(j, history=get(cd)["history"]), "... GET shows the same")
    cleanup()

    # ======================================================================
    # Dialing after the no-answer time-out
    # ======================================================================
    to = timed_out("T")
    refused_all(to, ["cancel", "handled", "answering_machine"], "Dialing after the time-out")
    r = s.post(CB + "/%d/connected" % to, carol, {"kind": "live"})
    t.is_(r.status, 409, "after the time-out: connected is 409 (dialing has stopped)")
    r = s.post(CB + "/%d/connected" % to, carol, {"kind": "voicemail"})
    t.is_(r.status, 409, "after the time-out: voicemail is 409")
    b4 = s.now()
    r = complete(to, "no_answer")
    af = s.now()
    t.is_(r.status, 200, "timed-out + No Answer: 200")
    recall_ok("timed-out + No Answer", r.json, b4, af, 15, 1)
    a = last_attempt(to)
    t.ok(a and a["state"] == "no_answer" and a["agent"] == "carol" and a["handle_s"] >= 60 and a["connect"] is None,
         "... attempt row: no_answer, carol, handle_s >= no_answer_s", a)

    to2 = timed_out("T+callback_requested")
    r = complete(to2, "callback_requested", reschedule={"date": tomorrow().isoformat(), "time": "09:00"})
    d1 = tomorrow()
    j = r.json or {}
    t.is_((r.status, j.get("location"), j.get("due_at"), j.get("tz"), j.get("routing"), j.get("team"),
           j.get("attempts"), j.get("timed_out")),
          (200, "pending", iso(datetime.datetime(d1.year, d1.month, d1.day, 9, 0, tzinfo=UTC).timestamp()), "UTC",
           "team", "Support Team", 0, False),
          "timed-out + Callback Requested (date and time only): Pending, zone and target kept")

    to3 = timed_out("T+wrong_destination")
    r = complete(to3, "wrong_destination")
    t.is_((r.status, r.json and r.json["location"], r.json and r.json["end_state"]),
          (200, "completed", "wrong_destination"), "timed-out + Wrong Destination: Completed")

    # left alone: wrap_limit_s (120) after the time-out it completes as No Answer
    alone = dialing("T left alone")
    s.advance(61)
    c = s.wait_callback(alone, sup, lambda c: c["timed_out"])
    t_out = s.now()
    t.ok(c["timed_out"], "left alone: timed out")
    s.advance(100)
    c = get(alone)
    t.is_((c["location"], c["timed_out"]), ("handling_by_agent", True), "100 s later: still with carol")
    s.advance(21)
    c = s.wait_callback(alone, sup, lambda c: c["location"] != "handling_by_agent")
    af = s.now()
    recall_ok("wrap_limit_s passed: No Answer by itself", c, t_out + 120 - 2, af, 15, 1)
    a = last_attempt(alone)
    t.ok(a and a["state"] == "no_answer" and a["agent"] == "carol", "... attempt row: no_answer, carol", a)
    t.ok(wait_for(lambda: s.presence(carol) == "ready", 3), "... carol is Ready again")
    cleanup()

    # ======================================================================
    # Handling
    # ======================================================================
    h = handling("H+handled", "live")
    refused_all(h, ["cancel"], "Handling")
    r = s.post(CB + "/%d/connected" % h, carol, {"kind": "live"})
    t.is_(r.status, 409, "Handling: connected again is 409")
    s.advance(7)
    r = complete(h, "handled")
    j = r.json or {}
    t.is_((r.status, j.get("location"), j.get("end_state"), j.get("holder"), j.get("state")),
          (200, "completed", "handled", None, None), "Handling + Handled: Completed, Handled")
    a = last_attempt(h)
    t.ok(a and a["state"] == "handled" and a["agent"] == "carol" and a["connect"] == "live" and 7 <= a["handle_s"] <= 10,
         "... attempt row: handled, carol, connect live, handle_s 7", a)

    h = handling("H+answering_machine", "voicemail")
    b4 = s.now()
    r = complete(h, "answering_machine")
    af = s.now()
    t.is_(r.status, 200, "Handling + Answering Machine: 200")
    recall_ok("Handling + Answering Machine", r.json, b4, af, 15, 1)
    a = last_attempt(h)
    t.ok(a and a["state"] == "answering_machine" and a["connect"] == "voicemail" and a["agent"] == "carol",
         "... attempt row: answering_machine, carol, connect voicemail", a)

    h = handling("H+no_answer", "live")
    b4 = s.now()
    r = complete(h, "no_answer")
    af = s.now()
    t.is_(r.status, 200, "Handling + No Answer: 200")
    recall_ok("Handling + No Answer", r.json, b4, af, 15, 1)
    a = last_attempt(h)
    t.ok(a and a["state"] == "no_answer" and a["connect"] == "live", "... attempt row: no_answer, connect live", a)

    h = handling("H+wrong_destination", "live")
    r = complete(h, "wrong_destination")
    t.is_((r.status, r.json and r.json["end_state"], r.json and r.json["location"]),
          (200, "wrong_destination", "completed"), "Handling + Wrong Destination: Completed")

    cleanup()

    # Callback Requested in Handling, on a callback that already has an
    # attempt: the count is kept; the recall interval is honoured first
    cr = dialing("recall then Callback Requested")
    r = complete(cr, "no_answer")
    t.is_((r.status, r.json["attempts"]), (200, 1), "No Answer: attempts 1, due in 15 min")
    s.advance(14 * 60)
    time.sleep(0.3)
    c = get(cr)
    t.is_((c["location"], s.held(carol)), ("pending", None), "14 min later: still Pending, not offered")
    s.advance(61)
    cr = handling("H+callback_requested", "live", cid=cr)
    d1 = tomorrow()
    r = complete(cr, "callback_requested", reschedule={"date": d1.isoformat(), "time": "16:45",
                                                        "tz": "America/Los_Angeles", "routing": "agent",
                                                        "agent": "carol"})
    want = datetime.datetime(d1.year, d1.month, d1.day, 16, 45, tzinfo=ZoneInfo("America/Los_Angeles"))
    j = r.json or {}
    t.is_((r.status, j.get("location"), j.get("due_at"), j.get("tz"), j.get("routing"), j.get("agent"),
           j.get("team"), j.get("attempts")),
          (200, "pending", iso(want.timestamp()), "America/Los_Angeles", "agent", "carol", None, 1),
          "Handling + Callback Requested: Pending, 16:45 Los Angeles, personal to carol, attempts kept (1)")
    h = get(cr)["history"]
    t.is_([(x["state"], x["agent"]) for x in h], [("no_answer", "carol"), ("callback_requested", "carol")],
          "... history: no_answer then callback_requested, both carol")
    t.ok(h[1]["connect"] == "live" and h[1]["handle_s"] >= 0, "... the second attempt connected live", h)
    cleanup()

    # ======================================================================
    # Recall intervals (15, 60, 240, the last repeating) up to max_attempts
    # ======================================================================
    r = s.set_timing("Support", sup, max_attempts=5)
    t.is_((r.status, r.json["timing"]["max_attempts"], r.json["timing"]["recall_min"]), (200, 5, [15, 60, 240]),
          "Support: max_attempts 5, recall_min [15, 60, 240]")
    rc = new_cb()
    plan = [(15, "dialing", "no_answer"), (60, "voicemail", "answering_machine"), (240, "timed_out", "no_answer"),
            (240, "live", "no_answer"), (None, "dialing", "no_answer")]
    for n, (minutes, how, status) in enumerate(plan, 1):
        if how == "dialing":
            dialing("attempt %d" % n, rc)
        elif how == "timed_out":
            timed_out("attempt %d" % n, rc)
        else:
            handling("attempt %d" % n, how, rc)
        b4 = s.now()
        r = complete(rc, status)
        af = s.now()
        if minutes is None:
            j = r.json or {}
            t.is_((r.status, j.get("attempts"), j.get("location"), j.get("end_state"), j.get("holder")),
                  (200, 5, "completed", "failed", None),
                  "attempt 5 (%s): attempts reach max_attempts: Completed, end state Failed" % status)
            break
        t.is_(r.status, 200, "attempt %d: %s" % (n, status))
        recall_ok("attempt %d (%s)" % (n, status), r.json, b4, af, minutes, n)
        due = parse_instant(r.json["due_at"])
        s.advance(due - s.now() - 30)
        time.sleep(0.3)
        t.is_((get(rc)["location"], s.held(carol)), ("pending", None),
              "attempt %d: 30 s before the recall: still Pending, nothing offered" % n)
        s.advance(31)
    h = get(rc)["history"]
    t.is_([x["state"] for x in h], ["no_answer", "answering_machine", "no_answer", "no_answer", "no_answer"],
          "history: the five attempts in order")
    t.ok(all(x["agent"] == "carol" and isinstance(x["handle_s"], int) and x["handle_s"] >= 0 for x in h),
         "every attempt: carol, handle_s >= 0", h)
    t.is_([x["connect"] for x in h], [None, "voicemail", None, "live", None], "connect kinds per attempt")
    refused_all(rc, ALL, "Failed (completed)")

    # with the default max_attempts 3: the third No Answer fails it
    t.is_(s.set_timing("Support", sup, max_attempts=3).status, 200, "Support: max_attempts 3")
    f3 = new_cb()
    for n in (1, 2, 3):
        dialing("max 3, attempt %d" % n, f3)
        r = complete(f3, "no_answer")
        if n < 3:
            s.advance(parse_instant(r.json["due_at"]) - s.now() + 1)
    t.is_((r.status, r.json["attempts"], r.json["location"], r.json["end_state"]), (200, 3, "completed", "failed"),
          "max_attempts 3: the third No Answer: Failed")

    # ======================================================================
    # wrap_up_s: Busy, then Ready; or Not Ready when asked; no offer meanwhile
    # ======================================================================
    t.is_(s.set_timing("Support", sup, wrap_up_s=30).status, 200, "Support: wrap_up_s 30")
    w = dialing("wrap-up")
    r = complete(w, "wrong_destination")
    t.is_(r.status, 200, "complete with wrap_up_s 30")
    t.is_(s.presence(carol), "busy", "right after: carol is Busy (wrap-up)")
    w2 = new_cb()
    time.sleep(0.5)
    t.is_((get(w2)["location"], s.held(carol)), ("handling_by_business_process", None),
          "a callback due during the wrap-up waits in the queue")
    s.advance(20)
    time.sleep(0.3)
    t.is_(s.presence(carol), "busy", "20 s later: still Busy")
    s.advance(11)
    t.ok(offered_to(w2), "31 s later: the waiting callback is offered to carol")
    dialing("wrap-up, not_ready", w2)
    r = complete(w2, "wrong_destination", not_ready=True)
    t.is_(r.status, 200, "complete with not_ready: true")
    t.is_(s.presence(carol), "busy", "right after: Busy (wrap-up)")
    s.advance(31)
    t.ok(wait_for(lambda: s.presence(carol) == "not_ready", 3), "after wrap_up_s: Not Ready, as asked",
         s.presence(carol))
    w3 = new_cb()
    time.sleep(0.5)
    t.is_((get(w3)["location"], s.held(carol)), ("handling_by_business_process", None),
          "Not Ready: nothing is offered")
    t.is_(s.set_timing("Support", sup, wrap_up_s=0).status, 200, "Support: wrap_up_s 0")
    s.set_presence(carol, "ready")
    dialing("not_ready without wrap-up", w3)
    r = complete(w3, "wrong_destination", not_ready=True)
    t.ok(wait_for(lambda: s.presence(carol) == "not_ready", 3),
         "wrap_up_s 0 and not_ready: Not Ready at once", s.presence(carol))
    r = complete(w3, "wrong_destination", not_ready="yes")
    t.is_((r.status, r.error()), (422, ("invalid_field", "not_ready")), "not_ready must be a boolean")

    for e in streams:
        e.close()
t.done()
