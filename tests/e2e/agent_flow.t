#!/usr/bin/python3
# cb-agent's interaction in tmux (80x24) against a real cbd with the demo
# data (issue 5, "The interaction", "Pending Callback Panel"), logged in as
# carol (Support Team; Support is open always, no preview). Each step is
# checked on the screen and read back from the server:
#
#  1. Call Now from the panel (n, confirmed with y) on carol's first demo
#     callback: DIALING on screen; the server has it dialing, held by carol.
#  2. Cancel via X, confirmed: back to the queue (carol Not Ready, so it
#     stays there), attempt cancel, attempts not counted.
#  3. r: Ready; the queued one is offered at once (OFFERED, countdown,
#     number, Accept / Reject); carol asks (through the API) to be Not Ready
#     afterwards, and x rejects it: the offer leaves the screen, the server
#     has it in the queue again, attempt rejected.
#  4. offer_timeout_s 5 (PATCH as sup); r: offered again and left alone:
#     the screen clears the offer within the time-out, carol is Not Ready,
#     attempt redirected.
#  5. r: offered once more; a accept (DIALING, "Dial ... now"), c connected
#     (HANDLING, talk time), e: the completion dialog (Handled the default),
#     Enter: the server has it completed, end_state handled, its history
#     cancel, rejected, redirected, handled (live).
#  6. The other completion statuses, each on a new callback due now:
#     Answering Machine (after v voicemail) and No Answer (from Dialing):
#     back Pending, attempts 1, due again after the recall interval;
#     Wrong Destination: completed, end_state wrong_destination.
#  7. Dialing time-out (no_answer_s 5): DIALING STOPPED on screen, the
#     completion dialog up by itself, without Cancel, No Answer preselected.
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from cbdtest import Server, Tap, V1, iso, parse_instant  # noqa: E402
from tmuxtest import Agent  # noqa: E402

t = Tap()
QUEUE = "handling_by_business_process"


# the completion dialog, drawn whole (its last line)
DIALOG = r"(?s)Complete the callback.*Enter complete · Esc back"


def dialog(scr):
    """The completion dialog's part of the screen."""
    m = re.search(DIALOG, scr)
    return m.group(0) if m else ""


def history_states(cb):
    return [h["state"] for h in (cb or {}).get("history") or []]


with Server(t, args=["--grace-s", "3600"]) as s, Agent(t, s, "carol") as ag:
    sup, carol = s.login("sup"), s.login("carol")
    ag.expect(r"Carol Diaz \(carol\).*Not Ready.*Pending 2 .*● connected", "carol logged in, Not Ready, Pending 2")
    mine = s.get(V1 + "/me/callbacks", carol).json["callbacks"]
    mine.sort(key=lambda c: (c["due_at"], c["id"]))
    first = mine[0]
    cid, dest = first["id"], first["destination"]

    # ---- 1. Call Now from the panel ------------------------------------------
    ag.keys("p")
    scr = ag.expect(r"Pending callbacks \(2\)", "p opens the pending panel")
    ag.expect(lambda scr: re.search(r"^\W+\S+.*%s" % re.escape(dest), ag.row(3, scr)),
              "the first row is the one due first (%s)" % dest)
    ag.shot("the pending panel")
    ag.keys("n")
    scr = ag.expect(r"Call %s now \(due " % re.escape(dest), "n asks: Call %s now (due ...)?" % dest)
    ag.shot("Call Now, the confirmation")
    ag.keys("y")
    scr = ag.expect(r"DIALING — callback %d" % cid, "y: DIALING on screen")
    ag.expect(re.escape(" Dial %s now " % dest), "it says to dial %s" % dest)
    ag.shot("dialing after Call Now")
    cb = s.callback(cid, sup)
    t.is_((cb["location"], cb["state"], cb["holder"]), ("handling_by_agent", "dialing", "carol"),
          "the server: dialing, held by carol")

    # ---- 2. Cancel via X -------------------------------------------------------
    ag.keys("X")
    ag.expect(r"Cancel dialing %s\? The callback goes back to the queue\." % re.escape(dest),
              "X asks to confirm the cancel")
    ag.keys("n")
    ag.expect("Cancel dialing", "n: not cancelled", gone=True)
    t.is_(s.callback(cid, sup)["state"], "dialing", "the server: still dialing")
    ag.keys("X")
    ag.expect("Cancel dialing", "X again")
    ag.keys("y")
    ag.expect("DIALING", "y: the interaction box is gone", gone=True)
    cb = s.wait_callback(cid, sup, lambda c: c["location"] == QUEUE)
    t.is_((cb["location"], cb["state"], cb["holder"], cb["attempts"]), (QUEUE, None, None, 0),
          "the server: back in the queue, attempts not counted")
    t.is_(history_states(cb), ["cancel"], "the attempt: cancel")
    ag.expect(r"│\s+Not Ready\s+│", "carol is still Not Ready: nothing offered")
    ag.keys("p")

    # ---- 3. reject -----------------------------------------------------------------
    ag.keys("r")
    scr = ag.expect(r"OFFERED — callback %d" % cid, "r: Ready, and the queued callback is offered")
    ag.expect(r"0:[0-3]\d left to accept", "with its countdown")
    ag.expect(re.escape("Number %s" % dest), "and its number")
    ag.expect(re.escape("[a] Accept   [x] Reject"), "Accept and Reject")
    ag.shot("an offer")
    # Not Ready once it is over (said through the API, which answers only once
    # the server has it), so that nothing is offered again after the reject
    t.is_(s.set_presence(carol, "not_ready").status, 200, "carol asks to be Not Ready afterwards")
    ag.keys("x")
    ag.expect("OFFERED", "x: the offer leaves the screen", gone=True)
    cb = s.wait_callback(cid, sup, lambda c: c["location"] == QUEUE)
    t.is_((cb["location"], cb["holder"], cb["attempts"]), (QUEUE, None, 0), "the server: back in the queue")
    t.is_(history_states(cb), ["cancel", "rejected"], "the attempt: rejected")
    ag.expect(r"│\s+Not Ready\s+│", "carol Not Ready (as asked during the offer)")

    # ---- 4. an offer times out -----------------------------------------------------
    r = s.set_timing(2, sup, offer_timeout_s=5)
    t.is_(r.status, 200, "Support: offer_timeout_s 5")
    ag.keys("r")
    scr = ag.expect(r"OFFERED — callback %d" % cid, "r: offered again")
    ag.expect(r"0:0[0-5] left to accept", "the countdown starts from 5 s", timeout=2)
    t0 = time.time()
    scr = ag.wait("OFFERED", 9, gone=True)
    took = time.time() - t0
    t.ok(scr is not None and took < 8, "left alone, the offer leaves the screen (after %.1f s)" % took)
    ag.expect(r"│\s+Not Ready\s+│", "carol is Not Ready after the time-out")
    ag.shot("after the offer timed out")
    cb = s.wait_callback(cid, sup, lambda c: c["location"] == QUEUE)
    t.is_((cb["location"], cb["holder"]), (QUEUE, None), "the server: back in the queue")
    t.is_(history_states(cb), ["cancel", "rejected", "redirected"], "the attempt: redirected")
    t.is_(s.presence(carol), "not_ready", "the server: carol not_ready")
    s.set_timing(2, sup, offer_timeout_s=30)

    # ---- 5. accept, connected, Handled ------------------------------------------
    ag.keys("r")
    ag.expect(r"OFFERED — callback %d" % cid, "r: offered once more")
    ag.keys("a")
    scr = ag.expect(r"DIALING — callback %d" % cid, "a: DIALING")
    ag.expect(re.escape(" Dial %s now " % dest), "the number to dial")
    ag.expect(r"no answer in [01]:\d\d", "the no-answer countdown")
    ag.expect(re.escape("[c] Connected   [v] Voicemail   [X] Cancel"), "Connected, Voicemail, Cancel")
    cb = s.callback(cid, sup)
    t.is_((cb["state"], cb["holder"]), ("dialing", "carol"), "the server: dialing, held by carol")
    ag.keys("c")
    scr = ag.expect(r"HANDLING — callback %d" % cid, "c: HANDLING")
    ag.expect(r"talk time 0:0\d", "with the talk time")
    t.is_(s.callback(cid, sup)["state"], "handling", "the server: handling")
    ag.keys("e")
    scr = ag.expect(DIALOG, "e: the completion dialog")
    ag.expect(re.escape("(•) 1  Handled  (default)"), "Handled first, preselected, the default")
    t.ok(scr and "Cancel" not in dialog(scr), "no Cancel while handling", dialog(scr or ""))
    ag.shot("the completion dialog while handling")
    ag.keys("Enter")
    ag.expect("HANDLING", "Enter: the interaction box is gone", gone=True)
    cb = s.wait_callback(cid, sup, lambda c: c["location"] == "completed")
    t.is_((cb["location"], cb["end_state"]), ("completed", "handled"), "the server: completed, handled")
    t.is_(history_states(cb), ["cancel", "rejected", "redirected", "handled"],
          "its history: cancel, rejected, redirected, handled")
    last = (cb.get("history") or [{}])[-1]
    t.is_((last.get("agent"), last.get("connect")), ("carol", "live"), "the last attempt: carol, live")
    ag.expect(r"│\s+Ready\s+│", "carol Ready again")

    # ---- 6. the other statuses ------------------------------------------------------
    def offer(destination):
        r = s.create_callback(sup, destination=destination, bp="Support", routing="agent", agent="carol",
                              tz="UTC", due_at=iso(time.time()))
        i = r.json["id"] if r.status == 201 else 0
        ag.expect(r"OFFERED — callback %d" % i, "%s due now: offered" % destination)
        return i

    def complete(i, status, connect, pick, default):
        ag.keys("e")
        ag.expect(DIALOG, "e: the completion dialog")
        ag.expect(re.escape("(•) 1  %s  (default)" % default), "%s is the default" % default)
        t.ok(ag.choose_status(pick), "%s chosen" % pick)
        ag.keys("Enter")
        ag.expect("callback %d" % i, "Enter: the interaction box is gone", gone=True)
        cb = s.wait_callback(i, sup, lambda c: c["state"] is None)
        h = (cb.get("history") or [{}])[-1]
        t.is_((h.get("state"), h.get("agent"), h.get("connect")), (status, "carol", connect),
              "the server: the attempt %s by carol, connect %s" % (status, connect))
        return cb

    i = offer("+442079460501")
    ag.keys("a")
    ag.expect("DIALING — callback %d" % i, "a: DIALING")
    ag.keys("v")
    ag.expect("HANDLING — callback %d" % i, "v (voicemail): HANDLING")
    t0 = time.time()
    cb = complete(i, "answering_machine", "voicemail", "Answering Machine", "Handled")
    due = parse_instant(cb["due_at"])
    t.is_((cb["location"], cb["attempts"], cb["end_state"]), ("pending", 1, None),
          "Answering Machine: back Pending, attempts 1")
    t.ok(abs(due - (t0 + 15 * 60)) < 60, "due again in 15 minutes (recall_min[0])", cb["due_at"])

    i = offer("+442079460502")
    ag.keys("a")
    scr = ag.expect("DIALING — callback %d" % i, "a: DIALING")
    cb = complete(i, "no_answer", None, "No Answer", "Cancel")
    t.is_((cb["location"], cb["attempts"], cb["end_state"]), ("pending", 1, None),
          "No Answer: back Pending, attempts 1")

    i = offer("+442079460503")
    ag.keys("a")
    ag.expect("DIALING — callback %d" % i, "a: DIALING")
    ag.keys("c")
    ag.expect("HANDLING — callback %d" % i, "c: HANDLING")
    cb = complete(i, "wrong_destination", "live", "Wrong Destination", "Handled")
    t.is_((cb["location"], cb["end_state"]), ("completed", "wrong_destination"),
          "Wrong Destination: completed, end_state wrong_destination")

    # ---- 7. dialing times out ----------------------------------------------------------
    r = s.set_timing(2, sup, no_answer_s=5)
    t.is_(r.status, 200, "Support: no_answer_s 5")
    i = offer("+442079460504")
    ag.keys("a")
    scr = ag.expect("DIALING — callback %d" % i, "a: DIALING")
    ag.expect(r"no answer in 0:0[0-5]", "the no-answer countdown from 5 s", timeout=2)
    scr = ag.expect("DIALING STOPPED — no answer in time", "at the time-out: DIALING STOPPED", timeout=9)
    scr = ag.expect(DIALOG, "the completion dialog comes up by itself")
    t.ok(scr and "[c] Connected" not in scr and "c Connected" not in ag.keybar(),
         "no Connected any more")
    ag.shot("dialing stopped")
    dlg = dialog(scr or "")
    ag.expect(re.escape("(•) 1  No Answer  (default)"), "No Answer first and preselected")
    t.ok("Cancel" not in dlg and "Handled" not in dlg and "Answering Machine" not in dlg,
         "no Cancel, Handled or Answering Machine after the time-out")
    ag.shot("the completion dialog after the time-out")
    ag.keys("Enter")
    ag.expect("DIALING STOPPED", "Enter: the interaction box is gone", gone=True)
    cb = s.wait_callback(i, sup, lambda c: c["state"] is None)
    t.is_((cb["location"], cb["attempts"], history_states(cb)), ("pending", 1, ["no_answer"]),
          "the server: back Pending, attempts 1, attempt no_answer")
t.done()
