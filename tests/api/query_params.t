#!/usr/bin/python3
# Every route that reads a query string refuses a parameter it does not
# know, and one given twice, with 422 naming it — and answers normally
# without them.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from cbdtest import Server, Tap, V1

t = Tap()
with Server(t) as s:
    sup, carol = s.login("sup"), s.login("carol")
    routes = [(V1 + "/callbacks", "limit=5", sup),
              (V1 + "/dnc", "limit=5", sup),
              (V1 + "/reports/completed", "limit=5", sup),
              (V1 + "/audit", "limit=5", sup),
              (V1 + "/bps/1/slots", "date=2031-01-15", sup),
              (V1 + "/me/history", "limit=5", carol)]
    for path, good, tok in routes:
        r = s.get("%s?%s" % (path, good), tok)
        t.is_(r.status, 200, "%s?%s answers" % (path, good))
        r = s.get("%s?%s&colour=blue" % (path, good), tok)
        t.is_((r.status, r.error()), (422, ("invalid_field", "colour")),
              "%s: an unknown parameter is refused by name" % path)
        name = good.split("=")[0]
        r = s.get("%s?%s&%s" % (path, good, good), tok)
        t.is_((r.status, r.error()[1]), (422, name), "%s: %s given twice is refused" % (path, name))
t.done()
