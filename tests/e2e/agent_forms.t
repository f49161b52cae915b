#!/usr/bin/python3
# cb-agent's scheduling form in tmux (80x24) against a real cbd with the demo
# data (issue 5, "Scheduling form"), logged in as carol (Support Team):
#
#  1. From the panel (s): only date and time are filled; a destination is
#     typed, BP Support chosen, a date three days ahead at 10:30, the zone
#     found by typing "new y" and picked from the list (America/New_York),
#     routing Agent / carol, a remark. The server stores it: destination,
#     bp, tz, due_at (10:30 in New York that day, by zoneinfo), routing,
#     agent, remark, origin panel; the header's pending count goes up.
#  2. Bad input in every field, one at a time in one form, each caught with
#     an error beside its field and in full above the key line, the typed
#     text kept, nothing stored (the server's count of callbacks does not
#     move): destination not a number, a bad date, a bad time, an unknown
#     zone, a time in the past, a time in New York's spring-forward gap,
#     a destination the server refuses (do-not-call list: "Not saved: ..."),
#     and a remark longer than 500 characters.
#  3. Callback Requested: an offer accepted, connected, ended with Callback
#     Requested opens "Callback Requested — new time" (destination and BP
#     fixed, the zone kept); a past time is refused there too; a new date
#     and time saved: the server has the same callback Pending with the new
#     due_at, the attempt callback_requested, attempts kept.
#  4. An agent whose profile may not schedule callbacks (nora, Support
#     Team, without can_schedule) is told so on s instead of seeing the form.
import datetime
import os
import re
import sys
import time
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from cbdtest import Server, Tap, V1, add_agent, iso  # noqa: E402
from tmuxtest import Agent  # noqa: E402

NY = ZoneInfo("America/New_York")
UTC = datetime.timezone.utc
t = Tap()


# a form drawn whole: its title down to its key line
FORM = r"(?s)%s.*Enter save · Tab"


def count(s, tok):
    return len(s.callbacks(tok, limit=500))


def zone_list(scr):
    """The zones listed under the zone field (the rows below it that hold
    a zone name where the field's value starts)."""
    lines = scr.split("\n")
    for i, line in enumerate(lines):
        if "Customer Time Zone" in line:
            col = line.index("Customer Time Zone") + len("Customer Time Zone")
            while col < len(line) and line[col] == " ":
                col += 1
            out = []
            for l2 in lines[i + 1:]:
                m = re.match(r"\s{0,2}([A-Za-z_]+/[A-Za-z_/+-]+)\b", l2[col - 1:col + 40] if len(l2) >= col else "")
                if not m:
                    break
                out.append(m.group(1))
            return out
    return None


def next_gap(now):
    """The first spring-forward gap in New York after now: (date, "02:30")."""
    d = now.astimezone(NY).date()
    for i in range(1, 366):
        day = d + datetime.timedelta(days=i)
        local = datetime.datetime(day.year, day.month, day.day, 2, 30, tzinfo=NY)
        back = local.astimezone(UTC).astimezone(NY)
        if (back.hour, back.minute) != (2, 30):
            return day.isoformat(), "02:30"
    return None, None


srv = Server(t, args=["--grace-s", "3600"])
add_agent(srv, "nora", ["Support Team"], can_schedule=False)
with srv as s, Agent(t, s, "carol") as ag:
    sup, carol = s.login("sup"), s.login("carol")
    ag.expect(r"Carol Diaz \(carol\).*Pending 2 .*● connected", "carol logged in, Pending 2, connected")

    # ---- 1. schedule from the panel, zone found by typing "new y" ----------
    ag.keys("p")
    ag.expect(r"Pending callbacks \(2\)", "the pending panel opens")
    before = time.time()
    ag.keys("s")
    scr = ag.expect(FORM % "Schedule a Callback", "s opens the scheduling form")
    filled = set()
    for ts in (before, time.time()):
        q = int(ts) + 15 * 60
        q -= q % (15 * 60)
        d = datetime.datetime.fromtimestamp(q, UTC)
        filled.add((d.strftime("%Y-%m-%d"), d.strftime("%H:%M")))
    row = lambda label: (ag.form_row(label, scr) or (None, None, None))[1]
    t.is_(row("Destination"), "", "from the panel: no destination")
    t.ok((row("Date"), row("Start Time")) in filled,
         "from the panel: date and time filled with the next quarter hour",
         "got %r, want one of %r" % ((row("Date"), row("Start Time")), filled))
    t.is_(ag.form_focused(scr), "Destination", "the focus starts on Destination")

    day = (datetime.datetime.now(NY) + datetime.timedelta(days=3)).date().isoformat()
    ag.type("+1 212 555 0199")
    t.ok(ag.form_choose("Business Process", "Support"), "Business Process turned to Support with →")
    t.ok(ag.form_type("Date", day), "date typed")
    t.ok(ag.form_type("Start Time", "10:30"), "time typed")
    ag.form_focus("Customer Time Zone")
    ag.type("new y")
    scr = ag.expect(lambda s: zone_list(s) == ["America/New_York"],
                    "typing \"new y\" lists America/New_York, and only it")
    ag.shot("the zone list after typing \"new y\"")
    ag.keys("Down", "Enter")
    scr = ag.wait(lambda s: (ag.form_row("Customer Time Zone", s) or (0, ""))[1] == "America/New_York")
    t.ok(scr is not None, "↓ Enter picks America/New_York into the field", ag.last)
    t.ok(ag.form_choose("Routing Type", "Agent"), "routing Agent")
    t.ok(ag.form_choose("Agent / Team", "carol"), "agent carol")
    ag.form_type("Remark", "Wants the new price list")
    ag.expect(r"Slots of %s in America/New_York" % day, "the slot grid of that day in the customer's zone")
    ag.shot("the form filled in")
    n0 = count(s, sup)
    ag.keys("Enter")
    ag.expect("Callback for \\+1 212 555 0199 scheduled|Callback for \\+12125550199 scheduled",
              "the status line says it is scheduled")
    ag.expect(r"Pending 3 ", "the header's pending count goes to 3")
    ag.expect(r"Pending callbacks \(3\)", "the panel shows 3")
    ag.shot("after saving")
    found = s.callbacks(sup, number="+12125550199")
    t.is_(len(found), 1, "the server has one callback for +12125550199")
    cb = found[0] if found else {}
    want_due = datetime.datetime.fromisoformat(day + "T10:30").replace(tzinfo=NY).astimezone(UTC)
    t.is_((cb.get("destination"), cb.get("bp"), cb.get("tz"), cb.get("routing"), cb.get("agent"),
           cb.get("team")),
          ("+12125550199", "Support", "America/New_York", "agent", "carol", None),
          "stored: destination, BP, zone, routing, agent")
    t.is_(cb.get("due_at"), want_due.strftime("%Y-%m-%dT%H:%M:%SZ"),
          "stored: due_at is %s 10:30 in New York" % day)
    t.is_((cb.get("remark"), cb.get("origin"), cb.get("location"), cb.get("created_by")),
          ("Wants the new price list", "panel", "pending", "carol"), "stored: remark, origin panel, Pending, by carol")
    t.is_(count(s, sup), n0 + 1, "exactly one callback more")

    # ---- 2. bad input in every field -----------------------------------------
    r = s.post(V1 + "/dnc", sup, {"number": "+12125550123", "note": "asked not to be called"})
    t.is_(r.status, 201, "+12125550123 on the do-not-call list")
    ag.keys("s")
    ag.expect(FORM % "Schedule a Callback", "the form again")
    good = {"Destination": "+12125550177", "Date": day, "Start Time": "11:00",
            "Customer Time Zone": "America/New_York", "Remark": "second try"}
    for label, value in good.items():
        ag.form_type(label, value)
    ag.form_choose("Business Process", "Support")
    ag.form_choose("Agent / Team", "carol")
    now = datetime.datetime.now(NY)
    past = now - datetime.timedelta(hours=2)
    gap_date, gap_time = next_gap(now)
    t.ok(gap_date is not None, "a spring-forward gap within a year: %s %s" % (gap_date, gap_time))
    n0 = count(s, sup)
    cases = [
        # label, typed, its message, the line above the keys, other fields set first
        ("Destination", "12ab34", "contains letters", None, {}),
        ("Date", "2026-13-45", "month out of range 01-12 (YYYY-MM-DD)", None, {}),
        ("Date", "tomorrow", "not a date of the form YYYY-MM-DD", None, {}),
        ("Start Time", "25:61", "time out of range 00:00-23:59 (HH:MM)", None, {}),
        ("Start Time", "9.30", "not a time of the form HH:MM", None, {}),
        ("Customer Time Zone", "Mars/Olympus", "unknown time zone", None, {}),
        ("Start Time", past.strftime("%H:%M"), "in the past in the customer's zone", None,
         {"Date": past.strftime("%Y-%m-%d")}),
        ("Start Time", gap_time, "%s %s does not exist in America/New_York" % (gap_date, gap_time), None,
         {"Date": gap_date}),
        # refused by the server: beside the field all the same
        ("Destination", "+12125550123", "on the do-not-call list",
         ("Destination: on the do-not-call list", "Not saved: destination: on the do-not-call list"), {}),
    ]
    for label, typed, msg, full, others in cases:
        for l2, v2 in others.items():
            ag.form_type(l2, v2)
        ag.form_type(label, typed)
        if label == "Customer Time Zone":
            ag.expect("no zone matches", "an unknown zone: the list says no zone matches")
        ag.keys("Enter")

        def beside_ok(scr):
            b = (ag.form_row(label, scr) or (0, "", ""))[2]
            return len(b) >= 8 and msg.startswith(b.rstrip("…"))
        scr = ag.wait(beside_ok, 4)
        what = "%s %r" % (label, typed)
        t.ok(scr is not None, "%s: the error beside the field: %r" % (what, msg),
             "row: %r\n%s" % (ag.form_row(label), ag.last))
        scr = scr or ag.last
        got = ag.form_error_line(scr) or ""
        full = full or ("%s: %s" % (label, msg),)
        t.ok(any(got.startswith(f) for f in full), "%s: in full above the key line" % what,
             "got %r, want %r" % (got, full))
        fr = ag.form_row(label, scr) or (False, None, None)
        t.is_((fr[0], fr[1]), (True, typed), "%s: the focus is on the field, the typed text kept" % what)
        t.is_(count(s, sup), n0, "%s: nothing stored" % what)
        if typed in ("12ab34", gap_time, "+12125550123"):
            ag.shot("%s refused" % what)
        ag.form_type(label, good.get(label, ""))
        for l2 in others:
            ag.form_type(l2, good[l2])
    # the remark: at most 500 characters (the server's limit too)
    long = ("Customer asked for a call about the invoice. " * 12)[:510]
    ag.form_type("Remark", "")
    ag.type(long)
    ag.wait(lambda s: (ag.form_row("Remark", s) or (0, ""))[1].endswith((long[490:500], long[500:510])), 3)
    ag.keys("Enter")
    scr = ag.wait(lambda s: "Remark" in (ag.form_error_line(s) or "") or "scheduled" in s, 4)
    ag.shot("a remark of 510 characters, Enter")
    stored = s.callbacks(sup, number="+12125550177")
    t.ok(scr is not None and "Remark" in (ag.form_error_line(scr) or ""),
         "a 510-character remark: an error for the remark above the key line",
         "line: %r" % ag.form_error_line(ag.last))
    t.ok(len(stored) == 0, "a 510-character remark: nothing stored",
         "stored: %r" % [(c["id"], len(c["remark"]), c["remark"][-20:]) for c in stored])
    if stored:
        s.post(V1 + "/callbacks/%d/purge" % stored[0]["id"], sup)
    if ag.wait("Schedule a Callback", 0.5):
        ag.keys("Escape")
    ag.expect("Schedule a Callback", "Esc closes the form", gone=True)
    t.is_(count(s, sup), n0 + len(stored), "Esc stores nothing")

    # ---- 3. Callback Requested --------------------------------------------------
    ag.keys("p")
    ag.expect("Pending callbacks", "the panel closes", gone=True)
    ag.keys("r")
    ag.expect(r"│\s+Ready\s+│", "r: Ready")
    r = s.create_callback(sup, destination="+442079460333", bp="Support", routing="agent", agent="carol",
                          tz="Europe/London", due_at=iso(time.time()), remark="Call about the router")
    t.is_(r.status, 201, "a callback due now for carol")
    cid = r.json["id"] if r.status == 201 else 0
    ag.expect("OFFERED — callback %d" % cid, "it is offered")
    ag.keys("a")
    ag.expect("DIALING — callback %d" % cid, "accepted: Dialing")
    ag.keys("c")
    ag.expect("HANDLING — callback %d" % cid, "connected: Handling")
    ag.keys("e")
    ag.expect("Complete the callback", "e: the completion dialog")
    t.ok(ag.choose_status("Callback Requested"), "Callback Requested chosen")
    ag.keys("Enter")
    scr = ag.expect(FORM % "Callback Requested — new time",
                    "Enter opens the form \"Callback Requested — new time\"")
    ag.shot("the Callback Requested form")
    if scr:
        t.is_(ag.form_row("Destination", scr)[1], "+442079460333", "its destination is the callback's")
        t.is_(ag.form_row("Customer Time Zone", scr)[1], "Europe/London", "its zone is the callback's")
        t.is_(ag.form_focused(scr), "Date", "the focus starts on Date")
    # destination and BP cannot be focused: Shift-Tab from Date wraps to Remark
    ag.keys("BTab")
    ag.expect(lambda s: ag.form_focused(s) == "Remark", "destination and BP are fixed (skipped)")
    lon = datetime.datetime.now(ZoneInfo("Europe/London"))
    p = lon - datetime.timedelta(hours=3)
    ag.form_type("Date", p.strftime("%Y-%m-%d"))
    ag.form_type("Start Time", p.strftime("%H:%M"))
    ag.keys("Enter")
    scr = ag.expect(lambda s: "in the past" in (ag.form_row("Start Time", s) or (0, "", ""))[2],
                    "a past time is refused in the Callback Requested form too")
    cb = s.callback(cid, sup)
    t.is_((cb["location"], cb["state"]), ("handling_by_agent", "handling"), "nothing sent: still Handling")
    new_day = (lon + datetime.timedelta(days=2)).date().isoformat()
    ag.form_type("Date", new_day)
    ag.form_type("Start Time", "14:15")
    ag.keys("Enter")
    ag.expect("Callback rescheduled for \\+442079460333", "saved: \"Callback rescheduled for +442079460333\"")
    ag.expect("HANDLING", "the interaction box is gone", gone=True)
    ag.shot("after Callback Requested")
    cb = s.wait_callback(cid, sup, lambda c: c["location"] == "pending")
    want_due = datetime.datetime.fromisoformat(new_day + "T14:15").replace(
        tzinfo=ZoneInfo("Europe/London")).astimezone(UTC)
    t.is_((cb["location"], cb["state"], cb["holder"]), ("pending", None, None), "the server has it Pending")
    t.is_(cb["due_at"], want_due.strftime("%Y-%m-%dT%H:%M:%SZ"),
          "due_at is %s 14:15 in London" % new_day)
    t.is_((cb["tz"], cb["routing"], cb["agent"], cb["attempts"]), ("Europe/London", "agent", "carol", 0),
          "zone, routing and agent kept; attempts kept")
    h = cb.get("history") or [{}]
    t.is_((len(h), h[-1].get("state"), h[-1].get("agent"), h[-1].get("connect")),
          (1, "callback_requested", "carol", "live"), "the attempt: callback_requested by carol, live")
    t.is_(s.presence(carol), "ready", "carol is Ready again")

    # ---- 4. no scheduling for nora --------------------------------------------------
    with Agent(t, s, "nora") as ag2:
        ag2.expect(r"Nora \(nora\).*● connected", "nora logged in")
        ag2.keys("s")
        scr = ag2.expect("Your profile may not schedule callbacks; ask a supervisor",
                         "s: \"Your profile may not schedule callbacks; ask a supervisor\"")
        t.ok(scr and "Schedule a Callback" not in scr, "and no form")
t.done()
