#!/usr/bin/python3
# GET /stats (DESIGN.md §4): the supervisor figures per BP for the current
# shift. Figures checked against counts recomputed from the attempt history:
# after each change, an independent recomputation in Python — shift start
# from zoneinfo, Proc / Purged / Reached from the callbacks and their last
# attempt, Avg Time from the attempts (joined to callbacks, not through
# attempts.bp_id), To Be Proc from the locations — read straight from the
# database (read-only) must equal what the server keeps incrementally.
# Changes: purge, create, full lifecycles in Support (Handled live, Handled
# after voicemail, No Answer, Wrong Destination) with handle times set by the
# test clock; BP stop / start in CLBK Stat; the coalesced `stats` event; the
# role matrix; a shift rollover with the test clock resets everything but To
# Be Proc.
import datetime, json, os, select, socket, sqlite3, sys, time
from zoneinfo import ZoneInfo
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from cbdtest import Server, Tap

t = Tap()
V1 = "/api/v1"
UTC = datetime.timezone.utc
ZONES = {1: "America/New_York", 2: "UTC"}


def iso(ts):
    return datetime.datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse(s):
    return int(datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp())


def shift(zone, now):
    """[start, next) of the shift holding now: local midnights (shift_start 00:00)."""
    z = ZoneInfo(zone)
    local = datetime.datetime.fromtimestamp(now, z)
    start = datetime.datetime(local.year, local.month, local.day, tzinfo=z)
    nxt = start.date() + datetime.timedelta(days=1)
    nxt = datetime.datetime(nxt.year, nxt.month, nxt.day, tzinfo=z)
    return int(start.timestamp()), int(nxt.timestamp())


class SSE:
    """A supervisor's event stream, read raw (chunked) for `stats` events."""

    def __init__(self, s, token):
        self.sock = socket.create_connection((s.host, s.port), timeout=5)
        self.sock.sendall(("GET /api/v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n"
                           % token).encode())
        self.buf, self.text, self.head = b"", "", False

    def stats(self, timeout):
        """Every stats row received within timeout seconds."""
        end, rows = time.time() + timeout, []
        while time.time() < end:
            r, _, _ = select.select([self.sock], [], [], max(0.0, end - time.time()))
            if not r:
                break
            data = self.sock.recv(65536)
            if not data:
                break
            self.buf += data
            if not self.head:
                if b"\r\n\r\n" not in self.buf:
                    continue
                self.buf = self.buf.partition(b"\r\n\r\n")[2]
                self.head = True
            while True:
                line, sep, rest = self.buf.partition(b"\r\n")
                if not sep:
                    break
                n = int(line.split(b";")[0], 16)
                if len(rest) < n + 2:
                    break
                self.text += rest[:n].decode()
                self.buf = rest[n + 2:]
            while "\n\n" in self.text:
                block, _, self.text = self.text.partition("\n\n")
                f = dict(l.split(": ", 1) for l in block.split("\n") if ": " in l and not l.startswith(":"))
                if f.get("event") == "stats":
                    rows.append(json.loads(f["data"]))
        return rows

    def close(self):
        self.sock.close()


srv = Server(t, args=["--test-clock", "--grace-s", "3600"])
with srv as s:
    sup, admin, carol = s.login("sup"), s.login("admin"), s.login("carol")
    alice = s.login("alice")
    db = sqlite3.connect("file:%s?mode=ro" % s.db, uri=True)

    def now():
        return parse(s.get(V1 + "/test/clock").json["now"])

    cur = {"sup": sup}  # a new token after a jump of over 12 h (idle expiry)

    def stats(tok="sup"):
        return s.get(V1 + "/stats", cur["sup"] if tok == "sup" else tok)

    def row(bp_id):
        return [r for r in stats().json["stats"] if r["bp_id"] == bp_id][0]

    def recompute(bp_id, at):
        start, nxt = shift(ZONES[bp_id], at)
        c = db.cursor()
        proc = purged = reached = 0
        for cid, end in c.execute("SELECT id, end_state FROM callbacks WHERE bp_id = ? AND completed_at >= ?"
                                  " AND completed_at < ?", (bp_id, start, nxt)).fetchall():
            if end == "purged":
                purged += 1
                continue
            proc += 1
            last = c.execute("SELECT connect FROM attempts WHERE callback_id = ? ORDER BY id DESC LIMIT 1",
                             (cid,)).fetchone()
            if end == "handled" and last and last[0] == "live":
                reached += 1
        hs = [h for (h,) in c.execute("SELECT a.handle_s FROM attempts a JOIN callbacks cb ON cb.id = a.callback_id"
                                      " WHERE cb.bp_id = ? AND a.at >= ? AND a.at < ? AND a.handle_s IS NOT NULL",
                                      (bp_id, start, nxt))]
        (open_,) = c.execute("SELECT count(*) FROM callbacks WHERE bp_id = ? AND location <> 3",
                             (bp_id,)).fetchone()
        tenths = (reached * 1000 + proc // 2) // proc if proc else 0
        return {"proc": proc, "to_be_proc": open_, "avg_time_s": (sum(hs) + len(hs) // 2) // len(hs) if hs else 0,
                "purged": purged, "reached_pct": tenths / 10, "fail_pct": (1000 - tenths) / 10 if proc else 0,
                "shift_start": iso(start)}

    def figures(r):
        return {k: r[k] for k in ("proc", "to_be_proc", "avg_time_s", "purged", "reached_pct", "fail_pct",
                                  "shift_start")}

    def agree(what):
        # the engine may commit a timer's batch between the two reads: both
        # are read again (for up to 2 s) until they describe the same state
        for _ in range(20):
            at = now()
            rows = {r["bp_id"]: r for r in stats().json["stats"]}
            want = {b: recompute(b, at) for b in (1, 2)}
            if all(figures(rows[b]) == want[b] for b in (1, 2)):
                break
            time.sleep(0.1)
        for b in (1, 2):
            t.is_(figures(rows[b]), want[b], "%s: %s figures = recomputation" % (what, rows[b]["bp"]))
        return rows

    # -- role matrix --------------------------------------------------------
    for name, tok, want in (("no token", None, 401), ("agent", alice, 403), ("service", s.service_token, 403),
                            ("supervisor", sup, 200), ("admin", admin, 200)):
        t.is_(stats(tok).status, want, "GET /stats as %s: %d" % (name, want))
    t.is_(s.post(V1 + "/stats", sup).status, 405, "POST /stats: 405")

    # -- the demo, at start -------------------------------------------------
    r = stats()
    t.is_(r.headers.get("content-type"), "application/json; charset=utf-8", "JSON reply")
    t.is_([x["bp"] for x in r.json["stats"]], ["Sales", "Support"], "one row per BP, by name")
    t.is_(sorted(r.json["stats"][0].keys()), sorted(["bp_id", "bp", "clbk_stat", "proc", "to_be_proc", "avg_time_s",
                                                     "purged", "reached_pct", "fail_pct", "shift_start"]),
          "row members")
    at = now()
    sales, support = r.json["stats"]
    t.is_(sales["shift_start"], iso(shift("America/New_York", at)[0]), "Sales shift: 00:00 New York today")
    t.is_(support["shift_start"], iso(shift("UTC", at)[0]), "Support shift: 00:00 UTC today")
    local = datetime.datetime.fromtimestamp(at, ZoneInfo("America/New_York"))
    sales_open = local.weekday() < 5 and 9 <= local.hour < 17
    t.is_(sales["clbk_stat"], "active" if sales_open else "off_schedule", "Sales CLBK Stat from its schedule")
    t.is_(support["clbk_stat"], "active", "Support is always open: Active")
    t.is_((sales["proc"], sales["purged"], sales["reached_pct"], sales["fail_pct"]), (0, 0, 0, 0),
          "Sales: the demo's completions are before today: nothing processed this shift")
    (open_sales,) = db.execute("SELECT count(*) FROM callbacks WHERE bp_id = 1 AND location <> 3").fetchone()
    t.ok(open_sales > 10 and sales["to_be_proc"] == open_sales, "Sales To Be Proc counts every open callback (%d)"
         % open_sales, sales)
    t.is_((support["proc"], support["to_be_proc"]), (0, 8), "Support: nothing processed, 8 pending")
    agree("start")

    # -- purge and create move Purged and To Be Proc ---------------------------
    ev = SSE(s, sup)
    ev.stats(0.3)  # the stream is open
    (pid,) = db.execute("SELECT id FROM callbacks WHERE bp_id = 1 AND location = 0 ORDER BY id LIMIT 1").fetchone()
    t.is_(s.post(V1 + "/callbacks/%d/purge" % pid, sup).status, 200, "purge a Pending Sales callback")
    after = row(1)
    t.is_((after["purged"], after["to_be_proc"], after["proc"]), (1, sales["to_be_proc"] - 1, 0),
          "purge: Purged + 1, To Be Proc - 1, Proc unchanged")
    got = ev.stats(3)
    t.ok(got and got[-1]["bp_id"] == 1 and figures(got[-1]) == figures(after),
         "a `stats` event carries the new Sales row", got)
    t.is_(s.post(V1 + "/callbacks/%d/purge" % pid, sup).status, 409, "purging it again: 409")
    t.is_(row(1)["purged"], 1, "a refused purge counts nothing")
    agree("after a purge")

    due = datetime.datetime.fromtimestamp(now() + 9 * 86400, UTC).replace(hour=15, minute=7, second=0)
    r = s.post(V1 + "/callbacks", sup, {"destination": "+12125559901", "bp": "Sales", "routing": "team",
                                        "team": "Sales Team", "tz": "America/New_York",
                                        "due_at": due.strftime("%Y-%m-%dT%H:%M:%SZ")})
    t.ok(r.status == 201, "create a Sales callback", r)
    t.is_(row(1)["to_be_proc"], after["to_be_proc"] + 1, "create: To Be Proc + 1")
    r = s.post(V1 + "/callbacks", sup, {"destination": "not a number", "bp": "Sales", "routing": "team",
                                        "team": "Sales Team", "tz": "America/New_York",
                                        "due_at": due.strftime("%Y-%m-%dT%H:%M:%SZ")})
    t.is_((r.status, row(1)["to_be_proc"]), (422, after["to_be_proc"] + 1), "a refused create counts nothing")
    agree("after a create")

    # -- lifecycles in Support with handle times from the test clock ------------
    t.is_(s.put(V1 + "/me/presence", carol, {"presence": "ready"}).status, 200, "carol is Ready")

    def lifecycle(number, connect, hold_s, status):
        r = s.post(V1 + "/callbacks", sup, {"destination": number, "bp": "Support", "routing": "team",
                                            "team": "Support Team", "tz": "UTC", "due_at": iso(now())})
        cid = r.json["id"] if r.status == 201 else None
        end = time.time() + 5
        while time.time() < end:
            i = s.get(V1 + "/me/interaction", carol).json.get("interaction")
            if i and i["id"] == cid and i["state"] == "offered":
                break
            time.sleep(0.05)
        steps = [s.post(V1 + "/callbacks/%s/accept" % cid, carol).status]
        if connect:
            steps.append(s.post(V1 + "/callbacks/%s/connected" % cid, carol, {"kind": connect}).status)
        s.post(V1 + "/test/clock", body={"advance_s": hold_s})
        steps.append(s.post(V1 + "/callbacks/%s/complete" % cid, carol, {"status": status}).status)
        return cid, steps

    base = row(2)
    cid, steps = lifecycle("+442071234501", "live", 40, "handled")
    t.is_(steps, [200, 200, 200], "Support: offered, accepted, connected live, 40 s, Handled")
    r2 = row(2)
    t.is_((r2["proc"], r2["reached_pct"], r2["fail_pct"], r2["to_be_proc"]), (1, 100, 0, base["to_be_proc"]),
          "Handled live: Proc 1, Reached 100 %, Fail 0 %, To Be Proc back where it was")
    t.ok(40 <= r2["avg_time_s"] <= 42, "Avg Time: the 40 s from accept to completion", r2)
    agree("after Handled live")

    cid, steps = lifecycle("+442071234502", "voicemail", 20, "handled")
    t.is_(steps, [200, 200, 200], "Support: connected to voicemail, 20 s, Handled")
    r2 = row(2)
    t.is_((r2["proc"], r2["reached_pct"], r2["fail_pct"]), (2, 50, 50),
          "Handled after voicemail is processed but not reached: 50 % / 50 %")
    t.ok(30 <= r2["avg_time_s"] <= 32, "Avg Time: mean of 40 s and 20 s", r2)

    cid, steps = lifecycle("+442071234503", None, 10, "no_answer")
    t.is_(steps, [200, 200], "Support: accepted, 10 s of dialing, No Answer")
    r2 = row(2)
    t.is_((r2["proc"], r2["to_be_proc"]), (2, base["to_be_proc"] + 1),
          "No Answer with attempts left: back to Pending, not processed, still to be processed")
    t.ok(23 <= r2["avg_time_s"] <= 25, "Avg Time counts the No Answer attempt's handle time too", r2)
    nid = cid

    cid, steps = lifecycle("+442071234504", None, 5, "wrong_destination")
    t.is_(steps, [200, 200], "Support: accepted, Wrong Destination")
    r2 = row(2)
    t.is_((r2["proc"], r2["reached_pct"], r2["fail_pct"]), (3, 33.3, 66.7),
          "Wrong Destination is processed, not reached: 33.3 % / 66.7 % (one decimal, adding to 100)")
    rows = agree("after four lifecycles")

    # -- CLBK Stat follows stop / start; events coalesce -------------------------
    def wait_event(pred, timeout=2.5):
        end, seen = time.time() + timeout, []
        while time.time() < end:
            seen += ev.stats(min(0.2, end - time.time()))
            if any(pred(g) for g in seen):
                break
        return seen

    ev.stats(1.2)  # drained, and a second has passed since the last event
    t.is_(s.post(V1 + "/bps/2/stop", sup).status, 200, "stop Support")
    t.is_((row(2)["clbk_stat"], row(2)["proc"]), ("stopped", 3), "Support: Stopped, figures kept")
    got = wait_event(lambda g: g["bp_id"] == 2 and g["clbk_stat"] == "stopped")
    t.ok(any(g["bp_id"] == 2 and g["clbk_stat"] == "stopped" and g["proc"] == 3 for g in got),
         "a `stats` event: Support Stopped", got)
    t.is_(s.post(V1 + "/bps/2/start", sup).status, 200, "start Support")
    t.is_(row(2)["clbk_stat"], "active", "Support: Active again")
    got = wait_event(lambda g: g["bp_id"] == 2 and g["clbk_stat"] == "active")
    t.ok(any(g["bp_id"] == 2 and g["clbk_stat"] == "active" for g in got), "a `stats` event: Support Active", got)

    # a burst of changes: at most one event per BP per second (the first at
    # once, the rest held to the next second), the last carrying the final
    # figures
    ev.stats(1.2)
    ids = [i for (i,) in db.execute("SELECT id FROM callbacks WHERE bp_id = 2 AND location = 0"
                                    " ORDER BY id LIMIT 5")]
    t0 = time.time()
    t.is_([s.post(V1 + "/callbacks/%d/purge" % i, sup).status for i in ids], [200] * 5,
          "purge five Support callbacks at once")
    burst = time.time() - t0
    final = row(2)
    got = [g for g in ev.stats(2.5) if g["bp_id"] == 2]
    t.ok(got and figures(got[-1]) == figures(final) and len(got) <= int(burst) + 3,
         "%d events for 5 changes in %.2f s; the last one has Purged %d" % (len(got), burst, final["purged"]),
         got)
    t.is_(final["purged"], 5, "Support Purged 5")
    ev.close()

    # -- the next shift: everything but To Be Proc restarts from zero ------------
    at = now()
    sales_next = shift("America/New_York", at)[1]
    support_next = shift("UTC", at)[1]
    before = {r["bp_id"]: r for r in stats().json["stats"]}
    target = max(sales_next, support_next) + 30
    t.is_(s.post(V1 + "/test/clock", body={"advance_s": target - at}).status, 200,
          "test clock: past both BPs' next shift start")
    # up to a day later (Support's shift starts at 00:00 UTC): tokens idle
    # for over 12 hours have expired
    cur["sup"] = sup = s.login("sup", "sup-demo")
    rows = {r["bp_id"]: r for r in stats().json["stats"]}
    t.is_(rows[1]["shift_start"], iso(shift("America/New_York", target)[0]), "Sales: the new shift's start")
    t.is_(rows[2]["shift_start"], iso(shift("UTC", target)[0]), "Support: the new shift's start")
    t.is_([(rows[b]["proc"], rows[b]["purged"], rows[b]["reached_pct"], rows[b]["fail_pct"]) for b in (1, 2)],
          [(0, 0, 0, 0)] * 2, "Proc, Purged and the percentages restart at 0")
    t.is_(rows[2]["avg_time_s"], 0, "Support Avg Time restarts at 0")
    # (Sales Avg Time counts what happened since: the demo's held callbacks
    # went back when alice's and bob's grace ran out during the jump — the
    # recomputation below checks it)
    t.is_([rows[b]["to_be_proc"] for b in (1, 2)], [before[b]["to_be_proc"] for b in (1, 2)],
          "To Be Proc carries over")
    agree("after the rollover")

    # in the new shift, a purge counts again
    (pid,) = db.execute("SELECT id FROM callbacks WHERE bp_id = 2 AND location = 0 ORDER BY id LIMIT 1").fetchone()
    t.is_(s.post(V1 + "/callbacks/%d/purge" % pid, sup).status, 200, "purge a Support callback in the new shift")
    t.is_(row(2)["purged"], 1, "Purged 1 in the new shift")
    agree("in the new shift")
    db.close()

# a restart loads the figures of the current shift from the store (the
# test clock starts from the real time again)
with srv as s:
    sup = s.login("sup")
    db = sqlite3.connect("file:%s?mode=ro" % s.db, uri=True)
    agree("after a restart")
    db.close()
t.done()
