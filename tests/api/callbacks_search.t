#!/usr/bin/python3
# GET /api/v1/callbacks (Callback Search): ~120 callbacks over both BPs, both
# routings, every agent and team and every location; each filter alone and
# combined checked against the full list (every matching callback, in due
# order, nothing else); paging by cursor with limit 7 gives each exactly
# once; agents see only their own and their teams'; every bad parameter is
# a 422 naming it.
import datetime, os, sqlite3, sys, time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from cbdtest import Server, Tap

CB = "/api/v1/callbacks"
UTC = datetime.timezone.utc


def rfc(ts):
    return datetime.datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def q(s):
    return s.replace("+", "%2B").replace(" ", "%20")


t = Tap()
with Server(t) as s:
    sup, alice, carol = s.login("sup"), s.login("alice"), s.login("carol")
    db = sqlite3.connect(s.db, timeout=10)

    def page_all(token, query="", limit=500):
        """Every callback the query finds, following next; (list, pages)."""
        out, after, pages = [], None, 0
        while True:
            sep = "&" if query else ""
            url = CB + "?" + query + sep + "limit=%d" % limit + ("&after=" + after if after else "")
            r = s.get(url, token)
            if r.status != 200:
                raise RuntimeError("%s: %r" % (url, r))
            out += r.json["callbacks"]
            pages += 1
            after = r.json.get("next")
            if not after:
                return out, pages
            if pages > 1000:
                raise RuntimeError("paging does not end")

    # -- ~120 callbacks --------------------------------------------------------
    base = int(time.time()) // 60 * 60 + 3600
    made = []
    agents = {"Support": ["carol", "dave"], "Sales": ["alice", "bob"]}
    teams = {"Support": "Support Team", "Sales": "Sales Team"}
    errors = 0
    for i in range(120):
        bp = "Sales" if i % 5 == 0 else "Support"
        b = {"destination": "+1303555%04d" % i, "bp": bp, "tz": "UTC",
             "remark": "search %d" % i}
        if bp == "Sales":  # a slot of its own each (Sales holds 4 per 30 minutes)
            b["due_at"] = rfc(base + 86400 + i * 1800)
        else:  # pairs share a due time, so the id breaks ties
            b["due_at"] = rfc(base + (i // 2) * 600)
        if i % 3 == 0:
            b["routing"], b["team"] = "team", teams[bp]
        else:
            b["routing"], b["agent"] = "agent", agents[bp][i % 2]
        r = s.post(CB, sup, b)
        if r.status != 201:
            errors += 1
            t.diag(repr(r))
        else:
            made.append(r.json["id"])
    t.is_(errors, 0, "120 callbacks created")
    # some in the queue, some purged, some overdue
    for cid in made[5:25:4]:
        s.post(CB + "/%d/queue" % cid, sup)
    for cid in made[7:40:5]:
        s.post(CB + "/%d/purge" % cid, sup)
    long_ago = int(time.time()) - 7200
    overdue_ids = made[30:60:3]
    db.executemany("UPDATE callbacks SET window_end = ? WHERE id = ?",
                   [(long_ago + k, cid) for k, cid in enumerate(overdue_ids)])
    # one of dave's offered to carol (as the engine would): she sees it as its holder
    carol_id = db.execute("SELECT id FROM users WHERE login = 'carol'").fetchone()[0]
    db.execute("UPDATE callbacks SET state = 'offered', location = 2, holder_id = ? "
               "WHERE id = ?", (carol_id, made[11]))
    db.commit()

    universe, pages = page_all(sup)
    ids = [c["id"] for c in universe]
    t.ok(set(made) <= set(ids), "the supervisor's unfiltered search holds every callback made")
    t.is_(len(ids), len(set(ids)), "... each once")
    t.ok(all((a["due_at"], a["id"]) < (b["due_at"], b["id"]) for a, b in zip(universe, universe[1:])),
         "... in due order, then id")
    t.is_(sorted(set(c["location"] for c in universe if c["id"] in made)),
          ["completed", "handling_by_agent", "handling_by_business_process", "pending"],
          "every location is there")
    t.ok(sum(1 for c in universe if c["overdue"]) >= len(overdue_ids), "some are overdue")

    def check(query, pred, name, token=sup, pool=None, empty=False):
        got, _ = page_all(token, query)
        want = [c["id"] for c in (pool or universe) if pred(c)]
        if not empty and not want:
            t.ok(False, name + ": the test expects some callbacks")
        if query.startswith("overdue=true") or "&overdue=true" in query:
            order = sorted((c for c in (pool or universe) if pred(c)), key=lambda c: (c["window_end"], c["id"]))
            want = [c["id"] for c in order]
        ok = t.is_([c["id"] for c in got], want, name)
        if not ok:
            t.diag(query)
        return got

    by_id = {c["id"]: c for c in universe}
    sample = by_id[made[1]]
    check("bp=Support", lambda c: c["bp"] == "Support", "bp by name")
    check("bp=1", lambda c: c["bp_id"] == 1, "bp by id")
    for loc in ("pending", "handling_by_business_process", "handling_by_agent", "completed"):
        check("location=" + loc, lambda c, l=loc: c["location"] == l, "location " + loc)
    check("agent=carol", lambda c: c["agent"] == "carol", "agent by login")
    dave_id = db.execute("SELECT id FROM users WHERE login = 'dave'").fetchone()[0]
    check("agent=%d" % dave_id, lambda c: c["agent"] == "dave", "agent by id")
    check("team=" + q("Support Team"), lambda c: c["team"] == "Support Team", "team by name")
    check("team=1", lambda c: c["team"] == "Sales Team", "team by id")
    check("number=" + q("+1 (303) 555-0001"), lambda c: c["destination"] == "+13035550001",
          "number, normalized")
    check("number=+13035550001", lambda c: c["destination"] == "+13035550001",
          "number with an unescaped plus")
    check("overdue=true", lambda c: c["overdue"], "overdue=true (by window end)")
    check("overdue=false", lambda c: not c["overdue"], "overdue=false")
    check("bp=Support&location=pending", lambda c: c["bp"] == "Support" and c["location"] == "pending",
          "bp + location")
    check("bp=Support&team=" + q("Support Team") + "&overdue=false",
          lambda c: c["bp"] == "Support" and c["team"] == "Support Team" and not c["overdue"],
          "bp + team + overdue=false")
    check("agent=dave&location=completed", lambda c: c["agent"] == "dave" and c["location"] == "completed",
          "agent + location")
    check("bp=Support&overdue=true&location=pending",
          lambda c: c["bp"] == "Support" and c["overdue"] and c["location"] == "pending",
          "bp + overdue + location")
    check("overdue=true&location=completed", lambda c: False, "a completed callback is never overdue", empty=True)
    check("bp=Sales&number=" + q(sample["destination"]), lambda c: False, "bp + number, no match", empty=True)
    check("bp=Support&number=" + q(sample["destination"]),
          lambda c: c["destination"] == sample["destination"] and c["bp"] == "Support", "bp + number")
    check("bp=Sales&team=" + q("Support Team"), lambda c: False, "a team of the other BP finds nothing", empty=True)

    # -- paging ----------------------------------------------------------------
    got, pages = page_all(sup, "", 7)
    t.is_([c["id"] for c in got], ids, "limit 7: every callback exactly once, in due order")
    t.is_(pages, (len(ids) + 6) // 7, "... in ceil(n / 7) pages")
    got, pages = page_all(sup, "bp=Support&location=pending", 7)
    t.is_([c["id"] for c in got],
          [c["id"] for c in universe if c["bp"] == "Support" and c["location"] == "pending"],
          "limit 7 with filters")
    got, _ = page_all(sup, "overdue=true", 3)
    t.is_([c["id"] for c in got],
          [c["id"] for c in sorted((c for c in universe if c["overdue"]), key=lambda c: (c["window_end"], c["id"]))],
          "overdue pages by window end")
    r = s.get(CB + "?limit=%d" % len(ids), sup)
    t.ok(r.status == 200 and "next" not in r.json, "no next on the last page (exactly full)")
    r = s.get(CB, sup)
    t.is_(len(r.json["callbacks"]), min(50, len(ids)), "50 a page by default")
    r = s.get(CB + "?number=" + q("+19999999999"), sup)
    t.is_((r.status, r.json), (200, {"callbacks": []}), "nothing found: an empty list, no next")

    # -- what agents see ----------------------------------------------------------
    def sees(login, teams_):
        return lambda c: c["agent"] == login or c["holder"] == login or c["team"] in teams_

    check("", sees("alice", {"Sales Team"}), "alice sees hers and Sales Team's", token=alice)
    check("", sees("carol", {"Support Team"}), "carol sees hers and Support Team's", token=carol)
    got, _ = page_all(alice)
    t.ok(got and all(c["bp"] == "Sales" for c in got) and not any(c["team"] == "Support Team" for c in got),
         "alice sees nothing of Support")
    t.ok(not any(c["agent"] == "bob" for c in got), "alice does not see bob's personal callbacks")
    r = s.get(CB + "/%d" % made[11], carol)
    t.is_((r.status, r.json.get("agent"), r.json.get("holder"), r.json.get("state")),
          (200, "dave", "carol", "offered"), "carol sees dave's callback she is offered")
    r = s.get(CB + "/%d" % made[11], s.login("dave"))
    t.is_(r.status, 200, "dave sees it too")
    check("bp=Support", lambda c: False, "alice filtering on Support finds nothing", token=alice, empty=True)
    check("agent=carol", lambda c: c["agent"] == "carol", "carol filtering on herself", token=carol)
    check("location=pending", lambda c: sees("carol", {"Support Team"})(c) and c["location"] == "pending",
          "carol filtering on a location", token=carol)
    got, _ = page_all(carol, "", 7)
    t.is_([c["id"] for c in got], [c["id"] for c in universe if sees("carol", {"Support Team"})(c)],
          "carol pages by 7")
    support_team = next(c for c in universe if c["team"] == "Support Team")
    bobs = next(c for c in universe if c["agent"] == "bob")
    sales_team = next(c for c in universe if c["team"] == "Sales Team")
    r = s.get(CB + "/%d" % support_team["id"], alice)
    t.is_((r.status, r.error()[0]), (404, "not_found"), "alice GETs a Support Team callback: 404")
    r = s.get(CB + "/%d" % bobs["id"], alice)
    t.is_(r.status, 404, "alice GETs bob's personal callback: 404")
    r = s.get(CB + "/%d" % sales_team["id"], alice)
    t.is_((r.status, r.json.get("id")), (200, sales_team["id"]), "alice GETs a Sales Team callback")
    r = s.get(CB + "/%d" % support_team["id"], carol)
    t.is_(r.status, 200, "carol GETs a Support Team callback")
    for path in ("/0", "/abc", "/99999999", "/012", "/-1"):
        r = s.get(CB + path, sup)
        t.is_(r.status, 404, "GET " + CB + path + " is 404")
    r = s.get(CB, s.service_token) if s.service_token else None
    if r is not None:
        t.is_(r.status, 403, "a service token may not search")

    # -- bad parameters --------------------------------------------------------------
    for query, field in [("bp=Nope", "bp"), ("bp=999", "bp"), ("bp=", "bp"),
                         ("location=queued", "location"), ("location=", "location"),
                         ("agent=nobody", "agent"), ("agent=sup", "agent"), ("team=Nope", "team"),
                         ("number=abc", "number"), ("number=%2B1", "number"),
                         ("overdue=yes", "overdue"), ("overdue=1", "overdue"),
                         ("limit=0", "limit"), ("limit=501", "limit"), ("limit=abc", "limit"),
                         ("limit=07", "limit"), ("limit=-1", "limit"), ("limit=", "limit"),
                         ("after=garbage", "after"), ("after=", "after"), ("after=1.0", "after"),
                         ("after=01.5", "after"), ("after=1.05", "after"), ("after=1.", "after"),
                         ("after=.5", "after"), ("after=1.5.6", "after"), ("after=-0.5", "after"),
                         ("after=99999999999999999999.1", "after"), ("after=1.%2B5", "after"),
                         ("zzz=1", "zzz"), ("bp=Sales&bp=Support", "bp"),
                         ("limit=5&colour=red", "colour")]:
        r = s.get(CB + "?" + query, sup)
        t.is_((r.status, r.error()), (422, ("invalid_field", field)), "bad parameter: " + query)
    r = s.get(CB + "?after=zz", sup)
    t.is_(r.json["error"]["message"], "after: bad cursor", "the bad cursor message")
    r = s.get(CB + "?after=-5.3", sup)
    t.is_(r.status, 200, "a well-formed cursor before everything is fine")
    t.is_([c["id"] for c in r.json["callbacks"]], ids[:50], "... and starts at the beginning")
    db.close()
t.done()
