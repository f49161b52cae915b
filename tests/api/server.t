#!/usr/bin/python3
# cbd serve itself: config file and flags, a database from a newer cbd, the
# test clock (off unless asked for), idle token expiry, TLS, and a graceful
# SIGTERM that lets a request in flight finish.
import email.utils, os, sys, ssl, json, signal, socket, sqlite3, subprocess, threading, time, http.client
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from cbdtest import Server, Tap, CBD, cbd, parse_instant

t = Tap()

# --- configuration ---------------------------------------------------------
s = Server(t)
conf = os.path.join(s.tmp, "cbd.conf")
with open(conf, "w") as f:
    f.write("# a comment\ndb = %s\nlisten = 127.0.0.1:1\nlog-level = warn\n" % s.db)
p = subprocess.Popen([CBD, "serve", "--config", conf, "--listen", "127.0.0.1:0"],
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
line = p.stdout.readline().decode()
t.ok(line.startswith("cbd listening on http://127.0.0.1:") and not line.endswith(":1\n"),
     "flags win over the config file", line)
p.send_signal(signal.SIGTERM)
t.is_(p.wait(20), 0, "SIGTERM: exit 0")
with open(conf, "w") as f:
    f.write("db = %s\nlisten 127.0.0.1:0\n" % s.db)
r = cbd("serve", "--config", conf)
t.ok(r.returncode == 2 and "cbd.conf:2: expected key = value" in r.stderr,
     "a bad config line is named with its line number", r.stderr)
with open(conf, "w") as f:
    f.write("db = %s\ncolour = blue\n" % s.db)
r = cbd("serve", "--config", conf)
t.ok(r.returncode == 2 and "cbd.conf:2: unknown key 'colour'" in r.stderr, "an unknown key", r.stderr)
r = cbd("serve", "--db", s.db, "--durability", "sometimes")
t.ok(r.returncode == 2 and "durability" in r.stderr, "a bad value names the key", r.stderr)
r = cbd("serve", "--listen", "127.0.0.1:0")
t.ok(r.returncode == 2 and "--db" in r.stderr, "--db is required", r.stderr)
r = cbd("serve", "--db", os.path.join(s.tmp, "missing.db"), "--listen", "127.0.0.1:0")
t.ok(r.returncode == 1 and "cbd init" in r.stderr, "a missing database says to run cbd init", r.stderr)
r = cbd("serve", "--db", s.db, "--listen", "nonsense")
t.ok(r.returncode == 1 and "HOST:PORT" in r.stderr, "a bad listen address", r.stderr)
r = cbd("serve", "--help")
t.ok(r.returncode == 0 and "--durability" in r.stdout and "--test-clock" in r.stdout, "serve --help")

# --- a database from a newer cbd -------------------------------------------
con = sqlite3.connect(s.db)
current = con.execute("PRAGMA user_version").fetchone()[0]
con.execute("PRAGMA user_version = 99")
con.commit()
con.close()
r = cbd("serve", "--db", s.db, "--listen", "127.0.0.1:0")
t.ok(r.returncode == 1 and "newer" in r.stderr and "99" in r.stderr,
     "a database from a newer cbd is refused", r.stderr)
con = sqlite3.connect(s.db)
con.execute(f"PRAGMA user_version = {current}")
con.commit()
con.close()

# --- the test clock is off unless asked for ---------------------------------
with s:
    r = s.post("/api/v1/test/clock", body={"advance_s": 10})
    t.is_(r.status, 404, "no test clock without --test-clock")

# --- idle expiry of tokens (12 hours), on the test clock --------------------
s = Server(t, args=["--test-clock"])
with s:
    r = s.get("/api/v1/test/clock")
    t.ok(r.status == 200 and r.json["now"].endswith("Z"), "test clock answers")
    # the consoles take the server's clock from Date: it follows the test clock
    r = s.post("/api/v1/test/clock", body={"advance_s": 7 * 3600})
    r = s.get("/api/v1/test/clock")
    date = {k.lower(): v for k, v in r.headers.items()}.get("date", "")
    said = email.utils.parsedate_to_datetime(date).timestamp() if date else 0
    t.ok(abs(said - parse_instant(r.json["now"])) <= 1 and said - time.time() > 7 * 3600 - 60,
         "Date says the test clock's time (%s)" % date, r.headers)
    r = s.post("/api/v1/test/clock", body={"advance_s": -5})
    t.is_((r.status, r.error()[1]), (422, "advance_s"), "time never moves back")
    tok = s.login("carol")
    svc = s.service_token
    def advance(sec):
        return s.post("/api/v1/test/clock", body={"advance_s": sec})
    advance(11 * 3600)
    t.is_(s.get("/api/v1/me", tok).status, 200, "11 idle hours: still valid")
    time.sleep(0.3)  # the refresh of the idle clock is written asynchronously
    advance(11 * 3600)
    t.is_(s.get("/api/v1/me", tok).status, 200, "another 11 hours after use: still valid")
    time.sleep(0.3)
    advance(12 * 3600 + 5)
    r = s.get("/api/v1/me", tok)
    t.is_((r.status, r.error()[0]), (401, "unauthorized"), "12 idle hours: expired")
    t.is_(s.get("/api/v1/zones", svc).status, 200, "service tokens do not expire")

# --- TLS ---------------------------------------------------------------------
s = Server(t)
cert, key = os.path.join(s.tmp, "c.pem"), os.path.join(s.tmp, "k.pem")
g = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1"], capture_output=True)
t.is_(g.returncode, 0, "made a self-signed certificate")
s.args = ["--tls-cert", cert, "--tls-key", key]
with s:
    t.ok(s.url.startswith("https://127.0.0.1:"), "the listening line says https", s.url)
    ctx = ssl.create_default_context(cafile=cert)
    ctx.check_hostname = False
    c = http.client.HTTPSConnection(s.host, s.port, context=ctx, timeout=10)
    c.request("GET", "/healthz")
    r = c.getresponse()
    t.is_((r.status, json.loads(r.read())), (200, {"status": "ok"}), "healthz over TLS")
    c.close()
r = cbd("serve", "--db", s.db, "--listen", "127.0.0.1:0", "--tls-cert", cert)
t.ok(r.returncode == 1 and "tls-key" in r.stderr, "a certificate without a key is refused", r.stderr)

# --- graceful shutdown: a request in flight still gets its answer -----------
s = Server(t)
s.start()
body = json.dumps({"user": "dave", "password": "dave-demo"}).encode()
sock = socket.create_connection((s.host, s.port))
sock.sendall(b"POST /api/v1/login HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
time.sleep(0.01)  # the password check (Argon2id) takes about 60 ms
s.proc.send_signal(signal.SIGTERM)
data = b""
sock.settimeout(10)
try:
    while b"\r\n\r\n" not in data or not data.rstrip().endswith(b"}"):
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
except OSError:
    pass
sock.close()
t.ok(data.startswith(b"HTTP/1.1 200") and b'"token"' in data, "a login in flight completes during shutdown", data[:200])
rc = s.proc.wait(20)
s.proc = None
s.log.close()
t.is_(rc, 0, "and the server exits 0")
t.done()
