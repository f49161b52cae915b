#!/usr/bin/python3
# PATCH /api/v1/callbacks/{id} (reschedule, reassign, remark; version;
# Pending only; who may edit; audit), POST /callbacks/{id}/queue and /purge
# (Pending only, audited, purged attempt in the history) and the agent's
# panel GET /me/callbacks.
import datetime, os, sqlite3, sys, time
from zoneinfo import ZoneInfo
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from cbdtest import Server, Tap

CB = "/api/v1/callbacks"
UTC = datetime.timezone.utc
NY = ZoneInfo("America/New_York")


def rfc(ts):
    return datetime.datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse(s):
    return int(datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp())


t = Tap()
with Server(t) as s:
    sup, alice, bob, carol, dave = (s.login(u) for u in ("sup", "alice", "bob", "carol", "dave"))
    db = sqlite3.connect(s.db, timeout=10)
    seq = [0]
    base = int(time.time()) // 60 * 60 + 86400

    def create(token=sup, **over):
        seq[0] += 1
        b = {"destination": "+1404555%04d" % seq[0], "bp": "Support", "routing": "team",
             "team": "Support Team", "tz": "UTC", "due_at": rfc(base + seq[0] * 600)}
        if "date" in over:
            del b["due_at"]
        b.update(over)
        r = s.post(CB, token, b)
        if r.status != 201:
            raise RuntimeError("create: %r" % r)
        return r.json

    def get(cid, token=sup):
        return s.get(CB + "/%d" % cid, token).json

    def audit(cid):
        r = s.get("/api/v1/audit?target=callback:%d" % cid, sup)
        if r.status == 200:
            return [(e["action"], e["user"]["login"] if e["user"] else None, e["before"], e["after"])
                    for e in reversed(r.json["audit"])]
        import json
        rows = db.execute("SELECT a.action, u.login, a.before, a.after FROM audit a LEFT JOIN users u "
                          "ON u.id = a.user_id WHERE target = ? ORDER BY a.id",
                          ("callback:%d" % cid,)).fetchall()
        return [(a, u, json.loads(b) if b else None, json.loads(f) if f else None) for a, u, b, f in rows]

    # -- reschedule, reassign, remark by a supervisor ----------------------------
    c = create()
    r = s.patch(CB + "/%d" % c["id"], sup, {"version": 1, "date": "2026-12-24", "time": "09:15",
                                            "tz": "Europe/Berlin"})
    want_due = datetime.datetime(2026, 12, 24, 8, 15, tzinfo=UTC)
    if want_due.timestamp() < time.time() + 3600:  # the test runs later than written
        d = (datetime.datetime.now(UTC) + datetime.timedelta(days=30)).date()
        r = s.patch(CB + "/%d" % c["id"], sup, {"version": 1, "date": d.isoformat(), "time": "09:15",
                                                "tz": "Europe/Berlin"})
        want_due = datetime.datetime(d.year, d.month, d.day, 9, 15, tzinfo=ZoneInfo("Europe/Berlin"))
    t.is_(r.status, 200, "reschedule by a supervisor")
    t.is_((r.json["due_at"], r.json["tz"], r.json["version"]),
          (want_due.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "Europe/Berlin", 2),
          "new due time and zone, version bumped")
    t.is_(parse(r.json["window_end"]) - parse(r.json["due_at"]), 7200, "the window keeps its length")
    t.is_(get(c["id"]), {**r.json, "history": []}, "GET shows the edit")
    r = s.patch(CB + "/%d" % c["id"], sup, {"version": 2, "window_min": 30})
    t.is_((r.status, parse(r.json["window_end"]) - parse(r.json["due_at"]), r.json["version"]),
          (200, 1800, 3), "window_min alone")
    r = s.patch(CB + "/%d" % c["id"], sup, {"version": 3, "routing": "agent", "agent": "carol"})
    t.is_((r.status, r.json["routing"], r.json["agent"], r.json["team"], r.json["version"]),
          (200, "agent", "carol", None, 4), "reassign to carol")
    r = s.patch(CB + "/%d" % c["id"], sup, {"version": 4, "remark": "ask for Ms Diaz"})
    t.is_((r.status, r.json["remark"], r.json["version"]), (200, "ask for Ms Diaz", 5), "edit remark")
    r = s.patch(CB + "/%d" % c["id"], sup, {"version": 5})
    t.is_((r.status, r.json["version"]), (200, 5), "nothing to change: 200, version kept")
    acts = audit(c["id"])
    t.is_([a[0] for a in acts], ["callback.reschedule", "callback.reschedule", "callback.reassign",
                                 "callback.remark"], "supervisor edits are audited")
    t.is_((acts[0][1], acts[0][2]["tz"], acts[0][3]["tz"], acts[0][3]["due_at"]),
          ("sup", "UTC", "Europe/Berlin", want_due.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")),
          "reschedule audit has before and after")
    t.is_((acts[2][2], acts[2][3]),
          ({"routing": "team", "agent": None, "team": "Support Team"},
           {"routing": "agent", "agent": "carol", "team": None}), "reassign audit has before and after")
    t.is_((acts[3][2], acts[3][3]), ({"remark": ""}, {"remark": "ask for Ms Diaz"}),
          "remark audit has before and after")

    # -- stale version, bad input ---------------------------------------------------
    before = get(c["id"])
    r = s.patch(CB + "/%d" % c["id"], sup, {"version": 4, "remark": "stale"})
    t.is_((r.status, r.error()[0]), (409, "version_conflict"), "a stale version is 409")
    t.is_(get(c["id"]), before, "... and nothing changed")
    for b, field, name in [({"remark": "x"}, "version", "version missing"),
                           ({"version": "5"}, "version", "version not a number"),
                           ({"version": 5, "colour": "red"}, "colour", "unknown field"),
                           ({"version": 5, "destination": "+14045550000"}, "destination",
                            "destination is not editable"),
                           ({"version": 5, "due_at": rfc(time.time() - 3600)}, "due_at", "due_at in the past"),
                           ({"version": 5, "date": "2020-01-01", "time": "10:00"}, "time", "date in the past"),
                           ({"version": 5, "due_at": rfc(time.time() + 3600), "time": "10:00"}, "due_at",
                            "both due_at and time"),
                           ({"version": 5, "tz": "Mars/Base"}, "tz", "unknown zone"),
                           ({"version": 5, "routing": "agent", "agent": "alice"}, "agent",
                            "agent not serving the BP"),
                           ({"version": 5, "routing": "team", "team": "Sales Team"}, "team",
                            "team not serving the BP"),
                           ({"version": 5, "agent": "dave"}, "routing", "agent without routing"),
                           ({"version": 5, "window_min": 0}, "window_min", "window_min 0"),
                           ({"version": 5, "remark": "é" * 501}, "remark", "remark too long")]:
        r = s.patch(CB + "/%d" % c["id"], sup, b)
        t.is_((r.status, r.error()), (422, ("invalid_field", field)), "PATCH " + name)
    t.is_(get(c["id"]), before, "no bad PATCH changed anything")
    r = s.patch(CB + "/999999", sup, {"version": 1})
    t.is_(r.status, 404, "PATCH of a callback that does not exist is 404")

    # -- who may edit -------------------------------------------------------------------
    r = s.patch(CB + "/%d" % c["id"], carol, {"version": 5, "remark": "carol's note"})
    t.is_((r.status, r.json.get("remark")), (200, "carol's note"), "carol edits her own callback")
    t.is_(len(audit(c["id"])), 4, "an agent's edit is not a supervisor action (not audited)")
    r = s.patch(CB + "/%d" % c["id"], dave, {"version": 6, "remark": "dave's"})
    t.is_((r.status, r.error()[0]), (403, "forbidden"), "dave may not edit carol's personal callback")
    r = s.patch(CB + "/%d" % c["id"], alice, {"version": 6, "remark": "alice's"})
    t.is_(r.status, 403, "alice (other BP) may not edit it either")
    t.is_(get(c["id"])["remark"], "carol's note", "... nothing changed")
    team_cb = create()
    r = s.patch(CB + "/%d" % team_cb["id"], dave, {"version": 1, "remark": "team note"})
    t.is_((r.status, r.json.get("remark")), (200, "team note"), "a team member edits a team callback")
    r = s.patch(CB + "/%d" % team_cb["id"], alice, {"version": 2, "remark": "no"})
    t.is_(r.status, 403, "another team's agent may not")
    r = s.patch(CB + "/%d" % team_cb["id"], dave, {"version": 2, "routing": "agent", "agent": "dave"})
    t.is_((r.status, r.json.get("agent")), (200, "dave"), "an agent takes a team callback as personal")

    # -- a reschedule into a full slot (Sales: 4 per 30 minutes) ---------------------------
    day = datetime.date.today() + datetime.timedelta(days=40)
    while day.weekday() != 1:  # a Tuesday
        day += datetime.timedelta(days=1)
    sales = dict(bp="Sales", team="Sales Team", tz="America/New_York")
    full = [create(date=day.isoformat(), time=hm, **sales) for hm in ("11:00", "11:10", "11:20", "11:25")]
    other = create(date=day.isoformat(), time="14:00", **{k: v for k, v in sales.items()})
    r = s.patch(CB + "/%d" % other["id"], sup, {"version": 1, "date": day.isoformat(), "time": "11:05",
                                                "tz": "America/New_York"})
    t.is_((r.status, r.error()), (409, ("slot_full", "time")), "reschedule into a full slot: 409 slot_full")
    t.ok(len(r.json["error"].get("next_free", [])) >= 1, "... naming free slots")
    t.is_(get(other["id"])["version"], 1, "... nothing changed")
    r = s.patch(CB + "/%d" % full[0]["id"], sup, {"version": 1, "date": day.isoformat(), "time": "11:15",
                                                  "tz": "America/New_York"})
    t.is_(r.status, 200, "moving within its own full slot is fine")

    # -- queue and purge ---------------------------------------------------------------------
    qc = create()
    r = s.post(CB + "/%d/queue" % qc["id"], carol)
    t.is_(r.status, 403, "an agent may not queue")
    r = s.post(CB + "/%d/purge" % qc["id"], carol)
    t.is_(r.status, 403, "an agent may not purge")
    r = s.post(CB + "/%d/queue" % qc["id"], sup, {"version": 7})
    t.is_((r.status, r.error()[0]), (409, "version_conflict"), "queue with a stale version")
    r = s.post(CB + "/%d/queue" % qc["id"], sup)
    t.is_((r.status, r.json.get("location"), r.json.get("version")),
          (200, "handling_by_business_process", 2), "queue a Pending callback")
    r = s.post(CB + "/%d/queue" % qc["id"], sup)
    t.is_((r.status, r.error()[0]), (409, "conflict"), "queue it twice: 409")
    t.ok("HandlingByBusinessProcess" in r.json["error"]["message"], "... naming where it is",
         r.json["error"]["message"])
    r = s.post(CB + "/%d/purge" % qc["id"], sup)
    t.is_((r.status, r.error()[0]), (409, "conflict"), "purge a queued one: 409")
    r = s.patch(CB + "/%d" % qc["id"], sup, {"version": 2, "due_at": rfc(time.time() + 7200)})
    t.is_((r.status, r.error()[0]), (409, "conflict"), "reschedule a queued one: 409")
    r = s.patch(CB + "/%d" % qc["id"], sup, {"version": 2, "routing": "agent", "agent": "dave"})
    t.is_((r.status, r.error()[0]), (409, "conflict"), "reassign a queued one: 409")
    r = s.patch(CB + "/%d" % qc["id"], sup, {"version": 2, "remark": "still editable"})
    t.is_((r.status, r.json.get("remark")), (200, "still editable"), "the remark of a queued one changes")

    pc = create()
    r = s.post(CB + "/%d/purge" % pc["id"], sup, {"version": 1})
    t.is_((r.status, r.json.get("location"), r.json.get("end_state"), r.json.get("overdue")),
          (200, "completed", "purged", False), "purge a Pending callback")
    r = s.post(CB + "/%d/purge" % pc["id"], sup)
    t.is_((r.status, r.error()[0]), (409, "conflict"), "purge it twice: 409")
    t.ok("Completed" in r.json["error"]["message"], "... naming where it is")
    r = s.post(CB + "/%d/queue" % pc["id"], sup)
    t.is_(r.status, 409, "queue a completed one: 409")
    r = s.patch(CB + "/%d" % pc["id"], sup, {"version": 2, "remark": "too late"})
    t.is_((r.status, r.error()[0]), (409, "conflict"), "the remark of a completed one is fixed")
    h = get(pc["id"])["history"]
    t.is_([(a["state"], a["agent"], a["agent_name"], a["handle_s"], a["connect"], a["started_at"]) for a in h],
          [("purged", None, None, None, None, None)], "history has the purged attempt")
    t.ok(abs(parse(h[0]["at"]) - time.time()) < 5, "... dated now")
    t.is_([(a[0], a[1], a[2], a[3]) for a in audit(qc["id"])][:1],
          [("callback.queue", "sup", {"location": "pending"}, {"location": "handling_by_business_process"})],
          "queue is audited")
    t.is_([(a[0], a[1], a[2], a[3]) for a in audit(pc["id"])],
          [("callback.purge", "sup", {"location": "pending"}, {"location": "completed", "end_state": "purged"})],
          "purge is audited")
    for path in ("/999999/queue", "/999999/purge", "/abc/purge"):
        t.is_(s.post(CB + path, sup).status, 404, "POST " + path + " is 404")
    r = s.post(CB + "/%d/queue" % qc["id"], sup, {"colour": 1})
    t.is_((r.status, r.error()[1]), (422, "colour"), "unknown field in a queue body")

    # -- the agent's panel ---------------------------------------------------------------------
    mine = [create(routing="agent", agent="dave", team=None, due_at=rfc(base + 40 * 86400 - k * 3600))
            for k in range(3)]
    s.post(CB + "/%d/queue" % mine[1]["id"], sup)
    s.post(CB + "/%d/purge" % mine[2]["id"], sup)
    create(routing="agent", agent="carol", team=None)  # someone else's
    r = s.get("/api/v1/me/callbacks", dave)
    t.is_(r.status, 200, "GET /me/callbacks")
    all_dave = [c for c in s.get(CB + "?agent=dave&limit=500", sup).json["callbacks"]
                if c["location"] in ("pending", "handling_by_business_process")]
    t.is_([c["id"] for c in r.json["callbacks"]], [c["id"] for c in all_dave],
          "dave's personal Pending and queued callbacks, by due time")
    t.is_(r.json["count"], len(all_dave), "... and their count")
    t.ok(mine[0]["id"] in [c["id"] for c in r.json["callbacks"]] and
         mine[1]["id"] in [c["id"] for c in r.json["callbacks"]] and
         mine[2]["id"] not in [c["id"] for c in r.json["callbacks"]], "queued in, purged out")
    t.ok(all(c["agent"] == "dave" and c["routing"] == "agent" for c in r.json["callbacks"]),
         "only personal callbacks of dave")
    r = s.get("/api/v1/me/callbacks", sup)
    t.is_(r.status, 403, "a supervisor has no panel")
    r = s.get("/api/v1/me/callbacks", alice)
    t.ok(all(c["agent"] == "alice" for c in r.json["callbacks"]) and r.json["count"] == len(r.json["callbacks"]),
         "alice's panel holds only hers")
    db.close()
t.done()
