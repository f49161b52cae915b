#!/usr/bin/python3
# cb-supervisor's Callback Performance tab (issue 6): against a real cbd
# with virtual agents working Support, the tab shows the business process's
# figures as GET /api/v1/bps/{id}/performance has them (Proc, To Be Proc,
# Reached, Fail), its attempts by outcome in the seed's words, and the
# per-hour chart; when a callback completes, the tab follows by itself (a
# `stats` event makes it fetch again, at most every two seconds), no key
# pressed; r refreshes at once; the tab survives 80x24 and 200x60.
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from cbdtest import Server, Tap, V1, wait_for  # noqa: E402
from suptest import Supervisor, VirtualAgent, new_callback  # noqa: E402

t = Tap()
with Server(t, args=["--grace-s", "3600"]) as s:
    sup = s.login("sup")

    def perf():
        return s.get(V1 + "/bps/2/performance", sup).json

    def figures_line(p):
        st = p["stats"]
        return "Proc %d  To Be Proc %d" % (st["proc"], st["to_be_proc"])

    carol = VirtualAgent(s, "carol").ready()
    first = new_callback(s, sup)
    carol.complete(first, "handled")

    with Supervisor(t, s) as sv:
        sv.expect(r"● live", "sup logged in")
        t.ok(sv.open_bp("Support"), "Support's detail")
        t.ok(sv.tab("Performance"), "the Performance tab", sv.last)
        p = perf()
        scr = sv.expect(re.escape(figures_line(p)), "the figures as the route has them: %s" % figures_line(p))
        t.ok(scr and "Reached %.1f%%" % p["stats"]["reached_pct"] in scr,
             "Reached as the route has it (%.1f%%)" % p["stats"]["reached_pct"], sv.last)
        t.ok(scr and re.search(r"\bHandled 1\b", scr), "attempts by outcome: Handled 1", sv.last)
        t.ok(scr and "Per hour: █ processed  ▒ reached" in scr and "█" in scr.split("Per hour")[1],
             "the per-hour chart, with a bar for the hour just worked", sv.last)
        sv.shot("Callback Performance")

        # a completion moves it by itself
        second = new_callback(s, sup)
        carol.complete(second, "wrong_destination")
        want = figures_line(perf())
        scr = sv.expect(re.escape(want), "after a Wrong Destination, no key pressed: %s" % want, timeout=6)
        t.ok(scr and re.search(r"\bWrong Destination 1\b", scr), "... and Wrong Destination 1 among the attempts",
             sv.last)
        t.ok(scr and "Fail 50.0%" in scr, "... Fail 50.0% (one of two reached)", sv.last)

        # r refreshes at once
        new_callback(s, sup, due=int(time.time()) + 3600)
        sv.keys("r")
        want = figures_line(perf())
        sv.expect(re.escape(want), "r refreshes at once: %s" % want, timeout=2)

        for cols, rows in ((200, 60), (80, 24)):
            sv.resize(cols, rows)
            scr = sv.wait(lambda x: re.escape(want) and want in x and "Per hour" in x and
                          len(x.split("\n")) >= rows - 1, 5)
            t.ok(scr, "%dx%d: the figures and the chart still there" % (cols, rows), sv.last)
        sv.shot("Callback Performance at 80x24")
        sv.quit()
    carol.close()
t.done()
