#!/usr/bin/python3
# Report 6.04, Completed Callback Interaction (DESIGN.md §4): GET
# /reports/completed as JSON and CSV checked field by field against the
# database (read-only) — every completed callback with its end state,
# entrance time, last attempt time and every attempt — the CSV parsed with
# Python's csv module and matching the JSON; filters (bp by id and name,
# from / to as dates in UTC or in tz, as RFC 3339 instants, a date `to`
# counting whole), the default range (the current shift of every BP),
# paging by cursor in both forms, CSV quoting (a BP and an agent whose
# names hold commas and quotes), bad parameters named in a 422, the role
# matrix; and `cbd report completed` on the command line (table, CSV, JSON
# equal to the API's, bad arguments exit 2, an unknown BP exits 1).
import csv, datetime, io, json, os, sqlite3, subprocess, sys, time, urllib.parse
from zoneinfo import ZoneInfo
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from cbdtest import CBD, Server, Tap, cbd

t = Tap()
V1 = "/api/v1"
UTC = datetime.timezone.utc
EAST = 'East, "Sales"'
CAROL = 'Diaz, "Carol"'
HEADER = ["callback_id", "destination", "bp", "end_state", "entered_at", "completed_at", "last_attempt_at",
          "attempts_used", "total_attempts", "attempt_no", "attempt_at", "attempt_started_at", "agent",
          "agent_name", "attempt_state", "handle_s", "connect"]
LOW, HIGH = -2 ** 63, 2 ** 63 - 1


def iso(ts):
    return None if ts is None else datetime.datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def midnight(day, zone):
    return int(datetime.datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(zone)).timestamp())


def shift(zone, now):
    local = datetime.datetime.fromtimestamp(now, ZoneInfo(zone)).date()
    return midnight(local, zone), midnight(local + datetime.timedelta(days=1), zone)


srv = Server(t, args=["--test-clock", "--grace-s", "3600"])
for args in (("user", "set", "--db", srv.db, "carol", "--name", CAROL),
             ("bp", "add", "--db", srv.db, EAST, "--tz", "UTC", "--team", "Support Team", "--timing",
              '{"calling_hours": "00:00-24:00"}')):
    out = cbd(*args)
    t.is_(out.returncode, 0, "cbd " + " ".join(args[:2]) + ": " + out.stderr.strip())

with srv as s:
    sup, admin, alice, carol = s.login("sup"), s.login("admin"), s.login("alice"), s.login("carol")
    db = sqlite3.connect("file:%s?mode=ro" % s.db, uri=True)
    BPS = db.execute("SELECT id, name, tz FROM bps ORDER BY name").fetchall()
    east_id = [b[0] for b in BPS if b[1] == EAST][0]

    def report(tok=sup, **q):
        return s.get(V1 + "/reports/completed" + ("?" + urllib.parse.urlencode(q) if q else ""), tok)

    def expected(bounds):
        """The report as the database says: bounds {bp_id: (from, to)}, BPs by name."""
        out = []
        for bp_id, name, _ in BPS:
            if bp_id not in bounds:
                continue
            lo, hi = bounds[bp_id]
            for cid, dest, end, created, completed, used in db.execute(
                    "SELECT id, destination, end_state, created_at, completed_at, attempts FROM callbacks"
                    " WHERE bp_id = ? AND completed_at >= ? AND completed_at < ? ORDER BY completed_at, id",
                    (bp_id, lo, hi)).fetchall():
                atts = [{"at": iso(at), "started_at": iso(st), "agent": login, "agent_name": uname, "state": state,
                         "handle_s": h, "connect": c}
                        for at, st, login, uname, state, h, c in db.execute(
                            "SELECT a.at, a.started_at, u.login, u.name, a.state, a.handle_s, a.connect FROM attempts a"
                            " LEFT JOIN users u ON u.id = a.agent_id WHERE a.callback_id = ? ORDER BY a.id", (cid,))]
                out.append({"id": cid, "destination": dest, "bp_id": bp_id, "bp": name, "end_state": end,
                            "entered_at": iso(created), "completed_at": iso(completed),
                            "last_attempt_at": atts[-1]["at"] if atts else None, "attempts_used": used,
                            "total_attempts": len(atts), "attempts": atts})
        return out

    def csv_rows(text):
        return list(csv.reader(io.StringIO(text, newline="")))

    def csv_of(completed):
        """The CSV lines the JSON rows should become."""
        lines = []
        for c in completed:
            head = [str(c["id"]), c["destination"], c["bp"], c["end_state"] or "", c["entered_at"],
                    c["completed_at"], c["last_attempt_at"] or "", str(c["attempts_used"]), str(c["total_attempts"])]
            for i, a in enumerate(c["attempts"] or [None]):
                if a is None:
                    lines.append(head + [""] * 8)
                else:
                    lines.append(head + [str(i + 1), a["at"], a["started_at"] or "", a["agent"] or "",
                                         a["agent_name"] or "", a["state"],
                                         "" if a["handle_s"] is None else str(a["handle_s"]), a["connect"] or ""])
        return lines

    # -- role matrix -----------------------------------------------------------------
    for name, tok, want in (("no token", None, 401), ("agent", alice, 403), ("service", s.service_token, 403),
                            ("supervisor", sup, 200), ("admin", admin, 200)):
        t.is_(report(tok).status, want, "GET /reports/completed as %s: %d" % (name, want))
    t.is_(s.post(V1 + "/reports/completed", sup).status, 405, "POST: 405")
    t.is_(report(alice, bp="Nope").status, 403, "an agent with a bad parameter: 403 before 422")

    # -- every completed Sales callback with every attempt ---------------------------------
    r = report(bp="Sales", **{"from": "2000-01-01"})
    want = expected({1: (midnight(datetime.date(2000, 1, 1), "UTC"), HIGH)})
    t.is_(r.headers.get("content-type"), "application/json; charset=utf-8", "JSON by default")
    t.ok(r.status == 200 and r.json.get("completed") == want and "next" not in r.json,
         "bp=Sales&from=2000-01-01: every completed Sales callback, as the database holds it (%d)" % len(want),
         (r, want[:1]))
    (n_completed,) = db.execute("SELECT count(*) FROM callbacks WHERE bp_id = 1 AND location = 3").fetchone()
    (n_attempts,) = db.execute("SELECT count(*) FROM attempts a JOIN callbacks c ON c.id = a.callback_id"
                               " WHERE c.bp_id = 1 AND c.location = 3").fetchone()
    got = r.json["completed"] if r.status == 200 else []
    t.ok(len(got) == n_completed >= 10 and sum(len(c["attempts"]) for c in got) == n_attempts,
         "all %d completed Sales callbacks and all %d of their attempts" % (n_completed, n_attempts))
    t.is_(sorted({c["end_state"] for c in got}),
          ["customer_called_in", "expired", "failed", "handled", "purged", "wrong_destination"],
          "every end state of the demo is there")
    t.ok(all(c["last_attempt_at"] == max(a["at"] for a in c["attempts"]) for c in got if c["attempts"]),
         "last_attempt_at is the last attempt's time")
    t.ok(all(a["agent_name"] in ("Alice Martin", "Bob Chen", None) for c in got for a in c["attempts"]),
         "attempts name their agent")
    t.is_(report(bp="1", **{"from": "2000-01-01"}).json, r.json, "bp=1 (an id) = bp=Sales")
    sales_json = r.json

    # -- CSV ---------------------------------------------------------------------------
    r = report(bp="Sales", format="csv", **{"from": "2000-01-01"})
    t.is_((r.status, r.headers.get("content-type")), (200, "text/csv; charset=utf-8"), "format=csv: text/csv")
    lines = r.text.split("\r\n")
    t.ok(lines[-1] == "" and all("\n" not in l for l in lines), "CSV lines end with CRLF")
    rows = csv_rows(r.text)
    t.is_(rows[0], HEADER, "CSV header row")
    t.is_(rows[1:], csv_of(sales_json["completed"]), "CSV: one row per attempt, matching the JSON")
    t.is_(len(rows) - 1, sum(max(1, len(c["attempts"])) for c in sales_json["completed"]),
          "CSV row count: attempts (or one for a callback without any)")
    t.is_(r.headers.get("x-next-cursor"), None, "one page: no X-Next-Cursor")

    # -- ranges ---------------------------------------------------------------------------
    days = sorted({datetime.datetime.fromtimestamp(c, UTC).date() for (c,) in
                   db.execute("SELECT completed_at FROM callbacks WHERE bp_id = 1 AND completed_at IS NOT NULL")})
    d = days[len(days) // 2]
    r = report(bp="Sales", **{"from": d.isoformat(), "to": d.isoformat()})
    w = expected({1: (midnight(d, "UTC"), midnight(d + datetime.timedelta(days=1), "UTC"))})
    t.ok(r.status == 200 and r.json["completed"] == w and 0 < len(w) < n_completed,
         "from=to=%s: that whole UTC day (%d)" % (d, len(w)), r)
    r = report(bp="Sales", tz="America/New_York", **{"from": d.isoformat(), "to": d.isoformat()})
    w = expected({1: (midnight(d, "America/New_York"), midnight(d + datetime.timedelta(days=1), "America/New_York"))})
    t.ok(r.status == 200 and r.json["completed"] == w, "tz=America/New_York: that day in New York (%d)" % len(w), r)
    first, last = sales_json["completed"][0]["completed_at"], sales_json["completed"][-1]["completed_at"]
    r = report(bp="Sales", **{"from": first, "to": last})
    t.is_([c["id"] for c in r.json["completed"]],
          [c["id"] for c in sales_json["completed"] if first <= c["completed_at"] < last],
          "RFC 3339 instants: from included, to excluded")
    plus = first.replace("Z", "+00:00")
    q = "?bp=Sales&from=" + plus.replace("+", "%2B")
    t.is_(s.get(V1 + "/reports/completed" + q, sup).json, report(bp="Sales", **{"from": first}).json,
          "an offset (+00:00, escaped)")
    t.is_(s.get(V1 + "/reports/completed?bp=Sales&from=" + plus, sup).json,
          report(bp="Sales", **{"from": first}).json, "an offset with a bare + (form-encoded as a space)")
    r = report(bp="Sales", to=days[0].isoformat())
    t.is_([c["id"] for c in r.json["completed"]],
          [c["id"] for c in sales_json["completed"] if c["completed_at"][:10] <= days[0].isoformat()],
          "only to: everything up to the end of that day")
    t.is_(report(bp="Support", **{"from": "2000-01-01"}).json, {"completed": []}, "Support: nothing completed")

    # -- the default: the current shift of every BP ----------------------------------------
    def now():
        return int(datetime.datetime.strptime(s.get(V1 + "/test/clock").json["now"], "%Y-%m-%dT%H:%M:%SZ")
                   .replace(tzinfo=UTC).timestamp())

    def shifts():
        at = now()
        return {bp_id: shift(zone, at) for bp_id, _, zone in BPS}

    t.is_(report().json, {"completed": expected(shifts())}, "no filter: the current shifts (the demo's are older)")
    (pid,) = db.execute("SELECT id FROM callbacks WHERE bp_id = 1 AND location = 0 ORDER BY id LIMIT 1").fetchone()
    t.is_(s.post(V1 + "/callbacks/%d/purge" % pid, sup).status, 200, "purge a Sales callback")
    r = s.post(V1 + "/callbacks", sup, {"destination": "+15555550142", "bp": EAST, "routing": "team",
                                        "team": "Support Team", "tz": "UTC", "due_at": iso(now() + 86400)})
    t.ok(r.status == 201, "a callback in %s" % EAST, r)
    t.is_(s.post(V1 + "/callbacks/%s/purge" % r.json.get("id"), sup).status, 200, "purge it")
    # a Support lifecycle by carol: handled after 30 s live
    t.is_(s.put(V1 + "/me/presence", carol, {"presence": "ready"}).status, 200, "carol is Ready")
    r = s.post(V1 + "/callbacks", sup, {"destination": "+442071234599", "bp": "Support", "routing": "team",
                                        "team": "Support Team", "tz": "UTC", "due_at": iso(now())})
    cid = r.json.get("id")
    end = time.time() + 5
    while time.time() < end:
        i = s.get(V1 + "/me/interaction", carol).json.get("interaction")
        if i and i["id"] == cid and i["state"] == "offered":
            break
        time.sleep(0.05)
    steps = [s.post(V1 + "/callbacks/%s/accept" % cid, carol).status,
             s.post(V1 + "/callbacks/%s/connected" % cid, carol, {"kind": "live"}).status,
             s.post(V1 + "/test/clock", body={"advance_s": 30}).status,
             s.post(V1 + "/callbacks/%s/complete" % cid, carol, {"status": "handled"}).status]
    t.is_(steps, [200] * 4, "carol: accept, connected live, 30 s, Handled")
    r = report()
    cur = r.json["completed"] if r.status == 200 else []
    t.ok(cur == expected(shifts()) and [c["bp"] for c in cur] == [EAST, "Sales", "Support"],
         "no filter: this shift's three completions, by BP name", r)
    mine = [c for c in cur if c["bp"] == "Support"]
    t.ok(mine and mine[0]["attempts"][-1]["agent_name"] == CAROL and mine[0]["attempts"][-1]["connect"] == "live"
         and 30 <= mine[0]["attempts"][-1]["handle_s"] <= 32 and mine[0]["end_state"] == "handled",
         "carol's attempt: her name, live, 30 s handle time", mine)
    r = report(format="csv")
    rows = csv_rows(r.text)
    t.is_(rows[1:], csv_of(cur), "CSV of the current shifts parses back to the JSON")
    t.ok('"East, ""Sales"""' in r.text and '"Diaz, ""Carol"""' in r.text,
         "names with commas and quotes are quoted, quotes doubled (RFC 4180)")
    t.is_(report(bp=str(east_id)).json, {"completed": [c for c in cur if c["bp"] == EAST]},
          "bp alone: that BP's current shift")

    # -- paging ----------------------------------------------------------------------------
    everything = expected({b[0]: (midnight(datetime.date(2000, 1, 1), "UTC"), HIGH) for b in BPS})
    seen, cursor, pages, cursors_ok = [], None, 0, True
    while pages < 20:
        q = {"from": "2000-01-01", "limit": 4}
        if cursor:
            q["after"] = cursor
        r = report(**q)
        pages += 1
        seen += r.json["completed"]
        cursor = r.json.get("next")
        if cursor is None:
            break
        cursors_ok &= len(r.json["completed"]) == 4 and urllib.parse.quote(cursor, safe="") == cursor
    t.ok(seen == everything and pages == (len(everything) + 3) // 4 and cursors_ok,
         "limit=4: %d pages of 4, URL-safe cursors, every callback once, in order (%d)" % (pages, len(everything)))
    seen, cursor, pages, headers_ok = [], None, 0, True
    while pages < 40:
        q = {"from": "2000-01-01", "limit": 2, "format": "csv"}
        if cursor:
            q["after"] = cursor
        r = report(**q)
        pages += 1
        rows = csv_rows(r.text)
        headers_ok &= rows[0] == HEADER
        seen += rows[1:]
        cursor = r.headers.get("x-next-cursor")
        if cursor is None:
            break
    t.ok(seen == csv_of(everything) and pages == (len(everything) + 1) // 2 and headers_ok,
         "CSV pages (X-Next-Cursor), each with the header, add up to the whole report (%d pages)" % pages)
    r = report(bp="Sales", limit=10000, **{"from": "2000-01-01"})
    t.is_(len(r.json["completed"]), len([c for c in everything if c["bp"] == "Sales"]), "limit=10000 is allowed")

    # -- bad parameters ----------------------------------------------------------------------
    before = report(**{"from": "2000-01-01"}).json
    for q, field in (("bp=Nope", "bp"), ("bp=", "bp"), ("bp=99", "bp"), ("from=yesterday", "from"),
                     ("from=2026-13-01", "from"), ("to=2026-02-30", "to"), ("from=2026-11-22T25:00:00Z", "from"),
                     ("from=2026-11-10&to=2026-11-01", "to"), ("from=2026-11-10&to=2026-11-10T00:00:00Z", "to"),
                     ("format=xml", "format"), ("format=table", "format"), ("limit=0", "limit"),
                     ("limit=10001", "limit"), ("limit=abc", "limit"), ("limit=01", "limit"), ("limit=-1", "limit"),
                     ("after=xyz", "after"), ("after=1.2", "after"), ("after=0.5.5", "after"),
                     ("tz=Mars/Base", "tz"), ("tz=right/UTC", "tz"), ("colour=blue", "colour"),
                     ("bp=1&bp=2", "bp")):
        r = s.get(V1 + "/reports/completed?" + q, sup)
        t.is_((r.status,) + r.error(), (422, "invalid_field", field), "?%s: 422 naming %s" % (q, field))
    t.is_(report(**{"from": "2000-01-01"}).json, before, "refused requests change nothing")
    db.close()

    # -- the command line ---------------------------------------------------------------------
    base = ["report", "completed", "--db", s.db]
    out = cbd(*base, "--bp", "Sales", "--from", "2000-01-01", "--format", "json")
    t.ok(out.returncode == 0 and json.loads(out.stdout) == report(bp="Sales", **{"from": "2000-01-01"}).json,
         "cbd report completed --format json = the API's JSON", out.stderr)
    out = subprocess.run([CBD] + base + ["--bp", "Sales", "--from", "2000-01-01", "--format", "csv"],
                         capture_output=True, timeout=60)  # bytes: CRLF kept
    api = report(bp="Sales", format="csv", **{"from": "2000-01-01"}).body
    t.ok(out.returncode == 0 and out.stdout == api, "--format csv = the API's CSV, byte for byte", out.stderr)
    out = cbd(*base, "--from", "2000-01-01", "--format", "json")
    t.ok(out.returncode == 0 and json.loads(out.stdout)["completed"] == everything,
         "every BP, every page, in one document (%d)" % len(everything))
    sales_json = report(bp="Sales", **{"from": "2000-01-01"}).json  # with today's purge
    out = cbd(*base, "--bp", "Sales", "--from", "2000-01-01")
    table = out.stdout.splitlines()
    t.ok(out.returncode == 0 and table[0].split()[:3] == ["ID", "DESTINATION", "BP"]
         and len(table) == 1 + sum(max(1, len(c["attempts"])) for c in sales_json["completed"])
         and all(any(l.startswith(str(c["id"]) + " ") for l in table) for c in sales_json["completed"]),
         "table (default): a header, one line per attempt, every callback", out.stdout[:400])
    t.ok("Alice Martin" in out.stdout and "No Answer" in out.stdout and "Handled" in out.stdout,
         "table: agent names and attempt states as the screens show them")
    t.ok(table[1].index("+") == table[0].index("DESTINATION"), "table columns are aligned", table[:2])
    out = cbd(*base, "--bp", "Sales", "--from", "2000-01-01", "--to", "2000-01-02")
    t.is_((out.returncode, out.stdout), (0, "no completed callbacks\n"), "nothing in range: said so")
    out = cbd(*base, "--bp", EAST, "--tz", "UTC", "--from", "2000-01-01", "--format", "csv")
    t.ok(out.returncode == 0 and csv_rows(out.stdout)[1][2] == EAST, "--bp by a name with a comma and quotes")
    out = cbd("report", "completed", "--help")
    t.ok(out.returncode == 0 and out.stdout.startswith("usage:") and "--format" in out.stdout, "--help: usage, exit 0")
    t.is_(cbd("report", "--help").returncode, 0, "cbd report --help: exit 0")
    for args, why in (([], "no action"), (["completed"], "no --db"), (base[1:] + ["--format", "xml"], "--format xml"),
                      (base[1:] + ["--from", "nope"], "--from nope"), (base[1:] + ["--to", "2026-02-30"], "bad --to"),
                      (base[1:] + ["--tz", "Mars/Base"], "unknown --tz"), (base[1:] + ["--bogus"], "unknown option"),
                      (base[1:] + ["--bp"], "--bp without a value"), (base[1:] + ["extra"], "an operand"),
                      (["summary", "--db", s.db], "unknown action")):
        out = cbd("report", *args)
        t.ok(out.returncode == 2 and out.stderr and not out.stdout, "cbd report %s: exit 2 (%s)" %
             (" ".join(args).replace(s.db, "DB"), why), (out.returncode, out.stderr))
    out = cbd(*base, "--bp", "Nope")
    t.ok(out.returncode == 1 and "Nope" in out.stderr, "an unknown BP: exit 1, named", out.stderr)
    out = cbd("report", "completed", "--db", os.path.join(s.tmp, "missing.db"))
    t.ok(out.returncode == 1 and out.stderr, "a missing database: exit 1", out.stderr)
t.done()
