#!/usr/bin/python3
# GET /audit: newest first, filters (user by id or login, action by name or
# family, target), paging by the "next" cursor, limit bounds, bad
# parameters named in a 422, the role matrix, and refusals leaving no trace.
import os, sys, urllib.parse
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from cbdtest import Server, Tap

t = Tap()
with Server(t) as s:
    alice, sup, admin = s.login("alice"), s.login("sup"), s.login("admin")
    V1 = "/api/v1"

    def audit(tok=sup, **q):
        return s.get(V1 + "/audit" + ("?" + urllib.parse.urlencode(q) if q else ""), tok)

    def rows(**q):
        r = audit(**q)
        return [(a["action"], a["target"], a["user"]["login"]) for a in r.json["audit"]] if r.status == 200 else r

    # role matrix on an empty log
    for name, tok, want in (("no token", None, 401), ("agent", alice, 403), ("service", s.service_token, 403),
                            ("supervisor", sup, 200), ("admin", admin, 200)):
        t.is_(audit(tok).status, want, "GET /audit as %s: %d" % (name, want))
    r = audit()
    t.is_(r.json, {"audit": []}, "empty log: no entries, no next")

    # refused actions leave nothing
    s.post(V1 + "/bps/2/stop", alice)
    s.patch(V1 + "/bps/1", sup, {"version": 7, "timing": {"preview_s": 0}})
    s.patch(V1 + "/bps/1", sup, {"version": 1, "timing": {"preview_s": -1}})
    t.is_(audit().json["audit"], [], "a 403, a 409 and a 422 are not audited")

    # seven entries: sup stops and starts Support twice, admin edits Sales, stops and starts it
    for _ in range(2):
        s.post(V1 + "/bps/2/stop", sup)
        s.post(V1 + "/bps/2/start", sup)
    s.patch(V1 + "/bps/1", admin, {"version": 1, "timing": {"preview_s": 0}})
    s.post(V1 + "/bps/1/stop", admin)
    s.post(V1 + "/bps/1/start", admin)
    everything = [("bp.start", "bp:1", "admin"), ("bp.stop", "bp:1", "admin"), ("bp.timing", "bp:1", "admin"),
                  ("bp.start", "bp:2", "sup"), ("bp.stop", "bp:2", "sup"),
                  ("bp.start", "bp:2", "sup"), ("bp.stop", "bp:2", "sup")]
    r = audit()
    t.is_((r.status, "next" in r.json), (200, False), "one page, no next")
    t.is_(rows(), everything, "all seven, newest first")
    ids = [a["id"] for a in r.json["audit"]]
    t.is_(ids, sorted(ids, reverse=True), "ids descend")
    e = r.json["audit"][2]
    t.ok(sorted(e.keys()) == ["action", "after", "at", "before", "id", "target", "user"]
         and isinstance(e["before"], dict) and isinstance(e["after"], dict)
         and e["before"]["timing"]["preview_s"] == 10 and e["after"]["timing"]["preview_s"] == 0
         and isinstance(e["user"]["id"], int), "entry shape; before and after are objects", e)

    # filters
    admin_id = s.get(V1 + "/me", admin).json["id"]
    t.is_(rows(user="admin"), everything[:3], "user=admin (login)")
    t.is_(rows(user=str(admin_id)), everything[:3], "user=<admin id>")
    t.is_(rows(user="sup", action="bp.stop"), [everything[4], everything[6]], "user=sup&action=bp.stop")
    t.is_(rows(action="bp"), everything, "action=bp takes the whole bp.* family")
    t.is_(rows(action="bp.start"), [everything[0], everything[3], everything[5]], "action=bp.start exactly")
    t.is_(rows(action="b"), [], "action=b is not a bare string prefix")
    t.is_(rows(action="bp.sto"), [], "action=bp.sto matches nothing")
    t.is_(rows(target="bp:2"), everything[3:], "target=bp:2")
    t.is_(rows(target="bp:9"), [], "target=bp:9: none")
    t.is_(rows(target="bp:1", action="bp.timing", user="admin"), [everything[2]], "three filters at once")

    # paging
    seen, cursor, pages = [], None, 0
    while True:
        q = {"limit": 3}
        if cursor:
            q["before"] = cursor
        r = audit(**q)
        pages += 1
        seen += r.json["audit"]
        cursor = r.json.get("next")
        if not cursor or pages > 5:
            break
        t.ok(isinstance(cursor, str) and urllib.parse.quote(cursor, safe="") == cursor,
             "page %d: next is a URL-safe string" % pages, cursor)
    t.is_((pages, [a["id"] for a in seen]), (3, ids), "limit=3: pages of 3, 3, 1 cover the log once, in order")
    r = audit(action="bp.start", limit=2)
    t.is_((len(r.json["audit"]), "next" in r.json), (2, True), "filtered page 1")
    r = audit(action="bp.start", limit=2, before=r.json["next"])
    t.is_(([(a["action"], a["target"]) for a in r.json["audit"]], "next" in r.json),
          ([("bp.start", "bp:2")], False), "filtered page 2 is the last")
    r = audit(limit=7)
    t.is_((len(r.json["audit"]), "next" in r.json), (7, False), "limit equal to the count: no next")
    t.is_(len(audit(limit=1).json["audit"]), 1, "limit=1")
    t.is_(len(audit(limit=500).json["audit"]), 7, "limit=500")

    # bad parameters
    for q, field in ((dict(limit=0), "limit"), (dict(limit=501), "limit"), (dict(limit="x"), "limit"),
                     (dict(limit=""), "limit"), (dict(limit="1.5"), "limit"), (dict(limit="-3"), "limit"),
                     (dict(before="abc"), "before"), (dict(before="-1"), "before"), (dict(before="0"), "before"),
                     (dict(user="nobody"), "user"), (dict(user="999"), "user"),
                     (dict(action="BP"), "action"), (dict(action="bp."), "action"), (dict(action="bp..x"), "action"),
                     (dict(action=""), "action"), (dict(target=""), "target"), (dict(target="x" * 200), "target"),
                     (dict(target="a\tb"), "target")):
        r = audit(**q)
        t.is_((r.status, r.error()), (422, ("invalid_field", field)), "422 naming %s: %r" % (field, q))
t.done()
