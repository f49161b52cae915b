#!/usr/bin/python3
"""tz_oracle.py — expected results for test_tz_oracle, from Python's zoneinfo.

An independent implementation (CPython's zoneinfo) reading the same tz
database (PYTHONTZPATH, set by the C test to its TZDIR). Run by
test_tz_oracle as

    /usr/bin/python3 tests/unit/tz_oracle.py SEED NRANDOM

and prints one case per line, space-separated:

    N name                          a canonical zone (Zone line of tzdata.zi
                                    with a file, not Factory; plus UTC)
    E message                       a problem found on the Python side
    L group zone Y M D h m s R T    local -> UTC: R is OK, AMB or GAP; T the
                                    (earlier) instant, or - for a gap
    U group zone T Y M D h m s off dst abbr
                                    UTC -> local, offset in seconds, dst 0/1
    T zone T off dst                a change of offset or DST flag in 2026-2027
    X zone                          end of one zone's T lines

group is "random" or "trans". A gap is detected by round-tripping both
folds: Python never refuses a nonexistent local time.
"""
import os
import random
import sys
from datetime import datetime, timedelta, timezone

try:
    import zoneinfo
except ImportError:  # pragma: no cover
    print("SKIP no zoneinfo module")
    sys.exit(0)

EPOCH = datetime(1970, 1, 1)
SECOND = timedelta(seconds=1)

TRANSITION_ZONES = [
    "America/New_York", "America/Los_Angeles", "Europe/London", "Europe/Berlin",
    "Australia/Sydney", "Australia/Lord_Howe", "America/Sao_Paulo", "Pacific/Auckland",
    "America/Santiago", "Asia/Tehran", "Africa/Casablanca", "Europe/Dublin",
    "America/St_Johns", "Pacific/Chatham", "America/Havana", "Asia/Gaza",
    "America/Asuncion", "Europe/Moscow", "America/Nuuk", "Antarctica/Troll",
    "Africa/Cairo", "Asia/Jerusalem", "America/Mexico_City", "Pacific/Norfolk",
    "America/Miquelon", "Europe/Chisinau", "Asia/Beirut", "America/Scoresbysund",
    "Pacific/Easter", "Australia/Adelaide",
]


def tzdir():
    return os.environ.get("PYTHONTZPATH", "/usr/share/zoneinfo").split(os.pathsep)[0]


def canonical_names(errors):
    """Zone lines of tzdata.zi whose file is TZif, minus Factory, plus UTC."""
    root = tzdir()
    names = set()
    with open(os.path.join(root, "tzdata.zi"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("Z "):
                names.add(line.split()[1])
    names.discard("Factory")
    names.add("UTC")
    out = []
    for n in sorted(names):
        try:
            with open(os.path.join(root, n), "rb") as f:
                if f.read(4) != b"TZif":
                    continue
        except OSError:
            continue
        out.append(n)
    available = zoneinfo.available_timezones()
    for n in out:
        if n not in available:
            errors.append(f"{n} is not in zoneinfo.available_timezones()")
    return out


def local_of(u, zone):
    """UTC instant -> (aware local datetime)."""
    return datetime.fromtimestamp(u, tz=zone)


def state(u, zone):
    d = local_of(u, zone)
    return int(d.utcoffset() // SECOND), 1 if d.dst() else 0


def classify(zone, naive):
    """(result, instant) for a naive local time, by round-tripping both folds."""
    cands = set()
    for fold in (0, 1):
        aware = naive.replace(tzinfo=zone, fold=fold)
        u = (naive - EPOCH) // SECOND - aware.utcoffset() // SECOND
        if local_of(u, zone).replace(tzinfo=None) == naive:
            cands.add(u)
    if not cands:
        return "GAP", "-"
    return ("AMB" if len(cands) > 1 else "OK"), str(min(cands))


def emit_local(group, name, zone, naive):
    r, t = classify(zone, naive)
    print(f"L {group} {name} {naive.year} {naive.month} {naive.day} {naive.hour} "
          f"{naive.minute} {naive.second} {r} {t}")


def emit_utc(group, name, zone, u):
    d = local_of(u, zone)
    off = int(d.utcoffset() // SECOND)
    dst = 1 if d.dst() else 0
    print(f"U {group} {name} {u} {d.year} {d.month} {d.day} {d.hour} {d.minute} "
          f"{d.second} {off} {dst} {d.tzname()}")


def find_change(zone, lo, hi):
    """The first instant in (lo, hi] whose state differs from lo's (bisection)."""
    s = state(lo, zone)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if state(mid, zone) == s:
            lo = mid
        else:
            hi = mid
    return hi


def transitions(zone, start, end, step):
    """Changes of (offset, dst) in [start, end), scanning every step seconds."""
    out = []
    t = start
    s = state(t, zone)
    while t < end:
        n = min(t + step, end)
        while state(n, zone) != s:
            c = find_change(zone, t, n)
            out.append(c)
            t, s = c, state(c, zone)
        t = n
    return out


def year_bounds(y):
    return ((datetime(y, 1, 1) - EPOCH) // SECOND, (datetime(y + 1, 1, 1) - EPOCH) // SECOND)


def random_cases(rng, names, count):
    zones = {}
    for i in range(count):
        name = names[i % len(names)]
        zone = zones.setdefault(name, zoneinfo.ZoneInfo(name))
        year = rng.randint(1970, 2037) if rng.random() < 0.85 else rng.randint(2038, 2100)
        lo, hi = year_bounds(year)
        near = None
        if rng.random() < 0.4:
            ts = transitions(zone, lo - 86400, hi, 7 * 86400)
            if ts:
                near = rng.choice(ts)
        if near is not None:
            before, _ = state(near - 1, zone)
            after, _ = state(near, zone)
            a = near + min(before, after) - 3 * 3600
            b = near + max(before, after) + 3 * 3600
            local = rng.randint(a, b)
            u = rng.randint(near - 3 * 3600, near + 3 * 3600)
        else:
            local = rng.randint(lo, hi - 1)
            u = rng.randint(lo, hi - 1)
        emit_local("random", name, zone, EPOCH + timedelta(seconds=local))
        emit_utc("random", name, zone, u)


def transition_cases():
    start, _ = year_bounds(2026)
    _, end = year_bounds(2027)
    for name in TRANSITION_ZONES:
        zone = zoneinfo.ZoneInfo(name)
        for t in transitions(zone, start, end, 3600):
            ob, _ = state(t - 1, zone)
            oa, dst = state(t, zone)
            print(f"T {name} {t} {oa} {dst}")
            for u in (t - 3600, t - 1, t, t + 1, t + 3600):
                emit_utc("trans", name, zone, u)
            lo, hi = min(ob, oa), max(ob, oa)
            points = {t + lo - 1, t + lo, t + (lo + hi) // 2, t + hi - 1, t + hi, t + hi + 1}
            for p in sorted(points):
                emit_local("trans", name, zone, EPOCH + timedelta(seconds=p))
        print(f"X {name}")


def main():
    seed = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
    errors = []
    names = canonical_names(errors)
    for n in names:
        print(f"N {n}")
    for e in errors:
        print(f"E {e}")
    random_cases(random.Random(seed), names, count)
    transition_cases()


if __name__ == "__main__":
    main()
