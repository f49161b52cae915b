#!/usr/bin/python3
# kill -9 with a callback in each state, start again on the same database:
# every callback is where its rules say (DESIGN.md §3, issue 4 "Timers
# survive restart"). Real clock, short settings, --grace-s 3.
#
#   BP Quick (UTC, open always; offer 5 s, no preview, no answer 5 s, wrap
#   limit 600 s), team Quick Team:
#     quinn   Offered         — the offer time-out passes while down: back in
#                               the queue, attempt redirected, quinn Not Ready
#     quade   Dialing         — no_answer passes while down: timed out, his
#     quorra  Dialing, timed out before the kill — stays so (wrap limit far)
#     queued (nobody free), Pending due while down (queued at once), Pending
#     due in an hour (stays)
#   BP Sales (made open always with PATCH; preview 5 s), team Sales Night:
#     sam     Preview         — preview_s passes while down: Dialing
#   BP Support (offer / no answer / wrap limit far):
#     carol   Handling, reconnects within the grace: keeps it
#     sue     Dialing,  reconnects: keeps it
#     dave    Handling, no stream after the restart: Pending, flagged
#             "supervisor" (attempt disconnected), never offered on
#     sid     Dialing,  no stream: back to the queue, attempt disconnected
#     sally   Offered,  no stream: back to the queue, attempt disconnected
#     sky     logs in after that, Ready: offered sid's or sally's, never dave's
#   BP Evening (UTC), whose schedule closes at a whole minute while cbd is
#   down (the kill waits for the minute to come near: up to a minute more):
#     otto    Offered, and one queued — both back to Pending, attempt aborted
# Versions and attempt counts are intact, each history before the kill is a
# prefix of the one after (no attempt row twice), and the database is sound.
import atexit, datetime, os, sqlite3, sys, time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from cbdtest import (Server, Tap, EventStream, add_agent, add_bp, add_team, iso, parse_instant,
                     wait_for)

t = Tap()
V1 = "/api/v1"
GRACE = 3
DOWN = 6          # seconds the server stays dead: every 5-s deadline passes
QUEUED, PENDING, AGENT = "handling_by_business_process", "pending", "handling_by_agent"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ALWAYS = {d: ["00:00-24:00"] for d in DAYS}

s = Server(t, args=["--grace-s", str(GRACE)])
atexit.register(lambda: s.proc and s.proc.kill())     # a failed script leaves no server behind
add_bp(s, "Quick", "UTC", {"offer_timeout_s": 5, "preview_s": 0, "no_answer_s": 5,
                           "wrap_limit_s": 600, "calling_hours": "00:00-24:00",
                           "schedule": dict(ALWAYS, closed_dates=[])})
add_team(s, "Quick Team", ["Quick"])
add_team(s, "Sales Night", ["Sales"])
add_bp(s, "Evening", "UTC", {"offer_timeout_s": 3600, "no_answer_s": 3600, "calling_hours": "00:00-24:00",
                             "schedule": dict(ALWAYS, closed_dates=[])})
add_team(s, "Evening Team", ["Evening"])
add_agent(s, "otto", ["Evening Team"])
for login in ("quinn", "quade", "quorra"):
    add_agent(s, login, ["Quick Team"])
add_agent(s, "sam", ["Sales Night"])
for login in ("sue", "sid", "sally", "sky"):
    add_agent(s, login, ["Support Team"])
s.start()

sup = s.login("sup")
AGENTS = ("carol", "dave", "sue", "sid", "sally", "quinn", "quade", "quorra", "sam", "otto")
tok = {a: s.login(a) for a in AGENTS}
streams = {a: EventStream(s, tok[a]) for a in AGENTS}      # consoles are there
t.ok(all(st.status == 200 for st in streams.values()), "every agent's event stream opens")

s.purge_pending("Support", sup)
r = s.set_timing(2, sup, offer_timeout_s=3600, no_answer_s=3600, wrap_limit_s=86400)
t.is_(r.status, 200, "Support: offer, no-answer and wrap limits far away")
r = s.set_timing(1, sup, schedule=dict(ALWAYS, closed_dates=[]), preview_s=5, slot_capacity=0,
                 offer_timeout_s=3600, no_answer_s=3600, calling_hours="00:00-24:00")
t.is_(r.status, 200, "Sales: open always, preview 5 s, no slot cap (the demo fills today's slots)")
n = [0]


def create(bp, team, **kw):
    n[0] += 1
    body = {"destination": "+4420794630%02d" % n[0], "bp": bp, "routing": "team", "team": team,
            "tz": "UTC", "due_at": iso(time.time())}
    body.update(kw)
    r = s.create_callback(sup, **body)
    if r.status != 201:
        raise RuntimeError("create: %r" % r)
    return r.json["id"]


def cb(cid):
    return s.callback(cid, sup)


def where(c):
    return (c["location"], c["state"], c["holder"], c["timed_out"]) if c else None


def act(login, cid, action, body=None):
    r = s.post(V1 + "/callbacks/%d/%s" % (cid, action), tok[login], body or {})
    if r.status != 200:
        raise RuntimeError("%s %s #%d: %r" % (login, action, cid, r))
    return r.json


def take(login, bp, team, *steps, stay_ready=False):
    """Makes login the only Ready one, creates a callback for the team, waits
    for the offer to login and walks the steps; the agent then asks for Not
    Ready (after this callback) unless stay_ready."""
    s.set_presence(tok[login], "ready")
    cid = create(bp, team)
    got = s.wait_offer(tok[login], cid)
    if got is None:
        raise RuntimeError("#%d was not offered to %s: %r" % (cid, login, cb(cid)))
    if not stay_ready:
        s.set_presence(tok[login], "not_ready")
    for step in steps:
        act(login, cid, *step)
    return cid


ids = {}
# Quick: quorra's Dialing must time out before the kill (no_answer 5 s)
ids["quorra"] = take("quorra", "Quick", "Quick Team", ("accept",))
# Support: the ones the grace decides
ids["carol"] = take("carol", "Support", "Support Team", ("accept",), ("connected", {"kind": "live"}))
ids["dave"] = take("dave", "Support", "Support Team", ("accept",), ("connected", {"kind": "voicemail"}))
ids["sue"] = take("sue", "Support", "Support Team", ("accept",))
ids["sid"] = take("sid", "Support", "Support Team", ("accept",))
ids["sally"] = take("sally", "Support", "Support Team")
c = s.wait_callback(ids["quorra"], sup, lambda c: c["timed_out"], timeout=8)
t.is_(where(c), (AGENT, "dialing", "quorra", True), "quorra's #%d timed out before the kill"
      % ids["quorra"])
# Evening closes at a whole minute while the server is down: the kill comes
# just before it (the wait for that minute is most of this test's time)
close = (int(time.time()) // 60 + 1) * 60
if close - time.time() < 6:
    close += 60
if close % 86400 == 0:
    close += 60
at = datetime.datetime.fromtimestamp(close, datetime.timezone.utc)
EVENING = [b["id"] for b in s.get(V1 + "/bps", sup).json["bps"] if b["name"] == "Evening"][0]
r = s.set_timing(EVENING, sup, schedule={DAYS[at.weekday()]: ["00:00-" + at.strftime("%H:%M")]})
t.is_(r.status, 200, "Evening closes at %s" % iso(close))
ids["evening_offered"] = take("otto", "Evening", "Evening Team", stay_ready=True)
ids["evening_queued"] = create("Evening", "Evening Team")
# the ones whose 5-s deadlines must pass while the server is down
time.sleep(max(0.0, close - 4 - time.time()))
t0 = time.time()
ids["quade"] = take("quade", "Quick", "Quick Team", ("accept",))
ids["quinn"] = take("quinn", "Quick", "Quick Team", stay_ready=True)
ids["sam"] = take("sam", "Sales", "Sales Night", ("accept",))
ids["queued"] = create("Quick", "Quick Team")
ids["due_down"] = create("Quick", "Quick Team", due_at=iso(time.time() + 2))
ids["due_later"] = create("Quick", "Quick Team", due_at=iso(time.time() + 3600))

WANT_BEFORE = {
    "quorra": (AGENT, "dialing", "quorra", True), "quade": (AGENT, "dialing", "quade", False),
    "quinn": (AGENT, "offered", "quinn", False), "sam": (AGENT, "preview", "sam", False),
    "carol": (AGENT, "handling", "carol", False), "dave": (AGENT, "handling", "dave", False),
    "sue": (AGENT, "dialing", "sue", False), "sid": (AGENT, "dialing", "sid", False),
    "sally": (AGENT, "offered", "sally", False), "queued": (QUEUED, None, None, False),
    "due_down": (PENDING, None, None, False), "due_later": (PENDING, None, None, False),
    "evening_offered": (AGENT, "offered", "otto", False), "evening_queued": (QUEUED, None, None, False),
}
wait_for(lambda: cb(ids["queued"])["location"] == QUEUED, 3)
before = {k: cb(v) for k, v in ids.items()}
got = {k: where(c) for k, c in before.items()}
t.is_(got, WANT_BEFORE, "every state set up before the kill (%.1f s after the first short timer)"
      % (time.time() - t0))
t.ok(time.time() < close - 1, "the kill comes before Evening closes")

s.kill9()
killed = time.time()
for st in streams.values():
    st.close()
con = sqlite3.connect(s.db)
t.is_(con.execute("PRAGMA integrity_check").fetchone()[0], "ok", "integrity_check after kill -9")
con.close()
time.sleep(max(0.0, DOWN - (time.time() - killed)))

s.start()
started = time.time()
s.tokens = {"sup": sup}
# the consoles that come back within the grace
back = {a: EventStream(s, tok[a]) for a in ("carol", "sue", "quade", "quorra", "sam")}
t.ok(all(st.status == 200 for st in back.values()),
     "carol, sue, quade, quorra and sam reconnect with their old tokens (%.1f s after start)"
     % (time.time() - started))

WANT_AT_ONCE = {
    "quinn": (QUEUED, None, None, False),        # offer time-out passed while down
    "quade": (AGENT, "dialing", "quade", True),  # no_answer passed while down
    "quorra": (AGENT, "dialing", "quorra", True),
    "sam": (AGENT, "dialing", "sam", False),     # preview ended while down
    "carol": (AGENT, "handling", "carol", False),
    "sue": (AGENT, "dialing", "sue", False),
    "queued": (QUEUED, None, None, False),
    "due_down": (QUEUED, None, None, False),     # due while down
    "due_later": (PENDING, None, None, False),
    "evening_offered": (PENDING, None, None, False),  # Evening closed while down
    "evening_queued": (PENDING, None, None, False),
}
after = {}
for k, want in WANT_AT_ONCE.items():
    after[k] = s.wait_callback(ids[k], sup, lambda c, want=want: where(c) == want, timeout=2)
    t.is_(where(after[k]), want, "after the restart #%d (%s) is %s%s" % (
        ids[k], k, want[1] or want[0], " (timed out)" if want[3] else ""))
fired = time.time() - started
t.ok(fired < 2.5, "the deadlines that passed while down fired at once (all seen %.1f s after start)"
     % fired)
t.is_(after["quinn"]["history"][-1]["state"] if after["quinn"]["history"] else None, "redirected",
      "quinn's offer: attempt redirected")
t.is_(s.presence(tok["quinn"]), "not_ready", "quinn, whose offer timed out, is Not Ready")
for k in ("evening_offered", "evening_queued"):
    c = after[k]
    t.is_((c["history"][-1]["state"] if c["history"] else None, c["attempts"]), ("aborted", 0),
          "#%d (%s): attempt aborted, no increment" % (ids[k], k))
t.is_(s.bp(EVENING, sup)["clbk_stat"], "off_schedule", "Evening: CLBK Stat Off Schedule HRS")
for k in ("quorra", "carol", "sue", "queued", "due_later"):
    t.is_(after[k]["version"], before[k]["version"], "#%d (%s): version unchanged" % (ids[k], k))
for k in ("quinn", "quade", "sam", "due_down", "evening_offered", "evening_queued"):
    t.ok(after[k]["version"] > before[k]["version"], "#%d (%s): version moved on (%d → %d)"
         % (ids[k], k, before[k]["version"], after[k]["version"]))

# the grace passes: dave, sid and sally never came back
for st in back.values():      # keep the returning consoles' streams alive
    st.pump(0)
WANT_GONE = {
    "dave": ((PENDING, None, None, False), ["supervisor"], "disconnected"),
    "sid": ((QUEUED, None, None, False), [], "disconnected"),
    "sally": ((QUEUED, None, None, False), [], "disconnected"),
}
for k, (want, flags, attempt) in WANT_GONE.items():
    c = s.wait_callback(ids[k], sup, lambda c, want=want: where(c) == want, timeout=GRACE + 4)
    last = c["history"][-1]["state"] if c and c["history"] else None
    t.is_((where(c), c and c["flags"], last), (want, flags, attempt),
          "%s did not reconnect within %d s: #%d %s, flags %s, attempt %s"
          % (k, GRACE, ids[k], want[0], flags, attempt))
    after[k] = c
t.ok(time.time() - started >= GRACE - 0.5, "not before the grace (%.1f s after start)"
     % (time.time() - started))
for k in ("dave", "sid", "sally"):
    t.is_(s.presence(tok[k]), "logged_out", "%s is logged out" % k)
# sky (Support Team) comes on duty: sid's and sally's may be offered to her,
# dave's (the customer may still be on the line) may not
sky = s.login("sky")
sky_stream = EventStream(s, sky)
s.set_presence(sky, "ready")
offer = s.wait_offer(sky, timeout=2)
t.ok(offer is not None and offer["id"] in (ids["sid"], ids["sally"]),
     "sky, Ready, is offered sid's or sally's callback, not dave's #%d" % ids["dave"], offer)
t.is_(where(cb(ids["dave"])), (PENDING, None, None, False),
      "dave's Handling callback is not handed straight to another agent")
sky_stream.close()
for k, want in (("carol", (AGENT, "handling", "carol", False)), ("sue", (AGENT, "dialing", "sue", False)),
                ("quade", (AGENT, "dialing", "quade", True)), ("quorra", (AGENT, "dialing", "quorra", True)),
                ("sam", (AGENT, "dialing", "sam", False))):
    after[k] = cb(ids[k])
    t.is_(where(after[k]), want, "%s reconnected in time and still holds #%d" % (k, ids[k]))

# attempts: counts intact, old rows kept once, only the rule's rows added
ADDED = {"quinn": ["redirected"], "dave": ["disconnected"], "sid": ["disconnected"],
         "sally": ["disconnected"], "evening_offered": ["aborted"], "evening_queued": ["aborted"]}
for k in ids:
    b, a = before[k], after.get(k) or cb(ids[k])
    hb, ha = [(h["at"], h["state"]) for h in b["history"]], [(h["at"], h["state"]) for h in a["history"]]
    t.is_((a["attempts"], ha[:len(hb)], [st for _, st in ha[len(hb):]]),
          (b["attempts"], hb, ADDED.get(k, [])),
          "#%d (%s): attempts %d, history kept, added %s" % (ids[k], k, b["attempts"], ADDED.get(k, [])))
con = sqlite3.connect("file:%s?mode=ro" % s.db, uri=True)
dups = con.execute("SELECT callback_id, at, state, count(*) FROM attempts WHERE callback_id IN (%s) "
                   "GROUP BY callback_id, at, state, agent_id HAVING count(*) > 1"
                   % ",".join(str(i) for i in ids.values())).fetchall()
con.close()
t.is_(dups, [], "no attempt row written twice")
for st in back.values():
    st.close()
rc = s.stop()
log = s.log_text()
t.ok(rc == 0 and "ERROR: AddressSanitizer" not in log and "runtime error:" not in log,
     "cbd exits cleanly on SIGTERM (status %r)" % rc, "\n".join(log.splitlines()[-30:]))
t.done()
