#!/usr/bin/python3
# The countdowns a console shows: "state_since" and "state_until" of a
# callback (cbd-api(7) "Callback"). With the test clock, in Support (no
# preview, offer_timeout_s 30, no_answer_s 60, wrap_limit_s 120) and Sales
# (preview_s 10, opened all week for the test):
#   Pending: both null; Offered: until = since + offer_timeout_s; Preview:
#   until = since + preview_s; Dialing: until = since + no_answer_s; timed
#   out: until = since + wrap_limit_s; Handling: since = connect time, until
#   null; Completed: both null. The offer event carries the same fields.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from cbdtest import Server, Tap, EventStream, V1, iso, parse_instant

t = Tap()
with Server(t, args=["--test-clock", "--grace-s", "3600"]) as s:
    sup = s.login("sup")
    carol = s.login("carol")
    s.purge_pending("Support", sup)
    ev = EventStream(s, carol)

    def span(cb):
        return (parse_instant(cb["state_since"]) if cb["state_since"] else None,
                parse_instant(cb["state_until"]) if cb["state_until"] else None)

    now = s.now()
    r = s.create_callback(sup, destination="+442079460111", bp="Support", routing="agent",
                          agent="carol", tz="UTC", due_at=iso(now + 3600))
    t.is_(r.status, 201, "created")
    cid = r.json["id"]
    t.is_((r.json["state_since"], r.json["state_until"]), (None, None), "Pending: both null")

    s.set_presence(carol, "ready")
    s.advance(3600)
    offer = s.wait_offer(carol, cid)
    t.ok(offer is not None, "offered")
    since, until = span(offer)
    t.is_(until - since, 30, "Offered: until = since + offer_timeout_s")
    found = [c for c in s.callbacks(sup, bp="Support", location="handling_by_agent") if c["id"] == cid]
    t.ok(found and (found[0]["state_since"], found[0]["state_until"]) ==
         (offer["state_since"], offer["state_until"]),
         "Callback Search shows the same state_since and state_until", diag=repr(found))
    got = ev.wait(lambda e: next((f for f in e.events("offer") if f["data"]["id"] == cid), None))
    t.ok(got is not None and got["data"]["state_until"] == offer["state_until"],
         "the offer event carries state_until")

    r = s.post(V1 + "/callbacks/%d/accept" % cid, carol)
    t.is_(r.json["state"], "dialing", "accepted into Dialing")
    since, until = span(r.json)
    t.is_(until - since, 60, "Dialing: until = since + no_answer_s")

    s.advance(61)
    cb = s.wait_callback(cid, carol, lambda c: c["timed_out"])
    since, until = span(cb)
    t.ok(cb["timed_out"], "dialing timed out")
    t.is_(until - since, 120, "timed out: until = since + wrap_limit_s")
    r = s.post(V1 + "/callbacks/%d/complete" % cid, carol, {"status": "no_answer"})
    t.is_(r.status, 200, "completed as no answer")
    t.is_((r.json["state_since"], r.json["state_until"]), (None, None), "back Pending: both null")

    # Handling: since = when it connected
    r = s.create_callback(sup, destination="+442079460112", bp="Support", routing="agent",
                          agent="carol", tz="UTC", due_at=iso(s.now()))
    cid = r.json["id"]
    t.ok(s.wait_offer(carol, cid) is not None, "second offered")
    s.post(V1 + "/callbacks/%d/accept" % cid, carol)
    s.advance(7)
    r = s.post(V1 + "/callbacks/%d/connected" % cid, carol, {"kind": "live"})
    t.is_(r.json["state"], "handling", "Handling")
    t.is_(parse_instant(r.json["state_since"]), s.now(), "Handling: since = connect time")
    t.is_(r.json["state_until"], None, "Handling: until null")
    r = s.post(V1 + "/callbacks/%d/complete" % cid, carol, {"status": "handled"})
    t.is_((r.json["state_since"], r.json["state_until"]), (None, None), "Completed: both null")

    # Preview in Sales, opened all week with calling hours all day
    days = {d: ["00:00-24:00"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    s.post(V1 + "/bps/Sales/stop", sup)
    r = s.set_timing("Sales", sup, schedule=days, calling_hours="00:00-24:00")
    t.is_(r.status, 200, "Sales open all week")
    alice = s.login("alice")
    EventStream(s, alice)
    held = s.held(alice)  # the demo leaves alice Handling one
    if held:
        s.post(V1 + "/callbacks/%d/complete" % held["id"], alice, {"status": "handled"})
    s.purge_pending("Sales", sup)  # nothing else due to be offered first
    s.post(V1 + "/bps/Sales/start", sup)
    r = s.create_callback(sup, destination="+12125550177", bp="Sales", routing="agent",
                          agent="alice", tz="America/New_York", due_at=iso(s.now()))
    t.is_(r.status, 201, "Sales callback")
    cid = r.json["id"]
    s.set_presence(alice, "ready")
    offer = s.wait_offer(alice, cid)
    t.ok(offer is not None, "offered to alice")
    if offer:
        r = s.post(V1 + "/callbacks/%d/accept" % cid, alice)
        t.is_(r.json["state"], "preview", "Preview")
        since, until = span(r.json)
        t.is_(until - since, 10, "Preview: until = since + preview_s")
t.done()
