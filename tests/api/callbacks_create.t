#!/usr/bin/python3
# POST /api/v1/callbacks: a good create read back field by field; every class
# of bad input answering 422 with the field named and nothing stored; the
# can_schedule profile flag; duplicates and replace; Idempotency-Key (twice,
# and 20 racing requests); slot capacity on Sales.
import datetime, json, os, re, sqlite3, sys, threading, time
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


def utc_parts(ts):
    d = datetime.datetime.fromtimestamp(ts, UTC)
    return d.strftime("%Y-%m-%d"), d.strftime("%H:%M:%S")


t = Tap()
with Server(t) as s:
    sup, alice, bob = s.login("sup"), s.login("alice"), s.login("bob")
    db = sqlite3.connect(s.db, timeout=10)
    seq = [0]

    def number():
        seq[0] += 1
        return "+1202555%04d" % seq[0]

    def body(**over):
        """A valid Support team callback due tomorrow, with changes."""
        date, clock = utc_parts(time.time() + 86400)
        b = {"destination": number(), "bp": "Support", "routing": "team", "team": "Support Team",
             "tz": "UTC", "date": date, "time": clock}
        for k, v in over.items():
            if v is None:
                b.pop(k, None)
            else:
                b[k] = v
        return b

    def stored(num):
        r = s.get(CB + "?number=" + num.replace("+", "%2B") + "&limit=500", sup)
        return r.json["callbacks"] if r.status == 200 else ("error", r)

    def total():
        n, after = 0, None
        while True:
            r = s.get(CB + "?limit=500" + ("&after=" + after if after else ""), sup)
            n += len(r.json["callbacks"])
            after = r.json.get("next")
            if not after:
                return n

    def refused(b, field, name, token=None, status=422, code="invalid_field", headers=None):
        r = s.post(CB, token or alice, b, headers=headers)
        ok = t.is_((r.status, r.error()), (status, (code, field)), name)
        if not ok:
            t.diag(repr(r))
        num = b.get("destination") if isinstance(b, dict) else None
        if isinstance(num, str) and re.fullmatch(r"\+1202555\d{4}", num):
            t.is_(stored(num), [], name + ": nothing stored")
        return r

    # -- a good create, read back --------------------------------------------
    before = time.time()
    due = int(time.time()) // 60 * 60 + 2 * 86400
    date, clock = utc_parts(due)
    good = {"destination": "+1 (202) 555-7000", "bp": "Support", "routing": "agent",
            "agent": "carol", "tz": "UTC", "date": date, "time": clock[:5], "window_min": 45,
            "remark": "Call about the invoice\nsecond line", "subject": "Invoice 42",
            "case_data": {"order": "A-17", "note": "é ü"}, "transcription": "hello " * 100,
            "origin": "panel", "interaction": 7}
    r = s.post(CB, alice, good)
    t.is_(r.status, 201, "a good create is 201")
    c = r.json
    t.is_((c["destination"], c["bp"], c["bp_id"], c["routing"], c["agent"], c["team"], c["tz"]),
          ("+12025557000", "Support", 2, "agent", "carol", None, "UTC"), "identity fields as sent")
    t.is_((c["due_at"], c["window_end"]), (rfc(due), rfc(due + 45 * 60)), "due_at and window_end")
    t.is_((c["remark"], c["subject"], c["case_data"], c["transcription"], c["origin"]),
          (good["remark"], "Invoice 42", {"order": "A-17", "note": "é ü"}, good["transcription"],
           "panel"), "free text as sent")
    t.is_((c["attempts"], c["location"], c["state"], c["holder"], c["timed_out"], c["end_state"],
           c["overdue"], c["flags"], c["version"], c["created_by"]),
          (0, "pending", None, None, False, None, False, [], 1, "alice"), "a new callback's state")
    t.ok(before - 2 <= parse(c["created_at"]) <= time.time() + 2, "created_at is now")
    g = s.get(CB + "/%d" % c["id"], sup)
    t.is_(g.status, 200, "GET the new callback")
    t.is_({k: v for k, v in g.json.items() if k != "history"}, c, "GET shows what POST answered")
    t.is_(g.json.get("history"), [], "no attempts yet")

    # defaults: window from the BP, origin api, nulls
    b = body()
    r = s.post(CB, sup, b)
    t.is_(r.status, 201, "a supervisor creates")
    t.is_((parse(r.json["window_end"]) - parse(r.json["due_at"]), r.json["origin"],
           r.json["subject"], r.json["case_data"], r.json["remark"], r.json["created_by"]),
          (120 * 60, "api", None, None, "", "sup"), "defaults: BP window, origin api, empty extras")
    r = s.post(CB, s.service_token, body()) if s.service_token else None
    if r is not None:
        t.is_(r.status, 403, "a service token may not create")

    # -- bad input: 422 naming the field, nothing stored -----------------------
    n0 = total()
    for bad, why in [("2025550100", "no plus"), ("+1 202", "too short"), ("+0123456789", "leading 0"),
                     ("abc", "letters"), ("+1202555000000000", "too long"), ("", "empty"),
                     (12025550100, "a number"), ("+1 (202 555 0100", "unbalanced parenthesis")]:
        refused(body(destination=bad), "destination", "bad destination: " + why)
    refused(body(destination=None), "destination", "missing destination")
    t.is_(total(), n0, "no bad destination stored anything")
    r = s.post(CB, alice, body(destination="+1202555"))
    t.ok(r.json["error"]["message"].startswith("destination: "), "the message names the field",
         r.json)

    refused(body(bp="Nope"), "bp", "unknown BP by name")
    refused(body(bp=999), "bp", "unknown BP by id")
    refused(body(bp=[1]), "bp", "bp of the wrong type")
    r = s.post(CB, alice, body(bp=2))
    t.is_(r.status, 201, "bp by id")
    db.execute("UPDATE bps SET routing = 'agent' WHERE name = 'Support'")
    db.commit()
    refused(body(), "routing", "team routing not offered by the BP")
    db.execute("UPDATE bps SET routing = 'agent,team' WHERE name = 'Support'")
    db.commit()
    refused(body(routing="queue"), "routing", "routing not agent or team")
    refused(body(routing=None), "routing", "routing missing")
    refused(body(routing="agent", team=None, agent="alice"), "agent", "agent not in a team serving the BP")
    refused(body(routing="agent", team=None, agent="zed"), "agent", "unknown agent")
    refused(body(routing="agent", team=None, agent="sup"), "agent", "a supervisor is not an agent")
    refused(body(routing="agent", team=None), "agent", "routing agent without agent")
    refused(body(routing="agent", agent="carol"), "team", "team given with routing agent")
    refused(body(agent="carol"), "agent", "agent given with routing team")
    refused(body(bp="Sales", team="Support Team"), "team", "team not serving the BP")
    refused(body(team="Nope Team"), "team", "unknown team")
    r = s.post(CB, alice, body(routing="agent", team=None, agent="dave"))
    t.is_(r.status, 201, "routing agent with team absent")
    b = body(routing="agent", agent="dave")
    b["team"] = None
    r = s.post(CB, alice, b)
    t.is_((r.status, r.json.get("team")), (201, None), "team: null is the same as absent")

    refused(body(tz="Mars/Olympus"), "tz", "unknown time zone")
    refused(body(tz="right/UTC"), "tz", "a right/ copy is refused")
    refused(body(tz=None), "tz", "tz missing")
    r = s.post(CB, alice, body(tz="Mars/Olympus"))
    t.is_(r.json["error"]["message"], "tz: unknown time zone", "tz message")

    # the next spring-forward night in New York: 02:30 does not exist
    def sunday(y, m, n):
        return [datetime.date(y, m, d) for d in range(1, 29) if datetime.date(y, m, d).weekday() == 6][n - 1]

    def next_night(m, n):
        y = datetime.date.today().year
        while True:
            d = sunday(y, m, n)
            if datetime.datetime(d.year, d.month, d.day, tzinfo=UTC).timestamp() > time.time() + 86400:
                return d
            y += 1

    gap = next_night(3, 2)
    r = refused(body(tz="America/New_York", date=gap.isoformat(), time="02:30"), "time",
                "DST gap " + gap.isoformat() + " 02:30 America/New_York")
    t.ok("does not exist" in r.json["error"]["message"], "the gap message says so", r.json)
    r = s.post(CB, alice, body(tz="America/New_York", date=gap.isoformat(), time="03:30"))
    t.is_(r.status, 201, "03:30 that night exists")
    # an ambiguous local time (the fall-back night) means the earlier instant
    fb = next_night(11, 1)
    r = s.post(CB, alice, body(tz="America/New_York", date=fb.isoformat(), time="01:30"))
    want = datetime.datetime(fb.year, fb.month, fb.day, 5, 30, tzinfo=UTC)
    t.is_((r.status, r.json.get("due_at")), (201, want.strftime("%Y-%m-%dT%H:%M:%SZ")),
          "ambiguous 01:30 (" + fb.isoformat() + ") is the earlier instant, EDT")

    date, clock = utc_parts(time.time() - 11 * 60)
    r = refused(body(date=date, time=clock), "time", "11 minutes in the past")
    t.is_(r.json["error"]["message"], "time: in the past", "past message")
    refused(body(date=None, time=None, due_at=rfc(time.time() - 11 * 60)), "due_at",
            "11 minutes in the past as due_at")
    date, clock = utc_parts(time.time() - 5 * 60)
    sent = time.time()
    r = s.post(CB, alice, body(date=date, time=clock))
    t.is_(r.status, 201, "5 minutes in the past is accepted")
    t.ok(abs(parse(r.json["due_at"]) - sent) <= 3, "... and means due now", r.json.get("due_at"))
    date, clock = utc_parts(time.time() + 367 * 86400)
    refused(body(date=date, time=clock), "time", "367 days ahead")
    refused(body(date=None, time=None, due_at=rfc(time.time() + 367 * 86400)), "due_at",
            "367 days ahead as due_at")
    date, clock = utc_parts(time.time() + 365 * 86400)
    t.is_(s.post(CB, alice, body(date=date, time=clock)).status, 201, "365 days ahead is fine")
    refused(body(date="2026-02-30"), "date", "a date that does not exist")
    refused(body(date="tomorrow"), "date", "a date that is not a date")
    refused(body(time="25:00"), "time", "hour 25")
    refused(body(time=None), "time", "date without time")
    refused(body(date=None), "date", "time without date")
    refused(body(date=None, time=None), "date", "neither date and time nor due_at")
    refused(body(due_at=rfc(time.time() + 3600)), "due_at", "both date and due_at")
    refused(body(date=None, time=None, due_at="2026-13-01T00:00:00Z"), "due_at", "bad due_at")
    r = s.post(CB, alice, body(date=None, time=None, due_at=rfc(time.time() + 7200)))
    t.is_(r.status, 201, "due_at alone")

    refused(body(window_min=0), "window_min", "window_min 0")
    refused(body(window_min=10081), "window_min", "window_min over a week")
    refused(body(window_min="5"), "window_min", "window_min as a string")
    t.is_(s.post(CB, alice, body(remark="é" * 500)).status, 201, "remark of 500 characters (1000 bytes)")
    refused(body(remark="é" * 501), "remark", "remark of 501 characters")
    refused(body(subject="x" * 201), "subject", "subject over 200 characters")
    refused(body(subject="two\nlines"), "subject", "subject with a newline")
    refused(body(case_data={"a": 1}), "case_data", "case_data with a non-string value")
    refused(body(case_data={"a": {"b": "c"}}), "case_data", "case_data nested")
    refused(body(case_data=["a"]), "case_data", "case_data not an object")
    refused(body(case_data={"k": "v" * 4100}), "case_data", "case_data over 4 KiB")
    t.is_(s.post(CB, alice, body(case_data={"k": "v" * 4000})).status, 201, "case_data under 4 KiB")
    refused(body(transcription="x" * 20001), "transcription", "transcription over 20000 characters")
    refused(body(origin="fax"), "origin", "unknown origin")
    refused(body(interaction=0), "interaction", "interaction id 0")
    refused(body(interaction="7"), "interaction", "interaction as a string")
    refused(body(replace="yes"), "replace", "replace not a boolean")
    refused(body(colour="blue"), "colour", "unknown field")
    r = s.post(CB, alice, raw=b'{"destination": ')
    t.is_(r.status, 400, "malformed JSON is 400")

    # do-not-call list (table dnc)
    dnc = number()
    db.execute("INSERT INTO dnc(number, note, added_at) VALUES (?, 'test', 0)", (dnc,))
    db.commit()
    r = refused(body(destination=dnc), "destination", "a number on the do-not-call list")
    t.is_(r.json["error"]["message"], "destination: on the do-not-call list", "do-not-call message")

    # -- the profile flag --------------------------------------------------------
    db.execute("UPDATE users SET can_schedule = 0 WHERE login = 'bob'")
    db.commit()
    b = body()
    r = s.post(CB, bob, b)
    t.is_((r.status, r.error()[0], r.json["error"]["message"]),
          (403, "forbidden", "your profile may not schedule callbacks"), "can_schedule false is 403")
    t.is_(stored(b["destination"]), [], "... and nothing was stored")
    db.execute("UPDATE users SET can_schedule = 1 WHERE login = 'bob'")
    db.commit()
    t.is_(s.post(CB, bob, b).status, 201, "can_schedule back: bob schedules")

    # -- duplicates and replace ---------------------------------------------------
    num = number()
    first = s.post(CB, alice, body(destination=num)).json
    r = s.post(CB, alice, body(destination=num[:2] + " (" + num[2:5] + ") " + num[5:8] + "-" + num[8:]))
    t.is_((r.status, r.error(), r.json["error"].get("existing")),
          (409, ("duplicate", "destination"), first["id"]), "duplicate: 409 with the existing id")
    t.is_(len(stored(num)), 1, "... and still one callback")
    r = s.post(CB, alice, body(destination=num, bp="Sales", team="Sales Team"))
    t.is_(r.status, 201, "the same number in another BP is not a duplicate")
    r = s.post(CB, alice, body(destination=num, replace=False))
    t.is_(r.status, 409, "replace: false is still a duplicate")
    r = s.post(CB, alice, body(destination=num, replace=True, remark="new one"))
    t.is_((r.status, r.json.get("remark")), (201, "new one"), "replace: true creates the new one")
    old = s.get(CB + "/%d" % first["id"], sup).json
    t.is_((old["location"], old["end_state"], [a["state"] for a in old["history"]]),
          ("completed", "purged", ["purged"]), "... and the old one is purged with a purged attempt")
    a = s.get("/api/v1/audit?target=callback:%d" % first["id"], sup)
    if a.status == 200:
        acts = [(e["action"], e["user"]["login"] if e["user"] else None) for e in a.json["audit"]]
        t.is_(acts, [("callback.replace", "alice")], "replace is audited")
    else:
        rows = db.execute("SELECT action FROM audit WHERE target = ?", ("callback:%d" % first["id"],)).fetchall()
        t.is_(rows, [("callback.replace",)], "replace is audited")
    # replace refused while an agent holds the open one
    held = r.json["id"]
    alice_id = db.execute("SELECT id FROM users WHERE login = 'alice'").fetchone()[0]
    db.execute("UPDATE callbacks SET state = 'offered', location = 2, holder_id = ?, "
               "version = version + 1 WHERE id = ?", (alice_id, held))
    db.commit()
    r = s.post(CB, alice, body(destination=num, replace=True))
    t.is_((r.status, r.error()[0], r.json["error"].get("existing")), (409, "conflict", held),
          "replace refused while an agent holds it")
    t.is_([c["id"] for c in stored(num) if c["bp"] == "Support"], [first["id"], held],
          "... nothing changed")
    # a queued one can be replaced
    num2 = number()
    q = s.post(CB, alice, body(destination=num2)).json
    t.is_(s.post(CB + "/%d/queue" % q["id"], sup).status, 200, "queue one")
    r = s.post(CB, alice, body(destination=num2, replace=True))
    t.is_(r.status, 201, "a queued callback is replaced")
    t.is_(s.get(CB + "/%d" % q["id"], sup).json["end_state"], "purged", "... and purged")

    # -- Idempotency-Key ---------------------------------------------------------------
    b = body()
    h = {"Idempotency-Key": "key-one"}
    r1 = s.post(CB, alice, b, headers=h)
    r2 = s.post(CB, alice, b, headers=h)
    t.is_((r1.status, r2.status), (201, 201), "the same key twice: 201 both times")
    t.is_(r2.body, r1.body, "... with the same body, byte for byte")
    t.is_(len(stored(b["destination"])), 1, "... and one callback")
    r3 = s.post(CB, alice, body(remark="different"), headers=h)
    t.is_((r3.status, r3.body), (201, r1.body), "a repeat with another body still answers the first result")
    r4 = s.post(CB, bob, b, headers=h)
    t.is_((r4.status, r4.error()[0]), (409, "duplicate"), "keys are per user: bob's is a new request")
    refused(body(), "Idempotency-Key", "a key over 200 characters",
            headers={"Idempotency-Key": "k" * 201})
    t.is_(s.post(CB, alice, body(), headers={"Idempotency-Key": "k" * 200}).status, 201,
          "a key of 200 characters")
    refused(body(), "Idempotency-Key", "a key with non-ASCII bytes",
            headers={"Idempotency-Key": "clé".encode("utf-8").decode("latin-1")})

    b = body()
    h = {"Idempotency-Key": "race-%d" % time.time()}
    replies = [None] * 20

    def create(i):
        replies[i] = s.post(CB, alice, b, headers=h)

    threads = [threading.Thread(target=create, args=(i,)) for i in range(20)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    t.is_(sorted(set(r.status for r in replies)), [201], "20 racing creates with one key: all 201")
    t.is_(len(set(r.body for r in replies)), 1, "... all with the same body")
    t.is_(len(stored(b["destination"])), 1, "... and exactly one callback")
    n_keys = db.execute("SELECT count(*) FROM idempotency WHERE key = ?", (h["Idempotency-Key"],)).fetchone()[0]
    t.is_(n_keys, 1, "one key stored")

    # expired keys are not answered any more (a key made 25 hours ago)
    db.execute("UPDATE idempotency SET created_at = created_at - 90000 WHERE key = 'key-one'")
    db.commit()
    b = body()
    r = s.post(CB, alice, b, headers={"Idempotency-Key": "key-one"})
    t.is_((r.status, r.json.get("destination")), (201, b["destination"]),
          "an expired key is a new request")

    # -- slot capacity on Sales (30-minute slots holding 4) -------------------------
    day = datetime.date.today() + datetime.timedelta(days=200)
    while day.weekday() != 2:  # a Wednesday, open 09-17 in New York
        day += datetime.timedelta(days=1)
    sales = lambda hm, **o: body(bp="Sales", team="Sales Team", tz="America/New_York",
                                 date=day.isoformat(), time=hm, **o)
    got = [s.post(CB, alice, sales(hm)).status for hm in ("10:00", "10:05", "10:10", "10:29")]
    t.is_(got, [201] * 4, "four callbacks fill the 10:00 slot")
    r = s.post(CB, alice, sales("10:15"))
    t.is_((r.status, r.error()), (409, ("slot_full", "time")), "the fifth is 409 slot_full")
    nf = r.json["error"].get("next_free")
    want = datetime.datetime(day.year, day.month, day.day, 10, 30, tzinfo=NY).astimezone(UTC)
    t.ok(isinstance(nf, list) and 1 <= len(nf) <= 3 and nf[0] == want.strftime("%Y-%m-%dT%H:%M:%SZ"),
         "next_free names the next free slots, 10:30 first", nf)
    t.is_(s.post(CB, alice, sales("10:30")).status, 201, "the next slot has room")
    r = s.post(CB, alice, sales("09:59"))
    t.is_(r.status, 201, "the slot before has room")
    db.close()
t.done()
