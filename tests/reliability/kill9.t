#!/usr/bin/python3
# kill -9 in the middle of load: 8 clients create callbacks as fast as they
# can; the server is killed without warning; after a restart every callback
# a client was told about (201) is there, whole, and the database is sound.
import os, sys, threading, time, sqlite3, http.client, json
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from cbdtest import Server, Tap

t = Tap()
s = Server(t).start()
token = s.login("sup")
acked = {}            # id -> destination, every 201 a client saw
lock = threading.Lock()
stop = threading.Event()
errors = []

def client(n):
    i = 0
    conn = None
    while not stop.is_set() and i < 100000:
        i += 1
        dest = "+4420%02d%06d" % (n, i)
        body = {"destination": dest, "bp": "Support", "routing": "team", "team": "Support Team",
                "tz": "Europe/London", "date": "2030-01-15", "time": "10:00"}
        body["date"] = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 86400 * 30))
        try:
            if conn is None:
                conn = http.client.HTTPConnection(s.host, s.port, timeout=10)
            conn.request("POST", "/api/v1/callbacks", body=json.dumps(body),
                         headers={"Authorization": "Bearer " + token,
                                  "Content-Type": "application/json"})
            r = conn.getresponse()
            data = r.read()
            if r.status == 201:
                with lock:
                    acked[json.loads(data)["id"]] = dest
            elif r.status != 201:
                errors.append((r.status, data[:200]))
        except (OSError, http.client.HTTPException):
            conn = None
            if stop.is_set():
                return
            time.sleep(0.01)

threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
for th in threads:
    th.start()
time.sleep(2.0)
s.kill9()
stop.set()
for th in threads:
    th.join()
t.ok(len(acked) > 50, "%d creates acknowledged before kill -9" % len(acked))
t.ok(not errors, "no request failed before the kill", errors[:5])

con = sqlite3.connect(s.db)
t.is_(con.execute("PRAGMA integrity_check").fetchone()[0], "ok", "integrity_check after kill -9")
con.close()

s.start()
token = s.login("sup")
missing = []
wrong = []
for cid, dest in sorted(acked.items()):
    r = s.get("/api/v1/callbacks/%d" % cid, token)
    if r.status != 200:
        missing.append(cid)
    elif r.json["destination"] != dest or r.json["location"] != "pending" or r.json["bp"] != "Support":
        wrong.append((cid, r.json))
t.ok(not missing, "every acknowledged callback survived (%d)" % len(acked), missing[:10])
t.ok(not wrong, "each is whole: destination, location and BP as created", wrong[:3])

# nothing half-written: every stored callback is complete and consistent
con = sqlite3.connect(s.db)
rows = con.execute("SELECT id, destination, location, state, version FROM callbacks "
                   "WHERE bp_id = 2").fetchall()
con.close()
bad = [r for r in rows if not r[1].startswith("+") or r[2] != 0 or r[3] != "pending"
       or r[4] != 1]
t.ok(not bad, "no half-written row among %d stored" % len(rows), bad[:5])
t.ok(len(rows) >= len(acked), "stored (%d) >= acknowledged (%d)" % (len(rows), len(acked)))
rc = s.stop()
t.is_(rc, 0, "restarted server exits cleanly")
t.done()
