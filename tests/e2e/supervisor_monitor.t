#!/usr/bin/python3
# cb-supervisor's Business Process Monitor in tmux against a real cbd with the
# demo data (issue 6, "Business Process Monitor", "Start", "manners"), with
# virtual agents driving traffic through the API; GET /api/v1/stats is the
# oracle, every screen row is parsed and compared cell by cell:
#
#  1. An agent's login is refused: cb-supervisor --user dave (password in
#     CB_PASSWORD) stays on the login screen with "dave is an agent, not a
#     supervisor: use cb-agent"; the token it got is ended (dave is
#     logged_out on the server); Esc quits (status 0).
#  2. sup: every BP's row (CLBK Stat, Proc, To Proc, Avg, Purged, %Rch,
#     %Fail) equals its /stats row, one row per BP.
#  3. Live, without a key pressed: a callback created due now (To Proc +1),
#     taken by carol (a virtual agent) and completed as Handled after 45 s of
#     talk on the test clock: Support's Proc / Avg / %Rch cells follow /stats
#     (1, 0:45, 100.0); the changed Proc cell is highlighted (black on
#     yellow) and the highlight ends within a few seconds; a second one
#     completed as Wrong Destination (%Rch 50.0, %Fail 50.0); a purge via
#     the API (Purged 1).
#  4. Sorting: > sorts by CLBK Stat (title "CLBK Stat▲", Support before
#     Sales), i reverses ("▼", Sales first), < and i back to "BP▲".
#  5. Stop and start Support through the actions menu (m), each confirmed:
#     n declines (nothing happens), y stops: "■ STOPPED" on the row, the
#     server's GET /bps/2 and /stats say stopped; start: "● Active", active.
#  6. Resize 80x24 → 200x60 → 80x24: header on row 0 with "● live" at the
#     right edge, the title row exactly as monitor.c lays it out (the full
#     titles at 200 columns, the short ones at 80), the figures still equal
#     /stats, the key bar on the last row, no stray characters; the detail's
#     long tab names at 200 columns. (TODO: the full titles at 112 columns,
#     as the manual says; TODO: the Monitor's key bar fits 80 columns.)
# The console ends with q (logged out, status 0), so that under ASan
# LeakSanitizer looks at it too; its stderr must hold no sanitizer report.
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from cbdtest import Server, Tap, V1, wait_for  # noqa: E402
from tmuxtest import garbage  # noqa: E402
from suptest import Supervisor, VirtualAgent, new_callback, stats  # noqa: E402

t = Tap()
T0 = time.time()


def presence_of(s, tok, login):
    for a in s.get(V1 + "/agents", tok).json["agents"]:
        if a["login"] == login:
            return a["presence"]
    return None


with Server(t, args=["--test-clock", "--grace-s", "3600"]) as s:
    sup = s.login("sup")

    # ---- 1. an agent's login is refused ---------------------------------
    with Supervisor(t, s, login="dave") as al:
        al.expect(r"dave is an agent, not a supervisor: use cb-agent",
                  "dave (an agent): the login screen says \"dave is an agent, not a supervisor: use cb-agent\"")
        al.shot("an agent's login, refused")
        t.ok("● live" not in al.screen() and "Monitor" not in al.screen(), "... and the dashboard is not shown")
        t.ok(wait_for(lambda: presence_of(s, sup, "dave") == "logged_out", 3),
             "... the token it got is ended: dave is logged_out on the server",
             presence_of(s, sup, "dave"))
        al.keys("Escape")
        t.is_(al.wait_dead(5), 0, "Esc on the login screen quits, status 0")

    with Supervisor(t, s) as sv:
        # ---- 2. the figures of every BP ---------------------------------
        def matches_stats(scr=None):
            """The screen's rows equal /stats (fetched now), or None."""
            want = Supervisor.monitor_expected(stats(s, sup))
            got = sv.monitor(scr)
            return (got, want) if got == want else None

        def expect_stats(name, timeout=5.0):
            r = wait_for(matches_stats, timeout)
            t.ok(r is not None, name, "screen %r\n/stats %r\n%s" % (
                sv.monitor(), Supervisor.monitor_expected(stats(s, sup)), sv.last))
            return r

        sv.expect(r"● live", "sup logged in: \"● live\" in the header")
        sv.expect(r"^BP▲\s+CLBK Stat\s+Proc\s+To Proc\s+Avg\s+Purged\s+%Rch\s+%Fail\s*$",
                  "the title row at 80 columns: BP▲ CLBK Stat Proc To Proc Avg Purged %Rch %Fail")
        r = expect_stats("every BP's row equals its GET /stats row (CLBK Stat, Proc, To Proc, Avg, Purged, %Rch, %Fail)")
        if r:
            t.diag("monitor: %r" % (r[0],))
        t.is_(sorted(sv.monitor()), sorted(x["bp"] for x in stats(s, sup)), "one row per BP, no other")
        sv.shot("the Monitor")
        t.ok(sv.keybar().rstrip().endswith("q quit"), "the Monitor's key bar fits 80 columns (ends \"q quit\")",
             "key bar: %r" % sv.keybar())

        # ---- 3. live figures ----------------------------------------------
        carol = VirtualAgent(s, "carol").ready()
        before = {x["bp"]: x for x in stats(s, sup)}["Support"]
        c1 = new_callback(s, sup)
        expect_stats("a callback due now created: Support's To Proc follows /stats (%d → %d), no key pressed"
                     % (before["to_be_proc"], before["to_be_proc"] + 1))
        carol.complete(c1, "handled", "live", talk_s=45)
        after = {x["bp"]: x for x in stats(s, sup)}["Support"]
        t.is_((after["proc"], after["avg_time_s"], after["reached_pct"], after["fail_pct"]), (1, 45, 100, 0),
              "(the oracle: /stats has Support proc 1, avg 45 s, reached 100, fail 0)")
        seen = wait_for(lambda: (sv.monitor().get("Support") or ("",) * 7)[1] == "1", 5)
        t.ok(seen, "carol completes it as Handled: Support's Proc turns 1 by itself", sv.last)
        hl = sv.styled()
        y = sv.monitor_at.get("Support", 3)
        proc_x = sv.last.split("\n")[y].index(" 1 ") + 1 if seen else 40
        t.is_(sv.bg_at(y, proc_x, hl), Supervisor.YELLOW, "... the changed Proc cell is highlighted (black on yellow)")
        expect_stats("... and Support's row equals /stats: Proc 1, To Proc back, Avg 0:45, %Rch 100.0, %Fail 0.0")
        t.is_((sv.monitor().get("Support") or ("",) * 7)[1:], ("1", str(after["to_be_proc"]), "0:45", "0",
                                                             "100.0", "0.0"), "... the cells as shown")
        sv.shot("Support after a Handled callback")
        t.ok(wait_for(lambda: sv.bg_at(y, proc_x) != Supervisor.YELLOW, 5),
             "... the highlight ends by itself (within 5 s)")
        c2 = new_callback(s, sup)
        carol.complete(c2, "wrong_destination", "live", talk_s=15)
        expect_stats("a second one completed as Wrong Destination: Proc 2, Avg 0:30, %Rch 50.0, %Fail 50.0")
        t.is_((sv.monitor().get("Support") or ("",) * 7)[1:7:2], ("2", "0:30", "50.0"),
              "... Proc 2, Avg 0:30, %Rch 50.0 shown")
        carol.not_ready()
        pend = s.callbacks(sup, bp="Support", location="pending")
        r = s.post(V1 + "/callbacks/%d/purge" % pend[0]["id"], sup)
        t.is_(r.status, 200, "(purge callback %d via the API)" % pend[0]["id"])
        expect_stats("... Support's Purged 1 and To Proc one less, as /stats")

        # ---- 4. sorting ---------------------------------------------------
        def order():
            m = sv.monitor()
            return sorted(m, key=lambda n: sv.monitor_at[n])

        sv.keys(">")
        sv.expect(r"^BP\s+CLBK Stat▲", "> sorts by CLBK Stat (its title marked ▲)")
        t.is_(order(), ["Support", "Sales"], "... Active (Support) before Off Schedule HRS (Sales)")
        sv.keys("i")
        sv.expect(r"^BP\s+CLBK Stat▼", "i reverses (▼)")
        t.is_(order(), ["Sales", "Support"], "... Sales first")
        sv.keys("<")
        sv.expect(r"^BP▼", "< goes back to the BP column (still reversed)")
        sv.keys("i")
        sv.expect(r"^BP▲", "i: BP ascending again")
        t.is_(order(), ["Sales", "Support"], "... Sales, Support")

        # ---- 5. stop and start through the actions menu -------------------
        sv.keys("Home", "Down")
        ok = wait_for(lambda: sv.selected_rows(2) == [sv.monitor_at.get("Support", -1)] if sv.monitor() else False, 3)
        t.ok(ok, "Down selects Support's row", "selected rows %r, Support at %r" % (sv.selected_rows(2), sv.monitor_at))

        def menu(item_downs, question):
            sv.keys("m")
            if not sv.wait(r"│\s+Open the detail\s+│", 3):
                return None
            for _ in range(item_downs):
                sv.keys("Down")
            sv.keys("Enter")
            return sv.wait(re.escape(question), 3)

        scr = menu(1, "Stop the callbacks of Support?")
        t.ok(scr, "m, Stop callbacks: asks \"Stop the callbacks of Support? ...\"", sv.last)
        sv.shot("stop: the confirmation")
        sv.keys("n")
        sv.expect(r"Stop the callbacks", "n declines", gone=True)
        time.sleep(0.3)
        t.is_((s.bp(2, sup)["clbk_stat"], sv.monitor().get("Support", ("",))[0]), ("active", "● Active"),
              "... nothing stopped: the server and the row say Active")
        menu(1, "Stop the callbacks of Support?")
        sv.keys("y")
        sv.expect(r"^Support\s+■ STOPPED", "y: Support's row shows \"■ STOPPED\"")
        t.is_(s.bp(2, sup)["clbk_stat"], "stopped", "... the server agrees: GET /bps/2 clbk_stat stopped")
        expect_stats("... and the whole row equals /stats (stopped)")
        sv.expect(r"Support: callbacks stopped", "... the status line says \"Support: callbacks stopped\"")
        sv.shot("Support stopped")
        scr = menu(2, "Start the callbacks of Support?")
        t.ok(scr, "m, Start callbacks: asks \"Start the callbacks of Support?\"", sv.last)
        sv.keys("y")
        sv.expect(r"^Support\s+● Active", "y: Support's row shows \"● Active\" again")
        t.is_(s.bp(2, sup)["clbk_stat"], "active", "... the server agrees: GET /bps/2 clbk_stat active")
        expect_stats("... and the row equals /stats again")

        # ---- 6. resize ----------------------------------------------------
        FULL = [("Business Process", 22), ("CLBK Stat", 18), ("Proc", 6), ("Clbk To Be Proc", 15),
                ("Clbk Avg Time", 13), ("Clbk Purged", 11), ("% Clbk Reached", 14), ("% Clbk Fail", 11)]
        SHORT = [("BP", 16), ("CLBK Stat", 18), ("Proc", 5), ("To Proc", 7), ("Avg", 6), ("Purged", 6),
                 ("%Rch", 6), ("%Fail", 6)]

        def title_row(cols, full):
            """The title row monitor.c should draw (BP sorted ascending): the
            full titles when they fit, else the short ones with the BP column
            taking the rest of the width."""
            cells = list(FULL if full else SHORT)
            if not full:
                total = sum(w + 1 for _, w in cells)
                cells[0] = (cells[0][0], cells[0][1] + max(0, cols - total))
            cells[0] = (cells[0][0] + "▲", cells[0][1])
            return "".join(tt.ljust(w) + " " for tt, w in cells).rstrip()

        def layout(cols, rows, full):
            def fits(scr):
                lines = scr.split("\n")
                if len(lines) < rows:
                    return False
                head = lines[0]
                return (head.startswith(" Sam Supervisor (sup) │ 1 Monitor   2 Agents   3 Do-not-call")
                        and head.rstrip().endswith("● live") and len(head.rstrip()) in (cols - 1, cols)
                        and lines[1].rstrip() == title_row(cols, full)
                        and lines[rows - 1].startswith(" Enter detail · m actions")
                        and all(len(l) <= cols for l in lines) and sv.monitor(scr) != {})
            return fits

        sv.resize(200, 60)
        scr = sv.wait(layout(200, 60, True), 5)
        t.ok(scr, "200x60: header with \"● live\" at the right edge, the full column titles, key bar on row 59",
             sv.last)
        t.is_(sv.size(), (200, 60), "... the pane is 200x60")
        expect_stats("... the figures still equal /stats")
        t.is_(garbage(sv.screen()), [], "... no stray characters")
        sv.shot("200x60")
        sv.keys("Enter")
        sv.expect(r"^  Callback Performance   Callback Timing   Callback Search   Current Interactions   Completed",
                  "... the detail at 200 columns has the long tab names")
        sv.keys("Escape")
        sv.wait(layout(200, 60, True), 3)
        sv.resize(118, 30)
        scr = sv.wait(layout(118, 30, True), 3)
        t.ok(scr, "118x30: the full column titles (cb-supervisor(1): shortened only below 118 columns)", sv.last)
        sv.resize(117, 30)
        scr = sv.wait(layout(117, 30, False), 3)
        t.ok(scr, "117x30: the short column titles", sv.last)
        sv.resize(80, 24)
        scr = sv.wait(layout(80, 24, False), 5)
        t.ok(scr, "back to 80x24: header, the short titles, key bar on row 23, nothing wider than 80", sv.last)
        expect_stats("... the figures still equal /stats")
        t.is_(garbage(sv.screen()), [], "... no stray characters")
        t.is_(len(sv.screen().rstrip("\n").split("\n")), 24, "... 24 rows")
        sv.quit()
        carol.close()

t.diag("wall time %.1f s" % (time.time() - T0))
t.done()
