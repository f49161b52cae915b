#!/usr/bin/python3
# Callback Requested takes a place in the slot of its new time like any
# create: into a full slot it is refused (409 slot_full naming
# reschedule.time, with the next free slots) and nothing changes; into a
# free one it is rescheduled.
import datetime, os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from cbdtest import Server, Tap, V1

t = Tap()
with Server(t, args=["--grace-s", "3600"]) as s:
    sup, carol = s.login("sup"), s.login("carol")
    b = s.get(V1 + "/bps/Support", sup).json
    r = s.patch(V1 + "/bps/Support", sup, {"version": b["version"],
                                           "timing": {"slot_min": 30, "slot_capacity": 1}})
    t.is_(r.status, 200, "Support: one callback per 30-minute slot")
    day = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=2)).strftime("%Y-%m-%d")
    base = {"bp": "Support", "tz": "UTC", "routing": "team", "team": "Support Team"}
    r = s.post(V1 + "/callbacks", sup, dict(base, destination="+441632960001", date=day, time="10:00"))
    t.is_(r.status, 201, "the 10:00 slot of %s is now full" % day)
    r = s.post(V1 + "/callbacks", sup, dict(base, destination="+441632960002", date=day, time="12:00",
                                            routing="agent", agent="carol", team=None))
    t.is_(r.status, 201, "carol's own callback at 12:00")
    cid = r.json["id"]
    r = s.post(V1 + "/callbacks/%d/call-now" % cid, carol)
    t.is_((r.status, r.json.get("state")), (200, "dialing"), "carol calls it now")
    r = s.post(V1 + "/callbacks/%d/complete" % cid, carol,
               {"status": "callback_requested", "reschedule": {"date": day, "time": "10:10"}})
    t.is_((r.status, r.error()), (409, ("slot_full", "reschedule.time")),
          "Callback Requested into the full 10:00 slot: 409 slot_full naming reschedule.time")
    t.ok(r.json and r.json["error"].get("next_free"), "the answer names the next free slots", r)
    r = s.get(V1 + "/callbacks/%d" % cid, sup)
    t.is_((r.json["state"], r.json["attempts"], len(r.json["history"])), ("dialing", 0, 0),
          "nothing changed: still Dialing, no attempt recorded")
    r = s.post(V1 + "/callbacks/%d/complete" % cid, carol,
               {"status": "callback_requested", "reschedule": {"date": day, "time": "11:00"}})
    t.is_((r.status, r.json.get("location"), r.json.get("due_at")),
          (200, "pending", day + "T11:00:00Z"), "into a free slot: rescheduled, Pending")
t.done()
