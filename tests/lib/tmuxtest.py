"""tmuxtest — drive a terminal program in tmux from a test script.

tmux is the terminal (../shared/TESTING.md §2): each Tmux has a private
server on a socket in a temporary folder, started with -f /dev/null, a fixed
size, TERM=tmux-256color and ESCDELAY=25. The test sends keys, then polls
the screen for the text it expects (never a fixed sleep; every wait is
bounded), and keeps what it saw in its output for a person to read.

    from cbdtest import Server, Tap
    from tmuxtest import Agent
    t = Tap()
    with Server(t, args=["--grace-s", "3600"]) as s, Agent(t, s, "carol") as ag:
        ag.wait(r"● connected")          # the screen, or None after 5 s
        ag.keys("p")                     # tmux key names: Enter Tab Down C-u F4
        ag.type("+15551234567")          # literal text
        ag.shot("the pending panel")     # the screen as # lines in the output
    t.done()

Agent starts cb-agent (CB_BUILD's) against a cbd of cbdtest.Server, logged
in at once (CB_PASSWORD) or at the login screen (password=None), with
TZ=UTC, no session bus (notifications off) and a configuration folder of
its own. Its stderr goes to a file: at the end, a sanitizer report there
fails the test. A shell around the program writes its exit status to a
file (dead(), wait_dead()): tmux's #{pane_dead_status} is sometimes left
empty. Everything is stopped at the end of the block, even when the test
failed on the way.

Also: expect() (wait() as a check), header() / status() / keybar(),
choose_status() in the completion dialog; form_row(), form_focus(),
form_type(), form_choose(), form_error_line() for the scheduling form;
garbage() (stray characters on a screen); todo() (a TAP "# TODO" check for
a known bug: printed, never failing).
"""

import atexit
import os
import re
import shlex
import shutil
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("CB_BUILD") or os.path.join(ROOT, "build")
CB_AGENT = os.path.join(BUILD, "cb-agent")

_live = []  # tmux servers still running, killed at exit whatever happens


@atexit.register
def _kill_all():
    for tm in list(_live):
        tm.kill()


class Tmux:
    """A private tmux server with one session "t" running one program."""

    def __init__(self, cols=80, rows=24):
        self.dir = tempfile.mkdtemp(prefix="tmuxtest.")
        self.sock = os.path.join(self.dir, "sock")
        self.cols, self.rows = cols, rows
        self.running = False
        self.last = ""
        self.rc_path = os.path.join(self.dir, "exit-status")

    def tmux(self, *args, check=True):
        r = subprocess.run(["tmux", "-S", self.sock] + [str(a) for a in args],
                           capture_output=True, text=True, timeout=10)
        if check and r.returncode != 0:
            raise RuntimeError("tmux %s: %s" % (" ".join(map(str, args)), r.stderr.strip()))
        return r.stdout

    def start(self, argv, env=None, stderr=None):
        """Runs argv (a list) in a new session of cols x rows; env adds to
        the environment; stderr names a file for the program's stderr.
        A shell around it writes its exit status to a file (tmux's own
        #{pane_dead_status} is sometimes left empty)."""
        envs = {"TERM": "tmux-256color", "ESCDELAY": "25", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
        envs.update(env or {})
        cmd = "env -u DBUS_SESSION_BUS_ADDRESS -u DISPLAY -u WAYLAND_DISPLAY "
        cmd += " ".join(shlex.quote("%s=%s" % kv) for kv in envs.items() if kv[1] is not None)
        cmd += " " + " ".join(shlex.quote(a) for a in argv)
        if stderr:
            cmd += " 2>" + shlex.quote(stderr)
        self.rc_path = os.path.join(self.dir, "exit-status")
        cmd += "; echo $? >" + shlex.quote(self.rc_path)
        self.tmux("-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", self.cols,
                  "-y", self.rows, "sh -c " + shlex.quote(cmd))
        self.running = True
        _live.append(self)
        self.tmux("set", "-g", "remain-on-exit", "on")
        return self

    def screen(self, colours=False):
        """The visible screen as text (one line a row, trailing blanks cut)."""
        args = ["capture-pane", "-p", "-t", "t"] + (["-e"] if colours else [])
        self.last = self.tmux(*args)
        return self.last

    def wait(self, what, timeout=5.0, gone=False):
        """Polls the screen until what (a regular expression, or a function
        of the screen text) matches — or, with gone=True, no longer
        matches. Returns the screen, or None when timeout passes."""
        pred = what if callable(what) else (lambda s: re.search(what, s, re.M) is not None)
        end = time.time() + timeout
        while True:
            scr = self.screen()
            if bool(pred(scr)) != gone:
                return scr
            if time.time() >= end:
                return None
            time.sleep(0.03)

    def keys(self, *names):
        """tmux key names (Enter, Tab, BTab, Down, Escape, C-u, F4, or a
        single character)."""
        self.tmux("send-keys", "-t", "t", *names)

    def type(self, text):
        """Literal text, as typed."""
        self.tmux("send-keys", "-t", "t", "-l", text)

    def resize(self, cols, rows):
        self.cols, self.rows = cols, rows
        self.tmux("resize-window", "-t", "t", "-x", cols, "-y", rows)

    def size(self):
        """(cols, rows) of the pane as tmux has it."""
        w, h = self.tmux("display", "-p", "-t", "t", "#{pane_width} #{pane_height}").split()
        return int(w), int(h)

    def dead(self):
        """None while the program runs, else its exit status (128 + N when
        signal N ended it)."""
        try:
            with open(self.rc_path) as f:
                text = f.read().strip()
        except OSError:
            return None
        return int(text) if text.isdigit() else None

    def wait_dead(self, timeout=5.0):
        """Waits for the program to end: its exit status, or None when it
        still runs after timeout."""
        end = time.time() + timeout
        while True:
            st = self.dead()
            if st is not None or time.time() >= end:
                return st
            time.sleep(0.03)

    def kill(self):
        """Ends the tmux server, and the program with it."""
        if self.running:
            self.running = False
            subprocess.run(["tmux", "-S", self.sock, "kill-server"], capture_output=True, timeout=10)
            if self in _live:
                _live.remove(self)

    def cleanup(self):
        self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def garbage(screen):
    """What has no business on a screen: control characters, the
    replacement character, escape sequences printed as text ("^[[0m",
    "[?25h"). Returns the list found (empty when the screen is clean)."""
    bad = ["U+%04X" % ord(c) for c in screen if (ord(c) < 32 and c != "\n") or c in "\x7f\ufffd"]
    bad += re.findall(r"\^\[|\x1b|\[\??[0-9;]+[A-Za-z]", screen)
    return bad


class Agent(Tmux):
    """cb-agent in tmux against a cbdtest.Server.

    login=None starts at the login screen with nothing filled; password=None
    leaves the password to be typed there; server overrides the URL.
    """

    def __init__(self, tap, server=None, login="carol", password="", cols=80, rows=24,
                 url=None, args=None, env=None, todo_sanitizer=None):
        super().__init__(cols, rows)
        self.t = tap
        self.server = server
        self.login = login
        self.password = (login + "-demo") if password == "" and login else password
        self.url = url or (server.url if server else None)
        self.args = args
        self.env = env or {}
        self.stderr_path = os.path.join(self.dir, "stderr.txt")
        self.shots = 0
        self.todo_sanitizer = todo_sanitizer  # a known bug makes it fail: why

    PROGRAM, NAME = CB_AGENT, "cb-agent"  # what runs; a subclass names its own

    def __enter__(self):
        argv = [self.PROGRAM]
        if self.args is not None:
            argv += self.args
        else:
            if self.url:
                argv += ["--server", self.url]
            if self.login:
                argv += ["--user", self.login]
        conf = os.path.join(self.dir, "config")
        os.makedirs(conf, exist_ok=True)
        env = {"TZ": "UTC", "XDG_CONFIG_HOME": conf, "HOME": self.dir, "CB_SERVER": None,
               "CB_USER": None, "CB_PASSWORD": self.password or None, "NO_COLOR": None}
        env.update(self.env)
        # env -u for the ones set to None, so nothing leaks in from outside
        unset = [k for k, v in env.items() if v is None]
        self.start(["env"] + ["-u" + k for k in unset] + argv,
                   env={k: v for k, v in env.items() if v is not None}, stderr=self.stderr_path)
        return self

    def __exit__(self, *exc):
        self.shot("the last screen")
        self.kill()
        try:
            with open(self.stderr_path, errors="replace") as f:
                err = f.read()
        except OSError:
            err = ""
        bad = [l for l in err.splitlines() if "Sanitizer" in l or "runtime error:" in l]
        diag = "\n".join(err.splitlines()[:40])
        if self.todo_sanitizer and bad:
            # a known bug (the test's other TODO checks say it is fixed)
            todo(self.t, False, "%s: no sanitizer report on stderr" % self.NAME, self.todo_sanitizer, diag)
        else:
            self.t.ok(not bad, "%s: no sanitizer report on stderr" % self.NAME, diag)
        shutil.rmtree(self.dir, ignore_errors=True)
        return False

    def shot(self, title):
        """The screen, kept in the test's output for a person to read."""
        try:
            scr = self.screen()
        except Exception as e:  # the tmux server is gone
            scr = "(no screen: %s)" % e
        self.shots += 1
        w = max(self.cols, 20)
        self.t.diag("┌── %s %s" % (title, "─" * max(0, w - len(title) - 4)))
        for line in scr.rstrip("\n").split("\n"):
            self.t.diag("│" + line)
        self.t.diag("└" + "─" * w)
        return scr

    def expect(self, what, name, timeout=5.0, gone=False):
        """wait() as a check: ok when the text shows up (or goes); on
        failure the screen is printed."""
        scr = self.wait(what, timeout, gone)
        self.t.ok(scr is not None, name, None if scr is not None else "screen:\n" + self.last)
        return scr

    def row(self, n, scr=None):
        """Row n of the screen (negative counts from the bottom)."""
        lines = (scr if scr is not None else self.screen()).split("\n")
        lines = lines[:self.rows] + [""] * max(0, self.rows - len(lines))
        return lines[n]

    # -- the main screen ------------------------------------------------------
    def header(self, scr=None):
        return self.row(0, scr)

    def keybar(self, scr=None):
        return self.row(-1, scr)

    def status(self, scr=None):
        return self.row(-2, scr)

    # -- the completion dialog ------------------------------------------------
    def choose_status(self, name):
        """In the completion dialog, picks the status shown as name (by its
        digit) and waits until it is the selected one. False when the
        dialog does not list it."""
        scr = self.wait(r"\(.\) \d  %s\b" % re.escape(name), 3)
        m = scr and re.search(r"\(.\) (\d)  %s\b" % re.escape(name), scr)
        if not m:
            return False
        self.keys(m.group(1))
        return self.wait(r"\(•\) %s  %s\b" % (m.group(1), re.escape(name)), 3) is not None

    # -- the scheduling form --------------------------------------------------
    FORM_LABELS = ("Destination", "Business Process", "Date", "Start Time", "Customer Time Zone",
                   "Routing Type", "Agent / Team", "Remark")

    def form_row(self, label, scr=None):
        """(focused, value, beside) of a form field's row: the value, and
        what is written to the right of it (an error or a hint); None when
        the row is not on the screen."""
        scr = scr if scr is not None else self.screen()
        for line in scr.split("\n"):
            inner = line.strip().strip("│").rstrip()
            m = re.match(r"^\s*(▸ )?\s*%s(?:\s{2,}|$)(.*)$" % re.escape(label), inner)
            if m:
                parts = re.split(r"\s{2,}", m.group(2).strip(), maxsplit=1)
                return (m.group(1) is not None, parts[0], parts[1] if len(parts) > 1 else "")
        return None

    def form_focused(self, scr=None):
        scr = scr if scr is not None else self.screen()
        for label in self.FORM_LABELS:
            r = self.form_row(label, scr)
            if r and r[0]:
                return label
        return None

    def form_focus(self, label):
        """Moves the form's focus to label with Tab / Shift-Tab."""
        for _ in range(len(self.FORM_LABELS) * 2):
            at = self.form_focused()
            if at == label:
                return True
            if at is None:
                time.sleep(0.03)
                continue
            i, j = self.FORM_LABELS.index(at), self.FORM_LABELS.index(label)
            self.keys("Tab" if j > i else "BTab")
            self.wait(lambda s: self.form_focused(s) != at, 2)
        return self.form_focused() == label

    def form_type(self, label, text):
        """Replaces a text field's content with text (Ctrl-U, then typed)."""
        self.form_focus(label)
        self.keys("C-u")
        if text:
            self.type(text)
        want = text if len(text) <= 20 else text[:20]
        return self.wait(lambda s: (self.form_row(label, s) or (0, ""))[1].startswith(want), 3) is not None

    def form_choose(self, label, value):
        """Turns a choice field (‹ value ›) with → until it shows value."""
        self.form_focus(label)
        for _ in range(12):
            cur = (self.form_row(label) or (0, ""))[1]
            if cur == "‹ %s ›" % value:
                return True
            self.keys("Right")
            self.wait(lambda s: (self.form_row(label, s) or (0, ""))[1] != cur, 2)
        return (self.form_row(label) or (0, ""))[1] == "‹ %s ›" % value

    def form_error_line(self, scr=None):
        """The line above the form's key line (the focused field's error in
        full, or the server's "Not saved: ...")."""
        lines = (scr if scr is not None else self.screen()).split("\n")
        for i, line in enumerate(lines):
            if "Enter save" in line and i > 0:
                return lines[i - 1].strip().strip("│").strip()
        return None


def todo(tap, cond, name, why, diag=None):
    """A check of a known bug (TAP "# TODO"): printed, never failing the
    test; prove reports it when it starts to pass."""
    tap.n += 1
    print("%s %d - %s # TODO %s" % ("ok" if cond else "not ok", tap.n, name, why), flush=True)
    if not cond and diag is not None:
        tap.diag(diag)
    return bool(cond)
