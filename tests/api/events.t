#!/usr/bin/python3
# Live events (GET /api/v1/events, DESIGN.md §5 and §9): the stream's
# headers and ": ok BOOT-SEQ" line, a "bp" event to every stream after a BP
# stop, ids "BOOT-SEQ", Last-Event-ID resumption (header and
# ?last_event_id=) with exactly the missed events in order, "reset" for an
# id from another boot / too old / not issued / malformed, heartbeats
# (CBD_HEARTBEAT_S=1 here), 200 streams at once, streams counted in
# /metrics and forgotten when the client goes, HTTP/1.0, 401 without a
# token, and a graceful shutdown with streams open that is fast and clean.
import json, os, re, select, socket, sys, time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from cbdtest import Server, Tap

os.environ["CBD_HEARTBEAT_S"] = "1"
RING = 32


class Stream:
    """One SSE stream over a raw socket: chunked decoding, frames parsed."""

    def __init__(self, s, token, last_id=None, query="", http10=False, timeout=5):
        self.sock = socket.create_connection((s.host, s.port), timeout=timeout)
        req = "GET /api/v1/events%s HTTP/%s\r\nHost: x\r\n" % (query, "1.0" if http10 else "1.1")
        if token:
            req += "Authorization: Bearer %s\r\n" % token
        if last_id is not None:
            req += "Last-Event-ID: %s\r\n" % last_id
        self.sock.sendall((req + "\r\n").encode())
        self.raw = b""
        self.text = ""
        self.eof = False
        self.frames = []   # parsed, in order
        while b"\r\n\r\n" not in self.raw:
            if not self._recv(timeout):
                break
        head, _, self.raw = self.raw.partition(b"\r\n\r\n")
        lines = head.decode().split("\r\n")
        self.status = int(lines[0].split()[1]) if lines and lines[0] else 0
        self.headers = {}
        for l in lines[1:]:
            k, _, v = l.partition(":")
            self.headers[k.strip().lower()] = v.strip()
        self.chunked = self.headers.get("transfer-encoding", "").lower() == "chunked"
        self._decode()

    def fileno(self):
        return self.sock.fileno()

    def _recv(self, timeout):
        r, _, _ = select.select([self.sock], [], [], timeout)
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
            self.text += self.raw.decode()
            self.raw = b""
        else:
            while True:
                line, sep, rest = self.raw.partition(b"\r\n")
                if not sep:
                    break
                n = int(line.split(b";")[0], 16)
                if n == 0:
                    self.eof = True
                    self.raw = b""
                    break
                if len(rest) < n + 2:
                    break
                self.text += rest[:n].decode()
                self.raw = rest[n + 2:]
        while "\n\n" in self.text:
            block, _, self.text = self.text.partition("\n\n")
            f = {"comment": [], "data": []}
            for l in block.split("\n"):
                if l.startswith(":"):
                    f["comment"].append(l[1:].strip())
                else:
                    k, _, v = l.partition(":")
                    v = v[1:] if v.startswith(" ") else v
                    if k == "data":
                        f["data"].append(v)
                    else:
                        f[k] = v
            f["data"] = "\n".join(f["data"]) if f["data"] else None
            self.frames.append(f)

    def pump(self, timeout=0.0):
        """Reads what is there (waiting up to timeout for something)."""
        if self._recv(timeout):
            while self._recv(0):
                pass
        self._decode()

    def wait(self, pred, timeout=5.0):
        """Reads until pred(frames) is true; returns it."""
        end = time.time() + timeout
        while not pred(self.frames) and not self.eof and time.time() < end:
            self.pump(min(0.2, max(0.0, end - time.time())))
        return pred(self.frames)

    def events(self):
        return [f for f in self.frames if "event" in f]

    def take(self):
        """The frames so far, forgotten."""
        f, self.frames = self.frames, []
        return f

    def close(self):
        self.sock.close()


def ok_pos(frames):
    """(boot, seq) of the ': ok B-S' line (the first frame), or None."""
    if not frames or not frames[0]["comment"]:
        return None
    m = re.match(r"^ok (\d+)-(\d+)$", frames[0]["comment"][0])
    return (int(m.group(1)), int(m.group(2))) if m else None


def n_events(n):
    return lambda fr: len([f for f in fr if "event" in f]) >= n


def metric(s, admin, name):
    r = s.get("/metrics", admin)
    m = re.search(r"^%s (\d+)$" % name, r.text, re.M)
    return int(m.group(1)) if m else None


def bps(frames):
    return [f for f in frames if f.get("event") == "bp"]


def seq_of(ev_id):
    return int(ev_id.split("-")[1])


t = Tap()
s = Server(t, args=["--event-ring", str(RING)])
with s:
    sup, alice, admin = s.login("sup"), s.login("alice"), s.login("admin")

    def toggle():
        """Stops BP 2 if it runs, starts it if stopped: one bp event."""
        bp = s.get("/api/v1/bps/2", sup).json
        return s.post("/api/v1/bps/2/%s" % ("start" if bp["clbk_stat"] == "stopped" else "stop"),
                      sup).status

    def position():
        """The current position: the ': ok' line of a fresh stream."""
        st = Stream(s, sup)
        st.wait(lambda fr: len(fr) >= 1)
        st.close()
        return ok_pos(st.frames)

    def streams_settle(want):
        end = time.time() + 4
        while time.time() < end and metric(s, admin, "cbd_event_streams") != want:
            time.sleep(0.1)
        return metric(s, admin, "cbd_event_streams")

    r = s.get("/api/v1/events")
    t.is_((r.status, r.error()[0]), (401, "unauthorized"), "no token is 401")
    r = s.get("/api/v1/events", "A" * 43)
    t.is_(r.status, 401, "an unknown token is 401")
    r = s.post("/api/v1/events", sup)
    t.is_(r.status, 405, "POST /events is 405")

    # -- a supervisor, an agent and the service each get the bp event -------
    ss, sa, sv = Stream(s, sup), Stream(s, alice), Stream(s, s.service_token)
    ref = Stream(s, alice)   # stays connected: what alice's streams should see
    t.is_((ss.status, sa.status, sv.status), (200, 200, 200), "streams open for supervisor, agent, service")
    t.is_(ss.headers.get("content-type"), "text/event-stream; charset=utf-8", "content type")
    t.is_(ss.headers.get("cache-control"), "no-cache", "Cache-Control: no-cache")
    for st in (ss, sa, sv, ref):
        st.wait(lambda fr: len(fr) >= 1)
    pos = ok_pos(ss.frames)
    t.ok(pos is not None and not ss.events(), "first thing is the comment ': ok BOOT-SEQ'",
         ss.frames[:1])
    boot = pos[0] if pos else -1
    t.ok(all(ok_pos(st.frames) is not None and ok_pos(st.frames)[0] == boot
             for st in (sa, sv, ref)), "every stream names the same boot")
    t.is_(streams_settle(4), 4, "cbd_event_streams counts the open streams")

    r = s.post("/api/v1/bps/2/stop", sup)
    t.is_(r.status, 200, "stop BP 2")
    for st, who in ((ss, "supervisor"), (sa, "agent"), (sv, "service")):
        st.wait(lambda fr: len(bps(fr)) >= 1, 3)
        ev = bps(st.frames)
        ok = (len(ev) == 1 and re.match(r"^%d-\d+$" % boot, ev[0].get("id", ""))
              and seq_of(ev[0]["id"]) > ok_pos(st.frames)[1])
        t.ok(ok, "%s stream gets one 'bp' with an id BOOT-SEQ after its ': ok'" % who, st.frames)
    ev = bps(ss.frames)[0] if bps(ss.frames) else {}
    data = json.loads(ev.get("data") or "null")
    t.ok(isinstance(data, dict) and data.get("id") == 2 and data.get("name") == "Support"
         and data.get("clbk_stat") == "stopped" and "timing" in data,
         "bp data is the BP object, stopped", data)
    t.is_(data, s.get("/api/v1/bps/2", sup).json, "bp data equals GET /bps/2")
    t.ok(len({e.get("id") for e in (bps(ss.frames) + bps(sa.frames) + bps(sv.frames))}) == 1,
         "the same event id on every stream")
    ids = [seq_of(f["id"]) for f in ss.frames if "id" in f]
    t.ok(ids == sorted(set(ids)), "ids increase", ids)
    t.ok(all(f.get("event") in ("offer", "callback", "presence", "stats", "bp")
             for f in ss.events() + sa.events()), "only the documented event types",
         [f.get("event") for f in ss.events() + sa.events()])

    # -- Last-Event-ID: exactly the missed events, in order -------------------
    sa.pump(0.2)
    last = [f for f in sa.frames if "id" in f][-1]["id"]
    sa.close()
    t.is_(s.post("/api/v1/bps/2/start", sup).status, 200, "start BP 2 while the agent is away")
    t.is_(s.patch("/api/v1/bps/2", sup, {"version": data["version"] + 1,
                                         "timing": {"preview_s": 17}}).status,
          200, "edit BP 2 while the agent is away")
    ref.wait(lambda fr: len(bps(fr)) >= 3, 3)
    ref.pump(0.3)
    missed = [(f["event"], f["id"], f["data"]) for f in ref.events()
              if seq_of(f["id"]) > seq_of(last)]
    t.is_([e[0] for e in missed if e[0] == "bp"], ["bp", "bp"], "the reference stream saw start and edit")

    def resumed(**kw):
        st = Stream(s, alice, **kw)
        st.wait(lambda fr: len(fr) >= len(missed) + 1, 3)
        st.pump(0.3)
        st.close()
        return st

    sa = resumed(last_id=last)
    t.is_(ok_pos(sa.frames), (boot, seq_of(last)), "resumed stream says ': ok' with the id it resumes after")
    t.is_([(f["event"], f["id"], f["data"]) for f in sa.events()], missed,
          "Last-Event-ID: exactly the missed events, in order, as a connected stream saw them")
    d = [json.loads(e[2]) for e in missed if e[0] == "bp"]
    t.ok(len(d) == 2 and d[0]["clbk_stat"] != "stopped" and d[1]["timing"]["preview_s"] == 17,
         "the missed bp events are the start, then the edit", d)
    sq = resumed(query="?last_event_id=" + last)
    t.is_([(f["event"], f["id"], f["data"]) for f in sq.events()], missed,
          "?last_event_id= resumes the same way (EventSource reconnects)")
    sb = resumed(query="?last_event_id=garbage", last_id=last)
    t.is_([(f["event"], f["id"], f["data"]) for f in sb.events()], missed,
          "the header wins over the query")
    now = position()
    s3 = Stream(s, sup, last_id="%d-%d" % now)
    s3.wait(lambda fr: len(fr) >= 1)
    s3.pump(0.3)
    s3.close()
    t.ok(ok_pos(s3.frames) == now and s3.events() == [], "resume at the newest id: nothing to replay",
         s3.frames)

    # -- reset --------------------------------------------------------------
    def reset_of(last_id):
        """(': ok' position, first event as (type, id, data)); retried if the
        position moved meanwhile."""
        for _ in range(3):
            p0 = position()
            st = Stream(s, sup, last_id=last_id)
            st.wait(n_events(1), 1.5)
            st.close()
            if position() == p0:
                break
        ev = st.events()
        return p0, ok_pos(st.frames), [(e.get("event"), e.get("id"), json.loads(e.get("data") or "null"))
                                       for e in ev[:1]]

    def is_reset(last_id, reason, name):
        p0, p, ev = reset_of(last_id)
        t.is_((p, ev), (p0, [("reset", "%d-%d" % p0, {"reason": reason})]), name)

    is_reset("%d-1" % (boot + 7), "restarted", "an id of another boot: reset 'restarted', id of now")
    is_reset("garbage", "malformed_id", "a garbage id: reset 'malformed_id'")
    is_reset("%d-" % boot, "malformed_id", "an id without a seq: reset")
    is_reset("-%d-1" % boot, "malformed_id", "a signed id: reset")
    is_reset("%d-99999" % boot, "unknown_id", "an id not issued yet: reset 'unknown_id'")

    # -- heartbeats ----------------------------------------------------------
    sv.pump()
    sv.take()
    got = sv.wait(lambda fr: any("hb" in f["comment"] for f in fr), 3)
    t.ok(got, "an idle stream gets ': hb' comments (CBD_HEARTBEAT_S=1)", sv.frames)

    # -- each event goes only to the streams that need it -----------------------
    # carol (Support Team) goes Ready: her presence goes to supervisors and to
    # her, not to dave (her team mate), alice (another team) or the service
    carol, dave = s.login("carol"), s.login("dave")
    carol_id = s.get("/api/v1/me", carol).json["id"]
    sc, sd, sa = Stream(s, carol), Stream(s, dave), Stream(s, alice)
    for st in (sc, sd, sa):
        st.wait(lambda fr: len(fr) >= 1)
    ss.pump()
    sv.pump()
    for st in (ss, sv):
        st.take()
    r = s.put("/api/v1/me/presence", carol, {"presence": "ready"})
    t.is_((r.status, r.json.get("presence")), (200, "ready"), "carol goes Ready")
    t.is_(toggle(), 200, "then a bp event, as a barrier")
    for st in (ss, sc, sd, sa, sv):
        st.wait(lambda fr: len(bps(fr)) >= 1, 3)

    def presence_before_barrier(st):
        out = []
        for f in st.frames:
            if f.get("event") == "bp":
                break
            if f.get("event") == "presence":
                out.append(json.loads(f["data"]))
        return out

    for st, who in ((sc, "carol"), (ss, "a supervisor")):
        p = presence_before_barrier(st)
        t.ok(any(x.get("agent_id") == carol_id and x.get("presence") == "ready" for x in p),
             "%s hears carol's presence" % who, st.frames)
    for st, who in ((sd, "dave (her team mate)"), (sa, "alice"), (sv, "the service")):
        t.ok(bps(st.frames) and presence_before_barrier(st) == [],
             "%s does not hear carol's presence" % who, st.frames)
    for st in (sc, sd, sa):
        st.close()

    # -- 200 streams at once ---------------------------------------------------
    base = streams_settle(4)
    many = [Stream(s, alice if i % 2 else sup) for i in range(200)]
    t.ok(all(m.status == 200 for m in many), "200 more streams open")
    for m in many:
        m.wait(lambda fr: len(fr) >= 1)
    t.is_(metric(s, admin, "cbd_event_streams"), base + 200, "cbd_event_streams counts them")
    t0 = time.time()
    t.is_(toggle(), 200, "stop or start BP 2")
    pending = list(many)
    end = time.time() + 5
    while pending and time.time() < end:
        rd, _, _ = select.select(pending, [], [], 0.2)
        for m in rd:
            m.pump()
        pending = [m for m in pending if not bps(m.frames)]
    t.ok(not pending, "each of the 200 streams got the event (%.0f ms)" % ((time.time() - t0) * 1000),
         "%d did not" % len(pending))
    t.is_(len({bps(m.frames)[0]["id"] for m in many if bps(m.frames)}), 1, "all with the same id")

    # a client that goes away is forgotten (noticed at the next heartbeat)
    for m in many[:100]:
        m.close()
    t.is_(streams_settle(base + 100), base + 100, "closed streams are forgotten")

    # -- HTTP/1.0 -------------------------------------------------------------
    h10 = Stream(s, sup, http10=True)
    h10.wait(lambda fr: len(fr) >= 1)
    t.is_(toggle(), 200, "stop or start BP 2")
    h10.wait(lambda fr: len(bps(fr)) >= 1, 3)
    t.ok(h10.status == 200 and not h10.chunked and ok_pos(h10.frames) is not None
         and len(bps(h10.frames)) == 1, "an HTTP/1.0 stream works (not chunked)", h10.frames)

    # -- too old: more events than the ring holds ------------------------------
    for i in range(RING + 2):
        toggle()
    for _ in range(3):
        p0 = position()
        newest = p0[1]
        p, ev = reset_of("%d-%d" % (boot, newest - RING - 1))[1:]
        st = Stream(s, sup, last_id="%d-%d" % (boot, newest - RING))
        st.wait(n_events(1), 1.5)
        st.close()
        if position() == p0:
            break
    t.is_((p, ev), (p0, [("reset", "%d-%d" % p0, {"reason": "too_old"})]),
          "an id just older than the ring: reset 'too_old'")
    t.ok(ok_pos(st.frames) == (boot, newest - RING) and st.events()
         and st.events()[0]["id"] == "%d-%d" % (boot, newest - RING + 1)
         and st.events()[0]["event"] != "reset",
         "the oldest id the ring can resume after still resumes", st.frames[:2])

    # -- graceful shutdown with streams open ----------------------------------
    open_streams = many[100:] + [ss, sv, ref, h10]
    t0 = time.time()
    rc = s.stop()
    took = time.time() - t0
    t.ok(rc == 0 and took < 2.0, "SIGTERM with %d streams open: exit 0 in %.2f s (< 2 s)"
         % (len(open_streams), took), "rc %r" % rc)
    for m in open_streams:
        m.wait(lambda fr: False, 0.5)
    t.ok(all(m.eof for m in open_streams), "every stream was ended")
    log = s.log_text()
    bad = [l for l in log.splitlines() if "AddressSanitizer" in l or "runtime error:" in l
           or "LeakSanitizer" in l]
    t.ok(not bad, "no sanitizer reports", "\n".join(bad[:20]))
    for m in open_streams:
        m.close()

    # -- a restart is another boot: old ids get reset ---------------------------
    s.start()
    sup = s.login("sup")
    st = Stream(s, sup, last_id=last)
    st.wait(n_events(1), 3)
    ev = st.events()
    p = ok_pos(st.frames)
    t.ok(p is not None and p[0] == boot + 1 and ev and ev[0]["event"] == "reset"
         and json.loads(ev[0]["data"]) == {"reason": "restarted"},
         "after a restart the boot is new and an old id gets reset 'restarted'", st.frames)
    st.close()
t.done()
