#!/usr/bin/python3
# The role matrix: every route of DESIGN.md §5 × every caller (no token,
# agent, supervisor, admin, service). A caller whose role may not use the
# route gets 403 — before the route looks at what it names, so a missing
# resource is still 403 —, no token gets 401, and a caller whose role may
# use it never gets 401 or 403 for the role.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from cbdtest import Server, Tap

A, S, D, V = "agent", "supervisor", "admin", "service"
ANY = {A, S, D, V}
USERS = {A, S, D}
SUP = {S, D}
# (method, path, body, roles allowed); paths name things that do not exist
# where the route takes an id, so no request changes anything that matters.
ROUTES = [
    ("GET", "/metrics", None, {D}),
    ("POST", "/api/v1/logout", None, USERS),
    ("GET", "/api/v1/me", None, USERS),
    ("PUT", "/api/v1/me/presence", {"presence": "not_ready"}, {A}),
    ("GET", "/api/v1/zones", None, ANY),
    ("GET", "/api/v1/teams", None, ANY),
    ("GET", "/api/v1/agents", None, ANY),
    ("GET", "/api/v1/bps", None, ANY),
    ("GET", "/api/v1/bps/999", None, ANY),
    ("PATCH", "/api/v1/bps/999", {"version": 1}, SUP),
    ("POST", "/api/v1/bps/999/stop", None, SUP),
    ("POST", "/api/v1/bps/999/start", None, SUP),
    ("GET", "/api/v1/bps/999/slots", None, ANY),
    ("GET", "/api/v1/bps/999/performance", None, SUP),
    ("GET", "/api/v1/audit", None, SUP),
    ("POST", "/api/v1/callbacks", {}, USERS),
    ("GET", "/api/v1/callbacks", None, USERS),
    ("GET", "/api/v1/callbacks/999999", None, USERS),
    ("PATCH", "/api/v1/callbacks/999999", {"version": 1}, USERS),
    ("POST", "/api/v1/callbacks/999999/queue", None, SUP),
    ("POST", "/api/v1/callbacks/999999/purge", None, SUP),
    ("GET", "/api/v1/me/callbacks", None, {A}),
    ("GET", "/api/v1/dnc", None, SUP),
    ("POST", "/api/v1/dnc", {}, SUP),
    ("DELETE", "/api/v1/dnc/+19999999999", None, SUP),
    ("POST", "/api/v1/interactions", {}, {V}),
    ("GET", "/api/v1/me/history", None, {A}),
    ("GET", "/api/v1/me/interaction", None, {A}),
]

t = Tap()
with Server(t) as s:
    tokens = {A: s.login("alice"), S: s.login("sup"), D: s.login("admin"), V: s.service_token}
    logout = ROUTES[1]
    for method, path, body, allowed in ROUTES:
        r = s.request(method, path, None, body=body)
        t.is_((r.status, r.error()[0]), (401, "unauthorized"), "%s %s without a token: 401" % (method, path))
        for role in (A, S, D, V):
            if (method, path) == logout[:2] and role in allowed:
                continue  # below, with tokens of its own
            r = s.request(method, path, tokens[role], body=body)
            if role in allowed:
                t.ok(r.status not in (401, 403), "%s %s as %s: allowed (%d)" % (method, path, role, r.status), r)
            else:
                t.is_((r.status, r.error()[0]), (403, "forbidden"), "%s %s as %s: 403" % (method, path, role))
    for role, user in ((A, "bob"), (S, "sup"), (D, "admin")):
        tok = s.login(user, user + "-demo") if role != S else s.post(
            "/api/v1/login", body={"user": "sup", "password": "sup-demo"}).json["token"]
        r = s.post("/api/v1/logout", tok)
        t.is_(r.status, 200, "logout as %s" % role)
    for path in ("/healthz",):
        t.is_(s.get(path).status, 200, "%s is public" % path)
t.done()
