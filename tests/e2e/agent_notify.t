#!/usr/bin/python3
# cb-agent's desktop notifications (issue 5, ../shared/TESTING.md §1), with a
# real cbd (demo data), cb-agent in tmux and a real notification server:
# dunst under Xvfb on a private session bus that auto-starts nothing.
#
#  1. What the daemon received for an offer (read back by a dunstrc rule
#     script): app name cb-agent, urgency CRITICAL, summary "Callback offer:
#     +NUMBER", body "Support · due HH:MM (HH:MM UTC) · Ns to accept" then
#     the remark, markup-escaped; it expires with the offer (timeout); it is
#     withdrawn when the offer is accepted in the console (key a).
#  2. The notification's Accept action (dunst's context menu, `dunstctl
#     context` with a dmenu script picking "[ID,accept]") accepts the offer:
#     the server has it Dialing, held by carol, and the console shows
#     DIALING.
#  3. No session bus and no display at all: the console runs, shows the
#     offer, says "Desktop notifications are off (...)" in its status line,
#     not again at a second offer, and nothing is written over the screen.
#  4. A notification server that owns org.freedesktop.Notifications but
#     never answers (dunst stopped with SIGSTOP; dbus-monitor shows the
#     agent's call going to it): the console answers keys within a second
#     of the offer, accepts it by key, and quits at once.
# Every case ends by quitting with Q y: exit status 0, no sanitizer report.
# The cases share one cbd; carol's calls are ended through the API as
# Wrong Destination (cancel would put them back in the queue, offered again).
import datetime
import os
import re
import shutil
import subprocess
import sys
import time
import traceback
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import notifytest as nt  # noqa: E402

if not os.access(nt.AGENT, os.X_OK):
    nt.skip_all("no %s (make)" % nt.AGENT)
TMP = nt.private_bus()  # from here on: inside dbus-run-session

from cbdtest import Server, Tap, V1, iso  # noqa: E402

AGENT_TZ = "America/Chicago"  # the agent's zone (TZ); the callbacks' is UTC
STRAY = re.compile(r"libnotify|GLib|GIO|GDBus|dbus-launch|WARNING|CRITICAL|\*\*|Gtk|"
                   r"AddressSanitizer|runtime error", re.I)

t = Tap()
T0 = time.monotonic()


def show(title, lines):
    """A capture of the screen for a person reading the test's output."""
    t.diag("---- %s ----" % title)
    for i, l in enumerate(lines):
        t.diag("%2d|%s" % (i, l))


def status_row(lines):
    return lines[22] if len(lines) > 22 else ""


def stray_rows(lines):
    """Rows (but the status line) with text a library would write on stderr."""
    return [l for i, l in enumerate(lines) if i != 22 and STRAY.search(l)]


def start_agent(tm, name, login, server, bus):
    env = nt.agent_env(TMP, name, bus=bus, extra={"CB_PASSWORD": login + "-demo",
                                                  "TZ": AGENT_TZ})
    tm.new(name, [nt.AGENT, "--server", server.url, "--user", login], env)


def ready(tm, name, s, login, title):
    """Logs in (CB_PASSWORD), presses r, waits until the server says Ready."""
    ok, lines = tm.wait_for(name, r"\(%s\) │\s+Not Ready .*● connected" % login, 10)
    t.ok(ok, "%s: logged in as %s, Not Ready, connected" % (title, login), "\n".join(lines))
    tm.keys(name, "r")
    ok, lines = tm.wait_for(name, r"\(%s\) │\s+Ready " % login, 5)
    tok = s.login(login)
    t.ok(ok and nt.wait_until(lambda: s.presence(tok) == "ready", 5),
         "%s: r makes %s Ready (screen and server)" % (title, login), "\n".join(lines))
    return lines


def offer(s, sup, login, number, remark=""):
    r = s.create_callback(sup, destination=number, bp="Support", routing="agent", agent=login,
                          tz="UTC", due_at=iso(time.time()), remark=remark)
    if r.status != 201:
        raise RuntimeError("create: %r" % r)
    return r.json["id"]


def end_call(tm, name, s, token, cid):
    """Completes the callback cid (Dialing) through the API as Wrong
    Destination (Completed for good: Cancel would put it back in the queue,
    offered again at once) and waits until the console shows no
    interaction and the agent is Ready."""
    r = s.post(V1 + "/callbacks/%d/complete" % cid, token, {"status": "wrong_destination"})
    if r.status != 200:
        raise RuntimeError("complete %d: %r" % (cid, r))
    ok, lines = tm.wait_for(name, lambda L: "callback %d" % cid not in "\n".join(L), 5)
    if not ok or not nt.wait_until(lambda: s.presence(token) == "ready", 5):
        raise RuntimeError("the console did not come back Ready:\n" + "\n".join(lines))


def quit_agent(tm, name, title):
    """Q then y (quit without logging out); the pane must end with status 0
    and no sanitizer report."""
    tm.keys(name, "Q")
    ok, lines = tm.wait_for(name, r"Quit without logging out\?.*\n.*\n.*\[y\] Yes", 5)
    tm.keys(name, "y")
    dead = tm.wait_dead(name, 5)
    t.ok(ok and dead and dead[1] == 0, "%s: Q y quits with status 0" % title,
         "pane %r\n%s" % (dead, tm.text(name)))
    rep = nt.sanitizer_reports(TMP, name)
    t.ok(rep == "", "%s: no sanitizer report" % title, rep[-4000:])


def case_dunst(s, sup, tm, desk):
    """1 and 2: what dunst received; the notification's Accept action."""
    carol = s.login("carol")
    start_agent(tm, "a", "carol", s, bus=True)
    ready(tm, "a", s, "carol", "dunst")

    # -- 1. what the daemon received; withdrawn when accepted in the console
    remark = "ask for <Jo> & co"
    due = time.time()
    cid = offer(s, sup, "carol", "+442079460111", remark)
    ok, lines = tm.wait_for("a", r"OFFERED — callback %d\b" % cid, 5)
    t.ok(ok, "dunst: the offer is on screen", "\n".join(lines))
    show("offer, notification shown (dunst)", lines)
    got = nt.wait_until(desk.received, 5)
    t.is_(len(got), 1, "dunst received one notification")
    n = got[0] if got else {}
    t.diag("received: %r" % n)
    t.is_(n.get("appname"), "cb-agent", "app name cb-agent")
    t.is_(n.get("urgency"), "CRITICAL", "urgency critical")
    t.is_(n.get("summary"), "Callback offer: +442079460111", "summary: Callback offer: +NUMBER")
    body = n.get("body", "")
    local = datetime.datetime.fromtimestamp(due, ZoneInfo(AGENT_TZ)).strftime("%H:%M")
    utc = datetime.datetime.fromtimestamp(due, datetime.timezone.utc).strftime("%H:%M")
    m = re.match(r"^Support · due (\d\d:\d\d) \((\d\d:\d\d) UTC\) · (\d+)s to accept\n(.*)$",
                 body, re.S)
    t.ok(m is not None, "body: BP · due time (customer's time) · Ns to accept, then the remark",
         "body %r" % body)
    if m:
        t.ok(m.group(1) == local and m.group(2) == utc,
             "body: due time in the agent's zone and in the customer's", "got %s/%s want %s/%s"
             % (m.group(1), m.group(2), local, utc))
        t.ok(25 <= int(m.group(3)) <= 30, "body: seconds left to accept (offer_timeout_s 30)",
             m.group(3))
        t.is_(m.group(4), "ask for &lt;Jo&gt; &amp; co", "body: the remark, markup-escaped")
    tmo = n.get("timeout", "")
    t.ok(tmo.isdigit() and 25000 <= int(tmo) <= 30000,
         "the notification expires with the offer (timeout %s ms)" % tmo)
    t.is_(desk.displayed(), 1, "dunst displays it")

    # accepted in the console: the notification is withdrawn
    tm.keys("a", "a")
    cb = s.wait_callback(cid, carol, lambda c: c["state"] == "dialing")
    t.ok(cb and cb["state"] == "dialing", "a accepts the offer (server)", repr(cb))
    t.ok(nt.wait_until(lambda: desk.displayed() == 0, 5),
         "the notification is withdrawn once the offer is accepted in the console",
         "displayed %r" % desk.displayed())
    end_call(tm, "a", s, carol, cid)

    # -- 2. the notification's Accept action accepts the offer
    cid = offer(s, sup, "carol", "+442079460112")
    ok, lines = tm.wait_for("a", r"OFFERED — callback %d\b" % cid, 5)
    t.ok(ok, "dunst: the second offer is on screen", "\n".join(lines))
    got = nt.wait_until(lambda: len(desk.received()) >= 2 and desk.received(), 5) or []
    t.ok(len(got) == 2 and got[1]["summary"] == "Callback offer: +442079460112",
         "dunst received the second offer", repr(got))
    menu = desk.click("accept")
    t.diag("dunst's context menu: %r" % menu)
    t.ok(any(re.match(r"^#Accept \(Callback offer: \+442079460112\) \[\d+,accept\]$", l)
             for l in menu) and
         any(re.match(r"^#Reject \(.*\) \[\d+,reject\]$", l) for l in menu),
         "the notification has Accept and Reject actions", repr(menu))
    cb = s.wait_callback(cid, carol, lambda c: c["state"] == "dialing")
    t.ok(cb and cb["state"] == "dialing" and cb["holder"] == "carol",
         "Accept in the notification accepts: Dialing, held by carol (server)", repr(cb))
    ok, lines = tm.wait_for("a", r"DIALING — callback %d\b" % cid, 5)
    t.ok(ok and re.search(r"Dial \+442079460112 now", "\n".join(lines)),
         "the console shows DIALING with the number to dial", "\n".join(lines))
    show("accepted from the notification: DIALING", lines)
    quit_agent(tm, "a", "dunst")
    # carol's console is gone: end the call for the next case
    r = s.post(V1 + "/callbacks/%d/complete" % cid, carol, {"status": "wrong_destination"})
    if r.status != 200:
        t.diag("complete after case 2: %r" % r)


def case_no_bus(s, sup, tm, desk):
    """3: no session bus, no display."""
    start_agent(tm, "b", "dave", s, bus=False)
    ready(tm, "b", s, "dave", "no bus")
    cid = offer(s, sup, "dave", "+442079460113", "no bus here")
    ok, lines = tm.wait_for("b", r"OFFERED — callback %d\b" % cid, 5)
    t.ok(ok, "no bus: the offer is on screen", "\n".join(lines))
    ok, lines = tm.wait_for("b", lambda L: "Desktop notifications are off" in status_row(L), 5)
    t.ok(ok and re.match(r"^ Desktop notifications are off \(.+\)\s*$", status_row(lines)),
         "no bus: the status line says Desktop notifications are off (why)",
         "status row %r" % status_row(lines))
    show("no bus: offer, notifications off", lines)
    t.ok(re.search(r"OFFERED — callback %d\b" % cid, "\n".join(lines)),
         "no bus: the offer stays on screen with the warning")
    t.is_(stray_rows(lines), [], "no bus: nothing written over the screen")
    t.ok(lines[0].startswith(" Dave Okafor (dave) │") and len(lines) == 24,
         "no bus: the header is intact on row 0", repr(lines[:1]))

    # a second offer: the warning is not said again
    dave = s.login("dave")
    tm.keys("b", "a")
    cb = s.wait_callback(cid, dave, lambda c: c["state"] == "dialing")
    t.ok(cb and cb["state"] == "dialing", "no bus: a accepts the offer (server)", repr(cb))
    end_call(tm, "b", s, dave, cid)
    cid = offer(s, sup, "dave", "+442079460114")
    ok, lines = tm.wait_for("b", lambda L: "Callback offered: +442079460114" in status_row(L), 5)
    t.ok(ok, "no bus: a second offer is announced in the status line",
         "status row %r" % status_row(lines))
    seen = []

    def warned():
        L = tm.screen("b")
        seen.append(L)
        return "Desktop notifications are off" in status_row(L)
    again = nt.wait_until(warned, 1.5)
    t.ok(not again, "no bus: the warning is said once (not again at the second offer)",
         "status row %r" % status_row(seen[-1] if seen else []))
    lines = seen[-1] if seen else tm.screen("b")
    show("no bus: second offer", lines)
    t.is_(stray_rows(lines), [], "no bus: still nothing written over the screen")
    tm.keys("b", "a")
    cb = s.wait_callback(cid, dave, lambda c: c["state"] == "dialing")
    end_call(tm, "b", s, dave, cid)
    quit_agent(tm, "b", "no bus")


def case_hung_server(s, sup, tm, desk):
    """4: a notification server that owns the name and never answers."""
    carol = s.login("carol")
    nt.wait_until(lambda: s.held(carol) is None, 5)
    s.set_presence(carol, "not_ready")  # she quit Ready without logging out
    desk.freeze()
    t0 = time.monotonic()
    r = nt.bus_call("org.freedesktop.Notifications", "/org/freedesktop/Notifications",
                    "org.freedesktop.Notifications.GetServerInformation", timeout_ms=500)
    t.ok(r.returncode != 0 and "NoReply" in r.stderr
         and nt.name_has_owner("org.freedesktop.Notifications"),
         "hung server: dunst (stopped) owns the name and does not answer (%.1f s)"
         % (time.monotonic() - t0), r.stdout + r.stderr)
    # what is sent to the notification server, to see cb-agent's call wait
    mon_log = os.path.join(TMP, "monitor.log")
    mon = subprocess.Popen(["dbus-monitor", "--session",
                            "type='method_call',destination='org.freedesktop.Notifications'"],
                           stdout=open(mon_log, "wb"), stderr=subprocess.STDOUT)
    nt.REAPER.add(lambda: nt.stop_process(mon))
    start_agent(tm, "c", "carol", s, bus=True)
    ready(tm, "c", s, "carol", "hung server")
    cid = offer(s, sup, "carol", "+442079460115")
    ok, lines = tm.wait_for("c", r"OFFERED — callback %d\b" % cid, 5)
    t.ok(ok, "hung server: the offer is on screen", "\n".join(lines))

    def calls():
        with open(mon_log, "rb") as f:
            return re.findall(r"^method call .*; interface=org\.freedesktop\.Notifications; "
                              r"member=(\w+)", f.read().decode("utf-8", "replace"), re.M)
    got = nt.wait_until(calls, 5)
    t.ok(got, "hung server: cb-agent called the notification server (%s), which does not answer"
         % ", ".join(got or []), open(mon_log, errors="replace").read()[-3000:])
    seen_at = time.monotonic()
    tm.keys("c", "h")
    ok, lines = tm.wait_for("c", r"┌─ Call History", 1)
    t.ok(ok, "hung server: h opens Call History within 1 s of the offer (%.2f s)"
         % (time.monotonic() - seen_at), "\n".join(lines))
    show("hung server: offer with Call History", lines)
    tm.keys("c", "h")
    ok, lines = tm.wait_for("c", lambda L: "┌─ Call History" not in "\n".join(L), 1)
    t.ok(ok, "hung server: h closes it again", "\n".join(lines))
    at = time.monotonic()
    tm.keys("c", "a")
    ok, lines = tm.wait_for("c", r"DIALING — callback %d\b" % cid, 2)
    t.ok(ok, "hung server: a accepts: DIALING on screen (%.2f s)" % (time.monotonic() - at),
         "\n".join(lines))
    cb = s.callback(cid, carol)
    t.ok(cb and cb["state"] == "dialing" and cb["holder"] == "carol",
         "hung server: the server has it Dialing, held by carol", repr(cb))
    t.is_(stray_rows(lines), [], "hung server: nothing written over the screen")
    t.ok("Desktop notifications are off" not in status_row(lines),
         "hung server: the call is still waiting (no error yet: it takes libnotify 25 s)",
         status_row(lines))
    show("hung server: DIALING", lines)
    at = time.monotonic()
    quit_agent(tm, "c", "hung server")
    t.ok(time.monotonic() - at < 5, "hung server: quitting does not wait for the stuck server "
         "(%.2f s)" % (time.monotonic() - at))
    s.post(V1 + "/callbacks/%d/complete" % cid, carol, {"status": "wrong_destination"})


def main():
    t.is_(nt.activatable_names(), ["org.freedesktop.DBus"],
          "the private bus activates nothing (no standard service folders)")
    t.ok(not nt.name_has_owner("org.freedesktop.Notifications"),
         "no notification server before the test starts one")
    desk = nt.Desktop(TMP).start()
    t.ok(True, "Xvfb on %s, dunst owns org.freedesktop.Notifications" % desk.display)
    tm = nt.Tmux(TMP)
    with Server(t, args=["--grace-s", "3600"]) as s:
        nt.REAPER.add(lambda: shutil.rmtree(s.tmp, True))
        nt.REAPER.add(lambda: s.proc and s.proc.kill())
        sup = s.login("sup")
        s.purge_pending("Support", sup)  # only the test's callbacks are offered
        for case in (case_dunst, case_no_bus, case_hung_server):
            try:
                case(s, sup, tm, desk)
            except Exception:
                t.ok(False, "%s ran to its end" % case.__name__, traceback.format_exc())
        tm.kill()


try:
    main()
except Exception:
    t.ok(False, "the test ran to its end", traceback.format_exc())
t.diag("wall time %.1f s" % (time.monotonic() - T0))
t.done()
