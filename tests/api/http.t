#!/usr/bin/python3
# The HTTP layer: routing (404, 405 with Allow), authentication (401),
# roles (403 before 404), bodies (413 over 64 KiB, 400 malformed, 422 naming
# the field), content types, login / logout / me / presence / directory.
import os, sys, socket
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from cbdtest import Server, Tap

t = Tap()
with Server(t) as s:
    r = s.get("/healthz")
    t.is_(r.status, 200, "healthz answers without a token")
    t.is_(r.headers.get("content-type"), "application/json; charset=utf-8", "JSON content type")

    r = s.get("/api/v1/nope")
    t.is_((r.status, r.error()[0]), (404, "not_found"), "unknown route is 404")
    r = s.delete("/api/v1/me")
    t.is_((r.status, r.error()[0]), (405, "method_not_allowed"), "wrong method is 405")
    t.ok("GET" in r.headers.get("allow", ""), "405 names the allowed methods")

    r = s.get("/api/v1/me")
    t.is_((r.status, r.error()[0]), (401, "unauthorized"), "no token is 401")
    r = s.get("/api/v1/me", "A" * 43)
    t.is_(r.status, 401, "unknown token is 401")
    r = s.get("/api/v1/me", headers={"Authorization": "Basic YWxpY2U6eA=="})
    t.is_(r.status, 401, "a non-bearer scheme is 401")

    # login
    r = s.post("/api/v1/login", body={"user": "alice", "password": "alice-demo"})
    t.is_(r.status, 200, "login")
    t.ok(len(r.json["token"]) == 43 and r.json["user"]["login"] == "alice"
         and r.json["user"]["teams"][0]["name"] == "Sales Team", "login returns token and user")
    alice = r.json["token"]
    r = s.post("/api/v1/login", body={"user": "alice", "password": "wrong"})
    t.is_((r.status, r.error()[0]), (401, "unauthorized"), "wrong password is 401")
    r2 = s.post("/api/v1/login", body={"user": "nobody", "password": "wrong"})
    t.is_(r2.json, r.json, "unknown user answers exactly like a wrong password")
    r = s.post("/api/v1/login", body={"user": "alice"})
    t.is_((r.status, r.error()), (422, ("invalid_field", "password")), "missing password names the field")
    r = s.post("/api/v1/login", body={"user": "alice", "password": 5})
    t.is_((r.status, r.error()[1]), (422, "password"), "mistyped password names the field")
    r = s.post("/api/v1/login", body={"user": "alice", "password": "x", "extra": 1})
    t.is_((r.status, r.error()[1]), (422, "extra"), "unknown field is refused by name")
    r = s.post("/api/v1/login", raw=b'{"user": "alice", "password": ')
    t.is_((r.status, r.error()[0]), (400, "bad_request"), "malformed JSON is 400")
    r = s.post("/api/v1/login", raw=b'[1,2]')
    t.is_(r.status, 400, "a body that is not an object is 400")

    # 413 without reading the whole body
    r = s.post("/api/v1/login", raw=b"x" * (64 * 1024 + 1))
    t.is_((r.status, r.error()[0]), (413, "payload_too_large"), "body over 64 KiB is 413")
    r = s.post("/api/v1/login", raw=b'{"user":"alice","password":"alice-demo","p":"' + b"x" * 66000 + b'"}')
    t.is_(r.status, 413, "65 KiB of JSON is 413 too")
    # chunked upload with no Content-Length
    sock = socket.create_connection((s.host, s.port))
    sock.sendall(b"POST /api/v1/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"y" * 8192
    try:
        for _ in range(10):
            sock.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
        sock.sendall(b"0\r\n\r\n")
    except OSError:
        pass
    data = sock.recv(4096)
    sock.close()
    t.ok(b" 413 " in data.split(b"\r\n")[0], "chunked body over 64 KiB is 413", data[:200])

    # me, presence
    r = s.get("/api/v1/me", alice)
    t.is_((r.status, r.json["login"], r.json["presence"]), (200, "alice", "busy"),
          "me after login: alice still holds a demo callback, so she is Busy")
    dave = s.login("dave")
    r = s.get("/api/v1/me", dave)
    t.is_((r.status, r.json["login"], r.json["presence"]), (200, "dave", "not_ready"), "me after login")
    r = s.put("/api/v1/me/presence", dave, {"presence": "ready"})
    t.is_((r.status, r.json["presence"]), (200, "ready"), "presence ready")
    r = s.put("/api/v1/me/presence", dave, {"presence": "busy"})
    t.is_((r.status, r.error()[1]), (422, "presence"), "presence busy is not the agent's to set")
    sup = s.login("sup")
    r = s.put("/api/v1/me/presence", sup, {"presence": "ready"})
    t.is_((r.status, r.error()[0]), (403, "forbidden"), "a supervisor has no presence")
    r = s.get("/api/v1/me", sup)
    t.is_((r.status, r.json["role"]), (200, "supervisor"), "supervisor me")

    # directory
    r = s.get("/api/v1/zones", alice)
    z = r.json["zones"]
    t.ok(r.status == 200 and "America/New_York" in z and "UTC" in z
         and not any(x.startswith(("right/", "posix/")) for x in z) and z == sorted(z),
         "zones: canonical, sorted, no right/ or posix/")
    r = s.get("/api/v1/teams", alice)
    t.is_([x["name"] for x in r.json["teams"]], ["Sales Team", "Support Team"], "teams")
    t.is_([m["login"] for m in r.json["teams"][0]["members"]], ["alice", "bob"], "team members")
    r = s.get("/api/v1/agents", sup)
    t.is_([a["login"] for a in r.json["agents"]], ["alice", "bob", "carol", "dave"], "agents")

    # service token
    r = s.get("/api/v1/zones", s.service_token)
    t.is_(r.status, 200, "the demo service token works")
    r = s.get("/api/v1/me", s.service_token)
    t.is_(r.status, 403, "a service token has no /me")
    r = s.post("/api/v1/login", body={"user": "telephony", "password": ""})
    t.is_(r.status, 422, "a service user cannot log in with an empty password")

    # logout ends the token and, for an agent, presence
    r = s.post("/api/v1/logout", alice)
    t.is_(r.status, 200, "logout")
    r = s.get("/api/v1/me", alice)
    t.is_(r.status, 401, "token is gone after logout")
    r = s.get("/api/v1/agents", sup)
    t.is_([a["presence"] for a in r.json["agents"] if a["login"] == "alice"], ["logged_out"],
          "an agent with no token left is logged out")

    # metrics: admin only
    r = s.get("/metrics", sup)
    t.is_(r.status, 403, "metrics: supervisor is 403")
    r = s.get("/metrics", s.login("admin"))
    t.ok(r.status == 200 and "cbd_http_requests_total" in r.text
         and r.headers["content-type"].startswith("text/plain"), "metrics for admin, Prometheus text")

    # rate limit: the 6th failure for one login is 429, whatever the password
    for i in range(5):
        s.post("/api/v1/login", body={"user": "bob", "password": "no%d" % i})
    r = s.post("/api/v1/login", body={"user": "bob", "password": "bob-demo"})
    t.is_((r.status, r.error()[0]), (429, "rate_limited"), "too many failures: 429 even with the right password")
    r = s.post("/api/v1/login", body={"user": "carol", "password": "carol-demo"})
    t.is_(r.status, 200, "another login from the same address still works")
t.done()
