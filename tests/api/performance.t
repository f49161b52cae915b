#!/usr/bin/python3
# GET /api/v1/bps/{id}/performance: one BP's current shift for the
# supervisor console's "Callback Performance" tab — its GET /stats row, its
# attempts by state since the shift began, its completions hour by hour.
#
# Roles (403 before 404); then a scenario in Support driven with the test
# clock from a fresh shift (the demo's Pending callbacks purged the shift
# before): carol, Ready with her event stream open, handles callbacks —
# Handled live, No Answer, Answering Machine, a reject then Cancel then
# Wrong Destination, an offer left to time out (Redirected) then Handled,
# Callback Requested; a supervisor purges one. Checked after each stage:
# exact expected counts; the stats member is GET /stats' row; the hours add
# up to Proc and to the reached count behind reached_pct; and an independent
# recomputation — completions from GET /reports/completed bucketed by hour
# (reached: Handled with the last attempt live), attempts from the
# GET /callbacks/{id} histories — equals the reply. The hour buckets follow
# the test clock past an hour, stop at 24 late in the shift, start over in
# the next shift; in Sales (America/New_York) a 25-hour shift (clocks go
# back) still gives hours of 3600 s from its start, at most 24.
import datetime, os, sys, threading, urllib.parse
from zoneinfo import ZoneInfo
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from cbdtest import Server, Tap, EventStream, V1, iso, parse_instant, wait_for

t = Tap()
ATTEMPTS = ["handled", "answering_machine", "no_answer", "cancel", "callback_requested", "wrong_destination",
            "rejected", "redirected", "aborted", "disconnected", "fallback", "purged", "blocked"]
UTC = datetime.timezone.utc


def shift_of(zone, now):
    """[start, next) of the shift holding now (shift_start 00:00 local)."""
    z = ZoneInfo(zone)
    local = datetime.datetime.fromtimestamp(now, z)
    start = datetime.datetime(local.year, local.month, local.day, tzinfo=z)
    d = start.date() + datetime.timedelta(days=1)
    return int(start.timestamp()), int(datetime.datetime(d.year, d.month, d.day, tzinfo=z).timestamp())


with Server(t, args=["--test-clock", "--grace-s", "3600"]) as s:
    sup, carol, alice = s.login("sup"), s.login("carol"), s.login("alice")
    ev = EventStream(s, carol)  # carol stays connected through the jumps
    tok = {"sup": sup}  # a new token after a jump of more than 12 h (idle expiry)

    def jump(seconds):
        global carol, alice
        s.advance(seconds)
        # over 12 h (the next shift can be a day away): idle tokens expired
        tok["sup"] = s.login("sup", "sup-demo")
        carol, alice = s.login("carol", "carol-demo"), s.login("alice", "alice-demo")

    def perf(ref="Support", token="sup"):
        return s.get(V1 + "/bps/%s/performance" % ref, tok.get(token, token))

    # -- roles and names -------------------------------------------------------
    t.is_(perf(token=None).status, 401, "no token: 401")
    for who, tk in (("agent", alice), ("service", s.service_token)):
        r = perf(token=tk)
        t.is_((r.status, r.error()[0]), (403, "forbidden"), "%s: 403" % who)
        r = perf("999", tk)
        t.is_((r.status, r.error()[0]), (403, "forbidden"), "%s, unknown BP: 403 (the role first)" % who)
    for ref in ("999", "Nope"):
        r = perf(ref)
        t.is_((r.status, r.error()[0]), (404, "not_found"), "supervisor, unknown BP %s: 404" % ref)
    t.is_(s.post(V1 + "/bps/2/performance", sup).status, 405, "POST: 405")
    r = perf()
    t.is_(r.status, 200, "supervisor: 200")
    t.is_(r.headers.get("content-type"), "application/json; charset=utf-8", "JSON")
    t.is_(sorted(r.json), sorted(["bp_id", "bp", "shift_start", "stats", "attempts", "hours"]), "members")
    t.is_(list(r.json["attempts"]), ATTEMPTS, "attempts: every attempt state, in vocab.h order")
    t.is_(perf("2").json, r.json, "by id and by name: the same reply")
    t.is_(s.get(V1 + "/bps/1/performance", s.login("admin")).json["bp"], "Sales", "admin: allowed")

    # -- a fresh shift in Support ------------------------------------------------
    s.purge_pending("Support", sup)
    start, nxt = shift_of("UTC", s.now())
    jump(nxt + 600 - s.now())  # up to a day: sup logs in again
    start, nxt = nxt, nxt + 86400
    r = perf()  # possibly before the engine has rolled its figures over
    t.is_((r.json["shift_start"], r.json["stats"]["shift_start"]), (iso(start), iso(start)),
          "the next shift: its start, in the reply and in the row")
    t.is_((r.json["hours"], r.json["stats"]["proc"], r.json["stats"]["purged"]),
          ([{"start": iso(start), "processed": 0, "reached": 0}], 0, 0),
          "ten minutes in: one hour, nothing processed or purged")
    t.is_(r.json["attempts"], {k: 0 for k in ATTEMPTS}, "no attempts yet (the purges were in the shift before)")

    # -- the independent computation ---------------------------------------------
    created = []

    def report():
        out, after = [], None
        while True:
            q = {"bp": "Support", "from": iso(start), "to": iso(nxt)}
            if after:
                q["after"] = after
            r = s.get(V1 + "/reports/completed?" + urllib.parse.urlencode(q), tok["sup"])
            out += r.json["completed"]
            after = r.json.get("next")
            if not after:
                return out

    def recompute(now):
        hours = [{"start": iso(start + 3600 * h), "processed": 0, "reached": 0}
                 for h in range(min(24, (now - start) // 3600 + 1))]
        for c in report():
            if c["end_state"] == "purged":
                continue
            h = min(len(hours) - 1, (parse_instant(c["completed_at"]) - start) // 3600)
            hours[h]["processed"] += 1
            last = c["attempts"][-1] if c["attempts"] else {}
            if c["end_state"] == "handled" and last.get("connect") == "live":
                hours[h]["reached"] += 1
        attempts = {k: 0 for k in ATTEMPTS}
        for cid in created:
            for a in s.callback(cid, tok["sup"])["history"]:
                if start <= parse_instant(a["at"]) < now:
                    attempts[a["state"]] += 1
        return hours, attempts

    def adds_up(p):
        """The hours add up to the row's Proc and to the reached count behind reached_pct."""
        n_proc = sum(h["processed"] for h in p["hours"])
        n_reached = sum(h["reached"] for h in p["hours"])
        tenths = (n_reached * 1000 + n_proc // 2) // n_proc if n_proc else 0
        return n_proc == p["stats"]["proc"] and tenths / 10 == p["stats"]["reached_pct"]

    def check(what, hours=None, attempts=None, proc=None, reached=None, purged=None):
        s.advance(2)  # every attempt so far is before now
        now = s.now()
        p = perf().json
        row = [x for x in s.get(V1 + "/stats", tok["sup"]).json["stats"] if x["bp"] == "Support"][0]
        t.is_(p["stats"], row, "%s: stats is GET /stats' row" % what)
        st = p["stats"]
        n_proc = sum(h["processed"] for h in p["hours"])
        n_reached = sum(h["reached"] for h in p["hours"])
        t.ok(adds_up(p),
             "%s: the hours add up to Proc %d and to reached %d (%s %%)" % (what, n_proc, n_reached,
                                                                          st["reached_pct"]), (p, row))
        t.is_((p["hours"], p["attempts"]), recompute(now),
              "%s: hours and attempts = recomputation from the report and the histories" % what)
        if hours is not None:
            t.is_([(h["processed"], h["reached"]) for h in p["hours"]], hours, "%s: hours" % what)
        if attempts is not None:
            want = {k: 0 for k in ATTEMPTS}
            want.update(attempts)
            t.is_(p["attempts"], want, "%s: attempts" % what)
        if proc is not None:
            t.is_((st["proc"], n_reached, st["purged"]), (proc, reached, purged),
                  "%s: Proc, reached, Purged" % what)
        return p

    # -- hour 0: carol works ------------------------------------------------------
    # meanwhile another client reads the route over and over: every reply's
    # hours must add up to its own row, however the reads and the commits
    # interleave
    polled, polling = [], threading.Event()

    def poller():
        while not polling.is_set():
            r = perf()
            if r.status == 200:
                polled.append(r.json)

    th = threading.Thread(target=poller)
    th.start()
    t.is_(s.set_presence(carol, "ready").status, 200, "carol Ready")
    numbers = iter("+4420794603%02d" % i for i in range(10, 99))

    def create(due=None):
        r = s.create_callback(tok["sup"], destination=next(numbers), bp="Support", routing="team", team="Support Team",
                              tz="UTC", due_at=iso(due if due else s.now()))
        cid = r.json["id"] if r.status == 201 else None
        created.append(cid)
        return cid

    def act(cid, *steps):
        """accept, then each step: "live"/"voicemail" connects, "+N" advances, else a completion status."""
        codes = [s.post(V1 + "/callbacks/%s/accept" % cid, carol).status]
        for st in steps:
            if st in ("live", "voicemail"):
                codes.append(s.post(V1 + "/callbacks/%s/connected" % cid, carol, {"kind": st}).status)
            elif st.startswith("+"):
                s.advance(int(st[1:]))
            elif st == "callback_requested":
                codes.append(s.post(V1 + "/callbacks/%s/complete" % cid, carol,
                                    {"status": st, "reschedule": {"due_at": iso(s.now() + 86400)}}).status)
            else:
                codes.append(s.post(V1 + "/callbacks/%s/complete" % cid, carol, {"status": st}).status)
        return codes

    a = create()
    t.ok(s.wait_offer(carol, a), "A offered to carol")
    t.is_(act(a, "live", "+30", "handled"), [200, 200, 200], "A: connected live, Handled")
    b = create()
    t.ok(s.wait_offer(carol, b), "B offered")
    t.is_(act(b, "voicemail", "answering_machine"), [200, 200, 200], "B: voicemail, Answering Machine (recall)")
    f = create()
    t.ok(s.wait_offer(carol, f), "F offered")
    t.is_(act(f, "no_answer"), [200, 200], "F: No Answer while dialing (recall)")
    c = create()
    t.ok(s.wait_offer(carol, c), "C offered")
    t.is_(s.post(V1 + "/callbacks/%d/reject" % c, carol).status, 200, "C: rejected")
    t.ok(s.wait_offer(carol, c), "C offered again (no one else is Ready)")
    t.is_(act(c, "cancel"), [200, 200], "C: Cancel while dialing (back to the queue)")
    t.ok(s.wait_offer(carol, c), "C offered a third time")
    t.is_(act(c, "wrong_destination"), [200, 200], "C: Wrong Destination")
    h = create()
    t.ok(s.wait_offer(carol, h), "H offered")
    s.advance(31)
    t.ok(wait_for(lambda: s.presence(carol) == "not_ready"), "H: the offer timed out, carol Not Ready")
    s.set_presence(carol, "ready")
    t.ok(s.wait_offer(carol, h), "H offered again")
    t.is_(act(h, "live", "handled"), [200, 200, 200], "H: Handled live")
    e = create()
    t.ok(s.wait_offer(carol, e), "E offered")
    t.is_(act(e, "live", "callback_requested"), [200, 200, 200], "E: Callback Requested for tomorrow")
    d = create(s.now() + 3 * 3600)
    t.is_(s.post(V1 + "/callbacks/%d/purge" % d, tok["sup"]).status, 200, "D: created for later, purged")

    polling.set()
    th.join()
    bad = [p for p in polled if not adds_up(p)]
    t.ok(len(polled) > 10 and not bad, "%d replies read during the work: each adds up to its own row" % len(polled),
         bad[:2])
    t.ok(len({p["stats"]["proc"] for p in polled}) > 1, "and they saw Proc change")

    hour0 = {"handled": 2, "answering_machine": 1, "no_answer": 1, "cancel": 1, "callback_requested": 1,
             "wrong_destination": 1, "rejected": 1, "redirected": 1, "purged": 1}
    check("hour 0", hours=[(3, 2)], attempts=hour0, proc=3, reached=2, purged=1)

    # -- past the hour: a new bucket; the recalls come back in it ------------------
    s.advance(start + 3600 + 600 - s.now())
    p = perf().json
    t.is_([(x["start"], x["processed"], x["reached"]) for x in p["hours"]],
          [(iso(start), 3, 2), (iso(start + 3600), 0, 0)], "an hour later: hour 0 kept, hour 1 empty")
    t.is_(p["attempts"], dict({k: 0 for k in ATTEMPTS}, **hour0), "attempts unchanged")
    done = []
    for _ in range(2):
        o = s.wait_offer(carol)
        cid = o["id"] if o else None
        if cid == b:
            done.append(("B", act(b, "live", "+20", "handled")))
        elif cid == f:
            done.append(("F", act(f, "voicemail", "handled")))
        else:
            done.append((str(cid), None))
    t.is_(sorted(done), [("B", [200, 200, 200]), ("F", [200, 200, 200])],
          "B (live) and F (voicemail) recalled, offered and Handled")
    both = dict(hour0, handled=4)
    check("hour 1", hours=[(3, 2), (2, 1)], attempts=both, proc=5, reached=3, purged=1)
    t.is_(perf().json["stats"]["reached_pct"], 60, "reached_pct 60: 3 of 5")

    # -- late in the shift: at most 24 hours ------------------------------------------
    s.set_presence(carol, "not_ready")
    jump(start + 23 * 3600 + 1800 - s.now())
    p = check("hour 23", proc=5, reached=3, purged=1)
    t.is_((len(p["hours"]), p["hours"][-1]["start"]), (24, iso(start + 23 * 3600)),
          "24 hours, the last from 23:00")

    # -- the next shift starts from nothing --------------------------------------------
    jump(nxt + 60 - s.now())
    p = perf().json
    t.is_((p["shift_start"], p["hours"], p["attempts"], p["stats"]["proc"], p["stats"]["purged"]),
          (iso(nxt), [{"start": iso(nxt), "processed": 0, "reached": 0}], {k: 0 for k in ATTEMPTS}, 0, 0),
          "the next shift: one empty hour, no attempts, Proc 0")
    start, nxt = nxt, nxt + 86400
    check("the next shift")

    # -- Sales on the day clocks go back: 25 hours, still 3600 s each, at most 24 ------
    ny = ZoneInfo("America/New_York")
    day = datetime.datetime.fromtimestamp(s.now(), ny).date() + datetime.timedelta(days=1)
    while True:
        s0, s1 = shift_of("America/New_York", int(datetime.datetime(day.year, day.month, day.day, 12,
                                                                    tzinfo=ny).timestamp()))
        if s1 - s0 == 25 * 3600:
            break
        day += datetime.timedelta(days=1)
    while s.now() < s0 + 8 * 3600 + 1800:
        jump(min(300 * 86400, s0 + 8 * 3600 + 1800 - s.now()))
    p = perf("Sales").json
    t.is_((p["shift_start"], [x["start"] for x in p["hours"]]),
          (iso(s0), [iso(s0 + 3600 * i) for i in range(9)]),
          "Sales, %s (25 hours), 08:30 in: 9 hours of 3600 s from the shift start" % day)
    due = datetime.datetime.combine(day + datetime.timedelta(days=10), datetime.time(15), ny)
    r = s.create_callback(tok["sup"], destination="+12125550999", bp="Sales", routing="team", team="Sales Team",
                          tz="America/New_York", due_at=iso(due.timestamp()))
    t.is_(r.status, 201, "a Sales callback for later")
    sid = r.json["id"] if r.status == 201 else None
    jump(s0 + 24 * 3600 + 1800 - s.now())
    before = perf("Sales").json["hours"][-1]["processed"]
    r = s.post(V1 + "/interactions", s.service_token, {"direction": "inbound", "number": "+12125550999",
                                                        "bp": "Sales"})
    t.is_((r.status, r.json and r.json["closed"]), (201, [sid]), "its customer calls in: completed in the 25th hour")
    p = perf("Sales").json
    row = [x for x in s.get(V1 + "/stats", tok["sup"]).json["stats"] if x["bp"] == "Sales"][0]
    t.is_((p["shift_start"], len(p["hours"]), p["hours"][-1]["start"]), (iso(s0), 24, iso(s0 + 23 * 3600)),
          "its 25th hour: still that shift, 24 hours, the last from 23:00")
    t.is_(p["hours"][-1]["processed"], before + 1, "the 24th entry also counts the 25th hour's completion")
    t.is_(p["stats"], row, "Sales: stats is GET /stats' row")
    t.is_(sum(x["processed"] for x in p["hours"]), row["proc"], "Sales: the hours add up to Proc")
    ev.close()
t.done()
