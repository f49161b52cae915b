#!/usr/bin/python3
# `cbd init --demo` holds what DESIGN.md §5a says, read through the API as
# the supervisor: the two BPs with their settings, the teams and their
# members, the agents (password <login>-demo, all may schedule), sup and
# admin, a working service token; a few dozen Sales callbacks over every
# location and every end state with attempt histories dated before today;
# Support only Pending callbacks due in the future.
import datetime, os, re, sys, time, zoneinfo
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from cbdtest import Server, Tap

V1 = "/api/v1"
NY = zoneinfo.ZoneInfo("America/New_York")


def ts(s):
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc).timestamp()


t = Tap()
with Server(t) as s:
    now = time.time()
    # "today" in Sales' zone, and in UTC: histories end before both
    today = min(datetime.datetime.now(NY).replace(hour=0, minute=0, second=0, microsecond=0).timestamp(),
                datetime.datetime.now(datetime.timezone.utc).replace(hour=0, minute=0, second=0,
                                                                     microsecond=0).timestamp())
    t.ok(s.service_token and re.fullmatch(r"[A-Za-z0-9_-]{43}", s.service_token),
         "init --demo prints the service token once")

    # -- people -----------------------------------------------------------------
    tokens = {}
    for login, role in (("alice", "agent"), ("bob", "agent"), ("carol", "agent"), ("dave", "agent"),
                        ("sup", "supervisor"), ("admin", "admin")):
        r = s.post(V1 + "/login", body={"user": login, "password": login + "-demo"})
        t.is_((r.status, r.json["user"]["role"] if r.status == 200 else None), (200, role),
              "%s logs in with %s-demo as %s" % (login, login, role))
        tokens[login] = r.json["token"] if r.status == 200 else None
    sup = tokens["sup"]
    agents = {a["login"]: a for a in s.get(V1 + "/agents", sup).json["agents"]}
    t.is_(sorted(agents), ["alice", "bob", "carol", "dave"], "four agents")
    t.ok(all(a["can_schedule"] for a in agents.values()), "all four may schedule")
    t.is_(s.get(V1 + "/bps", s.service_token).status, 200, "the service token works")

    # -- business processes ---------------------------------------------------
    bps = {b["name"]: b for b in s.get(V1 + "/bps", sup).json["bps"]}
    t.is_(sorted(bps), ["Sales", "Support"], "two BPs: Sales and Support")
    sales, support = bps["Sales"], bps["Support"]
    st, pt = sales["timing"], support["timing"]
    week = ["mon", "tue", "wed", "thu", "fri"]
    t.is_((sales["id"], sales["tz"]), (1, "America/New_York"), "Sales: id 1, America/New_York")
    t.is_({d: st["schedule"][d] for d in week + ["sat", "sun"]},
          dict({d: ["09:00-17:00"] for d in week}, sat=[], sun=[]), "Sales: open Mon-Fri 09:00-17:00")
    t.is_((st["preview_s"], st["slot_min"], st["slot_capacity"]), (10, 30, 4),
          "Sales: preview 10 s, slots of 30 minutes holding 4")
    t.is_((support["id"], support["tz"]), (2, "UTC"), "Support: id 2, UTC")
    t.is_({d: pt["schedule"][d] for d in week + ["sat", "sun"]},
          {d: ["00:00-24:00"] for d in week + ["sat", "sun"]}, "Support: open every day all day")
    t.is_((pt["preview_s"], pt["calling_hours"], pt["slot_capacity"]), (0, "00:00-24:00", 0),
          "Support: no preview, calling hours 00:00-24:00, no slot cap")
    t.is_(([x["name"] for x in sales["teams"]], [x["name"] for x in support["teams"]]),
          (["Sales Team"], ["Support Team"]), "Sales Team serves Sales, Support Team Support")

    teams = {x["name"]: x for x in s.get(V1 + "/teams", sup).json["teams"]}
    t.is_(sorted(teams), ["Sales Team", "Support Team"], "two teams")
    t.is_([m["login"] for m in teams["Sales Team"]["members"]], ["alice", "bob"], "Sales Team: alice, bob")
    t.is_([m["login"] for m in teams["Support Team"]["members"]], ["carol", "dave"],
          "Support Team: carol, dave")

    # -- callbacks --------------------------------------------------------------
    def search(query):
        r = s.get(V1 + "/callbacks?limit=500&" + query, sup)
        return r.json["callbacks"] if r.status == 200 else []

    def history(cid):
        return s.get(V1 + "/callbacks/%d" % cid, sup).json["history"]

    sales_cbs = search("bp=Sales")
    t.ok(24 <= len(sales_cbs) <= 60, "a few dozen callbacks in Sales (%d)" % len(sales_cbs))
    numbers = [c["destination"] for c in sales_cbs]
    t.is_(len(set(numbers)), len(numbers), "distinct destinations")
    t.ok(all(re.fullmatch(r"\+[1-9][0-9]{7,14}", n) for n in numbers), "all E.164")
    t.ok(sum(n.startswith("+1212555") for n in numbers) >= len(numbers) // 2,
         "most Sales customers in New York")
    zones = {c["tz"] for c in sales_cbs}
    t.ok("America/New_York" in zones and len(zones) >= 3, "customers in several zones: %s" % sorted(zones))
    by_loc = {}
    for c in sales_cbs:
        by_loc.setdefault(c["location"], []).append(c)
    t.is_(sorted(by_loc), ["completed", "handling_by_agent", "handling_by_business_process", "pending"],
          "Sales: every location")
    t.is_(sorted({c["end_state"] for c in by_loc["completed"]}),
          ["customer_called_in", "expired", "failed", "handled", "purged", "wrong_destination"],
          "Sales: every end state")
    t.ok(all(c["end_state"] is None for l, cs in by_loc.items() if l != "completed" for c in cs),
         "open callbacks have no end state")
    pending = by_loc["pending"]
    t.ok({c["agent"] for c in pending if c["routing"] == "agent"} == {"alice", "bob"}
         and any(c["routing"] == "team" for c in pending), "Pending: personal to alice and bob, and team")
    t.ok(any(ts(c["due_at"]) > now for c in pending), "some Pending due later")
    held = by_loc["handling_by_agent"]
    t.ok(all(c["holder"] in ("alice", "bob") and c["state"] in ("offered", "preview", "dialing", "handling")
             for c in held), "held callbacks: holder alice or bob, with an interaction state")
    holders = [c["holder"] for c in held]
    t.is_(len(holders), len(set(holders)), "no agent holds two callbacks")
    t.ok(all(ts(c["due_at"]) <= now for c in by_loc["handling_by_business_process"]),
         "queued callbacks were due already")

    attempts, with_history, bad = 0, 0, []
    agents_seen, states_seen = set(), set()
    for c in sales_cbs:
        h = history(c["id"])
        with_history += bool(h)
        for a in h:
            attempts += 1
            agents_seen.add(a["agent"])
            states_seen.add(a["state"])
            if ts(a["at"]) >= today or (a["started_at"] and ts(a["started_at"]) > ts(a["at"])):
                bad.append((c["id"], a))
            if a["state"] == "handled" and not (a["handle_s"] and a["connect"] in ("live", "voicemail")):
                bad.append((c["id"], a))
        if ts(c["created_at"]) >= now:
            bad.append((c["id"], "created_at"))
        if c["location"] == "completed":
            if c["end_state"] in ("handled", "wrong_destination", "failed") and not h:
                bad.append((c["id"], "no history"))
            if c["end_state"] == "failed" and (c["attempts"] != st["max_attempts"]
                                               or any(a["state"] not in ("no_answer", "answering_machine") for a in h)):
                bad.append((c["id"], "failed"))
            if c["end_state"] == "handled" and h[-1]["state"] != "handled":
                bad.append((c["id"], "handled"))
    t.is_(bad, [], "every attempt dated before today, consistent with its callback")
    t.ok(with_history >= len(sales_cbs) // 2 and attempts >= 30,
         "histories: %d callbacks, %d attempts" % (with_history, attempts))
    t.ok({"alice", "bob"} <= agents_seen, "attempts by alice and bob")
    t.ok({"handled", "no_answer", "answering_machine", "wrong_destination", "purged"} <= states_seen,
         "attempt states: %s" % sorted(s2 for s2 in states_seen))

    # -- Support: Pending only, due in the future ---------------------------------
    support_cbs = search("bp=Support")
    t.ok(4 <= len(support_cbs) <= 20, "Support has a few callbacks (%d)" % len(support_cbs))
    t.ok(all(c["location"] == "pending" for c in support_cbs), "Support: all Pending")
    t.ok(all(ts(c["due_at"]) > now for c in support_cbs), "Support: all due in the future")
    t.ok(all(history(c["id"]) == [] and c["attempts"] == 0 for c in support_cbs), "Support: no attempts")
    for loc in ("handling_by_business_process", "handling_by_agent", "completed"):
        t.is_(search("bp=Support&location=" + loc), [], "Support: nothing %s" % loc)
    t.ok({c["agent"] for c in support_cbs if c["routing"] == "agent"} == {"carol", "dave"}
         and any(c["routing"] == "team" and c["team"] == "Support Team" for c in support_cbs),
         "Support: personal to carol and dave, and team")
    t.ok(len({c["tz"] for c in support_cbs}) >= 3, "Support customers in several zones")

    # the agents' views agree
    mine = s.get(V1 + "/me/callbacks", tokens["carol"])
    t.is_(mine.status, 200, "carol's panel")
    r = s.get(V1 + "/me/interaction", tokens["alice"]).json
    t.ok(r["interaction"] is not None and r["interaction"]["holder"] == "alice", "alice holds one callback")
    h = s.get(V1 + "/me/history", tokens["alice"]).json["history"]
    t.ok(len(h) >= 3 and all(ts(e["started_at"]) < today for e in h), "alice's Call History, before today")
t.done()
