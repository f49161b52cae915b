#!/usr/bin/python3
# cb-agent's session in tmux against a real cbd with the demo data (issue 5,
# "Start", "Manners", "Logging out"):
#
#  1. The login screen: Esc quits it (exit status 0). Started with --server
#     naming a port where nothing listens and --user sup, no password: the
#     password typed (shown as stars) → "Cannot reach URL: ..."; the Server
#     field corrected in place → "sup is a supervisor, not an agent: use
#     cb-supervisor"; Login changed to carol with a wrong password → "wrong
#     login or password"; the right one → the main screen, connected, and the
#     server has carol logged in (not_ready). All without restarting.
#  2. Layout: the pending panel open, resized (tmux resize-window) to 200x60
#     and back to 80x24, then with an offer and the scheduling form: the
#     header on row 0 (name, presence, count, "● connected" at the right
#     edge), the key bar on the last row, the panel's frame spanning the
#     width, the form whole, no stray characters.
#  3. Negotiated logout: q while holding an offer says "Logout waits until
#     callback N (offered) is resolved; q again: quit now" and the header
#     "logout waiting"; carol stays logged in while she accepts, connects and
#     completes it as Handled; then the console logs out by itself and ends
#     (status 0) and the server has carol logged_out. (Sections 1 and 2 end
#     with q, nothing held: logged out at once.)
import os
import re
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from cbdtest import Server, Tap, V1, iso, wait_for  # noqa: E402
from tmuxtest import Agent, garbage  # noqa: E402

t = Tap()


def dead_port():
    """A local port where nothing listens (just freed)."""
    so = socket.socket()
    so.bind(("127.0.0.1", 0))
    port = so.getsockname()[1]
    so.close()
    return port


def presence_of(s, tok, login):
    for a in s.get(V1 + "/agents", tok).json["agents"]:
        if a["login"] == login:
            return a["presence"]
    return None


def layout_ok(ag, cols, rows, what, panel=True):
    """The main screen fits cols x rows: header, key bar, panel frame."""
    def fits(scr):
        lines = scr.split("\n")
        if len(lines) < rows:
            return False
        head, bar = lines[0], lines[rows - 1]
        return (head.startswith(" Carol Diaz (carol) │") and head.rstrip().endswith("● connected")
                and len(head.rstrip()) in (cols - 1, cols) and bar.startswith(" ")
                and " Help " in bar and len(bar) <= cols
                and (not panel or (lines[1].startswith("┌─ Pending callbacks")
                                   and len(lines[1]) == cols and lines[1].endswith("┐")
                                   and lines[rows - 3].startswith("└─ ↑↓ select")
                                   and lines[rows - 3].endswith("┘"))))
    scr = ag.wait(fits, 5)
    t.ok(scr is not None, "%s: header on row 0, key bar on row %d, all %d columns used" % (what, rows - 1, cols),
         "screen:\n" + ag.last)
    scr = scr or ag.last
    lines = scr.split("\n")
    t.is_(max(len(l) for l in lines), cols, "%s: no line wider than %d" % (what, cols))
    t.is_(garbage(scr), [], "%s: no stray characters" % what)
    if panel:
        bottom = [i for i, l in enumerate(lines) if l.startswith("└─ ↑↓ select")]
        t.is_(bottom, [rows - 3], "%s: the panel's bottom edge on row %d, above the status line" % (what, rows - 3))
        corners = sum(l.count("┐") + l.count("┘") for l in lines)
        t.is_(corners, 2, "%s: one frame, nothing left over from the old size" % what)
    return scr


with Server(t, args=["--grace-s", "3600"]) as s:
    sup, carol = s.login("sup"), s.login("carol")
    s.post(V1 + "/logout", carol)  # carol is not logged in before the console does it
    s.tokens.pop("carol", None)

    # ---- 1. the login screen ----------------------------------------------------
    with Agent(t, s, "carol", password=None) as ag:
        scr = ag.expect("cb-agent — log in", "without a password: the login screen")
        t.is_(ag.dead(), None, "cb-agent is running")
        ag.keys("Escape")
        t.is_(ag.wait_dead(), 0, "Esc at the login screen quits, status 0")

    port = dead_port()
    bad = "http://127.0.0.1:%d" % port
    with Agent(t, s, "sup", password=None, url=bad) as ag:
        ag.expect("cb-agent — log in", "the login screen")
        ag.expect(r"Server\s+%s(?s:.*)Login\s+sup\b" % re.escape(bad), "Server and Login filled from the options")
        t.is_(presence_of(s, sup, "carol"), "logged_out", "the server: carol logged_out before")
        ag.type("sup-demo")
        scr = ag.expect(r"Password\s+\*{8}\s", "the password shows as 8 stars")
        t.ok(scr and "sup-demo" not in scr, "the password itself is not on the screen")
        ag.keys("Enter")
        scr = ag.expect(r"Cannot reach %s: " % re.escape(bad), "nothing listens: \"Cannot reach %s: ...\"" % bad)
        ag.shot("unreachable server")
        ag.keys("Up", "Up")   # to the Server field
        ag.keys("C-u")
        ag.type(s.url)
        ag.expect(r"Server\s+%s\s" % re.escape(s.url), "the Server field corrected in place")
        ag.keys("Enter")
        scr = ag.expect("sup is a supervisor, not an agent: use cb-supervisor",
                        "a supervisor is refused: \"sup is a supervisor, not an agent: use cb-supervisor\"")
        ag.shot("a supervisor refused")
        ag.keys("Tab")        # Server → Login
        ag.keys("C-u")
        ag.type("carol")
        ag.keys("Tab", "C-u")
        ag.type("carol-wrong")
        ag.keys("Enter")
        ag.expect("wrong login or password", "a wrong password: \"wrong login or password\"")
        ag.shot("a wrong password")
        t.is_(presence_of(s, sup, "carol"), "logged_out", "the server: carol still logged_out")
        ag.keys("C-u")
        ag.type("carol-demo")
        ag.keys("Enter")
        scr = ag.expect(r"^ Carol Diaz \(carol\) │\s+Not Ready\s+│ Pending 2 .*● connected",
                        "the right password: the main screen, connected")
        t.is_(presence_of(s, sup, "carol"), "not_ready", "the server: carol logged in, not_ready")
        ag.shot("logged in after three tries")
        ag.keys("q")
        t.is_(ag.wait_dead(), 0, "q, nothing held: the console logs out and quits, status 0")
        t.ok(wait_for(lambda: presence_of(s, sup, "carol") == "logged_out", 3), "the server: carol logged_out")

    # ---- 2. layout at 80x24 and 200x60 -----------------------------------------------
    with Agent(t, s, "carol") as ag:
        ag.expect(r"● connected", "carol logged in at 80x24")
        ag.keys("p")
        ag.expect(r"Pending callbacks \(2\)", "the panel open")
        layout_ok(ag, 80, 24, "80x24")
        ag.resize(200, 60)
        t.is_(ag.size(), (200, 60), "tmux resized the window to 200x60")
        scr = layout_ok(ag, 200, 60, "200x60")
        ag.shot("200x60, the panel")
        ag.expect(r"\+442079460201 +until ", "200x60: the rows still there")
        ag.resize(80, 24)
        layout_ok(ag, 80, 24, "back to 80x24")
        ag.shot("back to 80x24")
        # an offer and the form, at both sizes
        ag.keys("p", "r")
        ag.expect(r"│\s+Ready\s+│", "Ready")
        r = s.create_callback(sup, destination="+442079460777", bp="Support", routing="agent", agent="carol",
                              tz="UTC", due_at=iso(time.time()), remark="Layout check")
        cid = r.json["id"]
        ag.expect("OFFERED — callback %d" % cid, "an offer")
        ag.keys("s")
        ag.expect("Schedule a Callback", "the form over the offer")
        for cols, rows in ((200, 60), (80, 24)):
            ag.resize(cols, rows)
            what = "the form at %dx%d" % (cols, rows)
            scr = ag.wait(lambda s: all(ag.form_row(l, s) for l in ag.FORM_LABELS) and
                          re.search(r"┌─ Schedule a Callback ─+┐", s) and "Enter save · Tab" in s and
                          len(s.split("\n")[0].rstrip()) >= cols - 1 and
                          (s.split("\n")[rows - 1] if len(s.split("\n")) >= rows else "").startswith(" "))
            t.ok(scr is not None, "%s: every field, the header and the key bar" % what, "screen:\n" + ag.last)
            scr = scr or ag.last
            t.is_(garbage(scr), [], "%s: no stray characters" % what)
            t.is_(max(len(l) for l in scr.split("\n")), cols, "%s: no line wider than %d" % (what, cols))
            box = [l for l in scr.split("\n") if "Schedule a Callback" in l]
            t.ok(box and box[0].count("┌") >= 1 and box[0].rstrip().endswith("┐"),
                 "%s: the form's top edge whole" % what, box)
            ag.shot(what)
        ag.keys("Escape")
        ag.expect("Schedule a Callback", "Esc closes the form", gone=True)
        tok = s.login("carol", "carol-demo")  # a token of the test's own, ended at once
        s.set_presence(tok, "not_ready")      # so that after the reject it waits in the queue
        s.post(V1 + "/logout", tok)
        ag.keys("x")
        ag.expect("OFFERED", "x rejects the offer", gone=True)
        ag.keys("q")
        t.is_(ag.wait_dead(), 0, "q: logs out and quits")
        t.ok(wait_for(lambda: presence_of(s, sup, "carol") == "logged_out", 3), "the server: carol logged_out")

    # ---- 3. negotiated logout ------------------------------------------------------
    with Agent(t, s, "carol") as ag:
        ag.expect(r"● connected", "carol logged in again")
        ag.keys("r")          # Ready: the one rejected above is offered again
        scr = ag.expect(r"OFFERED — callback %d" % cid, "an offer")
        ag.keys("q")
        scr = ag.expect(r"Logout waits until callback %d \(offered\) is resolved; q again: quit now" % cid,
                        "q: \"Logout waits until callback %d (offered) is resolved; q again: quit now\"" % cid)
        ag.expect(r"^ Carol.*logout waiting", "the header says logout waiting")
        ag.shot("logout waiting")
        t.is_(ag.dead(), None, "the console is still running")
        t.is_(presence_of(s, sup, "carol"), "busy", "the server: carol still logged in (busy)")
        ag.keys("a")
        ag.expect("DIALING — callback %d" % cid, "a: DIALING, the logout still waiting")
        ag.keys("c")
        ag.expect("HANDLING — callback %d" % cid, "c: HANDLING")
        ag.keys("e")
        ag.expect(r"\(•\) 1  Handled", "e: the completion dialog, Handled")
        ag.keys("Enter")
        st = ag.wait_dead(5)
        t.is_(st, 0, "completed: the console logs out and ends, status 0")
        cb = s.callback(cid, sup)
        t.is_((cb["location"], cb["end_state"]), ("completed", "handled"), "the server: the callback completed, handled")
        p = wait_for(lambda: presence_of(s, sup, "carol") == "logged_out", 3)
        t.ok(p, "the server: carol logged_out", "presence %r" % presence_of(s, sup, "carol"))
t.done()
