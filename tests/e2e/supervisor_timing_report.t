#!/usr/bin/python3
# cb-supervisor's Callback Timing and Completed tabs in tmux against a real
# cbd with the demo data (issue 6, "Callback Timing", "Completed"), with a
# virtual agent (carol) completing callbacks through the API. The server is
# the oracle: GET /bps/2 for the timing, GET /reports/completed for the
# report and its CSV.
#
# Timing (Support):
#  1. Enter on Duration For No Answer, 75 typed: "75 *", 1 unsaved change,
#     the server still 60; w: "Callback Timing saved (version 2)", the server
#     has 75 and version 1+1, every other setting as before.
#  2. A value the server refuses (0): w → "Not saved: <the server's
#     message>" and the message beside the setting; the server unchanged; l
#     reloads (the edit dropped).
#  3. Conflicting edits, 409 path: 90 typed (not saved); the console is
#     stopped (SIGSTOP) while admin PATCHes no_answer_s 120 via the API and
#     w is typed, then continued, so the key is read before the `bp` event:
#     the PATCH with the old version is refused: "Not saved: another
#     supervisor changed it first; l reloads their version", the tab head
#     "Changed by someone else ...", the typed 90 still shown; the server
#     keeps 120. l: 120, version 3.
#  4. Conflicting edits, event first: 100 typed; admin PATCHes 130: the tab
#     head turns "Changed by someone else" by itself; w refuses without
#     sending ("... l reloads first"); the server keeps 130.
#  5. No unsaved change: admin PATCHes 140: the tab shows 140 and the new
#     version by itself.
# Completed:
#  6. carol completes callbacks as Handled and Wrong Destination, one goes
#     back Pending after No Answer, one is purged: Support's Completed tab
#     (the current shift) lists exactly the report's rows (id, number, end
#     state, entered, last attempt, attempts); Enter shows a row's attempts
#     (time, agent name, attempt state) as the report has them.
#  7. x, a file in a temporary folder: "Exported N lines (header included)
#     to PATH", the file equals GET ...&format=csv for the same range, all
#     pages (read 2 callbacks a page through X-Next-Cursor); x again to the
#     same name is refused ("exists already"), the file untouched.
#  8. Sales with f from a week ago and t today (New York dates): the rows are
#     the report's for that range; its CSV export equals the report's.
#  9. A day with 5,100 completed Support callbacks (written into the database
#     before cbd starts): the tab says there are more than it shows, and the
#     export, which reads 5,000 callbacks a page, writes both pages with one
#     header: the file equals the report's CSV, "Exported 5101 lines".
# The console ends with q (logged out, status 0), so that under ASan
# LeakSanitizer looks at it too; its stderr must hold no sanitizer report.
import datetime
import os
import re
import signal
import sqlite3
import sys
import tempfile
import time
import urllib.parse
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from cbdtest import Server, Tap, V1, parse_instant, wait_for  # noqa: E402
from suptest import Supervisor, VirtualAgent, new_callback, timefmt_agent  # noqa: E402

t = Tap()
T0 = time.time()
END = {"handled": "Handled", "wrong_destination": "WrongDestination", "failed": "Failed", "purged": "Purged",
       "expired": "Expired", "customer_called_in": "CustomerCalledIn"}
ATTEMPT = {"handled": "Handled", "answering_machine": "Answering Machine", "no_answer": "No Answer",
           "cancel": "Cancel", "callback_requested": "Callback Requested", "wrong_destination": "Wrong Destination",
           "rejected": "Rejected", "redirected": "Redirected", "aborted": "Aborted", "disconnected": "Disconnected",
           "fallback": "Fallback", "purged": "Purged", "blocked": "Blocked"}


def report(s, tok, fmt="json", limit=None, **q):
    """Every page of GET /reports/completed: the rows (json) or the CSV text
    with the header once (csv)."""
    rows, text, after = [], "", None
    while True:
        qq = dict(q, format=fmt)
        if limit:
            qq["limit"] = limit
        if after:
            qq["after"] = after
        r = s.get(V1 + "/reports/completed?" + urllib.parse.urlencode(qq), tok)
        if r.status != 200:
            raise RuntimeError("report: %r" % r)
        if fmt == "json":
            rows += r.json["completed"]
            after = r.json.get("next")
        else:
            body = r.text
            text += body if not text else body.split("\n", 1)[1]
            after = r.headers.get("x-next-cursor")
        if not after:
            return rows if fmt == "json" else text


REPORT_ROW = re.compile(r"^\s(\d+)\s+(\+\d+)\s+(\S+)\s+(.+?)\s{2,}(.+?)\s+(\d+)\s*$")


def screen_report(sv):
    """The Completed tab's rows: (id, number, end state, entered, last attempt,
    attempts) as shown (rows 5..)."""
    out = []
    for line in sv.screen().split("\n")[5:sv.rows - 3]:
        # columns (completed.c): 1 + ID 8, Number 16, End state 19, Entered 13, Last attempt 13, Attempts -8
        if not re.match(r"^\s\d", line):
            continue
        cells = [line[1:9], line[10:26], line[27:46], line[47:60], line[61:74], line[75:83]]
        out.append(tuple(c.strip() for c in cells))
    return out


def report_expected(rows):
    return [(str(c["id"]), c["destination"], END.get(c["end_state"], c["end_state"]),
             timefmt_agent(parse_instant(c["entered_at"])), timefmt_agent(parse_instant(c["last_attempt_at"])),
             str(c["total_attempts"])) for c in rows]


BULK_DAY = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=3)).date()


def add_completed(db, n):
    """n completed Support callbacks (Customer Called In, no attempt) on
    BULK_DAY, straight into the database of a cbd not yet started."""
    day = int(datetime.datetime(BULK_DAY.year, BULK_DAY.month, BULK_DAY.day,
                                tzinfo=datetime.timezone.utc).timestamp())
    con = sqlite3.connect(db)
    with con:
        con.executemany(
            "INSERT INTO callbacks (destination, bp_id, due_at, window_end, tz, routing, team_id, origin, state,"
            " location, state_since, end_state, created_at, created_by, completed_at)"
            " VALUES (?, 2, ?, ?, 'UTC', 'team', (SELECT id FROM teams WHERE name = 'Support Team'), 'api',"
            " 'completed', 3, ?, 'customer_called_in', ?, (SELECT id FROM users WHERE login = 'sup'), ?)",
            [("+4420795%05d" % i, day + 3600, day + 7200, day + 3600 + i, day + 60, day + 3600 + i)
             for i in range(n)])
    con.close()


srv = Server(t, args=["--grace-s", "3600"])
add_completed(srv.db, 5100)
with srv as s, Supervisor(t, s) as sv:
    sup, admin = s.login("sup"), s.login("admin")
    tmp = tempfile.mkdtemp(prefix="supcsv.")
    sv.expect(r"● live", "sup logged in")
    t.ok(sv.open_bp("Support"), "Support's detail opened (Down, Enter)", sv.last)
    t.ok(sv.tab("Timing"), "Tab to the Timing tab", sv.last)

    # ---- 1. edit and save ----------------------------------------------------
    def timing_row(label, scr=None):
        """(value, beside) of a setting's row; None when not shown."""
        for line in (scr if scr is not None else sv.screen()).split("\n")[4:]:
            if line[1:31].strip() == label:
                return (line[31:59].strip(), line[60:].strip())
        return None

    NA = "Duration For No Answer (s)"
    bp0 = s.bp(2, sup)
    t.is_((bp0["version"], bp0["timing"]["no_answer_s"]), (1, 60), "(the server: version 1, no_answer_s 60)")
    sv.expect(r"Version 1 · 0 unsaved changes", "the tab head: Version 1 · 0 unsaved changes")
    t.is_(timing_row(NA), ("60", ""), "Duration For No Answer (s) shows 60")
    t.is_(sv.selected_rows(4, 6, 2), [4], "... and is the selected setting")

    def edit(value):
        sv.keys("Enter")
        if not sv.wait(r"─ %s ─" % re.escape(NA), 3):
            return False
        sv.keys("C-u")
        sv.type(value)
        sv.keys("Enter")
        return sv.wait(lambda scr: (timing_row(NA, scr) or ("",))[0] == value + " *", 3) is not None

    t.ok(edit("75"), "Enter, 75 typed, Enter: the row shows \"75 *\"", sv.last)
    sv.expect(r"Version 1 · 1 unsaved change ", "... 1 unsaved change")
    t.is_(s.bp(2, sup)["timing"]["no_answer_s"], 60, "... not saved yet: the server still has 60")
    sv.shot("Timing: one unsaved change")
    sv.keys("w")
    sv.expect(r"Callback Timing saved \(version 2\)", "w: \"Callback Timing saved (version 2)\"")
    sv.expect(r"Version 2 · 0 unsaved changes", "... the tab head: Version 2 · 0 unsaved changes")
    t.is_(timing_row(NA), ("75", ""), "... the row shows 75, no longer marked")
    bp1 = s.bp(2, sup)
    t.is_((bp1["version"], bp1["timing"]["no_answer_s"]), (bp0["version"] + 1, 75),
          "the server has no_answer_s 75 and version 1+1")
    t.is_({k: v for k, v in bp1["timing"].items() if k != "no_answer_s"},
          {k: v for k, v in bp0["timing"].items() if k != "no_answer_s"}, "... every other setting as it was")

    # ---- 2. a value the server refuses ---------------------------------------
    msg = s.patch(V1 + "/bps/2", sup, {"version": 2, "timing": {"no_answer_s": 0}}).json["error"]["message"]
    t.ok(edit("0"), "0 typed: \"0 *\"")
    sv.keys("w")
    scr = sv.expect(re.escape("Not saved: " + msg), "w: the status line says \"Not saved: %s\"" % msg)
    beside = (timing_row(NA, scr) or ("", ""))[1] if scr else ""
    t.ok(beside and msg.startswith(beside.rstrip("…")), "... the message beside the setting (%r)" % beside,
         sv.last)
    t.is_((s.bp(2, sup)["version"], s.bp(2, sup)["timing"]["no_answer_s"]), (2, 75), "... the server unchanged")
    sv.shot("Timing: the server's refusal of a value")
    sv.keys("l")
    sv.expect(r"Drop your 1 unsaved change and reload\?", "l with an unsaved change asks first")
    sv.keys("y")
    ok = sv.wait(lambda scr: timing_row(NA, scr) == ("75", "") and "Version 2 · 0 unsaved changes" in scr, 3)
    t.ok(ok, "l reloads: 75, 0 unsaved changes", sv.last)

    # ---- 3. a conflicting edit: the 409 --------------------------------------
    t.ok(edit("90"), "90 typed (not saved)")
    pid = sv.pid()
    os.kill(pid, signal.SIGSTOP)
    try:
        r = s.patch(V1 + "/bps/2", admin, {"version": 2, "timing": {"no_answer_s": 120}})
        sv.keys("w")
        # not a wait for the screen: tmux writes the key to the pty after
        # send-keys returns; it must be there before the console runs again
        time.sleep(0.3)
    finally:
        os.kill(pid, signal.SIGCONT)
    t.is_((r.status, r.json.get("version")), (200, 3), "admin PATCHes no_answer_s 120 via the API meanwhile (version 3)")
    scr = sv.expect(r"Not saved: another supervisor changed it first; l reloads their version",
                    "w (read before the `bp` event): \"Not saved: another supervisor changed it first; "
                    "l reloads their version\"")
    sv.expect(r"Changed by someone else since you loaded it \(version 2\)",
              "... the tab head: \"Changed by someone else since you loaded it (version 2): l reloads\"")
    t.is_((timing_row(NA) or ("",))[0], "90 *", "... the typed 90 still shown, not lost")
    sv.shot("Timing: refused, someone else saved first")
    bp2 = s.bp(2, sup)
    t.is_((bp2["version"], bp2["timing"]["no_answer_s"]), (3, 120), "the server still has the API's value (120, v3)")
    sv.keys("l")
    sv.expect(r"Drop your 1 unsaved change and reload\?", "l with an unsaved change asks first")
    sv.keys("y")
    ok = sv.wait(lambda scr: timing_row(NA, scr) == ("120", "") and "Version 3 · 0 unsaved changes" in scr, 3)
    t.ok(ok, "l reloads their version: 120, Version 3", sv.last)

    # ---- 4. a conflicting edit: the event first ------------------------------
    t.ok(edit("100"), "100 typed (not saved)")
    r = s.patch(V1 + "/bps/2", admin, {"version": 3, "timing": {"no_answer_s": 130}})
    t.is_(r.status, 200, "admin PATCHes no_answer_s 130 (version 4)")
    sv.expect(r"Changed by someone else since you loaded it \(version 3\)",
              "the tab head says \"Changed by someone else\" by itself (no key)")
    t.is_((timing_row(NA) or ("",))[0], "100 *", "... the typed 100 kept")
    sv.keys("w")
    sv.expect(r"Changed by someone else meanwhile: l reloads first", "w refuses: \"... l reloads first\"")
    bp3 = s.bp(2, sup)
    t.is_((bp3["version"], bp3["timing"]["no_answer_s"]), (4, 130), "the server keeps the API's value (130, v4)")
    sv.keys("l")
    sv.expect(r"Drop your 1 unsaved change and reload\?", "l with an unsaved change asks first")
    sv.keys("y")
    sv.wait(lambda scr: timing_row(NA, scr) == ("130", ""), 3)

    # ---- 5. someone else saves while nothing is edited -----------------------
    r = s.patch(V1 + "/bps/2", admin, {"version": 4, "timing": {"no_answer_s": 140}})
    ok = sv.wait(lambda scr: timing_row(NA, scr) == ("140", "") and "Version 5 · 0 unsaved changes" in scr, 3)
    t.ok(r.status == 200 and ok, "admin saves 140 while nothing is edited: the tab shows 140, Version 5 by itself",
         sv.last)

    # ---- 6. the Completed tab -------------------------------------------------
    carol = VirtualAgent(s, "carol").ready()
    done = []
    for status in ("handled", "wrong_destination", "no_answer", "handled"):
        cid = new_callback(s, sup)
        carol.complete(cid, status)
        done.append(cid)
    carol.not_ready()
    pend = s.callbacks(sup, bp="Support", location="pending")
    purged = [c["id"] for c in pend if c["id"] not in done][:1]
    for cid in purged:
        s.post(V1 + "/callbacks/%d/purge" % cid, sup)
    want = report(s, sup, bp="Support")
    t.is_(sorted(c["id"] for c in want), sorted([done[0], done[1], done[3]] + purged),
          "(the report: the 3 completed by carol and the purged one, not the No Answer one)")
    t.ok(sv.tab("Completed"), "Tab to the Completed tab", sv.last)
    sv.expect(r"Range: the current shift · f from · t to · x export CSV", "Range: the current shift")
    got = wait_for(lambda: screen_report(sv) if screen_report(sv) == report_expected(want) else None, 5)
    t.is_(screen_report(sv), report_expected(want),
          "the rows (id, number, end state, entered, last attempt, attempts) are the report's")
    sv.shot("Support's Completed report")
    first = want[0] if want else {"id": 0, "attempts": []}
    sv.keys("Home", "Enter")

    def attempts(x):
        return [re.sub(r"\s+", " ", l.strip(" │")) for l in (x or "").split("\n") if re.search(r"│\s+\d+\. ", l)]

    # the dialog may be caught half drawn: wait for its attempts too
    scr = sv.wait(lambda x: "─ Callback %d ─" % first["id"] in x and len(attempts(x)) >= len(first["attempts"]), 5)
    t.ok(scr, "Enter: the first row's attempts (Callback %d)" % first["id"], sv.last)
    lines = attempts(scr)
    exp = ["%d. %s %s %s" % (i + 1, timefmt_agent(parse_instant(a["at"])), a["agent_name"] or "—",
                             ATTEMPT.get(a["state"], a["state"])) for i, a in enumerate(first["attempts"])]
    t.is_(lines, exp, "... each attempt: time, agent name, attempt state, as the report has them")
    sv.shot("a row's attempts")
    sv.keys("Escape")
    sv.wait(r"─ Callback %d ─" % first["id"], 3, gone=True)

    # ---- 7. CSV export ---------------------------------------------------------
    def export(path):
        sv.keys("x")
        if not sv.wait(r"─ Export the report as CSV to the file ─", 3):
            return None
        sv.keys("C-u")
        sv.type(path)
        sv.keys("Enter")
        return sv.wait(r"(Exported \d+ lines \(header included\) to |Export stopped: |Export failed: |^ )%s"
                       % re.escape(path), 5)

    path = os.path.join(tmp, "support.csv")
    sv.keys("x")
    sv.expect(r"completed-Support\.csv", "x: the file name offered is completed-Support.csv")
    sv.keys("Escape")
    scr = export(path)
    csv = report(s, sup, fmt="csv", limit=2, bp="Support")
    n = csv.count("\n")
    t.ok(scr and ("Exported %d lines (header included) to %s" % (n, path)) in scr,
         "x, %s: \"Exported %d lines (header included) to PATH\"" % (os.path.basename(path), n), sv.last)
    try:
        with open(path, encoding="utf-8", newline="") as f:
            content = f.read()
    except OSError as e:
        content = str(e)
    t.is_(content, csv, "the file equals GET /reports/completed?bp=Support&format=csv, every page (2 a page)")
    scr = export(path)
    t.ok(scr and "%s exists already: name another file" % path in scr, "x again to the same file: refused, "
         "\"... exists already: name another file\"", sv.last)
    with open(path, encoding="utf-8", newline="") as f:
        t.is_(f.read(), csv, "... and the file is untouched")

    # ---- 8. Sales over a range of dates -----------------------------------------
    ny = ZoneInfo("America/New_York")
    today = datetime.datetime.now(ny).date()
    frm, to = (today - datetime.timedelta(days=7)).isoformat(), today.isoformat()
    sv.keys("Escape")
    sv.wait(r"^BP", 3)
    t.ok(sv.open_bp("Sales"), "Sales's detail opened")
    t.ok(sv.tab("Completed"), "... its Completed tab")
    for key, value, label in (("f", frm, "From date"), ("t", to, "To date")):
        sv.keys(key)
        sv.wait(r"─ %s" % label, 3)
        sv.keys("C-u")
        sv.type(value)
        sv.keys("Enter")
    sv.expect(r"Range: from %s to %s" % (frm, to), "f %s, t %s: \"Range: from %s to %s\"" % (frm, to, frm, to))
    want = report(s, sup, bp="Sales", **{"from": frm, "to": to, "tz": "America/New_York"})
    t.ok(len(want) >= 10, "(the report has %d of the demo's completed callbacks in that range)" % len(want))
    vis = sv.rows - 3 - 5
    ok = wait_for(lambda: screen_report(sv) == report_expected(want)[:vis], 5)
    t.is_(screen_report(sv), report_expected(want)[:vis], "the rows shown are the report's for that range (first %d)"
          % vis)
    sv.shot("Sales's Completed report, a week")
    path2 = os.path.join(tmp, "sales week.csv")
    scr = export(path2)
    csv2 = report(s, sup, fmt="csv", limit=2, bp="Sales", **{"from": frm, "to": to, "tz": "America/New_York"})
    t.ok(scr and ("Exported %d lines (header included) to %s" % (csv2.count("\n"), path2)) in scr,
         "x: \"Exported %d lines ...\"" % csv2.count("\n"), sv.last)
    try:
        with open(path2, encoding="utf-8", newline="") as f:
            content = f.read()
    except OSError as e:
        content = str(e)
    t.is_(content, csv2, "the file equals the report's CSV for that range, every page")

    # ---- 9. an export of two pages ------------------------------------------------
    sv.keys("Escape")
    sv.wait(r"^BP", 3)
    t.ok(sv.open_bp("Support") and sv.tab("Completed"), "Support's Completed tab again")
    for key, label in (("f", "From date"), ("t", "To date")):
        sv.keys(key)
        sv.wait(r"─ %s" % label, 3)
        sv.keys("C-u")
        sv.type(BULK_DAY.isoformat())
        sv.keys("Enter")
    sv.expect(r"Range: from %s to %s" % (BULK_DAY, BULK_DAY), "f, t %s: that day" % BULK_DAY)
    want = report(s, sup, bp="Support", limit=10000, **{"from": BULK_DAY.isoformat(), "to": BULK_DAY.isoformat()})
    t.is_(len(want), 5100, "(the report has the 5,100 callbacks of that day)")
    ok = sv.wait(lambda x: screen_report(sv) == report_expected(want)[:vis] and "More than shown" in x, 8)
    t.ok(ok, "the first rows are the report's, and \"More than shown: narrow the range, or export it all to CSV\"",
         sv.last)
    path3 = os.path.join(tmp, "day.csv")
    sv.keys("x")
    sv.wait(r"─ Export the report as CSV to the file ─", 3)
    sv.keys("C-u")
    sv.type(path3)
    sv.keys("Enter")
    csv3 = report(s, sup, fmt="csv", limit=700, bp="Support",
                  **{"from": BULK_DAY.isoformat(), "to": BULK_DAY.isoformat()})
    scr = sv.wait(r"Exported \d+ lines \(header included\) to %s" % re.escape(path3), 15)
    t.ok(scr and "Exported %d lines (header included) to %s" % (csv3.count("\n"), path3) in scr,
         "x: \"Exported %d lines (header included) ...\" (two pages of the console's 5,000)" % csv3.count("\n"),
         sv.last)
    try:
        with open(path3, encoding="utf-8", newline="") as f:
            content = f.read()
    except OSError as e:
        content = str(e)
    t.ok(content == csv3, "the file equals the report's CSV for that day (read 700 callbacks a page), one header",
         "file: %d bytes, %d lines, %d headers; report: %d bytes, %d lines" % (
             len(content), content.count("\n"), content.count("callback_id,"), len(csv3), csv3.count("\n")))
    sv.keys("Escape")
    sv.wait(r"^BP", 3)
    sv.quit()
    carol.close()
    for p in (path, path2, path3):
        if os.path.exists(p):
            os.unlink(p)
    os.rmdir(tmp)

t.diag("wall time %.1f s" % (time.time() - T0))
t.done()
