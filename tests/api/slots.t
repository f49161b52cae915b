#!/usr/bin/python3
# GET /bps/{id}/slots: the slot grid of one local day in a zone. Slots are
# aligned to the BP zone's local time; the day is the asked zone's; DST days
# have 23 or 25 hours; zones with :30 / :45 offsets shift the labels;
# "used" counts open callbacks due in each slot; bad date / tz are 422.
import os, sys, sqlite3
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from cbdtest import Server, Tap

UTC = timezone.utc


def iso(dt):
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def expected_grid(date, tz, bp_tz, slot_min):
    """(start, local) of every slot of the BP grid starting in the local day."""
    z, bz = ZoneInfo(tz), ZoneInfo(bp_tz)
    y, m, d = map(int, date.split("-"))
    lo = datetime(y, m, d, tzinfo=z).astimezone(UTC)
    hi = datetime(*(datetime(y, m, d) + timedelta(days=1)).timetuple()[:3], tzinfo=z).astimezone(UTC)
    out, t = [], lo
    while t < hi:
        lt = t.astimezone(bz)
        if (lt.hour * 60 + lt.minute) % slot_min == 0 and lt.second == 0:
            out.append((iso(t), t.astimezone(z).strftime("%H:%M")))
        t += timedelta(minutes=5)
    return out


t = Tap()
with Server(t) as s:
    alice, sup = s.login("alice"), s.login("sup")
    grid = lambda bp, q, tok=alice: s.get("/api/v1/bps/%s/slots?%s" % (bp, q), tok)

    # Sales on a winter Wednesday in its own zone
    r = grid(1, "date=2027-01-13&tz=America/New_York")
    t.is_(r.status, 200, "slots: 200")
    j = r.json
    t.is_((j["bp_id"], j["date"], j["tz"], j["slot_min"]), (1, "2027-01-13", "America/New_York", 30),
          "slots: header")
    sl = j["slots"]
    t.is_(len(sl), 48, "Sales weekday in New York: 48 slots")
    t.is_([(x["start"], x["local"]) for x in sl], expected_grid("2027-01-13", "America/New_York",
                                                               "America/New_York", 30),
          "Sales weekday: starts and local labels")
    t.is_([x["local"] for x in sl if x["open"]], ["%02d:%02d" % (h, m) for h in range(9, 17) for m in (0, 30)],
          "Sales weekday: open 09:00-16:30 (schedule 09:00-17:00)")
    t.ok(all(x["capacity"] == 4 and x["free"] == 4 - x["used"] and x["full"] == (x["used"] >= 4)
             for x in sl), "Sales: capacity 4, free = capacity - used")
    t.is_(sorted(sl[0].keys()), ["capacity", "free", "full", "local", "open", "start", "used"], "slot shape")
    r2 = grid("Sales", "date=2027-01-13")
    t.is_((r2.status, r2.json["tz"], r2.json["slots"]), (200, "America/New_York", sl),
          "by name, tz defaults to the BP's zone")

    # the same date in London: the day shifts by five hours, labels are London's
    r = grid(1, "date=2027-01-13&tz=Europe/London")
    sl = r.json["slots"]
    t.is_((r.status, r.json["tz"], len(sl)), (200, "Europe/London", 48), "London: 48 slots")
    t.is_((sl[0]["start"], sl[0]["local"]), ("2027-01-13T00:00:00Z", "00:00"), "London: day starts at 00:00Z")
    t.is_([x["local"] for x in sl if x["open"]], ["%02d:%02d" % (h, m) for h in range(14, 22) for m in (0, 30)],
          "London: open 14:00-21:30 London time")

    # a :45 zone: the Sales grid seen from Kathmandu (+05:45)
    r = grid(1, "date=2027-01-13&tz=Asia/Kathmandu")
    sl = r.json["slots"]
    t.is_((len(sl), sl[0]["start"], sl[0]["local"]), (48, "2027-01-12T18:30:00Z", "00:15"),
          "Kathmandu: BP slots keep the BP's half hours, labelled :15 / :45")
    t.is_([(x["start"], x["local"]) for x in sl],
          expected_grid("2027-01-13", "Asia/Kathmandu", "America/New_York", 30), "Kathmandu: whole grid")

    # DST days in New York
    r = grid(1, "date=2027-03-14")
    sl = r.json["slots"]
    t.is_(len(sl), 46, "spring forward: 23 hours, 46 slots")
    labels = [x["local"] for x in sl]
    t.ok("02:00" not in labels and "02:30" not in labels and labels[3:5] == ["01:30", "03:00"],
         "spring forward: 01:30 is followed by 03:00", labels[:8])
    t.is_([(x["start"], x["local"]) for x in sl],
          expected_grid("2027-03-14", "America/New_York", "America/New_York", 30), "spring forward: grid")
    t.ok(not any(x["open"] for x in sl), "a Sunday is closed")
    r = grid(1, "date=2027-11-07")
    sl = r.json["slots"]
    labels = [x["local"] for x in sl]
    t.is_((len(sl), labels.count("01:00"), labels.count("01:30")), (50, 2, 2),
          "fall back: 25 hours, 50 slots, 01:00 and 01:30 twice")
    t.is_(sl[2]["start"], "2027-11-07T05:00:00Z", "fall back: first 01:00 is EDT")
    t.is_(sl[4]["start"], "2027-11-07T06:00:00Z", "fall back: second 01:00 is EST")
    r = grid(1, "date=2027-03-14&tz=UTC")
    t.is_(len(r.json["slots"]), 48, "the DST date asked in UTC has 48 slots")

    # Support: no cap, always open, UTC by default
    r = grid("Support", "date=2027-01-13")
    sl = r.json["slots"]
    t.is_((r.status, r.json["tz"], len(sl)), (200, "UTC", 48), "Support: 48 UTC slots")
    t.ok(all(x["capacity"] is None and x["free"] is None and x["full"] is False and x["open"] for x in sl),
         "Support: capacity and free null, never full, always open")

    # the BP's own zone decides the alignment: Support moved to Kathmandu
    r = s.patch("/api/v1/bps/2", sup, {"version": 1, "tz": "Asia/Kathmandu"})
    t.is_(r.status, 200, "Support moved to Asia/Kathmandu")
    r = grid(2, "date=2027-01-13&tz=UTC")
    sl = r.json["slots"]
    t.is_((len(sl), sl[0]["start"], sl[0]["local"]), (48, "2027-01-13T00:15:00Z", "00:15"),
          "a +05:45 BP: its slots start at :15 / :45 UTC")
    r = grid(2, "date=2027-01-13")
    t.is_((r.json["tz"], r.json["slots"][0]["start"], r.json["slots"][0]["local"]),
          ("Asia/Kathmandu", "2027-01-12T18:15:00Z", "00:00"), "and at 00:00 in its own zone")

    # a 30-minute DST change under 60-minute slots (Lord Howe): the clock
    # lands off the grid and one slot stretches to 90 minutes
    r = s.patch("/api/v1/bps/2", sup, {"version": 2, "tz": "Australia/Lord_Howe", "timing": {"slot_min": 60}})
    t.is_((r.status, r.json["version"]), (200, 3), "Support moved to Lord Howe with hour slots")
    for date, n in (("2027-04-04", 24), ("2027-10-03", 23)):
        sl = grid(2, "date=" + date).json["slots"]
        t.is_([(x["start"], x["local"]) for x in sl],
              expected_grid(date, "Australia/Lord_Howe", "Australia/Lord_Howe", 60),
              "Lord Howe %s: grid" % date)
        starts = [datetime.strptime(x["start"], "%Y-%m-%dT%H:%M:%SZ") for x in sl]
        t.is_((len(sl), (starts[2] - starts[1]).seconds // 60), (n, 90),
              "Lord Howe %s: %d slots, the 01:00 one lasts 90 minutes" % (date, n))

    # bad input
    for q, field, what in [("", "date", "missing date"), ("date=tomorrow", "date", "a word"),
                           ("date=2027-02-30", "date", "no such day"), ("date=2027-1-3", "date", "short form"),
                           ("date=1800-01-01", "date", "too long ago"),
                           ("date=2027-01-13&tz=Mars/Olympus", "tz", "unknown zone"),
                           ("date=2027-01-13&tz=right/UTC", "tz", "right/ copies"),
                           ("date=2027-01-13&tz=", "tz", "empty zone"),
                           ("date=2027-01-13&tz=posix/Europe/Paris", "tz", "posix/ copies")]:
        r = grid(1, q)
        t.is_((r.status, r.error()), (422, ("invalid_field", field)), "422 naming %s: %s" % (field, what))
    r = grid(99, "date=2027-01-13")
    t.is_((r.status, r.error()[0]), (404, "not_found"), "unknown BP is 404")
    r = grid("Nope", "date=2027-01-13")
    t.is_(r.status, 404, "unknown BP name is 404")
    r = grid(1, "date=2027-01-13", None)
    t.is_(r.status, 401, "no token: 401")
    for who in ("sup", "admin"):
        t.is_(grid(1, "date=2027-01-13", s.login(who)).status, 200, "%s may read slots" % who)
    t.is_(grid(1, "date=2027-01-13", s.service_token).status, 200, "a service token may read slots")

    # used: callbacks inserted behind the server's back (WAL lets a second writer in)
    base = {x["start"]: x["used"] for x in grid(1, "date=2027-01-13").json["slots"]}
    db = sqlite3.connect(s.db, timeout=10)
    now = int(datetime.now(UTC).timestamp())

    LOC = {"pending": 0, "handling_by_business_process": 1, "handling_by_agent": 2, "completed": 3}

    def add(n, bp, due, location="pending", state="pending"):
        location = LOC[location]  # stored as enum location's number
        due_s = int(datetime.strptime(due, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp())
        db.execute("INSERT INTO callbacks(destination, bp_id, due_at, window_end, tz, routing, team_id, "
                   "origin, state, location, state_since, created_at) VALUES (?, ?, ?, ?, 'America/New_York', "
                   "'team', ?, 'api', ?, ?, ?, ?)",
                   ("+1202555%04d" % n, bp, due_s, due_s + 7200, bp, state, location, now, now))

    for i in range(4):
        add(i, 1, "2027-01-13T15:0%d:00Z" % i)           # 10:00 NY slot: full
    add(10, 1, "2027-01-13T15:29:59Z", "handling_by_business_process", "queued")  # still 10:00
    add(11, 1, "2027-01-13T15:30:00Z")                   # 10:30 slot
    add(12, 1, "2027-01-13T16:00:00Z", "completed", "completed")  # completed: not counted
    add(13, 1, "2027-01-14T15:00:00Z")                   # another day
    add(14, 2, "2027-01-13T15:00:00Z")                   # another BP
    db.commit()
    sl = {x["start"]: x for x in grid(1, "date=2027-01-13").json["slots"]}
    a, b, c = sl["2027-01-13T15:00:00Z"], sl["2027-01-13T15:30:00Z"], sl["2027-01-13T16:00:00Z"]
    t.is_((a["used"] - base[a["start"]], a["full"], a["free"]), (5, True, 0),
          "10:00 slot: five open callbacks (pending and queued), full, free 0")
    t.is_((b["used"] - base[b["start"]], b["free"]), (1, 3 - base[b["start"]]), "10:30 slot: one used")
    t.is_(c["used"] - base[c["start"]], 0, "a completed callback takes no place")
    t.is_(sum(x["used"] for x in sl.values()) - sum(base.values()), 6, "the day counts six")
    r = grid(2, "date=2027-01-13&tz=UTC")
    x = [x for x in r.json["slots"] if x["start"] <= "2027-01-13T15:00:00Z"][-1:]
    t.ok(x and x[0]["used"] >= 1 and x[0]["capacity"] is None and not x[0]["full"],
         "Support (no cap) counts used but is never full", x)
    db.close()
t.done()
