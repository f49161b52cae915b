#!/usr/bin/python3
# Offers and what leads into Dialing (DESIGN.md §3, issue 4 "Tests that must
# exist"), against a real cbd with the test clock:
#   - a team callback goes to the Ready member idle the longest (both orders);
#     the `offer` event goes to that agent's stream only;
#   - a personal callback only to its agent; an agent holds one at a time;
#   - reject: back to the queue (attempt rejected), offered to another Ready
#     agent, not to the rejecting one within 60 s while another is Ready (and
#     to them again after 60 s); with nobody else Ready it comes back;
#   - offer time-out: back to the queue (redirected), the agent Not Ready;
#   - Preview (Sales, preview_s 10): accept → Preview, dial → Dialing, the
#     end of preview_s → Dialing by itself;
#   - Call Now on one's own Pending personal callback; refused (409 with the
#     reason) when the BP is Stopped, the agent already holds one, the
#     customer's calling hours forbid (in the customer's zone), for another
#     agent's callback; a refusal leaves it Pending;
#   - calling hours and the do-not-call list at every entry into Dialing:
#     accept without preview, dial from Preview, the end of Preview;
#   - supervisor purge and send-to-queue racing an offer;
#   - 50 concurrent clients accept / dial / connect / complete / call-now the
#     same callback: exactly one wins each step, one attempt in the history.
# The demo's Support callbacks are purged first; Sales is emptied (stopped,
# its held callbacks completed, Pending purged) and opened all week with
# calling hours 00:00-24:00 so the preview cases do not depend on New York's
# clock. Every agent keeps an event stream open (the grace period).
import datetime, os, sys, threading, time
from zoneinfo import ZoneInfo
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from cbdtest import Server, Tap, EventStream, V1, iso, parse_instant, wait_for

UTC = datetime.timezone.utc
CB = V1 + "/callbacks"
QUEUE = "handling_by_business_process"

t = Tap()
with Server(t, args=["--test-clock", "--grace-s", "3600"]) as s:
    sup = s.login("sup")
    tok = {u: s.login(u) for u in ("alice", "bob", "carol", "dave")}
    alice, bob, carol, dave = tok["alice"], tok["bob"], tok["carol"], tok["dave"]
    ev = {u: EventStream(s, tok[u]) for u in tok}
    t.is_(sorted((u, e.status) for u, e in ev.items()), [(u, 200) for u in sorted(tok)],
          "every agent keeps an event stream open")

    # -- a clean stage ---------------------------------------------------------
    s.purge_pending("Support", sup)
    t.is_(s.post(V1 + "/bps/Sales/stop", sup).status, 200, "stop Sales (its queued callbacks go back to Pending)")
    for who, status in (("alice", "handled"), ("bob", "wrong_destination")):
        h = s.held(tok[who])
        if h:
            if h["state"] == "handling" or h["state"] == "dialing":
                s.post(CB + "/%d/complete" % h["id"], tok[who], {"status": status})
    for u in tok:
        s.set_presence(tok[u], "not_ready")
    week = {d: ["00:00-24:00"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    r = s.set_timing("Sales", sup, schedule=week, calling_hours="00:00-24:00")
    t.is_((r.status, r.json["timing"]["preview_s"]), (200, 10), "Sales: open all week, calling 00:00-24:00, preview 10 s")
    # opened and stopped again, so its queued callbacks (queued by the demo
    # even while Off Schedule) are aborted back to Pending, then purged
    t.is_(s.post(V1 + "/bps/Sales/start", sup).status, 200, "start Sales (open now, nobody Ready)")
    t.is_(s.post(V1 + "/bps/Sales/stop", sup).status, 200, "stop Sales again")
    s.purge_pending("Sales", sup)
    left = [c["id"] for bp in ("Sales", "Support") for loc in ("pending", QUEUE, "handling_by_agent")
            for c in s.callbacks(sup, bp=bp, location=loc)]
    t.is_(left, [], "no open callback left in Sales or Support")
    t.is_([s.presence(tok[u]) for u in ("alice", "bob", "carol", "dave")], ["not_ready"] * 4,
          "every agent Not Ready")
    t.is_(s.post(V1 + "/bps/Sales/start", sup).status, 200, "start Sales")
    t.is_(s.bp("Sales", sup)["clbk_stat"], "active", "Sales is Active")

    seq = [0]

    def pump():
        for e in ev.values():
            e.pump(0)

    def new_cb(bp="Support", due=None, **over):
        seq[0] += 1
        b = {"destination": "+4420713%05d" % seq[0], "bp": bp, "routing": "team",
             "team": "Support Team" if bp == "Support" else "Sales Team",
             "tz": "UTC" if bp == "Support" else "America/New_York",
             "due_at": iso(due if due is not None else s.now())}
        b.update(over)
        r = s.create_callback(sup, **b)
        if r.status != 201:
            raise RuntimeError("create: %r" % r)
        return r.json["id"]

    def get(cid):
        return s.callback(cid, sup)

    def act(cid, what, who, body=None):
        return s.post(CB + "/%d/%s" % (cid, what), who, body)

    def offered(cid, who, timeout=5.0):
        pump()
        return s.wait_offer(who, cid, timeout) is not None

    def finish(cid, who):
        """Takes an offered callback to Completed (Wrong Destination)."""
        offered(cid, who)
        r = act(cid, "accept", who)
        if r.status == 200 and r.json["state"] == "preview":
            act(cid, "dial", who)
        return act(cid, "complete", who, {"status": "wrong_destination"}).status == 200

    def ready(*who):
        for w in who:
            s.set_presence(w, "ready")

    def not_ready(*who):
        for w in who:
            s.set_presence(w, "not_ready")

    def reset(name):
        """Between sections: every agent Not Ready, nothing open in Sales or
        Support (BPs stopped so queued and offered ones go back to Pending,
        held ones completed by their holder, Pending ones purged), so one
        section's failure does not spill into the next."""
        for w in tok.values():
            s.set_presence(w, "not_ready")
        for _ in range(3):
            for bp in ("Sales", "Support"):
                s.post(V1 + "/bps/%s/stop" % bp, sup)
            for bp in ("Sales", "Support"):
                for c in s.callbacks(sup, bp=bp, location="handling_by_agent"):
                    w = tok.get(c["holder"])
                    if w and c["state"] == "preview":
                        act(c["id"], "dial", w)
                    if w:
                        act(c["id"], "complete", w, {"status": "wrong_destination"})
                s.purge_pending(bp, sup)
            for bp in ("Sales", "Support"):
                s.post(V1 + "/bps/%s/start" % bp, sup)
            left = [c["id"] for bp in ("Sales", "Support") for loc in ("pending", QUEUE, "handling_by_agent")
                    for c in s.callbacks(sup, bp=bp, location=loc)]
            if not left:
                break
        busy = [u for u in tok if s.held(tok[u])]
        t.ok(not left and not busy, "(%s: a clean stage)" % name, (left, busy))
        pump()

    def quiet(cid, pred, secs=1.0):
        """pred(callback) stays true for secs (polling)."""
        end = time.time() + secs
        while time.time() < end:
            c = get(cid)
            if not pred(c):
                return c
            time.sleep(0.1)
        return True

    # ======================================================================
    # Longest idle, both orders; the offer event
    # ======================================================================
    for e in ev.values():
        e.pump(0.05)
        e.take()
    ready(dave)
    s.advance(2)
    ready(carol)
    x = new_cb()
    t.ok(offered(x, dave), "dave Ready 2 s before carol: the team callback goes to dave (idle the longest)")
    t.is_(s.held(carol), None, "... carol holds nothing")
    got = ev["dave"].wait(lambda e: [f for f in e.events("offer") if f["data"]["id"] == x], 3)
    t.ok(got, "... an `offer` event for it on dave's stream")
    d = got[0]["data"] if got else {}
    t.is_((d.get("state"), d.get("location"), d.get("holder"), d.get("destination")),
          ("offered", "handling_by_agent", "dave", get(x)["destination"]),
          "... carrying the callback: Offered, held by dave, its number")
    pump()
    t.is_([f for u in ("carol", "alice", "bob") for f in ev[u].events("offer")], [],
          "... and on no other agent's stream")
    finish(x, dave)  # dave Ready again now: carol is the longer idle
    y = new_cb()
    t.ok(offered(y, carol), "carol Ready longer than dave (who just finished): the next goes to carol")
    t.is_(s.held(dave), None, "... dave holds nothing")
    finish(y, carol)
    not_ready(carol, dave)

    # ======================================================================
    # Personal callbacks only to their agent
    # ======================================================================
    reset("personal")
    ready(dave)
    p = new_cb(routing="agent", agent="carol", team=None)
    c = quiet(p, lambda c: c["holder"] is None, 1.0)
    t.ok(c is True and get(p)["location"] == QUEUE, "carol's personal callback due now waits in the queue", c)
    t.is_(s.held(dave), None, "... it is not offered to dave, who is Ready")
    ready(carol)
    t.ok(offered(p, carol), "carol Ready: it is offered to carol")
    finish(p, carol)
    not_ready(carol, dave)

    # ======================================================================
    # One callback at a time
    # ======================================================================
    reset("one at a time")
    ready(carol)
    a = new_cb(due=s.now() - 60)
    b = new_cb()
    first = wait_for(lambda: (s.held(carol) or {}).get("id"), 5)
    second = b if first == a else a
    t.ok(first in (a, b), "two due callbacks: one is offered to carol", first)
    c = quiet(second, lambda c: c["location"] == QUEUE and c["holder"] is None, 1.0)
    t.ok(c is True, "... the other waits in the queue while she holds the first", c)
    r = act(first, "accept", carol)
    t.is_((r.status, get(second)["location"]), (200, QUEUE), "... still waiting while she dials the first")
    r = act(first, "complete", carol, {"status": "wrong_destination"})
    t.ok(r.status == 200 and offered(second, carol), "the first completed: the second is offered to her")
    finish(second, carol)
    not_ready(carol)

    # ======================================================================
    # Reject
    # ======================================================================
    reset("reject")
    # no_answer_s 300 here: dave keeps it in Dialing across the 60 s
    t.is_(s.set_timing("Support", sup, no_answer_s=300).status, 200, "Support: no_answer_s 300 for the reject case")
    ready(carol)
    s.advance(2)
    ready(dave)
    x = new_cb()
    t.ok(offered(x, carol), "reject: carol (idle the longest) is offered the callback")
    r = act(x, "reject", carol)
    t_rej = s.now()
    t.is_((r.status, (r.json or {}).get("location"), (r.json or {}).get("holder"), (r.json or {}).get("attempts")),
          (200, QUEUE, None, 0), "carol rejects: 200, back to the queue, attempts 0 (no increment)")
    h = get(x)["history"]
    t.is_([(a_["state"], a_["agent"]) for a_ in h], [("rejected", "carol")], "... attempt row: rejected, carol")
    t.ok(offered(x, dave), "... it is offered to dave, who is Ready")
    t.ok(wait_for(lambda: s.presence(carol) == "ready", 3), "... carol is Ready again")
    r = act(x, "accept", dave)
    r = act(x, "complete", dave, {"status": "cancel"})
    t.is_((r.status, (r.json or {}).get("location")), (200, QUEUE), "dave accepts and cancels: back to the queue")
    t.ok(offered(x, dave), "within 60 s of carol's reject it goes to dave again, though carol is idle longer")
    t.is_(s.held(carol), None, "... carol is not offered it")
    act(x, "accept", dave)
    s.advance(t_rej + 61 - s.now())
    r = act(x, "complete", dave, {"status": "cancel"})
    t.is_(r.status, 200, "61 s after the reject, dave cancels again")
    t.ok(offered(x, carol), "... now it goes to carol (idle the longest; her 60 s are over)")
    not_ready(dave)
    r = act(x, "reject", carol)
    t.is_(r.status, 200, "carol rejects it again while nobody else is Ready")
    t.ok(offered(x, carol, 3), "... it comes back to her (no other eligible agent Ready)")
    t.is_([a_["state"] for a_ in get(x)["history"]], ["rejected", "cancel", "cancel", "rejected"],
          "history: rejected, cancel, cancel, rejected")
    finish(x, carol)
    not_ready(carol)
    t.is_(s.set_timing("Support", sup, no_answer_s=60).status, 200, "Support: no_answer_s 60 again")

    # ======================================================================
    # Offer time-out
    # ======================================================================
    reset("offer time-out")
    ready(carol)
    x = new_cb()
    t.ok(offered(x, carol), "time-out: offered to carol")
    s.advance(28)
    time.sleep(0.3)
    t.is_(get(x)["state"], "offered", "28 s later (offer_timeout_s 30): still offered")
    s.advance(3)
    c = s.wait_callback(x, sup, lambda c: c["state"] != "offered")
    t.is_((c["location"], c["holder"], c["attempts"]), (QUEUE, None, 0),
          "31 s: back to the queue, attempts unchanged")
    t.is_([(a_["state"], a_["agent"]) for a_ in c["history"]], [("redirected", "carol")],
          "... attempt row: redirected, carol")
    t.is_(s.presence(carol), "not_ready", "... carol is set Not Ready")
    c = quiet(x, lambda c: c["location"] == QUEUE, 0.8)
    t.ok(c is True, "... and it waits in the queue (nobody Ready)", c)
    ready(dave)
    t.ok(offered(x, dave), "dave Ready: it is offered to dave")
    finish(x, dave)
    not_ready(dave)

    # ======================================================================
    # Preview (Sales, preview_s 10), bob
    # ======================================================================
    reset("preview")
    ready(bob)
    x = new_cb("Sales")
    t.ok(offered(x, bob), "Sales: offered to bob")
    r = act(x, "dial", bob)
    t.is_(r.status, 409, "dial while Offered: 409")
    r = act(x, "accept", bob)
    j = r.json or {}
    t.is_((r.status, j.get("state"), j.get("location"), j.get("holder")), (200, "preview", "handling_by_agent", "bob"),
          "accept with preview_s 10: Preview")
    r = act(x, "connected", bob, {"kind": "live"})
    t.is_(r.status, 409, "connected while in Preview: 409")
    r = act(x, "dial", bob)
    t.is_((r.status, (r.json or {}).get("state")), (200, "dialing"), "dial: Dialing")
    r = act(x, "dial", bob)
    t.is_(r.status, 409, "dial again: 409")
    act(x, "complete", bob, {"status": "wrong_destination"})

    x = new_cb("Sales")
    offered(x, bob)
    r = act(x, "accept", bob)
    t.is_((r.status, (r.json or {}).get("state")), (200, "preview"), "second: Preview")
    s.advance(8)
    time.sleep(0.3)
    t.is_(get(x)["state"], "preview", "8 s later: still Preview")
    s.advance(3)
    c = s.wait_callback(x, sup, lambda c: c["state"] != "preview")
    t.is_((c["state"], c["holder"], c["location"]), ("dialing", "bob", "handling_by_agent"),
          "11 s: Dialing by itself, still bob's")
    act(x, "complete", bob, {"status": "wrong_destination"})

    # the do-not-call list at dial from Preview, and at the end of Preview
    x = new_cb("Sales")
    number = get(x)["destination"]
    offered(x, bob)
    act(x, "accept", bob)
    t.is_(s.post(V1 + "/dnc", sup, {"number": number}).status, 201, "the number is put on the do-not-call list")
    r = act(x, "dial", bob)
    msg = ((r.json or {}).get("error") or {}).get("message", "")
    t.ok(r.status == 409 and "do-not-call" in msg, "dial from Preview: 409 saying do-not-call", r)
    c = get(x)
    t.ok(c["state"] != "dialing" and c["attempts"] == 0 and c["end_state"] is None,
         "... it was not dialed (not Dialing, attempts 0)", c)
    t.ok(c["location"] == QUEUE or (c["state"] == "offered"), "... it went back to the queue", c)
    c = quiet(x, lambda c: c["location"] == QUEUE and c["holder"] is None, 1.0)
    t.ok(c is True, "... and waits there, not offered again while the number is on the list "
         "(\"goes back to the queue until it may\")", c)
    t.is_(s.delete(V1 + "/dnc/" + number.replace("+", "%2B"), sup).status, 200, "the number leaves the list")
    t.ok(offered(x, bob, 4), "... now it is offered again")
    act(x, "accept", bob)
    s.post(V1 + "/dnc", sup, {"number": number})
    s.advance(11)
    c = s.wait_callback(x, sup, lambda c: c["state"] != "preview")
    t.ok(c["state"] != "dialing" and c["attempts"] == 0, "end of Preview with the number on the list: not Dialing", c)
    t.is_([a_["agent"] for a_ in c["history"]], ["bob", "bob"], "history: the two refused entries, both bob's")
    s.delete(V1 + "/dnc/" + number.replace("+", "%2B"), sup)
    finish(x, bob)
    not_ready(bob)

    # ======================================================================
    # Do-not-call and calling hours at accept (Support, no preview)
    # ======================================================================
    reset("accept checks")
    ready(carol)
    x = new_cb()
    number = get(x)["destination"]
    t.ok(offered(x, carol), "Support: offered to carol")
    s.post(V1 + "/dnc", sup, {"number": number})
    r = act(x, "accept", carol)
    msg = ((r.json or {}).get("error") or {}).get("message", "")
    t.ok(r.status == 409 and "do-not-call" in msg, "accept of a number put on the do-not-call list after the "
         "offer: 409 saying do-not-call", r)
    c = get(x)
    t.ok(c["state"] != "dialing" and c["attempts"] == 0, "... not dialed", c)
    c = quiet(x, lambda c: c["location"] == QUEUE and c["holder"] is None, 1.0)
    t.ok(c is True, "... back in the queue, not offered again while on the list", c)
    s.delete(V1 + "/dnc/" + number.replace("+", "%2B"), sup)
    t.ok(offered(x, carol, 4), "off the list: offered again")
    finish(x, carol)

    x = new_cb(tz="Asia/Tokyo")
    t.ok(offered(x, carol), "a customer in Tokyo: offered to carol")
    th = datetime.datetime.fromtimestamp(s.now(), ZoneInfo("Asia/Tokyo")).hour
    window = "14:00-16:00" if th < 12 else "02:00-04:00"
    t.is_(s.set_timing("Support", sup, calling_hours=window).status, 200,
          "Support calling hours %s (Tokyo is at %02d h)" % (window, th))
    r = act(x, "accept", carol)
    msg = ((r.json or {}).get("error") or {}).get("message", "")
    t.ok(r.status == 409 and "calling hours" in msg, "accept outside the customer's calling hours: 409 saying so", r)
    c = get(x)
    t.ok(c["state"] != "dialing" and c["attempts"] == 0, "... not dialed", c)
    c = quiet(x, lambda c: c["location"] == QUEUE and c["holder"] is None, 1.0)
    t.ok(c is True, "... back in the queue, not offered while the hours forbid", c)
    t.is_(s.set_timing("Support", sup, calling_hours="00:00-24:00").status, 200, "calling hours 00:00-24:00 again")
    t.ok(offered(x, carol, 4), "... now it may be dialed: offered again")
    finish(x, carol)
    not_ready(carol)

    # ======================================================================
    # Call Now
    # ======================================================================
    reset("call now")
    tomorrow = s.now() + 86400
    mine = new_cb(due=tomorrow, routing="agent", agent="carol", team=None)
    r = act(mine, "call-now", carol)
    j = r.json or {}
    c = get(mine)
    t.is_((r.status, c["state"], c["location"], c["holder"], c["attempts"]),
          (200, "dialing", "handling_by_agent", "carol", 0),
          "Call Now on carol's own Pending callback due tomorrow (carol Not Ready): Dialing at once")
    c.pop("history")
    t.is_(j, c, "... the reply is the updated callback (as GET shows it)")
    t.is_(s.presence(carol), "busy", "... carol is Busy")
    other = new_cb(due=tomorrow, routing="agent", agent="carol", team=None)
    r = act(other, "call-now", carol)
    msg = ((r.json or {}).get("error") or {}).get("message", "")
    t.ok(r.status == 409 and msg, "Call Now while holding another: 409 with a reason (%s)" % msg, r)
    t.is_(act(mine, "call-now", carol).status, 409, "Call Now on the one being dialed: 409")
    b4 = s.now()
    r = act(mine, "complete", carol, {"status": "no_answer"})
    af = s.now()
    j = r.json or {}
    due = parse_instant(j.get("due_at"))
    t.ok(r.status == 200 and j["attempts"] == 1 and j["location"] == "pending" and b4 + 900 <= due <= af + 900,
         "an attempt like any other: No Answer → attempts 1, Pending, recall 15 min", j)
    t.is_([(a_["state"], a_["agent"]) for a_ in get(mine)["history"]], [("no_answer", "carol")],
          "... history: no_answer by carol")
    s.post(CB + "/%d/purge" % mine, sup)

    before = get(other)
    t.is_(s.post(V1 + "/bps/Support/stop", sup).status, 200, "stop Support")
    r = act(other, "call-now", carol)
    msg = ((r.json or {}).get("error") or {}).get("message", "")
    t.ok(r.status == 409 and "stopped" in msg, "Call Now while the BP is Stopped: 409 saying so", r)
    t.is_(s.post(V1 + "/bps/Support/start", sup).status, 200, "start Support")

    daves = new_cb(due=tomorrow, routing="agent", agent="dave", team=None)
    r = act(daves, "call-now", carol)
    t.ok(r.status == 409 and ((r.json or {}).get("error") or {}).get("message"),
         "Call Now on dave's callback as carol: 409 with a reason", r)
    t.is_(get(daves)["location"], "pending", "... it stays Pending")
    team = new_cb(due=tomorrow)
    t.is_(act(team, "call-now", carol).status, 409, "Call Now on a team callback: 409 (not her own)")

    tokyo = new_cb(due=tomorrow, routing="agent", agent="carol", team=None, tz="Asia/Tokyo")
    utc = new_cb(due=tomorrow, routing="agent", agent="carol", team=None, tz="UTC")
    h = datetime.datetime.fromtimestamp(s.now(), UTC).hour
    window = "%02d:00-%02d:00" % (h, min(h + 2, 24))
    t.is_(s.set_timing("Support", sup, calling_hours=window).status, 200,
          "Support calling hours %s: UTC now inside, Tokyo now outside" % window)
    r = act(tokyo, "call-now", carol)
    msg = ((r.json or {}).get("error") or {}).get("message", "")
    t.ok(r.status == 409 and "calling hours" in msg, "Call Now for a customer in Tokyo: 409 (calling hours)", r)
    t.is_((get(tokyo)["location"], get(tokyo)["attempts"]), ("pending", 0), "... it stays Pending")
    t.is_(get(other), before, "the refused Call Nows left carol's callback as it was")
    r = act(utc, "call-now", carol)
    t.is_((r.status, (r.json or {}).get("state")), (200, "dialing"),
          "the same hours allow a customer in UTC: Call Now works (the customer's zone decides)")
    act(utc, "complete", carol, {"status": "wrong_destination"})
    t.is_(s.set_timing("Support", sup, calling_hours="00:00-24:00").status, 200, "calling hours 00:00-24:00 again")
    s.post(V1 + "/dnc", sup, {"number": get(other)["destination"]})
    r = act(other, "call-now", carol)
    msg = ((r.json or {}).get("error") or {}).get("message", "")
    t.ok(r.status == 409 and "do-not-call" in msg, "Call Now for a number on the do-not-call list: 409", r)
    t.is_(get(other)["location"], "pending", "... it stays Pending")
    for cid in (other, daves, team, tokyo):
        s.post(CB + "/%d/purge" % cid, sup)
    t.ok(wait_for(lambda: s.presence(carol) == "not_ready", 3), "carol back to Not Ready after her Call Now")

    # ======================================================================
    # Supervisor purge and send-to-queue racing an offer
    # ======================================================================
    reset("purge and queue")
    ready(carol)
    q = new_cb(due=s.now() + 86400)
    r = s.post(CB + "/%d/queue" % q, sup)
    t.is_((r.status, (r.json or {}).get("location") in (QUEUE, "handling_by_agent")), (200, True),
          "send a Pending callback (due tomorrow) to the queue")
    t.ok(offered(q, carol), "... carol is Ready: it is offered to her")
    r = s.post(CB + "/%d/purge" % q, sup)
    t.is_((r.status, r.error()[0]), (409, "conflict"), "purge while it is offered: 409 (not Pending)")
    r = s.post(CB + "/%d/queue" % q, sup)
    t.is_((r.status, r.error()[0]), (409, "conflict"), "send-to-queue while offered: 409")
    c = get(q)
    t.is_((c["state"], c["holder"], c["end_state"]), ("offered", "carol", None), "... still offered to carol")
    finish(q, carol)

    def at_once(calls):
        """Runs the (method, path, token, body) calls at the same moment; returns the Replies."""
        out = [None] * len(calls)
        gate = threading.Barrier(len(calls))

        def run(i, m, path, tk, body):
            gate.wait()
            try:
                out[i] = s.request(m, path, tk, body=body)
            except Exception as e:  # a refused connection counts as a failure
                out[i] = e
        th_ = [threading.Thread(target=run, args=(i,) + c_) for i, c_ in enumerate(calls)]
        for x_ in th_:
            x_.start()
        for x_ in th_:
            x_.join(60)
        return out

    outcomes = []
    for k in range(6):
        q = new_cb(due=s.now() + 86400)
        r1, r2 = at_once([("POST", CB + "/%d/queue" % q, sup, None), ("POST", CB + "/%d/purge" % q, sup, None)])
        c = get(q)
        if r1.status == 200:
            good = r2.status == 409 and c["end_state"] is None and offered(q, carol)
            if good:
                finish(q, carol)
        else:
            good = r1.status == 409 and r2.status == 200 and c["end_state"] == "purged" and s.held(carol) is None
        outcomes.append(((r1.status, r2.status), good))
    t.ok(all(g for _, g in outcomes), "send-to-queue and purge at once, 6 times: exactly one wins, and the "
         "callback is where the winner put it", outcomes)

    outcomes = []
    for k in range(6):
        q = new_cb(due=s.now() + 30)
        adv = threading.Thread(target=s.advance, args=(31,))
        r = [None]

        def purge():
            r[0] = s.post(CB + "/%d/purge" % q, sup)
        pt = threading.Thread(target=purge)
        both = [adv, pt] if k % 2 else [pt, adv]
        for x_ in both:
            x_.start()
        for x_ in both:
            x_.join()
        time.sleep(0.2)
        c = get(q)
        if r[0].status == 200:
            good = c["end_state"] == "purged" and c["history"][-1]["state"] == "purged" and s.held(carol) is None
        else:
            good = r[0].status == 409 and c["end_state"] is None and c["location"] != "pending"
            good = good and offered(q, carol) and finish(q, carol)
        outcomes.append((r[0].status, good))
    t.ok(all(g for _, g in outcomes), "purge while the callback falls due and is offered, 6 times: either purged "
         "(never offered) or offered (purge 409)", outcomes)
    not_ready(carol)

    # ======================================================================
    # The race: 50 clients at once on one callback
    # ======================================================================
    reset("race")
    carol2 = s.login("carol", "carol-demo")  # a second token of carol's
    ready(carol)
    s.advance(2)
    ready(dave)
    t.is_(s.set_timing("Support", sup, preview_s=30).status, 200, "Support: preview_s 30 (so dial has a step)")
    x = new_cb()
    t.ok(offered(x, carol), "race: offered to carol")
    others = [dave, alice, bob]

    def race(step, body=None):
        calls = [("POST", CB + "/%d/%s" % (x, step), carol if i % 2 else carol2, body) for i in range(35)]
        calls += [("POST", CB + "/%d/%s" % (x, step), others[i % 3], body) for i in range(15)]
        rs = at_once(calls)
        st = [getattr(r_, "status", r_) for r_ in rs]
        wins = [i for i, v in enumerate(st) if v == 200]
        t.ok(len(wins) == 1 and wins[0] < 35 and st.count(409) == 49,
             "50 clients %s at once (35 as carol, 15 as others): exactly one 200 (carol's), 49 × 409" % step,
             sorted(set(map(str, st))))
        return rs

    race("accept")
    c = get(x)
    t.is_((c["state"], c["holder"], c["history"]), ("preview", "carol", []), "after the accept race: Preview, carol's")
    t.is_([s.held(o) for o in others], [None] * 3, "... nobody else holds it")
    race("dial")
    c = get(x)
    t.is_((c["state"], c["holder"]), ("dialing", "carol"), "after the dial race: Dialing, carol's")
    race("connected", {"kind": "live"})
    t.is_(get(x)["state"], "handling", "after the connected race: Handling")
    race("complete", {"status": "handled"})
    c = get(x)
    t.is_((c["location"], c["end_state"], c["holder"], c["attempts"]), ("completed", "handled", None, 0),
          "after the complete race: Completed, Handled")
    t.is_([(a_["state"], a_["agent"], a_["connect"]) for a_ in c["history"]], [("handled", "carol", "live")],
          "the history has exactly one attempt")
    t.is_([s.held(w) for w in (carol, dave)], [None, None], "nobody holds it")
    t.is_(s.set_timing("Support", sup, preview_s=0).status, 200, "Support: preview_s 0")
    not_ready(dave)

    x = new_cb(due=s.now() + 86400, routing="agent", agent="carol", team=None)
    race("call-now")
    c = get(x)
    t.is_((c["state"], c["holder"]), ("dialing", "carol"), "after the Call Now race: Dialing, carol's, once")
    race("complete", {"status": "no_answer"})
    c = get(x)
    t.is_((c["attempts"], c["location"], len(c["history"])), (1, "pending", 1),
          "after the No Answer race: attempts 1 (not 2), one attempt row")

    # ======================================================================
    # A BP stopped while Off Schedule: what waits in its queue goes back
    # ======================================================================
    reset("stop while off schedule")
    closed = {d: [] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    r = s.set_timing("Sales", sup, schedule=closed)
    t.is_((r.status, s.bp("Sales", sup)["clbk_stat"]), (200, "off_schedule"), "Sales closed all week: Off Schedule HRS")
    x = new_cb("Sales", due=s.now() + 86400)
    r = s.post(CB + "/%d/queue" % x, sup)
    t.is_((r.status, get(x)["location"]), (200, QUEUE), "send-to-queue while Off Schedule: it waits in the queue")
    t.is_(s.post(V1 + "/bps/Sales/stop", sup).status, 200, "stop Sales")
    c = get(x)
    t.is_((c["location"], [a_["state"] for a_ in c["history"]]), ("pending", ["aborted"]),
          "a supervisor stops the BP while it is queued: Aborted, back to Pending (DESIGN.md §3)")
    s.post(V1 + "/bps/Sales/start", sup)

    for e in ev.values():
        e.close()
t.done()
