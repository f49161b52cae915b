#!/usr/bin/python3
# cb-supervisor's Callback Search tab in tmux against a real cbd with the demo
# data (issue 6, "Callback Search"), with virtual agents (carol, dave) taking
# callbacks through the API. GET /api/v1/callbacks with the same filters is
# the oracle: every row shown (id, number, Interaction Location, attempts,
# the overdue mark) is compared with it, page by page.
#
# Filters, on Sales (every location in the demo):
#  1. The default, Pending; l cycles HandlingByBusinessProcess,
#     HandlingByAgent, any (3 pages of 16 at 80x24: PgDn, PgDn, "This is the
#     last page", PgUp); n a number (and one that matches nothing: "No
#     callbacks match."); c clears; t an agent login, then a team name; o
#     overdue, not overdue; a combination (any location, overdue, a team).
#  2. Enter on a row: the callback with every attempt (time, state, agent).
# Actions, on Support (Pending only in the demo):
#  3. Purge one row (P, "Purge callback N? ...", y): "1 purged"; the server
#     has it Completed, Purged; it leaves the list.
#  4. Purge marked rows, one taken meanwhile: three rows marked (Space), one
#     of them carol's personal callback, which is then made due now (PATCH
#     as sup) and offered to carol (Ready); P, "Purge 3 callbacks? ...", y:
#     "2 purged, 1 refused — #N: <the server's reason>"; the server has the
#     two purged and the third with carol.
#  5. Send marked rows to the queue, one taken meanwhile (dave's, offered to
#     dave): "2 sent to queue, 1 refused — #N: ..."; the server has the two
#     in the queue (HandlingByBusinessProcess), the third with dave.
#  6. Send one row to the queue (Q, "Send to queue callback N?", y): "1 sent
#     to queue"; the server agrees; the list follows.
#  7. Paging when a tab is first opened: 25 more Pending callbacks in
#     Support; a new console opens Support's Search tab: page 1 shows the
#     API's rows 1-16; TODO: PgDn shows rows 17-32 (the first page is fetched
#     with 20 rows before the tab was ever drawn: rows 17-20 are skipped).
# The console ends with q (logged out, status 0), so that under ASan
# LeakSanitizer looks at it too; its stderr must hold no sanitizer report.
import os
import re
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from cbdtest import Server, Tap, V1, iso, parse_instant, wait_for  # noqa: E402
from suptest import Supervisor, VirtualAgent, timefmt_agent  # noqa: E402

t = Tap()
T0 = time.time()
LOC = {"pending": "Pending", "handling_by_business_process": "HandlingByBusinessProcess",
       "handling_by_agent": "HandlingByAgent", "completed": "Completed"}
QUEUE = "handling_by_business_process"


def api_rows(s, tok, **q):
    """Every callback the search gives, as the tab shows a row."""
    return [(c["id"], c["destination"], LOC[c["location"]], c["attempts"], c["overdue"])
            for c in s.callbacks(tok, **q)]


def shown(sv, scr=None):
    return [(r["id"], r["number"], r["location"], r["attempts"], r["overdue"]) for r in sv.search_rows(scr)]


with Server(t, args=["--grace-s", "3600"]) as s, Supervisor(t, s) as sv:
    sup = s.login("sup")
    PAGE = sv.rows - 8  # the rows of a page at 80x24 (search.c: the view's height - 3)
    sv.expect(r"● live", "sup logged in")
    t.ok(sv.open_bp("Sales"), "Sales's detail")
    t.ok(sv.tab("Search"), "the Search tab", sv.last)

    def filters_line(loc, number="any number", target="any agent/team", overdue="any", page=1):
        return "page %d · l %s · n %s · t %s · o %s · c clear" % (page, loc, number, target, overdue)

    def line_is(x, line):
        """Row 3 is the filter line `line`, as far as 80 columns show it
        (a longer one is cut with '…')."""
        got = x.split("\n")[3].strip()
        return got == line or (got.endswith("…") and line.startswith(got[:-1]))

    def check(name, query, line):
        """The filter line says line, and the rows shown are the API's
        first page for query."""
        want = api_rows(s, sup, bp="Sales", **query)
        scr = sv.wait(lambda x: line_is(x, line) and shown(sv, x) == want[:PAGE], 5)
        t.ok(scr, "%s: the rows equal GET /callbacks?%s (%d of %d)" % (
            name, urllib.parse.urlencode(dict(query, bp="Sales")), min(PAGE, len(want)), len(want)),
            "filter line wanted %r\nshown %r\nwant  %r\n%s" % (line, shown(sv), want[:PAGE], sv.last))
        return want

    # ---- 1. each filter --------------------------------------------------------
    want = check("the default, Pending", {"location": "pending"}, filters_line("Pending"))
    t.ok(want and all(r[2] == "Pending" for r in want), "(the API's rows are all Pending: %d)" % len(want))
    sv.shot("Search: Sales, Pending")

    # 2. one callback with every attempt (the Pending one with the most)
    most = max(s.callbacks(sup, bp="Sales", location="pending"), key=lambda c: (c["attempts"], -c["id"]))
    cb = s.callback(most["id"], sup)

    def select(cid):
        rows = sv.search_rows()
        ys = [r["y"] for r in rows if r["id"] == cid]
        if not ys:
            return False
        for _ in range(len(rows) + 2):
            sel = sv.selected_rows(5, sv.rows - 4)
            if sel == ys:
                return True
            sv.keys("Down" if not sel or sel[0] < ys[0] else "Up")
            wait_for(lambda: sv.selected_rows(5, sv.rows - 4) != sel, 2)
        return sv.selected_rows(5, sv.rows - 4) == ys

    t.ok(select(most["id"]), "↑↓ select callback %d" % most["id"])
    exp = []
    for i, h in enumerate(cb["history"]):
        state = {"no_answer": "No Answer", "answering_machine": "Answering Machine", "handled": "Handled",
                 "rejected": "Rejected", "redirected": "Redirected", "aborted": "Aborted",
                 "cancel": "Cancel", "callback_requested": "Callback Requested", "blocked": "Blocked",
                 "disconnected": "Disconnected", "fallback": "Fallback"}.get(h["state"], h["state"])
        exp.append("%d. %s %s %s" % (i + 1, timefmt_agent(parse_instant(h["at"])),
                                     state, h["agent_name"] or "—"))

    def history(x):
        return [re.sub(r"\s+", " ", l.strip(" │")) for l in (x or "").split("\n") if re.search(r"│\s+\d+\. ", l)]

    sv.keys("Enter")
    # the dialog may be caught half drawn: wait for its last line too
    scr = sv.wait(lambda x: "─ Callback %d ─" % most["id"] in x and len(history(x)) >= len(exp), 5)
    t.ok(scr, "Enter: \"Callback %d\" with its history" % most["id"], sv.last)
    hist = history(scr)
    t.is_(hist, exp, "... every attempt: time, attempt state, agent name, as GET /callbacks/%d" % most["id"])
    t.ok(scr and re.search(r"Number\s+%s" % re.escape(cb["destination"]), scr) and
         re.search(r"Attempts\s+%d" % cb["attempts"], scr), "... its number and Number of Attempts")
    sv.shot("one callback with every attempt")
    sv.keys("Escape")
    sv.wait(r"─ Callback %d ─" % most["id"], 3, gone=True)

    sv.keys("l")
    check("l: HandlingByBusinessProcess", {"location": QUEUE}, filters_line("HandlingByBusinessProcess"))
    sv.keys("l")
    check("l: HandlingByAgent", {"location": "handling_by_agent"}, filters_line("HandlingByAgent"))
    sv.keys("l")
    want = check("l: any location", {}, filters_line("any"))
    pages = (len(want) + PAGE - 1) // PAGE
    t.ok(pages >= 3, "(the API has %d callbacks in Sales: %d pages of %d)" % (len(want), pages, PAGE))
    for p in range(2, pages + 1):
        sv.keys("PageDown")
        scr = sv.wait(lambda x: re.search(r"^ page %d \xb7" % p, x, re.M) and
                      shown(sv, x) == want[(p - 1) * PAGE:p * PAGE], 5)
        t.ok(scr, "PgDn: page %d shows the API's rows %d-%d" % (p, (p - 1) * PAGE + 1, min(p * PAGE, len(want))),
             "shown %r\nwant %r\n%s" % (shown(sv), want[(p - 1) * PAGE:p * PAGE], sv.last))
    sv.keys("PageDown")
    sv.expect(r"This is the last page", "PgDn on the last page: \"This is the last page\"")
    sv.keys("PageUp")
    scr = sv.wait(lambda x: re.search(r"^ page %d \xb7" % (pages - 1), x, re.M) and
                  shown(sv, x) == want[(pages - 2) * PAGE:(pages - 1) * PAGE], 5)
    t.ok(scr, "PgUp: page %d again" % (pages - 1), sv.last)

    number = s.callbacks(sup, bp="Sales", location="handling_by_agent")[0]["destination"]
    sv.keys("n")
    sv.wait(r"─ Number \(empty: any\) ─", 3)
    sv.keys("C-u")
    sv.type(number)
    sv.keys("Enter")
    want = check("n %s (any location)" % number, {"number": number}, filters_line("any", number))
    t.is_(len(want), 1, "(one callback has that number)")
    sv.keys("n", "C-u")
    sv.type("+19995550000")
    sv.keys("Enter")
    check("n +19995550000", {"number": "+19995550000"}, filters_line("any", "+19995550000"))
    sv.expect(r"No callbacks match\.", "... \"No callbacks match.\"")
    sv.keys("c")
    check("c clears: Pending, any number", {"location": "pending"}, filters_line("Pending"))

    sv.keys("t")
    sv.wait(r"─ Agent login or team name \(empty: any\) ─", 3)
    sv.keys("C-u")
    sv.type("alice")
    sv.keys("Enter")
    want = check("t alice (an agent: her personal callbacks)", {"location": "pending", "agent": "alice"},
                 filters_line("Pending", target="alice"))
    t.ok(want, "(alice has %d Pending personal callbacks)" % len(want))
    sv.keys("t", "C-u")
    sv.type("Sales Team")
    sv.keys("Enter")
    want = check("t Sales Team (a team: its team callbacks)", {"location": "pending", "team": "Sales Team"},
                 filters_line("Pending", target="Sales Team"))
    t.ok(want, "(Sales Team has %d Pending team callbacks)" % len(want))
    sv.keys("c")
    check("c", {"location": "pending"}, filters_line("Pending"))
    sv.keys("o")
    want = check("o overdue", {"location": "pending", "overdue": "true"}, filters_line("Pending", overdue="overdue"))
    t.ok(want and all(r[4] for r in want), "(the API has %d overdue Pending callbacks)" % len(want))
    t.ok(all(r["overdue"] for r in sv.search_rows()), "... each marked '!'")
    sv.keys("o")
    want = check("o not overdue", {"location": "pending", "overdue": "false"},
                 filters_line("Pending", overdue="not overdue"))
    t.ok(not any(r["overdue"] for r in sv.search_rows()), "... none marked '!'")
    sv.keys("o", "o", "l", "l", "l", "t", "C-u")
    sv.type("Sales Team")
    sv.keys("Enter")
    want = check("any location, overdue, t Sales Team", {"overdue": "true", "team": "Sales Team"},
                 filters_line("any", target="Sales Team", overdue="overdue"))
    sv.shot("Search: three filters at once")

    # ---- 3. purge one row (Support) --------------------------------------------
    sv.keys("Escape")
    t.ok(sv.open_bp("Support"), "Support's detail")
    t.ok(sv.tab("Search"), "its Search tab")
    carol, dave = VirtualAgent(s, "carol"), VirtualAgent(s, "dave")

    def support_pending(name):
        want = api_rows(s, sup, bp="Support", location="pending")
        scr = sv.wait(lambda x: shown(sv, x) == want[:PAGE], 5)
        t.ok(scr, "%s: the Pending rows equal the API's (%d)" % (name, len(want)),
             "shown %r\nwant %r\n%s" % (shown(sv), want, sv.last))
        return [r[0] for r in want]

    ids = support_pending("Support")
    pend = {c["id"]: c for c in s.callbacks(sup, bp="Support", location="pending")}
    team = [i for i in ids if pend[i]["routing"] == "team"]
    of = {w: [i for i in ids if pend[i]["agent"] == w] for w in ("carol", "dave")}
    t.ok(len(team) >= 4 and len(of["carol"]) >= 2 and len(of["dave"]) >= 2,
         "(the demo: %d team, %d carol's, %d dave's Pending callbacks)" % (len(team), len(of["carol"]),
                                                                          len(of["dave"])))
    one = team[-1]
    t.ok(select(one), "select callback %d" % one)
    sv.keys("P")
    sv.expect(r"Purge callback %d\? It ends as Purged and is not called\." % one,
              "P: \"Purge callback %d? It ends as Purged and is not called.\"" % one)
    sv.keys("y")
    sv.expect(r"^ 1 purged\s*$", "y: \"1 purged\"")
    c = s.callback(one, sup)
    t.is_((c["location"], c["end_state"]), ("completed", "purged"), "the server has %d Completed, Purged" % one)
    ids = support_pending("... and it left the list")

    def full_status(prefix):
        """The status line, read at 200 columns (80 cut long reasons)."""
        sv.resize(200, 24)
        scr = sv.wait(lambda x: sv.status(x).strip().startswith(prefix) and "…" not in sv.status(x), 3)
        st = sv.status(scr).strip() if scr else sv.status().strip()
        sv.resize(80, 24)
        scr = sv.wait(lambda x: x.split("\n")[0].rstrip().endswith("● live") and len(x.split("\n")[0].rstrip()) <= 80
                      and x.split("\n")[2].startswith("  Performance   Timing") and sv.search_rows(x), 3)
        rows = {r["y"] for r in sv.search_rows(scr or "")}
        stray = [l for y, l in enumerate((scr or "").split("\n")[5:sv.rows - 4], 5) if y not in rows and l.strip()]
        t.is_(stray, [], "... back at 80 columns: the table has no row left over from 200 columns")
        return st

    def mark(cids):
        for cid in cids:
            if not select(cid):
                return False
            sv.keys("Space")
            if not sv.wait(lambda x: any(r["id"] == cid and r["marked"] for r in sv.search_rows(x)), 3):
                return False
        return sv.wait(r"^ %d marked · " % len(cids), 3) is not None

    def make_due_now(cid):
        c = s.callback(cid, sup)
        return s.patch(V1 + "/callbacks/%d" % cid, sup, {"version": c["version"], "due_at": iso(time.time())})

    # ---- 4. purge marked rows, one taken meanwhile --------------------------
    taken = of["carol"][0]
    rows = [taken, of["carol"][1], of["dave"][1]]
    t.ok(mark(rows), "Space marks %s: \"3 marked\"" % rows, sv.last)
    sv.shot("three rows marked")
    r = make_due_now(taken)
    t.is_(r.status, 200, "meanwhile sup makes %d (carol's) due now via the API" % taken)
    carol.ready()
    t.ok(carol.wait_offer(taken), "... carol goes Ready and is offered it")
    sv.keys("P")
    sv.expect(r"Purge 3 callbacks\? They end as Purged and are not called\.",
              "P: \"Purge 3 callbacks? They end as Purged and are not called.\"")
    sv.keys("y")
    why = s.post(V1 + "/callbacks/%d/purge" % taken, sup).json["error"]["message"]
    msg = "2 purged, 1 refused — #%d: %s" % (taken, why)
    scr = sv.wait(lambda x: msg.startswith(sv.status(x).strip().rstrip("…")) and "refused" in sv.status(x), 5)
    t.ok(scr, "y: the status line starts \"2 purged, 1 refused — #%d: ...\"" % taken, sv.last)
    sv.shot("purge: one refused")
    t.is_(full_status("2 purged"), msg, "... in full (at 200 columns): the count and the server's reason")
    got = [(s.callback(i, sup)["location"], s.callback(i, sup)["end_state"]) for i in rows]
    t.is_(got, [("handling_by_agent", None), ("completed", "purged"), ("completed", "purged")],
          "the server: %d with carol, %d and %d purged" % tuple(rows))
    t.is_(s.callback(taken, sup)["holder"], "carol", "... %d held by carol" % taken)
    ids = support_pending("... the list follows")
    t.ok(not any(r["marked"] for r in sv.search_rows()) and sv.wait(r"^ 0 marked · ", 2),
         "... nothing marked any more")

    # ---- 5. send marked rows to the queue, one taken meanwhile -------------
    taken = of["dave"][0]
    rows = [taken] + [i for i in team if i != one][:2]
    t.ok(mark(rows), "Space marks %s: \"3 marked\"" % rows, sv.last)
    r = make_due_now(taken)
    t.is_(r.status, 200, "meanwhile sup makes %d (dave's) due now" % taken)
    dave.ready()
    t.ok(dave.wait_offer(taken), "... dave goes Ready and is offered it")
    sv.keys("Q")
    sv.expect(r"Send to queue 3 callbacks\?", "Q: \"Send to queue 3 callbacks?\"")
    sv.keys("y")
    why = s.post(V1 + "/callbacks/%d/queue" % taken, sup).json["error"]["message"]
    msg = "2 sent to queue, 1 refused — #%d: %s" % (taken, why)
    scr = sv.wait(lambda x: msg.startswith(sv.status(x).strip().rstrip("…")) and "refused" in sv.status(x), 5)
    t.ok(scr, "y: the status line starts \"2 sent to queue, 1 refused — #%d: ...\"" % taken, sv.last)
    t.is_(full_status("2 sent"), msg, "... in full: the count and the server's reason")
    got = [s.callback(i, sup)["location"] for i in rows]
    t.is_(got, ["handling_by_agent", QUEUE, QUEUE], "the server: %d with dave, %d and %d in the queue" % tuple(rows))
    ids = support_pending("... the list follows")

    # ---- 6. send one row to the queue ---------------------------------------
    rest = [i for i in ids if pend[i]["routing"] == "team"]
    t.ok(rest, "(a team callback still Pending: %r)" % rest)
    one = rest[0] if rest else ids[0]
    t.ok(select(one), "select callback %d" % one)
    sv.keys("Q")
    sv.expect(r"Send to queue callback %d\?" % one, "Q: \"Send to queue callback %d?\"" % one)
    sv.keys("y")
    sv.expect(r"^ 1 sent to queue\s*$", "y: \"1 sent to queue\"")
    t.is_(s.callback(one, sup)["location"], QUEUE, "the server has %d in the queue" % one)
    support_pending("... and it left the Pending list")
    sv.keys("l")
    want = api_rows(s, sup, bp="Support", location=QUEUE)
    scr = sv.wait(lambda x: shown(sv, x) == want, 5)
    t.ok(scr and len(want) == 3, "l: HandlingByBusinessProcess shows the three queued (%s)" % [r[0] for r in want],
         sv.last)
    sv.shot("Support: the queue")
    carol.close()
    dave.close()

    # ---- 7. paging, the tab opened for the first time ------------------------
    base = int(time.time()) + 86400
    for i in range(25):
        r = s.post(V1 + "/callbacks", sup, {"destination": "+4420794%05d" % (70000 + i), "bp": "Support",
                                            "routing": "team", "team": "Support Team", "tz": "UTC",
                                            "due_at": iso(base + 60 * i)})
    want = api_rows(s, sup, bp="Support", location="pending")
    t.ok(len(want) > 2 * PAGE - 8, "(25 more Pending callbacks in Support: %d)" % len(want))
    with Supervisor(t, s) as sv2:
        sv2.expect(r"● live", "a new console")
        sv2.open_bp("Support")
        sv2.tab("Search")
        scr = sv2.wait(lambda x: shown(sv2, x) == want[:PAGE], 5)
        t.ok(scr, "Support's Search, first opened: page 1 shows the API's rows 1-%d" % PAGE,
             "shown %r\nwant %r" % ([r[0] for r in shown(sv2)], [r[0] for r in want[:PAGE]]))
        sv2.keys("PageDown")
        scr = sv2.wait(lambda x: re.search(r"page 2", x) and shown(sv2, x) == want[PAGE:2 * PAGE], 3)
        t.ok(scr, "PgDn: page 2 shows the API's rows %d-%d" % (PAGE + 1, 2 * PAGE),
             "shown %r\nwant %r" % ([r[0] for r in shown(sv2)], [r[0] for r in want[PAGE:2 * PAGE]]))
        sv2.shot("page 2")
        sv2.quit("the second console: q logs out and quits, status 0")
    sv.keys("Escape")
    sv.wait(r"^BP", 3)
    sv.quit()

t.diag("wall time %.1f s" % (time.time() - T0))
t.done()
