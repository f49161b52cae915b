#!/usr/bin/python3
# cb-agent when the server goes away and comes back (issue 5, "Live": the
# stream reconnects by itself with Last-Event-ID and the screen catches up;
# while it is down the header says so), in tmux (80x24) against a real cbd
# with the demo data, logged in as carol:
#
#  1. carol Ready, connected. cbd killed (SIGKILL): the header says
#     "✕ disconnected, retry in Ns", the status line "Connection lost: ...";
#     a key that needs the server (r) is answered with "cannot reach the
#     server", and the console keeps running.
#  2. Once the console waits 4 s or more between tries, cbd is started again
#     on the same port and database, and a callback for carol due in three
#     hours is created at once (before the console is back): the header goes
#     back to "● connected" by itself, the status line says "Connected
#     again", and the screen catches up (the server answers the stream's
#     Last-Event-ID with a reset; the console reloads): Pending 3.
#  3. A callback due now, created after the restart, is offered on screen;
#     accepted by key, the server has it dialing, held by carol.
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from cbdtest import Server, Tap, iso  # noqa: E402
from tmuxtest import Agent  # noqa: E402

t = Tap()
s = Server(t, args=["--grace-s", "3600"])
s.start()
s2 = None
try:
    sup, carol = s.login("sup"), s.login("carol")
    port = s.port
    with Agent(t, s, "carol") as ag:
        ag.expect(r"Pending 2 .*● connected", "carol logged in, connected")
        ag.keys("r")
        ag.expect(r"│\s+Ready\s+│", "r: Ready")
        t.is_(s.presence(carol), "ready", "the server: carol ready")

        # ---- 1. the server goes away ---------------------------------------------
        s.kill9()
        scr = ag.expect(r"✕ disconnected, retry in \d+s", "cbd killed: the header says disconnected")
        ag.expect(r"^ Carol Diaz \(carol\) │", "the header keeps the agent's name")
        ag.expect(r"Connection lost: ", "the status line: Connection lost: ...")
        ag.shot("the server is down")
        ag.keys("r")
        scr = ag.expect(r"cannot reach the server", "r while down: \"cannot reach the server\"")
        ag.shot("a key while the server is down")
        t.is_(ag.dead(), None, "the console keeps running")

        # ---- 2. it comes back on the same port and database -----------------------
        scr = ag.expect(r"retry in [4-8]s", "the console waits longer between tries (4 s or more)", timeout=8)
        s2 = Server(t, db=s.db, init=False, args=["--grace-s", "3600", "--listen", "127.0.0.1:%d" % port])
        s2.start()
        t.is_(s2.port, port, "cbd started again on port %d with the same database" % port)
        sup2, carol2 = s2.login("sup"), s2.login("carol")
        r = s2.create_callback(sup2, destination="+442079460901", bp="Support", routing="agent", agent="carol",
                               tz="UTC", due_at=iso(time.time() + 3 * 3600))
        t.is_(r.status, 201, "a callback for carol due in 3 hours, made at once")
        scr = ag.expect(r"● connected", "the header says connected again, by itself", timeout=12)
        ag.expect("Connected again", "the status line: Connected again")
        scr = ag.wait(r"Pending 3 ", 3)
        t.ok(scr is not None, "the screen catches up after the reset: Pending 3",
             "header: %r" % ag.header())
        ag.shot("connected again")
        # carol's presence after the console's own r while down: whatever it is, make her Ready
        if not re.search(r"│\s+Ready\s+│", ag.header()):
            ag.keys("r")
        ag.expect(r"│\s+Ready\s+│", "carol Ready")
        t.is_(s2.presence(carol2), "ready", "the server: carol ready")

        # ---- 3. an offer after the restart -----------------------------------------------
        r = s2.create_callback(sup2, destination="+442079460902", bp="Support", routing="agent", agent="carol",
                               tz="UTC", due_at=iso(time.time()), remark="After the restart")
        t.is_(r.status, 201, "a callback due now")
        cid = r.json["id"] if r.status == 201 else 0
        scr = ag.expect(r"OFFERED — callback %d" % cid, "it is offered on screen")
        ag.expect(r"Number \+442079460902(?s:.*)Remark After the restart", "with its number and remark")
        ag.shot("an offer after the restart")
        ag.keys("a")
        ag.expect(r"DIALING — callback %d" % cid, "a: DIALING")
        cb = s2.callback(cid, sup2)
        t.is_((cb["state"], cb["holder"]), ("dialing", "carol"), "the server: dialing, held by carol")
finally:
    if s.proc is not None:
        s.proc.kill()
        s.proc.wait()
    if s2 is not None:
        s2.__exit__(None, None, None)
t.done()
