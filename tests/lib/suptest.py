"""suptest — cb-supervisor's tests (tests/e2e/supervisor_*.t): the console
in tmux with readers for its screens, and virtual agents driving traffic.

Supervisor is tmuxtest.Agent started as cb-supervisor (logged in as sup by
default), with readers for what the tests compare with the API: the
Monitor's rows, the Search tab's rows, the selected row and tab, a cell's
background colour. VirtualAgent is an agent driven through the API with an
event stream open: Ready, offered, accept, connected, complete.

    from cbdtest import Server, Tap
    from suptest import Supervisor, VirtualAgent, new_callback
    t = Tap()
    with Server(t, args=["--grace-s", "3600"]) as s, Supervisor(t, s) as sv:
        sv.expect(r"● live", "logged in")
        carol = VirtualAgent(s, "carol").ready()
        cid = new_callback(s, s.login("sup"))     # Support, Support Team, due now
        carol.complete(cid, "handled")            # offered → accepted → live → Handled
        sv.monitor()["Support"]                   # ('● Active', '1', ...)
    t.done()
"""

import datetime
import os
import re
import time
import urllib.parse

from cbdtest import EventStream, V1, iso, parse_instant, wait_for
from tmuxtest import BUILD, Agent

_seq = [0]


def server_now(s):
    """The server's now: its test clock when it has one, else this clock."""
    r = s.get(V1 + "/test/clock")
    if r.status == 200:
        return parse_instant(r.json["now"])
    return int(time.time())


def new_callback(s, token, bp="Support", due=None, destination=None, **over):
    """POST /callbacks as token: a team callback of bp due now (or at the
    epoch second due); returns its id (raises on a refusal)."""
    _seq[0] += 1
    body = {"destination": destination or "+4420794%05d" % (60000 + _seq[0]), "bp": bp,
            "routing": "team", "team": "Support Team" if bp == "Support" else "Sales Team",
            "tz": "UTC" if bp == "Support" else "America/New_York",
            "due_at": iso(due if due is not None else server_now(s))}
    body.update(over)
    r = s.post(V1 + "/callbacks", token, body)
    if r.status != 201:
        raise RuntimeError("create callback: %r" % r)
    return r.json["id"]


class VirtualAgent:
    """An agent driven through the API, with an event stream open."""

    def __init__(self, s, login):
        self.s, self.login = s, login
        self.token = s.login(login)
        self.events = EventStream(s, self.token)

    def presence(self, p):
        r = self.s.put(V1 + "/me/presence", self.token, {"presence": p})
        if r.status != 200:
            raise RuntimeError("%s presence %s: %r" % (self.login, p, r))
        return self

    def ready(self):
        return self.presence("ready")

    def not_ready(self):
        return self.presence("not_ready")

    def held(self):
        r = self.s.get(V1 + "/me/interaction", self.token)
        return r.json.get("interaction") if r.status == 200 and r.json else None

    def wait_offer(self, cid=None, timeout=5.0):
        """The callback offered to this agent (that one, when cid), or None."""
        def look():
            self.events.pump(0)
            h = self.held()
            return h if h and h.get("state") == "offered" and (cid is None or h["id"] == cid) else None
        return wait_for(look, timeout)

    def act(self, cid, what, body=None):
        return self.s.post(V1 + "/callbacks/%d/%s" % (cid, what), self.token, body)

    def complete(self, cid, status="handled", connect="live", talk_s=0):
        """Takes callback cid from its offer to Completed with status:
        accept (dial when in Preview), connected, talk_s seconds on the test
        clock (a server without one: no wait), complete. Returns the
        completion's Reply."""
        if self.wait_offer(cid) is None:
            raise RuntimeError("%s: callback %d not offered" % (self.login, cid))
        r = self.act(cid, "accept")
        if r.status != 200:
            raise RuntimeError("accept %d: %r" % (cid, r))
        if r.json.get("state") == "preview":
            self.act(cid, "dial")
        if connect:
            r = self.act(cid, "connected", {"kind": connect})
            if r.status != 200:
                raise RuntimeError("connected %d: %r" % (cid, r))
        if talk_s:
            self.s.post(V1 + "/test/clock", body={"advance_s": int(talk_s)})
        r = self.act(cid, "complete", {"status": status})
        if r.status != 200:
            raise RuntimeError("complete %d: %r" % (cid, r))
        self.events.pump(0)
        return r

    def close(self):
        self.events.close()


def timefmt_agent(ts):
    """common/client/timefmt.c's timefmt_agent for a console in UTC: today
    "HH:MM", the next six days "Www HH:MM", else "Mmm DD HH:MM"; None "—"."""
    if ts is None:
        return "—"
    utc = datetime.timezone.utc
    tm = datetime.datetime.fromtimestamp(ts, utc)
    now = time.time()
    if tm.date() == datetime.datetime.fromtimestamp(now, utc).date():
        return tm.strftime("%H:%M")
    if ts > now and ts - now < 6 * 86400:
        return tm.strftime("%a %H:%M")
    return tm.strftime("%b %d %H:%M")


def stats(s, token):
    """GET /api/v1/stats's rows."""
    return s.get(V1 + "/stats", token).json["stats"]


def query(**q):
    return urllib.parse.urlencode(q)


# ---- cb-supervisor (tests/e2e/supervisor_*.t) -------------------------------
# cb-supervisor in tmux: Supervisor is tmuxtest.Agent started as cb-supervisor,
# with readers for its screens.

CB_SUPERVISOR = os.path.join(BUILD, "cb-supervisor")

# The Monitor's CLBK Stat texts by wire name (cb-supervisor(1)).
CLBK_STAT_TEXT = {"active": "● Active", "off_schedule": "◐ Off Schedule HRS", "stopped": "■ STOPPED"}

_SGR = re.compile(r"\x1b\[([0-9;]*)m")


def styled_lines(text):
    """Parses `capture-pane -e` output into lines of (char, bg, reverse)
    cells: bg is None (the default), an ANSI colour 0-7 (40-47) or 8-15
    (100-107), or a 256-colour index as "5;N". tmux only sends the SGR
    changes, so the state carries over from one line to the next."""
    out, bg, rev = [], None, False
    for line in text.split("\n"):
        cells, i = [], 0
        while i < len(line):
            m = _SGR.match(line, i)
            if m:
                ps = [p for p in m.group(1).split(";")] if m.group(1) else ["0"]
                k = 0
                while k < len(ps):
                    p = int(ps[k] or 0)
                    if p == 0:
                        bg, rev = None, False
                    elif p == 7:
                        rev = True
                    elif p == 27:
                        rev = False
                    elif 40 <= p <= 47:
                        bg = p - 40
                    elif 100 <= p <= 107:
                        bg = p - 100 + 8
                    elif p == 49:
                        bg = None
                    elif p in (38, 48) and k + 1 < len(ps):
                        n = 2 if ps[k + 1] == "5" else 4
                        if p == 48:
                            bg = ";".join(ps[k + 1:k + 1 + n])
                        k += n
                    k += 1
                i = m.end()
                continue
            if line[i] == "\x1b":  # another escape: skip it
                i += 1
                continue
            cells.append((line[i], bg, rev))
            i += 1
        out.append(cells)
    return out


class Supervisor(Agent):
    """cb-supervisor in tmux against a cbdtest.Server, logged in as sup
    (CB_PASSWORD sup-demo) unless told otherwise; the rest as Agent
    (TZ=UTC, a configuration folder of its own, stderr checked for
    sanitizer reports at the end). Colours stay on (NO_COLOR unset) so that
    selected rows and highlighted cells can be told apart: see bg_at()."""

    CYAN, YELLOW = 6, 3  # TUI_SELECTED is black on cyan, TUI_CHANGED black on yellow
    PROGRAM, NAME = CB_SUPERVISOR, "cb-supervisor"

    def __init__(self, tap, server=None, login="sup", password="", cols=80, rows=24,
                 url=None, args=None, env=None):
        super().__init__(tap, server, login, password, cols, rows, url, args, env)

    # -- colours ----------------------------------------------------------
    def styled(self):
        """The screen as styled_lines()."""
        return styled_lines(self.tmux("capture-pane", "-p", "-e", "-t", "t"))

    def bg_at(self, y, x, lines=None):
        """The background colour of the cell at row y, column x."""
        lines = lines if lines is not None else self.styled()
        if y >= len(lines) or x >= len(lines[y]):
            return None
        return lines[y][x][1]

    def selected_rows(self, first=1, last=None, x=1):
        """The screen rows (first..last) whose cell at column x has the
        selection's background (cyan)."""
        lines = self.styled()
        last = self.rows - 3 if last is None else last
        return [y for y in range(first, min(last + 1, len(lines))) if self.bg_at(y, x, lines) == self.CYAN]

    # -- the Monitor ------------------------------------------------------
    MONITOR_ROW = re.compile(r"^(.+?)\s+(● Active|◐ Off Schedule HRS|■ STOPPED)\s+(\d+)\s+(\d+)\s+(\d+:\d\d)"
                             r"\s+(\d+)\s+(\d+\.\d)\s+(\d+\.\d)\s*$")

    def monitor(self, scr=None):
        """The Monitor's rows as {name: (CLBK Stat, Proc, To Proc, Avg,
        Purged, %Rch, %Fail)}, every cell as the text shown; with the
        screen row of each in self.monitor_at[name]."""
        scr = scr if scr is not None else self.screen()
        rows, self.monitor_at = {}, {}
        for y, line in enumerate(scr.split("\n")[2:self.rows - 2], 2):
            m = self.MONITOR_ROW.match(line)
            if m:
                rows[m.group(1).strip()] = m.groups()[1:]
                self.monitor_at[m.group(1).strip()] = y
        return rows

    @staticmethod
    def monitor_expected(stats):
        """What the Monitor should show for GET /api/v1/stats's rows."""
        out = {}
        for r in stats:
            avg = int(r["avg_time_s"])
            out[r["bp"]] = (CLBK_STAT_TEXT.get(r["clbk_stat"], r["clbk_stat"]), str(r["proc"]),
                            str(r["to_be_proc"]), "%d:%02d" % (avg // 60, avg % 60), str(r["purged"]),
                            "%.1f" % r["reached_pct"], "%.1f" % r["fail_pct"])
        return out

    # -- Callback Search --------------------------------------------------
    SEARCH_ROW = re.compile(r"^(.)(.) (\d+)\s+(\+\d+)\s+(Pending|HandlingByBusinessProcess|HandlingByAgent|"
                            r"Completed)\s+(\d+) ")

    def search_rows(self, scr=None):
        """The rows of the Search tab: dicts id, number, location (as shown),
        attempts, marked, overdue ('!'), y (the screen row)."""
        scr = scr if scr is not None else self.screen()
        out = []
        for y, line in enumerate(scr.split("\n")[5:self.rows - 3], 5):
            m = self.SEARCH_ROW.match(line)
            if m:
                out.append({"id": int(m.group(3)), "number": m.group(4), "location": m.group(5),
                            "attempts": int(m.group(6)), "marked": m.group(1) == "▶",
                            "overdue": m.group(2) == "!", "y": y})
        return out

    def pid(self):
        """cb-supervisor's process id: the pane's process, or its child
        that runs cb-supervisor (tmuxtest starts it under a shell)."""
        todo_ = [int(self.tmux("display", "-p", "-t", "t", "#{pane_pid}").strip())]
        while todo_:
            p = todo_.pop(0)
            try:
                if os.path.realpath("/proc/%d/exe" % p) == os.path.realpath(CB_SUPERVISOR):
                    return p
                with open("/proc/%d/task/%d/children" % (p, p)) as f:
                    todo_ += [int(x) for x in f.read().split()]
            except OSError:
                pass
        return None

    def open_bp(self, name):
        """From the Monitor (sorted as it is), selects BP name and opens its
        detail (Enter); True when the detail's title row names it."""
        rows = self.monitor(self.wait(lambda s: name in self.monitor(s), 5) or "")
        if name not in rows:
            return False
        order = sorted(rows, key=lambda n: self.monitor_at[n])
        self.keys("Home")
        for _ in range(order.index(name)):
            self.keys("Down")
        self.wait(lambda s: self.selected_rows(2) == [self.monitor_at[name]], 3)
        self.keys("Enter")
        return self.wait(r"^ %s  ·  " % re.escape(name), 5) is not None

    def selected_tab(self):
        """The name of the detail's selected tab (row 2, cyan), or None."""
        lines = self.styled()
        if len(lines) < 3:
            return None
        cells = lines[2]
        sel = "".join(c[0] if c[1] == self.CYAN else "\0" for c in cells)
        names = [x.strip() for x in sel.split("\0") if x.strip()]
        return names[0] if names else None

    def tab(self, name):
        """In the detail, Tab until the tab named name (short or long) is
        the selected one; True when it is."""
        for _ in range(6):
            now = self.selected_tab()
            if now == name:
                return True
            self.keys("Tab")
            end = time.time() + 2
            while self.selected_tab() == now and time.time() < end:
                time.sleep(0.02)
        return self.selected_tab() == name

    def quit(self, name="q logs out and quits, status 0"):
        """q on a screen without a dialog: the console logs out and exits
        (under ASan, LeakSanitizer then reports on stderr, which __exit__
        checks). A check that the status is 0."""
        self.keys("q")
        st = self.wait_dead(8)
        self.t.ok(st == 0, name, "status %r\n%s" % (st, self.last))
        return st
