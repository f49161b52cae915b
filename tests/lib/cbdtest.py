"""cbdtest — drive a real cbd over HTTP from a test script and print TAP.

A test is a Python script under tests/api/ (or tests/reliability/) named
*.t with '#!/usr/bin/python3'. `make check` runs it through a wrapper that sets
CB_BUILD to the build folder whose cbd to use (build/ or build/asan/).

    from cbdtest import Server, Tap
    t = Tap()
    with Server(t) as s:                 # cbd init --demo + cbd serve on port 0
        alice = s.login("alice")         # a bearer token (cached per user)
        r = s.get("/api/v1/me", alice)   # a Reply: .status .json .headers .text
        t.is_(r.status, 200, "me")
    t.done()

Everything a test starts is stopped when the block ends; a server that does
not exit cleanly on SIGTERM (or that sanitizers complained about) fails the
test.
"""

import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("CB_BUILD") or os.path.join(ROOT, "build")
CBD = os.path.join(BUILD, "cbd")


class Tap:
    """TAP output: one line per check, the plan at the end."""

    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, name, diag=None):
        self.n += 1
        if not cond:
            self.failed += 1
        print(("ok" if cond else "not ok") + " %d - %s" % (self.n, name), flush=True)
        if not cond and diag is not None:
            self.diag(diag)
        return bool(cond)

    def is_(self, got, want, name):
        return self.ok(got == want, name, "got %r, want %r" % (got, want))

    def diag(self, text):
        for line in str(text).splitlines() or [""]:
            print("# " + line, flush=True)

    def done(self):
        print("1..%d" % self.n, flush=True)
        sys.exit(1 if self.failed else 0)


class Reply:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body
        self.text = body.decode("utf-8", "replace")
        try:
            self.json = json.loads(self.text) if self.text else None
        except ValueError:
            self.json = None

    def error(self):
        """(code, field) of an error reply, or (None, None)."""
        e = (self.json or {}).get("error") if isinstance(self.json, dict) else None
        return (e.get("code"), e.get("field")) if isinstance(e, dict) else (None, None)

    def __repr__(self):
        return "<%d %s>" % (self.status, self.text[:300])


class Server:
    """A cbd on a temporary database: `cbd init [--demo]` then `cbd serve`."""

    def __init__(self, tap, demo=True, args=(), db=None, init=True):
        self.tap = tap
        self.tmp = tempfile.mkdtemp(prefix="cbdtest.")
        self.db = db or os.path.join(self.tmp, "cb.db")
        self.args = list(args)
        self.proc = None
        self.url = None
        self.tokens = {}
        self.service_token = None
        self.log_path = os.path.join(self.tmp, "cbd.log")
        if init:
            cmd = [CBD, "init", "--db", self.db] + (["--demo"] if demo else [])
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
            if out.returncode != 0:
                raise RuntimeError("cbd init failed: " + out.stderr)
            for line in out.stdout.splitlines():
                if "service token" in line:
                    self.service_token = line.split()[-1]

    # -- process ----------------------------------------------------------
    def start(self):
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [CBD, "serve", "--db", self.db, "--listen", "127.0.0.1:0"] + self.args,
            stdout=subprocess.PIPE, stderr=self.log)
        line = self.proc.stdout.readline().decode()
        if not line.startswith("cbd listening on "):
            self.proc.wait(10)
            raise RuntimeError("cbd did not start: %r\n%s" % (line, self.log_text()))
        self.url = line.split()[-1]
        u = urllib.parse.urlsplit(self.url)
        self.host, self.port = u.hostname, u.port
        self.tokens = {}
        return self

    def stop(self):
        """SIGTERM and wait; returns the exit status."""
        if self.proc is None:
            return None
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.proc = None
        self.log.close()
        return rc

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.proc = None
        self.log.close()

    def log_text(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        if self.proc is not None:
            rc = self.stop()
            log = self.log_text()
            bad = [l for l in log.splitlines() if "ERROR: AddressSanitizer" in l
                   or "runtime error:" in l or "LeakSanitizer" in l]
            self.tap.ok(rc == 0 and not bad, "cbd exits cleanly on SIGTERM (status %r)" % rc,
                        "\n".join(log.splitlines()[-40:]))
        return False

    # -- HTTP -------------------------------------------------------------
    def request(self, method, path, token=None, body=None, headers=None, raw=None):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        h = {"Connection": "close"}
        if token:
            h["Authorization"] = "Bearer " + token
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        if headers:
            h.update(headers)
        conn.request(method, path, body=data, headers=h)
        resp = conn.getresponse()
        reply = Reply(resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read())
        conn.close()
        return reply

    def get(self, path, token=None, **kw):
        return self.request("GET", path, token, **kw)

    def post(self, path, token=None, body=None, **kw):
        return self.request("POST", path, token, body=body, **kw)

    def patch(self, path, token=None, body=None, **kw):
        return self.request("PATCH", path, token, body=body, **kw)

    def put(self, path, token=None, body=None, **kw):
        return self.request("PUT", path, token, body=body, **kw)

    def delete(self, path, token=None, **kw):
        return self.request("DELETE", path, token, **kw)

    def login(self, user, password=None):
        """A token for user (demo password by default), cached per user."""
        if user in self.tokens and password is None:
            return self.tokens[user]
        r = self.post("/api/v1/login", body={"user": user, "password": password or user + "-demo"})
        if r.status != 200:
            raise RuntimeError("login %s: %r" % (user, r))
        self.tokens[user] = r.json["token"]
        return self.tokens[user]


def cbd(*args, **kw):
    """Runs the cbd program (an admin command); returns CompletedProcess."""
    return subprocess.run([CBD] + [str(a) for a in args], capture_output=True, text=True,
                          timeout=kw.pop("timeout", 60), **kw)


# ---- engine scenario helpers (tests/api/schedule.t, tests/api/timers_realclock.t,
# ---- tests/reliability/restart.t) ------------------------------------------------
# (iso, parse_instant and EventStream are in the block below, shared with
# lifecycle.t / offers.t)


def add_agent(server, login, teams=(), can_schedule=True):
    """Adds an agent to the server's database (before start) with password
    LOGIN-demo, so server.login(login) works. login must be ≥ 3 characters."""
    cmd = ["user", "add", "--db", server.db, login, "--name", login.capitalize(),
           "--role", "agent", "--password-stdin"]
    for team in teams:
        cmd += ["--team", team]
    if can_schedule:
        cmd.append("--can-schedule")
    out = cbd(*cmd, input=login + "-demo\n")
    if out.returncode != 0:
        raise RuntimeError("cbd user add %s: %s" % (login, out.stderr))


def add_bp(server, name, tz="UTC", timing=None, routing="agent,team"):
    """Adds a business process to the server's database (before start)."""
    cmd = ["bp", "add", "--db", server.db, name, "--tz", tz, "--routing", routing]
    if timing is not None:
        cmd += ["--timing", json.dumps(timing)]
    out = cbd(*cmd)
    if out.returncode != 0:
        raise RuntimeError("cbd bp add %s: %s" % (name, out.stderr))


def add_team(server, name, bps=()):
    """Adds a team serving bps to the server's database (before start)."""
    cmd = ["team", "add", "--db", server.db, name]
    for bp in bps:
        cmd += ["--bp", bp]
    out = cbd(*cmd)
    if out.returncode != 0:
        raise RuntimeError("cbd team add %s: %s" % (name, out.stderr))


def test_clock(server):
    """The server's now (seconds) from GET /api/v1/test/clock."""
    r = server.get("/api/v1/test/clock")
    if r.status != 200:
        raise RuntimeError("test clock: %r" % r)
    return parse_instant(r.json["now"])


def advance(server, seconds):
    """Moves the test clock forward; returns the server's new now."""
    r = server.post("/api/v1/test/clock", body={"advance_s": int(seconds)})
    if r.status != 200:
        raise RuntimeError("advance %s: %r" % (seconds, r))
    return parse_instant(r.json["now"])


def advance_to(server, instant):
    """Moves the test clock forward so that now is `instant` (or just past it,
    as real time runs on); never backwards. Returns the server's now."""
    now = test_clock(server)
    return advance(server, instant - now) if instant > now else now


def poll(fn, cond, tries=50, delay=0.1):
    """Calls fn() until cond(result) holds or tries run out; returns the last
    result (check it with cond again)."""
    last = None
    for i in range(tries):
        last = fn()
        if cond(last):
            return last
        time.sleep(delay)
    return last


# -- helpers for engine scenario tests ----------------------------------------
# (added for tests/api/lifecycle.t and offers.t; nothing above depends on them)

import datetime as _dt
import select as _select
import socket as _socket

V1 = "/api/v1"


def iso(ts):
    """An epoch second as RFC 3339 UTC ("2026-11-22T14:30:00Z")."""
    return _dt.datetime.fromtimestamp(int(ts), _dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_instant(s):
    """RFC 3339 UTC ("...Z") → epoch seconds; None stays None."""
    if s is None:
        return None
    return int(_dt.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=_dt.timezone.utc).timestamp())


def wait_for(pred, timeout=5.0, interval=0.05):
    """Calls pred() until it returns something true or timeout seconds pass;
    returns its last value (bounded polling, never a blind sleep)."""
    end = time.time() + timeout
    while True:
        v = pred()
        if v or time.time() >= end:
            return v
        time.sleep(interval)


class EventStream:
    """GET /api/v1/events over a raw socket: chunked decoding, SSE frames
    parsed into dicts {"event", "id", "data" (decoded JSON or text), "comment"}."""

    def __init__(self, server, token, last_id=None, timeout=5):
        self.sock = _socket.create_connection((server.host, server.port), timeout=timeout)
        req = "GET /api/v1/events HTTP/1.1\r\nHost: x\r\n"
        if token:
            req += "Authorization: Bearer %s\r\n" % token
        if last_id is not None:
            req += "Last-Event-ID: %s\r\n" % last_id
        self.sock.sendall((req + "\r\n").encode())
        self.raw, self.text, self.eof, self.frames = b"", "", False, []
        end = time.time() + timeout
        while b"\r\n\r\n" not in self.raw and time.time() < end:
            if not self._recv(max(0.0, end - time.time())):
                break
        head, _, self.raw = self.raw.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        self.status = int(lines[0].split()[1]) if lines and len(lines[0].split()) > 1 else 0
        self.headers = {}
        for l in lines[1:]:
            k, _, v = l.partition(":")
            self.headers[k.strip().lower()] = v.strip()
        self.chunked = self.headers.get("transfer-encoding", "").lower() == "chunked"
        self._decode()

    def _recv(self, timeout):
        r, _, _ = _select.select([self.sock], [], [], timeout)
        if not r:
            return False
        try:
            data = self.sock.recv(65536)
        except OSError:
            data = b""
        if not data:
            self.eof = True
            return False
        self.raw += data
        return True

    def _decode(self):
        if not self.chunked:
            self.text += self.raw.decode("utf-8", "replace")
            self.raw = b""
        else:
            while True:
                line, sep, rest = self.raw.partition(b"\r\n")
                if not sep:
                    break
                n = int(line.split(b";")[0] or b"0", 16)
                if n == 0:
                    self.eof, self.raw = True, b""
                    break
                if len(rest) < n + 2:
                    break
                self.text += rest[:n].decode("utf-8", "replace")
                self.raw = rest[n + 2:]
        while "\n\n" in self.text:
            block, _, self.text = self.text.partition("\n\n")
            f = {"comment": [], "data": None}
            data = []
            for l in block.split("\n"):
                if l.startswith(":"):
                    f["comment"].append(l[1:].strip())
                    continue
                k, _, v = l.partition(":")
                v = v[1:] if v.startswith(" ") else v
                if k == "data":
                    data.append(v)
                else:
                    f[k] = v
            if data:
                text = "\n".join(data)
                try:
                    f["data"] = json.loads(text)
                except ValueError:
                    f["data"] = text
            self.frames.append(f)

    def pump(self, timeout=0.0):
        """Reads what has arrived (waiting up to timeout for the first bytes)."""
        if self._recv(timeout):
            while self._recv(0):
                pass
        self._decode()

    def events(self, name=None):
        """The events so far (frames with an event name), optionally of one kind."""
        return [f for f in self.frames if "event" in f and (name is None or f["event"] == name)]

    def wait(self, pred, timeout=5.0):
        """Reads until pred(self) is true or timeout passes; returns pred's value."""
        end = time.time() + timeout
        while True:
            v = pred(self)
            if v or self.eof or time.time() >= end:
                return v
            self.pump(min(0.2, max(0.0, end - time.time())))

    def take(self):
        """The frames so far, forgotten."""
        f, self.frames = self.frames, []
        return f

    def close(self):
        self.sock.close()


def _server_now(self):
    """The server's clock (the test clock with --test-clock) in epoch seconds."""
    return parse_instant(self.get(V1 + "/test/clock").json["now"])


def _server_advance(self, seconds):
    """Moves the test clock forward; returns the new now (epoch seconds)."""
    r = self.post(V1 + "/test/clock", body={"advance_s": int(seconds)})
    if r.status != 200:
        raise RuntimeError("test clock: %r" % r)
    return parse_instant(r.json["now"])


def _server_set_presence(self, token, presence):
    """PUT /me/presence {"presence": presence}; returns the Reply."""
    return self.put(V1 + "/me/presence", token, {"presence": presence})


def _server_presence(self, token):
    """The caller's presence from GET /me."""
    return self.get(V1 + "/me", token).json.get("presence")


def _server_held(self, token):
    """The callback the agent holds now (offered included), or None."""
    r = self.get(V1 + "/me/interaction", token)
    return r.json.get("interaction") if r.status == 200 and r.json else None


def _server_callback(self, cid, token):
    """GET /callbacks/{id} as JSON (with "history"), or None when not 200."""
    r = self.get(V1 + "/callbacks/%d" % cid, token)
    return r.json if r.status == 200 else None


def _server_bp(self, bp, token):
    return self.get(V1 + "/bps/%s" % bp, token).json


def _server_set_timing(self, bp, token, **timing):
    """PATCH /bps/{bp} {"version": current, "timing": timing}; returns the Reply."""
    v = self.get(V1 + "/bps/%s" % bp, token).json["version"]
    return self.patch(V1 + "/bps/%s" % bp, token, {"version": v, "timing": timing})


def _server_callbacks(self, token, **query):
    """Every callback GET /callbacks?query gives, following the cursor."""
    out, after = [], None
    while True:
        q = dict(query)
        if after:
            q["after"] = after
        r = self.get(V1 + "/callbacks?" + urllib.parse.urlencode(q), token)
        if r.status != 200:
            raise RuntimeError("search: %r" % r)
        out += r.json["callbacks"]
        after = r.json.get("next")
        if not after:
            return out


def _server_purge_pending(self, bp, token):
    """Purges every Pending callback of bp (clears the demo's); returns how many."""
    n = 0
    for c in self.callbacks(token, bp=bp, location="pending"):
        if self.post(V1 + "/callbacks/%d/purge" % c["id"], token).status == 200:
            n += 1
    return n


def _server_create_callback(self, token, **fields):
    """POST /callbacks with fields; returns the Reply."""
    return self.post(V1 + "/callbacks", token, fields)


def _server_wait_offer(self, token, cid=None, timeout=5.0):
    """Waits until the agent holds a callback in state "offered" (that one,
    when cid is given); returns it, or None."""
    def held():
        i = self.held(token)
        if i and i.get("state") == "offered" and (cid is None or i["id"] == cid):
            return i
        return None
    return wait_for(held, timeout)


def _server_wait_callback(self, cid, token, pred, timeout=5.0):
    """Polls GET /callbacks/{id} until pred(callback) holds; returns the last one."""
    last = [None]

    def look():
        last[0] = self.callback(cid, token)
        return last[0] is not None and pred(last[0])
    wait_for(look, timeout)
    return last[0]


Server.now = _server_now
Server.advance = _server_advance
Server.set_presence = _server_set_presence
Server.presence = _server_presence
Server.held = _server_held
Server.callback = _server_callback
Server.bp = _server_bp
Server.set_timing = _server_set_timing
Server.callbacks = _server_callbacks
Server.purge_pending = _server_purge_pending
Server.create_callback = _server_create_callback
Server.wait_offer = _server_wait_offer
Server.wait_callback = _server_wait_callback


class SubTap:
    """Collects checks like Tap does, to print them later in one piece: lets
    several scenarios run at once (each in a thread, with its own Server)
    and still print TAP in a stable order. Pass it where a Tap is wanted."""

    def __init__(self):
        self.items = []

    def ok(self, cond, name, diag=None):
        self.items.append(("ok", bool(cond), name, diag))
        return bool(cond)

    def is_(self, got, want, name):
        return self.ok(got == want, name, "got %r, want %r" % (got, want))

    def diag(self, text):
        self.items.append(("diag", text))

    def replay(self, tap):
        for item in self.items:
            if item[0] == "ok":
                tap.ok(item[1], item[2], item[3])
            else:
                tap.diag(item[1])


def run_concurrently(tap, scenarios):
    """Runs each scenario(subtap) in its own thread, then prints their checks
    in the order given. An exception fails its scenario with the traceback."""
    import threading
    import traceback
    subs = [SubTap() for _ in scenarios]

    def run(fn, sub):
        try:
            fn(sub)
        except Exception:
            sub.ok(False, "%s ran to its end" % fn.__name__, traceback.format_exc())

    threads = [threading.Thread(target=run, args=(fn, sub)) for fn, sub in zip(scenarios, subs)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    for sub in subs:
        sub.replay(tap)
