#!/usr/bin/python3
# An event stream ends when its token stops being valid (cbd-api.7, GET
# /api/v1/events; cbd.8, user set --disabled and user passwd): it sends
# nothing more and its connection is closed; reconnecting with that token
# is refused (401).
#
#  1. alice holds two tokens with a stream each; POST /logout with one: that
#     stream ends within 2 s, the other still receives alice's events.
#  2. dave logs out his only token while a supervisor watches: the
#     supervisor hears dave's "logged_out" presence, dave's own stream, which
#     that logout ends, does not (an event committed together with the
#     revocation is not sent to the revoked stream).
#  3. cbd user set carol --disabled yes while carol's stream is open; one of
#     her personal callbacks edited right after: the supervisor hears of it,
#     carol's stream ends without it (nor her "logged_out" presence).
#  4. cbd user passwd sup (every token of sup revoked) while sup's stream is
#     open: it ends; admin's stream, another user's, keeps receiving events.
#  5. cbd user set bob --role supervisor: bob's agent stream ends (no longer
#     the role it was opened with); his token, still valid, opens a new one.
#  Streams that nothing revoked (admin, the service) never end, and the
#  count of open streams in /metrics follows.
import json, os, re, sys, time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from cbdtest import Server, Tap, EventStream, V1, cbd, iso

t = Tap()
ENDS_WITHIN = 2.0      # a logout: the engine ends the stream as it commits
OUTSIDE_WITHIN = 3.0   # another process's commit is noticed within a second


def opened(st):
    """Waits for the ': ok' line; True when the stream is open."""
    return st.status == 200 and st.wait(lambda e: any(
        any(c.startswith("ok ") for c in f["comment"]) for f in e.frames), 3)


def ended(st, within):
    """Waits up to `within` s for the server to close the stream; returns
    (closed, seconds it took)."""
    t0 = time.time()
    st.wait(lambda e: False, within)
    return st.eof, time.time() - t0


def bps(st):
    return st.events("bp")


def presences(st, agent_id, presence=None):
    return [f for f in st.events("presence") if isinstance(f["data"], dict)
            and f["data"].get("agent_id") == agent_id
            and (presence is None or f["data"].get("presence") == presence)]


def about(st, cid):
    """The "callback" events of callback cid the stream received."""
    return [f for f in st.events("callback") if isinstance(f["data"], dict)
            and f["data"].get("id") == cid]


def metric(s, admin, name):
    m = re.search(r"^%s (\d+)$" % name, s.get("/metrics", admin).text, re.M)
    return int(m.group(1)) if m else None


def login(s, user):
    """A fresh token (Server.login caches one per user)."""
    r = s.post(V1 + "/login", body={"user": user, "password": user + "-demo"})
    t.is_(r.status, 200, "log in as %s" % user)
    return r.json["token"]


with Server(t, args=["--grace-s", "3600"]) as s:
    sup, admin = login(s, "sup"), login(s, "admin")
    ids = {a["login"]: a["id"] for a in s.get(V1 + "/agents", sup).json["agents"]}

    def edit_personal(login):
        """A supervisor edits the remark of one of login's personal Pending
        callbacks: a "callback" event for login. Returns its id."""
        cb = (s.callbacks(admin, agent=login, location="pending") or [{}])[0]
        r = s.patch(V1 + "/callbacks/%s" % cb.get("id"), admin,
                    {"version": cb.get("version"), "remark": "edited %.3f" % time.time()})
        t.is_(r.status, 200, "a supervisor edits %s's personal callback %s" % (login, cb.get("id")))
        return cb.get("id")

    def toggle():
        """Stops BP 2 if it runs, starts it if stopped: one bp event for everyone."""
        bp = s.get(V1 + "/bps/2", admin).json
        return s.post(V1 + "/bps/2/%s" % ("start" if bp["clbk_stat"] == "stopped" else "stop"),
                      admin).status

    # streams nothing revokes: they must see every barrier and never end
    watch = EventStream(s, admin)
    service = EventStream(s, s.service_token)
    t.ok(opened(watch) and opened(service), "admin and service streams open")

    # ---- 1. two tokens, two streams; one token logs out ---------------------
    a1, a2 = login(s, "alice"), login(s, "alice")
    s1, s2 = EventStream(s, a1), EventStream(s, a2)
    t.ok(opened(s1) and opened(s2), "alice: a stream for each of her two tokens")
    r = s.post(V1 + "/logout", a1)
    t.is_(r.status, 200, "alice logs out her first token")
    closed, took = ended(s1, ENDS_WITHIN)
    t.ok(closed, "the stream of that token ends (%.2f s)" % took, s1.frames)
    t.ok(not s2.eof, "the stream of her other token stays open")
    cid = edit_personal("alice")
    t.is_(toggle(), 200, "then a bp event")
    t.ok(s2.wait(lambda e: len(bps(e)) >= 1, 3) and about(s2, cid),
         "the other stream receives both", s2.frames)
    t.ok(not about(s1, cid) and not bps(s1), "the ended stream received neither", s1.frames)
    t.is_(EventStream(s, a1).status, 401, "reconnecting with the logged-out token: 401")
    t.is_(s.get(V1 + "/me", a2).status, 200, "the other token still works")

    # ---- 2. the last logout: its presence event is not sent to the stream it ends
    d = login(s, "dave")
    sd, ss = EventStream(s, d), EventStream(s, sup)
    t.ok(opened(sd) and opened(ss), "dave and sup streams open")
    t.is_(s.post(V1 + "/logout", d).status, 200, "dave logs out his only token")
    t.ok(ss.wait(lambda e: presences(e, ids["dave"], "logged_out"), 3),
         "the supervisor hears dave logged out", ss.frames)
    closed, took = ended(sd, ENDS_WITHIN)
    t.ok(closed, "dave's stream ends (%.2f s)" % took, sd.frames)
    t.ok(not presences(sd, ids["dave"]), "without the presence event committed with the logout",
         sd.frames)

    # ---- 3. cbd user set --disabled while the stream is open ------------------
    c = login(s, "carol")
    sc = EventStream(s, c)
    t.ok(opened(sc), "carol's stream open")
    ss.take()
    r = cbd("user", "set", "--db", s.db, "carol", "--disabled", "yes")
    t.ok(r.returncode == 0, "cbd user set carol --disabled yes", r.stderr)
    cid = edit_personal("carol")  # right after: an event for carol
    t.ok(ss.wait(lambda e: about(e, cid), 3), "the supervisor hears of it", ss.frames)
    closed, took = ended(sc, OUTSIDE_WITHIN)
    t.ok(closed, "carol's stream ends (%.2f s)" % took, sc.frames)
    t.ok(not about(sc, cid), "without the edit made after she was disabled", sc.frames)
    t.ok(not presences(sc, ids["carol"], "logged_out"), "nor her own logged_out presence",
         sc.frames)
    t.ok(ss.wait(lambda e: presences(e, ids["carol"], "logged_out"), 3),
         "the supervisor hears carol logged out", ss.frames)
    t.is_(EventStream(s, c).status, 401, "carol reconnecting: 401")

    # ---- 4. cbd user passwd for a supervisor ----------------------------------
    watch.take()
    r = cbd("user", "passwd", "--db", s.db, "sup", "--password-stdin", input="sup-new-password\n")
    t.ok(r.returncode == 0, "cbd user passwd sup", r.stderr)
    closed, took = ended(ss, OUTSIDE_WITHIN)
    t.ok(closed, "sup's stream ends (%.2f s)" % took, ss.frames[-3:])
    t.is_(EventStream(s, sup).status, 401, "sup reconnecting with the old token: 401")
    t.is_(toggle(), 200, "a bp event")
    t.ok(watch.wait(lambda e: len(bps(e)) >= 1, 3) and not watch.eof,
         "admin's stream, untouched, receives it", watch.frames)

    # ---- 5. an agent who is no longer an agent ---------------------------------
    b = login(s, "bob")
    sb = EventStream(s, b)
    t.ok(opened(sb), "bob's agent stream open")
    r = cbd("user", "set", "--db", s.db, "bob", "--role", "supervisor")
    t.ok(r.returncode == 0, "cbd user set bob --role supervisor", r.stderr)
    closed, took = ended(sb, OUTSIDE_WITHIN)
    t.ok(closed, "bob's agent stream ends (%.2f s)" % took, sb.frames)
    sb2 = EventStream(s, b)
    t.ok(opened(sb2), "his token, still valid, opens a new stream (a supervisor's)")

    # ---- what nothing revoked goes on ---------------------------------------
    watch.take()
    service.take()
    t.is_(toggle(), 200, "a last bp event")
    for st, who in ((watch, "admin"), (service, "the service"), (s2, "alice's other token"),
                    (sb2, "bob's new")):
        t.ok(st.wait(lambda e: len(bps(e)) >= 1, 3) and not st.eof,
             "%s stream is still open and receives it" % who, st.frames[-3:])
    end = time.time() + 3
    while time.time() < end and metric(s, admin, "cbd_event_streams") != 4:
        time.sleep(0.1)
    t.is_(metric(s, admin, "cbd_event_streams"), 4, "/metrics counts the 4 streams left open")
    for st in (watch, service, s1, s2, sd, ss, sc, sb, sb2):
        st.close()
t.done()
