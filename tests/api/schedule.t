#!/usr/bin/python3
# When a callback may be queued (DESIGN.md §2–§3), driven by the test clock:
#   - the BP schedule closing while a callback is queued or offered sends it
#     back to Pending (attempt "aborted", no increment); one in Dialing or
#     Handling runs to its completion; reopening queues the due Pending ones;
#   - a supervisor stop / start does the same, CLBK Stat shows it;
#   - calling hours in the customer's zone across both DST changes of
#     America/New_York (instants checked with zoneinfo);
#   - personal fallback to the agent's team after personal_fallback_min;
#   - expire_overdue on and off;
#   - an inbound interaction closes a Pending or queued callback of that number
#     in that BP (customer_called_in) and only flags one held by an agent.
# Each group runs on its own server (cbd --test-clock --grace-s 3600), all at
# once (their checks are printed in order afterwards), with Support's demo
# Pending callbacks purged so nothing else is offered; agents erin and frank
# are added to Support Team where four agents must hold a callback each.
import datetime, os, sys, time
from zoneinfo import ZoneInfo
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from cbdtest import (Server, Tap, add_agent, test_clock, advance, advance_to, poll, iso,
                     parse_instant, run_concurrently)

V1 = "/api/v1"
SUPPORT = 2
ARGS = ["--test-clock", "--grace-s", "3600"]
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
QUEUED, PENDING, AGENT, DONE = ("handling_by_business_process", "pending", "handling_by_agent",
                                "completed")


class World:
    """One server seen by the supervisor, with the agents' tokens."""

    def __init__(self, s, t):
        self.s, self.t = s, t
        self.sup = s.login("sup")
        self.n = 0

    def relogin(self):
        """A fresh supervisor token (sessions expire after 12 idle hours, and
        the test clock jumps months)."""
        self.s.tokens.pop("sup", None)
        self.sup = self.s.login("sup")

    def cb(self, cid):
        r = self.s.get(V1 + "/callbacks/%d" % cid, self.sup)
        return r.json if r.status == 200 else None

    def wait(self, cid, cond, tries=50):
        """The callback once cond holds (or as it is after ~5 s)."""
        return poll(lambda: self.cb(cid), lambda c: c is not None and cond(c), tries)

    def create(self, **kw):
        """A Support team callback due now, unless kw says otherwise; its id."""
        self.n += 1
        body = {"destination": "+4420794610%02d" % self.n, "bp": "Support", "routing": "team",
                "team": "Support Team", "tz": "UTC"}
        body.update(kw)
        if "date" not in body and "due_at" not in body:
            body["due_at"] = iso(test_clock(self.s))
        if body.get("routing") == "agent":
            body.pop("team", None)
        r = self.s.post(V1 + "/callbacks", self.sup, body)
        if r.status != 201:
            raise RuntimeError("create %r: %r" % (body, r))
        return r.json["id"]

    def bp(self, bp_id):
        return self.s.get(V1 + "/bps/%d" % bp_id, self.sup).json

    def clbk_stat(self, bp_id):
        """CLBK Stat of the BP in GET /bps and in GET /bps/{id}."""
        listed = [b["clbk_stat"] for b in self.s.get(V1 + "/bps", self.sup).json["bps"]
                  if b["id"] == bp_id]
        return (listed[0] if listed else None, self.bp(bp_id)["clbk_stat"])

    def timing(self, bp_id, timing):
        r = self.s.patch(V1 + "/bps/%d" % bp_id, self.sup,
                         {"version": self.bp(bp_id)["version"], "timing": timing})
        if r.status != 200:
            raise RuntimeError("PATCH bps/%d %r: %r" % (bp_id, timing, r))
        return r

    def purge_pending(self, bp):
        r = self.s.get(V1 + "/callbacks?bp=%s&location=pending&limit=200" % bp, self.sup)
        for c in r.json["callbacks"]:
            p = self.s.post(V1 + "/callbacks/%d/purge" % c["id"], self.sup, {})
            if p.status != 200:
                raise RuntimeError("purge %d: %r" % (c["id"], p))

    def agent(self, login, ready=False):
        tok = self.s.login(login)
        if ready:
            self.presence(tok, "ready")
        return tok

    def presence(self, tok, p):
        r = self.s.put(V1 + "/me/presence", tok, {"presence": p})
        if r.status != 200:
            raise RuntimeError("presence %s: %r" % (p, r))

    def act(self, tok, cid, action, body=None):
        return self.s.post(V1 + "/callbacks/%d/%s" % (cid, action), tok, body or {})


def last_attempt(c):
    return c["history"][-1]["state"] if c and c.get("history") else None


def attempts_of(c):
    return [h["state"] for h in c["history"]] if c else None


def where(c):
    """What a test compares: location, state, holder, routing target, attempts."""
    if c is None:
        return None
    return (c["location"], c["state"], c["holder"])


def offered_to(w, cid, login):
    t = w.t
    c = w.wait(cid, lambda c: c["state"] == "offered" and c["holder"] == login)
    return t.is_(where(c), (AGENT, "offered", login), "#%d is offered to %s" % (cid, login))


def hhmm(ts):
    return time.strftime("%H:%M", time.gmtime(ts))


def support_server(t, extra=("erin", "frank")):
    s = Server(t, args=ARGS)
    for login in extra:
        add_agent(s, login, ["Support Team"])
    return s


def quiet_support(w, timing=None):
    """Support with nothing else in it and timers that do not interfere."""
    w.purge_pending("Support")
    base = {"offer_timeout_s": 3600, "no_answer_s": 3600, "wrap_limit_s": 86400}
    base.update(timing or {})
    w.timing(SUPPORT, base)


def four_states(w):
    """cbH Handling (erin), cbD Dialing (frank), cbO Offered (dave), cbQ
    queued; carol logged in, not Ready. Returns the ids and tokens."""
    t = w.t
    erin, frank, dave = w.agent("erin", True), w.agent("frank", True), w.agent("dave", True)
    w.agent("carol")
    ids, toks = {}, {"erin": erin, "frank": frank, "dave": dave}
    # one at a time, so each goes to the agent meant for it
    w.presence(frank, "not_ready")
    w.presence(dave, "not_ready")
    ids["H"] = w.create(remark="handling")
    offered_to(w, ids["H"], "erin")
    t.is_(w.act(erin, ids["H"], "accept").status, 200, "erin accepts #%d" % ids["H"])
    r = w.act(erin, ids["H"], "connected", {"kind": "live"})
    t.is_((r.status, (r.json or {}).get("state")), (200, "handling"), "erin is connected: Handling")
    w.presence(frank, "ready")
    ids["D"] = w.create(remark="dialing")
    offered_to(w, ids["D"], "frank")
    r = w.act(frank, ids["D"], "accept")
    t.is_((r.status, (r.json or {}).get("state")), (200, "dialing"),
          "frank accepts #%d: Dialing (no preview)" % ids["D"])
    w.presence(dave, "ready")
    ids["O"] = w.create(remark="offered")
    offered_to(w, ids["O"], "dave")
    ids["Q"] = w.create(remark="queued")
    c = w.wait(ids["Q"], lambda c: c["location"] == QUEUED)
    t.is_(where(c), (QUEUED, None, None), "#%d waits in the queue (nobody Ready)" % ids["Q"])
    return ids, toks


def aborted(w, ids, why):
    t = w.t
    for k in ("O", "Q"):
        c = w.wait(ids[k], lambda c: c["location"] == PENDING)
        t.is_(where(c), (PENDING, None, None),
              "%s: the %s callback #%d is back in Pending" % (why, "offered" if k == "O" else
                                                                "queued", ids[k]))
        t.is_(last_attempt(c), "aborted", "%s: #%d has attempt state aborted" % (why, ids[k]))
        t.is_(c and c["attempts"], 0, "%s: #%d: no increment" % (why, ids[k]))


def run_to_completion(w, ids, toks, why):
    t = w.t
    c = w.cb(ids["H"])
    t.is_(where(c), (AGENT, "handling", "erin"), "%s: Handling #%d stays with erin" % (why, ids["H"]))
    c = w.cb(ids["D"])
    t.is_(where(c), (AGENT, "dialing", "frank"), "%s: Dialing #%d stays with frank" % (why, ids["D"]))
    r = w.act(toks["erin"], ids["H"], "complete", {"status": "handled"})
    t.is_((r.status, (r.json or {}).get("end_state")), (200, "handled"),
          "%s: erin completes #%d as Handled" % (why, ids["H"]))
    r = w.act(toks["frank"], ids["D"], "complete", {"status": "no_answer"})
    t.ok(r.status == 200 and r.json["location"] == PENDING and r.json["attempts"] == 1,
         "%s: frank completes #%d as No Answer: Pending, attempts 1" % (why, ids["D"]), r)


# ---- schedule closing while queued / offered; reopening -----------------------
def schedule_close(t):
    s = support_server(t)
    with s:
        w = World(s, t)
        now = test_clock(s)
        if now % 86400 > 86400 - 15 * 60:      # keep close and reopen on this UTC day
            now = advance_to(s, (now // 86400 + 1) * 86400 + 300)
        close = (now // 60 + 2) * 60            # the next whole minute + 1
        reopen = close + 180
        day = DAYS[datetime.datetime.fromtimestamp(now, datetime.timezone.utc).weekday()]
        quiet_support(w, {"schedule": {day: ["00:00-" + hhmm(close), hhmm(reopen) + "-24:00"]}})
        t.is_(w.bp(SUPPORT)["timing"]["schedule"][day], ["00:00-" + hhmm(close), hhmm(reopen) + "-24:00"],
              "Support closes today %s–%s (UTC)" % (hhmm(close), hhmm(reopen)))
        ids, toks = four_states(w)
        later = w.create(due_at=iso(close + 60), remark="due while closed")
        t.is_(w.clbk_stat(SUPPORT), ("active", "active"), "CLBK Stat Active before the close")
        versions = {k: w.cb(v)["version"] for k, v in ids.items()}

        advance_to(s, close + 1)
        aborted(w, ids, "schedule closed")
        t.is_(w.clbk_stat(SUPPORT), ("off_schedule", "off_schedule"), "CLBK Stat Off Schedule HRS")
        t.ok(all(w.cb(ids[k])["version"] > versions[k] for k in "OQ"), "the aborts raised the versions")
        run_to_completion(w, ids, toks, "schedule closed")
        for login in ("dave", "erin", "frank"):
            w.presence(toks[login], "not_ready")

        advance_to(s, close + 65)
        time.sleep(0.3)
        for k, cid in (("O", ids["O"]), ("Q", ids["Q"]), ("later", later)):
            c = w.cb(cid)
            t.is_(c["location"], PENDING, "while closed, due #%d (%s) stays Pending" % (cid, k))

        advance_to(s, reopen + 1)
        t.is_(w.clbk_stat(SUPPORT), ("active", "active"), "CLBK Stat Active after reopening")
        for k, cid in (("O", ids["O"]), ("Q", ids["Q"]), ("later", later)):
            c = w.wait(cid, lambda c: c["location"] == QUEUED)
            t.is_(where(c), (QUEUED, None, None), "reopened: due Pending #%d (%s) is queued again" % (cid, k))
        c = w.cb(ids["Q"])
        t.is_(attempts_of(c), ["aborted"], "#%d: one attempt row, aborted" % ids["Q"])
        w.presence(toks["dave"], "ready")
        r = poll(lambda: s.get(V1 + "/me/interaction", toks["dave"]),
                 lambda r: r.status == 200 and r.json["interaction"] is not None)
        t.is_(r.json["interaction"] and r.json["interaction"]["id"], ids["O"],
              "dave Ready: the earliest due of them (#%d) is offered to him" % ids["O"])

# ---- supervisor stop / start ------------------------------------------------
def stop_start(t):
    s = support_server(t)
    with s:
        w = World(s, t)
        quiet_support(w)
        ids, toks = four_states(w)
        r = s.post(V1 + "/bps/%d/stop" % SUPPORT, w.sup, {})
        t.is_(r.status, 200, "POST /bps/2/stop")
        t.is_(w.clbk_stat(SUPPORT), ("stopped", "stopped"), "CLBK Stat Stopped")
        aborted(w, ids, "BP stopped")
        run_to_completion(w, ids, toks, "BP stopped")
        for login in ("dave", "erin", "frank"):
            w.presence(toks[login], "not_ready")
        fresh = w.create(remark="created while stopped")
        advance(s, 120)
        time.sleep(0.3)
        for k, cid in (("O", ids["O"]), ("Q", ids["Q"]), ("fresh", fresh)):
            t.is_(w.cb(cid)["location"], PENDING, "while stopped, due #%d (%s) stays Pending" % (cid, k))
        r = s.post(V1 + "/bps/%d/start" % SUPPORT, w.sup, {})
        t.is_(r.status, 200, "POST /bps/2/start")
        t.is_(w.clbk_stat(SUPPORT), ("active", "active"), "CLBK Stat Active after start")
        for k, cid in (("O", ids["O"]), ("Q", ids["Q"]), ("fresh", fresh)):
            c = w.wait(cid, lambda c: c["location"] == QUEUED)
            t.is_(where(c), (QUEUED, None, None), "started: due #%d (%s) is queued again" % (cid, k))
        t.is_(attempts_of(w.cb(ids["O"])), ["aborted"], "#%d: one attempt row, aborted" % ids["O"])

# ---- calling hours across the DST changes of America/New_York ----------------
NY = ZoneInfo("America/New_York")
UTC = datetime.timezone.utc


def local(d, h, m, zone=NY):
    return int(datetime.datetime(d.year, d.month, d.day, h, m, tzinfo=zone).timestamp())


def dst_days(start_ts):
    """The next spring-forward and fall-back days in New York after start_ts."""
    d = datetime.datetime.fromtimestamp(start_ts, NY).date() + datetime.timedelta(days=2)
    found = {}
    for _ in range(400):
        a = datetime.datetime(d.year, d.month, d.day, 0, 0, tzinfo=NY).utcoffset()
        b = datetime.datetime(d.year, d.month, d.day, 12, 0, tzinfo=NY).utcoffset()
        if b > a and "spring" not in found:
            found["spring"] = d
        if b < a and "fall" not in found:
            found["fall"] = d
        if len(found) == 2:
            break
        d += datetime.timedelta(days=1)
    return sorted(found.items(), key=lambda kv: kv[1])


def dst(t):
    s = Server(t, args=ARGS)
    with s:
        w = World(s, t)
        w.purge_pending("Support")
        w.timing(SUPPORT, {"calling_hours": "08:00-21:00"})
        for kind, d in dst_days(test_clock(s)):
            eight = local(d, 8, 0)
            offset = (datetime.datetime.fromtimestamp(eight, NY).utcoffset().total_seconds() // 3600)
            t.is_(offset, -4 if kind == "spring" else -5,
                  "zoneinfo: 08:00 on %s (%s) is UTC%+d" % (d, kind, offset))
            due = local(d, 0, 30)       # before the change, on the other offset
            cid = w.create(tz="America/New_York", date=d.isoformat(), time="00:30",
                           destination="+1212555%04d" % (d.month * 100 + d.day))
            t.is_(w.cb(cid)["due_at"], iso(due), "%s: 00:30 New York on %s is %s" % (kind, d, iso(due)))
            # a customer in UTC due at the same instant: the engine has looked at
            # the due callbacks once this one is queued
            control = w.create(tz="UTC", due_at=iso(due), destination="+4420794620%02d" % d.day)
            advance_to(s, eight - 3)
            w.relogin()
            c = w.wait(control, lambda c: c["location"] == QUEUED)
            t.is_(c["location"], QUEUED, "%s: the UTC customer's callback is queued at %s"
                  % (kind, iso(eight - 3)))
            c = w.cb(cid)
            t.is_(c["location"], PENDING, "%s: at %s (07:59:57 New York) #%d is not queued"
                  % (kind, iso(eight - 3), cid))
            advance_to(s, eight + 1)
            c = w.wait(cid, lambda c: c["location"] == QUEUED)
            t.is_(c["location"], QUEUED, "%s: at %s (08:00:01 New York) #%d is queued"
                  % (kind, iso(eight + 1), cid))

# ---- personal fallback --------------------------------------------------------
def fallback(t):
    s = Server(t, args=ARGS)
    with s:
        w = World(s, t)
        quiet_support(w, {"personal_fallback_min": 1})
        w.agent("carol")                                 # logged in, Not Ready
        dave = w.agent("dave", True)
        due = test_clock(s)
        cid = w.create(routing="agent", agent="carol", due_at=iso(due))
        c = w.wait(cid, lambda c: c["location"] == QUEUED)
        t.is_((where(c), c["routing"], c["agent"]), ((QUEUED, None, None), "agent", "carol"),
              "a personal callback for carol (not Ready) waits in her queue")
        time.sleep(0.3)
        t.is_(where(w.cb(cid)), (QUEUED, None, None), "it is not offered to dave (personal)")
        advance_to(s, due + 45)
        time.sleep(0.3)
        c = w.cb(cid)
        t.is_((c["routing"], c["agent"], c["location"]), ("agent", "carol", QUEUED),
              "45 s after due: still personal")
        advance_to(s, due + 61)
        c = w.wait(cid, lambda c: c["routing"] == "team" and c["state"] == "offered")
        t.is_((c["routing"], c["team"], c["agent"]), ("team", "Support Team", None),
              "60 s after due: a team callback of Support Team")
        t.is_(attempts_of(c), ["fallback"], "attempt state fallback recorded")
        t.is_(where(c), (AGENT, "offered", "dave"), "and offered to dave, who is Ready")
        t.is_(c["attempts"], 0, "no increment")

# ---- expire_overdue, customer called in ------------------------------------------
def expiry(t):
    s = Server(t, args=ARGS)
    with s:
        w = World(s, t)
        quiet_support(w)
        keep = w.create(window_min=5)
        early = w.create(window_min=30)
        c = w.wait(keep, lambda c: c["location"] == QUEUED)
        end = parse_instant(c["window_end"])
        t.is_(end - parse_instant(c["due_at"]), 300, "window_min 5: window_end = due + 5 min")
        advance_to(s, end + 2)
        time.sleep(0.3)
        c = w.cb(keep)
        t.is_((c["location"], c["end_state"], c["overdue"]), (QUEUED, None, True),
              "expire_overdue off: past window_end it stays queued, overdue")

        w.timing(SUPPORT, {"expire_overdue": True})
        gone = w.create(window_min=5)
        c = w.wait(gone, lambda c: c["location"] == QUEUED)
        t.is_((c["location"], c["overdue"]), (QUEUED, False), "expire_overdue on: queued, not overdue yet")
        advance_to(s, parse_instant(c["window_end"]) - 5)
        time.sleep(0.3)
        t.is_(w.cb(gone)["location"], QUEUED, "5 s before window_end: still queued")
        advance_to(s, parse_instant(c["window_end"]) + 1)
        c = w.wait(gone, lambda c: c["location"] == DONE)
        t.is_((c["location"], c["end_state"], c["overdue"]), (DONE, "expired", False),
              "past window_end: completed, end state expired")
        c = w.wait(keep, lambda c: c["location"] == DONE, tries=20)
        t.is_((c["location"], c["end_state"]), (DONE, "expired"),
              "option turned on: the callback already overdue (#%d) expires too" % keep)
        c = w.cb(early)
        t.is_((c["location"], c["overdue"]), (QUEUED, False), "#%d (window 30 min) still queued" % early)
        advance_to(s, parse_instant(c["window_end"]) + 1)
        c = w.wait(early, lambda c: c["location"] == DONE, tries=20)
        t.is_((c["location"], c["end_state"]), (DONE, "expired"),
              "queued before the option was turned on, #%d expires at its window_end" % early)


# ---- customer called in ----------------------------------------------------------
def called_in(t):
    s = Server(t, args=ARGS)
    with s:
        w = World(s, t)
        quiet_support(w)
        svc = s.service_token
        dave = w.agent("dave", True)
        held = w.create(destination="+442079469003")
        offered_to(w, held, "dave")
        t.is_(w.act(dave, held, "accept").status, 200, "dave accepts #%d: Dialing" % held)
        w.agent("carol", True)
        offer = w.create(destination="+442079469004")
        offered_to(w, offer, "carol")
        pend = w.create(due_at=iso(test_clock(s) + 86400), destination="+442079469001")
        queued = w.create(destination="+442079469002")
        t.is_(w.wait(queued, lambda c: c["location"] == QUEUED)["location"], QUEUED,
              "#%d queued (nobody free)" % queued)

        def inbound(number, bp="Support", direction="inbound"):
            return s.post(V1 + "/interactions", svc, {"direction": direction, "number": number, "bp": bp})

        r = inbound("+442079469001", bp="Sales")
        t.ok(r.status == 201 and r.json["closed"] == [] and r.json["flagged"] == [],
             "inbound for that number in another BP closes nothing", r)
        r = inbound("+442079469001", direction="outbound")
        t.ok(r.status == 201 and r.json["closed"] == [], "an outbound call closes nothing", r)
        t.is_(w.cb(pend)["location"], PENDING, "#%d still Pending" % pend)
        r = inbound("+442079469001")
        t.ok(r.status == 201 and r.json["closed"] == [pend] and r.json["flagged"] == [],
             "inbound from a Pending callback's number: closed [#%d]" % pend, r)
        c = w.cb(pend)
        t.is_((c["location"], c["end_state"]), (DONE, "customer_called_in"),
              "#%d completed as customer_called_in" % pend)
        r = inbound("+442079469002")
        t.ok(r.status == 201 and r.json["closed"] == [queued], "inbound from a queued one: closed", r)
        c = w.cb(queued)
        t.is_((c["location"], c["end_state"]), (DONE, "customer_called_in"),
              "#%d completed as customer_called_in" % queued)
        for cid, login, st in ((held, "dave", "dialing"), (offer, "carol", "offered")):
            r = inbound("+44207946900%d" % (3 if cid == held else 4))
            t.ok(r.status == 201 and r.json["closed"] == [] and r.json["flagged"] == [cid],
                 "inbound from the number of #%d (%s, %s): only flagged" % (cid, st, login), r)
            c = w.cb(cid)
            t.is_((where(c), c["end_state"], c["flags"]), ((AGENT, st, login), None, ["customer_called_in"]),
                  "#%d stays with %s in %s, flagged customer_called_in" % (cid, login, st))



t = Tap()
run_concurrently(t, [schedule_close, stop_start, dst, fallback, expiry, called_in])
t.done()
