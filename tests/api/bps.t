#!/usr/bin/python3
# Business processes: GET /bps and /bps/{id} (by id and by name), CLBK Stat,
# PATCH of timing / routing / zone with version checks and field-named 422s
# that change nothing, stop / start (idempotent), the role matrix of every
# BP route, and the audit entries each change leaves.
import os, sys
from datetime import datetime, timezone
from zoneinfo import ZoneInfo
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from cbdtest import Server, Tap

BP_KEYS = ["clbk_stat", "id", "name", "routing", "teams", "timing", "tz", "version"]


def sales_open_now():
    n = datetime.now(ZoneInfo("America/New_York"))
    return n.weekday() < 5 and 9 <= n.hour < 17


def sales_stat_now(s, tok):
    """Sales' clbk_stat, and what New York's clock says it should be (None
    when the clock crossed 09:00 or 17:00 during the request)."""
    before = sales_open_now()
    got = s.get("/api/v1/bps/1", tok).json["clbk_stat"]
    after = sales_open_now()
    want = None if before != after else ("active" if before else "off_schedule")
    return got, want


t = Tap()
with Server(t) as s:
    alice, sup, admin = s.login("alice"), s.login("sup"), s.login("admin")
    svc = s.service_token
    V1 = "/api/v1"

    # -- list and get -------------------------------------------------------
    r = s.get(V1 + "/bps", alice)
    t.is_(r.status, 200, "GET /bps")
    bps = r.json["bps"]
    t.is_([b["name"] for b in bps], ["Sales", "Support"], "two demo BPs")
    t.ok(all(sorted(b.keys()) == BP_KEYS for b in bps), "BP shape", [sorted(b.keys()) for b in bps])
    sales, support = bps
    t.is_((sales["id"], sales["tz"], sales["version"], sales["routing"], sales["teams"]),
          (1, "America/New_York", 1, ["agent", "team"], [{"id": 1, "name": "Sales Team"}]), "Sales")
    t.is_((sales["timing"]["preview_s"], sales["timing"]["slot_min"], sales["timing"]["slot_capacity"],
           sales["timing"]["schedule"]["mon"], sales["timing"]["schedule"]["sat"]),
          (10, 30, 4, ["09:00-17:00"], []), "Sales timing")
    t.is_((support["id"], support["tz"], support["teams"][0]["name"], support["timing"]["calling_hours"],
           support["timing"]["slot_capacity"]), (2, "UTC", "Support Team", "00:00-24:00", 0), "Support")
    t.is_(support["clbk_stat"], "active", "Support is always open: active")
    got, want = sales_stat_now(s, alice)
    t.ok(want is None or got == want, "Sales clbk_stat follows New York's clock (%s)" % want, got)

    r = s.get(V1 + "/bps/1", alice)
    t.is_((r.status, r.json), (200, sales), "GET /bps/1 is the list's object")
    r = s.get(V1 + "/bps/Sales", alice)
    t.is_((r.status, r.json["id"]), (200, 1), "GET /bps/Sales by name")
    r = s.get(V1 + "/bps/Support", svc)
    t.is_((r.status, r.json["id"]), (200, 2), "GET /bps/Support by name, service token")
    for ref in ("99", "Nope", "0", "sales"):
        r = s.get(V1 + "/bps/" + ref, alice)
        t.is_((r.status, r.error()[0]), (404, "not_found"), "GET /bps/%s is 404" % ref)
    for method, path in (("PATCH", "/bps/99"), ("POST", "/bps/99/stop"), ("POST", "/bps/Nope/start")):
        r = s.request(method, V1 + path, sup, body={"version": 1})
        t.is_(r.status, 404, "%s %s is 404" % (method, path))
    r = s.request("PATCH", V1 + "/bps/99", alice, body={"version": 1})
    t.is_(r.status, 403, "role before existence: agent PATCH of an unknown BP is 403")
    r = s.delete(V1 + "/bps/1", sup)
    t.is_(r.status, 405, "DELETE /bps/1 is 405")

    # -- role matrix (changes here are no-ops: nothing is audited) ----------
    routes = [("GET", "/bps", None, "any"), ("GET", "/bps/1", None, "any"),
              ("GET", "/bps/1/slots?date=2027-01-13", None, "any"),
              ("PATCH", "/bps/2", {"version": 1}, "sup"),
              ("POST", "/bps/2/start", None, "sup")]
    for method, path, body, who in routes:
        for name, tok in (("no token", None), ("agent", alice), ("supervisor", sup), ("admin", admin),
                          ("service", svc)):
            want = 401 if tok is None else 200 if who == "any" or name in ("supervisor", "admin") else 403
            r = s.request(method, V1 + path, tok, body=body)
            t.is_(r.status, want, "%s %s as %s: %d" % (method, path, name, want))
    for name, tok in (("agent", alice), ("service", svc)):
        r = s.post(V1 + "/bps/2/stop", tok)
        t.is_((r.status, r.error()[0]), (403, "forbidden"), "POST /bps/2/stop as %s: 403" % name)
    r = s.post(V1 + "/bps/2/stop")
    t.is_(r.status, 401, "POST /bps/2/stop without a token: 401")
    r = s.get(V1 + "/bps/2", sup)
    t.is_((r.json["version"], r.json["clbk_stat"]), (1, "active"),
          "no-op PATCH / start and refused stops changed nothing")
    r = s.get(V1 + "/audit", sup)
    t.is_(r.json["audit"], [], "nothing audited so far")

    # -- PATCH --------------------------------------------------------------
    r = s.patch(V1 + "/bps/1", sup, {"version": 1, "timing": {
        "recall_min": [5, 10], "no_answer_s": 45, "schedule": {"sat": ["10:00-12:00"]}}})
    t.is_(r.status, 200, "PATCH timing")
    j = r.json
    t.is_((j["version"], j["timing"]["recall_min"], j["timing"]["no_answer_s"], j["timing"]["schedule"]["sat"]),
          (2, [5, 10], 45, ["10:00-12:00"]), "PATCH: version bumped, timing changed")
    t.is_((j["timing"]["preview_s"], j["timing"]["schedule"]["mon"], j["timing"]["slot_capacity"], j["routing"]),
          (10, ["09:00-17:00"], 4, ["agent", "team"]), "PATCH: what it left out kept its value")
    r = s.get(V1 + "/bps/Sales", alice)
    t.is_(r.json, j, "GET shows the PATCH")
    patched = j

    r = s.patch(V1 + "/bps/1", sup, {"version": 1, "timing": {"preview_s": 0}})
    t.is_((r.status, r.error(), (r.json["error"] or {}).get("current_version")),
          (409, ("version_conflict", "version"), 2), "stale version: 409 version_conflict with current_version")
    t.is_(s.get(V1 + "/bps/1", sup).json, patched, "stale PATCH changed nothing")

    bad = [
        ({}, "version", "missing version"),
        ({"version": "2"}, "version", "version as a string"),
        ({"version": 0}, "version", "version 0"),
        ({"version": 2.5}, "version", "fractional version"),
        ({"version": 2, "name": "X"}, "name", "unknown member"),
        ({"version": 2, "timing": 5}, "timing", "timing not an object"),
        ({"version": 2, "timing": {"colour": 1}}, "timing.colour", "unknown timing member"),
        ({"version": 2, "timing": {"no_answer_s": 1}}, "timing.no_answer_s", "no_answer_s too small"),
        ({"version": 2, "timing": {"no_answer_s": "60"}}, "timing.no_answer_s", "no_answer_s as a string"),
        ({"version": 2, "timing": {"max_attempts": 0}}, "timing.max_attempts", "max_attempts 0"),
        ({"version": 2, "timing": {"recall_min": []}}, "timing.recall_min", "empty recall_min"),
        ({"version": 2, "timing": {"recall_min": [0]}}, "timing.recall_min", "recall_min 0"),
        ({"version": 2, "timing": {"recall_min": [20000]}}, "timing.recall_min", "recall_min over a week"),
        ({"version": 2, "timing": {"offer_timeout_s": 4}}, "timing.offer_timeout_s", "offer_timeout_s 4"),
        ({"version": 2, "timing": {"wrap_limit_s": 5}}, "timing.wrap_limit_s", "wrap_limit_s 5"),
        ({"version": 2, "timing": {"window_min": 0}}, "timing.window_min", "window_min 0"),
        ({"version": 2, "timing": {"slot_min": 7}}, "timing.slot_min", "slot_min 7"),
        ({"version": 2, "timing": {"slot_capacity": -1}}, "timing.slot_capacity", "negative capacity"),
        ({"version": 2, "timing": {"personal_fallback_min": 99999}}, "timing.personal_fallback_min",
         "fallback too long"),
        ({"version": 2, "timing": {"schedule": []}}, "timing.schedule", "schedule not an object"),
        ({"version": 2, "timing": {"schedule": {"holiday": []}}}, "timing.schedule.holiday",
         "unknown schedule key"),
        ({"version": 2, "timing": {"schedule": {"mon": "09:00-17:00"}}}, "timing.schedule.mon",
         "a day not an array"),
        ({"version": 2, "timing": {"schedule": {"mon": ["17:00-09:00"]}}}, "timing.schedule.mon[0]",
         "span ending before it starts"),
        ({"version": 2, "timing": {"schedule": {"tue": ["09:00-12:00", "11:00-13:00"]}}},
         "timing.schedule.tue", "overlapping spans"),
        ({"version": 2, "timing": {"schedule": {"wed": ["9-17"]}}}, "timing.schedule.wed[0]", "bad span form"),
        ({"version": 2, "timing": {"schedule": {"closed_dates": ["2026-02-30"]}}},
         "timing.schedule.closed_dates[0]", "closed date that does not exist"),
        ({"version": 2, "timing": {"shift_start": "25:00"}}, "timing.shift_start", "shift_start 25:00"),
        ({"version": 2, "timing": {"calling_hours": "21:00-08:00"}}, "timing.calling_hours",
         "calling hours backwards"),
        ({"version": 2, "timing": {"customer_called_in_closes": "yes"}}, "timing.customer_called_in_closes",
         "flag not a boolean"),
        ({"version": 2, "routing": []}, "routing", "empty routing"),
        ({"version": 2, "routing": "team"}, "routing", "routing not an array"),
        ({"version": 2, "routing": ["fax"]}, "routing[0]", "unknown routing type"),
        ({"version": 2, "routing": ["team", "team"]}, "routing[1]", "routing type twice"),
        ({"version": 2, "routing": [1]}, "routing[0]", "routing type not a string"),
        ({"version": 2, "tz": "Mars/Olympus"}, "tz", "unknown zone"),
        ({"version": 2, "tz": "right/UTC"}, "tz", "a right/ zone"),
        ({"version": 2, "tz": ""}, "tz", "empty zone"),
        ({"version": 2, "tz": 5}, "tz", "zone not a string"),
        # a good member does not carry a bad one through
        ({"version": 2, "timing": {"preview_s": 0, "wrap_up_s": 9999}}, "timing.wrap_up_s",
         "one bad member refuses the whole PATCH"),
    ]
    for body, field, what in bad:
        r = s.patch(V1 + "/bps/1", sup, body)
        t.is_((r.status, r.error()), (422, ("invalid_field", field)), "422 naming %s: %s" % (field, what))
    r = s.patch(V1 + "/bps/1", sup, raw=b'{"version": 2,', headers={"Content-Type": "application/json"})
    t.is_((r.status, r.error()[0]), (400, "bad_request"), "malformed body: 400")
    t.is_(s.get(V1 + "/bps/1", sup).json, patched, "refused PATCHes changed nothing")

    r = s.patch(V1 + "/bps/1", sup, {"version": 2, "timing": {"recall_min": [5, 10]}})
    t.is_((r.status, r.json["version"]), (200, 2), "a PATCH repeating the settings: 200, no new version")

    r = s.patch(V1 + "/bps/Support", admin, {"version": 1, "tz": "Europe/Paris", "routing": ["team"]})
    t.is_((r.status, r.json["version"], r.json["tz"], r.json["routing"], r.json["clbk_stat"]),
          (200, 2, "Europe/Paris", ["team"], "active"), "PATCH zone and routing by name (admin)")

    # -- stop / start -------------------------------------------------------
    r = s.post(V1 + "/bps/2/stop", sup)
    t.is_((r.status, r.json["clbk_stat"], r.json["version"]), (200, "stopped", 3), "stop Support")
    t.is_(s.get(V1 + "/bps", alice).json["bps"][1]["clbk_stat"], "stopped", "the list shows it stopped")
    r = s.post(V1 + "/bps/2/stop", sup)
    t.is_((r.status, r.json["clbk_stat"], r.json["version"]), (200, "stopped", 3),
          "stopping a stopped BP: 200, unchanged")
    r = s.patch(V1 + "/bps/2", sup, {"version": 3, "timing": {"wrap_up_s": 5}})
    t.is_((r.status, r.json["clbk_stat"], r.json["version"]), (200, "stopped", 4),
          "a timing edit keeps the BP stopped")
    r = s.post(V1 + "/bps/2/start", sup)
    t.is_((r.status, r.json["clbk_stat"], r.json["version"]), (200, "active", 5), "start Support")
    r = s.post(V1 + "/bps/2/start", sup)
    t.is_((r.status, r.json["version"]), (200, 5), "starting a started BP: 200, unchanged")
    r = s.post(V1 + "/bps/Sales/stop", admin)
    t.is_((r.status, r.json["clbk_stat"]), (200, "stopped"), "stop Sales by name: stopped whatever the hour")
    r = s.post(V1 + "/bps/1/start", admin)
    got, want = sales_stat_now(s, alice)
    t.ok(r.status == 200 and (want is None or got == want),
         "start Sales: back to New York's clock (%s)" % want, (r.status, got))

    # -- audit --------------------------------------------------------------
    r = s.get(V1 + "/audit", sup)
    rows = r.json["audit"]
    t.is_([(a["action"], a["target"], a["user"]["login"]) for a in rows],
          [("bp.start", "bp:1", "admin"), ("bp.stop", "bp:1", "admin"), ("bp.start", "bp:2", "sup"),
           ("bp.timing", "bp:2", "sup"), ("bp.stop", "bp:2", "sup"), ("bp.timing", "bp:2", "admin"),
           ("bp.timing", "bp:1", "sup")],
          "one audit entry per change, newest first; none for no-ops or refusals")
    first = rows[-1]
    t.is_((first["before"]["version"], first["before"]["timing"]["recall_min"], first["before"]["timing"]["no_answer_s"],
           first["after"]["version"], first["after"]["timing"]["recall_min"], first["after"]["timing"]["no_answer_s"]),
          (1, [15, 60, 240], 60, 2, [5, 10], 45), "bp.timing: before and after timing")
    t.is_((rows[5]["before"]["tz"], rows[5]["after"]["tz"], rows[5]["before"]["routing"], rows[5]["after"]["routing"]),
          ("UTC", "Europe/Paris", ["agent", "team"], ["team"]), "bp.timing: before and after zone and routing")
    t.is_((rows[4]["before"]["stopped"], rows[4]["after"]["stopped"], rows[2]["before"]["stopped"],
           rows[2]["after"]["stopped"]), (False, True, True, False), "bp.stop / bp.start: before and after")
    t.is_((rows[3]["before"]["timing"]["wrap_up_s"], rows[3]["after"]["timing"]["wrap_up_s"]), (0, 5),
          "the edit while stopped is audited too")
    now = datetime.now(timezone.utc)
    t.ok(all(abs((datetime.strptime(a["at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc) - now)
                 .total_seconds()) < 300 for a in rows), "audit instants: RFC 3339 UTC, now",
         [a["at"] for a in rows])
t.done()
