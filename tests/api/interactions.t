#!/usr/bin/python3
# Calls that telephony reports: POST /interactions (service only) stores
# them; an inbound call closes the number's Pending or queued callback in
# that BP (CustomerCalledIn) and only flags one an agent holds; an active
# call makes the agent Busy and its end (a second POST with the id) puts
# them back; GET /me/history with contacts_recent; GET /me/interaction;
# every bad input a 422 naming the field, with nothing stored.
import datetime, os, sqlite3, sys, time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from cbdtest import Server, Tap

V1 = "/api/v1"
UTC = datetime.timezone.utc


def rfc(ts):
    return datetime.datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


t = Tap()
with Server(t) as s:
    sup, admin = s.login("sup"), s.login("admin")
    alice, carol, dave = s.login("alice"), s.login("carol"), s.login("dave")
    svc = s.service_token
    db = sqlite3.connect(s.db, timeout=10)

    def report(body, tok=svc):
        return s.post(V1 + "/interactions", tok, body)

    def count():
        return db.execute("SELECT count(*) FROM interactions").fetchone()[0]

    def presence(tok):
        return s.get(V1 + "/me", tok).json["presence"]

    def callback(cid):
        return s.get(V1 + "/callbacks/%d" % cid, sup).json

    seq = [0]

    def schedule(**over):
        """A Support team callback due in an hour; its id."""
        seq[0] += 1
        b = {"destination": "+44 20 7946 %04d" % (300 + seq[0]), "bp": "Support", "routing": "team",
             "team": "Support Team", "tz": "Europe/London", "due_at": rfc(time.time() + 3600)}
        b.update(over)
        r = s.post(V1 + "/callbacks", sup, b)
        if r.status != 201:
            raise RuntimeError("create: %r" % r)
        return r.json["id"], r.json["destination"]

    # -- role matrix -----------------------------------------------------------
    demo_calls = count()
    call = {"direction": "outbound", "number": "+12125550177"}
    for name, tok, want in (("no token", None, 401), ("agent", alice, 403), ("supervisor", sup, 403),
                            ("admin", admin, 403)):
        t.is_(report(call, tok).status, want, "POST /interactions as %s: %d" % (name, want))
    t.is_(count(), demo_calls, "refused reports stored nothing")
    r = report(call)
    t.is_(r.status, 201, "POST /interactions as service: 201")
    t.is_(r.json["interaction"], {"id": r.json["interaction"]["id"], "direction": "outbound",
                                  "number": "+12125550177", "bp_id": None, "bp": None, "agent": None,
                                  "started_at": r.json["interaction"]["started_at"], "ended_at": None},
          "the interaction as stored; started_at defaults to now")
    t.ok(abs(datetime.datetime.strptime(r.json["interaction"]["started_at"], "%Y-%m-%dT%H:%M:%SZ")
             .replace(tzinfo=UTC).timestamp() - time.time()) < 30, "started_at is now")
    t.is_((r.json["closed"], r.json["flagged"]), ([], []), "closed and flagged: empty")
    for path in ("/me/history", "/me/interaction"):
        for name, tok, want in (("no token", None, 401), ("supervisor", sup, 403), ("admin", admin, 403),
                                ("service", svc, 403), ("agent", carol, 200)):
            t.is_(s.get(V1 + path, tok).status, want, "GET %s as %s: %d" % (path, name, want))

    # -- the customer called in ----------------------------------------------------
    pending, number = schedule()
    r = report({"direction": "inbound", "number": "+44 (20) 7946-" + number[-4:], "bp": "Support",
                "agent": "carol", "ended_at": rfc(time.time())})
    t.is_((r.status, r.json["closed"], r.json["flagged"]), (201, [pending], []),
          "inbound call from a Pending callback's number (other spelling): closed")
    c = callback(pending)
    t.is_((c["location"], c["end_state"], c["state"]), ("completed", "customer_called_in", None),
          "the callback is completed as customer_called_in")
    t.is_(c["version"], 2, "through a versioned update")
    t.is_(report({"direction": "inbound", "number": number, "bp": "Support"}).json["closed"], [],
          "a second call: nothing open any more")

    queued, number = schedule()
    t.is_(s.post(V1 + "/callbacks/%d/queue" % queued, sup).status, 200, "a callback sent to the queue")
    r = report({"direction": "inbound", "number": number, "bp": 2})
    t.is_(r.json["closed"], [queued], "inbound call (bp by id) closes a queued callback")
    t.is_(callback(queued)["end_state"], "customer_called_in", "... as customer_called_in")

    other, number = schedule()
    t.is_(report({"direction": "outbound", "number": number, "bp": "Support"}).json["closed"], [],
          "an outbound call closes nothing")
    t.is_(report({"direction": "inbound", "number": number}).json["closed"], [],
          "an inbound call without a BP closes nothing")
    t.is_(report({"direction": "inbound", "number": number, "bp": "Sales"}).json["closed"], [],
          "an inbound call in another BP closes nothing")
    t.is_(report({"direction": "inbound", "number": number, "bp": "Support",
                  "started_at": rfc(time.time() - 7200)}).json["closed"], [],
          "a call that began before the callback was made closes nothing")
    t.is_(callback(other)["location"], "pending", "... it is still Pending")
    bp = s.get(V1 + "/bps/2", sup).json
    r = s.patch(V1 + "/bps/2", sup, {"version": bp["version"], "timing": {"customer_called_in_closes": False}})
    t.is_(r.status, 200, "Support: customer_called_in_closes off")
    t.is_(report({"direction": "inbound", "number": number, "bp": "Support"}).json["closed"], [],
          "with the setting off, an inbound call closes nothing")
    s.patch(V1 + "/bps/2", sup, {"version": r.json["version"], "timing": {"customer_called_in_closes": True}})
    t.is_(report({"direction": "inbound", "number": number, "bp": "Support"}).json["closed"], [other],
          "back on: it closes")

    # held by an agent: only flagged (demo: alice handles +12125550120, bob dials +12125550121)
    held = s.get(V1 + "/callbacks?location=handling_by_agent&bp=Sales", sup).json["callbacks"]
    by_number = {c["destination"]: c for c in held}
    t.ok("+12125550120" in by_number and "+12125550121" in by_number, "demo: two held Sales callbacks")
    h = by_number["+12125550120"]
    r = report({"direction": "inbound", "number": "+12125550120", "bp": "Sales"})
    t.is_((r.json["closed"], r.json["flagged"]), ([], [h["id"]]), "a held callback is flagged, not closed")
    c = callback(h["id"])
    t.is_((c["location"], c["state"], c["holder"], c["flags"], c["version"]),
          ("handling_by_agent", "handling", "alice", ["customer_called_in"], h["version"] + 1),
          "still alice's, in Handling, flagged customer_called_in, version bumped")
    r = report({"direction": "inbound", "number": "+12125550120", "bp": "Sales"})
    t.is_((r.json["flagged"], callback(h["id"])["version"]), ([h["id"]], h["version"] + 1),
          "flagged again: no second write")
    d = by_number["+12125550121"]
    t.is_(report({"direction": "inbound", "number": "+12125550121", "bp": 1}).json["flagged"], [d["id"]],
          "bob's Dialing callback is flagged too")
    r = s.get(V1 + "/me/interaction", alice)
    t.is_((r.json["interaction"]["id"], r.json["interaction"]["state"], r.json["interaction"]["flags"]),
          (h["id"], "handling", ["customer_called_in"]), "GET /me/interaction: the callback alice holds")
    t.is_(r.json["interaction"]["contacts_recent"], 2, "... with the number's recent contacts")
    t.is_(r.json["active_call"], None, "... and no active call")
    t.is_(s.get(V1 + "/me/interaction", carol).json, {"interaction": None, "active_call": None},
          "carol holds nothing")

    # -- presence ------------------------------------------------------------
    s.put(V1 + "/me/presence", carol, {"presence": "ready"})
    r = report({"direction": "inbound", "number": "+12125550170", "bp": "Support", "agent": "carol"})
    first = r.json["interaction"]["id"]
    t.is_((r.status, r.json["interaction"]["agent"]), (201, "carol"), "an active call for carol")
    t.is_(presence(carol), "busy", "carol is Busy while it lasts")
    r = s.get(V1 + "/me/interaction", carol).json
    t.is_((r["interaction"], r["active_call"]["id"], r["active_call"]["ended_at"]), (None, first, None),
          "GET /me/interaction: the active call")
    second = report({"direction": "outbound", "number": "+12125550171", "agent": "carol"}).json["interaction"]["id"]
    r = report({"id": first, "ended_at": rfc(time.time())})
    t.is_((r.status, r.json["interaction"]["id"], r.json["closed"]), (200, first, []), "first call ended: 200")
    t.ok(r.json["interaction"]["ended_at"] is not None, "... with its end")
    t.is_(presence(carol), "busy", "still Busy: the second call is on")
    t.is_(s.get(V1 + "/me/interaction", carol).json["active_call"]["id"], second, "the active call is the second")
    report({"id": second, "ended_at": rfc(time.time())})
    t.is_(presence(carol), "ready", "both ended: Ready again")
    r = report({"id": second, "ended_at": rfc(time.time())})
    t.is_((r.status, r.error()[0]), (409, "conflict"), "ending it twice: 409")
    t.is_(report({"id": 999999, "ended_at": rfc(time.time())}).status, 404, "ending no such call: 404")

    t.is_(presence(dave), "not_ready", "dave is Not Ready")
    one = report({"direction": "inbound", "number": "+12125550172", "agent": "dave"}).json["interaction"]["id"]
    t.is_(presence(dave), "busy", "dave Busy during a call")
    report({"id": one, "ended_at": rfc(time.time())})
    t.is_(presence(dave), "not_ready", "and Not Ready after it, as before")

    one = report({"direction": "inbound", "number": "+12125550173", "agent": "alice"}).json["interaction"]["id"]
    t.is_(presence(alice), "busy", "alice Busy during a call")
    report({"id": one, "ended_at": rfc(time.time())})
    t.is_(presence(alice), "busy", "alice stays Busy after it: she holds a callback")

    report({"direction": "inbound", "number": "+12125550174", "agent": "bob"})
    t.is_(db.execute("SELECT presence FROM users WHERE login = 'bob'").fetchone()[0], "logged_out",
          "a logged-out agent stays logged out")
    r = report({"direction": "inbound", "number": "+12125550175", "agent": "carol",
                "started_at": rfc(time.time() - 600), "ended_at": rfc(time.time() - 300)})
    t.is_((r.status, presence(carol)), (201, "ready"), "a call reported after it ended leaves presence alone")

    # -- history -------------------------------------------------------------
    now = time.time()
    for ago, who in ((40 * 86400, "carol"), (20 * 86400, "dave"), (3600, "carol"), (60, "carol")):
        report({"direction": "inbound", "number": "+12125550180", "bp": "Support", "agent": who,
                "started_at": rfc(now - ago), "ended_at": rfc(now - ago + 30)})
    h = s.get(V1 + "/me/history", carol).json["history"]
    starts = [e["started_at"] for e in h]
    t.is_(starts, sorted(starts, reverse=True), "history newest first")
    t.is_(h[0]["number"], "+12125550171", "the latest call first (the second call of carol's)")
    t.is_((h[0]["bp"], h[0]["bp_id"], h[0]["direction"]), (None, None, "outbound"), "without a BP")
    e = [e for e in h if e["number"] == "+12125550180"][0]
    t.is_(e["started_at"], rfc(now - 60), "the newest call with +12125550180")
    t.is_(sorted(e.keys()), ["bp", "bp_id", "contacts_recent", "direction", "ended_at", "id",
                             "number", "started_at"], "history entry shape")
    t.is_((e["bp"], e["bp_id"], e["direction"], e["ended_at"]), ("Support", 2, "inbound", rfc(now - 30)),
          "bp, direction, end")
    t.is_(e["contacts_recent"], 3, "contacts_recent: three calls with that number in 30 days (any agent)")
    old = [e for e in h if e["started_at"] == rfc(now - 40 * 86400)]
    t.is_(len(old), 1, "the call of 40 days ago is in the history too")
    t.ok(all(e["number"] != "+12125550174" for e in h), "only carol's own calls")
    t.is_(len(h), 7, "carol's seven calls")
    t.is_(len(s.get(V1 + "/me/history?limit=2", carol).json["history"]), 2, "limit=2")
    t.is_(s.get(V1 + "/me/history?limit=200", carol).status, 200, "limit=200")
    for query, field in (("limit=0", "limit"), ("limit=201", "limit"), ("limit=x", "limit"),
                         ("colour=red", "colour")):
        r = s.get(V1 + "/me/history?" + query, carol)
        t.is_((r.status, r.error()), (422, ("invalid_field", field)), "GET /me/history?%s: 422 %s" % (query, field))
    h = s.get(V1 + "/me/history", alice).json["history"]
    t.ok(len(h) >= 4 and h[0]["number"] == "+12125550173", "alice: the demo's calls and today's", h[:2])

    # -- bad input: 422 naming the field, nothing stored --------------------------
    before = count()
    ok = {"direction": "inbound", "number": "+12125550190", "bp": "Support", "agent": "carol"}

    def bad(field, what, **over):
        b = dict(ok)
        for k, v in over.items():
            if v is None:
                b.pop(k)
            else:
                b[k] = v
        r = report(b)
        t.is_((r.status, r.error()), (422, ("invalid_field", field)), "%s: 422 naming %s" % (what, field))

    bad("direction", "missing direction", direction=None)
    bad("direction", "direction sideways", direction="sideways")
    bad("number", "missing number", number=None)
    bad("number", "number without +", number="2125550190")
    bad("number", "number a number", number=12125550190)
    bad("bp", "unknown BP name", bp="Marketing")
    bad("bp", "unknown BP id", bp=99)
    bad("bp", "bp an array", bp=[1])
    bad("agent", "unknown agent", agent="zed")
    bad("agent", "a supervisor is no agent", agent="sup")
    bad("agent", "agent a number", agent=5)
    bad("started_at", "started_at not RFC 3339", started_at="yesterday")
    bad("started_at", "started_at in the future", started_at=rfc(time.time() + 3600))
    bad("started_at", "started_at a year and more ago", started_at=rfc(time.time() - 400 * 86400))
    bad("ended_at", "ended_at before started_at", started_at=rfc(time.time() - 60),
        ended_at=rfc(time.time() - 120))
    bad("ended_at", "ended_at in the future", ended_at=rfc(time.time() + 3600))
    bad("colour", "unknown field", colour="red")
    for body, field, what in (({"id": first, "direction": "inbound", "ended_at": rfc(time.time())},
                               "direction", "id with direction"),
                              ({"id": first}, "ended_at", "id without ended_at"),
                              ({"id": "x", "ended_at": rfc(time.time())}, "id", "id not a number"),
                              ({"id": 0, "ended_at": rfc(time.time())}, "id", "id 0")):
        r = report(body)
        t.is_((r.status, r.error()), (422, ("invalid_field", field)), "%s: 422 naming %s" % (what, field))
    r = s.post(V1 + "/interactions", svc, raw=b'{"direction": ')
    t.is_(r.status, 400, "malformed JSON: 400")
    t.is_(count(), before, "nothing stored by refused reports")
    t.is_(presence(carol), "ready", "and carol's presence untouched")
    late = report({"direction": "inbound", "number": "+12125550191", "agent": "carol",
                   "started_at": rfc(time.time() - 30)}).json["interaction"]["id"]
    r = report({"id": late, "ended_at": rfc(time.time() - 120)})
    t.is_((r.status, r.error()), (422, ("invalid_field", "ended_at")), "ending before it began: 422 ended_at")
    t.is_(presence(carol), "busy", "... and the call is still on")
t.done()
