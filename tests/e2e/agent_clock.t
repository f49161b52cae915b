#!/usr/bin/python3
# cb-agent on a PC whose clock is wrong (libfaketime shifts the console's
# clock alone; cbd keeps the real one): the console counts down on the
# server's clock, which every reply's Date header gives it, not on its own.
#
#  1. The console's clock 10 minutes behind: an offer (offer_timeout_s 30)
#     shows 0:2x / 0:30 left to accept, not 10:30; accepted, Dialing's
#     "no answer in" counts down from no_answer_s 40, not 10:40; the call
#     completes as usual.
#  2. The console's clock 15 minutes ahead: the same, not 0:00 (the offer
#     and the dialing would look over before they began).
import os
import time
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from cbdtest import Server, Tap, V1, iso  # noqa: E402
from tmuxtest import Agent  # noqa: E402

t = Tap()
FAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"


def shifted(seconds):
    """The environment that runs the console with its clock shifted."""
    env = {"LD_PRELOAD": FAKETIME, "FAKETIME": "%+d" % seconds, "FAKETIME_NO_CACHE": "1"}
    # the sanitizer runtime wants to come first; libfaketime only wraps time calls
    asan = os.environ.get("ASAN_OPTIONS", "")
    env["ASAN_OPTIONS"] = (asan + ":" if asan else "") + "verify_asan_link_order=0"
    return env


def team_callback(s, sup, n):
    r = s.create_callback(sup, destination="+4420794609%02d" % n, bp="Support",
                          routing="team", team="Support Team", tz="UTC",
                          due_at=iso(int(time.time())))
    t.is_(r.status, 201, "a team callback due now (%s)" % r.json.get("destination"))
    return r.json["id"]


if not os.path.exists(FAKETIME):
    print("1..0 # SKIP libfaketime is not installed (scripts/deps.sh test)")
    sys.exit(0)

with Server(t, args=["--grace-s", "3600"]) as s:
    sup, carol = s.login("sup"), s.login("carol")
    t.is_(s.set_timing(2, sup, no_answer_s=40).status, 200, "Support: no_answer_s 40")

    for n, (shift, what) in enumerate(((-600, "10 minutes behind"), (900, "15 minutes ahead"))):
        with Agent(t, s, "carol", env=shifted(shift)) as ag:
            ag.expect(r"Carol Diaz \(carol\).*Not Ready.*● connected", "clock %s: carol logged in" % what)
            cid = team_callback(s, sup, 10 + n)
            ag.keys("r")
            ag.expect(r"OFFERED — callback %d" % cid, "clock %s: r, and it is offered" % what)
            scr = ag.expect(r"(?<![\d:])0:(30|[12]\d) left to accept",
                            "clock %s: the countdown is the server's 30 s" % what)
            m = re.search(r"(\d+:\d\d) left to accept", scr or ag.screen())
            t.diag("countdown on screen: %s" % (m.group(1) if m else "?"))
            ag.shot("an offer, the console's clock %s" % what)
            ag.keys("a")
            ag.expect(r"DIALING — callback %d" % cid, "a: dialing")
            ag.expect(r"no answer in 0:([34]\d)", "clock %s: no answer in 0:3x/0:40" % what)
            ag.shot("dialing, the console's clock %s" % what)
            ag.keys("c")
            ag.expect(r"HANDLING", "c: handling")
            ag.keys("e")
            ag.expect(r"Complete the callback", "e: the completion dialog")
            ag.keys("Enter")
            cb = s.wait_callback(cid, sup, lambda c: c["location"] == "completed")
            t.is_(cb and cb["end_state"], "handled", "completed as handled")
            t.is_(s.set_presence(carol, "not_ready").status, 200, "carol Not Ready for the next round")
t.done()
