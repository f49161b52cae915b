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
