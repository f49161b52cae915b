#!/usr/bin/python3
# The admin commands run while cbd serves the same database (cbd.8: "a
# change takes effect at once"). The engine keeps BPs and agents' teams in
# memory; it notices another process's commit (PRAGMA data_version, looked
# at once a second when idle and before every batch) and reads them again.
#
#  1. cbd team member "Support Team" add erin while erin is Ready: a new
#     Support team callback is offered to her (carol, dave Not Ready).
#  2. ... remove erin: the next one is not offered to her; it waits in the
#     queue until carol is Ready.
#  3. cbd bp add Billing (open always, team Billing Team with erin): a team
#     callback in it is offered to erin; /stats has a row for Billing; every
#     stream gets a bp event for it (and none for a change that is no BP's,
#     such as cbd dnc add).
#  4. cbd bp set Billing closing its schedule today: the queued callback goes
#     back to Pending (the BP closed), clbk_stat off_schedule.
#  5. cbd user set erin --disabled yes, cbd user passwd carol (their tokens
#     revoked) while both are Ready: both logged out, so nothing more is
#     offered to consoles that can no longer answer.
#  6. Under load (creates from the API only) the engine never thinks the
#     database changed elsewhere: no reload logged.
import datetime, json, os, sys, time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from cbdtest import EventStream, Server, Tap, V1, cbd, iso, wait_for

t = Tap()
RELOAD = "changed by another process"


def admin(s, *args):
    r = cbd(*args[:2], "--db", s.db, *args[2:])
    t.ok(r.returncode == 0, "cbd %s" % " ".join(args), r.stderr)
    return r


def team_callback(s, sup, bp, team, n):
    r = s.create_callback(sup, destination="+4420794607%02d" % n, bp=bp, routing="team",
                          team=team, tz="UTC", due_at=iso(int(time.time())))
    t.ok(r.status == 201, "a %s callback due now" % team, r.text)
    return (r.json or {}).get("id")


with Server(t, args=["--grace-s", "3600"]) as s:
    sup = s.login("sup")
    # erin, added while serving (alice and bob hold demo callbacks)
    r = cbd("user", "add", "--db", s.db, "erin", "--name", "Erin", "--role", "agent",
            "--team", "Sales Team", "--password-stdin", input="erin-demo\n")
    t.ok(r.returncode == 0, "cbd user add erin (Sales Team)", r.stderr)
    tok = {u: s.login(u) for u in ("erin", "carol", "dave")}
    for u in tok:
        s.set_presence(tok[u], "not_ready")
    time.sleep(1.2)  # the engine has looked at the database once at least
    before = s.log_text().count(RELOAD)

    # ---- 1. a new member gets the team's callbacks --------------------------
    admin(s, "team", "member", "Support Team", "add", "erin")
    t.ok(wait_for(lambda: s.log_text().count(RELOAD) > before, 5), "the engine noticed the change")
    t.is_(s.set_presence(tok["erin"], "ready").status, 200, "erin Ready")
    cid = team_callback(s, sup, "Support", "Support Team", 1)
    held = s.wait_offer(tok["erin"], cid)
    t.ok(held is not None, "offered to erin, now in Support Team")
    t.is_(s.set_presence(tok["erin"], "not_ready").status, 200, "erin asks to be Not Ready afterwards")
    r = s.post(V1 + "/callbacks/%d/reject" % cid, tok["erin"])
    t.ok(r.status == 200, "erin rejects it", r.text)

    # ---- 2. a removed member does not ---------------------------------------
    n = s.log_text().count(RELOAD)
    admin(s, "team", "member", "Support Team", "remove", "erin")
    t.ok(wait_for(lambda: s.log_text().count(RELOAD) > n, 5), "the engine noticed the removal")
    t.is_(s.set_presence(tok["erin"], "ready").status, 200, "erin Ready again")
    cid2 = team_callback(s, sup, "Support", "Support Team", 2)
    time.sleep(1.5)
    held = s.held(tok["erin"])
    t.ok(held is None, "nothing offered to erin, out of Support Team", [held, s.log_text()[-3000:]])
    cb = s.callback(cid2, sup)
    t.is_(cb and cb["location"], "handling_by_business_process", "it waits in the queue")
    t.is_(s.set_presence(tok["carol"], "ready").status, 200, "carol Ready")
    t.ok(s.wait_offer(tok["carol"]) is not None, "and is offered to carol")
    s.set_presence(tok["erin"], "not_ready")

    # ---- 3. a new BP -------------------------------------------------------------
    timing = s.get(V1 + "/bps/2", sup).json["timing"]  # Support: open always
    ev = EventStream(s, sup)

    def bp_event(name, pred=lambda bp: True):
        def look(e):
            for f in e.events("bp"):
                bp = f["data"]
                if isinstance(bp, dict) and bp.get("name") == name and pred(bp):
                    return bp
            return None
        return ev.wait(look, 5)
    admin(s, "team", "add", "Billing Team")
    admin(s, "bp", "add", "Billing", "--tz", "UTC", "--routing", "team", "--team", "Billing Team",
          "--timing", json.dumps(timing))
    admin(s, "team", "member", "Billing Team", "add", "erin")
    t.ok(wait_for(lambda: any(r.get("bp") == "Billing"
                              for r in (s.get(V1 + "/stats", sup).json or {}).get("stats", [])), 5),
         "/stats has a row for Billing", s.get(V1 + "/stats", sup).text[:400])
    t.ok(bp_event("Billing") is not None, "every stream hears of Billing (a bp event)")
    t.is_(s.set_presence(tok["erin"], "ready").status, 200, "erin Ready")
    cid3 = team_callback(s, sup, "Billing", "Billing Team", 3)
    t.ok(s.wait_offer(tok["erin"], cid3) is not None, "a Billing team callback is offered to erin")
    t.is_(s.set_presence(tok["erin"], "not_ready").status, 200, "erin asks to be Not Ready afterwards")
    r = s.post(V1 + "/callbacks/%d/reject" % cid3, tok["erin"])
    t.ok(r.status == 200, "erin rejects it", r.text)
    cb = s.wait_callback(cid3, sup, lambda c: c["location"] == "handling_by_business_process")
    t.is_(cb and cb["location"], "handling_by_business_process", "rejected: back in the queue")

    # ---- 4. its schedule closed by cbd bp set ----------------------------------
    today = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
    admin(s, "bp", "set", "Billing", "--timing", json.dumps({"schedule": {"closed_dates": [today]}}))
    cb = s.wait_callback(cid3, sup, lambda c: c["location"] == "pending")
    t.is_(cb and cb["location"], "pending", "the queued Billing callback went back to Pending")
    bill = [b for b in s.get(V1 + "/bps", sup).json["bps"] if b["name"] == "Billing"]
    t.is_(bill and bill[0]["clbk_stat"], "off_schedule", "Billing is Off Schedule")
    t.ok(bp_event("Billing", lambda bp: bp.get("clbk_stat") == "off_schedule") is not None,
         "and a bp event says so")
    n_bp = len(ev.events("bp"))
    admin(s, "dnc", "add", "+442079460999")
    time.sleep(1.5)
    ev.pump(0.5)
    t.is_(len(ev.events("bp")), n_bp, "cbd dnc add changes no BP: no bp event")
    ev.close()

    # ---- 5. disabled, or every session ended: logged out ----------------------
    def presence(login):
        for a in s.get(V1 + "/agents", sup).json["agents"]:
            if a["login"] == login:
                return a["presence"]
    t.is_(s.set_presence(tok["erin"], "ready").status, 200, "erin Ready")
    t.is_(s.set_presence(tok["carol"], "ready").status, 200, "carol Ready")
    admin(s, "user", "set", "erin", "--disabled", "yes")
    t.ok(wait_for(lambda: presence("erin") == "logged_out", 5),
         "cbd user set erin --disabled yes: erin is logged out", presence("erin"))
    r = cbd("user", "passwd", "--db", s.db, "carol", "--password-stdin", input="carol-new-pw\n")
    t.ok(r.returncode == 0, "cbd user passwd carol", r.stderr)
    t.ok(wait_for(lambda: presence("carol") == "logged_out", 5),
         "every session of carol ended: carol is logged out", presence("carol"))
    t.is_(presence("dave"), "not_ready", "dave, untouched, stays Not Ready")

    # ---- 6. the server's own writes never count as another process's ---------
    n = s.log_text().count(RELOAD)
    for i in range(200):
        s.create_callback(sup, destination="+4420794608%03d" % i, bp="Support", routing="team",
                          team="Support Team", tz="UTC", due_at=iso(int(time.time()) + 86400))
    time.sleep(2.2)
    t.is_(s.log_text().count(RELOAD), n, "200 creates and 2 idle seconds: no reload")
t.done()
