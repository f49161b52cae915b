#!/usr/bin/python3
# Callback Search copies the stored text of each callback's fixed members
# (callbacks.shown, written by every insert and update) and adds "id" in
# front, "state_until" (from wake_at, which the engine moves without a new
# version) and "overdue" (measured at the request) at the end; GET
# /api/v1/callbacks/{id} renders from the columns. A Search row must never
# say anything else than the GET of the same callback: every check below
# compares the two key for key, in the same order ("history" left out), and
# looks at the stored text itself (it must parse to GET's fixed members):
#   1. the demo data, paged through by the supervisor;
#   2. callbacks taken through every location and state: created with
#      subject, case_data, transcription and odd characters (quotes,
#      backslashes, tab, newline, U+2028, non-ASCII); PATCHed (remark, due
#      time and zone, window, reassigned to team and to agent, by an agent,
#      while offered, in Handling; a stale version changes nothing); sent to
#      the queue; offered (state_until comes from wake_at); rejected; the
#      offer time-out; Preview, its end, Dialing, timed out; Handling; every
#      end state (handled, wrong_destination, failed, purged, expired,
#      customer_called_in); Cancel; Callback Requested with a new remark;
#      Call Now; replace; flagged by an inbound call; personal fallback;
#      the BP stopped (queued back to Pending) - each step's callback
#      compared with a GET before and after its Search (the engine may move
#      it meanwhile), and the GET checked against what the step should do;
#   3. overdue passing with the test clock, with no write;
#   4. a schema-1 database (no shown column, no trigger, 1100 more
#      callbacks so the fill takes several batches) migrated at start:
#      schema 2 again, shown filled for every row with the text the writes
#      had stored;
#   5. shown columns changed behind cbd's back: the trigger empties shown
#      for exactly those rows (not for wake_at / completed_at), Search
#      renders them from their columns, and the next write stores the text;
#   6. what each agent sees.
# Every full pass (a "sweep") pages all of Search and compares every row.
import json, os, sqlite3, sys, time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from cbdtest import Server, Tap, EventStream, V1, iso, parse_instant

CB = V1 + "/callbacks"
QUEUE = "handling_by_business_process"
AGENT = "handling_by_agent"
REST = ("id", "state_until", "overdue")  # the members not in the stored text
AGENTS = ("alice", "bob", "carol", "dave")
NONNULL = object()  # an expectation: anything but null
MISSING = object()

t = Tap()
with Server(t, args=["--test-clock", "--grace-s", "3600"]) as s:
    sup = s.login("sup")
    tok = {u: s.login(u) for u in AGENTS}
    carol, dave = tok["carol"], tok["dave"]
    streams = [EventStream(s, tok[u]) for u in AGENTS]
    t.is_([e.status for e in streams], [200] * 4, "every agent keeps an event stream open")
    db = [None]

    def ro():
        """The database, read-only, beside the running server (WAL)."""
        if db[0] is None:
            db[0] = sqlite3.connect("file:%s?mode=ro" % s.db, uri=True, timeout=10)
        return db[0]

    def ro_close():
        if db[0] is not None:
            db[0].close()
            db[0] = None

    def pump():
        for e in streams:
            e.pump(0)
            e.take()

    # ---- comparing --------------------------------------------------------------
    def plain(g):
        return {k: v for k, v in g.items() if k != "history"}

    def differences(g, row, names=("Search", "GET")):
        """What differs between a GET (less history) and a Search row."""
        if g is None:
            return ["GET is not 200"]
        if row is None:
            return ["Search does not find it"]
        def text(v):
            return "(missing)" if v is MISSING else json.dumps(v, ensure_ascii=False)
        out = []
        for k in dict.fromkeys(list(g) + list(row)):
            a, b = g.get(k, MISSING), row.get(k, MISSING)
            if a != b:
                out.append("%s: %s %s, %s %s" % (k, names[0], text(b), names[1], text(a)))
        if not out and list(g) != list(row):
            out.append("key order: %s %s, %s %s" % (names[0], list(row), names[1], list(g)))
        return out

    def stored(cid):
        r = ro().execute("SELECT shown FROM callbacks WHERE id = ?", (cid,)).fetchone()
        return r[0] if r else None

    def stored_problems(g, text, null_ok=False):
        """The stored text must be GET's fixed members (or NULL when null_ok)."""
        if g is None:
            return []
        if text is None:
            return [] if null_ok else ["callbacks.shown is NULL"]
        try:
            members = json.loads("{" + text + "}")
        except ValueError as e:
            return ["callbacks.shown is not JSON members (%s): %r" % (e, text[:300])]
        want = {k: v for k, v in g.items() if k not in REST}
        return ["callbacks.shown: " + d for d in differences(want, members, ("stored", "GET"))]

    def search_row(cid, dest, token):
        for c in s.callbacks(token, number=dest):
            if c["id"] == cid:
                return c
        return None

    def get_plain(cid, token):
        r = s.get(CB + "/%d" % cid, token)
        return plain(r.json) if r.status == 200 and isinstance(r.json, dict) else None

    def observe(cid, token):
        """(GET less history, Search row, stored text): a GET, the Search and
        the stored text, a GET again, until the two GETs agree (the engine may
        move a callback meanwhile)."""
        g1 = row = text = None
        for _ in range(6):
            g1 = get_plain(cid, token)
            if g1 is None:
                return None, None, None
            row = search_row(cid, g1["destination"], token)
            text = stored(cid)
            if get_plain(cid, token) == g1:
                break
            time.sleep(0.05)
        return g1, row, text

    def expectation_problems(g, expect):
        out = []
        for k, want in (expect or {}).items():
            got = (g or {}).get(k, MISSING)
            if want is NONNULL:
                if got is None or got is MISSING:
                    out.append("%s: %r, want non-null" % (k, got))
            elif got != want:
                out.append("%s: %r, want %r" % (k, got, want))
        return out

    def describe(k, v):
        """k and its expected value, short and on one line, for a check's name."""
        if v is NONNULL:
            return k + " non-null"
        text = json.dumps(v)
        return k if len(text) > 32 else "%s %s" % (k, text)

    def same(cid, name, token=None, expect=None, null_ok=False):
        """Checks the Search row of cid equals its GET (and the stored text);
        then the GET against expect. Returns the GET (less history)."""
        g, row, text = observe(cid, token or sup)
        probs = differences(g, row) + stored_problems(g, text, null_ok)
        t.ok(not probs, "%s: Search row of %s equals its GET" % (name, cid),
             "\n".join(probs) + "\nSearch: %s\nGET:    %s" % (json.dumps(row, ensure_ascii=False),
                                                           json.dumps(g, ensure_ascii=False)))
        if expect:
            ep = expectation_problems(g, expect)
            t.ok(not ep, "%s: %s" % (name, ", ".join(describe(k, v) for k, v in expect.items())), "\n".join(ep))
        return g

    def page_all(token, limit=7):
        out, after, pages = [], None, 0
        while True:
            url = CB + "?limit=%d" % limit + ("&after=" + after if after else "")
            r = s.get(url, token)
            if r.status != 200:
                raise RuntimeError("%s: %r" % (url, r))
            out += r.json["callbacks"]
            after = r.json.get("next")
            pages += 1
            if not after or pages > 2000:
                return out

    def sweep(name, token=None, limit=7, null_ok=()):
        """Pages all of Search as token; each row must equal its GET as token."""
        token = token or sup
        rows = page_all(token, limit)
        ids = [c["id"] for c in rows]
        bad = []
        for row in rows:
            g = get_plain(row["id"], token)
            probs = differences(g, row) + stored_problems(g, stored(row["id"]), row["id"] in null_ok)
            if probs:  # it may have moved between the two: look again, closely
                g, row2, text = observe(row["id"], token)
                probs = differences(g, row2) + stored_problems(g, text, row["id"] in null_ok)
                if probs:
                    bad.append("callback %d:\n  %s\n  Search: %s\n  GET:    %s"
                               % (row["id"], "\n  ".join(probs), json.dumps(row2, ensure_ascii=False),
                                  json.dumps(g, ensure_ascii=False)))
        t.ok(rows and not bad and len(ids) == len(set(ids)),
             "%s: each of the %d Search rows equals its GET" % (name, len(rows)),
             "%d differ:\n" % len(bad) + "\n".join(bad[:10]) + ("\n..." if len(bad) > 10 else "")
             + ("" if len(ids) == len(set(ids)) else "\nrepeated ids"))
        return rows

    # ==========================================================================
    # 1. the demo data
    # ==========================================================================
    TRIGGER = "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = 'callbacks_shown_stale'"
    t.is_((ro().execute("PRAGMA user_version").fetchone()[0], ro().execute(TRIGGER).fetchone()[0]), (2, 1),
          "a new database: schema 2, with the trigger callbacks_shown_stale")
    rows = sweep("demo data (supervisor, pages of 7)")
    t.ok(len(rows) >= 40 and {c["location"] for c in rows} ==
         {"pending", QUEUE, AGENT, "completed"} and any(c["flags"] for c in rows),
         "the demo data has every location and a flagged callback (%d callbacks)" % len(rows))
    t.ok(all(stored(c["id"]) is not None for c in rows), "every demo callback has its stored text")

    # ==========================================================================
    # 2. every location and state
    # ==========================================================================
    seq = [0]

    def new_cb(due=None, token=None, **over):
        """A Support team callback due now (test clock) unless told otherwise."""
        seq[0] += 1
        b = {"destination": "+4420799%05d" % seq[0], "bp": "Support", "routing": "team",
             "team": "Support Team", "tz": "UTC", "due_at": iso(due if due is not None else s.now())}
        b.update(over)
        r = s.post(CB, token or sup, b)
        if r.status != 201:
            raise RuntimeError("create: %r" % r)
        return r.json["id"]

    def act(cid, what, who, body=None):
        return s.post(CB + "/%d/%s" % (cid, what), who, body)

    def patch(cid, token=None, **body):
        body["version"] = get_plain(cid, sup)["version"]
        return s.patch(CB + "/%d" % cid, token or sup, body)

    def offered(cid, who, timeout=5.0):
        pump()
        return s.wait_offer(who, cid, timeout) is not None

    demo_support = s.callbacks(sup, bp="Support", location="pending")
    for c in demo_support:
        act(c["id"], "purge", sup)
    t.ok(demo_support, "the demo's Support callbacks are purged (%d)" % len(demo_support))
    if demo_support:
        same(demo_support[0]["id"], "a demo callback purged",
             expect={"location": "completed", "end_state": "purged", "version": 2})
    for u in AGENTS:
        s.set_presence(tok[u], "not_ready")

    # -- created with everything, odd characters ----------------------------------
    tomorrow = s.now() + 86400
    REMARK = "Zoë \"quoted\" \\ tab\t 日本\nsecond line </script> \u2028 😀 \u00a0end"
    SUBJECT = "Sübject “curly” \"q\" \\ 日本"
    CASE = {"order": "A-1", "note": "line1\nline2 \"q\" \\ ö\t", "日本": "語", "json": "{\"a\":[1,2]}",
            "empty": "", "key \"with\" quotes": "x"}
    TRANSCRIPT = "Agent: hello\nCustomer: «bonjour» \"hi\" \\ \t😀\n\u2029end"
    r = s.post(CB, sup, {"destination": "+44 20 7946 0100", "bp": "Support", "routing": "agent", "agent": "dave",
                         "tz": "UTC", "due_at": iso(tomorrow), "remark": "x",
                         "case_data": {"outer": {"inner": "v"}}})
    t.is_((r.status, r.error()), (422, ("invalid_field", "case_data")),
          "case_data with a nested object is refused (string values only), so none is stored")
    r = s.post(CB, sup, {"destination": "+44 20 7946 0100", "bp": "Support", "routing": "agent", "agent": "dave",
                         "tz": "UTC", "due_at": iso(tomorrow), "remark": "bell\x07 here"})
    t.is_((r.status, r.error()), (422, ("invalid_field", "remark")), "a remark with a control character is refused")
    r = s.post(CB, sup, {"destination": "+44 20 7946 0100", "bp": "Support", "routing": "agent", "agent": "dave",
                         "tz": "UTC", "due_at": iso(tomorrow), "remark": REMARK, "subject": SUBJECT,
                         "case_data": CASE, "transcription": TRANSCRIPT, "origin": "web", "window_min": 90})
    t.is_(r.status, 201, "created with subject, case_data, transcription and odd characters")
    A = r.json["id"]
    same(A, "created (odd characters)",
         expect={"location": "pending", "state": None, "holder": None, "state_since": None, "state_until": None,
                 "overdue": False, "version": 1, "attempts": 0, "remark": REMARK, "subject": SUBJECT,
                 "case_data": CASE, "transcription": TRANSCRIPT, "origin": "web", "created_by": "sup",
                 "agent": "dave", "team": None, "destination": "+442079460100"})
    same(A, "created (odd characters), as dave", token=dave)

    # -- PATCH ---------------------------------------------------------------------
    REMARK2 = "Edited: «ça» \"again\" \\\\ two backslashes\n\ttabbed 日本語 ✓"
    r = patch(A, remark=REMARK2)
    t.is_(r.status, 200, "PATCH remark")
    same(A, "PATCH remark", expect={"remark": REMARK2, "version": 2})
    r = patch(A, due_at=iso(tomorrow + 86400), tz="Europe/Paris")
    t.is_(r.status, 200, "PATCH due time and zone")
    same(A, "PATCH due time and zone",
         expect={"due_at": iso(tomorrow + 86400), "window_end": iso(tomorrow + 86400 + 90 * 60),
                 "tz": "Europe/Paris", "version": 3})
    r = patch(A, routing="team", team="Support Team")
    t.is_(r.status, 200, "PATCH reassign to the team")
    same(A, "PATCH reassign to the team",
         expect={"routing": "team", "team": "Support Team", "agent": None, "version": 4})
    r = patch(A, token=carol, remark="carol's note: \"ok\"")
    t.is_(r.status, 200, "PATCH remark by carol (a team member)")
    same(A, "PATCH by an agent", token=carol, expect={"remark": "carol's note: \"ok\"", "version": 5})
    r = patch(A, routing="agent", agent="dave", date=time.strftime("%Y-%m-%d", time.gmtime(tomorrow)),
              time="23:15", window_min=30)
    t.is_(r.status, 200, "PATCH reassign to dave, date and time, window")
    g = same(A, "PATCH reassign to an agent, date and time",
             expect={"routing": "agent", "agent": "dave", "team": None, "version": 6})
    r = s.patch(CB + "/%d" % A, sup, {"version": 1, "remark": "stale"})
    t.is_((r.status, r.error()[0]), (409, "version_conflict"), "a stale PATCH: 409")
    same(A, "after the stale PATCH", expect={"version": 6, "remark": "carol's note: \"ok\""})

    # -- the queue, offered, rejected, the offer time-out ----------------------------
    r = act(A, "queue", sup)
    t.is_(r.status, 200, "sent to the queue")
    same(A, "sent to the queue (dave Not Ready)",
         expect={"location": QUEUE, "state": None, "holder": None, "state_until": None, "version": 7})
    s.set_presence(dave, "ready")
    t.ok(offered(A, dave), "dave Ready: offered to him")
    g = same(A, "offered to dave",
             expect={"location": AGENT, "state": "offered", "holder": "dave", "state_since": NONNULL,
                     "state_until": NONNULL})
    if g and g["state_until"] and g["state_since"]:
        t.is_(parse_instant(g["state_until"]) - parse_instant(g["state_since"]), 30,
              "offered: state_until = state_since + offer_timeout_s")
    same(A, "offered, as dave", token=dave)
    r = patch(A, remark="edited while offered")
    t.is_(r.status, 200, "PATCH the remark while offered")
    same(A, "PATCH while offered",
         expect={"remark": "edited while offered", "state": "offered", "holder": "dave",
                 "state_since": g and g["state_since"], "state_until": g and g["state_until"]})
    r = act(A, "reject", dave)
    t.is_(r.status, 200, "dave rejects")
    same(A, "rejected (back to the queue, or offered again)")
    t.ok(offered(A, dave, 5) or (s.advance(61) and offered(A, dave)), "it comes back to dave (nobody else Ready)")
    same(A, "offered again", expect={"state": "offered", "holder": "dave", "state_until": NONNULL})
    s.advance(31)
    c = s.wait_callback(A, sup, lambda c: c["location"] == QUEUE)
    t.is_((c["location"], s.presence(dave)), (QUEUE, "not_ready"), "offer time-out: back to the queue, dave Not Ready")
    same(A, "after the offer time-out (an engine write)",
         expect={"location": QUEUE, "state": None, "holder": None, "state_since": None, "state_until": None,
                 "attempts": 0})

    # -- Preview, Dialing, timed out, No Answer ----------------------------------------
    t.is_(s.set_timing("Support", sup, preview_s=30).status, 200, "Support: preview_s 30")
    s.set_presence(carol, "ready")
    B = new_cb(remark="preview me")
    t.ok(offered(B, carol), "a team callback due now is offered to carol")
    same(B, "offered to carol", expect={"state": "offered", "holder": "carol", "state_until": NONNULL})
    r = act(B, "accept", carol)
    t.is_((r.status, (r.json or {}).get("state")), (200, "preview"), "accepted: Preview")
    g = same(B, "Preview", expect={"state": "preview", "location": AGENT, "state_until": NONNULL})
    if g and g["state_until"]:
        t.is_(parse_instant(g["state_until"]) - parse_instant(g["state_since"]), 30,
              "Preview: state_until = state_since + preview_s")
    same(B, "Preview, as carol", token=carol)
    r = act(B, "dial", carol)
    t.is_((r.status, (r.json or {}).get("state")), (200, "dialing"), "dial: Dialing")
    g = same(B, "Dialing", expect={"state": "dialing", "timed_out": False, "state_until": NONNULL})
    s.advance(61)
    s.wait_callback(B, sup, lambda c: c["timed_out"])
    same(B, "Dialing, timed out (an engine write)", expect={"state": "dialing", "timed_out": True,
                                                           "state_until": NONNULL})
    r = act(B, "complete", carol, {"status": "no_answer"})
    t.is_(r.status, 200, "No Answer")
    same(B, "No Answer: Pending again",
         expect={"location": "pending", "attempts": 1, "state": None, "holder": None, "timed_out": False,
                 "state_since": None, "state_until": None})
    r = act(B, "purge", sup)
    t.is_(r.status, 200, "purged")
    same(B, "purged", expect={"location": "completed", "end_state": "purged", "attempts": 1})
    B2 = new_cb(remark="preview runs out")
    t.ok(offered(B2, carol), "offered to carol")
    r = act(B2, "accept", carol)
    t.is_((r.status, (r.json or {}).get("state")), (200, "preview"), "accepted: Preview")
    s.advance(31)
    s.wait_callback(B2, sup, lambda c: c["state"] != "preview")
    same(B2, "the end of the preview: Dialing by itself (an engine write)",
         expect={"state": "dialing", "holder": "carol", "state_until": NONNULL})
    r = act(B2, "complete", carol, {"status": "wrong_destination"})
    same(B2, "Wrong Destination after the preview", expect={"end_state": "wrong_destination"})
    t.is_(s.set_timing("Support", sup, preview_s=0).status, 200, "Support: preview_s 0 again")

    # -- Handling, Handled -------------------------------------------------------------
    C = new_cb(subject="handled one")
    t.ok(offered(C, carol), "offered to carol")
    r = act(C, "accept", carol)
    t.is_((r.status, (r.json or {}).get("state")), (200, "dialing"), "accepted: Dialing (no preview)")
    s.advance(5)
    r = act(C, "connected", carol, {"kind": "live"})
    t.is_((r.status, (r.json or {}).get("state")), (200, "handling"), "connected: Handling")
    same(C, "Handling", expect={"state": "handling", "holder": "carol", "state_since": NONNULL,
                                "state_until": None})
    same(C, "Handling, as carol", token=carol)
    r = patch(C, token=carol, remark="edited in Handling\n«note»")
    t.is_(r.status, 200, "PATCH the remark in Handling (carol)")
    same(C, "PATCH in Handling", expect={"remark": "edited in Handling\n«note»", "state": "handling",
                                         "state_until": None})
    r = act(C, "complete", carol, {"status": "handled"})
    same(C, "Handled", expect={"location": "completed", "end_state": "handled", "state": None, "holder": None,
                               "overdue": False})

    # -- Wrong Destination -------------------------------------------------------------
    D = new_cb()
    t.ok(offered(D, carol), "offered to carol")
    act(D, "accept", carol)
    r = act(D, "complete", carol, {"status": "wrong_destination"})
    same(D, "Wrong Destination", expect={"location": "completed", "end_state": "wrong_destination"})

    # -- Cancel, then Callback Requested --------------------------------------------------
    E = new_cb()
    t.ok(offered(E, carol), "offered to carol")
    act(E, "accept", carol)
    r = act(E, "complete", carol, {"status": "cancel"})
    t.is_(r.status, 200, "Cancel")
    same(E, "Cancel: back to the queue (or offered again)", expect={"attempts": 0})
    t.ok(offered(E, carol), "offered to carol again")
    act(E, "accept", carol)
    d1 = time.strftime("%Y-%m-%d", time.gmtime(s.now() + 86400))
    r = act(E, "complete", carol, {"status": "callback_requested",
                                  "reschedule": {"date": d1, "time": "10:30", "tz": "America/Los_Angeles",
                                                 "routing": "agent", "agent": "dave", "window_min": 45,
                                                 "remark": "rappeler «demain» \"10:30\""}})
    t.is_(r.status, 200, "Callback Requested")
    same(E, "Callback Requested: Pending, rescheduled to dave",
         expect={"location": "pending", "tz": "America/Los_Angeles", "routing": "agent", "agent": "dave",
                 "team": None, "attempts": 0, "remark": "rappeler «demain» \"10:30\""})

    # -- Failed (max_attempts 2) ---------------------------------------------------------
    t.is_(s.set_timing("Support", sup, max_attempts=2).status, 200, "Support: max_attempts 2")
    F = new_cb()
    t.ok(offered(F, carol), "offered to carol")
    act(F, "accept", carol)
    r = act(F, "complete", carol, {"status": "no_answer"})
    g = same(F, "first No Answer", expect={"location": "pending", "attempts": 1})
    s.advance(parse_instant(g["due_at"]) - s.now() + 1)
    t.ok(offered(F, carol), "offered again after the recall interval")
    same(F, "offered again", expect={"state": "offered", "attempts": 1})
    act(F, "accept", carol)
    act(F, "connected", carol, {"kind": "voicemail"})
    r = act(F, "complete", carol, {"status": "no_answer"})
    same(F, "second No Answer: Failed", expect={"location": "completed", "end_state": "failed", "attempts": 2})
    t.is_(s.set_timing("Support", sup, max_attempts=3).status, 200, "Support: max_attempts 3 again")

    # -- Call Now, created by an agent ----------------------------------------------------
    G = new_cb(due=s.now() + 86400, token=carol, routing="agent", agent="carol", team=None, origin="panel",
               remark="mine")
    same(G, "created by carol", token=carol, expect={"created_by": "carol", "origin": "panel"})
    r = act(G, "call-now", carol)
    t.is_((r.status, (r.json or {}).get("state")), (200, "dialing"), "Call Now: Dialing")
    same(G, "Call Now", expect={"state": "dialing", "holder": "carol", "state_until": NONNULL})
    act(G, "complete", carol, {"status": "wrong_destination"})
    same(G, "Call Now completed", token=carol, expect={"end_state": "wrong_destination"})

    # -- replace -----------------------------------------------------------------------------
    H = new_cb(due=s.now() + 7200, remark="to be replaced")
    r = s.post(CB, sup, {"destination": get_plain(H, sup)["destination"], "bp": "Support", "routing": "agent",
                         "agent": "dave", "tz": "Asia/Tokyo", "due_at": iso(s.now() + 9000), "replace": True,
                         "remark": "the replacement"})
    t.is_(r.status, 201, "created with replace: true")
    H2 = r.json["id"]
    same(H, "replaced (purged)", expect={"location": "completed", "end_state": "purged"})
    same(H2, "the replacement", expect={"location": "pending", "tz": "Asia/Tokyo", "remark": "the replacement"})

    # -- an inbound call: closes a Pending one, flags a held one ------------------------------
    J = new_cb(due=s.now() + 3600)
    K = new_cb()
    t.ok(offered(K, carol), "offered to carol")
    act(K, "accept", carol)
    s.advance(2)
    svc = s.service_token
    rj = s.post(V1 + "/interactions", svc, {"direction": "inbound", "number": get_plain(J, sup)["destination"],
                                            "bp": "Support"})
    rk = s.post(V1 + "/interactions", svc, {"direction": "inbound", "number": get_plain(K, sup)["destination"],
                                            "bp": "Support"})
    t.is_(((rj.json or {}).get("closed"), (rk.json or {}).get("flagged")), ([J], [K]),
          "inbound calls: one Pending callback closed, one held flagged")
    same(J, "closed by the customer's call", expect={"location": "completed", "end_state": "customer_called_in"})
    same(K, "flagged by the customer's call", expect={"state": "dialing", "flags": ["customer_called_in"]})
    act(K, "complete", carol, {"status": "wrong_destination"})
    same(K, "flagged, completed", expect={"end_state": "wrong_destination"})

    # ==========================================================================
    # 3. overdue moves with the clock (no write)
    # ==========================================================================
    s.set_presence(carol, "not_ready")
    O = new_cb(window_min=1, remark="short window")
    s.wait_callback(O, sup, lambda c: c["location"] == QUEUE)
    g = same(O, "queued, window of a minute", expect={"location": QUEUE, "overdue": False})
    v, text = g["version"], stored(O)
    s.advance(90)
    time.sleep(0.3)
    same(O, "90 s later: overdue", expect={"overdue": True, "version": v, "location": QUEUE})
    t.is_(stored(O), text, "... with no write (the stored text unchanged)")
    t.ok(O in [c["id"] for c in s.callbacks(sup, overdue="true")] and
         O not in [c["id"] for c in s.callbacks(sup, overdue="false")], "... overdue=true finds it, overdue=false not")
    t.ok(all(c["overdue"] for c in s.callbacks(sup, overdue="true")), "... every overdue=true row says overdue")
    same(C, "a completed callback past its window", expect={"overdue": False})

    # -- personal fallback, the BP stopped ------------------------------------------------------
    t.is_(s.set_timing("Support", sup, personal_fallback_min=1).status, 200, "Support: personal_fallback_min 1")
    M = new_cb(routing="agent", agent="dave", team=None, remark="falls back")
    s.wait_callback(M, sup, lambda c: c["location"] == QUEUE)
    same(M, "personal, queued (dave Not Ready)", expect={"routing": "agent", "agent": "dave"})
    s.advance(61)
    s.wait_callback(M, sup, lambda c: c["routing"] == "team")
    same(M, "fallen back to the team (an engine write)", expect={"routing": "team", "team": "Support Team"})
    t.is_(s.set_timing("Support", sup, personal_fallback_min=0).status, 200, "Support: personal_fallback_min 0")
    t.is_(s.post(V1 + "/bps/Support/stop", sup).status, 200, "Support stopped")
    s.wait_callback(M, sup, lambda c: c["location"] == "pending")
    same(M, "the BP stopped: queued back to Pending", expect={"location": "pending"})
    same(A, "the BP stopped: A back to Pending", expect={"location": "pending"})
    t.is_(s.post(V1 + "/bps/Support/start", sup).status, 200, "Support started")

    # -- Expired ---------------------------------------------------------------------------------
    t.is_(s.set_timing("Support", sup, expire_overdue=True).status, 200, "Support: expire_overdue")
    L = new_cb(window_min=1, remark="will expire")
    s.advance(90)
    s.wait_callback(L, sup, lambda c: c["location"] == "completed")
    same(L, "past its window: Expired", expect={"location": "completed", "end_state": "expired", "overdue": False})
    t.is_(s.set_timing("Support", sup, expire_overdue=False).status, 200, "Support: expire_overdue off")
    pump()

    # the whole lot, and what each agent sees (6.)
    sweep("after the lifecycle (supervisor)")
    sweep("after the lifecycle (supervisor, pages of 500)", limit=500)
    for u in AGENTS:
        rows = sweep("after the lifecycle, as %s" % u, tok[u])
    carol_ids = {c["id"] for c in page_all(carol)}
    t.ok({G, M} <= carol_ids and A not in carol_ids,
         "carol's Search holds her own and her team's, not dave's personal one")
    t.ok(not {c["id"] for c in page_all(tok["alice"])} & {A, B, C, G},
         "alice's Search holds none of Support's")

    # ==========================================================================
    # 4. migration from schema 1
    # ==========================================================================
    before = dict(ro().execute("SELECT id, shown FROM callbacks").fetchall())
    versions = dict(ro().execute("SELECT id, version FROM callbacks").fetchall())
    for e in streams:
        e.close()
    ro_close()
    t.is_(s.stop(), 0, "cbd stops cleanly")
    w = sqlite3.connect(s.db)
    w.executescript("DROP TRIGGER IF EXISTS callbacks_shown_stale; ALTER TABLE callbacks DROP COLUMN shown; "
                    "PRAGMA user_version = 1;")
    w.commit()
    cols = [r[1] for r in w.execute("PRAGMA table_info(callbacks)")]
    t.ok(w.execute("PRAGMA user_version").fetchone()[0] == 1 and "shown" not in cols and
         w.execute(TRIGGER).fetchone()[0] == 0, "the database is made schema 1 (no shown column, no trigger)")
    # 1100 more (copies of D, Completed, each its own number), so the
    # migration fills more than one of its batches of 512
    COPIES = 1100
    cols = [c for c in cols if c != "id"]
    w.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d) "
              "INSERT INTO callbacks (%s) SELECT %s FROM n, callbacks c WHERE c.id = %d"
              % (COPIES, ", ".join(cols),
                 ", ".join("printf('+4420788%05d', n.i)" if c == "destination" else "c." + c for c in cols), D))
    w.commit()
    copies = [r[0] for r in w.execute("SELECT id FROM callbacks WHERE destination LIKE '+4420788%'")]
    t.is_(len(copies), COPIES, "%d copies of a Completed callback added to the schema-1 database" % COPIES)
    w.close()
    s.start()
    sup = s.login("sup")
    tok = {u: s.login(u) for u in AGENTS}
    carol, dave = tok["carol"], tok["dave"]
    streams = [EventStream(s, tok[u]) for u in AGENTS]
    t.is_(ro().execute("PRAGMA user_version").fetchone()[0], 2, "migrated: user_version 2")
    t.is_(ro().execute(TRIGGER).fetchone()[0], 1, "... the trigger is back")
    nulls = [r[0] for r in ro().execute("SELECT id FROM callbacks WHERE shown IS NULL")]
    t.ok(not nulls, "... every callback has its stored text",
         "%d without, ids %s" % (len(nulls), nulls[:10] + (["..."] if len(nulls) > 10 else [])))
    after = dict(ro().execute("SELECT id, shown FROM callbacks").fetchall())
    nowv = dict(ro().execute("SELECT id, version FROM callbacks").fetchall())
    changed = [i for i in before if versions[i] == nowv.get(i) and after.get(i) != before[i]]
    t.ok(set(after) == set(before) | set(copies) and not changed,
         "... the migration stored the same text the writes had (%d callbacks)" % len(after),
         "\n".join("%d:\n  before %s\n  after  %s" % (i, before[i], after.get(i)) for i in changed[:5]))
    t.is_(sorted({json.loads("{" + after[i] + "}")["destination"] for i in copies if after.get(i)}),
          ["+4420788%05d" % i for i in range(1, COPIES + 1)], "... each copy with its own number")
    sweep("after the migration (supervisor, pages of 500)", limit=500)
    sweep("after the migration, as carol", carol)
    sweep("after the migration, as alice", tok["alice"])

    # ==========================================================================
    # 5. never stale: shown columns changed behind cbd's back
    # ==========================================================================
    X, Y, Z = H2, D, E  # Pending far ahead, Completed, Pending far ahead
    gx, gy = get_plain(X, sup), get_plain(Y, sup)
    zshown = stored(Z)
    for e in streams:
        e.close()
    ro_close()
    t.is_(s.stop(), 0, "cbd stops cleanly")
    w = sqlite3.connect(s.db)
    w.execute("DELETE FROM callbacks WHERE destination LIKE '+4420788%'")  # the copies: done with
    w.execute("UPDATE callbacks SET remark = 'changed behind ✓ \"q\"' WHERE id = ?", (X,))
    w.execute("UPDATE callbacks SET attempts = attempts + 7 WHERE id = ?", (Y,))
    w.execute("UPDATE callbacks SET wake_at = 12345, completed_at = completed_at, attempt_connect = NULL "
              "WHERE id = ?", (Z,))
    w.commit()
    nulls = sorted(r[0] for r in w.execute("SELECT id FROM callbacks WHERE shown IS NULL"))
    t.is_(nulls, sorted([X, Y]), "the trigger emptied the stored text of exactly the two changed callbacks")
    zs = w.execute("SELECT shown FROM callbacks WHERE id = ?", (Z,)).fetchone()[0]
    t.is_(zs, zshown, "changing columns Search does not store (wake_at, completed_at) keeps the text")
    w.execute("UPDATE callbacks SET wake_at = NULL WHERE id = ?", (Z,))
    w.commit()
    w.close()
    s.start()
    sup = s.login("sup")
    tok = {u: s.login(u) for u in AGENTS}
    carol, dave = tok["carol"], tok["dave"]
    streams = [EventStream(s, tok[u]) for u in AGENTS]
    same(X, "remark changed behind cbd: Search renders the columns", null_ok=True,
         expect={"remark": "changed behind ✓ \"q\"", "version": gx["version"]})
    same(Y, "attempts changed behind cbd: Search renders the columns", null_ok=True,
         expect={"attempts": gy["attempts"] + 7, "version": gy["version"]})
    sweep("with two stored texts missing (supervisor)", null_ok=(X, Y))
    sweep("with two stored texts missing (pages of 500)", limit=500, null_ok=(X, Y))
    sweep("with two stored texts missing, as dave", dave, null_ok=(X, Y))
    r = patch(X, remark="written again")
    t.is_(r.status, 200, "PATCH the callback changed behind cbd")
    t.ok(stored(X) is not None, "... its text is stored again")
    same(X, "written again", expect={"remark": "written again", "version": gx["version"] + 1})
    for e in streams:
        e.close()
    ro_close()
t.done()
